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
fn every_wrong_frontmatter_type_of_a_file_in_one_run() {
    let f =
        site_with("---\ntitle: Reset\nintercom_id: abc\norder: 1.5\ndraft: yes\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[frontmatter-type]: `intercom_id` must be digits only, found "abc"
  --> content/guides/a.md:3:14
  |
3 | intercom_id: abc
  |              ^^^
  = hint: write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`

error[frontmatter-type]: `order` must be a whole number, found 1.5
  --> content/guides/a.md:4:8
  |
4 | order: 1.5
  |        ^^^
  = hint: write a whole number, e.g. `order: 2`

error[frontmatter-type]: `draft` must be true or false, found "yes"
  --> content/guides/a.md:5:8
  |
5 | draft: yes
  |        ^^^
  = hint: write `draft: true` or `draft: false`

error: found 3 errors and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn a_negative_intercom_id_says_what_is_expected() {
    let f = site_with("---\nintercom_id: -5\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[frontmatter-type]: `intercom_id` must be digits only, found -5
  --> content/guides/a.md:2:14
  |
2 | intercom_id: -5
  |              ^^
  = hint: write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn a_repeated_frontmatter_key_is_reported_at_the_repeat() {
    let f = site_with("---\ntitle: Reset\ntags: [a]\ntitle: Reset again\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[frontmatter-duplicate-key]: `title` is set twice
  --> content/guides/a.md:4:1
  |
4 | title: Reset again
  | ^^^^^
  = hint: the first `title` is on line 2; keep one of them

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn a_misspelled_frontmatter_key_is_a_warning_with_the_key_it_resembles() {
    let f = site_with("---\ntitel: Reset\ndraftt: true\nteam: billing\n---\n\nBody.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The last line, "built ... in N ms ...", holds a time.
    let (diagnostics, built) = run.stderr.rsplit_once("built ").unwrap();
    assert!(built.starts_with("4 pages ("), "{built}");
    assert_eq!(
        diagnostics,
        r#"warning[frontmatter-unknown-key]: unknown frontmatter key `titel`
  --> content/guides/a.md:2:1
  |
2 | titel: Reset
  | ^^^^^
  = hint: did you mean `title`? stepbook does not read `titel`; templates get it as `page.extra.titel`

warning[frontmatter-unknown-key]: unknown frontmatter key `draftt`
  --> content/guides/a.md:3:1
  |
3 | draftt: true
  | ^^^^^^
  = hint: did you mean `draft`? stepbook does not read `draftt`; templates get it as `page.extra.draftt`

warning: found 2 warnings
"#
    );
    assert!(
        f.root().join("public/guides/a.html").exists(),
        "`draftt` does not make a draft"
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

/// One site with an error of every kind, in book.toml and in the content: all of them
/// come in one run, sorted by file and line.
#[test]
fn every_error_of_every_kind_in_one_run() {
    let f = Fixture::new("every-error");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, EVERY_ERROR);
    assert!(!f.root().join("public").exists());
    let check = f.run(&["check", "--format", "json"]);
    assert_eq!(check.code, 1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&check.stdout).unwrap();
    let errors = rows.iter().filter(|r| r["severity"] == "error").count();
    assert_eq!(errors, 16, "check finds what build finds: {}", check.stdout);
}

const EVERY_ERROR: &str = r#"error[config-unknown-key]: unknown key `lang` in [book] of book.toml
  --> book.toml:3:1
  |
3 | lang = "en"
  | ^^^^
  = hint: did you mean `language`?

error[config-value]: `link-check` must be "error" or "warn", found "loud"
  --> book.toml:6:15
  |
6 | link-check = "loud"
  |               ^^^^
  = hint: "error" fails the build on a broken link, "warn" only reports it

error[config-unknown-key]: unknown table `[builds]` in book.toml
  --> book.toml:8:2
  |
8 | [builds]
  |  ^^^^^^
  = hint: did you mean `[build]`?

error[frontmatter-type]: `intercom_id` must be digits only, found -5
  --> content/a.md:2:14
  |
2 | intercom_id: -5
  |              ^^
  = hint: write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`

error[frontmatter-type]: `order` must be a whole number, found "first"
  --> content/a.md:3:8
  |
3 | order: first
  |        ^^^^^
  = hint: write a whole number, e.g. `order: 2`

error[frontmatter-type]: `draft` must be true or false, found "maybe"
  --> content/a.md:4:8
  |
4 | draft: maybe
  |        ^^^^^
  = hint: write `draft: true` or `draft: false`

error[link-missing-page]: link target `missing.md` does not exist
  --> content/b.md:8:5
  |
8 | See [c](missing.md) and ![](card.png).
  |     ^^^^^^^^^^^^^^^
  = hint: check the file name and the path relative to this file

error[image-missing]: image `card.png` does not exist
  --> content/b.md:8:25
  |
8 | See [c](missing.md) and ![](card.png).
  |                         ^^^^^^^^^^^^^
  = hint: did you mean `cart.png`?

error[not-utf8]: this file is not UTF-8 text (invalid byte at offset 0)
  --> content/bin.md
  = hint: save the file as UTF-8, or give it another extension than .md to copy it as it is

error[intercom-id-repeated]: intercom_id 7 is also used by b.md
  --> content/c.md:2:14
  |
2 | intercom_id: 7
  |              ^
  = hint: every article needs its own intercom_id

error[url-collision]: this page and c.md would both be written to `c.html`
  --> content/d.md:2:7
  |
2 | slug: c
  |       ^
  = hint: give one of them another `slug` in its frontmatter

error[frontmatter-unclosed]: the frontmatter block is not closed
  --> content/e.md:1:1
  |
1 | ---
  | ^^^
  = hint: end the frontmatter with a line holding only `---`

error[link-missing-fragment]: `#before-you-stat` is not an id in b.md
  --> content/f.md:3:6
  |
3 | Read [[B#Before you stat]] and [[Nope]].
  |      ^^^^^^^^^^^^^^^^^^^^^
  = hint: did you mean `[[B#Before you start]]`?

error[wiki-link]: no page is titled "Nope"
  --> content/f.md:3:32
  |
3 | Read [[B#Before you stat]] and [[Nope]].
  |                                ^^^^^^^^
  = hint: write the exact title of an article, or its slug

error[frontmatter-duplicate-key]: `title` is set twice
  --> content/g.md:4:1
  |
4 | title: G again
  | ^^^^^
  = hint: the first `title` is on line 2; keep one of them

warning[frontmatter-unknown-key]: unknown frontmatter key `titel`
  --> content/h.md:2:1
  |
2 | titel: H
  | ^^^^^
  = hint: did you mean `title`? stepbook does not read `titel`; templates get it as `page.extra.titel`

error[redirect-collision]: the redirect `b.html` would replace b.md
  --> content/h.md:3:10
  |
3 | aliases: [b.html]
  |          ^^^^^^^^
  = hint: remove the alias, or change the other page's slug

error: found 16 errors and 1 warning
build failed; the previous output was left as it was
"#;

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

/// The hints with nothing near to offer, a collection index offered for a name like one, an
/// image outside the content folder, and a bad `slug` pointed at.
#[test]
fn hints_for_indexes_far_headings_outside_images_and_slugs() {
    let f = Fixture::empty();
    f.write("content/g/_index.md", "# Guides\n");
    f.write(
        "content/g/a.md",
        "---\nslug: \"a/b\"\n---\n# A\n\n## Open the form\n",
    );
    f.write(
        "content/g/b.md",
        "# B\n\nSee [[A#Zebra crossing]], [i](_indx.md) and ![](../../up.png).\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[slug-invalid]: slug "a/b" cannot be a file name: it holds `/`
  --> content/g/a.md:2:7
  |
2 | slug: "a/b"
  |       ^^^^^
  = hint: use letters, digits and dashes, e.g. `slug: reset-password`

error[link-missing-fragment]: `#zebra-crossing` is not an id in g/a.md
  --> content/g/b.md:3:5
  |
3 | See [[A#Zebra crossing]], [i](_indx.md) and ![](../../up.png).
  |     ^^^^^^^^^^^^^^^^^^^^
  = hint: name a heading of that page as it reads, e.g. `[[Title#Heading text]]`

error[link-missing-page]: link target `g/_indx.md` does not exist
  --> content/g/b.md:3:27
  |
3 | See [[A#Zebra crossing]], [i](_indx.md) and ![](../../up.png).
  |                           ^^^^^^^^^^^^^
  = hint: did you mean `_index.md`?

error[image-missing]: this image is outside the content folder
  --> content/g/b.md:3:45
  |
3 | See [[A#Zebra crossing]], [i](_indx.md) and ![](../../up.png).
  |                                             ^^^^^^^^^^^^^^^^^
  = hint: only files in the content folder are published: move the image there

error: found 4 errors and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn links_to_drafts_say_so() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\ndraft: true\n---\n# A\n");
    f.write("content/b.md", "# B\n\n[a](a.md)\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[link-to-draft]: link target `a.md` is a draft
  --> content/b.md:3:1
  |
3 | [a](a.md)
  | ^^^^^^^^^
  = hint: publish the target (remove `draft: true`), or build with `--drafts`

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"#
    );
    let run = f.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(f.root().join("public/a.html").exists());
}

#[test]
fn link_check_warn_lets_the_build_pass() {
    let f = Fixture::empty();
    f.write("book.toml", "[build]\nlink-check = \"warn\"\n");
    f.write("content/a.md", "# A\n\n[x](nope.md) ![](nope.png)\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (diagnostics, built) = run.stderr.rsplit_once("built ").unwrap();
    assert!(built.contains("with 2 warnings into"), "{built}");
    assert_eq!(
        diagnostics,
        r#"warning[link-missing-page]: link target `nope.md` does not exist
  --> content/a.md:3:1
  |
3 | [x](nope.md) ![](nope.png)
  | ^^^^^^^^^^^^
  = hint: check the file name and the path relative to this file

warning[image-missing]: image `nope.png` does not exist
  --> content/a.md:3:14
  |
3 | [x](nope.md) ![](nope.png)
  |              ^^^^^^^^^^^^^
  = hint: image paths are relative to this file; put the image in the content folder

warning: found 2 warnings
"#
    );
}

/// A repeated `intercom_id` is one error (not also a redirect collision), and a `slug` that
/// takes another page's URL is reported at that `slug:` line, in whichever file it is.
#[test]
fn duplicate_intercom_ids_and_urls() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "---\nintercom_id: 7\nslug: b\n---\n# A\n");
    f.write(
        "content/g/b.md",
        "---\ntitle: B\nintercom_id: 7\n---\n# B\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[url-collision]: this page and g/b.md would both be written to `g/b.html`
  --> content/g/a.md:3:7
  |
3 | slug: b
  |       ^
  = hint: give one of them another `slug` in its frontmatter

error[intercom-id-repeated]: intercom_id 7 is also used by g/a.md
  --> content/g/b.md:3:14
  |
3 | intercom_id: 7
  |              ^
  = hint: every article needs its own intercom_id

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn a_redirect_over_a_page_names_the_key_that_made_it() {
    let f = Fixture::empty();
    f.write("content/en/articles/7.md", "# Seven\n");
    f.write("content/en/articles/8/index.md", "# Eight\n");
    f.write("content/a.md", "---\nintercom_id: 8\n---\n# A\n");
    f.write(
        "content/b.md",
        "---\naliases: [/en/articles/7.html]\n---\n# B\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[redirect-collision]: the redirect `en/articles/8/index.html` would replace en/articles/8/index.md
  --> content/a.md:2:14
  |
2 | intercom_id: 8
  |              ^
  = hint: check the intercom_id, or move the other page

error[redirect-collision]: the redirect `en/articles/7.html` would replace en/articles/7.md
  --> content/b.md:2:10
  |
2 | aliases: [/en/articles/7.html]
  |          ^^^^^^^^^^^^^^^^^^^^^
  = hint: remove the alias, or change the other page's slug

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn a_missing_image_names_the_nearest_file() {
    let f = Fixture::empty();
    f.write("content/images/card.png", "not really a PNG");
    f.write(
        "content/guides/a.md",
        "# A\n\n1. Open the form.\n\n   ![The form](card.png)\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[image-missing]: image `guides/card.png` does not exist
  --> content/guides/a.md:5:4
  |
5 |    ![The form](card.png)
  |    ^^^^^^^^^^^^^^^^^^^^^
  = hint: did you mean `../images/card.png`?

error: found 1 error and 0 warnings
build failed; the previous output was left as it was
"#
    );
    f.write(
        "content/guides/a.md",
        "# A\n\n![The form](../images/card.png)\n",
    );
    assert_eq!(f.run(&["build"]).code, 0);
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
            "message": "`intercom_id` must be digits only, found \"abc\"",
            "hint": "write the number from the article's Intercom URL, with or without quotes, e.g. `intercom_id: 5955049`"
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
