//! Steps: every item of an ordered list is a step with a stable id (user guide:
//! `content/write/write-a-procedure.md`).
//!
//! A step's id is `<anchor>-step-<n>`: the nearest heading's id above the list and the number
//! the reader sees (a list starting at 3 starts at `-step-3`); `step-<n>` with no heading. A
//! list nested in step `<id>` numbers its steps `<id>-<m>`. `{#id}` at the end of a step's
//! first line sets the id and is removed from the text. Repeats get `-2`, `-3` and are
//! reported so `check` can warn. Lists nested [`MAX_DEPTH`] steps deep stay plain numbered
//! lists, with a warning.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::branches::{Branches, Kind};
use super::ids::IdSet;
use super::{Ctx, Ev, Events, Step, escape, needs_escape, plain_text, set_html, set_static_html};
use crate::paths::AnchorId;

#[derive(Debug, Default)]
pub struct Steps {
    pub steps: Vec<Step>,
    /// Body offset of each step's list marker, by step.
    pub starts: Vec<usize>,
    /// Steps per heading, for the on-page contents (top-level procedures only).
    pub counts: Vec<(AnchorId, usize)>,
    /// (wanted id, id given, byte offset of the step in the body).
    pub repeated: Vec<(String, AnchorId, usize)>,
    /// Where each heading's entry sits in `counts`, so a page of many headings stays linear.
    count_at: rustc_hash::FxHashMap<AnchorId, usize>,
    /// Byte offset of the first ordered list nested deeper than [`MAX_DEPTH`], which stays a
    /// plain numbered list.
    pub too_deep: Option<usize>,
}

/// Steps nested this deep or deeper get no ids and no links of their own: each level lengthens
/// every id below it, so the page would grow with the square of the depth.
pub const MAX_DEPTH: usize = 8;

struct ListFrame {
    ordered: bool,
    next: u64,
    prefix: String,
    depth: usize,
    /// The heading whose step count this list adds to.
    counts_for: Option<AnchorId>,
}

/// The steps pass: turns ordered lists into step lists with ids and self-links, into
/// [`Ctx::steps`].
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    cx.steps = number(events, &mut cx.ids, &cx.branches);
}

