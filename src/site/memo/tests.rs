use super::*;
use crate::frontmatter::Frontmatter;
use crate::markdown::{LinkRef, Rendered};
use crate::paths::SourcePath;
use crate::site::tests::{page, parts_of, titled};

/// A body with `html` that links to each of `to`.
fn body(html: &str, to: &[&str]) -> Rendered {
    Rendered {
        html: html.into(),
        links: to
            .iter()
            .map(|t| LinkRef {
                target: Some(SourcePath::from_relative(std::path::Path::new(t))),
                fragment: None,
                span: 0..0,
                fill: false,
            })
            .collect(),
        ..Default::default()
    }
}

fn tagged(title: &str, tags: &[&str], aliases: &[&str]) -> Frontmatter {
    Frontmatter {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        ..titled(title)
    }
}

fn pages() -> Vec<Page> {
    vec![
        page("guide/_index.md", titled("Guide"), body("g", &[])),
        page(
            "guide/a.md",
            tagged("A", &["t"], &["old-a"]),
            body("a", &["guide/b.md"]),
        ),
        page("guide/b.md", tagged("B", &["t"], &[]), body("b", &[])),
        page("c.md", tagged("C", &["t"], &[]), body("c", &["guide/a.md"])),
    ]
}

/// Everything the assembly decides, with each page's body.
fn describe(site: &Site) -> String {
    let articles: Vec<String> = site
        .articles
        .iter()
        .map(|a| {
            format!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?} {}",
                a.page.source,
                a.title,
                a.collection,
                a.prev,
                a.next,
                a.backlinks,
                a.related,
                a.page.md.html
            )
        })
        .collect();
    let collections: Vec<String> = site
        .collections
        .iter()
        .map(|c| {
            format!(
                "{} {} {:?} {:?} {:?} {:?} {} {:?}",
                c.dir,
                c.url,
                c.title,
                c.parent,
                c.children,
                c.articles,
                c.total_articles,
                c.index.as_ref().map(|p| &p.md.html)
            )
        })
        .collect();
    let redirects: Vec<String> = site
        .redirects
        .iter()
        .map(|r| format!("{} -> {}", r.from, r.to))
        .collect();
    format!(
        "{articles:#?}\n{collections:#?}\n{:?} {:?}\n{redirects:?}",
        site.roots, site.root_articles
    )
}

/// Assembles `pages` with `memo` and checks the result against a fresh assembly;
/// returns how the memo made it.
fn assemble(memo: &mut Memo, pages: &[Page]) -> How {
    let (kept, kept_problems) = memo.site(parts_of(pages.to_vec()));
    let (fresh, fresh_problems) = Site::new(parts_of(pages.to_vec()));
    assert_eq!(describe(&kept), describe(&fresh));
    assert_eq!(kept_problems, fresh_problems);
    memo.how
}

fn with(pages: &[Page], source: &str, edit: impl FnOnce(&mut Page)) -> Vec<Page> {
    let mut pages = pages.to_vec();
    let p = pages
        .iter_mut()
        .find(|p| p.source.as_str() == source)
        .expect("the page");
    edit(p);
    pages
}

#[test]
fn a_body_edit_keeps_the_assembly_and_shows_the_new_body() {
    let mut memo = Memo::default();
    let first = pages();
    assert_eq!(assemble(&mut memo, &first), How::Whole);
    assert_eq!(assemble(&mut memo, &first), How::Kept);
    let edited = with(&first, "guide/b.md", |p| {
        p.md = Arc::new(body("b, reworded", &[]));
    });
    assert_eq!(assemble(&mut memo, &edited), How::Kept);
    let edited = with(&edited, "guide/_index.md", |p| {
        p.md = Arc::new(body("g, reworded", &[]));
    });
    assert_eq!(assemble(&mut memo, &edited), How::Kept);
    // Text after the frontmatter and the first line is not read.
    let edited = with(&edited, "c.md", |p| p.text = Arc::from("First\nrest\n"));
    assemble(&mut memo, &edited);
    let edited = with(&edited, "c.md", |p| {
        p.text = Arc::from("First\nrest, reworded\n")
    });
    assert_eq!(assemble(&mut memo, &edited), How::Kept);
    let (site, _) = memo.site(parts_of(edited));
    assert_eq!(site.articles[1].page.md.html, "b, reworded");
    assert_eq!(
        site.collections[0]
            .index
            .as_ref()
            .map(|p| p.md.html.as_str()),
        Some("g, reworded")
    );
}

