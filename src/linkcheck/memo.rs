//! The memory of the last link check of a site, so that a rebuild checks again only the pages
//! whose problems may have changed; what it returns is what a whole check returns.
//!
//! A page's problems are a function of its own rendered body, text and file, and of what its
//! links read of the rest of the site: which pages exist (and, for a link that misses, the
//! "did you mean" lists, made from every page's source in order), the unavailable pages, the
//! assets and the `link-check` severity; and, for the pages a link names, the ids and
//! headings of that page. So a page is checked again when its own body, text or file
//! changed, or when a page one of its links names has other ids or headings. When pages
//! came or went, the pages with problems are checked again too (their suggestions may
//! differ), and so are those with a link to a page that came or went; a page whose links all
//! led somewhere still does. When the unavailable pages, the assets or the severity changed,
//! every page is checked again. The redirects are read only by a page's links to files (a
//! link to a stub is reported): when they change, the pages with such links are checked
//! again.
//!
//! The build cache keeps this memory between builds ([`Saved`]): each page's text by its
//! hash, and its body as the memo of its file keeps it, so that a cached build checks the
//! pages `serve` would check.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

use super::{Near, check_page, redirect_links_of_page, redirect_stubs};
use crate::diagnostics::Diagnostic;
use crate::discover::SourceFile;
use crate::markdown::Rendered;
use crate::paths::SourcePath;
use crate::render::key_of;
use crate::site::{Page, Redirect, Site};

/// What the last check saw of each page, and what it found.
#[derive(Default)]
pub struct Memo {
    /// The unavailable pages, the assets and the severity.
    world: Option<u64>,
    /// The assets the world was made of (shared with the site) and their hash.
    assets: Option<(Arc<Vec<SourceFile>>, u64)>,
    /// Every page's source, in order (shared with the site: the same ones compare at once).
    sources: Vec<SourcePath>,
    /// The key of the redirects, which only links to files are checked against.
    stubs: Option<u64>,
    /// The redirects that key was made of (shared with the site; none when read back from
    /// the cache).
    stubs_from: Option<Arc<Vec<Redirect>>>,
    pages: HashMap<SourcePath, Checked>,
    /// How many pages the last check checked.
    pub checked: usize,
    /// Whether the last check changed what this memory holds.
    pub changed: bool,
}

struct Checked {
    md: Arc<Rendered>,
    text: Text,
    abs: PathBuf,
    /// The problems of its links and images, then of its links to redirect stubs.
    links: Vec<Diagnostic>,
    redirects: Vec<Diagnostic>,
}

