//! Text for the search index: HTML to plain text, words by Unicode rules, folded and stemmed.
//!
//! The search page's script splits a query with the browser's `Intl.Segmenter` and folds
//! each word the same way [`fold`] does, so the words it looks up are the words written here.

use std::borrow::Cow;

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use unicode_normalization::UnicodeNormalization;

/// The text of an HTML fragment: tags dropped (each as a space, so words on either side of
/// `</p><p>` stay apart), the entities gazette's renderer writes decoded, whitespace collapsed.
/// Appended to `out`. The index reads HTML without building this text
/// ([`for_each_html_word`], [`for_each_plain_folded`]); the tests hold them to it.
#[cfg(test)]
pub(crate) fn push_html_text(out: &mut String, html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        push_collapsed(out, &rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            push_space(out);
        } else {
            let (decoded, len) = entity(rest);
            push_collapsed(out, decoded);
            rest = &rest[len..];
        }
    }
    push_collapsed(out, rest);
}

#[cfg(test)]
fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
fn push_collapsed(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            out.push_str(&text[start..i]);
            push_space(out);
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[start..]);
}

/// The character an entity at the start of `text` stands for, and the entity's length.
/// Anything not understood stays as written.
fn entity(text: &str) -> (&str, usize) {
    const NAMED: [(&str, &str); 6] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&nbsp;", " "),
    ];
    for (name, value) in NAMED {
        if text.starts_with(name) {
            return (value, name.len());
        }
    }
    ("&", 1)
}

/// Case and accents folded away: `Économie` and `economie` are one word. Only the
/// combining accents of Latin, Greek and Cyrillic (U+0300 to U+036F) go; the marks of
/// other scripts (Thai vowels, Japanese voicing) carry meaning and stay.
pub(crate) fn fold(word: &str) -> Cow<'_, str> {
    if word.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return Cow::Borrowed(word);
    }
    if word.is_ascii() {
        return Cow::Owned(word.to_ascii_lowercase());
    }
    let stripped: String =
        word.nfd().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).nfc().collect();
    Cow::Owned(stripped.to_lowercase())
}

/// Scripts written without spaces between words, which need a dictionary (Chinese,
/// Japanese) or a model (Thai, Lao, Khmer, Burmese) to find where words end.
fn needs_dictionary(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}'     // Thai, Lao
        | '\u{1000}'..='\u{109F}'   // Myanmar
        | '\u{1780}'..='\u{17FF}'   // Khmer
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'   // halfwidth Katakana
        | '\u{20000}'..='\u{2FA1F}' // CJK extensions B and on
    )
}

/// Calls `each` with every word of `text`, in order, as written (not folded).
///
/// Words follow the Unicode word boundary rules (UAX #29), as `Intl.Segmenter` finds them
/// in the browser. Text in scripts written without spaces goes through ICU4X's dictionary
/// and LSTM segmenter; other text takes a fast path with the same result for the cases
/// news text has: letters, digits and marks, joined across a single `'`, `’`, `.` or `_`
/// between two of them (`don't`, `3.5`, `U.S`).
pub(crate) fn for_each_word<'t>(text: &'t str, mut each: impl FnMut(&'t str)) {
    if text.is_ascii() {
        return for_each_ascii_word(text, each);
    }
    if text.chars().any(needs_dictionary) {
        let segmenter = WordSegmenter::new_auto(WordBreakInvariantOptions::default());
        let mut breaks = segmenter.segment_str(text);
        let mut start = breaks.next().unwrap_or(0);
        // A segment is a word when it holds a letter or digit: ICU4X 2.1 calls the last
        // Thai word before a space "not word-like".
        for end in breaks {
            let segment = &text[start..end];
            if segment.chars().any(char::is_alphanumeric) {
                each(segment);
            }
            start = end;
        }
        return;
    }
    let word_char = |c: char| c.is_alphanumeric() || c == '_' || is_mark(c);
    split_words(text, text.char_indices(), word_char, |c| matches!(c, '\'' | '’' | '.'), each);
}

/// The bytes an ASCII word is made of: letters, digits and `_`.
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

