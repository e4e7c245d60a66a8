//! The build engine: the one path from the site's folder to its output, for `build`, `check`
//! and `serve` alike.
//!
//! A page is a pure function of inputs the engine records, and it is rendered again only when
//! one of them changed:
//!
//! - **Markdown stage** ([`pages`]): a body is rendered from its file's text, its URL and what
//!   it reads from the rest of the site, which rendering notes in [`markdown::Reads`] (the URL
//!   of every page it links to, the pages a wiki link names, the list of titles, the image
//!   files it measured). The body is kept while the text and the URL are the same and every
//!   noted answer is still the same.
//! - **Template stage** ([`crate::render`]): a page is rendered from its template and its
//!   context, which holds every fact it shows of other pages (titles, URLs, "Linked from",
//!   previous and next, breadcrumbs, collection lists, filled link texts). Its key is a hash
//!   of the config, the theme, the template name and the whole context; the page is rendered
//!   again only when the key differs from the one of the output the engine last handed on.
//! - **Files** ([`inputs`]): every file is known by its size and modification time, with a
//!   fresh read for a file written too recently to trust them.
//!
//! The site itself (collections, order, cross-links) is assembled from the kept pages, taking
//! the last assembly while every page reads the same to it ([`site::memo`]); the link check
//! ([`linkcheck::memo`]) and the output-path check ([`crate::claims::Memo`]) keep what their
//! inputs still decide. A site is never edited in place.
//! A fresh engine renders everything: that is `stepbook check` and `build --force`.
//! `stepbook build` starts from the memory the last build saved ([`cache`]) and keeps the
//! output files whose keys are unchanged. `serve` keeps one engine and gets from each run only
//! the files that changed and the paths that went away.

pub mod align;
pub mod cache;
pub mod cutoff;
pub mod inputs;
pub mod languages;
pub mod listing;
pub mod pages;
pub mod search_cache;
pub mod table;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::discover;
use crate::paths::SourcePath;
use crate::render::{self, OutFile, Theme};
use crate::site::{self, Page, PageFile, Parts, Site};
use crate::snippets::{self, Library, Origins, Snippet};
use crate::{Timings, linkcheck, lint};
pub use inputs::Changes;
use inputs::Files;
use pages::{Memo, RenderCtx};

/// What the engine builds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Include articles marked `draft: true`.
    pub drafts: bool,
    /// Add the warnings that only `check` gives.
    pub lint: bool,
    /// An anchor record (`anchors.lock`) that this run would change is an error.
    pub locked: bool,
}

/// A site loaded, checked and ready to render.
pub struct Loaded {
    pub config: Config,
    pub site: Site,
    pub theme: Arc<Theme>,
    pub timings: Timings,
}

/// The anchor record of a run: as the last run read it, or being read on a thread of its own.
enum RecordRead<'s> {
    Kept(crate::anchors::Recorded),
    Reading(std::thread::ScopedJoinHandle<'s, (inputs::Due, crate::anchors::Recorded)>),
}

/// The build engine and its memory of the last run.
pub struct Engine {
    root: PathBuf,
    opts: Options,
    /// The config of the last run, as text: a new config clears what depends on it (see
    /// [`Engine::load_reading`]).
    config: Option<String>,
    /// The content folder of the last run, whose files the memos are of.
    content_dir: Option<PathBuf>,
    /// The memory was read from the cache and has not met a config yet: under another config
    /// than its own, none of it is taken (the cache is the config's).
    from_cache: bool,
    /// How many Markdown bodies of the default language the last load rendered.
    bodies_rendered: usize,
    files: Files,
    memos: FxHashMap<SourcePath, Memo>,
    /// The memos of default-language indexes shown in another language, by language.
    fallbacks: HashMap<(usize, SourcePath), Memo>,
    /// The key of every output file last handed on.
    published: FxHashMap<String, u64>,
    /// The keys read back from the cache, with the output they were written to, until
    /// [`Engine::adopt_output`] takes them.
    cached: Option<cache::OutputKeys>,
    /// The cache's files as last read or written.
    written: cache::Written,
    /// The anchor plan's prints read back from the cache, until the Markdown stage has shown
    /// which of them were made from what the files hold now.
    prints: HashMap<SourcePath, crate::anchors::SavedPrints>,
    /// Where the vanished addresses went, as read back from the cache, until the anchor plan
    /// takes it with the prints.
    went: Option<crate::anchors::Went>,
    /// The key of the search index last handed on, and its files with what each one's bytes
    /// depend on ([`crate::search::Indexer::build_reusing`]).
    search: Option<(u64, Vec<(String, u64)>)>,
    /// What the search index keeps of each article between builds.
    indexer: crate::search::Indexer,
    /// The facts the last render saw, to build only the contexts that may have changed.
    cutoff: cutoff::Cutoff,
    /// How many page contexts the last render built.
    contexts: usize,
    /// How many dependency keys the last render computed.
    keys: usize,
    /// The anchor record as last read.
    anchors: inputs::Kept<crate::anchors::Recorded>,
    /// What the last anchor plan kept of each article.
    anchor_memo: crate::anchors::Memo,
    /// The theme as last loaded, kept while its files read the same.
    theme: Option<Arc<Theme>>,
    /// The hash of an anchor record's text known to be the text of the record it reads as.
    record_renders: Option<u64>,
    /// The content's files by kind, as last split.
    listing: listing::Memo,
    /// The pages' URLs and the table their links resolve against, as last made.
    tables: table::Memo,
    /// The languages and every page's place in each, as last made.
    alternates: languages::AlternatesMemo,
    /// The last assembly of each language's site, the default language's first.
    assembly: Vec<site::memo::Memo>,
    /// The last link check of the default language's site.
    links: linkcheck::Memo,
    /// The last check of the output paths.
    claims: crate::claims::Memo,
    /// The commit dates as last read.
    git_dates: crate::gitdates::Memo,
}

