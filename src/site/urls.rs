//! Where everything goes: each page's URL from its place in the content folder and its
//! `slug`, and the redirect stubs of `intercom_id` (the URL shapes of an Intercom help
//! center) and `aliases`. Two pages or redirects that would be written to one place are
//! errors that name both.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::langs::Alternates;
use super::tree::Tree;
use super::{Article, PageFile, Redirect, Why, is_index};
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::frontmatter;
use crate::paths::{SourcePath, UrlPath, slugify};

/// The URL of every page, in order, and the problems: a slug that cannot be a file name, and
/// two pages that would be written to one place.
pub fn assign(pages: &[PageFile]) -> (Vec<UrlPath>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let urls: Vec<UrlPath> = pages
        .iter()
        .map(|p| {
            let (url, problem) = url_of(p);
            problems.extend(problem);
            url
        })
        .collect();
    let mut seen: FxHashMap<&UrlPath, &PageFile> =
        FxHashMap::with_capacity_and_hasher(pages.len(), Default::default());
    for (p, url) in pages.iter().zip(&urls) {
        if let Some(first) = seen.insert(url, p) {
            // Reported where a `slug` sent the page there, naming the other page.
            let (here, other) = if p.fm.slug.is_none() && first.fm.slug.is_some() {
                (first, p)
            } else {
                (p, first)
            };
            let d = Diagnostic::error(
                "url-collision",
                format!(
                    "this page and {} would both be written to `{url}`",
                    other.source
                ),
            );
            problems.push(
                frontmatter::at_value(d, &here.abs, &here.text, &here.fm, "slug")
                    .with_hint("give one of them another `slug` in its frontmatter"),
            );
        }
    }
    (urls, problems)
}

/// `guide/_index.md` -> `guide/index.html`; `guide/a.md` -> `guide/<slug or a>.html`.
fn url_of(p: &PageFile) -> (UrlPath, Option<Diagnostic>) {
    let dir = p.source.dir();
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    if is_index(&p.source) {
        return (UrlPath::new(format!("{prefix}index.html")), None);
    }
    let mut problem = None;
    let slug = match p
        .fm
        .slug
        .as_deref()
        .map(|s| (s, crate::paths::name_problem(s)))
    {
        Some((s, Some(why))) => {
            let d = Diagnostic::error(
                "slug-invalid",
                format!("slug \"{s}\" cannot be a file name: {why}"),
            );
            problem = Some(
                frontmatter::at_value(d, &p.abs, &p.text, &p.fm, "slug")
                    .with_hint("use letters, digits and dashes, e.g. `slug: reset-password`"),
            );
            p.source.stem()
        }
        Some((s, None)) => s,
        None => p.source.stem(),
    };
    (UrlPath::new(format!("{prefix}{slug}.html")), problem)
}

/// Reports every `intercom_id` that an earlier page already has.
pub fn check_intercom_ids(pages: &[PageFile]) -> Vec<Diagnostic> {
    let mut seen: HashMap<u64, &PageFile> = HashMap::new();
    let mut problems = Vec::new();
    for p in pages {
        let Some(id) = p.fm.intercom_id else { continue };
        if let Some(first) = seen.insert(id, p) {
            let d = Diagnostic::error(
                "intercom-id-repeated",
                format!("intercom_id {id} is also used by {}", first.source),
            );
            problems.push(
                frontmatter::at_value(d, &p.abs, &p.text, &p.fm, "intercom_id")
                    .with_hint("every article needs its own intercom_id"),
            );
        }
    }
    problems
}

