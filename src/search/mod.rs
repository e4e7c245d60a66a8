//! Search: the index builder. The format is `docs/search-index.md`; the browser engine that
//! reads it is `assets/search.js`.
//!
//! In: a [`Site`]. Out: the files of `search/` ([`OutFile`]s): a manifest, term shards
//! (article-level postings with BM25 scores, sharded by the terms' first two characters so a
//! query loads only the shards of its words) and article buckets (titles, URLs, sections,
//! steps and branch options, for results and snippets). The number of files is capped, so it
//! stays bounded as the site grows.

pub mod tokenize;

use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde_json::json;

use crate::render::OutFile;
use std::sync::Arc;

use crate::markdown::outline::Outline;
use crate::site::Site;

/// Caps that keep the number of files bounded.
const MAX_SHARDS: usize = 256;
const MAX_BUCKETS: usize = 1024;
/// Aimed-for sizes of one file, before compression.
const SHARD_BYTES: usize = 24_000;
const BUCKET_BYTES: usize = 12_000;

const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Title, headings (with option labels, questions and the description), body.
const BOOSTS: [f64; 3] = [4.0, 2.0, 1.0];

/// What the index needs of one article; cheap to gather (the outline is shared), so the
/// dev server can hand it to a background thread.
#[derive(Debug, Clone)]
pub struct Doc {
    pub title: String,
    pub url: String,
    /// Collection breadcrumb, `" › "`-separated.
    pub crumb: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub outline: Arc<Outline>,
}

/// The articles of `site`, in order, as the index sees them.
pub fn docs(site: &Site) -> Vec<Doc> {
    site.articles
        .iter()
        .map(|a| Doc {
            title: a.title.clone(),
            url: a.page.url.encoded(),
            crumb: a
                .collection
                .map(|c| {
                    site.ancestry(c)
                        .iter()
                        .map(|&k| site.collections[k].title.clone())
                        .collect::<Vec<_>>()
                        .join(" › ")
                })
                .unwrap_or_default(),
            description: a.page.fm.description.clone(),
            tags: a.page.fm.tags.clone(),
            outline: a.page.md.outline.clone(),
        })
        .collect()
}

/// The files of `search/`.
pub fn build(site: &Site) -> Vec<OutFile> {
    build_from(&docs(site))
}

/// A term (by number) and its frequency in each field of one article.
type TermCount = (u32, [u32; 3]);

/// Numbers every distinct term once, shared by the threads that count articles. The table
/// is split into shards by the term's hash, each behind its own lock, and numbers come from
/// one counter, so they stay dense.
struct Terms {
    shards: Vec<Mutex<FxHashMap<String, u32>>>,
    next: AtomicU32,
}

impl Default for Terms {
    fn default() -> Self {
        Terms {
            shards: (0..TERM_SHARDS).map(|_| Mutex::default()).collect(),
            next: AtomicU32::new(0),
        }
    }
}

/// Locks of the shared term table: enough that threads rarely meet at one.
const TERM_SHARDS: usize = 64;

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

