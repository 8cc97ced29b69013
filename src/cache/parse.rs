//! The parse cache (issue 15): per article file, what parsing it produced, so that a
//! rebuild reads and parses only the files that changed.
//!
//! A file's parse is reused when the file is the one recorded (same device, inode, size,
//! modification and change times) or, if it was touched, when its text hashes the same;
//! and only when everything else parsing read is the same too: this gazette, the
//! configuration, the theme's templates (shortcodes render with them) and whether drafts
//! are built (the cache's identity, [`identity`]). Articles whose parse looked at an
//! image file are not kept (their image may change without them). A file changed in the
//! last seconds before the build that recorded it is hashed again (its times may not
//! have moved since).
//!
//! The cache file lives beside the build cache and is read and written only while the
//! build cache's lock is held. It is a log: a header and the identity, then the parses
//! (records), each written once and never moved, then an index of the files, which says
//! where each file's record is and its checksum, and last a trailer that says where the
//! index is and its checksum. A build that parsed a few files appends their records, a
//! new index and a new trailer, so it writes what changed and the index, not every
//! parse; once the records and indexes no index points at outweigh the live records, the
//! file is written anew with only these. Anything unreadable, truncated, damaged (a
//! record or the index that does not match its checksum) or from another gazette or
//! configuration is set aside with one notice, and every file is parsed.

use std::fs;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Cache;
use crate::error::display_path;
use crate::site::Document;

/// The cache file, in the cache folder.
const FILE: &str = "parse-cache";
/// Its first line: the format.
const HEADER: &str = "gazette parse cache 2";
/// The last bytes of a whole cache file, after where the index is and its checksum.
const END: &[u8; 8] = b"gzpc-end";
/// The trailer: index offset and length, checksum of the index, [`END`].
const TRAILER: usize = 8 + 8 + 32 + END.len();
/// A file changed less than this before the build that recorded it is hashed again:
/// file times have coarse steps on some file systems.
const RACY: Duration = Duration::from_secs(2);

/// Which file on disk an article was read from, and when it last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stamp {
    #[cfg(unix)]
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(path).ok()?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        meta.is_file().then(|| Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        })
    }

    /// Elsewhere a file is always read, and reused when its text hashes the same.
    #[cfg(not(unix))]
    pub(crate) fn of(_: &Path) -> Option<Stamp> {
        None
    }
}

/// What parsing a file produced.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    /// A draft, left out of the build.
    Draft,
    Document(Box<Document>),
}

/// One file of the index, its parse stored apart (see [`ParseCache`]).
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    path: PathBuf,
    stamp: Option<Stamp>,
    /// Of the file's text.
    hash: [u8; 32],
    /// Where its [`Document`] is in the cache file (offset, length) and the checksum of
    /// that record; `None` for a draft.
    blob: Option<(u64, u64, [u8; 32])>,
}

/// The index, at the end of the cache file (before the trailer).
#[derive(Debug, Serialize, Deserialize)]
struct Index {
    /// When the build that wrote it started, in nanoseconds since the epoch.
    started_ns: i128,
    entries: Vec<Entry>,
}

/// Why a cache file cannot be used.
#[derive(Clone, Copy)]
enum Unusable {
    /// Unreadable, damaged, or another gazette's: worth a notice.
    Damaged(&'static str),
    /// Made with another configuration or theme: every file is parsed again, as after
    /// any such edit.
    Inputs,
}

/// A file's parse for the next cache: a draft, the previous file's record (where it
/// is, its checksum), or a new one.
enum Kept {
    Draft,
    Old(Range<usize>, [u8; 32]),
    New(Vec<u8>),
}

/// A file this build keeps: its path, stamp, text hash and parse.
type KeptFile = (PathBuf, Option<Stamp>, [u8; 32], Kept);

/// The parse cache of one build: what the last build kept, and what this one keeps.
pub(crate) struct ParseCache {
    path: PathBuf,
    identity: String,
    started: SystemTime,
    /// The last cache file's bytes (its records are reused as they are); empty when
    /// it could not be used.
    bytes: Vec<u8>,
    /// The length of the last cache file, if it could be used (0 if not): `bytes` are
    /// let go once every article is loaded ([`ParseCache::release`]).
    len: usize,
    previous: FxHashMap<PathBuf, Entry>,
    /// Files changed after this instant (nanoseconds) are hashed again.
    racy_after_ns: i128,
    kept: Mutex<Vec<KeptFile>>,
    reused: AtomicUsize,
    /// Only read (`check`): nothing is kept, nothing saved.
    read_only: bool,
}

/// What the parse of an article depends on besides its file (see the module's text):
/// two lines, this gazette, then a hash of the configuration, the theme's templates and
/// whether drafts are built. Another gazette's cache is worth a notice; an edit of
/// `site.yaml` or of a template only means that every file is parsed again.
pub(crate) fn identity(
    config: &crate::config::Config,
    templates: &blake3::Hash,
    drafts: bool,
) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(format!("{config:?}").as_bytes()).update(&[0]);
    hasher.update(templates.as_bytes()).update(&[u8::from(drafts)]);
    format!(
        "gazette {} {}\ninputs {}",
        env!("CARGO_PKG_VERSION"),
        env!("GAZETTE_BUILD_ID"),
        hasher.finalize().to_hex()
    )
}

