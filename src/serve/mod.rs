//! `stepbook serve`: build into memory, serve on loopback, rebuild on change, reload pages.
//!
//! The site is served from memory ([`http::SiteFiles`]): exactly the files a build would
//! write, swapped in whole once a rebuild is complete, so a page never sees a half-built
//! site or a 404 while a rebuild runs, and the last good site stays served while there are
//! errors. [`watch`] turns file changes into batches; [`reload`] tells open pages which pages
//! changed. Rendered Markdown is cached between rebuilds, and the search index is rebuilt in
//! the background once the saves pause, so an edit reaches the browser first. Server state is
//! the [`State`] owned here; no globals.

pub mod http;
pub mod incremental;
pub mod reload;
mod server;
pub mod watch;

pub use server::Server;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::{OutFile, Theme};
use crate::site::RenderCache;
use crate::{Built, PrepareOptions, prepare};
use http::SiteFiles;
use reload::Broadcaster;

/// What `stepbook serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub host: IpAddr,
    /// `[serve] port` when `None`.
    pub port: Option<u16>,
    pub open: bool,
    pub drafts: bool,
    /// Worker threads answering requests.
    pub threads: usize,
}

/// Everything the server threads share.
pub struct State {
    site: RwLock<Arc<SiteFiles>>,
    build: AtomicU64,
    /// Tells one run of the server from the next.
    run: u64,
    /// The current build's problems as JSON, shown to pages that connect while they last.
    problems: Mutex<Option<String>>,
    pub events: Broadcaster,
}

impl State {
    fn new() -> State {
        State {
            site: RwLock::new(Arc::new(SiteFiles::default())),
            build: AtomicU64::new(1),
            run: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            problems: Mutex::new(None),
            events: Broadcaster::default(),
        }
    }

    /// This server's run and build: a page served by another run or build is stale.
    fn build_id(&self) -> String {
        format!("{}-{}", self.run, self.build.load(Ordering::SeqCst))
    }

    fn site(&self) -> Arc<SiteFiles> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Serves `files` as the whole site, a new build.
    fn swap(&self, files: SiteFiles) {
        let old = std::mem::replace(
            &mut *self.site.write().unwrap_or_else(|e| e.into_inner()),
            Arc::new(files),
        );
        // The old site (maybe 10,000 pages) is freed after the lock is released.
        drop(old);
        self.next_build();
    }

    /// Changes the site in place: no copy of the whole table, unless a request that is being
    /// answered still holds the site it started with.
    fn edit(&self, f: impl FnOnce(&mut SiteFiles)) {
        let mut site = self.site.write().unwrap_or_else(|e| e.into_inner());
        f(Arc::make_mut(&mut site));
    }

    fn next_build(&self) {
        self.build.fetch_add(1, Ordering::SeqCst);
        self.events.send("build", &self.build_id());
    }

    fn set_problems(&self, p: Option<String>) {
        *self.problems.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }
}

/// Runs `stepbook serve` until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<(), Diagnostics> {
    let root = opts.root.clone();
    let mut session = Session::new(root.clone(), opts.drafts);
    let config = crate::config::Config::load(&root).map_err(|ds| {
        let mut all = Diagnostics::new();
        all.extend(ds);
        all
    })?;
    let port = opts.port.unwrap_or(config.port);
    let server = Server::bind(opts.host, port).map_err(|d| {
        let mut all = Diagnostics::new();
        all.push(d);
        all
    })?;
    let state = server.state.clone();
    // Watch before the first build: a change saved while it runs is picked up after it.
    let watched = vec![config.content_dir.clone(), config.root.join("themes")];
    let ignore = vec![config.output_dir.clone()];
    let watch = watch::Watch::start(&root, &watched, ignore).map_err(|e| {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error(
            "serve-watch",
            format!("cannot watch the site for changes: {e}"),
        ));
        all
    })?;
    session.rebuild(&state, &[]);
    server.spawn_workers(opts.threads).map_err(|e| {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error(
            "serve-start",
            format!("cannot serve: {e}"),
        ));
        all
    })?;
    let url = format!("http://{}/", server.addr);
    eprintln!("serving {} at {url} (Ctrl+C to stop)", root.display());
    if opts.open {
        open_browser(&url);
    }
    loop {
        // Once the saves pause, the search index catches up.
        let batch = if session.search_due.is_some() {
            match watch.next_batch_within(SEARCH_QUIET) {
                None => break,
                Some(None) => {
                    session.start_search(&state);
                    continue;
                }
                Some(Some(batch)) => batch,
            }
        } else {
            match watch.next_batch() {
                None => break,
                Some(batch) => batch,
            }
        };
        session.rebuild(&state, &batch);
    }
    Ok(())
}

