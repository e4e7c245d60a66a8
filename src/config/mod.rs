//! Site configuration: `book.toml` in two stages.
//!
//! [`raw::RawConfig`] mirrors the file and rejects unknown keys; [`Config::load`] turns it into
//! a validated [`Config`] with defaults applied and paths made absolute. Errors come back as
//! [`Diagnostic`]s pointing into `book.toml`, with the nearest known key as a hint. Runtime
//! state (serve mode, chosen ports) never lives here.

pub mod brand;
pub mod languages;
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
    /// `[languages.<tag>]`: the other languages, sorted by tag.
    pub languages: Vec<languages::Language>,
    /// The theme's texts this site sets for the default language.
    pub strings: std::collections::BTreeMap<String, String>,
    /// Problems that do not stop the build (an accent colour with too little contrast).
    pub warnings: Vec<Diagnostic>,
}

pub const CONFIG_FILE: &str = "book.toml";

impl Config {
    /// Reads `<root>/book.toml`. A missing file gives the defaults, so a bare `content/`
    /// folder builds.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        match Self::load_reporting(root) {
            (Some(config), problems) if problems.is_empty() => Ok(config),
            (_, problems) => Err(problems),
        }
    }

    /// [`Config::load`] that goes on past the errors it can: with unknown keys left out and
    /// bad values at their defaults, the config is still returned beside the errors, so a
    /// build can report the content's problems in the same run. `None` when the file cannot
    /// be read that far (unreadable, not TOML, a value of the wrong type).
    pub fn load_reporting(root: &Path) -> (Option<Config>, Vec<Diagnostic>) {
        let path = root.join(CONFIG_FILE);
        let source = match std::fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return (
                    None,
                    vec![
                        Diagnostic::error("io", format!("cannot read {}: {e}", path.display()))
                            .in_file(&path),
                    ],
                );
            }
        };
        Self::read(root, &path, &source)
    }

    /// Parses and validates `source`, the text of the config file at `path`.
    pub fn from_source(root: &Path, path: &Path, source: &str) -> Result<Config, Vec<Diagnostic>> {
        match Self::read(root, path, source) {
            (Some(config), problems) if problems.is_empty() => Ok(config),
            (_, problems) => Err(problems),
        }
    }

    fn read(root: &Path, path: &Path, source: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let e = match toml::from_str::<RawConfig>(source) {
            Ok(raw) => return Self::validate(root, raw, path, source),
            Err(e) => e,
        };
        // serde stops at the first unknown key; the writer should see them all at once.
        let unknown = match unknown_field(e.message()) {
            Some(_) => unknown_keys(path, source),
            None => Vec::new(),
        };
        if unknown.is_empty() {
            return (None, vec![toml_diagnostic(&e, path, source)]);
        }
        let (names, mut problems): (Vec<_>, Vec<_>) = unknown.into_iter().unzip();
        let Some(raw) = without_keys(source, &names) else {
            return (None, problems);
        };
        let (config, more) = Self::validate(root, raw, path, source);
        problems.extend(more);
        (config, problems)
    }

    /// The config with defaults applied, and every bad value (left at its default).
    fn validate(
        root: &Path,
        raw: RawConfig,
        path: &Path,
        source: &str,
    ) -> (Option<Config>, Vec<Diagnostic>) {
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
                    "\"error\" or \"warn\"",
                    "\"error\" fails the build on a broken link, \"warn\" only reports it",
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
                    "an absolute http(s) URL",
                    "write the address the site is published at, e.g. \"https://help.example.com/docs/\"",
                ));
                None
            }
            Some(url) if url.ends_with('/') => Some(url),
            Some(url) => Some(format!("{url}/")),
            None => None,
        };
        let mut theme = raw.build.theme.unwrap_or_else(|| "default".into());
        if theme.is_empty() || theme.contains(['/', '\\']) || theme.starts_with('.') {
            errors.push(value_error(
                path,
                source,
                "theme",
                &theme,
                "a folder name",
                "name a folder under themes/, e.g. \"brand\" for themes/brand/",
            ));
            theme = "default".into();
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
                    "an absolute http(s) URL with `{path}` where the article's path goes",
                    "e.g. \"https://github.com/acme/help/edit/main/content/{path}\"",
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
        let language = raw.book.language.unwrap_or_else(|| "en".into());
        let (languages, strings) =
            languages::validate(raw.languages, &language, path, source, &mut errors);
        let config = Config {
            root: root.to_path_buf(),
            title: raw.book.title.unwrap_or_else(|| "Help center".into()),
            description: raw.book.description.unwrap_or_default(),
            language,
            base_url,
            content_dir,
            output_dir: root.join(raw.build.output_dir.unwrap_or_else(|| "public".into())),
            theme,
            link_check,
            search: raw.search.enable.unwrap_or(true),
            port: raw.serve.port.unwrap_or(3000),
            brand,
            edit_url,
            languages,
            strings,
            warnings,
        };
        (Some(config), errors)
    }

    /// The folder of the selected theme's overrides, which may not exist.
    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }
}

