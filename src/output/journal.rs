//! The journal of an output's folders, kept at the end of its manifest, so that the check
//! before the next build reads again only the folders that changed since they were written.
//!
//! A folder's modification time changes whenever an entry is added to it, removed from it or
//! renamed in it. So a folder whose inode, modification time and change time are still those
//! recorded by the build that wrote it holds what it held then: the files of the manifest and
//! the folders the journal lists under it (as git's untracked cache reasons). [`record`]
//! stamps every folder of the output before the manifest is written: a folder of the spare
//! that the check vouched for and in which the build made, replaced or removed no entry with
//! the stamp the check saw (older than the spare's manifest, so any later change to the
//! folder gives it another), every other one as it is then. [`Journal::unchanged`] tells the
//! check which folders it need not read. Exact about:
//! - a folder changed in the clock tick its stamp was taken (a file system with coarse
//!   times): a stamp not older than the manifest itself is not trusted, the folder is read;
//! - a folder holding more folders than the manifest's files name (its link count says how
//!   many it holds): it is journaled as one to read;
//! - a folder replaced by another, or by a symbolic link: another inode, or not a folder, so
//!   it is read, and a trusted folder whose listed subfolder is no longer a folder is read
//!   too ([`Journal::unchanged`] only says what its stamp says);
//! - a manifest edited by hand: the journal ends with the hash of all the text before it, and
//!   without a match there is no journal;
//! - outside Unix, or on a file system whose folders do not count their subfolders in their
//!   links (btrfs): no folder is trusted, every one is read as before.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use super::destination::{Recorded, decimal, hex};
use super::meta::{Folder, Meta};

/// How the journal's lines open: `#folder<TAB>stamp<TAB>path`, then `#journal<TAB>hash`. A
/// manifest line with all four fields is a file, and these have fewer, so a build that does
/// not know them reads them as comments.
const FOLDER: &str = "#folder\t";
const END: &str = "#journal\t";

/// What tells a folder as it was stamped from the same folder changed since: its inode, and
/// its modification and change times in nanoseconds (the change time cannot be set back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    inode: u64,
    modified: i128,
    changed: i128,
}

impl Stamp {
    /// The stamp of a folder (not of a link to one), and how many links it has.
    #[cfg(unix)]
    fn of(meta: &Meta) -> Option<(Stamp, u64)> {
        meta.is_dir().then(|| {
            let stamp = Stamp {
                inode: meta.inode,
                modified: meta.modified,
                changed: meta.changed,
            };
            (stamp, meta.links)
        })
    }

    #[cfg(not(unix))]
    fn of(_: &Meta) -> Option<(Stamp, u64)> {
        None
    }

    /// Writes the stamp as [`Stamp::parse`] reads it: inode, modification and change time.
    fn write(&self, out: &mut String) {
        super::push_decimal(out, self.inode.into());
        for time in [self.modified, self.changed] {
            out.push(' ');
            if time < 0 {
                out.push('-');
            }
            super::push_decimal(out, time.unsigned_abs());
        }
    }

    fn parse(text: &str) -> Option<Stamp> {
        let mut parts = text.split(' ');
        let stamp = Stamp {
            inode: u64::try_from(decimal(parts.next()?)?).ok()?,
            modified: time(parts.next()?)?,
            changed: time(parts.next()?)?,
        };
        parts.next().is_none().then_some(stamp)
    }
}

/// A time in nanoseconds as [`Stamp::write`] writes it: decimal digits, after a `-` when
/// before the epoch.
fn time(text: &str) -> Option<i128> {
    match text.strip_prefix('-') {
        Some(digits) => {
            let n = decimal(digits)?;
            (n <= i128::MIN.unsigned_abs()).then(|| 0i128.wrapping_sub_unsigned(n))
        }
        None => i128::try_from(decimal(text)?).ok(),
    }
}

/// The modification time of a file, in nanoseconds, as [`Stamp`] counts it.
#[cfg(unix)]
pub(super) fn modified(meta: &fs::Metadata) -> Option<i128> {
    Some(Meta::from(meta).modified)
}

#[cfg(not(unix))]
pub(super) fn modified(_: &fs::Metadata) -> Option<i128> {
    None
}

