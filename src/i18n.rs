//! The words and formats of a site's languages: the default theme's translations
//! (embedded, overridden by the site's `i18n/<lang>.yaml`), and CLDR dates, numbers and
//! plural rules from ICU4X (issue 19).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{self, enums::DateFieldSet};
use icu_decimal::DecimalFormatter;
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRules};
use serde::Deserialize;

use crate::error::{Diagnostic, Location};

mod cldr;

/// The folder of a site's translation files: `i18n/fr.yaml`.
pub const FOLDER: &str = "i18n";

/// The language every translation falls back to, and the reference for its keys.
const REFERENCE: &str = "en";

/// The translations shipped in the binary, by language code.
const EMBEDDED: &[(&str, &str)] = &[
    ("en", include_str!("i18n/en.yaml")),
    ("fr", include_str!("i18n/fr.yaml")),
    ("de", include_str!("i18n/de.yaml")),
    ("es", include_str!("i18n/es.yaml")),
    ("it", include_str!("i18n/it.yaml")),
    ("pt", include_str!("i18n/pt.yaml")),
    ("nl", include_str!("i18n/nl.yaml")),
    ("ar", include_str!("i18n/ar.yaml")),
];

/// Languages written right to left (by their primary subtag).
const RIGHT_TO_LEFT: &[&str] = &["ar", "he", "fa", "ur", "yi", "ps", "sd", "ckb", "dv", "ug"];

/// One string of a translation: plain, or one form per CLDR plural category.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Message {
    Text(String),
    Plural(BTreeMap<String, String>),
}

impl Message {
    /// The text for `category`, falling back to `other` as CLDR says.
    fn form(&self, category: Option<PluralCategory>) -> &str {
        match self {
            Message::Text(text) => text,
            Message::Plural(forms) => {
                let name = category.map_or("other", category_name);
                forms.get(name).or_else(|| forms.get("other")).map_or("", String::as_str)
            }
        }
    }
}

fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

const CATEGORIES: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// A translation file as written: key -> message.
type Strings = BTreeMap<String, Message>;

/// Everything one language needs to show pages: its strings (English filling the gaps)
/// and its CLDR formatters.
pub struct Language {
    /// The code as site.yaml writes it: `fr`, `pt-BR`.
    pub code: String,
    /// Written right to left: pages get `dir="rtl"`.
    pub rtl: bool,
    strings: HashMap<String, Message>,
    /// A hash of `strings`: in this type's `Debug`, so that the configuration's (which
    /// the parse cache's identity and every page's cached inputs hash) changes with any
    /// string (shortcodes and templates show them).
    strings_hash: blake3::Hash,
    plurals: PluralRules,
    numbers: DecimalFormatter,
    long_date: FixedCalendarDateTimeFormatter<Gregorian, DateFieldSet>,
    medium_date: FixedCalendarDateTimeFormatter<Gregorian, DateFieldSet>,
    short_date: FixedCalendarDateTimeFormatter<Gregorian, DateFieldSet>,
    full_date: FixedCalendarDateTimeFormatter<Gregorian, DateFieldSet>,
    month_year: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::YM>,
    month: FixedCalendarDateTimeFormatter<Gregorian, fieldsets::M>,
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Language")
            .field("code", &self.code)
            .field("rtl", &self.rtl)
            .field("strings", &self.strings_hash)
            .finish()
    }
}

/// How `date(format=...)` may show a date by name; anything else is a `strftime` pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// "Monday, February 9, 2026"
    Full,
    /// "February 9, 2026", "9 février 2026"
    Long,
    /// "Feb 9, 2026"
    Medium,
    /// "2/9/26"
    Short,
    /// "February 2026"
    MonthYear,
    /// "February"
    Month,
}

impl DateStyle {
    pub fn parse(name: &str) -> Option<DateStyle> {
        Some(match name {
            "full" => DateStyle::Full,
            "long" => DateStyle::Long,
            "medium" => DateStyle::Medium,
            "short" => DateStyle::Short,
            "month_year" => DateStyle::MonthYear,
            "month" => DateStyle::Month,
            _ => return None,
        })
    }
}

