//! Identities as types: where a page comes from, where it is written, and its anchor ids.
//!
//! [`SourcePath`] is a file's path relative to the content folder; [`UrlPath`] is a page's path
//! relative to the site root (also its path inside the output folder); [`AnchorId`] is an
//! `id` attribute in a page. Every conversion between them lives here, so no other module
//! builds a URL by hand.

use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A file's path relative to the content folder, always with `/` separators. Shared, not
/// copied: the engine hands every page's path on each run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourcePath(Arc<str>);

impl SourcePath {
    /// `rel` must be relative to the content folder.
    pub fn from_relative(rel: &Path) -> Self {
        // A path already spelled as its parts joined with `/` (no `.`, no empty part, no
        // other separator) is taken as it is, without taking it apart.
        if let Some(s) = rel.to_str()
            && std::path::MAIN_SEPARATOR == '/'
            && s.split('/').all(|part| !part.is_empty() && part != ".")
        {
            return SourcePath(s.into());
        }
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        SourcePath(parts.join("/").into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder part, `""` at the content root.
    pub fn dir(&self) -> &str {
        self.0.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }

    pub fn file_name(&self) -> &str {
        self.0.rsplit_once('/').map(|(_, f)| f).unwrap_or(&*self.0)
    }

    pub fn stem(&self) -> &str {
        let name = self.file_name();
        name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name)
    }

    /// Resolves a relative link target written in this file (`../a/b.md`) to a source path.
    /// Returns `None` when the target climbs above the content root.
    pub fn join_link(&self, target: &str) -> Option<SourcePath> {
        let mut parts: Vec<&str> = if target.starts_with('/') {
            Vec::new()
        } else {
            self.dir().split('/').filter(|s| !s.is_empty()).collect()
        };
        for seg in target.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        Some(SourcePath(parts.join("/").into()))
    }

    pub fn to_path(&self, root: &Path) -> PathBuf {
        root.join(&*self.0)
    }
}

impl fmt::Display for SourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A page's path relative to the site root, e.g. `get-started/install.html`. Shared, not
/// copied, as [`SourcePath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UrlPath(Arc<str>);

impl UrlPath {
    pub fn new(path: impl Into<String>) -> Self {
        UrlPath(path.into().trim_start_matches('/').into())
    }

    /// The file an `aliases` entry names: `/billing/old-refunds/` ->
    /// `billing/old-refunds/index.html`, while `old.html` stays a file. A query or fragment is
    /// dropped and `%` escapes are decoded. Every segment must be a name [`name_problem`]
    /// accepts; the error says why one is not.
    pub fn from_alias(alias: &str) -> Result<UrlPath, String> {
        let clean = alias.trim().trim_start_matches('/');
        let clean = clean.split(['?', '#']).next().unwrap_or("");
        let clean = percent_decode(clean).ok_or("a `%` escape in it is broken")?;
        let parts: Vec<&str> = clean.split('/').filter(|p| !p.is_empty()).collect();
        if parts.is_empty() {
            return Err("it names no page".into());
        }
        if let Some(why) = parts.iter().find_map(|p| {
            let why = name_problem(p)?;
            Some(format!(
                "its part `{}` cannot be a file name: {why}",
                p.escape_debug()
            ))
        }) {
            return Err(why);
        }
        let joined = parts.join("/");
        if joined.ends_with(".html") || joined.ends_with(".htm") {
            Ok(UrlPath::new(joined))
        } else {
            Ok(UrlPath::new(format!("{joined}/index.html")))
        }
    }

