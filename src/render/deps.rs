//! Each page's dependency key: a hash of everything its context reads but its own page,
//! taken from the site's structures without building the context.
//!
//! In: the [`Site`], its [`Facts`] and the render's salt. Out: a key for every [`Job`] of the
//! site. A page's context ([`super::pages`]) is a function of its own page (its text and
//! rendered body), the site-wide values every page shares (the config and theme in the salt,
//! the site context with its navigation and texts), and what it shows of other pages. Each
//! function here mirrors the one that builds a context and hashes what that one reads: the
//! page's path, its place (collection, navigation, breadcrumbs), and the ordered list of the
//! values it shows of other pages: each linked article's URL, title and description, each
//! collection's card and breadcrumb, the sidebar's hash, the tags, the words of links written
//! without text. The list itself is part of the key, so a page gaining or losing a neighbour,
//! a backlink, a related article, a card's article or a tag page's member gets a new key.
//! Values shared by many pages (an article's link, a collection's card) are hashed once.
//!
//! So a page whose own page is the one the last render saw and whose key is one the last
//! render made has the same context: the engine's cutoff (`engine::cutoff`) skips building
//! it. This module must read everything the context builders read: anything they start to
//! read of another page must be hashed here too (the differential tests hold it honest).

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use super::language::alternates;
use super::pages::{self, Facts};
use super::{Job, key_of, llms};
use crate::paths::{SourcePath, UrlPath};
use crate::site::{Page, Site, xref};

/// The shared values of one render, each hashed once.
pub struct Reads<'s> {
    site: &'s Site,
    facts: &'s Facts,
    /// The salt (config, theme) and the site context every page shows.
    base: u64,
    /// By article: what a link to it shows (URL, title, description).
    links: Vec<u64>,
    /// By collection: its breadcrumb (title, URL).
    crumbs: Vec<u64>,
    /// By collection: its card (title, URL, description, count and first articles).
    cards: Vec<u64>,
    /// By tag: its name, page and count.
    tags: Vec<u64>,
    /// By collection: its sidebar (title, URL and each article's link).
    sidebars: Vec<u64>,
}

