//! The build cache (issue 15): what the last build wrote to the output folder, each file
//! with a hash of its bytes, a hash of what its render read (for a page), and the
//! identity of the file on disk. The next build puts a file whose bytes did not change
//! into its staging folder as a hard link to the file already published, rather than
//! writing it again, and does not even render a page whose inputs did not change. Sync
//! tools (`rsync -a`, `aws s3 sync`) then see only the files that really changed: the
//! others keep their inode, size and mtime.
//!
//! The cache never decides what a file holds: a file is linked only when the published
//! file still holds what the cache recorded (it is the very file recorded, or its bytes
//! hash the same), and the recorded bytes are those a render of the same inputs makes.
//! So a cached build is byte-identical to a `--no-cache` one whatever the cache holds.
//! A cache that cannot be used (unreadable, truncated, garbage, from another gazette,
//! another output folder, or locked by a build running at the same moment) is set aside
//! with a one-line notice, and the build writes every file, as without a cache.
//!
//! Files are not linked one by one as they are found unchanged: that takes only one
//! `stat`, and when every other file is written [`Written::place`] makes the folders the
//! kept files need, once each, and links them all in parallel, right before the swap.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Result, display_path};
use crate::output::{Kept, Listing, Seal, Staging};
use crate::render::{Inputs, Surrounded};

pub(crate) mod checks;
pub(crate) mod parse;
pub(crate) mod see_also;

/// The cache file, in the cache folder.
const FILE: &str = "build-cache";
/// Held (with `flock`) by the build reading and writing the cache.
const LOCK: &str = "build-cache.lock";
/// The first line of the cache file: its format.
const HEADER: &str = "gazette build cache 4";

/// The body of a small cache file beside the build cache (`see-also`, `checks`): its
/// first line is `header` (its format), its second the build cache's `identity` (this
/// gazette, this output folder), then a checksum of the body and the body. `None` if the
/// file is missing, from another gazette or folder, or damaged.
fn read_sealed(path: &Path, header: &str, identity: &str) -> Option<Vec<u8>> {
    let bytes = fs::read(path).ok()?;
    let rest = bytes.strip_prefix(header.as_bytes())?.strip_prefix(b"\n")?;
    let rest = rest.strip_prefix(identity.as_bytes())?.strip_prefix(b"\n")?;
    let (sum, body) = rest.split_at_checked(32)?;
    (blake3::hash(body).as_bytes() == sum).then(|| body.to_vec())
}

/// Writes `body` into the small cache file at `path` (see [`read_sealed`]): into a
/// temporary file first, renamed over it.
fn write_sealed(path: &Path, header: &str, identity: &str, body: &[u8]) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(body.len() + 256);
    for line in [header, identity] {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(blake3::hash(body).as_bytes());
    bytes.extend_from_slice(body);
    let temporary = temporary_for(path);
    let written = fs::File::create(&temporary)
        .and_then(|mut f| f.write_all(&bytes))
        .and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Which file on disk a page was written to: a hard link keeps all of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: i64,
    mtime_nsec: i64,
}

impl Stamp {
    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        meta.is_file().then(|| Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime: meta.mtime(),
            mtime_nsec: meta.mtime_nsec(),
        })
    }

    /// Elsewhere nothing is linked: every file is written.
    #[cfg(not(unix))]
    fn of(_: &fs::Metadata) -> Option<Stamp> {
        None
    }
}

/// One file of the last build.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Of its bytes; `None` when a first build wrote it (it hashes nothing, to cost
    /// what a build without cache does).
    hash: Option<blake3::Hash>,
    /// Of everything its render read (see [`crate::render::Reuse`]), for a page.
    inputs: Option<blake3::Hash>,
    /// For an article's page or a listing's, of what those inputs are made from (see
    /// [`Inputs::Around`]).
    around: Option<blake3::Hash>,
    stamp: Stamp,
}

impl Entry {
    /// Whether the page was made from `inputs`: the same exact inputs, or for an
    /// article's or a listing's page the same surroundings (see [`Inputs::Around`]). Builds with debug
    /// assertions make the exact inputs too, and check that they are the ones recorded.
    fn made_from(&self, inputs: Inputs<'_>) -> bool {
        match inputs {
            Inputs::Exact(inputs) => self.inputs == Some(*inputs),
            Inputs::Around { around, exact, .. } => {
                let same = self.around == Some(*around) && self.inputs.is_some();
                if let Some(exact) = exact.filter(|_| same) {
                    assert_eq!(
                        self.inputs,
                        Some(*exact),
                        "a page's surroundings hashed the same, its inputs did not"
                    );
                }
                same
            }
        }
    }
}

/// The build cache of one output folder, locked for this build.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    /// Which output folder and which gazette the entries are about.
    identity: String,
    /// Empty until read (see [`Cache::read`]).
    recorded: Recorded,
    /// Holds the lock for as long as the cache is open.
    _lock: fs::File,
}

/// What the cache file records of the last build (see [`Cache::read`]).
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// By path, each with its number: where the cache file lists it among the entries.
    /// A number names its path more cheaply than the path (see [`Entries::now`]).
    previous: FxHashMap<String, (usize, Entry)>,
    /// What else the last build's output holds (see [`Listing`]), when known.
    last: Option<Last>,
    /// The output before last, now the spare: its seal, and where it differs from the
    /// last build's output (a path with the inode it has there, 0 if unknown, or `None`
    /// where it has no file).
    spare: Option<(Seal, Vec<Differs>)>,
}

/// A path where the spare differs from the last build's output: the inode it has in
/// the spare (0 if unknown), or `None` where the spare has no file.
type Differs = (String, Option<u64>);

/// The last build's output beyond its entries: the files it made that the cache has no
/// entry for (images linked from their cache), and its seal.
#[derive(Debug, Default)]
struct Last {
    others: Vec<String>,
    seal: Option<Seal>,
}

