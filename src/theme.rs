//! Templates and assets from `themes/<name>/`, over the default theme embedded in the binary.

pub mod shortcodes;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::config::Config;
use crate::date::Date;
use crate::error::{Error, Location, Result, display_path};
use crate::i18n::{DateStyle, Language, Translations};
use crate::markdown;
use crate::url::Slug;

/// The default theme, compiled in from the same files as `themes/default/`.
static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A file a theme ships under `static/`.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Where it is written in the output, relative: `style.3f2a1c9b0d.css`.
    pub output_path: String,
    pub bytes: Cow<'static, [u8]>,
}

/// A loaded theme: parsed templates plus the assets to copy.
#[derive(Debug, Clone)]
pub struct Theme {
    pub tera: Tera,
    pub assets: Vec<Asset>,
    /// Asset name as the theme writes it (`style.css`) -> output path with its hash.
    pub asset_paths: BTreeMap<String, String>,
    /// Template name -> the file it came from, for messages.
    pub origins: BTreeMap<String, String>,
    /// The templates of `templates/shortcodes/`, by shortcode name, with what each accepts.
    pub shortcodes: BTreeMap<String, shortcodes::Signature>,
    /// A hash of every template's name and text: what a page's render reads of the theme
    /// besides its context (for the build cache).
    pub templates_hash: blake3::Hash,
}

/// Files ending like this get a content hash in their name, so browsers may cache them forever.
const HASHED: &[&str] = &[".css", ".js"];

/// Loads the site's theme. A file in `themes/<theme>/` replaces the default theme's file of
/// the same name; the rest comes from the embedded default theme.
/// The stylesheet of the language switcher, in a theme's `static/`: published only by
/// sites in several languages.
pub const LANGUAGES_CSS: &str = "languages.css";

pub fn load_theme(config: &Config) -> Result<Theme> {
    load_theme_from(config, true)
}

/// The embedded default theme alone, whatever is on disk: for builds that read nothing
/// from disk (`build_in_memory`, tests), so no folder outside them can change the result.
pub fn load_embedded_theme(config: &Config) -> Result<Theme> {
    load_theme_from(config, false)
}

