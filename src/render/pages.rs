//! Each page's template context, built from the [`Site`] in one place.
//!
//! In: the loaded site. Out: the `*Ctx` values of [`super::context`]. What a page takes from
//! other pages (titles, URLs, the articles of a collection, tags, previous/next) is read here
//! from the site's structures, never inside templates and never from disk. [`Facts`] holds
//! what every page shares, computed once per render. Whatever a context reads of another
//! page is hashed into the page's dependency key by [`super::deps`] too, which mirrors
//! these functions.

use std::collections::{BTreeMap, HashMap};

use super::context::*;
use super::language::{body, strings_of, text};
use super::strings;
use crate::paths::UrlPath;
use crate::site::{Article, Collection, Site};

/// The most top-level collections the header lists. A site with more of them lists none
/// there: a header of dozens of links helps no one, and it would repeat on every page (the
/// home page shows them all as cards).
pub const NAV_LIMIT: usize = 8;

/// How many of its first articles a collection's card lists.
pub const CARD_ARTICLES: usize = 3;

/// A tag and the articles that carry it, in reading order.
pub struct Tag {
    pub name: String,
    pub url: UrlPath,
    pub articles: Vec<usize>,
}

/// What every page's context shares, computed once per render.
pub struct Facts {
    pub site: SiteCtx,
    /// Every tag, by its URL slug; tags whose slugs agree are one tag, named as first seen.
    pub tags: Vec<Tag>,
    /// Each collection's sidebar, its hash and its links as Tera values, by collection, made
    /// when first asked for.
    sidebars: Vec<std::sync::OnceLock<(SidebarCtx, u64, Vec<tera::Value>)>>,
    /// Where each tag is in `tags`, by its URL.
    by_url: HashMap<UrlPath, usize>,
}

impl Facts {
    pub fn new(site: &Site) -> Facts {
        let tags = tags(site);
        Facts {
            site: site_ctx(site, !tags.is_empty()),
            by_url: tags
                .iter()
                .enumerate()
                .map(|(i, t)| (t.url.clone(), i))
                .collect(),
            tags,
            sidebars: site
                .collections
                .iter()
                .map(|_| Default::default())
                .collect(),
        }
    }

    /// The sidebar of collection `c` of `site` (the site these facts are of), its hash and its
    /// links as Tera values.
    pub fn sidebar(&self, site: &Site, c: usize) -> &(SidebarCtx, u64, Vec<tera::Value>) {
        self.sidebars[c].get_or_init(|| {
            let col = &site.collections[c];
            let list = sidebar(site, &col.url, col);
            let digest = super::key_of(&list);
            // Strings, numbers and booleans: Tera takes them without fail.
            let values = list
                .articles
                .iter()
                .map(tera::Value::from_serializable)
                .collect();
            (list, digest, values)
        })
    }

    fn tag(&self, name: &str) -> Option<&Tag> {
        self.tag_index(name).map(|i| &self.tags[i])
    }

    /// Where the tag `name` is in `tags`.
    pub fn tag_index(&self, name: &str) -> Option<usize> {
        let url = tag_url(&self.site.lang_root, name);
        self.by_url.get(&url).copied()
    }

    /// The texts a page's body is shown in, when they are not the English ones.
    pub fn body_texts(&self) -> Option<&BTreeMap<String, String>> {
        self.site.scripts_t.is_some().then_some(&self.site.t)
    }
}

/// The URL of every tag's page.
pub fn tag_urls(site: &Site) -> Vec<UrlPath> {
    tags(site).into_iter().map(|t| t.url).collect()
}

/// Pages a render makes: home, 404, every collection and article, and the tag pages.
pub fn page_count(site: &Site) -> usize {
    site.all()
        .map(|s| {
            let tags = tags(s).len();
            let tag_pages = if tags == 0 { 0 } else { tags + 1 };
            // The 404 page is the default language's alone.
            let not_found = usize::from(s.lang == 0);
            s.articles.len() + s.collections.len() + 1 + not_found + tag_pages
        })
        .sum()
}

