//! The template context: one `#[derive(Serialize)]` struct per page kind.
//!
//! This file is the contract with theme authors. Every template gets `site`, `root` (the
//! relative prefix back to the site root, `""` or `"../"`...), `kind` and `page`. Every URL in
//! here is relative to the page being rendered, so the output works under any sub-path and
//! opened from disk. Field by field documentation lives in the user guide.
//!
//! A template sees nothing but its context, so a page is a pure function of its template and
//! its context: every struct here is `Hash`, and the build engine renders a page again only
//! when that hash changes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

/// Site-wide values, the same on every page.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct SiteCtx {
    pub title: String,
    pub description: String,
    pub language: String,
    /// Where this language's pages start, from the site root: `""`, or `"de/"` for a
    /// language of `[languages.de]`. Its home is `{{ root }}{{ site.lang_root }}index.html`.
    pub lang_root: String,
    /// The theme's texts in this language, by name (`site.t.on_this_page`).
    pub t: BTreeMap<String, String>,
    /// The same texts as JSON for the theme's scripts, when they are not the English ones.
    pub scripts_t: Option<String>,
    /// Absolute URL of the site when `base-url` is set, ending in `/`.
    pub base_url: Option<String>,
    /// Top-level collections, for the header navigation; empty when there are more than
    /// [`super::NAV_LIMIT`].
    pub nav: Vec<LinkCtx>,
    /// Whether the search index is built.
    pub search: bool,
    /// `[brand] logo` and `favicon`: paths from the site root (put `root` before them).
    pub logo: Option<String>,
    pub favicon: Option<String>,
    /// `[brand] accent`, when set.
    pub accent: Option<AccentCtx>,
    /// Whether any article has tags, so that `tags/index.html` exists.
    pub tags: bool,
}

/// The brand accent of each scheme, and the text colour that reads on it; `#rrggbb`.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct AccentCtx {
    pub light: String,
    pub dark: String,
    pub on_light: String,
    pub on_dark: String,
}

/// A link to another page of the site.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct LinkCtx {
    pub title: String,
    pub url: String,
    pub description: String,
    /// True when the link points at the page being rendered or one of its collections.
    pub current: bool,
}

/// A collection shown as a card.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct CardCtx {
    pub title: String,
    pub url: String,
    pub description: String,
    /// Articles in the collection and below it.
    pub count: usize,
    /// The first few of them, in reading order (at most [`super::pages::CARD_ARTICLES`]).
    pub articles: Vec<LinkCtx>,
}

/// A tag, with the page that lists its articles.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct TagCtx {
    pub name: String,
    pub url: String,
    /// Articles with this tag.
    pub count: usize,
}

/// The list beside an article: the articles of its collection, the current one marked.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct SidebarCtx {
    /// The collection's title and URL.
    pub title: String,
    pub url: String,
    pub articles: Vec<LinkCtx>,
}

/// The [`SiteCtx`] of a page as Tera values, made once for every page of its language with
/// the same header link marked current (Tera's maps and lists are shared, not copied, when a
/// page's context takes them). It hashes as the hash of the `SiteCtx`.
#[derive(Debug, Clone)]
pub struct SiteRef<'a> {
    pub value: &'a tera::Value,
    /// The hash of the `SiteCtx`.
    pub digest: u64,
}

impl Serialize for SiteRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl std::hash::Hash for SiteRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

/// A collection's [`SidebarCtx`], shared by all its articles (they sit in one folder, so its
/// links read the same from each), with the current article marked as it is written out.
/// It hashes as the shared list's hash and the current entry.
#[derive(Debug, Clone)]
pub struct SidebarRef<'a> {
    /// The list with no entry marked current.
    pub list: &'a SidebarCtx,
    /// The list's links as Tera values, made once for the collection: every entry but the
    /// current one goes into a page's context as it is.
    pub values: &'a [tera::Value],
    /// The hash of `list`.
    pub digest: u64,
    /// The entry of the page being rendered.
    pub current: Option<usize>,
}

impl Serialize for SidebarRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SidebarCtx", 3)?;
        st.serialize_field("title", &self.list.title)?;
        st.serialize_field("url", &self.list.url)?;
        st.serialize_field("articles", &Marked(self))?;
        st.end()
    }
}

/// The sidebar's links as a list, the current one marked, without copying them.
struct Marked<'s, 'a>(&'s SidebarRef<'a>);

