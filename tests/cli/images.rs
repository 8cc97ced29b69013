//! Images (issue 16): real image files made in each test, built, and the output parsed
//! and decoded back.

use std::path::Path;

use crate::support::{Page, Server, Site, stderr, stdout, tree_hashes};

const SITE: &str = "title: Pictures\nbase_url: https://example.org/\n";

/// The GPS latitude the photos carry (48/1, 51/1, 2417/100 as EXIF rationals): found
/// nowhere in the output.
pub(crate) fn gps_bytes() -> Vec<u8> {
    [(48u32, 1u32), (51, 1), (2417, 100)]
        .iter()
        .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
        .collect()
}

/// Pixels with detail (a flat picture would hide resizing mistakes): left half red,
/// right half blue, so a turned picture shows where its halves went.
fn pixels(width: u32, height: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let shade = ((x + y) % 32) as u8;
            if x < width / 2 {
                data.extend_from_slice(&[220 + shade / 2, shade, shade]);
            } else {
                data.extend_from_slice(&[shade, shade, 220 + shade / 2]);
            }
        }
    }
    data
}

/// A camera-like JPEG: an EXIF block with `orientation` and a GPS position.
pub(crate) fn photo(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(&pixels(width, height), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(0x0112u16.to_le_bytes());
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(orientation.to_le_bytes());
    tiff.extend([0, 0]);
    let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4;
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(gps_ifd.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    let values = gps_ifd + 2 + 12 + 4;
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes()); // GPSLatitude
    tiff.extend(5u16.to_le_bytes());
    tiff.extend(3u32.to_le_bytes());
    tiff.extend(values.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(gps_bytes());
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend(b"Exif\0\0");
    out.extend(tiff);
    out.extend(&jpeg[2..]);
    out
}

/// A PNG of `width` × `height` pixels.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &pixels(width, height),
        width,
        height,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    out
}

pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb.
fn bomb(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    };
    let mut header = width.to_be_bytes().to_vec();
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &header));
    out.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]));
    out.extend(chunk(b"IEND", &[]));
    out
}

pub(crate) fn write_bytes(site: &Site, rel: &str, bytes: &[u8]) {
    let path = site.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

pub(crate) fn article(front: &str, body: &str) -> String {
    format!("---\ntitle: Floods\ndate: 2026-03-01\ntags: [weather]\n{front}---\n\n{body}\n")
}

/// The widths of a `srcset`, and its files.
pub(crate) fn srcset(value: &str) -> Vec<(String, u32)> {
    value
        .split(", ")
        .map(|item| {
            let (url, width) = item.rsplit_once(' ').unwrap();
            (url.to_owned(), width.trim_end_matches('w').parse().unwrap())
        })
        .collect()
}

pub(crate) fn output_file(site: &Site, url: &str) -> Vec<u8> {
    let rel = url.trim_start_matches("https://example.org/").trim_start_matches('/');
    std::fs::read(site.out().join(rel)).unwrap_or_else(|e| panic!("{url}: {e}"))
}

pub(crate) fn decode(bytes: &[u8]) -> (image::ImageFormat, image::DynamicImage) {
    let format = image::guess_format(bytes).unwrap();
    (format, image::load_from_memory(bytes).unwrap())
}

fn has_exif(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == b"Exif\0\0")
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A site with a turned camera photo (orientation 6, 600×400 as stored: 400×600 as
/// shown) and a PNG in its body; small widths keep the test quick.
fn body_site() -> Site {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160, 320, 800]\n"));
    write_bytes(&site, "content/images/turned.jpg", &photo(600, 400, 6));
    write_bytes(&site, "content/images/chart.png", &png(500, 250));
    site.write(
        "content/world/floods.md",
        &article(
            "",
            "Intro.\n\n![A turned street](/images/turned.jpg)\n\nA chart: ![Rain by month](/images/chart.png \"Rain\") inline.\n",
        ),
    );
    site
}

#[test]
fn body_images_become_pictures_never_wider_than_their_source() {
    let site = body_site();
    site.build(&[]);
    let page = site.page("/news/floods/");
    let pictures = page.select("picture");
    assert_eq!(pictures.len(), 2);
    for (picture, (shown_w, shown_h, format)) in pictures
        .iter()
        .zip([(400, 600, image::ImageFormat::Jpeg), (500, 250, image::ImageFormat::Png)])
    {
        let sel = |css: &str| scraper::Selector::parse(css).unwrap();
        let source = picture.select(&sel("source")).next().unwrap().value();
        let img = picture.select(&sel("img")).next().unwrap().value();
        assert_eq!(source.attr("type"), Some("image/webp"));
        assert_eq!(img.attr("decoding"), Some("async"));
        assert_eq!(img.attr("loading"), Some("lazy"));
        assert!(img.attr("sizes").is_some() && source.attr("sizes").is_some());
        let webp = srcset(source.attr("srcset").unwrap());
        let fallback = srcset(img.attr("srcset").unwrap());
        let widths: Vec<u32> = webp.iter().map(|(_, w)| *w).collect();
        // 800 is wider than either source: the source's own width stands in.
        assert_eq!(widths, [160, 320, shown_w]);
        assert_eq!(fallback.iter().map(|(_, w)| *w).collect::<Vec<_>>(), widths);
        for ((webp_url, width), (fallback_url, _)) in webp.iter().zip(&fallback) {
            assert!(webp_url.contains(&format!(".{width}.webp")), "{webp_url}");
            let (kind, decoded) = decode(&output_file(&site, webp_url));
            assert_eq!(kind, image::ImageFormat::WebP);
            assert_eq!(decoded.width(), *width);
            assert_eq!(decoded.height(), shown_h * width / shown_w);
            let (kind, decoded) = decode(&output_file(&site, fallback_url));
            assert_eq!(kind, format);
            assert_eq!(decoded.width(), *width);
        }
        // width and height are those of the file `src` names.
        let (_, src) = decode(&output_file(&site, img.attr("src").unwrap()));
        assert_eq!(img.attr("width"), Some(src.width().to_string().as_str()));
        assert_eq!(img.attr("height"), Some(src.height().to_string().as_str()));
        assert_eq!((src.width(), src.height()), (shown_w, shown_h));
    }
    // The turned photo is upright in every file: its left (red) half is now on top.
    let img = page.select("picture img")[0];
    let (_, upright) = decode(&output_file(&site, img.value().attr("src").unwrap()));
    let top = upright.to_rgb8().get_pixel(200, 20).0;
    let bottom = upright.to_rgb8().get_pixel(200, 580).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
    // Names carry a hash of the source.
    assert!(
        img.value().attr("src").unwrap().starts_with("/images/turned.")
            && img.value().attr("src").unwrap().ends_with(".400.jpg")
    );
}

#[test]
fn no_exif_or_gps_position_reaches_the_output() {
    let site = body_site();
    site.build(&[]);
    let gps = gps_bytes();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(site.out()).into_iter().map(Result::unwrap) {
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        assert!(!contains(&bytes, &gps), "GPS position in {}", entry.path().display());
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.contains(".webp") || name.matches('.').count() > 1 {
            assert!(!has_exif(&bytes), "EXIF in {name}");
        }
        files += 1;
    }
    assert!(files > 10);
    // The source keeps its address, without metadata but with its orientation.
    let source = std::fs::read(site.out().join("images/turned.jpg")).unwrap();
    let (_, decoded) = decode(&source);
    assert_eq!((decoded.width(), decoded.height()), (600, 400));
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&source)).unwrap();
    use image::ImageDecoder;
    assert_eq!(decoder.orientation().unwrap(), image::metadata::Orientation::Rotate90);
    // Its one EXIF block, right after the start marker, holds no GPS pointer.
    assert_eq!(&source[2..4], [0xFF, 0xE1]);
    assert_eq!(&source[6..10], b"Exif");
    let end = 4 + usize::from(u16::from_be_bytes([source[4], source[5]]));
    assert!(!contains(&source[4..end], &0x8825u16.to_le_bytes()));
    assert_eq!(source.windows(6).filter(|w| w == b"Exif\0\0").count(), 1);
}