fn load_theme_from(config: &Config, read_disk: bool) -> Result<Theme> {
    let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut statics: BTreeMap<String, Cow<'static, [u8]>> = BTreeMap::new();
    for (name, bytes) in embedded_files("templates") {
        let text = String::from_utf8_lossy(bytes).into_owned();
        templates.insert(name.clone(), (format!("{name} (built-in default theme)"), text));
    }
    for (name, bytes) in embedded_files("static") {
        statics.insert(name, Cow::Borrowed(bytes));
    }

    let theme_dir = config.theme_dir();
    if !read_disk {
        // The embedded files are the whole theme.
    } else if theme_dir.is_dir() {
        for (name, path) in walk_files(&theme_dir.join("templates"))? {
            let text = crate::text_file::read_text(&path, &relative(config, &path))?;
            templates.insert(name, (display_path(&relative(config, &path)), text));
        }
        for (name, path) in walk_files(&theme_dir.join("static"))? {
            // Only a regular file is read (issue 22): never a FIFO or device.
            let bytes = crate::text_file::open_regular(&path)
                .and_then(|mut file| {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes)
                })
                .map_err(|e| Error::io(relative(config, &path), e))?;
            statics.insert(name, Cow::Owned(bytes));
        }
    } else if config.theme != "default" {
        return Err(Error::Failed(format!(
            "the theme `{}` named in site.yaml has no folder `themes/{}/`",
            config.theme, config.theme
        )));
    }

    let mut signatures = BTreeMap::new();
    for (name, (origin, text)) in &templates {
        let Some(short) = name.strip_prefix(shortcodes::FOLDER) else { continue };
        let Some(short) = short.strip_suffix(".html") else { continue };
        // A mistake in the theme, not on the command line: exit status 1 (issue 21).
        let signature = shortcodes::parse_signature(text).map_err(|reason| {
            Error::Failed(format!(
                "{origin}: bad `args:` comment of the shortcode `{short}`: {reason}"
            ))
        })?;
        signatures.insert(short.to_owned(), signature);
    }

    // A site in one language: `{{ t(key="share") }}` is the same text on every page, so
    // it is written into the template once instead of looked up on every page (issue 19;
    // keeps a 10,000-article build as fast as with English written in the templates).
    if let [language] = config.translations.languages() {
        let fixed: std::collections::HashMap<&str, &str> = language.fixed_texts().collect();
        for (name, (_, text)) in templates.iter_mut() {
            let escape = [".html", ".htm", ".xml"].iter().any(|ext| name.ends_with(ext));
            if let Some(folded) = fold_fixed_texts(text, &fixed, escape) {
                *text = folded;
            }
        }
    }

    let mut hasher = blake3::Hasher::new();
    for (name, (_, text)) in &templates {
        hasher.update(name.as_bytes()).update(&[0]).update(text.as_bytes()).update(&[0]);
    }
    let templates_hash = hasher.finalize();

    let mut tera = Tera::new();
    register_filters(&mut tera, config);
    let origins: BTreeMap<String, String> =
        templates.iter().map(|(name, (origin, _))| (name.clone(), origin.clone())).collect();
    tera.add_raw_templates(
        templates.iter().map(|(name, (_, text))| (name.as_str(), text.as_str())),
    )
    .map_err(|source| template_error(&origins, source))?;

    let mut assets = Vec::with_capacity(statics.len());
    let mut asset_paths = BTreeMap::new();
    for (name, bytes) in statics {
        // The language switcher's styles: a site in one language has no switcher, and
        // its output stays what it was before sites had several languages (issue 19).
        if name == LANGUAGES_CSS && !config.is_multilingual() {
            continue;
        }
        // A photo of the theme is published without its metadata too (issue 16).
        let shown = theme_dir.join("static").join(&name);
        let bytes = match crate::images::clean_published(&bytes, &relative(config, &shown))? {
            Some(clean) => Cow::Owned(clean),
            None => bytes,
        };
        let output_path = if HASHED.iter().any(|ext| name.ends_with(ext)) {
            hashed_name(&name, &bytes)
        } else {
            name.clone()
        };
        asset_paths.insert(name, output_path.clone());
        assets.push(Asset { output_path, bytes });
    }
    Ok(Theme { tera, assets, asset_paths, origins, shortcodes: signatures, templates_hash })
}

impl Theme {
    /// Adds (or replaces) a generated asset, hashed like the theme's own.
    pub fn add_generated_asset(&mut self, name: &str, bytes: Vec<u8>) {
        let output_path = hashed_name(name, &bytes);
        if let Some(old) = self.asset_paths.insert(name.to_owned(), output_path.clone()) {
            self.assets.retain(|a| a.output_path != old);
        }
        self.assets.push(Asset { output_path, bytes: Cow::Owned(bytes) });
    }

    /// Adds the stylesheet for the highlighted code of `site`: `assets['highlight.css']`.
    pub fn add_highlight_css(&mut self, site: &crate::site::Site) {
        // Gathered on every thread, and sorted once (by `theme_css`): at 100,000 articles,
        // a sorted set fed one class at a time took 20 ms of the build's one thread.
        use rayon::prelude::*;
        type Set<'s> = rustc_hash::FxHashSet<&'s str>;
        let used: Set<'_> = site
            .articles
            .par_iter()
            .fold(Set::default, |mut used, a| {
                used.extend(a.doc.body.code_classes.iter().map(String::as_str));
                used
            })
            .reduce(Set::default, |mut a, b| {
                a.extend(b);
                a
            });
        let css = crate::highlight::theme_css(used);
        self.add_generated_asset("highlight.css", css.into_bytes());
    }

