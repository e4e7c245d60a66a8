//! The search index on disk (docs/search-index.md): manifest, term shards, article buckets.

mod common;

use common::Fixture;

fn call_arg<'a>(js: &'a str, fun: &str) -> &'a str {
    let start = js.find(&format!("stepbookSearch.{fun}(")).unwrap() + fun.len() + 16;
    let end = js.rfind(");").unwrap();
    &js[start..end]
}

#[test]
fn reference_article_is_indexed_down_to_its_steps() {
    let f = Fixture::new("reference");
    assert_eq!(f.run(&["build"]).code, 0);
    let manifest: serde_json::Value =
        serde_json::from_str(call_arg(&f.read("public/search/manifest.js"), "manifest")).unwrap();
    assert_eq!(manifest["v"], 1);
    assert_eq!(manifest["articles"], 1);
    let shards = manifest["shards"].as_u64().unwrap();
    let mut terms = serde_json::Map::new();
    for k in 0..shards {
        let js = f.read(&format!("public/search/t{k}.js"));
        let arg = call_arg(&js, "terms");
        let (n, obj) = arg.split_once(',').unwrap();
        assert_eq!(n, k.to_string());
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(obj).unwrap();
        terms.extend(obj);
    }
    for t in ["shared", "inbox", "verification", "tiktok", "cerby", "step"] {
        assert!(terms.contains_key(t), "{t} is indexed");
    }
    assert!(!terms.contains_key("a"), "one-letter words are left out");
    let bucket = f.read("public/search/d0.js");
    let arg = call_arg(&bucket, "docs");
    let docs: serde_json::Value = serde_json::from_str(arg.split_once(',').unwrap().1).unwrap();
    let article = &docs[0];
    assert_eq!(article["t"], "How to turn on MFA in TikTok manually");
    assert_eq!(article["u"], "guides/turn-on-mfa-in-tiktok-manually.html");
    assert_eq!(article["c"], "Guides");
    let step = article["p"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "retrieve-the-verification-code-from-cerby-step-2")
        .unwrap();
    assert_eq!(step[1], 2);
    assert!(
        step[3]
            .as_str()
            .unwrap()
            .starts_with("Click the Shared Inbox button in the left-side navigation drawer."),
        "{step}"
    );
    let sections = article["s"].as_array().unwrap();
    let section = &sections[step[2].as_u64().unwrap() as usize];
    assert_eq!(section[0], "retrieve-the-verification-code-from-cerby");
    assert_eq!(section[2], "Retrieve the verification code from Cerby");
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
