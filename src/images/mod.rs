//! The site's own images (issue 16): found as the articles that use them are rendered,
//! measured and hashed once, then resized and encoded in parallel into the build
//! cache, and copied into the output under names that carry a hash of their source
//! (`photo.3f2a1c9b0d.800.webp`), so hosts may cache them forever.
//!
//! Only images an article uses (its lead `image`, or `![alt](/path)` in its body) are
//! processed; other files of `content/` are copied as they are. A processed source is
//! still published at its own address, without its metadata (see its `strip` module).

mod process;
mod strip;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

pub(crate) use process::Failure;
pub(crate) use strip::{SNIFF_LEN, clean_published, sniff};

use crate::config::ImageSettings;
use crate::content::{ContentDir, Skip};
use crate::error::{Diagnostic, Error, Location, Result, display_path};

/// Bumped whenever the files made from a source change for the same settings (a new
/// resizing filter, a new encoder): the cache keys change with it.
const PIPELINE_VERSION: &str = "gazette-images-3";

/// The width of social cards and structured-data images (Open Graph, Google's Article
/// guidance), when the source is that large.
pub const SOCIAL_WIDTH: u32 = 1200;

/// The crops listed in an article's structured data, as width:height.
const CROPS: [(u32, u32); 3] = [(16, 9), (4, 3), (1, 1)];
/// A lead image's thumbnail for listing cards: the 4:3 centre at 192×144 px, the default
/// theme's 6rem × 4.5rem box at twice its size (sharp on screens of double density). The
/// page sizes stay in its `srcset` for denser screens.
pub const THUMB_SIZE: (u32, u32) = (192, 144);

/// Where processed images are kept between builds: `images/` in the build cache folder
/// `cache` (`<root>/.gazette` unless `--cache-dir` moves it). The one place that names it.
pub fn cache_dir(cache: &Path) -> PathBuf {
    cache.join("images")
}

/// The file formats gazette reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    /// A WebP with several frames: shown as it is, like a GIF (resizing would keep
    /// only its first frame).
    AnimatedWebp,
    Gif,
    Svg,
    /// Made, never read: with the `avif` cargo feature and `images.avif: true`.
    Avif,
}

impl Format {
    fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jpg" | "jpeg" => Format::Jpeg,
            "png" => Format::Png,
            "webp" => Format::Webp,
            "gif" => Format::Gif,
            "svg" => Format::Svg,
            _ => return None,
        })
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp | Format::AnimatedWebp => "webp",
            Format::Gif => "gif",
            Format::Svg => "svg",
            Format::Avif => "avif",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::AnimatedWebp => "webp-animated",
            Format::Gif => "gif",
            Format::Svg => "svg",
            Format::Avif => "avif",
        }
    }

    fn parse(name: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Webp, Format::AnimatedWebp, Format::Gif, Format::Svg]
            .into_iter()
            .find(|f| f.name() == name)
    }
}

/// One file made from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Spec {
    kind: SpecKind,
    format: Format,
    size: (u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum SpecKind {
    /// The whole picture, scaled.
    Resize,
    /// The centre of the picture at this width:height, scaled.
    Crop { ratio: (u32, u32) },
    /// The source's own bytes without metadata, at its own address.
    Original,
}

/// A source image of the site, measured and hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Relative to the site root: `content/images/photo.jpg`, or
    /// `themes/default/static/images/logo.png` for an image of the theme.
    pub rel: PathBuf,
    /// Relative to the output root: `images/photo.jpg`.
    inner: PathBuf,
    /// An image of the theme's `static/` folder: the theme publishes it as it is.
    from_theme: bool,
    /// BLAKE3 of the file's bytes, hex.
    pub hash: String,
    /// As shown (after the EXIF orientation).
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// The file's size in bytes.
    pub bytes: u64,
    /// The widths made of it: `images.widths`, none wider than the source.
    widths: Vec<u32>,
    /// AVIF files are made too (`images.avif`).
    avif: bool,
    /// `images.quality`, which the lossy files' bytes (and so their names) depend on.
    quality: u8,
}

/// A file made from a picture: its site path (`/images/photo.3f2a1c9b0d.800.webp`) and
/// size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub path: String,
    pub width: u32,
    pub height: u32,
}

impl Picture {
    /// Whether the page shows it as a `<picture>` of resized files; a GIF or an animated
    /// WebP (they may move) and an SVG (it scales) are shown as they are.
    pub fn is_responsive(&self) -> bool {
        matches!(self.format, Format::Jpeg | Format::Png | Format::Webp)
    }

    /// The site path of the source: `/images/photo.jpg`.
    pub fn site_path(&self) -> String {
        format!("/{}", display_path(&self.inner))
    }

    /// The fallback's format: the source's (a WebP source falls back to JPEG).
    pub fn fallback(&self) -> Format {
        if self.format == Format::Png { Format::Png } else { Format::Jpeg }
    }

    fn height_at(&self, width: u32) -> u32 {
        let h = (u64::from(self.height) * u64::from(width) + u64::from(self.width) / 2)
            / u64::from(self.width);
        u32::try_from(h).unwrap_or(u32::MAX).max(1)
    }

    /// The WebP files, smallest first.
    pub fn webp(&self) -> Vec<Variant> {
        self.widths.iter().map(|&w| self.variant(&self.resize(w, Format::Webp))).collect()
    }

    /// The AVIF files, smallest first; none unless `images.avif` is on.
    pub fn avif(&self) -> Vec<Variant> {
        if !self.avif {
            return Vec::new();
        }
        self.widths.iter().map(|&w| self.variant(&self.resize(w, Format::Avif))).collect()
    }

    /// The fallback files in the source's format, smallest first.
    pub fn fallbacks(&self) -> Vec<Variant> {
        self.widths.iter().map(|&w| self.variant(&self.resize(w, self.fallback()))).collect()
    }

