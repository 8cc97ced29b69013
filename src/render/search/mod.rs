//! The search index (issue 20): many small files, so a query downloads only what it needs.
//!
//! - `index.json`: what the search page's script reads first: the number of documents, the
//!   language and stemmer, the first key of every shard, the categories.
//! - `shards/<n>.bin`: every word and stem of the site in byte order, cut into shards of about
//!   [`SHARD_BYTES`]; each word lists the documents that hold it with a score (BM25F, title
//!   and headings above the body) and the words that follow it there, or names its stem.
//! - `meta/<g>.json`: the title, link, date and category of [`GROUP`] documents: what a
//!   result shows. The excerpt is cut from the article's own page, which the script fetches
//!   for the results shown once the query settles: the index holds no copy of the text.
//! - `filters/c/<slug>.bin`, `filters/t/<slug>.bin`: the documents of a category or tag;
//!   `tags.json`: every tag, for the tag filter.
//!
//! docs/search.md describes the files byte by byte.

mod blocks;
mod format;
pub(crate) mod text;
mod vocabulary;

pub(crate) use blocks::{BLOCK, BlockCache, BlockCounts};
pub(crate) use vocabulary::Vocabulary;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::Sink;
use crate::error::{Error, Result};
use crate::site::{Article, Document, Site, Terms};
use format::{Kind, Postings, ShardWriter};
use vocabulary::Stems;

/// What a build keeps of the last one's index: its merged blocks (see [`BlockCache`]), and
/// through the build cache, the shards it made from the same inputs.
#[derive(Clone, Copy, Default)]
pub(crate) struct Kept<'a> {
    pub(crate) blocks: Option<&'a BlockCache>,
    pub(crate) shards: Option<super::Reuse<'a>>,
}

/// About how many bytes a shard holds before the next begins.
pub(crate) const SHARD_BYTES: usize = 8 * 1024;
/// The most documents a word lists: the best-scoring ones. A word in more documents than
/// this says little about any of them, and its full list would cost every query that
/// uses it more than the rest of the query together.
pub(crate) const PER_WORD: usize = 3000;
/// How many documents' titles, links, dates and categories a `meta/<g>.json` holds: a result
/// list of ten costs ten small files, not ten documents' text.
pub(crate) const GROUP: usize = 8;

/// How much an occurrence counts, by where it is (BM25F field weights).
const TITLE: f32 = 8.0;
const HEADING: f32 = 3.0;
const TOPIC: f32 = 3.0;
const SUMMARY: f32 = 2.0;
const KEY_POINT: f32 = 2.0;
const QUESTION: f32 = 2.0;
const BODY: f32 = 1.0;
/// Added to a title word's score after saturation: without it, a word repeated in a long
/// body scores about as high as the same word in the title.
const TITLE_BONUS: f32 = 1.5;
/// BM25's saturation and body-length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// What `index.json` holds.
#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    language: &'a str,
    /// The Snowball stemmer's name, when the language has one.
    stemmer: Option<&'a str>,
    documents: usize,
    per_word: usize,
    group: usize,
    /// The first key of each shard: shard `n` holds the keys from `shards[n]` up to
    /// `shards[n + 1]`.
    shards: Vec<String>,
    categories: Vec<Filter<'a>>,
}

#[derive(Serialize)]
struct Filter<'a> {
    name: &'a str,
    slug: &'a str,
    documents: usize,
}

/// One document of a stem's list, in eight bytes: a site of 10,000 articles has millions
/// of them, and their memory was most of what the index added to the build's peak.
#[derive(Clone, Copy)]
struct Posting {
    /// The document's number (below [`MAX_DOCUMENTS`]) times 256, plus the follower bits of
    /// the stems that come right after this one in the document.
    doc_next: u32,
    /// The weighted frequency (BM25F), negated when the title has the stem (it is never 0).
    signed_tf: f32,
}

/// How many documents an index holds at most: a posting keeps a document's number in 24 bits.
const MAX_DOCUMENTS: usize = 1 << 24;

impl Posting {
    fn new(doc: u32, tf: f32, title: bool, next: u8) -> Posting {
        debug_assert!((doc as usize) < MAX_DOCUMENTS && tf > 0.0);
        Posting { doc_next: doc << 8 | u32::from(next), signed_tf: if title { -tf } else { tf } }
    }

    fn doc(self) -> u32 {
        self.doc_next >> 8
    }

    fn next(self) -> u8 {
        self.doc_next as u8
    }

    fn tf(self) -> f32 {
        self.signed_tf.abs()
    }

    fn title(self) -> bool {
        self.signed_tf.is_sign_negative()
    }
}

/// The counts of one stem in the article being read; zero between articles.
#[derive(Clone, Copy, Default, PartialEq)]
struct Count {
    /// Weighted occurrences outside the body.
    weighted: f32,
    body: u32,
    title: bool,
    next: u8,
}

/// A word a part has met: where its folded bytes are, and its stem. A slot of the part's
/// table of words; a free slot has `len` 0.
#[derive(Clone, Copy, Default)]
struct Word {
    /// [`text::word_hash`] of the folded bytes.
    hash: u64,
    /// The folded bytes: `Part::bytes[start..start + len]`.
    start: u32,
    len: u32,
    /// The stem's number in the part, and its follower bit (see [`follower_bit`]).
    stem: u32,
    bit: u8,
}

/// The words of one part of a thread's documents, numbered in that part.
#[derive(Default)]
struct Part {
    /// The words met, by an open-addressing table (linear probing, at most half full)
    /// placed by the top bits of their hash. Every word of every article is looked up here,
    /// so a hit reads one slot and compares the word's bytes, with no allocation.
    table: Vec<Word>,
    /// 64 minus the base-2 logarithm of the table's length.
    shift: u32,
    /// How many slots are taken.
    words: usize,
    /// The folded words' bytes, one after the other.
    bytes: Vec<u8>,
    stems: FxHashMap<String, u32>,
    /// By stem number: the documents that hold it.
    postings: Vec<Vec<Posting>>,
    /// By stem number: its counts in the article being read.
    counts: Vec<Count>,
    /// Numbers words rather than stems (see [`count_terms`]): [`Part::stem`] gives the
    /// word's number in the part, `counts` are by word, and `numbers` give each word's
    /// number in this vocabulary.
    by_word: Option<Arc<Vocabulary>>,
    numbers: Vec<u32>,
}

impl Part {
    /// The number and follower bit of the stem of `folded`, a folded word whose
    /// [`text::word_hash`] is `hash`: looked up by the hash, stemmed and numbered the first
    /// time the part meets the word.
    #[inline(always)]
    fn stem(
        &mut self,
        folded: &[u8],
        hash: u64,
        stemmer: Option<&rust_stemmers::Stemmer>,
    ) -> (u32, u8) {
        if !self.table.is_empty() {
            let mask = self.table.len() - 1;
            let mut slot = (hash >> self.shift) as usize;
            loop {
                let word = &self.table[slot];
                if word.len == 0 {
                    break;
                }
                // A word of at most eight bytes is its hash: the bytes are compared only
                // for a longer one (see `text::word_hash`).
                if word.hash == hash
                    && word.len as usize == folded.len()
                    && (folded.len() <= text::WHOLE_IN_HASH
                        || same(&self.bytes[word.start as usize..][..folded.len()], folded))
                {
                    return (word.stem, word.bit);
                }
                slot = (slot + 1) & mask;
            }
        }
        self.new_word(folded, hash, stemmer)
    }

    /// Numbers a word the part has not met, and its stem if that is new too.
    #[cold]
    #[inline(never)]
    fn new_word(
        &mut self,
        folded: &[u8],
        hash: u64,
        stemmer: Option<&rust_stemmers::Stemmer>,
    ) -> (u32, u8) {
        let folded_str = std::str::from_utf8(folded).expect("a word is text");
        let stem = match stemmer {
            Some(stemmer) => stemmer.stem(folded_str).into_owned(),
            None => folded_str.to_owned(),
        };
        let bit = follower_bit(&stem);
        let stem = if let Some(vocabulary) = &self.by_word {
            self.counts.push(Count::default());
            self.numbers.push(vocabulary.number(folded_str));
            self.numbers.len() as u32 - 1
        } else {
            let next = self.stems.len() as u32;
            *self.stems.entry(stem).or_insert_with(|| {
                self.postings.push(Vec::new());
                self.counts.push(Count::default());
                next
            })
        };
        let word =
            Word { hash, start: self.bytes.len() as u32, len: folded.len() as u32, stem, bit };
        self.bytes.extend_from_slice(folded);
        self.words += 1;
        if self.words * 2 > self.table.len() {
            let len = (self.table.len() * 2).max(1024);
            let old = std::mem::replace(&mut self.table, vec![Word::default(); len]);
            self.shift = 64 - len.trailing_zeros();
            for word in old.into_iter().filter(|w| w.len > 0) {
                self.place(word);
            }
        }
        self.place(word);
        (stem, bit)
    }

    /// Puts `word` in the first free slot from its hash's.
    fn place(&mut self, word: Word) {
        let mask = self.table.len() - 1;
        let mut slot = (word.hash >> self.shift) as usize;
        while self.table[slot].len != 0 {
            slot = (slot + 1) & mask;
        }
        self.table[slot] = word;
    }
}

/// Whether two words of the same length are the same: eight bytes at a time, the last
/// eight read overlapping (a call to `memcmp` costs more than a short word's comparison).
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    debug_assert_eq!(n, b.len());
    let u64_at = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("eight"));
    let u32_at = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("four"));
    if n < 4 {
        return a == b;
    }
    if n < 8 {
        return u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4);
    }
    let mut i = 0;
    while i + 8 < n {
        if u64_at(a, i) != u64_at(b, i) {
            return false;
        }
        i += 8;
    }
    u64_at(a, n - 8) == u64_at(b, n - 8)
}

/// The one bit of eight that stands for `stem` in the follower byte of the word before it:
/// FNV-1a of its UTF-8 bytes, modulo 8. The script computes the same from a key.
pub(crate) fn follower_bit(stem: &str) -> u8 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in stem.as_bytes() {
        hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    1 << (hash & 7)
}

