//! The build cache (`.stepbook-cache/`): a build that starts from it writes, byte for byte,
//! what `build --force` writes, after edits of every kind; a change of stepbook or of the
//! config, and a damaged cache, start over without a word.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Fixture, Run, copy_dir};

/// Every file under `dir` but the manifest (which holds modification times), with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != ".stepbook-manifest")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The files rendered and the files of the site, from the `--timings` report.
fn rendered(run: &Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.ends_with(" files rendered, the others kept from the last build"))
        .unwrap_or_else(|| panic!("no count of rendered files:\n{}", run.stderr));
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

/// The counts the `--timings` report ends with, each after the count.
const COUNTS: [&str; 7] = [
    " page contexts built",
    " articles fingerprinted",
    " articles counted for search",
    " pages checked for links",
    " articles followed along the anchor record",
    " vanished addresses of the anchor record decided",
    " search buckets deflated",
];

/// How the `--timings` report says the default language's site was assembled.
const ASSEMBLED: &str = "  site assembled: ";

/// The count on the line of the `--timings` report that ends with `what`.
fn count(run: &Run, what: &str) -> usize {
    let line = run
        .stderr
        .lines()
        .find(|l| l.ends_with(what))
        .unwrap_or_else(|| panic!("no line ending with {what:?}:\n{}", run.stderr));
    line.split_whitespace().next().unwrap().parse().unwrap()
}

/// How many page contexts a build built.
fn contexts(run: &Run) -> usize {
    count(run, COUNTS[0])
}

/// How many articles a build fingerprinted for the anchor record.
fn fingerprinted(run: &Run) -> usize {
    count(run, COUNTS[1])
}

/// How many articles a build counted for the search index.
fn counted(run: &Run) -> usize {
    count(run, COUNTS[2])
}

/// Everything a build printed but the summary's time.
fn report(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| !l.contains(" ms"))
        .filter(|l| !l.ends_with(" files rendered, the others kept from the last build"))
        .filter(|l| !COUNTS.iter().any(|c| l.ends_with(c)))
        .filter(|l| !l.starts_with(ASSEMBLED))
        .map(|l| match l.find(" in ") {
            Some(at) if l.starts_with("built ") => l[..at].to_string(),
            _ => l.to_string(),
        })
        .collect()
}

/// Builds `f` with its cache, and a copy of it from scratch with `--force`; both must write
/// the same files and report the same. Returns the cached build's counts.
fn build_both(f: &Fixture, what: &str) -> (usize, usize) {
    build_counting(f, what).0
}

/// What [`build_counting`] counts: files rendered of all, then contexts built, articles
/// fingerprinted and articles counted for search, each by the cached and the forced build.
type Counts = (
    (usize, usize),
    (usize, usize),
    (usize, usize),
    (usize, usize),
);

/// [`build_both`], with the counts of contexts the cached and the forced build built, and of
/// the articles they fingerprinted.
fn build_counting(f: &Fixture, what: &str) -> Counts {
    let (cached, forced) = build_runs(f, what);
    (
        rendered(&cached),
        (contexts(&cached), contexts(&forced)),
        (fingerprinted(&cached), fingerprinted(&forced)),
        (counted(&cached), counted(&forced)),
    )
}

/// [`build_both`]: how the cached build assembled the default language's site (the forced
/// one assembles it anew), and how many pages it checked for links.
fn build_assembling(f: &Fixture, what: &str) -> (String, usize) {
    let (cached, forced) = build_runs(f, what);
    let how = |run: &Run| {
        (run.stderr.lines())
            .find_map(|l| l.strip_prefix(ASSEMBLED))
            .unwrap_or_else(|| panic!("no line on the assembly:\n{}", run.stderr))
            .to_string()
    };
    assert_eq!(how(&forced), "anew", "{what}");
    (how(&cached), count(&cached, COUNTS[3]))
}

