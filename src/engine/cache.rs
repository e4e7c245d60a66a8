//! The engine's memory on disk, so that `stepbook build` picks up where the last build left
//! off: the frontmatter and rendered body of every Markdown file with what rendering read
//! ([`Memo`]) and the anchor plan's prints of its article ([`SavedPrints`]), the search
//! index's counts of every article, the site's assembly, link check and output paths'
//! check, and the key of every output file with the output it went into.
//!
//! The cache lives in `.stepbook-cache/` in the site's folder. It holds `engine.bin` (the
//! config, the output keys, the hash of every other file, and that of an anchor record's text
//! found to be the very text of the record it reads as), the search index's memory
//! (`search.bin` and its shards, [`super::search_cache`]), the default language's assembly
//! (`site.bin`, [`crate::site::memo::Saved`]), its link check (`links.bin`,
//! [`crate::linkcheck::memo::Saved`]), the output paths' check (`claims.bin`,
//! [`crate::claims::Saved`]) and the pages' URLs with their link table (`table.bin`,
//! [`super::table::Saved`]), each written again only when the build changed it, and
//! `memo-NN.bin`, the memos cut into [`SHARDS`] shards by file, so a
//! build reads them in parallel and writes again only the shards whose memos changed. A
//! shard keeps its bodies' HTML after its entries, in one string that the bodies read their
//! ranges of ([`Html::stored`]). Each file opens with a header: [`MAGIC`], the fingerprint of
//! the stepbook that wrote it (its version, this format, and its executable's size and
//! modification time), and the length and hash of what follows; a file whose header does not
//! match, or that is cut short or changed, is ignored, and so is a shard whose hash is not the
//! one `engine.bin` names. A cache only ever saves work: the engine checks every memo against
//! the file's text and every key against the page's context, as it does in `serve`.
//!
//! The encoding is postcard: compact, and fast to read back, over the serde derives the memos
//! already have. Nothing here deletes a folder, and nothing is written outside the cache
//! folder, which is made only when it is not there.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::pages::{Memo, Saved, SavedRef};
use super::{cutoff, search_cache};
use crate::anchors::{SavedPrints, Went};
use crate::diagnostics::Diagnostic;
use crate::markdown::html::Html;
use crate::paths::SourcePath;
use crate::stored::Part;

/// The cache folder, in the site's folder.
pub const FOLDER: &str = ".stepbook-cache";

/// What opens every file of the cache.
pub const MAGIC: &[u8; 8] = b"stepbook";

/// The version of the layout below; a change makes older caches unreadable on purpose.
const FORMAT: u32 = 18;

/// How many files the memos are cut into: after a one-page edit, a save writes one of them
/// again (at 10,000 pages, some 4 MB).
pub const SHARDS: usize = 64;

const INDEX: &str = "engine.bin";

/// The file of the default language's assembly ([`crate::site::memo::Saved`]).
const ASSEMBLY: &str = "site.bin";

/// The file of the default language's link check ([`crate::linkcheck::memo::Saved`]).
const LINKS: &str = "links.bin";

/// The file of the output paths' check ([`crate::claims::Saved`]).
const CLAIMS: &str = "claims.bin";

/// The file of the pages' URLs and link table ([`super::table::Saved`]).
const TABLE: &str = "table.bin";

/// What `engine.bin` holds: written with the output files' keys and the vanished addresses'
/// decisions borrowed (`P` is then `Vec<(&str, u64)>` and `W` `Option<&Went>`, which encode
/// as the owned values read back).
#[derive(Serialize, Deserialize, Default)]
pub struct Index<P = Vec<(String, u64)>, W = Option<Went>> {
    /// The config the memos and keys were made under (as the engine compares it).
    pub config: String,
    /// The hash of each shard's file, as written; `None` for a shard not written.
    pub shards: Vec<Option<u64>>,
    /// The key of every output file of the output below, sorted by path.
    pub published: P,
    /// The output folder the keys were written to, and the hash of its manifest.
    pub output: Option<(PathBuf, u64)>,
    /// The key of the search index in that output, and its files with what each one's bytes
    /// depend on (0: not told).
    pub search: Option<(u64, Vec<(String, u64)>)>,
    /// What the render that made those keys saw of the pages' facts.
    pub cutoff: Option<cutoff::Kept>,
    /// The hashes of the search index's memory's files, as written.
    pub indexer: Option<search_cache::Digests>,
    /// The hash of an anchor record's text known to be the very text of the record it reads
    /// as (`crate::anchors::Record::renders_as`).
    pub record_renders: Option<u64>,
    /// The hashes of the files of the assembly, the link check and the output paths'
    /// check, as written.
    pub assembly: Option<u64>,
    pub links: Option<u64>,
    pub claims: Option<u64>,
    /// The hash of the file of the pages' URLs and link table, as written.
    pub table: Option<u64>,
    /// Where each vanished address of the anchor record went ([`crate::anchors::Memo::went`]).
    pub went: W,
}

