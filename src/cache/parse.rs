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
//! (records), each written once and never moved (a file written anew holds every
//! record's head in one run: see [`Blob`]), then an index of the files, which says
//! where each file's record is and its checksum, and the words the records' search terms
//! name by number (in number order: a record's numbers mean the same words as long as
//! the file lives, since words are only ever added), and last a trailer that says where
//! the index is and its checksum. A build that parsed a few files appends their records, a
//! new index and a new trailer, so it writes what changed and the index, not every
//! parse; once the records and indexes no index points at outweigh the live records, the
//! file is written anew with only these.
//!
//! Opening the file reads its head, trailer and index only: a record is read when its
//! file is found unchanged, and checked then. A record is the article's [`Document`]
//! without its body HTML, its search terms' list and the parts only its page and its
//! checks read (key points, questions, headings, links: [`parts`]), with the length and
//! checksum of each, followed by these, which are not read at all: the document points
//! into the file ([`Html::Shelved`], [`crate::spill::Lazy`]), and a piece is read, and
//! checked, when a page needs the body, the page or the checks a part, or the search
//! index merges the terms again. The file stays
//! open until the last such body is let go, so that a rewrite (a new file renamed over
//! it) or an append (past what was read) by this same build leaves it readable.
//!
//! Anything unreadable, truncated, damaged (a record or the index that does not match
//! its checksum) or from another gazette or configuration is set aside with one notice,
//! and every file is parsed: at once when the head or index is, after the first pass
//! over the articles when a record is, and by building again without the cache when a
//! body is (see [`Shelf::is_damaged`]).

use std::fs;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Cache;
use crate::error::display_path;
use crate::render::Vocabulary;
use crate::site::Document;
use crate::spill::{Html, Shelf, Shelvable, piece_sum};

/// The cache file, in the cache folder.
pub(crate) const FILE: &str = "parse-cache";
/// Its first line: the format.
const HEADER: &str = "gazette parse cache 6";
/// How many [`parts`] a document has.
const PARTS: usize = 4;
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

    /// [`Stamp::of`] the file at `rel` in the folder `dir`: one `fstatat` that walks only
    /// `rel`, never following a symbolic link at its end.
    #[cfg(unix)]
    pub(crate) fn in_folder(dir: &rustix::fd::OwnedFd, rel: &Path) -> Option<Stamp> {
        let st = super::regular_file_in(dir, rel)?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(Stamp {
            dev: st.st_dev,
            ino: st.st_ino,
            len: st.st_size as u64,
            mtime_ns: ns(st.st_mtime, st.st_mtime_nsec as i64),
            ctime_ns: ns(st.st_ctime, st.st_ctime_nsec as i64),
        })
    }

    #[cfg(not(unix))]
    pub(crate) fn in_folder(_: &rustix::fd::OwnedFd, _: &Path) -> Option<Stamp> {
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
    /// Where its record is in the cache file; `None` for a draft.
    blob: Option<Blob>,
}

/// Where a record is: its head (the [`Document`] without its pieces and parts, and the
/// length and checksum of each), and its pieces and parts one after the other. A record
/// appended has them together; a file written anew has every head in one run: first when
/// it is written from what the last file and this build kept, last when the build found
/// no file to use and wrote the pieces and parts as it parsed ([`Fresh`]). A build reads
/// every head and few of the rest, and reading them from a disk (the file no longer
/// cached in memory) is then one pass over the heads, not a visit to every record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Blob {
    at: u64,
    head: u64,
    /// Where the pieces and parts are.
    body_at: u64,
    body: u64,
    /// Of the head.
    sum: u64,
}

impl Blob {
    fn len(&self) -> u64 {
        self.head + self.body
    }
}

/// A record's head: the length and checksum of each piece (see [`pieces`]), and the
/// document with these pieces empty.
type Head = (Vec<(u32, u64)>, Document);

