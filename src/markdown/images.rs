//! Images: lazy loading, and their size written out so the page keeps their space while
//! they load. The size is read from the file's header (PNG, GIF, JPEG, WebP, SVG) when the
//! image names a file of the content folder (resolved as the link checker resolves it, from
//! the folder of the text that names it); other images are only made lazy. Every image that names
//! a file of the site (not a URL) is recorded in [`Rendered::images`](super::Rendered), so
//! the link checker can report the ones that do not exist.

use std::io::Read;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Ctx, Ev, Input, escape, plain_text};
use crate::paths::percent_decode;

/// An image that names a file of the site, for the link checker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImageRef {
    /// The file's path from the content folder; `None` when the path climbs out of it.
    pub file: Option<crate::paths::SourcePath>,
    /// Byte range of the image in the whole file.
    pub span: std::ops::Range<usize>,
}

/// The HTML of the image whose start event is `events[i]` (for [`super::write`]):
/// `<img ... loading="lazy" decoding="async" width height>`, and the index of the image's end
/// event. An image that names a local file is recorded in [`Rendered::images`](super::Rendered);
/// every image file looked at, found or not, in its reads. `None` when `events[i]` opens no
/// image.
pub fn html(events: &[Ev<'_>], i: usize, cx: &mut Ctx<'_, '_>) -> Option<(String, usize)> {
    let (
        Event::Start(Tag::Image {
            dest_url, title, ..
        }),
        range,
    ) = &events[i]
    else {
        return None;
    };
    let input = cx.input;
    let end = (i..events.len())
        .find(|&j| matches!(events[j].0, Event::End(TagEnd::Image)))
        .unwrap_or(events.len());
    let alt = plain_text(events[i + 1..end.min(events.len())].iter().map(|(e, _)| e));
    let local = local_path(dest_url);
    let span = input.body_offset + range.start..input.body_offset + range.end;
    // The file, from the folder of the text that names it (a snippet's own, for an image
    // of a snippet), within the content folder.
    let base = input.base_at(range.start);
    let file = local.as_deref().and_then(|path| base.join_link(path));
    // An image written from another folder than the page's (a snippet's, or a translation's
    // under its language's folder): its src is led from the page.
    let src = match &file {
        Some(p) if input.away_from(base) => {
            let tail = dest_url.split(['?', '#']).next().map_or(0, str::len);
            let href = super::links::file_href(input, p, &dest_url[tail..]);
            cx.out.relocated.push((span.clone(), href.clone()));
            href
        }
        _ => dest_url.to_string(),
    };
    let mut tag = format!("<img src=\"{}\" alt=\"{}\"", escape(&src), escape(&alt));
    if !title.is_empty() {
        tag.push_str(&format!(" title=\"{}\"", escape(title)));
    }
    if local.is_some() {
        cx.out.images.push(ImageRef {
            file: file.clone(),
            span,
        });
    }
    let measured = file
        .filter(measurable)
        .and_then(|f| Some(f.to_path(&content_root(input)?)));
    if let Some((w, h)) = measured.and_then(|at| local_size(at, input.listed, &mut cx.reads.images))
    {
        tag.push_str(&format!(" width=\"{w}\" height=\"{h}\""));
    }
    tag.push_str(" loading=\"lazy\" decoding=\"async\">");
    Some((tag, end))
}

/// Raw HTML with the source of every `<img src="...">` that is a relative path prefixed with
/// `back` (the href from the page to the folder the HTML was written in, worked out only
/// for HTML that has such an image); `None` when it has none, or `back` is none.
pub fn rebase_raw(html: &str, back: impl FnOnce() -> Option<String>) -> Option<String> {
    const SRC: &str = "<img src=\"";
    let relative = |rest: &str| {
        let src = &rest[..rest.find('"').unwrap_or(rest.len())];
        !(src.starts_with('/')
            || src.starts_with('#')
            || src.starts_with("data:")
            || src.contains("://"))
    };
    if !(html.match_indices(SRC)).any(|(i, _)| relative(&html[i + SRC.len()..])) {
        return None;
    }
    let back = back()?;
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find(SRC) {
        let (before, after) = rest.split_at(i + SRC.len());
        out.push_str(before);
        if relative(after) {
            out.push_str(&back);
        }
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// The file path of an image source that names a file of the site: not a URL, not a
/// `data:` image, not a path from the domain's root; percent escapes decoded.
fn local_path(src: &str) -> Option<String> {
    let path = src.split(['?', '#']).next().unwrap_or("");
    let scheme = path.split('/').next().is_some_and(|s| s.contains(':'));
    if path.is_empty() || scheme || path.starts_with('/') {
        return None;
    }
    Some(percent_decode(path).unwrap_or_else(|| path.to_string()))
}

/// Whether the file at `path` of the content folder may be measured: a path to a file the
/// engine lists (not the folder itself, nothing hidden, which the engine does not follow), and
/// no part that another system reads as a separator or a drive (`\\`, `:`), so that it stays
/// within the folder wherever it is joined.
fn measurable(path: &crate::paths::SourcePath) -> bool {
    let path = path.as_str();
    !path.is_empty()
        && !path.contains(['\\', ':'])
        && path.split('/').all(|part| !part.starts_with('.'))
}

/// The content folder: the page's file, less its place in it.
fn content_root(input: &Input<'_>) -> Option<PathBuf> {
    let mut root = input.path;
    for _ in input.source_path.as_str().split('/') {
        root = root.parent()?;
    }
    Some(root.to_path_buf())
}

/// The pixel size of the image file at `path`, which is noted among the files measured,
/// found or not; a file the engine did not list is not opened.
fn local_size(
    path: PathBuf,
    listed: &dyn Fn(&Path) -> bool,
    measured: &mut Vec<PathBuf>,
) -> Option<(u32, u32)> {
    let f = listed(&path).then(|| std::fs::File::open(&path));
    measured.push(path);
    // At most the first 64 KiB (a JPEG's size may follow its metadata), into room that is
    // not zeroed first: a screenshot is read whole in one call, and most are far smaller.
    let mut head = Vec::with_capacity(64 * 1024);
    f?.ok()?.take(64 * 1024).read_to_end(&mut head).ok()?;
    size_of(&head)
}

/// Width and height from the first bytes of a PNG, GIF, JPEG or WebP file.
pub fn size_of(b: &[u8]) -> Option<(u32, u32)> {
    let be32 = |at: usize| {
        b.get(at..at + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    let le16 = |at: usize| {
        b.get(at..at + 2)
            .map(|s| u16::from_le_bytes([s[0], s[1]]) as u32)
    };
    let be16 = |at: usize| {
        b.get(at..at + 2)
            .map(|s| u16::from_be_bytes([s[0], s[1]]) as u32)
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF8") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return match b.get(12..16)? {
            b"VP8X" => {
                let w = 1 + (le16(24)? | (*b.get(26)? as u32) << 16);
                let h = 1 + (le16(27)? | (*b.get(29)? as u32) << 16);
                Some((w, h))
            }
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff)),
            b"VP8L" => {
                let bits = u32::from_le_bytes([*b.get(21)?, *b.get(22)?, *b.get(23)?, *b.get(24)?]);
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            _ => None,
        };
    }
    if let Some(size) = svg_size(b) {
        return Some(size);
    }
    if b.starts_with(&[0xff, 0xd8]) {
        let mut at = 2;
        while at + 9 < b.len() {
            if b[at] != 0xff {
                return None;
            }
            let marker = b[at + 1];
            let len = be16(at + 2)? as usize;
            // Start of frame: baseline, progressive, and the rarer kinds; not DHT/JPG/DAC.
            if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
                return Some((be16(at + 7)?, be16(at + 5)?));
            }
            at += 2 + len;
        }
    }
    None
}

/// `width` and `height` (in px or unitless) of an SVG's root element, else its `viewBox`.
fn svg_size(b: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(&b[..b.len().min(4096)]).ok()?;
    let start = text.find("<svg")?;
    let tag = &text[start..start + text[start..].find('>')?];
    let attr = |name: &str| -> Option<&str> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..].split('"').next()
    };
    let number = |v: &str| {
        v.trim()
            .trim_end_matches("px")
            .parse::<f64>()
            .ok()
            .filter(|n| *n > 0.0)
            .map(|n| n.round() as u32)
    };
    if let (Some(w), Some(h)) = (
        attr("width").and_then(number),
        attr("height").and_then(number),
    ) {
        return Some((w, h));
    }
    let vb: Vec<f64> = attr("viewBox")?
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    (vb.len() == 4 && vb[2] > 0.0 && vb[3] > 0.0)
        .then(|| (vb[2].round() as u32, vb[3].round() as u32))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn raw_images_with_relative_sources_are_led_from_the_page() {
        let html = "<p><img src=\"pic.png\" alt=\"\"><img src=\"https://x.test/a.png\"><img src=\"/abs.png\"><img src=\"data:image/png;base64,AA\"><img src=\"#x\"></p>";
        assert_eq!(
            rebase_raw(html, || Some("../../guide/".into())).as_deref(),
            Some(
                "<p><img src=\"../../guide/pic.png\" alt=\"\"><img src=\"https://x.test/a.png\"><img src=\"/abs.png\"><img src=\"data:image/png;base64,AA\"><img src=\"#x\"></p>"
            )
        );
        assert_eq!(
            rebase_raw("<img src=\"/abs.png\">", || Some("../".into())),
            None
        );
        assert_eq!(rebase_raw("<div></div>", || Some("../".into())), None);
    }

    #[test]
    fn reads_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(size_of(&png), Some((640, 480)));
        assert_eq!(size_of(b"GIF89a\x20\x00\x10\x00rest"), Some((32, 16)));
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c,
            0x00, 0xc8, 0x03, 0, 0,
        ];
        assert_eq!(size_of(&jpeg), Some((200, 300)));
        assert_eq!(size_of(b"nope"), None);
        assert_eq!(size_of(br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675">"#), Some((1200, 675)));
        assert_eq!(
            size_of(br#"<svg viewBox="0 0 24 16" width="100%">"#),
            Some((24, 16))
        );
    }

    /// Runs the HTML pass alone over `md`, the whole file `page` at `source` in the content.
    /// The HTML, the images found, and the image files measured.
    fn render_with(page: &Path, source: &str, md: &str) -> (String, Vec<ImageRef>, Vec<PathBuf>) {
        let source_path = crate::paths::SourcePath::from_relative(Path::new(source));
        let input = crate::markdown::Input {
            path: page,
            source: md,
            body_offset: 0,
            source_path: &source_path,
            // The page beside its source, as in the site's own language.
            url: &crate::paths::UrlPath::new(&match source_path.dir() {
                "" => "a.html".to_string(),
                dir => format!("{dir}/a.html"),
            }),
            pages: &crate::markdown::links::PageTable::default(),
            prose: false,
            origins: None,
            listed: &|_| true,
        };
        let mut events: Vec<Ev> = pulldown_cmark::Parser::new_ext(md, crate::markdown::options())
            .into_offset_iter()
            .collect();
        let mut cx = Ctx::new(&input, Default::default());
        crate::markdown::write::apply(&mut events, &mut cx);
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, events.into_iter().map(|(e, _)| e));
        (out, cx.out.images, cx.reads.images)
    }

    #[test]
    fn local_images_are_recorded_with_their_content_path() {
        let md = "![a](shot%201.png?v=2) ![b](../img/x.svg#top) ![c](https://e.com/x.png) \
                  ![d](/logo.png) ![e](data:image/png;base64,AA) ![f](../../up.png)";
        let found = render_with(Path::new("/nowhere/a.md"), "guides/a.md", md).1;
        let files: Vec<(Option<&str>, &str)> = found
            .iter()
            .map(|i| (i.file.as_ref().map(|f| f.as_str()), &md[i.span.clone()]))
            .collect();
        assert_eq!(
            files,
            [
                (Some("guides/shot 1.png"), "![a](shot%201.png?v=2)"),
                (Some("img/x.svg"), "![b](../img/x.svg#top)"),
                (None, "![f](../../up.png)"),
            ]
        );
    }

    /// The first bytes of a PNG of `width` x `height`, written at `path` (its folders made).
    fn png_at(path: &Path, width: u32, height: u32) {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&width.to_be_bytes());
        png.extend_from_slice(&height.to_be_bytes());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &png).unwrap();
    }

    #[test]
    fn images_are_lazy_and_sized() {
        let d = tempfile::tempdir().unwrap();
        png_at(&d.path().join("guides/shot.png"), 800, 600);
        let page = d.path().join("guides/a.md");
        let md = "![The *Settings* screen](shot.png \"Settings\") ![](https://e.com/x.png)";
        let (out, _, measured) = render_with(&page, "guides/a.md", md);
        assert_eq!(measured, [d.path().join("guides/shot.png")]);
        assert_eq!(
            out,
            "<p><img src=\"shot.png\" alt=\"The Settings screen\" title=\"Settings\" width=\"800\" height=\"600\" loading=\"lazy\" decoding=\"async\"> <img src=\"https://e.com/x.png\" alt=\"\" loading=\"lazy\" decoding=\"async\"></p>\n"
        );
    }

    #[test]
    fn images_of_other_folders_are_sized_and_nothing_outside_the_listed_files_is_read() {
        let d = tempfile::tempdir().unwrap();
        let content = d.path().join("content");
        png_at(&content.join("images/shot 1.png"), 1200, 675);
        // Beside the content folder: named by a path that climbs out of it.
        png_at(&d.path().join("up.png"), 10, 10);
        let page = content.join("guides/setup/a.md");
        let md = "![a](../../images/shot%201.png?v=2) ![b](../../images/missing.png) ![c](../../../up.png) ![d](../..) ![e](../.hidden/x.png) ![f](a%5C..%5C..%5Cx.png)";
        let (out, _, measured) = render_with(&page, "guides/setup/a.md", md);
        assert_eq!(
            measured,
            [
                content.join("images/shot 1.png"),
                content.join("images/missing.png")
            ]
        );
        assert_eq!(
            out,
            "<p><img src=\"../../images/shot%201.png?v=2\" alt=\"a\" width=\"1200\" height=\"675\" loading=\"lazy\" decoding=\"async\"> <img src=\"../../images/missing.png\" alt=\"b\" loading=\"lazy\" decoding=\"async\"> <img src=\"../../../up.png\" alt=\"c\" loading=\"lazy\" decoding=\"async\"> <img src=\"../..\" alt=\"d\" loading=\"lazy\" decoding=\"async\"> <img src=\"../.hidden/x.png\" alt=\"e\" loading=\"lazy\" decoding=\"async\"> <img src=\"a%5C..%5C..%5Cx.png\" alt=\"f\" loading=\"lazy\" decoding=\"async\"></p>\n"
        );
    }
}
