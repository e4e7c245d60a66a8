//! The files a build reads, and how the engine tells which of them changed since the last
//! build without reading them all again.
//!
//! Each file is known by its stamp: its size and modification time. A file whose stamp is the
//! same as last time is taken as unchanged, unless the stamp was *racy*: taken so soon after
//! the file was written that a second write in the same clock tick could leave the same stamp
//! (the "racy git" problem). A racy file is read again and compared by content next time.
//!
//! A run may be told which paths changed since the last one ([`Changes`], from `serve`'s
//! file watcher). Then the content folder is not walked again (see
//! [`crate::discover::Listing`]) and only the named files, the new ones and the racy ones are
//! stamped again; every other file keeps its stamp and text without a system call (and,
//! when the files listed are the very ones of the last run and few are to be stamped again,
//! without a look-up). A run that is not told, or whose changes name a folder made, renamed or replaced, a symbolic
//! link, or anything else the listing cannot be sure of, walks and stamps every file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostics::Diagnostic;
use crate::discover::{Listed, Listing};

/// What changed since the last run, as far as the caller knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Changes {
    /// Anything may have: every file is looked at again.
    #[default]
    All,
    /// Only these paths (files or folders; made, written, renamed from or to, deleted).
    Paths(HashSet<PathBuf>),
}

impl Changes {
    /// The changes of `self` and of `later`, as one.
    fn and(self, later: Changes) -> Changes {
        match (self, later) {
            (Changes::Paths(mut a), Changes::Paths(b)) => {
                a.extend(b);
                Changes::Paths(a)
            }
            _ => Changes::All,
        }
    }
}

/// A file's size and modification time, in nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub len: u64,
    pub modified: u128,
}

impl Stamp {
    pub fn of(path: &Path) -> Option<Stamp> {
        Some(Stamp::from_meta(&std::fs::metadata(path).ok()?))
    }

    pub fn from_meta(meta: &std::fs::Metadata) -> Stamp {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Stamp {
            len: meta.len(),
            modified,
        }
    }
}

/// A file whose modification time is this close to the moment its stamp was taken may be
/// written again without its stamp changing: file system clocks tick coarsely (a few
/// milliseconds on Linux). The margin is generous.
const RACY: Duration = Duration::from_millis(100);

/// With the very files of the last refresh, at most this many changed or racy files are
/// found in the lists one by one; with more, the record is looked up by path.
const SAME_LISTS_AT_MOST: usize = 16;

/// What tells one version of a file from another: its stamp and, for a file that was written
/// just before it was stamped, a hash of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Version {
    pub stamp: Stamp,
    pub digest: Option<u64>,
}

/// One file as last seen.
#[derive(Debug, Clone)]
struct Seen {
    version: Version,
    racy: bool,
    /// The text of a Markdown file (other files are only read when their stamp is racy).
    text: Option<Arc<str>>,
}

/// The files of the site as the last build saw them.
#[derive(Debug, Default)]
pub struct Files {
    seen: FxHashMap<PathBuf, Seen>,
    /// The content folder as last listed.
    listing: Listing,
    /// What changed since the files were last stamped.
    pending: Changes,
    /// Whether the listing was brought up to date from `pending` without a walk: then only
    /// the files `pending` names need a new stamp.
    narrowed: bool,
    /// How many times the content folder was walked.
    walks: usize,
    /// The files of `seen` whose stamps are racy: looked at again by every refresh.
    racy: FxHashSet<PathBuf>,
    /// The files of the last refresh, in order, and what it returned.
    last: Option<Refreshed>,
}

/// What a refresh was asked and returned.
#[derive(Debug)]
struct Refreshed {
    texts: Vec<PathBuf>,
    others: Vec<PathBuf>,
    out: Vec<Text>,
    /// The files (their places in `texts`, then `others`) that `seen` holds no record of
    /// (or, for a text, no text of): every refresh looks at them again.
    unrecorded: Vec<usize>,
}

