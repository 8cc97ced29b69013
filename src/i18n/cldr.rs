//! The CLDR data gazette formats dates and numbers with: the baked output of
//! tools/icu-data.sh (src/i18n/data, generated: do not edit) for the languages of the
//! embedded translations (src/i18n/*.yaml), those of tools/icu-data/languages.txt, and
//! their regional variants, instead of ICU4X's `compiled_data` for every language (issue 19).

/// The languages baked besides those of the embedded translations: the list
/// tools/icu-data.sh reads, one code a line, `#` starting a comment.
const LISTED: &str = include_str!("../../tools/icu-data/languages.txt");

/// The codes of tools/icu-data/languages.txt (`ja`, `zh-Hant`, ...).
pub(super) fn listed() -> impl Iterator<Item = &'static str> {
    LISTED
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|c| !c.is_empty())
}

/// A data provider of the baked CLDR data, for ICU4X's `*_unstable` constructors. Lookups
/// fall back as CLDR says (`fr-CA` -> `fr` -> root), with `icu_locale`'s compiled data.
#[derive(Debug)]
pub(super) struct Cldr;

// Generated code: its `pub use`s of the data macros are reachable from nowhere else.
#[allow(unreachable_pub)]
mod baked {
    include!("data/mod.rs");
    impl_data_provider!(super::Cldr);
}
