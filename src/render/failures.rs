//! Failed pages -> the errors to report: one per distinct template error, naming every
//! article it hit, with a hint for the usual cause.

use std::path::PathBuf;

use crate::error::Error;

/// The error of the template `page_template` that failed on a page (of `article`, if the
/// page is one's). It names the template the error is in, which may be another one
/// (`base.html`, a partial) than the page's, by its `origin` (the file it came from).
pub(super) fn template_error(
    origin: impl Fn(&str) -> String,
    page_template: &str,
    article: Option<PathBuf>,
    source: tera::Error,
) -> Error {
    let (template, at) = match source.kind() {
        tera::ErrorKind::RenderingError(report) => {
            let name = report.filename();
            let template = origin(if name.is_empty() { page_template } else { name });
            let at = crate::theme::report_location(&template, report);
            (template, Some(Box::new(at)))
        }
        _ => (origin(page_template), None),
    };
    let hint = hint(&source);
    let other_pages = usize::from(article.is_none());
    Error::Template {
        template,
        at,
        articles: article.into_iter().collect(),
        other_pages,
        source: Box::new(source),
        hint,
    }
}

/// Joins template errors that differ only in the page they hit: a field that five
/// articles lack, or a mistake in `base.html` that every page shows, is one problem to fix
/// in the template, not one per page (issue 23). Each error keeps the place of its first
/// page; other errors are kept as they are.
pub(super) fn merge(errors: Vec<Error>) -> Vec<Error> {
    let mut merged: Vec<Error> = Vec::with_capacity(errors.len());
    // For each error kept so far, the text that identifies a template failure.
    let mut keys: Vec<Option<(String, String)>> = Vec::with_capacity(errors.len());
    for error in errors {
        let Error::Template { template, at, articles, other_pages, source, hint } = error else {
            merged.push(error);
            keys.push(None);
            continue;
        };
        let key = (template, source.to_string());
        match keys.iter().position(|k| k.as_ref() == Some(&key)).map(|i| &mut merged[i]) {
            Some(Error::Template { articles: into, other_pages: pages, .. }) => {
                into.extend(articles);
                *pages += other_pages;
            }
            _ => {
                let template = key.0.clone();
                merged.push(Error::Template { template, at, articles, other_pages, source, hint });
                keys.push(Some(key));
            }
        }
    }
    merged
}

/// What to do about a template error, when its cause is a usual one: a field or variable
/// that some pages do not set.
fn hint(source: &tera::Error) -> Option<String> {
    let tera::ErrorKind::RenderingError(report) = source.kind() else {
        return None;
    };
    let message = report.message();
    let name = undefined_name(message)?;
    // Tera lists what the value does have: a name close to one of those is a typo.
    let known: Vec<&str> = message
        .split_once("Available fields: ")
        .or_else(|| message.split_once("Available variables: "))
        .map(|(_, list)| list.trim_end_matches('.').split(", ").collect())
        .unwrap_or_default();
    if let Some(near) = crate::yaml::nearest(name, &known).filter(|near| *near != name) {
        return Some(format!("did you mean `{near}`?"));
    }
    let span = report.span();
    let expression = source
        .to_string()
        .lines()
        .nth(3)
        .and_then(|line| line.strip_prefix(&format!("{} | ", span.start_line)))
        .and_then(|line| expression_at(line, span.start_col, name))
        .unwrap_or_else(|| name.to_owned());
    Some(format!(
        "print `{expression}` only where it is set, with `{{% if {expression} %}}…{{% endif %}}`, \
         or give it a default: `{{{{ {expression} | default(value=\"\") }}}}`"
    ))
}

/// The name in Tera's "Field `x` is not defined" or "Variable `x` …" message.
fn undefined_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("Field `").or_else(|| message.strip_prefix("Variable `"))?;
    let (name, after) = rest.split_once('`')?;
    (after.starts_with(" is not defined")
        || after.starts_with(" exists but its value is undefined"))
    .then_some(name)
}