/// A file that cannot be read as a page.
pub type ReadError = Vec<Diagnostic>;

/// A Markdown file's text, or why it could not be read.
pub type Text = Result<Arc<str>, ReadError>;

impl Files {
    /// Notes that `changes` happened since the last run; they are taken into account by the
    /// next [`Files::discover`] and [`Files::refresh`].
    pub fn note(&mut self, changes: Changes) {
        self.pending = std::mem::take(&mut self.pending).and(changes);
    }

    /// Lists the content folder ([`crate::discover::discover`]), walking it only when the
    /// changes noted since the last refresh do not tell for sure what the walk would find.
    /// While the list is unchanged, it is the very same list.
    pub fn discover(
        &mut self,
        content_dir: &Path,
        exclude: &[PathBuf],
        site_root: &Path,
    ) -> Listed {
        let changed = match &self.pending {
            Changes::All => None,
            Changes::Paths(p) => Some(p),
        };
        let (listed, narrowed) = (self.listing).update(content_dir, exclude, site_root, changed);
        self.narrowed = narrowed;
        self.walks += usize::from(!narrowed);
        listed
    }

    /// How many times [`Files::discover`] walked the content folder.
    pub fn walks(&self) -> usize {
        self.walks
    }

    /// Brings the record up to date for `texts` (Markdown files, read as UTF-8) and `others`
    /// (assets, only stamped), in parallel, and returns each text in order. Files no longer
    /// listed are forgotten. After a [`Files::discover`] that did not walk, a file that the
    /// changes do not name keeps its stamp unless it was racy.
    pub fn refresh(&mut self, texts: &[PathBuf], others: &[PathBuf]) -> Vec<Text> {
        let pending = std::mem::replace(&mut self.pending, Changes::Paths(HashSet::new()));
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let racy_after = now.saturating_sub(RACY.as_nanos());
        let last = self.last.take();
        let (out, unrecorded) = match pending {
            Changes::Paths(changed) if std::mem::take(&mut self.narrowed) => {
                // Their last records, to compare with; out of the record until looked at
                // again.
                let olds: FxHashMap<PathBuf, Seen> = changed
                    .iter()
                    .chain(std::mem::take(&mut self.racy).iter())
                    .filter_map(|p| self.seen.remove_entry(p))
                    .collect();
                match last {
                    Some(last)
                        if olds.len() <= SAME_LISTS_AT_MOST
                            && last.texts == texts
                            && last.others == others =>
                    {
                        return self.refresh_same(last, &olds, racy_after);
                    }
                    _ => self.refresh_changed(texts, others, &olds, racy_after),
                }
            }
            _ => self.refresh_all(texts, others, racy_after),
        };
        if let Some(unrecorded) = unrecorded {
            self.last = Some(Refreshed {
                texts: texts.to_vec(),
                others: others.to_vec(),
                out: out.clone(),
                unrecorded,
            });
        }
        out
    }

    /// [`Files::refresh`] of the very files of the last one, of which only those in `olds`
    /// (changed or racy, taken out of the record) and those the record holds nothing of are
    /// looked at: the others keep their records and texts without even a look-up.
    fn refresh_same(
        &mut self,
        last: Refreshed,
        olds: &FxHashMap<PathBuf, Seen>,
        racy_after: u128,
    ) -> Vec<Text> {
        let Refreshed {
            texts,
            others,
            mut out,
            unrecorded,
        } = last;
        let n = texts.len();
        let mut again = unrecorded;
        // The record's keys are spelled as the lists spell them: their bytes are compared.
        for old in olds.keys() {
            let at = texts.iter().chain(&others).enumerate();
            again.extend(
                at.filter(|(_, p)| p.as_os_str() == old.as_os_str())
                    .map(|(i, _)| i),
            );
        }
        again.sort_unstable();
        again.dedup();
        let mut unrecorded = Vec::new();
        for i in again {
            if let Some(path) = texts.get(i) {
                let (text, entry) = look_text(path, olds.get(path), racy_after);
                if entry.as_ref().is_none_or(|e| e.text.is_none()) {
                    unrecorded.push(i);
                }
                self.note_seen(path, entry);
                out[i] = text;
            } else {
                let path = &others[i - n];
                // A path listed twice (a text and a theme file) is looked at once.
                if self.seen.contains_key(path) {
                    continue;
                }
                let entry = look_other(path, olds.get(path), racy_after);
                if entry.is_none() {
                    unrecorded.push(i);
                }
                self.note_seen(path, entry);
            }
        }
        self.last = Some(Refreshed {
            texts,
            others,
            out: out.clone(),
            unrecorded,
        });
        out
    }

