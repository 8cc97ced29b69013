//! Writes a build into a staging folder beside the output, then swaps it in whole.
//!
//! A build that fails, or is killed, leaves the previous output exactly as it was. A build
//! replaces only a folder that is empty or that gazette built: every build leaves a marker
//! file in it ([`Owned::marker`]), and [`check_folder`] refuses anything else.
//!
//! A build run with a place for leftovers ([`Staging::create_build`]: a folder in the
//! build cache's) deletes nothing on its critical path: after the swap the previous
//! output is renamed there and deleted on a thread the build does not wait for, and what
//! killed or finished builds left there (or beside the output) is claimed by a rename and
//! deleted on a thread while the build renders. Only folders carrying gazette's marker are
//! ever deleted, and only those of processes that are gone: two builds at once never
//! touch each other's folders.
//!
//! A build that holds the build cache's lock also keeps the output it replaces, as the
//! *spare* (`.gazette/spare`), rather than deleting it; the next such build takes the
//! spare as its staging folder ([`Staging::create_build`]) and changes only what differs
//! ([`Staging::prune`]): a file is written under a new inode (the old name unlinked
//! first), never through the name it had, which may be a hard link to a published
//! file. Taking the spare renames it out of its place, so a build killed while changing
//! it leaves no spare, only a leftover of a dead process that a later build deletes.

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::error::{Error, Result, display_path};

/// A build in progress: files go to a hidden sibling of the output folder.
#[derive(Debug)]
pub(crate) struct Staging {
    kind: Owned,
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
    /// Where the previous output goes after the swap, to be deleted in the background;
    /// `None`: deleted before [`Staging::commit`] returns.
    leftovers: Option<PathBuf>,
    /// Where the previous output is kept after the swap, for the next build to reuse
    /// (see the module's text); `None`: it is deleted.
    spare: Option<PathBuf>,
    /// For a staging folder made by [`Staging::create_build`]: the files this build put
    /// in it itself, by path relative to the output root (see [`Staging::prune`], and
    /// [`Staging::seal`]: the build cache records them).
    made: Option<Mutex<FxHashSet<String>>>,
    /// Whether the staging folder is a spare taken over.
    spare_taken: bool,
    /// For a spare taken over: what it held then (see [`read_tree`] and [`read_listed`]).
    found: Vec<Found>,
}

/// What the build cache says a spare holds: the output folder a build made, as it was
/// when that build had written it ([`Staging::seal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    /// The folder itself (it keeps its inode when renamed).
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    /// The file system's time (seconds, nanoseconds) when the build had written every
    /// file: a folder changed since has a change time (`ctime`) no earlier.
    pub(crate) sealed: (i64, i64),
    /// Every file in it but the marker, relative to its root (`/` between names), with
    /// its inode (0: not known) and, if the build cache has one for the path, its key
    /// (see [`Kept`]).
    pub(crate) files: Vec<(String, u64, Option<usize>)>,
}

/// The files a build keeps from the output it replaces, for [`Staging::prune`].
pub(crate) struct Kept<'a> {
    /// Each kept file's path and the inode of the published file.
    pub(crate) files: Vec<(&'a str, u64)>,
    /// By a path's key (a number the build cache gives each path it records): the kept
    /// file at that path (its place in `files`), if any. A path is told by its key
    /// rather than looked up by its name wherever the spare's listing gives the key.
    pub(crate) by_key: Vec<Option<usize>>,
    /// The key of a path, for one the listing did not give.
    pub(crate) key_of: &'a dyn Fn(&str) -> Option<usize>,
}

/// A staging folder once the build has written it (see [`Staging::seal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seal {
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    pub(crate) sealed: (i64, i64),
}

impl Staging {
    /// Prepares `.<output>.staging-<pid>` next to the output folder `output`, after
    /// removing the staging folders of builds that were killed.
    pub(crate) fn create(output: &Path) -> Result<Staging> {
        Staging::create_owned(Owned::Output, output)
    }

    /// Like [`Staging::create`], for the folder `kind` at `output`.
    pub(crate) fn create_owned(kind: Owned, output: &Path) -> Result<Staging> {
        Staging::create_with(kind, output, None)
    }

    /// Like [`Staging::create`], for a build that deletes nothing on its critical path:
    /// the folders left by earlier builds (in `leftovers`, or beside the output) are
    /// claimed here, each with one rename, and deleted on a thread of their own while the
    /// build runs; after the swap, the previous output goes into `leftovers` (or beside
    /// the output where that is another file system) and is deleted the same way. The
    /// build never waits for these deletions: what a process exit cuts short, the next
    /// build removes.
    ///
    /// With a place for the `spare` (a build holding the build cache's lock): the spare
    /// kept there by the last such build, if it is gazette's and on the output's file
    /// system, is taken as the staging folder (renamed into `leftovers` under this
    /// process's name first, so that it is no spare while it changes); after the swap,
    /// the previous output is kept there as the next spare.
    ///
    /// `listing` is what the build cache says the spare holds: then only the spare's
    /// folders that changed since the build that made it had written it are read (see
    /// [`read_listed`]); without it, every folder is read once.
    pub(crate) fn create_build(
        output: &Path,
        leftovers: &Path,
        spare: Option<&Path>,
        listing: Option<Listing>,
    ) -> Result<Staging> {
        let mut staging = Staging::create_with(Owned::Output, output, Some(leftovers.to_owned()))?;
        staging.made = Some(Mutex::new(FxHashSet::default()));
        if let Some(spare) = spare {
            staging.spare = Some(spare.to_owned());
            staging.take_spare(spare, leftovers, listing);
        }
        Ok(staging)
    }

    /// Makes the spare at `spare` this build's staging folder, if it can be used: a
    /// marked folder (not a link) on the output's file system. Otherwise nothing changes.
    fn take_spare(&mut self, spare: &Path, leftovers: &Path, listing: Option<Listing>) {
        let same_disk = |a: &Path, b: &Path| {
            use std::os::unix::fs::MetadataExt;
            match (fs::symlink_metadata(a), fs::metadata(b)) {
                (Ok(a), Ok(b)) => a.is_dir() && a.dev() == b.dev(),
                _ => false,
            }
        };
        if !same_disk(spare, &parent_of(&self.output)) || !self.kind.marks(spare) {
            return;
        }
        if fs::create_dir_all(leftovers).is_err() {
            return;
        }
        let to = leftovers.join(leftover_name(None));
        if fs::symlink_metadata(&to).is_ok() || fs::rename(spare, &to).is_err() {
            return;
        }
        // The fresh staging folder (only its marker so far) makes way for it.
        let _ = remove_owned(self.kind, &self.dir);
        self.dir = to;
        self.spare_taken = true;
        // Read before any file is written into it; what is neither a file nor a folder
        // (a symbolic link, put there by hand) goes at once, so no write follows one.
        let mut found = listing
            .and_then(|listing| read_listed(&self.dir, self.kind, &listing))
            .unwrap_or_else(|| read_tree(&self.dir, self.kind));
        found.retain(|item| {
            let odd = !item.is_dir && !item.is_file;
            if odd {
                let _ = fs::remove_file(self.dir.join(&item.rel));
            }
            !odd
        });
        self.found = found;
    }

    /// Gives up a staging folder nothing was written into yet, for a build that failed
    /// before it wrote anything: a spare taken over goes back to where it was kept, as it
    /// was, for the next build to take (deleting it, as a later failure does, would make
    /// that build link every file anew). Any other staging folder is removed.
    pub(crate) fn give_back(mut self) {
        if self.spare_taken
            && let Some(spare) = &self.spare
            && fs::symlink_metadata(spare).is_err()
            && fs::rename(&self.dir, spare).is_ok()
        {
            // Nothing is left for `drop` to delete.
            self.committed = true;
        }
    }

    /// Whether the staging folder is a spare taken over (see [`Staging::prune`]).
    pub(crate) fn is_spare(&self) -> bool {
        self.spare_taken
    }

