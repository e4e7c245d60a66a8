//! One page or file of the site: what [`super::render_each`] runs for each [`Job`].
//!
//! In: the site of one language, its [`Facts`] and the theme. Out: the file, rendered only
//! when the sink wants it, with its key. The files made without a template (redirect stubs,
//! the sitemap) are written here too.

use serde::Serialize;

use super::context::*;
use super::theme::Theme;
use super::{OutFile, Sink, key_of, language, llms, pages};
use crate::diagnostics::Diagnostic;
use crate::paths::UrlPath;
use crate::site::Site;
use pages::Facts;

#[derive(Clone, Copy)]
pub(super) enum Job {
    Home,
    NotFound,
    Collection(usize),
    Article(usize),
    Redirect(usize),
    Tags,
    Tag(usize),
    /// An article's Markdown copy.
    Markdown(usize),
    Llms,
}

/// The [`SiteCtx`] of the pages of one language as Tera values, made when first asked for:
/// one with no header link marked current, and one for each header link.
pub(super) struct Sites(Vec<std::sync::OnceLock<(tera::Value, u64)>>);

impl Sites {
    pub(super) fn new(facts: &Facts) -> Sites {
        Sites(
            (0..=facts.site.nav.len())
                .map(|_| Default::default())
                .collect(),
        )
    }

    /// The site's values for a page in `collection` (`None`: in no collection).
    fn get(&self, site: &Site, facts: &Facts, collection: Option<usize>) -> SiteRef<'_> {
        let current = pages::nav_current(site, &facts.site, collection);
        let (value, digest) = self.0[current.map_or(0, |c| c + 1)].get_or_init(|| {
            let ctx = pages::nav_for(&facts.site, current);
            // Strings, numbers, booleans and lists of them: Tera takes them without fail.
            (tera::Value::from_serializable(&*ctx), key_of(&*ctx))
        });
        SiteRef {
            value,
            digest: *digest,
        }
    }
}

/// The page or file of `job`, made when `sink` wants it, with its key.
pub(super) fn render_job(
    site: &Site,
    theme: &Theme,
    facts: &Facts,
    sites: &Sites,
    salt: u64,
    job: Job,
    sink: &dyn Sink,
) -> Result<Option<(OutFile, u64)>, Diagnostic> {
    let base = sites.get(site, facts, None);
    // A file made without a template is keyed by its bytes.
    let bytes = |file: OutFile| {
        let OutFile::Bytes(path, b) = &file else {
            unreachable!("generated files are bytes")
        };
        let key = key_of(&(path, b));
        Ok(sink.wants(path, key).then_some((file, key)))
    };
    match job {
        Job::Home => {
            let url = site.home_url();
            let (title, desc) = (site.config.title.clone(), site.config.description.clone());
            let ctx = frame(
                site,
                base.clone(),
                &url,
                None,
                "home",
                title,
                desc,
                pages::home_ctx(site, facts, &url),
            );
            theme.render_if(salt, &url, "home.html", &ctx, sink)
        }
        Job::NotFound => {
            let url = UrlPath::new("404.html");
            let mut ctx = frame(
                site,
                base.clone(),
                &url,
                None,
                "404",
                "Page not found".into(),
                String::new(),
                NotFoundCtx {
                    base: not_found_base(site.config.base_url.as_deref()),
                },
            );
            // Hosts show this page at any missing address, however deep; its `<base>`
            // makes its relative links start at the site's root.
            ctx.canonical = None;
            theme.render_if(salt, &url, "404.html", &ctx, sink)
        }
        Job::Collection(i) => {
            let c = &site.collections[i];
            let sc = sites.get(site, facts, Some(i));
            let (title, desc) = (c.title.clone(), c.description.clone());
            let ctx = frame(
                site,
                sc,
                &c.url,
                c.index.as_ref().map(|p| &p.source),
                "collection",
                title,
                desc,
                pages::collection_ctx(site, facts, i),
            );
            theme.render_if(salt, &c.url, "collection.html", &ctx, sink)
        }
        Job::Article(i) => {
            let a = &site.articles[i];
            let ctx = pages::article_ctx(site, facts, a);
            let desc = ctx.description.to_string();
            let sc = sites.get(site, facts, a.collection);
            let ctx = frame(
                site,
                sc,
                &a.page.url,
                Some(&a.page.source),
                "article",
                a.title.clone(),
                desc,
                ctx,
            );
            theme
                .render_if(salt, &a.page.url, "article.html", &ctx, sink)
                .map_err(|d| d.in_file(&a.page.abs))
        }
        Job::Redirect(i) => bytes(redirect_stub(site, &site.redirects[i])),
        Job::Markdown(i) => {
            // Keyed by what it is made from, so an unchanged copy is not even written out.
            let a = &site.articles[i];
            let path = pages::markdown_path(&a.page.url);
            let key = key_of(&(salt, llms::copy_key(site, a)));
            if !sink.wants(path.as_str(), key) {
                return Ok(None);
            }
            Ok(Some((llms::copy(site, a), key)))
        }
        Job::Llms => bytes(llms::llms_txt(site)),
        Job::Tags => {
            let url = pages::tags_index(site);
            let ctx = frame(
                site,
                base.clone(),
                &url,
                None,
                "tags",
                language::text(site, "tags"),
                String::new(),
                pages::tags_ctx(site, facts),
            );
            theme.render_if(salt, &url, "tags.html", &ctx, sink)
        }
        Job::Tag(i) => {
            let tag = &facts.tags[i];
            let title = format!("{} “{}”", language::text(site, "tagged"), tag.name);
            let ctx = frame(
                site,
                base.clone(),
                &tag.url,
                None,
                "tag",
                title,
                String::new(),
                pages::tag_ctx(site, tag),
            );
            theme.render_if(salt, &tag.url, "tag.html", &ctx, sink)
        }
    }
}

