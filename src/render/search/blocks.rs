//! The index's articles merged in blocks of [`BLOCK`], each block's merge kept in the
//! build cache between builds (issue 15): a rebuild merges again only the blocks whose
//! articles' terms changed, and joins the others as the last build left them.
//!
//! A block keeps, for each stem its articles have, how many of them have it and the best
//! [`PER_WORD`] of their postings (all of them if fewer). The best of a stem in the whole
//! index are among the best of each block, and the document counts add up, so joining the
//! blocks gives [`super::score`] what one merge of every article gives it: the index is
//! the same whatever the blocks, and whether each was merged now or read back.
//!
//! A block is written with less: of a stem found in more than twice [`PER_WORD`]
//! articles, only the postings at or above its bar, the score within the stem (see
//! [`within_stem`]) of its 2 x [`PER_WORD`]-th best in the whole index at that join. A
//! posting left out of a block scores under that block's bar, so under the highest bar
//! of the blocks joined: when at least [`PER_WORD`] of the postings joined score at or
//! above it, the best are all among them, and the index is still the same. When fewer
//! do (edits took the best away), every block is merged again.
//!
//! A block also keeps, for each of its stems, a hash of its postings as the file holds
//! them. With the document counts, these make a hash of each stem's scored list's inputs
//! in the whole index ([`stem_hashes`]), by which a rebuild keeps the shards made from
//! the same lists and scores only the stems of the others.
//!
//! A block file is kept for what it was merged from: the block's place, every one of its
//! articles' terms (by the hash each list was made with, so a kept block reads no list)
//! and topics, the average body length, the language and this gazette (its identity
//! hash), and the words its stems were numbered with (a prefix of this build's
//! vocabulary). A file that does not match, is damaged (checksum) or does not hold
//! together is merged again, never used.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::vocabulary::Stems;
use super::{
    Counts, Merge, PER_WORD, Posting, Scored, Vocabulary, keep_best, merge_terms, within_stem,
};
use crate::error::Result;
use crate::site::{Article, Terms};

/// How many articles (in the index's order) a block holds.
pub(crate) const BLOCK: usize = 2048;

/// What a block file starts with; another gazette's files are merged again anyway (the
/// identity hash holds the build's).
pub(super) const MAGIC: &[u8] = b"gazette index block 2\n";

/// Where the index keeps its blocks between builds, and whether this build may write
/// there (`check` only reads).
#[derive(Clone, Debug)]
pub(crate) struct BlockCache {
    pub(crate) dir: PathBuf,
    pub(crate) write: bool,
}

/// How many blocks a build merged, and how many it read back; how many shards it made,
/// of how many (the others were the last build's, made from the same inputs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BlockCounts {
    pub(crate) merged: usize,
    pub(crate) kept: usize,
    pub(crate) shards_made: usize,
    pub(crate) shards: usize,
}

/// What is merged: the articles, in the index's order, with what each is merged from.
pub(super) struct Inputs<'a> {
    pub(super) articles: &'a [&'a Article],
    /// An article's terms counted again (see `write_search_index`), or `None`.
    pub(super) recounted: &'a [Option<Terms>],
    /// The terms of each category's and tag's name.
    pub(super) categories: &'a [String],
    pub(super) tags: &'a [String],
    pub(super) language: &'a str,
    pub(super) stemmer: Option<rust_stemmers::Algorithm>,
    pub(super) vocabulary: &'a Arc<Vocabulary>,
    pub(super) average_body: f32,
}

/// The blocks joined: every stem's postings (at least the best [`PER_WORD`] of each) are
/// its postings in each block, in block order, left where they are until they are scored
/// (see [`Joined::score`]); how many documents have each stem; a bit per word for those
/// the articles have.
pub(super) struct Joined {
    taken: Vec<Taken>,
    /// How many stems a range of the join holds (a thread's share): [`Joined::score`] goes
    /// over the stems by the same ranges.
    range: usize,
    documents: Vec<u32>,
    /// What the scores are scaled from (see [`super::top_weight`]).
    top: f32,
    pub(super) used: Vec<u64>,
    pub(super) stems: Arc<Stems>,
    pub(super) counts: BlockCounts,
    /// Whether each stem has postings in some block.
    pub(super) listed: Vec<bool>,
    /// Whether every block has its stems' [`PieceHash`]es (the block cache is written).
    hashed: bool,
}

