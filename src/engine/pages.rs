//! The engine's memory of each Markdown file: its frontmatter, its text with snippets
//! included (with the snippets it read), and its rendered body with what rendering read, so
//! that a body is rendered again only when its text, a snippet it includes, its URL or one of
//! the answers it read has changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::inputs::{Files, Version};
use crate::diagnostics::Diagnostic;
use crate::frontmatter::{self, Frontmatter};
use crate::markdown::html::Html;
use crate::markdown::{self, Rendered, links::PageTable};
use crate::paths::{SourcePath, UrlPath};
use crate::site::PageFile;
use crate::snippets::{self, Expanded, Library};

/// A Markdown file as the last build knew it.
pub struct Memo {
    text: Arc<str>,
    /// For a memo read back from the cache, which keeps no text: the hash of the text.
    digest: Option<u64>,
    parsed: Result<Parsed, Vec<Diagnostic>>,
    /// The text with its snippets included, kept while every snippet it read is the same.
    expanded: Option<Expanded>,
    /// For a memo read back from the cache, which keeps no expansion: [`expansion`] of the
    /// one its body was rendered from.
    expansion: Option<u64>,
    body: Option<Body>,
    /// Made or changed by this engine since it was read back from the cache.
    fresh: bool,
}

/// A memo as the cache keeps it: the text's hash instead of the text.
#[derive(Serialize, Deserialize)]
pub struct Saved {
    digest: u64,
    parsed: Result<Parsed, Vec<Diagnostic>>,
    expansion: Option<u64>,
    body: Option<Body>,
}

/// [`Saved`], borrowed from a memo, to be written.
#[derive(Serialize)]
pub struct SavedRef<'a> {
    digest: u64,
    parsed: &'a Result<Parsed, Vec<Diagnostic>>,
    expansion: Option<u64>,
    body: Option<&'a Body>,
}

/// The frontmatter and where the body starts.
#[derive(Clone, Serialize, Deserialize)]
pub struct Parsed {
    pub fm: Arc<Frontmatter>,
    pub body_offset: usize,
    /// The text of a leading `#` heading, the title when the frontmatter has none.
    pub heading_title: Option<String>,
}

/// A rendered body and what it was rendered from, besides the text.
#[derive(Serialize, Deserialize)]
struct Body {
    url: UrlPath,
    prose: bool,
    md: Arc<Rendered>,
    /// The fingerprint of every title, when rendering read them all.
    titles: Option<u64>,
    /// Every image file it measured ([`markdown::Reads::images`]), with its version; `None`
    /// when it could not be trusted to change with the file. Kept here as well, since every
    /// body kept is checked against them, so that the body's reads stay encoded.
    images: Vec<(PathBuf, Option<Option<Version>>)>,
}

#[cfg(test)]
impl SavedRef<'static> {
    /// The memo of a file that could not be parsed, with no body: for the cache's tests.
    pub fn unparsed() -> SavedRef<'static> {
        static UNPARSED: Result<Parsed, Vec<Diagnostic>> = Err(Vec::new());
        SavedRef {
            digest: 0,
            parsed: &UNPARSED,
            expansion: None,
            body: None,
        }
    }
}

impl Memo {
    /// The memory of `text`, kept from `old` when the text is the same.
    pub fn new(old: Option<Memo>, abs: &Path, text: Arc<str>) -> Memo {
        match old {
            Some(m) if Arc::ptr_eq(&m.text, &text) || *m.text == *text => m,
            Some(m) if m.digest.is_some_and(|d| d == digest(&text)) => Memo {
                text,
                digest: None,
                ..m
            },
            _ => {
                let parsed = parse(abs, &text);
                Memo {
                    text,
                    digest: None,
                    parsed,
                    expanded: None,
                    expansion: None,
                    body: None,
                    fresh: true,
                }
            }
        }
    }

