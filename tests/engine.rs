//! The build engine, held to one rule: whatever it renders again after an edit, the site it
//! hands on equals a build from scratch, byte for byte, over every file, and so do the
//! diagnostics.
//!
//! A seeded random sequence of edits of every kind (bodies, titles, descriptions, tags,
//! slugs, renames, new and deleted articles, collection pages, drafts, replaced images,
//! templates, stylesheets, `book.toml`, German translations written, changed and deleted,
//! snippets edited, created, deleted, included and no longer included, the anchor record a
//! build writes) is applied to a generated site. After each one, one
//! long-lived engine brings its copy of the output up to date from the files it hands on and
//! the paths it drops, and a fresh engine builds the whole site; the two must agree. An edit
//! that leaves the site with errors is undone by the next step, which is itself an edit.
//! The long-lived engine is told the paths each edit touched, as `serve`'s watcher would
//! (every file and folder made, written or removed, and the temporary files of the saves
//! that write a file beside its place and rename it there), so it stamps only those and
//! walks the content folder only when they name a folder made or removed.
//!
//! `STEPBOOK_DIFF_EDITS` sets the number of edits (60 by default) and `STEPBOOK_DIFF_SEED`
//! the seed; `scripts/diff-engine.sh` runs thousands.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use stepbook::engine::{Changes, Engine, Options};
use stepbook::render::OutFile;

/// A small deterministic random number generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The output of a site: every file's bytes by path.
type Output = BTreeMap<String, Vec<u8>>;

/// The paths of `files`, sorted.
fn sorted_paths(files: &[OutFile]) -> Vec<&str> {
    let mut paths: Vec<&str> = files.iter().map(OutFile::path).collect();
    paths.sort();
    paths
}

fn bytes_of(f: &OutFile) -> Vec<u8> {
    match f {
        OutFile::Bytes(_, b) => b.clone(),
        OutFile::Copy(_, from) => std::fs::read(from).expect("a copied file exists"),
    }
}

/// The files an engine run hands on, and the paths it drops.
type Delta = (Vec<OutFile>, Vec<String>);

/// Runs `engine` once: its diagnostics, rendered, and the files it hands on and drops (or
/// `None` when the site has errors).
fn run(engine: &mut Engine, root: &Path) -> (String, Option<Delta>) {
    run_after(engine, root, Changes::All)
}

/// [`run`], telling the engine what changed.
fn run_after(engine: &mut Engine, root: &Path, changes: Changes) -> (String, Option<Delta>) {
    let (loaded, mut diags) = engine.load_after(changes);
    diags.sort();
    let text = diags.render(root);
    let Some(loaded) = loaded.filter(|_| !diags.has_errors()) else {
        return (text, None);
    };
    let delta = engine.render_all(&loaded).expect("the theme renders");
    (text, Some(delta))
}

/// A PNG header of `w` x `h` pixels: enough for the size to be read.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b
}

const COLLECTIONS: [&str; 3] = ["start", "billing", "account"];
const TAGS: [&str; 5] = ["mfa", "phone", "email", "refunds", "security"];

#[derive(Clone)]
struct Article {
    title: String,
    slug: Option<String>,
    description: String,
    tags: Vec<String>,
    draft: bool,
    /// Extra paragraphs and steps added by body edits.
    extra: Vec<String>,
    /// Heading of the second section, the target of links from other articles.
    heading: String,
    /// Articles this one links to: (collection, name).
    links: Vec<(usize, String)>,
    /// Snippets included at the end of the first procedure.
    includes: Vec<String>,
}

/// The generated site and the model it is written from.
#[derive(Clone)]
struct Site {
    root: PathBuf,
    /// (collection, file name without `.md`) -> article.
    articles: BTreeMap<(usize, String), Article>,
    collection_titles: [String; 3],
    book_title: String,
    template_mark: Option<u32>,
    stylesheet: Option<u32>,
    next_name: usize,
    /// Articles with a German translation (`<name>.de.md`), by the step that last wrote it.
    translations: BTreeMap<(usize, String), usize>,
    /// Snippet name -> its version; a missing name has no file.
    snippets: BTreeMap<String, u32>,
}

/// The snippets an edit may write; `shared/nested` includes `confirm` in its even versions.
const SNIPPETS: [&str; 3] = ["shared/open", "shared/nested", "confirm"];

