//! Link checking: every internal link and fragment against the whole site.
//!
//! In: a [`Site`]. Out: one diagnostic per broken link, at the link's `file:line:col`, with the
//! closest existing pages or ids as suggestions. Severity follows `[build] link-check`. This
//! module changes nothing; it only reads the link tables that rendering recorded.

pub mod memo;

pub use memo::Memo;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::config::LinkCheck;
use crate::diagnostics::{Diagnostic, Locator};
use crate::markdown::images::ImageRef;
use crate::paths::SourcePath;
use crate::site::{Page, Site};
use crate::suggest::{self, Names};

/// Checks every link of every page.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    check_in(site, None)
}

/// [`check`] for the site of a language, whose links lead to the default language's pages
/// (`fallback`) where a page has no translation.
pub fn check_in(site: &Site, fallback: Option<&Site>) -> Vec<Diagnostic> {
    let all: Vec<&Page> = site.pages().collect();
    // In parallel, a few chunks per thread, each with its own caches; order is kept.
    let size = all.len().div_ceil(rayon::current_num_threads() * 4).max(64);
    let (mut problems, redirects) = rayon::join(
        || {
            all.par_chunks(size)
                .flat_map_iter(|chunk| check_pages(site, fallback, chunk.iter().copied()))
                .collect::<Vec<_>>()
        },
        || check_redirect_links_of(site, site.pages()),
    );
    problems.extend(redirects);
    problems
}

/// The ids of the page (headings, steps, options and its title), in page order.
fn ids(p: &Page) -> impl Iterator<Item = &str> {
    p.md.ids
        .iter()
        .chain(p.md.title_id.iter())
        .map(|i| i.as_str())
}

/// Every id of the page, each once, in page order.
fn ids_of(p: &Page) -> Vec<&str> {
    let mut seen = HashSet::default();
    ids(p).filter(|i| seen.insert(*i)).collect()
}

/// Checks the links of `checked`.
fn check_pages<'a>(
    site: &'a Site,
    fallback: Option<&'a Site>,
    checked: impl Iterator<Item = &'a Page>,
) -> Vec<Diagnostic> {
    // The "did you mean" lists are worked out only when a link needs one: most links name a
    // page without a fragment, and most pages have no broken link.
    let mut problems = Vec::new();
    let mut near = Near::new(site);
    for page in checked {
        problems.extend(check_page(site, fallback, page, &mut near));
    }
    problems
}

/// The "did you mean" lists of a run of [`check_page`], made only when needed.
struct Near<'a> {
    pages: NearPages<'a>,
    images: NearImages<'a>,
}

impl<'a> Near<'a> {
    fn new(site: &'a Site) -> Self {
        Near {
            pages: NearPages::new(site),
            images: NearImages::new(site),
        }
    }
}

