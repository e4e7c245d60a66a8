//! stepbook: a static site generator for help centers.
//!
//! Writers keep Markdown articles with YAML frontmatter in `content/`; stepbook turns them into
//! a cross-linked help site where every step has its own link. The pipeline, one module per
//! stage, each taking the previous stage's output:
//!
//! ```text
//! config::Config::load      book.toml -> validated Config
//! discover::Listing         content/ -> source files (articles, collection indexes, assets)
//! frontmatter::parse        YAML block -> typed Frontmatter
//! snippets::expand          `::: include` lines -> the snippet's text, with a line map back
//! markdown::render          body -> HTML + headings, steps, ids, links (one adapter per concern)
//! engine::Engine            runs the stages below, again only for what changed
//! site::Site::new           all pages -> collections tree, order, previous/next
//! anchors::plan             anchors.lock + articles -> old fragments' new ids, moved pages
//! claims::check             every output path, written once and portable
//! linkcheck::check          every link and fragment -> diagnostics
//! render::render_each       Tera theme -> every output file, handed on as it is done
//! search::build             the search index: term shards and article buckets
//! output::Staging           files -> temporary folder -> swapped into place
//! ```
//!
//! `build`, `check` and `serve` run the one [`engine::Engine`]; `serve` keeps it between
//! rebuilds and serves, from memory, the files it hands on. Every problem is a
//! [`diagnostics::Diagnostic`]; a build reports them all at once and never panics on input.

pub mod anchors;
pub mod claims;
pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod engine;
pub mod frontmatter;
pub mod gitdates;
pub mod held;
pub mod init;
pub mod lazy;
pub mod linkcheck;
pub mod lint;
pub mod markdown;
pub mod new;
pub mod output;
pub mod paths;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod snippets;
pub mod stored;
pub mod suggest;
pub mod textfile;
pub mod translations;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use diagnostics::Diagnostics;
use engine::Engine;
use render::OutFile;
use site::Site;

/// What `stepbook build` was asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Folder holding `book.toml` and `content/`.
    pub root: PathBuf,
    /// Output folder; `[build] output-dir` when `None`.
    pub dest: Option<PathBuf>,
    pub drafts: bool,
    /// Fail, writing nothing, when the build would change the anchor record.
    pub locked: bool,
    /// Build from scratch: leave the cache of the last build unread (and write it anew).
    pub force: bool,
    /// The process ends right after the build (the command line): the site and the engine
    /// are left for the exit to reclaim, as a whole, instead of being freed piece by piece.
    /// Every file is written, closed and renamed, and the cache saved, before that.
    pub exits_after: bool,
}

/// What a finished build did.
#[derive(Debug)]
pub struct BuildReport {
    pub dest: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Files whose bytes had not changed since the previous build, kept as they were.
    pub unchanged: usize,
    /// Files rendered by this build; the others were kept from the previous build, their
    /// inputs unchanged ([`engine::cache`]).
    pub rendered: usize,
    /// Page contexts built (pages and their Markdown copies): every page's on a first build,
    /// else those of the edited pages and of the pages that show what changed of them
    /// ([`engine::cutoff`]).
    pub contexts: usize,
    /// Articles the anchor plan fingerprinted: every one, or those that changed since the
    /// prints the cache kept ([`anchors::Memo`]).
    pub fingerprinted: usize,
    /// Articles the anchor plan followed anew along the anchor record: every one, or those
    /// whose decision the cache did not keep.
    pub followed: usize,
    /// Vanished addresses of the anchor record the anchor plan decided anew: every one, or
    /// those whose decision was not kept.
    pub vanished_decided: usize,
    /// Articles the search index counted: every one, or those that changed since the counts
    /// the cache kept.
    pub counted: usize,
    /// Article buckets of the search index deflated: every one, or those neither kept in
    /// their files nor by the cache.
    pub deflated: usize,
    /// How the default language's site was assembled: anew, or from the assembly the cache
    /// kept ([`site::memo`]).
    pub assembled: site::memo::How,
    /// Pages whose links were checked: every one, or those whose problems may differ from
    /// the ones the cache kept ([`linkcheck::memo`]).
    pub link_checked: usize,
    pub elapsed: Duration,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// A rendered site, still in memory.
pub struct Built {
    pub config: Config,
    pub site: Site,
    pub theme: std::sync::Arc<render::Theme>,
    pub files: Vec<OutFile>,
    pub timings: Timings,
}

/// How long each stage of a build took.
#[derive(Debug, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
    last: Instant,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            stages: Vec::new(),
            last: Instant::now(),
        }
    }
}

impl Timings {
    /// Ends the stage `name`, which began when the previous one ended.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.last));
        self.last = now;
    }
}

impl Built {
    /// Pages rendered: articles, collections, home, 404 and the tag pages.
    pub fn pages(&self) -> usize {
        render::pages::page_count(&self.site)
    }
}

