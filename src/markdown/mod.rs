//! Markdown to HTML: pulldown-cmark plus one small pass per concern.
//!
//! In: an article body, where it sits in its file, and the site's table of pages (for links).
//! Out: [`Rendered`]: the HTML, the headings and steps with their ids, every id of the page,
//! every internal link (for the link checker) and the diagnostics met on the way.
//!
//! The body is parsed once into [`Events`]. Every pass has the one shape [`Pass`],
//! `fn(&mut Events, &mut Ctx)`: it walks the events once, front to back, edits them in place
//! (or writes a new list from [`Ctx::fresh`] when it inserts or removes events), and adds what
//! it finds to the [`Ctx`]; it looks ahead no further than the construct it stands on, so
//! the stage stays linear in the size of a page. [`PASSES`] runs them in order:
//! [`branches`] (checks `::: choose` markers), [`raw_html`] (closes raw HTML left open),
//! [`callouts`] (GitHub alerts and exported `**NOTE:**` lines), [`headings`] (GitHub ids,
//! explicit `{#id}`, the leading `#` title), [`steps`] (every ordered-list item becomes a
//! linkable step), [`prose`] (for `check`), [`links`] (`.md` and wiki targets to page URLs),
//! [`outline`] (units for search), and [`write`] (headings, markers, task boxes and images
//! into HTML, in one walk). No pass knows about templates or output files.

pub mod branches;
pub mod callouts;
pub mod headings;
pub mod html;
pub mod ids;
pub mod images;
pub mod links;
pub mod outline;
pub mod prose;
pub mod raw_html;
pub mod steps;
pub mod write;

use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{CowStr, Event, Options, Parser};
use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Locator};
use crate::held::{exact, exact_string};
use crate::paths::{AnchorId, SourcePath, UrlPath};

/// One event with its byte range in the body.
pub type Ev<'a> = (Event<'a>, Range<usize>);

/// The Markdown dialect the user guide describes (`content/write/`).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_WIKILINKS
}

/// The text of a `#` heading that opens `body`, as [`render`] would take it for the title.
///
/// Only the first block is parsed: a heading that opens a body is its first line (or, for
/// `Title` over `===`, its first lines), so it ends before the first blank line. A body that
/// defines link references or footnotes (`[x]: ...`) is parsed whole, since the heading's
/// text may use them.
pub fn leading_title(body: &str) -> Option<String> {
    let head = if body.contains("]:") {
        body
    } else {
        first_block(body)
    };
    let mut events = Parser::new_ext(head, options());
    let Some(Event::Start(pulldown_cmark::Tag::Heading {
        level: pulldown_cmark::HeadingLevel::H1,
        ..
    })) = events.next()
    else {
        return None;
    };
    let inner: Vec<Event> = events
        .take_while(|e| !matches!(e, Event::End(pulldown_cmark::TagEnd::Heading(_))))
        .collect();
    Some(plain_text(inner.iter()))
}

/// `body` up to the first blank line after its first block's first line.
fn first_block(body: &str) -> &str {
    let mut started = false;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let blank = line.trim_matches([' ', '\t', '\r', '\n']).is_empty();
        if blank && started {
            return &body[..at];
        }
        started |= !blank;
        at += line.len();
    }
    body
}

/// A heading of the page, for the on-page contents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub id: AnchorId,
    pub text: String,
    /// Steps in the procedures directly under this heading.
    pub steps: usize,
}

/// A step: an item of an ordered list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Step {
    pub id: AnchorId,
    /// The number the reader sees.
    pub number: u64,
    /// Plain text of the step's first line.
    pub text: String,
    /// Nesting depth: 0 for a procedure's own steps.
    pub depth: usize,
    /// The heading the procedure sits under, if any.
    pub heading: Option<AnchorId>,
}

/// An internal link found in the body, for the link checker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkRef {
    /// The target page, `None` for a same-page `#fragment`.
    pub target: Option<SourcePath>,
    pub fragment: Option<String>,
    /// Byte range of the link in the whole file.
    pub span: Range<usize>,
    /// The link was written with empty text (`[](page.md#id)`): the HTML holds
    /// [`links::fill_marker`] for this link, to be replaced by the target's title or heading.
    pub fill: bool,
}

