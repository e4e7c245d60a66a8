//! The site: every page, collection and link table, built once from the content folder.
//!
//! In: a [`Config`]. Out: a [`Site`] whose articles are parsed, rendered to HTML fragments and
//! ordered, whose collections form a tree, and whose pages know their URLs; plus every
//! diagnostic met on the way. Reading and rendering run in parallel (rayon); nothing here
//! touches templates or the output folder.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::discover::{self, SourceFile, SourceKind};
use crate::frontmatter::{self, Frontmatter};
use crate::markdown::{self, Rendered};
use crate::paths::{SourcePath, UrlPath};

/// One Markdown file, read and rendered.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: SourcePath,
    pub abs: PathBuf,
    pub text: String,
    /// Byte offset of the Markdown body in `text`, after the frontmatter.
    pub body_offset: usize,
    pub fm: Frontmatter,
    pub url: UrlPath,
    pub md: Rendered,
}

impl Page {
    /// Frontmatter title, else the leading `#` heading, else the file or folder name.
    pub fn title(&self) -> String {
        self.fm
            .title
            .clone()
            .or_else(|| self.md.title.clone())
            .unwrap_or_else(|| self.fallback_title())
    }

    /// Renders the page's body against the site's link table.
    pub fn render_markdown(&self, table: &markdown::links::PageTable) -> Rendered {
        self.render_markdown_with(table, false)
    }

    /// [`Page::render_markdown`], keeping the page's prose for the lints when `prose`.
    pub fn render_markdown_with(
        &self,
        table: &markdown::links::PageTable,
        prose: bool,
    ) -> Rendered {
        markdown::render(&markdown::Input {
            prose,
            path: &self.abs,
            source: &self.text,
            body_offset: self.body_offset,
            source_path: &self.source,
            url: &self.url,
            pages: table,
        })
    }

    /// The file or folder name, made readable.
    fn fallback_title(&self) -> String {
        let name = if matches!(self.source.file_name(), "_index.md" | "index.md") {
            self.source.dir().rsplit('/').next().unwrap_or("")
        } else {
            self.source.stem()
        };
        humanize(name)
    }
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
    pub articles: Vec<Article>,
    /// Articles at the content root, in order.
    pub root_articles: Vec<usize>,
    pub assets: Vec<SourceFile>,
    /// Old addresses that lead to an article: Intercom URL shapes and `aliases`.
    pub redirects: Vec<Redirect>,
    /// Every page's URL and title, which links were resolved against.
    pub table: markdown::links::PageTable,
    /// Markdown files that exist but are not pages of this build, with the reason
    /// (`"is a draft"`, `"has errors"`), so links to them are not reported as missing.
    pub unavailable: HashMap<SourcePath, &'static str>,
}

/// A stub page at `from` that sends readers on to an article, fragment kept.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub from: UrlPath,
    /// Index into [`Site::articles`].
    pub to: usize,
}

/// Rendered Markdown kept between builds, keyed by source path; valid while the site's
/// table of URLs and titles (which links resolve against) has the same fingerprint.
#[derive(Debug)]
pub struct RenderCache {
    fingerprint: u64,
    entries: HashMap<SourcePath, (String, Rendered)>,
    keep: bool,
}

impl Default for RenderCache {
    /// A cache that keeps what each build rendered, for the next one.
    fn default() -> Self {
        RenderCache {
            fingerprint: 0,
            entries: HashMap::new(),
            keep: true,
        }
    }
}

impl RenderCache {
    /// No cache: for a one-off build, which would only pay for the copies.
    pub fn none() -> Self {
        RenderCache {
            keep: false,
            ..Default::default()
        }
    }
}

/// What a build asks for beyond the config.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub drafts: bool,
    /// Keep what the lints of `check` need.
    pub lint: bool,
}

impl Site {
    /// Reads, parses and renders the whole content folder. Returns the site when nothing
    /// stopped it from being assembled; errors found on the way are in the diagnostics.
    pub fn load(config: &Config, opts: LoadOptions) -> (Option<Site>, Diagnostics) {
        Self::load_cached(config, opts, &mut RenderCache::none())
    }

