//! Live reload: Server-Sent Events to every open page, and the script that listens.
//!
//! Pages connect to `/__stepbook/events`. The server sends `hello` (the build id) on
//! connect, `build` (the new id) after every swap, and once a rebuilt site is complete and
//! served, `update`: JSON `{"build": id, "pages": [paths], "html": {path: page}}`, the pages
//! that changed (`"pages": null` when any page may have) and, when they are few, each as it
//! is served. An open page that changed takes its new version from `html`, or fetches itself
//! again, and swaps in the parts of its body that differ (its `<main>`, mostly), keeping its scroll
//! position; it reloads instead when its head's stylesheets or scripts changed. `reload`
//! makes every page reload (a theme script changed), `css` (a stylesheet's path) swaps a
//! stylesheet in place, `problems` (diagnostics as JSON) shows the error overlay and `fixed`
//! hides it. `EventSource` reconnects by itself after a server restart; a page reloads when
//! it was served by another run of the server, and updates when it missed a build.
//!
//! Each stream is a bounded queue of events that its connection drains. Sending never waits:
//! a stream whose queue is full (its page stopped reading) is dropped, and the connection
//! behind it is closed once its writes stall (see [`super::server`]).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::sync::mpsc;

/// The path pages load the script from.
pub const SCRIPT_PATH: &str = "/__stepbook/live.js";
/// The event stream's path.
pub const EVENTS_PATH: &str = "/__stepbook/events";
/// Events a stream may have queued and not yet sent before it is dropped.
const QUEUE: usize = 16;

/// The open event streams.
#[derive(Default)]
pub struct Broadcaster {
    clients: Mutex<Vec<mpsc::Sender<Bytes>>>,
}

impl Broadcaster {
    /// Opens a new event stream and greets it: the body of the response to an events request.
    pub fn add(&self, hello: &str, problems: Option<&str>) -> EventStream {
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut greeting = String::from("retry: 500\n\n");
        greeting.push_str(&event("hello", hello));
        if let Some(p) = problems {
            greeting.push_str(&event("problems", p));
        }
        if tx.try_send(Bytes::from(greeting)).is_ok() {
            self.lock().push(tx);
        }
        EventStream { rx }
    }

    /// Sends an event to every page; streams that are closed or too far behind are dropped.
    pub fn send(&self, event_name: &str, data: &str) {
        self.send_bytes(Bytes::from(event(event_name, data)));
    }

    /// A comment line, so dead connections are noticed and dropped.
    pub fn ping(&self) {
        self.send_bytes(Bytes::from_static(b": ping\n\n"));
    }

    /// Ends every stream (the server is stopping).
    pub fn close(&self) {
        self.lock().clear();
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn send_bytes(&self, msg: Bytes) {
        self.lock().retain(|tx| tx.try_send(msg.clone()).is_ok());
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::Sender<Bytes>>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One page's event stream as a response body; it ends when the broadcaster drops it.
pub struct EventStream {
    rx: mpsc::Receiver<Bytes>,
}

impl Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|m| m.map(|b| Ok(Frame::data(b))))
    }
}

fn event(event: &str, data: &str) -> String {
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
    msg
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