/// What the dev server keeps between rebuilds.
pub struct Session {
    pub root: PathBuf,
    pub drafts: bool,
    pub cache: RenderCache,
    /// The last good build.
    pub last: Option<Built>,
    /// Files changed since the last good build: a failed rebuild leaves `last` as it was, so
    /// they are read again with the next change, whichever file that is.
    failed: Vec<PathBuf>,
    search: Option<Sender<SearchJob>>,
    /// When the rebuild started whose search index is still to be built.
    search_due: Option<Instant>,
}

impl Session {
    pub fn new(root: PathBuf, drafts: bool) -> Session {
        Session {
            root,
            drafts,
            cache: RenderCache::default(),
            last: None,
            failed: Vec::new(),
            search: None,
            search_due: None,
        }
    }

    /// Rebuilds after `changed` (empty: the first build) and tells the pages.
    pub fn rebuild(&mut self, state: &Arc<State>, changed: &[PathBuf]) {
        let mut all = std::mem::take(&mut self.failed);
        for p in changed {
            if !all.contains(p) {
                all.push(p.clone());
            }
        }
        self.rebuild_paths(state, &all);
    }

    fn rebuild_paths(&mut self, state: &Arc<State>, changed: &[PathBuf]) {
        let start = Instant::now();
        if !changed.is_empty()
            && self.only_theme_statics(changed)
            && self.swap_statics(state, changed)
        {
            eprintln!(
                "updated the theme's static files in {} ms",
                start.elapsed().as_millis()
            );
            return;
        }
        if !changed.is_empty()
            && let Some(last) = self.last.as_mut()
        {
            match incremental::patch(last, changed) {
                incremental::Patch::NotApplicable => {}
                incremental::Patch::Problems(diags) => {
                    self.failed = changed.to_vec();
                    self.show_problems(state, diags);
                    return;
                }
                incremental::Patch::Pages(files, diags) => {
                    if !diags.is_empty() {
                        eprint!("{}", diags.render(&self.root));
                    }
                    let count = files.len();
                    let pages: Vec<String> = files.iter().map(|f| f.path().to_string()).collect();
                    self.publish(state, NewSite::Patch(files), Reach::Pages(&pages));
                    eprintln!(
                        "rebuilt {count} page{} in {} ms",
                        if count == 1 { "" } else { "s" },
                        start.elapsed().as_millis()
                    );
                    self.search_due = Some(start);
                    return;
                }
            }
        }
        let opts = PrepareOptions {
            drafts: self.drafts,
            lint: false,
            skip_search: true,
        };
        let (built, mut diags) = prepare(&self.root, opts, &mut self.cache);
        diags.sort();
        let Some(mut built) = built.filter(|_| !diags.has_errors()) else {
            self.failed = changed.to_vec();
            self.show_problems(state, diags);
            return;
        };
        if !diags.is_empty() {
            eprint!("{}", diags.render(&self.root));
        }
        // The served site owns the rendered files; nothing reads them from `last` again.
        let mut files = SiteFiles::new(std::mem::take(&mut built.files));
        // Until the new index is ready, keep serving the previous one.
        files.extend(previous_search(&state.site()));
        let pages = built.pages();
        // A page updated in place keeps the images it has; a changed one needs a reload.
        let assets_changed = changed.iter().any(|p| {
            p.starts_with(&built.config.content_dir) && p.extension().is_some_and(|e| e != "md")
        });
        self.last = Some(built);
        if changed.is_empty() {
            state.swap(files);
        } else if assets_changed {
            self.publish(state, NewSite::Whole(files), Reach::Reload);
        } else {
            self.publish(state, NewSite::Whole(files), Reach::All);
        }
        eprintln!("built {pages} pages in {} ms", start.elapsed().as_millis());
        self.search_due = Some(start);
        if changed.is_empty() {
            self.start_search(state);
        }
    }

    /// Serves the new site, clears the overlay and tells the pages which of them changed.
    fn publish(&self, state: &State, site: NewSite, reach: Reach) {
        let had_problems = state.problems.lock().map(|p| p.is_some()).unwrap_or(false);
        state.set_problems(None);
        match site {
            NewSite::Whole(files) => state.swap(files),
            NewSite::Patch(files) => {
                state.edit(|site| site.extend(files));
                state.next_build();
            }
        }
        if had_problems {
            state.events.send("fixed", "");
        }
        let pages = match reach {
            Reach::Reload => return state.events.send("reload", ""),
            Reach::All => None,
            Reach::Pages(pages) => Some(pages),
        };
        let update = serde_json::json!({ "build": state.build_id(), "pages": pages });
        state.events.send("update", &update.to_string());
    }