/// [`for_each_word`] for ASCII text, byte by byte: most of an English site. The same words
/// as [`split_words`] finds, in one tight loop (the index reads every word of the site).
fn for_each_ascii_word<'t>(text: &'t str, mut each: impl FnMut(&'t str)) {
    let bytes = text.as_bytes();
    let word = |i: usize| bytes.get(i).is_some_and(|&b| WORD_BYTE[usize::from(b)]);
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && !WORD_BYTE[usize::from(bytes[i])] {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let start = i;
        loop {
            while word(i) {
                i += 1;
            }
            // A single `'` or `.` between two word bytes keeps the word together.
            if matches!(bytes.get(i), Some(b'\'' | b'.')) && word(i + 1) {
                i += 1;
            } else {
                break;
            }
        }
        each(&text[start..i]);
    }
}

/// Whether [`for_each_plain_folded`] can read `text`: every letter, digit and mark in it
/// is ASCII (punctuation such as `“`, `’` or `—` may be anything). Most text of an English
/// site is, typographic quotes and all.
pub(crate) fn plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Sixteen bytes at a time while they are ASCII (`is_ascii` reads words, not bytes).
        if bytes[i..].len() >= 16 && bytes[i..i + 16].is_ascii() {
            i += 16;
            continue;
        }
        if bytes[i].is_ascii() {
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a character starts here");
        if c.is_alphanumeric() || is_mark(c) {
            return false;
        }
        i += c.len_utf8();
    }
    true
}

/// Calls `each` with every word of `text` (which must be [`plain`]), folded (lowercased
/// into `folded`), and its [`word_hash`]: the words [`for_each_word`] finds, and [`fold`]
/// folds, in one pass over the bytes. With `html`, `text` is an HTML fragment read as
/// [`push_html_text`] reads it: a tag ends a word, an entity stands for its character
/// (`&#39;` joins a word as `'` does).
pub(crate) fn for_each_plain_folded(
    text: &str,
    html: bool,
    folded: &mut Vec<u8>,
    mut each: impl FnMut(&[u8], u64),
) {
    const RIGHT_QUOTE: &[u8] = "\u{2019}".as_bytes();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let word_at = |i: usize| bytes.get(i).is_some_and(|&b| WORD_BYTE[usize::from(b)]);
    // The length of the joiner at `i` if it keeps a word together: a single `'`, `’` or
    // `.` between two word bytes (or `&#39;` in HTML); 0 if there is none.
    let joiner_at = |i: usize| {
        let rest = &bytes[i.min(n)..];
        let joiner = match rest.first() {
            Some(b'\'' | b'.') => 1,
            Some(0xe2) if rest.starts_with(RIGHT_QUOTE) => RIGHT_QUOTE.len(),
            Some(b'&') if html && rest.starts_with(b"&#39;") => 5,
            _ => 0,
        };
        if joiner > 0 && word_at(i + joiner) { joiner } else { 0 }
    };
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if !WORD_BYTE[usize::from(b)] {
            i += match b {
                b'<' if html => {
                    bytes[i..].iter().position(|&b| b == b'>').map_or(n - i, |end| end + 1)
                }
                b'&' if html => entity(&text[i..]).1,
                // Punctuation beyond ASCII: the length of its UTF-8 sequence.
                0xc0.. => b.leading_ones() as usize,
                _ => 1,
            };
            continue;
        }
        // Most words: shorter than sixteen bytes, with no joiner (see `short_word`).
        let start = i;
        let mut entity = false;
        let found = short_word(bytes, i).filter(|&(len, ..)| joiner_at(i + len) == 0);
        let (hash, capitals) = match found {
            Some((len, hash, capitals)) => {
                i += len;
                (hash, capitals)
            }
            None => {
                // The word's end, and whether it holds an entity.
                loop {
                    i += 1;
                    while word_at(i) {
                        i += 1;
                    }
                    match joiner_at(i) {
                        0 => break,
                        joiner => {
                            entity |= joiner == 5;
                            i += joiner;
                        }
                    }
                }
                hash_word(&bytes[start..i])
            }
        };
        let word = &bytes[start..i];
        // One call of `each`, so that it is inlined: the index calls it for every word.
        let (word, hash) = if !capitals && !entity {
            // Already folded: a slice of `text`.
            (word, hash)
        } else {
            folded.clear();
            let mut rest = word;
            if entity {
                while let Some(at) = rest.iter().position(|&b| b == b'&') {
                    folded.extend_from_slice(&rest[..at]);
                    folded.push(b'\'');
                    rest = &rest[at + "&#39;".len()..];
                }
            }
            folded.extend_from_slice(rest);
            folded.make_ascii_lowercase();
            // Capitals alone do not change the hash, which folds them as it reads.
            (&folded[..], if entity { word_hash(folded) } else { hash })
        };
        each(word, hash);
    }
}