/// Opens the cache in `dir` for a build into `output`. With a notice (`the build cache
/// ... is damaged`) when the cache cannot be used: the build then goes on without it
/// (`None`), or with an empty cache it replaces. A missing cache file is no problem (the
/// first build), and gives an empty cache.
pub(crate) fn open(dir: &Path, output: &Path) -> (Option<Cache>, Option<String>) {
    match open_unread(dir, output) {
        (Some(mut cache), None) => {
            let (recorded, notice) = cache.read();
            cache.install(recorded);
            (Some(cache), notice)
        }
        other => other,
    }
}

/// The notice of a build cache in `dir` that cannot be used, and `why`.
fn notice_about(dir: &Path, why: &str) -> Option<String> {
    Some(format!("the build cache `{}` {why}", display_path(&dir.join(FILE))))
}

/// The files of the cache's folder that are written into a temporary file first
/// ([`temporary_for`]), then renamed into place.
const WRITTEN_BY_RENAME: [&str; 4] = [FILE, parse::FILE, see_also::FILE, checks::FILE];

/// The temporary file the cache file at `path` is written into before it is renamed into
/// place: `<name>.<process id>.tmp` beside it, the name [`Cache::sweep_temporaries`]
/// knows.
pub(crate) fn temporary_for(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{name}.{}.tmp", std::process::id()))
}

impl Cache {
    /// Removes the temporary files that builds killed while they wrote this folder's
    /// files left behind (`build-cache.4021.tmp`, a parse cache's as large as the cache
    /// itself): no other build is writing one, since this one holds the lock. For a
    /// build only: `check` changes nothing.
    pub(crate) fn sweep_temporaries(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".tmp")) else {
                continue;
            };
            let Some((file, process)) = stem.rsplit_once('.') else { continue };
            let numbered = !process.is_empty() && process.bytes().all(|b| b.is_ascii_digit());
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if numbered && regular && WRITTEN_BY_RENAME.contains(&file) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Like [`open`], but reads nothing yet: the cache is empty until what [`Cache::read`]
/// gives is installed ([`Cache::install`]). A build reads it while it loads the content.
pub(crate) fn open_unread(dir: &Path, output: &Path) -> (Option<Cache>, Option<String>) {
    let notice = |why: String| notice_about(dir, &why);
    if let Err(e) = fs::create_dir_all(dir) {
        return (None, notice(format!("cannot be made ({e})")));
    }
    let lock_path = dir.join(LOCK);
    let lock =
        match fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path) {
            Ok(file) => file,
            Err(e) => return (None, notice(format!("cannot be locked ({e})"))),
        };
    if !try_lock(&lock) {
        return (None, notice("is in use by another build".to_owned()));
    }
    let identity = identity(output);
    (
        Some(Cache { dir: dir.to_owned(), identity, recorded: Recorded::default(), _lock: lock }),
        None,
    )
}

/// Opens the cache in `dir` only to read it (for `check`): nothing is made or changed.
/// `(None, None)` when there is no cache.
pub(crate) fn open_existing(dir: &Path, output: &Path) -> (Option<Cache>, Option<String>) {
    if !dir.join(FILE).is_file() || !dir.join(LOCK).is_file() {
        return (None, None);
    }
    match open(dir, output) {
        // A cache that cannot be used is left for the next build to replace.
        (Some(cache), None) => (Some(cache), None),
        (_, notice) => (None, notice),
    }
}

#[cfg(unix)]
fn try_lock(file: &fs::File) -> bool {
    use rustix::fs::{FlockOperation, flock};
    flock(file, FlockOperation::NonBlockingLockExclusive).is_ok()
}

#[cfg(not(unix))]
fn try_lock(_: &fs::File) -> bool {
    true
}

/// What the entries are valid for: this gazette (its version and `GAZETTE_BUILD_ID`, a
/// hash of its sources, dependencies, features and compiler made when it was compiled: a
/// development build invalidates the cache like an upgrade, while the same build installed
/// again in CI keeps it) and this output folder.
fn identity(output: &Path) -> String {
    // The folder it is, however it was named (`../output` from inside the site, say): its
    // parent with links and `..` resolved, as the output itself may not exist yet.
    let resolved = output.parent().zip(output.file_name()).and_then(|(parent, name)| {
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        fs::canonicalize(parent).ok().map(|parent| parent.join(name))
    });
    let output =
        resolved.or_else(|| std::path::absolute(output).ok()).unwrap_or_else(|| output.to_owned());
    format!(
        "gazette {} {}\noutput {}",
        env!("CARGO_PKG_VERSION"),
        env!("GAZETTE_BUILD_ID"),
        display_path(&output)
    )
}

/// What a cache file holds.
struct Parsed {
    entries: FxHashMap<String, (usize, Entry)>,
    last: Last,
    spare: Option<(Seal, Vec<Differs>)>,
}

