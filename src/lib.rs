//! gazette: a static site generator for news explainer sites.
//!
//! The stages flow one way; each module uses only those listed above it.

pub mod checks;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod date;
pub mod error;
pub mod front_matter;
pub mod highlight;
pub mod markdown;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod site;
pub mod spill;
pub mod theme;
pub mod url;
pub mod yaml;
