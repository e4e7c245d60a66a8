//! `stepbook new <collection>/<slug>`: a new article with its frontmatter, in the right place.
//!
//! In: the site's config (for the content folder) and the path the writer typed. Out: the
//! files written (the article, and the collection's `_index.md` when the folder is new), or a
//! diagnostic: a path that is not lowercase words joined by hyphens, or a file that exists.
//! Nothing is written unless every check passes.

use std::fs;
use std::path::Path;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::ids::github_slug;
use crate::site::humanize;

/// Writes `content/<path>.md`; returns the files written, relative to the site root.
pub fn new_article(
    config: &Config,
    path: &str,
    title: Option<&str>,
) -> Result<Vec<String>, Diagnostic> {
    let path = path.trim_matches('/').trim_end_matches(".md");
    let parts: Vec<&str> = path.split('/').collect();
    let (slug, folders) = parts.split_last().expect("split gives one part at least");
    if folders.is_empty() {
        return Err(Diagnostic::error(
            "new-path",
            format!("`{path}` names no collection: write it as <collection>/<slug>"),
        )
        .with_hint(format!(
            "for example `stepbook new guides/{}`",
            suggest(slug)
        )));
    }
    for part in &parts {
        if !is_slug(part) {
            let fixed: Vec<String> = parts.iter().map(|p| suggest(p)).collect();
            return Err(Diagnostic::error(
                "new-path",
                format!(
                    "`{part}` is not a valid slug: use lowercase letters, digits and single hyphens"
                ),
            )
            .with_hint(format!("try `stepbook new {}`", fixed.join("/"))));
        }
    }
    let content = &config.content_dir;
    let rel_content = content.strip_prefix(&config.root).unwrap_or(content);
    let file = content.join(format!("{path}.md"));
    if file.exists() {
        return Err(Diagnostic::error(
            "new-exists",
            format!(
                "{} already exists",
                rel_content.join(format!("{path}.md")).display()
            ),
        )
        .with_hint("pick another slug, or edit the article that is there"));
    }
    let title = title.map(str::to_string).unwrap_or_else(|| humanize(slug));
    let mut written = Vec::new();
    let io = |p: &Path, e: std::io::Error| {
        Diagnostic::error("io", format!("cannot write {}: {e}", p.display())).in_file(p)
    };
    let folder = content.join(folders.join("/"));
    let index = folder.join("_index.md");
    if !folder.exists() {
        fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
        let name = humanize(folders[folders.len() - 1]);
        fs::write(&index, format!("---\ntitle: {}\n---\n", yaml_string(&name)))
            .map_err(|e| io(&index, e))?;
        written.push(rel_content.join(folders.join("/")).join("_index.md"));
    }
    fs::write(&file, article(&title)).map_err(|e| io(&file, e))?;
    written.push(rel_content.join(format!("{path}.md")));
    Ok(written
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect())
}

/// Lowercase ASCII letters and digits in words joined by single hyphens.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A slug close to what was typed: `Reset Password!` -> `reset-password`.
fn suggest(s: &str) -> String {
    let slug: String = github_slug(s)
        .chars()
        .map(|c| if c == '_' { '-' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let words: Vec<&str> = slug.split('-').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        "my-article".into()
    } else {
        words.join("-")
    }
}

/// A YAML scalar that reads back as `s`, quoted only when it has to be.
fn yaml_string(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with([' ', ':']);
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn article(title: &str) -> String {
    format!(
        "---\ntitle: {}\ndescription:\ntags: []\n---\n\nSay in one sentence what the reader gets done here.\n\n1. Write the first step.\n2. Write the next step.\n",
        yaml_string(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("reset-password"));
        assert!(is_slug("step2"));
        assert!(!is_slug("Reset"));
        assert!(!is_slug("reset--password"));
        assert!(!is_slug("-reset"));
        assert!(!is_slug("reset_password"));
        assert!(!is_slug(""));
        assert_eq!(suggest("Reset Password!"), "reset-password");
        assert_eq!(suggest("reset_password"), "reset-password");
        assert_eq!(suggest("¿?"), "my-article");
    }

    #[test]
    fn titles_quote_only_when_they_must() {
        assert_eq!(yaml_string("Reset your password"), "Reset your password");
        assert_eq!(yaml_string("Step: one"), "\"Step: one\"");
        assert_eq!(yaml_string("#1 tip"), "\"#1 tip\"");
        assert_eq!(yaml_string("Say \"hi\""), "Say \"hi\"");
    }
}
