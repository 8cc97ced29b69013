//! Images decoded as they are meant to look (issue 16): a JPEG cut short but closed
//! with an end marker, colour profiles, animated WebP, GIF metadata. Real files made in
//! each test, built, and the output decoded back.

use crate::images::{article, failed_build, photo, write_bytes};
use crate::support::{Site, stderr};

const SITE: &str = "title: Pictures\nbase_url: https://example.org/\nimages:\n  widths: [160]\n";

/// A camera-like JPEG cut in half and closed with an end-of-image marker: the
/// truncation scan sees a whole file, and a lenient decoder fills the rest with grey.
fn cut_and_closed() -> Vec<u8> {
    let whole = photo(300, 200, 1);
    let mut cut = whole[..whole.len() / 2].to_vec();
    cut.extend_from_slice(&[0xFF, 0xD9]);
    cut
}

#[test]
fn a_jpeg_cut_short_and_closed_with_an_end_marker_fails_the_build() {
    let err = failed_build("closed.jpg", &cut_and_closed());
    assert!(
        err.starts_with(
            "error: image `content/images/closed.jpg` cannot be decoded: the file ends before the image does\n --> content/world/rain.md:9:1\n"
        ),
        "{err}"
    );
    assert!(err.contains("help: the file may be truncated or damaged"), "{err}");
}

#[test]
fn check_finds_a_jpeg_cut_short_and_closed_with_an_end_marker() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/closed.jpg", &cut_and_closed());
    write_bytes(&site, "content/images/whole.jpg", &photo(300, 200, 1));
    site.write(
        "content/world/floods.md",
        &article("", "![Street](/images/closed.jpg)\n\n![Square](/images/whole.jpg)"),
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: image `content/images/closed.jpg` cannot be decoded: the file ends before the image does\n --> content/world/floods.md:7:1\n"
        ),
        "{err}"
    );
    assert!(!err.contains("whole.jpg"), "{err}");
}