impl Joined {
    /// Every stem's scored list, by stem number, for an index of `all` documents: each
    /// list gathered from the blocks into one buffer a thread reuses (copied into lists of
    /// their own, they would be every posting again, in fresh memory).
    pub(super) fn score(&self, all: usize) -> Vec<Scored> {
        let stems = self.documents.len();
        let ranges: Vec<Vec<Scored>> = (0..stems)
            .step_by(self.range)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map_init(Vec::new, |list, low| {
                let high = (low + self.range).min(stems);
                let mut pieces = Pieces::new(&self.taken, low);
                (low..high)
                    .map(|stem| {
                        list.clear();
                        for piece in pieces.of(stem) {
                            list.extend_from_slice(piece);
                        }
                        let df = self.documents[stem];
                        super::scored(list, df, super::idf(df, all), self.top)
                    })
                    .collect()
            })
            .collect();
        ranges.into_iter().flatten().collect()
    }

    /// With the block cache written: a hash of each stem's scored list's inputs (see
    /// [`stem_hashes`]), by stem.
    pub(super) fn inputs(&self) -> Option<Vec<PieceHash>> {
        self.hashed.then(|| stem_hashes(&self.taken, &self.documents, self.range))
    }

    /// The scored list of one `stem` (see [`Joined::score`]), its postings found in each
    /// block by a search: for the few stems of the shards a rebuild makes again.
    pub(super) fn score_one(&self, stem: u32, all: usize) -> Scored {
        let mut list = Vec::new();
        for t in &self.taken {
            let block = &t.block;
            if let Ok(at) = block.stems.binary_search(&stem) {
                let from = at.checked_sub(1).map_or(0, |i| block.ends[i] as usize);
                list.extend_from_slice(&block.postings[from..block.ends[at] as usize]);
            }
        }
        let df = self.documents[stem as usize];
        super::scored(&mut list, df, super::idf(df, all), self.top)
    }
}

/// A 128-bit hash of a stem's postings in a block, as its file holds them.
pub(super) type PieceHash = [u8; 16];

/// The [`PieceHash`] of `postings`.
fn hash_piece<'a>(postings: impl Iterator<Item = &'a Posting>) -> PieceHash {
    use siphasher::sip128::Hasher128;
    use std::hash::Hasher;
    let mut hasher = siphasher::sip128::SipHasher13::new();
    for p in postings {
        hasher.write_u64(u64::from(p.doc_next) | u64::from(p.signed_tf.to_bits()) << 32);
    }
    hasher.finish128().as_bytes()
}

/// The postings of `list` that a block file keeps under `bar` (see [`encode`]).
fn kept_of(list: &[Posting], bar: f32) -> impl Iterator<Item = &Posting> {
    let whole = bar == f32::NEG_INFINITY;
    list.iter().filter(move |p| whole || within_stem(p) >= bar)
}

/// The postings of each stem in every block, stem after stem from a first one: a cursor
/// into each block's stems (which increase).
struct Pieces<'a> {
    taken: &'a [Taken],
    at: Vec<usize>,
}

impl<'a> Pieces<'a> {
    fn new(taken: &'a [Taken], low: usize) -> Self {
        let at = taken.iter().map(|t| t.block.stems.partition_point(|&s| (s as usize) < low));
        Pieces { taken, at: at.collect() }
    }

