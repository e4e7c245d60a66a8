//! Translations: the pages of every language besides the default one.
//!
//! A translation is a Markdown file beside its source with the language's tag before `.md`
//! (`reset-password.de.md`, `_index.de.md`). It is an input like any other: read, parsed and
//! rendered through the same [`Memo`] as every file. Its page takes the source's place in the
//! content folder (so its links resolve as the source's do), lives under `<tag>/`, and
//! inherits the source's `slug`, `intercom_id`, `order` and `tags` unless it sets its own.
//! A language's links lead to its own pages, and to the default language's page where there
//! is no translation. A collection or home page without a translation shows the default
//! language's text in the language's site, so its articles still have a place.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::inputs::{Files, ReadError};
use super::pages::{Memo, RenderCtx};
use crate::config::{Config, languages::Language};
use crate::diagnostics::{Diagnostic, Locator};
use crate::frontmatter::Frontmatter;
use crate::markdown::{Rendered, links::PageTable};
use crate::paths::{SourcePath, UrlPath};
use crate::site::langs::{Alternates, Lang};
use crate::site::{Page, PageFile, is_index};

/// The language (index into `Config::languages`) and the source's path of a translation.
pub fn translation_of(path: &SourcePath, langs: &[Language]) -> Option<(usize, SourcePath)> {
    if langs.is_empty() {
        return None;
    }
    let stem = path.file_name().strip_suffix(".md")?;
    let (name, tag) = stem.rsplit_once('.')?;
    let l = langs.iter().position(|l| l.tag == tag)?;
    let dir = path.dir();
    let source = if dir.is_empty() {
        format!("{name}.md")
    } else {
        format!("{dir}/{name}.md")
    };
    Some((l, SourcePath::from_relative(std::path::Path::new(&source))))
}

/// Problems with the names of the content's files and folders: a file named like a
/// translation into a language `book.toml` does not list (`reset.fr.md` beside `reset.md`),
/// and a page of the default language in a folder a language lives in (`de/`).
pub fn name_problems(
    config: &Config,
    files: &[crate::discover::SourceFile],
    urls: &[(&PageFile, &UrlPath)],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Made at the first name that looks like a translation's: most sites have none.
    let mut paths: Option<rustc_hash::FxHashSet<&str>> = None;
    for f in files {
        let Some(stem) = f.path.file_name().strip_suffix(".md") else {
            continue;
        };
        let Some((name, tag)) = stem.rsplit_once('.') else {
            continue;
        };
        let source = match f.path.dir() {
            "" => format!("{name}.md"),
            dir => format!("{dir}/{name}.md"),
        };
        let listed = tag.eq_ignore_ascii_case(&config.language)
            || config.languages.iter().any(|l| l.tag == tag);
        if listed {
            continue;
        }
        let paths = paths.get_or_insert_with(|| files.iter().map(|f| f.path.as_str()).collect());
        if !paths.contains(source.as_str()) {
            continue;
        }
        if crate::config::languages::tag_problem(tag).is_none() {
            out.push(
                Diagnostic::warning(
                    "translation-unlisted",
                    format!("this file is named like a `{tag}` translation of {source}, but book.toml lists no such language"),
                )
                .in_file(&f.abs)
                .with_hint(format!("add `[languages.{tag}]` to book.toml, or rename the file")),
            );
        }
    }
    for (p, url) in urls {
        if let Some(l) = config
            .languages
            .iter()
            .find(|l| url.as_str().starts_with(&format!("{}/", l.folder)))
        {
            out.push(
                Diagnostic::error(
                    "language-folder",
                    format!(
                        "this page would be written to `{url}`, in the folder of the `{}` pages",
                        l.tag
                    ),
                )
                .in_file(&p.abs)
                .with_hint(format!(
                    "rename the content folder `{}`, or give the page another `slug`",
                    url.as_str().split('/').next().unwrap_or("")
                )),
            );
        }
    }
    out
}

