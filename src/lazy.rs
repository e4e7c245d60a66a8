//! A value that the build cache reads back still encoded, and decodes the first time it is
//! read.
//!
//! A cached build keeps most rendered bodies as they were, and most of what a body holds
//! (its search outline, its steps) is read again only when the body changes: decoding it for
//! every page would be most of the work of reading the cache. A [`Lazy`] value holds its
//! encoding as the cache read it and decodes it on first use; a value made in this run is
//! held decoded. Either way it has a digest of the value, so hashing it (for a key, or a
//! page's facts) does not need the value: the digest is the hash of its encoding, a pure
//! function of the value whichever way it was made. A value read back comes with its digest;
//! a value made in this run is encoded for it when it is first asked for (or written), so a
//! value never hashed costs no encoding.
//!
//! A value is written as its digest and its encoding. Written [`apart`], as a memo shard
//! writes its entries, the encoding goes to a buffer of its own (the shard's stored part)
//! and only its length stays in line; read back [`from_part`], the value is a range of that
//! part, which is read from the file only when a value of it is first decoded
//! ([`crate::stored::Part`]). After a one-page edit, a cached build then reads none of the
//! encodings of the pages it keeps.

use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, Range};
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stored::Part;

/// A shared value, decoded when first read; cloning it is cheap, and a clone shares its
/// decoding and its digest with the value it was cloned from.
pub struct Lazy<T>(Arc<Inner<T>>);

struct Inner<T> {
    /// Read back with the encoding; worked out when first asked for a value made in this run.
    digest: OnceLock<u64>,
    value: OnceLock<Arc<T>>,
    /// The value's encoding as the cache held it, until it is decoded (then the value is
    /// held alone, not both); `None` for a value made in this run.
    encoded: Mutex<Option<Encoded>>,
}

/// Where the encoding of a value read back is.
#[derive(Clone)]
enum Encoded {
    /// Read in line.
    Bytes(Arc<[u8]>),
    /// A range of a cache file's stored part, not read yet perhaps.
    Stored(Arc<Part>, Range<usize>),
}

impl Encoded {
    /// The bytes; `None` when they are in a part that cannot be read as it was written.
    fn bytes(&self) -> Option<&[u8]> {
        match self {
            Encoded::Bytes(b) => Some(b),
            Encoded::Stored(part, at) => part.bytes()?.get(at.clone()),
        }
    }
}

impl<T: Serialize + DeserializeOwned + Default> Lazy<T> {
    /// Holds `value`, decoded.
    pub fn new(value: T) -> Lazy<T> {
        Lazy(Arc::new(Inner {
            digest: OnceLock::new(),
            value: OnceLock::from(Arc::new(value)),
            encoded: Mutex::new(None),
        }))
    }

    /// The value, decoded now if it was not yet. A value whose stored part cannot be read as
    /// it was written (its file changed under the build) reads as the default, and its part,
    /// which it keeps, says it failed: the build then fails rather than publish what it made
    /// of it.
    pub fn get(&self) -> &Arc<T> {
        self.0.value.get_or_init(|| {
            let encoded = self.encoded().take();
            // The bytes are the ones this type encoded: the cache checks every file's hash
            // before anything in it is read, and a part's hash before its bytes are.
            let bytes = encoded.as_ref().and_then(Encoded::bytes);
            let failed = bytes.is_none();
            let value = bytes
                .map(|bytes| {
                    in_line(|| postcard::from_bytes(bytes))
                        .expect("a cached value decodes as it was encoded")
                })
                .unwrap_or_default();
            // A part that failed stays named, for the build to see that it did.
            if failed {
                *self.encoded() = encoded;
            }
            Arc::new(value)
        })
    }

    /// The hash of the value's encoding: equal values have equal digests.
    pub fn digest(&self) -> u64 {
        *(self.0.digest).get_or_init(|| xxhash_rust::xxh3::xxh3_64(&encode(&**self.get())))
    }

    /// Whether the value was decoded (or made) in this run.
    pub fn is_decoded(&self) -> bool {
        self.0.value.get().is_some()
    }

