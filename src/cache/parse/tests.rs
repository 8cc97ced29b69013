//! The parse cache read in place: records checked when used, bodies read from the file
//! when a page needs them, whatever this build does to the file meanwhile (issue 15).

use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;

use super::{FILE, ParseCache, Parsed};
use crate::config::parse_config;
use crate::site::{Document, parse_document};
use crate::spill::{DamagedShelf, Html};

const IDENTITY: &str = "gazette test\ninputs test";

/// An article's text and what parsing it gives.
fn article(file: &str, title: &str, body: &str) -> (String, Document) {
    let config = parse_config(
        Path::new("/nonexistent/gazette-parse-cache-test"),
        "title: T\nbase_url: https://example.com/\n",
    )
    .unwrap();
    let text = format!("---\ntitle: {title}\ndate: 2026-03-01\nsummary: S.\n---\n{body}\n");
    let doc = parse_document(&Path::new("content").join(file), &text, &config, None, None);
    (text, doc.unwrap())
}

/// The parse cache in `dir`, opened as a build opens it (the build cache's lock is let
/// go at once: these tests open one at a time).
fn open(dir: &Path) -> ParseCache {
    let (cache, notice) = crate::cache::open(dir, &dir.join("output"));
    assert_eq!(notice, None);
    let (parse_cache, notice) = ParseCache::open(&cache.unwrap(), IDENTITY.to_owned(), false);
    assert_eq!(notice, None);
    parse_cache
}

/// Keeps `articles` (file, text, document) in the parse cache in `dir`, as a build does.
fn save(dir: &Path, articles: &mut [(&str, String, Document)]) {
    let cache = open(dir);
    for (file, text, doc) in articles.iter_mut() {
        cache.record(Path::new(file), None, text, Some(doc));
    }
    assert_eq!(cache.save(), None);
}

fn taken(cache: &ParseCache, file: &str, text: &str) -> Option<Document> {
    match cache.by_text(Path::new(file), None, text)? {
        Parsed::Document(doc) => Some(*doc),
        Parsed::Draft => panic!("{file} is no draft"),
    }
}

/// Flips one bit of the first `needle` in the cache file in `dir`.
fn damage(dir: &Path, needle: &str) {
    let path = dir.join(FILE);
    let bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(needle.len()).position(|w| w == needle.as_bytes()).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.write_all_at(&[bytes[at] ^ 1], at as u64).unwrap();
}

const BODY: &str = "Intro words.\n\n## Part\n\nSection words.";

#[test]
fn a_body_taken_from_the_cache_stays_in_its_file_and_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (text, doc) = article("a.md", "Alpha", BODY);
    save(dir.path(), &mut [("a.md", text.clone(), doc.clone())]);
    let cache = open(dir.path());
    let back = taken(&cache, "a.md", &text).expect("unchanged, so taken");
    assert!(matches!(back.body.intro_html, Html::Shelved { .. }), "{:?}", back.body.intro_html);
    assert!(matches!(back.body.sections[0].html, Html::Shelved { .. }));
    assert_eq!(back.body.intro_html.to_text(), "<p>Intro words.</p>\n");
    assert_eq!(back.body.intro_html.to_text(), doc.body.intro_html.to_text());
    assert_eq!(back.body.sections[0].html.to_text(), doc.body.sections[0].html.to_text());
    assert_eq!(back.title, "Alpha");
    assert_eq!(back.body.html_hash, doc.body.html_hash);
    assert_eq!(cache.reused(), 1);
}

#[test]
fn a_record_damaged_after_the_cache_was_opened_is_not_used_and_sets_the_cache_aside() {
    let dir = tempfile::tempdir().unwrap();
    let (text_a, doc_a) = article("a.md", "Alpha", BODY);
    let (text_b, doc_b) = article("b.md", "Bravo", BODY);
    save(dir.path(), &mut [("a.md", text_a.clone(), doc_a), ("b.md", text_b.clone(), doc_b)]);
    let mut cache = open(dir.path());
    // Opening read the index only: the damage is found when the record is used.
    damage(dir.path(), "Alpha");
    assert!(taken(&cache, "b.md", &text_b).is_some());
    assert!(!cache.is_damaged());
    assert!(taken(&cache, "a.md", &text_a).is_none());
    assert!(cache.is_damaged());
    assert_eq!(
        cache.forget(),
        format!(
            "the parse cache `{}` is damaged; parsing every article",
            crate::error::display_path(&dir.path().join(FILE))
        )
    );
    // Nothing more is taken from it, not even the sound record.
    assert!(taken(&cache, "b.md", &text_b).is_none());
    assert_eq!(cache.reused(), 0);
    assert!(!cache.is_damaged());
}

