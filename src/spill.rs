//! Article HTML parked on disk between parsing and rendering.
//!
//! A build must parse every article before it can render any page ("See also" needs
//! them all), so every body would otherwise sit in memory at once: about a gigabyte at
//! 100,000 articles. The first bodies stay in memory, up to a budget (the bodies of a
//! site of 10,000 articles fit); the rest are written to an unlinked temporary file and
//! read back when their page is rendered, and the operating system keeps what it can
//! cached. The bodies of articles taken from the parse cache are not parked again: they
//! are read from where that cache keeps them ([`Shelf`], issue 15).

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How much HTML stays in memory before the rest is parked on disk.
pub(crate) const MEMORY_BUDGET: u64 = 128 << 20;

/// An append-only store of text, removed by the operating system when the last handle
/// closes (even if the process is killed).
pub struct Spill {
    file: File,
    /// Where the next text goes.
    end: AtomicU64,
    /// Bytes that may stay in memory, and bytes kept so far.
    budget: u64,
    held: AtomicU64,
}

impl Spill {
    /// A new store in `dir` (which should be on the disk the site is built on).
    pub fn new_in(dir: &Path) -> io::Result<Arc<Spill>> {
        Self::with_budget(dir, MEMORY_BUDGET)
    }

    /// A new store that keeps up to `budget` bytes in memory.
    pub fn with_budget(dir: &Path, budget: u64) -> io::Result<Arc<Spill>> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(Arc::new(Spill { file, end: AtomicU64::new(0), budget, held: AtomicU64::new(0) }))
    }

    /// Parks `text` in the store, whatever the budget. Threads may store at the same time.
    #[cfg(unix)]
    pub fn store(self: &Arc<Self>, text: &str) -> io::Result<Html> {
        let mut html = Html::from(text.to_owned());
        self.write(&mut [&mut html])?;
        Ok(html)
    }

    /// Without positioned writes the text stays in memory.
    #[cfg(not(unix))]
    pub fn store(self: &Arc<Self>, text: &str) -> io::Result<Html> {
        Ok(Html::Memory(Box::from(text)))
    }

    /// Keeps `pieces` (the parts of one body) in memory while the budget lasts, and
    /// otherwise parks them together, in one write.
    pub fn park(self: &Arc<Self>, pieces: &mut [&mut Html]) -> io::Result<()> {
        let total: u64 = pieces.iter().filter(|p| p.in_memory()).map(|p| p.len() as u64).sum();
        if total == 0 {
            return Ok(());
        }
        let held = self.held.fetch_add(total, Ordering::Relaxed) + total;
        if held <= self.budget || cfg!(not(unix)) {
            return Ok(());
        }
        self.held.fetch_sub(total, Ordering::Relaxed);
        self.write(pieces)
    }

    #[cfg(unix)]
    fn write(self: &Arc<Self>, pieces: &mut [&mut Html]) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let mut joined = String::new();
        let mut spans = Vec::with_capacity(pieces.len());
        for piece in pieces.iter() {
            match piece {
                Html::Memory(text) if !text.is_empty() => {
                    let len = u32::try_from(text.len())
                        .map_err(|_| io::Error::other("text over 4 GB"))?;
                    spans.push(Some((joined.len() as u64, len)));
                    joined.push_str(text);
                }
                _ => spans.push(None),
            }
        }
        let offset = self.end.fetch_add(joined.len() as u64, Ordering::Relaxed);
        self.file.write_all_at(joined.as_bytes(), offset)?;
        for (piece, span) in pieces.iter_mut().zip(spans) {
            if let Some((start, len)) = span {
                **piece = Html::Spilled { spill: self.clone(), offset: offset + start, len };
            }
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn write(self: &Arc<Self>, _pieces: &mut [&mut Html]) -> io::Result<()> {
        Ok(())
    }

    #[cfg(unix)]
    fn read(&self, offset: u64, len: u32) -> io::Result<String> {
        use std::os::unix::fs::FileExt;
        let mut bytes = vec![0; len as usize];
        self.file.read_exact_at(&mut bytes, offset)?;
        String::from_utf8(bytes)
            .map_err(|_| io::Error::other("the body store returned broken text"))
    }

    #[cfg(not(unix))]
    fn read(&self, _offset: u64, _len: u32) -> io::Result<String> {
        unreachable!("nothing is spilled without positioned writes")
    }
}

