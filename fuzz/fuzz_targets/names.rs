//! File and folder names, any bytes but NUL and `/`: discovery and the output stage.
//!
//! The input is a list of paths separated by NUL bytes (`/` nests folders). Each becomes a
//! file in a fresh content folder. Discovery must not panic; when it reports no error, two
//! builds of those files through the output stage must succeed and leave an output folder
//! that a third build accepts (its manifest lists exactly what is there), holding every file
//! with its bytes. Every output path must also survive the trip through a link: its encoded
//! form decodes back to it, and holds nothing that would end a link early.
#![no_main]

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use stepbook::diagnostics::Severity;
use stepbook::output::{Staging, check_destination};
use stepbook::paths::{UrlPath, percent_decode};
use stepbook::render::OutFile;

/// A scratch folder for this process, on tmpfs when there is one.
fn scratch() -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    base.join(format!("stepbook-fuzz-names-{}", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let root = scratch();
    // Whatever an earlier input left must go, or this input would be judged on its files.
    if std::fs::symlink_metadata(&root).is_ok() {
        std::fs::remove_dir_all(&root)
            .unwrap_or_else(|e| panic!("cannot clear {}: {e}", root.display()));
    }
    let content = root.join("content");
    std::fs::create_dir_all(&content).unwrap();
    for (i, raw) in data.split(|&b| b == 0).take(16).enumerate() {
        let rel = Path::new(OsStr::from_bytes(raw));
        let parts: Vec<&OsStr> = rel.iter().collect();
        if parts.is_empty()
            || parts.iter().any(|p| p.len() > 255 || p == &".." || p == &"." || p == &"/")
        {
            continue;
        }
        let path = content.join(rel);
        if let Some(dir) = path.parent() {
            if std::fs::create_dir_all(dir).is_err() {
                continue;
            }
        }
        let _ = std::fs::write(&path, format!("# file {i}\n"));
    }

    let (files, problems) = stepbook::discover::discover(&content, &[], &root);
    if problems.iter().any(|d| d.severity == Severity::Error) {
        let _ = std::fs::remove_dir_all(&root);
        return;
    }
    let mut seen = HashSet::new();
    let out: Vec<OutFile> = files
        .iter()
        // Two names that read the same once decoded are one path, which the build refuses.
        .filter(|f| seen.insert(f.path.as_str().to_string()))
        .map(|f| OutFile::Copy(f.path.as_str().to_string(), f.abs.clone()))
        .collect();
    for f in &out {
        let url = UrlPath::new(f.path());
        let encoded = url.encoded();
        assert_eq!(percent_decode(&encoded).as_deref(), Some(url.as_str()));
        assert!(
            !encoded.contains(|c: char| c.is_whitespace() || c.is_control() || "?#:\"<>".contains(c)),
            "{encoded:?}"
        );
        assert_eq!(UrlPath::home().href_to(&url), encoded);
    }

    let dest = root.join("public");
    for round in 0..2 {
        let previous = check_destination(&dest, &content, &root)
            .unwrap_or_else(|d| panic!("round {round}: {}", d.message));
        let staging = Staging::begin(&dest, previous).expect("staging");
        for f in &out {
            if let Err(d) = staging.put(f) {
                panic!("round {round}: {}", d.message);
            }
        }
        staging.commit().expect("commit");
    }
    check_destination(&dest, &content, &root).unwrap_or_else(|d| panic!("{}", d.message));
    for f in &out {
        let OutFile::Copy(rel, from) = f else {
            unreachable!()
        };
        assert_eq!(
            std::fs::read(dest.join(rel)).unwrap(),
            std::fs::read(from).unwrap(),
            "{rel:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
});
