//! Sites in languages other than English (issue 19): translated theme strings, CLDR
//! dates and plurals, right-to-left pages, translation overrides and Unicode slugs.

use std::collections::BTreeMap;
use std::path::Path;

use scraper::Html;

use crate::support::{Page, Site, stderr, text};

/// A body of about `words` words, so the reading time is known (220 words a minute).
fn body(words: usize) -> String {
    let mut text = String::from("## Première partie\n\n");
    text.push_str(&"mot ".repeat(words / 2));
    text.push_str("\n\n## Deuxième partie\n\n");
    text.push_str(&"mot ".repeat(words - words / 2));
    text.push('\n');
    text
}

/// A site in `language` with three articles (one short, one of 5 minutes, one with key
/// points, an FAQ, a correction, an update and a series) and one article a page, so
/// listings have pagers.
fn site(language: &str, title: &str) -> Site {
    let site = Site::empty(&format!(
        "title: \"{title}\"\nbase_url: https://example.com/\nlanguage: {language}\ndescription: \"{title}\"\npaginate: 1\n"
    ));
    site.write(
        "content/economie/taux.md",
        &format!(
            "---\ntitle: \"{title} un\"\ndate: 2026-02-09\ncategory: Économie\nauthor: [Marie Curie, Paul Langevin]\ntags: [taux, inflation]\nsummary: \"{title} résumé\"\nupdated: 2026-02-12\nkey_points:\n  - \"{title} point\"\nfaq:\n  - question: \"{title} question\"\n    answer: \"{title} réponse\"\nseries: \"{title} série\"\ncorrections:\n  - date: 2026-02-10\n    text: \"{title} correction\"\nupdates:\n  - date: 2026-02-11\n    text: \"{title} ajout\"\n---\n{}",
            body(100)
        ),
    );
    site.write(
        "content/economie/inflation.md",
        &format!(
            "---\ntitle: \"{title} deux\"\ndate: 2026-01-20\ncategory: Économie\ntags: [inflation]\nseries: \"{title} série\"\n---\n{}",
            body(1000)
        ),
    );
    site.write(
        "content/monde/sommet.md",
        &format!(
            "---\ntitle: \"{title} trois\"\ndate: 2025-12-01\ncategory: Monde\ntags: [taux]\n---\n{}",
            body(300)
        ),
    );
    site
}

/// Every HTML page of the output, by path.
fn pages(out: &Path) -> BTreeMap<String, Html> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy().into_owned();
            (rel, Html::parse_document(&std::fs::read_to_string(e.path()).unwrap()))
        })
        .collect()
}

/// What a reader sees or hears of a page: its text outside scripts, and the attributes
/// that are read out or shown (labels, placeholders, titles, descriptions).
fn readable(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for node in html.tree.nodes() {
        match node.value() {
            scraper::Node::Text(t) => {
                let in_script = node.ancestors().any(|a| {
                    a.value().as_element().is_some_and(|e| matches!(e.name(), "script" | "style"))
                });
                if !in_script && !t.trim().is_empty() {
                    found.push(t.trim().to_owned());
                }
            }
            scraper::Node::Element(e) => {
                for attr in ["aria-label", "placeholder", "title", "alt"] {
                    found.extend(e.attr(attr).map(str::to_owned));
                }
                let described = e.attr("name") == Some("description")
                    || e.attr("property").is_some_and(|p| p.starts_with("og:"));
                if e.name() == "meta" && described {
                    found.extend(e.attr("content").map(str::to_owned));
                }
            }
            _ => {}
        }
    }
    found
}

/// The translation files shipped in the binary, as the tests read them.
fn shipped(code: &str) -> BTreeMap<String, serde_yaml::Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/i18n/{code}.yaml"));
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every form of a message: itself, or each of its plural forms.
fn forms(value: &serde_yaml::Value) -> Vec<String> {
    match value {
        serde_yaml::Value::String(s) => vec![s.clone()],
        serde_yaml::Value::Mapping(m) => {
            m.values().filter_map(|v| v.as_str().map(str::to_owned)).collect()
        }
        other => panic!("unexpected message {other:?}"),
    }
}

/// The fixed words of English messages that the translation `code` says otherwise:
/// `{count} min read` gives `min read`.
fn english_words_replaced_in(code: &str) -> Vec<(String, String)> {
    let translated = shipped(code);
    let mut words = Vec::new();
    for (key, english) in shipped("en") {
        let theirs = forms(&translated[&key]).join("\n");
        for form in forms(&english) {
            for piece in form.split(['{', '}']).step_by(2) {
                let piece = piece.trim_matches(|c: char| !c.is_alphanumeric());
                if piece.chars().any(char::is_alphabetic) && !theirs.contains(piece) {
                    words.push((key.clone(), piece.to_owned()));
                }
            }
        }
    }
    words
}

