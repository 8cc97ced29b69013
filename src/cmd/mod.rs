//! The commands: each turns parsed arguments into calls on the pipeline.

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod serve;
pub(crate) mod theme;

use std::path::Path;

use crate::error::{Error, Result};

/// Writes a file that must not exist yet, creating its folders: what `init` and `new`
/// write never replaces a writer's file. Errors name the file as `shown`.
fn write_new_file(path: &Path, shown: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    // `create_new` fails if the file exists, even if it appeared a moment ago.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| Error::io(shown, e))?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| Error::io(shown, e))
}
