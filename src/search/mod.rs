//! Search: the index builder. The format is `docs/search-index.md` (format 2); the browser
//! engine that reads it is `assets/search.js`.
//!
//! In: a [`Site`]. Out: the files of `search/` ([`OutFile`]s). Data for matching and data
//! for display travel apart:
//! - term shards hold the postings: for each term, the articles that hold it (with a BM25
//!   score) and, inside each, the units whose own words hold it ([`postings`]). Terms are
//!   sorted and cut into shards of about the same size, so a query loads the few shards of
//!   its words and nothing else ([`files`]);
//! - article buckets hold what results show: titles, URLs and every unit's own text (the
//!   article, its sections, steps and branch options), loaded only for the results shown.

mod files;
pub mod memo;
mod pairs;
mod postings;
pub use postings::Cut;
mod record;
pub mod tokenize;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::lazy::Lazy;
use crate::markdown::outline::Outline;
use crate::render::OutFile;
use crate::site::{Page, Site};

/// What the index needs of one article; cheap to gather (the outline is shared), so the
/// dev server can hand it to a background thread. The index is a pure function of the docs,
/// so a hash of them keys it.
#[derive(Debug, Clone, Hash)]
pub struct Doc {
    pub title: String,
    pub url: String,
    /// Collection breadcrumb, `" › "`-separated.
    pub crumb: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub outline: Lazy<Outline>,
}

/// The articles of `site`, in order, as the index sees them; their URLs start at the
/// language's root, where its index is. Gathered in parallel: a link written without text
/// has its outline copied and filled.
pub fn docs(site: &Site) -> Vec<Doc> {
    let root = site.lang_root();
    site.articles
        .par_iter()
        .map(|a| Doc {
            title: a.title.clone(),
            url: a
                .page
                .url
                .encoded()
                .strip_prefix(root)
                .map(str::to_string)
                .unwrap_or_else(|| a.page.url.encoded()),
            crumb: a
                .collection
                .map(|c| {
                    site.ancestry(c)
                        .iter()
                        .map(|&k| site.collections[k].title.clone())
                        .collect::<Vec<_>>()
                        .join(" › ")
                })
                .unwrap_or_default(),
            description: a.page.fm.description.clone(),
            tags: a.page.fm.tags.clone(),
            outline: filled(site, &a.page),
        })
        .collect()
}

/// The page's outline with the text of each link written without text, as the page shows
/// it.
fn filled(site: &Site, page: &Page) -> Lazy<Outline> {
    if !page.md.fills {
        return page.md.outline.clone();
    }
    let mut outline = Outline::clone(&page.md.outline);
    let words = crate::site::xref::fill_words(site, page, |w| w);
    outline.fill(|k| words.get(k)?.as_deref());
    Lazy::new(outline)
}

/// The files of `search/`, and of `<tag>/search/` for every other language.
pub fn build(site: &Site) -> Vec<OutFile> {
    build_from(&languages(site))
}

/// What each language's index is built from: its folder (`""`, `"de/"`), its language and
/// its articles. The dev server gathers it under its lock and builds on another thread.
pub fn languages(site: &Site) -> Vec<LangDocs> {
    site.all()
        .map(|s| {
            let docs = docs(s);
            LangDocs {
                root: s.lang_root().to_string(),
                language: s.config.language.clone(),
                hashes: docs.par_iter().map(crate::render::key_of).collect(),
                docs,
            }
        })
        .collect()
}

/// The articles of one language, and where its index goes.
#[derive(Debug, Clone)]
pub struct LangDocs {
    pub root: String,
    pub language: String,
    pub docs: Vec<Doc>,
    /// The hash of each doc: the index of one language is a pure function of its root, its
    /// language and these.
    pub hashes: Vec<u64>,
}

/// A key of everything the indexes of `langs` are built from: equal keys, equal files.
pub fn key(langs: &[LangDocs]) -> u64 {
    let parts: Vec<(&str, &str, &[u64])> = langs
        .iter()
        .map(|l| (l.root.as_str(), l.language.as_str(), l.hashes.as_slice()))
        .collect();
    crate::render::key_of(&parts)
}

