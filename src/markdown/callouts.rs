//! Callouts: GitHub alerts and exported `**NOTE:**` lines (user guide:
//! `content/write/callouts.md`).
//!
//! `> [!TIP]` blockquotes become callout boxes. A line starting with a bold `NOTE:`, `TIP:`,
//! `IMPORTANT:`, `WARNING:` or `CAUTION:` starts a callout that runs to the end of its
//! paragraph, also when that line is a lazy continuation of a list item's paragraph (as help
//! center exports write them): the paragraph is split there, and the callout stays inside the
//! item, so the list is not broken.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

use super::{Ctx, Ev, Events, html, take};

/// The five callout kinds, in the order GitHub lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl Kind {
    /// The kind a label names, in any case (`note`, `NOTE`, `Note`), with no copy of it.
    fn parse(label: &str) -> Option<Kind> {
        [
            Kind::Note,
            Kind::Tip,
            Kind::Important,
            Kind::Warning,
            Kind::Caution,
        ]
        .into_iter()
        .find(|k| label.eq_ignore_ascii_case(k.class()))
    }

    fn from_alert(k: BlockQuoteKind) -> Kind {
        match k {
            BlockQuoteKind::Note => Kind::Note,
            BlockQuoteKind::Tip => Kind::Tip,
            BlockQuoteKind::Important => Kind::Important,
            BlockQuoteKind::Warning => Kind::Warning,
            BlockQuoteKind::Caution => Kind::Caution,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Tip => "tip",
            Kind::Important => "important",
            Kind::Warning => "warning",
            Kind::Caution => "caution",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Note => "Note",
            Kind::Tip => "Tip",
            Kind::Important => "Important",
            Kind::Warning => "Warning",
            Kind::Caution => "Caution",
        }
    }

    /// The opening HTML of a callout box, title included.
    pub fn open(self) -> String {
        format!(
            "<div class=\"callout callout--{}\" role=\"note\"><p class=\"callout__title\">{}</p>\n",
            self.class(),
            self.title()
        )
    }
}

const CLOSE: &str = "</div>\n";

/// Where the inline run being read lives: a paragraph, or straight in a tight list item.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Run {
    None,
    Paragraph,
    TightItem,
}