#[test]
fn a_titled_image_alone_in_its_paragraph_is_a_figure() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160]\n"));
    write_bytes(&site, "content/images/a.png", &png(300, 200));
    site.write(
        "content/world/floods.md",
        &article("", "Intro.\n\n![A flooded street](/images/a.png \"Water reached the doors.\")\n\nText ![x](/images/a.png \"Inline\") more.\n"),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    assert_eq!(page.texts("figure > figcaption"), ["Water reached the doors."]);
    assert_eq!(page.attrs("figure > picture > img", "alt"), ["A flooded street"]);
    assert!(page.select("p figure").is_empty());
    // Inside a sentence, the title stays a title.
    assert_eq!(page.attrs("p picture img", "title"), ["Inline"]);
}

#[test]
fn a_large_lead_image_gets_a_1200px_jpeg_for_social_cards_and_three_crops() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [320]\n"));
    write_bytes(&site, "content/images/lead.png", &png(1600, 1200));
    site.write(
        "content/world/floods.md",
        &article(
            "image: /images/lead.png\nimage_alt: A flooded square\nimage_caption: The square at noon.\nimage_credit: \"Photo: Ana Ruiz\"\n",
            "Body.",
        ),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let og = page.attrs("meta[property='og:image']", "content");
    assert_eq!(page.attrs("meta[name='twitter:image']", "content"), og);
    let (kind, social) = decode(&output_file(&site, &og[0]));
    assert_eq!(kind, image::ImageFormat::Jpeg);
    assert_eq!((social.width(), social.height()), (1200, 900));
    assert_eq!(page.attrs("meta[property='og:image:width']", "content"), ["1200"]);
    assert_eq!(page.attrs("meta[property='og:image:height']", "content"), ["900"]);
    assert_eq!(page.attrs("meta[name='robots']", "content"), ["max-image-preview:large"]);
    // The lead image loads at once; the caption and credit stay under it.
    let lead = page.one("figure.lead-image picture img");
    assert_eq!(lead.value().attr("fetchpriority"), Some("high"));
    assert_eq!(lead.value().attr("loading"), None);
    assert_eq!(page.texts("figure.lead-image figcaption .credit"), ["Photo: Ana Ruiz"]);
    let script = page.texts("script[type='application/ld+json']").join("");
    let json: serde_json::Value = serde_json::from_str(&script).unwrap();
    let images = json["@graph"][0]["image"].as_array().unwrap();
    let mut shapes = Vec::new();
    for image in images {
        assert_eq!(image["creditText"], "Photo: Ana Ruiz");
        let (kind, crop) = decode(&output_file(&site, image["url"].as_str().unwrap()));
        assert_eq!(kind, image::ImageFormat::Jpeg);
        assert_eq!(image["width"], crop.width());
        assert_eq!(image["height"], crop.height());
        shapes.push((crop.width(), crop.height()));
    }
    assert_eq!(shapes, [(1200, 675), (1200, 900), (1200, 1200)]);
    // The front page's lead story shows it too.
    let home = site.page("/");
    assert_eq!(home.select(".lead-story-image picture").len(), 1);
}