impl<'s> Reads<'s> {
    /// The values of `site`; with `tables`, every shared value is hashed at once (for the
    /// keys of every page), else each as a key needs it (for the keys of a few).
    pub fn new(site: &'s Site, facts: &'s Facts, salt: u64, tables: bool) -> Reads<'s> {
        let mut reads = Reads {
            site,
            facts,
            base: key_of(&(salt, &facts.site)),
            links: Vec::new(),
            crumbs: Vec::new(),
            cards: Vec::new(),
            tags: Vec::new(),
            sidebars: Vec::new(),
        };
        if tables {
            reads.links = (0..site.articles.len())
                .into_par_iter()
                .map(|a| reads.link(a))
                .collect();
            reads.crumbs = (0..site.collections.len())
                .map(|k| reads.crumb(k))
                .collect();
            reads.cards = (0..site.collections.len()).map(|k| reads.card(k)).collect();
            reads.tags = (0..facts.tags.len()).map(|k| reads.tag(k)).collect();
            reads.sidebars = (0..site.collections.len())
                .map(|k| reads.sidebar(k))
                .collect();
        }
        reads
    }

    /// The hash of the values every page shares: the salt (config, theme) and the site
    /// context. Every key reads it.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// What a link to article `a` shows.
    fn link(&self, a: usize) -> u64 {
        self.links.get(a).copied().unwrap_or_else(|| {
            let a = &self.site.articles[a];
            key_of(&(&a.page.url, &a.title, &a.page.fm.description))
        })
    }

    /// Collection `k` as a breadcrumb.
    fn crumb(&self, k: usize) -> u64 {
        self.crumbs.get(k).copied().unwrap_or_else(|| {
            let c = &self.site.collections[k];
            key_of(&(&c.title, &c.url))
        })
    }

    /// Collection `k` as a card.
    fn card(&self, k: usize) -> u64 {
        self.cards.get(k).copied().unwrap_or_else(|| {
            let c = &self.site.collections[k];
            let mut first = Vec::with_capacity(pages::CARD_ARTICLES);
            pages::subtree_articles(self.site, k, pages::CARD_ARTICLES, &mut first);
            key_of(&(
                &c.title,
                &c.url,
                &c.description,
                c.total_articles,
                Pick(&first, &|a| self.link(a)),
            ))
        })
    }

    /// The sidebar the articles of collection `k` show: its title and URL, and
    /// each article's link. Hashed from the links' values, without making the sidebar.
    fn sidebar(&self, k: usize) -> u64 {
        self.sidebars.get(k).copied().unwrap_or_else(|| {
            let c = &self.site.collections[k];
            key_of(&(&c.title, &c.url, Pick(&c.articles, &|a| self.link(a))))
        })
    }

    /// Tag `k` as an article's tags and the list of tags show it.
    fn tag(&self, k: usize) -> u64 {
        self.tags.get(k).copied().unwrap_or_else(|| {
            let t = &self.facts.tags[k];
            key_of(&(&t.name, &t.url, t.articles.len()))
        })
    }

    /// The dependency key of `job`, whose file is at `path` ([`path`]).
    pub fn key(&self, job: Job, path: &str) -> u64 {
        let (site, facts) = (self.site, self.facts);
        let head = (self.base, path);
        let (link, card, crumb) = (
            |a: usize| self.link(a),
            |k: usize| self.card(k),
            |k: usize| self.crumb(k),
        );
        match job {
            Job::Home => {
                let url = site.home_url();
                key_of(&(
                    head,
                    "home",
                    alternates(site, &url, None),
                    site.home.as_ref().map(|h| (&h.source, Fills(site, h))),
                    Pick(&site.roots, &card),
                    Pick(&site.root_articles, &link),
                ))
            }
            Job::NotFound => key_of(&(
                head,
                "404",
                alternates(site, &UrlPath::new("404.html"), None),
            )),
            Job::Collection(i) => {
                let c = &site.collections[i];
                let index = c.index.as_ref();
                key_of(&(
                    head,
                    "collection",
                    pages::nav_current(site, &facts.site, Some(i)),
                    alternates(site, &c.url, index.map(|p| &p.source)),
                    (&c.title, &c.description),
                    index.map(|p| (&p.source, Fills(site, p))),
                    Pick(&site.ancestry(i), &crumb),
                    Pick(&c.children, &card),
                    Pick(&c.articles, &link),
                ))
            }
            Job::Article(i) => self.article(head, i),
            Job::Markdown(i) => {
                let a = &site.articles[i];
                key_of(&(
                    head,
                    "markdown",
                    (&a.title, &a.page.fm.description, &a.page.url),
                    llms::targets(site, a),
                ))
            }
            Job::Llms => key_of(&(
                head,
                "llms",
                Pick(&site.root_articles, &link),
                &site.roots,
                site.collections
                    .iter()
                    .map(|c| (&c.title, &c.children, Pick(&c.articles, &link)))
                    .collect::<Vec<_>>(),
            )),
            Job::Tags => {
                let url = pages::tags_index(site);
                let tags: Vec<u64> = (0..facts.tags.len()).map(|k| self.tag(k)).collect();
                key_of(&(head, "tags", alternates(site, &url, None), tags))
            }
            Job::Tag(i) => {
                let tag = &facts.tags[i];
                key_of(&(
                    head,
                    "tag",
                    alternates(site, &tag.url, None),
                    &tag.name,
                    Pick(&tag.articles, &link),
                ))
            }
            Job::Redirect(i) => key_of(&(head, "redirect", self.link(site.redirects[i].to))),
        }
    }

    /// An article's page: [`pages::article_ctx`] in its frame.
    fn article(&self, head: (u64, &str), i: usize) -> u64 {
        let (site, facts) = (self.site, self.facts);
        let a = &site.articles[i];
        let page = &a.page;
        let ancestry = a.collection.map(|c| site.ancestry(c)).unwrap_or_default();
        let (link, crumb) = (|a: usize| self.link(a), |k: usize| self.crumb(k));
        key_of(&(
            (head, "article", &page.source, &a.title),
            pages::nav_current(site, &facts.site, a.collection),
            alternates(site, &page.url, Some(&page.source)),
            (Fills(site, page), site.git_dates.get(&page.source)),
            page.fm
                .tags
                .iter()
                .map(|t| facts.tag_index(t).map(|k| self.tag(k)))
                .collect::<Vec<_>>(),
            a.collection.map(|c| {
                (
                    self.sidebar(c),
                    site.collections[c].articles.iter().position(|&k| k == i),
                )
            }),
            Pick(&ancestry, &crumb),
            (a.prev.map(|p| self.link(p)), a.next.map(|n| self.link(n))),
            Pick(&a.backlinks, &link),
            Pick(&a.related, &link),
            site.anchors.maps.get(&page.url),
        ))
    }
}

