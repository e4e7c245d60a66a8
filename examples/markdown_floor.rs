//! The Markdown floor for benchmarks: pulldown-cmark alone (same options, in parallel) over
//! every `.md` file under a folder, with nothing else of stepbook. `scripts/bench-build.py`
//! compares a full build against it.
//!
//!     cargo run --release --example markdown_floor -- DIR

use rayon::prelude::*;

/// The allocator of the `stepbook` binary, so that the floor is measured as a build is.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "content".into());
    let files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let bytes: usize = files
        .par_iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            let mut html = String::with_capacity(text.len() * 3 / 2);
            pulldown_cmark::html::push_html(
                &mut html,
                pulldown_cmark::Parser::new_ext(&text, stepbook::markdown::options()),
            );
            html.len()
        })
        .sum();
    eprintln!("{} files, {bytes} bytes of HTML", files.len());
}