    /// [`Site::load`], reusing the Markdown of pages whose text and whose site-wide link
    /// table are unchanged since the last call with the same cache (the dev server's rebuilds).
    pub fn load_cached(
        config: &Config,
        opts: LoadOptions,
        cache: &mut RenderCache,
    ) -> (Option<Site>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut exclude = vec![config.output_dir.clone()];
        exclude.push(config.root.join("themes"));
        let (files, problems) = discover::discover(&config.content_dir, &exclude);
        diags.extend(problems);
        if files.is_empty() && diags.has_errors() {
            return (None, diags);
        }
        let (md_files, assets): (Vec<_>, Vec<_>) =
            files.into_iter().partition(|f| f.kind != SourceKind::Asset);

        let read: Vec<Result<Page, Vec<Diagnostic>>> = md_files.par_iter().map(read_page).collect();
        let mut pages = Vec::new();
        let mut unavailable = HashMap::new();
        for (r, file) in read.into_iter().zip(&md_files) {
            match r {
                Ok(p) if p.fm.draft && !opts.drafts => {
                    unavailable.insert(file.path.clone(), "is a draft");
                }
                Ok(p) => pages.push(p),
                Err(ds) => {
                    unavailable.insert(file.path.clone(), "has errors");
                    diags.extend(ds);
                }
            }
        }
        diags.extend(assign_urls(&mut pages));
        diags.extend(check_intercom_ids(&pages));
        let mut table = markdown::links::PageTable::default();
        let mut fingerprint = std::collections::hash_map::DefaultHasher::new();
        for p in &pages {
            let body = &p.text[p.body_offset..];
            let title =
                p.fm.title
                    .clone()
                    .or_else(|| markdown::leading_title(body))
                    .unwrap_or_else(|| p.fallback_title());
            std::hash::Hash::hash(&(&p.source, &p.url, &title), &mut fingerprint);
            table.insert(p.source.clone(), p.url.clone(), &title);
        }
        let fingerprint = std::hash::Hasher::finish(&fingerprint);
        if cache.fingerprint != fingerprint {
            cache.entries.clear();
            cache.fingerprint = fingerprint;
        }
        let cached = &cache.entries;
        pages.par_iter_mut().for_each(|p| {
            if let Some((text, md)) = cached.get(&p.source)
                && *text == p.text
            {
                p.md = md.clone();
                return;
            }
            p.md = p.render_markdown_with(&table, opts.lint);
        });
        if cache.keep {
            cache.entries = pages
                .iter()
                .map(|p| (p.source.clone(), (p.text.clone(), p.md.clone())))
                .collect();
        }
        for p in &mut pages {
            diags.extend(std::mem::take(&mut p.md.diagnostics));
        }
        fill_link_texts(&mut pages);
        let mut site = assemble(config.clone(), pages, assets);
        site.unavailable = unavailable;
        site.table = table;
        diags.extend(plan_redirects(&mut site));
        (Some(site), diags)
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
}

pub(crate) fn read_page(file: &SourceFile) -> Result<Page, Vec<Diagnostic>> {
    let bytes = std::fs::read(&file.abs).map_err(|e| {
        vec![
            Diagnostic::error("io", format!("cannot read {}: {e}", file.abs.display()))
                .in_file(&file.abs),
        ]
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        vec![
            Diagnostic::error(
                "not-utf8",
                format!(
                    "this file is not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .in_file(&file.abs)
            .with_hint(
                "save the file as UTF-8, or give it another extension than .md to copy it as it is",
            ),
        ]
    })?;
    let (fm, split) = frontmatter::parse(&file.abs, &text)?;
    let body_offset = split.body_offset;
    Ok(Page {
        source: file.path.clone(),
        abs: file.abs.clone(),
        body_offset,
        text,
        fm,
        url: UrlPath::home(),
        md: Rendered::default(),
    })
}

/// Gives every page its URL and reports two pages that would be written to one place.
fn assign_urls(pages: &mut [Page]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for p in pages.iter_mut() {
        let dir = p.source.dir();
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        if matches!(p.source.file_name(), "_index.md" | "index.md") {
            p.url = UrlPath::new(format!("{prefix}index.html"));
            continue;
        }
        let slug = match &p.fm.slug {
            Some(s) if s.is_empty() || s.contains(['/', '\\', '?', '#']) || s.starts_with('.') => {
                let line = p.fm.key_lines.get("slug").copied().unwrap_or(1);
                problems.push(
                    Diagnostic::error(
                        "slug-invalid",
                        format!("slug \"{s}\" cannot be a file name"),
                    )
                    .at_line_col(&p.abs, &p.text, line, 1)
                    .with_hint("use letters, digits and dashes, e.g. `slug: reset-password`"),
                );
                p.source.stem().to_string()
            }
            Some(s) => s.clone(),
            None => p.source.stem().to_string(),
        };
        p.url = UrlPath::new(format!("{prefix}{slug}.html"));
    }
    let mut seen: HashMap<&UrlPath, &Page> = HashMap::new();
    for p in pages.iter() {
        if let Some(first) = seen.insert(&p.url, p) {
            let line = p.fm.key_lines.get("slug").copied().unwrap_or(1);
            problems.push(
                Diagnostic::error(
                    "url-collision",
                    format!(
                        "this page and {} would both be written to `{}`",
                        first.source, p.url
                    ),
                )
                .at_line_col(&p.abs, &p.text, line, 1)
                .with_hint("give one of them another `slug` in its frontmatter"),
            );
        }
    }
    problems
}

fn check_intercom_ids(pages: &[Page]) -> Vec<Diagnostic> {
    let mut seen: HashMap<u64, &Page> = HashMap::new();
    let mut problems = Vec::new();
    for p in pages {
        let Some(id) = p.fm.intercom_id else { continue };
        if let Some(first) = seen.insert(id, p) {
            let line = p.fm.key_lines.get("intercom_id").copied().unwrap_or(1);
            problems.push(
                Diagnostic::error(
                    "intercom-id-repeated",
                    format!("intercom_id {id} is also used by {}", first.source),
                )
                .at_line_col(&p.abs, &p.text, line, 1)
                .with_hint("every article needs its own intercom_id"),
            );
        }
    }
    problems
}

/// Gives empty links (`[](page.md#id)`) the text of what they point at.
fn fill_link_texts(pages: &mut [Page]) {
    let index: HashMap<&SourcePath, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.source, i))
        .collect();
    let mut fills: Vec<(usize, Vec<(String, String)>)> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let replacements: Vec<(String, String)> = page
            .md
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.fill)
            .map(|(k, l)| {
                let target = match &l.target {
                    None => Some(page),
                    Some(t) => index.get(t).map(|&j| &pages[j]),
                };
                let text = target
                    .and_then(|t| link_text(t, l.fragment.as_deref()))
                    .unwrap_or_else(|| page.text[l.span.clone()].to_string());
                (markdown::links::fill_marker(k), markdown::escape(&text))
            })
            .collect();
        if !replacements.is_empty() {
            fills.push((i, replacements));
        }
    }
    for (i, replacements) in fills {
        for (marker, text) in replacements {
            pages[i].md.html = pages[i].md.html.replace(&marker, &text);
        }
    }
}

