//! Hostile file names, links and output folders: nothing outside the site's folder is
//! published, no output file is written twice or replaced in silence, every name that cannot
//! be a link is encoded or refused, and an odd output folder is built through or refused with
//! a clear error. Each test pins the whole outcome: the exact messages, or the files written.

mod common;

use std::path::Path;

use common::Fixture;

/// Runs `build`, expects it to fail, and returns its whole stderr (root redacted).
fn build_fails(f: &Fixture) -> String {
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        !f.root().join("public").exists(),
        "a failed build writes nothing"
    );
    run.stderr
}

fn build_ok(f: &Fixture) -> String {
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr
}

/// Every file and link name under `dir`, sorted, with `/` for folders.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            if e.file_type().is_dir() {
                format!("{rel}/")
            } else {
                rel.into_owned()
            }
        })
        .collect();
    names.sort();
    names
}

/// The names in `dir`, sorted.
fn top_level(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(unix)]
#[test]
fn links_that_leave_the_site_are_refused() {
    let f = Fixture::empty();
    let outside = tempfile::tempdir().unwrap();
    let outside = outside.path().canonicalize().unwrap();
    std::fs::create_dir(outside.join("keys")).unwrap();
    std::fs::write(outside.join("keys/id_ed25519"), "PRIVATE").unwrap();
    std::fs::write(outside.join("notes.md"), "# Private notes\n").unwrap();
    f.write("content/a.md", "# A\n");
    symlink("/etc/passwd", f.root().join("content/passwd.txt"));
    symlink(outside.join("keys"), f.root().join("content/keys"));
    symlink(outside.join("notes.md"), f.root().join("content/notes.md"));
    let stderr = build_fails(&f);
    let o = outside.display();
    assert_eq!(
        stderr,
        format!(
            "error[symlink-outside]: this is a symbolic link to {o}/keys, outside the site's folder; stepbook does not follow it
  --> content/keys
  = hint: copy what it leads to into the site's folder, or remove the link; links that stay inside the site's folder are followed

error[symlink-outside]: this is a symbolic link to {o}/notes.md, outside the site's folder; stepbook does not follow it
  --> content/notes.md
  = hint: copy what it leads to into the site's folder, or remove the link; links that stay inside the site's folder are followed

error[symlink-outside]: this is a symbolic link to /etc/passwd, outside the site's folder; stepbook does not follow it
  --> content/passwd.txt
  = hint: copy what it leads to into the site's folder, or remove the link; links that stay inside the site's folder are followed

error: found 3 errors and 0 warnings
build failed; the previous output was left as it was
"
        )
    );
    // `check` and `serve` load the site the same way: nothing behind the links is read.
    let check = f.run(&["check"]);
    assert_eq!(check.code, 1);
    assert!(!check.stderr.contains("Private notes"), "{}", check.stderr);
}

/// An image behind a link that leads outside is refused like any such link, and never opened
/// on the way, not even to read its size: the file behind it here is a named pipe, which
/// would hold the build up until something wrote to it.
#[cfg(unix)]
#[test]
fn an_image_behind_a_link_outside_is_never_opened() {
    let f = Fixture::empty();
    let outside = tempfile::tempdir().unwrap();
    let outside = outside.path().canonicalize().unwrap();
    let pipe = outside.join("shot.png");
    let made = std::process::Command::new("mkfifo").arg(&pipe).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo makes a named pipe");
    f.write("content/a.md", "# A\n\n![Shot](images/shot.png)\n");
    std::fs::create_dir(f.root().join("content/images")).unwrap();
    symlink(&pipe, f.root().join("content/images/shot.png"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("stepbook"))
        .arg("build")
        .current_dir(f.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("the build waited a minute on the pipe behind the link: it opened it");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let root = f.root().canonicalize().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).replace(root.to_str().unwrap(), "[ROOT]"),
        format!(
            "error[image-missing]: image `images/shot.png` does not exist
  --> content/a.md:3:1
  |
3 | ![Shot](images/shot.png)
  | ^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: image paths are relative to this file; put the image in the content folder

error[symlink-outside]: this is a symbolic link to {}, outside the site's folder; stepbook does not follow it
  --> content/images/shot.png
  = hint: copy what it leads to into the site's folder, or remove the link; links that stay inside the site's folder are followed

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
",
            pipe.display()
        )
    );
    assert!(
        !f.root().join("public").exists(),
        "a failed build writes nothing"
    );
}

