//! Every user-facing error: where it happened, what went wrong, what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in a source file, printed as `path:line:column` so editors can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// Relative to the site root, so messages read the same on every machine.
    pub path: PathBuf,
    /// 1-based and counted over the whole file, front matter included.
    pub line: usize,
    /// 1-based, in characters; `None` when only the line is known.
    pub column: Option<usize>,
}

impl Location {
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Self {
        Location { path: path.into(), line, column: None }
    }

    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", display_path(&self.path), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        Ok(())
    }
}

/// Paths print with `/` on every platform so messages and snapshots agree.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// How bad a content problem is: errors fail the build, warnings only fail `check --strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One problem in a content or configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub at: Location,
    pub message: String,
    /// What to do about it, such as `did you mean `title`?`.
    pub hint: Option<String>,
    pub severity: Severity,
}

impl Diagnostic {
    pub fn error(at: Location, message: impl Into<String>) -> Self {
        Diagnostic { at, message: message.into(), hint: None, severity: Severity::Error }
    }

    pub fn warning(at: Location, message: impl Into<String>) -> Self {
        Diagnostic { at, message: message.into(), hint: None, severity: Severity::Warning }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: std::io::Error },
    /// A content or configuration file is wrong; the user fixes the file.
    Content(Box<Diagnostic>),
    /// A template failed to parse, or to render a page.
    Template {
        template: String,
        /// The article whose page was being rendered, if any.
        article: Option<PathBuf>,
        source: Box<tera::Error>,
    },
    /// The command line asks for something gazette refuses to do.
    Usage(String),
    /// Several problems found in one run, reported together.
    Many(Vec<Error>),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub fn content(diagnostic: Diagnostic) -> Self {
        Error::Content(Box::new(diagnostic))
    }

    /// Joins the errors of one run: one error stays itself, several become `Many`.
    pub fn collect(mut errors: Vec<Error>) -> Result<()> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.pop().expect("length checked")),
            _ => Err(Error::Many(errors)),
        }
    }

    /// The individual problems, with `Many` flattened.
    pub fn problems(&self) -> Vec<&Error> {
        match self {
            Error::Many(errors) => errors.iter().flat_map(Error::problems).collect(),
            other => vec![other],
        }
    }

    /// Process exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            Error::Many(errors) if errors.iter().all(|e| e.exit_code() == 2) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => {
                write!(f, "cannot access `{}`: {}", display_path(path), io_reason(source))
            }
            Error::Content(diagnostic) => diagnostic.fmt(f),
            Error::Template { template, article: Some(article), .. } => write!(
                f,
                "{}: template `{template}` failed to render this article",
                display_path(article)
            ),
            Error::Template { template, article: None, .. } => {
                write!(f, "template `{template}` failed")
            }
            Error::Usage(message) => f.write_str(message),
            Error::Many(errors) => write!(f, "{} problems found", errors.len()),
        }
    }
}

/// The I/O error's reason without the "(os error N)" tail, which means nothing to a writer.
fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_lowercase(),
        None => text.to_lowercase(),
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The I/O reason is already part of the message.
            Error::Io { .. } => None,
            Error::Template { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::content(diagnostic)
    }
}