/// A translation's frontmatter with what it inherits from its source's.
pub fn inherit(own: &Frontmatter, source: &Frontmatter) -> Frontmatter {
    let mut fm = own.clone();
    fm.slug = fm.slug.or_else(|| source.slug.clone());
    fm.intercom_id = fm.intercom_id.or(source.intercom_id);
    fm.order = fm.order.or(source.order);
    if fm.tags.is_empty() {
        fm.tags = source.tags.clone();
    }
    fm
}

/// The default language's pages, as the languages' pages build on them.
pub struct Defaults<'a> {
    pub listed: &'a [PageFile],
    /// Their rendered bodies, whose ids translations take.
    pub bodies: &'a [Arc<Rendered>],
    pub urls: &'a [UrlPath],
    pub titles: &'a [String],
}

/// A translation file found among the Markdown files, parsed.
pub struct Found {
    /// Index into the engine's Markdown files (and their memos).
    pub file: usize,
    pub lang: usize,
    pub source: SourcePath,
    pub page: PageFile,
    pub title: String,
}

/// The pages of one language, rendered, with the table its links resolved against.
pub struct LangPages {
    pub config: Config,
    pub pages: Vec<Page>,
    pub table: std::sync::Arc<PageTable>,
}

/// What the languages are rendered with.
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub files: &'a Files,
    pub prose: bool,
}

/// Every language's pages: URLs under `<tag>/`, bodies rendered against the language's own
/// table. `memos` are the engine's memos of its Markdown files; `fallbacks` keeps the
/// memos of the default-language indexes shown in a language, by language and source.
pub fn pages(
    found: Vec<Found>,
    defaults: &Defaults<'_>,
    memos: &mut [Result<Memo, ReadError>],
    fallbacks: &mut HashMap<(usize, SourcePath), Memo>,
    inputs: &Inputs<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<LangPages> {
    let config = inputs.config;
    let mut by_lang: Vec<Vec<Found>> = config.languages.iter().map(|_| Vec::new()).collect();
    for f in found {
        by_lang[f.lang].push(f);
    }
    let mut old = std::mem::take(fallbacks);
    // Where each default-language page is, by its file.
    let index: HashMap<&SourcePath, usize> = defaults
        .listed
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.source, i))
        .collect();
    let mut out = Vec::with_capacity(by_lang.len());
    for (l, found) in by_lang.into_iter().enumerate() {
        let lang = &config.languages[l];
        // Indexes without a translation, in the default language's words.
        let translated: HashSet<SourcePath> = found.iter().map(|f| f.source.clone()).collect();
        let mut listed: Vec<(Option<usize>, PageFile, String)> = Vec::new();
        for ((p, _), title) in defaults
            .listed
            .iter()
            .zip(defaults.urls)
            .zip(defaults.titles)
        {
            if is_index(&p.source) && !translated.contains(&p.source) {
                let text = p.text.clone();
                let key = (l, p.source.clone());
                let memo = Memo::new(old.remove(&key), &p.abs, text);
                fallbacks.insert(key, memo);
                listed.push((None, p.clone(), title.clone()));
            }
        }
        listed.extend(found.into_iter().map(|f| (Some(f.file), f.page, f.title)));
        listed.sort_by(|a, b| a.1.source.cmp(&b.1.source));
        let files: Vec<PageFile> = listed.iter().map(|(_, p, _)| p.clone()).collect();
        let (urls, problems) = crate::site::urls::assign(&files);
        diags.extend(problems);
        let urls: Vec<UrlPath> = urls
            .into_iter()
            .map(|u| UrlPath::new(format!("{}/{u}", lang.folder)))
            .collect();
        let table = table_of(defaults, &listed, &urls);
        let wanted: HashSet<usize> = listed.iter().filter_map(|(f, _, _)| *f).collect();
        let ctx = RenderCtx {
            titles: table.titles_fingerprint(),
            table: &table,
            same_table: false,
            files: inputs.files,
            prose: inputs.prose,
            rendered: Default::default(),
        };
        let mut own: HashMap<usize, &mut Memo> = memos
            .iter_mut()
            .enumerate()
            .filter_map(|(i, m)| Some((i, m.as_mut().ok()?)))
            .filter(|(i, _)| wanted.contains(i))
            .collect();
        let mut jobs: Vec<(&mut Memo, &PageFile, &UrlPath)> = Vec::with_capacity(listed.len());
        let mut shown = fallbacks
            .iter_mut()
            .filter(|((k, _), _)| *k == l)
            .map(|((_, s), m)| (s.clone(), m))
            .collect::<HashMap<_, _>>();
        for ((file, p, _), url) in listed.iter().zip(&urls) {
            let memo = match file {
                Some(i) => own.remove(i),
                None => shown.remove(&p.source),
            };
            if let Some(memo) = memo {
                jobs.push((memo, p, url));
            }
        }
        let bodies: Vec<_> = jobs
            .into_par_iter()
            .map(|(memo, p, url)| memo.body(p, url, &ctx))
            .collect();
        let mut pages = Vec::with_capacity(listed.len());
        for (((file, f, _), url), md) in listed.into_iter().zip(urls).zip(bodies) {
            let md = match (file, index.get(&f.source)) {
                (Some(_), Some(&j)) => super::align::align(&defaults.bodies[j], md),
                _ => md,
            };
            if file.is_some() {
                diags.extend(md.diagnostics.iter().cloned());
                if inputs.prose {
                    diags.extend(untranslated_links(&f, &md, &index, &table, lang));
                }
            }
            pages.push(Page::new(f, url, md));
        }
        let mut lconfig = config.clone();
        lconfig.language = lang.tag.clone();
        if !lang.title.is_empty() {
            lconfig.title = lang.title.clone();
        }
        if !lang.description.is_empty() {
            lconfig.description = lang.description.clone();
        }
        out.push(LangPages {
            config: lconfig,
            pages,
            table: std::sync::Arc::new(table),
        });
    }
    out
}

