//! A body's HTML: a string, or a range of the text a build cache file was read into.
//!
//! The HTML is about half of what the cache keeps of a page, and after an edit only the pages
//! rendered again read it: reading the cache back leaves it where it is ([`Html::stored`]),
//! in one buffer per cache file that its bodies share, and a body reads its range of it, so
//! the HTML is never copied, however many pages are rendered again. Nor is it checked to be
//! UTF-8 before a page reads it: a range is checked each time it is read, so the bodies that
//! are never read cost nothing.

use std::fmt;
use std::ops::{Deref, Range};

/// The HTML of a rendered body.
#[derive(Clone, Default)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Text(String),
    /// Its part of the buffer a cache file's HTML was read into (shared, not copied).
    Stored(bytes::Bytes),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(String::new())
    }
}

impl Html {
    /// The HTML at `at` in `bytes`; `None` when `at` is not a range of it. A range that is
    /// not UTF-8 reads as empty.
    pub fn stored(bytes: &bytes::Bytes, at: Range<usize>) -> Option<Html> {
        bytes.get(at.clone())?;
        Some(Html(Repr::Stored(bytes.slice(at))))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(s) => s,
            Repr::Stored(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
        }
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

    #[test]
    fn stored_html_reads_as_the_text_of_its_range() {
        let text = bytes::Bytes::from("xx<p>café</p>yy");
        let html = Html::stored(&text, 2..14).unwrap();
        assert_eq!(html.as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(html.as_str(), "<p>café</p>");
        assert_eq!(html, "<p>café</p>");
        assert_eq!(html.clone().as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(Html::stored(&text, 0..0).unwrap().as_str(), "");
        // A range that ends beyond the text is refused, one that cuts a character reads as
        // empty: never a panic.
        assert_eq!(Html::stored(&text, 2..9).unwrap().as_str(), "");
        assert!(Html::stored(&text, 2..99).is_none());
    }
}