/// The keys of the output files of one output folder, and that folder with the hash of its
/// manifest.
pub struct OutputKeys {
    pub published: FxHashMap<String, u64>,
    pub output: Option<(PathBuf, u64)>,
    /// What the render that made the keys saw, good only with them.
    pub cutoff: cutoff::Cutoff,
}

/// What the engine read back.
#[derive(Default)]
pub struct Restored {
    pub config: Option<String>,
    pub memos: rustc_hash::FxHashMap<SourcePath, Memo>,
    pub published: FxHashMap<String, u64>,
    pub output: Option<(PathBuf, u64)>,
    pub search: Option<(u64, Vec<(String, u64)>)>,
    pub cutoff: Option<cutoff::Kept>,
    /// The anchor plan's prints of each article, as [`crate::anchors::Memo::saved`] gave
    /// them, for the engine to give back once the file's memo is kept.
    pub prints: HashMap<SourcePath, SavedPrints>,
    /// What the search index kept of each article.
    pub indexer: Option<crate::search::Indexer>,
    /// [`Index::record_renders`].
    pub record_renders: Option<u64>,
    /// [`Index::went`].
    pub went: Option<Went>,
    /// The default language's assembly, for the engine to make again once the memos of its
    /// pages are read back.
    pub assembly: Option<crate::site::memo::Saved>,
    /// The default language's link check, for the engine to take once the memos of its
    /// pages are read back.
    pub links: Option<crate::linkcheck::memo::Saved>,
    /// The output paths' check.
    pub claims: Option<crate::claims::Saved>,
    /// The pages' URLs and link table, which the bodies read back were checked against.
    pub table: Option<super::table::Saved>,
    /// The files as read, to tell which need writing.
    pub written: Written,
}

/// What a save needs to know of the files on disk: each shard, and the search index's memory.
#[derive(Clone, Default)]
pub struct Written {
    pub shards: Vec<Option<Shard>>,
    /// The stored parts of each shard's file as read back, while values read back may still
    /// be in them unread: a save reads them before it replaces the file.
    pub parts: Vec<Parts>,
    pub indexer: search_cache::Written,
    /// The hash of the assembly's file, while it holds the engine's assembly; and so for
    /// the link check and the output paths' check.
    pub assembly: Option<u64>,
    pub links: Option<u64>,
    pub claims: Option<u64>,
    pub table: Option<u64>,
}

/// The two stored parts of a shard's file, each held by the values read back from it and
/// freed with the last of them.
#[derive(Clone, Default)]
pub struct Parts {
    /// The HTML of its bodies.
    pub html: Weak<Part>,
    /// The encodings of its `Lazy` values.
    pub values: Weak<Part>,
}

impl Parts {
    /// The parts still held by a value.
    pub fn held(&self) -> impl Iterator<Item = Arc<Part>> {
        [self.html.upgrade(), self.values.upgrade()]
            .into_iter()
            .flatten()
    }
}

/// What a save needs to know of a shard as it is on disk.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Shard {
    /// The hash of its payload.
    pub digest: u64,
    /// How many memos, and how many of them with their article's prints, it holds.
    pub memos: usize,
    pub prints: usize,
}

/// One Markdown file's entry in a shard, as read back ([`read_shard`]): the HTML of its
/// body follows the entries, after the HTML of the entries before it.
#[derive(Deserialize)]
struct Entry {
    path: SourcePath,
    memo: Saved,
    /// The length of its body's HTML.
    html: usize,
    prints: Option<SavedPrints>,
}

/// [`Entry`], to be written.
#[derive(Serialize)]
struct EntryRef<'a> {
    path: &'a SourcePath,
    memo: SavedRef<'a>,
    html: usize,
    prints: Option<SavedPrints>,
}

/// Which shard a file's memo goes to.
pub fn shard_of(path: &SourcePath) -> usize {
    (xxhash_rust::xxh3::xxh3_64(path.as_str().as_bytes()) % SHARDS as u64) as usize
}

