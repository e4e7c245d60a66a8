//! Outline: what search needs from a page, collected from the events (read-only).
//!
//! The page is a tree of units: the article itself, its sections (a heading and the text up
//! to the next heading), its steps and its branch options. Every word of the body belongs to
//! exactly one unit, the deepest one open where the word is: a nested step owns its own text,
//! not its parent step; an option owns its text outside steps; a callout belongs to the step
//! or section it sits in; text before the first heading belongs to the article. Nothing is
//! cut. Links written without text carry [`crate::markdown::links::fill_marker`]s until
//! [`Outline::fill`] puts in the words the reader sees (search does, as it reads the site).

use std::borrow::Cow;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::branches::{Branches, Kind as Marker};
use super::{Ctx, Ev, Events};

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Section,
    Step,
    Option,
}

/// One unit below the article.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Unit {
    pub kind: Kind,
    /// The anchor id (empty only for an option whose id could not be made).
    pub id: String,
    /// The enclosing unit, as an index into [`Outline::units`]; `None`: the article.
    pub parent: Option<usize>,
    /// A section's heading or an option's label; empty for a step.
    pub label: String,
    /// A step's number as the reader sees it (0 for the other kinds).
    pub number: u64,
    /// The unit's own words, separated by single spaces: not those of the units inside it.
    pub text: String,
}

/// The units of a page, in document order (a unit comes before the units inside it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Outline {
    /// The article's own text: what stands before the first heading, outside steps and options.
    pub intro: String,
    pub units: Vec<Unit>,
}

impl Outline {
    /// The label of the option with anchor `id`.
    pub fn option_label(&self, id: &str) -> Option<&str> {
        self.units
            .iter()
            .find(|u| u.kind == Kind::Option && u.id == id)
            .map(|u| u.label.as_str())
    }

    /// Replaces each marker of a link written without text for which `words` has words (by
    /// the link's index, [`crate::markdown::links::fill_in`]) with them, wherever it stands.
    pub fn fill<'w>(&mut self, words: impl Fn(usize) -> Option<&'w str>) {
        let fill = |s: &mut String| {
            if let Cow::Owned(filled) = crate::markdown::links::fill_in(s, &words) {
                *s = filled;
            }
        };
        fill(&mut self.intro);
        for u in &mut self.units {
            fill(&mut u.label);
            fill(&mut u.text);
        }
    }
}

/// The room a unit's text starts with: most units' words fit in it without growing it.
const UNIT_TEXT: usize = 128;

/// What is open where an event stands, innermost last.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Unit(usize),
    /// A branch point: its options close with it.
    Choose,
}

struct Collector {
    o: Outline,
    open: Vec<Open>,
}

impl Collector {
    /// The innermost open unit (`None`: the article).
    fn owner(&self) -> Option<usize> {
        self.open.iter().rev().find_map(|o| match o {
            Open::Unit(u) => Some(*u),
            Open::Choose => None,
        })
    }

    fn text(&mut self) -> &mut String {
        match self.owner() {
            Some(u) => &mut self.o.units[u].text,
            None => &mut self.o.intro,
        }
    }

    /// A word break in the owner's text: one space, none at the start or after another.
    fn separate(&mut self) {
        let t = self.text();
        if !t.is_empty() && !t.ends_with(' ') {
            t.push(' ');
        }
    }

    fn push_text(&mut self, s: &str) {
        self.text().push_str(s);
    }

    fn open(&mut self, kind: Kind, id: String, label: String, number: u64) {
        let parent = self.owner();
        self.o.units.push(Unit {
            kind,
            id,
            parent,
            label,
            number,
            // Room for the words of most units at once: [`tidy`] gives back what is left.
            text: String::with_capacity(UNIT_TEXT),
        });
        self.open.push(Open::Unit(self.o.units.len() - 1));
    }

    /// Closes everything down to and including the innermost open `what`.
    fn close(&mut self, what: impl Fn(Open, &Outline) -> bool) {
        while let Some(top) = self.open.pop() {
            if what(top, &self.o) {
                return;
            }
        }
    }

    fn is_step(top: Open, o: &Outline) -> bool {
        matches!(top, Open::Unit(u) if o.units[u].kind == Kind::Step)
    }
}

/// The outline pass (read-only): collects the outline into
/// [`Rendered::outline`](super::Rendered).
pub fn collect<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    cx.out.outline = crate::lazy::Lazy::new(gather(events, &cx.branches, &cx.steps.steps));
}

