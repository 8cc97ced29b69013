//! Rich article bodies (issue 18): callouts, shortcodes (built-in, site-defined,
//! overridden), their errors, and what search, feeds and summaries make of them.

use scraper::Html;

use crate::support::{Page, Server, Site, stderr, text};

/// A site without raw HTML, as shortcodes must work there; `base_url` has a sub-path so
/// site files show the base path.
const SITE: &str =
    "title: Rich Times\nbase_url: https://example.org/news/\nmarkdown:\n  unsafe_html: false\n";

fn article(body: &str) -> String {
    format!("---\ntitle: Rich\ndate: 2026-03-02\ncategory: World\ntags: [rates]\n---\n\n{body}")
}

#[test]
fn callouts_of_each_kind_render_as_titled_asides() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/rich.md",
        &article(
            "Lead.\n\n> [!NOTE] What we know\n> Rates **rise**.\n\n> [!TIP]\n> A tip.\n\n\
             > [!IMPORTANT]\n> Key.\n\n> [!WARNING]\n> Careful.\n\n> [!CAUTION]\n> Danger.\n\n\
             > [!NOTE]\n> Another note.\n\n> A plain quote.\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/rich/");
    let classes = page.attrs("aside.callout", "class");
    assert_eq!(
        classes,
        [
            "callout callout-note",
            "callout callout-tip",
            "callout callout-important",
            "callout callout-warning",
            "callout callout-caution",
            "callout callout-note"
        ]
    );
    assert_eq!(
        page.texts("aside.callout .callout-title"),
        ["What we know", "Tip", "Important", "Warning", "Caution", "Note"]
    );
    // Each is named by its own title, with ids unique on the page.
    let ids = page.attrs("aside.callout .callout-title", "id");
    assert_eq!(page.attrs("aside.callout", "aria-labelledby"), ids);
    assert_eq!(
        ids,
        [
            "callout-what-we-know",
            "callout-tip",
            "callout-important",
            "callout-warning",
            "callout-caution",
            "callout-note"
        ]
    );
    assert_eq!(
        page.texts("aside.callout-note > p:not(.callout-title)"),
        ["Rates rise.", "Another note."]
    );
    assert_eq!(page.texts("aside.callout-note strong"), ["rise"]);
    // A quote without a tag stays a quote.
    assert_eq!(page.texts(".article-body blockquote"), ["A plain quote."]);
}