/// What tells this stepbook from another: its version, the format, and its executable.
pub fn fingerprint() -> u64 {
    let exe = std::env::current_exe()
        .and_then(fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), modified)
        })
        .unwrap_or_default();
    fingerprint_of(env!("CARGO_PKG_VERSION"), exe)
}

fn fingerprint_of(version: &str, exe: (u64, u128)) -> u64 {
    let text = format!("{version} {FORMAT} {} {}", exe.0, exe.1);
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The header that goes before a payload of `len` bytes that hashes to `digest`.
fn header(len: usize, digest: u64, fingerprint: u64) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..8].copy_from_slice(MAGIC);
    out[8..16].copy_from_slice(&fingerprint.to_le_bytes());
    out[16..24].copy_from_slice(&(len as u64).to_le_bytes());
    out[24..].copy_from_slice(&digest.to_le_bytes());
    out
}

/// The little-endian word at `at` in `bytes`.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// The length and hash of the payload the header at the start of `bytes` announces, when it
/// is a header of this stepbook.
fn announced(bytes: &[u8], fingerprint: u64) -> Option<(usize, u64)> {
    if bytes.get(..8)? != MAGIC || word(bytes, 8)? != fingerprint {
        return None;
    }
    Some((usize::try_from(word(bytes, 16)?).ok()?, word(bytes, 24)?))
}

/// The payload of a sealed file, and its hash, when the header is whole and matches.
pub(super) fn open(bytes: &[u8], fingerprint: u64) -> Option<(&[u8], u64)> {
    let (len, digest) = announced(bytes, fingerprint)?;
    let payload = bytes.get(32..)?;
    (payload.len() == len && xxhash_rust::xxh3::xxh3_64(payload) == digest)
        .then_some((payload, digest))
}

fn shard_name(i: usize) -> String {
    format!("memo-{i:02}.bin")
}

/// The folder of the cache in the site's folder `root`, when it is a real folder (a link
/// could lead elsewhere) or not there yet.
fn folder(root: &Path) -> Option<PathBuf> {
    let dir = root.join(FOLDER);
    match fs::symlink_metadata(&dir) {
        Ok(m) if m.is_dir() => Some(dir),
        Ok(_) => None,
        Err(_) => Some(dir),
    }
}

/// Gives the search index's memos the deflated buckets the cache of `root` keeps, as
/// `written` names them ([`search_cache::load_buckets`]).
pub fn load_buckets(root: &Path, written: &mut Written, indexer: &mut crate::search::Indexer) {
    if let Some(dir) = folder(root) {
        search_cache::load_buckets(&dir, &mut written.indexer, fingerprint(), indexer);
    }
}

/// Reads back what [`save`] wrote in `root`; anything missing, foreign, stale or damaged is
/// left out.
pub fn load(root: &Path) -> Restored {
    let Some(dir) = folder(root) else {
        return Restored::default();
    };
    let fingerprint = fingerprint();
    let Ok(bytes) = fs::read(dir.join(INDEX)) else {
        return Restored::default();
    };
    let Some(index) = open(&bytes, fingerprint)
        .and_then(|(payload, _)| postcard::from_bytes::<Index>(payload).ok())
        .filter(|i| i.shards.len() == SHARDS)
    else {
        return Restored::default();
    };
    let read_shards = || -> Vec<Option<ReadShard>> {
        index
            .shards
            .par_iter()
            .enumerate()
            .map_init(Vec::new, |entries, (i, want)| {
                read_shard(&dir.join(shard_name(i)), (*want)?, fingerprint, entries)
            })
            .collect()
    };
    let read_indexer = || search_cache::load(&dir, index.indexer.as_ref()?, fingerprint);
    let read_site = || {
        let ((assembly, table), (links, claims)) = rayon::join(
            || {
                rayon::join(
                    || read_side(&dir, ASSEMBLY, index.assembly, fingerprint),
                    || read_side(&dir, TABLE, index.table, fingerprint),
                )
            },
            || {
                rayon::join(
                    || read_side(&dir, LINKS, index.links, fingerprint),
                    || read_side(&dir, CLAIMS, index.claims, fingerprint),
                )
            },
        );
        (
            assembly.unzip(),
            links.unzip(),
            claims.unzip(),
            table.unzip(),
        )
    };
    let (shards, (indexer, site)) =
        rayon::join(read_shards, || rayon::join(read_indexer, read_site));
    let (indexer, indexer_written) = indexer.unzip();
    let (
        (assembly, assembly_written),
        (links, links_written),
        (claims, claims_written),
        (table, table_written),
    ) = site;
    let mut restored = Restored {
        config: Some(index.config),
        published: index.published.into_iter().collect(),
        output: index.output,
        search: index.search,
        cutoff: index.cutoff,
        record_renders: index.record_renders,
        went: index.went,
        assembly,
        links,
        claims,
        table,
        written: Written {
            shards: Vec::new(),
            parts: Vec::new(),
            indexer: indexer_written
                .unwrap_or_else(|| search_cache::Written::buckets_of(index.indexer.as_ref())),
            assembly: assembly_written,
            links: links_written,
            claims: claims_written,
            table: table_written,
        },
        indexer,
        ..Restored::default()
    };
    for (saved, want) in shards.into_iter().zip(&index.shards) {
        let Some((saved, parts)) = saved else {
            restored.written.shards.push(None);
            restored.written.parts.push(Parts::default());
            continue;
        };
        restored.written.parts.push(parts);
        restored.written.shards.push(want.map(|digest| Shard {
            digest,
            memos: saved.len(),
            prints: saved.iter().filter(|(e, _)| e.prints.is_some()).count(),
        }));
        for (e, html) in saved {
            if let Some(prints) = e.prints {
                restored.prints.insert(e.path.clone(), prints);
            }
            restored.memos.insert(e.path, Memo::restore(e.memo, html));
        }
    }
    restored
}