impl Engine {
    /// An engine with no memory: its first run renders everything.
    pub fn new(root: &Path, opts: Options) -> Engine {
        Engine {
            root: root.to_path_buf(),
            opts,
            config: None,
            content_dir: None,
            from_cache: false,
            bodies_rendered: 0,
            files: Files::default(),
            memos: FxHashMap::default(),
            fallbacks: HashMap::new(),
            published: FxHashMap::default(),
            cached: None,
            written: Default::default(),
            prints: HashMap::new(),
            went: None,
            search: None,
            indexer: Default::default(),
            cutoff: cutoff::Cutoff::default(),
            contexts: 0,
            keys: 0,
            anchors: Default::default(),
            anchor_memo: Default::default(),
            theme: None,
            record_renders: None,
            listing: Default::default(),
            tables: Default::default(),
            alternates: Default::default(),
            assembly: Vec::new(),
            links: Default::default(),
            claims: Default::default(),
            git_dates: Default::default(),
        }
    }

    /// An engine that remembers what the last build saved in the cache folder of the site
    /// ([`cache`]); with nothing usable there, an engine with no memory.
    pub fn from_cache(root: &Path, opts: Options) -> Engine {
        let mut restored = cache::load(root);
        // Each part is made again from the memos read back, beside the others.
        let (assembly, links, claims, table, cutoff) = (
            restored.assembly.take(),
            restored.links.take(),
            restored.claims.take(),
            restored.table.take(),
            restored.cutoff.take(),
        );
        let memos = &restored.memos;
        // The assembly is made again from the memos of its pages.
        let assembly = || -> Vec<site::memo::Memo> {
            let shown = |source: &SourcePath| {
                let (md, fm, _) = memos.get(source)?.shown()?;
                Some((fm.clone(), md.clone()))
            };
            let restored = assembly.and_then(|saved| site::memo::Memo::restore(saved, shown));
            restored.into_iter().collect()
        };
        let rendered = |source: &SourcePath| memos.get(source)?.rendered().cloned();
        let links = || links.map(|saved| linkcheck::Memo::restore(saved, rendered));
        let claims = || claims.map(crate::claims::Memo::restore);
        // The bodies read back were checked against this table when it was saved.
        let tables = || table.and_then(table::Memo::restore);
        let cutoff = || {
            cutoff.map_or_else(cutoff::Cutoff::default, |kept| {
                cutoff::Cutoff::restore(kept, rendered)
            })
        };
        let ((assembly, links), (claims, (tables, cutoff))) = rayon::join(
            || rayon::join(assembly, links),
            || rayon::join(claims, || rayon::join(tables, cutoff)),
        );
        if assembly.is_empty() {
            restored.written.assembly = None;
        }
        if links.is_none() {
            restored.written.links = None;
        }
        if tables.is_none() {
            restored.written.table = None;
        }
        if claims.is_none() {
            restored.written.claims = None;
        }
        Engine {
            config: restored.config,
            from_cache: true,
            memos: restored.memos,
            cached: Some(cache::OutputKeys {
                published: restored.published,
                output: restored.output,
                cutoff,
            }),
            written: restored.written,
            indexer: restored.indexer.unwrap_or_default(),
            prints: restored.prints,
            search: restored.search,
            record_renders: restored.record_renders,
            went: restored.went,
            assembly,
            links: links.unwrap_or_default(),
            claims: claims.unwrap_or_default(),
            tables: tables.unwrap_or_default(),
            ..Engine::new(root, opts)
        }
    }

    /// Takes the output keys read from the cache when the output folder `dest`, whose
    /// manifest hashes to `digest`, is the output they were written to: its files then need
    /// not be rendered again while their keys are the same, and with the facts the render
    /// that made them saw, the contexts of unchanged pages are not even built.
    pub fn adopt_output(&mut self, dest: &Path, digest: Option<u64>) {
        if let Some(cached) = self.cached.take()
            && let Some((to, was)) = &cached.output
            && to == dest
            && Some(*was) == digest
        {
            self.published = cached.published;
            self.cutoff = cached.cutoff;
        } else {
            self.search = None;
            // Every page is rendered: the bodies read back are all read, so their HTML is
            // read now, the cache's files in parallel, rather than each by the first of the
            // rendering threads that needs it while the others wait for it.
            self.read_bodies();
            // And most of their values are decoded: each encoding is copied out of its
            // file's part, to be freed as its value is decoded, rather than all held with
            // the parts until the end of the build.
            self.memos.par_iter().for_each(|(_, m)| {
                if let Some(md) = m.rendered() {
                    md.detach();
                }
            });
            self.anchor_memo.detach();
            // And so is the search index: its buckets are taken from the cache rather than
            // deflated again.
            cache::load_buckets(&self.root, &mut self.written, &mut self.indexer);
        }
    }

