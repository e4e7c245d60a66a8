//! What pages say about each other: every article's "Linked from" and "Related articles",
//! and the words of a link written without text (`[](reset.md#set-up-step-2)`), taken from
//! what it points at.

use std::borrow::Cow;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Article, Page, Site};
use crate::markdown;
use crate::paths::{AnchorId, SourcePath};

/// Fills every article's "Linked from" list: by title, case aside; each article once.
pub fn link_backlinks(articles: &mut [Arc<Article>]) {
    let index: FxHashMap<&SourcePath, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (&a.page.source, i))
        .collect();
    let mut back: Vec<Vec<usize>> = vec![Vec::new(); articles.len()];
    for (from, a) in articles.iter().enumerate() {
        for to in targets(&index, a) {
            if to != from {
                back[to].push(from);
            }
        }
    }
    let lower: Vec<String> = articles
        .par_iter()
        .map(|a| a.title.to_lowercase())
        .collect();
    let rank = ranks(&lower);
    back.par_iter_mut().for_each(|list| {
        list.sort_unstable_by_key(|&x| (rank[x], x));
        list.dedup();
    });
    for (a, list) in articles.iter_mut().zip(back) {
        Arc::make_mut(a).backlinks = list;
    }
}

/// The articles `a` links to (each as often as it does), by their place in `index`.
fn targets<'a>(
    index: &'a FxHashMap<&SourcePath, usize>,
    a: &'a Article,
) -> impl Iterator<Item = usize> + 'a {
    (a.page.md.links.iter())
        .filter_map(|l| l.target.as_ref())
        .filter_map(|t| index.get(t).copied())
}

/// Each text's place among the texts in order; equal texts share one.
fn ranks<T: Ord + Sync>(texts: &[T]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..texts.len() as u32).collect();
    order.par_sort_unstable_by(|&x, &y| texts[x as usize].cmp(&texts[y as usize]));
    let mut rank = vec![0; texts.len()];
    let mut r = 0;
    for (k, w) in order.iter().enumerate() {
        if k > 0 && texts[*w as usize] != texts[order[k - 1] as usize] {
            r = k as u32;
        }
        rank[*w as usize] = r;
    }
    rank
}

/// The "Linked from" lists of the articles `of` again, in `articles` whose articles
/// `changed` are the only ones that may link or be titled otherwise than when `articles`
/// lists were made: the other lists and every other link are as they were.
pub fn relink_backlinks(articles: &mut [Arc<Article>], changed: &[usize], of: &[usize]) {
    let is_changed: FxHashSet<usize> = changed.iter().copied().collect();
    let lists: Vec<(usize, Vec<usize>)> = of
        .iter()
        .map(|&t| {
            let mut list: Vec<usize> = (articles[t].backlinks.iter())
                .filter(|x| !is_changed.contains(x))
                .copied()
                .collect();
            let to = &articles[t].page.source;
            list.extend((changed.iter()).filter(|&&x| x != t && links_to(&articles[x], to)));
            (t, list)
        })
        .collect();
    for (t, list) in lists {
        Arc::make_mut(&mut articles[t]).backlinks = sorted_by_title(articles, list);
    }
}

/// The "Linked from" lists of the articles `new` made anew, from the links of every article.
pub fn link_backlinks_of(articles: &mut [Arc<Article>], new: &[usize]) {
    let mut lists: Vec<Vec<usize>> = vec![Vec::new(); new.len()];
    // A few are compared with each link; more are looked up.
    let by_source: FxHashMap<&SourcePath, usize> = match new.len() > 4 {
        true => (new.iter().enumerate())
            .map(|(k, &t)| (&articles[t].page.source, k))
            .collect(),
        false => FxHashMap::default(),
    };
    let find = |l: &SourcePath| match new.len() > 4 {
        true => by_source.get(l).copied(),
        false => new.iter().position(|&t| articles[t].page.source == *l),
    };
    let found: Vec<(usize, usize)> = (articles.par_iter().enumerate())
        .flat_map_iter(|(from, a)| {
            (a.page.md.links.iter())
                .filter_map(|l| find(l.target.as_ref()?))
                .filter(move |&k| new[k] != from)
                .map(move |k| (k, from))
        })
        .collect();
    for (k, from) in found {
        lists[k].push(from);
    }
    for (&t, list) in new.iter().zip(lists) {
        Arc::make_mut(&mut articles[t]).backlinks = sorted_by_title(articles, list);
    }
}

/// Whether `a` links to the page of `to`.
fn links_to(a: &Article, to: &SourcePath) -> bool {
    (a.page.md.links.iter()).any(|l| l.target.as_ref() == Some(to))
}

