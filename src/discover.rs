//! Content discovery: walk the content folder (walkdir) into a stable list of source files.
//!
//! In: the content folder and folders to leave out (the output folder when it sits inside).
//! Out: [`SourceFile`]s sorted by path, each classified as an article, a collection index,
//! an asset to copy or a snippet (a `.md` file under `_snippets/`; other files there are left
//! out). Hidden files and folders (`.git`, `.DS_Store`, editor swap files) are
//! skipped. Symbolic links are followed only while they stay inside the site's folder (or the
//! content folder): one that leads elsewhere would publish whatever it points at, so it is an
//! error. A name with a control character in it is an error too. This module reads no file
//! contents.
//!
//! [`Listing`] keeps the last walk and brings it up to date from the paths a file watcher
//! named, walking again only when it cannot be sure: a folder made, renamed or replaced, a
//! symbolic link, a walk that met a problem.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::paths::{SourcePath, describe_char};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A Markdown article.
    Article,
    /// `_index.md` or `index.md`: the title, description and intro of its folder's
    /// collection (or of the home page, at the content root).
    CollectionIndex,
    /// Any other file, copied as it is.
    Asset,
    /// A `.md` file under `_snippets/`: text that pages include, never published on its own
    /// ([`crate::snippets`]). Other files there are left out.
    Snippet,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: SourcePath,
    pub abs: PathBuf,
    pub kind: SourceKind,
}

/// Every file under `content_dir`, sorted by path, plus the problems met on the way.
/// Symbolic links are followed while they lead to a place inside `site_root` or the content
/// folder; one that leads anywhere else is an error, and nothing behind it is read.
pub fn discover(
    content_dir: &Path,
    exclude: &[PathBuf],
    site_root: &Path,
) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    // The walk, which holds the list too, is dropped first: the list is then taken, not
    // copied.
    let listed = walk(content_dir, exclude, site_root).finish(content_dir);
    Arc::unwrap_or_clone(listed)
}

/// The files of a listing and the problems met making it, shared: the same list (the very
/// same `Arc`) while the content folder's list of files is unchanged.
pub type Listed = Arc<(Vec<SourceFile>, Vec<Diagnostic>)>;

/// The files of one walk, before the checks that look at the whole list.
#[derive(Debug, Default)]
struct Walked {
    /// Sorted as the walk meets them, which is the order of [`Path`]'s comparison.
    files: Vec<SourceFile>,
    /// What the walk met on its way: unreadable entries, links that lead outside.
    problems: Vec<Diagnostic>,
    /// The walk met neither a symbolic link nor a problem, so a changed path tells all that
    /// changed about it.
    exact: bool,
    /// What [`Walked::finish`] made of the files, until they change.
    finished: Option<Listed>,
}

/// The content folder as last walked, kept up to date from the paths that changed since.
#[derive(Debug, Default)]
pub struct Listing {
    /// The content folder, the folders left out and the site's folder of the last walk.
    of: Option<(PathBuf, Vec<PathBuf>, PathBuf)>,
    walked: Walked,
}

impl Listing {
    /// [`discover`], from the last walk brought up to date for `changed` (the paths a watcher
    /// named since the last call) when that is sure to give the same list; `changed: None`
    /// walks the folder again. Also says whether it was brought up to date without a walk:
    /// then every file whose path, or a folder's above it, was not named is as it was.
    pub fn update(
        &mut self,
        content_dir: &Path,
        exclude: &[PathBuf],
        site_root: &Path,
        changed: Option<&HashSet<PathBuf>>,
    ) -> (Listed, bool) {
        let of = (
            content_dir.to_path_buf(),
            exclude.to_vec(),
            site_root.to_path_buf(),
        );
        let narrowed = self.of.as_ref() == Some(&of)
            && changed.is_some_and(|c| self.walked.narrow(content_dir, exclude, site_root, c));
        if !narrowed {
            self.walked = walk(content_dir, exclude, site_root);
            self.of = Some(of);
        }
        (self.walked.finish(content_dir), narrowed)
    }
}

