//! Output: write the finished site to a temporary folder, then swap it in.
//!
//! In: the rendered [`OutFile`]s and the destination folder. A build either replaces the whole
//! previous output or leaves it exactly as it was: files go to a sibling temporary folder,
//! which is renamed into place only once complete. The destination must be a folder stepbook
//! wrote before (it carries a manifest of every file written) or an empty one; stepbook
//! refuses a folder holding anything else, and the content folder itself.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::paths::is_within;
use crate::render::OutFile;

/// The file, at the top of every output folder, that lists what stepbook wrote there.
pub const MANIFEST: &str = ".stepbook-manifest";

/// What the previous build left in the output folder, as its manifest records it.
#[derive(Debug, Default)]
pub struct Previous {
    files: Manifest,
}

/// Checks that `dest` may be replaced by a build, before any work is done, and returns what
/// the previous build wrote there.
pub fn check_destination(
    dest: &Path,
    content_dir: &Path,
    site_root: &Path,
) -> Result<Previous, Diagnostic> {
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
        return Ok(Previous::default());
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
        if !manifest.as_ref().is_some_and(|m| m.contains_key(&rel)) {
            foreign.push(rel);
        }
    }
    if foreign.is_empty() {
        return Ok(Previous {
            files: manifest.unwrap_or_default(),
        });
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

/// What the manifest of an earlier build says of each file, when it recorded it.
type Manifest = HashMap<String, Option<Recorded>>;

/// A file as a build wrote it: size, content hash and modification time (nanoseconds since
/// the epoch), so the next build can tell whether it is still what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recorded {
    size: u64,
    hash: u64,
    modified: u128,
}

fn read_manifest(dest: &Path) -> Option<Manifest> {
    let text = fs::read_to_string(dest.join(MANIFEST)).ok()?;
    Some(
        text.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(parse_manifest_line)
            .collect(),
    )
}

/// `path`, or `path<TAB>size<TAB>hash<TAB>modified` (hash in hex).
fn parse_manifest_line(line: &str) -> (String, Option<Recorded>) {
    let mut parts = line.rsplitn(4, '\t');
    if let (Some(modified), Some(hash), Some(size), Some(path)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
        && let (Ok(size), Ok(hash), Ok(modified)) = (
            size.parse(),
            u64::from_str_radix(hash, 16),
            modified.parse(),
        )
    {
        let recorded = Recorded {
            size,
            hash,
            modified,
        };
        return (path.to_string(), Some(recorded));
    }
    // A line with fields this build does not know: the path comes first.
    let path = line.split('\t').next().unwrap_or(line);
    (path.to_string(), None)
}

fn modified_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A build's output on its way: files go into a temporary sibling of the destination as they
/// are rendered, from any thread, and [`Staging::commit`] swaps the finished folder in. A file
/// the previous build wrote with the same bytes is hard-linked from it rather than written
/// again. Dropped without a commit, the temporary folder is removed and the destination is
/// left as it was.
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
    parent: PathBuf,
    name: String,
    previous: Manifest,
    dirs: Mutex<HashSet<PathBuf>>,
    written: Mutex<Vec<(String, Recorded)>>,
    reused: AtomicUsize,
    committed: bool,
}

/// What [`Staging::commit`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteStats {
    pub files: usize,
    /// Files whose bytes were the same as in the previous build, kept rather than rewritten.
    pub unchanged: usize,
}

