//! Pixels: decoding with limits, EXIF orientation, resizing and cropping
//! (`fast_image_resize`), encoding WebP (libwebp), JPEG and PNG (`image`), and SVG
//! rasterized with `resvg`. Everything is encoded from pixels, so no metadata of the
//! source (EXIF, GPS, XMP, comments) reaches an output file.

use std::io::Cursor;

use fast_image_resize as fr;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::{Format, Spec, SpecKind};

mod scan;

/// The pixels of a source image, oriented, 8 bits a channel: RGBA when some pixel is not
/// fully opaque, RGB otherwise (a camera photo held as RGB needs a quarter less memory
/// than as RGBA, and JPEG and lossy WebP encode RGB).
pub(super) struct Pixels {
    pub(super) width: u32,
    pub(super) height: u32,
    /// Some pixel is not fully opaque: `data` is RGBA, else RGB.
    pub(super) alpha: bool,
    pub(super) data: Vec<u8>,
}

impl Pixels {
    fn kind(&self) -> fr::PixelType {
        if self.alpha { fr::PixelType::U8x4 } else { fr::PixelType::U8x3 }
    }
}

/// What the header of a raster image says, read without decoding its pixels.
pub(super) struct Header {
    pub(super) format: Format,
    /// As shown, after the EXIF orientation.
    pub(super) width: u32,
    pub(super) height: u32,
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No such file in `content/`.
    Missing,
    /// The bytes are not an image of a kind gazette reads.
    NotAnImage,
    /// More pixels than `images.max_pixels`: refused before decoding.
    TooLarge { width: u32, height: u32, max: u64 },
    /// An SVG lead image that, drawn wide enough for social cards, would have more pixels
    /// than `images.max_pixels`.
    SvgTooLarge { width: u32, height: u32, max: u64 },
    /// The decoder stopped: a truncated or corrupt file.
    Corrupt(String),
    /// Reading the file failed.
    Unreadable(String),
}

fn limits(max_pixels: u64) -> Limits {
    let mut limits = Limits::default();
    // Four bytes a pixel, and room for the decoder's own buffers.
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(64 << 20));
    let side = u32::try_from(max_pixels.min(u64::from(u32::MAX))).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits
}

fn image_format(format: Format) -> Option<ImageFormat> {
    match format {
        Format::Jpeg => Some(ImageFormat::Jpeg),
        Format::Png => Some(ImageFormat::Png),
        Format::Webp | Format::AnimatedWebp => Some(ImageFormat::WebP),
        Format::Gif => Some(ImageFormat::Gif),
        Format::Svg | Format::Avif => None,
    }
}

/// The format the bytes really have, whatever the file's name says.
pub(super) fn sniff(bytes: &[u8]) -> Option<Format> {
    match image::guess_format(bytes).ok()? {
        ImageFormat::Jpeg => Some(Format::Jpeg),
        ImageFormat::Png => Some(Format::Png),
        ImageFormat::WebP => Some(Format::Webp),
        ImageFormat::Gif => Some(Format::Gif),
        _ => None,
    }
}

fn decoder(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
) -> Result<impl ImageDecoder + '_, Failure> {
    let format = image_format(format).ok_or(Failure::NotAnImage)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits(max_pixels));
    reader.into_decoder().map_err(|e| corrupt(&e))
}

fn corrupt(e: &image::ImageError) -> Failure {
    match e {
        image::ImageError::Limits(_) => {
            Failure::Corrupt("it is larger than the decoder allows".into())
        }
        other => Failure::Corrupt(lowercase_first(&other.to_string())),
    }
}

