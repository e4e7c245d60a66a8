//! `stepbook serve`: build into memory, serve on loopback, rebuild on change, reload pages.
//!
//! The site is served from memory ([`http::SiteFiles`]): exactly the files a build would
//! write, swapped in whole once a rebuild is complete, so a page never sees a half-built
//! site or a 404 while a rebuild runs, and the last good site stays served while there are
//! errors. [`watch`] turns file changes into batches; [`reload`] tells open pages. Rendered
//! Markdown is cached between rebuilds, and the search index is rebuilt after the pages, so
//! an edit reaches the browser first. Server state is the [`State`] owned here; no globals.

pub mod http;
pub mod incremental;
pub mod reload;
pub mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The newest search index being built; older ones are dropped when they finish.
    search_generation: AtomicU64,
    /// Tells one run of the server from the next.
    run: u64,
    /// The current build's problems as JSON, shown to pages that connect while they last.
    problems: Mutex<Option<String>>,
    pub events: Broadcaster,
}

impl State {
    /// This server's run and build: a page served by another run or build is stale.
    fn build_id(&self) -> String {
        format!("{}-{}", self.run, self.build.load(Ordering::SeqCst))
    }

    fn site(&self) -> Arc<SiteFiles> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn swap(&self, files: SiteFiles) {
        *self.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
        self.build.fetch_add(1, Ordering::SeqCst);
        self.events.send("build", &self.build_id());
    }

    fn set_problems(&self, p: Option<String>) {
        *self.problems.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }
}

/// A bound server, ready to run.
pub struct Server {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    http: Arc<tiny_http::Server>,
}

impl Server {
    /// Binds `host:port`; a port in use is a clear error.
    pub fn bind(host: IpAddr, port: u16) -> Result<Server, Diagnostic> {
        let addr = SocketAddr::new(host, port);
        let http = listener(addr).and_then(|l| tiny_http::Server::from_listener(l, None)).map_err(|e| {
            let in_use = e.to_string().to_lowercase().contains("in use");
            let d = Diagnostic::error("serve-bind", format!("cannot listen on {addr}: {e}"));
            if in_use {
                d.with_hint(format!("another program uses port {port}; pick another with `--port`, e.g. `--port {}`", port.wrapping_add(1)))
            } else {
                d.with_hint("check the `--host` address")
            }
        })?;
        let addr = http.server_addr().to_ip().unwrap_or(addr);
        let state = Arc::new(State {
            site: RwLock::new(Arc::new(SiteFiles::default())),
            build: AtomicU64::new(1),
            search_generation: AtomicU64::new(0),
            run: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            problems: Mutex::new(None),
            events: Broadcaster::default(),
        });
        Ok(Server {
            addr,
            state,
            http: Arc::new(http),
        })
    }

    /// Starts `threads` workers answering requests; returns at once.
    pub fn spawn_workers(&self, threads: usize) {
        for _ in 0..threads.max(1) {
            let http = self.http.clone();
            let state = self.state.clone();
            std::thread::spawn(move || {
                for request in http.incoming_requests() {
                    answer(&state, request);
                }
            });
        }
        let state = self.state.clone();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(10));
                state.events.ping();
            }
        });
    }
}

fn answer(state: &State, request: tiny_http::Request) {
    let path = request.url().split('?').next().unwrap_or("").to_string();
    if path == reload::EVENTS_PATH {
        let build = state.build_id();
        let problems = state
            .problems
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        state
            .events
            .add(request.into_writer(), &build, problems.as_deref());
        return;
    }
    if path == reload::SCRIPT_PATH || path == reload::WORKER_PATH {
        let script = if path == reload::SCRIPT_PATH {
            reload::SCRIPT
        } else {
            reload::WORKER
        };
        http::send(
            request,
            200,
            "text/javascript; charset=utf-8",
            &[],
            script.as_bytes().to_vec(),
        );
        return;
    }
    let site = state.site();
    let build = state.build_id();
    http::respond(&site, request, &|html| reload::inject(html, &build));
}

