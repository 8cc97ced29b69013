//! Writes a build into a staging folder beside the output, then swaps it in whole.
//!
//! A build that fails, or is killed, leaves the previous output exactly as it was.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result, display_path};

/// A build in progress: files go to a hidden sibling of the output folder.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
}

impl Staging {
    /// Prepares `.<output>.staging-<pid>` next to `output`, after removing the staging
    /// folders of builds that were killed.
    pub fn create(output: &Path) -> Result<Staging> {
        let parent = parent_of(output);
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        remove_stale(&parent, &name);
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging { dir, output: output.to_owned(), committed: false })
    }

    /// The folder being written.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` to `rel` (relative to the output root), creating folders.
    pub fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        let path = self.target(rel)?;
        let mut file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        file.write_all(bytes).map_err(|e| Error::io(&path, e))
    }

    /// Copies the regular file at `from` to `rel` (relative to the output root). `from`
    /// is opened once, without following a symlink at its end, and read only if the open
    /// handle is a regular file: never a device or FIFO swapped in after a check.
    pub fn copy(&self, rel: &Path, from: &Path) -> Result<()> {
        let path = self.target(rel)?;
        let mut source = crate::content::open_regular(from).map_err(|e| Error::io(from, e))?;
        let mut file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        std::io::copy(&mut source, &mut file).map(drop).map_err(|e| Error::io(from, e))
    }

    fn target(&self, rel: &Path) -> Result<PathBuf> {
        // Every path is made from slugs or the site's own file names; this is the last
        // line of defence against one that would leave the output folder.
        if rel.as_os_str().is_empty()
            || !rel.components().all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(Error::Usage(format!(
                "refusing to write `{}`: not a plain relative path",
                display_path(rel)
            )));
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        Ok(path)
    }

    /// Puts the staged build in place of the output folder in one step, then deletes the
    /// previous build.
    pub fn commit(mut self) -> Result<()> {
        let old = swap_in(&self.dir, &self.output)?;
        self.committed = true;
        if let Some(old) = old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Replaces one file of a built output folder (during `serve`): written beside it, then
/// renamed over it, so a reader sees the old file or the new one, never half of one.
pub fn replace_file(output: &Path, rel: &Path, bytes: &[u8]) -> Result<()> {
    let path = inside(output, rel)?;
    let parent = path.parent().expect("a file inside the output folder has a parent");
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = path.file_name().expect("a file name").to_string_lossy();
    let temporary = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&temporary, bytes).map_err(|e| Error::io(&temporary, e))?;
    fs::rename(&temporary, &path).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        Error::io(&path, e)
    })
}

/// Like [`replace_file`], copying the file at `from`.
pub fn replace_with_copy(output: &Path, rel: &Path, from: &Path) -> Result<()> {
    let bytes = fs::read(from).map_err(|e| Error::io(from, e))?;
    replace_file(output, rel, &bytes)
}

/// Deletes a file the site no longer has, and the folders it leaves empty.
pub fn remove_file(output: &Path, rel: &Path) -> Result<()> {
    let path = inside(output, rel)?;
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    }
    let mut folder = path.parent();
    while let Some(dir) = folder {
        if dir == output || fs::remove_dir(dir).is_err() {
            break; // the output root, or a folder that still holds something
        }
        folder = dir.parent();
    }
    Ok(())
}

