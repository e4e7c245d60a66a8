//! Frontmatter: split the YAML block off an article and parse it into typed keys.
//!
//! In: a file's full text. Out: [`Frontmatter`] (known keys typed, any other key kept in
//! `extra`) and the byte offset where the Markdown body starts, so later stages can report
//! `file:line:col` against the whole file. Errors name the line of the offending value.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::diagnostics::Diagnostic;

/// The typed keys of SPEC section 2. Every key is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontmatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub intercom_id: Option<u64>,
    pub slug: Option<String>,
    pub order: Option<i64>,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub draft: bool,
    /// `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// Every other key, for templates as `page.extra.<key>`.
    pub extra: BTreeMap<String, serde_json::Value>,
    /// 1-based line of each key, for diagnostics about a key's value.
    pub key_lines: BTreeMap<String, usize>,
}

/// A file split into its frontmatter and body.
#[derive(Debug, Clone)]
pub struct Split<'a> {
    pub yaml: Option<&'a str>,
    /// Byte offset of the YAML text in the file.
    pub yaml_offset: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

const KNOWN: &[&str] = &[
    "title",
    "description",
    "intercom_id",
    "slug",
    "order",
    "tags",
    "aliases",
    "draft",
    "updated",
];

#[derive(Deserialize)]
struct Raw {
    title: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "intercom_id")]
    intercom_id: Option<u64>,
    slug: Option<String>,
    order: Option<i64>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    draft: Option<bool>,
    updated: Option<String>,
}

fn intercom_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Num(u64),
        Text(String),
    }
    match Option::<Id>::deserialize(d)? {
        None => Ok(None),
        Some(Id::Num(n)) => Ok(Some(n)),
        Some(Id::Text(s)) => s.trim().parse::<u64>().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("intercom_id must be a whole number, found \"{s}\""))
        }),
    }
}

/// Splits `---` frontmatter off `source`. An opening `---` without a closing one is an error.
pub fn split(source: &str) -> Result<Split<'_>, &'static str> {
    let bom = if source.starts_with('\u{feff}') { 3 } else { 0 };
    let text = &source[bom..];
    let first_end = text.find('\n').map(|i| i + 1).unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            yaml: None,
            yaml_offset: bom,
            body: text,
            body_offset: bom,
        });
    }
    let yaml_start = first_end;
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_offset = pos + line.len();
            return Ok(Split {
                yaml: Some(&text[yaml_start..pos]),
                yaml_offset: bom + yaml_start,
                body: &text[body_offset..],
                body_offset: bom + body_offset,
            });
        }
        pos += line.len();
    }
    Err("the frontmatter block is not closed")
}