/// The value the side file `name` holds, with its hash, when its payload hashes to `want`.
pub(super) fn read_side<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    want: Option<u64>,
    fingerprint: u64,
) -> Option<(T, u64)> {
    let want = want?;
    let bytes = fs::read(dir.join(name)).ok()?;
    let (payload, digest) = open(&bytes, fingerprint).filter(|(_, d)| *d == want)?;
    let value = postcard::from_bytes(payload).ok()?;
    Some((value, digest))
}

/// Writes `value` to the side file `name` unless `written` (its hash as read or last
/// written) says the file holds it already; returns the hash of the file, none when there
/// is nothing to keep.
fn write_side<T: Serialize>(
    dir: &Path,
    name: &str,
    written: Option<u64>,
    value: impl FnOnce() -> Option<T>,
    fingerprint: u64,
) -> Result<Option<u64>, Diagnostic> {
    if written.is_some() {
        return Ok(written);
    }
    let Some(value) = value() else {
        return Ok(None);
    };
    write_value(dir, name, &value, None, fingerprint).map(Some)
}

/// Writes `value`, encoded, to the file `name`, unless its hash is `unless` (the file's as
/// read or last written); returns the hash.
pub(super) fn write_value<T: Serialize + ?Sized>(
    dir: &Path,
    name: &str,
    value: &T,
    unless: Option<u64>,
    fingerprint: u64,
) -> Result<u64, Diagnostic> {
    let payload = postcard::to_allocvec(value).map_err(|e| encode_error(dir, e))?;
    let digest = xxhash_rust::xxh3::xxh3_64(&payload);
    if unless != Some(digest) {
        write(&dir.join(name), &payload, digest, fingerprint)?;
    }
    Ok(digest)
}

/// A shard read back: its entries with their bodies' HTML, and its stored parts.
type ReadShard = (Vec<(Entry, Html)>, Parts);