fn inside(output: &Path, rel: &Path) -> Result<PathBuf> {
    if rel.as_os_str().is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(Error::Usage(format!(
            "refusing to write `{}`: not a plain relative path",
            display_path(rel)
        )));
    }
    Ok(output.join(rel))
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Moves `staged` to `output`. Returns where the previous output went, if there was one.
fn swap_in(staged: &Path, output: &Path) -> Result<Option<PathBuf>> {
    match fs::symlink_metadata(output) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::rename(staged, output).map_err(|e| Error::io(output, e))?;
            return Ok(None);
        }
        Err(e) => return Err(Error::io(output, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::Usage(format!(
                "`{}` exists and is not a folder: gazette will not replace it",
                display_path(output)
            )));
        }
        Ok(_) => {}
    }
    // Linux swaps the two folders atomically: at every instant `output` is a whole build.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staged, CWD, output, RenameFlags::EXCHANGE).is_ok() {
            return Ok(Some(staged.to_owned()));
        }
    }
    // Elsewhere, two renames: the old build moves aside first.
    let aside = staged.with_extension("old");
    fs::rename(output, &aside).map_err(|e| Error::io(output, e))?;
    if let Err(e) = fs::rename(staged, output) {
        let _ = fs::rename(&aside, output);
        return Err(Error::io(output, e));
    }
    Ok(Some(aside))
}

/// Removes `.<name>.staging-<pid>` folders whose process is gone (a killed build).
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.trim_end_matches(".old");
        if pid.parse::<u32>().is_ok() && !process_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn process_alive(pid: &str) -> bool {
    if pid == std::process::id().to_string() {
        return false; // ours, from a previous run in this process: stale
    }
    let proc = Path::new("/proc");
    // Without /proc we cannot tell: keep the folder rather than risk a running build.
    !proc.is_dir() || proc.join(pid).exists()
}

/// Refuses output folders that a swap would destroy something precious with: `/`, the
/// home folder, the site itself or a folder holding it, and folders inside `content/` or
/// `themes/`.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<()> {
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_owned()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalise(&p)
    };
    let root = absolute(root);
    let out = absolute(output);
    let refuse = |why: &str| {
        Err(Error::Usage(format!(
            "refusing to use `{}` as the output folder: {why}; pick a dedicated folder such as `output/`",
            display_path(output)
        )))
    };
    if out.parent().is_none() {
        return refuse("it is the file system root");
    }
    if std::env::var_os("HOME").is_some_and(|home| normalise(Path::new(&home)) == out) {
        return refuse("it is your home folder");
    }
    if root.starts_with(&out) {
        return refuse("it holds the site itself");
    }
    if out.join("content").exists() || out.join(crate::config::CONFIG_FILE).exists() {
        return refuse("it holds a `content/` folder or a `site.yaml`");
    }
    for source in ["content", "themes"] {
        if out.starts_with(root.join(source)) {
            return refuse(&format!("it is inside `{source}/`"));
        }
    }
    Ok(())
}

/// Resolves `.` and `..` without touching the disk, and symlinks where the path exists.
fn normalise(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    match (out.parent(), out.file_name()) {
        (Some(parent), Some(name)) if parent.exists() => {
            parent.canonicalize().map(|p| p.join(name)).unwrap_or(out)
        }
        _ => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_build_replaces_the_output_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("stale.html"), "old").unwrap();
        let staging = Staging::create(&out).unwrap();
        staging.write(Path::new("a/index.html"), b"new").unwrap();
        assert_eq!(
            fs::read_to_string(out.join("stale.html")).unwrap(),
            "old",
            "untouched before commit"
        );
        staging.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "new");
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> =
            fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["output"]);
    }

    #[test]
    fn dropped_staging_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        let staging = Staging::create(&out).unwrap();
        staging.write(Path::new("x.html"), b"x").unwrap();
        drop(staging);
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn paths_leaving_the_output_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::create(&tmp.path().join("out")).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            assert!(staging.write(Path::new(bad), b"x").is_err(), "{bad}");
        }
    }

    #[test]
    fn precious_folders_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("themes")).unwrap();
        assert!(check_output_dir(&root, &root.join("output")).is_ok());
        assert!(check_output_dir(&root, &tmp.path().join("elsewhere")).is_ok());
        for bad in [
            root.clone(),
            tmp.path().to_owned(),
            root.join("content/out"),
            root.join("themes/x"),
            PathBuf::from("/"),
        ] {
            assert!(check_output_dir(&root, &bad).is_err(), "{}", bad.display());
        }
        assert!(check_output_dir(&root, &root.join("content/../output")).is_ok());
    }
}