/// Reads a cache file: its header, identity and checksum first, then one entry a line,
/// and the lines that say what else the output holds (`other PATH`, `sealed ...`) and
/// how the spare differs from it (`spare-sealed ...`, `spare INODE|- PATH`).
fn parse(bytes: &[u8], identity: &str) -> std::result::Result<Parsed, &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is damaged")?;
    let rest = text
        .strip_prefix(HEADER)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or("is damaged or from another gazette")?;
    let rest = rest
        .strip_prefix(identity)
        .and_then(|r| r.strip_prefix('\n'))
        .ok_or("is from another gazette or output folder")?;
    let (sum, body) = rest.split_once('\n').ok_or("is damaged")?;
    let sum = sum.strip_prefix("checksum ").ok_or("is damaged")?;
    if blake3::hash(body.as_bytes()).to_hex().as_str() != sum {
        return Err("is damaged");
    }
    let mut last = Last::default();
    let (mut spare_seal, mut spare) = (None, Vec::new());
    // The entries (one per file of the output, 200,000 at 100,000 articles) are parsed
    // in parallel once the other lines are set apart.
    let mut entry_lines = Vec::new();
    for line in body.lines() {
        if let Some(path) = line.strip_prefix("other ") {
            last.others.push(path.to_owned());
        } else if let Some(seal) = line.strip_prefix("sealed ") {
            last.seal = Some(parse_seal(seal).ok_or("is damaged")?);
        } else if let Some(seal) = line.strip_prefix("spare-sealed ") {
            spare_seal = Some(parse_seal(seal).ok_or("is damaged")?);
        } else if let Some(rest) = line.strip_prefix("spare ") {
            let (ino, path) = rest.split_once(' ').ok_or("is damaged")?;
            let ino = match ino {
                "-" => None,
                n => Some(n.parse().map_err(|_| "is damaged")?),
            };
            spare.push((path.to_owned(), ino));
        } else {
            entry_lines.push(line);
        }
    }
    let parsed: Option<Vec<(&str, Entry)>> =
        entry_lines.par_iter().map(|line| parse_entry(line)).collect();
    let parsed = parsed.ok_or("is damaged")?;
    let mut entries = FxHashMap::with_capacity_and_hasher(parsed.len(), Default::default());
    let numbered = parsed.into_iter().enumerate();
    entries.extend(numbered.map(|(number, (path, entry))| (path.to_owned(), (number, entry))));
    Ok(Parsed { entries, last, spare: spare_seal.map(|seal| (seal, spare)) })
}

fn parse_seal(text: &str) -> Option<Seal> {
    let mut fields = text.split(' ');
    let mut number = || fields.next()?.parse::<i64>().ok();
    let (dev, ino, sec, nsec) = (number()?, number()?, number()?, number()?);
    Some(Seal { dev: dev as u64, ino: ino as u64, sealed: (sec, nsec) })
}

fn seal_line(word: &str, seal: &Seal) -> String {
    let Seal { dev, ino, sealed: (sec, nsec) } = *seal;
    format!("{word} {} {} {sec} {nsec}\n", dev as i64, ino as i64)
}

fn parse_entry(line: &str) -> Option<(&str, Entry)> {
    let mut fields = line.splitn(9, ' ');
    let mut hash = || match fields.next()? {
        "-" => Some(None),
        hex => Some(Some(blake3::Hash::from_hex(hex).ok()?)),
    };
    let (hash, inputs, around) = (hash()?, hash()?, hash()?);
    let mut number = || fields.next()?.parse::<u64>().ok();
    let (dev, ino, len) = (number()?, number()?, number()?);
    let mtime = fields.next()?.parse().ok()?;
    let mtime_nsec = fields.next()?.parse().ok()?;
    let path = fields.next()?;
    let stamp = Stamp { dev, ino, len, mtime, mtime_nsec };
    Some((path, Entry { hash, inputs, around, stamp }))
}

impl Recorded {
    /// What the spare holds (the output before last, see [`Listing`]), if the cache
    /// knows it: the last build's output but where the spare differs from it.
    pub(crate) fn spare_listing(&self) -> Option<Listing> {
        let (seal, differs) = self.spare.as_ref()?;
        let last = self.last.as_ref()?;
        let differs: FxHashMap<&str, Option<u64>> =
            differs.iter().map(|(path, ino)| (path.as_str(), *ino)).collect();
        // Each path with its key: its entry's number.
        let key = |path: &str| self.previous.get(path).map(|(number, _)| *number);
        let mut files: Vec<(String, u64, Option<usize>)> = self
            .previous
            .iter()
            .map(|(path, (number, entry))| (path.as_str(), entry.stamp.ino, Some(*number)))
            .chain(last.others.iter().map(|path| (path.as_str(), 0, key(path))))
            .filter(|(path, _, _)| !differs.contains_key(path))
            .map(|(path, ino, key)| (path.to_owned(), ino, key))
            .collect();
        files.extend(
            differs
                .iter()
                .filter_map(|(path, ino)| ino.map(|ino| ((*path).to_owned(), ino, key(path)))),
        );
        Some(Listing { dev: seal.dev, ino: seal.ino, sealed: seal.sealed, files })
    }
}