#[test]
fn an_svg_lead_image_is_shown_as_is_and_rasterized_for_social_cards() {
    let site = Site::empty(SITE);
    site.write(
        "content/images/map.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"200\"><rect width=\"400\" height=\"200\" fill=\"#c00\"/></svg>\n",
    );
    site.write(
        "content/world/floods.md",
        &article("image: /images/map.svg\nimage_alt: A map\n", "Body."),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    assert_eq!(page.attrs("figure.lead-image img", "src"), ["/images/map.svg"]);
    let og = page.attrs("meta[property='og:image']", "content");
    let (kind, social) = decode(&output_file(&site, &og[0]));
    assert_eq!(kind, image::ImageFormat::Jpeg);
    assert_eq!((social.width(), social.height()), (1200, 600));
    let red = social.to_rgb8().get_pixel(600, 300).0;
    assert!(red[0] > 180 && red[1] < 60, "{red:?}");
}

#[test]
fn a_second_build_encodes_nothing_and_the_cache_forgets_what_is_unused() {
    let site = body_site();
    let first = stdout(&site.build(&[]));
    assert!(first.contains("images: 14 file(s) encoded, 0 from the cache"), "{first}");
    let cache = site.path().join(".gazette/images");
    let before = tree_hashes(&cache);
    let second = stdout(&site.build(&[]));
    assert!(second.contains("images: 0 file(s) encoded, 14 from the cache"), "{second}");
    assert_eq!(tree_hashes(&cache), before);
    // The output is the same, byte for byte.
    let output = tree_hashes(&site.out());
    site.build(&[]);
    assert_eq!(tree_hashes(&site.out()), output);
    // A picture no article uses any more leaves the cache.
    site.write(
        "content/world/floods.md",
        &article("", "Intro.\n\n![A turned street](/images/turned.jpg)\n"),
    );
    let third = stdout(&site.build(&[]));
    assert!(third.contains("images: 0 file(s) encoded, 7 from the cache"), "{third}");
    assert_eq!(tree_hashes(&cache).len(), 7 + 2, "seven files, the index and their stamps");
    // A setting that changes the files encodes them again, under new names: a host that
    // keeps files forever never serves the old bytes for the new settings.
    let srcsets = |site: &Site| -> Vec<String> {
        let page = site.page("/news/floods/");
        let mut all = Vec::new();
        for element in page.select("picture source, picture img") {
            for (url, _) in srcset(element.value().attr("srcset").unwrap()) {
                all.push(url);
            }
        }
        all
    };
    let before = srcsets(&site);
    site.write("site.yaml", &format!("{SITE}images:\n  widths: [160, 320, 800]\n  quality: 60\n"));
    let fourth = stdout(&site.build(&[]));
    assert!(fourth.contains("images: 6 file(s) encoded, 1 from the cache"), "{fourth}");
    let after = srcsets(&site);
    assert_eq!(before.len(), 6);
    for (old, new) in before.iter().zip(&after) {
        assert_ne!(old, new, "a re-encoded file keeps its name");
        assert!(!site.out().join(old.trim_start_matches('/')).exists(), "{old} is still published");
        decode(&output_file(&site, new));
    }
}

#[test]
fn a_damaged_cache_file_is_encoded_again_never_published() {
    let site = body_site();
    site.build(&[]);
    let cache = site.path().join(".gazette/images");
    let webp = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "webp"))
        .unwrap();
    // Cut short in place: through the hard link, the published file is cut as well.
    let bytes = std::fs::read(&webp).unwrap();
    std::fs::OpenOptions::new().write(true).open(&webp).unwrap().set_len(100).unwrap();
    let rebuilt = stdout(&site.build(&[]));
    assert!(rebuilt.contains("images: 1 file(s) encoded, 13 from the cache"), "{rebuilt}");
    assert_eq!(std::fs::read(&webp).unwrap(), bytes);
    for element in site.page("/news/floods/").select("picture source") {
        for (url, _) in srcset(element.value().attr("srcset").unwrap()) {
            decode(&output_file(&site, &url));
        }
    }
}

