//! Walks `content/`: the articles to parse and the files to copy as they are.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::text_file::read_text;

/// What `content/` holds, in sorted order so builds are deterministic.
#[derive(Debug, Default)]
pub(crate) struct ContentFiles {
    /// Markdown articles, relative to the site root (`content/world/talks.md`).
    pub articles: Vec<PathBuf>,
    /// Other files, relative to the site root; copied to the same path under `content/`.
    pub assets: Vec<PathBuf>,
    /// Files skipped for a reason the writer should know (a symlink leaving the site).
    pub warnings: Vec<Diagnostic>,
}

/// Lists `<root>/content`. A missing folder is an empty site, not an error.
pub(crate) fn walk_content(root: &Path) -> Result<ContentFiles> {
    let content = root.join("content");
    let mut files = ContentFiles::default();
    if !content.exists() {
        return Ok(files);
    }
    let canonical_root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let walker = walkdir::WalkDir::new(&content)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored(e.file_name()));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(&content).to_owned();
            Error::io(
                relative(root, &path),
                e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk failed")),
            )
        })?;
        let rel = relative(root, entry.path());
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) && target.is_file() => {}
                Ok(target) if target.starts_with(&canonical_root) => {
                    files.warnings.push(Diagnostic::warning(
                        Location::new(&rel, 1),
                        "symlinked folder skipped: gazette follows only symlinks to files",
                    ));
                    continue;
                }
                _ => {
                    files.warnings.push(
                        Diagnostic::warning(
                            Location::new(&rel, 1),
                            "symlink skipped: it points outside the site folder",
                        )
                        .with_hint("copy the file into `content/` instead"),
                    );
                    continue;
                }
            }
        } else if !file_type.is_file() {
            continue;
        }
        if rel.extension().is_some_and(|e| e == "md") {
            files.articles.push(rel);
        } else {
            files.assets.push(rel);
        }
    }
    Ok(files)
}

/// Dot files, editor backups and swap files are never content.
fn is_ignored(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.starts_with('#')
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_owned()
}

/// Reads an article as UTF-8 text; `rel` is relative to `root`.
pub(crate) fn load_article(root: &Path, rel: &Path) -> Result<String> {
    read_text(&root.join(rel), rel)
}

/// Adds the source line to each diagnostic that has none, reading each file once.
pub(crate) fn add_excerpts(root: &Path, diagnostics: &mut [crate::error::Diagnostic]) {
    let mut files: std::collections::HashMap<PathBuf, Option<String>> =
        std::collections::HashMap::new();
    for d in diagnostics.iter_mut().filter(|d| d.excerpt.is_none() && d.at.line > 0) {
        let text = files.entry(d.at.path.clone()).or_insert_with(|| {
            std::fs::read(root.join(&d.at.path))
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
        });
        if let Some(text) = text {
            let width = d.width.map(|w| w as usize);
            *d = std::mem::replace(d, crate::error::Diagnostic::error(d.at.clone(), ""))
                .with_excerpt_from(text, 1, width);
        }
    }
}

/// Width and height of an image of the site, from its file's header: `site_path` is
/// the address written in content (`/images/chart.png`), served from `content/`. `None`
/// for other sites' images and files that cannot be read or measured.
pub(crate) fn image_size(root: &Path, site_path: &str) -> Option<(u32, u32)> {
    let rel = site_path.strip_prefix('/')?;
    let rel = rel.split(['?', '#']).next()?;
    let path = Path::new(rel);
    if rel.is_empty()
        || rel.starts_with('/')
        || !path.components().all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return None;
    }
    let file = root.join("content").join(path);
    if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        return svg_size(&std::fs::read(&file).ok()?);
    }
    let size = imagesize::size(&file).ok()?;
    Some((u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?))
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
