//! The plan: which old fragments move where, which pages moved, what the record keeps.

use super::*;
use crate::frontmatter::Frontmatter;
use crate::markdown::tests::render_full;
use crate::site::Page;
use crate::site::tests::{page, titled};
use crate::site::tree::assemble;

const BEFORE: &str = "## Set up\n\nFirst the app.\n\n1. Open the app.\n2. Tap Settings.\n3. Tap Security and privacy.\n4. Turn on two-step login.\n";

fn pages_of(pages: &[(&str, &str, Frontmatter)]) -> Vec<Page> {
    pages
        .iter()
        .map(|(source, md, fm)| page(source, fm.clone(), render_full(md)))
        .collect()
}

fn tree_of(pages: &[(&str, &str, Frontmatter)]) -> Tree {
    assemble(pages_of(pages))
}

fn plan_of(tree: &Tree, recorded: &Recorded) -> Plan {
    plan_with(tree, recorded, Memo::default())
}

/// The plan of `tree` against `recorded`, starting from `memo`, with no problem.
fn plan_with(tree: &Tree, recorded: &Recorded, memo: Memo) -> Plan {
    let (plan, problems) = plan(Input {
        tree,
        redirects: &[],
        recorded: recorded.clone(),
        memo,
    });
    assert_eq!(problems, []);
    // The text is written without making the record, and says the same.
    let by_parts = plan.clone().changed();
    let copy = plan.clone();
    assert_eq!(copy.text(), copy.record().render());
    assert_eq!(copy.changed(), by_parts);
    assert_eq!(
        copy.keeps_read(),
        Arc::ptr_eq(copy.record(), &copy.read_record)
    );
    plan
}

/// The record a first build of `pages` leaves, as the next build reads it.
fn recorded(pages: &[(&str, &str, Frontmatter)]) -> Recorded {
    let text = plan_of(&tree_of(pages), &Recorded::default())
        .text()
        .to_string();
    let (record, bad) = Record::parse(&text).unwrap();
    assert!(bad.is_empty());
    Recorded {
        path: PathBuf::from("/site/anchors.lock"),
        text: Some(text.into()),
        record: record.into(),
        problems: Vec::new(),
    }
}

fn reports(plan: &Plan) -> Vec<String> {
    plan.reports()
        .iter()
        .map(|d| {
            let line = d.location.as_ref().map_or(0, |l| l.line);
            format!("{line}: {}[{}]: {}", d.severity_word(), d.code, d.message)
        })
        .collect()
}

trait Word {
    fn severity_word(&self) -> &'static str;
}

impl Word for Diagnostic {
    fn severity_word(&self) -> &'static str {
        if self.is_error() { "error" } else { "warning" }
    }
}

#[test]
fn a_first_build_records_every_anchor_and_maps_nothing() {
    let pages = [("guide/a.md", BEFORE, titled("MFA"))];
    let plan = plan_of(&tree_of(&pages), &Recorded::default());
    let anchors: Vec<String> = plan
        .record()
        .entries
        .keys()
        .map(record::display_key)
        .collect();
    assert_eq!(
        anchors,
        [
            "guide/a.html",
            "guide/a.html#set-up",
            "guide/a.html#set-up-step-1",
            "guide/a.html#set-up-step-2",
            "guide/a.html#set-up-step-3",
            "guide/a.html#set-up-step-4",
        ]
    );
    assert!(plan.maps.is_empty());
    assert!(plan.changed());
    // Built again from its own record, nothing changes.
    let again = plan_of(&tree_of(&pages), &recorded(&pages));
    assert!(!again.changed());
    assert!(again.maps.is_empty() && again.reports().is_empty());
}

