//! Keys: the 64-bit hash that stands for everything a file is made from.
//!
//! A page's key hashes its template's name and its whole context; a generated file's, its
//! bytes. The same inputs give the same key in every run, so a kept file whose key matches
//! need not be made again.

/// A 64-bit hash of `value`: the same for the same inputs, in every run.
pub fn key_of<T: std::hash::Hash + ?Sized>(value: &T) -> u64 {
    let mut h = Gathered {
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        buf: [0; GATHER],
        len: 0,
    };
    value.hash(&mut h);
    std::hash::Hasher::finish(&h)
}

const GATHER: usize = 1024;

/// XXH3 over the same bytes, handed over in blocks: a context hashes as thousands of small
/// pieces (each number, each string and its end mark), and a block costs one call where
/// each piece cost one. XXH3 streams, so the hash is the one of the pieces one by one.
struct Gathered {
    hasher: xxhash_rust::xxh3::Xxh3,
    buf: [u8; GATHER],
    len: usize,
}

impl Gathered {
    /// A number's bytes: a copy of a known size, where [`std::hash::Hasher::write`] would
    /// call `memcpy` for each (a context hashes thousands of numbers: lengths, indices, the
    /// ends of strings).
    #[inline]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        if self.len + N > GATHER {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
        }
        self.buf[self.len..self.len + N].copy_from_slice(&bytes);
        self.len += N;
    }
}

impl std::hash::Hasher for Gathered {
    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.put(n.to_ne_bytes());
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.put(n.to_ne_bytes());
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.put(n.to_ne_bytes());
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.put(n.to_ne_bytes());
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > GATHER {
            self.hasher.update(&self.buf[..self.len]);
            self.len = 0;
            if bytes.len() > GATHER {
                self.hasher.update(bytes);
                return;
            }
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn finish(&self) -> u64 {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.buf[..self.len]);
        hasher.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_xxh3_of_the_bytes_whatever_their_pieces() {
        let long = "x".repeat(3 * GATHER + 5);
        let numbers: Vec<(u8, u32, usize)> = (0..300).map(|i| (i as u8, i, i as usize)).collect();
        let value = (
            7u64,
            "short",
            long.as_str(),
            [1u8, 2, 3],
            Some("end"),
            numbers,
        );
        let mut whole = xxhash_rust::xxh3::Xxh3::new();
        std::hash::Hash::hash(&value, &mut whole);
        assert_eq!(key_of(&value), std::hash::Hasher::finish(&whole));
        assert_ne!(key_of(&(7u64, "short")), key_of(&(7u64, "shorT")));
    }
}
