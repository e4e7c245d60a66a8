//! `stepbook serve`: build into memory, serve on loopback, rebuild on change, reload pages.
//!
//! The site is served from memory ([`http::SiteFiles`]): exactly the files a build would
//! write, swapped in whole once a rebuild is complete, so a page never sees a half-built
//! site or a 404 while a rebuild runs, and the last good site stays served while there are
//! errors. [`watch`] turns file changes into batches; [`reload`] tells open pages which pages
//! changed. Every rebuild runs the one build engine ([`crate::engine`]), which renders again
//! only the pages whose inputs changed and hands on exactly those files; the search index is
//! rebuilt in the background once the saves pause, so an edit reaches the browser first. Server state is
//! the [`State`] owned here; no globals.

pub mod http;
pub mod reload;
mod server;
pub mod watch;

pub use server::Server;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::engine::{self, Engine, Loaded};
use crate::render::{OutFile, Theme};
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
    /// Set when the server stops: its last line is then written, and nothing after it.
    stopped: Mutex<bool>,
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
            stopped: Mutex::new(false),
        }
    }

    /// Writes `text` to the terminal, unless the server is stopping: a rebuild or a search
    /// index that finishes meanwhile says nothing after the server's last line.
    pub fn say(&self, text: std::fmt::Arguments<'_>) {
        let stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        if !*stopped {
            eprint!("{text}");
        }
    }

    /// Writes the server's last line (`text`, then a new line); [`State::say`] writes nothing
    /// after it.
    pub fn say_last(&self, text: &str) {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        *stopped = true;
        eprintln!("{text}");
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
    // What `stepbook build` writes beside the content is no edit.
    let ignore = vec![
        config.output_dir.clone(),
        config.root.join(crate::engine::cache::FOLDER),
    ];
    let mut watch = watch::Watch::start(&root, &watched, ignore).map_err(|e| {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error(
            "serve-watch",
            format!("cannot watch the site for changes: {e}"),
        ));
        all
    })?;
    session.first_build(&state);
    server.spawn_workers(opts.threads).map_err(|e| {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::error(
            "serve-start",
            format!("cannot serve: {e}"),
        ));
        all
    })?;
    let url = format!("http://{}/", server.addr);
    state.say(format_args!(
        "serving {} at {url} (Ctrl+C to stop)\n",
        root.display()
    ));
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
        session.rebuild(&state, batch);
    }
    Ok(())
}

/// What the dev server keeps between rebuilds.
pub struct Session {
    pub root: PathBuf,
    engine: Engine,
    /// The last good site, for the search index.
    last: Option<Loaded>,
    search: Option<Sender<SearchJob>>,
    /// When the rebuild started whose search index is still to be built.
    search_due: Option<Instant>,
    /// The key of the search index last asked for ([`Engine::search_key`]).
    search_key: Option<u64>,
    /// The warnings last printed.
    printed: Option<Diagnostics>,
}

impl Session {
    pub fn new(root: PathBuf, drafts: bool) -> Session {
        let engine = Engine::new(
            &root,
            engine::Options {
                drafts,
                lint: false,
                // The preview reads the anchor record and never writes it.
                locked: false,
            },
        );
        Session {
            root,
            engine,
            last: None,
            search: None,
            search_due: None,
            search_key: None,
            printed: None,
        }
    }

    /// Builds the whole site, serves it and starts its search index at once.
    pub fn first_build(&mut self, state: &Arc<State>) {
        self.rebuild(state, engine::Changes::All);
        self.start_search(state);
    }