/// Parses an article's frontmatter. `source` is the whole file, `path` names it in errors.
pub fn parse<'a>(
    path: &Path,
    source: &'a str,
) -> Result<(Frontmatter, Split<'a>), Vec<Diagnostic>> {
    let split = split(source).map_err(|msg| {
        vec![
            Diagnostic::error("frontmatter-unclosed", msg)
                .at(path, source, 0, 3)
                .with_hint("end the frontmatter with a line holding only `---`"),
        ]
    })?;
    let Some(yaml) = split.yaml else {
        return Ok((Frontmatter::default(), split));
    };
    if yaml.trim().is_empty() {
        return Ok((Frontmatter::default(), split));
    }
    let yaml_error = |e: serde_yaml::Error, code: &'static str| {
        let offset = split.yaml_offset + e.location().map(|l| l.index()).unwrap_or(0);
        let message = clean_yaml_message(&e.to_string());
        Diagnostic::error(code, message).at(path, source, offset, 1)
    };
    let mapping: serde_yaml::Mapping = match serde_yaml::from_str(yaml) {
        Ok(serde_yaml::Value::Mapping(m)) => m,
        Ok(serde_yaml::Value::Null) => return Ok((Frontmatter::default(), split)),
        Ok(_) => {
            return Err(vec![
                Diagnostic::error(
                    "frontmatter-syntax",
                    "frontmatter must be a set of `key: value` lines",
                )
                .at(path, source, split.yaml_offset, 1),
            ]);
        }
        Err(e) => {
            return Err(vec![yaml_error(e, "frontmatter-syntax").with_hint(
                "frontmatter is YAML: check quotes, colons and indentation",
            )]);
        }
    };
    let key_lines = key_lines(source, split.yaml_offset, yaml);
    let value = serde_yaml::Value::Mapping(mapping);
    // The parsed mapping almost always reads as the known keys. When it does not (a type
    // error, or a scalar only the text reader coerces), the text is read again: for what
    // it coerces, and for the position and wording of the error.
    let raw = Raw::deserialize(&value).or_else(|_| serde_yaml::from_str::<Raw>(yaml));
    let raw: Raw = raw.map_err(|e| {
        let message = clean_yaml_message(&e.to_string());
        let key = KNOWN.iter().find(|k| {
            message.starts_with(&format!("{k}:")) || message.starts_with(&format!("{k} "))
        });
        let d = match key.and_then(|k| key_lines.get(*k).map(|l| (k, *l))) {
            Some((k, line)) => {
                let message = message
                    .strip_prefix(&format!("{k}: "))
                    .map(|m| format!("`{k}`: {m}"))
                    .unwrap_or(message);
                let col = source
                    .lines()
                    .nth(line - 1)
                    .and_then(|l| l.find(':'))
                    .map(|c| c + 3)
                    .unwrap_or(1);
                Diagnostic::error("frontmatter-type", message).at_line_col(path, source, line, col)
            }
            None => yaml_error(e, "frontmatter-type"),
        };
        vec![type_hint(d)]
    })?;
    let mut fm = Frontmatter {
        title: raw.title,
        description: raw.description,
        intercom_id: raw.intercom_id,
        slug: raw.slug,
        order: raw.order,
        tags: raw.tags.unwrap_or_default(),
        aliases: raw.aliases.unwrap_or_default(),
        draft: raw.draft.unwrap_or(false),
        updated: None,
        extra: BTreeMap::new(),
        key_lines,
    };
    if let Some(date) = raw.updated {
        match normalize_date(&date) {
            Some(d) => fm.updated = Some(d),
            None => {
                let line = fm.key_lines.get("updated").copied().unwrap_or(1);
                return Err(vec![
                    Diagnostic::error(
                        "frontmatter-type",
                        format!("`updated` must be a date, found \"{date}\""),
                    )
                    .at_line_col(path, source, line, 1)
                    .with_hint("write the date as YYYY-MM-DD, e.g. `updated: 2026-03-14`"),
                ]);
            }
        }
    }
    for (k, v) in value.as_mapping().into_iter().flatten() {
        let Some(key) = k.as_str() else { continue };
        if KNOWN.contains(&key) {
            continue;
        }
        if let Ok(json) = serde_json::to_value(v) {
            fm.extra.insert(key.to_string(), json);
        }
    }
    Ok((fm, split))
}

fn type_hint(d: Diagnostic) -> Diagnostic {
    let m = d.message.trim_start_matches('`');
    let hint = if m.starts_with("intercom_id") {
        "write the article's numeric id, e.g. `intercom_id: 5955049`"
    } else if m.starts_with("tags") || m.starts_with("aliases") {
        "write a list, e.g. `tags: [billing, refunds]`"
    } else if m.starts_with("draft") {
        "write `draft: true` or `draft: false`"
    } else if m.starts_with("order") {
        "write a whole number, e.g. `order: 2`"
    } else {
        "check the value's type against the frontmatter keys in the user guide"
    };
    d.with_hint(hint)
}

/// serde_yaml writes " at line L column C" (relative to the YAML block) into its messages;
/// we show the position as `file:line:col` instead.
fn clean_yaml_message(msg: &str) -> String {
    let mut out = msg.to_string();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + 1..];
        let tail = rest
            .find(", ")
            .map(|j| rest[j..].to_string())
            .unwrap_or_default();
        out = format!("{}{tail}", &out[..i]);
    }
    out
}

