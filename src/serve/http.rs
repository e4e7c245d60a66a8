//! HTTP for the dev server: map a request path to a file under the output folder, or refuse.
//!
//! Paths are percent-decoded, then any `..`, backslash, NUL or absolute part is refused, and the
//! resolved file must still lie inside the output folder after symlinks are followed.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use tiny_http::{Header, Request, Response, StatusCode};

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect so relative links work.
    Redirect(String),
    NotFound,
    Forbidden,
}

/// Resolves the path part of a request URL against `root`.
pub fn resolve(root: &Path, url: &str) -> Resolved {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let Some(decoded) = percent_decode(path) else {
        return Resolved::Forbidden;
    };
    if decoded.contains('\\') || decoded.contains('\0') {
        return Resolved::Forbidden;
    }
    let rel = decoded.trim_start_matches('/');
    let mut clean = PathBuf::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => clean.push(p),
            Component::CurDir => {}
            _ => return Resolved::Forbidden,
        }
    }
    let mut file = root.join(&clean);
    if file.is_dir() {
        if !path.ends_with('/') && !path.is_empty() {
            return Resolved::Redirect(format!("{path}/"));
        }
        file = file.join("index.html");
    }
    let (Ok(real), Ok(real_root)) = (file.canonicalize(), root.canonicalize()) else {
        return Resolved::NotFound;
    };
    if !real.starts_with(&real_root) {
        return Resolved::Forbidden;
    }
    if real.is_file() {
        Resolved::File(real)
    } else {
        Resolved::NotFound
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let v = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
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

fn header(k: &str, v: &str) -> Header {
    Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("static header is valid")
}

/// Answers one request from the files under `root`.
pub fn respond(root: &Path, request: Request) {
    let result = match resolve(root, request.url()) {
        Resolved::File(path) => match File::open(&path) {
            Ok(f) => request.respond(
                Response::from_file(f)
                    .with_header(header("Content-Type", content_type(&path)))
                    .with_header(header("Cache-Control", "no-cache")),
            ),
            Err(_) => not_found(root, request),
        },
        Resolved::Redirect(to) => {
            request.respond(Response::empty(StatusCode(301)).with_header(header("Location", &to)))
        }
        Resolved::Forbidden => {
            request.respond(Response::from_string("403 Forbidden").with_status_code(403))
        }
        Resolved::NotFound => not_found(root, request),
    };
    let _ = result;
}

fn not_found(root: &Path, request: Request) -> std::io::Result<()> {
    let body = std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"404 Not Found".to_vec());
    request.respond(
        Response::from_data(body)
            .with_status_code(404)
            .with_header(header("Content-Type", "text/html; charset=utf-8")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_inside_the_root() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("site");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("index.html"), "i").unwrap();
        std::fs::write(root.join("a/index.html"), "a").unwrap();
        std::fs::write(root.join("a/b c.html"), "b").unwrap();
        std::fs::write(d.path().join("secret.txt"), "s").unwrap();
        let real = |p: &str| Resolved::File(root.join(p).canonicalize().unwrap());
        assert_eq!(resolve(&root, "/"), real("index.html"));
        assert_eq!(resolve(&root, "/a/"), real("a/index.html"));
        assert_eq!(resolve(&root, "/a"), Resolved::Redirect("/a/".into()));
        assert_eq!(resolve(&root, "/a/b%20c.html?x=1"), real("a/b c.html"));
        for bad in [
            "/../secret.txt",
            "/a/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/a%5c..%5c..%5csecret.txt",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(resolve(&root, bad), Resolved::Forbidden, "{bad}");
        }
        assert_eq!(resolve(&root, "/nope.html"), Resolved::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(d.path().join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(d.path().join("secret.txt"), root.join("link.txt")).unwrap();
        assert_eq!(resolve(&root, "/link.txt"), Resolved::Forbidden);
    }
}
