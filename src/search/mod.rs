//! Search: the index builder. The format is `docs/search-index.md` (format 2); the browser
//! engine that reads it is `assets/search.js`.
//!
//! In: a [`Site`]. Out: the files of `search/` ([`OutFile`]s). Data for matching and data
//! for display travel apart:
//! - term shards hold the postings: for each term, the articles that hold it (with a BM25
//!   score) and, inside each, the units whose own words hold it ([`postings`]). Terms are
//!   sorted and cut into shards of about the same size, so a query loads the few shards of
//!   its words and nothing else ([`files`]);
//! - article buckets hold what results show: titles, URLs and every unit's own text (the
//!   article, its sections, steps and branch options), loaded only for the results shown.

mod files;
mod memo;
mod postings;
pub mod tokenize;

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::markdown::outline::Outline;
use crate::render::OutFile;
use crate::site::{Page, Site};

/// What the index needs of one article; cheap to gather (the outline is shared), so the
/// dev server can hand it to a background thread. The index is a pure function of the docs,
/// so a hash of them keys it.
#[derive(Debug, Clone, Hash)]
pub struct Doc {
    pub title: String,
    pub url: String,
    /// Collection breadcrumb, `" › "`-separated.
    pub crumb: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub outline: Arc<Outline>,
}

/// The articles of `site`, in order, as the index sees them; their URLs start at the
/// language's root, where its index is.
pub fn docs(site: &Site) -> Vec<Doc> {
    let root = site.lang_root();
    site.articles
        .iter()
        .map(|a| Doc {
            title: a.title.clone(),
            url: a
                .page
                .url
                .encoded()
                .strip_prefix(root)
                .map(str::to_string)
                .unwrap_or_else(|| a.page.url.encoded()),
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
            outline: filled(site, &a.page),
        })
        .collect()
}

/// The page's outline with the text of each link written without text, as the page shows
/// it.
fn filled(site: &Site, page: &Page) -> Arc<Outline> {
    if !page.md.links.iter().any(|l| l.fill) {
        return page.md.outline.clone();
    }
    let mut outline = page.md.outline.as_ref().clone();
    for (marker, text) in crate::site::xref::fills(site, page) {
        outline.fill(&marker, &text);
    }
    Arc::new(outline)
}

/// The files of `search/`, and of `<tag>/search/` for every other language.
pub fn build(site: &Site) -> Vec<OutFile> {
    build_from(&languages(site))
}

/// What each language's index is built from: its folder (`""`, `"de/"`), its language and
/// its articles. The dev server gathers it under its lock and builds on another thread.
pub fn languages(site: &Site) -> Vec<LangDocs> {
    site.all()
        .map(|s| {
            let docs = docs(s);
            LangDocs {
                root: s.lang_root().to_string(),
                language: s.config.language.clone(),
                hashes: docs.par_iter().map(crate::render::key_of).collect(),
                docs,
            }
        })
        .collect()
}

/// The articles of one language, and where its index goes.
#[derive(Debug, Clone)]
pub struct LangDocs {
    pub root: String,
    pub language: String,
    pub docs: Vec<Doc>,
    /// The hash of each doc: the index of one language is a pure function of its root, its
    /// language and these.
    pub hashes: Vec<u64>,
}

/// A key of everything the indexes of `langs` are built from: equal keys, equal files.
pub fn key(langs: &[LangDocs]) -> u64 {
    let parts: Vec<(&str, &str, &[u64])> = langs
        .iter()
        .map(|l| (l.root.as_str(), l.language.as_str(), l.hashes.as_slice()))
        .collect();
    crate::render::key_of(&parts)
}

/// Builds the indexes again and again, keeping what each article alone decides (its
/// counted terms, its bucket entry) between builds, by the hash of its [`Doc`]: a rebuild
/// after an edit counts the edited articles and merges; a first build is the same code with
/// nothing kept.
#[derive(Default)]
pub struct Indexer {
    /// By language folder and language.
    memos: FxHashMap<(String, String), memo::Memo>,
}

impl Indexer {
    /// The files of the indexes of `langs` (the languages of the last call that are not
    /// among them are forgotten).
    pub fn build(&mut self, langs: &[LangDocs]) -> Vec<OutFile> {
        let mut before = std::mem::take(&mut self.memos);
        let mut out = Vec::new();
        for l in langs {
            let at = (l.root.clone(), l.language.clone());
            let mut memo = before.remove(&at).unwrap_or_default();
            out.extend(build_one(l, &mut memo));
            self.memos.insert(at, memo);
        }
        out
    }
}

/// The Snowball stemmer of a language, when there is one. English keeps the light stemming
/// of the browser engine's own list of endings, which the ranking tests were tuned with.
pub fn stemmer(tag: &str) -> Option<rust_stemmers::Stemmer> {
    use rust_stemmers::Algorithm::*;
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Arabic,
        "da" => Danish,
        "nl" => Dutch,
        "fi" => Finnish,
        "fr" => French,
        "de" => German,
        "el" => Greek,
        "hu" => Hungarian,
        "it" => Italian,
        "no" | "nb" | "nn" => Norwegian,
        "pt" => Portuguese,
        "ro" => Romanian,
        "ru" => Russian,
        "es" => Spanish,
        "sv" => Swedish,
        "ta" => Tamil,
        "tr" => Turkish,
        _ => return None,
    };
    Some(rust_stemmers::Stemmer::create(algorithm))
}

/// The index of every language, from nothing.
pub fn build_from(langs: &[LangDocs]) -> Vec<OutFile> {
    Indexer::default().build(langs)
}

/// The files of `<root>search/`, from the articles' [`Doc`]s and what `memo` kept of them.
fn build_one(l: &LangDocs, memo: &mut memo::Memo) -> Vec<OutFile> {
    let stemmer = stemmer(&l.language);
    let articles = memo.update(&l.docs, &l.hashes, stemmer.as_ref());
    let counted: Vec<&postings::Counted> = articles.iter().map(|a| &a.counted).collect();
    let index = postings::Index::build(&counted, memo.names(), stemmer.as_ref());
    let shards = files::shards(&index);
    let live = index.live.len();
    let endings = index.endings;
    let records: Vec<&str> = articles.iter().map(|a| a.record.as_str()).collect();
    let buckets = files::buckets(&records, &l.hashes, &mut memo.buckets);
    memo.trim(live);
    let root = &l.root;
    let mut out = Vec::with_capacity(shards.bodies.len() + buckets.bodies.len() + 1);
    out.push(OutFile::Bytes(
        format!("{root}search/manifest.js"),
        files::manifest(l.docs.len(), &shards, &buckets, &endings).into_bytes(),
    ));
    for (k, body) in shards.bodies.into_iter().enumerate() {
        out.push(OutFile::Bytes(
            format!("{root}search/t{k}.js"),
            format!("stepbookSearch.terms({k},{body});\n").into_bytes(),
        ));
    }
    for (b, body) in buckets.bodies.into_iter().enumerate() {
        out.push(OutFile::Bytes(
            format!("{root}search/d{b}.js"),
            format!("stepbookSearch.docs({b},{body});\n").into_bytes(),
        ));
    }
    out
}
