//! The theme: the built-in templates and static files, overridden file by file by
//! `themes/<name>/`, compiled once, and a page's context rendered through them.
//!
//! In: the theme folder. Out: a [`Theme`] (or every problem of its templates, each pointed at
//! its file, line and column), whose pages render from a [`PageCtx`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use tera::{Context, Tera};
use walkdir::WalkDir;

use super::context::PageCtx;
use super::{OutFile, Sink, key_of};
use crate::diagnostics::Diagnostic;
use crate::paths::UrlPath;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "home.html",
        include_str!("../../themes/default/templates/home.html"),
    ),
    (
        "collection.html",
        include_str!("../../themes/default/templates/collection.html"),
    ),
    (
        "article.html",
        include_str!("../../themes/default/templates/article.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "tag.html",
        include_str!("../../themes/default/templates/tag.html"),
    ),
    (
        "tags.html",
        include_str!("../../themes/default/templates/tags.html"),
    ),
    (
        "parts/breadcrumbs.html",
        include_str!("../../themes/default/templates/parts/breadcrumbs.html"),
    ),
    (
        "parts/search-box.html",
        include_str!("../../themes/default/templates/parts/search-box.html"),
    ),
    (
        "parts/cards.html",
        include_str!("../../themes/default/templates/parts/cards.html"),
    ),
    (
        "parts/article-list.html",
        include_str!("../../themes/default/templates/parts/article-list.html"),
    ),
    (
        "parts/link-list.html",
        include_str!("../../themes/default/templates/parts/link-list.html"),
    ),
    (
        "parts/sidebar.html",
        include_str!("../../themes/default/templates/parts/sidebar.html"),
    ),
];

const STATIC: &[(&str, &[u8])] = &[
    (
        "assets/stepbook.css",
        include_bytes!("../../themes/default/static/assets/stepbook.css"),
    ),
    (
        "assets/stepbook.js",
        include_bytes!("../../themes/default/static/assets/stepbook.js"),
    ),
    (
        "assets/search.css",
        include_bytes!("../../themes/default/static/assets/search.css"),
    ),
    (
        "assets/search.js",
        include_bytes!("../../themes/default/static/assets/search.js"),
    ),
    (
        "assets/search-ui.js",
        include_bytes!("../../themes/default/static/assets/search-ui.js"),
    ),
];

/// The files a theme is made of, read but not parsed: the built-in templates and static
/// files, each overridden by a file of the same name in the theme's folder.
pub struct Sources {
    /// Each template's name, text and file (none for a built-in one).
    templates: Vec<(String, String, Option<PathBuf>)>,
    statics: Vec<OutFile>,
    /// The hash of every template's name and text, as [`Theme::fingerprint`].
    fingerprint: u64,
    /// Templates that could not be read.
    problems: Vec<Diagnostic>,
    /// The folder of the templates.
    dir: PathBuf,
}

impl Sources {
    pub fn read(theme_dir: &Path) -> Sources {
        let mut templates: Vec<(String, String, Option<PathBuf>)> = TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string(), None))
            .collect();
        let mut problems = Vec::new();
        let dir = theme_dir.join("templates");
        for (name, path) in files_under(&dir) {
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    templates.retain(|(n, _, _)| *n != name);
                    templates.push((name, text, Some(path)));
                }
                Err(e) => problems.push(
                    Diagnostic::error("io", format!("cannot read template: {e}")).in_file(&path),
                ),
            }
        }
        let mut statics: Vec<OutFile> = STATIC
            .iter()
            .map(|(p, b)| OutFile::Bytes(p.to_string(), b.to_vec()))
            .collect();
        for (rel, path) in files_under(&theme_dir.join("static")) {
            statics.retain(|f| f.path() != rel);
            statics.push(OutFile::Copy(rel, path));
        }
        let fingerprint = key_of(&templates.iter().map(|(n, t, _)| (n, t)).collect::<Vec<_>>());
        Sources {
            templates,
            statics,
            fingerprint,
            problems,
            dir,
        }
    }

    /// Whether `theme` is what these sources make: every template read, with the fingerprint
    /// of the theme's (which every page's key holds, so a theme of the same fingerprint
    /// renders every page the same), and the same static files. Then it need not be parsed
    /// again.
    pub fn made(&self, theme: &Theme) -> bool {
        self.problems.is_empty()
            && theme.fingerprint == self.fingerprint
            && theme.statics == self.statics
    }
}

/// The compiled templates and the static files of the selected theme.
pub struct Theme {
    tera: Tera,
    pub(super) statics: Vec<OutFile>,
    /// A hash of every template's text: pages render again when it changes.
    pub fingerprint: u64,
    /// The largest page each template has made so far, by template name: a page's buffer
    /// starts that large, so it is not copied as it grows.
    sizes: HashMap<String, AtomicUsize>,
}

impl Theme {
    /// The built-in theme with the overrides found in `theme_dir` (which may not exist).
    pub fn load(theme_dir: &Path) -> Result<Theme, Vec<Diagnostic>> {
        Theme::parse(Sources::read(theme_dir))
    }

