//! stepbook: a static site generator for help centers.
//!
//! Writers keep Markdown articles with YAML frontmatter in `content/`; stepbook turns them into
//! a cross-linked help site where every step has its own link. The pipeline, one module per
//! stage, each taking the previous stage's output:
//!
//! ```text
//! config::Config::load      book.toml -> validated Config
//! discover::discover        content/ -> source files (articles, collection indexes, assets)
//! frontmatter::parse        YAML block -> typed Frontmatter
//! markdown::render          body -> HTML + headings, steps, ids, links (one adapter per concern)
//! site::Site::load          all pages -> collections tree, order, previous/next
//! linkcheck::check          every link and fragment -> diagnostics
//! render::render_each       Tera theme -> every output file, handed on as it is done
//! search::build             the search index: term shards and article buckets
//! output::Staging           files -> temporary folder -> swapped into place
//! ```
//!
//! `serve` runs the same pipeline and serves the output folder. Every problem is a
//! [`diagnostics::Diagnostic`]; a build reports them all at once and never panics on input.

pub mod config;
pub mod diagnostics;
pub mod discover;
pub mod frontmatter;
pub mod gitdates;
pub mod init;
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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use config::Config;
use diagnostics::Diagnostics;
use rayon::prelude::*;
use render::OutFile;
use site::{LoadOptions, Site};

/// What `stepbook build` was asked for.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Folder holding `book.toml` and `content/`.
    pub root: PathBuf,
    /// Output folder; `[build] output-dir` when `None`.
    pub dest: Option<PathBuf>,
    pub drafts: bool,
}

/// What a finished build did.
#[derive(Debug)]
pub struct BuildReport {
    pub dest: PathBuf,
    pub pages: usize,
    pub files: usize,
    /// Files whose bytes had not changed since the previous build, kept as they were.
    pub unchanged: usize,
    pub elapsed: Duration,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// A rendered site, still in memory.
pub struct Built {
    pub config: Config,
    pub site: Site,
    pub theme: render::Theme,
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
    /// Leave the search index out even when it is enabled (the dev server builds it after
    /// the pages, so the pages reach the browser sooner).
    pub skip_search: bool,
}

/// A site loaded, checked and ready to render.
pub struct Loaded {
    pub config: Config,
    pub site: Site,
    pub theme: render::Theme,
    pub timings: Timings,
}

/// Loads and checks the site and compiles its theme; renders nothing. `cache` carries
/// rendered Markdown between calls. The site is `None` when it could not be loaded at all;
/// the diagnostics may hold errors either way.
pub fn load(
    root: &Path,
    opts: PrepareOptions,
    cache: &mut site::RenderCache,
) -> (Option<Loaded>, Diagnostics) {
    match Config::load(root) {
        Ok(config) => load_with(config, opts, cache),
        Err(ds) => {
            let mut diags = Diagnostics::new();
            diags.extend(ds);
            (None, diags)
        }
    }
}

/// [`load`], with the configuration already read.
fn load_with(
    config: Config,
    opts: PrepareOptions,
    cache: &mut site::RenderCache,
) -> (Option<Loaded>, Diagnostics) {
    let mut diags = Diagnostics::new();
    diags.extend(config.warnings.iter().cloned());
    let mut timings = Timings::default();
    let (site, ds) = Site::load_cached(
        &config,
        LoadOptions {
            drafts: opts.drafts,
            lint: opts.lint,
        },
        cache,
    );
    timings.lap("read and render Markdown");
    diags.extend(ds);
    let Some(site) = site else {
        return (None, diags);
    };
    diags.extend(linkcheck::check(&site));
    timings.lap("check links");
    if opts.lint {
        diags.extend(lint::lint(&site));
    }
    match render::Theme::load(&config.theme_dir()) {
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

/// Loads, checks and renders the site without writing anything. `cache` carries rendered
/// Markdown between calls.
pub fn prepare(
    root: &Path,
    opts: PrepareOptions,
    cache: &mut site::RenderCache,
) -> (Option<Built>, Diagnostics) {
    let (loaded, mut diags) = load(root, opts, cache);
    let Some(Loaded {
        config,
        site,
        theme,
        mut timings,
    }) = loaded
    else {
        return (None, diags);
    };
    match render::render_site(&site, &theme, false) {
        Ok(mut files) => {
            timings.lap("render pages");
            if !opts.skip_search && config.search {
                files.extend(search::build(&site));
                timings.lap("build the search index");
            }
            let built = Built {
                config,
                site,
                theme,
                files,
                timings,
            };
            (Some(built), diags)
        }
        Err(ds) => {
            diags.extend(ds);
            (None, diags)
        }
    }
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
    let popts = PrepareOptions {
        drafts: opts.drafts,
        ..Default::default()
    };
    progress.stage("reading", 0);
    let fail = |mut diags: Diagnostics, ds: Vec<diagnostics::Diagnostic>| {
        diags.extend(ds);
        diags.sort();
        Err(diags)
    };
    let config = match Config::load(&opts.root) {
        Ok(c) => c,
        Err(ds) => return fail(Diagnostics::new(), ds),
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
    // Walking the output folder and the spare is mostly waiting on the file system: it runs
    // beside the Markdown stage, and its outcome counts only once the site loads cleanly.
    let ((loaded, mut diags), checked) = std::thread::scope(|s| {
        let checking =
            s.spawn(|| output::check_destination(&dest, &config.content_dir, &config.root));
        let loaded = load_with(config.clone(), popts, &mut site::RenderCache::none());
        let checked = checking
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, checked)
    });
    diags.sort();
    let Some(Loaded {
        config,
        mut site,
        theme,
        mut timings,
    }) = loaded.filter(|_| !diags.has_errors())
    else {
        return Err(diags);
    };
    let pages = render::pages::page_count(&site);
    let previous = match checked {
        Ok(p) => p,
        Err(d) => return fail(diags, vec![d]),
    };
    let staging = match output::Staging::begin(&dest, previous) {
        Ok(s) => s,
        Err(d) => return fail(diags, vec![d]),
    };
    progress.stage("writing", render::file_count(&site, &theme));
    let put = |f: OutFile| {
        staging.put(&f)?;
        progress.advance(1);
        Ok(())
    };
    if let Err(ds) = render::render_each(&site, &theme, &put) {
        return fail(diags, ds);
    }
    timings.lap("render and write pages");
    // The pages are written; their HTML need not stay in memory while the index is built.
    for a in &mut site.articles {
        a.page.md.html = String::new();
    }
    if config.search {
        progress.stage("indexing", 0);
        let index = search::build(&site);
        if let Err(d) = index.par_iter().try_for_each(|f| staging.put(f)) {
            return fail(diags, vec![d]);
        }
        timings.lap("build the search index");
    }
    let stats = match staging.commit() {
        Ok(s) => s,
        Err(d) => return fail(diags, vec![d]),
    };
    timings.lap("swap in the output");
    // Freeing every page's text and outline is a noticeable serial share of a large build;
    // it need not hold up the report, and a process that exits first skips it.
    std::thread::spawn(move || drop(site));
    Ok(BuildReport {
        timings,
        dest,
        pages,
        files: stats.files,
        unchanged: stats.unchanged,
        elapsed: start.elapsed(),
        diagnostics: diags,
    })
}

/// `stepbook check`: every error and warning, nothing written.
pub fn check(root: &Path, drafts: bool) -> Diagnostics {
    let opts = PrepareOptions {
        drafts,
        lint: true,
        skip_search: true,
    };
    let (_, mut diags) = prepare(root, opts, &mut site::RenderCache::none());
    diags.sort();
    diags
}