/// The word of fewer than sixteen bytes that starts at `bytes[at]` (a word byte), found
/// in one or two reads of eight bytes and hashed from them: its length, its
/// [`word_hash`] and whether it has ASCII capitals. `None` for a longer word, or one too
/// near the end of `bytes` to be read so. What follows it (a joiner?) is not looked at.
#[inline(always)]
fn short_word(bytes: &[u8], at: usize) -> Option<(usize, u64, bool)> {
    let chunk_at =
        |at: usize| bytes.get(at..at + 8).map(|b| u64::from_le_bytes(b.try_into().expect("8")));
    let length_in = |chunk: u64| ((!word_bytes(chunk) & HIGH_BITS).trailing_zeros() / 8) as usize;
    let first = chunk_at(at)?;
    let len = length_in(first);
    if len < 8 {
        let value = first & (u64::MAX >> (64 - 8 * len));
        let lower = lower_case(value);
        return Some((len, short_hash(len, lower), lower != value));
    }
    let len = 8 + length_in(chunk_at(at + 8)?);
    if len == 16 {
        return None;
    }
    let last = if len == 8 { first } else { chunk_at(at + len - 8)? };
    let (lower, lower_last) = (lower_case(first), lower_case(last));
    let hash = if len == 8 {
        short_hash(8, lower)
    } else {
        finish_hash(mix_hash(mix_hash(start_hash(len), lower), lower_last))
    };
    Some((len, hash, lower != first || lower_last != last))
}

/// A 64-bit hash of a folded word's bytes, for the index's table of words (whose top bits
/// place a word). ASCII capitals hash as their lower case, so [`for_each_plain_folded`]
/// hashes a word as it stands in the text, before folding it.
///
/// Two folded words of the same length up to [`WHOLE_IN_HASH`] bytes have the same hash
/// only if they are the same word, so the table compares no bytes for them (most words):
/// their bytes are read as one number that holds each of them, and each step from it to
/// the hash (xor with a constant, product with an odd constant, `h ^ h >> 29`) maps
/// distinct numbers to distinct numbers. (A folded word has no ASCII capital, so the
/// lower case taken on the way changes nothing.)
pub(crate) fn word_hash(folded: &[u8]) -> u64 {
    hash_word(folded).0
}

/// The longest folded word whose hash (see [`word_hash`]) tells it from every other of
/// its length: one mix of eight bytes.
pub(crate) const WHOLE_IN_HASH: usize = 8;

/// [`word_hash`] of `word`, and whether it has ASCII capitals: eight bytes at a time, the
/// last eight (or the last four, or three single bytes) read once more, overlapping, so no
/// byte is read alone in a loop.
#[inline(always)]
fn hash_word(word: &[u8]) -> (u64, bool) {
    let n = word.len();
    let u64_at = |i: usize| u64::from_le_bytes(word[i..i + 8].try_into().expect("eight bytes"));
    let u32_at =
        |i: usize| u64::from(u32::from_le_bytes(word[i..i + 4].try_into().expect("four bytes")));
    if n > WHOLE_IN_HASH {
        let mut hash = start_hash(n);
        let mut capitals = 0;
        let mut mix = |chunk: u64| {
            let lower = lower_case(chunk);
            capitals |= lower ^ chunk;
            hash = mix_hash(hash, lower);
        };
        let mut i = 0;
        while i + 8 < n {
            mix(u64_at(i));
            i += 8;
        }
        mix(u64_at(n - 8));
        return (finish_hash(hash), capitals != 0);
    }
    // The bytes as one number, little-endian (read as two overlapping halves, or three
    // single bytes), as `for_each_plain_folded` reads a short word.
    let value = if n >= 4 {
        u32_at(0) | u32_at(n - 4) << (8 * (n - 4))
    } else if n > 0 {
        let byte = |i: usize| u64::from(word[i]) << (8 * i);
        byte(0) | byte(n / 2) | byte(n - 1)
    } else {
        0
    };
    let lower = lower_case(value);
    (short_hash(n, lower), lower != value)
}

/// [`word_hash`] of a folded word of `n` bytes, at most [`WHOLE_IN_HASH`], that are
/// `value` read little-endian.
#[inline(always)]
fn short_hash(n: usize, value: u64) -> u64 {
    finish_hash(mix_hash(start_hash(n), value))
}

