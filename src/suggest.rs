//! "Did you mean": the one ranker behind every suggestion stepbook makes.
//!
//! In: the word a writer wrote and the names that exist (config keys, frontmatter keys, page
//! paths, page titles, ids, image files). Out: the nearest names, best first. Every caller
//! ranks the same way: the edit distance over lowercased text (insert, delete, change, swap
//! two neighbours: the optimal string alignment form of Damerau-Levenshtein), turned into a
//! similarity by the longer length, with a bonus when one name contains the other. Large
//! sets (the pages of a 10,000-article site) are first cut to a short list by the character
//! pairs they share with the word, counted through an index of pairs, so a lookup costs one
//! pass over the names and a few edit distances (`scripts/bench-suggest.py`).
//!
//! Two cut-offs: [`Suggester::closest`] is for a name that must exist (a link target, a
//! config key), where a looser guess still helps; [`typo_of`] is for a name that may rightly
//! be something else (a writer's own frontmatter key), and only answers for a likely typo.
//! This module knows nothing about what the names are.

use rustc_hash::FxHashMap;

/// Names ranked against many words: build it once when many words are looked up in one set.
/// It keeps its own lowercased copy of the names and answers with their positions, so it
/// can be kept beside the names it was built from.
#[derive(Default, Clone)]
pub struct Suggester {
    names: Vec<Name>,
    /// Above [`SHORTLIST`] names: each character pair and the names that hold it, in order.
    postings: FxHashMap<u32, Vec<u32>>,
}

#[derive(Clone)]
struct Name {
    lower: String,
    /// How many distinct character pairs it has.
    pairs: usize,
}

impl std::fmt::Debug for Suggester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Suggester({} names)", self.names.len())
    }
}

/// One candidate's standing against a word.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rank {
    /// Edits (insert, delete, change, swap two neighbours) from the word to the name.
    distance: usize,
    /// `1 - distance / longer length`, plus the containment bonus.
    score: f64,
}

/// Above this many names, only the names sharing the most character pairs with the word are
/// measured by edit distance.
const SHORTLIST: usize = 24;
/// The lowest score [`Suggester::closest`] offers.
const LOOSE: f64 = 0.5;

impl Suggester {
    pub fn new<'s>(names: impl IntoIterator<Item = &'s str>) -> Self {
        let mut all = Vec::new();
        let mut listed = Vec::new();
        for text in names {
            let lower = text.to_lowercase();
            let p = pairs(&lower);
            all.push(Name {
                lower,
                pairs: p.len(),
            });
            listed.push(p);
        }
        let mut postings: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        if all.len() > SHORTLIST {
            for (i, p) in listed.iter().enumerate() {
                for pair in p {
                    postings.entry(*pair).or_default().push(i as u32);
                }
            }
        }
        Suggester {
            names: all,
            postings,
        }
    }

    /// The positions of up to `n` names nearest to `word`, best first, leaving out the
    /// far-fetched.
    pub fn closest(&self, word: &str, n: usize) -> Vec<usize> {
        let lower = word.to_lowercase();
        let mut ranked = self.ranked_by(&lower, rank);
        ranked.retain(|(_, r)| r.score >= LOOSE);
        ranked.into_iter().take(n).map(|(i, _)| i).collect()
    }

    /// [`Suggester::closest`] for file paths: the file name counts three times as much as
    /// its folder, so a shared folder (or extension) does not make every file look alike.
    pub fn closest_path(&self, path: &str, n: usize) -> Vec<usize> {
        let lower = path.to_lowercase();
        let mut ranked = self.ranked_by(&lower, rank_path);
        ranked.retain(|(_, r)| r.score >= LOOSE);
        ranked.into_iter().take(n).map(|(i, _)| i).collect()
    }

    /// The names worth measuring, ranked best first.
    fn ranked_by(&self, lower: &str, rank: fn(&str, &str) -> Rank) -> Vec<(usize, Rank)> {
        let shortlist: Vec<usize> = if self.names.len() <= SHORTLIST {
            (0..self.names.len()).collect()
        } else {
            self.shortlist(lower)
        };
        let mut ranked: Vec<(usize, Rank)> = shortlist
            .into_iter()
            .map(|i| (i, rank(lower, &self.names[i].lower)))
            .collect();
        ranked.sort_by(|a, b| {
            b.1.score
                .total_cmp(&a.1.score)
                .then(a.1.distance.cmp(&b.1.distance))
                .then_with(|| self.names[a.0].lower.cmp(&self.names[b.0].lower))
                .then(a.0.cmp(&b.0))
        });
        ranked
    }

    /// The [`SHORTLIST`] names sharing the most character pairs with `word`, by Dice's
    /// coefficient: one pass over the postings of the word's pairs, then one over the names.
    fn shortlist(&self, lower: &str) -> Vec<usize> {
        let word_pairs = pairs(lower);
        let mut shared = vec![0u32; self.names.len()];
        for pair in &word_pairs {
            for &i in self.postings.get(pair).map(Vec::as_slice).unwrap_or(&[]) {
                shared[i as usize] += 1;
            }
        }
        let short_word = lower.len() <= 3;
        let mut scored: Vec<(u64, usize)> = self
            .names
            .iter()
            .zip(&shared)
            .enumerate()
            .filter(|(_, (n, k))| **k > 0 || short_word || n.lower.len() <= 3)
            .map(|(i, (n, &k))| {
                let dice = 2000 * u64::from(k) / (word_pairs.len() + n.pairs).max(1) as u64;
                (dice, i)
            })
            .collect();
        if scored.len() > SHORTLIST {
            scored.select_nth_unstable_by(SHORTLIST - 1, |a, b| b.0.cmp(&a.0));
            scored.truncate(SHORTLIST);
        }
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// A [`Suggester`] with the names it was built from, answering with the names.
pub struct Names<'a> {
    names: Vec<&'a str>,
    suggester: Suggester,
}