    /// Once every file of the build is in the staging folder, right before
    /// [`Staging::commit`]: notes the file system's time (by changing the folder's own
    /// change time, with a `chmod` to the mode it has) and takes the files this build
    /// put in it itself (see [`Staging::create_build`]). With what the build cache
    /// records, this says what the folder holds two builds later, when it is the spare:
    /// a folder in it whose change time is earlier was not changed since. `None` where
    /// that cannot be told (no such time, or a staging folder that records nothing).
    pub(crate) fn seal(&mut self) -> Option<(Seal, FxHashSet<String>)> {
        use std::os::unix::fs::MetadataExt;
        let made = self.made.take()?.into_inner().expect("no thread panicked");
        let meta = fs::symlink_metadata(&self.dir).ok()?;
        fs::set_permissions(&self.dir, meta.permissions()).ok()?;
        let meta = fs::symlink_metadata(&self.dir).ok()?;
        let seal =
            Seal { dev: meta.dev(), ino: meta.ino(), sealed: (meta.ctime(), meta.ctime_nsec()) };
        Some((seal, made))
    }

    fn create_with(kind: Owned, output: &Path, leftovers: Option<PathBuf>) -> Result<Staging> {
        let parent = parent_of(output);
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".into());
        match &leftovers {
            None => remove_stale(kind, &parent, &name),
            Some(place) => {
                let claimed = claim_leftovers(kind, &parent, &name, place);
                if !claimed.is_empty() {
                    delete_in_background(kind, claimed);
                }
            }
        }
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if fs::symlink_metadata(&dir).is_ok() {
            // Left by an earlier build of this process; a folder of that name that gazette
            // did not make is left alone.
            if !kind.marks(&dir) {
                return Err(Error::Refused {
                    message: format!(
                        "`{}` is where the build would stage its files, and gazette did not make it",
                        display_path(&dir)
                    ),
                    help: "move or delete it yourself".to_owned(),
                });
            }
            remove_owned(kind, &dir)?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        // Marked first: even a staging folder left by a killed build is provably gazette's.
        let staging = Staging {
            kind,
            dir,
            output: output.to_owned(),
            committed: false,
            leftovers,
            spare: None,
            made: None,
            spare_taken: false,
            found: Vec::new(),
        };
        kind.write_marker(&staging.dir)?;
        Ok(staging)
    }

    /// Writes `bytes` to `rel` (relative to the output root), creating folders.
    pub(crate) fn write(&self, rel: &Path, bytes: &[u8]) -> Result<()> {
        self.write_new(rel, bytes).map(drop)
    }

    /// Like [`Staging::write`], and says which file it made (for the build cache).
    pub(crate) fn write_file(&self, rel: &Path, bytes: &[u8]) -> Result<fs::Metadata> {
        let (path, file) = self.write_new(rel, bytes)?;
        file.metadata().map_err(|e| Error::io(&path, e))
    }

    fn write_new(&self, rel: &Path, bytes: &[u8]) -> Result<(PathBuf, fs::File)> {
        let (path, file) = self.make(rel, |path| self.new_file(path))?;
        let mut file = file;
        file.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        Ok((path, file))
    }

    /// Copies the regular file at `from` to `rel` (relative to the output root). `from`
    /// is opened once, without following a symlink at its end, and read only if the open
    /// handle is a regular file: never a device or FIFO swapped in after a check.
    pub(crate) fn copy(&self, rel: &Path, from: &Path) -> Result<()> {
        let mut source = crate::text_file::open_regular(from).map_err(|e| Error::io(from, e))?;
        let (_, mut file) = self.make(rel, |path| self.new_file(path))?;
        std::io::copy(&mut source, &mut file).map(drop).map_err(|e| Error::io(from, e))
    }

    /// Puts gazette's own file `from` (a processed image in the build cache) at `rel`:
    /// a hard link when both are on one disk, so a rebuild copies no image bytes, else
    /// a copy. Cache files are only ever replaced by renaming, never changed in place.
    pub(crate) fn link(&self, rel: &Path, from: &Path) -> Result<()> {
        let link = |path: &Path| {
            self.unlink_spare(path);
            fs::hard_link(from, path)
        };
        if self.make(rel, link).is_ok() {
            return Ok(());
        }
        self.make(rel, |path| {
            self.unlink_spare(path);
            fs::copy(from, path)
        })
        .map(drop)
    }

    /// A new file at `path`. In a spare, the name is unlinked first: the file it names
    /// may be a hard link to a published one, which must not change.
    fn new_file(&self, path: &Path) -> std::io::Result<fs::File> {
        self.unlink_spare(path);
        fs::File::create(path)
    }

    /// In a spare, unlinks the file at `path` if there is one (a folder stays: the
    /// write then fails, and [`Staging::make`] clears the way).
    fn unlink_spare(&self, path: &Path) {
        if self.spare_taken {
            let _ = fs::remove_file(path);
        }
    }

    /// Makes the folders the files `rels` (relative to the output root, `/` between
    /// names) are in, in the staging folder, but those in `made`: parents first, one
    /// `mkdir` each, none repeated, for files put in later with [`Staging::link_into`].
    /// Adds the folders it makes to `made`.
    pub(crate) fn make_folders_for<'r>(
        &self,
        rels: impl IntoIterator<Item = &'r str>,
        made: &mut FxHashSet<&'r str>,
    ) -> Result<()> {
        let mut folders: Vec<&str> = Vec::new();
        for rel in rels {
            let mut folder = folder_of(rel);
            while !folder.is_empty() && made.insert(folder) {
                folders.push(folder);
                folder = folder_of(folder);
            }
        }
        // Fewer slashes first: each folder after the one it is in.
        folders.sort_unstable_by_key(|f| (f.matches('/').count(), *f));
        for rel in folders {
            let path = inside(&self.dir, Path::new(rel))?;
            match fs::create_dir(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(Error::io(&path, e));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Makes `rel` (relative to the output root) a hard link to the published file
    /// `from`, in a folder made already ([`Staging::make_folders_for`]): one `linkat`, never
    /// retried. An error where no link can be made. Returns the new path.
    pub(crate) fn link_into(&self, rel: &Path, from: &Path) -> std::io::Result<PathBuf> {
        let path = inside(&self.dir, rel).map_err(|_| std::io::ErrorKind::InvalidInput)?;
        fs::hard_link(from, &path).map(|()| path)
    }

    /// Runs `op` on the path of `rel` (relative to the output root), making its folders
    /// first if `op` finds them missing: most files go into a folder made already, so
    /// trying first saves a `mkdir` and a `stat` per file.
    fn make<T>(
        &self,
        rel: &Path,
        op: impl Fn(&Path) -> std::io::Result<T>,
    ) -> Result<(PathBuf, T)> {
        let path = inside(&self.dir, rel)?;
        if let Some(made) = &self.made {
            made.lock().expect("no thread panics holding the lock").insert(display_path(rel));
        }
        match op(&path) {
            Ok(value) => Ok((path, value)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound || self.spare_taken => {
                if self.spare_taken {
                    // A spare may hold a file where this one needs a folder, or a folder
                    // where it needs a file: what was there is not this build's.
                    clear_way(&self.dir, rel);
                }
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                let value = op(&path).map_err(|e| Error::io(&path, e))?;
                Ok((path, value))
            }
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// For a staging folder that is a spare taken over, once every file of the build
    /// is written: removes whatever the build did not write and does not keep (`kept`:
    /// the paths of the files kept from the output, each with the inode of the
    /// published file), a file of `kept` that is not that very file included, and makes
    /// the folders the kept files need. Returns the kept files to link in, those the
    /// spare does not hold already: after one edit, the few that changed since the spare
    /// was the output. What the spare held is known from reading each of its folders
    /// once when it was taken (no file is opened or `stat`ed); only what differs is
    /// changed.
    ///
    /// The kept files to link in are returned by their place in `kept.files`; of two
    /// at one path, only the one `kept.by_key` gives counts.
    pub(crate) fn prune(&self, kept: &Kept<'_>) -> Result<Vec<usize>> {
        // Each path's one kept file.
        let unique = || kept.by_key.iter().filter_map(|n| *n);
        let Some(made) = self.made.as_ref().filter(|_| self.spare_taken) else {
            return Ok(unique().collect());
        };
        let made = made.lock().expect("no thread panics holding the lock");
        let mut needed: FxHashSet<&str> = FxHashSet::default();
        needed.reserve(kept.files.len() / 2);
        for path in kept.files.iter().map(|(path, _)| *path).chain(made.iter().map(String::as_str))
        {
            let mut folder = folder_of(path);
            while !folder.is_empty() && needed.insert(folder) {
                folder = folder_of(folder);
            }
        }
        let mut present = vec![false; kept.files.len()];
        let mut folders: FxHashSet<&str> = FxHashSet::default();
        let mut extra: Vec<&Found> = Vec::new();
        for item in &self.found {
            let rel = item.rel.as_str();
            if item.is_file && !made.contains(rel) {
                // The very file kept, in its place: its folders are needed, so it stays.
                let key = item.key.or_else(|| (kept.key_of)(rel));
                let at = key.and_then(|key| kept.by_key.get(key).copied().flatten());
                if let Some(n) = at.filter(|&n| kept.files[n].1 == item.ino) {
                    present[n] = true;
                    continue;
                }
            }
            // Inside a folder that goes, it goes with it.
            let parent = folder_of(rel);
            if (!parent.is_empty() && !needed.contains(parent)) || made.contains(rel) {
                continue;
            }
            if item.is_dir && needed.contains(rel) {
                folders.insert(rel);
            } else {
                extra.push(item);
            }
        }
        extra.par_iter().try_for_each(|item| {
            let path = self.dir.join(&item.rel);
            let removed =
                if item.is_dir { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            match removed {
                Ok(()) => Ok(()),
                // Already cleared out of the way of a file this build wrote.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(_) if needed.contains(item.rel.as_str()) && path.is_dir() => Ok(()),
                Err(e) => Err(Error::io(&path, e)),
            }
        })?;
        let missing: Vec<usize> = unique().filter(|&n| !present[n]).collect();
        self.make_folders_for(missing.iter().map(|&n| kept.files[n].0), &mut folders)?;
        Ok(missing)
    }

    /// Puts the staged build in place of the output folder in one step (Linux swaps the
    /// two folders, so `output/` is a whole build at every instant), then keeps the
    /// previous build as the spare (made with a place for one, see
    /// [`Staging::create_build`]) or deletes it: before returning, or (made with
    /// [`Staging::create_build`]) on a thread the build does not wait for, once it is
    /// renamed out of the way.
    pub(crate) fn commit(mut self) -> Result<()> {
        // Checked again: the folder may have changed while the build ran.
        check_contents(self.kind, &self.output)?;
        let old = swap_in(self.kind, &self.dir, &self.output)?;
        self.committed = true;
        if let Some(old) = old {
            // Checked above; marked now (if it was empty or an older build) so that a build
            // killed while deleting it leaves a folder the next build knows to remove.
            if !self.kind.marks(&old) {
                self.kind.write_marker(&old)?;
            }
            let kept = self.spare.as_ref().is_some_and(|spare| {
                fs::symlink_metadata(spare).is_err() && fs::rename(&old, spare).is_ok()
            });
            match &self.leftovers {
                _ if kept => {}
                None => remove_owned(self.kind, &old)?,
                Some(place) => {
                    let name = self.output.file_name().unwrap_or_default().to_string_lossy();
                    let aside = set_aside(&old, place, &parent_of(&self.output), &name);
                    delete_in_background(self.kind, vec![aside]);
                }
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
        } else if self.spare_taken {
            // A spare taken over, as large as the site: deleted off the failed build's
            // path (a later build finishes the job, it carries a dead process's name).
            delete_in_background(self.kind, vec![self.dir.clone()]);
        } else {
            let _ = remove_owned(self.kind, &self.dir);
        }
    }
}

/// An entry of a spare (see [`read_tree`] and [`read_listed`]).
#[derive(Debug)]
struct Found {
    /// Relative to the spare's root, `/` between names.
    rel: String,
    /// 0 for a folder, and for a file whose inode the build cache did not know.
    ino: u64,
    is_dir: bool,
    is_file: bool,
    /// The build cache's key for its path, when the spare's listing gave it (see
    /// [`Kept`]).
    key: Option<usize>,
}

/// Every entry in the folder `root` but `kind`'s marker at its root, folders before what
/// they hold, each folder read once (in parallel): names, inodes and types come from the
/// folder itself, no file is opened or `stat`ed. A folder that cannot be read is listed
/// as holding nothing.
fn read_tree(root: &Path, kind: Owned) -> Vec<Found> {
    read_below(root, "", Some(kind.marker()))
}

/// The entries of the folder `dir` and of every folder in it, as [`read_tree`], each
/// named after `prefix` (its path relative to the spare's root); `skip` is left out of
/// `dir` itself.
fn read_below(dir: &Path, prefix: &str, skip: Option<&str>) -> Vec<Found> {
    let mut here = read_one(dir, prefix, skip);
    let below: Vec<Vec<Found>> = here
        .par_iter()
        .filter(|f| f.is_dir)
        .map(|f| read_below(&dir.join(f.rel.rsplit('/').next().unwrap_or_default()), &f.rel, None))
        .collect();
    here.extend(below.into_iter().flatten());
    here
}

/// The entries of the folder `dir` alone (see [`read_below`]).
fn read_one(dir: &Path, prefix: &str, skip: Option<&str>) -> Vec<Found> {
    use std::os::unix::fs::DirEntryExt;
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut here = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if skip == Some(&*name) {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let rel = if prefix.is_empty() { name.into_owned() } else { format!("{prefix}/{name}") };
        let (is_dir, is_file) = (kind.is_dir(), kind.is_file());
        here.push(Found { rel, ino: entry.ino(), is_dir, is_file, key: None });
    }
    here
}

/// What the spare `root` holds, from the build cache's `listing` of it, reading only
/// what may have changed since the build that made it had written it: `None` when the
/// listing is not about this folder (another inode or device).
///
/// A folder's change time (`ctime`) moves whenever a name in it is added, removed or
/// replaced, and whenever the folder itself is renamed or moved, and no program can set
/// it back. So a folder of the listing whose change time is earlier than the seal
/// ([`Staging::seal`]) holds what the listing says, if the folders it is in do too:
/// only its change time is read (one `statx`), not the folder. A folder changed since
/// (or not found, or no longer a folder) is read whole, with everything in it, as is
/// the root, which every build renames. What a file holds is not judged here: a file is
/// kept only when it is the very file the build publishes (see [`Staging::prune`]).
fn read_listed(root: &Path, kind: Owned, listing: &Listing) -> Option<Vec<Found>> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(root).ok()?;
    if !meta.is_dir() || meta.dev() != listing.dev || meta.ino() != listing.ino {
        return None;
    }
    let mut folders: FxHashSet<&str> = FxHashSet::default();
    for (rel, _, _) in &listing.files {
        let mut folder = folder_of(rel);
        while !folder.is_empty() && folders.insert(folder) {
            folder = folder_of(folder);
        }
    }
    let folders: Vec<&str> = folders.into_iter().collect();
    // Each folder found from the root opened once: one `fstatat` walks only its own path.
    use rustix::fs::{AtFlags, FileType, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let dir = rustix::fs::open(root, flags, rustix::fs::Mode::empty()).ok()?;
    let unchanged: FxHashSet<&str> = folders
        .par_iter()
        .filter(|rel| {
            rustix::fs::statat(&dir, **rel, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|st| {
                FileType::from_raw_mode(st.st_mode) == FileType::Directory
                    && (st.st_ctime, st.st_ctime_nsec as i64) < listing.sealed
            })
        })
        .copied()
        .collect();
    // A folder the listing says what it holds: it and every folder it is in unchanged.
    let known = |rel: &str| {
        let mut folder = rel;
        while !folder.is_empty() {
            if !unchanged.contains(folder) {
                return false;
            }
            folder = folder_of(folder);
        }
        true
    };
    // The root, read; the folders in it either known or read whole.
    let mut found = read_one(root, "", Some(kind.marker()));
    let mut unknown: Vec<String> =
        found.iter().filter(|f| f.is_dir && !known(&f.rel)).map(|f| f.rel.clone()).collect();
    // Below the root: what the known folders hold, as listed; a folder listed in a
    // known one but changed itself is read whole.
    for rel in &folders {
        let parent = folder_of(rel);
        if parent.is_empty() || !known(parent) {
            continue;
        }
        found.push(Found {
            rel: (*rel).to_owned(),
            ino: 0,
            is_dir: true,
            is_file: false,
            key: None,
        });
        if !unchanged.contains(rel) {
            unknown.push((*rel).to_owned());
        }
    }
    for (rel, ino, key) in &listing.files {
        let parent = folder_of(rel);
        if !parent.is_empty() && known(parent) {
            let (ino, key) = (*ino, *key);
            found.push(Found { rel: rel.clone(), ino, is_dir: false, is_file: true, key });
        }
    }
    let below: Vec<Vec<Found>> =
        unknown.par_iter().map(|rel| read_below(&root.join(rel), rel, None)).collect();
    found.extend(below.into_iter().flatten());
    Some(found)
}

/// The folder `path` (`/` between names) is in: `""` for the root.
fn folder_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// In the spare `root`, removes what stands in the way of a file at `rel`: a file where
/// a folder it is in should be, and a folder where it should be.
fn clear_way(root: &Path, rel: &Path) {
    let mut path = root.to_owned();
    let mut parts = rel.components().peekable();
    while let Some(part) = parts.next() {
        path.push(part);
        let Ok(meta) = fs::symlink_metadata(&path) else { return };
        if parts.peek().is_some() {
            if !meta.is_dir() {
                let _ = fs::remove_file(&path);
                return;
            }
        } else if meta.is_dir() {
            let _ = fs::remove_dir_all(&path);
        } else {
            let _ = fs::remove_file(&path);
        }
    }
}

/// Deletes a folder carrying `kind`'s marker, the marker last: interrupted at any point,
/// what is left still carries it.
fn remove_owned(kind: Owned, dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_name() == kind.marker() {
            continue;
        }
        let path = entry.path();
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        let removed = if is_folder { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
        removed.map_err(|e| Error::io(&path, e))?;
    }
    let marker = dir.join(kind.marker());
    match fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&marker, e)),
        _ => {}
    }
    fs::remove_dir(dir).map_err(|e| Error::io(dir, e))
}

/// Replaces one file of a built output folder (during `serve`): written beside it, then
/// renamed over it, so a reader sees the old file or the new one, never half of one.
pub(crate) fn replace_file(output: &Path, rel: &Path, bytes: &[u8]) -> Result<()> {
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

/// Deletes a file the site no longer has, and the folders it leaves empty.
pub(crate) fn remove_file(output: &Path, rel: &Path) -> Result<()> {
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

/// `output` joined with `rel`, if that stays inside `output` and is not the marker.
fn inside(output: &Path, rel: &Path) -> Result<PathBuf> {
    // Every path is made from slugs or the site's own file names; this is the last line
    // of defence against one that would leave the output folder.
    if rel.as_os_str().is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(Error::Failed(format!(
            "refusing to write `{}`: not a plain relative path",
            display_path(rel)
        )));
    }
    if let Some(kind) = Owned::ALL.into_iter().find(|k| rel == Path::new(k.marker())) {
        return Err(Error::Failed(format!(
            "refusing to write `{}`: gazette's marker of its {} has that name",
            display_path(rel),
            kind.what()
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
fn swap_in(kind: Owned, staged: &Path, output: &Path) -> Result<Option<PathBuf>> {
    match fs::symlink_metadata(output) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::rename(staged, output).map_err(|e| Error::io(output, e))?;
            return Ok(None);
        }
        Err(e) => return Err(Error::io(output, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(refusal(kind, output, "it is not a folder", kind.instead(output)));
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

/// Tells apart the leftovers of each build of one process.
static LEFTOVERS: AtomicUsize = AtomicUsize::new(0);

/// A name for a leftover of this process: `<pid>.<n>` in the place for leftovers, or
/// `.<name>.staging-<pid>.old<n>` beside the output.
fn leftover_name(beside: Option<&str>) -> String {
    let n = LEFTOVERS.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    match beside {
        None => format!("{pid}.{n}"),
        Some(name) => format!(".{name}.staging-{pid}.old{n}"),
    }
}

/// Renames the previous output `old` (marked) out of the way for its deletion: into the
/// place for leftovers `place`, or where that fails (another file system) beside the
/// output (in `parent`, named after `name`), or else leaves it where it is.
fn set_aside(old: &Path, place: &Path, parent: &Path, name: &str) -> PathBuf {
    let _ = fs::create_dir_all(place);
    for to in [place.join(leftover_name(None)), parent.join(leftover_name(Some(name)))] {
        if fs::symlink_metadata(&to).is_err() && fs::rename(old, &to).is_ok() {
            return to;
        }
    }
    old.to_owned()
}

/// Takes the leftovers of builds whose process is gone, carrying `kind`'s marker: those
/// in the place for leftovers `place`, and the staging folders and old outputs beside the
/// output (in `parent`, named after `name`). Each is claimed by renaming it to a name of
/// this process (in `place` where it can), so no other build deletes it meanwhile; one
/// another build claimed first is passed over. Returns the folders claimed.
fn claim_leftovers(kind: Owned, parent: &Path, name: &str, place: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = fs::read_dir(place) {
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let pid = file_name.split('.').next().unwrap_or_default();
            if pid != std::process::id().to_string() && is_dead(pid) {
                found.push(entry.path());
            }
        }
    }
    let prefix = format!(".{name}.staging-");
    if let Ok(entries) = fs::read_dir(parent) {
        for entry in entries.flatten() {
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
            let pid = leftover_pid(rest);
            if pid.is_some_and(|pid| pid != std::process::id().to_string() && is_dead(pid)) {
                found.push(entry.path());
            }
        }
    }
    if !found.is_empty() {
        let _ = fs::create_dir_all(place);
    }
    let mut claimed = Vec::new();
    for path in found {
        let is_folder = fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if !is_folder || !kind.marks(&path) {
            // Killed before its marker was written: only an empty folder goes.
            let _ = fs::remove_dir(&path);
            continue;
        }
        let to = place.join(leftover_name(None));
        let beside = || parent.join(leftover_name(Some(name)));
        if fs::rename(&path, &to).is_ok() {
            claimed.push(to);
        } else if path.parent() == Some(parent) {
            let to = beside();
            if fs::rename(&path, &to).is_ok() {
                claimed.push(to);
            }
        }
    }
    claimed
}

/// The process id in the name of a staging folder or old output beside the output
/// (`rest` follows `.<name>.staging-`): `<pid>`, `<pid>.old` or `<pid>.old<n>`.
fn leftover_pid(rest: &str) -> Option<&str> {
    let (pid, tail) = rest.split_once('.').unwrap_or((rest, ""));
    let tail_ok = tail.is_empty()
        || tail.strip_prefix("old").is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    (pid.parse::<u32>().is_ok() && tail_ok).then_some(pid)
}

/// Whether `pid` names no running process: false where that cannot be told.
fn is_dead(pid: &str) -> bool {
    pid.parse::<u32>().is_ok()
        && Path::new("/proc").is_dir()
        && !Path::new("/proc").join(pid).exists()
}

/// Deletes the marked folders `dirs` on a thread the caller does not wait for: what a
/// process exit cuts short still carries its marker (see [`remove_owned`]).
fn delete_in_background(kind: Owned, dirs: Vec<PathBuf>) {
    let spawned = std::thread::Builder::new().name("leftovers".to_owned()).spawn(move || {
        for dir in dirs {
            if kind.marks(&dir) {
                let _ = remove_owned(kind, &dir);
            }
        }
    });
    drop(spawned);
}

/// Removes `.<name>.staging-<pid>` folders whose process is gone (a killed build), and
/// only those that carry gazette's marker, or are empty: a folder that merely has such a
/// name stays.
fn remove_stale(kind: Owned, parent: &Path, name: &str) {
    let prefix = format!(".{name}.staging-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let Some(pid) = leftover_pid(rest) else { continue };
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_folder && !process_alive(pid) {
            if kind.marks(&entry.path()) {
                let _ = remove_owned(kind, &entry.path());
            } else {
                // Killed before its marker was written: only an empty folder goes.
                let _ = fs::remove_dir(entry.path());
            }
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

/// A folder gazette fills or replaces whole, and so must prove is its own first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owned {
    /// The built site: `output/`, or the folder given with `--output`.
    Output,
    /// What `gazette serve` shows: [`preview_dir`], inside gazette's own folder
    /// [`GAZETTE_DIR`], so that a preview, whose links all point at the local server, is
    /// never in the folder a site is published from.
    Preview,
}

/// gazette's own folder in the site folder, for what it keeps between runs: the preview
/// of `serve` now, the build cache later. Never published, never committed.
pub(crate) const GAZETTE_DIR: &str = ".gazette";

/// gazette's own folder in the site at `root`: `<root>/.gazette`.
pub(crate) fn gazette_dir(root: &Path) -> PathBuf {
    // Without a `./` in front, for messages, when the site is the current folder.
    if root == Path::new(".") { PathBuf::from(GAZETTE_DIR) } else { root.join(GAZETTE_DIR) }
}

/// Where `gazette serve` builds the site at `root`: `<root>/.gazette/serve`.
pub(crate) fn preview_dir(root: &Path) -> PathBuf {
    gazette_dir(root).join("serve")
}

/// Makes [`GAZETTE_DIR`] in the site at `root` if it is missing, with a `.gitignore`.
pub(crate) fn make_gazette_dir(root: &Path) -> Result<PathBuf> {
    let own = gazette_dir(root);
    if !own.exists() {
        fs::create_dir_all(&own).map_err(|e| Error::io(&own, e))?;
        let ignore = own.join(".gitignore");
        fs::write(&ignore, GAZETTE_DIR_GITIGNORE).map_err(|e| Error::io(&ignore, e))?;
    }
    Ok(own)
}

/// What gazette writes into [`GAZETTE_DIR`] when it makes it: git then ignores the folder
/// even in a repository whose `.gitignore` predates it.
const GAZETTE_DIR_GITIGNORE: &str =
    "# gazette's preview and cache: made again as needed, never committed\n*\n";

/// Checks the preview folder of the site at `root` (see [`check_folder`]) and makes
/// [`GAZETTE_DIR`] if it is missing. Returns the preview folder; nothing in it is changed.
pub(crate) fn prepare_preview(root: &Path) -> Result<PathBuf> {
    let preview = preview_dir(root);
    check_folder(Owned::Preview, root, &preview)?;
    make_gazette_dir(root)?;
    Ok(preview)
}

/// An article page of a previous build (`<output>/<category>/<slug>/index.html`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreviousPage {
    /// Its site path: `/world/talks/`.
    pub path: String,
    /// Its `<h1>`, when it has one.
    pub title: Option<String>,
}

/// The article pages of the build in `output`, if gazette built it, whose site path
/// `wanted` accepts: pages two folders deep, or three in one of the folders `languages`
/// names (`fr`: `/fr/economie/taux/`, issue 19), leaving out listing pages
/// (`.../page/N/`) and redirects. Reads only the pages `wanted` accepts; unreadable ones
/// are skipped, as a build must not fail over the previous output.
pub(crate) fn previous_article_pages(
    output: &Path,
    languages: &[&str],
    wanted: &dyn Fn(&str) -> bool,
) -> Vec<PreviousPage> {
    if !output.join(Owned::Output.marker()).is_file() {
        return Vec::new();
    }
    // Each folder that holds article folders, as a site path prefix: the root's, and
    // each language's.
    let mut roots: Vec<String> = vec![String::new()];
    roots.extend(languages.iter().map(|code| format!("/{code}")));
    let mut pages = Vec::new();
    for root in &roots {
        let dir = output.join(root.trim_start_matches('/'));
        for top in folder_names(&dir) {
            if root.is_empty() && languages.contains(&top.as_str()) {
                continue; // a language's folder: its pages are a level deeper
            }
            collect_pages(&dir.join(&top), &format!("{root}/{top}"), wanted, &mut pages);
        }
    }
    pages
}

/// The article pages of the folders in `dir` (at the site path `prefix`) for
/// [`previous_article_pages`].
fn collect_pages(
    dir: &Path,
    prefix: &str,
    wanted: &dyn Fn(&str) -> bool,
    pages: &mut Vec<PreviousPage>,
) {
    for slug in folder_names(dir) {
        let path = format!("{prefix}/{slug}/");
        if slug == "page" || !wanted(&path) {
            continue;
        }
        let file = dir.join(&slug).join("index.html");
        let Ok(handle) = fs::File::open(&file) else { continue };
        // The head and the headline are near the start of a page.
        let mut text = String::new();
        if handle.take(256 << 10).read_to_string(&mut text).is_err()
            || text.contains("http-equiv=\"refresh\"")
        {
            continue;
        }
        let title = text.split_once("<h1").and_then(|(_, rest)| {
            let (_, rest) = rest.split_once('>')?;
            let (inner, _) = rest.split_once("</h1>")?;
            Some(unescape(inner.trim()))
        });
        pages.push(PreviousPage { path, title });
    }
}

/// The names of the folders in `dir` but hidden ones, sorted; none when it cannot be read.
fn folder_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The few entities a headline written by the default theme may hold.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Entries that do not make a folder worth keeping: file managers' leftovers.
const LITTER: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// Version control folders: a folder holding one is a working copy, never replaced.
const REPOSITORIES: [&str; 3] = [".git", ".hg", ".svn"];

impl Owned {
    /// Every kind, for what must hold for all of them.
    const ALL: [Owned; 2] = [Owned::Output, Owned::Preview];

    /// The marker file at the folder's root. Hidden, so listings, Jekyll and most upload
    /// tools pass over it; harmless if a host publishes it.
    pub(crate) fn marker(self) -> &'static str {
        match self {
            Owned::Output => ".gazette-output",
            Owned::Preview => ".gazette-preview",
        }
    }

    /// What the marker holds: one line saying who wrote the folder and what that means.
    fn marker_text(self) -> &'static str {
        match self {
            Owned::Output => {
                "gazette output folder: every build replaces it whole, with what it adds deleted\n"
            }
            Owned::Preview => {
                "gazette preview folder: `gazette serve` replaces it whole; never publish it, its links point at the local server\n"
            }
        }
    }

    /// How messages name the folder.
    fn what(self) -> &'static str {
        match self {
            Owned::Output => "output folder",
            Owned::Preview => "preview folder",
        }
    }

    /// What to do instead when the folder `shown` is refused because of what it is or
    /// holds: the output folder can be another one; the preview folder's place is fixed.
    fn instead(self, shown: &Path) -> String {
        match self {
            Owned::Output => "choose an empty or new folder".to_owned(),
            Owned::Preview => format!(
                "move `{}` away or delete it yourself: `gazette serve` keeps its preview there",
                display_path(shown)
            ),
        }
    }

    /// Writes the marker into `dir`.
    pub(crate) fn write_marker(self, dir: &Path) -> Result<()> {
        let path = dir.join(self.marker());
        fs::write(&path, self.marker_text()).map_err(|e| Error::io(&path, e))
    }

    /// Whether `dir` is a real folder (not a link) holding this marker as a regular file
    /// that starts as gazette writes it.
    fn marks(self, dir: &Path) -> bool {
        let path = dir.join(self.marker());
        let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        let signature = self.marker_text().split(':').next().expect("split yields one part");
        regular && starts_with(&path, signature.as_bytes())
    }

    /// Whether `dir` looks like what gazette built before it wrote markers: a home page,
    /// a sitemap and a feed that names gazette as its generator.
    fn built_before_markers(self, dir: &Path) -> bool {
        match self {
            Owned::Preview => false,
            Owned::Output => {
                let file =
                    |name: &str| fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
                file("index.html")
                    && file("sitemap.xml")
                    && file("feed.xml")
                    && head_holds(&dir.join("feed.xml"), b">gazette</generator>")
            }
        }
    }
}

/// Names gazette writes at the top of every output folder (besides the theme's files and
/// a folder per category): a refusal names a file other than these as the stranger.
const WRITTEN_AT_TOP: &[&str] = &[
    "index.html",
    "404.html",
    "feed.xml",
    "sitemap.xml",
    "news-sitemap.xml",
    "robots.txt",
    "archive",
    "tags",
    "search",
    "authors",
    "page",
    "favicon.svg",
    "search.js",
];

/// Whether the file at `path` starts with `prefix`.
fn starts_with(path: &Path, prefix: &[u8]) -> bool {
    let mut head = Vec::with_capacity(prefix.len());
    fs::File::open(path)
        .and_then(|f| f.take(prefix.len() as u64).read_to_end(&mut head))
        .is_ok_and(|_| head == prefix)
}

/// Whether the first few kilobytes of the file at `path` hold `needle`.
fn head_holds(path: &Path, needle: &[u8]) -> bool {
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .is_ok_and(|_| head.windows(needle.len()).any(|w| w == needle))
}

/// The error for a folder gazette will not use; `shown` is the path as the user gave it.
fn refusal(kind: Owned, shown: &Path, why: &str, help: String) -> Error {
    Error::Refused {
        message: format!("refusing to use `{}` as the {}: {why}", display_path(shown), kind.what()),
        help,
    }
}

/// Refuses the output folder `output` of the site at `root` unless a build may replace
/// it whole. See [`check_folder`].
pub(crate) fn check_output_dir(root: &Path, output: &Path) -> Result<()> {
    check_folder(Owned::Output, root, output)
}

/// Refuses `dir` as the folder `kind` of the site at `root` unless gazette may fill or
/// replace it whole. Where it is: never `/`, the home folder or a folder holding it, the
/// site folder or a folder holding it, or a folder inside `content/` or `themes/`. What it
/// holds: it must be missing, empty, marked as gazette's (or, for the output, built by
/// gazette before markers), and never a version control working copy.
///
/// Called before any work, and the contents part again right before the swap.
pub(crate) fn check_folder(kind: Owned, root: &Path, dir: &Path) -> Result<()> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    check_place(kind, root, dir, home.as_deref())?;
    check_contents(kind, dir)
}

/// The part of [`check_folder`] about where `dir` is, given the home folder.
fn check_place(kind: Owned, root: &Path, dir: &Path, home: Option<&Path>) -> Result<()> {
    let absolute = |p: &Path| -> PathBuf {
        let p = if p.is_absolute() {
            p.to_owned()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        normalise(&p)
    };
    let root = absolute(root);
    let out = absolute(dir);
    let elsewhere =
        || "choose a folder of its own for the site, such as `output/` in the site folder";
    let refuse = |why: &str| Err(refusal(kind, dir, why, elsewhere().to_owned()));
    if out.parent().is_none() {
        return refuse("it is the file system root");
    }
    if let Some(home) = home {
        let home = absolute(home);
        if home == out {
            return refuse("it is your home folder");
        }
        if home.starts_with(&out) {
            return refuse("it holds your home folder");
        }
    }
    if root == out {
        return refuse("it is the site folder itself");
    }
    if root.starts_with(&out) {
        return refuse("it holds the site folder");
    }
    for source in ["content", "themes"] {
        if out.starts_with(root.join(source)) {
            return refuse(&format!("it is inside `{source}/`"));
        }
    }
    Ok(())
}

/// Refuses `dir` unless it is missing, empty, or gazette's own (see [`check_folder`]).
fn check_contents(kind: Owned, dir: &Path) -> Result<()> {
    if kind == Owned::Preview {
        check_gazette_dir(dir)?;
    }
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
        Ok(meta) => meta,
    };
    let instead = kind.instead(dir);
    if meta.file_type().is_symlink() {
        let help = match kind {
            Owned::Output => format!("name the folder it points to instead, or {instead}"),
            Owned::Preview => instead,
        };
        return Err(refusal(kind, dir, "it is a symbolic link", help));
    }
    if !meta.is_dir() {
        return Err(refusal(kind, dir, "it is a file, not a folder", instead));
    }
    for repository in REPOSITORIES {
        if fs::symlink_metadata(dir.join(repository)).is_ok() {
            let help = match kind {
                Owned::Output => format!(
                    "{instead} outside the repository; to publish through it, build elsewhere and copy the files in"
                ),
                Owned::Preview => instead,
            };
            let why = format!("it holds `{repository}`, a repository that a build would delete");
            return Err(refusal(kind, dir, &why, help));
        }
    }
    if kind.marks(dir) {
        return Ok(());
    }
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let name = entry.map_err(|e| Error::io(dir, e))?.file_name();
        if !LITTER.iter().any(|litter| name == *litter) {
            names.push(name);
        }
    }
    // The example names a file gazette would not write, when there is one: `feed.xml`
    // beside `thesis.docx` would suggest gazette had left it.
    let ours = |name: &std::ffi::OsString| {
        WRITTEN_AT_TOP.iter().any(|w| name == *w) || name.to_string_lossy().ends_with(".css")
    };
    let first = names.iter().filter(|n| !ours(n)).min().or_else(|| names.iter().min());
    let Some(first) = first else { return Ok(()) };
    if kind.built_before_markers(dir) {
        return Ok(());
    }
    Err(refusal(
        kind,
        dir,
        &format!(
            "it holds files gazette did not write, such as `{}`",
            display_path(Path::new(first))
        ),
        match kind {
            Owned::Output => format!(
                "gazette replaces only empty folders and folders it built (they hold a `{}` file): {instead}, or delete `{}` yourself",
                kind.marker(),
                display_path(dir)
            ),
            Owned::Preview => format!(
                "gazette replaces only empty folders and folders it built (they hold a `{}` file): {instead}",
                kind.marker(),
            ),
        },
    ))
}

/// Refuses the preview folder `preview` unless the folder holding it, [`GAZETTE_DIR`], is
/// missing or a real folder: a file is someone else's, and a symbolic link would put the
/// preview somewhere the checks of [`check_place`] never saw.
fn check_gazette_dir(preview: &Path) -> Result<()> {
    let own = parent_of(preview);
    let meta = match fs::symlink_metadata(&own) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&own, e)),
        Ok(meta) => meta,
    };
    let why = if meta.file_type().is_symlink() {
        format!("`{}` is a symbolic link", display_path(&own))
    } else if !meta.is_dir() {
        format!("`{}` is a file, not a folder", display_path(&own))
    } else {
        return Ok(());
    };
    let help = format!(
        "move `{}` away or delete it yourself: gazette keeps its preview and cache in a folder of that name",
        display_path(&own)
    );
    Err(refusal(Owned::Preview, preview, &why, help))
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
        Owned::Output.write_marker(&out).unwrap(); // an earlier build
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

    /// Every file under `dir` with its bytes, to show a refusal changed nothing.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all = Vec::new();
        let mut folders = vec![dir.to_owned()];
        while let Some(folder) = folders.pop() {
            for entry in fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path.clone());
                    all.push((path.strip_prefix(dir).unwrap().to_owned(), Vec::new()));
                } else {
                    all.push((
                        path.strip_prefix(dir).unwrap().to_owned(),
                        fs::read(&path).unwrap(),
                    ));
                }
            }
        }
        all.sort();
        all
    }

    fn refusal_text(result: Result<()>) -> String {
        match result {
            Err(Error::Refused { message, help }) => format!("{message}\nhelp: {help}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn missing_empty_marked_and_litter_only_folders_are_accepted() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir(&root).unwrap();
        let out = root.join("output");
        assert!(check_folder(Owned::Output, &root, &out).is_ok(), "missing");
        fs::create_dir(&out).unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_ok(), "empty");
        fs::write(out.join(".DS_Store"), "x").unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_ok(), "file manager litter");
        fs::write(out.join("index.html"), "x").unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_err(), "a file of someone else's");
        Owned::Output.write_marker(&out).unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_ok(), "marked");
    }

    #[test]
    fn folders_gazette_did_not_write_are_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir(&root).unwrap();
        let precious = tmp.path().join("precious");
        fs::create_dir_all(precious.join("sub")).unwrap();
        fs::write(precious.join("notes.txt"), "mine").unwrap();
        fs::write(precious.join("sub/b.txt"), "also mine").unwrap();
        let before = snapshot(&precious);
        assert_eq!(
            refusal_text(check_folder(Owned::Output, &root, &precious)),
            format!(
                "refusing to use `{0}` as the output folder: it holds files gazette did not \
                 write, such as `notes.txt`\nhelp: gazette replaces only empty folders and \
                 folders it built (they hold a `.gazette-output` file): choose an empty or new \
                 folder, or delete `{0}` yourself",
                precious.display()
            )
        );
        // A marker that is not gazette's text, or not a file, proves nothing.
        fs::write(precious.join(".gazette-output"), "made up").unwrap();
        assert!(check_folder(Owned::Output, &root, &precious).is_err());
        fs::remove_file(precious.join(".gazette-output")).unwrap();
        fs::create_dir(precious.join(".gazette-output")).unwrap();
        assert!(check_folder(Owned::Output, &root, &precious).is_err());
        fs::remove_dir(precious.join(".gazette-output")).unwrap();
        assert_eq!(snapshot(&precious), before);
    }

    #[test]
    fn repositories_are_refused_even_when_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir(&root).unwrap();
        for repository in [".git", ".hg", ".svn"] {
            let out = tmp.path().join(format!("out{repository}"));
            fs::create_dir_all(&out).unwrap();
            Owned::Output.write_marker(&out).unwrap();
            if repository == ".git" {
                fs::write(out.join(".git"), "gitdir: ../elsewhere").unwrap(); // a worktree
            } else {
                fs::create_dir(out.join(repository)).unwrap();
            }
            let text = refusal_text(check_folder(Owned::Output, &root, &out));
            assert!(
                text.contains(&format!(
                    "it holds `{repository}`, a repository that a build would delete"
                )),
                "{text}"
            );
        }
    }

    #[test]
    fn links_and_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let real = tmp.path().join("real");
        fs::create_dir_all(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let text = refusal_text(check_folder(Owned::Output, &root, &link));
        assert!(text.contains(": it is a symbolic link\n"), "{text}");
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        let text = refusal_text(check_folder(Owned::Output, &root, &file));
        assert!(text.contains(": it is a file, not a folder\n"), "{text}");
    }

    #[test]
    fn outputs_of_builds_before_markers_are_recognised_by_their_feed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let out = root.join("output");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "<!doctype html>").unwrap();
        fs::write(out.join("sitemap.xml"), "<urlset/>").unwrap();
        let feed = |generator: &str| {
            format!("<feed>\n  <generator version=\"0.1.0\">{generator}</generator>\n</feed>\n")
        };
        fs::write(out.join("feed.xml"), feed("Hugo")).unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_err(), "another generator");
        fs::write(out.join("feed.xml"), feed("gazette")).unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_ok());
        fs::remove_file(out.join("sitemap.xml")).unwrap();
        assert!(check_folder(Owned::Output, &root, &out).is_err(), "not a whole build");
    }

    #[test]
    fn the_home_folder_and_every_folder_holding_it_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("work/site");
        let home = tmp.path().join("users/ana");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&home).unwrap();
        let refused = |dir: &Path| check_place(Owned::Output, &root, dir, Some(&home));
        let text = |dir: &Path| refusal_text(refused(dir));
        assert!(text(&home).ends_with(": it is your home folder\nhelp: choose a folder of its own for the site, such as `output/` in the site folder"));
        assert!(text(&tmp.path().join("users")).contains(": it holds your home folder\n"));
        assert!(text(tmp.path()).contains(": it holds your home folder\n"));
        assert!(text(&tmp.path().join("users/./ana/..")).contains(": it holds your home folder\n"));
        assert!(refused(&home.join("site-output")).is_ok(), "a folder inside home is fine");
        assert!(refused(&tmp.path().join("users/bob")).is_ok());
    }

    #[test]
    fn a_staging_folder_carries_the_marker_and_cannot_lose_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        let staging = Staging::create(&out).unwrap();
        assert!(Owned::Output.marks(&staging.dir));
        assert!(staging.write(Path::new(".gazette-output"), b"mine").is_err());
        staging.commit().unwrap();
        assert!(Owned::Output.marks(&out));
        assert!(replace_file(&out, Path::new(".gazette-output"), b"mine").is_err());
    }

    #[test]
    fn the_preview_lives_in_gazettes_own_folder_and_is_told_apart_from_an_output() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir(&root).unwrap();
        assert_eq!(preview_dir(Path::new(".")), Path::new(".gazette/serve"));
        let preview = prepare_preview(&root).unwrap();
        assert_eq!(preview, root.join(".gazette/serve"));
        assert!(!preview.exists(), "only its parent is made");
        assert!(fs::read_to_string(root.join(".gazette/.gitignore")).unwrap().ends_with("\n*\n"));
        let staging = Staging::create_owned(Owned::Preview, &preview).unwrap();
        staging.write(Path::new("index.html"), b"preview").unwrap();
        assert!(staging.write(Path::new(".gazette-preview"), b"x").is_err());
        assert!(staging.write(Path::new(".gazette-output"), b"x").is_err());
        staging.commit().unwrap();
        assert!(Owned::Preview.marks(&preview) && !Owned::Output.marks(&preview));
        assert!(replace_file(&preview, Path::new(".gazette-preview"), b"x").is_err());
        // A preview is never taken for an output, nor an output for a preview.
        assert!(check_folder(Owned::Output, &root, &preview).is_err());
        let out = root.join("output");
        fs::create_dir(&out).unwrap();
        Owned::Output.write_marker(&out).unwrap();
        fs::write(out.join("index.html"), "built").unwrap();
        assert!(check_folder(Owned::Preview, &root, &out).is_err());
        assert!(check_folder(Owned::Preview, &root, &preview).is_ok());
        // What is left beside it: the preview, and the git-ignore file.
        let mut left: Vec<_> =
            fs::read_dir(root.join(".gazette")).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, [".gitignore", "serve"]);
    }

    #[test]
    fn a_gazette_folder_that_is_a_file_or_a_link_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir(&root).unwrap();
        fs::write(root.join(".gazette"), "mine").unwrap();
        let text = refusal_text(prepare_preview(&root).map(drop));
        assert!(text.contains(" as the preview folder: `"), "{text}");
        assert!(text.contains("/.gazette` is a file, not a folder\nhelp: move `"), "{text}");
        assert_eq!(fs::read_to_string(root.join(".gazette")).unwrap(), "mine");
        fs::remove_file(root.join(".gazette")).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, root.join(".gazette")).unwrap();
        let text = refusal_text(prepare_preview(&root).map(drop));
        assert!(text.contains("/.gazette` is a symbolic link\n"), "{text}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0, "nothing written through it");
        // Checked again at the swap: a link put in place while the preview was built.
        fs::remove_file(root.join(".gazette")).unwrap();
        let preview = prepare_preview(&root).unwrap();
        let staging = Staging::create_owned(Owned::Preview, &preview).unwrap();
        fs::rename(root.join(".gazette"), tmp.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("moved"), root.join(".gazette")).unwrap();
        assert!(matches!(staging.commit(), Err(Error::Refused { .. })));
    }

    #[test]
    fn the_swap_checks_the_folder_again() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("output");
        let staging = Staging::create(&out).unwrap();
        staging.write(Path::new("index.html"), b"new").unwrap();
        // Someone fills the folder while the build runs.
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(matches!(staging.commit(), Err(Error::Refused { .. })));
        assert_eq!(snapshot(&out), [(PathBuf::from("notes.txt"), b"mine".to_vec())]);
        let left: Vec<_> =
            fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["output"], "the staging folder is gone");
    }

    #[test]
    #[cfg(target_os = "linux")] // elsewhere, without /proc, no staging folder is judged dead
    fn only_marked_staging_folders_of_dead_builds_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        // No process has this id: pids stop at 2^22 on Linux.
        let dead = tmp.path().join(".output.staging-999999999");
        let dead_old = tmp.path().join(".output.staging-999999998.old");
        let impostor = tmp.path().join(".output.staging-999999997");
        let impostor_link = tmp.path().join(".output.staging-999999996");
        let empty = tmp.path().join(".output.staging-999999995");
        fs::create_dir(&empty).unwrap();
        for dir in [&dead, &dead_old, &impostor] {
            fs::create_dir(dir).unwrap();
            fs::write(dir.join("page.html"), "x").unwrap();
        }
        Owned::Output.write_marker(&dead).unwrap();
        Owned::Output.write_marker(&dead_old).unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        Owned::Output.write_marker(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &impostor_link).unwrap();
        let before = snapshot(&impostor);
        remove_stale(Owned::Output, tmp.path(), "output");
        assert!(!dead.exists() && !dead_old.exists() && !empty.exists());
        assert_eq!(snapshot(&impostor), before, "unmarked: not gazette's");
        assert!(
            impostor_link.exists() && Owned::Output.marks(&elsewhere),
            "links are not followed"
        );
        // Nor does a new build of this process remove an unmarked folder in its way.
        let own = tmp.path().join(format!(".output.staging-{}", std::process::id()));
        fs::create_dir(&own).unwrap();
        fs::write(own.join("notes.txt"), "mine").unwrap();
        assert!(matches!(Staging::create(&tmp.path().join("output")), Err(Error::Refused { .. })));
        assert_eq!(fs::read_to_string(own.join("notes.txt")).unwrap(), "mine");
    }

    /// What [`read_tree`] or [`read_listed`] found, comparable: path, type and, for a
    /// file, its inode.
    fn found_set(found: Vec<Found>) -> Vec<(String, bool, bool, u64)> {
        let mut set: Vec<_> = found
            .into_iter()
            .map(|f| (f.rel, f.is_dir, f.is_file, if f.is_file { f.ino } else { 0 }))
            .collect();
        set.sort();
        set
    }

    /// A staging folder of `files` (relative paths), sealed; with its listing as the
    /// build cache would give it.
    fn sealed_folder(root: &Path, files: &[&str]) -> Listing {
        use std::os::unix::fs::MetadataExt;
        let out = root.join("output");
        let place = root.join("cache/old-output");
        let mut staging = Staging::create_build(&out, &place, None, None).unwrap();
        for file in files {
            staging.write(Path::new(file), file.as_bytes()).unwrap();
        }
        let (seal, made) = staging.seal().unwrap();
        let mut made: Vec<String> = made.into_iter().collect();
        made.sort();
        let mut wanted: Vec<String> = files.iter().map(|f| (*f).to_owned()).collect();
        wanted.sort();
        assert_eq!(made, wanted, "the seal lists every file made");
        staging.commit().unwrap();
        let files = files
            .iter()
            .map(|f| ((*f).to_owned(), fs::metadata(out.join(f)).unwrap().ino(), None))
            .collect();
        Listing { dev: seal.dev, ino: seal.ino, sealed: seal.sealed, files }
    }

    #[test]
    fn a_listed_spare_reads_as_a_read_one_whatever_was_changed_by_hand() {
        const FILES: [&str; 7] = [
            "index.html",
            "feed.xml",
            "world/alpha/index.html",
            "world/beta/index.html",
            "world/page/2/index.html",
            "economy/delta/index.html",
            "tags/a/index.html",
        ];
        type Change = fn(&Path, &Path);
        let changes: [(&str, Change); 12] = [
            ("nothing", |_, _| {}),
            ("a file replaced", |out, _| {
                fs::remove_file(out.join("world/alpha/index.html")).unwrap();
                fs::write(out.join("world/alpha/index.html"), "other").unwrap();
            }),
            ("a file written through", |out, _| {
                fs::write(out.join("world/alpha/index.html"), "through").unwrap();
            }),
            ("a file added deep", |out, _| {
                fs::write(out.join("world/page/2/stray.html"), "stray").unwrap();
            }),
            ("a folder added", |out, _| {
                fs::create_dir_all(out.join("world/extra/deeper")).unwrap();
                fs::write(out.join("world/extra/deeper/x.html"), "x").unwrap();
            }),
            ("a file removed", |out, _| fs::remove_file(out.join("tags/a/index.html")).unwrap()),
            ("a folder turned into a file", |out, _| {
                fs::remove_dir_all(out.join("economy/delta")).unwrap();
                fs::write(out.join("economy/delta"), "a file").unwrap();
            }),
            ("a folder turned into a link", |out, old| {
                fs::remove_dir_all(out.join("world/beta")).unwrap();
                std::os::unix::fs::symlink(old, out.join("world/beta")).unwrap();
            }),
            ("a file turned into a link", |out, old| {
                fs::remove_file(out.join("world/beta/index.html")).unwrap();
                std::os::unix::fs::symlink(
                    old.join("index.html"),
                    out.join("world/beta/index.html"),
                )
                .unwrap();
            }),
            // Made before the seal: its folders' own times are old, but moving them in
            // changes them.
            ("an old folder moved in for a listed one", |out, old| {
                fs::remove_dir_all(out.join("world")).unwrap();
                fs::rename(old, out.join("world")).unwrap();
            }),
            ("an old folder moved in below", |out, old| {
                fs::remove_dir_all(out.join("world/page")).unwrap();
                fs::rename(old, out.join("world/page")).unwrap();
            }),
            ("a root file replaced by a folder", |out, _| {
                fs::remove_file(out.join("feed.xml")).unwrap();
                fs::create_dir(out.join("feed.xml")).unwrap();
            }),
        ];
        for (what, change) in changes {
            let tmp = tempfile::tempdir().unwrap();
            // An old folder, made before the seal, shaped like one of the output's.
            let old = tmp.path().join("old");
            fs::create_dir_all(old.join("alpha")).unwrap();
            fs::create_dir_all(old.join("2")).unwrap();
            fs::write(old.join("alpha/index.html"), "old").unwrap();
            fs::write(old.join("2/index.html"), "old").unwrap();
            fs::write(old.join("index.html"), "old").unwrap();
            let listing = sealed_folder(tmp.path(), &FILES);
            let out = tmp.path().join("output");
            // Right after the seal, in the same tick of the file system's clock.
            change(&out, &old);
            let listed = read_listed(&out, Owned::Output, &listing).expect(what);
            assert_eq!(found_set(listed), found_set(read_tree(&out, Owned::Output)), "{what}");
        }
    }

    #[test]
    fn a_listing_of_another_folder_is_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let listing = sealed_folder(tmp.path(), &["a/index.html"]);
        let out = tmp.path().join("output");
        let copy = tmp.path().join("copy");
        fs::create_dir_all(copy.join("a")).unwrap();
        fs::write(copy.join("a/index.html"), "x").unwrap();
        assert!(read_listed(&copy, Owned::Output, &listing).is_none());
        assert!(read_listed(&out, Owned::Output, &listing).is_some());
        // The same folder, but moved to another place: still the folder listed.
        let moved = tmp.path().join("moved");
        fs::rename(&out, &moved).unwrap();
        let listed = found_set(read_listed(&moved, Owned::Output, &listing).unwrap());
        assert_eq!(listed, found_set(read_tree(&moved, Owned::Output)));
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Waits until the background deletions leave `dir` holding only `names` (no
    /// timing is asserted: a slow machine only waits longer, up to a minute).
    fn wait_for(dir: &Path, names_left: &[&str]) {
        for _ in 0..600 {
            if names(dir) == names_left {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert_eq!(names(dir), names_left);
    }

    #[test]
    fn a_build_swaps_in_whole_and_puts_the_previous_output_in_the_place_for_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, place) = (tmp.path().join("output"), tmp.path().join("cache/old-output"));
        let staging = Staging::create_build(&out, &place, None, None).unwrap();
        staging.write(Path::new("a/x.html"), b"x").unwrap();
        staging.commit().unwrap();
        let published = fs::metadata(out.join("a/x.html")).unwrap();
        let before = snapshot(&out);
        let staging = Staging::create_build(&out, &place, None, None).unwrap();
        // A kept file: its folder made once, then one link to the published file.
        staging.make_folders_for(["a/x.html", "a/b/y.html"], &mut FxHashSet::default()).unwrap();
        staging.link_into(Path::new("a/x.html"), &out.join("a/x.html")).unwrap();
        staging.write(Path::new("a/b/y.html"), b"y").unwrap();
        assert_eq!(snapshot(&out), before, "the output is untouched until the swap");
        staging.commit().unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(fs::metadata(out.join("a/x.html")).unwrap().ino(), published.ino());
        assert_eq!(fs::read(out.join("a/b/y.html")).unwrap(), b"y");
        assert_eq!(names(tmp.path()), ["cache", "output"], "nothing left beside the output");
        wait_for(&place, &[]);
    }

    #[test]
    #[cfg(target_os = "linux")] // elsewhere, without /proc, no leftover is judged dead
    fn a_build_claims_and_deletes_only_marked_leftovers_of_dead_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, place) = (tmp.path().join("output"), tmp.path().join("cache/old-output"));
        fs::create_dir_all(&place).unwrap();
        // No process has these ids: pids stop at 2^22 on Linux. Process 1 is running.
        let dead = [
            tmp.path().join(".output.staging-999999999"),
            tmp.path().join(".output.staging-999999998.old"),
            tmp.path().join(".output.staging-999999997.old4"),
            place.join("999999996.0"),
        ];
        let kept = [
            tmp.path().join(".output.staging-999999995"), // unmarked
            place.join("999999994.2"),                    // unmarked
            place.join("1.0"),                            // a running build's
            tmp.path().join(".output.staging-1.old"),     // a running build's
        ];
        for dir in dead.iter().chain(&kept) {
            fs::create_dir(dir).unwrap();
            fs::write(dir.join("page.html"), "x").unwrap();
        }
        for dir in dead.iter().chain(&kept[2..]) {
            Owned::Output.write_marker(dir).unwrap();
        }
        let staging = Staging::create_build(&out, &place, None, None).unwrap();
        for dir in &dead {
            assert!(!dir.exists(), "{} is not claimed", dir.display());
        }
        wait_for(&place, &["1.0", "999999994.2"]);
        for dir in &kept {
            assert_eq!(fs::read_to_string(dir.join("page.html")).unwrap(), "x");
        }
        drop(staging);
        let mut left = names(tmp.path());
        left.retain(|n| n.starts_with(".output"));
        assert_eq!(left, [".output.staging-1.old", ".output.staging-999999995"]);
    }
}
