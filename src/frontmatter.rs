//! Frontmatter: split the YAML block off an article and parse it into typed keys.
//!
//! In: a file's full text. Out: [`Frontmatter`] (known keys typed, any other key kept in
//! `extra`) and the byte offset where the Markdown body starts, so later stages can report
//! `file:line:col` against the whole file. Errors name the line of the offending value.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use crate::diagnostics::{Diagnostic, Locator};

/// The typed keys the user guide lists (`content/write/frontmatter.md`). Every key is
/// optional.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
    #[serde(with = "json_values")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// 1-based line of each key, for diagnostics about a key's value.
    pub key_lines: BTreeMap<String, usize>,
    /// Problems that do not stop the page: an unknown key that looks like a typo of a known one.
    pub warnings: Vec<Diagnostic>,
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

/// The keys stepbook reads; any other key goes to `extra`.
pub const KNOWN: &[&str] = &[
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
/// Every key with a value of the wrong type is reported, not only the first.
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
    let Some(yaml) = split.yaml.filter(|y| !y.trim().is_empty()) else {
        return Ok((Frontmatter::default(), split));
    };
    let keys = top_level_keys(source, split.yaml_offset, yaml);
    let mapping = match serde_yaml::from_str(yaml) {
        Ok(Value::Mapping(m)) => m,
        Ok(Value::Null) => return Ok((Frontmatter::default(), split)),
        Ok(_) => {
            return Err(vec![
                Diagnostic::error(
                    "frontmatter-syntax",
                    "frontmatter must be a set of `key: value` lines",
                )
                .at(path, source, split.yaml_offset, 1),
            ]);
        }
        Err(e) => return Err(vec![syntax_error(path, source, &split, &keys, &e)]),
    };
    let reader = Reader {
        source,
        locate: Locator::new(path, source),
        key_lines: keys.iter().cloned().collect(),
    };
    let mut errors = Vec::new();
    let mut fm = Frontmatter::default();
    for (k, v) in &mapping {
        let Some(key) = k.as_str() else { continue };
        if let Err(d) = reader.read(&mut fm, key, v) {
            errors.push(d);
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    fm.key_lines = reader.key_lines;
    Ok((fm, split))
}

/// Points `d` at the value of `key` in the frontmatter of `source` (the file at `path`), or
/// at the key when its value is on the lines below; at the first line when the key is absent.
pub fn at_value(
    d: Diagnostic,
    path: &Path,
    source: &str,
    fm: &Frontmatter,
    key: &str,
) -> Diagnostic {
    match fm.key_lines.get(key) {
        Some(&line) => {
            let start = line_start(source, line);
            if line > 1 && start >= source.len() {
                // A line the text does not have: say which, without a span.
                return d.at_line_col(path, source, line, 1);
            }
            let (offset, len) = value_span(source, start);
            d.at(path, source, offset, len)
        }
        None => d.at_line_col(path, source, 1, 1),
    }
}

/// Reads each key of the parsed mapping into [`Frontmatter`].
struct Reader<'a> {
    source: &'a str,
    /// Every diagnostic finds its line through one index: a frontmatter of many keys stays
    /// linear.
    locate: Locator<'a>,
    key_lines: BTreeMap<String, usize>,
}

impl Reader<'_> {
    fn read(&self, fm: &mut Frontmatter, key: &str, v: &Value) -> Result<(), Diagnostic> {
        if v.is_null() {
            return Ok(());
        }
        match key {
            "title" => fm.title = Some(self.text(key, v)?),
            "description" => fm.description = Some(self.text(key, v)?),
            "slug" => fm.slug = Some(self.text(key, v)?),
            "intercom_id" => fm.intercom_id = Some(self.intercom_id(v)?),
            "order" => match v.as_i64() {
                Some(n) if v.is_i64() || v.is_u64() => fm.order = Some(n),
                _ => {
                    return Err(self.wrong(
                        key,
                        "a whole number",
                        v,
                        "write a whole number, e.g. `order: 2`",
                    ));
                }
            },
            "tags" => {
                fm.tags = self.list(key, v, "write a list, e.g. `tags: [billing, refunds]`")?
            }
            "aliases" => {
                fm.aliases = self.list(
                    key,
                    v,
                    "write a list of old paths, e.g. `aliases: [/billing/old-refund-policy]`",
                )?
            }
            "draft" => match v.as_bool() {
                Some(b) => fm.draft = b,
                None => {
                    return Err(self.wrong(
                        key,
                        "true or false",
                        v,
                        "write `draft: true` or `draft: false`",
                    ));
                }
            },
            "updated" => {
                let date = self.text(key, v).ok().and_then(|d| normalize_date(&d));
                match date {
                    Some(d) => fm.updated = Some(d),
                    None => {
                        return Err(self.wrong(
                            key,
                            "a date",
                            v,
                            "write the date as YYYY-MM-DD, e.g. `updated: 2026-03-14`",
                        ));
                    }
                }
            }
            _ => {
                if let Some(known) = crate::suggest::typo_of(key, KNOWN) {
                    fm.warnings.push(self.unknown_key(key, known));
                }
                if let Ok(json) = serde_json::to_value(v) {
                    fm.extra.insert(key.to_string(), json);
                }
            }
        }
        Ok(())
    }

    /// Text as written: a number or `true` in a text key is the writer's text.
    fn text(&self, key: &str, v: &Value) -> Result<String, Diagnostic> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(self.written(key).unwrap_or_else(|| scalar(v))),
            _ => Err(self.wrong(
                key,
                "text",
                v,
                "write the text after the colon, in quotes when it holds `: ` or starts with `[`, `{` or `#`",
            )),
        }
    }

    fn intercom_id(&self, v: &Value) -> Result<u64, Diagnostic> {
        let id = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s)
                if !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                s.trim().parse().ok()
            }
            _ => None,
        };
        id.ok_or_else(|| {
            self.wrong(
                "intercom_id",
                "digits only",
                v,
                "write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`",
            )
        })
    }

    fn list(&self, key: &str, v: &Value, hint: &str) -> Result<Vec<String>, Diagnostic> {
        let Value::Sequence(items) = v else {
            return Err(self.wrong(key, "a list", v, hint));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(_) | Value::Bool(_) => Ok(scalar(item)),
                _ => Err(self
                    .at(
                        key,
                        Diagnostic::error(
                            "frontmatter-type",
                            format!(
                                "each item of `{key}` must be text, found {}",
                                describe(item)
                            ),
                        ),
                    )
                    .with_hint(hint)),
            })
            .collect()
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value, hint: &str) -> Diagnostic {
        self.at(
            key,
            Diagnostic::error(
                "frontmatter-type",
                format!("`{key}` must be {expected}, found {}", describe(found)),
            ),
        )
        .with_hint(hint)
    }

    fn unknown_key(&self, key: &str, known: &str) -> Diagnostic {
        let d = Diagnostic::warning(
            "frontmatter-unknown-key",
            format!("unknown frontmatter key `{key}`"),
        )
        .with_hint(format!(
            "did you mean `{known}`? stepbook does not read `{key}`; templates get it as `page.extra.{key}`"
        ));
        match self.key_lines.get(key) {
            Some(&line) => {
                let offset = self.locate.line_start(line);
                let text = self.source[offset..].lines().next().unwrap_or("");
                let indent = text.len() - text.trim_start().len();
                let len = text[indent..].find(':').unwrap_or(key.len());
                d.located(&self.locate, offset + indent, len)
            }
            None => self.locate.at_line(d, 1, 1),
        }
    }

    fn at(&self, key: &str, d: Diagnostic) -> Diagnostic {
        match self.key_lines.get(key) {
            Some(&line) => {
                let (offset, len) = value_span(self.source, self.locate.line_start(line));
                d.located(&self.locate, offset, len)
            }
            None => self.locate.at_line(d, 1, 1),
        }
    }

    /// The scalar value of `key` exactly as written on its line.
    fn written(&self, key: &str) -> Option<String> {
        let line = *self.key_lines.get(key)?;
        let (offset, len) = value_span(self.source, self.locate.line_start(line));
        let text = self.source.get(offset..offset + len)?;
        let text = text.split(" #").next().unwrap_or(text).trim_end();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// How a wrong value reads in a message.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(_) | Value::Bool(_) => scalar(v),
        Value::Null => "nothing".into(),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a group of `key: value` lines".into(),
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// A YAML syntax error, at its position in the file. A repeated top-level key is reported at
/// the repeat, naming the line of the first.
fn syntax_error(
    path: &Path,
    source: &str,
    split: &Split<'_>,
    keys: &[(String, usize)],
    e: &serde_yaml::Error,
) -> Diagnostic {
    let message = clean_yaml_message(&e.to_string());
    if message.starts_with("duplicate entry with key") {
        let mut first_at: std::collections::HashMap<&str, usize> = Default::default();
        for (key, line) in keys {
            if let Some(&first) = first_at.get(key.as_str()) {
                let offset = line_start(source, *line);
                let indent = source[offset..].len() - source[offset..].trim_start().len();
                return Diagnostic::error(
                    "frontmatter-duplicate-key",
                    format!("`{key}` is set twice"),
                )
                .at(path, source, offset + indent, key.len())
                .with_hint(format!(
                    "the first `{key}` is on line {first}; keep one of them"
                ));
            }
            first_at.insert(key, *line);
        }
    }
    let offset = split.yaml_offset + e.location().map(|l| l.index()).unwrap_or(0);
    Diagnostic::error("frontmatter-syntax", message)
        .at(path, source, offset, 1)
        .with_hint("frontmatter is YAML: check quotes, colons and indentation")
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

/// Each top-level key with its line in the whole file, in the order written.
fn top_level_keys(source: &str, yaml_offset: usize, yaml: &str) -> Vec<(String, usize)> {
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

/// Byte offset where 1-based `line` of `source` starts.
fn line_start(source: &str, line: usize) -> usize {
    source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

/// Offset and length of the value on the `key: value` line that starts at `start`; the key
/// itself when the value is on the lines below.
fn value_span(source: &str, start: usize) -> (usize, usize) {
    let text = source[start..].lines().next().unwrap_or("");
    let Some(colon) = text.find(':') else {
        return (start, 1);
    };
    let after = &text[colon + 1..];
    let value = after.trim();
    if value.is_empty() {
        let indent = text.len() - text.trim_start().len();
        return (start + indent, colon - indent);
    }
    let lead = after.len() - after.trim_start().len();
    (start + colon + 1 + lead, value.len())
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

/// `extra` in a form that formats without self-description (the engine's cache) can read
/// back: each JSON value tagged with its kind.
mod json_values {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    #[derive(Serialize, Deserialize)]
    enum Tagged {
        Null,
        Bool(bool),
        Unsigned(u64),
        Signed(i64),
        Float(f64),
        Text(String),
        List(Vec<Tagged>),
        Map(Vec<(String, Tagged)>),
    }

    fn tag(v: &Value) -> Tagged {
        match v {
            Value::Null => Tagged::Null,
            Value::Bool(b) => Tagged::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Tagged::Unsigned(u),
                (_, Some(i)) => Tagged::Signed(i),
                _ => Tagged::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Tagged::Text(s.clone()),
            Value::Array(a) => Tagged::List(a.iter().map(tag).collect()),
            Value::Object(o) => Tagged::Map(o.iter().map(|(k, v)| (k.clone(), tag(v))).collect()),
        }
    }

    fn untag(t: Tagged) -> Value {
        match t {
            Tagged::Null => Value::Null,
            Tagged::Bool(b) => Value::Bool(b),
            Tagged::Unsigned(u) => Value::from(u),
            Tagged::Signed(i) => Value::from(i),
            Tagged::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Tagged::Text(s) => Value::String(s),
            Tagged::List(a) => Value::Array(a.into_iter().map(untag).collect()),
            Tagged::Map(o) => Value::Object(o.into_iter().map(|(k, v)| (k, untag(v))).collect()),
        }
    }

    pub fn serialize<S: Serializer>(m: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
        let tagged: Vec<(&String, Tagged)> = m.iter().map(|(k, v)| (k, tag(v))).collect();
        tagged.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Value>, D::Error> {
        let tagged = Vec::<(String, Tagged)>::deserialize(d)?;
        Ok(tagged.into_iter().map(|(k, v)| (k, untag(v))).collect())
    }
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

    /// The diagnostics of `src` as `build` prints them.
    fn shown(ds: &[Diagnostic]) -> String {
        let mut all = crate::diagnostics::Diagnostics::new();
        all.extend(ds.iter().cloned());
        all.render(Path::new(""))
    }

    #[test]
    fn every_wrong_type_of_a_file_at_once_in_plain_words() {
        let errs = p("---\ntitle: [a]\nintercom_id: -5\norder: first\ndraft: maybe\ntags: billing\nupdated: last week\n---\n").unwrap_err();
        assert_eq!(
            shown(&errs),
            "error[frontmatter-type]: `title` must be text, found a list\n  --> a.md:2:8\n  |\n2 | title: [a]\n  |        ^^^\n  = hint: write the text after the colon, in quotes when it holds `: ` or starts with `[`, `{` or `#`\n\n\
error[frontmatter-type]: `intercom_id` must be digits only, found -5\n  --> a.md:3:14\n  |\n3 | intercom_id: -5\n  |              ^^\n  = hint: write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`\n\n\
error[frontmatter-type]: `order` must be a whole number, found \"first\"\n  --> a.md:4:8\n  |\n4 | order: first\n  |        ^^^^^\n  = hint: write a whole number, e.g. `order: 2`\n\n\
error[frontmatter-type]: `draft` must be true or false, found \"maybe\"\n  --> a.md:5:8\n  |\n5 | draft: maybe\n  |        ^^^^^\n  = hint: write `draft: true` or `draft: false`\n\n\
error[frontmatter-type]: `tags` must be a list, found \"billing\"\n  --> a.md:6:7\n  |\n6 | tags: billing\n  |       ^^^^^^^\n  = hint: write a list, e.g. `tags: [billing, refunds]`\n\n\
error[frontmatter-type]: `updated` must be a date, found \"last week\"\n  --> a.md:7:10\n  |\n7 | updated: last week\n  |          ^^^^^^^^^\n  = hint: write the date as YYYY-MM-DD, e.g. `updated: 2026-03-14`\n\n\
error: found 6 errors and 0 warnings\n"
        );
    }

    #[test]
    fn intercom_id_is_digits_with_or_without_quotes() {
        assert_eq!(
            p("---\nintercom_id: \"0042\"\n---\n").unwrap().intercom_id,
            Some(42)
        );
        assert_eq!(
            p("---\nintercom_id: 5955049\n---\n").unwrap().intercom_id,
            Some(5955049)
        );
        for (value, found) in [
            ("abc", "\"abc\""),
            ("-5", "-5"),
            ("1.5", "1.5"),
            ("\"12a\"", "\"12a\""),
            ("{a: 1}", "a group of `key: value` lines"),
        ] {
            let errs = p(&format!("---\nintercom_id: {value}\n---\n")).unwrap_err();
            assert_eq!(
                errs[0].message,
                format!("`intercom_id` must be digits only, found {found}")
            );
        }
    }

    #[test]
    fn a_typo_of_a_known_key_is_a_warning_and_the_key_stays_extra() {
        let fm = p("---\ntitel: Refunds\ndraftt: true\nteam: billing\nowner: Ana\n---\n").unwrap();
        assert_eq!(fm.title, None);
        assert!(!fm.draft);
        assert_eq!(fm.extra["draftt"], serde_json::json!(true));
        assert_eq!(
            shown(&fm.warnings),
            "warning[frontmatter-unknown-key]: unknown frontmatter key `titel`\n  --> a.md:2:1\n  |\n2 | titel: Refunds\n  | ^^^^^\n  = hint: did you mean `title`? stepbook does not read `titel`; templates get it as `page.extra.titel`\n\n\
warning[frontmatter-unknown-key]: unknown frontmatter key `draftt`\n  --> a.md:3:1\n  |\n3 | draftt: true\n  | ^^^^^^\n  = hint: did you mean `draft`? stepbook does not read `draftt`; templates get it as `page.extra.draftt`\n\n\
warning: found 2 warnings\n"
        );
    }

    #[test]
    fn each_list_item_must_be_text() {
        let errs = p("---\ntags: [billing, [a, b]]\n---\n").unwrap_err();
        assert_eq!(
            shown(&errs),
            "error[frontmatter-type]: each item of `tags` must be text, found a list\n  --> a.md:2:7\n  |\n2 | tags: [billing, [a, b]]\n  |       ^^^^^^^^^^^^^^^^^\n  = hint: write a list, e.g. `tags: [billing, refunds]`\n\nerror: found 1 error and 0 warnings\n"
        );
    }

    #[test]
    fn a_repeated_key_is_reported_at_the_repeat() {
        let errs = p("---\ntitle: One\norder: 1\ntitle: Two\n---\n").unwrap_err();
        assert_eq!(
            shown(&errs),
            "error[frontmatter-duplicate-key]: `title` is set twice\n  --> a.md:4:1\n  |\n4 | title: Two\n  | ^^^^^\n  = hint: the first `title` is on line 2; keep one of them\n\nerror: found 1 error and 0 warnings\n"
        );
    }

    #[test]
    fn at_value_points_at_the_value_or_the_line() {
        let src = "---\ntitle: A\nslug:   reset-password  \n---\n";
        let fm = p(src).unwrap();
        let d = at_value(
            Diagnostic::error("x", "m"),
            Path::new("a.md"),
            src,
            &fm,
            "slug",
        );
        assert_eq!(
            d.to_string(),
            "error[x]: m\n  --> a.md:3:9\n  |\n3 | slug:   reset-password  \n  |         ^^^^^^^^^^^^^^"
        );
        let d = at_value(
            Diagnostic::error("x", "m"),
            Path::new("a.md"),
            "",
            &fm,
            "slug",
        );
        assert_eq!(d.location.map(|l| (l.line, l.col)), Some((3, 1)));
        let d = at_value(
            Diagnostic::error("x", "m"),
            Path::new("a.md"),
            src,
            &fm,
            "order",
        );
        assert_eq!(d.location.map(|l| (l.line, l.col)), Some((1, 1)));
    }

    #[test]
    fn numbers_in_text_keys_keep_their_digits() {
        let fm = p("---\ntitle: 1.10 # the version\nslug: 007\n---\n").unwrap();
        assert_eq!(fm.title.as_deref(), Some("1.10"));
        assert_eq!(fm.slug.as_deref(), Some("007"));
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
}