/// A decoder's message as part of gazette's (which are lowercase): its first letter
/// lowercased, unless its first word is an acronym (`SVG data parsing failed`).
fn lowercase_first(text: &str) -> String {
    let word = text.split_whitespace().next().unwrap_or("");
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2 && !word.chars().any(char::is_lowercase) {
        return text.to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether the orientation turns the picture on its side.
fn turns(orientation: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation as O;
    matches!(orientation, O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH)
}

/// Reads the header: the format and the size as shown. An image over `max_pixels` is
/// refused here, before any pixel is decoded.
pub(super) fn read_header(bytes: &[u8], max_pixels: u64) -> Result<Header, Failure> {
    let format = sniff(bytes).ok_or(Failure::NotAnImage)?;
    refuse_too_large(bytes, max_pixels)?;
    let mut decoder = decoder(bytes, format, max_pixels)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Failure::TooLarge { width, height, max: max_pixels });
    }
    if width == 0 || height == 0 {
        return Err(Failure::Corrupt("it has no pixels".into()));
    }
    // A sequential JPEG cut short and closed again with its end marker passes the scan
    // of its segments: its coded data is walked too (once, here: a build decodes only
    // what it measured).
    if is_truncated(bytes, format) || format == Format::Jpeg && scan::ends_early(bytes) {
        return Err(Failure::Corrupt("the file ends before the image does".into()));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let (width, height) = if turns(orientation) { (height, width) } else { (width, height) };
    let format = if format == Format::Webp && is_animated_webp(bytes) {
        Format::AnimatedWebp
    } else {
        format
    };
    // Published as they are, GIFs and animated WebP files are never decoded by a build:
    // their frames are, here, so one cut short and closed again (its blocks whole, its
    // pixels not) fails like any damaged image.
    if matches!(format, Format::Gif | Format::AnimatedWebp) {
        check_frames(bytes, format, u64::from(width) * u64::from(height), max_pixels)?;
    }
    Ok(Header { format, width, height })
}

/// How many pixels of frames [`check_frames`] decodes at most, in `images.max_pixels`:
/// a few seconds of work. An animation longer than that is checked up to there.
const FRAME_BUDGET: u64 = 8;

/// Decodes the frames of an animation (GIF, animated WebP), one at a time, and throws
/// them away: an error names what the decoder found.
fn check_frames(bytes: &[u8], format: Format, canvas: u64, max_pixels: u64) -> Result<(), Failure> {
    use image::AnimationDecoder;
    let frames = match format {
        Format::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .map_err(|e| corrupt(&e))?
            .into_frames(),
        _ => image::codecs::webp::WebPDecoder::new(Cursor::new(bytes))
            .map_err(|e| corrupt(&e))?
            .into_frames(),
    };
    let most = (FRAME_BUDGET * max_pixels / canvas.max(1)).max(1);
    for frame in frames.take(usize::try_from(most).unwrap_or(usize::MAX)) {
        frame.map_err(|e| corrupt(&e))?;
    }
    Ok(())
}

/// Whether a WebP's extended header (`VP8X`) announces an animation.
fn is_animated_webp(bytes: &[u8]) -> bool {
    bytes.get(12..16) == Some(b"VP8X") && bytes.get(20).is_some_and(|flags| flags & 0b10 != 0)
}

/// The size the file's header claims, read by a parser that allocates nothing for the
/// pixels: an image over `max_pixels` is refused before any decoder sees it.
fn refuse_too_large(bytes: &[u8], max_pixels: u64) -> Result<(), Failure> {
    let Ok(size) = imagesize::blob_size(bytes) else { return Ok(()) };
    let (width, height) = (size.width as u64, size.height as u64);
    if width.saturating_mul(height) > max_pixels {
        return Err(Failure::TooLarge {
            width: u32::try_from(width).unwrap_or(u32::MAX),
            height: u32::try_from(height).unwrap_or(u32::MAX),
            max: max_pixels,
        });
    }
    Ok(())
}

/// A file that stops before its format's end: JPEG without its end-of-image marker after
/// the last scan (decoders fill the rest with grey rather than fail), PNG without its
/// `IEND` chunk, WebP shorter than its RIFF header says, GIF whose blocks stop before its
/// trailer. Read from the bytes alone, so `check` finds it without decoding.
fn is_truncated(bytes: &[u8], format: Format) -> bool {
    match format {
        Format::Jpeg => {
            let last = |marker: u8| bytes.windows(2).rposition(|w| w[0] == 0xFF && w[1] == marker);
            match (last(0xDA), last(0xD9)) {
                (Some(scan), Some(end)) => end < scan,
                _ => true,
            }
        }
        // Searched from the end: found at once in a whole file, even with bytes after it.
        Format::Png => !bytes.windows(4).rev().any(|w| w == b"IEND"),
        Format::Webp | Format::AnimatedWebp => {
            let size = bytes.get(4..8).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")));
            size.is_none_or(|size| (bytes.len() as u64) < u64::from(size) + 8)
        }
        Format::Gif => !gif_is_whole(bytes),
        Format::Svg | Format::Avif => false,
    }
}

/// Decodes the whole image (a GIF's first frame), applies its EXIF orientation and
/// returns 8-bit pixels.
pub(super) fn decode(bytes: &[u8], max_pixels: u64) -> Result<Pixels, Failure> {
    let format = sniff(bytes).ok_or(Failure::NotAnImage)?;
    refuse_too_large(bytes, max_pixels)?;
    if is_truncated(bytes, format) {
        return Err(Failure::Corrupt("the file ends before the image does".into()));
    }
    let mut decoder = decoder(bytes, format, max_pixels)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Failure::TooLarge { width, height, max: max_pixels });
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let profile = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| corrupt(&e))?;
    image.apply_orientation(orientation);
    let mut pixels = into_pixels(image);
    if let Some(profile) = profile {
        to_srgb(&mut pixels, &profile);
    }
    Ok(pixels)
}

