//! The only serde_yaml caller: parses YAML and maps its errors to lines of the whole file.

use std::collections::HashMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Diagnostic, DiagnosticKind, Location};

/// Parses `text`, which starts on line `first_line` (1-based) of the file at `path`.
///
/// `fallback_line` is where errors that serde_yaml cannot place (a missing key, for
/// instance) point: usually the line that opens the block.
pub(crate) fn from_str<T: DeserializeOwned>(
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
) -> Result<T, Diagnostic> {
    if let Some((line, column)) = too_deep(text) {
        let at = Location::new(path, first_line + line - 1).with_column(column);
        return Err(Diagnostic::error(
            at,
            format!("invalid YAML: lists and maps nest more than {MAX_FLOW_DEPTH} deep here"),
        )
        .with_kind(DiagnosticKind::InvalidYaml)
        .with_hint("flatten this value: front matter needs only a few levels")
        .with_excerpt_from(text, first_line, Some(1)));
    }
    if let Some((line, column)) = aliases_too_big(text) {
        let at = Location::new(path, first_line + line - 1).with_column(column);
        return Err(Diagnostic::error(at, "invalid YAML: aliases (`*name`) repeat too much data")
            .with_kind(DiagnosticKind::InvalidYaml)
            .with_hint(format!(
                "aliases may repeat up to {} MB in all: write the values out instead",
                MAX_ALIASED_BYTES >> 20
            ))
            .with_excerpt_from(text, first_line, Some(1)));
    }
    serde_yaml::from_str(text).map_err(|e| to_diagnostic(&e, path, first_line, fallback_line, text))
}

/// How much data aliases may repeat. libyaml limits how many times they repeat, not
/// how much: a 500 KB anchor named 2,000 times would become a gigabyte in memory.
const MAX_ALIASED_BYTES: usize = 16 << 20;

/// Where the aliases of `text` first repeat more than [`MAX_ALIASED_BYTES`], as a 1-based
/// line and column, by an estimate that errs on the large side: an anchored value spans
/// the rest of its line and the more indented lines below, and an alias inside it
/// repeats its own anchor's size each time.
fn aliases_too_big(text: &str) -> Option<(usize, usize)> {
    if !text.contains('&') || !text.contains('*') {
        return None;
    }
    // (is_anchor, name, byte offset, end of the anchored value)
    let mut marks: Vec<(bool, &str, usize, usize)> = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    for (i, line) in lines.iter().enumerate() {
        let bytes = line.as_bytes();
        for (j, &b) in bytes.iter().enumerate() {
            if (b != b'&' && b != b'*') || (j > 0 && !b" \t[{,".contains(&bytes[j - 1])) {
                continue;
            }
            let name_len = line[j + 1..]
                .find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                .unwrap_or(line.len() - j - 1);
            if name_len == 0 {
                continue;
            }
            let name = &line[j + 1..j + 1 + name_len];
            let mut end = offset + line.len();
            if b == b'&' {
                let own = indent(line);
                for next in &lines[i + 1..] {
                    if !next.trim().is_empty() && indent(next) <= own {
                        break;
                    }
                    end += next.len();
                }
            }
            marks.push((b == b'&', name, offset + j, end));
        }
        offset += line.len();
    }
    // Anchors nest: an alias inside an open anchor makes it bigger by what it repeats.
    // Each open anchor keeps what its aliases added until it closes, then passes it on.
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    let mut open: Vec<(&str, usize, usize)> = Vec::new(); // (name, end, added)
    let mut total: usize = 0;
    for (is_anchor, name, at, end) in marks {
        while let Some(&(_, closes, _)) = open.last()
            && closes <= at
        {
            let (done, _, added) = open.pop().expect("checked above");
            *sizes.entry(done).or_default() += added;
            if let Some(parent) = open.last_mut() {
                parent.2 = parent.2.saturating_add(added);
            }
        }
        if is_anchor {
            sizes.insert(name, end - at);
            open.push((name, end, 0));
            continue;
        }
        let Some(&repeated) = sizes.get(name) else { continue };
        if let Some(parent) = open.last_mut() {
            parent.2 = parent.2.saturating_add(repeated);
        }
        total = total.saturating_add(repeated);
        if total > MAX_ALIASED_BYTES {
            let line = text[..at].matches('\n').count() + 1;
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            return Some((line, text[line_start..at].chars().count() + 1));
        }
    }
    None
}

