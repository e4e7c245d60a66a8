//! Snippets: `::: include NAME` puts the text of `content/_snippets/NAME.md` in the page before
//! it is parsed. Steps continue the procedure around them with the ids they would have inline,
//! snippets nest and hold branches, callouts and links written from their own folder, they are
//! never published on their own, every problem inside one names the snippet's file and line
//! and the page that included it, and `serve` updates every page that includes an edited one.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::Fixture;
use common::served::Served;

/// The article's body: the prose block, up to what follows it.
fn body(html: &str) -> &str {
    let start = html
        .find("<div class=\"prose article-body\">")
        .expect("an article body");
    let rest = &html[start..];
    let end = [
        "<footer class=\"see-also\"",
        "<nav class=\"pager\"",
        "</article>",
    ]
    .iter()
    .filter_map(|m| rest.find(m))
    .min()
    .expect("the body's end");
    rest[..end].trim_end()
}

/// Every step of a page: (id, number, first words).
fn steps(html: &str) -> Vec<(String, String, String)> {
    html.split("<li class=\"step\" id=\"")
        .skip(1)
        .map(|rest| {
            let id = &rest[..rest.find('"').unwrap()];
            let at = rest.find("data-step=\"").unwrap() + "data-step=\"".len();
            let number = &rest[at..at + rest[at..].find('"').unwrap()];
            let text_at = rest.find("<div class=\"step__body\">").unwrap()
                + "<div class=\"step__body\">".len();
            let text = rest[text_at..]
                .trim_start_matches("\n<p>")
                .split('<')
                .next()
                .unwrap();
            (id.to_string(), number.to_string(), text.to_string())
        })
        .collect()
}

fn step(id: &str, n: u32, text: &str) -> (String, String, String) {
    (id.to_string(), n.to_string(), text.to_string())
}

#[test]
fn steps_of_snippets_continue_the_procedure_with_the_ids_they_have_inline() {
    let f = Fixture::new("snippets");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let included = f.read("public/repositories/change-the-default-branch.html");
    assert_eq!(
        steps(&included),
        vec![
            step(
                "change-the-default-branch-step-1",
                1,
                "On GitHub, navigate to the main page of the repository."
            ),
            step(
                "change-the-default-branch-step-2",
                2,
                "Under your repository name, click "
            ),
            step(
                "change-the-default-branch-step-3",
                3,
                "In the \"Code and automation\" section of the sidebar, click "
            ),
            step(
                "change-the-default-branch-step-4",
                4,
                "Under \"Default branch\", click the switch icon to the right of the branch name."
            ),
            step(
                "change-the-default-branch-step-5",
                5,
                "Choose a branch from the list, then click "
            ),
        ]
    );
    // The same procedure written out in a page renders to the same body: the callout, the
    // link and the image of the snippets resolve from their own folder to the same targets.
    let inline = f.read("public/repositories/change-the-default-branch-inline.html");
    assert_eq!(body(&included), body(&inline));
    assert!(
        body(&included).contains(
            "<img src=\"../images/repo-settings.png\" alt=\"Repository settings button\""
        ),
        "{}",
        body(&included)
    );
    assert!(
        body(&included).contains("See <a href=\"protect-a-branch.html#before-you-start\">"),
        "{}",
        body(&included)
    );
    // So do the Markdown copies, below their headers.
    let copy = |name: &str| {
        let text = f.read(&format!("public/repositories/{name}.md"));
        text[text.find("\n\n## ").unwrap()..].to_string()
    };
    assert_eq!(
        copy("change-the-default-branch"),
        copy("change-the-default-branch-inline")
    );
    assert!(
        copy("change-the-default-branch")
            .contains("   ![Repository settings button](../images/repo-settings.png)\n")
    );
}