/// Whether `word` is in `text` as whole words (not inside a longer word).
fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn a_french_site_shows_no_english_word_of_the_theme() {
    let site = site("fr", "Le Bureau");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let words = english_words_replaced_in("fr");
    assert!(words.iter().any(|(_, w)| w == "min read") && words.len() > 60, "{words:?}");
    let pages = pages(&site.out());
    assert!(pages.len() > 20, "articles, listings with pagers, archive, search, 404");
    let mut leaks = Vec::new();
    for (path, html) in &pages {
        for text in readable(html) {
            for (key, word) in &words {
                if contains_word(&text, word) {
                    leaks.push(format!("{path}: `{word}` ({key}) in `{text}`"));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "English left on French pages:\n{}", leaks.join("\n"));
    // The pieces that prove the pages were checked, in French.
    let article = site.page("/economie/taux/");
    assert_eq!(article.one("html").value().attr("lang"), Some("fr"));
    assert_eq!(article.one("html").value().attr("dir"), None);
    assert_eq!(article.texts("#key-points"), ["Points clés"]);
    assert_eq!(article.texts("#faq"), ["Questions fréquentes"]);
    assert_eq!(article.texts(".byline .authors"), ["Par Marie Curie et Paul Langevin"]);
    assert_eq!(article.texts(".see-also-label"), ["Voir aussi :"]);
    assert_eq!(article.texts(".share-label"), ["Partager", "Partager"], "top and end");
    let feed = site.read("corrections/feed.xml");
    assert!(feed.contains("<title>Corrections | Le Bureau</title>"), "{feed}");
    let second = site.page("/page/2/");
    assert_eq!(second.texts("h1"), ["Le Bureau : page 2"]);
    assert_eq!(second.texts(".pager a[rel=prev]"), ["← Plus récents"]);
}

#[test]
fn french_dates_and_reading_times_follow_cldr() {
    let site = site("fr", "Le Bureau");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.texts(".byline .dates time"), ["9 février 2026"]);
    assert_eq!(article.texts(".byline .updated time"), ["12 février 2026"]);
    assert_eq!(article.texts(".byline .reading-time"), ["1 min de lecture"]);
    assert_eq!(article.texts(".byline .dates"), ["Publié le 9 février 2026"]);
    let long = site.page("/economie/inflation/");
    assert_eq!(long.texts(".byline .reading-time"), ["5 min de lecture"]);
    let archive = site.page("/archive/");
    assert_eq!(archive.texts(".archive-months a"), ["février", "janvier", "décembre"]);
    let month = site.page("/archive/2026/02/");
    assert_eq!(month.texts("h1"), ["février 2026"]);
    let series = site.page("/series/le-bureau-serie/");
    assert_eq!(series.texts(".standfirst"), ["2 parties, dans l’ordre de publication."]);
}

#[test]
fn a_german_site_writes_dates_and_words_in_german() {
    let site = site("de", "Die Zeitung");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.one("html").value().attr("lang"), Some("de"));
    assert_eq!(article.texts(".byline .dates"), ["Veröffentlicht 9. Februar 2026"]);
    assert_eq!(article.texts(".byline .reading-time"), ["1 Min. Lesezeit"]);
    assert_eq!(article.texts("#key-points"), ["Das Wichtigste"]);
}

#[test]
fn an_arabic_site_is_right_to_left_with_arabic_dates_and_plural_forms() {
    let site = site("ar", "المكتب");
    site.write(
        "content/monde/court.md",
        &format!("---\ntitle: مقال قصير\ndate: 2026-02-20\ncategory: Monde\n---\n{}", body(300)),
    );
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    for (path, html) in pages(&site.out()) {
        let root = html.root_element();
        assert_eq!(root.value().attr("lang"), Some("ar"), "{path}");
        assert_eq!(root.value().attr("dir"), Some("rtl"), "{path}");
    }
    let article = site.page("/economie/taux/");
    assert_eq!(article.texts(".byline .dates time"), ["9 فبراير 2026"]);
    // CLDR's Arabic plural forms: one, two, few (3-10), many (11-99).
    assert_eq!(article.texts(".byline .reading-time"), ["دقيقة واحدة للقراءة"]);
    assert_eq!(site.page("/monde/court/").texts(".byline .reading-time"), ["دقيقتان للقراءة"]);
    assert_eq!(
        site.page("/economie/inflation/").texts(".byline .reading-time"),
        ["5 دقائق للقراءة"]
    );
    assert_eq!(article.texts("#key-points"), ["النقاط الرئيسية"]);
}

#[test]
fn a_japanese_site_has_cldr_dates_english_words_and_a_warning_about_them() {
    let site = site("ja", "新聞");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.one("html").value().attr("lang"), Some("ja"));
    assert_eq!(article.one("html").value().attr("dir"), None);
    // Japanese is in tools/icu-data/languages.txt: CLDR dates, though no translation.
    assert_eq!(article.texts(".byline .dates time"), ["2026年2月9日"]);
    assert_eq!(article.texts("#key-points"), ["Key Points"]);
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: no translation for the language `ja`: its pages show the theme's words in English\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("create `i18n/ja.yaml`"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("no CLDR dates"), "{}", stderr(&out));
}

#[test]
fn a_language_without_baked_cldr_data_has_english_dates_and_a_warning_about_them() {
    let site = site("is", "Fréttir");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.one("html").value().attr("lang"), Some("is"));
    // Icelandic is neither a shipped translation nor in tools/icu-data/languages.txt.
    assert_eq!(article.texts(".byline .dates time"), ["February 9, 2026"]);
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Both warnings point at `language: is`, the third line of site.yaml.
    assert!(
        stderr(&out).contains(
            "warning: no translation for the language `is`: its pages show the theme's words in English\n --> site.yaml:3:11\n"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "warning: no CLDR dates and numbers for the language `is`: its pages show them in English\n --> site.yaml:3:11\n  = help: gazette carries them for en, fr, de, es, it, pt, nl, ar, ja, zh, ko, ru, uk, pl, cs, tr, sv, da, nb, fi, el, he, fa, ur, hi, id, vi, th, hu, ro and their regional variants; a theme can show numeric dates with `date(format=\"%Y-%m-%d\")`\n"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_site_translation_file_overrides_and_adds_strings() {
    let site = site("fr", "Le Bureau");
    site.write(
        "i18n/fr.yaml",
        "key_points: L’essentiel\nmin_read:\n  one: \"{count} minute\"\n  other: \"{count} minutes\"\n",
    );
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.texts("#key-points"), ["L’essentiel"]);
    assert_eq!(article.texts(".byline .reading-time"), ["1 minute"]);
    let long = site.page("/economie/inflation/");
    assert_eq!(long.texts(".byline .reading-time"), ["5 minutes"]);
    // Strings the file leaves out still come from the embedded French.
    assert_eq!(article.texts("#faq"), ["Questions fréquentes"]);
}

#[test]
fn a_string_missing_from_a_translation_is_english_and_check_names_key_and_language() {
    let site = site("ja", "新聞");
    site.write("i18n/ja.yaml", "key_points: 要点\nfaq: よくある質問\n");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    assert_eq!(article.texts("#key-points"), ["要点"]);
    assert_eq!(article.texts(".share-label"), ["Share", "Share"], "missing: English");
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    let err = stderr(&out);
    assert!(out.status.success(), "warnings only:\n{err}");
    assert!(
        err.contains(
            "warning: the translation `ja` has no `share`: pages show it in English\n --> i18n/ja.yaml:1\n  = help: add `share: ...` to `i18n/ja.yaml`\n"
        ),
        "{err}"
    );
    assert!(!err.contains("has no `key_points`") && !err.contains("has no `faq`"), "{err}");
}

#[test]
fn translation_files_name_unknown_keys_and_reject_bad_plural_forms() {
    let site = site("fr", "Le Bureau");
    site.write("i18n/fr.yaml", "key_point: L’essentiel\n");
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: `key_point` is not a string of the default theme\n --> i18n/fr.yaml:1:1\n  = help: did you mean `key_points`?\n"
        ),
        "{err}"
    );
    site.write("i18n/fr.yaml", "min_read:\n  one: \"{count} minute\"\n  plural: \"{count}\"\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: `min_read`: `plural` is not a plural category\n --> i18n/fr.yaml:1:1\n  = help: use zero, one, two, few, many or other\n"
        ),
        "{err}"
    );
    site.write("i18n/fr.yaml", "more_in: \"Plus dans {rubrique}\"\n");
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains(
            "error: `more_in`: `{rubrique}` is never filled in\n --> i18n/fr.yaml:1:1\n  = help: this string takes `{name}`\n"
        ),
        "{err}"
    );
}

#[test]
fn a_bad_language_code_is_an_error_at_its_line() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\nlanguage: french!\n");
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: language: `french!` is not a language code\n --> site.yaml:3:11\n"),
        "{err}"
    );
    assert!(err.contains("= help: write a BCP 47 code such as `en`, `fr` or `pt-BR`"), "{err}");
}

#[test]
fn the_date_filter_speaks_the_site_language() {
    let site = site("fr", "Le Bureau");
    site.write(
        "themes/default/templates/tags.html",
        "{{ \"2026-02-09\" | date }}|{{ \"2026-02-09\" | date(format=\"full\") }}|{{ \"2026-02-09\" | date(format=\"medium\") }}|{{ \"2026-02-09\" | date(format=\"%d/%m/%Y\") }}",
    );
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    assert_eq!(
        site.read("tags/index.html"),
        "9 février 2026|lundi 9 février 2026|9 févr. 2026|09/02/2026"
    );
}

