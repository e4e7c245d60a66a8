//! Times the build engine's rebuild after a one-article body edit, stage by stage, in
//! process: `cargo run --release --example engine_rebuild -- SITE_DIR [ROUNDS]`.
//! The site is built once, then an article is edited ROUNDS times (5 by default); each
//! rebuild prints its stages and how many files it handed on.

use std::path::PathBuf;
use std::time::Instant;

use stepbook::engine::{Engine, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .expect("usage: engine_rebuild SITE_DIR [ROUNDS]"),
    );
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let article = walkdir::WalkDir::new(root.join("content"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .expect("an article");
    let mut engine = Engine::new(&root, Options::default());
    for round in 0..=rounds {
        if round > 0 {
            let mut text = std::fs::read_to_string(&article).unwrap();
            text.push_str(&format!("\nEdit {round}.\n"));
            std::fs::write(&article, text).unwrap();
        }
        let start = Instant::now();
        let (loaded, _) = engine.load();
        let loaded = loaded.expect("the site loads");
        let loaded_at = start.elapsed();
        let count = std::sync::atomic::AtomicUsize::new(0);
        engine
            .render(&loaded, &|_| {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })
            .expect("the site renders");
        let total = start.elapsed();
        let stages: Vec<String> = loaded
            .timings
            .stages
            .iter()
            .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3))
            .collect();
        println!(
            "{}: {:.1} ms ({}; load {:.1} ms, render {:.1} ms), {} contexts built, {} files handed on",
            if round == 0 { "build" } else { "rebuild" },
            total.as_secs_f64() * 1e3,
            stages.join(", "),
            loaded_at.as_secs_f64() * 1e3,
            (total - loaded_at).as_secs_f64() * 1e3,
            engine.contexts_built(),
            count.into_inner()
        );
    }
}
