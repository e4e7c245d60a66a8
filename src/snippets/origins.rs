//! Where each line of an expanded page came from: the page itself or a snippet, at which line,
//! with how much indentation the include added, and through which chain of includes.
//!
//! Adapters and checks compute positions from byte offsets of the expanded text, as they do
//! for any page; [`Origins::remap`] then moves each diagnostic back to the file and line the
//! writer wrote, and notes the includes that brought it into the page. [`Origins::snippet_at`]
//! tells links and images which file a byte came from, so that a snippet's relative links
//! resolve from the snippet's own file.

use std::path::PathBuf;

use crate::diagnostics::Diagnostic;
use crate::paths::SourcePath;

/// One file that text of the page came from: the page (the first) or one inclusion of a
/// snippet (a snippet included twice is two inclusions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Inclusion {
    pub abs: PathBuf,
    pub source: SourcePath,
    /// The inclusion the include line is in, and its line there; `None` for the page.
    pub from: Option<(usize, usize)>,
}

/// The includes that brought inclusion `file` of `files` into the page, innermost first:
/// each as the file and the line of its include.
pub(super) fn chain(files: &[Inclusion], file: usize) -> Vec<(PathBuf, usize)> {
    let mut out = Vec::new();
    let mut at = files.get(file).and_then(|f| f.from);
    while let Some((parent, line)) = at {
        out.push((files[parent].abs.clone(), line));
        at = files[parent].from;
    }
    out
}

/// The origin of one line of the expanded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Line {
    pub file: u32,
    /// 1-based, in that file.
    pub line: u32,
    /// Characters of indentation the includes put in front of it.
    pub indent: u32,
}

/// The line map of one expanded page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origins {
    pub(super) files: Vec<Inclusion>,
    pub(super) lines: Vec<Line>,
    /// Byte offset where each line of the expanded text starts.
    pub(super) starts: Vec<usize>,
}

impl Origins {
    fn line_of(&self, offset: usize) -> Option<&Line> {
        let i = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        self.lines.get(i.min(self.lines.len().saturating_sub(1)))
    }

    /// The snippet the byte at `offset` of the expanded text comes from; `None` when the page
    /// itself holds it.
    pub fn snippet_at(&self, offset: usize) -> Option<&Inclusion> {
        let line = self.line_of(offset)?;
        (line.file > 0).then(|| &self.files[line.file as usize])
    }

    /// Where the byte at `offset` of the expanded text was written, for a message that names
    /// another place: `line 12`, or ``line 3 of `_snippets/steps.md` `` in a snippet.
    pub fn line_label(&self, offset: usize) -> String {
        match self.line_of(offset) {
            Some(l) if l.file > 0 => format!(
                "line {} of `{}`",
                l.line, self.files[l.file as usize].source
            ),
            Some(l) => format!("line {}", l.line),
            None => "line 1".to_string(),
        }
    }

    /// The includes that brought `file` into the page, innermost first: each as the file
    /// and the line of its include.
    pub fn chain(&self, file: usize) -> Vec<(PathBuf, usize)> {
        chain(&self.files, file)
    }

    /// Moves a diagnostic that points into the expanded text of the page at `page` back to
    /// the file and line it was written at, with the includes that brought it in.
    pub fn remap(&self, page: &std::path::Path, d: &mut Diagnostic) {
        let Some(loc) = d.location.as_deref_mut() else {
            return;
        };
        if loc.path != page || loc.line == 0 || !loc.via.is_empty() {
            return;
        }
        let Some(line) = self.lines.get(loc.line - 1).copied() else {
            return;
        };
        let indent = line.indent as usize;
        loc.path = self.files[line.file as usize].abs.clone();
        loc.line = line.line as usize;
        loc.col = loc.col.saturating_sub(indent).max(1);
        if let Some(text) = &mut loc.source_line {
            *text = text.chars().skip(indent).collect();
        }
        loc.via = self.chain(line.file as usize);
    }
}
