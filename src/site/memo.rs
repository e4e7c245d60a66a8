//! The memory of a site's assembly: the collection tree, the order, previous and next,
//! "Linked from", "Related articles" and the planned redirects, kept while every input they
//! read is the same, and worked out again only near the pages that changed.
//!
//! What the assembly reads of a page is its *shape*: its source, file, URL, title,
//! frontmatter (parsed, and as written with the text's first line, which problems with
//! redirects quote), where its body starts, its leading heading and where each of its links
//! points. Beside the pages it reads which language it builds and where every page is in
//! every language; the config is its owner's to watch (the engine starts this memory over
//! under a new config). Pages whose file, frontmatter and body are
//! the very ones of the last run (shared, not copied) have the same shape without being
//! compared. Under the same languages, a run whose pages are the last run's files in the
//! same order:
//!
//! - with the same shapes, gets the tree and the redirects of the last run with its own
//!   pages put in their places ([`How::Kept`]);
//! - at the same URLs, some with other shapes, is arranged again (collections, order,
//!   previous and next: cheap), and keeps the last "Linked from" lists but those that name a
//!   changed article or that a changed article names (or named), and the last "Related
//!   articles" but those of the articles that share a tag (before or after) with a changed
//!   one. The changed articles' redirects are asked for again; when the last plan placed
//!   every redirect asked for without a problem, and none of the addresses now asked for is
//!   a page's or is asked for twice, the whole plan would place them all as well, so that is
//!   the plan; otherwise it is made again ([`How::Near`]).
//!
//! A run where pages came or went, the others staying in the same order at the same URLs, is
//! the same work with the kept lists renumbered: an article's place is its place among the
//! articles, and the articles that stayed keep their order, so a kept list keeps its order
//! too. A new article counts as changed, its own "Linked from" list is made from every
//! article's links (an article that stayed may have linked to it before it was there), and
//! the tags of an article gone touch the related articles as a changed article's old tags
//! do. The kept redirects stay free while no page that came is at one of them
//! ([`How::Shifted`]). A page whose place in another language changed (read by its Intercom
//! redirects) counts as changed.
//!
//! Any other run assembles anew ([`How::Whole`]).
//!
//! The build cache keeps this memory between builds ([`Saved`]), so that a cached build
//! starts from the last build's assembly as `serve` starts from its last run's.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::langs::Alternates;
use super::tree::Tree;
use super::{Page, Parts, Redirect, Site, Why, is_index, urls, xref};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::paths::{SourcePath, UrlPath};

mod saved;
pub use saved::Saved;

/// What the last assembly read and what it made.
#[derive(Default)]
pub struct Memo {
    /// The language and the languages.
    settings: Option<(usize, Arc<Alternates>)>,
    made: Option<Made>,
    /// How the last assembly was made.
    pub how: How,
}

/// How an assembly was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum How {
    /// From nothing.
    #[default]
    Whole,
    /// The order again, "Linked from" and "Related articles" of the articles near the
    /// changed pages, and the redirects of the changed articles.
    Near,
    /// As [`How::Near`], with pages that came or went.
    Shifted,
    /// Taken from the last one.
    Kept,
}

impl How {
    /// In words, for a report.
    pub fn describe(self) -> &'static str {
        match self {
            How::Whole => "anew",
            How::Near => "near the pages that changed",
            How::Shifted => "near the pages that changed, came or went",
            How::Kept => "kept",
        }
    }
}

/// A tree with the pages it was last given, the redirects planned on it and the problems met
/// planning them.
struct Made {
    tree: Tree,
    /// Where each page went, in the order they were given.
    slots: Vec<Slot>,
    redirects: Arc<Vec<Redirect>>,
    problems: Vec<Diagnostic>,
    /// Whether every redirect an article asked for was planned, without a problem.
    free: bool,
}

/// Where a page sits in a [`Tree`].
#[derive(Clone, Copy)]
enum Slot {
    Home,
    Index(usize),
    Article(usize),
}