#[test]
fn a_file_encoded_again_alone_has_the_bytes_of_a_build_without_cache() {
    let site = body_site();
    site.write(
        "content/world/rain.md",
        "---\ntitle: Rain\ndate: 2026-03-02\ntags: [weather]\nimage: /images/turned.jpg\nimage_alt: A street\n---\n\nText.\n",
    );
    site.build(&["--no-cache"]);
    let clean = tree_hashes(&site.out());
    site.build(&[]);
    assert_eq!(tree_hashes(&site.out()), clean);
    // Each cache file removed alone is made again from the source, whatever the others.
    let cache = site.path().join(".gazette/images");
    let mut files: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "tsv"))
        .collect();
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    for file in files {
        std::fs::remove_file(&file).unwrap();
        let out = stdout(&site.build(&[]));
        assert!(out.contains("images: 1 file(s) encoded"), "{out}");
        assert_eq!(tree_hashes(&site.out()), clean, "after {}", file.display());
    }
}

#[test]
fn a_source_rewritten_with_its_old_size_and_time_is_seen_as_changed() {
    let site = body_site();
    site.build(&[]);
    let path = site.path().join("content/images/chart.png");
    let old = std::fs::metadata(&path).unwrap();
    let before =
        site.page("/news/floods/").select("picture img")[1].value().attr("src").unwrap().to_owned();
    // Another picture (colours inverted), padded to the same byte length after its
    // end (decoders ignore bytes after IEND), its time set back.
    let (_, decoded) = decode(&std::fs::read(&path).unwrap());
    let mut rgb = decoded.to_rgb8();
    for p in rgb.pixels_mut() {
        p.0 = [255 - p.0[0], 255 - p.0[1], 255 - p.0[2]];
    }
    let mut inverted = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut inverted),
        rgb.as_raw(),
        500,
        250,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    assert!(inverted.len() <= old.len() as usize, "{} > {}", inverted.len(), old.len());
    inverted.resize(old.len() as usize, 0);
    std::fs::write(&path, &inverted).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(old.modified().unwrap())
        .unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), old.len());
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), old.modified().unwrap());
    site.build(&[]);
    let after =
        site.page("/news/floods/").select("picture img")[1].value().attr("src").unwrap().to_owned();
    assert_ne!(before, after, "the new picture is published under a new name");
}

/// Builds a good site, adds `bad` used by an article, and returns the failed build's
/// error after checking that the output did not change.
pub(crate) fn failed_build(bad_name: &str, bad: &[u8]) -> String {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160]\n"));
    write_bytes(&site, "content/images/good.png", &png(200, 100));
    site.write("content/world/floods.md", &article("", "![Good](/images/good.png)\n"));
    site.build(&[]);
    let before = tree_hashes(&site.out());
    if !bad.is_empty() {
        write_bytes(&site, &format!("content/images/{bad_name}"), bad);
    }
    site.write(
        "content/world/rain.md",
        &format!("---\ntitle: Rain\ndate: 2026-03-02\ntags: [weather]\n---\n\nIntro.\n\n![Bad](/images/{bad_name})\n"),
    );
    let started = std::time::Instant::now();
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Not a timing limit of the product: a guard against a hang in the test run.
    assert!(started.elapsed().as_secs() < 60);
    assert_eq!(tree_hashes(&site.out()), before, "the output is left as it was");
    stderr(&out)
}

#[test]
fn a_text_file_named_jpg_fails_the_build_naming_it_and_the_line_that_uses_it() {
    let err = failed_build("notes.jpg", b"these are my notes, not a photo\n");
    assert_eq!(
        err,
        "error: image `content/images/notes.jpg` is not a JPEG, PNG, WebP or GIF file\n \
         --> content/world/rain.md:9:1\n  |\n9 | ![Bad](/images/notes.jpg)\n  | ^^^^^^^^^^^^^^^^^^^^^^^^^\n  |\n  \
         = help: replace it with the picture itself, saved in one of those formats\n"
    );
}

#[test]
fn a_missing_image_fails_the_build() {
    let err = failed_build("gone.jpg", b"");
    assert!(err.starts_with("error: image `content/images/gone.jpg` does not exist\n --> content/world/rain.md:9:1\n"), "{err}");
}

#[test]
fn a_truncated_image_fails_the_build() {
    for (name, bytes) in [("cut.jpg", photo(300, 200, 1)), ("cut.png", png(300, 200))] {
        let cut = &bytes[..bytes.len() * 2 / 3];
        let err = failed_build(name, cut);
        assert!(
            err.starts_with(&format!("error: image `content/images/{name}` cannot be decoded: ")),
            "{err}"
        );
        assert!(err.contains("--> content/world/rain.md:9:1"), "{err}");
        assert!(err.contains("help: the file may be truncated or damaged"), "{err}");
    }
}

#[test]
fn a_decompression_bomb_is_refused_before_it_is_decoded() {
    let err = failed_build("bomb.png", &bomb(60_000, 60_000));
    assert!(
        err.starts_with(
            "error: image `content/images/bomb.png` is 60000×60000 pixels, more than `images.max_pixels` (50000000): refused before decoding\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: resize it before adding it, or raise `images.max_pixels`"),
        "{err}"
    );
}

