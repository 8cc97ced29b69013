//! The build cache (issue 15): a rebuild links the files whose bytes did not change, so
//! their inode and mtime stay; whatever the cache holds, the output is the one a
//! `--no-cache` build makes.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::{
    Site, clean_build, flip_a_late_byte, gazette, notes, stderr, tree_hashes, two_builds_at_once,
};

const NOW: &str = "--now=2026-06-01T00:00:00Z";

/// Every file under `dir` with its inode and mtime.
fn stamps(dir: &Path) -> BTreeMap<PathBuf, (u64, i64, i64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_owned();
            (rel, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// The files whose inode or mtime differ between two listings, and those new in `after`.
fn changed(
    before: &BTreeMap<PathBuf, (u64, i64, i64)>,
    after: &BTreeMap<PathBuf, (u64, i64, i64)>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(rel, stamp)| before.get(*rel) != Some(stamp))
        .map(|(rel, _)| rel.display().to_string())
        .collect()
}

#[test]
fn a_rebuild_without_change_writes_no_file() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    let before = stamps(&site.out());
    site.build(&["-q", NOW]);
    let after = stamps(&site.out());
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    // Only the marker is written again by every build.
    assert_eq!(changed(&before, &after), [".gazette-output"]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn a_body_edit_keeps_the_untouched_pages_as_hard_links() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    let before = stamps(&site.out());
    let gamma = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write(
        "content/economy/gamma.md",
        &gamma.replace("Gamma body with several words", "Gamma body, edited, with several words"),
    );
    site.build(&["-q", NOW]);
    let after = stamps(&site.out());
    let changed = changed(&before, &after);
    assert!(changed.contains(&"economy/gamma/index.html".to_owned()), "{changed:?}");
    // The other articles' pages are the very files of the last build.
    for page in ["world/alpha/index.html", "economy/delta/index.html", "news/epsilon/index.html"] {
        assert!(!changed.contains(&page.to_owned()), "{page} was written again: {changed:?}");
        assert_eq!(before[Path::new(page)], after[Path::new(page)]);
    }
    // Content files and theme assets are linked too.
    assert!(!changed.iter().any(|f| f.starts_with("files/") || f.starts_with("images/")));
    assert!(
        site.read("economy/gamma/index.html").contains("Gamma body, edited, with several words")
    );
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn a_page_edited_in_the_output_folder_is_written_again() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    let page = site.out().join("world/alpha/index.html");
    let published = std::fs::read(&page).unwrap();
    std::fs::write(&page, b"defaced").unwrap();
    site.build(&["-q", NOW]);
    assert_eq!(std::fs::read(&page).unwrap(), published);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// Builds once, spoils the cache file with `spoil`, builds again: the notice is the
/// one expected, and the output is a clean build's.
fn spoiled_cache_gives_a_full_build(spoil: impl Fn(&[u8]) -> Vec<u8>, notice: &str) {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    let cache = site.path().join(".gazette/build-cache");
    let bytes = std::fs::read(&cache).unwrap();
    std::fs::write(&cache, spoil(&bytes)).unwrap();
    let before = stamps(&site.out());
    let out = site.build(&["-q", NOW]);
    assert_eq!(
        notes(&out),
        [format!("note: the build cache `.gazette/build-cache` {notice}; writing every file")]
    );
    // Every page written anew: none is a link to the last build's. (Resized images are
    // links to their own cache, issue 16, whatever the build cache holds.)
    let after = stamps(&site.out());
    let page = |rel: &PathBuf| rel.extension().is_some_and(|e| e == "html" || e == "xml");
    assert!(after.iter().filter(|(rel, _)| page(rel)).all(|(rel, s)| before[rel].0 != s.0));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    // The cache is whole again: the next build links every page.
    let out = site.build(&["-q", NOW]);
    assert_eq!(notes(&out), Vec::<String>::new());
    assert_eq!(changed(&after, &stamps(&site.out())), [".gazette-output"]);
}

#[test]
fn a_truncated_cache_gives_a_full_correct_build() {
    spoiled_cache_gives_a_full_build(|bytes| bytes[..bytes.len() / 2].to_vec(), "is damaged");
}

#[test]
fn a_garbage_cache_gives_a_full_correct_build() {
    spoiled_cache_gives_a_full_build(|_| b"\x00\xffnot a cache at all\n".to_vec(), "is damaged");
}

#[test]
fn a_cache_with_one_flipped_byte_gives_a_full_correct_build() {
    spoiled_cache_gives_a_full_build(flip_a_late_byte, "is damaged");
}

#[test]
fn a_cache_from_another_gazette_gives_a_full_correct_build() {
    spoiled_cache_gives_a_full_build(
        |bytes| {
            String::from_utf8(bytes.to_vec())
                .unwrap()
                .replacen("gazette 0.", "gazette 99.", 1)
                .into()
        },
        "is from another gazette or output folder",
    );
}

#[test]
fn two_builds_at_once_both_succeed_with_a_correct_output() {
    // Built twice: the build that gets the cache renders only what changed.
    let site = built_twice();
    site.write(
        "content/misc/epsilon.md",
        "---\ntitle: Epsilon again\ndate: 2026-03-05\n---\n\nNew.\n",
    );
    for out in two_builds_at_once(site.path(), NOW) {
        assert!(out.status.success(), "{}", stderr(&out));
        // A build that found the cache locked says so, and writes every file.
        let notes = notes(&out);
        assert!(
            notes.is_empty()
                || notes
                    == [
                        "note: the build cache `.gazette/build-cache` is in use by another build; writing every file"
                    ],
            "{notes:?}"
        );
    }
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn no_cache_keeps_no_cache_and_cache_dir_moves_it() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW, "--no-cache"]);
    // Resized images (issue 16) are still kept in .gazette/images/.
    assert!(!site.path().join(".gazette/build-cache").exists(), "--no-cache made a cache");
    std::fs::remove_dir_all(site.path().join(".gazette")).unwrap();
    site.build(&["-q", NOW, "--cache-dir", "elsewhere/cache"]);
    assert!(site.path().join("elsewhere/cache/build-cache").is_file());
    assert!(site.path().join("elsewhere/cache/images").is_dir());
    assert!(!site.path().join(".gazette").exists(), "--cache-dir still made .gazette/");
    // The default folder is git-ignored from the start.
    site.build(&["-q", NOW]);
    let ignore = std::fs::read_to_string(site.path().join(".gazette/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
}

#[test]
fn a_cache_folder_inside_the_output_folder_is_a_usage_error() {
    let site = Site::fixture("build/basic");
    let out = gazette(site.path(), &["build", "-q", "--cache-dir", "output/cache"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: --cache-dir: `output/cache` is inside the output folder `./output`, which every build replaces\n"
    );
    let out = gazette(site.path(), &["build", "--no-cache", "--cache-dir", "c"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_output_folder_restored_from_a_ci_cache_keeps_its_files() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    // As a CI cache restores it: the same bytes and mtimes in new files (new inodes).
    let out = site.out();
    let saved = site.path().join("saved");
    std::fs::rename(&out, &saved).unwrap();
    for entry in walkdir::WalkDir::new(&saved) {
        let entry = entry.unwrap();
        let to = out.join(entry.path().strip_prefix(&saved).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
            let modified = entry.metadata().unwrap().modified().unwrap();
            std::fs::File::options().write(true).open(&to).unwrap().set_modified(modified).unwrap();
        }
    }
    // One restored page was changed since, keeping its size.
    let page = out.join("world/alpha/index.html");
    let mut bytes = std::fs::read(&page).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(&page, &bytes).unwrap();
    let before = stamps(&out);
    site.build(&["-q", NOW]);
    // Resized images are links to their own cache (issue 16), not to the output's files.
    let changed: Vec<String> =
        changed(&before, &stamps(&out)).into_iter().filter(|f| !f.starts_with("images/")).collect();
    assert_eq!(changed, [".gazette-output", "world/alpha/index.html"]);
    assert_eq!(tree_hashes(&out), clean_build(&site, NOW));
}

#[test]
fn check_reads_the_cache_and_finds_what_it_finds_without_it() {
    let site = Site::fixture("build/basic");
    // Without a cache, check makes none.
    let first = site.run(&["check", NOW]);
    assert!(!site.path().join(".gazette").exists(), "check made .gazette/");
    site.build(&["-q", NOW]);
    let cache = std::fs::read(site.path().join(".gazette/build-cache")).unwrap();
    assert_eq!(stderr(&site.run(&["check", NOW])), stderr(&first));
    // A broken link in one article: found with the cache as without it.
    let gamma = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write(
        "content/economy/gamma.md",
        &gamma.replace("Gamma body", "Gamma [body](/economy/nowhere/)"),
    );
    let cached = site.run(&["check", NOW]);
    let uncached = site.run(&["check", NOW, "--no-cache"]);
    assert_eq!(cached.status.code(), Some(1));
    assert_eq!(stderr(&cached), stderr(&uncached));
    assert!(stderr(&cached).contains("/economy/nowhere/"), "{}", stderr(&cached));
    // check only reads the cache.
    assert_eq!(std::fs::read(site.path().join(".gazette/build-cache")).unwrap(), cache);
}

/// The entries of the site folder left beside the output by builds (staging folders,
/// old outputs): none once a build is done, when the cache folder is on the same disk.
fn beside_output(site: &Site) -> Vec<String> {
    std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".output"))
        .collect()
}

/// Builds the site twice: the first build records its files in the cache, the second
/// the inputs of its pages too, so that the next one renders only what changed.
fn built_twice() -> Site {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    site.build(&["-q", NOW]);
    site
}

#[test]
fn a_rebuild_links_what_it_keeps_and_leaves_nothing_beside_the_output() {
    let site = built_twice();
    let files = stamps(&site.out());
    let gamma = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write("content/economy/gamma.md", &gamma.replace("Gamma body", "Gamma body, edited,"));
    site.build(&["-q", NOW]);
    let after = stamps(&site.out());
    assert!(changed(&files, &after).contains(&"economy/gamma/index.html".to_owned()));
    // The untouched pages are the very files of the last build, hard links to them: the
    // previous output, renamed into the cache folder, may still hold them too.
    for page in ["world/alpha/index.html", "economy/delta/index.html", "news/epsilon/index.html"] {
        assert_eq!(files[Path::new(page)], after[Path::new(page)], "{page}");
    }
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    // The previous output went into the cache folder to be deleted, not beside the output.
    assert_eq!(beside_output(&site), Vec::<String>::new());
}

#[test]
fn a_file_added_by_hand_to_a_kept_folder_does_not_survive() {
    let site = built_twice();
    let before = stamps(&site.out());
    site.write("output/world/alpha/notes.txt", "mine");
    site.write("output/news/extra.html", "mine");
    std::fs::create_dir(site.out().join("economy/delta/more")).unwrap();
    site.build(&["-q", NOW]);
    for added in ["world/alpha/notes.txt", "news/extra.html", "economy/delta/more"] {
        assert!(!site.out().join(added).exists(), "{added} survived");
    }
    // The pages beside them are kept all the same.
    let after = stamps(&site.out());
    assert_eq!(changed(&before, &after), [".gazette-output"]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn a_removed_article_leaves_no_page_behind() {
    let site = built_twice();
    assert!(site.out().join("world/beta/index.html").is_file());
    site.remove("content/world/beta.md");
    site.build(&["-q", NOW]);
    assert!(!site.out().join("world/beta").exists());
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
#[cfg(target_os = "linux")] // elsewhere, without /proc, no leftover is judged dead
fn what_killed_builds_left_is_taken_away_and_never_published() {
    let site = built_twice();
    let marker = std::fs::read_to_string(site.out().join(".gazette-output")).unwrap();
    // No process has these ids: Linux pids stop at 2^22. A previous output a killed build
    // was deleting, in the cache folder and beside the output, and its staging folder.
    let planted = [
        ".gazette/old-output/4194400.0",
        ".output.staging-4194401.old",
        ".output.staging-4194402.old7",
        ".output.staging-4194403",
    ];
    for dir in planted {
        site.write(&format!("{dir}/.gazette-output"), &marker);
        site.write(&format!("{dir}/stale/index.html"), "stale page");
    }
    // Not gazette's (no marker): left alone, wherever it is.
    site.write(".gazette/old-output/4194404.0/notes.txt", "mine");
    site.build(&["-q", NOW]);
    for dir in planted {
        assert!(!site.path().join(dir).exists(), "{dir} is still there");
    }
    let mine = std::fs::read_to_string(site.path().join(".gazette/old-output/4194404.0/notes.txt"));
    assert_eq!(mine.unwrap(), "mine");
    assert!(!site.out().join("stale").exists());
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    assert_eq!(beside_output(&site), Vec::<String>::new());
}

/// Rebuilds `site` with its cache after an edit: the output is a clean build's, and the
/// files written anew (those whose inode or mtime changed, the marker aside) are
/// returned, sorted.
fn rebuilt(site: &Site, before: &BTreeMap<PathBuf, (u64, i64, i64)>) -> Vec<String> {
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(site, NOW));
    let mut written = changed(before, &stamps(&site.out()));
    written.retain(|f| f != ".gazette-output");
    written
}

/// Replaces `from` with `to` in the source file `rel` of `site`, which must hold it.
fn edit(site: &Site, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(site.path().join(rel)).unwrap();
    assert!(text.contains(from), "{rel} has no `{from}`");
    site.write(rel, &text.replacen(from, to, 1));
}

// An article's page is decided from its view without the body HTML, whose hash stands
// in for it (issue 15): these edits change what a page shows through nothing else.

#[test]
fn a_word_swapped_in_a_later_section_renders_that_page_again() {
    let site = built_twice();
    let before = stamps(&site.out());
    // Same length, same word count, same reading time: only the HTML differs.
    edit(&site, "content/world/alpha.md", "The end.", "The fin.");
    let written = rebuilt(&site, &before);
    assert!(written.contains(&"world/alpha/index.html".to_owned()), "{written:?}");
    assert!(site.read("world/alpha/index.html").contains("The fin."));
    // Nothing else shows the body; the search index does.
    let pages: Vec<&String> = written.iter().filter(|f| f.ends_with(".html")).collect();
    assert_eq!(pages, ["world/alpha/index.html"]);
}

#[test]
fn a_body_edit_that_changes_the_reading_time_renders_the_listings_showing_it() {
    let site = built_twice();
    let before = stamps(&site.out());
    let minutes = |site: &Site| {
        let page = site.page("/economy/gamma/");
        page.texts(".reading-time")
    };
    let was = minutes(&site);
    let words = " more words to read".repeat(150);
    edit(&site, "content/economy/gamma.md", "for the reading time.", &format!("{words}."));
    let written = rebuilt(&site, &before);
    assert_ne!(minutes(&site), was);
    // Its page and every listing of its card; not the pages of the other articles.
    for page in ["economy/gamma/index.html", "economy/index.html", "tags/rates/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
    }
    for page in ["world/alpha/index.html", "economy/delta/index.html", "world/beta/index.html"] {
        assert!(!written.contains(&page.to_owned()), "{page} written: {written:?}");
    }
}

#[test]
fn a_linked_article_left_out_is_unlinked_from_an_unchanged_body() {
    let site = Site::empty(
        "title: T\nbase_url: https://example.com/\nsee_also:\n  inline: 0\n  related: 0\n",
    );
    site.write(
        "content/news/a.md",
        "---\ntitle: A\ndate: 2026-03-01\ncategory: News\nsummary: A.\n---\n\n\
         Read [the b explainer](/news/b/) first.\n",
    );
    site.write(
        "content/news/b.md",
        "---\ntitle: B\ndate: 2026-03-02\ncategory: News\nsummary: B.\n---\n\nB body.\n",
    );
    site.build(&["-q", NOW]);
    site.build(&["-q", NOW]);
    let linked =
        |site: &Site| site.page("/news/a/").attrs("a", "href").contains(&"/news/b/".to_owned());
    assert!(linked(&site));
    // B is dated after the build: left out, so A's link to it would lead to a 404. A's
    // file is the same; what its page shows of its body is not.
    let before = stamps(&site.out());
    edit(&site, "content/news/b.md", "date: 2026-03-02", "date: 2026-07-02");
    let written = rebuilt(&site, &before);
    assert!(written.contains(&"news/a/index.html".to_owned()), "{written:?}");
    assert!(!linked(&site));
    assert!(site.read("news/a/index.html").contains("Read the b explainer first."));
    // And back.
    let before = stamps(&site.out());
    edit(&site, "content/news/b.md", "date: 2026-07-02", "date: 2026-03-02");
    rebuilt(&site, &before);
    assert!(linked(&site));
}

#[test]
fn an_edit_of_a_linked_article_renders_the_pages_that_show_its_card() {
    let site = built_twice();
    let before = stamps(&site.out());
    // Alpha's "Related" list shows gamma's date; alpha's file is unchanged.
    edit(&site, "content/economy/gamma.md", "date: 2026-03-03T10:00:00Z", "date: 2026-02-27");
    let written = rebuilt(&site, &before);
    assert!(written.contains(&"world/alpha/index.html".to_owned()), "{written:?}");
    assert!(site.read("world/alpha/index.html").contains("2026-02-27"));
}

#[test]
fn a_tag_spelt_anew_renders_every_page_that_names_it() {
    let site = built_twice();
    let before = stamps(&site.out());
    // `Diplomacy` (alpha) and `diplomacy` (beta; zeta is a draft): of spellings used
    // equally often, the earliest article's names the tag. Beta, now the earlier, makes it
    // `diplomacy` everywhere, on alpha's page too, whose file is unchanged.
    let name = |site: &Site| site.page("/world/alpha/").texts(".tags li");
    let was = name(&site);
    edit(&site, "content/world/beta.md", "date: 2026-03-02", "date: 2026-02-28");
    let written = rebuilt(&site, &before);
    assert_ne!(name(&site), was);
    assert!(written.contains(&"world/alpha/index.html".to_owned()), "{written:?}");
}

#[test]
fn a_template_or_site_yaml_edit_renders_every_page_it_changes() {
    let site = built_twice();
    let before = stamps(&site.out());
    site.run(&["theme", "copy", "article.html"]);
    edit(
        &site,
        "themes/default/templates/article.html",
        "{% block main %}",
        "{% block main %}<!-- edited -->",
    );
    let written = rebuilt(&site, &before);
    for page in ["world/alpha/index.html", "economy/gamma/index.html", "news/epsilon/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
    }
    assert!(!written.contains(&"economy/index.html".to_owned()), "{written:?}");
    let before = stamps(&site.out());
    edit(&site, "site.yaml", "title: Fixture Times", "title: Fixture Gazette");
    let written = rebuilt(&site, &before);
    for page in ["world/alpha/index.html", "economy/index.html", "index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
    }
}

/// A string of the site's translations that pages look up as they render (a plural, so
/// not written into the templates): an edit of it renders the pages that show it again,
/// as the configuration's hash, which every page's inputs hold, now covers the strings.
#[test]
fn a_translation_edit_renders_the_pages_that_show_it() {
    let site = built_twice();
    let before = stamps(&site.out());
    site.write(
        "i18n/en.yaml",
        "min_read:\n  one: \"{count} minute to read\"\n  other: \"{count} minutes to read\"\n",
    );
    let written = rebuilt(&site, &before);
    for page in ["world/alpha/index.html", "economy/gamma/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
        let html = std::fs::read_to_string(site.out().join(page)).unwrap();
        assert!(html.contains("to read"), "{page} lacks the new string");
    }
}

/// What `build --timings` says of the article pages kept by their surroundings (a hash
/// of what their inputs are made from, cheaper than the inputs): (kept, asked).
fn kept_by_surroundings(out: &std::process::Output) -> (usize, usize) {
    crate::support::timings_count(out, "article pages kept by their surroundings")
}

/// What `build --timings` says of the listing pages kept by their surroundings: (kept,
/// asked).
fn listings_kept_by_surroundings(out: &std::process::Output) -> (usize, usize) {
    crate::support::timings_count(out, "listing pages kept by their surroundings")
}

/// A listing's page (a category's, a tag's, an author's, a month's, the front page's
/// past the first) is first asked by the hash of its surroundings: the card hashes of
/// the articles it shows, its number and the number of pages, and what it lists. A
/// title edit changes one card: the pages that show it are made again, the others kept.
/// This binary, built with debug assertions, also checks that every page kept by its
/// surroundings had the exact inputs recorded.
#[test]
fn unchanged_listing_pages_are_kept_by_their_surroundings() {
    let site = built_twice();
    let again = site.build(&["-q", "--timings", NOW]);
    let (kept, asked) = listings_kept_by_surroundings(&again);
    // Three categories, five tags or more, two authors or more, the months, and the
    // front page's second page (two articles a page).
    assert!(asked >= 10, "{asked} asked");
    assert_eq!(kept, asked);
    let before = stamps(&site.out());
    let title = "title: Gamma and the rates";
    edit(&site, "content/economy/gamma.md", title, "title: Gamma and the new rates");
    let edited = site.build(&["-q", "--timings", NOW]);
    let (kept, asked_now) = listings_kept_by_surroundings(&edited);
    assert_eq!(asked_now, asked);
    assert!(kept > 0 && kept + 3 <= asked, "{kept} of {asked} kept");
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    let written = changed(&before, &stamps(&site.out()));
    for page in ["economy/index.html", "tags/rates/index.html", "tags/trade/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
        let html = std::fs::read_to_string(site.out().join(page)).unwrap();
        assert!(html.contains("Gamma and the new rates"), "{page} shows the old title");
    }
    assert!(!written.contains(&"world/index.html".to_owned()), "{written:?}");
    // A tag spelt anew by its newest article: its name changes on its pages, and on
    // those that list it as a related tag.
    edit(&site, "content/economy/gamma.md", "tags: [trade, rates]", "tags: [Trade, rates]");
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    // Nothing changed since: every listing page is kept by its surroundings again.
    let settled = site.build(&["-q", "--timings", NOW]);
    assert_eq!(listings_kept_by_surroundings(&settled), (asked, asked));
}

/// An article's page is first asked by the hash of its surroundings: when that is the
/// last build's, the page is kept without its view being made. An edit of the article,
/// or of one whose card it shows, changes it; the page is then decided by its exact
/// inputs. This binary, built with debug assertions, also checks that every page kept
/// by its surroundings had the exact inputs recorded.
#[test]
fn unchanged_article_pages_are_kept_by_their_surroundings() {
    let site = built_twice();
    let again = site.build(&["-q", "--timings", NOW]);
    let (kept, asked) = kept_by_surroundings(&again);
    // Of alpha, beta, gamma, delta and epsilon (zeta is a draft), not those others link
    // into with an `#anchor`, as beta: they are always rendered, and never asked.
    assert!(asked >= 3, "{asked} asked");
    assert_eq!(kept, asked);
    // A body edited: that page alone is decided otherwise.
    let before = stamps(&site.out());
    edit(&site, "content/economy/delta.md", "Delta body.", "Delta body, edited.");
    let edited = site.build(&["-q", "--timings", NOW]);
    assert_eq!(kept_by_surroundings(&edited), (asked - 1, asked));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    let written = changed(&before, &stamps(&site.out()));
    assert!(written.contains(&"economy/delta/index.html".to_owned()), "{written:?}");
    // Gamma's date changed: its card, which alpha's "Related" list shows, changed too.
    let before = stamps(&site.out());
    edit(&site, "content/economy/gamma.md", "date: 2026-03-03T10:00:00Z", "date: 2026-02-27");
    let dated = site.build(&["-q", "--timings", NOW]);
    let (kept, _) = kept_by_surroundings(&dated);
    assert!(kept <= asked - 2, "{kept} of {asked} kept");
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    let written = changed(&before, &stamps(&site.out()));
    for page in ["world/alpha/index.html", "economy/gamma/index.html"] {
        assert!(written.contains(&page.to_owned()), "{page} not written: {written:?}");
    }
    // Nothing changed since: every page is kept by its surroundings again.
    let settled = site.build(&["-q", "--timings", NOW]);
    assert_eq!(kept_by_surroundings(&settled), (asked, asked));
}
