//! The command line (clap derive): `build`, `serve`, `check`, `init`, `new`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "stepbook",
    version,
    about = "Build a help center from Markdown: linkable steps, branches, search."
)]
pub struct Cli {
    /// The site's folder (holding book.toml and content/); the current folder by default.
    #[arg(
        long,
        short = 'C',
        global = true,
        value_name = "DIR",
        default_value = "."
    )]
    pub root: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the whole site to the output folder.
    Build {
        /// Output folder (default: `[build] output-dir`, `public`).
        #[arg(long, short, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Build from scratch, without the cache the last build kept in `.stepbook-cache/`.
        #[arg(long)]
        force: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
        /// Fail, writing nothing, when the anchor record (anchors.lock) would change.
        #[arg(long)]
        locked: bool,
    },
    /// Build, serve on 127.0.0.1 and open the site for preview.
    Serve {
        /// Port (default: `[serve] port`, 3000).
        #[arg(long, short)]
        port: Option<u16>,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Report every error and warning without writing anything.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Fail when the anchor record (anchors.lock) would change.
        #[arg(long)]
        locked: bool,
    },
    /// Create a new site with an example article.
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Create an article: content/<collection>/<slug>.md, with its frontmatter.
    New {
        /// Where the article goes, as <collection>/<slug> (collections may nest).
        #[arg(value_name = "COLLECTION/SLUG")]
        path: String,
        /// The article's title (default: the slug in words).
        #[arg(long)]
        title: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}
