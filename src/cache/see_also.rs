//! The "See also" rankings of the last builds (issue 15), beside the build cache: ranking
//! every article against every other by shared tags costs about a second at 100,000
//! articles, and most rebuilds (a body edited, a typo fixed) change none of its inputs.
//!
//! The file holds a few rankings (one per language of the site), each under the hash of
//! everything it was made from ([`crate::site::see_also::Corpus::key`]), so a ranking is
//! taken only for the very inputs it was made from, and is otherwise made again and kept
//! in place of the oldest. A file that is missing, damaged (it does not match its
//! checksum), or from another gazette (its identity) is ignored: the rankings are made
//! again, the same as without a cache, and the file written anew. It is read and written
//! only while the build cache's lock is held.

use std::path::PathBuf;
use std::sync::Mutex;

use super::Cache;
use crate::site::see_also::Memo;

/// The file, in the cache folder.
pub(crate) const FILE: &str = "see-also";
/// Its first line: the format.
const HEADER: &str = "gazette see-also cache 1";
/// How many rankings it keeps: one per language for a site in up to this many.
const KEPT: usize = 8;

/// A ranking and the hash of its inputs.
type Ranking = ([u8; 32], Vec<Vec<u32>>);

/// The rankings of the cache folder, read once, when first asked for.
pub(crate) struct Rankings {
    path: PathBuf,
    /// The build cache's: this gazette and this output folder.
    identity: String,
    /// `false` for `check`, which only reads the cache.
    writable: bool,
    /// The file's rankings, newest first; `None` until read.
    kept: Mutex<Option<Vec<Ranking>>>,
}

impl Rankings {
    /// The rankings kept in `cache`'s folder; written to only when `writable`.
    pub(crate) fn new(cache: &Cache, writable: bool) -> Rankings {
        Rankings {
            path: cache.dir.join(FILE),
            identity: cache.identity.clone(),
            writable,
            kept: Mutex::new(None),
        }
    }

    /// The file's rankings; none when it is missing or cannot be used.
    fn read(&self) -> Vec<Ranking> {
        let body = super::read_sealed(&self.path, HEADER, &self.identity);
        body.and_then(|body| bincode::deserialize(&body).ok()).unwrap_or_default()
    }

    fn write(&self, kept: &[Ranking]) -> std::io::Result<()> {
        let body = bincode::serialize(kept).map_err(std::io::Error::other)?;
        super::write_sealed(&self.path, HEADER, &self.identity, &body)
    }
}

impl Memo for Rankings {
    fn get(&self, key: &blake3::Hash) -> Option<Vec<Vec<u32>>> {
        let mut kept = self.kept.lock().expect("no thread panics while holding the lock");
        let kept = kept.get_or_insert_with(|| self.read());
        let at = kept.iter().position(|(k, _)| k == key.as_bytes())?;
        Some(kept[at].1.clone())
    }

    fn put(&self, key: &blake3::Hash, ranked: &[Vec<u32>]) {
        if !self.writable {
            return;
        }
        let mut kept = self.kept.lock().expect("no thread panics while holding the lock");
        let kept = kept.get_or_insert_with(|| self.read());
        kept.retain(|(k, _)| k != key.as_bytes());
        kept.insert(0, (*key.as_bytes(), ranked.to_vec()));
        kept.truncate(KEPT);
        // A ranking that cannot be kept is made again by the next build: nothing to tell.
        let _ = self.write(kept);
    }
}
