//! The parse cache (issue 15): a rebuild parses only the articles that changed, and
//! whatever the cache file holds, the output is the one a `--no-cache` build makes.

use crate::search::Index;
use crate::support::{Server, Site, clean_build, flip_a_late_byte, notes, stderr, tree_hashes};

const NOW: &str = "--now=2026-06-01T00:00:00Z";

/// A fixture site whose files are old enough for their times to be trusted: a file
/// changed in the two seconds before a build is read again by the next one whatever its
/// times say (they may not have moved since).
fn settled_site() -> Site {
    let site = Site::fixture("build/basic");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site
}

/// What `build --timings` says of the parse cache: (articles parsed, article files).
fn parsed(out: &std::process::Output) -> (usize, usize) {
    crate::support::timings_count(out, "articles parsed")
}

#[test]
fn issue_15_a_rebuild_parses_only_the_articles_that_changed() {
    let site = settled_site();
    let first = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&first), (6, 6));
    // Nothing changed: nothing is read (the stamps of the files are trusted), but for
    // `world/alpha.md`, whose parse looked at an image file (kept by no parse: the image
    // may change without the article).
    let again = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&again), (1, 6));
    // One body edited: that article alone, and the output is a clean build's.
    let beta = site.path().join("content/world/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, text.replace("Beta body.", "Beta body, edited.")).unwrap();
    let edited = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&edited), (2, 6));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    // Touched, not changed: read again, found the same, not parsed.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    std::fs::write(&beta, std::fs::read(&beta).unwrap()).unwrap();
    let touched = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&touched), (1, 6));
    // Another configuration: every article parsed again, without a notice (an edit of
    // `site.yaml` is no cache problem).
    let config = site.path().join("site.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, yaml.replace("Test explainers.", "Other explainers.")).unwrap();
    let reconfigured = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&reconfigured), (6, 6));
    assert_eq!(notes(&reconfigured), Vec::<String>::new());
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// What `build --timings` says of the files read: (article files read, article files).
fn read(out: &std::process::Output) -> (usize, usize) {
    crate::support::timings_count(out, "article files read")
}

/// Files written just before a build (a fresh clone, a pull, an unpacked archive) have
/// stamps too recent for the next build to trust, so it reads them again. Found
/// unchanged by a build well after they were written, their stamps are saved as that
/// build's: the builds after it read nothing but the one article whose parse is never
/// kept. Before, the parse cache was not saved when nothing had changed, and every
/// later build read every such file again, all of a site's at 100,000 articles.
#[test]
fn issue_15_files_written_just_before_a_build_are_read_again_once_not_at_every_build() {
    let site = Site::fixture("build/basic");
    let written = std::time::Instant::now();
    let first = site.build(&["-q", "--timings", NOW]);
    assert_eq!((parsed(&first), read(&first)), ((6, 6), (6, 6)));
    let recent = written.elapsed() < std::time::Duration::from_millis(1500);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let second = site.build(&["-q", "--timings", NOW]);
    // `world/alpha.md` is parsed at every build: its parse looked at an image file.
    assert_eq!(parsed(&second), (1, 6));
    if recent {
        // Written less than two seconds before the first build started: read again.
        assert_eq!(read(&second), (6, 6));
    }
    let cache = site.path().join(".gazette/parse-cache");
    let saved = std::fs::read(&cache).unwrap();
    for _ in 0..2 {
        let again = site.build(&["-q", "--timings", NOW]);
        assert_eq!((parsed(&again), read(&again)), ((1, 6), (1, 6)));
        // Nothing new to save: the file stays as it was.
        assert!(std::fs::read(&cache).unwrap() == saved, "the parse cache was written again");
    }
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// The caches know a site by its folder, not by how the command line names it: the same
/// site built with `--root` spelled another way (relative, absolute, `..` from inside it,
/// or no `--root` at all) parses nothing again.
#[test]
fn issue_15_a_site_named_another_way_keeps_its_caches() {
    let site = settled_site();
    let first = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&first), (6, 6));
    let absolute = site.path().to_str().unwrap().to_owned();
    let content = site.path().join("content");
    let spellings: [(&std::path::Path, &[&str]); 3] =
        [(&content, &["--root", ".."]), (&content, &["--root", &absolute]), (site.path(), &[])];
    for (cwd, root) in spellings {
        let mut args = vec!["build", "-q", "--timings", NOW];
        args.extend_from_slice(root);
        let out = crate::support::gazette(cwd, &args);
        assert!(out.status.success(), "{root:?}:\n{}", stderr(&out));
        // `world/alpha.md` alone, as in every rebuild: its parse looked at an image file.
        assert_eq!(parsed(&out), (1, 6), "{root:?}");
        assert_eq!(notes(&out), Vec::<String>::new(), "{root:?}");
    }
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// A build that stops at a problem of the site, found after the articles are loaded,
/// still keeps what it parsed (each record is one file's): once the problem is fixed,
/// the article edited before it is not parsed again, and the output is a clean build's.
#[test]
fn issue_15_a_build_failing_after_the_load_keeps_its_parses() {
    let site = settled_site();
    site.build(&["-q", "--timings", NOW]);
    let cache = site.path().join(".gazette/parse-cache");
    let saved = std::fs::metadata(&cache).unwrap().modified().unwrap();
    let beta = site.path().join("content/world/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    std::fs::write(&beta, text.replace("Beta body.", "Beta body, edited.")).unwrap();
    // An alias that is another article's address: the site's assembly refuses it.
    let gamma = site.path().join("content/economy/gamma.md");
    let original = std::fs::read_to_string(&gamma).unwrap();
    let clash = original
        .replace("tags: [trade, rates]", "tags: [trade, rates]\naliases: [\"/world/beta/\"]");
    assert_ne!(clash, original);
    std::fs::write(&gamma, &clash).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let failed = site.run(&["build", "-q", "--timings", NOW]);
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("is the address of"), "{}", stderr(&failed));
    assert!(std::fs::metadata(&cache).unwrap().modified().unwrap() > saved);
    // Fixed another way than it was: gamma is parsed again, beta is not (the failed
    // build kept it), alpha is (its parse looked at an image file).
    let fixed = original
        .replace("tags: [trade, rates]", "tags: [trade, rates]\naliases: [\"/old/gamma/\"]");
    std::fs::write(&gamma, fixed).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let again = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&again), (2, 6));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// What the cache folder holds that a build writes before renaming it into place.
