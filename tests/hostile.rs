//! Hostile input: every case ends in a clean build or a diagnostic naming the file (exit 1),
//! never a panic, a signal or a hang.

mod common;

use std::time::Duration;

use common::Fixture;

/// Runs `build` with a time limit and checks the outcome is one of the two allowed.
fn build_ok_or_diagnosed(f: &Fixture, name: &str) -> common::Run {
    let out = assert_cmd::Command::cargo_bin("stepbook")
        .unwrap()
        .current_dir(f.root())
        .args(["build"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "{name}: ended with {:?} (signal or timeout)\n{stderr}",
        out.status
    );
    assert!(!stderr.contains("panicked"), "{name}: panicked\n{stderr}");
    if code == Some(1) {
        assert!(
            stderr.contains("--> content/"),
            "{name}: the diagnostic names the file\n{stderr}"
        );
    }
    common::Run {
        code: code.unwrap_or(-1),
        stdout: String::new(),
        stderr,
    }
}

#[test]
fn empty_and_whitespace_files_build() {
    let f = Fixture::empty();
    f.write("content/empty.md", "");
    f.write("content/blank.md", "\n\n   \n");
    f.write("content/only-frontmatter.md", "---\n---\n");
    f.write("content/bom.md", "\u{feff}---\ntitle: Bom\n---\n# Bom\n");
    let run = build_ok_or_diagnosed(&f, "empty files");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(f.read("public/bom.html").contains("<title>Bom · "));
}

#[test]
fn binary_and_unclosed_frontmatter_are_diagnosed() {
    let f = Fixture::empty();
    std::fs::create_dir_all(f.root().join("content")).unwrap();
    std::fs::write(f.root().join("content/bin.md"), b"\x00\x01\x02\xff\xfe").unwrap();
    f.write("content/open.md", "---\ntitle: never closed\n\n# Body\n");
    let run = build_ok_or_diagnosed(&f, "binary");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("content/bin.md") && run.stderr.contains("content/open.md:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn deep_nesting_builds() {
    let f = Fixture::empty();
    f.write(
        "content/quotes.md",
        &format!("{}deep\n", "> ".repeat(10_000)),
    );
    let lists: String = (0..3_000)
        .map(|i| format!("{}1. level {i}\n", "   ".repeat(i)))
        .collect();
    f.write("content/lists.md", &lists);
    let mut branches = String::new();
    for i in 0..3_000 {
        branches.push_str(&format!("::: choose Question {i}?\n::: option Yes {i}\n"));
    }
    branches.push_str("deepest\n");
    for i in (0..3_000).rev() {
        branches.push_str(&format!("::: option No {i}\nno\n:::\n"));
    }
    f.write("content/branches.md", &branches);
    let run = build_ok_or_diagnosed(&f, "deep nesting");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        f.read("public/branches.html")
            .matches("class=\"branch\"")
            .count()
            == 3_000
    );
}

#[test]
fn a_20_mb_article_builds() {
    let f = Fixture::empty();
    let para = "Open **Settings** and tap [Security](other.md#top). A callout follows.\n\n1. Step one\n2. Step two\n\n";
    let mut text = String::from("# Big\n\n");
    while text.len() < 20 * 1024 * 1024 {
        text.push_str(para);
    }
    f.write("content/big.md", &text);
    f.write("content/other.md", "# Top\n");
    let run = build_ok_or_diagnosed(&f, "20 MB");
    assert_eq!(
        run.code,
        0,
        "{}",
        run.stderr.lines().take(20).collect::<Vec<_>>().join("\n")
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_skipped_with_a_warning() {
    let f = Fixture::empty();
    f.write("content/a/page.md", "# Page\n");
    std::os::unix::fs::symlink(f.root().join("content/a"), f.root().join("content/a/loop"))
        .unwrap();
    std::os::unix::fs::symlink(
        f.root().join("content/nowhere"),
        f.root().join("content/dangling.md"),
    )
    .unwrap();
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.split("built ").next().unwrap(),
        "warning[content-walk]: skipped a symbolic link to [ROOT]/content/a, a folder it is in
  --> content/a/loop
  = hint: remove the link that leads back into its own folder

warning[content-walk]: skipped a symbolic link to [ROOT]/content/nowhere, which does not exist
  --> content/dangling.md
  = hint: remove the link, or create what it leads to

warning: found 2 warnings
"
    );
}

#[test]
fn markers_and_payloads_in_code_blocks_stay_text() {
    let f = Fixture::empty();
    f.write(
        "content/code.md",
        "# Code\n\n```md\n::: choose Q\n::: option A\n:::\n<script>alert(1)</script>\n```\n",
    );
    let run = build_ok_or_diagnosed(&f, "code");
    assert_eq!(run.code, 0);
    let html = f.read("public/code.html");
    assert!(
        html.contains("::: choose Q") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[test]
fn script_payloads_are_escaped_everywhere() {
    let f = Fixture::empty();
    let evil = "\\\"><script>alert(1)</script>";
    f.write(
        "content/g/_index.md",
        &format!("---\ntitle: \"Coll {evil}\"\ndescription: \"{evil}\"\n---\n"),
    );
    f.write(
        "content/g/a.md",
        &format!("---\ntitle: \"T {evil}\"\ndescription: \"D {evil}\"\ntags: [\"{evil}\"]\nintercom_id: 7\naliases: [\"old/x\"]\n---\n\n## H {{#h}}\n\n1. Step <script>alert(2)</script>\n"),
    );
    f.write(
        "content/g/b.md",
        &format!("---\ntitle: B\ndescription: d\ntags: [\"{evil}\"]\n---\n\nSee [](a.md#h).\n"),
    );
    let run = build_ok_or_diagnosed(&f, "payloads");
    assert_eq!(run.code, 0, "{}", run.stderr);
    for entry in walkdir::WalkDir::new(f.root().join("public"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(
            !text.contains("<script>alert(1)</script>"),
            "{} carries the payload",
            entry.path().display()
        );
        assert!(
            !text.contains("\"><script>"),
            "{} breaks out of an attribute",
            entry.path().display()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_previous_output_whole() {
    let f = Fixture::empty();
    for i in 0..400 {
        f.write(&format!("content/c{}/a{i}.md", i % 9), &format!("---\nintercom_id: {i}\n---\n# Article {i}\n\n## Steps\n\n1. First version {i}.\n2. Then.\n"));
    }
    assert_eq!(f.run(&["build"]).code, 0);
    let before_manifest = f.read("public/.stepbook-manifest");
    let before_page = f.read("public/c3/a3.html");
    for i in 0..400 {
        f.write(&format!("content/c{}/a{i}.md", i % 9), &format!("---\nintercom_id: {i}\n---\n# Article {i}\n\n## Steps\n\n1. Second version {i}.\n2. Then.\n"));
    }
    let bin = assert_cmd::cargo::cargo_bin("stepbook");
    for delay_ms in [5, 20, 40, 80, 120, 200] {
        let mut child = std::process::Command::new(&bin)
            .arg("build")
            .current_dir(f.root())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !f.root().join("public").exists() {
            // On Linux the new site trades places with the old one in one atomic step, so
            // `public` never goes missing.
            if cfg!(target_os = "linux") {
                panic!("killed after {delay_ms} ms: public/ is missing");
            }
            // Elsewhere: killed between moving the old site aside and moving the new one in;
            // the old site waits whole beside it, and the next build puts it back.
            let aside = std::fs::read_dir(f.root()).unwrap().flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".public.stepbook-old-")
            });
            assert!(aside, "killed after {delay_ms} ms: the old site is gone");
            continue;
        }
        let page = f.read("public/c3/a3.html");
        if status.success() || page.contains("Second version 3.") {
            // The new site was swapped in before the kill landed: it must be whole.
            for i in [0, 3, 199, 399] {
                let other = f.read(&format!("public/c{}/a{i}.html", i % 9));
                assert!(
                    other.contains(&format!("Second version {i}.")),
                    "killed after {delay_ms} ms: a{i} is old"
                );
            }
            return;
        }
        assert_eq!(
            f.read("public/.stepbook-manifest"),
            before_manifest,
            "killed after {delay_ms} ms"
        );
        assert_eq!(page, before_page, "killed after {delay_ms} ms");
    }
    // A later build cleans up what the killed ones left and finishes.
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(f.read("public/c3/a3.html").contains("Second version 3."));
    let leftovers: Vec<String> = std::fs::read_dir(f.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.contains("stepbook-") && n != ".public.stepbook-spare" && n != ".stepbook-cache"
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn deeply_nested_steps_are_capped_with_a_warning() {
    let f = Fixture::empty();
    // 24 kB: 8,000 lists, each nested in the first step of the one before.
    let line = format!("{}x", "1. ".repeat(8_000));
    f.write("content/deep.md", &format!("# Deep\n\n{line}\n"));
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", &run.stderr[..run.stderr.len().min(2000)]);
    let expected = format!(
        "warning[steps-too-deep]: steps nested more than 8 deep get no ids or links; this list and those inside it are plain numbered lists
  --> content/deep.md:3:25
  |
3 | {line}
  |                         ^
  = hint: split the procedure into shorter ones, or move the deep steps into their own section

warning: found 1 warning
"
    );
    assert_eq!(run.stderr.split("built ").next().unwrap(), expected);
    let html = f.read("public/deep.html");
    let ids: Vec<&str> = html
        .split("<li class=\"step\" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        ids,
        [
            "step-1",
            "step-1-1",
            "step-1-1-1",
            "step-1-1-1-1",
            "step-1-1-1-1-1",
            "step-1-1-1-1-1-1",
            "step-1-1-1-1-1-1-1",
            "step-1-1-1-1-1-1-1-1"
        ]
    );
    // Linear in the depth: a few bytes of HTML per level, not kilobytes.
    let body = &html[html.find("article-body").unwrap()..];
    assert_eq!(body.matches("<ol class=\"steps\">").count(), 8);
    assert_eq!(body.matches("<ol>").count(), 8_000 - 8);
    assert!(html.len() < 300_000, "{} bytes", html.len());
}

#[test]
fn raw_html_left_open_cannot_swallow_the_theme() {
    let f = Fixture::empty();
    f.write(
        "content/open.md",
        "# Open\n\nText.\n\n<div class=\"note\">\n\n<!-- a comment never closed\n\nMore.\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr.split("built ").next().unwrap(),
        "warning[html-left-open]: this page leaves `<div>` open; it is closed at the end of the page, so that it cannot hide the theme's markup
  --> content/open.md:5:1
  |
5 | <div class=\"note\">
  | ^
  = hint: close it where it should end

warning[html-left-open]: this page leaves a comment (`<!--`) open; it is closed at the end of the page, so that it cannot hide the theme's markup
  --> content/open.md:7:1
  |
7 | <!-- a comment never closed
  | ^
  = hint: close it where it should end

warning: found 2 warnings
"
    );
    let html = f.read("public/open.html");
    let body = &html[html.find("<!-- a comment").unwrap()..];
    assert!(
        body.starts_with("<!-- a comment never closed\n\nMore.\n--></div>\n\n</div>"),
        "{body}"
    );
    // The theme's footer and scripts are outside any comment.
    let tail = &body[body.find("-->").unwrap()..];
    assert!(!tail.contains("<!--"));
    assert!(tail.contains("<footer") && tail.contains("<script src=\"assets/stepbook.js\""));
}
