//! Writes the CLDR data gazette bakes into its binary: dates and numbers of the languages
//! whose translations it ships, with every regional variant of them (`en-GB`, `fr-CA`,
//! `pt-PT`, `ar-MA`, ...), as Rust source for `icu_provider_baked`.
//!
//! Usage: `gazette-icu-data <CLDR JSON folder> <output folder> <language>...`, as
//! tools/icu-data.sh runs it with the languages of src/i18n/*.yaml. The CLDR folder holds
//! the `cldr-core`, `cldr-dates-full`, `cldr-numbers-full` and `cldr-misc-full` packages of
//! the CLDR version the `icu` crates were made with.

use std::path::PathBuf;
use std::process::ExitCode;

use icu::datetime::provider::DatetimePatternsDateGregorianV1;
use icu::datetime::provider::neo::{
    DatetimeNamesMonthGregorianV1, DatetimeNamesWeekdayV1, DatetimeNamesYearGregorianV1,
};
use icu::decimal::provider::{DecimalDigitsV1, DecimalSymbolsV1};
use icu_provider_export::baked_exporter::{self, BakedExporter};
use icu_provider_export::prelude::*;
use icu_provider_source::SourceDataProvider;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [cldr, out, languages @ ..] = args.as_slice() else {
        eprintln!("usage: gazette-icu-data <CLDR JSON folder> <output folder> <language>...");
        return ExitCode::from(2);
    };
    if languages.is_empty() {
        eprintln!("error: no language given");
        return ExitCode::from(2);
    }
    match export(PathBuf::from(cldr), PathBuf::from(out), languages) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn export(
    cldr: PathBuf,
    out: PathBuf,
    languages: &[String],
) -> Result<(), Box<dyn std::error::Error>> {
    let source = SourceDataProvider::new_custom().with_cldr(&cldr)?;
    // `fr` means French with its descendants (`fr-CA`, ...) and ancestors (the root).
    let families = languages
        .iter()
        .map(|code| code.parse::<DataLocaleFamily>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = baked_exporter::Options::default();
    // Named through the component crates (`icu_datetime::...`): gazette has no `icu` crate.
    options.use_separate_crates = true;
    options.pretty = true;
    options.overwrite = true;
    let exporter = BakedExporter::new(out, options)?;
    // What a Gregorian date formatter (`FixedCalendarDateTimeFormatter<Gregorian, _>` of
    // years, months, days and weekdays) and a `DecimalFormatter` load.
    ExportDriver::new(
        families,
        DeduplicationStrategy::Maximal.into(),
        LocaleFallbacker::try_new_unstable(&source)?,
    )
    .with_markers([
        DatetimePatternsDateGregorianV1::INFO,
        DatetimeNamesYearGregorianV1::INFO,
        DatetimeNamesMonthGregorianV1::INFO,
        DatetimeNamesWeekdayV1::INFO,
        DecimalSymbolsV1::INFO,
        DecimalDigitsV1::INFO,
    ])
    .export(&source, exporter)?;
    Ok(())
}
