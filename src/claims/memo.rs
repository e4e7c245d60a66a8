//! The memory of the last clean check of each language's output paths, so that a rebuild
//! looks only at the claims that changed.
//!
//! Whether a set of claims is clean (no problem to report) depends only on the claims' paths,
//! kinds and ranks, and on whether the search index is on, not on their order: two claims of
//! one path are reported unless both are pages or redirects or neither can be pointed at; a
//! path that is both a file and a folder, or two paths that differ only in case or
//! normalization, unless neither party can be pointed at; and every name that is too long.
//! So removing claims from a clean set leaves it clean, and a problem of the set with claims
//! added always involves an added claim: one whose path another claim has too, that has the
//! folded form of another path, that is a folder of another claim or has a claimed (or
//! search index) folder, or whose name is too long.
//!
//! The memo keeps, after a clean check, every claim (path, kind, rank) in order, and counts
//! by the hash of each path, each folder and each folded form. A rebuild compares its claims
//! with the kept ones, takes out those that went, puts in those that came, and asks of each
//! newcomer the questions above. When none may collide, the check is clean; otherwise, or
//! when the last check found problems, everything is checked as [`super::check`] does (and
//! reports what it does). A hash that two paths share only makes a newcomer look as if it
//! may collide: the answer stays exact.
//!
//! The URLs of the tag pages are kept too, while every article's tags are the same.
//!
//! The build cache keeps the claims of each language's last clean check and the paths of
//! the files it read ([`Saved`]), not the tag pages' URLs, which a check that makes the
//! claims makes again.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::{Claim, check_claims, claims_with, fold, search_writes};
use crate::diagnostics::Diagnostic;
use crate::frontmatter::Frontmatter;
use crate::paths::{MAX_NAME_BYTES, UrlPath};
use crate::render::Theme;
use crate::site::Site;

/// What the last check of each language's site kept, by the language.
#[derive(Default)]
pub struct Memo {
    sites: HashMap<usize, Kept>,
    /// Whether the last [`check_kept`] checked every claim.
    pub whole: bool,
    /// Whether a [`check_kept`] may have changed what this memory holds since the engine
    /// last cleared this flag (it does before each run's checks).
    pub changed: bool,
}

#[derive(Default)]
struct Kept {
    /// The tag pages' URLs, with the frontmatter of every article they were made from.
    tags: Option<(Vec<Arc<Frontmatter>>, Vec<UrlPath>)>,
    /// The claims of the last check, when it was clean.
    clean: Option<Clean>,
    /// The paths of the content assets and of the theme's static files the last check read.
    files: Vec<Box<str>>,
}

struct Clean {
    search: bool,
    claims: Vec<Owned>,
    /// Made from the claims when first needed: a build that checks once never needs it.
    index: Option<Index>,
}

/// What the memo keeps of a claim.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
struct Owned {
    path: Box<str>,
    kind: u8,
    rank: u8,
}

impl Owned {
    fn of(c: &Claim<'_>) -> Owned {
        Owned {
            path: c.path.as_ref().into(),
            kind: c.by.kind(),
            rank: c.by.rank(),
        }
    }

    fn is(&self, c: &Claim<'_>) -> bool {
        *self.path == *c.path && self.kind == c.by.kind() && self.rank == c.by.rank()
    }
}

/// Counts of the claims, by the hash of a path: claims of each path, claims under each
/// folder, and paths of each folded form.
#[derive(Default)]
struct Index {
    paths: FxHashMap<u64, u32>,
    folders: FxHashMap<u64, u32>,
    folds: FxHashMap<u64, u32>,
}

/// The folders a path is in: `a/b/c.html` is in `a` and `a/b`.
fn folders(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(|(end, _)| &path[..end])
}

fn up(map: &mut FxHashMap<u64, u32>, key: u64) -> u32 {
    let n = map.entry(key).or_default();
    *n += 1;
    *n
}

fn down(map: &mut FxHashMap<u64, u32>, key: u64) -> u32 {
    let Some(n) = map.get_mut(&key) else {
        return 0;
    };
    *n -= 1;
    let left = *n;
    if left == 0 {
        map.remove(&key);
    }
    left
}

impl Index {
    fn add(&mut self, path: &str) {
        if up(&mut self.paths, xxh3_64(path.as_bytes())) == 1 {
            up(&mut self.folds, xxh3_64(fold(path).as_bytes()));
        }
        for f in folders(path) {
            up(&mut self.folders, xxh3_64(f.as_bytes()));
        }
    }

    fn remove(&mut self, path: &str) {
        if down(&mut self.paths, xxh3_64(path.as_bytes())) == 0 {
            down(&mut self.folds, xxh3_64(fold(path).as_bytes()));
        }
        for f in folders(path) {
            down(&mut self.folders, xxh3_64(f.as_bytes()));
        }
    }

    /// Whether a claim of `path`, counted in, may be part of a problem; see the module doc.
    fn may_collide(&self, path: &str, search: bool) -> bool {
        let count = |map: &FxHashMap<u64, u32>, p: &str| {
            map.get(&xxh3_64(p.as_bytes())).copied().unwrap_or(0)
        };
        count(&self.paths, path) > 1
            || self.folds.get(&xxh3_64(fold(path).as_bytes())) > Some(&1)
            || count(&self.folders, path) > 0
            || folders(path).any(|f| count(&self.paths, f) > 0 || (search && search_writes(f)))
            || path.split('/').any(|n| n.len() > MAX_NAME_BYTES)
    }
}

