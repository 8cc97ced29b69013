//! Images decoded as they are meant to look (issue 16): a JPEG cut short but closed
//! with an end marker, colour profiles, animated WebP, GIF metadata. Real files made in
//! each test, built, and the output decoded back.

use crate::images::{article, contains, decode, failed_build, output_file, photo, write_bytes};
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

/// The colour a Display P3 photo is filled with: saturated, inside sRGB's gamut, far
/// from where it lands in sRGB.
const P3_COLOUR: [u8; 3] = [90, 170, 60];

/// `P3_COLOUR` converted to sRGB as moxcms converts it.
fn p3_colour_in_srgb() -> [u8; 3] {
    use moxcms::{ColorProfile, Layout, TransformOptions};
    let transform = ColorProfile::new_display_p3()
        .create_transform_8bit(
            Layout::Rgb,
            &ColorProfile::new_srgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )
        .unwrap();
    let mut out = [0; 3];
    transform.transform(&P3_COLOUR, &mut out).unwrap();
    out
}

/// A 200×100 picture of `P3_COLOUR` in `format` (JPEG or PNG), with a Display P3 ICC
/// profile.
fn display_p3_picture(format: image::ImageFormat) -> Vec<u8> {
    use image::ImageEncoder;
    let profile = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let pixels: Vec<u8> = P3_COLOUR.repeat(200 * 100);
    let mut out = Vec::new();
    let color = image::ExtendedColorType::Rgb8;
    if format == image::ImageFormat::Jpeg {
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95);
        encoder.set_icc_profile(profile).unwrap();
        encoder.write_image(&pixels, 200, 100, color).unwrap();
    } else {
        let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
        encoder.set_icc_profile(profile).unwrap();
        encoder.write_image(&pixels, 200, 100, color).unwrap();
    }
    out
}

#[test]
fn pictures_with_a_display_p3_profile_are_converted_to_srgb() {
    let expected = p3_colour_in_srgb();
    let unconverted = P3_COLOUR;
    let far = expected.iter().zip(&unconverted).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
    assert!(far >= 20, "the test colour must move in sRGB: {expected:?}");
    assert!(expected.iter().all(|&c| c > 0 && c < 255), "inside sRGB: {expected:?}");
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/p3.jpg", &display_p3_picture(image::ImageFormat::Jpeg));
    write_bytes(&site, "content/images/p3.png", &display_p3_picture(image::ImageFormat::Png));
    site.write(
        "content/world/floods.md",
        &article("", "![Field](/images/p3.jpg)\n\n![Chart](/images/p3.png)"),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let mut files = page.attrs("picture source", "srcset");
    files.extend(page.attrs("picture img", "src"));
    assert_eq!(files.len(), 4, "{files:?}");
    for file in files {
        let url = file.split(' ').next().unwrap();
        let bytes = output_file(&site, url);
        // Published without a profile: browsers take the pixels as sRGB.
        assert!(!contains(&bytes, b"ICC_PROFILE") && !contains(&bytes, b"iCCP"), "{url}");
        let (_, decoded) = decode(&bytes);
        let pixel = decoded.to_rgb8().get_pixel(80, 25).0;
        for channel in 0..3 {
            assert!(
                pixel[channel].abs_diff(expected[channel]) <= 4,
                "{url}: {pixel:?}, expected {expected:?} (unconverted {unconverted:?})"
            );
        }
    }
}

#[test]
fn a_broken_svg_lead_image_keeps_the_acronym_in_its_error() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/map.svg", b"<svg xmlns='http://www.w3.org/2000/svg'");
    site.write(
        "content/world/floods.md",
        &article("image: /images/map.svg\nimage_alt: A map\n", ""),
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: image `content/images/map.svg` cannot be decoded: SVG data parsing failed cause the document does not have a root node\n --> content/world/floods.md:5:8\n"),
        "{err}"
    );
}

/// An animated GIF (two 40×30 frames, looping) with a comment and an XMP block that
/// give away where it was made.
fn gif_with_metadata() -> Vec<u8> {
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder.set_repeat(image::codecs::gif::Repeat::Infinite).unwrap();
        for shade in [40u8, 200] {
            let frame = image::RgbaImage::from_fn(40, 30, |x, y| {
                image::Rgba([shade, (x * 6) as u8, (y * 8) as u8, 255])
            });
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    let packed = gif[10];
    let start = 13 + if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 };
    let mut blocks = vec![0x21, 0xFE];
    let comment = b"GPSLatitude 48.8584 N secret location";
    blocks.push(comment.len() as u8);
    blocks.extend_from_slice(comment);
    blocks.push(0);
    blocks.extend_from_slice(&[0x21, 0xFF, 11]);
    blocks.extend_from_slice(b"XMP DataXMP");
    let xmp = b"<x:xmpmeta><exif:GPSLatitude>48,51.5N</exif:GPSLatitude></x:xmpmeta>";
    blocks.push(xmp.len() as u8);
    blocks.extend_from_slice(xmp);
    blocks.push(0);
    gif.splice(start..start, blocks);
    gif
}

