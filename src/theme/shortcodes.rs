//! Shortcodes: the templates of a theme's `templates/shortcodes/` folder, what each
//! declares it accepts, and how a call is checked and rendered (issue 18).
//!
//! A template declares its arguments in a comment on its first line:
//! `{#- args: id: string, title: string, start?: number, body?: markdown -#}`. Types are
//! `string`, `number`, `boolean`, `https` (an `https://` address) and `any`; a `?` marks
//! an optional argument; `body: markdown` makes it a block (`{% name() %}` … `{% end %}`)
//! and `body?: markdown` lets it be either. A template without the comment takes any
//! arguments, inline or as a block.

use std::collections::BTreeMap;

use tera::{Context, Tera, Value};

use crate::config::Config;
use crate::markdown::{Call, Culprit, Refusal, Shortcodes};

/// Where shortcode templates live, inside `templates/`.
pub const FOLDER: &str = "shortcodes/";

/// What a shortcode template accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// `None` when the template declares nothing: anything goes.
    params: Option<Vec<Param>>,
    body: Body,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Body {
    /// Only inline.
    None,
    /// Only a block.
    Required,
    /// Either.
    #[default]
    Optional,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Param {
    name: String,
    kind: Kind,
    required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Number,
    /// A whole number within bounds: `integer`, `integer(0..)`, `integer(100..2000)`.
    Integer(Option<i64>, Option<i64>),
    Boolean,
    Https,
    Any,
}

impl Kind {
    fn parse(text: &str) -> Option<Kind> {
        Some(match text {
            "string" => Kind::String,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "https" => Kind::Https,
            "any" => Kind::Any,
            "integer" => Kind::Integer(None, None),
            _ => {
                let bounds = text.strip_prefix("integer(")?.strip_suffix(')')?;
                let (low, high) = bounds.split_once("..")?;
                let bound = |b: &str| -> Option<Option<i64>> {
                    let b = b.trim();
                    if b.is_empty() { Some(None) } else { b.parse().ok().map(Some) }
                };
                Kind::Integer(bound(low)?, bound(high)?)
            }
        })
    }

    /// Whether `value` is of this kind.
    fn fits(self, value: &serde_json::Value) -> bool {
        match self {
            Kind::String => value.is_string(),
            Kind::Number => value.is_number(),
            Kind::Integer(low, high) => value.as_i64().is_some_and(|n| {
                low.is_none_or(|low| n >= low) && high.is_none_or(|high| n <= high)
            }),
            Kind::Boolean => value.is_boolean(),
            Kind::Https => value.as_str().is_some_and(|s| {
                s.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) && s.len() > 8
            }),
            Kind::Any => true,
        }
    }

    fn describe(self) -> String {
        match self {
            Kind::String => "text in quotes".to_owned(),
            Kind::Number => "a number".to_owned(),
            Kind::Integer(None, None) => "a whole number".to_owned(),
            Kind::Integer(Some(low), None) => format!("a whole number of {low} or more"),
            Kind::Integer(None, Some(high)) => format!("a whole number of {high} or less"),
            Kind::Integer(Some(low), Some(high)) => {
                format!("a whole number from {low} to {high}")
            }
            Kind::Boolean => "`true` or `false`".to_owned(),
            Kind::Https => "an `https://` address in quotes".to_owned(),
            Kind::Any => "a value".to_owned(),
        }
    }

    fn example(self, name: &str) -> String {
        match self {
            Kind::Number => format!("`{name}=400`"),
            Kind::Integer(low, high) => {
                let n = match (low, high) {
                    (Some(low), None) => low,
                    _ if low.is_none_or(|l| l <= 400) && high.is_none_or(|h| h >= 400) => 400,
                    _ => low.or(high).unwrap_or(0),
                };
                format!("`{name}={n}`")
            }
            Kind::Boolean => format!("`{name}=true`"),
            Kind::Https => format!("`{name}=\"https://…\"`"),
            Kind::String | Kind::Any => format!("`{name}=\"…\"`"),
        }
    }
}