    /// [`Files::refresh`] looking at every file.
    fn refresh_all(
        &mut self,
        texts: &[PathBuf],
        others: &[PathBuf],
        racy_after: u128,
    ) -> (Vec<Text>, Option<Vec<usize>>) {
        let seen = &self.seen;
        let read: Vec<(Text, Option<Seen>)> = texts
            .par_iter()
            .map(|path| look_text(path, seen.get(path), racy_after))
            .collect();
        let stamped: Vec<Option<Seen>> = others
            .par_iter()
            .map(|path| look_other(path, seen.get(path), racy_after))
            .collect();
        let mut fresh =
            FxHashMap::with_capacity_and_hasher(texts.len() + others.len(), Default::default());
        let mut out = Vec::with_capacity(texts.len());
        let mut unrecorded = Some(Vec::new());
        for (i, (path, (text, entry))) in texts.iter().zip(read).enumerate() {
            match entry {
                Some(e) => {
                    fresh.insert(path.clone(), e);
                }
                None => unrecorded.iter_mut().for_each(|u| u.push(i)),
            }
            out.push(text);
        }
        for (i, (path, entry)) in others.iter().zip(stamped).enumerate() {
            match entry {
                // A text listed as another file too loses its text: not worth keeping track.
                Some(e) => {
                    if fresh.insert(path.clone(), e).is_some() {
                        unrecorded = None;
                    }
                }
                None => unrecorded.iter_mut().for_each(|u| u.push(texts.len() + i)),
            }
        }
        self.racy = fresh
            .iter()
            .filter(|(_, s)| s.racy)
            .map(|(p, _)| p.clone())
            .collect();
        self.seen = fresh;
        (out, unrecorded)
    }

    /// [`Files::refresh`] after a listing that did not walk: only the changed paths, the racy
    /// ones and the new ones are looked at; the record is updated in place.
    fn refresh_changed(
        &mut self,
        texts: &[PathBuf],
        others: &[PathBuf],
        olds: &FxHashMap<PathBuf, Seen>,
        racy_after: u128,
    ) -> (Vec<Text>, Option<Vec<usize>>) {
        let mut listed = 0;
        let mut out = Vec::with_capacity(texts.len());
        let mut unrecorded = Vec::new();
        for (i, path) in texts.iter().enumerate() {
            if let Some(old) = self.seen.get(path)
                && let Some(text) = &old.text
            {
                listed += 1;
                out.push(Ok(text.clone()));
                continue;
            }
            let (text, entry) = look_text(path, olds.get(path), racy_after);
            if entry.as_ref().is_none_or(|e| e.text.is_none()) {
                unrecorded.push(i);
            }
            listed += self.note_seen(path, entry);
            out.push(text);
        }
        for (i, path) in others.iter().enumerate() {
            if self.seen.contains_key(path) {
                listed += 1;
                continue;
            }
            let entry = look_other(path, olds.get(path), racy_after);
            if entry.is_none() {
                unrecorded.push(texts.len() + i);
            }
            listed += self.note_seen(path, entry);
        }
        // Files gone with a folder: the record keeps only what is listed.
        if self.seen.len() != listed {
            let keep: FxHashSet<&PathBuf> = texts.iter().chain(others).collect();
            self.seen.retain(|p, _| keep.contains(p));
            self.racy.retain(|p| keep.contains(p));
        }
        (out, Some(unrecorded))
    }