fn frames(gif: &[u8]) -> Vec<Vec<u8>> {
    use image::AnimationDecoder;
    image::codecs::gif::GifDecoder::new(std::io::Cursor::new(gif))
        .unwrap()
        .into_frames()
        .map(|f| f.unwrap().into_buffer().into_raw())
        .collect()
}

#[test]
fn gifs_are_published_without_comments_or_xmp_and_keep_their_frames_and_loop() {
    let site = Site::empty(SITE);
    let gif = gif_with_metadata();
    assert!(contains(&gif, b"secret location") && contains(&gif, b"XMP DataXMP"));
    write_bytes(&site, "content/images/loop.gif", &gif);
    write_bytes(&site, "content/images/unused.gif", &gif);
    site.write(
        "content/world/floods.md",
        &article("image: /images/loop.gif\nimage_alt: A loop\n", "![Loop](/images/loop.gif)"),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    let shown = page.attrs("article img", "src");
    assert!(shown.iter().any(|src| src == "/images/loop.gif"), "{shown:?}");
    for rel in ["images/loop.gif", "images/unused.gif"] {
        let out = std::fs::read(site.out().join(rel)).unwrap();
        assert!(!contains(&out, b"secret location") && !contains(&out, b"GPSLatitude"), "{rel}");
        assert!(!contains(&out, b"XMP DataXMP"), "{rel}");
        assert!(contains(&out, b"NETSCAPE2.0"), "{rel} keeps its loop");
        assert_eq!(frames(&out), frames(&gif), "{rel}");
        assert_eq!(frames(&out).len(), 2);
    }
}

#[test]
fn a_gif_whose_blocks_cannot_be_followed_is_not_published() {
    let site = Site::empty(SITE);
    let mut gif = gif_with_metadata();
    let packed = gif[10];
    let start = 13 + if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 };
    gif[start] = 0x99;
    write_bytes(&site, "content/images/odd.gif", &gif);
    site.write("content/world/floods.md", &article("", "Text."));
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: `content/images/odd.gif` is a GIF file whose structure gazette cannot follow: its metadata, which may hold where the photo was taken, cannot be removed, so it is not published\n"),
        "{err}"
    );
    assert!(!site.out().join("images/odd.gif").exists());
}

/// A RIFF chunk, padded to an even length.
fn riff_chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut chunk = kind.to_vec();
    chunk.extend((data.len() as u32).to_le_bytes());
    chunk.extend_from_slice(data);
    if data.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

