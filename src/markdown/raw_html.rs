//! Raw HTML that is left open: a comment, a `<script>`-like element or a block element the
//! writer never closed would swallow the theme's markup after the article (its footer, its
//! scripts). This adapter finds them, closes them at the end of the body and reports each.
//!
//! In: the events after branch checking (marker tokens are skipped). Out: the same events
//! with one closing HTML event appended when needed, and the byte offset (in the body) and
//! description of every construct that was left open. Elements opened inside a Markdown
//! block (a list item, a paragraph) are closed by the browser when that block ends, so only
//! comments, raw-text elements and elements opened between blocks count.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::branches::Branches;
use super::{Ctx, Events};
use crate::diagnostics::Diagnostic;

/// Elements whose content is raw text: nothing inside them is markup until their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Elements with no end tag, or whose end tag the browser supplies.
const NO_END: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody",
    "tfoot", "colgroup", "rt", "rp",
];

/// What is open, and where it was opened (byte offset in the body).
#[derive(Default)]
struct Open {
    comment: Option<usize>,
    raw_text: Option<(String, usize)>,
    elements: Vec<(String, usize)>,
}

/// The raw HTML pass: closes at the end of the body what its raw HTML left open, with an
/// `html-left-open` warning for each.
pub fn close<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    let input = cx.input;
    for (at, what) in left_open(events) {
        cx.out.diagnostics.push(
            Diagnostic::warning(
                "html-left-open",
                format!("this page leaves {what} open; it is closed at the end of the page, so that it cannot hide the theme's markup"),
            )
            .located(&cx.locate, input.body_offset + at, 1)
            .with_hint("close it where it should end"),
        );
    }
}

/// Closes what the body's raw HTML left open; returns each open construct's offset and how a
/// message names it (`a comment`, `` `<div>` ``).
fn left_open(events: &mut Events<'_>) -> Vec<(usize, String)> {
    let mut open = Open::default();
    let mut depth = 0usize;
    for (event, range) in events.iter() {
        match event {
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            e if Branches::marker_of(e).is_some() => {}
            Event::Html(text) | Event::InlineHtml(text) => {
                scan(text, range.start, depth == 0, &mut open);
            }
            _ => {}
        }
    }
    let mut closing = String::new();
    let mut left = Vec::new();
    if let Some(at) = open.comment {
        closing.push_str("-->");
        left.push((at, "a comment (`<!--`)".to_string()));
    }
    if let Some((name, at)) = open.raw_text {
        closing.push_str(&format!("</{name}>"));
        left.push((at, format!("`<{name}>`")));
    }
    for (name, at) in open.elements.into_iter().rev() {
        closing.push_str(&format!("</{name}>"));
        left.push((at, format!("`<{name}>`")));
    }
    if !closing.is_empty() {
        let end = events.last().map_or(0, |(_, r)| r.end);
        closing.push('\n');
        events.push((Event::Html(CowStr::from(closing)), end..end));
    }
    left.sort();
    left
}

/// Follows the comments and tags of one piece of raw HTML starting at `offset`; elements are
/// tracked only when the piece stands between Markdown blocks (`top`).
fn scan(text: &str, offset: usize, top: bool, open: &mut Open) {
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    while i < text.len() {
        if open.comment.is_some() {
            match lower[i..].find("-->") {
                Some(n) => {
                    open.comment = None;
                    i += n + 3;
                }
                None => return,
            }
            continue;
        }
        if let Some((name, _)) = &open.raw_text {
            match lower[i..].find(&format!("</{name}")) {
                Some(n) => {
                    open.raw_text = None;
                    i += n + 2;
                }
                None => return,
            }
            continue;
        }
        let Some(n) = lower[i..].find('<') else {
            return;
        };
        i += n;
        let rest = &lower[i..];
        if rest.starts_with("<!--") {
            open.comment = Some(offset + i);
            i += 4;
            continue;
        }
        let end = tag_end(rest);
        let closing = rest.starts_with("</");
        let name: String = rest[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            i += 1;
            continue;
        }
        let self_closing = rest[..end].trim_end_matches('>').ends_with('/');
        if closing {
            if let Some(k) = open.elements.iter().rposition(|(n, _)| *n == name) {
                open.elements.truncate(k);
            }
        } else if RAW_TEXT.contains(&name.as_str()) {
            open.raw_text = Some((name, offset + i));
        } else if top && !self_closing && !NO_END.contains(&name.as_str()) {
            open.elements.push((name, offset + i));
        }
        i += end.max(1);
    }
}

/// The length of the tag at the start of `rest`, up to and with its `>` (quotes respected);
/// all of `rest` when it never ends.
fn tag_end(rest: &str) -> usize {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    #[test]
    fn an_open_comment_is_closed_and_reported() {
        let out = render_full("# T\n\nText.\n\n<!-- never closed\n\nMore.\n");
        assert!(out.html.ends_with("-->\n"), "{}", out.html);
        let messages: Vec<String> = out
            .diagnostics
            .iter()
            .map(|d| {
                let l = d.location.as_ref().unwrap();
                format!("{}:{}: {}", l.line, l.col, d.message)
            })
            .collect();
        assert_eq!(
            messages,
            [
                "5:1: this page leaves a comment (`<!--`) open; it is closed at the end of the page, so that it cannot hide the theme's markup"
            ]
        );
    }

    #[test]
    fn open_elements_and_scripts_are_closed_in_order() {
        let out = render_full(
            "<div class=\"a\">\n<section>\n\nText <span>inline</span>\n\n<script>let a = '<div>';\n",
        );
        assert!(
            out.html.ends_with("</script></section></div>\n"),
            "{}",
            out.html
        );
        assert_eq!(out.diagnostics.len(), 3);
    }

    #[test]
    fn balanced_html_is_left_alone() {
        let body = "<div>\n\n1. Step <!-- note --> <b>bold</b>\n\n</div>\n\n<details><summary>S</summary>\n\nx\n\n</details>\n<br>\n<img src=\"a.png\">\n";
        let out = render_full(body);
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
        assert!(
            out.html
                .ends_with("</details>\n<br>\n<img src=\"a.png\">\n"),
            "{}",
            out.html
        );
    }
}