/// Articles whose file names and tags are Arabic and Chinese.
fn unicode_site(slugify: &str) -> Site {
    let site = Site::empty(&format!(
        "title: T\nbase_url: https://example.com/\nlanguage: ar\nslugify: {slugify}\n"
    ));
    site.write(
        "content/العالم/الانتخابات-المقبلة.md",
        "---\ntitle: الانتخابات المقبلة\ndate: 2026-02-09\ncategory: العالم\ntags: [سياسة, 中国经济]\n---\nنص. [رابط](/العالم/الاقتصاد/)\n",
    );
    site.write(
        "content/العالم/الاقتصاد.md",
        "---\ntitle: الاقتصاد\ndate: 2026-02-08\ncategory: العالم\ntags: [سياسة]\n---\nنص.\n",
    );
    site
}

#[test]
fn unicode_slugs_keep_every_script() {
    let site = unicode_site("unicode");
    site.build(&[]);
    let article = site.page("/العالم/الانتخابات-المقبلة/");
    let tags = article.attrs(".tags a", "href");
    assert_eq!(tags, ["/tags/سياسة/", "/tags/中国经济/"]);
    assert!(site.out().join("tags/中国经济/index.html").is_file());
    assert!(site.out().join("العالم/index.html").is_file());
    let out = site.run(&["check"]);
    assert!(out.status.success(), "the link between the two resolves:\n{}", stderr(&out));
}

#[test]
fn ascii_slugs_transliterate_every_script_to_something() {
    let site = unicode_site("ascii");
    site.build(&[]);
    let page = Page(Html::parse_document(&site.read("index.html")));
    let urls = page.attrs(".card-title a, .lead-story-title a", "href");
    assert_eq!(urls.len(), 2, "{urls:?}");
    for url in &urls {
        let slug = url.trim_matches('/').rsplit('/').next().unwrap();
        assert!(!slug.is_empty() && slug.is_ascii(), "{url}");
    }
    let article = Page(Html::parse_document(&site.read(&format!(
        "{}index.html",
        urls.iter().find(|u| u.contains("lntkhb")).expect("transliterated").trim_start_matches('/')
    ))));
    let tags: Vec<String> = article.select(".tags a").into_iter().map(text).collect();
    assert_eq!(tags, ["سياسة", "中国经济"], "names stay as written");
    assert!(article.attrs(".tags a", "href").iter().all(|h| h.is_ascii()));
}

