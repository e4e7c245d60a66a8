//! Live reload: Server-Sent Events to every open page, and the script that listens.
//!
//! Pages connect to `/__stepbook/events`. The server sends `hello` (the build id) on
//! connect, `build` (the new id) after every swap, and once a rebuilt site is complete and
//! served, `update`: JSON `{"build": id, "pages": [paths]}`, the pages that changed, or
//! `"pages": null` when any page may have. An open page that changed fetches itself again and
//! swaps in the parts of its body that differ (its `<main>`, mostly), keeping its scroll
//! position; it reloads instead when its head's stylesheets or scripts changed. `reload`
//! makes every page reload (a theme script changed), `css` (a stylesheet's path) swaps a
//! stylesheet in place, `problems` (diagnostics as JSON) shows the error overlay and `fixed`
//! hides it. `EventSource` reconnects by itself after a server restart; a page reloads when
//! it was served by another run of the server, and updates when it missed a build.

use std::io::Write;
use std::sync::Mutex;

/// The path pages load the script from.
pub const SCRIPT_PATH: &str = "/__stepbook/live.js";
/// The event stream's path.
pub const EVENTS_PATH: &str = "/__stepbook/events";

/// The open event streams.
#[derive(Default)]
pub struct Broadcaster {
    clients: Mutex<Vec<Box<dyn Write + Send>>>,
}

impl Broadcaster {
    /// Takes over a connection as an event stream and greets it.
    pub fn add(&self, mut stream: Box<dyn Write + Send>, hello: &str, problems: Option<&str>) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 500\n\n";
        let mut ok =
            stream.write_all(head.as_bytes()).is_ok() && write_event(&mut stream, "hello", hello);
        if let Some(p) = problems {
            ok = ok && write_event(&mut stream, "problems", p);
        }
        if ok {
            self.lock().push(stream);
        }
    }

    /// Sends an event to every page; streams that fail are dropped.
    pub fn send(&self, event: &str, data: &str) {
        self.lock().retain_mut(|s| write_event(s, event, data));
    }

    /// A comment line, so dead connections are noticed and dropped.
    pub fn ping(&self) {
        self.lock()
            .retain_mut(|s| s.write_all(b": ping\n\n").and_then(|()| s.flush()).is_ok());
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Box<dyn Write + Send>>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn write_event(s: &mut Box<dyn Write + Send>, event: &str, data: &str) -> bool {
    let mut msg = format!("event: {event}\n");
    for line in data.lines() {
        msg.push_str("data: ");
        msg.push_str(line);
        msg.push('\n');
    }
    if data.is_empty() {
        msg.push_str("data:\n");
    }
    msg.push('\n');
    s.write_all(msg.as_bytes()).and_then(|()| s.flush()).is_ok()
}

/// Adds the live-reload script to a served HTML page, before `</body>`.
pub fn inject(html: Vec<u8>, build: &str) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-build=\"{build}\"></script>\n");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The script served at [`SCRIPT_PATH`].
pub const SCRIPT: &str = include_str!("live.js");
/// The shared worker that holds the one event stream for all tabs.
pub const WORKER_PATH: &str = "/__stepbook/live-worker.js";
pub const WORKER: &str = include_str!("live-worker.js");