/// Whether the key of `job` reads nothing of the pages `changed` (their facts) but what
/// every key reads: so for a Markdown copy whose article and link targets are none of them
/// (the copy reads its article's title, description and URL, and each target's URL, title
/// and headings: facts all). Every other job may read any page.
pub fn reads_none_of(site: &Site, job: Job, changed: &[SourcePath]) -> bool {
    let Job::Markdown(i) = job else {
        return false;
    };
    let page = &site.articles[i].page;
    let named = |s: &SourcePath| changed.iter().any(|c| c == s);
    !named(&page.source)
        && (page.md.links.iter()).all(|l| l.target.as_ref().is_none_or(|t| !named(t)))
}

/// The path of `job`'s file.
pub fn path<'s>(site: &'s Site, facts: &'s Facts, job: Job) -> Cow<'s, str> {
    match job {
        Job::Home => Cow::Owned(site.home_url().to_string()),
        Job::NotFound => Cow::Borrowed("404.html"),
        Job::Collection(i) => Cow::Borrowed(site.collections[i].url.as_str()),
        Job::Article(i) => Cow::Borrowed(site.articles[i].page.url.as_str()),
        Job::Markdown(i) => {
            Cow::Owned(pages::markdown_path(&site.articles[i].page.url).to_string())
        }
        Job::Llms => Cow::Borrowed("llms.txt"),
        Job::Tags => Cow::Owned(pages::tags_index(site).to_string()),
        Job::Tag(i) => Cow::Borrowed(facts.tags[i].url.as_str()),
        Job::Redirect(i) => Cow::Borrowed(site.redirects[i].from.as_str()),
    }
}

/// The page `job`'s file is made from, when it has one: the rest of its key reads the
/// others.
pub fn own_page(site: &Site, job: Job) -> Option<&Page> {
    match job {
        Job::Home => site.home.as_ref(),
        Job::Collection(i) => site.collections[i].index.as_ref(),
        Job::Article(i) | Job::Markdown(i) => Some(&site.articles[i].page),
        Job::NotFound | Job::Llms | Job::Tags | Job::Tag(_) | Job::Redirect(_) => None,
    }
}

/// Hashes as the list of `f(i)` for each index `i`, without collecting it.
struct Pick<'a>(&'a [usize], &'a dyn Fn(usize) -> u64);

impl Hash for Pick<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        for &i in self.0 {
            state.write_u64((self.1)(i));
        }
    }
}

/// The words a page's links written without text take from what they point at
/// ([`xref::fills`], which the page's body is filled with).
struct Fills<'a>(&'a Site, &'a Page);

