//! The split search index (issue 20): read back from the files a build writes, with a
//! decoder written from docs/search.md rather than from gazette's code.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::Site;

/// One key of a shard.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    /// Documents with their score bytes (128 added when the title has the word) and
    /// follower bytes; `true` when only the best are listed.
    Postings(BTreeMap<u32, (u8, u8)>, bool),
    Redirect(String),
}

/// A build's search index, every shard decoded.
pub(crate) struct Index {
    pub(crate) meta: serde_json::Value,
    /// Every key, with the shard it is in.
    pub(crate) keys: BTreeMap<String, (usize, Entry)>,
    dir: std::path::PathBuf,
}

fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

fn gaps(bytes: &[u8], at: &mut usize, n: usize) -> Vec<u32> {
    let mut doc = 0u32;
    (0..n)
        .map(|_| {
            doc += varint(bytes, at) as u32;
            doc
        })
        .collect()
}

impl Index {
    /// Reads the index of the build in `out`, under `prefix` (`search/`).
    pub(crate) fn load(out: &Path, prefix: &str) -> Index {
        let dir = out.join(prefix);
        let meta: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap())
                .unwrap();
        let mut keys = BTreeMap::new();
        let shards = meta["shards"].as_array().unwrap();
        for n in 0..shards.len() {
            let bytes = std::fs::read(dir.join(format!("shards/{n}.bin"))).unwrap();
            assert_eq!(bytes[0], 2, "shard version");
            let mut at = 1;
            let count = varint(&bytes, &mut at);
            let mut key: Vec<u8> = Vec::new();
            for _ in 0..count {
                let shared = varint(&bytes, &mut at) as usize;
                let len = varint(&bytes, &mut at) as usize;
                key.truncate(shared);
                key.extend_from_slice(&bytes[at..at + len]);
                at += len;
                let kind = bytes[at];
                at += 1;
                let entry = if kind == 2 {
                    let len = varint(&bytes, &mut at) as usize;
                    let stem = String::from_utf8(bytes[at..at + len].to_vec()).unwrap();
                    at += len;
                    Entry::Redirect(stem)
                } else {
                    assert!(kind <= 1, "kind {kind}");
                    let n = varint(&bytes, &mut at) as usize;
                    let truncated = bytes[at] == 1;
                    at += 1;
                    let docs = gaps(&bytes, &mut at, n);
                    let scores = &bytes[at..at + n];
                    let next = &bytes[at + n..at + 2 * n];
                    at += 2 * n;
                    let scored = scores.iter().copied().zip(next.iter().copied());
                    Entry::Postings(docs.into_iter().zip(scored).collect(), truncated)
                };
                let key = String::from_utf8(key.clone()).unwrap();
                assert!(keys.insert(key, (n, entry)).is_none(), "a key twice");
            }
            assert_eq!(at, bytes.len(), "shard {n} has bytes past its last entry");
        }
        Index { meta, keys, dir }
    }

    /// The documents of `word` (folded, as the script folds it), best first, as URLs.
    pub(crate) fn find(&self, word: &str) -> Vec<String> {
        let mut entry = &self.keys.get(word).unwrap_or_else(|| panic!("no key `{word}`")).1;
        if let Entry::Redirect(stem) = entry {
            entry = &self.keys[stem].1;
        }
        let Entry::Postings(docs, _) = entry else { panic!("`{word}` redirects twice") };
        let mut ranked: Vec<(&u32, u8)> = docs.iter().map(|(d, (s, _))| (d, s & 127)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        ranked.iter().map(|(doc, _)| self.doc(**doc)["url"].as_str().unwrap().to_owned()).collect()
    }

    /// The postings of `key` (no redirect followed): doc -> (score byte, follower byte).
    pub(crate) fn postings(&self, key: &str) -> &BTreeMap<u32, (u8, u8)> {
        match &self.keys.get(key).unwrap_or_else(|| panic!("no key `{key}`")).1 {
            Entry::Postings(docs, _) => docs,
            Entry::Redirect(stem) => panic!("`{key}` redirects to `{stem}`"),
        }
    }

    /// Document `n`: `title`, `url`, `date`, `category`, from its `meta/<g>.json`.
    pub(crate) fn doc(&self, n: u32) -> serde_json::Value {
        let group = self.meta["group"].as_u64().unwrap() as u32;
        let rows = std::fs::read_to_string(self.dir.join(format!("meta/{}.json", n / group)));
        let rows: serde_json::Value = serde_json::from_str(&rows.unwrap()).unwrap();
        let row = &rows[(n % group) as usize];
        assert_eq!(row.as_array().unwrap().len(), 4, "{row}");
        serde_json::json!({ "title": row[0], "url": row[1], "date": row[2], "category": row[3] })
    }

    /// Every document, in number order.
    pub(crate) fn docs(&self) -> Vec<serde_json::Value> {
        (0..self.meta["documents"].as_u64().unwrap() as u32).map(|n| self.doc(n)).collect()
    }

    /// The documents of a filter file (`c/world`, `t/trade`), as URLs.
    pub(crate) fn filter(&self, name: &str) -> Vec<String> {
        let bytes = std::fs::read(self.dir.join(format!("filters/{name}.bin"))).unwrap();
        let mut at = 0;
        let n = varint(&bytes, &mut at) as usize;
        let docs = gaps(&bytes, &mut at, n);
        assert_eq!(at, bytes.len());
        docs.into_iter().map(|d| self.doc(d)["url"].as_str().unwrap().to_owned()).collect()
    }
}

