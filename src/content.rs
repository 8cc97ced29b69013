//! Walks `content/`: the articles to parse and the files to copy as they are.
//!
//! Every path that reads a file of `content/` (build, check, serve's rebuilds, image
//! measuring, the copy into the output) goes through one gate, [`resolve_content_file`]
//! and [`open_regular`]: only regular files whose real path is inside the content folder
//! and outside hidden folders are read, and never a device, FIFO or socket (issue 22).

mod svg;

use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::text_file::{open_regular, read_text_from};

/// What `content/` holds, in sorted order so builds are deterministic.
#[derive(Debug, Default)]
pub(crate) struct ContentFiles {
    /// Markdown articles, relative to the site root (`content/world/talks.md`).
    pub articles: Vec<PathBuf>,
    /// Other files, relative to the site root; copied to the same path under `content/`.
    pub assets: Vec<PathBuf>,
    /// Files skipped for a reason the writer should know (a symlink leaving the site).
    pub warnings: Vec<Diagnostic>,
    /// The content folder, resolved once for every read of the build; `None` when the
    /// site has none.
    pub dir: Option<ContentDir>,
}

/// Whether the file at `path` is an article: `.md` in any case, or `.markdown`.
pub(crate) fn is_article(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Why a file of `content/` is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// No such file (deleted, or a symlink to nothing).
    Missing,
    /// The path is not a plain path under `content/`, or names a hidden or editor file.
    NotContent,
    /// A symlink whose target is outside the site folder.
    OutsideSite,
    /// A symlink whose target is inside the site but outside `content/`.
    OutsideContent,
    /// A symlink whose target is in a hidden folder, or is a hidden file.
    Hidden,
    /// A symlink to a folder.
    Folder,
    /// A device, FIFO or socket (or a symlink to one).
    Special,
}

impl Skip {
    /// The error for a file that was to be read but may not be (or is gone).
    pub(crate) fn into_error(self, rel: &Path) -> Error {
        match self.warning(rel) {
            Some(mut d) => {
                d.severity = crate::error::Severity::Error;
                d.message = d.message.replacen("skipped", "refused", 1);
                Error::content(d)
            }
            None => Error::io(rel, std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }

    /// The warning shown for a file skipped for this reason, if the writer should know.
    pub(crate) fn warning(self, rel: &Path) -> Option<Diagnostic> {
        let at = Location::new(rel, 1);
        let diagnostic = match self {
            Skip::Missing | Skip::NotContent => return None,
            Skip::OutsideSite => {
                Diagnostic::warning(at, "symlink skipped: it points outside the site folder")
                    .with_hint("copy the file into `content/` instead")
            }
            Skip::OutsideContent => {
                Diagnostic::warning(at, "symlink skipped: it points outside `content/`")
                    .with_hint("copy the file into `content/` instead")
            }
            Skip::Hidden => Diagnostic::warning(
                at,
                "symlink skipped: it points into a hidden folder or at a hidden file",
            )
            .with_hint("hidden folders (`.git`, `.env`) are never published"),
            Skip::Folder => Diagnostic::warning(
                at,
                "symlinked folder skipped: gazette follows only symlinks to files",
            ),
            Skip::Special => Diagnostic::warning(
                at,
                "skipped: not a regular file (a device, FIFO or socket is never read)",
            ),
        };
        Some(diagnostic)
    }
}

/// The content folder of a site, resolved once: where its files may really live.
#[derive(Debug, Clone)]
pub(crate) struct ContentDir {
    /// The site root's real path.
    real_root: PathBuf,
    /// `content/`'s real path: inside `real_root`, never `real_root` itself.
    real: PathBuf,
    /// `real`, opened once (`None` if it could not be): the stamps of the articles the
    /// walk found are read relative to it (see [`ContentDir::walked_stamp`]).
    folder: Option<std::sync::Arc<rustix::fd::OwnedFd>>,
}

impl ContentDir {
    /// Resolves `<root>/content`: `Ok(None)` when there is none (an empty site). A
    /// symlinked `content/` is followed only to a folder inside the site, not hidden.
    pub(crate) fn open(root: &Path) -> Result<Option<ContentDir>> {
        let content = root.join("content");
        match fs::symlink_metadata(&content) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("content", e)),
            Ok(_) => {}
        }
        let real_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let refuse = |why: &str| {
            Err(Error::content(
                Diagnostic::error(Location::new("content", 1), why.to_owned())
                    .with_hint("move the folder into the site, or make `content/` a plain folder"),
            ))
        };
        let real = match content.canonicalize() {
            Ok(real) => real,
            Err(_) => return refuse("`content` is a symlink to nothing"),
        };
        if !real.starts_with(&real_root) {
            return refuse(
                "`content` is a symlink to a folder outside the site: gazette follows it only \
                 inside the site folder",
            );
        }
        let inside = real.strip_prefix(&real_root).expect("checked above");
        if inside.as_os_str().is_empty() {
            return refuse("`content` is a symlink to the site folder itself");
        }
        if is_hidden(inside) {
            return refuse("`content` is a symlink into a hidden folder");
        }
        if !real.is_dir() {
            return refuse("`content` is not a folder");
        }
        let folder = crate::cache::open_folder(&real).map(std::sync::Arc::new);
        Ok(Some(ContentDir { real_root, real, folder }))
    }

