//! The pages' URLs (`site::urls::assign`, with the `intercom_id` check) and the table their
//! links resolve against ([`PageTable`]), kept while every page reads the same to them.
//!
//! They are a function of each listed page's source, file, frontmatter (as written: the text
//! before the body, which the problems point into) and title, in order. A body edit that
//! leaves those alone (the common edit) keeps the last run's URLs, problems and table, and
//! says so: a body whose recorded answers were checked against the last table then reads
//! the same answers from this one, and the Markdown stage need not ask them again
//! ([`super::pages::RenderCtx::same_table`]).

use std::sync::Arc;

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
    /// The page's text, of which the frontmatter (before `body_offset`) is read.
    text: Arc<str>,
    body_offset: usize,
    title: String,
}

impl Shape {
    fn of(p: &PageFile, title: &str) -> Shape {
        Shape {
            source: p.source.clone(),
            abs: p.abs.clone(),
            text: p.text.clone(),
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
        if Arc::ptr_eq(&self.text, &p.text) {
            return true;
        }
        let at = self.body_offset;
        let same = at == p.body_offset && self.text.get(..at) == p.text.get(..at);
        if same {
            self.text = p.text.clone();
        }
        same
    }
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
        let mut table = PageTable::default();
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
}