impl Cache {
    /// The cache's folder.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the cache file records, with a notice when it cannot be used (then nothing:
    /// the build writes every file, and replaces the file). Nothing when there is no
    /// file yet (a first build).
    pub(crate) fn read(&self) -> (Recorded, Option<String>) {
        let notice = |why: String| notice_about(&self.dir, &why);
        let mut text = Vec::new();
        match fs::File::open(self.dir.join(FILE)).and_then(|mut f| f.read_to_end(&mut text)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (Recorded::default(), None);
            }
            Err(e) => return (Recorded::default(), notice(format!("cannot be read ({e})"))),
        }
        match parse(&text, &self.identity) {
            Ok(Parsed { entries, last, spare }) => {
                let last = last.seal.is_some().then_some(last);
                let spare = spare.filter(|_| last.is_some());
                (Recorded { previous: entries, last, spare }, None)
            }
            Err(why) => (Recorded::default(), notice(why.to_owned())),
        }
    }

    /// Takes what [`Cache::read`] gave as what the cache records.
    pub(crate) fn install(&mut self, recorded: Recorded) {
        self.recorded = recorded;
    }

    /// Gives back what the cache records, leaving it empty.
    pub(crate) fn take_recorded(&mut self) -> Recorded {
        std::mem::take(&mut self.recorded)
    }

    /// Whether the cache records nothing (a first build, or one after a cache problem).
    pub(crate) fn is_empty(&self) -> bool {
        self.recorded.previous.is_empty()
    }

    /// Whether the last build made the page `rel` from the same inputs (for `check`,
    /// which needs to know that a page renders, not its bytes).
    pub(crate) fn rendered_before(&self, rel: &Path, inputs: Inputs<'_>) -> bool {
        self.recorded.previous.get(&display_path(rel)).is_some_and(|(_, e)| e.made_from(inputs))
    }

    /// Writes the lines of `entries` (a build's, before it commits) to a temporary file,
    /// after room for the file's head, and hashes them: beside the linking in of the kept
    /// files and the swap, rather than after them (a tenth of a second and more at
    /// 100,000 articles: 50 MB). [`Cache::save`] finishes the file once the build has
    /// committed; a draft dropped unsaved removes it.
    pub(crate) fn draft(&self, entries: &Entries) -> Draft {
        // A line is 200 to 300 bytes (two or three hashes in hex, the stamp, the path):
        // sized at once, a 50 MB text is not copied as it grows.
        let mut body = String::with_capacity(entries.files.len() * 300);
        // Written in place, a line at a time: no string is made per line or per hash.
        use std::fmt::Write as _;
        let hex = |body: &mut String, hash: Option<blake3::Hash>| match hash {
            Some(hash) => body.push_str(hash.to_hex().as_str()),
            None => body.push('-'),
        };
        for Record { path, entry, .. } in &entries.files {
            let Stamp { dev, ino, len, mtime, mtime_nsec } = entry.stamp;
            hex(&mut body, entry.hash);
            body.push(' ');
            hex(&mut body, entry.inputs);
            body.push(' ');
            hex(&mut body, entry.around);
            let _ = writeln!(body, " {dev} {ino} {len} {mtime} {mtime_nsec} {path}");
        }
        let temporary = temporary_for(&self.dir.join(FILE));
        let room = self.head(&blake3::Hash::from_bytes([0; 32])).len();
        let written = fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(&vec![b' '; room])?;
            file.write_all(body.as_bytes())?;
            let mut hasher = blake3::Hasher::new();
            hasher.update(body.as_bytes());
            Ok((file, hasher))
        });
        Draft { temporary, written: Some(written) }
    }

    /// The head of the cache's file: the format, the identity, the checksum of the rest.
    fn head(&self, checksum: &blake3::Hash) -> String {
        format!("{HEADER}\n{}\nchecksum {}\n", self.identity, checksum.to_hex())
    }

    /// Finishes the file `draft` began with the entries of a build that just committed:
    /// adds what else its output holds (`sealed`: the staging folder's seal and the files
    /// the build made in it, see [`Staging::seal`]; `None` when a kept file was put in
    /// other than as recorded, see [`Written::is_inexact`]) and, when the cache knew it, what the output it replaced (the
    /// next spare) holds where it differs; then writes the head and puts the file in
    /// place. A failure is a notice, never a build failure: the next build writes every
    /// file. The lock stays held until the cache is dropped.
    pub(crate) fn save(
        &self,
        entries: &Entries,
        mut draft: Draft,
        sealed: Option<(Seal, FxHashSet<String>)>,
    ) -> Option<String> {
        let mut rest = String::new();
        if let Some((seal, made)) = sealed {
            self.describe(&mut rest, entries, &seal, &made);
        }
        let path = self.dir.join(FILE);
        let written = draft.written.take().unwrap_or_else(|| Err(std::io::Error::other("saved")));
        let saved = written
            .and_then(|(mut file, mut hasher)| {
                file.write_all(rest.as_bytes())?;
                let head = self.head(&hasher.update(rest.as_bytes()).finalize());
                use std::os::unix::fs::FileExt;
                file.write_all_at(head.as_bytes(), 0)
            })
            .and_then(|()| fs::rename(&draft.temporary, &path));
        match saved {
            Ok(()) => None,
            Err(e) => {
                let _ = fs::remove_file(&draft.temporary);
                Some(format!("the build cache `{}` cannot be written ({e})", display_path(&path)))
            }
        }
    }
}

/// The build cache's file being written (see [`Cache::draft`]).
#[derive(Debug)]
pub(crate) struct Draft {
    temporary: PathBuf,
    /// The file, written up to its entries' lines, and their hash; taken when saved.
    written: Option<std::io::Result<(fs::File, blake3::Hasher)>>,
}

