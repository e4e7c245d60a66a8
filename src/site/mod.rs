//! The site: every page, collection and redirect of one build, assembled once and never
//! changed afterwards.
//!
//! In: the pages, already read and rendered to HTML fragments by [`crate::engine`], and the
//! content folder's other files. Out: a [`Site`] whose collections form a tree, whose articles
//! are ordered and cross-linked, and whose redirects are planned; plus the diagnostics met on
//! the way. Each job has its own module: [`urls`] (where every page and redirect goes),
//! [`tree`] (collections, order, previous and next) and [`xref`] (what pages say about each
//! other: "Linked from", "Related articles", the text of empty links). Nothing here reads
//! files, touches templates or writes output.

pub mod langs;
pub mod memo;
pub mod tree;
pub mod urls;
pub mod xref;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::discover::SourceFile;
use crate::frontmatter::Frontmatter;
use crate::markdown::{self, Rendered};
use crate::paths::{SourcePath, UrlPath};

/// A Markdown file read and its frontmatter parsed: a page before its URL and body are known.
#[derive(Debug, Clone)]
pub struct PageFile {
    pub source: SourcePath,
    pub abs: PathBuf,
    pub text: Arc<str>,
    /// Byte offset of the Markdown body in `text`, after the frontmatter.
    pub body_offset: usize,
    pub fm: Arc<Frontmatter>,
}

/// One Markdown file, read and rendered. Its text, frontmatter and rendered body are shared
/// with the engine's memory of the build, never copied.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: SourcePath,
    pub abs: PathBuf,
    pub text: Arc<str>,
    /// Byte offset of the Markdown body in `text`, after the frontmatter.
    pub body_offset: usize,
    pub fm: Arc<Frontmatter>,
    pub url: UrlPath,
    pub md: Arc<Rendered>,
}

impl Page {
    /// The page of a file at `url`, with its rendered body.
    pub fn new(f: PageFile, url: UrlPath, md: Arc<Rendered>) -> Page {
        Page {
            source: f.source,
            abs: f.abs,
            text: f.text,
            body_offset: f.body_offset,
            fm: f.fm,
            url,
            md,
        }
    }

    /// Frontmatter title, else the leading `#` heading, else the file or folder name.
    pub fn title(&self) -> String {
        self.fm
            .title
            .clone()
            .or_else(|| self.md.title.clone())
            .unwrap_or_else(|| fallback_title(&self.source))
    }
}

/// The file or folder name of a page, made readable: its title when it names none.
pub fn fallback_title(source: &SourcePath) -> String {
    let name = if matches!(source.file_name(), "_index.md" | "index.md") {
        source.dir().rsplit('/').next().unwrap_or("")
    } else {
        source.stem()
    };
    humanize(name)
}

/// Whether the Markdown file is a collection's index (or, at the root, the home page).
pub fn is_index(source: &SourcePath) -> bool {
    matches!(source.file_name(), "_index.md" | "index.md")
}

#[derive(Debug, Clone)]
pub struct Article {
    pub page: Page,
    pub title: String,
    /// Index into [`Site::collections`]; `None` at the content root.
    pub collection: Option<usize>,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    /// Articles that link here ("Linked from"), by title.
    pub backlinks: Vec<usize>,
    /// Articles sharing tags with this one, most shared tags first.
    pub related: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Collection {
    /// Folder relative to the content root, e.g. `write/advanced`.
    pub dir: String,
    pub url: UrlPath,
    pub title: String,
    pub description: String,
    pub order: Option<i64>,
    /// The `_index.md` page, when there is one.
    pub index: Option<Page>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// Articles directly in this collection, in order.
    pub articles: Vec<usize>,
    /// Articles in this collection and all below it.
    pub total_articles: usize,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    /// `content/index.md`, when there is one.
    pub home: Option<Page>,
    pub collections: Vec<Collection>,
    /// Top-level collections, in order.
    pub roots: Vec<usize>,
    /// Shared with the assembly's memory ([`memo`]): an article is copied only when it
    /// changes.
    pub articles: Vec<Arc<Article>>,
    /// Articles at the content root, in order.
    pub root_articles: Vec<usize>,
    /// The content folder's other files, shared with the engine's listing.
    pub assets: Arc<Vec<SourceFile>>,
    /// Old addresses that lead to an article: Intercom URL shapes and `aliases`. Shared with
    /// the assembly's memory ([`memo`]), which keeps them while the pages read the same.
    pub redirects: Arc<Vec<Redirect>>,
    /// Every page's URL and title, which links were resolved against.
    pub table: Arc<markdown::links::PageTable>,
    /// Markdown files that exist but are not pages of this build, with the reason
    /// (`"is a draft"`, `"has errors"`), so links to them are not reported as missing.
    pub unavailable: HashMap<SourcePath, &'static str>,
    /// Each file's last commit date, for articles without `updated` (empty outside git).
    pub git_dates: crate::gitdates::Dates,
    /// Which language this site is: an index into `alternates.langs` (0, the default).
    pub lang: usize,
    /// The languages and where every page is in each.
    pub alternates: Arc<langs::Alternates>,
    /// The site of every other language, for the default language's site (empty for them).
    pub translations: Vec<Site>,
    /// What the anchor record decides: old fragments' maps, the record to write, reports.
    pub anchors: crate::anchors::Plan,
    /// Every page by its Markdown file.
    /// Looked up for every link of every page: hashed with Fx, not SipHash.
    by_source: Arc<rustc_hash::FxHashMap<SourcePath, PageAt>>,
}

/// Where a page sits in the [`Site`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum PageAt {
    Home,
    Index(usize),
    Article(usize),
}