/// `list` in the order of "Linked from": by title, case aside, then in content order; each
/// once.
fn sorted_by_title(articles: &[Arc<Article>], mut list: Vec<usize>) -> Vec<usize> {
    list.sort_by_cached_key(|x| (articles[*x].title.to_lowercase(), *x));
    list.dedup();
    list
}

/// Each tag of every article, by a number (case and spaces aside), each once; and the
/// articles of each tag, in content order.
fn tag_numbers(articles: &[Arc<Article>]) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let mut numbers: FxHashMap<String, usize> = FxHashMap::default();
    let mut buf = String::new();
    let tags: Vec<Vec<usize>> = articles
        .iter()
        .map(|a| {
            let mut own: Vec<usize> = (a.page.fm.tags.iter())
                .map(|t| {
                    let key = tag_key(t, &mut buf);
                    match numbers.get(key) {
                        Some(&n) => n,
                        None => {
                            let n = numbers.len();
                            numbers.insert(key.to_string(), n);
                            n
                        }
                    }
                })
                .collect();
            own.sort_unstable();
            own.dedup();
            own
        })
        .collect();
    let mut by_tag: Vec<Vec<usize>> = vec![Vec::new(); numbers.len()];
    for (i, own) in tags.iter().enumerate() {
        for &t in own {
            by_tag[t].push(i);
        }
    }
    (tags, by_tag)
}

/// `tag` as tags are compared, spaces around and case aside, written into `buf`.
fn tag_key<'b>(tag: &str, buf: &'b mut String) -> &'b str {
    let tag = tag.trim();
    buf.clear();
    match tag.is_ascii() {
        true => buf.extend(tag.chars().map(|c| c.to_ascii_lowercase())),
        false => buf.push_str(&tag.to_lowercase()),
    }
    buf
}

/// Up to this many related articles.
const MAX_RELATED: usize = 5;
/// A tag on more articles than this says little: it is skipped, for speed and sense.
const TOO_COMMON: usize = 200;

/// The related articles of article `i`: up to five sharing the most tags, then by title
/// (`before` orders two articles' titles), then in content order.
fn related_of(
    i: usize,
    tags: &[Vec<usize>],
    by_tag: &[Vec<usize>],
    before: impl Fn(usize, usize) -> std::cmp::Ordering,
) -> Vec<usize> {
    let mut others: Vec<usize> = (tags[i].iter())
        .map(|&t| &by_tag[t])
        .filter(|o| o.len() <= TOO_COMMON)
        .flatten()
        .copied()
        .filter(|&o| o != i)
        .collect();
    others.sort_unstable();
    // Each other article with how many tags it shares, in content order.
    let mut shared: Vec<(usize, usize)> = Vec::new();
    for o in others {
        match shared.last_mut() {
            Some((last, n)) if *last == o => *n += 1,
            _ => shared.push((o, 1)),
        }
    }
    // The first five of a stable sort: most shared, then title, then content order.
    let order = |x: &(usize, usize), y: &(usize, usize)| {
        y.1.cmp(&x.1)
            .then_with(|| before(x.0, y.0))
            .then(x.0.cmp(&y.0))
    };
    let mut best: Vec<(usize, usize)> = Vec::with_capacity(MAX_RELATED + 1);
    for s in shared {
        if best.len() == MAX_RELATED && order(&s, &best[MAX_RELATED - 1]).is_ge() {
            continue;
        }
        let at = best.partition_point(|b| order(b, &s).is_lt());
        best.insert(at, s);
        best.truncate(MAX_RELATED);
    }
    best.into_iter().map(|(o, _)| o).collect()
}

/// Fills every article's "Related articles": up to five sharing the most tags, then by
/// title, then in content order.
pub fn link_related(articles: &mut [Arc<Article>]) {
    let (tags, by_tag) = tag_numbers(articles);
    let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
    let rank = ranks(&titles);
    let related: Vec<Vec<usize>> = (0..articles.len())
        .into_par_iter()
        .map(|i| related_of(i, &tags, &by_tag, |x, y| rank[x].cmp(&rank[y])))
        .collect();
    for (a, r) in articles.iter_mut().zip(related) {
        Arc::make_mut(a).related = r;
    }
}