#[cfg(unix)]
#[test]
fn links_that_stay_inside_the_site_are_followed() {
    let f = Fixture::empty();
    f.write("shared/logo.png", "png");
    f.write("shared/guides/intro.md", "# Intro\n");
    f.write("content/a.md", "# A\n");
    symlink("../shared/logo.png", f.root().join("content/logo.png"));
    symlink("../shared/guides", f.root().join("content/guides"));
    // A link to another place in the content folder.
    symlink("a.md", f.root().join("content/b.md"));
    build_ok(&f);
    assert_eq!(f.read("public/logo.png"), "png");
    assert!(f.read("public/guides/intro.html").contains("<h1"));
    assert!(f.read("public/b.html").contains("<title>A · "));
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_skipped_with_a_warning() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    symlink("nowhere.md", f.root().join("content/dangling.md"));
    let stderr = build_ok(&f);
    assert_eq!(
        stderr.split("built ").next().unwrap(),
        "warning[content-walk]: skipped a symbolic link to nowhere.md, which does not exist
  --> content/dangling.md
  = hint: remove the link, or create what it leads to

warning: found 1 warning
"
    );
}

#[test]
fn slugs_and_aliases_must_be_file_names() {
    let f = Fixture::empty();
    f.write(
        "content/x.md",
        "---\nslug: \"javascript:alert(document.domain)\"\n---\n# X\n",
    );
    f.write("content/y.md", "---\nslug: \"a%2fb\"\n---\n# Y\n");
    f.write(
        "content/z.md",
        "---\naliases: [\"old/x:y\", \"a/../../etc\"]\n---\n# Z\n",
    );
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[slug-invalid]: slug \"javascript:alert(document.domain)\" cannot be a file name: it holds `:`
  --> content/x.md:2:7
  |
2 | slug: \"javascript:alert(document.domain)\"
  |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: use letters, digits and dashes, e.g. `slug: reset-password`

error[slug-invalid]: slug \"a%2fb\" cannot be a file name: it holds `%`
  --> content/y.md:2:7
  |
2 | slug: \"a%2fb\"
  |       ^^^^^^^
  = hint: use letters, digits and dashes, e.g. `slug: reset-password`

error[alias-invalid]: alias \"old/x:y\" is not a path inside the site: its part `x:y` cannot be a file name: it holds `:`
  --> content/z.md:2:10
  |
2 | aliases: [\"old/x:y\", \"a/../../etc\"]
  |          ^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: write a path from the site root, e.g. `billing/old-refund-policy`

error[alias-invalid]: alias \"a/../../etc\" is not a path inside the site: its part `..` cannot be a file name: `.` and `..` name folders
  --> content/z.md:2:10
  |
2 | aliases: [\"old/x:y\", \"a/../../etc\"]
  |          ^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: write a path from the site root, e.g. `billing/old-refund-policy`

error: found 4 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn a_page_and_a_file_on_one_path_are_an_error() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    f.write("content/a.html", "<p>asset</p>\n");
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[output-collision]: `a.html` would be written twice, by this file and by the page a.md
  --> content/a.html
  = hint: rename one of them, or give the page another `slug`

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn content_files_never_replace_stepbooks_own() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    f.write("content/index.html", "mine\n");
    f.write("content/404.html", "mine\n");
    f.write("content/assets/stepbook.js", "mine\n");
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[output-collision]: `404.html` would be written twice, by this file and by the 404 page
  --> content/404.html
  = hint: stepbook writes `404.html` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)

error[output-collision]: `assets/stepbook.js` would be written twice, by this file and by the theme's file `assets/stepbook.js`
  --> content/assets/stepbook.js
  = hint: to replace the theme's file, put yours at `themes/default/static/assets/stepbook.js`; otherwise rename this one

error[output-collision]: `index.html` would be written twice, by this file and by the home page
  --> content/index.html
  = hint: stepbook writes `index.html` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)

error: found 3 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn aliases_never_replace_or_hide_other_files() {
    let f = Fixture::empty();
    f.write("content/img/logo.png", "png");
    f.write(
        "content/a.md",
        "---\ntitle: A\naliases:\n  - 404.html\n  - assets/stepbook.css\n  - img/logo.png\n  - search/manifest.js\n  - .stepbook-manifest\n---\n",
    );
    let stderr = build_fails(&f);
    let at = |line: usize, text: &str| {
        format!("  --> content/a.md:{line}:1\n  |\n{line} | {text}\n  | ^\n")
    };
    let expected = [
        format!(
            "error[alias-invalid]: alias \".stepbook-manifest\" is not a path inside the site: its part `.stepbook-manifest` cannot be a file name: it starts with `.`, which hides a file on most hosts\n{}  = hint: write a path from the site root, e.g. `billing/old-refund-policy`\n",
            // A problem with the key's value is marked under the key when the value is a list.
            at(3, "aliases:").replace("| ^\n", "| ^^^^^^^\n")
        ),
        format!(
            "error[output-collision]: `404.html` would be written twice, by this alias and by the 404 page\n{}  = hint: stepbook writes `404.html` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)\n",
            at(3, "aliases:")
        ),
        format!(
            "error[output-collision]: `assets/stepbook.css` would be a file and a folder at once: this alias writes `assets/stepbook.css/index.html` and the theme's file `assets/stepbook.css` writes `assets/stepbook.css`\n{}  = hint: rename the file or the folder, or remove the alias\n",
            at(3, "aliases:")
        ),
        format!(
            "error[output-collision]: `img/logo.png` would be a file and a folder at once: this alias writes `img/logo.png/index.html` and the file img/logo.png writes `img/logo.png`\n{}  = hint: rename the file or the folder, or remove the alias\n",
            at(3, "aliases:")
        ),
        format!(
            "error[output-collision]: `search/manifest.js` would be a file and a folder at once: this alias writes `search/manifest.js/index.html` and the search index writes `search/manifest.js`\n{}  = hint: rename the file or the folder, or remove the alias\n",
            at(3, "aliases:")
        ),
        "error: found 5 errors and 0 warnings\nbuild failed; the previous output was left as it was\n".to_string(),
    ];
    assert_eq!(stderr, expected.join("\n"));
}

#[test]
fn names_that_are_one_file_on_macos_and_windows_are_an_error() {
    let f = Fixture::empty();
    f.write("content/Setup.md", "# Setup\n");
    f.write("content/setup.md", "# Setup again\n");
    // "café" with é as one character (NFC) and as e + U+0301 (NFD).
    f.write("content/caf\u{e9}.md", "# Composed\n");
    f.write("content/cafe\u{301}.md", "# Decomposed\n");
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[output-collision]: this page writes `Setup.html` and the page setup.md writes `setup.html`: the two differ only in letter case, and are one file on macOS and Windows
  --> content/Setup.md:1:1
  |
1 | # Setup
  | ^
  = hint: rename one of them

error[output-collision]: this page writes `cafe\u{301}.html` and the page caf\u{e9}.md writes `caf\u{e9}.html`: the two differ only in Unicode normalization (an accent written as part of its letter, or as a character of its own), and are one file on macOS and Windows
  --> content/cafe\u{301}.md:1:1
  |
1 | # Decomposed
  | ^
  = hint: rename one of them

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn a_line_break_in_a_file_name_is_an_error() {
    let f = Fixture::empty();
    f.write("content/a\nb.md", "# AB\n");
    f.write("content/tab\there/c.png", "png");
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[file-name]: the name `a\\nb.md` holds the character U+000A, which cannot be part of a link
  --> content/a
b.md
  = hint: rename the file or folder

error[file-name]: the name `tab\\there/c.png` holds the character U+0009, which cannot be part of a link
  --> content/tab\there/c.png
  = hint: rename the file or folder

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn names_with_url_characters_get_encoded_links() {
    let f = Fixture::empty();
    f.write("content/what?.md", "# What\n");
    f.write("content/a#b.md", "# AB\n");
    f.write("content/100%.md", "# Percent\n");
    f.write("content/g/a b: c.md", "# Spaced\n");
    f.write(
        "content/links.md",
        "# Links\n\n[](what%3F.md) [](a%23b.md) [](100%25.md) [](g/a%20b%3A%20c.md) [[What]]\n",
    );
    build_ok(&f);
    let html = f.read("public/links.html");
    let body = &html[html.find("article-body").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    let hrefs: Vec<&str> = body
        .split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        hrefs,
        [
            "what%3F.html",
            "a%23b.html",
            "100%25.html",
            "g/a%20b%3A%20c.html",
            "what%3F.html"
        ],
        "{body}"
    );
    for page in ["what?.html", "a#b.html", "100%.html", "g/a b: c.html"] {
        assert!(f.root().join("public").join(page).is_file(), "{page}");
    }
    // The search index and the sitemap carry the same encoded paths.
    let (_, _, articles) = common::search_index::read_index(&f);
    let mut urls: Vec<&str> = articles.iter().map(|a| a["u"].as_str().unwrap()).collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            "100%25.html",
            "a%23b.html",
            "g/a%20b%3A%20c.html",
            "links.html",
            "what%3F.html"
        ]
    );
}

#[test]
fn a_name_too_long_for_the_file_system_names_the_content_file() {
    let f = Fixture::empty();
    let stem = "x".repeat(252);
    f.write(&format!("content/{stem}.md"), "# Long\n");
    f.write(
        "content/b.md",
        &format!("---\nslug: {}\n---\n# B\n", "y".repeat(251)),
    );
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        format!(
            "error[output-name-too-long]: this page writes a name of 256 bytes, `{y40}…`; file systems allow 255
  --> content/b.md:2:1
  |
2 | slug: {y251}
  | ^
  = hint: shorten the file or folder name, or give the page a shorter `slug`

error[output-name-too-long]: this page writes a name of 257 bytes, `{x40}…`; file systems allow 255
  --> content/{stem}.md:1:1
  |
1 | # Long
  | ^
  = hint: shorten the file or folder name, or give the page a shorter `slug`

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
",
            y40 = "y".repeat(40),
            y251 = "y".repeat(251),
            x40 = "x".repeat(40),
        )
    );
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_is_a_link_is_built_through() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    std::fs::create_dir(f.root().join("www")).unwrap();
    symlink("www", f.root().join("public"));
    for round in 0..3 {
        f.write("content/a.md", &format!("# A {round}\n"));
        let run = f.run(&["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stderr.ends_with("with 0 warnings into [ROOT]/www\n"),
            "{}",
            run.stderr
        );
        let link = std::fs::symlink_metadata(f.root().join("public")).unwrap();
        assert!(link.file_type().is_symlink(), "round {round}");
        assert!(f.read("www/a.html").contains(&format!("A {round}")));
    }
    // The spare sits beside the folder the link leads to, and nothing else is left but the
    // anchor record and the build cache.
    assert_eq!(
        top_level(f.root()),
        [
            ".stepbook-cache",
            ".www.stepbook-spare",
            "anchors.lock",
            "content",
            "public",
            "www"
        ]
    );
}

#[cfg(unix)]
#[test]
fn an_output_link_to_nowhere_is_an_error() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    symlink("www", f.root().join("public"));
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[output-link]: the output folder [ROOT]/public is a symbolic link to www, which does not exist
  = hint: create the folder it leads to, or remove the link

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_refused_and_nothing_is_left_behind() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    build_ok(&f);
    let public = f.root().join("public");
    let before = listing(&public);
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o555)).unwrap();
    f.write("content/a.md", "# A changed\n");
    let run = f.run(&["build"]);
    std::fs::set_permissions(&public, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[output-read-only]: the output folder [ROOT]/public is read-only, and a build replaces it whole
  = hint: make it writable (`chmod u+w`), or choose another `--dest`

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
    assert_eq!(listing(&public), before);
    // The cache and the anchor record of the first build; the failed one left nothing.
    assert_eq!(
        top_level(f.root()),
        [".stepbook-cache", "anchors.lock", "content", "public"]
    );
}