    /// The real path of the file at `rel` (relative to the site root, under `content/`),
    /// when it may be read: a regular file whose real path is inside `content/` and not
    /// in a hidden folder. Symlinks are followed to see where they lead.
    pub(crate) fn resolve(&self, rel: &Path) -> std::result::Result<PathBuf, Skip> {
        let Ok(inner) = rel.strip_prefix("content") else { return Err(Skip::NotContent) };
        if inner.as_os_str().is_empty()
            || !inner.components().all(|c| matches!(c, Component::Normal(_)))
            || inner.components().any(|c| is_ignored(c.as_os_str()))
        {
            return Err(Skip::NotContent);
        }
        let real = match self.real.join(inner).canonicalize() {
            Ok(real) => real,
            Err(_) => return Err(Skip::Missing),
        };
        match real.strip_prefix(&self.real) {
            Ok(inside) if is_hidden(inside) => return Err(Skip::Hidden),
            Ok(_) => {}
            Err(_) => {
                return Err(match real.strip_prefix(&self.real_root) {
                    Ok(inside) if is_hidden(inside) => Skip::Hidden,
                    Ok(_) => Skip::OutsideContent,
                    Err(_) => Skip::OutsideSite,
                });
            }
        }
        // The real path has no symlink left: this is the file's own type.
        match fs::metadata(&real) {
            Ok(meta) if meta.is_file() => Ok(real),
            Ok(meta) if meta.is_dir() => Err(Skip::Folder),
            Ok(_) => Err(Skip::Special),
            Err(_) => Err(Skip::Missing),
        }
    }
}

impl ContentDir {
    /// Opens the file at `rel` (relative to the site root) through the gate: an error
    /// naming the file when it may not be read.
    pub(crate) fn open_file(&self, rel: &Path) -> Result<fs::File> {
        let real = self.resolve(rel).map_err(|skip| skip.into_error(rel))?;
        open_regular(&real).map_err(|e| Error::io(rel, e))
    }

    /// Reads an article as UTF-8 text; `rel` is relative to the site root.
    pub(crate) fn load_article(&self, rel: &Path) -> Result<String> {
        read_text_from(self.open_file(rel)?, rel)
    }

    /// The stamp of the article `rel` where the walk found it (what
    /// [`Self::load_walked_article`] reads first), to tell whether it changed since the
    /// last build (issue 15). Read in `content/` opened once: the kernel walks only the
    /// path inside it, a third of a 100,000-article edit's `stat` time.
    pub(crate) fn walked_stamp(&self, rel: &Path) -> Option<crate::cache::parse::Stamp> {
        let inner = rel.strip_prefix("content").ok()?;
        match &self.folder {
            Some(folder) => crate::cache::parse::Stamp::in_folder(folder, inner),
            None => crate::cache::parse::Stamp::of(&self.real.join(inner)),
        }
    }

    /// Like [`ContentDir::load_article`], for an article listed by [`walk_content`]: a
    /// file the walk met as a regular file, in folders it met as folders (it follows no
    /// link), is opened where it was seen, without following a symlink put in its
    /// place, and without resolving its path again (a build of 10,000 articles saves
    /// 100,000 system calls). Anything else is resolved as usual.
    pub(crate) fn load_walked_article(&self, rel: &Path) -> Result<String> {
        let seen = rel.strip_prefix("content").map(|inner| self.real.join(inner));
        match seen.map(|path| open_regular(&path)) {
            Ok(Ok(file)) => read_text_from(file, rel),
            _ => self.load_article(rel),
        }
    }