#[test]
fn built_in_shortcodes_render_on_a_site_without_raw_html() {
    let site = Site::empty(SITE);
    std::fs::create_dir_all(site.path().join("content/images")).unwrap();
    std::fs::write(site.path().join("content/images/chart.png"), crate::images::png(2, 1)).unwrap();
    std::fs::write(site.path().join("content/images/clip.mp4"), b"not played in tests").unwrap();
    site.write(
        "content/world/rich.md",
        &article(
            "Lead paragraph.\n\n\
             {{ figure(src=\"/images/chart.png\", alt=\"Rates since 2020\", caption=\"Rates rose.\", credit=\"Data desk\") }}\n\n\
             {% pullquote(by=\"A. Governor\") %}\nWe will *not* wait.\n{% end %}\n\n\
             {{ youtube(id=\"dQw4w9WgXcQ\", title=\"The governor speaks\") }}\n\n\
             {{ embed(url=\"https://datawrapper.dwcdn.net/AbC12/3/\", title=\"Rates chart\", height=480) }}\n\n\
             {{ video(src=\"/images/clip.mp4\", poster=\"/images/chart.png\", caption=\"The meeting\") }}\n\n\
             <div class=\"raw\">raw HTML</div>\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/rich/");

    // The figure's image is processed like a Markdown image (issue 16): a <picture>.
    let img = page.one("figure.figure picture img");
    let attr = |name| img.value().attr(name).unwrap_or_default().to_owned();
    assert!(attr("src").starts_with("/news/images/chart."), "{}", attr("src"));
    assert!(attr("src").ends_with(".2.png"), "{}", attr("src"));
    assert_eq!([attr("alt"), attr("width"), attr("height")], ["Rates since 2020", "2", "1"]);
    assert_eq!(page.texts("figure.figure figcaption"), ["Rates rose. Data desk", "The meeting"]);
    assert_eq!(page.texts("figure.figure .credit"), ["Data desk"]);

    let quote = page.one("figure.pullquote");
    assert_eq!(page.texts("figure.pullquote > blockquote"), ["We will not wait."]);
    assert_eq!(page.texts("figure.pullquote > blockquote em"), ["not"]);
    assert_eq!(page.texts("figure.pullquote > figcaption"), ["A. Governor"]);
    assert_eq!(text(quote), "We will not wait. A. Governor");

    // Frames are placeholders: no iframe, nothing fetched from another host.
    assert!(page.select("iframe").is_empty());
    let frames = page.attrs("figure[data-embed-src]", "data-embed-src");
    assert_eq!(
        frames,
        [
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
            "https://datawrapper.dwcdn.net/AbC12/3/"
        ]
    );
    assert_eq!(
        page.attrs("figure[data-embed-src]", "data-embed-title"),
        ["The governor speaks", "Rates chart"]
    );
    assert_eq!(page.attrs("figure.embed", "data-embed-height"), ["480"]);
    assert_eq!(
        page.attrs("figure.embed figcaption a", "href"),
        ["https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://datawrapper.dwcdn.net/AbC12/3/"]
    );
    assert_eq!(
        page.texts("figure.embed .embed-load"),
        ["Play “The governor speaks”", "Show “Rates chart”"]
    );
    for tag in
        page.select("img, script, iframe, video, source, link[rel=stylesheet], link[rel=icon]")
    {
        for name in ["src", "href", "poster"] {
            let value = tag.value().attr(name).unwrap_or_default();
            assert!(!value.starts_with("http") && !value.starts_with("//"), "{value} is fetched");
        }
    }

    let video = page.one("figure.video video");
    assert_eq!(video.value().attr("src"), Some("/news/images/clip.mp4"));
    assert_eq!(video.value().attr("poster"), Some("/news/images/chart.png"));

    // The writer's raw HTML is still dropped.
    assert!(page.select("div.raw").is_empty());
    assert!(!site.read("world/rich/index.html").contains("raw HTML"));
}

#[test]
fn only_pages_with_a_frame_load_the_embed_script() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/frame.md",
        &article("Lead.\n\n{{ embed(url=\"https://flo.uri.sh/visualisation/1/embed\", title=\"Map\") }}\n"),
    );
    site.write(
        "content/world/plain.md",
        &article("Lead.\n\n{% pullquote %}\nNo frame here.\n{% end %}\n").replace("Rich", "Plain"),
    );
    site.build(&[]);
    let scripts = |url: &str| {
        site.page(url)
            .attrs("script[src]", "src")
            .into_iter()
            .filter(|s| !s.contains("ld+json"))
            .collect::<Vec<_>>()
    };
    let frame = scripts("/world/frame/");
    assert_eq!(frame.len(), 1, "{frame:?}");
    assert!(frame[0].starts_with("/news/embed.") && frame[0].ends_with(".js"), "{frame:?}");
    let script = site.read(frame[0].trim_start_matches("/news/"));
    assert!(script.contains("data-embed-src") || script.contains("embedSrc"), "{script}");
    assert!(scripts("/world/plain/").is_empty());
    assert!(scripts("/").is_empty());
}

