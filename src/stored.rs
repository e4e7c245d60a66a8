//! A part of a build cache file that is read only when first needed.
//!
//! A memo shard of the cache ends with what most cached builds never read: the HTML of its
//! bodies ([`crate::markdown::html::Html`]) and the encodings of their outlines, steps and
//! other [`crate::lazy::Lazy`] values. Reading the shard back leaves them in the file, as a
//! [`Part`] that its values share: the part is read whole, once, and checked against its hash
//! when one of them is first read (in a build, and before a save replaces the file).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A part of a cache file: where it is in the file, how long, and its hash; read when first
/// needed. The file is opened again then (not held open: a save replaces it); the hash tells
/// whether it still holds what was written. A part that cannot be read as it was written
/// (the file changed under the build) has no bytes and says so ([`Part::failed`]); what read
/// it keeps it, and the build that read it then fails rather than publish what it read, and
/// removes the file from the cache.
pub struct Part {
    path: PathBuf,
    at: u64,
    len: usize,
    digest: u64,
    bytes: OnceLock<Option<Box<[u8]>>>,
}

impl Part {
    /// The `len` bytes at `at` in the file at `path`, whose xxh3 hash is `digest`.
    pub fn new(path: &Path, at: u64, len: usize, digest: u64) -> Arc<Part> {
        Arc::new(Part {
            path: path.to_path_buf(),
            at,
            len,
            digest,
            bytes: OnceLock::new(),
        })
    }

    /// The part's bytes, read now if they were not yet; `None` when they are not the bytes
    /// written.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.bytes
            .get_or_init(|| {
                read_part(&self.path, self.at, self.len)
                    .filter(|b| xxhash_rust::xxh3::xxh3_64(b) == self.digest)
                    .map(Vec::into_boxed_slice)
            })
            .as_deref()
    }

    /// How many bytes it has, as written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it was written empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether it was read (whatever it read as).
    pub fn is_read(&self) -> bool {
        self.bytes.get().is_some()
    }

    /// Whether the part can be read as it was written (read now if it was not yet).
    pub fn readable(&self) -> bool {
        self.bytes().is_some()
    }

    /// Whether the part was read and was not what was written.
    pub fn failed(&self) -> bool {
        matches!(self.bytes.get(), Some(None))
    }

    /// The cache file it is part of.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The `len` bytes at `at` in the file at `path`, when it holds that many there (a part
/// need not end the file: its hash tells whether they are the bytes written).
fn read_part(path: &Path, at: u64, len: usize) -> Option<Vec<u8>> {
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(at)).ok()?;
    let mut out = Vec::with_capacity(len);
    file.take(len as u64).read_to_end(&mut out).ok()?;
    (out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_reads_as_its_bytes_wherever_it_is_in_its_file_and_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo-00.bin");
        std::fs::write(&path, "head<first><second>").unwrap();
        let hash = |s: &str| xxhash_rust::xxh3::xxh3_64(s.as_bytes());
        let first = Part::new(&path, 4, 7, hash("<first>"));
        let second = Part::new(&path, 11, 8, hash("<second>"));
        assert!(!first.is_read() && !second.is_read());
        // One part is followed by another: read as its own bytes all the same.
        assert_eq!(first.bytes(), Some(&b"<first>"[..]));
        assert!(first.is_read() && !second.is_read());
        assert_eq!(second.bytes(), Some(&b"<second>"[..]));
        assert!(!first.failed() && !second.failed());
        // Another hash, or a file cut short: no bytes, and the part says so.
        let other = Part::new(&path, 4, 7, hash("<other>"));
        assert_eq!(other.bytes(), None);
        assert!(other.failed());
        let beyond = Part::new(&path, 11, 9, hash("<second>"));
        assert!(!beyond.readable() && beyond.failed());
    }
}
