//! Links: `.md` targets and `[[wiki links]]` become page URLs; every internal link is
//! recorded (user guide: `content/write/link-between-articles.md`).
//!
//! `[text](../billing/refunds.md#step-3)` is resolved against the linking file and rewritten
//! to the target page's relative URL, fragment kept. `[[Title]]`, `[[Title#Heading]]` and
//! `[[Title|text]]` are resolved by title (case-insensitive) or slug. Same-page `#fragments`
//! stay as written; external links and links to other files (images, PDFs) are left alone.
//! Links written without text get a marker that [`crate::site`] replaces with the target's
//! title or heading. Whether fragments exist is the link checker's job.

use std::borrow::Cow;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use rustc_hash::FxHashMap;

use super::ids::github_slug;
use super::{Ctx, Events, Input, LinkRef, Reads, Rendered};
use crate::diagnostics::Diagnostic;
use crate::paths::{SourcePath, UrlPath, percent_decode};

/// `my%20file.md` -> `my file.md`; a path with a broken escape is kept as written.
fn decoded(path: &str) -> String {
    percent_decode(path).unwrap_or_else(|| path.to_string())
}

/// Every Markdown page of the site, for resolving links before pages are rendered.
#[derive(Debug, Default, Clone)]
pub struct PageTable {
    pub urls: FxHashMap<SourcePath, UrlPath>,
    /// Lowercased title -> pages with that title.
    by_title: FxHashMap<String, Vec<SourcePath>>,
    /// URL slug (file name without `.html`) -> pages.
    by_slug: FxHashMap<String, Vec<SourcePath>>,
    titles: Vec<String>,
    /// The ranker over `titles`, built the first time a wiki link names no page.
    near_titles: std::sync::OnceLock<crate::suggest::Suggester>,
}

impl PageTable {
    /// An empty table with room for `pages` pages: a site's table is made whole, and
    /// growing its maps page by page rehashed each of them a dozen times.
    pub fn with_capacity(pages: usize) -> PageTable {
        PageTable {
            urls: FxHashMap::with_capacity_and_hasher(pages, Default::default()),
            by_title: FxHashMap::with_capacity_and_hasher(pages, Default::default()),
            by_slug: FxHashMap::with_capacity_and_hasher(pages, Default::default()),
            titles: Vec::with_capacity(pages),
            near_titles: Default::default(),
        }
    }

    pub fn insert(&mut self, source: SourcePath, url: UrlPath, title: &str) {
        let slug = url
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".html")
            .to_string();
        self.by_title
            .entry(title.trim().to_lowercase())
            .or_default()
            .push(source.clone());
        self.by_slug.entry(slug).or_default().push(source.clone());
        self.titles.push(title.to_string());
        self.near_titles = std::sync::OnceLock::new();
        self.urls.insert(source, url);
    }

    /// The URL of the page made from `source`, noted in `reads`.
    pub fn url(&self, source: &SourcePath, reads: &mut Reads) -> Option<&UrlPath> {
        let url = self.urls.get(source);
        reads.urls.push((source.clone(), url.cloned()));
        url
    }

    /// [`PageTable::find`], noted in `reads`.
    pub fn lookup(&self, name: &str, reads: &mut Reads) -> &[SourcePath] {
        let found = self.find(name);
        reads.names.push((name.to_string(), found.to_vec()));
        found
    }

    /// A fingerprint of [`PageTable::titles`], to tell whether they changed.
    pub fn titles_fingerprint(&self) -> u64 {
        crate::suggest::fingerprint(&self.titles)
    }

    /// Up to `n` page titles nearest to `name`, best first; having read every title is
    /// noted in `reads`.
    pub fn near_titles(&self, name: &str, n: usize, reads: &mut Reads) -> Vec<&str> {
        reads.titles = true;
        let titles = self
            .near_titles
            .get_or_init(|| crate::suggest::Suggester::new(self.titles.iter().map(String::as_str)));
        let found = titles.closest(name, n);
        found.into_iter().map(|i| self.titles[i].as_str()).collect()
    }

    /// Pages whose title (case-insensitive) or else slug is `name`.
    pub fn find(&self, name: &str) -> &[SourcePath] {
        let key = name.trim().to_lowercase();
        match self.by_title.get(&key) {
            Some(found) => found,
            None => self.by_slug.get(&key).map(Vec::as_slice).unwrap_or(&[]),
        }
    }
}

