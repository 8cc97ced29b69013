//! The byte layout of the index's shard and filter files (see docs/search.md).
//!
//! Numbers are LEB128 varints; document numbers are written as gaps from the previous one,
//! so that long lists are mostly one byte a document and compress well.

/// The first byte of every shard file.
pub(crate) const SHARD_VERSION: u8 = 2;

/// What a key of a shard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A stem no word of the site is spelled as: reached only from a word's entry.
    Stem = 0,
    /// A word that is its own stem, with the postings of that stem.
    Word = 1,
    /// A word whose stem is another key.
    Redirect = 2,
}

/// One list of documents with their scores, sorted by document number.
pub(crate) struct Postings<'a> {
    pub(crate) docs: &'a [u32],
    pub(crate) scores: &'a [u8],
    /// Per document, the follower bits of the stems that come right after this one.
    pub(crate) next: &'a [u8],
    /// Only the best-scoring documents are listed; others hold the word too.
    pub(crate) truncated: bool,
}

pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Writes a shard's entries, which come sorted by key.
#[derive(Default)]
pub(crate) struct ShardWriter {
    out: Vec<u8>,
    entries: u64,
    previous: Vec<u8>,
}

impl ShardWriter {
    pub(crate) fn entry(&mut self, key: &str, kind: Kind) {
        let key = key.as_bytes();
        let shared = key.iter().zip(&self.previous).take_while(|(a, b)| a == b).count();
        push_varint(&mut self.out, shared as u64);
        push_varint(&mut self.out, (key.len() - shared) as u64);
        self.out.extend_from_slice(&key[shared..]);
        self.out.push(kind as u8);
        self.previous.clear();
        self.previous.extend_from_slice(key);
        self.entries += 1;
    }

    pub(crate) fn redirect(&mut self, key: &str, stem: &str) {
        self.entry(key, Kind::Redirect);
        push_varint(&mut self.out, stem.len() as u64);
        self.out.extend_from_slice(stem.as_bytes());
    }

    pub(crate) fn postings(&mut self, key: &str, kind: Kind, postings: &Postings<'_>) {
        self.entry(key, kind);
        push_varint(&mut self.out, postings.docs.len() as u64);
        self.out.push(u8::from(postings.truncated));
        push_gaps(&mut self.out, postings.docs);
        self.out.extend_from_slice(postings.scores);
        self.out.extend_from_slice(postings.next);
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut file = Vec::with_capacity(self.out.len() + 6);
        file.push(SHARD_VERSION);
        push_varint(&mut file, self.entries);
        file.extend_from_slice(&self.out);
        file
    }
}

/// Sorted document numbers as gaps from the previous (the first from 0).
pub(crate) fn push_gaps(out: &mut Vec<u8>, docs: &[u32]) {
    let mut previous = 0;
    for &doc in docs {
        push_varint(out, u64::from(doc - previous));
        previous = doc;
    }
}

/// A filter file: how many documents, then their numbers as gaps.
pub(crate) fn filter_file(docs: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(docs.len() + 4);
    push_varint(&mut out, docs.len() as u64);
    push_gaps(&mut out, docs);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_their_prefix_with_the_previous_key() {
        let mut shard = ShardWriter::default();
        let postings =
            Postings { docs: &[3, 200], scores: &[9, 255], next: &[0, 16], truncated: false };
        shard.postings("rate", Kind::Word, &postings);
        shard.redirect("rates", "rate");
        assert_eq!(
            shard.finish(),
            [
                2, 2, // version, entries
                0, 4, b'r', b'a', b't', b'e', 1, 2, 0, 3, 197, 1, 9, 255, 0,
                16, // "rate", 2 docs
                4, 1, b's', 2, 4, b'r', b'a', b't', b'e', // "rates" -> "rate"
            ]
        );
    }
}