/// Reads the declaration comment at the start of a shortcode template; `Err` says what
/// is wrong with it.
pub fn parse_signature(text: &str) -> Result<Signature, String> {
    let trimmed = text.trim_start();
    let Some(comment) = trimmed.strip_prefix("{#") else { return Ok(Signature::default()) };
    let Some(end) = comment.find("#}") else { return Ok(Signature::default()) };
    let comment = comment[..end].trim_matches(|c: char| c == '-' || c.is_whitespace());
    let Some(list) = comment.strip_prefix("args:") else { return Ok(Signature::default()) };
    let mut params = Vec::new();
    let mut body = Body::None;
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, kind) = item
            .split_once(':')
            .ok_or_else(|| format!("`{item}` needs a type: `{item}: string`"))?;
        let (name, kind) = (name.trim(), kind.trim());
        let (name, required) = match name.strip_suffix('?') {
            Some(name) => (name.trim(), false),
            None => (name, true),
        };
        if name == "body" {
            if kind != "markdown" {
                return Err(format!("`body` has the type `markdown`, not `{kind}`"));
            }
            body = if required { Body::Required } else { Body::Optional };
            continue;
        }
        let kind = Kind::parse(kind).ok_or_else(|| {
            format!(
                "`{kind}` is not a type; use `string`, `number`, `integer`, `integer(0..)`, \
                 `boolean`, `https` or `any`"
            )
        })?;
        params.push(Param { name: name.to_owned(), kind, required });
    }
    Ok(Signature { params: Some(params), body })
}

/// Renders the shortcode calls of article bodies with a theme's templates.
pub struct Renderer<'a> {
    tera: &'a Tera,
    signatures: &'a BTreeMap<String, Signature>,
    /// `site` as each language's shortcodes see it, by language code (one for a site
    /// in one language).
    sites: BTreeMap<String, Value>,
    default_language: String,
}

impl<'a> Renderer<'a> {
    pub fn new(
        tera: &'a Tera,
        signatures: &'a BTreeMap<String, Signature>,
        config: &Config,
    ) -> Self {
        // A site in several languages: an article's shortcodes see its language's title,
        // description and address (issue 19).
        let view = |config: &Config| {
            Value::from_serializable(&serde_json::json!({
                "title": config.title,
                "base_url": config.base_url.as_str(),
                "language": config.language,
                "description": config.description,
                "extra": config.extra,
            }))
        };
        let mut sites = BTreeMap::new();
        for code in config.language_codes() {
            if let Some(language) = config.for_language(code).filter(|_| *code != config.language) {
                sites.insert((*code).to_owned(), view(&language));
            }
        }
        sites.insert(config.language.clone(), view(config));
        Renderer { tera, signatures, sites, default_language: config.language.clone() }
    }

    fn check(&self, call: &Call, signature: &Signature, block: bool) -> Result<(), Refusal> {
        let name = &call.name;
        match (signature.body, block) {
            (Body::None, true) => {
                return Err(Refusal {
                    message: format!("the shortcode `{name}` takes no body"),
                    hint: Some(format!(
                        "write `{{{{ {name}(…) }}}}` on a line of its own, without `{{% end %}}`"
                    )),
                    at: Culprit::Call,
                });
            }
            (Body::Required, false) => {
                return Err(Refusal {
                    message: format!("the shortcode `{name}` needs a body"),
                    hint: Some(format!(
                        "write `{{% {name}(…) %}}`, the text on the lines below, then `{{% end %}}`"
                    )),
                    at: Culprit::Call,
                });
            }
            _ => {}
        }
        let Some(params) = &signature.params else { return Ok(()) };
        for (key, value) in &call.args {
            let Some(param) = params.iter().find(|p| &p.name == key) else {
                let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                let hint = match closest(key, names.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None if names.is_empty() => format!("`{name}` takes no arguments"),
                    None => format!("`{name}` takes {}", list(&names)),
                };
                return Err(Refusal {
                    message: format!("the shortcode `{name}` has no argument `{key}`"),
                    hint: Some(hint),
                    at: Culprit::Argument(key.clone()),
                });
            };
            if param.required && value.as_str().is_some_and(|s| s.trim().is_empty()) {
                return Err(Refusal {
                    message: format!("the argument `{key}` of `{name}` is empty"),
                    hint: Some(format!(
                        "`{name}` needs it: write it as {}",
                        param.kind.example(key)
                    )),
                    at: Culprit::Argument(key.clone()),
                });
            }
            if !param.kind.fits(value) {
                let shown = match value {
                    serde_json::Value::String(s) => format!("\"{s}\""),
                    other => other.to_string(),
                };
                let hint = if param.kind == Kind::Https {
                    "frames load only over https, so that nothing on the way can change \
                     them; use the address's `https://` form"
                        .to_owned()
                } else {
                    format!("write it as {}", param.kind.example(key))
                };
                return Err(Refusal {
                    message: format!(
                        "the argument `{key}` of `{name}` must be {}, not `{shown}`",
                        param.kind.describe()
                    ),
                    hint: Some(hint),
                    at: Culprit::Argument(key.clone()),
                });
            }
        }
        let missing: Vec<&Param> =
            params.iter().filter(|p| p.required && !call.args.contains_key(&p.name)).collect();
        if let Some(first) = missing.first() {
            let names: Vec<&str> = missing.iter().map(|p| p.name.as_str()).collect();
            let message = if missing.len() == 1 {
                format!("the shortcode `{name}` needs the argument `{}`", first.name)
            } else {
                format!("the shortcode `{name}` needs the arguments {}", list(&names))
            };
            let add: Vec<String> = missing.iter().map(|p| p.kind.example(&p.name)).collect();
            return Err(Refusal {
                message,
                hint: Some(format!("add {}", add.join(", "))),
                at: Culprit::Call,
            });
        }
        Ok(())
    }
}