    /// Each block that has `stem` (asked in increasing order), with the stem's place in it.
    fn blocks_of(&mut self, stem: usize) -> impl Iterator<Item = (&'a Block, usize)> + '_ {
        self.taken.iter().zip(self.at.iter_mut()).filter_map(move |(t, at)| {
            let block = &t.block;
            if block.stems.get(*at).is_none_or(|&s| s as usize != stem) {
                return None;
            }
            *at += 1;
            Some((block, *at - 1))
        })
    }

    /// Each block's postings of `stem` (asked in increasing order), with the block's
    /// document count and bar for it.
    fn of_with(&mut self, stem: usize) -> impl Iterator<Item = (&'a [Posting], u32, f32)> + '_ {
        self.blocks_of(stem).map(|(block, at)| {
            let from = at.checked_sub(1).map_or(0, |i| block.ends[i] as usize);
            let piece = &block.postings[from..block.ends[at] as usize];
            (piece, block.documents[at], block.bars[at])
        })
    }

    /// Each block's postings of `stem` (asked in increasing order).
    fn of(&mut self, stem: usize) -> impl Iterator<Item = &'a [Posting]> + '_ {
        self.of_with(stem).map(|(piece, _, _)| piece)
    }
}

/// One block's merge (see the module's notes).
struct Block {
    /// The stems its articles have, by number, increasing.
    stems: Vec<u32>,
    /// For each of `stems`: how many of its articles have it, and where its postings end.
    documents: Vec<u32>,
    ends: Vec<u32>,
    postings: Vec<Posting>,
    /// For each of `stems`: the score within its list (see [`within_stem`]) under which
    /// its postings were left out when the block was written (`NEG_INFINITY`: none were).
    bars: Vec<f32>,
    /// A bit per word number: the words its articles have.
    used: Vec<u64>,
    /// For each of `stems`, with the block cache written: the [`PieceHash`] of its
    /// postings as the file holds them (empty otherwise).
    hashes: Vec<PieceHash>,
}

impl Block {
    /// Each of its stems' postings, with the stem's bar in `bars` (by stem number).
    fn pieces<'b>(&'b self, bars: &'b [f32]) -> impl Iterator<Item = (&'b [Posting], f32)> + 'b {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&end| end as usize));
        let ranges = starts.zip(&self.ends).map(|(from, &end)| from..end as usize);
        self.stems
            .iter()
            .zip(ranges)
            .map(|(&stem, range)| (&self.postings[range], bars[stem as usize]))
    }
}

/// Merges `inputs` by blocks of `block` articles, reading back from `cache` each block
/// kept for the same inputs and writing there each block merged (when it may).
pub(super) fn merge(
    inputs: &Inputs<'_>,
    block: usize,
    cache: Option<&BlockCache>,
) -> Result<Joined> {
    if let Some(joined) = merge_with(inputs, block, cache, true)? {
        return Ok(joined);
    }
    // A stem whose kept blocks left out too much: every block merged again.
    Ok(merge_with(inputs, block, cache, false)?.expect("blocks merged now leave nothing out"))
}

/// A block of this build, with what it was merged from and whether it was merged now.
struct Taken {
    block: Block,
    merged: bool,
    identity: [u8; 32],
    words: usize,
}

