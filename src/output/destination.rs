//! The output folder before a build: whether it may be replaced, and what the previous build
//! wrote there.
//!
//! In: the destination, the content folder and the site's folder. Out: the [`Previous`]
//! manifests (of the output and of the spare), or an error that stops the build before
//! anything is written: a folder holding files stepbook did not write, the content folder, a
//! read-only folder, or a symbolic link to nowhere. A destination that is a link to a folder is
//! resolved to it ([`resolve_destination`]). Nothing here writes.

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::journal::Journal;
use super::meta::{Folder, Meta};
use crate::diagnostics::Diagnostic;
use crate::paths::is_within;

/// The file, at the top of every output folder, that lists what stepbook wrote there.
pub const MANIFEST: &str = ".stepbook-manifest";

/// What the previous build left in the output folder, as its manifest records it.
#[derive(Debug, Default)]
pub struct Previous {
    pub(super) files: Manifest,
    /// The spare's manifest, when the spare holds nothing but what it lists.
    pub(super) spare: Option<Manifest>,
    /// The spare's folders that its journal vouched for, each as it was then: as its build
    /// left it (see [`Vouched`]).
    pub(super) vouched: Vouched,
    /// A hash of the output's manifest as written: it tells one build's output from another's.
    pub digest: Option<u64>,
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
    let (manifest, spare) = rayon::join(
        || read_checked(dest, false),
        || real.then(|| read_checked(&spare, true)),
    );
    let (manifest, foreign, _) = manifest;
    if foreign.is_empty() {
        let (files, digest) = manifest.map_or((Manifest::default(), None), |(m, d)| (m, Some(d)));
        let (spare, vouched) = match spare {
            Some((Some((m, _)), foreign, vouched)) if foreign.is_empty() => (Some(m), vouched),
            _ => (None, Vouched::default()),
        };
        return Ok(Previous {
            files,
            spare,
            vouched,
            digest,
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
pub(super) fn split(dest: &Path) -> (PathBuf, String) {
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

/// The folders of an output that its journal vouched for when it was checked, by their paths
/// from the output, each with what it was then: as the build that wrote them left them, so
/// older than that build's manifest. A later change to one (an entry made, removed or
/// renamed) gives it newer times, so the journal of the next build may take one of them
/// that that build did not change as it is, rather than look at it again
/// ([`super::journal::record`]).
#[derive(Debug, Default)]
pub(super) struct Vouched(rustc_hash::FxHashMap<String, Meta>);

impl Vouched {
    /// The folder at `rel`, as it was when it was vouched for.
    pub(super) fn get(&self, rel: &str) -> Option<&Meta> {
        self.0.get(rel)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A folder's manifest with its hash, when it has one, its files that the manifest does not
/// list (sorted), and, when asked to keep them, the folders its journal vouched for. A folder
/// that does not exist has none of them.
pub(super) fn read_checked(
    dir: &Path,
    keep: bool,
) -> (Option<(Manifest, u64)>, Vec<String>, Vouched) {
    if !dir.is_dir() {
        return (None, Vec::new(), Vouched::default());
    }
    let manifest = read_manifest(dir);
    let empty = Manifest::default();
    let (files, journal) = manifest
        .as_ref()
        .map_or((&empty, None), |(m, _, j)| (m, j.as_ref()));
    let (mut foreign, vouched) = unlisted(dir, files, journal, keep);
    foreign.sort_unstable();
    (manifest.map(|(m, d, _)| (m, d)), foreign, vouched)
}

/// What the walk of an output meets: a file the manifest does not list, or a folder the
/// journal vouched for (kept only when asked).
enum Met {
    Foreign(String),
    Vouched(String, Meta),
}

/// Files under `dir` that `manifest` does not list, as paths from `dir`, and, when `keep`,
/// the folders the `journal` vouched for. A folder that the journal says is as the last build
/// left it is not read, only its subfolders are. The first two levels of folders are read in
/// parallel (a site keeps most of its files a level or two down), the rest on the thread
/// that reached them. Folders themselves are never foreign.
pub(super) fn unlisted(
    dir: &Path,
    manifest: &Manifest,
    journal: Option<&Journal>,
    keep: bool,
) -> (Vec<String>, Vouched) {
    struct Walk<'a> {
        root: &'a Path,
        /// The root, open: the folders the journal names are looked at by their paths in it.
        folder: Folder,
        manifest: &'a Manifest,
        journal: Option<&'a Journal>,
        keep: bool,
    }
    impl Walk<'_> {
        /// Walks the folder `dir` at `rel` (its name as a string, which may have lost bytes
        /// that are not UTF-8: `dir` is read); `meta` is what it is, when already known.
        fn walk(
            &self,
            dir: &Path,
            rel: &mut String,
            meta: Option<Meta>,
            depth: usize,
            found: &mut Vec<Met>,
        ) {
            if let Some((meta, children)) = self.unchanged(dir, rel, meta, depth) {
                if self.keep {
                    found.push(Met::Vouched(rel.clone(), meta));
                }
                let each = |(child, meta): (&str, Meta), found: &mut Vec<Met>| {
                    let path = self.path_of(child);
                    self.walk(&path, &mut child.to_string(), Some(meta), depth + 1, found)
                };
                if depth < 2 {
                    found.par_extend(children.into_par_iter().flat_map_iter(|c| {
                        let mut found = Vec::new();
                        each(c, &mut found);
                        found
                    }));
                } else {
                    for c in children {
                        each(c, found);
                    }
                }
                return;
            }
            let Ok(entries) = fs::read_dir(dir) else {
                return;
            };
            if depth < 2 {
                let entries: Vec<fs::DirEntry> = entries.flatten().collect();
                let prefix = rel.clone();
                found.par_extend(entries.par_iter().flat_map_iter(|e| {
                    let mut rel = prefix.clone();
                    let mut found = Vec::new();
                    self.visit(e, &mut rel, depth, &mut found);
                    found
                }));
            } else {
                for e in entries.flatten() {
                    self.visit(&e, rel, depth, found);
                }
            }
        }

        /// What the folder `dir` at `rel` is, and its subfolders, each with what it is, when
        /// the journal says that the folder holds nothing else than them and the manifest's
        /// files (and they are all still folders).
        #[allow(clippy::type_complexity)]
        fn unchanged<'j>(
            &'j self,
            dir: &Path,
            rel: &str,
            meta: Option<Meta>,
            depth: usize,
        ) -> Option<(Meta, Vec<(&'j str, Meta)>)> {
            let journal = self.journal.filter(|j| depth > 0 && j.lists(rel))?;
            let meta = meta.or_else(|| Meta::of(dir))?;
            let children = journal
                .unchanged(rel, &meta)?
                .iter()
                .map(|child| {
                    let meta = self.folder.meta(child);
                    Some((&**child, meta.filter(Meta::is_dir)?))
                })
                .collect::<Option<_>>()?;
            Some((meta, children))
        }

        /// The path of `rel` under the root.
        fn path_of(&self, rel: &str) -> PathBuf {
            super::joined(self.root, rel)
        }

        fn visit(&self, e: &fs::DirEntry, rel: &mut String, depth: usize, found: &mut Vec<Met>) {
            let len = rel.len();
            if len > 0 {
                rel.push('/');
            }
            rel.push_str(&e.file_name().to_string_lossy());
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                self.walk(&e.path(), rel, None, depth + 1, found);
            } else {
                let ours = self.manifest.contains(rel) || (depth == 0 && rel == MANIFEST);
                if !ours {
                    found.push(Met::Foreign(rel.clone()));
                }
            }
            rel.truncate(len);
        }
    }
    let walk = Walk {
        root: dir,
        folder: Folder::open(dir),
        manifest,
        journal,
        keep,
    };
    let mut found = Vec::new();
    walk.walk(dir, &mut String::new(), None, 0, &mut found);
    let mut foreign = Vec::new();
    let mut vouched = rustc_hash::FxHashMap::default();
    for met in found {
        match met {
            Met::Foreign(rel) => foreign.push(rel),
            Met::Vouched(rel, meta) => {
                vouched.insert(rel, meta);
            }
        }
    }
    (foreign, Vouched(vouched))
}

/// What the manifest of an earlier build says of each file, when it recorded it.
///
/// A large site's manifest lists some 56,000 files at 10,000 articles, and a build reads two
/// of them (the output's and the spare's). Each path is held as a range of the manifest's
/// text, found through a table of its hash, rather than as a string of its own: no
/// allocation per file.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    text: String,
    files: Vec<Listed>,
    /// Indexes into `files`, by the hash of the path: a path listed on several lines points
    /// to its last.
    index: hashbrown::HashTable<usize>,
}

/// A file's line of a manifest: where its path is in the text, and its record.
#[derive(Debug)]
struct Listed {
    path: Range<usize>,
    recorded: Option<Recorded>,
}

impl Manifest {
    /// The manifest of `text`. Every line but an empty one or a comment lists a file; a later
    /// line of the same path replaces an earlier one.
    pub(super) fn parse(text: String) -> Manifest {
        // About 70 bytes a line: sized at once, rather than grown again and again.
        let lines = text.len() / 64;
        let mut files = Vec::with_capacity(lines);
        let mut index = hashbrown::HashTable::with_capacity(lines);
        for l in text.lines().filter(|l| !l.is_empty()) {
            let (path, recorded) = match manifest_fields(l) {
                Some((path, recorded)) => (path, Some(recorded)),
                // A comment (the journal's lines among them) starts with `#`; a line with all
                // its fields is a file, even one whose name starts with `#`.
                None if l.starts_with('#') => continue,
                // A line with fields this build does not know: the path comes first.
                None => (l.split('\t').next().unwrap_or(l), None),
            };
            // `path` is a slice of `text`: its place is the distance between their starts.
            let at = path.as_ptr() as usize - text.as_ptr() as usize;
            let i = files.len();
            files.push(Listed {
                path: at..at + path.len(),
                recorded,
            });
            let same = |&j: &usize| text[files[j].path.clone()] == *path;
            let rehash = |&j: &usize| hash_of(&text[files[j].path.clone()]);
            match index.entry(hash_of(path), same, rehash) {
                hashbrown::hash_table::Entry::Occupied(mut slot) => *slot.get_mut() = i,
                hashbrown::hash_table::Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
        Manifest { text, files, index }
    }

    /// The text the manifest was read from.
    fn text(&self) -> &str {
        &self.text
    }

    fn path(&self, i: usize) -> &str {
        &self.text[self.files[i].path.clone()]
    }

    /// The line of the file `rel`: its record, when the line has one; `None` when the
    /// manifest does not list it.
    pub(super) fn get(&self, rel: &str) -> Option<Option<Recorded>> {
        // A build into an empty folder asks an empty manifest of every file: no hash then.
        if self.is_empty() {
            return None;
        }
        let i = self.index.find(hash_of(rel), |&i| self.path(i) == rel)?;
        Some(self.files[*i].recorded)
    }

    /// Whether the manifest lists the file `rel`.
    pub(super) fn contains(&self, rel: &str) -> bool {
        self.get(rel).is_some()
    }

    /// Every file it lists, once each, in no order.
    pub(super) fn paths(&self) -> impl Iterator<Item = &str> {
        self.index.iter().map(|&i| self.path(i))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Its lines' paths in the order of the text, when they are in ascending order, each
    /// once (as a build writes them).
    pub(super) fn sorted_paths(&self) -> Option<Vec<&str>> {
        let paths: Vec<&str> = (0..self.files.len()).map(|i| self.path(i)).collect();
        paths.is_sorted_by(|a, b| a < b).then_some(paths)
    }
}

/// The hash a [`Manifest`] finds a path by.
fn hash_of(path: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(path)
}

/// A file as a build wrote it: size, content hash and modification time (nanoseconds since
/// the epoch), so the next build can tell whether it is still what was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Recorded {
    pub(super) size: u64,
    pub(super) hash: u64,
    pub(super) modified: u128,
}

/// The manifest of the folder `dest`, the hash of its text, and the journal of its folders
/// when it has one.
pub(super) fn read_manifest(dest: &Path) -> Option<(Manifest, u64, Option<Journal>)> {
    use std::io::Read;
    let mut file = fs::File::open(dest.join(MANIFEST)).ok()?;
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    // Read after the text: a manifest written again since is newer still.
    let written = file
        .metadata()
        .ok()
        .filter(fs::Metadata::is_file)
        .as_ref()
        .and_then(super::journal::modified);
    let digest = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    let files = Manifest::parse(text);
    let journal = written.and_then(|w| Journal::parse(files.text(), w));
    Some((files, digest, journal))
}

/// `path`, or `path<TAB>size<TAB>hash<TAB>modified` (hash in hex).
#[cfg(test)]
pub(super) fn parse_manifest_line(line: &str) -> (String, Option<Recorded>) {
    match manifest_fields(line) {
        Some((path, recorded)) => (path.to_string(), Some(recorded)),
        None => (line.split('\t').next().unwrap_or(line).to_string(), None),
    }
}

/// The path and the record of a file's line, `path<TAB>size<TAB>hash<TAB>modified`, as
/// [`super::manifest_line`] writes it (the path may hold tabs: the fields are its last three);
/// none for any other line.
fn manifest_fields(line: &str) -> Option<(&str, Recorded)> {
    // Short fields: a scan from the end beats setting up a search.
    let tab = |s: &str| s.bytes().rposition(|b| b == b'\t');
    let at = tab(line)?;
    let (rest, modified) = (&line[..at], &line[at + 1..]);
    let at = tab(rest)?;
    let (rest, hash) = (&rest[..at], &rest[at + 1..]);
    let at = tab(rest)?;
    let (path, size) = (&rest[..at], &rest[at + 1..]);
    let recorded = Recorded {
        size: u64::try_from(decimal(size)?).ok()?,
        hash: hex(hash)?,
        modified: decimal(modified)?,
    };
    Some((path, recorded))
}

/// A number of up to 128 bits in decimal digits (nothing else: no sign), as
/// [`super::push_decimal`] writes it. Up to 19 digits cannot overflow 64 bits, so they are
/// added up without checks: the common case, and several times faster than `str::parse`.
pub(super) fn decimal(text: &str) -> Option<u128> {
    let digits = text.as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if digits.len() <= 19 {
        let n = digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        return Some(n.into());
    }
    digits.iter().try_fold(0u128, |n, d| {
        n.checked_mul(10)?.checked_add(u128::from(d - b'0'))
    })
}

/// A number of up to 64 bits in hexadecimal digits (nothing else), as
/// [`crate::anchors::record::hex`] writes it.
pub(super) fn hex(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    text.bytes().try_fold(0u64, |n, d| {
        let digit = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        Some(n << 4 | u64::from(digit))
    })
}