#[test]
fn check_reports_unusable_images_and_warns_of_small_lead_images() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/small.png", &png(640, 360));
    write_bytes(&site, "content/images/bad.png", b"not a picture");
    site.write(
        "content/world/floods.md",
        &article("image: /images/small.png\nimage_alt: A street\n", "![Bad](/images/bad.png)"),
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("warning: lead image `content/images/small.png` is 640 px wide: social cards and search results want at least 1200\n --> content/world/floods.md:5:8\n"),
        "{err}"
    );
    assert!(
        err.contains("error: image `content/images/bad.png` is not a JPEG, PNG, WebP or GIF file\n --> content/world/floods.md:9:1\n"),
        "{err}"
    );
    assert!(!Path::new(&site.path().join(".gazette/images")).join("index.tsv").exists());
}

#[test]
fn check_finds_truncated_images_from_their_bytes_as_build_does() {
    let site = Site::empty(SITE);
    let jpeg = photo(300, 200, 1);
    let png_bytes = png(300, 200);
    let mut gif = Vec::new();
    {
        let frame = image::RgbaImage::from_fn(120, 80, |x, y| {
            image::Rgba([x as u8 * 2, y as u8 * 3, 90, 255])
        });
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder.encode_frame(image::Frame::new(frame)).unwrap();
    }
    write_bytes(&site, "content/images/cut.jpg", &jpeg[..jpeg.len() * 2 / 3]);
    write_bytes(&site, "content/images/cut.png", &png_bytes[..png_bytes.len() * 2 / 3]);
    write_bytes(&site, "content/images/cut.gif", &gif[..gif.len() * 2 / 3]);
    write_bytes(&site, "content/images/whole.gif", &gif);
    site.write(
        "content/world/floods.md",
        &article(
            "image: /images/cut.jpg\nimage_alt: A street\n",
            "![Chart](/images/cut.png)\n\n![Loop](/images/cut.gif)\n\n![Loop](/images/whole.gif)",
        ),
    );
    let checked = stderr(&site.run(&["check"]));
    let built = stderr(&site.run(&["build"]));
    assert!(!checked.contains("whole.gif") && !built.contains("whole.gif"), "{checked}");
    for name in ["cut.jpg", "cut.png", "cut.gif"] {
        let message = format!(
            "error: image `content/images/{name}` cannot be decoded: the file ends before the image does\n"
        );
        assert!(checked.contains(&message), "{checked}");
        assert!(built.contains(&message), "{built}");
    }
}

#[test]
fn an_svg_lead_too_tall_to_draw_for_social_cards_is_refused_by_check_and_build() {
    let site = Site::empty(SITE);
    site.write(
        "content/images/tall.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 100000\" width=\"1\" height=\"100000\"><rect width=\"1\" height=\"100000\" fill=\"red\"/></svg>\n",
    );
    site.write(
        "content/world/floods.md",
        &article("image: /images/tall.svg\nimage_alt: A bar\n", "Text."),
    );
    let expected = "error: lead image `content/images/tall.svg` would be drawn 2400×240000000 pixels for social cards, more than `images.max_pixels` (50000000)\n \
         --> content/world/floods.md:5:8\n  |\n5 | image: /images/tall.svg\n  |        ^^^^^^^^^^^^^^^^\n  |\n  \
         = help: use a JPEG or PNG lead image, or an SVG closer to a photo's shape\n";
    let checked = site.run(&["check"]);
    assert_eq!(checked.status.code(), Some(1));
    assert!(stderr(&checked).contains(expected), "{}", stderr(&checked));
    let built = site.run(&["build"]);
    assert_eq!(built.status.code(), Some(1));
    assert!(stderr(&built).starts_with(expected), "{}", stderr(&built));
    assert!(!site.out().exists());
    // The same SVG in the body is shown as it is: nothing is drawn.
    site.write("content/world/floods.md", &article("", "![A bar](/images/tall.svg)"));
    site.build(&[]);
    assert!(site.out().join("images/tall.svg").is_file());
}

