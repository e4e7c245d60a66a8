//! `stepbook serve` from the command line: binding errors are clear and end the process, and
//! an address open to the network is warned about. (Attacks: tests/serve_attacks.rs. Live
//! reload, overlays and the rest are tested in a browser: tests/browser/serve.test.mjs.)

mod common;

use std::time::Duration;

use common::Fixture;

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    let out = assert_cmd::Command::cargo_bin("stepbook")
        .unwrap()
        .current_dir(f.root())
        .args(["serve", "--port", &port])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "error[serve-bind]: cannot listen on 127.0.0.1:{port}"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("pick another with `--port`"), "{stderr}");
}

#[test]
fn a_bad_config_stops_serve_before_it_listens() {
    let f = Fixture::empty();
    f.write("book.toml", "[serve]\nprot = 4000\n");
    let out = assert_cmd::Command::cargo_bin("stepbook")
        .unwrap()
        .current_dir(f.root())
        .args(["serve", "--port", "0"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown key `prot` in [serve] of book.toml"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `port`?"), "{stderr}");
}

#[test]
fn a_host_that_is_not_loopback_is_warned_about() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n");
    // A documentation address (TEST-NET-1) that this machine does not have: the warning is
    // printed before binding fails, and nothing is opened to the network.
    let out = assert_cmd::Command::cargo_bin("stepbook")
        .unwrap()
        .current_dir(f.root())
        .args(["serve", "--host", "192.0.2.1", "--port", "0"])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning = "warning[serve-host]: `--host 192.0.2.1` opens the preview to the network\n  = hint: anyone who can reach this computer can read the site, unpublished changes included; leave out `--host` to serve on 127.0.0.1 only\nerror[serve-bind]: cannot listen on 192.0.2.1:0: ";
    assert!(stderr.starts_with(warning), "{stderr}");
}

#[test]
fn loopback_hosts_are_not_warned_about() {
    let f = Fixture::empty();
    // A bad config stops serve right after the warning would have been printed.
    f.write("book.toml", "[serve]\nprot = 4000\n");
    for host in ["127.0.0.1", "::1"] {
        let out = assert_cmd::Command::cargo_bin("stepbook")
            .unwrap()
            .current_dir(f.root())
            .args(["serve", "--host", host, "--port", "0"])
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The config error comes first: nothing was printed before it.
        assert!(
            stderr.starts_with(
                "error[config-unknown-key]: unknown key `prot` in [serve] of book.toml\n"
            ),
            "{stderr}"
        );
    }
}

/// A `themes/` folder made while serving is watched from then on: every later edit of a
/// template in it reaches the pages.
#[test]
fn a_theme_folder_made_while_serving_is_watched() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n\nText.\n");
    let served = common::served::Served::start(&f);
    served.wait_builds(1);
    let base = include_str!("../themes/default/templates/base.html");
    for mark in ["first override", "second override"] {
        f.write(
            "themes/default/templates/base.html",
            &base.replace("</body>", &format!("<!-- {mark} --></body>")),
        );
        let end = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let page = served.get("/a.html");
            if page.contains(&format!("<!-- {mark} -->")) {
                break;
            }
            assert!(
                std::time::Instant::now() < end,
                "the {mark} never reached the page:\n{page}\n{}",
                served.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A rebuild prints its warnings only when they are not the ones printed last; otherwise its
/// line counts them.
#[test]
fn a_rebuild_prints_the_same_warnings_once() {
    let f = Fixture::empty();
    f.write("content/a.md", "# A\n\nSee [nothing](missing.md).\n");
    f.write("book.toml", "[build]\nlink-check = \"warn\"\n");
    let served = common::served::Served::start(&f);
    served.wait_builds(1);
    let warning = "warning[link-missing-page]";
    assert_eq!(served.log().matches(warning).count(), 1, "{}", served.log());
    f.write(
        "content/a.md",
        "# A\n\nSee [nothing](missing.md).\n\nMore.\n",
    );
    served.wait_builds(2);
    let log = served.log();
    assert_eq!(log.matches(warning).count(), 1, "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("rebuilt 2 files of 3 pages in ")
                && l.ends_with(" ms (1 warning, as before)")),
        "{log}"
    );
    // Another warning: the whole set is printed again.
    f.write(
        "content/a.md",
        "# A\n\nSee [nothing](missing.md) and [more](gone.md).\n",
    );
    served.wait_builds(3);
    assert_eq!(served.log().matches(warning).count(), 3, "{}", served.log());
}