impl Shortcodes for Renderer<'_> {
    fn render(
        &self,
        call: &Call,
        body: Option<&str>,
        page: &serde_json::Value,
    ) -> Result<String, Refusal> {
        let name = &call.name;
        let Some(signature) = self.signatures.get(name) else {
            let hint = match closest(name, self.signatures.keys().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "the theme's shortcodes are {}; a site adds its own as \
                     `themes/<theme>/templates/shortcodes/{name}.html`",
                    list(&self.signatures.keys().map(String::as_str).collect::<Vec<_>>())
                ),
            };
            return Err(Refusal {
                message: format!("there is no shortcode `{name}`"),
                hint: Some(hint),
                at: Culprit::Name,
            });
        };
        self.check(call, signature, body.is_some())?;
        let mut context = Context::new();
        // The article's language, which `t()` and `date` speak (issue 19); an argument
        // of the same name replaces it.
        let lang = page.get("lang").and_then(|l| l.as_str()).unwrap_or(&self.default_language);
        context.insert("lang", lang);
        for (key, value) in call.extra.iter().chain(&call.args) {
            context.insert(key.clone(), value);
        }
        // The host of an `https` argument, for "hosted by …" notes.
        let https = signature.params.iter().flatten().filter(|p| p.kind == Kind::Https);
        if let Some(url) = https.filter_map(|p| call.args.get(&p.name)?.as_str()).next() {
            let rest = &url["https://".len()..];
            let host = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            context.insert("host", host);
        }
        if let Some(body) = body {
            context.insert_value("body", Value::safe_string(body));
        }
        context.insert("page", page);
        let site = self.sites.get(lang).or_else(|| self.sites.get(&self.default_language));
        context.insert_value("site", site.expect("the default language's view").clone());
        self.tera.render(&format!("{FOLDER}{name}.html"), &context).map_err(|e| Refusal {
            message: format!("the shortcode `{name}` failed: {}", reason(&e)),
            hint: None,
            at: Culprit::Call,
        })
    }
}

/// The message of a render error, without Tera's report around it: a template's
/// `throw(message=…)` reads as written.
fn reason(error: &tera::Error) -> String {
    let mut innermost = match error.kind() {
        tera::ErrorKind::RenderingError(report) | tera::ErrorKind::SyntaxError(report) => {
            report.message().to_owned()
        }
        other => other.to_string(),
    };
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        innermost = c.to_string();
        cause = c.source();
    }
    innermost
}

/// The name in `names` nearest to `wanted`, when it is near enough to be a typo.
fn closest<'n>(wanted: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    names
        .map(|n| (strsim::damerau_levenshtein(wanted, n), n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
}

/// `a`, `a` and `b`, `a`, `b` and `c`: each in backticks.
fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => "none".to_owned(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_read_names_types_and_body() {
        let s = parse_signature(
            "{#- args: url: https, title: string, height?: number, body?: markdown -#}\n<div>",
        )
        .unwrap();
        let params = s.params.unwrap();
        assert_eq!(params.len(), 3);
        assert_eq!(
            (params[2].name.as_str(), params[2].kind, params[2].required),
            ("height", Kind::Number, false)
        );
        assert_eq!(s.body, Body::Optional);
        assert_eq!(parse_signature("<p>{{ x }}</p>").unwrap(), Signature::default());
        assert_eq!(
            parse_signature("{# args: a: strin #}").unwrap_err(),
            "`strin` is not a type; use `string`, `number`, `integer`, `integer(0..)`, `boolean`, `https` or `any`"
        );
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(closest("yotube", ["youtube", "video"].into_iter()), Some("youtube"));
        assert_eq!(closest("map", ["youtube", "video"].into_iter()), None);
    }
}
