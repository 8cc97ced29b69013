//! Copies of source images without their metadata, published at the source's own
//! address (`/images/photo.jpg` keeps working): a camera's EXIF block holds the GPS
//! position, the camera's serial number and the time the photo was taken, none of
//! which a news site may publish by accident (issue 16). GIFs, published as they are,
//! lose their comments and application blocks (XMP) the same way.
//!
//! The pixels are kept byte for byte (no re-encoding): only the metadata segments are
//! left out. A JPEG turned by its EXIF orientation keeps a new, minimal EXIF block that
//! holds only the orientation, so browsers still show it upright.

/// The file without its metadata; `None` when its structure cannot be followed.
pub(super) fn strip(bytes: &[u8], format: super::Format, orientation: u8) -> Option<Vec<u8>> {
    match format {
        super::Format::Jpeg => strip_jpeg(bytes, orientation),
        super::Format::Png => strip_png(bytes),
        super::Format::Webp | super::Format::AnimatedWebp => strip_webp(bytes),
        super::Format::Gif => strip_gif(bytes),
        // SVG is checked as text elsewhere.
        super::Format::Svg => Some(bytes.to_vec()),
        // Never a source: gazette makes AVIF files, it does not read them.
        super::Format::Avif => None,
    }
}

/// The format of a file from its first bytes, when it is a kind of picture that may
/// carry metadata (EXIF, XMP, text chunks, comments): JPEG, PNG, WebP or GIF, whatever
/// its name says.
pub(crate) fn sniff(head: &[u8]) -> Option<super::Format> {
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some(super::Format::Gif)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(super::Format::Jpeg)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(super::Format::Png)
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some(super::Format::Webp)
    } else {
        None
    }
}

/// How many first bytes [`sniff`] needs.
pub(crate) const SNIFF_LEN: usize = 12;

/// A file gazette publishes as it is (a file of `content/` no article shows as an
/// image, a GIF, a theme's static file), made safe to publish: a JPEG, PNG, WebP or GIF
/// (by its bytes, not its name) without its metadata, a JPEG keeping only its orientation
/// (issue 16: a photo's GPS position is never published). `Ok(None)` for any other
/// file, published as it is; an error naming `shown` for a picture whose structure
/// cannot be followed, which is not published at all.
pub(crate) fn clean_published(
    bytes: &[u8],
    shown: &std::path::Path,
) -> crate::error::Result<Option<Vec<u8>>> {
    let Some(format) = sniff(bytes) else { return Ok(None) };
    let orientation = if format == super::Format::Jpeg { jpeg_orientation(bytes) } else { 1 };
    match strip(bytes, format, orientation) {
        Some(clean) => Ok(Some(clean)),
        None => Err(crate::error::Error::Refused {
            message: format!(
                "`{}` is a {} file whose structure gazette cannot follow: its metadata, which may hold where the photo was taken, cannot be removed, so it is not published",
                crate::error::display_path(shown),
                match format {
                    super::Format::Png => "PNG",
                    super::Format::Webp => "WebP",
                    super::Format::Gif => "GIF",
                    _ => "JPEG",
                }
            ),
            help:
                "export it again from the original (it may be truncated or damaged), or remove it"
                    .to_owned(),
        }),
    }
}

/// The EXIF orientation of a JPEG, 1 (upright) when it has none.
pub(super) fn jpeg_orientation(bytes: &[u8]) -> u8 {
    use image::ImageDecoder;
    image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes))
        .ok()
        .and_then(|mut d| d.orientation().ok())
        .map_or(1, |o| o.to_exif())
}

fn strip_jpeg(bytes: &[u8], orientation: u8) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    if orientation != 1 {
        out.extend_from_slice(&orientation_exif(orientation));
    }
    let mut at = 2;
    loop {
        // Fill bytes may stand before a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xD9 {
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let end = at + 2 + length;
        let segment = bytes.get(at..end)?;
        if marker == 0xDA {
            // Start of scan: the picture itself, to the end of the file.
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        let is_icc = marker == 0xE2 && segment.get(4..16) == Some(b"ICC_PROFILE\0");
        // APP1 to APP15 (EXIF, XMP, IPTC, maker notes) and comments go; APP0 (JFIF),
        // the colour profile and the tables that decode the picture stay.
        let metadata = (0xE1..=0xEF).contains(&marker) && !is_icc || marker == 0xFE;
        if !metadata {
            out.extend_from_slice(segment);
        }
        at = end;
    }
}

