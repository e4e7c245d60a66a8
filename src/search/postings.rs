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
use super::pairs::{Pair, Pairs};
use super::tokenize;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title, headings (with option labels, tags and the description), body.
const BOOSTS: [f64; 3] = [4.0, 2.0, 1.0];
/// The highest score on the scale of postings.
pub const TOP_SCORE: f64 = 31.0;

/// An article, counted: what of its postings depends on it alone.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Counted {
    #[serde(with = "super::pairs::packed")]
    pairs: Pairs,
    /// The units of each pair, encoded as a posting writes them after the score: how many,
    /// then each one (the first as it is, the others as the difference from the one before).
    units: String,
    len: [u32; 3],
}

impl Counted {
    /// Whether these counts hold together as [`count`] makes them, with `terms` terms
    /// numbered: each pair's term numbered and above the one before, and its units ending at
    /// or after the pair before's, within [`Counted::units`] (on a character's boundary).
    /// Counts read back from the build cache are taken only then: [`Index::build`] reads
    /// them as such.
    pub fn holds_together(&self, terms: usize) -> bool {
        let mut start = 0;
        let mut last = None;
        self.pairs.terms_and_ends().all(|(term, end)| {
            let end = end as usize;
            let fits = (term as usize) < terms
                && last.is_none_or(|l| l < term)
                && start <= end
                && self.units.is_char_boundary(end);
            (start, last) = (end, Some(term));
            fits
        })
    }
}

/// The postings of every term: their scores and keys, and those gathered.
pub struct Index<'a> {
    /// Terms by number.
    pub terms: &'a [String],
    /// The numbers of the terms some article holds.
    pub live: Vec<u32>,
    /// Postings, by term number: empty until gathered ([`Index::gather`]).
    postings: Vec<Vec<Entry<'a>>>,
    /// The endings the language's stemmer takes off the index's words, most common first
    /// then longest first (empty without a stemmer): the browser takes them off query words.
    pub endings: Vec<String>,
    /// The articles, by number, and the score of each of their pairs.
    articles: Vec<&'a Counted>,
    scores: Vec<Vec<u8>>,
    /// How many articles hold each term.
    df: Vec<u32>,
    /// The hash of each term's postings ([`Index::key`]).
    keys: Vec<u64>,
}

/// The hash of one posting of the term named `name` (the hash of its text): its article's
/// number, score and label, and its units. A term's postings hash as the sum of theirs:
/// each article is in them once, so the sum tells one set of postings from another as a hash
/// of their text would, and threads that each made some of them add up their sums.
fn entry_hash(name: u64, (article, score, label, units): (u32, u8, bool, &str)) -> u64 {
    let units = match units.len() {
        // A few bytes, and how many (in the last byte): as they are.
        n @ 0..=7 => Words::short(units).expect("at most 16 bytes") as u64 | (n as u64) << 56,
        _ => xxhash_rust::xxh3::xxh3_64(units.as_bytes()) | 0xff << 56,
    };
    let rest = u64::from(article) << 16 | u64::from(label) << 8 | u64::from(score);
    mix(mix(name ^ units).wrapping_add(rest))
}

/// MurmurHash3's 64-bit finalizer: every bit of `x` moves every bit of the result.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// How many endings the manifest lists at most.
const ENDINGS: usize = 48;

/// One article in the postings of one term.
#[derive(Clone, Copy)]
struct Entry<'a> {
    article: u32,
    /// On the scale `1..=TOP_SCORE`.
    score: u8,
    /// The term is in one of the article's labels.
    label: bool,
    /// Its units, encoded ([`Counted::units`]).
    units: &'a str,
}

impl Entry<'_> {
    /// The length of the posting after the article's id.
    fn body_len(&self) -> usize {
        1 + self.units.len()
    }
}

