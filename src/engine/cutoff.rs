//! Early cutoff for the template stage: which pages need their context built again.
//!
//! A page's context is a function of its own page (text and rendered body), the values every
//! page shares, and what it shows of other pages. For every file made from a template the
//! render hashes all but its own page into a *dependency key* (`render::deps`), which costs a
//! small part of building the context; the cutoff keeps each file's key by the hash of its
//! path. A file whose own page is the one the last render saw and whose dependency key is the
//! one that render made has the same context as then: it keeps its key without its context
//! being built. So after a new title only the pages that show it get a context (its
//! neighbours, its collection's pages, the pages that link to it or that it is related to,
//! its tags' pages...), after a new article its collection's.
//!
//! Other pages read of a page only its *facts*: source, URL, title, frontmatter, and of the
//! rendered body the title, headings, steps, ids, branch options and where its links, file
//! links and images point ([`facts_of`]), and every structure of the site (collections,
//! order, backlinks, related articles, tags, redirects) is made of the facts and the config.
//! So when the digest of every page's facts, the assets, the unavailable pages, the commit
//! dates, where each page's translations are, what the anchor record maps, and the config and
//! theme is the one of the last render, every dependency key is the one of the last render:
//! none is computed, and only the pages whose own rendering changed (and the files made from
//! them) get a context. When it is not, but the pages whose facts changed, came or went are
//! few ([`FEW`]) and the values every page shares are the same, a Markdown copy that reads none
//! of them (its article and its links' targets) keeps its last key too. Either way the keys
//! decide what is rendered: the cutoff only skips building contexts, and computing keys, that
//! are known to be the same.
//!
//! The cache keeps what the last render saw ([`Kept`]: the digest, each page's facts and each
//! file's dependency key), so that a cached `build` cuts off as `serve` does: a page read
//! back counts as seen while its body is the one read back with it, which the engine keeps
//! only while the text, the snippets it includes and every answer it read are the same.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::markdown::Rendered;
use crate::markdown::outline::Kind;
use crate::paths::SourcePath;
use crate::render::{Known, key_of};
use crate::site::langs::Alternates;
use crate::site::{Page, Site};

/// A page as the last render saw it.
pub struct Seen {
    md: Arc<Rendered>,
    /// `None` for a page read back from the cache, which keeps no text: its body being the
    /// one read back says that the text is the same.
    text: Option<Arc<str>>,
    facts: u64,
}

/// What the cache keeps of a [`Cutoff`]: the digest, each page's facts by source, and each
/// file's dependency key by the hash of its path.
#[derive(Serialize, Deserialize, Default)]
pub struct Kept {
    pub digest: u64,
    pub pages: Vec<(SourcePath, u64)>,
    pub deps: Vec<(u64, u64)>,
}

/// What the last successful render saw.
#[derive(Default)]
pub struct Cutoff {
    pages: FxHashMap<SourcePath, Seen>,
    digest: Option<u64>,
    /// The dependency key of every file made from a template, by the hash of its path.
    deps: FxHashMap<u64, u64>,
    /// The languages and pages' places last hashed into the digest, with their hash.
    alternates: Option<(Arc<Alternates>, u64)>,
    /// The hash of the values every page shares, as the last render made it
    /// ([`crate::render::Pass::base`]); `None` when read back from the cache, whose pages
    /// may be fewer than the last render's: then no page is known to be left unchanged.
    base: Option<u64>,
}

/// What this render sees, to become the [`Cutoff`] once it succeeds: each page by its
/// source, in the site's order.
pub struct Observed<'a> {
    sources: Vec<&'a SourcePath>,
    seen: Vec<Seen>,
    digest: u64,
    alternates: (Arc<Alternates>, u64),
    /// The pages whose facts are not the last render's (changed, new or gone), when there
    /// are at most [`FEW`]; `None` when there are more, or no render came before.
    changed: Option<Vec<SourcePath>>,
}

/// How many pages with other facts [`Observed`] names at most: more, and every dependency
/// key is computed.
const FEW: usize = 16;

/// What the last render knows for this one ([`Cutoff::known`]).
pub struct Knowing<'a> {
    last: &'a Cutoff,
    facts_same: bool,
    changed: Option<&'a [SourcePath]>,
}

