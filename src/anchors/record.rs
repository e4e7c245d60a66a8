//! The anchor record, `anchors.lock`: every address and fragment the site has published,
//! each with the [`Fingerprint`] of what it anchored when it was first recorded.
//!
//! One line per anchor, sorted, and nothing that changes from one build to the next (no dates,
//! no counters), so an unchanged site leaves the file byte for byte the same. Each address is
//! written once, on its page's line; its fragments follow, indented, one per line, sorted, so
//! two branches that add steps to different articles change different lines and merge
//! without a conflict:
//!
//! ```text
//! stepbook-anchors 2
//! billing/refunds.html page 5f0c2b9e 0b1e44a2c3d4e5f6 intercom=42
//!   ask-for-a-refund section 9a3e7d2c 0b1e44a2
//!   ask-for-a-refund-step-1 step 77c1d0e5 1c2d3e4f
//! ```
//!
//! The first line that is not a comment names the format's version ([`VERSION`]). A page's
//! line: the address (the page's path from the site root, URL-encoded), `page`, the hash of
//! the name as 8 hex digits, the sketch (4 hex digits per word hash, `-` when empty) and
//! `intercom=N` when it has one; an address whose page is not recorded is written alone. A
//! fragment's line: two spaces, the fragment (URL-encoded), the kind (`section`, `step`,
//! `option`), the hash and the sketch. Lines starting with `#` are comments. This module
//! reads and writes the text ([`Recorded`]: as a run read it); it decides
//! nothing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use super::fingerprint::{Fingerprint, SKETCH, Sketch};
use crate::diagnostics::{Diagnostic, Locator};

/// The file's name, beside `content/` and `book.toml`.
pub const FILE: &str = "anchors.lock";

/// The format this stepbook reads and writes. It changes whenever a fingerprint would be
/// computed differently, so that old fingerprints are never compared with new ones.
pub const VERSION: u32 = 2;

const HEADER: &str = "# Every address and fragment this site has published, with a fingerprint of what it\n# anchored. `stepbook build` keeps it up to date: commit it with the content.\n";

const VERSION_WORD: &str = "stepbook-anchors";

/// What an anchor is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Kind {
    Page,
    Section,
    Step,
    Option,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Section => "section",
            Kind::Step => "step",
            Kind::Option => "option",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "page" => Kind::Page,
            "section" => Kind::Section,
            "step" => Kind::Step,
            "option" => Kind::Option,
            _ => return None,
        })
    }
}

/// An anchor: an address (`guide/a.html`) and a fragment (empty for the page itself). The
/// anchors of an address share its text.
pub type Key = (Arc<str>, String);

/// One recorded anchor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub kind: Kind,
    pub fingerprint: Fingerprint,
    /// A page's `intercom_id` when it was recorded.
    pub intercom: Option<u64>,
    /// The line it was read from (0 for an entry made by this build).
    pub line: usize,
}

/// Every recorded anchor, in the file's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Record {
    pub entries: Entries,
}

/// Recorded anchors in key order, each key once: a sorted vector, which the entries of a
/// record as written (sorted) become as they are read, without being moved again. A record
/// of a large site holds hundreds of thousands; it is looked up an address at a time, and
/// never edited in place.
///
/// A text known to be a record exactly as this stepbook writes it (one that an earlier build
/// read back to itself, by its hash) is read an address at a time instead ([`Record::known`]):
/// a build in which a few articles changed looks up a few addresses, and the others' lines
/// are never read into entries. Asked for all its entries, such a record reads them all then,
/// once.
#[derive(Clone, Default)]
pub struct Entries {
    /// Every entry, in order: read whole, or from `known` when first asked for all.
    all: OnceLock<Vec<(Key, Entry)>>,
    /// The known text the entries are read from, an address at a time.
    known: Option<Arc<Known>>,
}

/// A record's known text, cut at its addresses.
struct Known {
    text: Arc<str>,
    /// Each address with its lines, in order.
    addresses: Vec<Lines>,
    /// How many entries the lines hold.
    len: usize,
}

/// The lines of one address: its own, then its fragments'.
struct Lines {
    address: Arc<str>,
    bytes: std::ops::Range<usize>,
    /// The number of the address's own line.
    first: usize,
    entries: OnceLock<Vec<(Key, Entry)>>,
}

impl Lines {
    fn entries(&self, text: &str) -> &[(Key, Entry)] {
        self.entries.get_or_init(|| self.read(text))
    }

    /// The entries of these lines. A known text reads without a fault: there is none to
    /// report.
    fn read(&self, text: &str) -> Vec<(Key, Entry)> {
        parse_lines(numbered(&text[self.bytes.clone()], self.first)).0
    }
}

impl Entries {
    fn read(entries: Vec<(Key, Entry)>) -> Entries {
        Entries {
            all: OnceLock::from(entries),
            known: None,
        }
    }

    /// Every entry, read now from the known text if it was not yet (in parallel, outside
    /// the lock: a thread that waits for the others' parts may be handed work that looks
    /// the entries up).
    fn all(&self) -> &Vec<(Key, Entry)> {
        if let Some(all) = self.all.get() {
            return all;
        }
        let Some(known) = &self.known else {
            return self.all.get_or_init(Vec::new);
        };
        let parts: Vec<Vec<(Key, Entry)>> = (known.addresses.par_iter())
            .map(|l| match l.entries.get() {
                Some(read) => read.clone(),
                None => l.read(&known.text),
            })
            .collect();
        let mut all = Vec::with_capacity(known.len);
        all.extend(parts.into_iter().flatten());
        self.all.get_or_init(|| all)
    }

    /// Every entry, to edit: the known text is let go.
    fn all_mut(&mut self) -> &mut Vec<(Key, Entry)> {
        self.all();
        self.known = None;
        self.all.get_mut().expect("read just above")
    }