impl Serialize for Marked<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        let articles = &self.0.list.articles;
        let mut seq = s.serialize_seq(Some(articles.len()))?;
        for (i, l) in articles.iter().enumerate() {
            match self.0.values.get(i) {
                Some(v) if Some(i) != self.0.current => seq.serialize_element(v)?,
                _ => seq.serialize_element(&MarkedLink(l, Some(i) == self.0.current))?,
            }
        }
        return seq.end();

        /// A [`LinkCtx`] as it serializes, with `current` set as given.
        struct MarkedLink<'l>(&'l LinkCtx, bool);
        impl Serialize for MarkedLink<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut st = s.serialize_struct("LinkCtx", 4)?;
                st.serialize_field("title", &self.0.title)?;
                st.serialize_field("url", &self.0.url)?;
                st.serialize_field("description", &self.0.description)?;
                st.serialize_field("current", &self.1)?;
                st.end()
            }
        }
    }
}

impl std::hash::Hash for SidebarRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
        self.current.hash(state);
    }
}

/// One breadcrumb; the last one (the current page) has no URL.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct CrumbCtx {
    pub title: String,
    pub url: Option<String>,
}

/// An entry of the on-page contents.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct TocCtx<'a> {
    pub level: u8,
    pub id: &'a str,
    pub text: &'a str,
    /// Steps of the procedures directly under this heading; 0 for plain sections.
    pub steps: usize,
}

/// A step of the page.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct StepCtx<'a> {
    pub id: &'a str,
    pub number: u64,
    pub text: &'a str,
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize, Hash)]
pub struct HomeCtx {
    pub title: String,
    pub description: String,
    /// The HTML of `content/index.md`'s body.
    pub content: String,
    pub collections: Vec<CardCtx>,
    /// Articles at the content root.
    pub articles: Vec<LinkCtx>,
}

#[derive(Debug, Clone, Serialize, Hash)]
pub struct CollectionCtx {
    pub title: String,
    pub description: String,
    /// The HTML of the collection's `_index.md` body.
    pub content: String,
    pub breadcrumbs: Vec<CrumbCtx>,
    pub collections: Vec<CardCtx>,
    pub articles: Vec<LinkCtx>,
}

/// Borrows what it can from the article: the body's HTML alone is tens of kilobytes.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct ArticleCtx<'a> {
    pub title: &'a str,
    /// Id of the title heading, when the body opened with one.
    pub title_id: Option<&'a str>,
    pub description: &'a str,
    /// The article body as HTML.
    pub content: Cow<'a, str>,
    /// The page's path from the site root, e.g. `write/steps.html`.
    pub path: String,
    /// The Markdown file, relative to the content folder.
    pub source: String,
    /// `YYYY-MM-DD`, and the same date for people ("2 March 2026"): frontmatter `updated`,
    /// else the date of the file's last commit when the site is in a git repository.
    pub updated: Option<&'a str>,
    pub updated_display: Option<String>,
    pub tags: &'a [String],
    /// The tags with their pages, in the same order.
    pub tag_links: Vec<TagCtx>,
    /// `[book] edit-url` with this article's source path in it.
    pub edit_url: Option<String>,
    /// This article as Markdown, next to its HTML.
    pub markdown_url: String,
    /// The articles of its collection; `None` for articles at the content root.
    pub sidebar: Option<SidebarRef<'a>>,
    pub intercom_id: Option<u64>,
    pub breadcrumbs: Vec<CrumbCtx>,
    pub toc: Vec<TocCtx<'a>>,
    pub steps: Vec<StepCtx<'a>>,
    pub prev: Option<LinkCtx>,
    pub next: Option<LinkCtx>,
    /// Articles that link to this one.
    pub backlinks: Vec<LinkCtx>,
    /// Articles that share tags with this one.
    pub related: Vec<LinkCtx>,
    /// Every frontmatter key stepbook does not know.
    pub extra: Extra<'a>,
    /// Old fragments of this article and the ids they lead to now, as JSON safe inside a
    /// `<script>` element; empty when there are none (see `anchors.lock` in the user guide).
    pub anchor_map: &'a str,
}

/// The frontmatter keys stepbook does not know, as written.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct Extra<'a>(pub &'a BTreeMap<String, serde_json::Value>);

impl std::hash::Hash for Extra<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for (k, v) in self.0 {
            k.hash(state);
            v.to_string().hash(state);
        }
    }
}