fn temporary_files(dir: &std::path::Path) -> Vec<String> {
    let names = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name());
    names.map(|n| n.to_string_lossy().into_owned()).filter(|n| n.ends_with(".tmp")).collect()
}

/// A build that finds no parse cache it can use writes a new one as it parses (each
/// article's body as soon as it is parsed, every head at the end). Whether the build
/// succeeds or fails on an article, it leaves no temporary file behind, and it removes
/// those killed builds left (only the cache's own), and the next build takes every
/// parse it made from that file.
#[test]
fn issue_15_a_parse_cache_written_anew_leaves_no_temporary_file() {
    let site = settled_site();
    let dir = site.path().join(".gazette");
    std::fs::create_dir_all(&dir).unwrap();
    // What builds killed while they wrote the cache leave: the lock says they are stale.
    let left = ["parse-cache.4000000.tmp", "build-cache.4000001.tmp", "see-also.42.tmp"];
    for name in left {
        std::fs::write(dir.join(name), "half a cache file").unwrap();
    }
    // Not the cache's: left as it is.
    let other = dir.join("notes.4000002.tmp");
    std::fs::write(&other, "someone else's").unwrap();
    site.build(&["-q", NOW]);
    assert_eq!(temporary_files(&dir), vec!["notes.4000002.tmp".to_owned()]);
    std::fs::remove_file(&other).unwrap();
    let again = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&again), (1, 6), "alpha's parse looked at an image");
    // Written anew again, by a build that fails on one article: the others' parses are
    // kept.
    std::fs::remove_file(dir.join("parse-cache")).unwrap();
    let beta = site.path().join("content/world/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    let broken = text.replacen("title:", "titel:", 1);
    assert_ne!(broken, text);
    std::fs::write(&beta, broken).unwrap();
    let failed = site.run(&["build", "-q", NOW]);
    assert!(!failed.status.success());
    assert!(stderr(&failed).contains("beta.md"), "{}", stderr(&failed));
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
    std::fs::write(&beta, text).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let fixed = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&fixed), (2, 6), "beta again, and alpha");
    assert_eq!(temporary_files(&dir), Vec::<String>::new());
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// Issue 20 with 15: a rebuild's search index merges the words the parse cache kept for
/// the articles it did not parse, with the edited article's words counted anew.
#[test]
fn issue_20_a_body_edit_changes_the_search_index_as_a_build_without_cache_does() {
    let site = settled_site();
    site.build(&["-q", NOW]);
    let before = Index::load(&site.out(), "search/");
    assert_eq!(before.find("several"), ["/economy/gamma/"]);
    assert!(!before.keys.contains_key("zeppelins"));
    let rates = before.postings("rate").clone();
    let gamma = site.path().join("content/economy/gamma.md");
    let text = std::fs::read_to_string(&gamma).unwrap();
    // A new word, a word gone, and a word of the title (`rates`, also a tag) met in the
    // body, next to a new follower.
    let edited = text.replace("with several words", "with zeppelins, zeppelin words and rates");
    std::fs::write(&gamma, edited).unwrap();
    let out = site.build(&["-q", "--timings", NOW]);
    // Gamma, and alpha (whose parse looked at an image file): the others' words come
    // from the parse cache.
    assert_eq!(parsed(&out), (2, 6));
    let after = Index::load(&site.out(), "search/");
    assert_eq!(after.find("zeppelins"), ["/economy/gamma/"]);
    assert_eq!(after.find("zeppelin"), ["/economy/gamma/"]);
    assert!(!after.keys.contains_key("several"));
    // Gamma's entry for the stem `rate` changed (more of it in the body); the other
    // articles' entries did not.
    let rates_after = after.postings("rate");
    assert_eq!(rates.keys().collect::<Vec<_>>(), rates_after.keys().collect::<Vec<_>>());
    let differ: Vec<u32> =
        rates.iter().filter(|(doc, entry)| rates_after[*doc] != **entry).map(|(d, _)| *d).collect();
    assert_eq!(differ.len(), 1, "{rates:?} {rates_after:?}");
    assert_eq!(after.doc(differ[0])["url"], "/economy/gamma/");
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// Builds once, spoils the parse cache with `spoil`, builds again: one notice, every
/// article parsed, the output a clean build's; the build after that parses only the
/// article that shows an image.
fn spoiled_parse_cache_gives_a_full_build(spoil: impl Fn(&[u8]) -> Vec<u8>, notice: &str) {
    let site = settled_site();
    site.build(&["-q", NOW]);
    let cache = site.path().join(".gazette/parse-cache");
    let bytes = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, spoil(&bytes)).unwrap();
    full_parse_with_one_notice_then_reuse(&site, notice);
}

