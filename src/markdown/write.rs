//! The HTML pass, the last one: the events stepbook writes itself become raw HTML, in one
//! walk. Headings get their self-links ([`headings::html`]), branch markers their frames and
//! choice controls ([`branches::html`]), task-list boxes an accessible name, and each image's
//! events fold into one `<img>` ([`images::html`]). After it, only pulldown-cmark's HTML
//! writer reads the events.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::branches::{self, Branches};
use super::{Ctx, Events, headings, images, set_html};

/// The HTML pass. Images fold several events into one, so the list is compacted as it goes:
/// each event kept moves down to `kept`, which trails the one being read.
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    let mut heading = None;
    let mut seq = 0;
    let mut kept = 0;
    let mut i = 0;
    // Raw HTML written from another folder than the page's: its images too are led from the
    // page. Worked out once for the page's own text; a snippet's is always elsewhere.
    let own_away = cx.input.away_from(cx.input.source_path);
    while i < events.len() {
        let mut next = i + 1;
        // Each kind of event has one writer; the others (most events) pass as they are.
        let html = match &events[i].0 {
            Event::Html(text) | Event::InlineHtml(text) => {
                match Branches::marker_of(&events[i].0) {
                    Some(n) => Some(branches::html(n, &cx.branches, &mut seq)),
                    None => match cx.input.snippet_at(events[i].1.start) {
                        Some(s) => images::rebase_raw(text, || cx.input.back_to(&s.source)),
                        None if own_away => {
                            images::rebase_raw(text, || cx.input.back_to(cx.input.source_path))
                        }
                        None => None,
                    },
                }
            }
            Event::Start(Tag::Image { .. }) => images::html(events, i, cx).map(|(tag, end)| {
                next = end + 1;
                tag
            }),
            Event::TaskListMarker(done) => Some(task_box(*done)),
            Event::Start(Tag::Heading { .. }) | Event::End(TagEnd::Heading(_)) => {
                headings::html(&events[i].0, &mut heading)
            }
            _ => None,
        };
        if let Some(html) = html {
            set_html(&mut events[i].0, html);
        }
        if kept != i {
            events.swap(kept, i);
        }
        kept += 1;
        i = next;
    }
    events.truncate(kept);
}

/// A task-list box with an accessible name: a read-only mark of done or not done.
fn task_box(done: bool) -> String {
    let (checked, label) = if done {
        (" checked", "Done")
    } else {
        ("", "Not done")
    };
    format!("<input type=\"checkbox\" disabled{checked} aria-label=\"{label}\"> ")
}