#[test]
fn nested_snippets_and_a_branch_in_a_snippet_number_as_one_procedure() {
    let f = Fixture::new("snippets");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = f.read("public/repositories/protect-a-branch.html");
    assert_eq!(
        steps(&html),
        vec![
            step(
                "protect-a-branch-step-1",
                1,
                "On GitHub, navigate to the main page of the repository."
            ),
            step(
                "protect-a-branch-step-2",
                2,
                "Under your repository name, click "
            ),
            step(
                "protect-a-branch-step-3",
                3,
                "In the \"Code and automation\" section of the sidebar, click "
            ),
            step(
                "protect-a-branch-step-4",
                4,
                "Next to \"Branch protection rules\", click "
            ),
            step(
                "protect-a-branch-step-5",
                5,
                "Choose what the rule requires:"
            ),
            // The branch point comes from a snippet, and its first option includes another.
            step(
                "a-team-step-1",
                1,
                "On GitHub, navigate to the main page of the repository."
            ),
            step("protect-a-branch-step-6", 6, "Click "),
        ]
    );
    assert!(html.contains("<div class=\"branch__option\" id=\"a-team\" data-option=\"a-team\">"));
    assert!(html.contains(
        "<div class=\"branch__option\" id=\"anyone-with-write-access\" data-option=\"anyone-with-write-access\">\n<p class=\"branch__label\">Anyone with write access</p>\n<p>Leave the list empty.</p>"
    ));
}

#[test]
fn snippets_are_not_published_listed_or_searched_on_their_own() {
    let f = Fixture::new("snippets");
    f.write(
        "book.toml",
        "[book]\ntitle = \"Repository help\"\nbase-url = \"https://help.example.com/\"\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut files: Vec<String> = walkdir::WalkDir::new(f.root().join("public"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(f.root().join("public")).unwrap();
            rel.to_string_lossy().into_owned()
        })
        .filter(|p| !p.starts_with("assets/") && !p.starts_with("search/"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".stepbook-manifest",
            "404.html",
            "images/repo-settings.png",
            "index.html",
            "llms.txt",
            "repositories/change-the-default-branch-inline.html",
            "repositories/change-the-default-branch-inline.md",
            "repositories/change-the-default-branch.html",
            "repositories/change-the-default-branch.md",
            "repositories/index.html",
            "repositories/protect-a-branch.html",
            "repositories/protect-a-branch.md",
            "sitemap.xml",
        ]
    );
    for file in [
        "llms.txt",
        "sitemap.xml",
        "index.html",
        "repositories/index.html",
    ] {
        let text = f.read(&format!("public/{file}"));
        assert!(!text.contains("snippet"), "{file}: {text}");
    }
    // Search knows the included text as part of each page, and no snippet as a page.
    let (_, terms, articles) = common::search_index::read_index(&f);
    let mut urls: Vec<&str> = articles.iter().map(|a| a["u"].as_str().unwrap()).collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            "repositories/change-the-default-branch-inline.html",
            "repositories/change-the-default-branch.html",
            "repositories/protect-a-branch.html",
        ]
    );
    // "empty" is written in a snippet only (`choose-reviewers`), which one page includes.
    assert!(terms.contains_key("empty"), "{:?}", terms.keys());
    assert!(!terms.contains_key("snippets"), "{:?}", terms.keys());
    // The Markdown copy holds the included steps with their ids.
    let copy = f.read("public/repositories/protect-a-branch.md");
    assert!(
        copy.contains("1. On GitHub, navigate to the main page of the repository. {#protect-a-branch-step-1}\n"),
        "{copy}"
    );
}

/// A site with every snippet error: a missing snippet (with and without a near name), a
/// cycle, an id that collides in the including page, a broken link in a snippet that two
/// pages include, frontmatter in a snippet.
fn broken_site() -> Fixture {
    let f = Fixture::empty();
    f.write("book.toml", "[book]\ntitle = \"T\"\n");
    f.write(
        "content/guides/a.md",
        "---\ntitle: Secure your account\ndescription: Turn on two-factor sign-in.\n---\n\n## Turn on MFA\n\n::: include account/open-security-tab\n1. Select **Turn on MFA**.\n\n## Sign in again\n\n::: include acount/open-security\n::: include billing/refunds\n\n  ::: include loop/first\n",
    );
    f.write(
        "content/guides/b.md",
        "---\ntitle: Twice\ndescription: The same id twice.\n---\n\n1. First. {#open-security}\n   ::: include account/open-security-tab\n",
    );
    f.write(
        "content/_snippets/account/open-security-tab.md",
        "1. Open **Settings**.\n1. Select the **Security** tab. {#open-security}\n1. See [the missing page](../../guides/nowhere.md).\n",
    );
    f.write(
        "content/_snippets/loop/first.md",
        "::: include loop/second\n",
    );
    f.write(
        "content/_snippets/loop/second.md",
        "Text.\n\n::: include loop/first\n",
    );
    f.write(
        "content/_snippets/with-frontmatter.md",
        "---\ntitle: X\n---\nText.\n",
    );
    f
}

