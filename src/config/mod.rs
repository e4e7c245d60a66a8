//! Site configuration: `book.toml` in two stages.
//!
//! [`raw::RawConfig`] mirrors the file and rejects unknown keys; [`Config::load`] turns it into
//! a validated [`Config`] with defaults applied and paths made absolute. Errors come back as
//! [`Diagnostic`]s pointing into `book.toml`, with the nearest known key as a hint. Runtime
//! state (serve mode, chosen ports) never lives here.

pub mod brand;
pub mod raw;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use raw::{KNOWN_KEYS, RawConfig};

/// What to do with a broken internal link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkCheck {
    Error,
    Warn,
}

/// The validated site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding `book.toml`; every relative path below is resolved against it.
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    pub language: String,
    /// Absolute site URL, always ending in `/`, when set.
    pub base_url: Option<String>,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    pub theme: String,
    pub link_check: LinkCheck,
    pub search: bool,
    pub port: u16,
    /// `[brand]`: logo, favicon and accent colour.
    pub brand: brand::Brand,
    /// Link to a page's source, with `{path}` where the path from the content folder goes.
    pub edit_url: Option<String>,
    /// Problems that do not stop the build (an accent colour with too little contrast).
    pub warnings: Vec<Diagnostic>,
}

pub const CONFIG_FILE: &str = "book.toml";

impl Config {
    /// Reads `<root>/book.toml`. A missing file gives the defaults, so a bare `content/`
    /// folder builds.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(vec![
                    Diagnostic::error("io", format!("cannot read {}: {e}", path.display()))
                        .in_file(&path),
                ]);
            }
        };
        Self::from_source(root, &path, &source)
    }

    /// Parses and validates `source`, the text of the config file at `path`.
    pub fn from_source(root: &Path, path: &Path, source: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig =
            toml::from_str(source).map_err(|e| vec![toml_diagnostic(&e, path, source)])?;
        Self::validate(root, raw, path, source)
    }

    fn validate(
        root: &Path,
        raw: RawConfig,
        path: &Path,
        source: &str,
    ) -> Result<Config, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let link_check = match raw.build.link_check.as_deref() {
            None | Some("error") => LinkCheck::Error,
            Some("warn") => LinkCheck::Warn,
            Some(other) => {
                errors.push(value_error(
                    path,
                    source,
                    "link-check",
                    other,
                    "`link-check` must be \"error\" or \"warn\"",
                ));
                LinkCheck::Error
            }
        };
        let base_url = match raw.book.base_url {
            Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                errors.push(value_error(
                    path,
                    source,
                    "base-url",
                    &url,
                    "`base-url` must be an absolute http(s) URL, e.g. \"https://help.example.com/docs/\"",
                ));
                None
            }
            Some(url) if url.ends_with('/') => Some(url),
            Some(url) => Some(format!("{url}/")),
            None => None,
        };
        let theme = raw.build.theme.unwrap_or_else(|| "default".into());
        if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
            errors.push(value_error(
                path,
                source,
                "theme",
                &theme,
                "`theme` must be a folder name under themes/",
            ));
        }
        let edit_url = match raw.book.edit_url {
            Some(url)
                if !(url.starts_with("http://") || url.starts_with("https://"))
                    || !url.contains("{path}") =>
            {
                errors.push(value_error(
                    path,
                    source,
                    "edit-url",
                    &url,
                    "`edit-url` must be an absolute http(s) URL with `{path}` where the article's path goes, e.g. \"https://github.com/acme/help/edit/main/content/{path}\"",
                ));
                None
            }
            url => url,
        };
        let content_dir = root.join(raw.build.content_dir.unwrap_or_else(|| "content".into()));
        let mut warnings = Vec::new();
        let brand = brand::validate(
            raw.brand,
            &content_dir,
            path,
            source,
            &mut errors,
            &mut warnings,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Config {
            root: root.to_path_buf(),
            title: raw.book.title.unwrap_or_else(|| "Help center".into()),
            description: raw.book.description.unwrap_or_default(),
            language: raw.book.language.unwrap_or_else(|| "en".into()),
            base_url,
            content_dir,
            output_dir: root.join(raw.build.output_dir.unwrap_or_else(|| "public".into())),
            theme,
            link_check,
            search: raw.search.enable.unwrap_or(true),
            port: raw.serve.port.unwrap_or(3000),
            brand,
            edit_url,
            warnings,
        })
    }

    /// The folder of the selected theme's overrides, which may not exist.
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }
}

