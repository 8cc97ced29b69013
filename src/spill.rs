//! Article HTML parked on disk between parsing and rendering.
//!
//! A build must parse every article before it can render any page ("See also" needs
//! them all), so every body would otherwise sit in memory at once: about a gigabyte at
//! 100,000 articles. Bodies are written to an unlinked temporary file instead and read
//! back when their page is rendered; the operating system keeps what it can cached.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// An append-only store of text, removed by the operating system when the last handle
/// closes (even if the process is killed).
pub struct Spill {
    file: File,
    /// Where the next text goes.
    end: AtomicU64,
}

impl Spill {
    /// A new store in `dir` (which should be on the disk the site is built on).
    pub fn new_in(dir: &Path) -> io::Result<Arc<Spill>> {
        let file = tempfile::tempfile_in(dir)?;
        Ok(Arc::new(Spill { file, end: AtomicU64::new(0) }))
    }

    /// Parks `text` in the store. Threads may store at the same time.
    #[cfg(unix)]
    pub fn store(self: &Arc<Self>, text: &str) -> io::Result<Html> {
        use std::os::unix::fs::FileExt;
        if text.is_empty() {
            return Ok(Html::Memory(Box::from("")));
        }
        let len = u32::try_from(text.len()).map_err(|_| io::Error::other("text over 4 GB"))?;
        let offset = self.end.fetch_add(u64::from(len), Ordering::Relaxed);
        self.file.write_all_at(text.as_bytes(), offset)?;
        Ok(Html::Spilled { spill: self.clone(), offset, len })
    }

    /// Without positioned writes the text stays in memory.
    #[cfg(not(unix))]
    pub fn store(self: &Arc<Self>, text: &str) -> io::Result<Html> {
        Ok(Html::Memory(Box::from(text)))
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

/// A piece of rendered HTML: in memory, or parked in a [`Spill`].
#[derive(Clone)]
pub enum Html {
    Memory(Box<str>),
    Spilled { spill: Arc<Spill>, offset: u64, len: u32 },
}

impl Html {
    /// The HTML, read back if it was parked.
    pub fn text(&self) -> io::Result<Cow<'_, str>> {
        match self {
            Html::Memory(text) => Ok(Cow::Borrowed(text)),
            Html::Spilled { spill, offset, len } => spill.read(*offset, *len).map(Cow::Owned),
        }
    }

    /// The HTML in memory; parked HTML is read back (a test helper, mostly).
    pub fn to_text(&self) -> String {
        self.text().expect("the body store is readable").into_owned()
    }

    /// Parks this HTML in `spill` if it is in memory.
    pub fn spill_to(&mut self, spill: &Arc<Spill>) -> io::Result<()> {
        if let Html::Memory(text) = self
            && !text.is_empty()
        {
            *self = spill.store(text)?;
        }
        Ok(())
    }

    /// Length in bytes, wherever the HTML is.
    pub fn len(&self) -> usize {
        match self {
            Html::Memory(text) => text.len(),
            Html::Spilled { len, .. } => *len as usize,
        }
    }

    /// Held in memory rather than parked.
    pub fn in_memory(&self) -> bool {
        matches!(self, Html::Memory(_))
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Html::Memory(text) => text.is_empty(),
            Html::Spilled { len, .. } => *len == 0,
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
        }
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
    fn spilling_keeps_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let mut html = Html::from("<h2>Hi</h2>".to_owned());
        html.spill_to(&spill).unwrap();
        assert!(matches!(html, Html::Spilled { .. }) || cfg!(not(unix)));
        assert_eq!(html.to_text(), "<h2>Hi</h2>");
        let mut empty = Html::default();
        empty.spill_to(&spill).unwrap();
        assert!(empty.is_empty());
    }
}