/// The steps of [`word_hash`]: it starts from the word's length, mixes in each eight
/// bytes (folded) in turn, and ends with a shift.
#[inline(always)]
fn start_hash(n: usize) -> u64 {
    (n as u64).wrapping_mul(HASH_FACTOR)
}

#[inline(always)]
fn mix_hash(hash: u64, lower: u64) -> u64 {
    (hash.rotate_left(26) ^ lower).wrapping_mul(HASH_FACTOR)
}

#[inline(always)]
fn finish_hash(hash: u64) -> u64 {
    hash ^ hash >> 29
}

/// The odd factor of [`mix_hash`].
const HASH_FACTOR: u64 = 0xf135_7aea_2e62_a9c5;

/// The top bit of each of eight bytes.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The top bit of each byte of `chunk` that is a word byte (see `WORD_BYTE`): an ASCII
/// letter, digit or `_`.
#[inline(always)]
fn word_bytes(chunk: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low_seven = chunk & (0x7f * ONES);
    // The top bit of each byte: set from `from` up (for a byte below 0x80).
    let from = |b: u8| low_seven + u64::from(0x80 - b) * ONES;
    let within = |low: u8, high: u8| from(low) ^ from(high + 1);
    let any = within(b'0', b'9') | within(b'A', b'Z') | within(b'_', b'_') | within(b'a', b'z');
    any & !chunk & HIGH_BITS
}

/// Eight bytes with their ASCII capitals in lower case, the others as they are.
#[inline(always)]
fn lower_case(bytes: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low_seven = bytes & (0x7f * ONES);
    // The top bit of each byte: set from `A` up, and from past `Z` up.
    let from_a = low_seven + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low_seven + (0x80 - u64::from(b'Z') - 1) * ONES;
    let capital = !bytes & (from_a ^ past_z) & (0x80 * ONES);
    bytes | capital >> 2
}

/// Calls `each` with every word of an HTML fragment, as [`for_each_word`] finds them in
/// its text ([`push_html_text`]), without building that text: the runs between tags are
/// read where they are, and only a run with an entity is decoded, into `scratch`.
pub(crate) fn for_each_html_word(html: &str, scratch: &mut String, mut each: impl FnMut(&str)) {
    let mut rest = html;
    loop {
        let end = rest.find('<').unwrap_or(rest.len());
        let run = &rest[..end];
        if run.contains('&') {
            scratch.clear();
            let mut text = run;
            while let Some(at) = text.find('&') {
                scratch.push_str(&text[..at]);
                let (decoded, len) = entity(&text[at..]);
                scratch.push_str(decoded);
                text = &text[at + len..];
            }
            scratch.push_str(text);
            for_each_word(scratch, &mut each);
        } else {
            for_each_word(run, &mut each);
        }
        if end == rest.len() {
            return;
        }
        // A tag ends every word (as the space `push_html_text` writes for it does).
        rest = rest[end..].find('>').map_or("", |close| &rest[end + close + 1..]);
    }
}

/// Calls `each` with every run of `units` (characters or bytes of `text`, with their offsets)
/// that are `word`, a single `joins` between two word units keeping a run together.
fn split_words<'t, U: Copy>(
    text: &'t str,
    units: impl Iterator<Item = (usize, U)>,
    word: impl Fn(U) -> bool,
    joins: impl Fn(U) -> bool,
    mut each: impl FnMut(&'t str),
) {
    let mut start = None;
    let mut units = units.peekable();
    while let Some((at, unit)) = units.next() {
        if word(unit) {
            start.get_or_insert(at);
            continue;
        }
        let Some(s) = start else { continue };
        if !(joins(unit) && units.peek().is_some_and(|&(_, next)| word(next))) {
            each(&text[s..at]);
            start = None;
        }
    }
    if let Some(s) = start {
        each(&text[s..]);
    }
}

/// Combining marks (accents written as separate characters, vowel signs).
fn is_mark(c: char) -> bool {
    !c.is_ascii() && unicode_normalization::char::is_combining_mark(c)
}

