//! A body's HTML: a string, or a range of the text a build cache file was read into.
//!
//! The HTML is about half of what the cache keeps of a page, and after an edit only the pages
//! rendered again read it: reading the cache back leaves it where it is ([`Html::stored`]),
//! in one string per cache file that its bodies share, and a body reads its range of it, so
//! the HTML is never copied, however many pages are rendered again.

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::Arc;

/// The HTML of a rendered body.
#[derive(Clone, Default)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Text(String),
    Stored { text: Arc<str>, at: Range<usize> },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(String::new())
    }
}

impl Html {
    /// The HTML at `at` in `text`; `None` when `at` is not a range of whole characters of it.
    pub fn stored(text: Arc<str>, at: Range<usize>) -> Option<Html> {
        text.get(at.clone())?;
        Some(Html(Repr::Stored { text, at }))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(s) => s,
            // `stored` checked the range.
            Repr::Stored { text, at } => text.get(at.clone()).unwrap_or_default(),
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
        let text: Arc<str> = Arc::from("xx<p>café</p>yy");
        let html = Html::stored(text.clone(), 2..14).unwrap();
        assert_eq!(html.as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(html.as_str(), "<p>café</p>");
        assert_eq!(html, "<p>café</p>");
        assert_eq!(html.clone().as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(Html::stored(text.clone(), 0..0).unwrap().as_str(), "");
        // A range that cuts a character, or ends beyond the text, is refused, never a panic.
        assert!(Html::stored(text.clone(), 2..9).is_none());
        assert!(Html::stored(text, 2..99).is_none());
    }
}
