use std::path::{Path, PathBuf};

use super::*;
use crate::discover::{SourceFile, SourceKind};
use crate::frontmatter::Frontmatter;
use crate::markdown::Rendered;
use crate::paths::{SourcePath, UrlPath};
use crate::site::tests::{page, site_of, titled};
use crate::site::{Redirect, Why};

fn theme() -> Theme {
    Theme::load(Path::new("/nowhere")).expect("the built-in theme")
}

fn asset(path: &str) -> SourceFile {
    SourceFile {
        path: SourcePath::from_relative(Path::new(path)),
        abs: PathBuf::from("/site/content").join(path),
        kind: SourceKind::Asset,
    }
}

/// An article: its file, title and tags.
type Article<'a> = (&'a str, &'a str, &'a [&'a str]);

/// A site of the articles `pages`, the assets and the redirects (each from an address to an
/// article, by its place).
fn site(pages: &[Article], assets: &[&str], redirects: &[(&str, usize)]) -> Site {
    let mut site = site_of(
        pages
            .iter()
            .map(|(file, title, tags)| {
                let fm = Frontmatter {
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    ..titled(title)
                };
                page(file, fm, Rendered::default())
            })
            .collect(),
    );
    site.assets = std::sync::Arc::new(assets.iter().map(|a| asset(a)).collect());
    site.redirects = std::sync::Arc::new(
        redirects
            .iter()
            .map(|(from, to)| Redirect {
                from: UrlPath::new(from.to_string()),
                to: *to,
                why: Why::Alias,
            })
            .collect(),
    );
    site
}

/// Checks `site` with `memo` and against a whole check; returns whether the memo checked
/// every claim and the messages.
fn kept(memo: &mut Memo, site: &Site, theme: &Theme) -> (bool, Vec<String>) {
    let found = check_kept(site, theme, memo, false);
    assert_eq!(found, super::super::check(site, theme));
    (memo.whole, found.iter().map(|d| d.to_string()).collect())
}

#[test]
fn a_redirect_that_moves_to_a_free_path_is_checked_alone() {
    let theme = theme();
    let mut memo = Memo::default();
    let pages: &[Article] = &[("a.md", "A", &["t"]), ("b.md", "B", &[])];
    let before = site(pages, &["img/a.png"], &[("en/articles/1-a/index.html", 0)]);
    assert_eq!(kept(&mut memo, &before, &theme), (true, vec![]));
    // A new title moves the Intercom address: the new one collides with nothing.
    let after = site(pages, &["img/a.png"], &[("en/articles/1-a2/index.html", 0)]);
    assert_eq!(kept(&mut memo, &after, &theme), (false, vec![]));
    // A new article, a new tag and a new asset.
    let more: &[Article] = &[
        ("a.md", "A", &["t", "u"]),
        ("b.md", "B", &[]),
        ("c.md", "C", &[]),
    ];
    let after = site(more, &["img/a.png", "img/b.png"], &[]);
    assert_eq!(kept(&mut memo, &after, &theme), (false, vec![]));
}

#[test]
fn a_newcomer_that_may_collide_has_everything_checked() {
    let theme = theme();
    let pages: &[Article] = &[("a.md", "A", &[]), ("guide/b.md", "B", &[])];
    let clean = site(pages, &["img/a.png"], &[]);
    let hint = "  = hint: rename one of them";
    let hint_folder = "  = hint: rename the file or the folder, or remove the alias";
    let guide = |by: &str| {
        format!(
            "error[output-collision]: `guide` would be a file and a folder at once: this file writes `guide` and {by}\n  --> /site/content/guide\n{hint_folder}"
        )
    };
    let cases: Vec<(Site, Vec<String>)> = vec![
        (
            site(pages, &["img/a.png", "img/A.png"], &[]),
            vec![format!(
                "error[output-collision]: this file writes `img/a.png` and the file img/A.png writes `img/A.png`: the two differ only in letter case, and are one file on macOS and Windows\n  --> /site/content/img/a.png\n{hint}"
            )],
        ),
        (
            site(pages, &["img/a.png", "guide"], &[]),
            vec![
                guide("the page of the collection `guide` writes `guide/index.html`"),
                guide("the page guide/b.md writes `guide/b.html`"),
                guide("the Markdown copy of guide/b.md writes `guide/b.md`"),
            ],
        ),
        (
            site(pages, &["img/a.png"], &[("img/a.png/index.html", 0)]),
            vec![format!("error[output-collision]: `img/a.png` would be a file and a folder at once: this alias writes `img/a.png/index.html` and the file img/a.png writes `img/a.png`\n  --> /site/content/a.md:1:1\n{hint_folder}")],
        ),
        (
            site(pages, &["img/a.png", "a.html"], &[]),
            vec!["error[output-collision]: `a.html` would be written twice, by this file and by the page a.md\n  --> /site/content/a.html\n  = hint: rename one of them, or give the page another `slug`".to_string()],
        ),
    ];
    for (broken, messages) in cases {
        let mut memo = Memo::default();
        assert_eq!(kept(&mut memo, &clean, &theme), (true, vec![]));
        assert_eq!(kept(&mut memo, &clean, &theme), (false, vec![]));
        assert_eq!(kept(&mut memo, &broken, &theme), (true, messages));
        // Fixed again: checked whole, since the last check found problems.
        assert_eq!(kept(&mut memo, &clean, &theme), (true, vec![]));
    }
}

/// A small generator of numbers, so that the sequence below is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn a_long_run_of_random_sites_checks_as_a_whole_check_does() {
    let theme = theme();
    // Pages, assets and redirects; the ones marked `true` collide with others in one of the
    // ways the check knows: one path, letter case, file and folder, a name too long.
    let pages: &[(Article, bool)] = &[
        (("a.md", "A", &["t"]), false),
        (("b.md", "B", &["t", "u"]), false),
        (("guide/c.md", "C", &[]), false),
        (("guide/d.md", "D", &["u"]), false),
        (("img.md", "Img", &[]), false),
        (("A.md", "Upper", &[]), true),
        (("404.md", "Lost", &[]), true),
    ];
    let long = format!("img/{}.png", "x".repeat(300));
    let assets: &[(&str, bool)] = &[
        ("img/a.png", false),
        ("img/b.png", false),
        ("img/c/d.png", false),
        ("img/B.png", true),
        ("guide", true),
        ("a.html", true),
        ("img/c", true),
        ("search/t1.js/x.png", true),
        ("tags/t.html", true),
        (&long, true),
    ];
    let redirects: &[(&str, bool)] = &[
        ("old/index.html", false),
        ("en/articles/1-a/index.html", false),
        ("en/articles/1-b/index.html", false),
        // A redirect onto a page is reported where redirects are planned, not here.
        ("b.html", false),
        ("Old/index.html", true),
        ("img/a.png/index.html", true),
    ];
    let colliding: Vec<bool> = pages
        .iter()
        .map(|p| p.1)
        .chain(assets.iter().map(|a| a.1))
        .chain(redirects.iter().map(|r| r.1))
        .collect();
    let n = colliding.len();
    let mut rng = Lcg(7);
    let mut memo = Memo::default();
    // What is in the site: one thing more or less each run, and now and then a collider,
    // which soon goes again.
    let mut on: Vec<bool> = colliding.iter().map(|c| !c).collect();
    let mut to: Vec<usize> = vec![0; redirects.len()];
    let (mut kept_runs, mut problem_runs) = (0, 0);
    for _ in 0..600 {
        let i = rng.next(n);
        if !colliding[i] || on[i] || rng.next(3) == 0 {
            on[i] = !on[i];
        }
        for (o, c) in on.iter_mut().zip(&colliding) {
            *o = *o && !(*c && rng.next(2) == 0);
        }
        if i >= pages.len() + assets.len() {
            to[i - pages.len() - assets.len()] = rng.next(3);
        }
        let p: Vec<Article> = (0..pages.len())
            .filter(|&i| on[i])
            .map(|i| pages[i].0)
            .collect();
        let a: Vec<&str> = (0..assets.len())
            .filter(|&i| on[pages.len() + i])
            .map(|i| assets[i].0)
            .collect();
        let r: Vec<(&str, usize)> = (0..redirects.len())
            .filter(|&i| on[pages.len() + assets.len() + i] && !p.is_empty())
            .map(|i| (redirects[i].0, to[i] % p.len()))
            .collect();
        let (whole, found) = kept(&mut memo, &site(&p, &a, &r), &theme);
        kept_runs += usize::from(!whole);
        problem_runs += usize::from(!found.is_empty());
    }
    assert!(
        kept_runs > 100,
        "only {kept_runs} runs were taken from the memo"
    );
    assert!(
        problem_runs > 50,
        "only {problem_runs} runs found a problem"
    );
}

