//! The search index's memory in the build cache ([`super::cache`]): each language's terms in
//! `search.bin`, and the articles' counts cut into [`SHARDS`] files (`search-NN.bin`) by the
//! hash of their `search::Doc`. A save after an edit writes again the terms (when a new one
//! came) and only the shards whose articles changed: an article's counts stay the same `Arc`
//! for as long as its doc hashes the same, so a shard whose articles are the very ones read
//! or written last is not even encoded. Every file is sealed like the rest of the cache, and
//! the memory is read back whole or not at all.
//!
//! The deflated article buckets are kept too, cut into [`BUCKET_SHARDS`] files
//! (`buckets-NN.bin`) by their key, and read back only by a build that does not start from
//! its last output ([`load_buckets`]): one that does keeps the buckets' files instead. A save
//! writes a file again only when it is not there or lacks a bucket the index holds, with the
//! buckets it held, less those no longer in the index.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cache::{read_side, write_value};
use crate::diagnostics::Diagnostic;
use crate::search::Cut;
use crate::search::Indexer;
use crate::search::memo::{Article, Memo};

/// How many files the articles' counts are cut into.
pub const SHARDS: usize = 16;

/// The terms of every language.
const NAMES: &str = "search.bin";

fn shard_name(i: usize) -> String {
    format!("search-{i:02}.bin")
}

/// A language's index: its language folder and language.
type At = (String, String);

/// One language's memory as read back: its terms with the cuts of their postings, and its
/// articles' counts by hash.
type Parts = ((Vec<String>, Vec<(u64, Cut)>), Vec<(u64, Article)>);

/// How many files the deflated buckets are cut into.
pub const BUCKET_SHARDS: usize = 16;

fn bucket_name(i: usize) -> String {
    format!("buckets-{i:02}.bin")
}

/// The file of buckets a bucket of key `key` is in.
fn bucket_shard(key: u64) -> usize {
    (key % BUCKET_SHARDS as u64) as usize
}

/// What `engine.bin` names of the search index's files: the hash of each as written.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    pub names: u64,
    pub shards: Vec<u64>,
    /// Each file of buckets: its hash and the keys of the buckets it holds, sorted; `None`
    /// for a file not written.
    pub buckets: Vec<Option<Held>>,
}

/// A file of deflated buckets as written: its hash and the keys it holds, sorted.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub digest: u64,
    pub keys: Vec<u64>,
}

/// A file of buckets: each language's buckets by key, in order of language and key.
type Bodies = Vec<(At, Vec<(u64, String)>)>;

/// What a save needs to know of the files on disk: their hashes, the articles each shard
/// holds (the very `Arc`s, in the shard's order), and what each file of buckets holds.
#[derive(Clone, Default)]
pub struct Written {
    pub digests: Option<Digests>,
    shards: Vec<Vec<Arc<Article>>>,
    buckets: Vec<Option<Held>>,
}

impl Written {
    /// The files of buckets `want` names, when the rest of the memory was not read back:
    /// the buckets do not depend on it, and are kept.
    pub fn buckets_of(want: Option<&Digests>) -> Written {
        Written {
            buckets: want.map(|d| d.buckets.clone()).unwrap_or_default(),
            ..Written::default()
        }
    }
}

/// An article in a shard: its language's rank, its language, its hash, its counts.
type Ranked<'a> = (usize, &'a At, u64, &'a Arc<Article>);

/// The articles of every language, cut into shards, each in order of language and hash.
fn by_shard(indexer: &Indexer) -> Vec<Vec<(&At, u64, &Arc<Article>)>> {
    // Sorted by the language's rank, not its name: most sites have one language, whose
    // name every comparison would read whole.
    let mut langs: Vec<&At> = indexer.memos().map(|(at, _)| at).collect();
    langs.sort_unstable();
    let mut shards: Vec<Vec<Ranked>> = vec![Vec::new(); SHARDS];
    for (at, memo) in indexer.memos() {
        let rank = langs.binary_search(&at).unwrap_or_default();
        for (h, a) in memo.articles() {
            shards[(h % SHARDS as u64) as usize].push((rank, at, h, a));
        }
    }
    (shards.into_iter())
        .map(|mut shard| {
            shard.sort_unstable_by_key(|&(rank, _, h, _)| (rank, h));
            shard.into_iter().map(|(_, at, h, a)| (at, h, a)).collect()
        })
        .collect()
}

/// The articles each of `shards` holds, to tell at the next save whether it changed.
fn held(shards: Vec<Vec<(&At, u64, &Arc<Article>)>>) -> Vec<Vec<Arc<Article>>> {
    shards
        .into_iter()
        .map(|s| s.into_iter().map(|(_, _, a)| a.clone()).collect())
        .collect()
}

