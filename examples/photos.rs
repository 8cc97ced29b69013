//! Writes camera-like JPEG photos for the image benchmark (bench/images.sh): noisy
//! gradients, with an EXIF block holding an orientation and a GPS position, as phones
//! write them. `cargo run --release --example photos -- DIR COUNT [WIDTH HEIGHT]`

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(count)) = (args.first(), args.get(1).and_then(|c| c.parse::<u32>().ok()))
    else {
        eprintln!("usage: photos DIR COUNT [WIDTH HEIGHT]");
        std::process::exit(2);
    };
    let width: u32 = args.get(2).and_then(|w| w.parse().ok()).unwrap_or(4000);
    let height: u32 = args.get(3).and_then(|h| h.parse().ok()).unwrap_or(3000);
    std::fs::create_dir_all(dir).expect("the folder can be made");
    use rayon::prelude::*;
    (0..count).into_par_iter().for_each(|i| {
        let jpeg = photo(width, height, i);
        // Every fourth photo was taken with the phone turned (orientation 6).
        let orientation = if i % 4 == 3 { 6 } else { 1 };
        let with_exif = insert_exif(&jpeg, orientation);
        let path = format!("{dir}/photo-{i:04}.jpg");
        std::fs::File::create(&path).and_then(|mut f| f.write_all(&with_exif)).expect("written");
    });
}

/// A picture with detail everywhere (a photo's noise costs encoders what a real one does).
fn photo(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut state = u64::from(seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state & 31) as u32;
            let r = (x * 255 / width + noise) as u8;
            let g = (y * 255 / height + noise / 2) as u8;
            let b = ((x + y + seed * 37) % 256) as u8 / 2 + (noise as u8);
            data.extend_from_slice(&[r, g, b]);
        }
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&data, width, height, image::ExtendedColorType::Rgb8)
        .expect("encodes");
    out
}

/// The JPEG with an APP1 EXIF block after its SOI: Orientation, and a GPS IFD with a
/// latitude.
fn insert_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff: Vec<u8> = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: two entries.
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    let gps_ifd = 8 + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&(gps_ifd as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: GPSLatitudeRef "N", GPSLatitude 48/1 51/1 2417/100.
    let values = gps_ifd + 2 + 2 * 12 + 4;
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&5u16.to_le_bytes());
    tiff.extend_from_slice(&3u32.to_le_bytes());
    tiff.extend_from_slice(&(values as u32).to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (2417, 100)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}