#[test]
fn new_makes_a_file_name_from_an_arabic_or_chinese_title_in_both_modes() {
    for mode in ["ascii", "unicode"] {
        let site =
            Site::empty(&format!("title: T\nbase_url: https://example.com/\nslugify: {mode}\n"));
        for title in ["الانتخابات المقبلة", "中国经济"] {
            let out = site.run(&["new", title]);
            assert!(out.status.success(), "{mode} {title}: {}", stderr(&out));
        }
        let names: Vec<String> = std::fs::read_dir(site.path().join("content/news"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{mode}: {names:?}");
        for name in &names {
            assert!(name.len() > ".md".len() && !name.starts_with("x-"), "{mode}: {name}");
            if mode == "unicode" {
                assert!(name == "الانتخابات-المقبلة.md" || name == "中国经济.md", "{name}");
            } else {
                assert!(name.is_ascii(), "{name}");
            }
        }
    }
}

// ---- Several languages in one site (issue 19 point 4) ----

/// A site in English (the default), French and Arabic. `rates` has a version in each
/// language (by file name); `debt` and `dette` are translations by `translation_key`;
/// `inflation` is in French only, `budget` in English only.
fn multilingual() -> Site {
    let site = Site::empty(
        "title: The Desk\nbase_url: https://example.com/\nlanguage: en\ndescription: Explainers\npaginate: 2\nlanguages:\n  fr: { title: \"Le Bureau\", description: \"Des explications\" }\n  ar: { title: \"المكتب\", description: \"شروح\" }\n",
    );
    let article = |path: &str, front: &str, body: &str| {
        site.write(path, &format!("---\n{front}\n---\n{body}\n"));
    };
    article(
        "content/economy/rates.md",
        "title: How rates work\ndate: 2026-02-09\ncategory: Economy\ntags: [rates, banks]",
        "## Why\n\nCentral banks set rates.\n\n## How\n\nBy vote.",
    );
    article(
        "content/economy/rates.fr.md",
        "title: Comment fonctionnent les taux\ndate: 2026-02-09\ncategory: Économie\ntags: [taux, banques]",
        "## Pourquoi\n\nLes banques centrales fixent les taux.\n\n## Comment\n\nPar un vote.",
    );
    article(
        "content/economy/rates.ar.md",
        "title: كيف تعمل الفائدة\ndate: 2026-02-09\ncategory: اقتصاد\ntags: [فائدة]",
        "تحدد البنوك المركزية أسعار الفائدة.",
    );
    article(
        "content/economy/debt.md",
        "title: Debt explained\ndate: 2026-02-08\ncategory: Economy\ntags: [rates, banks, money]\ntranslation_key: debt",
        "## Who owes\n\nGovernments borrow.\n\n## Who lends\n\nSavers.",
    );
    article(
        "content/economie/dette.md",
        "title: La dette expliquée\ndate: 2026-02-08\ncategory: Économie\ntags: [taux, banques, monnaie]\nlang: fr\ntranslation_key: debt",
        "## Qui doit\n\nLes États empruntent.\n\n## Qui prête\n\nLes épargnants.",
    );
    article(
        "content/economy/inflation.fr.md",
        "title: L’inflation en bref\ndate: 2026-02-07\ncategory: Économie\ntags: [monnaie]",
        "## Prix\n\nLes prix montent.\n\n## Salaires\n\nLes salaires suivent.",
    );
    article(
        "content/economy/budget.md",
        "title: The budget\ndate: 2026-02-06\ncategory: Economy\ntags: [money]",
        "## Spending\n\nMinistries spend.\n\n## Revenue\n\nTaxes come in.",
    );
    site
}

/// The `hreflang` links of a page: (language, URL), in page order.
fn hreflangs(page: &Page) -> Vec<(String, String)> {
    page.select("link[rel=alternate][hreflang]")
        .into_iter()
        .map(|l| {
            let attr = |name: &str| l.value().attr(name).unwrap().to_owned();
            (attr("hreflang"), attr("href"))
        })
        .collect()
}

/// The page at an absolute URL of the fixture (`https://example.com/fr/`).
fn page_at(site: &Site, url: &str) -> Page {
    site.page(url.strip_prefix("https://example.com").expect("a URL of the site"))
}

/// Every `<url>` of the sitemaps of all languages: its `<loc>` and its alternates.
fn sitemap_alternates(site: &Site) -> BTreeMap<String, Vec<(String, String)>> {
    let mut all = BTreeMap::new();
    for file in ["sitemap.xml", "fr/sitemap.xml", "ar/sitemap.xml"] {
        let xml = site.read(file);
        let doc = roxmltree::Document::parse(&xml).expect("the sitemap parses");
        for url in doc.descendants().filter(|n| n.has_tag_name("url")) {
            let loc = url.children().find(|n| n.has_tag_name("loc")).unwrap().text().unwrap();
            let links = url
                .children()
                .filter(|n| n.has_tag_name("link"))
                .map(|n| {
                    (
                        n.attribute("hreflang").unwrap().to_owned(),
                        n.attribute("href").unwrap().to_owned(),
                    )
                })
                .collect();
            assert!(all.insert(loc.to_owned(), links).is_none(), "{loc} is listed once");
        }
    }
    all
}

#[test]
fn each_language_has_its_own_urls_lang_and_dir() {
    let site = multilingual();
    // The next day: the news sitemaps list the articles of the last two days.
    site.build(&["--now", "2026-02-10T12:00:00Z"]);
    for file in [
        "economy/rates/index.html",
        "economy/debt/index.html",
        "index.html",
        "feed.xml",
        "search/index.html",
        "search/index.json",
        "tags/rates/index.html",
        "archive/index.html",
        "page/2/index.html",
        "fr/index.html",
        "fr/economie/rates/index.html",
        "fr/economie/dette/index.html",
        "fr/economie/inflation/index.html",
        "fr/economie/index.html",
        "fr/economie/feed.xml",
        "fr/feed.xml",
        "fr/search/index.html",
        "fr/search/index.json",
        "fr/tags/taux/index.html",
        "fr/archive/index.html",
        "fr/page/2/index.html",
        "fr/sitemap.xml",
        "fr/news-sitemap.xml",
        "ar/index.html",
        "ar/feed.xml",
        "ar/search/index.json",
    ] {
        assert!(site.out().join(file).is_file(), "{file} is written");
    }
    assert!(!site.out().join("fr/robots.txt").exists(), "crawlers read /robots.txt only");
    assert_eq!(
        site.read("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://example.com/sitemap.xml\nSitemap: https://example.com/fr/sitemap.xml\nSitemap: https://example.com/ar/sitemap.xml\n"
    );
    for (rel, html) in pages(&site.out()) {
        let root = html.root_element();
        let lang = root.value().attr("lang");
        let dir = root.value().attr("dir");
        let expected = match rel.split('/').next() {
            Some("fr") => (Some("fr"), None),
            Some("ar") => (Some("ar"), Some("rtl")),
            _ => (Some("en"), None),
        };
        assert_eq!((lang, dir), expected, "{rel}");
    }
    let fr = site.page("/fr/");
    assert_eq!(fr.texts(".brand"), ["Le Bureau"]);
    assert_eq!(fr.texts(".tagline"), ["Des explications"]);
    assert_eq!(site.page("/ar/").texts(".brand"), ["المكتب"]);
    // The search page of each language reads its own index; the theme's files are shared.
    let search = site.page("/fr/search/");
    assert_eq!(search.attrs("script[data-index]", "data-index"), ["/fr/search/index.json"]);
    let css = fr.attrs("link[rel=stylesheet]", "href");
    assert!(css.iter().all(|h| !h.starts_with("/fr/")), "{css:?}");
    assert!(css.iter().any(|h| h.starts_with("/languages.")), "the switcher's styles: {css:?}");
    for href in &css {
        assert!(site.out().join(href.trim_start_matches('/')).is_file(), "{href}");
    }
    let news = site.read("fr/news-sitemap.xml");
    assert!(news.contains("<news:language>fr</news:language>"), "{news}");
    assert!(!news.contains("<news:language>en</news:language>"), "{news}");
}

#[test]
fn hreflang_sets_are_complete_and_reciprocal_in_pages_and_sitemaps() {
    let site = multilingual();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let ar_rates = {
        let ar = site.page("/ar/");
        let links = ar.attrs(".card-title a, .lead-story-title a", "href");
        assert_eq!(links.len(), 1, "{links:?}");
        format!("https://example.com{}", links[0])
    };
    let rates = vec![
        ("en".to_owned(), "https://example.com/economy/rates/".to_owned()),
        ("fr".to_owned(), "https://example.com/fr/economie/rates/".to_owned()),
        ("ar".to_owned(), ar_rates),
        ("x-default".to_owned(), "https://example.com/economy/rates/".to_owned()),
    ];
    let debt = vec![
        ("en".to_owned(), "https://example.com/economy/debt/".to_owned()),
        ("fr".to_owned(), "https://example.com/fr/economie/dette/".to_owned()),
        ("x-default".to_owned(), "https://example.com/economy/debt/".to_owned()),
    ];
    let fronts = vec![
        ("en".to_owned(), "https://example.com/".to_owned()),
        ("fr".to_owned(), "https://example.com/fr/".to_owned()),
        ("ar".to_owned(), "https://example.com/ar/".to_owned()),
        ("x-default".to_owned(), "https://example.com/".to_owned()),
    ];
    let sitemaps = sitemap_alternates(&site);
    for set in [&rates, &debt, &fronts] {
        // Every version lists every version, itself included, and the sitemap says the same.
        for (lang, url) in set.iter().filter(|(lang, _)| lang != "x-default") {
            assert_eq!(&hreflangs(&page_at(&site, url)), set, "{lang}: {url}");
            assert_eq!(sitemaps.get(url), Some(set), "the sitemap entry of {url}");
        }
    }
    // Articles without translations carry none.
    let inflation = site.page("/fr/economie/inflation/");
    assert!(hreflangs(&inflation).is_empty());
    assert_eq!(sitemaps["https://example.com/economy/budget/"], []);
    let sitemap = site.read("sitemap.xml");
    assert!(!sitemap.contains("<loc>https://example.com/fr/"), "own pages only:\n{sitemap}");
    let sitemap = site.read("fr/sitemap.xml");
    let locs = sitemap.matches("<loc>").count();
    assert_eq!(locs, sitemap.matches("<loc>https://example.com/fr/").count(), "{sitemap}");
}

#[test]
fn listings_feeds_tags_and_see_also_stay_in_their_language() {
    let site = multilingual();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let links = |page: &Page| -> Vec<String> {
        let all = page.attrs("main a[href]", "href");
        all.into_iter().filter(|h| h.starts_with('/')).collect()
    };
    let french = |href: &String| href.starts_with("/fr/");
    let english = |href: &String| !href.starts_with("/fr/") && !href.starts_with("/ar/");
    for url in ["/", "/page/2/", "/economy/", "/tags/rates/", "/economy/rates/", "/economy/debt/"] {
        let found = links(&site.page(url));
        assert!(!found.is_empty(), "{url}");
        assert!(found.iter().all(english), "{url}: {found:?}");
    }
    for url in ["/fr/", "/fr/page/2/", "/fr/economie/", "/fr/tags/taux/", "/fr/economie/rates/"] {
        let found = links(&site.page(url));
        assert!(!found.is_empty(), "{url}");
        assert!(found.iter().all(french), "{url}: {found:?}");
    }
    // "See also" and related links of a French article lead to French articles only.
    let see_also = site.page("/fr/economie/rates/").attrs(".see-also a, .related a", "href");
    assert!(!see_also.is_empty(), "the French articles share tags");
    assert!(see_also.iter().all(french), "{see_also:?}");
    let see_also = site.page("/economy/rates/").attrs(".see-also a, .related a", "href");
    assert!(!see_also.is_empty() && see_also.iter().all(english), "{see_also:?}");
    // Per-language feeds: the French feed has the three French articles, the English one
    // the three English.
    let entries = |file: &str| -> Vec<String> {
        let feed = feed_rs::parser::parse(site.read(file).as_bytes()).expect("the feed parses");
        feed.entries.iter().map(|e| e.links[0].href.clone()).collect()
    };
    assert_eq!(
        entries("fr/feed.xml"),
        [
            "https://example.com/fr/economie/rates/",
            "https://example.com/fr/economie/dette/",
            "https://example.com/fr/economie/inflation/",
        ]
    );
    assert_eq!(
        entries("feed.xml"),
        [
            "https://example.com/economy/rates/",
            "https://example.com/economy/debt/",
            "https://example.com/economy/budget/",
        ]
    );
    let feed = feed_rs::parser::parse(site.read("fr/feed.xml").as_bytes()).unwrap();
    assert_eq!(feed.title.unwrap().content, "Le Bureau");
    // Each language's search index has its own articles (whatever its files are).
    let index_text = |folder: &str| -> String {
        walkdir::WalkDir::new(site.out().join(folder))
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file() && e.path().extension().is_none_or(|x| x != "html"))
            .map(|e| String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned())
            .collect()
    };
    let fr = index_text("fr/search");
    assert!(fr.contains("/fr/economie/rates/") && !fr.contains("/economy/"), "{fr}");
    let en = index_text("search");
    assert!(en.contains("/economy/rates/") && !en.contains("/fr/"), "{en}");
}

#[test]
fn the_language_switcher_links_translations_or_front_pages() {
    let site = multilingual();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let switcher = |page: &Page| -> Vec<(String, String, bool)> {
        page.select("nav.languages a")
            .into_iter()
            .map(|a| {
                let v = a.value();
                assert_eq!(v.attr("lang"), v.attr("hreflang"));
                (v.attr("hreflang").unwrap().to_owned(), text(a), v.attr("aria-current").is_some())
            })
            .collect()
    };
    let hrefs = |page: &Page| page.attrs("nav.languages a", "href");
    let article = site.page("/fr/economie/dette/");
    assert_eq!(
        switcher(&article),
        [("en".into(), "English".into(), false), ("fr".into(), "Français".into(), true)]
    );
    assert_eq!(hrefs(&article), ["/economy/debt/", "/fr/economie/dette/"]);
    assert_eq!(article.attrs("nav.languages", "aria-label"), ["Langues"]);
    // Elsewhere, and on an article without translations: every language's front page.
    for url in ["/fr/tags/taux/", "/fr/economie/inflation/", "/ar/"] {
        let page = site.page(url);
        assert_eq!(hrefs(&page), ["/", "/fr/", "/ar/"], "{url}");
        let names: Vec<String> = switcher(&page).into_iter().map(|(_, name, _)| name).collect();
        assert_eq!(names, ["English", "Français", "العربية"], "{url}");
    }
    let current: Vec<bool> = switcher(&site.page("/ar/")).into_iter().map(|(.., c)| c).collect();
    assert_eq!(current, [false, false, true]);
}

#[test]
fn a_language_the_site_does_not_list_is_an_error_at_its_line() {
    let site = multilingual();
    site.write(
        "content/economy/zins.md",
        "---\ntitle: Zinsen\ndate: 2026-02-01\nlang: de\n---\nText.\n",
    );
    let out = site.run(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: lang: `de` is not a language of this site\n --> content/economy/zins.md:4:7\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("= help: the site's languages are `en`, `fr`, `ar`: add `de` under `languages:` in site.yaml, or write one of them"),
        "{err}"
    );
    site.remove("content/economy/zins.md");
    site.write("content/economy/rates.es.md", "---\ntitle: Tipos\ndate: 2026-02-01\n---\nTexto.\n");
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("error: the file name gives the language `es`, which site.yaml does not list\n --> content/economy/rates.es.md:1\n"),
        "{err}"
    );
    site.remove("content/economy/rates.es.md");
    // A site in one language reads no suffix: `notes.fr.md` keeps the slug it always had.
    let single = Site::empty("title: T\nbase_url: https://example.com/\n");
    single.write("content/news/notes.fr.md", "---\ntitle: Notes\ndate: 2026-02-01\n---\nText.\n");
    single.build(&[]);
    assert!(single.out().join("news/notes-fr/index.html").is_file());
    // Nor does it publish the switcher's styles or name them.
    let names: Vec<String> = std::fs::read_dir(single.out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("languages.")), "{names:?}");
    assert!(!single.read("news/notes-fr/index.html").contains("languages"));
    let lang = Site::empty("title: T\nbase_url: https://example.com/\n");
    lang.write(
        "content/news/notes.md",
        "---\ntitle: Notes\ndate: 2026-02-01\nlang: fr\n---\nText.\n",
    );
    let err = stderr(&lang.run(&["build"]));
    assert!(err.contains("error: lang: `fr` is not a language of this site"), "{err}");
    assert!(
        err.contains("= help: the site's languages are `en`: add `fr` under `languages:`"),
        "{err}"
    );
}

