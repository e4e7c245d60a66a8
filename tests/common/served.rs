//! `stepbook serve` as a child process on a free loopback port, and raw HTTP/1.1 to it: the
//! serve tests speak bytes on purpose, so they can send what no well-behaved client sends.
//! Every read has a timeout; the server is killed when the handle drops.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Fixture;

pub struct Served {
    pub port: u16,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Starts `stepbook serve --port 0` in the fixture and waits until it listens.
    pub fn start(f: &Fixture) -> Served {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("stepbook"))
            .current_dir(f.root())
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn stepbook serve");
        let mut stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut served = Served {
            port: 0,
            child,
            log,
        };
        served.wait_log("(Ctrl+C to stop)", 1);
        let log = served.log();
        let at = log.find("at http://127.0.0.1:").expect("address") + "at http://127.0.0.1:".len();
        let end = at + log[at..].find('/').unwrap();
        served.port = log[at..end].parse().unwrap();
        served
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server printed so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits up to 60 s until `text` has been printed `times` times.
    pub fn wait_log(&self, text: &str, times: usize) {
        let end = Instant::now() + Duration::from_secs(60);
        while self.log.lock().unwrap().matches(text).count() < times {
            assert!(
                Instant::now() < end,
                "waited 60 s for {times} x {text:?}; the server printed:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to `secs` for the process to exit and returns its status.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// How many builds and rebuilds the server has finished.
    pub fn builds(&self) -> usize {
        let log = self.log.lock().unwrap();
        log.matches(" pages in ").count() + log.matches(" page in ").count()
    }

    /// Waits up to 60 s until the server has finished `n` builds and rebuilds.
    pub fn wait_builds(&self, n: usize) {
        let end = Instant::now() + Duration::from_secs(60);
        while self.builds() < n {
            assert!(
                Instant::now() < end,
                "waited 60 s for build {n}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    }

    /// `n` new connections, each of which has sent `raw`.
    pub fn open(&self, n: usize, raw: &[u8]) -> Vec<TcpStream> {
        (0..n)
            .map(|_| {
                let mut c = self.connect();
                c.write_all(raw).unwrap();
                c
            })
            .collect()
    }

    /// Sends `raw` on a new connection and reads until the server closes it, for at most
    /// `secs`.
    pub fn exchange(&self, raw: &[u8], secs: u64) -> String {
        let mut s = self.connect();
        let _ = s.write_all(raw);
        read_until_closed(&mut s, Duration::from_secs(secs))
    }

    /// `GET path` with `Connection: close`; the whole answer must come within 1 s.
    pub fn get(&self, path: &str) -> String {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        let started = Instant::now();
        let answer = self.exchange(raw.as_bytes(), 1);
        assert!(
            started.elapsed() < Duration::from_secs(1) && answer.starts_with("HTTP/1.1 "),
            "GET {path} was not answered within 1 s (got {answer:?}); the server printed:\n{}",
            self.log()
        );
        answer
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads until EOF, an error (a reset), or `limit` passes.
pub fn read_until_closed(s: &mut TcpStream, limit: Duration) -> String {
    let end = Instant::now() + limit;
    let mut out = Vec::new();
    let mut buf = [0; 16 * 1024];
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        let _ = s.set_read_timeout(Some(left.max(Duration::from_millis(1))));
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The status line of an answer.
pub fn status(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

/// An answer's head with the `date` header left out, which changes every second.
pub fn head(answer: &str) -> String {
    let head = answer.split("\r\n\r\n").next().unwrap_or("");
    head.lines()
        .filter(|l| !l.starts_with("date: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The server's resident memory in KiB (Linux).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