/// A stub page at `from` that sends readers on to an article, fragment kept.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Redirect {
    pub from: UrlPath,
    /// Index into [`Site::articles`].
    pub to: usize,
    pub why: Why,
}

/// What made a [`Redirect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Why {
    /// One of the article's `aliases`.
    Alias,
    /// The article's `intercom_id`.
    IntercomId,
    /// The anchor record: an address the article had before it moved.
    OldAddress,
}

impl Why {
    /// The frontmatter key that asked for the redirect, if one did.
    pub fn key(self) -> Option<&'static str> {
        match self {
            Why::Alias => Some("aliases"),
            Why::IntercomId => Some("intercom_id"),
            Why::OldAddress => None,
        }
    }
}

/// Everything a [`Site`] is made of.
pub struct Parts {
    pub config: Config,
    /// Every page of the build, rendered, in content order.
    pub pages: Vec<Page>,
    pub assets: Arc<Vec<SourceFile>>,
    pub table: Arc<markdown::links::PageTable>,
    pub unavailable: HashMap<SourcePath, &'static str>,
    pub git_dates: crate::gitdates::Dates,
    /// Which language of `alternates` this is.
    pub lang: usize,
    pub alternates: Arc<langs::Alternates>,
    pub translations: Vec<Site>,
    /// The anchor record as this run read it.
    pub anchors: crate::anchors::Recorded,
    /// What the last run's anchor plan kept ([`crate::anchors::Plan::memo`]).
    pub anchor_memo: crate::anchors::Memo,
}

impl Site {
    /// Assembles the site: the collection tree, the order of everything, previous and next,
    /// "Linked from", "Related articles" and the redirects. Problems with redirects are
    /// returned beside it.
    pub fn new(parts: Parts) -> (Site, Vec<Diagnostic>) {
        Site::assemble(parts, &mut memo::Memo::default())
    }

    /// [`Site::new`], taking the tree and redirects from `memo` when the pages have the
    /// shapes of its last run ([`memo`]); `memo` then remembers this run.
    pub fn assemble(parts: Parts, memo: &mut memo::Memo) -> (Site, Vec<Diagnostic>) {
        let Parts {
            config,
            pages,
            assets,
            table,
            unavailable,
            git_dates,
            lang,
            alternates,
            translations,
            anchors,
            anchor_memo,
        } = parts;
        let settings = memo::Settings {
            config: &config,
            lang,
            alternates: &alternates,
        };
        let (tree, mut redirects, mut problems) = memo.assemble(pages, &settings);
        // Old addresses of moved articles redirect too, once every planned redirect is known.
        let (anchors, more) = crate::anchors::plan(crate::anchors::Input {
            tree: &tree,
            redirects: &redirects,
            recorded: anchors,
            memo: anchor_memo,
        });
        problems.extend(more);
        if !anchors.moved.is_empty() {
            Arc::make_mut(&mut redirects).extend(anchors.moved.iter().map(|(from, to)| Redirect {
                from: from.clone(),
                to: *to,
                why: Why::OldAddress,
            }));
        }
        let site = Site {
            config,
            home: tree.home,
            collections: tree.collections,
            roots: tree.roots,
            articles: tree.articles,
            root_articles: tree.root_articles,
            assets,
            redirects,
            table,
            unavailable,
            git_dates,
            lang,
            alternates,
            translations,
            anchors,
            by_source: tree.by_source,
        };
        (site, problems)
    }

    /// Where this language's pages start: `""`, or `"de/"`.
    pub fn lang_root(&self) -> &str {
        self.alternates
            .langs
            .get(self.lang)
            .map_or("", |l| l.root.as_str())
    }

    /// The URL of this language's home page.
    pub fn home_url(&self) -> UrlPath {
        UrlPath::new(format!("{}index.html", self.lang_root()))
    }

    /// This site and the site of every other language.
    pub fn all(&self) -> impl Iterator<Item = &Site> {
        std::iter::once(self).chain(&self.translations)
    }

    /// The chain of collections from the top down to `c`.
    pub fn ancestry(&self, c: usize) -> Vec<usize> {
        let mut chain = vec![c];
        while let Some(p) = self.collections[*chain.last().expect("non-empty")].parent {
            chain.push(p);
        }
        chain.reverse();
        chain
    }