/// The links pass: rewrites link targets and records every internal link, file link and
/// wiki-link problem in [`Ctx::out`].
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    let input = cx.input;
    // A link keeps its events unless its text goes (a wiki link without `|text`) or it has
    // none (it gets a marker): when no link of the page does either, targets change in place.
    let moves = events.windows(2).any(|w| match &w[0].0 {
        Event::Start(Tag::Link {
            link_type: LinkType::WikiLink { has_pothole: false },
            ..
        }) => true,
        Event::Start(Tag::Link { .. }) => matches!(w[1].0, Event::End(TagEnd::Link)),
        _ => false,
    });
    if !moves {
        for (event, range) in events.iter_mut() {
            if let Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) = event
            {
                let dest = std::mem::replace(dest_url, CowStr::Borrowed(""));
                *dest_url = retarget(*link_type, dest, range, input, cx).0;
            }
        }
        return;
    }
    let mut out = cx.fresh(events.len());
    let mut iter = events.drain(..).peekable();
    while let Some((event, range)) = iter.next() {
        let Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) = event
        else {
            out.push((event, range));
            continue;
        };
        let recorded = cx.links.len();
        let (dest, replace_text) = retarget(link_type, dest_url, &range, input, cx);
        out.push((
            Event::Start(Tag::Link {
                link_type,
                dest_url: dest,
                title,
                id,
            }),
            range.clone(),
        ));
        if replace_text {
            while iter
                .peek()
                .is_some_and(|(e, _)| !matches!(e, Event::End(TagEnd::Link)))
            {
                iter.next();
            }
        }
        let empty = matches!(iter.peek(), Some((Event::End(TagEnd::Link), _)));
        let links = &mut cx.links;
        if empty && links.len() > recorded {
            links[recorded].fill = true;
            out.push((Event::Text(CowStr::from(fill_marker(recorded))), range));
        }
    }
    drop(iter);
    cx.replace(events, out);
}

/// The href a link at `range` gets, recording what it links to in `out`; and whether its
/// text is to be replaced (a wiki link written without `|text`).
fn retarget<'a>(
    link_type: LinkType,
    dest_url: CowStr<'a>,
    range: &std::ops::Range<usize>,
    input: &Input<'_>,
    cx: &mut Ctx<'_, '_>,
) -> (CowStr<'a>, bool) {
    let (links, reads, locate) = (&mut cx.links, &mut cx.reads, &cx.locate);
    let Rendered {
        file_links,
        relocated,
        diagnostics: problems,
        ..
    } = &mut cx.out;
    let span = input.body_offset + range.start..input.body_offset + range.end;
    if let LinkType::WikiLink { has_pothole } = link_type {
        match wiki_target(&dest_url, input, reads) {
            Ok((target, fragment)) => {
                let url = input.pages.url(&target, reads).cloned();
                let href = url.map(|u| input.url.href_to(&u)).unwrap_or_default();
                let href = match &fragment {
                    Some(f) => format!("{href}#{f}"),
                    None => href,
                };
                links.push(LinkRef {
                    target: Some(target),
                    fragment,
                    span,
                    fill: false,
                });
                (CowStr::from(href), !has_pothole)
            }
            Err(message) => {
                let (message, hint) = message;
                problems.push(
                    Diagnostic::error("wiki-link", message)
                        .located(locate, span.start, span.len())
                        .with_hint(hint),
                );
                (dest_url, false)
            }
        }
    } else {
        let base = input.base_at(range.start);
        let mut moved = None;
        if let Target::File(path) = classify(&dest_url)
            && let Some(p) = base.join_link(&decoded(path))
        {
            // A link to a file written from another folder than the page's (a snippet's, or a
            // translation's under its language's folder) is led from the page.
            if input.away_from(base) {
                let href = file_href(input, &p, &dest_url[path.len()..]);
                relocated.push((span.clone(), href.clone()));
                moved = Some(CowStr::from(href));
            }
            file_links.push((p.to_string(), span.clone()));
        }
        let resolved = match resolve(&dest_url, span.clone(), base, input, reads, links) {
            Ok(href) => href,
            Err(d) => {
                problems.push(d.located(locate, span.start, span.len()));
                None
            }
        };
        (resolved.or(moved).unwrap_or(dest_url), false)
    }
}