#[test]
fn no_cache_encodes_every_image_afresh_and_keeps_nothing() {
    let site = body_site();
    site.build(&[]);
    let cache = site.path().join(".gazette/images");
    let kept = tree_hashes(&cache);
    let output = tree_hashes(&site.out());
    let out = stdout(&site.build(&["--no-cache"]));
    assert!(out.contains("images: 14 file(s) encoded, 0 from the cache"), "{out}");
    assert_eq!(tree_hashes(&site.out()), output, "the same files as with the cache");
    assert_eq!(tree_hashes(&cache), kept, "the cache is neither read nor changed");
    let leftovers: Vec<_> = std::fs::read_dir(site.path().join(".gazette"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("uncached"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn feed_entries_carry_their_lead_image() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [320]\n"));
    write_bytes(&site, "content/images/lead.png", &png(400, 300));
    site.write(
        "content/world/floods.md",
        &article("image: /images/lead.png\nimage_alt: A square\n", "Body."),
    );
    site.build(&[]);
    let feed = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let enclosure = doc
        .descendants()
        .find(|n| n.has_tag_name("link") && n.attribute("rel") == Some("enclosure"))
        .expect("an enclosure link");
    assert_eq!(enclosure.attribute("type"), Some("image/jpeg"));
    let href = enclosure.attribute("href").unwrap();
    let (kind, social) = decode(&output_file(&site, href));
    assert_eq!((kind, social.width(), social.height()), (image::ImageFormat::Jpeg, 400, 300));
}

#[test]
fn serve_shows_a_replaced_photo_at_once_with_new_file_names() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160, 320]\n"));
    write_bytes(&site, "content/images/street.png", &png(400, 200));
    site.write("content/world/floods.md", &article("", "![A street](/images/street.png)\n"));
    let server = Server::start(site.path(), &[]);
    let shown = || {
        let html = server.get("/news/floods/").text();
        Page(scraper::Html::parse_document(&html)).attrs("picture img", "src")
    };
    let fetch = |url: &str| {
        let response = server.get(url);
        assert_eq!(response.status, 200, "{url}");
        decode(&response.body).1
    };
    let before = shown();
    assert_eq!(before.len(), 1, "{before:?}");
    let old = fetch(&before[0]);
    assert_eq!((old.width(), old.height()), (320, 160));

    // Replaced by a square photo narrower than the largest width.
    write_bytes(&site, "content/images/street.png", &png(300, 300));
    server.eventually("the page names the new photo's files", || shown() != before);
    let after = shown();
    assert_eq!(after.len(), 1, "{after:?}");
    assert!(after[0].ends_with(".300.png"), "{after:?}");
    let new = fetch(&after[0]);
    assert_eq!((new.width(), new.height()), (300, 300));
    // The page's fallback srcset and the WebP source name the new files too, and the
    // old ones are gone from the preview.
    let html = server.get("/news/floods/").text();
    let page = Page(scraper::Html::parse_document(&html));
    for (url, width) in srcset(&page.attrs("picture source", "srcset")[0]) {
        let webp = fetch(&url);
        assert_eq!((webp.width(), webp.height()), (width, width), "{url}");
    }
    assert_eq!(server.get(&before[0]).status, 404, "{}", before[0]);
    // The source itself is published, replaced.
    let source = fetch("/images/street.png");
    assert_eq!((source.width(), source.height()), (300, 300));
}

#[test]
fn images_of_the_themes_static_folder_are_sources_too() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160, 320]\n"));
    let banner = png(500, 250);
    write_bytes(&site, "themes/default/static/img/banner.png", &banner);
    site.write(
        "content/world/floods.md",
        &article(
            "image: /img/banner.png\nimage_alt: The banner\n",
            "Body.\n\n![The banner again](/img/banner.png)\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let pictures = page.select("picture");
    assert_eq!(pictures.len(), 2, "the lead image and the body's");
    for (url, width) in srcset(&page.attrs("article picture source", "srcset")[1]) {
        assert!(url.starts_with("/img/banner."), "{url}");
        let (kind, webp) = decode(&output_file(&site, &url));
        assert_eq!(kind, image::ImageFormat::WebP);
        assert_eq!((webp.width(), webp.height()), (width, width / 2), "{url}");
    }
    let img = page.one("article p picture img, article figure:not(.lead-image) picture img");
    assert_eq!(img.value().attr("width"), Some("320"));
    assert_eq!(img.value().attr("height"), Some("160"));
    let og = page.attrs("meta[property='og:image']", "content");
    let (kind, social) = decode(&output_file(&site, &og[0]));
    assert_eq!(kind, image::ImageFormat::Jpeg);
    assert_eq!((social.width(), social.height()), (500, 250));
    // The theme publishes its own file as it is.
    assert_eq!(output_file(&site, "/img/banner.png"), banner);

    // A broken image of the theme is named where it is.
    write_bytes(&site, "themes/default/static/img/banner.png", b"not a picture");
    let out = site.run(&["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(
            "image `themes/default/static/img/banner.png` is not a JPEG, PNG, WebP or GIF file"
        ),
        "{err}"
    );
}

#[test]
fn the_figure_shortcode_shows_the_same_picture_as_a_markdown_image() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160, 320]\n"));
    write_bytes(&site, "content/images/chart.png", &png(500, 250));
    site.write(
        "content/world/floods.md",
        &article(
            "",
            "![Rain by month](/images/chart.png)\n\n{{ figure(src=\"/images/chart.png\", alt=\"Rain by month\", caption=\"Rain in March.\") }}\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let attrs = |css: &str, names: &[&str]| -> Vec<Vec<Option<String>>> {
        page.select(css)
            .iter()
            .map(|e| names.iter().map(|n| e.value().attr(n).map(str::to_owned)).collect())
            .collect()
    };
    let img = ["src", "srcset", "sizes", "width", "height", "alt", "loading", "decoding"];
    let markdown = attrs("p > picture > img", &img);
    let figure = attrs("figure.figure > picture > img", &img);
    assert_eq!(markdown.len(), 1);
    assert_eq!(figure, markdown);
    let source = ["type", "srcset", "sizes"];
    assert_eq!(
        attrs("figure.figure > picture > source", &source),
        attrs("p > picture > source", &source)
    );
    // Its files are the processed ones, of the sizes the page says.
    for (url, width) in srcset(figure[0][1].as_deref().unwrap()) {
        let (kind, file) = decode(&output_file(&site, &url));
        assert_eq!(kind, image::ImageFormat::Png);
        assert_eq!((file.width(), file.height()), (width, width / 2), "{url}");
    }
    assert_eq!(page.texts("figure.figure figcaption"), ["Rain in March."]);
}

