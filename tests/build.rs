//! `build`, `init` and the output folder: what lands on disk, and what never gets lost.

mod common;

use common::{Fixture, main_of};

#[test]
fn bundled_guide_builds_without_warnings() {
    let f = Fixture::new(".");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("with 0 warnings"), "{}", run.stderr);
    // The guide is partly translated into German: `check` lists what is left to translate.
    let check = f.run(&["check"]);
    assert_eq!(check.code, 0);
    assert_eq!(
        check.stderr,
        "warning[translation-missing]: 15 of 17 articles have no de translation: get-started/create-a-site.md, get-started/preview.md, get-started/site-layout.md, publish/check-your-site.md, publish/customize-the-theme.md, publish/languages.md, publish/publish-your-site.md, write/anchor-history.md, write/branches.md, write/callouts.md, write/frontmatter.md, write/link-between-articles.md, write/link-to-a-step.md, write/reuse-steps-with-snippets.md, write/write-a-procedure.md\n  = hint: translate an article beside its source, e.g. get-started/create-a-site.de.md\n\nwarning[link-untranslated]: publish/check-your-site.md has no de translation\n  --> content/get-started/install.de.md:129:26\n    |\n129 | > veröffentlichen. Siehe [Ihre Site prüfen](../publish/check-your-site.md).\n    |                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: readers of this page go to the page in the default language; translate it as publish/check-your-site.de.md\n\nwarning[link-untranslated]: get-started/create-a-site.md has no de translation\n  --> content/get-started/install.de.md:144:47\n    |\n144 | Jetzt, da der Befehl `stepbook` funktioniert, [erstellen Sie Ihre erste Site](create-a-site.md).\n    |                                               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: readers of this page go to the page in the default language; translate it as get-started/create-a-site.de.md\n\nwarning[link-untranslated]: get-started/create-a-site.md has no de translation\n  --> content/get-started/install.de.md:146:1\n    |\n146 | [Schritt 2 von Vorschau Ihrer Site](create-a-site.md#preview-your-site-step-2) beschrieben.\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: readers of this page go to the page in the default language; translate it as get-started/create-a-site.de.md\n\nwarning[link-untranslated]: get-started/site-layout.md has no de translation\n  --> content/publish/search.de.md:113:1\n    |\n113 | [Einstellungen für Suche und Vorschau](../get-started/site-layout.md#search-and-serve-settings).\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: readers of this page go to the page in the default language; translate it as get-started/site-layout.de.md\n\nwarning: found 5 warnings\n"
    );
    for page in [
        "index.html",
        "404.html",
        "get-started/index.html",
        "write/write-a-procedure.html",
        "assets/stepbook.css",
    ] {
        assert!(f.root().join("public").join(page).is_file(), "{page}");
    }
}

#[test]
fn failed_build_leaves_the_last_output() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n\nFirst.\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let before = f.read("public/a.html");
    f.write("content/a.md", "---\norder: [\n---\n# A\n\nSecond.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(f.read("public/a.html"), before);
    let names: Vec<String> = std::fs::read_dir(f.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("stepbook-tmp")),
        "{names:?}"
    );
}

