//! The dev server's connections: hyper 1 (HTTP/1.1 and 1.0) on a tokio runtime with a few
//! worker threads, beside the watch-and-rebuild loop, which it meets only through [`State`]:
//! the served [`super::http::SiteFiles`] behind its lock and the event [`reload::Broadcaster`].
//!
//! hyper parses every request; this module sets the limits a server open to a browser
//! needs, and routes a request to [`http`] or [`reload`]:
//! - the request head must arrive within [`HEAD_TIMEOUT`], which is also how long a
//!   keep-alive connection may sit idle between requests (slowloris);
//! - a head over [`MAX_HEAD`] bytes gets 431;
//! - request bodies are never read: a connection that sent one is closed after the answer;
//! - a connection whose writes make no progress for [`WRITE_STALL`] is dropped (a page or a
//!   client that stopped reading, an event stream among them);
//! - at most [`MAX_CONNECTIONS`] are open; then new ones wait, and the log says so once.
//!
//! Ctrl+C ends every event stream, lets the answers in flight finish and exits.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use super::State;
use super::http::{self, ResBody};
use super::reload;
use crate::diagnostics::Diagnostic;

/// How long a client may take to send a request head, counted from the connection's start or
/// the end of its last answer.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request head (request line and headers) read.
pub const MAX_HEAD: usize = 32 * 1024;
/// How long a connection may wait to write before it is dropped.
pub const WRITE_STALL: Duration = Duration::from_secs(10);
/// Connections open at once, event streams included.
pub const MAX_CONNECTIONS: usize = 512;
/// How often open event streams get a comment line, so dead ones are noticed.
const PING: Duration = Duration::from_secs(10);

/// A bound server, ready to run.
pub struct Server {
    pub addr: SocketAddr,
    pub state: Arc<State>,
    listener: std::net::TcpListener,
}

impl Server {
    /// Binds `host:port`; a port in use is a clear error.
    pub fn bind(host: std::net::IpAddr, port: u16) -> Result<Server, Diagnostic> {
        let addr = SocketAddr::new(host, port);
        let listener = listener(addr).map_err(|e| {
            let d = Diagnostic::error("serve-bind", format!("cannot listen on {addr}: {e}"));
            if e.kind() == io::ErrorKind::AddrInUse {
                d.with_hint(format!("another program uses port {port}; pick another with `--port`, e.g. `--port {}`", port.wrapping_add(1)))
            } else {
                d.with_hint("check the `--host` address")
            }
        })?;
        let addr = listener.local_addr().unwrap_or(addr);
        Ok(Server {
            addr,
            state: Arc::new(State::new()),
            listener,
        })
    }

    /// Starts answering requests on a runtime with `threads` workers; returns at once.
    pub fn spawn_workers(&self, threads: usize) -> io::Result<()> {
        let listener = self.listener.try_clone()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("stepbook-http")
            .enable_all()
            .build()?;
        let listener = {
            let _in = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let state = self.state.clone();
        std::thread::Builder::new()
            .name("stepbook-serve".into())
            .spawn(move || runtime.block_on(serve(listener, state)))?;
        Ok(())
    }
}

/// Accepts connections until Ctrl+C, then closes them and ends the process.
async fn serve(listener: TcpListener, state: Arc<State>) {
    let (stop, stopping) = watch::channel(false);
    let open = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(ping(state.clone()));
    tokio::select! {
        () = accept(&listener, &state, &open, &stopping) => {}
        () = ctrl_c() => {}
    }
    state.say_last("stopping");
    state.events.close();
    let _ = stop.send(true);
    let all = MAX_CONNECTIONS as u32;
    let _ = tokio::time::timeout(Duration::from_secs(2), open.acquire_many(all)).await;
    std::process::exit(0);
}

async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handler: never stop from here.
        std::future::pending::<()>().await;
    }
}

async fn accept(
    listener: &TcpListener,
    state: &Arc<State>,
    open: &Arc<Semaphore>,
    stopping: &watch::Receiver<bool>,
) {
    let mut full = false;
    loop {
        let permit = match open.clone().try_acquire_owned() {
            Ok(p) => {
                full = full && open.available_permits() < MAX_CONNECTIONS / 10;
                p
            }
            Err(_) => {
                if !full {
                    state.say(format_args!(
                        "serve: {MAX_CONNECTIONS} connections are open, the most it keeps; new connections wait until some close\n"
                    ));
                    full = true;
                }
                match open.clone().acquire_owned().await {
                    Ok(p) => p,
                    Err(_) => return,
                }
            }
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was accepted.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let state = state.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            connection(stream, state, stopping).await;
            drop(permit);
        });
    }
}

/// Serves one connection until it closes, fails, or the server stops.
async fn connection(stream: TcpStream, state: Arc<State>, mut stopping: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(WriteDeadline::new(stream));
    let service = service_fn(move |request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(answer(&state, &request)) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_header_size(MAX_HEAD)
        .max_buf_size(2 * MAX_HEAD)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
}

/// The answer to one request.
fn answer(state: &State, request: &Request<Incoming>) -> Response<ResBody> {
    if let Some(refusal) = http::refuse(request.method(), request.headers().get(header::HOST)) {
        return refusal;
    }
    let path = request.uri().path();
    let script = match path {
        reload::EVENTS_PATH => return events(state),
        reload::SCRIPT_PATH => reload::SCRIPT,
        reload::WORKER_PATH => reload::WORKER,
        _ => {
            let site = state.site();
            let build = state.build_id();
            return http::respond(&site, path, &|html| reload::inject(html, &build));
        }
    };
    let js = "text/javascript; charset=utf-8";
    http::reply(
        StatusCode::OK,
        js,
        &[],
        Bytes::from_static(script.as_bytes()),
    )
}

/// A new event stream, greeted with the build id and the problems shown now.
fn events(state: &State) -> Response<ResBody> {
    let problems = state
        .problems
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = state.events.add(&state.build_id(), problems.as_deref());
    let mut response = Response::new(body.boxed());
    let h = response.headers_mut();
    let stream = HeaderValue::from_static("text/event-stream");
    h.insert(header::CONTENT_TYPE, stream);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

async fn ping(state: Arc<State>) {
    let mut every = tokio::time::interval(PING);
    every.tick().await;
    loop {
        every.tick().await;
        state.events.ping();
    }
}

/// A connection whose writes fail with `TimedOut` once they have waited [`WRITE_STALL`]
/// without progress: hyper then drops it, whatever it was sending.
struct WriteDeadline {
    stream: TcpStream,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WriteDeadline {
    fn new(stream: TcpStream) -> WriteDeadline {
        WriteDeadline {
            stream,
            stalled: None,
        }
    }

    fn watch<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if r.is_ready() {
            self.stalled = None;
            return r;
        }
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_STALL)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for WriteDeadline {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for WriteDeadline {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A listening socket with Nagle's algorithm off, which the accepted connections inherit:
/// a response's last partial packet is then sent at once instead of waiting up to 40 ms for
/// the browser's delayed ACK. (socket2 sets the option; std cannot on a listener.)
fn listener(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}