/// What an assembly reads besides the pages.
pub struct Settings<'a> {
    pub config: &'a Config,
    pub lang: usize,
    pub alternates: &'a Arc<Alternates>,
}

/// How this run's pages stand to the last run's.
struct Diff {
    /// For each page of this run, its place among the last run's pages, when it was one.
    was: Vec<Option<usize>>,
    /// The pages of this run that are new, or whose shapes are not those they had.
    changed: Vec<usize>,
    /// Whether the pages are the last run's, each in its place.
    in_place: bool,
}

impl Memo {
    /// [`Site::assemble`] with this memory.
    pub fn site(&mut self, parts: Parts) -> (Site, Vec<Diagnostic>) {
        Site::assemble(parts, self)
    }

    /// The tree and redirects of `pages`: the last ones when `pages` and the settings have
    /// the shapes of the last run; worked out again near the pages that changed, came or
    /// went when the others are the same files at the same URLs in the same order; otherwise
    /// made anew. What is made is kept.
    pub fn assemble(
        &mut self,
        pages: Vec<Page>,
        settings: &Settings,
    ) -> (Tree, Arc<Vec<Redirect>>, Vec<Diagnostic>) {
        let last = self.settings.take();
        let moved = last.as_ref().and_then(|(l, a)| {
            (*l == settings.lang && a.langs == settings.alternates.langs)
                .then(|| moved_alternates(a, settings.alternates))
        });
        self.settings = Some((settings.lang, settings.alternates.clone()));
        // The last languages go while this run goes on.
        rayon::spawn(move || drop(last));
        let made = self.made.take().zip(moved);
        let diff = made.map(|(m, moved)| m.diff(&pages, &moved));
        let slots = slots_of(&pages);
        let (tree, redirects, problems, free) = match diff {
            Some(Ok((mut made, diff))) if diff.in_place && diff.changed.is_empty() => {
                // Only the pages that are not the very ones of the last run are put in:
                // an article shared with the last site is then copied, the others stay
                // shared.
                for (s, p) in made.slots.iter().zip(pages) {
                    if !same_page(made.tree.page(*s), &p) {
                        *made.tree.page_mut(*s) = p;
                    }
                }
                self.how = How::Kept;
                let kept = (
                    made.tree.clone(),
                    made.redirects.clone(),
                    made.problems.clone(),
                );
                self.made = Some(made);
                return kept;
            }
            Some(Ok((made, diff))) => {
                self.how = if diff.in_place {
                    How::Near
                } else {
                    How::Shifted
                };
                made.near(pages, &diff, settings)
            }
            _ => {
                self.how = How::Whole;
                whole(pages, settings)
            }
        };
        let redirects = Arc::new(redirects);
        self.made = slots.and_then(|s| Made::of(&tree, s, &redirects, &problems, free));
        (tree, redirects, problems)
    }
}

/// The pages whose places in the other languages differ between `a` and `b`, which have the
/// same languages; none when the site has one language, where the assembly reads none.
fn moved_alternates(a: &Alternates, b: &Alternates) -> FxHashSet<SourcePath> {
    if !b.many() || std::ptr::eq(a, b) {
        return FxHashSet::default();
    }
    let gone = (a.pages.keys()).filter(|s| !b.pages.contains_key(*s));
    let other = (b.pages.iter()).filter(|(s, urls)| a.pages.get(*s) != Some(urls));
    gone.chain(other.map(|(s, _)| s)).cloned().collect()
}

/// Where each of `pages` will sit in their tree, by what [`super::tree::arrange_in`] does
/// with them: `None` when two are one folder's index, and one is left out.
fn slots_of(pages: &[Page]) -> Option<Vec<SlotOf>> {
    let mut indexes: FxHashSet<&str> = FxHashSet::default();
    let mut article = 0;
    let mut slots = Vec::with_capacity(pages.len());
    for p in pages {
        if is_index(&p.source) {
            if !indexes.insert(p.source.dir()) {
                return None;
            }
            slots.push(SlotOf::Index(p.source.dir().to_string()));
        } else {
            slots.push(SlotOf::Article(article));
            article += 1;
        }
    }
    Some(slots)
}