const BROKEN: &str = r#"error[snippet-id-collision]: id `open-security` from this snippet is already an id of the page that includes it; here it became `open-security-2`
  --> content/_snippets/account/open-security-tab.md:2:1
  |
2 | 1. Select the **Security** tab. {#open-security}
  | ^
  = note: included from content/guides/b.md:7
  = hint: give it another `{#id}`, or include the snippet only once in a page

error[link-missing-page]: link target `guides/nowhere.md` does not exist
  --> content/_snippets/account/open-security-tab.md:3:8
  |
3 | 1. See [the missing page](../../guides/nowhere.md).
  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = note: included from content/guides/a.md:8
  = hint: check the file name and the path relative to this file

error[link-missing-page]: link target `guides/nowhere.md` does not exist
  --> content/_snippets/account/open-security-tab.md:3:8
  |
3 | 1. See [the missing page](../../guides/nowhere.md).
  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = note: included from content/guides/b.md:7
  = hint: check the file name and the path relative to this file

error[snippet-cycle]: this include makes a cycle: `loop/first` includes `loop/second`, which includes `loop/first`
  --> content/_snippets/loop/second.md:3:13
  |
3 | ::: include loop/first
  |             ^^^^^^^^^^
  = note: included from content/_snippets/loop/first.md:1
  = note: included from content/guides/a.md:16
  = hint: a snippet cannot include itself, directly or through other snippets; remove one of these includes

error[snippet-frontmatter]: a snippet has no frontmatter: this block would be included as text
  --> content/_snippets/with-frontmatter.md:1:1
  |
1 | ---
  | ^
  = hint: remove the block; the page that includes the snippet has the title and the other keys

error[snippet-missing]: there is no snippet `acount/open-security`
  --> content/guides/a.md:13:13
   |
13 | ::: include acount/open-security
   |             ^^^^^^^^^^^^^^^^^^^^
  = hint: did you mean `account/open-security-tab`? A snippet is named by its path under `_snippets/`, without `.md`

error[snippet-missing]: there is no snippet `billing/refunds`
  --> content/guides/a.md:14:13
   |
14 | ::: include billing/refunds
   |             ^^^^^^^^^^^^^^^
  = hint: create `_snippets/billing/refunds.md` in the content folder; a snippet is named by its path under `_snippets/`, without `.md`

error: found 7 errors and 0 warnings
build failed; the previous output was left as it was
"#;

#[test]
fn every_snippet_error_names_the_snippet_and_the_page_that_included_it() {
    let f = broken_site();
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, BROKEN);
}