#[test]
fn an_edit_of_anything_the_assembly_reads_assembles_again() {
    let mut memo = Memo::default();
    let first = pages();
    assemble(&mut memo, &first);
    let near = [
        with(&first, "guide/b.md", |p| {
            p.fm = Arc::new(tagged("Z", &["t"], &[]))
        }),
        with(&first, "guide/b.md", |p| {
            p.fm = Arc::new(tagged("B", &[], &[]))
        }),
        with(&first, "guide/a.md", |p| {
            p.fm = Arc::new(tagged("A", &["t"], &[]))
        }),
        with(&first, "guide/a.md", |p| p.md = Arc::new(body("a", &[]))),
        with(&first, "guide/a.md", |p| {
            p.md = Arc::new(Rendered {
                title: Some("From a heading".into()),
                ..body("a", &["guide/b.md"])
            })
        }),
        with(&first, "c.md", |p| p.text = Arc::from("A first line\n")),
        with(&first, "guide/_index.md", |p| {
            p.fm = Arc::new(titled("Another guide"))
        }),
    ];
    let shifted = [
        first[..3].to_vec(),
        first[1..].to_vec(),
        [
            first.clone(),
            vec![page("d.md", titled("D"), body("d", &["c.md"]))],
        ]
        .concat(),
    ];
    let url = with(&first, "c.md", |p| {
        p.url = crate::paths::UrlPath::new("d.html")
    });
    // A folder with two index pages: one is not in the tree, and nothing is kept.
    let two_indexes = [
        first.clone(),
        vec![page("guide/index.md", titled("G"), body("", &[]))],
    ]
    .concat();
    let runs = (near.into_iter().map(|p| (p, How::Near, How::Near)))
        .chain(shifted.into_iter().map(|p| (p, How::Shifted, How::Shifted)))
        .chain([
            (url, How::Whole, How::Whole),
            (two_indexes, How::Shifted, How::Whole),
        ]);
    for (pages, there, back) in runs {
        assert_eq!(assemble(&mut memo, &pages), there);
        // Back to the first pages.
        assert_eq!(assemble(&mut memo, &first), back);
    }
}

#[test]
fn a_new_a_deleted_and_a_renamed_article_are_assembled_near_them() {
    let with_link = |mut pages: Vec<Page>| {
        // c links to a page that is not there yet.
        let c = pages.iter_mut().find(|p| p.source.as_str() == "c.md");
        c.expect("c").md = Arc::new(body("c", &["guide/a.md", "guide/n.md"]));
        pages
    };
    let first = with_link(pages());
    let new = page("guide/n.md", tagged("N", &["t"], &[]), body("n", &["c.md"]));
    let added = [&first[..3], &[new], &first[3..]].concat();
    let without_b: Vec<Page> = (first.iter())
        .filter(|p| p.source.as_str() != "guide/b.md")
        .cloned()
        .collect();
    let mut renamed = without_b.clone();
    let mut b2 = first[2].clone();
    b2.source = SourcePath::from_relative(std::path::Path::new("guide/b2.md"));
    b2.url = crate::paths::UrlPath::new("guide/b2.html");
    renamed.insert(2, b2);
    // A new page at the address of a's alias: the whole plan reports it.
    let mut at_alias = page("old-a/index.md", titled("Old"), body("", &[]));
    at_alias.url = crate::paths::UrlPath::new("old-a/index.html");
    let over_alias = [first.clone(), vec![at_alias]].concat();
    let mut memo = Memo::default();
    assemble(&mut memo, &first);
    for pages in [&added, &without_b, &renamed, &over_alias] {
        assert_eq!(assemble(&mut memo, pages), How::Shifted);
        assert_eq!(assemble(&mut memo, &first), How::Shifted);
    }
    let (site, _) = memo.site(parts_of(added));
    let n = site.article(&SourcePath::from_relative(std::path::Path::new(
        "guide/n.md",
    )));
    let backlinks: Vec<&str> = (n.expect("n").backlinks.iter())
        .map(|&i| site.articles[i].title.as_str())
        .collect();
    assert_eq!(backlinks, ["C"]);
    let (_, problems) = memo.site(parts_of(over_alias));
    let codes: Vec<&str> = problems.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["redirect-collision"]);
}