    /// Copies the encoding of a value still in a stored part out of it, so that the part is
    /// freed once no value needs it: for a build that reads every value of the part, and would
    /// otherwise hold the encodings of the values it decoded for as long as one is not.
    pub fn detach(&self) {
        let mut encoded = self.encoded();
        if let Some(Encoded::Stored(part, at)) = &*encoded
            && let Some(bytes) = part.bytes().and_then(|b| b.get(at.clone()))
        {
            *encoded = Some(Encoded::Bytes(bytes.into()));
        }
    }
}

impl<T> Lazy<T> {
    /// The digest, taken from `bytes` (the value's encoding) when it is not known yet.
    fn digest_of(&self, bytes: &[u8]) -> u64 {
        *(self.0.digest).get_or_init(|| xxhash_rust::xxh3::xxh3_64(bytes))
    }

    fn encoded(&self) -> std::sync::MutexGuard<'_, Option<Encoded>> {
        // Nothing panics while holding the lock.
        (self.0.encoded)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Where the values written or read on this thread keep their encodings, when not in line.
enum Apart {
    /// Written to this buffer.
    Writing(Vec<u8>),
    /// Read from this part, from this offset on.
    Reading(Arc<Part>, usize),
}

thread_local! {
    static APART: RefCell<Option<Apart>> = const { RefCell::new(None) };
}

/// Sets this thread's [`Apart`] for as long as it lives, and puts back the one before when
/// dropped, on a panic too: a thread of the pool that survives it must not keep writing or
/// reading apart.
struct Setting(Option<Apart>);

impl Setting {
    fn new(apart: Option<Apart>) -> Setting {
        Setting(APART.replace(apart))
    }

    /// What the thread's setting became; the one before is put back as it drops.
    fn end(self) -> Option<Apart> {
        APART.take()
    }
}

impl Drop for Setting {
    fn drop(&mut self) {
        APART.set(self.0.take());
    }
}

/// This thread's buffer of encodings written apart, taken out while a value is encoded into
/// it, and put back when dropped: with the value's encoding once it is written whole, as it
/// was before otherwise (an error or a panic leaves no half of one in the part). The slot
/// holds an empty buffer meanwhile, which nothing writes to: the value is encoded
/// [`in_line`], so what it holds is written in line, not apart.
struct Taken {
    out: Vec<u8>,
    /// Where the value's encoding starts.
    start: usize,
    /// Whether the value's encoding was written whole (else it is cut off when put back).
    done: bool,
}

impl Taken {
    /// The buffer, when this thread writes apart.
    fn writing() -> Option<Taken> {
        APART.with_borrow_mut(|apart| match apart {
            Some(Apart::Writing(out)) => {
                let out = std::mem::take(out);
                let start = out.len();
                Some(Taken {
                    out,
                    start,
                    done: false,
                })
            }
            _ => None,
        })
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        let mut out = std::mem::take(&mut self.out);
        if !self.done {
            out.truncate(self.start);
        }
        APART.with_borrow_mut(|apart| {
            debug_assert!(
                matches!(apart, Some(Apart::Writing(slot)) if slot.is_empty()),
                "the slot is as the buffer left it"
            );
            if let Some(Apart::Writing(slot)) = apart {
                *slot = out;
            }
        });
    }
}

/// Runs `write`, which encodes values, with the encodings of the [`Lazy`] values it writes
/// appended to `out` rather than written in line; a reader gives the same `out` to
/// [`from_part`] as a part of a file.
pub fn apart<R>(out: &mut Vec<u8>, write: impl FnOnce() -> R) -> R {
    let setting = Setting::new(Some(Apart::Writing(std::mem::take(out))));
    let r = write();
    if let Some(Apart::Writing(written)) = setting.end() {
        *out = written;
    }
    r
}

/// Runs `read`, which decodes values written [`apart`], with the encodings of the [`Lazy`]
/// values it reads taken as ranges of `part` from offset `at` on, in the order written.
/// Returns where the last of them ended: a reader checks that they fill the part.
pub fn from_part<R>(part: &Arc<Part>, at: usize, read: impl FnOnce() -> R) -> (R, usize) {
    let setting = Setting::new(Some(Apart::Reading(part.clone(), at)));
    let r = read();
    let end = match setting.end() {
        Some(Apart::Reading(_, end)) => end,
        _ => at,
    };
    (r, end)
}

/// Runs `f` with values written and read in line: a value's own encoding holds the values
/// in it whole.
fn in_line<R>(f: impl FnOnce() -> R) -> R {
    let _setting = Setting::new(None);
    f()
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    in_line(|| postcard::to_allocvec(value)).expect("an in-memory value encodes")
}

/// `value` encoded (postcard) at the end of `out`, rather than in a buffer of its own that
/// would be copied there.
pub(crate) fn encode_into<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> postcard::Result<()> {
    struct Append<'a>(&'a mut Vec<u8>);
    impl postcard::ser_flavors::Flavor for Append<'_> {
        type Output = ();
        fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
            self.0.push(byte);
            Ok(())
        }
        fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
        fn finalize(self) -> postcard::Result<()> {
            Ok(())
        }
    }
    postcard::serialize_with_flavor(value, Append(out))
}