/// Runs `stepbook serve` until the process is stopped.
pub fn run(opts: ServeOptions) -> Result<(), Diagnostics> {
    let root = opts.root.clone();
    let mut session = Session {
        root: root.clone(),
        drafts: opts.drafts,
        cache: RenderCache::default(),
        last: None,
    };
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
    server.spawn_workers(opts.threads);
    let url = format!("http://{}/", server.addr);
    eprintln!("serving {} at {url} (Ctrl+C to stop)", root.display());
    if opts.open {
        open_browser(&url);
    }
    while let Some(batch) = watch.next_batch() {
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
}

impl Session {
    /// Rebuilds after `changed` (empty: the first build) and tells the pages.
    pub fn rebuild(&mut self, state: &Arc<State>, changed: &[PathBuf]) {
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
                    self.show_problems(state, diags);
                    return;
                }
                incremental::Patch::Pages(files, diags) => {
                    if !diags.is_empty() {
                        eprint!("{}", diags.render(&self.root));
                    }
                    let mut site = (*state.site()).clone();
                    let count = files.len();
                    site.extend(files);
                    self.publish(state, site, true);
                    eprintln!(
                        "rebuilt {count} page{} in {} ms",
                        if count == 1 { "" } else { "s" },
                        start.elapsed().as_millis()
                    );
                    self.refresh_search(state, start);
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
        let Some(built) = built.filter(|_| !diags.has_errors()) else {
            self.show_problems(state, diags);
            return;
        };
        if !diags.is_empty() {
            eprint!("{}", diags.render(&self.root));
        }
        let mut files = SiteFiles::new(built.files.clone());
        // Until the new index is ready, keep serving the previous one.
        files.extend(previous_search(&state.site()));
        let pages = built.pages();
        self.last = Some(built);
        self.publish(state, files, !changed.is_empty());
        eprintln!("built {pages} pages in {} ms", start.elapsed().as_millis());
        self.refresh_search(state, start);
    }

    /// Serves `files` as the site, clears the overlay and reloads the pages.
    fn publish(&self, state: &State, files: SiteFiles, reload: bool) {
        let had_problems = state.problems.lock().map(|p| p.is_some()).unwrap_or(false);
        state.set_problems(None);
        state.swap(files);
        if had_problems {
            state.events.send("fixed", "");
        }
        if reload {
            state.events.send("reload", "");
        }
    }

    /// Serves the theme's new static files; a stylesheet is swapped in place, anything else
    /// reloads the pages. False when the theme cannot be read (a full rebuild follows).
    fn swap_statics(&self, state: &State, changed: &[PathBuf]) -> bool {
        let Some(last) = &self.last else { return false };
        let Ok(theme) = Theme::load(&last.config.theme_dir()) else {
            return false;
        };
        let mut files = (*state.site()).clone();
        files.extend(theme.static_files());
        state.swap(files);
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

    /// Rebuilds the search index of the last good build and serves it.
    /// Rebuilds the search index of the last good build in the background and serves it,
    /// unless a newer build has started one of its own by then.
    fn refresh_search(&self, state: &Arc<State>, start: Instant) {
        let Some(last) = &self.last else { return };
        if !last.config.search {
            return;
        }
        let docs = crate::search::docs(&last.site);
        let generation = state.search_generation.fetch_add(1, Ordering::SeqCst) + 1;
        let state = state.clone();
        std::thread::spawn(move || {
            let index = crate::search::build_from(&docs);
            if state.search_generation.load(Ordering::SeqCst) != generation {
                return;
            }
            let mut files = (*state.site()).clone();
            files.extend(index);
            *state.site.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(files);
            eprintln!(
                "  search index ready after {} ms",
                start.elapsed().as_millis()
            );
        });
    }

    fn only_theme_statics(&self, changed: &[PathBuf]) -> bool {
        let Some(last) = &self.last else { return false };
        let dir = last.config.theme_dir().join("static");
        changed.iter().all(|p| p.starts_with(&dir))
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

/// A listening socket with Nagle's algorithm off, which the accepted connections inherit:
/// a response's last partial packet is then sent at once instead of waiting up to 40 ms for
/// the browser's delayed ACK. (socket2 sets the option; std cannot on a listener.)
fn listener(
    addr: SocketAddr,
) -> Result<std::net::TcpListener, Box<dyn std::error::Error + Send + Sync>> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

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