/// The outline of a body. `steps` gives the id and number of each step in document order.
fn gather(events: &[Ev<'_>], branches: &Branches, steps: &[super::Step]) -> Outline {
    let mut c = Collector {
        o: Outline::default(),
        open: Vec::new(),
    };
    let mut heading: Option<(String, String)> = None;
    let mut next_step = 0;
    for (event, _) in events {
        if let Some(n) = Branches::marker_of(event) {
            let m = &branches.markers[n];
            match m.kind {
                Marker::Choose => {
                    c.separate();
                    c.push_text(&m.text);
                    c.separate();
                    c.open.push(Open::Choose);
                }
                Marker::Option => {
                    // The previous option of the same branch point ends here.
                    while let Some(&Open::Unit(_)) = c.open.last() {
                        c.open.pop();
                    }
                    let id = m.id.as_ref().map(|i| i.to_string()).unwrap_or_default();
                    c.open(Kind::Option, id, m.text.trim().to_string(), 0);
                }
                Marker::Close => c.close(|top, _| top == Open::Choose),
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some((id.as_deref().unwrap_or("").to_string(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((id, text)) = heading.take() {
                    // A heading ends the section before it (sections do not nest).
                    while let Some(&Open::Unit(u)) = c.open.last() {
                        if c.o.units[u].kind != Kind::Section {
                            break;
                        }
                        c.open.pop();
                    }
                    c.open(Kind::Section, id, squash(&text), 0);
                }
            }
            Event::Html(h) if h.starts_with("<li class=\"step\" id=\"") => {
                if let Some(s) = steps.get(next_step) {
                    c.open(
                        Kind::Step,
                        s.id.as_str().to_owned(),
                        String::new(),
                        s.number,
                    );
                }
                next_step += 1;
            }
            Event::Html(h) if h.as_ref() == "</div></li>\n" => c.close(Collector::is_step),
            Event::Html(_) => c.separate(),
            Event::Text(t) | Event::Code(t) => match heading.as_mut() {
                Some((_, text)) => text.push_str(t),
                None => c.push_text(t),
            },
            Event::SoftBreak | Event::HardBreak => c.separate(),
            // Block and table-cell boundaries are word boundaries too; inline tags are not.
            Event::Start(t) if !super::is_inline_tag(t) => c.separate(),
            Event::End(t) if !super::is_inline_end(t) => c.separate(),
            _ => {}
        }
    }
    let mut o = c.o;
    tidy(&mut o.intro);
    for u in &mut o.units {
        tidy(&mut u.text);
    }
    o.units = crate::held::exact(o.units);
    o
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
        // Collected into room for the longest text.
        crate::held::exact_string(s);
    } else {
        *s = squash(s);
    }
}

/// Collapses runs of white space into one space and trims (as `split_whitespace` and
/// `join(" ")` would, copying whole words at a time), into a block of the result's length: a
/// unit's text and a section's label are held for the whole build ([`crate::held`]).
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
    crate::held::exact_string(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::Kind;
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

    /// (kind, id, parent, label, number, text) of a unit.
    type Row = (Kind, String, Option<usize>, String, u64, String);

    /// The intro and every unit.
    fn units(md: &str) -> (String, Vec<Row>) {
        let r = render_full(md);
        let o = &r.outline;
        let units = o
            .units
            .iter()
            .map(|u| {
                (
                    u.kind,
                    u.id.clone(),
                    u.parent,
                    u.label.clone(),
                    u.number,
                    u.text.clone(),
                )
            })
            .collect();
        (o.intro.clone(), units)
    }

    fn u(kind: Kind, id: &str, parent: Option<usize>, label: &str, number: u64, text: &str) -> Row {
        (kind, id.into(), parent, label.into(), number, text.into())
    }

    #[test]
    fn every_word_belongs_to_its_deepest_unit() {
        let (intro, got) = units(
            "Intro words.\n\n## Set up\n\nFirst do this.\n\n1. Open **Settings**.\n   1. Tap it.\n\n   Then save.\n2. Save.\n\n> [!WARNING]\n> Back up first.\n\n::: choose Which plan?\n::: option Free\nFree text.\n1. Sign up.\n::: option Paid\nPay.\n:::\n\nAfter the choice.\n\n## Next\n\n| a | b |\n|---|---|\n| key | type |\n",
        );
        assert_eq!(intro, "Intro words.");
        assert_eq!(
            got,
            [
                u(
                    Kind::Section,
                    "set-up",
                    None,
                    "Set up",
                    0,
                    "First do this. Back up first. Which plan? After the choice."
                ),
                u(
                    Kind::Step,
                    "set-up-step-1",
                    Some(0),
                    "",
                    1,
                    "Open Settings. Then save."
                ),
                u(Kind::Step, "set-up-step-1-1", Some(1), "", 1, "Tap it."),
                u(Kind::Step, "set-up-step-2", Some(0), "", 2, "Save."),
                u(Kind::Option, "free", Some(0), "Free", 0, "Free text."),
                u(Kind::Step, "free-step-1", Some(4), "", 1, "Sign up."),
                u(Kind::Option, "paid", Some(0), "Paid", 0, "Pay."),
                u(Kind::Section, "next", None, "Next", 0, "a b key type"),
            ]
        );
    }

    #[test]
    fn sections_have_no_length_cap() {
        let long = "word ".repeat(400);
        let (_, got) = units(&format!(
            "## Long\n\n{long}\n\n1. Step.\n\nWarning at the end.\n"
        ));
        assert_eq!(
            got[0].5.len(),
            long.trim_end().len() + " Warning at the end.".len()
        );
        assert!(got[0].5.ends_with("word Warning at the end."));
    }

    #[test]
    fn options_nest_and_headings_inside_options_are_their_sections() {
        let (_, got) = units(
            "## Pay\n\n1. Start.\n\n   ::: choose Got the code?\n   ::: option Yes\n   Enter it.\n   ::: option No\n   ::: choose How?\n   ::: option Mail\n   Resend the code.\n   :::\n   :::\n2. Done.\n\n::: choose Card?\n::: option Card\n### Card details\nNumber.\n::: option Bank\nIBAN.\n:::\nTail.\n",
        );
        let short: Vec<(Kind, &str, Option<usize>, &str)> = got
            .iter()
            .map(|g| (g.0, g.1.as_str(), g.2, g.5.as_str()))
            .collect();
        assert_eq!(
            short,
            [
                (Kind::Section, "pay", None, "Card? Tail."),
                (Kind::Step, "pay-step-1", Some(0), "Start. Got the code?"),
                (Kind::Option, "yes", Some(1), "Enter it."),
                (Kind::Option, "no", Some(1), "How?"),
                (Kind::Option, "mail", Some(3), "Resend the code."),
                (Kind::Step, "pay-step-2", Some(0), "Done."),
                (Kind::Option, "card", Some(0), ""),
                (Kind::Section, "card-details", Some(6), "Number."),
                (Kind::Option, "bank", Some(0), "IBAN."),
            ]
        );
    }
}
