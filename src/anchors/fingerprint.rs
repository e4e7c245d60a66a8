//! Fingerprints: what an anchor points at, in a few bytes that stay the same while the text
//! does.
//!
//! A [`Fingerprint`] holds a hash of the anchored unit's name (a heading's or an option's
//! label, a step's text: exact matches) and a sketch of its words (the smallest hashes of
//! its distinct words: how much two texts share, estimated from the sketches alone). Text is
//! normalized first: letters and digits only, lowercased, words separated by one space, so
//! punctuation, Markdown marks and the step number change nothing.
//!
//! Both are short on purpose, as the record holds one per anchor (hundreds of thousands in a
//! large site): the name's hash is 32 bits (it is only compared within one article, or
//! against a moved article's few anchors) and a word's hash 16 bits (a rare collision of two
//! words adds a little to an estimate that is rough anyway). Changing either changes every
//! fingerprint: [`record::VERSION`](super::record::VERSION) must change with it.

/// How many word hashes a sketch keeps.
pub const SKETCH: usize = 8;

/// The fingerprint of one anchored unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    /// Of the normalized name (label or step text).
    pub hash: u32,
    /// The [`SKETCH`] smallest distinct word hashes of the name and the text, ascending.
    pub sketch: Sketch,
}

/// At most [`SKETCH`] distinct word hashes, ascending, held in place: the record and the
/// plan hold one per anchor.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    len: u8,
    /// The hashes, then zeros.
    hashes: [u16; SKETCH],
}

impl Sketch {
    /// `hashes` as a sketch, when they are distinct, ascending and at most [`SKETCH`].
    pub fn new(hashes: &[u16]) -> Option<Sketch> {
        let sorted = hashes.windows(2).all(|w| w[0] < w[1]);
        (sorted && hashes.len() <= SKETCH).then(|| Sketch::first(hashes))
    }

    /// The first [`SKETCH`] of `hashes`, which are distinct and ascending.
    fn first(hashes: &[u16]) -> Sketch {
        let len = hashes.len().min(SKETCH);
        let mut sketch = Sketch {
            len: len as u8,
            hashes: [0; SKETCH],
        };
        sketch.hashes[..len].copy_from_slice(&hashes[..len]);
        sketch
    }
}

impl std::ops::Deref for Sketch {
    type Target = [u16];

    fn deref(&self) -> &[u16] {
        &self.hashes[..self.len as usize]
    }
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Fingerprint {
    /// The fingerprint of a unit named `name` holding `text` (either may be empty).
    pub fn of(name: &str, text: &str) -> Fingerprint {
        let mut sketch = Bottom::default();
        let mut buf = String::new();
        // The name's words, lowercased, each followed by a space: what `normalize` gives,
        // hashed at once.
        let mut named = String::with_capacity(name.len() + 1);
        for_each_word(name, &mut buf, |word| {
            named.push_str(word);
            named.push(' ');
            sketch.insert(word_hash(word));
        });
        for_each_word(text, &mut buf, |word| sketch.insert(word_hash(word)));
        Fingerprint {
            // The low half of the 64-bit hash.
            hash: xxhash_rust::xxh3::xxh3_64(named.as_bytes()) as u32,
            sketch: sketch.sketch(),
        }
    }

    /// Adds the words of `other` to the sketch (the hash stays): the sketch of both texts
    /// together, as if the words had been read at once.
    pub fn absorb(&mut self, other: &[u16]) {
        // Both are sorted: merge the smallest, without duplicates.
        let mut merged = [0u16; SKETCH];
        let (mut a, mut b, mut n) = (0, 0, 0);
        let mine = &self.sketch;
        while n < SKETCH && (a < mine.len() || b < other.len()) {
            let next = match (mine.get(a), other.get(b)) {
                (Some(x), Some(y)) if x == y => {
                    a += 1;
                    b += 1;
                    *x
                }
                (Some(x), Some(y)) if x < y => {
                    a += 1;
                    *x
                }
                (Some(x), None) => {
                    a += 1;
                    *x
                }
                (_, Some(y)) => {
                    b += 1;
                    *y
                }
                (None, None) => unreachable!("the loop stops first"),
            };
            merged[n] = next;
            n += 1;
        }
        self.sketch = Sketch::first(&merged[..n]);
    }

    /// The estimated share of words the two texts have in common, from 0 to 1: the share of
    /// the smallest hashes of both sketches together that both hold.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        let mut union: Vec<u16> = self
            .sketch
            .iter()
            .chain(other.sketch.iter())
            .copied()
            .collect();
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

/// The [`SKETCH`] smallest distinct hashes met so far, ascending: what sorting every hash,
/// dropping repeats and keeping the first [`SKETCH`] gives, without holding them all.
#[derive(Default)]
struct Bottom {
    len: usize,
    hashes: [u16; SKETCH],
}

impl Bottom {
    fn insert(&mut self, hash: u16) {
        let held = &self.hashes[..self.len];
        if self.len == SKETCH && hash > held[SKETCH - 1] {
            return;
        }
        let Err(at) = held.binary_search(&hash) else {
            return;
        };
        if self.len < SKETCH {
            self.len += 1;
        }
        self.hashes.copy_within(at..self.len - 1, at + 1);
        self.hashes[at] = hash;
    }

    fn sketch(&self) -> Sketch {
        Sketch::first(&self.hashes[..self.len])
    }
}

/// What a byte is to [`for_each_word`].
const SEPARATOR: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
/// Not ASCII: the char it starts (or continues) decides.
const OTHER: u8 = 3;

/// [`SEPARATOR`], [`LOWER`] (also digits), [`UPPER`] or [`OTHER`], by byte.
static CLASS: [u8; 256] = {
    let mut class = [SEPARATOR; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' => LOWER,
            b'A'..=b'Z' => UPPER,
            0x80..=0xff => OTHER,
            _ => SEPARATOR,
        };
        b += 1;
    }
    class
};

/// Hands each word of `text` ([`words`]) to `f`, lowercased ([`lower`]). ASCII is read a
/// byte at a time through [`CLASS`], and an ASCII word is lowercased in `buf` only when it
/// has capitals; a word with other characters goes through [`lower`].
fn for_each_word(text: &str, buf: &mut String, mut f: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    // The char at `i`, which is not ASCII, and whether it belongs to a word.
    let other = |i: usize| {
        let c = text[i..].chars().next().expect("a char starts here");
        (c.len_utf8(), c.is_alphanumeric())
    };
    let mut i = 0;
    while i < bytes.len() {
        // Skip what is not a letter or a digit.
        match CLASS[bytes[i] as usize] {
            SEPARATOR => {
                i += 1;
                continue;
            }
            OTHER => {
                let (len, in_word) = other(i);
                if !in_word {
                    i += len;
                    continue;
                }
            }
            _ => {}
        }
        let start = i;
        let (mut upper, mut ascii) = (false, true);
        loop {
            // The common run: small letters and digits.
            while i < bytes.len() && CLASS[bytes[i] as usize] == LOWER {
                i += 1;
            }
            let Some(&b) = bytes.get(i) else {
                break;
            };
            match CLASS[b as usize] {
                UPPER => {
                    upper = true;
                    i += 1;
                }
                OTHER => {
                    let (len, in_word) = other(i);
                    if !in_word {
                        break;
                    }
                    ascii = false;
                    i += len;
                }
                _ => break,
            }
        }
        let word = &text[start..i];
        if !ascii {
            f(lower(word, buf));
        } else if upper {
            buf.clear();
            buf.push_str(word);
            buf.make_ascii_lowercase();
            f(buf);
        } else {
            f(word);
        }
    }
}

/// The runs of letters and digits of `text`.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `word` in lowercase, in `buf` only when it has capitals.
fn lower<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if !word.chars().any(char::is_uppercase) {
        return word;
    }
    buf.clear();
    buf.extend(word.chars().flat_map(char::to_lowercase));
    buf
}

