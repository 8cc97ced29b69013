//! Any text as a Markdown body, fragment or inline text: rendering never panics, and
//! every heading id is unique on the page.
#![no_main]

use libfuzzer_sys::fuzz_target;

use gazette::markdown::{Options, plain_text, render_body, render_fragment, render_inline};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for unsafe_html in [true, false] {
        let options =
            Options { unsafe_html, base_path: "/news/", image_sizes: None, shortcodes: None };
        let body = render_body(&text, 5, &options);
        let mut ids: Vec<&str> = body.sections.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "duplicate section ids");
        for link in &body.links {
            assert!(link.line >= 5);
        }
        if !unsafe_html {
            for section in &body.sections {
                assert!(
                    !section.html.to_text().contains("<script"),
                    "raw HTML kept with unsafe_html false"
                );
            }
        }
        let _ = render_fragment(&text, &options);
        let _ = render_inline(&text, &options);
    }
    let _ = plain_text(&text);
});
