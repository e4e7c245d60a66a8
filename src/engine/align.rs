//! Ids across languages: a translation takes its source's heading, step and branch option
//! ids wherever the structure matches, so `#reset-step-3` and a reader's branch choice mean
//! the same place in every language.
//!
//! In: the source's rendered body and the translation's. Out: the translation's body with
//! the ids renamed in one pass over its HTML (`id`, `href="#…"`, and the radio values and
//! option keys of branch points), its headings, steps, ids and outline renamed alike. Each
//! kind is paired in order and pairing stops at the first difference (a heading of another
//! level, a step with another number or depth). A renamed heading keeps its own slug as an
//! empty anchor before it, so links written in the translation's words still land.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lazy::Lazy;
use crate::markdown::Rendered;
use crate::markdown::outline::Outline;
use crate::paths::AnchorId;

/// The translation's body with its source's ids, or the same body when nothing pairs up
/// differently.
pub fn align(source: &Rendered, own: Arc<Rendered>) -> Arc<Rendered> {
    let mut map: HashMap<String, String> = HashMap::new();
    let mut headings = Vec::new();
    for (a, b) in source.headings.iter().zip(&own.headings) {
        if a.level != b.level {
            break;
        }
        if a.id != b.id {
            map.insert(b.id.as_str().to_string(), a.id.as_str().to_string());
            headings.push(b.id.as_str().to_string());
        }
    }
    for (a, b) in source.steps.iter().zip(own.steps.iter()) {
        if (a.number, a.depth) != (b.number, b.depth) {
            break;
        }
        map.insert(b.id.as_str().to_string(), a.id.as_str().to_string());
    }
    for (a, b) in options(&source.html).iter().zip(options(&own.html)) {
        map.insert(b.to_string(), a.to_string());
    }
    map.retain(|k, v| k != v);
    if map.is_empty() {
        return own;
    }
    let mut md = own.as_ref().clone();
    let mut html = rename(&own.html, &map, &headings);
    crate::held::exact_string(&mut html);
    md.html = html.into();
    let to = |id: &AnchorId| AnchorId::new(map.get(id.as_str()).map_or(id.as_str(), |s| s));
    let mut heads = Vec::clone(&md.headings);
    for h in &mut heads {
        h.id = to(&h.id);
    }
    md.headings = Lazy::new(heads);
    let mut steps = Vec::clone(&md.steps);
    for s in &mut steps {
        s.id = to(&s.id);
        s.heading = s.heading.as_ref().map(to);
    }
    md.steps = Lazy::new(steps);
    let ids = (md.ids.iter().map(to))
        .chain(headings.iter().map(|h| AnchorId::new(h.as_str())))
        .collect();
    md.ids = Lazy::new(ids);
    let mut outline = Outline::clone(&md.outline);
    for u in &mut outline.units {
        if let Some(new) = map.get(&u.id) {
            u.id = new.clone();
        }
    }
    md.outline = Lazy::new(outline);
    Arc::new(md)
}

/// The ids of the branch options of `html`, in order.
fn options(html: &str) -> Vec<&str> {
    const OPTION: &str = "<div class=\"branch__option\" id=\"";
    html.match_indices(OPTION)
        .filter_map(|(i, _)| {
            let rest = &html[i + OPTION.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// `html` with every id of `map` renamed where it is an id, a fragment, a radio's value or
/// target, or an option's key; each heading of `kept` gets its old id as an anchor before it.
fn rename(html: &str, map: &HashMap<String, String>, kept: &[String]) -> String {
    const ATTRS: [&str; 6] = [
        " id=\"",
        " href=\"#",
        " data-target=\"",
        " value=\"",
        " data-option=\"",
        " data-branch=\"",
    ];
    let mut out = String::with_capacity(html.len() + 64 * kept.len());
    let mut rest = html;
    loop {
        let next = ATTRS
            .iter()
            .filter_map(|a| rest.find(a).map(|i| (i, *a)))
            .min_by_key(|(i, _)| *i);
        let Some((i, attr)) = next else {
            out.push_str(rest);
            return out;
        };
        let start = i + attr.len();
        let Some(len) = rest[start..].find('"') else {
            out.push_str(rest);
            return out;
        };
        let value = &rest[start..start + len];
        let mut head = &rest[..start];
        if attr == " id=\"" && kept.iter().any(|k| k == value) {
            // `<h2 id="…"`: the old id goes on an empty anchor before the heading.
            if let Some(open) = head.rfind('<') {
                out.push_str(&head[..open]);
                out.push_str(&format!("<span id=\"{value}\"></span>"));
                head = &head[open..];
            }
        }
        out.push_str(head);
        if attr == " data-branch=\"" {
            let mut keys: Vec<&str> = value
                .split(' ')
                .map(|k| map.get(k).map_or(k, String::as_str))
                .collect();
            keys.sort_unstable();
            out.push_str(&keys.join(" "));
        } else {
            out.push_str(map.get(value).map_or(value, String::as_str));
        }
        rest = &rest[start + len..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_in_one_pass_and_keeps_the_heading_slug() {
        let mut map = HashMap::new();
        map.insert("a".to_string(), "b".to_string());
        map.insert("b".to_string(), "c".to_string());
        let html = "<h2 id=\"a\" class=\"heading\">A<a href=\"#a\">#</a></h2>\n<p id=\"b\"></p><div data-branch=\"b x\"></div>";
        assert_eq!(
            rename(html, &map, &["a".to_string()]),
            "<span id=\"a\"></span><h2 id=\"b\" class=\"heading\">A<a href=\"#b\">#</a></h2>\n<p id=\"c\"></p><div data-branch=\"c x\"></div>"
        );
    }
}
