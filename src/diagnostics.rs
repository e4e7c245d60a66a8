//! Diagnostics: every problem stepbook reports to a writer.
//!
//! Stages never print and never stop at the first problem: they push [`Diagnostic`]s into a
//! [`Diagnostics`] collection, and `main` renders the whole collection at the end, rustc-style
//! (`file:line:col`, the source line with a caret, a hint). This module owns the rendering and
//! the JSON shape of `check --format json`; it knows nothing about Markdown or config.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How bad a diagnostic is. Errors fail the build (exit code 1); warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A position in a source file, 1-based, with the length of the marked span in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    /// The whole source line, shown under the message.
    pub source_line: Option<String>,
    /// Characters to underline from `col`; at least one.
    pub len: usize,
    /// For text of a snippet: the include lines that brought it into the page, innermost
    /// first, each as the file and the line.
    pub via: Vec<(PathBuf, usize)>,
}

/// One problem, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `frontmatter-type`.
    pub code: &'static str,
    pub message: String,
    pub location: Option<Box<Location>>,
    pub hint: Option<String>,
}

/// A diagnostic read back (from the engine's cache). Codes are few, so each distinct one is
/// kept once for the life of the process.
impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use std::sync::Mutex;
        static CODES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
        #[derive(Deserialize)]
        struct Read {
            severity: Severity,
            code: String,
            message: String,
            location: Option<Box<Location>>,
            hint: Option<String>,
        }
        let r = Read::deserialize(d)?;
        let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
        let code = match codes.iter().find(|c| **c == r.code) {
            Some(known) => known,
            None => {
                let kept: &'static str = Box::leak(r.code.into_boxed_str());
                codes.push(kept);
                kept
            }
        };
        Ok(Diagnostic {
            severity: r.severity,
            code,
            message: r.message,
            location: r.location,
            hint: r.hint,
        })
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    /// Points at a file without a position (I/O errors, whole-file problems).
    pub fn in_file(mut self, path: &Path) -> Self {
        self.location = Some(Box::new(Location {
            path: path.to_path_buf(),
            line: 0,
            col: 0,
            source_line: None,
            len: 0,
            via: Vec::new(),
        }));
        self
    }

    /// Points at a byte offset of `source`, the full text of the file at `path`.
    pub fn at(self, path: &Path, source: &str, offset: usize, len_bytes: usize) -> Self {
        self.at_line_of(path, source, offset, len_bytes, |before| {
            let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
            (before.matches('\n').count() + 1, line_start)
        })
    }

    /// [`Diagnostic::at`] in the text of `locate`'s file, found through its line index.
    pub fn located(self, locate: &Locator, offset: usize, len_bytes: usize) -> Self {
        self.at_through(
            locate.path,
            locate.source,
            locate.index(),
            offset,
            len_bytes,
        )
    }

    /// [`Diagnostic::at`], the line found through `index`, a [`LineIndex`] of `source`.
    pub fn at_through(
        self,
        path: &Path,
        source: &str,
        index: &LineIndex,
        offset: usize,
        len_bytes: usize,
    ) -> Self {
        self.at_line_of(path, source, offset, len_bytes, |before| {
            let line = index.line_of(before.len());
            (line, index.line_start(line))
        })
    }

    /// [`Diagnostic::at`], with `line_of` telling the 1-based line of the text `before` the
    /// offset ends on and where that line starts.
    fn at_line_of(
        mut self,
        path: &Path,
        source: &str,
        offset: usize,
        len_bytes: usize,
        line_of: impl FnOnce(&str) -> (usize, usize),
    ) -> Self {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &source[..offset];
        let (line, line_start) = line_of(before);
        let line_end = source[offset..]
            .find('\n')
            .map(|i| offset + i)
            .unwrap_or(source.len());
        let pos = (line, before[line_start..].chars().count() + 1);
        let line_text = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_string();
        let end = (offset + len_bytes).min(source.len());
        let len = source
            .get(offset.min(end)..end)
            .map(|s| s.lines().next().unwrap_or("").chars().count())
            .unwrap_or(1)
            .max(1);
        self.location = Some(Box::new(Location {
            path: path.to_path_buf(),
            line: pos.0,
            col: pos.1,
            source_line: Some(line_text),
            len,
            via: Vec::new(),
        }));
        self
    }

    /// Points at a 1-based line and column of `source`.
    pub fn at_line_col(self, path: &Path, source: &str, line: usize, col: usize) -> Self {
        let line_text = nth_line(source, line.saturating_sub(1));
        self.at_line_text(path, line, col, line_text)
    }

    fn at_line_text(mut self, path: &Path, line: usize, col: usize, text: Option<&str>) -> Self {
        let line_text = text.map(str::to_string);
        self.location = Some(Box::new(Location {
            path: path.to_path_buf(),
            line,
            col,
            source_line: line_text,
            len: 1,
            via: Vec::new(),
        }));
        self
    }

    /// Notes the include lines that brought the located text into a page (see
    /// [`Location::via`]).
    pub fn with_via(mut self, via: Vec<(PathBuf, usize)>) -> Self {
        if let Some(loc) = &mut self.location {
            loc.via = via;
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One file's text, in which [`Diagnostic::located`] points diagnostics as
/// [`Diagnostic::at`] does, through a [`LineIndex`] made for the first of them: a check that
/// may report a problem at each of thousands of places in one large page stays linear in its
/// size.
pub struct Locator<'a> {
    path: &'a Path,
    source: &'a str,
    index: std::sync::OnceLock<LineIndex>,
}

impl<'a> Locator<'a> {
    pub fn new(path: &'a Path, source: &'a str) -> Self {
        Locator {
            path,
            source,
            index: std::sync::OnceLock::new(),
        }
    }

    /// [`Diagnostic::at_line_col`] in this file's text.
    pub fn at_line(&self, d: Diagnostic, line: usize, col: usize) -> Diagnostic {
        let start = self.index().starts.get(line.saturating_sub(1));
        let text = start.and_then(|&s| nth_line(&self.source[s..], 0));
        d.at_line_text(self.path, line, col, text)
    }

    /// Byte offset where 1-based `line` starts ([`LineIndex::line_start`]).
    pub fn line_start(&self, line: usize) -> usize {
        self.index().line_start(line)
    }

    /// The 1-based line of the byte at `offset`; the last line for an offset past the end.
    pub fn line(&self, offset: usize) -> usize {
        self.index().line_of(offset.min(self.source.len()))
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(self.source))
    }
}