/// The next build of `site` gives the one notice `notice` about its parse cache, parses
/// every article and makes a clean build's output; the build after that parses only the
/// article that shows an image (the cache was written anew).
fn full_parse_with_one_notice_then_reuse(site: &Site, notice: &str) {
    let out = site.build(&["-q", "--timings", NOW]);
    assert_eq!(
        notes(&out),
        [format!("note: the parse cache `.gazette/parse-cache` {notice}; parsing every article")]
    );
    assert_eq!(parsed(&out), (6, 6));
    assert!(site.read("world/beta/index.html").contains("<p>Beta body.</p>"));
    assert_eq!(tree_hashes(&site.out()), clean_build(site, NOW));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let out = site.build(&["-q", "--timings", NOW]);
    assert_eq!(notes(&out), Vec::<String>::new());
    assert_eq!(parsed(&out), (1, 6)); // `world/alpha.md`, which shows an image
}

#[test]
fn issue_15_a_truncated_parse_cache_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(|bytes| bytes[..bytes.len() / 2].to_vec(), "is damaged");
}

#[test]
fn issue_15_a_garbage_parse_cache_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(
        |_| b"\x00\xffnot a cache at all\n".to_vec(),
        "is damaged or from another gazette",
    );
}

#[test]
fn issue_15_a_parse_cache_with_one_flipped_byte_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(flip_a_late_byte, "is damaged");
}

#[test]
fn issue_15_a_parse_cache_from_another_gazette_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(
        |bytes| {
            let at = bytes.windows(9).position(|w| w == b"gazette 0").unwrap() + 8;
            let mut bytes = bytes.to_vec();
            bytes[at] = b'9';
            bytes
        },
        "is from another gazette",
    );
}

