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
        quality: 80,
    }
}

/// `/images/photo.<10 hex digits>.<tag>.<ext>` split into its hash, tag and extension.
fn parts(path: &str) -> (String, String, String) {
    let name = path.strip_prefix("/images/photo.").unwrap_or_else(|| panic!("{path}"));
    let mut it = name.split('.');
    let (hash, tag, ext) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    assert!(it.next().is_none(), "{path}");
    assert!(hash.len() == 10 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{path}");
    (hash.to_owned(), tag.to_owned(), ext.to_owned())
}

#[test]
fn files_are_named_by_hash_and_width_and_never_wider_than_the_source() {
    let mut p = picture(1000, 750, Format::Jpeg);
    p.widths.dedup();
    let webp: Vec<_> = p
        .webp()
        .into_iter()
        .map(|v| {
            let (_, tag, ext) = parts(&v.path);
            (tag, ext, v.width, v.height)
        })
        .collect();
    let expected = [("480", 480, 360), ("800", 800, 600), ("1000", 1000, 750)];
    assert_eq!(
        webp,
        expected.map(|(tag, w, h)| (tag.to_owned(), "webp".to_owned(), w, h)).to_vec()
    );
    assert_eq!(parts(&p.fallbacks()[2].path).1, "1000");
    assert_eq!(parts(&p.fallbacks()[2].path).2, "jpg");
    // Every file has a hash of its own: the source's and its settings'.
    let mut hashes: Vec<String> =
        p.webp().iter().chain(&p.fallbacks()).map(|v| parts(&v.path).0).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 6);
    assert_eq!(p.social().width, 1000);
    assert!(p.crops().is_empty(), "a 1000 px source is too small for 1200 px crops");
}

#[test]
fn a_setting_that_changes_a_files_bytes_changes_its_name() {
    let before = picture(1000, 750, Format::Png);
    let mut after = before.clone();
    after.quality = 50;
    // Lossy files change name; lossless PNG files do not depend on the quality.
    assert_ne!(before.webp(), after.webp());
    assert_ne!(before.social(), after.social());
    assert_eq!(before.fallbacks(), after.fallbacks());
    let mut other_source = before.clone();
    other_source.hash = "0".repeat(64);
    assert_ne!(before.fallbacks(), other_source.fallbacks());
}

#[test]
fn a_large_source_gets_three_crops_at_1200_px() {
    let p = picture(4000, 3000, Format::Png);
    let crops: Vec<_> = p.crops().into_iter().map(|v| (v.path, v.width, v.height)).collect();
    let crops: Vec<_> = crops
        .into_iter()
        .map(|(path, w, h)| {
            let (_, tag, ext) = parts(&path);
            (format!("{tag}.{ext}"), w, h)
        })
        .collect();
    assert_eq!(
        crops,
        [
            ("16x9.jpg".to_owned(), 1200, 675),
            ("4x3.jpg".to_owned(), 1200, 900),
            ("1x1.jpg".to_owned(), 1200, 1200),
        ]
    );
    // A PNG falls back to PNG in pages, and to JPEG for social cards.
    assert!(p.fallbacks()[0].path.ends_with(".480.png"));
    assert_eq!(parts(&p.social().path).1, "1200");
    assert_eq!(parts(&p.social().path).2, "jpg");
}

#[test]
fn cache_names_change_with_every_setting_that_changes_the_file() {
    let p = picture(4000, 3000, Format::Jpeg);
    let spec = p.resize(800, Format::Webp);
    let mut q81 = p.clone();
    q81.quality = 81;
    assert_ne!(p.cache_name(&spec), q81.cache_name(&spec));
    assert_ne!(p.cache_name(&spec), p.cache_name(&p.resize(480, Format::Webp)));
    let mut other = p.clone();
    other.hash = "0".repeat(64);
    assert_ne!(p.cache_name(&spec), other.cache_name(&spec));
    // The output name carries the first ten digits of the same hash.
    let (hash, _, _) = parts(&p.variant(&spec).path);
    assert!(p.cache_name(&spec).starts_with(&hash));
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
    let first = &p.webp()[0].path;
    let largest = &p.fallbacks()[3].path;
    assert!(html.starts_with(&format!(
        "<picture><source type=\"image/webp\" srcset=\"/news{first} 480w, "
    )));
    assert!(html.contains(&format!("<img src=\"/news{largest}\"")));
    assert!(html.contains(
        "width=\"1600\" height=\"1200\" alt=\"A &quot;flooded&quot; street\" loading=\"lazy\""
    ));
}

#[test]
fn an_index_written_before_animated_webp_files_were_told_apart_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(INDEX_NAME);
    let line =
        format!("content/images/loop.webp\t10\t20\t30\t{}\t640\t480\twebp\n", "a".repeat(64));
    std::fs::write(&path, &line).unwrap();
    assert!(load_index(&path).is_empty());
    std::fs::write(&path, format!("{INDEX_HEADER}\n{line}")).unwrap();
    let known = load_index(&path);
    assert_eq!(known[Path::new("content/images/loop.webp")].format, Format::Webp);
}
