//! Cross-references: wiki links, backlinks, related articles, redirects, and the warnings of
//! `check` (user guide: `content/write/link-between-articles.md`).

mod common;

use common::Fixture;

fn site() -> Fixture {
    let f = Fixture::empty();
    f.write(
        "content/billing/refunds.md",
        "---\ntitle: Ask for a refund\ndescription: Get your money back.\ntags: [billing, money]\nintercom_id: 42\naliases: [old/refunds, /legacy/refund.html]\n---\n\n## Open the form\n\n1. Open **Billing**.\n2. Select **Refund**.\n",
    );
    f.write(
        "content/billing/invoices.md",
        "---\ntitle: Download an invoice\ndescription: PDF invoices.\ntags: [billing]\n---\n\nSee [[Ask for a refund]], [[ask for a refund#Open the form|the form]] and [[refunds#open the form]].\n",
    );
    f.write(
        "content/account/plans.md",
        "---\ntitle: Change your plan\ndescription: Upgrade or downgrade.\ntags: [money, billing]\n---\n\nBefore you [ask](../billing/refunds.md#open-the-form-step-2), read this.\n",
    );
    f
}

#[test]
fn wiki_links_resolve_and_fill_text() {
    let f = site();
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let inv = f.read("public/billing/invoices.html");
    assert!(inv.contains("See <a href=\"refunds.html\">Ask for a refund</a>, <a href=\"refunds.html#open-the-form\">the form</a> and <a href=\"refunds.html#open-the-form\">Open the form</a>."), "{inv}");
}

#[test]
fn wiki_link_to_a_missing_title_is_an_error() {
    let f = site();
    f.write(
        "content/a.md",
        "---\ndescription: x\n---\n# A\n\n[[Ask for a refnd]]\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "error[wiki-link]: no page is titled \"Ask for a refnd\"\n  --> content/a.md:6:1\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("= hint: did you mean [[Ask for a refund]]?"),
        "{}",
        run.stderr
    );
}

#[test]
fn wiki_link_to_a_missing_heading_is_checked() {
    let f = site();
    f.write(
        "content/a.md",
        "# A\n\n[[Ask for a refund#Open the door]]\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[link-missing-fragment]: `#open-the-door` is not an id in billing/refunds.md\n  --> content/a.md:3:1\n  |\n3 | [[Ask for a refund#Open the door]]\n  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: did you mean `[[Ask for a refund#Open the form]]`?\n\nerror: found 1 error and 0 warnings\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn linked_from_and_related() {
    let f = site();
    assert_eq!(f.run(&["build"]).code, 0);
    let refunds = f.read("public/billing/refunds.html");
    let linked = &refunds[refunds.find("id=\"linked-from\"").unwrap()..];
    let linked = &linked[..linked.find("</section>").unwrap()];
    assert!(linked.contains("<li><a href=\"../account/plans.html\">Change your plan</a></li>\n<li><a href=\"invoices.html\">Download an invoice</a></li>"), "{linked}");
    let related = &refunds[refunds.find("id=\"related-articles\"").unwrap()..];
    let plans = related.find("Change your plan").unwrap();
    let invoices = related.find("Download an invoice").unwrap();
    assert!(plans < invoices, "two shared tags rank above one");
}

#[test]
fn redirects_land_on_the_article_and_keep_the_fragment() {
    let f = site();
    assert_eq!(f.run(&["build"]).code, 0);
    for (path, href) in [
        (
            "public/en/articles/42-ask-for-a-refund/index.html",
            "../../../billing/refunds.html",
        ),
        (
            "public/en/articles/42/index.html",
            "../../../billing/refunds.html",
        ),
        (
            "public/old/refunds/index.html",
            "../../billing/refunds.html",
        ),
        ("public/legacy/refund.html", "../billing/refunds.html"),
    ] {
        let stub = f.read(path);
        assert!(
            stub.contains(&format!("<link rel=\"canonical\" href=\"{href}\">")),
            "{path}: {stub}"
        );
        assert!(
            stub.contains(&format!("location.replace(\"{href}\" + location.hash)")),
            "{path}"
        );
        assert!(
            stub.contains(&format!(
                "<meta http-equiv=\"refresh\" content=\"0; url={href}\">"
            )),
            "{path}"
        );
    }
    f.write(
        "book.toml",
        "[book]\nbase-url = \"https://help.example.com/\"\nlanguage = \"fr\"\n",
    );
    assert_eq!(f.run(&["build"]).code, 0);
    let stub = f.read("public/fr/articles/42/index.html");
    assert!(
        stub.contains(
            "<link rel=\"canonical\" href=\"https://help.example.com/billing/refunds.html\">"
        ),
        "{stub}"
    );
}

#[test]
fn a_redirect_may_not_replace_a_page() {
    let f = site();
    f.write("content/old/refunds/_index.md", "# Old\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[redirect-collision]: the redirect `old/refunds/index.html` would replace old/refunds/_index.md\n  --> content/billing/refunds.md:6:1"), "{}", run.stderr);
}