    /// Reads the HTML of every body read back from the cache, each cache file once.
    fn read_bodies(&self) {
        (self.written.parts.par_iter())
            .filter_map(|p| p.html.upgrade())
            .for_each(|p| {
                p.readable();
            });
    }

    /// The search index of `loaded`'s site, built when its articles changed since the index
    /// last handed on ([`crate::search::LangDocs`] are all it reads), and handed to `put`; otherwise
    /// its files are handed to `keep`, and built only when one of them cannot be kept. A
    /// rebuild hands to `keep` the article buckets whose articles did not change.
    pub fn search(
        &mut self,
        loaded: &Loaded,
        put: &(dyn Fn(OutFile) -> Result<(), Diagnostic> + Sync),
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<(), Diagnostic> {
        let docs = crate::search::languages(&loaded.site);
        let key = self.search_key(&docs);
        // With the same key, every file is the last index's: each one still there is kept.
        // A file kept so is kept once: neither asked for again nor written over.
        let mut kept_already: HashSet<String> = HashSet::new();
        if let Some((was, files)) = &self.search
            && *was == key
        {
            kept_already = (files.par_iter())
                .filter(|(p, _)| keep(p))
                .map(|(p, _)| p.clone())
                .collect();
            if kept_already.len() == files.len() {
                return Ok(());
            }
        }
        // A file the last index wrote is kept when what its bytes depend on is the same.
        let before: HashMap<String, u64> =
            self.search.take().into_iter().flat_map(|s| s.1).collect();
        let reuse = |path: &str, of: u64| {
            of != 0 && before.get(path) == Some(&of) && (kept_already.contains(path) || keep(path))
        };
        // Each file is written as it is made: the index's files are never all held at once.
        let failed = std::sync::OnceLock::new();
        let kept = self.indexer.build_into(&docs, &reuse, &|f| {
            if failed.get().is_none()
                && !kept_already.contains(f.path())
                && let Err(d) = put(f)
            {
                let _ = failed.set(d);
            }
        });
        if let Some(d) = failed.into_inner() {
            return Err(d);
        }
        self.search = Some((key, kept));
        Ok(())
    }

    /// The key of the search index of `docs`, as [`Engine::search`] compares it: equal keys,
    /// equal index.
    pub fn search_key(&self, docs: &[crate::search::LangDocs]) -> u64 {
        render::key_of(&(self.config.as_deref(), crate::search::key(docs)))
    }

    /// The hash of an anchor record's text that is known to be the text of the record it
    /// reads as, so that a build that leaves that record as read need not compare them.
    pub fn record_renders(&self) -> Option<u64> {
        self.record_renders
    }

    /// Notes that the anchor record's text of hash `renders` is the text of the record it
    /// reads as (`None`: nothing new is known).
    pub fn note_record_renders(&mut self, renders: Option<u64>) {
        if renders.is_some() {
            self.record_renders = renders;
        }
    }

    /// Saves the engine's memory in the cache folder of the site, with the output folder its
    /// keys were written to and the hash of that output's manifest.
    pub fn save_cache(&mut self, output: Option<(PathBuf, u64)>) -> Result<(), Diagnostic> {
        let files = self.save_cache_files()?;
        self.save_cache_index(files, output)
    }

    /// The first part of [`Engine::save_cache`] ([`cache::save_files`]): every file of the
    /// cache but the one that names them. It reads neither the output nor the anchor record,
    /// so it may run while the output is swapped in and the record written.
    pub fn save_cache_files(&self) -> Result<cache::Files, Diagnostic> {
        cache::save_files(&self.root, &self.to_save(None, None))
    }

    /// The rest of [`Engine::save_cache`]: the file naming `files`, with the `output` they
    /// were written to.
    pub fn save_cache_index(
        &mut self,
        files: cache::Files,
        output: Option<(PathBuf, u64)>,
    ) -> Result<(), Diagnostic> {
        let saved = cache::save_index(self.to_save(output, self.cutoff.keep()), files)?;
        self.written = saved;
        Ok(())
    }

    /// What the cache keeps of the engine.
    fn to_save(
        &self,
        output: Option<(PathBuf, u64)>,
        cutoff: Option<cutoff::Kept>,
    ) -> cache::ToSave<'_> {
        cache::ToSave {
            config: self.config.as_deref().unwrap_or(""),
            memos: &self.memos,
            published: &self.published,
            output,
            written: &self.written,
            search: self.search.clone(),
            cutoff,
            anchors: &self.anchor_memo,
            record_renders: self.record_renders,
            indexer: &self.indexer,
            assembly: self.assembly.first(),
            links: &self.links,
            claims: &self.claims,
            table: &self.tables,
        }
    }

    /// Reads the config and the content folder, renders the Markdown that changed, assembles
    /// the site, checks its links and loads the theme. The site is `None` when it could not be
    /// assembled; the diagnostics may hold errors either way.
    pub fn load(&mut self) -> (Option<Loaded>, Diagnostics) {
        self.load_after(Changes::All)
    }