    /// Width and height of an image of the site, from its file's header: `site_path` is
    /// the address written in content (`/images/chart.png`), served from `content/`.
    /// `None` for other sites' images and files that cannot be read or measured. The
    /// file goes through the gate: a symlink leaving `content/` or to a device is not
    /// read, and an SVG is read only as far as its root element.
    pub(crate) fn image_size(&self, site_path: &str) -> Option<(u32, u32)> {
        let rel = site_path.strip_prefix('/')?;
        let rel = rel.split(['?', '#']).next()?;
        let rel = crate::url::percent_decode(rel);
        let path = Path::new(rel.as_ref());
        if rel.is_empty()
            || rel.starts_with('/')
            || !path.components().all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let real = self.resolve(&Path::new("content").join(path)).ok()?;
        let file = open_regular(&real).ok()?;
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
            let mut head = Vec::new();
            file.take(4096).read_to_end(&mut head).ok()?;
            return svg_size(&head);
        }
        let size = imagesize::reader_size(std::io::BufReader::new(file)).ok()?;
        Some((u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?))
    }
}

/// The real path of the file at `rel` (relative to `root`, under `content/`), when it
/// may be read: see [`ContentDir::resolve`]. The one gate every reader of content uses.
pub(crate) fn resolve_content_file(root: &Path, rel: &Path) -> std::result::Result<PathBuf, Skip> {
    match ContentDir::open(root) {
        Ok(Some(dir)) => dir.resolve(rel),
        _ => Err(Skip::Missing),
    }
}

/// Opens the content file at `rel` (relative to `root`) through the gate: an error
/// naming the file when it may not be read.
pub(crate) fn open_content_file(root: &Path, rel: &Path) -> Result<fs::File> {
    match ContentDir::open(root)? {
        Some(dir) => dir.open_file(rel),
        None => Err(Skip::Missing.into_error(rel)),
    }
}

/// Lists `<root>/content`. A missing folder is an empty site, not an error.
pub(crate) fn walk_content(root: &Path) -> Result<ContentFiles> {
    let mut files = ContentFiles::default();
    let Some(dir) = ContentDir::open(root)? else { return Ok(files) };
    files.dir = Some(dir.clone());
    // The real folder is walked, so a symlinked `content/` is read where it leads; paths
    // are still named `content/…`.
    let walker = walkdir::WalkDir::new(&dir.real)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().map_or_else(|| PathBuf::from("content"), |p| dir.shown(p));
            Error::io(
                path,
                e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk failed")),
            )
        })?;
        if entry.depth() == 0 {
            continue;
        }
        let rel = dir.shown(entry.path());
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        // A regular file met by a walk that follows no link is inside `content/`; a
        // symlink is resolved to see where it leads.
        if !file_type.is_file() {
            let skip =
                if file_type.is_symlink() { dir.resolve(&rel).err() } else { Some(Skip::Special) };
            if let Some(skip) = skip {
                files.warnings.extend(skip.warning(&rel));
                continue;
            }
        }
        if is_article(&rel) {
            files.articles.push(rel);
        } else {
            files.assets.push(rel);
        }
    }
    Ok(files)
}

impl ContentDir {
    /// `content/…` for a path under the real content folder.
    fn shown(&self, path: &Path) -> PathBuf {
        Path::new("content").join(path.strip_prefix(&self.real).unwrap_or(path))
    }
}

/// File types that are web pages: with `markdown.unsafe_html: false` they are refused.
const PAGE_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "xht", "shtml", "svgz"];

/// File types a browser renders as XML (and runs the scripts of): published with
/// `markdown.unsafe_html: false` only when they hold nothing that could run script.
const CHECKED_EXTENSIONS: &[&str] = &["svg", "xml", "xsl", "xslt"];