/// [`merge`], reading kept blocks if `read`; `None` if a stem's kept blocks left out
/// postings that may now be among its best.
fn merge_with(
    inputs: &Inputs<'_>,
    block: usize,
    cache: Option<&BlockCache>,
    read: bool,
) -> Result<Option<Joined>> {
    let dir = cache.map(|c| c.dir.join(folder_name(inputs.language)));
    let words = inputs.vocabulary.words();
    let prefixes = std::sync::Mutex::new(rustc_hash::FxHashMap::default());
    let prefix_of = |len: usize| -> [u8; 32] {
        let mut known = prefixes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *known.entry(len).or_insert_with(|| prefix_hash(&words[..len]))
    };
    let file_of = |n: usize| dir.as_ref().map(|d| d.join(format!("{n}.bin")));
    let starts: Vec<usize> = (0..inputs.articles.len()).step_by(block.max(1)).collect();
    let mut taken: Vec<Taken> = starts
        .par_iter()
        .enumerate()
        .map_init(
            || None,
            |merge, (n, &start)| {
                let end = (start + block).min(inputs.articles.len());
                let identity = identity(inputs, start..end);
                let kept = file_of(n)
                    .filter(|_| read)
                    .and_then(|f| read_block(&f, &identity, start..end, words.len(), &prefix_of));
                if let Some(block) = kept {
                    return Ok(Taken { block, merged: false, identity, words: 0 });
                }
                let merge = merge.get_or_insert_with(|| {
                    Merge::new(&inputs.vocabulary.stems(inputs.language, inputs.stemmer))
                });
                let (block, words) = merge_block(merge, inputs, start..end)?;
                Ok(Taken { block, merged: true, identity, words })
            },
        )
        .collect::<Result<_>>()?;

    let stems = inputs.vocabulary.stems(inputs.language, inputs.stemmer);
    let mut counts = BlockCounts::default();
    let mut used = vec![0; stems.of_word.len().div_ceil(64)];
    for t in &taken {
        if t.merged {
            counts.merged += 1;
        } else {
            counts.kept += 1;
        }
        for (into, bits) in used.iter_mut().zip(&t.block.used) {
            *into |= bits;
        }
    }
    // Joined by ranges of stems, each range on a thread: how many documents have each
    // stem, the highest bar of the blocks that have it, the next bars and the highest
    // weight, read from the blocks' postings where they are.
    let all = stems.names.len();
    let documents_in_index = inputs.articles.len();
    let range = all.div_ceil(rayon::current_num_threads() * 8).max(1024);
    type Range = (Vec<u32>, Vec<f32>, Vec<bool>);
    let ranges: Option<Vec<Range>> = (0..all)
        .step_by(range)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|low| {
            let high = (low + range).min(all);
            let mut pieces = Pieces::new(&taken, low);
            let mut documents = Vec::with_capacity(high - low);
            let mut next_bars = Vec::with_capacity(high - low);
            let mut listed = Vec::with_capacity(high - low);
            let keep = 2 * PER_WORD;
            let mut found: Vec<&[Posting]> = Vec::new();
            for stem in low..high {
                found.clear();
                let (mut df, mut bar) = (0, f32::NEG_INFINITY);
                for (piece, piece_df, piece_bar) in pieces.of_with(stem) {
                    found.push(piece);
                    df += piece_df;
                    bar = bar.max(piece_bar);
                }
                documents.push(df);
                // Every posting a block left out scores under its bar: the best of a stem
                // are known if at least as many as are listed score at or above the
                // highest. Most lists have no bar and are short: no score is computed.
                let none = bar == f32::NEG_INFINITY;
                let len: usize = found.iter().map(|p| p.len()).sum();
                listed.push(len > 0);
                if none && len <= keep {
                    next_bars.push(bar);
                    continue;
                }
                let listed = || found.iter().copied().flatten();
                let above = |p: &&Posting| none || within_stem(p) >= bar;
                let count = if none { len } else { listed().filter(above).count() };
                if !none && count < PER_WORD {
                    return None;
                }
                // The next bar: the score of the best 2 x PER_WORD, if there are more.
                next_bars.push(if count > keep {
                    let mut scores: Vec<f32> = listed().filter(above).map(within_stem).collect();
                    let (_, nth, _) =
                        scores.select_nth_unstable_by(keep - 1, |a, b| b.total_cmp(a));
                    *nth
                } else {
                    bar
                });
            }
            Some((documents, next_bars, listed))
        })
        .collect();
    let Some(ranges) = ranges else { return Ok(None) };
    let mut documents = Vec::with_capacity(all);
    let mut next_bars = Vec::with_capacity(all);
    let mut listed = Vec::with_capacity(all);
    for (range_documents, bars, range_listed) in ranges {
        documents.extend(range_documents);
        next_bars.extend(bars);
        listed.extend(range_listed);
    }
    let top = super::top_weight(documents_in_index);
    let writing = cache.is_some_and(|c| c.write);
    // The blocks merged now: each stem's postings hashed as the file keeps them, the
    // blocks read back having theirs.
    if writing {
        taken.par_iter_mut().filter(|t| t.merged).for_each(|t| {
            let pieces = t.block.pieces(&next_bars);
            let hashes = pieces.map(|(list, bar)| hash_piece(kept_of(list, bar))).collect();
            t.block.hashes = hashes;
        });
    }
    // The blocks merged now, kept with only what may be among their stems' best.
    if writing {
        taken.par_iter().enumerate().filter(|(_, t)| t.merged).for_each(|(n, t)| {
            if let Some(file) = file_of(n) {
                // A block that cannot be written is merged again next time.
                let prefix = prefix_of(t.words);
                let _ = write_block(&file, &t.identity, t.words, &prefix, &t.block, &next_bars);
            }
        });
        if let Some(dir) = &dir {
            remove_others(dir, starts.len());
        }
    }
    let hashed = writing;
    Ok(Some(Joined { taken, range, documents, top, used, stems, counts, listed, hashed }))
}

