//! Putting a finished output folder in place, and cleaning up after stopped builds.
//!
//! In: the finished temporary folder and the destination. The two trade places atomically on
//! Linux (elsewhere the old folder is renamed aside first) and the old output becomes the
//! spare. Folders left by a stopped build are removed only when they carry stepbook's
//! manifest; a folder that merely has a name like theirs is left alone.

use std::fs;
use std::path::Path;

use rayon::prelude::*;

use super::destination::spare_path;
use super::{MANIFEST, io_error, split};
use crate::diagnostics::Diagnostic;

/// Puts the finished folder `tmp` at `dest` and keeps the previous output as the spare. On
/// Linux the two trade places in one atomic step, so `dest` never goes missing; elsewhere
/// the old folder is renamed aside first.
pub(super) fn swap(tmp: &Path, dest: &Path) -> Result<(), Diagnostic> {
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
    remove_ours(old).map_err(|e| io_error(old, e))
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
pub(super) fn remove_tree(dir: &Path) -> std::io::Result<()> {
    remove_entries(dir, |_| true)?;
    fs::remove_dir(dir)
}

/// Removes a folder a build made, its manifest last: a removal stopped half way (the build
/// killed) leaves a folder that still says it is ours, which the next build removes, rather
/// than one it must leave alone.
pub(super) fn remove_ours(dir: &Path) -> std::io::Result<()> {
    remove_entries(dir, |e| e.file_name() != MANIFEST)?;
    match fs::remove_file(dir.join(MANIFEST)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    fs::remove_dir(dir)
}

/// Removes the entries of `dir` that `which` picks, and everything in them.
fn remove_entries(dir: &Path, which: impl Fn(&fs::DirEntry) -> bool + Sync) -> std::io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().filter(|e| which(e)).try_for_each(|e| {
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())
        } else {
            fs::remove_file(e.path())
        }
    })
}

/// Temporary folders left by a build that was killed: ours by name, safe to remove.
pub(super) fn remove_stale(parent: &Path, name: &str) {
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
            let _ = remove_ours(&path);
        }
    }
}

/// Whether a folder is one a build made: it carries a manifest (maybe still empty).
pub(super) fn ours(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MANIFEST)).is_ok_and(|m| m.is_file())
}