/// What [`prepare`] is asked to do beyond loading and rendering.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrepareOptions {
    pub drafts: bool,
    /// Add the warnings that only `check` gives.
    pub lint: bool,
    /// Leave the search index out even when it is enabled.
    pub skip_search: bool,
    /// An anchor record the build would change is an error.
    pub locked: bool,
}

/// Loads, checks and renders the whole site without writing anything.
pub fn prepare(root: &Path, opts: PrepareOptions) -> (Option<Built>, Diagnostics) {
    let mut engine = Engine::new(
        root,
        engine::Options {
            drafts: opts.drafts,
            lint: opts.lint,
            locked: opts.locked,
        },
    );
    let (loaded, mut diags) = engine.load();
    let Some(mut loaded) = loaded else {
        return (None, diags);
    };
    let mut files = match engine.render_all(&loaded) {
        Ok((files, _)) => files,
        Err(ds) => {
            diags.extend(ds);
            return (None, diags);
        }
    };
    let mut timings = std::mem::take(&mut loaded.timings);
    timings.lap("render pages");
    if !opts.skip_search && loaded.config.search {
        files.extend(search::build(&loaded.site));
        timings.lap("build the search index");
    }
    files.sort_unstable_by(|a, b| a.path().cmp(b.path()));
    let built = Built {
        config: loaded.config,
        site: loaded.site,
        theme: loaded.theme,
        files,
        timings,
    };
    (Some(built), diags)
}

/// What a running build reports, for a progress display. Every method may be called from
/// any thread.
pub trait Progress: Sync {
    /// A stage begins; it has `total` steps, or an unknown number when 0.
    fn stage(&self, _name: &'static str, _total: usize) {}
    /// `n` more steps of the current stage are done.
    fn advance(&self, _n: usize) {}
}

/// No progress display.
impl Progress for () {}

/// `stepbook build`: the whole site, or nothing at all when there is an error.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_with(opts, &())
}