#[test]
fn site_shortcodes_are_added_and_override_built_in_ones() {
    let site = Site::empty(SITE);
    site.write(
        "themes/default/templates/shortcodes/factbox.html",
        "{#- args: label: string, count?: number, open?: boolean, body?: markdown -#}\n\
         <div class=\"factbox\" data-count=\"{{ count | default(value=0) }}\" data-open=\"{{ open | default(value=false) }}\"><p class=\"label\">{{ label }}</p><p class=\"page\">{{ page.title }} / {{ site.title }} / {{ page.tags | join(sep=\",\") }}</p>{% if body is defined %}{{ body }}{% endif %}</div>\n",
    );
    site.write(
        "themes/default/templates/shortcodes/figure.html",
        "<p class=\"my-figure\">{{ alt }} at {{ src }}</p>\n",
    );
    site.write(
        "content/world/rich.md",
        &article(
            "Lead.\n\n{{ factbox(label=\"Inline <b>\", count=3, open=true) }}\n\n\
             {% factbox(label=\"Block\") %}\n- one\n- **two**\n{% end %}\n\n\
             {{ figure(src=\"/x.png\", alt=\"Mine\", anything=1) }}\n",
        ),
    );
    // A figure's image must exist, as a Markdown image's must (issue 16).
    std::fs::write(site.path().join("content/x.png"), crate::images::png(2, 1)).unwrap();
    site.build(&[]);
    let page = site.page("/world/rich/");
    assert_eq!(page.texts(".factbox .label"), ["Inline <b>", "Block"]);
    assert_eq!(page.attrs(".factbox", "data-count"), ["3", "0"]);
    assert_eq!(page.attrs(".factbox", "data-open"), ["true", "false"]);
    assert_eq!(page.texts(".factbox .page"), ["Rich / Rich Times / rates"; 2]);
    assert_eq!(page.texts(".factbox li"), ["one", "two"]);
    assert_eq!(page.texts(".factbox li strong"), ["two"]);
    // The site's figure replaces the built-in one, which declares its arguments; this
    // one declares none, so any argument goes.
    assert_eq!(page.texts("p.my-figure"), ["Mine at /news/x.png"]);
    assert!(page.select("figure.figure").is_empty());
}

#[test]
fn shortcodes_in_code_are_left_as_written() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/rich.md",
        &article(
            "Write `{{ youtube(id=\"abc\", title=\"T\") }}` for a video.\n\n\
             ```markdown\n{{ youtube(id=\"abc\", title=\"T\") }}\n{% pullquote(by=\"X\") %}\nText\n{% end %}\n```\n\n\
             ~~~\n{{ nosuch() }}\n~~~\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/rich/");
    assert_eq!(page.texts("p code"), ["{{ youtube(id=\"abc\", title=\"T\") }}"]);
    assert_eq!(
        page.texts("pre code"),
        [
            "{{ youtube(id=\"abc\", title=\"T\") }} {% pullquote(by=\"X\") %} Text {% end %}",
            "{{ nosuch() }}"
        ]
    );
    assert!(page.select("figure").is_empty());
}

#[test]
fn search_feeds_and_summaries_use_the_rendered_text() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/rich.md",
        &article(
            "{{ youtube(id=\"abc\", title=\"Video title\") }}\n\n\
             {% pullquote(by=\"Someone\") %}\nQuoted words.\n{% end %}\n\n\
             The first real paragraph.\n\n## More\n\n{{ embed(url=\"https://e.org/c\", title=\"Chart\") }}\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/rich/");
    assert_eq!(page.attrs("meta[name=description]", "content"), ["The first real paragraph."]);
    assert_eq!(page.texts(".standfirst"), ["The first real paragraph."]);
    let feed = site.read("feed.xml");
    for raw in ["{{", "{%", "youtube(", "\u{E000}"] {
        assert!(!feed.contains(raw), "the feed holds `{raw}`");
        assert!(!site.read("world/rich/index.html").contains(raw), "the page holds `{raw}`");
    }
    assert!(feed.contains("The first real paragraph."));
}

#[test]
fn every_shortcode_error_is_reported_at_once_with_its_place() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article(
            "Lead.\n\n{{ yotube(id=\"abc\", title=\"T\") }}\n\n{{ youtube(id=\"abc\") }}\n\n\
             {{ embed(url=\"http://e.org/chart\", title=\"Chart\") }}\n\n\
             {{ embed(url=\"https://e.org/chart\", title=\"Chart\", height=\"tall\") }}\n\n\
             {% pullquote(by=\"Someone\") %}\nNever closed.\n",
        ),
    );
    site.write(
        "content/world/b.md",
        &article(
            "{{ figure(src=\"/a.png\", alt=\"x\" caption=\"y\") }}\n\n{{ video(src=\"/a.mp4\", captoin=\"y\") }}\n\n\
             {{ pullquote(by=\"x\") }}\n\n{% end %}\n\n{{ embed(url=\"https://e.org/\", title=\"C\", height=big) }}\n",
        )
        .replace("Rich", "B"),
    );
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = r#"error: there is no shortcode `yotube`
  --> content/world/a.md:10:4
   |
10 | {{ yotube(id="abc", title="T") }}
   |    ^^^^^^
   |
   = help: did you mean `youtube`?