/// For each stem, a hash of what its scored list is made from: how many documents have
/// it, and its postings in each block (their [`PieceHash`], in block order). Two builds
/// whose stem has the same hash score the same list (see the module's notes: a block's
/// postings as its file keeps them give the list they give merged whole).
fn stem_hashes(taken: &[Taken], documents: &[u32], range: usize) -> Vec<PieceHash> {
    use siphasher::sip128::Hasher128;
    use std::hash::Hasher;
    let ranges: Vec<Vec<PieceHash>> = (0..documents.len())
        .step_by(range)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|low| {
            let high = (low + range).min(documents.len());
            let mut pieces = Pieces::new(taken, low);
            (low..high)
                .map(|stem| {
                    let mut hasher = siphasher::sip128::SipHasher13::new();
                    hasher.write_u32(documents[stem]);
                    for (block, at) in pieces.blocks_of(stem) {
                        hasher.write(&block.hashes[at]);
                    }
                    hasher.finish128().as_bytes()
                })
                .collect()
        })
        .collect();
    ranges.into_iter().flatten().collect()
}

/// Merges the articles `range` of `inputs` into `merge` (left empty again, its stems
/// grown if a recount numbered new words) and takes the block out, with how many words
/// its stems were numbered from.
fn merge_block(
    merge: &mut Merge,
    inputs: &Inputs<'_>,
    range: std::ops::Range<usize>,
) -> Result<(Block, usize)> {
    let io = super::parked_io;
    let Inputs { language, vocabulary, stemmer, average_body, .. } = *inputs;
    for number in range {
        let article = inputs.articles[number];
        let topics = std::iter::once(&inputs.categories[article.category.index()])
            .chain(article.tags.iter().map(|t| &inputs.tags[t.index()]));
        let terms = inputs.recounted[number].as_ref().or(article.doc.terms.as_ref());
        let terms = terms.expect("terms usable or counted again");
        let list = terms.list.text().map_err(io)?;
        let counts = Counts { list: &list, body_words: terms.body_words, topics: topics.clone() };
        if merge_terms(merge, counts, number as u32, average_body) {
            continue;
        }
        // Numbers these stems do not have (a parse cache changed under us): counted
        // again, from the document.
        let again = super::count_terms(&article.doc, language, vocabulary).map_err(io)?;
        merge.grow(vocabulary.stems(language, stemmer));
        let list = again.list.text().map_err(io)?;
        let counts = Counts { list: &list, body_words: again.body_words, topics };
        assert!(merge_terms(merge, counts, number as u32, average_body));
    }
    let words_used = merge.stems.of_word.len();
    let mut stems = std::mem::take(&mut merge.listed);
    stems.sort_unstable();
    let mut block = Block {
        documents: Vec::with_capacity(stems.len()),
        ends: Vec::with_capacity(stems.len()),
        postings: Vec::new(),
        bars: vec![f32::NEG_INFINITY; stems.len()],
        used: std::mem::replace(&mut merge.used, vec![0; words_used.div_ceil(64)]),
        stems: Vec::new(),
        hashes: Vec::new(),
    };
    // The lists made ready first, so that the block's postings are made at their size
    // (millions of them, and a copy at each doubling).
    let mut postings = 0;
    for &stem in &stems {
        let entry = &mut merge.by_stem[stem as usize];
        // By document, as they were added, unless the list was cut.
        keep_best(&mut entry.postings);
        if !entry.postings.is_sorted_by_key(|p| p.doc_next) {
            entry.postings.sort_unstable_by_key(|p| p.doc_next);
        }
        postings += entry.postings.len();
    }
    block.postings.reserve_exact(postings);
    for &stem in &stems {
        let entry = &mut merge.by_stem[stem as usize];
        block.postings.extend_from_slice(&entry.postings);
        block.documents.push(entry.documents);
        block.ends.push(block.postings.len() as u32);
        entry.postings.clear();
        entry.documents = 0;
        entry.cut = f32::NEG_INFINITY;
    }
    block.stems = stems;
    Ok((block, words_used))
}