#[test]
fn check_warns_about_unused_snippets_and_json_names_the_including_pages() {
    let f = broken_site();
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let of = |code: &str| -> Vec<&serde_json::Value> {
        rows.iter().filter(|r| r["code"] == code).collect()
    };
    assert_eq!(
        of("snippet-unused"),
        [&serde_json::json!({
            "file": "content/_snippets/with-frontmatter.md",
            "line": null,
            "col": null,
            "severity": "warning",
            "code": "snippet-unused",
            "message": "no page includes the snippet `with-frontmatter`",
            "hint": "include it with a line `::: include with-frontmatter` in a page, or delete it",
            "used_by": [],
        })]
    );
    assert_eq!(
        of("snippet-cycle"),
        [&serde_json::json!({
            "file": "content/_snippets/loop/second.md",
            "line": 3,
            "col": 13,
            "severity": "error",
            "code": "snippet-cycle",
            "message": "this include makes a cycle: `loop/first` includes `loop/second`, which includes `loop/first`",
            "hint": "a snippet cannot include itself, directly or through other snippets; remove one of these includes",
            "included_from": ["content/_snippets/loop/first.md:1", "content/guides/a.md:16"],
            "used_by": ["content/guides/a.md"],
        })]
    );
    // One snippet, two pages: the same broken link is reported for each page.
    let pages: Vec<&serde_json::Value> = of("link-missing-page")
        .iter()
        .map(|r| &r["included_from"])
        .collect();
    assert_eq!(
        pages,
        [
            &serde_json::json!(["content/guides/a.md:8"]),
            &serde_json::json!(["content/guides/b.md:7"])
        ]
    );
    // Every problem of a snippet's file names all the pages that include it.
    for r in of("link-missing-page") {
        assert_eq!(
            r["used_by"],
            serde_json::json!(["content/guides/a.md", "content/guides/b.md"])
        );
    }
    // A problem in a page's own text names no include.
    let missing = of("snippet-missing");
    assert_eq!(missing.len(), 2);
    assert!(
        missing
            .iter()
            .all(|r| r.get("included_from").is_none() && r.get("used_by").is_none())
    );
    // `build` reports the same problems, without the warning of `check`.
    let build = f.run(&["build"]);
    assert_eq!(build.stderr, BROKEN);
}

