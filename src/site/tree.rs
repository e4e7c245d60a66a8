//! The collection tree: every folder of the content folder is a collection, collections
//! nest, and articles and collections are ordered by `order`, then by title. Reading order
//! (a collection's own articles, then its sub-collections, depth first) chains previous and
//! next.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Article, Collection, Page, PageAt, humanize, is_index, xref};
use crate::paths::SourcePath;

/// The pages arranged: what [`super::Site`] holds besides its config, assets and tables.
/// Its articles are shared: a copy of the tree shares them, and an article is copied only
/// when it is changed.
#[derive(Clone)]
pub struct Tree {
    pub home: Option<Page>,
    pub collections: Vec<Collection>,
    pub roots: Vec<usize>,
    pub articles: Vec<Arc<Article>>,
    pub root_articles: Vec<usize>,
    /// Every page by its Markdown file.
    pub(super) by_source: Arc<FxHashMap<SourcePath, PageAt>>,
}

/// Builds the collection tree, orders everything, links previous and next, and fills every
/// article's "Linked from" and "Related articles".
pub fn assemble(pages: Vec<Page>) -> Tree {
    assemble_in(pages, "")
}

/// [`assemble`] for a language whose pages live under `lang_root` (`"de/"`).
pub fn assemble_in(pages: Vec<Page>, lang_root: &str) -> Tree {
    let mut tree = arrange_in(pages, lang_root);
    xref::link_backlinks(&mut tree.articles);
    xref::link_related(&mut tree.articles);
    tree
}

/// [`assemble_in`] without "Linked from" and "Related articles", which are left empty.
pub fn arrange_in(pages: Vec<Page>, lang_root: &str) -> Tree {
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let mut home = None;
    let mut indexes: BTreeMap<String, Page> = BTreeMap::new();
    let mut articles: Vec<Article> = Vec::with_capacity(pages.len());
    for p in pages {
        let mut d = p.source.dir();
        while !d.is_empty() && !dirs.contains(d) {
            dirs.insert(d.to_string());
            d = d.rsplit_once('/').map(|(a, _)| a).unwrap_or("");
        }
        if is_index(&p.source) {
            match p.source.dir() {
                "" => home = Some(p),
                dir => {
                    indexes.insert(dir.to_string(), p);
                }
            }
        } else {
            let title = p.title();
            articles.push(Article {
                page: p,
                title,
                collection: None,
                prev: None,
                next: None,
                backlinks: Vec::new(),
                related: Vec::new(),
            });
        }
    }
    let mut collections: Vec<Collection> = dirs
        .iter()
        .map(|dir| collection(dir, lang_root, indexes.remove(dir)))
        .collect();
    let by_dir: HashMap<&str, usize> = collections
        .iter()
        .enumerate()
        .map(|(i, c)| (c.dir.as_str(), i))
        .collect();
    let parents: Vec<Option<usize>> = collections
        .iter()
        .map(|c| {
            let (parent, _) = c.dir.rsplit_once('/')?;
            by_dir.get(parent).copied()
        })
        .collect();
    let homes: Vec<Option<usize>> = articles
        .iter()
        .map(|a| by_dir.get(a.page.source.dir()).copied())
        .collect();
    drop(by_dir);
    for (c, parent) in collections.iter_mut().zip(parents) {
        c.parent = parent;
    }
    let mut root_articles = Vec::new();
    for (i, (a, home)) in articles.iter_mut().zip(homes).enumerate() {
        a.collection = home;
        match a.collection {
            Some(c) => collections[c].articles.push(i),
            None => root_articles.push(i),
        }
    }
    let article_order = |x: &usize, y: &usize| {
        let (x, y) = (&articles[*x], &articles[*y]);
        let order = |a: &Article| a.page.fm.order.unwrap_or(i64::MAX);
        (order(x).cmp(&order(y))).then_with(|| cmp_lowercase(&x.title, &y.title))
    };
    root_articles.sort_by(article_order);
    for c in &mut collections {
        c.articles.sort_by(article_order);
    }
    let roots = order_collections(&mut collections);
    let mut reading = root_articles.clone();
    for &r in &roots {
        reading_order(&collections, r, &mut reading);
    }
    for w in reading.windows(2) {
        articles[w[0]].next = Some(w[1]);
        articles[w[1]].prev = Some(w[0]);
    }
    let by_source = Arc::new(by_source(&home, &collections, &articles));
    Tree {
        home,
        collections,
        roots,
        articles: articles.into_iter().map(Arc::new).collect(),
        root_articles,
        by_source,
    }
}

/// Where each page sits, by its Markdown file.
fn by_source(
    home: &Option<Page>,
    collections: &[Collection],
    articles: &[Article],
) -> FxHashMap<SourcePath, PageAt> {
    let len = articles.len() + collections.len() + 1;
    let mut by_source = FxHashMap::with_capacity_and_hasher(len, Default::default());
    if let Some(h) = home {
        by_source.insert(h.source.clone(), PageAt::Home);
    }
    for (i, c) in collections.iter().enumerate() {
        if let Some(p) = &c.index {
            by_source.insert(p.source.clone(), PageAt::Index(i));
        }
    }
    for (i, a) in articles.iter().enumerate() {
        by_source.insert(a.page.source.clone(), PageAt::Article(i));
    }
    by_source
}

