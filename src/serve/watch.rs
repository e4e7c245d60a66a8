//! Watching: notify reports changes under `content/`, `themes/` and `book.toml`; this module
//! drops the noise (the output folder, the files the content walk leaves out: hidden files,
//! editors' backup and swap files) and gathers a burst of changes into one batch after a
//! short quiet time. The quiet time is shorter once every file the burst wrote is closed and
//! every file it removed or renamed away is back (a save through a temporary file and a
//! rename is whole by then); while one is still open or missing, it is [`DEBOUNCE`]. A batch
//! names the paths that changed ([`Changes::Paths`]), so the
//! engine need not walk the site; when notify lost events (its queue overflowed, it asks for
//! a rescan, or it reported an error), the batch is [`Changes::All`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};

use crate::engine::Changes;

/// How long the files must stay quiet before a rebuild starts.
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// How long they must stay quiet when no file of the burst is still being written or still
/// missing: the events of one save come within microseconds of each other.
pub const SETTLE: Duration = Duration::from_millis(4);

/// What an event says of a path, for when its batch may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Being written, or gone: the save may not be over.
    Unsettled,
    /// Closed after writing, or renamed into place: whole.
    Settled,
    /// Says nothing of whether the save is over (its metadata changed, say).
    Other,
}

/// Each event's mark for its paths: for a rename seen whole, both ends are settled.
fn mark(kind: &EventKind) -> Mark {
    match kind {
        EventKind::Create(_)
        | EventKind::Remove(_)
        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any)
        | EventKind::Modify(ModifyKind::Name(RenameMode::From)) => Mark::Unsettled,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => Mark::Settled,
        _ => Mark::Other,
    }
}

/// A running watcher and the batches of changed paths it produces.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    /// Each changed path with its mark, or `None` when some changes may have been lost.
    rx: Receiver<Option<(PathBuf, Mark)>>,
    /// Folders to watch that did not exist yet (a `themes/` folder made while serving).
    missing: Vec<PathBuf>,
}