error: the shortcode `youtube` needs the argument `title`
  --> content/world/a.md:12:1
   |
12 | {{ youtube(id="abc") }}
   | ^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: add `title="…"`

error: the argument `url` of `embed` must be an `https://` address in quotes, not `"http://e.org/chart"`
  --> content/world/a.md:14:10
   |
14 | {{ embed(url="http://e.org/chart", title="Chart") }}
   |          ^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: frames load only over https, so that nothing on the way can change them; use the address's `https://` form

error: the argument `height` of `embed` must be a whole number from 100 to 2000, not `"tall"`
  --> content/world/a.md:16:52
   |
16 | {{ embed(url="https://e.org/chart", title="Chart", height="tall") }}
   |                                                    ^^^^^^^^^^^^^
   |
   = help: write it as `height=400`

error: the shortcode `pullquote` is never closed
  --> content/world/a.md:18:1
   |
18 | {% pullquote(by="Someone") %}
   | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: end its body with `{% end %}` on a line of its own

error: expected `,` or `)` in the call of `figure`, found `c`
 --> content/world/b.md:8:33
  |
8 | {{ figure(src="/a.png", alt="x" caption="y") }}
  |                                 ^
  |
  = help: arguments are parted by commas and the list ends with `)`; to show the text as written, put it in a code span (between backticks)

error: the shortcode `video` has no argument `captoin`
  --> content/world/b.md:10:24
   |
10 | {{ video(src="/a.mp4", captoin="y") }}
   |                        ^^^^^^^^^^^
   |
   = help: did you mean `caption`?

error: link to `/a.mp4` matches no page or file of the site
  --> content/world/b.md:10:10
   |
10 | {{ video(src="/a.mp4", captoin="y") }}
   |          ^^^^^^^^^^^^
   |
   = help: check the address; site paths look like `/category/slug/`

error: the shortcode `pullquote` needs a body
  --> content/world/b.md:12:1
   |
12 | {{ pullquote(by="x") }}
   | ^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: write `{% pullquote(…) %}`, the text on the lines below, then `{% end %}`

error: `{% end %}` closes no shortcode
  --> content/world/b.md:14:1
   |
14 | {% end %}
   | ^^^^^^^^^
   |
   = help: a block starts with `{% name(…) %}` on a line of its own; remove this line or add the opening one

error: the value of `height` in the call of `embed` is `big`, which is neither text in quotes nor a number
  --> content/world/b.md:16:50
   |
16 | {{ embed(url="https://e.org/", title="C", height=big) }}
   |                                                  ^^^
   |
   = help: values are text in quotes (`"a"`), numbers (`3`, `2.5`), `true` or `false`; to show the text as written, put it in a code span (between backticks)

checked 2 article(s): 11 error(s), 0 warning(s)
"#;
    assert_eq!(stderr(&out), expected);
    // `build` fails on the same problems and writes nothing.
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("10 | {{ yotube(id=\"abc\", title=\"T\") }}\n   |    ^^^^^^\n"));
    assert!(!site.out().exists());
}

#[test]
fn a_shortcode_template_change_rerenders_the_articles_under_serve() {
    let site = Site::empty(SITE);
    site.write("content/world/rich.md", &article("Lead.\n\n{{ note(text=\"first\") }}\n"));
    site.write(
        "themes/default/templates/shortcodes/note.html",
        "<p class=\"note\">A {{ text }}</p>\n",
    );
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().unwrap();
    let page = |server: &Server| {
        let response = server.get("/world/rich/");
        assert_eq!(response.status, 200);
        Page(Html::parse_document(&response.text())).texts("p.note")
    };
    assert_eq!(page(&server), ["A first"]);
    site.write(
        "themes/default/templates/shortcodes/note.html",
        "<p class=\"note\">B {{ text }}</p>\n",
    );
    events.next_build().unwrap();
    assert_eq!(page(&server), ["B first"]);
}

