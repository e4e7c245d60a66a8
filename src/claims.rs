//! Output claims: every path a build would write, and who writes it, checked before anything
//! is written.
//!
//! In: the loaded [`Site`] and the [`Theme`]. Out: an error for every path two parties would
//! write (the second would silently replace the first), every path that would have to be a
//! file and a folder at once, every two paths that are one file on macOS and Windows (they
//! differ only in letter case or in Unicode normalization), and every file name too long for
//! a file system. Each error names both parties and points at the content file (the page, the
//! `aliases` line or the asset). Two pages on one URL and a redirect onto a page are reported
//! where URLs and redirects are planned (`site`), so they are left out here.
//!
//! The parties are the pages (home, 404, collections, articles), the redirects, the content
//! assets, the theme's static files, `sitemap.xml`, the search index and the output manifest.

mod memo;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use unicode_normalization::UnicodeNormalization;

use crate::diagnostics::Diagnostic;
use crate::discover::SourceFile;
use crate::output::MANIFEST;
use crate::paths::{MAX_NAME_BYTES, UrlPath};
use crate::render::Theme;
use crate::site::{Page, Site, Why};

/// Who writes an output path.
#[derive(Clone, Copy)]
enum Party<'a> {
    /// A page with a Markdown source: an article, a collection's `_index.md`, the home page's
    /// `index.md`.
    Page(&'a Page),
    /// A redirect stub for an article: one of its `aliases`, its `intercom_id`, or an address
    /// it had before it moved.
    Redirect(&'a Page, Why),
    Asset(&'a SourceFile),
    /// A page or file stepbook makes with no source of its own.
    Generated(&'static str),
    /// A page of a collection that has no `_index.md`.
    Collection(&'a str),
    /// A static file of the theme, built in or overridden.
    Theme,
    /// The Markdown copy of an article, next to its page.
    Copy(&'a Page),
}

struct Claim<'a> {
    path: Cow<'a, str>,
    by: Party<'a>,
}

impl Party<'_> {
    /// The party as the other side of a message: "the page `a.md`".
    fn name(&self, path: &str) -> String {
        match self {
            Party::Page(p) => format!("the page {}", p.source),
            Party::Redirect(p, why) => match why.key() {
                Some(key) => format!("the redirect of `{key}` in {}", p.source),
                None => format!("the redirect from an old address of {}", p.source),
            },
            Party::Asset(f) => format!("the file {}", f.path),
            Party::Generated(what) => (*what).to_string(),
            Party::Collection(dir) => format!("the page of the collection `{dir}`"),
            Party::Theme => format!("the theme's file `{path}`"),
            Party::Copy(p) => format!("the Markdown copy of {}", p.source),
        }
    }

    /// The party as the subject of a message located at it: "this page".
    fn this(&self) -> &'static str {
        match self {
            Party::Page(_) => "this page",
            Party::Redirect(_, Why::Alias) => "this alias",
            Party::Redirect(_, Why::IntercomId) => "the redirect of this `intercom_id`",
            Party::Redirect(_, Why::OldAddress) => "the redirect from this page's old address",
            _ => "this file",
        }
    }

    /// Which kind of party this is.
    fn kind(&self) -> u8 {
        match self {
            Party::Page(_) => 0,
            Party::Redirect(..) => 1,
            Party::Asset(_) => 2,
            Party::Generated(_) => 3,
            Party::Collection(_) => 4,
            Party::Theme => 5,
            Party::Copy(_) => 6,
        }
    }

    /// How well a diagnostic can point at this party: higher is better, 0 is not at all.
    fn rank(&self) -> u8 {
        match self {
            // An old address is in the anchor record, not in the page: blame the other party.
            Party::Redirect(_, Why::OldAddress) => 1,
            Party::Redirect(..) => 4,
            Party::Page(p) if p.fm.key_lines.contains_key("slug") => 3,
            Party::Asset(_) => 2,
            Party::Page(_) => 1,
            _ => 0,
        }
    }

    /// Points `d` at this party's file, and its line where one is to blame.
    fn locate(&self, d: Diagnostic) -> Diagnostic {
        let at_key = |p: &Page, key: &str, d: Diagnostic| {
            let line = p.fm.key_lines.get(key).copied().unwrap_or(1);
            d.at_line_col(&p.abs, &p.text, line, 1)
        };
        match self {
            Party::Page(p) => at_key(p, "slug", d),
            Party::Redirect(p, why) => at_key(p, why.key().unwrap_or("slug"), d),
            Party::Asset(f) => d.in_file(&f.abs),
            _ => d,
        }
    }
}

/// Every problem with the paths the site would write; see the module doc.
pub fn check(site: &Site, theme: &Theme) -> Vec<Diagnostic> {
    check_claims(site, &claims(site, theme))
}

pub use memo::{Memo, Saved, check_kept};

fn check_claims(site: &Site, claims: &[Claim<'_>]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    problems.extend(twice(claims, &site.config.theme));
    problems.extend(file_and_folder(claims, site.config.search));
    problems.extend(one_file_elsewhere(claims));
    problems.extend(too_long(claims));
    problems
}

fn claims<'a>(site: &'a Site, theme: &Theme) -> Vec<Claim<'a>> {
    claims_with(site, theme, &crate::render::pages::tag_urls(site))
}

/// Every claim, in order, with `tags`, the URLs of the site's tag pages.
fn claims_with<'a>(site: &'a Site, theme: &Theme, tags: &[UrlPath]) -> Vec<Claim<'a>> {
    let mut claims = Vec::with_capacity(2 * site.articles.len() + site.redirects.len());
    let mut claim = |path: Cow<'a, str>, by: Party<'a>| claims.push(Claim { path, by });
    claim(
        MANIFEST.into(),
        Party::Generated("stepbook's list of the files it wrote"),
    );
    match &site.home {
        Some(p) => claim(p.url.as_str().into(), Party::Page(p)),
        None => claim(
            site.home_url().to_string().into(),
            Party::Generated("the home page"),
        ),
    }
    claim("404.html".into(), Party::Generated("the 404 page"));
    if site.config.base_url.is_some() {
        claim("sitemap.xml".into(), Party::Generated("the sitemap"));
    }
    for c in &site.collections {
        match &c.index {
            Some(p) => claim(c.url.as_str().into(), Party::Page(p)),
            None => claim(c.url.as_str().into(), Party::Collection(&c.dir)),
        }
    }
    for a in &site.articles {
        claim(a.page.url.as_str().into(), Party::Page(&a.page));
        claim(
            crate::render::pages::markdown_path(&a.page.url)
                .to_string()
                .into(),
            Party::Copy(&a.page),
        );
    }
    claim(
        "llms.txt".into(),
        Party::Generated("llms.txt, the site's list for AI agents"),
    );
    if !tags.is_empty() {
        claim(
            crate::render::pages::tags_index(site).to_string().into(),
            Party::Generated("the list of tags"),
        );
    }
    for t in tags {
        claim(t.to_string().into(), Party::Generated("a tag's page"));
    }
    for r in site.redirects.iter() {
        let page = &site.articles[r.to].page;
        claim(r.from.as_str().into(), Party::Redirect(page, r.why));
    }
    for path in theme.static_paths() {
        claim(path.to_string().into(), Party::Theme);
    }
    for f in site.assets.iter() {
        claim(f.path.as_str().into(), Party::Asset(f));
    }
    claims
}