/// Writes the search index of `articles` (one language's, in the order results break ties)
/// under `prefix` (`search/`, or `fr/search/` for a site's French pages), through `sink`,
/// merging the articles by blocks of `block` kept in `cache` (see [`blocks`]). Returns
/// how many files it wrote, and how many blocks it merged and read back.
pub(crate) fn write_search_index(
    site: &Site,
    articles: &[&Article],
    language: &str,
    prefix: &str,
    sink: Sink<'_>,
    kept: Kept<'_>,
    block: usize,
) -> Result<(usize, BlockCounts)> {
    let (cache, reuse) = (kept.blocks, kept.shards);
    check_documents(articles.len())?;
    let stemmer = text::stemmer_for(language);
    let total_words: usize = articles.iter().map(|a| a.doc.body.word_count).sum();
    // A whole number of words: a body edit seldom changes it, and every kept block of the
    // index (merged with it) stays usable.
    let average_body = (total_words as f64 / articles.len().max(1) as f64).round().max(1.0) as f32;
    // The words' numbers of most articles' terms; the terms of the others (counted for
    // another language or vocabulary, or not counted) are counted again with it.
    let vocabulary = Vocabulary::most_used(
        articles.iter().filter_map(|a| usable_terms(a, language, None)?.vocabulary.as_ref()),
    );
    let io = parked_io;
    let recounted: Vec<Option<Terms>> = articles
        .par_iter()
        .map(|a| match usable_terms(a, language, Some(&vocabulary)) {
            Some(_) => Ok(None),
            None => count_terms(&a.doc, language, &vocabulary).map(Some).map_err(io),
        })
        .collect::<Result<_>>()?;
    // The category and tag names, counted as a text each.
    let topic_terms = |name: &str| count_text(name, TOPIC, language, &vocabulary).map_err(io);
    let categories: Vec<String> =
        site.categories.iter().map(|c| topic_terms(&c.name)).collect::<Result<_>>()?;
    let tags: Vec<String> =
        site.tags.iter().map(|t| topic_terms(&t.name)).collect::<Result<_>>()?;

    // Each stem's postings, and the words the articles have.
    let inputs = blocks::Inputs {
        articles,
        recounted: &recounted,
        categories: &categories,
        tags: &tags,
        language,
        stemmer: stemmer.map(|(_, a)| a),
        vocabulary: &vocabulary,
        average_body,
    };
    let joined = blocks::merge(&inputs, block, cache)?;
    drop(recounted);
    let all = articles.len();
    // A rebuild keeps each shard the last build made from the same inputs, and scores
    // only the stems of the others (see `shard_inputs`); any other build scores them all.
    let inputs = reuse.and_then(|_| joined.inputs());
    let keeping = reuse.zip(inputs.as_deref());
    let scored = match keeping {
        None => joined.score(all),
        Some(_) => Vec::new(),
    };
    let (used, stems, listed) = (&joined.used, &joined.stems, &joined.listed);
    let mut counts = joined.counts;
    let words = vocabulary.words();
    let is_used =
        |word: u32| used.get(word as usize / 64).is_some_and(|b| b >> (word % 64) & 1 == 1);
    // Every key: each word, and each stem no word is spelled as.
    let mut keys: Vec<(&str, Key)> = Vec::new();
    for (number, word) in words.iter().enumerate().filter(|(n, _)| is_used(*n as u32)) {
        let stem = stems.of_word[number];
        if *stems.names[stem as usize] == **word {
            keys.push((word, Key::Postings(Kind::Word, stem)));
        } else {
            keys.push((word, Key::Redirect(stem)));
        }
    }
    for (number, stem) in stems.names.iter().enumerate() {
        if listed[number] && !vocabulary.find(stem).is_some_and(is_used) {
            keys.push((stem, Key::Postings(Kind::Stem, number as u32)));
        }
    }
    let stem_names = &stems.names;
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));

    // The last build's shards, by their first keys: where this one's may begin.
    let last_shards = match keeping.and(cache) {
        Some(cache) => blocks::read_shard_keys(cache, language),
        None => Vec::new(),
    };
    let shard_path = |n: usize| format!("{prefix}shards/{n}.bin");
    let mut shard_keys: Vec<String> = Vec::new();
    let mut shard_files: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut at = 0;
    while at < keys.len() {
        let n = shard_keys.len();
        let mut asked = None;
        if let Some((reuse, inputs)) = keeping {
            // The last build's shard `n` began with this key: kept if it was made from
            // the same keys and lists as this build's keys up to its successor's first.
            let end = last_shards.get(n).filter(|&first| *first == keys[at].0).and_then(|_| {
                match last_shards.get(n + 1) {
                    None => Some(keys.len()),
                    Some(next) => {
                        let found = keys[at..].binary_search_by(|(key, _)| (*key).cmp(next));
                        found.ok().map(|i| at + i)
                    }
                }
            });
            if let Some(end) = end {
                let hash = shard_inputs(&keys[at..end], inputs, stem_names, all);
                if reuse(Path::new(&shard_path(n)), super::Inputs::Exact(&hash))? {
                    shard_keys.push(keys[at].0.to_owned());
                    at = end;
                    continue;
                }
                asked = Some(hash);
            }
        }
        let first = at;
        let mut shard = ShardWriter::default();
        while at < keys.len() && shard.len() < SHARD_BYTES {
            let (key, entry) = keys[at];
            match entry {
                Key::Redirect(stem) => shard.redirect(key, &stem_names[stem as usize]),
                Key::Postings(kind, stem) => {
                    let one;
                    let list = match scored.get(stem as usize) {
                        Some(list) => list,
                        None => {
                            one = joined.score_one(stem, all);
                            &one
                        }
                    };
                    let postings = Postings {
                        docs: &list.docs,
                        scores: &list.scores,
                        next: &list.next,
                        truncated: list.truncated,
                    };
                    shard.postings(key, kind, &postings);
                }
            }
            at += 1;
        }
        shard_keys.push(keys[first].0.to_owned());
        counts.shards_made += 1;
        if let Some((reuse, inputs)) = keeping {
            // Asked with what it was made from, unless that was asked above.
            let hash = shard_inputs(&keys[first..at], inputs, stem_names, all);
            if asked != Some(hash) && reuse(Path::new(&shard_path(n)), super::Inputs::Exact(&hash))?
            {
                continue;
            }
        }
        shard_files.push((n, shard.finish()));
    }
    counts.shards = shard_keys.len();
    if let Some(cache) = cache.filter(|c| c.write && reuse.is_some()) {
        blocks::write_shard_keys(cache, language, &shard_keys);
    }
    // Shard 0 holds every key before the second shard's first, the empty key included.
    if let Some(first) = shard_keys.first_mut() {
        first.clear();
    }
    let errors: Vec<Error> = shard_files
        .par_iter()
        .filter_map(|(n, bytes)| sink(Path::new(&shard_path(*n)), bytes).err())
        .collect();
    Error::collect(errors)?;
    let mut files = counts.shards;

    files += write_filters(site, articles, prefix, sink)?;
    files += write_meta(site, articles, prefix, sink, reuse)?;
    let categories = site
        .categories
        .iter()
        .map(|c| Filter {
            name: &c.name,
            slug: c.slug.as_str(),
            documents: articles.iter().filter(|a| a.category == c.id).count(),
        })
        .filter(|f| f.documents > 0)
        .collect();
    let meta = Meta {
        version: 3,
        language,
        stemmer: stemmer.map(|(name, _)| name),
        documents: articles.len(),
        per_word: PER_WORD,
        group: GROUP,
        shards: shard_keys,
        categories,
    };
    let json = serde_json::to_vec(&meta).expect("the index serialises");
    sink(Path::new(&format!("{prefix}index.json")), &json)?;
    Ok((files + 1, counts))
}

/// A hash of what the shard of `keys` is made from: each key, and what it holds (the stem
/// it names, or the hash of its stem's list's inputs, `inputs` by stem), in an index of
/// `all` documents. Two shards with the same hash have the same bytes: a shard's bytes
/// depend on its keys alone, and a list on its stem's inputs and `all`.
fn shard_inputs(
    keys: &[(&str, Key)],
    inputs: &[blocks::PieceHash],
    stem_names: &[Arc<str>],
    all: usize,
) -> blake3::Hash {
    // In one buffer, hashed once: a shard has a hundred keys and more.
    let hash = super::hash_written(|bytes| {
        let mut put = |part: &[u8]| {
            bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
            bytes.extend_from_slice(part);
        };
        put(b"gazette index shard 1");
        put(env!("GAZETTE_BUILD_ID").as_bytes());
        put(&(all as u64).to_le_bytes());
        put(&(PER_WORD as u64).to_le_bytes());
        put(&(SHARD_BYTES as u64).to_le_bytes());
        for &(key, entry) in keys {
            put(key.as_bytes());
            match entry {
                Key::Redirect(stem) => {
                    put(b"r");
                    put(stem_names[stem as usize].as_bytes());
                }
                Key::Postings(kind, stem) => {
                    put(&[b'p', kind as u8]);
                    put(&inputs[stem as usize]);
                }
            }
        }
        Some(())
    });
    hash.expect("every byte is written")
}

/// The error of a body or terms list that could not be read back from where it was parked.
fn parked_io(e: std::io::Error) -> Error {
    Error::io(Path::new("(article bodies parked on disk)"), e)
}

/// Refuses an index of more than [`MAX_DOCUMENTS`] documents (a site that large could not
/// be held in memory to be built anyway).
fn check_documents(documents: usize) -> Result<()> {
    if documents <= MAX_DOCUMENTS {
        return Ok(());
    }
    Err(Error::Refused {
        message: format!(
            "the search index holds at most {MAX_DOCUMENTS} articles of one language, \
             and this site has `{documents}`"
        ),
        help: "split the site into several sites".to_owned(),
    })
}

/// A key of the index: a word or stem with its documents, or a word naming its stem.
#[derive(Clone, Copy)]
enum Key {
    Postings(Kind, u32),
    Redirect(u32),
}