    pub fn len(&self) -> usize {
        match (self.all.get(), &self.known) {
            (None, Some(known)) => known.len,
            _ => self.all().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Key, &Entry)> + ExactSizeIterator {
        self.all().iter().map(|(k, e)| (k, e))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.all().iter().map(|(k, _)| k)
    }

    /// The entries in key order.
    pub fn values(&self) -> impl Iterator<Item = &Entry> {
        self.all().iter().map(|(_, e)| e)
    }

    /// The addresses of the entries, each once, in order.
    pub fn addresses(&self) -> Vec<Arc<str>> {
        if let (None, Some(known)) = (self.all.get(), &self.known) {
            return known.addresses.iter().map(|l| l.address.clone()).collect();
        }
        let mut addresses: Vec<Arc<str>> = Vec::new();
        for (address, _) in self.keys() {
            if addresses.last() != Some(address) {
                addresses.push(address.clone());
            }
        }
        addresses
    }

    pub fn get(&self, key: &Key) -> Option<&Entry> {
        let entries = self.at_address(&key.0);
        let at = entries.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&entries[at].1)
    }

    pub fn contains_key(&self, key: &Key) -> bool {
        self.get(key).is_some()
    }

    /// The entries of `address`, in order: its page's first.
    pub fn at_address(&self, address: &str) -> &[(Key, Entry)] {
        if let (None, Some(known)) = (self.all.get(), &self.known) {
            let lines = &known.addresses;
            return match lines.binary_search_by(|l| (*l.address).cmp(address)) {
                Ok(at) => lines[at].entries(&known.text),
                Err(_) => &[],
            };
        }
        let all = self.all();
        let start = all.partition_point(|(k, _)| &*k.0 < address);
        let len = all[start..].partition_point(|(k, _)| &*k.0 == address);
        &all[start..start + len]
    }

    /// Adds or replaces the entry of `key`; returns the one it replaced.
    pub fn insert(&mut self, key: Key, entry: Entry) -> Option<Entry> {
        let all = self.all_mut();
        match all.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(at) => Some(std::mem::replace(&mut all[at].1, entry)),
            Err(at) => {
                all.insert(at, (key, entry));
                None
            }
        }
    }

    /// Takes out the entry of `key`.
    pub fn remove(&mut self, key: &Key) -> Option<Entry> {
        let all = self.all_mut();
        let at = all.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(all.remove(at).1)
    }
}

impl std::fmt::Debug for Entries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Entries) -> bool {
        self.all() == other.all()
    }
}

impl Eq for Entries {}

impl std::hash::Hash for Entries {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.all().hash(state);
    }
}

impl std::ops::Index<&Key> for Entries {
    type Output = Entry;

    fn index(&self, key: &Key) -> &Entry {
        self.get(key).expect("a recorded key")
    }
}

impl Entries {
    /// `entries` in any order, as entries; of a key given twice, the later entry, as a map
    /// would keep it, with each entry it replaces handed to `replaced` first.
    fn sort(mut entries: Vec<(Key, Entry)>, mut replaced: impl FnMut(&Key, &Entry)) -> Entries {
        if in_order(&entries) {
            return Entries::read(entries);
        }
        // Stable: the later of two equal keys stays later.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(Key, Entry)> = Vec::with_capacity(entries.len());
        for (key, entry) in entries {
            match kept.last_mut() {
                Some(last) if last.0 == key => {
                    replaced(&key, &entry);
                    last.1 = entry;
                }
                _ => kept.push((key, entry)),
            }
        }
        Entries::read(kept)
    }
}

/// Entries in any order; of a key given twice, the later entry (as a map would keep).
impl FromIterator<(Key, Entry)> for Entries {
    fn from_iter<I: IntoIterator<Item = (Key, Entry)>>(iter: I) -> Entries {
        Entries::sort(iter.into_iter().collect(), |_, _| {})
    }
}

impl IntoIterator for Entries {
    type Item = (Key, Entry);
    type IntoIter = std::vec::IntoIter<(Key, Entry)>;

    fn into_iter(mut self) -> Self::IntoIter {
        std::mem::take(self.all_mut()).into_iter()
    }
}

/// Whether `entries` are in key order, each key once.
fn in_order(entries: &[(Key, Entry)]) -> bool {
    (entries.windows(2)).all(|w| key_order(&w[0].0, &w[1].0) == std::cmp::Ordering::Less)
}

/// A line of the record that could not be read: its number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub why: String,
}

/// What the version line said, when it was not [`VERSION`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherVersion {
    /// No version line: a record of the first format, whose fingerprints are not comparable.
    Missing,
    /// Another version (a newer stepbook's), or a line that does not read as one.
    Unknown(usize, String),
}

impl Record {
    /// Reads the record's text; lines that cannot be read are returned apart, and left out.
    /// A text of another format is not read at all: `Err` says which.
    pub fn parse(text: &str) -> Result<(Record, Vec<BadLine>), OtherVersion> {
        let mut lines = numbered(text, 1);
        let rest = match lines.next() {
            None => return Ok((Record::default(), Vec::new())),
            Some((_, first)) if first == version_line() => lines.rest(),
            Some((n, first)) => {
                return Err(match first.split_once(' ') {
                    Some((VERSION_WORD, _)) => OtherVersion::Unknown(n, first.to_string()),
                    _ => OtherVersion::Missing,
                });
            }
        };
        // The lines are read in parts, in parallel: each part but the first starts at an
        // address line, where reading starts over as it does at any address.
        let parts: Vec<ReadLines> = parts(rest.0, rest.1)
            .into_par_iter()
            .map(|(text, first)| parse_lines(numbered(text, first)))
            .collect();
        let mut read: Vec<(Key, Entry)> =
            Vec::with_capacity(parts.iter().map(|(r, _)| r.len()).sum());
        let mut bad = Vec::new();
        for (r, b) in parts {
            read.extend(r);
            bad.extend(b);
        }
        // A record as written is sorted, and is kept as read; one sorted otherwise (edited by
        // hand) is sorted, and each line of a key read before is reported (it wins, as it
        // would in a map).
        let entries = Entries::sort(read, |key, entry| {
            bad.push(BadLine {
                line: entry.line,
                why: format!("`{}` is recorded twice", display_key(key)),
            })
        });
        bad.sort_by_key(|b| b.line);
        Ok((Record { entries }, bad))
    }