/// The Snowball stemmer for a site language (`en`, `fr-CA`), if there is one.
pub(crate) fn stemmer_for(language: &str) -> Option<(&'static str, rust_stemmers::Algorithm)> {
    use rust_stemmers::Algorithm::*;
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    Some(match primary.as_str() {
        "ar" => ("arabic", Arabic),
        "da" => ("danish", Danish),
        "nl" => ("dutch", Dutch),
        "en" => ("english", English),
        "fi" => ("finnish", Finnish),
        "fr" => ("french", French),
        "de" => ("german", German),
        "el" => ("greek", Greek),
        "hu" => ("hungarian", Hungarian),
        "it" => ("italian", Italian),
        "no" | "nb" | "nn" => ("norwegian", Norwegian),
        "pt" => ("portuguese", Portuguese),
        "ro" => ("romanian", Romanian),
        "ru" => ("russian", Russian),
        "es" => ("spanish", Spanish),
        "sv" => ("swedish", Swedish),
        "ta" => ("tamil", Tamil),
        "tr" => ("turkish", Turkish),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(w));
        out
    }

    #[test]
    fn ascii_text_splits_as_any_text_does() {
        let text = "Rates rose 3.5% (the bank's call), don't panic. U.S. e-mail_x 'quoted' end.";
        let mut slow = Vec::new();
        // A non-ASCII character at the end takes the general path.
        let general = format!("{text} é");
        for_each_word(&general, |w| slow.push(w));
        assert_eq!(slow.pop(), Some("é"));
        assert_eq!(words(text), slow);
    }

    #[test]
    fn words_split_on_spaces_and_punctuation_but_keep_inner_apostrophes_and_decimals() {
        assert_eq!(
            words("Rates rose 3.5% (the bank's call), don't panic… U.S. e-mail"),
            ["Rates", "rose", "3.5", "the", "bank's", "call", "don't", "panic", "U.S", "e", "mail"]
        );
    }

    #[test]
    fn chinese_japanese_and_thai_are_split_into_words() {
        assert_eq!(words("こんにちは世界"), ["こんにちは", "世界"]);
        assert_eq!(words("ทุกสองสัปดาห์"), ["ทุก", "สอง", "สัปดาห์"]);
        assert_eq!(words("ทุกสองสัปดาห์ ok"), ["ทุก", "สอง", "สัปดาห์", "ok"]);
        let chinese = words("中央银行提高利率");
        assert!(chinese.len() > 1 && chinese.concat() == "中央银行提高利率", "{chinese:?}");
    }

    #[test]
    fn text_with_letters_beyond_ascii_is_not_plain() {
        assert!(plain("“Rates” — 3.5% ’s"));
        for text in ["café", "e\u{301}", "日本", "ทุก", "Ωmega"] {
            assert!(!plain(text), "{text}");
        }
    }

    #[test]
    fn folding_drops_case_and_latin_accents_only() {
        assert_eq!(fold("Économie"), "economie");
        assert_eq!(fold("ΑΘΉΝΑ"), "αθηνα");
        assert_eq!(fold("plain"), "plain");
        // Japanese voicing marks and Thai vowels are part of the word.
        assert_eq!(fold("が"), "が");
        assert_eq!(fold("สัปดาห์"), "สัปดาห์");
    }

    #[test]
    fn the_words_of_html_are_the_words_of_its_text() {
        let html = "<p>Rates &amp; <em>bonds</em>'s U.S<b>.</b>x</p><p>don&#39;t&nbsp;stop \
                    3.5&quot;%&lt;a &bogus; ok</p><h2>ทุกสองสัปดาห์ <i>日本</i></h2>tail<br";
        let mut text = String::new();
        push_html_text(&mut text, html);
        let mut scratch = String::new();
        let mut read = Vec::new();
        for_each_html_word(html, &mut scratch, |w| read.push(w.to_owned()));
        assert_eq!(read, words(&text));
        assert!(read.contains(&"don't".to_owned()), "{read:?}");
    }

    #[test]
    fn capitals_hash_as_their_lower_case() {
        let all: Vec<u8> = (0..=255).collect();
        let mut lower = all.clone();
        lower.make_ascii_lowercase();
        for (a, b) in all.chunks(8).zip(lower.chunks(8)) {
            let a = u64::from_le_bytes(a.try_into().unwrap());
            assert_eq!(lower_case(a), u64::from_le_bytes(b.try_into().unwrap()));
        }
        for word in ["A", "Ab", "RATES", "Économie", "U.S", "DON'T-STOP-NOW-AND-THEN"] {
            let (hash, capitals) = hash_word(word.as_bytes());
            assert_eq!(hash, word_hash(word.to_ascii_lowercase().as_bytes()), "{word}");
            assert_eq!(capitals, word.bytes().any(|b| b.is_ascii_uppercase()), "{word}");
        }
        assert_ne!(word_hash(b"rates"), word_hash(b"rate"));
    }

    #[test]
    fn a_short_folded_words_hash_tells_it_from_every_other_of_its_length() {
        // Every word of up to eight bytes over four bytes (one of them not ASCII, one a
        // joiner): the index's table compares no bytes for these, only the hash.
        let alphabet = [b'a', b'9', b'\'', 0xe9];
        for n in 1..=WHOLE_IN_HASH {
            let mut seen = std::collections::HashSet::new();
            for mut k in 0..alphabet.len().pow(n as u32) {
                let word: Vec<u8> = (0..n)
                    .map(|_| {
                        let b = alphabet[k % alphabet.len()];
                        k /= alphabet.len();
                        b
                    })
                    .collect();
                assert!(seen.insert(word_hash(&word)), "{word:?} shares a hash");
            }
            assert_eq!(seen.len(), alphabet.len().pow(n as u32));
        }
        // A capital hashes as its lower case, as the words are met before they are folded.
        assert_eq!(hash_word(b"Rust"), (word_hash(b"rust"), true));
    }

    #[test]
    fn plain_words_are_read_folded_in_one_pass() {
        let html = "<p>Rates &amp; <em>Bonds</em>'s U.S<b>.</b>x</p><p>DON&#39;T&nbsp;stop \
                    3.5&quot;%&lt;a &bogus; ok e-mail_x &#39;quoted&#39; end.</p>tail<br \
                    “The deal’s off” — ‘it’s’ · done’ ’t";
        let text = "Rates rose 3.5% <b>don't</b> U.S. &amp; e-mail “quoted” deal’s—ok…";
        for (text, html) in [(html, true), (text, false)] {
            assert!(plain(text));
            let mut reference = String::new();
            if html {
                push_html_text(&mut reference, text);
            } else {
                reference.push_str(text);
            }
            let expected: Vec<String> =
                words(&reference).iter().map(|w| fold(w).into_owned()).collect();
            let mut folded = Vec::new();
            let mut read = Vec::new();
            for_each_plain_folded(text, html, &mut folded, |w, hash| {
                assert_eq!(hash, word_hash(w));
                read.push(String::from_utf8(w.to_vec()).unwrap())
            });
            assert_eq!(read, expected, "{text}");
        }
    }

    #[test]
    fn word_bytes_are_found_eight_at_a_time_as_one_at_a_time() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let chunk = u64::from(b) << (8 * at) | 0x2020_2020_2020_2020 & !(0xff << (8 * at));
                let found = word_bytes(chunk) >> (8 * at) & 0x80 != 0;
                assert_eq!(found, WORD_BYTE[usize::from(b)], "{b:#x} at {at}");
                assert_eq!(word_bytes(chunk) & !(0x80 << (8 * at)), 0, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn plain_words_of_every_length_and_joiner_are_read_as_the_reference_reads_them() {
        // Texts made of pieces that put words of 1 to 19 bytes, capitals, joiners, tags,
        // entities and typographic quotes at every place against the eight-byte reads.
        let pieces: Vec<&str> = "a|Ab|the|rate|Bonds|market|U.S|inflation|Households|\
             internationally|Counterintelligence|sixteen_letters_|don't|deal’s|3.5|x_y|\
             ABCDEFGH|abcdefg|DON&#39;T|e.g.| |  |.|'|’|—|<b>|</b>|&amp;|&#39;|-|,|\n"
            .split('|')
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let len = next() % 24;
            let text: String =
                (0..len).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect();
            for html in [false, true] {
                let mut reference = String::new();
                if html {
                    push_html_text(&mut reference, &text);
                } else {
                    reference.push_str(&text);
                }
                let expected: Vec<String> =
                    words(&reference).iter().map(|w| fold(w).into_owned()).collect();
                let mut folded = Vec::new();
                let mut read = Vec::new();
                for_each_plain_folded(&text, html, &mut folded, |w, hash| {
                    assert_eq!(hash, word_hash(w), "{text:?}");
                    read.push(String::from_utf8(w.to_vec()).unwrap())
                });
                assert_eq!(read, expected, "{text:?} (html: {html})");
            }
        }
    }

    #[test]
    fn html_becomes_text_with_words_kept_apart() {
        let mut out = String::new();
        push_html_text(&mut out, "<p>Rates &amp; <em>bonds</em></p><p>next\n line</p>");
        assert_eq!(out.trim_end(), "Rates & bonds next line");
    }
}