impl Site {
    fn new(root: &Path, rng: &mut Rng) -> Site {
        let mut site = Site {
            root: root.to_path_buf(),
            articles: BTreeMap::new(),
            collection_titles: ["Start here".into(), "Billing".into(), "Account".into()],
            book_title: "Help".into(),
            template_mark: None,
            stylesheet: None,
            next_name: 0,
            translations: BTreeMap::new(),
            snippets: BTreeMap::new(),
        };
        for (v, name) in SNIPPETS.iter().enumerate() {
            site.write_snippet(name, Some(v as u32));
        }
        for _ in 0..12 {
            site.add_article(rng);
        }
        for c in 0..COLLECTIONS.len() {
            for k in 0..3 {
                site.write_image(c, k, 10 + k as u32, 20);
            }
        }
        site
    }

    fn add_article(&mut self, rng: &mut Rng) -> (usize, String) {
        let c = rng.below(COLLECTIONS.len());
        let name = format!("a{}", self.next_name);
        self.next_name += 1;
        let others: Vec<(usize, String)> = self.articles.keys().cloned().collect();
        let links = (0..rng.below(3))
            .filter(|_| !others.is_empty())
            .map(|_| rng.pick(&others).clone())
            .collect();
        let article = Article {
            title: format!("Article {name}"),
            slug: None,
            description: format!("About {name}."),
            tags: vec![rng.pick(&TAGS).to_string()],
            draft: false,
            extra: Vec::new(),
            heading: format!("Details of {name}"),
            links,
            includes: (0..rng.below(2))
                .map(|_| rng.pick(&SNIPPETS).to_string())
                .collect(),
        };
        self.articles.insert((c, name.clone()), article);
        self.write_article(c, &name);
        (c, name)
    }

    fn path(&self, c: usize, name: &str) -> PathBuf {
        self.root
            .join("content")
            .join(COLLECTIONS[c])
            .join(format!("{name}.md"))
    }

    fn write_article(&self, c: usize, name: &str) {
        let a = &self.articles[&(c, name.to_string())];
        let mut text = format!("---\ntitle: {}\ndescription: {}\n", a.title, a.description);
        text.push_str(&format!("tags: [{}]\n", a.tags.join(", ")));
        if let Some(s) = &a.slug {
            text.push_str(&format!("slug: {s}\n"));
        }
        if a.draft {
            text.push_str("draft: true\n");
        }
        text.push_str(
            "---\n\n## Before you start\n\n1. Open **Settings**.\n2. Select **Security**.\n",
        );
        for s in &a.includes {
            text.push_str(&format!("::: include {s}\n"));
        }
        text.push('\n');
        text.push_str(&format!("![Screen](pic-{}.png)\n\n", name.len() % 3));
        text.push_str(&format!("## {}\n\n1. Do the first thing.\n\n", a.heading));
        for (tc, tn) in &a.links {
            let Some(target) = self.articles.get(&(*tc, tn.clone())) else {
                continue;
            };
            let rel = format!("../{}/{tn}.md", COLLECTIONS[*tc]);
            let fragment = stepbook::markdown::ids::github_slug(&target.heading);
            text.push_str(&format!(
                "See []({rel}#{fragment}), [its first step]({rel}#{fragment}-step-1) and [[{}]].\n\n",
                target.title
            ));
        }
        for e in &a.extra {
            text.push_str(e);
            text.push_str("\n\n");
        }
        write(&self.path(c, name), text.as_bytes());
    }

    fn translation_path(&self, c: usize, name: &str) -> PathBuf {
        self.root
            .join("content")
            .join(COLLECTIONS[c])
            .join(format!("{name}.de.md"))
    }

    /// The German translation: the source's structure (so its ids are the source's), its
    /// links (to pages that may have no translation), and an image of the collection.
    fn write_translation(&self, c: usize, name: &str) {
        let Some(version) = self.translations.get(&(c, name.to_string())) else {
            return;
        };
        let a = &self.articles[&(c, name.to_string())];
        let mut text = format!(
            "---\ntitle: Artikel {name} {version}\n---\n\n## Bevor Sie anfangen\n\n1. Öffnen Sie **Einstellungen**.\n2. Wählen Sie **Sicherheit**.\n\n"
        );
        text.push_str(&format!(
            "![Bild](pic-{}.png)\n\n## Einzelheiten\n\n1. Rechnungen prüfen.\n\n",
            version % 3
        ));
        for (tc, tn) in &a.links {
            if self.articles.contains_key(&(*tc, tn.clone())) {
                text.push_str(&format!("Siehe [](../{}/{tn}.md).\n\n", COLLECTIONS[*tc]));
            }
        }
        write(&self.translation_path(c, name), text.as_bytes());
    }

