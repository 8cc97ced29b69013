//! Whether a sequential JPEG's coded picture data holds every block its header announces:
//! a walk over the Huffman codes, no pixel decoded. A file cut short and closed again
//! with an end-of-image marker passes every check of its segments, and decoders fill the
//! missing part with grey instead of failing (issue 16).

/// Codes up to this long are found with one look-up.
const LOOKUP_BITS: u32 = 9;

/// One Huffman table, canonical: the codes of each length are consecutive.
#[derive(Clone)]
struct Table {
    /// The largest code of each length (1 to 16), `-1` where none has that length.
    max: [i32; 17],
    /// What to add to a code of each length to find its symbol's index.
    offset: [i32; 17],
    symbols: Vec<u8>,
    /// By the next `LOOKUP_BITS` bits: the length and symbol of a code that short, or a
    /// length 0.
    fast: Vec<(u8, u8)>,
}

impl Table {
    /// A table from its `DHT` segment: 16 counts of codes by length, then the symbols.
    fn parse(counts: &[u8], symbols: &[u8]) -> Table {
        let mut table = Table {
            max: [-1; 17],
            offset: [0; 17],
            symbols: symbols.to_vec(),
            fast: vec![(0, 0); 1 << LOOKUP_BITS],
        };
        let (mut code, mut index) = (0i32, 0i32);
        for length in 1..=16 {
            let count = i32::from(counts[length - 1]);
            if count > 0 {
                table.offset[length] = index - code;
                if length as u32 <= LOOKUP_BITS {
                    let spread = LOOKUP_BITS - length as u32;
                    for (i, c) in (code..code + count).enumerate() {
                        let Some(&symbol) = symbols.get(index as usize + i) else { break };
                        let first = (c as usize) << spread;
                        for entry in &mut table.fast[first..first + (1 << spread)] {
                            *entry = (length as u8, symbol);
                        }
                    }
                }
                code += count;
                index += count;
                table.max[length] = code - 1;
            }
            code <<= 1;
        }
        table
    }
}

/// The bits of coded data, from `at` up to the next marker other than a restart.
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The next bits, first at the top; zeros below the `count` real ones.
    buffer: u64,
    count: u32,
    /// A marker ended the data: the restart number (0 to 7), or `None` for another
    /// marker or the end of the file.
    stopped: Option<Option<u8>>,
}