impl<'a> Names<'a> {
    pub fn new(names: Vec<&'a str>) -> Self {
        let suggester = Suggester::new(names.iter().copied());
        Names { names, suggester }
    }

    /// [`Suggester::closest`], as names.
    pub fn closest(&self, word: &str, n: usize) -> Vec<&'a str> {
        let found = self.suggester.closest(word, n);
        found.into_iter().map(|i| self.names[i]).collect()
    }

    /// [`Suggester::closest_path`], as names.
    pub fn closest_path(&self, path: &str, n: usize) -> Vec<&'a str> {
        let found = self.suggester.closest_path(path, n);
        found.into_iter().map(|i| self.names[i]).collect()
    }
}

/// A fingerprint of a list of names, to tell whether the names a suggestion was chosen from
/// changed.
pub fn fingerprint(names: &[String]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for n in names {
        h.update(n.as_bytes());
        h.update(&[0]);
    }
    h.digest()
}

/// Up to `n` of `candidates` nearest to `word`, best first, leaving out the far-fetched.
pub fn closest<'a>(word: &str, candidates: &[&'a str], n: usize) -> Vec<&'a str> {
    Names::new(candidates.to_vec()).closest(word, n)
}

/// The one candidate nearest to `word`, if any is near enough to offer.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    closest(word, candidates, 1).into_iter().next()
}

/// The known name that `word` is most likely a typo of: one edit away (two for long names),
/// or its start (`alias` for `aliases`). A word that is merely similar gets `None`: it may
/// be a name of the writer's own.
pub fn typo_of<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let len = lower.chars().count();
    if len < 3 {
        return None;
    }
    Suggester::new(known.iter().copied())
        .ranked_by(&lower, rank)
        .into_iter()
        .map(|(i, r)| (known[i], r))
        .find(|(name, r)| {
            let name = name.to_lowercase();
            let shorter = len.min(name.chars().count());
            let longer = len.max(name.chars().count());
            let prefix =
                (name.starts_with(&lower) || lower.starts_with(&name)) && shorter * 5 >= longer * 3;
            r.distance == 1 || (r.distance == 2 && shorter >= 7) || prefix
        })
        .map(|(name, _)| name)
}

fn rank(word: &str, name: &str) -> Rank {
    let distance = strsim::osa_distance(word, name);
    let (a, b) = (word.chars().count(), name.chars().count());
    let longer = a.max(b).max(1);
    let contains = a.min(b) >= 3 && (name.contains(word) || word.contains(name));
    let bonus = if contains { 0.3 } else { 0.0 };
    Rank {
        distance,
        score: 1.0 - distance as f64 / longer as f64 + bonus,
    }
}