impl Cutoff {
    /// The facts of `site` as this render sees them; `salt` stands for the config and theme.
    pub fn observe<'a>(&self, site: &'a Site, salt: u64) -> Observed<'a> {
        let pages = all_pages(site);
        // Each page as seen now, and whether the last render saw it with the same facts.
        let (seen, was): (Vec<Seen>, Vec<bool>) = pages
            .par_iter()
            .map(|p| {
                let last = self.pages.get(&p.source);
                let facts = match last {
                    Some(s) if same(s, p) => s.facts,
                    _ => page_facts(p),
                };
                let seen = Seen {
                    md: p.md.clone(),
                    text: Some(p.text.clone()),
                    facts,
                };
                (seen, last.is_some_and(|s| s.facts == facts))
            })
            .unzip();
        let mut unavailable: Vec<_> = site.unavailable.iter().collect();
        unavailable.sort_unstable();
        let mut dates: Vec<_> = site.git_dates.iter().collect();
        dates.sort_unstable();
        // Every page's switcher reads where the others' translations are, and each article's
        // old fragments and old addresses come from the anchor record. The same languages
        // (shared, not copied) hash the same.
        let alternates = match &self.alternates {
            Some((a, hash)) if Arc::ptr_eq(a, &site.alternates) => *hash,
            _ => {
                let mut pages: Vec<_> = site.alternates.pages.iter().collect();
                pages.sort_unstable();
                key_of(&(&site.alternates.langs, pages))
            }
        };
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
            alternates,
            (anchor_maps, &site.anchors.moved),
        ));
        // With the same facts, no page changed and no key is computed.
        let changed = (self.digest != Some(digest))
            .then(|| self.changed(&pages, &was))
            .flatten();
        Observed {
            sources: pages.iter().map(|p| &p.source).collect(),
            seen,
            digest,
            alternates: (site.alternates.clone(), alternates),
            changed,
        }
    }

    /// The pages whose facts differ from the last render's: those of `pages` not seen with
    /// the same facts (`was`, by page), and the last render's pages that are gone. `None`
    /// when more than [`FEW`], or when no render came before.
    fn changed(&self, pages: &[&Page], was: &[bool]) -> Option<Vec<SourcePath>> {
        // Only a render sets the shared values: a cutoff read back from the cache left out
        // the pages whose bodies were not read back (one of them gone would not be named).
        self.base?;
        let mut changed: Vec<SourcePath> = (pages.iter().zip(was))
            .filter(|(_, was)| !**was)
            .map(|(p, _)| p.source.clone())
            .take(FEW + 1)
            .collect();
        // Pages seen again: as many as the last render's pages, and none of those is gone.
        let again = pages.len() - changed.len()
            + (changed.iter())
                .filter(|s| self.pages.contains_key(*s))
                .count();
        if again < self.pages.len() && changed.len() <= FEW {
            let now: FxHashSet<&SourcePath> = pages.iter().map(|p| &p.source).collect();
            let gone = self.pages.keys().filter(|s| !now.contains(s));
            changed.extend(gone.take(FEW + 1 - changed.len()).cloned());
        }
        (changed.len() <= FEW).then_some(changed)
    }

    /// What the last render knows for the one that saw `now`; `None` when none succeeded.
    pub fn known<'k>(&'k self, now: &'k Observed<'_>) -> Option<Knowing<'k>> {
        let digest = self.digest?;
        Some(Knowing {
            last: self,
            facts_same: digest == now.digest,
            changed: now.changed.as_deref(),
        })
    }

    /// Takes what a render that succeeded saw, and the dependency keys of the files it made:
    /// all of them when `whole`, else those of the files it built (the others' are the same).
    /// `base` is the hash of the values every page shares that the render made.
    pub fn update(
        &mut self,
        now: Observed<'_>,
        deps: Vec<(u64, u64)>,
        whole: bool,
        base: Option<u64>,
    ) {
        // A page seen last time keeps its key: only a new one's source is copied.
        let count = now.sources.len();
        for (source, seen) in now.sources.iter().zip(now.seen) {
            match self.pages.get_mut(*source) {
                Some(s) => *s = seen,
                None => {
                    self.pages.insert((*source).clone(), seen);
                }
            }
        }
        // Every page of a site is another file: with as many pages, none is left over.
        if self.pages.len() != count {
            let now: FxHashSet<&SourcePath> = now.sources.into_iter().collect();
            self.pages.retain(|source, _| now.contains(source));
        }
        self.digest = Some(now.digest);
        self.alternates = Some(now.alternates);
        self.base = base;
        if whole {
            self.deps = deps.into_iter().collect();
        } else {
            self.deps.extend(deps);
        }
    }

    /// Forgets everything: the next render builds every context.
    pub fn clear(&mut self) {
        *self = Cutoff::default();
    }

    /// What the cache keeps of it; `None` when no render succeeded.
    pub fn keep(&self) -> Option<Kept> {
        let digest = self.digest?;
        let mut pages: Vec<(SourcePath, u64)> = self
            .pages
            .iter()
            .map(|(source, s)| (source.clone(), s.facts))
            .collect();
        pages.sort_unstable();
        let mut deps: Vec<(u64, u64)> = self.deps.iter().map(|(&p, &d)| (p, d)).collect();
        deps.sort_unstable();
        Some(Kept {
            digest,
            pages,
            deps,
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
            deps: kept.deps.into_iter().collect(),
            alternates: None,
            base: None,
        }
    }
}

impl Known for Knowing<'_> {
    fn facts_same(&self) -> bool {
        self.facts_same
    }

    fn same(&self, page: &Page) -> bool {
        self.last
            .pages
            .get(&page.source)
            .is_some_and(|s| same(s, page))
    }

    fn made(&self, path: u64) -> Option<u64> {
        self.last.deps.get(&path).copied()
    }

    fn base(&self) -> Option<u64> {
        self.last.base
    }

    fn changed(&self) -> Option<&[SourcePath]> {
        self.changed
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