/// Resolves a Markdown link at `span`; returns the new href when it changes, or the problem
/// with it (to be placed at the link).
fn resolve<'a>(
    dest: &str,
    span: std::ops::Range<usize>,
    base: &SourcePath,
    input: &Input<'_>,
    reads: &mut Reads,
    links: &mut Vec<LinkRef>,
) -> Result<Option<CowStr<'a>>, Diagnostic> {
    match classify(dest) {
        Target::External | Target::File(_) => Ok(None),
        Target::Fragment(frag) => {
            links.push(LinkRef {
                target: None,
                fragment: Some(frag.to_string()),
                span,
                fill: false,
            });
            Ok(None)
        }
        Target::Page(path, frag) => {
            let Some(target) = base.join_link(&decoded(path)) else {
                return Err(Diagnostic::error(
                    "link-outside",
                    format!("link to `{dest}` leaves the content folder"),
                )
                .with_hint("link to a page inside the content folder"));
            };
            let href = input
                .pages
                .url(&target, reads)
                .map(|url| input.url.href_to(url));
            links.push(LinkRef {
                target: Some(target),
                fragment: frag.map(str::to_string),
                span,
                fill: false,
            });
            Ok(match (href, frag) {
                (Some(h), Some(f)) => Some(CowStr::from(format!("{h}#{f}"))),
                (Some(h), None) => Some(CowStr::from(h)),
                (None, _) => None,
            })
        }
    }
}

/// The href from the page to the content file `file`, with what followed its path in the
/// written target (`?query`, `#fragment`).
pub(crate) fn file_href(input: &Input<'_>, file: &SourcePath, tail: &str) -> String {
    let mut href = input.url.href_to(&UrlPath::new(file.as_str()));
    href.push_str(tail);
    href
}

type Problem = (String, String);