/// Converts `pixels` from the colour space its ICC profile describes to sRGB, which is
/// what browsers assume of a picture without a profile: the files made of it carry no
/// profile (it is metadata, and costs bytes in every size), so a Display P3 or Adobe RGB
/// photo would otherwise look dull or shifted (issue 16). A profile that is sRGB already,
/// or that cannot be read or used (a grey or CMYK one), leaves the pixels as they are.
fn to_srgb(pixels: &mut Pixels, profile: &[u8]) {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Ok(source) = ColorProfile::new_from_slice(profile) else { return };
    if source.color_space != DataColorSpace::Rgb {
        return;
    }
    let layout = if pixels.alpha { Layout::Rgba } else { Layout::Rgb };
    let Ok(transform) = source.create_transform_8bit(
        layout,
        &ColorProfile::new_srgb(),
        layout,
        TransformOptions::default(),
    ) else {
        return;
    };
    if is_identity(transform.as_ref(), layout) {
        return;
    }
    // In bands, so the converted copy is never the size of the whole picture.
    let channels = if pixels.alpha { 4 } else { 3 };
    let band = 65_536 * channels;
    let mut out = vec![0; band.min(pixels.data.len())];
    for chunk in pixels.data.chunks_mut(band) {
        let out = &mut out[..chunk.len()];
        if transform.transform(chunk, out).is_err() {
            return;
        }
        chunk.copy_from_slice(out);
    }
}

/// Whether a transform leaves every colour of a coarse grid within one step of itself:
/// an sRGB profile, however it is written.
fn is_identity(transform: &dyn moxcms::TransformExecutor<u8>, layout: moxcms::Layout) -> bool {
    let steps = [0u8, 32, 64, 96, 128, 160, 192, 224, 255];
    let channels = if layout == moxcms::Layout::Rgba { 4 } else { 3 };
    let mut grid = Vec::new();
    for &r in &steps {
        for &g in &steps {
            for &b in &steps {
                grid.extend_from_slice(&[r, g, b, 255][..channels]);
            }
        }
    }
    let mut out = vec![0; grid.len()];
    transform.transform(&grid, &mut out).is_ok()
        && grid.iter().zip(&out).all(|(&a, &b)| a.abs_diff(b) <= 1)
}

fn into_pixels(image: DynamicImage) -> Pixels {
    let (width, height) = (image.width(), image.height());
    if let DynamicImage::ImageRgb8(rgb) = image {
        // A photo: its decoded buffer is used as it is, never copied.
        return Pixels { width, height, alpha: false, data: rgb.into_raw() };
    }
    let alpha = image.color().has_alpha()
        && match &image {
            DynamicImage::ImageRgba8(rgba) => rgba.pixels().any(|p| p.0[3] != 255),
            other => other.to_rgba8().pixels().any(|p| p.0[3] != 255),
        };
    if alpha {
        Pixels { width, height, alpha, data: image.into_rgba8().into_raw() }
    } else {
        Pixels { width, height, alpha, data: image.into_rgb8().into_raw() }
    }
}

