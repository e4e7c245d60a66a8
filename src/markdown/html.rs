//! A body's HTML: a string, or a range of the bytes a build cache file was read into, which
//! becomes the string the first time it is used.
//!
//! The HTML is about half of what the cache keeps of a page, and after an edit only the pages
//! rendered again read it: reading the cache back leaves it where it is ([`Html::stored`]).
//! Either way the HTML is the same text: [`Html::as_str`] decodes the stored bytes once
//! (they are the UTF-8 the cache wrote; bytes that are not would be decoded lossily rather
//! than fail, but a file changed after it was written is not read at all).

use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

/// The HTML of a rendered body.
#[derive(Clone, Default)]
pub struct Html(Repr);

#[derive(Clone)]
enum Repr {
    Text(String),
    Stored {
        bytes: Arc<Vec<u8>>,
        at: Range<usize>,
        text: OnceLock<Box<str>>,
    },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Text(String::new())
    }
}

impl Html {
    /// The HTML at `at` in `bytes`, decoded when first used.
    ///
    /// # Panics
    ///
    /// When `at` is not within `bytes` (the caller checks it).
    pub fn stored(bytes: Arc<Vec<u8>>, at: Range<usize>) -> Html {
        assert!(at.start <= at.end && at.end <= bytes.len());
        Html(Repr::Stored {
            bytes,
            at,
            text: OnceLock::new(),
        })
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Text(s) => s,
            Repr::Stored { bytes, at, text } => {
                text.get_or_init(|| String::from_utf8_lossy(&bytes[at.clone()]).into())
            }
        }
    }

    /// Its bytes, without decoding them: what the cache writes again.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Text(s) => s.as_bytes(),
            Repr::Stored { bytes, at, text } => match text.get() {
                Some(t) => t.as_bytes(),
                None => &bytes[at.clone()],
            },
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
        let bytes = Arc::new(b"xx<p>caf\xc3\xa9</p>yy".to_vec());
        let html = Html::stored(bytes.clone(), 2..14);
        assert_eq!(html.as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(html.as_str(), "<p>café</p>");
        assert_eq!(html, "<p>café</p>");
        assert_eq!(html.clone().as_bytes(), "<p>café</p>".as_bytes());
        assert_eq!(Html::stored(bytes, 0..0).as_str(), "");
        // Bytes that are not UTF-8 are decoded lossily, never a panic.
        let bad = Html::stored(Arc::new(vec![b'a', 0xff, b'b']), 0..3);
        assert_eq!(bad.as_str(), "a\u{fffd}b");
    }
}
