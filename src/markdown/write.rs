//! The HTML pass, the last one: the events stepbook writes itself become raw HTML, in one
//! walk. Headings get their self-links ([`headings::html`]), branch markers their frames and
//! choice controls ([`branches::html`]), task-list boxes an accessible name, and each image's
//! events fold into one `<img>` ([`images::html`]). After it, only pulldown-cmark's HTML
//! writer reads the events.

use pulldown_cmark::Event;

use super::branches::{self, Branches};
use super::{Ctx, Events, headings, images, set_html};

/// The HTML pass. Images fold several events into one, so the list is compacted as it goes:
/// each event kept moves down to `kept`, which trails the one being read.
pub fn apply<'a>(events: &mut Events<'a>, cx: &mut Ctx<'_, 'a>) {
    let mut heading = None;
    let mut seq = 0;
    let mut kept = 0;
    let mut i = 0;
    while i < events.len() {
        let mut next = i + 1;
        let html = if let Some(n) = Branches::marker_of(&events[i].0) {
            Some(branches::html(n, &cx.branches, &mut seq))
        } else if let Some((tag, end)) = images::html(events, i, cx) {
            next = end + 1;
            Some(tag)
        } else if let Event::TaskListMarker(done) = events[i].0 {
            Some(task_box(done))
        } else {
            headings::html(&events[i].0, &mut heading)
        };
        if let Some(html) = html {
            set_html(&mut events[i].0, html);
        }
        events.swap(kept, i);
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
