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

/// The buffers [`Fingerprint::of_in`] works in, kept from one unit to the next: an
/// article's units are fingerprinted one after another, and each would otherwise allocate
/// its own.
#[derive(Default)]
pub struct Scratch {
    /// The normalized name, each word followed by a space.
    named: Vec<u8>,
    /// A word lowercased.
    lower: String,
}

impl Fingerprint {
    /// The fingerprint of a unit named `name` holding `text` (either may be empty).
    pub fn of(name: &str, text: &str) -> Fingerprint {
        Fingerprint::of_in(&mut Scratch::default(), name, text)
    }

    /// [`Fingerprint::of`], working in `scratch`.
    pub fn of_in(scratch: &mut Scratch, name: &str, text: &str) -> Fingerprint {
        let Scratch { named, lower } = scratch;
        let mut sketch = Bottom::default();
        // The name's words, lowercased, each followed by a space: what `normalize` gives,
        // hashed at once.
        named.clear();
        for_each_word(name, lower, |word| {
            named.extend_from_slice(word.as_bytes());
            named.push(b' ');
            sketch.insert(word_hash(word));
        });
        for_each_word(text, lower, |word| sketch.insert(word_hash(word)));
        Fingerprint {
            // The low half of the 64-bit hash.
            hash: xxhash_rust::xxh3::xxh3_64(named) as u32,
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
        // Both sketches are ascending: walk them together, taking the smallest hash left,
        // for the first SKETCH distinct hashes of both.
        let (a, b) = (&*self.sketch, &*other.sketch);
        let (mut i, mut j, mut union, mut both) = (0, 0, 0, 0);
        while union < SKETCH && (i < a.len() || j < b.len()) {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), None) => i += 1,
                _ => j += 1,
            }
            union += 1;
        }
        if union == 0 {
            return 0.0;
        }
        both as f64 / union as f64
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
    /// Most words of a long text are past the largest hash held once the sketch is full,
    /// and leave at the first comparison; the others find their place from the end and
    /// move the larger ones up, in a few steps over a few bytes.
    #[inline]
    fn insert(&mut self, hash: u16) {
        let len = self.len;
        if len == SKETCH && hash >= self.hashes[SKETCH - 1] {
            return;
        }
        let mut at = len;
        while at > 0 && self.hashes[at - 1] > hash {
            at -= 1;
        }
        if at > 0 && self.hashes[at - 1] == hash {
            return;
        }
        // The last one held falls off a full sketch.
        let end = if len == SKETCH {
            SKETCH - 1
        } else {
            self.len += 1;
            len
        };
        let mut j = end;
        while j > at {
            self.hashes[j] = self.hashes[j - 1];
            j -= 1;
        }
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
            i = lower_run(bytes, i);
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

/// The end of the run of small ASCII letters and digits at `i`: eight bytes at a time
/// ([`lower_or_digit`]) while eight are left, then one at a time.
#[inline]
fn lower_run(bytes: &[u8], mut i: usize) -> usize {
    while let Some(eight) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        let out = !lower_or_digit(word) & HIGH;
        if out != 0 {
            // The first byte out of the run: the lowest, as the bytes were read little-end first.
            return i + (out.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && CLASS[bytes[i] as usize] == LOWER {
        i += 1;
    }
    i
}

/// Each byte's lowest bit, and each byte's highest.
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = ONES * 0x80;

/// The high bit of each byte of `word` that is a small ASCII letter or a digit, the others
/// clear. Each byte's low seven bits plus `0x80 - c` set its high bit when the byte is at
/// least `c`, and never carry into the next byte.
#[inline]
fn lower_or_digit(word: u64) -> u64 {
    let ascii = !word & HIGH;
    let low = word & (ONES * 0x7f);
    let at_least = |c: u8| low + ONES * (0x80 - u64::from(c));
    let lower = at_least(b'a') & !at_least(b'z' + 1);
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    (lower | digit) & ascii & HIGH
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

#[inline]
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

    /// The share counted from the smallest hashes of both sketches together, as sorting
    /// them and dropping repeats takes them, over sketches of every size and overlap.
    #[test]
    fn similarity_takes_the_smallest_hashes_of_both() {
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..5_000 {
            let mut sketch = || {
                let mut h: Vec<u16> = (0..next() % 9).map(|_| (next() % 24) as u16).collect();
                h.sort_unstable();
                h.dedup();
                Fingerprint {
                    hash: 0,
                    sketch: Sketch::new(&h).unwrap(),
                }
            };
            let (a, b) = (sketch(), sketch());
            let mut union: Vec<u16> = a.sketch.iter().chain(b.sketch.iter()).copied().collect();
            union.sort_unstable();
            union.dedup();
            union.truncate(SKETCH);
            let both = (union.iter())
                .filter(|h| a.sketch.contains(h) && b.sketch.contains(h))
                .count();
            let share = if union.is_empty() {
                0.0
            } else {
                both as f64 / union.len() as f64
            };
            assert_eq!(a.similarity(&b), share, "{a:?} {b:?}");
        }
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
            "abcdefghijklmnopqrstuvwxyz0123456789 abcdefgh abcdefghI abcdefg_hij",
            "longwordsof8 12345678 1234567 123456789 zzzzzzzz{zzzzzzzz`zzzzzzzz/zz:zz@zz[",
            "séparéeséparée aaaaaaaé aaaaaaaaé aaaaaaaa\u{7f}aaaaaaaa\tAAAAAAAA",
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
    fn a_scratch_kept_between_units_changes_nothing() {
        let units = [
            (
                "A long heading with Many Words",
                "and its text, Ünïcode too",
            ),
            ("Short", ""),
            ("", "text alone"),
            ("Tap **Save**", ""),
        ];
        let mut scratch = Scratch::default();
        for (name, text) in units {
            let kept = Fingerprint::of_in(&mut scratch, name, text);
            assert_eq!(kept, Fingerprint::of(name, text), "{name:?}");
            let normalized = normalize(name);
            let named = if normalized.is_empty() {
                String::new()
            } else {
                format!("{normalized} ")
            };
            assert_eq!(
                kept.hash,
                xxhash_rust::xxh3::xxh3_64(named.as_bytes()) as u32
            );
        }
    }

    #[test]
    fn eight_bytes_at_a_time_are_classed_as_one_at_a_time() {
        // Every byte value, at every place of the eight, among bytes of the other classes.
        for b in 0..=255u8 {
            for at in 0..8 {
                for fill in [b'a', b'Z', b'0', b' ', 0x80, 0xff] {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let got = lower_or_digit(u64::from_le_bytes(bytes));
                    for (i, &byte) in bytes.iter().enumerate() {
                        let high = got >> (i * 8 + 7) & 1 == 1;
                        assert_eq!(high, CLASS[byte as usize] == LOWER, "{bytes:?} at {i}");
                    }
                    assert_eq!(got & !HIGH, 0);
                }
            }
        }
        let text = b"abcdefgh12345678xyz Abc";
        assert_eq!(lower_run(text, 0), 19);
        assert_eq!(lower_run(text, 20), 20);
        assert_eq!(lower_run(text, 21), 23);
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