impl<'a> Index<'a> {
    /// The index of `articles`, counted with the terms `terms` (by number) in a language
    /// that `stemmer` stems: the site-wide part of the work, scoring the postings of each
    /// term and hashing them ([`Index::key`]); they are gathered when asked
    /// ([`Index::gather`]).
    pub fn build(
        articles: &[&'a Counted],
        terms: &'a [String],
        stemmer: Option<&rust_stemmers::Stemmer>,
    ) -> Index<'a> {
        let mut df = vec![0u32; terms.len()];
        for a in articles {
            for t in a.pairs.terms() {
                df[t as usize] += 1;
            }
        }
        let live: Vec<u32> = (0..terms.len() as u32)
            .filter(|&t| df[t as usize] > 0)
            .collect();
        let endings = stemmer
            .map(|s| endings(live.iter().map(|&t| terms[t as usize].as_str()), s))
            .unwrap_or_default();
        let n = articles.len().max(1) as f64;
        let mut avg = [0f64; 3];
        for a in articles {
            for (avg, len) in avg.iter_mut().zip(a.len) {
                *avg += len as f64 / n;
            }
        }
        let idf: Vec<f64> = df
            .iter()
            .map(|&df| (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln())
            .collect();
        // Each field's length normalization of an article, times K1: the same for all its
        // terms.
        let norms = |a: &Counted| -> [f64; 3] {
            std::array::from_fn(|f| K1 * (1.0 - B + B * a.len[f] as f64 / avg[f].max(1.0)))
        };
        let bm25 = |norms: &[f64; 3], p: &Pair| {
            let mut s = 0.0;
            for f in 0..3 {
                if p.tf[f] == 0 {
                    continue;
                }
                let t = p.tf[f] as f64;
                s += BOOSTS[f] * t * (K1 + 1.0) / (t + norms[f]);
            }
            idf[p.term as usize] * s
        };
        // Scored twice, to find the highest and to scale each, rather than kept: the same
        // numbers, and no score of every posting held at once.
        let max = articles
            .par_iter()
            .map(|a| {
                let norms = norms(a);
                a.pairs
                    .iter()
                    .fold(f64::MIN_POSITIVE, |m, p| m.max(bm25(&norms, &p)))
            })
            .reduce(|| f64::MIN_POSITIVE, f64::max);
        // Scaled in parallel, a run of articles per thread, each thread summing the hash of
        // every posting it makes into its terms' keys ([`entry_hash`]); the postings
        // themselves are gathered only for the terms that need them ([`Index::gather`]).
        let names: Vec<u64> = (terms.iter().zip(&df))
            .map(|(t, &df)| match df {
                0 => 0,
                _ => xxhash_rust::xxh3::xxh3_64(t.as_bytes()),
            })
            .collect();
        // A few runs a thread, so that a thread held up elsewhere leaves its share to the
        // others; runs next to each other add up as they end, so that about one sum per
        // thread is held at a time.
        let run = articles
            .len()
            .div_ceil(4 * rayon::current_num_threads().max(1))
            .max(1);
        let (scores, sums) = articles
            .par_chunks(run)
            .enumerate()
            .map(|(r, run_articles)| {
                let mut sums = vec![0u64; terms.len()];
                let mut scores = Vec::with_capacity(run_articles.len());
                for (i, a) in run_articles.iter().enumerate() {
                    let article = (r * run + i) as u32;
                    let norms = norms(a);
                    let mut start = 0;
                    let mut of_article = Vec::with_capacity(a.pairs.len());
                    for p in a.pairs.iter() {
                        let score = scale(bm25(&norms, &p) / max);
                        let units = &a.units[start..p.end as usize];
                        start = p.end as usize;
                        let name = names[p.term as usize];
                        let sum = &mut sums[p.term as usize];
                        let entry = (article, score, p.label, units);
                        *sum = sum.wrapping_add(entry_hash(name, entry));
                        of_article.push(score);
                    }
                    scores.push(of_article);
                }
                (scores, sums)
            })
            .reduce(
                || (Vec::new(), Vec::new()),
                |(mut scores, mut sums), (later, more)| {
                    scores.extend(later);
                    match sums.is_empty() {
                        true => sums = more,
                        false => {
                            for (sum, s) in sums.iter_mut().zip(more) {
                                *sum = sum.wrapping_add(s);
                            }
                        }
                    }
                    (scores, sums)
                },
            );
        let sums = match sums.is_empty() {
            true => vec![0u64; terms.len()],
            false => sums,
        };
        let keys = (sums.iter().zip(&df))
            .map(|(&sum, &df)| {
                let mut both = [0u8; 12];
                both[..8].copy_from_slice(&sum.to_le_bytes());
                both[8..].copy_from_slice(&df.to_le_bytes());
                xxhash_rust::xxh3::xxh3_64(&both)
            })
            .collect();
        Index {
            terms,
            live,
            postings: (0..terms.len()).map(|_| Vec::new()).collect(),
            endings,
            articles: articles.to_vec(),
            scores,
            df,
            keys,
        }
    }

    /// Gathers the postings of `wanted` (by number) that are not yet, each in ascending
    /// article order. A few terms are looked up in each article's pairs (in term order);
    /// more, in one pass over all of them.
    pub fn gather(&mut self, wanted: impl IntoIterator<Item = u32>) {
        let mut need: Vec<u32> = (wanted.into_iter())
            .filter(|&t| !self.gathered(t))
            .collect();
        need.sort_unstable();
        need.dedup();
        if need.is_empty() {
            return;
        }
        for &t in &need {
            self.postings[t as usize] = Vec::with_capacity(self.df[t as usize] as usize);
        }
        let entry = |a: &'a Counted, scores: &[u8], id: usize, at: usize| {
            let start = at.checked_sub(1).map_or(0, |b| a.pairs.end(b) as usize);
            Entry {
                article: id as u32,
                score: scores[at],
                label: a.pairs.label(at),
                units: &a.units[start..a.pairs.end(at) as usize],
            }
        };
        const LOOKED_UP: usize = 16;
        if need.len() <= LOOKED_UP {
            for (id, (a, scores)) in self.articles.iter().zip(&self.scores).enumerate() {
                for &t in &need {
                    if let Some(at) = a.pairs.find(t) {
                        self.postings[t as usize].push(entry(a, scores, id, at));
                    }
                }
            }
            return;
        }
        let mut wants = vec![false; self.terms.len()];
        for &t in &need {
            wants[t as usize] = true;
        }
        for (id, (a, scores)) in self.articles.iter().zip(&self.scores).enumerate() {
            for (at, t) in a.pairs.terms().enumerate() {
                if wants[t as usize] {
                    self.postings[t as usize].push(entry(a, scores, id, at));
                }
            }
        }
    }

