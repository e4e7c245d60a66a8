//! The site around the articles: canonical and Open Graph, the sidebar, home cards, tag
//! pages, brand settings, the edit link and last-updated date, `stepbook new`, and the
//! Markdown copies with `llms.txt`.

mod common;

use common::Fixture;

/// A small site: two collections, tags, a link between articles, nested steps.
fn site(book: &str) -> Fixture {
    let f = Fixture::empty();
    f.write("book.toml", book);
    f.write(
        "content/guides/_index.md",
        "---\ntitle: Guides\ndescription: Set up and use Acme.\norder: 1\n---\n",
    );
    f.write(
        "content/guides/set-up.md",
        "---\ntitle: Set up your account\ndescription: Create an account.\ntags: [account, Sign in]\norder: 1\nupdated: 2026-03-02\n---\n\n## Create an account\n\n1. Open the sign-up page.\n2. Enter your email address:\n   1. Use your work address.\n3. Select **Create account**. {#create}\n\nThen [invite your team](invite.md#invite-step-2) or see [[Export your data]].\n",
    );
    f.write(
        "content/guides/invite.md",
        "---\ntitle: Invite your team\ndescription: Send invitations.\ntags: [account]\norder: 2\n---\n\n## Invite\n\n1. Open **Team**.\n2. Select **Invite**.\n\nBack to [](set-up.md#create).\n",
    );
    f.write(
        "content/guides/export.md",
        "---\ntitle: Export your data\norder: 3\n---\n\nText.\n",
    );
    f.write(
        "content/guides/more.md",
        "---\ntitle: More\norder: 4\n---\n\nText.\n",
    );
    f.write(
        "content/billing/_index.md",
        "---\ntitle: Billing\norder: 2\n---\n",
    );
    f.write(
        "content/billing/invoices.md",
        "# Download an invoice\n\nText.\n",
    );
    f
}

const BASE: &str = "[book]\ntitle = \"Acme help\"\nbase-url = \"https://help.acme.test/docs\"\n";

fn head(html: &str) -> &str {
    &html[html.find("<head>").unwrap()..html.find("</head>").unwrap()]
}

#[test]
fn canonical_and_open_graph_on_every_page_only_with_base_url() {
    let f = site(BASE);
    assert_eq!(f.run(&["build"]).code, 0);
    let article = f.read("public/guides/set-up.html");
    assert!(
        head(&article).contains(
            "<link rel=\"canonical\" href=\"https://help.acme.test/docs/guides/set-up.html\">\n\
             <meta property=\"og:type\" content=\"article\">\n\
             <meta property=\"og:url\" content=\"https://help.acme.test/docs/guides/set-up.html\">\n\
             <meta property=\"og:title\" content=\"Set up your account\">\n\
             <meta property=\"og:site_name\" content=\"Acme help\">\n\
             <meta property=\"og:description\" content=\"Create an account.\">\n"
        ),
        "{}",
        head(&article)
    );
    for (page, url, kind) in [
        ("index.html", "index.html", "website"),
        ("guides/index.html", "guides/index.html", "website"),
        ("tags/account.html", "tags/account.html", "website"),
    ] {
        let html = f.read(&format!("public/{page}"));
        assert!(
            head(&html).contains(&format!(
                "<link rel=\"canonical\" href=\"https://help.acme.test/docs/{url}\">\n<meta property=\"og:type\" content=\"{kind}\">"
            )),
            "{page}: {}",
            head(&html)
        );
    }
    // The 404 page is no page of its own: no canonical link.
    assert!(!f.read("public/404.html").contains("rel=\"canonical\""));

    let f = site("[book]\ntitle = \"Acme help\"\n");
    assert_eq!(f.run(&["build"]).code, 0);
    let article = f.read("public/guides/set-up.html");
    assert!(!article.contains("canonical") && !article.contains("og:"));
}

