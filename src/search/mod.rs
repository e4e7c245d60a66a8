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
mod postings;
pub mod tokenize;

use std::sync::Arc;

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

/// The files of `search/`.
pub fn build(site: &Site) -> Vec<OutFile> {
    build_from(&docs(site))
}

/// The files of `search/`, from the articles' [`Doc`]s.
pub fn build_from(docs: &[Doc]) -> Vec<OutFile> {
    let index = postings::Index::build(docs);
    let shards = files::shards(&index);
    let buckets = files::buckets(docs);
    let mut out = Vec::with_capacity(shards.bodies.len() + buckets.bodies.len() + 1);
    out.push(OutFile::Bytes(
        "search/manifest.js".into(),
        files::manifest(docs.len(), &shards, &buckets).into_bytes(),
    ));
    for (k, body) in shards.bodies.into_iter().enumerate() {
        out.push(OutFile::Bytes(
            format!("search/t{k}.js"),
            format!("stepbookSearch.terms({k},{body});\n").into_bytes(),
        ));
    }
    for (b, body) in buckets.bodies.into_iter().enumerate() {
        out.push(OutFile::Bytes(
            format!("search/d{b}.js"),
            format!("stepbookSearch.docs({b},{body});\n").into_bytes(),
        ));
    }
    out
}
