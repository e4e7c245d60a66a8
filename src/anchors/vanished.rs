//! Where each vanished address went, kept between runs.
//!
//! A recorded address that no page holds any more (a deleted or moved article) is looked at
//! in every run: the article it became is the one with its `intercom_id`, else the one
//! holding most of its anchors, else the one most like its page ([`super::became`]).
//! A site that deleted a thousand articles would decide a thousand addresses at every build
//! and every save of `serve`, each against every article that shares words with it.
//!
//! What was decided is a function of the record's entries at the address and of the articles
//! that are candidates for it, in their order: an article with its `intercom_id`, one holding
//! at least half its recorded anchors, and, when neither decided, one whose page shares
//! enough words with its recorded page to be as alike as the one chosen (or as the threshold,
//! when none was). So a decision stands while the record is the same one, while the articles
//! whose prints were kept are in the same order, while the article chosen is among them, and
//! while no article fingerprinted anew (changed or new) is a candidate. An article that
//! changed or went away and was a candidate but not the one chosen does not change the
//! choice: it only leaves the field.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::Fingerprint;
use super::became::{Decided, page_entry};
use super::memo::{Kept, Own};
use super::record::{Entry, Key, Kind};
use crate::site::Article;

/// Past this many articles fingerprinted anew, every vanished address is decided again
/// rather than each checked against each of them.
const CHANGED_AT_MOST: usize = 256;

/// What the last plan decided of the vanished addresses, as the next one may keep it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Went {
    /// The [`super::memo::record_digest`] of the record they were decided against.
    against: u64,
    /// The hash of each article's source, in order.
    order: Vec<u64>,
    /// What each vanished address became.
    to: FxHashMap<String, Became>,
}

/// What one vanished address became: the hash of the source of the article and why, if any;
/// and [`Decided::bar`].
#[derive(Debug, Serialize, Deserialize)]
struct Became {
    to: Option<(u64, String)>,
    bar: Option<f64>,
    /// What following its recorded fragments into that article gave, while this run keeps
    /// it (not in the build cache, which follows them again).
    #[serde(skip)]
    followed: Option<Arc<Own>>,
}

/// The hash naming each article in a [`Went`], in order.
pub(super) fn names(articles: &[Arc<Article>]) -> Vec<u64> {
    (articles.iter())
        .map(|a| xxhash_rust::xxh3::xxh3_64(a.page.source.as_str().as_bytes()))
        .collect()
}

/// What a plan may keep of the last one's decisions.
pub(super) struct Keeping<'a> {
    went: &'a Went,
    /// The place of each article whose prints were kept, by its name ([`names`]).
    kept: FxHashMap<u64, usize>,
    /// What makes an article fingerprinted anew a candidate: its units' kinds and name
    /// hashes (each with the place, among the articles fingerprinted anew, of every one that
    /// holds such a unit, once), its `intercom_id` and its page's fingerprint.
    units: FxHashMap<(Kind, u32), Vec<usize>>,
    intercoms: FxHashSet<u64>,
    pages: Vec<&'a Fingerprint>,
}

