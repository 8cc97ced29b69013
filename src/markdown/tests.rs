use super::*;

const OPTS: Options<'static> =
    Options { unsafe_html: true, base_path: "/", image_sizes: None, shortcodes: None };

fn body(text: &str) -> Body {
    render_body(text, 1, &OPTS)
}

#[test]
fn splits_sections_at_each_h2() {
    let b = body("Lead para.\n\n## One\n\nFirst.\n\n### Sub\n\nMore.\n\n## Two\n\nSecond.\n");
    assert_eq!(b.intro_html.to_text(), "<p>Lead para.</p>\n");
    let headings: Vec<_> = b.sections.iter().map(|s| (s.heading.as_str(), s.id.as_str())).collect();
    assert_eq!(headings, [("One", "one"), ("Two", "two")]);
    assert_eq!(
        b.sections[0].html.to_text(),
        "<p>First.</p>\n<h3 id=\"sub\">Sub</h3>\n<p>More.</p>\n"
    );
    let toc: Vec<_> = b.toc.iter().map(|t| (t.level, t.id.as_str())).collect();
    assert_eq!(toc, [(2, "one"), (3, "sub"), (2, "two")]);
}

#[test]
fn heading_ids_are_unique_and_avoid_theme_ids() {
    let b = body("## Notes\n\n## Notes\n\n## FAQ\n\n## Key points\n\n## Custom {#mine}\n");
    let ids: Vec<_> = b.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["notes", "notes-1", "faq-1", "key-points-1", "mine"]);
}

