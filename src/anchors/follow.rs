//! Following recorded anchors: where each recorded fragment of an address leads in the
//! article that holds it now ([`Planner::follow`]); which article a vanished address became
//! is [`super::became`]'s. It decides from the articles' [`Prints`] and the record's entries,
//! and returns what it decided; [`plan`](super::plan) gathers it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap, FxHashSet};

use super::Fingerprint;
use super::memo::{Kept, Own, Prints, Unit};
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

/// What the searches read of an article: its units, their ids and its own fingerprint.
pub(super) trait Anchored {
    fn units(&self) -> &[Unit];
    fn id(&self, u: usize) -> &str;
    fn page(&self) -> &Fingerprint;
}

impl Anchored for Prints {
    fn units(&self) -> &[Unit] {
        Prints::units(self)
    }
    fn id(&self, u: usize) -> &str {
        Prints::id(self, u)
    }
    fn page(&self) -> &Fingerprint {
        Prints::page(self)
    }
}

/// An article's units by what finds them for a recorded fragment that no longer anchors what
/// it did: by kind and name hash, and by kind and word hash. Made once per address followed
/// into the article, when a fragment first needs it, so that a page that lost thousands of
/// anchors looks at the units that can be theirs rather than at every unit for each.
struct Index<'p> {
    exact: FxHashMap<(Kind, u32), Group<'p>>,
    /// The units (ascending) whose sketch holds the word hash: a unit that shares no word
    /// with a fragment has a similarity of 0 with it.
    words: FxHashMap<(Kind, u16), Vec<usize>>,
}

/// The units of one kind and name hash: their ids sorted, with their places.
struct Group<'p> {
    by_id: Vec<(&'p str, usize)>,
    /// The least place of any run of `by_id`.
    first: RangeMin,
}

impl<'p> Index<'p> {
    fn new(prints: &'p impl Anchored) -> Index<'p> {
        let mut exact: FxHashMap<(Kind, u32), Vec<(&str, usize)>> = FxHashMap::default();
        let mut words: FxHashMap<(Kind, u16), Vec<usize>> = FxHashMap::default();
        for (u, unit) in prints.units().iter().enumerate() {
            let fp = &unit.fingerprint;
            exact
                .entry((unit.kind, fp.hash))
                .or_default()
                .push((prints.id(u), u));
            for &h in fp.sketch.iter() {
                words.entry((unit.kind, h)).or_default().push(u);
            }
        }
        let exact = exact
            .into_iter()
            .map(|(key, mut by_id)| {
                by_id.sort_unstable();
                let first = RangeMin::new(by_id.iter().map(|(_, u)| *u).collect());
                (key, Group { by_id, first })
            })
            .collect();
        Index { exact, words }
    }

    /// Among the units of `entry`'s kind with its name hash, the one whose id shares the
    /// longest start with `fragment` (the first such unit of the page), and how many there
    /// are. The ids sharing the longest start are a run of the sorted ids, beside the place
    /// `fragment` would take among them.
    fn exact(&self, fragment: &str, entry: &Entry) -> Option<(usize, usize)> {
        let group = self.exact.get(&(entry.kind, entry.fingerprint.hash))?;
        Some((group.sharing_most(fragment)?, group.by_id.len()))
    }

    /// The unit of `entry`'s kind most like it (the first of the page among equals), when
    /// one is alike enough to matter: at [`THRESHOLD`] or above (below it nothing moves).
    fn most_like(&self, entry: &Entry, units: &[Unit]) -> Option<(usize, f64)> {
        let sketch = &entry.fingerprint.sketch;
        let lists: Vec<&[usize]> = (sketch.iter())
            .map(|h| {
                self.words
                    .get(&(entry.kind, *h))
                    .map_or(&[][..], Vec::as_slice)
            })
            .collect();
        // A unit at least as alike as the threshold shares that many words: the others are
        // not compared.
        let need = alike_needs(sketch.len());
        let like = in_enough(&lists, need, LOOKED_AT, READ_AT_MOST);
        let mut best: Option<(usize, f64)> = None;
        for u in like {
            let score = entry.fingerprint.similarity(&units[u].fingerprint);
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((u, score));
            }
        }
        best.filter(|(_, score)| *score >= THRESHOLD)
    }
}

