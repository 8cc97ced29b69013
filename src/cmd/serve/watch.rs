//! Watching the site: which changes on disk mean what for the next build.

use std::path::{Path, PathBuf};

use crate::pipeline::Changes;

/// Where a site's watched files live.
#[derive(Debug, Clone)]
pub(crate) struct Watched {
    /// The site folder, as the watcher reports paths (canonical).
    pub root: PathBuf,
    /// `themes/<name>` of the configured theme.
    pub theme: PathBuf,
}

impl Watched {
    pub(crate) fn new(root: &Path, theme_name: &str) -> Watched {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_owned());
        let theme = root.join("themes").join(theme_name);
        Watched { root, theme }
    }

    /// Sorts the paths a watcher reported into the changes a rebuild understands.
    /// Anything it cannot place safely (a folder appearing or moving under `content/`)
    /// asks for a full rebuild, like `site.yaml` does.
    pub(crate) fn classify<'a>(&self, paths: impl IntoIterator<Item = &'a Path>) -> Changes {
        let mut changes = Changes::default();
        let content = self.root.join("content");
        for path in paths {
            if path == self.root.join(crate::config::CONFIG_FILE)
                || path == self.root.join(crate::config::AUTHORS_FILE)
                // Translations show on every page (issue 19).
                || path.starts_with(self.root.join(crate::i18n::FOLDER))
            {
                changes.config = true;
            } else if let Ok(rel) = path.strip_prefix(&content) {
                if rel.as_os_str().is_empty() || ignored(rel) {
                    continue;
                }
                if path.is_dir() {
                    changes.config = true; // a folder of articles came or went
                } else if crate::content::is_article(path) {
                    changes.articles.insert(Path::new("content").join(rel));
                } else {
                    changes.assets.insert(Path::new("content").join(rel));
                }
            } else if let Ok(rel) = path.strip_prefix(self.theme.join("templates")) {
                if !rel.as_os_str().is_empty() && !ignored(rel) && !path.is_dir() {
                    changes.templates.insert(crate::error::display_path(rel));
                }
            } else if let Ok(rel) = path.strip_prefix(self.theme.join("static")) {
                if !ignored(rel) {
                    changes.theme_static = true;
                }
            } else if path.starts_with(self.root.join("themes"))
                && self.theme.join("templates").starts_with(path)
            {
                changes.config = true; // the theme folder itself came or went
            }
        }
        changes
    }
}

/// Editor backups, swap files and hidden files never count.
fn ignored(rel: &Path) -> bool {
    rel.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.')
            || name.ends_with('~')
            || name.ends_with(".swp")
            || name.ends_with(".swx")
            || name.starts_with('#')
            || name == "4913"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Watched) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/world")).unwrap();
        std::fs::create_dir_all(dir.path().join("themes/default/templates/partials")).unwrap();
        std::fs::create_dir_all(dir.path().join("themes/default/static")).unwrap();
        let watched = Watched::new(dir.path(), "default");
        (dir, watched)
    }

    fn classify(watched: &Watched, rels: &[&str]) -> Changes {
        let paths: Vec<PathBuf> = rels.iter().map(|r| watched.root.join(r)).collect();
        watched.classify(paths.iter().map(PathBuf::as_path))
    }

    #[test]
    fn article_edits_are_articles() {
        let (_dir, w) = site();
        let c = classify(&w, &["content/world/talks.md", "content/a.md"]);
        assert_eq!(
            c.articles.iter().map(|p| p.to_str().unwrap()).collect::<Vec<_>>(),
            ["content/a.md", "content/world/talks.md"]
        );
        assert!(!c.config && c.templates.is_empty() && !c.theme_static && c.assets.is_empty());
    }

    #[test]
    fn markdown_in_any_case_is_an_article() {
        let (_dir, w) = site();
        let c = classify(&w, &["content/Draft.MD", "content/plan.markdown", "content/b.Md"]);
        assert_eq!(c.articles.len(), 3, "{c:?}");
        assert!(c.assets.is_empty());
    }

    #[test]
    fn other_content_files_are_assets() {
        let (_dir, w) = site();
        let c = classify(&w, &["content/images/chart.png"]);
        assert_eq!(
            c.assets.iter().map(|p| p.to_str().unwrap()).collect::<Vec<_>>(),
            ["content/images/chart.png"]
        );
        assert!(c.articles.is_empty());
    }

    #[test]
    fn editor_droppings_are_ignored() {
        let (_dir, w) = site();
        let c = classify(
            &w,
            &[
                "content/.talks.md.swp",
                "content/talks.md~",
                "content/4913",
                "content/.hidden/a.md",
                "content/#talks.md#",
            ],
        );
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn templates_are_named_and_static_files_flagged() {
        let (_dir, w) = site();
        let c = classify(
            &w,
            &[
                "themes/default/templates/article.html",
                "themes/default/templates/partials/toc.html",
            ],
        );
        assert_eq!(
            c.templates.iter().map(String::as_str).collect::<Vec<_>>(),
            ["article.html", "partials/toc.html"]
        );
        let c = classify(&w, &["themes/default/static/style.css"]);
        assert!(c.theme_static && c.templates.is_empty());
    }

    #[test]
    fn shortcode_templates_are_templates_the_session_reads_articles_again_for() {
        let (_dir, w) = site();
        let c = classify(&w, &["themes/default/templates/shortcodes/factbox.html"]);
        assert_eq!(
            c.templates.iter().map(String::as_str).collect::<Vec<_>>(),
            ["shortcodes/factbox.html"]
        );
        assert!(c.templates.iter().all(|t| t.starts_with(crate::theme::shortcodes::FOLDER)));
    }

    #[test]
    fn config_and_folders_ask_for_a_full_rebuild() {
        let (_dir, w) = site();
        assert!(classify(&w, &["site.yaml"]).config);
        assert!(classify(&w, &["authors.yaml"]).config, "author profiles show on many pages");
        assert!(classify(&w, &["i18n/fr.yaml"]).config, "translations show on every page");
        assert!(classify(&w, &["i18n"]).config, "an i18n folder appearing");
        assert!(classify(&w, &["content/world"]).config, "an existing folder under content/");
        assert!(classify(&w, &["themes"]).config, "a themes folder appearing");
        assert!(classify(&w, &["themes/default"]).config);
        assert!(!classify(&w, &[""]).config, "the site folder itself is no change");
    }

    #[test]
    fn the_output_and_other_themes_are_not_watched_changes() {
        let (_dir, w) = site();
        let c = classify(
            &w,
            &[
                "output/index.html",
                ".output.staging-1/index.html",
                "themes/other/templates/article.html",
                "README.md",
            ],
        );
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn deleted_articles_are_still_articles() {
        let (_dir, w) = site();
        // The path no longer exists: its extension still says what it was.
        let c = classify(&w, &["content/world/gone.md"]);
        assert_eq!(c.articles.len(), 1);
    }
}