/// [`build_both`], returning the cached build and the forced one.
fn build_runs(f: &Fixture, what: &str) -> (Run, Run) {
    // The anchor record is an input too: both builds start from the one the last build left.
    let record = std::fs::read(f.root().join("anchors.lock")).ok();
    let cached = f.run(&["build", "--timings"]);
    assert_eq!(cached.code, 0, "{what}: {}", cached.stderr);
    let scratch = Fixture::empty();
    copy_dir(&f.root().join("content"), &scratch.root().join("content"));
    std::fs::copy(f.root().join("book.toml"), scratch.root().join("book.toml")).unwrap();
    if let Some(record) = record {
        std::fs::write(scratch.root().join("anchors.lock"), record).unwrap();
    }
    let forced = scratch.run(&["build", "--force", "--timings"]);
    assert_eq!(forced.code, 0, "{what}: {}", forced.stderr);
    let (all, files) = rendered(&forced);
    assert_eq!(all, files, "{what}: --force renders every file");
    assert_eq!(report(&cached), report(&forced), "{what}");
    let (a, b) = (
        tree(&f.root().join("public")),
        tree(&scratch.root().join("public")),
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: the same files"
    );
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{what}: {path} differs from a build from scratch"
        );
    }
    assert_eq!(
        f.read("anchors.lock"),
        scratch.read("anchors.lock"),
        "{what}: the anchor record"
    );
    (cached, forced)
}

fn edit(f: &Fixture, rel: &str, from: &str, to: &str) {
    let text = f.read(rel);
    assert!(text.contains(from), "{rel} holds {from:?}");
    f.write(rel, &text.replacen(from, to, 1));
}