    /// [`Engine::load`], told what changed since the last run (as a file watcher saw it): the
    /// content folder is then not walked again, and only the files named are stamped again
    /// ([`inputs`]). Changes of a run that fails early are kept for the next.
    pub fn load_after(&mut self, changes: Changes) -> (Option<Loaded>, Diagnostics) {
        self.files.note(changes);
        // A book.toml with errors still names the content folder: its errors come in the
        // same run as the content's, and the run fails.
        let (config, problems) = Config::load_reporting(&self.root);
        let Some(config) = config else {
            let mut diags = Diagnostics::new();
            diags.extend(problems);
            return (None, diags);
        };
        let (loaded, mut diags) = self.load_config(config);
        if problems.is_empty() {
            return (loaded, diags);
        }
        diags.extend(problems);
        (None, diags)
    }

    /// [`Engine::load`], with the config already read.
    pub fn load_with(&mut self, config: Config) -> (Option<Loaded>, Diagnostics) {
        self.files.note(Changes::All);
        self.load_config(config)
    }

    fn load_config(&mut self, config: Config) -> (Option<Loaded>, Diagnostics) {
        // The anchor record is an input of every article, read again when its stamp changed.
        // A large file: it is read beside the content folder, not after it.
        let path = config.root.join(crate::anchors::record::FILE);
        let root = config.root.clone();
        let check = self.anchors.check(&path);
        let known = self.record_renders;
        std::thread::scope(|s| {
            let record = match check {
                Ok(kept) => RecordRead::Kept(kept),
                Err(due) => RecordRead::Reading(
                    s.spawn(move || (due, crate::anchors::Recorded::read_knowing(&root, known))),
                ),
            };
            self.load_reading(config, record)
        })
    }