fn nanos(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

impl ParseCache {
    /// Opens the parse cache beside `cache` (whose lock this build holds) for a build
    /// whose parses depend on `identity`. With a notice when the file cannot be used:
    /// the cache is then empty, and every file is parsed.
    /// `read_only` (for `check`): nothing parsed is kept for a next build.
    pub(crate) fn open(
        cache: &Cache,
        identity: String,
        read_only: bool,
    ) -> (ParseCache, Option<String>) {
        let path = cache.dir.join(FILE);
        let mut parse_cache = ParseCache {
            path,
            identity,
            started: SystemTime::now(),
            bytes: Vec::new(),
            len: 0,
            previous: FxHashMap::default(),
            racy_after_ns: i128::MIN,
            kept: Mutex::new(Vec::new()),
            reused: AtomicUsize::new(0),
            read_only,
        };
        let bytes = match parse_cache.load() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (parse_cache, None),
            Err(e) => {
                let why = format!("cannot be read ({e}); parsing every article");
                let notice = parse_cache.notice(&why);
                return (parse_cache, Some(notice));
            }
        };
        match parse_cache.read(bytes) {
            Ok(()) | Err(Unusable::Inputs) => (parse_cache, None),
            Err(Unusable::Damaged(why)) => {
                let notice = parse_cache.notice(&format!("{why}; parsing every article"));
                (parse_cache, Some(notice))
            }
        }
    }

    /// The cache file's bytes; only its first lines when they are not this build's
    /// (the rest, hundreds of megabytes on a large site, would not be used).
    fn load(&self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut file = fs::File::open(&self.path)?;
        let head = HEADER.len() + 1 + self.identity.len() + 1;
        let mut bytes = Vec::with_capacity(head);
        (&mut file).take(head as u64).read_to_end(&mut bytes)?;
        let expected = format!("{HEADER}\n{}\n", self.identity);
        if bytes == expected.as_bytes() {
            let size = file.metadata().map_or(0, |m| m.len() as usize);
            bytes.reserve(size.saturating_sub(head));
            file.read_to_end(&mut bytes)?;
        }
        Ok(bytes)
    }

    fn notice(&self, why: &str) -> String {
        format!("the parse cache `{}` {why}", display_path(&self.path))
    }

    /// Reads a cache file: header, identity, trailer, index, and the checksum of every
    /// record (in parallel); the records stay as bytes.
    fn read(&mut self, bytes: Vec<u8>) -> std::result::Result<(), Unusable> {
        use rayon::prelude::*;
        let damaged = Unusable::Damaged("is damaged");
        let rest = bytes
            .strip_prefix(HEADER.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Damaged("is damaged or from another gazette"))?;
        let (gazette, inputs) = self.identity.split_once('\n').expect("two lines");
        let rest = rest
            .strip_prefix(gazette.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Damaged("is from another gazette"))?;
        // Parsed with another configuration or theme: nothing in it can be used.
        let rest = rest
            .strip_prefix(inputs.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Inputs)?;
        let head = bytes.len() - rest.len();
        if rest.len() < TRAILER || !bytes.ends_with(END) {
            return Err(damaged);
        }
        let trailer = &bytes[bytes.len() - TRAILER..];
        let number = |at: usize| u64::from_le_bytes(trailer[at..at + 8].try_into().expect("8"));
        let (at, len) = (number(0), number(8));
        let end = (bytes.len() - TRAILER) as u64;
        if at < head as u64 || at.checked_add(len) != Some(end) {
            return Err(damaged);
        }
        let index = &bytes[at as usize..end as usize];
        if blake3::hash(index).as_bytes() != &trailer[16..48] {
            return Err(damaged);
        }
        let index: Index = bincode::deserialize(index).map_err(|_| damaged)?;
        let within = |&(from, n, _): &(u64, u64, [u8; 32])| {
            from >= head as u64 && from.checked_add(n).is_some_and(|to| to <= at)
        };
        if !index.entries.iter().filter_map(|e| e.blob.as_ref()).all(within) {
            return Err(damaged);
        }
        let sound = index.entries.par_iter().filter_map(|e| e.blob).all(|(from, n, sum)| {
            blake3::hash(&bytes[from as usize..(from + n) as usize]).as_bytes() == &sum
        });
        if !sound {
            return Err(damaged);
        }
        self.racy_after_ns = index.started_ns - RACY.as_nanos() as i128;
        self.previous = index.entries.into_iter().map(|e| (e.path.clone(), e)).collect();
        self.len = bytes.len();
        self.bytes = bytes;
        Ok(())
    }

    /// The kept parse of the article at `rel`, if the file is the one recorded and
    /// changed well before that record was made: nothing need be read.
    pub(crate) fn by_stamp(&self, rel: &Path, stamp: Option<Stamp>) -> Option<Parsed> {
        let stamp = stamp?;
        let entry = self.previous.get(rel)?;
        if entry.stamp != Some(stamp) || stamp.ctime_ns >= self.racy_after_ns {
            return None;
        }
        self.reuse(rel, Some(stamp), entry)
    }

    /// The kept parse of the article at `rel`, if `text` is the text it was parsed from.
    pub(crate) fn by_text(&self, rel: &Path, stamp: Option<Stamp>, text: &str) -> Option<Parsed> {
        let entry = self.previous.get(rel)?;
        if *blake3::hash(text.as_bytes()).as_bytes() != entry.hash {
            return None;
        }
        self.reuse(rel, stamp, entry)
    }

    fn reuse(&self, rel: &Path, stamp: Option<Stamp>, entry: &Entry) -> Option<Parsed> {
        let (parsed, kept) = match entry.blob {
            None => (Parsed::Draft, Kept::Draft),
            Some((at, len, sum)) => {
                let range = at as usize..(at + len) as usize;
                let document: Document = bincode::deserialize(&self.bytes[range.clone()]).ok()?;
                (Parsed::Document(Box::new(document)), Kept::Old(range, sum))
            }
        };
        self.reused.fetch_add(1, Ordering::Relaxed);
        self.keep(rel, stamp, entry.hash, kept);
        Some(parsed)
    }

    /// Keeps what parsing the article at `rel` (whose text is `text`) produced, for the
    /// next build: `document`, or `None` for a draft. Call it before the document's body
    /// is parked (it is written as it is).
    pub(crate) fn record(
        &self,
        rel: &Path,
        stamp: Option<Stamp>,
        text: &str,
        document: Option<&Document>,
    ) {
        if self.read_only {
            return;
        }
        let hash = *blake3::hash(text.as_bytes()).as_bytes();
        let kept = match document {
            None => Kept::Draft,
            Some(document) => match bincode::serialize(document) {
                Ok(bytes) => Kept::New(bytes),
                Err(_) => return, // parsed again next time
            },
        };
        self.keep(rel, stamp, hash, kept);
    }

    fn keep(&self, rel: &Path, stamp: Option<Stamp>, hash: [u8; 32], kept: Kept) {
        if self.read_only {
            return;
        }
        let mut all = self.kept.lock().expect("no thread panics holding the lock");
        all.push((rel.to_owned(), stamp, hash, kept));
    }

    /// Lets go of the last cache file's bytes once every article is loaded (on a large
    /// site they are as large as its rendered bodies): saving reads again from the file
    /// what it needs of them, if it writes a new file.
    pub(crate) fn release(&mut self) {
        self.bytes = Vec::new();
    }

    /// How many articles were taken from the cache rather than parsed.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Writes what this build kept, for the next one: the new records, a new index and
    /// a trailer appended to the last cache file, or (when that holds more dead bytes
    /// than live records, or could not be used) a new file with only what is live. A
    /// failure is a notice, never a build failure: the next build parses every file.
    pub(crate) fn save(mut self) -> Option<String> {
        if self.read_only {
            return None;
        }
        let shown = self.shown();
        let mut kept = std::mem::take(self.kept.get_mut().expect("no thread panicked"));
        // Every file as the file on disk records it: writing it again would change
        // nothing the next build reads.
        let unchanged = !self.previous.is_empty()
            && kept.len() == self.previous.len()
            && kept.iter().all(|(path, stamp, hash, k)| {
                !matches!(k, Kept::New(_))
                    && self.previous.get(path).is_some_and(|e| e.stamp == *stamp && e.hash == *hash)
            });
        if unchanged {
            return None;
        }
        kept.sort_by(|a, b| a.0.cmp(&b.0));
        let head = format!("{HEADER}\n{}\n", self.identity);
        let size = |k: &Kept| match k {
            Kept::Draft => 0,
            Kept::Old(range, _) => range.len() as u64,
            Kept::New(bytes) => bytes.len() as u64,
        };
        let live: u64 = kept.iter().map(|(_, _, _, k)| size(k)).sum();
        let old_live: u64 =
            kept.iter().filter(|(_, _, _, k)| matches!(k, Kept::Old(..))).map(|f| size(&f.3)).sum();
        // What no index will point at: records of files changed or gone, old indexes.
        let dead = (self.len as u64).saturating_sub(head.len() as u64 + old_live);
        let append = self.len > 0 && dead <= live;
        let result = if append { self.append(&kept) } else { self.rewrite(&head, &kept) };
        result.err().map(|e| format!("{shown} cannot be written ({e})"))
    }

    /// Appends the new records of `kept`, an index of every file and a trailer to the
    /// last cache file (its records are where they were).
    fn append(&self, kept: &[KeptFile]) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let mut file = fs::OpenOptions::new().write(true).open(&self.path)?;
        let at = self.len as u64;
        // Whatever follows the trailer read (nothing, but for a build killed while
        // appending) is cut off first.
        file.set_len(at)?;
        file.seek(SeekFrom::Start(at))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut end = at;
        let mut entries = Vec::with_capacity(kept.len());
        for (path, stamp, hash, k) in kept {
            let blob = match k {
                Kept::Draft => None,
                Kept::Old(range, sum) => Some((range.start as u64, range.len() as u64, *sum)),
                Kept::New(bytes) => {
                    out.write_all(bytes)?;
                    let blob = (end, bytes.len() as u64, *blake3::hash(bytes).as_bytes());
                    end += bytes.len() as u64;
                    Some(blob)
                }
            };
            entries.push(Entry { path: path.clone(), stamp: *stamp, hash: *hash, blob });
        }
        self.finish(&mut out, end, entries)?;
        out.flush()
    }

    /// Writes a new cache file with the records of `kept` alone (those kept from the
    /// last file read from it again, if they were let go), then renames it over the
    /// last one.
    fn rewrite(&self, head: &str, kept: &[KeptFile]) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let last = match kept.iter().any(|(_, _, _, k)| matches!(k, Kept::Old(..))) {
            true if self.bytes.len() < self.len => Some(fs::File::open(&self.path)?),
            _ => None,
        };
        let mut record = Vec::new();
        let temporary = self.path.with_file_name(format!("{FILE}.{}.tmp", std::process::id()));
        let written = fs::File::create(&temporary).and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            out.write_all(head.as_bytes())?;
            let mut end = head.len() as u64;
            let mut entries = Vec::with_capacity(kept.len());
            for (path, stamp, hash, k) in kept {
                let blob = match k {
                    Kept::Draft => None,
                    Kept::Old(range, sum) => match &last {
                        None => Some((&self.bytes[range.clone()], *sum)),
                        Some(file) => {
                            record.resize(range.len(), 0);
                            file.read_exact_at(&mut record, range.start as u64)?;
                            if blake3::hash(&record).as_bytes() != sum {
                                return Err(std::io::Error::other("a record changed meanwhile"));
                            }
                            Some((record.as_slice(), *sum))
                        }
                    },
                    Kept::New(bytes) => Some((bytes.as_slice(), *blake3::hash(bytes).as_bytes())),
                };
                let blob = match blob {
                    None => None,
                    Some((bytes, sum)) => {
                        out.write_all(bytes)?;
                        end += bytes.len() as u64;
                        Some((end - bytes.len() as u64, bytes.len() as u64, sum))
                    }
                };
                entries.push(Entry { path: path.clone(), stamp: *stamp, hash: *hash, blob });
            }
            self.finish(&mut out, end, entries)?;
            out.flush()
        });
        match written.and_then(|()| fs::rename(&temporary, &self.path)) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = fs::remove_file(&temporary);
                Err(e)
            }
        }
    }

    /// Writes the index of `entries` at `at` (where `out` is), then the trailer.
    fn finish(&self, out: &mut impl Write, at: u64, entries: Vec<Entry>) -> std::io::Result<()> {
        let index = Index { started_ns: nanos(self.started), entries };
        let index = bincode::serialize(&index).map_err(std::io::Error::other)?;
        out.write_all(&index)?;
        out.write_all(&at.to_le_bytes())?;
        out.write_all(&(index.len() as u64).to_le_bytes())?;
        out.write_all(blake3::hash(&index).as_bytes())?;
        out.write_all(END)
    }

    fn shown(&self) -> String {
        format!("the parse cache `{}`", display_path(&self.path))
    }
}