/// Everything one Markdown body turns into.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rendered {
    /// Not serialized: the build cache keeps it beside the rest, to be decoded only when used
    /// ([`html::Html::stored`]).
    #[serde(skip)]
    pub html: html::Html,
    /// Text of a leading `#` heading, which is taken out of the body as the page title.
    pub title: Option<String>,
    /// Id reserved for that title heading.
    pub title_id: Option<AnchorId>,
    /// Kept encoded in a cached build until read, as are the ids: only a changed page's (or
    /// a linked one's) are.
    pub headings: crate::lazy::Lazy<Vec<Heading>>,
    /// Kept encoded in a cached build until read: only a changed page's steps are.
    pub steps: crate::lazy::Lazy<Vec<Step>>,
    /// Where each step's list marker (`1.`) is in the body, by step: the Markdown copy writes
    /// each step's id after its first line.
    pub step_starts: Vec<usize>,
    pub ids: crate::lazy::Lazy<Vec<AnchorId>>,
    /// Kept encoded in a cached build until read.
    pub links: crate::lazy::Lazy<Vec<LinkRef>>,
    /// Whether a link was written without text ([`LinkRef::fill`]).
    pub fills: bool,
    /// Relative links to anything but a Markdown page (`pic.png`, `../old/page/`): the path
    /// from the content root they resolve to, and where the link is in the file.
    pub file_links: Vec<(String, Range<usize>)>,
    /// Images that name a file of the site, for the link checker.
    pub images: Vec<images::ImageRef>,
    /// Links to files and images of a snippet's text, written from the snippet's folder: where
    /// each is in the file, and its href from the page (for the Markdown copy).
    pub relocated: Vec<(Range<usize>, String)>,
    /// Plain text outside links and code, for `check`.
    pub prose: prose::Prose,
    /// Sections, steps and options with their text, for search and the anchor record; kept
    /// encoded in a cached build until read.
    pub outline: crate::lazy::Lazy<outline::Outline>,
    pub diagnostics: Vec<Diagnostic>,
    /// What rendering read besides the body itself; kept encoded in a cached build until
    /// read (the engine keeps the image files apart, in its memo).
    pub reads: crate::lazy::Lazy<Reads>,
}

impl Rendered {
    /// Copies the encodings of its values still in a cache file's part out of it
    /// ([`crate::lazy::Lazy::detach`]).
    pub fn detach(&self) {
        self.headings.detach();
        self.steps.detach();
        self.ids.detach();
        self.links.detach();
        self.outline.detach();
        self.reads.detach();
    }
}

/// What rendering a body read besides its own text: the answers it got from the site's
/// [`links::PageTable`] and the image files it measured. The body renders the same while
/// every answer stays the same and no image file changes, which is how the build engine
/// knows it can keep it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reads {
    /// Pages asked for by source path, and their URL (`None`: no such page).
    pub urls: Vec<(SourcePath, Option<UrlPath>)>,
    /// Titles or slugs of wiki links, and the pages they named.
    pub names: Vec<(String, Vec<SourcePath>)>,
    /// Whether it read every page's title (a wiki link that named no page suggests some).
    pub titles: bool,
    /// Image files it looked at, found or not.
    pub images: Vec<std::path::PathBuf>,
}

/// Where a body comes from and where its page goes.
pub struct Input<'a> {
    /// The file, for diagnostics.
    pub path: &'a Path,
    /// The whole file's text.
    pub source: &'a str,
    /// Byte offset of the body in `source`.
    pub body_offset: usize,
    /// The file's place in the content folder.
    pub source_path: &'a SourcePath,
    /// The page's URL.
    pub url: &'a UrlPath,
    /// Every Markdown page of the site: URLs, titles and slugs.
    pub pages: &'a links::PageTable,
    /// Collect [`Rendered::prose`] (only `check` needs it).
    pub prose: bool,
    /// Where each line came from, when `source` has snippets included
    /// ([`crate::snippets`]): positions are moved back to the files the writer wrote, and a
    /// snippet's relative links resolve from its own file.
    pub origins: Option<&'a crate::snippets::Origins>,
    /// Whether a file of the content folder is one the engine listed: an image is opened to
    /// be measured only then, so that a symbolic link that leads outside the site's folder,
    /// which the listing leaves out, is never read.
    pub listed: &'a dyn Fn(&Path) -> bool,
}