    /// The theme made of `sources`: its templates parsed.
    pub fn parse(sources: Sources) -> Result<Theme, Vec<Diagnostic>> {
        let Sources {
            templates,
            statics,
            fingerprint,
            mut problems,
            dir,
        } = sources;
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        if let Err(e) =
            tera.add_raw_templates(templates.iter().map(|(n, t, _)| (n.as_str(), t.as_str())))
        {
            problems.push(template_diagnostic(&tera_message(&e), &templates, &dir));
        }
        if problems.is_empty() {
            Ok(Theme {
                tera,
                statics,
                fingerprint,
                sizes: templates
                    .iter()
                    .map(|(n, _, _)| (n.clone(), AtomicUsize::new(0)))
                    .collect(),
            })
        } else {
            Err(problems)
        }
    }

    /// The theme's static files (built in, overridden file by file).
    pub fn static_files(&self) -> &[OutFile] {
        &self.statics
    }

    /// The output paths of [`Theme::static_files`].
    pub fn static_paths(&self) -> impl Iterator<Item = &str> + Clone {
        self.statics.iter().map(OutFile::path)
    }

    /// Renders the page at `url` when `sink` wants it: its key is the hash of the template's
    /// name and the whole context, which is all a template sees.
    pub(super) fn render_if<P: Serialize + std::hash::Hash>(
        &self,
        salt: u64,
        url: &UrlPath,
        template: &str,
        ctx: &PageCtx<'_, P>,
        sink: &dyn Sink,
    ) -> Result<Option<(OutFile, u64)>, Diagnostic> {
        let key = key_of(&(salt, template, ctx));
        if !sink.wants(url.as_str(), key) {
            return Ok(None);
        }
        let html = self.render(template, ctx)?;
        Ok(Some((OutFile::Bytes(url.to_string(), html), key)))
    }

    /// The page `template` makes of `ctx`, written straight into a buffer as large as the
    /// largest page of the template so far. (Tera's own `render` grows one from the template's
    /// size, then checks that the whole page is UTF-8, which it is: templates and values are
    /// text.)
    fn render<P: Serialize + std::hash::Hash>(
        &self,
        template: &str,
        ctx: &PageCtx<'_, P>,
    ) -> Result<Vec<u8>, Diagnostic> {
        let context = Context::from_serialize(ctx).map_err(|e| {
            Diagnostic::error(
                "template",
                format!("cannot build the context for {template}: {e}"),
            )
        })?;
        let size = self.sizes.get(template);
        let mut out = Vec::with_capacity(size.map_or(0, |s| s.load(Ordering::Relaxed)));
        self.tera
            .render_to(template, &context, &mut out)
            .map_err(|e| {
                Diagnostic::error(
                    "template",
                    format!("template {template} failed: {}", tera_message(&e)),
                )
            })?;
        if let Some(s) = size {
            s.fetch_max(out.len(), Ordering::Relaxed);
        }
        // A page may be held (`serve` keeps every page): it holds no more than it needs. The
        // allocator shrinks a block in place.
        out.shrink_to_fit();
        Ok(out)
    }
}

/// The files under `dir` (which may not exist), by name, each with its path from `dir`
/// written with `/`.
fn files_under(dir: &Path) -> impl Iterator<Item = (String, PathBuf)> + '_ {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(move |e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            (rel, e.into_path())
        })
}

/// Tera's autoescape: the same five escapes as its own escaper, which writes one byte at a
/// time; this one writes runs of plain text whole.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::markdown::escape_pieces(input, |piece| out.write_all(piece.as_bytes()))
}

/// Points a template compile error at the template file, line and column Tera names.
fn template_diagnostic(
    message: &str,
    sources: &[(String, String, Option<PathBuf>)],
    tdir: &Path,
) -> Diagnostic {
    let first = message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_start_matches("error: ");
    let position = sources.iter().find_map(|(name, text, path)| {
        let at = message.find(&format!("--> {name}:"))? + 5 + name.len();
        let mut nums = message[at..]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let line = nums.next()?.parse::<usize>().ok()?;
        let col = nums.next()?.parse::<usize>().ok()?;
        Some((name, text, path, line, col))
    });
    let culprit = position.map(|(n, t, p, _, _)| (n, t, p)).or_else(|| {
        sources
            .iter()
            .find(|(n, _, _)| message.contains(&format!("'{n}'")))
            .map(|(n, t, p)| (n, t, p))
    });
    let d = Diagnostic::error(
        "template",
        format!("the theme's templates do not compile: {first}"),
    );
    match (culprit, position) {
        (Some((_, text, Some(path))), Some((_, _, _, line, col))) => {
            d.at_line_col(path, text, line, col)
        }
        (Some((_, _, Some(path))), None) => d.in_file(path),
        (Some((name, _, None)), _) => d.in_file(&PathBuf::from(format!("<built-in theme>/{name}"))),
        (None, _) => d.in_file(tdir),
    }
}

fn tera_message(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
