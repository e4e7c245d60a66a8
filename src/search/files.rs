//! The files of `search/`: term shards cut from the sorted terms, article buckets (JSON,
//! deflated and written in base 64, so they take less room on disk), and the manifest that
//! tells the engine which shard holds a term.
//!
//! Shards are filled in term order up to about [`SHARD_BYTES`]; a term whose postings are
//! longer is split over shards of its own, so no shard is much larger than the others. Its
//! last shard, where the manifest places the term, holds its head: the articles where it
//! scores highest, so that a query can show its first results from that shard alone.
//!
//! The shards are laid out from the lengths of their pieces, without writing them, and each
//! is keyed by what its text is made of (the terms and the hash of their postings): a shard
//! whose key is the one of the file written before is kept, and only the others are written.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::Arc;

use super::Doc;
use super::postings::{Cut, Index};
use super::tokenize::js_order;

/// Aimed-for sizes of one file, before compression.
const SHARD_BYTES: usize = 14_000;
const BUCKET_BYTES: usize = 20_000;
/// The most article buckets: more articles share a bucket beyond it.
const MAX_BUCKETS: usize = 8192;

/// Term shards: where each one's pieces come from, and what the manifest says of them.
pub struct Shards {
    /// Each term, in order.
    terms: Vec<Term>,
    /// The pieces of each shard, one after another: (term in `terms`, piece).
    items: Vec<(u32, u32)>,
    /// Where each shard's pieces start in `items` (and one more, where the last ends).
    starts: Vec<usize>,
    /// For each shard, a string that sorts after every term of the shards before it and
    /// not after its own first term (`""` for the first shard).
    pub first: Vec<String>,
    /// The shards that go on with the postings of the previous shard's last term.
    pub more: Vec<usize>,
}

/// One term of the shards: its number, its JSON string, how its postings are cut, and the
/// hash of its postings.
struct Term {
    id: u32,
    name: String,
    cut: Arc<Cut>,
    key: u64,
}

/// Article buckets: how many articles each holds, and what each one's text depends on (the
/// hash of its articles' hashes, never 0, which stands for "not told").
pub struct Buckets {
    pub keys: Vec<u64>,
    pub per: usize,
}

/// Sorts the terms of `index` and cuts them into shards, without writing them. A term whose
/// postings hash as those of a cut in `known` is cut as that one.
pub fn shards(index: &mut Index, known: &FxHashMap<u64, Arc<Cut>>) -> Shards {
    let terms = index.terms;
    let mut order = index.live.clone();
    order.par_sort_unstable_by(|&a, &b| js_order(&terms[a as usize], &terms[b as usize]));
    // Each term's postings, in pieces that fit a shard, the best articles last: a cut kept
    // by the hash of the postings, or made anew from them, once they are gathered.
    let kept: Vec<Option<Arc<Cut>>> = (order.iter())
        .map(|&t| {
            known
                .get(&index.key(t))
                .filter(|cut| index.fits(t, cut))
                .cloned()
        })
        .collect();
    index.gather((order.iter().zip(&kept)).filter_map(|(&t, cut)| cut.is_none().then_some(t)));
    let index = &*index;
    let cut: Vec<Term> = (order.par_iter().zip(kept))
        .map(|(&t, cut)| Term {
            id: t,
            name: serde_json::to_string(&terms[t as usize]).expect("a string serializes"),
            cut: cut.unwrap_or_else(|| Arc::new(index.cut(t, SHARD_BYTES))),
            key: index.key(t),
        })
        .collect();
    let mut s = Shards {
        terms: Vec::new(),
        items: Vec::new(),
        starts: Vec::new(),
        first: Vec::new(),
        more: Vec::new(),
    };
    let mut body = 0;
    let mut last: &str = "";
    for (
        at,
        Term {
            id, name: key, cut, ..
        },
    ) in cut.iter().enumerate()
    {
        let term = terms[*id as usize].as_str();
        for (p, piece) in cut.pieces.iter().enumerate() {
            if p > 0 || s.first.is_empty() || body + key.len() + piece.len + 4 > SHARD_BYTES {
                s.starts.push(s.items.len());
                body = 0;
                if p > 0 {
                    s.more.push(s.first.len());
                    s.first.push(term.to_string());
                } else {
                    s.first.push(separator(last, term, s.first.is_empty()));
                }
            }
            // `{` or `,`, the key, `:`, the piece between quotes.
            body += 1 + key.len() + 1 + piece.len + 2;
            s.items.push((at as u32, p as u32));
        }
        last = term;
    }
    if s.first.is_empty() {
        s.first.push(String::new());
        s.starts.push(0);
    }
    s.starts.push(s.items.len());
    s.terms = cut;
    s
}

impl Shards {
    /// Each term's cut, by the hash of its postings: what the next build may keep.
    pub fn cuts(&self) -> FxHashMap<u64, Arc<Cut>> {
        (self.terms.iter())
            .map(|t| (t.key, t.cut.clone()))
            .collect()
    }