/// Checks the links and images of `page`.
fn check_page<'a>(
    site: &'a Site,
    fallback: Option<&'a Site>,
    page: &'a Page,
    near: &mut Near<'a>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let locate = Locator::new(&page.abs, &page.text);
    // The ids of each page linked with a fragment (by the source the link names, which
    // finds the page), gathered once: a page may link to one page (itself, say) thousands of
    // times.
    let mut ids_at: HashMap<&SourcePath, HashSet<&str>> = HashMap::default();
    for link in &page.md.links {
        let target = link.target.as_ref().unwrap_or(&page.source);
        let written = &page.text[link.span.clone()];
        let found = site.page(target);
        let Some(target_page) = found.or_else(|| fallback?.page(target)) else {
            match site.unavailable.get(target) {
                Some(&"is a draft") => {
                    let d = diagnostic(
                        site,
                        format!("link target `{target}` is a draft"),
                        "link-to-draft",
                    )
                    .located(
                        &locate,
                        link.span.start,
                        written.lines().next().unwrap_or("").len(),
                    )
                    .with_hint(
                        "publish the target (remove `draft: true`), or build with `--drafts`",
                    );
                    problems.push(d);
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            let mut d = diagnostic(
                site,
                format!("link target `{target}` does not exist"),
                "link-missing-page",
            )
            .located(
                &locate,
                link.span.start,
                written.lines().next().unwrap_or("").len(),
            );
            let near = near.pages.of(target, &page.source);
            d = match near.as_slice() {
                [] => d.with_hint("check the file name and the path relative to this file"),
                found => d.with_hint(format!("did you mean {}?", quote_list(found))),
            };
            problems.push(d);
            continue;
        };
        let Some(fragment) = link.fragment.as_deref().filter(|f| !f.is_empty()) else {
            continue;
        };
        let known = (ids_at.entry(target)).or_insert_with(|| ids(target_page).collect());
        if known.contains(fragment) {
            continue;
        }
        let on = if link.target.is_some() {
            format!("in {}", target_page.source)
        } else {
            "in this page".into()
        };
        let d = diagnostic(
            site,
            format!("`#{fragment}` is not an id {on}"),
            "link-missing-fragment",
        )
        .located(
            &locate,
            link.span.start,
            written.lines().next().unwrap_or("").len(),
        )
        .with_hint(fragment_hint(target_page, fragment, written));
        problems.push(d);
    }
    for image in &page.md.images {
        if let Some(d) = near.images.check(page, &locate, image) {
            problems.push(d);
        }
    }
    problems
}

/// What to write instead of a missing `#fragment`: for a `[[Title#Heading]]` wiki link, the
/// nearest headings as the writer writes them; for any other link, the nearest ids.
fn fragment_hint(target: &Page, fragment: &str, written: &str) -> String {
    if let Some(inner) = written
        .strip_prefix("[[")
        .and_then(|w| w.strip_suffix("]]"))
    {
        let (dest, text) = match inner.split_once('|') {
            Some((d, t)) => (d, format!("|{t}")),
            None => (inner, String::new()),
        };
        let (name, heading) = dest.split_once('#').unwrap_or((dest, ""));
        let texts: Vec<&str> = target.md.headings.iter().map(|h| h.text.as_str()).collect();
        let near: Vec<String> = suggest::closest(heading.trim(), &texts, 3)
            .iter()
            .map(|h| format!("[[{name}#{h}{text}]]"))
            .collect();
        return match near.as_slice() {
            [] => "name a heading of that page as it reads, e.g. `[[Title#Heading text]]`".into(),
            found => format!("did you mean {}?", quote_list(found)),
        };
    }
    let known = ids_of(target);
    match suggest::closest(fragment, &known, 3).as_slice() {
        [] => "link to a heading, a step or an explicit `{#id}` of that page".into(),
        found => format!("the closest ids are {}", quote_list(found)),
    }
}

/// Images that name a file the site does not have, with the nearest files that exist.
struct NearImages<'a> {
    site: &'a Site,
    files: Option<HashSet<&'a str>>,
    /// Made only when an image is missing: ranking every file takes a while.
    names: Option<Names<'a>>,
}

impl<'a> NearImages<'a> {
    fn new(site: &'a Site) -> Self {
        NearImages {
            site,
            files: None,
            names: None,
        }
    }

    fn check(&mut self, page: &Page, locate: &Locator, image: &ImageRef) -> Option<Diagnostic> {
        let written = page.text[image.span.clone()].lines().next().unwrap_or("");
        let at = |d: Diagnostic| d.located(locate, image.span.start, written.len());
        let Some(file) = &image.file else {
            return Some(
                at(diagnostic(
                    self.site,
                    "this image is outside the content folder".into(),
                    "image-missing",
                ))
                .with_hint("only files in the content folder are published: move the image there"),
            );
        };
        let site = self.site;
        let known = self
            .files
            .get_or_insert_with(|| site.assets.iter().map(|a| a.path.as_str()).collect());
        if known.contains(file.as_str()) {
            return None;
        }
        let suggester = self.names.get_or_insert_with(|| {
            Names::new(site.assets.iter().map(|a| a.path.as_str()).collect())
        });
        let near: Vec<String> = suggester
            .closest_path(file.as_str(), 3)
            .iter()
            .map(|n| written_from(&page.source, n))
            .collect();
        let d = at(diagnostic(
            site,
            format!("image `{file}` does not exist"),
            "image-missing",
        ));
        Some(match near.as_slice() {
            [] => d.with_hint(
                "image paths are relative to this file; put the image in the content folder",
            ),
            found => d.with_hint(format!("did you mean {}?", quote_list(found))),
        })
    }
}

/// The pages nearest to a link target that does not exist, as the linking page would write
/// them. Collection indexes are offered only for a target named like one, and a page never
/// for its own links.
struct NearPages<'a> {
    site: &'a Site,
    articles: Option<Names<'a>>,
    all: Option<Names<'a>>,
    /// Many links often miss the same page: its suggestions are worked out once.
    found: HashMap<&'a SourcePath, Vec<&'a str>>,
}