/// The hash of what the block of articles `range` is merged from.
fn identity(inputs: &Inputs<'_>, range: std::ops::Range<usize>) -> [u8; 32] {
    let mut hash = blake3::Hasher::new();
    let mut put = |bytes: &[u8]| {
        hash.update(&(bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    };
    put(MAGIC);
    put(env!("GAZETTE_BUILD_ID").as_bytes());
    put(inputs.language.as_bytes());
    put(format!("{:?}", inputs.stemmer).as_bytes());
    put(&(PER_WORD as u64).to_le_bytes());
    put(&inputs.average_body.to_bits().to_le_bytes());
    put(&(range.start as u64).to_le_bytes());
    put(&(range.len() as u64).to_le_bytes());
    for number in range {
        let article = inputs.articles[number];
        let terms = inputs.recounted[number].as_ref().or(article.doc.terms.as_ref());
        let terms = terms.expect("terms usable or counted again");
        put(&terms.hash);
        put(&terms.body_words.to_le_bytes());
        put(inputs.categories[article.category.index()].as_bytes());
        put(&(article.tags.len() as u64).to_le_bytes());
        for tag in &article.tags {
            put(inputs.tags[tag.index()].as_bytes());
        }
    }
    *hash.finalize().as_bytes()
}

/// The hash of the words a block's stems were numbered from.
fn prefix_hash(words: &[Arc<str>]) -> [u8; 32] {
    let mut hash = blake3::Hasher::new();
    for word in words {
        hash.update(&(word.len() as u64).to_le_bytes());
        hash.update(word.as_bytes());
    }
    *hash.finalize().as_bytes()
}

/// The folder of a language's blocks.
fn folder_name(language: &str) -> String {
    let safe: String =
        language.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("index-{safe}")
}

/// Writes `block` to `file` (through a temporary file renamed over it), each stem's
/// postings under its bar in `bars` (by stem number) left out and that bar noted: the
/// magic, the identity, the words' count and hash, the block, then a checksum of all of
/// it.
fn write_block(
    file: &Path,
    identity: &[u8; 32],
    words: usize,
    prefix: &[u8; 32],
    block: &Block,
    bars: &[f32],
) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    let temporary = file.with_extension(format!("{}.tmp", std::process::id()));
    let written = fs::File::create(&temporary).and_then(|f| {
        let mut out = Out {
            file: f,
            buffer: Vec::with_capacity(2 * Out::CHUNK),
            sum: crc32fast::Hasher::new(),
        };
        out.put(MAGIC)?;
        out.put(identity)?;
        out.put(&(words as u64).to_le_bytes())?;
        out.put(prefix)?;
        encode(&mut out, block, bars)?;
        out.finish()
    });
    match written.and_then(|()| fs::rename(&temporary, file)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&temporary);
            Err(e)
        }
    }
}

/// The bytes of a block file on their way to it: through a small buffer, their checksum
/// taken as they go (a large site's block is megabytes, and one buffer its size would be
/// fresh memory, every block of every build).
struct Out {
    file: fs::File,
    buffer: Vec<u8>,
    sum: crc32fast::Hasher,
}

impl Out {
    /// How many bytes are written at once.
    const CHUNK: usize = 1 << 16;

    /// Inlined, so that a number's bytes (most of a block) are a store, not a call.
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= Self::CHUNK {
            return self.flush();
        }
        Ok(())
    }

    #[inline(never)]
    fn flush(&mut self) -> std::io::Result<()> {
        self.sum.update(&self.buffer);
        self.file.write_all(&self.buffer)?;
        self.buffer.clear();
        Ok(())
    }

    /// Writes what is left, then the checksum of all the bytes.
    fn finish(mut self) -> std::io::Result<()> {
        self.sum.update(&self.buffer);
        let sum = self.sum.finalize().to_le_bytes();
        self.buffer.extend_from_slice(&sum);
        self.file.write_all(&self.buffer)
    }
}

/// The block kept in `file` if it was merged from `identity`, with stems numbered from
/// a prefix of this build's `words` words (`prefix_of` gives the hash of a prefix), its
/// checksum holds and its content holds together for the articles `range`.
fn read_block(
    file: &Path,
    identity: &[u8; 32],
    range: std::ops::Range<usize>,
    words: usize,
    prefix_of: &dyn Fn(usize) -> [u8; 32],
) -> Option<Block> {
    let bytes = fs::read(file).ok()?;
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    if crc32fast::hash(body).to_le_bytes() != *sum {
        return None;
    }
    let rest = body.strip_prefix(MAGIC)?;
    let (kept_identity, rest) = rest.split_at_checked(32)?;
    if kept_identity != identity {
        return None;
    }
    let (count, rest) = rest.split_at_checked(8)?;
    let count = usize::try_from(u64::from_le_bytes(count.try_into().ok()?)).ok()?;
    let (prefix, rest) = rest.split_at_checked(32)?;
    if count > words || prefix != prefix_of(count) {
        return None;
    }
    let block = decode(rest)?;
    holds_together(&block, range, count).then_some(block)
}

