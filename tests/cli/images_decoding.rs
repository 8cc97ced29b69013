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