    /// Writes the snippet `name` at `version`, or deletes it for `None`.
    fn write_snippet(&mut self, name: &str, version: Option<u32>) {
        let path = self.root.join(format!("content/_snippets/{name}.md"));
        let Some(v) = version else {
            let _ = std::fs::remove_file(path);
            self.snippets.remove(name);
            return;
        };
        // Relative links and images resolve from the snippet's own folder.
        let up = "../".repeat(name.matches('/').count() + 1);
        let mut text = format!(
            "1. Step of {name}, version {v}: see [the billing page]({up}billing/_index.md).\n2. Check the icon ![Icon]({up}start/pic-{}.png).\n",
            v % 3
        );
        if name == "shared/nested" && v % 2 == 0 {
            text.push_str("   ::: include confirm\n");
        }
        write(&path, text.as_bytes());
        self.snippets.insert(name.to_string(), v);
    }

    fn write_image(&self, c: usize, k: usize, w: u32, h: u32) {
        let at = self
            .root
            .join("content")
            .join(COLLECTIONS[c])
            .join(format!("pic-{k}.png"));
        write(&at, &png(w, h));
    }

    fn write_collection(&self, c: usize) {
        write(
            &self
                .root
                .join("content")
                .join(COLLECTIONS[c])
                .join("_index.md"),
            format!(
                "---\ntitle: {}\n---\nThe {} articles.\n",
                self.collection_titles[c], COLLECTIONS[c]
            )
            .as_bytes(),
        );
    }

    fn write_config(&self) {
        write(
            &self.root.join("book.toml"),
            format!(
                "[book]\ntitle = \"{}\"\nbase-url = \"https://help.example.com/\"\n\n[build]\ntheme = \"custom\"\n\n[languages.de]\ntitle = \"Hilfe\"\n",
                self.book_title
            )
            .as_bytes(),
        );
    }

    fn write_theme(&self) {
        let dir = self.root.join("themes/custom");
        match self.template_mark {
            Some(n) => {
                let base = include_str!("../themes/default/templates/base.html")
                    .replace("</body>", &format!("<!-- theme {n} --></body>"));
                write(&dir.join("templates/base.html"), base.as_bytes());
            }
            None => {
                let _ = std::fs::remove_file(dir.join("templates/base.html"));
            }
        }
        match self.stylesheet {
            Some(n) => write(
                &dir.join("static/assets/stepbook.css"),
                format!("body {{ margin: {n}px }}\n").as_bytes(),
            ),
            None => {
                let _ = std::fs::remove_file(dir.join("static/assets/stepbook.css"));
            }
        }
    }

    fn keys(&self) -> Vec<(usize, String)> {
        self.articles.keys().cloned().collect()
    }

