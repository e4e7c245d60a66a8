//! What a writer decides in an article's frontmatter about its old fragments:
//!
//! ```yaml
//! anchors:
//!   set-up-step-3: set-up-step-4   # pin or override: old links to #set-up-step-3 go here
//!   old-heading: retire            # retire: forget what #old-heading anchored
//! ```
//!
//! The key `anchors` reaches this module through [`Frontmatter::extra`]; every target must be
//! an id of the page. Problems point at the line of the entry in the frontmatter.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::frontmatter::{self, Frontmatter};
use crate::site::Page;

/// The frontmatter key.
pub const KEY: &str = "anchors";

/// The value that retires a fragment.
pub const RETIRE: &str = "retire";

/// What the writer decided for one old fragment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Pin {
    /// Old links go to this id of the page.
    To(String),
    /// The fragment's old meaning is forgotten: no mapping, and the record drops it.
    Retire,
}

/// The pins of one article, by old fragment, and the problems met reading them.
pub fn read(page: &Page) -> (BTreeMap<String, Pin>, Vec<Diagnostic>) {
    let mut pins = BTreeMap::new();
    let mut problems = Vec::new();
    let Some(value) = page.fm.extra.get(KEY) else {
        return (pins, problems);
    };
    let at_key = |d: Diagnostic| frontmatter::at_value(d, &page.abs, &page.text, &page.fm, KEY);
    let Some(map) = value.as_object() else {
        problems.push(
            at_key(Diagnostic::error(
                "anchors-invalid",
                "`anchors` must map each old fragment to an id of this page, or to `retire`",
            ))
            .with_hint("write one `old-id: new-id` per line under `anchors:`"),
        );
        return (pins, problems);
    };
    let ids: Vec<&str> = page.md.ids.iter().map(|i| i.as_str()).collect();
    for (old, target) in map {
        let at_entry = |d: Diagnostic| at_entry(d, page, old);
        let Some(target) = target.as_str() else {
            problems.push(
                at_entry(Diagnostic::error(
                    "anchors-invalid",
                    format!("`anchors` gives `{old}` a value that is not an id or `retire`"),
                ))
                .with_hint("write one `old-id: new-id` per line under `anchors:`"),
            );
            continue;
        };
        let target = target.trim_start_matches('#');
        if target == RETIRE {
            pins.insert(old.clone(), Pin::Retire);
        } else if ids.contains(&target) {
            pins.insert(old.clone(), Pin::To(target.to_string()));
        } else {
            let d = Diagnostic::error(
                "anchors-target-missing",
                format!("`anchors` sends `#{old}` to `#{target}`, which is not an id of this page"),
            );
            let hint = match crate::suggest::nearest(target, &ids) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("name an id of this page, or `{RETIRE}`"),
            };
            problems.push(at_entry(d).with_hint(hint));
        }
    }
    (pins, problems)
}

/// Points `d` at the line of `old` under `anchors:` (or at `anchors:` itself).
fn at_entry(d: Diagnostic, page: &Page, old: &str) -> Diagnostic {
    let fm: &Frontmatter = &page.fm;
    let Some(&key_line) = fm.key_lines.get(KEY) else {
        return frontmatter::at_value(d, &page.abs, &page.text, fm, KEY);
    };
    let text = &page.text[..page.body_offset.min(page.text.len())];
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if n >= key_line {
            for quote in ["", "\"", "'"] {
                let key = format!("{quote}{old}{quote}:");
                let found = if n == key_line {
                    // `anchors: {old: new}` on one line.
                    line.find(&format!("{{{key}"))
                        .map(|i| i + 1)
                        .or_else(|| line.find(&format!(" {key}")).map(|i| i + 1))
                        .filter(|&i| i > KEY.len())
                } else {
                    let trimmed = line.trim_start();
                    trimmed
                        .starts_with(&key)
                        .then(|| line.len() - trimmed.len())
                };
                if let Some(col) = found {
                    return d.at(&page.abs, &page.text, offset + col, key.len() - 1);
                }
            }
        }
        offset += line.len();
    }
    frontmatter::at_value(d, &page.abs, &page.text, fm, KEY)
}
