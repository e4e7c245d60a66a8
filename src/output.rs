//! Output: write the finished site to a temporary folder, then swap it in.
//!
//! In: the rendered [`OutFile`]s and the destination folder. A build either replaces the whole
//! previous output or leaves it exactly as it was: files go to a sibling temporary folder,
//! which is renamed into place only once complete. The destination must be a folder stepbook
//! wrote before (it carries a manifest of every file written) or an empty one; stepbook
//! refuses a folder holding anything else, and the content folder itself.
//!
//! The output a build replaces is kept beside the destination as the *spare*
//! (`.public.stepbook-spare`), and the next build works in it: files whose bytes are still
//! right stay as they are, others are rewritten in place, and files of no page any more are
//! removed. A rebuild so touches only what changed instead of making every folder and file
//! anew. Deleting the spare is always safe; the next build then starts from an empty folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::diagnostics::Diagnostic;
use crate::paths::is_within;
use crate::render::OutFile;

/// The file, at the top of every output folder, that lists what stepbook wrote there.
pub const MANIFEST: &str = ".stepbook-manifest";

/// What the previous build left in the output folder, as its manifest records it.
#[derive(Debug, Default)]
pub struct Previous {
    files: Manifest,
    /// The spare's manifest, when the spare holds nothing but what it lists.
    spare: Option<Manifest>,
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
    if dest.exists() && !dest.is_dir() {
        return Err(Diagnostic::error(
            "output-foreign",
            format!("{} exists and is not a folder", dest.display()),
        )
        .with_hint("choose another `--dest`"));
    }
    if read_only(dest) {
        return Err(Diagnostic::error(
            "output-read-only",
            format!(
                "the output folder {} is read-only, and a build replaces it whole",
                dest.display()
            ),
        )
        .with_hint("make it writable (`chmod u+w`), or choose another `--dest`"));
    }
    let spare = spare_path(dest);
    // Only a real folder: a link could lead the build to write somewhere else.
    let real = fs::symlink_metadata(&spare).is_ok_and(|m| m.is_dir());
    let (manifest, spare) =
        rayon::join(|| read_checked(dest), || real.then(|| read_checked(&spare)));
    let (manifest, foreign) = manifest;
    if foreign.is_empty() {
        return Ok(Previous {
            files: manifest.unwrap_or_default(),
            spare: spare.and_then(|(m, foreign)| m.filter(|_| foreign.is_empty())),
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

/// The folder a build writes to: `dest`, or the folder it leads to when `dest` is a symbolic
/// link. The build then works beside that folder and the link stays as it is.
pub fn resolve_destination(dest: &Path) -> Result<PathBuf, Diagnostic> {
    if !fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_symlink()) {
        return Ok(dest.to_path_buf());
    }
    fs::canonicalize(dest).map_err(|_| {
        let to = fs::read_link(dest).unwrap_or_default();
        Diagnostic::error(
            "output-link",
            format!(
                "the output folder {} is a symbolic link to {}, which does not exist",
                dest.display(),
                to.display()
            ),
        )
        .with_hint("create the folder it leads to, or remove the link")
    })
}

/// Whether the owner may not write in the folder `dir` (one that exists).
#[cfg(unix)]
fn read_only(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o200 == 0)
}

#[cfg(not(unix))]
fn read_only(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| m.permissions().readonly())
}

/// The folder beside `dest` that keeps the output a build replaced, for the next build to
/// work in: `.public.stepbook-spare` for `public`.
pub fn spare_path(dest: &Path) -> PathBuf {
    let (parent, name) = split(dest);
    parent.join(format!(".{name}.stepbook-spare"))
}

/// The parent folder of `dest` and its name.
fn split(dest: &Path) -> (PathBuf, String) {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into());
    (parent, name)
}

/// A folder's manifest, when it has one, and its files that the manifest does not list
/// (sorted). A folder that does not exist has neither.
fn read_checked(dir: &Path) -> (Option<Manifest>, Vec<String>) {
    if !dir.is_dir() {
        return (None, Vec::new());
    }
    let manifest = read_manifest(dir);
    let empty = Manifest::default();
    let mut foreign = unlisted(dir, manifest.as_ref().unwrap_or(&empty));
    foreign.sort_unstable();
    (manifest, foreign)
}