    /// Applies one random edit; returns its name.
    fn edit(&mut self, rng: &mut Rng, step: usize) -> String {
        let keys = self.keys();
        let (c, name) = rng.pick(&keys).clone();
        let key = (c, name.clone());
        let kind = rng.below(21);
        match kind {
            0 | 1 => {
                let a = self.articles.get_mut(&key).unwrap();
                a.extra.push(match rng.below(3) {
                    0 => format!("A new paragraph, number {step}."),
                    1 => format!("1. A new step {step}.\n2. And one more."),
                    _ => format!("> [!NOTE]\n> A note added at {step}."),
                });
                self.write_article(c, &name);
                format!("body of {name}")
            }
            2 => {
                self.articles.get_mut(&key).unwrap().title = format!("Renamed {name} {step}");
                self.rewrite_all();
                format!("title of {name}")
            }
            3 => {
                self.articles.get_mut(&key).unwrap().description = format!("Now {step}.");
                self.write_article(c, &name);
                format!("description of {name}")
            }
            4 => {
                self.articles.get_mut(&key).unwrap().tags = vec![rng.pick(&TAGS).to_string()];
                self.write_article(c, &name);
                format!("tags of {name}")
            }
            5 => {
                let a = self.articles.get_mut(&key).unwrap();
                a.slug = if a.slug.is_some() {
                    None
                } else {
                    Some(format!("s-{name}-{step}"))
                };
                self.write_article(c, &name);
                format!("slug of {name}")
            }
            6 => {
                // Move the article to another collection; links to it follow.
                let to = (c + 1) % COLLECTIONS.len();
                let a = self.articles.remove(&key).unwrap();
                std::fs::remove_file(self.path(c, &name)).unwrap();
                self.articles.insert((to, name.clone()), a);
                if let Some(v) = self.translations.remove(&key) {
                    std::fs::remove_file(self.translation_path(c, &name)).unwrap();
                    self.translations.insert((to, name.clone()), v);
                }
                for other in self.articles.values_mut() {
                    for l in &mut other.links {
                        if *l == key {
                            l.0 = to;
                        }
                    }
                }
                self.rewrite_all();
                format!("move {name}")
            }
            7 => {
                let (_, new) = self.add_article(rng);
                format!("new {new}")
            }
            8 if self.articles.len() > 4 => {
                self.articles.remove(&key);
                std::fs::remove_file(self.path(c, &name)).unwrap();
                if self.translations.remove(&key).is_some() {
                    std::fs::remove_file(self.translation_path(c, &name)).unwrap();
                }
                for other in self.articles.values_mut() {
                    other.links.retain(|l| *l != key);
                }
                self.rewrite_all();
                format!("delete {name}")
            }
            9 => {
                let k = rng.below(3);
                let (w, h) = (1 + rng.below(400) as u32, 1 + rng.below(300) as u32);
                self.write_image(c, k, w, h);
                format!("image {c}/{k} to {w}x{h}")
            }
            10 => {
                self.template_mark = if rng.below(4) == 0 {
                    None
                } else {
                    Some(step as u32)
                };
                self.write_theme();
                "template".into()
            }
            11 => {
                self.stylesheet = if rng.below(4) == 0 {
                    None
                } else {
                    Some(step as u32)
                };
                self.write_theme();
                "stylesheet".into()
            }
            12 => {
                self.book_title = format!("Help {step}");
                self.write_config();
                "book.toml".into()
            }
            13 => {
                self.articles.get_mut(&key).unwrap().heading = format!("Section {step} of {name}");
                self.rewrite_all();
                format!("heading of {name}")
            }
            14 => {
                let cc = rng.below(COLLECTIONS.len());
                self.collection_titles[cc] = format!("Collection {step}");
                self.write_collection(cc);
                format!("collection {cc}")
            }
            15 => {
                let a = self.articles.get_mut(&key).unwrap();
                a.draft = !a.draft;
                self.write_article(c, &name);
                format!("draft of {name}")
            }
            16 => {
                // Edit, create or delete a snippet: every page that includes it follows.
                let snippet = rng.pick(&SNIPPETS).to_string();
                let version = match self.snippets.get(&snippet) {
                    Some(_) if rng.below(4) == 0 => None,
                    _ => Some(step as u32),
                };
                self.write_snippet(&snippet, version);
                match version {
                    Some(_) => format!("snippet {snippet}"),
                    None => format!("delete snippet {snippet}"),
                }
            }
            17 => {
                let snippet = rng.pick(&SNIPPETS).to_string();
                let a = self.articles.get_mut(&key).unwrap();
                let what = if let Some(at) = a.includes.iter().position(|s| *s == snippet) {
                    a.includes.remove(at);
                    "no longer includes"
                } else {
                    a.includes.push(snippet.clone());
                    "includes"
                };
                self.write_article(c, &name);
                format!("{name} {what} {snippet}")
            }
            18 => {
                if self.translations.contains_key(&key) && rng.below(3) == 0 {
                    self.translations.remove(&key);
                    std::fs::remove_file(self.translation_path(c, &name)).unwrap();
                    format!("delete the translation of {name}")
                } else {
                    self.translations.insert(key, step);
                    self.write_translation(c, &name);
                    format!("translation of {name}")
                }
            }
            19 => {
                // What `stepbook build` does after a build: later renames, moves and new
                // steps then map old fragments and redirect old addresses.
                let (loaded, _) = Engine::new(&self.root, Options::default()).load();
                match loaded {
                    Some(l) => write(
                        &self.root.join("anchors.lock"),
                        l.site.anchors.text().as_bytes(),
                    ),
                    None => return "anchor record (site has errors)".into(),
                }
                "anchor record".into()
            }
            _ => {
                // The same size, written again at once: only its bytes tell.
                let path = self.path(c, &name);
                let mut text = std::fs::read_to_string(&path).unwrap();
                let (at, now) = match text.find("first thing") {
                    Some(at) => (at, "FIRST thing"),
                    None => (text.find("FIRST thing").unwrap(), "first thing"),
                };
                text.replace_range(at..at + now.len(), now);
                write(&path, text.as_bytes());
                format!("same-size rewrite of {name}")
            }
        }
    }

    fn rewrite_all(&self) {
        for (c, name) in self.keys() {
            self.write_article(c, &name);
            self.write_translation(c, &name);
        }
    }

    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        for entry in walkdir::WalkDir::new(&self.root).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                all.push((
                    entry.path().to_path_buf(),
                    std::fs::read(entry.path()).unwrap(),
                ));
            }
        }
        all
    }

    /// Puts the files back as they were in `snapshot`.
    fn restore(&self, snapshot: &[(PathBuf, Vec<u8>)]) {
        for entry in walkdir::WalkDir::new(&self.root).contents_first(true) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() && !snapshot.iter().any(|(p, _)| p == entry.path()) {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        for (p, bytes) in snapshot {
            if std::fs::read(p).ok().as_deref() != Some(bytes.as_slice()) {
                write(p, bytes);
            }
        }
    }
}

