//! A body's HTML: a string, or a range of the stored part of a build cache file.
//!
//! The HTML is about half of what the cache keeps of a page, and after an edit only the pages
//! rendered again read it. So reading the cache back leaves it in its file: the bodies of a
//! cache file share its stored part ([`Part`]), which is read (once, whole, checked against
//! its hash) only when one of them is first read (in a build, before the cache is saved
//! again), and a body reads its range of it, never copied. Nor is it checked to be UTF-8
//! before a page reads it: a range is checked each time it is read, so the bodies that are
//! never read cost nothing. A part that cannot be read as it was written (the file changed
//! under the build) reads as empty and says so ([`Part::failed`]): the build that read it
//! then fails rather than publish it.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

use crate::stored::Part;

/// The HTML of a rendered body.
#[derive(Clone, Default)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Text(String),
    /// Its range of a cache file's HTML part (shared, not copied).
    Stored(Arc<Part>, Range<usize>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(String::new())
    }
}

impl Html {
    /// The HTML at `at` in `part`; `None` when `at` is not a range of it. A range that is
    /// not UTF-8 reads as empty.
    pub fn stored(part: &Arc<Part>, at: Range<usize>) -> Option<Html> {
        (at.start <= at.end && at.end <= part.len()).then(|| Html(Repr::Stored(part.clone(), at)))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(s) => s,
            Repr::Stored(part, at) => part
                .bytes()
                .and_then(|b| std::str::from_utf8(b.get(at.clone())?).ok())
                .unwrap_or_default(),
        }
    }

    /// The cache file's part it is a range of, if it is.
    pub fn part(&self) -> Option<&Arc<Part>> {
        match &self.0 {
            Repr::Text(_) => None,
            Repr::Stored(part, _) => Some(part),
        }
    }

    /// Whether the HTML can be read as it was written (read now if it was not yet).
    pub fn readable(&self) -> bool {
        self.part().is_none_or(|p| p.readable())
    }
}

impl Deref for Html {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Html {
    fn from(s: String) -> Html {
        Html(Repr::Text(s))
    }
}

impl From<&str> for Html {
    fn from(s: &str) -> Html {
        Html(Repr::Text(s.to_string()))
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for Html {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Html {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A file holding `text` after a head of 3 bytes, and its part.
    fn part_of(dir: &Path, text: &str) -> Arc<Part> {
        let path = dir.join("memo-00.bin");
        std::fs::write(&path, format!("abc{text}")).unwrap();
        let digest = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        Part::new(&path, 3, text.len(), digest)
    }

    #[test]
    fn stored_html_reads_as_the_text_of_its_range() {
        let dir = tempfile::tempdir().unwrap();
        let part = part_of(dir.path(), "xx<p>café</p>yy");
        let html = Html::stored(&part, 2..14).unwrap();
        assert!(!part.is_read(), "read before it was needed");
        assert_eq!(html.as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(html.as_str(), "<p>café</p>");
        assert_eq!(html, "<p>café</p>");
        assert_eq!(html.clone().as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(Html::stored(&part, 0..0).unwrap().as_str(), "");
        // A range that ends beyond the text is refused, one that cuts a character reads as
        // empty: never a panic.
        assert_eq!(Html::stored(&part, 2..9).unwrap().as_str(), "");
        assert!(Html::stored(&part, 2..99).is_none());
        assert!(html.readable() && !part.failed());
    }

    #[test]
    fn a_part_whose_file_changed_reads_as_empty_and_says_it_failed() {
        let dir = tempfile::tempdir().unwrap();
        let part = part_of(dir.path(), "<p>one</p>");
        // Written again in place, the same length: the hash tells.
        std::fs::write(part.path(), "abc<p>two</p>").unwrap();
        let html = Html::stored(&part, 0..10).unwrap();
        assert_eq!(html.as_str(), "");
        assert!(!html.readable() && part.failed());
        // Cut short: refused too.
        let short = part_of(dir.path(), "<p>one</p>");
        std::fs::write(short.path(), "abc<p>").unwrap();
        assert!(!Html::stored(&short, 0..3).unwrap().readable() && short.failed());
        // Replaced by another file, or gone: refused too.
        let replaced = part_of(dir.path(), "<p>one</p>");
        let other = dir.path().join("other");
        std::fs::write(&other, "abc<p>two</p>").unwrap();
        std::fs::rename(&other, replaced.path()).unwrap();
        assert_eq!(Html::stored(&replaced, 0..10).unwrap().as_str(), "");
        let gone = part_of(dir.path(), "<p>one</p>");
        std::fs::remove_file(gone.path()).unwrap();
        assert!(!Html::stored(&gone, 0..10).unwrap().readable() && gone.failed());
    }
}