    /// [`Engine::load_config`], with the anchor record read or being read.
    fn load_reading(
        &mut self,
        config: Config,
        record: RecordRead<'_>,
    ) -> (Option<Loaded>, Diagnostics) {
        let mut diags = Diagnostics::new();
        diags.extend(config.warnings.iter().cloned());
        let mut timings = Timings::default();
        self.bodies_rendered = 0;
        let seen = format!("{config:?}");
        if self.config.as_ref() != Some(&seen) {
            // A file's memo, its frontmatter and its body, reads no config: its body is
            // checked against what it read (its URL, the pages it links to, the images it
            // measured) like after any other edit, so a running engine keeps the memos of the
            // same content folder, and a new site title renders no Markdown again.
            if self.from_cache || self.content_dir.as_ref() != Some(&config.content_dir) {
                self.memos.clear();
            }
            self.fallbacks.clear();
            self.cutoff.clear();
            self.tables.clear();
            self.alternates = Default::default();
            self.assembly.clear();
            self.prints.clear();
            self.went = None;
            self.links = Default::default();
            self.claims = Default::default();
            // Keys read from a cache made under another config are not taken either.
            self.cached = None;
            self.config = Some(seen);
        }
        self.from_cache = false;
        self.content_dir = Some(config.content_dir.clone());
        let sources = render::Sources::read(&config.theme_dir());
        let theme = match self.theme.take() {
            Some(last) if sources.made(&last) => Ok(last),
            _ => Theme::parse(sources).map(Arc::new),
        };
        if let Ok(t) = &theme {
            self.theme = Some(t.clone());
        }
        let exclude = vec![config.output_dir.clone(), config.root.join("themes")];
        let listed = (self.files).discover(&config.content_dir, &exclude, &config.root);
        diags.extend(listed.1.iter().cloned());
        if listed.0.is_empty() && diags.has_errors() {
            return (None, diags);
        }
        // The files by kind: the very lists of the last run while the files are the same.
        let split = self.listing.split(&listed, theme.as_ref().ok());
        drop(listed);
        let (md_files, assets) = (&split.md, split.assets.clone());
        let mut read = self.files.refresh(&split.texts, &split.others);
        let library = self.snippets(&split.snippets, read.split_off(md_files.len()), &mut diags);

        // Frontmatter, kept for every file whose text is the same.
        let mut old = std::mem::take(&mut self.memos);
        // Each file's key is taken with its memo, to hold it again without a copy.
        let (mut keys, olds): (Vec<Option<SourcePath>>, Vec<Option<Memo>>) = md_files
            .iter()
            .map(|f| old.remove_entry(&f.path).unzip())
            .unzip();
        drop(old);
        let mut memos: Vec<Result<Memo, inputs::ReadError>> = md_files
            .par_iter()
            .zip(read)
            .zip(olds)
            .map(|((f, text), old)| {
                text.map(|text| {
                    let mut memo = Memo::new(old, &f.abs, text);
                    memo.expand(&f.path, &f.abs, &library);
                    memo
                })
            })
            .collect();
        // Which pages include each snippet, directly or through others.
        let mut used: HashMap<&str, Vec<PathBuf>> = HashMap::new();
        for (f, memo) in md_files.iter().zip(&memos) {
            if let Some(e) = memo.as_ref().ok().and_then(Memo::expanded) {
                diags.extend(e.diagnostics.iter().cloned());
                for name in e.used() {
                    if let Some((name, _)) = library.entry(name) {
                        used.entry(name).or_default().push(f.abs.clone());
                    }
                }
            }
        }
        if self.opts.lint {
            diags.extend(snippets::unused(&library, &used));
            for (name, s) in library.iter() {
                let pages = used.get(name).cloned().unwrap_or_default();
                diags.note_includers(s.abs.clone(), pages);
            }
        }
        // The pages of this build, and where each Markdown file's page is among them.
        let mut listed: Vec<PageFile> = Vec::with_capacity(md_files.len());
        let mut slot: Vec<Option<usize>> = Vec::with_capacity(md_files.len());
        // Frontmatter title, else the leading heading, else the file name.
        let mut titles: Vec<String> = Vec::with_capacity(md_files.len());
        let mut unavailable = HashMap::new();
        let mut found_translations = Vec::new();
        for (i, (f, memo)) in md_files.iter().zip(&memos).enumerate() {
            // A file that could not be read, or whose frontmatter is wrong.
            let parsed = match memo.as_ref().map(Memo::parsed) {
                Ok(Ok(p)) => p,
                Ok(Err(ds)) | Err(ds) => {
                    diags.extend(ds.iter().cloned());
                    unavailable.insert(f.path.clone(), "has errors");
                    slot.push(None);
                    continue;
                }
            };
            diags.extend(parsed.fm.warnings.iter().cloned());
            if parsed.fm.draft && !self.opts.drafts {
                unavailable.insert(f.path.clone(), "is a draft");
                slot.push(None);
                continue;
            }
            let memo = memo.as_ref().expect("parsed above");
            if let Some((lang, source)) = languages::translation_of(&f.path, &config.languages) {
                let mut page = pages::page_file(&source, &f.abs, memo, parsed);
                page.source = source.clone();
                let title = parsed
                    .fm
                    .title
                    .clone()
                    .or_else(|| parsed.heading_title.clone());
                found_translations.push(languages::Found {
                    file: i,
                    lang,
                    source,
                    title: title.unwrap_or_else(|| site::fallback_title(&page.source)),
                    page,
                });
                slot.push(None);
                continue;
            }
            titles.push(
                parsed
                    .fm
                    .title
                    .clone()
                    .or_else(|| parsed.heading_title.clone())
                    .unwrap_or_else(|| site::fallback_title(&f.path)),
            );
            slot.push(Some(listed.len()));
            listed.push(pages::page_file(&f.path, &f.abs, memo, parsed));
        }

        // URLs and the table links resolve against, kept while the pages read the same.
        let tabled = self.tables.of(&listed, &titles);
        if !tabled.same {
            // The cache's file no longer holds these.
            self.written.table = None;
        }
        diags.extend(tabled.problems);
        let (urls, table) = (tabled.urls, tabled.table);

        // Bodies, each rendered again only when something it read changed.
        let ctx = RenderCtx {
            titles: tabled.titles,
            table: &table,
            same_table: tabled.same,
            files: &self.files,
            prose: self.opts.lint,
            rendered: Default::default(),
        };
        let bodies: Vec<Arc<crate::markdown::Rendered>> = memos
            .par_iter_mut()
            .zip(slot.par_iter())
            .filter_map(|(memo, slot)| match (memo, slot) {
                (Ok(memo), Some(i)) => Some(memo.body(&listed[*i], &urls[*i], &ctx)),
                _ => None,
            })
            .collect();
        self.bodies_rendered = ctx.rendered.into_inner();
        diags.extend(languages::name_problems(
            &config,
            md_files,
            &listed.iter().zip(&urls).collect::<Vec<_>>(),
        ));
        let found_translations =
            self.own_sources(found_translations, &listed, &unavailable, &mut diags);
        let mut lang_problems = Vec::new();
        let langs = languages::pages(
            found_translations,
            &languages::Defaults {
                listed: &listed,
                bodies: &bodies,
                urls: &urls,
                titles: &titles,
            },
            &mut memos,
            &mut self.fallbacks,
            &languages::Inputs {
                config: &config,
                files: &self.files,
                prose: self.opts.lint,
            },
            &mut lang_problems,
        );
        diags.extend(lang_problems);
        let mut pages = Vec::with_capacity(listed.len());
        for ((f, url), md) in listed.into_iter().zip(urls).zip(bodies) {
            diags.extend(md.diagnostics.iter().cloned());
            pages.push(Page::new(f, url, md));
        }
        // Problems the site finds in a page's text point into the text with its snippets
        // included: each is moved back to the file it was written in.
        let origins: HashMap<PathBuf, Arc<Origins>> = md_files
            .iter()
            .zip(&memos)
            .filter_map(|(f, m)| {
                let o = m.as_ref().ok()?.expanded()?.origins.clone()?;
                Some((f.abs.clone(), o))
            })
            .collect();
        self.memos = md_files
            .iter()
            .zip(memos)
            .zip(&mut keys)
            .filter_map(|((f, m), key)| {
                let m = m.ok()?;
                Some((key.take().unwrap_or_else(|| f.path.clone()), m))
            })
            .collect();
        self.restore_prints();
        timings.lap("read and render Markdown");
        let site_problems_from = diags.len();

        let anchors = match record {
            RecordRead::Kept(kept) => kept,
            RecordRead::Reading(reading) => {
                let (due, read) = reading
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                self.anchors.keep(due, &read);
                read
            }
        };
        diags.extend(anchors.problems.iter().cloned());
        // The dates of the last commits are an input too: read again when `HEAD` moved.
        let git_dates = self.git_dates.read(&config.content_dir);
        let alternates = self.alternates.get(&config, &pages, &langs);
        let mut translations = Vec::with_capacity(langs.len());
        self.assembly.resize_with(langs.len() + 1, Default::default);
        for (l, lang) in langs.into_iter().enumerate() {
            let (site, problems) = self.assembly[l + 1].site(Parts {
                config: lang.config,
                pages: lang.pages,
                // For the image check: a language's site copies no file of its own.
                assets: assets.clone(),
                table: lang.table,
                unavailable: unavailable.clone(),
                git_dates: git_dates.clone(),
                lang: l + 1,
                alternates: alternates.clone(),
                translations: Vec::new(),
                // The record holds the default language's addresses only.
                anchors: Default::default(),
                anchor_memo: Default::default(),
            });
            diags.extend(problems);
            translations.push(site);
        }
        let (mut site, problems) = self.assembly[0].site(Parts {
            config: config.clone(),
            pages,
            assets,
            table,
            unavailable,
            git_dates,
            lang: 0,
            alternates,
            translations,
            anchors,
            anchor_memo: std::mem::take(&mut self.anchor_memo),
        });
        self.anchor_memo = std::mem::take(&mut site.anchors.memo);
        if self.assembly[0].how != site::memo::How::Kept {
            // The cache's file no longer holds this assembly.
            self.written.assembly = None;
        }
        diags.extend(problems);
        if self.opts.lint {
            diags.extend(site.anchors.reports());
            diags.extend(crate::anchors::lint::lint(&site));
        }
        if self.opts.locked {
            diags.extend(site.anchors.unlocked());
        }
        timings.lap("assemble the site");
        diags.extend(linkcheck::memo::check(&site, &mut self.links));
        if self.links.changed {
            // The cache's file no longer holds this check.
            self.written.links = None;
        }
        for t in &site.translations {
            diags.extend(linkcheck::check_in(t, Some(&site)));
        }
        timings.lap("check links");
        if self.opts.lint {
            diags.extend(lint::lint(&site));
            diags.extend(crate::translations::report(&site));
        }
        if let Ok(theme) = &theme {
            self.claims.changed = false;
            for s in site.all() {
                let pages_kept = self.assembly[s.lang].how == site::memo::How::Kept;
                diags.extend(crate::claims::check_kept(
                    s,
                    theme,
                    &mut self.claims,
                    pages_kept,
                ));
            }
            if self.claims.changed {
                self.written.claims = None;
            }
            timings.lap("check output paths");
        } else {
            // Not checked, the memory would stay that of the pages of an earlier run, while
            // the assembly's is of these: a later run that keeps these pages ("pages kept")
            // would trust it for them.
            self.claims = Default::default();
            self.written.claims = None;
        }
        if !origins.is_empty() {
            diags.adjust_from(site_problems_from, |d| {
                let page = d.location.as_ref().map(|l| l.path.clone());
                if let Some(page) = page
                    && let Some(o) = origins.get(&page)
                {
                    o.remap(&page, d);
                }
            });
        }
        match theme {
            Ok(theme) => (
                Some(Loaded {
                    config,
                    site,
                    theme,
                    timings,
                }),
                diags,
            ),
            Err(ds) => {
                diags.extend(ds);
                (None, diags)
            }
        }
    }