thread_local! {
    /// How many files were written, to save every other one beside its place and rename it.
    static WRITES: Cell<usize> = const { Cell::new(0) };
    /// The temporary files of those saves, which a watcher reports too.
    static TEMPORARY: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// Writes `bytes` to `path`, unless it holds them already (a file written again with the same
/// bytes is a new version, as `make` sees it, and the test checks that copied files are handed
/// on only when their bytes change). Every other write is an editor's safe save: a temporary
/// file beside it, renamed over it.
fn write(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return;
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let n = WRITES.with(|w| w.replace(w.get() + 1));
    if n.is_multiple_of(2) {
        std::fs::write(path, bytes).unwrap();
        return;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".save");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes).unwrap();
    std::fs::rename(&temporary, path).unwrap();
    TEMPORARY.with(|t| t.borrow_mut().push(temporary));
}

/// Every file (with its bytes) and folder under `root`.
type Tree = BTreeMap<PathBuf, Option<Vec<u8>>>;

fn tree(root: &Path) -> Tree {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (e.into_path(), bytes)
        })
        .collect()
}

/// What a watcher reports between `before` and `after`: every path made, changed or gone,
/// and the temporary files saved since.
fn touched(before: &Tree, after: &Tree) -> Changes {
    let mut paths: HashSet<PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .cloned()
        .collect();
    paths.extend(TEMPORARY.with(|t| std::mem::take(&mut *t.borrow_mut())));
    Changes::Paths(paths)
}

#[test]
fn incremental_output_equals_a_clean_build_after_every_edit() {
    let edits: usize = std::env::var("STEPBOOK_DIFF_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("STEPBOOK_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng(seed | 1);
    let mut site = Site::new(root, &mut rng);
    site.write_config();
    for c in 0..COLLECTIONS.len() {
        site.write_collection(c);
    }
    let opts = Options::default();
    let mut engine = Engine::new(root, opts);
    let mut served: Output = BTreeMap::new();
    let mut good = (site.snapshot(), site.clone());
    let mut before = Tree::new();
    let (mut failed, mut kept, mut broken) = (0, 0, 0);
    // The most translated articles a successful build had.
    let mut translated = 0;
    // Whether the build before this edit succeeded.
    let mut last_ok = false;
    for step in 0..=edits {
        let what = if step == 0 {
            "first build".to_string()
        } else if failed > 0 && rng.below(2) == 0 {
            // Undo the edit that broke the site.
            site.restore(&good.0);
            site = good.1.clone();
            failed = 0;
            "undo".to_string()
        } else {
            site.edit(&mut rng, step)
        };
        let after = tree(root);
        let changes = if step == 0 {
            Changes::All
        } else {
            touched(&before, &after)
        };
        before = after;
        let (diags, out) = run_after(&mut engine, root, changes);
        let (fresh_diags, fresh) = run(&mut Engine::new(root, opts), root);
        assert_eq!(diags, fresh_diags, "diagnostics after edit {step} ({what})");
        match (out, fresh) {
            (Some((changed, gone)), Some((all, _))) => {
                kept += all.len() - changed.len();
                for path in gone {
                    served.remove(&path);
                }
                for f in &changed {
                    let bytes = bytes_of(f);
                    if let (OutFile::Copy(..), true) = (f, last_ok) {
                        // A copied file is handed on again only when it changed: each time
                        // it is, the open pages reload. (After a failed build, a file may have
                        // been written and written back.)
                        assert_ne!(
                            served.get(f.path()),
                            Some(&bytes),
                            "edit {step} ({what}) handed on {} unchanged",
                            f.path()
                        );
                    }
                    served.insert(f.path().to_string(), bytes);
                }
                let clean: Output = all
                    .iter()
                    .map(|f| (f.path().to_string(), bytes_of(f)))
                    .collect();
                let differing: std::collections::BTreeSet<&String> = clean
                    .keys()
                    .chain(served.keys())
                    .filter(|p| clean.get(*p) != served.get(*p))
                    .collect();
                assert!(
                    differing.is_empty(),
                    "after edit {step} ({what}), these files differ from a clean build: {differing:?}"
                );
                translated = translated.max(
                    clean
                        .keys()
                        .filter(|p| {
                            p.starts_with("de/") && p.ends_with(".html") && p.contains("/a")
                        })
                        .count(),
                );
                good = (site.snapshot(), site.clone());
                last_ok = true;
            }
            (None, None) => {
                last_ok = false;
                failed += 1;
                broken += 1;
            }
            (a, b) => panic!(
                "after edit {step} ({what}) one build failed and the other did not: {} {}",
                a.is_some(),
                b.is_some()
            ),
        }
    }
    let walks = engine.walks();
    eprintln!(
        "{edits} edits, {broken} of them left errors; {kept} files kept as they were instead of rendered again; up to {translated} translated articles; the content folder walked {walks} times"
    );
    assert!(
        walks <= edits / 2,
        "the engine walked the content folder {walks} times in {edits} edits: it is not told what changed"
    );
    assert!(
        edits < 60 || translated > 0,
        "no translation was ever built: the edits do not reach the languages"
    );
    assert!(
        kept > 0,
        "the engine never kept a file: it is not incremental"
    );
}

/// The first `<img>` tag of `guide/a.html` among the files a run handed on.
fn first_img(out: Option<Delta>) -> String {
    let (files, _) = out.expect("the site builds");
    let page = (files.iter())
        .find(|f| f.path() == "guide/a.html")
        .map(bytes_of);
    let html = String::from_utf8(page.expect("the page is handed on")).unwrap();
    let at = html.find("<img").unwrap();
    html[at..at + html[at..].find('>').unwrap() + 1].to_string()
}

/// The size of a replaced image reaches the page at once, though the page's text is the same.
#[test]
fn a_replaced_image_updates_the_size_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("content/guide/a.md"),
        b"---\ntitle: A\n---\n![Screen](pic.png)\n",
    );
    write(&root.join("content/guide/pic.png"), &png(10, 20));
    let mut engine = Engine::new(root, Options::default());
    let first = first_img(run(&mut engine, root).1);
    assert_eq!(
        first,
        "<img src=\"pic.png\" alt=\"Screen\" width=\"10\" height=\"20\" loading=\"lazy\" decoding=\"async\">"
    );
    write(&root.join("content/guide/pic.png"), &png(300, 40));
    let second = first_img(run(&mut engine, root).1);
    assert_eq!(
        second,
        "<img src=\"pic.png\" alt=\"Screen\" width=\"300\" height=\"40\" loading=\"lazy\" decoding=\"async\">"
    );
}

