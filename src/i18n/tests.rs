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
    assert_eq!(language("ja").date(day(2026, 2, 9), DateStyle::Long), "2026年2月9日");
    assert_eq!(language("fr").month_year(2026, 2), "février 2026");
    assert_eq!(language("en").month_name(2026, 2), "February");
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