/// What [`from_str_all`] recovered from a block with errors.
pub(crate) struct Partial<T> {
    /// Every problem found, in the order found.
    pub problems: Vec<Diagnostic>,
    /// The block parsed with the faulty top-level keys left out (and required ones stood
    /// in for), so later checks can still look at the rest; `None` when nothing parses.
    pub value: Option<T>,
    /// The top-level keys left out or stood in for: their values in `value` mean nothing.
    pub skipped: Vec<String>,
}

/// Like [`from_str`], but goes on after an error to report the problems of the other
/// keys too. serde stops at the first problem, so each faulty top-level key is blanked
/// out (line numbers kept) and the block parsed again; a required key that is missing
/// or blanked out gets the value `stand_in` gives it, or the search stops there.
///
/// A syntax error blanks the key that holds it the same way, so the rest of the block
/// still counts (issue 23). libyaml may place a syntax error after its cause (an unclosed
/// quote is found at the end of the block), so later syntax errors are taken as echoes of
/// the first: their keys are blanked without a report of their own. A syntax error no key
/// holds blanks the whole block: the file then stands on its body alone.
pub(crate) fn from_str_all<T: DeserializeOwned>(
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
    stand_in: impl Fn(&str) -> Option<&'static str>,
) -> Result<T, Partial<T>> {
    /// Enough for any real block; each round parses the block once more.
    const MAX_ROUNDS: usize = 32;
    /// Bytes all rounds together may parse: a block of a megabyte gets a few rounds, not
    /// 32, so its cost stays a small multiple of its size (issue 22).
    const MAX_BYTES_PARSED: usize = 4 << 20;
    let rounds = (MAX_BYTES_PARSED / text.len().max(1)).clamp(1, MAX_ROUNDS);
    let first = match from_str(path, first_line, fallback_line, text) {
        Ok(value) => return Ok(value),
        Err(d) => d,
    };
    let mut partial = Partial { problems: Vec::new(), value: None, skipped: Vec::new() };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut next = Some(first);
    let (mut seen_syntax, mut blanked_all) = (false, false);
    for _ in 0..rounds {
        let Some(problem) = next.take() else { break };
        let missing = match problem.kind() {
            DiagnosticKind::MissingKey { parent, key } if parent.is_empty() => Some(key.clone()),
            _ => None,
        };
        let key = if let Some(key) = missing {
            let Some(value) = stand_in(&key) else {
                partial.problems.push(problem);
                break;
            };
            // A key blanked out for its own problem is not also missing.
            if !partial.skipped.contains(&key) && !blanked_all {
                partial.problems.push(problem);
            }
            lines.push(format!("{key}: {value}"));
            Some(key)
        } else {
            let syntax = *problem.kind() == DiagnosticKind::InvalidYaml;
            let line = problem.at.line.checked_sub(first_line).map(|i| i + 1);
            // One syntax error is reported; the ones after it are usually its echoes.
            if !(syntax && seen_syntax) {
                partial.problems.push(problem);
            }
            seen_syntax |= syntax;
            match line.and_then(|l| blank_block(&mut lines, l)) {
                Some(key) => Some(key),
                None if syntax && !blanked_all => {
                    // Every value is lost; the required keys stand in, unreported.
                    blanked_all = true;
                    let keys = lines.iter().filter_map(|l| top_level_key(l));
                    let keys: Vec<String> = keys.map(str::to_owned).collect();
                    partial.skipped.extend(keys);
                    lines.iter_mut().for_each(String::clear);
                    None
                }
                None => break,
            }
        };
        partial.skipped.extend(key);
        match from_str(path, first_line, fallback_line, &lines.join("\n")) {
            Ok(value) => {
                partial.value = Some(value);
                break;
            }
            // The same problem again: blanking did not help. (A syntax error may stay
            // put while the keys after it are blanked one by one.)
            Err(d)
                if *d.kind() != DiagnosticKind::InvalidYaml
                    && partial.problems.iter().any(|p| p.at == d.at && p.message == d.message) =>
            {
                break;
            }
            Err(d) => next = Some(d),
        }
    }
    Err(partial)
}

/// Blanks out the top-level key whose block holds `line` (1-based), the key's own line
/// and its indented lines; returns the key, or `None` when no such key holds the line.
fn blank_block(lines: &mut [String], line: usize) -> Option<String> {
    let start = (0..line.min(lines.len())).rev().find(|&i| top_level_key(&lines[i]).is_some())?;
    let key = top_level_key(&lines[start])?.to_owned();
    let end = (start + 1..lines.len())
        .find(|&i| top_level_key(&lines[i]).is_some())
        .unwrap_or(lines.len());
    for text in &mut lines[start..end] {
        text.clear();
    }
    Some(key)
}