fn value_error(path: &Path, source: &str, key: &str, value: &str, message: &str) -> Diagnostic {
    let d = Diagnostic::error("config-value", message.to_string());
    match find_key_value(source, key, value) {
        Some(offset) => d.at(path, source, offset, value.len()),
        None => d.in_file(path),
    }
}

/// Byte offset of `value` on the line that sets `key`.
fn find_key_value(source: &str, key: &str, value: &str) -> Option<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        if line.trim_start().starts_with(key)
            && let Some(i) = line.find(value)
        {
            return Some(offset + i);
        }
        offset += line.len();
    }
    None
}

/// Turns a TOML or serde error into a diagnostic; unknown keys get the nearest known key.
fn toml_diagnostic(e: &toml::de::Error, path: &Path, source: &str) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    if let Some(key) = unknown_field(&message) {
        let table = table_at(source, span.start);
        let known = KNOWN_KEYS
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, k)| *k)
            .unwrap_or(&[]);
        let (offset, len) = key_span(source, &span, key);
        let shown_table = if table.is_empty() {
            "the top level".to_string()
        } else {
            format!("[{table}]")
        };
        let mut d = Diagnostic::error(
            "config-unknown-key",
            format!("unknown key `{key}` in {shown_table} of book.toml"),
        )
        .at(path, source, offset, len);
        d = match nearest(key, known) {
            Some(best) => d.with_hint(format!("did you mean `{best}`?")),
            None => d.with_hint(format!("known keys here: {}", known.join(", "))),
        };
        return d;
    }
    Diagnostic::error("config-syntax", format!("invalid book.toml: {message}")).at(
        path,
        source,
        span.start,
        span.len(),
    )
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Where the key name itself sits: serde's span may cover the whole entry.
fn key_span(source: &str, span: &std::ops::Range<usize>, key: &str) -> (usize, usize) {
    let hay = source.get(span.clone()).unwrap_or("");
    match hay.find(key) {
        Some(i) => (span.start + i, key.len()),
        None => (span.start, span.len().max(1)),
    }
}

/// The `[table]` header in force at `offset`.
fn table_at(source: &str, offset: usize) -> String {
    let before = source.get(..offset).unwrap_or(source);
    before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string())
        .unwrap_or_default()
}

/// The known name closest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> Result<Config, Vec<Diagnostic>> {
        Config::from_source(Path::new("/s"), Path::new("/s/book.toml"), src)
    }

    #[test]
    fn defaults_without_a_file() {
        let c = load("").unwrap();
        assert_eq!(c.title, "Help center");
        assert_eq!(c.content_dir, Path::new("/s/content"));
        assert_eq!(c.output_dir, Path::new("/s/public"));
        assert_eq!(c.link_check, LinkCheck::Error);
        assert!(c.search);
    }

    #[test]
    fn typo_names_the_nearest_key() {
        let errs = load("[book]\ntitle = \"x\"\n\n[build]\noutput-dri = \"out\"\n").unwrap_err();
        let d = &errs[0];
        assert_eq!(
            d.message,
            "unknown key `output-dri` in [build] of book.toml"
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `output-dir`?"));
        let loc = d.location.as_ref().unwrap();
        assert_eq!((loc.line, loc.col), (5, 1));
    }

    #[test]
    fn bad_link_check_value() {
        let errs = load("[build]\nlink-check = \"loud\"\n").unwrap_err();
        assert_eq!(
            errs[0].message,
            "`link-check` must be \"error\" or \"warn\""
        );
        assert_eq!(errs[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let c = load("[book]\nbase-url = \"https://help.example.com/docs\"\n").unwrap();
        assert_eq!(
            c.base_url.as_deref(),
            Some("https://help.example.com/docs/")
        );
    }
}