impl Input<'_> {
    /// The snippet the byte at `at` of the body comes from, `None` when the page holds it.
    pub fn snippet_at(&self, at: usize) -> Option<&crate::snippets::Inclusion> {
        self.origins?.snippet_at(self.body_offset + at)
    }

    /// The file relative links at byte `at` of the body are written in.
    pub fn base_at(&self, at: usize) -> &SourcePath {
        self.snippet_at(at).map_or(self.source_path, |s| &s.source)
    }

    /// Whether the page is outside the folder of the text `text` (the page's file or a
    /// snippet).
    pub fn away_from(&self, text: &SourcePath) -> bool {
        text.dir() != self.url.dir()
    }

    /// The href from the page to the folder of the text `text` (the page's file or a
    /// snippet), ending in `/`; `None` when the page is in that folder. A file that a snippet,
    /// or a translation (whose page is under its language's folder), names relative to itself
    /// is linked from the page's URL.
    pub fn back_to(&self, text: &SourcePath) -> Option<String> {
        self.away_from(text).then(|| {
            let mut href = match text.dir() {
                "" => self.url.href_to(&UrlPath::new("x")),
                dir => self.url.href_to(&UrlPath::new(format!("{dir}/x"))),
            };
            href.pop();
            href
        })
    }
}

/// The events of one body, each with its byte range in the body: what every pass walks.
pub type Events<'a> = Vec<Ev<'a>>;

/// What the passes share besides the events: the page's [`Input`], its ids, its branch
/// points, and everything found so far. Each pass reads what earlier passes left here and
/// adds its own findings; none keeps state of its own between pages.
pub struct Ctx<'i, 'a> {
    pub input: &'i Input<'i>,
    /// Places problems in the input's file: a page may have one at each of thousands of
    /// places.
    pub locate: Locator<'i>,
    pub ids: ids::IdSet,
    pub branches: branches::Branches,
    /// The title and the headings with their ids ([`headings::apply`]).
    pub headings: headings::Headings,
    /// The steps, their counts per heading and the repeated ids ([`steps::apply`]).
    pub steps: steps::Steps,
    /// The result being built: links, images, outline, prose, diagnostics.
    pub out: Rendered,
    /// What rendering read besides the body, put in [`Rendered::reads`] at the end.
    pub reads: Reads,
    /// The internal links, put in [`Rendered::links`] at the end.
    pub links: Vec<LinkRef>,
    /// The list a pass that inserts or removes events writes into: the one an earlier such
    /// pass left behind, so a page allocates two lists of events however many passes run.
    spare: Events<'a>,
}