/// Reads back the memory [`save`] wrote in `dir`, when every file is there, whole, of this
/// stepbook and the one `want` names.
pub fn load(dir: &Path, want: &Digests, fingerprint: u64) -> Option<(Indexer, Written)> {
    if want.shards.len() != SHARDS {
        return None;
    }
    let (names, shards) = rayon::join(
        || {
            read_side::<Vec<(At, (Vec<String>, Vec<(u64, Cut)>))>>(
                dir,
                NAMES,
                Some(want.names),
                fingerprint,
            )
        },
        || {
            (want.shards.par_iter().enumerate())
                .map(|(i, d)| {
                    read_side::<Vec<(At, Vec<(u64, Article)>)>>(
                        dir,
                        &shard_name(i),
                        Some(*d),
                        fingerprint,
                    )
                })
                .collect::<Option<Vec<_>>>()
        },
    );
    let mut memos: rustc_hash::FxHashMap<At, Parts> = (names?.0.into_iter())
        .map(|(at, names)| (at, (names, Vec::new())))
        .collect();
    for (at, articles) in shards?.into_iter().flat_map(|(shard, _)| shard) {
        // A shard naming a language the terms do not is not of this save.
        memos.get_mut(&at)?.1.extend(articles);
    }
    let indexer = Indexer::restore(
        memos
            .into_iter()
            .map(|(at, ((names, cuts), articles))| (at, Memo::restore(names, articles, cuts))),
    );
    let written = Written {
        digests: Some(want.clone()),
        shards: held(by_shard(&indexer)),
        buckets: want.buckets.clone(),
    };
    Some((indexer, written))
}

/// Writes the memory of `indexer` to `dir`, but the files that `written` says hold it
/// already; returns the files as they now are.
pub fn save(
    dir: &Path,
    indexer: &Indexer,
    written: &Written,
    fingerprint: u64,
) -> Result<Written, Diagnostic> {
    // Each language's terms, and the cuts of their postings in the order of their hashes.
    type Terms<'a> = (&'a [String], Vec<(&'a u64, &'a Cut)>);
    let mut names: Vec<(&At, Terms)> = indexer
        .memos()
        .map(|(at, m)| {
            let mut cuts: Vec<(&u64, &Cut)> = m.cuts.iter().map(|(k, c)| (k, &**c)).collect();
            cuts.sort_unstable_by_key(|(k, _)| **k);
            (at, (m.names(), cuts))
        })
        .collect();
    names.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let was = written.digests.as_ref().map(|d| d.names);
    let names = write_value(dir, NAMES, &names, was, fingerprint)?;
    let shards = by_shard(indexer);
    let digests: Vec<u64> = shards
        .par_iter()
        .enumerate()
        .map(|(i, shard)| {
            let was = written
                .digests
                .as_ref()
                .and_then(|d| d.shards.get(i).copied());
            let same = written.shards.get(i).is_some_and(|held| {
                held.len() == shard.len()
                    && held
                        .iter()
                        .zip(shard)
                        .all(|(a, (_, _, b))| Arc::ptr_eq(a, b))
            });
            if let Some(digest) = was.filter(|_| same) {
                return Ok(digest);
            }
            let mut grouped: Vec<(&At, Vec<(u64, &Article)>)> = Vec::new();
            for (at, h, a) in shard {
                match grouped.last_mut() {
                    Some((last, articles)) if last == at => articles.push((*h, a)),
                    _ => grouped.push((at, vec![(*h, a)])),
                }
            }
            write_value(dir, &shard_name(i), &grouped, None, fingerprint)
        })
        .collect::<Result<_, Diagnostic>>()?;
    let buckets = save_buckets(dir, indexer, &written.buckets, fingerprint)?;
    Ok(Written {
        digests: Some(Digests {
            names,
            shards: digests,
            buckets: buckets.clone(),
        }),
        shards: held(shards),
        buckets,
    })
}

/// Reads back the buckets of the files `written` names into the memos of `indexer`; a file
/// that is missing, damaged or not of this stepbook is left out (its buckets are deflated
/// again), and `written` then names it no more, so that the next save writes it again.
pub fn load_buckets(dir: &Path, written: &mut Written, fingerprint: u64, indexer: &mut Indexer) {
    let read: Vec<Option<Bodies>> = (written.buckets.par_iter())
        .enumerate()
        .map(|(i, held)| read_buckets(dir, i, held.as_ref()?, fingerprint))
        .collect();
    let mut memos: rustc_hash::FxHashMap<&At, &mut Memo> = indexer.memos_mut().collect();
    for (held, bodies) in written.buckets.iter_mut().zip(read) {
        let Some(bodies) = bodies else {
            *held = None;
            continue;
        };
        for (at, entries) in bodies {
            if let Some(memo) = memos.get_mut(&at) {
                memo.buckets.extend(entries);
            }
        }
    }
}