/// The Intercom URL shapes of every `intercom_id` and every `aliases` path, checked against
/// each other and against real pages, with how many of the addresses asked for were left out
/// without a problem (an article's own address, or one of its own redirects asked for twice,
/// or an `intercom_id` repeated).
///
/// The site of the default language (`lang` 0) also leads each other language's Intercom
/// addresses of an article without a translation to the default page.
pub fn plan(
    config: &Config,
    tree: &Tree,
    lang: usize,
    alternates: &Alternates,
) -> (Vec<Redirect>, Vec<Diagnostic>, usize) {
    let mut skipped = 0;
    let mut problems = Vec::new();
    let pages: FxHashMap<&str, &SourcePath> = page_urls(tree).collect();
    // Each redirect planned, with its article's file and whether an `intercom_id` asked for it.
    let mut placed: FxHashMap<UrlPath, (&SourcePath, bool)> = FxHashMap::default();
    let mut redirects = Vec::new();
    for (i, a) in tree.articles.iter().enumerate() {
        let page = &a.page;
        let (wanted, invalid) = wanted(config, a, lang, alternates);
        problems.extend(invalid);
        for (url, why) in wanted {
            let key = why.key().unwrap_or_default();
            let taken = (pages.get(url.as_str()).map(|s| (*s, false)))
                .or_else(|| placed.get(&url).copied());
            if let Some((owner, intercom)) = taken {
                // Two articles with one intercom_id are reported as `intercom-id-repeated`.
                let repeated_id = why == Why::IntercomId && intercom;
                skipped += 1;
                if *owner != page.source && !repeated_id {
                    let hint = match why {
                        Why::Alias => "remove the alias, or change the other page's slug",
                        _ => "check the intercom_id, or move the other page",
                    };
                    let d = Diagnostic::error(
                        "redirect-collision",
                        format!("the redirect `{url}` would replace {owner}"),
                    );
                    problems.push(
                        frontmatter::at_value(d, &page.abs, &page.text, &page.fm, key)
                            .with_hint(hint),
                    );
                }
                continue;
            }
            placed.insert(url.clone(), (&page.source, why == Why::IntercomId));
            redirects.push(Redirect {
                from: url,
                to: i,
                why,
            });
        }
    }
    (redirects, problems, skipped)
}

/// Every page's URL with its file; a URL of two pages goes with the last.
fn page_urls(tree: &Tree) -> impl Iterator<Item = (&str, &SourcePath)> {
    (tree.home.iter())
        .chain(tree.collections.iter().filter_map(|c| c.index.as_ref()))
        .chain(tree.articles.iter().map(|a| &a.page))
        .map(|p| (p.url.as_str(), &p.source))
}

/// The redirects article `a` asks for, in order (its Intercom addresses, then its
/// `aliases`), and the problems of the aliases that cannot be one.
pub fn wanted(
    config: &Config,
    a: &Article,
    lang: usize,
    alternates: &Alternates,
) -> (Vec<(UrlPath, Why)>, Vec<Diagnostic>) {
    let page = &a.page;
    let mut wanted = Vec::new();
    let mut problems = Vec::new();
    if let Some(id) = page.fm.intercom_id {
        let prefix = match slugify(&config.language) {
            l if l.is_empty() => "en".to_string(),
            l => l,
        };
        let slug = slugify(&a.title);
        let untranslated = alternates
            .of(&page.source)
            .iter()
            .zip(&alternates.langs)
            .skip(1)
            .filter(|(url, _)| lang == 0 && url.is_none())
            .map(|(_, l)| l.root.trim_end_matches('/'));
        for prefix in std::iter::once(prefix.as_str()).chain(untranslated) {
            wanted.push((
                UrlPath::new(format!("{prefix}/articles/{id}-{slug}/index.html")),
                Why::IntercomId,
            ));
            wanted.push((
                UrlPath::new(format!("{prefix}/articles/{id}/index.html")),
                Why::IntercomId,
            ));
        }
    }
    for alias in &page.fm.aliases {
        match UrlPath::from_alias(alias) {
            Ok(url) => wanted.push((url, Why::Alias)),
            Err(why) => problems.push(
                frontmatter::at_value(
                    Diagnostic::error(
                        "alias-invalid",
                        format!("alias \"{alias}\" is not a path inside the site: {why}"),
                    ),
                    &page.abs,
                    &page.text,
                    &page.fm,
                    "aliases",
                )
                .with_hint("write a path from the site root, e.g. `billing/old-refund-policy`"),
            ),
        }
    }
    (wanted, problems)
}