#[test]
fn a_step_inserted_at_the_top_moves_every_old_link_one_down() {
    let old = recorded(&[("guide/a.md", BEFORE, titled("MFA"))]);
    let after = BEFORE.replace(
        "1. Open the app.",
        "1. Unlock your phone.\n1. Open the app.",
    );
    let pages = [("guide/a.md", after.as_str(), titled("MFA"))];
    let plan = plan_of(&tree_of(&pages), &old);
    assert_eq!(
        plan.maps[&UrlPath::new("guide/a.html")],
        r#"{"set-up-step-1":"set-up-step-2","set-up-step-2":"set-up-step-3","set-up-step-3":"set-up-step-4","set-up-step-4":"set-up-step-5"}"#
    );
    assert_eq!(
        reports(&plan)[2],
        "8: warning[anchor-moved]: `guide/a.html#set-up-step-3` now leads to `guide/a.html#set-up-step-4`, which holds the same text"
    );
    // The record keeps what each old fragment anchored, and adds the new step 5.
    let text = plan.text().to_string();
    assert_eq!(
        text.lines().count(),
        old.text.as_ref().unwrap().lines().count() + 1
    );
    let (again, _) = Record::parse(&text).unwrap();
    let recorded = Recorded {
        text: Some(text.into()),
        record: again.into(),
        ..old
    };
    // The next build maps the same way, and leaves the record as it is.
    let next = plan_of(&tree_of(&pages), &recorded);
    assert_eq!(next.maps, plan.maps);
    assert!(!next.changed());
}

