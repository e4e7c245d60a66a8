//! The plan's memory of each article between runs, so that a run in which one article changed
//! fingerprints one article.
//!
//! For every article the memo keeps its fingerprints ([`units_of`]), its pins
//! ([`pins::read`]) and what following the recorded anchors of its own address decided: the
//! map from old fragments, the reports, the retired anchors and the anchors published for
//! the first time ([`Own`]). What they are made from is the article's rendered body, its
//! frontmatter, its text (where a pin's problem points), its title and its URL: the memo is
//! kept while the page holds the very same body, frontmatter and text (the engine hands on
//! the same shared values while a file and what its body read are unchanged) and the title
//! and URL are equal. [`Own`] is kept besides while the record is the same one.
//!
//! A fresh engine starts with an empty memo: `build --force`, `check` and the first run of
//! `serve` compute everything through the same code. The build cache keeps each article's
//! prints without the values they were made from ([`Saved`]); the engine gives them back
//! ([`Memo::restore`]) only for a file whose text, frontmatter and body it knows to be the
//! ones they were made from, and they are then checked like any others. What following
//! decided is kept with them, named by the record it was decided against (the hash of the
//! record's file and text, [`record_digest`]): a cached build whose record reads as the last
//! one does follows only the articles that changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::fingerprint::{Fingerprint, Scratch};
use super::pins::{self, Pin};
use super::record::{Entry, Key, Kind, Record};
use super::vanished::Went;
use crate::diagnostics::Diagnostic;
use crate::frontmatter::Frontmatter;
use crate::lazy::Lazy;
use crate::markdown::{Rendered, outline};
use crate::paths::{SourcePath, UrlPath};
use crate::site::Article;

/// The addresses of a record, each once, in order.
pub(super) type Addresses = Arc<[Arc<str>]>;

/// What the plan keeps between runs. Empty: a fresh start.
#[derive(Clone, Default)]
pub struct Memo {
    /// The record the kept [`Own`]s were decided against, and its addresses, each once, in
    /// order.
    pub(super) record: Option<(Arc<Record>, Addresses)>,
    /// The [`record_digest`] of that record: an [`Own`] is kept while it was decided against
    /// a record of this digest.
    pub(super) against: u64,
    pub(super) articles: FxHashMap<SourcePath, Kept>,
    /// Where each vanished address went, as the last plan decided ([`super::vanished`]).
    pub(super) went: Option<Arc<Went>>,
    /// How many articles the last plan fingerprinted, and how many it followed anew.
    pub(super) fingerprinted: usize,
    pub(super) followed: usize,
    /// How many vanished addresses the last plan decided anew.
    pub(super) decided: usize,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("articles", &self.articles.len())
            .field("against", &self.against)
            .finish()
    }
}

impl Memo {
    /// The addresses of `record`, read from `text` in `path`, each once, in order: made once
    /// per record.
    pub(super) fn addresses(
        &mut self,
        record: &Arc<Record>,
        path: &Path,
        text: Option<&str>,
    ) -> Addresses {
        // A missing record is read as a new empty one every run: it is the same.
        if let Some((r, a)) = &self.record
            && (Arc::ptr_eq(r, record) || r.entries.is_empty() && record.entries.is_empty())
        {
            return a.clone();
        }
        let addresses: Addresses = record.entries.addresses().into();
        self.against = record_digest(path, text);
        self.record = Some((record.clone(), addresses.clone()));
        addresses
    }

    /// Every article's prints, in order, each with what its own address decided when that
    /// may still hold: kept where the article is the same, made anew (in parallel) where
    /// not; and which were made anew.
    pub(super) fn prints(&mut self, articles: &[Arc<Article>]) -> (Vec<Kept>, Vec<bool>) {
        use rayon::prelude::*;
        let kept: Vec<Option<Kept>> = articles
            .iter()
            .map(|a| {
                let k = self.articles.get(&a.page.source)?;
                k.prints.is_of(a).then(|| k.clone())
            })
            .collect();
        let fresh: Vec<bool> = kept.iter().map(Option::is_none).collect();
        self.fingerprinted = fresh.iter().filter(|f| **f).count();
        let new = |(k, a): (Option<Kept>, &Arc<Article>)| {
            k.unwrap_or_else(|| Kept {
                prints: Arc::new(Prints::of(a)),
                own: None,
                renewed: false,
            })
        };
        // Threads pay only for many articles.
        let kept = if self.fingerprinted < 64 {
            kept.into_iter().zip(articles).map(new).collect()
        } else {
            kept.into_par_iter()
                .zip(articles.par_iter())
                .map(new)
                .collect()
        };
        (kept, fresh)
    }

    /// Keeps what this run decided of each article for the next run, and forgets the
    /// articles that are gone.
    pub(super) fn keep(&mut self, articles: &[Arc<Article>], kept: Vec<Kept>) {
        for (a, k) in articles.iter().zip(kept) {
            match self.articles.get_mut(&a.page.source) {
                Some(old) => *old = k,
                None => {
                    self.articles.insert(a.page.source.clone(), k);
                }
            }
        }
        if self.articles.len() > articles.len() {
            let now: rustc_hash::FxHashSet<&SourcePath> =
                articles.iter().map(|a| &a.page.source).collect();
            self.articles.retain(|s, _| now.contains(s));
        }
    }