#[test]
fn two_versions_in_one_language_and_bad_language_lists_are_errors() {
    let site = multilingual();
    site.write(
        "content/economie/dette-bis.md",
        "---\ntitle: Encore la dette\ndate: 2026-02-05\nlang: fr\ntranslation_key: debt\n---\nTexte.\n",
    );
    let err = stderr(&site.run(&["build"]));
    assert!(
        err.contains("error: this article and `content/economie/dette-bis.md` are both in `fr` with the translation key `debt`: a page can have one translation per language\n --> content/economie/dette.md:1:1\n"),
        "{err}"
    );
    assert!(
        err.contains(
            "= help: give one of them another `translation_key:`, or the `lang:` it is written in"
        ),
        "{err}"
    );
    let bad = Site::empty(
        "title: T\nbase_url: https://example.com/\nlanguage: en\nlanguages:\n  en: { title: E }\n",
    );
    let err = stderr(&bad.run(&["build"]));
    assert!(
        err.contains("error: languages: `en` is the default language (`language: en`)"),
        "{err}"
    );
}

#[test]
fn check_passes_on_a_site_in_several_languages() {
    let site = multilingual();
    // A French article links to another French page by its full site path.
    site.write(
        "content/economy/inflation.fr.md",
        "---\ntitle: L’inflation en bref\ndate: 2026-02-07\ncategory: Économie\ntags: [taux, monnaie]\n---\n## Prix\n\nVoir [la dette](/fr/economie/dette/) et [les taux](../rates/).\n\n## Salaires\n\nLes salaires suivent.\n",
    );
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    assert!(out.status.success(), "{}", stderr(&out));
    site.write(
        "content/economy/inflation.fr.md",
        "---\ntitle: L’inflation en bref\ndate: 2026-02-07\ncategory: Économie\ntags: [taux, monnaie]\n---\nVoir [la dette](/fr/economie/nulle-part/).\n",
    );
    let out = site.run(&["check", "--now", "2026-03-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("/fr/economie/nulle-part/"), "{}", stderr(&out));
}

#[test]
fn sitemaps_percent_encode_unicode_slugs() {
    let site = unicode_site("unicode");
    site.build(&["--now", "2026-02-09T12:00:00Z"]);
    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).expect("the sitemap parses");
    let locs: Vec<&str> =
        doc.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert!(!locs.is_empty());
    for loc in &locs {
        assert!(loc.is_ascii() && !loc.contains(' '), "RFC 3986 allows no raw `{loc}`");
        url::Url::parse(loc).expect("a valid URL");
    }
    // `/العالم/الاقتصاد/`, encoded as UTF-8.
    let article = "https://example.com/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF/";
    assert!(locs.contains(&article), "{locs:?}");
    assert!(locs.contains(&"https://example.com/tags/%E4%B8%AD%E5%9B%BD%E7%BB%8F%E6%B5%8E/"));
    let news = site.read("news-sitemap.xml");
    assert!(news.contains(&format!("<loc>{article}</loc>")), "{news}");
}

#[test]
fn code_in_another_language_only_gets_its_highlighting_styles() {
    let site = multilingual();
    site.write(
        "content/economy/inflation.fr.md",
        "---\ntitle: L’inflation en bref\ndate: 2026-02-07\ncategory: Économie\ntags: [monnaie]\n---\n## Calcul\n\n```python\nprint(1.02 ** 10)\n```\n",
    );
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let page = site.page("/fr/economie/inflation/");
    let sheets = page.attrs("link[rel=stylesheet]", "href");
    let highlight: Vec<&String> = sheets.iter().filter(|h| h.contains("highlight")).collect();
    assert_eq!(highlight.len(), 1, "{sheets:?}");
    for href in sheets {
        assert!(site.out().join(href.trim_start_matches('/')).is_file(), "{href} is written");
    }
}

#[test]
fn a_second_build_finds_every_language_page_still_there() {
    let site = multilingual();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let out = site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let err = stderr(&out);
    assert!(!err.contains("the previous build had a page"), "{err}");
    // A default-language article that moves is still noticed.
    site.remove("content/economy/budget.md");
    site.write(
        "content/economy/budget-2026.md",
        "---\ntitle: The budget\ndate: 2026-02-06\ncategory: Economy\ntags: [money]\n---\nMinistries spend.\n",
    );
    let err = stderr(&site.build(&["--now", "2026-03-01T00:00:00Z"]));
    assert!(err.contains("the previous build had a page at `/economy/budget/`"), "{err}");
    assert_eq!(err.matches("the previous build had a page").count(), 1, "{err}");
}

/// What a site in `language` shows that CLDR decides, on one line: the article's dates
/// (published and updated), its reading times of 1 and 5 minutes, the archive's months,
/// a month's title and a series' count of parts.
fn cldr_texts(language: &str) -> String {
    let site = site(language, "Site");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let article = site.page("/economie/taux/");
    let long = site.page("/economie/inflation/");
    let archive = site.page("/archive/");
    let month = site.page("/archive/2026/02/");
    let series = site.page("/series/site-serie/");
    [
        article.texts(".byline .dates"),
        article.texts(".byline .updated time"),
        article.texts(".byline .reading-time"),
        long.texts(".byline .reading-time"),
        archive.texts(".archive-months a"),
        month.texts("h1"),
        series.texts(".standfirst"),
    ]
    .map(|texts| texts.join(" + "))
    .join(" | ")
}

#[test]
fn every_shipped_language_shows_the_same_cldr_dates_and_plurals_as_before() {
    // Each line is what gazette built with ICU4X's `compiled_data` for every language wrote
    // (before the data was baked for the shipped languages only, issue 19).
    let expected = [
        (
            "en",
            "Published February 9, 2026 | February 12, 2026 | 1 min read | 5 min read | February + January + December | February 2026 | 2 parts, in the order they were published.",
        ),
        (
            "fr",
            "Publié le 9 février 2026 | 12 février 2026 | 1 min de lecture | 5 min de lecture | février + janvier + décembre | février 2026 | 2 parties, dans l’ordre de publication.",
        ),
        (
            "de",
            "Veröffentlicht 9. Februar 2026 | 12. Februar 2026 | 1 Min. Lesezeit | 5 Min. Lesezeit | Februar + Januar + Dezember | Februar 2026 | 2 Teile, in der Reihenfolge des Erscheinens.",
        ),
        (
            "es",
            "Publicado 9 de febrero de 2026 | 12 de febrero de 2026 | 1 min de lectura | 5 min de lectura | febrero + enero + diciembre | febrero de 2026 | 2 partes, en el orden en que se publicaron.",
        ),
        (
            "it",
            "Pubblicato 9 febbraio 2026 | 12 febbraio 2026 | 1 min di lettura | 5 min di lettura | febbraio + gennaio + dicembre | febbraio 2026 | 2 parti, nell’ordine di pubblicazione.",
        ),
        (
            "pt",
            "Publicado 9 de fevereiro de 2026 | 12 de fevereiro de 2026 | 1 min de leitura | 5 min de leitura | fevereiro + janeiro + dezembro | fevereiro de 2026 | 2 partes, pela ordem de publicação.",
        ),
        (
            "nl",
            "Gepubliceerd 9 februari 2026 | 12 februari 2026 | 1 min leestijd | 5 min leestijd | februari + januari + december | februari 2026 | 2 delen, in de volgorde van verschijnen.",
        ),
        (
            "ar",
            "نُشر في 9 فبراير 2026 | 12 فبراير 2026 | دقيقة واحدة للقراءة | 5 دقائق للقراءة | فبراير + يناير + ديسمبر | فبراير 2026 | جزءان، بترتيب النشر.",
        ),
    ];
    let mut failures = Vec::new();
    for (language, want) in expected {
        let got = cldr_texts(language);
        if got != want {
            failures.push(format!("        (\"{language}\", \"{got}\"),"));
        }
    }
    assert!(failures.is_empty(), "differs:\n{}", failures.join("\n"));
}

// ---- Redirects, moved pages, shortcodes and serve in several languages ----

/// Adds `aliases` to the front matter of the fixture's article at `path`.
fn add_aliases(site: &Site, path: &str, aliases: &str) {
    let text = std::fs::read_to_string(site.path().join(path)).unwrap();
    site.write(path, &text.replacen("\n---\n", &format!("\naliases: {aliases}\n---\n"), 1));
}

#[test]
fn every_language_redirects_are_in_the_one_root_redirects_file() {
    let site = multilingual();
    // Each language's aliases are paths inside its own pages.
    add_aliases(&site, "content/economy/rates.fr.md", "[/economie/anciens-taux/, /taux.html]");
    add_aliases(&site, "content/economy/rates.ar.md", "[/qadim/]");
    add_aliases(&site, "content/economy/budget.md", "[/economy/old-budget/]");
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let expected = "/economy/old-budget/ /economy/budget/ 301\n\
                    /fr/economie/anciens-taux/ /fr/economie/rates/ 301\n\
                    /fr/taux.html /fr/economie/rates/ 301\n\
                    /ar/qadim/ /ar/qtsd/rates/ 301\n";
    assert_eq!(site.read("_redirects"), expected);
    // Hosts never read a `_redirects` below the root.
    for folder in ["fr", "ar"] {
        assert!(!site.out().join(folder).join("_redirects").exists(), "{folder}/_redirects");
    }
    // The redirect pages stay in their language's folder, in their language.
    for (file, to) in [
        ("fr/economie/anciens-taux/index.html", "/fr/economie/rates/"),
        ("fr/taux.html", "/fr/economie/rates/"),
        ("ar/qadim/index.html", "/ar/qtsd/rates/"),
    ] {
        let page = Page(Html::parse_document(&site.read(file)));
        assert_eq!(page.attrs("meta[http-equiv=refresh]", "content"), [format!("0; url={to}")]);
        let lang = file.split('/').next().unwrap();
        assert_eq!(page.attrs("html", "lang"), [lang]);
    }
    // A French alias alone still makes the root file; the order is the same every build.
    std::fs::remove_dir_all(site.out()).unwrap();
    let text = std::fs::read_to_string(site.path().join("content/economy/budget.md")).unwrap();
    site.write("content/economy/budget.md", &text.replace("aliases: [/economy/old-budget/]\n", ""));
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let only_others = expected.lines().skip(1).map(|l| format!("{l}\n")).collect::<String>();
    assert_eq!(site.read("_redirects"), only_others);
}

#[test]
fn a_page_moved_in_another_language_is_noticed_with_its_own_paths() {
    let site = multilingual();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    // The French version gets another slug; the Arabic one is deleted.
    let text = std::fs::read_to_string(site.path().join("content/economy/rates.fr.md")).unwrap();
    site.write(
        "content/economy/rates.fr.md",
        &text.replacen("\n---\n", "\nslug: taux-directeurs\n---\n", 1),
    );
    site.remove("content/economy/rates.ar.md");
    let err = stderr(&site.build(&["--now", "2026-03-01T00:00:00Z"]));
    assert_eq!(err.matches("the previous build had a page").count(), 2, "{err}");
    assert!(
        err.contains(
            "warning: the previous build had a page at `/fr/economie/rates/` that this one has not\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "help: it is probably `content/economy/rates.fr.md`, now at `/fr/economie/taux-directeurs/`: add `aliases: [\"/economie/rates/\"]` to its front matter so shared links keep working\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: the previous build had a page at `/ar/qtsd/rates/` that this one has not\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: if the article moved, add `aliases: [\"/qtsd/rates/\"]` to the front matter of its `ar` version so shared links keep working\n"),
        "{err}"
    );
    // With the alias the hint gives, the old address redirects and the warning is gone.
    add_aliases(&site, "content/economy/rates.fr.md", "[\"/economie/rates/\"]");
    let err = stderr(&site.build(&["--now", "2026-03-01T00:00:00Z"]));
    assert!(!err.contains("the previous build had a page"), "{err}");
    assert_eq!(site.read("_redirects"), "/fr/economie/rates/ /fr/economie/taux-directeurs/ 301\n");
}

/// A shortcode of the site's theme that shows a translated string, a date, the
/// language and the site's title.
const NOTE_SHORTCODE: &str = "{#- args: on: string -#}\n<aside class=\"note\" data-lang=\"{{ lang }}\"><b>{{ t(key=\"share\") }}</b> <time>{{ on | date }}</time> <i>{{ site.title }}</i> <u>{{ site.language }}</u></aside>\n";

/// What the note shortcode shows on the page at `url`: (string, date, title, language,
/// `lang`).
fn note(site: &Site, url: &str) -> (String, String, String, String, String) {
    let page = site.page(url);
    let one = |selector: &str| {
        let found = page.texts(selector);
        assert_eq!(found.len(), 1, "{url}: {selector}: {found:?}");
        found[0].clone()
    };
    let lang = page.attrs("aside.note", "data-lang");
    (
        one("aside.note b"),
        one("aside.note time"),
        one("aside.note i"),
        one("aside.note u"),
        lang[0].clone(),
    )
}

#[test]
fn shortcodes_speak_the_language_of_their_article() {
    let site = multilingual();
    site.write("themes/default/templates/shortcodes/note.html", NOTE_SHORTCODE);
    for (path, lead) in [
        ("content/economy/rates.md", "## Why"),
        ("content/economy/rates.fr.md", "## Pourquoi"),
        ("content/economy/rates.ar.md", "تحدد"),
    ] {
        let text = std::fs::read_to_string(site.path().join(path)).unwrap();
        let call = "{{ note(on=\"2026-02-09\") }}\n\n{{ youtube(id=\"abc123\", title=\"Taux & prix\") }}\n\n{{ video(src=\"https://example.com/v.mp4\") }}\n\n";
        site.write(path, &text.replacen(lead, &format!("{call}{lead}"), 1));
    }
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let strings = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned(), e.to_owned())
    };
    assert_eq!(
        note(&site, "/economy/rates/"),
        strings("Share", "February 9, 2026", "The Desk", "en", "en")
    );
    assert_eq!(
        note(&site, "/fr/economie/rates/"),
        strings("Partager", "9 février 2026", "Le Bureau", "fr", "fr")
    );
    let (share, date, title, language, lang) = note(&site, "/ar/qtsd/rates/");
    assert_eq!(
        (share.as_str(), title.as_str(), language.as_str(), lang.as_str()),
        ("شارك", "المكتب", "ar", "ar")
    );
    assert!(date.contains("فبراير"), "{date}");
    // The built-in shortcodes speak it too.
    let builtin = |url: &str| {
        let page = site.page(url);
        let texts = |selector: &str| page.texts(selector).join(" | ");
        [
            texts(".embed-note"),
            texts("button.embed-load"),
            texts(".embed figcaption a"),
            texts("video a"),
        ]
    };
    assert_eq!(
        builtin("/economy/rates/"),
        [
            "This video is hosted by YouTube. Nothing is loaded from there until you play it.",
            "Play “Taux & prix”",
            "Watch on YouTube",
            "Download the video"
        ]
    );
    assert_eq!(
        builtin("/fr/economie/rates/"),
        [
            "Cette vidéo est hébergée par YouTube. Rien n’en est chargé tant que vous ne la lancez pas.",
            "Lire « Taux & prix »",
            "Regarder sur YouTube",
            "Télécharger la vidéo"
        ]
    );
    assert_eq!(builtin("/ar/qtsd/rates/")[2], "شاهد على يوتيوب");
}