fn value_error(
    path: &Path,
    source: &str,
    key: &str,
    value: &str,
    expected: &str,
    hint: &str,
) -> Diagnostic {
    let d = Diagnostic::error(
        "config-value",
        format!("`{key}` must be {expected}, found \"{value}\""),
    )
    .with_hint(hint);
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

/// Turns a TOML or serde error into a diagnostic at its span; a value of the wrong type is
/// said in plain words.
fn toml_diagnostic(e: &toml::de::Error, path: &Path, source: &str) -> Diagnostic {
    let message = e.message().trim().to_string();
    let span = e.span().unwrap_or(0..0);
    let line = source[..span.start.min(source.len())]
        .rsplit('\n')
        .next()
        .unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'));
    let d = match (key, plain_type_error(&message)) {
        (Some(key), Some((expected, found))) => Diagnostic::error(
            "config-type",
            format!("`{key}` must be {expected}, found {found}"),
        )
        .with_hint("book.toml is TOML: text goes in quotes; numbers, true and false do not"),
        _ => Diagnostic::error("config-syntax", format!("invalid book.toml: {message}")),
    };
    d.at(path, source, span.start, span.len())
}

/// serde's "invalid type: string \"80\", expected u16" as ("a whole number ...", "\"80\"").
fn plain_type_error(message: &str) -> Option<(&'static str, String)> {
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let expected = match expected {
        "u16" => "a whole number from 0 to 65535",
        "a boolean" => "true or false",
        "a string" => "text in quotes",
        _ => return None,
    };
    let found = match found.split_once(' ') {
        Some(("string", s)) => s.to_string(),
        Some((_, v)) if v.starts_with('`') => v.trim_matches('`').to_string(),
        _ => match found {
            "sequence" => "a list".into(),
            "map" => "a table".into(),
            other => other.to_string(),
        },
    };
    Some((expected, found))
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// Every key and table of `source` that `book.toml` does not know, each with the nearest
/// known name, in file order.
fn unknown_keys(path: &Path, source: &str) -> Vec<(KeyName, Diagnostic)> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(source) else {
        return Vec::new();
    };
    let tables = KNOWN_KEYS[0].1;
    let mut found = Vec::new();
    for (key, value) in doc.get_ref() {
        let name: &str = key.get_ref();
        let known = KNOWN_KEYS
            .iter()
            .find(|(t, _)| !t.is_empty() && *t == name)
            .map(|(_, k)| *k);
        match (known, value.get_ref()) {
            (Some(_), DeValue::Table(table)) if name == "languages" => {
                for (tag, value) in table {
                    let DeValue::Table(inner) = value.get_ref() else {
                        continue;
                    };
                    let at = format!("languages.{}", tag.get_ref());
                    for (key, _) in inner {
                        if !raw::LANGUAGE_KEYS.contains(&&**key.get_ref()) {
                            let d = unknown_in_table(&at, key.get_ref(), raw::LANGUAGE_KEYS);
                            found.push((
                                key.span(),
                                (Some(at.clone()), key.get_ref().to_string()),
                                d,
                            ));
                        }
                    }
                }
            }
            (Some(known), DeValue::Table(table)) => {
                for (key, _) in table {
                    if !known.contains(&&**key.get_ref()) {
                        let d = unknown_in_table(name, key.get_ref(), known);
                        let at = (Some(name.to_string()), key.get_ref().to_string());
                        found.push((key.span(), at, d));
                    }
                }
            }
            (Some(_), _) => {}
            (None, DeValue::Table(_)) => {
                let d = Diagnostic::error(
                    "config-unknown-key",
                    format!("unknown table `[{name}]` in book.toml"),
                );
                let d = match crate::suggest::nearest(name, tables) {
                    Some(best) => d.with_hint(format!("did you mean `[{best}]`?")),
                    None => d.with_hint(format!("the tables are {}", bracketed(tables))),
                };
                found.push((key.span(), (None, name.to_string()), d));
            }
            (None, _) => {
                let d = Diagnostic::error(
                    "config-unknown-key",
                    format!("unknown key `{name}` at the top level of book.toml"),
                );
                // A setting written above every table header: name the table it belongs in.
                let settings: Vec<&str> = KNOWN_KEYS[1..]
                    .iter()
                    .flat_map(|(_, k)| *k)
                    .copied()
                    .collect();
                let near = crate::suggest::nearest(name, &settings);
                let table = |key: &str| {
                    KNOWN_KEYS[1..]
                        .iter()
                        .find(|(_, k)| k.contains(&key))
                        .map(|(t, _)| *t)
                };
                let d = match near.and_then(|k| Some((k, table(k)?))) {
                    Some((key, table)) if key == name => {
                        d.with_hint(format!("`{name}` belongs under `[{table}]`"))
                    }
                    Some((key, table)) => {
                        d.with_hint(format!("did you mean `{key}`, under `[{table}]`?"))
                    }
                    None => d.with_hint(format!(
                        "every setting goes under one of the tables {}",
                        bracketed(tables)
                    )),
                };
                found.push((key.span(), (None, name.to_string()), d));
            }
        }
    }
    found.sort_by_key(|(span, _, _)| span.start);
    found
        .into_iter()
        .map(|(span, at, d)| (at, d.at(path, source, span.start, span.len())))
        .collect()
}

/// A key of `book.toml`: its table (`None` at the top level) and its name.
type KeyName = (Option<String>, String);

/// The file read without the keys `names`, when the rest reads.
fn without_keys(source: &str, names: &[KeyName]) -> Option<RawConfig> {
    let mut doc: toml::Table = toml::from_str(source).ok()?;
    for (table, key) in names {
        match table {
            None => {
                doc.remove(key);
            }
            Some(t) => {
                let mut table = &mut doc;
                for part in t.split('.') {
                    table = table.get_mut(part)?.as_table_mut()?;
                }
                table.remove(key);
            }
        }
    }
    serde::Deserialize::deserialize(toml::Value::Table(doc)).ok()
}

fn unknown_in_table(table: &str, key: &str, known: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        "config-unknown-key",
        format!("unknown key `{key}` in [{table}] of book.toml"),
    );
    match crate::suggest::nearest(key, known) {
        Some(best) => d.with_hint(format!("did you mean `{best}`?")),
        None => d.with_hint(format!("known keys here: {}", known.join(", "))),
    }
}