fn number(events: &mut [Ev<'_>], ids: &mut IdSet, branches: &Branches) -> Steps {
    let mut found = Steps::default();
    let mut anchor: Option<AnchorId> = None;
    // The anchor in force before each open branch point, restored when it closes.
    let mut saved: Vec<Option<AnchorId>> = Vec::new();
    // Steps open when each branch point opened: a list inside an option belongs to the option,
    // not to a step around the branch point.
    let mut barriers: Vec<usize> = Vec::new();
    let mut lists: Vec<ListFrame> = Vec::new();
    // Each open item: the index of its step in `found.steps`, `None` for a plain item.
    let mut items: Vec<Option<usize>> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let range = events[i].1.clone();
        match &events[i].0 {
            e if Branches::marker_of(e).is_some() => {
                let m = &branches.markers[Branches::marker_of(e).unwrap_or_default()];
                match m.kind {
                    Kind::Choose => {
                        saved.push(anchor.clone());
                        barriers.push(items.len());
                    }
                    Kind::Option => anchor = m.id.clone(),
                    Kind::Close => {
                        anchor = saved.pop().flatten();
                        barriers.pop();
                    }
                }
            }
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                anchor = Some(AnchorId::new(id.to_string()));
            }
            Event::Start(Tag::List(first)) => {
                let first = *first;
                let barrier = barriers.last().copied().unwrap_or(0).min(items.len());
                let enclosing = items[barrier..]
                    .iter()
                    .rev()
                    .flatten()
                    .next()
                    .map(|&s| &found.steps[s].id);
                let depth = items.iter().flatten().count();
                let prefix = match (enclosing, &anchor) {
                    (Some(step), _) => format!("{step}-"),
                    (None, Some(a)) => format!("{a}-step-"),
                    (None, None) => "step-".to_string(),
                };
                let counts_for = if enclosing.is_none() {
                    anchor.clone()
                } else {
                    None
                };
                let plain = first.is_some() && depth >= MAX_DEPTH;
                if plain && found.too_deep.is_none() {
                    found.too_deep = Some(range.start);
                }
                let first = first.filter(|_| !plain);
                lists.push(ListFrame {
                    ordered: first.is_some(),
                    next: first.unwrap_or(1),
                    prefix,
                    depth,
                    counts_for,
                });
                match first {
                    Some(1) => set_static_html(&mut events[i].0, "<ol class=\"steps\">\n"),
                    Some(n) => set_html(
                        &mut events[i].0,
                        format!("<ol class=\"steps\" start=\"{n}\">\n"),
                    ),
                    None => {}
                }
            }
            Event::End(TagEnd::List(_)) => {
                // A list past the depth limit is a plain `<ol>`: its end stays as it is.
                let steps = lists.pop().is_some_and(|l| l.ordered);
                if steps {
                    set_static_html(&mut events[i].0, "</ol>\n");
                }
            }
            Event::Start(Tag::Item) if lists.last().is_some_and(|l| l.ordered) => {
                let frame = lists.last_mut().expect("checked above");
                let number = frame.next;
                frame.next += 1;
                let (explicit, text) = first_line(events, i);
                let frame = lists.last().expect("checked above");
                let wanted = explicit.unwrap_or_else(|| {
                    let mut id = String::with_capacity(frame.prefix.len() + 4);
                    id.push_str(&frame.prefix);
                    id.push_str(itoa::Buffer::new().format(number));
                    id
                });
                let (id, repeated) = ids.numbered_owned(wanted);
                if let Some(wanted) = repeated {
                    found.repeated.push((wanted, id.clone(), range.start));
                }
                if let Some(h) = &frame.counts_for {
                    match found.count_at.get(h) {
                        Some(&at) => found.counts[at].1 += 1,
                        None => {
                            found.count_at.insert(h.clone(), found.counts.len());
                            found.counts.push((h.clone(), 1));
                        }
                    }
                }
                set_html(&mut events[i].0, step_open(id.as_str(), number));
                found.starts.push(range.start);
                items.push(Some(found.steps.len()));
                found.steps.push(Step {
                    id,
                    number,
                    text,
                    depth: frame.depth,
                    heading: anchor.clone(),
                });
            }
            Event::Start(Tag::Item) => items.push(None),
            Event::End(TagEnd::Item) => {
                if let Some(Some(_)) = items.pop() {
                    set_static_html(&mut events[i].0, "</div></li>\n");
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// `<li class="step" id=…>` with its self-link, opening the step's body. Written piece by
/// piece into a string of the exact length (one of these per step makes `format!` a
/// measurable share of a build, and spare room a copy when it becomes an event).
fn step_open(id: &str, number: u64) -> String {
    let escaped;
    let id = if needs_escape(id) {
        escaped = escape(id);
        escaped.as_str()
    } else {
        id
    };
    let mut digits = itoa::Buffer::new();
    let n = digits.format(number);
    let parts = [
        "<li class=\"step\" id=\"",
        id,
        "\" data-step=\"",
        n,
        "\"><a class=\"step-anchor\" href=\"#",
        id,
        "\" aria-label=\"Link to step ",
        n,
        "\" title=\"Link to step ",
        n,
        "\">",
        n,
        "</a><div class=\"step__body\">",
    ];
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        s.push_str(part);
    }
    s
}

/// Reads the first line of the item starting at `start`: takes a trailing `{#id}` off its
/// text (returning the id) and returns the line's plain text.
fn first_line(events: &mut [Ev<'_>], start: usize) -> (Option<String>, String) {
    let mut j = start + 1;
    if matches!(events.get(j), Some((Event::Start(Tag::Paragraph), _))) {
        j += 1;
    }
    let from = j;
    while let Some((e, _)) = events.get(j) {
        let line_end = matches!(
            e,
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Start(_)
        ) && !matches!(
            e,
            Event::Start(
                Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::Link { .. }
                    | Tag::Image { .. }
            ) | Event::End(
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Link
                    | TagEnd::Image
            )
        );
        if line_end {
            break;
        }
        j += 1;
    }
    let mut explicit = None;
    if j > from
        && let Event::Text(t) = &events[j - 1].0
        && let Some((rest, id)) = trailing_id(t)
    {
        explicit = Some(id.to_string());
        events[j - 1].0 = Event::Text(CowStr::from(rest.to_string()));
    }
    let text = plain_text(events[from..j].iter().map(|(e, _)| e));
    (explicit, text)
}

/// `"Open the app {#open-app}"` -> `("Open the app", "open-app")`.
fn trailing_id(t: &str) -> Option<(&str, &str)> {
    let t = t.trim_end();
    let inner = t.strip_suffix('}')?;
    let at = inner.rfind("{#")?;
    let id = &inner[at + 2..];
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    valid.then(|| (t[..at].trim_end(), id))
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    fn ids(md: &str) -> Vec<String> {
        render_full(md)
            .steps
            .iter()
            .map(|s| s.id.to_string())
            .collect()
    }

    #[test]
    fn numbered_under_the_nearest_heading() {
        assert_eq!(
            ids("## Setup\n\n1. a\n2. b\n"),
            ["setup-step-1", "setup-step-2"]
        );
        assert_eq!(ids("1. a\n2. b\n"), ["step-1", "step-2"]);
    }

    #[test]
    fn start_number_counts() {
        assert_eq!(ids("## Go\n\n3. a\n4. b\n"), ["go-step-3", "go-step-4"]);
        let r = render_full("## Go\n\n3. a\n");
        assert!(
            r.html.contains("<ol class=\"steps\" start=\"3\">"),
            "{}",
            r.html
        );
    }

    #[test]
    fn nested_steps() {
        assert_eq!(
            ids("## A\n\n1. one\n   1. x\n   2. y\n2. two\n"),
            ["a-step-1", "a-step-1-1", "a-step-1-2", "a-step-2"]
        );
    }

    #[test]
    fn explicit_ids_are_kept_and_hidden() {
        let r = render_full("## A\n\n1. Open it {#open}\n2. Close it\n");
        let ids: Vec<_> = r.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["open", "a-step-2"]);
        assert_eq!(r.steps[0].text, "Open it");
        assert!(!r.html.contains("{#open}"));
    }

    #[test]
    fn repeats_get_suffixes() {
        let r = render_full("## A\n\n1. x {#same}\n2. y {#same}\n");
        let ids: Vec<_> = r.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["same", "same-2"]);
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(r.diagnostics[0].code, "step-id-repeated");
    }

    #[test]
    fn step_markup_and_counts() {
        let r = render_full("## A\n\n1. **Tap** it\n");
        assert!(r.html.contains("<li class=\"step\" id=\"a-step-1\" data-step=\"1\"><a class=\"step-anchor\" href=\"#a-step-1\" aria-label=\"Link to step 1\" title=\"Link to step 1\">1</a><div class=\"step__body\"><strong>Tap</strong> it</div></li>"), "{}", r.html);
        assert_eq!(r.headings[0].steps, 1);
        assert_eq!(r.steps[0].text, "Tap it");
    }

    #[test]
    fn bullets_are_not_steps() {
        assert!(ids("* a\n* b\n").is_empty());
    }

    /// A page of tens of thousands of headings, each over a procedure, once took seconds
    /// (one linear search per step): every heading still counts its own steps.
    #[test]
    fn a_page_of_many_headings_counts_every_procedure() {
        const N: usize = 40_000;
        let mut md = String::new();
        for i in 0..N {
            md.push_str(&format!("## Part {i}\n\n1. One.\n2. Two.\n\n"));
        }
        let r = crate::markdown::tests::render_full(&md);
        assert_eq!(r.headings.len(), N);
        assert_eq!(r.steps.len(), 2 * N);
        assert!(r.headings.iter().all(|h| h.steps == 2));
        let last = &r.steps[2 * N - 1];
        assert_eq!(last.id.as_str(), format!("part-{}-step-2", N - 1));
        assert_eq!(
            last.heading.as_ref().map(|h| h.as_str().to_string()),
            Some(format!("part-{}", N - 1))
        );
    }
}
