//! Postings: which articles hold each term, how well (BM25), and in which of their units.
//!
//! Every article is counted on its own thread, numbering terms in one shared table. A unit
//! is the article (number 0: its title, description, tags and intro) or one of its
//! outline's units (number `i + 1`: a heading or label and the unit's own text). A posting
//! names each unit as `unit × 2`, plus 1 when the term is in the unit's title, heading or
//! label. Stop words count only in titles, headings and labels. Postings longer than a shard
//! are cut into pieces ([`Index::pieces`]), the articles where the term scores highest last.

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
    /// Postings, by term number.
    postings: Vec<Postings>,
    /// The endings the language's stemmer takes off the index's words, most common first
    /// then longest first (empty without a stemmer): the browser takes them off query words.
    pub endings: Vec<String>,
}

/// How many endings the manifest lists at most.
const ENDINGS: usize = 48;

/// The postings of one term.
#[derive(Default)]
struct Postings {
    /// Its articles in ascending order: (article, score on the scale `1..=TOP_SCORE`, the
    /// term is in one of the article's labels).
    articles: Vec<(u32, u8, bool)>,
    /// Each article's posting after its id (score and units), one after another.
    bodies: String,
    /// Where each article's body ends in `bodies`.
    ends: Vec<usize>,
}

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
        let bm25 = |a: &Counted, &(term, tf, _, _): &Pair| {
            let mut s = 0.0;
            for f in 0..3 {
                if tf[f] == 0 {
                    continue;
                }
                let t = tf[f] as f64;
                let norm = 1.0 - B + B * a.len[f] as f64 / avg[f].max(1.0);
                s += BOOSTS[f] * t * (K1 + 1.0) / (t + K1 * norm);
            }
            idf[term as usize] * s
        };
        let scores: Vec<Vec<f64>> = articles
            .par_iter()
            .map(|a| a.pairs.iter().map(|p| bm25(a, p)).collect())
            .collect();
        let max = scores
            .iter()
            .flatten()
            .fold(f64::MIN_POSITIVE, |m, &s| m.max(s));
        // Article after article, so that each article's units are read in order.
        let mut postings: Vec<Postings> = df
            .iter()
            .map(|&df| Postings {
                articles: Vec::with_capacity(df as usize),
                ends: Vec::with_capacity(df as usize),
                bodies: String::new(),
            })
            .collect();
        for (id, (a, scores)) in articles.iter().zip(&scores).enumerate() {
            for (&(term, _, start, len), &s) in a.pairs.iter().zip(scores) {
                let p = &mut postings[term as usize];
                let score = scale(s / max);
                let units = &a.units[start as usize..(start + len) as usize];
                p.articles
                    .push((id as u32, score, units.iter().any(|u| u & 1 == 1)));
                varint(&mut p.bodies, score as u32);
                varint(&mut p.bodies, len);
                let mut last = 0;
                for (i, &u) in units.iter().enumerate() {
                    varint(&mut p.bodies, if i == 0 { u } else { u - last });
                    last = u;
                }
                p.ends.push(p.bodies.len());
            }
        }
        Index {
            terms,
            postings,
            endings,
        }
    }

    /// The postings of `term` (by number), encoded as `docs/search-index.md` says, in
    /// pieces of at most `max` bytes (a piece of one article may be longer). One piece
    /// when they fit; else the articles where the term scores highest (its head) come
    /// last, and the others before it, in pieces, each in ascending article order.
    pub fn pieces(&self, term: u32, max: usize) -> Vec<String> {
        let Postings {
            articles: list,
            bodies,
            ends,
        } = &self.postings[term as usize];
        let body = |i: usize| &bodies[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
        let article = |i: usize| list[i].0;
        let whole = join(list.len(), article, body);
        if whole.len() <= max {
            return vec![whole];
        }
        // An id takes at most as many characters as the highest one: the head, chosen by
        // score, counted with that never exceeds what it takes.
        let id_len = varint_len(list.last().map_or(0, |p| p.0));
        let head = self.head(term, |i| body(i).len() + id_len, max);
        let mut in_head = vec![false; list.len()];
        for &i in &head {
            in_head[i] = true;
        }
        let mut out = Vec::new();
        let mut piece: Vec<usize> = Vec::new();
        let mut used = 0;
        for i in (0..list.len()).filter(|&i| !in_head[i]) {
            let prev = piece.last().map_or(0, |&p| article(p));
            if used + varint_len(article(i) - prev) + body(i).len() > max && !piece.is_empty() {
                out.push(join(piece.len(), |j| article(piece[j]), |j| body(piece[j])));
                piece.clear();
                used = 0;
            }
            let prev = piece.last().map_or(0, |&p| article(p));
            used += varint_len(article(i) - prev) + body(i).len();
            piece.push(i);
        }
        if !piece.is_empty() {
            out.push(join(piece.len(), |j| article(piece[j]), |j| body(piece[j])));
        }
        out.push(join(head.len(), |j| article(head[j]), |j| body(head[j])));
        out
    }

    /// The head of `term`: the positions in its list of the articles where it scores
    /// highest, as many as fit in `max` bytes, ascending.
    fn head(&self, term: u32, size: impl Fn(usize) -> usize, max: usize) -> Vec<usize> {
        let mut ranked = self.ranked(term);
        let mut used = 0;
        let n = ranked
            .iter()
            .take_while(|&&i| {
                used += size(i);
                used <= max
            })
            .count();
        ranked.truncate(n.max(1));
        ranked.sort_unstable();
        ranked
    }

    /// The positions in the list of `term`, best first: the highest score, then the term in
    /// a label (a title or heading), then the lowest article id.
    fn ranked(&self, term: u32) -> Vec<usize> {
        let list = &self.postings[term as usize].articles;
        let mut ranked: Vec<usize> = (0..list.len()).collect();
        ranked.sort_unstable_by_key(|&i| (std::cmp::Reverse((list[i].1, list[i].2)), i));
        ranked
    }
}