    /// What renders the shortcode calls of article bodies with this theme.
    pub fn shortcode_renderer<'a>(&'a self, config: &Config) -> shortcodes::Renderer<'a> {
        shortcodes::Renderer::new(&self.tera, &self.shortcodes, config)
    }

    /// Where the template `name` came from, for messages.
    pub fn origin(&self, name: &str) -> String {
        self.origins.get(name).cloned().unwrap_or_else(|| name.to_owned())
    }
}

/// `text` with each `{{ t(key="...") }}` of a fixed string replaced by that string
/// (HTML-escaped when the template is), or `None` when it has none.
fn fold_fixed_texts(
    text: &str,
    fixed: &std::collections::HashMap<&str, &str>,
    escape: bool,
) -> Option<String> {
    const OPEN: &str = "t(key=\"";
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(OPEN) {
        let at = from + found;
        from = at + OPEN.len();
        let Some(start) = text[..at].trim_end_matches(' ').strip_suffix("{{").map(str::len) else {
            continue;
        };
        let Some(key_len) = text[from..].find('"') else { break };
        let key = &text[from..from + key_len];
        let rest = &text[from + key_len + 1..];
        let Some(after) = rest.strip_prefix(')').map(|r| r.trim_start_matches(' ')) else {
            continue;
        };
        let (Some(after), Some(value)) = (after.strip_prefix("}}"), fixed.get(key)) else {
            continue;
        };
        out.push_str(&text[copied..start]);
        if escape {
            let mut bytes = Vec::new();
            tera::escape_html(value, &mut bytes).expect("writing to memory");
            out.push_str(&String::from_utf8(bytes).expect("escaping keeps UTF-8"));
        } else {
            out.push_str(value);
        }
        copied = text.len() - after.len();
        from = copied;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// `css/style.css` -> `css/style.<10 hex>.css`.
fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    match name.rfind('.') {
        Some(dot) => format!("{}.{}{}", &name[..dot], &hash[..10], &name[dot..]),
        None => format!("{name}.{}", &hash[..10]),
    }
}

fn template_error(origins: &BTreeMap<String, String>, source: tera::Error) -> Error {
    let origin = |name: &str| origins.get(name).cloned().unwrap_or_else(|| name.to_owned());
    let (template, at) = match source.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let template = origin(report.filename());
            let at = report_location(&template, report);
            (template, Some(Box::new(at)))
        }
        tera::ErrorKind::MissingParent { current: name, .. }
        | tera::ErrorKind::CircularExtend { tpl: name, .. }
        | tera::ErrorKind::CircularInclude { tpl: name, .. } => (origin(name), None),
        // Checks over all templates (unknown filters, blocks without a parent) report as
        // plain text that points at `--> name:line:column`: name the first template there,
        // and the place it points at.
        _ => pointers(&source.to_string())
            .find_map(|(name, line, column)| {
                let template = origins.get(name)?.clone();
                let at = Location::new(&template, line).with_column(column);
                Some((template, Some(Box::new(at))))
            })
            .unwrap_or_else(|| ("theme".to_owned(), None)),
    };
    Error::Template {
        template,
        at,
        articles: Vec::new(),
        other_pages: 0,
        source: Box::new(source),
        hint: None,
    }
}

/// Where Tera's report points, in the template file `origin`. Tera counts columns from 0;
/// a `Location` counts them from 1, as Tera's own `--> name:line:column` does.
pub fn report_location(origin: &str, report: &tera::ReportError) -> Location {
    let span = report.span();
    Location::new(origin, span.start_line).with_column(span.start_col + 1)
}

/// The `--> name:line:column` pointers of a Tera report, in order. Tera gives some errors
/// as text only: reading that text stays here.
fn pointers(report: &str) -> impl Iterator<Item = (&str, usize, usize)> {
    report.match_indices("--> ").filter_map(|(i, arrow)| {
        let rest = &report[i + arrow.len()..];
        let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let mut parts = rest.trim_end().rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some((parts.next()?, line, column))
    })
}