    /// The record of `text`, a text known to be one exactly as [`Record::render`] writes it
    /// (an earlier build read it back to itself): cut at its addresses, each read when first
    /// looked up ([`Entries`]). `None` when the text does not open as such a text does.
    pub fn known(text: Arc<str>) -> Option<Record> {
        let version = format!("{}\n", version_line());
        let head = HEADER.len() + version.len();
        if !text.starts_with(HEADER) || text.get(HEADER.len()..head) != Some(version.as_str()) {
            return None;
        }
        let bytes = text.as_bytes();
        let mut addresses: Vec<Lines> = Vec::new();
        let mut len = 0;
        // Numbered from the first line after the version line.
        let first = memchr::memchr_iter(b'\n', &bytes[..head]).count() + 1;
        let ends = memchr::memchr_iter(b'\n', &bytes[head..]).map(|i| i + head);
        let mut start = head;
        for (line, end) in (first..).zip(ends) {
            let text_of_line = &text[start..end];
            // Never written: read as any text is.
            if text_of_line.is_empty()
                || text_of_line.starts_with('#')
                || text_of_line.ends_with('\r')
            {
                return None;
            }
            if text_of_line.starts_with(' ') {
                len += 1;
            } else {
                if let Some(last) = addresses.last_mut() {
                    last.bytes.end = start;
                }
                let (address, page) = match text_of_line.split_once(' ') {
                    Some((address, _)) => (address, true),
                    None => (text_of_line, false),
                };
                len += usize::from(page);
                addresses.push(Lines {
                    address: decode(address)?.into(),
                    bytes: start..text.len(),
                    first: line,
                    entries: OnceLock::new(),
                });
            }
            start = end + 1;
        }
        // Written in order: each address once, ascending.
        let in_order = (addresses.windows(2)).all(|w| w[0].address < w[1].address);
        (in_order && start == text.len()).then(|| Record {
            entries: Entries {
                all: OnceLock::new(),
                known: Some(Arc::new(Known {
                    text,
                    addresses,
                    len,
                })),
            },
        })
    }

    /// The record's text: the header, the version, then each address with its fragments.
    pub fn render(&self) -> String {
        render(self.entries.len(), self.entries.iter())
    }

    /// Whether [`Record::render`] would give `text`, found without making the text: it is
    /// compared part by part, up to the first difference.
    pub fn renders_as(&self, text: &str) -> bool {
        renders_as(self.entries.iter(), text)
    }
}

/// The order of keys in a record: by address, then fragment. The anchors of one address
/// share its text, and are compared by their fragments alone.
pub(super) fn key_order(a: &Key, b: &Key) -> std::cmp::Ordering {
    match Arc::ptr_eq(&a.0, &b.0) {
        true => a.1.cmp(&b.1),
        false => a.cmp(b),
    }
}

/// Two runs of entries, each in order and each key once, as one run in order; of a key in
/// both, the first run's entry.
pub(super) struct Merged<'a, A: Iterator, B: Iterator> {
    first: std::iter::Peekable<A>,
    second: std::iter::Peekable<B>,
    _entries: std::marker::PhantomData<&'a Entry>,
}

impl<'a, A, B> Merged<'a, A, B>
where
    A: Iterator<Item = (&'a Key, &'a Entry)>,
    B: Iterator<Item = (&'a Key, &'a Entry)>,
{
    pub fn new(first: A, second: B) -> Self {
        Merged {
            first: first.peekable(),
            second: second.peekable(),
            _entries: std::marker::PhantomData,
        }
    }
}

impl<'a, A, B> Iterator for Merged<'a, A, B>
where
    A: Iterator<Item = (&'a Key, &'a Entry)>,
    B: Iterator<Item = (&'a Key, &'a Entry)>,
{
    type Item = (&'a Key, &'a Entry);

    fn next(&mut self) -> Option<Self::Item> {
        use std::cmp::Ordering;
        let order = match (self.first.peek(), self.second.peek()) {
            (Some(a), Some(b)) => key_order(a.0, b.0),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        match order {
            Ordering::Less => self.first.next(),
            Ordering::Equal => {
                self.second.next();
                self.first.next()
            }
            Ordering::Greater => self.second.next(),
        }
    }
}

/// The text of a record of `entries` (about `len` of them), in order: what
/// [`Record::render`] gives for a record holding them, without the record.
pub(super) fn render<'a>(
    len: usize,
    entries: impl Iterator<Item = (&'a Key, &'a Entry)>,
) -> String {
    let mut text = String::with_capacity(HEADER.len() + len * 64);
    render_in_parts(entries, |part| {
        text.push_str(part);
        true
    });
    text
}

/// Whether [`render`] would give `text` for `entries`, found without making the text: it is
/// compared part by part, up to the first difference.
pub(super) fn renders_as<'a>(
    entries: impl Iterator<Item = (&'a Key, &'a Entry)>,
    text: &str,
) -> bool {
    let mut rest = text;
    let whole = render_in_parts(entries, |part| match rest.strip_prefix(part) {
        Some(r) => {
            rest = r;
            true
        }
        None => false,
    });
    whole && rest.is_empty()
}

/// Hands the text of `entries` on in parts of some kilobytes, while `part` returns true;
/// returns whether it went to the end. The lines are written as bytes: every field is
/// ASCII but the addresses and fragments, which are whole `str`s.
fn render_in_parts<'a>(
    entries: impl Iterator<Item = (&'a Key, &'a Entry)>,
    mut part: impl FnMut(&str) -> bool,
) -> bool {
    const PART: usize = 1 << 16;
    let mut out: Vec<u8> = Vec::with_capacity(PART + 1024);
    let mut hand_on = |out: &mut Vec<u8>| {
        let text = std::str::from_utf8(out).expect("a record is written from whole strs");
        let more = part(text);
        out.clear();
        more
    };
    out.extend_from_slice(HEADER.as_bytes());
    out.extend_from_slice(version_line().as_bytes());
    out.push(b'\n');
    let mut last: Option<&str> = None;
    for (key, e) in entries {
        if out.len() >= PART && !hand_on(&mut out) {
            return false;
        }
        if last != Some(&*key.0) {
            last = Some(&key.0);
            encode(&key.0, &mut out);
            if !key.1.is_empty() {
                // The page is not recorded: the address alone heads its fragments.
                out.push(b'\n');
            }
        }
        if !key.1.is_empty() {
            out.extend_from_slice(b"  ");
            encode(&key.1, &mut out);
        }
        out.push(b' ');
        out.extend_from_slice(e.kind.name().as_bytes());
        push_print(&e.fingerprint, &mut out);
        if let Some(id) = e.intercom {
            out.extend_from_slice(b" intercom=");
            out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
        }
        out.push(b'\n');
    }
    hand_on(&mut out)
}

