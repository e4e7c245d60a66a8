//! The reference article (`tests/fixtures/reference/`), built unchanged.

mod common;

use common::{Fixture, main_of};

fn built() -> (Fixture, String) {
    let f = Fixture::new("reference");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("with 0 warnings"), "{}", run.stderr);
    let html = f.read("public/guides/turn-on-mfa-in-tiktok-manually.html");
    (f, html)
}

#[test]
fn source_is_the_unchanged_seed() {
    let ours = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference/content/guides/turn-on-mfa-in-tiktok-manually.md"
    ))
    .unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/turn-on-mfa-in-tiktok-manually.md"
    );
    if let Ok(seed) = std::fs::read(seed) {
        assert_eq!(ours, seed);
    }
}

#[test]
fn title_and_description() {
    let (_, html) = built();
    assert!(
        html.contains("<title>How to turn on MFA in TikTok manually · Cerby help center</title>")
    );
    assert!(html.contains("<meta name=\"description\" content=\"This article describes how to turn on MFA in TikTok manually using a Cerby-managed phone number and email address.\">"));
    assert!(html.contains("<h1 id=\"how-to-turn-on-mfa-in-tiktok-manually\">How to turn on MFA in TikTok manually</h1>"));
    assert_eq!(main_of(&html).matches("<h1").count(), 1);
}

#[test]
fn heading_ids() {
    let (_, html) = built();
    for id in [
        "1-link-verification-methods",
        "phone-number",
        "phone-number-1",
        "email",
        "email-1",
        "2-turn-on-mfa",
        "turn-off-mfa",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\" class=\"heading\"")),
            "missing heading {id}"
        );
        assert!(
            html.contains(&format!("<a class=\"heading-anchor\" href=\"#{id}\"")),
            "no self-link for {id}"
        );
    }
}

#[test]
fn step_ids() {
    let (_, html) = built();
    let ranges = [
        ("phone-number", 5),
        ("phone-number-1", 8),
        ("2-turn-on-mfa", 8),
        ("turn-off-mfa", 10),
    ];
    for (anchor, last) in ranges {
        for n in 1..=last {
            assert!(
                html.contains(&format!("<li class=\"step\" id=\"{anchor}-step-{n}\"")),
                "missing {anchor}-step-{n}"
            );
        }
        assert!(!html.contains(&format!("id=\"{anchor}-step-{}\"", last + 1)));
    }
    assert!(html.contains("id=\"retrieve-the-verification-code-from-cerby-step-2\""));
}

#[test]
fn callouts_of_each_kind() {
    let (_, html) = built();
    assert_eq!(html.matches("callout callout--important").count(), 2);
    assert_eq!(html.matches("callout callout--note").count(), 3);
    assert_eq!(html.matches("callout callout--tip").count(), 2);
    assert!(!html.contains("<strong>NOTE:</strong>"));
    assert!(!html.contains("<strong>IMPORTANT:</strong>"));
}

#[test]
fn note_stays_inside_step_two_and_the_list_goes_on() {
    let (_, html) = built();
    let step2 = html.find("id=\"phone-number-step-2\"").unwrap();
    let step3 = html.find("id=\"phone-number-step-3\"").unwrap();
    let between = &html[step2..step3];
    assert!(between.contains("callout callout--note"), "{between}");
    assert!(
        between.contains(
            "Currently, Cerby only supports phone numbers in the United States of America."
        )
    );
    assert!(
        between.ends_with("</p>\n</div>\n</div></li>\n<li class=\"step\" "),
        "{between}"
    );
    let list_start = html[..step2].rfind("<ol").unwrap();
    let list_end = list_start + html[list_start..].find("</ol>").unwrap();
    assert!(html[list_start..list_end].contains("id=\"phone-number-step-5\""));
}

#[test]
fn contents_lists_procedures_with_step_counts() {
    let (_, html) = built();
    assert!(html.contains(
        "<a href=\"#phone-number\">Phone number</a> <span class=\"toc__steps\">5 steps</span>"
    ));
    assert!(html.contains(
        "<a href=\"#turn-off-mfa\">Turn off MFA</a> <span class=\"toc__steps\">10 steps</span>"
    ));
}