    /// Renders every output file whose inputs changed since the last successful render and
    /// hands each to `put`, from many threads; returns the paths that are no longer part of
    /// the site. The search index is not among the files. When anything fails, the engine
    /// remembers nothing of this render.
    pub fn render(
        &mut self,
        loaded: &Loaded,
        put: &(dyn Fn(OutFile) -> Result<(), Diagnostic> + Sync),
    ) -> Result<Vec<String>, Vec<Diagnostic>> {
        self.render_into(loaded, put, None)
    }

    /// [`Engine::render`], for a consumer that holds the files last handed on only when
    /// `keep` (asked for every file whose key is unchanged) says so; a file it cannot keep is
    /// handed on again. `build` keeps the previous output's files this way.
    ///
    /// The contexts of pages whose own rendering and what they read of others are those of
    /// the last render are not built ([`cutoff`]): their files keep their keys when `keep`
    /// keeps them, and are handed on again when it cannot.
    pub fn render_keeping(
        &mut self,
        loaded: &Loaded,
        put: &(dyn Fn(OutFile) -> Result<(), Diagnostic> + Sync),
        keep: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<String>, Vec<Diagnostic>> {
        self.render_into(loaded, put, Some(keep))
    }

    /// [`Engine::render_keeping`]; without `keep`, the consumer keeps every file.
    fn render_into(
        &mut self,
        loaded: &Loaded,
        put: &(dyn Fn(OutFile) -> Result<(), Diagnostic> + Sync),
        keep: Option<&(dyn Fn(&str) -> bool + Sync)>,
    ) -> Result<Vec<String>, Vec<Diagnostic>> {
        let salt = render::key_of(self.config.as_deref().unwrap_or(""));
        // The theme's files are output paths too: with the same facts, the same paths.
        let statics: Vec<&str> = loaded.theme.static_paths().collect();
        let observed = self.cutoff.observe(
            &loaded.site,
            render::key_of(&(salt, loaded.theme.fingerprint, statics)),
        );
        // A render that fails leaves nothing known.
        let last = std::mem::take(&mut self.cutoff);
        let known = last.known(&observed);
        let same_paths = known.as_ref().is_some_and(render::Known::facts_same);
        let sink = Sink {
            published: &self.published,
            files: &self.files,
            fresh: Mutex::new(Vec::new()),
            again: Mutex::new(Vec::with_capacity(if same_paths {
                0
            } else {
                self.published.len()
            })),
            every: !same_paths,
            put,
            keep,
        };
        let known = known.as_ref().map(|k| k as &dyn render::Known);
        let pass = render::render_each(&loaded.site, &loaded.theme, salt, &sink, known)?;
        self.contexts = pass.contexts;
        self.keys = pass.keys;
        let mut last = last;
        last.update(observed, pass.deps, !same_paths, pass.base);
        self.cutoff = last;
        let (fresh, again) = sink.into_noted();
        // With the same facts the paths are the same: none is gone.
        let gone = if same_paths {
            Vec::new()
        } else {
            // Every file of the last render that was not offered again is gone. The paths
            // offered again are the map's own keys, told apart by where they are.
            let offered: FxHashSet<*const u8> = again.iter().map(|p| p.as_ptr()).collect();
            let mut gone: Vec<String> = (self.published.keys())
                .filter(|p| !offered.contains(&p.as_ptr()))
                .cloned()
                .collect();
            gone.sort_unstable();
            gone
        };
        for path in &gone {
            self.published.remove(path);
        }
        self.published.extend(fresh);
        Ok(gone)
    }

    /// How many articles the last anchor plan fingerprinted: every article, or those whose
    /// prints were not kept (in memory, or in the cache).
    pub fn articles_fingerprinted(&self) -> usize {
        self.anchor_memo.fingerprinted()
    }

    /// How many articles the last anchor plan followed anew along the anchor record: every
    /// article, or those whose decision was not kept (in memory, or in the cache).
    pub fn articles_followed(&self) -> usize {
        self.anchor_memo.followed()
    }

    /// How many vanished addresses of the anchor record the last plan decided anew: every
    /// one, or those whose decision was not kept (in memory, or in the cache).
    pub fn vanished_decided(&self) -> usize {
        self.anchor_memo.decided()
    }

    /// How the last run assembled the default language's site.
    pub fn assembled(&self) -> site::memo::How {
        self.assembly
            .first()
            .map_or_else(Default::default, |m| m.how)
    }

    /// How many Markdown bodies of the default language's pages the last load rendered (the
    /// others were kept); translations are not counted.
    pub fn bodies_rendered(&self) -> usize {
        self.bodies_rendered
    }

    /// How many pages of the default language's site the last link check checked.
    pub fn pages_link_checked(&self) -> usize {
        self.links.checked
    }

    /// How many articles the last search index counted: every article, or those whose counts
    /// were not kept (in memory, or in the cache).
    pub fn articles_counted(&self) -> usize {
        self.indexer.counted()
    }

    /// How many of the search index's article buckets the last build deflated: those the
    /// engine held neither deflated (read back from the cache by a build that does not start
    /// from its last output) nor in their files.
    pub fn buckets_deflated(&self) -> usize {
        self.indexer.deflated()
    }

    /// The errors of a build that read a body's HTML or a value from cache files that changed
    /// under it (they read as empty, or as the default): its output must not be published. A
    /// part that failed is kept by what read it. Each such file is removed from the cache, so
    /// that the next build leaves it out.
    pub fn cache_changed(&self) -> Vec<Diagnostic> {
        let parts = self.written.parts.iter().flat_map(cache::Parts::held);
        let mut failed: Vec<PathBuf> = (parts.filter(|p| p.failed()))
            .map(|p| p.path().to_path_buf())
            .collect();
        failed.sort_unstable();
        failed.dedup();
        for file in &failed {
            cache::forget(file);
        }
        failed.iter().map(|f| cache::damaged(f)).collect()
    }

    /// How many pages (with Markdown copies) the last render built the context of: every page
    /// of the site at first, then the edited ones and those that show what changed of them.
    pub fn contexts_built(&self) -> usize {
        self.contexts
    }

    /// How many dependency keys the last render computed: with the same facts, none but those
    /// of files the render before did not make; else every file's but the Markdown copies'
    /// that read none of the few pages whose facts changed.
    pub fn dependency_keys_computed(&self) -> usize {
        self.keys
    }

    /// How many times the engine walked the content folder: a run told what changed walks
    /// only when the changes do not say for sure what the walk would find.
    pub fn walks(&self) -> usize {
        self.files.walks()
    }

    /// [`Engine::render`], collecting the files it hands on.
    pub fn render_all(
        &mut self,
        loaded: &Loaded,
    ) -> Result<(Vec<OutFile>, Vec<String>), Vec<Diagnostic>> {
        let files = Mutex::new(Vec::new());
        let gone = self.render(loaded, &|f| {
            files
                .lock()
                .expect("no panic while holding the lock")
                .push(f);
            Ok(())
        })?;
        Ok((
            files.into_inner().expect("no panic while holding the lock"),
            gone,
        ))
    }
}

impl Engine {
    /// Gives the anchor plan the prints read back from the cache of each file whose memo was
    /// kept as read back: its text hashes the same as the one they were made from, and so do
    /// its snippets' expansion, its frontmatter and its body, which it still holds.
    fn restore_prints(&mut self) {
        if let Some(went) = self.went.take() {
            self.anchor_memo.restore_went(went);
        }
        for (source, saved) in std::mem::take(&mut self.prints) {
            if let Some(m) = self.memos.get(&source)
                && !m.fresh()
                && let Some((md, fm, text)) = m.shown()
            {
                let (md, fm, text) = (md.clone(), fm.clone(), text.clone());
                self.anchor_memo.restore(source, saved, md, fm, text);
            }
        }
    }

