//! The ids of one page: GitHub's heading slugs and the `-2`, `-3` rule for everything else.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::paths::AnchorId;

/// Every id given out in one page, in order.
#[derive(Debug, Default)]
pub struct IdSet {
    taken: HashSet<String>,
    order: Vec<AnchorId>,
    /// The next `-n` to try for a repeated id, by base.
    next_suffix: HashMap<String, usize>,
    /// github-slugger's occurrence counter, by base slug.
    occurrences: HashMap<String, usize>,
}

impl IdSet {
    /// A heading id exactly as GitHub computes it: slug, then `-1`, `-2` for repeats.
    pub fn heading(&mut self, text: &str) -> AnchorId {
        let base = github_slug(text);
        let mut id = base.clone();
        while self.occurrences.contains_key(&id) || self.taken.contains(&id) {
            let n = self.occurrences.entry(base.clone()).or_insert(0);
            *n += 1;
            id = format!("{base}-{n}");
        }
        self.occurrences.entry(id.clone()).or_insert(0);
        self.take(id)
    }

    /// Registers an explicit `{#id}`; a repeat still gets a suffix so ids stay unique.
    pub fn explicit(&mut self, id: &str) -> (AnchorId, bool) {
        self.numbered(id)
    }

    /// `base`, or `base-2`, `base-3`... when taken. The flag tells whether it repeated.
    pub fn numbered(&mut self, base: &str) -> (AnchorId, bool) {
        if !self.taken.contains(base) {
            return (self.take(base.to_string()), false);
        }
        // Remember where the search for a free suffix stopped, so a thousand repeats of one
        // id cost a thousand steps, not half a million.
        let mut n = self.next_suffix.get(base).copied().unwrap_or(2);
        let mut id = format!("{base}-{n}");
        while self.taken.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.next_suffix.insert(base.to_string(), n + 1);
        (self.take(id), true)
    }

    /// [`numbered`](Self::numbered) for a base the caller no longer needs: when it is free it
    /// becomes the id, copied only into the set of ids taken. A repeat gives the base back.
    pub fn numbered_owned(&mut self, base: String) -> (AnchorId, Option<String>) {
        // Looked up and taken in one go: a free id (the common case) is hashed once.
        if self.taken.insert(base.clone()) {
            let id = AnchorId::new(base);
            self.order.push(id.clone());
            return (id, None);
        }
        let (id, _) = self.numbered(&base);
        (id, Some(base))
    }

    fn take(&mut self, id: String) -> AnchorId {
        self.taken.insert(id.clone());
        let id = AnchorId::new(id);
        self.order.push(id.clone());
        id
    }

    pub fn into_ids(self) -> Vec<AnchorId> {
        self.order
    }
}

/// github-slugger: lowercase, drop everything but letters, marks, numbers, `-`, `_` and
/// spaces, then spaces to `-`.
pub fn github_slug(text: &str) -> String {
    let text = text.trim();
    // ASCII (most headings) a byte at a time: what [`any_slug`] keeps of it.
    if text.is_ascii() {
        return text
            .bytes()
            .filter_map(|b| match b {
                b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => Some(b as char),
                b'A'..=b'Z' => Some(b.to_ascii_lowercase() as char),
                b' ' => Some('-'),
                _ => None,
            })
            .collect();
    }
    any_slug(text)
}

/// [`github_slug`] of trimmed text, a character at a time: for text of any script.
fn any_slug(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|&c| c.is_alphanumeric() || c == '-' || c == '_' || c == ' ' || is_mark(c))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_slugs_are_the_general_ones() {
        let general = |text: &str| any_slug(text.trim());
        let all: String = (0u8..128).map(char::from).collect();
        for text in [
            all.as_str(),
            "  Set Up *the* App_v2 -- now! \t\n",
            "\x0b\x0cA\r",
            "",
        ] {
            assert_eq!(github_slug(text), general(text), "{text:?}");
        }
    }

    #[test]
    fn github_slugs() {
        assert_eq!(
            github_slug("1. Link verification methods"),
            "1-link-verification-methods"
        );
        assert_eq!(github_slug("What's new? (2024)"), "whats-new-2024");
        assert_eq!(
            github_slug("snake_case & kebab-case"),
            "snake_case--kebab-case"
        );
        assert_eq!(github_slug("Ünïcödé Straße"), "ünïcödé-straße");
    }

    #[test]
    fn repeats_follow_github() {
        let mut ids = IdSet::default();
        let got: Vec<String> = ["Email", "Email", "Email-1", "Email"]
            .iter()
            .map(|t| ids.heading(t).to_string())
            .collect();
        assert_eq!(got, ["email", "email-1", "email-1-1", "email-2"]);
    }

    #[test]
    fn numbered_repeats() {
        let mut ids = IdSet::default();
        assert_eq!(ids.numbered("a-step-1"), (AnchorId::new("a-step-1"), false));
        assert_eq!(
            ids.numbered("a-step-1"),
            (AnchorId::new("a-step-1-2"), true)
        );
        assert_eq!(
            ids.numbered("a-step-1"),
            (AnchorId::new("a-step-1-3"), true)
        );
    }
}