/// Why a language cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLanguage(pub String);

impl fmt::Display for BadLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a language code", self.0)
    }
}

/// Checks that `code` is a BCP 47 language tag.
pub fn check_code(code: &str) -> Result<(), BadLanguage> {
    parse_locale(code).map(drop)
}

/// `code` as a locale; `en_US` is read as `en-US`, as sites have written it.
fn parse_locale(code: &str) -> Result<Locale, BadLanguage> {
    code.replace('_', "-").parse::<Locale>().map_err(|_| BadLanguage(code.to_owned()))
}

/// The languages the binary has CLDR dates and numbers for, by primary subtag: those of
/// the embedded translations, then those of tools/icu-data/languages.txt (`zh-Hant` is
/// `zh`), each once.
fn cldr_languages() -> Vec<&'static str> {
    let mut languages: Vec<&str> = Vec::new();
    let codes = EMBEDDED.iter().map(|(code, _)| *code).chain(cldr::listed());
    for language in codes.map(|code| code.split('-').next().unwrap_or(code)) {
        if !languages.contains(&language) {
            languages.push(language);
        }
    }
    languages
}

/// Whether the binary has CLDR dates and numbers for `code`: it has them for the
/// languages of `cldr_languages`, any region or script of them (tools/icu-data.sh).
pub fn has_cldr_formats(code: &str) -> bool {
    parse_locale(code).is_ok_and(|l| cldr_languages().contains(&l.id.language.as_str()))
}

fn english() -> Locale {
    Locale::try_from_str(REFERENCE).expect("a valid locale")
}

/// A formatter for `locale`; one whose `-u-` keywords ask for data the binary lacks (say
/// `-u-nu-thai` digits) is made without them, and failing that in English.
fn formatter<F, E>(locale: &Locale, new: impl Fn(&Locale) -> Result<F, E>) -> F {
    new(locale)
        .or_else(|_| new(&Locale::from(locale.id.clone())))
        .or_else(|_| new(&english()))
        .ok()
        .expect("the baked CLDR data has English")
}

impl Language {
    /// The language `code` with the site's own strings over the embedded ones.
    fn new(code: &str, site_strings: Option<&Strings>) -> Result<Language, BadLanguage> {
        let locale = parse_locale(code)?;
        let primary = locale.id.language.as_str().to_owned();
        let mut strings: HashMap<String, Message> = embedded(REFERENCE)
            .expect("English is embedded")
            .into_iter()
            .collect::<HashMap<_, _>>();
        if let Some(own) = embedded_for(code) {
            strings.extend(own);
        }
        if let Some(site) = site_strings {
            strings.extend(site.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        // Dates and numbers in a language the binary has no CLDR data for are English, as
        // the theme's words are (`check` says so: `Translations::new`).
        let formats = if has_cldr_formats(code) { locale.clone() } else { english() };
        let date = |set: DateFieldSet| {
            formatter(&formats, |locale| {
                FixedCalendarDateTimeFormatter::try_new_unstable(&cldr::Cldr, locale.into(), set)
            })
        };
        let strings_hash = {
            let mut sorted: Vec<(&String, &Message)> = strings.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let mut hasher = blake3::Hasher::new();
            for (key, message) in sorted {
                let message = format!("{message:?}");
                for text in [key.as_str(), message.as_str()] {
                    hasher.update(&(text.len() as u64).to_le_bytes()).update(text.as_bytes());
                }
            }
            hasher.finalize()
        };
        Ok(Language {
            code: code.to_owned(),
            rtl: RIGHT_TO_LEFT.contains(&primary.as_str()),
            strings,
            strings_hash,
            plurals: PluralRules::try_new_cardinal((&locale).into())
                .expect("compiled plural rules cover every language, falling back to the root"),
            numbers: formatter(&formats, |locale| {
                DecimalFormatter::try_new_unstable(&cldr::Cldr, locale.into(), Default::default())
            }),
            long_date: date(DateFieldSet::YMD(fieldsets::YMD::long())),
            medium_date: date(DateFieldSet::YMD(fieldsets::YMD::medium())),
            short_date: date(DateFieldSet::YMD(fieldsets::YMD::short())),
            full_date: date(DateFieldSet::YMDE(fieldsets::YMDE::long())),
            month_year: formatter(&formats, |locale| {
                FixedCalendarDateTimeFormatter::try_new_unstable(
                    &cldr::Cldr,
                    locale.into(),
                    fieldsets::YM::long(),
                )
            }),
            month: formatter(&formats, |locale| {
                FixedCalendarDateTimeFormatter::try_new_unstable(
                    &cldr::Cldr,
                    locale.into(),
                    fieldsets::M::long(),
                )
            }),
        })
    }

    /// The strings with one form and no `{name}` to fill in, by key: what most of a page's
    /// lookups ask for, so the theme can keep them ready.
    pub fn fixed_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.strings.iter().filter_map(|(key, message)| match message {
            Message::Text(text) if placeholders(message).is_empty() => {
                Some((key.as_str(), text.as_str()))
            }
            _ => None,
        })
    }

    /// `dir` of the pages: `rtl` or `ltr`.
    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }

    /// The string `key`, with `{name}` replaced by `args` (`{count}` by `count`, formatted
    /// and picking the plural form). `None` if no translation, not even English, has it.
    pub fn text(&self, key: &str, count: Option<i64>, args: &[(&str, &str)]) -> Option<String> {
        let message = self.strings.get(key)?;
        let category = count.map(|n| self.plurals.category_for(n));
        let counted = count.map(|n| self.number(n));
        let mut out = String::new();
        fill(message.form(category), &mut out, |name| {
            if name == "count" {
                counted.as_deref()
            } else {
                args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
            }
        });
        Some(out)
    }

    /// `n` written as the language writes numbers: `1,234`, `1 234`, `١٬٢٣٤`.
    pub fn number(&self, n: i64) -> String {
        self.numbers.format(&n.into()).to_string()
    }

    /// A day in the given style: "9 février 2026".
    pub fn date(&self, day: jiff::civil::Date, style: DateStyle) -> String {
        let Ok(date) = icu_calendar::Date::try_new_gregorian(
            i32::from(day.year()),
            day.month().unsigned_abs(),
            day.day().unsigned_abs(),
        ) else {
            return day.to_string();
        };
        match style {
            DateStyle::Full => self.full_date.format(&date).to_string(),
            DateStyle::Long => self.long_date.format(&date).to_string(),
            DateStyle::Medium => self.medium_date.format(&date).to_string(),
            DateStyle::Short => self.short_date.format(&date).to_string(),
            DateStyle::MonthYear => self.month_year.format(&date).to_string(),
            DateStyle::Month => self.month.format(&date).to_string(),
        }
    }

    /// "February 2026" in this language, for a month of the archive.
    pub fn month_year(&self, year: i16, month: i8) -> String {
        let day = jiff::civil::Date::new(year, month, 1).unwrap_or_default();
        self.date(day, DateStyle::MonthYear)
    }

    /// "February" in this language, for a month of the archive.
    pub fn month_name(&self, year: i16, month: i8) -> String {
        let day = jiff::civil::Date::new(year, month, 1).unwrap_or_default();
        self.date(day, DateStyle::Month)
    }
}

/// `template` with `{count}` and the `{name}`s of `args` filled in.
pub fn fill_placeholders(template: &str, count: Option<String>, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    fill(template, &mut out, |name| {
        if name == "count" {
            count.as_deref()
        } else {
            args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        }
    });
    out
}