impl Staging {
    /// Prepares an empty temporary folder beside `dest` (whose parent is created);
    /// `previous` is what [`check_destination`] found there.
    pub fn begin(dest: &Path, previous: Previous) -> Result<Staging, Diagnostic> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| io_error(&parent, e))?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        remove_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.stepbook-tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(|e| io_error(&tmp, e))?;
        }
        fs::create_dir(&tmp).map_err(|e| io_error(&tmp, e))?;
        Ok(Staging {
            previous: previous.files,
            dirs: Mutex::new(HashSet::from([tmp.clone()])),
            tmp,
            dest: dest.to_path_buf(),
            parent,
            name,
            written: Mutex::new(Vec::new()),
            reused: AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Writes one file of the site (any thread).
    pub fn put(&self, file: &OutFile) -> Result<(), Diagnostic> {
        let rel = file.path();
        let to = self.tmp.join(rel);
        if let Some(dir) = to.parent() {
            self.make_dir(dir)?;
        }
        let read;
        let bytes: &[u8] = match file {
            OutFile::Bytes(_, b) => b,
            OutFile::Copy(_, from) => {
                read = fs::read(from).map_err(|e| {
                    Diagnostic::error("io", format!("cannot read {}: {e}", from.display()))
                        .in_file(from)
                })?;
                &read
            }
        };
        let size = bytes.len() as u64;
        let hash = content_hash(bytes);
        // The previous build's file, if it has the same bytes and nobody touched it since.
        let kept = self.previous.get(rel).copied().flatten().and_then(|was| {
            let old = self.dest.join(rel);
            let meta = fs::symlink_metadata(&old).ok()?;
            let untouched =
                meta.is_file() && meta.len() == size && modified_ns(&meta) == was.modified;
            (untouched && was.size == size && was.hash == hash && fs::hard_link(&old, &to).is_ok())
                .then_some(was.modified)
        });
        let modified = match kept {
            Some(m) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                m
            }
            None => {
                let mut file = fs::File::create(&to).map_err(|e| io_error(&to, e))?;
                file.write_all(bytes).map_err(|e| io_error(&to, e))?;
                file.metadata().map(|m| modified_ns(&m)).unwrap_or(0)
            }
        };
        self.written
            .lock()
            .expect("no panic while holding the lock")
            .push((
                rel.to_string(),
                Recorded {
                    size,
                    hash,
                    modified,
                },
            ));
        Ok(())
    }

    fn make_dir(&self, dir: &Path) -> Result<(), Diagnostic> {
        if self
            .dirs
            .lock()
            .expect("no panic while holding the lock")
            .contains(dir)
        {
            return Ok(());
        }
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        self.dirs
            .lock()
            .expect("no panic while holding the lock")
            .insert(dir.to_path_buf());
        Ok(())
    }

    /// Writes the manifest and swaps the finished folder into place; then removes the
    /// previous output.
    pub fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        let mut written = std::mem::take(
            &mut *self
                .written
                .lock()
                .expect("no panic while holding the lock"),
        );
        written.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut manifest = String::from(
            "# Files written by stepbook (path, size, hash, modified). A build replaces this folder only while it holds nothing else.\n",
        );
        for (path, r) in &written {
            manifest.push_str(&format!(
                "{path}\t{}\t{:016x}\t{}\n",
                r.size, r.hash, r.modified
            ));
        }
        let at = self.tmp.join(MANIFEST);
        fs::write(&at, manifest).map_err(|e| io_error(&at, e))?;
        swap(&self.tmp, &self.dest, &self.parent, &self.name)?;
        self.committed = true;
        Ok(WriteStats {
            files: written.len(),
            unchanged: self.reused.load(Ordering::Relaxed),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.tmp);
        }
    }
}

/// Puts the finished folder `tmp` at `dest` and removes the previous output. On Linux the
/// two trade places in one atomic step, so `dest` never goes missing; elsewhere the old
/// folder is renamed aside first.
fn swap(tmp: &Path, dest: &Path, parent: &Path, name: &str) -> Result<(), Diagnostic> {
    if !dest.exists() {
        return fs::rename(tmp, dest).map_err(|e| io_error(dest, e));
    }
    if exchange(tmp, dest).is_ok() {
        // `tmp` now holds the previous output.
        return remove_tree(tmp).map_err(|e| io_error(tmp, e));
    }
    let old = parent.join(format!(".{name}.stepbook-old-{}", std::process::id()));
    fs::rename(dest, &old).map_err(|e| io_error(dest, e))?;
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::rename(&old, dest);
        return Err(io_error(dest, e));
    }
    remove_tree(&old).map_err(|e| io_error(&old, e))
}

/// Atomically exchanges two paths (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Removes a folder and everything in it, its subfolders in parallel.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|e| {
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())
        } else {
            fs::remove_file(e.path())
        }
    })?;
    fs::remove_dir(dir)
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
            let _ = remove_tree(&entry.path());
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display())).in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` into a temporary sibling of `dest`, then swaps it in.
    fn write_site(files: &[OutFile], dest: &Path) -> Result<WriteStats, Diagnostic> {
        let previous = Previous {
            files: read_manifest(dest).unwrap_or_default(),
        };
        let staging = Staging::begin(dest, previous)?;
        files.par_iter().try_for_each(|f| staging.put(f))?;
        staging.commit()
    }

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