/// The entries of the shard at `path` when its payload hashes to `want`, each with its
/// body's HTML a range of the shard's HTML part ([`Html::stored`]), and the encodings of
/// their [`crate::lazy::Lazy`] values ranges of its part of encodings: most of them are never
/// used.
///
/// A shard's payload is the length of its entries, the length and hash of their HTML and of
/// the encodings after it, then the entries; the HTML and the encodings follow, each a part
/// of its own. The entries are read into `entries`, a buffer each thread reuses (a fresh one
/// per shard would have the kernel clear every page of it once more); a part is read only
/// when one of its values is ([`Part`]). The parts are returned as weak references: a part is
/// freed with the last value that needs it.
fn read_shard(
    path: &Path,
    want: u64,
    fingerprint: u64,
    entries: &mut Vec<u8>,
) -> Option<ReadShard> {
    use std::io::Read;
    let mut file = fs::File::open(path).ok()?;
    let mut head = [0u8; 32 + LISTED];
    file.read_exact(&mut head).ok()?;
    let (len, digest) = announced(&head, fingerprint)?;
    let listed = usize::try_from(word(&head, 32)?).ok()?;
    let (htmls, html_digest) = (usize::try_from(word(&head, 40)?).ok()?, word(&head, 48)?);
    let (apart, apart_digest) = (usize::try_from(word(&head, 56)?).ok()?, word(&head, 64)?);
    // The header is checked before the rest is read: a shard of another hash than the one
    // wanted, or whose file has another length than announced, is not read.
    let at = (32 + LISTED as u64).checked_add(listed as u64)?;
    let whole = at.checked_add(htmls as u64)?.checked_add(apart as u64)?;
    if digest != want || len != LISTED.checked_add(listed)? || whole != file.metadata().ok()?.len()
    {
        return None;
    }
    entries.clear();
    (&mut file).take(listed as u64).read_to_end(entries).ok()?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&head[32..]);
    hasher.update(entries);
    if entries.len() != listed || hasher.digest() != digest {
        return None;
    }
    let html_part = Part::new(path, at, htmls, html_digest);
    let apart_part = Part::new(path, at + htmls as u64, apart, apart_digest);
    let (read, end) = crate::lazy::from_part(&apart_part, 0, || {
        postcard::from_bytes::<Vec<Entry>>(entries).ok()
    });
    if end != apart {
        return None;
    }
    // The HTML is checked to be UTF-8 only where a page reads it.
    let mut at = 0usize;
    let read = read?;
    let mut out = Vec::with_capacity(read.len());
    for e in read {
        let end = at.checked_add(e.html)?;
        let html = Html::stored(&html_part, at..end)?;
        out.push((e, html));
        at = end;
    }
    let parts = Parts {
        html: Arc::downgrade(&html_part),
        values: Arc::downgrade(&apart_part),
    };
    (at == htmls).then_some((out, parts))
}

/// What [`save`] writes.
pub struct ToSave<'a> {
    pub config: &'a str,
    pub memos: &'a rustc_hash::FxHashMap<SourcePath, Memo>,
    pub published: &'a FxHashMap<String, u64>,
    pub output: Option<(PathBuf, u64)>,
    pub search: Option<(u64, Vec<(String, u64)>)>,
    pub cutoff: Option<cutoff::Kept>,
    /// The anchor plan's memory, whose prints of an article are kept beside its file's memo
    /// when they were made from what that memo holds.
    pub anchors: &'a crate::anchors::Memo,
    /// [`Index::record_renders`], as this build leaves it.
    pub record_renders: Option<u64>,
    /// The default language's assembly, written unless [`Written::assembly`] says the file
    /// holds it already.
    pub assembly: Option<&'a crate::site::memo::Memo>,
    /// The link check, written unless [`Written::links`] says the file holds it already.
    pub links: &'a crate::linkcheck::Memo,
    /// The output paths' check, written unless [`Written::claims`] says the file holds it.
    pub claims: &'a crate::claims::Memo,
    /// The pages' URLs and link table, written unless [`Written::table`] says the file
    /// holds them.
    pub table: &'a super::table::Memo,
    pub indexer: &'a crate::search::Indexer,
    /// What [`load`] read or the last save wrote, to keep the files that did not change.
    pub written: &'a Written,
}

/// Writes the engine's memory to the cache folder of `root`, and returns the files as
/// written, as [`Restored::written`] for the next save.
pub fn save(root: &Path, what: ToSave<'_>) -> Result<Written, Diagnostic> {
    let files = save_files(root, &what)?;
    save_index(what, files)
}

/// The files [`save_files`] wrote, for [`save_index`] to name.
pub struct Files {
    dir: PathBuf,
    fingerprint: u64,
    shards: Vec<Shard>,
    indexer: search_cache::Written,
    assembly: Option<u64>,
    links: Option<u64>,
    claims: Option<u64>,
    table: Option<u64>,
}

