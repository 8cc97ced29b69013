//! argv -> command, and the one place that prints errors.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::error::{Diagnostic, Error, Severity};

/// gazette builds news explainer sites from Markdown articles with YAML front matter.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder
    Build(cmd::build::BuildArgs),
}

/// Runs the command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match &cli.command {
        Command::Build(args) => cmd::build::run(args),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            report(&err);
            err.exit_code()
        }
    }
}

/// Prints an error: each problem with its location, hint and causes, then a count.
pub fn report(err: &Error) {
    let problems = err.problems();
    for problem in &problems {
        match problem {
            Error::Content(diagnostic) => print_diagnostic(diagnostic),
            other => {
                eprintln!("error: {other}");
                let mut cause = std::error::Error::source(other);
                while let Some(c) = cause {
                    for line in c.to_string().lines() {
                        eprintln!("  {line}");
                    }
                    cause = c.source();
                }
            }
        }
    }
    if problems.len() > 1 {
        eprintln!("{} problems found", problems.len());
    }
}

/// Prints one content problem as `error: path:line:col: message` and its hint.
pub fn print_diagnostic(diagnostic: &Diagnostic) {
    let label = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    eprintln!("{label}: {diagnostic}");
    if let Some(hint) = &diagnostic.hint {
        eprintln!("  help: {hint}");
    }
}