fn relative(config: &Config, path: &Path) -> PathBuf {
    path.strip_prefix(&config.root).unwrap_or(path).to_owned()
}

/// Every file of the embedded default theme, named relative to its folder
/// (`templates/article.html`), for `gazette init --with-theme`.
pub fn default_theme_files() -> Vec<(String, &'static [u8])> {
    let mut files: Vec<(String, &'static [u8])> = ["templates", "static"]
        .iter()
        .flat_map(|folder| {
            embedded_files(folder)
                .into_iter()
                .map(move |(name, bytes)| (format!("{folder}/{name}"), bytes))
        })
        .collect();
    files.sort();
    files
}

/// Files of a folder of the embedded theme, named relative to it with `/`.
fn embedded_files(folder: &str) -> Vec<(String, &'static [u8])> {
    let mut out = Vec::new();
    let mut stack: Vec<&'static Dir<'static>> = DEFAULT_THEME.get_dir(folder).into_iter().collect();
    while let Some(dir) = stack.pop() {
        for file in dir.files() {
            let rel = file.path().strip_prefix(folder).unwrap_or(file.path());
            if !is_hidden(rel) {
                out.push((display_path(rel), file.contents()));
            }
        }
        stack.extend(dir.dirs());
    }
    out.sort();
    out
}

/// Files under `dir` (which may be missing), named relative to it with `/`.
fn walk_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Error::io(
                dir,
                e.into_io_error().unwrap_or_else(|| std::io::Error::other("walk failed")),
            )
        })?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).expect("walkdir stays inside its root");
            if !is_hidden(rel) {
                out.push((display_path(rel), entry.path().to_owned()));
            }
        }
    }
    Ok(out)
}

fn is_hidden(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// The filters themes may use on top of Tera's own: `date`, `slug`, `markdown`,
/// `urlencode`, `json`; and the functions `t` and `t_html` (translated strings).
fn register_filters(tera: &mut Tera, config: &Config) {
    let translations = config.translations.clone();
    tera.register_filter("date", move |value: &str, kwargs: Kwargs, state: &State| {
        date_filter(value, kwargs, state, &translations)
    });
    let slugify = config.slugify;
    tera.register_filter("slug", move |s: &str, _: Kwargs, _: &State| {
        Slug::with(s, slugify).as_str().to_owned()
    });
    let translations = config.translations.clone();
    // Most lookups are of a fixed string (`t(key="share")`): those values are made once.
    let fixed: Vec<std::collections::HashMap<String, Value>> = translations
        .languages()
        .iter()
        .map(|l| l.fixed_texts().map(|(k, v)| (k.to_owned(), Value::from(v))).collect())
        .collect();
    tera.register_function("t", move |kwargs: Kwargs, state: &State| {
        if kwargs.iter().count() == 1 {
            let key: &str = kwargs.must_get("key")?;
            let index = if fixed.len() == 1 { 0 } else { language_index(&translations, state) };
            if let Some(value) = fixed[index].get(key) {
                return Ok(value.clone());
            }
        }
        translate(&translations, &kwargs, state, false).map(|text| Value::from(text.as_str()))
    });
    let translations = config.translations.clone();
    tera.register_function("t_html", move |kwargs: Kwargs, state: &State| {
        translate(&translations, &kwargs, state, true).map(|html| Value::safe_string(&html))
    });
    tera.register_filter("urlencode", |s: &str, _: Kwargs, _: &State| urlencode(s));
    tera.register_filter("json", json_filter);
    let unsafe_html = config.markdown.unsafe_html;
    let base_path = config.base_url.path().to_owned();
    tera.register_filter(
        "markdown",
        move |s: &str, kwargs: Kwargs, _: &State| -> TeraResult<Value> {
            let options = markdown::Options {
                unsafe_html,
                base_path: &base_path,
                image_sizes: None,
                shortcodes: None,
            };
            let inline = kwargs.get::<bool>("inline")?.unwrap_or(false);
            let html = if inline {
                markdown::render_inline(s, &options)
            } else {
                markdown::render_fragment(s, &options)
            };
            Ok(Value::safe_string(&html))
        },
    );
}

/// The language a template renders in: its `lang=` argument, else the page's `lang`, else
/// the site's default language.
fn language_of<'t>(
    translations: &'t Translations,
    kwargs: &Kwargs,
    state: &State,
) -> TeraResult<&'t Language> {
    let code: Option<String> = match kwargs.get::<&str>("lang")? {
        Some(code) => Some(code.to_owned()),
        // A site in one language has nothing to look up (and it is asked on every page).
        None if translations.languages().len() == 1 => None,
        None => state.get::<String>("lang").ok().flatten(),
    };
    Ok(code.map_or_else(|| translations.default_language(), |c| translations.language(&c)))
}

