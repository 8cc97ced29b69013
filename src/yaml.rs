//! The only serde_yaml caller: parses YAML and maps its errors to lines of the whole file.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, Location};

/// Parses `text`, which starts on line `first_line` (1-based) of the file at `path`.
///
/// `fallback_line` is where errors that serde_yaml cannot place (a missing key, for
/// instance) point: usually the line that opens the block.
pub fn from_str<T: DeserializeOwned>(
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
) -> Result<T, Diagnostic> {
    serde_yaml::from_str(text).map_err(|e| to_diagnostic(&e, path, first_line, fallback_line, text))
}

fn to_diagnostic(
    err: &serde_yaml::Error,
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
) -> Diagnostic {
    let message = err.to_string();
    // serde_yaml ends messages with "at line N column M", counted inside the block. It
    // only says so when it knows; otherwise `location()` is a meaningless 1:1.
    let (reason, placed) = match message.rfind(" at line ") {
        Some(i) => (&message[..i], true),
        None => (message.as_str(), false),
    };
    let (field_path, reason) = split_field_path(reason);
    let mut at = Location::new(path, fallback_line);
    if placed && let Some(l) = err.location() {
        at = Location::new(path, first_line + l.line() - 1).with_column(l.column());
    }

    if let Some(rest) = reason.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(expected);
        let mut d = Diagnostic::error(at, format!("{}unknown key `{key}`", prefix(field_path)));
        let custom = known.contains(&"extra").then_some("custom data goes under `extra`");
        d = match (nearest(key, &known), custom) {
            (Some(near), Some(custom)) => d.with_hint(format!("did you mean `{near}`? ({custom})")),
            (Some(near), None) => d.with_hint(format!("did you mean `{near}`?")),
            (None, Some(custom)) => d.with_hint(custom),
            (None, None) => d.with_hint(format!("expected one of {}", quote_list(&known))),
        };
        return d;
    }
    if let Some(rest) = reason.strip_prefix("missing field `") {
        let key = rest.trim_end_matches('`');
        return Diagnostic::error(
            at,
            format!("{}missing required key `{key}`", prefix(field_path)),
        )
        .with_hint(format!("add a line `{key}: ...`"));
    }
    if let Some(rest) = reason.strip_prefix("duplicate field `") {
        let key = rest.trim_end_matches('`');
        if !placed && field_path.is_empty() {
            if let Some((line, column)) =
                top_level_keys(text).filter(|(k, ..)| *k == key).nth(1).map(|(_, l, c)| (l, c))
            {
                at = Location::new(path, first_line + line - 1).with_column(column);
            }
        }
        return Diagnostic::error(at, format!("{}key `{key}` appears twice", prefix(field_path)))
            .with_hint("keep one of them");
    }
    let message =
        format!("{}{}", prefix(field_path), reason.replace("invalid type: ", "expected "));
    Diagnostic::error(at, fix_expected_wording(&message))
}

/// serde_yaml prefixes nested errors with the key path, as in `faq[0]: ...`.
fn split_field_path(reason: &str) -> (&str, &str) {
    match reason.split_once(": ") {
        Some((head, tail))
            if !head.is_empty()
                && head.chars().all(|c| c.is_alphanumeric() || "_-[].".contains(c)) =>
        {
            (head, tail)
        }
        _ => ("", reason),
    }
}

fn prefix(field_path: &str) -> String {
    if field_path.is_empty() { String::new() } else { format!("{field_path}: ") }
}

/// Turns serde's "expected string "x", expected a sequence" into "expected a sequence, found string "x"".
fn fix_expected_wording(message: &str) -> String {
    if let Some(i) = message.find(", expected ") {
        if let Some(j) = message[..i].rfind("expected ") {
            let found = &message[j + "expected ".len()..i];
            let expected = &message[i + ", expected ".len()..];
            return format!("{}expected {expected}, found {found}", &message[..j]);
        }
    }
    message.to_owned()
}

fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn quote_list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// The known key closest to `key`, if any is close enough to be a likely typo.
pub fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let key = key.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(&key, k), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1) + usize::from(k.len() > 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// The top-level keys of a block-style YAML mapping: `(key, line, column)`, 1-based.
///
/// Used to point at a key when serde_yaml cannot say where a problem is.
pub fn top_level_keys(text: &str) -> impl Iterator<Item = (&str, usize, usize)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        if line.starts_with([' ', '\t', '#', '-']) {
            return None;
        }
        let (key, _) = line.split_once(':')?;
        let key = key.trim().trim_matches(['"', '\'']);
        (!key.is_empty()).then_some((key, i + 1, 1))
    })
}

/// Where the value of top-level `key` starts: `(line, column)` inside `text`, 1-based.
pub fn value_position(text: &str, key: &str) -> Option<(usize, usize)> {
    let (_, line, _) = top_level_keys(text).find(|(k, ..)| *k == key)?;
    let source = text.lines().nth(line - 1)?;
    let after_colon = source.find(':')? + 1;
    let skipped = source[after_colon..].len() - source[after_colon..].trim_start().len();
    Some((line, source[..after_colon + skipped].chars().count() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default)]
        extra: Option<serde_yaml::Value>,
    }

    fn err(text: &str) -> Diagnostic {
        from_str::<Doc>(Path::new("a.md"), 2, 1, text).unwrap_err()
    }

    #[test]
    fn unknown_key_points_at_the_file_line_and_suggests_the_nearest() {
        let d = err("title: x\ntitel: y\n");
        assert_eq!(d.to_string(), "a.md:3:1: unknown key `titel`");
        assert_eq!(
            d.hint.as_deref(),
            Some("did you mean `title`? (custom data goes under `extra`)")
        );
    }

    #[test]
    fn unrelated_unknown_key_points_to_extra() {
        let d = err("title: x\nsponsor: y\n");
        assert_eq!(d.hint.as_deref(), Some("custom data goes under `extra`"));
    }

    #[test]
    fn wrong_type_says_what_was_expected() {
        let d = err("title: x\n\ntags: monetary\n");
        assert_eq!(d.to_string(), "a.md:4:7: tags: expected a sequence, found string \"monetary\"");
    }

    #[test]
    fn missing_key_points_at_the_fallback_line() {
        let d = err("tags: []\n");
        assert_eq!(d.to_string(), "a.md:1: missing required key `title`");
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let d = err("title: x\ntags: []\ntitle: y\n");
        assert_eq!(d.to_string(), "a.md:4:1: key `title` appears twice");
    }

    #[test]
    fn value_position_finds_the_value_column() {
        assert_eq!(value_position("title: x\ndate:   2024\n", "date"), Some((2, 9)));
        assert_eq!(value_position("title: x\n", "date"), None);
    }

    #[test]
    fn nearest_ignores_far_keys() {
        assert_eq!(nearest("tgas", &["tags", "title"]), Some("tags"));
        assert_eq!(nearest("sponsor", &["tags", "title"]), None);
        assert_eq!(nearest("Title", &["tags", "title"]), Some("title"));
    }
}