#[test]
fn a_cached_build_writes_what_a_forced_build_writes_after_every_kind_of_edit() {
    let f = Fixture::new(".");
    let first = f.run(&["build", "--timings"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let (n, files) = rendered(&first);
    assert_eq!(n, files, "the first build renders everything");
    assert!(f.root().join(".stepbook-cache/engine.bin").is_file());

    let ((n, files), (others, _), (prints, articles), (counts, all_counts)) =
        build_counting(&f, "nothing changed");
    assert_eq!(n, 0, "nothing is rendered when nothing changed, of {files}");
    // The anchor plan's prints and the search index's counts of every article come back
    // from the cache.
    assert_eq!(prints, 0, "articles fingerprinted of {articles}");
    assert_eq!(counts, 0, "articles counted of {all_counts}");

    // A record that reads as the one the build leaves, but is not its text, is written anew.
    let record = f.read("anchors.lock");
    f.write("anchors.lock", &format!("{record}# a note\n"));
    build_both(&f, "a note in the record");
    assert_eq!(f.read("anchors.lock"), record, "the record is written anew");

    let page = "content/write/write-a-procedure.md";
    edit(&f, page, "\n\n", "\n\nA sentence added to the body.\n\n");
    let ((n, files), (built, all), (prints, _), (counts, _)) = build_counting(&f, "a body edit");
    assert!(n < files / 4, "a body edit rendered {n} of {files} files");
    // A sentence is no fact other pages read: the page and its Markdown copy, besides the
    // pages of the other languages, which are all looked at.
    assert_eq!(built, others + 2, "contexts built of {all}");
    assert_eq!(prints, 1, "the edited article alone is fingerprinted again");
    assert_eq!(counts, 1, "the edited article alone is counted again");

    edit(&f, page, "title: ", "title: Renamed ");
    let (_, (built, all), (prints, _), _) = build_counting(&f, "a title edit");
    // A title is read by other pages, but not by all of them: only theirs are built again.
    assert!(
        built > others + 2 && built < all,
        "a title edit built {built} contexts of {all}"
    );
    assert_eq!(
        prints, 1,
        "the retitled article alone is fingerprinted again"
    );

    // A renamed heading has another id: the record maps the old one to it, in both builds.
    edit(
        &f,
        page,
        "## Continue a procedure after a break",
        "## Pick up a procedure after a break",
    );
    let (_, _, (prints, _), _) = build_counting(&f, "a renamed heading");
    assert_eq!(prints, 1, "the edited article alone is fingerprinted again");
    let record = f.read("anchors.lock");
    assert!(
        record.contains("\n  continue-a-procedure-after-a-break section ")
            && record.contains("\n  pick-up-a-procedure-after-a-break section "),
        "the record keeps the old id and adds the new one"
    );

    f.write(
        "content/write/new-page.md",
        "---\ntitle: A new page\ntags: [steps]\n---\n\n1. Read [the steps](../write/write-a-procedure.md).\n",
    );
    build_both(&f, "a new article");

    std::fs::rename(
        f.root().join("content/write/new-page.md"),
        f.root().join("content/publish/moved-page.md"),
    )
    .unwrap();
    build_both(&f, "a renamed article");

    std::fs::remove_file(f.root().join("content/publish/moved-page.md")).unwrap();
    build_both(&f, "a deleted article");

    // A failed build leaves the output, and the cache that belongs to it, as they were.
    edit(&f, page, "\n\n", "\n\nSee [nowhere](nowhere.md).\n\n");
    assert_eq!(f.run(&["build"]).code, 1);
    edit(
        &f,
        page,
        "See [nowhere](nowhere.md).",
        "See [the branches](branches.md).",
    );
    build_both(&f, "a build after a failed one");

    f.write(
        "content/write/picture.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>",
    );
    edit(&f, page, "\n\n", "\n\n![A picture](picture.svg)\n\n");
    build_both(&f, "an image");
    // Same name, another size: the page measured it, so it is rendered again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    f.write(
        "content/write/picture.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"/>",
    );
    build_both(&f, "a changed image");

    edit(&f, page, "title: Renamed ", "title: ");
    edit(
        &f,
        "book.toml",
        "title = \"stepbook user guide\"",
        "title = \"Another guide\"",
    );
    let (n, files) = build_both(&f, "a config edit");
    assert_eq!(n, files, "a new config renders everything");
}

/// The assembly, the link check and the output paths' check come back from the cache: a
/// cached build assembles, checks and claims as `serve` would after the same edit.
#[test]
fn a_cached_build_starts_from_the_last_assembly_and_checks() {
    let near = "near the pages that changed";
    let shifted = "near the pages that changed, came or went";
    // A site of many languages, then one of one language with snippets.
    for (fixture, page) in [
        (".", "content/write/write-a-procedure.md"),
        ("snippets", "content/repositories/protect-a-branch.md"),
    ] {
        let f = Fixture::new(fixture);
        assert_eq!(f.run(&["build"]).code, 0);
        let what = |w: &str| format!("{fixture}: {w}");
        let assembled = |w: &str| build_assembling(&f, &what(w));
        assert_eq!(assembled("nothing changed"), ("kept".to_string(), 0));
        edit(&f, page, "\n\n", "\n\nA sentence added to the body.\n\n");
        assert_eq!(assembled("a body edit"), ("kept".to_string(), 1));
        edit(&f, page, "title: ", "title: Renamed ");
        assert_eq!(assembled("a title edit").0, near);
        match f.read(page).contains("tags: [") {
            true => edit(&f, page, "tags: [", "tags: [new-tag, "),
            false => edit(&f, page, "description: ", "tags: [new-tag]\ndescription: "),
        }
        assert_eq!(assembled("a tag").0, near);
        let dir = Path::new(page).parent().unwrap().to_str().unwrap();
        f.write(
            &format!("{dir}/new-page.md"),
            "---\ntitle: A new page\ntags: [new-tag]\n---\n\nRead [the collection](_index.md).\n",
        );
        assert_eq!(assembled("a new article").0, shifted);
        std::fs::rename(
            f.root().join(dir).join("new-page.md"),
            f.root().join(dir).join("moved-page.md"),
        )
        .unwrap();
        assert_eq!(assembled("a renamed article").0, shifted);
        std::fs::remove_file(f.root().join(dir).join("moved-page.md")).unwrap();
        assert_eq!(assembled("a deleted article").0, shifted);
        let config = f.read("book.toml");
        f.write(
            "book.toml",
            &config.replacen("title = \"", "title = \"New ", 1),
        );
        assert_eq!(assembled("a config edit").0, "anew");
        assert_eq!(assembled("nothing changed since").0, "kept");
    }
}

#[test]
fn a_cache_from_another_stepbook_is_not_read() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    // The fingerprint of the stepbook that wrote a cache file follows its 8-byte magic.
    let index = f.root().join(".stepbook-cache/engine.bin");
    let mut bytes = std::fs::read(&index).unwrap();
    assert_eq!(&bytes[..8], b"stepbook");
    bytes[8] ^= 0xff;
    std::fs::write(&index, bytes).unwrap();
    let (n, files) = build_both(&f, "another stepbook's cache");
    assert_eq!(n, files, "nothing is kept from another stepbook's cache");
}