    pub fn home() -> Self {
        UrlPath(Arc::from("index.html"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Folders between the site root and this page.
    pub fn depth(&self) -> usize {
        self.0.bytes().filter(|&b| b == b'/').count()
    }

    /// The prefix that leads from this page back to the site root: `""`, `"../"`, ...
    pub fn root_prefix(&self) -> String {
        "../".repeat(self.depth())
    }

    /// A relative href from the page at `self` to `target`.
    pub fn href_to(&self, target: &UrlPath) -> String {
        // The folders both paths start with, compared segment by segment without collecting.
        let (from_dir, to) = (self.dir(), target.as_str());
        let mut common = 0;
        let mut shared_dirs = 0;
        let mut rest = from_dir;
        while !rest.is_empty() {
            let (seg, next) = rest.split_once('/').unwrap_or((rest, ""));
            let end = common + seg.len();
            if to.get(common..end) != Some(seg) || to.as_bytes().get(end) != Some(&b'/') {
                break;
            }
            common = end + 1;
            shared_dirs += 1;
            rest = next;
        }
        let ups = self.depth() - shared_dirs;
        let mut href = String::with_capacity(3 * ups + to.len() - common);
        for _ in 0..ups {
            href.push_str("../");
        }
        encode_path(&to[common..], &mut href);
        href
    }

    /// The folders of this path, without a trailing `/`: `a/b` for `a/b/c.html`.
    pub fn dir(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(d, _)| d)
    }

    /// This path as it is written in a link: every character that would end it, start a
    /// query or a fragment, or read as a scheme (`?`, `#`, `%`, `:`, spaces) percent-encoded.
    pub fn encoded(&self) -> String {
        let mut out = String::with_capacity(self.0.len());
        for (i, seg) in self.0.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_segment(seg, &mut out);
        }
        out
    }

    /// Where this page is written inside `out`.
    pub fn to_output_path(&self, out: &Path) -> PathBuf {
        out.join(&*self.0)
    }
}

impl fmt::Display for UrlPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An `id` attribute in a page: a heading, a step, a branch option or an explicit `{#id}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AnchorId(String);

impl AnchorId {
    pub fn new(id: impl Into<String>) -> Self {
        AnchorId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AnchorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// [`encode_segment`] for each segment of `path`, `/` kept.
fn encode_path(path: &str, out: &mut String) {
    // Nearly every path needs no escape: copy it whole.
    if path.bytes().all(|b| plain_byte(b) || b == b'/') {
        out.push_str(path);
        return;
    }
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        encode_segment(seg, out);
    }
}

/// A byte [`encode_segment`] copies as it is, whatever stands around it.
fn plain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')
}

/// Appends `seg` to `out` with the characters a URL path segment cannot hold as they are
/// percent-encoded. Letters of any script stay as they are: browsers send them as UTF-8.
fn encode_segment(seg: &str, out: &mut String) {
    // Nearly every name needs no escape: copy it whole.
    if seg.bytes().all(plain_byte) {
        out.push_str(seg);
        return;
    }
    for c in seg.chars() {
        // Any white space, not only ASCII's: a link's text would end at U+00A0 or U+3000.
        if c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '"' | '#' | '%' | ':' | '<' | '>' | '?' | '\\' | '^' | '`' | '{' | '|' | '}'
            )
        {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
}

/// The longest file or folder name, in bytes, that common file systems accept.
pub const MAX_NAME_BYTES: usize = 255;

/// Why `name` cannot be a file or folder name that a writer chose for the output (a `slug`,
/// a segment of an alias), or `None` when it can. Such a name stays portable: it is not
/// hidden, holds no separator, no character that ends or escapes a link, and no character
/// Windows or macOS refuse in a file name.
pub fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name == "." || name == ".." {
        return Some("`.` and `..` name folders".into());
    }
    if name.starts_with('.') {
        return Some("it starts with `.`, which hides a file on most hosts".into());
    }
    if let Some(c) = name.chars().find(|c| {
        c.is_control()
            || matches!(
                c,
                '/' | '\\' | '?' | '#' | '%' | ':' | '*' | '"' | '<' | '>' | '|'
            )
    }) {
        return Some(format!("it holds {}", describe_char(c)));
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!(
            "it is {} bytes long; file systems allow {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    None
}

/// A character as a message shows it: `` `:` ``, or its code point when it is invisible.
pub fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("the character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// `a%20b` -> `a b`; `None` when an escape is broken or the bytes are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(
                s.get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())?,
            );
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// True when `inner` is `outer` or lies inside it, comparing cleaned absolute forms.
pub fn is_within(inner: &Path, outer: &Path) -> bool {
    let clean = |p: &Path| -> PathBuf {
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut out = PathBuf::new();
        for c in abs.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                other => out.push(other),
            }
        }
        std::fs::canonicalize(&out).unwrap_or(out)
    };
    clean(inner).starts_with(clean(outer))
}