/// Builds the indexes again and again, keeping what each article alone decides (its
/// counted terms, its bucket entry) between builds, by the hash of its [`Doc`]: a rebuild
/// after an edit counts the edited articles and merges; a first build is the same code with
/// nothing kept.
#[derive(Default)]
pub struct Indexer {
    /// By language folder and language.
    memos: FxHashMap<(String, String), memo::Memo>,
}

impl Indexer {
    /// Each language's memo, by language folder and language: what the build cache keeps.
    pub fn memos(&self) -> impl Iterator<Item = (&(String, String), &memo::Memo)> {
        self.memos.iter()
    }

    /// Each language's memo, to give it what the build cache kept.
    pub fn memos_mut(&mut self) -> impl Iterator<Item = (&(String, String), &mut memo::Memo)> {
        self.memos.iter_mut()
    }

    /// How many articles the last build counted, of every language: those it did not hold.
    pub fn counted(&self) -> usize {
        self.memos.values().map(|m| m.counted).sum()
    }

    /// How many article buckets the last build deflated, of every language: those it held
    /// neither deflated nor in their files.
    pub fn deflated(&self) -> usize {
        self.memos.values().map(|m| m.deflated).sum()
    }

    /// The indexer the cache kept: each language's memo.
    pub fn restore(memos: impl IntoIterator<Item = ((String, String), memo::Memo)>) -> Indexer {
        Indexer {
            memos: memos.into_iter().collect(),
        }
    }

    /// The files of the indexes of `langs` (the languages of the last call that are not
    /// among them are forgotten).
    pub fn build(&mut self, langs: &[LangDocs]) -> Vec<OutFile> {
        self.build_reusing(langs, &|_, _| false).0
    }

    /// [`Indexer::build`], leaving out each article bucket and term shard that `reuse` keeps,
    /// asked with its path and what its bytes depend on; and every file of the indexes, with
    /// that (0 for the manifests), kept or not.
    pub fn build_reusing(
        &mut self,
        langs: &[LangDocs],
        reuse: &(dyn Fn(&str, u64) -> bool + Sync),
    ) -> (Vec<OutFile>, Vec<(String, u64)>) {
        let out = std::sync::Mutex::new(Vec::new());
        let all = self.build_into(langs, reuse, &|f| {
            out.lock().expect("no panic while holding the lock").push(f)
        });
        // In the order of `all`: files are handed over from several threads at once.
        let order: FxHashMap<&str, usize> = (all.iter().enumerate())
            .map(|(i, (p, _))| (p.as_str(), i))
            .collect();
        let mut out = out.into_inner().expect("no panic while holding the lock");
        out.sort_by_key(|f| order.get(f.path()).copied());
        (out, all)
    }

    /// [`Indexer::build_reusing`], handing each file to `put` as soon as it is made rather
    /// than holding every file of the index at once. `put` is called from several threads at
    /// once, in no set order: the article buckets from a thread of their own while the term
    /// shards are made, the shards from rayon's; the list returned gives the order.
    pub fn build_into(
        &mut self,
        langs: &[LangDocs],
        reuse: &(dyn Fn(&str, u64) -> bool + Sync),
        put: &(dyn Fn(OutFile) + Sync),
    ) -> Vec<(String, u64)> {
        let mut before = std::mem::take(&mut self.memos);
        let mut all = Vec::new();
        for l in langs {
            let at = (l.root.clone(), l.language.clone());
            let mut memo = before.remove(&at).unwrap_or_default();
            build_one(l, &mut memo, reuse, put, &mut all);
            self.memos.insert(at, memo);
        }
        all
    }
}

/// How many buckets are made at a time, in parallel, before their files are written.
const BATCH: usize = 256;

/// The Snowball stemmer of a language, when there is one. English keeps the light stemming
/// of the browser engine's own list of endings, which the ranking tests were tuned with.
pub fn stemmer(tag: &str) -> Option<rust_stemmers::Stemmer> {
    use rust_stemmers::Algorithm::*;
    let primary = tag.split('-').next().unwrap_or("").to_ascii_lowercase();
    let algorithm = match primary.as_str() {
        "ar" => Arabic,
        "da" => Danish,
        "nl" => Dutch,
        "fi" => Finnish,
        "fr" => French,
        "de" => German,
        "el" => Greek,
        "hu" => Hungarian,
        "it" => Italian,
        "no" | "nb" | "nn" => Norwegian,
        "pt" => Portuguese,
        "ro" => Romanian,
        "ru" => Russian,
        "es" => Spanish,
        "sv" => Swedish,
        "ta" => Tamil,
        "tr" => Turkish,
        _ => return None,
    };
    Some(rust_stemmers::Stemmer::create(algorithm))
}