#[test]
fn callouts_sharing_a_title_are_notes_not_landmarks() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/rich.md",
        &article(
            "Lead.\n\n> [!NOTE]\n> One.\n\n> [!NOTE]\n> Two.\n\n\
             > [!WARNING] Be *careful* here\n> Three.\n\n> [!TIP]Glued title\n> Four.\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/rich/");
    // A note is no landmark, so two named "Note" do not clash (axe's landmark-unique).
    assert_eq!(page.attrs("aside.callout", "role"), ["note", "note", "note", "note"]);
    let ids = page.attrs("aside.callout .callout-title", "id");
    assert_eq!(page.attrs("aside.callout", "aria-labelledby"), ids);
    assert_eq!(
        ids,
        ["callout-note", "callout-note-1", "callout-be-careful-here", "callout-glued-title"]
    );
    // A custom title's Markdown is rendered, and a title glued to its tag is a title.
    assert_eq!(
        page.texts("aside.callout .callout-title"),
        ["Note", "Note", "Be careful here", "Glued title"]
    );
    assert_eq!(page.texts("aside.callout-warning .callout-title em"), ["careful"]);
    assert_eq!(page.attrs("aside.callout", "class")[3], "callout callout-tip");
    assert_eq!(page.texts("aside.callout-tip > p:not(.callout-title)"), ["Four."]);
}

#[test]
fn a_line_that_starts_like_a_call_but_is_none_is_an_error_not_text() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article(
            "Lead.\n\n{{ youtube(id=\"abc\", title=\"x\" }}\n\n{{ youtube(id=\"abc\", title=\"x\"), }}\n\n\
             {{ factbox }}\n\n{% pullquote(by=\"x\" %}\n\n- {{ youtube(id=\"abc\", title=\"x\") }}\n\n\
             > [!NOTE]\n> {{ youtube(id=\"abc\", title=\"x\") }}\n\n`{{ factbox }}` is shown as written.\n",
        ),
    );
    // A second article shares the tag, so that only the calls are reported.
    site.write("content/world/b.md", &article("Fine.\n").replace("title: Rich", "title: B"));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = r#"error: expected `)` to close the arguments of `youtube`
  --> content/world/a.md:10:32
   |
10 | {{ youtube(id="abc", title="x" }}
   |                                ^
   |
   = help: arguments are parted by commas and the list ends with `)`; to show the text as written, put it in a code span (between backticks)

error: unexpected `,` after the call of `youtube`
  --> content/world/a.md:12:32
   |
12 | {{ youtube(id="abc", title="x"), }}
   |                                ^
   |
   = help: a call stands alone on its line: `{{ name(key="value") }}`; to show the text as written, put it in a code span (between backticks)

error: a shortcode call needs parentheses: `{{ factbox() }}`
  --> content/world/a.md:14:1
   |
14 | {{ factbox }}
   | ^^^^^^^^^^^^^
   |
   = help: arguments, if any, go between them: `name(key="value")`; to show the text as written, put it in a code span (between backticks)

error: expected `)` to close the arguments of `pullquote`
  --> content/world/a.md:16:21
   |
16 | {% pullquote(by="x" %}
   |                     ^
   |
   = help: arguments are parted by commas and the list ends with `)`; to show the text as written, put it in a code span (between backticks)

error: a shortcode call cannot stand in a list item
  --> content/world/a.md:18:3
   |
18 | - {{ youtube(id="abc", title="x") }}
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: a call stands on a line of its own, outside quotes and list items (in a list, on the item's next line after a blank one, indented like its text); to show the text as written, put it in a code span (between backticks)

error: a shortcode call cannot stand in a quote
  --> content/world/a.md:21:3
   |
21 | > {{ youtube(id="abc", title="x") }}
   |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
   |
   = help: a call stands on a line of its own, outside quotes and list items (in a list, on the item's next line after a blank one, indented like its text); to show the text as written, put it in a code span (between backticks)

checked 2 article(s): 6 error(s), 0 warning(s)
"#;
    assert_eq!(stderr(&out), expected);
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!site.out().exists());
}

#[test]
fn a_call_on_its_own_line_in_a_list_item_renders_in_the_item() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article("Lead.\n\n- First item\n\n  {{ youtube(id=\"abc\", title=\"In a list\") }}\n"),
    );
    site.build(&[]);
    let page = site.page("/world/a/");
    assert_eq!(page.texts("li figure.embed-video figcaption a"), ["Watch on YouTube"]);
}

