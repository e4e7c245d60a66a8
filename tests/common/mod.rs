//! One fixture helper for the CLI tests: copy a fixture site to a temporary folder, run the
//! real binary in it, and read what it wrote with the temporary root redacted.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub mod search_index;
pub mod served;

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    /// stderr with the temporary root replaced by `[ROOT]`.
    pub stderr: String,
}

impl Fixture {
    /// A copy of `tests/fixtures/<name>`, or of the repository's own site for `"."`.
    pub fn new(name: &str) -> Fixture {
        let src = if name == "." {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(name)
        };
        let dir = tempfile::tempdir().expect("temp dir");
        if name == "." {
            copy_dir(&src.join("content"), &dir.path().join("content"));
            std::fs::copy(src.join("book.toml"), dir.path().join("book.toml"))
                .expect("copy book.toml");
        } else {
            copy_dir(&src, dir.path());
        }
        Fixture { dir }
    }

    /// An empty site folder.
    pub fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::cargo_bin("stepbook")
            .unwrap()
            .current_dir(self.root())
            .args(args)
            .output()
            .unwrap();
        let root = self.root().canonicalize().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).replace(root.to_str().unwrap(), "[ROOT]"),
            stderr: String::from_utf8_lossy(&out.stderr).replace(root.to_str().unwrap(), "[ROOT]"),
        }
    }
}

/// The slice of a page between `<main` and `</main>`.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("has <main>");
    let end = html.find("</main>").expect("has </main>");
    &html[start..end]
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