/// The redirects [`plan`] plans when the last plan placed every redirect asked for without a
/// problem, `kept` are those of the articles that did not change (at their articles' places
/// now), each article of `asked` asks for its addresses (in the order of the articles), and the
/// pages at `came` are new: none of the addresses is taken when none of `asked` is a page's
/// or asked for twice, and no page that came is at one of `kept`. `None` when one is taken,
/// which only the whole plan can sort out.
pub fn free_redirects(
    tree: &Tree,
    kept: Vec<Redirect>,
    asked: Vec<(usize, Vec<(UrlPath, Why)>)>,
    came: &[UrlPath],
) -> Option<Vec<Redirect>> {
    let mut fresh: FxHashSet<&str> = FxHashSet::default();
    for (url, _) in asked.iter().flat_map(|(_, wanted)| wanted) {
        if !fresh.insert(url.as_str()) {
            return None;
        }
    }
    let came: FxHashSet<&str> = came.iter().map(UrlPath::as_str).collect();
    if (page_urls(tree)).any(|(url, _)| fresh.contains(url))
        || (kept.iter()).any(|r| fresh.contains(r.from.as_str()) || came.contains(r.from.as_str()))
    {
        return None;
    }
    // In the order of the articles, each one's in the order it asked.
    let mut redirects = Vec::with_capacity(kept.len() + fresh.len());
    let mut asked = asked.into_iter().peekable();
    let place = |(to, wanted): (usize, Vec<(UrlPath, Why)>), into: &mut Vec<Redirect>| {
        into.extend((wanted.into_iter()).map(|(from, why)| Redirect { from, to, why }));
    };
    for r in kept {
        while let Some(a) = asked.next_if(|(to, _)| *to < r.to) {
            place(a, &mut redirects);
        }
        redirects.push(r);
    }
    asked.for_each(|a| place(a, &mut redirects));
    Some(redirects)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    use super::*;
    use crate::frontmatter::Frontmatter;
    use crate::markdown::Rendered;
    use crate::paths::SourcePath;
    use crate::site::tests::{page, titled};
    use crate::site::tree::assemble;

    fn file(source: &str, fm: Frontmatter) -> PageFile {
        PageFile {
            source: SourcePath::from_relative(Path::new(source)),
            abs: PathBuf::from("/site/content").join(source),
            text: Arc::from("---\ntitle: x\nslug: s\n---\n"),
            body_offset: 0,
            fm: Arc::new(fm),
        }
    }

    #[test]
    fn urls_come_from_folders_and_slugs() {
        let slugged = Frontmatter {
            slug: Some("renamed".into()),
            ..Default::default()
        };
        let (urls, problems) = assign(&[
            file("index.md", Frontmatter::default()),
            file("guide/_index.md", Frontmatter::default()),
            file("guide/a.md", Frontmatter::default()),
            file("guide/b.md", slugged),
        ]);
        let urls: Vec<&str> = urls.iter().map(UrlPath::as_str).collect();
        assert_eq!(
            urls,
            [
                "index.html",
                "guide/index.html",
                "guide/a.html",
                "guide/renamed.html"
            ]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn two_pages_at_one_url_are_an_error() {
        let mut fm = Frontmatter {
            slug: Some("a".into()),
            ..Default::default()
        };
        fm.key_lines.insert("slug".into(), 3);
        let (_, problems) = assign(&[
            file("guide/a.md", Frontmatter::default()),
            file("guide/b.md", fm),
        ]);
        let rendered: Vec<String> = problems
            .iter()
            .map(|d| {
                let line = d.location.as_ref().map(|l| l.line);
                format!("{} {} {line:?}", d.code, d.message)
            })
            .collect();
        assert_eq!(
            rendered,
            [
                "url-collision this page and guide/a.md would both be written to `guide/a.html` Some(3)"
            ]
        );
    }

    #[test]
    fn aliases_and_intercom_ids_become_redirects() {
        let fm = Frontmatter {
            intercom_id: Some(42),
            aliases: vec!["/old/place/".into(), "legacy.html".into(), "../up".into()],
            ..titled("Reset your password")
        };
        let tree = assemble(vec![page("guide/a.md", fm, Rendered::default())]);
        let config = Config::from_source(Path::new("/site"), Path::new("/site/book.toml"), "")
            .expect("the defaults are valid");
        let (redirects, problems, _) = plan(&config, &tree, 0, &Alternates::default());
        let from: Vec<&str> = redirects.iter().map(|r| r.from.as_str()).collect();
        assert_eq!(
            from,
            [
                "en/articles/42-reset-your-password/index.html",
                "en/articles/42/index.html",
                "old/place/index.html",
                "legacy.html"
            ]
        );
        let codes: Vec<&str> = problems.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["alias-invalid"]);
    }
}
