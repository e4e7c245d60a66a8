//! Postings: which articles hold each term, how well (BM25), and in which of their units.
//!
//! Every article is counted on its own thread, numbering terms in one shared table. A unit
//! is the article (number 0: its title, description, tags and intro) or one of its
//! outline's units (number `i + 1`: a heading or label and the unit's own text). A posting
//! names each unit as `unit × 2`, plus 1 when the term is in the unit's title, heading or
//! label. Stop words count only in titles, headings and labels.

use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Doc;
use super::tokenize;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title, headings (with option labels, tags and the description), body.
const BOOSTS: [f64; 3] = [4.0, 2.0, 1.0];
/// The highest score on the scale of postings.
pub const TOP_SCORE: f64 = 31.0;

/// One term of one article: the term, its frequency per field, and its units (a range of
/// [`Counted::units`]).
type Pair = (u32, [u32; 3], u32, u32);

/// An article, counted.
struct Counted {
    pairs: Vec<Pair>,
    units: Vec<u32>,
    len: [u32; 3],
}

/// The postings of every term.
pub struct Index {
    /// Terms by number.
    pub terms: Vec<String>,
    /// For each term, its articles in ascending order: (article, index into its pairs, score
    /// on the scale `1..=TOP_SCORE`).
    lists: Vec<Vec<(u32, u32, u8)>>,
    articles: Vec<Counted>,
    /// The endings the language's stemmer takes off the index's words, most common first
    /// then longest first (empty without a stemmer): the browser takes them off query words.
    pub endings: Vec<String>,
}

/// How many endings the manifest lists at most.
const ENDINGS: usize = 48;

impl Index {
    #[cfg(test)]
    pub fn build(docs: &[Doc]) -> Index {
        Self::build_with(docs, None)
    }

    /// The index of articles in a language that `stemmer` stems: every word is indexed both
    /// as it is written and by its stem.
    pub fn build_with(docs: &[Doc], stemmer: Option<&rust_stemmers::Stemmer>) -> Index {
        let table = Terms::default();
        let articles: Vec<Counted> = docs
            .par_iter()
            .map_init(Counter::default, |counter, d| {
                count(d, &table, counter, stemmer)
            })
            .collect();
        let terms = table.into_terms();
        let endings = stemmer.map(|s| endings(&terms, s)).unwrap_or_default();
        let mut df = vec![0u32; terms.len()];
        for a in &articles {
            for p in &a.pairs {
                df[p.0 as usize] += 1;
            }
        }
        let n = articles.len().max(1) as f64;
        let mut avg = [0f64; 3];
        for a in &articles {
            for (avg, len) in avg.iter_mut().zip(a.len) {
                *avg += len as f64 / n;
            }
        }
        let idf: Vec<f64> = df
            .iter()
            .map(|&df| (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln())
            .collect();
        let mut raw: Vec<Vec<(u32, u32, f32)>> = df
            .iter()
            .map(|&df| Vec::with_capacity(df as usize))
            .collect();
        let mut max = 0f64;
        for (id, a) in articles.iter().enumerate() {
            for (k, &(term, tf, _, _)) in a.pairs.iter().enumerate() {
                let mut s = 0.0;
                for f in 0..3 {
                    if tf[f] == 0 {
                        continue;
                    }
                    let t = tf[f] as f64;
                    let norm = 1.0 - B + B * a.len[f] as f64 / avg[f].max(1.0);
                    s += BOOSTS[f] * t * (K1 + 1.0) / (t + K1 * norm);
                }
                let score = idf[term as usize] * s;
                max = max.max(score);
                raw[term as usize].push((id as u32, k as u32, score as f32));
            }
        }
        let max = max.max(f64::MIN_POSITIVE);
        let lists = raw
            .into_par_iter()
            .map(|list| {
                list.into_iter()
                    .map(|(a, k, s)| (a, k, scale(s as f64 / max)))
                    .collect()
            })
            .collect();
        Index {
            terms,
            lists,
            articles,
            endings,
        }
    }

    /// How many articles hold `term` (by number).
    pub fn count(&self, term: u32) -> usize {
        self.lists[term as usize].len()
    }

    /// The postings of `term` (by number), articles `from..to` of its list, encoded as
    /// `docs/search-index.md` says; also where each article's posting ends in the string.
    pub fn encode(&self, term: u32, from: usize, to: usize, ends: &mut Vec<usize>) -> String {
        let list = &self.lists[term as usize][from..to];
        let mut out = String::with_capacity(list.len() * 5);
        let mut prev = 0;
        ends.clear();
        for &(article, k, score) in list {
            varint(&mut out, article - prev);
            prev = article;
            varint(&mut out, score as u32);
            let a = &self.articles[article as usize];
            let (_, _, start, len) = a.pairs[k as usize];
            let units = &a.units[start as usize..(start + len) as usize];
            varint(&mut out, units.len() as u32);
            let mut last = 0;
            for (i, &u) in units.iter().enumerate() {
                varint(&mut out, if i == 0 { u } else { u - last });
                last = u;
            }
            ends.push(out.len());
        }
        out
    }
}

/// A BM25 score as a share of the site's highest, on the scale `1..=TOP_SCORE`: the square
/// root spreads the many small scores over more steps.
fn scale(share: f64) -> u8 {
    (share.sqrt() * TOP_SCORE).ceil().clamp(1.0, TOP_SCORE) as u8
}

/// Numbers every distinct term once, shared by the threads that count articles. The table
/// is split into shards by the term's hash, each behind its own lock, and numbers come from
/// one counter, so they stay dense.
struct Terms {
    shards: Vec<Mutex<FxHashMap<String, u32>>>,
    next: AtomicU32,
}

/// Locks of the shared term table: enough that threads rarely meet at one.
const TERM_SHARDS: usize = 64;

impl Default for Terms {
    fn default() -> Self {
        Terms {
            shards: (0..TERM_SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(0),
        }
    }
}

impl Terms {
    /// The term's number; `cache` is the calling thread's memory of numbers already seen,
    /// so the shared table is locked only for terms new to that thread.
    fn id(&self, cache: &mut FxHashMap<String, u32>, term: &str) -> u32 {
        if let Some(&id) = cache.get(term) {
            return id;
        }
        let shard = (rustc_hash::FxBuildHasher.hash_one(term) as usize) % TERM_SHARDS;
        let mut ids = self.shards[shard]
            .lock()
            .expect("no panic while holding the lock");
        let id = *ids
            .entry(term.to_string())
            .or_insert_with(|| self.next.fetch_add(1, Ordering::Relaxed));
        cache.insert(term.to_string(), id);
        id
    }