impl Watch {
    /// Watches the site at `root`; paths under `ignore` are never reported.
    pub fn start(root: &Path, watched: &[PathBuf], ignore: Vec<PathBuf>) -> notify::Result<Watch> {
        let (tx, rx) = channel();
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                let event = match res {
                    Ok(event) if !event.need_rescan() => event,
                    _ => {
                        let _ = tx.send(None);
                        return;
                    }
                };
                // Reads change nothing; a close after writing tells the save is over.
                if matches!(event.kind, EventKind::Access(_))
                    && event.kind != EventKind::Access(AccessKind::Close(AccessMode::Write))
                {
                    return;
                }
                let mark = mark(&event.kind);
                for p in event.paths {
                    if !ignore.iter().any(|i| p.starts_with(i)) && !is_noise(&p) {
                        let _ = tx.send(Some((p, mark)));
                    }
                }
            })?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let mut missing = Vec::new();
        for dir in watched {
            if dir.is_dir() {
                watcher.watch(dir, RecursiveMode::Recursive)?;
            } else {
                missing.push(dir.clone());
            }
        }
        Ok(Watch {
            watcher,
            rx,
            missing,
        })
    }

    /// Starts watching the folders that have been made since, with everything in them; true
    /// when there was one.
    fn watch_new_folders(&mut self) -> bool {
        let watcher = &mut self.watcher;
        let before = self.missing.len();
        self.missing
            .retain(|dir| !(dir.is_dir() && watcher.watch(dir, RecursiveMode::Recursive).is_ok()));
        self.missing.len() != before
    }

    /// Blocks until something changes, then returns every path changed until a quiet time.
    pub fn next_batch(&mut self) -> Option<Changes> {
        let first = self.rx.recv().ok()?;
        self.gather(first)
    }

    /// [`Watch::next_batch`], but waits at most `wait` for the first change: `Some(None)`
    /// when nothing changed by then.
    pub fn next_batch_within(&mut self, wait: Duration) -> Option<Option<Changes>> {
        match self.rx.recv_timeout(wait) {
            Ok(first) => self.gather(first).map(Some),
            Err(RecvTimeoutError::Timeout) => Some(None),
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    fn gather(&mut self, first: Option<(PathBuf, Mark)>) -> Option<Changes> {
        // What was written in a folder before it was watched sent no event.
        let mut lost = self.watch_new_folders();
        let mut batch = HashSet::new();
        let mut settling = Settling::default();
        let mut next = Ok(first);
        while let Ok(change) = next {
            match change {
                Some((p, mark)) => {
                    settling.note(&p, mark);
                    batch.insert(p);
                }
                None => lost = true,
            }
            let quiet = if lost { DEBOUNCE } else { settling.quiet() };
            next = self.rx.recv_timeout(quiet);
        }
        Some(if lost {
            Changes::All
        } else {
            Changes::Paths(batch)
        })
    }
}

/// The paths of a burst being written or missing, whose save may not be over.
#[derive(Default)]
struct Settling {
    unsettled: HashSet<PathBuf>,
}

impl Settling {
    fn note(&mut self, path: &Path, mark: Mark) {
        match mark {
            Mark::Unsettled => {
                self.unsettled.insert(path.to_path_buf());
            }
            Mark::Settled => {
                self.unsettled.remove(path);
            }
            Mark::Other => {}
        }
    }

    /// How long to wait for more of the burst.
    fn quiet(&self) -> Duration {
        if self.unsettled.is_empty() {
            SETTLE
        } else {
            DEBOUNCE
        }
    }
}

/// What the content walk leaves out ([`crate::discover::is_hidden`]): hidden files and what
/// editors write while saving, `.file.swp`, `file~`, `.#file`. Nothing the walk lists may be
/// noise, or a change to it would go unseen.
pub fn is_noise(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return true;
    };
    crate::discover::is_hidden(name)
        || path
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with(".stepbook"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A save through a temporary file and a rename, as many editors make it, is waited for
    /// whole: the short quiet time only once nothing is being written and nothing is missing.
    #[test]
    fn a_batch_waits_longer_while_a_save_is_under_way() {
        use notify::event::{CreateKind, DataChange, RemoveKind};
        let (tmp, page) = (Path::new("content/a.md.tmp"), Path::new("content/a.md"));
        let mut s = Settling::default();
        let mut quiet = |path: &Path, kind: EventKind| {
            s.note(path, mark(&kind));
            s.quiet()
        };
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let rename = |mode| EventKind::Modify(ModifyKind::Name(mode));
        assert_eq!(quiet(tmp, EventKind::Create(CreateKind::File)), DEBOUNCE);
        assert_eq!(quiet(tmp, write), DEBOUNCE);
        assert_eq!(quiet(tmp, close), SETTLE);
        // The old file goes first: the page is missing until the rename.
        assert_eq!(quiet(page, EventKind::Remove(RemoveKind::File)), DEBOUNCE);
        assert_eq!(quiet(tmp, rename(RenameMode::From)), DEBOUNCE);
        assert_eq!(quiet(page, rename(RenameMode::To)), DEBOUNCE);
        assert_eq!(quiet(tmp, rename(RenameMode::Both)), SETTLE);
        // A file written in place is whole once closed; its metadata says nothing.
        assert_eq!(quiet(page, write), DEBOUNCE);
        assert_eq!(
            quiet(
                page,
                EventKind::Modify(ModifyKind::Metadata(notify::event::MetadataKind::Any))
            ),
            DEBOUNCE
        );
        assert_eq!(quiet(page, close), SETTLE);
    }

    #[test]
    fn editor_noise_is_ignored() {
        for p in [
            "content/.a.md.swp",
            "content/a.md~",
            "content/.#a.md",
            "x/.stepbook-tmp-1/a.html",
        ] {
            assert!(is_noise(Path::new(p)), "{p}");
        }
        assert!(!is_noise(Path::new("content/a.md")));
        // The walk lists them: their changes must reach the engine.
        assert!(!is_noise(Path::new("content/4913")));
        assert!(!is_noise(Path::new("content/data.tmp")));
        assert!(!is_noise(Path::new(
            "themes/brand/static/assets/stepbook.css"
        )));
    }
}