    /// What the cache keeps of this memo.
    pub fn save(&self) -> SavedRef<'_> {
        SavedRef {
            digest: self.digest.unwrap_or_else(|| digest(&self.text)),
            parsed: &self.parsed,
            expansion: self.expanded.as_ref().map(expansion).or(self.expansion),
            body: self.body.as_ref(),
        }
    }

    /// A memo read back from the cache, with its body's HTML, which the cache keeps apart:
    /// kept once the file's text is seen to be the same.
    pub fn restore(saved: Saved, html: Html) -> Memo {
        let mut body = saved.body;
        // Just read back, the body is not shared yet.
        if let Some(md) = body.as_mut().and_then(|b| Arc::get_mut(&mut b.md)) {
            md.html = html;
        }
        Memo {
            text: Arc::from(""),
            digest: Some(saved.digest),
            parsed: saved.parsed,
            expanded: None,
            expansion: saved.expansion,
            body,
            fresh: false,
        }
    }

    /// The HTML of its body, which the cache keeps apart from the rest of the memo.
    pub fn html(&self) -> Option<&Html> {
        self.rendered().map(|md| &md.html)
    }

    /// Whether this memo was made or changed since it was read back from the cache.
    pub fn fresh(&self) -> bool {
        self.fresh
    }

    /// The rendered body it holds, if any.
    pub fn rendered(&self) -> Option<&Arc<Rendered>> {
        self.body.as_ref().map(|b| &b.md)
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// The text its page holds: with its snippets included, when it was expanded.
    pub fn page_text(&self) -> &Arc<str> {
        self.expanded.as_ref().map_or(&self.text, |e| &e.text)
    }

    /// The body, frontmatter and text its page holds, when it has a body.
    pub fn shown(&self) -> Option<(&Arc<Rendered>, &Arc<Frontmatter>, &Arc<str>)> {
        let p = self.parsed.as_ref().ok()?;
        Some((self.rendered()?, &p.fm, self.page_text()))
    }

    pub fn parsed(&self) -> &Result<Parsed, Vec<Diagnostic>> {
        &self.parsed
    }

    /// The text with every include replaced (`None` when the frontmatter has errors),
    /// expanded again only when a snippet it read changed; a different result forgets the
    /// rendered body.
    pub fn expand(&mut self, source: &SourcePath, abs: &Path, library: &Library) {
        let Ok(p) = &self.parsed else {
            return;
        };
        if self
            .expanded
            .as_ref()
            .is_some_and(|e| e.still_valid(library))
        {
            return;
        }
        let fresh = snippets::expand(abs, source, &self.text, p.body_offset, library);
        let same = match &self.expanded {
            Some(old) => old.text == fresh.text && old.origins == fresh.origins,
            None => self.expansion == Some(expansion(&fresh)),
        };
        self.expansion = None;
        if !same {
            self.body = None;
        }
        self.expanded = Some(fresh);
    }

    pub fn expanded(&self) -> Option<&Expanded> {
        self.expanded.as_ref()
    }

    /// The rendered body, kept when it would render the same, rendered anew otherwise.
    pub fn body(&mut self, page: &PageFile, url: &UrlPath, ctx: &RenderCtx<'_>) -> Arc<Rendered> {
        if let Some(b) = &self.body
            && b.url == *url
            && b.prose == ctx.prose
            && (ctx.same_table || still_answered(b, ctx))
            && images_same(b, ctx)
        {
            return b.md.clone();
        }
        ctx.rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let md = Arc::new(markdown::render(&markdown::Input {
            prose: ctx.prose,
            path: &page.abs,
            source: &page.text,
            body_offset: page.body_offset,
            source_path: &page.source,
            url,
            pages: ctx.table,
            origins: self.expanded.as_ref().and_then(|e| e.origins.as_deref()),
            listed: &|path| ctx.files.listed(path),
        }));
        let images = md
            .reads
            .images
            .iter()
            .map(|p| (p.clone(), ctx.files.trusted_version(p)))
            .collect();
        self.fresh = true;
        self.body = Some(Body {
            url: url.clone(),
            prose: ctx.prose,
            titles: md.reads.titles.then_some(ctx.titles),
            images,
            md: md.clone(),
        });
        md
    }
}

/// What a body is rendered against.
pub struct RenderCtx<'a> {
    pub table: &'a PageTable,
    /// [`PageTable::titles_fingerprint`] of `table`.
    pub titles: u64,
    /// `table` is the very table of the last run, which every body kept from it was
    /// checked against: the answers it read are still the same.
    pub same_table: bool,
    pub files: &'a Files,
    pub prose: bool,
    /// How many bodies were rendered anew (the others were kept).
    pub rendered: std::sync::atomic::AtomicUsize,
}

/// Whether every answer the body read of the table is still the same.
fn still_answered(b: &Body, ctx: &RenderCtx<'_>) -> bool {
    let reads = &b.md.reads;
    reads
        .urls
        .iter()
        .all(|(source, url)| ctx.table.urls.get(source) == url.as_ref())
        && reads
            .names
            .iter()
            .all(|(name, found)| ctx.table.find(name) == found.as_slice())
        && b.titles.is_none_or(|t| t == ctx.titles)
}

/// Whether every image file the body measured is still the same.
fn images_same(b: &Body, ctx: &RenderCtx<'_>) -> bool {
    (b.images.iter()).all(|(path, was)| {
        was.as_ref()
            .is_some_and(|was| ctx.files.still(path, was.as_ref()))
    })
}

/// The hash that tells an expansion from another, for a memo read back from the cache.
fn expansion(e: &Expanded) -> u64 {
    crate::render::key_of(&(&e.text, &e.origins))
}

/// The hash that tells a file's text from another.
fn digest(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

fn parse(abs: &Path, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let (fm, split) = frontmatter::parse(abs, text)?;
    Ok(Parsed {
        heading_title: markdown::leading_title(split.body),
        body_offset: split.body_offset,
        fm: Arc::new(fm),
    })
}

/// The page file of a parsed Markdown file: its text is the one with snippets included.
pub fn page_file(source: &SourcePath, abs: &Path, memo: &Memo, p: &Parsed) -> PageFile {
    PageFile {
        source: source.clone(),
        abs: abs.to_path_buf(),
        text: memo.page_text().clone(),
        body_offset: p.body_offset,
        fm: p.fm.clone(),
    }
}
