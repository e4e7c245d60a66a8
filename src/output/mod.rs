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
//!
//! `destination` checks the folder before a build and reads the previous manifests; this
//! module writes the files ([`Staging`]), as streams for copied files; `swap` puts the
//! finished folder in place and removes what stopped builds left.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::FxHashSet as HashSet;

use crate::diagnostics::Diagnostic;
use crate::render::OutFile;

mod destination;
mod journal;
mod meta;
mod swap;

pub use destination::{MANIFEST, Previous, check_destination, resolve_destination, spare_path};
use destination::{Manifest, Recorded, Vouched, split};
use meta::{Folder, Meta};
use swap::{ours, remove_ours, remove_stale, remove_tree, swap};

fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The size and [`content_hash`] of a file, read as a stream (through `io::copy`'s buffer
/// on the stack: a zeroed buffer per file cost more than hashing a small image).
fn file_hash(path: &Path) -> std::io::Result<(u64, u64)> {
    struct Hashing(xxhash_rust::xxh3::Xxh3);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(xxhash_rust::xxh3::Xxh3::new());
    let size = std::io::copy(&mut fs::File::open(path)?, &mut hashing)?;
    Ok((size, hashing.0.digest()))
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

/// What the manifests say of one file, and what the spare holds in its place.
struct Found {
    /// The spare's file (or folder), when the spare's manifest lists the path.
    here: Option<Meta>,
    spare: Option<Recorded>,
    previous: Option<Recorded>,
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
    /// The temporary folder, open, to look at its files ([`Folder::meta`]).
    tmp_at: Folder,
    previous: Manifest,
    /// What the temporary folder holds at the start: the spare's manifest, or nothing.
    spare: Manifest,
    /// The spare's folders its journal vouched for; nothing without the spare.
    vouched: Vouched,
    /// The files (or folders) made, replaced or removed in the temporary folder (while there
    /// are vouched folders): the folders that hold them changed.
    changed: Mutex<Vec<String>>,
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
    /// The hash of the manifest written: [`Previous::digest`] of the next build.
    pub digest: u64,
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
            remove_ours(&tmp).map_err(|e| io_error(&tmp, e))?;
        }
        // Under the temporary name, a spare that a stopped build half changed is removed by
        // the next build instead of being trusted.
        let (spare, vouched) = match previous.spare {
            Some(m) if fs::rename(spare_path(dest), &tmp).is_ok() => (m, previous.vouched),
            _ => {
                fs::create_dir(&tmp).map_err(|e| io_error(&tmp, e))?;
                // An empty manifest marks the folder as stepbook's until the real one
                // replaces it, so that the next build may remove it if this one is stopped.
                let mark = tmp.join(MANIFEST);
                fs::write(&mark, "").map_err(|e| io_error(&mark, e))?;
                (Manifest::default(), Vouched::default())
            }
        };
        Ok(Staging {
            previous: previous.files,
            spare,
            vouched,
            changed: Mutex::new(Vec::new()),
            tmp_at: Folder::open(&tmp),
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
        let (body, size, hash) = match file {
            OutFile::Bytes(_, b) => (Body::Bytes(b), b.len() as u64, content_hash(b)),
            OutFile::Copy(_, from) => {
                let (size, hash) = file_hash(from).map_err(|e| read_error(from, e))?;
                (Body::File(from), size, hash)
            }
        };
        let found = self.found(rel);
        let modified = match self.keep(rel, &found, size, hash) {
            Some(m) => {
                self.reused.fetch_add(1, Ordering::Relaxed);
                m
            }
            None => self.write(rel, found.here.as_ref(), body)?,
        };
        self.record(
            rel,
            Recorded {
                size,
                hash,
                modified,
            },
        );
        Ok(())
    }

    /// Keeps the file the previous build wrote at `rel` as it is, without its bytes being
    /// handed over again (any thread): for a file the caller knows to be unchanged. False when
    /// the previous build did not write it or it was touched since; the caller then puts it.
    pub fn reuse(&self, rel: &str) -> bool {
        let found = self.found(rel);
        let Some(was) = found.previous else {
            return false;
        };
        if self.keep(rel, &found, was.size, was.hash).is_none() {
            return false;
        }
        self.reused.fetch_add(1, Ordering::Relaxed);
        self.record(rel, was);
        true
    }

    /// The path of `rel` in the temporary folder.
    fn at(&self, rel: &str) -> PathBuf {
        joined(&self.tmp, rel)
    }

    /// What the manifests say of `rel`, each looked up once, and what the spare holds there
    /// (nothing when the spare does not list it).
    fn found(&self, rel: &str) -> Found {
        let spare = self.spare.get(rel);
        Found {
            here: spare.and_then(|_| self.tmp_at.meta(rel)),
            spare: spare.flatten(),
            previous: self.previous.get(rel).flatten(),
        }
    }

    /// Notes that the entry `rel` of the temporary folder is made, replaced or removed, so
    /// that the folders holding it are not taken as vouched for.
    fn note_changed(&self, rel: &str) {
        if !self.vouched.is_empty() {
            self.changed
                .lock()
                .expect("no panic while holding the lock")
                .push(rel.to_string());
        }
    }

    /// Notes that `rel` is part of the new output.
    fn record(&self, rel: &str, recorded: Recorded) {
        let slot = rayon::current_thread_index().map_or(0, |i| i + 1);
        self.written[slot.min(self.written.len() - 1)]
            .lock()
            .expect("no panic while holding the lock")
            .push((rel.to_string(), recorded));
    }

    /// When a file with these bytes is already at `rel` in the temporary folder (the spare's
    /// own copy, untouched since it was written) or can be hard-linked there from the
    /// previous build: its modification time.
    fn keep(&self, rel: &str, found: &Found, size: u64, hash: u64) -> Option<u128> {
        let same = |was: &Recorded| was.size == size && was.hash == hash;
        let untouched = |meta: &Meta, was: &Recorded| {
            meta.is_file() && meta.len == was.size && meta.modified_ns() == was.modified
        };
        if let (Some(meta), Some(was)) = (&found.here, found.spare)
            && same(&was)
            && untouched(meta, &was)
        {
            return Some(was.modified);
        }
        let was = found.previous.filter(same)?;
        // Looked at by the path it is linked from.
        let old = self.dest.join(rel);
        if !untouched(&Meta::of(&old)?, &was) {
            return None;
        }
        let to = self.at(rel);
        self.note_changed(rel);
        if found.here.as_ref().is_some_and(|m| !m.is_dir()) {
            fs::remove_file(&to).ok()?;
        }
        self.in_folder(&to, || fs::hard_link(&old, &to)).ok()?;
        Some(was.modified)
    }

    /// Writes `bytes` at `rel`, in place when the spare's file there is its own; returns the
    /// file's modification time.
    fn write(&self, rel: &str, here: Option<&Meta>, body: Body<'_>) -> Result<u128, Diagnostic> {
        let to = &self.at(rel);
        match here {
            // Written in place: the folder keeps its entries.
            Some(m) if m.is_file() && !shared(m) => {}
            Some(m) => {
                self.note_changed(rel);
                if m.is_dir() {
                    remove_tree(to).map_err(|e| io_error(to, e))?
                } else {
                    // A hard link shares its bytes with the live site: never write through it.
                    fs::remove_file(to).map_err(|e| io_error(to, e))?
                }
            }
            None => self.note_changed(rel),
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
        Ok(file.metadata().map_or(0, |m| Meta::from(&m).modified_ns()))
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
        let gone: Vec<&str> = match self.spare.sorted_paths() {
            // Both sorted (as a build writes a manifest): the paths of the spare that were not
            // written are found in one pass over the two lists, with no set of either made.
            Some(spare) => {
                let mut written = written.iter().map(|(p, _)| p.as_str()).peekable();
                spare
                    .into_iter()
                    .filter(|rel| {
                        while written.next_if(|p| p < rel).is_some() {}
                        written.peek() != Some(rel)
                    })
                    .collect()
            }
            None => {
                let kept: HashSet<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
                self.spare.paths().filter(|r| !kept.contains(r)).collect()
            }
        };
        let mut dirs = std::collections::BTreeSet::new();
        for rel in gone {
            self.note_changed(rel);
            let path = self.tmp.join(rel);
            if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
                let _ = fs::remove_file(&path);
            }
            let mut dir = rel;
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
        {
            use rayon::slice::ParallelSliceMut;
            written.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
        self.remove_leftovers(&written);
        let mut manifest = String::from(
            "# Files written by stepbook (path, size, hash, modified). A build replaces this folder only while it holds nothing else.\n",
        );
        manifest.reserve(written.len() * 80);
        for (path, r) in &written {
            manifest_line(&mut manifest, path, r);
        }
        // The folders holding what the build made, replaced or removed changed; each other
        // folder the spare's journal vouched for is as it was then.
        let changed: HashSet<&str> = {
            let changed = self
                .changed
                .get_mut()
                .expect("no panic while holding the lock");
            let mut folders = HashSet::default();
            for rel in changed.iter() {
                let mut at = rel.as_str();
                while let Some((up, _)) = at.rsplit_once('/')
                    && folders.insert(up)
                {
                    at = up;
                }
            }
            folders
        };
        let vouched = &self.vouched;
        let known = |rel: &str| vouched.get(rel).filter(|_| !changed.contains(rel)).copied();
        journal::record(&self.tmp, &written, known, &mut manifest);
        let at = self.tmp.join(MANIFEST);
        let digest = content_hash(manifest.as_bytes());
        fs::write(&at, manifest).map_err(|e| io_error(&at, e))?;
        swap(&self.tmp, &self.dest)?;
        self.committed = true;
        Ok(WriteStats {
            files: written.len(),
            unchanged: self.reused.load(Ordering::Relaxed),
            digest,
        })
    }
}

/// Appends the manifest's line of the file `path`: `path<TAB>size<TAB>hash<TAB>modified`,
/// the hash in 16 hexadecimal digits, as `writeln!` would write it but without its
/// formatting machinery (a large site's manifest has a line per file).
fn manifest_line(out: &mut String, path: &str, r: &Recorded) {
    out.push_str(path);
    out.push('\t');
    push_decimal(out, r.size.into());
    out.push('\t');
    crate::anchors::record::hex(r.hash, 16, out);
    out.push('\t');
    push_decimal(out, r.modified);
    out.push('\n');
}

/// `v` in decimal digits, as `{v}` writes it.
fn push_decimal(out: &mut String, v: u128) {
    out.push_str(itoa::Buffer::new().format(v));
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
fn shared(meta: &Meta) -> bool {
    meta.links > 1
}

#[cfg(not(unix))]
fn shared(_: &Meta) -> bool {
    true
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_ours(&self.tmp);
        }
    }
}

pub(super) fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display())).in_file(path)
}

