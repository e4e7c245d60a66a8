//! Every content and config error: exit code 1 and a message naming file, line and column.
//! The messages are pinned whole, with the temporary root redacted.

mod common;

use common::Fixture;

fn site_with(article: &str) -> Fixture {
    let f = Fixture::empty();
    f.write("book.toml", "[book]\ntitle = \"T\"\n");
    f.write("content/guides/a.md", article);
    f
}

#[test]
fn invalid_yaml() {
    let f = site_with("---\ntitle: Reset\ntags: [a, b\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[frontmatter-syntax]: did not find expected ',' or ']', while parsing a flow sequence\n  --> content/guides/a.md:4:1\n  |\n4 | ---\n  | ^\n  = hint: frontmatter is YAML: check quotes, colons and indentation\n\nerror: found 1 error and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn wrong_type_for_a_known_key() {
    let f = site_with("---\ntitle: Reset\nintercom_id: abc\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[frontmatter-type]: intercom_id must be a whole number, found \"abc\"\n  --> content/guides/a.md:3:14\n  |\n3 | intercom_id: abc\n  |              ^\n  = hint: write the article's numeric id, e.g. `intercom_id: 5955049`\n\nerror: found 1 error and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn typo_in_book_toml_suggests_the_key() {
    let f = Fixture::empty();
    f.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n\n[build]\nlink-chek = \"warn\"\n",
    );
    f.write("content/a.md", "# A\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[config-unknown-key]: unknown key `link-chek` in [build] of book.toml\n  --> book.toml:5:1\n  |\n5 | link-chek = \"warn\"\n  | ^^^^^^^^^\n  = hint: did you mean `link-check`?\n\nerror: found 1 error and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn every_error_of_the_site_in_one_run() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\norder: first\n---\n# A\n");
    f.write("content/b.md", "---\ndraft: maybe\n---\n# B\n");
    f.write(
        "content/c.md",
        "# C\n\nSee [a](missing.md) and [b](b.md#nowhere).\n",
    );
    f.write("content/d.md", "---\ntitle: D\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    let codes: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error["))
        .map(|l| &l[..l.find(']').unwrap()])
        .collect();
    assert_eq!(
        codes,
        [
            "frontmatter-type",
            "frontmatter-type",
            "link-missing-page",
            "frontmatter-unclosed"
        ]
    );
    assert!(
        run.stderr.contains("--> content/a.md:2:8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--> content/c.md:3:5"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("error: found 4 errors and 0 warnings"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_fragment_suggests_close_ids() {
    let f = Fixture::empty();
    f.write(
        "content/a.md",
        "# A\n\n## Reset the password\n\n1. Open it.\n2. Save.\n",
    );
    f.write(
        "content/b.md",
        "# B\n\nSee [step 2](a.md#reset-the-pasword-step-2).\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[link-missing-fragment]: `#reset-the-pasword-step-2` is not an id in a.md\n  --> content/b.md:3:5\n  |\n3 | See [step 2](a.md#reset-the-pasword-step-2).\n  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: the closest ids are `reset-the-password-step-2`, `reset-the-password-step-1`, `reset-the-password`\n\nerror: found 1 error and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn missing_page_suggests_the_nearest_file_as_the_link_writes_it() {
    let f = Fixture::empty();
    f.write("content/guides/reset-password.md", "# R\n");
    f.write("content/guides/_index.md", "# Guides\n");
    f.write(
        "content/guides/b.md",
        "# B\n\n[r](reset-pasword.md) [s](../b.md)\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[link-missing-page]: link target `guides/reset-pasword.md` does not exist\n  --> content/guides/b.md:3:1\n  |\n3 | [r](reset-pasword.md) [s](../b.md)\n  | ^^^^^^^^^^^^^^^^^^^^^\n  = hint: did you mean `reset-password.md`?\n\nerror[link-missing-page]: link target `b.md` does not exist\n  --> content/guides/b.md:3:23\n  |\n3 | [r](reset-pasword.md) [s](../b.md)\n  |                       ^^^^^^^^^^^^\n  = hint: check the file name and the path relative to this file\n\nerror: found 2 errors and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn links_to_drafts_say_so() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\ndraft: true\n---\n# A\n");
    f.write("content/b.md", "# B\n\n[a](a.md)\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("error[link-to-draft]: link target `a.md` is a draft"),
        "{}",
        run.stderr
    );
    let run = f.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(f.root().join("public/a.html").exists());
}

#[test]
fn link_check_warn_lets_the_build_pass() {
    let f = Fixture::empty();
    f.write("book.toml", "[build]\nlink-check = \"warn\"\n");
    f.write("content/a.md", "# A\n\n[x](nope.md)\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[link-missing-page]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("with 1 warning into"), "{}", run.stderr);
}

#[test]
fn duplicate_intercom_ids_and_urls() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "---\nintercom_id: 7\n---\n# A\n");
    f.write("content/g/b.md", "---\nintercom_id: 7\nslug: a\n---\n# B\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error[url-collision]: this page and g/a.md would both be written to `g/a.html`"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error[intercom-id-repeated]: intercom_id 7 is also used by g/a.md"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_json_has_the_documented_shape() {
    let f = site_with("---\nintercom_id: abc\n---\n");
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        rows,
        serde_json::json!([{
            "file": "content/guides/a.md", "line": 2, "col": 14, "severity": "error", "code": "frontmatter-type",
            "message": "intercom_id must be a whole number, found \"abc\"",
            "hint": "write the article's numeric id, e.g. `intercom_id: 5955049`"
        }])
    );
}

#[test]
fn binary_and_non_utf8_files_are_diagnosed() {
    let f = Fixture::empty();
    std::fs::create_dir_all(f.root().join("content")).unwrap();
    std::fs::write(f.root().join("content/bin.md"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[not-utf8]: this file is not UTF-8 text (invalid byte at offset 0)\n  --> content/bin.md\n"), "{}", run.stderr);
}
