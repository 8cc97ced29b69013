//! Any text as the one article of a site, built in memory through the embedded theme:
//! no panic, every output path stays inside the output folder, and a failure is a
//! reported error.
#![no_main]

use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

const SITE: &str = "title: Fuzz Times\nbase_url: https://example.com/news/\n";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let now = jiff::Timestamp::from_second(1_790_000_000).unwrap();
    let articles = vec![(PathBuf::from("content/fuzz.md"), text)];
    match gazette::pipeline::build_in_memory(SITE, &articles, now) {
        Ok((files, findings)) => {
            for path in files.keys() {
                assert!(!path.is_empty() && !path.starts_with('/') && !path.contains('\\'), "{path}");
                assert!(path.split('/').all(|s| !s.is_empty() && s != ".." && s != "."), "{path}");
            }
            assert!(files.contains_key("index.html"));
            for finding in findings {
                let _ = finding.render(false);
            }
        }
        Err(err) => {
            assert!(!err.render(false).is_empty());
        }
    }
});