/// Copies `template` into `out`, replacing each `{name}` with `value(name)`; an unknown
/// name stays as written, so a typo shows on the page rather than vanishing.
fn fill<'v>(template: &str, out: &mut String, value: impl Fn(&str) -> Option<&'v str>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                let name = &after[..close];
                match value(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The `{name}` placeholders of a message, every form of it.
fn placeholders(message: &Message) -> Vec<String> {
    let texts: Vec<&str> = match message {
        Message::Text(text) => vec![text],
        Message::Plural(forms) => forms.values().map(String::as_str).collect(),
    };
    let mut names = Vec::new();
    for text in texts {
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if is_name(&after[..close]) => {
                    names.push(after[..close].to_owned());
                    rest = &after[close + 1..];
                }
                _ => rest = after,
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The embedded translation of exactly `code`, parsed.
fn embedded(code: &str) -> Option<Strings> {
    let (_, text) = EMBEDDED.iter().find(|(c, _)| *c == code)?;
    let path = Path::new("(embedded)").join(format!("{code}.yaml"));
    Some(crate::yaml::from_str(&path, 1, 1, text).expect("embedded translations are valid YAML"))
}

/// The embedded translation for `code` or its primary language: `pt-BR` uses `pt`.
fn embedded_for(code: &str) -> Option<Strings> {
    embedded(code).or_else(|| embedded(code.split(['-', '_']).next()?))
}

/// Whether the binary ships a translation for `code` (or its primary language).
pub fn is_embedded(code: &str) -> bool {
    let primary = code.split(['-', '_']).next().unwrap_or(code);
    EMBEDDED.iter().any(|(c, _)| *c == code || *c == primary)
}

/// A site's translation file, read by `config`: its path relative to the site root and
/// its text.
#[derive(Debug, Clone)]
pub struct SiteFile {
    pub path: PathBuf,
    pub text: String,
}

/// Every language of a site, ready to render with.
#[derive(Debug)]
pub struct Translations {
    languages: Vec<std::sync::Arc<Language>>,
    /// What `check` reports: strings missing from a translation (shown in English), and
    /// keys no template uses.
    pub warnings: Vec<Diagnostic>,
}

impl Translations {
    /// The translations of `codes` (the first is the default language), with the site's
    /// files over the embedded ones. Errors are problems of the site's files.
    /// `at` says where site.yaml names a language, for the warnings about it.
    pub fn new(
        codes: &[&str],
        files: &[SiteFile],
        at: &dyn Fn(&str) -> Location,
    ) -> Result<Translations, Vec<Diagnostic>> {
        let reference = embedded(REFERENCE).expect("English is embedded");
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut site: BTreeMap<String, (PathBuf, Strings)> = BTreeMap::new();
        for file in files {
            let code = file.path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            match parse_site_file(&file.path, &file.text, &reference) {
                Ok((strings, found)) => {
                    warnings.extend(found);
                    site.insert(code, (file.path.clone(), strings));
                }
                Err(found) => problems.extend(found),
            }
        }
        let mut languages = Vec::with_capacity(codes.len());
        for code in codes {
            let own = site.get(*code);
            // Config checked every code (`check_code`) before.
            languages.push(std::sync::Arc::new(
                Language::new(code, own.map(|(_, s)| s)).expect("a checked code"),
            ));
            if !has_cldr_formats(code) {
                warnings.push(
                    Diagnostic::warning(
                        at(code),
                        format!(
                            "no CLDR dates and numbers for the language `{code}`: its pages show them in English"
                        ),
                    )
                    .with_hint(format!(
                        "gazette carries them for {} and their regional variants; a theme can show numeric dates with `date(format=\"%Y-%m-%d\")`",
                        cldr_languages().join(", ")
                    )),
                );
            }
            if *code == REFERENCE {
                continue;
            }
            let embedded = embedded_for(code);
            let known = |key: &str| {
                embedded.as_ref().is_some_and(|e| e.contains_key(key))
                    || own.is_some_and(|(_, s)| s.contains_key(key))
            };
            let missing: Vec<&str> =
                reference.keys().map(String::as_str).filter(|k| !known(k)).collect();
            if missing.is_empty() {
                continue;
            }
            let file =
                own.map_or_else(|| Path::new(FOLDER).join(format!("{code}.yaml")), |o| o.0.clone());
            if embedded.is_none() && own.is_none() {
                warnings.push(
                    Diagnostic::warning(
                        at(code),
                        format!(
                            "no translation for the language `{code}`: its pages show the theme's words in English"
                        ),
                    )
                    .with_hint(format!(
                        "create `{}` with the keys listed in docs/writing.md",
                        crate::error::display_path(&file)
                    )),
                );
                continue;
            }
            for key in missing {
                warnings.push(
                    Diagnostic::warning(
                        Location::new(&file, 1),
                        format!(
                            "the translation `{code}` has no `{key}`: pages show it in English"
                        ),
                    )
                    .with_hint(format!(
                        "add `{key}: ...` to `{}`",
                        crate::error::display_path(&file)
                    )),
                );
            }
        }
        if problems.is_empty() { Ok(Translations { languages, warnings }) } else { Err(problems) }
    }

    /// The default language's translations.
    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    /// Every language of the site, the default first.
    pub fn languages(&self) -> &[std::sync::Arc<Language>] {
        &self.languages
    }

    /// The translations of `code`, if the site has that language.
    pub fn get(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code).map(|l| &**l)
    }

    /// The translations of `code` alone, as the pages of that language of a site in
    /// several languages render with (issue 19); `None` if the site lacks it.
    pub fn only(&self, code: &str) -> Option<Translations> {
        let language = self.languages.iter().find(|l| l.code == code)?;
        Some(Translations { languages: vec![language.clone()], warnings: Vec::new() })
    }

    /// `code`'s translations, or the default language's.
    pub fn language(&self, code: &str) -> &Language {
        self.get(code).unwrap_or_else(|| self.default_language())
    }
}

/// Reads one of the site's translation files: a map of keys to strings or plural forms.
/// Unknown keys are warnings (a theme of the site may use them, or they are typos).
fn parse_site_file(
    path: &Path,
    text: &str,
    reference: &Strings,
) -> Result<(Strings, Vec<Diagnostic>), Vec<Diagnostic>> {
    if text.trim().is_empty() {
        return Ok((Strings::new(), Vec::new()));
    }
    let strings: Strings = crate::yaml::from_str(path, 1, 1, text).map_err(|d| {
        let hint = d.hint.is_none();
        vec![if hint {
            d.with_hint("write `key: text`, or `key:` with `one:`/`other:` forms under it")
        } else {
            d
        }]
    })?;
    let keys = crate::yaml::Keys::of(text);
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (key, message) in &strings {
        let line = keys.block(key).map_or(1, |(line, _)| line);
        let at = Location::new(path, line).with_column(1);
        if let Message::Plural(forms) = message {
            if let Some(bad) = forms.keys().find(|k| !CATEGORIES.contains(&k.as_str())) {
                problems.push(
                    Diagnostic::error(
                        at.clone(),
                        format!("`{key}`: `{bad}` is not a plural category"),
                    )
                    .with_hint("use zero, one, two, few, many or other"),
                );
                continue;
            }
            if !forms.contains_key("other") {
                problems.push(
                    Diagnostic::error(at.clone(), format!("`{key}` has no `other` form"))
                        .with_hint("every plural string needs `other:`, the form for any count"),
                );
                continue;
            }
        }
        match reference.get(key) {
            None => {
                let known: Vec<&str> = reference.keys().map(String::as_str).collect();
                let mut warning = Diagnostic::warning(
                    at,
                    format!("`{key}` is not a string of the default theme"),
                );
                if let Some(near) = crate::yaml::nearest(key, &known) {
                    warning = warning.with_hint(format!("did you mean `{near}`?"));
                }
                warnings.push(warning);
            }
            Some(english) => {
                let expected = placeholders(english);
                if let Some(extra) =
                    placeholders(message).into_iter().find(|p| !expected.contains(p))
                {
                    problems.push(
                        Diagnostic::error(at, format!("`{key}`: `{{{extra}}}` is never filled in"))
                            .with_hint(if expected.is_empty() {
                                "this string takes no `{...}` values".to_owned()
                            } else {
                                format!(
                                    "this string takes {}",
                                    expected
                                        .iter()
                                        .map(|p| format!("`{{{p}}}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            }),
                    );
                }
            }
        }
    }
    if problems.is_empty() { Ok((strings, warnings)) } else { Err(problems) }
}

#[cfg(test)]
mod tests;
