//! The real-world corpora in `../shared/corpus` build with `link-check = "warn"`: no panic,
//! no error, every broken link reported as a warning. Skipped when the corpora are absent.

mod common;

use std::path::Path;

use common::Fixture;

fn build_corpus(name: &str) -> Option<common::Run> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    if !corpus.is_dir() {
        eprintln!("skipped: {} is not here", corpus.display());
        return None;
    }
    let f = Fixture::empty();
    let content = corpus.canonicalize().unwrap();
    f.write(
        "book.toml",
        &format!(
            "[build]\ncontent-dir = \"{}\"\nlink-check = \"warn\"\n",
            content.display()
        ),
    );
    let run = f.run(&["build", "--dest", "out"]);
    assert!(f.root().join("out/index.html").is_file());
    Some(run)
}

fn warning_count(run: &common::Run, code: &str) -> usize {
    run.stderr
        .lines()
        .filter(|l| l.starts_with(&format!("warning[{code}]")))
        .count()
}

#[test]
fn github_docs_builds() {
    let Some(run) = build_corpus("github-docs") else {
        return;
    };
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    assert!(!run.stderr.contains("error["), "{}", run.stderr);
    eprintln!(
        "github-docs broken links: {} pages, {} fragments",
        warning_count(&run, "link-missing-page"),
        warning_count(&run, "link-missing-fragment")
    );
}

#[test]
fn business_central_builds() {
    let Some(run) = build_corpus("business-central") else {
        return;
    };
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"));
    assert!(!run.stderr.contains("error["), "{}", run.stderr);
    assert!(
        warning_count(&run, "link-missing-page") > 0,
        "the subset links outside itself"
    );
}
