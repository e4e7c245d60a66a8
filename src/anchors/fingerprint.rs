//! Fingerprints: what an anchor points at, in a few bytes that stay the same while the text
//! does.
//!
//! A [`Fingerprint`] holds a hash of the anchored unit's name (a heading's or an option's
//! label, a step's text: exact matches) and a sketch of its words (the smallest hashes of
//! its distinct words: how much two texts share, estimated from the sketches alone). Text is
//! normalized first: letters and digits only, lowercased, words separated by one space, so
//! punctuation, Markdown marks and the step number change nothing.

/// How many word hashes a sketch keeps.
pub const SKETCH: usize = 8;

/// The fingerprint of one anchored unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Fingerprint {
    /// Of the normalized name (label or step text).
    pub hash: u64,
    /// The [`SKETCH`] smallest distinct word hashes of the name and the text, ascending.
    pub sketch: Vec<u32>,
}

impl Fingerprint {
    /// The fingerprint of a unit named `name` holding `text` (either may be empty).
    pub fn of(name: &str, text: &str) -> Fingerprint {
        let name = normalize(name);
        let mut words: Vec<u32> = name
            .split(' ')
            .chain(normalize(text).split(' '))
            .filter(|w| !w.is_empty())
            .map(word_hash)
            .collect();
        words.sort_unstable();
        words.dedup();
        words.truncate(SKETCH);
        Fingerprint {
            hash: crate::render::key_of(name.as_str()),
            sketch: words,
        }
    }

    /// The estimated share of words the two texts have in common, from 0 to 1: the share of
    /// the smallest hashes of both sketches together that both hold.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        let mut union: Vec<u32> = self.sketch.iter().chain(&other.sketch).copied().collect();
        union.sort_unstable();
        union.dedup();
        union.truncate(SKETCH);
        if union.is_empty() {
            return 0.0;
        }
        let both = union
            .iter()
            .filter(|h| {
                self.sketch.binary_search(h).is_ok() && other.sketch.binary_search(h).is_ok()
            })
            .count();
        both as f64 / union.len() as f64
    }
}

/// Letters and digits, lowercased, one space between words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

fn word_hash(word: &str) -> u32 {
    // The low half of a stable 64-bit hash: the same word, the same value in every build.
    crate::render::key_of(word) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_normalized_before_hashing() {
        assert_eq!(
            normalize("  Click **Save**, then—wait!  "),
            "click save then wait"
        );
        assert_eq!(
            Fingerprint::of("Click **Save**.", ""),
            Fingerprint::of("click save", "")
        );
        assert_ne!(
            Fingerprint::of("Click Save", "").hash,
            Fingerprint::of("Click Cancel", "").hash
        );
    }

    #[test]
    fn similarity_is_the_share_of_words_in_common() {
        let a = Fingerprint::of("Set up", "open settings, tap save");
        let b = Fingerprint::of("Configure", "Open settings and tap Save");
        // 4 words in common out of 8 distinct ones: every word fits in the sketches.
        assert_eq!(a.similarity(&b), 0.5);
        assert_eq!(a.similarity(&a), 1.0);
        let c = Fingerprint::of("Billing", "refunds arrive within five days");
        assert_eq!(a.similarity(&c), 0.0);
        assert_eq!(
            Fingerprint::default().similarity(&Fingerprint::default()),
            0.0
        );
    }

    #[test]
    fn a_sketch_keeps_the_smallest_word_hashes() {
        let long = Fingerprint::of(
            "",
            "one two three four five six seven eight nine ten eleven",
        );
        assert_eq!(long.sketch.len(), SKETCH);
        assert!(long.sketch.windows(2).all(|w| w[0] < w[1]));
    }
}