/// A page's [`Slot`] before the tree is made: an index is placed by its folder.
enum SlotOf {
    Index(String),
    Article(usize),
}

/// The tree and redirects of `pages`, made anew, and whether the redirects are free.
fn whole(pages: Vec<Page>, settings: &Settings) -> (Tree, Vec<Redirect>, Vec<Diagnostic>, bool) {
    planned(
        super::tree::assemble_in(pages, lang_root(settings)),
        settings,
    )
}

/// `tree` with the redirects planned on it anew, and whether they are free.
fn planned(tree: Tree, settings: &Settings) -> (Tree, Vec<Redirect>, Vec<Diagnostic>, bool) {
    let (redirects, problems, skipped) =
        urls::plan(settings.config, &tree, settings.lang, settings.alternates);
    let free = problems.is_empty() && skipped == 0;
    (tree, redirects, problems, free)
}

fn lang_root<'a>(settings: &Settings<'a>) -> &'a str {
    (settings.alternates.langs.get(settings.lang)).map_or("", |l| l.root.as_str())
}

impl Made {
    /// What to keep of an assembly whose pages went to `slots`.
    fn of(
        tree: &Tree,
        slots: Vec<SlotOf>,
        redirects: &Arc<Vec<Redirect>>,
        problems: &[Diagnostic],
        free: bool,
    ) -> Option<Made> {
        // The collections are in the order of their folders.
        let index = |dir: &str| {
            (tree.collections)
                .binary_search_by(|c| c.dir.as_str().cmp(dir))
                .ok()
        };
        let slots = (slots.into_iter())
            .map(|s| match s {
                SlotOf::Article(i) => Some(Slot::Article(i)),
                SlotOf::Index(dir) if dir.is_empty() => Some(Slot::Home),
                SlotOf::Index(dir) => index(&dir).map(Slot::Index),
            })
            .collect::<Option<Vec<Slot>>>()?;
        Some(Made {
            tree: tree.clone(),
            slots,
            redirects: redirects.clone(),
            problems: problems.to_vec(),
            free,
        })
    }

    /// How `pages` stand to the last run's; `Err` when one that was there has another file
    /// or URL, or the pages that stayed are in another order.
    fn diff(self, pages: &[Page], moved: &FxHashSet<SourcePath>) -> Result<(Made, Diff), ()> {
        let in_place = self.slots.len() == pages.len()
            && (self.slots.iter().zip(pages)).all(|(s, p)| self.tree.page(*s).source == p.source);
        let was: Vec<Option<usize>> = if in_place {
            (0..pages.len()).map(Some).collect()
        } else {
            let at: FxHashMap<&SourcePath, usize> = (self.slots.iter().enumerate())
                .map(|(k, s)| (&self.tree.page(*s).source, k))
                .collect();
            pages.iter().map(|p| at.get(&p.source).copied()).collect()
        };
        let mut changed = Vec::new();
        let mut last = None;
        for (k, (p, was)) in pages.iter().zip(&was).enumerate() {
            let Some(w) = *was else {
                changed.push(k);
                continue;
            };
            if last.is_some_and(|l| l >= w) {
                return Err(());
            }
            last = Some(w);
            let old = self.tree.page(self.slots[w]);
            if same_shape(old, p) && !moved.contains(&p.source) {
                continue;
            }
            if old.abs != p.abs || old.url != p.url {
                return Err(());
            }
            changed.push(k);
        }
        Ok((
            self,
            Diff {
                was,
                changed,
                in_place,
            },
        ))
    }

