//! Machine-readable copies: `llms.txt` and a Markdown copy of every article next to its HTML.
//!
//! In: the loaded site. Out: [`OutFile`]s. The copy of `write/steps.html` is `write/steps.md`:
//! the article's own Markdown with a short header (title, description, URL), its `.md` and
//! wiki links rewritten to the pages' URLs (absolute when `base-url` is set), and every step's
//! id written after its first line as `{#id}`, so that a support agent that answers from the
//! help center can cite "step 3" with a link straight to it. `llms.txt` lists every article's
//! copy by collection.

use std::ops::Range;

use super::OutFile;
use super::pages::markdown_path;
use crate::paths::{SourcePath, UrlPath};
use crate::site::{Article, Site};
use rustc_hash::FxHashMap;

/// The Markdown copy of one article.
pub fn copy(site: &Site, a: &Article) -> OutFile {
    let page = &a.page;
    let body = &page.text[page.body_offset..];
    let mut edits: Vec<(Range<usize>, Edit)> = Vec::new();
    let from = markdown_path(&page.url);
    let mut headings: FxHashMap<&SourcePath, FxHashMap<&str, &str>> = FxHashMap::default();
    for link in &page.md.links {
        let Some(span) = link
            .span
            .start
            .checked_sub(page.body_offset)
            .zip(link.span.end.checked_sub(page.body_offset))
        else {
            continue;
        };
        let target = match &link.target {
            Some(t) => site.article(t),
            None => Some(a),
        };
        let Some(target) = target else { continue };
        let url = href(site, &from, &target.page.url, link.fragment.as_deref());
        // An empty link text shows the heading it points at, or the page's title. Each
        // target's headings are indexed once: a page of many links to its own many headings
        // stays linear.
        let title = match link.fragment.as_deref() {
            Some(f) => headings
                .entry(&target.page.source)
                .or_insert_with(|| {
                    let md = &target.page.md;
                    md.headings
                        .iter()
                        .rev()
                        .map(|h| (h.id.as_str(), h.text.as_str()))
                        .collect()
                })
                .get(f)
                .copied(),
            None => None,
        }
        .unwrap_or(target.title.as_str());
        if let Some(written) = body.get(span.0..span.1)
            && let Some(new) = rewrite_link(written, &url, title)
        {
            edits.push((span.0..span.1, Edit::Text(new)));
        }
    }
    // A snippet's images and file links were written from the snippet's folder.
    for (span, url) in &page.md.relocated {
        let (Some(start), Some(end)) = (
            span.start.checked_sub(page.body_offset),
            span.end.checked_sub(page.body_offset),
        ) else {
            continue;
        };
        let overlaps = edits.iter().any(|(r, _)| r.start < end && start < r.end);
        let Some(written) = body.get(start..end).filter(|_| !overlaps) else {
            continue;
        };
        let (bang, link) = match written.strip_prefix('!') {
            Some(rest) => ("!", rest),
            None => ("", written),
        };
        if let Some(new) = rewrite_link(link, url, "") {
            edits.push((start..end, Edit::Text(format!("{bang}{new}"))));
        }
    }
    edits.extend(step_ids(body, &page.md.steps, &page.md.step_starts));
    let edited = apply(body, edits);
    // The title: the body's own leading `#` line, or one made from the title.
    let (title, rest) = match page.md.title {
        Some(_) => {
            let edited = edited.trim_start_matches(['\n', '\r']);
            edited.split_once('\n').unwrap_or((edited, ""))
        }
        None => ("", edited.as_str()),
    };
    let mut out = String::with_capacity(edited.len() + 256);
    if title.is_empty() {
        out.push_str(&format!("# {}\n\n", text(&a.title)));
    } else {
        out.push_str(title.trim_end());
        out.push_str("\n\n");
    }
    if let Some(d) = &page.fm.description {
        out.push_str(&format!("> {}\n\n", text(d)));
    }
    out.push_str(&format!("URL: {}\n\n", href(site, &from, &page.url, None)));
    out.push_str(rest.trim_start_matches(['\n', '\r']));
    OutFile::Bytes(from.to_string(), out.into_bytes())
}

/// A hash of everything [`copy`] reads to write the article's Markdown copy: its text,
/// title, description and URL, its steps, and what it reads of the pages it links to
/// ([`targets`]). The copy is written again only when this changes.
pub fn copy_key(site: &Site, a: &Article) -> u64 {
    let page = &a.page;
    super::key_of(&(
        &*page.text,
        page.body_offset,
        page.md.title.is_some(),
        &a.title,
        &page.fm.description,
        &page.url,
        &page.md.steps,
        targets(site, a),
        &page.md.relocated,
    ))
}

/// Link by link, what [`copy`] reads of the pages an article links to: where the link is,
/// the target's URL and, for a link written without text, the title or heading it names.
pub fn targets<'a>(site: &'a Site, a: &'a Article) -> impl std::hash::Hash + 'a {
    Targets(site, a)
}

/// Hashes as [`targets`] says, without collecting them.
struct Targets<'a>(&'a Site, &'a Article);

impl std::hash::Hash for Targets<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (site, a) = (self.0, self.1);
        state.write_usize(a.page.md.links.len());
        for link in &a.page.md.links {
            let target = match &link.target {
                Some(t) => site.article(t),
                None => Some(a),
            };
            // A title or heading is read only to fill a link written without text.
            let heading = target.filter(|_| link.fill).and_then(|t| {
                let f = link.fragment.as_deref()?;
                t.page.md.headings.iter().find(|h| h.id.as_str() == f)
            });
            (
                &link.span,
                &link.fragment,
                target.map(|t| (&t.page.url, link.fill.then_some(&t.title))),
                heading.map(|h| &h.text),
            )
                .hash(state);
        }
    }
}

