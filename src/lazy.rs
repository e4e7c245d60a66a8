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

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A shared value, decoded when first read; cloning it is cheap, and a clone shares its
/// decoding and its digest with the value it was cloned from.
pub struct Lazy<T>(Arc<Inner<T>>);

struct Inner<T> {
    /// Read back with the encoding; worked out when first asked for a value made in this run.
    digest: OnceLock<u64>,
    value: OnceLock<Arc<T>>,
    /// The value's encoding as the cache held it, until it is decoded (then the value is
    /// held alone, not both); `None` for a value made in this run.
    encoded: Mutex<Option<Arc<[u8]>>>,
}

impl<T: Serialize + DeserializeOwned> Lazy<T> {
    /// Holds `value`, decoded.
    pub fn new(value: T) -> Lazy<T> {
        Lazy(Arc::new(Inner {
            digest: OnceLock::new(),
            value: OnceLock::from(Arc::new(value)),
            encoded: Mutex::new(None),
        }))
    }

    /// The value, decoded now if it was not yet.
    pub fn get(&self) -> &Arc<T> {
        self.0.value.get_or_init(|| {
            let bytes = self.encoded().take().unwrap_or_default();
            // The bytes are the ones this type encoded: the cache checks every file's hash
            // before anything in it is read.
            Arc::new(
                postcard::from_bytes(&bytes).expect("a cached value decodes as it was encoded"),
            )
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
}

impl<T> Lazy<T> {
    fn encoded(&self) -> std::sync::MutexGuard<'_, Option<Arc<[u8]>>> {
        // Nothing panics while holding the lock.
        (self.0.encoded)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).expect("an in-memory value encodes")
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

impl<T: Serialize + DeserializeOwned> Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.get()
    }
}

impl<T: Serialize + DeserializeOwned> From<T> for Lazy<T> {
    fn from(value: T) -> Self {
        Lazy::new(value)
    }
}

impl<A, T: Serialize + DeserializeOwned + FromIterator<A>> FromIterator<A> for Lazy<T> {
    fn from_iter<I: IntoIterator<Item = A>>(items: I) -> Self {
        Lazy::new(items.into_iter().collect())
    }
}

impl<'a, T: Serialize + DeserializeOwned> IntoIterator for &'a Lazy<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        (&**self.get()).into_iter()
    }
}

impl<T: Serialize + DeserializeOwned> Hash for Lazy<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest().hash(state);
    }
}

impl<T: Serialize + DeserializeOwned> PartialEq for Lazy<T> {
    fn eq(&self, other: &Self) -> bool {
        self.digest() == other.digest()
    }
}

impl<T: Serialize + DeserializeOwned> Eq for Lazy<T> {}

impl<T: Serialize + DeserializeOwned + fmt::Debug> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

/// Written as its digest and its encoding: a value read back and never decoded is written
/// as it was read, one decoded is encoded again.
impl<T: Serialize + DeserializeOwned> Serialize for Lazy<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        // Still encoded: never decoded, since decoding takes the encoding. Otherwise the value
        // is there, or being decoded on another thread (`get` waits for it).
        let still = self.encoded().clone();
        let made;
        let bytes: &[u8] = match &still {
            Some(e) => e,
            None => {
                made = encode(&**self.get());
                &made
            }
        };
        let digest = (self.0.digest).get_or_init(|| xxhash_rust::xxh3::xxh3_64(bytes));
        let mut t = s.serialize_tuple(2)?;
        t.serialize_element(digest)?;
        t.serialize_element(&Bytes(bytes))?;
        t.end()
    }
}

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (digest, bytes) = <(u64, ByteBuf)>::deserialize(d)?;
        Ok(Lazy(Arc::new(Inner {
            digest: OnceLock::from(digest),
            value: OnceLock::new(),
            encoded: Mutex::new(Some(bytes.0)),
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
}
