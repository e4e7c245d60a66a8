//! Which article a recorded address that no page holds any more (a deleted or moved article)
//! became ([`Planner::moved_to`]): the one with its recorded `intercom_id`, else the one
//! holding at least half its recorded anchors, else the one whose page is most like its
//! recorded page. What it decided may be kept for the next run ([`super::vanished`]).

use rustc_hash::FxHashMap;

use super::follow::{Anchored, Planner, alike_needs};
use super::record::{Entry, Key, Kind};
use super::{THRESHOLD, report};
use crate::diagnostics::Diagnostic;

/// Which articles hold each unit fingerprint, and which articles' own sketches hold each word
/// hash: what finds the article a vanished address became by looking at the articles that
/// share something with it, rather than at every article for each address (a site that lost
/// a thousand articles looks at every vanished address at every build).
#[derive(Default)]
pub(super) struct Holders {
    /// The articles (ascending, each once) holding a unit of this kind and name hash.
    units: FxHashMap<(Kind, u32), Vec<usize>>,
    /// The articles (ascending) whose own sketch holds this word hash.
    pages: FxHashMap<u16, Vec<usize>>,
}

impl Holders {
    pub(super) fn new<'a, A: Anchored + 'a>(articles: impl Iterator<Item = &'a A>) -> Holders {
        let mut holders = Holders::default();
        for (i, a) in articles.enumerate() {
            for u in a.units() {
                let list = holders
                    .units
                    .entry((u.kind, u.fingerprint.hash))
                    .or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            for &h in a.page().sketch.iter() {
                holders.pages.entry(h).or_default().push(i);
            }
        }
        holders
    }
}

impl Planner<'_> {
    /// The article a vanished address became, and why, if any.
    pub fn moved_to(&self, address: &str, entries: &[(Key, Entry)]) -> Decided {
        // A hand-edited line must not send a redirect out of the output folder.
        let portable = address.ends_with(".html")
            && address
                .split('/')
                .all(|p| crate::paths::name_problem(p).is_none());
        if !portable {
            return Decided {
                to: None,
                bar: None,
            };
        }
        let by_id = page_entry(entries).and_then(|p| p.intercom).and_then(|id| {
            self.articles
                .iter()
                .position(|a| a.page.fm.intercom_id == Some(id))
        });
        match by_id {
            Some(i) => Decided {
                to: Some((i, "it has the same intercom_id".to_string())),
                bar: None,
            },
            None => self.by_fingerprints(entries),
        }
    }

    /// The report that vanished `address` became article `i`, for `why`.
    pub fn moved_report(
        &self,
        address: &str,
        entries: &[(Key, Entry)],
        i: usize,
        why: &str,
    ) -> Diagnostic {
        let d = report::page_moved(address, &self.articles[i], why);
        match page_entry(entries) {
            Some(p) => self.at_line(d, p),
            None => d.in_file(self.path),
        }
    }

    /// The article holding most of the recorded fingerprints of an address (at least half;
    /// the first of the site among equals), else the one most like its recorded page.
    fn by_fingerprints(&self, entries: &[(Key, Entry)]) -> Decided {
        let holders =
            (self.holders).get_or_init(|| Holders::new(self.kept.iter().map(|k| &*k.prints)));
        went_to(holders, |i| &*self.kept[i].prints, self.kept.len(), entries)
    }
}

/// What a vanished address became: the article and why, if any.
pub struct Decided {
    pub to: Option<(usize, String)>,
    /// When how alike its page and the articles' are decided it (no article has its
    /// `intercom_id` or holds half its recorded anchors): how alike another article's page
    /// must be to change it (the likeness of the one chosen, else [`THRESHOLD`]).
    pub bar: Option<f64>,
}

/// The article (of `count`, each [`article`]) that a vanished address with `entries` became:
/// the one holding most of its recorded fingerprints (at least half; the first of the site
/// among equals), else the one most like its recorded page.
fn went_to<'a, A: Anchored + 'a>(
    holders: &Holders,
    article: impl Fn(usize) -> &'a A,
    count: usize,
    entries: &[(Key, Entry)],
) -> Decided {
    if let Some(to) = by_anchors(holders, entries) {
        return Decided {
            to: Some(to),
            bar: None,
        };
    }
    match by_page(holders, article, count, entries) {
        Some((i, score)) if score >= THRESHOLD => {
            let why = format!("its text is alike ({:.0}% of words shared)", score * 100.0);
            Decided {
                to: Some((i, why)),
                bar: Some(score),
            }
        }
        _ => Decided {
            to: None,
            bar: Some(THRESHOLD),
        },
    }
}