/// Writes ` hash sketch` of `f` as a line holds it: made in place, then copied at once.
fn push_print(f: &Fingerprint, out: &mut Vec<u8>) {
    let mut field = [0u8; 2 + 8 + 4 * SKETCH];
    field[0] = b' ';
    hex_into(u64::from(f.hash), &mut field[1..9]);
    field[9] = b' ';
    let mut len = 10;
    if f.sketch.is_empty() {
        field[len] = b'-';
        len += 1;
    }
    for h in f.sketch.iter() {
        hex_into(u64::from(*h), &mut field[len..len + 4]);
        len += 4;
    }
    out.extend_from_slice(&field[..len]);
}

/// The lines of `text` that are neither empty nor comments, numbered from `first`.
fn numbered(text: &str, first: usize) -> Numbered<'_> {
    Numbered {
        rest: text,
        n: first,
    }
}

/// [`numbered`]: lines as [`str::lines`] cuts them, every `\r` at their end taken off.
struct Numbered<'a> {
    rest: &'a str,
    /// The number of the line `rest` starts with.
    n: usize,
}

impl<'a> Numbered<'a> {
    /// What is left to read, and the number of its first line.
    fn rest(self) -> (&'a str, usize) {
        (self.rest, self.n)
    }
}

impl<'a> Iterator for Numbered<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (line, rest) = match memchr::memchr(b'\n', self.rest.as_bytes()) {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, ""),
            };
            let n = self.n;
            self.rest = rest;
            self.n += 1;
            let line = line.trim_end_matches('\r');
            if !line.is_empty() && !line.starts_with('#') {
                return Some((n, line));
            }
        }
    }
}

/// `text`, whose first line is line `first`, cut into parts of about a mebibyte for
/// [`parse_lines`], each with the number of its first line. Each part but the first starts
/// with a line that can only be an address (it starts with a letter or a digit).
fn parts(text: &str, first: usize) -> Vec<(&str, usize)> {
    const PART_BYTES: usize = 1 << 20;
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut line) = (0, first);
    let mut from = PART_BYTES;
    while from < bytes.len() {
        let Some(cut) = (from..bytes.len() - 1)
            .find(|&i| bytes[i] == b'\n' && bytes[i + 1].is_ascii_alphanumeric())
            .map(|i| i + 1)
        else {
            break;
        };
        parts.push((&text[start..cut], line));
        line += memchr::memchr_iter(b'\n', &bytes[start..cut]).count();
        start = cut;
        from = cut + PART_BYTES;
    }
    parts.push((&text[start..], line));
    parts
}

/// The entries of some lines, in order, and the lines that cannot be read.
type ReadLines = (Vec<(Key, Entry)>, Vec<BadLine>);

/// The entries of `lines`, in order, and the lines that cannot be read.
fn parse_lines(lines: Numbered<'_>) -> ReadLines {
    // At most an entry a line: the part's entries are allocated once.
    let mut read: Vec<(Key, Entry)> =
        Vec::with_capacity(memchr::memchr_iter(b'\n', lines.rest.as_bytes()).count() + 1);
    let mut bad = Vec::new();
    // The address of the fragments that follow; `None` after an address line that cannot
    // be read (that line is reported, its fragments are left out with it).
    let mut address: Option<Arc<str>> = None;
    for (n, line) in lines {
        const MARKERS: [&str; 4] = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"];
        if MARKERS.iter().any(|m| line.starts_with(m)) {
            address = None;
            let why = "a merge conflict marker: keep the lines of both sides, sorted".into();
            bad.push(BadLine { line: n, why });
            continue;
        }
        let parsed = match line.strip_prefix("  ") {
            Some(fragment) => match &address {
                Some(a) => parse_fragment(fragment).map(|(f, e)| ((a.clone(), f), e)),
                None if bad.is_empty() => Err("a fragment before any address".into()),
                None => continue,
            },
            None => {
                address = None;
                match parse_page(line) {
                    Ok((a, page)) => {
                        let a: Arc<str> = a.into();
                        address = Some(a.clone());
                        match page {
                            Some(e) => Ok(((a, String::new()), e)),
                            None => continue,
                        }
                    }
                    Err(why) => Err(why),
                }
            }
        };
        match parsed {
            Ok((key, mut entry)) => {
                entry.line = n;
                read.push((key, entry));
            }
            Err(why) => bad.push(BadLine { line: n, why }),
        }
    }
    (read, bad)
}

/// `value`'s last `digits` hex digits, in lowercase (as `{:0digits$x}` writes a value that
/// fits), without the formatter's cost: the record writes hundreds of thousands, the output
/// manifest a hash per file.
pub(crate) fn hex(value: u64, digits: u32, out: &mut String) {
    let mut buf = [0u8; 16];
    let digits = &mut buf[..digits as usize];
    hex_into(value, digits);
    out.push_str(std::str::from_utf8(digits).expect("hex digits are ASCII"));
}

/// `value`'s last `into.len()` hex digits, in lowercase, into `into`.
fn hex_into(value: u64, into: &mut [u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let n = into.len();
    for (i, d) in into.iter_mut().enumerate() {
        *d = DIGITS[((value >> ((n - 1 - i) * 4)) & 0xf) as usize];
    }
}

fn version_line() -> String {
    format!("{VERSION_WORD} {VERSION}")
}

/// The record as this run read it. Cheap to clone: a run that finds the file as the last
/// one left it keeps what that one read.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// `anchors.lock` in the site's folder.
    pub path: PathBuf,
    /// The file's text; `None` when there is no file.
    pub text: Option<Arc<str>>,
    pub record: Arc<Record>,
    /// What reading it found wrong: errors, or a warning for a record of an older format.
    pub problems: Vec<Diagnostic>,
}

impl Recorded {
    /// Reads `anchors.lock` in `root`; a missing file is an empty record. Lines that cannot
    /// be read are errors. A record without a version line (the first format) is read as an
    /// empty one, with a warning: the next build writes it anew. One of another version is
    /// an error, so that a build never writes over what a newer stepbook recorded.
    pub fn read(root: &Path) -> Recorded {
        Recorded::read_knowing(root, None)
    }

