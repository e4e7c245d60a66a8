//! Prose: the plain text a reader sees outside links, code and headings, with where it came
//! from. Read-only: it collects, it does not change events. `check` uses it to find unlinked
//! mentions of other pages, and images without alt text.

use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Ctx, Ev, Events};

/// A run of prose: text of one block between links and code spans.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Run {
    pub text: String,
    /// `(offset in text, range in the body)` of each piece, in order.
    pub pieces: Vec<(usize, Range<usize>)>,
    /// The nearest heading id above the run.
    pub section: Option<String>,
}

impl Run {
    /// The body offset of byte `at` of the run's text, when the source matches the text there.
    pub fn body_offset(&self, at: usize, source_body: &str) -> usize {
        let Some((start, range)) = self.pieces.iter().rev().find(|(s, _)| *s <= at) else {
            return 0;
        };
        let inner = at - start;
        let written = source_body.get(range.clone()).unwrap_or("");
        let piece_text = &self.text[*start..];
        if written.len() >= inner && piece_text.get(..inner) == written.get(..inner) {
            range.start + inner
        } else {
            range.start
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Prose {
    pub runs: Vec<Run>,
    /// Body ranges of images written without alt text.
    pub images_without_alt: Vec<Range<usize>>,
}

/// The prose pass (read-only): collects the prose runs and alt-less images of a body into
/// [`Rendered::prose`](super::Rendered), when the input asks for them (`check` does).
pub fn collect<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    if cx.input.prose {
        cx.out.prose = gather(events);
    }
}

fn gather(events: &[Ev<'_>]) -> Prose {
    let mut prose = Prose::default();
    let mut run = Run::default();
    let mut section: Option<String> = None;
    let mut skip = 0usize;
    let flush = |run: &mut Run, prose: &mut Prose, section: &Option<String>| {
        if !run.text.trim().is_empty() {
            let mut done = std::mem::take(run);
            done.section = section.clone();
            prose.runs.push(done);
        }
        *run = Run::default();
    };
    for (i, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                flush(&mut run, &mut prose, &section);
                section = id.as_ref().map(|s| s.to_string());
                skip += 1;
            }
            Event::Start(Tag::Image { .. }) => {
                if matches!(events.get(i + 1), Some((Event::End(TagEnd::Image), _))) {
                    prose.images_without_alt.push(range.clone());
                }
                flush(&mut run, &mut prose, &section);
                skip += 1;
            }
            Event::Start(
                Tag::Link { .. } | Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_),
            ) => {
                flush(&mut run, &mut prose, &section);
                skip += 1;
            }
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Image
                | TagEnd::Link
                | TagEnd::CodeBlock
                | TagEnd::HtmlBlock
                | TagEnd::MetadataBlock(_),
            ) => {
                skip = skip.saturating_sub(1);
            }
            Event::Text(t) if skip == 0 => {
                run.pieces.push((run.text.len(), range.clone()));
                run.text.push_str(t);
            }
            Event::SoftBreak | Event::HardBreak if skip == 0 => run.text.push(' '),
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => {
                flush(&mut run, &mut prose, &section)
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
            | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {}
            Event::Start(_) | Event::End(_) => flush(&mut run, &mut prose, &section),
            _ => {}
        }
    }
    flush(&mut run, &mut prose, &section);
    prose
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    #[test]
    fn runs_skip_links_code_and_headings() {
        let r = render_full(
            "## Setup\n\nFollow the **Setup** guide\nthen [a link](b.md) and `code` end.\n\n![](x.png)\n",
        );
        let texts: Vec<&str> = r.prose.runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["Follow the Setup guide then ", " and ", " end."]);
        assert_eq!(r.prose.runs[0].section.as_deref(), Some("setup"));
        assert_eq!(r.prose.images_without_alt.len(), 1);
    }
}
