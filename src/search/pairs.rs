//! An article's counted terms ([`Pair`]s), as the index holds them while it scores every
//! posting of the site ([`Pairs`]), and as the build cache keeps them ([`packed`]).

/// One term of one article: its number, its frequency per field, where its units end in
/// `Counted::units` (they start where the pair before's end), and whether it is in one of
/// the article's labels. Held as a [`Slot`] in [`Pairs`].
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct Pair {
    pub(super) term: u32,
    pub(super) tf: [u32; 3],
    pub(super) end: u32,
    pub(super) label: bool,
}

/// A [`Pair`] in 12 bytes rather than 24: a site's articles hold millions of pairs, which a
/// build holds all at once to score them. The three frequencies share `bits`, [`TF_BITS`]
/// bits each, with [`WIDE`] set when one of them does not fit (then they are in
/// [`Pairs::wide`]) and [`LABEL`] when the term is in a label.
#[derive(Clone, Copy)]
struct Slot {
    term: u32,
    end: u32,
    bits: u32,
}

const TF_BITS: u32 = 10;
const TF_MAX: u32 = (1 << TF_BITS) - 1;
const WIDE: u32 = 1 << 30;
const LABEL: u32 = 1 << 31;

/// An article's pairs, in ascending term order.
#[derive(Clone, Default)]
pub(super) struct Pairs {
    slots: Vec<Slot>,
    /// The frequencies of the slots marked [`WIDE`], by the slot's index, ascending: few
    /// articles have any (a term met more than [`TF_MAX`] times in one field).
    wide: Vec<(u32, [u32; 3])>,
}

impl Pairs {
    pub(super) fn with_capacity(n: usize) -> Pairs {
        Pairs {
            slots: Vec::with_capacity(n),
            wide: Vec::new(),
        }
    }

    /// Adds `p` after the others (its term above theirs).
    pub(super) fn push(&mut self, p: Pair) {
        let label = if p.label { LABEL } else { 0 };
        let [a, b, c] = p.tf;
        let bits = match (a | b | c) <= TF_MAX {
            true => a | b << TF_BITS | c << (2 * TF_BITS),
            false => {
                self.wide.push((self.slots.len() as u32, p.tf));
                WIDE
            }
        };
        self.slots.push(Slot {
            term: p.term,
            end: p.end,
            bits: bits | label,
        });
    }

    /// How many pairs there are.
    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    /// Gives back the room the pairs do not use.
    pub(super) fn shrink_to_fit(&mut self) {
        self.slots.shrink_to_fit();
        self.wide.shrink_to_fit();
    }

    /// The pair at `at`.
    #[cfg(test)]
    fn get(&self, at: usize) -> Pair {
        self.unpack(at, self.slots[at])
    }

    /// The pair of the slot `s`, at `at`.
    #[inline]
    fn unpack(&self, at: usize, s: Slot) -> Pair {
        let tf = match s.bits & WIDE {
            0 => std::array::from_fn(|f| s.bits >> (f as u32 * TF_BITS) & TF_MAX),
            _ => {
                let i = self.wide.partition_point(|&(slot, _)| (slot as usize) < at);
                debug_assert_eq!(self.wide[i].0 as usize, at, "a wide slot's frequencies");
                self.wide[i].1
            }
        };
        Pair {
            term: s.term,
            tf,
            end: s.end,
            label: s.bits & LABEL != 0,
        }
    }

    /// Where the units of the pair at `at` end.
    pub(super) fn end(&self, at: usize) -> u32 {
        self.slots[at].end
    }

    /// Whether the term of the pair at `at` is in one of the article's labels.
    pub(super) fn label(&self, at: usize) -> bool {
        self.slots[at].bits & LABEL != 0
    }

    /// The pairs' terms, in order.
    pub(super) fn terms(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots.iter().map(|s| s.term)
    }

    /// The pairs' terms with where their units end, in order.
    pub(super) fn terms_and_ends(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.slots.iter().map(|s| (s.term, s.end))
    }

    /// Where `term` is, when the article holds it.
    pub(super) fn find(&self, term: u32) -> Option<usize> {
        self.slots.binary_search_by_key(&term, |s| s.term).ok()
    }

