//! Anchor history: old links keep landing on the right step.
//!
//! The site keeps a record, `anchors.lock` beside `content/` ([`record`]), of every article
//! address and fragment it has published, each with the [`Fingerprint`] of what it anchored
//! when it was first recorded. Each run reads the committed record (an input, like the
//! content) and [`plan`]s, from it and the assembled articles:
//!
//! - for every recorded fragment that is gone or now anchors other text (a renumbered step, a
//!   renamed heading), where that text is now: the same fingerprint first, else the unit of
//!   the same kind that shares most words (at least [`THRESHOLD`]); the page carries the map
//!   from old fragment to new id, and its script follows it on load and on every change of
//!   the fragment;
//! - for every recorded address that no page and no redirect holds any more, the article it
//!   became: the one with the recorded `intercom_id`, else the one holding most of its
//!   recorded fingerprints; it gets a redirect stub from the old address;
//! - what the writer decided in frontmatter ([`pins`]), which wins over any guess;
//! - the record to write: the old one, less what was retired, plus every anchor published
//!   for the first time. Old entries stay, so a mapping holds through later builds.
//!
//! `check` reports every guess and every address that leads nowhere. Nothing here reads or
//! writes files; `build` writes [`Plan::record`] when it differs from what it read.

pub mod fingerprint;
pub mod lint;
pub mod pins;
pub mod record;

use std::collections::{BTreeMap, HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::markdown::outline;
use crate::paths::UrlPath;
use crate::site::{Article, Redirect, tree::Tree};
pub use fingerprint::Fingerprint;
use pins::Pin;
pub use record::Recorded;
use record::{Entry, Key, Kind, Record};

/// The least share of words a unit must have in common with a recorded anchor to take its
/// old links.
pub const THRESHOLD: f64 = 0.5;

/// What the record decides for one run.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every article's map from old fragment to id, as JSON, by the article's URL; only
    /// articles with a mapping are here.
    pub maps: HashMap<UrlPath, String>,
    /// The same maps, to look up: for `check`'s links into them ([`lint`]).
    pub followed: HashMap<UrlPath, BTreeMap<String, String>>,
    /// The old addresses of moved articles, with the article (index into the articles).
    pub moved: Vec<(UrlPath, usize)>,
    /// What `check` reports: each mapping guessed, each moved or deleted page.
    pub reports: Vec<Diagnostic>,
    /// The record this build leaves (the one read, shared, when nothing changed).
    pub record: Arc<Record>,
    /// Where it is, and its text as read.
    pub path: PathBuf,
    pub read: Option<Arc<str>>,
    /// The record's text, made once when asked for.
    text: std::sync::OnceLock<String>,
}

impl Plan {
    /// The record's text as this build leaves it.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| self.record.render())
    }

    /// Whether the build would change the file.
    pub fn changed(&self) -> bool {
        self.read.as_deref() != Some(self.text())
    }

    /// The error of `--locked` when the build would change the record, naming how.
    pub fn unlocked(&self) -> Option<Diagnostic> {
        let new = self.text();
        if !self.changed() {
            return None;
        }
        let message = match &self.read {
            None => format!("{} is missing: the build would write it", record::FILE),
            Some(old) => {
                let before: HashSet<&str> = old.lines().collect();
                let after: HashSet<&str> = new.lines().collect();
                let added = after.difference(&before).count();
                let removed = before.difference(&after).count();
                format!(
                    "{} is out of date: the build would add {} and remove {}",
                    record::FILE,
                    crate::diagnostics::plural(added, "line"),
                    crate::diagnostics::plural(removed, "line"),
                )
            }
        };
        Some(
            Diagnostic::error("anchors-unlocked", message)
                .in_file(&self.path)
                .with_hint(format!("run `stepbook build` and commit {}", record::FILE)),
        )
    }
}

/// One anchored unit of an article as it is now.
struct Unit<'a> {
    id: &'a str,
    kind: Kind,
    fingerprint: Fingerprint,
}

