//! What the index keeps of each article between builds, so that a rebuild counts only the
//! articles that changed.
//!
//! In: one language's [`Doc`]s with their hashes ([`super::LangDocs`]). Out: each article's
//! [`Article`] (its counted terms and the length of its bucket record), in the order of the
//! docs. The work of one article depends on nothing but its `Doc`, so it is kept under the
//! `Doc`'s hash; a fresh build runs the same code with an empty memo. What depends on the
//! whole site (scores, shards, the buckets' cuts) is the merge's, in [`super::postings`] and
//! [`super::files`], and is not kept, except the deflated buckets (by the hashes of their
//! articles) and how each term's postings were cut into pieces (by the hash of the postings,
//! which every build works out anyway).
//!
//! The build cache keeps the terms, the cuts and the articles ([`Memo::articles`]), and the
//! deflated buckets in files of their own, which a build from the cache reads only when it
//! writes into another output folder (it keeps the buckets' files otherwise). A memo read
//! back is the memo that was saved, so a build from it counts what a build in the same
//! process would.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Doc;
use super::postings::{Counted, Counter, Cut, Terms};

/// One article's own share of the index.
#[derive(Serialize, Deserialize)]
pub struct Article {
    pub counted: Counted,
    /// The length of its entry in a bucket ([`super::record::write_record`]): the entry itself is
    /// made again from the `Doc` when its bucket is, so that the memo holds no article text.
    pub record_len: usize,
}

/// The memory of one language's index.
#[derive(Default)]
pub struct Memo {
    /// Numbers every term met so far; kept so that kept articles keep their numbers.
    terms: Terms,
    /// The terms by number.
    names: Vec<String>,
    /// The articles of the last build, by the hash of their `Doc`.
    articles: FxHashMap<u64, Arc<Article>>,
    /// The deflated buckets of the last build, by the hash of their articles' hashes: those
    /// it made or took from here, not those whose files it kept.
    pub buckets: FxHashMap<u64, String>,
    /// The keys of every bucket of the last build, in order.
    pub bucket_keys: Vec<u64>,
    /// How the last build cut each term's postings, by their hash ([`super::postings::Cut`]).
    pub cuts: FxHashMap<u64, Arc<Cut>>,
    /// How many articles the last update counted.
    pub counted: usize,
    /// How many buckets the last build deflated: those neither kept here nor in their files.
    pub deflated: usize,
}

/// The terms may number at most this many times those in use before the memo starts over
/// (a long preview session meets many words that are gone again).
const SPARE_TERMS: usize = 4;

impl Memo {
    /// The articles of `docs` (hashed as `hashes`), counted where the memo does not hold
    /// them yet; the memo then holds these and no others.
    pub fn update(
        &mut self,
        docs: &[Doc],
        hashes: &[u64],
        stemmer: Option<&rust_stemmers::Stemmer>,
    ) -> Vec<Arc<Article>> {
        let mut known = std::mem::take(&mut self.articles);
        let fresh: Vec<usize> = (0..docs.len())
            .filter(|&i| !known.contains_key(&hashes[i]))
            .collect();
        let counted: Vec<Article> = fresh
            .par_iter()
            .map_init(Counter::default, |counter, &i| Article {
                counted: super::postings::count(&docs[i], &self.terms, counter, stemmer),
                record_len: super::record::record_len(&docs[i]),
            })
            .collect();
        self.terms.name_new(&mut self.names);
        self.counted = fresh.len();
        for (&i, article) in fresh.iter().zip(counted) {
            known.insert(hashes[i], Arc::new(article));
        }
        let articles: Vec<Arc<Article>> = hashes.iter().map(|h| known[h].clone()).collect();
        self.articles = hashes
            .iter()
            .zip(&articles)
            .map(|(&h, a)| (h, a.clone()))
            .collect();
        articles
    }

    /// Each article's share, by the hash of its `Doc`: what the build cache keeps beside the
    /// terms. An article stays the same `Arc` for as long as its `Doc` hashes the same.
    pub fn articles(&self) -> impl Iterator<Item = (u64, &Arc<Article>)> {
        self.articles.iter().map(|(h, a)| (*h, a))
    }

    /// The memo the build cache kept: the terms by number, the articles by hash and the
    /// cuts of the terms' postings. An article whose counts do not hold together with the
    /// terms is left out, and so counted again.
    pub fn restore(
        names: Vec<String>,
        articles: Vec<(u64, Article)>,
        cuts: Vec<(u64, Cut)>,
    ) -> Memo {
        Memo {
            terms: Terms::of(&names),
            articles: articles
                .into_iter()
                .filter(|(_, a)| a.counted.holds_together(names.len()))
                .map(|(h, a)| (h, Arc::new(a)))
                .collect(),
            names,
            buckets: FxHashMap::default(),
            bucket_keys: Vec::new(),
            cuts: (cuts.into_iter()).map(|(k, c)| (k, Arc::new(c))).collect(),
            counted: 0,
            deflated: 0,
        }
    }

    /// How many articles the memo holds.
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.articles.len()
    }

    /// The terms by number (some of them may no longer be in any article).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Starts over when the terms in use, `live`, are few of those numbered. The buckets,
    /// which hold no term numbers, are kept, with what the last build counted.
    pub fn trim(&mut self, live: usize) {
        if self.names.len() > SPARE_TERMS * live.max(1024) {
            *self = Memo {
                buckets: std::mem::take(&mut self.buckets),
                bucket_keys: std::mem::take(&mut self.bucket_keys),
                counted: self.counted,
                deflated: self.deflated,
                ..Memo::default()
            };
        }
    }
}