/// The search documents of a build, in number order (what replaced the `articles` of the
/// one-file index).
pub(crate) fn search_docs(site: &Site) -> Vec<serde_json::Value> {
    Index::load(&site.out(), "search/").docs()
}

const SITE: &str = "title: Search Times\nbase_url: https://example.com/\nlanguage: en\n";

fn article(title: &str, category: &str, tags: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndate: 2026-03-02\ncategory: {category}\ntags: [{tags}]\n\
         summary: A summary.\n---\n\n{body}\n"
    )
}

#[test]
fn body_headings_key_points_and_faq_are_searchable_with_the_title_ranked_first() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/in-body.md",
        &article("Harbour talks", "World", "ports", "The zeppelin was seen over the bay."),
    );
    site.write(
        "content/world/in-title.md",
        &article("The zeppelin returns", "World", "ports", "Nothing else to say here at all."),
    );
    site.write(
        "content/economy/parts.md",
        "---\ntitle: Parts\ndate: 2026-03-01\ncategory: Economy\nkey_points:\n  - \"Cost: a \
          quokka budget\"\nfaq:\n  - question: Why the marmoset?\n    answer: Because of the \
          wombat.\n---\n\nLead.\n\n## The axolotl section\n\nText.\n",
    );
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    assert_eq!(index.find("zeppelin"), ["/world/in-title/", "/world/in-body/"]);
    for word in ["quokka", "marmoset", "wombat", "axolotl"] {
        assert_eq!(index.find(word), ["/economy/parts/"], "{word}");
    }
    assert_eq!(index.meta["version"], 3);
    assert_eq!(index.meta["group"], 8);
    assert_eq!(index.meta["language"], "en");
    assert_eq!(index.meta["stemmer"], "english");
    assert_eq!(index.meta["documents"], 3);
    let doc = index.docs().into_iter().find(|d| d["url"] == "/world/in-body/").unwrap();
    assert_eq!(doc["title"], "Harbour talks");
    assert_eq!(doc["category"], "World");
    assert_eq!(doc["date"], "2026-03-02");
    // The excerpt comes from the article's page: its body and FAQ are marked for the script.
    assert!(!index.dir.join("docs").exists(), "the index holds no copy of the text");
    let page = site.page("/world/in-body/");
    assert_eq!(page.texts("[data-search-text]"), ["The zeppelin was seen over the bay."]);
    let parts = site.page("/economy/parts/").texts("[data-search-text]");
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(parts[1].contains("Because of the wombat."), "{parts:?}");
}