/// How deep `[` and `{` may nest. serde_yaml refuses more than 128 levels anyway, but only
/// after libyaml has scanned the whole block, in time that grows with the square of the
/// depth: a few hundred kilobytes of `[` would take minutes.
const MAX_FLOW_DEPTH: usize = 64;

/// Where `[`/`{` first nest deeper than [`MAX_FLOW_DEPTH`], as a 1-based line and column
/// of `text`. Brackets inside quoted text and comments do not count; a quote opens quoted
/// text only where YAML allows one (after a space, a bracket, a comma or a colon).
fn too_deep(text: &str) -> Option<(usize, usize)> {
    // Real front matter opens a handful of brackets: too few to nest that deep.
    if text.bytes().filter(|&b| b == b'[' || b == b'{').count() <= MAX_FLOW_DEPTH {
        return None;
    }
    let (mut depth, mut line, mut line_start) = (0usize, 1, 0);
    let mut quote: Option<u8> = None;
    let mut previous = b'\n';
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        match quote {
            Some(b'"') if byte == b'\\' => i += 1,
            Some(q) if byte == q => {
                // '' inside single quotes is an escaped quote.
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None => match byte {
                // A comment runs to the end of the line.
                b'#' if b" \t\n".contains(&previous) => {
                    while i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                        i += 1;
                    }
                }
                b'"' | b'\'' if b" \t\n[{,:".contains(&previous) => quote = Some(byte),
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((line, text[line_start..i].chars().count() + 1));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = byte;
        i += 1;
    }
    None
}

fn to_diagnostic(
    err: &serde_yaml::Error,
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
) -> Diagnostic {
    let (diagnostic, underline) = describe(err, path, first_line, fallback_line, text);
    match underline {
        Underline::Nothing => diagnostic,
        Underline::Chars(n) => diagnostic.with_excerpt_from(text, first_line, Some(n)),
        Underline::Value => diagnostic.with_excerpt_from(text, first_line, None),
    }
}

/// What to underline on the line of a YAML error.
enum Underline {
    Nothing,
    Chars(usize),
    /// From the column to the end of the line.
    Value,
}

fn describe(
    err: &serde_yaml::Error,
    path: &Path,
    first_line: usize,
    fallback_line: usize,
    text: &str,
) -> (Diagnostic, Underline) {
    let message = err.to_string();
    // libyaml's syntax errors say "..., while scanning X at line N column M"; serde's
    // errors end with "at line N column M" only when they know where they are.
    let syntax =
        message.contains(", while ") || !message.contains(' ') || is_scanner_error(&message);
    // serde_yaml leaves out "at line 1 column 1", but an unknown key there is still placed.
    let placed = syntax || message.contains(" at line ") || message.contains("unknown field `");
    let mut at = Location::new(path, fallback_line);
    let mut location = None;
    if placed && let Some(l) = err.location() {
        location = Some((l.line(), l.column()));
        at = Location::new(path, first_line + l.line() - 1).with_column(l.column());
    }
    let message = rewrite_positions(&message, location, first_line);
    if message.starts_with("recursion limit exceeded") {
        let d = Diagnostic::error(at, "invalid YAML: values nest too deep here")
            .with_kind(DiagnosticKind::InvalidYaml)
            .with_hint("flatten this value: front matter needs only a few levels");
        return (d, Underline::Chars(1));
    }
    if message.starts_with("repetition limit exceeded") {
        let d = Diagnostic::error(at, "invalid YAML: aliases (`*name`) repeat too much data")
            .with_kind(DiagnosticKind::InvalidYaml)
            .with_hint("write the values out instead of repeating anchors inside anchors");
        return (d, Underline::Nothing);
    }
    let reason = message.as_str();
    let (field_path, reason) = split_field_path(reason);
    if syntax {
        // A quote never closed is found at the end of the block; point at its opening.
        if reason.starts_with("found unexpected end of stream, while scanning a quoted scalar")
            && let Some((line, column)) = context_position(&err.to_string(), location)
        {
            let d = Diagnostic::error(
                Location::new(path, first_line + line - 1).with_column(column),
                "invalid YAML: this quoted text is never closed",
            )
            .with_kind(DiagnosticKind::InvalidYaml)
            .with_hint("close the quote; write a quote inside the text as `\\\"` (or `''` between single quotes)");
            return (d, Underline::Value);
        }
        let source_line = location.and_then(|(line, _)| text.lines().nth(line - 1)).unwrap_or("");
        let mut d = Diagnostic::error(at, format!("invalid YAML: {reason}"))
            .with_kind(DiagnosticKind::InvalidYaml);
        let column = location.map_or(0, |(_, column)| column);
        if let Some(hint) = syntax_hint(reason, source_line, column) {
            d = d.with_hint(hint);
        }
        return (d, Underline::Chars(1));
    }
    if let Some(rest) = reason.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(expected);
        let mut d =
            Diagnostic::error(at, format!("{}unknown key `{key}`", prefix(field_path))).with_kind(
                DiagnosticKind::UnknownKey { parent: field_path.to_owned(), key: key.to_owned() },
            );
        let custom = known.contains(&"extra").then_some("custom data goes under `extra`");
        d = match (nearest(key, &known), custom) {
            (Some(near), Some(custom)) => d.with_hint(format!("did you mean `{near}`? ({custom})")),
            (Some(near), None) => d.with_hint(format!("did you mean `{near}`?")),
            (None, Some(custom)) => d.with_hint(custom),
            (None, None) => d.with_hint(format!("expected one of {}", quote_list(&known))),
        };
        return (d, Underline::Chars(key.chars().count()));
    }
    if let Some(rest) = reason.strip_prefix("missing field `") {
        let key = rest.trim_end_matches('`');
        // serde places a missing top-level key where the mapping starts, wherever that
        // is: point at the block instead.
        let at = if field_path.is_empty() { Location::new(path, fallback_line) } else { at };
        let d =
            Diagnostic::error(at, format!("{}missing required key `{key}`", prefix(field_path)))
                .with_kind(DiagnosticKind::MissingKey {
                    parent: field_path.to_owned(),
                    key: key.to_owned(),
                })
                .with_hint(format!("add a line `{key}: ...`"));
        return (d, Underline::Nothing);
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
        let d = Diagnostic::error(at, format!("{}key `{key}` appears twice", prefix(field_path)))
            .with_kind(DiagnosticKind::DuplicateKey {
                parent: field_path.to_owned(),
                key: key.to_owned(),
            })
            .with_hint("keep one of them");
        return (d, Underline::Chars(key.chars().count()));
    }
    let message =
        format!("{}{}", prefix(field_path), reason.replace("invalid type: ", "expected "));
    // serde's untagged enums (a name or a list of names) say only that nothing matched,
    // and name the type: the caller knows what it takes, and words it.
    let kind = match reason.strip_prefix("data did not match any variant of untagged enum ") {
        Some(type_name) => DiagnosticKind::NoMatchingShape { type_name: type_name.to_owned() },
        None => DiagnosticKind::Other,
    };
    (
        Diagnostic::error(at, fix_expected_wording(&message)).with_kind(kind),
        if placed { Underline::Value } else { Underline::Nothing },
    )
}