/// Letters and digits, lowercased, one space between words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut buf = String::new();
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(lower(word, &mut buf));
    }
    out
}

fn word_hash(word: &str) -> u16 {
    // The low 16 bits of a stable 64-bit hash: the same word, the same value in every build.
    xxhash_rust::xxh3::xxh3_64(word.as_bytes()) as u16
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
    fn absorbing_a_sketch_is_reading_both_texts() {
        let mut a = Fingerprint::of("Set up", "one two three four five");
        a.absorb(&Fingerprint::of("", "four five six seven eight nine ten").sketch);
        let both = Fingerprint::of("Set up", "one two three four five six seven eight nine ten");
        assert_eq!(a, both);
    }

    #[test]
    fn the_hash_is_of_the_normalized_name() {
        let fp = Fingerprint::of("Tap **Save**, then Done", "");
        assert_eq!(normalize("Tap **Save**, then Done"), "tap save then done");
        // Each word followed by a space.
        assert_eq!(
            fp.hash,
            xxhash_rust::xxh3::xxh3_64(b"tap save then done ") as u32
        );
    }

    #[test]
    fn words_are_read_as_the_plain_split_reads_them() {
        let texts = [
            "Click **Save**, then—wait!  ",
            "Ünïcode Straße ǅemal İstanbul ΣΊΣΥΦΟΣ naïve café-au-lait",
            "mixed ASCII12 and 日本語のテキスト, x²+y³ ½ Ⅻ",
            "",
            "   ...   ",
            "a",
        ];
        for text in texts {
            let mut plain = Vec::new();
            let mut buf = String::new();
            for word in words(text) {
                plain.push(lower(word, &mut buf).to_string());
            }
            let mut read = Vec::new();
            for_each_word(text, &mut buf, |w| read.push(w.to_string()));
            assert_eq!(read, plain, "{text:?}");
        }
    }

    #[test]
    fn the_bottom_is_the_sorted_distinct_smallest() {
        let mut state = 12345u32;
        for n in [0, 1, 5, 8, 9, 40, 300] {
            let mut all = Vec::new();
            let mut bottom = Bottom::default();
            for _ in 0..n {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                // Few distinct values, so repeats are common.
                let h = (state >> 16) as u16 % 50;
                all.push(h);
                bottom.insert(h);
            }
            all.sort_unstable();
            all.dedup();
            assert_eq!(bottom.sketch(), Sketch::first(&all), "{n}");
        }
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
