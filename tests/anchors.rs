//! Anchor history through the real binary: the record `build` writes, what `check` reports
//! after steps are inserted, headings renamed and articles moved, frontmatter `anchors:`, and
//! the exit code of `--locked`. Messages are pinned whole, with the temporary root redacted.

mod common;

use common::Fixture;

const MFA: &str = "---
title: Turn on MFA
description: Two-step login.
---

## Set up

1. Open the app.
2. Tap Settings.
3. Tap Security and privacy.
4. Turn on two-step login.

## Turn it off

1. Open the app and tap Settings.
2. Tap Turn off.
";

/// A site with the MFA article, built once so its record is written.
fn built_site() -> Fixture {
    let f = Fixture::empty();
    f.write("book.toml", "[book]\ntitle = \"Help\"\n");
    f.write("content/guide/mfa.md", MFA);
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    f
}

/// The MFA article with a step inserted at the top and its second heading renamed.
fn edited() -> String {
    MFA.replace(
        "1. Open the app.",
        "1. Unlock your phone.\n1. Open the app.",
    )
    .replace("## Turn it off", "## Switch it off")
}

#[test]
fn the_record_is_written_once_and_left_alone_while_nothing_changes() {
    let f = built_site();
    let record = f.read("anchors.lock");
    let lines: Vec<&str> = record
        .lines()
        .map(|l| l.trim_start().split(' ').take(2).collect::<Vec<_>>())
        .map(|fields| fields.join(" "))
        .collect::<Vec<_>>()
        .leak()
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        lines,
        [
            "# Every",
            "# anchored.",
            "stepbook-anchors 2",
            "guide/mfa.html page",
            "set-up section",
            "set-up-step-1 step",
            "set-up-step-2 step",
            "set-up-step-3 step",
            "set-up-step-4 step",
            "turn-it-off section",
            "turn-it-off-step-1 step",
            "turn-it-off-step-2 step",
        ]
    );
    let run = f.run(&["build", "--locked"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(f.read("anchors.lock"), record);
    let run = f.run(&["check", "--locked"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, "no problems found\n"));
}

#[test]
fn locked_fails_naming_the_record_and_writes_nothing() {
    let f = built_site();
    let record = f.read("anchors.lock");
    let page = f.read("public/guide/mfa.html");
    f.write("content/guide/mfa.md", &edited());
    let run = f.run(&["build", "--locked"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[anchors-unlocked]: anchors.lock is out of date: the build would add 4 lines and remove 0 lines
  --> anchors.lock
  = hint: run `stepbook build` and commit anchors.lock

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
    assert_eq!(f.read("anchors.lock"), record);
    assert_eq!(f.read("public/guide/mfa.html"), page);
    let run = f.run(&["check", "--locked", "--format", "json"]);
    assert_eq!(run.code, 1);
    // Without --locked, check reports and passes; build brings the record up to date.
    assert_eq!(f.run(&["check"]).code, 0);
    assert_eq!(f.run(&["build"]).code, 0);
    assert_ne!(f.read("anchors.lock"), record);
    assert_eq!(f.run(&["build", "--locked"]).code, 0);
}

#[test]
fn check_reports_every_mapping_it_made() {
    let f = built_site();
    f.write("content/guide/mfa.md", &edited());
    let run = f.run(&["check"]);
    assert_eq!(run.code, 0);
    let report = |line: usize, old: &str, new: &str, how: &str| {
        let text = f.read("anchors.lock");
        let source = text.lines().nth(line - 1).unwrap();
        let pad = " ".repeat(line.to_string().len());
        format!(
            "warning[anchor-moved]: `guide/mfa.html#{old}` now leads to `guide/mfa.html#{new}`, {how}
  --> anchors.lock:{line}:1
{pad} |
{line} | {source}
{pad} | ^
  = hint: to keep this, write `{old}: {new}` under `anchors:` in the frontmatter of guide/mfa.md; to send it elsewhere, name another id; to drop it, `{old}: retire`

"
        )
    };
    let same = "which holds the same text";
    let expected = [
        report(6, "set-up-step-1", "set-up-step-2", same),
        report(7, "set-up-step-2", "set-up-step-3", same),
        report(8, "set-up-step-3", "set-up-step-4", same),
        report(9, "set-up-step-4", "set-up-step-5", same),
        report(
            10,
            "turn-it-off",
            "switch-it-off",
            "which holds similar text (88% of words shared)",
        ),
        report(11, "turn-it-off-step-1", "switch-it-off-step-1", same),
        report(12, "turn-it-off-step-2", "switch-it-off-step-2", same),
    ]
    .concat();
    assert_eq!(run.stderr, format!("{expected}warning: found 7 warnings\n"));
}

#[test]
fn the_page_carries_its_map_and_a_moved_article_its_redirect() {
    let f = built_site();
    f.write("content/guide/mfa.md", &edited());
    assert_eq!(f.run(&["build"]).code, 0);
    let page = f.read("public/guide/mfa.html");
    assert!(page.contains(r#"<script type="application/json" id="stepbook-anchors">{"set-up-step-1":"set-up-step-2","set-up-step-2":"set-up-step-3","set-up-step-3":"set-up-step-4","set-up-step-4":"set-up-step-5","turn-it-off":"switch-it-off","turn-it-off-step-1":"switch-it-off-step-1","turn-it-off-step-2":"switch-it-off-step-2"}</script>"#), "{page}");

    // Moved to another collection and renamed: the old address redirects, fragment kept,
    // and the page maps the old address's fragments too.
    std::fs::remove_file(f.root().join("content/guide/mfa.md")).unwrap();
    f.write("content/security/two-step.md", &edited());
    let run = f.run(&["check"]);
    assert!(
        run.stderr.starts_with("warning[page-moved]: `guide/mfa.html` is now `security/two-step.html` (it holds 11 of its 12 recorded anchors): a redirect takes old links there\n  --> anchors.lock:4:1\n"),
        "{}",
        run.stderr
    );
    assert_eq!(f.run(&["build"]).code, 0);
    let stub = f.read("public/guide/mfa.html");
    assert!(
        stub.contains(
            r#"<script>location.replace("../security/two-step.html" + location.hash)</script>"#
        ),
        "{stub}"
    );
    let moved = f.read("public/security/two-step.html");
    assert!(
        moved.contains(r#"{"set-up-step-1":"set-up-step-2","#),
        "{moved}"
    );
}

#[test]
fn a_deleted_article_is_reported() {
    let f = built_site();
    f.write(
        "content/guide/other.md",
        "---\ndescription: Else.\n---\n# Other\n\nSomething else.\n",
    );
    std::fs::remove_file(f.root().join("content/guide/mfa.md")).unwrap();
    let run = f.run(&["check"]);
    let line = f.read("anchors.lock").lines().nth(3).unwrap().to_string();
    assert!(line.starts_with("guide/mfa.html page "), "{line}");
    assert_eq!(
        run.stderr,
        format!(
            "warning[page-gone]: `guide/mfa.html` was published, and no page holds it now: old links to it find nothing
  --> anchors.lock:4:1
  |
4 | {line}
  | ^
  = hint: add it to the `aliases` of the page that replaces it, or delete its lines from anchors.lock

warning: found 1 warning
"
        )
    );
    // An alias is the writer's answer: nothing left to report.
    f.write(
        "content/guide/other.md",
        "---\ndescription: Else.\naliases: [guide/mfa.html]\n---\n# Other\n\nSomething else.\n",
    );
    assert_eq!(f.run(&["check"]).stderr, "no problems found\n");
}

#[test]
fn frontmatter_pins_overrides_and_retires() {
    let f = built_site();
    let pinned = edited().replace(
        "description: Two-step login.\n",
        "description: Two-step login.\nanchors:\n  set-up-step-1: set-up-step-1\n  set-up-step-2: switch-it-off\n  set-up-step-3: retire\n  set-up-step-4: set-up-step-5\n  turn-it-off: switch-it-off\n  turn-it-off-step-1: switch-it-off-step-1\n  turn-it-off-step-2: switch-it-off-step-2\n",
    );
    f.write("content/guide/mfa.md", &pinned);
    assert_eq!(f.run(&["check"]).stderr, "no problems found\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let page = f.read("public/guide/mfa.html");
    assert!(page.contains(r#"{"set-up-step-1":"set-up-step-1","set-up-step-2":"switch-it-off","set-up-step-4":"set-up-step-5","turn-it-off":"switch-it-off","turn-it-off-step-1":"switch-it-off-step-1","turn-it-off-step-2":"switch-it-off-step-2"}"#), "{page}");
}

#[test]
fn frontmatter_anchors_that_cannot_be_followed_are_errors() {
    let f = built_site();
    f.write(
        "content/guide/mfa.md",
        &MFA.replace(
            "description: Two-step login.\n",
            "description: Two-step login.\nanchors:\n  set-up-step-3: set-up-step-9\n  'turn-it-off': [a]\n",
        ),
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[anchors-target-missing]: `anchors` sends `#set-up-step-3` to `#set-up-step-9`, which is not an id of this page
  --> content/guide/mfa.md:5:3
  |
5 |   set-up-step-3: set-up-step-9
  |   ^^^^^^^^^^^^^
  = hint: did you mean `set-up-step-1`?

error[anchors-invalid]: `anchors` gives `turn-it-off` a value that is not an id or `retire`
  --> content/guide/mfa.md:6:3
  |
6 |   'turn-it-off': [a]
  |   ^^^^^^^^^^^^^
  = hint: write one `old-id: new-id` per line under `anchors:`

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
    f.write(
        "content/guide/mfa.md",
        &MFA.replace(
            "description: Two-step login.\n",
            "description: Two-step login.\nanchors: step-1\n",
        ),
    );
    let run = f.run(&["check"]);
    assert_eq!(
        run.stderr,
        "error[anchors-invalid]: `anchors` must map each old fragment to an id of this page, or to `retire`
  --> content/guide/mfa.md:4:10
  |
4 | anchors: step-1
  |          ^^^^^^
  = hint: write one `old-id: new-id` per line under `anchors:`

error: found 1 error and 0 warnings
"
    );
}

#[test]
fn a_record_line_that_cannot_be_read_is_an_error() {
    let f = built_site();
    let record = f.read("anchors.lock");
    f.write(
        "anchors.lock",
        &record.replace("  set-up section", "<<<<<<< HEAD\n  set-up section"),
    );
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[anchors-record]: this line cannot be read: a merge conflict marker: keep the lines of both sides, sorted
  --> anchors.lock:5:1
  |
5 | <<<<<<< HEAD
  | ^
  = hint: mend or delete the line (a build records what is missing again)

error: found 1 error and 0 warnings
"
    );
}

#[test]
fn a_record_of_another_format_is_read_as_empty_or_refused() {
    let f = built_site();
    let record = f.read("anchors.lock");
    // The first format had no version line: a warning, and the build records anew.
    f.write("anchors.lock", &record.replace("stepbook-anchors 2\n", ""));
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr.lines().take(3).collect::<Vec<_>>().join("\n"),
        "warning[anchors-record-version]: this record has no version line: it was written by an older stepbook, whose fingerprints this one cannot compare, and is read as empty
  --> anchors.lock
  = hint: `stepbook build` records the site's anchors again in this format"
    );
    assert_eq!(f.read("anchors.lock"), record);
    // A newer format is not written over.
    let newer = record.replace("stepbook-anchors 2", "stepbook-anchors 3");
    f.write("anchors.lock", &newer);
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[anchors-record-version]: `stepbook-anchors 3` is not a format this stepbook reads (version 2)
  --> anchors.lock:3:1
  |
3 | stepbook-anchors 3
  | ^
  = hint: build with the stepbook that wrote it, or delete the file to start anew

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
    assert_eq!(f.read("anchors.lock"), newer);
}

#[test]
fn the_user_guide_commits_its_record_up_to_date() {
    let f = Fixture::new(".");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/anchors.lock"),
        f.root().join("anchors.lock"),
    )
    .expect("the user guide's anchors.lock is committed");
    let run = f.run(&["check", "--locked"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn a_link_in_the_content_to_an_id_the_record_sends_elsewhere_is_a_warning() {
    let f = built_site();
    f.write("content/guide/mfa.md", &edited());
    f.write(
        "content/guide/help.md",
        "---\ndescription: Help.\n---\n# Help\n\nSee [the settings step](mfa.md#set-up-step-2).\n",
    );
    let run = f.run(&["check"]);
    let warning = run
        .stderr
        .split("\n\n")
        .find(|d| d.starts_with("warning[link-to-moved-anchor]"))
        .expect("the link is reported");
    assert_eq!(
        warning,
        "warning[link-to-moved-anchor]: this link names `#set-up-step-2`, but the anchor record sends links to `#set-up-step-2` on to `#set-up-step-3`
  --> content/guide/help.md:6:5
  |
6 | See [the settings step](mfa.md#set-up-step-2).
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: link to `#set-up-step-3` if that is what you mean; to link to what `#set-up-step-2` shows now, write `set-up-step-2: retire` under `anchors:` in the frontmatter of guide/mfa.md, or give it a fixed id"
    );
}