/// Files under `dir` that `manifest` does not list, as paths from `dir`. The first two
/// levels of folders are read in parallel (a site keeps most of its files a level or two
/// down), the rest on the thread that reached them. Folders themselves are never foreign.
fn unlisted(dir: &Path, manifest: &Manifest) -> Vec<String> {
    fn walk(
        dir: &Path,
        rel: &mut String,
        depth: usize,
        manifest: &Manifest,
        found: &mut Vec<String>,
    ) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        if depth < 2 {
            let entries: Vec<fs::DirEntry> = entries.flatten().collect();
            let prefix = rel.clone();
            found.par_extend(entries.par_iter().flat_map_iter(|e| {
                let mut rel = prefix.clone();
                let mut found = Vec::new();
                visit(e, &mut rel, depth, manifest, &mut found);
                found
            }));
        } else {
            for e in entries.flatten() {
                visit(&e, rel, depth, manifest, found);
            }
        }
    }
    fn visit(
        e: &fs::DirEntry,
        rel: &mut String,
        depth: usize,
        manifest: &Manifest,
        found: &mut Vec<String>,
    ) {
        let len = rel.len();
        if len > 0 {
            rel.push('/');
        }
        rel.push_str(&e.file_name().to_string_lossy());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&e.path(), rel, depth + 1, manifest, found);
        } else {
            let ours = manifest.contains_key(rel.as_str()) || (depth == 0 && rel == MANIFEST);
            if !ours {
                found.push(rel.clone());
            }
        }
        rel.truncate(len);
    }
    let mut found = Vec::new();
    walk(dir, &mut String::new(), 0, manifest, &mut found);
    found
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

/// The size and [`content_hash`] of a file, read as a stream.
fn file_hash(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0; 256 * 1024];
    let mut size = 0;
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok((size, hasher.digest())),
            Ok(n) => {
                hasher.update(&buf[..n]);
                size += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// What a file of the site is written from: bytes in memory, or a file copied as a stream.
#[derive(Clone, Copy)]
enum Body<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

fn read_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot read {}: {e}", path.display())).in_file(path)
}