/// The "Related articles" again of every article that shares a tag with one of `changed`
/// (by their tags in `articles`) or has one of the tags of `before` (the tags the changed
/// articles had when the lists were made, and those of articles gone since): `changed` are
/// the only articles whose tags or titles may differ from those the lists were made from.
pub fn relink_related(articles: &mut [Arc<Article>], changed: &[usize], before: &[&[String]]) {
    let mut buf = String::new();
    let mut touched: FxHashSet<String> = FxHashSet::default();
    let changed_tags = changed.iter().map(|&x| articles[x].page.fm.tags.as_slice());
    for t in before.iter().copied().chain(changed_tags).flatten() {
        touched.insert(tag_key(t, &mut buf).to_string());
    }
    let mut of: Vec<usize> = changed.to_vec();
    if !touched.is_empty() {
        for (i, a) in articles.iter().enumerate() {
            if (a.page.fm.tags.iter()).any(|t| touched.contains(tag_key(t, &mut buf))) {
                of.push(i);
            }
        }
    }
    of.sort_unstable();
    of.dedup();
    // The tags of the articles `of` by a number, and the articles of each of them.
    let mut numbers: FxHashMap<String, usize> = FxHashMap::default();
    for t in of.iter().flat_map(|&i| &articles[i].page.fm.tags) {
        let next = numbers.len();
        numbers
            .entry(tag_key(t, &mut buf).to_string())
            .or_insert(next);
    }
    let mut tags: Vec<Vec<usize>> = vec![Vec::new(); articles.len()];
    let mut by_tag: Vec<Vec<usize>> = vec![Vec::new(); numbers.len()];
    if !numbers.is_empty() {
        for (i, a) in articles.iter().enumerate() {
            let own = &mut tags[i];
            own.extend(
                (a.page.fm.tags.iter()).filter_map(|t| numbers.get(tag_key(t, &mut buf)).copied()),
            );
            own.sort_unstable();
            own.dedup();
            for &t in own.iter() {
                by_tag[t].push(i);
            }
        }
    }
    let title = |x: usize| articles[x].title.as_str();
    let related: Vec<Vec<usize>> = of
        .par_iter()
        .map(|&i| related_of(i, &tags, &by_tag, |x, y| title(x).cmp(title(y))))
        .collect();
    for (i, r) in of.into_iter().zip(related) {
        Arc::make_mut(&mut articles[i]).related = r;
    }
}

/// The page's body HTML with every empty link's text filled in from what it points at.
pub fn filled_html<'a>(site: &Site, page: &'a Page) -> Cow<'a, str> {
    let html = page.md.html.as_str();
    if !page.md.fills {
        return Cow::Borrowed(html);
    }
    let words = fill_words(site, page, |w| markdown::escape(&w));
    markdown::links::fill_in(html, |k| words.get(k)?.as_deref())
}

/// The words of each link of the page written without text, by the link's index ([`fills`]),
/// made by `shown` from the plain words; `None` for the other links.
pub fn fill_words(
    site: &Site,
    page: &Page,
    shown: impl Fn(String) -> String,
) -> Vec<Option<String>> {
    let mut words = Vec::new();
    for (k, text) in fills(site, page) {
        if words.len() <= k {
            words.resize(k + 1, None);
        }
        words[k] = Some(shown(text));
    }
    words
}

/// For each link of the page written without text: its index among the page's links (the
/// number of its marker in the page's HTML and outline, [`markdown::links::fill_marker`]), and
/// the words it gets from what it points at (the link as written when that is gone).
pub fn fills<'a>(site: &'a Site, page: &'a Page) -> impl Iterator<Item = (usize, String)> + 'a {
    // Most pages have no link without text: their links (kept encoded in a cached build)
    // are not read.
    let links: &[_] = match page.md.fills {
        true => &page.md.links,
        false => &[],
    };
    links
        .iter()
        .enumerate()
        .filter(|(_, l)| l.fill)
        .map(move |(k, l)| {
            let target = match &l.target {
                None => Some(page),
                Some(t) => site.page(t),
            };
            let text = target
                .and_then(|t| link_text(t, l.fragment.as_deref()))
                .unwrap_or_else(|| page.text[l.span.clone()].to_string());
            (k, text)
        })
}