#[test]
fn the_built_in_embed_speaks_the_language_of_a_site_in_one_language() {
    let site = site("de", "Das Büro");
    let path = site.path().join("content/monde/sommet.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let call = "{{ embed(url=\"https://data.example.org/chart\", title=\"Zinsen\") }}\n\n";
    std::fs::write(
        &path,
        text.replacen("## Première partie", &format!("{call}## Première partie"), 1),
    )
    .unwrap();
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let page = site.page("/monde/sommet/");
    assert_eq!(
        page.texts(".embed-note"),
        ["Dieser Inhalt liegt bei data.example.org. Von dort wird erst auf Wunsch etwas geladen."]
    );
    assert_eq!(page.texts("button.embed-load"), ["„Zinsen“ anzeigen"]);
    assert_eq!(page.texts(".embed figcaption a"), ["Auf data.example.org öffnen"]);
}

#[test]
fn serve_rebuilds_only_the_changed_pages_of_an_edited_french_article() {
    use crate::support::Server;
    let site = multilingual();
    // A shortcode read again with the edit still speaks the article's language.
    site.write("themes/default/templates/shortcodes/note.html", NOTE_SHORTCODE);
    let path = "content/economy/rates.fr.md";
    let text = std::fs::read_to_string(site.path().join(path)).unwrap();
    site.write(path, &text.replace("## Comment", "{{ note(on=\"2026-02-09\") }}\n\n## Comment"));
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    let first = events.next_build().expect("the current build number at once");
    let preview = site.path().join(".gazette/serve");
    let modified = |rel: &str| std::fs::metadata(preview.join(rel)).unwrap().modified().unwrap();
    let untouched =
        ["economy/rates/index.html", "ar/qtsd/rates/index.html", "fr/economie/dette/index.html"];
    let before: Vec<_> = untouched.iter().map(|rel| modified(rel)).collect();
    let text = std::fs::read_to_string(site.path().join(path)).unwrap();
    site.write(path, &text.replace("Par un vote.", "Par un vote, à la majorité."));
    let next = events.next_build().expect("a reload event after the save");
    assert!(next > first);
    let page = Page(Html::parse_document(&server.get("/fr/economie/rates/").text()));
    assert!(
        page.texts("main p").concat().contains("Par un vote, à la majorité."),
        "{}",
        server.output()
    );
    assert_eq!(page.attrs("html", "lang"), ["fr"]);
    assert_eq!(page.texts("aside.note b"), ["Partager"]);
    assert_eq!(page.texts("aside.note time"), ["9 février 2026"]);
    // Only what the edit changed was written, as in a site in one language.
    assert!(server.wait_for_line("rebuilt changed pages").is_some(), "{}", server.output());
    assert_eq!(server.count_lines("rebuilt all pages"), 0, "{}", server.output());
    let after: Vec<_> = untouched.iter().map(|rel| modified(rel)).collect();
    assert_eq!(before, after, "a page of another article or language was rewritten");
    // A new French article changes the site's structure: every page, and it is there.
    site.write(
        "content/economy/banques.fr.md",
        "---\ntitle: Les banques\ndate: 2026-02-05\ncategory: Économie\ntags: [banques]\n---\nElles prêtent.\n",
    );
    server
        .eventually("the new French article", || server.get("/fr/economie/banques/").status == 200);
    assert!(server.get("/fr/").text().contains("Les banques"));
}

#[test]
fn serve_rebuilds_a_moved_french_article_and_its_translations_without_starting_again() {
    use crate::support::Server;
    let site = multilingual();
    let server = Server::start(site.path(), &[]);
    let mut events = server.events();
    events.next_build().expect("the current build number at once");
    let preview = site.path().join(".gazette/serve");
    let modified = |rel: &str| std::fs::metadata(preview.join(rel)).unwrap().modified().unwrap();
    // The Arabic page of an article without translations shows nothing of the change.
    let untouched = "ar/qtsd/index.html";
    let before = modified(untouched);
    // A new slug and an alias: the French URL changes, so do its translations' links.
    let path = "content/economy/rates.fr.md";
    let text = std::fs::read_to_string(site.path().join(path)).unwrap();
    site.write(
        path,
        &text.replacen("\n---\n", "\nslug: taux\naliases: [/economie/rates/]\n---\n", 1),
    );
    server.eventually("the French article at its new address", || {
        server.get("/fr/economie/taux/").status == 200
    });
    assert!(server.wait_for_line("rebuilt changed pages").is_some(), "{}", server.output());
    assert_eq!(server.count_lines("rebuilt all pages"), 0, "{}", server.output());
    let local = "http://127.0.0.1";
    let english = Page(Html::parse_document(&server.get("/economy/rates/").text()));
    let arabic = Page(Html::parse_document(&server.get("/ar/qtsd/rates/").text()));
    for page in [&english, &arabic] {
        let links = hreflangs(page);
        let fr: Vec<&String> = links.iter().filter(|(l, _)| l == "fr").map(|(_, u)| u).collect();
        assert_eq!(fr.len(), 1, "{links:?}");
        assert!(fr[0].ends_with("/fr/economie/taux/") && fr[0].starts_with(local), "{links:?}");
        assert_eq!(page.attrs("nav.languages a[hreflang=fr]", "href"), ["/fr/economie/taux/"]);
    }
    // The old address redirects, from the one root `_redirects` too.
    let old = Page(Html::parse_document(&server.get("/fr/economie/rates/").text()));
    assert_eq!(old.attrs("meta[http-equiv=refresh]", "content"), ["0; url=/fr/economie/taux/"]);
    assert!(
        server.get("/_redirects").text().contains("/fr/economie/rates/ /fr/economie/taux/ 301"),
        "{}",
        server.get("/_redirects").text()
    );
    assert!(!preview.join("fr/_redirects").exists());
    assert_eq!(modified(untouched), before, "an unrelated Arabic page was rewritten");
    // A French article deleted: gone from every French listing, and the preview holds the
    // files a build makes, no more, no fewer.
    site.remove("content/economy/inflation.fr.md");
    server.eventually("the deleted article gone", || {
        server.get("/fr/economie/inflation/").status == 404
    });
    assert!(!server.get("/fr/").text().contains("L’inflation en bref"));
    site.build(&["--now", "2026-03-01T00:00:00Z"]);
    let files = |dir: &Path| -> std::collections::BTreeSet<String> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
            .filter(|f| !f.starts_with(".gazette"))
            .collect()
    };
    assert_eq!(files(&preview), files(&site.out()));
}

#[test]
fn a_key_point_label_takes_its_languages_colon() {
    for (language, shown) in [("fr", "Décision\u{202f}:"), ("en", "Décision:"), ("de", "Décision:")]
    {
        let site = site(language, "Le Bureau");
        let text = std::fs::read_to_string(site.path().join("content/economie/taux.md")).unwrap();
        let text =
            text.replace("  - \"Le Bureau point\"", "  - \"Décision: le taux reste à 3 %.\"");
        site.write("content/economie/taux.md", &text);
        site.build(&["--now", "2026-03-01T00:00:00Z"]);
        // The page's raw text: the test helper's `texts` folds every space into one.
        let html = site.read("economie/taux/index.html");
        assert!(html.contains(&format!("<strong>{shown}</strong>")), "{language}");
    }
}