/// libyaml scanner messages that carry no "while ..." context.
fn is_scanner_error(message: &str) -> bool {
    [
        "mapping values are not allowed",
        "found character that cannot start",
        "did not find expected",
        "found unexpected end of stream",
        "block sequence entries are not allowed",
        "could not find expected",
    ]
    .iter()
    .any(|m| message.starts_with(m))
}

/// Drops the "at line N column M" that repeats the error's own position and turns the
/// others (where a quote or list began) into lines of the whole file.
fn rewrite_positions(message: &str, location: Option<(usize, usize)>, first_line: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let line_end = tail.find(|c: char| !c.is_ascii_digit()).unwrap_or(tail.len());
        let line: usize = tail[..line_end].parse().unwrap_or(0);
        let after_line = &tail[line_end..];
        let (column, consumed) = match after_line.strip_prefix(" column ") {
            Some(c) => {
                let end = c.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(c.len());
                (c[..end].parse().unwrap_or(0), line_end + " column ".len() + end)
            }
            None => (0, line_end),
        };
        if location != Some((line, column)) && line > 0 {
            out.push_str(&format!(" that starts on line {}", first_line + line - 1));
        }
        rest = &tail[consumed..];
    }
    out.push_str(rest);
    out
}

/// The first "at line N column M" of `message` that is not the error's own position.
fn context_position(message: &str, location: Option<(usize, usize)>) -> Option<(usize, usize)> {
    message.match_indices(" at line ").find_map(|(i, m)| {
        let tail = &message[i + m.len()..];
        let (line, rest) = tail.split_once(" column ")?;
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let position = (line.parse().ok()?, column.parse().ok()?);
        (Some(position) != location).then_some(position)
    })
}

