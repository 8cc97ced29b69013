//! Whether an SVG (or another XML file a browser renders) could run script in a reader's
//! browser: for sites that set `markdown.unsafe_html: false` (issue 22).

/// The first thing in the file that could run script, and where it is (1-based).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsafe {
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) reason: String,
}

/// Elements that run script, or load a document that may.
const ACTIVE_ELEMENTS: &[&str] =
    &["script", "foreignObject", "handler", "listener", "iframe", "frame", "embed", "object"];

/// Parses `text` as XML and looks for scripts, event handlers (`on*=` attributes),
/// `foreignObject` and other active elements, `javascript:` URLs and stylesheets
/// (XSLT). A DOCTYPE is refused rather than expanded: entities could hide any of these.
pub(super) fn find_unsafe(text: &str) -> Option<Unsafe> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: 1_000_000 };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(roxmltree::Error::DtdDetected) => {
            // The parser places this error at the start of the file: find the DOCTYPE.
            let at = text.find("<!DOCTYPE").unwrap_or(0);
            let line = text[..at].matches('\n').count() + 1;
            let column = text[..at].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let reason = "it has a DOCTYPE, whose entities could hide a script".to_owned();
            return Some(Unsafe { line, column, reason });
        }
        Err(e) => {
            let pos = e.pos();
            let reason = format!("it is not well-formed XML ({e}), so it cannot be checked");
            return Some(Unsafe { line: pos.row as usize, column: pos.col as usize, reason });
        }
    };
    for node in doc.descendants() {
        let found = |reason: String| {
            let pos = doc.text_pos_at(node.range().start);
            Some(Unsafe { line: pos.row as usize, column: pos.col as usize, reason })
        };
        if let Some(pi) = node.pi()
            && pi.target.eq_ignore_ascii_case("xml-stylesheet")
        {
            return found("it has an `xml-stylesheet` instruction".to_owned());
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        if let Some(active) = ACTIVE_ELEMENTS.iter().find(|a| a.eq_ignore_ascii_case(name)) {
            return found(format!("it has a `{active}` element"));
        }
        for attribute in node.attributes() {
            let attr = attribute.name();
            if attr.len() > 2 && attr[..2].eq_ignore_ascii_case("on") {
                return found(format!("it has an event handler (`{attr}`) on a `{name}` element"));
            }
            if runs_script(attribute.value()) {
                return found(format!("it has a script URL in `{attr}` on a `{name}` element"));
            }
        }
    }
    None
}

/// Whether an attribute value holds a `javascript:` (or `vbscript:`) URL, as browsers
/// read it: spaces, tabs and line breaks inside are dropped, case is ignored. Any such
/// URL counts, not only at the start (`<animate values="a;javascript:…">`).
fn runs_script(value: &str) -> bool {
    let folded: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    folded.contains("javascript:") || folded.contains("vbscript:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> Option<(usize, usize, String)> {
        find_unsafe(text).map(|u| (u.line, u.column, u.reason))
    }

    #[test]
    fn plain_drawings_are_safe() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\">\n\
                   <a href=\"/about/\"><rect width=\"10\" height=\"10\" style=\"fill:red\"/></a>\n\
                   <text>onion: javascript</text></svg>";
        assert_eq!(reason(svg), None);
    }

    #[test]
    fn scripts_handlers_and_foreign_objects_are_found_with_their_line() {
        let cases = [
            ("<svg>\n  <script>alert(1)</script></svg>", 2, 3, "it has a `script` element"),
            ("<svg xmlns:x=\"urn:x\">\n<x:SCRIPT/></svg>", 2, 1, "it has a `script` element"),
            ("<svg>\n<foreignObject/></svg>", 2, 1, "it has a `foreignObject` element"),
            (
                "<svg>\n\n<rect onLoad=\"alert(1)\"/></svg>",
                3,
                1,
                "it has an event handler (`onLoad`) on a `rect` element",
            ),
            (
                "<svg><a href=\" java&#x09;script:alert(1)\"/></svg>",
                1,
                6,
                "it has a script URL in `href` on a `a` element",
            ),
            (
                "<svg><set attributeName=\"href\" to=\"JavaScript:alert(1)\"/></svg>",
                1,
                6,
                "it has a script URL in `to` on a `set` element",
            ),
            (
                "<?xml-stylesheet href=\"x.xsl\"?><svg/>",
                1,
                1,
                "it has an `xml-stylesheet` instruction",
            ),
        ];
        for (svg, line, column, why) in cases {
            assert_eq!(reason(svg), Some((line, column, why.to_owned())), "{svg}");
        }
    }

    #[test]
    fn doctypes_and_broken_files_are_refused() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY a \"<script>x</script>\">]>\n<svg>&a;</svg>";
        let (line, _, why) = reason(laughs).unwrap();
        assert_eq!(
            (line, why.as_str()),
            (2, "it has a DOCTYPE, whose entities could hide a script")
        );
        let (_, _, why) = reason("<svg><g></svg>").unwrap();
        assert!(why.starts_with("it is not well-formed XML ("), "{why}");
    }
}