impl Clean {
    fn of(claims: &[Claim<'_>], search: bool) -> Clean {
        Clean {
            search,
            claims: claims.iter().map(Owned::of).collect(),
            index: None,
        }
    }

    /// Takes in `claims`, the claims of this run: whether they are clean too, as far as the
    /// questions of the module doc can tell. The kept claims are then `claims`.
    fn take(&mut self, claims: &[Claim<'_>]) -> bool {
        let old = &self.claims;
        let same = |(o, c): (&Owned, &Claim<'_>)| o.is(c);
        let head = old.iter().zip(claims).take_while(|p| same(*p)).count();
        let tail = old[head..]
            .iter()
            .rev()
            .zip(claims[head..].iter().rev())
            .take_while(|p| same(*p))
            .count();
        let (went, came) = (head..old.len() - tail, head..claims.len() - tail);
        // Between the same head and tail, claims that stayed in their places are left out.
        let changed: Vec<usize> = match went.len() == came.len() {
            true => came.clone().filter(|&i| !old[i].is(&claims[i])).collect(),
            false => came.clone().collect(),
        };
        let gone: Vec<usize> = match went.len() == came.len() {
            true => changed.clone(),
            false => went.clone().collect(),
        };
        if changed.is_empty() && gone.is_empty() {
            return true;
        }
        let index = self.index.get_or_insert_with(|| {
            let mut index = Index::default();
            for c in old {
                index.add(&c.path);
            }
            index
        });
        for &i in &gone {
            index.remove(&old[i].path);
        }
        for &i in &changed {
            index.add(&claims[i].path);
        }
        let clean = !changed
            .iter()
            .any(|&i| index.may_collide(&claims[i].path, self.search));
        let kept: Vec<Owned> = claims[came.clone()].iter().map(Owned::of).collect();
        self.claims.splice(went, kept);
        clean
    }
}

/// The URLs of the tag pages of `site`: the `kept` ones while every article's tags are the
/// same.
fn tags<'k>(
    kept: &'k mut Option<(Vec<Arc<Frontmatter>>, Vec<UrlPath>)>,
    site: &Site,
) -> &'k [UrlPath] {
    let same = kept.as_ref().is_some_and(|(fms, _)| {
        fms.len() == site.articles.len()
            && fms
                .iter()
                .zip(&site.articles)
                .all(|(f, a)| Arc::ptr_eq(f, &a.page.fm) || f.tags == a.page.fm.tags)
    });
    if !same {
        *kept = Some((Vec::new(), crate::render::pages::tag_urls(site)));
    }
    let (fms, urls) = kept.as_mut().expect("made above");
    fms.clear();
    fms.extend(site.articles.iter().map(|a| a.page.fm.clone()));
    urls
}

/// [`super::check`], looking only at the claims that changed since the last clean check of
/// `site`'s language; see the module doc.
///
/// `pages_kept` says that the site's pages, collections and redirects are those of the last
/// check of its language, as the site's assembly memo knows when it kept its last assembly
/// (every page's file, URL and frontmatter the same, so its tags too). Then, while the
/// config is the same (a new one starts the memo over), the claims differ only if the
/// content assets or the theme's static files do: when they are the same too and the last
/// check was clean, the claims are not even made.
pub fn check_kept(
    site: &Site,
    theme: &Theme,
    memo: &mut Memo,
    pages_kept: bool,
) -> Vec<Diagnostic> {
    let kept = memo.sites.entry(site.lang).or_default();
    let search = site.config.search;
    let files = (site.assets.iter().map(|f| f.path.as_str())).chain(theme.static_paths());
    let same_files = kept.files.iter().map(|f| &**f).eq(files.clone());
    if !same_files {
        kept.files = files.map(Box::from).collect();
    }
    if pages_kept && same_files && kept.clean.as_ref().is_some_and(|c| c.search == search) {
        memo.whole = false;
        return Vec::new();
    }
    memo.changed = true;
    let mut clean = kept.clean.take();
    let claims = claims_with(site, theme, tags(&mut kept.tags, site));
    if let Some(c) = &mut clean
        && c.search == search
        && c.take(&claims)
    {
        kept.clean = clean;
        memo.whole = false;
        return Vec::new();
    }
    memo.whole = true;
    let problems = check_claims(site, &claims);
    if problems.is_empty() {
        kept.clean = Some(Clean::of(&claims, search));
    }
    problems
}

/// What the build cache keeps of a [`Memo`]: for each language, the paths of the files the
/// last check read and, when it was clean, its claims.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    sites: Vec<SavedSite>,
}

#[derive(Serialize, Deserialize)]
struct SavedSite {
    lang: usize,
    files: Vec<Box<str>>,
    clean: Option<(bool, Vec<Owned>)>,
}

impl Memo {
    /// What the cache keeps of this memory.
    pub fn save(&self) -> Saved {
        let mut sites: Vec<SavedSite> = (self.sites.iter())
            .map(|(lang, k)| SavedSite {
                lang: *lang,
                files: k.files.clone(),
                clean: (k.clean.as_ref()).map(|c| (c.search, c.claims.clone())),
            })
            .collect();
        sites.sort_unstable_by_key(|s| s.lang);
        Saved { sites }
    }

    /// The memory `saved` describes.
    pub fn restore(saved: Saved) -> Memo {
        let sites = (saved.sites.into_iter())
            .map(|s| {
                let kept = Kept {
                    tags: None,
                    clean: s.clean.map(|(search, claims)| Clean {
                        search,
                        claims,
                        index: None,
                    }),
                    files: s.files,
                };
                (s.lang, kept)
            })
            .collect();
        Memo {
            sites,
            whole: false,
            changed: false,
        }
    }
}

#[cfg(test)]
mod tests;