/// A stem's documents, sorted by number, with their scores and follower bytes.
struct Scored {
    docs: Vec<u32>,
    /// 1 to 127 on one scale for the whole index, plus 128 when the title has the stem.
    scores: Vec<u8>,
    next: Vec<u8>,
    /// Only the best [`PER_WORD`] documents are listed.
    truncated: bool,
}

/// Scores each stem's documents (BM25F), keeping only the best [`PER_WORD`]: `postings`
/// holds at least those of each stem, and `documents` how many documents have it. (The
/// index scores the blocks' lists where they are: see `blocks::Joined::score`.)
#[cfg(test)]
fn score(postings: Vec<Vec<Posting>>, documents: &[u32], all: usize) -> Vec<Scored> {
    let top = top_weight(all);
    postings
        .into_iter()
        .zip(documents)
        .map(|(mut list, &df)| scored(&mut list, df, idf(df, all), top))
        .collect()
}

/// The inverse document frequency of a stem that `df` of `all` documents have.
fn idf(df: u32, all: usize) -> f32 {
    let (n, df) = (all as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

/// A posting's weight in a stem whose inverse document frequency is `idf`. Computed again
/// where needed rather than kept beside each posting: the lists of a large site are tens
/// of megabytes.
fn weight(p: &Posting, idf: f32) -> f32 {
    idf * within_stem(p)
}

/// The highest weight a posting can have in an index of `all` documents: a stem only one
/// document has, saturated, in its title. The index's scores are on one scale, from it.
/// It depends on the number of documents alone: scaled from the highest weight found,
/// one new rare word in one article moved every score of the site, and a body edit
/// rewrote nearly every shard (issue 15).
fn top_weight(all: usize) -> f32 {
    idf(1, all.max(1)) * (K1 + 1.0 + TITLE_BONUS)
}

/// The scored list of a stem that `df` documents have, from `list` (at least its best
/// [`PER_WORD`] postings, which are all that is kept), `top` the scale (see
/// [`top_weight`]).
fn scored(list: &mut Vec<Posting>, df: u32, idf: f32, top: f32) -> Scored {
    keep_best(list);
    // Blocks come in order, each with its postings by document, so most lists are in
    // order already.
    if !list.is_sorted_by_key(|p| p.doc_next) {
        list.sort_unstable_by_key(|p| p.doc_next);
    }
    Scored {
        docs: list.iter().map(|p| p.doc()).collect(),
        scores: list
            .iter()
            .map(|p| {
                ((weight(p, idf) / top * 127.0).round() as u8).max(1) | u8::from(p.title()) << 7
            })
            .collect(),
        next: list.iter().map(|p| p.next()).collect(),
        truncated: df as usize > PER_WORD,
    }
}

/// Reads words into a [`Part`] for one article: folds them, finds their stems, and counts
/// them where they are (title, headings, body...).
struct Reader<'p, 's> {
    part: &'p mut Part,
    stemmer: Option<&'s rust_stemmers::Stemmer>,
    /// The stems this article has, whose counts are not zero.
    touched: Vec<u32>,
    body_words: u32,
    /// The stem of the word before, in the text being read: the follower bits link them.
    previous: Option<u32>,
    folded: Vec<u8>,
    scratch: String,
}

impl Reader<'_, '_> {
    /// Counts one word, `weight` for a field other than the body.
    fn word(&mut self, word: &str, weight: Option<f32>) {
        let folded = text::fold(word);
        let folded = folded.as_bytes();
        let (stem, bit) = self.part.stem(folded, text::word_hash(folded), self.stemmer);
        self.count(stem, bit, weight);
    }

    /// Counts one word's stem, whose follower bit is `bit`.
    fn count(&mut self, stem: u32, bit: u8, weight: Option<f32>) {
        let count = tally(&mut self.part.counts, &mut self.touched, &mut self.previous, stem, bit);
        match weight {
            Some(w) => {
                count.weighted += w;
                count.title |= w == TITLE;
            }
            None => {
                count.body += 1;
                self.body_words += 1;
            }
        }
    }

    /// Counts the words of a plain text, a field of its own.
    fn text(&mut self, text: &str, weight: Option<f32>) {
        self.previous = None;
        self.more_text(text, weight);
    }

    /// Counts the words of a plain text that goes on from the text read before it.
    fn more_text(&mut self, text: &str, weight: Option<f32>) {
        if text::plain(text) {
            self.plain(text, false, weight);
        } else {
            text::for_each_word(text, |word| self.word(word, weight));
        }
    }

    /// Counts the words of an HTML fragment that goes on from the text read before it.
    fn more_html(&mut self, html: &str, weight: Option<f32>) {
        if text::plain(html) {
            self.plain(html, true, weight);
        } else {
            let mut scratch = std::mem::take(&mut self.scratch);
            text::for_each_html_word(html, &mut scratch, |word| self.word(word, weight));
            self.scratch = scratch;
        }
    }

    /// Most text: letters and digits in ASCII, read and folded in one pass. Every word of
    /// the site goes through here: the loop keeps what it changes in locals and looks at
    /// the weight once, not once a word.
    fn plain(&mut self, text: &str, html: bool, weight: Option<f32>) {
        let Reader { part, stemmer, touched, body_words, previous, folded, .. } = self;
        let stemmer = *stemmer;
        let mut last = *previous;
        match weight {
            None => {
                let mut words = 0;
                let each = |word: &[u8], hash| {
                    let (stem, bit) = part.stem(word, hash, stemmer);
                    tally(&mut part.counts, touched, &mut last, stem, bit).body += 1;
                    words += 1;
                };
                text::for_each_plain_folded(text, html, folded, each);
                *body_words += words;
            }
            Some(w) => {
                text::for_each_plain_folded(text, html, folded, |word, hash| {
                    let (stem, bit) = part.stem(word, hash, stemmer);
                    let count = tally(&mut part.counts, touched, &mut last, stem, bit);
                    count.weighted += w;
                    count.title |= w == TITLE;
                });
            }
        }
        *previous = last;
    }
}

/// The count of `stem` (whose follower bit is `bit`) in the article being read, noted as
/// touched the first time; the stem read before gets `bit` among its followers.
#[inline(always)]
fn tally<'c>(
    counts: &'c mut [Count],
    touched: &mut Vec<u32>,
    previous: &mut Option<u32>,
    stem: u32,
    bit: u8,
) -> &'c mut Count {
    if let Some(previous) = *previous {
        counts[previous as usize].next |= bit;
    }
    *previous = Some(stem);
    let count = &mut counts[stem as usize];
    if count.body == 0 && count.weighted == 0.0 {
        touched.push(stem);
    }
    count
}

impl<'p, 's> Reader<'p, 's> {
    fn new(part: &'p mut Part, stemmer: Option<&'s rust_stemmers::Stemmer>) -> Self {
        Reader {
            part,
            stemmer,
            touched: Vec::new(),
            body_words: 0,
            previous: None,
            folded: Vec::new(),
            scratch: String::new(),
        }
    }
}

/// How many words a thread's table of words (see [`count_terms`]) holds before it starts
/// again: a `serve` session parses for hours.
const REMEMBERED_WORDS: usize = 1 << 20;

thread_local! {
    /// The words this thread has counted terms with, by vocabulary and language: each word
    /// is stemmed and numbered once a thread, not once an article.
    static WORDS: std::cell::RefCell<(u64, String, Part)> = std::cell::RefCell::default();
}

/// Whether this build leaves the search index and its terms out: only a gazette built with
/// the `bench-noindex` feature and run with `GAZETTE_NOINDEX` set does, so that
/// bench/index_share.sh can measure what the index costs a build.
pub(crate) fn index_left_out() -> bool {
    #[cfg(feature = "bench-noindex")]
    {
        static LEFT_OUT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *LEFT_OUT.get_or_init(|| std::env::var_os("GAZETTE_NOINDEX").is_some())
    }
    #[cfg(not(feature = "bench-noindex"))]
    false
}

/// The terms `doc` gives its language's index, kept with its parse: [`count_terms`], or
/// `None` when they could not be read or the index is left out ([`index_left_out`]).
pub(crate) fn document_terms(doc: &Document, vocabulary: &Arc<Vocabulary>) -> Option<Terms> {
    if index_left_out() {
        return None;
    }
    count_terms(doc, &doc.lang, vocabulary).ok()
}

/// The terms of `doc` (see [`Terms`]): every word of its title, summary, key points,
/// headings, body and answers, folded and numbered in `vocabulary`, with its counts and
/// the follower bits of the stems that come right after it, for the index of `language`.
/// Counted as the index counts them, but by word rather than by stem (see
/// [`merge_terms`]).
pub(crate) fn count_terms(
    doc: &Document,
    language: &str,
    vocabulary: &Arc<Vocabulary>,
) -> std::io::Result<Terms> {
    let (list, body_words) = count_with(language, vocabulary, |read| read_document(read, doc))?;
    Ok(Terms {
        language: language.to_owned(),
        body_words,
        hash: *blake3::hash(list.as_bytes()).as_bytes(),
        list: list.into(),
        vocabulary: Some(vocabulary.clone()),
    })
}

/// The terms of one plain text, each occurrence weighted `weight` (a category or tag name).
fn count_text(
    text: &str,
    weight: f32,
    language: &str,
    vocabulary: &Arc<Vocabulary>,
) -> std::io::Result<String> {
    let (list, _) = count_with(language, vocabulary, |read| {
        read.text(text, Some(weight));
        Ok(())
    })?;
    Ok(list)
}

/// Numbers, in `vocabulary`, the words of the category and tag names of `documents`, each
/// in its document's language, as the index counts them (see [`write_search_index`]). A
/// build does it before the parse cache saves its words, so that these are saved among
/// them and keep their numbers: numbered by the index alone, after the words of the files
/// parsed, they took other numbers whenever an edit brought a word the site did not
/// have, and every kept block of the index (which names its words by number) was merged
/// again, 49 of 49 at 100,000 articles. A name the site shows in another spelling folds
/// to the same words; any word numbered later only costs kept blocks, never a wrong index.
pub(crate) fn number_topic_words(documents: &[Arc<Document>], vocabulary: &Arc<Vocabulary>) {
    let mut names: Vec<(&str, &str)> = documents
        .iter()
        .flat_map(|doc| {
            let tags = doc.tags.iter().map(|tag| &tag.name);
            let names = std::iter::once(&doc.category).chain(tags);
            names.map(|name| (doc.lang.as_str(), name.as_str()))
        })
        .collect::<rustc_hash::FxHashSet<_>>()
        .into_iter()
        .collect();
    // In order: the same numbering whatever order the documents came in.
    names.sort_unstable();
    for (language, name) in names {
        // Reads a string: nothing to fail.
        let _ = count_text(name, TOPIC, language, vocabulary);
    }
}