/// A build's output on its way: files go into a temporary sibling of the destination as they
/// are rendered, from any thread, and [`Staging::commit`] swaps the finished folder in. The
/// temporary folder is the spare when there is one, so a file whose bytes it already holds
/// stays as it is; otherwise a file the previous build wrote with the same bytes is
/// hard-linked from it rather than written again. Dropped without a commit, the temporary
/// folder is removed and the destination is left as it was.
pub struct Staging {
    tmp: PathBuf,
    dest: PathBuf,
    previous: Manifest,
    /// What the temporary folder holds at the start: the spare's manifest, or nothing.
    spare: Manifest,
    /// What was written, one list per thread of the pool (and one for other threads), so
    /// that threads never wait on each other to record a file.
    written: Vec<Mutex<Vec<(String, Recorded)>>>,
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
    /// Prepares the temporary folder beside `dest` (whose parent is created): the spare,
    /// taken over, or an empty folder. `previous` is what [`check_destination`] found.
    pub fn begin(dest: &Path, previous: Previous) -> Result<Staging, Diagnostic> {
        let (parent, name) = split(dest);
        fs::create_dir_all(&parent).map_err(|e| io_error(&parent, e))?;
        remove_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.stepbook-tmp-{}", std::process::id()));
        if fs::symlink_metadata(&tmp).is_ok() {
            if !ours(&tmp) {
                return Err(Diagnostic::error(
                    "output-foreign",
                    format!(
                        "{} is in the way of the build, and stepbook did not make it",
                        tmp.display()
                    ),
                )
                .with_hint("move it away; stepbook never deletes what it did not write"));
            }
            remove_tree(&tmp).map_err(|e| io_error(&tmp, e))?;
        }
        // Under the temporary name, a spare that a stopped build half changed is removed by
        // the next build instead of being trusted.
        let spare = match previous.spare {
            Some(m) if fs::rename(spare_path(dest), &tmp).is_ok() => m,
            _ => {
                fs::create_dir(&tmp).map_err(|e| io_error(&tmp, e))?;
                // An empty manifest marks the folder as stepbook's until the real one
                // replaces it, so that the next build may remove it if this one is stopped.
                let mark = tmp.join(MANIFEST);
                fs::write(&mark, "").map_err(|e| io_error(&mark, e))?;
                Manifest::default()
            }
        };
        Ok(Staging {
            previous: previous.files,
            spare,
            tmp,
            dest: dest.to_path_buf(),
            written: (0..=rayon::current_num_threads())
                .map(|_| Mutex::new(Vec::new()))
                .collect(),
            reused: AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Writes one file of the site (any thread).
    pub fn put(&self, file: &OutFile) -> Result<(), Diagnostic> {
        let rel = file.path();
        let to = self.tmp.join(rel);
        let (body, size, hash) = match file {
            OutFile::Bytes(_, b) => (Body::Bytes(b), b.len() as u64, content_hash(b)),
            OutFile::Copy(_, from) => {
                let (size, hash) = file_hash(from).map_err(|e| read_error(from, e))?;
                (Body::File(from), size, hash)
            }
        };
        // What the spare holds at this path; nothing is there when the spare does not list it.
        let here = self
            .spare
            .contains_key(rel)
            .then(|| fs::symlink_metadata(&to).ok())
            .flatten();
        let modified = match self.keep(rel, &to, here.as_ref(), size, hash) {
            Some(m) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                m
            }
            None => self.write(&to, here.as_ref(), body)?,
        };
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1);
        self.written[slot.min(self.written.len() - 1)]
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

    /// When a file with these bytes is already at `to` (the spare's own copy, untouched
    /// since it was written) or can be hard-linked there from the previous build: its
    /// modification time.
    fn keep(
        &self,
        rel: &str,
        to: &Path,
        here: Option<&fs::Metadata>,
        size: u64,
        hash: u64,
    ) -> Option<u128> {
        let same = |was: &Recorded| was.size == size && was.hash == hash;
        let untouched = |meta: &fs::Metadata, was: &Recorded| {
            meta.is_file() && meta.len() == was.size && modified_ns(meta) == was.modified
        };
        if let (Some(meta), Some(was)) = (here, self.spare.get(rel).copied().flatten())
            && same(&was)
            && untouched(meta, &was)
        {
            return Some(was.modified);
        }
        let was = self.previous.get(rel).copied().flatten().filter(same)?;
        let old = self.dest.join(rel);
        if !untouched(&fs::symlink_metadata(&old).ok()?, &was) {
            return None;
        }
        if here.is_some_and(|m| !m.is_dir()) {
            fs::remove_file(to).ok()?;
        }
        self.in_folder(to, || fs::hard_link(&old, to)).ok()?;
        Some(was.modified)
    }

    /// Writes `bytes` to `to`, in place when the spare's file there is its own; returns the
    /// file's modification time.
    fn write(
        &self,
        to: &Path,
        here: Option<&fs::Metadata>,
        body: Body<'_>,
    ) -> Result<u128, Diagnostic> {
        match here {
            Some(m) if m.is_dir() => remove_tree(to).map_err(|e| io_error(to, e))?,
            // A hard link shares its bytes with the live site: never write through it.
            Some(m) if !m.is_file() || shared(m) => {
                fs::remove_file(to).map_err(|e| io_error(to, e))?
            }
            _ => {}
        }
        let mut file = match self.in_folder(to, || fs::File::create(to)) {
            // A folder of the spare where this file goes now.
            Err(_) if to.is_dir() => {
                remove_tree(to).map_err(|e| io_error(to, e))?;
                fs::File::create(to).map_err(|e| io_error(to, e))
            }
            r => r,
        }?;
        match body {
            Body::Bytes(bytes) => file.write_all(bytes).map_err(|e| io_error(to, e))?,
            // A stream: an asset of any size needs no more memory than a buffer (and on Linux
            // `copy_file_range` lets the file system share the blocks where it can).
            Body::File(from) => {
                let mut source = fs::File::open(from).map_err(|e| read_error(from, e))?;
                std::io::copy(&mut source, &mut file).map_err(|e| io_error(to, e))?;
            }
        }
        Ok(file.metadata().map(|m| modified_ns(&m)).unwrap_or(0))
    }

    /// Runs `make` (which creates `to`), and once more after making the folder to hold `to`
    /// when that was missing: most folders are there already (in the spare) or made by an
    /// earlier file, so trying first saves a `mkdir` per file.
    fn in_folder<T>(
        &self,
        to: &Path,
        make: impl Fn() -> std::io::Result<T>,
    ) -> Result<T, Diagnostic> {
        match make() {
            Err(e) if no_folder(&e) => {
                if let Some(dir) = to.parent() {
                    self.make_dir(dir)?;
                }
                make()
            }
            r => r,
        }
        .map_err(|e| io_error(to, e))
    }

    /// Creates `dir` and its parents in the temporary folder; a file of the spare standing
    /// where a folder must go is removed first.
    fn make_dir(&self, dir: &Path) -> Result<(), Diagnostic> {
        if fs::create_dir_all(dir).is_ok() {
            return Ok(());
        }
        let mut at = dir;
        while at != self.tmp {
            if fs::symlink_metadata(at).is_ok_and(|m| !m.is_dir()) {
                fs::remove_file(at).map_err(|e| io_error(at, e))?;
                break;
            }
            match at.parent() {
                Some(p) => at = p,
                None => break,
            }
        }
        fs::create_dir_all(dir).map_err(|e| io_error(dir, e))
    }

    /// Removes the files of the spare that this build did not write, then the folders they
    /// leave empty.
    fn remove_leftovers(&self, written: &[(String, Recorded)]) {
        if self.spare.is_empty() {
            return;
        }
        let kept: HashSet<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
        let mut dirs = std::collections::BTreeSet::new();
        for rel in self.spare.keys().filter(|r| !kept.contains(r.as_str())) {
            let path = self.tmp.join(rel);
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                let _ = fs::remove_file(&path);
            }
            let mut dir = rel.as_str();
            while let Some((up, _)) = dir.rsplit_once('/') {
                dirs.insert(up);
                dir = up;
            }
        }
        // A folder sorts after its parent: deepest first. A folder still holding files stays.
        for dir in dirs.iter().rev() {
            let _ = fs::remove_dir(self.tmp.join(dir));
        }
    }

    /// Writes the manifest and swaps the finished folder into place; the previous output
    /// becomes the spare.
    pub fn commit(mut self) -> Result<WriteStats, Diagnostic> {
        let mut written: Vec<(String, Recorded)> = self
            .written
            .iter_mut()
            .flat_map(|w| std::mem::take(w.get_mut().expect("no panic while holding the lock")))
            .collect();
        written.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.remove_leftovers(&written);
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
        swap(&self.tmp, &self.dest)?;
        self.committed = true;
        Ok(WriteStats {
            files: written.len(),
            unchanged: self.reused.load(Ordering::Relaxed),
        })
    }
}

/// Whether an error says that the folder to hold a file is not there (or is a file).
fn no_folder(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// Whether a file has other names (hard links), which writing in place would change too.
#[cfg(unix)]
fn shared(meta: &fs::Metadata) -> bool {
    std::os::unix::fs::MetadataExt::nlink(meta) > 1
}

#[cfg(not(unix))]
fn shared(_: &fs::Metadata) -> bool {
    true
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.tmp);
        }
    }
}

