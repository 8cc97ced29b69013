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
