//! Frontmatter splitting and parsing on arbitrary text: errors, never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = stepbook::frontmatter::parse(Path::new("a.md"), text);
});
