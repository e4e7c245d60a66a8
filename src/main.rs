//! The `stepbook` binary: parse the command line, run the library, print, exit.
//!
//! Exit codes: 0 success, 1 the site has errors (or a command failed), 2 bad usage.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, Format};
use stepbook::diagnostics::{Diagnostic, Diagnostics, plural};

/// mimalloc rather than the system allocator: a build makes and drops millions of small values
/// (page contexts, strings, decoded cache entries) on every thread, which mimalloc serves
/// faster than glibc's malloc (a 10,000-article build into an empty folder takes about a
/// quarter less time), at the cost of a somewhat higher peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Transparent huge pages off for this process (and the `git` runs that date pages).
    // mimalloc asks for them (`madvise`) on the memory it maps, and where the system grants
    // them on request with direct compaction (Debian's and Ubuntu's default), each fault of a
    // fresh huge page clears 2 MiB and may first compact memory to find it. A build touches
    // most of its memory once: with them off, a cached build of 10,000 articles into an empty
    // folder held 60 MiB less, and its time spread far less from run to run (2.16-2.41 s
    // against 1.90-3.18 s, median 2.24 s against 2.38 s; its best runs were a little faster
    // with them, when memory happened not to need compacting). `serve`'s first build waited
    // a second and a half longer with them at 10,000 articles.
    stepbook::huge_pages(false);
    let cli = Cli::parse();
    let root = cli.root.canonicalize().unwrap_or(cli.root.clone());
    match cli.command {
        Command::Build {
            dest,
            drafts,
            force,
            timings,
            locked,
        } => build(&root, dest, drafts, force, timings, locked),
        Command::Check {
            format,
            drafts,
            locked,
        } => check(&root, format, drafts, locked),
        Command::Init { dir } => init(&dir),
        Command::New { path, title } => new(&root, &path, title.as_deref()),
        Command::Serve {
            port,
            host,
            open,
            drafts,
        } => serve(stepbook::serve::ServeOptions {
            root,
            host,
            port,
            open,
            drafts,
            threads: 2,
        }),
    }
}

fn print(diags: &Diagnostics, root: &Path) {
    if !diags.is_empty() {
        let _ = std::io::stderr().write_all(diags.render(root).as_bytes());
    }
}

fn fail(d: Diagnostic, root: &Path) -> ExitCode {
    let mut all = Diagnostics::new();
    all.push(d);
    print(&all, root);
    ExitCode::from(1)
}

fn build(
    root: &Path,
    dest: Option<std::path::PathBuf>,
    drafts: bool,
    force: bool,
    timings: bool,
    locked: bool,
) -> ExitCode {
    let opts = stepbook::BuildOptions {
        root: root.to_path_buf(),
        dest,
        drafts,
        locked,
        force,
        exits_after: true,
    };
    let bar = Bar::new();
    let result = stepbook::build_with(&opts, &bar);
    bar.finish();
    match result {
        Ok(report) => {
            print(&report.diagnostics, root);
            if timings {
                for (stage, took) in &report.timings.stages {
                    eprintln!("  {:>7.1} ms  {stage}", took.as_secs_f64() * 1000.0);
                }
                eprintln!(
                    "  {} of {} files rendered, the others kept from the last build",
                    report.rendered, report.files
                );
                eprintln!("  {} page contexts built", report.contexts);
                eprintln!("  {} articles fingerprinted", report.fingerprinted);
                eprintln!(
                    "  {} articles followed along the anchor record",
                    report.followed
                );
                eprintln!(
                    "  {} vanished addresses of the anchor record decided",
                    report.vanished_decided
                );
                eprintln!("  {} articles counted for search", report.counted);
                eprintln!("  {} search buckets deflated", report.deflated);
                eprintln!("  {} pages checked for links", report.link_checked);
                eprintln!("  site assembled: {}", report.assembled.describe());
            }
            eprintln!(
                "built {} ({} files, {} unchanged) in {} ms with {} into {}",
                plural(report.pages, "page"),
                report.files,
                report.unchanged,
                report.elapsed.as_millis(),
                plural(report.diagnostics.warning_count(), "warning"),
                report.dest.display()
            );
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print(&diags, root);
            eprintln!("build failed; the previous output was left as it was");
            ExitCode::from(1)
        }
    }
}

/// The build's progress bar: on a terminal only, and only once a build has taken a second.
struct Bar {
    bar: indicatif::ProgressBar,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Bar {
    fn new() -> Bar {
        use indicatif::{ProgressBar, ProgressDrawTarget};
        use std::io::IsTerminal;
        use std::sync::atomic::Ordering;
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if std::io::stderr().is_terminal() {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_secs(1));
                if !done.load(Ordering::SeqCst) {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(std::time::Duration::from_millis(100));
                }
            });
        }
        Bar { bar, done }
    }

    fn finish(&self) {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        self.bar.finish_and_clear();
    }
}

impl stepbook::Progress for Bar {
    fn stage(&self, name: &'static str, total: usize) {
        use indicatif::ProgressStyle;
        // A bar when the stage knows its size, a spinner when it does not.
        let style = if total > 0 {
            ProgressStyle::with_template("{spinner} {msg:<9} [{bar:30}] {pos}/{len}")
                .expect("a valid template")
                .progress_chars("=> ")
        } else {
            ProgressStyle::with_template("{spinner} {msg}").expect("a valid template")
        };
        self.bar.set_style(style);
        self.bar.set_message(name);
        self.bar.set_position(0);
        self.bar.set_length(total as u64);
    }

    fn advance(&self, n: usize) {
        self.bar.inc(n as u64);
    }
}

fn check(root: &Path, format: Format, drafts: bool, locked: bool) -> ExitCode {
    let diags = stepbook::check_with(root, drafts, locked);
    match format {
        Format::Json => println!("{}", diags.to_json(root)),
        Format::Human if diags.is_empty() => eprintln!("no problems found"),
        Format::Human => print(&diags, root),
    }
    if diags.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn new(root: &Path, path: &str, title: Option<&str>) -> ExitCode {
    let config = match stepbook::config::Config::load(root) {
        Ok(c) => c,
        Err(ds) => {
            let mut diags = Diagnostics::new();
            diags.extend(ds);
            print(&diags, root);
            return ExitCode::from(1);
        }
    };
    match stepbook::new::new_article(&config, path, title) {
        Ok(files) => {
            for f in files {
                eprintln!("  created {f}");
            }
            ExitCode::SUCCESS
        }
        Err(d) => fail(d, root),
    }
}

fn init(dir: &Path) -> ExitCode {
    match stepbook::init::init(dir) {
        Ok(files) => {
            for f in files {
                eprintln!("  created {}", dir.join(f).display());
            }
            eprintln!("\nNext: cd {} && stepbook serve", dir.display());
            ExitCode::SUCCESS
        }
        Err(d) => fail(d, dir),
    }
}

fn serve(opts: stepbook::serve::ServeOptions) -> ExitCode {
    let root = opts.root.clone();
    if !opts.host.is_loopback() {
        eprintln!(
            "warning[serve-host]: `--host {}` opens the preview to the network\n  = hint: anyone who can reach this computer can read the site, unpublished changes included; leave out `--host` to serve on 127.0.0.1 only",
            opts.host
        );
    }
    match stepbook::serve::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(diags) => {
            print(&diags, &root);
            ExitCode::from(1)
        }
    }
}