#[test]
fn a_body_damaged_after_its_document_was_taken_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let (text, doc) = article("a.md", "Alpha", BODY);
    save(dir.path(), &mut [("a.md", text.clone(), doc)]);
    let cache = open(dir.path());
    let back = taken(&cache, "a.md", &text).unwrap();
    damage(dir.path(), "<p>Intro words.");
    let Html::Shelved { shelf, .. } = &back.body.intro_html else { panic!("in the file") };
    assert!(!shelf.is_damaged());
    let error = back.body.intro_html.text().unwrap_err();
    assert!(error.get_ref().is_some_and(|e| e.is::<DamagedShelf>()), "{error}");
    assert!(shelf.is_damaged());
    // The other piece is sound, and reads back.
    assert_eq!(back.body.sections[0].html.to_text(), "<p>Section words.</p>\n");
}

/// An article with every part the cache keeps apart from the record's head.
const WITH_PARTS: &str = "---\ntitle: Parts\ndate: 2026-03-01\nsummary: S.\n\
    key_points:\n  - \"One point.\"\nfaq:\n  - question: \"Why?\"\n    answer: \"Because.\"\n\
    ---\nIntro, after [a page](/a/b/).\n\n## Part\n\nSection words.\n";

/// What parsing [`WITH_PARTS`] gives.
fn with_parts() -> Document {
    let config = parse_config(Path::new("/nonexistent/p"), "title: T\nbase_url: https://e.com/\n");
    let path = Path::new("content/p.md");
    parse_document(path, WITH_PARTS, &config.unwrap(), None, None).unwrap()
}

#[test]
fn the_parts_only_a_page_and_the_checks_read_stay_in_the_file_until_used() {
    let dir = tempfile::tempdir().unwrap();
    let doc = with_parts();
    assert_eq!(doc.body.links.len(), 1);
    save(dir.path(), &mut [("p.md", WITH_PARTS.to_owned(), doc.clone())]);
    let cache = open(dir.path());
    let back = taken(&cache, "p.md", WITH_PARTS).unwrap();
    let parts = |d: &Document| {
        let body = &d.body;
        [
            d.key_points.is_shelved(),
            d.faq.is_shelved(),
            body.toc.is_shelved(),
            body.links.is_shelved(),
        ]
    };
    assert_eq!(parts(&back), [true; 4], "none read yet");
    assert_eq!(back.faq[0].answer_text, "Because.");
    assert_eq!(parts(&back), [true, false, true, true], "the questions alone read");
    assert_eq!(*back.faq, *doc.faq);
    assert_eq!(*back.key_points, *doc.key_points);
    assert_eq!(*back.body.toc, *doc.body.toc);
    assert_eq!(back.body.links[0].target, "/a/b/");
    assert_eq!(*back.body.links, *doc.body.links);
}

#[test]
fn a_damaged_part_reads_empty_and_marks_its_file_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let doc = with_parts();
    save(dir.path(), &mut [("p.md", WITH_PARTS.to_owned(), doc)]);
    let cache = open(dir.path());
    let back = taken(&cache, "p.md", WITH_PARTS).unwrap();
    damage(dir.path(), "Because.");
    let Html::Shelved { shelf, .. } = &back.body.intro_html else { panic!("in the file") };
    assert!(!shelf.is_damaged());
    assert!(back.faq.is_empty(), "{:?}", *back.faq);
    assert!(shelf.is_damaged());
    // The other parts are sound, and read back.
    assert_eq!(back.key_points.len(), 1);
    assert_eq!(back.body.links[0].target, "/a/b/");
}