/// Puts the finished folder `tmp` at `dest` and keeps the previous output as the spare. On
/// Linux the two trade places in one atomic step, so `dest` never goes missing; elsewhere
/// the old folder is renamed aside first.
fn swap(tmp: &Path, dest: &Path) -> Result<(), Diagnostic> {
    if !dest.exists() {
        return fs::rename(tmp, dest).map_err(|e| io_error(dest, e));
    }
    if exchange(tmp, dest).is_ok() {
        // `tmp` now holds the previous output.
        return keep_as_spare(tmp, dest);
    }
    let (parent, name) = split(dest);
    let old = parent.join(format!(".{name}.stepbook-old-{}", std::process::id()));
    fs::rename(dest, &old).map_err(|e| io_error(dest, e))?;
    if let Err(e) = fs::rename(tmp, dest) {
        let _ = fs::rename(&old, dest);
        return Err(io_error(dest, e));
    }
    keep_as_spare(&old, dest)
}

/// Moves the output a build replaced to the spare's place, or removes it when the place is
/// taken (by a spare holding files stepbook did not write, which is left alone).
fn keep_as_spare(old: &Path, dest: &Path) -> Result<(), Diagnostic> {
    let spare = spare_path(dest);
    if spare.symlink_metadata().is_err() && fs::rename(old, &spare).is_ok() {
        return Ok(());
    }
    remove_tree(old).map_err(|e| io_error(old, e))
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
        // Never a link: removing what it leads to would delete files elsewhere.
        if !entry.file_type().is_ok_and(|t| t.is_dir())
            || !(file.starts_with(&tmp) || file.starts_with(&old))
        {
            continue;
        }
        let path = entry.path();
        if !ours(&path) {
            // Someone's own folder under a name like ours; or an empty output folder a
            // stopped build moved aside.
            let _ = fs::remove_dir(&path);
        } else if file.starts_with(&old) && !dest.exists() {
            // A build was stopped between moving the old site aside and moving the new one
            // in: put the old site back.
            let _ = fs::rename(&path, &dest);
        } else {
            let _ = remove_tree(&path);
        }
    }
}