/// A file that holds article HTML written by an earlier build (the parse cache's, issue
/// 15), read in place. The file stays open as long as any piece points into it, so what
/// it held stays readable whatever becomes of its name: the cache is rewritten as a new
/// file renamed over it, and appended to without moving what it held.
pub struct Shelf {
    file: File,
    /// A piece read from it did not match its checksum.
    damaged: AtomicBool,
}

impl Shelf {
    pub fn new(file: File) -> Arc<Shelf> {
        Arc::new(Shelf { file, damaged: AtomicBool::new(false) })
    }

    /// The file, for reading what else it holds.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Whether a piece read from it did not match its checksum: whatever was made from
    /// the file may be wrong, and the build is made again without it.
    pub fn is_damaged(&self) -> bool {
        self.damaged.load(Ordering::Relaxed)
    }

    fn read(&self, offset: u64, len: u32, sum: u64) -> io::Result<String> {
        let bytes = self.read_bytes(offset, len, sum)?;
        String::from_utf8(bytes).map_err(|_| io::Error::other("the parse cache holds broken text"))
    }

    #[cfg(unix)]
    fn read_bytes(&self, offset: u64, len: u32, sum: u64) -> io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let mut bytes = vec![0; len as usize];
        let read = self.file.read_exact_at(&mut bytes, offset);
        if read.is_err() || piece_sum(&bytes) != sum {
            self.damaged.store(true, Ordering::Relaxed);
            return Err(damaged());
        }
        Ok(bytes)
    }

    #[cfg(not(unix))]
    fn read_bytes(&self, _offset: u64, _len: u32, _sum: u64) -> io::Result<Vec<u8>> {
        Err(io::Error::other("reading in place needs positioned reads"))
    }
}

/// Why a piece could not be read from a [`Shelf`].
#[derive(Debug)]
pub(crate) struct DamagedShelf;

/// The error of a piece that could not be read from a [`Shelf`].
pub(crate) fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, DamagedShelf)
}

impl fmt::Display for DamagedShelf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the parse cache is damaged or cannot be read")
    }
}

impl std::error::Error for DamagedShelf {}

/// The checksum a piece of HTML kept on a [`Shelf`] (or a parse cache record's head) is
/// read back with: CRC-32, and the length. It finds damage (a bit flipped, a record cut
/// short or overwritten), which is all it is for; it is no fingerprint of content, which
/// is hashed with BLAKE3 where a match decides what is reused. CRC-32 runs at memory speed
/// where BLAKE3 was 3% of a clean build's instructions at 1,000 articles.
pub(crate) fn piece_sum(bytes: &[u8]) -> u64 {
    u64::from(crc32fast::hash(bytes)) | (bytes.len() as u64) << 32
}

/// A piece of rendered HTML: in memory, parked in a [`Spill`], or kept on a [`Shelf`]
/// (with its checksum).
#[derive(Clone)]
pub enum Html {
    Memory(Box<str>),
    Spilled { spill: Arc<Spill>, offset: u64, len: u32 },
    Shelved { shelf: Arc<Shelf>, offset: u64, len: u32, sum: u64 },
}

/// Kept by the parse cache as its text, read back if it was parked; read back into
/// memory (a build parks it again).
impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text().map_err(serde::ser::Error::custom)?)
    }
}

impl<'de> serde::Deserialize<'de> for Html {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Html, D::Error> {
        Ok(Html::Memory(String::deserialize(d)?.into_boxed_str()))
    }
}

impl Html {
    /// The HTML, read back if it was parked.
    pub fn text(&self) -> io::Result<Cow<'_, str>> {
        match self {
            Html::Memory(text) => Ok(Cow::Borrowed(text)),
            Html::Spilled { spill, offset, len } => spill.read(*offset, *len).map(Cow::Owned),
            Html::Shelved { shelf, offset, len, sum } => {
                shelf.read(*offset, *len, *sum).map(Cow::Owned)
            }
        }
    }

    /// The HTML in memory; parked HTML is read back (a test helper, mostly).
    pub fn to_text(&self) -> String {
        self.text().expect("the body store is readable").into_owned()
    }

    /// Parks this HTML in `spill` if it is in memory and the store's budget is spent.
    pub fn spill_to(&mut self, spill: &Arc<Spill>) -> io::Result<()> {
        spill.park(&mut [self])
    }

    /// Length in bytes, wherever the HTML is.
    pub fn len(&self) -> usize {
        match self {
            Html::Memory(text) => text.len(),
            Html::Spilled { len, .. } | Html::Shelved { len, .. } => *len as usize,
        }
    }

    /// Held in memory rather than parked.
    pub fn in_memory(&self) -> bool {
        matches!(self, Html::Memory(_))
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Html::Memory(text) => text.is_empty(),
            Html::Spilled { len, .. } | Html::Shelved { len, .. } => *len == 0,
        }
    }
}