#[test]
fn bodies_taken_from_the_cache_read_back_after_this_build_rewrites_or_appends_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE);
    let (text_a, doc_a) = article("a.md", "Alpha", BODY);
    let long = format!("{}\n", "Many words in a long article. ".repeat(400));
    let (text_big, doc_big) = article("big.md", "Big", &long);
    save(dir.path(), &mut [("a.md", text_a.clone(), doc_a.clone()), ("big.md", text_big, doc_big)]);
    let first = std::fs::metadata(&path).unwrap();
    // `big.md` is gone: what the file holds is mostly dead, and saving writes it anew
    // (renamed over it) while the body taken from it is still to be read.
    let cache = open(dir.path());
    let kept = taken(&cache, "a.md", &text_a).unwrap();
    assert_eq!(cache.save(), None);
    let rewritten = std::fs::metadata(&path).unwrap();
    assert_ne!(rewritten.ino(), first.ino(), "written anew");
    assert!(rewritten.len() < first.len() / 2);
    assert_eq!(kept.body.intro_html.to_text(), doc_a.body.intro_html.to_text());
    assert_eq!(kept.body.sections[0].html.to_text(), doc_a.body.sections[0].html.to_text());
    // A new article: its record is appended to the same file, after what was read.
    let cache = open(dir.path());
    let kept = taken(&cache, "a.md", &text_a).unwrap();
    let (text_c, mut doc_c) = article("c.md", "Charlie", "A few words.");
    cache.record(Path::new("c.md"), None, &text_c, Some(&mut doc_c));
    assert_eq!(doc_c.body.intro_html.to_text(), "<p>A few words.</p>\n", "put back");
    assert_eq!(cache.save(), None);
    let appended = std::fs::metadata(&path).unwrap();
    assert_eq!(appended.ino(), rewritten.ino(), "appended to");
    assert!(appended.len() > rewritten.len());
    assert_eq!(kept.body.intro_html.to_text(), doc_a.body.intro_html.to_text());
    // And the next build reads both.
    let cache = open(dir.path());
    let a = taken(&cache, "a.md", &text_a).unwrap();
    let c = taken(&cache, "c.md", &text_c).unwrap();
    assert_eq!(a.body.sections[0].html.to_text(), "<p>Section words.</p>\n");
    assert_eq!(c.body.intro_html.to_text(), "<p>A few words.</p>\n");
}

/// Each term of `doc` as (counts, word): its numbers read through its own vocabulary.
fn terms_by_word(doc: &Document) -> Vec<(u32, u32, u8, String)> {
    let terms = doc.terms.as_ref().expect("counted");
    let words = terms.vocabulary.as_ref().expect("with its vocabulary").words();
    crate::render::terms_of(&terms.list.to_text(), |weighted, body, next, word| {
        (weighted, body, next, words[word as usize].to_string())
    })
}

#[test]
fn terms_kept_by_the_cache_name_the_same_words_in_the_next_build() {
    let dir = tempfile::tempdir().unwrap();
    // The first build numbers the words of `a.md`, then of `b.md`.
    let cache = open(dir.path());
    let first = cache.vocabulary();
    let mut counted = Vec::new();
    for (file, title, body) in
        [("a.md", "Alpha rates", BODY), ("b.md", "Beta bonds", "Bonds rally.")]
    {
        let (text, mut doc) = article(file, title, body);
        doc.terms = Some(crate::render::count_terms(&doc, "en", &first).unwrap());
        cache.record(Path::new(file), None, &text, Some(&mut doc));
        counted.push((file, text, doc));
    }
    assert_eq!(cache.save(), None);
    // The next build starts from those numbers: a word it meets first gets a new one.
    let cache = open(dir.path());
    let next = cache.vocabulary();
    assert_ne!(next.id(), first.id());
    assert_eq!(next.words(), first.words());
    assert_eq!(next.number("zymurgy") as usize, first.len());
    for (file, text, doc) in &counted {
        let back = taken(&cache, file, text).expect("unchanged, so taken");
        let vocabulary = back.terms.as_ref().and_then(|t| t.vocabulary.as_ref()).unwrap();
        assert_eq!(vocabulary.id(), next.id(), "{file}");
        assert_eq!(terms_by_word(&back), terms_by_word(doc), "{file}");
        assert!(terms_by_word(doc).iter().any(|t| t.3 == "rates" || t.3 == "bonds"));
        // The list stays in the file, read only when the index merges it; its hash,
        // which keys the index's kept blocks, came with the head.
        let (kept, made) = (back.terms.as_ref().unwrap(), doc.terms.as_ref().unwrap());
        assert!(matches!(kept.list, Html::Shelved { .. }), "{file}");
        assert_eq!(kept.hash, made.hash, "{file}");
        assert_eq!(kept.hash, *blake3::hash(kept.list.to_text().as_bytes()).as_bytes());
    }
}

#[test]
fn a_stamp_read_in_a_folder_is_the_stamp_read_by_path() {
    use super::Stamp;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("news/2026")).unwrap();
    std::fs::write(tmp.path().join("news/2026/a.md"), "---\ntitle: A\n---\n").unwrap();
    std::os::unix::fs::symlink("2026/a.md", tmp.path().join("news/link.md")).unwrap();
    let dir = crate::cache::open_folder(tmp.path()).unwrap();
    let rel = Path::new("news/2026/a.md");
    let by_path = Stamp::of(&tmp.path().join(rel));
    assert!(by_path.is_some());
    assert_eq!(Stamp::in_folder(&dir, rel), by_path);
    // Never a link, nor a folder, nor what is missing: such a file is read.
    for rel in ["news/link.md", "news/2026", "news/none.md"] {
        assert_eq!(Stamp::in_folder(&dir, Path::new(rel)), None, "{rel}");
        assert_eq!(Stamp::of(&tmp.path().join(rel)), None, "{rel}");
    }
}
