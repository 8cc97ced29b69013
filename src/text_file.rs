//! Reads source files (articles, `site.yaml`, templates, theme files): only regular
//! files, never a device or FIFO, and as UTF-8 text with a located error for bytes that
//! are not.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::error::{Diagnostic, Error, Location, Result};

/// Reads the text file at `path`, named `shown` in messages. Bytes that are not UTF-8
/// are an error pointing at the first of them. Only a regular file is read.
pub(crate) fn read_text(path: &Path, shown: &Path) -> Result<String> {
    let file = match fs::symlink_metadata(path) {
        // A symlink (site.yaml, a template) is followed, then checked like any file.
        Ok(meta) if meta.is_symlink() => path.canonicalize().and_then(|real| open_regular(&real)),
        _ => open_regular(path),
    };
    read_text_from(file.map_err(|e| Error::io(shown, e))?, shown)
}

pub(crate) fn read_text_from(mut file: fs::File, shown: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| Error::io(shown, e))?;
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

/// Opens a regular file for reading, refusing anything else. The last component is not
/// followed if it is a symlink (pass resolved paths), and opening does not block on a
/// FIFO; the type is checked on the open handle, so a file swapped after a check is
/// never read in place of the one checked.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    Ok(file)
}
