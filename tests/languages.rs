//! Languages: translations beside their sources, the URL layout and its fallbacks, ids kept
//! across languages, `hreflang` and the sitemap, per-language Intercom redirects, and what
//! `check` says about translations (user guide: `content/write/languages.md`).

mod common;

use common::Fixture;

/// Every output file of a build, sorted, without the manifest.
fn files(f: &Fixture) -> Vec<String> {
    let root = f.root().join("public");
    let mut out: Vec<String> = walkdir::WalkDir::new(&root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| p != ".stepbook-manifest" && !p.starts_with("assets/"))
        .collect();
    out.sort();
    out
}

fn built() -> Fixture {
    let f = Fixture::new("languages");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    f
}

#[test]
fn other_languages_live_under_their_tag() {
    let f = built();
    assert_eq!(
        files(&f),
        [
            "404.html",
            "billing/download-invoices.html",
            "billing/download-invoices.md",
            "billing/index.html",
            "billing/refunds.html",
            "billing/refunds.md",
            "de/articles/101-rechnungen-herunterladen/index.html",
            "de/articles/101/index.html",
            "de/articles/102-ask-for-a-refund/index.html",
            "de/articles/102/index.html",
            "de/billing/download-invoices.html",
            "de/billing/download-invoices.md",
            "de/billing/index.html",
            "de/index.html",
            "de/search/d0.js",
            "de/search/manifest.js",
            "de/search/t0.js",
            "de/tags/index.html",
            "de/tags/invoices.html",
            "en/articles/101-download-your-invoices/index.html",
            "en/articles/101/index.html",
            "en/articles/102-ask-for-a-refund/index.html",
            "en/articles/102/index.html",
            "index.html",
            "llms.txt",
            "search/d0.js",
            "search/manifest.js",
            "search/t0.js",
            "sitemap.xml",
            "tags/index.html",
            "tags/invoices.html",
        ]
    );
    let de = f.read("public/de/billing/download-invoices.html");
    assert!(
        de.starts_with("<!doctype html>\n<html lang=\"de\">\n"),
        "{de}"
    );
    assert!(
        de.contains("<title>Rechnungen herunterladen · Acme Hilfe</title>"),
        "{de}"
    );
    // A link to an article without a translation goes to the default language's page.
    assert!(
        de.contains("Siehe auch <a href=\"../../billing/refunds.html\">Erstattungen</a>."),
        "{de}"
    );
    // The header leads to the language's home, its search to the language's index.
    assert!(
        de.contains("<a class=\"site-title\" href=\"../../de/index.html\">"),
        "{de}"
    );
    assert!(
        de.contains("<div class=\"search search--header\" data-search data-root=\"../../de/\">"),
        "{de}"
    );
    // The translated collection's title, and the theme's texts in German.
    assert!(de.contains("<span class=\"sidebar__title\" id=\"sidebar-title\">Abrechnung</span>"));
    assert!(de.contains("<h2 class=\"toc__title\" id=\"toc-title\">Auf dieser Seite</h2>"));
    let home = f.read("public/de/index.html");
    assert!(
        home.contains("placeholder=\"Acme-Hilfe durchsuchen\""),
        "the site's own text replaces the built-in one"
    );
}

#[test]
fn the_switcher_offers_the_languages_a_page_exists_in() {
    let f = built();
    let en = f.read("public/billing/download-invoices.html");
    assert!(en.contains("<nav class=\"lang-switch\" aria-label=\"Language\"><ul>\n<li><a href=\"download-invoices.html\" hreflang=\"en\" lang=\"en\" aria-current=\"true\">English</a></li>\n<li><a href=\"../de/billing/download-invoices.html\" hreflang=\"de\" lang=\"de\">Deutsch</a></li>\n</ul></nav>"), "{en}");
    // Without a translation, the other language's home, marked as such.
    let refunds = f.read("public/billing/refunds.html");
    assert!(refunds.contains("<li><a href=\"../de/index.html\" hreflang=\"de\" lang=\"de\" data-home>Deutsch</a></li>"), "{refunds}");
}