/// A page that measured an image written too recently to trust its stamp keeps its body
/// while the image's bytes are the same, and is rendered again, with the new size, when other
/// bytes come under the very same stamp.
#[test]
fn an_image_written_just_before_a_run_is_known_again_by_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("content/guide/a.md"),
        b"---\ntitle: A\n---\n![Screen](../images/pic.png)\n",
    );
    let pic = root.join("content/images/pic.png");
    // A second ahead: too recent to trust, however slow the machine.
    let ahead = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    let put = |w: u32| {
        write(&pic, &png(w, 20));
        let file = std::fs::File::options().write(true).open(&pic).unwrap();
        file.set_modified(ahead).unwrap();
    };
    put(10);
    let mut engine = Engine::new(root, Options::default());
    let first = first_img(run(&mut engine, root).1);
    assert_eq!(engine.bodies_rendered(), 1);
    assert_eq!(
        first,
        "<img src=\"../images/pic.png\" alt=\"Screen\" width=\"10\" height=\"20\" loading=\"lazy\" decoding=\"async\">"
    );
    run(&mut engine, root);
    assert_eq!(engine.bodies_rendered(), 0);
    put(30);
    let again = first_img(run(&mut engine, root).1);
    assert_eq!(engine.bodies_rendered(), 1);
    assert_eq!(
        again,
        "<img src=\"../images/pic.png\" alt=\"Screen\" width=\"30\" height=\"20\" loading=\"lazy\" decoding=\"async\">"
    );
}

