//! The pages' URLs (`site::urls::assign`, with the `intercom_id` check) and the table their
//! links resolve against ([`PageTable`]), kept while every page reads the same to them.
//!
//! They are a function of each listed page's source, file, frontmatter (as written: the text
//! before the body, which the problems point into) and title, in order. A body edit that
//! leaves those alone (the common edit) keeps the last run's URLs, problems and table, and
//! says so: a body whose recorded answers were checked against the last table then reads
//! the same answers from this one, and the Markdown stage need not ask them again
//! ([`super::pages::RenderCtx::same_table`]).
//!
//! The build cache keeps this memory ([`Saved`]): each page's frontmatter as the hash of the
//! text before its body, so that a cached build after a body edit keeps the table too, and
//! the bodies read back from the cache, which were checked against that very table when it
//! was saved, are not asked again.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::markdown::links::PageTable;
use crate::paths::{SourcePath, UrlPath};
use crate::site::{self, PageFile};

/// The URLs, their problems and the table of one run.
pub struct Tabled {
    pub urls: Vec<UrlPath>,
    pub problems: Vec<Diagnostic>,
    pub table: Arc<PageTable>,
    /// [`PageTable::titles_fingerprint`] of `table`.
    pub titles: u64,
    /// Made from pages that read the same as the last run's: the very table of that run.
    pub same: bool,
}

/// What the last run made them from, and what it made.
#[derive(Default)]
pub struct Memo {
    last: Option<Last>,
}

struct Last {
    shapes: Vec<Shape>,
    urls: Vec<UrlPath>,
    problems: Vec<Diagnostic>,
    table: Arc<PageTable>,
    titles: u64,
}

/// What URL assignment and the table read of a page.
struct Shape {
    source: SourcePath,
    abs: std::path::PathBuf,
    /// What it knows of the page's frontmatter (the text before `body_offset`).
    head: Head,
    body_offset: usize,
    title: String,
}

/// A page's frontmatter as a shape knows it.
enum Head {
    /// The page's text, of which the part before the body is read.
    Text(Arc<str>),
    /// For a shape read back from the cache, which keeps no text: [`head_digest`] of it.
    Digest(u64),
}

/// The hash that tells the text before a body from another.
fn head_digest(head: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(head.as_bytes())
}

impl Shape {
    fn of(p: &PageFile, title: &str) -> Shape {
        Shape {
            source: p.source.clone(),
            abs: p.abs.clone(),
            head: Head::Text(p.text.clone()),
            body_offset: p.body_offset,
            title: title.to_string(),
        }
    }

    /// Whether `p`, titled `title`, reads the same as this shape; a page whose text is
    /// another with the same frontmatter then holds the new text, so that the next run
    /// compares pointers.
    fn same(&mut self, p: &PageFile, title: &str) -> bool {
        if self.source != p.source
            || self.title != title
            || self.abs.as_os_str() != p.abs.as_os_str()
        {
            return false;
        }
        let at = self.body_offset;
        let same = match &self.head {
            Head::Text(text) if Arc::ptr_eq(text, &p.text) => return true,
            Head::Text(text) => at == p.body_offset && text.get(..at) == p.text.get(..at),
            Head::Digest(d) => {
                at == p.body_offset && p.text.get(..at).is_some_and(|h| head_digest(h) == *d)
            }
        };
        if same {
            self.head = Head::Text(p.text.clone());
        }
        same
    }

    /// [`head_digest`] of its frontmatter, `None` when its text is too short for it.
    fn digest(&self) -> Option<u64> {
        match &self.head {
            Head::Text(text) => text.get(..self.body_offset).map(head_digest),
            Head::Digest(d) => Some(*d),
        }
    }
}

/// The memory as the build cache keeps it: each page's shape with its frontmatter's hash,
/// its URL, and the problems; the table is made again from them, as the run that saved
/// them made it.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    shapes: Vec<SavedShape>,
    urls: Vec<UrlPath>,
    problems: Vec<Diagnostic>,
}

#[derive(Serialize, Deserialize)]
struct SavedShape {
    source: SourcePath,
    abs: std::path::PathBuf,
    head: u64,
    body_offset: usize,
    title: String,
}

impl Memo {
    /// The URLs of `listed` (each titled as `titles` says), their problems and the table,
    /// kept from the last run while every page reads the same to them.
    pub fn of(&mut self, listed: &[PageFile], titles: &[String]) -> Tabled {
        // The same pages in the same places: the shapes that changed are noted in place.
        let mut shapes = None;
        if let Some(last) = self.last.take()
            && last.shapes.len() == listed.len()
        {
            let mut last = last;
            let mut same = true;
            for (s, (p, t)) in last.shapes.iter_mut().zip(listed.iter().zip(titles)) {
                if !s.same(p, t) {
                    *s = Shape::of(p, t);
                    same = false;
                }
            }
            if same {
                let tabled = Tabled {
                    urls: last.urls.clone(),
                    problems: last.problems.clone(),
                    table: last.table.clone(),
                    titles: last.titles,
                    same: true,
                };
                self.last = Some(last);
                return tabled;
            }
            shapes = Some(last.shapes);
        }
        let (urls, mut problems) = site::urls::assign(listed);
        problems.extend(site::urls::check_intercom_ids(listed));
        let mut table = PageTable::with_capacity(listed.len());
        for ((p, url), title) in listed.iter().zip(&urls).zip(titles) {
            table.insert(p.source.clone(), url.clone(), title);
        }
        let table = Arc::new(table);
        let titles_fingerprint = table.titles_fingerprint();
        self.last = Some(Last {
            shapes: shapes.unwrap_or_else(|| {
                (listed.iter().zip(titles))
                    .map(|(p, t)| Shape::of(p, t))
                    .collect()
            }),
            urls: urls.clone(),
            problems: problems.clone(),
            table: table.clone(),
            titles: titles_fingerprint,
        });
        Tabled {
            urls,
            problems,
            table,
            titles: titles_fingerprint,
            same: false,
        }
    }