    /// The tree and redirects of `pages`, which stand to the last run's as `diff` says;
    /// see [`Memo::assemble`].
    fn near(
        self,
        pages: Vec<Page>,
        diff: &Diff,
        settings: &Settings,
    ) -> (Tree, Vec<Redirect>, Vec<Diagnostic>, bool) {
        let Made {
            tree: mut old,
            slots,
            redirects,
            free,
            ..
        } = self;
        // Each old article's place among the new ones, and each new article's old one.
        let mut new_of: Vec<Option<usize>> = vec![None; old.articles.len()];
        let mut old_of: Vec<Option<usize>> = Vec::new();
        // Each page's place among the new articles.
        let mut article_at: Vec<Option<usize>> = Vec::with_capacity(pages.len());
        for (p, was) in pages.iter().zip(&diff.was) {
            if is_index(&p.source) {
                article_at.push(None);
                continue;
            }
            article_at.push(Some(old_of.len()));
            let w = was.and_then(|w| match slots[w] {
                Slot::Article(i) => Some(i),
                _ => None,
            });
            if let Some(w) = w {
                new_of[w] = Some(old_of.len());
            }
            old_of.push(w);
        }
        let articles: Vec<usize> = (diff.changed.iter())
            .filter_map(|&k| article_at[k])
            .collect();
        let came: Vec<usize> = (articles.iter().copied())
            .filter(|&i| old_of[i].is_none())
            .collect();
        let gone: Vec<usize> = (0..new_of.len()).filter(|&w| new_of[w].is_none()).collect();
        // What the changed articles read before, and the tags of the articles gone.
        let before: Vec<usize> = (articles.iter()).filter_map(|&i| old_of[i]).collect();
        let old_tags: Vec<Vec<String>> = (before.iter().chain(&gone))
            .map(|&w| old.articles[w].page.fm.tags.clone())
            .collect();
        let old_links: Vec<Arc<crate::markdown::Rendered>> = (before.iter())
            .map(|&w| old.articles[w].page.md.clone())
            .collect();
        let came_urls: Vec<UrlPath> = (pages.iter().zip(&diff.was))
            .filter(|(_, was)| was.is_none())
            .map(|(p, _)| p.url.clone())
            .collect();
        let mut tree = super::tree::arrange_in(pages, lang_root(settings));
        for (new, was) in tree.articles.iter_mut().zip(&old_of) {
            if let Some(w) = *was {
                // The new article is not shared yet; the old one may be, by the last site.
                let new = Arc::make_mut(new);
                (new.backlinks, new.related) = match Arc::get_mut(&mut old.articles[w]) {
                    Some(o) => (
                        std::mem::take(&mut o.backlinks),
                        std::mem::take(&mut o.related),
                    ),
                    None => (
                        old.articles[w].backlinks.clone(),
                        old.articles[w].related.clone(),
                    ),
                };
                if !diff.in_place {
                    renumber(&mut new.backlinks, &new_of);
                    renumber(&mut new.related, &new_of);
                }
            }
        }
        if !articles.is_empty() || !gone.is_empty() {
            // The lists that name a changed article, or that it names now or named; those
            // of the articles that came are made anew.
            let index: FxHashMap<&SourcePath, usize> = (tree.articles.iter().enumerate())
                .map(|(i, a)| (&a.page.source, i))
                .collect();
            let mut of: Vec<usize> = (articles.iter().map(|&i| &tree.articles[i].page.md))
                .chain(&old_links)
                .flat_map(|md| {
                    md.links
                        .iter()
                        .filter_map(|l| index.get(l.target.as_ref()?))
                })
                .copied()
                .filter(|&t| old_of[t].is_some())
                .collect();
            drop(index);
            of.sort_unstable();
            of.dedup();
            xref::relink_backlinks(&mut tree.articles, &articles, &of);
            xref::link_backlinks_of(&mut tree.articles, &came);
            let old_tags: Vec<&[String]> = old_tags.iter().map(Vec::as_slice).collect();
            xref::relink_related(&mut tree.articles, &articles, &old_tags);
        }
        // The last run's pages go while this one goes on.
        rayon::spawn(move || drop(old));
        // The redirects of the changed articles, when they collide with nothing.
        if free {
            let changed: FxHashSet<usize> = articles.iter().copied().collect();
            let kept: Vec<Redirect> = (Arc::unwrap_or_clone(redirects).into_iter())
                .filter_map(|r| {
                    let to = new_of[r.to].filter(|to| !changed.contains(to))?;
                    Some(Redirect { to, ..r })
                })
                .collect();
            let mut invalid = false;
            let asked: Vec<(usize, Vec<(UrlPath, Why)>)> = (articles.iter())
                .map(|&i| {
                    let (wanted, problems) = urls::wanted(
                        settings.config,
                        &tree.articles[i],
                        settings.lang,
                        settings.alternates,
                    );
                    invalid |= !problems.is_empty();
                    (i, wanted)
                })
                .collect();
            if !invalid
                && let Some(redirects) = urls::free_redirects(&tree, kept, asked, &came_urls)
            {
                return (tree, redirects, Vec::new(), true);
            }
        }
        planned(tree, settings)
    }
}