impl Drop for Draft {
    /// Unsaved (the build failed before it committed): the file goes.
    fn drop(&mut self) {
        if let Some(Ok(_)) = self.written {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

impl Cache {
    /// Adds to `body` (after the lines of `entries`) what else the output holds: the
    /// files of `made` without an entry, and its `seal`; then how the output it replaced,
    /// the next spare, differs from it, when the cache knew what that held. Nothing when a
    /// path cannot be written on a line.
    ///
    /// The last build's paths are told by their numbers, not looked up: at 100,000
    /// articles that is 200,000 paths, most of them kept (a tenth of a second less).
    fn describe(
        &self,
        body: &mut String,
        entries: &Entries,
        seal: &Seal,
        made: &FxHashSet<String>,
    ) {
        let previous = &self.recorded.previous;
        let (by_number, new) = entries.now(previous.len());
        // The inode of this build's file with an entry at `path`, if there is one.
        let entry_at = |path: &str| match previous.get(path) {
            Some((number, _)) => by_number[*number],
            None => new.get(path).copied(),
        };
        let others: Vec<&str> =
            made.iter().map(String::as_str).filter(|path| entry_at(path).is_none()).collect();
        if others.iter().any(|path| path.contains(['\n', '\r'])) {
            return;
        }
        for path in &others {
            body.push_str("other ");
            body.push_str(path);
            body.push('\n');
        }
        body.push_str(&seal_line("sealed", seal));
        let Some(Last { others: last_others, seal: Some(last_seal) }) = &self.recorded.last else {
            return;
        };
        body.push_str(&seal_line("spare-sealed", last_seal));
        let others: FxHashSet<&str> = others.into_iter().collect();
        // What this build's output has at a path: a file with an entry (its inode), one
        // without (0), or nothing.
        let now = |path: &str, with_entry: Option<u64>| {
            with_entry.or_else(|| others.contains(path).then_some(0))
        };
        for (path, (number, entry)) in previous {
            let ino = entry.stamp.ino;
            if now(path, by_number[*number]) != Some(ino) {
                body.push_str(&format!("spare {ino} {path}\n"));
            }
        }
        for path in last_others {
            if now(path, entry_at(path)) != Some(0) {
                body.push_str(&format!("spare 0 {path}\n"));
            }
        }
        // What the output has that the one before had not.
        let last_others: FxHashSet<&str> = last_others.iter().map(String::as_str).collect();
        let added = new.keys().chain(others.iter().filter(|path| !previous.contains_key(**path)));
        for path in added.filter(|path| !last_others.contains(*path)) {
            body.push_str(&format!("spare - {path}\n"));
        }
    }
}

/// What [`Written::reuse`] was told of a page it did not keep, for [`Written::put`] to
/// record with it.
#[derive(Debug, Default, Clone, Copy)]
struct Pending {
    inputs: Option<blake3::Hash>,
    around: Option<blake3::Hash>,
}

/// The files a build wrote, for [`Written::place`] and [`Cache::save`].
#[derive(Debug)]
pub(crate) struct Entries {
    files: Vec<Record>,
}

/// A file of the build.
#[derive(Debug)]
struct Record {
    path: String,
    /// What the cache records of it.
    entry: Entry,
    /// One of the last build's files, to put in the staging folder at commit
    /// ([`Written::place`]).
    kept: bool,
    /// The number of the last build's entry at this path, if it had one.
    number: Option<usize>,
}

impl Entries {
    /// The inode of this build's file at each of the last build's `count` paths, by the
    /// path's number (`None`: no entry there now), and this build's files at the paths
    /// that had no entry.
    fn now(&self, count: usize) -> (Vec<Option<u64>>, FxHashMap<&str, u64>) {
        let mut by_number = vec![None; count];
        let mut new = FxHashMap::default();
        for Record { path, entry, number, .. } in &self.files {
            match number {
                Some(number) => by_number[*number] = Some(entry.stamp.ino),
                None => {
                    new.insert(path.as_str(), entry.stamp.ino);
                }
            }
        }
        (by_number, new)
    }
}

/// Puts the files of a build into its staging folder, keeping those whose bytes the
/// last build already wrote, and notes what it did for the cache. The files kept are put
/// in by [`Written::place`], which the build calls once every file is written, right
/// before it commits the staging folder.
#[derive(Debug)]
pub(crate) struct Written<'a> {
    previous: Option<&'a FxHashMap<String, (usize, Entry)>>,
    /// The output folder being replaced, where the files to link are.
    output: &'a Path,
    /// `output`, opened once (without a cache: not opened): the stamp of each file kept
    /// is read relative to it (see [`stamp_in`]).
    output_dir: Option<rustix::fd::OwnedFd>,
    entries: Mutex<Vec<Record>>,
    /// The inputs of the pages about to be rendered, until they are put: exact, and
    /// for an article's or a listing's page its surroundings (see [`Inputs::Around`]).
    pending: Mutex<FxHashMap<String, Pending>>,
    /// The cache records nothing: nothing is hashed (see [`Entry::hash`]).
    first: bool,
    linked: AtomicUsize,
    bytes: AtomicU64,
    /// Pages asked by their surroundings, and those kept by them (see
    /// [`Inputs::Around`]): articles' first, then listings'.
    around: [AtomicUsize; 4],
    /// See [`Entries`].
    inexact: AtomicBool,
}

impl<'a> Written<'a> {
    /// Without a cache, every file is written and nothing is recorded.
    pub(crate) fn new(cache: Option<&'a Cache>, output: &'a Path) -> Self {
        Written {
            previous: cache.map(|c| &c.recorded.previous),
            output,
            output_dir: cache.and_then(|_| open_folder(output)),
            entries: Mutex::new(Vec::new()),
            pending: Mutex::new(FxHashMap::default()),
            first: cache.is_some_and(|c| c.recorded.previous.is_empty()),
            linked: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            around: Default::default(),
            inexact: AtomicBool::new(false),
        }
    }

    /// What to save in the cache: the files of the build, taken once every one is
    /// written or kept, for [`Written::place`] to link in those kept, and for
    /// [`Cache::draft`] to write down meanwhile.
    pub(crate) fn take_entries(&self) -> Entries {
        let mut files = self.entries.lock().expect("no thread panicked");
        Entries { files: std::mem::take(&mut *files) }
    }

    /// Whether a kept file was put in other than as the file recorded (copied, or linked
    /// again after a change), so that its inode in the staging folder is not the one
    /// its entry records: then what the output holds is not saved (see [`Cache::save`]).
    pub(crate) fn is_inexact(&self) -> bool {
        self.inexact.load(Ordering::Relaxed)
    }

    /// How many files were kept (linked or copied) rather than written, and how many bytes
    /// were written.
    pub(crate) fn counts(&self) -> (usize, u64) {
        (self.linked.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }

    /// How many pages of the kind `page` were kept by their surroundings (see
    /// [`Inputs::Around`]), of how many asked by them.
    pub(crate) fn kept_by_surroundings(&self, page: Surrounded) -> (usize, usize) {
        let asked = &self.around[Self::counters(page)];
        (
            self.around[Self::counters(page) + 1].load(Ordering::Relaxed),
            asked.load(Ordering::Relaxed),
        )
    }

    /// Where the counters of pages of the kind `page` are in `around`: asked, then kept.
    fn counters(page: Surrounded) -> usize {
        match page {
            Surrounded::Article => 0,
            Surrounded::Listing => 2,
        }
    }

    /// Puts the files of the last build that this one keeps (see [`Written::reuse`] and
    /// [`Written::put`]) into `staging` as hard links to the published files, once every
    /// other file is written, right before the swap: the folders they need are made
    /// first, one `mkdir` each, parents first, then the links are made in parallel, one
    /// `linkat` each. Nothing in the published output is moved or changed, so it stays
    /// whole until the swap.
    ///
    /// `entries`: this build's, taken by [`Written::take_entries`] once every file is
    /// written.
    pub(crate) fn place(&self, staging: &Staging, entries: &Entries) -> Result<()> {
        let records: Vec<&Record> = entries.files.iter().filter(|record| record.kept).collect();
        let kept: Vec<(&str, &Entry)> =
            records.iter().map(|r| (r.path.as_str(), &r.entry)).collect();
        if staging.is_spare() {
            // The staging folder is the output before last: only the files that differ
            // from the published ones are linked in, and what this build has not is
            // removed (see `Staging::prune`). A path's key is its entry's number.
            let mut by_key = vec![None; self.previous.map_or(0, FxHashMap::len)];
            for (n, record) in records.iter().enumerate() {
                by_key[record.number.expect("a kept file had an entry")] = Some(n);
            }
            let key_of = |path: &str| self.previous?.get(path).map(|(number, _)| *number);
            let files = kept.iter().map(|(path, entry)| (*path, entry.stamp.ino)).collect();
            let missing = staging.prune(&Kept { files, by_key, key_of: &key_of })?;
            let missing: Vec<(&str, &Entry)> = missing.into_iter().map(|n| kept[n]).collect();
            return self.link_all(staging, &missing);
        }
        if kept.is_empty() {
            return Ok(());
        }
        staging.make_folders_for(kept.iter().map(|(key, _)| *key), &mut FxHashSet::default())?;
        self.link_all(staging, &kept)
    }

    /// Links the published files `kept` into `staging` (their folders made already), in
    /// parallel; an error when one is no longer what was kept.
    fn link_all(&self, staging: &Staging, kept: &[(&str, &Entry)]) -> Result<()> {
        let unlinked: Vec<&str> = kept
            .par_iter()
            .filter(|(key, entry)| !self.link(staging, Path::new(key), entry))
            .map(|(key, _)| *key)
            .collect();
        match unlinked.first() {
            Some(key) => Err(changed_meanwhile(&self.output.join(key))),
            None => Ok(()),
        }
    }

    /// Keeps the last build's page at `rel` when it was made from the same `inputs` and
    /// is still the file recorded: the page need not be rendered, and [`Written::place`]
    /// puts it into the staging folder. Otherwise notes the inputs, for [`Written::put`]
    /// to record with the page.
    ///
    /// An article's or a listing's page is asked first by its surroundings, then (when
    /// the last build recorded other ones) by its exact inputs: a page kept by those gets the new
    /// surroundings recorded with it.
    pub(crate) fn reuse(&self, rel: &Path, inputs: Inputs<'_>) -> bool {
        let Some(previous) = self.previous else { return false };
        let key = display_path(rel);
        let lock = || self.pending.lock().expect("no thread panics holding the lock");
        let around = match inputs {
            Inputs::Around { around, page, .. } => {
                self.around[Self::counters(page)].fetch_add(1, Ordering::Relaxed);
                Some(*around)
            }
            // Asked by its surroundings before, if it is an article's or a listing's page.
            Inputs::Exact(_) => lock().remove(&key).and_then(|p| p.around),
        };
        if let Some((number, entry)) = previous.get(&key).filter(|(_, e)| e.made_from(inputs)) {
            if let Some(stamp) = self.still_holds(rel, entry, None, false) {
                self.linked.fetch_add(1, Ordering::Relaxed);
                if let Inputs::Around { page, .. } = inputs {
                    self.around[Self::counters(page) + 1].fetch_add(1, Ordering::Relaxed);
                }
                self.keep(key, Entry { stamp, around, ..*entry }, *number);
                return true;
            }
        }
        let exact = match inputs {
            Inputs::Exact(inputs) => Some(*inputs),
            Inputs::Around { .. } => None,
        };
        lock().insert(key, Pending { inputs: exact, around });
        false
    }

    /// Puts `bytes` at `rel` in `staging`.
    pub(crate) fn put(&self, staging: &Staging, rel: &Path, bytes: &[u8]) -> Result<()> {
        let Some(previous) = self.previous else {
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            return staging.write(rel, bytes);
        };
        let key = display_path(rel);
        let Pending { inputs, around } = self
            .pending
            .lock()
            .expect("no thread panics holding the lock")
            .remove(&key)
            .unwrap_or_default();
        let hash = (!self.first).then(|| blake3::hash(bytes));
        let same = |e: &&Entry| match e.hash {
            Some(recorded) => Some(recorded) == hash,
            None => e.stamp.len == bytes.len() as u64,
        };
        let known = previous.get(&key);
        if let Some((number, entry)) = known.filter(|(_, e)| same(&e)) {
            if let Some(stamp) = self.still_holds(rel, entry, Some(bytes), false) {
                self.linked.fetch_add(1, Ordering::Relaxed);
                self.keep(key, Entry { hash, inputs, around, stamp }, *number);
                return Ok(());
            }
        }
        self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        let meta = staging.write_file(rel, bytes)?;
        if let Some(stamp) = Stamp::of(&meta) {
            self.record(key, Entry { hash, inputs, around, stamp }, known.map(|(n, _)| *n));
        }
        Ok(())
    }

    /// Copies the regular file at `from` to `rel` in `staging` (see [`Staging::copy`]),
    /// or links the published one when its bytes are the same.
    pub(crate) fn copy(&self, staging: &Staging, rel: &Path, from: &Path) -> Result<()> {
        if self.previous.is_none() {
            return staging.copy(rel, from);
        }
        let mut bytes = Vec::new();
        crate::text_file::open_regular(from)
            .and_then(|mut file| file.read_to_end(&mut bytes))
            .map_err(|e| Error::io(from, e))?;
        self.put(staging, rel, &bytes)
    }

    /// Whether the published file at `rel` still holds what `entry` recorded (`entry`'s
    /// hash is that of the bytes wanted, or `wanted` are the bytes): it is the very file
    /// recorded (same device, inode, size and mtime) and its hash is known, or it is a
    /// file of the same size whose bytes are the ones wanted (an output folder restored
    /// from a CI cache has new inodes; a first build hashed nothing). Returns the file's
    /// stamp. A regular file is required (never a link).
    ///
    /// The stamp is read in the output folder opened when the build began, or (`by_path`)
    /// at the output's path: when the file linked at that path is not the one checked,
    /// another build may have swapped in another output meanwhile.
    fn still_holds(
        &self,
        rel: &Path,
        entry: &Entry,
        wanted: Option<&[u8]>,
        by_path: bool,
    ) -> Option<Stamp> {
        let stamp = match &self.output_dir {
            Some(dir) if !by_path => stamp_in(dir, rel)?,
            _ => stamp_at(&self.output.join(rel))?,
        };
        if stamp != entry.stamp || entry.hash.is_none() {
            let from = self.output.join(rel);
            if stamp.len != entry.stamp.len {
                return None;
            }
            let mut bytes = Vec::with_capacity(stamp.len as usize);
            crate::text_file::open_regular(&from).ok()?.read_to_end(&mut bytes).ok()?;
            let same = match (wanted, entry.hash) {
                (Some(wanted), _) => wanted == bytes.as_slice(),
                (None, Some(hash)) => blake3::hash(&bytes) == hash,
                (None, None) => false,
            };
            if !same {
                return None;
            }
        }
        Some(stamp)
    }

    /// Links the published file at `rel` into `staging` (its folder made already) if it
    /// is still the file recorded in `entry` when it was kept, or else holds the bytes
    /// recorded; where no hard link can be made, copies it if its bytes are the ones
    /// recorded. `false` when it is neither the file nor the bytes recorded.
    fn link(&self, staging: &Staging, rel: &Path, entry: &Entry) -> bool {
        let from = self.output.join(rel);
        let Ok(to) = staging.link_into(rel, &from) else {
            self.inexact.store(true, Ordering::Relaxed);
            return self.copy_kept(staging, rel, entry);
        };
        // Checked through the new link: it is the file checked before.
        if stamp_at(&to) == Some(entry.stamp) {
            return true;
        }
        self.inexact.store(true, Ordering::Relaxed);
        let _ = fs::remove_file(&to);
        let Some(now) = self.still_holds(rel, entry, None, true) else { return false };
        let Ok(to) = staging.link_into(rel, &from) else { return false };
        if stamp_at(&to) == Some(now) {
            return true;
        }
        let _ = fs::remove_file(&to);
        false
    }

    /// Writes a copy of the published file at `rel` into `staging` if its bytes hash as
    /// `entry` records (for a file system without hard links).
    fn copy_kept(&self, staging: &Staging, rel: &Path, entry: &Entry) -> bool {
        let Some(hash) = entry.hash else { return false };
        let mut bytes = Vec::new();
        let read = crate::text_file::open_regular(&self.output.join(rel))
            .and_then(|mut file| file.read_to_end(&mut bytes));
        read.is_ok() && blake3::hash(&bytes) == hash && staging.write(rel, &bytes).is_ok()
    }

    /// Records a file this build wrote; `number`: that of the last build's entry at its
    /// path, if any.
    fn record(&self, key: String, entry: Entry, number: Option<usize>) {
        self.note(Record { path: key, entry, kept: false, number });
    }

    /// Records a file of the last build (its entry's `number`) that this one keeps as it is.
    fn keep(&self, key: String, entry: Entry, number: usize) {
        self.note(Record { path: key, entry, kept: true, number: Some(number) });
    }

    fn note(&self, record: Record) {
        if !record.path.contains(['\n', '\r']) {
            self.entries.lock().expect("no thread panics holding the lock").push(record);
        }
    }
}

/// The stamp of the regular file at `path`, if it is one.
fn stamp_at(path: &Path) -> Option<Stamp> {
    fs::symlink_metadata(path).ok().and_then(|m| Stamp::of(&m))
}

/// The folder at `path`, opened only to find files in it (`O_PATH`).
pub(crate) fn open_folder(path: &Path) -> Option<rustix::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(path, flags, Mode::empty()).ok()
}

/// [`stamp_at`] of the file at `rel` in the folder `dir`: one `fstatat` that walks only
/// `rel` (the output folder's own path is walked once, when it is opened), never
/// following a symbolic link at its end.
#[cfg(unix)]
fn stamp_in(dir: &rustix::fd::OwnedFd, rel: &Path) -> Option<Stamp> {
    let st = regular_file_in(dir, rel)?;
    Some(Stamp {
        dev: st.st_dev,
        ino: st.st_ino,
        len: st.st_size as u64,
        mtime: st.st_mtime,
        mtime_nsec: st.st_mtime_nsec as i64,
    })
}

/// The status of the regular file at `rel` in the folder `dir`, by one `fstatat` that
/// walks only `rel` and never follows a symbolic link at its end; `None` for anything
/// else (missing, a link, a folder). What both caches' stamps are read from.
#[cfg(unix)]
pub(crate) fn regular_file_in(dir: &rustix::fd::OwnedFd, rel: &Path) -> Option<rustix::fs::Stat> {
    use rustix::fs::{AtFlags, FileType};
    let st = rustix::fs::statat(dir, rel, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    (FileType::from_raw_mode(st.st_mode) == FileType::RegularFile).then_some(st)
}

#[cfg(not(unix))]
fn stamp_in(_: &rustix::fd::OwnedFd, _: &Path) -> Option<Stamp> {
    None
}

/// The error for a kept file that changed in the output while the build ran.
fn changed_meanwhile(path: &Path) -> Error {
    Error::Refused {
        message: format!(
            "`{}` changed in the output folder while the build ran",
            display_path(path)
        ),
        help: "build again, and let no other program write to the output folder during a build"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_read_in_a_folder_is_the_stamp_read_by_path() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("a/b")).unwrap();
        fs::write(tmp.path().join("a/b/index.html"), "page").unwrap();
        std::os::unix::fs::symlink("b/index.html", tmp.path().join("a/link")).unwrap();
        let dir = open_folder(tmp.path()).unwrap();
        let rel = Path::new("a/b/index.html");
        let by_path = stamp_at(&tmp.path().join(rel));
        assert!(by_path.is_some());
        assert_eq!(stamp_in(&dir, rel), by_path);
        // Never a link, nor a folder, nor what is missing.
        for rel in ["a/link", "a/b", "a/none"] {
            assert_eq!(stamp_in(&dir, Path::new(rel)), None, "{rel}");
            assert_eq!(stamp_at(&tmp.path().join(rel)), None, "{rel}");
        }
    }

    /// The cache's lines are written beside the commit ([`Cache::draft`]): a draft
    /// dropped unsaved (a build that failed before it committed) leaves no file, and one
    /// saved is the cache file, read back with its entries.
    #[test]
    fn a_draft_dropped_leaves_nothing_and_one_saved_reads_back() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, output) = (tmp.path().join("cache"), tmp.path().join("output"));
        let (cache, notice) = open(&dir, &output);
        let cache = cache.expect("a cache");
        assert_eq!(notice, None);
        let stamp = Stamp { dev: 1, ino: 2, len: 3, mtime: 4, mtime_nsec: 5 };
        let hash = Some(blake3::hash(b"page"));
        let entry = Entry { hash, inputs: hash, around: None, stamp };
        let record = Record { path: "a/index.html".to_owned(), entry, kept: false, number: None };
        let entries = Entries { files: vec![record] };
        let files = || {
            let mut names: Vec<String> = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let before = files();
        let draft = cache.draft(&entries);
        assert!(files().iter().any(|name| name.ends_with(".tmp")), "{:?}", files());
        drop(draft);
        assert_eq!(files(), before);
        assert!(!dir.join(FILE).exists());
        assert_eq!(cache.save(&entries, cache.draft(&entries), None), None);
        assert!(files().iter().all(|name| !name.ends_with(".tmp")), "{:?}", files());
        let (recorded, notice) = cache.read();
        assert_eq!(notice, None);
        let (number, read) = recorded.previous.get("a/index.html").expect("the entry read back");
        assert_eq!(*number, 0, "the first entry");
        assert_eq!((read.hash, read.inputs, read.stamp), (hash, hash, stamp));
    }

    fn entry_made_from(inputs: &str, around: Option<&str>) -> Entry {
        let stamp = Stamp { dev: 1, ino: 2, len: 3, mtime: 4, mtime_nsec: 5 };
        let hash = |text: &str| blake3::hash(text.as_bytes());
        Entry { hash: None, inputs: Some(hash(inputs)), around: around.map(hash), stamp }
    }

    #[test]
    fn a_page_is_made_from_the_same_exact_inputs_or_the_same_surroundings() {
        let (a, b) = (blake3::hash(b"a"), blake3::hash(b"b"));
        let entry = entry_made_from("a", Some("around"));
        let around = blake3::hash(b"around");
        let page = Surrounded::Article;
        assert!(entry.made_from(Inputs::Exact(&a)));
        assert!(!entry.made_from(Inputs::Exact(&b)));
        assert!(entry.made_from(Inputs::Around { around: &around, exact: None, page }));
        assert!(entry.made_from(Inputs::Around { around: &around, exact: Some(&a), page }));
        assert!(!entry.made_from(Inputs::Around { around: &a, exact: None, page }));
        // A page recorded without surroundings (a first build's, or not an article's) is
        // never kept by them.
        let without = entry_made_from("a", None);
        assert!(!without.made_from(Inputs::Around { around: &around, exact: Some(&a), page }));
        // The line it is saved as reads back the same.
        let line = format!("- {} {} 1 2 3 4 5 a/b/index.html", a.to_hex(), around.to_hex());
        let (path, read) = parse_entry(&line).unwrap();
        assert_eq!(path, "a/b/index.html");
        assert_eq!((read.inputs, read.around), (entry.inputs, entry.around));
    }

    /// What builds with debug assertions check: a page kept by its surroundings had the
    /// exact inputs recorded, or the surroundings missed something its view reads.
    #[test]
    #[should_panic(expected = "surroundings hashed the same, its inputs did not")]
    fn surroundings_that_match_when_the_exact_inputs_do_not_are_a_bug_caught() {
        let entry = entry_made_from("a", Some("around"));
        let (around, other) = (blake3::hash(b"around"), blake3::hash(b"b"));
        entry.made_from(Inputs::Around {
            around: &around,
            exact: Some(&other),
            page: Surrounded::Listing,
        });
    }
}