impl Default for Html {
    fn default() -> Self {
        Html::Memory(Box::from(""))
    }
}

impl From<String> for Html {
    fn from(text: String) -> Self {
        Html::Memory(text.into_boxed_str())
    }
}

impl PartialEq for Html {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Html::Memory(a), Html::Memory(b)) => a == b,
            _ => self.to_text() == other.to_text(),
        }
    }
}

impl Eq for Html {}

impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Html::Memory(text) => write!(f, "Html({text:?})"),
            Html::Spilled { offset, len, .. } => write!(f, "Html(parked at {offset}, {len} bytes)"),
            Html::Shelved { offset, len, .. } => {
                write!(f, "Html(in the parse cache at {offset}, {len} bytes)")
            }
        }
    }
}

/// A part of a document that only the article's own page and the checks read (its key
/// points, questions, links): the parse cache keeps it apart from the record's head, and
/// a document taken from the cache reads it from there on first use (issue 15). A
/// rebuild that renders a few pages and checks a few articles then reads a few of these
/// rather than decoding every article's.
///
/// A part that cannot be read back, or does not match its checksum, reads as empty and
/// marks its [`Shelf`] damaged: whoever uses the documents checks
/// [`Shelf::is_damaged`] before trusting what was made from them, as for a body.
pub struct Lazy<T> {
    value: std::sync::OnceLock<T>,
    shelved: Option<(Arc<Shelf>, u64, u32, u64)>,
}

impl<T> Lazy<T> {
    pub fn new(value: T) -> Lazy<T> {
        Lazy { value: std::sync::OnceLock::from(value), shelved: None }
    }

    /// Points this part at `len` bytes at `offset` in `shelf`, whose checksum is `sum`.
    pub(crate) fn shelve(&mut self, shelf: &Arc<Shelf>, offset: u64, len: u32, sum: u64) {
        self.value = std::sync::OnceLock::new();
        self.shelved = Some((shelf.clone(), offset, len, sum));
    }

    /// Whether the part is still on its shelf, unread.
    pub fn is_shelved(&self) -> bool {
        self.value.get().is_none()
    }
}

impl<T: Default + serde::de::DeserializeOwned> std::ops::Deref for Lazy<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value.get_or_init(|| {
            let Some((shelf, offset, len, sum)) = &self.shelved else { return T::default() };
            let read = shelf.read_bytes(*offset, *len, *sum).ok();
            match read.and_then(|bytes| bincode::deserialize(&bytes).ok()) {
                Some(value) => value,
                None => {
                    shelf.damaged.store(true, Ordering::Relaxed);
                    T::default()
                }
            }
        })
    }
}

impl<T: Default + serde::de::DeserializeOwned> std::ops::DerefMut for Lazy<T> {
    fn deref_mut(&mut self) -> &mut T {
        let _ = &**self;
        self.shelved = None;
        self.value.get_mut().expect("read just above")
    }
}

impl<E> FromIterator<E> for Lazy<Vec<E>> {
    fn from_iter<I: IntoIterator<Item = E>>(items: I) -> Self {
        Lazy::new(items.into_iter().collect())
    }
}

impl<T: Default> Default for Lazy<T> {
    fn default() -> Self {
        Lazy::new(T::default())
    }
}

impl<T: Clone> Clone for Lazy<T> {
    fn clone(&self) -> Self {
        Lazy { value: self.value.clone(), shelved: self.shelved.clone() }
    }
}

impl<T: Default + serde::de::DeserializeOwned + PartialEq> PartialEq for Lazy<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Default + serde::de::DeserializeOwned + Eq> Eq for Lazy<T> {}