/// Whether a GIF's blocks (header, colour tables, extensions and images, each a chain of
/// sized sub-blocks) run whole up to the trailer: a walk over their sizes, no decoding.
fn gif_is_whole(bytes: &[u8]) -> bool {
    // The colour table a packed field announces, in bytes.
    let table = |packed: u8| if packed & 0x80 != 0 { 3usize << ((packed & 7) + 1) } else { 0 };
    // Skips a chain of sub-blocks from `at`; where it ends, if it does.
    let chain = |mut at: usize| loop {
        let size = usize::from(*bytes.get(at)?);
        at += 1 + size;
        if size == 0 {
            return Some(at);
        }
    };
    let Some(&packed) = bytes.get(10) else { return false };
    let mut at = 13 + table(packed);
    loop {
        match bytes.get(at) {
            // The trailer, or the data ending between two blocks (some encoders leave the
            // trailer out, and decoders accept it), or something else after the images
            // (left to the decoder): not cut inside a block.
            Some(0x3B) | None => return at <= bytes.len(),
            Some(0x21) => match chain(at + 2) {
                Some(next) => at = next,
                None => return false,
            },
            Some(0x2C) => {
                let Some(&packed) = bytes.get(at + 9) else { return false };
                // The descriptor, its colour table and the LZW code size, then the data.
                match chain(at + 10 + table(packed) + 1) {
                    Some(next) => at = next,
                    None => return false,
                }
            }
            Some(_) => return true,
        }
    }
}

/// Rasterizes an SVG `width` pixels wide, on white (social cards have no transparency);
/// refused when that would make more than `max_pixels` pixels.
pub(super) fn rasterize_svg(bytes: &[u8], width: u32, max_pixels: u64) -> Result<Pixels, Failure> {
    use resvg::{tiny_skia, usvg};
    let tree = usvg::Tree::from_data(bytes, &usvg::Options::default())
        .map_err(|e| Failure::Corrupt(lowercase_first(&e.to_string())))?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let drawn = (f64::from(size.height()) * f64::from(scale)).round().max(1.0);
    if drawn * f64::from(width) > max_pixels as f64 {
        let height = drawn.min(f64::from(u32::MAX)) as u32;
        return Err(Failure::SvgTooLarge { width, height, max: max_pixels });
    }
    let height = drawn as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| Failure::Corrupt("it has no size".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    // Opaque (drawn on white), so its premultiplied pixels are plain RGBA.
    Ok(Pixels { width, height, alpha: false, data: rgba_to_rgb(&pixmap.take()) })
}

/// The size of an SVG as drawn, from its parsed tree.
pub(super) fn svg_size(bytes: &[u8]) -> Result<(u32, u32), Failure> {
    use resvg::usvg;
    let tree = usvg::Tree::from_data(bytes, &usvg::Options::default())
        .map_err(|e| Failure::Corrupt(lowercase_first(&e.to_string())))?;
    let size = tree.size();
    Ok(((size.width().round() as u32).max(1), (size.height().round() as u32).max(1)))
}

/// Scales (and for a crop, first cuts the centre of) `pixels` to the size of `spec`.
pub(super) fn resize(pixels: &Pixels, spec: &Spec) -> Pixels {
    let (width, height) = spec.size;
    if (width, height) == (pixels.width, pixels.height) {
        return Pixels { width, height, alpha: pixels.alpha, data: pixels.data.clone() };
    }
    let kind = pixels.kind();
    let source = fr::images::ImageRef::new(pixels.width, pixels.height, &pixels.data, kind)
        .expect("the buffer holds width × height pixels");
    let mut target = fr::images::Image::new(width, height, kind);
    let mut options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    if matches!(spec.kind, SpecKind::Crop { .. }) {
        options = options.fit_into_destination(Some((0.5, 0.5)));
    }
    fr::Resizer::new()
        .resize(&source, &mut target, &options)
        .expect("source and target have the same pixel type");
    Pixels { width, height, alpha: pixels.alpha, data: target.into_vec() }
}

/// The colour channels of opaque RGBA pixels.
fn rgba_to_rgb(rgba: &[u8]) -> Vec<u8> {
    let mut out = vec![0; rgba.len() / 4 * 3];
    for (to, from) in out.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
    out
}

/// Encodes `pixels` as the file `spec` names.
pub(super) fn encode(pixels: &Pixels, spec: &Spec, quality: u8) -> Result<Vec<u8>, String> {
    // Opaque pictures are held without an alpha channel.
    let rgb = &pixels.data;
    match spec.format {
        Format::Webp => {
            let encoder = if pixels.alpha {
                webp::Encoder::from_rgba(&pixels.data, pixels.width, pixels.height)
            } else {
                webp::Encoder::from_rgb(rgb, pixels.width, pixels.height)
            };
            let memory = encoder
                .encode_simple(false, f32::from(quality))
                .map_err(|e| format!("webp encoding failed: {e:?}"))?;
            Ok(memory.to_vec())
        }
        Format::Jpeg => {
            let flat;
            let data = if pixels.alpha {
                flat = flatten(pixels);
                &flat
            } else {
                rgb
            };
            let mut out = Vec::new();
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            image::ImageEncoder::write_image(
                encoder,
                data,
                pixels.width,
                pixels.height,
                image::ExtendedColorType::Rgb8,
            )
            .map_err(|e| e.to_string())?;
            Ok(out)
        }
        Format::Png => encode_png(pixels),
        Format::Avif => encode_avif(pixels, quality),
        Format::Gif | Format::Svg | Format::AnimatedWebp => {
            Err("no encoder for this format".into())
        }
    }
}

/// A PNG, deflated fast first: a picture with structure (a chart, a screenshot, a map:
/// what PNG sources are) that this already shrinks to under a quarter of its pixels'
/// bytes is deflated again at zlib's default level, which made 800 px fallbacks of a
/// chart and a screenshot 57% and 77% smaller for a few milliseconds more each. A
/// photographic picture keeps the fast result: the default level saved nothing on it
/// and took over 20 times as long (see docs/content.md).
fn encode_png(pixels: &Pixels) -> Result<Vec<u8>, String> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    let color =
        if pixels.alpha { image::ExtendedColorType::Rgba8 } else { image::ExtendedColorType::Rgb8 };
    let write = |compression: CompressionType| {
        let mut out = Vec::new();
        let encoder = PngEncoder::new_with_quality(&mut out, compression, FilterType::Adaptive);
        image::ImageEncoder::write_image(encoder, &pixels.data, pixels.width, pixels.height, color)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(out)
    };
    let fast = write(CompressionType::Fast)?;
    if fast.len() > pixels.data.len() / 4 {
        return Ok(fast);
    }
    let small = write(CompressionType::Default)?;
    Ok(if small.len() < fast.len() { small } else { fast })
}

