//! A large asset is copied as a stream: the build's memory does not grow with the file. Alone
//! in its own test binary, so that the peak memory of child processes is that of the builds it
//! runs.

mod common;

#[cfg(target_os = "linux")]
#[test]
fn a_large_asset_is_copied_without_reading_it_whole() {
    use std::io::{Read, Seek, SeekFrom, Write};
    let f = common::Fixture::empty();
    f.write("content/a.md", "# A\n");
    // The same site without the asset first: what a build of it needs whatever the allocator.
    let run = f.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let without = children_peak_kb();
    let size: u64 = 64 * 1024 * 1024;
    let mut file = std::fs::File::create(f.root().join("content/big.bin")).unwrap();
    file.write_all(b"head").unwrap();
    file.seek(SeekFrom::Start(size - 4)).unwrap();
    file.write_all(b"tail").unwrap();
    drop(file);
    for round in 0..2 {
        let run = f.run(&["build"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let copy = f.root().join("public/big.bin");
        assert_eq!(
            std::fs::metadata(&copy).unwrap().len(),
            size,
            "round {round}"
        );
        // Read only the ends: the test process must stay small too, as children start as
        // copies of it.
        let mut file = std::fs::File::open(&copy).unwrap();
        let mut end = [0; 4];
        file.read_exact(&mut end).unwrap();
        assert_eq!(&end, b"head");
        file.seek(SeekFrom::Start(size - 4)).unwrap();
        file.read_exact(&mut end).unwrap();
        assert_eq!(&end, b"tail");
    }
    // Read whole, the asset alone would add 64 MiB to the peak.
    let with = children_peak_kb();
    assert!(
        with < without + 16 * 1024,
        "a build peaked at {with} kB with the asset, {without} kB without it"
    );
}

/// The largest peak memory of the child processes waited for so far, in kB (as Linux gives
/// it).
#[cfg(target_os = "linux")]
fn children_peak_kb() -> libc::c_long {
    // SAFETY: `getrusage` fills the struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage), 0);
        usage.ru_maxrss
    }
}
