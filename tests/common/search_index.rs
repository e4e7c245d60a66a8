//! Reading a built site's search index (docs/search-index.md, format 2) back, for tests.

use super::Fixture;

fn call_arg<'a>(js: &'a str, fun: &str) -> &'a str {
    let start = js.find(&format!("stepbookSearch.{fun}(")).unwrap() + fun.len() + 16;
    let end = js.rfind(");").unwrap();
    &js[start..end]
}

/// The manifest, every term with its postings, and every article record of a built site.
pub fn read_index(
    f: &Fixture,
) -> (
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    Vec<serde_json::Value>,
) {
    let manifest: serde_json::Value =
        serde_json::from_str(call_arg(&f.read("public/search/manifest.js"), "manifest")).unwrap();
    assert_eq!(manifest["v"], 2);
    let shards = manifest["shards"].as_array().unwrap();
    assert_eq!(shards[0], "");
    let mut terms = serde_json::Map::new();
    for k in 0..shards.len() {
        let js = f.read(&format!("public/search/t{k}.js"));
        let (n, obj) = call_arg(&js, "terms").split_once(',').unwrap();
        assert_eq!(n, k.to_string());
        let obj: serde_json::Map<String, serde_json::Value> = serde_json::from_str(obj).unwrap();
        for t in obj.keys() {
            // Every term sits in the shard whose range holds it.
            assert!(
                shards[k].as_str().unwrap() <= t.as_str(),
                "{t} in shard {k}"
            );
            if let Some(next) = shards.get(k + 1) {
                assert!(t.as_str() < next.as_str().unwrap(), "{t} in shard {k}");
            }
        }
        terms.extend(obj);
    }
    let mut articles = Vec::new();
    for b in 0..manifest["buckets"].as_u64().unwrap() {
        let js = f.read(&format!("public/search/d{b}.js"));
        let packed = call_arg(&js, "docs").split_once(',').unwrap().1;
        let json =
            miniz_oxide::inflate::decompress_to_vec(&base64(packed.trim_matches('"'))).unwrap();
        let list: Vec<serde_json::Value> = serde_json::from_slice(&json).unwrap();
        articles.extend(list);
    }
    (manifest, terms, articles)
}

/// Standard base 64, padded.
fn base64(s: &str) -> Vec<u8> {
    const A: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for c in s.chars().filter(|&c| c != '=') {
        bits = (bits << 6) | A.find(c).unwrap() as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}
