//! Reads source files (articles, `site.yaml`, templates) as UTF-8 text, with a located
//! error for bytes that are not.

use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};

/// Reads the text file at `path`, named `shown` in messages. Bytes that are not UTF-8
/// are an error pointing at the first of them.
pub(crate) fn read_text(path: &Path, shown: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(shown, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        Error::content(
            Diagnostic::error(
                Location::new(shown, line).with_column(column),
                "this file is not UTF-8 text",
            )
            .with_hint("save it as UTF-8 in your editor"),
        )
    })
}