    /// [`Recorded::read`]; a text of hash `known` (xxh3) is known to be a record exactly as
    /// this stepbook writes it, and is read an address at a time ([`Record::known`]).
    pub fn read_knowing(root: &Path, known: Option<u64>) -> Recorded {
        let path = root.join(FILE);
        let text: Arc<str> = match crate::textfile::read(&path) {
            Ok(t) => t,
            Err(crate::textfile::Unreadable::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Recorded {
                    path,
                    ..Default::default()
                };
            }
            Err(e) => {
                let why = match e {
                    crate::textfile::Unreadable::Io(e) => e.to_string(),
                    // As reading it into a `String` says.
                    crate::textfile::Unreadable::NotUtf8 { .. } => {
                        "stream did not contain valid UTF-8".to_string()
                    }
                };
                let d = Diagnostic::error("anchors-record", format!("cannot read it: {why}"))
                    .in_file(&path);
                return Recorded {
                    problems: vec![d],
                    ..Default::default()
                };
            }
        };
        let is_known = known.is_some_and(|h| h == xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        if let Some(record) = is_known.then(|| Record::known(text.clone())).flatten() {
            return Recorded {
                path,
                text: Some(text),
                record: Arc::new(record),
                problems: Vec::new(),
            };
        }
        let (record, problems) = match Record::parse(&text) {
            Ok((record, bad)) => {
                // Any number of lines may be bad: each is found through one index.
                let lines = Locator::new(&path, &text);
                let problems = bad
                    .into_iter()
                    .map(|b| {
                        let d = Diagnostic::error(
                            "anchors-record",
                            format!("this line cannot be read: {}", b.why),
                        );
                        lines.at_line(d, b.line, 1).with_hint(
                            "mend or delete the line (a build records what is missing again)",
                        )
                    })
                    .collect();
                (record, problems)
            }
            Err(OtherVersion::Missing) => {
                let d = Diagnostic::warning(
                    "anchors-record-version",
                    "this record has no version line: it was written by an older stepbook, \
                     whose fingerprints this one cannot compare, and is read as empty",
                )
                .in_file(&path)
                .with_hint("`stepbook build` records the site's anchors again in this format");
                (Record::default(), vec![d])
            }
            Err(OtherVersion::Unknown(line, found)) => {
                let d = Diagnostic::error(
                    "anchors-record-version",
                    format!(
                        "`{found}` is not a format this stepbook reads (version {})",
                        VERSION
                    ),
                )
                .at_line_col(&path, &text, line, 1)
                .with_hint(
                    "build with the stepbook that wrote it, or delete the file to start anew",
                );
                (Record::default(), vec![d])
            }
        };
        Recorded {
            path,
            text: Some(text),
            record: Arc::new(record),
            problems,
        }
    }
}

/// `guide/a.html#step-1`, or `guide/a.html` for the page itself.
pub fn display_key((address, fragment): &Key) -> String {
    if fragment.is_empty() {
        address.to_string()
    } else {
        format!("{address}#{fragment}")
    }
}

/// The fields of `line`, between single spaces, as `line.split(' ')` gives them, found by a
/// plain look at each byte: a record has hundreds of thousands of lines of short fields.
fn fields(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == b' ') {
            Some(at) => {
                rest = Some(&r[at + 1..]);
                Some(&r[..at])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `address page hash sketch [intercom=N]`, or the address alone.
fn parse_page(line: &str) -> Result<(String, Option<Entry>), String> {
    let mut fields = fields(line);
    let address = fields.next().unwrap_or_default();
    let address = decode(address).ok_or("the address is not URL-encoded UTF-8")?;
    if address.is_empty() {
        return Err("the address is empty".into());
    }
    let rest: Vec<&str> = fields.collect();
    let (print, extra) = match rest.as_slice() {
        [] => return Ok((address, None)),
        ["page", hash, sketch] => ((*hash, *sketch), None),
        ["page", hash, sketch, extra] => ((*hash, *sketch), Some(*extra)),
        _ => {
            return Err(format!(
                "expected `address page hash sketch` or the address alone, found {} fields",
                rest.len() + 1
            ));
        }
    };
    let fingerprint = parse_fingerprint(print.0, print.1)?;
    let intercom = match extra {
        None => None,
        Some(extra) => match extra.strip_prefix("intercom=").map(str::parse::<u64>) {
            Some(Ok(id)) => Some(id),
            _ => return Err(format!("unexpected `{extra}` at the end of the line")),
        },
    };
    let entry = Entry {
        kind: Kind::Page,
        fingerprint,
        intercom,
        line: 0,
    };
    Ok((address, Some(entry)))
}

/// `fragment kind hash sketch`, the two spaces before it taken off.
fn parse_fragment(line: &str) -> Result<(String, Entry), String> {
    let mut fields = fields(line);
    let (Some(fragment), Some(kind), Some(hash), Some(sketch), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(format!(
            "expected `  fragment kind hash sketch`, found {} fields",
            line.split(' ').count()
        ));
    };
    let fragment = decode(fragment).ok_or("the fragment is not URL-encoded UTF-8")?;
    if fragment.is_empty() {
        return Err("the fragment is empty".into());
    }
    let kind = match Kind::parse(kind) {
        Some(Kind::Page) => return Err("a page has no fragment: write it unindented".into()),
        Some(k) => k,
        None => {
            return Err(format!(
                "unknown kind `{kind}`: expected section, step or option"
            ));
        }
    };
    let entry = Entry {
        kind,
        fingerprint: parse_fingerprint(hash, sketch)?,
        intercom: None,
        line: 0,
    };
    Ok((fragment, entry))
}

fn parse_fingerprint(hash: &str, sketch: &str) -> Result<Fingerprint, String> {
    let hash = (hash.len() == 8)
        .then(|| {
            hex_digits(hash.as_bytes())
                .or_else(|| hex_value(hash).and_then(|h| u32::try_from(h).ok()))
        })
        .flatten()
        .ok_or_else(|| format!("the hash `{hash}` is not 8 hex digits"))?;
    let sketch = parse_sketch(sketch).ok_or_else(|| {
        format!("the sketch `{sketch}` is not `-` or groups of 4 hex digits, ascending")
    })?;
    Ok(Fingerprint { hash, sketch })
}

fn parse_sketch(s: &str) -> Option<Sketch> {
    if s == "-" {
        return Some(Sketch::default());
    }
    // More than a sketch holds is not one.
    if s.is_empty() || !s.len().is_multiple_of(4) || !s.is_ascii() || s.len() / 4 > SKETCH {
        return None;
    }
    let mut hashes = [0u16; SKETCH];
    for (i, h) in hashes.iter_mut().take(s.len() / 4).enumerate() {
        let group = &s[4 * i..4 * i + 4];
        *h = match hex_digits(group.as_bytes()) {
            Some(value) => value as u16,
            None => u16::try_from(hex_value(group)?).ok()?,
        };
    }
    Sketch::new(&hashes[..s.len() / 4])
}

/// The value of up to 8 hex digits, when every byte is one (else `None`, and [`hex_value`]
/// reads what else the general parser takes): one look-up per digit.
fn hex_digits(digits: &[u8]) -> Option<u32> {
    const NOT: u8 = 0xff;
    const VALUES: [u8; 256] = {
        let mut values = [NOT; 256];
        let mut b = 0;
        while b < 256 {
            values[b] = match b as u8 {
                d @ b'0'..=b'9' => d - b'0',
                d @ b'a'..=b'f' => d - b'a' + 10,
                d @ b'A'..=b'F' => d - b'A' + 10,
                _ => NOT,
            };
            b += 1;
        }
        values
    };
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let mut value = 0u32;
    for &b in digits {
        let d = VALUES[usize::from(b)];
        if d == NOT {
            return None;
        }
        value = value << 4 | u32::from(d);
    }
    Some(value)
}

/// The value of `s` as `u32::from_str_radix(s, 16)` reads it, for up to 8 digits: hex
/// digits alone (hundreds of thousands in a record) by [`hex_digits`], without the general
/// parser's cost.
fn hex_value(s: &str) -> Option<u64> {
    if s.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex_digits(s.as_bytes()).map(u64::from)
    } else {
        // A sign, which the general parser takes.
        u32::from_str_radix(s, 16).ok().map(u64::from)
    }
}

/// Percent-encodes what would break a line: `%`, `#`, spaces and control characters.
fn encode(s: &str, out: &mut Vec<u8>) {
    let plain = |b: &u8| b.is_ascii_graphic() && *b != b'%' && *b != b'#';
    if s.as_bytes().iter().all(plain) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    for c in s.chars() {
        let mut buf = [0u8; 4];
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        if c == '%' || c == '#' || c.is_whitespace() || c.is_control() {
            for b in bytes {
                out.push(b'%');
                let mut digits = [0u8; 2];
                hex_into(u64::from(*b), &mut digits);
                out.extend_from_slice(&digits.map(|d| d.to_ascii_uppercase()));
            }
        } else {
            out.extend_from_slice(bytes);
        }
    }
}

fn decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, name: &str, intercom: Option<u64>) -> Entry {
        Entry {
            kind,
            fingerprint: Fingerprint::of(name, ""),
            intercom,
            line: 0,
        }
    }