/// Whether a folder is one a build made: it carries a manifest (maybe still empty).
fn ours(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file())
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display())).in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Writes `files` into a temporary sibling of `dest`, then swaps it in.
    fn write_site(files: &[OutFile], dest: &Path) -> Result<WriteStats, Diagnostic> {
        let staging = Staging::begin(dest, check(dest))?;
        files.par_iter().try_for_each(|f| staging.put(f))?;
        staging.commit()
    }

    /// [`check_destination`] for an output folder whose site and content are elsewhere.
    fn check(dest: &Path) -> Previous {
        let beside = dest.parent().unwrap();
        check_destination(dest, &beside.join("content"), &beside.join("site")).unwrap()
    }

    fn files() -> Vec<OutFile> {
        site(&[("index.html", "hi"), ("a/b.html", "b")])
    }

    #[test]
    fn writes_then_replaces() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a/b.html")).unwrap(), "b");
        check(&dest);
        write_site(
            &[OutFile::Bytes("index.html".into(), b"new".to_vec())],
            &dest,
        )
        .unwrap();
        assert!(!dest.join("a/b.html").exists());
        assert_eq!(names(d.path()), [".public.stepbook-spare", "public"]);
        // The replaced output is the spare, whole.
        assert_eq!(tree(&spare_path(&dest)), tree_of(&files()));
    }

    /// Every file under `dir` but the manifest, with its text; and every empty folder.
    fn tree(dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for e in walkdir::WalkDir::new(dir).min_depth(1) {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if e.file_type().is_dir() {
                if fs::read_dir(e.path()).unwrap().next().is_none() {
                    out.insert(rel, "<empty folder>".into());
                }
            } else if rel != MANIFEST {
                out.insert(rel, fs::read_to_string(e.path()).unwrap());
            }
        }
        out
    }

    fn tree_of(files: &[OutFile]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|f| match f {
                OutFile::Bytes(p, b) => (p.clone(), String::from_utf8(b.clone()).unwrap()),
                OutFile::Copy(..) => unreachable!(),
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn site(files: &[(&str, &str)]) -> Vec<OutFile> {
        files
            .iter()
            .map(|(p, t)| OutFile::Bytes(p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn builds_in_the_spare_come_out_exact() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        // Files change, go, come back, and turn into folders and back.
        let generations = [
            site(&[
                ("index.html", "1"),
                ("a/b.html", "b"),
                ("a/c/d.html", "d"),
                ("x", "file"),
            ]),
            site(&[("index.html", "2"), ("a/b.html", "b"), ("x/y.html", "y")]),
            site(&[
                ("index.html", "2"),
                ("a/b.html", "b2"),
                ("a/c/d.html", "d"),
                ("x", "file"),
            ]),
            site(&[("index.html", "3"), ("a", "now a file"), ("x/y.html", "y")]),
            site(&[
                ("index.html", "3"),
                ("a/b.html", "b"),
                ("z/deep/er.html", "z"),
            ]),
            site(&[
                ("index.html", "3"),
                ("a/b.html", "b"),
                ("z/deep/er.html", "z"),
            ]),
        ];
        let mut unchanged = Vec::new();
        for (i, files) in generations.iter().enumerate() {
            let stats = write_site(files, &dest).unwrap();
            assert_eq!(tree(&dest), tree_of(files), "generation {i}");
            if i > 0 {
                assert_eq!(
                    tree(&spare_path(&dest)),
                    tree_of(&generations[i - 1]),
                    "spare after {i}"
                );
            }
            unchanged.push(stats.unchanged);
            check(&dest);
        }
        assert_eq!(unchanged, [0, 1, 3, 1, 1, 3]);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_linked_with_the_live_site_is_never_written_through() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        let one = site(&[("index.html", "1")]);
        write_site(&one, &dest).unwrap();
        // Hard-linked from the first output: the live file and the spare's share their bytes.
        write_site(&one, &dest).unwrap();
        let previous = check(&dest);
        assert!(previous.spare.is_some());
        let staging = Staging::begin(&dest, previous).unwrap();
        staging.put(&site(&[("index.html", "2")])[0]).unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "1");
        staging.commit().unwrap();
        assert_eq!(fs::read_to_string(dest.join("index.html")).unwrap(), "2");
        assert_eq!(
            fs::read_to_string(spare_path(&dest).join("index.html")).unwrap(),
            "1"
        );
    }

    #[test]
    fn a_spare_holding_other_files_is_left_alone() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        write_site(&files(), &dest).unwrap();
        let spare = spare_path(&dest);
        fs::write(spare.join("notes.txt"), "mine").unwrap();
        let previous = check(&dest);
        assert!(previous.spare.is_none());
        let next = site(&[("index.html", "3")]);
        write_site(&next, &dest).unwrap();
        assert_eq!(tree(&dest), tree_of(&next));
        assert_eq!(fs::read_to_string(spare.join("notes.txt")).unwrap(), "mine");
        assert_eq!(names(d.path()), [".public.stepbook-spare", "public"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_spares_place_is_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        let other = d.path().join("other");
        // Another stepbook output, which a link in the spare's place leads to.
        write_site(&files(), &other).unwrap();
        write_site(&files(), &dest).unwrap();
        std::os::unix::fs::symlink(&other, spare_path(&dest)).unwrap();
        let previous = check(&dest);
        assert!(previous.spare.is_none());
        let staging = Staging::begin(&dest, previous).unwrap();
        staging.put(&site(&[("index.html", "new")])[0]).unwrap();
        staging.commit().unwrap();
        assert_eq!(tree(&dest), tree_of(&site(&[("index.html", "new")])));
        assert_eq!(tree(&other), tree_of(&files()));
        assert!(
            spare_path(&dest)
                .symlink_metadata()
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_build_dropped_while_working_in_the_spare_leaves_the_site() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&files(), &dest).unwrap();
        write_site(&files(), &dest).unwrap();
        let previous = check(&dest);
        let staging = Staging::begin(&dest, previous).unwrap();
        staging.put(&site(&[("index.html", "changed")])[0]).unwrap();
        drop(staging);
        assert_eq!(tree(&dest), tree_of(&files()));
        assert_eq!(names(d.path()), ["public"]);
        write_site(&files(), &dest).unwrap();
        assert_eq!(tree(&dest), tree_of(&files()));
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