fn tag_url(lang_root: &str, name: &str) -> UrlPath {
    let slug = crate::markdown::ids::github_slug(name);
    let slug = match slug.as_str() {
        "" => "tag".to_string(),
        "index" => "tag-index".to_string(),
        _ => slug,
    };
    UrlPath::new(format!("{lang_root}tags/{slug}.html"))
}

fn tags(site: &Site) -> Vec<Tag> {
    let mut tags: Vec<Tag> = Vec::new();
    let mut by_url: HashMap<UrlPath, usize> = HashMap::new();
    // Each name's URL is made once: names repeat across thousands of articles.
    let mut by_name: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for &i in &reading_order(site) {
        for name in &site.articles[i].page.fm.tags {
            let t = *by_name.entry(name).or_insert_with(|| {
                let url = tag_url(site.lang_root(), name);
                *by_url.entry(url.clone()).or_insert_with(|| {
                    tags.push(Tag {
                        name: name.clone(),
                        url,
                        articles: Vec::new(),
                    });
                    tags.len() - 1
                })
            });
            let tag = &mut tags[t];
            if tag.articles.last() != Some(&i) {
                tag.articles.push(i);
            }
        }
    }
    // By name, ties by URL (each tag has its own).
    tags.sort_unstable_by(|a, b| a.url.cmp(&b.url));
    tags.sort_by_key(|t| t.name.to_lowercase());
    tags
}

/// Every article in the order a reader meets them: root articles, then each collection
/// depth first.
fn reading_order(site: &Site) -> Vec<usize> {
    let mut out = site.root_articles.clone();
    for &r in &site.roots {
        subtree_articles(site, r, usize::MAX, &mut out);
    }
    out
}

/// The articles of collection `c` and of its sub-collections, in reading order, until `out`
/// holds `limit`.
pub fn subtree_articles(site: &Site, c: usize, limit: usize, out: &mut Vec<usize>) {
    let col = &site.collections[c];
    for &a in &col.articles {
        if out.len() >= limit {
            return;
        }
        out.push(a);
    }
    for &k in &col.children {
        subtree_articles(site, k, limit, out);
    }
}

fn site_ctx(site: &Site, has_tags: bool) -> SiteCtx {
    let brand = &site.config.brand;
    let t = strings::for_language(&site.config.language, strings_of(site));
    SiteCtx {
        title: site.config.title.clone(),
        description: site.config.description.clone(),
        language: site.config.language.clone(),
        lang_root: site.lang_root().to_string(),
        scripts_t: strings::scripts_need(&site.config.language, strings_of(site)).then(|| {
            serde_json::to_string(&t)
                .unwrap_or_default()
                .replace('<', "\\u003c")
        }),
        t,
        base_url: site.config.base_url.clone(),
        nav: site
            .roots
            .iter()
            .take(if site.roots.len() <= NAV_LIMIT {
                NAV_LIMIT
            } else {
                0
            })
            .map(|&r| {
                let c = &site.collections[r];
                LinkCtx {
                    title: c.title.clone(),
                    url: c.url.to_string(),
                    description: c.description.clone(),
                    current: false,
                }
            })
            .collect(),
        search: site.config.search,
        logo: brand.logo.clone(),
        favicon: brand.favicon.clone(),
        accent: brand.accent.map(|(light, dark)| AccentCtx {
            light: light.hex(),
            dark: dark.hex(),
            on_light: light.text_on().hex(),
            on_dark: dark.text_on().hex(),
        }),
        tags: has_tags,
    }
}

/// The site context with header link `current` ([`nav_current`]) marked current.
pub fn nav_for(base: &SiteCtx, current: Option<usize>) -> std::borrow::Cow<'_, SiteCtx> {
    match current {
        Some(pos) => {
            let mut owned = base.clone();
            owned.nav[pos].current = true;
            std::borrow::Cow::Owned(owned)
        }
        None => std::borrow::Cow::Borrowed(base),
    }
}