/// A new site title reaches every page, and renders no Markdown body again: a body reads no
/// config, and is kept while what it read is the same. The pages are the ones a new engine
/// makes.
#[test]
fn a_new_site_title_renders_every_page_and_no_body_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("content/guide/a.md"),
        b"---\ntitle: A\n---\nSee [B](b.md).\n",
    );
    write(
        &root.join("content/guide/b.md"),
        b"---\ntitle: B\n---\nText.\n",
    );
    write(&root.join("book.toml"), b"[book]\ntitle = \"Help\"\n");
    let mut engine = Engine::new(root, Options::default());
    run(&mut engine, root);
    assert_eq!(engine.bodies_rendered(), 2);
    write(&root.join("book.toml"), b"[book]\ntitle = \"Support\"\n");
    let (diags, out) = run(&mut engine, root);
    assert_eq!(engine.bodies_rendered(), 0);
    let (fresh_diags, fresh) = run(&mut Engine::new(root, Options::default()), root);
    assert_eq!(diags, fresh_diags);
    let fresh: HashMap<String, Vec<u8>> = (fresh.unwrap().0.iter())
        .map(|f| (f.path().to_string(), bytes_of(f)))
        .collect();
    let (files, gone) = out.unwrap();
    assert!(gone.is_empty());
    // A new config makes every file from a template again, each as a new engine makes it.
    assert_eq!(
        sorted_paths(&files),
        [
            "404.html",
            "guide/a.html",
            "guide/a.md",
            "guide/b.html",
            "guide/b.md",
            "guide/index.html",
            "index.html",
            "llms.txt"
        ]
    );
    for f in &files {
        assert!(
            fresh.get(f.path()) == Some(&bytes_of(f)),
            "{} is not made as anew",
            f.path()
        );
    }
}

/// A body edit renders that page again, and no other.
#[test]
fn a_body_edit_renders_only_its_page() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("content/guide/a.md"),
        b"---\ntitle: A\n---\nSee [B](b.md).\n",
    );
    write(
        &root.join("content/guide/b.md"),
        b"---\ntitle: B\n---\nText.\n",
    );
    let mut engine = Engine::new(root, Options::default());
    run(&mut engine, root);
    let b = root.join("content/guide/b.md");
    // What the watcher names: the file, and the temporary file of a safe save.
    let saved = |path: &Path| {
        let mut paths: HashSet<PathBuf> = TEMPORARY.with(|t| t.take()).into_iter().collect();
        paths.insert(path.to_path_buf());
        Changes::Paths(paths)
    };
    write(&b, b"---\ntitle: B\n---\nMore text.\n");
    let (_, out) = run_after(&mut engine, root, saved(&b));
    // Told the file that changed, the engine did not walk the content folder again.
    assert_eq!(engine.walks(), 1);
    let (files, gone) = out.unwrap();
    // The page and its Markdown copy; no other page's context was even built.
    assert_eq!(sorted_paths(&files), ["guide/b.html", "guide/b.md"]);
    assert!(gone.is_empty());
    assert_eq!(engine.contexts_built(), 2);
    // With the same facts, every key is the one the last render made.
    assert_eq!(engine.dependency_keys_computed(), 0);
    // A new title reaches the pages that show it: its neighbour, the collection's list, the
    // home page's card, llms.txt and its own page and Markdown copy.
    write(&b, b"---\ntitle: Bee\n---\nMore text.\n");
    let (_, out) = run_after(&mut engine, root, saved(&b));
    assert_eq!(engine.walks(), 1);
    assert_eq!(
        sorted_paths(&out.unwrap().0),
        [
            "guide/a.html",
            "guide/b.html",
            "guide/b.md",
            "guide/index.html",
            "index.html",
            "llms.txt"
        ]
    );
    // Only those pages are looked at again: not the 404 page, nor the Markdown copy of the
    // page that links to it with words of its own.
    assert_eq!(engine.contexts_built(), 6);
}

/// After a new title, the Markdown copies that read nothing of the page keep their keys
/// without their being computed; the one whose link takes its words from the title is made
/// again with them.
#[test]
fn a_new_title_computes_the_keys_of_the_markdown_copies_that_read_it_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let page = |title: &str, body: &str| format!("---\ntitle: {title}\n---\n{body}\n");
    for (file, title, body) in [
        ("guide/a.md", "A", "See [B](b.md)."),
        ("guide/b.md", "B", "Text."),
        ("other/c.md", "C", "Read [](../guide/b.md)."),
        ("other/d.md", "D", "Text."),
        ("other/e.md", "E", "See [D](d.md)."),
    ] {
        write(
            &root.join("content").join(file),
            page(title, body).as_bytes(),
        );
    }
    let mut engine = Engine::new(root, Options::default());
    let first = run(&mut engine, root).1.expect("the site builds").0;
    let markdown = |files: &[OutFile]| files.iter().filter(|f| f.path().ends_with(".md")).count();
    assert_eq!(markdown(&first), 5);
    let b = root.join("content/guide/b.md");
    write(&b, page("Bee", "Text.").as_bytes());
    let (_, out) = run_after(&mut engine, root, Changes::Paths([b].into_iter().collect()));
    let files = out.expect("the site builds").0;
    assert_eq!(
        sorted_paths(&files),
        [
            "guide/a.html",
            "guide/b.html",
            "guide/b.md",
            "guide/index.html",
            "index.html",
            "llms.txt",
            "other/c.html",
            "other/c.md"
        ]
    );
    let c = files.iter().find(|f| f.path() == "other/c.md").unwrap();
    let c = String::from_utf8(bytes_of(c)).unwrap();
    assert!(c.contains("Read [Bee](../guide/b.html)"), "{c}");
    // Every file made from a template (the home page, the 404 page, two collections, five
    // articles, five Markdown copies and llms.txt) but the copies of d and e, which link to
    // no page whose facts changed.
    assert_eq!(engine.dependency_keys_computed(), 15 - 2);
}