/// The first part of [`save`]: every file but `engine.bin`, which names them. Its output
/// and anchor record are not read: it may run while the output is swapped in and the record
/// written, and a build that fails then leaves files that the `engine.bin` it leaves does not
/// name (they are not read).
pub fn save_files(root: &Path, what: &ToSave<'_>) -> Result<Files, Diagnostic> {
    let dir = folder(root).ok_or_else(|| {
        Diagnostic::warning(
            "cache",
            format!(
                "{} is not a folder, so the build kept no cache",
                root.join(FOLDER).display()
            ),
        )
        .with_hint("move it away; the next build then makes the cache folder")
    })?;
    if !dir.is_dir() {
        fs::create_dir(&dir).map_err(|e| cache_error(&dir, e))?;
        // Backup tools that know this tag skip the folder.
        let tag = dir.join("CACHEDIR.TAG");
        fs::write(&tag, TAG).map_err(|e| cache_error(&tag, e))?;
    }
    remove_stale(&dir);
    let fingerprint = fingerprint();
    let mut by_shard: Vec<Vec<(&SourcePath, &Memo)>> = vec![Vec::new(); SHARDS];
    for (path, memo) in what.memos {
        by_shard[shard_of(path)].push((path, memo));
    }
    let has_prints = |path: &SourcePath, m: &Memo| {
        m.shown()
            .is_some_and(|(md, fm, text)| what.anchors.made_from(path, md, fm, text))
    };
    let shards: Vec<Shard> = by_shard
        .into_par_iter()
        .enumerate()
        .map(|(i, mut memos)| {
            let prints = memos.iter().filter(|(p, m)| has_prints(p, m)).count();
            let kept = what.written.shards.get(i).copied().flatten();
            // Prints are made from what the memo holds: with the same memos, the same prints
            // (those of a renamed or moved page are made again, and are then no longer kept),
            // unless what following an article's own address decided was decided anew (as
            // after the first build, whose record the next build reads).
            if let Some(shard) = kept
                && shard.memos == memos.len()
                && shard.prints == prints
                && memos
                    .iter()
                    .all(|(p, m)| !m.fresh() && !what.anchors.renewed(p))
            {
                return Ok(shard);
            }
            memos.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let saved: Vec<EntryRef<'_>> = memos
                .iter()
                .map(|(path, m)| EntryRef {
                    path,
                    memo: m.save(),
                    html: html_of(m).len(),
                    prints: has_prints(path, m)
                        .then(|| what.anchors.saved(path))
                        .flatten(),
                })
                .collect();
            // A shard whose stored parts cannot be read as written (its file changed under
            // the build) is not written again: values read back from it are in them. Read
            // here, before the file is replaced; a part no value needs any more is gone.
            let mut parts = what.written.parts.get(i).into_iter().flat_map(Parts::held);
            if let Some(part) = parts.find(|p| !p.readable()) {
                forget(part.path());
                return Err(changed_under(part.path()));
            }
            let mut entries = Vec::with_capacity(64 * 1024);
            // The encodings kept apart weigh about what the bodies' HTML does: reserved at
            // once (what is not written is never touched), the buffer is not grown and copied
            // again and again.
            let html: usize = saved.iter().map(|e| e.html).sum();
            let mut apart = Vec::with_capacity(html + html / 4);
            crate::lazy::apart(&mut apart, || {
                crate::lazy::encode_into(&saved, &mut entries)
            })
            .map_err(|e| encode_error(&dir, e))?;
            let htmls = || memos.iter().map(|(_, m)| html_of(m));
            let path = dir.join(shard_name(i));
            let digest = write_shard(&path, &entries, htmls, &apart, fingerprint)?;
            Ok(Shard {
                digest,
                memos: memos.len(),
                prints,
            })
        })
        .collect::<Result<_, Diagnostic>>()?;
    let indexer = search_cache::save(&dir, what.indexer, &what.written.indexer, fingerprint)?;
    let written = what.written;
    let assembly = write_side(
        &dir,
        ASSEMBLY,
        written.assembly,
        || what.assembly?.save(),
        fingerprint,
    )?;
    let links = write_side(
        &dir,
        LINKS,
        written.links,
        || what.links.save(),
        fingerprint,
    )?;
    let claims = write_side(
        &dir,
        CLAIMS,
        written.claims,
        || Some(what.claims.save()),
        fingerprint,
    )?;
    let table = write_side(
        &dir,
        TABLE,
        written.table,
        || what.table.save(),
        fingerprint,
    )?;
    Ok(Files {
        dir,
        fingerprint,
        shards,
        indexer,
        assembly,
        links,
        claims,
        table,
    })
}

/// The second part of [`save`]: `engine.bin`, naming the `files` written.
pub fn save_index(what: ToSave<'_>, files: Files) -> Result<Written, Diagnostic> {
    let mut published: Vec<(&str, u64)> = (what.published.iter())
        .map(|(p, k)| (p.as_str(), *k))
        .collect();
    // Sorted, so that the file is the same whatever order the render took.
    published.sort_unstable();
    let index = Index {
        config: what.config.to_string(),
        shards: files.shards.iter().map(|s| Some(s.digest)).collect(),
        published,
        output: what.output,
        search: what.search,
        cutoff: what.cutoff,
        indexer: files.indexer.digests.clone(),
        record_renders: what.record_renders,
        assembly: files.assembly,
        links: files.links,
        claims: files.claims,
        table: files.table,
        went: what.anchors.went(),
    };
    let payload = postcard::to_allocvec(&index).map_err(|e| encode_error(&files.dir, e))?;
    let digest = xxhash_rust::xxh3::xxh3_64(&payload);
    write(&files.dir.join(INDEX), &payload, digest, files.fingerprint)?;
    Ok(Written {
        shards: files.shards.into_iter().map(Some).collect(),
        // A part read before its file was replaced keeps what was read.
        parts: what.written.parts.clone(),
        indexer: files.indexer,
        assembly: files.assembly,
        links: files.links,
        claims: files.claims,
        table: files.table,
    })
}