/// The callouts pass: rewrites alerts and exported callout lines into callout boxes.
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    // Most pages hold no callout: a look at each bold run and quote then leaves them as
    // they are, without moving every event into a new list.
    let any = (0..events.len()).any(|i| match events[i].0 {
        Event::Start(Tag::BlockQuote(Some(_))) => true,
        Event::Start(Tag::Strong) => label_at(events, i).is_some(),
        _ => false,
    });
    if !any {
        return;
    }
    let mut out = cx.fresh(events.len() + 8);
    let mut run = Run::None;
    let mut open = false;
    let mut i = 0;
    while i < events.len() {
        let range = events[i].1.clone();
        let range = &range;
        match &events[i].0 {
            Event::Start(Tag::BlockQuote(Some(k))) => {
                out.push(html(Kind::from_alert(*k).open(), range))
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => out.push(html(CLOSE.into(), range)),
            Event::Start(Tag::Paragraph) => {
                run = Run::Paragraph;
                if let Some((kind, skip, strip)) = label_at(events, i + 1) {
                    out.push(html(kind.open(), range));
                    out.push(take(&mut events[i]));
                    i = push_rest(events, i + 1 + skip, strip, &mut out);
                    open = true;
                    continue;
                }
                out.push(take(&mut events[i]));
            }
            Event::End(TagEnd::Paragraph) => {
                out.push(take(&mut events[i]));
                if open {
                    out.push(html(CLOSE.into(), range));
                    open = false;
                }
                run = Run::None;
            }
            Event::Start(Tag::Item) => {
                out.push(take(&mut events[i]));
                if events.get(i + 1).is_some_and(|(e, _)| is_inline(e)) {
                    run = Run::TightItem;
                    if let Some((kind, skip, strip)) = label_at(events, i + 1) {
                        out.push(html(format!("{}<p>", kind.open()), range));
                        i = push_rest(events, i + 1 + skip, strip, &mut out);
                        open = true;
                        continue;
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak if run != Run::None => {
                if let Some((kind, skip, strip)) = label_at(events, i + 1) {
                    match run {
                        Run::Paragraph => {
                            out.push((Event::End(TagEnd::Paragraph), range.clone()));
                            if open {
                                out.push(html(CLOSE.into(), range));
                            }
                            out.push(html(kind.open(), range));
                            out.push((Event::Start(Tag::Paragraph), range.clone()));
                        }
                        _ => {
                            let close = if open {
                                format!("</p>{CLOSE}")
                            } else {
                                String::new()
                            };
                            out.push(html(format!("{close}{}<p>", kind.open()), range));
                        }
                    }
                    open = true;
                    i = push_rest(events, i + 1 + skip, strip, &mut out);
                    continue;
                }
                out.push(take(&mut events[i]));
            }
            e if run == Run::TightItem && !is_inline(e) => {
                if open {
                    out.push(html(format!("</p>{CLOSE}"), range));
                    open = false;
                }
                run = Run::None;
                out.push(take(&mut events[i]));
            }
            _ => out.push(take(&mut events[i])),
        }
        i += 1;
    }
    cx.replace(events, out);
}

fn is_inline(e: &Event<'_>) -> bool {
    match e {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::InlineMath(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => true,
        Event::Start(t) => super::is_inline_tag(t),
        Event::End(t) => super::is_inline_end(t),
        _ => false,
    }
}

/// A bold callout label at `i`: `**NOTE:**` or `**NOTE**:`. Returns the kind, how many events
/// the label spans, and whether a leading `:` must be taken off the text that follows.
fn label_at(events: &[Ev<'_>], i: usize) -> Option<(Kind, usize, bool)> {
    let [
        (Event::Start(Tag::Strong), _),
        (Event::Text(t), _),
        (Event::End(TagEnd::Strong), _),
        ..,
    ] = events.get(i..)?
    else {
        return None;
    };
    let t = t.trim();
    if let Some(word) = t.strip_suffix(':') {
        return Kind::parse(word.trim()).map(|k| (k, 3, false));
    }
    let kind = Kind::parse(t)?;
    match events.get(i + 3) {
        Some((Event::Text(next), _)) if next.starts_with(':') => Some((kind, 3, true)),
        _ => None,
    }
}

/// Pushes the text after a label without its leading `:` and spaces; returns the next index.
fn push_rest<'a>(events: &[Ev<'a>], i: usize, strip_colon: bool, out: &mut Vec<Ev<'a>>) -> usize {
    if let Some((Event::Text(t), r)) = events.get(i) {
        let rest = if strip_colon {
            t.strip_prefix(':').unwrap_or(t)
        } else {
            t
        };
        let rest = rest.trim_start();
        if !rest.is_empty() {
            out.push((Event::Text(CowStr::from(rest.to_string())), r.clone()));
        }
        return i + 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_body;

    #[test]
    fn gfm_alert() {
        let html = render_body("> [!WARNING]\n> Mind the gap.\n");
        assert_eq!(
            html,
            "<div class=\"callout callout--warning\" role=\"note\"><p class=\"callout__title\">Warning</p>\n<p>Mind the gap.</p>\n</div>\n"
        );
    }

    #[test]
    fn exported_line_is_its_own_paragraph_callout() {
        let html = render_body("**Note:** Save first.\nReally.\n");
        assert_eq!(
            html,
            "<div class=\"callout callout--note\" role=\"note\"><p class=\"callout__title\">Note</p>\n<p>Save first.\nReally.</p>\n</div>\n"
        );
    }

    #[test]
    fn lazy_note_stays_inside_the_step() {
        let html = render_body("  1. One.\n  2. Two.\n**NOTE:** Only US numbers.\n\n  3. Three.\n");
        let two = html.find("Two.").unwrap();
        let note = html.find("callout--note").unwrap();
        let three = html.find("Three.").unwrap();
        assert!(two < note && note < three, "{html}");
        assert_eq!(html.matches("<ol").count(), 1, "{html}");
        assert!(
            html.contains("<p>Two.</p>\n<div class=\"callout callout--note\""),
            "{html}"
        );
        assert!(
            html.contains("<p>Only US numbers.</p>\n</div>\n</div></li>"),
            "{html}"
        );
    }

    #[test]
    fn two_callouts_in_one_paragraph() {
        let html = render_body("Do it.\n**IMPORTANT:** Both steps.\n**TIP:** Keep it open.\n");
        assert!(
            html.starts_with("<p>Do it.</p>\n<div class=\"callout callout--important\""),
            "{html}"
        );
        assert!(
            html.contains("<p>Both steps.</p>\n</div>\n<div class=\"callout callout--tip\""),
            "{html}"
        );
        assert!(html.ends_with("<p>Keep it open.</p>\n</div>\n"), "{html}");
    }

    #[test]
    fn tight_bullet_item() {
        let html = render_body("* A phone.\n**IMPORTANT:** Use the app.\n");
        assert_eq!(
            html,
            "<ul>\n<li>A phone.<div class=\"callout callout--important\" role=\"note\"><p class=\"callout__title\">Important</p>\n<p>Use the app.</p></div>\n</li>\n</ul>\n"
        );
    }

    #[test]
    fn plain_bold_is_not_a_callout() {
        let html = render_body("**Notes:** none.\n");
        assert_eq!(html, "<p><strong>Notes:</strong> none.</p>\n");
    }
}
