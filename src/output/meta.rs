//! What a build needs to know of a file or folder of an output ([`Meta`]), read by its path
//! from an open folder ([`Folder`]).
//!
//! A build looks at every file of the spare and every folder of both outputs, some
//! hundred thousand entries at 10,000 articles, and the kernel resolves each path one name
//! at a time: the site's own path, repeated in each, was half of that work. On Linux a
//! [`Folder`] holds the folder open and asks for `section/article/index.html` from it
//! (`fstatat`), so only the names within the output are resolved; elsewhere it joins the
//! paths as before.

use std::fs;
use std::path::{Path, PathBuf};

/// What a file or folder is, as `lstat` says: a link is neither a file nor a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    File,
    Folder,
    Other,
}

/// A file's or folder's kind, size, inode, links, and modification and change times in
/// nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Meta {
    pub kind: Kind,
    pub len: u64,
    pub inode: u64,
    pub links: u64,
    pub modified: i128,
    pub changed: i128,
}

impl Meta {
    pub fn is_dir(&self) -> bool {
        self.kind == Kind::Folder
    }

    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }

    /// The modification time as a manifest records it: nanoseconds since the epoch, 0 for a
    /// time before it.
    pub fn modified_ns(&self) -> u128 {
        u128::try_from(self.modified).unwrap_or(0)
    }

    /// What `lstat` says of `path`.
    pub fn of(path: &Path) -> Option<Meta> {
        fs::symlink_metadata(path).ok().map(|m| Meta::from(&m))
    }
}

impl From<&fs::Metadata> for Meta {
    #[cfg(unix)]
    fn from(m: &fs::Metadata) -> Meta {
        use std::os::unix::fs::MetadataExt;
        Meta {
            kind: kind(m.file_type()),
            len: m.len(),
            inode: m.ino(),
            links: m.nlink(),
            modified: ns(m.mtime(), m.mtime_nsec()),
            changed: ns(m.ctime(), m.ctime_nsec()),
        }
    }

    #[cfg(not(unix))]
    fn from(m: &fs::Metadata) -> Meta {
        let since = |t: std::io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128)
        };
        Meta {
            kind: kind(m.file_type()),
            len: m.len(),
            inode: 0,
            links: 1,
            modified: since(m.modified()),
            changed: 0,
        }
    }
}

fn kind(t: fs::FileType) -> Kind {
    if t.is_file() {
        Kind::File
    } else if t.is_dir() {
        Kind::Folder
    } else {
        Kind::Other
    }
}

/// A time given in seconds and nanoseconds, in nanoseconds.
pub(super) fn ns(seconds: i64, nanos: i64) -> i128 {
    i128::from(seconds) * 1_000_000_000 + i128::from(nanos)
}

/// A folder, held open where the system allows, whose entries are looked at by their path
/// within it.
pub(super) struct Folder {
    path: PathBuf,
    #[cfg(target_os = "linux")]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Folder {
    /// The folder at `path`; one that cannot be opened is looked into by joined paths.
    pub fn open(path: &Path) -> Folder {
        Folder {
            path: path.to_path_buf(),
            #[cfg(target_os = "linux")]
            fd: open_path(path),
        }
    }

    /// What `lstat` says of `rel` within the folder (of the folder itself for `""`).
    pub fn meta(&self, rel: &str) -> Option<Meta> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd
            && !rel.is_empty()
        {
            return stat_at(fd, rel);
        }
        Meta::of(&super::joined(&self.path, rel))
    }
}

/// The folder at `path`, opened only to name it (`O_PATH`): nothing in it is read.
#[cfg(target_os = "linux")]
fn open_path(path: &Path) -> Option<std::os::fd::OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)
        .ok()?;
    Some(file.into())
}

/// `fstatat(fd, rel, AT_SYMLINK_NOFOLLOW)`: what `lstat` says of `fd`'s `rel`.
#[cfg(target_os = "linux")]
fn stat_at(fd: &std::os::fd::OwnedFd, rel: &str) -> Option<Meta> {
    use std::os::fd::AsRawFd;
    // The path with its closing NUL, on the stack when it is short (nearly always).
    let mut buf = [0u8; 256];
    let heap;
    let name: &[u8] = if rel.len() < buf.len() {
        buf[..rel.len()].copy_from_slice(rel.as_bytes());
        &buf[..=rel.len()]
    } else {
        heap = std::ffi::CString::new(rel).ok()?;
        heap.as_bytes_with_nul()
    };
    let name = std::ffi::CStr::from_bytes_with_nul(name).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `name` is a NUL-terminated string and `st` a buffer of the size `fstatat`
    // fills; it is read only when the call succeeded, which fills it whole.
    let st = unsafe {
        if libc::fstatat(
            fd.as_raw_fd(),
            name.as_ptr(),
            st.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        ) != 0
        {
            return None;
        }
        st.assume_init()
    };
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFREG => Kind::File,
        libc::S_IFDIR => Kind::Folder,
        _ => Kind::Other,
    };
    // The fields' types vary from one Linux target to another (`nlink_t` is 32 bits on
    // some, `time_t` on 32-bit ones): each is widened, which is no conversion on others.
    #[allow(clippy::useless_conversion)]
    let meta = Meta {
        kind,
        len: st.st_size as u64,
        inode: u64::from(st.st_ino),
        links: u64::from(st.st_nlink),
        modified: ns(i64::from(st.st_mtime), i64::from(st.st_mtime_nsec)),
        changed: ns(i64::from(st.st_ctime), i64::from(st.st_ctime_nsec)),
    };
    Some(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_says_of_its_entries_what_their_paths_say() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/index.html"), "<p>hi</p>").unwrap();
        fs::hard_link(root.join("a/b/index.html"), root.join("a/linked.html")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("b", root.join("a/to-b")).unwrap();
        let folder = Folder::open(root);
        for rel in ["a", "a/b", "a/b/index.html", "a/linked.html", "a/to-b"] {
            let by_path = Meta::of(&root.join(rel));
            assert_eq!(folder.meta(rel), by_path, "{rel}");
            assert!(by_path.is_some(), "{rel}");
        }
        let file = folder.meta("a/b/index.html").unwrap();
        assert!(file.is_file() && !file.is_dir());
        assert_eq!((file.len, file.links), (9, 2));
        assert!(folder.meta("a/b").unwrap().is_dir());
        #[cfg(unix)]
        assert_eq!(folder.meta("a/to-b").unwrap().kind, Kind::Other);
        // The folder itself; missing, or a name no path can hold.
        assert_eq!(folder.meta(""), Meta::of(root));
        assert_eq!(folder.meta("a/none.html"), None);
        assert_eq!(folder.meta("a/\0b"), None);
        let long = "x/".repeat(200);
        assert_eq!(folder.meta(&long), Meta::of(&root.join(&long)));
        // A folder that cannot be opened: joined paths, which find nothing either.
        let gone = Folder::open(&root.join("gone"));
        assert_eq!(gone.meta("a"), None);
        // The manifest's modification time is the one std reads.
        let std_time = fs::symlink_metadata(root.join("a/b/index.html"))
            .unwrap()
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        assert_eq!(file.modified_ns(), std_time);
    }
}