/// Counts what `read_all` reads by word, on this thread's table of words, and writes the
/// list of a [`Terms`] and the body's word count.
fn count_with(
    language: &str,
    vocabulary: &Arc<Vocabulary>,
    read_all: impl FnOnce(&mut Reader<'_, '_>) -> std::io::Result<()>,
) -> std::io::Result<(String, u32)> {
    WORDS.with_borrow_mut(|(words_vocabulary, words_language, part)| {
        if *words_vocabulary != vocabulary.id()
            || words_language != language
            || part.words > REMEMBERED_WORDS
        {
            *words_vocabulary = vocabulary.id();
            *words_language = language.to_owned();
            *part = Part { by_word: Some(vocabulary.clone()), ..Part::default() };
        }
        let stemmer = text::stemmer_for(language).map(|(_, a)| rust_stemmers::Stemmer::create(a));
        let mut read = Reader::new(part, stemmer.as_ref());
        let read_all = read_all(&mut read);
        let (touched, body_words) = (std::mem::take(&mut read.touched), read.body_words);
        // Bytes, not a `String`: pushing a byte is cheaper than pushing a `char`.
        let mut list = Vec::with_capacity(touched.len() * 8);
        for word in touched {
            let count = std::mem::take(&mut part.counts[word as usize]);
            debug_assert!(count.weighted.fract() == 0.0 && count.weighted < 16_777_216.0);
            let weighted = (count.weighted as u32) << 1 | u32::from(count.title);
            let number = part.numbers[word as usize];
            for n in [weighted, count.body, u32::from(count.next), number] {
                push_number(&mut list, n);
            }
        }
        read_all?;
        let list = String::from_utf8(list).expect("push_number writes ASCII");
        Ok((list, body_words))
    })
}

/// Writes `n` into a [`Terms::list`]: six bits an ASCII byte, the most significant first,
/// every byte but the last with bit 6 set (most counts take one byte, a word's number in
/// a vocabulary of 4,096 words two). ASCII, so the list is text; read back by
/// [`next_number`] in a tight loop.
#[inline(always)]
fn push_number(list: &mut Vec<u8>, n: u32) {
    // Most counts: one byte.
    if n < 0x40 {
        list.push(n as u8);
        return;
    }
    let mut shift = (31 - (n | 1).leading_zeros()) / 6 * 6;
    while shift > 0 {
        list.push(0x40 | (n >> shift & 0x3f) as u8);
        shift -= 6;
    }
    list.push((n & 0x3f) as u8);
}

/// Reads a number [`push_number`] wrote at `bytes[*at..]`, and moves `at` past it; `None`
/// at anything it would not have written.
#[inline(always)]
fn next_number(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let mut n: u64 = 0;
    for _ in 0..6 {
        let b = *bytes.get(*at)?;
        *at += 1;
        if b >= 0x80 {
            return None;
        }
        n = n << 6 | u64::from(b & 0x3f);
        if b < 0x40 {
            return u32::try_from(n).ok();
        }
    }
    None
}

/// The terms of a [`Terms::list`], each as its weighted count outside the body times two
/// plus its title bit, its body count, its follower bits and its word's number. Ends
/// early (`None`) at anything [`count_terms`] would not have written, or when `each`
/// says so.
#[inline(always)]
fn for_each_term(list: &str, mut each: impl FnMut(u32, u32, u8, u32) -> bool) -> Option<()> {
    let bytes = list.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let weighted = next_number(bytes, &mut at)?;
        let body = next_number(bytes, &mut at)?;
        let next = u8::try_from(next_number(bytes, &mut at)?).ok()?;
        let word = next_number(bytes, &mut at)?;
        if !each(weighted, body, next, word) {
            return None;
        }
    }
    Some(())
}

/// Every term of a [`Terms::list`], made into a `T` by `each`; panics if the list is
/// not one [`count_terms`] wrote.
#[cfg(test)]
pub(crate) fn terms_of<T>(list: &str, mut each: impl FnMut(u32, u32, u8, u32) -> T) -> Vec<T> {
    let mut all = Vec::new();
    for_each_term(list, |weighted, body, next, word| {
        all.push(each(weighted, body, next, word));
        true
    })
    .expect("a list count_terms wrote");
    all
}

/// Reads the words of `doc` that depend on its file alone: all but its category and tags.
fn read_document(read: &mut Reader<'_, '_>, doc: &Document) -> std::io::Result<()> {
    read.text(&doc.title, Some(TITLE));
    read.text(&doc.summary, Some(SUMMARY));
    // The key points, read as one text.
    read.previous = None;
    for point in doc.key_points.iter() {
        if let Some(label) = &point.label {
            read.more_text(label, Some(KEY_POINT));
        }
        read.more_html(&point.text_html, Some(KEY_POINT));
    }
    // The body, read as one text (intro, and each section's heading and text), each
    // heading also read on its own, weighted above the body.
    let mut body_previous = None;
    let mut body = |read: &mut Reader<'_, '_>, html: &str, plain: bool| {
        read.previous = body_previous;
        if plain {
            read.more_text(html, None);
        } else {
            read.more_html(html, None);
        }
        body_previous = read.previous;
    };
    body(read, &doc.body.intro_html.text()?, false);
    for section in &doc.body.sections {
        read.text(&section.heading, Some(HEADING));
        body(read, &section.heading, true);
        body(read, &section.html.text()?, false);
    }
    for faq in doc.faq.iter() {
        read.text(&faq.question, Some(QUESTION));
        read.text(&faq.answer_text, None);
    }
    Ok(())
}

/// The terms of `article` if they were counted for `language` (and with `vocabulary`,
/// if given).
fn usable_terms<'a>(
    article: &'a Article,
    language: &str,
    vocabulary: Option<&Arc<Vocabulary>>,
) -> Option<&'a Terms> {
    let terms = article.doc.terms.as_ref()?;
    let counted_with = terms.vocabulary.as_ref()?;
    let same = vocabulary.is_none_or(|v| v.id() == counted_with.id());
    (terms.language == language && same).then_some(terms)
}

/// One thread's share of the index: its articles' postings by stem number (of
/// [`Merge::stems`]) and the words they have.
struct Merge {
    stems: Arc<Stems>,
    /// By stem number: what the part holds of it (see [`StemPart`]).
    by_stem: Vec<StemPart>,
    touched: Vec<u32>,
    /// The word numbers of the article being merged.
    words: Vec<u32>,
    /// A bit per word number: whether an article has it.
    used: Vec<u64>,
    /// The stems whose document count went from zero to one, since they were last taken.
    listed: Vec<u32>,
}

/// What a [`Merge`] holds of one stem, side by side: an article's terms touch its count,
/// then its list, its document count and its cut, so one place in memory is read for
/// them, not four (merging is most of a large site's index time, and the stems' places
/// are scattered).
#[derive(Clone)]
struct StemPart {
    /// The counts in the article being merged; zero between articles.
    count: Count,
    /// The best of its documents so far (see [`keep_best`]).
    postings: Vec<Posting>,
    /// How many documents have it.
    documents: u32,
    /// The score within its list (see [`within_stem`]) a document needs to be listed,
    /// once its list has been cut.
    cut: f32,
}

impl Default for StemPart {
    fn default() -> Self {
        StemPart {
            count: Count::default(),
            postings: Vec::new(),
            documents: 0,
            cut: f32::NEG_INFINITY,
        }
    }
}

impl Merge {
    fn new(stems: &Arc<Stems>) -> Merge {
        Merge {
            stems: stems.clone(),
            by_stem: vec![StemPart::default(); stems.names.len()],
            touched: Vec::new(),
            words: Vec::new(),
            used: vec![0; stems.of_word.len().div_ceil(64)],
            listed: Vec::new(),
        }
    }

    /// Takes `stems`, which has the stems this part had and more.
    fn grow(&mut self, stems: Arc<Stems>) {
        self.by_stem.resize_with(stems.names.len(), StemPart::default);
        self.used.resize(stems.of_word.len().div_ceil(64), 0);
        self.stems = stems;
    }
}

/// What [`merge_terms`] counts of one article: its [`Terms`] and the terms of its category
/// and tag names.
struct Counts<'a, T> {
    list: &'a str,
    body_words: u32,
    topics: T,
}

/// Counts an article's terms into `part` by stem (summed over the words of each stem, and
/// the follower bits joined), with the terms of its category and tag names, and gives it
/// a posting for each of its stems. `false`, with nothing counted, if a term names a
/// word the part's stems do not know.
fn merge_terms<'a>(
    part: &mut Merge,
    counts: Counts<'_, impl Iterator<Item = &'a String>>,
    number: u32,
    average_body: f32,
) -> bool {
    let Merge { stems, by_stem, touched, words, .. } = part;
    let of_word = &stems.of_word;
    let mut add = |list: &str| {
        for_each_term(list, |weighted, body, next, word| {
            let Some(&stem) = of_word.get(word as usize) else {
                return false;
            };
            words.push(word);
            let count = &mut by_stem[stem as usize].count;
            if count.body == 0 && count.weighted == 0.0 {
                touched.push(stem);
            }
            // Sums of whole numbers below 2^24: exact in `f32`, in any order.
            count.weighted += (weighted >> 1) as f32;
            count.title |= weighted & 1 == 1;
            count.body += body;
            count.next |= next;
            true
        })
        .is_some()
    };
    let mut whole = add(counts.list);
    for topic in counts.topics {
        whole = whole && add(topic);
    }
    if !whole {
        for stem in touched.drain(..) {
            by_stem[stem as usize].count = Count::default();
        }
        words.clear();
        return false;
    }
    for word in words.drain(..) {
        part.used[word as usize / 64] |= 1 << (word % 64);
    }
    // BM25F: body occurrences count less in a long body, more in a short one.
    let norm = BODY / (1.0 - B + B * counts.body_words as f32 / average_body);
    for number_of_stem in part.touched.drain(..) {
        let stem = &mut part.by_stem[number_of_stem as usize];
        let count = std::mem::take(&mut stem.count);
        let tf = count.weighted + count.body as f32 * norm;
        if stem.documents == 0 {
            part.listed.push(number_of_stem);
        }
        stem.documents += 1;
        add_posting(
            &mut stem.postings,
            &mut stem.cut,
            Posting::new(number, tf, count.title, count.next),
        );
    }
    true
}

