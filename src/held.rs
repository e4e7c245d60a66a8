//! What a build holds for the rest of its run, in blocks of their own length.
//!
//! A build of every page holds what each page's body made (its HTML, steps and search
//! outline) all at once, until the output and the cache are written. A list or a text grown
//! by doubling holds room for up to as much again, and mimalloc (the binary's allocator)
//! keeps the block when asked to shrink it by less than half: `shrink_to_fit` then gives
//! nothing back. Copied into a block of its own length, the list costs one copy, and the
//! room it grew into is free for what comes next.

/// `v` in a block of its own length.
pub(crate) fn exact<T>(v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        return v;
    }
    let mut out = Vec::with_capacity(v.len());
    out.extend(v);
    out
}

/// [`exact`] for a text, in place.
pub(crate) fn exact_string(s: &mut String) {
    if s.capacity() != s.len() {
        *s = s.as_str().to_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_or_text_is_copied_into_a_block_of_its_length_unless_it_fills_its_own() {
        let mut grown: Vec<u64> = Vec::with_capacity(64);
        grown.extend([1, 2, 3]);
        let held = exact(grown);
        assert_eq!((held.as_slice(), held.capacity()), (&[1, 2, 3][..], 3));
        let at = held.as_ptr();
        let kept = exact(held);
        assert_eq!(
            kept.as_ptr(),
            at,
            "a list that fills its block is kept as it is"
        );
        let mut text = String::with_capacity(128);
        text.push_str("Open Settings");
        exact_string(&mut text);
        assert_eq!((text.as_str(), text.capacity()), ("Open Settings", 13));
    }
}