/// How many of its `len` word hashes a sketch shares, at least, with any sketch at least
/// [`THRESHOLD`] alike: the share is taken over at least `len` hashes (the smallest of both
/// together). `THRESHOLD * len` is exact for a sketch's lengths.
pub(super) fn alike_needs(len: usize) -> usize {
    (THRESHOLD * len as f64).ceil() as usize
}

/// How many units of a page a fragment that no longer anchors what it did is compared with, at
/// most: the first of the page among those that share enough of its words to be alike
/// enough. On a page whose thousands of headings share most of their words, each lost
/// fragment would otherwise be compared with all of them, and following the page would grow
/// with the square of its size; a real page has far fewer units that alike.
const LOOKED_AT: usize = 1024;

/// How many entries of a fragment's word lists are read, at most, to find the units that
/// share enough of its words: a page on which more units share a word or two with it than
/// this, before the first [`LOOKED_AT`] that share enough, is looked at no further.
const READ_AT_MOST: usize = 16 * LOOKED_AT;

/// The first `first` items (ascending) that are in at least `need` of `lists` (each
/// ascending, holding an item once), the lists merged in order and read no further than
/// `budget` entries of them all. None when `need` is 0.
fn in_enough(lists: &[&[usize]], need: usize, first: usize, budget: usize) -> Vec<usize> {
    let mut at = vec![0; lists.len()];
    let (mut found, mut read) = (Vec::new(), 0);
    if need == 0 {
        return found;
    }
    while found.len() < first && read < budget {
        let heads = lists.iter().zip(&at).filter_map(|(l, &i)| l.get(i));
        let Some(&least) = heads.min() else {
            break;
        };
        let mut holding = 0;
        for (l, i) in lists.iter().zip(at.iter_mut()) {
            if l.get(*i) == Some(&least) {
                holding += 1;
                *i += 1;
            }
        }
        read += holding;
        if holding >= need {
            found.push(least);
        }
    }
    found
}

impl Group<'_> {
    /// The first place (the least) among the ids that share the longest start with
    /// `fragment`: a run of the sorted ids, beside the place `fragment` would take among them.
    fn sharing_most(&self, fragment: &str) -> Option<usize> {
        let ids = &self.by_id;
        let shared = |id: &str| {
            (id.bytes())
                .zip(fragment.bytes())
                .take_while(|(a, b)| a == b)
                .count()
        };
        let at = ids.partition_point(|(id, _)| *id < fragment);
        let longest = (at.checked_sub(1).into_iter().chain([at]))
            .filter_map(|i| ids.get(i))
            .map(|(id, _)| shared(id))
            .max()?;
        let start = &fragment.as_bytes()[..longest];
        let from = ids.partition_point(|(id, _)| id.as_bytes() < start);
        let to = from + ids[from..].partition_point(|(id, _)| id.as_bytes().starts_with(start));
        Some(self.first.least(from..to))
    }
}

/// The least value of any run of a list, in two looks (a sparse table: the least of each run
/// of every power of two in length).
struct RangeMin {
    levels: Vec<Vec<usize>>,
}

impl RangeMin {
    fn new(values: Vec<usize>) -> RangeMin {
        let n = values.len();
        let mut levels = vec![values];
        let mut width = 1;
        while width * 2 <= n {
            let last = &levels[levels.len() - 1];
            let next = (0..=n - width * 2)
                .map(|i| last[i].min(last[i + width]))
                .collect();
            levels.push(next);
            width *= 2;
        }
        RangeMin { levels }
    }

    /// The least value of `run`, which is not empty.
    fn least(&self, run: std::ops::Range<usize>) -> usize {
        let level = (usize::BITS - 1 - run.len().leading_zeros()) as usize;
        let values = &self.levels[level];
        values[run.start].min(values[run.end - (1 << level)])
    }
}