#[test]
fn empty_titles_and_out_of_range_numbers_are_errors() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article(
            "Lead.\n\n{{ youtube(id=\"abc\", title=\"\") }}\n\n{{ embed(url=\"https://e.org/c\", title=\" \") }}\n\n\
             {{ youtube(id=\"abc\", title=\"x\", start=-5) }}\n\n\
             {{ embed(url=\"https://e.org/c\", title=\"x\", height=2.5) }}\n\n\
             {{ embed(url=\"https://e.org/c\", title=\"x\", height=90000) }}\n",
        ),
    );
    // A second article shares the tag, so that only the calls are reported.
    site.write("content/world/b.md", &article("Fine.\n").replace("title: Rich", "title: B"));
    let out = site.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = r#"error: the argument `title` of `youtube` is empty
  --> content/world/a.md:10:22
   |
10 | {{ youtube(id="abc", title="") }}
   |                      ^^^^^^^^
   |
   = help: `youtube` needs it: write it as `title="…"`

error: the argument `title` of `embed` is empty
  --> content/world/a.md:12:33
   |
12 | {{ embed(url="https://e.org/c", title=" ") }}
   |                                 ^^^^^^^^^
   |
   = help: `embed` needs it: write it as `title="…"`

error: the argument `start` of `youtube` must be a whole number of 0 or more, not `-5`
  --> content/world/a.md:14:33
   |
14 | {{ youtube(id="abc", title="x", start=-5) }}
   |                                 ^^^^^^^^
   |
   = help: write it as `start=0`

error: the argument `height` of `embed` must be a whole number from 100 to 2000, not `2.5`
  --> content/world/a.md:16:44
   |
16 | {{ embed(url="https://e.org/c", title="x", height=2.5) }}
   |                                            ^^^^^^^^^^
   |
   = help: write it as `height=400`

error: the argument `height` of `embed` must be a whole number from 100 to 2000, not `90000`
  --> content/world/a.md:18:44
   |
18 | {{ embed(url="https://e.org/c", title="x", height=90000) }}
   |                                            ^^^^^^^^^^^^
   |
   = help: write it as `height=400`

checked 2 article(s): 5 error(s), 0 warning(s)
"#;
    assert_eq!(stderr(&out), expected);
}

#[test]
fn the_youtube_link_keeps_the_start_time() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article(
            "Lead.\n\n{{ youtube(id=\"abc\", title=\"From 90s\", start=90) }}\n\n\
             {{ youtube(id=\"def\", title=\"From the start\") }}\n",
        ),
    );
    site.build(&[]);
    let page = site.page("/world/a/");
    assert_eq!(
        page.attrs("figure.embed-video figcaption a", "href"),
        ["https://www.youtube.com/watch?v=abc&t=90s", "https://www.youtube.com/watch?v=def"]
    );
    assert_eq!(
        page.attrs("figure.embed-video", "data-embed-src")[0],
        "https://www.youtube-nocookie.com/embed/abc?autoplay=1&start=90"
    );
}

#[test]
fn an_article_of_a_callout_and_an_embed_takes_its_summary_from_them() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/callout.md",
        &article(
            "> [!NOTE] What we know\n> Rates rise on **Thursday**.\n\n\
             {{ embed(url=\"https://e.org/c\", title=\"Rates chart\") }}\n",
        ),
    );
    site.write(
        "content/world/embed.md",
        &article("{{ embed(url=\"https://e.org/c\", title=\"Rates chart\") }}\n")
            .replace("title: Rich", "title: Only a chart"),
    );
    site.build(&[]);
    let page = site.page("/world/callout/");
    assert_eq!(page.attrs("meta[name=description]", "content"), ["Rates rise on Thursday."]);
    let page = site.page("/world/embed/");
    assert_eq!(page.attrs("meta[name=description]", "content"), ["Rates chart"]);
    assert!(site.read("feed.xml").contains("Rates rise on Thursday."));
}

/// Issue 21: a mistake in a theme's shortcode declaration is a problem of the site (exit
/// status 1), not of the command line (2), and says which template and why.
#[test]
fn a_bad_args_comment_in_a_theme_shortcode_exits_with_1() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\n");
    site.write("themes/default/templates/shortcodes/bad.html", "{# args: foo #}\n<p>x</p>\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "error: themes/default/templates/shortcodes/bad.html: bad `args:` comment of the shortcode `bad`: "
        ),
        "{err}"
    );
    assert!(!site.out().exists());
}
