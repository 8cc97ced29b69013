//! Shortcode calls and callout titles in an article body (issue 18): found line by line,
//! never inside code, and replaced by placeholder paragraphs that the renderer swaps for
//! the theme's HTML. Markdown never sees templates: the theme renders a call through
//! [`Shortcodes`].

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// An argument's value: a string, a number or a boolean.
pub type Args = serde_json::Map<String, serde_json::Value>;

/// A shortcode call as written in an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: Args,
    /// Values the Markdown stage adds for the template (the `width` and `height` of a
    /// site image given as `src`); not arguments, so never checked against them.
    pub extra: Args,
    /// Written as `{% name(…) %}` … `{% end %}`.
    pub block: bool,
    /// 1-based line and column (in characters) of the call's `{{` or `{%` in the file.
    pub line: usize,
    pub column: usize,
    /// Characters of the call on its line.
    pub width: usize,
    /// Column and width of the name, and of each argument (`key=value`).
    name_span: (usize, usize),
    arg_spans: Vec<(String, (usize, usize))>,
}

/// Why the theme did not render a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub hint: Option<String>,
    /// What to underline.
    pub at: Culprit,
}

/// The part of a call a [`Refusal`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Culprit {
    Call,
    Name,
    Argument(String),
}

/// How the theme renders shortcodes, handed to the Markdown stage (which must not know
/// templates).
pub trait Shortcodes: Sync {
    /// The HTML of `call`; `body` is the rendered Markdown between a block's lines.
    /// `page` holds what is known of the article at this stage (its front matter).
    fn render(
        &self,
        call: &Call,
        body: Option<&str>,
        page: &serde_json::Value,
    ) -> Result<String, Refusal>;
}

/// A problem with a call, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// 1-based line and column (characters) in the file.
    pub line: usize,
    pub column: usize,
    /// Characters to underline.
    pub width: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Call {
    /// Where `culprit` is: (column, width).
    pub(crate) fn span_of(&self, culprit: &Culprit) -> (usize, usize) {
        match culprit {
            Culprit::Call => (self.column, self.width),
            Culprit::Name => self.name_span,
            Culprit::Argument(name) => self
                .arg_spans
                .iter()
                .find(|(n, _)| n == name)
                .map_or((self.column, self.width), |(_, span)| *span),
        }
    }

    pub(crate) fn problem(&self, refusal: Refusal) -> Problem {
        let (column, width) = self.span_of(&refusal.at);
        Problem { line: self.line, column, width, message: refusal.message, hint: refusal.hint }
    }
}

/// What a placeholder paragraph stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// An inline call, by its index in [`Prepared::calls`].
    Inline(usize),
    /// The opening line of a block call.
    Open(usize),
    /// The `{% end %}` of a block call.
    End(usize),
    /// A line that was a broken call: it renders as nothing.
    Nothing,
}

/// A body with its shortcode lines replaced by placeholders.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub(crate) text: String,
    pub(crate) calls: Vec<Call>,
    pub(crate) tokens: Vec<Token>,
    /// For each line of `text`, the 0-based line of the body it came from.
    pub(crate) line_map: Vec<usize>,
    /// The titles of callouts, by the 0-based line of `text` their `[!KIND]` is on.
    pub(crate) titles: HashMap<usize, String>,
    pub(crate) problems: Vec<Problem>,
}

/// Placeholders are made of characters of the Private Use Area, which no writer types.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The token a placeholder paragraph holds (its whole text, trimmed).
pub(crate) fn token_in(text: &str) -> Option<usize> {
    text.trim().strip_prefix(OPEN)?.strip_suffix(CLOSE)?.parse().ok()
}

/// How deep block shortcodes may nest.
const MAX_NESTING: usize = 16;

const KINDS: [&str; 5] = ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"];

