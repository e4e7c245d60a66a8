//! What the build cache keeps of an assembly ([`Saved`]): each page's shape but its
//! frontmatter and body, which the cache keeps with the file's memo, and what the
//! assembly made that is not worked out again from the shapes alone ("Linked from",
//! "Related articles", the redirects and their problems).
//!
//! Read back, the pages are made again from those shapes, given the frontmatter and body
//! each page had (the ones the engine reads back with the file's memo), and arranged as
//! [`crate::site::tree::arrange_in`] arranges them; the memory is then the one the last
//! build left and is compared with the pages of this run like any other
//! ([`super::Memo::assemble`]). A page's text is kept only as far as the assembly reads it
//! (its head). The languages are kept, with every page's place in each when there are many
//! (the assembly of a site of one language reads none). Only the default language's
//! assembly is kept: the pages of the others hold frontmatter they inherit, which no memo
//! of a file holds.

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{How, Made, Memo, head, slots_of};
use crate::diagnostics::Diagnostic;
use crate::frontmatter::Frontmatter;
use crate::markdown::Rendered;
use crate::paths::{SourcePath, UrlPath};
use crate::site::langs::Alternates;
use crate::site::{Page, Redirect};

/// An assembly as the cache keeps it.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    lang: usize,
    alternates: Alternates,
    /// Every page, in the order the assembly was given them.
    pages: Vec<Shape>,
    /// Each article's "Linked from" and "Related articles", in the order of the articles.
    lists: Vec<(Vec<usize>, Vec<usize>)>,
    redirects: Vec<Redirect>,
    problems: Vec<Diagnostic>,
    free: bool,
}

/// What the assembly read of a page, but its frontmatter and body.
#[derive(Serialize, Deserialize)]
struct Shape {
    source: SourcePath,
    abs: PathBuf,
    url: UrlPath,
    /// The text as far as the assembly reads it.
    head: String,
    body_offset: usize,
}

impl Memo {
    /// What the cache keeps of the last assembly; none when nothing was made.
    pub fn save(&self) -> Option<Saved> {
        let (lang, alternates) = self.settings.as_ref()?;
        let made = self.made.as_ref()?;
        let pages = (made.slots.iter())
            .map(|s| {
                let p = made.tree.page(*s);
                Shape {
                    source: p.source.clone(),
                    abs: p.abs.clone(),
                    url: p.url.clone(),
                    head: head(p).to_string(),
                    body_offset: p.body_offset,
                }
            })
            .collect();
        let lists = (made.tree.articles.iter())
            .map(|a| (a.backlinks.clone(), a.related.clone()))
            .collect();
        Some(Saved {
            lang: *lang,
            alternates: Alternates {
                langs: alternates.langs.clone(),
                pages: match alternates.many() {
                    true => alternates.pages.clone(),
                    false => Default::default(),
                },
            },
            pages,
            lists,
            redirects: made.redirects.to_vec(),
            problems: made.problems.clone(),
            free: made.free,
        })
    }

    /// The memory of the assembly `saved` describes, each page given the frontmatter and
    /// body it had (`shown`, by its file); none when one of them is not known, or `saved`
    /// does not hold together.
    pub fn restore(
        saved: Saved,
        shown: impl Fn(&SourcePath) -> Option<(Arc<Frontmatter>, Arc<Rendered>)>,
    ) -> Option<Memo> {
        let pages = (saved.pages.into_iter())
            .map(|s| {
                let (fm, md) = shown(&s.source)?;
                (s.body_offset <= s.head.len()).then(|| Page {
                    source: s.source,
                    abs: s.abs,
                    text: Arc::from(s.head),
                    body_offset: s.body_offset,
                    fm,
                    url: s.url,
                    md,
                })
            })
            .collect::<Option<Vec<Page>>>()?;
        let alternates = Arc::new(saved.alternates);
        let root = (alternates.langs.get(saved.lang)).map_or("", |l| l.root.as_str());
        let slots = slots_of(&pages)?;
        let mut tree = super::super::tree::arrange_in(pages, root);
        let n = tree.articles.len();
        let fits = |list: &[usize]| list.iter().all(|&i| i < n);
        if saved.lists.len() != n
            || !(saved.lists.iter()).all(|(b, r)| fits(b) && fits(r))
            || !saved.redirects.iter().all(|r| r.to < n)
        {
            return None;
        }
        for (a, (backlinks, related)) in tree.articles.iter_mut().zip(saved.lists) {
            let a = Arc::get_mut(a)?;
            a.backlinks = backlinks;
            a.related = related;
        }
        let made = Made::of(
            &tree,
            slots,
            &Arc::new(saved.redirects),
            &saved.problems,
            saved.free,
        )?;
        Some(Memo {
            settings: Some((saved.lang, alternates)),
            made: Some(made),
            how: How::Whole,
        })
    }
}