    /// How many shards there are.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    /// The pieces of shard `k`.
    fn items(&self, k: usize) -> &[(u32, u32)] {
        &self.items[self.starts[k]..self.starts[k + 1]]
    }

    /// What the text of shard `k` is made of ([`Shards::text`]), hashed without writing it
    /// (never 0): its number, and each of its pieces' term, place among the term's pieces
    /// and the hash of the term's postings ([`Index::key`]), which decide how they are cut.
    pub fn key(&self, k: usize) -> u64 {
        let mut key = Vec::with_capacity(512);
        key.extend_from_slice(&(k as u64).to_le_bytes());
        for &(at, p) in self.items(k) {
            let term = &self.terms[at as usize];
            key.extend_from_slice(&(term.name.len() as u64).to_le_bytes());
            key.extend_from_slice(term.name.as_bytes());
            key.extend_from_slice(&p.to_le_bytes());
            key.extend_from_slice(&term.key.to_le_bytes());
        }
        xxhash_rust::xxh3::xxh3_64(&key).max(1)
    }

    /// The terms of the shards `ks`, by number: those whose postings [`Shards::text`]
    /// writes.
    pub fn terms_of(&self, ks: &[usize]) -> Vec<u32> {
        (ks.iter())
            .flat_map(|&k| self.items(k))
            .map(|&(at, _)| self.terms[at as usize].id)
            .collect()
    }

    /// The text of shard `k`'s file; the postings of its terms are gathered
    /// ([`Shards::terms_of`]).
    pub fn text(&self, index: &Index, k: usize) -> String {
        let items = self.items(k);
        let len: usize = items
            .iter()
            .map(|&(at, p)| {
                let term = &self.terms[at as usize];
                term.name.len() + term.cut.pieces[p as usize].len + 4
            })
            .sum();
        let mut body = String::with_capacity(len + 40);
        body.push_str("stepbookSearch.terms(");
        body.push_str(&k.to_string());
        body.push(',');
        let from = body.len();
        for (i, &(at, p)) in items.iter().enumerate() {
            let term = &self.terms[at as usize];
            body.push(if i == 0 { '{' } else { ',' });
            body.push_str(&term.name);
            body.push_str(":\"");
            index.write_piece(term.id, &term.cut, p as usize, &mut body);
            body.push('"');
        }
        if items.is_empty() {
            body.push('{');
        }
        body.push_str("});\n");
        // `<` as `\u003c`, so the data stays inert even if a file is ever inlined in a page.
        if body[from..].contains('<') {
            let safe = body[from..].replace('<', "\\u003c");
            body.truncate(from);
            body.push_str(&safe);
        }
        body
    }
}

/// The shortest start of `term` that sorts after `before` (`""` for the first shard).
fn separator(before: &str, term: &str, first: bool) -> String {
    if first {
        return String::new();
    }
    term.char_indices()
        .skip(1)
        .map(|(i, _)| &term[..i])
        .find(|p| js_order(p, before).is_gt())
        .unwrap_or(term)
        .to_string()
}

impl Buckets {
    /// The buckets of articles whose entries ([`super::record::write_record`]) are `lens` long, with the
    /// hashes `hashes`.
    pub fn new(lens: &[usize], hashes: &[u64]) -> Buckets {
        // Saturating: a length read back from a damaged cache must not overflow.
        let sizes = lens.iter().fold(0usize, |sum, &l| sum.saturating_add(l));
        let avg = (sizes / lens.len().max(1)).max(1);
        let per = (BUCKET_BYTES / avg)
            .max(1)
            .max(lens.len().div_ceil(MAX_BUCKETS));
        let keys = hashes
            .chunks(per)
            .map(|c| crate::render::key_of(c).max(1))
            .collect();
        Buckets { keys, per }
    }

    /// The text of each bucket of `range`, made of the articles `docs` in parallel, but
    /// those `kept` holds (by key) and those `reuse` (asked with the bucket's number and key)
    /// keeps the file written before (none).
    pub fn bodies(
        &self,
        docs: &[Doc],
        range: std::ops::Range<usize>,
        kept: &FxHashMap<u64, String>,
        reuse: &(dyn Fn(usize, u64) -> bool + Sync),
    ) -> Vec<Option<String>> {
        let per = self.per;
        let docs = &docs[(range.start * per).min(docs.len())..(range.end * per).min(docs.len())];
        docs.par_chunks(per)
            .zip(&self.keys[range.clone()])
            .enumerate()
            // One compressor and one buffer per thread, kept from bucket to bucket, and made
            // only when a bucket is to be deflated.
            .map_init(
                || (None, Vec::new()),
                |(deflater, json), (i, (chunk, &key))| {
                    if let Some(body) = kept.get(&key) {
                        return Some(body.clone());
                    }
                    if reuse(range.start + i, key) {
                        return None;
                    }
                    json.clear();
                    json.push(b'[');
                    for (i, a) in chunk.iter().enumerate() {
                        if i > 0 {
                            json.push(b',');
                        }
                        super::record::write_record(a, json);
                    }
                    json.push(b']');
                    let deflater = deflater.get_or_insert_with(Deflater::new);
                    Some(quoted_base64(deflater.deflate(json)))
                },
            )
            .collect()
    }
}

