//! The memory of a site's assembly: the collection tree, the order, previous and next,
//! "Linked from", "Related articles" and the planned redirects, kept while every input they
//! read is the same.
//!
//! What the assembly reads of a page is its *shape*: its source, file, URL, title,
//! frontmatter (parsed, and as written with the text's first line, which problems with
//! redirects quote), where its body starts, its leading heading and where each of its links
//! points. Beside the pages it reads which language it builds and where every page is in
//! every language; the config is its owner's to watch (the engine starts this memory over
//! under a new config, as it does every other). A run whose pages come in the same order with
//! the same shapes, under the same languages, gets the tree and the redirects of
//! the last run with its own pages put in their places; any other run assembles anew. Pages
//! whose file, frontmatter and body are the very ones of the last run (shared, not copied)
//! have the same shape without being compared.

use std::collections::HashMap;
use std::sync::Arc;

use super::langs::Alternates;
use super::tree::Tree;
use super::{Page, Parts, Redirect, Site};
use crate::diagnostics::Diagnostic;
use crate::paths::SourcePath;

/// What the last assembly read and what it made.
#[derive(Default)]
pub struct Memo {
    /// The language and the languages.
    settings: Option<(usize, Arc<Alternates>)>,
    made: Option<Made>,
    /// Whether the last assembly was taken from the one before.
    pub reused: bool,
}

/// A tree with the pages it was last given, the redirects planned on it and the problems met
/// planning them.
struct Made {
    tree: Tree,
    /// Where each page went, in the order they were given.
    slots: Vec<Slot>,
    redirects: Vec<Redirect>,
    problems: Vec<Diagnostic>,
}

/// Where a page sits in a [`Tree`].
#[derive(Clone, Copy)]
enum Slot {
    Home,
    Index(usize),
    Article(usize),
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
        settings: (usize, Arc<Alternates>),
        assemble: impl FnOnce(Vec<Page>) -> (Tree, Vec<Redirect>, Vec<Diagnostic>),
    ) -> (Tree, Vec<Redirect>, Vec<Diagnostic>) {
        let same_settings = self.settings.as_ref().is_some_and(|(l, a)| {
            *l == settings.0 && (Arc::ptr_eq(a, &settings.1) || **a == *settings.1)
        });
        self.settings = Some(settings);
        self.reused = false;
        if let Some(made) = &mut self.made
            && same_settings
            && made.slots.len() == pages.len()
            && made
                .slots
                .iter()
                .zip(&pages)
                .all(|(s, p)| same_shape(made.tree.page(*s), p))
        {
            for (s, p) in made.slots.iter().zip(pages) {
                *made.tree.page_mut(*s) = p;
            }
            self.reused = true;
            return (
                made.tree.clone(),
                made.redirects.clone(),
                made.problems.clone(),
            );
        }
        let sources: Vec<SourcePath> = pages.iter().map(|p| p.source.clone()).collect();
        let (tree, redirects, problems) = assemble(pages);
        self.made = Made::of(&tree, &sources, &redirects, &problems);
        (tree, redirects, problems)
    }
}

impl Made {
    /// What to keep of an assembly of pages from `sources`; `None` when a page is not in the
    /// tree (a folder with two index pages), which is then never kept.
    fn of(
        tree: &Tree,
        sources: &[SourcePath],
        redirects: &[Redirect],
        problems: &[Diagnostic],
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
        })
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
mod tests {
    use super::*;
    use crate::frontmatter::Frontmatter;
    use crate::markdown::{LinkRef, Rendered};
    use crate::paths::SourcePath;
    use crate::site::tests::{page, parts_of, titled};

    /// A body with `html` that links to each of `to`.
    fn body(html: &str, to: &[&str]) -> Rendered {
        Rendered {
            html: html.into(),
            links: to
                .iter()
                .map(|t| LinkRef {
                    target: Some(SourcePath::from_relative(std::path::Path::new(t))),
                    fragment: None,
                    span: 0..0,
                    fill: false,
                })
                .collect(),
            ..Default::default()
        }
    }

    fn tagged(title: &str, tags: &[&str], aliases: &[&str]) -> Frontmatter {
        Frontmatter {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..titled(title)
        }
    }

    fn pages() -> Vec<Page> {
        vec![
            page("guide/_index.md", titled("Guide"), body("g", &[])),
            page(
                "guide/a.md",
                tagged("A", &["t"], &["old-a"]),
                body("a", &["guide/b.md"]),
            ),
            page("guide/b.md", tagged("B", &["t"], &[]), body("b", &[])),
            page("c.md", tagged("C", &["t"], &[]), body("c", &["guide/a.md"])),
        ]
    }