impl Walked {
    /// Applies the changed paths to the list, as a walk would see them now. False when one of
    /// them is not a file (a folder made or replaced, a link) or the last walk was not exact:
    /// only a walk can tell then, and the list may be half updated.
    fn narrow(
        &mut self,
        content_dir: &Path,
        exclude: &[PathBuf],
        site_root: &Path,
        changed: &HashSet<PathBuf>,
    ) -> bool {
        if !self.exact {
            return false;
        }
        for path in changed {
            let meta = fs::symlink_metadata(path);
            let Ok(rel) = path.strip_prefix(content_dir) else {
                // `book.toml` or a theme's file: the list does not change, but a file's stamp
                // can only be trusted for a file. Any other path (one spelled through a link,
                // as some watchers report them) may be a content file by another name.
                let known = *path == site_root.join("book.toml")
                    || path.starts_with(site_root.join("themes"));
                if known && meta.is_ok_and(|m| m.file_type().is_file()) {
                    continue;
                }
                return false;
            };
            if rel.as_os_str().is_empty() {
                return false;
            }
            // What the walk leaves out stays out.
            if rel.components().any(|c| is_hidden(c.as_os_str()))
                || exclude.iter().any(|x| path.starts_with(x))
            {
                continue;
            }
            let at = self.files.binary_search_by(|f| f.abs.as_path().cmp(path));
            match (meta, at) {
                (Ok(m), Ok(_)) if m.file_type().is_file() => {}
                (Ok(m), Err(i)) if m.file_type().is_file() => {
                    // On a file system that folds case or normalizes names, a file renamed
                    // to another spelling of its name is both still there and new.
                    if self.files.iter().any(|f| same_name_folded(&f.abs, path)) {
                        return false;
                    }
                    let path_in = SourcePath::from_relative(rel);
                    if let Some(kind) = classify(&path_in) {
                        let file = SourceFile {
                            path: path_in,
                            abs: path.clone(),
                            kind,
                        };
                        self.files.insert(i, file);
                        self.finished = None;
                    }
                }
                (Err(e), at) if e.kind() == std::io::ErrorKind::NotFound => {
                    // A file or a folder gone: everything at or under it (the files under a
                    // path follow it in the order of paths).
                    let from = at.unwrap_or_else(|i| i);
                    let to = from
                        + self.files[from..]
                            .iter()
                            .take_while(|f| f.abs.starts_with(path))
                            .count();
                    if to > from {
                        self.files.drain(from..to);
                        self.finished = None;
                    }
                }
                _ => return false,
            }
        }
        true
    }

    /// The files and problems of the walk, with the checks of the whole list.
    fn finish(&mut self, content_dir: &Path) -> Listed {
        let (files, problems) = (&self.files, &self.problems);
        self.finished
            .get_or_insert_with(|| {
                let (shadowed, problems) = checked(files, problems, content_dir);
                let files = (files.iter())
                    .filter(|f| !shadowed.contains(&f.path))
                    .cloned()
                    .collect();
                Arc::new((files, problems))
            })
            .clone()
    }
}

/// The checks of the whole list of a walk: the index files that another one shadows, and
/// `problems` with what the checks found.
fn checked(
    files: &[SourceFile],
    problems: &[Diagnostic],
    content_dir: &Path,
) -> (Vec<SourcePath>, Vec<Diagnostic>) {
    let mut problems = problems.to_vec();
    problems.extend(file_names(files, content_dir));
    problems.extend(duplicate_indexes(files));
    let shadowed: Vec<SourcePath> = files
        .iter()
        .filter(|f| f.path.file_name() == "index.md" && has_underscore_index(files, f.path.dir()))
        .map(|f| f.path.clone())
        .collect();
    (shadowed, problems)
}

/// Whether `a` and `b` are two spellings of one name in one folder: the same as
/// case-insensitive, normalizing file systems compare them.
fn same_name_folded(a: &Path, b: &Path) -> bool {
    let fold = |p: &Path| {
        p.file_name()
            .map(|n| crate::claims::fold(&n.to_string_lossy()))
    };
    a.parent() == b.parent() && fold(a).is_some_and(|x| Some(x) == fold(b))
}