#[test]
fn hreflang_alternates_and_the_sitemap() {
    let f = built();
    let en = f.read("public/billing/download-invoices.html");
    assert!(en.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/download-invoices.html\">\n<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://help.acme.test/billing/download-invoices.html\">\n<link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/download-invoices.html\">\n"), "{en}");
    let de = f.read("public/de/billing/download-invoices.html");
    assert!(de.contains("<link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/download-invoices.html\">\n<link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/download-invoices.html\">\n<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://help.acme.test/billing/download-invoices.html\">\n"), "{de}");
    let refunds = f.read("public/billing/refunds.html");
    assert!(!refunds.contains("hreflang=\"de\" href"), "{refunds}");
    assert_eq!(
        f.read("public/sitemap.xml"),
        [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">",
            "<url><loc>https://help.acme.test/index.html</loc><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/index.html\"/><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/index.html\"/></url>",
            "<url><loc>https://help.acme.test/billing/index.html</loc><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/index.html\"/><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/index.html\"/></url>",
            "<url><loc>https://help.acme.test/billing/download-invoices.html</loc><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/download-invoices.html\"/><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/download-invoices.html\"/></url>",
            "<url><loc>https://help.acme.test/billing/refunds.html</loc><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/refunds.html\"/></url>",
            "<url><loc>https://help.acme.test/de/index.html</loc><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/index.html\"/><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/index.html\"/></url>",
            "<url><loc>https://help.acme.test/de/billing/index.html</loc><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/index.html\"/><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/index.html\"/></url>",
            "<url><loc>https://help.acme.test/de/billing/download-invoices.html</loc><xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"https://help.acme.test/de/billing/download-invoices.html\"/><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://help.acme.test/billing/download-invoices.html\"/></url>",
        ]
        .join("\n  ")
            + "\n</urlset>\n"
    );
}

#[test]
fn intercom_redirects_per_language() {
    let f = built();
    let target = |path: &str| {
        let html = f.read(path);
        let start = html.find("location.replace(").expect("a redirect") + 17;
        html[start..start + html[start..].find(' ').unwrap()].to_string()
    };
    // Translated: the language's own page, under its translated title's slug too.
    assert_eq!(
        target("public/de/articles/101/index.html"),
        "\"../../billing/download-invoices.html\""
    );
    assert_eq!(
        target("public/de/articles/101-rechnungen-herunterladen/index.html"),
        "\"../../billing/download-invoices.html\""
    );
    // Not translated: the default language's page.
    assert_eq!(
        target("public/de/articles/102/index.html"),
        "\"../../../billing/refunds.html\""
    );
    assert_eq!(
        target("public/en/articles/101/index.html"),
        "\"../../../billing/download-invoices.html\""
    );
}

#[test]
fn a_translation_keeps_its_sources_ids() {
    let f = built();
    let de = f.read("public/de/billing/download-invoices.html");
    // The n-th heading and step take the source's ids; the translation's own heading slug
    // stays as an anchor.
    assert!(de.contains("<span id=\"in-der-web-app\"></span><h2 id=\"from-the-web-app\" class=\"heading\">In der Web-App<a class=\"heading-anchor\" href=\"#from-the-web-app\""), "{de}");
    assert!(de.contains("<li class=\"step\" id=\"from-the-web-app-step-3\" data-step=\"3\"><a class=\"step-anchor\" href=\"#from-the-web-app-step-3\""), "{de}");
    // The same options, under the source's keys, though the labels are translated.
    assert!(
        de.contains("<div class=\"branch\" data-branch=\"business free\">"),
        "{de}"
    );
    assert!(de.contains("<input type=\"radio\" name=\"branch-1\" value=\"free\" data-target=\"free\"> <span>Kostenlos</span>"), "{de}");
    assert!(
        de.contains("<li class=\"step\" id=\"business-step-4\""),
        "{de}"
    );
}

#[test]
fn check_lists_missing_and_outdated_translations() {
    let f = Fixture::new("languages");
    let run = f.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "warning[translation-missing]: 1 of 2 articles have no de translation: billing/refunds.md\n  = hint: translate an article beside its source, e.g. billing/refunds.de.md\n\n\
warning[translation-outdated]: this translation was made from another text of billing/download-invoices.md (source: 00000000)\n  --> content/billing/download-invoices.de.md:4:1\n  |\n4 | source: 00000000\n  | ^\n  = hint: once it matches billing/download-invoices.md again, set this line in its frontmatter: `source: 52d991be`\n\n\
warning[link-untranslated]: billing/refunds.md has no de translation\n  --> content/billing/download-invoices.de.md:7:60\n  |\n7 | Sie können jede Rechnung als PDF herunterladen. Siehe auch [Erstattungen](refunds.md).\n  |                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^^\n  = hint: readers of this page go to the page in the default language; translate it as billing/refunds.de.md\n\n\
warning: found 3 warnings\n"
    );
    let json = f.run(&["check", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let codes: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            (
                "translation-missing",
                "1 of 2 articles have no de translation: billing/refunds.md"
            ),
            (
                "translation-outdated",
                "this translation was made from another text of billing/download-invoices.md (source: 00000000)"
            ),
            (
                "link-untranslated",
                "billing/refunds.md has no de translation"
            ),
        ]
    );
    // Pasting the line marks it up to date; translating the other article empties the list.
    let de = f.read("content/billing/download-invoices.de.md");
    f.write(
        "content/billing/download-invoices.de.md",
        &de.replace("source: 00000000", "source: 52d991be"),
    );
    f.write(
        "content/billing/refunds.de.md",
        "---\ntitle: Erstattung anfordern\nsource: d5c30467\n---\n\nSchreiben Sie uns.\n\n## Schritte\n\n1. Öffnen Sie **Abrechnung**.\n2. Klicken Sie auf **Erstattung**.\n",
    );
    let run = f.run(&["check"]);
    assert_eq!(run.stderr, "no problems found\n");
}

