//! The memory of a site's assembly: the collection tree, the order, previous and next,
//! "Linked from", "Related articles" and the planned redirects, kept while every input they
//! read is the same, and worked out again only near the pages that changed.
//!
//! What the assembly reads of a page is its *shape*: its source, file, URL, title,
//! frontmatter (parsed, and as written with the text's first line, which problems with
//! redirects quote), where its body starts, its leading heading and where each of its links
//! points. Beside the pages it reads which language it builds and where every page is in
//! every language; the config is its owner's to watch (the engine starts this memory over
//! under a new config, as it does every other). Pages whose file, frontmatter and body are
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
//! Any other run assembles anew ([`How::Whole`]).

use std::collections::HashMap;
use std::sync::Arc;

use super::langs::Alternates;
use super::tree::Tree;
use super::{Page, Parts, Redirect, Site, Why, urls, xref};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::paths::{SourcePath, UrlPath};

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
    /// Taken from the last one.
    Kept,
}

/// A tree with the pages it was last given, the redirects planned on it and the problems met
/// planning them.
struct Made {
    tree: Tree,
    /// Where each page went, in the order they were given.
    slots: Vec<Slot>,
    redirects: Vec<Redirect>,
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

impl Memo {
    /// [`Site::assemble`] with this memory.
    pub fn site(&mut self, parts: Parts) -> (Site, Vec<Diagnostic>) {
        Site::assemble(parts, self)
    }

    /// The tree and redirects of `pages`: the last ones when `pages` and the settings have
    /// the shapes of the last run; worked out again near the pages that changed when they
    /// are the same files at the same URLs; otherwise made anew. What is made is kept.
    pub fn assemble(
        &mut self,
        pages: Vec<Page>,
        settings: &Settings,
    ) -> (Tree, Vec<Redirect>, Vec<Diagnostic>) {
        let same_settings = self.settings.as_ref().is_some_and(|(l, a)| {
            *l == settings.lang
                && (Arc::ptr_eq(a, settings.alternates) || **a == **settings.alternates)
        });
        self.settings = Some((settings.lang, settings.alternates.clone()));
        let made = self
            .made
            .take()
            .filter(|m| same_settings && m.slots.len() == pages.len());
        let changed = match made.map(|m| m.changed(&pages)) {
            Some(Ok((mut made, changed))) if changed.is_empty() => {
                for (s, p) in made.slots.iter().zip(pages) {
                    *made.tree.page_mut(*s) = p;
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
            changed => changed,
        };
        let sources: Vec<SourcePath> = pages.iter().map(|p| p.source.clone()).collect();
        let (tree, redirects, problems, free) = match changed {
            Some(Ok((made, changed))) => {
                self.how = How::Near;
                made.near(pages, &changed, settings)
            }
            _ => {
                self.how = How::Whole;
                whole(pages, settings)
            }
        };
        self.made = Made::of(&tree, &sources, &redirects, &problems, free);
        (tree, redirects, problems)
    }
}

/// The tree and redirects of `pages`, made anew, and whether the redirects are free.
fn whole(pages: Vec<Page>, settings: &Settings) -> (Tree, Vec<Redirect>, Vec<Diagnostic>, bool) {
    let lang_root = lang_root(settings);
    let tree = super::tree::assemble_in(pages, lang_root);
    let (redirects, problems, skipped) =
        urls::plan(settings.config, &tree, settings.lang, settings.alternates);
    let free = problems.is_empty() && skipped == 0;
    (tree, redirects, problems, free)
}

fn lang_root<'a>(settings: &Settings<'a>) -> &'a str {
    (settings.alternates.langs.get(settings.lang)).map_or("", |l| l.root.as_str())
}

impl Made {
    /// What to keep of an assembly of pages from `sources`; `None` when a page is not in the
    /// tree (a folder with two index pages), which is then never kept.
    fn of(
        tree: &Tree,
        sources: &[SourcePath],
        redirects: &[Redirect],
        problems: &[Diagnostic],
        free: bool,
    ) -> Option<Made> {
        let mut at: HashMap<&SourcePath, Slot> = HashMap::with_capacity(sources.len());
        if let Some(h) = &tree.home {
            at.insert(&h.source, Slot::Home);
        }
        for (i, c) in tree.collections.iter().enumerate() {
            if let Some(p) = &c.index {
                at.insert(&p.source, Slot::Index(i));
            }
        }
        for (i, a) in tree.articles.iter().enumerate() {
            at.insert(&a.page.source, Slot::Article(i));
        }
        let slots = sources
            .iter()
            .map(|s| at.get(s).copied())
            .collect::<Option<Vec<Slot>>>()?;
        Some(Made {
            tree: tree.clone(),
            slots,
            redirects: redirects.to_vec(),
            problems: problems.to_vec(),
            free,
        })
    }