    /// Whether the postings of `term` are gathered.
    fn gathered(&self, term: u32) -> bool {
        self.postings[term as usize].len() == self.df[term as usize] as usize
    }

    /// The postings of `term` (by number), encoded as `docs/search-index.md` says, in
    /// pieces of at most `max` bytes (a piece of one article may be longer). One piece
    /// when they fit; else the articles where the term scores highest (its head) come
    /// last, and the others before it, in pieces, each in ascending article order.
    #[cfg(test)]
    pub fn pieces(&self, term: u32, max: usize) -> Vec<String> {
        let cut = self.cut(term, max);
        (0..cut.pieces.len())
            .map(|p| {
                let mut out = String::new();
                self.write_piece(term, &cut, p, &mut out);
                assert_eq!(out.len(), cut.pieces[p].len);
                out
            })
            .collect()
    }

    /// Where the pieces of [`Index::pieces`] start and end, and how long each is, without
    /// writing them.
    pub fn cut(&self, term: u32, max: usize) -> Cut {
        debug_assert!(
            self.gathered(term),
            "the postings of a term cut are gathered"
        );
        let list = &self.postings[term as usize];
        let all = 0..list.len() as u32;
        let whole = chain_len(list.iter());
        if whole <= max {
            return Cut {
                in_head: Vec::new(),
                pieces: vec![Piece {
                    range: all,
                    part: Part::All,
                    len: whole,
                }],
            };
        }
        // An id takes at most as many characters as the highest one: the head, chosen by
        // score, counted with that never exceeds what it takes.
        let id_len = varint_len(list.last().map_or(0, |e| e.article));
        let in_head = head(list, |e| e.body_len() + id_len, max);
        let mut pieces = Vec::new();
        let (mut start, mut len, mut prev) = (0, 0, 0);
        for (i, e) in list.iter().enumerate().filter(|(i, _)| !in_head[*i]) {
            let size = varint_len(e.article - prev) + e.body_len();
            if len + size > max && len > 0 {
                pieces.push(Piece {
                    range: start..i as u32,
                    part: Part::Rest,
                    len,
                });
                (start, len, prev) = (i as u32, 0, 0);
            }
            len += varint_len(e.article - prev) + e.body_len();
            prev = e.article;
        }
        if len > 0 {
            pieces.push(Piece {
                range: start..list.len() as u32,
                part: Part::Rest,
                len,
            });
        }
        let head_len = chain_len(
            list.iter()
                .zip(&in_head)
                .filter(|(_, h)| **h)
                .map(|(e, _)| e),
        );
        pieces.push(Piece {
            range: all,
            part: Part::Head,
            len: head_len,
        });
        Cut { in_head, pieces }
    }

    /// The entries of piece `p` of `term`'s postings, cut as `cut`.
    fn piece_entries<'c>(
        &'c self,
        term: u32,
        cut: &'c Cut,
        p: usize,
    ) -> impl Iterator<Item = &'c Entry<'a>> + 'c {
        let piece = &cut.pieces[p];
        let list = &self.postings[term as usize];
        let range = piece.range.start as usize..piece.range.end as usize;
        list[range.clone()]
            .iter()
            .zip(range)
            .filter(move |(_, i)| match piece.part {
                Part::All => true,
                Part::Rest => !cut.in_head[*i],
                Part::Head => cut.in_head[*i],
            })
            .map(|(e, _)| e)
    }

    /// Whether `cut` can be a cut of `term`'s postings: its pieces within them (a cut kept
    /// by their key is theirs; one read back from a damaged cache could be out of range).
    pub fn fits(&self, term: u32, cut: &Cut) -> bool {
        let len = self.df[term as usize] as usize;
        (cut.in_head.is_empty() || cut.in_head.len() == len)
            && (cut.pieces.iter())
                .all(|p| p.range.start <= p.range.end && p.range.end as usize <= len)
    }

    /// Writes piece `p` of `term`'s postings, cut as `cut`, to `out`.
    pub fn write_piece(&self, term: u32, cut: &Cut, p: usize, out: &mut String) {
        debug_assert!(
            self.gathered(term),
            "the postings of a term written are gathered"
        );
        join_into(out, self.piece_entries(term, cut, p));
    }

    /// A hash of `term`'s postings as they are made of, unwritten: each article's number,
    /// score, label and units, and how many there are ([`entry_hash`]). The pieces of
    /// [`Index::cut`] are a function of them.
    pub fn key(&self, term: u32) -> u64 {
        self.keys[term as usize]
    }
}

