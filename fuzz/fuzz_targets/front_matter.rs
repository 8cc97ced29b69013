//! Any text as an article file: front matter is split and checked, and every error
//! renders (file, line, column, excerpt, caret) without panicking.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match gazette::front_matter::parse_article(Path::new("content/fuzz.md"), &text) {
        Ok(parsed) => {
            assert!(parsed.body_line >= 2);
            assert!(!parsed.front.title.is_empty());
            for tag in &parsed.front.tags {
                assert!(tag.slug.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                assert!(problem.at.line >= 1);
                let _ = problem.render(false);
            }
        }
    }
});