    /// The translations whose source is a page of this build. A translation of a file that
    /// does not exist is an error; one of a draft, or of a file with errors, is left out.
    fn own_sources(
        &self,
        found: Vec<languages::Found>,
        listed: &[PageFile],
        unavailable: &HashMap<SourcePath, &'static str>,
        diags: &mut Diagnostics,
    ) -> Vec<languages::Found> {
        if found.is_empty() {
            return found;
        }
        let mut kept = Vec::with_capacity(found.len());
        let by_source: HashMap<&SourcePath, &PageFile> =
            listed.iter().map(|p| (&p.source, p)).collect();
        for mut f in found {
            if let Some(src) = by_source.get(&f.source) {
                f.page.fm = Arc::new(languages::inherit(&f.page.fm, &src.fm));
                kept.push(f);
            } else if !unavailable.contains_key(&f.source) {
                let name = f.source.file_name().to_string();
                diags.push(
                    Diagnostic::error(
                        "translation-orphan",
                        format!("this translation's source {} does not exist", f.source),
                    )
                    .in_file(&f.page.abs)
                    .with_hint(format!(
                        "a translation sits beside its source: rename the file, or add {name}"
                    )),
                );
            }
        }
        kept
    }

    /// The library of the snippet files, from their texts as read; problems go to `diags`.
    fn snippets(
        &self,
        files: &[discover::SourceFile],
        read: Vec<inputs::Text>,
        diags: &mut Diagnostics,
    ) -> Library {
        let mut found = Vec::with_capacity(files.len());
        for (f, text) in files.iter().zip(read) {
            match text {
                Ok(text) => found.push(Snippet {
                    source: f.path.clone(),
                    abs: f.abs.clone(),
                    text,
                }),
                Err(ds) => diags.extend(ds),
            }
        }
        let (library, problems) = Library::new(found);
        diags.extend(problems);
        library
    }
}

/// Hands on what changed and notes the new key of each file it takes; when `every`, also
/// which files of the last render were offered again, so that the others are known gone.
struct Sink<'a> {
    published: &'a FxHashMap<String, u64>,
    files: &'a Files,
    /// The files taken, with their keys.
    fresh: Mutex<Vec<(String, u64)>>,
    /// When `every`: the paths of the last render's files offered again, as the keys of
    /// `published` (not copied).
    again: Mutex<Vec<&'a str>>,
    every: bool,
    put: &'a (dyn Fn(OutFile) -> Result<(), Diagnostic> + Sync),
    /// `None`: the consumer keeps every file it took.
    keep: Option<&'a (dyn Fn(&str) -> bool + Sync)>,
}