    /// Forgets the last run.
    pub fn clear(&mut self) {
        self.last = None;
    }

    /// What the build cache keeps of the last run, none without one.
    pub fn save(&self) -> Option<Saved> {
        let last = self.last.as_ref()?;
        let shapes = (last.shapes.iter())
            .map(|s| {
                Some(SavedShape {
                    source: s.source.clone(),
                    abs: s.abs.clone(),
                    head: s.digest()?,
                    body_offset: s.body_offset,
                    title: s.title.clone(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Saved {
            shapes,
            urls: last.urls.clone(),
            problems: last.problems.clone(),
        })
    }

    /// The memory of the run that saved `saved`, its table made again; `None` when the
    /// pages and their URLs do not pair up.
    pub fn restore(saved: Saved) -> Option<Memo> {
        if saved.shapes.len() != saved.urls.len() {
            return None;
        }
        let mut table = PageTable::with_capacity(saved.shapes.len());
        for (s, url) in saved.shapes.iter().zip(&saved.urls) {
            table.insert(s.source.clone(), url.clone(), &s.title);
        }
        let titles = table.titles_fingerprint();
        let shapes = (saved.shapes.into_iter())
            .map(|s| Shape {
                source: s.source,
                abs: s.abs,
                head: Head::Digest(s.head),
                body_offset: s.body_offset,
                title: s.title,
            })
            .collect();
        Some(Memo {
            last: Some(Last {
                shapes,
                urls: saved.urls,
                problems: saved.problems,
                table: Arc::new(table),
                titles,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn page(rel: &str, text: &str) -> PageFile {
        let body_offset = text.find("---\n\n").map_or(0, |at| at + 4);
        PageFile {
            source: SourcePath::from_relative(Path::new(rel)),
            abs: Path::new("/site/content").join(rel),
            text: Arc::from(text),
            body_offset,
            fm: Default::default(),
        }
    }

    fn site(body: &str) -> (Vec<PageFile>, Vec<String>) {
        let pages = vec![
            page("a.md", &format!("---\ntitle: A\n---\n\n{body}\n")),
            page("b.md", "---\ntitle: B\n---\n\nSee [A](a.md).\n"),
        ];
        (pages, vec!["A".to_string(), "B".to_string()])
    }

    /// The memory as a later build reads it back from the cache.
    fn through_cache(memo: &Memo) -> Memo {
        let saved = postcard::to_allocvec(&memo.save().expect("a run to save")).unwrap();
        Memo::restore(postcard::from_bytes(&saved).unwrap()).expect("whole")
    }

    #[test]
    fn a_table_read_back_is_kept_after_a_body_edit_and_made_again_after_a_title_edit() {
        let (pages, titles) = site("First body.");
        let mut memo = Memo::default();
        let first = memo.of(&pages, &titles);
        assert!(!first.same);
        // Another body, the same frontmatter: the very table, read back.
        let mut restored = through_cache(&memo);
        let (edited, _) = site("Another body.");
        let kept = restored.of(&edited, &titles);
        assert!(kept.same);
        assert_eq!(kept.urls, first.urls);
        assert_eq!(kept.titles, first.titles);
        assert_eq!(
            kept.table.urls.get(&pages[0].source),
            first.table.urls.get(&pages[0].source)
        );
        // Saved again, the shape holds the new text, and reads back the same.
        assert!(through_cache(&restored).of(&edited, &titles).same);
        // Another title, or another frontmatter: made again.
        let mut restored = through_cache(&memo);
        let renamed = vec!["A again".to_string(), "B".to_string()];
        assert!(!restored.of(&pages, &renamed).same);
        let mut restored = through_cache(&memo);
        let mut moved = pages.clone();
        moved[0] = page("a.md", "---\ntitle: A\nslug: z\n---\n\nFirst body.\n");
        assert!(!restored.of(&moved, &titles).same);
    }

    #[test]
    fn a_saved_memory_whose_pages_and_urls_do_not_pair_up_is_not_restored() {
        let (pages, titles) = site("Body.");
        let mut memo = Memo::default();
        memo.of(&pages, &titles);
        let mut saved = memo.save().unwrap();
        saved.urls.pop();
        assert!(Memo::restore(saved).is_none());
        assert!(Memo::default().save().is_none());
    }
}