    /// The JPEG for social cards: 1200 px wide, or the source's width if smaller (an
    /// SVG is drawn at 1200 px).
    pub fn social(&self) -> Variant {
        self.variant(&self.social_spec())
    }

    /// The crops listed in structured data (16:9, 4:3, 1:1), each at least 1200 px
    /// wide; none that the source is too small for.
    pub fn crops(&self) -> Vec<Variant> {
        self.crop_specs().iter().map(|s| self.variant(s)).collect()
    }

    /// The card thumbnail in `format` (see [`THUMB_SIZE`]): `None` for a picture with
    /// too few pixels for it (the page sizes serve then) or not resized at all.
    pub fn thumb(&self, format: Format) -> Option<Variant> {
        self.thumb_spec(format).map(|s| self.variant(&s))
    }

    fn thumb_spec(&self, format: Format) -> Option<Spec> {
        let (w, h) = THUMB_SIZE;
        // The largest 4:3 part of the picture must hold the thumbnail's pixels.
        let crop_w = (u64::from(self.height) * u64::from(w) / u64::from(h)).min(self.width.into());
        (self.is_responsive() && crop_w >= u64::from(w)).then_some(Spec {
            kind: SpecKind::Crop { ratio: (4, 3) },
            format,
            size: THUMB_SIZE,
        })
    }

    fn resize(&self, width: u32, format: Format) -> Spec {
        Spec { kind: SpecKind::Resize, format, size: (width, self.height_at(width)) }
    }

    fn social_spec(&self) -> Spec {
        let width =
            if self.format == Format::Svg { SOCIAL_WIDTH } else { self.width.min(SOCIAL_WIDTH) };
        self.resize(width, Format::Jpeg)
    }

    /// The width an SVG is drawn at before its crops are cut: wide enough for each.
    fn svg_raster_width(&self) -> u32 {
        SOCIAL_WIDTH * 2
    }

    fn crop_specs(&self) -> Vec<Spec> {
        let (w, h) = if self.format == Format::Svg {
            let width = self.svg_raster_width();
            (width, self.height_at(width))
        } else {
            (self.width, self.height)
        };
        CROPS
            .iter()
            .filter_map(|&(rw, rh)| {
                // The largest centre part of the picture with this shape.
                let crop_w = (u64::from(h) * u64::from(rw) / u64::from(rh)).min(u64::from(w));
                (crop_w >= u64::from(SOCIAL_WIDTH)).then(|| Spec {
                    kind: SpecKind::Crop { ratio: (rw, rh) },
                    format: Format::Jpeg,
                    size: (SOCIAL_WIDTH, SOCIAL_WIDTH * rh / rw),
                })
            })
            .collect()
    }

    /// Every file made of this picture: the page's sizes for a raster shown in pages,
    /// the social image and crops for a lead image, the clean copy of the source.
    fn specs(&self, lead: bool) -> Vec<Spec> {
        let mut specs = Vec::new();
        if self.is_responsive() {
            for &w in &self.widths {
                if self.avif {
                    specs.push(self.resize(w, Format::Avif));
                }
                specs.push(self.resize(w, Format::Webp));
                specs.push(self.resize(w, self.fallback()));
            }
        }
        // The theme's own files are published by the theme, as they are.
        if self.is_responsive() && !self.from_theme {
            let original = Spec {
                kind: SpecKind::Original,
                format: self.format,
                size: (self.width, self.height),
            };
            specs.push(original);
        }
        if lead {
            specs.push(self.social_spec());
            specs.extend(self.crop_specs());
            // Cards show lead images.
            if self.avif {
                specs.extend(self.thumb_spec(Format::Avif));
            }
            specs.extend(self.thumb_spec(Format::Webp));
            specs.extend(self.thumb_spec(self.fallback()));
        }
        specs.sort();
        specs.dedup();
        specs
    }

    /// Where `spec`'s file goes, relative to the output root.
    fn output_rel(&self, spec: &Spec) -> PathBuf {
        let inner = &self.inner;
        if spec.kind == SpecKind::Original {
            return inner.to_owned();
        }
        let stem = inner.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into());
        let tag = match spec.kind {
            // The crops for structured data are 1200 px wide; others say their width.
            SpecKind::Crop { ratio: (w, h) } if spec.size.0 == SOCIAL_WIDTH => format!("{w}x{h}"),
            SpecKind::Crop { ratio: (w, h) } => format!("{w}x{h}.{}", spec.size.0),
            _ => spec.size.0.to_string(),
        };
        let hash = self.file_hash(spec);
        let name = format!("{stem}.{}.{tag}.{}", &hash[..10], spec.format.extension());
        inner.with_file_name(name)
    }

    fn variant(&self, spec: &Spec) -> Variant {
        Variant {
            path: format!("/{}", display_path(&self.output_rel(spec))),
            width: spec.size.0,
            height: spec.size.1,
        }
    }

    /// The page width a resized file is scaled from: the next larger of `widths`, or
    /// `None` for the source itself (the largest width, crops, and anything else).
    fn parent(&self, spec: &Spec) -> Option<u32> {
        if spec.kind != SpecKind::Resize {
            return None;
        }
        self.widths.iter().copied().filter(|&w| w > spec.size.0).min()
    }

    /// A hash of the source and of every setting that changes `spec`'s file: its name
    /// in the output (so a host may keep a file forever: new bytes get a new name) and in
    /// the cache.
    fn file_hash(&self, spec: &Spec) -> String {
        // Quality changes only the lossy files.
        let lossy = spec.kind != SpecKind::Original
            && matches!(spec.format, Format::Webp | Format::Jpeg | Format::Avif);
        let quality = if lossy { self.quality } else { 0 };
        // What it is scaled from is part of what it is.
        let parent = self.parent(spec);
        let key = format!("{PIPELINE_VERSION} {} {spec:?} q{quality} from {parent:?}", self.hash);
        blake3::hash(key.as_bytes()).to_hex().to_string()
    }

    /// The name of `spec`'s file in the cache (see [`Picture::file_hash`]).
    fn cache_name(&self, spec: &Spec) -> String {
        format!("{}.{}", &self.file_hash(spec)[..32], spec.format.extension())
    }
}

