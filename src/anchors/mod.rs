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
//!
//! The work follows what changed: the plan keeps, in a [`Memo`] the engine hands back on its
//! next run, each article's fingerprints and what its own address decided, and works out
//! again only the articles that changed (all of them for a new record). The new record is
//! made only when asked for, and whether it differs from the file is found without making
//! its text.

mod became;
pub mod fingerprint;
mod follow;
pub mod lint;
mod memo;
pub mod pins;
pub mod record;
mod vanished;

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::diagnostics::{Diagnostic, Locator};
use crate::paths::UrlPath;
use crate::site::{Redirect, tree::Tree};
pub use fingerprint::Fingerprint;
use follow::Planner;
pub use memo::Memo;
use memo::Own;
pub use memo::Saved as SavedPrints;
pub use record::Recorded;
use record::{Entry, Key, Record};
pub use vanished::Went;

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
    /// The articles whose own address reports, in the record's order.
    reporting: Vec<usize>,
    /// What each address no article holds reports, in order, with what following its
    /// fragments into the article it became gave.
    later: Vec<(Diagnostic, Option<Arc<Own>>)>,
    /// The record as read, and what this build adds to it and retires from it.
    read_record: Arc<Record>,
    /// What each article's own address decided, with the anchors it adds and retires.
    owns: Vec<Arc<Own>>,
    /// The anchors retired at other addresses.
    retired: Vec<Key>,
    /// The record this build leaves, made once when asked for (the one read, shared, when
    /// nothing changed).
    record: OnceLock<Arc<Record>>,
    /// Where it is, and its text as read.
    pub path: PathBuf,
    pub read: Option<Arc<str>>,
    /// The record's text, made once when asked for.
    text: OnceLock<String>,
    /// What the next plan may keep of this one: taken by the engine.
    pub memo: Memo,
}

impl Plan {
    /// What `check` reports, in the record's order: each mapping guessed, each moved or
    /// deleted page. Made when asked for: only `check` asks.
    pub fn reports(&self) -> Vec<Diagnostic> {
        let own = (self.reporting.iter()).flat_map(|&i| self.owns[i].reports.iter().cloned());
        let later = self.later.iter().flat_map(|(head, followed)| {
            let followed = followed.iter().flat_map(|f| f.reports.iter().cloned());
            std::iter::once(head.clone()).chain(followed)
        });
        own.chain(later).collect()
    }

    /// The record this build leaves.
    pub fn record(&self) -> &Arc<Record> {
        self.record.get_or_init(|| {
            if self.keeps_read() {
                return self.read_record.clone();
            }
            // Made from the same merge as the text, so the two cannot disagree.
            let entries = self.leaves().map(|(k, e)| (k.clone(), e.clone()));
            Arc::new(Record {
                entries: entries.collect(),
            })
        })
    }

    /// The record's text as this build leaves it, written from [`Plan::leaves`]: the
    /// record itself is not made.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let added: usize = self.owns.iter().map(|o| o.added.len()).sum();
            record::render(self.read_record.entries.len() + added, self.leaves())
        })
    }

    /// Whether the record this build leaves is the one read, nothing added or retired.
    pub fn keeps_read(&self) -> bool {
        let retired = self.owns.iter().any(|o| !o.retired.is_empty()) || !self.retired.is_empty();
        !retired && self.owns.iter().all(|o| o.added.is_empty())
    }

    /// Whether the build would change the file. The text is compared as it is made, never
    /// held whole.
    pub fn changed(&self) -> bool {
        match (&self.read, self.text.get()) {
            (None, _) => true,
            (Some(read), Some(text)) => **read != **text,
            (Some(read), None) => !record::renders_as(self.leaves(), read),
        }
    }

    /// The entries of the record this build leaves, in order, without making it: those read
    /// less the retired ones, merged with those added. Of a key read and added, or added
    /// twice, the first is kept (a repeated id keeps its first unit).
    fn leaves(&self) -> impl Iterator<Item = (&Key, &Entry)> {
        let retired: FxHashSet<&Key> = (self.owns.iter())
            .flat_map(|o| &o.retired)
            .chain(&self.retired)
            .collect();
        let mut added: Vec<(&Key, &Entry)> = (self.owns.iter())
            .flat_map(|o| o.added.iter().map(|(k, e)| (k, e)))
            .collect();
        // A stable sort: of equal keys, the first added stays first, and is the one kept.
        added.sort_by(|a, b| record::key_order(a.0, b.0));
        added.dedup_by(|later, first| later.0 == first.0);
        let read = (self.read_record.entries.iter())
            .filter(move |(k, _)| retired.is_empty() || !retired.contains(k));
        record::Merged::new(read, added.into_iter())
    }

    /// The error of `--locked` when the build would change the record, naming how.
    pub fn unlocked(&self) -> Option<Diagnostic> {
        if !self.changed() {
            return None;
        }
        let new = self.text();
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

/// Everything [`plan`] reads.
pub struct Input<'a> {
    pub tree: &'a Tree,
    pub redirects: &'a [Redirect],
    pub recorded: Recorded,
    /// What the last plan kept ([`Memo::default`] for nothing): only what changed since is
    /// worked out again.
    pub memo: Memo,
}

