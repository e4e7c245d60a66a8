//! Outline: what search needs from a page, collected from the events (read-only).
//!
//! Sections (text under each heading, steps included), steps (their own text, nested steps
//! included), branch options with their questions, and the plain text of the whole page. Each
//! section and step knows the innermost branch option it sits in.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::Ev;
use super::branches::{Branches, Kind};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    pub id: String,
    pub level: u8,
    pub heading: String,
    pub text: String,
    /// Index into [`Outline::options`], innermost.
    pub option: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepText {
    pub id: String,
    pub number: u64,
    /// Index into [`Outline::sections`].
    pub section: Option<usize>,
    pub text: String,
    pub option: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionText {
    pub id: String,
    pub label: String,
    pub section: Option<usize>,
    pub question: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    pub sections: Vec<Section>,
    pub steps: Vec<StepText>,
    pub options: Vec<OptionText>,
    /// Every word of the body, headings included, separated by runs of white space.
    pub text: String,
}

/// The limits of stored text, in bytes (cut at a character boundary).
pub const SECTION_TEXT: usize = 400;
pub const STEP_TEXT: usize = 300;

/// Collects the outline. `steps` gives the id and number of each step in document order.
pub fn collect(events: &[Ev<'_>], branches: &Branches, steps: &[super::Step]) -> Outline {
    let mut o = Outline::default();
    // The page's text is at most its Markdown and a space per event: one allocation.
    let body = events.last().map_or(0, |(_, r)| r.end);
    o.text.reserve(body + events.len());
    let mut heading: Option<(String, u8, String)> = None;
    let mut open_steps: Vec<usize> = Vec::new();
    let mut option_stack: Vec<Option<usize>> = Vec::new();
    let mut choose_sections: Vec<Option<usize>> = Vec::new();
    let mut next_step = 0;
    let mut skip = 0usize;
    for (event, _) in events {
        if matches!(event, Event::Html(_)) {
            separate(&mut o, &open_steps);
        }
        if let Some(n) = Branches::marker_of(event) {
            let m = &branches.markers[n];
            match m.kind {
                Kind::Choose => {
                    option_stack.push(None);
                    choose_sections.push(o.sections.len().checked_sub(1));
                }
                Kind::Option => {
                    let question = branches
                        .points
                        .iter()
                        .find(|p| p.options.contains(&n))
                        .map(|p| branches.markers[p.choose].text.clone())
                        .unwrap_or_default();
                    o.options.push(OptionText {
                        id: m.id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                        label: m.text.clone(),
                        // The section the branch point sits in, not a heading inside an
                        // earlier option of it.
                        section: choose_sections.last().copied().flatten(),
                        question,
                    });
                    if let Some(top) = option_stack.last_mut() {
                        *top = Some(o.options.len() - 1);
                    }
                    push_words(&mut o.text, &m.text);
                }
                Kind::Close => {
                    option_stack.pop();
                    choose_sections.pop();
                }
            }
            continue;
        }
        let option = option_stack.iter().rev().flatten().next().copied();
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    id.as_deref().unwrap_or("").to_string(),
                    *level as u8,
                    String::new(),
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, level, text)) = heading.take() {
                    push_words(&mut o.text, &text);
                    o.sections.push(Section {
                        id,
                        level,
                        heading: text.trim().to_string(),
                        text: String::with_capacity(SECTION_TEXT),
                        option,
                    });
                }
            }
            Event::Html(h) if h.starts_with("<li class=\"step\" id=\"") => {
                if let Some(s) = steps.get(next_step) {
                    o.steps.push(StepText {
                        id: s.id.to_string(),
                        number: s.number,
                        section: o.sections.len().checked_sub(1),
                        text: String::with_capacity(STEP_TEXT),
                        option,
                    });
                    open_steps.push(o.steps.len() - 1);
                }
                next_step += 1;
            }
            Event::Html(h) if h.as_ref() == "</div></li>\n" => {
                open_steps.pop();
            }
            Event::Start(Tag::CodeBlock(_)) => skip += 1,
            Event::End(TagEnd::CodeBlock) => skip = skip.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(t);
                    continue;
                }
                push_words(&mut o.text, t);
                if skip > 0 {
                    continue;
                }
                if let Some(sec) = o.sections.last_mut() {
                    push_capped(&mut sec.text, t, SECTION_TEXT);
                }
                for &s in &open_steps {
                    push_capped(&mut o.steps[s].text, t, STEP_TEXT);
                }
            }
            Event::SoftBreak | Event::HardBreak => separate(&mut o, &open_steps),
            // Block and table-cell boundaries are word boundaries too; inline tags are not.
            Event::Start(t) if !super::is_inline_tag(t) => separate(&mut o, &open_steps),
            Event::End(t) if !super::is_inline_end(t) => separate(&mut o, &open_steps),
            _ => {}
        }
    }
    for s in &mut o.sections {
        tidy(&mut s.text);
    }
    for s in &mut o.steps {
        tidy(&mut s.text);
    }
    // Only search reads `text`, and its tokenizer splits at any white space: no need to
    // collapse the runs.
    o.text.shrink_to_fit();
    o
}