/// What an article's use of an image found.
#[derive(Debug, Clone)]
pub struct Found {
    /// As shown, in pixels.
    pub width: u32,
    pub height: u32,
    /// The picture, when gazette processes it (a file of `content/` it could read).
    pub picture: Option<Arc<Picture>>,
}

/// Where an article uses an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub line: usize,
    pub column: usize,
    /// Characters to underline.
    pub width: usize,
    /// The article's lead image: it gets a social image and crops.
    pub lead: bool,
    /// Only its size is wanted (a shortcode's `src`): the file is not processed.
    pub measure_only: bool,
}

/// The first use of an image, named in its errors.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Use {
    article: PathBuf,
    line: usize,
    column: usize,
    width: usize,
}

#[derive(Debug)]
struct Entry {
    result: std::result::Result<Arc<Picture>, Failure>,
    /// The file named in messages (see [`Picture::rel`]).
    shown: PathBuf,
    /// It is a file of the theme's `static/` folder.
    from_theme: bool,
    first: Use,
    /// The first use as an article's lead image, named in the messages only a lead image
    /// gets; `None` when no article leads with it.
    lead: Option<Use>,
}

impl Entry {
    /// Records a use: the earliest, and the earliest as a lead image.
    fn note(&mut self, first: &Use, lead: bool) {
        if lead && self.lead.as_ref().is_none_or(|l| first < l) {
            self.lead = Some(first.clone());
        }
        if *first < self.first {
            self.first = first.clone();
        }
    }
}

/// What probing a source found.
struct Probed {
    result: std::result::Result<Picture, Failure>,
    shown: PathBuf,
    from_theme: bool,
}

impl Probed {
    fn content(rel: &Path, result: std::result::Result<Picture, Failure>) -> Probed {
        Probed { result, shown: rel.to_owned(), from_theme: false }
    }
}

/// What identifies one version of a file without reading it: its size, modification
/// time and status-change time (which no program can set back: a file rewritten with its
/// old size and modification time restored still shows as changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: u128,
    changed: i128,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        #[cfg(unix)]
        let changed = {
            use std::os::unix::fs::MetadataExt;
            i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())
        };
        #[cfg(not(unix))]
        let changed = 0;
        Stamp { len: meta.len(), modified, changed }
    }

    /// Without the status-change time, which hard links change (a cache file gains and
    /// loses links as outputs come and go): for the cache's own files.
    fn content_only(self) -> Stamp {
        Stamp { changed: 0, ..self }
    }

    fn parse(fields: &mut std::str::Split<'_, char>) -> Option<Stamp> {
        Some(Stamp {
            len: fields.next()?.parse().ok()?,
            modified: fields.next()?.parse().ok()?,
            changed: fields.next()?.parse().ok()?,
        })
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\t{}\t{}", self.len, self.modified, self.changed)
    }
}

/// A probe remembered from an earlier build: a file with this stamp has this hash and
/// size.
#[derive(Debug, Clone)]
struct Known {
    stamp: Stamp,
    hash: String,
    width: u32,
    height: u32,
    format: Format,
}

/// The images of one build, as articles find them.
pub(crate) struct Images {
    settings: ImageSettings,
    dir: Option<ContentDir>,
    /// The image files of the theme's `static/` folder, by their path in the output
    /// (`images/logo.png`): used where `content/` has no file at that path.
    theme: HashMap<PathBuf, ThemeFile>,
    cache: PathBuf,
    /// The site's root, where error excerpts read the articles from (the cache can be
    /// anywhere with `--cache-dir`).
    root: PathBuf,
    known: HashMap<PathBuf, Known>,
    /// What was probed, by the source's path (relative to the site root).
    found: Mutex<BTreeMap<PathBuf, Entry>>,
    /// The stamp of each file probed, for the next build's index.
    stamps: Mutex<HashMap<PathBuf, Stamp>>,
    /// The stamp of each file of the cache as an earlier build left it: a file that does
    /// not match (truncated, rewritten in place through a hard link of the output) is made
    /// again rather than published.
    made: HashMap<String, Stamp>,
    /// The same for this build, saved at its end.
    made_now: Mutex<HashMap<String, Stamp>>,
    /// With `--no-cache`: the fresh folder this build encodes into, removed afterwards.
    _scratch: Option<Scratch>,
}

/// A folder removed, with what it holds, when this is dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const INDEX_NAME: &str = "index.tsv";
/// The first line of the index: an index without it holds what an older gazette
/// measured (before animated WebP files were told apart) and is not used.
const INDEX_HEADER: &str = "# gazette image index 2";
/// The stamps of the cache's files (see [`Images::made`]).
const FILES_NAME: &str = "files.tsv";

/// An image of the theme's `static/` folder.
struct ThemeFile {
    /// Relative to the site root: `themes/default/static/images/logo.png` (the default
    /// theme's files are built into gazette; this is where its source keeps them).
    shown: PathBuf,
    bytes: std::borrow::Cow<'static, [u8]>,
}

/// What processing the images did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImageReport {
    /// Source images in the site.
    pub sources: usize,
    /// Files encoded in this build.
    pub encoded: usize,
    /// Files taken from the cache as they were.
    pub reused: usize,
    /// Files written to the output (made files and clean copies of sources).
    pub written: usize,
}