impl<'i, 'a> Ctx<'i, 'a> {
    /// The context of a page, before any pass ran.
    pub(crate) fn new(input: &'i Input<'i>, branches: branches::Branches) -> Self {
        Ctx {
            input,
            locate: Locator::new(input.path, input.source),
            ids: ids::IdSet::default(),
            branches,
            headings: headings::Headings::default(),
            steps: steps::Steps::default(),
            out: Rendered::default(),
            reads: Reads::default(),
            links: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// An empty list with room for `len` events, for a pass that rewrites the list.
    pub(crate) fn fresh(&mut self, len: usize) -> Events<'a> {
        let mut out = std::mem::take(&mut self.spare);
        out.clear();
        out.reserve(len);
        out
    }

    /// Makes `rewritten` the events; the old list becomes the spare.
    pub(crate) fn replace(&mut self, events: &mut Events<'a>, rewritten: Events<'a>) {
        self.spare = std::mem::replace(events, rewritten);
    }
}

/// A Markdown pass: one walk over the events, front to back, that edits them in place (or
/// writes a new list through [`Ctx::fresh`] when it inserts or removes events) and adds what
/// it finds to the [`Ctx`]. A pass looks ahead no further than the end of the construct it
/// stands on (a heading, an image, a link, a paragraph) and never back: the stage stays
/// linear in the size of a page.
pub type Pass = for<'i, 'a> fn(&mut Events<'a>, &mut Ctx<'i, 'a>);

/// Every pass, in the order they run. The order is the contract between them: see each
/// pass's doc and `ARCHITECTURE.md` ("Markdown passes").
pub const PASSES: [(&str, Pass); 9] = [
    ("branches", branches::check),
    ("raw HTML", raw_html::close),
    ("callouts", callouts::apply),
    ("headings", headings::apply),
    ("steps", steps::apply),
    ("prose", prose::collect),
    // Links before the outline, so the outline holds the markers of links written without text.
    ("links", links::apply),
    ("outline", outline::collect),
    ("HTML", write::apply),
];

/// Renders one body through every pass.
pub fn render(input: &Input<'_>) -> Rendered {
    let body = &input.source[input.body_offset..];
    let rewritten = branches::preprocess(body);
    let (text, branch_table) = match &rewritten {
        Some((text, table)) => (text.as_str(), table.clone()),
        None => (body, branches::Branches::default()),
    };
    let mut events = parse(text);
    let mut cx = Ctx::new(input, branch_table);
    for (_, pass) in PASSES {
        pass(&mut events, &mut cx);
    }
    let Ctx {
        locate,
        ids,
        headings: heads,
        steps,
        mut out,
        reads,
        links,
        ..
    } = cx;
    out.reads = crate::lazy::Lazy::new(reads);
    out.fills = links.iter().any(|l| l.fill);
    out.links = crate::lazy::Lazy::new(exact(links));

    out.title = heads.title;
    out.title_id = heads.title_id;
    let mut headings = heads.headings;
    let heading_at: rustc_hash::FxHashMap<&AnchorId, usize> = headings
        .iter()
        .enumerate()
        .map(|(i, h)| (&h.id, i))
        .collect();
    let counted: Vec<(usize, usize)> = steps
        .counts
        .iter()
        .filter_map(|(id, count)| heading_at.get(id).map(|&i| (i, *count)))
        .collect();
    for (i, count) in counted {
        headings[i].steps += count;
    }
    out.headings = crate::lazy::Lazy::new(exact(headings));
    out.steps = crate::lazy::Lazy::new(exact(steps.steps));
    out.step_starts = exact(steps.starts);
    // An id of a snippet's text that repeats one of its page is an error: links to it would
    // land on the wrong place.
    let mut repeated = steps.repeated;
    if input.origins.is_some() {
        let (collide, rest): (Vec<_>, Vec<_>) = repeated
            .into_iter()
            .partition(|d| input.snippet_at(d.2).is_some());
        repeated = rest;
        let heads = heads
            .repeated
            .iter()
            .filter(|d| input.snippet_at(d.2).is_some());
        for (id, became, at) in collide.iter().chain(heads) {
            out.diagnostics.push(
                Diagnostic::error(
                    "snippet-id-collision",
                    format!("id `{id}` from this snippet is already an id of the page that includes it; here it became `{became}`"),
                )
                .located(&locate, input.body_offset + at, 1)
                .with_hint("give it another `{#id}`, or include the snippet only once in a page"),
            );
        }
    }
    // A page that repeats one step id thousands of times gets a handful of warnings and a
    // count, not thousands of lines.
    const SHOWN: usize = 20;
    for dup in repeated.iter().take(SHOWN) {
        out.diagnostics.push(
            Diagnostic::warning(
                "step-id-repeated",
                format!(
                    "step id `{}` repeats in this page; it became `{}`",
                    dup.0, dup.1
                ),
            )
            .located(&locate, input.body_offset + dup.2, 1)
            .with_hint(
                "give one of the steps an explicit id with `{#id}` at the end of its first line",
            ),
        );
    }
    if repeated.len() > SHOWN {
        out.diagnostics.push(
            Diagnostic::warning(
                "step-id-repeated",
                format!(
                    "{} more step ids repeat in this page",
                    repeated.len() - SHOWN
                ),
            )
            .in_file(input.path)
            .with_hint("give repeated steps explicit ids with `{#id}`, or split the page"),
        );
    }
    if let Some(at) = steps.too_deep {
        out.diagnostics.push(
            Diagnostic::warning(
                "steps-too-deep",
                format!(
                    "steps nested more than {} deep get no ids or links; this list and those inside it are plain numbered lists",
                    steps::MAX_DEPTH
                ),
            )
            .located(&locate, input.body_offset + at, 1)
            .with_hint("split the procedure into shorter ones, or move the deep steps into their own section"),
        );
    }
    out.ids = crate::lazy::Lazy::new(exact(ids.into_ids()));
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter().map(|(e, _)| e));
    // The largest thing a body keeps ([`crate::held`]).
    exact_string(&mut html);
    out.html = html.into();
    if let Some(origins) = input.origins {
        for d in &mut out.diagnostics {
            origins.remap(input.path, d);
        }
    }
    out
}

/// Parses `text` into its events, each run of adjacent text events merged into one, as
/// pulldown-cmark's `TextMergeWithOffset` merges them: a run of two or more becomes one text
/// spanning them all (or nothing, when it holds no text), a lone text stays as it is. A run
/// whose pieces lie back to back in `text` (most are: the parser splits text at brackets and
/// delimiters it did not match) becomes one slice of it, with no copy.
pub(crate) fn parse(text: &str) -> Events<'_> {
    // About one event per ten bytes of Markdown: sized up front, the list rarely regrows.
    let mut events: Events = Vec::with_capacity(text.len() / 8 + 16);
    // Whether the text event last pushed merged two or more.
    let mut merged = false;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        if let Event::Text(next) = event {
            if let Some((Event::Text(last), last_range)) = events.last_mut() {
                let joined = std::mem::replace(last, CowStr::Borrowed(""));
                *last = join(text, joined, next);
                last_range.end = range.end;
                merged = true;
                continue;
            }
            merged = false;
            events.push((Event::Text(next), range));
            continue;
        }
        drop_empty_merge(&mut events, merged);
        merged = false;
        events.push((event, range));
    }
    drop_empty_merge(&mut events, merged);
    events
}