impl<T> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy(self.0.clone())
    }
}

impl<T: Serialize + DeserializeOwned + Default> Default for Lazy<T> {
    fn default() -> Self {
        Lazy::new(T::default())
    }
}

impl<T: Serialize + DeserializeOwned + Default> Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T: Serialize + DeserializeOwned + Default> From<T> for Lazy<T> {
    fn from(value: T) -> Self {
        Lazy::new(value)
    }
}

impl<A, T: Serialize + DeserializeOwned + Default + FromIterator<A>> FromIterator<A> for Lazy<T> {
    fn from_iter<I: IntoIterator<Item = A>>(items: I) -> Self {
        Lazy::new(items.into_iter().collect())
    }
}

impl<'a, T: Serialize + DeserializeOwned + Default> IntoIterator for &'a Lazy<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&**self.get()).into_iter()
    }
}

impl<T: Serialize + DeserializeOwned + Default> Hash for Lazy<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest().hash(state);
    }
}

impl<T: Serialize + DeserializeOwned + Default> PartialEq for Lazy<T> {
    fn eq(&self, other: &Self) -> bool {
        self.digest() == other.digest()
    }
}

impl<T: Serialize + DeserializeOwned + Default> Eq for Lazy<T> {}

impl<T: Serialize + DeserializeOwned + Default + fmt::Debug> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// Written as its digest and its encoding (in line, or apart with its length in line): a
/// value read back and never decoded is written as it was read, one decoded is encoded
/// again. A value whose stored part cannot be read as it was written (decoded or not: a value
/// that read as the default keeps its part) is not written.
impl<T: Serialize + DeserializeOwned + Default> Serialize for Lazy<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeTuple};
        // Still encoded: never decoded, since decoding takes the encoding. Otherwise the value
        // is there, or being decoded on another thread (`get` waits for it).
        let still = self.encoded().clone();
        let bytes = match &still {
            Some(e) => Some(e.bytes().ok_or_else(|| {
                S::Error::custom("a stored part of the cache changed while it was read")
            })?),
            None => None,
        };
        let mut t = s.serialize_tuple(2)?;
        // Written apart, the encoding goes straight to the part: a value made in this run is
        // encoded there rather than in a buffer of its own.
        if let Some(mut taken) = Taken::writing() {
            let out = &mut taken.out;
            match bytes {
                Some(bytes) => out.extend_from_slice(bytes),
                None => in_line(|| encode_into(&**self.get(), out)).map_err(S::Error::custom)?,
            }
            let written = &out[taken.start..];
            let (digest, len) = (self.digest_of(written), written.len() as u64);
            taken.done = true;
            drop(taken);
            t.serialize_element(&digest)?;
            t.serialize_element(&len)?;
            return t.end();
        }
        let made;
        let bytes = match bytes {
            Some(bytes) => bytes,
            None => {
                made = encode(&**self.get());
                &made[..]
            }
        };
        t.serialize_element(&self.digest_of(bytes))?;
        t.serialize_element(&Bytes(bytes))?;
        t.end()
    }
}

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let from_part = APART.with_borrow(|a| matches!(a, Some(Apart::Reading(..))));
        let (digest, encoded) = if from_part {
            let (digest, len) = <(u64, u64)>::deserialize(d)?;
            let taken = APART.with_borrow_mut(|apart| {
                let Some(Apart::Reading(part, at)) = apart else {
                    return None;
                };
                let end = at.checked_add(usize::try_from(len).ok()?)?;
                (end <= part.len()).then(|| {
                    let range = *at..end;
                    *at = end;
                    Encoded::Stored(part.clone(), range)
                })
            });
            let encoded =
                taken.ok_or_else(|| D::Error::custom("a value runs past its stored part"))?;
            (digest, encoded)
        } else {
            let (digest, bytes) = <(u64, ByteBuf)>::deserialize(d)?;
            (digest, Encoded::Bytes(bytes.0))
        };
        Ok(Lazy(Arc::new(Inner {
            digest: OnceLock::from(digest),
            value: OnceLock::new(),
            encoded: Mutex::new(Some(encoded)),
        })))
    }
}