impl Images {
    /// The images of a site; `dir` is its content folder, `cache` the folder processed
    /// images are kept in (see [`cache_dir`]). Reads what it remembers of earlier builds.
    pub(crate) fn new(
        root: &Path,
        cache: &Path,
        dir: Option<ContentDir>,
        settings: ImageSettings,
    ) -> Images {
        let cache = cache.to_owned();
        let known = load_index(&cache.join(INDEX_NAME));
        let made = load_files(&cache.join(FILES_NAME));
        Images {
            settings,
            dir,
            theme: HashMap::new(),
            cache,
            root: root.to_owned(),
            known,
            found: Mutex::new(BTreeMap::new()),
            stamps: Mutex::new(HashMap::new()),
            made,
            made_now: Mutex::new(HashMap::new()),
            _scratch: None,
        }
    }

    /// [`Images::new`] without a cache (`--no-cache`): every file is encoded afresh, in a
    /// folder of its own inside `parent` (on the output's disk, so files are linked, not
    /// copied), made only if something is encoded (`check` makes nothing) and removed
    /// when these images are dropped.
    pub(crate) fn uncached(
        root: &Path,
        parent: &Path,
        dir: Option<ContentDir>,
        settings: ImageSettings,
    ) -> Images {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let scratch = parent.join(format!(".images-uncached-{}-{nanos}", std::process::id()));
        let mut images = Images::new(root, &scratch, dir, settings);
        images._scratch = Some(Scratch(scratch));
        images
    }

    /// The stamp of `name` if the cache holds it as this gazette made it.
    fn intact(&self, name: &str) -> Option<Stamp> {
        let expected = self.made.get(name)?;
        let meta = std::fs::metadata(self.cache.join(name)).ok()?;
        (meta.is_file() && Stamp::of(&meta).content_only() == *expected).then_some(*expected)
    }

    /// Notes the stamp of the cache file `name` (read from the disk if not given), for
    /// the next build.
    fn record_made(&self, name: &str, known: Option<Stamp>) {
        let stamp = known.or_else(|| {
            let meta = std::fs::metadata(self.cache.join(name)).ok()?;
            Some(Stamp::of(&meta).content_only())
        });
        if let Some(stamp) = stamp {
            let mut made = self.made_now.lock().expect("no thread panics holding the lock");
            made.insert(name.to_owned(), stamp);
        }
    }

    /// Adds the image files of `theme`'s `static/` folder as sources, for the site paths
    /// no file of `content/` has (`/images/logo.png`).
    pub(crate) fn with_theme(mut self, theme: &crate::theme::Theme, name: &str) -> Images {
        let folder = Path::new("themes").join(name).join("static");
        self.theme = theme
            .assets
            .iter()
            .filter(|asset| Format::from_extension(Path::new(&asset.output_path)).is_some())
            .map(|asset| {
                let inner = PathBuf::from(&asset.output_path);
                let file = ThemeFile { shown: folder.join(&inner), bytes: asset.bytes.clone() };
                (inner, file)
            })
            .collect();
        self
    }

    /// Whether this build uses an image of the theme's `static/` folder.
    pub(crate) fn uses_theme_files(&self) -> bool {
        let found = self.found.lock().expect("no thread panics holding the lock");
        found.values().any(|entry| entry.from_theme)
    }

    /// Looks up the image at the site path `address` (`/images/photo.jpg`), used by
    /// `article` at `usage`. `None` for other sites' images, files that are not images
    /// and files the content gate does not read (it reports those itself).
    pub(crate) fn find(&self, address: &str, article: &Path, usage: Usage) -> Option<Found> {
        let rel = content_rel(address)?;
        let format = Format::from_extension(&rel)?;
        let first = Use {
            article: article.to_owned(),
            line: usage.line,
            column: usage.column,
            width: usage.width,
        };
        let cached = {
            let mut found = self.found.lock().expect("no thread panics holding the lock");
            found.get_mut(&rel).map(|entry| {
                entry.note(&first, usage.lead);
                entry.result.clone()
            })
        };
        let result = match cached {
            Some(result) => result,
            None => {
                let probed = self.probe(&rel, format)?;
                let result = probed.result.map(Arc::new);
                let mut found = self.found.lock().expect("no thread panics holding the lock");
                let entry = found.entry(rel).or_insert(Entry {
                    result: result.clone(),
                    shown: probed.shown,
                    from_theme: probed.from_theme,
                    first: first.clone(),
                    lead: None,
                });
                entry.note(&first, usage.lead);
                result
            }
        };
        let picture = result.ok()?;
        Some(Found { width: picture.width, height: picture.height, picture: Some(picture) })
    }