/// Walks the content folder.
fn walk(content_dir: &Path, exclude: &[PathBuf], site_root: &Path) -> Walked {
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
        return Walked {
            files,
            problems,
            exact: false,
            finished: None,
        };
    }
    let inside = [site_root, content_dir].map(|p| fs::canonicalize(p).unwrap_or(p.to_path_buf()));
    let excluded: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|x| fs::canonicalize(x).ok())
        .collect();
    let escapes = RefCell::new(Vec::new());
    let linked = Cell::new(false);
    // Siblings are sorted by name. Their paths are their folder's path joined with their
    // names, so comparing the paths compares the names, without taking each path apart
    // again for every comparison as `sort_by_file_name` does.
    let walker = WalkDir::new(content_dir)
        .follow_links(true)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                // A content folder that is itself a link: a watcher may name its files by
                // the link's target, so only a walk can tell what changed.
                linked.set(e.path_is_symlink());
                return true;
            }
            if is_hidden(e.file_name()) || exclude.iter().any(|x| e.path() == x) {
                return false;
            }
            // A link into a left-out folder (the output) is left out with it.
            linked.set(linked.get() || e.path_is_symlink());
            if e.path_is_symlink()
                && fs::canonicalize(e.path())
                    .is_ok_and(|t| excluded.iter().any(|x| t.starts_with(x)))
            {
                return false;
            }
            match e
                .path_is_symlink()
                .then(|| leaves(e.path(), &inside))
                .flatten()
            {
                Some(problem) => {
                    escapes.borrow_mut().push(problem);
                    false
                }
                None => true,
            }
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| content_dir.to_path_buf());
                let dangling = fs::read_link(&path)
                    .ok()
                    .filter(|_| e.loop_ancestor().is_none() && !path.exists());
                let (message, hint) = match (dangling, e.loop_ancestor()) {
                    (Some(to), _) => (
                        format!(
                            "skipped a symbolic link to {}, which does not exist",
                            to.display()
                        ),
                        "remove the link, or create what it leads to",
                    ),
                    (None, Some(up)) => (
                        format!(
                            "skipped a symbolic link to {}, a folder it is in",
                            up.display()
                        ),
                        "remove the link that leads back into its own folder",
                    ),
                    (None, None) => (
                        format!("skipped an unreadable entry: {e}"),
                        "fix the file's permissions, or remove it",
                    ),
                };
                problems.push(
                    Diagnostic::warning("content-walk", message)
                        .in_file(&path)
                        .with_hint(hint),
                );
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(entry.path(), content_dir);
        let path = SourcePath::from_relative(rel);
        let Some(kind) = classify(&path) else {
            continue;
        };
        files.push(SourceFile {
            path,
            abs: entry.path().to_path_buf(),
            kind,
        });
    }
    problems.extend(escapes.into_inner());
    Walked {
        files,
        exact: problems.is_empty() && !linked.get(),
        problems,
        finished: None,
    }
}

/// `path` from `content_dir`, which the walk's paths start with: the walk joins each name
/// to its folder's path, so the content folder's spelling is the head of every path, and
/// taking it off byte by byte gives what [`Path::strip_prefix`] gives, without taking both
/// paths apart.
fn relative<'a>(path: &'a Path, content_dir: &Path) -> &'a Path {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (bytes, head) = (
            path.as_os_str().as_bytes(),
            content_dir.as_os_str().as_bytes(),
        );
        if let Some(rest) = bytes.strip_prefix(head)
            && (head.ends_with(b"/") || rest.starts_with(b"/"))
        {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            if !rest.starts_with(b"/") {
                return Path::new(std::ffi::OsStr::from_bytes(rest));
            }
        }
    }
    path.strip_prefix(content_dir).unwrap_or(path)
}

/// The error for the symbolic link `link` when it leads outside every folder of `inside`
/// (canonical paths).
fn leaves(link: &Path, inside: &[PathBuf]) -> Option<Diagnostic> {
    let target = fs::canonicalize(link).ok()?;
    if inside.iter().any(|dir| target.starts_with(dir)) {
        return None;
    }
    Some(
        Diagnostic::error(
            "symlink-outside",
            format!(
                "this is a symbolic link to {}, outside the site's folder; stepbook does not follow it",
                target.display()
            ),
        )
        .in_file(link)
        .with_hint(
            "copy what it leads to into the site's folder, or remove the link; links that stay inside the site's folder are followed",
        ),
    )
}

/// Names that cannot go into the output as they are: a control character (a line break, a
/// tab) in a file or folder name would break links and the output's manifest, and a name that
/// is not UTF-8 has no link at all.
fn file_names(files: &[SourceFile], content_dir: &Path) -> Vec<Diagnostic> {
    files
        .iter()
        .filter_map(|f| {
            let message = match f.path.as_str().chars().find(|c| c.is_control()) {
                Some(c) => format!(
                    "the name `{}` holds {}, which cannot be part of a link",
                    f.path.as_str().escape_debug(),
                    describe_char(c)
                ),
                // A name that is not UTF-8 was read with U+FFFD in its place: only then is
                // the name itself looked at.
                None if f.path.as_str().contains(char::REPLACEMENT_CHARACTER)
                    && f.abs.strip_prefix(content_dir).ok()?.to_str().is_none() =>
                {
                    format!(
                        "the name `{}` is not valid UTF-8, so it cannot be part of a link",
                        f.path
                    )
                }
                None => return None,
            };
            Some(
                Diagnostic::error("file-name", message)
                    .in_file(&f.abs)
                    .with_hint("rename the file or folder"),
            )
        })
        .collect()
}