/// What every page kind shares, around its own `page`.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct PageCtx<'a, P: Serialize + std::hash::Hash> {
    pub site: SiteRef<'a>,
    pub root: String,
    /// `home`, `collection`, `article`, `tag`, `tags` or `404`.
    pub kind: &'static str,
    /// The page's title for `<title>`.
    pub title: String,
    pub description: String,
    /// The page's absolute URL, when `base-url` is set: for the canonical link and Open Graph.
    pub canonical: Option<String>,
    /// The page in every language of the site, this one's first; empty with one language.
    pub alternates: Vec<AlternateCtx>,
    pub page: P,
}

/// The page in one language, for the language switcher and `hreflang` links.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct AlternateCtx {
    /// The BCP 47 tag, for `hreflang` and `lang`.
    pub tag: String,
    /// The language's name in itself (`Deutsch`).
    pub name: String,
    /// The page in that language, relative to this page; its home when the page has no
    /// translation.
    pub url: String,
    /// The absolute URL, when `base-url` is set.
    pub absolute: Option<String>,
    /// Whether the page exists in that language (else `url` is the language's home).
    pub exists: bool,
    pub current: bool,
    /// Whether it is the default language: the `x-default` alternate.
    pub default: bool,
}

/// The 404 page: hosts serve it at any missing address, however deep.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct NotFoundCtx {
    /// The site's root from the domain's: the path part of `base-url`, or `/`. The page's
    /// `<base>` holds it, so `root` is `""` and every link is written from the site root.
    pub base: String,
}

/// A tag's page: `tags/<tag>.html`.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct TagPageCtx {
    pub name: String,
    pub breadcrumbs: Vec<CrumbCtx>,
    pub articles: Vec<LinkCtx>,
}

/// The list of every tag: `tags/index.html`.
#[derive(Debug, Clone, Serialize, Hash)]
pub struct TagsCtx {
    pub breadcrumbs: Vec<CrumbCtx>,
    pub tags: Vec<TagCtx>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(title: &str) -> LinkCtx {
        LinkCtx {
            title: title.into(),
            url: format!("{title}.html"),
            description: format!("About {title}"),
            current: false,
        }
    }

    /// The Tera value of `page.sidebar` in a page's context.
    fn sidebar_value(sidebar: SidebarRef<'_>) -> tera::Value {
        #[derive(Serialize)]
        struct Page<'a> {
            sidebar: SidebarRef<'a>,
        }
        let context = tera::Context::from_serialize(&Page { sidebar }).unwrap();
        context.get("sidebar").unwrap().clone()
    }

    #[test]
    fn a_sidebar_made_of_shared_values_is_the_one_made_afresh_with_its_page_marked() {
        let list = SidebarCtx {
            title: "Billing".into(),
            url: "index.html".into(),
            articles: vec![link("invoices"), link("refunds"), link("taxes")],
        };
        let values: Vec<tera::Value> = list
            .articles
            .iter()
            .map(tera::Value::from_serializable)
            .collect();
        let shared = sidebar_value(SidebarRef {
            list: &list,
            values: &values,
            digest: 0,
            current: Some(1),
        });
        let mut marked = list.clone();
        marked.articles[1].current = true;
        assert_eq!(shared, tera::Value::from_serializable(&marked));
        let fresh = sidebar_value(SidebarRef {
            list: &list,
            values: &[],
            digest: 0,
            current: Some(1),
        });
        assert_eq!(shared, fresh);
        let none = sidebar_value(SidebarRef {
            list: &list,
            values: &values,
            digest: 0,
            current: None,
        });
        assert_eq!(none, tera::Value::from_serializable(&list));
    }

    #[test]
    fn a_shared_site_value_goes_into_a_context_as_it_is() {
        let value = tera::Value::from_serializable(&link("home"));
        let page = PageCtx {
            site: SiteRef {
                value: &value,
                digest: 7,
            },
            root: "../".into(),
            kind: "article",
            title: "Refunds".into(),
            description: String::new(),
            canonical: None,
            alternates: Vec::new(),
            page: link("refunds"),
        };
        let context = tera::Context::from_serialize(&page).unwrap();
        assert_eq!(context.get("site"), Some(&value));
        assert_eq!(
            context.get("page"),
            Some(&tera::Value::from_serializable(&link("refunds")))
        );
        assert_eq!(
            crate::render::key_of(&page.site),
            crate::render::key_of(&7u64)
        );
    }
}