/// Adds `posting` to a stem's list in a part, whose documents come in increasing order,
/// if it may be among the best [`PER_WORD`] (see [`keep_best`]). Which are the best does
/// not depend on how many documents have the stem, so a common word's list is cut as it
/// grows rather than held whole (most of the postings of a large site): past `cut`, the
/// score of the last posting kept when it was cut, a later document (whose number is
/// higher) needs more to be listed.
fn add_posting(list: &mut Vec<Posting>, cut: &mut f32, posting: Posting) {
    // Most lists are never cut: no score is computed for them here.
    if *cut > f32::NEG_INFINITY && within_stem(&posting) <= *cut {
        return;
    }
    list.push(posting);
    if list.len() >= 2 * PER_WORD {
        *cut = keep_best(list);
    }
}

/// A posting's score within its stem's list, before the stem's rarity (the same factor
/// for the whole list) multiplies it: saturated frequency, plus the title's bonus.
fn within_stem(p: &Posting) -> f32 {
    let bonus = if p.title() { TITLE_BONUS } else { 0.0 };
    let tf = p.tf();
    tf * (K1 + 1.0) / (tf + K1) + bonus
}

/// The order of a stem's postings, best first: higher [`within_stem`], then lower
/// document number.
fn best_first(a: &Posting, b: &Posting) -> std::cmp::Ordering {
    within_stem(b).total_cmp(&within_stem(a)).then(a.doc().cmp(&b.doc()))
}

/// Keeps the best [`PER_WORD`] postings of `list` (all of them if it has no more), by
/// [`best_first`]: a total order, so the same postings are kept whether a list is cut
/// once or many times, and however the articles were shared between threads. Their order
/// is left as it falls. Returns the score of the last one kept, when the list was cut.
fn keep_best(list: &mut Vec<Posting>) -> f32 {
    if list.len() <= PER_WORD {
        return f32::NEG_INFINITY;
    }
    let (_, last, _) = list.select_nth_unstable_by(PER_WORD - 1, best_first);
    let last = within_stem(last);
    list.truncate(PER_WORD);
    last
}

/// The `meta/<g>.json` files: for each document, `[title, url, date, category]`. With
/// `reuse`, a file is asked for by a hash of those (see [`meta_inputs`]) and made only
/// when the last build's was made from others.
fn write_meta(
    site: &Site,
    articles: &[&Article],
    prefix: &str,
    sink: Sink<'_>,
    reuse: Option<super::Reuse<'_>>,
) -> Result<usize> {
    let links = site.config.base_url.link_str("/");
    let errors: Vec<Error> = articles
        .par_chunks(GROUP)
        .enumerate()
        .filter_map(|(g, group)| {
            let path = format!("{prefix}meta/{g}.json");
            if let Some(reuse) = reuse {
                let hash = meta_inputs(site, &links, group);
                match reuse(Path::new(&path), super::Inputs::Exact(&hash)) {
                    Ok(true) => return None,
                    Ok(false) => {}
                    Err(e) => return Some(e),
                }
            }
            let rows: Vec<(&str, String, String, &str)> = group
                .iter()
                .map(|a| {
                    (
                        a.doc.title.as_str(),
                        site.config.base_url.link(&a.url),
                        a.doc.date.day().to_string(),
                        site.category(a.category).name.as_str(),
                    )
                })
                .collect();
            let json = serde_json::to_vec(&rows).expect("the documents serialise");
            sink(Path::new(&path), &json).err()
        })
        .collect();
    Error::collect(errors)?;
    Ok(articles.len().div_ceil(GROUP))
}

/// A hash of what the `meta/` file of `group` is made from: each article's title, address
/// (with `links`, what every link of the site starts with), day (by its instant and
/// offset) and category's name.
fn meta_inputs(site: &Site, links: &str, group: &[&Article]) -> blake3::Hash {
    let hash = super::hash_written(|bytes| {
        super::put_str(bytes, "gazette index meta 1");
        super::put_str(bytes, links);
        for a in group {
            super::put_str(bytes, &a.doc.title);
            super::put_str(bytes, a.url.as_str());
            bytes.extend_from_slice(&a.doc.date.day_inputs());
            super::put_str(bytes, &site.category(a.category).name);
        }
        Some(())
    });
    hash.expect("every byte is written")
}