/// Checks every link of every page of `site` (the default language's), as
/// [`super::check`] does, checking again only what may have changed since `memo`'s last run.
pub fn check(site: &Site, memo: &mut Memo) -> Vec<Diagnostic> {
    let all: Vec<&Page> = site.pages().collect();
    let assets = match &memo.assets {
        Some((a, hash)) if Arc::ptr_eq(a, &site.assets) => *hash,
        _ => key_of(&site.assets.iter().map(|a| &a.path).collect::<Vec<_>>()),
    };
    let world = world_of(site, assets);
    let same_sources = memo.sources.len() == all.len()
        && (memo.sources.iter().zip(&all)).all(|(s, p)| *s == p.source);
    // The stubs read the redirects and the source of the article each leads to: with the
    // same pages in the same order, the same articles.
    let stubs_key = match (&memo.stubs_from, memo.stubs) {
        (Some(r), Some(key)) if same_sources && Arc::ptr_eq(r, &site.redirects) => key,
        _ => stubs_of(site),
    };
    let mut went = Vec::new();
    let mut stale: Vec<bool> = if memo.world == Some(world) {
        let came_or_went = match same_sources {
            true => None,
            false => {
                let (came, gone) = came_and_went(&all, &memo.pages);
                went = gone;
                Some(Named::of(came.into_iter().chain(&went)))
            }
        };
        // In parallel: a text read back from the cache is compared by its hash.
        all.par_iter()
            .map(|p| {
                let Some(c) = memo.pages.get(&p.source) else {
                    return true;
                };
                !same(c, p)
                    || came_or_went
                        .as_ref()
                        .is_some_and(|moved| !c.links.is_empty() || links_into(p, moved))
            })
            .collect()
    } else {
        memo.pages.clear();
        vec![true; all.len()]
    };
    // Other redirects: the pages with links to files are checked again.
    if memo.stubs != Some(stubs_key) {
        for (s, p) in stale.iter_mut().zip(&all) {
            *s = *s || !p.md.file_links.is_empty();
        }
    }
    // The pages whose ids or headings changed: the pages linking to them are checked again.
    let moved = Named::of(
        (all.iter().zip(&stale))
            .filter(|(p, s)| {
                **s && !memo
                    .pages
                    .get(&p.source)
                    .is_some_and(|c| same_targets(&c.md, &p.md))
            })
            .map(|(p, _)| &p.source),
    );
    if !moved.is_empty() {
        stale.par_iter_mut().zip(&all).for_each(|(s, p)| {
            *s = *s || links_into(p, &moved);
        });
    }
    drop(moved);
    let to_check: Vec<&Page> = all
        .iter()
        .zip(&stale)
        .filter(|(_, s)| **s)
        .map(|(p, _)| *p)
        .collect();
    // Only links to files read the redirect stubs.
    let stubs = match to_check.iter().any(|p| !p.md.file_links.is_empty()) {
        true => redirect_stubs(site),
        false => Default::default(),
    };
    // In parallel, a few chunks per thread, each with its own caches.
    let size = to_check
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(64);
    let found: Vec<(Vec<Diagnostic>, Vec<Diagnostic>)> = to_check
        .par_chunks(size)
        .flat_map_iter(|chunk| {
            let mut near = Near::new(site);
            chunk
                .iter()
                .map(|p| {
                    (
                        check_page(site, None, p, &mut near),
                        redirect_links_of_page(site, &stubs, p),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    // The pages gone are forgotten, and those checked remembered as they are now.
    for s in &went {
        memo.pages.remove(s);
    }
    for (p, (links, redirects)) in to_check.iter().zip(found) {
        let checked = Checked {
            md: p.md.clone(),
            text: Text::Shared(p.text.clone()),
            abs: p.abs.clone(),
            links,
            redirects,
        };
        memo.pages.insert(p.source.clone(), checked);
    }
    let mut problems = Vec::new();
    let mut stubs = Vec::new();
    for p in &all {
        let c = &memo.pages[&p.source];
        problems.extend(c.links.iter().cloned());
        stubs.extend(&c.redirects);
    }
    problems.extend(stubs.into_iter().cloned());
    memo.changed = !to_check.is_empty()
        || !went.is_empty()
        || memo.world != Some(world)
        || !same_sources
        || memo.stubs != Some(stubs_key);
    memo.world = Some(world);
    memo.assets = Some((site.assets.clone(), assets));
    if !same_sources {
        memo.sources = all.iter().map(|p| p.source.clone()).collect();
    }
    memo.stubs = Some(stubs_key);
    memo.stubs_from = Some(site.redirects.clone());
    memo.checked = to_check.len();
    problems
}

/// A page's text as the memory knows it: the very text checked, or, read back from the
/// cache, its hash.
enum Text {
    Shared(Arc<str>),
    Hashed(u64),
}

impl Text {
    fn is(&self, text: &Arc<str>) -> bool {
        match self {
            Text::Shared(t) => Arc::ptr_eq(t, text),
            Text::Hashed(h) => *h == xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        }
    }

    fn hash(&self) -> u64 {
        match self {
            Text::Shared(t) => xxhash_rust::xxh3::xxh3_64(t.as_bytes()),
            Text::Hashed(h) => *h,
        }
    }
}

/// The memory as the build cache keeps it: each page's body is the one the memo of its
/// file keeps.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    world: u64,
    sources: Vec<SourcePath>,
    stubs: u64,
    pages: Vec<SavedPage>,
}

#[derive(Serialize, Deserialize)]
struct SavedPage {
    source: SourcePath,
    text: u64,
    abs: PathBuf,
    links: Vec<Diagnostic>,
    redirects: Vec<Diagnostic>,
}

impl Memo {
    /// What the cache keeps of this memory; none before a check.
    pub fn save(&self) -> Option<Saved> {
        let mut pages: Vec<SavedPage> = (self.pages.par_iter())
            .map(|(source, c)| SavedPage {
                source: source.clone(),
                text: c.text.hash(),
                abs: c.abs.clone(),
                links: c.links.clone(),
                redirects: c.redirects.clone(),
            })
            .collect();
        pages.sort_unstable_by(|a, b| a.source.cmp(&b.source));
        Some(Saved {
            world: self.world?,
            sources: self.sources.clone(),
            stubs: self.stubs?,
            pages,
        })
    }

    /// The memory `saved` describes, each page given the body it had (`body`, by its
    /// file); a page whose body is not known is left out, and so checked again.
    pub fn restore(saved: Saved, body: impl Fn(&SourcePath) -> Option<Arc<Rendered>>) -> Memo {
        let pages = (saved.pages.into_iter())
            .filter_map(|p| {
                let md = body(&p.source)?;
                let checked = Checked {
                    md,
                    text: Text::Hashed(p.text),
                    abs: p.abs,
                    links: p.links,
                    redirects: p.redirects,
                };
                Some((p.source, checked))
            })
            .collect();
        Memo {
            world: Some(saved.world),
            assets: None,
            sources: saved.sources,
            stubs: Some(saved.stubs),
            stubs_from: None,
            pages,
            checked: 0,
            changed: false,
        }
    }
}

/// A set of pages that links are looked up in: a few are compared with each link, more are
/// hashed.
struct Named<'a> {
    few: Vec<&'a SourcePath>,
    many: HashSet<&'a SourcePath>,
}

impl<'a> Named<'a> {
    const FEW: usize = 8;

    fn of(pages: impl IntoIterator<Item = &'a SourcePath>) -> Named<'a> {
        let few: Vec<&SourcePath> = pages.into_iter().collect();
        match few.len() > Self::FEW {
            true => Named {
                many: few.into_iter().collect(),
                few: Vec::new(),
            },
            false => Named {
                few,
                many: HashSet::default(),
            },
        }
    }

    fn is_empty(&self) -> bool {
        self.few.is_empty() && self.many.is_empty()
    }

    fn contains(&self, page: &SourcePath) -> bool {
        match self.many.is_empty() {
            true => self.few.contains(&page),
            false => self.many.contains(page),
        }
    }
}

/// What every page's check reads of the whole site besides which pages there are; see the
/// module doc.
/// `assets` is the hash of the assets' paths.
fn world_of(site: &Site, assets: u64) -> u64 {
    let mut unavailable: Vec<_> = site.unavailable.iter().collect();
    unavailable.sort_unstable();
    key_of(&(unavailable, assets, format!("{:?}", site.config.link_check)))
}

/// Whether a link of `p` names one of `pages` (a link within the page names `p` itself).
fn links_into(p: &Page, pages: &Named) -> bool {
    (p.md.links.iter()).any(|l| pages.contains(l.target.as_ref().unwrap_or(&p.source)))
}

/// The pages of `all` that the last check did not see, and those it saw that are gone.
fn came_and_went<'a>(
    all: &[&'a Page],
    seen: &HashMap<SourcePath, Checked>,
) -> (Vec<&'a SourcePath>, Vec<SourcePath>) {
    let came: Vec<&SourcePath> = (all.iter())
        .map(|p| &p.source)
        .filter(|s| !seen.contains_key(*s))
        .collect();
    // Every page seen is a page now, but those gone: as many as came, less the difference.
    let gone = (seen.len() + came.len()).saturating_sub(all.len());
    let went = match gone {
        0 => Vec::new(),
        _ => {
            let now: HashSet<&SourcePath> = all.iter().map(|p| &p.source).collect();
            (seen.keys())
                .filter(|s| !now.contains(s))
                .cloned()
                .collect()
        }
    };
    (came, went)
}

/// What the check of a page's links to files reads besides the world: every redirect stub
/// and the source of the article it leads to.
fn stubs_of(site: &Site) -> u64 {
    key_of(
        &site
            .redirects
            .iter()
            .map(|r| (&r.from, &site.articles[r.to].page.source))
            .collect::<Vec<_>>(),
    )
}

/// Whether `p` is the page `c` was made from: the same body, text and file.
fn same(c: &Checked, p: &Page) -> bool {
    Arc::ptr_eq(&c.md, &p.md) && c.text.is(&p.text) && c.abs == p.abs
}

/// Whether a link to a page reads the same of bodies `a` and `b`: its ids and headings.
fn same_targets(a: &Rendered, b: &Rendered) -> bool {
    a.ids == b.ids
        && a.title_id == b.title_id
        && a.headings.len() == b.headings.len()
        && a.headings
            .iter()
            .zip(&b.headings)
            .all(|(x, y)| x.text == y.text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::LinkRef;
    use crate::paths::AnchorId;
    use crate::site::tests::{page, site_of, titled};

    /// A body with `html` and `ids`, linking to `page#fragment` for each of `to`.
    fn body(html: &str, ids: &[&str], to: &[(&str, &str)]) -> Rendered {
        Rendered {
            html: html.into(),
            ids: ids.iter().map(|i| AnchorId::new(*i)).collect(),
            links: to
                .iter()
                .map(|(t, f)| LinkRef {
                    target: Some(SourcePath::from_relative(std::path::Path::new(t))),
                    fragment: Some(f.to_string()),
                    span: 0..0,
                    fill: false,
                })
                .collect(),
            ..Default::default()
        }
    }

    /// The pages of `site` with the body of `source` replaced by `md`.
    fn edited(site: &Site, source: &str, md: Rendered) -> Site {
        site_of(
            site.pages()
                .map(|p| match p.source.as_str() == source {
                    true => Page {
                        md: Arc::new(md.clone()),
                        ..p.clone()
                    },
                    false => p.clone(),
                })
                .collect(),
        )
    }

    /// Checks `site` with `memo`, compares the result with a whole check and returns how many
    /// pages were checked and the codes of the problems.
    fn check_with(memo: &mut Memo, site: &Site) -> (usize, Vec<&'static str>) {
        let kept = check(site, memo);
        assert_eq!(kept, super::super::check(site));
        (memo.checked, kept.iter().map(|d| d.code).collect())
    }

    #[test]
    fn a_page_is_checked_again_when_it_or_a_page_it_links_to_changed() {
        let mut memo = Memo::default();
        let site = site_of(vec![
            page("a.md", titled("A"), body("a", &[], &[("b.md", "x")])),
            page("b.md", titled("B"), body("b", &["x"], &[])),
            page("c.md", titled("C"), body("c", &[], &[])),
        ]);
        assert_eq!(check_with(&mut memo, &site), (3, vec![]));
        assert_eq!(check_with(&mut memo, &site), (0, vec![]));
        // A body edit that keeps the ids: that page alone.
        let site = edited(&site, "b.md", body("b, reworded", &["x"], &[]));
        assert_eq!(check_with(&mut memo, &site), (1, vec![]));
        // The id goes: the page that links to it is checked again, and its link is broken.
        let site = edited(&site, "b.md", body("b", &["y"], &[]));
        assert_eq!(
            check_with(&mut memo, &site),
            (2, vec!["link-missing-fragment"])
        );
        // The broken link is still reported while nothing changes.
        let site = edited(&site, "c.md", body("c, reworded", &[], &[]));
        assert_eq!(
            check_with(&mut memo, &site),
            (1, vec!["link-missing-fragment"])
        );
        let site = edited(&site, "a.md", body("a", &[], &[("b.md", "y")]));
        assert_eq!(check_with(&mut memo, &site), (1, vec![]));
    }

    #[test]
    fn pages_with_links_to_files_are_checked_again_when_the_redirects_change() {
        let mut memo = Memo::default();
        let moved = |aliases: &[&str]| crate::frontmatter::Frontmatter {
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..titled("A")
        };
        let a = page("a.md", moved(&["old-a"]), body("a", &[], &[]));
        let c = page(
            "c.md",
            titled("C"),
            Rendered {
                file_links: vec![("old-a/index.html".into(), 0..0)],
                ..body("c", &[], &[])
            },
        );
        let b = page("b.md", titled("B"), body("b", &[], &[]));
        let site = site_of(vec![a.clone(), b.clone(), c.clone()]);
        assert_eq!(check_with(&mut memo, &site), (3, vec!["link-to-redirect"]));
        let site = site_of(vec![
            Page {
                fm: Arc::new(moved(&[])),
                ..a
            },
            b,
            c,
        ]);
        assert_eq!(check_with(&mut memo, &site), (1, vec![]));
    }

    #[test]
    fn when_pages_come_or_go_the_pages_that_link_to_them_or_had_problems_are_checked_again() {
        let mut memo = Memo::default();
        let a = page("a.md", titled("A"), body("a", &[], &[("b.md", "x")]));
        let b = page("b.md", titled("B"), body("b", &["x"], &[]));
        let c = page("c.md", titled("C"), body("c", &[], &[]));
        let d = page("d.md", titled("D"), body("d", &[], &[("e.md", "")]));
        let e = page("e.md", titled("E"), body("e", &[], &[]));
        let missing = "link-missing-page";
        let site = site_of(vec![a.clone(), b.clone(), c.clone(), d.clone()]);
        assert_eq!(check_with(&mut memo, &site), (4, vec![missing]));
        // b goes: a links to it, and d had a problem.
        let site = site_of(vec![a.clone(), c.clone(), d.clone()]);
        assert_eq!(check_with(&mut memo, &site), (2, vec![missing, missing]));
        // b comes back: b itself, and a and d had problems.
        let site = site_of(vec![a.clone(), b.clone(), c.clone(), d.clone()]);
        assert_eq!(check_with(&mut memo, &site), (3, vec![missing]));
        // e comes: e itself, and d, which links to it and had a problem.
        let site = site_of(vec![a.clone(), b.clone(), c.clone(), d.clone(), e.clone()]);
        assert_eq!(check_with(&mut memo, &site), (2, vec![]));
        // Other pages unavailable: every page.
        let mut site = site_of(vec![a, b, c, d, e]);
        (site.unavailable).insert(
            SourcePath::from_relative(std::path::Path::new("z.md")),
            "is a draft",
        );
        assert_eq!(check_with(&mut memo, &site), (5, vec![]));
    }
}
