//! The raw mirror of `book.toml`: exactly the file's shape, every table `deny_unknown_fields`.
//!
//! Nothing here is validated or defaulted beyond "absent"; [`super::Config`] does that.

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub book: RawBook,
    #[serde(default)]
    pub build: RawBuild,
    #[serde(default)]
    pub search: RawSearch,
    #[serde(default)]
    pub serve: RawServe,
    #[serde(default)]
    pub brand: RawBrand,
    /// `[languages.<tag>]`, by tag as written.
    #[serde(default)]
    pub languages: std::collections::BTreeMap<String, RawLanguage>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLanguage {
    pub title: Option<String>,
    pub description: Option<String>,
    /// The theme's texts, by name, replacing the built-in translation.
    #[serde(default)]
    pub strings: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBook {
    pub title: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub base_url: Option<String>,
    pub edit_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBuild {
    pub content_dir: Option<String>,
    pub output_dir: Option<String>,
    pub theme: Option<String>,
    pub link_check: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawSearch {
    pub enable: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawServe {
    pub port: Option<u16>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBrand {
    pub logo: Option<String>,
    pub favicon: Option<String>,
    pub accent: Option<String>,
    pub accent_dark: Option<String>,
}

/// Every key `book.toml` knows, by table, for "did you mean" hints.
pub const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &["book", "build", "search", "serve", "brand", "languages"],
    ),
    (
        "book",
        &["title", "description", "language", "base-url", "edit-url"],
    ),
    (
        "build",
        &["content-dir", "output-dir", "theme", "link-check"],
    ),
    ("search", &["enable"]),
    ("serve", &["port"]),
    ("brand", &["logo", "favicon", "accent", "accent-dark"]),
    // Tables named by language tags; the keys of each are `LANGUAGE_KEYS`.
    ("languages", &[]),
];

/// The keys of a `[languages.<tag>]` table.
pub const LANGUAGE_KEYS: &[&str] = &["title", "description", "strings"];