/// The table a language's links resolve against: its own pages, and the default language's
/// pages it has no translation of.
fn table_of(
    defaults: &Defaults<'_>,
    listed: &[(Option<usize>, PageFile, String)],
    urls: &[UrlPath],
) -> PageTable {
    let mut table = PageTable::default();
    let own: HashSet<&SourcePath> = listed.iter().map(|(_, p, _)| &p.source).collect();
    for ((p, url), title) in defaults
        .listed
        .iter()
        .zip(defaults.urls)
        .zip(defaults.titles)
    {
        if !own.contains(&p.source) {
            table.insert(p.source.clone(), url.clone(), title);
        }
    }
    for ((_, p, title), url) in listed.iter().zip(urls) {
        table.insert(p.source.clone(), url.clone(), title);
    }
    table
}

/// A warning for every link of a translation that leads to a page without a translation.
fn untranslated_links(
    page: &PageFile,
    md: &crate::markdown::Rendered,
    defaults: &HashMap<&SourcePath, usize>,
    table: &PageTable,
    lang: &Language,
) -> Vec<Diagnostic> {
    let prefix = format!("{}/", lang.folder);
    let locate = Locator::new(&page.abs, &page.text);
    md.links
        .iter()
        .filter_map(|link| {
            let target = link.target.as_ref()?;
            let url = table.urls.get(target)?;
            if url.as_str().starts_with(&prefix) || !defaults.contains_key(target) {
                return None;
            }
            let d = Diagnostic::warning(
                "link-untranslated",
                format!("{target} has no {} translation", lang.tag),
            )
            .with_hint(format!(
                "readers of this page go to the page in the default language; translate it as {}",
                translated_name(target, &lang.tag)
            ));
            Some(d.located(&locate, link.span.start, link.span.len()))
        })
        .collect()
}

