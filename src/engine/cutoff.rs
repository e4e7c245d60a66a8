//! Early cutoff for the template stage: which pages need their context built again.
//!
//! A page's context reads, of the other pages, only their *facts*: source, URL, title,
//! frontmatter, and of the rendered body the title, headings, steps, ids, branch options and
//! where its links, file links and images point ([`facts_of`]). Its own HTML, words, outline
//! text, diagnostics and the byte spans of its links are read by no other page. So when the
//! digest of every page's facts, the assets, the unavailable pages, the commit dates, where
//! each page's translations are, what the anchor record maps, and the config and theme is the
//! one of the last render, the only contexts that can differ are those
//! of the pages whose own rendering changed (and the files made from them): the others keep
//! their keys without their contexts being built. Otherwise every context is built, as in a
//! first run. Either way the keys decide what is rendered: the cutoff only skips building
//! contexts whose keys are known to be the same.
//!
//! The cache keeps what the last render saw ([`Kept`]: the digest, and each page's facts), so
//! that a cached `build` cuts off as `serve` does: a page read back counts as seen while its
//! body is the one read back with it, which the engine keeps only while the text, the
//! snippets it includes and every answer it read are the same.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::markdown::Rendered;
use crate::markdown::outline::Kind;
use crate::paths::SourcePath;
use crate::render::{Changed, key_of};
use crate::site::{Page, Site};

/// A page as the last render saw it.
pub struct Seen {
    md: Arc<Rendered>,
    /// `None` for a page read back from the cache, which keeps no text: its body being the
    /// one read back says that the text is the same.
    text: Option<Arc<str>>,
    facts: u64,
}

/// What the cache keeps of a [`Cutoff`]: the digest, and each page's facts by source.
#[derive(Serialize, Deserialize, Default)]
pub struct Kept {
    pub digest: u64,
    pub pages: Vec<(SourcePath, u64)>,
}

/// What the last successful render saw.
#[derive(Default)]
pub struct Cutoff {
    pages: HashMap<SourcePath, Seen>,
    digest: Option<u64>,
}

/// What this render sees, to become the [`Cutoff`] once it succeeds.
pub struct Observed {
    pages: HashMap<SourcePath, Seen>,
    digest: u64,
}

impl Cutoff {
    /// The facts of `site` as this render sees them; `salt` stands for the config and theme.
    pub fn observe(&self, site: &Site, salt: u64) -> Observed {
        let pages = all_pages(site);
        let seen: Vec<Seen> = pages
            .par_iter()
            .map(|p| match self.pages.get(&p.source) {
                Some(s) if same(s, p) => Seen {
                    md: p.md.clone(),
                    text: Some(p.text.clone()),
                    facts: s.facts,
                },
                _ => Seen {
                    md: p.md.clone(),
                    text: Some(p.text.clone()),
                    facts: page_facts(p),
                },
            })
            .collect();
        let mut unavailable: Vec<_> = site.unavailable.iter().collect();
        unavailable.sort_unstable();
        let mut dates: Vec<_> = site.git_dates.iter().collect();
        dates.sort_unstable();
        // Every page's switcher reads where the others' translations are, and each article's
        // old fragments and old addresses come from the anchor record.
        let mut alternates: Vec<_> = site.alternates.pages.iter().collect();
        alternates.sort_unstable();
        let mut anchor_maps: Vec<_> = site.anchors.maps.iter().collect();
        anchor_maps.sort_unstable();
        let digest = key_of(&(
            salt,
            pages
                .iter()
                .zip(&seen)
                .map(|(p, s)| (&p.source, s.facts))
                .collect::<Vec<_>>(),
            site.assets.iter().map(|a| &a.path).collect::<Vec<_>>(),
            unavailable,
            dates,
            (&site.alternates.langs, alternates),
            (anchor_maps, &site.anchors.moved),
        ));
        Observed {
            pages: pages.iter().map(|p| p.source.clone()).zip(seen).collect(),
            digest,
        }
    }

    /// The pages whose contexts must be built, when the facts are those of the last render;
    /// `None`: all of them.
    pub fn changed(&self, site: &Site, now: &Observed) -> Option<Changed> {
        if self.digest != Some(now.digest) {
            return None;
        }
        let changed = |p: &Page| !self.pages.get(&p.source).is_some_and(|s| same(s, p));
        Some(Changed {
            home: site.home.as_ref().is_some_and(changed),
            collections: site
                .collections
                .iter()
                .map(|c| c.index.as_ref().is_some_and(changed))
                .collect(),
            articles: site.articles.iter().map(|a| changed(&a.page)).collect(),
        })
    }

    /// Takes what a render that succeeded saw.
    pub fn update(&mut self, now: Observed) {
        self.pages = now.pages;
        self.digest = Some(now.digest);
    }

    /// Forgets everything: the next render builds every context.
    pub fn clear(&mut self) {
        *self = Cutoff::default();
    }

    /// What the cache keeps of it; `None` when no render succeeded.
    pub fn keep(&self) -> Option<Kept> {
        let mut pages: Vec<(SourcePath, u64)> = self
            .pages
            .iter()
            .map(|(source, s)| (source.clone(), s.facts))
            .collect();
        pages.sort_unstable();
        Some(Kept {
            digest: self.digest?,
            pages,
        })
    }

    /// The cutoff that `kept` describes, for the bodies read back with it: `body` gives the
    /// body the engine read back for a source. A page without one is left out, so it counts
    /// as changed.
    pub fn restore(kept: Kept, body: impl Fn(&SourcePath) -> Option<Arc<Rendered>>) -> Cutoff {
        let pages = kept
            .pages
            .into_iter()
            .filter_map(|(source, facts)| {
                let md = body(&source)?;
                Some((
                    source,
                    Seen {
                        md,
                        text: None,
                        facts,
                    },
                ))
            })
            .collect();
        Cutoff {
            pages,
            digest: Some(kept.digest),
        }
    }
}

/// Whether `p` is the page the last render saw: the same body, and the same text (a body
/// is rendered anew when its text changes, so for a page read back from the cache the body
/// says it).
fn same(s: &Seen, p: &Page) -> bool {
    Arc::ptr_eq(&s.md, &p.md) && s.text.as_ref().is_none_or(|t| Arc::ptr_eq(t, &p.text))
}

/// Every page of the site: the home page, the collections' index pages and the articles.
fn all_pages(site: &Site) -> Vec<&Page> {
    site.home
        .iter()
        .chain(site.collections.iter().filter_map(|c| c.index.as_ref()))
        .chain(site.articles.iter().map(|a| &a.page))
        .collect()
}

/// What other pages may read of `page`.
fn page_facts(page: &Page) -> u64 {
    let frontmatter = page.text.get(..page.body_offset).unwrap_or("");
    key_of(&(
        &page.source,
        &page.abs,
        &page.url,
        page.title(),
        frontmatter,
        page.body_offset,
        facts_of(&page.md),
    ))
}

/// What other pages may read of a rendered body.
fn facts_of(md: &Rendered) -> u64 {
    key_of(&(
        &md.title,
        &md.title_id,
        &md.headings,
        &md.steps,
        &md.ids,
        md.links
            .iter()
            .map(|l| (&l.target, &l.fragment, l.fill))
            .collect::<Vec<_>>(),
        md.file_links.iter().map(|(f, _)| f).collect::<Vec<_>>(),
        md.images.iter().map(|i| &i.file).collect::<Vec<_>>(),
        md.outline
            .units
            .iter()
            .filter(|u| u.kind == Kind::Option)
            .map(|u| (&u.id, &u.label))
            .collect::<Vec<_>>(),
    ))
}