#[test]
fn repeated_headings_count_up_and_natural_ids_that_collide_take_their_own_suffix() {
    let ids = |text: &str| -> Vec<String> {
        body(text).toc.iter().map(|t| t.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(
        ids("### Same\n### Same\n### Same 1\n### Same\n"),
        ["same", "same-1", "same-1-1", "same-2"]
    );
    assert_eq!(
        ids("### Same 1\n### Same\n### Same\n### Same 1\n"),
        ["same-1", "same", "same-2", "same-1-1"]
    );
    assert_eq!(
        ids("### Main\n### Main\n### A {#x}\n### B {#x}\n### x 1\n"),
        ["main-1", "main-2", "x", "x-1", "x-1-1"]
    );
}

proptest::proptest! {
    /// The counter gives the ids the first-free-suffix search gave before issue 22.
    #[test]
    fn heading_ids_match_the_lowest_free_suffix(
        bases in proptest::collection::vec(
            proptest::sample::select(vec!["a", "a-1", "a-2", "a-1-1", "a-10", "top", "b"]),
            0..40,
        ),
    ) {
        let mut ids = IdSet::default();
        let mut used: Vec<String> = Vec::new();
        for base in bases {
            let free = |id: &str, used: &[String]| {
                !RESERVED_IDS.contains(&id) && !used.iter().any(|u| u == id)
            };
            let expected = if free(base, &used) {
                base.to_owned()
            } else {
                (1..).map(|n| format!("{base}-{n}")).find(|c| free(c, &used)).unwrap()
            };
            proptest::prop_assert_eq!(ids.unique(base), expected.clone());
            used.push(expected);
        }
    }
}

#[test]
fn body_h1_is_demoted_so_the_page_keeps_one_h1() {
    let b = body("# Big\n\ntext\n");
    assert_eq!(b.sections.len(), 1);
    assert_eq!(b.sections[0].heading, "Big");
}

#[test]
fn headings_inside_quotes_do_not_split() {
    let b = body("## A\n\n> ## Quoted\n\n## B\n");
    assert_eq!(b.sections.len(), 2);
    assert!(
        b.sections[0].html.to_text().contains("<h2 id=\"quoted\">Quoted</h2>"),
        "{}",
        b.sections[0].html.to_text()
    );
}

#[test]
fn code_is_highlighted_with_classes() {
    let b = body("```python\nx = 1\n```\n");
    assert!(b.has_code);
    assert!(
        b.intro_html
            .to_text()
            .starts_with("<pre class=\"code\" data-lang=\"python\"><code><span class=\"hl-"),
        "{}",
        b.intro_html.to_text()
    );
    assert!(!b.intro_html.to_text().contains("style="));
}

#[test]
fn extensions_are_on() {
    let b = body("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ \"quoted\"\n\n- [x] done\n");
    assert!(
        b.intro_html.to_text().contains("<div class=\"table-wrap\" tabindex=\"0\"><table>"),
        "{}",
        b.intro_html.to_text()
    );
    assert!(b.intro_html.to_text().contains("<del>gone</del>"));
    assert!(b.intro_html.to_text().contains("“quoted”"));
    assert!(b.intro_html.to_text().contains("type=\"checkbox\""));
}

#[test]
fn footnotes_are_numbered_by_first_reference_and_listed_at_the_end() {
    let b = body("## A\n\nOne[^b] two[^a].\n\n[^a]: Note A.\n[^b]: Note B.\n\n## B\n\nEnd.\n");
    let a = &b.sections[0].html.to_text();
    assert!(
        a.contains("<sup class=\"footnote-ref\" id=\"fnref-b\"><a href=\"#fn-b\">1</a></sup>"),
        "{a}"
    );
    assert!(a.contains("<a href=\"#fn-a\">2</a>"), "{a}");
    let last = &b.sections[1].html.to_text();
    let (pos_b, pos_a) = (last.find("id=\"fn-b\"").unwrap(), last.find("id=\"fn-a\"").unwrap());
    assert!(pos_b < pos_a, "{last}");
}

#[test]
fn root_relative_links_get_the_base_path() {
    let opts =
        Options { unsafe_html: true, base_path: "/news/", image_sizes: None, shortcodes: None };
    let b =
        render_body("[a](/economy/x/) [b](https://e.org/) [c](#top) ![i](/img/x.png)", 1, &opts);
    assert!(
        b.intro_html.to_text().contains("href=\"/news/economy/x/\""),
        "{}",
        b.intro_html.to_text()
    );
    assert!(b.intro_html.to_text().contains("href=\"https://e.org/\""));
    assert!(b.intro_html.to_text().contains("href=\"#top\""));
    assert!(
        b.intro_html.to_text().contains("<img src=\"/news/img/x.png\" alt=\"i\" loading=\"lazy\""),
        "{}",
        b.intro_html.to_text()
    );
    let targets: Vec<_> = b.links.iter().map(|l| l.target.as_str()).collect();
    assert_eq!(targets, ["/economy/x/", "https://e.org/", "#top", "/img/x.png"]);
}

#[test]
fn links_know_their_file_line() {
    let b = render_body("intro\n\nsee [x](/a/)\n\n![](/b.png)\n", 10, &OPTS);
    assert_eq!((b.links[0].line, b.links[0].column), (12, 5));
    assert_eq!(b.links[1].line, 14);
    assert!(b.links[1].missing_alt);
    assert!(!b.links[0].missing_alt);
}

#[test]
fn raw_html_is_kept_or_stripped() {
    let text = "<div class=\"x\">hi</div>\n\ntext <b>bold</b> <script>alert(1)</script>\n";
    assert!(body(text).intro_html.to_text().contains("<script>"));
    let stripped = render_body(
        text,
        1,
        &Options { unsafe_html: false, base_path: "/", image_sizes: None, shortcodes: None },
    );
    assert!(
        !stripped.intro_html.to_text().contains('<')
            || !stripped.intro_html.to_text().contains("<script>")
    );
    assert!(!stripped.intro_html.to_text().contains("<div"), "{}", stripped.intro_html.to_text());
    assert!(!stripped.intro_html.to_text().contains("<b>"), "{}", stripped.intro_html.to_text());
}

#[test]
fn summary_words_and_reading_facts() {
    let b = body(
        "![img](/a.png)\n\nThe *first* paragraph,\nwrapped.\n\nSecond one.\n\n```\nnot counted words here\n```\n",
    );
    assert_eq!(b.first_paragraph.as_deref(), Some("The first paragraph, wrapped."));
    assert_eq!(b.word_count, 6);
}

#[test]
fn inline_markdown_has_no_paragraph() {
    assert_eq!(
        render_inline("A **bold** [link](/x/)", &OPTS),
        "A <strong>bold</strong> <a href=\"/x/\">link</a>"
    );
    assert_eq!(plain_text("**Rates** _rise_"), "Rates rise");
}

#[test]
fn words_are_counted_like_split_whitespace_with_a_letter() {
    for text in [
        "",
        "one",
        " two  words ",
        "a — b",
        "naïve café ünïcode",
        "x\ny\tz",
        "— – -",
        "2026 rates, 3.25%",
    ] {
        let expected =
            text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        assert_eq!(count_words(text), expected, "{text:?}");
    }
}

proptest::proptest! {
    /// Any text whose spaces are ASCII: the same count as the plain definition.
    #[test]
    fn word_count_matches_its_definition(text in "[a-zé1 \t\n—.,-]{0,40}") {
        let expected =
            text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        proptest::prop_assert_eq!(count_words(&text), expected);
    }
}

#[test]
fn links_that_run_code_are_dead() {
    let html = render_fragment(
        "[a](javascript:alert(1)) [b](JavaScript:x) [d](vbscript:x) [e](data:text/html,x) \
         ![f](data:image/svg+xml,x) ![g](data:image/png;base64,AA) \
         [h](https://example.com/javascript:x)\n",
        &OPTS,
    );
    for bad in ["javascript:", "JavaScript:", "vbscript:", "data:text", "data:image/svg"] {
        assert!(!html.contains(&format!("=\"{bad}")), "{bad} in {html}");
    }
    assert_eq!(html.matches("href=\"#\"").count(), 4, "{html}");
    assert_eq!(html.matches("src=\"#\"").count(), 1, "{html}");
    assert!(html.contains("src=\"data:image/png;base64,AA\""), "{html}");
    assert!(html.contains("href=\"https://example.com/javascript:x\""), "{html}");
    // Browsers drop tabs and line breaks inside a scheme.
    assert!(runs_code(" java\tscript:x") && runs_code("java\nscript:x"));
    assert!(!runs_code("/notes/javascript:intro/") && !runs_code("#data:x"));
}

#[test]
fn raw_html_images_are_recorded_for_the_alt_check() {
    let b = body(
        "Text <img src=\"/a.png\"> and <img src=\"/b.png\" alt=\"B\">.\n\n<IMG SRC='/c.png' ALT=''>\n",
    );
    let images: Vec<(&str, bool, usize)> = b
        .links
        .iter()
        .filter(|l| l.is_image)
        .map(|l| (l.target.as_str(), l.missing_alt, l.line))
        .collect();
    assert_eq!(images, [("/a.png", true, 1), ("/b.png", false, 1), ("/c.png", false, 3)]);
    assert_eq!(b.links[0].column, 6);
}

proptest::proptest! {
    /// One parse gives an FAQ answer's HTML and its plain text, the same as two would.
    #[test]
    fn an_answer_renders_like_a_fragment_and_its_plain_text(
        text in "([a-z]{1,6}|[ \n*_`>#\\[\\]()!-]|\\.|\"|'|[0-9]\\.|\\[x\\]\\(/y/\\)|!\\[a\\]\\(i.png\\)|\\[\\^n\\]|\n\n|\n    code\n){0,30}"
    ) {
        let (html, plain) = render_answer(&text, &OPTS);
        proptest::prop_assert_eq!(html, render_fragment(&text, &OPTS));
        proptest::prop_assert_eq!(plain, plain_text(&text));
    }
}

proptest::proptest! {
    /// Squeezing spaces keeps the words of `split_whitespace`, one space apart, whatever
    /// spaces the text holds (ASCII, vertical tab, no-break, ideographic).
    #[test]
    fn spaces_squeeze_like_split_whitespace(text in "[a-c \t\n\r\u{0B}\u{0C}\u{A0}\u{3000}é]{0,30}") {
        let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
        proptest::prop_assert_eq!(squeeze_spaces(&text), expected);
    }
}

/// pulldown-cmark's own HTML for `text`, with gazette's wrapper around tables.
fn plain_html(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(text, parser_options()));
    html.replace("<table>", "<div class=\"table-wrap\" tabindex=\"0\"><table>")
        .replace("</table>\n", "</table>\n</div>\n")
}

#[test]
fn long_paragraphs_and_tables_render_as_they_go_with_the_same_html() {
    // Issue 22: these are rendered in pieces rather than held whole as events; short
    // ones are not, and give the same HTML.
    for n in [3, 3000] {
        same_html_as_pulldown(n);
    }
}

fn same_html_as_pulldown(n: usize) {
    let paragraph = "[x](/a) *b* `c` ".repeat(n);
    let rows = "| a | *b* | [c](/c) |\n".repeat(n);
    let text = format!(
        "Lead.\n\n{paragraph}\n\n| L | C | R |\n|:--|:-:|--:|\n{rows}\nAfter.\n\n- {paragraph}\n"
    );
    let b = body(&text);
    let (got, want) = (b.intro_html.to_text(), plain_html(&text));
    let same = got.bytes().zip(want.bytes()).take_while(|(a, b)| a == b).count();
    let around = |s: &str| s[same.saturating_sub(80)..(same + 80).min(s.len())].to_owned();
    assert!(got == want, "differs at byte {same}:\n{}\n---\n{}", around(&got), around(&want));
    assert_eq!(b.links.len(), n * 3);
}

/// Renders every call as `<div data-name="…">` with its body, for the tests below.
struct Echo;

impl Shortcodes for Echo {
    fn render(
        &self,
        call: &Call,
        body: Option<&str>,
        page: &serde_json::Value,
    ) -> Result<String, Refusal> {
        if call.name == "broken" {
            return Err(Refusal {
                message: "no".into(),
                hint: None,
                at: Culprit::Argument("x".into()),
            });
        }
        Ok(format!(
            "<div data-name=\"{}\" data-page=\"{}\">{}</div>",
            call.name,
            page["title"].as_str().unwrap_or(""),
            body.unwrap_or("")
        ))
    }
}

fn with_shortcodes(text: &str) -> Body {
    let page = serde_json::json!({ "title": "T" });
    let options = Options {
        unsafe_html: false,
        base_path: "/",
        image_sizes: None,
        shortcodes: Some(ShortcodeContext { renderer: &Echo, page: &page }),
    };
    render_body(text, 10, &options)
}

#[test]
fn shortcode_html_survives_a_site_without_raw_html() {
    let body =
        with_shortcodes("<b>raw</b>\n\n{{ box(a=1) }}\n\n{% quote() %}\nIn *it*.\n{% end %}\n");
    assert_eq!(
        body.intro_html.to_text(),
        "<p>raw</p>\n<div data-name=\"box\" data-page=\"T\"></div>\n\
         <div data-name=\"quote\" data-page=\"T\"><p>In <em>it</em>.</p>\n</div>\n"
    );
    assert_eq!(body.shortcodes, ["box", "quote"]);
    assert!(body.problems.is_empty());
}

#[test]
fn lines_after_a_shortcode_keep_their_file_line() {
    let body = with_shortcodes("{{ box() }}\nSee [a](/a/).\n\n{{ broken(x=1) }}\n");
    assert_eq!((body.links[0].line, body.links[0].column), (11, 5));
    assert_eq!((body.problems[0].line, body.problems[0].column), (13, 11));
    // The call is no summary; the paragraph after it is.
    assert_eq!(body.first_paragraph.as_deref(), Some("See a."));
}

#[test]
fn a_body_heading_is_no_section_and_no_summary() {
    let body = with_shortcodes("{% box() %}\n## Inside\n\nQuoted.\n{% end %}\n\nFirst.\n");
    assert!(body.sections.is_empty());
    assert_eq!(body.first_paragraph.as_deref(), Some("First."));
}

#[test]
fn callouts_are_notes_with_a_title() {
    let html = render_fragment(
        "> [!TIP] Read *this*\n> Body.\n\n> [!caution]\n> Hot.\n\n> [!NOTE]Glued\n> On.\n",
        &OPTS,
    );
    assert_eq!(
        html,
        "<aside class=\"callout callout-tip\" role=\"note\" aria-labelledby=\"callout-read-this\">\n\
         <p class=\"callout-title\" id=\"callout-read-this\">Read <em>this</em></p>\n<p>Body.</p>\n</aside>\n\
         <aside class=\"callout callout-caution\" role=\"note\" aria-labelledby=\"callout-caution\">\n\
         <p class=\"callout-title\" id=\"callout-caution\">Caution</p>\n<p>Hot.</p>\n</aside>\n\
         <aside class=\"callout callout-note\" role=\"note\" aria-labelledby=\"callout-glued\">\n\
         <p class=\"callout-title\" id=\"callout-glued\">Glued</p>\n<p>On.</p>\n</aside>\n"
    );
}

#[test]
fn a_body_of_a_callout_and_a_call_takes_its_summary_from_them() {
    let body = with_shortcodes("> [!NOTE] What we know\n> Rates rise.\n\n{{ box(title=\"T\") }}\n");
    assert_eq!(body.first_paragraph.as_deref(), Some("Rates rise."));
    let body = with_shortcodes("{{ box(title=\"The chart\") }}\n");
    assert_eq!(body.first_paragraph.as_deref(), Some("The chart"));
    let body = with_shortcodes("{{ box(title=\"T\") }}\n\n> [!NOTE]\n> Nested.\n");
    assert_eq!(body.first_paragraph.as_deref(), Some("Nested."));
    let body = with_shortcodes("> [!NOTE]\n> Nested.\n\nTop.\n");
    assert_eq!(body.first_paragraph.as_deref(), Some("Top."));
}

#[test]
fn without_a_theme_calls_stay_as_written() {
    assert_eq!(render_fragment("{{ box(a=1) }}\n", &OPTS), "<p>{{ box(a=1) }}</p>\n");
}

#[test]
fn a_titled_image_alone_in_its_paragraph_is_a_figure_in_its_place() {
    let b = body(
        "Intro.\n\n![A street](https://e.com/a.png \"Water at the doors\")\n\nText ![x](/b.png \"Tip\") on.\n",
    );
    assert_eq!(
        b.intro_html.to_text(),
        "<p>Intro.</p>\n<figure><img src=\"https://e.com/a.png\" alt=\"A street\" loading=\"lazy\" \
         decoding=\"async\"><figcaption>Water at the doors</figcaption></figure>\n\
         <p>Text <img src=\"/b.png\" alt=\"x\" title=\"Tip\" loading=\"lazy\" decoding=\"async\"> on.</p>\n"
    );
    // Without a title it stays an image in a paragraph.
    let b = body("![A street](/a.png)\n");
    assert_eq!(
        b.intro_html.to_text(),
        "<p><img src=\"/a.png\" alt=\"A street\" loading=\"lazy\" decoding=\"async\"></p>\n"
    );
}
