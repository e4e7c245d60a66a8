//! Headings: GitHub-compatible ids, explicit `{#id}`, self-links (user guide:
//! `content/write/link-to-a-step.md`).
//!
//! [`apply`] gives every heading its id (kept in the event, so later passes such as
//! [`super::steps`] can see the nearest heading) and takes a leading `#` heading out of the
//! body as the page title. [`html`] then writes each heading as HTML with its self-link, in
//! the [`super::write`] pass.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::branches::{Branches, Kind};
use super::ids::IdSet;
use super::{Ctx, Events, Heading, escape, plain_text};
use crate::paths::AnchorId;

#[derive(Debug, Default)]
pub struct Headings {
    pub title: Option<String>,
    pub title_id: Option<AnchorId>,
    pub headings: Vec<Heading>,
    /// Explicit ids written twice: the id, what it became, and the body offset of the repeat.
    pub repeated: Vec<(String, AnchorId, usize)>,
}

/// The headings pass: gives every heading and branch option its id (kept in the heading's
/// event) and lifts a leading `#` heading out as the title, into [`Ctx::headings`].
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    let (ids, branches, found) = (&mut cx.ids, &mut cx.branches, &mut cx.headings);
    let mut title_end = None;
    let mut i = 0;
    while i < events.len() {
        if let Some(n) = Branches::marker_of(&events[i].0) {
            let m = &mut branches.markers[n];
            if m.kind == Kind::Option {
                m.id = Some(match &m.explicit_id {
                    Some(explicit) => explicit_id(ids, explicit, m.range.start, found),
                    None => ids.heading(&m.text),
                });
            }
            i += 1;
            continue;
        }
        let (Event::Start(Tag::Heading { level, id, .. }), range) = &mut events[i] else {
            i += 1;
            continue;
        };
        let (level, at) = (*level, range.start);
        let explicit = id.take();
        let end = (i..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len() - 1);
        let text = plain_text(events[i + 1..end].iter().map(|(e, _)| e));
        let anchor = match explicit {
            Some(explicit) => explicit_id(ids, &explicit, at, found),
            None => ids.heading(&text),
        };
        if level == HeadingLevel::H1 && i == 0 && found.title.is_none() {
            found.title = Some(text);
            found.title_id = Some(anchor);
            title_end = Some(end);
            i = end + 1;
            continue;
        }
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[i].0 {
            *id = Some(CowStr::from(anchor.as_str().to_string()));
        }
        found.headings.push(Heading {
            level: level as u8,
            id: anchor,
            text,
            steps: 0,
        });
        i = end + 1;
    }
    // The title opens the body: taking it out moves the rest once.
    if let Some(end) = title_end {
        events.drain(..=end);
    }
}

/// Claims an explicit id, noting a repeat.
fn explicit_id(ids: &mut IdSet, wanted: &str, at: usize, found: &mut Headings) -> AnchorId {
    let (id, repeated) = ids.explicit(wanted);
    if repeated {
        found.repeated.push((wanted.to_string(), id.clone(), at));
    }
    id
}

/// The HTML of a heading's start or end event (for [`super::write`]):
/// `<hN id class="heading">text<a class="heading-anchor">#</a></hN>`. `open` carries the id
/// from a start to its end.
pub fn html(event: &Event<'_>, open: &mut Option<String>) -> Option<String> {
    Some(match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => {
            let id = id.as_deref().unwrap_or("").to_string();
            let mut class = String::from("heading");
            for c in classes.iter() {
                class.push(' ');
                class.push_str(&escape(c));
            }
            let mut extra = String::new();
            for (k, v) in attrs.iter() {
                extra.push_str(&format!(
                    " {}=\"{}\"",
                    escape(k),
                    escape(v.as_deref().unwrap_or(""))
                ));
            }
            let tag = format!("<{level} id=\"{}\" class=\"{class}\"{extra}>", escape(&id));
            *open = Some(id);
            tag
        }
        Event::End(TagEnd::Heading(level)) => {
            let id = escape(open.take().as_deref().unwrap_or(""));
            format!(
                "<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></{level}>\n"
            )
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::markdown::tests::render_full;

    #[test]
    fn ids_self_links_and_title() {
        let r = render_full(
            "# Title\n\nIntro.\n\n## 1\\. Link methods\n\n### Phone\n\n### Phone\n\n## Own {#custom}\n",
        );
        assert_eq!(r.title.as_deref(), Some("Title"));
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["1-link-methods", "phone", "phone-1", "custom"]);
        assert!(r.html.starts_with("<p>Intro.</p>\n<h2 id=\"1-link-methods\" class=\"heading\">1. Link methods<a class=\"heading-anchor\" href=\"#1-link-methods\" aria-label=\"Link to this section\">#</a></h2>\n"), "{}", r.html);
        assert!(!r.html.contains("<h1"));
    }

    #[test]
    fn later_h1_stays() {
        let r = render_full("Intro.\n\n# Not a title\n");
        assert_eq!(r.title, None);
        assert_eq!(r.headings[0].id.as_str(), "not-a-title");
    }
}
