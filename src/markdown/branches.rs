//! Branch points: procedures that fork on the reader's situation (user guide:
//! `content/write/branches.md`).
//!
//! ```text
//! ::: choose Which fields show a value?
//! ::: option One of them or both are empty {#link-new}
//! ...content...
//! ::: option Both show a value
//! ...content...
//! :::
//! ```
//!
//! [`preprocess`] finds marker lines outside code blocks and turns each into an HTML comment
//! line (which CommonMark lets interrupt a paragraph, and which stays inside a list step when
//! indented like one), keeping a map back to the original offsets. [`check`] validates the
//! structure (every malformed case is a diagnostic). [`super::headings`] gives options their
//! ids, [`super::steps`] numbers steps under them, and [`render`] writes the HTML: the
//! question, a radio group (hidden until the script runs) and each option under its label, so
//! without JavaScript and in print every option shows in order.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};

use super::{Ctx, Events, escape};
use crate::diagnostics::Diagnostic;
use crate::paths::AnchorId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Choose,
    Option,
    Close,
}

/// One marker line.
#[derive(Debug, Clone)]
pub struct Marker {
    pub kind: Kind,
    /// The question or the label, without a trailing `{#id}`.
    pub text: String,
    pub explicit_id: Option<String>,
    /// Byte range of the marker (after its indentation) in the original body.
    pub range: Range<usize>,
    /// Options: the id in the page (unique), set by the headings pass.
    pub id: Option<AnchorId>,
    /// Options: the id before de-duplication, shared by options that mean the same thing on
    /// different branch points (it keys synchronisation).
    pub key: String,
}

/// A well-formed branch point: the choose marker, its options and its close, as marker indexes.
#[derive(Debug, Clone)]
pub struct Point {
    pub choose: usize,
    pub options: Vec<usize>,
    pub close: usize,
}

/// The branch points of one body.
#[derive(Debug, Clone, Default)]
pub struct Branches {
    pub markers: Vec<Marker>,
    pub points: Vec<Point>,
    /// True when the structure is sound and markers render as branch points.
    pub valid: bool,
    /// The branch point of each marker, by marker (filled by [`check`]).
    point_of: Vec<Option<usize>>,
    /// Replaced regions: (range in the rewritten body, range in the original).
    shifts: Vec<(Range<usize>, Range<usize>)>,
}

const TOKEN: char = '\u{E001}';

impl Branches {
    /// Maps an offset in the rewritten body back to the original body.
    pub fn to_original(&self, x: usize) -> usize {
        let i = self.shifts.partition_point(|(new, _)| new.start <= x);
        if i == 0 {
            return x;
        }
        let (new, orig) = &self.shifts[i - 1];
        if x < new.end {
            orig.start
        } else {
            x - new.end + orig.end
        }
    }

    /// The marker a collapsed marker event stands for.
    pub fn marker_of(event: &Event<'_>) -> Option<usize> {
        match event {
            Event::Html(t) => t.strip_prefix(TOKEN)?.trim_end().parse().ok(),
            _ => None,
        }
    }
}

/// Finds marker lines outside code blocks. Returns the rewritten body, or `None` when there
/// are no markers (the common case, which costs one substring search).
pub fn preprocess(body: &str) -> Option<(String, Branches)> {
    if !body.contains(":::") {
        return None;
    }
    let code: Vec<Range<usize>> = Parser::new_ext(body, super::options())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect();
    let mut out = String::with_capacity(body.len());
    let mut branches = Branches::default();
    let mut line_start = 0;
    // The code blocks come in the body's order and none holds another: the first that does
    // not end before a line is the only one that may hold it. An indented block starts
    // after its line's indent, so a line is in code when a block starts before it ends.
    let mut next_code = 0;
    for line in body.split_inclusive('\n') {
        while code.get(next_code).is_some_and(|r| r.end <= line_start) {
            next_code += 1;
        }
        let line_end = line_start + line.trim_end_matches(['\n', '\r']).len();
        let in_code = code.get(next_code).is_some_and(|r| r.start < line_end);
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let marker = if in_code {
            None
        } else {
            parse_marker(&line[indent..])
        };
        match marker {
            Some((kind, text, explicit_id)) => {
                let content = line[indent..].trim_end_matches(['\n', '\r']);
                let orig = line_start + indent..line_start + indent + content.len();
                out.push_str(&line[..indent]);
                let new_start = out.len();
                out.push_str(&format!("<!--sb:{}-->", branches.markers.len()));
                branches.shifts.push((new_start..out.len(), orig.clone()));
                out.push_str(&line[indent + content.len()..]);
                let key = explicit_id
                    .clone()
                    .unwrap_or_else(|| super::ids::github_slug(&text));
                branches.markers.push(Marker {
                    kind,
                    text,
                    explicit_id,
                    range: orig,
                    id: None,
                    key,
                });
            }
            None => out.push_str(line),
        }
        line_start += line.len();
    }
    if branches.markers.is_empty() {
        return None;
    }
    Some((out, branches))
}

