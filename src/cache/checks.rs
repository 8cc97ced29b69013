//! What the content checks found in each article at the last build (issue 15), beside
//! the build cache: checking every article's links, answers and dates costs about a
//! CPU-second at 100,000 articles, and reads parts of every article that nothing else
//! of a rebuild needs.
//!
//! Two maps, each by the hash of everything its value was made from:
//! - an article's pages linked with an `#anchor` ([`crate::checks::anchors_of`]), by
//!   [`anchor_key`]: the article's document digest (its file, its text, the configuration
//!   and this gazette), its language and its address;
//! - an article's findings, by [`finding_key`]: the same, the hash of what the checks
//!   read of the build ([`context`]: every output file, the ids of the pages linked into,
//!   the articles left out and why) and what the article's checks read of the site (its
//!   authors' names and profiles, whether it has tags).
//!
//! So a value is taken only for the very inputs it was made from. Articles without a
//! digest (no parse cache, or a parse that read an image) are checked every time, and
//! findings that carry a hint made from the whole site (a dead link's "did you mean") are
//! not kept. A file that is missing, damaged (it does not match its checksum) or from
//! another gazette or output folder is ignored: every article is checked, as without a
//! cache, and the file written anew. It is read and written only while the build cache's
//! lock is held.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Cache;
use crate::checks::Outputs;
use crate::error::{Diagnostic, Location, Severity};
use crate::site::{Article, Site};

/// The file, in the cache folder.
pub(crate) const FILE: &str = "checks";
/// Its first line: the format.
const HEADER: &str = "gazette check cache 1";

/// The hash an entry is kept under.
pub(crate) type Key = [u8; 32];

/// One finding of an article's checks, at a line of the article's own file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Finding {
    error: bool,
    line: usize,
    column: Option<usize>,
    message: String,
    hint: Option<Box<str>>,
    width: Option<u32>,
}

/// An article's findings as the check cache keeps them (see [`Checked::keepable`]):
/// made on the threads that check the articles, only put in the map after.
#[derive(Debug)]
pub(crate) struct Kept(Vec<Finding>);

/// The two maps (see the module's text).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Checked {
    anchors: FxHashMap<Key, Vec<String>>,
    findings: FxHashMap<Key, Vec<Finding>>,
}

impl Checked {
    /// The pages kept under `key` (see [`anchor_key`]).
    pub(crate) fn anchors(&self, key: &Key) -> Option<&[String]> {
        self.anchors.get(key).map(Vec::as_slice)
    }

    pub(crate) fn keep_anchors(&mut self, key: Key, anchors: Vec<String>) {
        self.anchors.insert(key, anchors);
    }

    /// The findings kept under `key` (see [`finding_key`]), for the article at `source`,
    /// and what keeps them.
    pub(crate) fn findings(&self, key: &Key, source: &Path) -> Option<(Vec<Diagnostic>, Kept)> {
        let found = self.findings.get(key)?;
        let diagnostics = found
            .iter()
            .map(|f| {
                let mut at = Location::new(source, f.line);
                at.column = f.column;
                let mut d = if f.error {
                    Diagnostic::error(at, f.message.clone())
                } else {
                    Diagnostic::warning(at, f.message.clone())
                };
                d.hint = f.hint.clone();
                d.width = f.width;
                d
            })
            .collect();
        Some((diagnostics, Kept(found.clone())))
    }

    /// What keeps `found`, an article's findings, if each is a plain finding at a line
    /// of `source` (nothing else comes of an article's checks but the hints of dead
    /// links, which the caller does not give).
    pub(crate) fn keepable(source: &Path, found: &[Diagnostic]) -> Option<Kept> {
        let plain = |d: &Diagnostic| {
            d.at.path == source
                && d.excerpt.is_none()
                && *d.kind() == crate::error::DiagnosticKind::Other
        };
        if !found.iter().all(plain) {
            return None;
        }
        let found = found
            .iter()
            .map(|d| Finding {
                error: d.severity == Severity::Error,
                line: d.at.line,
                column: d.at.column,
                message: d.message.clone(),
                hint: d.hint.clone(),
                width: d.width,
            })
            .collect();
        Some(Kept(found))
    }

    /// Keeps an article's findings (see [`Checked::keepable`]) under `key`.
    pub(crate) fn keep_findings(&mut self, key: Key, kept: Kept) {
        self.findings.insert(key, kept.0);
    }

    /// Room for `more` articles' findings.
    pub(crate) fn reserve_findings(&mut self, more: usize) {
        self.findings.reserve(more);
    }

    /// Adds what `other` keeps and this does not.
    pub(crate) fn extend(&mut self, other: Checked) {
        self.anchors.extend(other.anchors);
        self.findings.extend(other.findings);
    }
}

/// What an article's `#anchor` links are a function of: its document's digest, its
/// language and its address. `None` for an article without a digest.
pub(crate) fn anchor_key(site: &Site, article: &Article) -> Option<Key> {
    let digest = article.doc.digest?;
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"anchors\0").update(&digest);
    add_str(&mut hasher, &site.config.language);
    add_str(&mut hasher, article.url.as_str());
    Some(*hasher.finalize().as_bytes())
}