/// [`fill_link_texts`] for one article, against the rest of the site.
pub(crate) fn fill_article_links(site: &mut Site, i: usize) {
    let page = &site.articles[i].page;
    let replacements: Vec<(String, String)> = page
        .md
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.fill)
        .map(|(k, l)| {
            let target = match &l.target {
                None => Some(page),
                Some(t) => site.pages().find(|p| &p.source == t),
            };
            let text = target
                .and_then(|t| link_text(t, l.fragment.as_deref()))
                .unwrap_or_else(|| page.text[l.span.clone()].to_string());
            (markdown::links::fill_marker(k), markdown::escape(&text))
        })
        .collect();
    let html = &mut site.articles[i].page.md.html;
    for (marker, text) in replacements {
        *html = html.replace(&marker, &text);
    }
}

/// The words a reader expects for a link to `page`, or to the id `fragment` in it.
pub(crate) fn link_text(page: &Page, fragment: Option<&str>) -> Option<String> {
    let Some(id) = fragment.filter(|f| !f.is_empty()) else {
        return Some(page.title());
    };
    if page.md.title_id.as_ref().is_some_and(|t| t.as_str() == id) {
        return Some(page.title());
    }
    let heading_text = |h: &crate::paths::AnchorId| {
        page.md
            .headings
            .iter()
            .find(|x| &x.id == h)
            .map(|x| x.text.clone())
    };
    if let Some(h) = page.md.headings.iter().find(|h| h.id.as_str() == id) {
        return Some(h.text.clone());
    }
    let option_label =
        |o: &crate::paths::AnchorId| page.md.outline.option_label(o.as_str()).map(str::to_string);
    if let Some(label) = option_label(&crate::paths::AnchorId::new(id)) {
        return Some(label);
    }
    let step = page.md.steps.iter().find(|s| s.id.as_str() == id)?;
    let section = step
        .heading
        .as_ref()
        .and_then(|h| heading_text(h).or_else(|| option_label(h)));
    Some(match section {
        Some(section) => format!("{section}, step {}", step.number),
        None => format!("{}, step {}", page.title(), step.number),
    })
}