#[test]
fn folders_named_like_the_builds_own_are_left_alone() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    f.write(".public.stepbook-tmp-notes/mine.txt", "mine");
    f.write(".public.stepbook-old-1/mine.txt", "mine");
    // A link under such a name, to a folder of the build's own shape, is not followed.
    f.write("elsewhere/.stepbook-manifest", "");
    f.write("elsewhere/mine.txt", "mine");
    #[cfg(unix)]
    symlink("elsewhere", f.root().join(".public.stepbook-tmp-link"));
    build_ok(&f);
    build_ok(&f);
    assert_eq!(f.read(".public.stepbook-tmp-notes/mine.txt"), "mine");
    assert_eq!(f.read(".public.stepbook-old-1/mine.txt"), "mine");
    assert_eq!(f.read("elsewhere/mine.txt"), "mine");
    // A folder a stopped build left (it carries a manifest) is still cleaned up.
    f.write(".public.stepbook-tmp-999/.stepbook-manifest", "");
    f.write(".public.stepbook-tmp-999/half.html", "half");
    build_ok(&f);
    assert!(!f.root().join(".public.stepbook-tmp-999").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_name_that_is_not_utf8_is_an_error() {
    use std::os::unix::ffi::OsStrExt;
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(f.root().join("content").join(name), "# Latin-1\n").unwrap();
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[file-name]: the name `caf\u{fffd}.md` is not valid UTF-8, so it cannot be part of a link
  --> content/caf\u{fffd}.md
  = hint: rename the file or folder

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"
    );
}