impl render::Sink for Sink<'_> {
    fn wants(&self, path: &str, key: u64) -> bool {
        if let Some((path, &last)) = self.published.get_key_value(path) {
            self.offered_again(path);
            if last == key && self.keeps(path) {
                return false;
            }
        }
        lock(&self.fresh).push((path.to_string(), key));
        true
    }

    fn put(&self, file: OutFile, _key: u64) -> Result<(), Diagnostic> {
        (self.put)(file)
    }

    fn copy_key(&self, from: &Path) -> u64 {
        // The version alone: whether it could be trusted yet does not change the file.
        render::key_of(&self.files.version(from).0)
    }

    fn kept(&self, path: &str) -> bool {
        let Some((path, _)) = self.published.get_key_value(path) else {
            return false;
        };
        if !self.keeps(path) {
            return false;
        }
        self.offered_again(path);
        true
    }

    fn keeps_all(&self) -> bool {
        // Telling the files gone needs every file asked for.
        self.keep.is_none() && !self.every
    }
}

impl<'a> Sink<'a> {
    fn keeps(&self, path: &str) -> bool {
        self.keep.is_none_or(|keep| keep(path))
    }

    /// Notes, when `every`, that the last render's file at `path` (a key of `published`) is
    /// still a file.
    fn offered_again(&self, path: &'a str) {
        if self.every {
            lock(&self.again).push(path);
        }
    }

    /// The files taken with their keys, and the last render's files kept.
    fn into_noted(self) -> (Vec<(String, u64)>, Vec<&'a str>) {
        let fresh = self.fresh.into_inner();
        let again = self.again.into_inner();
        (
            fresh.expect("no panic while holding the lock"),
            again.expect("no panic while holding the lock"),
        )
    }
}

/// The value behind `m`, which no thread panicked while holding.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().expect("no panic while holding the lock")
}