/// Whether a block read back could have been merged from the articles `range` with the
/// stems of `words` words: anything else (a file from some other build that happened to
/// pass the checks above) is merged again.
fn holds_together(block: &Block, range: std::ops::Range<usize>, words: usize) -> bool {
    let n = block.stems.len();
    let lengths = block.documents.len() == n
        && block.ends.len() == n
        && block.bars.len() == n
        && block.hashes.len() == n;
    let increasing = block.stems.windows(2).all(|w| w[0] < w[1]);
    // A stem is numbered by one of the words at most.
    let stems_known = block.stems.last().is_none_or(|&s| (s as usize) < words);
    let mut from = 0;
    let lists = block.ends.iter().zip(&block.documents).zip(&block.bars).all(
        |((&end, &documents), &bar)| {
            let end = end as usize;
            let fine = from <= end
                && end <= block.postings.len()
                && end - from <= PER_WORD
                && end - from <= documents as usize
                && documents as usize <= range.len()
                && !bar.is_nan()
                // Most stems have no bar: no score is computed for them.
                && (bar == f32::NEG_INFINITY
                    || block.postings[from..end].iter().all(|p| within_stem(p) >= bar));
            from = end;
            fine
        },
    );
    let all_listed = block.ends.last().map_or(0, |&e| e as usize) == block.postings.len();
    let documents = block
        .postings
        .iter()
        .all(|p| range.contains(&(p.doc() as usize)) && p.tf() > 0.0 && p.tf().is_finite());
    let used = block.used.len() <= words.div_ceil(64);
    lengths && increasing && stems_known && lists && all_listed && documents && used
}

/// Writes `block` to `out`, each stem's postings under its bar in `bars` (by stem number)
/// left out and that bar noted: the number of its stems, postings and words' bit words
/// (eight bytes each), then its stems, document counts, ends, bars, postings' hashes
/// (sixteen bytes each), postings (document and followers, then frequency) and bits,
/// little-endian. Written and read as plain numbers: a large site's blocks hold millions
/// of postings, and a rebuild reads every block but the changed ones.
fn encode(out: &mut Out, block: &Block, bars: &[f32]) -> std::io::Result<()> {
    // Each stem's postings kept, as a range of the block's, and its bar.
    let kept: Vec<(&[Posting], f32)> = block.pieces(bars).collect();
    // Only a common stem has a bar: the others are kept whole, with no score computed.
    let lengths: Vec<u32> = kept
        .iter()
        .map(|&(list, bar)| {
            let n = if bar == f32::NEG_INFINITY { list.len() } else { kept_of(list, bar).count() };
            n as u32
        })
        .collect();
    let postings: usize = lengths.iter().map(|&n| n as usize).sum();
    for n in [block.stems.len(), postings, block.used.len()] {
        out.put(&(n as u64).to_le_bytes())?;
    }
    for n in block.stems.iter().chain(&block.documents) {
        out.put(&n.to_le_bytes())?;
    }
    let mut end = 0;
    for n in &lengths {
        end += n;
        out.put(&end.to_le_bytes())?;
    }
    for k in &kept {
        out.put(&k.1.to_bits().to_le_bytes())?;
    }
    for hash in &block.hashes {
        out.put(hash)?;
    }
    for p in kept.iter().flat_map(|&(list, bar)| kept_of(list, bar)) {
        let mut bytes = [0; 8];
        bytes[..4].copy_from_slice(&p.doc_next.to_le_bytes());
        bytes[4..].copy_from_slice(&p.signed_tf.to_bits().to_le_bytes());
        out.put(&bytes)?;
    }
    for n in &block.used {
        out.put(&n.to_le_bytes())?;
    }
    Ok(())
}