/// The status line of `GET path` from a server on `port`.
fn http_status(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_dev_server_answers_the_encoded_links() {
    let f = Fixture::empty();
    f.write("content/what?.md", "# What\n");
    f.write("content/a#b.md", "# AB\n");
    f.write("content/100%.md", "# Percent\n");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = std::process::Command::new(assert_cmd::cargo::cargo_bin("stepbook"))
        .args(["serve", "--port", &port.to_string()])
        .current_dir(f.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "serve did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let statuses: Vec<String> = ["/what%3F.html", "/a%23b.html", "/100%25.html"]
        .iter()
        .map(|p| http_status(port, p))
        .collect();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(statuses, ["HTTP/1.1 200 OK"; 3]);
}

#[cfg(unix)]
#[test]
fn a_link_to_the_output_folder_is_left_out() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    symlink("../public", f.root().join("content/published"));
    build_ok(&f);
    build_ok(&f);
    assert!(!f.root().join("public/published").exists());
}

#[test]
fn content_files_never_replace_generated_copies_or_lists() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\ntags: [x]\n---\n# A\n");
    f.write("content/llms.txt", "mine\n");
    f.write("content/tags/x.html", "<p>mine</p>\n");
    let stderr = build_fails(&f);
    assert_eq!(
        stderr,
        "error[output-collision]: `llms.txt` would be written twice, by this file and by llms.txt, the site's list for AI agents
  --> content/llms.txt
  = hint: stepbook writes `llms.txt` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)

error[output-collision]: `tags/x.html` would be written twice, by this file and by a tag's page
  --> content/tags/x.html
  = hint: stepbook writes `tags/x.html` itself: rename this one (a page's look comes from the theme's templates in `themes/default/templates/`)

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}