/// For a site that does not trust its contributors (`markdown.unsafe_html: false`):
/// the error that refuses the content file at `rel`, when a browser could run script
/// from it. HTML pages are refused; SVG and XML files are parsed and refused if they
/// hold a script, an event handler, `foreignObject` or a `javascript:` URL.
pub(crate) fn check_untrusted_file(root: &Path, rel: &Path) -> Option<Error> {
    let extension = rel.extension()?.to_string_lossy().to_ascii_lowercase();
    let hint = "set `markdown.unsafe_html: true` in site.yaml only if every contributor is trusted";
    if PAGE_EXTENSIONS.contains(&extension.as_str()) {
        return Some(Error::content(
            Diagnostic::error(
                Location::new(rel, 1),
                format!(
                    "`.{extension}` files are not published when `markdown.unsafe_html` is off"
                ),
            )
            .with_hint(format!("write the page as a Markdown article instead, or {hint}")),
        ));
    }
    if !CHECKED_EXTENSIONS.contains(&extension.as_str()) {
        return None;
    }
    let mut bytes = Vec::new();
    if let Err(e) = open_content_file(root, rel)
        .and_then(|mut file| file.read_to_end(&mut bytes).map_err(|e| Error::io(rel, e)))
    {
        return Some(e);
    }
    let kind = if extension == "svg" { "SVG" } else { "XML file" };
    let found = match std::str::from_utf8(&bytes) {
        Ok(text) => svg::find_unsafe(text)?,
        Err(_) => svg::Unsafe {
            line: 1,
            column: 1,
            reason: "it is not UTF-8 text, so it cannot be checked".to_owned(),
        },
    };
    Some(Error::content(
        Diagnostic::error(
            Location::new(rel, found.line).with_column(found.column),
            format!("this {kind} could run script in readers' browsers: {}", found.reason),
        )
        .with_hint(format!("remove it from the file, or {hint}")),
    ))
}

/// Dot files, editor backups and swap files are never content.
fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.starts_with('#')
}

/// Whether a relative path goes through a hidden folder or names a hidden file.
fn is_hidden(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Reads an article as UTF-8 text; `rel` is relative to `root`.
pub(crate) fn load_article(root: &Path, rel: &Path) -> Result<String> {
    read_text_from(open_content_file(root, rel)?, rel)
}

/// Adds the source line to each diagnostic that has none, reading and indexing each file
/// once: a file with many messages costs one pass over it, not one per message (issue 22).
pub(crate) fn add_excerpts(root: &Path, diagnostics: &mut [crate::error::Diagnostic]) {
    use crate::error::{Diagnostic, LineIndex};
    let mut texts: std::collections::HashMap<PathBuf, Option<String>> =
        std::collections::HashMap::new();
    for d in diagnostics.iter().filter(|d| d.excerpt.is_none() && d.at.line > 0) {
        texts.entry(d.at.path.clone()).or_insert_with(|| {
            std::fs::read(root.join(&d.at.path))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        });
    }
    let indexes: std::collections::HashMap<&PathBuf, LineIndex<'_>> = texts
        .iter()
        .filter_map(|(path, text)| Some((path, LineIndex::new(text.as_deref()?))))
        .collect();
    for d in diagnostics.iter_mut().filter(|d| d.excerpt.is_none() && d.at.line > 0) {
        if let Some(index) = indexes.get(&d.at.path) {
            let width = d.width.map(|w| w as usize);
            *d = std::mem::replace(d, Diagnostic::error(d.at.clone(), ""))
                .with_excerpt_in(index, 1, width);
        }
    }
}

/// Width and height of an image of the site: see [`ContentDir::image_size`].
pub(crate) fn image_size(root: &Path, site_path: &str) -> Option<(u32, u32)> {
    ContentDir::open(root).ok()??.image_size(site_path)
}

/// An SVG's size from the `width` and `height` of its root element, else its `viewBox`.
fn svg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    let start = head.find("<svg")?;
    let tag = &head[start..start + head[start..].find('>')?];
    let attr = |name: &str| -> Option<f64> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        value.trim_end_matches("px").trim().parse().ok()
    };
    let (width, height) = match (attr("width"), attr("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let at = tag.find(" viewBox=\"")? + " viewBox=\"".len();
            let values: Vec<f64> = tag[at..at + tag[at..].find('"')?]
                .split([' ', ','])
                .filter(|v| !v.is_empty())
                .filter_map(|v| v.parse().ok())
                .collect();
            (*values.get(2)?, *values.get(3)?)
        }
    };
    (width >= 1.0 && height >= 1.0).then(|| (width.round() as u32, height.round() as u32))
}