/// AVIF (rav1e, pure Rust), at the speed that keeps a camera photo's four sizes to a few
/// seconds; the `avif` cargo feature.
#[cfg(feature = "avif")]
fn encode_avif(pixels: &Pixels, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let encoder =
        image::codecs::avif::AvifEncoder::new_with_speed_quality(&mut out, AVIF_SPEED, quality);
    let color =
        if pixels.alpha { image::ExtendedColorType::Rgba8 } else { image::ExtendedColorType::Rgb8 };
    image::ImageEncoder::write_image(encoder, &pixels.data, pixels.width, pixels.height, color)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// rav1e's speed, 1 (slowest, smallest) to 10.
#[cfg(feature = "avif")]
const AVIF_SPEED: u8 = 8;

#[cfg(not(feature = "avif"))]
fn encode_avif(_: &Pixels, _: u8) -> Result<Vec<u8>, String> {
    Err("this gazette was built without AVIF support (the `avif` cargo feature)".into())
}

/// RGBA on white, as RGB.
fn flatten(pixels: &Pixels) -> Vec<u8> {
    pixels
        .data
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u16::from(p[3]);
            let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            [mix(p[0]), mix(p[1]), mix(p[2])]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_lowercase_but_acronyms_keep_their_capitals() {
        assert_eq!(lowercase_first("Premature end of file"), "premature end of file");
        assert_eq!(lowercase_first("SVG data parsing failed"), "SVG data parsing failed");
        assert_eq!(lowercase_first("I/O error"), "I/O error");
        assert_eq!(lowercase_first("A file"), "a file");
        assert_eq!(lowercase_first("PNG."), "PNG.");
        assert_eq!(lowercase_first(""), "");
    }
}