    /// Serves the theme's new static files; a stylesheet is swapped in place, anything else
    /// reloads the pages. False when the theme cannot be read (a full rebuild follows).
    fn swap_statics(&self, state: &State, changed: &[PathBuf]) -> bool {
        let Some(last) = &self.last else { return false };
        let Ok(theme) = Theme::load(&last.config.theme_dir()) else {
            return false;
        };
        state.edit(|site| site.extend(theme.static_files()));
        state.next_build();
        for css in changed
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "css"))
        {
            if let Some(rel) = static_path(&last.config.theme_dir(), css) {
                state.events.send("css", &rel);
            }
        }
        if changed
            .iter()
            .any(|p| p.extension().is_none_or(|e| e != "css"))
        {
            state.events.send("reload", "");
        }
        true
    }

    /// Prints the problems, shows them on open pages, and keeps the last good site.
    fn show_problems(&self, state: &State, mut diags: Diagnostics) {
        diags.sort();
        eprint!("{}", diags.render(&self.root));
        let json = diags.to_json(&self.root);
        state.set_problems(Some(json.clone()));
        state.events.send("problems", &json);
        if state.site().is_empty() {
            state.swap(SiteFiles::new(vec![OutFile::Bytes(
                "index.html".into(),
                PLACEHOLDER.as_bytes().to_vec(),
            )]));
        }
        eprintln!("the site has errors; still serving the last good build");
    }

    /// Has the search index of the last good build rebuilt in the background and served.
    /// (The caller waits for the saves to pause first: gathering the articles takes a while
    /// on a big site, and an index build takes seconds of a core.)
    pub fn start_search(&mut self, state: &Arc<State>) {
        let Some(start) = self.search_due.take() else {
            return;
        };
        let Some(last) = &self.last else { return };
        if !last.config.search {
            return;
        }
        let job = SearchJob {
            docs: crate::search::docs(&last.site),
            start,
        };
        let sender = self.search.get_or_insert_with(|| {
            let (tx, rx) = channel();
            let state = state.clone();
            std::thread::spawn(move || search_worker(&state, &rx));
            tx
        });
        let _ = sender.send(job);
    }

    fn only_theme_statics(&self, changed: &[PathBuf]) -> bool {
        let Some(last) = &self.last else { return false };
        let dir = last.config.theme_dir().join("static");
        changed.iter().all(|p| p.starts_with(&dir))
    }
}

/// A site to serve.
enum NewSite {
    /// The whole site.
    Whole(SiteFiles),
    /// Files that replace the ones with the same paths.
    Patch(Vec<OutFile>),
}

/// Which open pages a new build changes.
enum Reach<'a> {
    /// These pages (paths in the site).
    Pages(&'a [String]),
    /// Any page may have changed: each open page fetches itself and updates what differs.
    All,
    /// Every page reloads: an image or other file the pages show may have changed.
    Reload,
}

/// What the search index is built from, and when the rebuild that asked for it started.
struct SearchJob {
    docs: Vec<crate::search::Doc>,
    start: Instant,
}

/// How long the saves must pause before the search index is rebuilt. An index build of a big
/// site takes seconds of a core; while a writer saves again and again it would only slow the
/// rebuilds and the page updates, and be out of date when it is ready.
pub const SEARCH_QUIET: Duration = Duration::from_millis(500);

/// Builds the newest search index asked for, on one thread, so the other cores stay free for
/// rebuilds and the browser.
fn search_worker(state: &State, jobs: &Receiver<SearchJob>) {
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).build() else {
        return;
    };
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let index = pool.install(|| crate::search::build_from(&job.docs));
        state.edit(|site| site.extend(index));
        eprintln!(
            "  search index ready after {} ms",
            job.start.elapsed().as_millis()
        );
    }
}

/// The search files of the site being served, to keep them while a new index is built.
fn previous_search(site: &SiteFiles) -> Vec<OutFile> {
    site.under("search/")
}

/// `themes/x/static/assets/a.css` -> `assets/a.css`.
fn static_path(theme_dir: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(theme_dir.join("static")).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}

const PLACEHOLDER: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>stepbook</title></head><body><main><h1>The site has errors</h1><p>Fix them and save: this page updates by itself.</p></main></body></html>";

/// Opens `url` in the desktop's browser, if there is one.
pub fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener).arg(url).spawn();
}