#[test]
fn kept_pages_are_not_claimed_again_while_the_files_are_the_same() {
    let theme = theme();
    let pages: &[Article] = &[("a.md", "A", &["t"]), ("guide/b.md", "B", &[])];
    let clean = site(pages, &["img/a.png"], &[]);
    let mut memo = Memo::default();
    assert_eq!(kept(&mut memo, &clean, &theme), (true, vec![]));
    // The pages kept and the same files: nothing to look at.
    assert_eq!(check_kept(&clean, &theme, &mut memo, true), []);
    assert!(!memo.whole);
    // The pages kept, but a new asset that collides with a page: it is found.
    let broken = site(pages, &["img/a.png", "a.html"], &[]);
    let found = check_kept(&broken, &theme, &mut memo, true);
    assert_eq!(found, super::super::check(&broken, &theme));
    assert_eq!(found.len(), 1, "{found:?}");
    // A last check with problems is not taken as clean, even with the same files.
    assert_eq!(check_kept(&broken, &theme, &mut memo, true), found);
    assert!(memo.whole);
    // Back to the clean files: checked, then kept.
    assert_eq!(kept(&mut memo, &clean, &theme), (true, vec![]));
    assert_eq!(check_kept(&clean, &theme, &mut memo, true), []);
    assert!(!memo.whole);
}
