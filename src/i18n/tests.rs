use super::*;

fn day(y: i16, m: i8, d: i8) -> jiff::civil::Date {
    jiff::civil::Date::new(y, m, d).unwrap()
}

fn language(code: &str) -> Language {
    Language::new(code, None).unwrap()
}

#[test]
fn long_dates_follow_cldr() {
    assert_eq!(language("en").date(day(2026, 2, 9), DateStyle::Long), "February 9, 2026");
    assert_eq!(language("fr").date(day(2026, 2, 9), DateStyle::Long), "9 février 2026");
    assert_eq!(language("de").date(day(2026, 2, 9), DateStyle::Long), "9. Februar 2026");
    assert_eq!(language("ar").date(day(2026, 2, 9), DateStyle::Long), "9 فبراير 2026");
    assert_eq!(language("fr").month_year(2026, 2), "février 2026");
    assert_eq!(language("en").month_name(2026, 2), "February");
}

#[test]
fn a_language_without_cldr_data_has_english_dates_and_numbers_and_its_own_plural_rules() {
    let ja = language("ja");
    assert!(!has_cldr_formats("ja") && has_cldr_formats("pt-PT"));
    assert_eq!(ja.date(day(2026, 2, 9), DateStyle::Long), "February 9, 2026");
    assert_eq!(ja.number(1_234_567), "1,234,567");
    assert_eq!(ja.plurals.category_for(1), PluralCategory::Other, "Japanese has one form");
    let pl = language("pl");
    assert_eq!(pl.date(day(2026, 2, 9), DateStyle::Long), "February 9, 2026");
    assert_eq!(pl.plurals.category_for(3), PluralCategory::Few, "Polish rules");
    assert_eq!(pl.plurals.category_for(5), PluralCategory::Many, "Polish rules");
    assert_eq!(language("und").date(day(2026, 2, 9), DateStyle::Long), "February 9, 2026");
    // `-u-` keywords: the digits of every numbering system are carried; an unknown one or
    // a calendar other than the Gregorian is ignored, never a panic.
    let thai_digits = language("fr-u-nu-thai");
    assert_eq!(thai_digits.date(day(2026, 2, 9), DateStyle::Long), "๙ février ๒๐๒๖");
    let unknown = language("fr-u-nu-zzzz-ca-hebrew");
    assert_eq!(unknown.date(day(2026, 2, 9), DateStyle::Long), "9 février 2026");
    assert_eq!(unknown.number(1_234), "1\u{202f}234");
}

#[test]
fn plural_forms_follow_cldr() {
    let fr = language("fr");
    assert_eq!(fr.text("min_read", Some(1), &[]).unwrap(), "1 min de lecture");
    assert_eq!(fr.text("min_read", Some(5), &[]).unwrap(), "5 min de lecture");
    let ar = language("ar");
    assert_eq!(ar.text("min_read", Some(1), &[]).unwrap(), "دقيقة واحدة للقراءة");
    assert_eq!(ar.text("min_read", Some(2), &[]).unwrap(), "دقيقتان للقراءة");
    assert_eq!(ar.text("min_read", Some(5), &[]).unwrap(), "5 دقائق للقراءة");
    assert_eq!(ar.text("min_read", Some(11), &[]).unwrap(), "11 دقيقة للقراءة");
    assert_eq!(language("fr").number(1_234_567), "1\u{202f}234\u{202f}567");
    let en = language("en");
    assert_eq!(
        en.text("series_parts", Some(1), &[]).unwrap(),
        "1 part, in the order they were published."
    );
    assert_eq!(
        en.text("series_parts", Some(0), &[]).unwrap(),
        "0 parts, in the order they were published."
    );
}

#[test]
fn placeholders_are_filled_and_unknown_ones_kept() {
    let mut out = String::new();
    fill("{a} and {b} {not closed", &mut out, |n| (n == "a").then_some("x"));
    assert_eq!(out, "x and {b} {not closed");
}

#[test]
fn right_to_left_languages_are_known_by_their_primary_subtag() {
    assert!(language("ar").rtl && language("he").rtl && language("fa-IR").rtl);
    assert!(!language("fr").rtl && !language("ja").rtl);
}

#[test]
fn regional_codes_use_the_embedded_primary_language() {
    assert_eq!(language("pt-BR").text("search", None, &[]).unwrap(), "Pesquisar");
}