/// Takes off the last event when it is a merged run of texts that holds no text, as
/// `TextMergeWithOffset` does.
fn drop_empty_merge(events: &mut Events<'_>, merged: bool) {
    if merged && matches!(events.last(), Some((Event::Text(t), _)) if t.is_empty()) {
        events.pop();
    }
}

/// `first` followed by `second`: a slice of `text` when both are slices of it that meet,
/// else a new string.
fn join<'a>(text: &'a str, first: CowStr<'a>, second: CowStr<'a>) -> CowStr<'a> {
    if let (CowStr::Borrowed(a), CowStr::Borrowed(b)) = (&first, &second) {
        let base = text.as_ptr() as usize;
        let start = (a.as_ptr() as usize).wrapping_sub(base);
        let meet = (b.as_ptr() as usize).wrapping_sub(base);
        if start <= text.len()
            && start + a.len() == meet
            && meet <= text.len()
            && let Some(both) = text.get(start..meet + b.len())
        {
            return CowStr::Borrowed(both);
        }
    }
    let mut s = first.into_string();
    s.push_str(&second);
    CowStr::from(s)
}

/// Tags that live inside a line of text (emphasis, links, images...), not blocks.
pub(crate) fn is_inline_tag(t: &pulldown_cmark::Tag<'_>) -> bool {
    use pulldown_cmark::Tag;
    matches!(
        t,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

/// The ends of the tags of [`is_inline_tag`].
pub(crate) fn is_inline_end(t: &pulldown_cmark::TagEnd) -> bool {
    use pulldown_cmark::TagEnd;
    matches!(
        t,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Plain text of a run of inline events, trimmed, in one allocation of the right size.
pub fn plain_text<'a, I>(events: I) -> String
where
    I: IntoIterator<Item = &'a Event<'a>>,
    I::IntoIter: Clone,
{
    let events = events.into_iter();
    let piece = |e: &'a Event<'a>| -> &'a str {
        match e {
            Event::Text(t) | Event::Code(t) => t,
            Event::SoftBreak | Event::HardBreak => " ",
            _ => "",
        }
    };
    let len = events.clone().map(piece).map(str::len).sum();
    let mut s = String::with_capacity(len);
    events.map(piece).for_each(|p| s.push_str(p));
    s.truncate(s.trim_end().len());
    let lead = s.len() - s.trim_start().len();
    s.drain(..lead);
    s
}

/// Escapes text for an HTML attribute or element.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let Ok(()) = escape_pieces(s, |piece| {
        out.push_str(piece);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// Hands `s` to `push` in pieces, with `&`, `<`, `>`, `"` and `'` escaped: runs of plain
/// text go in one piece each.
pub fn escape_pieces<E>(s: &str, mut push: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        // One look-up per byte: most text has nothing to escape.
        if !ESCAPED[b as usize] {
            continue;
        }
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        push(&s[from..i])?;
        push(with)?;
        from = i + 1;
    }
    push(&s[from..])
}

/// Whether [`escape`] would change `s`.
pub(crate) fn needs_escape(s: &str) -> bool {
    s.bytes().any(|b| ESCAPED[b as usize])
}

/// The bytes [`escape_pieces`] escapes.
static ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    escaped[b'&' as usize] = true;
    escaped[b'<' as usize] = true;
    escaped[b'>' as usize] = true;
    escaped[b'"' as usize] = true;
    escaped[b'\'' as usize] = true;
    escaped
};

/// Moves an event out of a list being rewritten front to back, which never looks back at
/// it: cheaper than a clone, which copies every owned string.
pub(crate) fn take<'a>(e: &mut Ev<'a>) -> Ev<'a> {
    std::mem::replace(e, (Event::SoftBreak, 0..0))
}

