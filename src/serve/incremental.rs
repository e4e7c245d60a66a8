//! Fast rebuilds for the everyday edit: the body of existing articles changed, and nothing
//! that other pages show of them (title, slug, order, tags...) did.
//!
//! The changed articles are read and rendered again against the site's link table, the links
//! that can have changed are checked (those on the changed articles and those into them), and
//! only the pages that can show a difference are rendered: the articles themselves and, when
//! their links changed, the articles whose "Linked from" lists changed.
//! Anything else (a new file, a renamed title, a template) falls back to a full rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Built;
use crate::diagnostics::Diagnostics;
use crate::discover::{SourceFile, SourceKind};
use crate::frontmatter::Frontmatter;
use crate::paths::SourcePath;
use crate::render::{self, OutFile};
use crate::site::{self, Page};

/// The outcome of a fast rebuild.
pub enum Patch {
    /// The edit needs a full rebuild.
    NotApplicable,
    /// The pages to serve anew.
    Pages(Vec<OutFile>, Diagnostics),
    /// The edit broke something; `built` is unchanged.
    Problems(Diagnostics),
}

/// Tries the fast path for `changed`; on success `built` holds the new site.
pub fn patch(built: &mut Built, changed: &[PathBuf]) -> Patch {
    let mut targets = Vec::new();
    for path in changed {
        match article_at(built, path) {
            Some(i) => targets.push(i),
            None => return Patch::NotApplicable,
        }
    }
    let mut fresh: Vec<(usize, Page)> = Vec::new();
    let mut diags = Diagnostics::new();
    for &i in &targets {
        let old = &built.site.articles[i].page;
        let file = SourceFile {
            path: old.source.clone(),
            abs: old.abs.clone(),
            kind: SourceKind::Article,
        };
        let mut page = match site::read_page(&file) {
            Ok(p) => p,
            Err(ds) => {
                diags.extend(ds);
                continue;
            }
        };
        if !same_meta(&page.fm, &old.fm) {
            return Patch::NotApplicable;
        }
        page.url = old.url.clone();
        page.md = page.render_markdown(&built.site.table);
        if page.md.title != old.md.title {
            return Patch::NotApplicable;
        }
        let shown_elsewhere = page.md.headings != old.md.headings || page.md.steps != old.md.steps;
        if shown_elsewhere && !built.site.articles[i].backlinks.is_empty() {
            // Other pages may show its headings as link text: render them again too.
            return Patch::NotApplicable;
        }
        diags.extend(std::mem::take(&mut page.md.diagnostics));
        fresh.push((i, page));
    }
    if diags.has_errors() {
        return Patch::Problems(diags);
    }
    let site = &mut built.site;
    let mut affected: BTreeSet<usize> = targets.iter().copied().collect();
    let mut links_changed = false;
    let mut old_pages = Vec::new();
    for (i, page) in fresh {
        let before = link_targets(&site.articles[i].page);
        let after = link_targets(&page);
        if before != after {
            links_changed = true;
            for t in before.union(&after) {
                if let Some(k) = site.articles.iter().position(|a| &a.page.source == t) {
                    affected.insert(k);
                }
            }
        }
        old_pages.push((i, std::mem::replace(&mut site.articles[i].page, page)));
        site::fill_article_links(site, i);
    }
    // Only the links on the edited pages and the links into them can have changed.
    let checked = crate::linkcheck::check_changed(site, &targets);
    if checked.iter().any(|d| d.is_error()) {
        for (i, page) in old_pages {
            site.articles[i].page = page;
        }
        diags.extend(checked);
        return Patch::Problems(diags);
    }
    diags.extend(checked);
    if links_changed {
        site::link_backlinks(&mut site.articles);
    }
    let list: Vec<usize> = affected.into_iter().collect();
    match render::render_articles(site, &built.theme, &list) {
        Ok(files) => Patch::Pages(files, diags),
        Err(ds) => {
            for (i, page) in old_pages {
                site.articles[i].page = page;
            }
            diags.extend(ds);
            Patch::Problems(diags)
        }
    }
}

/// The article whose Markdown file is `path`.
fn article_at(built: &Built, path: &Path) -> Option<usize> {
    if path.extension().is_none_or(|e| e != "md") || !path.is_file() {
        return None;
    }
    built.site.articles.iter().position(|a| a.page.abs == path)
}

/// The frontmatter keys that other pages, listings, redirects or the URL depend on.
fn same_meta(a: &Frontmatter, b: &Frontmatter) -> bool {
    a.title == b.title
        && a.description == b.description
        && a.intercom_id == b.intercom_id
        && a.slug == b.slug
        && a.order == b.order
        && a.tags == b.tags
        && a.aliases == b.aliases
        && a.draft == b.draft
}

fn link_targets(page: &Page) -> BTreeSet<SourcePath> {
    page.md
        .links
        .iter()
        .filter_map(|l| l.target.clone())
        .filter(|t| *t != page.source)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PrepareOptions, prepare};

    fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, Built) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let at = dir.path().join(path);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, text).unwrap();
        }
        let opts = PrepareOptions {
            skip_search: true,
            ..Default::default()
        };
        let (built, diags) = prepare(dir.path(), opts, &mut site::RenderCache::default());
        assert!(!diags.has_errors(), "{diags:?}");
        (dir, built.unwrap())
    }

    fn edit(dir: &tempfile::TempDir, path: &str, text: &str) -> PathBuf {
        let at = dir.path().join(path);
        std::fs::write(&at, text).unwrap();
        at
    }

    const INDEX: &str = "---\ntitle: Guide\n---\nSee [the alpha part](a.md#alpha).\n";
    const A: &str = "---\ntitle: A\n---\n## Alpha\n\n1. One.\n2. Two.\n";

    #[test]
    fn a_body_edit_renders_only_that_page() {
        let (dir, mut built) = site(&[
            ("content/guide/_index.md", INDEX),
            ("content/guide/a.md", A),
            ("content/guide/b.md", "---\ntitle: B\n---\nText.\n"),
        ]);
        let a = edit(&dir, "content/guide/a.md", &format!("{A}\nA new line.\n"));
        let Patch::Pages(files, diags) = patch(&mut built, &[a]) else {
            panic!("not patched")
        };
        let paths: Vec<&str> = files.iter().map(|f| f.path()).collect();
        assert_eq!(paths, ["guide/a.html", "guide/a.md"]);
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn links_on_and_into_the_edited_page_are_checked() {
        let (dir, mut built) = site(&[
            ("content/guide/_index.md", INDEX),
            ("content/guide/a.md", A),
        ]);
        // A link of the edited page.
        let a = edit(
            &dir,
            "content/guide/a.md",
            &format!("{A}\nSee [nothing](missing.md).\n"),
        );
        let Patch::Problems(diags) = patch(&mut built, std::slice::from_ref(&a)) else {
            panic!("the broken link was missed")
        };
        assert!(diags.render(dir.path()).contains("link-missing-page"));
        // A link of another page into the edited one, whose heading is gone.
        edit(&dir, "content/guide/a.md", &A.replace("Alpha", "Beta"));
        let Patch::Problems(diags) = patch(&mut built, &[a]) else {
            panic!("the broken fragment was missed")
        };
        let text = diags.render(dir.path());
        assert!(text.contains("`#alpha` is not an id"), "{text}");
        assert!(text.contains("_index.md"), "{text}");
    }
}