/// A PNG whose left half is transparent and right half opaque blue.
fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity((width * height * 4) as usize);
    for _ in 0..height {
        for x in 0..width {
            data.extend_from_slice(if x < width / 2 { &[0, 0, 0, 0] } else { &[0, 0, 255, 255] });
        }
    }
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        &data,
        width,
        height,
        image::ExtendedColorType::Rgba8,
    )
    .unwrap();
    out
}

#[test]
fn transparency_is_kept_where_the_format_has_it_and_opaque_pictures_have_no_alpha() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [100]\n"));
    write_bytes(&site, "content/images/logo.png", &transparent_png(400, 200));
    write_bytes(&site, "content/images/chart.png", &png(400, 200));
    site.write(
        "content/world/floods.md",
        &article(
            "image: /images/logo.png\nimage_alt: A logo\n",
            "![A logo](/images/logo.png)\n\n![A chart](/images/chart.png)\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let files = |alt: &str| {
        let css = format!("article p picture:has(img[alt='{alt}'])");
        let picture = page.one(&css);
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        let attr = |s: &str| {
            let e = picture.select(&sel(s)).next().unwrap();
            e.value().attr("srcset").unwrap().to_owned()
        };
        (srcset(&attr("source"))[0].0.clone(), srcset(&attr("img"))[0].0.clone())
    };
    let (webp, fallback) = files("A logo");
    for url in [webp, fallback] {
        let (_, decoded) = decode(&output_file(&site, &url));
        assert!(decoded.color().has_alpha(), "{url}");
        let rgba = decoded.to_rgba8();
        assert_eq!(rgba.get_pixel(5, 25).0[3], 0, "{url}: the left half stays transparent");
        assert_eq!(rgba.get_pixel(95, 25).0, [0, 0, 255, 255], "{url}");
    }
    let (webp, fallback) = files("A chart");
    for url in [webp, fallback] {
        let (_, decoded) = decode(&output_file(&site, &url));
        assert!(!decoded.color().has_alpha(), "{url}: an opaque picture has no alpha channel");
    }
    // The social card is a JPEG: the transparent half is drawn on white.
    let og = page.attrs("meta[property='og:image']", "content");
    let (kind, social) = decode(&output_file(&site, &og[0]));
    assert_eq!(kind, image::ImageFormat::Jpeg);
    let white = social.to_rgb8().get_pixel(5, 5).0;
    assert!(white.iter().all(|&c| c > 240), "{white:?}");
}

#[test]
fn with_the_cache_elsewhere_an_image_error_still_quotes_the_articles_line() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [160]\n"));
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().join("c");
    write_bytes(&site, "content/images/notes.jpg", b"these are my notes, not a photo\n");
    site.write(
        "content/world/rain.md",
        "---\ntitle: Rain\ndate: 2026-03-02\ntags: [weather]\n---\n\nIntro.\n\n![Bad](/images/notes.jpg)\n",
    );
    let out = site.run(&["build", "--cache-dir", cache_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    // The excerpt is read from the site's article, not from a folder next to the cache.
    assert!(
        err.contains(" --> content/world/rain.md:9:1\n  |\n9 | ![Bad](/images/notes.jpg)\n"),
        "{err}"
    );
}

/// The width and height an AVIF file declares (its `ispe` property).
#[cfg(feature = "avif")]
fn avif_size(bytes: &[u8]) -> (u32, u32) {
    let at = bytes.windows(4).position(|w| w == b"ispe").expect("an ispe box") + 8;
    let word = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (word(at), word(at + 4))
}

#[cfg(feature = "avif")]
#[test]
fn with_images_avif_pictures_offer_avif_first_at_the_same_widths() {
    let site = Site::empty(&format!("{SITE}images:\n  widths: [64, 96]\n  avif: true\n"));
    write_bytes(&site, "content/images/turned.jpg", &photo(120, 80, 6));
    site.write("content/world/floods.md", &article("", "![A street](/images/turned.jpg)\n"));
    site.build(&[]);
    let page = site.page("/news/floods/");
    let sources = page.select("picture source");
    let types: Vec<_> = sources.iter().map(|s| s.value().attr("type").unwrap()).collect();
    assert_eq!(types, ["image/avif", "image/webp"]);
    let avif = srcset(sources[0].value().attr("srcset").unwrap());
    let webp = srcset(sources[1].value().attr("srcset").unwrap());
    assert_eq!(avif.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [64, 80]);
    assert_eq!(webp.iter().map(|(_, w)| *w).collect::<Vec<_>>(), [64, 80]);
    for (url, width) in &avif {
        assert!(url.ends_with(&format!(".{width}.avif")), "{url}");
        let bytes = output_file(&site, url);
        assert_eq!(&bytes[4..12], b"ftypavif", "{url}");
        // Upright: 80×120 as shown, scaled.
        assert_eq!(avif_size(&bytes), (*width, width * 3 / 2), "{url}");
        assert!(!has_exif(&bytes) && !contains(&bytes, &gps_bytes()));
    }
}

#[cfg(not(feature = "avif"))]
#[test]
fn asking_for_avif_from_a_gazette_built_without_it_is_an_error() {
    let site = Site::empty(&format!("{SITE}images:\n  avif: true\n"));
    write_bytes(&site, "content/images/street.jpg", &photo(120, 80, 1));
    site.write("content/world/floods.md", &article("", "![A street](/images/street.jpg)\n"));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: images.avif: this gazette was built without AVIF support\n --> site.yaml:4:9\n  |\n\
         4 |   avif: true\n  |         ^^^^\n  |\n  = help: build gazette with `cargo build --release \
         --features avif`, or remove `avif: true` to make WebP and JPEG/PNG only\n"
    );
    assert!(!site.out().exists());
}