/// `list` of old articles' places, with each at its new place and those gone left out; the
/// articles that stayed keep their order, so the list keeps its own.
fn renumber(list: &mut Vec<usize>, new_of: &[Option<usize>]) {
    list.retain_mut(|x| match new_of[*x] {
        Some(n) => {
            *x = n;
            true
        }
        None => false,
    });
}

impl Tree {
    fn page(&self, slot: Slot) -> &Page {
        match slot {
            Slot::Home => self.home.as_ref(),
            Slot::Index(i) => self.collections[i].index.as_ref(),
            Slot::Article(i) => Some(&self.articles[i].page),
        }
        .expect("a slot names a page of its tree")
    }

    fn page_mut(&mut self, slot: Slot) -> &mut Page {
        match slot {
            Slot::Home => self.home.as_mut(),
            Slot::Index(i) => self.collections[i].index.as_mut(),
            Slot::Article(i) => Some(&mut Arc::make_mut(&mut self.articles[i]).page),
        }
        .expect("a slot names a page of its tree")
    }
}

/// The text the problems of redirects may quote: the frontmatter, and the first line, where
/// a problem with a value the page inherits is placed.
fn head(p: &Page) -> &str {
    let first_line = p.text.find('\n').map_or(p.text.len(), |n| n + 1);
    p.text
        .get(..p.body_offset.max(first_line))
        .unwrap_or(&p.text)
}

/// Whether `b` is `a`: the same file at the same URL, holding the very same text,
/// frontmatter and body.
fn same_page(a: &Page, b: &Page) -> bool {
    Arc::ptr_eq(&a.md, &b.md)
        && Arc::ptr_eq(&a.text, &b.text)
        && Arc::ptr_eq(&a.fm, &b.fm)
        && a.body_offset == b.body_offset
        && a.source == b.source
        && a.url == b.url
        && a.abs == b.abs
}

/// Whether the assembly reads the same of `b` as of `a`.
fn same_shape(a: &Page, b: &Page) -> bool {
    if a.source != b.source || a.abs != b.abs || a.url != b.url {
        return false;
    }
    let fm = Arc::ptr_eq(&a.fm, &b.fm) || a.fm == b.fm;
    let text =
        Arc::ptr_eq(&a.text, &b.text) || (a.body_offset == b.body_offset && head(a) == head(b));
    let md = Arc::ptr_eq(&a.md, &b.md)
        || (a.md.title == b.md.title
            && a.md.links.len() == b.md.links.len()
            && a.md
                .links
                .iter()
                .zip(&b.md.links)
                .all(|(x, y)| x.target == y.target));
    fm && text && md
}

#[cfg(test)]
mod tests;