/// The dotted path that ends with `name` at character `column` of `line`:
/// `page.extra.sponsor` for the field `sponsor`.
fn expression_at(line: &str, column: usize, name: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let end = column + name.chars().count();
    if end > chars.len() || chars[column..end].iter().collect::<String>() != name {
        return None;
    }
    let is_path = |c: &char| c.is_alphanumeric() || matches!(c, '_' | '.' | '?');
    let start = column - chars[..column].iter().rev().take_while(|c| is_path(c)).count();
    let expression: String = chars[start..end].iter().collect();
    (!expression.starts_with('.')).then_some(expression)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expression_reaches_back_over_the_dotted_path() {
        let line = r#"<p>{{ page.extra.sponsor }}</p>"#;
        assert_eq!(expression_at(line, 17, "sponsor").as_deref(), Some("page.extra.sponsor"));
        assert_eq!(expression_at("{{ sponsor }}", 3, "sponsor").as_deref(), Some("sponsor"));
        assert_eq!(expression_at("{{ sponsor }}", 4, "sponsor"), None);
    }

    #[test]
    fn undefined_name_reads_fields_and_variables_only() {
        assert_eq!(undefined_name("Field `sponsor` is not defined."), Some("sponsor"));
        assert_eq!(
            undefined_name("Variable `x` is not defined. Available variables: page"),
            Some("x")
        );
        assert_eq!(undefined_name("Variable `x` exists but its value is undefined"), Some("x"));
        assert_eq!(undefined_name("Filter `x` not found"), None);
    }

    fn render_error(template: &str) -> tera::Error {
        let mut tera = tera::Tera::default();
        tera.add_raw_template("t.html", template).expect("the template parses");
        let mut context = tera::Context::new();
        context.insert("page", &serde_json::json!({ "title": "T", "extra": {} }));
        tera.render("t.html", &context).expect_err("the template fails")
    }

    #[test]
    fn a_field_some_pages_lack_gets_the_if_and_default_forms() {
        let hint = hint(&render_error("<p>{{ page.extra.sponsor }}</p>"));
        assert_eq!(
            hint.as_deref(),
            Some(
                "print `page.extra.sponsor` only where it is set, with \
                 `{% if page.extra.sponsor %}…{% endif %}`, or give it a default: \
                 `{{ page.extra.sponsor | default(value=\"\") }}`"
            )
        );
    }

    #[test]
    fn a_misspelt_field_gets_the_nearest_name() {
        let hint = hint(&render_error("<h1>{{ page.titel }}</h1>"));
        assert_eq!(hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn a_render_error_keeps_where_it_is_in_the_template() {
        let origin = |name: &str| format!("themes/x/{name}");
        let error =
            template_error(origin, "page.html", None, render_error("<p>{{ page.nope }}</p>"));
        let Error::Template { at, source, .. } = error else { panic!("a template error") };
        assert!(source.to_string().contains("--> t.html:1:12"), "{source}");
        // Column 12: `nope`, counted from 1 as Tera's own `--> t.html:1:12` pointer does.
        let expected = crate::error::Location::new("themes/x/t.html", 1).with_column(12);
        assert_eq!(at.as_deref(), Some(&expected));
    }

    #[test]
    fn the_same_failure_on_several_pages_is_one_error() {
        let origin = |name: &str| format!("themes/x/{name}");
        let fail = |article: Option<&str>, template: &str| {
            template_error(
                origin,
                "article.html",
                article.map(PathBuf::from),
                render_error(template),
            )
        };
        let sponsor = "<p>{{ page.extra.sponsor }}</p>";
        let merged = merge(vec![
            fail(Some("a.md"), sponsor),
            fail(None, "{{ nope }}"),
            fail(Some("b.md"), sponsor),
            fail(None, sponsor),
            fail(Some("c.md"), sponsor),
        ]);
        assert_eq!(merged.len(), 2);
        // Named by the template the error is in (`t.html`), not the page's.
        assert_eq!(
            merged[0].to_string(),
            "template `themes/x/t.html` failed to render 4 pages, 3 of them articles: \
             a.md, b.md, c.md"
        );
        assert_eq!(merged[1].to_string(), "template `themes/x/t.html` failed");
        let one = merge(vec![fail(Some("a.md"), sponsor)]);
        assert_eq!(
            one[0].to_string(),
            "a.md: template `themes/x/t.html` failed to render this article"
        );
    }
}