/// Told what changed, the engine sees new, deleted and renamed files and folders as a walk
/// would, and walks only for a folder made.
#[test]
fn told_changes_of_files_and_folders_the_engine_builds_what_a_walk_finds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let page = |title: &str| format!("---\ntitle: {title}\n---\nText of {title}.\n");
    write(&root.join("content/guide/a.md"), page("A").as_bytes());
    write(&root.join("content/more/c.md"), page("C").as_bytes());
    let mut engine = Engine::new(root, Options::default());
    let mut before = tree(root);
    run(&mut engine, root);
    let mut step = |what: &str, engine: &mut Engine, walks: usize| {
        let after = tree(root);
        let (diags, out) = run_after(engine, root, touched(&before, &after));
        before = after;
        let (fresh_diags, fresh) = run(&mut Engine::new(root, Options::default()), root);
        assert_eq!(diags, fresh_diags, "{what}");
        let pages = |out: Option<Delta>| {
            let (files, _) = out.expect("the site builds");
            files.len()
        };
        assert!(pages(out) > 0, "{what}: nothing handed on");
        let mut all: Vec<String> = fresh
            .unwrap()
            .0
            .iter()
            .map(|f| f.path().to_string())
            .collect();
        all.retain(|p| p.ends_with(".html") && p.contains('/'));
        all.sort();
        assert_eq!(engine.walks(), walks, "{what}");
        all
    };
    write(&root.join("content/guide/b.md"), page("B").as_bytes());
    assert_eq!(
        step("new file", &mut engine, 1),
        [
            "guide/a.html",
            "guide/b.html",
            "guide/index.html",
            "more/c.html",
            "more/index.html"
        ]
    );
    std::fs::remove_file(root.join("content/guide/a.md")).unwrap();
    assert_eq!(
        step("deleted file", &mut engine, 1),
        [
            "guide/b.html",
            "guide/index.html",
            "more/c.html",
            "more/index.html"
        ]
    );
    std::fs::remove_dir_all(root.join("content/more")).unwrap();
    assert_eq!(
        step("deleted folder", &mut engine, 1),
        ["guide/b.html", "guide/index.html"]
    );
    std::fs::rename(root.join("content/guide"), root.join("content/howto")).unwrap();
    assert_eq!(
        step("renamed folder", &mut engine, 2),
        ["howto/b.html", "howto/index.html"]
    );
    std::fs::rename(
        root.join("content/howto/b.md"),
        root.join("content/howto/d.md"),
    )
    .unwrap();
    assert_eq!(
        step("renamed file", &mut engine, 2),
        ["howto/d.html", "howto/index.html"]
    );
}

/// A page that came while the theme could not be loaded is checked for the output paths it
/// claims once the theme loads again, though the pages are then those of the run before.
#[test]
fn a_page_added_while_the_theme_is_broken_is_checked_for_its_output_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("book.toml"),
        b"[book]\ntitle = \"Help\"\n\n[build]\ntheme = \"custom\"\n",
    );
    let base = root.join("themes/custom/templates/base.html");
    write(
        &base,
        include_str!("../themes/default/templates/base.html").as_bytes(),
    );
    write(
        &root.join("content/guide/a.md"),
        b"---\ntitle: A\n---\nText.\n",
    );
    // A file of the content folder, copied as it is, where a page `b.md` would go.
    write(&root.join("content/guide/b.html"), b"<p>B</p>\n");
    let mut engine = Engine::new(root, Options::default());
    let (diags, out) = run(&mut engine, root);
    assert!(out.is_some(), "{diags}");
    write(&base, b"{% if %}\n");
    write(
        &root.join("content/guide/b.md"),
        b"---\ntitle: B\n---\nText.\n",
    );
    let (_, out) = run(&mut engine, root);
    assert!(out.is_none(), "the theme does not load");
    write(
        &base,
        include_str!("../themes/default/templates/base.html").as_bytes(),
    );
    let (diags, out) = run(&mut engine, root);
    let (fresh, _) = run(&mut Engine::new(root, Options::default()), root);
    assert!(fresh.contains("guide/b.html"), "{fresh}");
    assert_eq!(diags, fresh);
    assert!(out.is_none());
}
