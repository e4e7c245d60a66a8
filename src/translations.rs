//! What `check` says about translations: per language, the articles without a translation,
//! the translations whose source changed since they were made, and the translations whose
//! structure (headings, steps, branch options) drifted from their source's.
//!
//! A translation is up to date when its frontmatter's `source:` holds the fingerprint of its
//! source's text ([`crate::engine::languages::fingerprint`]): the writer pastes the line
//! `check` prints once the translation matches its source again. The fingerprint is made
//! from the text alone, so it survives a fresh clone, where file dates do not.

use crate::diagnostics::Diagnostic;
use crate::engine::languages::{fingerprint, translated_name};
use crate::site::{Page, Site};

/// Every translation warning of the site, language by language.
pub fn report(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &site.translations {
        let tag = &t.config.language;
        let missing: Vec<String> = site
            .articles
            .iter()
            .filter(|a| t.article(&a.page.source).is_none())
            .map(|a| a.page.source.to_string())
            .collect();
        if !missing.is_empty() {
            out.push(
                Diagnostic::warning(
                    "translation-missing",
                    format!(
                        "{} of {} articles have no {tag} translation: {}",
                        missing.len(),
                        site.articles.len(),
                        missing.join(", ")
                    ),
                )
                .with_hint(format!(
                    "translate an article beside its source, e.g. {}",
                    translated_name(
                        &crate::paths::SourcePath::from_relative(std::path::Path::new(&missing[0])),
                        tag
                    )
                )),
            );
        }
        for a in &t.articles {
            let Some(source) = site.page(&a.page.source) else {
                continue;
            };
            out.extend(outdated(source, &a.page));
            out.extend(drift(source, &a.page, &site.config.root));
        }
    }
    out
}

/// A warning when the translation's `source:` is not the fingerprint of its source's text.
fn outdated(source: &Page, translation: &Page) -> Option<Diagnostic> {
    let now = fingerprint(&source.text, source.body_offset);
    let recorded = translation.fm.extra.get("source").map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let message = match recorded {
        Some(r) if r == now => return None,
        Some(r) => format!(
            "this translation was made from another text of {} (source: {r})",
            source.source
        ),
        None => format!(
            "this translation does not say which text of {} it translates",
            source.source
        ),
    };
    let d = Diagnostic::warning("translation-outdated", message).with_hint(format!(
        "once it matches {} again, set this line in its frontmatter: `source: {now}`",
        source.source
    ));
    Some(match translation.fm.key_lines.get("source") {
        Some(&line) => d.at_line_col(&translation.abs, &translation.text, line, 1),
        None => d.at_line_col(&translation.abs, &translation.text, 1, 1),
    })
}

/// The structure of a page, item by item: headings by level, then the number of steps of
/// each procedure and the options of each branch point.
fn shape(page: &Page) -> Vec<(String, usize)> {
    let lines = marker_lines(&page.text, page.body_offset);
    let mut headings = lines.iter().filter(|l| l.1).map(|l| l.0);
    let mut shape = Vec::new();
    for h in &page.md.headings {
        let line = headings.next().unwrap_or(1);
        shape.push((format!("a level-{} heading", h.level), line));
        if h.steps > 0 {
            shape.push((format!("a procedure of {} steps", h.steps), line));
        }
    }
    const BRANCH: &str = " data-branch=\"";
    let mut branches = lines.iter().filter(|l| !l.1).map(|l| l.0);
    for (i, _) in page.md.html.match_indices(BRANCH) {
        let rest = &page.md.html[i + BRANCH.len()..];
        let options = rest[..rest.find('"').unwrap_or(0)].split(' ').count();
        let line = branches.next().unwrap_or(1);
        shape.push((format!("a branch point of {options} options"), line));
    }
    shape
}

/// The line of every `#` heading of the body after the page title (`true`) and of every
/// `::: choose` line (`false`), skipping fenced code.
fn marker_lines(text: &str, body_offset: usize) -> Vec<(usize, bool)> {
    let first = text[..body_offset.min(text.len())].lines().count() + 1;
    let mut fence: Option<&str> = None;
    let mut out = Vec::new();
    let mut title_seen = false;
    for (i, line) in text.get(body_offset..).unwrap_or("").lines().enumerate() {
        let t = line.trim_start();
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            continue;
        }
        if t.starts_with("::: choose") {
            out.push((first + i, false));
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
            if hashes == 1 && !title_seen && !out.iter().any(|l| l.1) {
                title_seen = true;
                continue;
            }
            out.push((first + i, true));
        }
    }
    out
}

/// A warning naming the first place where the translation's structure differs from its
/// source's, with the line on both sides.
fn drift(source: &Page, translation: &Page, root: &std::path::Path) -> Option<Diagnostic> {
    let (a, b) = (shape(source), shape(translation));
    let at =
        (0..a.len().max(b.len())).find(|&i| a.get(i).map(|x| &x.0) != b.get(i).map(|x| &x.0))?;
    let side = |s: &[(String, usize)], page: &Page| match s.get(at) {
        Some((what, line)) => (what.clone(), format!("{}:{line}", rel(page, root))),
        None => ("nothing more".to_string(), rel(page, root)),
    };
    let (theirs, there) = side(&a, source);
    let (ours, here) = side(&b, translation);
    let line = b.get(at).map_or(1, |x| x.1);
    Some(
        Diagnostic::warning(
            "translation-drift",
            format!(
                "this translation's structure differs from its source's: {here} has {ours} where {there} has {theirs}"
            ),
        )
        .at_line_col(&translation.abs, &translation.text, line, 1)
        .with_hint("ids and fragments stay the same across languages only where the structure matches: mirror the source's headings and steps"),
    )
}

/// The page's file as diagnostics name it: its path from the site's folder.
fn rel(page: &Page, root: &std::path::Path) -> String {
    let path = page.abs.strip_prefix(root).unwrap_or(&page.abs);
    path.to_string_lossy().replace('\\', "/")
}