    /// The pairs, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Pair> + '_ {
        (self.slots.iter().enumerate()).map(|(at, &s)| self.unpack(at, s))
    }

    #[cfg(test)]
    pub(super) fn of(pairs: impl IntoIterator<Item = Pair>) -> Pairs {
        let mut all = Pairs::default();
        for p in pairs {
            all.push(p);
        }
        all
    }
}

/// The pairs of a `Counted` as the build cache keeps them: one string of bytes, each pair
/// its term (times two, plus one in a label), its three frequencies and how many units' bytes
/// it adds, as LEB128 numbers. Read back in one pass, rather than field after field.
pub(super) mod packed {
    use super::{Pair, Pairs};
    use serde::de::{Error, Visitor};

    pub fn serialize<S: serde::Serializer>(pairs: &Pairs, s: S) -> Result<S::Ok, S::Error> {
        let mut out = Vec::with_capacity(pairs.len() * 8);
        let mut start = 0;
        for p in pairs.iter() {
            push(&mut out, p.term << 1 | p.label as u32);
            for tf in p.tf {
                push(&mut out, tf);
            }
            push(&mut out, p.end.wrapping_sub(start));
            start = p.end;
        }
        s.serialize_bytes(&out)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Bytes;
        impl Visitor<'_> for Bytes {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("packed pairs")
            }
            fn visit_bytes<E: Error>(self, mut bytes: &[u8]) -> Result<Pairs, E> {
                // Each pair is five numbers, and each number ends with its one byte below 0x80.
                let mut pairs = Pairs::with_capacity(last_bytes(bytes) / 5);
                let mut end = 0u32;
                let next = |bytes: &mut &[u8]| {
                    take(bytes).ok_or_else(|| E::custom("a number cut short or too long"))
                };
                while !bytes.is_empty() {
                    let term = next(&mut bytes)?;
                    let tf = [next(&mut bytes)?, next(&mut bytes)?, next(&mut bytes)?];
                    end = end.wrapping_add(next(&mut bytes)?);
                    pairs.push(Pair {
                        term: term >> 1,
                        tf,
                        end,
                        label: term & 1 == 1,
                    });
                }
                Ok(pairs)
            }
        }
        d.deserialize_bytes(Bytes)
    }

    /// How many bytes of `bytes` are below 0x80, eight at a time: each high bit clear, moved
    /// down to its byte's lowest, and the eight bytes summed by one multiplication.
    fn last_bytes(bytes: &[u8]) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let mut words = bytes.chunks_exact(8);
        let mut n = 0;
        for w in &mut words {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            n += ((!w >> 7 & ONES).wrapping_mul(ONES) >> 56) as usize;
        }
        n + words.remainder().iter().filter(|&&b| b < 0x80).count()
    }

    fn push(out: &mut Vec<u8>, mut v: u32) {
        while v >= 0x80 {
            out.push(v as u8 | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    /// The next number of `bytes`, which then start after it; `None` when it is cut short,
    /// does not fit 32 bits, or takes more bytes than [`push`] writes it in.
    #[inline]
    fn take(bytes: &mut &[u8]) -> Option<u32> {
        let (&first, rest) = bytes.split_first()?;
        if first < 0x80 {
            *bytes = rest;
            return Some(u32::from(first));
        }
        let mut v = u32::from(first & 0x7f);
        for (i, &b) in rest.iter().enumerate().take(4) {
            v |= u32::from(b & 0x7f) << (7 * (i + 1));
            if b < 0x80 {
                // A last byte of 0 adds nothing; the fifth holds the 4 highest bits only.
                if b == 0 || (i == 3 && b > 0x0f) {
                    return None;
                }
                *bytes = &rest[i + 1..];
                return Some(v);
            }
        }
        None
    }

    #[cfg(test)]
    mod tests {
        use super::{last_bytes, push, take};

        #[test]
        fn the_last_bytes_of_numbers_are_counted() {
            let bytes: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
            for start in 0..20 {
                for len in [0, 1, 7, 8, 9, 17, 100, 512 - start] {
                    let some = &bytes[start..start + len];
                    let want = some.iter().filter(|&&b| b < 0x80).count();
                    assert_eq!(last_bytes(some), want, "{start} {len}");
                }
            }
        }

        #[test]
        fn numbers_are_read_back_as_written() {
            for v in [
                0,
                1,
                0x7f,
                0x80,
                0x3fff,
                0x4000,
                1 << 28,
                u32::MAX - 1,
                u32::MAX,
            ] {
                let mut out = Vec::new();
                push(&mut out, v);
                out.push(7);
                let mut bytes = out.as_slice();
                assert_eq!(take(&mut bytes), Some(v));
                assert_eq!(bytes, [7]);
                // Cut short: not read.
                assert_eq!(take(&mut &out[..out.len() - 2]), None, "{v}");
            }
        }

        #[test]
        fn numbers_too_large_or_too_long_are_refused() {
            // 2^32 and more: bits beyond the 32 would be lost.
            assert_eq!(take(&mut &[0x80, 0x80, 0x80, 0x80, 0x10][..]), None);
            assert_eq!(take(&mut &[0xff, 0xff, 0xff, 0xff, 0x7f][..]), None);
            // More than 5 bytes.
            assert_eq!(take(&mut &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00][..]), None);
            // More bytes than the number needs.
            assert_eq!(take(&mut &[0x81, 0x00][..]), None);
            assert_eq!(take(&mut &[0xff, 0xff, 0xff, 0xff, 0x00][..]), None);
            assert_eq!(
                take(&mut &[0xff, 0xff, 0xff, 0xff, 0x0f][..]),
                Some(u32::MAX)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_keep_every_frequency() {
        // Around the width of a frequency in a slot, the wide ones among the others.
        let tfs = [
            [0, 0, 1],
            [TF_MAX, TF_MAX, TF_MAX],
            [TF_MAX + 1, 0, 0],
            [3, 2, 1],
            [0, u32::MAX, 7],
            [1, 1, TF_MAX + 1],
            [TF_MAX, 0, 2],
        ];
        let written: Vec<Pair> = (tfs.iter().enumerate())
            .map(|(i, &tf)| Pair {
                term: i as u32 * 3,
                tf,
                end: i as u32 * 5,
                label: i % 2 == 1,
            })
            .collect();
        let pairs = Pairs::of(written.iter().copied());
        assert_eq!(pairs.iter().collect::<Vec<_>>(), written);
        assert_eq!(pairs.wide.len(), 3);
        for (at, p) in written.iter().enumerate() {
            assert_eq!(pairs.get(at), *p);
            assert_eq!((pairs.end(at), pairs.label(at)), (p.end, p.label));
            assert_eq!(pairs.find(p.term), Some(at));
            assert_eq!(pairs.find(p.term + 1), None);
        }
    }

    /// The build cache's bytes of a few pairs, a wide one and labelled ones among them: what
    /// an earlier build wrote is read back as it was.
    #[test]
    fn pairs_are_packed_as_the_cache_keeps_them() {
        let pairs = Pairs::of([
            Pair {
                term: 3,
                tf: [1, 0, 2],
                end: 2,
                label: true,
            },
            Pair {
                term: 200,
                tf: [0, TF_MAX + 1, 5],
                end: 2,
                label: false,
            },
            Pair {
                term: 201,
                tf: [0, 0, 300],
                end: 7,
                label: true,
            },
        ]);
        let bytes = postcard::to_allocvec(&Packed(pairs.clone())).unwrap();
        #[rustfmt::skip]
        let want = [
            // The length of the string of bytes, then each pair's five numbers.
            19,
            7, 1, 0, 2, 2,
            0x90, 3, 0, 0x80, 8, 5, 0,
            0x93, 3, 0, 0, 0xac, 2, 5,
        ];
        assert_eq!(bytes, want);
        let read: Packed = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(
            read.0.iter().collect::<Vec<_>>(),
            pairs.iter().collect::<Vec<_>>()
        );
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Packed(#[serde(with = "packed")] Pairs);
}