/// `::: choose Q`, `::: option L {#id}` or a bare `:::`; anything else (`:::image`, `::: zone`)
/// is not a marker.
fn parse_marker(line: &str) -> Option<(Kind, String, Option<String>)> {
    let rest = line.trim_end().strip_prefix(":::")?;
    if rest.trim().is_empty() {
        return Some((Kind::Close, String::new(), None));
    }
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim();
    let (word, text) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
    let kind = match word {
        "choose" => Kind::Choose,
        "option" => Kind::Option,
        _ => return None,
    };
    let text = text.trim();
    let (text, id) = match text
        .strip_suffix('}')
        .and_then(|t| t.rfind("{#").map(|i| (t, i)))
    {
        Some((t, i)) => (
            t[..i].trim_end().to_string(),
            Some(t[i + 2..].trim().to_string()),
        ),
        None => (text.to_string(), None),
    };
    Some((kind, text, id.filter(|i| !i.is_empty())))
}

/// The branches pass: collapses each marker's HTML block into one token event, with ranges
/// mapped back to the original body; checks the structure and reports every problem. A body
/// without markers is left as it is.
pub fn check<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    if cx.branches.markers.is_empty() {
        return;
    }
    let input = cx.input;
    let mut out = cx.fresh(events.len());
    let (branches, locate) = (&mut cx.branches, &cx.locate);
    let body_offset = input.body_offset;
    // Where a marker was written, for a message that names another marker.
    let line_of = |m: &Marker| match input.origins {
        Some(o) => o.line_label(body_offset + m.range.start),
        None => format!("line {}", locate.line(body_offset + m.range.start)),
    };
    let mut containers: Vec<usize> = Vec::new();
    let mut open: Vec<(usize, Option<usize>, Vec<usize>)> = Vec::new();
    let mut problems = Vec::new();
    let at =
        |m: &Marker, d: Diagnostic| d.located(locate, body_offset + m.range.start, m.range.len());
    let mut iter = events.drain(..).peekable();
    while let Some((event, range)) = iter.next() {
        let range = branches.to_original(range.start)..branches.to_original(range.end);
        let marker = match &event {
            Event::Html(t) => t
                .trim()
                .strip_prefix("<!--sb:")
                .and_then(|t| t.strip_suffix("-->"))
                .and_then(|n| n.parse::<usize>().ok()),
            _ => None,
        };
        if let Some(n) = marker.filter(|&n| n < branches.markers.len()) {
            if matches!(out.last(), Some((Event::Start(Tag::HtmlBlock), _))) {
                out.pop();
                containers.pop();
            }
            if matches!(iter.peek(), Some((Event::End(TagEnd::HtmlBlock), _))) {
                iter.next();
            }
            let container = containers.last().copied();
            let m = &branches.markers[n];
            match m.kind {
                Kind::Choose => {
                    if m.text.is_empty() {
                        problems.push(at(m, Diagnostic::error("branch-syntax", "`::: choose` needs a question").with_hint("write the question after it: `::: choose Which plan are you on?`")));
                    }
                    open.push((n, container, Vec::new()));
                }
                Kind::Option => match open.last_mut() {
                    None => problems.push(at(m, Diagnostic::error("branch-syntax", "`::: option` outside a branch point").with_hint("open the branch point first with `::: choose <question>`"))),
                    Some((c, cont, opts)) => {
                        if *cont != container {
                            let line = line_of(&branches.markers[*c]);
                            problems.push(at(m, Diagnostic::error("branch-nesting", format!("this option is not at the same level as its `::: choose` ({line})")).with_hint("indent every marker of a branch point alike, e.g. all inside the same list step")));
                        }
                        if m.text.is_empty() {
                            problems.push(at(m, Diagnostic::error("branch-syntax", "`::: option` needs a label").with_hint("write the situation after it: `::: option I pay by card`")));
                        }
                        opts.push(n);
                    }
                },
                Kind::Close => match open.pop() {
                    None => problems.push(at(m, Diagnostic::error("branch-syntax", "`:::` closes no branch point").with_hint("remove it, or open a branch point with `::: choose <question>` above"))),
                    Some((c, cont, opts)) => {
                        if cont != container {
                            let line = line_of(&branches.markers[c]);
                            problems.push(at(m, Diagnostic::error("branch-nesting", format!("this `:::` is not at the same level as its `::: choose` ({line})")).with_hint("indent every marker of a branch point alike, e.g. all inside the same list step")));
                        }
                        if opts.len() < 2 {
                            problems.push(at(&branches.markers[c], Diagnostic::error("branch-options", format!("a branch point needs at least two options; this one has {}", opts.len())).with_hint("add `::: option <label>` lines, or write the content without a branch point")));
                        }
                        branches.points.push(Point { choose: c, options: opts, close: n });
                    }
                },
            }
            out.push((Event::Html(CowStr::from(format!("{TOKEN}{n}"))), range));
            continue;
        }
        match &event {
            Event::Start(_) => containers.push(out.len()),
            Event::End(_) => {
                containers.pop();
            }
            _ => {}
        }
        out.push((event, range));
    }
    for (c, _, _) in open {
        problems.push(at(
            &branches.markers[c],
            Diagnostic::error("branch-unclosed", "this branch point is never closed")
                .with_hint("end it with a line holding only `:::`"),
        ));
    }
    drop(iter);
    branches.point_of = vec![None; branches.markers.len()];
    for (p, point) in branches.points.iter().enumerate() {
        for &n in point.options.iter().chain([&point.choose, &point.close]) {
            branches.point_of[n] = Some(p);
        }
    }
    branches.valid = problems.is_empty();
    cx.out.diagnostics.extend(problems);
    cx.replace(events, out);
}