/// Finds shortcode lines and titled callouts in `text` (the body, which starts on line
/// `first_line` of its file). `None` when the body has neither.
///
/// Without `calls` (no theme to render them), calls are left as written.
pub(crate) fn prepare(
    text: &str,
    first_line: usize,
    options: pulldown_cmark::Options,
    calls: bool,
) -> Option<Prepared> {
    let calls_here = calls && (text.contains("{{") || text.contains("{%"));
    if !calls_here && !text.contains("[!") {
        return None;
    }
    let code = code_ranges(text, options);
    let in_code = |offset: usize| {
        let i = code.partition_point(|r| r.end <= offset);
        code.get(i).is_some_and(|r| r.start <= offset)
    };
    let mut out = Prepared::default();
    let mut changed = false;
    // Open block calls: (call index, token index).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    let mut previous_quoted = false;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        let indent = &content[..content.len() - content.trim_start().len()];
        let first = start + indent.len();
        let quoted = trimmed.starts_with('>');
        let was_quoted = std::mem::replace(&mut previous_quoted, quoted);
        if trimmed.is_empty() || in_code(first) {
            out.push_line(line, index);
            continue;
        }
        let file_line = first_line + index;
        let column = indent.chars().count() + 1;
        if quoted && !was_quoted {
            if let Some((prefix, kind, title)) = titled_callout(content) {
                out.titles.insert(out.line_map.len(), title.to_owned());
                out.push_line(&format!("{prefix}[!{kind}]\n"), index);
                changed = true;
                continue;
            }
        }
        if !calls_here {
            out.push_line(line, index);
            continue;
        }
        if !is_call_start(trimmed) {
            if let Some((at, what)) = nested_call(content)
                && !in_code(start + at)
            {
                out.problems.push(Problem {
                    line: file_line,
                    column: content[..at].chars().count() + 1,
                    width: content[at..].trim_end().chars().count(),
                    message: format!("a shortcode call cannot stand in {what}"),
                    hint: Some(format!(
                        "a call stands on a line of its own, outside quotes and list items \
                         (in a list, on the item's next line after a blank one, indented like \
                         its text); {LITERAL}"
                    )),
                });
            }
            out.push_line(line, index);
            continue;
        }
        let block = trimmed.starts_with("{%");
        let token = if block && is_end(trimmed) {
            match open.pop() {
                Some((call, _)) => Token::End(call),
                None => {
                    out.problems.push(Problem {
                        line: file_line,
                        column,
                        width: trimmed.chars().count(),
                        message: "`{% end %}` closes no shortcode".to_owned(),
                        hint: Some(
                            "a block starts with `{% name(…) %}` on a line of its own; \
                             remove this line or add the opening one"
                                .to_owned(),
                        ),
                    });
                    Token::Nothing
                }
            }
        } else {
            match parse_call(trimmed, file_line, column, block) {
                // Each level's HTML is copied into the one around it: a bound keeps
                // hostile nesting from costing the square of its size (issue 22).
                Ok(call) if block && open.len() >= MAX_NESTING => {
                    out.problems.push(Problem {
                        line: file_line,
                        column,
                        width: call.width,
                        message: format!(
                            "the shortcode `{}` is nested more than {MAX_NESTING} deep",
                            call.name
                        ),
                        hint: Some("close the blocks around it first".to_owned()),
                    });
                    Token::Nothing
                }
                Ok(call) => {
                    out.calls.push(call);
                    let n = out.calls.len() - 1;
                    if block {
                        open.push((n, out.tokens.len()));
                        Token::Open(n)
                    } else {
                        Token::Inline(n)
                    }
                }
                Err(problem) => {
                    out.problems.push(problem);
                    Token::Nothing
                }
            }
        };
        // A paragraph of its own: blank lines around it, its indentation kept (a list
        // item's call stays in the item).
        changed = true;
        out.tokens.push(token);
        let n = out.tokens.len() - 1;
        out.push_line("\n", index);
        out.push_line(&format!("{indent}{OPEN}{n}{CLOSE}\n"), index);
        out.push_line("\n", index);
    }
    for (call, token) in open.into_iter().rev() {
        let c = &out.calls[call];
        out.problems.push(Problem {
            line: c.line,
            column: c.column,
            width: c.width,
            message: format!("the shortcode `{}` is never closed", c.name),
            hint: Some("end its body with `{% end %}` on a line of its own".to_owned()),
        });
        out.tokens[token] = Token::Nothing;
    }
    out.problems.sort_by_key(|p| (p.line, p.column));
    changed.then_some(out)
}

impl Prepared {
    fn push_line(&mut self, line: &str, from: usize) {
        self.text.push_str(line);
        if !line.ends_with('\n') {
            // The body's last line has no line break: later lines would join it.
            self.text.push('\n');
        }
        self.line_map.push(from);
    }
}

/// The byte ranges of code blocks and code spans, in order.
fn code_ranges(text: &str, options: pulldown_cmark::Options) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        if matches!(event, Event::Start(Tag::CodeBlock(_)) | Event::Code(_)) {
            ranges.push(range);
        }
    }
    ranges
}

