//! `stepbook serve`: build the site, then serve the output folder on loopback.
//!
//! [`http`] answers requests from a small pool of threads, and only with files under the
//! output folder. Server state is the [`Server`] value owned here; there are no globals.

pub mod http;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use crate::diagnostics::Diagnostic;

/// What `stepbook serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub host: IpAddr,
    /// `[serve] port` when `None`.
    pub port: Option<u16>,
    pub open: bool,
    pub drafts: bool,
}

/// A running server: the address it listens on and the folder it serves.
pub struct Server {
    pub addr: SocketAddr,
    pub dir: PathBuf,
    http: tiny_http::Server,
}

impl Server {
    /// Binds `host:port`; a port in use is a clear error.
    pub fn bind(host: IpAddr, port: u16, dir: PathBuf) -> Result<Server, Diagnostic> {
        let addr = SocketAddr::new(host, port);
        let http = tiny_http::Server::http(addr).map_err(|e| {
            let in_use = e.to_string().contains("in use");
            let d = Diagnostic::error("serve-bind", format!("cannot listen on {addr}: {e}"));
            if in_use {
                d.with_hint(format!(
                    "another program uses port {port}; pick another with `--port`"
                ))
            } else {
                d.with_hint("check the `--host` address")
            }
        })?;
        let addr = http.server_addr().to_ip().unwrap_or(addr);
        Ok(Server { addr, dir, http })
    }

    /// Answers requests until the process ends, on `threads` worker threads.
    pub fn run(self, threads: usize) {
        let server = std::sync::Arc::new(self);
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                let s = server.clone();
                std::thread::spawn(move || {
                    for request in s.http.incoming_requests() {
                        http::respond(&s.dir, request);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }
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