    fn sample() -> Record {
        let mut r = Record::default();
        // Inserted out of order: the text is sorted all the same.
        let key = |a: &str, f: &str| (Arc::from(a), f.to_string());
        r.entries.insert(
            key("guide/b.html", "step-1"),
            entry(Kind::Step, "Tap Save", None),
        );
        r.entries.insert(
            key("guide/a b%#.html", ""),
            entry(Kind::Page, "A", Some(42)),
        );
        r.entries
            .insert(key("guide/b.html", ""), entry(Kind::Page, "", None));
        r.entries.insert(
            key("guide/a b%#.html", "set-up"),
            entry(Kind::Section, "Set up", None),
        );
        r.entries.insert(
            key("guide/b.html", "mobile"),
            entry(Kind::Option, "Mobile", None),
        );
        r
    }

    fn hex(f: &Fingerprint) -> String {
        let sketch: String = f.sketch.iter().map(|h| format!("{h:04x}")).collect();
        let sketch = if sketch.is_empty() {
            "-".into()
        } else {
            sketch
        };
        format!("{:08x} {sketch}", f.hash)
    }

    #[test]
    fn the_text_is_sorted_one_line_per_anchor_each_address_once() {
        let text = sample().render();
        let lines: Vec<&str> = text.lines().skip(2).collect();
        let fp = |s: &str| Fingerprint::of(s, "");
        assert_eq!(
            lines,
            [
                "stepbook-anchors 2".to_string(),
                format!("guide/a%20b%25%23.html page {} intercom=42", hex(&fp("A"))),
                format!("  set-up section {}", hex(&fp("Set up"))),
                format!("guide/b.html page {}", hex(&fp(""))),
                format!("  mobile option {}", hex(&fp("Mobile"))),
                format!("  step-1 step {}", hex(&fp("Tap Save"))),
            ]
        );
        assert!(text.starts_with("# Every address and fragment"));
    }

    #[test]
    fn an_address_whose_page_is_not_recorded_is_written_alone() {
        let mut r = sample();
        r.entries
            .remove(&(Arc::from("guide/b.html"), String::new()));
        let text = r.render();
        let lines: Vec<&str> = text.lines().skip(5).collect();
        let fp = |s: &str| Fingerprint::of(s, "");
        assert_eq!(
            lines,
            [
                "guide/b.html".to_string(),
                format!("  mobile option {}", hex(&fp("Mobile"))),
                format!("  step-1 step {}", hex(&fp("Tap Save"))),
            ]
        );
        let (back, bad) = Record::parse(&text).unwrap();
        assert_eq!(bad, []);
        assert_eq!(back.render(), text);
    }

    #[test]
    fn entries_keep_the_later_of_a_key_given_twice_and_give_an_address_whole() {
        let key = |a: &str, f: &str| (Arc::from(a), f.to_string());
        let at_line = |line| Entry {
            line,
            ..entry(Kind::Step, "", None)
        };
        let entries: Entries = [
            (key("b.html", "x"), at_line(1)),
            (key("a.html", ""), at_line(2)),
            (key("b.html", "x"), at_line(3)),
            (key("b.html", ""), at_line(4)),
            (key("ab.html", ""), at_line(5)),
        ]
        .into_iter()
        .collect();
        let keys: Vec<String> = entries.keys().map(display_key).collect();
        assert_eq!(keys, ["a.html", "ab.html", "b.html", "b.html#x"]);
        assert_eq!(entries[&key("b.html", "x")].line, 3);
        let lines = |address| -> Vec<usize> {
            (entries.at_address(address).iter())
                .map(|(_, e)| e.line)
                .collect()
        };
        assert_eq!(lines("b.html"), [4, 3]);
        assert_eq!(lines("a.html"), [2]);
        assert_eq!(lines("c.html"), Vec::<usize>::new());
    }