#[test]
fn words_are_folded_and_stemmed_and_point_to_their_stem() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article("Économie", "World", "", "Interest RATES rose; the rate is high. Running."),
    );
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    assert_eq!(index.find("economie"), ["/world/a/"]);
    assert_eq!(index.keys["rates"].1, Entry::Redirect("rate".into()));
    assert_eq!(index.keys["running"].1, Entry::Redirect("run".into()));
    // "run" is no word of the site: a stem only, reached from "running".
    assert!(matches!(index.keys["run"].1, Entry::Postings(..)));
    assert_eq!(index.find("run"), ["/world/a/"]);
    assert!(!index.keys.contains_key("Économie") && !index.keys.contains_key("RATES"));
}

#[test]
fn chinese_japanese_and_thai_words_are_keys() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\nlanguage: ja\n");
    site.write("content/world/a.md", &article("こんにちは世界", "World", "", "ทุกสองสัปดาห์"));
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    assert_eq!(index.meta["stemmer"], serde_json::Value::Null);
    for word in ["こんにちは", "世界", "สัปดาห์"] {
        assert_eq!(index.find(word), ["/world/a/"], "{word}");
    }
}

#[test]
fn shards_hold_sorted_key_ranges_that_start_at_their_listed_keys() {
    let site = Site::empty(SITE);
    // Enough distinct words for several shards.
    for a in 0..30 {
        let body: Vec<String> = (0..400).map(|w| format!("w{a}x{w}q")).collect();
        site.write(
            &format!("content/world/a{a}.md"),
            &article(&format!("Article {a}"), "World", "", &body.join(" ")),
        );
    }
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    let starts: Vec<&str> =
        index.meta["shards"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(starts.len() > 1, "{} shards", starts.len());
    assert_eq!(starts[0], "");
    for (key, (shard, _)) in &index.keys {
        assert!(key.as_str() >= starts[*shard], "{key} before shard {shard}");
        if let Some(next) = starts.get(shard + 1) {
            assert!(key.as_str() < *next, "{key} past shard {shard}");
        }
    }
    assert_eq!(index.find("w7x399q"), ["/world/a7/"]);
}

#[test]
fn category_and_tag_filters_list_their_documents() {
    let site = Site::fixture("build/basic");
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    let mut world = index.filter("c/world");
    world.sort();
    assert_eq!(world, ["/world/alpha/", "/world/beta/"]);
    assert_eq!(index.filter("t/trade").len(), 3);
    let categories: Vec<&str> = index.meta["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert!(categories.contains(&"world") && categories.contains(&"economy"), "{categories:?}");
    let tags: serde_json::Value = serde_json::from_str(&site.read("search/tags.json")).unwrap();
    assert!(tags.as_array().unwrap().iter().any(|t| t[1] == "trade" && t[2] == 3), "{tags}");
}

#[test]
fn title_words_are_flagged_and_each_word_names_the_words_after_it() {
    let site = Site::empty(SITE);
    site.write(
        "content/world/a.md",
        &article("Lantern harbour", "World", "", "The heron flew; a lantern heron waited."),
    );
    site.build(&[]);
    let index = Index::load(&site.out(), "search/");
    let (lantern, _) = index.postings("lantern")[&0];
    let (heron, _) = index.postings("heron")[&0];
    assert!(lantern >= 128, "`lantern` is in the title: {lantern}");
    assert!(heron < 128, "`heron` is not in the title: {heron}");
    // One bit of eight per stem (FNV-1a modulo 8, docs/search.md): "lantern" is followed
    // by "harbour" in the title and by "heron" in the body.
    let bit = |word: &str| {
        let hash =
            word.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        1u8 << (hash & 7)
    };
    assert_eq!(index.postings("lantern")[&0].1, bit("heron") | bit("harbour"));
    assert_eq!(index.postings("wait")[&0].1, 0, "nothing follows the last word");
}

#[test]
fn the_search_page_gives_the_script_its_messages_in_the_site_language() {
    let site = Site::empty("title: T\nbase_url: https://example.com/\nlanguage: fr\n");
    site.write("content/world/a.md", &article("Un titre", "Monde", "", "Du texte."));
    site.build(&[]);
    let page = site.page("/search/");
    assert_eq!(
        page.attrs("#search-form", "data-msg-none"),
        ["Aucun article ne correspond à « {query} »."]
    );
    assert_eq!(
        page.attrs("#search-form", "data-msg-matches-other"),
        ["{count} articles correspondent."]
    );
    let english = Site::empty(SITE);
    english.write("content/world/a.md", &article("A title", "World", "", "Some text."));
    english.build(&[]);
    let page = english.page("/search/");
    assert_eq!(
        page.attrs("#search-form", "data-msg-prompt"),
        ["Type a word to search the explainers."]
    );
    assert_eq!(page.attrs("#search-form", "data-msg-matches-one"), ["{count} explainer matches."]);
    // No message is left in the script itself.
    let script = std::fs::read_dir(english.out())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("search."))
        .expect("the search script");
    let script = std::fs::read_to_string(script).unwrap();
    for english in ["explainer", "Type a word", "could not be loaded"] {
        assert!(!script.contains(english), "search.js holds `{english}`");
    }
}

#[test]
fn issue_15_a_rare_word_added_to_one_article_moves_no_other_score() {
    // Thirty articles, each body word in ten of them; the titles are all alike.
    let site = Site::empty(SITE);
    let write = |a: usize, swap: bool| {
        let mut body: Vec<String> = (0..400).map(|w| format!("w{}x{w}q", a % 3)).collect();
        if swap {
            // As many words as before: the article's length, and the average, stay.
            body[0] = "zyzzyva".to_owned();
        }
        site.write(
            &format!("content/world/a{a}.md"),
            &article("Rates explained", "World", "", &body.join(" ")),
        );
    };
    (0..30).for_each(|a| write(a, false));
    site.build(&[]);
    let before = Index::load(&site.out(), "search/").keys;
    // A word no other article has: the rarest of the site, and its best weight.
    write(5, true);
    site.build(&[]);
    let after = Index::load(&site.out(), "search/").keys;
    let entries = |index: &BTreeMap<String, (usize, Entry)>| -> BTreeMap<String, Entry> {
        index.iter().map(|(key, (_, entry))| (key.clone(), entry.clone())).collect()
    };
    let (before, after) = (entries(&before), entries(&after));
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    // Only the two words of the edit: every other score is on the same scale as before.
    assert_eq!(changed, ["w2x0q", "zyzzyva"]);
}

#[test]
fn issue_15_a_word_new_to_the_site_leaves_the_other_indexes_kept_blocks_as_they_are() {
    // Two languages: an index each, each of one block. The category and tag names have
    // words no body has (`economy`, `money`; `économie`, `monnaie`).
    let site = Site::empty(&format!("{SITE}languages:\n  fr: {{ title: \"Le Temps\" }}\n"));
    let english = |extra: &str| {
        let body = format!("Central banks set rates by vote.{extra}");
        site.write("content/economy/rates.md", &article("Rates", "Economy", "money", &body));
    };
    english("");
    site.write(
        "content/economy/rates.fr.md",
        &article("Les taux", "Économie", "monnaie", "Les banques centrales fixent les taux."),
    );
    let now = "--now=2026-06-01T00:00:00Z";
    let blocks = || {
        let out = site.build(&["-q", "--timings", now]);
        let shown = crate::support::stderr(&out);
        let line = shown.lines().find(|l| l.contains("search index blocks merged"));
        line.expect("--timings shows the index blocks").trim().to_owned()
    };
    let merged = |n| format!("search index blocks merged: {n} of 2 (the others kept)");
    assert_eq!(blocks(), merged(2));
    assert_eq!(blocks(), merged(0));
    // The English body gains a word no article had: the English block alone is merged
    // again. The words of the names kept their numbers (before, the new word took the
    // number of one of them, and the French block was merged again too).
    english(" Zyzzyva.");
    assert_eq!(blocks(), merged(1));
    assert_eq!(
        crate::support::tree_hashes(&site.out()),
        crate::support::clean_build(&site, now),
        "the index differs from a build without the cache"
    );
    assert_eq!(blocks(), merged(0));
}
