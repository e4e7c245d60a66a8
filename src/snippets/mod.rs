//! Snippets: text written once in `content/_snippets/` and included in many pages (user
//! guide: `content/write/reuse-steps-with-snippets.md`).
//!
//! A line `::: include NAME` outside code (NAME relative to `_snippets/`, `.md` optional) is
//! replaced by the snippet's text before the page is parsed, each line indented like the
//! include line, so list items continue the list around them and steps are numbered and given
//! ids exactly as if the text were written inline. Snippets may include snippets.
//!
//! In: a page's text and the [`Library`] of snippets. Out: [`Expanded`]: the page's text with
//! every include replaced, the [`Origins`] line map back to the files it came from, the
//! snippets it read (the engine's record, so editing a snippet reruns exactly the pages that
//! include it) and the problems: a missing snippet (with the nearest name), a cycle (with the
//! whole chain), a page grown past [`MAX_BYTES`]. This module reads no files.

mod origins;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use pulldown_cmark::{Event, Parser, Tag};

use origins::Line;
pub use origins::{Inclusion, Origins};

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::paths::SourcePath;

/// The folder of the content folder that holds snippets.
pub const FOLDER: &str = "_snippets";

/// A page may grow to this many bytes through its includes; an include past it is left out.
/// Each include also counts [`INCLUDE_COST`] bytes, so that thousands of includes of an empty
/// snippet stop too.
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
const INCLUDE_COST: usize = 64;

/// One snippet file.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub source: SourcePath,
    pub abs: PathBuf,
    pub text: Arc<str>,
}

/// Every snippet of the site, by name (`account/open-security-tab`).
#[derive(Default)]
pub struct Library {
    by_name: HashMap<String, Snippet>,
    names: Vec<String>,
    near: OnceLock<crate::suggest::Suggester>,
}

/// The name a snippet file is included by: its path under `_snippets/`, without `.md`.
pub fn name_of(source: &SourcePath) -> Option<&str> {
    source
        .as_str()
        .strip_prefix(FOLDER)?
        .strip_prefix('/')?
        .strip_suffix(".md")
}

impl Library {
    /// The library of `snippets`, and an error for each that opens with frontmatter.
    pub fn new(snippets: Vec<Snippet>) -> (Library, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let mut by_name = HashMap::with_capacity(snippets.len());
        for s in snippets {
            if matches!(crate::frontmatter::split(&s.text), Ok(split) if split.yaml.is_some()) {
                problems.push(
                    Diagnostic::error(
                        "snippet-frontmatter",
                        "a snippet has no frontmatter: this block would be included as text",
                    )
                    .at_line_col(&s.abs, &s.text, 1, 1)
                    .with_hint("remove the block; the page that includes the snippet has the title and the other keys"),
                );
            }
            if let Some(name) = name_of(&s.source) {
                by_name.insert(name.to_string(), s);
            }
        }
        let mut names: Vec<String> = by_name.keys().cloned().collect();
        names.sort_unstable();
        let library = Library {
            by_name,
            names,
            near: OnceLock::new(),
        };
        (library, problems)
    }

    pub fn get(&self, name: &str) -> Option<&Snippet> {
        self.by_name.get(name)
    }

    /// The snippet `name` with the library's own copy of its name.
    pub fn entry(&self, name: &str) -> Option<(&str, &Snippet)> {
        self.by_name
            .get_key_value(name)
            .map(|(k, v)| (k.as_str(), v))
    }

    /// Every snippet, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Snippet)> {
        self.names.iter().map(|n| (n.as_str(), &self.by_name[n]))
    }

    /// A fingerprint of the names, to tell whether a suggestion could change.
    pub fn names_fingerprint(&self) -> u64 {
        crate::suggest::fingerprint(&self.names)
    }

    fn nearest(&self, name: &str) -> Option<&str> {
        let near = self
            .near
            .get_or_init(|| crate::suggest::Suggester::new(self.names.iter().map(String::as_str)));
        let i = *near.closest_path(name, 1).first()?;
        Some(&self.names[i])
    }
}