/// The document lists of every category and tag that has documents.
fn write_filters(
    site: &Site,
    articles: &[&Article],
    prefix: &str,
    sink: Sink<'_>,
) -> Result<usize> {
    let mut by_category: Vec<Vec<u32>> = vec![Vec::new(); site.categories.len()];
    let mut by_tag: Vec<Vec<u32>> = vec![Vec::new(); site.tags.len()];
    for (number, article) in articles.iter().enumerate() {
        by_category[article.category.index()].push(number as u32);
        for tag in &article.tags {
            by_tag[tag.index()].push(number as u32);
        }
    }
    let mut files = 0;
    for (category, docs) in site.categories.iter().zip(&by_category) {
        if !docs.is_empty() {
            let path = format!("{prefix}filters/c/{}.bin", category.slug.as_str());
            sink(Path::new(&path), &format::filter_file(docs))?;
            files += 1;
        }
    }
    let mut tags: Vec<(&str, &str, usize)> = Vec::new();
    for (tag, docs) in site.tags.iter().zip(&by_tag) {
        if !docs.is_empty() {
            let path = format!("{prefix}filters/t/{}.bin", tag.slug.as_str());
            sink(Path::new(&path), &format::filter_file(docs))?;
            files += 1;
            tags.push((&tag.name, tag.slug.as_str(), docs.len()));
        }
    }
    tags.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let json = serde_json::to_vec(&tags).expect("tags serialise");
    sink(Path::new(&format!("{prefix}tags.json")), &json)?;
    Ok(files + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_in_more_documents_than_the_limit_keeps_only_its_best() {
        let posting = |doc: u32, tf: f32, title: bool| Posting::new(doc, tf, title, 3);
        let common: Vec<Posting> =
            (0..PER_WORD as u32 + 10).map(|d| posting(d, d as f32 + 1.0, false)).collect();
        let documents = [PER_WORD as u32 + 10, 1];
        let scored = score(vec![common, vec![posting(5, 1.0, true)]], &documents, 100_000);
        let list = &scored[0];
        assert!(list.truncated);
        assert_eq!(list.docs.len(), PER_WORD);
        // The ten lowest frequencies went; the rest stay in document order.
        assert_eq!(list.docs[0], 10);
        assert!(list.docs.windows(2).all(|w| w[0] < w[1]));
        assert!(list.scores.iter().all(|&s| (1..128).contains(&s)));
        assert!(list.next.iter().all(|&n| n == 3));
        assert!(!scored[1].truncated);
        assert_eq!(scored[1].docs, [5]);
        // The title bit.
        assert!(scored[1].scores[0] > 128);
    }

    #[test]
    fn a_list_cut_as_it_grows_keeps_what_one_cut_at_the_end_keeps() {
        // Ties (a thousand frequencies, titles or not), documents in a shuffled order.
        let postings: Vec<Posting> = (0..12 * PER_WORD as u32 + 123)
            .map(|i| {
                let doc = i.wrapping_mul(2_654_435_761) % 1_000_003;
                Posting::new(doc, (doc % 1000 + 1) as f32 / 10.0, doc % 101 == 0, 0)
            })
            .collect();
        // The reference: every posting sorted by the order `keep_best` names, the first
        // PER_WORD kept.
        let mut sorted = postings.clone();
        sorted.sort_by(best_first);
        let mut expected: Vec<u32> = sorted[..PER_WORD].iter().map(|p| p.doc()).collect();
        expected.sort_unstable();
        // Cut as `merge_terms` cuts, in two parts joined as the index joins them.
        // Each part's documents in increasing order, as articles come.
        let (first, second) = postings.split_at(postings.len() / 3);
        let mut parts = Vec::new();
        for half in [first, second] {
            let mut half = half.to_vec();
            half.sort_unstable_by_key(|p| p.doc());
            let (mut list, mut cut) = (Vec::new(), f32::NEG_INFINITY);
            for p in half {
                add_posting(&mut list, &mut cut, p);
            }
            assert!(list.len() < 2 * PER_WORD);
            assert!(cut > f32::NEG_INFINITY, "the list was cut");
            parts.push(list);
        }
        let mut joined: Vec<Posting> = parts.concat();
        keep_best(&mut joined);
        let mut kept: Vec<u32> = joined.iter().map(|p| p.doc()).collect();
        kept.sort_unstable();
        assert_eq!(kept, expected);
        // Scored from the cut lists, with the count of every document that has the stem.
        let scored = score(vec![parts.concat()], &[postings.len() as u32], 2_000_000);
        assert!(scored[0].truncated);
        assert_eq!(scored[0].docs, expected);
    }

    #[test]
    fn a_posting_keeps_its_document_frequency_title_and_followers() {
        let last = MAX_DOCUMENTS as u32 - 1;
        for (doc, tf, title, next) in [(0, 0.25, false, 0), (last, 17.5, true, 0xff)] {
            let p = Posting::new(doc, tf, title, next);
            assert_eq!((p.doc(), p.tf(), p.title(), p.next()), (doc, tf, title, next));
        }
        assert_eq!(std::mem::size_of::<Posting>(), 8);
    }

    #[test]
    fn an_index_of_more_documents_than_a_posting_can_number_is_refused() {
        assert!(check_documents(MAX_DOCUMENTS).is_ok());
        match check_documents(MAX_DOCUMENTS + 1) {
            Err(Error::Refused { message, help }) => {
                assert_eq!(
                    message,
                    "the search index holds at most 16777216 articles of one language, and \
                     this site has `16777217`"
                );
                assert_eq!(help, "split the site into several sites");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn words_that_share_a_hash_keep_their_own_stems() {
        let mut part = Part::default();
        // Every word under one hash (which `word_hash` never gives two words of the same
        // length up to eight bytes): a longer word is found by its bytes, not by the hash
        // alone, and a shorter by its length.
        let words =
            ["rates", "rate", "a", "longer-than-eight", "longer-than-nine", "sixteen-bytes-ok"];
        let stems: Vec<u32> = words.iter().map(|w| part.stem(w.as_bytes(), 7, None).0).collect();
        assert_eq!(stems, [0, 1, 2, 3, 4, 5]);
        for (word, stem) in words.iter().zip(&stems) {
            assert_eq!(part.stem(word.as_bytes(), 7, None).0, *stem, "{word}");
        }
        assert_eq!(part.words, words.len());
    }

    #[test]
    fn the_table_of_words_finds_every_word_after_growing() {
        let mut part = Part::default();
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let words: Vec<String> = (0..5000).map(|n| format!("w{n}x")).collect();
        let first: Vec<(u32, u8)> = words
            .iter()
            .map(|w| part.stem(w.as_bytes(), text::word_hash(w.as_bytes()), Some(&stemmer)))
            .collect();
        assert!(part.table.len() >= 2 * words.len());
        for (word, found) in words.iter().zip(&first) {
            let again = part.stem(word.as_bytes(), text::word_hash(word.as_bytes()), None);
            assert_eq!(again, *found, "{word}");
            assert_eq!(again.1, follower_bit(&stemmer.stem(word)));
        }
        assert_eq!(part.words, words.len());
        // Stemmed: `rates` and `rate` share a stem, and each word still has its own slot.
        let rates = part.stem(b"rates", text::word_hash(b"rates"), Some(&stemmer));
        let rate = part.stem(b"rate", text::word_hash(b"rate"), Some(&stemmer));
        assert_eq!(rates, rate);
        assert_eq!(part.words, words.len() + 2);
    }

    /// An article whose words share stems within and across fields (`rates`, `rate`,
    /// `rated`, `rating`), in the title, the summary, key points, headings, the body and
    /// the answers, with words that follow others in several fields, and text outside ASCII.
    const RATES: &str = "---\ntitle: Rates rise as rating agencies rate banks\n\
        date: 2026-01-02\ncategory: World\n\
        summary: \"Rising rates: what a rate rise means.\"\n\
        key_points:\n  - \"Rates: banks rated lower.\"\n  - \"Économie and economie fold.\"\n\
        faq:\n  - question: \"Why do rates rise?\"\n    answer: \"Because banks **rate** risk.\"\n\
        ---\n\nRates rose. The rate of rising rates rose again.\n\n\
        ## Rate rises\n\nBanks rate banks; rating rates &amp; rates.\n\n\
        ## Économie\n\nL'économie, don't 3.5 U.S. 東京の天気 rates\n";

    fn document(text: &str) -> Document {
        let yaml = "title: T\nbase_url: https://example.com/\n";
        let config =
            crate::config::parse_config(Path::new("/nonexistent"), yaml).expect("site.yaml parses");
        crate::site::parse_document(Path::new("content/world/rates.md"), text, &config, None, None)
            .expect("the article parses")
    }

    /// Each stem's posting as (frequency's bits, title, followers), by stem.
    fn postings_by_stem(part: &Part) -> FxHashMap<String, (u32, bool, u8)> {
        part.stems
            .iter()
            .filter(|&(_, &n)| !part.postings[n as usize].is_empty())
            .map(|(stem, &n)| {
                let list = &part.postings[n as usize];
                assert_eq!(list.len(), 1, "{stem}");
                (stem.clone(), (list[0].tf().to_bits(), list[0].title(), list[0].next()))
            })
            .collect()
    }

    /// The postings of `doc` counted as the index counted before terms: every word read
    /// straight into its stem's counts.
    fn read_by_stem(
        doc: &Document,
        topics: &[&str],
        stemmer: Option<&rust_stemmers::Stemmer>,
        average_body: f32,
    ) -> (FxHashMap<String, (u32, bool, u8)>, u32) {
        let mut part = Part::default();
        let mut read = Reader::new(&mut part, stemmer);
        read_document(&mut read, doc).expect("in memory");
        for topic in topics {
            read.text(topic, Some(TOPIC));
        }
        let norm = BODY / (1.0 - B + B * read.body_words as f32 / average_body);
        let body_words = read.body_words;
        let Reader { part, touched, .. } = read;
        for stem in touched {
            let count = std::mem::take(&mut part.counts[stem as usize]);
            let tf = count.weighted + count.body as f32 * norm;
            part.postings[stem as usize].push(Posting::new(0, tf, count.title, count.next));
        }
        (postings_by_stem(part), body_words)
    }

    /// Each stem's posting as (frequency's bits, title, followers), by stem, of a part
    /// that merged one article.
    fn merged_by_stem(part: &Merge) -> FxHashMap<String, (u32, bool, u8)> {
        part.by_stem
            .iter()
            .map(|s| &s.postings)
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(n, list)| {
                let stem = part.stems.names[n].to_string();
                assert_eq!(list.len(), 1, "{stem}");
                (stem, (list[0].tf().to_bits(), list[0].title(), list[0].next()))
            })
            .collect()
    }

    /// Merges `terms` with the terms of `topics` into a new part.
    fn merge_one(
        terms: &Terms,
        topics: &[&str],
        language: &str,
        average_body: f32,
    ) -> (Merge, bool) {
        let vocabulary = terms.vocabulary.clone().expect("counted here");
        let topics: Vec<String> = topics
            .iter()
            .map(|t| count_text(t, TOPIC, language, &vocabulary).expect("in memory"))
            .collect();
        let algorithm = text::stemmer_for(language).map(|(_, a)| a);
        let mut part = Merge::new(&vocabulary.stems(language, algorithm));
        let list = terms.list.to_text();
        let counts = Counts { list: &list, body_words: terms.body_words, topics: topics.iter() };
        let merged = merge_terms(&mut part, counts, 0, average_body);
        (part, merged)
    }

    #[test]
    fn terms_merged_by_stem_give_what_reading_every_word_by_stem_gives() {
        let doc = document(RATES);
        let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
        let topics = ["World", "Rate policy", "banks"];
        let vocabulary = Vocabulary::new();
        let terms = count_terms(&doc, "en", &vocabulary).expect("in memory");
        assert_eq!(terms.language, "en");
        for average_body in [1.0, 7.5, 40.0] {
            let (expected, body_words) = read_by_stem(&doc, &topics, Some(&stemmer), average_body);
            assert_eq!(terms.body_words, body_words);
            let (part, merged) = merge_one(&terms, &topics, "en", average_body);
            assert!(merged);
            assert_eq!(merged_by_stem(&part), expected, "average body {average_body}");
            // The stems were shared: fewer stems than words.
            let stems = &part.stems;
            assert!(stems.names.len() < stems.of_word.len(), "{} stems", stems.names.len());
            let rating = vocabulary.find("rating").expect("a word of the article");
            assert_eq!(&*stems.names[stems.of_word[rating as usize] as usize], "rate");
            // Every word of the article and its topics is marked, and only those.
            let used = (0..vocabulary.len() as u32)
                .filter(|&w| part.used[w as usize / 64] >> (w % 64) & 1 == 1)
                .count();
            assert_eq!(used, vocabulary.len());
        }
    }

    #[test]
    fn terms_count_each_word_and_merge_its_stem_by_hand() {
        let doc = document(
            "---\ntitle: Rate rates\ndate: 2026-01-02\ncategory: World\nsummary: Rates.\n---\n\nRates rise.\n",
        );
        let vocabulary = Vocabulary::new();
        let terms = count_terms(&doc, "en", &vocabulary).expect("in memory");
        let names = vocabulary.words();
        let mut words = Vec::new();
        for_each_term(&terms.list.to_text(), |weighted, body, next, word| {
            words.push((names[word as usize].to_string(), weighted, body, next));
            true
        })
        .expect("the list reads back");
        let rate = follower_bit("rate");
        let rise = follower_bit("rise");
        // (word, weighted count times two plus the title bit, body count, followers)
        let expected = [
            ("rate".to_owned(), 8 << 1 | 1, 0, rate),
            ("rates".to_owned(), (8 + 2) << 1 | 1, 1, rise),
            ("rise".to_owned(), 0, 1, 0),
        ];
        assert_eq!(words, expected);
        assert_eq!(terms.body_words, 2);
        let (part, merged) = merge_one(&terms, &["Rates"], "en", 2.0);
        assert!(merged);
        // `rate`: 8 + 8 + 2 outside the body, 3 for the topic, and 1 in a body of average
        // length; followed by `rates` (stem `rate`) in the title and `rise` in the body.
        let merged = merged_by_stem(&part);
        assert_eq!(merged["rate"], ((8.0f32 + 8.0 + 2.0 + 3.0 + 1.0).to_bits(), true, rate | rise));
        assert_eq!(merged["rise"], (1.0f32.to_bits(), false, 0));
        assert_eq!(merged.len(), 2);
    }

    #[test]
    fn terms_naming_a_word_the_stems_do_not_know_are_refused_and_nothing_is_counted() {
        let doc = document(RATES);
        let vocabulary = Vocabulary::new();
        let terms = count_terms(&doc, "en", &vocabulary).expect("in memory");
        // Stems taken before any word was numbered: the part knows none of them.
        let mut part = Merge::new(&Vocabulary::new().stems("en", None));
        let list = terms.list.to_text();
        let counts = Counts { list: &list, body_words: 9, topics: std::iter::empty() };
        assert!(!merge_terms(&mut part, counts, 0, 5.0));
        assert!(part.touched.is_empty() && part.words.is_empty());
        assert!(part.by_stem.iter().all(|s| s.postings.is_empty() && s.documents == 0));
        // Once they are known, the same terms merge.
        part.grow(vocabulary.stems("en", Some(rust_stemmers::Algorithm::English)));
        let counts = Counts { list: &list, body_words: 9, topics: std::iter::empty() };
        assert!(merge_terms(&mut part, counts, 0, 5.0));
        assert!(part.by_stem.iter().all(|s| s.count == Count::default()));
        assert!(part.by_stem.iter().any(|s| !s.postings.is_empty()));
    }

    #[test]
    fn terms_follow_the_language_and_vocabulary_they_were_counted_with() {
        let doc = document(RATES);
        let vocabulary = Vocabulary::new();
        let english = count_terms(&doc, "en", &vocabulary).expect("in memory");
        let french = count_terms(&doc, "fr", &vocabulary).expect("in memory");
        let none = count_terms(&doc, "xx", &vocabulary).expect("in memory");
        assert_eq!(count_terms(&doc, "en", &vocabulary).expect("in memory"), english);
        assert_ne!(english.list, french.list);
        assert_ne!(english.list, none.list);
        assert_eq!((french.language.as_str(), none.language.as_str()), ("fr", "xx"));
        assert_eq!(english.body_words, none.body_words);
        // Another vocabulary numbers the words apart.
        let other = Vocabulary::new();
        other.number("zzz");
        let apart = count_terms(&doc, "en", &other).expect("in memory");
        assert_ne!(apart, english);
        assert_eq!(apart.body_words, english.body_words);
    }

    #[test]
    fn numbers_of_a_terms_list_read_back_at_every_size() {
        let numbers = [0, 1, 0x3f, 0x40, 0xfff, 0x1000, 0x3_ffff, 0x4_0000, 0xff_ffff];
        let numbers = numbers.into_iter().chain([16_777_215 << 1 | 1, u32::MAX - 1, u32::MAX]);
        for n in numbers {
            let mut list = Vec::new();
            for field in [n, n, 0xff, n] {
                push_number(&mut list, field);
            }
            assert!(list.is_ascii());
            let list = String::from_utf8(list).expect("ASCII");
            let mut read = Vec::new();
            for_each_term(&list, |w, b, next, word| {
                read.push((w, b, next, word));
                true
            })
            .expect("reads back");
            assert_eq!(read, [(n, n, 0xff, n)], "{n:#x}");
            // Six bits a byte: three times `n`'s length, and two bytes for 0xff.
            let bits = 32 - n.leading_zeros().min(31);
            assert_eq!(list.len(), 3 * (bits as usize).div_ceil(6) + 2, "{n:#x}");
        }
        let refused = |list: &str| for_each_term(list, |_, _, _, _| true).is_none();
        // Cut short, followers past eight bits, a number past 32 bits, a byte no number
        // has: refused, not misread.
        assert!(refused("\u{1}\u{1}\u{1}"));
        assert!(refused("\u{1}\u{1}\u{1}\u{5}\u{1}"));
        assert!(refused("\u{1}\u{1}\u{1}\u{41}"));
        assert!(refused("\u{1}\u{1}\u{44}\u{0}\u{0}"));
        assert!(refused("\u{1}\u{1}\u{1}\u{44}\u{7f}\u{7f}\u{7f}\u{7f}\u{3f}"));
        assert!(refused("\u{1}\u{1}\u{1}é"));
        // Stopped by the caller.
        assert!(for_each_term("\u{1}\u{1}\u{1}\u{0}", |_, _, _, _| false).is_none());
    }

    /// The bodies of the small site of [`index_files`].
    const BODIES: [&str; 4] = [
        "Rates rose as banks rated the rating agencies.",
        "The economy and the économie fold; rates fall.",
        "Bonds, rates and banks: a quokka's view of zymurgy.",
        "Rating rates again, with 東京の天気 and U.S. banks.",
    ];

    /// Every file the index of a small site writes, with the articles' terms made by
    /// `terms` (given each article's number and document).
    fn index_files(
        terms: impl Fn(usize, &Document) -> Option<Terms>,
    ) -> std::collections::BTreeMap<String, Vec<u8>> {
        let (files, counts) = index_files_with(&BODIES, &terms, BLOCK, None);
        assert_eq!((counts.merged, counts.kept), (1, 0));
        // The same in blocks of one, two and three articles.
        for block in [1, 2, 3] {
            let (in_blocks, counts) = index_files_with(&BODIES, &terms, block, None);
            assert_eq!(in_blocks, files, "blocks of {block}");
            assert_eq!(counts.merged, BODIES.len().div_ceil(block));
        }
        files
    }

    type Files = std::collections::BTreeMap<String, Vec<u8>>;

    /// Every file the index of a small site with `bodies` writes, its articles merged by
    /// blocks of `block` kept in `cache`, and how many blocks were merged and read back.
    fn index_files_with(
        bodies: &[&str],
        terms: &dyn Fn(usize, &Document) -> Option<Terms>,
        block: usize,
        cache: Option<&BlockCache>,
    ) -> (std::collections::BTreeMap<String, Vec<u8>>, BlockCounts) {
        index_files_kept(bodies, terms, block, cache, None)
    }

    /// What a build cache records of the shards of the last build: each file, and the
    /// hash of the inputs it was made from (see `crate::cache::Written`).
    type Recorded = std::collections::BTreeMap<String, (Vec<u8>, blake3::Hash)>;

    /// [`index_files_with`], keeping each shard `last` recorded with the same inputs as
    /// a build cache does (its file is the last one), and recording the others there.
    fn index_files_kept(
        bodies: &[&str],
        terms: &dyn Fn(usize, &Document) -> Option<Terms>,
        block: usize,
        cache: Option<&BlockCache>,
        last: Option<&std::sync::Mutex<Recorded>>,
    ) -> (std::collections::BTreeMap<String, Vec<u8>>, BlockCounts) {
        let yaml = "title: T\nbase_url: https://example.com/\n";
        let config =
            crate::config::parse_config(Path::new("/nonexistent"), yaml).expect("site.yaml parses");
        let documents = bodies
            .iter()
            .enumerate()
            .map(|(n, body)| {
                // Article `n` dated `n` days after the first: the index puts it `n`th
                // from the last.
                let date = jiff::civil::date(1990, 1, 1)
                    .checked_add(jiff::Span::new().days(n as i64))
                    .expect("in range");
                let text = format!(
                    "---\ntitle: Rates story {n}\ndate: {date}\ncategory: {}\n\
                     tags: [rate policy, banks]\nsummary: Summary {n} of rates.\n---\n\n\
                     {body}\n\n## Rising rates\n\n{body}\n",
                    ["World", "Economy"][n % 2],
                );
                let rel = format!("content/world/story-{n}.md");
                let mut doc =
                    crate::site::parse_document(Path::new(&rel), &text, &config, None, None)
                        .expect("the article parses");
                doc.terms = terms(n, &doc);
                Arc::new(doc)
            })
            .collect();
        let now = jiff::Timestamp::from_second(1_800_000_000).expect("in range");
        let site = Site::assemble(config, documents, Vec::new(), now, &mut |_| {})
            .expect("the site assembles");
        let files = std::sync::Mutex::new(std::collections::BTreeMap::new());
        let sink = |path: &Path, bytes: &[u8]| {
            files.lock().unwrap().insert(path.display().to_string(), bytes.to_vec());
            Ok(())
        };
        let articles: Vec<&Article> = site.articles.iter().collect();
        // Asked with a hash: kept when the last build recorded that one; noted otherwise.
        let (reused, noted) =
            (std::sync::Mutex::new(Recorded::new()), std::sync::Mutex::new(FxHashMap::default()));
        let reuse = |path: &Path, inputs: crate::render::Inputs<'_>| {
            let crate::render::Inputs::Exact(hash) = inputs else { return Ok(false) };
            let key = path.display().to_string();
            let last = last.expect("asked only with a reuse").lock().unwrap();
            noted.lock().unwrap().remove(&key);
            if let Some((bytes, made_from)) = last.get(&key).filter(|(_, h)| h == hash) {
                reused.lock().unwrap().insert(key, (bytes.clone(), *made_from));
                return Ok(true);
            }
            noted.lock().unwrap().insert(key, *hash);
            Ok(false)
        };
        let reuse = last.is_some().then_some(&reuse as crate::render::Reuse<'_>);
        let kept = Kept { blocks: cache, shards: reuse };
        let (_, counts) = write_search_index(&site, &articles, "en", "search/", &sink, kept, block)
            .expect("the index is written");
        let mut files = files.into_inner().unwrap();
        if let Some(last) = last {
            let noted = noted.into_inner().unwrap();
            let mut recorded = reused.into_inner().unwrap();
            for (key, bytes) in &files {
                if let Some(hash) = noted.get(key) {
                    recorded.insert(key.clone(), (bytes.clone(), *hash));
                }
            }
            for (key, (bytes, _)) in &recorded {
                if let Some(made) = files.insert(key.clone(), bytes.clone()) {
                    assert!(noted.contains_key(key), "{key} kept and made");
                    assert_eq!(made, *bytes);
                }
            }
            *last.lock().unwrap() = recorded;
        }
        (files, counts)
    }

    /// The shards a rebuild keeps are those the last build made from the same keys and
    /// lists: the index is the one a build without a cache writes, and an edit makes
    /// only the shards of the stems it changed.
    #[test]
    fn shards_kept_between_builds_give_the_index_a_build_without_a_cache_gives() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let cache = BlockCache { dir: folder.path().to_owned(), write: true };
        let vocabulary = Vocabulary::new();
        let terms = |_: usize, doc: &Document| count_terms(doc, "en", &vocabulary).ok();
        // Some 6,000 words, four articles each: a dozen shards or more.
        let body = |n: usize| -> String {
            let words = (0..40).map(|i| format!("word{}", (n * 31 + i * 150 + i * i) % 6000));
            words.collect::<Vec<_>>().join(" ")
        };
        let mut bodies: Vec<String> = (0..600).map(body).collect();
        let last = std::sync::Mutex::new(Recorded::new());
        let build = |bodies: &[String]| {
            let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
            index_files_kept(&bodies, &terms, 64, Some(&cache), Some(&last))
        };
        let expected = |bodies: &[String]| {
            let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
            index_files_with(&bodies, &terms, BLOCK, None).0
        };
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "a first build");
        assert!(counts.shards >= 12, "{counts:?}");
        assert_eq!(counts.shards_made, counts.shards);
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "nothing changed");
        assert_eq!(counts.shards_made, 0, "{counts:?}");

        // A body edit: one word for another, new to the site, at the same length (a
        // body's length weighs every word of it).
        bodies[300] = body(300).replacen("word", "zymurgy", 1);
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "one body edited");
        // The shards of the word taken away, of the new one and of the word before
        // them (whose followers changed), and one whose cut may have moved.
        assert!(counts.shards_made > 0 && counts.shards_made <= 5, "{counts:?}");
        let (_, counts) = build(&bodies);
        assert_eq!(counts.shards_made, 0);

        // One more article, the oldest (the others keep their numbers): every score may
        // move, so every shard is made.
        bodies.insert(0, body(600));
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "an article added");
        assert_eq!(counts.shards_made, counts.shards);

        // The last shards' first keys lost, then wrong: every shard made, and right.
        let keys = folder.path().join("index-en").join("shards");
        std::fs::remove_file(&keys).expect("written");
        bodies[10] = body(11);
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "without the last shards' keys");
        assert_eq!(counts.shards_made, counts.shards);
        let mut bytes = std::fs::read(&keys).expect("written again");
        let shift = bytes.len() / 2;
        bytes[shift] ^= 1;
        std::fs::write(&keys, &bytes).expect("written");
        bodies[10] = body(12);
        let (files, counts) = build(&bodies);
        assert!(files == expected(&bodies), "with damaged shard keys");
        assert_eq!(counts.shards_made, counts.shards);
    }

    #[test]
    fn blocks_kept_between_builds_give_the_index_one_merge_of_every_article_gives() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let cache = BlockCache { dir: folder.path().to_owned(), write: true };
        let counts = |merged, kept| (merged, kept);
        // The words numbered as the parse cache numbers them: once, and in order.
        let vocabulary = Vocabulary::new();
        let terms = |_: usize, doc: &Document| count_terms(doc, "en", &vocabulary).ok();
        let build = |bodies: &[&str], cache| {
            let (files, counts) = index_files_with(bodies, &terms, 2, cache);
            (files, (counts.merged, counts.kept))
        };
        let expected = |bodies: &[&str]| index_files_with(bodies, &|_, _| None, BLOCK, None).0;
        let blocks = folder.path().join("index-en");

        let first = expected(&BODIES);
        assert_eq!(build(&BODIES, Some(&cache)), (first.clone(), counts(2, 0)));
        assert!(blocks.join("0.bin").is_file() && blocks.join("1.bin").is_file());
        assert_eq!(build(&BODIES, Some(&cache)), (first.clone(), counts(0, 2)));

        // One body edited (as many words, so the average body is the same): its block
        // alone is merged again.
        let mut edited = BODIES;
        edited[3] = "Rating rates again, with 東京の天気 and U.S. quokkas.";
        let second = expected(&edited);
        assert_ne!(second, first);
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(1, 1)));
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(0, 2)));

        // A damaged block and a cut one are merged again, never used. The damage is one
        // that reads back as a block that holds together: the first posting's frequency
        // four times what it was (its file: the magic, identity, words' count and hash,
        // three lengths, then the stems, counts, ends and bars, four bytes each a stem,
        // and their postings' hashes, sixteen bytes each).
        let zero = blocks.join("0.bin");
        let mut bytes = std::fs::read(&zero).expect("written");
        let head = blocks::MAGIC.len() + 32 + 8 + 32;
        let stems = u64::from_le_bytes(bytes[head..head + 8].try_into().unwrap()) as usize;
        let first_tf = head + 24 + 32 * stems + 4;
        bytes[first_tf + 3] ^= 0x01;
        std::fs::write(&zero, &bytes).expect("written");
        let one = blocks.join("1.bin");
        let len = std::fs::metadata(&one).expect("written").len();
        std::fs::OpenOptions::new().write(true).open(&one).unwrap().set_len(len - 9).unwrap();
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(2, 0)));
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(0, 2)));

        // A block file in another block's place: merged again.
        let other = BlockCache { dir: folder.path().join("other"), write: true };
        let (_, merged) = build(&edited, Some(&other));
        assert_eq!(merged, counts(2, 0));
        std::fs::copy(other.dir.join("index-en/1.bin"), blocks.join("0.bin")).unwrap();
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(1, 1)));

        // Blocks of a larger site are removed, and what a killed build was writing; a
        // cache only read writes nothing.
        std::fs::write(blocks.join("7.bin"), b"left over").unwrap();
        std::fs::write(blocks.join("1.999999.tmp"), b"cut short").unwrap();
        assert_eq!(build(&edited, Some(&cache)), (second.clone(), counts(0, 2)));
        assert!(!blocks.join("7.bin").exists());
        assert!(!blocks.join("1.999999.tmp").exists());
        assert!(blocks.join("1.bin").exists());
        let read_only = BlockCache { dir: folder.path().join("read"), write: false };
        assert_eq!(build(&edited, Some(&read_only)), (second, counts(2, 0)));
        assert!(!read_only.dir.exists());
    }

    /// The fallback of the kept blocks' bars: when edits take away the postings a stem's
    /// bar kept, so that fewer than [`PER_WORD`] of those joined reach the highest bar,
    /// the postings the kept blocks left out may be among the best, and every block is
    /// merged again.
    #[test]
    fn a_stem_whose_kept_blocks_left_out_too_much_has_every_block_merged_again() {
        const ARTICLES: usize = 4 * PER_WORD;
        const IN_BLOCK: usize = PER_WORD / 3;
        let folder = tempfile::tempdir().expect("a temporary folder");
        let cache = BlockCache { dir: folder.path().to_owned(), write: true };
        let vocabulary = Vocabulary::new();
        let terms = |_: usize, doc: &Document| count_terms(doc, "en", &vocabulary).ok();
        // Ten words a body, `rates` among them `times` times: the more, the better the
        // article's posting of the stem `rate` (every article has it, in its title too).
        let body = |times: usize| {
            let mut words = vec!["rates"; times];
            words.resize(10, "filler");
            words.join(" ")
        };
        // By place in the index (newest first): the best 2 x PER_WORD postings first,
        // with the stem 3 to 8 times, then the rest with it twice; edited, the first
        // 5 x PER_WORD / 3 postings have it once.
        let bodies = |edited: bool| -> Vec<String> {
            (0..ARTICLES)
                .map(|n| {
                    let place = ARTICLES - 1 - n;
                    match place {
                        p if edited && p < 5 * PER_WORD / 3 => body(1),
                        p if p < 2 * PER_WORD => body(3 + p % 6),
                        _ => body(2),
                    }
                })
                .collect()
        };
        let build = |bodies: &[String], cache| {
            let bodies: Vec<&str> = bodies.iter().map(String::as_str).collect();
            index_files_with(&bodies, &terms, IN_BLOCK, cache)
        };
        let expected = |bodies: &[String]| build(bodies, None).0;
        // Compared whole, not shown: the files of 12,000 articles.
        let same = |built: (Files, BlockCounts), files: &Files, merged, kept| {
            assert!(built.0 == *files, "the index differs from one merge of every article");
            assert_eq!((built.1.merged, built.1.kept), (merged, kept));
        };
        let blocks = ARTICLES / IN_BLOCK;

        let before = bodies(false);
        let first = expected(&before);
        same(build(&before, Some(&cache)), &first, blocks, 0);
        // Read back: the bar of `rate` is its 2 x PER_WORD-th best, so the blocks past
        // the first six kept none of its postings (all under the bar).
        same(build(&before, Some(&cache)), &first, 0, blocks);

        // Five blocks edited: the one block left with postings at the bar holds
        // PER_WORD / 3 of them, too few; the best after them are the postings the last
        // blocks left out (twice the stem, against once in the edited ones).
        let after = bodies(true);
        let second = expected(&after);
        same(build(&after, Some(&cache)), &second, blocks, 0);
        same(build(&after, Some(&cache)), &second, 0, blocks);
    }

    #[test]
    fn the_index_is_the_same_whatever_vocabulary_or_language_the_terms_were_counted_with() {
        let expected = index_files(|_, _| None);
        assert!(expected.keys().any(|k| k.starts_with("search/shards/")));
        let one = Vocabulary::new();
        assert_eq!(index_files(|_, doc| count_terms(doc, "en", &one).ok()), expected);
        // Two vocabularies (the fewer's terms counted again), another language, none.
        let (a, b) = (Vocabulary::new(), Vocabulary::new());
        b.number("unrelated");
        let mixed = index_files(|n, doc| match n {
            0 => count_terms(doc, "en", &b).ok(),
            1 => count_terms(doc, "fr", &a).ok(),
            2 => None,
            _ => count_terms(doc, "en", &a).ok(),
        });
        assert_eq!(mixed, expected);
        // Terms that name words their vocabulary does not have: counted again.
        let c = Vocabulary::new();
        let damaged = index_files(|n, doc| {
            let mut terms = count_terms(doc, "en", &c).ok()?;
            if n == 2 {
                let mut list = Vec::new();
                for number in [2, 1, 0, 1_000_000] {
                    push_number(&mut list, number);
                }
                let list = String::from_utf8(list).expect("ASCII");
                terms.hash = *blake3::hash(list.as_bytes()).as_bytes();
                terms.list = list.into();
            }
            Some(terms)
        });
        assert_eq!(damaged, expected);
    }

    #[test]
    fn follower_bits_are_one_bit_of_eight() {
        for stem in ["", "rate", "économie", "世界"] {
            assert_eq!(follower_bit(stem).count_ones(), 1, "{stem}");
        }
        // FNV-1a of "a" is 0xe40c292c.
        assert_eq!(follower_bit("a"), 1 << 4);
    }
}