/// The path of `rel` (a `/`-joined path) under `root`, made in one allocation: `Path::join`
/// makes two, and this runs for every file of the site.
fn joined(root: &Path, rel: &str) -> PathBuf {
    let root = root.as_os_str();
    let mut path = std::ffi::OsString::with_capacity(root.len() + 1 + rel.len());
    path.push(root);
    path.push("/");
    path.push(rel);
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;
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
        // The second time, each spare's manifest lists its files out of order, as one edited
        // by hand might (which also voids its journal): what is left over is then found by
        // looking each path up.
        for reordered in [false, true] {
            let _ = fs::remove_dir_all(&dest);
            let _ = fs::remove_dir_all(spare_path(&dest));
            let mut unchanged = Vec::new();
            for (i, files) in generations.iter().enumerate() {
                let manifest = spare_path(&dest).join(MANIFEST);
                if reordered && let Ok(text) = fs::read_to_string(&manifest) {
                    let lines: Vec<&str> = text.lines().rev().collect();
                    fs::write(&manifest, lines.join("\n") + "\n").unwrap();
                }
                let stats = write_site(files, &dest).unwrap();
                assert_eq!(tree(&dest), tree_of(files), "generation {i}, {reordered}");
                if i > 0 {
                    assert_eq!(
                        tree(&spare_path(&dest)),
                        tree_of(&generations[i - 1]),
                        "spare after {i}, {reordered}"
                    );
                }
                unchanged.push(stats.unchanged);
                check(&dest);
            }
            assert_eq!(unchanged, [0, 1, 3, 1, 1, 3], "{reordered}");
        }
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
    fn a_file_changed_by_hand_in_the_spare_is_written_again() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        write_site(&site(&[("a/b.html", "1")]), &dest).unwrap();
        write_site(&site(&[("a/b.html", "2")]), &dest).unwrap();
        // The spare's own copy (not linked with the live site), changed to the same size.
        let spare = spare_path(&dest).join("a/b.html");
        fs::write(&spare, "x").unwrap();
        let stats = write_site(&site(&[("a/b.html", "1")]), &dest).unwrap();
        assert_eq!(stats.unchanged, 0);
        assert_eq!(fs::read_to_string(dest.join("a/b.html")).unwrap(), "1");
    }

    #[test]
    fn a_file_changed_by_hand_in_the_output_is_not_reused() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        let one = site(&[("a/b.html", "1"), ("c.html", "c")]);
        write_site(&one, &dest).unwrap();
        write_site(&one, &dest).unwrap();
        // Linked with the spare's copy: both change.
        fs::write(dest.join("a/b.html"), "x").unwrap();
        let staging = Staging::begin(&dest, check(&dest)).unwrap();
        assert!(!staging.reuse("a/b.html"));
        assert!(staging.reuse("c.html"));
        assert!(!staging.reuse("d.html"));
        staging.put(&one[0]).unwrap();
        staging.commit().unwrap();
        assert_eq!(tree(&dest), tree_of(&one));
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
    fn names_that_look_like_manifest_comments_are_listed() {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        let odd = site(&[("#a.html", "a"), ("# notes.txt", "n"), ("g/#b", "b")]);
        for _ in 0..3 {
            write_site(&odd, &dest).unwrap();
            assert_eq!(tree(&dest), tree_of(&odd));
        }
    }

    #[test]
    fn a_streamed_hash_is_the_hash_of_the_bytes() {
        let d = tempfile::tempdir().unwrap();
        for len in [0, 1, 240, 256 * 1024, 256 * 1024 + 7, 600_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let path = d.path().join(format!("f{len}"));
            fs::write(&path, &bytes).unwrap();
            assert_eq!(
                file_hash(&path).unwrap(),
                (len as u64, content_hash(&bytes)),
                "{len}"
            );
        }
    }

    #[test]
    fn manifest_lines_are_read_back_as_written() {
        for (size, hash, modified) in [
            (0, 0, 0),
            (7, 0xfb, 1_796_508_238_589_570_777),
            (10, 1, 100),
            (99, 1, 1_000_000_000_000_000_000),
            (9, 1, u128::from(u64::MAX) + 1),
            (u64::MAX, u64::MAX, u128::MAX),
        ] {
            let r = Recorded {
                size,
                hash,
                modified,
            };
            let mut line = String::new();
            manifest_line(&mut line, "a/b.html", &r);
            assert_eq!(line, format!("a/b.html\t{size}\t{hash:016x}\t{modified}\n"));
            assert_eq!(
                destination::parse_manifest_line(line.trim_end()),
                ("a/b.html".to_string(), Some(r))
            );
        }
    }

    #[test]
    fn numbers_out_of_range_or_with_signs_are_no_record() {
        for line in [
            "a.html\t+7\tff\t1",
            "a.html\t7\t-ff\t1",
            "a.html\t7\tff\t 1",
            "a.html\t7\t0000000000000000f\t1",
            "a.html\t18446744073709551616\tff\t1",
            "a.html\t7\tff\t340282366920938463463374607431768211456",
            "a.html\t\tff\t1",
            "a.html\t7\tfg\t1",
        ] {
            assert_eq!(
                destination::parse_manifest_line(line),
                ("a.html".to_string(), None),
                "{line}"
            );
        }
        assert_eq!(
            destination::parse_manifest_line("a\tb.html\t18446744073709551615\tFF\t12"),
            (
                "a\tb.html".to_string(),
                Some(Recorded {
                    size: u64::MAX,
                    hash: 0xff,
                    modified: 12
                })
            )
        );
    }

    #[test]
    fn a_manifest_finds_each_file_by_its_path_and_the_last_line_of_a_path_counts() {
        let text = "# Files written by stepbook\n\
                    a.html\t1\tff\t2\n\
                    #x.html\t3\t0\t4\n\
                    b\tc.html\t5\t1\t6\n\
                    d.html\tnew\n\
                    \n\
                    a.html\t7\tee\t8\n";
        let m = destination::Manifest::parse(text.to_string());
        let r = |size, hash, modified| Recorded {
            size,
            hash,
            modified,
        };
        assert_eq!(m.get("a.html"), Some(Some(r(7, 0xee, 8))));
        assert_eq!(m.get("#x.html"), Some(Some(r(3, 0, 4))));
        assert_eq!(m.get("b\tc.html"), Some(Some(r(5, 1, 6))));
        assert_eq!(m.get("d.html"), Some(None));
        assert_eq!(m.get("b"), None);
        assert!(!m.contains("# Files written by stepbook"));
        let mut paths: Vec<&str> = m.paths().collect();
        paths.sort_unstable();
        assert_eq!(paths, ["#x.html", "a.html", "b\tc.html", "d.html"]);
        assert!(!m.is_empty());
        assert!(destination::Manifest::default().is_empty());
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