    /// Records `entry` for `path`; 1 when there is one.
    fn note_seen(&mut self, path: &Path, entry: Option<Seen>) -> usize {
        let Some(entry) = entry else { return 0 };
        if entry.racy {
            self.racy.insert(path.to_path_buf());
        }
        // A path listed twice (a text and a theme file) is looked at once.
        usize::from(self.seen.insert(path.to_path_buf(), entry).is_none())
    }

    /// The version of `path` as last seen, and whether it can be trusted to change with the
    /// file.
    pub fn version(&self, path: &Path) -> (Option<Version>, bool) {
        match self.seen.get(path) {
            Some(s) => (Some(s.version), !s.racy),
            // A missing file is surely missing; one outside the record (a hidden file)
            // is stamped afresh each time and never trusted.
            None => match Stamp::of(path) {
                None => (None, true),
                Some(stamp) => (
                    Some(Version {
                        stamp,
                        digest: None,
                    }),
                    false,
                ),
            },
        }
    }

    /// Whether `path` is a file of the content folder as last listed (one of the record).
    pub fn listed(&self, path: &Path) -> bool {
        self.seen.contains_key(path)
    }

    /// The version of `path` when it tells the file's bytes from others, to be checked
    /// later with [`Files::still`] (`Some(None)`: the file is missing): one whose stamp
    /// changes with the file, or one written too recently for that, whose bytes were hashed
    /// (a file seen so is hashed again at every look); `None` otherwise.
    pub fn trusted_version(&self, path: &Path) -> Option<Option<Version>> {
        match self.version(path) {
            (v, true) => Some(v),
            (Some(v), false) if v.digest.is_some() => Some(Some(v)),
            _ => None,
        }
    }

    /// Whether the file at `path` is still the one of version `was` (`None`: missing), as
    /// [`Files::version`] sees it: a stamp that changes with the file and is the same, or the
    /// same stamp and bytes that hash the same, for a version whose bytes were hashed (the
    /// file was written too recently to trust its stamp when that version was taken).
    pub fn still(&self, path: &Path, was: Option<&Version>) -> bool {
        match (self.version(path), was) {
            ((now, true), was) if now.as_ref() == was => true,
            ((Some(now), _), Some(was)) if now.stamp == was.stamp && was.digest.is_some() => {
                now.digest.or_else(|| digest_of(path)) == was.digest
            }
            _ => false,
        }
    }
}

/// A Markdown file's text and its new record, given its last record `old`.
fn look_text(path: &Path, old: Option<&Seen>, racy_after: u128) -> (Text, Option<Seen>) {
    // A text known from the last look is kept while the file's stamp is the same.
    if let Some(old) = old
        && !old.racy
        && let Some(text) = &old.text
        && Stamp::of(path) == Some(old.version.stamp)
    {
        return (Ok(text.clone()), Some(old.clone()));
    }
    match read_text(path) {
        Ok((text, stamp)) => {
            // Keep the old text when it is the same, so its rendering is kept.
            let text = match old.and_then(|o| o.text.clone()) {
                Some(old) if *old == *text => old,
                _ => text,
            };
            let entry = Seen {
                version: Version {
                    stamp,
                    digest: None,
                },
                racy: stamp.modified >= racy_after,
                text: Some(text.clone()),
            };
            (Ok(text), Some(entry))
        }
        Err(e) => (Err(e), None),
    }
}