#[test]
fn every_embedded_translation_has_every_english_key_with_the_same_placeholders() {
    let reference = embedded(REFERENCE).unwrap();
    for (code, _) in EMBEDDED {
        let strings = embedded(code).unwrap();
        for (key, english) in &reference {
            let message = strings.get(key).unwrap_or_else(|| panic!("{code} has no `{key}`"));
            for p in placeholders(message) {
                assert!(placeholders(english).contains(&p), "{code}: `{key}` has `{{{p}}}`");
            }
        }
        for key in strings.keys() {
            assert!(reference.contains_key(key), "{code} has `{key}`, which English has not");
        }
    }
}

#[test]
fn codes_are_checked_as_bcp_47() {
    assert!(check_code("pt-BR").is_ok() && check_code("zh-Hant-TW").is_ok());
    assert_eq!(check_code("french").unwrap_err().to_string(), "`french` is not a language code");
    assert!(check_code("en_US").is_ok(), "written so by some sites before issue 19");
}

/// Everything CLDR decides for `code` on one line: 2026-02-09 in the six date styles, a
/// number, and the plural category of 0, 1, 2, 3, 5, 11 and 100.
fn formats(code: &str) -> String {
    let language = language(code);
    let styles = [
        DateStyle::Full,
        DateStyle::Long,
        DateStyle::Medium,
        DateStyle::Short,
        DateStyle::MonthYear,
        DateStyle::Month,
    ];
    let dates = styles.map(|style| language.date(day(2026, 2, 9), style));
    let plurals = [0, 1, 2, 3, 5, 11, 100].map(|n| category_name(language.plurals.category_for(n)));
    format!("{} | {} | {}", dates.join(" | "), language.number(1_234_567), plurals.join(" "))
}