    /// Rebuilds after `changes` (what the watcher saw) and tells the pages. The engine looks
    /// again only at the paths the changes name, unless they are [`engine::Changes::All`].
    pub fn rebuild(&mut self, state: &Arc<State>, changes: engine::Changes) {
        let start = Instant::now();
        let first = state.site().is_empty() || self.last.is_none();
        let (loaded, mut diags) = self.engine.load_after(changes);
        diags.sort();
        let Some(loaded) = loaded.filter(|_| !diags.has_errors()) else {
            self.show_problems(state, diags);
            return;
        };
        let (files, gone) = match self.engine.render_all(&loaded) {
            Ok(out) => out,
            Err(ds) => {
                diags.extend(ds);
                self.show_problems(state, diags);
                return;
            }
        };
        let count = files.len() + gone.len();
        if first {
            let mut site = SiteFiles::new(files);
            // Until the new index is ready, keep serving the previous one.
            let roots: Vec<&str> = loaded.site.all().map(|s| s.lang_root()).collect();
            site.extend(previous_search(&state.site(), &roots));
            state.set_problems(None);
            state.swap(site);
            let took = start.elapsed();
            self.print_warnings(state, diags);
            let pages = crate::render::pages::page_count(&loaded.site);
            state.say(format_args!(
                "built {pages} pages in {} ms\n",
                took.as_millis()
            ));
        } else {
            let reach = Reach::of(&files, &gone, &loaded.theme);
            self.publish(state, files, &gone, reach);
            // The pages are told first: printing waits for them.
            let took = start.elapsed();
            let same = self.print_warnings(state, diags);
            let pages = crate::render::pages::page_count(&loaded.site);
            state.say(format_args!(
                "rebuilt {count} file{} of {pages} pages in {} ms{}\n",
                if count == 1 { "" } else { "s" },
                took.as_millis(),
                same.map(|n| format!(" ({}, as before)", warnings(n)))
                    .unwrap_or_default()
            ));
        }
        // Freeing a big site takes a while: it is not the next save's to wait for, nor the
        // page's that fetches what changed.
        if let Some(old) = self.last.replace(loaded) {
            let _ = std::thread::Builder::new()
                .name("drop-site".into())
                .spawn(move || {
                    lowest_priority();
                    drop(old);
                });
        }
        if count > 0 || first {
            self.search_due = Some(start);
        }
    }

    /// Serves the changed files, clears the overlay and tells the pages what changed.
    fn publish(&self, state: &State, files: Vec<OutFile>, gone: &[String], reach: Reach) {
        let had_problems = state.problems.lock().map(|p| p.is_some()).unwrap_or(false);
        state.set_problems(None);
        let nothing = files.is_empty() && gone.is_empty();
        if !nothing {
            state.edit(|site| {
                site.extend(files);
                site.remove(gone);
            });
            state.next_build();
        }
        if had_problems {
            state.events.send("fixed", "");
        }
        if nothing {
            return;
        }
        for css in &reach.stylesheets {
            state.events.send("css", css);
        }
        if reach.reload {
            return state.events.send("reload", "");
        }
        if !reach.pages.is_empty() {
            let build = state.build_id();
            let html = served_pages(&state.site(), &reach.pages, &build);
            let update = serde_json::json!({ "build": build, "pages": reach.pages, "html": html });
            state.events.send("update", &update.to_string());
        }
    }

    /// Prints the warnings of a good build, unless they are the ones printed last: a save
    /// should not print the same screenful again. Returns their number when they were.
    fn print_warnings(&mut self, state: &State, diags: Diagnostics) -> Option<usize> {
        let same = !diags.is_empty() && self.printed.as_ref() == Some(&diags);
        if !same && !diags.is_empty() {
            state.say(format_args!("{}", diags.render(&self.root)));
        }
        let n = diags.len();
        self.printed = Some(diags);
        same.then_some(n)
    }