/// The HTML of marker `n` (for [`super::write`]): the branch point's frame, its choice
/// control and each option under its label; the marker's own line as text when the page's
/// branch points are malformed. `seq` numbers the page's branch points.
pub fn html(n: usize, branches: &Branches, seq: &mut usize) -> String {
    if branches.valid {
        return marker_html(n, branches, seq);
    }
    let m = &branches.markers[n];
    let raw = match m.kind {
        Kind::Choose => format!("::: choose {}", m.text),
        Kind::Option => format!("::: option {}", m.text),
        Kind::Close => ":::".into(),
    };
    format!("<p>{}</p>\n", escape(&raw))
}

fn marker_html(n: usize, branches: &Branches, seq: &mut usize) -> String {
    let m = &branches.markers[n];
    // Every marker of a valid page belongs to one branch point, found in one step: a page of
    // many branch points stays linear.
    let point = branches.point_of[n].map(|p| &branches.points[p]);
    match m.kind {
        Kind::Choose => {
            let point = point.expect("valid structure");
            *seq += 1;
            let name = format!("branch-{seq}");
            let mut keys: Vec<&str> = point
                .options
                .iter()
                .map(|&o| branches.markers[o].key.as_str())
                .collect();
            keys.sort_unstable();
            let mut s = format!(
                "<div class=\"branch\" data-branch=\"{}\">\n<p class=\"branch__question\" id=\"{name}-q\">{}</p>\n<div class=\"branch__choices\" role=\"radiogroup\" aria-labelledby=\"{name}-q\" hidden>\n",
                escape(&keys.join(" ")),
                escape(&m.text)
            );
            for &o in &point.options {
                let opt = &branches.markers[o];
                let id = opt.id.as_ref().map(|i| i.as_str()).unwrap_or("");
                s.push_str(&format!(
                    "<label class=\"branch__choice\"><input type=\"radio\" name=\"{name}\" value=\"{}\" data-target=\"{}\"> <span>{}</span></label>\n",
                    escape(&opt.key),
                    escape(id),
                    escape(&opt.text)
                ));
            }
            s.push_str("<button type=\"button\" class=\"branch__all\" aria-pressed=\"false\">Show all</button>\n</div>\n");
            s
        }
        Kind::Option => {
            let point = point.expect("valid structure");
            let close_prev = if point.options.first() == Some(&n) {
                ""
            } else {
                "</div>\n"
            };
            let id = m.id.as_ref().map(|i| i.as_str()).unwrap_or("");
            format!(
                "{close_prev}<div class=\"branch__option\" id=\"{}\" data-option=\"{}\">\n<p class=\"branch__label\">{}</p>\n",
                escape(id),
                escape(&m.key),
                escape(&m.text)
            )
        }
        Kind::Close => "</div>\n</div>\n".into(),
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    const TWO: &str = "::: choose Which plan?\n::: option Free {#free}\nFree text.\n::: option Paid plan\nPaid text.\n:::\n";

    fn codes(md: &str) -> Vec<(&'static str, usize)> {
        render_full(md)
            .diagnostics
            .iter()
            .map(|d| (d.code, d.location.as_ref().unwrap().line))
            .collect()
    }

    #[test]
    fn renders_question_choices_and_options() {
        let r = render_full(TWO);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(r.html.starts_with("<div class=\"branch\" data-branch=\"free paid-plan\">\n<p class=\"branch__question\" id=\"branch-1-q\">Which plan?</p>\n<div class=\"branch__choices\" role=\"radiogroup\" aria-labelledby=\"branch-1-q\" hidden>\n"), "{}", r.html);
        assert!(r.html.contains("<input type=\"radio\" name=\"branch-1\" value=\"paid-plan\" data-target=\"paid-plan\"> <span>Paid plan</span>"));
        assert!(r.html.contains("<div class=\"branch__option\" id=\"free\" data-option=\"free\">\n<p class=\"branch__label\">Free</p>\n<p>Free text.</p>\n</div>\n<div class=\"branch__option\" id=\"paid-plan\""), "{}", r.html);
        assert!(
            r.html.ends_with("<p>Paid text.</p>\n</div>\n</div>\n"),
            "{}",
            r.html
        );
        assert_eq!(
            r.ids.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
            ["free", "paid-plan"]
        );
    }

    /// Each marker finds its branch point in one step: a page of many branch points renders
    /// in time linear in its size (a search of the page's points per marker grew with their
    /// square).
    #[test]
    fn a_page_of_many_branch_points_renders_each() {
        const N: usize = 20_000;
        let mut md = String::new();
        for i in 0..N {
            md.push_str(&format!(
                "::: choose Q{i}\n::: option A{i}\nText A.\n::: option B{i}\nText B.\n:::\n\n"
            ));
        }
        let r = render_full(&md);
        assert!(r.diagnostics.is_empty(), "{:?}", &r.diagnostics[..1]);
        assert_eq!(r.html.matches("<div class=\"branch\"").count(), N);
        assert_eq!(r.ids.len(), 2 * N);
        let last = format!(
            "<div class=\"branch\" data-branch=\"a{0} b{0}\">\n<p class=\"branch__question\" id=\"branch-{1}-q\">Q{0}</p>",
            N - 1,
            N
        );
        assert!(r.html.contains(&last), "{}", &r.html[r.html.len() - 600..]);
    }

    /// An indented code block starts after its line's indent: its lines are code all the same.
    #[test]
    fn a_marker_in_indented_code_stays_as_written() {
        let r = render_full("Text.\n\n    ::: option Lost\n\n- Item\n\n      ::: choose Q\n");
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(
            r.html.contains("<pre><code>::: option Lost\n</code></pre>"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<pre><code>::: choose Q\n</code></pre>"),
            "{}",
            r.html
        );
    }

    /// A page of thousands of code blocks of every kind (fenced, in a list item, in a
    /// quote, indented, one left open at the end), each holding what would be a marker
    /// outside it, keeps them literal, and the markers between them work.
    #[test]
    fn a_page_of_many_code_blocks_keeps_their_markers_literal() {
        const N: usize = 4_000;
        let mut md = String::new();
        for _ in 0..N {
            md.push_str("```\n::: option Lost\n```\n\n");
            md.push_str("- Item\n\n  ```\n  ::: option Lost\n  ```\n\n");
            md.push_str("> ```\n> ::: option Lost\n> ```\n\n");
            md.push_str("Text.\n\n    ::: option Lost\n\n");
        }
        md.push_str(TWO);
        md.push_str("\n```\n::: option Lost\n");
        let r = render_full(&md);
        assert!(r.diagnostics.is_empty(), "{:?}", &r.diagnostics[..1]);
        assert_eq!(r.html.matches("::: option Lost").count(), 4 * N + 1);
        assert_eq!(r.html.matches("<div class=\"branch\"").count(), 1);
    }

    #[test]
    fn option_ids_repeat_like_headings_but_keys_do_not() {
        let r = render_full(&format!("## Free\n\n{TWO}\n{TWO}"));
        let ids: Vec<_> = r.ids.iter().map(|i| i.as_str()).collect();
        assert_eq!(
            ids,
            ["free", "free-2", "paid-plan", "free-3", "paid-plan-1"]
        );
        assert_eq!(r.html.matches("data-branch=\"free paid-plan\"").count(), 2);
    }

    #[test]
    fn blank_lines_are_optional_and_markers_interrupt_paragraphs() {
        let r = render_full(
            "Intro line\n::: choose Q\n\n::: option A\n\nText A\n\n::: option B\nText B\n:::\nAfter.\n",
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(
            r.html
                .starts_with("<p>Intro line</p>\n<div class=\"branch\""),
            "{}",
            r.html
        );
        assert!(
            r.html.ends_with("</div>\n</div>\n<p>After.</p>\n"),
            "{}",
            r.html
        );
    }

    #[test]
    fn steps_inside_options_take_the_option_id() {
        let md = "## Setup\n\n1. Open it.\n   ::: choose Q\n   ::: option Phone\n   1. Dial.\n   ::: option Mail\n   1. Write.\n   :::\n2. Close it.\n";
        let r = render_full(md);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let ids: Vec<_> = r.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "setup-step-1",
                "phone-step-1",
                "mail-step-1",
                "setup-step-2"
            ]
        );
        let step2 = r.html.find("id=\"setup-step-2\"").unwrap();
        let close = r.html.rfind("</div>\n</div>\n").unwrap();
        assert!(
            close < step2,
            "the branch point stays inside step 1: {}",
            r.html
        );
    }

    #[test]
    fn nesting_three_deep() {
        let md = "::: choose A?\n::: option A1\n::: choose B?\n::: option B1\n::: choose C?\n::: option C1\n1. Deep.\n::: option C2\nc2\n:::\n::: option B2\nb2\n:::\n::: option A2\na2\n:::\n";
        let r = render_full(md);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(r.html.matches("<div class=\"branch\"").count(), 3);
        assert_eq!(r.steps[0].id.as_str(), "c1-step-1");
        assert_eq!(
            r.html.matches("<div").count(),
            r.html.matches("</div>").count()
        );
    }

    #[test]
    fn markers_in_code_are_text() {
        let r = render_full("```\n::: choose Q\n:::\n```\n\n    ::: option X\n");
        assert!(r.diagnostics.is_empty());
        assert!(r.html.contains("::: choose Q\n:::"));
        assert!(!r.html.contains("branch"));
    }

    #[test]
    fn other_triple_colon_lines_are_not_markers() {
        let r =
            render_full(":::image type=\"content\" source=\"a.png\":::\n\n::: zone pivot=\"x\"\n");
        assert!(r.diagnostics.is_empty());
        assert!(!r.html.contains("branch"));
    }

    #[test]
    fn every_malformed_case_in_one_run() {
        let md = "::: option Lost\n\n:::\n\n::: choose Only one?\n::: option One\nx\n:::\n\n::: choose\n::: option A\n::: option\n:::\n\n::: choose Never closed\n::: option A\n::: option B\n";
        assert_eq!(
            codes(md),
            [
                ("branch-syntax", 1),
                ("branch-syntax", 3),
                ("branch-options", 5),
                ("branch-syntax", 10),
                ("branch-syntax", 12),
                ("branch-unclosed", 15),
            ]
        );
        let r = render_full(md);
        assert!(
            !r.html.contains("class=\"branch\""),
            "broken structure renders as text: {}",
            r.html
        );
        assert_eq!(
            r.diagnostics[0].message,
            "`::: option` outside a branch point"
        );
        assert_eq!(
            r.diagnostics[2].message,
            "a branch point needs at least two options; this one has 1"
        );
        assert_eq!(
            r.diagnostics[5].message,
            "this branch point is never closed"
        );
    }

    #[test]
    fn markers_must_stay_at_one_level() {
        let md = "1. Step\n   ::: choose Q\n   ::: option A\n   a\n::: option B\nb\n:::\n";
        let r = render_full(md);
        let found: Vec<_> = r.diagnostics.iter().map(|d| d.code).collect();
        assert!(found.contains(&"branch-nesting"), "{:?}", r.diagnostics);
    }
}
