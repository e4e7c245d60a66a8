//! Link checking: every internal link and fragment against the whole site.
//!
//! In: a [`Site`]. Out: one diagnostic per broken link, at the link's `file:line:col`, with the
//! closest existing pages or ids as suggestions. Severity follows `[build] link-check`. This
//! module changes nothing; it only reads the link tables that rendering recorded.

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::config::LinkCheck;
use crate::diagnostics::Diagnostic;
use crate::paths::SourcePath;
use crate::site::{Page, Site};

/// Checks every link of every page.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let pages: HashMap<&SourcePath, &Page> = site.pages().map(|p| (&p.source, p)).collect();
    let all: Vec<&Page> = site.pages().collect();
    // In parallel, a few chunks per thread, each with its own caches; order is kept.
    let size = all.len().div_ceil(rayon::current_num_threads() * 4).max(64);
    let (mut problems, redirects) = rayon::join(
        || {
            all.par_chunks(size)
                .flat_map_iter(|chunk| {
                    check_pages(site, chunk.iter().copied(), &mut |t| pages.get(t).copied())
                })
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

/// Checks the links of `checked`; `page_at` finds the page of the site at a source path.
fn check_pages<'a>(
    site: &'a Site,
    checked: impl Iterator<Item = &'a Page>,
    page_at: &mut dyn FnMut(&'a SourcePath) -> Option<&'a Page>,
) -> Vec<Diagnostic> {
    // The "did you mean" lists are worked out only when a link needs one: most links name a
    // page without a fragment, and most pages have no broken link.
    let mut problems = Vec::new();
    let mut suggester: Option<Suggester> = None;
    // Many links often miss the same page: work out its suggestions once.
    let mut suggestions: HashMap<&SourcePath, Vec<&str>> = HashMap::default();
    for page in checked {
        for link in &page.md.links {
            let target = link.target.as_ref().unwrap_or(&page.source);
            let written = &page.text[link.span.clone()];
            let Some(target_page) = page_at(target) else {
                match site.unavailable.get(target) {
                    Some(&"is a draft") => {
                        let d = diagnostic(
                            site,
                            format!("link target `{target}` is a draft"),
                            "link-to-draft",
                        )
                        .at(
                            &page.abs,
                            &page.text,
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
                .at(
                    &page.abs,
                    &page.text,
                    link.span.start,
                    written.lines().next().unwrap_or("").len(),
                );
                let near = suggestions.entry(target).or_insert_with(|| {
                    suggester
                        .get_or_insert_with(|| {
                            let names: Vec<&str> =
                                site.pages().map(|p| p.source.as_str()).collect();
                            Suggester::new(&names)
                        })
                        .closest(target.as_str(), 3)
                });
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
            if ids(target_page).any(|i| i == fragment) {
                continue;
            }
            let known = ids_of(target_page);
            let on = if link.target.is_some() {
                format!("in {}", target_page.source)
            } else {
                "in this page".into()
            };
            let mut d = diagnostic(
                site,
                format!("`#{fragment}` is not an id {on}"),
                "link-missing-fragment",
            )
            .at(
                &page.abs,
                &page.text,
                link.span.start,
                written.lines().next().unwrap_or("").len(),
            );
            let near = closest(fragment, &known, 3);
            d = match near.as_slice() {
                [] => d.with_hint("link to a heading, a step or an explicit `{#id}` of that page"),
                found => d.with_hint(format!("the closest ids are {}", quote_list(found))),
            };
            problems.push(d);
        }
    }
    problems
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
    let stubs: HashMap<&str, usize> = site
        .redirects
        .iter()
        .map(|r| (r.from.as_str(), r.to))
        .collect();
    let mut problems = Vec::new();
    for page in checked {
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
                .at(&page.abs, &page.text, span.start, written.len())
                .with_hint(format!(
                    "link to the article itself: `{}`",
                    relative_md(&page.source, target)
                )),
            );
        }
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

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to `n` candidates nearest to `word`, best first, leaving out the far-fetched.
pub fn closest<'a>(word: &str, candidates: &[&'a str], n: usize) -> Vec<&'a str> {
    Suggester::new(candidates).closest(word, n)
}

/// "Did you mean" over a fixed set of names. Bigram overlap picks a short list cheaply; edit
/// distance ranks it. Build it once when many words are looked up in the same set.
pub struct Suggester<'a> {
    names: Vec<(&'a str, Vec<u32>)>,
}

impl<'a> Suggester<'a> {
    pub fn new(names: &[&'a str]) -> Self {
        Suggester {
            names: names.iter().map(|n| (*n, bigrams(n))).collect(),
        }
    }

    pub fn closest(&self, word: &str, n: usize) -> Vec<&'a str> {
        const SHORTLIST: usize = 24;
        let grams = bigrams(word);
        let mut short: Vec<(usize, &str)> = self
            .names
            .iter()
            .map(|(name, g)| (shared(&grams, g), *name))
            .filter(|(k, name)| *k > 0 || word.len() <= 3 || name.len() <= 3)
            .collect();
        short.sort_by_key(|x| std::cmp::Reverse(x.0));
        short.truncate(SHORTLIST);
        let mut scored: Vec<(f64, &str)> = short
            .into_iter()
            .map(|(_, c)| {
                let sim = strsim::normalized_levenshtein(word, c);
                let bonus = if c.contains(word) || word.contains(c) {
                    0.3
                } else {
                    0.0
                };
                (sim + bonus, c)
            })
            .filter(|(s, _)| *s >= 0.5)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, c)| c).collect()
    }
}

/// Sorted, deduplicated character bigrams, lowercased, each packed into a `u32` hash.
fn bigrams(s: &str) -> Vec<u32> {
    let chars: Vec<char> = s.chars().flat_map(char::to_lowercase).collect();
    let mut out: Vec<u32> = chars
        .windows(2)
        .map(|w| (w[0] as u32).wrapping_mul(0x9E37_79B1) ^ w[1] as u32)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}
