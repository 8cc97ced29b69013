//! The spare (issue 15): a build holding the cache's lock keeps the output it replaces
//! in `.gazette/spare`, and the next one turns that into its output by changing only
//! what differs. Whatever was done to the spare or the output between builds, the output
//! is the one a `--no-cache` build makes, and the pages an edit did not touch keep their
//! inode.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::support::{Site, clean_build, gazette, stderr, tree_hashes, two_builds_at_once};

const NOW: &str = "--now=2026-06-01T00:00:00Z";

fn ino(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).ino()
}

fn spare(site: &Site) -> PathBuf {
    site.path().join(".gazette/spare")
}

/// Built three times: the third build found a spare (the first build's output) and
/// kept the second's output as the next one.
fn with_a_spare() -> Site {
    let site = Site::fixture("build/basic");
    for _ in 0..3 {
        site.build(&["-q", NOW]);
    }
    assert!(spare(&site).join(".gazette-output").is_file(), "no spare kept");
    site
}

/// Edits the body of `content/economy/gamma.md` (a different edit each time `n`).
fn edit_gamma(site: &Site, n: usize) {
    let path = site.path().join("content/economy/gamma.md");
    let text = std::fs::read_to_string(&path).unwrap();
    site.write("content/economy/gamma.md", &format!("{text}\nEdit number {n}.\n"));
}

const UNTOUCHED: [&str; 3] =
    ["world/alpha/index.html", "economy/delta/index.html", "news/epsilon/index.html"];

#[test]
fn the_spare_becomes_the_next_output_changed_only_where_the_site_changed() {
    let site = with_a_spare();
    let pages: Vec<u64> = UNTOUCHED.iter().map(|p| ino(&site.out().join(p))).collect();
    for n in 0..3 {
        let was_spare = ino(&spare(&site));
        let was_output = ino(&site.out());
        edit_gamma(&site, n);
        site.build(&["-q", NOW]);
        // The spare was swapped in, and the output it replaced is the next spare.
        assert_eq!(ino(&site.out()), was_spare, "round {n}: the spare was not used");
        assert_eq!(ino(&spare(&site)), was_output, "round {n}");
        assert!(site.read("economy/gamma/index.html").contains(&format!("Edit number {n}.")));
        // The untouched pages are still the very files of the first build.
        let now: Vec<u64> = UNTOUCHED.iter().map(|p| ino(&site.out().join(p))).collect();
        assert_eq!(now, pages, "round {n}");
        assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW), "round {n}");
    }
    // An article added, then removed: its page comes and goes with the spare in turn.
    site.write("content/world/zeta.md", "---\ntitle: Zeta\ndate: 2026-03-09\ncategory: World\nsummary: Zeta summary.\n---\n\nZeta.\n");
    site.build(&["-q", NOW]);
    assert!(site.out().join("world/zeta/index.html").is_file());
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    site.remove("content/world/zeta.md");
    for _ in 0..2 {
        site.build(&["-q", NOW]);
        assert!(!site.out().join("world/zeta").exists());
        assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    }
}

#[test]
fn a_spare_deleted_by_hand_gives_a_correct_build_and_a_new_spare() {
    let site = with_a_spare();
    std::fs::remove_dir_all(spare(&site)).unwrap();
    edit_gamma(&site, 1);
    let was_output = ino(&site.out());
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    assert_eq!(ino(&spare(&site)), was_output, "the replaced output is the new spare");
}

#[test]
fn what_was_changed_by_hand_in_the_spare_is_never_published() {
    let site = with_a_spare();
    let spare = spare(&site);
    // A page replaced by another file, one written through (it is the published page
    // too: a hard link), a file and a folder added, a folder replaced by a file, a link
    // to a folder outside.
    std::fs::remove_file(spare.join("world/alpha/index.html")).unwrap();
    std::fs::write(spare.join("world/alpha/index.html"), "replaced").unwrap();
    std::fs::write(spare.join("index.html"), "written through").unwrap();
    std::fs::write(spare.join("stray.html"), "stray").unwrap();
    std::fs::create_dir_all(spare.join("news/extra")).unwrap();
    std::fs::write(spare.join("news/extra/index.html"), "stray").unwrap();
    std::fs::remove_dir_all(spare.join("economy/delta")).unwrap();
    std::fs::write(spare.join("economy/delta"), "a file").unwrap();
    let outside = site.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("index.html"), "mine").unwrap();
    std::fs::remove_dir_all(spare.join("world/beta")).unwrap();
    std::os::unix::fs::symlink(&outside, spare.join("world/beta")).unwrap();
    edit_gamma(&site, 1);
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
    assert_eq!(std::fs::read_to_string(outside.join("index.html")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1, "nothing written through the link");
    // And the build after it, from the output that was published meanwhile.
    edit_gamma(&site, 2);
    site.build(&["-q", NOW]);
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
#[cfg(target_os = "linux")] // elsewhere, without /proc, no leftover is judged dead
fn a_spare_a_killed_build_was_changing_is_not_used_and_is_deleted() {
    let site = with_a_spare();
    // A build takes the spare by renaming it under its own process's name before it
    // changes anything in it: killed meanwhile, it leaves that, and no spare. No process
    // has this id (Linux pids stop at 2^22).
    let dirty = site.path().join(".gazette/old-output/4194400.0");
    std::fs::create_dir_all(dirty.parent().unwrap()).unwrap();
    let dirty_ino = ino(&spare(&site));
    std::fs::rename(spare(&site), &dirty).unwrap();
    std::fs::remove_file(dirty.join("world/alpha/index.html")).unwrap();
    std::fs::write(dirty.join("world/alpha/index.html"), "half written").unwrap();
    edit_gamma(&site, 1);
    site.build(&["-q", NOW]);
    assert!(!dirty.exists(), "the killed build's folder is still there");
    assert_ne!(ino(&site.out()), dirty_ino, "a folder a killed build changed was used");
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn pages_changed_by_hand_in_the_output_between_builds_are_made_again() {
    let site = with_a_spare();
    let published = site.read("world/alpha/index.html");
    // Written through: the spare holds the same file, a hard link to it.
    std::fs::write(site.out().join("world/alpha/index.html"), "defaced").unwrap();
    std::fs::remove_file(site.out().join("economy/delta/index.html")).unwrap();
    std::fs::write(site.out().join("notes.txt"), "mine").unwrap();
    for n in 0..3 {
        edit_gamma(&site, n);
        site.build(&["-q", NOW]);
        assert_eq!(site.read("world/alpha/index.html"), published, "round {n}");
        assert!(!site.out().join("notes.txt").exists(), "round {n}");
        assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW), "round {n}");
    }
}