/// Postings from `n` articles in ascending order: each one's id (as a difference) and body.
fn join<'a>(n: usize, article: impl Fn(usize) -> u32, body: impl Fn(usize) -> &'a str) -> String {
    let mut out = String::new();
    let mut prev = 0;
    for i in 0..n {
        let id = article(i);
        varint(&mut out, id - prev);
        prev = id;
        out.push_str(body(i));
    }
    out
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

/// How many characters [`varint`] writes for `v`.
fn varint_len(v: u32) -> usize {
    (32 - v.leading_zeros() as usize).div_ceil(5).max(1)
}

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
        let whole = |t: &str| {
            let pieces = index.pieces(id(t), usize::MAX);
            assert_eq!(pieces.len(), 1);
            decode(&pieces[0])
        };
        // "code": article 0 in the heading (unit 1, label: 3) and both steps (units 2 and
        // 3: 4 and 6); article 1 in its intro (unit 0: 0).
        let code = whole("code");
        assert_eq!(code.len(), 2 + 1 + 3 + 2 + 1 + 1, "{code:?}");
        assert_eq!(code[0], 0);
        assert_eq!(&code[2..6], [3, 3, 1, 2]);
        assert_eq!(code[6], 1, "the second article, as a delta");
        assert_eq!(&code[8..], [1, 0]);
        // Stop words of the body are not indexed; "resend" is in the nested step only; the
        // title's words are in the article's label.
        assert!(!index.terms.iter().any(|t| t == "the" || t == "but"));
        assert_eq!(&whole("resend")[2..], [1, 6]);
        assert_eq!(&whole("reset")[2..], [1, 1]);
    }

    /// (article, score) of each article of some postings.
    fn articles(postings: &str) -> Vec<(u32, u32)> {
        let nums = decode(postings);
        let (mut out, mut at, mut id) = (Vec::new(), 0, 0);
        while at < nums.len() {
            id = if out.is_empty() {
                nums[at]
            } else {
                id + nums[at]
            };
            out.push((id, nums[at + 1]));
            at += 3 + nums[at + 2] as usize;
        }
        out
    }

    #[test]
    fn long_postings_end_with_the_articles_where_the_term_scores_highest() {
        // "key" in every article; more often (so higher) in the titles of every fifth one.
        let docs: Vec<Doc> = (0..60)
            .map(|i| {
                let title = if i % 5 == 0 { "Key key key" } else { "Other" };
                doc(title, &format!("The key, word{i}.\n"))
            })
            .collect();
        let index = Index::build(&docs);
        let key = index.terms.iter().position(|x| x == "key").unwrap() as u32;
        let pieces = index.pieces(key, 40);
        assert!(pieces.len() > 2, "{pieces:?}");
        for p in &pieces {
            assert!(p.len() <= 40, "{p}");
        }
        let head = articles(pieces.last().unwrap());
        let ids: Vec<u32> = head.iter().map(|a| a.0).collect();
        assert_eq!(
            ids,
            [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55][..ids.len()]
        );
        let mut all: Vec<(u32, u32)> = pieces.iter().flat_map(|p| articles(p)).collect();
        let low = all.iter().filter(|a| a.0 % 5 != 0).map(|a| a.1).max();
        assert!(head.iter().all(|a| Some(a.1) > low), "{head:?} {low:?}");
        // Every article once, each piece in ascending order.
        all.sort_unstable();
        assert_eq!(
            all.iter().map(|a| a.0).collect::<Vec<_>>(),
            (0..60).collect::<Vec<_>>()
        );
        for p in &pieces {
            assert!(articles(p).windows(2).all(|w| w[0].0 < w[1].0), "{p}");
        }
    }

    #[test]
    fn scores_spread_over_the_scale() {
        assert_eq!(scale(1.0), 31);
        assert_eq!(scale(0.25), 16);
        assert_eq!(scale(0.0), 1);
    }
}
