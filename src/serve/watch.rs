//! Watching: notify reports changes under `content/`, `themes/` and `book.toml`; this module
//! drops the noise (the output folder, hidden files, editors' temporary files) and gathers a
//! burst of changes into one batch after a short quiet time.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

/// How long the files must stay quiet before a rebuild starts.
pub const DEBOUNCE: Duration = Duration::from_millis(25);

/// A running watcher and the batches of changed paths it produces.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    rx: Receiver<PathBuf>,
    /// Folders to watch that did not exist yet (a `themes/` folder made while serving).
    missing: Vec<PathBuf>,
}

impl Watch {
    /// Watches the site at `root`; paths under `ignore` are never reported.
    pub fn start(root: &Path, watched: &[PathBuf], ignore: Vec<PathBuf>) -> notify::Result<Watch> {
        let (tx, rx) = channel();
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                let Ok(event) = res else { return };
                if matches!(event.kind, EventKind::Access(_)) {
                    return;
                }
                for p in event.paths {
                    if !ignore.iter().any(|i| p.starts_with(i)) && !is_noise(&p) {
                        let _ = tx.send(p);
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

    /// Starts watching the folders that have been made since, with everything in them.
    fn watch_new_folders(&mut self) {
        let watcher = &mut self.watcher;
        self.missing
            .retain(|dir| !(dir.is_dir() && watcher.watch(dir, RecursiveMode::Recursive).is_ok()));
    }

    /// Blocks until something changes, then returns every path changed until a quiet time.
    pub fn next_batch(&mut self) -> Option<Vec<PathBuf>> {
        let first = self.rx.recv().ok()?;
        self.gather(first)
    }

    /// [`Watch::next_batch`], but waits at most `wait` for the first change: `Some(None)`
    /// when nothing changed by then.
    pub fn next_batch_within(&mut self, wait: Duration) -> Option<Option<Vec<PathBuf>>> {
        match self.rx.recv_timeout(wait) {
            Ok(first) => self.gather(first).map(Some),
            Err(RecvTimeoutError::Timeout) => Some(None),
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    fn gather(&mut self, first: PathBuf) -> Option<Vec<PathBuf>> {
        if !self.missing.is_empty() {
            self.watch_new_folders();
        }
        let mut batch = vec![first];
        loop {
            match self.rx.recv_timeout(DEBOUNCE) {
                Ok(p) => {
                    if !batch.contains(&p) {
                        batch.push(p);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Some(batch),
                Err(RecvTimeoutError::Disconnected) => return Some(batch),
            }
        }
    }
}

/// Hidden files and what editors write while saving: `.file.swp`, `file~`, `4913`, `.#file`.
pub fn is_noise(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return true;
    };
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
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
            "content/4913",
            "content/.#a.md",
            "x/.stepbook-tmp-1/a.html",
        ] {
            assert!(is_noise(Path::new(p)), "{p}");
        }
        assert!(!is_noise(Path::new("content/a.md")));
        assert!(!is_noise(Path::new(
            "themes/brand/static/assets/stepbook.css"
        )));
    }
}