#[test]
fn two_builds_at_once_with_a_spare_both_succeed_with_a_correct_output() {
    let site = with_a_spare();
    for n in 0..3 {
        edit_gamma(&site, n);
        for out in two_builds_at_once(site.path(), NOW) {
            assert!(out.status.success(), "round {n}: {}", stderr(&out));
        }
        assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW), "round {n}");
    }
    let out = gazette(site.path(), &["build", "-q", NOW]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

/// The build cache says what the spare holds (the output before last, as the build that
/// made it left it), so a build reads only the spare's folders changed since. A folder
/// put there by hand in its place, even a spare of this site whose folders are all
/// older than that, is not the one the cache describes: it is read whole.
#[test]
fn an_older_output_put_back_as_the_spare_is_not_taken_for_the_one_the_cache_knows() {
    let site = Site::fixture("build/basic");
    site.build(&["-q", NOW]);
    edit_gamma(&site, 1);
    site.build(&["-q", NOW]);
    let cache = std::fs::read_to_string(site.path().join(".gazette/build-cache")).unwrap();
    assert!(cache.contains("\nspare-sealed "), "the cache does not describe the spare");
    // The first build's output, with the old gamma page, held aside.
    let held = site.path().join("held");
    std::fs::rename(spare(&site), &held).unwrap();
    site.build(&["-q", NOW]); // the second output is now the spare the cache describes
    std::fs::remove_dir_all(spare(&site)).unwrap();
    std::fs::rename(&held, spare(&site)).unwrap();
    // An edit elsewhere: gamma's page is kept, and the spare put back holds an older one.
    let path = site.path().join("content/world/alpha.md");
    let text = std::fs::read_to_string(&path).unwrap();
    site.write("content/world/alpha.md", &format!("{text}\nOne more line.\n"));
    site.build(&["-q", NOW]);
    assert!(site.read("economy/gamma/index.html").contains("Edit number 1."));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}

#[test]
fn a_build_that_fails_on_its_content_keeps_the_spare_for_the_next_one() {
    let site = with_a_spare();
    let (was_spare, was_output) = (ino(&spare(&site)), ino(&site.out()));
    let before = tree_hashes(&site.out());
    // A front matter error: the build fails once the content is loaded, by when the
    // spare was taken as its staging folder.
    let good = std::fs::read_to_string(site.path().join("content/economy/gamma.md")).unwrap();
    site.write("content/economy/gamma.md", &good.replacen("title:", "titel:", 1));
    let failed = gazette(site.path(), &["build", "-q", NOW]);
    assert!(!failed.status.success(), "the broken article was built");
    assert!(stderr(&failed).contains("gamma.md"), "{}", stderr(&failed));
    // The spare is back where it was kept, the very folder, and the output untouched.
    assert_eq!(ino(&spare(&site)), was_spare, "the spare was not given back");
    assert!(spare(&site).join(".gazette-output").is_file());
    assert_eq!(ino(&site.out()), was_output);
    assert_eq!(tree_hashes(&site.out()), before);
    // Fixed, and edited: the next build takes that spare, changing only what differs.
    site.write("content/economy/gamma.md", &good);
    edit_gamma(&site, 7);
    site.build(&["-q", NOW]);
    assert_eq!(ino(&site.out()), was_spare, "the spare was not used");
    assert!(site.read("economy/gamma/index.html").contains("Edit number 7."));
    assert_eq!(tree_hashes(&site.out()), clean_build(&site, NOW));
}