/// An HTML event that carries no source range of its own.
pub fn html<'a>(s: String, at: &Range<usize>) -> Ev<'a> {
    (Event::Html(CowStr::from(s)), at.clone())
}

/// Turns an event, in place, into raw HTML; its source range stays.
pub(crate) fn set_html(event: &mut Event<'_>, html: String) {
    *event = Event::Html(CowStr::from(html));
}

/// [`set_html`] for HTML that is always the same: no copy is made.
pub(crate) fn set_static_html(event: &mut Event<'_>, html: &'static str) {
    *event = Event::Html(CowStr::Borrowed(html));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Renders `md` as the file `at`, in a site whose pages are a fixed small set.
    pub fn render_at(at: &str, md: &str) -> Rendered {
        let mut pages = links::PageTable::default();
        for (s, u, t) in [
            (
                "get-started/install.md",
                "get-started/install.html",
                "Install stepbook",
            ),
            ("write/a.md", "write/a.html", "Write an article"),
            ("write/b.md", "write/b.html", "Billing basics"),
            ("write/c.md", "write/c.html", "Billing basics"),
            ("a.md", "a.html", "Alpha"),
        ] {
            pages.insert(SourcePath::from_relative(Path::new(s)), UrlPath::new(u), t);
        }
        let sp = SourcePath::from_relative(Path::new(at));
        let url = pages
            .urls
            .get(&sp)
            .cloned()
            .unwrap_or_else(|| UrlPath::new("x.html"));
        render(&Input {
            path: Path::new(at),
            source: md,
            body_offset: 0,
            source_path: &sp,
            url: &url,
            pages: &pages,
            prose: true,
            origins: None,
            listed: &|_| true,
        })
    }

    pub fn render_full(md: &str) -> Rendered {
        render_at("a.md", md)
    }

    pub fn render_body(md: &str) -> String {
        render_full(md).html.to_string()
    }

    /// What a body keeps for the rest of the build is held in blocks of its own length, not
    /// in the room its lists and texts grew into.
    #[test]
    fn what_a_body_keeps_is_held_without_spare_room() {
        let mut md = String::from("Intro [a](#first).\n\n");
        for h in 0..5 {
            md.push_str(&format!("## Part {h}\n\n"));
            for s in 1..=13 {
                // Squashed: the tab and the double space.
                md.push_str(&format!(
                    "{s}. Open **Settings** and tap  the\tbutton number {s} of part {h}.\n"
                ));
            }
            md.push('\n');
        }
        let out = render_full(&md);
        let (steps, units) = (out.steps.get(), &out.outline.get().units);
        assert_eq!((steps.len(), units.len()), (65, 70));
        assert_eq!(steps.capacity(), steps.len());
        assert_eq!(out.step_starts.capacity(), out.step_starts.len());
        let (headings, links) = (out.headings.get(), out.links.get());
        assert_eq!((headings.len(), links.len()), (5, 1));
        assert_eq!(headings.capacity(), headings.len());
        assert_eq!(links.capacity(), links.len());
        assert_eq!(out.ids.get().capacity(), out.ids.get().len());
        assert_eq!(units.capacity(), units.len());
        for u in units {
            assert_eq!(u.text.capacity(), u.text.len(), "{:?}", u.text);
        }
        let step = |u: &&outline::Unit| u.kind == outline::Kind::Step;
        assert!(units.iter().filter(step).all(|u| u.text.len() > 40));
    }

    /// A body with a problem at each of thousands of places (wiki links to no page, options
    /// outside a branch point, elements left open): each is reported at its own line and
    /// column.
    #[test]
    fn a_body_of_many_problems_reports_each_at_its_place() {
        const N: usize = 5_000;
        let mut md = String::new();
        for i in 0..N {
            md.push_str(&format!(
                "- [[Missing {i}]]\n\n::: option Lost {i}\n\n<div>\n\n"
            ));
        }
        let r = render_full(&md);
        let mut by_code: std::collections::BTreeMap<&str, Vec<(usize, usize)>> =
            std::collections::BTreeMap::new();
        for d in &r.diagnostics {
            let at = d.location.as_deref().unwrap();
            by_code.entry(d.code).or_default().push((at.line, at.col));
        }
        let every = |line: usize, col: usize| -> Vec<(usize, usize)> {
            (0..N).map(|i| (6 * i + line, col)).collect()
        };
        let mut wiki = by_code["wiki-link"].clone();
        wiki.sort();
        assert_eq!(wiki, every(1, 3));
        let mut open = by_code["html-left-open"].clone();
        open.sort();
        assert_eq!(open, every(5, 1));
        let mut options = by_code["branch-syntax"].clone();
        options.sort();
        assert_eq!(options, every(3, 1));
    }

    #[test]
    fn plain_text_is_trimmed_across_pieces() {
        use pulldown_cmark::CowStr;
        let events = [
            Event::SoftBreak,
            Event::Text(CowStr::from("  ")),
            Event::Text(CowStr::from(" Open ")),
            Event::Start(pulldown_cmark::Tag::Strong),
            Event::Code(CowStr::from("Settings")),
            Event::End(pulldown_cmark::TagEnd::Strong),
            Event::HardBreak,
            Event::Text(CowStr::from("now ")),
            Event::SoftBreak,
        ];
        assert_eq!(plain_text(events.iter()), "Open Settings now");
        assert_eq!(plain_text([Event::SoftBreak].iter()), "");
        assert_eq!(plain_text([].iter()), "");
    }

    #[test]
    fn leading_title_reads_the_first_block_only_when_that_is_enough() {
        let cases = [
            ("# Install *it*\n\nBody.\n", Some("Install it")),
            ("\n\nInstall\n===\n\nBody.\n", Some("Install")),
            ("Intro.\n\n# Later\n", None),
            ("# [Guide][g]\n\n[g]: https://example.com\n", Some("Guide")),
            ("# Note[^1]\n\n[^1]: A footnote.\n", Some("Note")),
            ("```\n\n# not a heading\n```\n", None),
            ("# Title {#own}\n", Some("Title")),
            ("", None),
        ];
        for (body, title) in cases {
            assert_eq!(leading_title(body).as_deref(), title, "{body:?}");
            let whole = render_full(body).title;
            assert_eq!(whole.as_deref(), title, "render agrees on {body:?}");
        }
        assert_eq!(first_block("\n \n# A\nb\n\nc\n"), "\n \n# A\nb\n");
    }

    #[test]
    fn parse_merges_text_as_pulldown_cmark_does() {
        use pulldown_cmark::TextMergeWithOffset;
        let cases = [
            "a [b c *d e_f g\\*h &amp; i &#0; j\n",
            "x\\\n`y\n\n[not a link] **a** [^n] <b\n",
            "| a | b\\|c |\n|---|---|\n| &lt; | [x |\n",
            "- [ ] task [y\n- [x] ~~s~~ ~t\n\n1. {#id} [z]\n",
            "&#x200B;&#x200B;\n\n\\\n",
            "",
            "[",
            "é [ü] ç\r\nnext [line\r\n",
        ];
        for md in cases {
            let ours = parse(md);
            let theirs: Vec<_> =
                TextMergeWithOffset::new(Parser::new_ext(md, options()).into_offset_iter())
                    .collect();
            assert_eq!(ours, theirs, "{md:?}");
        }
        let borrowed = parse("a [b c *d\n");
        assert!(
            matches!(&borrowed[1].0, Event::Text(CowStr::Borrowed("a [b c *d"))),
            "{borrowed:?}"
        );
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(escape(r#"a<b>&"c'd"#), "a&lt;b&gt;&amp;&quot;c&#39;d");
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn task_boxes_have_names() {
        let html = render_body("- [x] a\n- [ ] b\n");
        assert!(
            html.contains("<input type=\"checkbox\" disabled checked aria-label=\"Done\"> a"),
            "{html}"
        );
        assert!(
            html.contains("<input type=\"checkbox\" disabled aria-label=\"Not done\"> b"),
            "{html}"
        );
    }
}