/// What usually causes a YAML syntax error, judging by the message, the line and the
/// error's 1-based column on it (0 when unknown).
fn syntax_hint(reason: &str, line: &str, column: usize) -> Option<&'static str> {
    if line.contains('\t') {
        return Some("YAML indents with spaces only: replace the tabs on this line");
    }
    if ends_single_quoted_early(line, column) {
        // Issue 23: `title: 'The bank's decision'` was told to check its indentation.
        return Some(
            "an apostrophe ended this single-quoted text: inside single quotes, double it \
             (`'The bank''s view'`), or use double quotes (`\"The bank's view\"`)",
        );
    }
    if reason.starts_with("mapping values are not allowed") {
        return Some(
            "a value containing `: ` must be quoted, as in `title: \"Rates: what comes next\"`",
        );
    }
    if reason.contains("quoted scalar") {
        return Some("close the quote, or escape a quote inside the text (`\\\"` or `''`)");
    }
    if reason.contains("flow sequence") {
        return Some("close the list with `]`, and quote items containing `,` or `:`");
    }
    if reason.starts_with("found character that cannot start any token") {
        return Some("quote values that start with `@`, `` ` ``, `%` or `|`");
    }
    if reason.contains("block collection") || reason.contains("did not find expected key") {
        return Some("check the indentation: items of one list or mapping line up");
    }
    None
}

/// Whether the error at `column` (1-based, in characters) of `line` is text right after
/// the `'` that closed a single-quoted value: an apostrophe that ended it too early.
fn ends_single_quoted_early(line: &str, column: usize) -> bool {
    let chars: Vec<char> = line.chars().collect();
    let Some(error) = column.checked_sub(1).filter(|&i| i >= 2 && i < chars.len()) else {
        return false;
    };
    if chars[error - 1] != '\'' || !chars[error].is_alphanumeric() {
        return false;
    }
    // Read each single-quoted value that opens before the error; `''` stays inside one.
    let mut i = 0;
    while i < error - 1 {
        let before = chars[..i].iter().rev().find(|c| **c != ' ');
        let opens = chars[i] == '\'' && matches!(before, None | Some(':' | '-' | '[' | ',' | '{'));
        if !opens {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() {
            if chars[j] == '\'' {
                if chars.get(j + 1) == Some(&'\'') {
                    j += 2;
                    continue;
                }
                break;
            }
            j += 1;
        }
        if j == error - 1 {
            return true;
        }
        i = j + 1;
    }
    false
}

/// serde_yaml prefixes nested errors with the key path, as in `faq[0]: ...`: splits it off.
fn split_field_path(reason: &str) -> (&str, &str) {
    // A map key with spaces (an author's name in authors.yaml) cannot be told from
    // serde's own words in general, but before "unknown field" it can.
    if let Some(at) = reason.find(": unknown field `").filter(|&at| at > 0) {
        return (&reason[..at], &reason[at + 2..]);
    }
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
pub(crate) fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
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
pub(crate) fn top_level_keys(text: &str) -> impl Iterator<Item = (&str, usize, usize)> {
    text.lines().enumerate().filter_map(|(i, line)| top_level_key(line).map(|key| (key, i + 1, 1)))
}

/// The key a line of a block-style mapping starts at the top level, if it does.
fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '#', '-']) {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty()).then_some(key)
}

/// Where the value of top-level `key` starts: `(line, column)` inside `text`, 1-based.
pub(crate) fn value_position(text: &str, key: &str) -> Option<(usize, usize)> {
    Keys::of(text).value_position(key)
}

/// The top-level keys of a block-style mapping, found in one pass over its lines: an
/// article asks where several of its keys are, and each question should not read the
/// block again.
pub(crate) struct Keys<'a> {
    /// Each key, the 1-based number of its line, and the text from that line on.
    found: Vec<(&'a str, usize, &'a str)>,
}