/// The bytes of a memo's body's HTML, as a shard keeps them (none without a body).
fn html_of(m: &Memo) -> &[u8] {
    m.html().map_or(&[], |h| h.as_bytes())
}

/// What a shard keeps before its entries: their length, and the length and hash of their
/// HTML and of the encodings kept apart.
const LISTED: usize = 40;

/// The warning of a save that met a cache file that changed under the build.
fn changed_under(file: &Path) -> Diagnostic {
    Diagnostic::warning(
        "cache",
        format!(
            "cannot write the build cache: {} changed while this build read it",
            file.display()
        ),
    )
    .with_hint("the site was built; the next build leaves the changed file out")
}

/// Removes a cache file found changed, so that the next build does not read it (the cache
/// names no other file of it).
pub(super) fn forget(file: &Path) {
    let _ = fs::remove_file(file);
}

/// The error of a build that read a cache file that changed under it.
pub(super) fn damaged(file: &Path) -> Diagnostic {
    Diagnostic::error(
        "cache-changed",
        format!(
            "the build cache changed while this build read it: {}",
            file.display()
        ),
    )
    .with_hint("build again: the next build leaves the changed file out")
}

/// Removes the temporary files of saves that were stopped half way (their process is gone:
/// two builds of one site at once are not supported anyway).
fn remove_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if [
            "memo-", "engine.", "search.", "search-", "buckets-", "site.", "links.", "claims.",
            "table.",
        ]
        .iter()
        .any(|p| name.starts_with(p))
            && name.contains(".tmp-")
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Writes `payload`, whose hash is `digest`, behind its header to `path`, through a
/// temporary file beside it, so a reader never sees half.
pub(super) fn write(
    path: &Path,
    payload: &[u8],
    digest: u64,
    fingerprint: u64,
) -> Result<(), Diagnostic> {
    let head = header(payload.len(), digest, fingerprint);
    put(path, &head, std::iter::once(payload))
}

/// Writes a shard of `entries` (encoded), their bodies' HTML (`htmls`, called twice: to
/// hash, then to write) and the encodings they keep apart (`apart`) to `path`; returns its
/// hash. The payload is the entries' length, the length and hash of their HTML and of the
/// encodings, and the entries; the HTML and then the encodings follow it, not hashed with it
/// (each has a hash of its own), so that reading the shard back reads them only when a value
/// of them is read ([`read_shard`]). The HTML goes straight from the memos, never copied
/// into one buffer.
fn write_shard<'p, I: Iterator<Item = &'p [u8]>>(
    path: &Path,
    entries: &[u8],
    htmls: impl Fn() -> I,
    apart: &[u8],
    fingerprint: u64,
) -> Result<u64, Diagnostic> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut len = 0u64;
    for html in htmls() {
        hasher.update(html);
        len += html.len() as u64;
    }
    let mut listed = [0u8; LISTED];
    let words = [
        entries.len() as u64,
        len,
        hasher.digest(),
        apart.len() as u64,
        xxhash_rust::xxh3::xxh3_64(apart),
    ];
    for (at, w) in words.iter().enumerate() {
        listed[at * 8..at * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&listed);
    hasher.update(entries);
    let digest = hasher.digest();
    let head = header(LISTED + entries.len(), digest, fingerprint);
    let prefix: [&[u8]; 2] = [&listed, entries];
    put(
        path,
        &head,
        (prefix.into_iter())
            .chain(htmls().map(|h| -> &[u8] { h }))
            .chain(std::iter::once(apart)),
    )?;
    Ok(digest)
}

/// Writes `head` and then `parts` to `path` through a temporary file beside it, renamed
/// into place once whole.
fn put<'p>(
    path: &Path,
    head: &[u8],
    parts: impl Iterator<Item = &'p [u8]>,
) -> Result<(), Diagnostic> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    fs::File::create(&tmp)
        .and_then(|f| {
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, f);
            out.write_all(head)?;
            for part in parts {
                out.write_all(part)?;
            }
            out.flush()
        })
        .map_err(|e| cache_error(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        cache_error(path, e)
    })
}

