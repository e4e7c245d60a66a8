//! `stepbook serve` under attack on loopback: each test sends what once stalled, starved or
//! killed the dev server, then checks that it still answers other requests (within 1 s) and
//! still rebuilds. The requests are raw bytes; every loop and read is bounded.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::Fixture;
use common::served::{Served, head, read_until_closed, status};

fn site() -> Fixture {
    let f = Fixture::empty();
    f.write("content/guides/a.md", "# Alpha\n\nThe first page.\n");
    f
}

/// The server answers, and a save is rebuilt and served.
fn still_serves_and_rebuilds(s: &Served, f: &Fixture, word: &str) {
    assert_eq!(status(&s.get("/")), "HTTP/1.1 200 OK");
    let built = s.builds();
    f.write("content/guides/a.md", &format!("# Alpha\n\n{word}\n"));
    s.wait_builds(built + 1);
    let end = Instant::now() + Duration::from_secs(20);
    while !s.get("/guides/a.html").contains(word) {
        assert!(Instant::now() < end, "the save never showed:\n{}", s.log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn request_bodies_are_never_read() {
    let f = site();
    let mut s = Served::start(&f);
    for host in ["evil.com", "localhost"] {
        let raw = format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 99999999999\r\n\r\n");
        let answer = s.exchange(raw.as_bytes(), 5);
        let expected = if host == "localhost" {
            "HTTP/1.1 200 OK"
        } else {
            "HTTP/1.1 403 Forbidden"
        };
        assert_eq!(status(&answer), expected, "{answer}");
    }
    // A body that is sent is not read either: the answer comes, then the connection closes.
    let mut c = s.connect();
    let raw = b"GET /guides/a.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 8388608\r\n\r\n";
    c.write_all(raw).unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..128 {
        if c.write_all(&chunk).is_err() {
            break;
        }
    }
    let answer = read_until_closed(&mut c, Duration::from_secs(5));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    assert!(answer.contains("The first page."), "{answer}");
    assert!(s.alive(), "{}", s.log());
    still_serves_and_rebuilds(&s, &f, "Saved after a huge Content-Length.");
}

#[test]
fn unsent_bodies_do_not_starve_other_requests() {
    let f = site();
    let s = Served::start(&f);
    let raw = b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n";
    let mut posts = s.open(32, raw);
    assert_eq!(status(&s.get("/")), "HTTP/1.1 200 OK");
    for c in &mut posts {
        let answer = read_until_closed(c, Duration::from_secs(5));
        assert_eq!(
            status(&answer),
            "HTTP/1.1 405 Method Not Allowed",
            "{answer}"
        );
    }
    still_serves_and_rebuilds(&s, &f, "Saved after unsent bodies.");
}

#[test]
fn only_get_and_head_are_answered() {
    let f = site();
    let s = Served::start(&f);
    for method in [
        "OPTIONS", "DELETE", "TRACE", "POST", "PUT", "PATCH", "CONNECTX", "FOO",
    ] {
        let raw = format!("{method} / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let answer = s.exchange(raw.as_bytes(), 5);
        assert_eq!(
            head(&answer),
            "HTTP/1.1 405 Method Not Allowed\ncontent-type: text/plain; charset=utf-8\ncache-control: no-cache\nx-content-type-options: nosniff\nallow: GET, HEAD\nconnection: close\ncontent-length: 46",
            "{method}"
        );
        assert!(answer.ends_with("\r\n\r\n405 Method Not Allowed: this server only reads"));
    }
    // Not a method at all: hyper refuses it before we see it.
    let answer = s.exchange(b"G@T / HTTP/1.1\r\nHost: localhost\r\n\r\n", 5);
    assert_eq!(status(&answer), "HTTP/1.1 400 Bad Request", "{answer}");
    // HEAD: the GET's head, no body.
    let get = s.get("/guides/a.html");
    let raw = b"HEAD /guides/a.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let answer = s.exchange(raw, 5);
    assert_eq!(head(&answer), head(&get));
    assert!(answer.ends_with("\r\n\r\n"), "{answer}");
    assert!(head(&get).contains("\ncontent-length: "), "{get}");
}

#[test]
fn the_host_check_covers_the_live_reload_paths() {
    let f = site();
    let s = Served::start(&f);
    for path in [
        "/__stepbook/events",
        "/__stepbook/live.js",
        "/__stepbook/live-worker.js",
        "/",
    ] {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n");
        let answer = s.exchange(raw.as_bytes(), 5);
        assert_eq!(
            head(&answer),
            "HTTP/1.1 403 Forbidden\ncontent-type: text/plain; charset=utf-8\ncache-control: no-cache\nx-content-type-options: nosniff\nconnection: close\ncontent-length: 52",
            "{path}"
        );
        assert!(answer.ends_with("\r\n\r\n403 Forbidden: this server answers only to localhost"));
    }
    assert_eq!(status(&s.get("/__stepbook/live.js")), "HTTP/1.1 200 OK");
}

#[test]
fn a_double_slash_redirect_stays_on_this_host() {
    let f = site();
    let s = Served::start(&f);
    for path in ["//guides", "/guides", "///guides?q=1"] {
        let answer = s.get(path);
        assert_eq!(status(&answer), "HTTP/1.1 301 Moved Permanently", "{path}");
        assert!(
            answer.contains("\r\nlocation: /guides/\r\n"),
            "{path}: {answer}"
        );
    }
}

#[test]
fn http_1_0_pipelining_bare_lf_and_http_2_request_lines_get_answers() {
    let f = site();
    let s = Served::start(&f);
    // HTTP/1.0 without Host: answered, then closed.
    let answer = s.exchange(b"GET /guides/a.html HTTP/1.0\r\n\r\n", 5);
    assert_eq!(status(&answer), "HTTP/1.0 200 OK", "{answer}");
    assert!(answer.contains("The first page."), "{answer}");
    // Two requests in one write: two answers, in order.
    let raw = b"GET /guides/a.html HTTP/1.1\r\nHost: localhost\r\n\r\nGET /nope.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let answer = s.exchange(raw, 5);
    let statuses: Vec<&str> = answer
        .lines()
        .filter(|l| l.starts_with("HTTP/1.1 "))
        .collect();
    assert_eq!(
        statuses,
        ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"],
        "{answer}"
    );
    // Bare LF line ends.
    let answer = s.exchange(b"GET / HTTP/1.1\nHost: localhost\nConnection: close\n\n", 5);
    assert_eq!(status(&answer), "HTTP/1.1 200 OK", "{answer}");
    // An HTTP/2.0 request line over HTTP/1: refused, with an answer.
    let answer = s.exchange(b"GET / HTTP/2.0\r\nHost: localhost\r\n\r\n", 5);
    assert_eq!(status(&answer), "HTTP/1.1 400 Bad Request", "{answer}");
}

#[test]
fn an_endless_header_gets_431_and_is_not_kept() {
    let f = site();
    let mut s = Served::start(&f);
    let before = common::served::rss_kib(s.pid());
    let mut c = s.connect();
    c.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: ")
        .unwrap();
    // 8 MB of one header: the server answers and closes long before, so writes fail.
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..128 {
        if c.write_all(&chunk).is_err() {
            break;
        }
    }
    let answer = read_until_closed(&mut c, Duration::from_secs(5));
    assert_eq!(
        status(&answer),
        "HTTP/1.1 431 Request Header Fields Too Large",
        "{answer}"
    );
    let after = common::served::rss_kib(s.pid());
    assert!(
        after < before + 16 * 1024,
        "memory grew from {before} KiB to {after} KiB"
    );
    assert!(s.alive());
    still_serves_and_rebuilds(&s, &f, "Saved after an endless header.");
}

#[test]
fn two_hundred_slowloris_connections_starve_nobody() {
    let f = site();
    let s = Served::start(&f);
    let before = common::served::rss_kib(s.pid());
    let mut slow = s.open(200, b"GET / HTTP/1.1\r\nHost: localhost\r\n");
    // Each sends a byte of a header every 100 ms, for 3 s; others are served meanwhile.
    let end = Instant::now() + Duration::from_secs(3);
    let mut answered = 0;
    while Instant::now() < end {
        for c in &mut slow {
            let _ = c.write_all(b"x");
        }
        assert_eq!(status(&s.get("/guides/a.html")), "HTTP/1.1 200 OK");
        answered += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(answered >= 10, "{answered}");
    let after = common::served::rss_kib(s.pid());
    assert!(
        after < before + 32 * 1024,
        "memory grew from {before} KiB to {after} KiB"
    );
    // The heads never end: the server gives up on them (10 s after they opened) and closes.
    let started = Instant::now();
    for c in &mut slow {
        let answer = read_until_closed(c, Duration::from_secs(15));
        assert_eq!(answer, "", "a slowloris connection got an answer");
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    still_serves_and_rebuilds(&s, &f, "Saved after slowloris.");
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let f = site();
    let s = Served::start(&f);
    let mut c = s.connect();
    c.write_all(b"GET /guides/a.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut c, Duration::from_secs(20));
    assert_eq!(status(&answer), "HTTP/1.1 200 OK");
    let idle = started.elapsed();
    assert!(
        idle >= Duration::from_secs(5) && idle < Duration::from_secs(20),
        "closed after {idle:?}"
    );
}

#[test]
fn a_stream_that_stops_reading_is_dropped_and_rebuilds_go_on() {
    let f = site();
    let s = Served::start(&f);
    // A page with thousands of broken links: a big `problems` event.
    let broken: String = (0..10_000)
        .map(|i| format!("[link {i}](missing-{i}.md)\n"))
        .collect();
    // A stream with a 4 kB receive buffer that never reads.
    let stalled = {
        use socket2::{Domain, Socket, Type};
        let sock = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        sock.set_recv_buffer_size(4096).unwrap();
        let addr: std::net::SocketAddr = ([127, 0, 0, 1], s.port).into();
        sock.connect(&addr.into()).unwrap();
        let mut c: TcpStream = sock.into();
        c.write_all(b"GET /__stepbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        c
    };
    // Three of them fill the stream's receive buffer and the server's largest send buffer
    // (4 MB), and its writes stall; they are given up after 10 s.
    for round in 1..=3 {
        f.write(
            "content/guides/a.md",
            &format!("# Alpha\n\nRound {round}.\n\n{broken}"),
        );
        s.wait_log("the site has errors", round);
    }
    std::thread::sleep(Duration::from_secs(12));
    still_serves_and_rebuilds(&s, &f, "Fixed after the stalled stream.");
    // Twenty new streams are greeted, and pages are still served.
    let mut streams: Vec<TcpStream> = Vec::new();
    for _ in 0..20 {
        let mut c = s.connect();
        c.write_all(b"GET /__stepbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut got = String::new();
        let end = Instant::now() + Duration::from_secs(5);
        while !got.contains("event: hello") && Instant::now() < end {
            let mut buf = [0; 4096];
            let n = std::io::Read::read(&mut c, &mut buf).unwrap_or(0);
            got.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        assert!(
            got.starts_with("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"),
            "{got}"
        );
        assert!(got.contains("retry: 500\n\nevent: hello\ndata: "), "{got}");
        streams.push(c);
    }
    assert_eq!(status(&s.get("/")), "HTTP/1.1 200 OK");
    // The stalled stream was dropped: read what it was sent, then the end.
    let mut stalled = stalled;
    let started = Instant::now();
    let rest = read_until_closed(&mut stalled, Duration::from_secs(30));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the stalled stream is still open"
    );
    assert!(
        rest.starts_with("HTTP/1.1 200 OK\r\n"),
        "{}",
        &rest[..rest.len().min(300)]
    );
}

#[test]
fn past_the_connection_cap_new_connections_wait_and_the_log_says_so_once() {
    let f = site();
    let s = Served::start(&f);
    let mut open: Vec<TcpStream> = (0..530).map(|_| s.connect()).collect();
    s.wait_log("connections are open", 1);
    // Close some: the waiting ones are taken in, and new requests are answered.
    open.truncate(400);
    assert_eq!(status(&s.get("/")), "HTTP/1.1 200 OK");
    let line = "serve: 512 connections are open, the most it keeps; new connections wait until some close\n";
    assert_eq!(s.log().matches(line).count(), 1, "{}", s.log());
    drop(open);
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_ends_the_streams_and_exits_cleanly() {
    let f = site();
    let mut s = Served::start(&f);
    let mut stream = s.connect();
    stream
        .write_all(b"GET /__stepbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut first = [0; 512];
    let n = std::io::Read::read(&mut stream, &mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).contains("event: hello"));
    // SAFETY: kill(2) with the pid of our own child and a signal number.
    let sent = unsafe { libc::kill(s.pid() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0);
    let rest = read_until_closed(&mut stream, Duration::from_secs(5));
    assert!(
        rest.ends_with("0\r\n\r\n"),
        "the stream was not ended: {rest:?}"
    );
    let status = s
        .wait_exit(5)
        .expect("serve did not exit within 5 s of Ctrl+C");
    assert_eq!(status.code(), Some(0), "{}", s.log());
    assert!(!s.log().contains("panicked"), "{}", s.log());
    assert!(s.log().ends_with("stopping\n"), "{}", s.log());
}