/// How a term's postings are cut into pieces ([`Index::cut`]): a function of the postings
/// alone, so it is kept by their [`Index::key`] from one build to the next.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Cut {
    /// Whether each entry is in the head (empty when the postings are one piece).
    in_head: Vec<bool>,
    pub pieces: Vec<Piece>,
}

/// One piece of a term's postings: the entries of `range` that are of `part`, and how long
/// the piece is once written.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Piece {
    range: std::ops::Range<u32>,
    part: Part,
    pub len: usize,
}

/// Which entries of its range a piece holds.
#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
enum Part {
    All,
    Rest,
    Head,
}

/// How long entries are written one after another ([`join_into`]).
fn chain_len<'a, 'b: 'a>(entries: impl Iterator<Item = &'a Entry<'b>>) -> usize {
    let mut prev = 0;
    entries
        .map(|e| {
            let len = varint_len(e.article - prev) + e.body_len();
            prev = e.article;
            len
        })
        .sum()
}

/// The head of a list of postings: the articles where the term scores highest (the highest
/// score, then the term in a label, then the lowest article id), as many as fit in `max`
/// bytes (at least one), each taking `size`; whether each entry of `list` is in it.
fn head(list: &[Entry], size: impl Fn(&Entry) -> usize, max: usize) -> Vec<bool> {
    // A counting sort: a rank is the score and the label, and a rank's entries stay in
    // ascending article order.
    let rank = |e: &Entry| (TOP_SCORE as usize - e.score as usize) * 2 + !e.label as usize;
    let mut starts = [0usize; RANKS + 1];
    for e in list {
        starts[rank(e) + 1] += 1;
    }
    for r in 0..RANKS {
        starts[r + 1] += starts[r];
    }
    let mut ranked = vec![0u32; list.len()];
    for (i, e) in list.iter().enumerate() {
        let r = rank(e);
        ranked[starts[r]] = i as u32;
        starts[r] += 1;
    }
    let mut in_head = vec![false; list.len()];
    let mut used = 0;
    for (n, &i) in ranked.iter().enumerate() {
        used += size(&list[i as usize]);
        if used > max && n > 0 {
            break;
        }
        in_head[i as usize] = true;
    }
    in_head
}

/// How many ranks [`head`] sorts by: every score (`1..=TOP_SCORE`, and 0 to spare), with
/// the term in a label or not.
const RANKS: usize = (TOP_SCORE as usize + 1) * 2;

/// Postings of articles in ascending order, into `out`: each one's id (as a difference),
/// score and units.
fn join_into<'a, 'b: 'a>(out: &mut String, entries: impl Iterator<Item = &'a Entry<'b>>) {
    let mut prev = 0;
    for e in entries {
        push_entry(out, e, prev);
        prev = e.article;
    }
}

/// One article's posting, after the article `prev`.
fn push_entry(out: &mut String, e: &Entry, prev: u32) {
    varint(out, e.article - prev);
    // A score takes one character: it is at most TOP_SCORE.
    varint(out, e.score as u32);
    out.push_str(e.units);
}

/// A BM25 score as a share of the site's highest, on the scale `1..=TOP_SCORE`: the square
/// root spreads the many small scores over more steps.
fn scale(share: f64) -> u8 {
    let x = share.sqrt() * TOP_SCORE;
    // `x.ceil()` for the `x` of a share (finite, 0 to TOP_SCORE), without the call to the
    // library's `ceil` that it costs on a processor without SSE 4.1.
    let whole = x as u32 as f64;
    let ceil = if whole < x { whole + 1.0 } else { whole };
    ceil.clamp(1.0, TOP_SCORE) as u8
}

/// Numbers every distinct term once, shared by the threads that count articles, and kept
/// from build to build with the articles counted with it. The table is split into shards by
/// the term's hash, each behind its own lock, and numbers come from one counter, so they
/// stay dense.
pub struct Terms {
    shards: Vec<Mutex<FxHashMap<String, u32>>>,
    next: AtomicU32,
    /// The terms numbered since [`Terms::name_new`] last took them.
    new: Mutex<Vec<(u32, String)>>,
}

/// Locks of the shared term table: enough that threads rarely meet at one.
const TERM_SHARDS: usize = 64;