/// The position in `Translations::languages` of the page's `lang` (the default language
/// when it has none).
fn language_index(translations: &Translations, state: &State) -> usize {
    let code = state.get::<String>("lang").ok().flatten();
    code.and_then(|c| translations.languages().iter().position(|l| l.code == c)).unwrap_or(0)
}

/// `{{ t(key="min_read", count=5) }}`: the string `key` in the page's language, its
/// `{name}` placeholders filled with the other arguments. With `html`, the text and the
/// arguments are escaped, except arguments whose names end in `_html`.
fn translate(
    translations: &Translations,
    kwargs: &Kwargs,
    state: &State,
    html: bool,
) -> TeraResult<String> {
    let key: &str = kwargs.must_get("key")?;
    let language = language_of(translations, kwargs, state)?;
    let count = match kwargs.get::<Value>("count")? {
        None => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            tera::Error::message(format!("t: `count` of `{key}` must be a whole number"))
        })?),
    };
    let mut args: Vec<(String, String)> = Vec::new();
    for (name, value) in kwargs.iter() {
        let name = name.to_string();
        if matches!(name.as_str(), "key" | "lang" | "count") {
            continue;
        }
        let text = match value.as_str() {
            Some(s) => s.to_owned(),
            None => value.to_string(),
        };
        let text = if html && !name.ends_with("_html") { state.escape(&text)? } else { text };
        args.push((name, text));
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if html {
        // Escape the message, not the values put into it (escaped above, or HTML).
        let template = language.text(key, count, &[]).ok_or_else(|| unknown_key(key))?;
        let escaped = state.escape(&template)?;
        return Ok(crate::i18n::fill_placeholders(
            &escaped,
            count.map(|n| language.number(n)),
            &args,
        ));
    }
    language.text(key, count, &args).ok_or_else(|| unknown_key(key))
}

fn unknown_key(key: &str) -> tera::Error {
    tera::Error::message(format!(
        "t: no string `{key}` in the translations: add it to `i18n/<lang>.yaml`, English included"
    ))
}

/// `{{ page.date | date(format="long") }}`: formats a `YYYY-MM-DD` or RFC 3339 date. The
/// named formats (`full`, `long`, `medium`, `short`, `month_year`, `month`) follow the
/// language's CLDR patterns; anything else is a `strftime` pattern (`%d/%m/%Y`).
fn date_filter(
    value: &str,
    kwargs: Kwargs,
    state: &State,
    translations: &Translations,
) -> TeraResult<String> {
    let format: &str = kwargs.get("format")?.unwrap_or("long");
    let date = Date::parse(value)
        .map_err(|reason| tera::Error::message(format!("date filter: {reason}")))?;
    if let Some(style) = DateStyle::parse(format) {
        return Ok(language_of(translations, &kwargs, state)?.date(date.day(), style));
    }
    let zoned = date.timestamp().to_zoned(jiff::tz::TimeZone::UTC);
    let text = if date.is_date_only() {
        jiff::fmt::strtime::format(format, date.day())
    } else {
        // Show the time as written, in the writer's offset.
        let parsed = jiff::fmt::temporal::Pieces::parse(value.trim())
            .ok()
            .and_then(|p| p.time().map(|t| p.date().to_datetime(t)));
        match parsed {
            Some(datetime) => jiff::fmt::strtime::format(format, datetime),
            None => jiff::fmt::strtime::format(format, &zoned),
        }
    };
    text.map_err(|e| tera::Error::message(format!("date filter: bad format `{format}`: {e}")))
}