/// The path part of `base-url` (`/docs/`), or `/`: the 404 page's links start there on any
/// host that serves the site, the real one, a staging one or a local one.
fn not_found_base(base_url: Option<&str>) -> String {
    let Some(url) = base_url else {
        return "/".into();
    };
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    // It goes into a script's string too: anything but plain URL characters is encoded.
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~%!$()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn frame<'a, P: Serialize + std::hash::Hash>(
    site: &Site,
    site_ctx: SiteRef<'a>,
    url: &UrlPath,
    source: Option<&crate::paths::SourcePath>,
    kind: &'static str,
    title: String,
    description: String,
    page: P,
) -> PageCtx<'a, P> {
    PageCtx {
        site: site_ctx,
        root: url.root_prefix(),
        kind,
        title,
        description,
        canonical: site.config.base_url.as_ref().map(|b| format!("{b}{url}")),
        alternates: language::alternates(site, url, source),
        page,
    }
}

/// A page that forwards to its article at once, keeping the `#fragment`; it works on any
/// static host and from disk, and tells search engines where the page lives now.
fn redirect_stub(site: &Site, r: &crate::site::Redirect) -> OutFile {
    use crate::markdown::escape;
    let a = &site.articles[r.to];
    let href = r.from.href_to(&a.page.url);
    let canonical = match &site.config.base_url {
        Some(base) => format!("{base}{}", a.page.url),
        None => href.clone(),
    };
    let js = serde_json::to_string(&href)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('<', "\\u003c");
    let html = format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"{canonical}\">\n<script>location.replace({js} + location.hash)</script>\n<meta http-equiv=\"refresh\" content=\"0; url={href}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{href}\">{title}</a>.</p>\n</body>\n</html>\n",
        lang = escape(&site.config.language),
        title = escape(&a.title),
        canonical = escape(&canonical),
        href = escape(&href),
    );
    OutFile::Bytes(r.from.to_string(), html.into_bytes())
}

/// `2026-03-02` -> `2 March 2026`.
pub fn display_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_string();
    };
    match (m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        _ => date.to_string(),
    }
}

/// `sitemap.xml`: every page of every language, each with its translations as `hreflang`
/// alternates when the site has more than one language.
pub(super) fn sitemap(site: &Site, base: &str) -> String {
    let many = site.alternates.many();
    let mut xml = String::from(if many {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n"
    } else {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
    });
    for s in site.all() {
        let mut urls: Vec<(UrlPath, Option<&crate::paths::SourcePath>, Option<String>)> =
            vec![(s.home_url(), None, None)];
        urls.extend(
            s.collections
                .iter()
                .map(|c| (c.url.clone(), c.index.as_ref().map(|p| &p.source), None)),
        );
        urls.extend(s.articles.iter().map(|a| {
            (
                a.page.url.clone(),
                Some(&a.page.source),
                a.page.fm.updated.clone(),
            )
        }));
        for (url, source, updated) in urls {
            xml.push_str(&format!(
                "  <url><loc>{}</loc>",
                crate::markdown::escape(&format!("{base}{url}"))
            ));
            if let Some(u) = updated {
                xml.push_str(&format!("<lastmod>{u}</lastmod>"));
            }
            for a in language::alternates(s, &url, source)
                .iter()
                .filter(|a| a.exists)
            {
                xml.push_str(&format!(
                    "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                    crate::markdown::escape(&a.tag),
                    crate::markdown::escape(a.absolute.as_deref().unwrap_or(&a.url))
                ));
            }
            xml.push_str("</url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    xml
}