#[test]
fn dest_with_a_foreign_file_is_refused_and_kept() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    f.write("out/notes.txt", "precious");
    let run = f.run(&["build", "--dest", "out"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[output-foreign]: the output folder [ROOT]/out holds files stepbook did not write: notes.txt"), "{}", run.stderr);
    assert_eq!(f.read("out/notes.txt"), "precious");
    assert!(!f.root().join("out/a.html").exists());

    assert_eq!(f.run(&["build", "--dest", "site"]).code, 0);
    f.write("site/extra.html", "mine");
    assert_eq!(f.run(&["build", "--dest", "site"]).code, 1);
    assert_eq!(f.read("site/extra.html"), "mine");
}

#[test]
fn dest_may_not_be_the_content_folder() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    let run = f.run(&["build", "--dest", "content"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("error[output-is-content]"),
        "{}",
        run.stderr
    );
    assert_eq!(f.read("content/a.md"), "# A\n");
    let run = f.run(&["build", "--dest", "."]);
    assert_eq!(run.code, 1);
    assert!(f.root().join("content/a.md").exists());
}

#[test]
fn init_then_build() {
    let f = Fixture::empty();
    let run = f.run(&["init", "x"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = f.run(&["-C", "x", "build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("with 0 warnings"), "{}", run.stderr);
    assert_eq!(
        f.read("x/.gitignore"),
        "/public/\n/.public.stepbook-spare/\n/.stepbook-cache/\n"
    );
    let article = f.read("x/public/getting-started/first-steps.html");
    assert!(article.contains("id=\"create-your-account-step-2\""));
    assert!(article.contains("callout callout--note"));
    assert!(article.contains("href=\"change-your-password.html\""));
    assert!(article.contains("<div class=\"branch\" data-branch=\"browser mobile-app\">"));
    assert!(article.contains("id=\"mobile-app-step-2\""));
    assert!(
        f.read("x/public/getting-started/change-your-password.html")
            .contains("href=\"first-steps.html#browser-step-1\"")
    );
    assert_eq!(
        f.run(&["init", "x"]).code,
        1,
        "init never overwrites a site"
    );
    f.write("y/.gitignore", "mine\n");
    assert_eq!(f.run(&["init", "y"]).code, 0);
    assert_eq!(f.read("y/.gitignore"), "mine\n");
}

#[test]
fn collections_nest_and_order() {
    let f = Fixture::empty();
    f.write("content/index.md", "---\ntitle: Help\n---\nWelcome.\n");
    f.write(
        "content/billing/_index.md",
        "---\ntitle: Billing\ndescription: Money.\norder: 2\n---\n",
    );
    f.write(
        "content/account/_index.md",
        "---\ntitle: Account\norder: 1\n---\n",
    );
    f.write(
        "content/account/zeta.md",
        "---\ntitle: Zeta\norder: 1\n---\n",
    );
    f.write("content/account/alpha.md", "# Alpha\n");
    f.write("content/account/beta.md", "# Beta\n");
    f.write(
        "content/billing/refunds/_index.md",
        "---\ntitle: Refunds\n---\n",
    );
    f.write(
        "content/billing/refunds/ask.md",
        "---\ntitle: Ask for a refund\n---\n",
    );
    f.write("content/billing/img/chart.png", "PNG");
    assert_eq!(f.run(&["build"]).code, 0);
    let home = f.read("public/index.html");
    let account = home.find(">Account</a></h2>").unwrap();
    let billing = home.find(">Billing</a></h2>").unwrap();
    assert!(account < billing);
    assert!(home.contains("<p class=\"card__count\">3 articles</p>"));
    let coll = f.read("public/account/index.html");
    let order: Vec<usize> = ["Zeta", "Alpha", "Beta"]
        .iter()
        .map(|t| coll.find(&format!(">{t}</span>")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let ask = f.read("public/billing/refunds/ask.html");
    assert!(ask.contains("<li><a href=\"../../index.html\">Home</a></li>"));
    assert!(ask.contains("<li><a href=\"../index.html\">Billing</a></li>"));
    assert!(ask.contains("<li><a href=\"index.html\">Refunds</a></li>"));
    assert!(ask.contains("href=\"../../assets/stepbook.css\""));
    assert_eq!(f.read("public/billing/img/chart.png"), "PNG");
    assert!(
        ask.contains("<a href=\"../../billing/index.html\" aria-current=\"true\">Billing</a>"),
        "{ask}"
    );
    assert!(!ask.contains("account/index.html\" aria-current"));
    let beta = f.read("public/account/beta.html");
    assert!(beta.contains("rel=\"prev\" href=\"alpha.html\""));
    assert!(beta.contains("rel=\"next\" href=\"../billing/refunds/ask.html\""));
}

#[test]
fn every_url_is_relative() {
    let f = Fixture::new(".");
    assert_eq!(f.run(&["build"]).code, 0);
    for entry in walkdir::WalkDir::new(f.root().join("public")) {
        let entry = entry.unwrap();
        // The 404 page is shown at any depth: it links from the root (pinned on its own).
        if entry.file_name() == "404.html" {
            continue;
        }
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            for attr in ["href=\"/", "src=\"/"] {
                assert!(
                    !html.contains(attr),
                    "{} has {attr}",
                    entry.path().display()
                );
            }
        }
    }
}

#[test]
fn sitemap_only_with_base_url() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "---\nupdated: 2026-03-02\n---\n# A\n");
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(!f.root().join("public/sitemap.xml").exists());
    f.write(
        "book.toml",
        "[book]\nbase-url = \"https://help.example.com/docs\"\n",
    );
    assert_eq!(f.run(&["build"]).code, 0);
    let map = f.read("public/sitemap.xml");
    assert!(map.contains("<url><loc>https://help.example.com/docs/g/a.html</loc><lastmod>2026-03-02</lastmod></url>"), "{map}");
    let a = f.read("public/g/a.html");
    assert!(a.contains("<time datetime=\"2026-03-02\">2 March 2026</time>"));
    // The 404 page starts its links at the path part of base-url, so it works on any host.
    let missing = f.read("public/404.html");
    assert!(missing.contains("<base href=\"/docs/\">"), "{missing}");
    assert!(
        missing.contains("href=\"assets/stepbook.css\""),
        "{missing}"
    );
    assert!(!missing.contains("help.example.com"), "{missing}");
}

#[test]
fn the_404_page_links_from_the_root_without_base_url() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "# A\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let missing = f.read("public/404.html");
    assert!(missing.contains("<base href=\"/\">"), "{missing}");
    assert!(
        missing.contains("href=\"assets/stepbook.css\""),
        "{missing}"
    );
    assert!(missing.contains("href=\"index.html\""), "{missing}");
    assert!(missing.contains("data-root=\"\""), "{missing}");
    // Other pages stay relative, so the site works under any path and from disk.
    let a = f.read("public/g/a.html");
    assert!(a.contains("href=\"../assets/stepbook.css\""), "{a}");
}

#[test]
fn drafts_only_with_the_flag() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\ndraft: true\n---\n# A\n");
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(!f.root().join("public/a.html").exists());
    assert_eq!(f.run(&["build", "--drafts"]).code, 0);
    assert!(f.root().join("public/a.html").exists());
}

#[test]
fn theme_overrides_templates_and_static_files() {
    let f = Fixture::empty();
    f.write("book.toml", "[build]\ntheme = \"brand\"\n");
    f.write(
        "content/a.md",
        "---\nteam: billing\n---\n# A\n\n## Go\n\n1. One\n2. Two\n",
    );
    f.write(
        "themes/brand/templates/article.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1><p class=\"team\">{{ page.extra.team }}</p><ol>{% for s in page.steps %}<li data-id=\"{{ s.id }}\">{{ s.number }}: {{ s.text }}</li>{% endfor %}</ol>{% endblock main %}",
    );
    f.write("themes/brand/static/assets/stepbook.css", "body{color:red}");
    f.write("themes/brand/static/logo.svg", "<svg/>");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let a = f.read("public/a.html");
    assert!(main_of(&a).contains("<p class=\"team\">billing</p><ol><li data-id=\"go-step-1\">1: One</li><li data-id=\"go-step-2\">2: Two</li></ol>"), "{a}");
    assert_eq!(f.read("public/assets/stepbook.css"), "body{color:red}");
    assert_eq!(f.read("public/logo.svg"), "<svg/>");
}

#[test]
fn broken_template_is_a_diagnostic() {
    let f = Fixture::empty();
    f.write("book.toml", "[build]\ntheme = \"brand\"\n");
    f.write("content/a.md", "# A\n");
    f.write(
        "themes/brand/templates/article.html",
        "{% extends \"base.html\" %}{% block main %}{{ page.title {% endblock main %}",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error[template]: the theme's templates do not compile: Found `{` but expected }}.\n  --> themes/brand/templates/article.html:1:56\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn titles_are_escaped() {
    let f = Fixture::empty();
    f.write("content/a.md", "---\ntitle: \"<script>alert(1)</script> \\\" onload=x\"\ndescription: \"\\\"><img src=x>\"\ntags: [\"<b>t</b>\"]\n---\nBody\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let a = f.read("public/a.html");
    assert!(!a.contains("<script>alert"), "{a}");
    assert!(!a.contains("<img src=x>"));
    assert!(!a.contains("<b>t</b>"));
    assert!(
        a.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; &quot; onload=x"),
        "{a}"
    );
    assert!(a.contains("content=\"&quot;&gt;&lt;img src=x&gt;\""), "{a}");
}

#[test]
fn empty_link_text_is_filled() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "---\ntitle: Reset your password\n---\n\n## Use the app\n\n1. Open it.\n2. Tap **Reset**.\n");
    f.write("content/g/b.md", "# B\n\n## Here\n\nSee [](a.md), [](a.md#use-the-app), [](a.md#use-the-app-step-2) and [](#here).\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let b = f.read("public/g/b.html");
    assert!(b.contains("See <a href=\"a.html\">Reset your password</a>, <a href=\"a.html#use-the-app\">Use the app</a>, <a href=\"a.html#use-the-app-step-2\">Use the app, step 2</a> and <a href=\"#here\">Here</a>."), "{b}");
}

#[test]
fn summary_line_counts_pages_files_and_unchanged_files() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n\n1. One.\n");
    f.write("content/b.md", "# B\n\nSee [](a.md).\n");
    let first = f.run(&["build"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let line = first.stderr.lines().last().unwrap();
    assert!(
        line.starts_with("built 4 pages (") && line.contains(" files, 0 unchanged) in "),
        "{line}"
    );
    assert!(
        line.ends_with(" ms with 0 warnings into [ROOT]/public"),
        "{line}"
    );
    let second = f.run(&["build"]);
    let files: usize = line["built 4 pages (".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        second
            .stderr
            .contains(&format!("({files} files, {files} unchanged)")),
        "{}",
        second.stderr
    );
}

#[cfg(unix)]
#[test]
fn unchanged_files_are_not_rewritten() {
    use std::os::unix::fs::MetadataExt;
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n\n1. One.\n");
    f.write("content/b.md", "# B\n\nText.\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let inode = |p: &str| std::fs::metadata(f.root().join(p)).unwrap().ino();
    let (a, b, css) = (
        inode("public/a.html"),
        inode("public/b.html"),
        inode("public/assets/stepbook.css"),
    );
    f.write("content/b.md", "# B\n\nText, edited.\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(inode("public/a.html"), a, "a.html was rewritten");
    assert_eq!(
        inode("public/assets/stepbook.css"),
        css,
        "the stylesheet was rewritten"
    );
    assert_ne!(inode("public/b.html"), b, "b.html kept its old bytes");
    assert!(f.read("public/b.html").contains("Text, edited."));
    // The manifest records size and hash of every file.
    let manifest = f.read("public/.stepbook-manifest");
    let line = manifest
        .lines()
        .find(|l| l.starts_with("a.html\t"))
        .unwrap();
    assert_eq!(line.split('\t').count(), 4, "{line}");
    // A file changed by hand in the output is written again, not carried over.
    let same_size = f.read("public/a.html").replace("One.", "Two.");
    f.write("public/a.html", &same_size);
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(f.read("public/a.html").contains("One."));
}

#[test]
fn header_lists_top_level_collections_only_while_they_are_few() {
    let f = Fixture::empty();
    for c in 0..3 {
        f.write(&format!("content/c{c}/a.md"), "# A\n");
    }
    assert_eq!(f.run(&["build"]).code, 0);
    let html = f.read("public/c1/a.html");
    assert!(
        html.contains("<nav class=\"site-nav\" aria-label=\"Collections\">"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"../c1/index.html\" aria-current=\"true\">C1</a>"),
        "{html}"
    );
    for c in 3..9 {
        f.write(&format!("content/c{c}/a.md"), "# A\n");
    }
    assert_eq!(f.run(&["build"]).code, 0);
    let html = f.read("public/c1/a.html");
    assert!(
        !html.contains("class=\"site-nav\""),
        "nine collections: no header list"
    );
    let home = f.read("public/index.html");
    for c in 0..9 {
        assert!(
            home.contains(&format!("href=\"c{c}/index.html\"")),
            "c{c} card on home"
        );
    }
}