    /// Everything the assembly decides, with each page's body.
    fn describe(site: &Site) -> String {
        let articles: Vec<String> = site
            .articles
            .iter()
            .map(|a| {
                format!(
                    "{} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                    a.page.source,
                    a.title,
                    a.collection,
                    a.prev,
                    a.next,
                    a.backlinks,
                    a.related,
                    a.page.md.html
                )
            })
            .collect();
        let collections: Vec<String> = site
            .collections
            .iter()
            .map(|c| {
                format!(
                    "{} {} {:?} {:?} {:?} {:?} {} {:?}",
                    c.dir,
                    c.url,
                    c.title,
                    c.parent,
                    c.children,
                    c.articles,
                    c.total_articles,
                    c.index.as_ref().map(|p| &p.md.html)
                )
            })
            .collect();
        let redirects: Vec<String> = site
            .redirects
            .iter()
            .map(|r| format!("{} -> {}", r.from, r.to))
            .collect();
        format!(
            "{articles:#?}\n{collections:#?}\n{:?} {:?}\n{redirects:?}",
            site.roots, site.root_articles
        )
    }

    /// Assembles `pages` with `memo` and checks the result against a fresh assembly;
    /// returns whether the memo's last assembly was taken.
    fn assemble(memo: &mut Memo, pages: &[Page]) -> bool {
        let (kept, kept_problems) = memo.site(parts_of(pages.to_vec()));
        let (fresh, fresh_problems) = Site::new(parts_of(pages.to_vec()));
        assert_eq!(describe(&kept), describe(&fresh));
        assert_eq!(kept_problems, fresh_problems);
        memo.reused
    }

    fn with(pages: &[Page], source: &str, edit: impl FnOnce(&mut Page)) -> Vec<Page> {
        let mut pages = pages.to_vec();
        let p = pages
            .iter_mut()
            .find(|p| p.source.as_str() == source)
            .expect("the page");
        edit(p);
        pages
    }

    #[test]
    fn a_body_edit_keeps_the_assembly_and_shows_the_new_body() {
        let mut memo = Memo::default();
        let first = pages();
        assert!(!assemble(&mut memo, &first));
        assert!(assemble(&mut memo, &first));
        let edited = with(&first, "guide/b.md", |p| {
            p.md = Arc::new(body("b, reworded", &[]));
        });
        assert!(assemble(&mut memo, &edited));
        let edited = with(&edited, "guide/_index.md", |p| {
            p.md = Arc::new(body("g, reworded", &[]));
        });
        assert!(assemble(&mut memo, &edited));
        // Text after the frontmatter and the first line is not read.
        let edited = with(&edited, "c.md", |p| p.text = Arc::from("First\nrest\n"));
        assemble(&mut memo, &edited);
        let edited = with(&edited, "c.md", |p| {
            p.text = Arc::from("First\nrest, reworded\n")
        });
        assert!(assemble(&mut memo, &edited));
        let (site, _) = memo.site(parts_of(edited));
        assert_eq!(site.articles[1].page.md.html, "b, reworded");
        assert_eq!(
            site.collections[0]
                .index
                .as_ref()
                .map(|p| p.md.html.as_str()),
            Some("g, reworded")
        );
    }

    #[test]
    fn an_edit_of_anything_the_assembly_reads_assembles_anew() {
        let mut memo = Memo::default();
        let first = pages();
        assemble(&mut memo, &first);
        let edits: Vec<Vec<Page>> = vec![
            with(&first, "guide/b.md", |p| {
                p.fm = Arc::new(tagged("Z", &["t"], &[]))
            }),
            with(&first, "guide/b.md", |p| {
                p.fm = Arc::new(tagged("B", &[], &[]))
            }),
            with(&first, "guide/a.md", |p| {
                p.fm = Arc::new(tagged("A", &["t"], &[]))
            }),
            with(&first, "guide/a.md", |p| p.md = Arc::new(body("a", &[]))),
            with(&first, "guide/a.md", |p| {
                p.md = Arc::new(Rendered {
                    title: Some("From a heading".into()),
                    ..body("a", &["guide/b.md"])
                })
            }),
            with(&first, "c.md", |p| {
                p.url = crate::paths::UrlPath::new("d.html")
            }),
            with(&first, "c.md", |p| p.text = Arc::from("A first line\n")),
            first[..3].to_vec(),
            // A folder with two index pages: one is not in the tree, and nothing is kept.
            [
                first.clone(),
                vec![page("guide/index.md", titled("G"), body("", &[]))],
            ]
            .concat(),
        ];
        for pages in edits {
            assert!(!assemble(&mut memo, &pages));
            // Back to the first pages: assembled anew as well.
            assert!(!assemble(&mut memo, &first));
        }
    }
}