/// Builds the collection tree, orders everything and links previous/next.
fn assemble(config: Config, pages: Vec<Page>, assets: Vec<SourceFile>) -> Site {
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    let mut home = None;
    let mut indexes: BTreeMap<String, Page> = BTreeMap::new();
    let mut articles: Vec<Article> = Vec::new();
    for p in pages {
        let dir = p.source.dir().to_string();
        let mut d = dir.as_str();
        while !d.is_empty() {
            dirs.insert(d.to_string());
            d = d.rsplit_once('/').map(|(a, _)| a).unwrap_or("");
        }
        if matches!(p.source.file_name(), "_index.md" | "index.md") {
            if dir.is_empty() {
                home = Some(p);
            } else {
                indexes.insert(dir, p);
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
        .map(|dir| {
            let index = indexes.remove(dir);
            let name = dir.rsplit('/').next().unwrap_or(dir);
            Collection {
                dir: dir.clone(),
                url: UrlPath::new(format!("{dir}/index.html")),
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
        })
        .collect();
    let by_dir: HashMap<String, usize> = collections
        .iter()
        .enumerate()
        .map(|(i, c)| (c.dir.clone(), i))
        .collect();
    for c in &mut collections {
        if let Some((parent, _)) = c.dir.rsplit_once('/') {
            c.parent = by_dir.get(parent).copied();
        }
    }
    let mut root_articles = Vec::new();
    for (i, a) in articles.iter_mut().enumerate() {
        a.collection = by_dir.get(a.page.source.dir()).copied();
        match a.collection {
            Some(c) => collections[c].articles.push(i),
            None => root_articles.push(i),
        }
    }
    let article_key = |i: &usize| {
        (
            articles[*i].page.fm.order.unwrap_or(i64::MAX),
            articles[*i].title.to_lowercase(),
        )
    };
    root_articles.sort_by_cached_key(article_key);
    for c in &mut collections {
        c.articles.sort_by_cached_key(article_key);
    }
    let mut roots: Vec<usize> = (0..collections.len())
        .filter(|&i| collections[i].parent.is_none())
        .collect();
    for i in 0..collections.len() {
        if let Some(p) = collections[i].parent {
            collections[p].children.push(i);
        }
    }
    let coll_key =
        |c: &[Collection], i: usize| (c[i].order.unwrap_or(i64::MAX), c[i].title.to_lowercase());
    roots.sort_by_key(|&i| coll_key(&collections, i));
    for i in 0..collections.len() {
        let mut kids = std::mem::take(&mut collections[i].children);
        kids.sort_by_key(|&k| coll_key(&collections, k));
        collections[i].children = kids;
    }
    for i in (0..collections.len()).rev() {
        let total = collections[i].articles.len()
            + collections[i]
                .children
                .iter()
                .map(|&k| collections[k].total_articles)
                .sum::<usize>();
        collections[i].total_articles = total;
    }
    let mut reading = root_articles.clone();
    for &r in &roots {
        reading_order(&collections, r, &mut reading);
    }
    for w in reading.windows(2) {
        articles[w[0]].next = Some(w[1]);
        articles[w[1]].prev = Some(w[0]);
    }
    link_backlinks(&mut articles);
    link_related(&mut articles);
    Site {
        config,
        home,
        collections,
        roots,
        articles,
        root_articles,
        assets,
        unavailable: HashMap::new(),
        redirects: Vec::new(),
        table: markdown::links::PageTable::default(),
    }
}

/// The Intercom URL shapes of every `intercom_id` and every `aliases` path, checked against
/// each other and against real pages.
fn plan_redirects(site: &mut Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut taken: HashMap<UrlPath, String> = site
        .pages()
        .map(|p| (p.url.clone(), p.source.to_string()))
        .collect();
    let lang = crate::paths::slugify(&site.config.language);
    let lang = if lang.is_empty() {
        "en".to_string()
    } else {
        lang
    };
    let mut redirects = Vec::new();
    for (i, a) in site.articles.iter().enumerate() {
        let mut wanted: Vec<(UrlPath, &'static str)> = Vec::new();
        if let Some(id) = a.page.fm.intercom_id {
            let slug = crate::paths::slugify(&a.title);
            wanted.push((
                UrlPath::new(format!("{lang}/articles/{id}-{slug}/index.html")),
                "intercom_id",
            ));
            wanted.push((
                UrlPath::new(format!("{lang}/articles/{id}/index.html")),
                "intercom_id",
            ));
        }
        for alias in &a.page.fm.aliases {
            match alias_path(alias) {
                Some(url) => wanted.push((url, "aliases")),
                None => problems.push(
                    Diagnostic::error(
                        "alias-invalid",
                        format!("alias \"{alias}\" is not a path inside the site"),
                    )
                    .at_line_col(
                        &a.page.abs,
                        &a.page.text,
                        a.page.fm.key_lines.get("aliases").copied().unwrap_or(1),
                        1,
                    )
                    .with_hint("write a path from the site root, e.g. `billing/old-refund-policy`"),
                ),
            }
        }
        for (url, key) in wanted {
            if let Some(owner) = taken.get(&url) {
                if *owner != a.page.source.to_string() {
                    problems.push(
                        Diagnostic::error(
                            "redirect-collision",
                            format!("the redirect `{url}` would replace {owner}"),
                        )
                        .at_line_col(
                            &a.page.abs,
                            &a.page.text,
                            a.page.fm.key_lines.get(key).copied().unwrap_or(1),
                            1,
                        )
                        .with_hint("remove the alias, or change the other page's slug"),
                    );
                }
                continue;
            }
            taken.insert(url.clone(), a.page.source.to_string());
            redirects.push(Redirect { from: url, to: i });
        }
    }
    site.redirects = redirects;
    problems
}

/// `/billing/old-refunds/` -> `billing/old-refunds/index.html`; `old.html` stays a file.
fn alias_path(alias: &str) -> Option<UrlPath> {
    let clean = alias.trim().trim_start_matches('/');
    let clean = clean.split(['?', '#']).next().unwrap_or("");
    let parts: Vec<&str> = clean.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| *p == ".." || *p == "." || p.contains('\\'))
    {
        return None;
    }
    let joined = parts.join("/");
    if joined.ends_with(".html") || joined.ends_with(".htm") {
        Some(UrlPath::new(joined))
    } else {
        Some(UrlPath::new(format!("{joined}/index.html")))
    }
}

/// Fills every article's "Linked from" list.
pub(crate) fn link_backlinks(articles: &mut [Article]) {
    let index: HashMap<&SourcePath, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.page.source, i))
        .collect();
    let mut back: Vec<Vec<usize>> = vec![Vec::new(); articles.len()];
    for (from, a) in articles.iter().enumerate() {
        for target in a.page.md.links.iter().filter_map(|l| l.target.as_ref()) {
            if let Some(&to) = index.get(target)
                && to != from
            {
                back[to].push(from);
            }
        }
    }
    // By title, case aside; each article once.
    let titles: Vec<String> = articles
        .par_iter()
        .map(|a| a.title.to_lowercase())
        .collect();
    back.par_iter_mut().for_each(|list| {
        list.sort_unstable_by(|&x, &y| titles[x].cmp(&titles[y]).then(x.cmp(&y)));
        list.dedup();
    });
    for (a, list) in articles.iter_mut().zip(back) {
        a.backlinks = list;
    }
}

/// Fills every article's "Related articles": up to five sharing the most tags.
fn link_related(articles: &mut [Article]) {
    const MAX: usize = 5;
    let mut by_tag: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        let tags: BTreeSet<String> = a
            .page
            .fm
            .tags
            .iter()
            .map(|t| t.trim().to_lowercase())
            .collect();
        for t in tags {
            by_tag.entry(t).or_default().push(i);
        }
    }
    let related: Vec<Vec<usize>> = articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let mut shared: HashMap<usize, usize> = HashMap::new();
            let tags: BTreeSet<String> = a
                .page
                .fm
                .tags
                .iter()
                .map(|t| t.trim().to_lowercase())
                .collect();
            for t in &tags {
                // A tag on a great many articles says little; skip it for speed and sense.
                let others = &by_tag[t];
                if others.len() > 200 {
                    continue;
                }
                for &o in others.iter().filter(|&&o| o != i) {
                    *shared.entry(o).or_default() += 1;
                }
            }
            let mut list: Vec<(usize, usize)> = shared.into_iter().collect();
            list.sort_by(|x, y| {
                y.1.cmp(&x.1)
                    .then_with(|| articles[x.0].title.cmp(&articles[y.0].title))
            });
            list.into_iter().take(MAX).map(|(o, _)| o).collect()
        })
        .collect();
    for (a, r) in articles.iter_mut().zip(related) {
        a.related = r;
    }
}

/// Depth first: a collection's own articles, then its sub-collections.
fn reading_order(collections: &[Collection], c: usize, out: &mut Vec<usize>) {
    out.extend(&collections[c].articles);
    for &k in &collections[c].children {
        reading_order(collections, k, out);
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