impl Hash for Fills<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut count = 0;
        for fill in xref::fills(self.0, self.1) {
            fill.hash(state);
            count += 1;
        }
        state.write_usize(count);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;
    use std::sync::Mutex;

    use super::*;
    use crate::engine::{Engine, Loaded, Options};
    use crate::render::{OutFile, Sink, render_each, work};

    /// Every page's dependency key and context key, by path, and the site they are of.
    struct Snapshot {
        deps: BTreeMap<String, u64>,
        keys: BTreeMap<String, u64>,
        loaded: Loaded,
    }

    /// Notes each page's key and wants none of them.
    struct Keys(Mutex<BTreeMap<String, u64>>);

    impl Sink for Keys {
        fn wants(&self, path: &str, key: u64) -> bool {
            self.0.lock().unwrap().insert(path.to_string(), key);
            false
        }
        fn put(&self, _: OutFile, _: u64) -> Result<(), crate::diagnostics::Diagnostic> {
            unreachable!("no file is wanted")
        }
        fn copy_key(&self, _: &Path) -> u64 {
            0
        }
    }

    fn snapshot(engine: &mut Engine) -> Snapshot {
        let (loaded, diags) = engine.load();
        let loaded = loaded.unwrap_or_else(|| panic!("the site loads: {diags:?}"));
        let (site, theme) = (&loaded.site, &loaded.theme);
        let facts = Facts::new(site);
        let salt = key_of(&(7u64, theme.fingerprint));
        let reads = Reads::new(site, &facts, salt, true);
        let lazy = Reads::new(site, &facts, salt, false);
        let deps = work(site, &facts, theme)
            .0
            .into_iter()
            .map(|job| {
                let path = path(site, &facts, job).into_owned();
                let key = reads.key(job, &path);
                assert_eq!(key, lazy.key(job, &path), "{path}: tables or not");
                (path, key)
            })
            .collect();
        let keys = Keys(Mutex::new(BTreeMap::new()));
        render_each(site, theme, 7, &keys, None).unwrap();
        let keys = keys.0.into_inner().unwrap();
        drop(facts);
        Snapshot { deps, keys, loaded }
    }

    /// The paths whose contexts a render after `before` builds: those whose own page is not
    /// the one of `before` or whose dependency key differs, and those gone. It checks that
    /// every other page has the same context key.
    fn reached(before: &Snapshot, after: &Snapshot) -> BTreeSet<String> {
        let site = &after.loaded.site;
        let facts = Facts::new(site);
        let was = &before.loaded.site;
        let mut built = BTreeSet::new();
        for job in work(site, &facts, &after.loaded.theme).0 {
            let path = path(site, &facts, job).into_owned();
            let own_same = own_page(site, job).is_none_or(|p| {
                was.page(&p.source).is_some_and(|q| {
                    std::sync::Arc::ptr_eq(&p.md, &q.md) && std::sync::Arc::ptr_eq(&p.text, &q.text)
                })
            });
            if own_same && before.deps.get(&path) == after.deps.get(&path) {
                assert_eq!(
                    before.keys.get(&path),
                    after.keys.get(&path),
                    "{path}: same dependencies, another context"
                );
            } else {
                built.insert(path);
            }
        }
        let gone = before.deps.keys().filter(|p| !after.deps.contains_key(*p));
        built.extend(gone.cloned());
        built
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A guide of three articles with a tag in common, an article elsewhere that fills a
    /// link's words from one of them, and one at the root.
    fn site(root: &Path) {
        write(
            root,
            "content/index.md",
            "---\ntitle: Home\n---\nWelcome.\n",
        );
        write(
            root,
            "content/guide/_index.md",
            "---\ntitle: Guide\n---\nAll of it.\n",
        );
        write(
            root,
            "content/guide/a.md",
            "---\ntitle: A\ntags: [x]\n---\nSee [the next one](b.md).\n",
        );
        write(
            root,
            "content/guide/b.md",
            "---\ntitle: B\ntags: [x]\n---\n## Set up {#set-up}\n\nText.\n",
        );
        write(root, "content/guide/c.md", "---\ntitle: C\n---\nText.\n");
        write(
            root,
            "content/other/d.md",
            "---\ntitle: D\n---\nRead [](../guide/b.md#set-up).\n",
        );
        write(root, "content/other/e.md", "---\ntitle: E\n---\nText.\n");
        write(root, "content/root.md", "---\ntitle: Root\n---\nText.\n");
    }

    fn edit(root: &Path, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(root.join(rel)).unwrap();
        assert!(text.contains(from), "{rel} holds {from:?}");
        write(root, rel, &text.replacen(from, to, 1));
    }

    /// Builds the site, makes `change`, and returns the paths whose keys changed.
    fn after(change: impl FnOnce(&Path)) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        site(root);
        let mut engine = Engine::new(root, Options::default());
        let before = snapshot(&mut engine);
        change(root);
        let after = snapshot(&mut engine);
        reached(&before, &after).into_iter().collect()
    }

    #[test]
    fn a_body_edit_reaches_no_other_page() {
        let paths = after(|root| edit(root, "content/guide/c.md", "Text.", "More text."));
        assert_eq!(paths, ["guide/c.html", "guide/c.md"]);
    }

    #[test]
    fn a_title_reaches_the_pages_that_show_it() {
        let paths = after(|root| edit(root, "content/guide/b.md", "title: B", "title: Bee"));
        assert_eq!(
            paths,
            [
                // Its sidebar siblings, previous and next, and the one related by its tag.
                "guide/a.html",
                "guide/b.html",
                "guide/b.md",
                "guide/c.html",
                // The collection's list, and the home page's card of it.
                "guide/index.html",
                "index.html",
                "llms.txt",
                // It fills the words of a link to it in a Markdown copy (the page shows the
                // heading the link names).
                "other/d.md",
                "tags/x.html",
            ]
        );
    }

    #[test]
    fn a_heading_reaches_the_links_that_take_their_words_from_it() {
        let paths = after(|root| edit(root, "content/guide/b.md", "## Set up", "## Set it up"));
        // Its own page, and the page and Markdown copy with a link written without words.
        assert_eq!(
            paths,
            ["guide/b.html", "guide/b.md", "other/d.html", "other/d.md"]
        );
    }

    #[test]
    fn a_description_reaches_the_lists_that_show_it() {
        let paths = after(|root| {
            edit(
                root,
                "content/other/e.md",
                "title: E",
                "title: E\ndescription: Eee",
            )
        });
        assert_eq!(
            paths,
            [
                "index.html",
                "llms.txt",
                "other/d.html",
                "other/e.html",
                "other/e.md",
                "other/index.html"
            ]
        );
    }

    #[test]
    fn a_new_tag_reaches_its_pages_and_the_articles_that_share_it() {
        let paths = after(|root| {
            edit(
                root,
                "content/guide/c.md",
                "title: C",
                "title: C\ntags: [x, y]",
            )
        });
        assert_eq!(
            paths,
            [
                // Now related to the others of tag x.
                "guide/a.html",
                "guide/b.html",
                "guide/c.html",
                "guide/c.md",
                "tags/index.html",
                "tags/x.html",
                "tags/y.html",
            ]
        );
    }

    #[test]
    fn a_new_article_reaches_its_collection() {
        let paths = after(|root| write(root, "content/other/f.md", "---\ntitle: F\n---\nNew.\n"));
        assert_eq!(
            paths,
            [
                "index.html",
                "llms.txt",
                "other/d.html",
                "other/e.html",
                "other/f.html",
                "other/f.md",
                "other/index.html",
            ]
        );
    }

    #[test]
    fn a_deleted_article_reaches_its_collection_and_its_neighbours() {
        let paths = after(|root| std::fs::remove_file(root.join("content/other/e.md")).unwrap());
        assert_eq!(
            paths,
            [
                "index.html",
                "llms.txt",
                "other/d.html",
                "other/e.html",
                "other/e.md",
                "other/index.html",
            ]
        );
    }

    #[test]
    fn a_renamed_article_reaches_both_of_its_places() {
        let paths = after(|root| {
            std::fs::rename(
                root.join("content/other/e.md"),
                root.join("content/guide/e.md"),
            )
            .unwrap()
        });
        assert_eq!(
            paths,
            [
                "guide/a.html",
                "guide/b.html",
                "guide/c.html",
                "guide/e.html",
                "guide/e.md",
                "guide/index.html",
                "index.html",
                "llms.txt",
                "other/d.html",
                "other/e.html",
                "other/e.md",
                "other/index.html",
            ]
        );
    }

    #[test]
    fn a_new_link_reaches_its_target_through_the_backlinks() {
        let paths = after(|root| {
            edit(
                root,
                "content/other/e.md",
                "Text.",
                "See [C](../guide/c.md).",
            )
        });
        // The page edited, and the one it now links to.
        assert_eq!(paths, ["guide/c.html", "other/e.html", "other/e.md"]);
    }
}