/// Another file's new record, given its last record `old`.
fn look_other(path: &Path, old: Option<&Seen>, racy_after: u128) -> Option<Seen> {
    let stamp = Stamp::of(path)?;
    let racy = stamp.modified >= racy_after;
    let digest = match old.filter(|o| o.version.stamp == stamp) {
        Some(o) if !o.racy => o.version.digest,
        // Written too recently to trust the stamp alone, now or last time.
        Some(_) => digest_of(path),
        None if racy => digest_of(path),
        None => None,
    };
    Some(Seen {
        version: Version { stamp, digest },
        racy,
        text: None,
    })
}

/// A hash of the file's bytes, read as a stream.
fn digest_of(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match f.read(&mut buf) {
            Ok(0) => return Some(h.digest()),
            Ok(n) => h.update(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// Reads a Markdown file as UTF-8 text, with its stamp as it was just before it was read.
pub fn read_text(path: &Path) -> Result<(Arc<str>, Stamp), ReadError> {
    let read = crate::textfile::read_with_meta(path);
    let read = read.map(|(text, meta)| (text, Stamp::from_meta(&meta)));
    read.map_err(|e| match e {
        crate::textfile::Unreadable::Io(e) => vec![
            Diagnostic::error("io", format!("cannot read {}: {e}", path.display())).in_file(path),
        ],
        crate::textfile::Unreadable::NotUtf8 { valid_up_to } => vec![
            Diagnostic::error(
                "not-utf8",
                format!("this file is not UTF-8 text (invalid byte at offset {valid_up_to})"),
            )
            .in_file(path)
            .with_hint(
                "save the file as UTF-8, or give it another extension than .md to copy it as it is",
            ),
        ],
    })
}

/// One file read whole into `T`, kept while its stamp stays the same: what a run makes of
/// a large input (the anchor record) is made again only when the file changed. A stamp taken
/// too soon after the file was written is not trusted: the next run reads it again.
#[derive(Debug)]
pub struct Kept<T> {
    last: Option<(PathBuf, Stamp, T)>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept { last: None }
    }
}

/// A file [`Kept::check`] found changed (or never read): its stamp as it was before it is
/// read again, for [`Kept::keep`].
#[derive(Debug)]
pub struct Due {
    path: PathBuf,
    stamp: Option<Stamp>,
    /// When the stamp was taken.
    at: u128,
}

impl<T: Clone> Kept<T> {
    /// What `read` made of `path` last time when its stamp is unchanged, else `read()`: the
    /// two halves below at once (the engine reads on another thread in between).
    #[cfg(test)]
    fn get(&mut self, path: &Path, read: impl FnOnce() -> T) -> T {
        match self.check(path) {
            Ok(value) => value,
            Err(due) => {
                let value = read();
                self.keep(due, &value);
                value
            }
        }
    }

    /// The value made last time when the file's stamp is unchanged, else what [`Kept::keep`]
    /// needs once the file is read again (on another thread meanwhile, perhaps).
    pub fn check(&self, path: &Path) -> Result<T, Due> {
        let stamp = Stamp::of(path);
        if let (Some(stamp), Some((p, s, value))) = (stamp, &self.last)
            && p == path
            && *s == stamp
        {
            return Ok(value.clone());
        }
        let at = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Err(Due {
            path: path.to_path_buf(),
            stamp,
            at,
        })
    }

    /// Keeps `value`, read after `due` was found, unless the stamp was taken too soon after
    /// the file was written to be trusted.
    pub fn keep(&mut self, due: Due, value: &T) {
        let Due { path, stamp, at } = due;
        self.last = stamp
            .filter(|s| s.modified < at.saturating_sub(RACY.as_nanos()))
            .map(|s| (path, s, value.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_hashed_when_too_recent_to_trust_is_known_again_by_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("shot.png");
        let look = || {
            let mut files = Files::default();
            files.refresh(&[], std::slice::from_ref(&image));
            files
        };
        std::fs::write(&image, "one").unwrap();
        // Its modification time a second ahead, as if written just before a look however
        // slow the machine: its stamp is not trusted, and its bytes are hashed.
        let ahead = SystemTime::now() + Duration::from_secs(1);
        let file = std::fs::File::options().write(true).open(&image).unwrap();
        file.set_modified(ahead).unwrap();
        let (was, trusted) = look().version(&image);
        let was = was.unwrap();
        assert!(!trusted && was.digest.is_some(), "{was:?}");
        // A later run trusts the stamp and hashes nothing: the bytes are hashed to compare.
        std::thread::sleep(Duration::from_secs(1) + RACY + Duration::from_millis(50));
        let later = look();
        let stamp_alone = Version {
            digest: None,
            ..was
        };
        assert_eq!(later.version(&image), (Some(stamp_alone), true));
        assert!(later.still(&image, Some(&was)));
        // Other bytes of the same length under the very same stamp: another file.
        let modified = std::fs::metadata(&image).unwrap().modified().unwrap();
        std::fs::write(&image, "two").unwrap();
        let file = std::fs::File::options().write(true).open(&image).unwrap();
        file.set_modified(modified).unwrap();
        let again = look();
        assert_eq!(again.version(&image).0.unwrap().stamp, was.stamp);
        assert!(!again.still(&image, Some(&was)));
        assert!(!again.still(&image, None));
        // A missing file is still missing.
        assert!(again.still(&dir.path().join("gone.png"), None));
    }

    #[test]
    fn a_kept_file_is_read_again_only_when_its_stamp_changes_or_was_racy() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("anchors.lock");
        let set = |text: &str, secs_ago: u64| {
            std::fs::write(&a, text).unwrap();
            let when = SystemTime::now() - Duration::from_secs(secs_ago);
            std::fs::File::options()
                .write(true)
                .open(&a)
                .unwrap()
                .set_modified(when)
                .unwrap();
        };
        let mut kept: Kept<String> = Kept::default();
        let reads = std::cell::Cell::new(0);
        let get = |kept: &mut Kept<String>| {
            kept.get(&a, || {
                reads.set(reads.get() + 1);
                std::fs::read_to_string(&a).unwrap()
            })
        };
        set("one", 60);
        assert_eq!(get(&mut kept), "one");
        assert_eq!(get(&mut kept), "one");
        assert_eq!(reads.get(), 1);
        // Another stamp: read again.
        set("two!", 30);
        assert_eq!(get(&mut kept), "two!");
        assert_eq!(reads.get(), 2);
        // Written just now: the stamp is not trusted, every run reads it.
        set("four", 0);
        assert_eq!(get(&mut kept), "four");
        assert_eq!(get(&mut kept), "four");
        assert_eq!(reads.get(), 4);
        // A missing file is never kept.
        std::fs::remove_file(&a).unwrap();
        let mut missing = 0;
        for _ in 0..2 {
            kept.get(&a, || {
                missing += 1;
                String::new()
            });
        }
        assert_eq!(missing, 2);
    }

    #[test]
    fn told_what_changed_a_refresh_looks_only_at_the_files_named() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        let set = |name: &str, text: &str, secs_ago: u64| {
            let path = c.join(name);
            std::fs::write(&path, text).unwrap();
            let when = SystemTime::now() - Duration::from_secs(secs_ago);
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(when).unwrap();
            path
        };
        let (a, b) = (set("a.md", "one", 60), set("b.md", "one", 60));
        let mut files = Files::default();
        let run = |files: &mut Files, changes: Changes| -> Vec<String> {
            files.note(changes);
            let listed = files.discover(c, &[], c);
            let texts: Vec<PathBuf> = listed.0.iter().map(|f| f.abs.clone()).collect();
            let read = files.refresh(&texts, &[]);
            read.into_iter().map(|t| t.unwrap().to_string()).collect()
        };
        assert_eq!(run(&mut files, Changes::All), ["one", "one"]);
        set("a.md", "two", 30);
        set("b.md", "two", 30);
        // Only `a.md` is named: `b.md` is taken as it was, without a look.
        let told = Changes::Paths([a.clone()].into_iter().collect());
        assert_eq!(run(&mut files, told), ["two", "one"]);
        // A deleted file is named and forgotten; a plain run looks at everything.
        std::fs::remove_file(&a).unwrap();
        let told = Changes::Paths([a.clone()].into_iter().collect());
        assert_eq!(run(&mut files, told), ["one"]);
        assert_eq!(files.version(&a), (None, true));
        assert_eq!(run(&mut files, Changes::All), ["two"]);
        assert!(files.version(&b).1);
    }

    #[test]
    fn a_text_that_could_not_be_read_is_read_again_by_every_refresh() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
        std::fs::write(&a, "one").unwrap();
        std::fs::write(&b, [0xff, 0xfe]).unwrap();
        let texts = [a.clone(), b.clone()];
        let mut files = Files::default();
        files.note(Changes::All);
        files.discover(dir.path(), &[], dir.path());
        assert!(files.refresh(&texts, &[])[1].is_err());
        // Told of another file only, the refresh still reads the one it could not.
        let told = || Changes::Paths([a.clone()].into_iter().collect());
        files.note(told());
        files.discover(dir.path(), &[], dir.path());
        assert!(files.refresh(&texts, &[])[1].is_err());
        std::fs::write(&b, "fixed").unwrap();
        files.note(told());
        files.discover(dir.path(), &[], dir.path());
        let read = files.refresh(&texts, &[]);
        assert_eq!(read[1].as_deref().ok(), Some("fixed"));
        assert_eq!(read[0].as_deref().ok(), Some("one"));
    }

    #[test]
    fn a_rewrite_with_the_same_stamp_is_seen_while_the_stamp_is_racy() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        std::fs::write(&a, "one").unwrap();
        let mut files = Files::default();
        let first = files.refresh(std::slice::from_ref(&a), &[]);
        assert_eq!(first[0].as_deref().ok(), Some("one"));
        // Same length, and (most likely) the same clock tick: only a fresh read tells.
        std::fs::write(&a, "two").unwrap();
        let second = files.refresh(std::slice::from_ref(&a), &[]);
        assert_eq!(second[0].as_deref().ok(), Some("two"));
    }

    #[test]
    fn an_unchanged_text_is_the_same_shared_text() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        std::fs::write(&a, "same").unwrap();
        let mut files = Files::default();
        let first = files
            .refresh(std::slice::from_ref(&a), &[])
            .remove(0)
            .unwrap();
        let second = files
            .refresh(std::slice::from_ref(&a), &[])
            .remove(0)
            .unwrap();
        assert!(Arc::ptr_eq(&first, &second));
    }

    #[test]
    fn a_file_rewritten_in_the_same_tick_gets_another_version() {
        let dir = tempfile::tempdir().unwrap();
        let pic = dir.path().join("pic.png");
        std::fs::write(&pic, "aaaa").unwrap();
        let mut files = Files::default();
        files.refresh(&[], std::slice::from_ref(&pic));
        let (first, trusted) = files.version(&pic);
        assert!(!trusted, "just written: the stamp alone cannot be trusted");
        std::fs::write(&pic, "bbbb").unwrap();
        files.refresh(&[], std::slice::from_ref(&pic));
        let (second, _) = files.version(&pic);
        assert_ne!(first, second);
    }

    #[test]
    fn unreadable_text_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("bin.md");
        std::fs::write(&a, [b'o', b'k', 0xff]).unwrap();
        let mut files = Files::default();
        let read = files.refresh(std::slice::from_ref(&a), &[]).remove(0);
        let problems = read.unwrap_err();
        assert_eq!(
            problems[0].message,
            "this file is not UTF-8 text (invalid byte at offset 2)"
        );
    }
}