/// A page's text with its includes replaced.
#[derive(Debug, Clone)]
pub struct Expanded {
    /// The whole file, frontmatter and expanded body; the page's own text when it includes
    /// nothing.
    pub text: Arc<str>,
    /// `None` when the page includes nothing.
    pub origins: Option<Arc<Origins>>,
    /// Every snippet name looked up, once each, and the text it had (`None`: no such
    /// snippet).
    pub read: Vec<(String, Option<Arc<str>>)>,
    /// The fingerprint of the names when a missing snippet was given the nearest name.
    pub names: Option<u64>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Expanded {
    /// Whether expanding the same page text against `library` would give the same result.
    pub fn still_valid(&self, library: &Library) -> bool {
        self.read.iter().all(
            |(name, was)| match (library.get(name).map(|s| &s.text), was) {
                (Some(now), Some(was)) => Arc::ptr_eq(now, was) || **now == **was,
                (None, None) => true,
                _ => false,
            },
        ) && self.names.is_none_or(|n| n == library.names_fingerprint())
    }

    /// The snippets the page included, found ones only, each once, sorted.
    pub fn used(&self) -> impl Iterator<Item = &str> {
        self.read
            .iter()
            .filter(|(_, t)| t.is_some())
            .map(|(n, _)| n.as_str())
    }
}

/// Replaces every include line of the page (`text`, whose body starts at `body_offset`).
pub fn expand(
    abs: &Path,
    source: &SourcePath,
    text: &Arc<str>,
    body_offset: usize,
    library: &Library,
) -> Expanded {
    let unchanged = || Expanded {
        text: text.clone(),
        origins: None,
        read: Vec::new(),
        names: None,
        diagnostics: Vec::new(),
    };
    let body = &text[body_offset..];
    if !body.contains("include") {
        return unchanged();
    }
    let mut run = Run {
        library,
        out: String::with_capacity(text.len()),
        lines: Vec::new(),
        files: vec![Inclusion {
            abs: abs.to_path_buf(),
            source: source.clone(),
            from: None,
        }],
        texts: vec![Text::new(text.clone())],
        stack: Vec::new(),
        read: Vec::new(),
        names: None,
        diagnostics: Vec::new(),
        included: false,
        spent: text.len(),
        over: false,
    };
    let head = &text[..body_offset];
    run.out.push_str(head);
    let head_lines = head.matches('\n').count();
    run.lines.extend((1..=head_lines).map(|n| Line {
        file: 0,
        line: n as u32,
        indent: 0,
    }));
    run.walk(0, body_offset, head_lines + 1, "");
    // One record per snippet, however often it was included: a name has one text per run.
    run.read.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    run.read.dedup_by(|a, b| a.0 == b.0);
    if !run.included && run.diagnostics.is_empty() {
        return Expanded {
            read: run.read,
            names: run.names,
            ..unchanged()
        };
    }
    let starts = std::iter::once(0)
        .chain(run.out.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    Expanded {
        text: Arc::from(run.out),
        origins: Some(Arc::new(Origins {
            files: run.files,
            lines: run.lines,
            starts,
        })),
        read: run.read,
        names: run.names,
        diagnostics: run.diagnostics,
    }
}

/// One expansion under way.
struct Run<'l> {
    library: &'l Library,
    out: String,
    lines: Vec<Line>,
    files: Vec<Inclusion>,
    /// The text of each inclusion in `files`.
    texts: Vec<Text>,
    /// The names of the snippets being included, outermost first.
    stack: Vec<String>,
    read: Vec<(String, Option<Arc<str>>)>,
    names: Option<u64>,
    diagnostics: Vec<Diagnostic>,
    included: bool,
    /// Bytes counted against [`MAX_BYTES`].
    spent: usize,
    /// The page reached [`MAX_BYTES`]: later includes are left out without a word.
    over: bool,
}

/// The text of one inclusion, with where its lines start, found for its first problem: a
/// page may have a problem at each of thousands of include lines.
struct Text {
    text: Arc<str>,
    lines: OnceCell<LineIndex>,
}

impl Text {
    fn new(text: Arc<str>) -> Text {
        Text {
            text,
            lines: OnceCell::new(),
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }
}

impl Run<'_> {
    /// Copies the text of inclusion `file` from byte `from`, whose first line is `first_line`,
    /// with `indent` in front of every line that is not blank, replacing include lines.
    fn walk(&mut self, file: usize, from: usize, first_line: usize, indent: &str) {
        let text = self.texts[file].text.clone();
        let region = &text[from..];
        let code = code_blocks(region);
        let indent_chars = indent.chars().count() as u32;
        let (mut at, mut next_code) = (0, 0);
        for (n, line) in region.split_inclusive('\n').enumerate() {
            let line_no = first_line + n;
            // Code blocks come in order: skip those that end before this line.
            while code.get(next_code).is_some_and(|r| r.end <= at) {
                next_code += 1;
            }
            let in_code = code
                .get(next_code)
                .is_some_and(|r| r.start < at + line.len());
            let own = line.len() - line.trim_start_matches([' ', '\t']).len();
            match include_name(&line[own..]).filter(|_| !in_code) {
                Some(name) => {
                    let name_at = from + at + own + line[own..].find(name).unwrap_or(0);
                    let inner = format!("{indent}{}", &line[..own]);
                    self.include(file, line_no, name, name_at, &inner);
                }
                None => {
                    let blank = line.trim().is_empty();
                    if !blank {
                        self.out.push_str(indent);
                    }
                    self.out.push_str(line);
                    if file > 0 && !line.ends_with('\n') {
                        self.out.push('\n');
                    }
                    self.lines.push(Line {
                        file: file as u32,
                        line: line_no as u32,
                        indent: if blank { 0 } else { indent_chars },
                    });
                }
            }
            at += line.len();
        }
    }