/// The pieces of a document a record keeps apart from its head, in their order: the
/// body's HTML, then the search terms' list, read only when the index merges the
/// article's block again (its hash, in the head, keys the blocks kept). The parts of
/// [`parts`] follow them.
fn pieces(document: &mut Document) -> impl Iterator<Item = &mut Html> {
    let body = &mut document.body;
    std::iter::once(&mut body.intro_html)
        .chain(body.sections.iter_mut().map(|s| &mut s.html))
        .chain(document.terms.as_mut().map(|t| &mut t.list))
}

/// The parts of a document a record keeps apart from its head after its [`pieces`], in
/// their order: what only the article's own page and the checks read (see
/// [`crate::spill::Lazy`]).
fn parts(document: &mut Document) -> [&mut dyn Shelvable; 4] {
    let body = &mut document.body;
    [&mut document.key_points, &mut document.faq, &mut body.toc, &mut body.links]
}

/// The index, at the end of the cache file (before the trailer).
#[derive(Debug, Serialize, Deserialize)]
struct Index {
    /// When the build that wrote it started, in nanoseconds since the epoch.
    started_ns: i128,
    entries: Vec<Entry>,
    /// The words the records' search terms number, in number order (see [`Vocabulary`]).
    words: Vec<String>,
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

/// A file's parse for the next cache: a draft, the previous file's record, a new one
/// (its head, its body HTML), or a new one whose body is already in the file written
/// anew ([`Fresh`]: its head, where its body is and the body's length).
enum Kept {
    Draft,
    Old(Blob),
    New(Vec<u8>, Vec<u8>),
    Written(Vec<u8>, u64, u64),
}

impl Kept {
    fn size(&self) -> u64 {
        match self {
            Kept::Draft => 0,
            Kept::Old(blob) => blob.len(),
            Kept::New(head, body) => (head.len() + body.len()) as u64,
            Kept::Written(head, _, body) => head.len() as u64 + body,
        }
    }
}

/// The cache file written anew by a build that found none it could use (a first build,
/// or after any cache problem): each new record's body goes into it as soon as the
/// article is parsed, rather than being held in memory until the save (about twice the
/// articles' own size: 2 GB at 100,000), and the save adds every head in one run after
/// them, then the index and the trailer, and renames it into place. Removed unless saved.
struct Fresh {
    file: fs::File,
    temporary: PathBuf,
    /// Where the next body goes.
    end: AtomicU64,
    saved: bool,
}

impl Fresh {
    /// A new temporary file beside `path`, its head (`head`) written. (What builds
    /// killed while they wrote one left there is removed when a build opens the cache:
    /// [`Cache::sweep_temporaries`].)
    fn create(path: &Path, head: &str) -> std::io::Result<Fresh> {
        let temporary = super::temporary_for(path);
        let file = fs::File::options().read(true).write(true).create_new(true).open(&temporary)?;
        let fresh = Fresh { file, temporary, end: AtomicU64::new(0), saved: false };
        fresh.file.write_all_at(head.as_bytes(), 0)?;
        fresh.end.store(head.len() as u64, Ordering::Relaxed);
        Ok(fresh)
    }