/// The index of every language, from nothing.
pub fn build_from(langs: &[LangDocs]) -> Vec<OutFile> {
    Indexer::default().build(langs)
}

/// The files of `<root>search/`, from the articles' [`Doc`]s and what `memo` kept of them,
/// to `out`, but the buckets `reuse` keeps; every file's path into `all`: the manifest, the
/// term shards, then the article buckets, each in order.
fn build_one(
    l: &LangDocs,
    memo: &mut memo::Memo,
    reuse: &(dyn Fn(&str, u64) -> bool + Sync),
    out: &(dyn Fn(OutFile) + Sync),
    all: &mut Vec<(String, u64)>,
) {
    let stemmer = stemmer(&l.language);
    let articles = memo.update(&l.docs, &l.hashes, stemmer.as_ref());
    let lens: Vec<usize> = articles.iter().map(|a| a.record_len).collect();
    let buckets = files::Buckets::new(&lens, &l.hashes);
    let root = &l.root;
    let bucket = |b: usize| format!("{root}search/d{b}.js");
    // The memo then holds the buckets deflated or kept here, and no others; each body moves
    // into it once its file's text is made.
    let kept = std::mem::take(&mut memo.buckets);
    let mut live = 0;
    let mut cuts = FxHashMap::default();
    // Set if this thread unwinds (a panic here or in a shard's thread): the buckets then stop
    // at the end of their batch rather than be made to the last.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (fresh, deflated, bucket_files) = std::thread::scope(|scope| {
        // The buckets are made and written on another thread, a batch at a time, while this
        // one merges the postings and writes the shards: its steps that run alone (the
        // merge's passes, gathering the postings) leave a core to the buckets.
        let (docs, buckets, kept, bucket) = (&l.docs, &buckets, &kept, &bucket);
        let _stop = StopOnPanic(&stop);
        let stop = &stop;
        let made = scope.spawn(move || {
            let mut fresh = FxHashMap::default();
            let mut deflated = 0;
            let mut files = Vec::with_capacity(buckets.keys.len());
            let n = buckets.keys.len();
            for start in (0..n).step_by(BATCH) {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let range = start..(start + BATCH).min(n);
                let bodies = buckets.bodies(docs, range, kept, &|b, key| reuse(&bucket(b), key));
                for (b, body) in (start..).zip(bodies) {
                    let (key, path) = (buckets.keys[b], bucket(b));
                    if let Some(body) = body {
                        deflated += usize::from(!kept.contains_key(&key));
                        let text = format!("stepbookSearch.docs({b},{body});\n");
                        out(OutFile::Bytes(path.clone(), text.into_bytes()));
                        fresh.insert(key, body);
                    }
                    files.push((path, key));
                }
            }
            (fresh, deflated, files)
        });
        let counted: Vec<&postings::Counted> = articles.iter().map(|a| &a.counted).collect();
        let mut index = postings::Index::build(&counted, memo.names(), stemmer.as_ref());
        let shards = files::shards(&mut index, &memo.cuts);
        cuts = shards.cuts();
        live = index.live.len();
        let endings = std::mem::take(&mut index.endings);
        // A shard whose key is the one of the file last written there is kept; the others
        // are written, in parallel, once their terms' postings are gathered.
        let shard = |k: usize| format!("{root}search/t{k}.js");
        let keys: Vec<(u64, bool)> = (0..shards.len())
            .into_par_iter()
            .map(|k| {
                let key = shards.key(k);
                (key, !reuse(&shard(k), key))
            })
            .collect();
        let written: Vec<usize> = (keys.iter().enumerate())
            .filter(|(_, (_, write))| *write)
            .map(|(k, _)| k)
            .collect();
        index.gather(shards.terms_of(&written));
        let manifest = format!("{root}search/manifest.js");
        all.push((manifest.clone(), 0));
        all.extend(
            keys.iter()
                .enumerate()
                .map(|(k, &(key, _))| (shard(k), key)),
        );
        written.par_iter().for_each(|&k| {
            out(OutFile::Bytes(
                shard(k),
                shards.text(&index, k).into_bytes(),
            ))
        });
        // The postings are written: they need not stay while the last buckets are made and
        // written.
        drop(index);
        out(OutFile::Bytes(
            manifest,
            files::manifest(l.docs.len(), &shards, buckets, &endings).into_bytes(),
        ));
        made.join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    all.extend(bucket_files);
    memo.buckets = fresh;
    memo.bucket_keys = buckets.keys;
    memo.deflated = deflated;
    memo.cuts = cuts;
    memo.trim(live);
}

