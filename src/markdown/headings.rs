//! Headings: GitHub-compatible ids, explicit `{#id}`, self-links (user guide:
//! `content/write/link-to-a-step.md`).
//!
//! [`apply`] gives every heading its id (kept in the event, so later adapters such as
//! [`super::steps`] can see the nearest heading) and takes a leading `#` heading out of the
//! body as the page title. [`render`] then writes each heading as HTML with its self-link.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::branches::{Branches, Kind};
use super::ids::IdSet;
use super::{Ev, Heading, escape, plain_text, set_html, take};
use crate::paths::AnchorId;

#[derive(Debug, Default)]
pub struct Headings {
    pub title: Option<String>,
    pub title_id: Option<AnchorId>,
    pub headings: Vec<Heading>,
    /// Explicit ids written twice: the id, what it became, and the body offset of the repeat.
    pub repeated: Vec<(String, AnchorId, usize)>,
}

/// Assigns ids to every heading and lifts a leading `#` heading out as the title.
pub fn apply<'a>(
    mut events: Vec<Ev<'a>>,
    ids: &mut IdSet,
    branches: &mut Branches,
) -> (Vec<Ev<'a>>, Headings) {
    let mut out = Vec::with_capacity(events.len());
    let mut found = Headings::default();
    let mut i = 0;
    while i < events.len() {
        if let Some(n) = Branches::marker_of(&events[i].0) {
            let m = &mut branches.markers[n];
            if m.kind == Kind::Option {
                m.id = Some(match &m.explicit_id {
                    Some(explicit) => explicit_id(ids, explicit, m.range.start, &mut found),
                    None => ids.heading(&m.text),
                });
            }
            out.push(take(&mut events[i]));
            i += 1;
            continue;
        }
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i].0
        else {
            out.push(take(&mut events[i]));
            i += 1;
            continue;
        };
        let end = (i..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len() - 1);
        let text = plain_text(events[i + 1..end].iter().map(|(e, _)| e));
        let anchor = match id {
            Some(explicit) => explicit_id(ids, explicit, events[i].1.start, &mut found),
            None => ids.heading(&text),
        };
        let is_title = *level == HeadingLevel::H1 && out.is_empty() && found.title.is_none();
        if is_title {
            found.title = Some(text);
            found.title_id = Some(anchor);
            i = end + 1;
            continue;
        }
        found.headings.push(Heading {
            level: *level as u8,
            id: anchor.clone(),
            text,
            steps: 0,
        });
        let tag = Tag::Heading {
            level: *level,
            id: Some(CowStr::from(anchor.as_str().to_string())),
            classes: classes.clone(),
            attrs: attrs.clone(),
        };
        out.push((Event::Start(tag), events[i].1.clone()));
        i += 1;
    }
    (out, found)
}

/// Claims an explicit id, noting a repeat.
fn explicit_id(ids: &mut IdSet, wanted: &str, at: usize, found: &mut Headings) -> AnchorId {
    let (id, repeated) = ids.explicit(wanted);
    if repeated {
        found.repeated.push((wanted.to_string(), id.clone(), at));
    }
    id
}

/// Writes headings as `<hN id class="heading">text<a class="heading-anchor">#</a></hN>`.
pub fn render(events: &mut [Ev<'_>]) {
    let mut open: Option<String> = None;
    for (event, _) in events.iter_mut() {
        let html = match event {
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
                open = Some(id);
                tag
            }
            Event::End(TagEnd::Heading(level)) => {
                let id = escape(open.take().as_deref().unwrap_or(""));
                format!(
                    "<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></{level}>\n"
                )
            }
            _ => continue,
        };
        set_html(event, html);
    }
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
