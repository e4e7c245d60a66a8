//! Last-changed dates of content files from git history, for articles without `updated`.
//!
//! In: the content folder. Out: each file's date (`YYYY-MM-DD`) of the newest commit that
//! touched it, keyed by its [`SourcePath`]. One `git log` call reads the whole history at once
//! (never one call per file). Outside a git repository, or without git, the map is empty:
//! dates are a nicety, never an error.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::paths::SourcePath;

/// Dates by source path; empty when the content is not in a git repository.
pub type Dates = HashMap<SourcePath, String>;

/// Reads the history of `content_dir` with one `git log`.
pub fn read(content_dir: &Path) -> Dates {
    let output = Command::new("git")
        .arg("-C")
        .arg(content_dir)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--format=%x01%cs",
            "--name-only",
            "--relative",
            "--no-renames",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(out) if out.status.success() => parse(&String::from_utf8_lossy(&out.stdout)),
        _ => Dates::new(),
    }
}

/// The dates of the last read, kept while the repository's `HEAD` is the same commit: the
/// history `git log` reads is then the same, and so are the dates. One `git rev-parse` a run
/// instead of a walk of the whole history.
#[derive(Default)]
pub struct Memo {
    /// The content folder and the commit its dates were read at.
    head: Option<(std::path::PathBuf, String)>,
    dates: Dates,
    /// Whether the last [`Memo::read`] read the history.
    pub logged: bool,
}

impl Memo {
    /// [`read`], taking the last dates while the content folder and `HEAD` are the same.
    pub fn read(&mut self, content_dir: &Path) -> Dates {
        self.logged = false;
        let Some(head) = head_of(content_dir) else {
            // Not in a repository (or no commit yet, or no git): no dates, as `read` finds.
            self.head = None;
            self.dates = Dates::new();
            return Dates::new();
        };
        let now = (content_dir.to_path_buf(), head);
        if self.head.as_ref() != Some(&now) {
            self.dates = read(content_dir);
            self.head = Some(now);
            self.logged = true;
        }
        self.dates.clone()
    }
}

/// The commit `HEAD` names in the repository `dir` is in, if any.
fn head_of(dir: &Path) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "-q", "HEAD"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let head = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !head.is_empty()).then_some(head)
}

/// `git log --format=%x01%cs --name-only` output: a `\x01date` line, then the commit's files.
/// The first date seen for a file is its newest, as git lists commits newest first.
fn parse(log: &str) -> Dates {
    let mut dates = Dates::new();
    let mut date = "";
    for line in log.lines() {
        if let Some(d) = line.strip_prefix('\u{1}') {
            date = d.trim();
        } else if !line.is_empty() && !date.is_empty() {
            dates
                .entry(SourcePath::from_relative(std::path::Path::new(line)))
                .or_insert_with(|| date.to_string());
        }
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_commit_wins() {
        let log = "\u{1}2026-03-02\n\nwrite/a.md\nb.md\n\u{1}2025-01-10\n\nwrite/a.md\nc.md\n";
        let d = parse(log);
        assert_eq!(d.len(), 3);
        assert_eq!(
            d[&SourcePath::from_relative(Path::new("write/a.md"))],
            "2026-03-02"
        );
        assert_eq!(
            d[&SourcePath::from_relative(Path::new("b.md"))],
            "2026-03-02"
        );
        assert_eq!(
            d[&SourcePath::from_relative(Path::new("c.md"))],
            "2025-01-10"
        );
    }

    #[test]
    fn one_log_call_dates_every_committed_file() {
        let dir = std::env::temp_dir().join(format!("stepbook-git-{}", std::process::id()));
        let content = dir.join("content");
        std::fs::create_dir_all(content.join("write")).unwrap();
        std::fs::write(content.join("write/a.md"), "# A\n").unwrap();
        std::fs::write(content.join("new.md"), "# New\n").unwrap();
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .arg("-C")
                .arg(&dir)
                .args(args)
                .env("GIT_AUTHOR_DATE", "2026-03-02T10:00:00Z")
                .env("GIT_COMMITTER_DATE", "2026-03-02T10:00:00Z")
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.com")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.com")
                .stdout(Stdio::null())
                .status()
                .expect("git is installed")
                .success();
            assert!(ok, "git {args:?} failed");
        };
        let mut memo = Memo::default();
        assert_eq!(memo.read(&content), Dates::new());
        git(&["init", "-q"]);
        assert_eq!(memo.read(&content), Dates::new());
        git(&["add", "content/write/a.md"]);
        git(&["commit", "-q", "-m", "a"]);
        let d = read(&content);
        // The memo reads the history once for a commit, and again after the next one.
        assert_eq!(memo.read(&content), d);
        assert!(memo.logged);
        assert_eq!(memo.read(&content), d);
        assert!(!memo.logged);
        git(&["add", "content/new.md"]);
        git(&["commit", "-q", "-m", "new"]);
        let after = memo.read(&content);
        assert!(memo.logged);
        assert_eq!(after, read(&content));
        assert_eq!(after.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
        // Paths are relative to the content folder; the uncommitted file has no date.
        assert_eq!(
            d.into_iter().collect::<Vec<_>>(),
            vec![(
                SourcePath::from_relative(Path::new("write/a.md")),
                "2026-03-02".to_string()
            )]
        );
    }
}