/// The buckets of file `i`, when it is the one `held` names.
fn read_buckets(dir: &Path, i: usize, held: &Held, fingerprint: u64) -> Option<Bodies> {
    read_side(dir, &bucket_name(i), Some(held.digest), fingerprint).map(|(bodies, _)| bodies)
}

/// Writes each file of buckets that is not there or lacks a bucket the memos hold: the
/// buckets it held (read again when the memos do not hold them all) and the memos', less
/// those no longer in the index. `was`
/// names the files as they are; returns them as they then are.
fn save_buckets(
    dir: &Path,
    indexer: &Indexer,
    was: &[Option<Held>],
    fingerprint: u64,
) -> Result<Vec<Option<Held>>, Diagnostic> {
    let mut memos: Vec<(&At, &Memo)> = indexer.memos().collect();
    memos.sort_unstable_by(|a, b| a.0.cmp(b.0));
    (0..BUCKET_SHARDS)
        .into_par_iter()
        .map(|i| {
            let was = was.get(i).cloned().flatten();
            // A file never written (or left out as damaged) is written, with no bucket perhaps.
            if let Some(held) = &was {
                let lacks = (memos.iter().flat_map(|(_, m)| m.buckets.keys()))
                    .any(|&k| bucket_shard(k) == i && held.keys.binary_search(&k).is_err());
                if !lacks {
                    return Ok(was);
                }
            }
            // What the file held, read again, unless the memos hold all of it (as after a
            // build that read the files back).
            let in_memos = |k: &u64| memos.iter().any(|(_, m)| m.buckets.contains_key(k));
            let before: rustc_hash::FxHashMap<At, Vec<(u64, String)>> = was
                .filter(|held| !held.keys.iter().all(in_memos))
                .and_then(|held| read_buckets(dir, i, &held, fingerprint))
                .unwrap_or_default()
                .into_iter()
                .collect();
            let mut bodies: Vec<(&At, Vec<(u64, &str)>)> = Vec::new();
            for (at, memo) in &memos {
                let live: rustc_hash::FxHashSet<u64> = (memo.bucket_keys.iter().copied())
                    .filter(|&k| bucket_shard(k) == i)
                    .collect();
                let old = before.get(*at).map_or(&[][..], |o| &o[..]);
                let mut entries: Vec<(u64, &str)> = (memo.buckets.iter())
                    .chain(old.iter().map(|(k, b)| (k, b)))
                    .filter(|(k, _)| live.contains(k))
                    .map(|(k, b)| (*k, b.as_str()))
                    .collect();
                // A bucket both deflated and read back is the same: its key is its articles'.
                entries.sort_unstable_by_key(|(k, _)| *k);
                entries.dedup_by_key(|(k, _)| *k);
                if !entries.is_empty() {
                    bodies.push((*at, entries));
                }
            }
            let mut keys: Vec<u64> = (bodies.iter())
                .flat_map(|(_, e)| e.iter().map(|(k, _)| *k))
                .collect();
            keys.sort_unstable();
            let digest = write_value(dir, &bucket_name(i), &bodies, None, fingerprint)?;
            Ok(Some(Held { digest, keys }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::OutFile;
    use crate::search::{Doc, LangDocs};

    fn doc(i: usize, words: &str) -> Doc {
        let md = format!("Intro {i} {words}.\n\n## Set up {i}\n\n1. Open word{i} settings.\n");
        Doc {
            title: format!("Article {i}"),
            url: format!("a{i}.html"),
            crumb: "Guide".into(),
            description: None,
            tags: vec![format!("tag{}", i % 3)],
            outline: crate::markdown::tests::render_full(&md).outline,
        }
    }

    fn langs(docs: &[Doc]) -> Vec<LangDocs> {
        [("", "en"), ("de/", "de")]
            .iter()
            .map(|(root, language)| LangDocs {
                root: root.to_string(),
                language: language.to_string(),
                docs: docs.to_vec(),
                hashes: docs.iter().map(crate::render::key_of).collect(),
            })
            .collect()
    }

    fn files(indexer: &mut Indexer, langs: &[LangDocs]) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = indexer
            .build(langs)
            .into_iter()
            .map(|f| match f {
                OutFile::Bytes(p, b) => (p, b),
                OutFile::Copy(p, _) => panic!("the index copies no file: {p}"),
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_save_writes_the_shards_whose_articles_changed_and_reads_back_whole() {
        let d = tempfile::tempdir().unwrap();
        let mut docs: Vec<Doc> = (0..60).map(|i| doc(i, "plain")).collect();
        let mut indexer = Indexer::default();
        files(&mut indexer, &langs(&docs));
        let first = save(d.path(), &indexer, &Written::default(), 7).unwrap();
        let want = first.digests.clone().unwrap();

        // Read back, the memory builds the same files, counting nothing again.
        let (mut restored, written) = load(d.path(), &want, 7).unwrap();
        let edited = doc(5, "reworded sentence");
        let old_shard = (crate::render::key_of(&docs[5]) % SHARDS as u64) as usize;
        let new_shard = (crate::render::key_of(&edited) % SHARDS as u64) as usize;
        docs[5] = edited;
        assert_eq!(
            files(&mut restored, &langs(&docs)),
            files(&mut indexer, &langs(&docs))
        );
        // Both languages counted the edited article alone.
        assert_eq!(restored.counted(), 2);

        let second = save(d.path(), &restored, &written, 7).unwrap();
        let again = second.digests.clone().unwrap();
        let changed: Vec<usize> = (0..SHARDS)
            .filter(|&i| want.shards[i] != again.shards[i])
            .collect();
        let mut expected = vec![old_shard, new_shard];
        expected.sort();
        expected.dedup();
        assert_eq!(changed, expected);
        // New words, new terms.
        assert_ne!(want.names, again.names);
        // Nothing changed: nothing is written.
        let third = save(d.path(), &restored, &second, 7).unwrap();
        assert_eq!(third.digests, second.digests);

        // Another stepbook's files, or a damaged shard: nothing is read back.
        assert!(load(d.path(), &again, 8).is_none());
        let shard = d.path().join(shard_name(new_shard));
        let mut bytes = std::fs::read(&shard).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&shard, bytes).unwrap();
        assert!(load(d.path(), &again, 7).is_none());
    }

    /// The inode of each file of buckets: a file written again (through a temporary file and
    /// a rename) has another.
    fn inodes(dir: &Path) -> Vec<Option<u64>> {
        use std::os::unix::fs::MetadataExt;
        (0..BUCKET_SHARDS)
            .map(|i| {
                std::fs::metadata(dir.join(bucket_name(i)))
                    .ok()
                    .map(|m| m.ino())
            })
            .collect()
    }

    #[test]
    fn the_buckets_kept_are_read_back_only_when_asked_and_a_file_is_written_when_it_lacks_one() {
        let d = tempfile::tempdir().unwrap();
        // Long enough articles that a language's index has many buckets; the second
        // language's articles are its own.
        let long = "plain words of a longer article ".repeat(80);
        let langs = |docs: &[Doc]| {
            let mut langs = langs(docs);
            for doc in &mut langs[1].docs {
                doc.title = format!("Artikel {}", doc.title);
            }
            langs[1].hashes = langs[1].docs.iter().map(crate::render::key_of).collect();
            langs
        };
        let mut docs: Vec<Doc> = (0..120).map(|i| doc(i, &long)).collect();
        let mut indexer = Indexer::default();
        let first_files = files(&mut indexer, &langs(&docs));
        let buckets = indexer.deflated();
        assert!(buckets > BUCKET_SHARDS, "{buckets} buckets");
        let first = save(d.path(), &indexer, &Written::default(), 7).unwrap();
        let want = first.digests.clone().unwrap();
        assert!(
            inodes(d.path()).iter().all(Option::is_some),
            "every file is written"
        );
        let held: usize = want.buckets.iter().flatten().map(|h| h.keys.len()).sum();
        assert_eq!(held, buckets, "every bucket is kept, once");

        // Read back, the memory holds no bucket until asked: a build that cannot keep the
        // buckets' files deflates them all.
        let (mut restored, _) = load(d.path(), &want, 7).unwrap();
        assert_eq!(files(&mut restored, &langs(&docs)), first_files);
        assert_eq!(restored.deflated(), buckets);

        // Asked, it deflates none and writes the same files.
        let (mut restored, mut written) = load(d.path(), &want, 7).unwrap();
        load_buckets(d.path(), &mut written, 7, &mut restored);
        assert_eq!(files(&mut restored, &langs(&docs)), first_files);
        assert_eq!(restored.deflated(), 0);
        // Nothing is written again: no file lacks a bucket.
        let files_before = inodes(d.path());
        let again = save(d.path(), &restored, &written, 7).unwrap();
        assert_eq!(again.digests, first.digests);
        assert_eq!(inodes(d.path()), files_before);

        // After an edit, a build that keeps the files of the buckets whose articles did not
        // change, as a build into its last output does, deflates the edited article's bucket
        // in each language; only the files that lack one (one to two) are written again, with
        // the buckets they held.
        let before: std::collections::HashSet<u64> = (indexer.memos())
            .flat_map(|(_, m)| m.bucket_keys.clone())
            .collect();
        docs[5] = doc(5, &format!("{long} reworded"));
        let (mut restored, written) = load(d.path(), &want, 7).unwrap();
        let keep = |path: &str, key: u64| path.contains("search/d") && before.contains(&key);
        restored.build_reusing(&langs(&docs), &keep);
        assert_eq!(restored.deflated(), 2, "one bucket of each language");
        let files_before = inodes(d.path());
        let edited = save(d.path(), &restored, &written, 7).unwrap();
        let now = edited.digests.clone().unwrap();
        let rewritten = (inodes(d.path()).iter().zip(&files_before))
            .filter(|(a, b)| a != b)
            .count();
        assert!((1..=2).contains(&rewritten), "{rewritten} files written");
        // Read back, every bucket of the edited index is there.
        let (mut restored, mut written) = load(d.path(), &now, 7).unwrap();
        load_buckets(d.path(), &mut written, 7, &mut restored);
        let edited_files = files(&mut restored, &langs(&docs));
        assert_eq!(restored.deflated(), 0);
        assert_eq!(edited_files, files(&mut Indexer::default(), &langs(&docs)));

        // An article first moves every article to another bucket: every file lacks buckets
        // and is written again, and holds the buckets of the index alone.
        docs.insert(0, doc(1000, &long));
        let (mut restored, written) = load(d.path(), &now, 7).unwrap();
        let keep = |path: &str, key: u64| path.contains("search/d") && before.contains(&key);
        restored.build_reusing(&langs(&docs), &keep);
        let moved = save(d.path(), &restored, &written, 7).unwrap();
        let mut live: Vec<u64> = (restored.memos())
            .flat_map(|(_, m)| m.bucket_keys.clone())
            .collect();
        live.sort_unstable();
        let mut held: Vec<u64> = (moved.digests.as_ref().unwrap().buckets.iter())
            .flat_map(|h| h.as_ref().unwrap().keys.clone())
            .collect();
        held.sort_unstable();
        assert_eq!(
            held, live,
            "the files hold the buckets of the index, and no others"
        );
        let now = moved.digests.clone().unwrap();
        let (mut restored, mut written) = load(d.path(), &now, 7).unwrap();
        load_buckets(d.path(), &mut written, 7, &mut restored);
        let moved_files = files(&mut restored, &langs(&docs));
        assert_eq!(restored.deflated(), 0);

        // A damaged file is left out: its buckets are deflated again, and the next save
        // writes it again.
        let damaged = (0..BUCKET_SHARDS)
            .find(|&i| now.buckets[i].as_ref().is_some_and(|h| !h.keys.is_empty()))
            .unwrap();
        let in_it = now.buckets[damaged].as_ref().unwrap().keys.len();
        let path = d.path().join(bucket_name(damaged));
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let (mut restored, mut written) = load(d.path(), &now, 7).unwrap();
        load_buckets(d.path(), &mut written, 7, &mut restored);
        assert_eq!(written.buckets[damaged], None);
        assert_eq!(files(&mut restored, &langs(&docs)), moved_files);
        assert_eq!(restored.deflated(), in_it);
        let mended = save(d.path(), &restored, &written, 7).unwrap();
        assert_eq!(
            mended.digests.unwrap().buckets[damaged],
            now.buckets[damaged]
        );

        // The memory's terms damaged, the files of buckets are kept all the same.
        let names = d.path().join(NAMES);
        std::fs::write(&names, b"garbage").unwrap();
        assert!(load(d.path(), &now, 7).is_none());
        let mut written = Written::buckets_of(Some(&now));
        let mut fresh = Indexer::default();
        files(&mut fresh, &langs(&docs));
        load_buckets(d.path(), &mut written, 7, &mut Indexer::default());
        let files_before = inodes(d.path());
        let saved = save(d.path(), &fresh, &written, 7).unwrap();
        assert_eq!(saved.digests.unwrap().buckets, now.buckets);
        assert_eq!(inodes(d.path()), files_before);
    }
}