    /// Every term, at the index of its number.
    fn into_terms(self) -> Vec<String> {
        let mut terms = vec![String::new(); self.next.into_inner() as usize];
        for shard in self.shards {
            let shard = shard.into_inner().expect("no panic while holding the lock");
            for (term, id) in shard {
                terms[id as usize] = term;
            }
        }
        terms
    }
}

/// A thread's working memory for counting: the numbers of the terms it has met (so the
/// shared table is locked once per new term), frequencies indexed by term number and the
/// last unit each term was seen in, reset after each article.
#[derive(Default)]
struct Counter {
    ids: FxHashMap<String, u32>,
    tf: Vec<[u32; 3]>,
    /// One more than the last unit the term was met in (0: not met in this article).
    last: Vec<u32>,
    /// (term, unit × 2 + 1 if met in the unit's label) for each term met in each unit.
    met: Vec<(u32, u32)>,
}

/// The endings `stemmer` takes off `terms`, most common first, each as often as it is met;
/// the list the browser tries, longest first.
fn endings(terms: &[String], stemmer: &rust_stemmers::Stemmer) -> Vec<String> {
    let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
    for t in terms {
        let stem = stemmer.stem(t);
        if stem.len() < t.len() && t.starts_with(stem.as_ref()) {
            *seen.entry(&t[stem.len()..]).or_default() += 1;
        }
    }
    let mut list: Vec<(&str, usize)> = seen.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    list.truncate(ENDINGS);
    let mut out: Vec<String> = list.into_iter().map(|(e, _)| e.to_string()).collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    out
}

fn count(
    a: &Doc,
    table: &Terms,
    counter: &mut Counter,
    stemmer: Option<&rust_stemmers::Stemmer>,
) -> Counted {
    let Counter { ids, tf, last, met } = counter;
    let mut len = [0u32; 3];
    // `label`: the text is the unit's title, heading or label (the article's: its title).
    let mut add = |field: usize, unit: u32, label: bool, text: &str| {
        tokenize::tokens(text, |word| {
            if field == 2 && tokenize::is_stop(word) {
                return;
            }
            let stem = stemmer
                .map(|s| s.stem(word))
                .filter(|s| s.len() >= 2 && s != word);
            for t in std::iter::once(word).chain(stem.as_deref()) {
                let id = table.id(ids, t) as usize;
                if id >= tf.len() {
                    let size = (id + 1).max(tf.len() * 2);
                    tf.resize(size, [0; 3]);
                    last.resize(size, 0);
                }
                tf[id][field] += 1;
                len[field] += 1;
                // A unit's label is counted before its text, so the first meeting says whether
                // the term is in the label.
                if last[id] != unit + 1 {
                    last[id] = unit + 1;
                    met.push((id as u32, unit * 2 + label as u32));
                }
            }
        });
    };
    add(0, 0, true, &a.title);
    if let Some(d) = &a.description {
        add(1, 0, false, d);
    }
    for t in &a.tags {
        add(1, 0, false, t);
    }
    let o = &a.outline;
    add(2, 0, false, &o.intro);
    for (i, u) in o.units.iter().enumerate() {
        let unit = i as u32 + 1;
        add(1, unit, true, &u.label);
        add(2, unit, false, &u.text);
    }
    met.sort_unstable();
    let mut pairs: Vec<Pair> = Vec::new();
    let mut units = Vec::with_capacity(met.len());
    for (i, &(term, unit)) in met.iter().enumerate() {
        if i == 0 || met[i - 1].0 != term {
            let t = term as usize;
            pairs.push((term, std::mem::take(&mut tf[t]), units.len() as u32, 0));
            last[t] = 0;
        }
        // Each (term, unit) is met once: units are counted one after another.
        units.push(unit);
        pairs.last_mut().expect("pushed above").3 += 1;
    }
    met.clear();
    Counted { pairs, units, len }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A number as a base-64 varint: five bits a character, least significant first; the
/// sixth bit says more characters follow.
pub fn varint(out: &mut String, mut v: u32) {
    loop {
        let low = v & 31;
        v >>= 5;
        let more = if v > 0 { 32 } else { 0 };
        out.push(ALPHABET[(low | more) as usize] as char);
        if v == 0 {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tests::render_full;
    use std::sync::Arc;

    pub fn decode(s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let (mut v, mut shift) = (0u32, 0);
        for b in s.bytes() {
            let d = ALPHABET.iter().position(|&a| a == b).unwrap() as u32;
            v |= (d & 31) << shift;
            if d & 32 == 0 {
                out.push(v);
                v = 0;
                shift = 0;
            } else {
                shift += 5;
            }
        }
        out
    }

    #[test]
    fn varints_round_trip() {
        let mut s = String::new();
        for v in [0, 1, 31, 32, 1000, 1 << 20, u32::MAX] {
            varint(&mut s, v);
        }
        assert_eq!(decode(&s), [0, 1, 31, 32, 1000, 1 << 20, u32::MAX]);
    }

    fn doc(title: &str, md: &str) -> Doc {
        Doc {
            title: title.into(),
            url: "a.html".into(),
            crumb: String::new(),
            description: None,
            tags: Vec::new(),
            outline: Arc::new(render_full(md).outline.as_ref().clone()),
        }
    }

    #[test]
    fn postings_name_the_units_that_hold_a_term() {
        let docs = [
            doc(
                "Reset",
                "Intro.\n\n## Code\n\n1. Send the code.\n   1. Resend the code.\n",
            ),
            doc("Other", "Nothing of the kind, but the code.\n"),
        ];
        let index = Index::build(&docs);
        let id = |t: &str| index.terms.iter().position(|x| x == t).unwrap() as u32;
        let mut ends = Vec::new();
        // "code": article 0 in the heading (unit 1, label: 3) and both steps (units 2 and
        // 3: 4 and 6); article 1 in its intro (unit 0: 0).
        let code = decode(&index.encode(id("code"), 0, 2, &mut ends));
        assert_eq!(code.len(), 2 + 1 + 3 + 2 + 1 + 1, "{code:?}");
        assert_eq!(code[0], 0);
        assert_eq!(&code[2..6], [3, 3, 1, 2]);
        assert_eq!(code[6], 1, "the second article, as a delta");
        assert_eq!(&code[8..], [1, 0]);
        assert_eq!(ends.len(), 2);
        // Stop words of the body are not indexed; "resend" is in the nested step only; the
        // title's words are in the article's label.
        assert!(!index.terms.iter().any(|t| t == "the" || t == "but"));
        let resend = decode(&index.encode(id("resend"), 0, 1, &mut ends));
        assert_eq!(&resend[2..], [1, 6]);
        let reset = decode(&index.encode(id("reset"), 0, 1, &mut ends));
        assert_eq!(&reset[2..], [1, 1]);
        assert_eq!(index.count(id("code")), 2);
    }

    #[test]
    fn scores_spread_over_the_scale() {
        assert_eq!(scale(1.0), 31);
        assert_eq!(scale(0.25), 16);
        assert_eq!(scale(0.0), 1);
    }
}