/// Which header link is current for a page in `collection`: its top-level collection's.
pub fn nav_current(site: &Site, base: &SiteCtx, collection: Option<usize>) -> Option<usize> {
    let top = collection.and_then(|c| site.ancestry(c).first().copied());
    top.and_then(|t| site.roots.iter().position(|&r| r == t))
        .filter(|&pos| pos < base.nav.len())
}

fn card(site: &Site, from: &UrlPath, c: usize) -> CardCtx {
    let col = &site.collections[c];
    let mut first = Vec::with_capacity(CARD_ARTICLES);
    subtree_articles(site, c, CARD_ARTICLES, &mut first);
    CardCtx {
        title: col.title.clone(),
        url: from.href_to(&col.url),
        description: col.description.clone(),
        count: col.total_articles,
        articles: first
            .iter()
            .map(|&a| article_link(from, &site.articles[a]))
            .collect(),
    }
}

fn article_link(from: &UrlPath, a: &Article) -> LinkCtx {
    LinkCtx {
        title: a.title.clone(),
        url: from.href_to(&a.page.url),
        description: a.page.fm.description.clone().unwrap_or_default(),
        current: false,
    }
}

pub fn home_ctx(site: &Site, facts: &Facts, url: &UrlPath) -> HomeCtx {
    let home = site.home.as_ref();
    HomeCtx {
        title: home
            .and_then(|h| h.fm.title.clone().or_else(|| h.md.title.clone()))
            .unwrap_or_else(|| site.config.title.clone()),
        description: home
            .and_then(|h| h.fm.description.clone())
            .unwrap_or_else(|| site.config.description.clone()),
        content: home
            .map(|h| body(site, facts.body_texts(), h).into_owned())
            .unwrap_or_default(),
        collections: site.roots.iter().map(|&r| card(site, url, r)).collect(),
        articles: site
            .root_articles
            .iter()
            .map(|&i| article_link(url, &site.articles[i]))
            .collect(),
    }
}

fn crumbs(
    site: &Site,
    from: &UrlPath,
    collection: Option<usize>,
    current: Option<&str>,
) -> Vec<CrumbCtx> {
    let mut out = vec![CrumbCtx {
        title: text(site, "home"),
        url: Some(from.href_to(&site.home_url())),
    }];
    if let Some(c) = collection {
        for k in site.ancestry(c) {
            let col = &site.collections[k];
            out.push(CrumbCtx {
                title: col.title.clone(),
                url: Some(from.href_to(&col.url)),
            });
        }
    }
    match current {
        Some(t) => out.push(CrumbCtx {
            title: t.to_string(),
            url: None,
        }),
        None => {
            if let Some(last) = out.last_mut() {
                last.url = None;
            }
        }
    }
    out
}

pub fn collection_ctx(site: &Site, facts: &Facts, i: usize) -> CollectionCtx {
    let c = &site.collections[i];
    CollectionCtx {
        title: c.title.clone(),
        description: c.description.clone(),
        content: c
            .index
            .as_ref()
            .map(|p| body(site, facts.body_texts(), p).into_owned())
            .unwrap_or_default(),
        breadcrumbs: crumbs(site, &c.url, Some(i), None),
        collections: c.children.iter().map(|&k| card(site, &c.url, k)).collect(),
        articles: c
            .articles
            .iter()
            .map(|&a| article_link(&c.url, &site.articles[a]))
            .collect(),
    }
}

/// The sidebar of collection `c` as its articles show it (they sit in its folder), with no
/// entry marked current.
fn sidebar(site: &Site, from: &UrlPath, c: &Collection) -> SidebarCtx {
    SidebarCtx {
        title: c.title.clone(),
        url: from.href_to(&c.url),
        articles: c
            .articles
            .iter()
            .map(|&i| {
                let a = &site.articles[i];
                article_link(from, a)
            })
            .collect(),
    }
}

/// The Markdown copy of an article, next to its HTML: `write/steps.md`.
pub fn markdown_path(url: &UrlPath) -> UrlPath {
    let s = url.as_str();
    UrlPath::new(format!("{}.md", s.strip_suffix(".html").unwrap_or(s)))
}

