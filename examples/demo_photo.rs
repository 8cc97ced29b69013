//! Draws the demo site's one raster photo, `content/images/amsel-reservoir.jpg`: a
//! synthetic scene (no camera, no download) of a reservoir at low water under a dam,
//! with the pale band of bank the water left. Made so the demo's pages show a real
//! `<picture>` of resized files (issue 16) and the browser checks see one.
//!
//! `cargo run --release --example demo_photo -- content/images/amsel-reservoir.jpg`
//!
//! The same arguments always draw the same picture.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: demo_photo OUT.jpg [WIDTH HEIGHT QUALITY]");
        std::process::exit(2);
    };
    let arg = |i: usize, default: u32| {
        std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let (width, height, quality) = (arg(2, 1600), arg(3, 1200), arg(4, 78));
    let pixels = scene(width, height);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality as u8)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .expect("the picture encodes");
    std::fs::write(&path, &out).expect("the file is written");
    eprintln!("{path}: {width}×{height}, {} bytes", out.len());
}

type Rgb = [f32; 3];

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let t = t.clamp(0.0, 1.0);
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

fn smooth(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A value in [0, 1) that looks random but depends only on its arguments.
fn hash(x: i32, y: i32, seed: u32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8DA6_B343)
        ^ (y as u32).wrapping_mul(0xD816_3841)
        ^ seed.wrapping_mul(0xCB1A_B31F);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5BD1_E995);
    h ^= h >> 15;
    (h & 0xFFFF) as f32 / 65536.0
}

/// Smooth noise: the hashes of a grid, blended between its points.
fn noise(x: f32, y: f32, seed: u32) -> f32 {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (smooth(0.0, 1.0, x - x0), smooth(0.0, 1.0, y - y0));
    let (ix, iy) = (x0 as i32, y0 as i32);
    let top = hash(ix, iy, seed) + (hash(ix + 1, iy, seed) - hash(ix, iy, seed)) * fx;
    let bottom =
        hash(ix, iy + 1, seed) + (hash(ix + 1, iy + 1, seed) - hash(ix, iy + 1, seed)) * fx;
    top + (bottom - top) * fy
}

/// Noise at several scales, for ridges and textures.
fn fractal(x: f32, y: f32, seed: u32) -> f32 {
    let (mut sum, mut amplitude, mut frequency) = (0.0, 0.5, 1.0);
    for octave in 0..5 {
        sum += amplitude * noise(x * frequency, y * frequency, seed + octave);
        amplitude *= 0.5;
        frequency *= 2.0;
    }
    sum
}

/// The picture, RGB, row by row. Coordinates are fractions of the width and height, so
/// any size draws the same scene.
fn scene(width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as f32, height as f32);
    let sun = (0.76, 0.17);
    let mut data = Vec::with_capacity((width * height * 3) as usize);
    for py in 0..height {
        for px in 0..width {
            let (u, v) = (px as f32 / w, py as f32 / h);
            // Ridges: the far range, then the near hills around the lake.
            let far = 0.40 - 0.10 * fractal(u * 3.0, 0.5, 1);
            let near = 0.50 - 0.12 * fractal(u * 4.5 + 7.0, 1.5, 2) + 0.05 * (u * 3.1).sin();
            // The lake: its surface today, and the line the full lake reached.
            let water = 0.66 + 0.015 * (u * 9.0).sin();
            let full = 0.57 + 0.01 * (u * 7.0).sin();
            let dam_left = 0.80 + 0.04 * (v - 0.5);
            let mut color: Rgb = if v < far {
                // Sky: deep blue above, hazy near the ridges, a glow round the sun.
                let sky = mix([62.0, 112.0, 178.0], [196.0, 214.0, 226.0], v / far);
                let d = ((u - sun.0) * w / h).hypot(v - sun.1);
                let glow = (1.0 - d / 0.35).max(0.0).powi(2);
                let disc = 1.0 - smooth(0.035, 0.04, d);
                mix(mix(sky, [255.0, 240.0, 205.0], glow * 0.7), [255.0, 252.0, 235.0], disc)
            } else if v < near {
                // Far range: blue-grey in the haze, lit on its upper parts.
                let shade = fractal(u * 30.0, v * 30.0, 3);
                mix([118.0, 132.0, 150.0], [92.0, 104.0, 122.0], shade + (v - far) * 3.0)
            } else if u > dam_left && v < 0.84 {
                // The dam: a concrete wall with joints, darker where it is wet.
                let joint = if ((u - dam_left) * 60.0).fract() < 0.06 { 0.82 } else { 1.0 };
                let stain = smooth(water - 0.02, water + 0.1, v) * 0.35;
                let concrete = [178.0 * joint, 174.0 * joint, 164.0 * joint];
                mix(concrete, [96.0, 98.0, 92.0], stain + 0.15 * fractal(u * 80.0, v * 80.0, 4))
            } else if v < full {
                // Near hills: dry grass and scrub.
                let scrub = fractal(u * 40.0, v * 40.0, 5);
                let grass = mix([150.0, 132.0, 82.0], [88.0, 96.0, 56.0], scrub * 1.4 - 0.2);
                mix(grass, [70.0, 72.0, 48.0], (v - near) * 2.0)
            } else if v < water {
                // The band the water left: pale, bare, streaked along the old shore.
                let streak = ((v - full) * 260.0 + 3.0 * fractal(u * 12.0, v * 4.0, 6)).sin();
                let band = mix([214.0, 198.0, 168.0], [186.0, 166.0, 132.0], 0.5 + 0.5 * streak);
                mix(band, [160.0, 140.0, 108.0], fractal(u * 60.0, v * 60.0, 7) - 0.3)
            } else if v < 0.86 {
                // The lake: the sky reflected, darker with depth, broken by ripples.
                let depth = (v - water) / (0.86 - water);
                let ripple = (v * 420.0 + 6.0 * fractal(u * 10.0, v * 30.0, 8)).sin();
                let reflect = mix([150.0, 178.0, 200.0], [42.0, 78.0, 92.0], depth * 1.3);
                let glint = if (u - sun.0).abs() < 0.05 * (1.0 - depth) && ripple > 0.7 {
                    0.5
                } else {
                    0.0
                };
                mix(mix(reflect, [30.0, 58.0, 70.0], 0.12 * (ripple + 1.0)), [250.0; 3], glint)
            } else {
                // Foreground: the dried lake bed, cracked into plates.
                let (cx, cy) = (u * 38.0, (v - 0.86) * 90.0 + 2.0 * fractal(u * 5.0, v, 9));
                let edge_x = (cx + 0.6 * noise(cx, cy * 0.3, 10)).fract();
                let edge_y = (cy * 0.5 + 0.6 * noise(cx * 0.3, cy, 11)).fract();
                let crack = edge_x.min(1.0 - edge_x).min(edge_y.min(1.0 - edge_y) * 0.7) < 0.035;
                let mud = mix([176.0, 150.0, 112.0], [140.0, 114.0, 80.0], fractal(cx, cy, 12));
                if crack { mix(mud, [62.0, 48.0, 34.0], 0.8) } else { mud }
            };
            // A little grain, as a camera's sensor adds.
            let grain = (hash(px as i32, py as i32, 99) - 0.5) * 6.0;
            for c in &mut color {
                *c += grain;
            }
            data.extend(color.iter().map(|c| c.clamp(0.0, 255.0) as u8));
        }
    }
    data
}