#[test]
fn a_cached_build_into_another_folder_renders_every_page_as_the_last_build_did() {
    let f = Fixture::new(".");
    let first = f.run(&["build", "--timings"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Every page is rendered again from the bodies and values the cache keeps, whose
    // encodings it reads from the cache files' parts.
    let other = f.run(&["build", "--timings", "--dest", "other"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    let (n, files) = rendered(&other);
    assert_eq!(n, files, "every file is rendered into another folder");
    assert_eq!(fingerprinted(&other), 0, "{}", other.stderr);
    // The search index's buckets come deflated from the cache.
    assert_eq!(count(&other, COUNTS[6]), 0, "{}", other.stderr);
    assert_eq!(
        tree(&f.root().join("other")),
        tree(&f.root().join("public"))
    );
    // A file of them damaged is left out: its buckets are deflated again, the others not.
    let buckets = f.root().join(".stepbook-cache/buckets-03.bin");
    let mut bytes = std::fs::read(&buckets).unwrap();
    *bytes.last_mut().unwrap() ^= 0x55;
    std::fs::write(&buckets, bytes).unwrap();
    let third = f.run(&["build", "--timings", "--dest", "third"]);
    assert_eq!(third.code, 0, "{}", third.stderr);
    let (deflated, all) = (count(&third, COUNTS[6]), count(&first, COUNTS[6]));
    assert!(deflated > 0 && deflated < all, "{deflated} of {all}");
    assert_eq!(
        tree(&f.root().join("third")),
        tree(&f.root().join("public"))
    );
    // And the cache it saved serves the next build, after an edit, as well.
    let page = "content/write/write-a-procedure.md";
    edit(&f, page, "1. ", "1. First, ");
    build_both(&f, "a step after a build into another folder");
}

#[test]
fn a_cache_file_found_changed_where_it_is_read_fails_the_build_once_and_is_left_out() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    // The last byte of every memo shard is in the encodings of its values, which the entries'
    // hash does not cover: they are read, and found changed, only when a value is.
    let dir = f.root().join(".stepbook-cache");
    let mut shards: Vec<std::path::PathBuf> = (std::fs::read_dir(&dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("memo-")
        })
        .collect();
    shards.sort();
    for shard in &shards {
        let mut bytes = std::fs::read(shard).unwrap();
        *bytes.last_mut().unwrap() ^= 0x55;
        std::fs::write(shard, bytes).unwrap();
    }
    // A build into another folder reads every value: it fails, names each file, writes
    // nothing, and removes the files from the cache.
    let failed = f.run(&["build", "--dest", "other"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let named: Vec<&str> = (failed.stderr.lines())
        .filter_map(|l| {
            l.strip_prefix(
                "error[cache-changed]: the build cache changed while this build read it: ",
            )
        })
        .collect();
    // A shard whose last byte is in its entries (it holds none) is left out as it is read.
    assert!(named.len() >= 10, "{}", failed.stderr);
    let all: Vec<String> = (shards.iter())
        .map(|p| {
            format!(
                "[ROOT]/.stepbook-cache/{}",
                p.file_name().unwrap().display()
            )
        })
        .collect();
    assert!(
        named.iter().all(|n| all.iter().any(|a| a == n)),
        "{named:?}"
    );
    assert!(
        (failed.stderr)
            .contains("  = hint: build again: the next build leaves the changed file out"),
        "{}",
        failed.stderr
    );
    assert!(!f.root().join("other").exists(), "half a site was left");
    for name in &named {
        let file = name.replace("[ROOT]", &f.root().display().to_string());
        assert!(!Path::new(&file).exists(), "{file} is still in the cache");
    }
    // The next build leaves them out and renders what they held.
    let again = f.run(&["build", "--dest", "other"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        tree(&f.root().join("other")),
        tree(&f.root().join("public"))
    );
}

#[test]
fn force_renders_everything_and_leaves_a_cache() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    let forced = f.run(&["build", "--force", "--timings"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    let (n, files) = rendered(&forced);
    assert_eq!(n, files);
    let again = f.run(&["build", "--timings"]);
    assert_eq!(rendered(&again).0, 0, "{}", again.stderr);
}

#[test]
fn a_damaged_cache_is_ignored() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    let dir = f.root().join(".stepbook-cache");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".bin"))
        .collect();
    names.sort();
    // The index, 64 memo shards, 16 files of the search index's buckets, 16 shards of its
    // counts and its terms, the output paths' check, the link check, the assembly and the
    // URL table.
    assert_eq!(names.len(), 102, "{names:?}");
    assert_eq!(names[0], "buckets-00.bin");
    assert_eq!(names[15], "buckets-15.bin");
    assert_eq!(names[16..19], ["claims.bin", "engine.bin", "links.bin"]);
    assert_eq!(names[82], "memo-63.bin");
    assert_eq!(names[83], "search-00.bin");
    assert_eq!(names[98], "search-15.bin");
    assert_eq!(names[99], "search.bin");
    assert_eq!(names[100], "site.bin");
    assert_eq!(names[101], "table.bin");
    let page = "content/write/write-a-procedure.md";
    // The index, a few shards, the search index's terms, one of its shards and one file of
    // its buckets, each damaged in one of four ways.
    let picked = [
        "engine.bin",
        "memo-00.bin",
        "memo-17.bin",
        "memo-42.bin",
        "memo-63.bin",
        "search.bin",
        "search-07.bin",
        "buckets-03.bin",
        "site.bin",
        "links.bin",
        "claims.bin",
        "table.bin",
    ];
    for (i, name) in picked.iter().enumerate() {
        assert!(names.iter().any(|n| n == name), "{name}");
        let path = dir.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let damaged = match i % 4 {
            // Cut short, in the header or in the payload.
            0 => bytes[..bytes.len().min(20)].to_vec(),
            1 => bytes[..bytes.len() / 2].to_vec(),
            // One byte changed, where the payload is.
            2 => {
                let mut b = bytes.clone();
                let at = b.len() - 1;
                b[at] ^= 0x55;
                b
            }
            // Not a cache file at all.
            _ => b"garbage".to_vec(),
        };
        std::fs::write(&path, damaged).unwrap();
        edit(&f, page, "\n\n", &format!("\n\nEdit {i}.\n\n"));
        let (_, _, _, (counts, all)) = build_counting(&f, &format!("{name} damaged"));
        if name.starts_with("search") {
            assert_eq!(counts, all, "a damaged search memory is not read");
        }
    }
}

#[test]
fn a_cache_folder_that_is_a_file_is_left_alone() {
    let f = Fixture::new(".");
    f.write(".stepbook-cache", "mine\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning: Vec<&str> = run
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("warning[cache]"))
        .take(3)
        .collect();
    assert_eq!(
        warning,
        [
            "warning[cache]: [ROOT]/.stepbook-cache is not a folder, so the build kept no cache",
            "  = hint: move it away; the next build then makes the cache folder",
            "",
        ]
    );
    assert_eq!(f.read(".stepbook-cache"), "mine\n");
}

/// After an edit that changes no fact, only the edited page's context is built; the files of
/// the other pages are kept without their contexts, and one the output no longer holds
/// intact is made again, as a build from scratch makes it.
#[test]
fn a_file_of_an_unchanged_page_that_was_damaged_is_made_again() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    // A second build hard-links the unchanged files: the spare and the output share them.
    let second = f.run(&["build", "--timings"]);
    assert_eq!(second.code, 0);
    // With nothing changed, the pages of the other languages, which are all looked at.
    let others = contexts(&second);
    let page = "content/write/write-a-procedure.md";
    let other = f.root().join("public/write/branches.html");
    let mut bytes = std::fs::read(&other).unwrap();
    bytes.truncate(bytes.len() / 2);
    // Written in place: the spare's copy, the same file, is damaged too.
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&other)
        .and_then(|mut file| std::io::Write::write_all(&mut file, &bytes))
        .unwrap();
    edit(&f, page, "\n\n", "\n\nA sentence added to the body.\n\n");
    let (_, (built, all), _, _) = build_counting(&f, "a damaged file of another page");
    // The page and its Markdown copy, and the damaged page's context to make it again.
    assert_eq!(built, others + 2 + 1, "of {all}");
}

#[test]
fn a_search_file_changed_by_hand_is_made_again_and_listed_once() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    // The last file of the search index: the others are kept before it is found changed.
    let mut search: Vec<String> = tree(&f.root().join("public"))
        .into_keys()
        .filter(|p| p.contains("search/d"))
        .collect();
    search.sort_by_key(|p| (p.len(), p.clone()));
    let last = f.root().join("public").join(search.last().unwrap());
    let bytes = std::fs::read(&last).unwrap();
    std::fs::write(&last, &bytes[..bytes.len() / 2]).unwrap();
    let live = modified(&f.root().join("public"));
    build_both(&f, "a search file changed by hand");
    let manifest = f.read("public/.stepbook-manifest");
    let mut paths: Vec<&str> = (manifest.lines())
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    let listed = paths.len();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), listed, "each file listed once:\n{manifest}");
    // The last output, now the spare, was not written through.
    assert_eq!(modified(&f.root().join(".public.stepbook-spare")), live);
}