/// `current` is the unit that holds `fragment` now, if one does.
fn find<'p>(
    fragment: &str,
    entry: &Entry,
    prints: &'p impl Anchored,
    index: &mut Option<Index<'p>>,
    current: Option<usize>,
) -> Found {
    let units = prints.units();
    let fp = &entry.fingerprint;
    if let Some(c) = current
        && units[c].kind == entry.kind
        && units[c].fingerprint.hash == fp.hash
    {
        return Found::Same;
    }
    let index = index.get_or_insert_with(|| Index::new(prints));
    // Among units with the same text, the one whose id shares most of the old one's start:
    // the same procedure's step, not another procedure's.
    if let Some((i, of)) = index.exact(fragment, entry) {
        return Found::Exact(i, of);
    }
    // The most alike, when it reaches the threshold; below it, nothing moves.
    match (index.most_like(entry, units), current) {
        (Some((i, _)), Some(c)) if i == c => Found::Same,
        (Some((i, score)), Some(c)) => {
            let kept = units[c].kind == entry.kind && fp.similarity(&units[c].fingerprint) >= score;
            if kept {
                Found::Same
            } else {
                Found::Similar(i, score)
            }
        }
        (Some((i, score)), None) => Found::Similar(i, score),
        (None, Some(_)) => Found::Same,
        (None, None) => Found::Lost,
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
    /// Made when a vanished address is first looked at.
    pub holders: OnceLock<super::became::Holders>,
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
        let mut index = None;
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
            let (u, how) = match find(fragment, entry, &**prints, &mut index, current) {
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

    pub fn at_line(&self, d: Diagnostic, entry: &Entry) -> Diagnostic {
        match &self.read {
            Some(record) if entry.line > 0 => record.at_line(d, entry.line, 1),
            _ => d.in_file(self.path),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A pseudo-random sequence, the same at every run.
    fn numbers() -> impl FnMut() -> usize {
        let mut seed = 0x2545_f491_u32;
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize
        }
    }

    #[test]
    fn the_least_of_every_run() {
        let mut next = numbers();
        for n in 1..40 {
            let values: Vec<usize> = (0..n).map(|_| next() % 100).collect();
            let table = RangeMin::new(values.clone());
            for from in 0..n {
                for to in from + 1..=n {
                    assert_eq!(
                        table.least(from..to),
                        *values[from..to].iter().min().unwrap()
                    );
                }
            }
        }
    }

    /// Every item in at least `need` of the lists is among those looked at.
    #[test]
    fn items_in_enough_lists_are_all_looked_at() {
        let mut next = numbers();
        for _ in 0..2_000 {
            let lists: Vec<Vec<usize>> = (0..next() % 9)
                .map(|_| {
                    let mut l: Vec<usize> = (0..next() % 6).map(|_| next() % 12).collect();
                    l.sort_unstable();
                    l.dedup();
                    l
                })
                .collect();
            let need = next() % 10;
            let slices = || lists.iter().map(Vec::as_slice).collect::<Vec<_>>();
            let looked = super::super::became::holding_enough(slices(), need);
            for item in 0..12 {
                let holding = lists.iter().filter(|l| l.contains(&item)).count();
                if need > 0 && holding >= need {
                    assert!(looked.contains(&item), "{lists:?} {need} {item}");
                }
            }
            assert!(looked.windows(2).all(|w| w[0] < w[1]));
            // Those in enough lists, the first of them, or those met in the first entries.
            let enough: Vec<usize> = (0..12)
                .filter(|i| need > 0 && lists.iter().filter(|l| l.contains(i)).count() >= need)
                .collect();
            assert_eq!(in_enough(&slices(), need, usize::MAX, usize::MAX), enough);
            let first = next() % 8;
            let some = in_enough(&slices(), need, first, usize::MAX);
            assert_eq!(
                some,
                enough[..first.min(enough.len())],
                "{lists:?} {need} {first}"
            );
            let budget = next() % 20;
            let met = in_enough(&slices(), need, usize::MAX, budget);
            assert_eq!(met, enough[..met.len()], "{lists:?} {need} {budget}");
            // What was not met lies past the budget.
            let reads = |x: usize| -> usize {
                lists
                    .iter()
                    .map(|l| l.iter().filter(|i| **i <= x).count())
                    .sum()
            };
            if let Some(&later) = enough.get(met.len()) {
                assert!(reads(later) > budget, "{lists:?} {need} {budget}");
            }
        }
        assert_eq!(alike_needs(8), 4);
        assert_eq!(alike_needs(5), 3);
        assert_eq!(alike_needs(0), 0);
    }

    /// On a page with more units alike to a lost fragment than are looked at, the fragment
    /// goes to the most alike of the first of the page: the one of all as alike, later, is
    /// not compared. Units sharing too few of its words do not count.
    #[test]
    fn a_lost_fragment_is_compared_with_the_first_units_alike_at_most() {
        let sketch = |words: &[u16]| crate::anchors::fingerprint::Sketch::new(words).unwrap();
        let unit = |at: usize, sketch| Unit {
            at: at as u32,
            kind: Kind::Section,
            fingerprint: Fingerprint { hash: 7, sketch },
        };
        // Half alike: four of the eight smallest words of both.
        let mut units: Vec<Unit> = (0..LOOKED_AT + 100)
            .map(|u| unit(u, sketch(&[1, 2, 3, 4, 100 + u as u16])))
            .collect();
        let all = sketch(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let entry = Entry {
            kind: Kind::Section,
            fingerprint: Fingerprint {
                hash: 9,
                sketch: all,
            },
            intercom: None,
            line: 0,
        };
        let made = |units: Vec<Unit>| Made {
            ids: (0..units.len()).map(|u| format!("s{u}")).collect(),
            units,
            page: Fingerprint::default(),
        };
        // The same words: found, among the first.
        units[LOOKED_AT - 1] = unit(LOOKED_AT - 1, all);
        let page = made(units.clone());
        let found = find("gone", &entry, &page, &mut None, None);
        assert_eq!(found, Found::Similar(LOOKED_AT - 1, 1.0));
        // Past them: the first of those half alike.
        units[LOOKED_AT - 1] = unit(LOOKED_AT - 1, sketch(&[1, 2, 3, 4, 99]));
        units[LOOKED_AT] = unit(LOOKED_AT, all);
        let page = made(units);
        let found = find("gone", &entry, &page, &mut None, None);
        assert_eq!(found, Found::Similar(0, 0.5));
        // Units sharing a word with it, too few to be alike, are not counted among them: the
        // one alike is found past thousands of them.
        let mut units: Vec<Unit> = (0..2 * LOOKED_AT)
            .map(|u| unit(u, sketch(&[1 + (u % 8) as u16, 100])))
            .collect();
        units.push(unit(2 * LOOKED_AT, all));
        let found = find("gone", &entry, &made(units), &mut None, None);
        assert_eq!(found, Found::Similar(2 * LOOKED_AT, 1.0));
    }

    /// An article as the searches read it, made up.
    pub(in crate::anchors) struct Made {
        units: Vec<Unit>,
        ids: Vec<String>,
        page: Fingerprint,
    }

    impl Anchored for Made {
        fn units(&self) -> &[Unit] {
            &self.units
        }
        fn id(&self, u: usize) -> &str {
            &self.ids[u]
        }
        fn page(&self) -> &Fingerprint {
            &self.page
        }
    }

    /// Made-up prints from few names and words, so that many share a name, a word or the
    /// start of an id (with characters of the same first byte).
    pub(in crate::anchors) struct Maker(Box<dyn FnMut() -> usize>);

    impl Maker {
        pub(in crate::anchors) fn new() -> Maker {
            Maker(Box::new(numbers()))
        }
        pub(in crate::anchors) fn below(&mut self, n: usize) -> usize {
            (self.0)() % n
        }
        fn fingerprint(&mut self) -> Fingerprint {
            let mut words: Vec<u16> = (0..self.below(9)).map(|_| self.below(20) as u16).collect();
            words.sort_unstable();
            words.dedup();
            Fingerprint {
                hash: self.below(4) as u32,
                sketch: crate::anchors::fingerprint::Sketch::new(&words).unwrap(),
            }
        }
        fn kind(&mut self) -> Kind {
            [Kind::Section, Kind::Step][self.below(2)]
        }
        pub(in crate::anchors) fn id(&mut self) -> String {
            (0..self.below(5))
                .map(|_| ['a', '-', 'é', 'è'][self.below(4)])
                .collect()
        }
        pub(in crate::anchors) fn article(&mut self) -> Made {
            let n = self.below(12);
            Made {
                units: (0..n)
                    .map(|at| Unit {
                        at: at as u32,
                        kind: self.kind(),
                        fingerprint: self.fingerprint(),
                    })
                    .collect(),
                ids: (0..n).map(|_| self.id()).collect(),
                page: self.fingerprint(),
            }
        }
        pub(in crate::anchors) fn entry(&mut self) -> Entry {
            Entry {
                kind: self.kind(),
                fingerprint: self.fingerprint(),
                intercom: None,
                line: 0,
            }
        }
    }

    /// Where a fragment leads, as found before the indexes: every unit looked at.
    fn find_looking_at_every_unit(
        fragment: &str,
        entry: &Entry,
        a: &Made,
        current: Option<usize>,
    ) -> Found {
        let units = a.units();
        let fp = &entry.fingerprint;
        if let Some(c) = current
            && units[c].kind == entry.kind
            && units[c].fingerprint.hash == fp.hash
        {
            return Found::Same;
        }
        let same_kind = || (units.iter().enumerate()).filter(|(_, u)| u.kind == entry.kind);
        let exact: Vec<usize> = same_kind()
            .filter(|(_, u)| u.fingerprint.hash == fp.hash)
            .map(|(i, _)| i)
            .collect();
        let shared = |i: &usize| {
            (a.id(*i).bytes())
                .zip(fragment.bytes())
                .take_while(|(x, y)| x == y)
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
                let kept =
                    units[c].kind == entry.kind && fp.similarity(&units[c].fingerprint) >= score;
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

    /// The indexes find what looking at every unit finds, ties and all.
    #[test]
    fn a_fragment_leads_where_looking_at_every_unit_leads() {
        let mut make = Maker::new();
        for _ in 0..3_000 {
            let a = make.article();
            let mut index = None;
            for _ in 0..8 {
                let fragment = make.id();
                let entry = make.entry();
                // As `follow` finds it: the first unit with the fragment for its id.
                let current = (0..a.units.len()).find(|&u| a.ids[u] == fragment);
                assert_eq!(
                    find(&fragment, &entry, &a, &mut index, current),
                    find_looking_at_every_unit(&fragment, &entry, &a, current),
                    "{:?} {fragment:?} {entry:?} {current:?}",
                    a.ids
                );
            }
        }
    }

    /// The indexes find the article that looking at every article finds, ties and all.
    /// The unit whose id shares the longest start with the fragment, the first of the page
    /// among equals: what comparing the fragment with every id gives.
    #[test]
    fn the_id_sharing_the_longest_start_is_found_beside_the_fragment() {
        let mut next = numbers();
        let word = |next: &mut dyn FnMut() -> usize| -> String {
            (0..next() % 6)
                .map(|_| ['a', 'b', '-', 'é', 'è'][next() % 5])
                .collect()
        };
        for _ in 0..2_000 {
            let ids: Vec<String> = (0..1 + next() % 12).map(|_| word(&mut next)).collect();
            let mut by_id: Vec<(&str, usize)> = ids
                .iter()
                .enumerate()
                .map(|(u, id)| (id.as_str(), u))
                .collect();
            by_id.sort_unstable();
            let first = RangeMin::new(by_id.iter().map(|(_, u)| *u).collect());
            let group = Group { by_id, first };
            let fragment = word(&mut next);
            let shared = |id: &str| {
                (id.bytes())
                    .zip(fragment.bytes())
                    .take_while(|(a, b)| a == b)
                    .count()
            };
            let mut best: Option<usize> = None;
            for (u, id) in ids.iter().enumerate() {
                if best.is_none_or(|b| shared(id) > shared(&ids[b])) {
                    best = Some(u);
                }
            }
            assert_eq!(group.sharing_most(&fragment), best, "{ids:?} {fragment:?}");
        }
    }
}