    /// Prints the problems, shows them on open pages, and keeps the last good site.
    fn show_problems(&mut self, state: &State, mut diags: Diagnostics) {
        self.printed = None;
        diags.sort();
        state.say(format_args!("{}", diags.render(&self.root)));
        let json = diags.to_json(&self.root);
        state.set_problems(Some(json.clone()));
        state.events.send("problems", &json);
        if state.site().is_empty() {
            state.swap(SiteFiles::new(vec![OutFile::Bytes(
                "index.html".into(),
                PLACEHOLDER.as_bytes().to_vec(),
            )]));
        }
        state.say(format_args!(
            "the site has errors; still serving the last good build\n"
        ));
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
            self.search_key = None;
            return;
        }
        // An edit that changes no article's `Doc` leaves the index as it is.
        let docs = crate::search::languages(&last.site);
        let key = self.engine.search_key(&docs);
        if self.search_key == Some(key) {
            return;
        }
        self.search_key = Some(key);
        let job = SearchJob { docs, start };
        let sender = self.search.get_or_insert_with(|| {
            let (tx, rx) = channel();
            let state = state.clone();
            std::thread::spawn(move || search_worker(&state, &rx));
            tx
        });
        let _ = sender.send(job);
    }
}

/// Which open pages a rebuild changes, and how they learn of it.
#[derive(Debug, Default, PartialEq, Eq)]
struct Reach {
    /// Pages (paths in the site) that fetch themselves and update what differs.
    pages: Vec<String>,
    /// The theme's stylesheets, swapped in place.
    stylesheets: Vec<String>,
    /// Every page reloads: a script, an image or another file the pages use changed.
    reload: bool,
}

impl Reach {
    /// Pages update in place; a theme stylesheet is swapped; a script or an image the pages
    /// load reloads them. Other generated files (Markdown copies, `llms.txt`, the sitemap)
    /// change nothing on an open page.
    fn of(files: &[OutFile], gone: &[String], theme: &Theme) -> Reach {
        let statics: Vec<String> = theme
            .static_files()
            .iter()
            .map(|f| f.path().to_string())
            .collect();
        let mut reach = Reach::default();
        for f in files {
            let path = f.path();
            match f {
                OutFile::Bytes(..) if path.ends_with(".html") => reach.pages.push(path.to_string()),
                OutFile::Bytes(..) => {}
                OutFile::Copy(..)
                    if path.ends_with(".css") && statics.iter().any(|s| s == path) =>
                {
                    reach.stylesheets.push(path.to_string())
                }
                OutFile::Copy(..) => reach.reload = true,
            }
        }
        reach
            .pages
            .extend(gone.iter().filter(|p| p.ends_with(".html")).cloned());
        reach.pages.sort_unstable();
        reach
    }
}

/// At most this many pages, of at most [`INLINE_BYTES`] together, travel in an `update`
/// event: an open page among them shows its new version without asking for it. After an
/// edit that changes more, the pages fetch themselves.
const INLINE_PAGES: usize = 4;
const INLINE_BYTES: usize = 512 * 1024;

/// The pages at `paths` as they are served in build `build`, by path, when they are few and
/// small enough to travel in the `update` event ([`INLINE_PAGES`]).
fn served_pages(
    site: &SiteFiles,
    paths: &[String],
    build: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if paths.len() > INLINE_PAGES {
        return out;
    }
    let mut bytes = 0;
    for path in paths {
        let Some(http::Body::Bytes(b)) = site.get(path) else {
            continue;
        };
        bytes += b.len();
        if bytes > INLINE_BYTES {
            return serde_json::Map::new();
        }
        if let Ok(page) = String::from_utf8(reload::inject(b.as_ref().clone(), build)) {
            out.insert(path.clone(), page.into());
        }
    }
    out
}

/// What the search index is built from, and when the rebuild that asked for it started.
struct SearchJob {
    docs: Vec<crate::search::LangDocs>,
    start: Instant,
}

/// How long the saves must pause before the search index is rebuilt. An index build of a big
/// site takes seconds of a core; while a writer saves again and again it would only slow the
/// rebuilds and the page updates, and be out of date when it is ready.
pub const SEARCH_QUIET: Duration = Duration::from_millis(500);