/// The anchored units of an article, and its own fingerprint. A section's or an option's
/// sketch holds its own words and those of every unit inside it (its steps), so a renamed
/// heading is still known by its procedure; the page's holds every word. The smallest hashes
/// of a union are among the smallest of its parts, so the sketches merge without the text.
fn units_of(a: &Article) -> (Fingerprint, Vec<Unit<'_>>) {
    let outline = &a.page.md.outline;
    let mut units: Vec<Unit> = outline
        .units
        .iter()
        .map(|u| {
            let (kind, fingerprint) = match u.kind {
                outline::Kind::Section => (Kind::Section, Fingerprint::of(&u.label, &u.text)),
                outline::Kind::Option => (Kind::Option, Fingerprint::of(&u.label, &u.text)),
                outline::Kind::Step => (Kind::Step, Fingerprint::of(&u.text, "")),
            };
            Unit {
                id: &u.id,
                kind,
                fingerprint,
            }
        })
        .collect();
    let mut page = Fingerprint::of(&a.title, &outline.intro);
    // Units come before the units inside them: children are merged into parents from the end.
    for (i, u) in outline.units.iter().enumerate().rev() {
        let own = units[i].fingerprint.sketch.clone();
        page.absorb(&own);
        if let Some(p) = u.parent {
            units[p].fingerprint.absorb(&own);
        }
    }
    units.retain(|u| !u.id.is_empty());
    (page, units)
}

/// Where a recorded fragment leads now.
#[derive(Debug, Clone, PartialEq)]
enum Found {
    /// It still anchors what it did (or nothing better exists).
    Same,
    /// Unit `usize` has the same fingerprint; `usize` units of the kind have it.
    Exact(usize, usize),
    /// Unit `usize` shares this share of words.
    Similar(usize, f64),
    Lost,
}

/// `current` is the unit that holds `fragment` now, if one does.
fn find(fragment: &str, entry: &Entry, units: &[Unit], current: Option<usize>) -> Found {
    let fp = &entry.fingerprint;
    if let Some(c) = current
        && units[c].kind == entry.kind
        && units[c].fingerprint.hash == fp.hash
    {
        return Found::Same;
    }
    let same_kind = || {
        units
            .iter()
            .enumerate()
            .filter(|(_, u)| u.kind == entry.kind)
    };
    let exact: Vec<usize> = same_kind()
        .filter(|(_, u)| u.fingerprint.hash == fp.hash)
        .map(|(i, _)| i)
        .collect();
    // Among units with the same text, the one whose id shares most of the old one's start:
    // the same procedure's step, not another procedure's.
    let shared = |i: &usize| {
        let id = units[*i].id;
        id.bytes()
            .zip(fragment.bytes())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut best_exact: Option<usize> = None;
    for i in &exact {
        if best_exact.is_none_or(|b| shared(i) > shared(&b)) {
            best_exact = Some(*i);
        }
    }
    if let Some(i) = best_exact {
        return Found::Exact(i, exact.len());
    }
    let mut best: Option<(usize, f64)> = None;
    for (i, u) in same_kind() {
        let score = fp.similarity(&u.fingerprint);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    match (best, current) {
        (Some((i, _)), Some(c)) if i == c => Found::Same,
        (Some((i, score)), Some(c)) if score >= THRESHOLD => {
            let kept = units[c].kind == entry.kind && fp.similarity(&units[c].fingerprint) >= score;
            if kept {
                Found::Same
            } else {
                Found::Similar(i, score)
            }
        }
        (Some((i, score)), None) if score >= THRESHOLD => Found::Similar(i, score),
        (_, Some(_)) => Found::Same,
        (_, None) => Found::Lost,
    }
}

/// Everything [`plan`] reads.
pub struct Input<'a> {
    pub tree: &'a Tree,
    pub redirects: &'a [Redirect],
    pub recorded: Recorded,
}

/// Decides the maps, the moved pages' redirects, the reports and the new record. The
/// problems returned beside it (frontmatter `anchors` that cannot be followed) are errors of
/// every run.
pub fn plan(input: Input) -> (Plan, Vec<Diagnostic>) {
    let Input {
        tree,
        redirects,
        recorded,
    } = input;
    let Recorded {
        path,
        text: read,
        record,
        problems: _,
    } = recorded;
    let mut problems = Vec::new();
    let articles = &tree.articles;
    let prints: Vec<(Fingerprint, Vec<Unit>)> = {
        use rayon::prelude::*;
        articles.par_iter().map(units_of).collect()
    };
    let pins: Vec<BTreeMap<String, Pin>> = articles
        .iter()
        .map(|a| {
            let (p, ds) = pins::read(&a.page);
            problems.extend(ds);
            p
        })
        .collect();
    let by_url: FxHashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.page.url.as_str(), i))
        .collect();
    let taken: FxHashSet<&str> = tree
        .home
        .iter()
        .chain(tree.collections.iter().filter_map(|c| c.index.as_ref()))
        .map(|p| p.url.as_str())
        .chain(redirects.iter().map(|r| r.from.as_str()))
        .collect();

    let mut ctx = Planner {
        articles,
        prints: &prints,
        pins: &pins,
        path: &path,
        read: read.as_deref(),
        maps: vec![BTreeMap::new(); articles.len()],
        reports: Vec::new(),
        retired: Vec::new(),
        moved: Vec::new(),
    };
    // Every recorded address, with its fragments (the record is sorted by address, so each
    // address is one run of entries); an article's own address first, so its maps win over
    // those of addresses that moved to it.
    let mut addresses: Vec<(&str, Vec<(&Key, &Entry)>)> = Vec::new();
    for (key, entry) in &record.entries {
        match addresses.last_mut() {
            Some((a, run)) if *a == key.0 => run.push((key, entry)),
            _ => addresses.push((key.0.as_str(), vec![(key, entry)])),
        }
    }
    // The fragments already recorded at each article's address: only new ones are added.
    let mut known: Vec<FxHashSet<&str>> = vec![FxHashSet::default(); articles.len()];
    for (address, entries) in &addresses {
        if let Some(&i) = by_url.get(address) {
            known[i].extend(entries.iter().map(|(k, _)| k.1.as_str()));
        }
    }
    let mut later = Vec::new();
    for (address, entries) in &addresses {
        match by_url.get(*address) {
            Some(&i) => ctx.follow(i, entries),
            None if taken.contains(*address) => {}
            None => later.push((*address, entries)),
        }
    }
    for (address, entries) in later {
        match ctx.moved_to(address, entries) {
            Some(i) => ctx.follow(i, entries),
            None => ctx.gone(address, entries),
        }
    }
    let Planner {
        mut maps,
        reports,
        retired,
        moved,
        ..
    } = ctx;
    for (address, fragment) in &retired {
        if let Some(&i) = by_url.get(address.as_str()) {
            known[i].remove(fragment.as_str());
        }
    }
    // Pins of fragments never recorded, and what is published for the first time.
    let mut added: Vec<(Key, Entry)> = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        for (old, pin) in &pins[i] {
            if let Pin::To(to) = pin {
                maps[i].entry(old.clone()).or_insert_with(|| to.clone());
            }
        }
        let address = a.page.url.as_str();
        let (page_print, units) = &prints[i];
        let new = |fragment: &str, kind, fingerprint: &Fingerprint, intercom| {
            let key = (address.to_string(), fragment.to_string());
            let entry = Entry {
                kind,
                fingerprint: fingerprint.clone(),
                intercom,
                line: 0,
            };
            (key, entry)
        };
        if !known[i].contains("") {
            added.push(new("", Kind::Page, page_print, a.page.fm.intercom_id));
        }
        for u in units {
            if !known[i].contains(u.id) {
                added.push(new(u.id, u.kind, &u.fingerprint, None));
            }
        }
    }
    drop(known);
    drop(addresses);
    let mut record = record;
    if !retired.is_empty() || !added.is_empty() {
        let record = Arc::make_mut(&mut record);
        for key in &retired {
            record.entries.remove(key);
        }
        for (key, entry) in added {
            // A repeated id (reported as such) keeps its first unit.
            record.entries.entry(key).or_insert(entry);
        }
    }
    let followed: HashMap<UrlPath, BTreeMap<String, String>> = maps
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .map(|(i, m)| (articles[i].page.url.clone(), m))
        .collect();
    let maps = followed
        .iter()
        .map(|(url, m)| (url.clone(), map_json(m)))
        .collect();
    let plan = Plan {
        maps,
        followed,
        moved,
        reports,
        record,
        path,
        read,
        text: Default::default(),
    };
    (plan, problems)
}