    /// Measures and hashes one source: the file of `content/` at `rel`, or the theme's
    /// file at that path when `content/` has none. `None` when the gate does not let it
    /// be read.
    fn probe(&self, rel: &Path, format: Format) -> Option<Probed> {
        let inner = rel.strip_prefix("content").unwrap_or(rel).to_owned();
        let real = match self.dir.as_ref().map(|dir| dir.resolve(rel)) {
            Some(Ok(real)) => Some(real),
            Some(Err(Skip::Missing)) | None => None,
            // Named as an image but a folder: as unusable as a missing file (the content
            // gate reports devices and FIFOs itself, as skipped files).
            Some(Err(Skip::Folder)) => {
                let failure = Failure::Unreadable("it is a folder, not a file".into());
                return Some(Probed::content(rel, Err(failure)));
            }
            Some(Err(_)) => return None,
        };
        let Some(real) = real else {
            let Some(file) = self.theme.get(&inner) else {
                // No content folder at all: nothing of it is an image of the site.
                self.dir.as_ref()?;
                return Some(Probed::content(rel, Err(Failure::Missing)));
            };
            let result = self.measure(&file.bytes, format).map(|header| Picture {
                rel: file.shown.clone(),
                inner,
                from_theme: true,
                hash: blake3::hash(&file.bytes).to_hex().to_string(),
                width: header.width,
                height: header.height,
                format: header.format,
                bytes: file.bytes.len() as u64,
                widths: self.widths(header.width),
                avif: self.settings.avif,
                quality: self.settings.quality,
            });
            return Some(Probed { result, shown: file.shown.clone(), from_theme: true });
        };
        let meta = std::fs::metadata(&real).ok()?;
        let stamp = Stamp::of(&meta);
        if let Some(known) = self.known.get(rel)
            && known.stamp == stamp
            && u64::from(known.width) * u64::from(known.height) <= self.settings.max_pixels
        {
            self.stamps
                .lock()
                .expect("no thread panics holding the lock")
                .insert(rel.into(), stamp);
            return Some(Probed::content(
                rel,
                Ok(Picture {
                    rel: rel.to_owned(),
                    inner,
                    from_theme: false,
                    hash: known.hash.clone(),
                    width: known.width,
                    height: known.height,
                    format: known.format,
                    bytes: known.stamp.len,
                    widths: self.widths(known.width),
                    avif: self.settings.avif,
                    quality: self.settings.quality,
                }),
            ));
        }
        let dir = self.dir.as_ref()?;
        let bytes = match read_file(dir, rel) {
            Ok(bytes) => bytes,
            Err(failure) => return Some(Probed::content(rel, Err(failure))),
        };
        let header = match self.measure(&bytes, format) {
            Ok(header) => header,
            Err(failure) => return Some(Probed::content(rel, Err(failure))),
        };
        self.stamps.lock().expect("no thread panics holding the lock").insert(rel.into(), stamp);
        Some(Probed::content(
            rel,
            Ok(Picture {
                rel: rel.to_owned(),
                inner,
                from_theme: false,
                hash: blake3::hash(&bytes).to_hex().to_string(),
                width: header.width,
                height: header.height,
                format: header.format,
                bytes: bytes.len() as u64,
                widths: self.widths(header.width),
                avif: self.settings.avif,
                quality: self.settings.quality,
            }),
        ))
    }

    /// The size and format of an image file, from its header.
    fn measure(
        &self,
        bytes: &[u8],
        format: Format,
    ) -> std::result::Result<process::Header, Failure> {
        if format == Format::Svg {
            process::svg_size(bytes).map(|(width, height)| process::Header {
                format: Format::Svg,
                width,
                height,
            })
        } else {
            process::read_header(bytes, self.settings.max_pixels)
        }
    }

    /// The widths made of a picture `width` pixels wide: `images.widths`, none wider.
    fn widths(&self, width: u32) -> Vec<u32> {
        let mut widths: Vec<u32> = self.settings.widths.iter().map(|&w| w.min(width)).collect();
        widths.dedup();
        widths
    }

    /// The bytes of a source, from the theme or through the content gate.
    fn source_bytes(&self, picture: &Picture) -> std::result::Result<Vec<u8>, Failure> {
        if picture.from_theme {
            let file = self.theme.get(&picture.inner).ok_or(Failure::Missing)?;
            return Ok(file.bytes.to_vec());
        }
        let dir = self.dir.as_ref().ok_or(Failure::Missing)?;
        read_file(dir, &picture.rel)
    }

    /// Every image problem found so far, each at the first article line that uses the
    /// image. `with_missing`: a file that does not exist is reported too (`check`
    /// reports it as a broken link already).
    pub(crate) fn problems(&self, with_missing: bool) -> Vec<Diagnostic> {
        let found = self.found.lock().expect("no thread panics holding the lock");
        found
            .values()
            .filter_map(|entry| match &entry.result {
                Err(Failure::Missing) if !with_missing => None,
                Err(failure) => Some(problem(&entry.shown, &entry.first, failure)),
                Ok(picture) => {
                    let lead = entry.lead.as_ref()?;
                    Some(problem(&entry.shown, lead, &self.svg_too_large(picture)?))
                }
            })
            .collect()
    }

    /// For `check`: reads every picture as a build would (decodes it, or follows the
    /// structure of the copy it publishes), unless the cache already holds every file a
    /// build makes of it, which proves it reads. Damage deep inside a file (a broken
    /// compressed stream) is found this way, not only a file cut short. One picture per
    /// thread at a time, so memory stays that of a build.
    pub(crate) fn decode_problems(&self) -> Vec<Diagnostic> {
        let entries: Vec<(Arc<Picture>, bool, Use, PathBuf)> = {
            let found = self.found.lock().expect("no thread panics holding the lock");
            found
                .values()
                .filter_map(|e| {
                    let picture = e.result.clone().ok()?;
                    Some((picture, e.lead.is_some(), e.first.clone(), e.shown.clone()))
                })
                .collect()
        };
        entries
            .par_iter()
            .filter_map(|(picture, lead, first, shown)| {
                // Refused already (see `problems`), without drawing it.
                if *lead && self.svg_too_large(picture).is_some() {
                    return None;
                }
                let specs = picture.specs(*lead);
                if specs.iter().all(|s| self.intact(&picture.cache_name(s)).is_some()) {
                    return None;
                }
                let failure = self.read_as_built(picture, &specs).err()?;
                Some(problem(shown, first, &failure))
            })
            .collect()
    }

    /// What a build reads of `picture` to make `specs`, read and thrown away.
    fn read_as_built(&self, picture: &Picture, specs: &[Spec]) -> std::result::Result<(), Failure> {
        let bytes = self.source_bytes(picture)?;
        if specs.iter().any(|s| s.kind == SpecKind::Original) {
            clean_copy(picture, &bytes)?;
        }
        if specs.iter().any(|s| s.kind != SpecKind::Original) {
            self.source_pixels(picture, &bytes)?;
        }
        Ok(())
    }

    /// The pixels every made file is scaled from: the decoded source, or an SVG drawn
    /// at [`Picture::svg_raster_width`].
    fn source_pixels(
        &self,
        picture: &Picture,
        bytes: &[u8],
    ) -> std::result::Result<process::Pixels, Failure> {
        let max = self.settings.max_pixels;
        if picture.format == Format::Svg {
            process::rasterize_svg(bytes, picture.svg_raster_width(), max)
        } else {
            process::decode(bytes, max)
        }
    }