    #[test]
    fn reading_the_text_gives_the_record_back() {
        let record = sample();
        let text = record.render();
        let (back, bad) = Record::parse(&text).unwrap();
        assert_eq!(bad, []);
        let strip = |r: &Record| -> Vec<(Key, Entry)> {
            r.entries
                .iter()
                .map(|(k, e)| {
                    (
                        k.clone(),
                        Entry {
                            line: 0,
                            ..e.clone()
                        },
                    )
                })
                .collect()
        };
        assert_eq!(strip(&back), strip(&record));
        // Written again, byte for byte the same.
        assert_eq!(back.render(), text);
        assert_eq!(
            back.entries[&(Arc::from("guide/b.html"), "step-1".to_string())].line,
            8
        );
    }

    #[test]
    fn a_known_text_is_read_an_address_at_a_time_as_the_parse_reads_it() {
        let key = |a: &str, f: &str| (Arc::from(a), f.to_string());
        let mut record = sample();
        // An address whose page is not recorded: written alone, above its fragment.
        record.entries.insert(
            key("guide/c.html", "alone"),
            entry(Kind::Section, "Alone", None),
        );
        let text: Arc<str> = record.render().into();
        let (parsed, bad) = Record::parse(&text).unwrap();
        assert_eq!(bad, []);
        let known = Record::known(text.clone()).expect("a text as written");
        // The count and the addresses come from the lines alone.
        assert!(known.entries.all.get().is_none());
        assert_eq!(known.entries.len(), 6);
        assert_eq!(known.entries.addresses(), parsed.entries.addresses());
        let addresses: Vec<String> = (known.entries.addresses().iter())
            .map(|a| a.to_string())
            .collect();
        assert_eq!(
            addresses,
            ["guide/a b%#.html", "guide/b.html", "guide/c.html"]
        );
        // An address at a time, numbered as the parse numbers its lines.
        for address in [
            "guide/c.html",
            "guide/b.html",
            "guide/a b%#.html",
            "guide/d.html",
        ] {
            assert_eq!(
                known.entries.at_address(address),
                parsed.entries.at_address(address)
            );
        }
        assert_eq!(known.entries[&key("guide/b.html", "step-1")].line, 8);
        assert_eq!(known.entries.get(&key("guide/b.html", "none")), None);
        assert!(known.entries.all.get().is_none());
        // Asked for all: the record the parse reads, which writes the same text back.
        assert_eq!(known, parsed);
        assert_eq!(known.render(), *text);
        // Edited, it lets its text go.
        let mut edited = known.clone();
        edited.entries.remove(&key("guide/c.html", "alone"));
        assert!(edited.entries.known.is_none());
        assert_eq!(edited.render(), sample().render());
    }

    #[test]
    fn only_a_text_as_written_is_read_as_known() {
        let text = sample().render();
        assert!(Record::known(text.clone().into()).is_some());
        let comment = text.replacen("guide/b.html page", "# a note\nguide/b.html page", 1);
        let blank = text.replacen("guide/b.html page", "\nguide/b.html page", 1);
        let crlf = text.replacen(" intercom=42\n", " intercom=42\r\n", 1);
        let cut = text.trim_end().to_string();
        let (head, body) = text.split_at(text.find("guide/a").unwrap());
        let (a, b) = body.split_at(body.find("guide/b").unwrap());
        let swapped = format!("{head}{b}{a}");
        let other_version = text.replacen("stepbook-anchors 2", "stepbook-anchors 3", 1);
        let undecodable = text.replacen("a%20b", "a%2", 1);
        for t in [
            comment,
            blank,
            crlf,
            cut,
            swapped,
            other_version,
            undecodable,
        ] {
            assert!(Record::known(t.clone().into()).is_none(), "{t}");
        }
    }

