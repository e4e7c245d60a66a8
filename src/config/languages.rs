//! `[languages.<tag>]`: the languages a site is written in besides `[book] language`.
//!
//! In: the raw tables, by tag. Out: validated [`Language`]s, sorted by tag, and an error for
//! every tag that is not a BCP 47 tag of a known language (with the nearest known one as a
//! hint), and for a table of the default language that sets anything but `strings`.

use std::collections::BTreeMap;
use std::path::Path;

use super::raw::RawLanguage;
use crate::diagnostics::Diagnostic;

/// A language of the site other than the default one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Language {
    /// The tag as `book.toml` writes it, e.g. `de` or `pt-BR`: what translations end in
    /// (`reset-password.pt-BR.md`).
    pub tag: String,
    /// The tag lowercased: the folder its pages live in (`pt-br/`).
    pub folder: String,
    pub title: String,
    pub description: String,
    /// The theme's texts this site sets for the language.
    pub strings: BTreeMap<String, String>,
}

/// ISO 639-1 codes: the primary subtags a tag may start with.
const KNOWN: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Why `tag` is not a tag this site can use, or `None` when it is one: a primary language
/// of [`KNOWN`], then optionally a script (`Hans`) and a region (`BR`, `419`).
pub fn tag_problem(tag: &str) -> Option<String> {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    if primary.len() != 2 || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some("a tag starts with a two-letter language code".into());
    }
    if !KNOWN.contains(&primary.to_ascii_lowercase().as_str()) {
        return Some(format!("`{primary}` is not a language code"));
    }
    let mut rest: Vec<&str> = parts.collect();
    if rest
        .first()
        .is_some_and(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        rest.remove(0);
    }
    match rest.as_slice() {
        [] => None,
        [r] if (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit())) =>
        {
            None
        }
        _ => Some("after the language come only a script (`Hans`) and a region (`BR`)".into()),
    }
}

/// The validated languages, sorted by tag; problems go to `errors`.
pub fn validate(
    raw: BTreeMap<String, RawLanguage>,
    default: &str,
    path: &Path,
    source: &str,
    errors: &mut Vec<Diagnostic>,
) -> (Vec<Language>, BTreeMap<String, String>) {
    let mut languages = Vec::new();
    let mut default_strings = BTreeMap::new();
    let names = crate::render::strings::names();
    for (tag, table) in &raw {
        for key in table
            .strings
            .keys()
            .filter(|k| !names.contains(&k.as_str()))
        {
            let d = Diagnostic::error(
                "language-string",
                format!(
                    "`[languages.{tag}.strings]` sets `{key}`, which is not a text of the theme"
                ),
            );
            let d = match crate::suggest::nearest(key, &names) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint("the user guide lists the theme's texts"),
            };
            errors.push(match find_key(source, key) {
                Some(i) => d.at(path, source, i, key.len()),
                None => d.in_file(path),
            });
        }
    }
    for (tag, table) in raw {
        if let Some(why) = tag_problem(&tag) {
            let d = Diagnostic::error(
                "language-tag",
                format!("`[languages.{tag}]` does not name a language: {why}"),
            );
            let near = crate::suggest::nearest(&tag.to_ascii_lowercase(), KNOWN);
            let hint = match near {
                Some(code) => format!(
                    "write a BCP 47 tag such as `{code}`, `pt-BR` or `zh-Hans` (did you mean `{code}`?)"
                ),
                None => "write a BCP 47 tag such as `de`, `pt-BR` or `zh-Hans`".into(),
            };
            errors.push(at_table(d.with_hint(hint), &tag, path, source));
            continue;
        }
        if tag.eq_ignore_ascii_case(default) {
            if table.title.is_some() || table.description.is_some() {
                let d = Diagnostic::error(
                    "language-default",
                    format!("`[languages.{tag}]` is the default language: it takes only `strings`"),
                )
                .with_hint("the default language's title and description are those of [book]");
                errors.push(at_table(d, &tag, path, source));
            }
            default_strings = table.strings;
            continue;
        }
        languages.push(Language {
            folder: tag.to_ascii_lowercase(),
            title: table.title.unwrap_or_default(),
            description: table.description.unwrap_or_default(),
            strings: table.strings,
            tag,
        });
    }
    (languages, default_strings)
}

/// Byte offset of the line that sets `key`.
fn find_key(source: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let t = line.trim_start();
        if t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(offset + line.len() - t.len());
        }
        offset += line.len();
    }
    None
}

/// `d` at the header of `[languages.<tag>]`.
fn at_table(d: Diagnostic, tag: &str, path: &Path, source: &str) -> Diagnostic {
    let header = format!("[languages.{tag}");
    match source.find(&header) {
        Some(i) => d.at(path, source, i + 11, tag.len()),
        None => d.in_file(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        for ok in ["de", "pt-BR", "zh-Hans", "es-419", "zh-Hant-TW", "EN"] {
            assert_eq!(tag_problem(ok), None, "{ok}");
        }
        assert_eq!(
            tag_problem("german").as_deref(),
            Some("a tag starts with a two-letter language code")
        );
        assert_eq!(
            tag_problem("xx").as_deref(),
            Some("`xx` is not a language code")
        );
        assert_eq!(
            tag_problem("pt-Brazil").as_deref(),
            Some("after the language come only a script (`Hans`) and a region (`BR`)")
        );
    }
}