#[test]
fn check_warns_about_mentions_alt_text_and_descriptions() {
    let f = site();
    f.write(
        "content/billing/tax.md",
        "---\ndescription: VAT.\n---\n# Claim back the sales tax\n",
    );
    f.write("content/account/shot.png", "a screenshot");
    f.write("content/account/profile.md", "# Edit your profile\n\nTo pay less, ask for a refund first; see the Claim back the sales tax page.\n\n![](shot.png)\n");
    let run = f.run(&["check"]);
    assert_eq!(run.code, 0, "warnings do not fail check");
    assert!(run.stderr.contains("warning[unlinked-mention]: \"Claim back the sales tax\" names a page of this site but is not a link\n  --> content/account/profile.md:3:46\n"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("= hint: link it: [Claim back the sales tax](../billing/tax.md)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning[image-alt]: this image has no alt text\n  --> content/account/profile.md:5:1"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("warning[no-description]: \"Edit your profile\" has no description\n  --> content/account/profile.md:1:1"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("\"ask for a refund\""),
        "four common words are too few to flag: {}",
        run.stderr
    );
    let build = f.run(&["build"]);
    assert!(
        build.stderr.contains("with 0 warnings"),
        "build leaves advice to check: {}",
        build.stderr
    );
}

#[test]
fn reference_article_check_finds_both_mentions_with_lines() {
    let f = Fixture::new("reference");
    let run = f.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    let lines_of = |needle: &str| -> Vec<u64> {
        rows.iter()
            .filter(|r| {
                r["code"] == "unlinked-mention"
                    && r["message"]
                        .as_str()
                        .unwrap()
                        .to_lowercase()
                        .contains(&needle.to_lowercase())
            })
            .map(|r| r["line"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        lines_of("Retrieve the verification code from Cerby"),
        [69, 79, 106, 118]
    );
    assert_eq!(
        lines_of("Create a Cerby-managed phone number or email address"),
        [67, 77, 104, 116]
    );
    for r in &rows {
        assert_eq!(
            r["file"],
            "content/guides/turn-on-mfa-in-tiktok-manually.md"
        );
        assert_eq!(r["severity"], "warning");
    }
}

#[test]
fn content_links_never_point_at_redirects() {
    let f = site();
    f.write("content/account/old.md", "---\ndescription: x\n---\n# Old\n\nSee [the refund page](../en/articles/42) and [this](../old/refunds/).\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[link-to-redirect]: this link points at a redirect to billing/refunds.md\n  --> content/account/old.md:6:5"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("= hint: link to the article itself: `../billing/refunds.md`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("error[link-to-redirect]").count(),
        2,
        "{}",
        run.stderr
    );
}

#[test]
fn empty_links_to_options_and_their_steps_are_filled() {
    let f = Fixture::empty();
    f.write(
        "content/a.md",
        "# A\n\n## Pay\n\n::: choose How do you pay?\n::: option By card {#card}\n1. Enter the number.\n::: option By bank transfer\n1. Copy the IBAN.\n:::\n",
    );
    f.write("content/b.md", "# B\n\nSee [](a.md#card), [](a.md#card-step-1) and [](a.md#by-bank-transfer-step-1).\n\n| Page | Link |\n|---|---|\n| A | [[A\\|the A page]] |\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let b = f.read("public/b.html");
    assert!(b.contains(">By card</a>, <a href=\"a.html#card-step-1\">By card, step 1</a> and <a href=\"a.html#by-bank-transfer-step-1\">By bank transfer, step 1</a>"), "{b}");
    assert!(b.contains("<a href=\"a.html\">the A page</a>"), "{b}");
}

/// A page with a problem at each of tens of thousands of places: each is reported at its
/// own line and column.
#[test]
fn a_page_of_many_broken_links_and_images_reports_each_at_its_place() {
    const N: usize = 20_000;
    let f = Fixture::empty();
    f.write("content/shot.png", "a screenshot");
    let mut page = String::from("---\ntitle: Many\ndescription: Many places.\n---\n");
    for i in 0..N {
        page.push_str(&format!(
            "- See [gone {i}](gone-{i}.md) and ![](shot.png)\n"
        ));
    }
    f.write("content/many.md", &page);
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1);
    // Each report's first line and where it points.
    let reports: Vec<(&str, &str)> = (run.stderr.lines())
        .zip(run.stderr.lines().skip(1))
        .filter(|(_, at)| at.starts_with("  --> content/many.md:"))
        .collect();
    let mut missing = Vec::new();
    let mut alt = Vec::new();
    for (what, at) in reports {
        let place = at.trim_start_matches("  --> content/many.md:").to_string();
        if what.starts_with("error[link-missing-page]") {
            missing.push((what.to_string(), place));
        } else if what == "warning[image-alt]: this image has no alt text" {
            alt.push(place);
        }
    }
    missing.sort_by_key(|(_, place)| {
        place
            .split(':')
            .map(|n| n.parse::<usize>().unwrap())
            .collect::<Vec<_>>()
    });
    alt.sort_by_key(|place| {
        place
            .split(':')
            .map(|n| n.parse::<usize>().unwrap())
            .collect::<Vec<_>>()
    });
    let expected_missing: Vec<(String, String)> = (0..N)
        .map(|i| {
            (
                format!("error[link-missing-page]: link target `gone-{i}.md` does not exist"),
                format!("{}:7", i + 5),
            )
        })
        .collect();
    assert!(
        missing == expected_missing,
        "{:?}",
        &missing[..missing.len().min(3)]
    );
    let expected_alt: Vec<String> = (0..N)
        .map(|i| {
            format!(
                "{}:{}",
                i + 5,
                format!("- See [gone {i}](gone-{i}.md) and ").len() + 1
            )
        })
        .collect();
    assert!(alt == expected_alt, "{:?}", &alt[..alt.len().min(3)]);
}

/// A page linking to its own headings thousands of times: each link finds its heading, and
/// the one link to no heading is reported.
#[test]
fn a_page_of_many_links_to_its_own_headings_checks_each() {
    const N: usize = 10_000;
    let f = Fixture::empty();
    let mut page = String::from("---\ntitle: Many\ndescription: Many headings.\n---\n");
    for i in 0..N {
        page.push_str(&format!("## Part {i}\n\nSee [this part](#part-{i}).\n\n"));
    }
    page.push_str("See [no part](#part-x).\n");
    f.write("content/many.md", &page);
    let run = f.run(&["check"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.matches("error[link-missing-fragment]").count(),
        1,
        "{}",
        &run.stderr[..run.stderr.len().min(2000)]
    );
    assert!(run.stderr.contains(&format!(
        "error[link-missing-fragment]: `#part-x` is not an id in this page\n  --> content/many.md:{}:5\n",
        4 * N + 5
    )));
}
