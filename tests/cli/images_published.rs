//! Images published as they are (issue 16): every JPEG, PNG and WebP that gazette copies
//! into the output, used by an article or not, reaches it without its metadata.

use crate::images::{article, contains, crc32, decode, gps_bytes, photo, write_bytes};
use crate::support::{Site, stderr, tree_hashes};

const SITE: &str = "title: Pictures\nbase_url: https://example.org/\nimages:\n  widths: [160]\n";

/// The TIFF block (EXIF with an orientation and a GPS position) of a camera photo.
fn gps_tiff() -> Vec<u8> {
    let jpeg = photo(8, 8, 1);
    let end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
    jpeg[10..end].to_vec()
}

fn png_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    chunk
}

/// A PNG with the GPS position in an `eXIf` chunk.
fn png_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = crate::images::png(width, height);
    // The signature and IHDR chunk (8 + 25 bytes), then the EXIF, then the rest.
    let mut out = plain[..33].to_vec();
    out.extend(png_chunk(b"eXIf", &gps_tiff()));
    out.extend_from_slice(&plain[33..]);
    out
}

/// A (lossless) WebP with the GPS position in an `EXIF` chunk, announced by `VP8X`.
fn webp_with_gps(width: u32, height: u32) -> Vec<u8> {
    let mut encoded = Vec::new();
    let pixels: Vec<u8> = (0..width * height).flat_map(|i| [(i % 200) as u8, 90, 160]).collect();
    image::codecs::webp::WebPEncoder::new_lossless(&mut encoded)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut vp8x = vec![0b0000_1000, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let riff_chunk = |kind: &[u8], data: &[u8]| {
        let mut c = kind.to_vec();
        c.extend((data.len() as u32).to_le_bytes());
        c.extend_from_slice(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend_from_slice(&encoded[12..]);
    body.extend(riff_chunk(b"EXIF", &gps_tiff()));
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// Asserts that the output file at `rel` decodes to a `width` × `height` picture of
/// `format` and holds no GPS position and no metadata but a JPEG's orientation.
fn assert_clean(site: &Site, rel: &str, format: image::ImageFormat, size: (u32, u32)) {
    let bytes = std::fs::read(site.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert!(!contains(&bytes, &gps_bytes()), "GPS position in {rel}");
    assert!(!contains(&bytes, &0x8825u16.to_le_bytes()), "GPS pointer in {rel}");
    let (kind, decoded) = decode(&bytes);
    assert_eq!(kind, format, "{rel}");
    assert_eq!((decoded.width(), decoded.height()), size, "{rel}");
    assert!(!contains(&bytes, b"eXIf") && !contains(&bytes, b"EXIF"), "EXIF chunk in {rel}");
}

/// A site with camera photos an article never shows as images: unreferenced, only
/// linked, in raw HTML, an author's portrait, the site's logo and a theme's file.
fn site_with_unshown_photos() -> Site {
    let site = Site::empty(&format!("{SITE}logo: /images/logo.png\n"));
    write_bytes(&site, "content/images/unused.jpg", &photo(300, 200, 1));
    write_bytes(&site, "content/images/linked.jpg", &photo(300, 200, 6));
    write_bytes(&site, "content/images/rawhtml.jpg", &photo(300, 200, 1));
    write_bytes(&site, "content/images/portrait.webp", &webp_with_gps(40, 50));
    write_bytes(&site, "content/images/logo.png", &png_with_gps(120, 60));
    // Named like a PNG, but a JPEG: its bytes decide.
    write_bytes(&site, "content/files/disguised.png", &photo(64, 32, 1));
    write_bytes(&site, "themes/default/static/img/staff.jpg", &photo(100, 80, 1));
    write_bytes(&site, "content/files/notes.txt", b"GPS 48 51 24.17 N\n");
    site.write("authors.yaml", "Ana Ruiz:\n  image: /images/portrait.webp\n");
    site.write(
        "content/world/floods.md",
        &article(
            "author: Ana Ruiz\n",
            "Intro.\n\n[Download the photo](/images/linked.jpg)\n\n<img src=\"/images/rawhtml.jpg\" alt=\"Raw\">\n\n[Staff](/img/staff.jpg)\n",
        ),
    );
    site
}

#[test]
fn photos_no_article_shows_as_an_image_are_published_without_their_gps_position() {
    let site = site_with_unshown_photos();
    site.build(&[]);
    use image::ImageFormat::{Jpeg, Png, WebP};
    assert_clean(&site, "images/unused.jpg", Jpeg, (300, 200));
    assert_clean(&site, "images/linked.jpg", Jpeg, (300, 200));
    assert_clean(&site, "images/rawhtml.jpg", Jpeg, (300, 200));
    assert_clean(&site, "images/portrait.webp", WebP, (40, 50));
    assert_clean(&site, "images/logo.png", Png, (120, 60));
    assert_clean(&site, "files/disguised.png", Jpeg, (64, 32));
    assert_clean(&site, "img/staff.jpg", Jpeg, (100, 80));
    // A JPEG keeps its orientation (and only that), so it is still shown upright.
    let linked = std::fs::read(site.out().join("images/linked.jpg")).unwrap();
    use image::ImageDecoder;
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&linked)).unwrap();
    assert_eq!(decoder.orientation().unwrap(), image::metadata::Orientation::Rotate90);
    assert_eq!(linked.windows(6).filter(|w| w == b"Exif\0\0").count(), 1);
    // The pages name them where they are; other files are copied byte for byte.
    let page = site.page("/news/floods/");
    assert_eq!(page.attrs("article img[alt='Raw']", "src"), ["/images/rawhtml.jpg"]);
    assert_eq!(std::fs::read(site.out().join("files/notes.txt")).unwrap(), b"GPS 48 51 24.17 N\n");
    // A build from the cache publishes the same files.
    let first = tree_hashes(&site.out());
    site.build(&[]);
    assert_eq!(tree_hashes(&site.out()), first);
}

#[test]
fn a_photo_whose_metadata_cannot_be_removed_fails_the_build_naming_it() {
    let site = site_with_unshown_photos();
    site.build(&[]);
    let before = tree_hashes(&site.out());
    // A JPEG whose EXIF segment runs past the end of the file: no picture data can be
    // found after it, so gazette cannot tell what else the file holds.
    let photo = photo(300, 200, 1);
    write_bytes(&site, "content/images/unused.jpg", &photo[..200]);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: `content/images/unused.jpg` is a JPEG file whose structure gazette cannot follow: \
         its metadata, which may hold where the photo was taken, cannot be removed, so it is not published\n  \
         |\n  = help: export it again from the original (it may be truncated or damaged), or remove it\n"
    );
    assert_eq!(tree_hashes(&site.out()), before, "the output is left as it was");
}

/// The files of the output whose name starts with `images/<stem>.` and carries a hash
/// (`images/later.3f2a1c9b0d.160.webp`): those made from the source `stem`.
fn made_from(site: &Site, stem: &str) -> Vec<String> {
    let mut made: Vec<String> = std::fs::read_dir(site.out().join("images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(&format!("{stem}.")) && name.matches('.').count() > 1)
        .collect();
    made.sort();
    made
}

#[test]
fn images_of_scheduled_and_expired_articles_are_not_processed_until_published() {
    let site = Site::empty(SITE);
    for stem in ["now", "later", "gone", "draft"] {
        write_bytes(&site, &format!("content/images/{stem}.png"), &crate::images::png(300, 150));
    }
    let post = |date: &str, extra: &str, stem: &str| {
        format!(
            "---\ntitle: {stem}\ndate: {date}\ntags: [weather]\nimage: /images/{stem}.png\nimage_alt: A chart\n{extra}---\n\nBody.\n\n![Chart](/images/{stem}.png)\n"
        )
    };
    site.write("content/world/now.md", &post("2026-03-01", "", "now"));
    site.write("content/world/later.md", &post("2099-01-01", "", "later"));
    site.write("content/world/gone.md", &post("2026-01-01", "expires: 2026-02-01\n", "gone"));
    site.write("content/world/draft.md", &post("2026-03-01", "draft: true\n", "draft"));
    site.build(&[]);
    assert!(made_from(&site, "now").len() >= 2, "{:?}", made_from(&site, "now"));
    for stem in ["later", "gone", "draft"] {
        assert_eq!(made_from(&site, stem), Vec::<String>::new(), "{stem}");
    }
    // `check` still measures every article's images: a broken one is found before the
    // article goes out.
    write_bytes(&site, "content/images/later.png", b"not a picture");
    let out = site.run(&["check"]);
    assert!(
        stderr(&out)
            .contains("image `content/images/later.png` is not a JPEG, PNG, WebP or GIF file"),
        "{}",
        stderr(&out)
    );
    // Published with `--future`: its images are made like the others.
    write_bytes(&site, "content/images/later.png", &crate::images::png(300, 150));
    site.build(&["--future"]);
    let later = made_from(&site, "later");
    assert!(later.iter().any(|n| n.ends_with(".160.webp")), "{later:?}");
    let page = site.page("/news/later/");
    for url in page.attrs("article picture img", "src") {
        assert!(site.out().join(url.trim_start_matches('/')).is_file(), "{url}");
    }
}

#[test]
fn a_percent_encoded_image_address_finds_its_file() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/my photo.png", &crate::images::png(300, 150));
    site.write(
        "content/world/floods.md",
        &article("", "![A chart](/images/my%20photo.png)\n\n[The file](/images/my%20photo.png)\n"),
    );
    // A second article on the same tag: `check` then has nothing else to say.
    site.write("content/world/rain.md", &article("", "More rain.\n"));
    let out = site.build(&[]);
    assert_eq!(stderr(&out), "", "no broken link either");
    let page = site.page("/news/floods/");
    let img = page.one("article picture img");
    let files = crate::images::srcset(img.value().attr("srcset").unwrap());
    assert_eq!(files.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [160]);
    for (url, _) in &files {
        assert!(url.starts_with("/images/my%20photo."), "{url}");
        let file = url.replace("%20", " ");
        let (_, decoded) = decode(&crate::images::output_file(&site, &file));
        assert_eq!(decoded.width(), 160);
    }
    assert!(site.out().join("images/my photo.png").is_file());
    let check = site.run(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
}