impl<'a> Keeping<'a> {
    /// What can be kept of `went` for `articles`, named `names`, whose prints are `kept`
    /// (`fresh`: made anew in this run), against the record of digest `against`. `None`:
    /// nothing.
    pub fn new(
        went: Option<&'a Went>,
        against: u64,
        articles: &[Arc<Article>],
        names: &[u64],
        kept: &'a [Kept],
        fresh: &[bool],
    ) -> Option<Keeping<'a>> {
        let went = went.filter(|w| w.against == against)?;
        let changed = fresh.iter().filter(|f| **f).count();
        if changed > CHANGED_AT_MOST {
            return None;
        }
        let kept_at: FxHashMap<u64, usize> = (names.iter().enumerate())
            .filter(|(i, _)| !fresh[*i])
            .map(|(i, n)| (*n, i))
            .collect();
        // The articles kept must be in the order they were in: of candidates alike, the
        // first is chosen.
        let before = went.order.iter().filter(|n| kept_at.contains_key(n));
        let now = (names.iter().enumerate())
            .filter(|(i, _)| !fresh[*i])
            .map(|(_, n)| n);
        if !before.eq(now) {
            return None;
        }
        let mut keeping = Keeping {
            went,
            kept: kept_at,
            units: FxHashMap::default(),
            intercoms: FxHashSet::default(),
            pages: Vec::with_capacity(changed),
        };
        for (i, k) in kept.iter().enumerate().filter(|(i, _)| fresh[*i]) {
            let prints = &k.prints;
            let n = keeping.pages.len();
            for u in prints.units() {
                let holders = (keeping.units)
                    .entry((u.kind, u.fingerprint.hash))
                    .or_default();
                if holders.last() != Some(&n) {
                    holders.push(n);
                }
            }
            keeping.intercoms.extend(articles[i].page.fm.intercom_id);
            keeping.pages.push(prints.page());
        }
        Some(keeping)
    }

    /// What the last plan decided of `address`, with `entries`, when it stands, with the
    /// place of the article it became now. `None`: decide it again.
    pub fn kept(&self, address: &str, entries: &[(Key, Entry)]) -> Option<Decided> {
        let Became { to, bar, .. } = self.went.to.get(address)?;
        let to = match to {
            Some((name, why)) => Some((*self.kept.get(name)?, why.clone())),
            None => None,
        };
        let page = page_entry(entries);
        let by_intercom = page
            .and_then(|p| p.intercom)
            .is_some_and(|id| self.intercoms.contains(&id));
        let by_anchor = self.holds_enough(entries);
        // Only when no article held half its anchors: an article whose page is as alike as
        // the one chosen (or as the threshold, when none was) may then be the one.
        let by_page = bar.is_some_and(|bar| page.is_some_and(|p| self.alike(&p.fingerprint, bar)));
        (!by_intercom && !by_anchor && !by_page).then_some(Decided { to, bar: *bar })
    }

    /// Whether the page of an article fingerprinted anew is at least `bar` alike to a
    /// recorded page of fingerprint `page`. `bar` is at least [`super::THRESHOLD`], so such a
    /// page shares enough words to be a candidate ([`super::follow::alike_needs`]).
    fn alike(&self, page: &Fingerprint, bar: f64) -> bool {
        (self.pages.iter()).any(|f| page.similarity(f) >= bar)
    }

    /// Whether an article fingerprinted anew holds at least half the recorded anchors of an
    /// address with `entries`, as the article it became must, when found by its anchors.
    fn holds_enough(&self, entries: &[(Key, Entry)]) -> bool {
        let anchors = || entries.iter().filter(|(k, _)| !k.1.is_empty());
        let need = anchors().count().div_ceil(2);
        if need == 0 || self.units.is_empty() {
            return false;
        }
        let mut held = vec![0; self.pages.len()];
        for (_, e) in anchors() {
            for &n in self
                .units
                .get(&(e.kind, e.fingerprint.hash))
                .into_iter()
                .flatten()
            {
                held[n] += 1;
                if held[n] >= need {
                    return true;
                }
            }
        }
        false
    }

    /// What following the recorded fragments of `address` into article `i` gave in the last
    /// run, when it holds: the address became the same article then, and its prints were
    /// kept (the record is the same one, or nothing is kept at all).
    pub fn followed(&self, address: &str, i: usize) -> Option<Arc<Own>> {
        let became = self.went.to.get(address)?;
        let (name, _) = became.to.as_ref()?;
        (self.kept.get(name) == Some(&i))
            .then(|| became.followed.clone())
            .flatten()
    }
}

/// What this plan decided, as the next one may keep it: `decided` holds, for each vanished
/// address, the place of the article it became and why, and what following its fragments
/// into that article gave; `order`, the articles' [`names`] (none without a vanished address:
/// there is nothing to keep).
pub(super) fn went<'d>(
    against: u64,
    order: Vec<u64>,
    decided: impl Iterator<Item = (&'d str, &'d Decided, Option<&'d Arc<Own>>)>,
) -> Went {
    let to = decided
        .map(|(address, d, followed)| {
            let to = d.to.as_ref().map(|(i, why)| (order[*i], why.clone()));
            let became = Became {
                to,
                bar: d.bar,
                followed: followed.cloned(),
            };
            (address.to_string(), became)
        })
        .collect();
    Went { against, order, to }
}
