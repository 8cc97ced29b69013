//! The error output shown in README.md and docs/ is gazette's own: each example sits
//! between `<!-- gazette-output: NAME -->` and `<!-- /gazette-output -->`, and the case
//! NAME below makes the site that prints it. Issue 23: the docs had drifted to a one-line
//! form gazette no longer printed.

use std::path::Path;

use crate::support::{Site, stderr};

/// A documented run: the files of the site, the command, and its exit status.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    args: &'static [&'static str],
    status: i32,
}

const SITE_YAML: &str = "title: The Desk\nbase_url: https://example.com/\n";

const CASES: &[Case] = &[
    Case {
        name: "unknown-key",
        files: &[(
            "content/economy/rates.md",
            "---\ntitle: Rates hold\ndate: 2026-04-29\ntgas: [interest-rates]\n---\nText.\n",
        )],
        args: &["build"],
        status: 1,
    },
    Case {
        name: "every-problem",
        files: &[
            (
                "content/economy/rates.md",
                "---\ntitle: Rates hold\ndate: 2026-04-29\ntgas: [interest-rates]\n---\nText.\n",
            ),
            ("content/world/talks.md", "---\ntitle: Talks resume\ndate: 2024-02-30\n---\nText.\n"),
        ],
        args: &["build"],
        status: 1,
    },
    Case {
        name: "apostrophe",
        files: &[(
            "content/economy/rates.md",
            "---\ntitle: 'The bank's decision'\ndate: 2026-04-29\n---\nText.\n",
        )],
        args: &["build"],
        status: 1,
    },
    Case {
        name: "template-field",
        files: &[
            (
                "content/a.md",
                "---\ntitle: A\ndate: 2026-04-27\nextra:\n  sponsor: Acme\n---\nText.\n",
            ),
            ("content/b.md", "---\ntitle: B\ndate: 2026-04-28\n---\nText.\n"),
            ("content/c.md", "---\ntitle: C\ndate: 2026-04-29\n---\nText.\n"),
            (
                "themes/default/templates/article.html",
                "{% extends \"base.html\" %}\n{% block main %}\n<h1>{{ page.title }}</h1>\n\
                 <p class=\"sponsor\">Supported by {{ page.extra.sponsor }}</p>\n\
                 {% endblock main %}\n",
            ),
        ],
        args: &["build"],
        status: 1,
    },
    Case {
        name: "shortcodes",
        files: &[(
            "content/economy/rates.md",
            "---\ntitle: Rates hold\ndate: 2026-04-29\n---\nText.\n\n\
             {{ youtub(id=\"dQw4w9WgXcQ\", title=\"The decision\") }}\n\n\
             {{ embed(url=\"http://charts.example.org/rates\", title=\"Rates since 2020\") }}\n",
        )],
        args: &["build"],
        status: 1,
    },
];

/// The files that show gazette's output.
const DOCS: &[&str] = &["README.md", "docs/writing.md", "docs/themes.md"];

const OPEN: &str = "<!-- gazette-output: ";
const CLOSE: &str = "<!-- /gazette-output -->";

/// Every example in `text`: its case name and the text inside its ```` ```text ```` fence.
fn examples(file: &str, text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        let (name, after) = after.split_once(" -->").expect("a marker ends with ` -->`");
        let end = after.find(CLOSE).unwrap_or_else(|| panic!("{file}: `{name}` is never closed"));
        let block = after[..end].trim();
        let body = block
            .strip_prefix("```text\n")
            .and_then(|b| b.strip_suffix("```"))
            .unwrap_or_else(|| panic!("{file}: `{name}` holds one ```text block"));
        found.push((name.to_owned(), body.to_owned()));
        rest = &after[end + CLOSE.len()..];
    }
    found
}

fn output_of(case: &Case) -> String {
    let site = Site::empty(SITE_YAML);
    for (path, text) in case.files {
        site.write(path, text);
    }
    let out = site.run(case.args);
    assert_eq!(out.status.code(), Some(case.status), "{}: {}", case.name, stderr(&out));
    stderr(&out)
}

#[test]
fn issue_23_error_examples_in_the_docs_are_what_gazette_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut shown = Vec::new();
    for file in DOCS {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (name, body) in examples(file, &text) {
            let case = CASES
                .iter()
                .find(|c| c.name == name)
                .unwrap_or_else(|| panic!("{file}: no case `{name}` in tests/cli/docs.rs"));
            let actual = output_of(case);
            assert!(
                body == actual,
                "{file}: the example `{name}` differs from gazette's output; it prints:\n\
                 ```text\n{actual}```\n"
            );
            shown.push(name);
        }
    }
    for case in CASES {
        assert!(shown.iter().any(|n| n == case.name), "no docs show the case `{}`", case.name);
    }
}

#[test]
fn examples_are_read_between_their_markers() {
    let text = "a\n<!-- gazette-output: x -->\n```text\nerror: one\n  two\n```\n<!-- /gazette-output -->\nb";
    assert_eq!(examples("t.md", text), [("x".to_owned(), "error: one\n  two\n".to_owned())]);
}