/// Line number (in the whole file) of each top-level key.
fn key_lines(source: &str, yaml_offset: usize, yaml: &str) -> BTreeMap<String, usize> {
    let first_line = source[..yaml_offset].matches('\n').count() + 1;
    yaml.lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '#', '-']))
        .filter_map(|(i, l)| {
            l.split_once(':').map(|(k, _)| {
                (
                    k.trim().trim_matches(['"', '\'']).to_string(),
                    first_line + i,
                )
            })
        })
        .collect()
}

fn normalize_date(s: &str) -> Option<String> {
    let d = s.trim().get(..10)?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let month: u32 = d.get(5..7)?.parse().ok()?;
    let day: u32 = d.get(8..10)?.parse().ok()?;
    (ok && (1..=12).contains(&month) && (1..=31).contains(&day)).then(|| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Frontmatter, Vec<Diagnostic>> {
        parse(Path::new("a.md"), src).map(|(f, _)| f)
    }

    #[test]
    fn splits_and_types_known_keys() {
        let src = "---\ntitle: Hi\nintercom_id: \"5955049\"\ntags: [a, b]\nupdated: 2026-01-02\nteam: billing\n---\n# Body\n";
        let (fm, split) = parse(Path::new("a.md"), src).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Hi"));
        assert_eq!(fm.intercom_id, Some(5955049));
        assert_eq!(fm.tags, vec!["a", "b"]);
        assert_eq!(fm.updated.as_deref(), Some("2026-01-02"));
        assert_eq!(fm.extra["team"], serde_json::json!("billing"));
        assert_eq!(split.body, "# Body\n");
        assert_eq!(&src[split.body_offset..], "# Body\n");
    }

    #[test]
    fn scalars_in_text_keys_read_as_written() {
        let fm = p("---\ntitle: 2024\nslug: 42\ntags: [1, true, x]\ndraft: false\norder: 3\n---\n")
            .unwrap();
        assert_eq!(fm.title.as_deref(), Some("2024"));
        assert_eq!(fm.slug.as_deref(), Some("42"));
        assert_eq!(fm.tags, vec!["1", "true", "x"]);
        assert!(!fm.draft);
        assert_eq!(fm.order, Some(3));
    }

    #[test]
    fn no_frontmatter() {
        let (fm, split) = parse(Path::new("a.md"), "# T\n").unwrap();
        assert_eq!(fm, Frontmatter::default());
        assert_eq!(split.body_offset, 0);
    }

    #[test]
    fn wrong_type_names_line_and_column() {
        let errs = p("---\ntitle: x\nintercom_id: abc\n---\n").unwrap_err();
        let loc = errs[0].location.as_ref().unwrap();
        assert_eq!(
            errs[0].message,
            "intercom_id must be a whole number, found \"abc\""
        );
        assert_eq!((loc.line, loc.col), (3, 14));
        let errs = p("---\ntags: 3\n---\n").unwrap_err();
        assert_eq!(
            errs[0].message,
            "`tags`: invalid type: integer `3`, expected a sequence"
        );
        assert_eq!(errs[0].location.as_ref().unwrap().line, 2);
    }

    #[test]
    fn invalid_yaml_names_line() {
        let errs = p("---\ntitle: x\ntags: [a, b\n---\n").unwrap_err();
        assert_eq!(errs[0].code, "frontmatter-syntax");
        assert!(errs[0].location.as_ref().unwrap().line >= 3);
    }

    #[test]
    fn unclosed() {
        let errs = p("---\ntitle: x\n").unwrap_err();
        assert_eq!(errs[0].message, "the frontmatter block is not closed");
        assert_eq!(errs[0].location.as_ref().unwrap().line, 1);
    }

    #[test]
    fn bad_date() {
        let errs = p("---\nupdated: last week\n---\n").unwrap_err();
        assert_eq!(
            errs[0].message,
            "`updated` must be a date, found \"last week\""
        );
        assert_eq!(errs[0].location.as_ref().unwrap().line, 2);
    }
}