/// What the findings of an article whose [`anchor_key`] is `anchors` are a function of,
/// in a build whose outputs hash as `context`.
pub(crate) fn finding_key(context: &Key, anchors: &Key, site: &Site, article: &Article) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"findings\0").update(context).update(anchors);
    hasher.update(&[u8::from(article.tags.is_empty())]);
    hasher.update(&(article.authors.len() as u64).to_le_bytes());
    for &id in &article.authors {
        let author = site.author(id);
        add_str(&mut hasher, &author.name);
        hasher.update(&[u8::from(author.profile.is_some())]);
    }
    *hasher.finalize().as_bytes()
}

/// The hash of what the checks read of a build's outputs (see [`Outputs`]): every file,
/// the ids of the pages linked into, the files that failed to parse, were skipped or
/// have broken front matter, and the pages left out, with whether each has expired by
/// `now` (the site's).
pub(crate) fn context(outputs: &Outputs, now: jiff::Timestamp) -> Key {
    // Each string goes into one buffer, hashed at once: 200,000 paths at 100,000
    // articles, which two small updates each of the hasher took twice as long to hash.
    let mut hasher: Vec<u8> = Vec::with_capacity(outputs.files.len() * 64);
    fn sorted(set: &std::collections::HashSet<String>) -> Vec<&str> {
        let mut all: Vec<&str> = set.iter().map(String::as_str).collect();
        all.par_sort_unstable();
        all
    }
    fn add_all(hasher: &mut Vec<u8>, name: &str, all: Vec<&str>) {
        add_str(hasher, name);
        hasher.update(&(all.len() as u64).to_le_bytes());
        for s in all {
            add_str(hasher, s);
        }
    }
    add_all(&mut hasher, "files", sorted(&outputs.files));
    add_all(&mut hasher, "unparsed", sorted(&outputs.unparsed));
    add_all(&mut hasher, "skipped", sorted(&outputs.skipped));
    let mut broken: Vec<&Path> = outputs.broken.iter().map(PathBuf::as_path).collect();
    broken.sort_unstable();
    let broken = broken.iter().map(|p| p.to_str().unwrap_or("\u{fffd}")).collect();
    add_all(&mut hasher, "broken", broken);
    let mut ids: Vec<(&String, &std::collections::HashSet<String>)> = outputs.ids.iter().collect();
    ids.sort_unstable_by_key(|(file, _)| *file);
    add_str(&mut hasher, "ids");
    for (file, ids) in ids {
        add_all(&mut hasher, file, sorted(ids));
    }
    let mut left_out: Vec<_> = outputs.left_out.iter().collect();
    left_out.sort_unstable_by_key(|(file, _)| *file);
    add_str(&mut hasher, "left out");
    for (file, doc) in left_out {
        add_str(&mut hasher, file);
        add_str(&mut hasher, &format!("{:?}", doc.source));
        add_str(&mut hasher, &doc.date.rfc3339());
        let expired = doc.expires.map(|e| (e.rfc3339(), e.timestamp() <= now));
        add_str(&mut hasher, &format!("{expired:?}"));
    }
    *blake3::hash(&hasher).as_bytes()
}

/// What can take the bytes of a string: a hasher, or a buffer to hash at once.
trait Update {
    fn update(&mut self, bytes: &[u8]) -> &mut Self;
}

impl Update for blake3::Hasher {
    fn update(&mut self, bytes: &[u8]) -> &mut Self {
        blake3::Hasher::update(self, bytes)
    }
}

impl Update for Vec<u8> {
    fn update(&mut self, bytes: &[u8]) -> &mut Self {
        self.extend_from_slice(bytes);
        self
    }
}

fn add_str(hasher: &mut impl Update, s: &str) {
    hasher.update(&(s.len() as u64).to_le_bytes()).update(s.as_bytes());
}

/// The check cache of a build cache's folder.
pub(crate) struct CheckCache {
    path: PathBuf,
    /// The build cache's: this gazette and this output folder.
    identity: String,
}

impl CheckCache {
    pub(crate) fn new(cache: &Cache) -> CheckCache {
        CheckCache { path: cache.dir.join(FILE), identity: cache.identity.clone() }
    }

    /// What the file keeps; nothing when it is missing or cannot be used.
    pub(crate) fn read(&self) -> Checked {
        let body = super::read_sealed(&self.path, HEADER, &self.identity);
        body.and_then(|body| bincode::deserialize(&body).ok()).unwrap_or_default()
    }

    /// Writes `checked` in place of the file. One that cannot be written leaves the
    /// next build to check every article: nothing to tell.
    pub(crate) fn write(&self, checked: &Checked) {
        if let Ok(body) = bincode::serialize(checked) {
            let _ = super::write_sealed(&self.path, HEADER, &self.identity, &body);
        }
    }
}