/// `> [!NOTE] What we know`: the quote marks, the kind and the title.
fn titled_callout(line: &str) -> Option<(&str, &'static str, &str)> {
    let rest = line.trim_start().strip_prefix('>')?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let prefix = &line[..line.len() - rest.len()];
    let inner = rest.strip_prefix("[!")?;
    let close = inner.find(']')?;
    let kind = KINDS.iter().find(|k| k.eq_ignore_ascii_case(&inner[..close]))?;
    // `[!NOTE]Glued title` reads as `[!NOTE] Glued title`; a bare tag is pulldown-cmark's
    // to read.
    let title = inner[close + 1..].trim();
    (!title.is_empty()).then_some((prefix, kind, title))
}

/// How a problem's help says to show a call's text as written.
const LITERAL: &str = "to show the text as written, put it in a code span (between backticks)";

/// `{{ name` or `{% name`: a line that means to call a shortcode (or a line of template
/// syntax, which a body cannot run either); whatever follows must parse as a call.
fn is_call_start(trimmed: &str) -> bool {
    let Some(rest) = trimmed.strip_prefix("{{").or_else(|| trimmed.strip_prefix("{%")) else {
        return false;
    };
    rest.trim_start().starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

/// `{% end %}`, spaces as they come.
fn is_end(trimmed: &str) -> bool {
    trimmed.strip_prefix("{%").and_then(|t| t.strip_suffix("%}")).is_some_and(|t| t.trim() == "end")
}

/// A call behind quote marks or a list marker: its byte offset in `line`, and what holds it.
fn nested_call(line: &str) -> Option<(usize, &'static str)> {
    let mut rest = line.trim_start();
    let mut what = None;
    loop {
        if let Some(r) = rest.strip_prefix('>') {
            what = Some("a quote");
            rest = r.trim_start();
            continue;
        }
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let marker = if rest.starts_with(['-', '*', '+']) {
            1
        } else if (1..=9).contains(&digits) && rest[digits..].starts_with(['.', ')']) {
            digits + 1
        } else {
            0
        };
        if marker > 0 && rest[marker..].starts_with([' ', '\t']) {
            what = Some("a list item");
            rest = rest[marker..].trim_start();
            continue;
        }
        break;
    }
    let what = what?;
    is_call_start(rest).then(|| (line.len() - rest.len(), what))
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses a call: `text` is the trimmed line, from `{{`/`{%` to `}}`/`%}`; its first
/// character is at `column` of line `line`.
fn parse_call(text: &str, line: usize, column: usize, block: bool) -> Result<Call, Problem> {
    let delimiter = 2;
    let close = if block { "%}" } else { "}}" };
    let width = text.chars().count();
    let closed = text.len() >= 2 * delimiter && text.ends_with(close);
    let inner = &text[delimiter..if closed { text.len() - delimiter } else { text.len() }];
    // Columns are asked for in increasing order (arguments left to right): counting on
    // from the last one keeps a line of many arguments linear (issue 22).
    let counted = std::cell::Cell::new((0usize, 0usize));
    let col = |byte: usize| {
        let (from, chars) = counted.get();
        let to = delimiter + byte;
        let chars = if to >= from {
            chars + text[from..to].chars().count()
        } else {
            text[..to].chars().count()
        };
        counted.set((to, chars));
        column + chars
    };
    let problem = |at: usize, width: usize, message: String, hint: &str| Problem {
        line,
        column: col(at),
        width: width.max(1),
        message,
        hint: Some(format!("{hint}; {LITERAL}")),
    };
    let mut p = Cursor { text: inner, at: 0 };
    p.skip_spaces();
    let name_start = p.at;
    p.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = &inner[name_start..p.at];
    let name_span = (col(name_start), name.chars().count());
    let unclosed = |at: usize| {
        problem(
            at,
            1,
            format!("expected `)` to close the arguments of `{name}`"),
            "arguments are parted by commas and the list ends with `)`",
        )
    };
    let mut call = Call {
        name: name.to_owned(),
        args: Args::new(),
        extra: Args::new(),
        block,
        line,
        column,
        width,
        name_span,
        arg_spans: Vec::new(),
    };
    p.skip_spaces();
    if p.rest().is_empty() && closed {
        if block {
            return Ok(call); // `{% pullquote %}`: a block without arguments
        }
        return Err(Problem {
            line,
            column,
            width,
            message: format!("a shortcode call needs parentheses: `{{{{ {name}() }}}}`"),
            hint: Some(format!(
                "arguments, if any, go between them: `name(key=\"value\")`; {LITERAL}"
            )),
        });
    }
    if !p.eat('(') {
        let found = if p.rest().is_empty() {
            "the end of the line".to_owned()
        } else {
            format!("`{}`", p.rest().trim_end())
        };
        return Err(problem(
            p.at,
            p.rest().trim_end().chars().count(),
            format!("expected `(` after the shortcode name `{name}`, found {found}"),
            &format!("a call is written `{}`", example(block)),
        ));
    }
    loop {
        p.skip_spaces();
        if p.eat(')') {
            break;
        }
        if p.rest().is_empty() {
            return Err(unclosed(p.at));
        }
        let key_start = p.at;
        p.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        let key = &inner[key_start..p.at];
        if key.is_empty() || !is_name(key) {
            let shown =
                p.rest().chars().next().map_or_else(|| "the end".to_owned(), |c| format!("`{c}`"));
            return Err(problem(
                p.at,
                1,
                format!("expected an argument name in the call of `{name}`, found {shown}"),
                "arguments are written `name=\"text\"`, `name=3` or `name=true`, parted by commas",
            ));
        }
        p.skip_spaces();
        if !p.eat('=') {
            return Err(problem(
                key_start,
                key.chars().count(),
                format!("the argument `{key}` of `{name}` has no value"),
                "give it one: `name=\"text\"`, `name=3` or `name=true`",
            ));
        }
        p.skip_spaces();
        let value_start = p.at;
        let value = match p.value() {
            Ok(value) => value,
            Err(reason) => {
                let rest = p.rest_of_token(value_start);
                return Err(problem(
                    value_start,
                    rest.chars().count(),
                    format!("the value of `{key}` in the call of `{name}` {reason}"),
                    "values are text in quotes (`\"a\"`), numbers (`3`, `2.5`), `true` or `false`",
                ));
            }
        };
        if call.args.contains_key(key) {
            return Err(problem(
                key_start,
                inner[key_start..p.at].chars().count(),
                format!("the argument `{key}` is given twice in the call of `{name}`"),
                "keep one of them",
            ));
        }
        call.arg_spans
            .push((key.to_owned(), (col(key_start), inner[key_start..p.at].chars().count())));
        call.args.insert(key.to_owned(), value);
        p.skip_spaces();
        if p.eat(',') {
            continue;
        }
        if p.eat(')') {
            break;
        }
        if p.rest().is_empty() {
            return Err(unclosed(p.at));
        }
        let shown =
            p.rest().chars().next().map_or_else(|| "the end".to_owned(), |c| format!("`{c}`"));
        return Err(problem(
            p.at,
            1,
            format!("expected `,` or `)` in the call of `{name}`, found {shown}"),
            "arguments are parted by commas and the list ends with `)`",
        ));
    }
    p.skip_spaces();
    if !p.rest().is_empty() {
        return Err(problem(
            p.at,
            p.rest().trim_end().chars().count(),
            format!("unexpected `{}` after the call of `{name}`", p.rest().trim()),
            &format!("a call stands alone on its line: `{}`", example(block)),
        ));
    }
    if !closed {
        return Err(problem(
            inner.len(),
            1,
            format!("expected `{close}` to end the call of `{name}`"),
            &format!("a call is written `{}`", example(block)),
        ));
    }
    Ok(call)
}

/// The shape of a call, for help lines.
fn example(block: bool) -> &'static str {
    if block { "{% name(key=\"value\") %}" } else { "{{ name(key=\"value\") }}" }
}

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn skip_spaces(&mut self) {
        self.take_while(char::is_whitespace);
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) {
        let len = self.rest().find(|c: char| !keep(c)).unwrap_or(self.rest().len());
        self.at += len;
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// The text from `from` to the next comma, parenthesis or space, for an underline.
    fn rest_of_token(&self, from: usize) -> &str {
        let rest = &self.text[from..];
        &rest[..rest.find([',', ')', ' ']).unwrap_or(rest.len())]
    }

    /// A string in quotes, a number, or `true`/`false`.
    fn value(&mut self) -> Result<serde_json::Value, String> {
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let mut value = String::new();
            let mut chars = rest.char_indices().skip(1);
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => value.push(e),
                        None => break,
                    },
                    c if c == quote => {
                        self.at += i + 1;
                        return Ok(serde_json::Value::String(value));
                    }
                    c => value.push(c),
                }
            }
            return Err(format!("has no closing `{quote}`"));
        }
        let token = self.rest_of_token(self.at).to_owned();
        let value = match token.as_str() {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            "" => return Err("is missing".to_owned()),
            number => {
                if let Ok(n) = number.parse::<i64>() {
                    serde_json::Value::from(n)
                } else if let Some(n) = number.parse::<f64>().ok().filter(|n| {
                    n.is_finite()
                        && number.chars().all(|c| c.is_ascii_digit() || ".-+eE".contains(c))
                }) {
                    serde_json::Value::from(n)
                } else {
                    return Err(format!(
                        "is `{number}`, which is neither text in quotes nor a number"
                    ));
                }
            }
        };
        self.at += token.len();
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> pulldown_cmark::Options {
        pulldown_cmark::Options::empty()
    }

    #[test]
    fn calls_parse_into_names_and_typed_arguments() {
        let p = prepare("Intro.\n{{ embed(url=\"https://a.org/x?a=\\\"b\", height=400, wide=true, r=-1.5) }}\nAfter.\n", 5, options(), true).unwrap();
        let call = &p.calls[0];
        assert_eq!(call.name, "embed");
        assert_eq!(call.args["url"], "https://a.org/x?a=\"b");
        assert_eq!(call.args["height"], 400);
        assert_eq!(call.args["wide"], true);
        assert_eq!(call.args["r"], -1.5);
        assert_eq!((call.line, call.column), (6, 1));
        assert_eq!(call.span_of(&Culprit::Argument("height".into())), (39, 10));
        // The call is a paragraph of its own, and every line keeps its source line.
        assert_eq!(p.text, "Intro.\n\n\u{E000}0\u{E001}\n\nAfter.\n");
        assert_eq!(p.line_map, [0, 1, 1, 1, 2]);
    }

    #[test]
    fn code_blocks_and_spans_keep_calls_as_written() {
        let text = "```\n{{ youtube(id=\"a\") }}\n```\n\n    {% pullquote() %}\n\n`{{ x() }}`\n";
        assert!(prepare(text, 1, options(), true).is_none());
    }

    #[test]
    fn lines_that_start_like_a_call_but_are_none_are_problems() {
        let p = prepare(
            "{{ page.title }}\n\n{% if x %}\n\n{{ box }}\n\n{{ box(a=1\n\n- {{ box() }}\n\n> {{ box() }}\n\n{{ 1 + 2 }}\n",
            1,
            options(),
            true,
        )
        .unwrap();
        let messages: Vec<(usize, usize, &str)> =
            p.problems.iter().map(|p| (p.line, p.column, p.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (1, 8, "expected `(` after the shortcode name `page`, found `.title`"),
                (3, 7, "expected `(` after the shortcode name `if`, found `x`"),
                (5, 1, "a shortcode call needs parentheses: `{{ box() }}`"),
                (7, 11, "expected `)` to close the arguments of `box`"),
                (9, 3, "a shortcode call cannot stand in a list item"),
                (11, 3, "a shortcode call cannot stand in a quote"),
            ]
        );
    }

    #[test]
    fn blocks_pair_with_their_end() {
        let p =
            prepare("{% pullquote(by=\"A\") %}\nQuote.\n{% end %}\n", 1, options(), true).unwrap();
        assert_eq!(p.tokens, [Token::Open(0), Token::End(0)]);
        assert!(p.calls[0].block && p.problems.is_empty());
    }

    #[test]
    fn broken_calls_are_problems_at_their_column() {
        let p = prepare(
            "  {{ figure(src=\"a.png\" alt=\"x\") }}\n{% end %}\n{% pullquote %}\n",
            1,
            options(),
            true,
        )
        .unwrap();
        let messages: Vec<(usize, usize, &str)> =
            p.problems.iter().map(|p| (p.line, p.column, p.message.as_str())).collect();
        assert_eq!(
            messages,
            [
                (1, 25, "expected `,` or `)` in the call of `figure`, found `a`"),
                (2, 1, "`{% end %}` closes no shortcode"),
                (3, 1, "the shortcode `pullquote` is never closed"),
            ]
        );
        assert_eq!(p.tokens, [Token::Nothing, Token::Nothing, Token::Nothing]);
    }

    #[test]
    fn bad_values_are_named() {
        let p = prepare("{{ embed(height=tall) }}\n", 1, options(), true).unwrap();
        assert_eq!(
            p.problems[0].message,
            "the value of `height` in the call of `embed` is `tall`, which is neither text in quotes nor a number"
        );
        assert_eq!((p.problems[0].column, p.problems[0].width), (17, 4));
    }

    #[test]
    fn callout_titles_are_taken_off_the_tag_line() {
        let p = prepare("> [!NOTE] What we know\n> Text.\n", 1, options(), true).unwrap();
        assert_eq!(p.text, "> [!NOTE]\n> Text.\n");
        assert_eq!(p.titles[&0], "What we know");
    }
}
