use super::*;

fn picture(width: u32, height: u32, format: Format) -> Picture {
    Picture {
        rel: PathBuf::from("content/images/photo.jpg"),
        inner: PathBuf::from("images/photo.jpg"),
        from_theme: false,
        hash: "3f2a1c9b0d".repeat(6) + "abcd",
        width,
        height,
        format,
        bytes: 1,
        widths: [480, 800, 1200, 1600].iter().map(|&w: &u32| w.min(width)).collect(),
        avif: false,
    }
}

#[test]
fn files_are_named_by_hash_and_width_and_never_wider_than_the_source() {
    let mut p = picture(1000, 750, Format::Jpeg);
    p.widths.dedup();
    let webp: Vec<_> = p.webp().into_iter().map(|v| (v.path, v.width, v.height)).collect();
    assert_eq!(
        webp,
        [
            ("/images/photo.3f2a1c9b0d.480.webp".to_owned(), 480, 360),
            ("/images/photo.3f2a1c9b0d.800.webp".to_owned(), 800, 600),
            ("/images/photo.3f2a1c9b0d.1000.webp".to_owned(), 1000, 750),
        ]
    );
    assert_eq!(p.fallbacks()[2].path, "/images/photo.3f2a1c9b0d.1000.jpg");
    assert_eq!(p.social().width, 1000);
    assert!(p.crops().is_empty(), "a 1000 px source is too small for 1200 px crops");
}

#[test]
fn a_large_source_gets_three_crops_at_1200_px() {
    let p = picture(4000, 3000, Format::Png);
    let crops: Vec<_> = p.crops().into_iter().map(|v| (v.path, v.width, v.height)).collect();
    assert_eq!(
        crops,
        [
            ("/images/photo.3f2a1c9b0d.16x9.jpg".to_owned(), 1200, 675),
            ("/images/photo.3f2a1c9b0d.4x3.jpg".to_owned(), 1200, 900),
            ("/images/photo.3f2a1c9b0d.1x1.jpg".to_owned(), 1200, 1200),
        ]
    );
    // A PNG falls back to PNG in pages, and to JPEG for social cards.
    assert!(p.fallbacks()[0].path.ends_with(".480.png"));
    assert_eq!(p.social().path, "/images/photo.3f2a1c9b0d.1200.jpg");
}

#[test]
fn cache_names_change_with_every_setting_that_changes_the_file() {
    let p = picture(4000, 3000, Format::Jpeg);
    let spec = p.resize(800, Format::Webp);
    assert_ne!(p.cache_name(&spec, 80), p.cache_name(&spec, 81));
    assert_ne!(p.cache_name(&spec, 80), p.cache_name(&p.resize(480, Format::Webp), 80));
    let mut other = p.clone();
    other.hash = "0".repeat(64);
    assert_ne!(p.cache_name(&spec, 80), other.cache_name(&spec, 80));
}

#[test]
fn only_plain_site_paths_are_sources() {
    assert_eq!(content_rel("/images/a.jpg?v=2"), Some(PathBuf::from("content/images/a.jpg")));
    for address in ["//cdn.example/a.jpg", "https://e.com/a.jpg", "images/a.jpg", "/../a.jpg", "/"]
    {
        assert_eq!(content_rel(address), None, "{address}");
    }
}

#[test]
fn the_picture_markup_lists_every_width_and_escapes_the_alt_text() {
    let p = picture(1600, 1200, Format::Jpeg);
    let html = render_picture(&p, "A \"flooded\" street", None, "/news/", "100vw", false);
    assert!(html.starts_with("<picture><source type=\"image/webp\" srcset=\"/news/images/photo.3f2a1c9b0d.480.webp 480w, "));
    assert!(html.contains("<img src=\"/news/images/photo.3f2a1c9b0d.1600.jpg\""));
    assert!(html.contains(
        "width=\"1600\" height=\"1200\" alt=\"A &quot;flooded&quot; street\" loading=\"lazy\""
    ));
}