/// Every file under `dir` with its modification time.
fn modified(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let time = e.metadata().unwrap().modified().unwrap();
            (rel.to_string_lossy().into_owned(), time)
        })
        .collect()
}

/// What following the anchor record decided for an article is saved when it was decided
/// anew, though the article is the same: after the first build, whose record the second
/// reads, a body edit follows one article along the record, not every one.
#[test]
fn decisions_made_against_a_new_record_are_saved() {
    let f = Fixture::new(".");
    let followed = |run: &Run| count(run, COUNTS[4]);
    let build = || {
        let run = f.run(&["build", "--timings"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    };
    let all = followed(&build());
    assert!(all > 1, "{all} articles followed by the first build");
    // The record the first build wrote, read for the first time: every decision is made again.
    assert_eq!(followed(&build()), all);
    edit(
        &f,
        "content/write/write-a-procedure.md",
        "\n\n",
        "\n\nA sentence added to the body.\n\n",
    );
    assert_eq!(followed(&build()), 1);
}

/// Where each vanished address of the anchor record went is kept by the cache: after a body
/// edit of another article, a cached build decides none of them again (a forced one decides
/// every one), and writes what the forced one writes.
#[test]
fn where_vanished_addresses_went_is_kept_by_the_cache() {
    let f = Fixture::new(".");
    let decided = |run: &Run| count(run, COUNTS[5]);
    f.write(
        "content/write/gone-soon.md",
        "---\ntitle: Gone soon\n---\n\n1. Open the app.\n2. Tap **Settings**.\n",
    );
    assert_eq!(f.run(&["build"]).code, 0);
    std::fs::remove_file(f.root().join("content/write/gone-soon.md")).unwrap();
    let (cached, forced) = build_runs(&f, "a deleted article");
    let all = decided(&forced);
    assert!(all >= 1, "{all} vanished addresses decided");
    assert_eq!(
        decided(&cached),
        all,
        "the record read is the one the last build wrote"
    );
    edit(
        &f,
        "content/write/write-a-procedure.md",
        "\n\n",
        "\n\nA sentence added to the body.\n\n",
    );
    let (cached, forced) = build_runs(&f, "a body edit");
    assert_eq!((decided(&cached), decided(&forced)), (0, all));
}
