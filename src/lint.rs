//! Lints: the warnings only `stepbook check` gives (user guide:
//! `content/publish/check-your-site.md`).
//!
//! In: a [`Site`]. Out: warnings for plain text that names an article or a heading of the site
//! without linking to it, images without alt text and articles without a description. Build
//! does not run these, so a site can build clean while `check` still has advice.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostics::{Diagnostic, Locator};
use crate::markdown::{escape, prose::Run};
use crate::paths::SourcePath;
use crate::site::{Page, Site};

/// Names of this many words are distinctive enough to flag.
const MIN_WORDS: usize = 5;
/// Shorter names are flagged only when they hold a proper noun ("Turn on MFA in TikTok").
const MIN_WORDS_PROPER: usize = 4;
// Names are looked up by their first two words.
const _: () = assert!(MIN_WORDS >= 2 && MIN_WORDS_PROPER >= 2);

/// A name of the site a writer might mention: an article title or a heading.
struct Name {
    words: Vec<String>,
    shown: String,
    page: SourcePath,
    /// Heading id, `None` for an article title.
    id: Option<String>,
}

pub fn lint(site: &Site) -> Vec<Diagnostic> {
    let names = names(site);
    let index = NameIndex::new(&names);
    let pages: Vec<&Page> = site.pages().collect();
    let mut out: Vec<Diagnostic> = pages
        .par_iter()
        .flat_map_iter(|page| {
            let body_offset = page.body_offset;
            let locate = Locator::new(&page.abs, &page.text);
            let mut out = Vec::new();
            for run in &page.md.prose.runs {
                out.extend(mentions(page, &locate, run, body_offset, &names, &index));
            }
            for img in &page.md.prose.images_without_alt {
                out.push(
                    Diagnostic::warning("image-alt", "this image has no alt text")
                        .located(&locate, body_offset + img.start, img.len())
                        .with_hint("describe the image for readers who cannot see it: `![The Settings screen](settings.png)`"),
                );
            }
            out
        })
        .collect();
    for a in &site.articles {
        if a.page
            .fm
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            out.push(
                Diagnostic::warning("no-description", format!("\"{}\" has no description", a.title))
                    .at_line_col(&a.page.abs, &a.page.text, 1, 1)
                    .with_hint("add `description: ...` to the frontmatter: it shows in listings, search results and search engines"),
            );
        }
    }
    out
}

fn words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || c == '-' || c == '\'' || c == '’';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, text[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text[s..].to_lowercase()));
    }
    out
}

fn names(site: &Site) -> Vec<Name> {
    let mut names = Vec::new();
    for page in site.pages() {
        let mut add = |text: &str, id: Option<String>| {
            let w: Vec<String> = words(text).into_iter().map(|(_, w)| w).collect();
            let proper = text
                .split_whitespace()
                .skip(1)
                .any(|w| w.chars().next().is_some_and(char::is_uppercase));
            if w.len() >= MIN_WORDS || (proper && w.len() >= MIN_WORDS_PROPER) {
                names.push(Name {
                    words: w,
                    shown: text.to_string(),
                    page: page.source.clone(),
                    id,
                });
            }
        };
        add(&page.title(), None);
        for h in &page.md.headings {
            add(&h.text, Some(h.id.to_string()));
        }
    }
    names
}

/// Names by their words: a name's first two words say which lengths to try at a place in
/// the text, and the words of that length find the names (several pages may share a title).
struct NameIndex<'a> {
    lengths: HashMap<(&'a str, &'a str), Vec<usize>>,
    by_words: HashMap<String, Vec<usize>>,
}

impl<'a> NameIndex<'a> {
    fn new(names: &'a [Name]) -> Self {
        let mut lengths: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
        let mut by_words: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, n) in names.iter().enumerate() {
            let l = lengths
                .entry((n.words[0].as_str(), n.words[1].as_str()))
                .or_default();
            if !l.contains(&n.words.len()) {
                l.push(n.words.len());
            }
            by_words.entry(n.words.join(" ")).or_default().push(i);
        }
        // Longest first: a mention is the longest name that matches.
        for l in lengths.values_mut() {
            l.sort_unstable_by(|a, b| b.cmp(a));
        }
        NameIndex { lengths, by_words }
    }
}

fn mentions<'n>(
    page: &Page,
    locate: &Locator,
    run: &Run,
    body_offset: usize,
    names: &'n [Name],
    index: &NameIndex<'_>,
) -> Vec<Diagnostic> {
    let ws = words(&run.text);
    let mut out = Vec::new();
    let mut key = String::new();
    let mut i = 0;
    while i < ws.len() {
        let lengths = ws
            .get(i + 1)
            .and_then(|next| index.lengths.get(&(ws[i].1.as_str(), next.1.as_str())));
        let mut found: Option<&'n Name> = None;
        for &len in lengths.into_iter().flatten() {
            if ws.len() - i < len {
                continue;
            }
            key.clear();
            for (k, w) in ws[i..i + len].iter().enumerate() {
                if k > 0 {
                    key.push(' ');
                }
                key.push_str(&w.1);
            }
            // Of names with the same words, the last one that is not this page itself.
            found = index.by_words.get(key.as_str()).and_then(|cands| {
                cands
                    .iter()
                    .map(|&c| &names[c])
                    .rfind(|n| !is_self(page, run, n))
            });
            if found.is_some() {
                break;
            }
        }
        let Some(name) = found else {
            i += 1;
            continue;
        };
        let preceded_by_to = i > 0 && ws[i - 1].1 == "to";
        if !preceded_by_to {
            let at = ws[i].0;
            let end = ws[i + name.words.len() - 1].0 + ws[i + name.words.len() - 1].1.len();
            let offset = body_offset + run.body_offset(at, &page.text[body_offset..]);
            let href = link_to(page, name);
            out.push(
                Diagnostic::warning(
                    "unlinked-mention",
                    format!(
                        "\"{}\" names a page of this site but is not a link",
                        &run.text[at..end]
                    ),
                )
                .located(locate, offset, end - at)
                .with_hint(format!("link it: [{}]({href})", escape(&name.shown))),
            );
        }
        i += name.words.len();
    }
    out
}

/// A page naming itself, or a section named inside that same section, is not a mention.
fn is_self(page: &Page, run: &Run, name: &Name) -> bool {
    name.page == page.source && (name.id.is_none() || name.id == run.section)
}

fn link_to(page: &Page, name: &Name) -> String {
    let frag = name
        .id
        .as_ref()
        .map(|i| format!("#{i}"))
        .unwrap_or_default();
    if name.page == page.source {
        return frag;
    }
    let from_dir = page.source.dir();
    let depth = if from_dir.is_empty() {
        0
    } else {
        from_dir.split('/').count()
    };
    format!("{}{}{frag}", "../".repeat(depth), name.page)
}