impl<'a> Keys<'a> {
    pub(crate) fn of(text: &'a str) -> Keys<'a> {
        let mut found = Vec::new();
        let mut offset = 0;
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let bare = line.strip_suffix('\n').unwrap_or(line);
            if let Some(key) = top_level_key(bare.strip_suffix('\r').unwrap_or(bare)) {
                found.push((key, i + 1, &text[offset..]));
            }
            offset += line.len();
        }
        Keys { found }
    }

    /// The 1-based line of `key`, and the lines from it to the end of the block.
    pub(crate) fn block(&self, key: &str) -> Option<(usize, std::str::Lines<'a>)> {
        self.found.iter().find(|(k, ..)| *k == key).map(|&(_, line, rest)| (line, rest.lines()))
    }

    /// Where the value of `key` starts: `(line, column)`, 1-based.
    pub(crate) fn value_position(&self, key: &str) -> Option<(usize, usize)> {
        let (line, mut lines) = self.block(key)?;
        let source = lines.next()?;
        let after_colon = source.find(':')? + 1;
        let skipped = source[after_colon..].len() - source[after_colon..].trim_start().len();
        Some((line, source[..after_colon + skipped].chars().count() + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apostrophe_that_ends_single_quoted_text_is_recognised() {
        // The error sits on the letter after the `'` that closed the value (1-based).
        assert!(ends_single_quoted_early("title: 'The bank's view'", 18));
        assert!(ends_single_quoted_early("tags: ['it's', b]", 12));
        assert!(ends_single_quoted_early("  - question: 'What''s the bank's view?'", 33));
        // Not after a closing quote, or a quote that opened no value.
        assert!(!ends_single_quoted_early("title: 'The bank's view'", 17));
        assert!(!ends_single_quoted_early("title: Rate's rise", 13));
        assert!(!ends_single_quoted_early("title: 'Rates' rise", 16));
        assert!(!ends_single_quoted_early("", 0));
    }

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
    fn problems_carry_their_kind() {
        let key = |k: &str| k.to_owned();
        assert_eq!(
            *err("tags: []\n").kind(),
            DiagnosticKind::MissingKey { parent: String::new(), key: key("title") }
        );
        assert_eq!(
            *err("title: x\ntitel: y\n").kind(),
            DiagnosticKind::UnknownKey { parent: String::new(), key: key("titel") }
        );
        assert_eq!(
            *err("title: x\ntitle: y\n").kind(),
            DiagnosticKind::DuplicateKey { parent: String::new(), key: key("title") }
        );
        assert_eq!(*err("title: Rates: what next\n").kind(), DiagnosticKind::InvalidYaml);
        assert_eq!(*err("title: x\n\ntags: monetary\n").kind(), DiagnosticKind::Other);
    }

    #[test]
    fn recovery_goes_on_by_kind_and_past_invalid_yaml() {
        let all = |text: &str| {
            from_str_all::<Doc>(Path::new("a.md"), 2, 1, text, |k| (k == "title").then_some("x"))
                .map(|_| ())
                .unwrap_err()
        };
        // A missing title stands in; the faulty `tags` is blanked out: both reported.
        let partial = all("tags: monetary\n");
        let kinds: Vec<_> = partial.problems.iter().map(|d| d.kind().clone()).collect();
        assert_eq!(
            kinds,
            [
                DiagnosticKind::Other,
                DiagnosticKind::MissingKey { parent: String::new(), key: "title".into() }
            ]
        );
        assert!(partial.value.is_some());
        assert_eq!(partial.skipped, ["tags", "title"]);
        // A syntax error blanks its key: the rest is still read, and the title it took
        // stands in without a report of its own.
        let partial = all("title: Rates: what next\ntags: [a, b]\nextra: 1\n");
        assert_eq!(partial.problems.len(), 1, "{:?}", partial.problems);
        assert_eq!(partial.problems[0].kind(), &DiagnosticKind::InvalidYaml);
        assert_eq!(partial.skipped, ["title", "title"]);
        // Later syntax errors are echoes of the first: one report, every key blanked.
        let partial = all("title: x\ntags: [a, b\nextra: 1\n");
        assert_eq!(partial.problems.len(), 1, "{:?}", partial.problems);
        assert!(partial.value.is_some());
        assert_eq!(partial.skipped, ["extra", "tags"]);
        // A syntax error no key holds blanks the whole block; nothing is called missing.
        let partial = all("\"open\ntitle: x\n");
        assert_eq!(partial.problems.len(), 1, "{:?}", partial.problems);
        assert!(partial.value.is_some(), "{:?} {:?}", partial.problems, partial.skipped);
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let d = err("title: x\ntags: []\ntitle: y\n");
        assert_eq!(d.to_string(), "a.md:4:1: key `title` appears twice");
    }

    #[test]
    fn syntax_errors_name_the_file_line_and_the_usual_cause() {
        let d = err("title: Rates: what next\n");
        assert_eq!(
            d.to_string(),
            "a.md:2:13: invalid YAML: mapping values are not allowed in this context"
        );
        assert!(d.hint.unwrap().contains("must be quoted"));
        let d = err("title: \"open\ntags: []\n");
        assert_eq!(d.to_string(), "a.md:2:8: invalid YAML: this quoted text is never closed");
    }

    #[test]
    fn deep_nesting_is_refused_before_libyaml_sees_it() {
        let deep =
            format!("title: x\nextra: {{ a: {}{} }}\n", "[".repeat(100_000), "]".repeat(100_000));
        let d = err(&deep);
        // Line 3 of the file: the 64th `[` after the `{` at column 8 is the 65th level.
        assert_eq!(
            d.to_string(),
            "a.md:3:76: invalid YAML: lists and maps nest more than 64 deep here"
        );
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let many = "[".repeat(200);
        assert_eq!(too_deep(&format!("title: \"{many}\"\n")), None);
        assert_eq!(too_deep(&format!("title: '{many} it''s'\n")), None);
        assert_eq!(too_deep(&format!("title: x # '{many}\n")), None);
        assert_eq!(too_deep(&format!("title: \"a \\\" {many}\"\n")), None);
        // A quote inside a word opens nothing.
        assert_eq!(too_deep(&format!("title: it's {many}\n")), Some((1, 77)));
        assert_eq!(too_deep(&format!("tags: {}{}\n", "[".repeat(64), "]".repeat(64))), None);
    }

    #[test]
    fn alias_bombs_and_deep_blocks_are_clear_errors() {
        let mut bomb = String::from("title: x\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8u8 {
            let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
            bomb.push_str(&format!(
                "  {name}: &{name} [{}]\n",
                vec![format!("*{prev}"); 10].join(", ")
            ));
        }
        let d = err(&bomb);
        assert!(
            d.to_string().ends_with("invalid YAML: aliases (`*name`) repeat too much data"),
            "{d}"
        );
        let mut deep = String::from("title: x\nextra:\n");
        for i in 1..200 {
            deep.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
        }
        let d = err(&deep);
        assert!(d.to_string().ends_with("invalid YAML: values nest too deep here"), "{d}");
    }

    #[test]
    fn large_anchors_repeated_often_are_refused_early() {
        let big = "x".repeat(500_000);
        let aliases = "*big, ".repeat(2_000);
        let text = format!("title: x\nextra:\n  a: &big \"{big}\"\n  b: [{aliases}]\n");
        assert_eq!(aliases_too_big(&text), Some((4, 205)));
        // Nested: ten copies of a 200 KB anchor, repeated 10 times.
        let mid = format!("  m: &mid [{}]\n", "*big, ".repeat(10));
        let big = "y".repeat(200_000);
        let nested = format!("extra:\n  a: &big {big}\n{mid}  n: [{}]\n", "*mid, ".repeat(10));
        assert!(aliases_too_big(&nested).is_some());
        // Small anchors repeated, and emphasis that only looks like aliases, are fine.
        let fine = format!("a: &n 1\nb: [{}]\nsummary: a *word* & more\n", "*n, ".repeat(5_000));
        assert_eq!(aliases_too_big(&fine), None);
    }

    #[test]
    fn keys_are_found_in_one_pass_whatever_the_line_endings() {
        let text = "title: x\r\ntags:\r\n  - a\r\n# note\r\ndate:   2024\r\n";
        let keys = Keys::of(text);
        assert_eq!(keys.value_position("date"), Some((5, 9)));
        assert_eq!(keys.value_position("title"), value_position(text, "title"));
        let (line, block) = keys.block("tags").unwrap();
        assert_eq!(line, 2);
        assert_eq!(block.collect::<Vec<_>>(), ["tags:", "  - a", "# note", "date:   2024"]);
        assert!(keys.block("image").is_none());
        let found: Vec<_> = keys.found.iter().map(|(k, l, _)| (*k, *l, 1)).collect();
        assert_eq!(found, top_level_keys(text).collect::<Vec<_>>());
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