    /// Every page, articles and indexes, for link checking.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.home
            .iter()
            .chain(self.collections.iter().filter_map(|c| c.index.as_ref()))
            .chain(self.articles.iter().map(|a| &a.page))
    }

    /// The article made from the Markdown file `source`.
    pub fn article(&self, source: &SourcePath) -> Option<&Article> {
        match *self.by_source.get(source)? {
            PageAt::Article(i) => Some(&self.articles[i]),
            PageAt::Home | PageAt::Index(_) => None,
        }
    }

    /// The page made from the Markdown file `source`.
    pub fn page(&self, source: &SourcePath) -> Option<&Page> {
        match *self.by_source.get(source)? {
            PageAt::Home => self.home.as_ref(),
            PageAt::Index(i) => self.collections[i].index.as_ref(),
            PageAt::Article(i) => Some(&self.articles[i].page),
        }
    }
}

/// `get-started` -> `Get started`.
pub fn humanize(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::markdown::{Heading, Step};
    use crate::paths::AnchorId;

    /// A page at `source` (`"guide/a.md"`) with the given frontmatter and rendered parts.
    pub fn page(source: &str, fm: Frontmatter, md: Rendered) -> Page {
        let source = SourcePath::from_relative(std::path::Path::new(source));
        let url = if is_index(&source) {
            let dir = source.dir();
            UrlPath::new(if dir.is_empty() {
                "index.html".to_string()
            } else {
                format!("{dir}/index.html")
            })
        } else {
            UrlPath::new(format!(
                "{}{}.html",
                if source.dir().is_empty() {
                    String::new()
                } else {
                    format!("{}/", source.dir())
                },
                source.stem()
            ))
        };
        Page {
            abs: PathBuf::from("/site/content").join(source.as_str()),
            source,
            text: Arc::from(""),
            body_offset: 0,
            fm: Arc::new(fm),
            url,
            md: Arc::new(md),
        }
    }

    pub fn titled(title: &str) -> Frontmatter {
        Frontmatter {
            title: Some(title.to_string()),
            ..Default::default()
        }
    }

    pub fn site_of(pages: Vec<Page>) -> Site {
        Site::new(parts_of(pages)).0
    }

    /// The parts of a site of `pages` under the default config.
    pub fn parts_of(pages: Vec<Page>) -> Parts {
        Parts {
            config: Config::from_source(
                std::path::Path::new("/site"),
                std::path::Path::new("/site/book.toml"),
                "",
            )
            .expect("the defaults are valid"),
            pages,
            assets: Default::default(),
            table: Default::default(),
            unavailable: HashMap::new(),
            git_dates: crate::gitdates::Dates::new(),
            lang: 0,
            alternates: Default::default(),
            translations: Vec::new(),
            anchors: Default::default(),
            anchor_memo: Default::default(),
        }
    }

    #[test]
    fn pages_are_found_by_their_file() {
        let site = site_of(vec![
            page("index.md", titled("Home"), Rendered::default()),
            page("guide/_index.md", titled("Guide"), Rendered::default()),
            page("guide/a.md", titled("A"), Rendered::default()),
        ]);
        let find = |s: &str| {
            site.page(&SourcePath::from_relative(std::path::Path::new(s)))
                .map(|p| p.url.to_string())
        };
        assert_eq!(find("index.md").as_deref(), Some("index.html"));
        assert_eq!(find("guide/_index.md").as_deref(), Some("guide/index.html"));
        assert_eq!(find("guide/a.md").as_deref(), Some("guide/a.html"));
        assert_eq!(find("guide/b.md"), None);
    }

    #[test]
    fn titles_fall_back_to_the_heading_then_the_file_name() {
        let md = Rendered {
            title: Some("From the heading".into()),
            ..Default::default()
        };
        assert_eq!(
            page("a.md", Frontmatter::default(), md.clone()).title(),
            "From the heading"
        );
        assert_eq!(page("a.md", titled("Set"), md).title(), "Set");
        assert_eq!(
            page(
                "reset-your_password.md",
                Frontmatter::default(),
                Rendered::default()
            )
            .title(),
            "Reset your password"
        );
        assert_eq!(
            page(
                "get-started/_index.md",
                Frontmatter::default(),
                Rendered::default()
            )
            .title(),
            "Get started"
        );
    }

    /// A rendered body with one heading holding two steps, for the link-text tests.
    pub fn with_steps() -> Rendered {
        let h = AnchorId::new("set-up");
        Rendered {
            headings: vec![Heading {
                level: 2,
                id: h.clone(),
                text: "Set it up".into(),
                steps: 2,
            }]
            .into(),
            steps: crate::lazy::Lazy::new(
                (1..=2)
                    .map(|n| Step {
                        id: AnchorId::new(format!("set-up-step-{n}")),
                        number: n,
                        text: format!("Do {n}."),
                        depth: 0,
                        heading: Some(h.clone()),
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }
}