/// Whether the walk leaves a file or folder of this name out: hidden files and folders, and
/// editors' backup and swap files.
pub fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")
}

fn classify(path: &SourcePath) -> Option<SourceKind> {
    if path.as_str().starts_with(crate::snippets::FOLDER)
        && path.as_str()[crate::snippets::FOLDER.len()..].starts_with('/')
    {
        return path
            .file_name()
            .ends_with(".md")
            .then_some(SourceKind::Snippet);
    }
    Some(match path.file_name() {
        "_index.md" | "index.md" => SourceKind::CollectionIndex,
        name if name.ends_with(".md") => SourceKind::Article,
        _ => SourceKind::Asset,
    })
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

    /// Writes each of `files` under `root`, with the folders it is in.
    fn write_files(root: &Path, files: &[&str]) {
        for f in files {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
    }

    #[test]
    fn classifies_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        write_files(
            c,
            &[
                "index.md",
                "a/_index.md",
                "a/x.md",
                "a/pic.png",
                "b/.git/HEAD",
                "b/index.md",
                "b/y.md~",
            ],
        );
        let (files, problems) = discover(c, &[], c);
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

    /// The listing brought up to date from `changed` is the one a walk finds, and it walks
    /// when it cannot be sure.
    #[test]
    fn a_listing_follows_the_changes_it_is_told_and_walks_when_unsure() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        write_files(c, &["a/x.md", "a-b.md"]);
        let mut listing = Listing::default();
        let paths = |files: &[SourceFile]| -> Vec<String> {
            files.iter().map(|f| f.path.to_string()).collect()
        };
        let mut update = |changed: &[&str]| {
            let changed: HashSet<PathBuf> = changed.iter().map(|p| c.join(p)).collect();
            let (listed, narrowed) = listing.update(c, &[], c, Some(&changed));
            let (walked, walk_problems) = discover(c, &[], c);
            assert_eq!(paths(&listed.0), paths(&walked));
            assert_eq!(listed.1, walk_problems);
            narrowed
        };
        assert!(!update(&[]), "the first listing walks");
        // A new file sorts among the others as the walk sorts them; a hidden one is left out.
        std::fs::write(c.join("a/w.md"), "x").unwrap();
        std::fs::write(c.join("a/.w.md.swp"), "x").unwrap();
        assert!(update(&["a/w.md", "a/.w.md.swp", "gone.md.save"]));
        std::fs::remove_file(c.join("a/x.md")).unwrap();
        assert!(update(&["a/x.md"]));
        // A folder made: only a walk finds what is in it.
        std::fs::create_dir_all(c.join("n")).unwrap();
        std::fs::write(c.join("n/y.md"), "x").unwrap();
        assert!(!update(&["n"]));
        std::fs::remove_dir_all(c.join("n")).unwrap();
        assert!(update(&["n"]));
        // Another spelling of a listed name may be that file renamed (case, Unicode form).
        std::fs::write(c.join("a/W.md"), "x").unwrap();
        assert!(!update(&["a/W.md"]));
        // With a symbolic link in the folder, a change to what it leads to names another path.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(c.join("a"), c.join("l")).unwrap();
            assert!(!update(&["l"]));
            std::fs::write(c.join("a/v.md"), "x").unwrap();
            assert!(!update(&["a/v.md"]));
        }
    }

    /// Outside the content folder, only the config and the theme's files are known not to
    /// change the list; any other path may name a content file another way.
    #[test]
    fn a_listing_walks_for_a_path_it_cannot_place() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let c = root.join("content");
        write_files(
            root,
            &[
                "content/a/x.md",
                "book.toml",
                "themes/t/page.html",
                "notes.txt",
            ],
        );
        let mut listing = Listing::default();
        let mut update = |changed: &[&str]| {
            let changed: HashSet<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
            listing.update(&c, &[], root, Some(&changed)).1
        };
        assert!(!update(&[]), "the first listing walks");
        assert!(update(&["book.toml", "themes/t/page.html"]));
        assert!(!update(&["notes.txt"]));
    }
}