#[test]
fn check_warns_when_the_structure_drifts() {
    let f = Fixture::new("languages");
    let de = f.read("content/billing/download-invoices.de.md");
    f.write(
        "content/billing/download-invoices.de.md",
        &de.replace("3. Klicken Sie auf **Herunterladen**.\n", "")
            .replace("source: 00000000", "source: 52d991be"),
    );
    let run = f.run(&["check"]);
    let drift = run
        .stderr
        .split("\n\n")
        .find(|d| d.starts_with("warning[translation-drift]"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert_eq!(
        drift,
        "warning[translation-drift]: this translation's structure differs from its source's: content/billing/download-invoices.de.md:9 has a procedure of 2 steps where content/billing/download-invoices.md:10 has a procedure of 3 steps\n  --> content/billing/download-invoices.de.md:9:1\n  |\n9 | ## In der Web-App\n  | ^\n  = hint: ids and fragments stay the same across languages only where the structure matches: mirror the source's headings and steps"
    );
    // A branch point with an option more.
    f.write(
        "content/billing/download-invoices.de.md",
        &de.replace(
            "4. Öffnen Sie den Tab **Rechnungen**.\n",
            "4. Öffnen Sie den Tab **Rechnungen**.\n\n::: option Enterprise\nSchreiben Sie uns.\n",
        )
        .replace("source: 00000000", "source: 52d991be"),
    );
    let run = f.run(&["check"]);
    assert!(run.stderr.contains("warning[translation-drift]: this translation's structure differs from its source's: content/billing/download-invoices.de.md:17 has a branch point of 3 options where content/billing/download-invoices.md:18 has a branch point of 2 options\n"), "{}", run.stderr);
}

#[test]
fn bad_tags_and_orphans_are_errors() {
    let f = Fixture::new("languages");
    f.write(
        "book.toml",
        "[book]\ntitle = \"Acme\"\n\n[languages.german]\ntitle = \"x\"\n\n[languages.xx]\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[language-tag]: `[languages.german]` does not name a language: a tag starts with a two-letter language code\n  --> book.toml:4:12\n  |\n4 | [languages.german]\n  |            ^^^^^^\n  = hint: write a BCP 47 tag such as `de`, `pt-BR` or `zh-Hans`\n\n\
error[language-tag]: `[languages.xx]` does not name a language: `xx` is not a language code\n  --> book.toml:7:12\n  |\n7 | [languages.xx]\n  |            ^^\n  = hint: write a BCP 47 tag such as `de`, `pt-BR` or `zh-Hans`\n\n\
warning[translation-unlisted]: this file is named like a `de` translation of billing/_index.md, but book.toml lists no such language\n  --> content/billing/_index.de.md\n  = hint: add `[languages.de]` to book.toml, or rename the file\n\n\
warning[translation-unlisted]: this file is named like a `de` translation of billing/download-invoices.md, but book.toml lists no such language\n  --> content/billing/download-invoices.de.md\n  = hint: add `[languages.de]` to book.toml, or rename the file\n\n\
error: found 2 errors and 2 warnings\nbuild failed; the previous output was left as it was\n"
    );
    let f = Fixture::new("languages");
    f.write("content/billing/gone.de.md", "# Weg\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("error[translation-orphan]: this translation's source billing/gone.md does not exist\n  --> content/billing/gone.de.md\n  = hint: a translation sits beside its source: rename the file, or add gone.md\n"), "{}", run.stderr);
}

#[test]
fn files_named_like_translations_and_pages_in_a_language_folder() {
    let f = Fixture::new("languages");
    f.write("content/billing/refunds.fr.md", "# Remboursement\n");
    f.write("content/de/setup.md", "# Setup\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "warning[translation-unlisted]: this file is named like a `fr` translation of billing/refunds.md, but book.toml lists no such language\n  --> content/billing/refunds.fr.md\n  = hint: add `[languages.fr]` to book.toml, or rename the file\n\n\
error[language-folder]: this page would be written to `de/setup.html`, in the folder of the `de` pages\n  --> content/de/setup.md\n  = hint: rename the content folder `de`, or give the page another `slug`\n\n\
error: found 1 error and 1 warning\nbuild failed; the previous output was left as it was\n"
    );
}

#[test]
fn a_site_with_one_language_has_no_switcher() {
    let f = Fixture::new("languages");
    let toml = f.read("book.toml");
    f.write("book.toml", &toml[..toml.find("[languages.de]").unwrap()]);
    let run = f.run(&["build"]);
    // The translations are now articles of their own, named after their files, with a
    // warning each.
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("with 2 warnings"), "{}", run.stderr);
    let en = f.read("public/billing/download-invoices.html");
    assert!(
        !en.contains("lang-switch") && !en.contains("hreflang"),
        "{en}"
    );
    assert!(!en.contains("stepbook-strings"), "{en}");
}

/// A translation's page is under its language's folder, away from the text it is written
/// in: every file that text names relative to itself (its own images and file links, the
/// images of its raw HTML, a snippet's image) is led from the page to the file once, in the
/// page and in its Markdown copy, so it is found under a `base-url` with a path too.
#[test]
fn a_translation_leads_to_the_files_its_text_names() {
    let f = Fixture::new("snippets");
    f.write(
        "book.toml",
        "[book]\ntitle = \"Repository help\"\nbase-url = \"https://example.com/docs/\"\n\n[languages.de]\ntitle = \"Hilfe\"\n",
    );
    let png = std::fs::read(f.root().join("content/images/repo-settings.png")).unwrap();
    std::fs::create_dir_all(f.root().join("content/de/images")).unwrap();
    std::fs::write(f.root().join("content/de/images/shot.png"), png).unwrap();
    f.write("content/files/guide.pdf", "pdf");
    f.write(
        "content/_snippets/repositories/localized.md",
        "![Lokal](../../de/images/shot.png)\n",
    );
    f.write(
        "content/repositories/change-the-default-branch-inline.de.md",
        "---\ntitle: Standardzweig ändern\n---\n\n![Einstellungen](../images/repo-settings.png)\n\n\
         <img src=\"../images/repo-settings.png\" alt=\"roh\">\n\n\
         Siehe [die Anleitung](../files/guide.pdf).\n\n\
         ::: include repositories/localized\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tags = |page: &str, open: &str| -> Vec<String> {
        let html = f.read(page);
        let main = &html[html.find("<main").unwrap()..];
        (main.match_indices(open))
            .map(|(at, _)| main[at..at + main[at..].find('>').unwrap() + 1].to_string())
            .collect()
    };
    let de = "public/de/repositories/change-the-default-branch-inline.html";
    assert_eq!(
        tags(de, "<img "),
        [
            "<img src=\"../../images/repo-settings.png\" alt=\"Einstellungen\" width=\"32\" height=\"16\" loading=\"lazy\" decoding=\"async\">",
            "<img src=\"../../repositories/../images/repo-settings.png\" alt=\"roh\">",
            "<img src=\"../images/shot.png\" alt=\"Lokal\" width=\"32\" height=\"16\" loading=\"lazy\" decoding=\"async\">",
        ]
    );
    assert!(
        tags(de, "<a href=\"../../files/").len() == 1,
        "{:?}",
        tags(de, "<a ")
    );
    let copy = f.read("public/de/repositories/change-the-default-branch-inline.md");
    let links: Vec<&str> = (copy.match_indices("](").map(|(at, _)| &copy[at..]))
        .map(|rest| &rest[..rest.find(')').unwrap() + 1])
        .collect();
    assert_eq!(
        links,
        [
            "](../../images/repo-settings.png)",
            "](../../files/guide.pdf)",
            "](../images/shot.png)"
        ]
    );
    // The site's own language is beside its text: its images are as written.
    assert_eq!(
        tags(
            "public/repositories/change-the-default-branch-inline.html",
            "<img "
        ),
        [
            "<img src=\"../images/repo-settings.png\" alt=\"Repository settings button\" width=\"32\" height=\"16\" loading=\"lazy\" decoding=\"async\">"
        ]
    );
}