/// Percent-encodes everything but unreserved characters, for share links.
pub fn urlencode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(byte >> 4)] as char);
            out.push(HEX[usize::from(byte & 0xF)] as char);
        }
    }
    out
}

/// JSON for a `<script>` element: nothing in it can close the element or start a comment.
pub fn script_safe_json(json: &str) -> String {
    // The bytes that may start something to escape: `<`, `>`, `&`, and 0xE2, the first
    // byte of U+2028 and U+2029 (E2 80 A8, E2 80 A9) in UTF-8.
    static SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        table[b'<' as usize] = true;
        table[b'>' as usize] = true;
        table[b'&' as usize] = true;
        table[0xE2] = true;
        table
    };
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        if !SPECIAL[usize::from(bytes[at])] {
            at += 1;
            continue;
        }
        let (escape, len) = match &bytes[at..] {
            [b'<', ..] => ("\\u003c", 1),
            [b'>', ..] => ("\\u003e", 1),
            [b'&', ..] => ("\\u0026", 1),
            [0xE2, 0x80, 0xA8, ..] => ("\\u2028", 3),
            [0xE2, 0x80, 0xA9, ..] => ("\\u2029", 3),
            _ => {
                at += 1;
                continue;
            }
        };
        out.push_str(&json[copied..at]);
        out.push_str(escape);
        at += len;
        copied = at;
    }
    out.push_str(&json[copied..]);
    out
}

fn json_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let pretty = kwargs.get::<bool>("pretty")?.unwrap_or(false);
    let json =
        if pretty { serde_json::to_string_pretty(value) } else { serde_json::to_string(value) }
            .map_err(|e| tera::Error::message(format!("json filter: {e}")))?;
    Ok(Value::safe_string(&script_safe_json(&json)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_folder_and_extension() {
        let name = hashed_name("css/style.css", b"body{}");
        assert!(
            name.starts_with("css/style.")
                && name.ends_with(".css")
                && name.len() == "css/style..css".len() + 10
        );
        assert_ne!(name, hashed_name("css/style.css", b"body{ }"));
    }

    #[test]
    fn json_cannot_close_a_script() {
        let text = "</script><!-- a&b \u{2028}\u{2029} é";
        let json =
            script_safe_json(&serde_json::to_string(&serde_json::json!({ "t": text })).unwrap());
        assert_eq!(json, r#"{"t":"\u003c/script\u003e\u003c!-- a\u0026b \u2028\u2029 é"}"#);
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap()["t"], text);
    }

    #[test]
    fn fixed_strings_are_folded_into_templates_and_others_left() {
        let fixed = std::collections::HashMap::from([("share", "Partager"), ("q", "a \"b\" & c")]);
        let text = r#"<a>{{ t(key="share") }}</a>{{t(key="q")}}{{ t(key="min_read", count=2) }}{{ t(key="none") }}"#;
        assert_eq!(
            fold_fixed_texts(text, &fixed, true).unwrap(),
            r#"<a>Partager</a>a &quot;b&quot; &amp; c{{ t(key="min_read", count=2) }}{{ t(key="none") }}"#
        );
        assert_eq!(fold_fixed_texts("{{ x }}", &fixed, true), None);
    }

    #[test]
    fn urlencode_escapes_reserved_characters() {
        assert_eq!(urlencode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