/// An animated WebP, `width` × `height`, with two lossless frames (red, then blue),
/// looping, and an EXIF chunk with the GPS position.
fn animated_webp(width: u32, height: u32) -> Vec<u8> {
    let frame = |rgb: [u8; 3]| {
        let mut still = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut still)
            .encode(
                &rgb.repeat((width * height) as usize),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        let mut anmf = vec![0; 6]; // at 0, 0
        anmf.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
        anmf.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
        anmf.extend_from_slice(&[100, 0, 0]); // 100 ms
        anmf.push(0);
        anmf.extend_from_slice(&still[12..]); // its VP8L chunk
        riff_chunk(b"ANMF", &anmf)
    };
    // Animation (bit 1) and EXIF (bit 3).
    let mut vp8x = vec![0b0000_1010, 0, 0, 0];
    vp8x.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend(riff_chunk(b"VP8X", &vp8x));
    body.extend(riff_chunk(b"ANIM", &[255, 255, 255, 255, 0, 0]));
    body.extend(frame([230, 20, 20]));
    body.extend(frame([20, 20, 230]));
    let exif = {
        let jpeg = photo(8, 8, 1);
        let end = 4 + usize::from(u16::from_be_bytes([jpeg[4], jpeg[5]]));
        jpeg[10..end].to_vec()
    };
    body.extend(riff_chunk(b"EXIF", &exif));
    let mut out = b"RIFF".to_vec();
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

#[test]
fn an_animated_webp_is_published_as_it_is_like_a_gif_and_its_lead_card_is_its_first_frame() {
    let site = Site::empty(SITE);
    let webp = animated_webp(1300, 20);
    write_bytes(&site, "content/images/loop.webp", &webp);
    site.write(
        "content/world/floods.md",
        &article(
            "image: /images/loop.webp\nimage_alt: A loop\n",
            "Intro.\n\n![Loop](/images/loop.webp)",
        ),
    );
    site.build(&[]);
    let page = site.page("/news/floods/");
    assert!(page.select("picture").is_empty(), "{:?}", page.attrs("picture img", "src"));
    let imgs: Vec<_> =
        page.select("article img").into_iter().map(|img| img.value().clone()).collect();
    assert_eq!(imgs.len(), 2, "the lead image and the body's");
    for img in &imgs {
        assert_eq!(img.attr("src"), Some("/images/loop.webp"));
        assert_eq!((img.attr("width"), img.attr("height")), (Some("1300"), Some("20")));
    }
    // Published with every frame, without its EXIF chunk.
    let out = std::fs::read(site.out().join("images/loop.webp")).unwrap();
    assert!(!contains(&out, b"EXIF") && !contains(&out, &crate::images::gps_bytes()));
    let mut decoder = image::codecs::webp::WebPDecoder::new(std::io::Cursor::new(&out)).unwrap();
    assert!(decoder.has_animation());
    decoder.set_background_color(image::Rgba([0, 0, 0, 0])).unwrap();
    let frames: Vec<_> = image::AnimationDecoder::into_frames(decoder)
        .map(|f| f.unwrap().into_buffer().get_pixel(5, 5).0)
        .collect();
    assert_eq!(frames.len(), 2);
    assert!(frames[0][0] > 200 && frames[1][2] > 200, "{frames:?}");
    // No resized, frozen copies of it.
    let made: Vec<_> = std::fs::read_dir(site.out().join("images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("loop.") && name.ends_with(".webp") && name != "loop.webp")
        .collect();
    assert!(made.is_empty(), "{made:?}");
    // The social card is a JPEG of its first frame.
    let card = page.one("meta[property='og:image']").value().attr("content").unwrap().to_owned();
    let (kind, decoded) = decode(&output_file(&site, &card));
    assert_eq!(kind, image::ImageFormat::Jpeg);
    assert_eq!(decoded.width(), 1200);
    let red = decoded.to_rgb8().get_pixel(600, 9).0;
    assert!(red[0] > 200 && red[2] < 60, "{red:?}");
}

/// A chart: white, with flat bars and thin lines (anti-aliased once resized).
fn chart_png(width: u32, height: u32) -> Vec<u8> {
    let chart = image::RgbImage::from_fn(width, height, |x, y| {
        let bar = (x / 40) % 3 == 0 && y > height - (x * 7 % height).max(40);
        let grid = y % 50 == 0 || x % 125 == 0;
        if bar {
            image::Rgb([30, 90, 160])
        } else if grid {
            image::Rgb([170, 170, 170])
        } else {
            image::Rgb([255, 255, 255])
        }
    });
    let mut out = Vec::new();
    chart.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

#[test]
fn png_fallbacks_of_a_chart_are_deflated_harder_than_the_fast_level() {
    let site =
        Site::empty("title: Pictures\nbase_url: https://example.org/\nimages:\n  widths: [800]\n");
    write_bytes(&site, "content/images/chart.png", &chart_png(1000, 600));
    site.write("content/world/floods.md", &article("", "![Rain by month](/images/chart.png)"));
    site.build(&[]);
    let page = site.page("/news/floods/");
    let src = page.one("picture img").value().attr("src").unwrap().to_owned();
    let bytes = output_file(&site, &src);
    let (kind, decoded) = decode(&bytes);
    assert_eq!((kind, decoded.width(), decoded.height()), (image::ImageFormat::Png, 800, 480));
    // The same pixels at the fast level, which every PNG was written at before.
    let mut fast = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new_with_quality(
            &mut fast,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        ),
        decoded.to_rgb8().as_raw(),
        800,
        480,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    assert!(bytes.len() * 10 < fast.len() * 8, "{} bytes, fast level {}", bytes.len(), fast.len());
}

/// A GIF of noise (many blocks of pixel data) cut at a block boundary in the middle of
/// its pixels and closed again (block end and trailer): every block is whole, the
/// picture is not.
fn gif_cut_and_closed() -> Vec<u8> {
    let mut gif = Vec::new();
    {
        let mut seed = 7u32;
        let frame = image::RgbaImage::from_fn(200, 150, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let [a, b, c, _] = seed.to_be_bytes();
            image::Rgba([a, b, c, 255])
        });
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        encoder.encode_frame(image::Frame::new(frame)).unwrap();
    }
    let packed = gif[10];
    let mut at = 13 + if packed & 0x80 != 0 { 3 << ((packed & 7) + 1) } else { 0 };
    // Extensions up to the image.
    while gif[at] == 0x21 {
        at += 2;
        while gif[at] != 0 {
            at += 1 + gif[at] as usize;
        }
        at += 1;
    }
    assert_eq!(gif[at], 0x2C, "an image descriptor");
    let local = gif[at + 9];
    at += 10 + if local & 0x80 != 0 { 3 << ((local & 7) + 1) } else { 0 };
    at += 1; // the LZW code size
    let mut blocks = Vec::new();
    while gif[at] != 0 {
        blocks.push(at);
        at += 1 + gif[at] as usize;
    }
    assert!(blocks.len() > 10, "noise takes many blocks: {}", blocks.len());
    let mut cut = gif[..blocks[blocks.len() / 2]].to_vec();
    cut.extend_from_slice(&[0x00, 0x3B]);
    cut
}

#[test]
fn a_gif_cut_short_and_closed_fails_build_and_check_even_shown_as_it_is() {
    let site = Site::empty(SITE);
    write_bytes(&site, "content/images/cut.gif", &gif_cut_and_closed());
    site.write("content/world/rain.md", &article("", "![Noise](/images/cut.gif)"));
    for command in ["build", "check"] {
        let out = site.run(&[command]);
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("error: image `content/images/cut.gif` cannot be decoded: ")
                && err.contains(" --> content/world/rain.md:7:1\n"),
            "{command}: {err}"
        );
    }
    assert!(!site.out().exists(), "nothing is published");
}
