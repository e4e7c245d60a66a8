//! Following recorded anchors: where each recorded fragment of an address leads in the
//! article that holds it now ([`Planner::follow`]), and which article a vanished address
//! became ([`Planner::moved_to`]). It decides from the articles' [`Prints`] and the record's
//! entries, and returns what it decided; [`plan`](super::plan) gathers it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::Fingerprint;
use super::memo::{Kept, Own, Prints};
use super::pins::Pin;
use super::record::{Entry, Key, Kind, Record};
use super::{THRESHOLD, report};
use crate::diagnostics::{Diagnostic, Locator};
use crate::site::Article;

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
fn find(fragment: &str, entry: &Entry, prints: &Prints, current: Option<usize>) -> Found {
    let units = prints.units();
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
        prints
            .id(*i)
            .bytes()
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

/// What one [`plan`] reads while it decides.
pub(super) struct Planner<'a> {
    pub articles: &'a [Arc<Article>],
    pub kept: &'a [Kept],
    /// The record's file, and its text as read, for the reports' lines (a large site's
    /// record has hundreds of thousands, and a vanished address reports on each of its
    /// anchors).
    pub path: &'a Path,
    pub read: Option<Locator<'a>>,
}

impl Planner<'_> {
    /// What the recorded anchors of article `i`'s own address decide (none when another
    /// article holds the address too), its pins, and what it publishes for the first time.
    pub fn own(&self, i: usize, alone: bool, record: &Record) -> Own {
        let a = &self.articles[i];
        let address = a.page.url.as_str();
        let prints = &self.kept[i].prints;
        let mut own = Own::default();
        // The fragments already recorded at the address: only new ones are added.
        let mut known: FxHashSet<&str> = FxHashSet::default();
        let mut known_address = None;
        if alone {
            let entries = record.entries.at_address(address);
            known.reserve(entries.len());
            known_address = entries.first().map(|(k, _)| k.0.clone());
            known.extend(entries.iter().map(|(k, _)| k.1.as_str()));
            let mut map = BTreeMap::new();
            self.follow(i, entries, &mut map, &mut own);
            own.map = map;
            for (_, fragment) in &own.retired {
                known.remove(fragment.as_str());
            }
        }
        // Pins of fragments never recorded.
        for (old, pin) in &prints.pins {
            if let Pin::To(to) = pin {
                own.map.entry(old.clone()).or_insert_with(|| to.clone());
            }
        }
        // The new anchors share the address's text with the recorded ones.
        let shared: Arc<str> = match known_address {
            Some(a) => a,
            None => address.into(),
        };
        let new = |fragment: &str, kind, fingerprint: &Fingerprint, intercom| {
            let key = (shared.clone(), fragment.to_string());
            let entry = Entry {
                kind,
                fingerprint: fingerprint.clone(),
                intercom,
                line: 0,
            };
            (key, entry)
        };
        if !known.contains("") {
            let page = new("", Kind::Page, prints.page(), a.page.fm.intercom_id);
            own.added.push(page);
        }
        for (u, unit) in prints.units().iter().enumerate() {
            let id = prints.id(u);
            if !known.contains(id) {
                own.added.push(new(id, unit.kind, &unit.fingerprint, None));
            }
        }
        own
    }

    /// Maps the recorded fragments of one address onto article `i`: into `map`, with the
    /// reports and the retired anchors into `out`.
    pub fn follow(
        &self,
        i: usize,
        entries: &[(Key, Entry)],
        map: &mut BTreeMap<String, String>,
        out: &mut Own,
    ) {
        let prints = &self.kept[i].prints;
        let units = prints.units();
        let pins = &prints.pins;
        // Most recorded fragments still anchor what they did: found by id at once, that is
        // all the work they cost.
        let by_id: FxHashMap<&str, usize> =
            (0..units.len()).map(|u| (prints.id(u), u)).rev().collect();
        for (key, entry) in entries {
            let fragment = key.1.as_str();
            if fragment.is_empty() {
                continue;
            }
            let current = by_id.get(fragment).copied();
            if let Some(c) = current
                && pins.is_empty()
                && units[c].kind == entry.kind
                && units[c].fingerprint.hash == entry.fingerprint.hash
            {
                continue;
            }
            match pins.get(fragment) {
                Some(Pin::To(to)) => {
                    map.entry(fragment.to_string())
                        .or_insert_with(|| to.clone());
                    continue;
                }
                Some(Pin::Retire) => {
                    out.retired.push((*key).clone());
                    continue;
                }
                None => {}
            }
            let (u, how) = match find(fragment, entry, prints, current) {
                Found::Same => continue,
                Found::Exact(u, of) => (u, report::How::Exact(of)),
                Found::Similar(u, score) => (u, report::How::Similar(score)),
                Found::Lost => {
                    let d = report::lost(&self.articles[i], key, entry);
                    out.reports.push(self.at_line(d, entry));
                    continue;
                }
            };
            let to = prints.id(u);
            map.entry(key.1.clone()).or_insert_with(|| to.to_string());
            let d = report::moved(&self.articles[i], key, entry.kind, to, how);
            out.reports.push(self.at_line(d, entry));
        }
    }

    /// The article a vanished address became, with a report into `reports`, or `None`.
    pub fn moved_to(
        &self,
        address: &str,
        entries: &[(Key, Entry)],
        reports: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        // A hand-edited line must not send a redirect out of the output folder.
        let portable = address.ends_with(".html")
            && address
                .split('/')
                .all(|p| crate::paths::name_problem(p).is_none());
        if !portable {
            return None;
        }
        let page = entries.iter().find(|(k, _)| k.1.is_empty()).map(|(_, e)| e);
        let by_id = page.and_then(|p| p.intercom).and_then(|id| {
            self.articles
                .iter()
                .position(|a| a.page.fm.intercom_id == Some(id))
        });
        let (i, why) = match by_id {
            Some(i) => (i, "it has the same intercom_id".to_string()),
            None => self.by_fingerprints(entries)?,
        };
        let d = report::page_moved(address, &self.articles[i], &why);
        reports.push(match page {
            Some(p) => self.at_line(d, p),
            None => d.in_file(self.path),
        });
        Some(i)
    }

    /// The article holding most of the recorded fingerprints of an address (at least half),
    /// else the one most like its recorded page.
    fn by_fingerprints(&self, entries: &[(Key, Entry)]) -> Option<(usize, String)> {
        let fragments: Vec<&Entry> = entries
            .iter()
            .filter(|(k, _)| !k.1.is_empty())
            .map(|(_, e)| e)
            .collect();
        let mut best: Option<(usize, usize)> = None;
        for (i, k) in self.kept.iter().enumerate() {
            let hashes: FxHashSet<(Kind, u32)> = (k.prints.units().iter())
                .map(|u| (u.kind, u.fingerprint.hash))
                .collect();
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
        let page = &entries.iter().find(|(k, _)| k.1.is_empty())?.1;
        let (i, score) = self
            .kept
            .iter()
            .map(|k| page.fingerprint.similarity(k.prints.page()))
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

    pub fn at_line(&self, d: Diagnostic, entry: &Entry) -> Diagnostic {
        match &self.read {
            Some(record) if entry.line > 0 => record.at_line(d, entry.line, 1),
            _ => d.in_file(self.path),
        }
    }
}

fn anchors_word(n: usize) -> String {
    crate::diagnostics::plural(n, "recorded anchor")
}