    /// Puts the snippet `name` in place of the include line `line_no` of inclusion `file`,
    /// or reports why it cannot (the line is then left blank).
    fn include(&mut self, file: usize, line_no: usize, name: &str, name_at: usize, indent: &str) {
        let name = name.strip_suffix(".md").unwrap_or(name);
        let found = self.library.get(name);
        self.read
            .push((name.to_string(), found.map(|s| s.text.clone())));
        let problem = match found {
            None => Some(self.missing(name)),
            Some(_) if self.stack.iter().any(|n| n == name) => {
                let mut chain = format!("this include makes a cycle: `{}`", self.stack[0]);
                for (i, n) in self.stack[1..].iter().chain([&name.to_string()]).enumerate() {
                    let joint = if i == 0 { " includes" } else { ", which includes" };
                    chain.push_str(&format!("{joint} `{n}`"));
                }
                Some(
                    Diagnostic::error("snippet-cycle", chain)
                    .with_hint("a snippet cannot include itself, directly or through other snippets; remove one of these includes"),
                )
            }
            // Past the limit, one error for the page is enough.
            Some(_) if self.over => {
                return self.blank(file, line_no);
            }
            Some(s) if self.spent + s.text.len() + INCLUDE_COST > MAX_BYTES => Some(
                Diagnostic::error(
                    "snippet-too-large",
                    format!(
                        "with this include the page would grow past {} MiB, so the snippet is left out",
                        MAX_BYTES / 1024 / 1024
                    ),
                )
                .with_hint("include fewer snippets in this page, or fewer snippets in each other"),
            ),
            Some(_) => None,
        };
        if let Some(d) = problem {
            self.over |= d.code == "snippet-too-large";
            let (here, text) = (&self.files[file], &self.texts[file]);
            let d = d
                .at_through(&here.abs, &text.text, text.lines(), name_at, name.len())
                .with_via(origins::chain(&self.files, file));
            self.diagnostics.push(d);
            return self.blank(file, line_no);
        }
        let s = found.expect("checked above").clone();
        // A byte order mark opens the file, not the text.
        let bom = if s.text.starts_with('\u{feff}') { 3 } else { 0 };
        self.spent += s.text.len() + INCLUDE_COST;
        self.included = true;
        self.files.push(Inclusion {
            abs: s.abs,
            source: s.source,
            from: Some((file, line_no)),
        });
        self.texts.push(Text::new(s.text));
        self.stack.push(name.to_string());
        self.walk(self.files.len() - 1, bom, 1, indent);
        self.stack.pop();
    }

    /// An include line that includes nothing becomes a blank line.
    fn blank(&mut self, file: usize, line_no: usize) {
        self.out.push('\n');
        self.lines.push(Line {
            file: file as u32,
            line: line_no as u32,
            indent: 0,
        });
    }

