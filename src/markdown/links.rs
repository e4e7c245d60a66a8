//! Links (SPEC section 7): `.md` targets become page URLs; every internal link is recorded.
//!
//! `[text](../billing/refunds.md#step-3)` is resolved against the linking file and rewritten
//! to the target page's relative URL, fragment kept. Same-page `#fragments` stay as written.
//! External links and links to other files (images, PDFs) are left alone. Whether targets and
//! fragments exist is the link checker's job; this adapter only records [`LinkRef`]s.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::{Ev, Input, LinkRef};
use crate::diagnostics::Diagnostic;

/// Rewrites `.md` link targets and records every internal link.
pub fn apply<'a>(
    events: Vec<Ev<'a>>,
    input: &Input<'_>,
) -> (Vec<Ev<'a>>, Vec<LinkRef>, Vec<Diagnostic>) {
    let mut links: Vec<LinkRef> = Vec::new();
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while let Some((event, range)) = events.next() {
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
        let recorded = links.len();
        {
            let span = input.body_offset + range.start..input.body_offset + range.end;
            let dest = match classify(&dest_url) {
                Target::External => dest_url,
                Target::Fragment(frag) => {
                    links.push(LinkRef {
                        target: None,
                        fragment: Some(frag.to_string()),
                        span,
                        fill: false,
                    });
                    dest_url
                }
                Target::Page(path, frag) => {
                    match input.source_path.join_link(&percent_decode(path)) {
                        Some(target) => {
                            let href = input.pages.get(&target).map(|url| input.url.href_to(url));
                            links.push(LinkRef {
                                target: Some(target),
                                fragment: frag.map(str::to_string),
                                span,
                                fill: false,
                            });
                            match (href, frag) {
                                (Some(h), Some(f)) => CowStr::from(format!("{h}#{f}")),
                                (Some(h), None) => CowStr::from(h),
                                (None, _) => dest_url,
                            }
                        }
                        None => {
                            problems.push(
                                Diagnostic::error(
                                    "link-outside",
                                    format!("link to `{dest_url}` leaves the content folder"),
                                )
                                .at(input.path, input.source, span.start, span.len())
                                .with_hint("link to a page inside the content folder"),
                            );
                            dest_url
                        }
                    }
                }
            };
            out.push((
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }),
                range.clone(),
            ));
        }
        let empty = matches!(events.peek(), Some((Event::End(TagEnd::Link), _)));
        if empty && links.len() > recorded {
            links[recorded].fill = true;
            out.push((Event::Text(CowStr::from(fill_marker(recorded))), range));
        }
    }
    (out, links, problems)
}

/// Stands in the HTML for the text of the empty link recorded at `index`, until the site
/// knows every page's headings and fills it in ([`crate::site`]).
pub fn fill_marker(index: usize) -> String {
    format!("\u{E000}fill{index}\u{E000}")
}

enum Target<'s> {
    External,
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
    } else {
        Target::External
    }
}

/// `my%20file.md` -> `my file.md`; invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
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
    fn links_above_the_root_are_errors() {
        let r = render_at("a.md", "[x](../../etc/passwd.md)");
        assert_eq!(r.diagnostics[0].code, "link-outside");
    }
}