/// The shard of [`Terms`] that holds `term`.
fn shard_of(term: &str) -> usize {
    (rustc_hash::FxBuildHasher.hash_one(term) as usize) % TERM_SHARDS
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            shards: (0..TERM_SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(0),
            new: Mutex::default(),
        }
    }
}

impl Terms {
    /// The table that numbers `names` as they stand (each term at its index), with none new.
    pub fn of(names: &[String]) -> Terms {
        let mut terms = Terms::default();
        for (id, name) in names.iter().enumerate() {
            terms.shards[shard_of(name)]
                .get_mut()
                .expect("no panic while holding the lock")
                .insert(name.clone(), id as u32);
        }
        terms.next.store(names.len() as u32, Ordering::Relaxed);
        terms
    }

    /// The term's number, locking the shared table (the caller keeps its own memory of the
    /// numbers it has seen, [`Counter`]).
    fn id(&self, term: &str) -> u32 {
        let mut ids = self.shards[shard_of(term)]
            .lock()
            .expect("no panic while holding the lock");
        if let Some(&id) = ids.get(term) {
            return id;
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        ids.insert(term.to_string(), id);
        self.new
            .lock()
            .expect("no panic while holding the lock")
            .push((id, term.to_string()));
        id
    }

    /// Writes the terms numbered since the last call into `names`, at their numbers.
    pub fn name_new(&self, names: &mut Vec<String>) {
        let new = std::mem::take(&mut *self.new.lock().expect("no panic while holding the lock"));
        names.resize(self.next.load(Ordering::Relaxed) as usize, String::new());
        for (id, term) in new {
            names[id as usize] = term;
        }
    }
}

/// A thread's working memory for counting: what it knows of each word it has met (so the
/// shared table is locked, a word stemmed and looked up among the stop words once per word
/// new to the thread), frequencies indexed by term number and the last unit each term was
/// seen in, reset after each article.
#[derive(Default)]
pub struct Counter {
    words: Words,
    tf: Vec<[u32; 3]>,
    /// One more than the last unit the term was met in (0: not met in this article); once
    /// the article is read, where its units go in `grouped`.
    last: Vec<u32>,
    /// The article's terms (in the order first met, then sorted).
    order: Vec<u32>,
    /// (term, unit × 2 + 1 if met in the unit's label) for each term met in each unit, in
    /// the order met.
    met: Vec<(u32, u32)>,
    /// The units of `met` grouped by term, in `order`.
    grouped: Vec<u32>,
}

/// The words a [`Counter`] has met: those of at most 16 bytes (most) by their bytes as one
/// number, hashed and compared at once, the others by their text.
#[derive(Default)]
struct Words {
    short: FxHashMap<u128, Word>,
    long: FxHashMap<String, Word>,
}

impl Words {
    /// A word of at most 16 bytes as one number: its bytes from the lowest up, the rest
    /// zero. A token holds no zero byte, so no two tokens share a number. Read as two
    /// overlapping words of 8 (or 4) bytes, shifted, rather than copied byte by byte.
    /// [`entry_hash`] reads a posting's short units the same way.
    #[inline]
    fn short(word: &str) -> Option<u128> {
        let b = word.as_bytes();
        let n = b.len();
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let u32_at = |at: usize| {
            u64::from(u32::from_le_bytes(
                b[at..at + 4].try_into().expect("4 bytes"),
            ))
        };
        let (low, high) = match n {
            0..=3 => (b.iter().rev().fold(0, |v, &c| v << 8 | u64::from(c)), 0),
            4..=7 => (u32_at(0) | (u32_at(n - 4) >> (8 * (8 - n))) << 32, 0),
            8 => (u64_at(0), 0),
            9..=16 => (u64_at(0), u64_at(n - 8) >> (8 * (16 - n))),
            _ => return None,
        };
        Some(u128::from(low) | u128::from(high) << 64)
    }

    #[inline]
    fn get(&self, word: &str) -> Option<Word> {
        match Words::short(word) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(word).copied(),
        }
    }

    fn set(&mut self, word: &str, known: Word) {
        match Words::short(word) {
            Some(key) => self.short.insert(key, known),
            None => self.long.insert(word.to_string(), known),
        };
    }
}

/// What a [`Counter`] knows of a word.
#[derive(Clone, Copy)]
struct Word {
    /// Its number, and its stem's when the stem is another term; `None` until it is met
    /// where it counts (a stop word met only in body text is not a term).
    ids: Option<(u32, Option<u32>)>,
    /// One of [`tokenize::STOP_WORDS`].
    stop: bool,
}