/// The article holding most of the recorded fingerprints of an address with `entries`, when
/// one holds at least half (the first of the site among equals).
fn by_anchors(holders: &Holders, entries: &[(Key, Entry)]) -> Option<(usize, String)> {
    let lists: Vec<&[usize]> = entries
        .iter()
        .filter(|(k, _)| !k.1.is_empty())
        .map(|(_, e)| {
            (holders.units.get(&(e.kind, e.fingerprint.hash))).map_or(&[][..], Vec::as_slice)
        })
        .collect();
    let fragments = lists.len();
    let need = fragments.div_ceil(2);
    let best = holding_enough(lists.clone(), need)
        .into_iter()
        .map(|i| {
            (
                i,
                lists.iter().filter(|l| l.binary_search(&i).is_ok()).count(),
            )
        })
        .filter(|&(_, held)| held >= need)
        .max_by_key(|&(i, held)| (held, std::cmp::Reverse(i)));
    best.map(|(i, held)| {
        let why = format!("it holds {held} of its {}", anchors_word(fragments));
        (i, why)
    })
}

/// The article (of `count`, each [`article`]) most like the recorded page of an address with
/// `entries` (the first of the site among equals), with its likeness, when one shares enough
/// words to be [`THRESHOLD`] alike.
fn by_page<'a, A: Anchored + 'a>(
    holders: &Holders,
    article: impl Fn(usize) -> &'a A,
    count: usize,
    entries: &[(Key, Entry)],
) -> Option<(usize, f64)> {
    let page = page_entry(entries)?;
    let sketch = &page.fingerprint.sketch;
    let lists: Vec<&[usize]> = (sketch.iter())
        .map(|h| holders.pages.get(h).map_or(&[][..], Vec::as_slice))
        .collect();
    // Counted rather than compared: most articles share a word or two of a page's
    // sketch, few share enough.
    let mut shared = vec![0u8; count];
    let need = alike_needs(sketch.len());
    let mut like = Vec::new();
    for &i in lists.iter().flat_map(|l| l.iter()) {
        shared[i] += 1;
        if usize::from(shared[i]) == need {
            like.push(i);
        }
    }
    like.sort_unstable();
    like.into_iter()
        .map(|i| (i, page.fingerprint.similarity(article(i).page())))
        .fold(None, |best: Option<(usize, f64)>, (i, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((i, s)),
        })
}

/// The items (ascending, each once) that may be in at least `need` of `lists`: those of the
/// shortest `lists.len() - need + 1` lists, since an item in `need` of the lists is in one of
/// any `lists.len() - need + 1` of them. None when `need` is 0.
pub(super) fn holding_enough(mut lists: Vec<&[usize]>, need: usize) -> Vec<usize> {
    if need == 0 || need > lists.len() {
        return Vec::new();
    }
    lists.sort_unstable_by_key(|l| l.len());
    let mut items: Vec<usize> = lists[..lists.len() - need + 1]
        .iter()
        .flat_map(|l| l.iter().copied())
        .collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// The entry of an address's page itself (its fragment is empty), when recorded.
pub(super) fn page_entry(entries: &[(Key, Entry)]) -> Option<&Entry> {
    entries.iter().find(|(k, _)| k.1.is_empty()).map(|(_, e)| e)
}

fn anchors_word(n: usize) -> String {
    crate::diagnostics::plural(n, "recorded anchor")
}

#[cfg(test)]
mod tests {
    use super::super::follow::tests::{Made, Maker};
    use super::*;
    use rustc_hash::FxHashSet;
    use std::sync::Arc;

    /// Where a vanished address went, as found before the indexes: every article looked at.
    fn went_to_looking_at_every_article(
        articles: &[Made],
        entries: &[(Key, Entry)],
    ) -> Option<(usize, String)> {
        let fragments: Vec<&Entry> = (entries.iter())
            .filter(|(k, _)| !k.1.is_empty())
            .map(|(_, e)| e)
            .collect();
        let mut best: Option<(usize, usize)> = None;
        for (i, a) in articles.iter().enumerate() {
            let hashes: FxHashSet<(Kind, u32)> = (a.units().iter())
                .map(|u| (u.kind, u.fingerprint.hash))
                .collect();
            let held = (fragments.iter())
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
        let (i, score) = (articles.iter())
            .map(|a| page.fingerprint.similarity(a.page()))
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

    #[test]
    fn a_vanished_address_goes_where_looking_at_every_article_leads() {
        let mut make = Maker::new();
        let address: Arc<str> = Arc::from("gone.html");
        for _ in 0..2_000 {
            let articles: Vec<Made> = (0..make.below(8)).map(|_| make.article()).collect();
            let holders = Holders::new(articles.iter());
            let mut entries: Vec<(Key, Entry)> = Vec::new();
            if make.below(4) > 0 {
                entries.push(((address.clone(), String::new()), make.entry()));
            }
            for _ in 0..make.below(7) {
                entries.push(((address.clone(), make.id() + "x"), make.entry()));
            }
            assert_eq!(
                went_to(&holders, |i| &articles[i], articles.len(), &entries).to,
                went_to_looking_at_every_article(&articles, &entries),
                "{entries:?}"
            );
        }
    }
}
