//! The languages of a site and where each page is in each of them, shared by the sites of
//! every language: what the language switcher, the `hreflang` alternates, the sitemap and the
//! per-language Intercom redirects read.
//!
//! A translation is known by its source's path: `guide/reset.de.md` is the German page of
//! `guide/reset.md`, so both are filed under `guide/reset.md` here.

use std::collections::HashMap;

use crate::paths::{SourcePath, UrlPath};

/// One language of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Lang {
    /// The BCP 47 tag, as `book.toml` writes it.
    pub tag: String,
    /// `""` for the default language, `"de/"` for the others: where its pages start.
    pub root: String,
}

/// Every language (the default one first) and every page's URL in each.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Alternates {
    pub langs: Vec<Lang>,
    /// By the source's path: the page's URL in each language of [`Alternates::langs`],
    /// `None` where it has no translation.
    pub pages: HashMap<SourcePath, Vec<Option<UrlPath>>>,
}

impl Alternates {
    /// The URLs of the page made from `source`, by language.
    pub fn of(&self, source: &SourcePath) -> &[Option<UrlPath>] {
        self.pages.get(source).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether the site has more than one language.
    pub fn many(&self) -> bool {
        self.langs.len() > 1
    }

    /// Notes that the page of `source` is at `url` in language `lang`.
    pub fn insert(&mut self, source: &SourcePath, lang: usize, url: UrlPath) {
        let n = self.langs.len();
        let urls = self
            .pages
            .entry(source.clone())
            .or_insert_with(|| vec![None; n]);
        urls[lang] = Some(url);
    }
}