/// The endings `stemmer` takes off `terms`, most common first, each as often as it is met;
/// the list the browser tries, longest first.
fn endings<'t>(
    terms: impl Iterator<Item = &'t str>,
    stemmer: &rust_stemmers::Stemmer,
) -> Vec<String> {
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

/// Counts the terms of one article, numbering them in `table`: all of the index's work that
/// depends on this article alone.
pub fn count(
    a: &Doc,
    table: &Terms,
    counter: &mut Counter,
    stemmer: Option<&rust_stemmers::Stemmer>,
) -> Counted {
    let Counter {
        words,
        tf,
        last,
        order,
        met,
        grouped,
    } = counter;
    let mut len = [0u32; 3];
    // `label`: the text is the unit's title, heading or label (the article's: its title).
    let mut add = |field: usize, unit: u32, label: bool, text: &str| {
        tokenize::tokens(text, |word| {
            let known = words.get(word).unwrap_or_else(|| {
                let known = Word {
                    ids: None,
                    stop: tokenize::is_stop(word),
                };
                words.set(word, known);
                known
            });
            if field == 2 && known.stop {
                return;
            }
            let (id, stem) = match known.ids {
                Some(ids) => ids,
                None => {
                    let stem = stemmer
                        .map(|s| s.stem(word))
                        .filter(|s| s.len() >= 2 && s != word)
                        .map(|s| table.id(&s));
                    let ids = (table.id(word), stem);
                    words.set(
                        word,
                        Word {
                            ids: Some(ids),
                            ..known
                        },
                    );
                    ids
                }
            };
            for id in std::iter::once(id).chain(stem) {
                let id = id as usize;
                if id >= tf.len() {
                    let size = (id + 1).max(tf.len() * 2);
                    tf.resize(size, [0; 3]);
                    last.resize(size, 0);
                }
                tf[id][field] += 1;
                len[field] += 1;
                // A unit's label is counted before its text, so the first meeting says whether
                // the term is in the label.
                let seen = last[id];
                if seen != unit + 1 {
                    if seen == 0 {
                        order.push(id as u32);
                    }
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
    // Each (term, unit) is met once, and units one after another: grouped by term (a
    // counting sort, `last` holding where each term's units go), each term's units are in
    // ascending order. The terms are in ascending order too, as the pairs have always been:
    // sorting the article's terms costs little beside sorting every meeting.
    order.sort_unstable();
    for &t in order.iter() {
        last[t as usize] = 0;
    }
    for &(t, _) in met.iter() {
        last[t as usize] += 1;
    }
    let mut at = 0;
    for &t in order.iter() {
        let n = last[t as usize];
        last[t as usize] = at;
        at += n;
    }
    grouped.clear();
    grouped.resize(met.len(), 0);
    for &(t, unit) in met.iter() {
        grouped[last[t as usize] as usize] = unit;
        last[t as usize] += 1;
    }
    // Memos keep every article's pairs and units: they take no more room than they need.
    let mut pairs = Pairs::with_capacity(order.len());
    let mut units = String::with_capacity(met.len() * 2);
    let mut start = 0;
    for &term in order.iter() {
        let t = term as usize;
        let end = last[t] as usize;
        let run = &grouped[start..end];
        varint(&mut units, run.len() as u32);
        let mut prev = 0;
        for (i, &unit) in run.iter().enumerate() {
            varint(&mut units, if i == 0 { unit } else { unit - prev });
            prev = unit;
        }
        pairs.push(Pair {
            term,
            tf: std::mem::take(&mut tf[t]),
            end: units.len() as u32,
            label: run.iter().any(|&u| u & 1 == 1),
        });
        last[t] = 0;
        start = end;
    }
    order.clear();
    met.clear();
    units.shrink_to_fit();
    pairs.shrink_to_fit();
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
    use crate::search::memo::{Article, Memo};
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
            outline: render_full(md).outline,
        }
    }

    fn counted(docs: &[Doc]) -> (Memo, Vec<Arc<Article>>) {
        let hashes: Vec<u64> = docs.iter().map(crate::render::key_of).collect();
        let mut memo = Memo::default();
        let articles = memo.update(docs, &hashes, None);
        (memo, articles)
    }

    fn index<'a>(memo: &'a Memo, articles: &'a [Arc<Article>]) -> Index<'a> {
        let counted: Vec<&Counted> = articles.iter().map(|a| &a.counted).collect();
        let mut index = Index::build(&counted, memo.names(), None);
        index.gather(0..memo.names().len() as u32);
        index
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
        let (memo, articles) = counted(&docs);
        let index = index(&memo, &articles);
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

    #[test]
    fn an_article_s_pairs_are_in_ascending_term_order() {
        // Terms numbered in one order (the first article), met in another.
        let docs = [
            doc("Alpha beta", "Gamma delta epsilon.\n"),
            doc(
                "Epsilon",
                "Delta gamma beta alpha.\n\n## Zeta\n\nAlpha eta.\n",
            ),
        ];
        let (_, articles) = counted(&docs);
        for a in &articles {
            let terms: Vec<u32> = a.counted.pairs.terms().collect();
            assert!(terms.windows(2).all(|w| w[0] < w[1]), "{terms:?}");
        }
    }

    /// Counts read back from the cache that could not have been counted (forged, or of a
    /// bug) are left out of the memo, and the index is built without them.
    #[test]
    fn counts_that_do_not_hold_together_are_not_restored() {
        let docs = [doc("Reset", "Intro.\n\n## Code\n\n1. Send the code.\n")];
        let (memo, articles) = counted(&docs);
        let names = memo.names().to_vec();
        let good = &articles[0];
        assert!(good.counted.pairs.len() >= 2);
        assert!(good.counted.holds_together(names.len()));
        let forged = |change: &dyn Fn(&mut Vec<Pair>, &mut String)| {
            let mut pairs: Vec<Pair> = good.counted.pairs.iter().collect();
            let mut units = good.counted.units.clone();
            change(&mut pairs, &mut units);
            Article {
                counted: Counted {
                    pairs: Pairs::of(pairs),
                    units,
                    len: good.counted.len,
                },
                record_len: good.record_len,
            }
        };
        let bad = [
            // Units past the end of the article's units.
            forged(&|p, u| p.last_mut().unwrap().end = u.len() as u32 + 1),
            // Units ending before the pair before's end.
            forged(&|p, _| p[0].end = p[1].end + 1),
            // A term not numbered.
            forged(&|p, _| p[0].term = names.len() as u32),
            // Terms out of order.
            forged(&|p, _| (p[0].term, p[1].term) = (p[1].term, p[0].term)),
            // Units ending inside a character.
            forged(&|p, u| {
                u.push('é');
                p.last_mut().unwrap().end = u.len() as u32 - 1;
            }),
        ];
        let mut kept = vec![(0, forged(&|_, _| ()))];
        kept.extend(bad.into_iter().enumerate().map(|(i, a)| (i as u64 + 1, a)));
        let restored = Memo::restore(names, kept, Vec::new());
        assert_eq!(restored.kept(), 1);
        let counted: Vec<&Counted> = restored.articles().map(|(_, a)| &a.counted).collect();
        let index = Index::build(&counted, restored.names(), None);
        assert!(!index.live.is_empty());
    }

    #[test]
    fn short_units_hash_as_their_bytes_and_length() {
        let text = "AbCdEfGhIj";
        for n in 0..=text.len() {
            let units = &text[..n];
            let word = match n {
                0..=7 => {
                    let mut word = [0u8; 8];
                    word[..n].copy_from_slice(units.as_bytes());
                    word[7] = n as u8;
                    u64::from_le_bytes(word)
                }
                _ => xxhash_rust::xxh3::xxh3_64(units.as_bytes()) | 0xff << 56,
            };
            let want = mix(mix(7 ^ word).wrapping_add(3 << 16 | 1 << 8 | 9));
            assert_eq!(entry_hash(7, (3, 9, true, units)), want, "{units}");
        }
    }

    #[test]
    fn a_short_word_is_its_bytes_as_one_number() {
        let text = "abcdefghijklmnopqr";
        for n in 0..=text.len() {
            let word = &text[..n];
            let mut padded = [0u8; 16];
            let want = (n <= 16).then(|| {
                padded[..n].copy_from_slice(word.as_bytes());
                u128::from_le_bytes(padded)
            });
            assert_eq!(Words::short(word), want, "{word}");
        }
    }

    #[test]
    fn words_short_and_long_are_terms_of_their_own() {
        // 16 bytes (kept as one number), 17 (kept as text), and one a letter shorter.
        let words = ["abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmno"];
        let docs = [
            doc("First", &format!("{} {}.\n", words.join(" "), words[1])),
            doc("Second", &format!("{}.\n", words[0])),
        ];
        let (memo, counts) = counted(&docs);
        let index = index(&memo, &counts);
        let held = |t: &str| {
            let id = index.terms.iter().position(|x| x == t).unwrap() as u32;
            articles(&index.pieces(id, usize::MAX)[0]).len()
        };
        assert_eq!(words.map(held), [2, 1, 1], "{:?}", index.terms);
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
        let (memo, counts) = counted(&docs);
        let index = index(&memo, &counts);
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

    /// Sixty articles: "key" in each, "word{i % 20}" in every twentieth.
    fn sixty() -> Vec<Doc> {
        (0..60)
            .map(|i| {
                let title = if i % 5 == 0 { "Key key key" } else { "Other" };
                doc(
                    title,
                    &format!("The key, word{}.\n\n## Step\n\nThe key.\n", i % 20),
                )
            })
            .collect()
    }

    #[test]
    fn postings_gathered_for_a_few_terms_or_many_are_those_of_all() {
        let docs = sixty();
        let (memo, counts) = counted(&docs);
        let all = index(&memo, &counts);
        let counted: Vec<&Counted> = counts.iter().map(|a| &a.counted).collect();
        let id = |t: &str| all.terms.iter().position(|x| x == t).unwrap() as u32;
        let few = [id("key"), id("word3"), id("step")];
        let many: Vec<u32> = (0..20).map(|i| id(&format!("word{i}"))).collect();
        for wanted in [&few[..], &many[..]] {
            let mut some = Index::build(&counted, memo.names(), None);
            assert!(!wanted.iter().any(|&t| some.gathered(t)));
            // Asked twice, a term is gathered once.
            some.gather(wanted.iter().chain(wanted).copied());
            for &t in wanted {
                assert!(some.gathered(t));
                assert_eq!(
                    some.pieces(t, 40),
                    all.pieces(t, 40),
                    "{}",
                    all.terms[t as usize]
                );
                assert_eq!(some.key(t), all.key(t));
            }
            let others = (0..all.terms.len() as u32).filter(|t| !wanted.contains(t));
            assert!(
                others
                    .into_iter()
                    .all(|t| !some.gathered(t) || all.df[t as usize] == 0)
            );
        }
    }

    #[test]
    fn a_term_s_key_changes_with_its_postings_alone_whatever_its_number() {
        // The highest score, which scales every other, is that of one rare word.
        let mut docs = sixty();
        docs.push(doc("Peak peak peak", "Peak.\n"));
        let (memo, counts) = counted(&docs);
        let index = index(&memo, &counts);
        let key = |index: &Index, t: &str| {
            let id = index.terms.iter().position(|x| x == t).unwrap() as u32;
            index.key(id)
        };
        // Numbered otherwise (other terms first), the same postings have the same keys.
        let mut other = Memo::default();
        let first = [doc("Zebra", "Yak and xylophone.\n")];
        other.update(&first, &[1], None);
        let hashes: Vec<u64> = docs.iter().map(crate::render::key_of).collect();
        let renumbered = other.update(&docs, &hashes, None);
        let again = self::index(&other, &renumbered);
        assert_ne!(memo.names(), other.names());
        for t in ["key", "word3", "step", "other"] {
            assert_eq!(key(&index, t), key(&again, t), "{t}");
        }
        // Keys of different postings differ.
        let keys: std::collections::HashSet<u64> =
            (0..20).map(|i| key(&index, &format!("word{i}"))).collect();
        assert_eq!(keys.len(), 20);
        // One article's word swapped for another of the same length: the postings of the
        // two words change, and those of the others do not.
        let mut edited = docs.clone();
        edited[7] = doc("Other", "The key, wordx.\n\n## Step\n\nThe key.\n");
        let (memo2, counts2) = counted(&edited);
        let after = self::index(&memo2, &counts2);
        let id = |index: &Index, t: &str| index.terms.iter().position(|x| x == t).unwrap() as u32;
        for (t, same) in [
            ("word7", false),
            ("key", true),
            ("word3", true),
            ("step", true),
            ("other", true),
        ] {
            let (was, now) = (id(&index, t), id(&after, t));
            assert_eq!(index.pieces(was, 40) == after.pieces(now, 40), same, "{t}");
            assert_eq!(key(&index, t) == key(&after, t), same, "{t}");
        }
    }

    #[test]
    fn counts_read_back_from_the_cache_are_the_counts_written() {
        let docs = [doc(
            "Reset the code",
            "Intro.\n\n## Code\n\n1. Send the code.\n   1. Resend the code.\n",
        )];
        let (_, articles) = counted(&docs);
        let a = &articles[0].counted;
        let mut big = a.pairs.clone();
        big.push(Pair {
            term: u32::MAX >> 1,
            tf: [u32::MAX, 0, 128],
            end: a.units.len() as u32,
            label: true,
        });
        let written = Counted {
            pairs: big,
            units: a.units.clone(),
            len: a.len,
        };
        let bytes = postcard::to_allocvec(&written).unwrap();
        let read: Counted = postcard::from_bytes(&bytes).unwrap();
        let fields = |c: &Counted| -> Vec<(u32, [u32; 3], u32, bool)> {
            c.pairs
                .iter()
                .map(|p| (p.term, p.tf, p.end, p.label))
                .collect()
        };
        assert_eq!(fields(&read), fields(&written));
        assert_eq!((read.units, read.len), (written.units, written.len));
        // Cut short: not read.
        assert!(postcard::from_bytes::<Counted>(&bytes[..bytes.len() / 2]).is_err());
    }

    #[test]
    fn scores_spread_over_the_scale() {
        assert_eq!(scale(1.0), 31);
        assert_eq!(scale(0.25), 16);
        assert_eq!(scale(0.0), 1);
        // As the square root's ceiling, all over the scale.
        for i in 0..=100_000 {
            let share = i as f64 / 100_000.0;
            let want = (share.sqrt() * TOP_SCORE).ceil().clamp(1.0, TOP_SCORE) as u8;
            assert_eq!(scale(share), want, "{share}");
        }
    }
}
