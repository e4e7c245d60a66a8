//! Content discovery: walk the content folder (walkdir) into a stable list of source files.
//!
//! In: the content folder and folders to leave out (the output folder when it sits inside).
//! Out: [`SourceFile`]s sorted by path, each classified as an article, a collection index or
//! an asset to copy. Hidden files and folders (`.git`, `.DS_Store`, editor swap files) are
//! skipped. This module reads no file contents.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::paths::SourcePath;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A Markdown article.
    Article,
    /// `_index.md` or `index.md`: the title, description and intro of its folder's
    /// collection (or of the home page, at the content root).
    CollectionIndex,
    /// Any other file, copied as it is.
    Asset,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: SourcePath,
    pub abs: PathBuf,
    pub kind: SourceKind,
}

/// Every file under `content_dir`, sorted by path, plus the problems met on the way.
pub fn discover(content_dir: &Path, exclude: &[PathBuf]) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    if !content_dir.is_dir() {
        problems.push(
            Diagnostic::error(
                "content-missing",
                format!("content folder {} does not exist", content_dir.display()),
            )
            .with_hint("create it, or set `content-dir` under [build] in book.toml"),
        );
        return (files, problems);
    }
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(is_hidden(e.file_name()) || exclude.iter().any(|x| e.path() == x))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.to_path_buf());
                let what = if e.loop_ancestor().is_some() {
                    "a symbolic link loop"
                } else {
                    "an unreadable entry"
                };
                problems.push(
                    Diagnostic::warning("content-walk", format!("skipped {what}: {e}"))
                        .in_file(&path)
                        .with_hint("remove the link or fix the file's permissions"),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(content_dir)
            .unwrap_or(entry.path());
        let path = SourcePath::from_relative(rel);
        let kind = classify(&path);
        files.push(SourceFile {
            path,
            abs: entry.path().to_path_buf(),
            kind,
        });
    }
    problems.extend(duplicate_indexes(&files));
    let shadowed: Vec<SourcePath> = files
        .iter()
        .filter(|f| f.path.file_name() == "index.md" && has_underscore_index(&files, f.path.dir()))
        .map(|f| f.path.clone())
        .collect();
    files.retain(|f| !shadowed.contains(&f.path));
    (files, problems)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")
}

fn classify(path: &SourcePath) -> SourceKind {
    match path.file_name() {
        "_index.md" | "index.md" => SourceKind::CollectionIndex,
        name if name.ends_with(".md") => SourceKind::Article,
        _ => SourceKind::Asset,
    }
}

fn has_underscore_index(files: &[SourceFile], dir: &str) -> bool {
    files
        .iter()
        .any(|f| f.path.file_name() == "_index.md" && f.path.dir() == dir)
}

/// A folder with both `_index.md` and `index.md` is ambiguous; `_index.md` wins.
fn duplicate_indexes(files: &[SourceFile]) -> Vec<Diagnostic> {
    files
        .iter()
        .filter(|f| f.path.file_name() == "index.md" && has_underscore_index(files, f.path.dir()))
        .map(|f| {
            Diagnostic::warning(
                "duplicate-index",
                "this folder has both `_index.md` and `index.md`; `index.md` is ignored",
            )
            .in_file(&f.abs)
            .with_hint("merge the two files into `_index.md`")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        std::fs::create_dir_all(c.join("b/.git")).unwrap();
        std::fs::create_dir_all(c.join("a")).unwrap();
        for f in [
            "index.md",
            "a/_index.md",
            "a/x.md",
            "a/pic.png",
            "b/.git/HEAD",
            "b/index.md",
            "b/y.md~",
        ] {
            std::fs::write(c.join(f), "x").unwrap();
        }
        let (files, problems) = discover(c, &[]);
        assert!(problems.is_empty());
        let listed: Vec<_> = files.iter().map(|f| (f.path.as_str(), f.kind)).collect();
        assert_eq!(
            listed,
            vec![
                ("a/_index.md", SourceKind::CollectionIndex),
                ("a/pic.png", SourceKind::Asset),
                ("a/x.md", SourceKind::Article),
                ("b/index.md", SourceKind::CollectionIndex),
                ("index.md", SourceKind::CollectionIndex),
            ]
        );
    }
}