/// How `a` and `b` compare in lower case, as their `to_lowercase` would, without copying
/// them when they are ASCII.
fn cmp_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    match a.is_ascii() && b.is_ascii() {
        true => (a.bytes().map(|c| c.to_ascii_lowercase()))
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase())),
        false => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

/// The collection of the folder `dir`, titled by its index page or its folder name.
fn collection(dir: &str, lang_root: &str, index: Option<Page>) -> Collection {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    Collection {
        dir: dir.to_string(),
        url: crate::paths::UrlPath::new(format!("{lang_root}{dir}/index.html")),
        title: index
            .as_ref()
            .map(Page::title)
            .unwrap_or_else(|| humanize(name)),
        description: index
            .as_ref()
            .and_then(|i| i.fm.description.clone())
            .unwrap_or_default(),
        order: index.as_ref().and_then(|i| i.fm.order),
        index,
        parent: None,
        children: Vec::new(),
        articles: Vec::new(),
        total_articles: 0,
    }
}

/// Gives every collection its ordered children and article count; returns the top-level
/// collections in order.
fn order_collections(collections: &mut [Collection]) -> Vec<usize> {
    let mut roots: Vec<usize> = (0..collections.len())
        .filter(|&i| collections[i].parent.is_none())
        .collect();
    for i in 0..collections.len() {
        if let Some(p) = collections[i].parent {
            collections[p].children.push(i);
        }
    }
    let key =
        |c: &[Collection], i: usize| (c[i].order.unwrap_or(i64::MAX), c[i].title.to_lowercase());
    roots.sort_by_key(|&i| key(collections, i));
    for i in 0..collections.len() {
        let mut kids = std::mem::take(&mut collections[i].children);
        kids.sort_by_key(|&k| key(collections, k));
        collections[i].children = kids;
    }
    // Folders sort before their sub-folders, so children come after their parents.
    for i in (0..collections.len()).rev() {
        let total = collections[i].articles.len()
            + collections[i]
                .children
                .iter()
                .map(|&k| collections[k].total_articles)
                .sum::<usize>();
        collections[i].total_articles = total;
    }
    roots
}

/// Depth first: a collection's own articles, then its sub-collections.
fn reading_order(collections: &[Collection], c: usize, out: &mut Vec<usize>) {
    out.extend(&collections[c].articles);
    for &k in &collections[c].children {
        reading_order(collections, k, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::Frontmatter;
    use crate::markdown::Rendered;
    use crate::site::tests::{page, titled};

    fn ordered(title: &str, order: i64) -> Frontmatter {
        Frontmatter {
            order: Some(order),
            ..titled(title)
        }
    }

    fn tree() -> Tree {
        assemble(vec![
            page("index.md", titled("Home"), Rendered::default()),
            page("top.md", titled("Top"), Rendered::default()),
            page("b/_index.md", ordered("Bee", 1), Rendered::default()),
            page("b/z.md", titled("Zed"), Rendered::default()),
            page("b/y.md", ordered("Why", 1), Rendered::default()),
            page("a/deep/d.md", titled("Deep"), Rendered::default()),
            page("a/x.md", titled("Ex"), Rendered::default()),
        ])
    }

    #[test]
    fn folders_nest_and_sort_by_order_then_title() {
        let t = tree();
        let dirs: Vec<&str> = t.collections.iter().map(|c| c.dir.as_str()).collect();
        assert_eq!(dirs, ["a", "a/deep", "b"]);
        let roots: Vec<&str> = t
            .roots
            .iter()
            .map(|&r| t.collections[r].title.as_str())
            .collect();
        assert_eq!(roots, ["Bee", "A"]);
        assert_eq!(t.collections[1].parent, Some(0));
        assert_eq!(t.collections[0].children, [1]);
        assert_eq!(t.collections[0].total_articles, 2);
        let in_b: Vec<&str> = t.collections[2]
            .articles
            .iter()
            .map(|&i| t.articles[i].title.as_str())
            .collect();
        assert_eq!(in_b, ["Why", "Zed"]);
        assert_eq!(t.home.as_ref().map(|h| h.title()).as_deref(), Some("Home"));
        assert_eq!(
            t.collections[2]
                .index
                .as_ref()
                .map(|p| p.title())
                .as_deref(),
            Some("Bee")
        );
    }

    #[test]
    fn titles_compare_as_their_lower_case_does() {
        let titles = [
            "apple", "Apple", "B", "a", "", "a b", "Éclair", "éclair", "Zed", "ΣΑΣ", "σας", "İ",
        ];
        for x in titles {
            for y in titles {
                let lower = x.to_lowercase().cmp(&y.to_lowercase());
                assert_eq!(cmp_lowercase(x, y), lower, "{x:?} against {y:?}");
            }
        }
    }

    #[test]
    fn previous_and_next_follow_reading_order() {
        let t = tree();
        let mut order = Vec::new();
        let mut at = t.root_articles.first().copied();
        while let Some(i) = at {
            order.push(t.articles[i].title.as_str());
            at = t.articles[i].next;
        }
        assert_eq!(order, ["Top", "Why", "Zed", "Ex", "Deep"]);
        let first = t.root_articles[0];
        assert_eq!(t.articles[first].prev, None);
    }
}