/// An APP1 segment whose EXIF holds only the orientation tag.
fn orientation_exif(orientation: u8) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes()); // first IFD right after the header
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes()); // one value
    tiff.extend_from_slice(&u16::from(orientation).to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    let mut segment = vec![0xFF, 0xE1];
    let length = u16::try_from(2 + 6 + tiff.len()).expect("a few bytes");
    segment.extend_from_slice(&length.to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    // Chunks that change how the picture looks (or animate it) stay; text, time and
    // EXIF chunks go.
    const KEEP: &[&[u8; 4]] = &[
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
        b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT",
    ];
    if !bytes.starts_with(SIGNATURE) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut at = SIGNATURE.len();
    while at < bytes.len() {
        let length = u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(at + 4..at + 8)?;
        let end = at + 12 + length;
        let chunk = bytes.get(at..end)?;
        if KEEP.iter().any(|k| k.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

/// A GIF without its comments and application blocks (XMP, editors' data), which may
/// hold anything its author typed or a tool wrote, such as where it was made. The blocks
/// that make the picture stay: colour tables, frames, their timing and transparency,
/// plain text, and the loop count (`NETSCAPE2.0`, `ANIMEXTS1.0`). Anything after the
/// trailer goes too.
fn strip_gif(bytes: &[u8]) -> Option<Vec<u8>> {
    // The colour table a packed field announces, in bytes.
    let table = |packed: u8| if packed & 0x80 != 0 { 3usize << ((packed & 7) + 1) } else { 0 };
    // Where a chain of sub-blocks starting at `at` ends.
    let chain = |mut at: usize| loop {
        let size = usize::from(*bytes.get(at)?);
        at += 1 + size;
        if size == 0 {
            return (at <= bytes.len()).then_some(at);
        }
    };
    if !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) {
        return None;
    }
    let start = 13 + table(*bytes.get(10)?);
    let mut out = bytes.get(..start)?.to_vec();
    let mut at = start;
    loop {
        match bytes.get(at) {
            // The trailer, or data ending between two blocks (decoders accept it).
            Some(0x3B) | None => {
                out.push(0x3B);
                return Some(out);
            }
            Some(0x21) => {
                let label = *bytes.get(at + 1)?;
                let end = chain(at + 2)?;
                let keep = match label {
                    // Application: kept only for the loop count of an animation.
                    0xFF => {
                        let name = bytes.get(at + 3..at + 14)?;
                        bytes.get(at + 2) == Some(&11)
                            && (name == b"NETSCAPE2.0" || name == b"ANIMEXTS1.0")
                    }
                    // Graphic control (timing, transparency) and plain text draw the
                    // picture; comments and labels no decoder knows go.
                    0xF9 | 0x01 => true,
                    _ => false,
                };
                if keep {
                    out.extend_from_slice(&bytes[at..end]);
                }
                at = end;
            }
            Some(0x2C) => {
                let packed = *bytes.get(at + 9)?;
                // The descriptor, its colour table and the LZW code size, then the data.
                let end = chain(at + 10 + table(packed) + 1)?;
                out.extend_from_slice(&bytes[at..end]);
                at = end;
            }
            Some(_) => return None,
        }
    }
}

fn strip_webp(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut body = Vec::with_capacity(bytes.len());
    body.extend_from_slice(b"WEBP");
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let kind = &bytes[at..at + 4];
        let length = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let end = at + 8 + length + (length & 1);
        let chunk = bytes.get(at..end.min(bytes.len()))?;
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut chunk = chunk.to_vec();
                // The flags that announce EXIF (bit 3) and XMP (bit 2).
                *chunk.get_mut(8)? &= !0b0000_1100;
                body.extend_from_slice(&chunk);
            }
            _ => body.extend_from_slice(chunk),
        }
        at = end;
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_metadata_segments_go_and_the_orientation_stays() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend_from_slice(&[0xFF, 0xE0, 0, 4, b'J', b'F']);
        jpeg.extend_from_slice(&[0xFF, 0xE1, 0, 8, b'E', b'x', b'i', b'f', 0, 0]);
        jpeg.extend_from_slice(&[0xFF, 0xFE, 0, 4, b'h', b'i']);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        let out = strip_jpeg(&jpeg, 6).unwrap();
        assert!(out.starts_with(&[0xFF, 0xD8, 0xFF, 0xE1]));
        assert_eq!(out.windows(4).filter(|w| w == b"Exif").count(), 1);
        assert!(!out.windows(2).any(|w| w == b"hi"));
        assert!(
            out.ends_with(&[0xFF, 0xE0, 0, 4, b'J', b'F', 0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9])
        );
        assert_eq!(strip_jpeg(&jpeg, 1).unwrap()[2..4], [0xFF, 0xE0]);
    }

    #[test]
    fn png_text_chunks_go() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"GPS 48.8"));
        png.extend(chunk(b"eXIf", b"MM"));
        png.extend(chunk(b"IDAT", &[1, 2]));
        png.extend(chunk(b"IEND", &[]));
        let out = strip_png(&png).unwrap();
        assert!(!out.windows(4).any(|w| w == b"tEXt" || w == b"eXIf"));
        assert_eq!(out.len(), png.len() - 12 - 8 - 12 - 2);
    }
}