fn cache_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::warning(
        "cache",
        format!("cannot write the build cache {}: {e}", path.display()),
    )
    .with_hint("the site was built; the next build starts without a cache")
}

pub(super) fn encode_error(dir: &Path, e: postcard::Error) -> Diagnostic {
    Diagnostic::warning(
        "cache",
        format!("cannot write the build cache in {}: {e}", dir.display()),
    )
}

const TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by stepbook.\n\
# For information about cache directory tags, see https://bford.info/cachedir/\n";

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(payload: &[u8], fingerprint: u64) -> Vec<u8> {
        let digest = xxhash_rust::xxh3::xxh3_64(payload);
        let mut out = header(payload.len(), digest, fingerprint).to_vec();
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn a_sealed_file_opens_only_whole_and_for_its_own_stepbook() {
        let this = fingerprint_of("1.0.0", (10, 20));
        let sealed = seal(b"payload", this);
        assert_eq!(open(&sealed, this).map(|(p, _)| p), Some(&b"payload"[..]));
        // Another version, another executable.
        assert_eq!(open(&sealed, fingerprint_of("1.0.1", (10, 20))), None);
        assert_eq!(open(&sealed, fingerprint_of("1.0.0", (10, 21))), None);
        // Cut short, or one byte changed.
        assert_eq!(open(&sealed[..sealed.len() - 1], this), None);
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(open(&changed, this), None);
        assert_eq!(open(&sealed[..10], this), None);
        assert_eq!(open(b"", this), None);
    }

    #[test]
    fn a_shard_reads_back_its_entries_and_reads_their_html_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("memo-00.bin");
        let this = fingerprint_of("1.0.0", (10, 20));
        let htmls = ["<p>a</p>", "", "<p>café</p>"];
        let paths = ["a.md", "b.md", "c.md"].map(|p| SourcePath::from_relative(Path::new(p)));
        let saved: Vec<EntryRef> = (paths.iter().zip(htmls))
            .map(|(path, html)| EntryRef {
                path,
                memo: SavedRef::unparsed(),
                html: html.len(),
                prints: None,
            })
            .collect();
        let mut entries = Vec::new();
        crate::lazy::encode_into(&saved[..], &mut entries).unwrap();
        let write = || {
            let htmls = || htmls.iter().map(|h| h.as_bytes());
            write_shard(&path, &entries, htmls, &[], this)
        };
        let digest = write().unwrap();
        let (read, _) = read_shard(&path, digest, this, &mut Vec::new()).unwrap();
        let paths: Vec<&str> = read.iter().map(|(e, _)| e.path.as_str()).collect();
        assert_eq!(paths, ["a.md", "b.md", "c.md"]);
        let part = read[0].1.part().unwrap().clone();
        assert!(!part.is_read(), "the HTML was read with the entries");
        let bodies: Vec<&str> = read.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(bodies, htmls);
        assert!(!part.failed());

        // Another hash wanted, another stepbook, a byte of the entries changed: not read.
        assert!(read_shard(&path, digest ^ 1, this, &mut Vec::new()).is_none());
        let other = fingerprint_of("1.0.1", (10, 20));
        assert!(read_shard(&path, digest, other, &mut Vec::new()).is_none());
        let mut bytes = fs::read(&path).unwrap();
        bytes[32 + LISTED] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(read_shard(&path, digest, this, &mut Vec::new()).is_none());
        // A file longer or shorter than it says: not read.
        write().unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes.push(b' ');
        fs::write(&path, &bytes).unwrap();
        assert!(read_shard(&path, digest, this, &mut Vec::new()).is_none());
        // Its HTML changed after the entries were read: the bodies read as empty, and the
        // build that read them says so rather than publish them.
        write().unwrap();
        let (read, part) = read_shard(&path, digest, this, &mut Vec::new()).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert_eq!(read[2].1.as_str(), "");
        assert!(read[0].1.part().unwrap().failed());
        assert!(part.held().all(|p| p.failed()));
        assert_eq!(
            damaged(&path).to_string(),
            format!(
                "error[cache-changed]: the build cache changed while this build read it: {}\n  = hint: build again: the next build leaves the changed file out",
                path.display()
            )
        );
        assert_eq!(
            changed_under(&path).to_string(),
            format!(
                "warning[cache]: cannot write the build cache: {} changed while this build read it\n  = hint: the site was built; the next build leaves the changed file out",
                path.display()
            )
        );
    }
}
