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
//! build cache's lock is held. It starts with a header and the identity, then a checksum
//! of the rest: anything unreadable, truncated, damaged or from another gazette or
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
const HEADER: &str = "gazette parse cache 1";
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
    /// Where its [`Document`] is in the blobs; `None` for a draft.
    blob: Option<(u64, u64)>,
}

/// What the cache file holds after its checksum.
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

/// A file's parse for the next cache: a draft, the previous file's blob, or a new one.
enum Kept {
    Draft,
    Old(Range<usize>),
    New(Vec<u8>),
}

/// A file this build keeps: its path, stamp, text hash and parse.
type KeptFile = (PathBuf, Option<Stamp>, [u8; 32], Kept);

/// The parse cache of one build: what the last build kept, and what this one keeps.
pub(crate) struct ParseCache {
    path: PathBuf,
    identity: String,
    started: SystemTime,
    /// The last cache file's bytes (its blobs are reused as they are).
    bytes: Vec<u8>,
    /// Where the blobs start in `bytes`.
    blobs: usize,
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
            blobs: 0,
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

    /// Reads a cache file: header, identity, checksum, index; the blobs stay as bytes.
    fn read(&mut self, bytes: Vec<u8>) -> std::result::Result<(), Unusable> {
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
        if rest.len() < 40 {
            return Err(damaged);
        }
        let (sum, body) = rest.split_at(32);
        if blake3::hash(body).as_bytes() != sum {
            return Err(damaged);
        }
        let (len, body) = body.split_at(8);
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
        if len > body.len() {
            return Err(damaged);
        }
        let index: Index = bincode::deserialize(&body[..len]).map_err(|_| damaged)?;
        let blobs = bytes.len() - body.len() + len;
        let size = bytes.len() - blobs;
        if index.entries.iter().any(|e| e.blob.is_some_and(|(at, n)| at + n > size as u64)) {
            return Err(damaged);
        }
        self.racy_after_ns = index.started_ns - RACY.as_nanos() as i128;
        self.previous = index.entries.into_iter().map(|e| (e.path.clone(), e)).collect();
        self.blobs = blobs;
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
            Some((at, len)) => {
                let range = self.blobs + at as usize..self.blobs + (at + len) as usize;
                let document: Document = bincode::deserialize(&self.bytes[range.clone()]).ok()?;
                (Parsed::Document(Box::new(document)), Kept::Old(range))
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

    /// How many articles were taken from the cache rather than parsed.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// Writes what this build kept, for the next one. A failure is a notice, never a
    /// build failure: the next build parses every file.
    pub(crate) fn save(mut self) -> Option<String> {
        if self.read_only {
            return None;
        }
        let shown = self.shown();
        let mut kept = std::mem::take(self.kept.get_mut().expect("no thread panicked"));
        // Every file as the file on disk records it: writing it again (its size is that
        // of the site's rendered bodies) would change nothing the next build reads.
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
        let mut entries = Vec::with_capacity(kept.len());
        let mut blob_len = 0u64;
        let bytes = &self.bytes;
        fn blob<'a>(bytes: &'a [u8], kept: &'a Kept) -> Option<&'a [u8]> {
            match kept {
                Kept::Draft => None,
                Kept::Old(range) => Some(&bytes[range.clone()]),
                Kept::New(new) => Some(new.as_slice()),
            }
        }
        let blob = |kept| blob(bytes, kept);
        for (path, stamp, hash, k) in &kept {
            let at = blob(k).map(|b| {
                let at = (blob_len, b.len() as u64);
                blob_len += b.len() as u64;
                at
            });
            entries.push(Entry { path: path.clone(), stamp: *stamp, hash: *hash, blob: at });
        }
        let index = Index { started_ns: nanos(self.started), entries };
        let index = match bincode::serialize(&index) {
            Ok(index) => index,
            Err(e) => return Some(format!("{shown} cannot be written ({e})")),
        };
        let mut hasher = blake3::Hasher::new();
        hasher.update(&(index.len() as u64).to_le_bytes()).update(&index);
        for (_, _, _, k) in &kept {
            if let Some(b) = blob(k) {
                hasher.update(b);
            }
        }
        let temporary = self.path.with_file_name(format!("{FILE}.{}.tmp", std::process::id()));
        let written = fs::File::create(&temporary).and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            out.write_all(HEADER.as_bytes())?;
            out.write_all(b"\n")?;
            out.write_all(self.identity.as_bytes())?;
            out.write_all(b"\n")?;
            out.write_all(hasher.finalize().as_bytes())?;
            out.write_all(&(index.len() as u64).to_le_bytes())?;
            out.write_all(&index)?;
            for (_, _, _, k) in &kept {
                if let Some(b) = blob(k) {
                    out.write_all(b)?;
                }
            }
            out.flush()
        });
        match written.and_then(|()| fs::rename(&temporary, &self.path)) {
            Ok(()) => None,
            Err(e) => {
                let _ = fs::remove_file(&temporary);
                Some(format!("{shown} cannot be written ({e})"))
            }
        }
    }

    fn shown(&self) -> String {
        format!("the parse cache `{}`", display_path(&self.path))
    }
}