    /// The places of the pages whose shapes are not those of the last run's in the same
    /// place; `Err` when one is another file, or has another URL.
    fn changed(self, pages: &[Page]) -> Result<(Made, Vec<usize>), ()> {
        let mut changed = Vec::new();
        for (k, (s, p)) in self.slots.iter().zip(pages).enumerate() {
            let old = self.tree.page(*s);
            if same_shape(old, p) {
                continue;
            }
            if old.source != p.source || old.abs != p.abs || old.url != p.url {
                return Err(());
            }
            changed.push(k);
        }
        Ok((self, changed))
    }

    /// The tree and redirects of `pages`, which are the last run's files at the same URLs
    /// with the pages at `changed` of other shapes; see [`Memo::assemble`].
    fn near(
        mut self,
        pages: Vec<Page>,
        changed: &[usize],
        settings: &Settings,
    ) -> (Tree, Vec<Redirect>, Vec<Diagnostic>, bool) {
        let old = &mut self.tree;
        let articles: Vec<usize> = (changed.iter())
            .filter_map(|&k| match self.slots[k] {
                Slot::Article(i) => Some(i),
                _ => None,
            })
            .collect();
        let old_tags: Vec<Vec<String>> = (articles.iter())
            .map(|&i| old.articles[i].page.fm.tags.clone())
            .collect();
        let old_links: Vec<Arc<crate::markdown::Rendered>> = (articles.iter())
            .map(|&i| old.articles[i].page.md.clone())
            .collect();
        let mut tree = super::tree::arrange_in(pages, lang_root(settings));
        for (new, was) in tree.articles.iter_mut().zip(&mut old.articles) {
            new.backlinks = std::mem::take(&mut was.backlinks);
            new.related = std::mem::take(&mut was.related);
        }
        if !articles.is_empty() {
            // The lists that name a changed article, or that it names now or named.
            let index: HashMap<&SourcePath, usize> = (tree.articles.iter().enumerate())
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
                .collect();
            drop(index);
            of.sort_unstable();
            of.dedup();
            xref::relink_backlinks(&mut tree.articles, &articles, &of);
            let old_tags: Vec<&[String]> = old_tags.iter().map(Vec::as_slice).collect();
            xref::relink_related(&mut tree.articles, &articles, &old_tags);
        }
        // The redirects of the changed articles, when they collide with nothing.
        if self.free {
            let mut asked: Vec<Vec<(UrlPath, Why)>> = vec![Vec::new(); tree.articles.len()];
            for r in self.redirects {
                asked[r.to].push((r.from, r.why));
            }
            let mut invalid = false;
            for &i in &articles {
                let (wanted, problems) = urls::wanted(
                    settings.config,
                    &tree.articles[i],
                    settings.lang,
                    settings.alternates,
                );
                invalid |= !problems.is_empty();
                asked[i] = wanted;
            }
            if !invalid && let Some(redirects) = urls::free_redirects(&tree, asked) {
                return (tree, redirects, Vec::new(), true);
            }
        }
        let (redirects, problems, skipped) =
            urls::plan(settings.config, &tree, settings.lang, settings.alternates);
        let free = problems.is_empty() && skipped == 0;
        (tree, redirects, problems, free)
    }
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
            Slot::Article(i) => Some(&mut self.articles[i].page),
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