    /// An SVG lead image is drawn 2,400 px wide for its social image and crops: one whose
    /// shape would make that more than `images.max_pixels` is refused (a 1×100000 SVG
    /// would otherwise ask for terabytes).
    fn svg_too_large(&self, picture: &Picture) -> Option<Failure> {
        if picture.format != Format::Svg {
            return None;
        }
        let width = picture.svg_raster_width();
        let height = u64::from(picture.height) * u64::from(width) / u64::from(picture.width);
        let max = self.settings.max_pixels;
        (height * u64::from(width) > max).then(|| Failure::SvgTooLarge {
            width,
            height: u32::try_from(height).unwrap_or(u32::MAX),
            max,
        })
    }

    /// Warnings for `check`: a lead image narrower than 1200 px (social cards and
    /// search results show it blurred), and a source over 20 MB.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        const LARGE: u64 = 20_000_000;
        let found = self.found.lock().expect("no thread panics holding the lock");
        let mut warnings = Vec::new();
        for entry in found.values() {
            let Ok(picture) = &entry.result else { continue };
            let at = entry.first.location();
            let shown = display_path(&entry.shown);
            if let Some(lead) = &entry.lead
                && picture.format != Format::Svg
                && picture.width < SOCIAL_WIDTH
            {
                warnings.push(
                    Diagnostic::warning(
                        lead.location(),
                        format!(
                            "lead image `{shown}` is {} px wide: social cards and search results want at least {SOCIAL_WIDTH}",
                            picture.width
                        ),
                    )
                    .with_width(lead.width)
                    .with_hint("use a larger version of the picture"),
                );
            }
            if picture.bytes > LARGE {
                warnings.push(
                    Diagnostic::warning(
                        at,
                        format!(
                            "image `{shown}` is {:.1} MB: sources over 20 MB slow every fresh build",
                            picture.bytes as f64 / 1e6
                        ),
                    )
                    .with_width(entry.first.width)
                    .with_hint("export it at a lower quality or size before adding it"),
                );
            }
        }
        warnings
    }

    /// Whether a page of this build uses the image at `rel` (relative to the site
    /// root), whether or not it could be read.
    pub(crate) fn uses(&self, rel: &Path) -> bool {
        self.found.lock().expect("no thread panics holding the lock").contains_key(rel)
    }

    /// Every file [`Images::write`] puts in the output, relative to it.
    pub(crate) fn output_files(&self) -> Vec<String> {
        let found = self.found.lock().expect("no thread panics holding the lock");
        found
            .values()
            .filter_map(|e| Some((e.result.as_ref().ok()?, e.lead.is_some())))
            .flat_map(|(p, lead)| {
                p.specs(lead)
                    .into_iter()
                    .map(|s| display_path(&p.output_rel(&s)))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The sources processed (their clean copies replace the files of `content/`).
    pub(crate) fn processed_sources(&self) -> HashSet<PathBuf> {
        let found = self.found.lock().expect("no thread panics holding the lock");
        found
            .iter()
            .filter_map(|(rel, e)| {
                let picture = e.result.as_ref().ok()?;
                (picture.is_responsive() && !picture.from_theme).then(|| rel.clone())
            })
            .collect()
    }

    /// Makes every file of every image found (from the cache when it has them) and
    /// puts them in the output with `put` (cache file, output path). Fails, naming each
    /// file and the article line that uses it, when any image cannot be used: nothing
    /// is then published. Afterwards the cache holds only what this build used.
    pub(crate) fn write(
        &self,
        put: &(dyn Fn(&Path, &Path) -> Result<()> + Sync),
    ) -> Result<ImageReport> {
        let mut problems = self.problems(true);
        let entries: Vec<(Arc<Picture>, bool, Use)> = {
            let found = self.found.lock().expect("no thread panics holding the lock");
            found
                .values()
                .filter_map(|e| Some((e.result.clone().ok()?, e.lead.is_some(), e.first.clone())))
                .collect()
        };
        if !problems.is_empty() {
            crate::content::add_excerpts(self.root(), &mut problems);
            return Err(Error::contents(problems));
        }
        if entries.is_empty() && !self.cache.exists() {
            return Ok(ImageReport::default());
        }
        std::fs::create_dir_all(&self.cache).map_err(|e| Error::io(&self.cache, e))?;
        let encoded = AtomicUsize::new(0);
        let reused = AtomicUsize::new(0);
        let written = AtomicUsize::new(0);
        let results: Vec<std::result::Result<Vec<String>, Error>> = entries
            .par_iter()
            .map(|(picture, lead, first)| {
                let specs = picture.specs(*lead);
                let names: Vec<String> = specs.iter().map(|s| picture.cache_name(s)).collect();
                let kept: Vec<Option<Stamp>> = names.iter().map(|n| self.intact(n)).collect();
                let missing: Vec<usize> = (0..specs.len()).filter(|&i| kept[i].is_none()).collect();
                if !missing.is_empty() {
                    self.make(picture, &specs, &names, &missing).map_err(|failure| {
                        Error::content(problem(&picture.rel, first, &failure))
                    })?;
                }
                for (name, stamp) in names.iter().zip(kept) {
                    self.record_made(name, stamp);
                }
                encoded.fetch_add(missing.len(), Ordering::Relaxed);
                reused.fetch_add(specs.len() - missing.len(), Ordering::Relaxed);
                for (spec, name) in specs.iter().zip(&names) {
                    put(&self.cache.join(name), &picture.output_rel(spec))?;
                    written.fetch_add(1, Ordering::Relaxed);
                }
                Ok(names)
            })
            .collect();
        let mut used: HashSet<String> = HashSet::new();
        let mut errors = Vec::new();
        for result in results {
            match result {
                Ok(names) => used.extend(names),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            let mut diagnostics = Vec::new();
            for e in errors {
                match e {
                    Error::Content(d) => diagnostics.push(*d),
                    other => return Err(other),
                }
            }
            crate::content::add_excerpts(self.root(), &mut diagnostics);
            return Err(Error::contents(diagnostics));
        }
        self.forget_unused(&used);
        self.save_index(&entries);
        Ok(ImageReport {
            sources: entries.len(),
            encoded: encoded.into_inner(),
            reused: reused.into_inner(),
            written: written.into_inner(),
        })
    }

    fn root(&self) -> &Path {
        &self.root
    }

    /// Decodes the source once and encodes the files at `missing` into the cache.
    fn make(
        &self,
        picture: &Picture,
        specs: &[Spec],
        names: &[String],
        missing: &[usize],
    ) -> std::result::Result<(), Failure> {
        let bytes = self.source_bytes(picture)?;
        if blake3::hash(&bytes).to_hex().as_str() != picture.hash {
            // Changed since it was measured: the pages would name the wrong files.
            return Err(Failure::Unreadable("it changed during the build".into()));
        }
        let mut pixels: Option<process::Pixels> = None;
        // Largest first: each page width is scaled from the next larger page width (same
        // shape, fewer pixels to read; see `Picture::parent`), and the WebP and fallback of
        // one size share their pixels. Every resize is made, even of files the cache has,
        // so a file's bytes never depend on which others were missing.
        let needs_pixels = missing.iter().any(|&i| specs[i].kind != SpecKind::Original);
        let mut order: Vec<usize> = (0..specs.len())
            .filter(|&i| {
                missing.contains(&i) || (needs_pixels && specs[i].kind == SpecKind::Resize)
            })
            .collect();
        order.sort_by_key(|&i| {
            (specs[i].kind != SpecKind::Resize, std::cmp::Reverse(specs[i].size))
        });
        // The pixels of the last page width made, and of the last file made.
        let mut chain: Option<process::Pixels> = None;
        let mut previous: Option<process::Pixels> = None;
        for i in order {
            let spec = &specs[i];
            let data = if spec.kind == SpecKind::Original {
                clean_copy(picture, &bytes)?
            } else {
                if pixels.is_none() {
                    pixels = Some(self.source_pixels(picture, &bytes)?);
                }
                let source = pixels.as_ref().expect("decoded above");
                let same = previous.as_ref().filter(|p| (p.width, p.height) == spec.size);
                if same.is_none() {
                    let from = match (spec.kind, picture.parent(spec), &chain) {
                        (SpecKind::Resize, Some(width), Some(c)) if c.width == width => c,
                        _ => source,
                    };
                    let scaled = process::resize(from, spec);
                    if spec.kind == SpecKind::Resize && picture.widths.contains(&spec.size.0) {
                        chain = Some(process::Pixels { data: scaled.data.clone(), ..scaled });
                    }
                    previous = Some(scaled);
                }
                if !missing.contains(&i) {
                    continue;
                }
                let current = previous.as_ref().expect("set above");
                process::encode(current, spec, self.settings.quality).map_err(Failure::Corrupt)?
            };
            self.store(&names[i], &data).map_err(|e| Failure::Unreadable(e.to_string()))?;
        }
        Ok(())
    }

    /// Writes a cache file whole: under a temporary name, then renamed. Two sources with
    /// the same bytes make the same files at the same time: each write has a temporary
    /// name of its own, so neither renames the other's half-written file.
    fn store(&self, name: &str, data: &[u8]) -> std::io::Result<()> {
        static WRITES: AtomicUsize = AtomicUsize::new(0);
        let path = self.cache.join(name);
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let temporary = self.cache.join(format!(".{name}.{}.{n}.part", std::process::id()));
        std::fs::write(&temporary, data)?;
        std::fs::rename(&temporary, &path)
    }

    /// Removes the cache files this build did not use.
    fn forget_unused(&self, used: &HashSet<String>) {
        let Ok(entries) = std::fs::read_dir(&self.cache) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != INDEX_NAME
                && name != FILES_NAME
                && !used.contains(&name)
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn save_index(&self, entries: &[(Arc<Picture>, bool, Use)]) {
        let stamps = self.stamps.lock().expect("no thread panics holding the lock");
        let mut text = format!("{INDEX_HEADER}\n");
        for (picture, _, _) in entries {
            let Some(stamp) = stamps.get(&picture.rel) else { continue };
            let Some(rel) = picture.rel.to_str().filter(|r| !r.contains(['\t', '\n'])) else {
                continue;
            };
            text.push_str(&format!(
                "{rel}\t{stamp}\t{}\t{}\t{}\t{}\n",
                picture.hash,
                picture.width,
                picture.height,
                picture.format.name()
            ));
        }
        let _ = self.store(INDEX_NAME, text.as_bytes());
        let made = self.made_now.lock().expect("no thread panics holding the lock");
        let mut names: Vec<_> = made.iter().collect();
        names.sort_by(|a, b| a.0.cmp(b.0));
        let text: String = names.iter().map(|(name, stamp)| format!("{name}\t{stamp}\n")).collect();
        let _ = self.store(FILES_NAME, text.as_bytes());
    }
}

impl Use {
    fn location(&self) -> Location {
        Location::new(&self.article, self.line).with_column(self.column)
    }
}

/// The error for an image that cannot be used, at the article line that uses it.
fn problem(rel: &Path, first: &Use, failure: &Failure) -> Diagnostic {
    let shown = display_path(rel);
    let (message, hint) = match failure {
        Failure::Missing => (
            format!("image `{shown}` does not exist"),
            "add the file, or fix the address".to_owned(),
        ),
        Failure::NotAnImage => (
            format!("image `{shown}` is not a JPEG, PNG, WebP or GIF file"),
            "replace it with the picture itself, saved in one of those formats".to_owned(),
        ),
        Failure::TooLarge { width, height, max } => (
            format!(
                "image `{shown}` is {width}×{height} pixels, more than `images.max_pixels` ({max}): refused before decoding"
            ),
            "resize it before adding it, or raise `images.max_pixels` in site.yaml".to_owned(),
        ),
        Failure::SvgTooLarge { width, height, max } => (
            format!(
                "lead image `{shown}` would be drawn {width}×{height} pixels for social cards, more than `images.max_pixels` ({max})"
            ),
            "use a JPEG or PNG lead image, or an SVG closer to a photo's shape".to_owned(),
        ),
        Failure::Corrupt(reason) => (
            format!("image `{shown}` cannot be decoded: {reason}"),
            "the file may be truncated or damaged: export it again from the original".to_owned(),
        ),
        Failure::Unreadable(reason) => (
            format!("image `{shown}` cannot be read: {reason}"),
            "check the file, then build again".to_owned(),
        ),
    };
    Diagnostic::error(first.location(), message).with_width(first.width).with_hint(hint)
}

/// `content/images/photo.jpg` for the site path `/images/photo.jpg`; `None` for an
/// address that is not a plain site path.
fn content_rel(address: &str) -> Option<PathBuf> {
    let rest = address.strip_prefix('/')?;
    if rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next()?;
    let rest = crate::url::percent_decode(rest); // `my%20photo.jpg` is `my photo.jpg`
    let path = Path::new(rest.as_ref());
    if rest.is_empty() || !path.components().all(|c| matches!(c, std::path::Component::Normal(_))) {
        return None;
    }
    Some(Path::new("content").join(path))
}

/// Reads a source through the content gate.
fn read_file(dir: &ContentDir, rel: &Path) -> std::result::Result<Vec<u8>, Failure> {
    use std::io::Read;
    let mut file = dir.open_file(rel).map_err(|e| Failure::Unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| Failure::Unreadable(e.to_string()))?;
    Ok(bytes)
}

fn load_index(path: &Path) -> HashMap<PathBuf, Known> {
    let Ok(text) = std::fs::read_to_string(path) else { return HashMap::new() };
    let mut lines = text.lines();
    if lines.next() != Some(INDEX_HEADER) {
        return HashMap::new();
    }
    lines
        .filter_map(|line| {
            let mut f = line.split('\t');
            let rel = PathBuf::from(f.next()?);
            let known = Known {
                stamp: Stamp::parse(&mut f)?,
                hash: f.next().filter(|h| h.len() == 64)?.to_owned(),
                width: f.next()?.parse().ok().filter(|w| *w > 0)?,
                height: f.next()?.parse().ok().filter(|h| *h > 0)?,
                format: Format::parse(f.next()?)?,
            };
            Some((rel, known))
        })
        .collect()
}

fn load_files(path: &Path) -> HashMap<String, Stamp> {
    let Ok(text) = std::fs::read_to_string(path) else { return HashMap::new() };
    text.lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let name = f.next()?.to_owned();
            Some((name, Stamp::parse(&mut f)?))
        })
        .collect()
}

/// The source's own bytes without metadata (a JPEG keeps its orientation), published at
/// its own address.
fn clean_copy(picture: &Picture, bytes: &[u8]) -> std::result::Result<Vec<u8>, Failure> {
    let orientation =
        if picture.format == Format::Jpeg { strip::jpeg_orientation(bytes) } else { 1 };
    strip::strip(bytes, picture.format, orientation)
        .ok_or_else(|| Failure::Corrupt("its structure cannot be followed".into()))
}

/// The HTML of a picture in a page: a WebP `<source>` and an `<img>` in the source's
/// format, both with every width, so browsers download the smallest that fits.
/// `base_path` prefixes every address (`/` or `/news/`); `eager`: the page's first
/// picture, loaded at once (`fetchpriority="high"`) instead of when scrolled to.
pub fn render_picture(
    picture: &Picture,
    alt: &str,
    title: Option<&str>,
    base_path: &str,
    sizes: &str,
    eager: bool,
) -> String {
    use pulldown_cmark_escape::{escape_href, escape_html};
    let link = |path: &str| format!("{base_path}{}", path.trim_start_matches('/'));
    let srcset = |variants: &[Variant]| {
        let mut out = String::new();
        for (i, v) in variants.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            escape_href(&mut out, &link(&v.path)).expect("String writes cannot fail");
            out.push_str(&format!(" {}w", v.width));
        }
        out
    };
    let fallbacks = picture.fallbacks();
    let largest = fallbacks.last().expect("every picture has at least one width");
    let mut html = String::from("<picture>");
    let avif = picture.avif();
    if !avif.is_empty() {
        html.push_str("<source type=\"image/avif\" srcset=\"");
        html.push_str(&srcset(&avif));
        html.push_str(&format!("\" sizes=\"{sizes}\">"));
    }
    html.push_str("<source type=\"image/webp\" srcset=\"");
    html.push_str(&srcset(&picture.webp()));
    html.push_str(&format!("\" sizes=\"{sizes}\"><img src=\""));
    escape_href(&mut html, &link(&largest.path)).expect("String writes cannot fail");
    html.push_str("\" srcset=\"");
    html.push_str(&srcset(&fallbacks));
    html.push_str(&format!(
        "\" sizes=\"{sizes}\" width=\"{}\" height=\"{}\" alt=\"",
        largest.width, largest.height
    ));
    escape_html(&mut html, alt).expect("String writes cannot fail");
    html.push('"');
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        html.push_str(" title=\"");
        escape_html(&mut html, title).expect("String writes cannot fail");
        html.push('"');
    }
    if eager {
        html.push_str(" fetchpriority=\"high\" decoding=\"async\"></picture>");
    } else {
        html.push_str(" loading=\"lazy\" decoding=\"async\"></picture>");
    }
    html
}

#[cfg(test)]
mod tests;