    /// Copies the encodings of the prints' values still in a cache file's part out of it
    /// ([`crate::lazy::Lazy::detach`]).
    pub fn detach(&self) {
        use rayon::prelude::*;
        self.articles.par_iter().for_each(|(_, k)| {
            k.prints.units.detach();
            if let Some(ids) = &k.prints.ids {
                ids.detach();
            }
        });
    }

    /// Where each vanished address went, as the last plan decided: what the build cache
    /// keeps of it.
    pub fn went(&self) -> Option<&Went> {
        self.went.as_deref()
    }

    /// Takes back decisions of vanished addresses that the build cache kept ([`Memo::went`]).
    /// They are then kept only where they still hold, as those of the last run are.
    pub fn restore_went(&mut self, went: Went) {
        self.went = Some(Arc::new(went));
    }

    /// How many articles the last plan fingerprinted.
    pub fn fingerprinted(&self) -> usize {
        self.fingerprinted
    }

    /// How many vanished addresses the last plan decided anew: every one, or those whose
    /// decision could not be kept.
    pub fn decided(&self) -> usize {
        self.decided
    }

    /// How many articles the last plan followed anew: every one, or those whose decision
    /// was not kept (a changed article, or another record).
    pub fn followed(&self) -> usize {
        self.followed
    }

    /// Whether the prints kept of the article from `source` were made from these very body,
    /// frontmatter and text (those its file's memo holds), so that the cache may keep them.
    pub fn made_from(
        &self,
        source: &SourcePath,
        md: &Arc<Rendered>,
        fm: &Arc<Frontmatter>,
        text: &Arc<str>,
    ) -> bool {
        self.articles.get(source).is_some_and(|k| {
            let p = &k.prints;
            Arc::ptr_eq(&p.md, md) && Arc::ptr_eq(&p.fm, fm) && Arc::ptr_eq(&p.text, text)
        })
    }

    /// Whether the last plan decided anew what following the article's own address gives:
    /// the cache's copy of its prints is then out of date, though they are the same.
    pub fn renewed(&self, source: &SourcePath) -> bool {
        self.articles.get(source).is_some_and(|k| k.renewed)
    }

    /// What the cache keeps of the prints of the article from `source`.
    pub fn saved(&self, source: &SourcePath) -> Option<Saved> {
        let k = self.articles.get(source)?;
        let p = &k.prints;
        Some(Saved {
            title: p.title.clone(),
            url: p.url.clone(),
            abs: p.abs.clone(),
            units: p.units.clone(),
            ids: match &p.ids {
                Some(ids) => ids.clone(),
                None => Lazy::new((0..p.units().len()).map(|u| p.id(u).to_string()).collect()),
            },
            pins: p.pins.clone(),
            problems: p.problems.clone(),
            own: k.own.clone(),
        })
    }

    /// Prints read back from the cache for the article from `source`, which were made from
    /// a body, frontmatter and text equal to `md`, `fm` and `text`: the caller knows them to
    /// be (the file's text hashes the same and its memo was kept). They are then kept while
    /// the article is the same, as those made in this run are.
    pub fn restore(
        &mut self,
        source: SourcePath,
        saved: Saved,
        md: Arc<Rendered>,
        fm: Arc<Frontmatter>,
        text: Arc<str>,
    ) {
        let prints = Prints {
            md,
            fm,
            text,
            abs: saved.abs,
            title: saved.title,
            url: saved.url,
            units: saved.units,
            ids: Some(saved.ids),
            pins: saved.pins,
            problems: saved.problems,
        };
        self.articles.entry(source).or_insert(Kept {
            prints: Arc::new(prints),
            own: saved.own,
            renewed: false,
        });
    }
}

/// The hash that names a record as a run reads it: its file and its text (`None`: no file).
/// What following decided for an article is a function of it and the article's prints.
pub(super) fn record_digest(path: &Path, text: Option<&str>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(path.as_os_str().as_encoded_bytes());
    h.update(&[0xff, u8::from(text.is_some())]);
    h.update(text.unwrap_or_default().as_bytes());
    h.digest()
}

/// The prints of one article as the build cache keeps them: without the body, frontmatter and
/// text they were made from.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    title: String,
    url: UrlPath,
    abs: PathBuf,
    /// Read only when the article is followed again: not when its decision is kept.
    units: Lazy<Units>,
    /// The units' ids, so that a plan of kept articles does not read their outlines.
    ids: Lazy<Vec<String>>,
    pins: BTreeMap<String, Pin>,
    problems: Vec<Diagnostic>,
    /// What following its own address decided, as [`Kept::own`] holds it.
    own: Option<(u64, bool, Arc<Own>)>,
}

