//! Watching: notify reports changes under `content/`, `themes/` and `book.toml`; this module
//! drops the noise (the output folder, the files the content walk leaves out: hidden files,
//! editors' backup and swap files) and gathers a burst of changes into one batch after a
//! short quiet time. A batch names the paths that changed ([`Changes::Paths`]), so the
//! engine need not walk the site; when notify lost events (its queue overflowed, it asks for
//! a rescan, or it reported an error), the batch is [`Changes::All`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use crate::engine::Changes;

/// How long the files must stay quiet before a rebuild starts.
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// A running watcher and the batches of changed paths it produces.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    /// Each changed path, or `None` when some changes may have been lost.
    rx: Receiver<Option<PathBuf>>,
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
                if matches!(event.kind, EventKind::Access(_)) {
                    return;
                }
                for p in event.paths {
                    if !ignore.iter().any(|i| p.starts_with(i)) && !is_noise(&p) {
                        let _ = tx.send(Some(p));
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

    fn gather(&mut self, first: Option<PathBuf>) -> Option<Changes> {
        // What was written in a folder before it was watched sent no event.
        let mut lost = self.watch_new_folders();
        let mut batch = HashSet::new();
        let mut next = Ok(first);
        while let Ok(change) = next {
            match change {
                Some(p) => {
                    batch.insert(p);
                }
                None => lost = true,
            }
            next = self.rx.recv_timeout(DEBOUNCE);
        }
        Some(if lost {
            Changes::All
        } else {
            Changes::Paths(batch)
        })
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
