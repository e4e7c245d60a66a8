//! A site's language as its pages show it: the page in every language (for the switcher,
//! `hreflang` and the sitemap), the theme's texts in the site's language, and article bodies
//! with the renderer's English words put in that language.

use std::collections::BTreeMap;

use super::context::AlternateCtx;
use super::strings;
use crate::paths::UrlPath;
use crate::site::Site;

/// The page at `url` (made from `source`) in every language, this one first; its home in a
/// language it has no translation in. Empty when the site has one language.
pub fn alternates(
    site: &Site,
    url: &UrlPath,
    source: Option<&crate::paths::SourcePath>,
) -> Vec<AlternateCtx> {
    let alt = &site.alternates;
    if !alt.many() {
        return Vec::new();
    }
    let is_home = *url == site.home_url();
    let urls = source.map(|s| alt.of(s)).unwrap_or(&[]);
    let mut out: Vec<AlternateCtx> = alt
        .langs
        .iter()
        .enumerate()
        .map(|(l, lang)| {
            let home = UrlPath::new(format!("{}index.html", lang.root));
            let (to, exists) = match urls.get(l).cloned().flatten() {
                Some(u) => (u, true),
                None => (home, is_home),
            };
            AlternateCtx {
                tag: lang.tag.clone(),
                name: strings::native_name(&lang.tag),
                url: url.href_to(&to),
                absolute: site.config.base_url.as_ref().map(|b| format!("{b}{to}")),
                exists,
                current: l == site.lang,
                default: l == 0,
            }
        })
        .collect();
    let here = out.remove(site.lang);
    out.insert(0, here);
    out
}

/// A page's body as it shows: its empty links filled, and the words the Markdown renderer
/// writes in English in the site's language (`texts`, the site's texts when they are not the
/// English ones).
/// Borrowed from the page when nothing changes, as for most pages: a body is tens of kilobytes.
pub fn body<'a>(
    site: &Site,
    texts: Option<&BTreeMap<String, String>>,
    page: &'a crate::site::Page,
) -> std::borrow::Cow<'a, str> {
    let html = crate::site::xref::filled_html(site, page);
    match texts.and_then(|texts| strings::localize(&html, texts)) {
        Some(localized) => localized.into(),
        None => html,
    }
}

/// The theme's text `name` in the site's language.
pub fn text(site: &Site, name: &str) -> String {
    strings::text(&site.config.language, strings_of(site), name)
}

/// The texts this site sets for its language.
pub fn strings_of(site: &Site) -> &BTreeMap<String, String> {
    match site.lang {
        0 => &site.config.strings,
        l => &site.config.languages[l - 1].strings,
    }
}
