//! `stepbook serve` from the command line: binding errors are clear and end the process.
//! (Live reload, overlays and the rest are tested in a browser: tests/browser/serve.test.mjs.)

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