#[test]
fn a_lead_image_message_names_the_article_that_leads_with_it_not_an_earlier_body_use() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/small.png", &png(640, 360));
    site.write(
        "content/images/tall.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 100000\" width=\"1\" height=\"100000\"><rect width=\"1\" height=\"100000\" fill=\"red\"/></svg>\n",
    );
    // `a.md` sorts first and shows both in its body, where neither is a problem.
    site.write(
        "content/world/a.md",
        &article("", "![A street](/images/small.png)\n\n![A bar](/images/tall.svg)"),
    );
    site.write(
        "content/world/b.md",
        &article("image: /images/small.png\nimage_alt: A street\n", "Text."),
    );
    site.write(
        "content/world/c.md",
        &article("image: /images/tall.svg\nimage_alt: A bar\n", "Text."),
    );
    let err = stderr(&site.run(&["check"]));
    assert!(
        err.contains("warning: lead image `content/images/small.png` is 640 px wide: social cards and search results want at least 1200\n --> content/world/b.md:5:8\n"),
        "{err}"
    );
    assert!(
        err.contains("error: lead image `content/images/tall.svg` would be drawn 2400×240000000 pixels for social cards, more than `images.max_pixels` (50000000)\n --> content/world/c.md:5:8\n"),
        "{err}"
    );
    assert!(!err.contains("a.md"), "{err}");
}

#[test]
fn an_image_address_that_names_a_folder_fails_the_build_like_a_missing_file() {
    let site = Site::empty(SITE);
    std::fs::create_dir_all(site.path().join("content/images/dir.jpg")).unwrap();
    site.write("content/world/floods.md", &article("", "![A street](/images/dir.jpg)"));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: image `content/images/dir.jpg` cannot be read: it is a folder, not a file\n --> content/world/floods.md:7:1\n"),
        "{err}"
    );
    assert!(!site.out().exists(), "a failed first build publishes nothing");
}

/// `bytes` (a PNG) with one byte of its compressed pixels changed and the chunk's checksum
/// made right again: whole, well formed, and undecodable.
fn png_with_broken_pixels(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let at = out.windows(4).position(|w| w == b"IDAT").expect("a PNG has pixels");
    let len = u32::from_be_bytes(out[at - 4..at].try_into().unwrap()) as usize;
    let data = at + 4;
    for b in &mut out[data + 2..data + len.min(40)] {
        *b ^= 0x5A;
    }
    let crc = crc32(&out[at..data + len]);
    out[data + len..data + len + 4].copy_from_slice(&crc.to_be_bytes());
    out
}

#[test]
fn check_decodes_images_so_damage_inside_a_whole_file_is_found_before_the_build() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/broken.png", &png_with_broken_pixels(&png(300, 200)));
    write_bytes(&site, "content/images/fine.png", &png(300, 200));
    site.write(
        "content/world/floods.md",
        &article("", "![Chart](/images/broken.png)\n\n![Chart](/images/fine.png)"),
    );
    let checked = site.run(&["check"]);
    let built = site.run(&["build"]);
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    assert_eq!(built.status.code(), Some(1), "{}", stderr(&built));
    let (checked, built) = (stderr(&checked), stderr(&built));
    let first = built.lines().next().unwrap();
    assert!(
        first.starts_with("error: image `content/images/broken.png` cannot be decoded: "),
        "{built}"
    );
    assert!(checked.contains(&format!("{first}\n --> content/world/floods.md:7:1\n")), "{checked}");
    assert!(!checked.contains("fine.png"), "{checked}");
    // Mended, it checks clean, before a build and after one (which fills the cache).
    write_bytes(&site, "content/images/broken.png", &png(300, 200));
    assert!(stderr(&site.run(&["check"])).ends_with(": 0 error(s), 1 warning(s)\n"));
    let built = site.run(&["build"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(stderr(&site.run(&["check"])).ends_with(": 0 error(s), 1 warning(s)\n"));
}

#[test]
fn identical_images_under_several_names_build_together() {
    // Same bytes, same cache files, made at the same moment by parallel workers: each
    // must land whole (a shared temporary name once lost one of them).
    let site = Site::empty(SITE);
    let photo_bytes = photo(900, 600, 1);
    let mut body = String::new();
    for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
        write_bytes(&site, &format!("content/images/{name}.jpg"), &photo_bytes);
        body.push_str(&format!("![Same {name}](/images/{name}.jpg)\n\n"));
    }
    site.write("content/world/floods.md", &article("", &body));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = site.page("/news/floods/");
    let sources = page.attrs("article picture img", "src");
    assert_eq!(sources.len(), 8, "{sources:?}");
    for src in sources {
        let (_, decoded) = decode(&output_file(&site, &src));
        assert_eq!((decoded.width(), decoded.height()), (900, 600), "{src}");
    }
}
