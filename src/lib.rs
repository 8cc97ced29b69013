//! gazette: a static site generator for news explainer sites.
//!
//! The modules are listed in dependency order: each uses only those listed above it.
//! (Each has a comment line so that rustfmt keeps this order rather than sorting them.)

// Error, Diagnostic, Location: every user-facing message.
pub(crate) mod error;
// Source files read as UTF-8 text.
pub(crate) mod text_file;
// Slug, UrlPath, BaseUrl.
pub(crate) mod url;
// Dates as writers give them.
pub(crate) mod date;
// The only serde_yaml caller.
pub(crate) mod yaml;
// site.yaml -> Config.
pub mod config;
// Walks content/.
pub(crate) mod content;
// The site's own images: measured as articles use them, resized into the build cache.
pub mod images;
// The `---` block of an article.
pub mod front_matter;
// Large HTML parked on disk.
pub(crate) mod spill;
// Fenced code -> HTML with classes.
pub(crate) mod highlight;
// Markdown body -> HTML, sections, links.
pub mod markdown;
// The immutable site model.
pub mod site;
// Content checks on the assembled site and its pages.
pub(crate) mod checks;
// Templates and assets of the theme.
pub mod theme;
// Site + theme -> output files.
pub mod render;
// Staging folder swapped into the output folder.
pub(crate) mod output;
// What the last build wrote, so the next one links what did not change.
pub(crate) mod cache;
// The only code that calls the stages in order.
pub mod pipeline;
// Prints errors and warnings to the terminal.
pub(crate) mod report;
// build, check, serve, new, init.
pub(crate) mod cmd;
// argv -> command -> exit code.
pub mod cli;