/// Byte offset to (line, column) conversion, both 1-based; columns count characters.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1))
            .collect();
        Self { starts }
    }

    /// The 1-based line that holds the byte at `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        // The first start is 0, so at least one start is not after any offset.
        self.starts.partition_point(|&s| s <= offset)
    }

    /// Byte offset where 1-based `line` starts; the last line's start past the end.
    pub fn line_start(&self, line: usize) -> usize {
        let i = line.clamp(1, self.starts.len()) - 1;
        self.starts[i]
    }

    pub fn position(&self, source: &str, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(source.len());
        while !source.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let col = source
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }
}

/// Every diagnostic of one run, in the order found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// For `check`: every snippet file and the pages that include it, for the JSON report.
    includers: std::collections::BTreeMap<PathBuf, Vec<PathBuf>>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(ds);
    }

    /// Notes the pages that include the snippet at `snippet` (none: it is unused), which
    /// the JSON report gives with every problem of that file.
    pub fn note_includers(&mut self, snippet: PathBuf, pages: Vec<PathBuf>) {
        self.includers.insert(snippet, pages);
    }

    /// The number of diagnostics so far.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Changes, with `f`, every diagnostic from the `from`th on.
    pub fn adjust_from(&mut self, from: usize, f: impl FnMut(&mut Diagnostic)) {
        self.items.iter_mut().skip(from).for_each(f);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorts by file, then position, so output is stable whatever the build's thread order.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.path.clone(), l.line, l.col))
                    .unwrap_or_default()
            };
            key(a).cmp(&key(b)).then(a.severity.cmp(&b.severity))
        });
    }

    /// Renders every diagnostic rustc-style, paths shown relative to `root`, ending with a
    /// summary line.
    pub fn render(&self, root: &Path) -> String {
        let mut out = String::new();
        for d in &self.items {
            out.push_str(&render_one(d, root));
            out.push('\n');
        }
        let (e, w) = (self.error_count(), self.warning_count());
        if e > 0 {
            out.push_str(&format!(
                "error: found {} and {}\n",
                plural(e, "error"),
                plural(w, "warning")
            ));
        } else if w > 0 {
            out.push_str(&format!("warning: found {}\n", plural(w, "warning")));
        }
        out
    }

    /// The `check --format json` shape: a JSON array of flat objects with the keys
    /// `file`, `line`, `col`, `severity`, `code`, `message`, `hint`; `included_from`
    /// (`file:line` of each include line, innermost first) for a problem in a snippet's text,
    /// and `used_by` (every page that includes it) for a problem whose file is a snippet.
    /// Every snippet that is included and has no problem gets a row of its own, severity
    /// `info` and code `snippet-used`, so the JSON tells which pages use each snippet.
    pub fn to_json(&self, root: &Path) -> String {
        #[derive(Serialize)]
        struct Row<'a> {
            file: Option<String>,
            line: Option<usize>,
            col: Option<usize>,
            severity: &'a str,
            code: &'a str,
            message: std::borrow::Cow<'a, str>,
            hint: Option<&'a str>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            included_from: Vec<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            used_by: Option<Vec<String>>,
        }
        let mut rows: Vec<Row> = self
            .items
            .iter()
            .map(|d| {
                let loc = d.location.as_ref();
                Row {
                    file: loc.map(|l| display_path(&l.path, root)),
                    line: loc.filter(|l| l.line > 0).map(|l| l.line),
                    col: loc.filter(|l| l.col > 0).map(|l| l.col),
                    severity: match d.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    },
                    code: d.code,
                    message: d.message.as_str().into(),
                    hint: d.hint.as_deref(),
                    included_from: loc
                        .map(|l| {
                            l.via
                                .iter()
                                .map(|(p, line)| format!("{}:{line}", display_path(p, root)))
                                .collect()
                        })
                        .unwrap_or_default(),
                    used_by: loc
                        .and_then(|l| self.includers.get(&l.path))
                        .map(|pages| pages.iter().map(|p| display_path(p, root)).collect()),
                }
            })
            .collect();
        let reported: std::collections::HashSet<&Path> = self
            .items
            .iter()
            .filter_map(|d| d.location.as_ref().map(|l| l.path.as_path()))
            .collect();
        for (snippet, pages) in &self.includers {
            if pages.is_empty() || reported.contains(snippet.as_path()) {
                continue;
            }
            rows.push(Row {
                file: Some(display_path(snippet, root)),
                line: None,
                col: None,
                severity: "info",
                code: "snippet-used",
                message: format!("included by {}", plural(pages.len(), "page")).into(),
                hint: None,
                included_from: Vec::new(),
                used_by: Some(pages.iter().map(|p| display_path(p, root)).collect()),
            });
        }
        serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `path` relative to `root` when it lies under it, with forward slashes.