#[test]
fn issue_15_check_reads_the_parse_cache_and_finds_what_it_finds_without_it() {
    let site = settled_site();
    site.build(&["-q", NOW]);
    let cache = site.path().join(".gazette/parse-cache");
    let kept = std::fs::read(&cache).unwrap();
    // An unparsable date in one article, a dead link in another: found with the parse
    // cache (the other articles taken from it) as without it.
    let beta = std::fs::read_to_string(site.path().join("content/world/beta.md")).unwrap();
    site.write("content/world/beta.md", &beta.replace("Beta body.", "[Beta](/nowhere/) body."));
    let gamma = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write("content/economy/gamma.md", &gamma.replacen("date: 2026-", "date: 2026-13-", 1));
    let cached = site.run(&["check", NOW]);
    let uncached = site.run(&["check", NOW, "--no-cache"]);
    assert_eq!(cached.status.code(), Some(1));
    assert_eq!(stderr(&cached), stderr(&uncached));
    assert!(stderr(&cached).contains("/nowhere/"), "{}", stderr(&cached));
    assert!(stderr(&cached).contains("content/economy/gamma.md:"), "{}", stderr(&cached));
    // check only reads it.
    assert_eq!(std::fs::read(&cache).unwrap(), kept);
}

#[test]
fn issue_15_a_rebuild_with_nothing_new_leaves_the_parse_cache_file_as_it_is() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::fixture("build/basic");
    // The one article whose parse looks at an image is parsed (and kept anew) every time.
    std::fs::remove_file(site.path().join("content/world/alpha.md")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site.build(&["-q", NOW]);
    let file = site.path().join(".gazette/parse-cache");
    let before = std::fs::metadata(&file).unwrap();
    let kept = std::fs::read(&file).unwrap();
    let again = site.build(&["-q", "--timings", NOW]);
    assert_eq!(parsed(&again), (0, 5));
    let after = std::fs::metadata(&file).unwrap();
    assert_eq!((before.ino(), before.mtime_nsec()), (after.ino(), after.mtime_nsec()));
    // An edit is kept, appended to the same file (its record, a new index), and the
    // build after it reads the edited file from the cache.
    let gamma = site.path().join("content/economy/gamma.md");
    let text = std::fs::read_to_string(&gamma).unwrap();
    std::fs::write(&gamma, format!("{text}\nOne more sentence.\n")).unwrap();
    assert_eq!(parsed(&site.build(&["-q", "--timings", NOW])), (1, 5));
    let appended = std::fs::metadata(&file).unwrap();
    assert_eq!(appended.ino(), after.ino());
    assert!(appended.len() > after.len() && appended.len() < 2 * after.len());
    assert_eq!(std::fs::read(&file).unwrap()[..after.len() as usize], kept[..]);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(parsed(&site.build(&["-q", "--timings", NOW])), (0, 5));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// Where the first record starts in a parse cache file: after its three head lines.
fn first_record(bytes: &[u8]) -> usize {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(2).unwrap().0 + 1
}

/// `bytes` with the first byte of the first `text` in them after `from` changed (its
/// ASCII case flipped).
fn flip_in(bytes: &[u8], from: usize, text: &str) -> Vec<u8> {
    let at = from
        + bytes[from..]
            .windows(text.len())
            .position(|w| w == text.as_bytes())
            .unwrap_or_else(|| panic!("no {text:?} in the parse cache"));
    let mut bytes = bytes.to_vec();
    bytes[at] ^= 0x20;
    bytes
}

/// A byte of one record's head changed: its checksum tells, when the next build reads
/// it. (Where a record is depends on which thread parsed it first: the record is found
/// by its text, so the test spoils the same part of the file every time.)
#[test]
fn issue_15_a_parse_cache_with_a_damaged_record_in_the_middle_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(
        |bytes| flip_in(bytes, first_record(bytes), "Beta explainer"),
        "is damaged",
    );
}

/// A byte of one record's body HTML changed: its checksum tells, when the next build
/// renders the page (a build after the first renders every page: the first recorded
/// no page's inputs).
#[test]
fn issue_15_a_parse_cache_with_a_damaged_body_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(
        |bytes| flip_in(bytes, first_record(bytes), "<p>Beta body.</p>"),
        "is damaged",
    );
}

#[test]
fn issue_15_a_parse_cache_with_its_tail_cut_off_gives_a_full_correct_build() {
    spoiled_parse_cache_gives_a_full_build(|bytes| bytes[..bytes.len() - 5].to_vec(), "is damaged");
}