/// Decides the maps, the moved pages' redirects, the reports and the new record. The
/// problems returned beside it (frontmatter `anchors` that cannot be followed) are errors of
/// every run.
pub fn plan(input: Input) -> (Plan, Vec<Diagnostic>) {
    let Input {
        tree,
        redirects,
        recorded,
        mut memo,
    } = input;
    let Recorded {
        path,
        text: read,
        record,
        problems: _,
    } = recorded;
    let articles = &tree.articles;
    let addresses = memo.addresses(&record, &path, read.as_deref());
    let against = memo.against;
    let (mut kept, fresh) = memo.prints(articles);
    let problems: Vec<Diagnostic> = kept
        .iter()
        .flat_map(|k| k.prints.problems.iter().cloned())
        .collect();
    let by_url: FxHashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.page.url.as_str(), i))
        .collect();
    // The other addresses held, for the recorded ones (none without a record).
    let taken: FxHashSet<&str> = match addresses.is_empty() {
        true => FxHashSet::default(),
        false => (tree.home.iter())
            .chain(tree.collections.iter().filter_map(|c| c.index.as_ref()))
            .map(|p| p.url.as_str())
            .chain(redirects.iter().map(|r| r.from.as_str()))
            .collect(),
    };
    // Whether each article holds its address alone: then it follows the anchors recorded there.
    let alone: Vec<bool> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| by_url.get(a.page.url.as_str()) == Some(&i))
        .collect();

    let ctx = Planner {
        articles,
        kept: &kept,
        path: &path,
        read: read.as_deref().map(|text| Locator::new(&path, text)),
        holders: Default::default(),
    };
    // Each article's own address: decided again only for an article that changed, each
    // apart from the others.
    let owns: Vec<(Arc<Own>, bool)> = (0..articles.len())
        .into_par_iter()
        .map(|i| match kept[i].own_in(against, alone[i]) {
            Some(own) => (own, false),
            None => (Arc::new(ctx.own(i, alone[i], &record)), true),
        })
        .collect();
    let (owns, again): (Vec<Arc<Own>>, Vec<bool>) = owns.into_iter().unzip();
    let followed = again.iter().filter(|again| **again).count();
    // Recorded addresses that no page holds: where each went, if anywhere.
    let mut later = Vec::new();
    let mut retired = Vec::new();
    let mut later_maps: FxHashMap<usize, BTreeMap<String, String>> = FxHashMap::default();
    let mut moved = Vec::new();
    let vanished: Vec<&str> = (addresses.iter().map(|a| &**a))
        .filter(|a| !by_url.contains_key(a) && !taken.contains(a))
        .collect();
    // Each one's recorded entries, looked up once.
    let entries: Vec<&[(Key, Entry)]> = (vanished.par_iter())
        .map(|address| record.entries.at_address(address))
        .collect();
    // Where each went is decided apart from the others, or kept from the last plan.
    let last = memo.went.take();
    // A site without one has no decision to keep, and its articles need no names.
    let names = if vanished.is_empty() {
        Vec::new()
    } else {
        vanished::names(articles)
    };
    let keeping = (!vanished.is_empty())
        .then(|| vanished::Keeping::new(last.as_deref(), against, articles, &names, &kept, &fresh))
        .flatten();
    let (decided, anew): (Vec<became::Decided>, Vec<bool>) = (vanished.par_iter().zip(&entries))
        .map(
            |(address, entries)| match keeping.as_ref().and_then(|k| k.kept(address, entries)) {
                Some(kept) => (kept, false),
                None => (ctx.moved_to(address, entries), true),
            },
        )
        .unzip();
    memo.decided = anew.iter().filter(|anew| **anew).count();
    // Each moved address's fragments followed into the article it became, apart from the
    // others, or as the last plan followed them.
    let moves: Vec<Option<(usize, &str, Arc<Own>)>> = (vanished.par_iter().zip(&entries))
        .zip(&decided)
        .map(|((address, entries), decided)| {
            let (i, why) = decided.to.as_ref()?;
            let kept = keeping.as_ref().and_then(|k| k.followed(address, *i));
            let followed = kept.unwrap_or_else(|| {
                let (mut own, mut map) = (Own::default(), BTreeMap::new());
                ctx.follow(*i, entries, &mut map, &mut own);
                own.map = map;
                Arc::new(own)
            });
            Some((*i, why.as_str(), followed))
        })
        .collect();
    // What `keeping` borrows from the last plan's memory is freed here, before the memory
    // this plan leaves is made.
    drop(keeping);
    drop(last);
    let leaving = (vanished.iter().copied()).zip(&decided).zip(&moves);
    memo.went = Some(Arc::new(vanished::went(
        against,
        names,
        leaving.map(|((a, d), m)| (a, d, m.as_ref().map(|(_, _, f)| f))),
    )));
    for ((address, entries), moved_to) in vanished.into_iter().zip(entries).zip(&moves) {
        match moved_to {
            Some((i, why, followed)) => {
                let head = ctx.moved_report(address, entries, *i, why);
                moved.push((UrlPath::new(address), *i));
                // Of two addresses that became one article, the first maps a fragment both
                // hold.
                let map = later_maps.entry(*i).or_default();
                for (old, to) in &followed.map {
                    map.entry(old.clone()).or_insert_with(|| to.clone());
                }
                retired.extend(followed.retired.iter().cloned());
                later.push((head, Some(followed.clone())));
            }
            None => later.push((ctx.at_line(report::page_gone(address), &entries[0].1), None)),
        }
    }

    // The articles whose own address reports, in the record's order.
    let mut reporting: Vec<usize> = (0..articles.len())
        .filter(|&i| !owns[i].reports.is_empty())
        .collect();
    reporting.sort_by(|&a, &b| {
        articles[a]
            .page
            .url
            .as_str()
            .cmp(articles[b].page.url.as_str())
    });
    let mut followed_maps: HashMap<UrlPath, BTreeMap<String, String>> = HashMap::new();
    for (i, own) in owns.iter().enumerate() {
        let more = later_maps.remove(&i);
        if own.map.is_empty() && more.is_none() {
            continue;
        }
        let mut map = own.map.clone();
        for (old, to) in more.into_iter().flatten() {
            map.entry(old).or_insert(to);
        }
        followed_maps.insert(articles[i].page.url.clone(), map);
    }
    let maps = followed_maps
        .iter()
        .map(|(url, m)| (url.clone(), map_json(m)))
        .collect();
    for (((k, own), alone), again) in kept.iter_mut().zip(&owns).zip(alone).zip(again) {
        k.own = Some((against, alone, own.clone()));
        k.renewed = again;
    }
    memo.keep(articles, kept);
    memo.followed = followed;
    let plan = Plan {
        maps,
        followed: followed_maps,
        moved,
        reporting,
        later,
        read_record: record,
        owns,
        retired,
        record: Default::default(),
        path,
        read,
        text: Default::default(),
        memo,
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

mod report;

#[cfg(test)]
mod tests;