    /// Writes `body` at the file's end, from any thread; where it went.
    fn put(&self, body: &[u8]) -> std::io::Result<u64> {
        let at = self.end.fetch_add(body.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(body, at)?;
        Ok(at)
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if !self.saved {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// A file this build keeps: its path, stamp, text hash and parse.
type KeptFile = (PathBuf, Option<Stamp>, [u8; 32], Kept);

/// The parse cache of one build: what the last build kept, and what this one keeps.
pub(crate) struct ParseCache {
    path: PathBuf,
    identity: String,
    /// [`ParseCache::digest`]'s hash with the identity already in it (cloned per article).
    digest_base: blake3::Hasher,
    started: SystemTime,
    /// The last cache file, open, if it could be used: records are read from it as
    /// they are used, and bodies point into it.
    shelf: Option<Arc<Shelf>>,
    /// The length of the last cache file, if it could be used (0 if not).
    len: u64,
    previous: FxHashMap<PathBuf, Entry>,
    /// A record read from the last cache file did not match its checksum.
    damaged: AtomicBool,
    /// Files changed after this instant (nanoseconds) are hashed again.
    racy_after_ns: i128,
    kept: Mutex<Vec<KeptFile>>,
    reused: AtomicUsize,
    /// How many files were known by their stamps alone, their text not read.
    trusted: AtomicUsize,
    /// A file was read again only because it changed just before the build that
    /// recorded it, and well before this one: a new index, written with this build's
    /// start, lets the next build trust its stamp rather than read it again every time.
    settled: AtomicBool,
    /// Only read (`check`): nothing is kept, nothing saved.
    read_only: bool,
    /// Numbers the words of the search terms of the records read, and of this build's.
    vocabulary: Arc<Vocabulary>,
    /// How many of its words are saved (see [`ParseCache::keep_words`]); all, if `None`.
    words_kept: Option<usize>,
    /// The file written anew, when there was no last file to use.
    fresh: Option<Fresh>,
}

/// The notice of a build made again without the parse cache in `cache_dir`, after a
/// body taken from it did not match its checksum.
pub(crate) fn damaged_notice(cache_dir: &Path) -> String {
    let path = cache_dir.join(FILE);
    format!("the parse cache `{}` is damaged; parsing every article", display_path(&path))
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
    hasher.update(config.cache_key().as_bytes()).update(&[0]);
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
    /// What a document parsed from the file at `rel` whose text hashes as `text` is a
    /// function of: the hash of this cache's identity (this gazette, the configuration,
    /// the templates, whether drafts are built), the path and the text's hash, as for
    /// reusing its parse. Only for a parse that read no image file ([`Document::digest`]).
    pub(crate) fn digest(&self, rel: &Path, text: &[u8; 32]) -> [u8; 32] {
        let mut hasher = self.digest_base.clone();
        let path = rel.as_os_str().as_encoded_bytes();
        hasher.update(&(path.len() as u64).to_le_bytes()).update(path);
        hasher.update(text);
        *hasher.finalize().as_bytes()
    }

    /// The hash of an article's text, as the cache keeps it.
    pub(crate) fn text_hash(text: &str) -> [u8; 32] {
        *blake3::hash(text.as_bytes()).as_bytes()
    }

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
        let mut digest_base = blake3::Hasher::new();
        digest_base.update(b"gazette document\n");
        digest_base.update(&(identity.len() as u64).to_le_bytes()).update(identity.as_bytes());
        let mut parse_cache = ParseCache {
            path,
            identity,
            digest_base,
            started: SystemTime::now(),
            shelf: None,
            len: 0,
            previous: FxHashMap::default(),
            damaged: AtomicBool::new(false),
            racy_after_ns: i128::MIN,
            kept: Mutex::new(Vec::new()),
            reused: AtomicUsize::new(0),
            trusted: AtomicUsize::new(0),
            settled: AtomicBool::new(false),
            read_only,
            vocabulary: Vocabulary::new(),
            words_kept: None,
            fresh: None,
        };
        let notice = match fs::File::open(&parse_cache.path) {
            Ok(file) => match parse_cache.read(file) {
                Ok(()) | Err(Unusable::Inputs) => None,
                Err(Unusable::Damaged(why)) => {
                    Some(parse_cache.notice(&format!("{why}; parsing every article")))
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                let why = format!("cannot be read ({e}); parsing every article");
                Some(parse_cache.notice(&why))
            }
        };
        parse_cache.start_fresh();
        (parse_cache, notice)
    }

    /// Writes the new records into a file of their own as they come ([`Fresh`]) when
    /// there is no last file to append them to. Without one (it cannot be created), they
    /// are held until the save, as for an append.
    fn start_fresh(&mut self) {
        self.fresh = None;
        if self.read_only || self.len > 0 {
            return;
        }
        let head = format!("{HEADER}\n{}\n", self.identity);
        self.fresh = Fresh::create(&self.path, &head).ok();
    }

    fn notice(&self, why: &str) -> String {
        format!("the parse cache `{}` {why}", display_path(&self.path))
    }

    /// Reads a cache file's head, identity, trailer and index; the records stay where
    /// they are, to be read (and checked) when used.
    fn read(&mut self, file: fs::File) -> std::result::Result<(), Unusable> {
        let damaged = Unusable::Damaged("is damaged");
        let unreadable = |_| Unusable::Damaged("cannot be read");
        let size = file.metadata().map_err(unreadable)?.len();
        let expected = HEADER.len() + 1 + self.identity.len() + 1;
        let mut head = vec![0; expected.min(size as usize)];
        file.read_exact_at(&mut head, 0).map_err(unreadable)?;
        let rest = head
            .strip_prefix(HEADER.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Damaged("is damaged or from another gazette"))?;
        let (gazette, inputs) = self.identity.split_once('\n').expect("two lines");
        let rest = rest
            .strip_prefix(gazette.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Damaged("is from another gazette"))?;
        // Parsed with another configuration or theme: nothing in it can be used.
        rest.strip_prefix(inputs.as_bytes())
            .and_then(|r| r.strip_prefix(b"\n"))
            .ok_or(Unusable::Inputs)?;
        let head = expected as u64;
        if size < head + TRAILER as u64 {
            return Err(damaged);
        }
        let mut trailer = [0; TRAILER];
        file.read_exact_at(&mut trailer, size - TRAILER as u64).map_err(unreadable)?;
        if !trailer.ends_with(END) {
            return Err(damaged);
        }
        let number = |at: usize| u64::from_le_bytes(trailer[at..at + 8].try_into().expect("8"));
        let (at, len) = (number(0), number(8));
        let end = size - TRAILER as u64;
        if at < head || at.checked_add(len) != Some(end) {
            return Err(damaged);
        }
        let mut index = vec![0; len as usize];
        file.read_exact_at(&mut index, at).map_err(unreadable)?;
        if blake3::hash(&index).as_bytes() != &trailer[16..48] {
            return Err(damaged);
        }
        let index: Index = bincode::deserialize(&index).map_err(|_| damaged)?;
        let vocabulary = Vocabulary::from_words(index.words).ok_or(damaged)?;
        let within = |blob: &Blob| {
            blob.at >= head
                && blob.body_at >= head
                && blob.at.checked_add(blob.head).is_some_and(|to| to <= at)
                && blob.body_at.checked_add(blob.body).is_some_and(|to| to <= at)
        };
        if !index.entries.iter().filter_map(|e| e.blob.as_ref()).all(within) {
            return Err(damaged);
        }
        self.racy_after_ns = index.started_ns - RACY.as_nanos() as i128;
        self.previous = index.entries.into_iter().map(|e| (e.path.clone(), e)).collect();
        self.len = size;
        self.shelf = Some(Shelf::new(file));
        self.vocabulary = vocabulary;
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
        let parsed = self.reuse(rel, Some(stamp), entry)?;
        self.trusted.fetch_add(1, Ordering::Relaxed);
        Some(parsed)
    }

    /// The kept parse of the article at `rel`, if `text` is the text it was parsed from.
    pub(crate) fn by_text(&self, rel: &Path, stamp: Option<Stamp>, text: &str) -> Option<Parsed> {
        let entry = self.previous.get(rel)?;
        if *blake3::hash(text.as_bytes()).as_bytes() != entry.hash {
            return None;
        }
        let parsed = self.reuse(rel, stamp, entry)?;
        // Unchanged, but read: its stamp was too recent to be trusted when it was
        // recorded. Recorded again by this build, whose start is long enough after it,
        // the next build trusts it. (A stamp that changed is saved anyway.)
        if let Some(stamp) = stamp.filter(|s| entry.stamp == Some(*s))
            && stamp.ctime_ns < nanos(self.started) - RACY.as_nanos() as i128
        {
            self.settled.store(true, Ordering::Relaxed);
        }
        Some(parsed)
    }

    fn reuse(&self, rel: &Path, stamp: Option<Stamp>, entry: &Entry) -> Option<Parsed> {
        let (parsed, kept) = match entry.blob {
            None => (Parsed::Draft, Kept::Draft),
            Some(blob) => match self.document(blob) {
                Some(mut document) => {
                    document.digest = Some(self.digest(rel, &entry.hash));
                    (Parsed::Document(Box::new(document)), Kept::Old(blob))
                }
                None => {
                    self.damaged.store(true, Ordering::Relaxed);
                    return None;
                }
            },
        };
        self.reused.fetch_add(1, Ordering::Relaxed);
        self.keep(rel, stamp, entry.hash, kept);
        Some(parsed)
    }

    /// The document of the record at `blob`, its body left in the file; `None` if the
    /// record cannot be read or does not match its checksum.
    fn document(&self, blob: Blob) -> Option<Document> {
        let shelf = self.shelf.as_ref()?;
        let mut head = vec![0; usize::try_from(blob.head).ok()?];
        shelf.file().read_exact_at(&mut head, blob.at).ok()?;
        if piece_sum(&head) != blob.sum {
            return None;
        }
        let (lengths, mut document): Head = bincode::deserialize(&head).ok()?;
        if let Some(terms) = &mut document.terms {
            terms.vocabulary = Some(self.vocabulary.clone());
        }
        let total: u64 = lengths.iter().map(|&(len, _)| u64::from(len)).sum();
        let slots: Vec<&mut Html> = pieces(&mut document).collect();
        let count = slots.len();
        if count + PARTS != lengths.len() || total != blob.body {
            return None;
        }
        let mut offset = blob.body_at;
        for (slot, &(len, sum)) in slots.into_iter().zip(&lengths) {
            if len > 0 {
                *slot = Html::Shelved { shelf: shelf.clone(), offset, len, sum };
            }
            offset += u64::from(len);
        }
        for (part, &(len, sum)) in parts(&mut document).into_iter().zip(&lengths[count..]) {
            part.shelve(shelf, offset, len, sum);
            offset += u64::from(len);
        }
        Some(document)
    }

    /// The last cache file, if it could be used: the documents taken from it read their
    /// bodies and parts there, and it knows whether one of these was damaged.
    pub(crate) fn shelf(&self) -> Option<Arc<Shelf>> {
        self.shelf.clone()
    }

    /// Whether a record read from the last cache file was damaged: what was taken from
    /// it may be wrong, and every file is to be parsed again ([`ParseCache::forget`]).
    pub(crate) fn is_damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }

    /// Sets the last cache file aside after a damaged record: nothing more is taken from
    /// it, and the next save writes a new file. Returns the notice that says so.
    pub(crate) fn forget(&mut self) -> String {
        self.previous.clear();
        self.kept.get_mut().expect("no thread panicked").clear();
        self.reused.store(0, Ordering::Relaxed);
        self.trusted.store(0, Ordering::Relaxed);
        self.settled.store(false, Ordering::Relaxed);
        self.damaged.store(false, Ordering::Relaxed);
        self.shelf = None;
        self.len = 0;
        self.start_fresh();
        self.notice("is damaged; parsing every article")
    }

    /// Keeps what parsing the article at `rel` (whose text is `text`) produced, for the
    /// next build: `document`, or `None` for a draft. Call it before the document's body
    /// is parked (its HTML is read as it is; the document is the same afterwards).
    pub(crate) fn record(
        &self,
        rel: &Path,
        stamp: Option<Stamp>,
        text: &str,
        document: Option<&mut Document>,
    ) {
        self.record_hashed(rel, stamp, ParseCache::text_hash(text), document);
    }

    /// [`ParseCache::record`] of a text whose hash is `hash`.
    pub(crate) fn record_hashed(
        &self,
        rel: &Path,
        stamp: Option<Stamp>,
        hash: [u8; 32],
        document: Option<&mut Document>,
    ) {
        if self.read_only {
            return;
        }
        let Some(document) = document else {
            return self.keep(rel, stamp, hash, Kept::Draft);
        };
        thread_local! {
            /// The record's body, made in a buffer each thread reuses when the body goes
            /// into the file written anew ([`Fresh`]) at once.
            static BODY: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let kept = BODY.with_borrow_mut(|body| {
            body.clear();
            let kept = record_of(document, body).map(|head| {
                match self.fresh.as_ref().map(|fresh| fresh.put(body)) {
                    Some(Ok(at)) => Kept::Written(head, at, body.len() as u64),
                    // Held until the save, which writes it after the heads (or appends it).
                    _ => Kept::New(head, std::mem::take(body)),
                }
            });
            if body.capacity() > 1 << 20 {
                *body = Vec::new();
            }
            kept
        });
        // A record that cannot be made: the file is parsed again next time.
        let Some(kept) = kept else { return };
        self.keep(rel, stamp, hash, kept);
    }

    fn keep(&self, rel: &Path, stamp: Option<Stamp>, hash: [u8; 32], kept: Kept) {
        if self.read_only {
            return;
        }
        let mut all = self.kept.lock().expect("no thread panics holding the lock");
        all.push((rel.to_owned(), stamp, hash, kept));
    }

    /// The cache file [`ParseCache::save`] writes, `None` if it only reads. A build
    /// removes it after a body taken from it did not match its checksum
    /// ([`crate::spill::Shelf::is_damaged`]), so that the next build parses every file.
    pub(crate) fn file(&self) -> Option<&Path> {
        (!self.read_only).then_some(&*self.path)
    }

    /// What numbers the words of the search terms this cache keeps: a build counts the
    /// terms of the files it parses with it.
    pub(crate) fn vocabulary(&self) -> Arc<Vocabulary> {
        self.vocabulary.clone()
    }

    /// Saves only the words numbered so far: those the records kept name, and those of
    /// the category and tag names (`number_topic_words`). The index may number more
    /// while a build saves this cache beside its pages; without this, which of them the
    /// file holds would depend on timing.
    pub(crate) fn keep_words(&mut self) {
        self.words_kept = Some(self.vocabulary.len());
    }

    /// How many articles were taken from the cache rather than parsed.
    pub(crate) fn reused(&self) -> usize {
        self.reused.load(Ordering::Relaxed)
    }

    /// How many of them were known by their files' stamps, their text not read.
    pub(crate) fn trusted(&self) -> usize {
        self.trusted.load(Ordering::Relaxed)
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
        // nothing the next build reads (but for files it reads again only for their
        // recent stamps, see `settled`).
        let unchanged = !self.settled.load(Ordering::Relaxed)
            && !self.previous.is_empty()
            && kept.len() == self.previous.len()
            && kept.iter().all(|(path, stamp, hash, k)| {
                !matches!(k, Kept::New(..) | Kept::Written(..))
                    && self.previous.get(path).is_some_and(|e| e.stamp == *stamp && e.hash == *hash)
            });
        if unchanged {
            return None;
        }
        // By the bytes of the path: `Path`'s order parses both paths into components at
        // every comparison, a fifth of a second of a thread at 100,000 articles. Any
        // order reads back the same; this one keeps the file the same for the same files.
        kept.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
        let head = format!("{HEADER}\n{}\n", self.identity);
        let live: u64 = kept.iter().map(|(_, _, _, k)| k.size()).sum();
        let old_live: u64 =
            kept.iter().filter(|(_, _, _, k)| matches!(k, Kept::Old(..))).map(|f| f.3.size()).sum();
        // What no index will point at: records of files changed or gone, old indexes.
        let dead = self.len.saturating_sub(head.len() as u64 + old_live);
        let append = self.len > 0 && dead <= live;
        let result = match self.fresh.take() {
            Some(mut fresh) => self.finish_fresh(&mut fresh, &kept),
            None if append => self.append(&kept),
            None => self.rewrite(&head, &kept),
        };
        result.err().map(|e| format!("{shown} cannot be written ({e})"))
    }

    /// Appends the new records of `kept`, an index of every file and a trailer to the
    /// last cache file (its records are where they were).
    fn append(&self, kept: &[KeptFile]) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let mut file = fs::OpenOptions::new().write(true).open(&self.path)?;
        let at = self.len;
        // Whatever follows the trailer read (nothing, but for a build killed while
        // appending) is cut off first.
        file.set_len(at)?;
        file.seek(SeekFrom::Start(at))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        self.write_records(&mut out, at, kept, false)?;
        out.flush()
    }

    /// Writes what the file `out` writes into (from `end`, where `out` is) lacks of the
    /// records of `kept`, then the index and the trailer: a new record's head and body;
    /// the head alone of one whose body is in the file already (`fresh`: a file written
    /// anew, [`Fresh`]); nothing of a record of the last file (an append: it stays where
    /// it is). A record of the other kind is an error: it points into another file.
    fn write_records(
        &self,
        out: &mut impl Write,
        mut end: u64,
        kept: &[KeptFile],
        fresh: bool,
    ) -> std::io::Result<()> {
        let mut entries = Vec::with_capacity(kept.len());
        for (path, stamp, hash, k) in kept {
            let blob = match k {
                Kept::Draft => None,
                Kept::Old(blob) if !fresh => Some(*blob),
                Kept::Written(head, body_at, body) if fresh => {
                    out.write_all(head)?;
                    let (at, head, sum) = (end, head.len() as u64, piece_sum(head));
                    end += head;
                    Some(Blob { at, head, body_at: *body_at, body: *body, sum })
                }
                Kept::New(head, body) => {
                    out.write_all(head)?;
                    out.write_all(body)?;
                    let blob = new_blob(end, head, body);
                    end += blob.len();
                    Some(blob)
                }
                Kept::Old(_) | Kept::Written(..) => return Err(another_file()),
            };
            entries.push(Entry { path: path.clone(), stamp: *stamp, hash: *hash, blob });
        }
        self.finish(out, end, entries)
    }

    /// Finishes the file written anew ([`Fresh`]): after the bodies written as the
    /// articles were parsed, every head in one run (the records held in memory with
    /// theirs), then the index and the trailer; then renames it over the last file.
    fn finish_fresh(&self, fresh: &mut Fresh, kept: &[KeptFile]) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let end = fresh.end.load(Ordering::Relaxed);
        let mut file = &fresh.file;
        file.seek(SeekFrom::Start(end))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        self.write_records(&mut out, end, kept, true)?;
        out.flush()?;
        drop(out);
        fs::rename(&fresh.temporary, &self.path)?;
        fresh.saved = true;
        Ok(())
    }

    /// Writes a new cache file with the records of `kept` alone (those kept from the
    /// last file read from it again, and checked), then renames it over the last one.
    /// The last file stays open: what this build took from it stays readable.
    fn rewrite(&self, head: &str, kept: &[KeptFile]) -> std::io::Result<()> {
        let mut record = Vec::new();
        let temporary = super::temporary_for(&self.path);
        let written = fs::File::create(&temporary).and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            out.write_all(head.as_bytes())?;
            let mut end = head.len() as u64;
            let last = || {
                let last = self.shelf.as_ref();
                last.ok_or_else(|| std::io::Error::other("a record of a cache file not read"))
            };
            // Every head first, in one run (see `Blob`), then the pieces and parts.
            let mut blobs = Vec::with_capacity(kept.len());
            for (_, _, _, k) in kept {
                let blob = match k {
                    Kept::Draft => None,
                    Kept::Old(blob) => {
                        record.resize(blob.head as usize, 0);
                        last()?.file().read_exact_at(&mut record, blob.at)?;
                        if piece_sum(&record) != blob.sum {
                            return Err(std::io::Error::other("a record changed meanwhile"));
                        }
                        out.write_all(&record)?;
                        Some(Blob { at: end, ..*blob })
                    }
                    Kept::New(head, body) => {
                        out.write_all(head)?;
                        Some(new_blob(end, head, body))
                    }
                    Kept::Written(..) => return Err(another_file()),
                };
                end += blob.map_or(0, |b| b.head);
                blobs.push(blob);
            }
            let mut entries = Vec::with_capacity(kept.len());
            for ((path, stamp, hash, k), mut blob) in kept.iter().zip(blobs) {
                match (k, &mut blob) {
                    (Kept::Old(old), Some(blob)) => {
                        // Checked when read, piece by piece.
                        record.resize(old.body as usize, 0);
                        last()?.file().read_exact_at(&mut record, old.body_at)?;
                        out.write_all(&record)?;
                        blob.body_at = end;
                    }
                    (Kept::New(_, body), Some(blob)) => {
                        out.write_all(body)?;
                        blob.body_at = end;
                    }
                    _ => {}
                }
                end += blob.map_or(0, |b| b.body);
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
        let mut words = self.vocabulary.words();
        words.truncate(self.words_kept.unwrap_or(words.len()));
        let words = words.iter().map(|w| w.to_string()).collect();
        let index = Index { started_ns: nanos(self.started), entries, words };
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

/// The error of a record that points into another cache file than the one being
/// written: it cannot happen, since a build that read a last file appends to it or
/// rewrites it, and one that wrote a file anew ([`Fresh`]) read none.
fn another_file() -> std::io::Error {
    std::io::Error::other("a record of another cache file")
}

/// The record of `document`: its head, returned, and its body HTML (see [`Blob`]),
/// appended to `body`; `None` if it cannot be written (a piece that cannot be read back,
/// or over 4 GB).
fn record_of(document: &mut Document, body: &mut Vec<u8>) -> Option<Vec<u8>> {
    let part_bytes: Option<Vec<Vec<u8>>> = parts(document).iter().map(|p| p.bytes()).collect();
    // The pieces and parts are taken out while the rest is written, and put back
    // whatever happens.
    let taken: Vec<Html> = pieces(document).map(std::mem::take).collect();
    let taken_parts: Vec<_> = parts(document).into_iter().map(|p| p.take_out()).collect();
    let record = (|| {
        let part_bytes = part_bytes?;
        // Sized at once: a build that parses every article holds every record until it
        // saves.
        let size = taken.iter().map(Html::len).sum::<usize>()
            + part_bytes.iter().map(Vec::len).sum::<usize>();
        body.reserve(size);
        let mut lengths = Vec::with_capacity(taken.len() + PARTS);
        for html in &taken {
            let text = html.text().ok()?;
            lengths.push((u32::try_from(text.len()).ok()?, piece_sum(text.as_bytes())));
            body.extend_from_slice(text.as_bytes());
        }
        for bytes in &part_bytes {
            lengths.push((u32::try_from(bytes.len()).ok()?, piece_sum(bytes)));
            body.extend_from_slice(bytes);
        }
        bincode::serialize(&(&lengths, &*document)).ok()
    })();
    for (slot, html) in pieces(document).zip(taken) {
        *slot = html;
    }
    for (part, taken) in parts(document).into_iter().zip(taken_parts) {
        part.put_back(taken);
    }
    record
}

/// The blob of a record whose head is at `at`, followed by its body.
fn new_blob(at: u64, head: &[u8], body: &[u8]) -> Blob {
    let sum = piece_sum(head);
    let (head, body) = (head.len() as u64, body.len() as u64);
    Blob { at, head, body_at: at + head, body, sum }
}

#[cfg(test)]
mod tests;