#[test]
fn every_shipped_language_and_its_regions_format_as_cldr_says() {
    // Each line is the output of gazette built with ICU4X's `compiled_data` for every
    // language (before the data was baked for the shipped languages only): the baked data
    // gives the same bytes.
    let expected: &[(&str, &str)] = &[
        (
            "en",
            "Monday, February 9, 2026 | February 9, 2026 | Feb 9, 2026 | 2/9/26 | February 2026 | February | 1,234,567 | other one other other other other other",
        ),
        (
            "fr",
            "lundi 9 février 2026 | 9 février 2026 | 9 févr. 2026 | 09/02/2026 | février 2026 | février | 1\u{202f}234\u{202f}567 | one one other other other other other",
        ),
        (
            "de",
            "Montag, 9. Februar 2026 | 9. Februar 2026 | 09.02.2026 | 09.02.26 | Februar 2026 | Februar | 1.234.567 | other one other other other other other",
        ),
        (
            "es",
            "lunes, 9 de febrero de 2026 | 9 de febrero de 2026 | 9 feb 2026 | 9/2/26 | febrero de 2026 | febrero | 1.234.567 | other one other other other other other",
        ),
        (
            "it",
            "lunedì 9 febbraio 2026 | 9 febbraio 2026 | 9 feb 2026 | 09/02/26 | febbraio 2026 | febbraio | 1.234.567 | other one other other other other other",
        ),
        (
            "pt",
            "segunda-feira, 9 de fevereiro de 2026 | 9 de fevereiro de 2026 | 9 de fev. de 2026 | 09/02/2026 | fevereiro de 2026 | fevereiro | 1.234.567 | one one other other other other other",
        ),
        (
            "nl",
            "maandag 9 februari 2026 | 9 februari 2026 | 9 feb 2026 | 09-02-2026 | februari 2026 | februari | 1.234.567 | other one other other other other other",
        ),
        (
            "ar",
            "الاثنين، 9 فبراير 2026 | 9 فبراير 2026 | 09\u{200f}/02\u{200f}/2026 | 9\u{200f}/2\u{200f}/2026 | فبراير 2026 | فبراير | 1,234,567 | zero one two few few many other",
        ),
        (
            "en-GB",
            "Monday, 9 February 2026 | 9 February 2026 | 9 Feb 2026 | 09/02/2026 | February 2026 | February | 1,234,567 | other one other other other other other",
        ),
        (
            "en-AU",
            "Monday 9 February 2026 | 9 February 2026 | 9 Feb 2026 | 9/2/26 | February 2026 | February | 1,234,567 | other one other other other other other",
        ),
        (
            "en-IN",
            "Monday, 9 February 2026 | 9 February 2026 | 09 Feb 2026 | 09/02/26 | February 2026 | February | 12,34,567 | other one other other other other other",
        ),
        (
            "fr-CA",
            "lundi 9 février 2026 | 9 février 2026 | 9 févr. 2026 | 2026-02-09 | février 2026 | février | 1\u{a0}234\u{a0}567 | one one other other other other other",
        ),
        (
            "fr-CH",
            "lundi 9 février 2026 | 9 février 2026 | 9 févr. 2026 | 09.02.26 | février 2026 | février | 1\u{202f}234\u{202f}567 | one one other other other other other",
        ),
        (
            "fr-BE",
            "lundi 9 février 2026 | 9 février 2026 | 9 févr. 2026 | 9/02/26 | février 2026 | février | 1\u{202f}234\u{202f}567 | one one other other other other other",
        ),
        (
            "de-AT",
            "Montag, 9. Februar 2026 | 9. Februar 2026 | 09.02.2026 | 09.02.26 | Februar 2026 | Februar | 1\u{a0}234\u{a0}567 | other one other other other other other",
        ),
        (
            "de-CH",
            "Montag, 9. Februar 2026 | 9. Februar 2026 | 09.02.2026 | 09.02.26 | Februar 2026 | Februar | 1'234'567 | other one other other other other other",
        ),
        (
            "es-MX",
            "lunes, 9 de febrero de 2026 | 9 de febrero de 2026 | 9 feb 2026 | 09/02/26 | febrero de 2026 | febrero | 1,234,567 | other one other other other other other",
        ),
        (
            "es-419",
            "lunes, 9 de febrero de 2026 | 9 de febrero de 2026 | 9 feb 2026 | 9/2/26 | febrero de 2026 | febrero | 1,234,567 | other one other other other other other",
        ),
        (
            "pt-PT",
            "segunda-feira, 9/02/2026 | 9 de fevereiro de 2026 | 09/02/2026 | 09/02/26 | fevereiro de 2026 | fevereiro | 1\u{a0}234\u{a0}567 | other one other other other other other",
        ),
        (
            "pt-BR",
            "segunda-feira, 9 de fevereiro de 2026 | 9 de fevereiro de 2026 | 9 de fev. de 2026 | 09/02/2026 | fevereiro de 2026 | fevereiro | 1.234.567 | one one other other other other other",
        ),
        (
            "it-CH",
            "lunedì 9 febbraio 2026 | 9 febbraio 2026 | 9 feb 2026 | 09/02/26 | febbraio 2026 | febbraio | 1'234'567 | other one other other other other other",
        ),
        (
            "nl-BE",
            "maandag 9 februari 2026 | 9 februari 2026 | 9 feb 2026 | 9/02/2026 | februari 2026 | februari | 1.234.567 | other one other other other other other",
        ),
        (
            "ar-EG",
            "الاثنين، ٩ فبراير ٢٠٢٦ | ٩ فبراير ٢٠٢٦ | ٠٩\u{200f}/٠٢\u{200f}/٢٠٢٦ | ٩\u{200f}/٢\u{200f}/٢٠٢٦ | فبراير ٢٠٢٦ | فبراير | ١٬٢٣٤٬٥٦٧ | zero one two few few many other",
        ),
        (
            "ar-MA",
            "الاثنين، 9 فبراير 2026 | 9 فبراير 2026 | 09\u{200f}/02\u{200f}/2026 | 9\u{200f}/2\u{200f}/2026 | فبراير 2026 | فبراير | 1.234.567 | zero one two few few many other",
        ),
        (
            "ar-SA",
            "الاثنين، ٩ فبراير ٢٠٢٦ | ٩ فبراير ٢٠٢٦ | ٠٩\u{200f}/٠٢\u{200f}/٢٠٢٦ | ٩\u{200f}/٢\u{200f}/٢٠٢٦ | فبراير ٢٠٢٦ | فبراير | ١٬٢٣٤٬٥٦٧ | zero one two few few many other",
        ),
        (
            "ar-u-nu-latn",
            "الاثنين، 9 فبراير 2026 | 9 فبراير 2026 | 09\u{200f}/02\u{200f}/2026 | 9\u{200f}/2\u{200f}/2026 | فبراير 2026 | فبراير | 1,234,567 | zero one two few few many other",
        ),
    ];
    let mut failures = Vec::new();
    for (code, want) in expected {
        let got = formats(code);
        if got != *want {
            failures.push(format!("        (\"{code}\", \"{got}\"),"));
        }
    }
    assert!(failures.is_empty(), "differs from CLDR:\n{}", failures.join("\n"));
    for (code, _) in EMBEDDED {
        assert!(expected.iter().any(|(c, _)| c == code), "`{code}` is not checked");
        assert!(has_cldr_formats(code), "no CLDR data for the embedded `{code}`");
    }
}
