//! argv -> command -> exit code; `report` prints what went wrong.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::report::report;

/// What each exit status means, for `--help` (README.md says the same).
const EXIT_STATUS: &str = "\
Exit status:
  0  success (for `check`: no errors, and no warnings under --strict)
  1  a problem in the site: content, templates, theme, a file that cannot be read or
     written, a refused output folder; or the machine: no free port, no file watcher
  2  the command line is wrong: an unknown command or option, a bad value, or no
     site.yaml in the folder --root names";

/// gazette builds news explainer sites from Markdown articles with YAML front matter.
#[derive(Debug, Parser)]
#[command(
    name = "gazette",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder
    Build(cmd::build::BuildArgs),
    /// Check every article, link and template without writing anything
    Check(cmd::check::CheckArgs),
    /// Build, serve the site locally, and rebuild and reload on every save
    Serve(cmd::serve::ServeArgs),
    /// Start a new article with its front matter filled in
    New(cmd::new::NewArgs),
    /// Create a new site
    Init(cmd::init::InitArgs),
    /// List the built-in default theme's templates, or copy some into the site to edit them
    Theme(cmd::theme::ThemeArgs),
}

/// Runs the command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => return cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Theme(args) => cmd::theme::run(args),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            report(&err);
            err.exit_code()
        }
    }
}