#[test]
fn a_renamed_heading_leads_to_its_new_id_by_its_words() {
    let old = recorded(&[("guide/a.md", BEFORE, titled("MFA"))]);
    let after = BEFORE
        .replace("## Set up", "## Set it up {#set-up-mfa}")
        .replace("set-up-step", "set-up-mfa-step");
    let pages = [("guide/a.md", after.as_str(), titled("MFA"))];
    let plan = plan_of(&tree_of(&pages), &old);
    let map = &plan.maps[&UrlPath::new("guide/a.html")];
    assert!(
        map.starts_with(r#"{"set-up":"set-up-mfa","set-up-step-1":"set-up-mfa-step-1""#),
        "{map}"
    );
    assert_eq!(
        reports(&plan)[0],
        "5: warning[anchor-moved]: `guide/a.html#set-up` now leads to `guide/a.html#set-up-mfa`, which holds similar text (100% of words shared)"
    );
}

#[test]
fn a_step_whose_text_is_gone_is_reported_lost() {
    let old = recorded(&[("guide/a.md", BEFORE, titled("MFA"))]);
    let after = BEFORE.replace("4. Turn on two-step login.\n", "");
    let plan = plan_of(
        &tree_of(&[("guide/a.md", after.as_str(), titled("MFA"))]),
        &old,
    );
    assert!(plan.maps.is_empty());
    assert_eq!(
        reports(&plan),
        [
            "9: warning[anchor-lost]: `guide/a.html#set-up-step-4` anchored a step that is gone: old links to it open the top of `guide/a.html`"
        ]
    );
    let reports = plan.reports();
    let hint = reports[0].hint.as_deref().unwrap();
    assert_eq!(
        hint,
        "send it to an id of the page with `set-up-step-4: new-id` under `anchors:` in the frontmatter of guide/a.md, or `set-up-step-4: retire`"
    );
}

#[test]
fn an_edited_step_keeps_its_links() {
    let old = recorded(&[("guide/a.md", BEFORE, titled("MFA"))]);
    let after = BEFORE.replace(
        "Tap Security and privacy.",
        "Tap **Security & privacy**, at the bottom.",
    );
    let plan = plan_of(
        &tree_of(&[("guide/a.md", after.as_str(), titled("MFA"))]),
        &old,
    );
    assert!(plan.maps.is_empty(), "{:?}", plan.maps);
    assert_eq!(reports(&plan), Vec::<String>::new());
}

#[test]
fn a_moved_article_is_found_by_its_intercom_id_or_its_anchors() {
    let with_id = Frontmatter {
        intercom_id: Some(7),
        ..titled("MFA")
    };
    let old = recorded(&[
        ("guide/a.md", BEFORE, with_id.clone()),
        (
            "guide/b.md",
            "1. Pay the bill.\n2. Keep the receipt.\n",
            titled("Pay"),
        ),
        ("guide/c.md", "Nothing here.\n", titled("Gone")),
    ]);
    let tree = tree_of(&[
        ("account/mfa.md", BEFORE, with_id),
        (
            "billing/pay.md",
            "1. Pay the bill.\n2. Keep the receipt.\n",
            titled("Pay"),
        ),
    ]);
    let plan = plan_of(&tree, &old);
    let moved: Vec<String> = plan
        .moved
        .iter()
        .map(|(from, to)| format!("{from} -> {}", tree.articles[*to].page.url))
        .collect();
    assert_eq!(
        moved,
        [
            "guide/a.html -> account/mfa.html",
            "guide/b.html -> billing/pay.html"
        ]
    );
    assert_eq!(
        reports(&plan),
        [
            "4: warning[page-moved]: `guide/a.html` is now `account/mfa.html` (it has the same intercom_id): a redirect takes old links there",
            "10: warning[page-moved]: `guide/b.html` is now `billing/pay.html` (it holds 2 of its 2 recorded anchors): a redirect takes old links there",
            "13: warning[page-gone]: `guide/c.html` was published, and no page holds it now: old links to it find nothing",
        ]
    );
    // The old and the new addresses are both recorded from now on.
    assert!(
        plan.record()
            .entries
            .contains_key(&("guide/a.html".into(), "set-up-step-3".into()))
    );
    assert!(
        plan.record()
            .entries
            .contains_key(&("account/mfa.html".into(), "set-up-step-3".into()))
    );
}

#[test]
fn pins_win_over_guesses_and_retired_fragments_are_forgotten() {
    let old = recorded(&[("guide/a.md", BEFORE, titled("MFA"))]);
    let after = BEFORE.replace(
        "1. Open the app.",
        "1. Unlock your phone.\n1. Open the app.",
    );
    let mut fm = titled("MFA");
    fm.extra.insert(
        "anchors".into(),
        serde_json::json!({"set-up-step-1": "set-up-step-1", "set-up-step-2": "set-up", "set-up-step-3": "retire", "from-an-email": "#set-up-step-5"}),
    );
    let plan = plan_of(&tree_of(&[("guide/a.md", after.as_str(), fm)]), &old);
    assert_eq!(
        plan.maps[&UrlPath::new("guide/a.html")],
        r#"{"from-an-email":"set-up-step-5","set-up-step-1":"set-up-step-1","set-up-step-2":"set-up","set-up-step-4":"set-up-step-5"}"#
    );
    // Only the guess is reported.
    assert_eq!(reports(&plan).len(), 1);
    // The retired step is recorded afresh, with what it anchors now.
    let retired = &plan.record().entries[&("guide/a.html".into(), "set-up-step-3".into())];
    assert_eq!(retired.fingerprint, Fingerprint::of("Tap Settings.", ""));
}

#[test]
fn locked_names_what_would_change() {
    let pages = [("guide/a.md", BEFORE, titled("MFA"))];
    let plan = plan_of(&tree_of(&pages), &Recorded::default());
    let d = plan.unlocked().expect("no record yet");
    assert_eq!(
        d.message,
        "anchors.lock is missing: the build would write it"
    );
    let old = recorded(&pages);
    let after = format!("{BEFORE}5. Log out.\n");
    let plan = plan_of(
        &tree_of(&[("guide/a.md", after.as_str(), titled("MFA"))]),
        &old,
    );
    let d = plan.unlocked().expect("a new step");
    assert_eq!(
        d.message,
        "anchors.lock is out of date: the build would add 1 line and remove 0 lines"
    );
    assert_eq!(
        d.hint.as_deref(),
        Some("run `stepbook build` and commit anchors.lock")
    );
    assert_eq!(
        plan_of(&tree_of(&pages), &recorded(&pages)).unlocked(),
        None
    );
}

/// The plan of `pages` against `recorded`, starting from `memo`.
fn plan_from(pages: &[Page], recorded: &Recorded, memo: Memo) -> Plan {
    plan_with(&assemble(pages.to_vec()), recorded, memo)
}

/// Everything a plan decides, to compare two plans: the maps, the reports, the moved
/// pages and the record.
fn decided(plan: &Plan) -> Vec<String> {
    let mut maps: Vec<String> = plan
        .maps
        .iter()
        .map(|(url, m)| format!("{url}: {m}"))
        .collect();
    maps.sort();
    let moved = plan
        .moved
        .iter()
        .map(|(from, to)| format!("{from} -> {to}"));
    maps.into_iter()
        .chain(reports(plan))
        .chain(moved)
        .chain([plan.text().to_string()])
        .collect()
}

const PAY: &str = "1. Pay the bill.\n2. Keep the receipt.\n";

/// Two articles: `a` with [`BEFORE`], `b` with [`PAY`].
fn a_and_b() -> [(&'static str, &'static str, Frontmatter); 2] {
    [
        ("guide/a.md", BEFORE, titled("MFA")),
        ("guide/b.md", PAY, titled("Pay")),
    ]
}

#[test]
fn the_memo_fingerprints_again_only_the_articles_that_changed() {
    let sources = a_and_b();
    let old = recorded(&sources);
    let pages = pages_of(&sources);
    let first = plan_from(&pages, &old, Memo::default());
    assert_eq!((first.memo.fingerprinted, first.memo.followed), (2, 2));
    let kept_b = first.memo.articles[&pages[1].source].prints.clone();

    // A step inserted at the top of `a`, a new page; `b` is the very same page.
    let after = BEFORE.replace(
        "1. Open the app.",
        "1. Unlock your phone.\n1. Open the app.",
    );
    let edited = vec![
        page("guide/a.md", titled("MFA"), render_full(&after)),
        pages[1].clone(),
    ];
    let second = plan_from(&edited, &old, first.memo);
    assert_eq!((second.memo.fingerprinted, second.memo.followed), (1, 1));
    let now_b = &second.memo.articles[&pages[1].source].prints;
    assert!(Arc::ptr_eq(&kept_b, now_b), "b was fingerprinted again");
    let fresh = plan_from(&edited, &old, Memo::default());
    assert_eq!(decided(&second), decided(&fresh));
    assert_eq!(
        second.maps[&UrlPath::new("guide/a.html")],
        r#"{"set-up-step-1":"set-up-step-2","set-up-step-2":"set-up-step-3","set-up-step-3":"set-up-step-4","set-up-step-4":"set-up-step-5"}"#
    );

    // Nothing changed: nothing is worked out again, and the plan is the same.
    let third = plan_from(&edited, &old, second.memo);
    assert_eq!((third.memo.fingerprinted, third.memo.followed), (0, 0));
    assert_eq!(decided(&third), decided(&fresh));
}

#[test]
fn with_another_record_the_memo_follows_again_without_fingerprinting() {
    let sources = a_and_b();
    let pages = pages_of(&sources);
    // No record, then the record the first build wrote.
    let first = plan_from(&pages, &Recorded::default(), Memo::default());
    let again = plan_from(&pages, &Recorded::default(), first.memo);
    // A missing record is read as a new empty one each time: still the same record.
    assert_eq!((again.memo.fingerprinted, again.memo.followed), (0, 0));
    let old = recorded(&sources);
    let next = plan_from(&pages, &old, again.memo);
    assert_eq!((next.memo.fingerprinted, next.memo.followed), (0, 2));
    assert_eq!(
        decided(&next),
        decided(&plan_from(&pages, &old, Memo::default()))
    );
    assert!(!next.changed());
}

/// What the build cache keeps of `memo`'s prints of `pages`, read back into a new memo as a
/// cached build does.
fn read_back(memo: &Memo, pages: &[Page]) -> Memo {
    let mut restored = Memo::default();
    for p in pages {
        let saved = postcard::to_allocvec(&memo.saved(&p.source).unwrap()).unwrap();
        let saved: SavedPrints = postcard::from_bytes(&saved).unwrap();
        let (md, fm, text) = (p.md.clone(), p.fm.clone(), p.text.clone());
        restored.restore(p.source.clone(), saved, md, fm, text);
    }
    restored
}

#[test]
fn prints_read_back_keep_what_following_decided_while_the_record_reads_the_same() {
    let sources = a_and_b();
    let old = recorded(&sources);
    // A step inserted at the top of `a`: following it maps every old step and reports.
    let after = BEFORE.replace(
        "1. Open the app.",
        "1. Unlock your phone.\n1. Open the app.",
    );
    let pages = vec![
        page("guide/a.md", titled("MFA"), render_full(&after)),
        pages_of(&sources)[1].clone(),
    ];
    let first = plan_from(&pages, &old, Memo::default());
    assert_eq!(reports(&first).len(), 4);

    let again = plan_from(&pages, &old, read_back(&first.memo, &pages));
    assert_eq!((again.memo.fingerprinted, again.memo.followed), (0, 0));
    assert_eq!(decided(&again), decided(&first));

    // The record the first plan leaves reads otherwise: every article is followed again.
    let text = first.text().to_string();
    let written = Recorded {
        record: Record::parse(&text).unwrap().0.into(),
        text: Some(text.into()),
        ..old.clone()
    };
    let next = plan_from(&pages, &written, read_back(&first.memo, &pages));
    assert_eq!((next.memo.fingerprinted, next.memo.followed), (0, 2));
    let fresh = plan_from(&pages, &written, Memo::default());
    assert_eq!(decided(&next), decided(&fresh));
    // And so does the same record in another folder: its reports name another file.
    let moved = Recorded {
        path: PathBuf::from("/elsewhere/anchors.lock"),
        ..old.clone()
    };
    let there = plan_from(&pages, &moved, read_back(&first.memo, &pages));
    assert_eq!((there.memo.fingerprinted, there.memo.followed), (0, 2));
}

#[test]
fn the_memo_plans_a_moved_and_a_deleted_article_as_a_fresh_plan_does() {
    let sources = [
        ("guide/a.md", BEFORE, titled("MFA")),
        ("guide/b.md", PAY, titled("Pay")),
        ("guide/c.md", "Nothing here.\n", titled("Gone")),
    ];
    let old = recorded(&sources);
    let pages = pages_of(&sources);
    let first = plan_from(&pages, &old, Memo::default());
    // `b` moves to another folder, `c` goes, `a` stays as it was.
    let edited = vec![
        pages[0].clone(),
        page("billing/pay.md", titled("Pay"), render_full(PAY)),
    ];
    let second = plan_from(&edited, &old, first.memo);
    assert_eq!((second.memo.fingerprinted, second.memo.followed), (1, 1));
    assert_eq!(second.memo.articles.len(), 2);
    let fresh = plan_from(&edited, &old, Memo::default());
    assert_eq!(decided(&second), decided(&fresh));
    assert_eq!(
        reports(&second),
        [
            "10: warning[page-moved]: `guide/b.html` is now `billing/pay.html` (it holds 2 of its 2 recorded anchors): a redirect takes old links there",
            "13: warning[page-gone]: `guide/c.html` was published, and no page holds it now: old links to it find nothing",
        ]
    );
}

#[test]
fn whether_the_record_changed_is_found_without_its_text() {
    let sources = [("guide/a.md", BEFORE, titled("MFA"))];
    let old = recorded(&sources);
    let same = plan_of(&tree_of(&sources), &old);
    assert!(!same.changed());
    assert!(same.text.get().is_none(), "the text was made");
    // A hand-edited record (a comment line less) is written again.
    let text = old.text.as_deref().unwrap();
    let edited = Recorded {
        text: Some(text.replacen('#', "", 1).into()),
        ..old.clone()
    };
    assert!(plan_of(&tree_of(&sources), &edited).changed());
    assert!(plan_of(&tree_of(&sources), &Recorded::default()).changed());
}

#[test]
fn the_text_of_a_record_with_repeated_ids_keeps_the_first_as_the_record_does() {
    // Two headings asking for the same id (reported elsewhere), and a page whose address
    // another holds too: the text is written from the same entries as the record.
    let md = "## Set up {#same}\n\n1. Open the app.\n\n## Set up again {#same}\n\n1. Tap Save.\n";
    let pages = [
        ("guide/a.md", md, titled("A")),
        ("guide/b.md", BEFORE, titled("B")),
    ];
    let plan = plan_of(&tree_of(&pages), &Recorded::default());
    let text = plan.text();
    assert_eq!(text.matches("\n  same ").count(), 1, "{text}");
    let old = recorded(&pages);
    let edited = md.replace("Tap Save", "Tap Done");
    let pages = [
        ("guide/a.md", edited.as_str(), titled("A")),
        ("guide/b.md", "## Other\n\n1. Else.\n", titled("B")),
    ];
    // Old fragments kept, new ones merged in their places.
    let plan = plan_of(&tree_of(&pages), &old);
    assert!(plan.changed());
    assert!(plan.text().contains("\n  other "));
    assert!(plan.text().contains("\n  set-up-step-1 "));
}

/// A small random source for the tests below (xorshift), the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// An article of a few words of a small vocabulary, so that steps repeat across articles
/// and pages are alike: some with the `intercom_id` `n`.
fn made_up(rng: &mut Rng, n: usize) -> (String, Frontmatter) {
    const WORDS: [&str; 12] = [
        "open", "settings", "tap", "save", "billing", "invoice", "export", "account", "team",
        "login", "phone", "report",
    ];
    let mut words = |k: usize| -> String {
        let mut w: Vec<&str> = (0..k).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        w.dedup();
        w.join(" ")
    };
    let mut body = format!("Intro {}.\n\n", words(3));
    for s in 0..1 + n % 3 {
        body.push_str(&format!("## {}\n\n", words(2)));
        for i in 1..=2 + (n + s) % 3 {
            body.push_str(&format!("{i}. {}.\n", words(3)));
        }
        body.push('\n');
    }
    let fm = Frontmatter {
        intercom_id: n.is_multiple_of(4).then_some(1000 + n as u64),
        ..titled(&words(2))
    };
    (body, fm)
}

/// The plan kept across runs decides where each vanished address went as a plan with no
/// memory does, after edits of every kind to the articles it may have gone to: a changed
/// body, title or `intercom_id`, a new article, a deleted one; in memory, and read back from
/// what the build cache keeps of it.
#[test]
fn kept_decisions_of_vanished_addresses_are_those_decided_anew() {
    let mut rng = Rng(0x5eed_1234_abcd);
    let make = |rng: &mut Rng, n: usize| {
        let (body, fm) = made_up(rng, n);
        let folder = ["guide", "billing"][n % 2];
        page(&format!("{folder}/a{n}.md"), fm, render_full(&body))
    };
    let mut pages: Vec<Page> = (0..24).map(|n| make(&mut rng, n)).collect();
    let first = plan_from(&pages, &Recorded::default(), Memo::default());
    let text = first.text().to_string();
    let old = Recorded {
        path: PathBuf::from("/site/anchors.lock"),
        record: Record::parse(&text).unwrap().0.into(),
        text: Some(text.into()),
        problems: Vec::new(),
    };
    // Some articles go, and some come back under other names, as copies.
    let mut deleted = Vec::new();
    for n in [3, 8, 11, 16, 20] {
        let gone = pages
            .iter()
            .position(|p| p.source.as_str().ends_with(&format!("/a{n}.md")));
        let gone = pages.remove(gone.unwrap());
        if n % 2 == 1 {
            pages.push(page(
                &format!("moved/b{n}.md"),
                (*gone.fm).clone(),
                (*gone.md).clone(),
            ));
        }
        deleted.push(gone);
    }
    let folders = ["guide", "billing", "moved"];
    let mut memo = Memo::default();
    let (mut kept, mut vanished) = (0, 0);
    for step in 0..300 {
        let next = 100 + step;
        match rng.below(7) {
            0 => {
                let at = rng.below(pages.len());
                let (body, _) = made_up(&mut rng, next);
                let p = &pages[at];
                pages[at] = page(p.source.as_str(), (*p.fm).clone(), render_full(&body));
            }
            1 => {
                pages.push(make(&mut rng, next));
            }
            2 if pages.len() > 8 => {
                pages.remove(rng.below(pages.len()));
            }
            3 => {
                // Another title or intercom_id: its place among equals may change.
                let at = rng.below(pages.len());
                let n = rng.below(24);
                let (_, fm) = made_up(&mut rng, n);
                let p = &pages[at];
                pages[at] = page(p.source.as_str(), fm, (*p.md).clone());
            }
            4 => {
                // A copy of an article, or of one deleted, under a new name.
                let p = match rng.below(2) {
                    0 => pages[rng.below(pages.len())].clone(),
                    _ => deleted[rng.below(deleted.len())].clone(),
                };
                let folder = folders[rng.below(folders.len())];
                let copy = page(
                    &format!("{folder}/c{next}.md"),
                    (*p.fm).clone(),
                    (*p.md).clone(),
                );
                pages.push(copy);
            }
            5 => {
                // The same pages listed in another order: of articles alike, the first of
                // the site is chosen.
                let (a, b) = (rng.below(pages.len()), rng.below(pages.len()));
                pages.swap(a, b);
            }
            _ => {}
        }
        if step % 3 == 0 {
            // What the build cache keeps, read back: the prints of the articles they were
            // made from.
            let same: Vec<Page> = (pages.iter())
                .filter(|p| memo.made_from(&p.source, &p.md, &p.fm, &p.text))
                .cloned()
                .collect();
            let mut restored = read_back(&memo, &same);
            if let Some(went) = memo.went() {
                let saved = postcard::to_allocvec(went).unwrap();
                restored.restore_went(postcard::from_bytes(&saved).unwrap());
            }
            memo = restored;
        }
        let plan = plan_from(&pages, &old, memo);
        let fresh = plan_from(&pages, &old, Memo::default());
        assert_eq!(decided(&plan), decided(&fresh), "after step {step}");
        let gone = fresh.memo.decided;
        assert!(plan.memo.decided <= gone);
        kept += gone - plan.memo.decided;
        vanished += gone;
        memo = plan.memo;
    }
    // The decisions were kept most of the time, or this test shows nothing.
    assert!(kept * 2 > vanished, "kept {kept} of {vanished}");
}

/// The one moved page of `plan` of `pages`: its old address, and the source of its article.
fn moved_to(plan: &Plan, pages: &[Page]) -> (String, String) {
    let [(from, to)] = &plan.moved[..] else {
        panic!("not one move: {:?}", plan.moved)
    };
    let article = &assemble(pages.to_vec()).articles[*to];
    (from.to_string(), article.page.source.to_string())
}

/// Of two articles that hold every anchor of a vanished address, the first of the site is the
/// one it became: a kept decision gives way to the articles listed in another order, though
/// neither changed, and to a new copy listed before both.
#[test]
fn a_kept_decision_gives_way_to_another_order_and_to_an_earlier_copy() {
    let gone = page("guide/gone.md", titled("Pay"), render_full(PAY));
    let old = recorded(&[("guide/gone.md", PAY, titled("Pay"))]);
    let copy = |source: &str, title: &str| page(source, titled(title), (*gone.md).clone());
    let mut pages = vec![copy("moved/pay.md", "Pay")];
    let mut memo = Memo::default();
    // Plans `pages` from the last memo; returns how many vanished addresses it decided anew
    // and where the one address went, having checked that a plan with no memory agrees.
    let mut next = |pages: &[Page]| {
        let plan = plan_from(pages, &old, std::mem::take(&mut memo));
        let fresh = plan_from(pages, &old, Memo::default());
        assert_eq!(decided(&plan), decided(&fresh));
        let (from, to) = moved_to(&plan, pages);
        assert_eq!(from, "guide/gone.html");
        memo = plan.memo;
        (memo.decided, to)
    };
    assert_eq!(next(&pages), (1, "moved/pay.md".into()));
    // A copy listed after it: the address is decided again, to the same article.
    pages.push(copy("billing/pay.md", "Pay"));
    assert_eq!(next(&pages), (1, "moved/pay.md".into()));
    // Another article, with nothing of it: the decision is kept.
    pages.push(page(
        "guide/other.md",
        titled("Set up"),
        render_full(BEFORE),
    ));
    assert_eq!(next(&pages), (0, "moved/pay.md".into()));
    // The same articles listed in another order: the copy is now the first.
    pages.swap(0, 1);
    assert_eq!(next(&pages), (1, "billing/pay.md".into()));
    // A copy listed before both.
    pages.insert(0, copy("billing/a-pay.md", "A pay"));
    assert_eq!(next(&pages), (1, "billing/a-pay.md".into()));
}

/// Two vanished addresses that became one article, each with a fragment of the same id: the
/// article's map takes the first address's, in the record's order, whether the plan decides
/// them anew or keeps what it decided.
#[test]
fn of_two_addresses_that_became_one_article_the_first_maps_a_shared_fragment() {
    let a = "## Set up\n\n1. Open the app.\n2. Tap Settings.\n";
    let b = "## Set up\n\n1. Pay the bill.\n2. Keep the receipt.\n";
    let old = recorded(&[
        ("guide/a.md", a, titled("A")),
        ("guide/b.md", b, titled("B")),
    ]);
    let both = "## Open\n\n1. Open the app.\n2. Tap Settings.\n\n## Pay\n\n1. Pay the bill.\n2. Keep the receipt.\n";
    let mut pages = vec![page("guide/c.md", titled("C"), render_full(both))];
    let first = plan_from(&pages, &old, Memo::default());
    let map = |plan: &Plan| plan.followed[&UrlPath::new("guide/c.html")].clone();
    let shared = map(&first);
    assert_eq!(shared["set-up-step-1"], "open-step-1");
    assert_eq!(shared["set-up-step-2"], "open-step-2");
    // Another article: both decisions and what following gave are kept, and so is the map.
    let other = render_full("1. Export the report.\n");
    pages.push(page("guide/d.md", titled("D"), other));
    let second = plan_from(&pages, &old, first.memo);
    assert_eq!(second.memo.decided, 0);
    assert_eq!(map(&second), shared);
}

/// An article that holds exactly half the anchors of a vanished address is a candidate: listed
/// before the one chosen, which holds as many, it is the one the address became.
#[test]
fn a_new_article_holding_half_the_anchors_is_a_candidate() {
    let old = recorded(&[("guide/gone.md", PAY, titled("Pay"))]);
    let half = |source: &str, md: &str| page(source, titled("Half"), render_full(md));
    let mut pages = vec![half("moved/w.md", "1. Pay the bill.\n2. Wait a day.\n")];
    let first = plan_from(&pages, &old, Memo::default());
    assert_eq!(moved_to(&first, &pages).1, "moved/w.md");
    pages.insert(0, half("billing/n.md", "1. Keep the receipt.\n"));
    let second = plan_from(&pages, &old, first.memo);
    assert_eq!(second.memo.decided, 1);
    assert_eq!(moved_to(&second, &pages).1, "billing/n.md");
    assert_eq!(
        decided(&second),
        decided(&plan_from(&pages, &old, Memo::default()))
    );
}