/// The words a reader expects for a link to `page`, or to the id `fragment` in it.
pub fn link_text(page: &Page, fragment: Option<&str>) -> Option<String> {
    let Some(id) = fragment.filter(|f| !f.is_empty()) else {
        return Some(page.title());
    };
    if page.md.title_id.as_ref().is_some_and(|t| t.as_str() == id) {
        return Some(page.title());
    }
    let heading_text = |h: &AnchorId| {
        page.md
            .headings
            .iter()
            .find(|x| &x.id == h)
            .map(|x| x.text.clone())
    };
    if let Some(text) = heading_text(&AnchorId::new(id)) {
        return Some(text);
    }
    let option_label = |o: &AnchorId| page.md.outline.option_label(o.as_str()).map(str::to_string);
    if let Some(label) = option_label(&AnchorId::new(id)) {
        return Some(label);
    }
    let step = page.md.steps.iter().find(|s| s.id.as_str() == id)?;
    let section = step
        .heading
        .as_ref()
        .and_then(|h| heading_text(h).or_else(|| option_label(h)));
    Some(match section {
        Some(section) => format!("{section}, step {}", step.number),
        None => format!("{}, step {}", page.title(), step.number),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::Frontmatter;
    use crate::markdown::{LinkRef, Rendered};
    use crate::site::tests::{page, site_of, titled, with_steps};
    use crate::site::tree::assemble;

    fn link_to(target: &str) -> LinkRef {
        LinkRef {
            target: Some(SourcePath::from_relative(std::path::Path::new(target))),
            fragment: None,
            span: 0..0,
            fill: false,
        }
    }

    fn linking(targets: &[&str]) -> Rendered {
        Rendered {
            links: targets.iter().map(|t| link_to(t)).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn backlinks_are_listed_once_by_title() {
        let t = assemble(vec![
            page("a.md", titled("Zebra"), linking(&["c.md", "c.md"])),
            page("b.md", titled("apple"), linking(&["c.md", "b.md"])),
            page("c.md", titled("Target"), Rendered::default()),
        ]);
        let c = t.articles.iter().find(|a| a.title == "Target").unwrap();
        let names: Vec<&str> = c
            .backlinks
            .iter()
            .map(|&i| t.articles[i].title.as_str())
            .collect();
        assert_eq!(names, ["apple", "Zebra"]);
        let b = t.articles.iter().find(|a| a.title == "apple").unwrap();
        assert!(b.backlinks.is_empty(), "a page never lists itself");
    }

    #[test]
    fn related_articles_share_the_most_tags() {
        let tagged = |title: &str, tags: &[&str]| Frontmatter {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..titled(title)
        };
        let t = assemble(vec![
            page("a.md", tagged("A", &["x", "y"]), Rendered::default()),
            page("b.md", tagged("B", &["X"]), Rendered::default()),
            page("c.md", tagged("C", &["x", " y "]), Rendered::default()),
            page("d.md", tagged("D", &["z"]), Rendered::default()),
        ]);
        let related: Vec<&str> = t.articles[0]
            .related
            .iter()
            .map(|&i| t.articles[i].title.as_str())
            .collect();
        assert_eq!(related, ["C", "B"]);
        assert!(t.articles[3].related.is_empty());
    }

    #[test]
    fn empty_links_take_the_words_of_their_target() {
        let target = page("guide/setup.md", titled("Setup"), with_steps());
        let mut fills = Vec::new();
        let mut html = String::new();
        for (k, frag) in [None, Some("set-up"), Some("set-up-step-2"), Some("nope")]
            .into_iter()
            .enumerate()
        {
            fills.push(LinkRef {
                fragment: frag.map(str::to_string),
                fill: true,
                span: 0..5,
                ..link_to("guide/setup.md")
            });
            html.push_str(&format!("<a>{}</a>", markdown::links::fill_marker(k)));
        }
        let linking = Rendered {
            html: html.into(),
            links: fills.into(),
            fills: true,
            ..Default::default()
        };
        let mut from = page("guide/from.md", titled("From"), linking);
        from.text = std::sync::Arc::from("[](x)");
        let site = site_of(vec![target, from]);
        assert_eq!(
            filled_html(&site, page_titled(&site, "From")),
            "<a>Setup</a><a>Set it up</a><a>Set it up, step 2</a><a>[](x)</a>"
        );
    }

    /// A page of thousands of links written without text gets each its own words, every
    /// marker filled in one pass over the HTML; text that only looks like a marker (no number,
    /// a leading zero, the number of no such link, no end) stays as written.
    #[test]
    fn a_page_of_many_empty_links_fills_each() {
        const N: usize = 20_000;
        let target = page("guide/setup.md", titled("Setup & go"), with_steps());
        let odd = "<p>\u{E000}fill\u{E000} \u{E000}fill01\u{E000} \u{E000}fill99999\u{E000} \u{E000}fill7</p>";
        let mut html = String::from(odd);
        let mut expected = String::from(odd);
        let links: Vec<LinkRef> = (0..N)
            .map(|k| {
                html.push_str(&format!("<a>{}</a>", markdown::links::fill_marker(k)));
                let (fragment, words) = match k % 3 {
                    0 => (None, "Setup &amp; go"),
                    1 => (Some("set-up"), "Set it up"),
                    _ => (Some("set-up-step-2"), "Set it up, step 2"),
                };
                expected.push_str(&format!("<a>{words}</a>"));
                LinkRef {
                    fragment: fragment.map(str::to_string),
                    fill: true,
                    span: 0..5,
                    ..link_to("guide/setup.md")
                }
            })
            .collect();
        let linking = Rendered {
            html: html.into(),
            links: links.into(),
            fills: true,
            ..Default::default()
        };
        let site = site_of(vec![target, page("guide/from.md", titled("From"), linking)]);
        assert!(filled_html(&site, page_titled(&site, "From")) == expected);
    }

    fn page_titled<'s>(site: &'s Site, title: &str) -> &'s Page {
        &site
            .articles
            .iter()
            .find(|a| a.title == title)
            .unwrap()
            .page
    }
}
