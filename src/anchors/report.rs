//! The words of what `check` reports about the anchor record. Every report points at the
//! record's line and names the article's file, where the writer can pin or retire.

use super::record::{Entry, FILE, Key, Kind, display_key};
use crate::diagnostics::Diagnostic;
use crate::site::Article;

/// How a mapping was found.
#[derive(Debug, Clone, Copy)]
pub enum How {
    /// The same fingerprint, held by this many units of the kind.
    Exact(usize),
    /// This share of words in common.
    Similar(f64),
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Page => "page",
        Kind::Section => "section",
        Kind::Step => "step",
        Kind::Option => "option",
    }
}

/// An old fragment sent to another id of the page.
pub fn moved(a: &Article, key: &Key, kind: Kind, to: &str, how: How) -> Diagnostic {
    let what = match how {
        How::Exact(1) => "which holds the same text".to_string(),
        How::Exact(n) => format!(
            "the first of {n} {}s that hold the same text",
            kind_word(kind)
        ),
        How::Similar(s) => format!(
            "which holds similar text ({:.0}% of words shared)",
            s * 100.0
        ),
    };
    let old = &key.1;
    Diagnostic::warning(
        "anchor-moved",
        format!(
            "`{}` now leads to `{}#{to}`, {what}",
            display_key(key),
            a.page.url
        ),
    )
    .with_hint(format!(
        "to keep this, write `{old}: {to}` under `anchors:` in the frontmatter of {}; to send it elsewhere, name another id; to drop it, `{old}: retire`",
        a.page.source
    ))
}

/// An old fragment that leads nowhere now.
pub fn lost(a: &Article, key: &Key, entry: &Entry) -> Diagnostic {
    let old = &key.1;
    Diagnostic::warning(
        "anchor-lost",
        format!(
            "`{}` anchored a {} that is gone: old links to it open the top of `{}`",
            display_key(key),
            kind_word(entry.kind),
            a.page.url
        ),
    )
    .with_hint(format!(
        "send it to an id of the page with `{old}: new-id` under `anchors:` in the frontmatter of {}, or `{old}: retire`",
        a.page.source
    ))
}

/// A vanished address that now redirects to an article.
pub fn page_moved(address: &str, a: &Article, why: &str) -> Diagnostic {
    Diagnostic::warning(
        "page-moved",
        format!(
            "`{address}` is now `{}` ({why}): a redirect takes old links there",
            a.page.url
        ),
    )
    .with_hint(format!(
        "to keep this, add `{address}` to the `aliases` of {}",
        a.page.source
    ))
}

/// A vanished address that leads nowhere.
pub fn page_gone(address: &str) -> Diagnostic {
    Diagnostic::warning(
        "page-gone",
        format!(
            "`{address}` was published, and no page holds it now: old links to it find nothing"
        ),
    )
    .with_hint(format!(
        "add it to the `aliases` of the page that replaces it, or delete its lines from {FILE}"
    ))
}