/// Bytes written as one run (`serialize_bytes`), not as a sequence of numbers.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// Bytes read as one run, as [`Bytes`] writes them, copied once out of the buffer read.
struct ByteBuf(Arc<[u8]>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.into()))
            }
        }
        d.deserialize_bytes(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    #[derive(Debug, Default, Clone, PartialEq, Hash, Serialize, Deserialize)]
    struct Value {
        words: Vec<String>,
        n: u64,
    }

    fn value() -> Value {
        Value {
            words: vec!["open".into(), "settings".into()],
            n: 7,
        }
    }

    #[test]
    fn a_value_read_back_is_decoded_when_first_read_and_equals_the_one_written() {
        let made = Lazy::new(value());
        assert!(made.is_decoded());
        let bytes = postcard::to_allocvec(&made).unwrap();
        let read: Lazy<Value> = postcard::from_bytes(&bytes).unwrap();
        assert!(!read.is_decoded());
        assert_eq!(read.digest(), made.digest());
        assert_eq!(*read, value());
        assert!(read.is_decoded());
    }

    #[test]
    fn a_value_never_decoded_is_written_again_as_it_was_read() {
        let bytes = postcard::to_allocvec(&Lazy::new(value())).unwrap();
        let read: Lazy<Value> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(postcard::to_allocvec(&read).unwrap(), bytes);
        assert!(!read.is_decoded());
    }

    #[test]
    fn a_value_decoded_is_held_alone_and_written_again_as_it_was_read() {
        let bytes = postcard::to_allocvec(&Lazy::new(value())).unwrap();
        let read: Lazy<Value> = postcard::from_bytes(&bytes).unwrap();
        let copy = read.clone();
        assert_eq!(read.get().n, 7);
        assert!(read.encoded().is_none());
        assert_eq!(postcard::to_allocvec(&read).unwrap(), bytes);
        // A clone made before shares the decoding.
        assert!(copy.is_decoded() && Arc::ptr_eq(copy.get(), read.get()));
        assert_eq!(postcard::to_allocvec(&copy).unwrap(), bytes);
    }

    #[test]
    fn a_clone_made_before_the_digest_shares_it() {
        let made = Lazy::new(value());
        let copy = made.clone();
        let digest = made.digest();
        assert_eq!(copy.0.digest.get(), Some(&digest));
    }

    #[test]
    fn the_digest_is_the_hash_of_the_encoding() {
        let long = Value {
            words: (0..200).map(|i| format!("word{i}")).collect(),
            n: u64::MAX,
        };
        for v in [value(), long, Value::default()] {
            let want = xxhash_rust::xxh3::xxh3_64(&postcard::to_allocvec(&v).unwrap());
            assert_eq!(Lazy::new(v).digest(), want);
        }
    }

    #[test]
    fn equal_values_have_equal_digests_and_others_do_not() {
        assert_eq!(Lazy::new(value()).digest(), Lazy::new(value()).digest());
        let mut other = value();
        other.n = 8;
        assert_ne!(Lazy::new(other).digest(), Lazy::new(value()).digest());
    }

    /// `values` written apart, as a memo shard writes them: the file (3 bytes of head, then
    /// 6 of something else, then the encodings), its part, and the values' in-line bytes.
    fn written_apart(dir: &Path, values: &[Lazy<Value>]) -> (PathBuf, Arc<Part>, Vec<u8>) {
        let mut apart_ = Vec::new();
        let entries = apart(&mut apart_, || postcard::to_allocvec(values)).unwrap();
        let path = dir.join("memo-00.bin");
        let mut file = b"abc<p/>xx".to_vec();
        file.extend_from_slice(&apart_);
        std::fs::write(&path, &file).unwrap();
        let digest = xxhash_rust::xxh3::xxh3_64(&file[3..]);
        let part = Part::new(&path, 3, file.len() - 3, digest);
        (path, part, entries)
    }

    #[test]
    fn values_written_apart_read_back_as_ranges_of_their_part_read_when_first_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let mut other = value();
        other.n = 8;
        let values = [Lazy::new(value()), Lazy::new(other.clone())];
        let (path, part, entries) = written_apart(dir.path(), &values);
        // In line, only the digests and lengths: the digests of the encodings the part holds,
        // one after the other (a value made in this run is encoded there as it is in line).
        let encodings: Vec<Vec<u8>> = values.iter().map(|v| encode(&**v)).collect();
        let lengths: Vec<(u64, u64)> = (encodings.iter())
            .map(|e| (xxhash_rust::xxh3::xxh3_64(e), e.len() as u64))
            .collect();
        assert_eq!(entries, postcard::to_allocvec(&lengths).unwrap());
        assert_eq!(std::fs::read(&path).unwrap()[3 + 6..], encodings.concat());
        let (read, end) = from_part(&part, 6, || {
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries).unwrap()
        });
        assert_eq!(end, part.len(), "the values fill the part");
        assert!(!part.is_read(), "the part was read with the entries");
        // Never decoded, written apart again: the same entries, and the same encodings (read
        // from a file of their own).
        let other_dir = tempfile::tempdir().unwrap();
        let (_, unread, _) = written_apart(other_dir.path(), &values);
        let (fresh, _) = from_part(&unread, 6, || {
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries).unwrap()
        });
        let mut apart_again = Vec::new();
        let entries_again = apart(&mut apart_again, || postcard::to_allocvec(&fresh)).unwrap();
        assert_eq!(
            (entries_again, apart_again),
            (entries.clone(), encodings.concat())
        );
        assert!(fresh.iter().all(|v| !v.is_decoded()));
        assert_eq!(read[1].digest(), values[1].digest());
        assert!(!part.is_read(), "the part was read for a digest");
        assert_eq!(*read[1], other);
        assert!(part.is_read() && !read[0].is_decoded());
        assert_eq!(*read[0], value());
        // Written again, apart or in line, as they were written.
        let (_, _, again) = written_apart(dir.path(), &read);
        assert_eq!(again, entries);
        assert_eq!(
            postcard::to_allocvec(&read).unwrap(),
            postcard::to_allocvec(&values[..]).unwrap()
        );
        // Detached, a value no longer needs its part.
        let detached = from_part(&part, 6, || {
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries).unwrap()
        })
        .0;
        let weak = Arc::downgrade(&part);
        detached.iter().for_each(Lazy::detach);
        drop((read, part));
        assert!(weak.upgrade().is_none(), "a detached value holds its part");
        assert_eq!(*detached[1], other);
        // Read back out of the part's bounds: refused, never a panic.
        let short = Part::new(&path, 3, 10, 0);
        let (refused, _) = from_part(&short, 6, || {
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries)
        });
        assert!(refused.is_err());
    }

    #[test]
    fn a_value_in_a_value_written_apart_is_written_in_line_in_its_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let nested: Lazy<Vec<Lazy<Value>>> = Lazy::new(vec![Lazy::new(value())]);
        let mut apart_ = Vec::new();
        let entries = apart(&mut apart_, || postcard::to_allocvec(&nested)).unwrap();
        // The outer value's encoding is the one it has in line, inner value and all.
        assert_eq!(apart_, encode(&*nested));
        let path = dir.path().join("memo-00.bin");
        std::fs::write(&path, &apart_).unwrap();
        let part = Part::new(&path, 0, apart_.len(), xxhash_rust::xxh3::xxh3_64(&apart_));
        let (read, _) = from_part(&part, 0, || {
            postcard::from_bytes::<Lazy<Vec<Lazy<Value>>>>(&entries).unwrap()
        });
        assert_eq!(*read[0], value());
    }

    #[test]
    fn a_value_whose_part_changed_reads_as_the_default_and_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let (path, part, entries) = written_apart(dir.path(), &[Lazy::new(value())]);
        let (read, _) = from_part(&part, 6, || {
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries).unwrap()
        });
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let weak = Arc::downgrade(&part);
        drop(part);
        assert_eq!(*read[0], Value::default());
        let part = weak.upgrade().expect("a value of a failed part keeps it");
        assert!(part.failed());
        let unread: Vec<Lazy<Value>> =
            from_part(&part, 6, || postcard::from_bytes(&entries).unwrap()).0;
        assert_eq!(
            postcard::to_allocvec(&unread).unwrap_err().to_string(),
            "Serde Serialization Error"
        );
    }

    /// A value whose encoding fails halfway: with an error, or a panic.
    #[derive(Default, Deserialize)]
    struct Halfway {
        panics: bool,
    }

    impl Serialize for Halfway {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::{Error, SerializeTuple};
            let mut t = s.serialize_tuple(2)?;
            t.serialize_element(&"the first half")?;
            if self.panics {
                panic!("a value that cannot be encoded");
            }
            Err(S::Error::custom("a value that cannot be encoded"))
        }
    }

    #[test]
    fn a_value_whose_encoding_fails_leaves_nothing_of_it_in_the_part() {
        let mut out = Vec::new();
        let refused = Lazy::new(Halfway { panics: false });
        let entries = apart(&mut out, || {
            let first = postcard::to_allocvec(&Lazy::new(value())).unwrap();
            assert!(postcard::to_allocvec(&refused).is_err());
            let panicking = Lazy::new(Halfway { panics: true });
            let panicked = std::panic::catch_unwind(|| postcard::to_allocvec(&panicking));
            assert!(panicked.is_err());
            // Still written apart, after the first value's encoding.
            let second = postcard::to_allocvec(&Lazy::new(value())).unwrap();
            [first, second].concat()
        });
        assert_eq!(out, [encode(&value()), encode(&value())].concat());
        let len = encode(&value()).len() as u64;
        let digest = Lazy::new(value()).digest();
        assert_eq!(
            entries,
            postcard::to_allocvec(&[(digest, len), (digest, len)]).unwrap()
        );
        // No digest of half an encoding.
        assert!(refused.0.digest.get().is_none());
    }

    #[test]
    fn a_value_written_while_values_are_read_from_a_part_leaves_the_reading_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let values = [Lazy::new(value())];
        let (_, part, entries) = written_apart(dir.path(), &values);
        let (read, end) = from_part(&part, 6, || {
            let written = postcard::to_allocvec(&Lazy::new(value())).unwrap();
            assert!(written.ends_with(&encode(&value())), "written in line");
            postcard::from_bytes::<Vec<Lazy<Value>>>(&entries).unwrap()
        });
        assert_eq!(end, part.len());
        assert_eq!(*read[0], value());
    }

    #[test]
    fn a_panic_while_writing_apart_leaves_the_thread_writing_in_line() {
        let mut out = Vec::new();
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            apart(&mut out, || panic!("a write that fails"))
        }));
        assert!(panicked.is_err());
        let bytes = postcard::to_allocvec(&Lazy::new(value())).unwrap();
        // In line: the value's whole encoding is in the bytes written.
        assert!(bytes.ends_with(&encode(&value())), "{bytes:?}");
        let read: Lazy<Value> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(*read, value());
    }
}
