//! `gazette new "Title"`: a new article with its front matter filled in.

use std::path::PathBuf;

use crate::config;
use crate::error::{Error, Result, display_path};
use crate::url::Slug;

#[derive(Debug, Clone, clap::Args)]
pub struct NewArgs {
    /// The headline of the new article
    pub title: String,
    /// The article's category [default: default_category from site.yaml]
    #[arg(long, short)]
    pub category: Option<String>,
    /// Comma-separated tags, such as `interest-rates,inflation`
    #[arg(long, short, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// The site folder (holding site.yaml and content/)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// Writes `content/<category>/<slug>.md`; refuses to overwrite. Prints the path.
pub(crate) fn run(args: &NewArgs) -> Result<()> {
    let config = config::load_config(&args.root)?;
    let title = args.title.trim();
    if title.is_empty() {
        return Err(Error::Usage(
            "the title is empty: write it in quotes, `gazette new \"What the rate cut means\"`"
                .into(),
        ));
    }
    let category = args.category.clone().unwrap_or_else(|| config.default_category.clone());
    let slug = Slug::with(title, config.slugify);
    let rel = PathBuf::from("content")
        .join(Slug::with(&category, config.slugify).as_str())
        .join(format!("{slug}.md"));
    let path = args.root.join(&rel);
    if path.exists() {
        return Err(Error::Failed(format!(
            "`{}` already exists; gazette never overwrites an article (choose another title, or edit that file)",
            display_path(&rel)
        )));
    }
    let tags: Vec<String> =
        args.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    let today = jiff::Zoned::now().date();
    let text = article_text(title, today, &category, &tags, config.author.as_deref());
    super::write_new_file(&path, &rel, text.as_bytes())?;
    println!("{}", display_path(&rel));
    Ok(())
}

/// YAML double-quoted text.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

/// The sample lines' dates follow `date`: a correction or update dated before the
/// article would be an error once uncommented, and an `expires:` before it would hide it.
fn article_text(
    title: &str,
    date: jiff::civil::Date,
    category: &str,
    tags: &[String],
    author: Option<&str>,
) -> String {
    let tags = tags.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(", ");
    let author = author.map(|a| format!("author: {}\n", quoted(a))).unwrap_or_default();
    let expires = date.checked_add(jiff::Span::new().years(1)).unwrap_or(date);
    format!(
        r#"---
title: {title}
date: {date}
category: {category}
tags: [{tags}]
summary: "One or two sentences for listings, feeds and search: what happened and why it matters."
{author}draft: true   # remove this line to publish
key_points:
  - "Event: What happened, in one line."
  - "Why it matters: The consequence a reader should take away."
  - "What comes next: The next date or decision to watch."
faq:
  - question: "What is the one question readers ask first?"
    answer: "Answer it in one to three plain sentences."
  - question: "Who is affected?"
    answer: "Say who feels the change, and how soon."
related: []
# series: "Name of the series"        # a box linking its parts, and a page at /series/<slug>/
# expires: {expires}               # the article leaves the site at this date
# aliases: ["/old/address/"]         # old addresses that redirect here
# corrections:                       # shown at the top, newest first, and on /corrections/
#   - date: {date}
#     text: "An earlier version misstated ... It is ..."
# updates:
#   - date: {date}
#     text: "Added the minister's response."
---

## Introduction

Open with the news in two or three sentences: what happened, when, and why a reader
should care. Then say what this explainer will cover.

## Background

The context a newcomer needs: how we got here, the institutions involved, the numbers
that matter.

## Analysis

What the event means, the arguments on each side, and what is still uncertain.

## What comes next

The dates, decisions and signals to watch.

## Conclusion

The one thing to remember.
"#,
        title = quoted(title),
        category = quoted(category),
    )
}