/// `Title#Heading text` -> the page and the heading's id.
fn wiki_target(
    dest: &str,
    input: &Input<'_>,
    reads: &mut Reads,
) -> Result<(SourcePath, Option<String>), Problem> {
    // Inside a table cell the pipe is written `\|`, which leaves a backslash on the title.
    let dest = dest.trim_end_matches('\\');
    let (name, heading) = match dest.split_once('#') {
        Some((n, h)) => (n.trim(), Some(h.trim())),
        None => (dest.trim(), None),
    };
    let fragment = heading.filter(|h| !h.is_empty()).map(github_slug);
    if name.is_empty() {
        return Ok((input.source_path.clone(), fragment));
    }
    match input.pages.lookup(name, reads) {
        [one] => Ok((one.clone(), fragment)),
        [] => {
            let near = input.pages.near_titles(name, 3, reads);
            let hint = if near.is_empty() {
                "write the exact title of an article, or its slug".to_string()
            } else {
                format!(
                    "did you mean {}?",
                    near.iter()
                        .map(|t| format!("[[{t}]]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            Err((format!("no page is titled \"{name}\""), hint))
        }
        many => Err((
            format!(
                "\"{name}\" is the title of {} pages: {}",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "link with a relative path instead, e.g. `[text](billing/refunds.md)`".to_string(),
        )),
    }
}

/// Stands in the HTML for the text of the empty link recorded at `index`, until the site
/// knows every page's headings and fills it in ([`crate::site`]).
pub fn fill_marker(index: usize) -> String {
    format!("{FILL}{index}\u{E000}")
}

/// How a [`fill_marker`] starts.
const FILL: &str = "\u{E000}fill";

/// `text` with each [`fill_marker`] for which `words` has words (by the link's index)
/// replaced by them, in one pass whatever the number of markers; `text` itself when it holds
/// no marker.
pub fn fill_in<'t, 'w>(text: &'t str, words: impl Fn(usize) -> Option<&'w str>) -> Cow<'t, str> {
    let Some(first) = text.find(FILL) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut at = Some(first);
    while let Some(i) = at {
        out.push_str(&rest[..i]);
        let after = &rest[i + FILL.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        // A marker's number is written without leading zeros.
        let index = (digits == 1 || !after.starts_with('0'))
            .then(|| after[..digits].parse::<usize>().ok())
            .flatten();
        let closed = after[digits..].starts_with('\u{E000}');
        let filled = index.filter(|_| closed).and_then(&words);
        match filled {
            Some(w) => {
                out.push_str(w);
                rest = &after[digits + '\u{E000}'.len_utf8()..];
            }
            None => {
                out.push_str(FILL);
                rest = after;
            }
        }
        at = rest.find(FILL);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

enum Target<'s> {
    External,
    /// A relative path to something other than a Markdown page.
    File(&'s str),
    Fragment(&'s str),
    /// A Markdown file and an optional fragment.
    Page(&'s str, Option<&'s str>),
}

fn classify(dest: &str) -> Target<'_> {
    if let Some(frag) = dest.strip_prefix('#') {
        return Target::Fragment(frag);
    }
    let has_scheme = dest
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|s| s.contains(':'));
    if has_scheme || dest.starts_with("//") {
        return Target::External;
    }
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    if path.to_ascii_lowercase().ends_with(".md") {
        Target::Page(path, frag)
    } else if path.is_empty() || path.starts_with('/') {
        Target::External
    } else {
        Target::File(path.split('?').next().unwrap_or(path))
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_at;

    #[test]
    fn md_links_become_page_urls() {
        let r = render_at(
            "write/a.md",
            "[x](../get-started/install.md#run-step-2) [y](b.md) [z](#here) [w](https://e.com/a.md) [p](pic.png)",
        );
        assert!(
            r.html
                .contains("href=\"../get-started/install.html#run-step-2\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"b.html\""));
        assert!(r.html.contains("href=\"#here\""));
        assert!(r.html.contains("href=\"https://e.com/a.md\""));
        assert!(r.html.contains("href=\"pic.png\""));
        let targets: Vec<_> = r
            .links
            .iter()
            .map(|l| (l.target.as_ref().map(|t| t.to_string()), l.fragment.clone()))
            .collect();
        assert_eq!(
            targets,
            vec![
                (
                    Some("get-started/install.md".into()),
                    Some("run-step-2".into())
                ),
                (Some("write/b.md".into()), None),
                (None, Some("here".into())),
            ]
        );
    }

    #[test]
    fn empty_links_get_a_marker() {
        let r = render_at("a.md", "[](b.md#x) [t](b.md)");
        assert!(r.links[0].fill && !r.links[1].fill);
        assert!(
            r.html.contains(&format!(">{}</a>", super::fill_marker(0))),
            "{}",
            r.html
        );
    }

    #[test]
    fn wiki_links_resolve_by_title_or_slug() {
        let r = render_at(
            "write/a.md",
            "[[install stepbook]] [[Alpha#Some Heading|see here]] [[install#Run it]] [[b]]",
        );
        assert!(
            r.html.contains(&format!(
                "<a href=\"../get-started/install.html\">{}</a>",
                super::fill_marker(0)
            )),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<a href=\"../a.html#some-heading\">see here</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("href=\"../get-started/install.html#run-it\""),
            "{}",
            r.html
        );
        assert!(r.links[0].fill && !r.links[1].fill && r.links[2].fill);
        assert_eq!(r.links[1].fragment.as_deref(), Some("some-heading"));
        assert!(r.html.contains("<a href=\"b.html\">"), "{}", r.html);
    }

    #[test]
    fn wiki_link_errors() {
        let r = render_at("a.md", "[[Instal stepbook]] [[Billing basics]]");
        let messages: Vec<_> = r
            .diagnostics
            .iter()
            .map(|d| (d.message.as_str(), d.hint.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "no page is titled \"Instal stepbook\"",
                    "did you mean [[Install stepbook]]?"
                ),
                (
                    "\"Billing basics\" is the title of 2 pages: write/b.md, write/c.md",
                    "link with a relative path instead, e.g. `[text](billing/refunds.md)`"
                ),
            ]
        );
    }

    #[test]
    fn links_above_the_root_are_errors() {
        let r = render_at("a.md", "[x](../../etc/passwd.md)");
        assert_eq!(r.diagnostics[0].code, "link-outside");
    }
}