    /// The error for a snippet that does not exist, with the nearest name.
    fn missing(&mut self, name: &str) -> Diagnostic {
        self.names = Some(self.library.names_fingerprint());
        let d = Diagnostic::error("snippet-missing", format!("there is no snippet `{name}`"));
        match self.library.nearest(name) {
            Some(near) => d.with_hint(format!(
                "did you mean `{near}`? A snippet is named by its path under `{FOLDER}/`, without `.md`"
            )),
            None => d.with_hint(format!(
                "create `{FOLDER}/{name}.md` in the content folder; a snippet is named by its path under `{FOLDER}/`, without `.md`"
            )),
        }
    }
}

/// The name of an include line (`::: include account/open-security-tab`), from the line
/// without its indentation; `None` for any other line.
fn include_name(line: &str) -> Option<&str> {
    let rest = line.trim_end().strip_prefix(":::")?;
    let rest = rest.strip_prefix([' ', '\t'])?.trim_start();
    let name = rest.strip_prefix("include")?;
    if !name.starts_with([' ', '\t']) {
        return None;
    }
    let name = name.trim();
    (!name.is_empty()).then_some(name)
}

/// Byte ranges of the code blocks of `text`, where include lines stay as they are.
fn code_blocks(text: &str) -> Vec<Range<usize>> {
    // Without a fence or a line indented by four columns there is no code block, and no
    // need to parse.
    let indented = text.lines().any(|l| {
        let ws = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        ws.len() >= 4 || ws.contains('\t')
    });
    if !text.contains(":::") || !(indented || text.contains("```") || text.contains("~~~")) {
        return Vec::new();
    }
    Parser::new_ext(text, crate::markdown::options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect()
}

/// A warning for each snippet that no page includes (`used`: the pages that include each
/// snippet, by name).
pub fn unused<T>(library: &Library, used: &HashMap<&str, T>) -> impl Iterator<Item = Diagnostic> {
    library
        .iter()
        .filter(|(name, _)| !used.contains_key(name))
        .map(|(name, s)| {
            Diagnostic::warning(
                "snippet-unused",
                format!("no page includes the snippet `{name}`"),
            )
            .in_file(&s.abs)
            .with_hint(format!(
                "include it with a line `::: include {name}` in a page, or delete it"
            ))
        })
        .collect::<Vec<_>>()
        .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(files: &[(&str, &str)]) -> Library {
        let snippets = files
            .iter()
            .map(|(name, text)| Snippet {
                source: SourcePath::from_relative(Path::new(&format!("{FOLDER}/{name}.md"))),
                abs: PathBuf::from(format!("/site/content/{FOLDER}/{name}.md")),
                text: Arc::from(*text),
            })
            .collect();
        Library::new(snippets).0
    }

    fn expand_page(text: &str, library: &Library) -> Expanded {
        let source = SourcePath::from_relative(Path::new("guides/a.md"));
        expand(
            Path::new("/site/content/guides/a.md"),
            &source,
            &Arc::from(text),
            0,
            library,
        )
    }

    #[test]
    fn include_lines_are_recognised_by_their_word() {
        assert_eq!(include_name("::: include a/b"), Some("a/b"));
        assert_eq!(include_name(":::\tinclude  a/b.md  \n"), Some("a/b.md"));
        assert_eq!(include_name("::: include"), None);
        assert_eq!(include_name("::: includes a"), None);
        assert_eq!(include_name(":::include a"), None);
        assert_eq!(include_name("::: option include a"), None);
    }

    #[test]
    fn included_lines_are_indented_like_the_include_and_map_back() {
        let lib = library(&[("steps", "1. One\n\n2. Two")]);
        let e = expand_page("Intro\n\n   ::: include steps\nEnd\n", &lib);
        assert_eq!(&*e.text, "Intro\n\n   1. One\n\n   2. Two\nEnd\n");
        let o = e.origins.expect("an include");
        let at = |needle: &str| {
            let inc = o.snippet_at(e.text.find(needle).unwrap());
            inc.map(|i| i.source.as_str().to_string())
        };
        assert_eq!(at("Two").as_deref(), Some("_snippets/steps.md"));
        assert_eq!(at("End"), None);
        // A problem at "Two" (line 5, column 7 of the page) is at line 3, column 4 of the
        // snippet, included from line 3 of the page.
        let mut d = Diagnostic::warning("x", "y").at_line_col(
            Path::new("/site/content/guides/a.md"),
            &e.text,
            5,
            7,
        );
        o.remap(Path::new("/site/content/guides/a.md"), &mut d);
        let loc = d.location.unwrap();
        assert_eq!(
            (
                loc.path.to_str().unwrap(),
                loc.line,
                loc.col,
                loc.source_line.as_deref()
            ),
            ("/site/content/_snippets/steps.md", 3, 4, Some("2. Two"))
        );
        assert_eq!(loc.via, [(PathBuf::from("/site/content/guides/a.md"), 3)]);
    }

    /// A page of thousands of include lines that name no snippet: each is reported at its own
    /// line and column.
    #[test]
    fn a_page_of_many_missing_includes_reports_each_at_its_line() {
        const N: usize = 10_000;
        let lib = library(&[("steps", "1. One\n")]);
        let page: String = (0..N)
            .map(|i| format!("::: include gone-{i}\n\n"))
            .collect();
        let e = expand_page(&page, &lib);
        let at: Vec<(usize, usize)> = (e.diagnostics.iter())
            .map(|d| d.location.as_deref().map(|l| (l.line, l.col)).unwrap())
            .collect();
        assert_eq!(at, (0..N).map(|i| (2 * i + 1, 13)).collect::<Vec<_>>());
    }

    #[test]
    fn a_page_without_includes_keeps_its_text_and_reads_nothing() {
        let lib = library(&[("steps", "1. One\n")]);
        let text: Arc<str> = Arc::from("It includes nothing.\n```\n::: include steps\n```\n");
        let source = SourcePath::from_relative(Path::new("a.md"));
        let e = expand(Path::new("/a.md"), &source, &text, 0, &lib);
        assert!(Arc::ptr_eq(&e.text, &text));
        assert!(e.origins.is_none() && e.read.is_empty());
    }

    #[test]
    fn include_lines_in_any_code_block_stay_literal() {
        let lib = library(&[("steps", "1. One\n")]);
        for page in [
            "Text.\n\n    ::: include steps\n",
            "Text.\n\n\t::: include steps\n",
            "~~~\n::: include steps\n~~~\n",
            "- Item\n\n  ```\n  ::: include steps\n  ```\n",
        ] {
            let e = expand_page(page, &lib);
            assert_eq!(&*e.text, page);
            assert!(e.read.is_empty(), "{page:?}");
        }
        // Four columns inside a list item are the item's text, not code.
        let e = expand_page("- Item\n\n  ::: include steps\n", &lib);
        assert_eq!(&*e.text, "- Item\n\n  1. One\n");
    }

    #[test]
    fn an_edited_or_new_snippet_invalidates_what_read_it() {
        let e = expand_page(
            "::: include steps\n::: include missing\n::: include steps\n",
            &library(&[("steps", "1. One\n")]),
        );
        let names: Vec<&str> = e.read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["missing", "steps"]);
        assert!(e.still_valid(&library(&[("steps", "1. One\n")])));
        assert!(!e.still_valid(&library(&[("steps", "1. Two\n")])));
        // A new snippet may be the one the missing include meant.
        assert!(!e.still_valid(&library(&[("steps", "1. One\n"), ("missin", "")])));
    }

    #[test]
    fn includes_that_multiply_stop_at_the_size_limit() {
        let wide = |name: &str| format!("::: include {name}\n").repeat(64);
        // 64 x 64 x 64 copies of a 1,000-byte snippet, or of an empty one.
        for last in ["x".repeat(1000), String::new()] {
            let lib = library(&[
                ("a", &wide("b")),
                ("b", &wide("c")),
                ("c", &wide("d")),
                ("d", &last),
            ]);
            let e = expand_page("::: include a\n", &lib);
            assert!(e.text.len() <= MAX_BYTES, "{}", e.text.len());
            let too_large = e
                .diagnostics
                .iter()
                .filter(|d| d.code == "snippet-too-large");
            assert!(too_large.count() > 0, "{:?}", e.diagnostics.first());
        }
    }
}
