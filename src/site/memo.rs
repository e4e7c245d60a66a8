//! The memory of a site's assembly: the collection tree, the order, previous and next,
//! "Linked from", "Related articles" and the planned redirects, kept while every input they
//! read is the same.
//!
//! What the assembly reads of a page is its *shape*: its source, file, URL, title,
//! frontmatter (parsed and as written), where its body starts, its leading heading and where
//! each of its links points. Beside the pages it reads the config, which language it builds
//! and where every page is in every language. A run whose pages come in the same order with
//! the same shapes, under the same config and languages, gets the tree and the redirects of
//! the last run with its own pages put in their places; any other run assembles anew. Pages
//! whose file, frontmatter and body are the very ones of the last run (shared, not copied)
//! have the same shape without being compared.

use std::sync::Arc;

use super::langs::Alternates;
use super::tree::Tree;
use super::{Article, Collection, Page, Parts, Redirect, Site, is_index};
use crate::diagnostics::Diagnostic;

/// What the last assembly read and what it made.
#[derive(Default)]
pub struct Memo {
    /// The pages as the last assembly read them, in their order.
    pages: Vec<Page>,
    /// The config (as `Debug` writes it), the language and the languages.
    settings: Option<(String, usize, Arc<Alternates>)>,
    made: Option<Made>,
    /// Whether the last assembly was taken from the one before.
    pub reused: bool,
}

/// A tree without its pages, the redirects planned on it and the problems met planning them.
struct Made {
    has_home: bool,
    collections: Vec<Collection>,
    roots: Vec<usize>,
    articles: Vec<Article>,
    root_articles: Vec<usize>,
    redirects: Vec<Redirect>,
    problems: Vec<Diagnostic>,
}

impl Memo {
    /// [`Site::assemble`] with this memory.
    pub fn site(&mut self, parts: Parts) -> (Site, Vec<Diagnostic>) {
        Site::assemble(parts, self)
    }

    /// The tree and redirects of `pages`: the last ones when `pages` and the settings have
    /// the shapes of the last run, otherwise those `assemble` makes (which are then kept).
    pub fn assemble(
        &mut self,
        pages: Vec<Page>,
        settings: (String, usize, Arc<Alternates>),
        assemble: impl FnOnce(Vec<Page>) -> (Tree, Vec<Redirect>, Vec<Diagnostic>),
    ) -> (Tree, Vec<Redirect>, Vec<Diagnostic>) {
        let same = self.settings.as_ref().is_some_and(|(c, l, a)| {
            *c == settings.0
                && *l == settings.1
                && (Arc::ptr_eq(a, &settings.2) || **a == *settings.2)
        }) && self.pages.len() == pages.len()
            && self.pages.iter().zip(&pages).all(|(a, b)| same_shape(a, b));
        self.pages = pages.clone();
        self.settings = Some(settings);
        self.reused = same && self.made.is_some();
        if self.reused
            && let Some(made) = &self.made
        {
            return made.place(pages);
        }
        let (tree, redirects, problems) = assemble(pages);
        self.made = Some(Made::of(&tree, &redirects, &problems));
        (tree, redirects, problems)
    }
}

impl Made {
    fn of(tree: &Tree, redirects: &[Redirect], problems: &[Diagnostic]) -> Made {
        // The pages are left in place: placing them again overwrites every one.
        Made {
            has_home: tree.home.is_some(),
            collections: tree.collections.clone(),
            roots: tree.roots.clone(),
            articles: tree.articles.clone(),
            root_articles: tree.root_articles.clone(),
            redirects: redirects.to_vec(),
            problems: problems.to_vec(),
        }
    }

    /// The kept tree with `pages`, which have the shapes of the pages it was made of, in
    /// their places, and the kept redirects and problems.
    fn place(&self, pages: Vec<Page>) -> (Tree, Vec<Redirect>, Vec<Diagnostic>) {
        let mut collections = self.collections.clone();
        let mut articles = self.articles.clone();
        let mut home = None;
        let mut next_article = 0;
        for p in pages {
            if !is_index(&p.source) {
                articles[next_article].page = p;
                next_article += 1;
            } else if p.source.dir().is_empty() {
                home = Some(p);
            } else if let Some(c) = collections.iter_mut().find(|c| c.dir == p.source.dir()) {
                c.index = Some(p);
            }
        }
        debug_assert_eq!(home.is_some(), self.has_home);
        let tree = Tree {
            home,
            collections,
            roots: self.roots.clone(),
            articles,
            root_articles: self.root_articles.clone(),
        };
        (tree, self.redirects.clone(), self.problems.clone())
    }
}

/// Whether the assembly reads the same of `b` as of `a`.
fn same_shape(a: &Page, b: &Page) -> bool {
    if a.source != b.source || a.abs != b.abs || a.url != b.url {
        return false;
    }
    let fm = Arc::ptr_eq(&a.fm, &b.fm) || a.fm == b.fm;
    let text = Arc::ptr_eq(&a.text, &b.text)
        || (a.body_offset == b.body_offset
            && a.text.get(..a.body_offset) == b.text.get(..b.body_offset));
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