#[test]
fn the_sidebar_lists_the_collection_and_home_cards_its_first_articles() {
    let f = site(BASE);
    assert_eq!(f.run(&["build"]).code, 0);
    let invite = f.read("public/guides/invite.html");
    assert!(
        invite.contains(
            "<nav class=\"sidebar\" aria-labelledby=\"sidebar-title\"><details class=\"sidebar__details\" open>\n\
             <summary class=\"sidebar__summary\"><span class=\"sidebar__label\">In this collection</span> <span class=\"sidebar__title\" id=\"sidebar-title\">Guides</span></summary>\n\
             <ul class=\"sidebar__list\">\n\
             <li><a class=\"sidebar__link\" href=\"set-up.html\">Set up your account</a></li>\n\
             <li><a class=\"sidebar__link\" href=\"invite.html\" aria-current=\"page\">Invite your team</a></li>\n\
             <li><a class=\"sidebar__link\" href=\"export.html\">Export your data</a></li>\n\
             <li><a class=\"sidebar__link\" href=\"more.html\">More</a></li>\n\
             </ul>\n\
             <p class=\"sidebar__all\"><a href=\"index.html\">All of Guides</a></p>\n\
             </details></nav>"
        ),
        "{invite}"
    );
    let home = f.read("public/index.html");
    assert!(
        home.contains(
            "<li class=\"card\"><h2 class=\"card__title\"><a class=\"card__link\" href=\"guides/index.html\">Guides</a></h2><p class=\"card__desc\">Set up and use Acme.</p>\n\
             <ul class=\"card__articles\"><li><a href=\"guides/set-up.html\">Set up your account</a></li><li><a href=\"guides/invite.html\">Invite your team</a></li><li><a href=\"guides/export.html\">Export your data</a></li></ul>\n\
             <p class=\"card__count\">4 articles</p></li>"
        ),
        "{home}"
    );
}

#[test]
fn tag_pages_list_their_articles_and_articles_link_their_tags() {
    let f = site(BASE);
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0);
    // 5 articles, 2 collections, home, 404, and 3 tag pages (2 tags and their list).
    assert!(run.stderr.starts_with("built 12 pages ("), "{}", run.stderr);
    let index = common::main_of(&f.read("public/tags/index.html")).to_string();
    assert!(
        index.contains(
            "<ul class=\"tag-cloud\">\n\
             <li><a class=\"tag\" href=\"account.html\">account <span class=\"tag__count\">2</span></a></li>\n\
             <li><a class=\"tag\" href=\"sign-in.html\">Sign in <span class=\"tag__count\">1</span></a></li>\n\
             </ul>"
        ),
        "{index}"
    );
    let account = common::main_of(&f.read("public/tags/account.html")).to_string();
    assert!(account.contains("<li><a href=\"../index.html\">Home</a></li>\n<li><a href=\"index.html\">Tags</a></li>\n<li aria-current=\"page\">account</li>"), "{account}");
    assert!(
        account.contains("<h1>Tagged “account”</h1><p class=\"page-header__desc\">2 articles</p>"),
        "{account}"
    );
    let titles: Vec<&str> = account
        .split("<span class=\"article-list__title\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(titles, ["Set up your account", "Invite your team"]);
    let article = f.read("public/guides/set-up.html");
    assert!(article.contains("<ul class=\"tags\" aria-label=\"Tags\"><li><a class=\"tag\" href=\"../tags/account.html\">account</a></li><li><a class=\"tag\" href=\"../tags/sign-in.html\">Sign in</a></li></ul>"), "{article}");
    assert!(
        f.read("public/index.html")
            .contains(" · <a href=\"tags/index.html\">Tags</a></p></footer>")
    );
}

#[test]
fn a_site_without_tags_has_no_tag_pages() {
    let f = Fixture::empty();
    f.write("content/g/a.md", "# A\n");
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(!f.root().join("public/tags").exists());
    assert!(!f.read("public/index.html").contains("tags/index.html"));
}

#[test]
fn edit_link_and_last_updated_from_frontmatter_or_git() {
    let f = site(&format!(
        "{BASE}edit-url = \"https://git.acme.test/help/edit/main/content/{{path}}\"\n"
    ));
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(f.root())
            .args(args)
            .env("GIT_AUTHOR_DATE", "2025-11-20T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2025-11-20T10:00:00Z")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git is installed")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "content"]);
    git(&["commit", "-q", "-m", "content"]);
    assert_eq!(f.run(&["build"]).code, 0);
    let invite = f.read("public/guides/invite.html");
    assert!(
        invite.contains("<div class=\"article-meta\"><p class=\"article-meta__updated\">Updated <time datetime=\"2025-11-20\">20 November 2025</time></p>\n<a class=\"article-meta__edit\" href=\"https://git.acme.test/help/edit/main/content/guides/invite.md\">Edit this page</a>\n<button class=\"print-button\" type=\"button\" hidden>Print</button></div>"),
        "{invite}"
    );
    // `updated` in the frontmatter wins over git.
    let set_up = f.read("public/guides/set-up.html");
    assert!(set_up.contains("<time datetime=\"2026-03-02\">2 March 2026</time>"));
    // A file git does not know has no date.
    f.write("content/guides/new.md", "# New\n");
    assert_eq!(f.run(&["build"]).code, 0);
    assert!(!f.read("public/guides/new.html").contains("Updated"));
}