/// Sets its flag when it is dropped while its thread unwinds.
struct StopOnPanic<'a>(&'a std::sync::atomic::AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_thread_is_told_to_stop_only_when_the_other_unwinds() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = AtomicBool::new(false);
        drop(StopOnPanic(&stop));
        assert!(
            !stop.load(Ordering::Relaxed),
            "a guard dropped as a scope ends"
        );
        let unwound = std::thread::scope(|s| {
            s.spawn(|| {
                let _stop = StopOnPanic(&stop);
                panic!("a shard that cannot be written");
            })
            .join()
        });
        assert!(unwound.is_err());
        assert!(
            stop.load(Ordering::Relaxed),
            "a guard dropped as its thread unwinds"
        );
    }
    use crate::markdown::tests::render_full;

    /// Article `i`: long enough that a few articles fill a bucket, with words of its own.
    fn doc(i: usize, extra: &str) -> Doc {
        let body: String = (0..40)
            .map(|k| format!("Step words number{k} shared item{} plain text. ", i % 7))
            .collect();
        let md = format!(
            "Intro of article {i}, {extra}.\n\n## Set up {i}\n\n1. Open word{i} settings.\n   1. Turn off sync{i}.\n\n## More\n\n{body}\n"
        );
        Doc {
            title: format!("Article {i} title"),
            url: format!("a{i}.html"),
            crumb: "Guide › Setup".into(),
            description: i
                .is_multiple_of(3)
                .then(|| format!("About {i} and {extra}")),
            tags: vec![format!("tag{}", i % 4)],
            outline: render_full(&md).outline,
        }
    }

    fn lang(root: &str, language: &str, docs: &[Doc]) -> LangDocs {
        LangDocs {
            root: root.into(),
            language: language.into(),
            docs: docs.to_vec(),
            hashes: docs.iter().map(crate::render::key_of).collect(),
        }
    }

    fn bytes(files: Vec<OutFile>) -> Vec<(String, String)> {
        files
            .into_iter()
            .map(|f| match f {
                OutFile::Bytes(path, b) => (path, String::from_utf8(b).unwrap()),
                OutFile::Copy(path, _) => panic!("the index copies no file: {path}"),
            })
            .collect()
    }

    /// `indexer` builds `langs` as a first build does, and keeps just their articles.
    fn rebuild_is_fresh(indexer: &mut Indexer, langs: &[LangDocs]) -> Vec<(String, String)> {
        let again = bytes(indexer.build(langs));
        assert_eq!(again, bytes(build_from(langs)));
        assert_eq!(indexer.memos.len(), langs.len());
        for l in langs {
            let memo = &indexer.memos[&(l.root.clone(), l.language.clone())];
            assert_eq!(memo.kept(), l.docs.len());
        }
        again
    }

    #[test]
    fn a_rebuild_after_edits_adds_and_deletes_is_a_fresh_build_byte_for_byte() {
        let mut en: Vec<Doc> = (0..30).map(|i| doc(i, "first")).collect();
        let mut de: Vec<Doc> = (0..12).map(|i| doc(100 + i, "Rechnungen prüfen")).collect();
        let mut indexer = Indexer::default();
        let first = rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        let buckets = first.iter().filter(|f| f.0.starts_with("search/d")).count();
        assert!(buckets > 2, "{buckets} buckets: an edit must keep some");
        // Nothing changed; then a body edit, an article added in the middle and at the end,
        // one deleted (its words are in no other article), a title edited.
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        en[4] = doc(4, "edited with brandnewword");
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        en.insert(10, doc(55, "inserted"));
        en.push(doc(56, "appended"));
        en.remove(4);
        en[0].title = "A title of another kind".into();
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        // A language added with a stemmer, edited, then the first one gone.
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en), lang("de/", "de", &de)]);
        de[3] = doc(103, "Rechnung bezahlen");
        de.remove(7);
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en), lang("de/", "de", &de)]);
        rebuild_is_fresh(&mut indexer, &[lang("de/", "de", &de)]);
        // Every article edited at once, and none at all.
        let all: Vec<Doc> = (0..30).map(|i| doc(i, "all new")).collect();
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &all)]);
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &[])]);
    }

    #[test]
    fn a_rebuild_cuts_again_only_the_terms_whose_postings_changed() {
        let mut en: Vec<Doc> = (0..30).map(|i| doc(i, "first")).collect();
        let mut indexer = Indexer::default();
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        let at = (String::new(), "en".to_string());
        let before = indexer.memos[&at].cuts.clone();
        en[4] = doc(4, "edited with brandnewword");
        rebuild_is_fresh(&mut indexer, &[lang("", "en", &en)]);
        let after = &indexer.memos[&at].cuts;
        let kept = (after.iter())
            .filter(|(k, c)| before.get(k).is_some_and(|b| std::sync::Arc::ptr_eq(b, c)));
        let made = after.keys().filter(|k| !before.contains_key(k)).count();
        // The terms of the edited article, and those whose scores moved with its length.
        assert!(
            made > 0 && kept.count() + made == after.len(),
            "{made} of {}",
            after.len()
        );
        assert!(
            made * 4 < after.len(),
            "{made} of {} cut again",
            after.len()
        );
    }

    #[test]
    fn a_build_after_an_edit_writes_only_the_files_whose_bytes_changed() {
        // Words of each article's own, enough for several term shards.
        let own = |i: usize| -> String { (0..150).map(|k| format!(" own{i}w{k}")).collect() };
        let mut en: Vec<Doc> = (0..30).map(|i| doc(i, &own(i))).collect();
        let (files, before) =
            Indexer::default().build_reusing(&[lang("", "en", &en)], &|_, _| false);
        let old: FxHashMap<String, String> = bytes(files).into_iter().collect();
        let before: FxHashMap<String, u64> = before.into_iter().collect();
        // One word for another: the lengths, and so the scores, stay.
        en[4] = doc(4, &own(4).replacen("own4w7", "brandnewword", 1));
        let langs = [lang("", "en", &en)];
        // A new indexer, as a build that reads the cache has.
        let (files, all) =
            Indexer::default().build_reusing(&langs, &|p, key| before.get(p) == Some(&key));
        let fresh = bytes(build_from(&langs));
        assert_eq!(
            all.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            fresh.iter().map(|f| f.0.as_str()).collect::<Vec<_>>()
        );
        let written = bytes(files);
        assert!(written.iter().all(|f| fresh.contains(f)));
        let left_out: Vec<&str> = fresh
            .iter()
            .filter(|f| !written.contains(f))
            .map(|f| f.0.as_str())
            .collect();
        // Exactly the files whose bytes are the last build's are left to its files: every
        // article bucket but the first, which holds article 4, and the term shards that
        // hold none of the postings that changed.
        let same: Vec<&str> = fresh
            .iter()
            .filter(|(p, text)| p != "search/manifest.js" && old.get(p) == Some(text))
            .map(|f| f.0.as_str())
            .collect();
        assert_eq!(left_out, same);
        assert!(
            same.iter().any(|p| p.starts_with("search/t")),
            "{same:?}: a shard must be kept"
        );
        assert!(!same.contains(&"search/d0.js"));
        assert!(written.iter().any(|f| f.0.starts_with("search/t")));
    }

    #[test]
    fn the_key_follows_the_docs() {
        let docs: Vec<Doc> = (0..3).map(|i| doc(i, "x")).collect();
        let a = key(&[lang("", "en", &docs)]);
        assert_eq!(a, key(&[lang("", "en", &docs)]));
        let mut edited = docs.clone();
        edited[1].outline = render_full("Other words.\n").outline;
        assert_ne!(a, key(&[lang("", "en", &edited)]));
        assert_ne!(a, key(&[lang("", "de", &docs)]));
        assert_ne!(a, key(&[lang("en/", "en", &docs)]));
    }
}