/// The folders of an output as the build that wrote it stamped them.
#[derive(Debug, Default)]
pub(super) struct Journal {
    /// Each folder (as a path from the output, never the output itself), with its stamp when
    /// it held nothing but what the manifest and the journal list.
    folders: HashMap<Arc<str>, Option<Stamp>>,
    /// The folders listed right under each folder (each name allocated once, for both maps).
    children: HashMap<Arc<str>, Vec<Arc<str>>>,
    /// When the manifest was written: a stamp of this time or later is not trusted.
    written: i128,
}

impl Journal {
    /// The journal at the end of a manifest's `text`, written at `written` (its
    /// modification time); none when it is missing or the text before it was changed.
    pub(super) fn parse(text: &str, written: i128) -> Option<Journal> {
        let body = text.strip_suffix('\n')?;
        let (before, last) = body.rsplit_once('\n')?;
        let hash = hex(last.strip_prefix(END)?)?;
        let before = &text[..before.len() + 1];
        if xxhash_rust::xxh3::xxh3_64(before.as_bytes()) != hash {
            return None;
        }
        let mut journal = Journal {
            written,
            ..Journal::default()
        };
        // The journal's lines are the last before its end ([`record`] writes them after the
        // files): read from the end, the files' lines are not gone through again.
        let mut lines = Vec::new();
        let mut end = before.len() - 1;
        loop {
            let start = before.as_bytes()[..end]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |at| at + 1);
            match before[start..end].strip_prefix(FOLDER) {
                Some(line) => lines.push(line),
                None => break,
            }
            if start == 0 {
                break;
            }
            end = start - 1;
        }
        let top: Arc<str> = Arc::from("");
        // In the order written: a folder's line comes before the lines of those under it.
        for line in lines.into_iter().rev() {
            let (stamp, rel) = line.split_once('\t')?;
            let stamp = if stamp == "-" {
                None
            } else {
                Some(Stamp::parse(stamp)?)
            };
            let parent = match rel.rsplit_once('/') {
                // Written before its subfolders, a parent is there to share its name.
                Some((up, _)) => (journal.folders.get_key_value(up))
                    .map_or_else(|| Arc::from(up), |(name, _)| name.clone()),
                None => top.clone(),
            };
            let rel: Arc<str> = Arc::from(rel);
            journal
                .children
                .entry(parent)
                .or_default()
                .push(rel.clone());
            journal.folders.insert(rel, stamp);
        }
        Some(journal)
    }

    /// When the folder at `rel` is as the build stamped it (`meta` is what it is now): the
    /// folders that are then all it holds besides the manifest's files. Never the output's
    /// own folder, which the manifest's writing changed.
    pub(super) fn unchanged(&self, rel: &str, meta: &Meta) -> Option<&[Arc<str>]> {
        let was = (*self.folders.get(rel)?)?;
        let (now, _) = Stamp::of(meta)?;
        (now == was && was.modified < self.written)
            .then(|| self.children.get(rel).map_or(&[][..], Vec::as_slice))
    }

    /// Whether the journal lists the folder at `rel`.
    pub(super) fn lists(&self, rel: &str) -> bool {
        self.folders.contains_key(rel)
    }
}

