//! `check`'s warning about links in the content that name an id the anchor record sends
//! elsewhere: the link checker finds the id on the page, but a reader who follows the link
//! lands where the id's old links go.

use crate::diagnostics::{Diagnostic, Locator};
use crate::site::Site;

/// A `link-to-moved-anchor` warning for every such link of the site.
pub fn lint(site: &Site) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for page in site.pages() {
        let locate = Locator::new(&page.abs, &page.text);
        for link in &page.md.links {
            let Some(fragment) = link.fragment.as_deref() else {
                continue;
            };
            let target = match &link.target {
                Some(source) => site.page(source),
                None => Some(page),
            };
            let Some(target) = target else { continue };
            let Some(to) = site
                .anchors
                .followed
                .get(&target.url)
                .and_then(|m| m.get(fragment))
                .filter(|to| *to != fragment)
            else {
                continue;
            };
            let written = page.text[link.span.clone()].lines().next().unwrap_or("");
            let d = Diagnostic::warning(
                "link-to-moved-anchor",
                format!(
                    "this link names `#{fragment}`, but the anchor record sends links to `#{fragment}` on to `#{to}`"
                ),
            )
            .located(&locate, link.span.start, written.len())
            .with_hint(format!(
                "link to `#{to}` if that is what you mean; to link to what `#{fragment}` shows now, write `{fragment}: retire` under `anchors:` in the frontmatter of {}, or give it a fixed id",
                target.source
            ));
            found.push(d);
        }
    }
    found
}