/// Builds the newest search index asked for, on one thread at the lowest priority, so the
/// cores stay free for rebuilds and the browser when an edit comes while it works.
fn search_worker(state: &State, jobs: &Receiver<SearchJob>) {
    lowest_priority();
    let Ok(pool) = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .start_handler(|_| lowest_priority())
        .build()
    else {
        return;
    };
    let mut indexer = crate::search::Indexer::default();
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let building = Instant::now();
        let index = pool.install(|| indexer.build(&job.docs));
        let built = building.elapsed();
        state.edit(|site| site.extend(index));
        state.say(format_args!(
            "  search index ready after {} ms (built in {} ms)\n",
            job.start.elapsed().as_millis(),
            built.as_millis()
        ));
    }
}

/// Lowers the calling thread's priority as far as it goes (Linux: each thread has its own
/// nice value). Elsewhere the thread keeps its priority.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` and `setpriority` take no pointers; a failure leaves the priority as
    // it was, which is harmless.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

fn warnings(n: usize) -> String {
    format!("{n} warning{}", if n == 1 { "" } else { "s" })
}

/// The search files of the site being served, to keep them while a new index is built.
/// `roots` are the folders of the site's languages (`""`, `"de/"`).
fn previous_search(site: &SiteFiles, roots: &[&str]) -> Vec<OutFile> {
    roots
        .iter()
        .flat_map(|root| site.under(&format!("{root}search/")))
        .collect()
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
    let mut command = std::process::Command::new(opener);
    command.arg(url);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the closure runs in the child between fork and exec, where only
        // async-signal-safe calls may be made: `huge_pages` makes one bare system call.
        unsafe {
            command.pre_exec(|| {
                // A browser this starts would keep the huge pages a preview may have turned
                // off for itself (a setting children inherit): it gets them back.
                crate::huge_pages(true);
                Ok(())
            });
        }
    }
    let _ = command.spawn();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few changed pages travel in the update as served (with the live script of the
    /// build); many do not, and the pages fetch themselves.
    #[test]
    fn an_update_carries_a_few_pages_as_served() {
        let page = |p: &str| OutFile::Bytes(p.into(), b"<html><body>hi</body></html>".to_vec());
        let site = SiteFiles::new(vec![page("a.html"), page("b.html"), page("c.html")]);
        let paths = |ps: &[&str]| ps.iter().map(|p| p.to_string()).collect::<Vec<_>>();
        let html = served_pages(&site, &paths(&["a.html", "gone.html"]), "1-2");
        assert_eq!(html.len(), 1);
        let a = html["a.html"].as_str().expect("a page as text");
        assert!(
            a.contains("data-build=\"1-2\"") && a.ends_with("</body></html>"),
            "{a}"
        );
        let many: Vec<&str> = ["a.html", "b.html", "c.html"].repeat(2);
        assert!(served_pages(&site, &paths(&many), "1-2").is_empty());
    }

    #[test]
    fn open_pages_reload_only_for_what_they_load() {
        let theme = Theme::load(std::path::Path::new("/nowhere")).expect("the built-in theme");
        let bytes = |p: &str| OutFile::Bytes(p.into(), Vec::new());
        let copy = |p: &str| OutFile::Copy(p.into(), PathBuf::from("/x"));
        let reach = Reach::of(
            &[
                bytes("guide/a.html"),
                bytes("guide/a.md"),
                bytes("llms.txt"),
            ],
            &["guide/old.html".into(), "guide/old.md".into()],
            &theme,
        );
        assert_eq!(
            reach,
            Reach {
                pages: vec!["guide/a.html".into(), "guide/old.html".into()],
                ..Default::default()
            }
        );
        let reach = Reach::of(
            &[copy("assets/stepbook.css"), copy("guide/pic.png")],
            &[],
            &theme,
        );
        assert_eq!(reach.stylesheets, ["assets/stepbook.css"]);
        assert!(reach.reload);
    }
}