/// What the memo keeps of one article.
#[derive(Clone)]
pub(super) struct Kept {
    pub prints: Arc<Prints>,
    /// What following its own address decided, against the record of a [`record_digest`],
    /// and whether the article held its address alone then.
    pub own: Option<(u64, bool, Arc<Own>)>,
    /// Whether the last plan decided `own` anew (against another record, say) rather than
    /// keeping it: what the cache holds of the article is then not what it would save.
    pub renewed: bool,
}

impl Kept {
    /// What following was decided against the record of digest `against`, when it still
    /// holds.
    pub fn own_in(&self, against: u64, alone: bool) -> Option<Arc<Own>> {
        match &self.own {
            Some((g, a, own)) if *g == against && *a == alone => Some(own.clone()),
            _ => None,
        }
    }
}

/// An article's own fingerprint, and its units with an id.
#[derive(Default, Serialize, Deserialize)]
pub(super) struct Units {
    pub page: Fingerprint,
    pub units: Vec<Unit>,
}

/// One anchored unit of an article as it is now.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct Unit {
    /// Its place in the article's outline, where its id is.
    pub at: u32,
    pub kind: Kind,
    pub fingerprint: Fingerprint,
}

/// What the plan knows of one article.
pub(super) struct Prints {
    md: Arc<Rendered>,
    fm: Arc<Frontmatter>,
    text: Arc<str>,
    abs: PathBuf,
    title: String,
    url: UrlPath,
    /// The page's own fingerprint, and its units with an id: decoded only when read.
    units: Lazy<Units>,
    /// The units' ids when the prints were read back from the cache (their outline is then
    /// not read); `None`: they are in the outline, at each unit's place.
    ids: Option<Lazy<Vec<String>>>,
    pub pins: BTreeMap<String, Pin>,
    /// Problems of the pins.
    pub problems: Vec<Diagnostic>,
}

/// What following the recorded anchors of an article's own address decided.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Own {
    /// Old fragment to id: the mappings found, then the pins of fragments not mapped.
    pub map: BTreeMap<String, String>,
    pub reports: Vec<Diagnostic>,
    pub retired: Vec<Key>,
    /// The article's anchors published for the first time.
    pub added: Vec<(Key, Entry)>,
}

impl Prints {
    fn of(a: &Article) -> Prints {
        let (page, units) = units_of(a);
        let (pins, problems) = pins::read(&a.page);
        Prints {
            md: a.page.md.clone(),
            fm: a.page.fm.clone(),
            text: a.page.text.clone(),
            abs: a.page.abs.clone(),
            title: a.title.clone(),
            url: a.page.url.clone(),
            units: Lazy::new(Units { page, units }),
            ids: None,
            pins,
            problems,
        }
    }

    /// Whether these are the prints of `a` as it is now.
    fn is_of(&self, a: &Article) -> bool {
        let p = &a.page;
        Arc::ptr_eq(&self.md, &p.md)
            && Arc::ptr_eq(&self.fm, &p.fm)
            && Arc::ptr_eq(&self.text, &p.text)
            && self.title == a.title
            && self.url == p.url
            && self.abs.as_os_str() == p.abs.as_os_str()
    }

    /// The page's own fingerprint.
    pub fn page(&self) -> &Fingerprint {
        &self.units.page
    }

    /// The units with an id.
    pub fn units(&self) -> &[Unit] {
        &self.units.units
    }

    /// The id of unit `u`.
    pub fn id(&self, u: usize) -> &str {
        match &self.ids {
            Some(ids) => &ids[u],
            None => &self.md.outline.units[self.units()[u].at as usize].id,
        }
    }
}

/// The anchored units of an article, and its own fingerprint. A section's or an option's
/// sketch holds its own words and those of every unit inside it (its steps), so a renamed
/// heading is still known by its procedure; the page's holds every word. The smallest hashes
/// of a union are among the smallest of its parts, so the sketches merge without the text.
fn units_of(a: &Article) -> (Fingerprint, Vec<Unit>) {
    let outline = &a.page.md.outline;
    let mut scratch = Scratch::default();
    let mut units: Vec<Unit> = outline
        .units
        .iter()
        .enumerate()
        .map(|(at, u)| {
            let (kind, fingerprint) = match u.kind {
                outline::Kind::Section => (
                    Kind::Section,
                    Fingerprint::of_in(&mut scratch, &u.label, &u.text),
                ),
                outline::Kind::Option => (
                    Kind::Option,
                    Fingerprint::of_in(&mut scratch, &u.label, &u.text),
                ),
                outline::Kind::Step => (Kind::Step, Fingerprint::of_in(&mut scratch, &u.text, "")),
            };
            Unit {
                at: at as u32,
                kind,
                fingerprint,
            }
        })
        .collect();
    let mut page = Fingerprint::of_in(&mut scratch, &a.title, &outline.intro);
    // Units come before the units inside them: children are merged into parents from the end.
    for (i, u) in outline.units.iter().enumerate().rev() {
        let own = units[i].fingerprint.sketch;
        page.absorb(&own);
        if let Some(p) = u.parent {
            units[p].fingerprint.absorb(&own);
        }
    }
    units.retain(|u| !outline.units[u.at as usize].id.is_empty());
    units.shrink_to_fit();
    (page, units)
}