/// The two claims with the one a diagnostic can point at first; `None` when neither can be
/// (two parts of stepbook itself, which never happens).
fn order<'c, 'a>(a: &'c Claim<'a>, b: &'c Claim<'a>) -> Option<(&'c Claim<'a>, &'c Claim<'a>)> {
    let (here, there) = if a.by.rank() >= b.by.rank() {
        (a, b)
    } else {
        (b, a)
    };
    (here.by.rank() > 0).then_some((here, there))
}

/// Two parties writing the same path.
fn twice(claims: &[Claim<'_>], theme: &str) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, &Claim<'_>> = HashMap::new();
    let mut problems = Vec::new();
    for c in claims {
        let Some(earlier) = first.get(c.path.as_ref()).copied() else {
            first.insert(&c.path, c);
            continue;
        };
        // Reported where URLs and redirects are planned.
        if matches!(
            (&earlier.by, &c.by),
            (
                Party::Page(_) | Party::Redirect(..),
                Party::Page(_) | Party::Redirect(..)
            )
        ) {
            continue;
        }
        let Some((here, there)) = order(earlier, c) else {
            continue;
        };
        let path = &c.path;
        let d = here.by.locate(Diagnostic::error(
            "output-collision",
            format!(
                "`{path}` would be written twice, by {} and by {}",
                here.by.this(),
                there.by.name(path)
            ),
        ));
        let hint = match there.by {
            Party::Theme => format!(
                "to replace the theme's file, put yours at `themes/{theme}/static/{path}`; otherwise rename this one"
            ),
            Party::Generated(_) | Party::Collection(_) => format!(
                "stepbook writes `{path}` itself: rename this one (a page's look comes from the theme's templates in `themes/{theme}/templates/`)"
            ),
            _ => "rename one of them, or give the page another `slug`".into(),
        };
        problems.push(d.with_hint(hint));
    }
    problems
}

/// Whether the search index writes `path`: `search/manifest.js`, `search/t<n>.js` and
/// `search/d<n>.js`.
fn search_writes(path: &str) -> bool {
    let Some(name) = path.strip_prefix("search/") else {
        return false;
    };
    if name == "manifest.js" {
        return true;
    }
    name.strip_suffix(".js")
        .and_then(|n| n.strip_prefix(['t', 'd']))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A path that one party writes as a file and another needs as a folder.
fn file_and_folder(claims: &[Claim<'_>], search: bool) -> Vec<Diagnostic> {
    let files: HashMap<&str, &Claim<'_>> = claims.iter().map(|c| (c.path.as_ref(), c)).collect();
    let mut problems = Vec::new();
    for c in claims {
        let Some(folder) = c.path.match_indices('/').find_map(|(end, _)| {
            let folder = &c.path[..end];
            (files.contains_key(folder) || (search && search_writes(folder))).then_some(folder)
        }) else {
            continue;
        };
        let index = Claim {
            path: folder.into(),
            by: Party::Generated("the search index"),
        };
        let owner = files.get(folder).copied().unwrap_or(&index);
        let Some((here, there)) = order(owner, c) else {
            continue;
        };
        let d = Diagnostic::error(
            "output-collision",
            format!(
                "`{folder}` would be a file and a folder at once: {} writes `{}` and {} writes `{}`",
                here.by.this(),
                here.path,
                there.by.name(&there.path),
                there.path
            ),
        );
        problems.push(
            here.by
                .locate(d)
                .with_hint("rename the file or the folder, or remove the alias"),
        );
    }
    problems
}

/// Two paths that differ only in letter case or Unicode normalization: one file on macOS and
/// Windows, so one would replace the other there.
fn one_file_elsewhere(claims: &[Claim<'_>]) -> Vec<Diagnostic> {
    let mut by_key: BTreeMap<String, Vec<&Claim<'_>>> = BTreeMap::new();
    for c in claims {
        by_key.entry(fold(&c.path)).or_default().push(c);
    }
    let mut problems = Vec::new();
    for group in by_key.values() {
        let first = group[0];
        let mut done = HashSet::from([first.path.as_ref()]);
        for c in &group[1..] {
            if !done.insert(c.path.as_ref()) {
                continue;
            }
            let Some((here, there)) = order(first, c) else {
                continue;
            };
            let d = Diagnostic::error(
                "output-collision",
                format!(
                    "{} writes `{}` and {} writes `{}`: the two differ only in {}, and are one file on macOS and Windows",
                    here.by.this(),
                    here.path,
                    there.by.name(&there.path),
                    there.path,
                    if here.path.nfc().eq(there.path.nfc()) {
                        "Unicode normalization (an accent written as part of its letter, or as a character of its own)"
                    } else {
                        "letter case"
                    }
                ),
            );
            problems.push(here.by.locate(d).with_hint("rename one of them"));
        }
    }
    problems
}

/// The form of a path that case-insensitive, normalizing file systems compare.
pub(crate) fn fold(path: &str) -> String {
    // Nearly every path is ASCII, which normalization leaves as it is.
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.nfc().flat_map(char::to_lowercase).nfc().collect()
}

/// File and folder names longer than file systems allow.
fn too_long(claims: &[Claim<'_>]) -> Vec<Diagnostic> {
    claims
        .iter()
        .filter_map(|c| {
            let name = c.path.split('/').find(|n| n.len() > MAX_NAME_BYTES)?;
            let d = Diagnostic::error(
                "output-name-too-long",
                format!(
                    "{} writes a name of {} bytes, `{}…`; file systems allow {MAX_NAME_BYTES}",
                    c.by.this(),
                    name.len(),
                    name.chars().take(40).collect::<String>()
                ),
            )
            .with_hint("shorten the file or folder name, or give the page a shorter `slug`");
            (c.by.rank() > 0).then(|| c.by.locate(d))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Rendered;
    use crate::paths::UrlPath;
    use crate::site::tests::{page, site_of, titled};

    #[test]
    fn a_clean_check_is_kept_while_the_claims_are_the_same_and_problems_are_found_anew() {
        let theme = Theme::load(std::path::Path::new("/nowhere")).expect("the built-in theme");
        let a = page("a.md", titled("A"), Rendered::default());
        let clean = site_of(vec![a.clone()]);
        // A page on the 404 page's path.
        let broken = site_of(vec![a, page("404.md", titled("Lost"), Rendered::default())]);
        let mut memo = Memo::default();
        assert_eq!(check_kept(&clean, &theme, &mut memo, false), []);
        assert!(memo.whole);
        assert_eq!(check_kept(&clean, &theme, &mut memo, false), []);
        assert!(!memo.whole);
        for _ in 0..2 {
            let found = check_kept(&broken, &theme, &mut memo, false);
            assert_eq!(found, check(&broken, &theme));
            assert_eq!(
                found.iter().map(|d| d.message.as_str()).collect::<Vec<_>>(),
                ["`404.html` would be written twice, by this page and by the 404 page"]
            );
            assert!(memo.whole);
        }
        assert_eq!(check_kept(&clean, &theme, &mut memo, false), []);
        assert!(memo.whole);
    }

    #[test]
    fn a_redirect_is_named_by_what_made_it() {
        let theme = Theme::load(std::path::Path::new("/nowhere")).expect("the built-in theme");
        let mut site = site_of(vec![page("a.md", titled("A"), Rendered::default())]);
        let messages = |site: &Site| -> Vec<String> {
            check(site, &theme)
                .into_iter()
                .map(|d| d.to_string())
                .collect()
        };
        let hint = "  = hint: stepbook writes `404.html` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)";
        for (why, by) in [
            (Why::Alias, "this alias"),
            (Why::IntercomId, "the redirect of this `intercom_id`"),
            (Why::OldAddress, "the redirect from this page's old address"),
        ] {
            site.redirects = std::sync::Arc::new(vec![crate::site::Redirect {
                from: UrlPath::new("404.html".to_string()),
                to: 0,
                why,
            }]);
            assert_eq!(
                messages(&site),
                [format!(
                    "error[output-collision]: `404.html` would be written twice, by {by} and by the 404 page\n  --> /site/content/a.md:1:1\n{hint}"
                )]
            );
        }
    }
}
