//! The one integration-test binary: drives the real `gazette` executable against
//! fixture sites copied to temporary folders, and parses what it writes.

mod build;
mod cache;
mod check;
mod check_cache;
mod docs;
mod files;
mod hostile;
mod images;
mod images_decoding;
mod images_published;
mod init;
mod languages;
mod model;
mod new;
mod news;
mod newsroom;
mod parse_cache;
mod rich;
mod search;
mod see_also;
mod serve;
mod spare;
mod support;
mod theme;
mod thumbnails;
