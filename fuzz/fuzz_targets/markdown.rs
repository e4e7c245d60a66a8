//! The whole Markdown pipeline (branches, callouts, headings, steps, links, outline) on
//! arbitrary text: it must never panic, and ids must stay unique.
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stepbook::markdown::{self, links::PageTable};
use stepbook::paths::{SourcePath, UrlPath};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut pages = PageTable::default();
    for (s, u, t) in [
        ("a.md", "a.html", "Alpha"),
        ("g/b.md", "g/b.html", "Billing basics"),
    ] {
        pages.insert(SourcePath::from_relative(Path::new(s)), UrlPath::new(u), t);
    }
    let source_path = SourcePath::from_relative(Path::new("g/c.md"));
    let url = UrlPath::new("g/c.html");
    let out = markdown::render(&markdown::Input {
        path: Path::new("g/c.md"),
        source: text,
        body_offset: 0,
        source_path: &source_path,
        url: &url,
        pages: &pages,
        prose: true,
        origins: None,
        // Nothing is listed: no file is opened.
        listed: &|_| false,
    });
    let unique: HashSet<_> = out.ids.iter().collect();
    assert_eq!(unique.len(), out.ids.len(), "ids repeat");
});