/// [`build`], telling `progress` how it goes.
pub fn build_with(
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildReport, Diagnostics> {
    let start = Instant::now();
    let popts = engine::Options {
        drafts: opts.drafts,
        lint: false,
        locked: opts.locked,
    };
    progress.stage("reading", 0);
    let fail = |mut diags: Diagnostics, ds: Vec<diagnostics::Diagnostic>| {
        diags.extend(ds);
        diags.sort();
        Err(diags)
    };
    let (config, config_problems) = Config::load_reporting(&opts.root);
    let Some(config) = config else {
        return fail(Diagnostics::new(), config_problems);
    };
    let dest = opts
        .dest
        .clone()
        .map(|d| {
            if d.is_absolute() {
                d
            } else {
                opts.root.join(d)
            }
        })
        .unwrap_or(config.output_dir.clone());
    let dest = match output::resolve_destination(&dest) {
        Ok(d) => d,
        Err(d) => return fail(Diagnostics::new(), vec![d]),
    };
    // Walking the output folder and the spare is mostly waiting on the file system: it runs
    // beside reading the cache and the Markdown stage, and its outcome counts only once the
    // site loads cleanly.
    let (mut engine, (loaded, mut diags), (checked, check_took), cache_read) =
        std::thread::scope(|s| {
            let checking = s.spawn(|| {
                let start = Instant::now();
                let checked = output::check_destination(&dest, &config.content_dir, &config.root);
                (checked, start.elapsed())
            });
            let reading = Instant::now();
            let mut engine = if opts.force {
                Engine::new(&opts.root, popts)
            } else {
                Engine::from_cache(&opts.root, popts)
            };
            let cache_read = reading.elapsed();
            let loaded = engine.load_with(config.clone());
            let checked = checking
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (engine, loaded, checked, cache_read)
        });
    diags.extend(config_problems);
    diags.sort();
    let Some(mut loaded) = loaded.filter(|_| !diags.has_errors()) else {
        return Err(diags);
    };
    let mut timings = std::mem::take(&mut loaded.timings);
    timings.stages.insert(0, ("read the cache", cache_read));
    // Not a stage of its own: it ran beside the two above.
    timings.stages.insert(
        2.min(timings.stages.len()),
        ("check the output folder (beside the two above)", check_took),
    );
    let pages = render::pages::page_count(&loaded.site);
    let previous = match checked {
        Ok(p) => p,
        Err(d) => return fail(diags, vec![d]),
    };
    engine.adopt_output(&dest, previous.digest);
    let staging = match output::Staging::begin(&dest, previous) {
        Ok(s) => s,
        Err(d) => return fail(diags, vec![d]),
    };
    progress.stage("writing", render::file_count(&loaded.site, &loaded.theme));
    let rendered = std::sync::atomic::AtomicUsize::new(0);
    let put = |f: OutFile| {
        staging.put(&f)?;
        rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        progress.advance(1);
        Ok(())
    };
    let keep = |path: &str| {
        let kept = staging.reuse(path);
        if kept {
            progress.advance(1);
        }
        kept
    };
    if let Err(ds) = engine.render_keeping(&loaded, &put, &keep) {
        return fail(diags, ds);
    }
    let contexts = engine.contexts_built();
    let fingerprinted = engine.articles_fingerprinted();
    let followed = engine.articles_followed();
    let vanished_decided = engine.vanished_decided();
    timings.lap("render and write pages");
    if loaded.config.search {
        progress.stage("indexing", 0);
        if let Err(d) = engine.search(&loaded, &put, &keep) {
            return fail(diags, vec![d]);
        }
        timings.lap("build the search index");
    }
    let counted = engine.articles_counted();
    let deflated = engine.buckets_deflated();
    let (assembled, link_checked) = (engine.assembled(), engine.pages_link_checked());
    let site = loaded.site;
    let changed = engine.cache_changed();
    if !changed.is_empty() {
        return fail(diags, changed);
    }
    // The cache's files but the one that names them are written beside the swap: they need
    // neither the output nor the anchor record.
    let (stats, cache_files) = std::thread::scope(|s| {
        let saving = s.spawn(|| engine.save_cache_files());
        let stats = staging.commit();
        let files = saving
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (stats, files)
    });
    let stats = match stats {
        Ok(s) => s,
        Err(d) => return fail(diags, vec![d]),
    };
    timings.lap("swap in the output (and write the cache beside it)");
    // A preview with drafts publishes nothing for good: only a real build records anchors.
    if !opts.drafts {
        match write_record(&site.anchors, engine.record_renders()) {
            Ok(renders) => engine.note_record_renders(renders),
            Err(d) => return fail(diags, vec![d]),
        }
    }
    let saved = cache_files
        .and_then(|files| engine.save_cache_index(files, Some((dest.clone(), stats.digest))));
    if let Err(d) = saved {
        diags.extend([d]);
    }
    timings.lap("save the cache");
    // Freeing every page's text and outline is a noticeable share of a large build: a
    // process about to exit leaves it to the exit; a longer one frees them beside the report.
    if opts.exits_after {
        std::mem::forget((site, engine));
    } else {
        std::thread::spawn(move || drop((site, engine)));
    }
    Ok(BuildReport {
        timings,
        dest,
        pages,
        files: stats.files,
        unchanged: stats.unchanged,
        rendered: rendered.into_inner(),
        contexts,
        fingerprinted,
        followed,
        vanished_decided,
        counted,
        deflated,
        assembled,
        link_checked,
        elapsed: start.elapsed(),
        diagnostics: diags,
    })
}

/// Writes the anchor record when the build changed it, through a temporary file, so a
/// killed build never leaves half a record. Returns the hash of the text read when that text
/// is the very text of the record it reads as, which this build leaves: `renders` is such a
/// hash, known from an earlier build (the build cache's), so that a text of that hash is not
/// compared again.
fn write_record(
    plan: &anchors::Plan,
    renders: Option<u64>,
) -> Result<Option<u64>, diagnostics::Diagnostic> {
    // Only the text's record left as read reads back to the text read.
    let read = (plan.read.as_ref())
        .filter(|_| plan.keeps_read())
        .map(|t| xxhash_rust::xxh3::xxh3_64(t.as_bytes()));
    if read.is_some() && read == renders {
        return Ok(read);
    }
    if !plan.changed() {
        return Ok(read);
    }
    let tmp = plan.path.with_file_name(format!(
        ".{}.tmp-{}",
        anchors::record::FILE,
        std::process::id()
    ));
    let written =
        std::fs::write(&tmp, plan.text()).and_then(|()| std::fs::rename(&tmp, &plan.path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        diagnostics::Diagnostic::error("anchors-record", format!("cannot write it: {e}"))
            .in_file(&plan.path)
    })?;
    Ok(None)
}

/// `stepbook check`: every error and warning, nothing written.
pub fn check(root: &Path, drafts: bool) -> Diagnostics {
    check_with(root, drafts, false)
}

/// [`check`]; with `locked`, an anchor record that a build would change is an error.
pub fn check_with(root: &Path, drafts: bool, locked: bool) -> Diagnostics {
    let opts = PrepareOptions {
        drafts,
        lint: true,
        skip_search: true,
        locked,
    };
    let (_, mut diags) = prepare(root, opts);
    diags.sort();
    diags
}

/// Turns transparent huge pages on or off for this process and the processes it starts
/// (Linux; elsewhere nothing changes).
pub fn huge_pages(on: bool) {
    #[cfg(target_os = "linux")]
    // SAFETY: `prctl(PR_SET_THP_DISABLE)` takes no pointers; its variadic arguments are
    // `unsigned long`, as the kernel reads them. A failure leaves the setting as it was, which
    // is harmless.
    unsafe {
        libc::prctl(
            libc::PR_SET_THP_DISABLE,
            libc::c_ulong::from(!on),
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
    }
    #[cfg(not(target_os = "linux"))]
    let _ = on;
}