/// A raw-deflate compressor (libdeflate) at [`DEFLATE_LEVEL`] and its output buffer, kept
/// from one bucket to the next.
struct Deflater(libdeflater::Compressor, Vec<u8>);

impl Deflater {
    fn new() -> Deflater {
        let level = libdeflater::CompressionLvl::new(DEFLATE_LEVEL).expect("a level of libdeflate");
        Deflater(libdeflater::Compressor::new(level), Vec::new())
    }

    /// `input` as raw deflate (RFC 1951), in the deflater's buffer.
    fn deflate(&mut self, input: &[u8]) -> &[u8] {
        let bound = self.0.deflate_compress_bound(input.len());
        self.1.resize(bound, 0);
        let len = (self.0)
            .deflate_compress(input, &mut self.1)
            .expect("the buffer holds the compressor's bound");
        &self.1[..len]
    }
}

/// How hard buckets are compressed (1 to 12): libdeflate's fastest level, one hash probe
/// a position, which compresses the buckets' JSON a little better than zlib's level 2 at
/// a third of its work.
const DEFLATE_LEVEL: i32 = 1;

/// `bytes` in standard base-64 with padding, as `atob` reads it, between double quotes.
fn quoted_base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4 + 2);
    out.push(b'"');
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                A[(n >> (18 - 6 * i) & 63) as usize]
            } else {
                b'='
            });
        }
    }
    out.push(b'"');
    String::from_utf8(out).expect("base 64 is ASCII")
}

pub fn manifest(articles: usize, shards: &Shards, buckets: &Buckets, endings: &[String]) -> String {
    #[derive(Serialize)]
    struct Manifest<'a> {
        v: u8,
        articles: usize,
        per: usize,
        buckets: usize,
        shards: &'a [String],
        more: &'a [usize],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        endings: &'a [String],
    }
    let m = Manifest {
        v: 2,
        articles,
        per: buckets.per,
        buckets: buckets.keys.len(),
        shards: &shards.first,
        more: &shards.more,
        endings,
    };
    let json = serde_json::to_string(&m)
        .expect("a manifest serializes")
        .replace('<', "\\u003c");
    format!("stepbookSearch.manifest({json});\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_compressor_writes_what_a_new_one_would_and_it_inflates_back() {
        let mut deflater = Deflater::new();
        let long: String = (0..40_000).map(|i| format!("word{} ", i % 997)).collect();
        let random: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for input in [
            &b""[..],
            b"a",
            b"[{\"t\":\"Set up\"}]",
            long.as_bytes(),
            b"a",
            &random,
            long.as_bytes(),
        ] {
            let packed = deflater.deflate(input).to_vec();
            assert_eq!(
                packed,
                Deflater::new().deflate(input),
                "{} bytes",
                input.len()
            );
            let back = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap();
            assert!(back == input, "{} bytes", input.len());
        }
    }

    #[test]
    fn base64_matches_the_standard() {
        for (bytes, want) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "+/+/"),
        ] {
            assert_eq!(quoted_base64(bytes), format!("\"{want}\""));
        }
    }

    #[test]
    fn buckets_are_deflated_json() {
        let doc = Doc {
            title: "A <b>".into(),
            url: "a.html".into(),
            crumb: String::new(),
            description: None,
            tags: Vec::new(),
            outline: crate::markdown::tests::render_full("## Set up\n\n1. Go.\n").outline,
        };
        let b = Buckets::new(&[super::super::record::record_len(&doc)], &[0]);
        assert_eq!(b.keys.len(), 1);
        let bodies = b.bodies(
            std::slice::from_ref(&doc),
            0..1,
            &FxHashMap::default(),
            &|_, _| false,
        );
        assert_eq!(bodies.len(), 1);
        let text = bodies[0].as_deref().unwrap().trim_matches('"');
        let packed = decode64(text);
        let json = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"[{"t":"A <b>","u":"a.html","c":"","d":"","x":"","n":[[0,"set-up",0,"Set up",""],[1,"+step-1",1,1,"Go."]]}]"#
        );
    }

    fn decode64(s: &str) -> Vec<u8> {
        const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in s.chars().filter(|&c| c != '=') {
            bits = bits << 6 | A.find(c).unwrap() as u32;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }

    #[test]
    fn separators_are_the_shortest_start_after_the_last_term() {
        assert_eq!(separator("", "apple", true), "");
        assert_eq!(separator("apple", "banana", false), "b");
        assert_eq!(separator("apple", "apricot", false), "apr");
        assert_eq!(separator("app", "apple", false), "appl");
    }
}
