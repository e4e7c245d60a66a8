//! Output: write the finished site to a temporary folder, then swap it in.
//!
//! In: the rendered [`OutFile`]s and the destination folder. A build either replaces the whole
//! previous output or leaves it exactly as it was: files go to a sibling temporary folder,
//! which is renamed into place only once complete. The destination must be a folder stepbook
//! wrote before (it carries a manifest of every file written) or an empty one; stepbook
//! refuses a folder holding anything else, and the content folder itself.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::paths::is_within;
use crate::render::OutFile;

/// The file, at the top of every output folder, that lists what stepbook wrote there.
pub const MANIFEST: &str = ".stepbook-manifest";

/// Checks that `dest` may be replaced by a build, before any work is done.
pub fn check_destination(
    dest: &Path,
    content_dir: &Path,
    site_root: &Path,
) -> Result<(), Diagnostic> {
    if is_within(content_dir, dest) || is_within(dest, content_dir) {
        return Err(Diagnostic::error(
            "output-is-content",
            format!(
                "the output folder {} is, or holds, or sits inside the content folder",
                dest.display()
            ),
        )
        .with_hint("write the site elsewhere, e.g. `--dest public`"));
    }
    if is_within(site_root, dest) {
        return Err(Diagnostic::error(
            "output-foreign",
            format!("the output folder {} holds the site itself", dest.display()),
        )
        .with_hint("write the site to a folder of its own, e.g. `--dest public`"));
    }
    if !dest.exists() {
        return Ok(());
    }
    if !dest.is_dir() {
        return Err(Diagnostic::error(
            "output-foreign",
            format!("{} exists and is not a folder", dest.display()),
        )
        .with_hint("choose another `--dest`"));
    }
    let manifest = read_manifest(dest);
    let mut foreign = Vec::new();
    for entry in WalkDir::new(dest)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dest)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        if rel == MANIFEST {
            continue;
        }
        if !manifest.as_ref().is_some_and(|m| m.contains(&rel)) {
            foreign.push(rel);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
    let more = if foreign.len() > 5 {
        format!(" and {} more", foreign.len() - 5)
    } else {
        String::new()
    };
    Err(Diagnostic::error(
        "output-foreign",
        format!("the output folder {} holds files stepbook did not write: {}{more}", dest.display(), shown.join(", ")),
    )
    .with_hint("move those files away, or choose another `--dest`; stepbook never deletes what it did not write"))
}

fn read_manifest(dest: &Path) -> Option<HashSet<String>> {
    let text = fs::read_to_string(dest.join(MANIFEST)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect(),
    )
}

/// Writes `files` into a temporary sibling of `dest`, then swaps it in.
pub fn write_site(files: &[OutFile], dest: &Path) -> Result<(), Diagnostic> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    remove_stale(parent, &name);
    let tmp = parent.join(format!(".{name}.stepbook-tmp-{}", std::process::id()));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
    }
    fs::create_dir(&tmp).map_err(|e| io_error(&tmp, e))?;
    if let Err(e) = fill(&tmp, files) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    swap(&tmp, dest, parent, &name)
}

fn fill(tmp: &Path, files: &[OutFile]) -> Result<(), Diagnostic> {
    let dirs: HashSet<PathBuf> = files
        .iter()
        .filter_map(|f| tmp.join(f.path()).parent().map(Path::to_path_buf))
        .collect();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| io_error(d, e))?;
    }
    files.par_iter().try_for_each(|f| {
        let to = tmp.join(f.path());
        match f {
            OutFile::Bytes(_, bytes) => fs::write(&to, bytes).map_err(|e| io_error(&to, e)),
            OutFile::Copy(_, from) => fs::copy(from, &to)
                .map(|_| ())
                .map_err(|e| io_error(from, e)),
        }
    })?;
    let mut listing: Vec<&str> = files.iter().map(OutFile::path).collect();
    listing.sort_unstable();
    let manifest = format!(
        "# Files written by stepbook. A build replaces this folder only while it holds nothing else.\n{}\n",
        listing.join("\n")
    );
    fs::write(tmp.join(MANIFEST), manifest).map_err(|e| io_error(&tmp.join(MANIFEST), e))
}

fn swap(tmp: &Path, dest: &Path, parent: &Path, name: &str) -> Result<(), Diagnostic> {
    if !dest.exists() {
        return fs::rename(tmp, dest).map_err(|e| io_error(dest, e));
    }
    let old = parent.join(format!(".{name}.stepbook-old-{}", std::process::id()));
    fs::rename(dest, &old).map_err(|e| io_error(dest, e))?;
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::rename(&old, dest);
        let _ = fs::remove_dir_all(tmp);
        return Err(io_error(dest, e));
    }
    fs::remove_dir_all(&old).map_err(|e| io_error(&old, e))
}

/// Temporary folders left by a build that was killed: ours by name, safe to remove.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let tmp = format!(".{name}.stepbook-tmp-");
    let old = format!(".{name}.stepbook-old-");
    let dest = parent.join(name);
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        if file.starts_with(&old) && !dest.exists() && entry.path().join(MANIFEST).is_file() {
            // A build was stopped between moving the old site aside and moving the new one
            // in: put the old site back.
            let _ = fs::rename(entry.path(), &dest);
        } else if file.starts_with(&tmp) || file.starts_with(&old) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display())).in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<OutFile> {
        vec![
            OutFile::Bytes("index.html".into(), b"hi".to_vec()),
            OutFile::Bytes("a/b.html".into(), b"b".to_vec()),
        ]
    }

    #[test]
    fn writes_then_replaces() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a/b.html")).unwrap(), "b");
        check_destination(&dest, &d.path().join("content"), &d.path().join("site")).unwrap();
        write_site(
            &[OutFile::Bytes("index.html".into(), b"new".to_vec())],
            &dest,
        )
        .unwrap();
        assert!(!dest.join("a/b.html").exists());
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_site_moved_aside_by_a_stopped_build_comes_back() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        fs::rename(&dest, d.path().join(".public.stepbook-old-999")).unwrap();
        fs::create_dir(d.path().join(".public.stepbook-tmp-999")).unwrap();
        remove_stale(d.path(), "public");
        assert_eq!(fs::read_to_string(dest.join("a/b.html")).unwrap(), "b");
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_foreign_files() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        fs::write(dest.join("notes.txt"), "mine").unwrap();
        let err = check_destination(&dest, &d.path().join("content"), &d.path().join("site"))
            .unwrap_err();
        assert!(
            err.message
                .ends_with("holds files stepbook did not write: notes.txt"),
            "{}",
            err.message
        );
    }

    #[test]
    fn refuses_the_content_folder() {
        let d = tempfile::tempdir().unwrap();
        let content = d.path().join("content");
        fs::create_dir(&content).unwrap();
        let err = check_destination(&content, &content, d.path()).unwrap_err();
        assert_eq!(err.code, "output-is-content");
    }
}