impl<'a> NearPages<'a> {
    fn new(site: &'a Site) -> Self {
        NearPages {
            site,
            articles: None,
            all: None,
            found: HashMap::default(),
        }
    }

    fn of(&mut self, target: &'a SourcePath, from: &SourcePath) -> Vec<String> {
        let site = self.site;
        let near = self.found.entry(target).or_insert_with(|| {
            let (slot, pages): (_, Box<dyn Iterator<Item = &'a Page>>) =
                if suggest::typo_of(target.stem().trim_start_matches('_'), &["index"]).is_some() {
                    (&mut self.all, Box::new(site.pages()))
                } else {
                    (
                        &mut self.articles,
                        Box::new(site.articles.iter().map(|a| &a.page)),
                    )
                };
            slot.get_or_insert_with(|| Names::new(pages.map(|p| p.source.as_str()).collect()))
                .closest_path(target.as_str(), 4)
        });
        near.iter()
            .filter(|n| **n != from.as_str())
            .take(3)
            .map(|n| written_from(from, n))
            .collect()
    }
}

/// The content path `target` as a link on the page at `from` writes it: relative to the
/// page's folder, climbing with `../` only as far as needed.
fn written_from(from: &SourcePath, target: &str) -> String {
    let dir: Vec<&str> = from.dir().split('/').filter(|s| !s.is_empty()).collect();
    let parts: Vec<&str> = target.split('/').collect();
    let (folders, file) = parts.split_at(parts.len() - 1);
    let common = dir.iter().zip(folders).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(dir.len() - common);
    for f in &folders[common..] {
        out.push_str(f);
        out.push('/');
    }
    out.push_str(file[0]);
    out
}

/// Content links never point at a redirect stub: they name the article itself.
pub fn check_redirect_links(site: &Site) -> Vec<Diagnostic> {
    check_redirect_links_of(site, site.pages())
}

fn check_redirect_links_of<'a>(
    site: &'a Site,
    checked: impl Iterator<Item = &'a Page>,
) -> Vec<Diagnostic> {
    let checked: Vec<&Page> = checked.filter(|p| !p.md.file_links.is_empty()).collect();
    if checked.is_empty() || site.redirects.is_empty() {
        return Vec::new();
    }
    let stubs = redirect_stubs(site);
    checked
        .into_iter()
        .flat_map(|page| redirect_links_of_page(site, &stubs, page))
        .collect()
}

/// Every redirect stub's path, with the article it leads to.
fn redirect_stubs(site: &Site) -> HashMap<&str, usize> {
    site.redirects
        .iter()
        .map(|r| (r.from.as_str(), r.to))
        .collect()
}

/// The links of `page` that point at a redirect stub of `stubs`.
fn redirect_links_of_page(
    site: &Site,
    stubs: &HashMap<&str, usize>,
    page: &Page,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let locate = Locator::new(&page.abs, &page.text);
    for (path, span) in &page.md.file_links {
        let trimmed = path.trim_end_matches('/');
        let as_dir = format!("{trimmed}/index.html");
        let Some(&to) = stubs
            .get(path.as_str())
            .or_else(|| stubs.get(as_dir.as_str()))
        else {
            continue;
        };
        let target = &site.articles[to].page.source;
        let written = page.text[span.clone()].lines().next().unwrap_or("");
        problems.push(
            diagnostic(
                site,
                format!("this link points at a redirect to {target}"),
                "link-to-redirect",
            )
            .located(&locate, span.start, written.len())
            .with_hint(format!(
                "link to the article itself: `{}`",
                relative_md(&page.source, target)
            )),
        );
    }
    problems
}

/// `target` written relative to the page at `from`.
fn relative_md(from: &SourcePath, target: &SourcePath) -> String {
    let depth = if from.dir().is_empty() {
        0
    } else {
        from.dir().split('/').count()
    };
    format!("{}{target}", "../".repeat(depth))
}

fn diagnostic(site: &Site, message: String, code: &'static str) -> Diagnostic {
    match site.config.link_check {
        LinkCheck::Error => Diagnostic::error(code, message),
        LinkCheck::Warn => Diagnostic::warning(code, message),
    }
}

fn quote_list(items: &[impl AsRef<str>]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
