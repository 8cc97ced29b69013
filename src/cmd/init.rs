//! `gazette init [DIR]`: a new site that builds at once with the embedded default theme.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result, display_path};

#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// Where to create the site [default: the current folder]
    // The help says the default in words; clap's own `[default: .]` would repeat it.
    #[arg(default_value = ".", hide_default_value = true)]
    pub dir: PathBuf,
    /// Also copy the default theme into themes/default/ for editing
    #[arg(long)]
    pub with_theme: bool,
}

/// Creates `site.yaml`, `content/` with a sample article, and `.gitignore`; refuses to
/// touch a folder that already holds a site.
pub(crate) fn run(args: &InitArgs) -> Result<()> {
    let dir = &args.dir;
    for existing in ["site.yaml", "content"] {
        if dir.join(existing).exists() {
            let message = format!(
                "`{}` already holds `{existing}`: gazette init only creates new sites",
                display_path(dir)
            );
            if !args.with_theme {
                return Err(Error::Failed(message));
            }
            // What someone asking for the theme in an existing site wants instead.
            let root = match dir.as_os_str() == "." {
                true => String::new(),
                false => format!(" --root {}", display_path(dir)),
            };
            let help = format!(
                "to edit the default theme of this site, run `gazette theme copy --all{root}` \
                 (every file) or `gazette theme copy <template>{root}` (one file); neither \
                 overwrites a file"
            );
            return Err(Error::Refused { message, help });
        }
    }
    let today = jiff::Zoned::now().date().to_string();
    write(dir, "site.yaml", SITE_YAML)?;
    write(
        dir,
        "content/explainers/welcome-to-gazette.md",
        &SAMPLE_ARTICLE.replace("{date}", &today),
    )?;
    write(
        dir,
        "content/explainers/how-see-also-works.md",
        &SECOND_ARTICLE.replace("{date}", &today),
    )?;
    write_gitignore(dir)?;
    if args.with_theme {
        for (name, bytes) in crate::theme::default_theme_files() {
            write_bytes(dir, &format!("themes/default/{name}"), bytes)?;
        }
    }
    println!("created a site in `{}`", display_path(dir));
    println!("next: cd {} && gazette build   (or gazette serve to preview)", display_path(dir));
    Ok(())
}

/// What a site's `.gitignore` lists: the built site, and gazette's own folder (the preview
/// of `serve` and the build cache), which are made again from the sources.
const IGNORED: [&str; 2] = ["/output/", "/.gazette/"];

/// Writes `.gitignore`, or adds to one already there (a new repository's, say) the lines
/// of [`IGNORED`] it lacks, leaving the rest as it was.
fn write_gitignore(dir: &Path) -> Result<()> {
    let path = dir.join(".gitignore");
    let text = match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return write(dir, ".gitignore", &(IGNORED.join("\n") + "\n"));
        }
        Err(e) => return Err(Error::io(&path, e)),
        // A link or a folder of that name is someone's arrangement: left alone.
        Ok(meta) if !meta.is_file() => return Ok(()),
        Ok(_) => std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?,
    };
    let missing: Vec<&str> = IGNORED.into_iter().filter(|entry| !lists(&text, entry)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut added = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        added.push('\n');
    }
    for entry in missing {
        added.push_str(entry);
        added.push('\n');
    }
    let mut file =
        std::fs::OpenOptions::new().append(true).open(&path).map_err(|e| Error::io(&path, e))?;
    std::io::Write::write_all(&mut file, added.as_bytes()).map_err(|e| Error::io(&path, e))
}

/// Whether `gitignore` already has a line ignoring the folder `entry` (`/output/`) at the
/// top: written with or without either slash.
fn lists(gitignore: &str, entry: &str) -> bool {
    let name = entry.trim_matches('/');
    let forms = [entry.to_owned(), format!("/{name}"), format!("{name}/"), name.to_owned()];
    gitignore.lines().map(str::trim).any(|line| forms.iter().any(|form| form == line))
}

fn write(dir: &Path, rel: &str, text: &str) -> Result<()> {
    write_bytes(dir, rel, text.as_bytes())
}

fn write_bytes(dir: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(rel);
    super::write_new_file(&path, &path, bytes)
}

const SITE_YAML: &str = r#"# The site's settings. Only title and base_url are required.
title: My Explainer Desk
base_url: https://example.com/   # where the site will live; may carry a sub-path
language: en
description: Plain-language explainers on the news.
author: The Newsroom
paginate: 10
default_category: News
see_also:
  inline: 3     # "See also" links between sections
  related: 5    # links in the end "Related" block
"#;

const SAMPLE_ARTICLE: &str = r#"---
title: "Welcome to gazette: how an explainer is put together"
date: {date}
category: Explainers
tags: [gazette, writing]
summary: "A sample article that shows every part of an explainer: key points, sections, questions and related links."
key_points:
  - "Front matter: The lines between the two `---` hold the title, date, tags and the rest."
  - "Sections: Each `##` heading starts a section of the body."
  - "See also: Links to related articles are chosen from shared tags."
faq:
  - question: "Where do I write a new article?"
    answer: "Run `gazette new \"Your title\"`, or add a Markdown file anywhere under `content/`."
  - question: "How do I preview the site?"
    answer: "Run `gazette serve`: the page reloads by itself when you save."
  - question: "What does a build produce?"
    answer: "A folder, `output/`, that any static host can serve."
related:
  - title: "How See also works"
    url: /explainers/how-see-also-works/
---

## Introduction

This article is a sample. Replace it with your own, or keep it as a model: it has every
part a gazette explainer can have.

## Writing the body

Write in Markdown. Tables, footnotes[^1] and code blocks work:

| Part | Where it comes from |
|------|---------------------|
| Key points | `key_points` in the front matter |
| Questions | `faq` in the front matter |

## Publishing

Run `gazette build`, then copy `output/` to your host.

## Conclusion

Delete this file when your first real explainer is ready.

[^1]: Like this one.
"#;

const SECOND_ARTICLE: &str = r#"---
title: "How See also works"
date: {date}
category: Explainers
tags: [gazette, writing]
summary: "Every article links to its closest relatives, chosen from the tags it shares with them."
key_points:
  - "Tags: Articles that share rare tags are the closest relatives."
faq:
  - question: "Can I pick links by hand?"
    answer: "Yes: list them under `related:` in the front matter; they come first."
---

## Introduction

gazette scores every pair of articles by the tags they share, counting rare tags more
than common ones, and places the best matches between sections and at the end.

## Conclusion

Choose tags a reader would follow, and use each on more than one article.
"#;
