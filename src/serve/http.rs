//! HTTP for the dev server: answer a request from the site held in memory, or refuse it.
//!
//! The site is exactly the files a build would write ([`SiteFiles`]), so nothing else on disk
//! can be reached. Request paths are percent-decoded; `..`, backslashes and NUL are refused.
//! Requests whose `Host` is not a loopback name are refused too, which blocks DNS rebinding.
//! HTML pages get the live-reload script; nothing of it is in `stepbook build` output.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use std::io::Write;

use tiny_http::Request;

use crate::render::OutFile;

/// A file of the site being served.
#[derive(Debug, Clone)]
pub enum Body {
    Bytes(Arc<Vec<u8>>),
    /// Copied as it is from the content or theme folder, read on request.
    File(PathBuf),
}

/// The whole site, by path from the site root (`guides/a.html`).
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    files: HashMap<String, Body>,
}

impl SiteFiles {
    pub fn new(out: Vec<OutFile>) -> SiteFiles {
        let files = out
            .into_iter()
            .map(|f| match f {
                OutFile::Bytes(p, b) => (p, Body::Bytes(Arc::new(b))),
                OutFile::Copy(p, from) => (p, Body::File(from)),
            })
            .collect();
        SiteFiles { files }
    }

    /// Adds or replaces files (the search index, a changed stylesheet).
    pub fn extend(&mut self, out: Vec<OutFile>) {
        self.files.extend(SiteFiles::new(out).files);
    }

    /// Removes the files at `paths`.
    pub fn remove(&mut self, paths: &[String]) {
        for p in paths {
            self.files.remove(p);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Body> {
        self.files.get(path)
    }

    /// Copies of the generated files under `prefix`, e.g. `search/`.
    pub fn under(&self, prefix: &str) -> Vec<OutFile> {
        self.files
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .filter_map(|(k, b)| match b {
                Body::Bytes(bytes) => Some(OutFile::Bytes(k.clone(), bytes.as_ref().clone())),
                Body::File(_) => None,
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site, by its key.
    File(String),
    /// A folder asked for without its trailing slash: redirect so relative links work.
    Redirect(String),
    NotFound,
    Forbidden,
}

/// Resolves the path part of a request URL against the site.
pub fn resolve(site: &SiteFiles, url: &str) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = crate::paths::percent_decode(path) else {
        return Resolved::Forbidden;
    };
    if decoded.contains('\\') || decoded.contains('\0') {
        return Resolved::Forbidden;
    }
    let mut parts = Vec::new();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Resolved::Forbidden,
        }
    }
    let key = parts.join("/");
    if !key.is_empty() && site.get(&key).is_some() {
        return Resolved::File(key);
    }
    let index = if key.is_empty() {
        "index.html".to_string()
    } else {
        format!("{key}/index.html")
    };
    if site.get(&index).is_some() {
        if !key.is_empty() && !path.ends_with('/') {
            return Resolved::Redirect(format!("{path}/"));
        }
        return Resolved::File(index);
    }
    Resolved::NotFound
}

/// The Content-Type for a file name.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("txt" | "md") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// True for `localhost` names and IP literals. DNS rebinding needs a domain name that
/// resolves to us, so any other name is refused; an IP address (the one we listen on when
/// `--host` opens the server to the network) is fine.
pub fn host_allowed(host: Option<&str>) -> bool {
    let Some(host) = host else { return true };
    if let Some(v6) = host.strip_prefix('[') {
        return v6
            .split(']')
            .next()
            .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let name = host
        .rsplit_once(':')
        .map(|(h, _)| h)
        .unwrap_or(host)
        .to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn host_of(request: &Request) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string())
}

/// Answers one request. `inject` turns an HTML page into the served one (live reload).
pub fn respond(site: &SiteFiles, request: Request, inject: &dyn Fn(Vec<u8>) -> Vec<u8>) {
    if !host_allowed(host_of(&request).as_deref()) {
        let body = b"403 Forbidden: this server answers only to localhost".to_vec();
        return send(request, 403, "text/plain; charset=utf-8", &[], body);
    }
    match resolve(site, request.url()) {
        Resolved::File(key) => {
            let body = match site.get(&key) {
                Some(Body::Bytes(b)) => Some(b.as_ref().clone()),
                Some(Body::File(p)) => std::fs::read(p).ok(),
                None => None,
            };
            let Some(bytes) = body else {
                return not_found(site, request, inject);
            };
            let ct = content_type(&key);
            let bytes = if ct.starts_with("text/html") {
                inject(bytes)
            } else {
                bytes
            };
            send(request, 200, ct, &[], bytes);
        }
        Resolved::Redirect(to) => send(
            request,
            301,
            "text/plain; charset=utf-8",
            &[("Location", &to)],
            Vec::new(),
        ),
        Resolved::Forbidden => send(
            request,
            403,
            "text/plain; charset=utf-8",
            &[],
            b"403 Forbidden".to_vec(),
        ),
        Resolved::NotFound => not_found(site, request, inject),
    }
}

fn not_found(site: &SiteFiles, request: Request, inject: &dyn Fn(Vec<u8>) -> Vec<u8>) {
    let body = match site.get("404.html") {
        Some(Body::Bytes(b)) => inject(b.as_ref().clone()),
        _ => b"404 Not Found".to_vec(),
    };
    send(request, 404, "text/html; charset=utf-8", &[], body);
}

/// Writes the whole response, head and body, in one write. (Writing the head and the body
/// separately lets Nagle's algorithm and delayed ACKs stall every response by ~40 ms.)
pub fn send(
    request: Request,
    status: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "",
    };
    let head_only = *request.method() == tiny_http::Method::Head;
    let close = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Connection") && h.value.as_str().eq_ignore_ascii_case("close"));
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if close {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&body);
    }
    let mut writer = request.into_writer();
    let _ = writer.write_all(&out).and_then(|()| writer.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteFiles {
        SiteFiles::new(vec![
            OutFile::Bytes("index.html".into(), b"i".to_vec()),
            OutFile::Bytes("a/index.html".into(), b"a".to_vec()),
            OutFile::Bytes("a/b c.html".into(), b"b".to_vec()),
        ])
    }

    #[test]
    fn resolves_only_site_files() {
        let s = site();
        assert_eq!(resolve(&s, "/"), Resolved::File("index.html".into()));
        assert_eq!(resolve(&s, "/a/"), Resolved::File("a/index.html".into()));
        assert_eq!(resolve(&s, "/a"), Resolved::Redirect("/a/".into()));
        assert_eq!(
            resolve(&s, "/a/b%20c.html?x=1"),
            Resolved::File("a/b c.html".into())
        );
        for bad in [
            "/../secret.txt",
            "/a/../../etc/passwd",
            "/%2e%2e/secret.txt",
            "/..%2fsecret",
            "/a%5c..%5csecret",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(&s, bad), Resolved::Forbidden, "{bad}");
        }
        assert_eq!(resolve(&s, "/nope.html"), Resolved::NotFound);
        assert_eq!(resolve(&s, "/book.toml"), Resolved::NotFound);
    }

    #[test]
    fn only_local_hosts() {
        for ok in [
            None,
            Some("localhost:3000"),
            Some("127.0.0.1:3000"),
            Some("[::1]:3000"),
            Some("docs.localhost"),
            Some("192.168.1.5:3000"),
        ] {
            assert!(host_allowed(ok), "{ok:?}");
        }
        for bad in [
            "evil.example:3000",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "[evil]:80",
        ] {
            assert!(!host_allowed(Some(bad)), "{bad}");
        }
    }
}
