//! HTTP for the dev server: answer a request from the site held in memory, or refuse it.
//!
//! The site is exactly the files a build would write ([`SiteFiles`]), so nothing else on disk
//! can be reached. Request paths are percent-decoded; `..`, backslashes and NUL are refused.
//! Requests whose `Host` is not a loopback name are refused too, which blocks DNS rebinding,
//! and so is every method but GET and HEAD. HTML pages get the live-reload script; nothing of
//! it is in `stepbook build` output. This module builds hyper responses and never touches a
//! connection: [`super::server`] owns those.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderName, HeaderValue};
use hyper::{Method, Response, StatusCode};

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
            // One leading slash: `//a` would be the host `a` to the browser.
            return Resolved::Redirect(format!("/{}/", path.trim_start_matches('/')));
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

/// A response body: a whole file, or an event stream ([`super::reload`]).
pub type ResBody = BoxBody<Bytes, Infallible>;

/// The refusal owed to a request before its path is even looked at: a `Host` that is not
/// loopback (DNS rebinding), or a method other than GET and HEAD (405). `None`: go on.
pub fn refuse(method: &Method, host: Option<&HeaderValue>) -> Option<Response<ResBody>> {
    let host_ok = match host {
        None => true,
        Some(h) => h.to_str().is_ok_and(|h| host_allowed(Some(h))),
    };
    if !host_ok {
        let body = "403 Forbidden: this server answers only to localhost";
        return Some(reply(StatusCode::FORBIDDEN, TEXT, &[], body.into()));
    }
    if method != Method::GET && method != Method::HEAD {
        let allow = [(header::ALLOW, "GET, HEAD")];
        let body = "405 Method Not Allowed: this server only reads";
        return Some(reply(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT,
            &allow,
            body.into(),
        ));
    }
    None
}

/// Answers a GET or HEAD for `path` (a request's path, undecoded). `inject` turns an HTML page
/// into the served one (live reload).
pub fn respond(
    site: &SiteFiles,
    path: &str,
    inject: &dyn Fn(Vec<u8>) -> Vec<u8>,
) -> Response<ResBody> {
    match resolve(site, path) {
        Resolved::File(key) => {
            let ct = content_type(&key);
            let body = match site.get(&key) {
                Some(Body::Bytes(b)) if ct.starts_with("text/html") => {
                    Some(Bytes::from(inject(b.as_ref().clone())))
                }
                Some(Body::Bytes(b)) => Some(Bytes::from_owner(Shared(b.clone()))),
                Some(Body::File(p)) => std::fs::read(p).ok().map(|b| match ct {
                    c if c.starts_with("text/html") => Bytes::from(inject(b)),
                    _ => Bytes::from(b),
                }),
                None => None,
            };
            match body {
                Some(body) => reply(StatusCode::OK, ct, &[], body),
                None => not_found(site, inject),
            }
        }
        Resolved::Redirect(to) => {
            let location = [(header::LOCATION, to.as_str())];
            reply(StatusCode::MOVED_PERMANENTLY, TEXT, &location, Bytes::new())
        }
        Resolved::Forbidden => reply(StatusCode::FORBIDDEN, TEXT, &[], "403 Forbidden".into()),
        Resolved::NotFound => not_found(site, inject),
    }
}

fn not_found(site: &SiteFiles, inject: &dyn Fn(Vec<u8>) -> Vec<u8>) -> Response<ResBody> {
    let body = match site.get("404.html") {
        Some(Body::Bytes(b)) => Bytes::from(inject(b.as_ref().clone())),
        _ => Bytes::from_static(b"404 Not Found"),
    };
    reply(StatusCode::NOT_FOUND, "text/html; charset=utf-8", &[], body)
}

const TEXT: &str = "text/plain; charset=utf-8";

/// A whole response. hyper adds `Content-Length` and leaves the body out for HEAD.
pub fn reply(
    status: StatusCode,
    content_type: &'static str,
    headers: &[(HeaderName, &str)],
    body: Bytes,
) -> Response<ResBody> {
    let mut response = Response::new(Full::new(body).boxed());
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    for (k, v) in headers {
        if let Ok(v) = HeaderValue::from_str(v) {
            h.insert(k.clone(), v);
        }
    }
    response
}

/// A site file's bytes shared with the response, not copied.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
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
        assert_eq!(resolve(&s, "//a"), Resolved::Redirect("/a/".into()));
        assert_eq!(resolve(&s, "///a?x=1"), Resolved::Redirect("/a/".into()));
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