/// Plain text (a title, a description) as Markdown that shows it as written: HTML
/// characters as entities, brackets escaped so that they never open or close a link.
fn text(s: &str) -> String {
    crate::markdown::escape(s)
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// `target#fragment`: absolute with `base-url`, else relative to `from`.
fn href(site: &Site, from: &UrlPath, target: &UrlPath, fragment: Option<&str>) -> String {
    let mut url = match &site.config.base_url {
        Some(base) => format!("{base}{target}"),
        None => from.href_to(target),
    };
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

/// `[text](dest "title")` or `[[target|label]]` pointing at `url`; `None` for shapes whose
/// destination is not inside the link (reference links), which stay as written.
/// `title` fills a link written with no text.
fn rewrite_link(link: &str, url: &str, title: &str) -> Option<String> {
    if let Some(inner) = link.strip_prefix("[[").and_then(|t| t.strip_suffix("]]")) {
        let label = inner.split_once('|').map_or(inner, |(_, l)| l).trim();
        return Some(format!("[{}]({url})", text(label)));
    }
    let close = link.rfind("](")?;
    if !link.ends_with(')') {
        return None;
    }
    let label = &link[1..close];
    if label.trim().is_empty() {
        Some(format!("[{}]({url})", text(title)))
    } else {
        Some(format!("[{label}]({url})"))
    }
}

/// What an edit of the body writes in place of its range.
enum Edit<'a> {
    Text(String),
    /// ` {#id}`: a step's id.
    StepId(&'a str),
}

/// ` {#id}` at the end of each step's first line that does not already carry one; `starts`
/// holds where each step's list marker is in `body`.
fn step_ids<'a>(
    body: &str,
    steps: &'a [crate::markdown::Step],
    starts: &[usize],
) -> Vec<(Range<usize>, Edit<'a>)> {
    if starts.len() != steps.len() {
        return Vec::new();
    }
    let mut edits = Vec::new();
    for (&start, step) in starts.iter().zip(steps) {
        let Some(rest) = body.get(start..) else {
            continue;
        };
        let line = rest.split_once('\n').map_or(rest, |(l, _)| l);
        let line = line.trim_end_matches('\r');
        if line.contains("{#") {
            continue;
        }
        let at = start + line.trim_end().len();
        edits.push((at..at, Edit::StepId(step.id.as_str())));
    }
    edits
}

/// `body` with every edit made; edits never overlap.
fn apply(body: &str, mut edits: Vec<(Range<usize>, Edit)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(body.len() + edits.len() * 24);
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at || !body.is_char_boundary(range.start) {
            continue;
        }
        out.push_str(&body[at..range.start]);
        match text {
            Edit::Text(t) => out.push_str(&t),
            Edit::StepId(id) => {
                out.push_str(" {#");
                out.push_str(id);
                out.push('}');
            }
        }
        at = range.end;
    }
    out.push_str(&body[at..]);
    out
}

/// `llms.txt`: the site, then every collection's articles, linking their Markdown copies.
pub fn llms_txt(site: &Site) -> OutFile {
    let from = UrlPath::new("llms.txt");
    let mut out = format!("# {}\n\n", text(&site.config.title));
    if !site.config.description.is_empty() {
        out.push_str(&format!("> {}\n\n", text(&site.config.description)));
    }
    out.push_str("Each link is an article as Markdown; its steps carry their ids as `{#id}`, and `URL:` gives the page to link readers to.\n");
    let entry = |out: &mut String, i: usize| {
        let a = &site.articles[i];
        let md = markdown_path(&a.page.url);
        out.push_str(&format!(
            "- [{}]({})",
            text(&a.title),
            href(site, &from, &md, None)
        ));
        if let Some(d) = &a.page.fm.description {
            out.push_str(&format!(": {}", text(d)));
        }
        out.push('\n');
    };
    if !site.root_articles.is_empty() {
        out.push_str("\n## Articles\n\n");
        for &i in &site.root_articles {
            entry(&mut out, i);
        }
    }
    let mut stack: Vec<usize> = site.roots.iter().rev().copied().collect();
    while let Some(c) = stack.pop() {
        let col = &site.collections[c];
        if !col.articles.is_empty() {
            let path: Vec<&str> = site
                .ancestry(c)
                .iter()
                .map(|&k| site.collections[k].title.as_str())
                .collect();
            out.push_str(&format!("\n## {}\n\n", text(&path.join(" › "))));
            for &i in &col.articles {
                entry(&mut out, i);
            }
        }
        stack.extend(col.children.iter().rev());
    }
    OutFile::Bytes(from.to_string(), out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_at_the_url() {
        assert_eq!(
            rewrite_link("[the steps](steps.md#a)", "steps.html#a", "Steps").as_deref(),
            Some("[the steps](steps.html#a)")
        );
        assert_eq!(
            rewrite_link("[](steps.md)", "steps.html", "Steps").as_deref(),
            Some("[Steps](steps.html)")
        );
        assert_eq!(
            rewrite_link("[[Steps#One|step one]]", "steps.html#one", "Steps").as_deref(),
            Some("[step one](steps.html#one)")
        );
        assert_eq!(rewrite_link("[text][ref]", "x.html", "X"), None);
    }

    #[test]
    fn edits_apply_in_order() {
        let edits = vec![
            (20..20, Edit::StepId("b")),
            (3..5, Edit::Text("Open".into())),
        ];
        assert_eq!(
            apply("1. Go there.\n2. See.\n", edits),
            "1. Open there.\n2. See. {#b}\n"
        );
    }
}