fn bracketed(tables: &[&str]) -> String {
    tables
        .iter()
        .map(|t| format!("`[{t}]`"))
        .collect::<Vec<_>>()
        .join(", ")
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

    fn shown(ds: Vec<Diagnostic>) -> String {
        let mut all = crate::diagnostics::Diagnostics::new();
        all.extend(ds);
        all.render(Path::new("/s"))
    }

    #[test]
    fn every_unknown_key_and_table_at_once() {
        let src = "titel = \"x\"\n\n[book]\ntitle = \"x\"\nauthor = \"Ana\"\n\n[builds]\ntheme = \"a\"\n\n[search]\nenabled = false\n";
        assert_eq!(
            shown(load(src).unwrap_err()),
            "error[config-unknown-key]: unknown key `titel` at the top level of book.toml\n  --> book.toml:1:1\n  |\n1 | titel = \"x\"\n  | ^^^^^\n  = hint: did you mean `title`, under `[book]`?\n\n\
error[config-unknown-key]: unknown key `author` in [book] of book.toml\n  --> book.toml:5:1\n  |\n5 | author = \"Ana\"\n  | ^^^^^^\n  = hint: known keys here: title, description, language, base-url, edit-url\n\n\
error[config-unknown-key]: unknown table `[builds]` in book.toml\n  --> book.toml:7:2\n  |\n7 | [builds]\n  |  ^^^^^^\n  = hint: did you mean `[build]`?\n\n\
error[config-unknown-key]: unknown key `enabled` in [search] of book.toml\n  --> book.toml:11:1\n   |\n11 | enabled = false\n   | ^^^^^^^\n  = hint: did you mean `enable`?\n\n\
error: found 4 errors and 0 warnings\n"
        );
        assert_eq!(
            shown(load("title = \"x\"\n").unwrap_err()),
            "error[config-unknown-key]: unknown key `title` at the top level of book.toml\n  --> book.toml:1:1\n  |\n1 | title = \"x\"\n  | ^^^^^\n  = hint: `title` belongs under `[book]`\n\nerror: found 1 error and 0 warnings\n"
        );
    }

    #[test]
    fn wrong_types_in_plain_words() {
        let src = "[serve]\nport = \"80\"\n";
        assert_eq!(
            shown(load(src).unwrap_err()),
            "error[config-type]: `port` must be a whole number from 0 to 65535, found \"80\"\n  --> book.toml:2:8\n  |\n2 | port = \"80\"\n  |        ^^^^\n  = hint: book.toml is TOML: text goes in quotes; numbers, true and false do not\n\nerror: found 1 error and 0 warnings\n"
        );
        for (src, message) in [
            (
                "[serve]\nport = 70000\n",
                "`port` must be a whole number from 0 to 65535, found 70000",
            ),
            (
                "[search]\nenable = \"yes\"\n",
                "`enable` must be true or false, found \"yes\"",
            ),
            (
                "[book]\ntitle = 5\n",
                "`title` must be text in quotes, found 5",
            ),
            (
                "[book]\ntitle = [1]\n",
                "`title` must be text in quotes, found a list",
            ),
        ] {
            assert_eq!(load(src).unwrap_err()[0].message, message, "{src}");
        }
    }

    #[test]
    fn hints_with_nothing_near() {
        assert_eq!(
            shown(load("colour = \"red\"\n\n[theme]\nname = \"x\"\n").unwrap_err()),
            "error[config-unknown-key]: unknown key `colour` at the top level of book.toml\n  --> book.toml:1:1\n  |\n1 | colour = \"red\"\n  | ^^^^^^\n  = hint: every setting goes under one of the tables `[book]`, `[build]`, `[search]`, `[serve]`, `[brand]`, `[languages]`\n\n\
error[config-unknown-key]: unknown table `[theme]` in book.toml\n  --> book.toml:3:2\n  |\n3 | [theme]\n  |  ^^^^^\n  = hint: the tables are `[book]`, `[build]`, `[search]`, `[serve]`, `[brand]`, `[languages]`\n\n\
error: found 2 errors and 0 warnings\n"
        );
    }

    #[test]
    fn languages_are_tables_of_known_keys() {
        let c = load("[book]\nlanguage = \"en\"\n\n[languages.de]\ntitle = \"Hilfe\"\n\n[languages.pt-BR]\n[languages.en.strings]\nsearch = \"Find\"\n").unwrap();
        let tags: Vec<(&str, &str, &str)> = c
            .languages
            .iter()
            .map(|l| (l.tag.as_str(), l.folder.as_str(), l.title.as_str()))
            .collect();
        assert_eq!(tags, [("de", "de", "Hilfe"), ("pt-BR", "pt-br", "")]);
        assert_eq!(c.strings["search"], "Find");
        assert_eq!(
            shown(
                load("[languages.de]\ntitel = \"x\"\n\n[languages.en]\ntitle = \"y\"\n")
                    .unwrap_err()
            ),
            "error[config-unknown-key]: unknown key `titel` in [languages.de] of book.toml\n  --> book.toml:2:1\n  |\n2 | titel = \"x\"\n  | ^^^^^\n  = hint: did you mean `title`?\n\n\
error[language-default]: `[languages.en]` is the default language: it takes only `strings`\n  --> book.toml:4:12\n  |\n4 | [languages.en]\n  |            ^^\n  = hint: the default language's title and description are those of [book]\n\n\
error: found 2 errors and 0 warnings\n"
        );
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        let src = "[book]\nbase-url = \"help.example.com\"\n\n[build]\ntheme = \"../x\"\n";
        assert_eq!(
            shown(load(src).unwrap_err()),
            "error[config-value]: `base-url` must be an absolute http(s) URL, found \"help.example.com\"\n  --> book.toml:2:13\n  |\n2 | base-url = \"help.example.com\"\n  |             ^^^^^^^^^^^^^^^^\n  = hint: write the address the site is published at, e.g. \"https://help.example.com/docs/\"\n\n\
error[config-value]: `theme` must be a folder name, found \"../x\"\n  --> book.toml:5:10\n  |\n5 | theme = \"../x\"\n  |          ^^^^\n  = hint: name a folder under themes/, e.g. \"brand\" for themes/brand/\n\n\
error: found 2 errors and 0 warnings\n"
        );
    }

    #[test]
    fn every_known_key_is_a_field_of_the_raw_file() {
        for (table, keys) in raw::KNOWN_KEYS.iter().filter(|(t, _)| !t.is_empty()) {
            for key in *keys {
                let src = format!("[{table}]\n{key} = []\n");
                let err = toml::from_str::<RawConfig>(&src).unwrap_err();
                assert!(
                    !err.message().contains("unknown field"),
                    "[{table}] {key}: {}",
                    err.message()
                );
            }
        }
    }

    #[test]
    fn bad_link_check_value() {
        let errs = load("[build]\nlink-check = \"loud\"\n").unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "error[config-value]: `link-check` must be \"error\" or \"warn\", found \"loud\"\n  --> /s/book.toml:2:15\n  |\n2 | link-check = \"loud\"\n  |               ^^^^\n  = hint: \"error\" fails the build on a broken link, \"warn\" only reports it"
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