/// A word break in every text being collected: one space, and none at the start or after
/// another break.
fn separate(o: &mut Outline, open_steps: &[usize]) {
    let space = |t: &String| !t.is_empty() && !t.ends_with(' ');
    if let Some(sec) = o.sections.last_mut()
        && space(&sec.text)
    {
        push_capped(&mut sec.text, " ", SECTION_TEXT);
    }
    for &s in open_steps {
        if space(&o.steps[s].text) {
            push_capped(&mut o.steps[s].text, " ", STEP_TEXT);
        }
    }
    o.text.push(' ');
}

/// [`squash`] in place, skipping the copy in the common case: ASCII text whose only white
/// space is single spaces between words, as [`separate`] leaves it.
fn tidy(s: &mut String) {
    // A space at the start or after another, any other white space or control byte, or any
    // non-ASCII byte (which may be white space) needs the full squash.
    let b = s.as_bytes();
    // Branch-free over pairs of bytes, so the compiler can check many at a time.
    let odd = |c: u8| !(b' '..0x80).contains(&c);
    let bad = b
        .iter()
        .zip(b.iter().skip(1))
        .fold(false, |bad, (&c, &next)| {
            bad | odd(c) | ((c == b' ') & (next == b' '))
        });
    let plain = !bad && b.first() != Some(&b' ') && b.last().is_none_or(|&c| !odd(c));
    if plain {
        let end = s.trim_end_matches(' ').len();
        s.truncate(end);
        // Collected into room for the longest text: give back what it did not use.
        s.shrink_to_fit();
    } else {
        *s = squash(s);
    }
}

fn push_words(into: &mut String, text: &str) {
    into.push_str(text);
    into.push(' ');
}

fn push_capped(into: &mut String, text: &str, cap: usize) {
    if into.len() >= cap {
        return;
    }
    let room = cap - into.len();
    let mut end = text.len().min(room);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    into.push_str(&text[..end]);
}

/// Collapses runs of white space into one space and trims (as `split_whitespace` and
/// `join(" ")` would, copying whole words at a time).
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut word: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = if bytes[i] < 0x80 {
            (
                matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
                1,
            )
        } else {
            let c = s[i..].chars().next().expect("i is a char boundary");
            (c.is_whitespace(), c.len_utf8())
        };
        match (space, word) {
            (true, Some(start)) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&s[start..i]);
                word = None;
            }
            (false, None) => word = Some(i),
            _ => {}
        }
        i += len;
    }
    if let Some(start) = word {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    #[test]
    fn tidy_matches_squash() {
        for s in [
            "", " ", "a", "a b", "a b ", "a  b", " a", "a\tb", "a\nb", "é b ", "a\u{b}b", "x y z  ",
        ] {
            let mut t = s.to_string();
            super::tidy(&mut t);
            assert_eq!(t, super::squash(s), "{s:?}");
        }
    }

    #[test]
    fn squash_matches_split_whitespace() {
        for s in [
            "",
            "  ",
            " a  b\t\nc ",
            "x",
            "é\u{a0}ü\u{2003} end",
            "a\u{b}b\u{c}c",
        ] {
            assert_eq!(
                super::squash(s),
                s.split_whitespace().collect::<Vec<_>>().join(" "),
                "{s:?}"
            );
        }
    }

    #[test]
    fn sections_steps_and_options() {
        let r = render_full(
            "Intro words.\n\n## Set up\n\nFirst do this.\n\n1. Open **Settings**.\n   1. Tap it.\n2. Save.\n\n::: choose Which plan?\n::: option Free\n1. Sign up.\n::: option Paid\nPay.\n:::\n",
        );
        let o = &r.outline;
        assert_eq!(o.sections.len(), 1);
        assert_eq!(o.sections[0].heading, "Set up");
        assert!(
            o.sections[0]
                .text
                .starts_with("First do this. Open Settings. Tap it. Save."),
            "{:?}",
            o.sections[0].text
        );
        let steps: Vec<(&str, &str, Option<usize>)> = o
            .steps
            .iter()
            .map(|s| (s.id.as_str(), s.text.as_str(), s.option))
            .collect();
        assert_eq!(
            steps,
            [
                ("set-up-step-1", "Open Settings. Tap it.", None),
                ("set-up-step-1-1", "Tap it.", None),
                ("set-up-step-2", "Save.", None),
                ("free-step-1", "Sign up.", Some(0)),
            ]
        );
        assert_eq!(o.options[1].label, "Paid");
        assert_eq!(o.options[1].question, "Which plan?");
        assert_eq!(o.options[1].section, Some(0));
        let r = render_full(
            "## Pay\n\n::: choose How?\n::: option Card\n### Card details\n::: option Bank\nx\n:::\n\n| a | b |\n|---|---|\n| key | type |\n",
        );
        assert_eq!(
            r.outline.options[1].section,
            Some(0),
            "Bank belongs to Pay, not to Card details"
        );
        let words: Vec<&str> = r.outline.text.split_whitespace().collect();
        assert!(words.windows(2).any(|w| w == ["key", "type"]), "{words:?}");
        assert!(o.text.contains("Intro words."));
    }
}