#[test]
fn brand_settings_reach_every_page() {
    let f = site(&format!(
        "{BASE}\n[brand]\nlogo = \"img/logo.svg\"\nfavicon = \"img/icon.png\"\naccent = \"#0f766e\"\naccent-dark = \"#5eead4\"\n"
    ));
    f.write(
        "content/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    f.write("content/img/icon.png", "PNG");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("with 0 warnings"), "{}", run.stderr);
    let page = f.read("public/guides/set-up.html");
    for line in [
        "<link rel=\"icon\" href=\"../img/icon.png\">",
        "<style>:root{--brand:#0f766e;--brand-on:#ffffff;--brand-dark:#5eead4;--brand-on-dark:#0d1322}</style>",
        "<a class=\"site-title\" href=\"../index.html\"><img class=\"site-logo\" src=\"../img/logo.svg\" alt=\"\" height=\"28\"><span>Acme help</span></a>",
        "<meta property=\"og:image\" content=\"https://help.acme.test/docs/img/logo.svg\">",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
}

#[test]
fn bad_brand_settings_are_errors_with_their_place() {
    let f = site(
        "[brand]\nlogo = \"logo.svg\"\naccent = \"teal\"\naccent-dark = \"#12345\"\n\n[book]\nedit-url = \"https://git.acme.test/edit/main\"\n",
    );
    let run = f.run(&["build"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error[config-value]: `logo` must be a file in the content folder, found \"logo.svg\"
  --> book.toml:2:9
  |
2 | logo = \"logo.svg\"
  |         ^^^^^^^^
  = hint: there is no `logo.svg` in the content folder

error[config-value]: `accent` must be a colour written as \"#rrggbb\" or \"#rgb\", found \"teal\"
  --> book.toml:3:11
  |
3 | accent = \"teal\"
  |           ^^^^
  = hint: e.g. \"#2952cc\"

error[config-value]: `accent-dark` must be a colour written as \"#rrggbb\" or \"#rgb\", found \"#12345\"
  --> book.toml:4:16
  |
4 | accent-dark = \"#12345\"
  |                ^^^^^^
  = hint: e.g. \"#2952cc\"

error[config-value]: `edit-url` must be an absolute http(s) URL with `{path}` where the article's path goes, found \"https://git.acme.test/edit/main\"
  --> book.toml:7:13
  |
7 | edit-url = \"https://git.acme.test/edit/main\"
  |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: e.g. \"https://github.com/acme/help/edit/main/content/{path}\"

error: found 4 errors and 0 warnings
build failed; the previous output was left as it was
"
    );
}

#[test]
fn an_accent_without_enough_contrast_warns_for_each_scheme() {
    let f = site("[brand]\naccent = \"#7dd3fc\"\n");
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0);
    let warnings = &run.stderr[..run.stderr.find("built ").expect("it builds")];
    assert_eq!(
        warnings,
        "warning[brand-contrast]: the accent colour #7dd3fc has a contrast of 1.66:1 on the light background (#ffffff); links need 4.5:1 (WCAG AA)
  --> book.toml:2:11
  |
2 | accent = \"#7dd3fc\"
  |           ^^^^^^^
  = hint: pick a darker accent

warning: found 1 warning
"
    );
    let f = site("[brand]\naccent = \"#1e3a8a\"\n");
    let warnings = f.run(&["build"]).stderr;
    assert!(
        warnings.starts_with("warning[brand-contrast]: the accent colour #1e3a8a has a contrast of 1.78:1 on the dark background (#111418); links need 4.5:1 (WCAG AA)\n  --> book.toml:2:11\n"),
        "{warnings}"
    );
    assert!(warnings.contains("  = hint: set a lighter `accent-dark` for the dark scheme\n"));
}

#[test]
fn new_writes_an_article_and_checks_the_slug() {
    let f = site("");
    let run = f.run(&["new", "guides/reset-password"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, "  created content/guides/reset-password.md\n")
    );
    assert_eq!(
        f.read("content/guides/reset-password.md"),
        "---\ntitle: Reset password\ndescription:\ntags: []\n---\n\nSay in one sentence what the reader gets done here.\n\n1. Write the first step.\n2. Write the next step.\n"
    );
    let run = f.run(&["new", "help/sso/set-up-sso", "--title", "Set up SSO: Okta"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            0,
            "  created content/help/sso/_index.md\n  created content/help/sso/set-up-sso.md\n"
        )
    );
    assert_eq!(
        f.read("content/help/sso/_index.md"),
        "---\ntitle: Sso\n---\n"
    );
    assert!(
        f.read("content/help/sso/set-up-sso.md")
            .starts_with("---\ntitle: \"Set up SSO: Okta\"\n")
    );
    // What it writes builds.
    assert_eq!(f.run(&["build"]).code, 0);

    let run = f.run(&["new", "guides/Reset Password"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            1,
            "error[new-path]: `Reset Password` is not a valid slug: use lowercase letters, digits and single hyphens\n  = hint: try `stepbook new guides/reset-password`\n\nerror: found 1 error and 0 warnings\n"
        )
    );
    let run = f.run(&["new", "reset"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            1,
            "error[new-path]: `reset` names no collection: write it as <collection>/<slug>\n  = hint: for example `stepbook new guides/reset`\n\nerror: found 1 error and 0 warnings\n"
        )
    );
    let run = f.run(&["new", "guides/reset-password"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            1,
            "error[new-exists]: content/guides/reset-password.md already exists\n  = hint: pick another slug, or edit the article that is there\n\nerror: found 1 error and 0 warnings\n"
        )
    );
}

#[test]
fn every_article_has_a_markdown_copy_with_resolved_links_and_step_ids() {
    let f = site(BASE);
    assert_eq!(f.run(&["build"]).code, 0);
    assert_eq!(
        f.read("public/guides/set-up.md"),
        "# Set up your account

> Create an account.

URL: https://help.acme.test/docs/guides/set-up.html

## Create an account

1. Open the sign-up page. {#create-an-account-step-1}
2. Enter your email address: {#create-an-account-step-2}
   1. Use your work address. {#create-an-account-step-2-1}
3. Select **Create account**. {#create}

Then [invite your team](https://help.acme.test/docs/guides/invite.html#invite-step-2) or see [Export your data](https://help.acme.test/docs/guides/export.html).
"
    );
    assert_eq!(
        f.read("public/guides/invite.md"),
        "# Invite your team

> Send invitations.

URL: https://help.acme.test/docs/guides/invite.html

## Invite

1. Open **Team**. {#invite-step-1}
2. Select **Invite**. {#invite-step-2}

Back to [Set up your account](https://help.acme.test/docs/guides/set-up.html#create).
"
    );
    // A body that opens with its title keeps it.
    assert_eq!(
        f.read("public/billing/invoices.md"),
        "# Download an invoice\n\nURL: https://help.acme.test/docs/billing/invoices.html\n\nText.\n"
    );
    assert_eq!(
        f.read("public/llms.txt"),
        "# Acme help

Each link is an article as Markdown; its steps carry their ids as `{#id}`, and `URL:` gives the page to link readers to.

## Guides

- [Set up your account](https://help.acme.test/docs/guides/set-up.md): Create an account.
- [Invite your team](https://help.acme.test/docs/guides/invite.md): Send invitations.
- [Export your data](https://help.acme.test/docs/guides/export.md)
- [More](https://help.acme.test/docs/guides/more.md)

## Billing

- [Download an invoice](https://help.acme.test/docs/billing/invoices.md)
"
    );
    // Each article's page names its copy.
    assert!(f.read("public/guides/set-up.html").contains(
        "<link rel=\"alternate\" type=\"text/markdown\" href=\"set-up.md\" title=\"This article as Markdown\">"
    ));
}

#[test]
fn without_base_url_the_copies_link_relatively() {
    let f = site("");
    assert_eq!(f.run(&["build"]).code, 0);
    let copy = f.read("public/guides/invite.md");
    assert!(copy.contains("URL: invite.html\n"), "{copy}");
    assert!(
        copy.contains("Back to [Set up your account](set-up.html#create)."),
        "{copy}"
    );
    assert!(
        f.read("public/llms.txt")
            .contains("- [Invite your team](guides/invite.md): Send invitations.\n")
    );
}