/// The files of `search/`, from the articles' [`Doc`]s.
pub fn build_from(docs: &[Doc]) -> Vec<OutFile> {
    // Each article as (term, frequencies) pairs and its field lengths.
    let table = Terms::default();
    let articles: Vec<(Vec<TermCount>, [u32; 3])> = docs
        .par_iter()
        .map_init(Counter::default, |counter, d| count(d, &table, counter))
        .collect();
    let terms = table.into_terms();
    let mut df = vec![0u32; terms.len()];
    for (pairs, _) in &articles {
        for &(id, _) in pairs {
            df[id as usize] += 1;
        }
    }
    let n = articles.len().max(1) as f64;
    let mut avg = [0f64; 3];
    for (_, len) in &articles {
        for (a, len) in avg.iter_mut().zip(len) {
            *a += *len as f64 / n;
        }
    }
    let idf: Vec<f64> = df
        .iter()
        .map(|&df| (1.0 + (n - df as f64 + 0.5) / (df as f64 + 0.5)).ln())
        .collect();
    // Postings per term, in article order.
    let mut postings: Vec<Vec<(u32, f32)>> = df
        .iter()
        .map(|&df| Vec::with_capacity(df as usize))
        .collect();
    let mut max_score = 0f64;
    for (id, (pairs, len)) in articles.iter().enumerate() {
        for &(term, tf) in pairs {
            let mut s = 0.0;
            for f in 0..3 {
                if tf[f] == 0 {
                    continue;
                }
                let t = tf[f] as f64;
                let norm = 1.0 - B + B * len[f] as f64 / avg[f].max(1.0);
                s += BOOSTS[f] * t * (K1 + 1.0) / (t + K1 * norm);
            }
            let score = idf[term as usize] * s;
            max_score = max_score.max(score);
            postings[term as usize].push((id as u32, score as f32));
        }
    }
    drop(articles);
    let mut order: Vec<u32> = (0..terms.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
    let encoded: Vec<String> = postings
        .par_iter()
        .map(|list| encode(list, max_score))
        .collect();
    drop(postings);
    let total: usize = terms
        .iter()
        .zip(&encoded)
        .map(|(t, p)| t.len() + p.len() + 6)
        .sum();
    let shards = total.div_ceil(SHARD_BYTES).clamp(1, MAX_SHARDS);
    // Each shard as JSON text, its terms in order.
    let mut shard_text: Vec<String> = vec![String::new(); shards];
    for &id in &order {
        let term = &terms[id as usize];
        let out = &mut shard_text[tokenize::shard_of(term, shards as u32) as usize];
        out.push(if out.is_empty() { '{' } else { ',' });
        out.push_str(&serde_json::to_string(term).expect("a string serializes"));
        out.push_str(":\"");
        out.push_str(&encoded[id as usize]);
        out.push('"');
    }

    let records: Vec<String> = docs.par_iter().map(record).collect();
    let sizes: usize = records.iter().map(String::len).sum();
    let avg_record = (sizes / records.len().max(1)).max(1);
    let per = (BUCKET_BYTES / avg_record)
        .max(1)
        .max(records.len().div_ceil(MAX_BUCKETS));
    let buckets = records.len().div_ceil(per);

    let mut files = Vec::with_capacity(shards + buckets + 1);
    let manifest = json!({"v": 1, "shards": shards, "per": per, "articles": records.len(), "buckets": buckets});
    files.push(OutFile::Bytes(
        "search/manifest.js".into(),
        format!("stepbookSearch.manifest({manifest});\n").into_bytes(),
    ));
    for (k, mut body) in shard_text.into_iter().enumerate() {
        if body.is_empty() {
            body.push('{');
        }
        body.push('}');
        // `<` as `\u003c`: the data stays inert even if a file is ever inlined in a page.
        let body = body.replace('<', "\\u003c");
        files.push(OutFile::Bytes(
            format!("search/t{k}.js"),
            format!("stepbookSearch.terms({k},{body});\n").into_bytes(),
        ));
    }
    for (b, chunk) in records.chunks(per).enumerate() {
        let body = chunk.join(",").replace('<', "\\u003c");
        files.push(OutFile::Bytes(
            format!("search/d{b}.js"),
            format!("stepbookSearch.docs({b},[{body}]);\n").into_bytes(),
        ));
    }
    files
}

/// A thread's working memory for counting: the numbers of the terms it has met (so the
/// shared table is locked once per new term), and frequencies indexed by term number, reset
/// after each article, so a word is hashed once, not twice.
#[derive(Default)]
struct Counter {
    ids: FxHashMap<String, u32>,
    tf: Vec<[u32; 3]>,
    /// Terms of the current article, in the order met.
    seen: Vec<u32>,
}

fn count(a: &Doc, table: &Terms, counter: &mut Counter) -> (Vec<TermCount>, [u32; 3]) {
    let Counter { ids, tf, seen } = counter;
    let mut len = [0u32; 3];
    let mut add = |field: usize, text: &str| {
        tokenize::tokens(text, |t| {
            let id = table.id(ids, t) as usize;
            if id >= tf.len() {
                tf.resize((id + 1).max(tf.len() * 2), [0; 3]);
            }
            if tf[id] == [0; 3] {
                seen.push(id as u32);
            }
            tf[id][field] += 1;
            len[field] += 1;
        });
    };
    add(0, &a.title);
    let o = &a.outline;
    if let Some(d) = &a.description {
        add(1, d);
    }
    for s in &o.sections {
        add(1, &s.heading);
    }
    for opt in &o.options {
        add(1, &opt.label);
        add(1, &opt.question);
    }
    for t in &a.tags {
        add(1, t);
    }
    add(2, &o.text);
    let pairs = seen
        .drain(..)
        .map(|id| (id, std::mem::take(&mut tf[id as usize])))
        .collect();
    (pairs, len)
}

/// Postings as base-64 varints: (id delta, score) pairs.
fn encode(list: &[(u32, f32)], max_score: f64) -> String {
    let mut out = String::with_capacity(list.len() * 3);
    let mut prev = 0u32;
    for &(id, score) in list {
        varint(&mut out, id - prev);
        prev = id;
        let q = (score as f64 / max_score.max(f64::MIN_POSITIVE) * 255.0)
            .ceil()
            .clamp(1.0, 255.0) as u32;
        varint(&mut out, q);
    }
    out
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn varint(out: &mut String, mut v: u32) {
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

/// The article's entry in a bucket: what results and snippets show. Serialized straight
/// from the outline, keys in the order `serde_json::json!` would give them.
fn record(a: &Doc) -> String {
    #[derive(serde::Serialize)]
    struct Record<'a> {
        c: &'a str,
        d: &'a str,
        o: Vec<(&'a str, &'a str, i64, &'a str)>,
        p: Vec<(&'a str, u64, i64, &'a str, i64)>,
        s: Vec<(&'a str, u8, &'a str, &'a str, i64)>,
        t: &'a str,
        u: &'a str,
    }
    let o = &a.outline;
    let idx = |i: Option<usize>| i.map(|v| v as i64).unwrap_or(-1);
    let record = Record {
        c: &a.crumb,
        d: a.description.as_deref().unwrap_or_default(),
        o: o.options
            .iter()
            .map(|p| {
                (
                    p.id.as_str(),
                    p.label.as_str(),
                    idx(p.section),
                    p.question.as_str(),
                )
            })
            .collect(),
        p: o.steps
            .iter()
            .map(|s| {
                (
                    s.id.as_str(),
                    s.number,
                    idx(s.section),
                    s.text.as_str(),
                    idx(s.option),
                )
            })
            .collect(),
        s: o.sections
            .iter()
            .map(|s| {
                (
                    s.id.as_str(),
                    s.level,
                    s.heading.as_str(),
                    s.text.as_str(),
                    idx(s.option),
                )
            })
            .collect(),
        t: &a.title,
        u: &a.url,
    };
    serde_json::to_string(&record).expect("a record serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Vec<u32> {
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

    #[test]
    fn postings_are_deltas_and_scaled_scores() {
        let s = encode(&[(3, 1.0), (10, 2.0), (11, 0.0001)], 2.0);
        assert_eq!(decode(&s), [3, 128, 7, 255, 1, 1]);
    }
}