impl Bits<'_> {
    /// Reads whole bytes into the buffer while it has room, until the data ends.
    fn fill(&mut self) {
        // Most of the data: whole bytes without a 0xFF among them, taken at once.
        let room = ((64 - self.count) / 8) as usize;
        if let Some(chunk) = self.bytes.get(self.at..self.at + room)
            && self.stopped.is_none()
            && !chunk.contains(&0xFF)
        {
            for &byte in chunk {
                self.buffer |= u64::from(byte) << (56 - self.count);
                self.count += 8;
            }
            self.at += room;
            return;
        }
        while self.count <= 56 && self.stopped.is_none() {
            let Some(&byte) = self.bytes.get(self.at) else {
                self.stopped = Some(None);
                return;
            };
            if byte == 0xFF {
                let mut next = self.at + 1;
                // Fill bytes may stand before a marker.
                while self.bytes.get(next) == Some(&0xFF) {
                    next += 1;
                }
                match self.bytes.get(next) {
                    Some(0x00) => self.at = next + 1,
                    Some(&marker) => {
                        self.at = next - 1;
                        self.stopped =
                            Some((0xD0..=0xD7).contains(&marker).then_some(marker - 0xD0));
                        return;
                    }
                    None => {
                        self.stopped = Some(None);
                        return;
                    }
                }
            } else {
                self.at += 1;
            }
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// Drops `bits` bits (at most 32); `None` when the data has fewer.
    fn skip(&mut self, bits: u32) -> Option<()> {
        if self.count < bits {
            self.fill();
            if self.count < bits {
                return None;
            }
        }
        self.buffer = self.buffer.checked_shl(bits).unwrap_or(0);
        self.count -= bits;
        Some(())
    }

    fn symbol(&mut self, table: &Table) -> Option<u8> {
        if self.count < 16 {
            self.fill();
        }
        let (length, symbol) = table.fast[(self.buffer >> (64 - LOOKUP_BITS)) as usize];
        if length > 0 {
            self.skip(u32::from(length))?;
            return Some(symbol);
        }
        for length in LOOKUP_BITS as usize + 1..=16 {
            let code = (self.buffer >> (64 - length)) as i32;
            if code <= table.max[length] {
                self.skip(length as u32)?;
                let index = usize::try_from(code + table.offset[length]).ok()?;
                return table.symbols.get(index).copied();
            }
        }
        None
    }

    /// One 8×8 block: its DC difference, then its AC coefficients up to the end-of-block.
    fn block(&mut self, dc: &Table, ac: &Table) -> Option<()> {
        let size = self.symbol(dc)?;
        if size > 16 {
            return None;
        }
        self.skip(u32::from(size))?;
        let mut k = 1;
        while k < 64 {
            if self.count < 32 {
                self.fill();
            }
            // A short code and its value's bits, dropped at once.
            let (length, rs) = ac.fast[(self.buffer >> (64 - LOOKUP_BITS)) as usize];
            let rs = if length > 0 {
                self.skip(u32::from(length) + u32::from(rs & 15))?;
                rs
            } else {
                let rs = self.symbol(ac)?;
                self.skip(u32::from(rs & 15))?;
                rs
            };
            let (run, size) = (rs >> 4, rs & 15);
            if size == 0 {
                if run != 15 {
                    return Some(());
                }
                k += 16;
                continue;
            }
            k += usize::from(run) + 1;
        }
        (k <= 64).then_some(())
    }

    /// Moves past the restart marker that must follow the data of an interval (the bits
    /// left of its last byte are padding); `false` when another marker or more data
    /// stands there.
    fn restart(&mut self) -> bool {
        if self.count >= 8 {
            return false;
        }
        self.fill();
        if self.count >= 8 || !matches!(self.stopped, Some(Some(_))) {
            return false;
        }
        self.count = 0;
        self.buffer = 0;
        self.at += 2;
        self.stopped = None;
        true
    }
}

struct Component {
    id: u8,
    h: u32,
    v: u32,
}

/// Whether the coded data of a sequential, Huffman-coded JPEG stops before the last
/// block its frame header announces, or holds a code its tables do not have. `false`
/// for anything it does not read (progressive or arithmetic coding, a structure it
/// cannot follow): the decoder judges those.
pub(super) fn ends_early(bytes: &[u8]) -> bool {
    walk(bytes) == Some(true)
}

/// `Some(cut)` when the file could be walked.
fn walk(bytes: &[u8]) -> Option<bool> {
    // A table a scan uses but no segment defines (motion-JPEG frames rely on the
    // standard's) leaves the file to the decoder.
    let mut dc: [Option<Table>; 4] = Default::default();
    let mut ac: [Option<Table>; 4] = Default::default();
    let mut components: Vec<Component> = Vec::new();
    let (mut width, mut height) = (0u32, 0u32);
    let mut restart_interval = 0u32;
    let mut at = 2;
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    loop {
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xD9 {
            return Some(false);
        }
        let length = usize::from(u16::from_be_bytes([*bytes.get(at + 2)?, *bytes.get(at + 3)?]));
        let segment = bytes.get(at + 4..at + 2 + length)?;
        match marker {
            // Baseline and extended sequential, Huffman-coded.
            0xC0 | 0xC1 => {
                if *segment.first()? != 8 {
                    return None;
                }
                height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
                width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
                let count = usize::from(*segment.get(5)?);
                components = (0..count)
                    .map(|i| {
                        let c = segment.get(6 + 3 * i..9 + 3 * i)?;
                        let (h, v) = (u32::from(c[1] >> 4), u32::from(c[1] & 15));
                        (h > 0 && v > 0).then_some(Component { id: c[0], h, v })
                    })
                    .collect::<Option<_>>()?;
                // Height 0: given later by a DNL marker, which this walk does not read.
                if height == 0 || width == 0 || components.is_empty() {
                    return None;
                }
            }
            // Progressive, lossless, hierarchical or arithmetic-coded: not walked.
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xC4 => {
                let mut rest = segment;
                while !rest.is_empty() {
                    let class_id = rest[0];
                    let counts = rest.get(1..17)?;
                    let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
                    let symbols = rest.get(17..17 + total)?;
                    let table = Table::parse(counts, symbols);
                    let slot = usize::from(class_id & 15);
                    match class_id >> 4 {
                        0 => *dc.get_mut(slot)? = Some(table),
                        1 => *ac.get_mut(slot)? = Some(table),
                        _ => return None,
                    }
                    rest = &rest[17 + total..];
                }
            }
            0xDD => {
                restart_interval =
                    u32::from(u16::from_be_bytes([*segment.first()?, *segment.get(1)?]));
            }
            0xDA => {
                if components.is_empty() {
                    return None;
                }
                let count = usize::from(*segment.first()?);
                let mut scan = Vec::new();
                for i in 0..count {
                    let s = segment.get(1 + 2 * i..3 + 2 * i)?;
                    let index = components.iter().position(|c| c.id == s[0])?;
                    let (d, a) = (usize::from(s[1] >> 4), usize::from(s[1] & 15));
                    scan.push((index, dc.get(d)?.clone()?, ac.get(a)?.clone()?));
                }
                let h_max = components.iter().map(|c| c.h).max()?;
                let v_max = components.iter().map(|c| c.v).max()?;
                // Blocks of each component in one unit of the scan, and how many units.
                let (units, shape): (u64, Vec<u32>) = if let [(index, _, _)] = scan[..] {
                    let c = &components[index];
                    let across = (width * c.h).div_ceil(h_max).div_ceil(8);
                    let down = (height * c.v).div_ceil(v_max).div_ceil(8);
                    (u64::from(across) * u64::from(down), vec![1])
                } else {
                    let across = width.div_ceil(8 * h_max);
                    let down = height.div_ceil(8 * v_max);
                    let shape = scan.iter().map(|(i, _, _)| components[*i].h * components[*i].v);
                    (u64::from(across) * u64::from(down), shape.collect())
                };
                let start = at + 2 + length;
                let mut bits = Bits { bytes, at: start, buffer: 0, count: 0, stopped: None };
                for unit in 0..units {
                    if restart_interval > 0
                        && unit > 0
                        && unit % u64::from(restart_interval) == 0
                        && !bits.restart()
                    {
                        return Some(true);
                    }
                    for ((_, dc, ac), &blocks) in scan.iter().zip(&shape) {
                        for _ in 0..blocks {
                            if bits.block(dc, ac).is_none() {
                                return Some(true);
                            }
                        }
                    }
                }
                // The next marker after the data (a restart marker may end the last
                // interval).
                at = bits.at;
                loop {
                    let next = bytes.get(at..)?.iter().position(|&b| b == 0xFF)? + at;
                    match *bytes.get(next + 1)? {
                        0x00 | 0xD0..=0xD7 => at = next + 2,
                        0xFF => at = next + 1,
                        _ => {
                            at = next;
                            break;
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        at += 2 + length;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(width: u32, height: u32) -> Vec<u8> {
        let pixels: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                let (x, y) = (i % width, i / width);
                [(x * 7 + y) as u8, (y * 5) as u8, (x ^ y) as u8]
            })
            .collect();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
            .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        jpeg
    }

    #[test]
    fn a_whole_jpeg_holds_every_block_and_a_cut_one_does_not() {
        for (width, height) in [(300, 200), (17, 9), (1, 1), (640, 8)] {
            let whole = photo(width, height);
            assert_eq!(walk(&whole), Some(false), "{width}×{height}");
            let mut cut = whole[..whole.len() / 2].to_vec();
            cut.extend_from_slice(&[0xFF, 0xD9]);
            if whole.len() / 2 > 700 {
                assert_eq!(walk(&cut), Some(true), "{width}×{height}");
            }
        }
    }

    #[test]
    fn a_jpeg_without_its_huffman_tables_is_left_to_the_decoder() {
        let whole = photo(120, 80);
        let mut without = whole[..2].to_vec();
        let mut at = 2;
        loop {
            let length = usize::from(u16::from_be_bytes([whole[at + 2], whole[at + 3]]));
            if whole[at + 1] != 0xC4 {
                without.extend_from_slice(&whole[at..at + 2 + length]);
            }
            if whole[at + 1] == 0xDA {
                without.extend_from_slice(&whole[at + 2 + length..]);
                break;
            }
            at += 2 + length;
        }
        assert_eq!(walk(&without), None);
    }

    #[test]
    fn a_jpeg_cut_a_byte_before_its_end_marker_is_cut() {
        let whole = photo(120, 80);
        let mut cut = whole[..whole.len() - 3].to_vec();
        cut.extend_from_slice(&[0xFF, 0xD9]);
        assert!(ends_early(&cut));
        assert!(!ends_early(&whole));
    }
}