pub fn article_ctx<'a>(site: &'a Site, facts: &'a Facts, a: &'a Article) -> ArticleCtx<'a> {
    let url = &a.page.url;
    let md = &a.page.md;
    let updated = a
        .page
        .fm
        .updated
        .as_deref()
        .or_else(|| site.git_dates.get(&a.page.source).map(String::as_str));
    ArticleCtx {
        title: &a.title,
        title_id: md.title_id.as_ref().map(|i| i.as_str()),
        description: a.page.fm.description.as_deref().unwrap_or_default(),
        content: body(site, facts.body_texts(), &a.page),
        path: url.to_string(),
        source: a.page.source.to_string(),
        updated,
        updated_display: updated.map(super::display_date),
        tags: &a.page.fm.tags,
        tag_links: a
            .page
            .fm
            .tags
            .iter()
            .filter_map(|t| facts.tag(t))
            .map(|t| TagCtx {
                name: t.name.clone(),
                url: url.href_to(&t.url),
                count: t.articles.len(),
            })
            .collect(),
        edit_url: site
            .config
            .edit_url
            .as_ref()
            .map(|e| e.replace("{path}", a.page.source.as_str())),
        markdown_url: url.href_to(&markdown_path(url)),
        sidebar: a.collection.map(|c| {
            let (list, digest, values) = facts.sidebar(site, c);
            SidebarRef {
                list,
                values,
                digest: *digest,
                current: site.collections[c]
                    .articles
                    .iter()
                    .position(|&i| std::ptr::eq(&*site.articles[i], a)),
            }
        }),
        intercom_id: a.page.fm.intercom_id,
        breadcrumbs: crumbs(site, url, a.collection, Some(&a.title)),
        toc: md
            .headings
            .iter()
            .filter(|h| h.level <= 3)
            .map(|h| TocCtx {
                level: h.level,
                id: h.id.as_str(),
                text: &h.text,
                steps: h.steps,
            })
            .collect(),
        steps: md
            .steps
            .iter()
            .map(|s| StepCtx {
                id: s.id.as_str(),
                number: s.number,
                text: &s.text,
                depth: s.depth,
            })
            .collect(),
        prev: a.prev.map(|p| article_link(url, &site.articles[p])),
        next: a.next.map(|n| article_link(url, &site.articles[n])),
        backlinks: a
            .backlinks
            .iter()
            .map(|&b| article_link(url, &site.articles[b]))
            .collect(),
        related: a
            .related
            .iter()
            .map(|&r| article_link(url, &site.articles[r]))
            .collect(),
        extra: Extra(&a.page.fm.extra),
        anchor_map: site
            .anchors
            .maps
            .get(url)
            .map(String::as_str)
            .unwrap_or_default(),
    }
}

/// The URL of the page listing every tag.
pub fn tags_index(site: &Site) -> UrlPath {
    UrlPath::new(format!("{}tags/index.html", site.lang_root()))
}

pub fn tag_ctx(site: &Site, tag: &Tag) -> TagPageCtx {
    let from = &tag.url;
    let mut breadcrumbs = crumbs(site, from, None, Some(&tag.name));
    breadcrumbs.insert(
        1,
        CrumbCtx {
            title: text(site, "tags"),
            url: Some(from.href_to(&tags_index(site))),
        },
    );
    TagPageCtx {
        name: tag.name.clone(),
        breadcrumbs,
        articles: tag
            .articles
            .iter()
            .map(|&a| article_link(from, &site.articles[a]))
            .collect(),
    }
}

pub fn tags_ctx(site: &Site, facts: &Facts) -> TagsCtx {
    let from = tags_index(site);
    TagsCtx {
        breadcrumbs: crumbs(site, &from, None, Some(&text(site, "tags"))),
        tags: facts
            .tags
            .iter()
            .map(|t| TagCtx {
                name: t.name.clone(),
                url: from.href_to(&t.url),
                count: t.articles.len(),
            })
            .collect(),
    }
}