pub fn display_path(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

fn render_one(d: &Diagnostic, root: &Path) -> String {
    let label = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{label}[{}]: {}\n", d.code, d.message);
    if let Some(loc) = &d.location {
        let path = display_path(&loc.path, root);
        if loc.line == 0 {
            out.push_str(&format!("  --> {path}\n"));
        } else {
            out.push_str(&format!("  --> {path}:{}:{}\n", loc.line, loc.col));
        }
        if let Some(text) = &loc.source_line {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            let shown = text.replace('\t', " ");
            let indent: String = " ".repeat(loc.col.saturating_sub(1));
            out.push_str(&format!(
                "{pad} |\n{} | {shown}\n{pad} | {indent}{}\n",
                loc.line,
                "^".repeat(loc.len.max(1))
            ));
        }
        for (path, line) in &loc.via {
            out.push_str(&format!(
                "  = note: included from {}:{line}\n",
                display_path(path, root)
            ));
        }
    }
    if let Some(hint) = &d.hint {
        out.push_str(&format!("  = hint: {hint}\n"));
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(render_one(self, Path::new("")).trim_end())
    }
}

/// The line of `source` after the first `n`, as `source.lines().nth(n)` gives it, found
/// with a vectorized search for line ends: a line deep in a large file (the anchor record's
/// are tens of megabytes) is found many times faster.
fn nth_line(source: &str, n: usize) -> Option<&str> {
    let start = match n {
        0 => 0,
        _ => memchr::memchr_iter(b'\n', source.as_bytes()).nth(n - 1)? + 1,
    };
    let rest = source.get(start..).filter(|r| !r.is_empty())?;
    Some(match memchr::memchr(b'\n', rest.as_bytes()) {
        Some(end) => rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]),
        None => rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts with every kind of line end, empty lines and none.
    const TEXTS: [&str; 10] = [
        "",
        "a",
        "a\n",
        "a\nb",
        "a\r\nb\r\n",
        "a\n\nb\n\n",
        "\n",
        "x\r",
        "x\r\ny\r",
        "é\nü\r\n",
    ];

    #[test]
    fn a_line_is_found_as_lines_finds_it() {
        for text in TEXTS {
            for n in 0..6 {
                assert_eq!(nth_line(text, n), text.lines().nth(n), "{text:?} line {n}");
            }
        }
    }

    #[test]
    fn a_line_found_through_an_index_is_the_line_found_by_reading() {
        let path = Path::new("anchors.lock");
        for text in TEXTS {
            let locator = Locator::new(path, text);
            for line in 0..7 {
                let read = Diagnostic::warning("w", "m").at_line_col(path, text, line, 2);
                let located = locator.at_line(Diagnostic::warning("w", "m"), line, 2);
                assert_eq!(located, read, "{text:?} line {line}");
            }
        }
    }

    #[test]
    fn a_place_located_through_an_index_is_the_place_found_by_reading() {
        let path = Path::new("a.md");
        for text in TEXTS {
            let locator = Locator::new(path, text);
            for offset in 0..=text.len() + 1 {
                for len in [0, 1, 3, 10] {
                    let read = Diagnostic::warning("w", "m").at(path, text, offset, len);
                    let located = Diagnostic::warning("w", "m").located(&locator, offset, len);
                    assert_eq!(located, read, "{text:?} at {offset}, {len} bytes");
                }
            }
        }
    }

    #[test]
    fn line_index_counts_chars_not_bytes() {
        let src = "a\nxé y\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(src, 0), (1, 1));
        assert_eq!(idx.position(src, 2), (2, 1));
        assert_eq!(idx.position(src, src.find('y').unwrap()), (2, 4));
    }

    #[test]
    fn renders_rustc_style() {
        let src = "---\nintercom_id: abc\n---\n";
        let d = Diagnostic::error("frontmatter-type", "`intercom_id` must be a number")
            .at(Path::new("/site/content/a.md"), src, 17, 3)
            .with_hint("write digits only, e.g. `intercom_id: 5955049`");
        let mut all = Diagnostics::new();
        all.push(d);
        assert_eq!(
            all.render(Path::new("/site")),
            "error[frontmatter-type]: `intercom_id` must be a number\n  --> content/a.md:2:14\n  |\n2 | intercom_id: abc\n  |              ^^^\n  = hint: write digits only, e.g. `intercom_id: 5955049`\n\nerror: found 1 error and 0 warnings\n"
        );
    }
}
