//! The search index on disk (docs/search-index.md): manifest, term shards, article buckets.

mod common;

use common::Fixture;
use common::search_index::read_index;

/// The units of a record as (kind, full id, parent, label, text).
fn units(article: &serde_json::Value) -> Vec<(u64, String, usize, String, String)> {
    let mut out: Vec<(u64, String, usize, String, String)> = Vec::new();
    for n in article["n"].as_array().unwrap() {
        let parent = n[2].as_u64().unwrap() as usize;
        let id = n[1].as_str().unwrap();
        let id = match id.strip_prefix('+') {
            Some(rest) => format!("{}-{rest}", out[parent - 1].1),
            None => id.trim_start_matches('=').to_string(),
        };
        let label = match &n[3] {
            serde_json::Value::Number(x) => x.to_string(),
            v => v.as_str().unwrap().to_string(),
        };
        out.push((
            n[0].as_u64().unwrap(),
            id,
            parent,
            label,
            n[4].as_str().unwrap().to_string(),
        ));
    }
    out
}

#[test]
fn reference_article_is_indexed_down_to_its_steps() {
    let f = Fixture::new("reference");
    assert_eq!(f.run(&["build"]).code, 0);
    let (manifest, terms, articles) = read_index(&f);
    assert_eq!(manifest["articles"], 1);
    for t in ["shared", "inbox", "verification", "tiktok", "cerby", "step"] {
        assert!(terms.contains_key(t), "{t} is indexed");
    }
    assert!(!terms.contains_key("a"), "one-letter words are left out");
    let article = &articles[0];
    assert_eq!(article["t"], "How to turn on MFA in TikTok manually");
    assert_eq!(article["u"], "guides/turn-on-mfa-in-tiktok-manually.html");
    assert_eq!(article["c"], "Guides");
    let units = units(article);
    let step = units
        .iter()
        .find(|u| u.1 == "retrieve-the-verification-code-from-cerby-step-2")
        .unwrap();
    assert_eq!((step.0, step.3.as_str()), (1, "2"));
    assert!(
        step.4
            .starts_with("Click the Shared Inbox button in the left-side navigation drawer."),
        "{step:?}"
    );
    let section = &units[step.2 - 1];
    assert_eq!(section.1, "retrieve-the-verification-code-from-cerby");
    assert_eq!(section.3, "Retrieve the verification code from Cerby");
}

#[test]
fn every_word_is_in_its_deepest_unit_and_filled_link_texts_are_indexed() {
    let f = Fixture::empty();
    let long = "Filler words go here. ".repeat(40);
    f.write(
        "content/reset-password.md",
        "# Reset your password\n\n## Forgot it\n\n1. Open the sign-in page.\n",
    );
    f.write(
        "content/sign-in.md",
        &format!(
            "# Sign in\n\n## Get a code\n\n{long}\n\n1. Enter the code.\n\n   ::: choose Did it arrive?\n   ::: option Yes\n   Sign in.\n   ::: option No\n   Wait, then resend the code.\n   :::\n2. Read [](reset-password.md#forgot-it) first.\n\n> [!WARNING]\n> Codes expire after ten minutes.\n"
        ),
    );
    assert_eq!(f.run(&["build"]).code, 0);
    let (_, terms, articles) = read_index(&f);
    let sign_in = articles.iter().find(|a| a["t"] == "Sign in").unwrap();
    let units = units(sign_in);
    let text = |id: &str| units.iter().find(|u| u.1 == id).unwrap().4.clone();
    // The section keeps all its words, the warning after its steps too.
    assert_eq!(
        text("get-a-code"),
        format!("{} Codes expire after ten minutes.", long.trim_end())
    );
    assert_eq!(text("get-a-code-step-1"), "Enter the code. Did it arrive?");
    assert_eq!(text("no"), "Wait, then resend the code.");
    assert_eq!(text("get-a-code-step-2"), "Read Forgot it first.");
    let no = units.iter().position(|u| u.1 == "no").unwrap();
    assert_eq!(units[no].2, 2, "the option sits in step 1 (unit 2)");
    // "resend" is posted for the option only; "forgot" for the step whose link shows it.
    let post = |t: &str| terms[t].as_str().unwrap().to_string();
    let sign_in_id = articles.iter().position(|a| a["t"] == "Sign in").unwrap() as u32;
    // Units are written as `unit × 2`, plus 1 for a word of the unit's label.
    assert_eq!(units_of(&post("resend"), sign_in_id), [(no as u32 + 1) * 2]);
    let step2 = units
        .iter()
        .position(|u| u.1 == "get-a-code-step-2")
        .unwrap() as u32
        + 1;
    assert!(units_of(&post("forgot"), sign_in_id).contains(&(step2 * 2)));
    let section = units.iter().position(|u| u.1 == "get-a-code").unwrap() as u32 + 1;
    assert!(units_of(&post("get"), sign_in_id).contains(&(section * 2 + 1)));
    let html = f.read("public/sign-in.html");
    assert!(html.contains(">Forgot it</a>"), "{html}");
}

/// The units of `article` in a postings string.
fn units_of(postings: &str, article: u32) -> Vec<u32> {
    const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut nums = Vec::new();
    let (mut v, mut shift) = (0u32, 0);
    for c in postings.chars() {
        let d = B64.find(c).unwrap() as u32;
        v |= (d & 31) << shift;
        if d & 32 == 0 {
            nums.push(v);
            (v, shift) = (0, 0);
        } else {
            shift += 5;
        }
    }
    let (mut i, mut id) = (0, 0);
    while i < nums.len() {
        id = if i == 0 { nums[0] } else { id + nums[i] };
        let count = nums[i + 2] as usize;
        let mut units = Vec::new();
        for k in 0..count {
            let d = nums[i + 3 + k];
            units.push(if k == 0 { d } else { units[k - 1] + d });
        }
        if id == article {
            return units;
        }
        i += 3 + count;
    }
    Vec::new()
}

#[test]
fn search_can_be_turned_off() {
    let f = Fixture::empty();
    f.write("book.toml", "[search]\nenable = false\n");
    f.write("content/a.md", "# A\n\nText.\n");
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(!f.root().join("public/search").exists());
}

#[test]
fn file_count_is_bounded() {
    let f = Fixture::empty();
    for i in 0..300 {
        f.write(
            &format!("content/c{}/a{i}.md", i % 7),
            &format!("# Article {i}\n\n## Part\n\n1. Do thing number {i}.\n2. Then the next.\n"),
        );
    }
    assert_eq!(f.run(&["build"]).code, 0);
    let files = std::fs::read_dir(f.root().join("public/search"))
        .unwrap()
        .count();
    assert!(files < 300, "{files} files for 300 articles");
}
