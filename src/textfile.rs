//! Reading a file as shared text (`Arc<str>`), without copying it.
//!
//! A `String` read and then made into an `Arc<str>` is copied whole into a new allocation:
//! for the ten thousand articles and the anchor record of a large site, some 70 MB copied
//! into freshly faulted memory on every build. [`read`] reads the bytes into the shared
//! allocation itself and checks them there.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum Unreadable {
    Io(std::io::Error),
    /// Not UTF-8: the bytes before `valid_up_to` are.
    NotUtf8 {
        valid_up_to: usize,
    },
}

/// The largest file read into its shared allocation at once.
const AT_ONCE: usize = 1 << 30;

/// The text of the file at `path`.
pub fn read(path: &Path) -> Result<Arc<str>, Unreadable> {
    read_with_meta(path).map(|(text, _)| text)
}

/// The text of the file at `path`, and what the file was just before it was read.
pub fn read_with_meta(path: &Path) -> Result<(Arc<str>, std::fs::Metadata), Unreadable> {
    let mut file = std::fs::File::open(path).map_err(Unreadable::Io)?;
    let meta = file.metadata().map_err(Unreadable::Io)?;
    let len = meta.len();
    let bytes = match usize::try_from(len) {
        Ok(len) if len <= AT_ONCE => read_exactly(&mut file, len).map_err(Unreadable::Io)?,
        _ => None,
    };
    // A file whose length changed while it was read is read again as a stream, and so is
    // a huge one (a stream that cannot be held is an error, where an allocation of its
    // announced length that fails would end the process).
    let (bytes, meta): (Arc<[u8]>, _) = match bytes {
        Some(bytes) => (bytes, meta),
        None => {
            let mut file = std::fs::File::open(path).map_err(Unreadable::Io)?;
            let meta = file.metadata().map_err(Unreadable::Io)?;
            let mut all = Vec::new();
            file.read_to_end(&mut all).map_err(Unreadable::Io)?;
            (all.into(), meta)
        }
    };
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(Unreadable::NotUtf8 {
            valid_up_to: e.valid_up_to(),
        });
    }
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the layout of `[u8]`:
    // the pointer is the same allocation, read as the text it holds.
    let text = unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) };
    Ok((text, meta))
}

/// The next `len` bytes of `file`, read into a shared allocation, when the file ends there.
fn read_exactly(file: &mut std::fs::File, len: usize) -> std::io::Result<Option<Arc<[u8]>>> {
    // SAFETY: zeroed bytes are bytes. (Zeroed, a large allocation is the system's own
    // zeroed pages, written once, by the read.)
    let mut bytes: Arc<[u8]> = unsafe { Arc::new_zeroed_slice(len).assume_init() };
    let Some(buf) = Arc::get_mut(&mut bytes) else {
        return Ok(None);
    };
    // Shorter than announced, or longer: not these bytes alone.
    match file.read_exact(buf) {
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        read => read?,
    }
    let ended = file.read(&mut [0u8; 1])? == 0;
    Ok(ended.then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_as_its_text_or_says_where_it_is_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        for text in ["", "plain", "Café ☕ and more\n"] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(&*read(&path).unwrap(), text);
        }
        std::fs::write(&path, b"ok\xffno").unwrap();
        assert!(matches!(
            read(&path),
            Err(Unreadable::NotUtf8 { valid_up_to: 2 })
        ));
        assert!(matches!(
            read(&dir.path().join("none.md")),
            Err(Unreadable::Io(e)) if e.kind() == std::io::ErrorKind::NotFound
        ));
        // A folder is no text.
        assert!(matches!(read(dir.path()), Err(Unreadable::Io(_))));
    }
}