    #[test]
    fn a_record_is_read_as_known_only_under_its_own_hash() {
        let dir = tempfile::tempdir().unwrap();
        let text = sample().render();
        std::fs::write(dir.path().join(FILE), &text).unwrap();
        let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        let known = Recorded::read_knowing(dir.path(), Some(hash));
        assert!(known.record.entries.known.is_some());
        assert_eq!(known.problems.len(), 0);
        let read = Recorded::read(dir.path());
        assert!(read.record.entries.known.is_none());
        assert_eq!(known.record, read.record);
        assert_eq!(known.text, read.text);
        // Another text, the hash the same: read whole, and its faults reported.
        std::fs::write(dir.path().join(FILE), format!("{text}not a line\n")).unwrap();
        let other = Recorded::read_knowing(dir.path(), Some(hash));
        assert!(other.record.entries.known.is_none());
        let problems: Vec<String> = other.problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            problems,
            [
                "this line cannot be read: expected `address page hash sketch` or the address alone, found 3 fields"
            ]
        );
    }

    /// A record whose every line after the version cannot be read: each is reported at its
    /// own line, with its text.
    #[test]
    fn a_record_of_many_bad_lines_reports_each_at_its_line() {
        const N: usize = 50_000;
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::from("stepbook-anchors 2\n");
        for i in 0..N {
            text.push_str(&format!("not a line {i}\n"));
        }
        std::fs::write(dir.path().join(FILE), &text).unwrap();
        let read = Recorded::read(dir.path());
        assert_eq!(read.problems.len(), N);
        for (i, d) in read.problems.iter().enumerate() {
            let at = d.location.as_deref().unwrap();
            assert_eq!(at.line, i + 2);
            assert_eq!(at.source_line.as_deref(), Some(&*format!("not a line {i}")));
        }
    }

    #[test]
    fn a_record_of_another_format_is_not_read() {
        let v1 = "# comment\na.html page 0123456789abcdef -\n";
        assert_eq!(Record::parse(v1), Err(OtherVersion::Missing));
        let v3 = "# comment\n\nstepbook-anchors 3\na.html page 01234567 -\n";
        assert_eq!(
            Record::parse(v3),
            Err(OtherVersion::Unknown(3, "stepbook-anchors 3".into()))
        );
        assert_eq!(Record::parse("# only comments\n"), Ok(Default::default()));
    }

    #[test]
    fn lines_that_cannot_be_read_are_named() {
        let text = "# comment\n\
            stepbook-anchors 2\n  \
              orphan step 01234567 -\n\
            a.html page 01234567 -\n  \
              x step 01234567 - extra\n  \
              y heading 01234567 -\n  \
              z step 0123 -\n  \
              w step 01234567 00020001\n  \
              v page 01234567 -\n\
            a.html page 01234567 -\n\
            <<<<<<< HEAD\n  \
              u step 01234567 -\n\
            b.html page 01234567 - extra\n  \
              t step 01234567 -\n\
            c.html step 01234567 -\n\
            d.html\n  \
              s step 01234567 0001\n";
        let (record, bad) = Record::parse(text).unwrap();
        let keys: Vec<String> = record.entries.keys().map(display_key).collect();
        assert_eq!(keys, ["a.html", "d.html#s"]);
        let got: Vec<String> = bad
            .iter()
            .map(|b| format!("{}: {}", b.line, b.why))
            .collect();
        assert_eq!(
            got,
            [
                "3: a fragment before any address",
                "5: expected `  fragment kind hash sketch`, found 5 fields",
                "6: unknown kind `heading`: expected section, step or option",
                "7: the hash `0123` is not 8 hex digits",
                "8: the sketch `00020001` is not `-` or groups of 4 hex digits, ascending",
                "9: a page has no fragment: write it unindented",
                "10: `a.html` is recorded twice",
                "11: a merge conflict marker: keep the lines of both sides, sorted",
                "13: unexpected `extra` at the end of the line",
                "15: expected `address page hash sketch` or the address alone, found 4 fields",
            ]
        );
    }

    #[test]
    fn hex_digits_are_the_formatters() {
        for v in [0u64, 1, 0x9, 0xa, 0xf0, 0xbeef, 0x1234_abcd, 0xffff_ffff] {
            let mut out = String::new();
            super::hex(v, 8, &mut out);
            assert_eq!(out, format!("{v:08x}"));
        }
        let mut out = String::new();
        super::hex(0xbeef, 4, &mut out);
        assert_eq!(out, "beef");
    }

    #[test]
    fn a_record_out_of_order_reads_as_the_sorted_one() {
        let sorted = "stepbook-anchors 2\na.html page 01234567 -\n  x step 01234567 -\nb.html page 89abcdef 0001\n";
        let shuffled = "stepbook-anchors 2\nb.html page 89abcdef 0001\na.html page 01234567 -\n  x step 01234567 -\n";
        let (a, bad_a) = Record::parse(sorted).unwrap();
        let (b, bad_b) = Record::parse(shuffled).unwrap();
        let keys: Vec<String> = b.entries.keys().map(display_key).collect();
        assert_eq!(keys, ["a.html", "a.html#x", "b.html"]);
        let prints = |r: &Record| -> Vec<(Kind, Fingerprint)> {
            r.entries
                .values()
                .map(|e| (e.kind, e.fingerprint.clone()))
                .collect()
        };
        assert_eq!(prints(&a), prints(&b));
        assert!(bad_a.is_empty() && bad_b.is_empty());
        assert_eq!(a.render(), format!("{HEADER}{sorted}"));
        assert!(b.renders_as(&a.render()));
    }

    #[test]
    fn a_long_record_is_read_in_parts_as_it_is_read_whole() {
        // Some megabytes of addresses, each with fragments, and problems far into the text.
        let mut text = String::from("stepbook-anchors 2\n");
        let mut lines = 1;
        let mut bad_at = Vec::new();
        for i in 0..40_000 {
            text.push_str(&format!(
                "p{i:05}.html page 0123abcd 00010002 intercom={i}\n"
            ));
            text.push_str("  a step 89ABCDEF -\n  b section 00000001 +fff\n");
            lines += 3;
            if i % 9_999 == 0 {
                text.push_str("  c step 0123 -\n\n# a comment\n");
                bad_at.push(lines + 1);
                lines += 3;
            }
        }
        let (record, bad) = Record::parse(&text).unwrap();
        assert!(
            super::parts(&text, 1).len() > 2,
            "the text is read in parts"
        );
        // The same entries and problems as the lines after the version line read in one go.
        let mut read = super::numbered(&text, 1);
        read.next();
        let (rest, first) = read.rest();
        let (whole, whole_bad) = super::parse_lines(super::numbered(rest, first));
        assert_eq!(
            record.entries.clone().into_iter().collect::<Vec<_>>(),
            whole
        );
        assert_eq!(bad, whole_bad);
        assert_eq!(record.entries.len(), 120_000);
        assert_eq!(bad.iter().map(|b| b.line).collect::<Vec<_>>(), bad_at);
        let e = &record.entries[&(Arc::from("p39999.html"), "b".to_string())];
        assert_eq!(
            (e.fingerprint.hash, &*e.fingerprint.sketch),
            (1, &[0xfff][..])
        );
        assert_eq!(e.line, lines);
        let page = &record.entries[&(Arc::from("p00007.html"), String::new())];
        assert_eq!(page.fingerprint.hash, 0x0123_abcd);
        assert_eq!(page.intercom, Some(7));
    }

    #[test]
    fn fields_are_what_a_split_at_each_space_gives() {
        for line in ["", " ", "a", "a b", "a  b ", " a b c d", "é ü x"] {
            let split: Vec<&str> = line.split(' ').collect();
            assert_eq!(super::fields(line).collect::<Vec<_>>(), split, "{line:?}");
        }
    }

    #[test]
    fn hex_values_read_as_the_general_parser_reads_them() {
        for s in [
            "0", "00ff", "ABCD", "beef", "+fff", "-fff", "12g4", "", "ffffffff",
        ] {
            assert_eq!(
                super::hex_value(s),
                u32::from_str_radix(s, 16).ok().map(u64::from),
                "{s}"
            );
        }
    }
}