/// A small generator of numbers, so that the sequence below is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = (self.0)
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str], most: usize) -> Vec<&'a str> {
        (0..self.next(most + 1))
            .map(|_| from[self.next(from.len())])
            .collect()
    }
}

#[test]
fn a_long_run_of_edits_assembles_as_a_fresh_assembly_does() {
    let files = [
        "guide/_index.md",
        "guide/a.md",
        "guide/b.md",
        "guide/c.md",
        "guide/deep/d.md",
        "more/_index.md",
        "more/e.md",
        "more/f.md",
        "g.md",
        "h.md",
    ];
    let titles = ["A", "a", "Apple", "B", "Zed", "zed"];
    let tags = ["t", " T", "u", "v", "w"];
    let aliases = ["old", "Old/x", "guide/a.html", "../out", "en/articles/1"];
    let mut rng = Lcg(11);
    let mut all: Vec<Page> = files
        .iter()
        .map(|f| page(f, titled(&f.to_uppercase()), body("", &[])))
        .collect();
    let mut there = vec![true; files.len()];
    let mut memo = Memo::default();
    let (mut near, mut shifted) = (0, 0);
    for _ in 0..600 {
        let k = rng.next(files.len());
        // A page comes or goes, or (with it) another; else it is edited.
        if rng.next(3) == 0 {
            there[k] = !there[k];
            if rng.next(2) == 0 {
                let j = rng.next(files.len());
                there[j] = !there[j];
            }
            let pages = present(&all, &there);
            shifted += usize::from(assemble(&mut memo, &pages) == How::Shifted);
            continue;
        }
        let fm = Frontmatter {
            tags: rng.pick(&tags, 3).iter().map(|t| t.to_string()).collect(),
            aliases: match rng.next(4) {
                0 => rng
                    .pick(&aliases, 2)
                    .iter()
                    .map(|a| a.to_string())
                    .collect(),
                _ => Vec::new(),
            },
            intercom_id: [None, None, Some(1), Some(2)][rng.next(4)],
            order: [None, None, Some(1), Some(2)][rng.next(4)],
            ..titled(titles[rng.next(titles.len())])
        };
        let p = &mut all[k];
        match rng.next(3) {
            0 => p.fm = Arc::new(fm),
            1 => p.md = Arc::new(body("", &rng.pick(&files, 3))),
            _ => {
                p.fm = Arc::new(fm);
                p.md = Arc::new(body("", &rng.pick(&files, 3)));
            }
        }
        let pages = present(&all, &there);
        near += usize::from(assemble(&mut memo, &pages) == How::Near);
    }
    assert!(
        near > 150 && shifted > 150,
        "only {near} assemblies were made near the edits and {shifted} near pages that came \
         or went"
    );
}

/// The pages of `all` that are `there`, in order.
fn present(all: &[Page], there: &[bool]) -> Vec<Page> {
    (all.iter().zip(there))
        .filter(|(_, t)| **t)
        .map(|(p, _)| p.clone())
        .collect()
}
