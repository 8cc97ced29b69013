//! Terminal reporting: prints errors and warnings to stderr, in colour on a terminal.

use crate::error::{Diagnostic, Error};

/// Whether stderr shows colours: a terminal, and `NO_COLOR` unset.
pub(crate) fn color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Prints an error: each problem with its location, source line and hint, then a count.
pub(crate) fn report(err: &Error) {
    eprint!("{}", err.render(color()));
}

/// Prints one content problem (usually a warning) the same way.
pub(crate) fn print_diagnostic(diagnostic: &Diagnostic) {
    eprintln!("{}", diagnostic.render(color()));
}
