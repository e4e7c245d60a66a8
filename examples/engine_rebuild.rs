//! Times the build engine's rebuild after an edit, stage by stage, in process:
//! `cargo run --release --example engine_rebuild -- SITE_DIR [ROUNDS] [KIND]`.
//! The site is built once, then edited ROUNDS times (5 by default) the way KIND says: `body`
//! (the default: a line added to the first article), `title`, `description`, `tags` (its
//! frontmatter), `new` (an article added beside it), `delete` (one added, built, then
//! removed: only the removal is timed), `rename` (likewise, renamed) or `template` (a theme
//! template overridden). Each rebuild prints its stages, the sorting of its diagnostics, and
//! how many files it handed on. The search index, which `serve` builds later in the
//! background, is not part of it. Each rebuild is told the paths the edit touched, as
//! `serve`'s watcher tells it; with `STEPBOOK_WALK=1` it is not, and walks the site.

use std::path::{Path, PathBuf};
use std::time::Instant;

use stepbook::engine::{Changes, Engine, Options};

/// The allocator of the `stepbook` binary, so that the stages are timed as a build runs them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = PathBuf::from(
        args.next()
            .expect("usage: engine_rebuild SITE_DIR [ROUNDS] [KIND]"),
    );
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let kind = args.next().unwrap_or_else(|| "body".to_string());
    let article = walkdir::WalkDir::new(root.join("content"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .find(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .expect("an article");
    let walk = std::env::var_os("STEPBOOK_WALK").is_some_and(|v| v == "1");
    let told = |paths: Vec<PathBuf>| {
        if walk {
            Changes::All
        } else {
            Changes::Paths(paths.into_iter().collect())
        }
    };
    let mut engine = Engine::new(&root, Options::default());
    for round in 0..=rounds {
        let mut changes = Changes::All;
        if round > 0 {
            // Deletions and renames need a file to act on: it is made and built untimed.
            if let Some(prepared) = prepare(&kind, &article, round) {
                std::fs::write(&prepared, format!("---\ntitle: Soon {round}\n---\nSoon.\n"))
                    .unwrap();
                run(&mut engine, told(vec![prepared]), None);
            }
            changes = told(edit(&kind, &root, &article, round));
        }
        run(&mut engine, changes, Some(round == 0));
    }
}

/// The file a deletion or a rename acts on, when `kind` is one of them.
fn prepare(kind: &str, article: &Path, round: usize) -> Option<PathBuf> {
    matches!(kind, "delete" | "rename").then(|| article.with_file_name(format!("soon-{round}.md")))
}

/// Makes the edit `kind` of round `round`; returns the paths it touched.
fn edit(kind: &str, root: &Path, article: &Path, round: usize) -> Vec<PathBuf> {
    let set = |key: &str, value: String| {
        let text = std::fs::read_to_string(article).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{key}:")))
            .collect();
        let text = kept
            .join("\n")
            .replacen("---\n", &format!("---\n{key}: {value}\n"), 1);
        std::fs::write(article, text + "\n").unwrap();
    };
    match kind {
        "body" => {
            let mut text = std::fs::read_to_string(article).unwrap();
            text.push_str(&format!("\nEdit {round}.\n"));
            std::fs::write(article, text).unwrap();
        }
        "title" => set("title", format!("\"Title {round}\"")),
        "description" => set("description", format!("\"Description {round}\"")),
        "tags" => set("tags", format!("[\"tag-{round}\"]")),
        "new" => {
            let new = article.with_file_name(format!("new-{round}.md"));
            std::fs::write(&new, format!("---\ntitle: New {round}\n---\nNew.\n")).unwrap();
            return vec![new];
        }
        "delete" => {
            let gone = prepare(kind, article, round).unwrap();
            std::fs::remove_file(&gone).unwrap();
            return vec![gone];
        }
        "rename" => {
            let (from, to) = (
                prepare(kind, article, round).unwrap(),
                article.with_file_name(format!("renamed-{round}.md")),
            );
            std::fs::rename(&from, &to).unwrap();
            return vec![from, to];
        }
        "template" => {
            let to = root.join("themes/default/templates/base.html");
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            let base = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
            )
            .unwrap();
            std::fs::write(
                &to,
                base.replace("</footer>", &format!("<p>{round}</p></footer>")),
            )
            .unwrap();
            return vec![to];
        }
        other => panic!("unknown edit kind {other}"),
    }
    vec![article.to_path_buf()]
}

/// Loads and renders once; prints the timings unless `first` is `None`.
fn run(engine: &mut Engine, changes: Changes, first: Option<bool>) {
    let start = Instant::now();
    let (loaded, mut diags) = engine.load_after(changes);
    let loaded = loaded.expect("the site loads");
    let loaded_at = start.elapsed();
    diags.sort();
    let sorted_at = start.elapsed();
    let count = std::sync::atomic::AtomicUsize::new(0);
    engine
        .render(&loaded, &|_| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(())
        })
        .expect("the site renders");
    let total = start.elapsed();
    let Some(first) = first else { return };
    let stages: Vec<String> = loaded
        .timings
        .stages
        .iter()
        .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1e3))
        .collect();
    println!(
        "{}: {:.1} ms ({}; load {:.1} ms, sort diagnostics {:.1} ms, render {:.1} ms), {} contexts built, {} files handed on",
        if first { "build" } else { "rebuild" },
        total.as_secs_f64() * 1e3,
        stages.join(", "),
        loaded_at.as_secs_f64() * 1e3,
        (sorted_at - loaded_at).as_secs_f64() * 1e3,
        (total - sorted_at).as_secs_f64() * 1e3,
        engine.contexts_built(),
        count.into_inner()
    );
}