/// The journal's lines for the output in `dir`, whose files are `written`, to follow them in
/// the manifest `text`; nothing when a folder's name could not be written in a line. Every
/// folder that holds a file is stamped: as `known` says it is, for a folder it knows
/// (one vouched for before the build and that the build did not change: see
/// [`super::destination::Vouched`]), else as it is looked at now.
pub(super) fn record(
    dir: &Path,
    written: &[(String, Recorded)],
    known: impl Fn(&str) -> Option<Meta> + Sync,
    text: &mut String,
) {
    let mut set: rustc_hash::FxHashSet<&str> = Default::default();
    // The files come sorted, so most share the folder of the one before.
    let mut last = None;
    for (path, _) in written {
        let folder = path.rsplit_once('/').map(|(up, _)| up);
        if folder == last {
            continue;
        }
        last = folder;
        let mut at = path.as_str();
        // A folder met before came with its parents.
        while let Some((up, _)) = at.rsplit_once('/')
            && set.insert(up)
        {
            at = up;
        }
    }
    let mut folders: HashMap<&str, u64> = set.iter().map(|f| (*f, 0)).collect();
    for f in &set {
        if let Some((parent, _)) = f.rsplit_once('/') {
            *folders.entry(parent).or_insert(0) += 1;
        }
    }
    if folders.keys().any(|f| f.contains(['\t', '\n', '\r'])) {
        return;
    }
    let mut folders: Vec<(&str, u64)> = folders.into_iter().collect();
    folders.sort_unstable();
    let at = Folder::open(dir);
    let lines: Vec<String> = folders
        .par_iter()
        .map(|(rel, subfolders)| {
            let stamp = known(rel)
                .or_else(|| at.meta(rel))
                .as_ref()
                .and_then(Stamp::of)
                // Each subfolder links back to its parent (`..`), and a folder to itself.
                .filter(|(_, links)| *links == 2 + subfolders)
                .map(|(s, _)| s);
            // Written without the formatting machinery: a large site has thousands of folders.
            let mut line = String::with_capacity(FOLDER.len() + 64 + rel.len());
            line.push_str(FOLDER);
            match stamp {
                Some(s) => s.write(&mut line),
                None => line.push('-'),
            }
            line.push('\t');
            line.push_str(rel);
            line.push('\n');
            line
        })
        .collect();
    for line in lines {
        text.push_str(&line);
    }
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    text.push_str(&format!("{END}{hash:016x}\n"));
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::destination::{read_manifest, unlisted};
    use super::super::{MANIFEST, Staging, check_destination};
    use super::*;
    use crate::render::OutFile;
    use std::time::{Duration, SystemTime};

    /// Builds `files` into `dest`, and makes its manifest look written `later` than its
    /// folders were stamped (a fast file system's clock may not have ticked in between).
    fn build(dest: &Path, files: &[&str], later: Duration) {
        let files: Vec<(&str, &str)> = files.iter().map(|f| (*f, *f)).collect();
        build_with(dest, &files, later, |_| {});
    }

    /// [`build`] of files with their bytes, running `meanwhile` between the check of the
    /// output and the start of the writing.
    fn build_with(
        dest: &Path,
        files: &[(&str, &str)],
        later: Duration,
        meanwhile: impl FnOnce(&Path),
    ) {
        let beside = dest.parent().unwrap();
        let previous =
            check_destination(dest, &beside.join("content"), &beside.join("site")).unwrap();
        meanwhile(dest);
        let staging = Staging::begin(dest, previous).unwrap();
        for (path, bytes) in files {
            let file = OutFile::Bytes(path.to_string(), bytes.as_bytes().to_vec());
            staging.put(&file).unwrap();
        }
        staging.commit().unwrap();
        let manifest = fs::File::options()
            .append(true)
            .open(dest.join(MANIFEST))
            .unwrap();
        manifest.set_modified(SystemTime::now() + later).unwrap();
    }

    /// [`SITE`] built into `public` in a folder of its own.
    fn built(later: Duration) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let dest = d.path().join("public");
        build(&dest, SITE, later);
        (d, dest)
    }

    fn journal(dest: &Path) -> Journal {
        read_manifest(dest).unwrap().2.unwrap()
    }

    /// What the journal says of the folder `rel` of `dest` as it is now.
    fn vouched(dest: &Path, rel: &str) -> Option<Vec<String>> {
        let meta = Meta::of(&dest.join(rel)).unwrap();
        journal(dest)
            .unchanged(rel, &meta)
            .map(|children| children.iter().map(|c| c.to_string()).collect())
    }

    /// The files under `dest` its manifest does not list, with and without the journal.
    fn foreign(dest: &Path) -> (Vec<String>, Vec<String>) {
        let (files, _, journal) = read_manifest(dest).unwrap();
        let (mut with, _) = unlisted(dest, &files, journal.as_ref(), false);
        let (mut without, _) = unlisted(dest, &files, None, false);
        with.sort();
        without.sort();
        (with, without)
    }

    const SITE: &[&str] = &["index.html", "a/b.html", "a/c/d.html", "e/f.html"];

    #[test]
    fn a_folder_is_vouched_for_until_an_entry_in_it_changes() {
        let (_d, dest) = built(Duration::from_secs(2));
        assert_eq!(vouched(&dest, "a"), Some(vec!["a/c".to_string()]));
        assert_eq!(vouched(&dest, "a/c"), Some(vec![]));
        assert_eq!(vouched(&dest, "e"), Some(vec![]));
        // The output's own folder is never vouched for: writing the manifest changed it.
        assert_eq!(
            journal(&dest).unchanged("", &Meta::of(&dest).unwrap()),
            None
        );
        assert_eq!(foreign(&dest), (vec![], vec![]));

        fs::write(dest.join("a/c/x.txt"), "mine").unwrap();
        fs::create_dir(dest.join("e/g")).unwrap();
        fs::write(dest.join("e/g/y.txt"), "mine").unwrap();
        assert_eq!(vouched(&dest, "a/c"), None);
        assert_eq!(vouched(&dest, "e"), None);
        // Their parent did not change, and is still vouched for.
        assert_eq!(vouched(&dest, "a"), Some(vec!["a/c".to_string()]));
        let found = vec!["a/c/x.txt".to_string(), "e/g/y.txt".to_string()];
        assert_eq!(foreign(&dest), (found.clone(), found));
    }

    /// Every folder the journal of `dest` names, and whether it vouches for it as it is now.
    fn journaled(dest: &Path) -> Vec<(String, bool)> {
        let text = fs::read_to_string(dest.join(MANIFEST)).unwrap();
        let mut folders: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix(FOLDER))
            .map(|l| l.split_once('\t').unwrap().1.to_string())
            .collect();
        folders.sort();
        folders
            .into_iter()
            .map(|rel| {
                let now = vouched(dest, &rel).is_some();
                (rel, now)
            })
            .collect()
    }

    #[test]
    fn a_build_in_the_spare_stamps_each_folder_as_it_leaves_it() {
        use std::os::unix::fs::MetadataExt;
        let (_d, dest) = built(Duration::from_secs(2));
        // The second build leaves the first one's output as the spare, which the third
        // works in: its journal vouches for every folder.
        build(&dest, SITE, Duration::from_secs(2));
        let mut site = vec![
            ("index.html", "index.html"),
            // Its file in the spare is linked with the live site's: replaced, not written
            // through.
            ("a/b.html", "another a/b.html"),
            ("a/c/d.html", "a/c/d.html"),
            // A new file in a folder, and a new folder; `e/f.html` is gone.
            ("e/g.html", "e/g.html"),
            ("h/i.html", "h/i.html"),
        ];
        build_with(&dest, &site, Duration::from_secs(2), |_| {});
        let all = |folders: &[&str]| -> Vec<(String, bool)> {
            folders.iter().map(|f| (f.to_string(), true)).collect()
        };
        assert_eq!(journaled(&dest), all(&["a", "a/c", "e", "h"]));
        assert_eq!(foreign(&dest), (vec![], vec![]));
        // The fourth build works in the second one's output, whose `a/b.html` is its own
        // now: written in place, its folder keeps its entries and the stamp it was vouched
        // with.
        let spare = super::super::spare_path(&dest);
        assert_eq!(journaled(&spare), all(&["a", "a/c", "e"]));
        let own = fs::metadata(spare.join("a/b.html")).unwrap().ino();
        site[1] = ("a/b.html", "a third a/b.html");
        build_with(&dest, &site, Duration::from_secs(2), |_| {});
        assert_eq!(fs::metadata(dest.join("a/b.html")).unwrap().ino(), own);
        assert_eq!(journaled(&dest), all(&["a", "a/c", "e", "h"]));
        assert_eq!(foreign(&dest), (vec![], vec![]));
    }

    #[test]
    fn a_file_slipped_into_the_spare_while_a_build_works_in_it_is_found() {
        let (_d, dest) = built(Duration::from_secs(2));
        build(&dest, SITE, Duration::from_secs(2));
        // After the check vouched for the spare's folders, something writes in one of them.
        build_with(
            &dest,
            &SITE.iter().map(|f| (*f, *f)).collect::<Vec<_>>(),
            Duration::from_secs(2),
            |dest| fs::write(super::super::spare_path(dest).join("a/c/x.txt"), "mine").unwrap(),
        );
        assert_eq!(vouched(&dest, "a/c"), None);
        let found = vec!["a/c/x.txt".to_string()];
        assert_eq!(foreign(&dest), (found.clone(), found));
    }

    #[test]
    fn a_folder_whose_name_is_not_utf8_is_read_by_its_own_name() {
        use std::os::unix::ffi::OsStrExt;
        let (_d, dest) = built(Duration::from_secs(2));
        let odd = dest.join("e").join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
        fs::create_dir(&odd).unwrap();
        fs::write(odd.join("x.txt"), "mine").unwrap();
        let found = vec!["e/caf\u{fffd}/x.txt".to_string()];
        assert_eq!(foreign(&dest), (found.clone(), found));
    }

    #[test]
    fn a_folder_replaced_or_renamed_is_read() {
        let (d, dest) = built(Duration::from_secs(2));
        // `a/c` swapped for a link to a folder, `e` for another folder of the same name.
        let elsewhere = d.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("d.html"), "x").unwrap();
        fs::remove_dir_all(dest.join("a/c")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dest.join("a/c")).unwrap();
        fs::rename(dest.join("e"), d.path().join("e-old")).unwrap();
        fs::create_dir(dest.join("e")).unwrap();
        fs::write(dest.join("e/f.html"), "x").unwrap();
        fs::write(dest.join("e/z.txt"), "mine").unwrap();
        let found = vec!["a/c".to_string(), "e/z.txt".to_string()];
        assert_eq!(foreign(&dest), (found.clone(), found));
    }

    #[test]
    fn a_folder_stamped_in_the_manifests_own_tick_is_read() {
        let (_d, dest) = built(Duration::ZERO);
        let stamped = fs::metadata(dest.join("a")).unwrap().modified().unwrap();
        let manifest = fs::File::options()
            .append(true)
            .open(dest.join(MANIFEST))
            .unwrap();
        manifest.set_modified(stamped).unwrap();
        assert_eq!(vouched(&dest, "a"), None);
    }

    #[test]
    fn stamps_are_read_back_as_written() {
        for (inode, modified, changed) in [
            (0, 0, 0),
            (
                666_062,
                1_796_508_238_589_570_777,
                1_796_508_238_589_570_778,
            ),
            (u64::MAX, -1_000_000_001, i128::MIN + 1),
            (1, i128::MAX, i128::MIN),
        ] {
            let stamp = Stamp {
                inode,
                modified,
                changed,
            };
            let mut text = String::new();
            stamp.write(&mut text);
            assert_eq!(text, format!("{inode} {modified} {changed}"));
            assert_eq!(Stamp::parse(&text), Some(stamp));
        }
    }

    #[test]
    fn a_manifest_changed_by_hand_has_no_journal() {
        let (_d, dest) = built(Duration::from_secs(2));
        let at = dest.join(MANIFEST);
        let text = fs::read_to_string(&at).unwrap();
        assert!(Journal::parse(&text, i128::MAX).is_some());
        let edited: String = text
            .lines()
            .filter(|l| !l.starts_with("a/c/d.html\t"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&at, &edited).unwrap();
        assert!(Journal::parse(&edited, i128::MAX).is_none());
        let found = vec!["a/c/d.html".to_string()];
        assert_eq!(foreign(&dest), (found.clone(), found));
    }

    #[test]
    fn a_folder_holding_a_folder_no_file_names_is_journaled_to_be_read() {
        let d = tempfile::tempdir().unwrap();
        for dir in ["a/extra", "a/c"] {
            fs::create_dir_all(d.path().join(dir)).unwrap();
        }
        let recorded = Recorded {
            size: 0,
            hash: 0,
            modified: 0,
        };
        let written = [
            ("a/b.html".to_string(), recorded),
            ("a/c/d.html".to_string(), recorded),
        ];
        let mut text = String::new();
        record(d.path(), &written, |_| None, &mut text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "#folder\t-\ta");
        assert!(
            lines[1].starts_with("#folder\t") && lines[1].ends_with("\ta/c"),
            "{text}"
        );
        assert_eq!(lines.len(), 3, "{text}");
        let journal = Journal::parse(&text, i128::MAX).unwrap();
        assert_eq!(
            journal.unchanged("a", &Meta::of(&d.path().join("a")).unwrap()),
            None
        );
        let c = Meta::of(&d.path().join("a/c")).unwrap();
        assert_eq!(journal.unchanged("a/c", &c), Some(&[][..]));
    }
}