impl<T: Default + serde::de::DeserializeOwned + fmt::Debug> fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// Written as the value itself, read back into memory.
impl<T: Default + serde::de::DeserializeOwned + serde::Serialize> serde::Serialize for Lazy<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Lazy<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lazy<T>, D::Error> {
        Ok(Lazy::new(T::deserialize(d)?))
    }
}

/// A [`Lazy`] part of any type, as the parse cache writes and shelves it.
pub(crate) trait Shelvable {
    /// The part's bytes as the cache keeps them; `None` if it cannot be read (see
    /// [`Lazy`]).
    fn bytes(&self) -> Option<Vec<u8>>;
    /// Takes the part out, leaving it empty, for [`Shelvable::put_back`].
    fn take_out(&mut self) -> Box<dyn std::any::Any>;
    fn put_back(&mut self, taken: Box<dyn std::any::Any>);
    fn shelve(&mut self, shelf: &Arc<Shelf>, offset: u64, len: u32, sum: u64);
}

impl<T> Shelvable for Lazy<T>
where
    T: Default + serde::de::DeserializeOwned + serde::Serialize + 'static,
{
    fn bytes(&self) -> Option<Vec<u8>> {
        bincode::serialize(&**self).ok()
    }

    fn take_out(&mut self) -> Box<dyn std::any::Any> {
        Box::new(std::mem::take(self))
    }

    fn put_back(&mut self, taken: Box<dyn std::any::Any>) {
        if let Ok(taken) = taken.downcast::<Lazy<T>>() {
            *self = *taken;
        }
    }

    fn shelve(&mut self, shelf: &Arc<Shelf>, offset: u64, len: u32, sum: u64) {
        Lazy::shelve(self, shelf, offset, len, sum);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parked_text_comes_back_whole_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let texts: Vec<String> =
            (0..200).map(|i| format!("<p>article {i} é ✓ {}</p>", "x".repeat(i * 7))).collect();
        let parked: Vec<Html> = std::thread::scope(|scope| {
            let handles: Vec<_> = texts
                .chunks(50)
                .map(|chunk| {
                    let spill = spill.clone();
                    scope.spawn(move || {
                        chunk.iter().map(|t| spill.store(t).unwrap()).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        for (html, text) in parked.iter().zip(&texts) {
            assert_eq!(html.text().unwrap(), text.as_str());
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the store has no name on disk"
        );
    }

    #[test]
    fn bodies_stay_in_memory_until_the_budget_is_spent_then_park_in_one_piece() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::with_budget(dir.path(), 10).unwrap();
        let mut first = [Html::from("12345".to_owned()), Html::from("678".to_owned())];
        spill.park(&mut first.iter_mut().collect::<Vec<_>>()).unwrap();
        assert!(first.iter().all(Html::in_memory), "8 bytes fit the budget of 10");
        let mut second =
            [Html::from("abc".to_owned()), Html::default(), Html::from("défg".to_owned())];
        spill.park(&mut second.iter_mut().collect::<Vec<_>>()).unwrap();
        if cfg!(unix) {
            assert!(!second[0].in_memory() && !second[2].in_memory(), "over budget: parked");
            assert!(second[1].is_empty());
            // One write, the pieces side by side.
            match (&second[0], &second[2]) {
                (Html::Spilled { offset: a, len: 3, .. }, Html::Spilled { offset: b, .. }) => {
                    assert_eq!(*b, a + 3)
                }
                other => panic!("{other:?}"),
            }
        }
        let texts: Vec<String> = second.iter().map(Html::to_text).collect();
        assert_eq!(texts, ["abc", "", "défg"]);
        // A small body still fits what is left of the budget.
        let mut third = [Html::from("xy".to_owned())];
        spill.park(&mut third.iter_mut().collect::<Vec<_>>()).unwrap();
        assert!(third[0].in_memory());
    }

    #[test]
    fn spilling_keeps_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::with_budget(dir.path(), 0).unwrap();
        let mut html = Html::from("<h2>Hi</h2>".to_owned());
        html.spill_to(&spill).unwrap();
        assert!(matches!(html, Html::Spilled { .. }) || cfg!(not(unix)));
        assert_eq!(html.to_text(), "<h2>Hi</h2>");
        let mut empty = Html::default();
        empty.spill_to(&spill).unwrap();
        assert!(empty.is_empty());
    }
}
