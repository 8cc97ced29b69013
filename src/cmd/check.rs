//! `gazette check`: the whole pipeline without writing output, every problem reported.

use serde::Serialize;

use crate::error::{Diagnostic, Error, Severity, display_path};
use crate::pipeline;

#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// The site folder (holding site.yaml and content/)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: std::path::PathBuf,
    /// Check articles marked `draft: true` too
    #[arg(long)]
    pub drafts: bool,
    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,
    /// How to print the problems
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Check as if the time were this RFC 3339 instant (what is scheduled, what expired)
    #[arg(long, value_name = "TIME", value_parser = crate::cmd::build::parse_now)]
    pub now: Option<jiff::Timestamp>,
    /// Read the build cache from this folder [default: .gazette/ inside the site folder]
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<std::path::PathBuf>,
    /// Do not read the build cache: every page is rendered
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style messages on stderr
    Text,
    /// One JSON document on stdout, for CI tools and editors
    Json,
}

/// One problem in the JSON report.
#[derive(Debug, Serialize)]
struct JsonProblem<'a> {
    severity: Severity,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    hint: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    version: u32,
    articles: Option<usize>,
    errors: usize,
    warnings: usize,
    /// Of those, how many `problems` does not list (it lists at most
    /// [`crate::checks::MAX_PROBLEMS_PER_FILE`] per file, then one that counts the rest).
    not_shown: usize,
    problems: Vec<JsonProblem<'a>>,
    /// Articles dated after the check's time, soonest first.
    scheduled: Vec<JsonScheduled>,
}

/// An article waiting for its date, in the JSON report.
#[derive(Debug, Serialize)]
struct JsonScheduled {
    file: String,
    title: String,
    date: String,
}

/// Runs the checks, prints what they found, and returns the exit code: 1 with errors (or
/// with warnings under `--strict`), 0 otherwise, 2 for usage errors.
pub(crate) fn run(args: &CheckArgs) -> i32 {
    let options = pipeline::BuildOptions {
        root: args.root.clone(),
        drafts: args.drafts,
        now: args.now,
        cache_dir: args.cache_dir.clone(),
        no_cache: args.no_cache,
        ..Default::default()
    };
    let mut scheduled = Vec::new();
    let (articles, diagnostics, others) = match pipeline::check(&options) {
        Ok(report) => {
            for notice in &report.cache_notices {
                eprintln!("note: {notice}");
            }
            scheduled = report.scheduled;
            (Some(report.articles), report.problems, Vec::new())
        }
        Err(err) if err.exit_code() == 2 => {
            crate::report::report(&err);
            return 2;
        }
        Err(err) => split(err),
    };
    // Every problem counts, those the per-file cap does not show included.
    let (errors, warnings) = diagnostics
        .iter()
        .map(Diagnostic::counts)
        .fold((others.len(), 0), |(e, w), (de, dw)| (e + de, w + dw));
    let not_shown: usize = diagnostics.iter().map(Diagnostic::not_shown).sum();
    match args.format {
        Format::Text => {
            // Each problem, then a blank line, as compilers print them.
            for other in &others {
                eprintln!("{}", other.render(crate::report::color()));
            }
            for diagnostic in &diagnostics {
                eprintln!("{}\n", diagnostic.render(crate::report::color()));
            }
            for doc in &scheduled {
                eprintln!(
                    "scheduled: `{}` publishes at {} ({})",
                    display_path(&doc.source),
                    doc.date.rfc3339(),
                    doc.title
                );
            }
            let checked = articles.map_or(String::new(), |n| format!("checked {n} article(s): "));
            let hidden = match not_shown {
                0 => String::new(),
                n => format!(
                    " ({n} not shown: at most {} problems per file)",
                    crate::checks::MAX_PROBLEMS_PER_FILE
                ),
            };
            eprintln!("{checked}{errors} error(s), {warnings} warning(s){hidden}");
        }
        Format::Json => {
            let mut problems: Vec<JsonProblem<'_>> = others
                .iter()
                .map(|e| {
                    let message = e.render(false).trim_end().to_owned();
                    let (file, line, column) = match e {
                        Error::Template { articles, other_pages: 0, .. } if articles.len() == 1 => {
                            (display_path(&articles[0]), None, None)
                        }
                        Error::Template { template, at, .. } => {
                            let line = at.as_ref().map(|at| at.line);
                            (template.clone(), line, at.as_ref().and_then(|at| at.column))
                        }
                        Error::Io { path, .. } => (display_path(path), None, None),
                        _ => (String::new(), None, None),
                    };
                    JsonProblem {
                        severity: Severity::Error,
                        file,
                        line,
                        column,
                        message,
                        hint: match e {
                            Error::Template { hint, .. } => hint.as_deref(),
                            _ => None,
                        },
                    }
                })
                .collect();
            problems.extend(diagnostics.iter().map(json_problem));
            let scheduled = scheduled
                .iter()
                .map(|d| JsonScheduled {
                    file: display_path(&d.source),
                    title: d.title.clone(),
                    date: d.date.rfc3339(),
                })
                .collect();
            let report = JsonReport {
                version: 1,
                articles,
                errors,
                warnings,
                not_shown,
                problems,
                scheduled,
            };
            println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
        }
    }
    i32::from(errors > 0 || (args.strict && warnings > 0))
}

fn json_problem(d: &Diagnostic) -> JsonProblem<'_> {
    JsonProblem {
        severity: d.severity,
        file: display_path(&d.at.path),
        line: (d.at.line > 0).then_some(d.at.line),
        column: d.at.column,
        message: d.message.clone(),
        hint: d.hint.as_deref(),
    }
}

/// Content problems become diagnostics; anything else (templates, files) stays an error.
fn split(err: Error) -> (Option<usize>, Vec<Diagnostic>, Vec<Error>) {
    let mut diagnostics = Vec::new();
    let mut others = Vec::new();
    let errors = match err {
        Error::Many(errors) => errors,
        other => vec![other],
    };
    for e in errors.into_iter().flat_map(|e| match e {
        Error::Many(inner) => inner,
        single => vec![single],
    }) {
        match e {
            Error::Content(d) => diagnostics.push(*d),
            other => others.push(other),
        }
    }
    (None, diagnostics, others)
}