/// A URL-safe slug: lowercase letters, digits and `-`, as help centers and static hosts like.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn href_between_pages() {
        let home = UrlPath::home();
        let a = UrlPath::new("get-started/install.html");
        let b = UrlPath::new("write/deep/x.html");
        assert_eq!(home.href_to(&a), "get-started/install.html");
        assert_eq!(a.href_to(&home), "../index.html");
        assert_eq!(a.href_to(&b), "../write/deep/x.html");
        assert_eq!(b.href_to(&a), "../../get-started/install.html");
        assert_eq!(
            a.href_to(&UrlPath::new("get-started/index.html")),
            "index.html"
        );
        assert_eq!(b.root_prefix(), "../../");
    }

    #[test]
    fn link_resolution() {
        let s = SourcePath::from_relative(Path::new("write/steps.md"));
        assert_eq!(
            s.join_link("../get-started/install.md").unwrap().as_str(),
            "get-started/install.md"
        );
        assert_eq!(
            s.join_link("callouts.md").unwrap().as_str(),
            "write/callouts.md"
        );
        assert!(s.join_link("../../x.md").is_none());
    }

    #[test]
    fn hrefs_encode_what_a_path_cannot_hold() {
        let home = UrlPath::home();
        let odd = UrlPath::new("g/what?#100%: a\tb\"<>.html");
        let want = "g/what%3F%23100%25%3A%20a%09b%22%3C%3E.html";
        assert_eq!(home.href_to(&odd), want);
        assert_eq!(odd.encoded(), want);
        assert_eq!(percent_decode(want).as_deref(), Some(odd.as_str()));
        // Letters of any script stay as they are.
        assert_eq!(UrlPath::new("café/日本.html").encoded(), "café/日本.html");
        // White space of any script is escaped, so no link ends early.
        let spaced = UrlPath::new("ex.md`` ``\u{a0}/a\u{3000}b\u{2028}.html");
        let want = "ex.md%60%60%20%60%60%C2%A0/a%E3%80%80b%E2%80%A8.html";
        assert_eq!(spaced.encoded(), want);
        assert_eq!(percent_decode(want).as_deref(), Some(spaced.as_str()));
    }

    #[test]
    fn aliases_become_files_or_say_why_not() {
        let ok = |a: &str| UrlPath::from_alias(a).unwrap().to_string();
        assert_eq!(ok("/billing/old/"), "billing/old/index.html");
        assert_eq!(ok("old.html?x=1#top"), "old.html");
        assert_eq!(ok("caf%C3%A9"), "café/index.html");
        let err = |a: &str| UrlPath::from_alias(a).unwrap_err();
        assert_eq!(err("/"), "it names no page");
        assert_eq!(err("a/%zz"), "a `%` escape in it is broken");
        assert_eq!(
            err("a/../b"),
            "its part `..` cannot be a file name: `.` and `..` name folders"
        );
        assert_eq!(
            err("x/javascript:alert(1)"),
            "its part `javascript:alert(1)` cannot be a file name: it holds `:`"
        );
        assert_eq!(
            err("a\\b"),
            "its part `a\\\\b` cannot be a file name: it holds `\\`"
        );
    }

    #[test]
    fn names_writers_choose() {
        assert_eq!(name_problem("reset-password"), None);
        assert_eq!(name_problem("Café 2"), None);
        assert_eq!(name_problem("").as_deref(), Some("it is empty"));
        assert_eq!(
            name_problem(".env").as_deref(),
            Some("it starts with `.`, which hides a file on most hosts")
        );
        assert_eq!(
            name_problem("a\nb").as_deref(),
            Some("it holds the character U+000A")
        );
        assert_eq!(
            name_problem(&"x".repeat(256)).as_deref(),
            Some("it is 256 bytes long; file systems allow 255")
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("How to turn on MFA in TikTok manually"),
            "how-to-turn-on-mfa-in-tiktok-manually"
        );
        assert_eq!(slugify("  Café: déjà vu! "), "café-déjà-vu");
    }
}