/// The last [`alternates`] with what it was made of besides its languages: each language's
/// pages (file and URL) in order.
#[derive(Default)]
pub struct AlternatesMemo {
    last: Option<(Vec<Placed>, Arc<Alternates>)>,
}

/// One language's pages, each by its file and URL, in order.
type Placed = Vec<(SourcePath, UrlPath)>;

impl AlternatesMemo {
    /// [`alternates`] of these pages: the last one, shared, when it was made of the same
    /// languages and the same pages at the same URLs in the same order.
    pub fn get(&mut self, config: &Config, pages: &[Page], langs: &[LangPages]) -> Arc<Alternates> {
        let of = std::iter::once(pages).chain(langs.iter().map(|l| l.pages.as_slice()));
        if let Some((was, alt)) = &self.last
            && alt.langs == langs_of(config)
            && was.len() == langs.len() + 1
            && was.iter().zip(of.clone()).all(|(was, pages)| {
                was.len() == pages.len()
                    && (was.iter().zip(pages)).all(|((s, u), p)| *s == p.source && *u == p.url)
            })
        {
            return alt.clone();
        }
        let alt = Arc::new(alternates(config, pages, langs));
        let was = of
            .map(|pages| {
                (pages.iter())
                    .map(|p| (p.source.clone(), p.url.clone()))
                    .collect()
            })
            .collect();
        self.last = Some((was, alt.clone()));
        alt
    }
}

/// The languages of `config`, the default one first.
fn langs_of(config: &Config) -> Vec<Lang> {
    std::iter::once(Lang {
        tag: config.language.clone(),
        root: String::new(),
    })
    .chain(config.languages.iter().map(|l| Lang {
        tag: l.tag.clone(),
        root: format!("{}/", l.folder),
    }))
    .collect()
}

/// Every language of the site and where each page is in each.
pub fn alternates(config: &Config, pages: &[Page], langs: &[LangPages]) -> Alternates {
    let mut alt = Alternates {
        langs: langs_of(config),
        pages: HashMap::new(),
    };
    for p in pages {
        alt.insert(&p.source, 0, p.url.clone());
    }
    for (l, lang) in langs.iter().enumerate() {
        for p in &lang.pages {
            alt.insert(&p.source, l + 1, p.url.clone());
        }
    }
    alt
}

/// `guide/reset.md` -> `guide/reset.de.md`.
pub fn translated_name(source: &SourcePath, tag: &str) -> String {
    let s = source.as_str();
    format!("{}.{tag}.md", s.strip_suffix(".md").unwrap_or(s))
}

/// The fingerprint of a source's text that its translations record in `source:`: the first
/// eight hex digits of the xxh3 hash of its body, with line endings made `\n` and the ends
/// trimmed, so neither a checkout's line endings nor its file dates change it.
pub fn fingerprint(text: &str, body_offset: usize) -> String {
    let body = text.get(body_offset..).unwrap_or("").replace("\r\n", "\n");
    let hash = xxhash_rust::xxh3::xxh3_64(body.trim().as_bytes());
    format!("{:08x}", hash >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Language {
        Language {
            tag: tag.into(),
            folder: tag.to_lowercase(),
            title: String::new(),
            description: String::new(),
            strings: Default::default(),
        }
    }

    #[test]
    fn translations_sit_beside_their_sources() {
        let langs = [lang("de"), lang("pt-BR")];
        let of = |p: &str| {
            translation_of(&SourcePath::from_relative(std::path::Path::new(p)), &langs)
                .map(|(l, s)| (l, s.to_string()))
        };
        assert_eq!(of("guide/reset.de.md"), Some((0, "guide/reset.md".into())));
        assert_eq!(of("_index.pt-BR.md"), Some((1, "_index.md".into())));
        assert_eq!(of("guide/reset.md"), None);
        assert_eq!(of("guide/v1.2.md"), None);
        assert_eq!(of("guide/reset.fr.md"), None);
    }
}