/// [`rank`] of the file names without their extensions, weighted 3 to 1 against the
/// folders'.
fn rank_path(word: &str, name: &str) -> Rank {
    fn split(p: &str) -> (&str, &str) {
        let (dir, file) = p.rsplit_once('/').unwrap_or(("", p));
        let stem = file
            .rsplit_once('.')
            .map(|(s, _)| s)
            .filter(|s| !s.is_empty());
        (dir, stem.unwrap_or(file))
    }
    let (wd, wf) = split(word);
    let (nd, nf) = split(name);
    let (file, dir) = (rank(wf, nf), rank(wd, nd));
    Rank {
        distance: file.distance + dir.distance,
        score: 0.75 * file.score + 0.25 * dir.score.min(1.0),
    }
}

/// Sorted, deduplicated character pairs of lowercased text, each packed into a `u32` hash.
fn pairs(lower: &str) -> Vec<u32> {
    let mut out = Vec::with_capacity(lower.len());
    let mut chars = lower.chars();
    let Some(mut prev) = chars.next() else {
        return out;
    };
    for c in chars {
        out.push((prev as u32).wrapping_mul(0x9E37_79B1) ^ c as u32);
        prev = c;
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_edits_then_name() {
        let ids = [
            "a",
            "reset-the-password",
            "reset-the-password-step-1",
            "reset-the-password-step-2",
        ];
        assert_eq!(
            closest("reset-the-pasword-step-2", &ids, 3),
            [
                "reset-the-password-step-2",
                "reset-the-password-step-1",
                "reset-the-password"
            ]
        );
        assert_eq!(closest("zzz", &ids, 3), Vec::<&str>::new());
    }

    #[test]
    fn config_keys() {
        let top = ["book", "build", "search", "serve"];
        assert_eq!(nearest("builds", &top), Some("build"));
        let build = ["content-dir", "output-dir", "theme", "link-check"];
        assert_eq!(nearest("output-dri", &build), Some("output-dir"));
        assert_eq!(nearest("Link-Chek", &build), Some("link-check"));
        assert_eq!(nearest("port", &build), None);
    }

    #[test]
    fn typos_of_known_keys_only() {
        let known = crate::frontmatter::KNOWN;
        for (typo, key) in [
            ("titel", "title"),
            ("desciption", "description"),
            ("draftt", "draft"),
            ("intercom-id", "intercom_id"),
            ("intercomID", "intercom_id"),
            ("alias", "aliases"),
            ("tag", "tags"),
            ("udpated", "updated"),
        ] {
            assert_eq!(typo_of(typo, known), Some(key), "{typo}");
        }
        for own in [
            "owner",
            "team",
            "subtitle",
            "date",
            "draft_notes",
            "desc",
            "lang",
            "id",
        ] {
            assert_eq!(typo_of(own, known), None, "{own}");
        }
    }

    #[test]
    fn paths_rank_by_file_name_first() {
        let files = [
            "guides/_index.md",
            "guides/reset.md",
            "guides/cart.png",
            "images/card.png",
        ];
        let s = Suggester::new(files);
        let near = |path: &str| -> Vec<&str> {
            s.closest_path(path, 3)
                .into_iter()
                .map(|i| files[i])
                .collect()
        };
        assert_eq!(near("guides/_indx.md"), ["guides/_index.md"]);
        assert_eq!(near("guides/reset-pasword.md"), ["guides/reset.md"]);
        assert_eq!(
            near("guides/card.png"),
            ["images/card.png", "guides/cart.png"]
        );
    }

    #[test]
    fn large_sets_are_shortlisted_without_losing_the_match() {
        let names: Vec<String> = (0..10_000)
            .map(|i| format!("collection-{}/article-{i}.md", i % 40))
            .collect();
        let mut refs: Vec<&str> = names.iter().map(String::as_str).collect();
        refs.push("billing/refund-a-payment.md");
        let s = Suggester::new(refs.iter().copied());
        let near = |path: &str| -> Vec<&str> {
            s.closest_path(path, 1)
                .into_iter()
                .map(|i| refs[i])
                .collect()
        };
        assert_eq!(
            near("billing/refund-a-paymnet.md"),
            ["billing/refund-a-payment.md"]
        );
        assert_eq!(
            near("collection-3/artcle-4043.md"),
            ["collection-3/article-4043.md"]
        );
    }
}