#[test]
fn issue_15_the_parse_cache_grows_by_what_changed_and_is_written_anew_when_mostly_dead() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::fixture("build/basic");
    std::fs::remove_file(site.path().join("content/world/alpha.md")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site.build(&["-q", NOW]);
    let file = site.path().join(".gazette/parse-cache");
    let first = std::fs::metadata(&file).unwrap();
    let gamma = site.path().join("content/economy/gamma.md");
    let text = std::fs::read_to_string(&gamma).unwrap();
    let (mut appended, mut rewritten) = (0, 0);
    let mut last = first.clone();
    for n in 0..12 {
        std::fs::write(&gamma, format!("{text}\nEdit number {n}.\n")).unwrap();
        assert_eq!(parsed(&site.build(&["-q", "--timings", NOW])), (1, 5), "edit {n}");
        let now = std::fs::metadata(&file).unwrap();
        if now.ino() == last.ino() {
            // The new record and index after the last ones, nothing else written.
            assert!(now.len() > last.len(), "edit {n}");
            appended += 1;
        } else {
            // Written anew with the live records alone: about the first file's size.
            assert!(now.len() < first.len() + 200, "edit {n}: {} bytes", now.len());
            rewritten += 1;
        }
        // Dead bytes never outweigh the live ones for long.
        assert!(now.len() < 3 * first.len(), "edit {n}: {} bytes", now.len());
        last = now;
    }
    assert!(appended > 0 && rewritten > 0, "{appended} appended, {rewritten} rewritten");
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    // What the last build wrote reads back: nothing is parsed.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(parsed(&site.build(&["-q", "--timings", NOW])), (0, 5));
}

#[test]
fn issue_15_a_body_damaged_in_the_parse_cache_gives_one_notice_and_a_full_correct_build() {
    let site = settled_site();
    site.build(&["-q", NOW]);
    // The second build takes the bodies from the parse cache and hashes every page's
    // inputs; the third renders only what changed.
    site.build(&["-q", NOW]);
    // The body HTML of `world/beta.md` damaged: only reading it can tell (it is not read
    // until a page needs it), and its page is rendered again, as it is gone.
    let cache = site.path().join(".gazette/parse-cache");
    let mut bytes = std::fs::read(&cache).unwrap();
    let body = b"<p>Beta body.</p>";
    let at = bytes.windows(body.len()).position(|w| w == body).unwrap();
    bytes[at + 5] ^= 0x20;
    std::fs::write(&cache, bytes).unwrap();
    std::fs::remove_file(site.out().join("world/beta/index.html")).unwrap();
    // The cache was written anew: the build after takes every body from it.
    full_parse_with_one_notice_then_reuse(&site, "is damaged");
}

#[test]
fn issue_15_serve_rebuilds_many_times_beside_the_parse_cache_and_a_build_after_is_correct() {
    let site = Site::fixture("serve/basic");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    site.build(&["-q", NOW]);
    site.build(&["-q", NOW]);
    let cache = site.path().join(".gazette/parse-cache");
    let kept = std::fs::read(&cache).unwrap();
    // A long session: every save rebuilds, and every page shows its own body, edited or
    // not (serve keeps its documents in memory, and no body points into the cache).
    let server = Server::start(site.path(), &[]);
    let beta = site.path().join("content/world/beta.md");
    let text = std::fs::read_to_string(&beta).unwrap();
    for n in 0..8 {
        let edited = format!("Beta body, edit {n}.");
        std::fs::write(&beta, text.replace("Beta body.", &edited)).unwrap();
        server.eventually(&format!("edit {n} shown"), || {
            server.get("/world/beta/").text().contains(&edited)
        });
        let delta = server.get("/economy/delta/").text();
        assert!(delta.contains("<p>Delta body.</p>"), "edit {n}: {delta}");
    }
    drop(server);
    // serve neither reads nor writes the parse cache: the next build takes the articles
    // it holds that did not change, and its output is a clean build's.
    assert_eq!(std::fs::read(&cache).unwrap(), kept);
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    assert!(site.read("economy/delta/index.html").contains("<p>Delta body.</p>"));
    assert!(site.read("world/beta/index.html").contains("Beta body, edit 7."));
}