/// The map as JSON a `<script>` element can hold.
fn map_json(map: &BTreeMap<String, String>) -> String {
    serde_json::to_string(map)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The state of one [`plan`].
struct Planner<'a> {
    articles: &'a [Article],
    prints: &'a [(Fingerprint, Vec<Unit<'a>>)],
    pins: &'a [BTreeMap<String, Pin>],
    /// The record's file and its text as read, for the reports' lines.
    path: &'a Path,
    read: Option<&'a str>,
    maps: Vec<BTreeMap<String, String>>,
    reports: Vec<Diagnostic>,
    /// Recorded anchors the writer retired: they leave the record.
    retired: Vec<Key>,
    moved: Vec<(UrlPath, usize)>,
}

mod report;

impl Planner<'_> {
    /// Maps the recorded fragments of one address onto article `i`.
    fn follow(&mut self, i: usize, entries: &[(&Key, &Entry)]) {
        let units = &self.prints[i].1;
        // Most recorded fragments still anchor what they did: found by id at once, that is
        // all the work they cost.
        let by_id: FxHashMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(u, unit)| (unit.id, u))
            .rev()
            .collect();
        for (key, entry) in entries {
            let fragment = key.1.as_str();
            if fragment.is_empty() {
                continue;
            }
            let current = by_id.get(fragment).copied();
            if let Some(c) = current
                && self.pins[i].is_empty()
                && units[c].kind == entry.kind
                && units[c].fingerprint.hash == entry.fingerprint.hash
            {
                continue;
            }
            match self.pins[i].get(fragment) {
                Some(Pin::To(to)) => {
                    self.maps[i]
                        .entry(fragment.to_string())
                        .or_insert_with(|| to.clone());
                    continue;
                }
                Some(Pin::Retire) => {
                    self.retired.push((*key).clone());
                    continue;
                }
                None => {}
            }
            match find(fragment, entry, units, current) {
                Found::Same => {}
                Found::Exact(u, of) => {
                    self.map(i, key, entry, units[u].id, report::How::Exact(of));
                }
                Found::Similar(u, score) => {
                    self.map(i, key, entry, units[u].id, report::How::Similar(score));
                }
                Found::Lost => {
                    let d = report::lost(&self.articles[i], key, entry);
                    self.reports.push(self.at_line(d, entry));
                }
            }
        }
    }

    fn map(&mut self, i: usize, key: &Key, entry: &Entry, to: &str, how: report::How) {
        self.maps[i]
            .entry(key.1.clone())
            .or_insert_with(|| to.to_string());
        let d = report::moved(&self.articles[i], key, entry.kind, to, how);
        self.reports.push(self.at_line(d, entry));
    }

    /// The article a vanished address became, with a report, or `None`.
    fn moved_to(&mut self, address: &str, entries: &[(&Key, &Entry)]) -> Option<usize> {
        // A hand-edited line must not send a redirect out of the output folder.
        let portable = address.ends_with(".html")
            && address
                .split('/')
                .all(|p| crate::paths::name_problem(p).is_none());
        if !portable {
            return None;
        }
        let page = entries
            .iter()
            .find(|(k, _)| k.1.is_empty())
            .map(|(_, e)| *e);
        let by_id = page.and_then(|p| p.intercom).and_then(|id| {
            self.articles
                .iter()
                .position(|a| a.page.fm.intercom_id == Some(id))
        });
        let (i, why) = match by_id {
            Some(i) => (i, "it has the same intercom_id".to_string()),
            None => self.by_fingerprints(entries)?,
        };
        let url = UrlPath::new(address);
        self.moved.push((url, i));
        let d = report::page_moved(address, &self.articles[i], &why);
        self.reports.push(match page {
            Some(p) => self.at_line(d, p),
            None => d.in_file(self.path),
        });
        Some(i)
    }

    /// The article holding most of the recorded fingerprints of an address (at least half),
    /// else the one most like its recorded page.
    fn by_fingerprints(&self, entries: &[(&Key, &Entry)]) -> Option<(usize, String)> {
        let fragments: Vec<&Entry> = entries
            .iter()
            .filter(|(k, _)| !k.1.is_empty())
            .map(|(_, e)| *e)
            .collect();
        let mut best: Option<(usize, usize)> = None;
        for (i, (_, units)) in self.prints.iter().enumerate() {
            let hashes: FxHashSet<(Kind, u32)> =
                units.iter().map(|u| (u.kind, u.fingerprint.hash)).collect();
            let held = fragments
                .iter()
                .filter(|e| hashes.contains(&(e.kind, e.fingerprint.hash)))
                .count();
            if held > 0 && best.is_none_or(|(_, b)| held > b) {
                best = Some((i, held));
            }
        }
        if let Some((i, held)) = best
            && held * 2 >= fragments.len()
        {
            let why = format!("it holds {held} of its {}", anchors_word(fragments.len()));
            return Some((i, why));
        }
        let page = entries.iter().find(|(k, _)| k.1.is_empty())?.1;
        let (i, score) = self
            .prints
            .iter()
            .map(|(p, _)| page.fingerprint.similarity(p))
            .enumerate()
            .fold(None, |best: Option<(usize, f64)>, (i, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((i, s)),
            })?;
        (score >= THRESHOLD).then(|| {
            let why = format!("its text is alike ({:.0}% of words shared)", score * 100.0);
            (i, why)
        })
    }

    fn gone(&mut self, address: &str, entries: &[(&Key, &Entry)]) {
        let first = entries[0].1;
        let d = report::page_gone(address);
        self.reports.push(self.at_line(d, first));
    }

    fn at_line(&self, d: Diagnostic, entry: &Entry) -> Diagnostic {
        match self.read {
            Some(text) if entry.line > 0 => d.at_line_col(self.path, text, entry.line, 1),
            _ => d.in_file(self.path),
        }
    }
}

fn anchors_word(n: usize) -> String {
    crate::diagnostics::plural(n, "recorded anchor")
}

#[cfg(test)]
mod tests;