#[test]
fn an_include_in_code_stays_literal_and_an_indented_one_joins_its_list_item() {
    let f = Fixture::empty();
    f.write(
        "content/_snippets/tip.md",
        "> [!TIP]\n> Press **Ctrl+K** to search.\n",
    );
    f.write(
        "content/a.md",
        "# Search\n\n1. Open the site.\n\n   ::: include tip\n2. Type a word.\n\n```\n::: include tip\n```\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = f.read("public/a.html");
    assert_eq!(
        body(&html),
        "<div class=\"prose article-body\">\n<ol class=\"steps\">\n<li class=\"step\" id=\"step-1\" data-step=\"1\"><a class=\"step-anchor\" href=\"#step-1\" aria-label=\"Link to step 1\" title=\"Link to step 1\">1</a><div class=\"step__body\">\n<p>Open the site.</p>\n<div class=\"callout callout--tip\" role=\"note\"><p class=\"callout__title\">Tip</p>\n<p>Press <strong>Ctrl+K</strong> to search.</p>\n</div>\n</div></li>\n<li class=\"step\" id=\"step-2\" data-step=\"2\"><a class=\"step-anchor\" href=\"#step-2\" aria-label=\"Link to step 2\" title=\"Link to step 2\">2</a><div class=\"step__body\">\n<p>Type a word.</p>\n</div></li>\n</ol>\n<pre><code>::: include tip\n</code></pre>\n\n</div>"
    );
}

/// Reads an event stream until an event named `name` arrives; returns its data.
fn next_event(stream: &mut std::net::TcpStream, name: &str) -> String {
    let end = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let marker = format!("event: {name}\ndata: ");
    loop {
        if let Some(at) = seen.find(&marker) {
            let data = &seen[at + marker.len()..];
            if let Some(line_end) = data.find('\n') {
                return data[..line_end].to_string();
            }
        }
        assert!(Instant::now() < end, "no `{name}` event came: {seen}");
        match stream.read(&mut buf) {
            Ok(0) => panic!("the event stream ended: {seen}"),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("reading the event stream: {e}"),
        }
    }
}

#[test]
fn serve_updates_every_page_that_includes_an_edited_snippet() {
    let f = Fixture::new("snippets");
    let s = Served::start(&f);
    s.wait_builds(1);
    let mut events = s.connect();
    events
        .write_all(b"GET /__stepbook/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    next_event(&mut events, "hello");
    let built = s.builds();
    f.write(
        "content/_snippets/repositories/navigate-to-repo.md",
        "1. On GitHub, open the start page of the repository.\n",
    );
    s.wait_builds(built + 1);
    let update: serde_json::Value =
        serde_json::from_str(&next_event(&mut events, "update")).unwrap();
    // Exactly the pages that include the snippet, the nested include and the branch option
    // among them; the page that writes the steps out is not touched.
    assert_eq!(
        update["pages"],
        serde_json::json!([
            "repositories/change-the-default-branch.html",
            "repositories/protect-a-branch.html"
        ])
    );
    for page in [
        "/repositories/change-the-default-branch.html",
        "/repositories/protect-a-branch.html",
    ] {
        let html = s.get(page);
        assert_eq!(
            html.matches("On GitHub, open the start page of the repository.")
                .count(),
            if page.contains("protect") { 2 } else { 1 },
            "{page}: {html}"
        );
    }
    assert!(
        s.log().contains("rebuilt 4 files of 6 pages in "),
        "{}",
        s.log()
    );
}

/// Positions after an include are the page's own lines, and a message that names another
/// place names the snippet it is in.
#[test]
fn a_branch_point_split_between_a_snippet_and_its_page_names_both_places() {
    let f = Fixture::empty();
    f.write(
        "content/_snippets/half.md",
        "::: choose Which?\n::: option A\nText.\n",
    );
    f.write(
        "content/p.md",
        "# P\n\n1. Step\n\n   ::: include half\n::: option B\nMore.\n:::\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        r#"error[branch-nesting]: this option is not at the same level as its `::: choose` (line 1 of `_snippets/half.md`)
  --> content/p.md:6:1
  |
6 | ::: option B
  | ^^^^^^^^^^^^
  = hint: indent every marker of a branch point alike, e.g. all inside the same list step

error[branch-nesting]: this `:::` is not at the same level as its `::: choose` (line 1 of `_snippets/half.md`)
  --> content/p.md:8:1
  |
8 | :::
  | ^^^
  = hint: indent every marker of a branch point alike, e.g. all inside the same list step

error: found 2 errors and 0 warnings
build failed; the previous output was left as it was
"#
    );
}

#[test]
fn check_json_names_the_pages_that_use_each_snippet() {
    let f = Fixture::new("snippets");
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // A snippet with no problem still gets a row: which pages include it.
    assert_eq!(
        rows,
        serde_json::json!([
            {
                "file": "content/_snippets/repositories/choose-reviewers.md",
                "line": null,
                "col": null,
                "severity": "info",
                "code": "snippet-used",
                "message": "included by 1 page",
                "hint": null,
                "used_by": [
                    "content/repositories/protect-a-branch.md"
                ]
            },
            {
                "file": "content/_snippets/repositories/navigate-to-repo.md",
                "line": null,
                "col": null,
                "severity": "info",
                "code": "snippet-used",
                "message": "included by 2 pages",
                "hint": null,
                "used_by": [
                    "content/repositories/change-the-default-branch.md",
                    "content/repositories/protect-a-branch.md"
                ]
            },
            {
                "file": "content/_snippets/repositories/open-branch-settings.md",
                "line": null,
                "col": null,
                "severity": "info",
                "code": "snippet-used",
                "message": "included by 1 page",
                "hint": null,
                "used_by": [
                    "content/repositories/protect-a-branch.md"
                ]
            },
            {
                "file": "content/_snippets/repositories/repository-branches.md",
                "line": null,
                "col": null,
                "severity": "info",
                "code": "snippet-used",
                "message": "included by 2 pages",
                "hint": null,
                "used_by": [
                    "content/repositories/change-the-default-branch.md",
                    "content/repositories/protect-a-branch.md"
                ]
            },
            {
                "file": "content/_snippets/repositories/sidebar-settings.md",
                "line": null,
                "col": null,
                "severity": "info",
                "code": "snippet-used",
                "message": "included by 2 pages",
                "hint": null,
                "used_by": [
                    "content/repositories/change-the-default-branch.md",
                    "content/repositories/protect-a-branch.md"
                ]
            }
        ])
    );
}