/// The block [`encode`] wrote in `bytes`, if that is all they hold.
fn decode(bytes: &[u8]) -> Option<Block> {
    let number = |at: usize| -> Option<usize> {
        let raw = bytes.get(at..at + 8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(raw)).ok()
    };
    let (stems, postings, used) = (number(0)?, number(8)?, number(16)?);
    let sizes = [stems.checked_mul(32)?, postings.checked_mul(8)?, used.checked_mul(8)?];
    let total = sizes.iter().try_fold(24usize, |sum, &n| sum.checked_add(n))?;
    if bytes.len() != total {
        return None;
    }
    let u32s = |at: usize, n: usize| -> Vec<u32> {
        bytes[at..at + 4 * n]
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
            .collect()
    };
    let at = 24;
    let (stem_numbers, documents, ends) =
        (u32s(at, stems), u32s(at + 4 * stems, stems), u32s(at + 8 * stems, stems));
    let bars = u32s(at + 12 * stems, stems).into_iter().map(f32::from_bits).collect();
    let at = at + 16 * stems;
    let hashes = bytes[at..at + 16 * stems]
        .chunks_exact(16)
        .map(|b| b.try_into().expect("sixteen bytes"))
        .collect();
    let at = at + 16 * stems;
    let postings_read = bytes[at..at + 8 * postings]
        .chunks_exact(8)
        .map(|b| Posting {
            doc_next: u32::from_le_bytes(b[..4].try_into().expect("four bytes")),
            signed_tf: f32::from_bits(u32::from_le_bytes(b[4..].try_into().expect("four bytes"))),
        })
        .collect();
    let at = at + 8 * postings;
    let used = bytes[at..]
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
        .collect();
    Some(Block {
        stems: stem_numbers,
        documents,
        ends,
        postings: postings_read,
        bars,
        used,
        hashes,
    })
}

/// The file of a language's folder that keeps the first key of each shard of the last
/// build: where this build's shards may begin (see `write_search_index`).
const SHARDS_FILE: &str = "shards";

/// What [`SHARDS_FILE`] starts with.
const SHARDS_MAGIC: &[u8] = b"gazette index shards 1\n";

/// The first key of each shard of the last build, as [`write_shard_keys`] kept them; none
/// when the file is missing or damaged. Only a guess of where shards begin: a shard is
/// kept for the hash of its keys and lists, never for these.
pub(super) fn read_shard_keys(cache: &BlockCache, language: &str) -> Vec<String> {
    let file = cache.dir.join(folder_name(language)).join(SHARDS_FILE);
    let Ok(bytes) = fs::read(file) else { return Vec::new() };
    let parse = || -> Option<Vec<String>> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
        if crc32fast::hash(body).to_le_bytes() != *sum {
            return None;
        }
        let mut rest = body.strip_prefix(SHARDS_MAGIC)?;
        let mut keys = Vec::new();
        while !rest.is_empty() {
            let (len, tail) = rest.split_at_checked(4)?;
            let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
            let (key, tail) = tail.split_at_checked(len)?;
            keys.push(std::str::from_utf8(key).ok()?.to_owned());
            rest = tail;
        }
        Some(keys)
    };
    parse().unwrap_or_default()
}

/// Keeps `keys`, the first key of each shard of this build, for the next (see
/// [`read_shard_keys`]); a file that cannot be written only costs the next build the
/// making of every shard.
pub(super) fn write_shard_keys(cache: &BlockCache, language: &str, keys: &[String]) {
    let dir = cache.dir.join(folder_name(language));
    let mut bytes = SHARDS_MAGIC.to_vec();
    for key in keys {
        bytes.extend_from_slice(&(key.len() as u32).to_le_bytes());
        bytes.extend_from_slice(key.as_bytes());
    }
    bytes.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
    let file = dir.join(SHARDS_FILE);
    let temporary = file.with_extension(format!("{}.tmp", std::process::id()));
    let written = fs::create_dir_all(&dir)
        .and_then(|()| fs::write(&temporary, &bytes))
        .and_then(|()| fs::rename(&temporary, &file));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
        let _ = fs::remove_file(&file);
    }
}

/// Removes the block files of `dir` numbered `blocks` or more (of a larger site), and
/// the temporary files a build cut short left (this build's are all renamed or removed
/// by now, and no other build writes here while it holds the cache's lock).
fn remove_others(dir: &Path, blocks: usize) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_str();
        let number = name.and_then(|n| n.strip_suffix(".bin")).and_then(|n| n.parse().ok());
        let left_over = name.is_some_and(|n| n.ends_with(".tmp"));
        if left_over || number.is_some_and(|n: usize| n >= blocks) {
            let _ = fs::remove_file(entry.path());
        }
    }
}
