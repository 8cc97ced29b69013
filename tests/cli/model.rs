//! Model-based test of incremental builds (issue 15): random sequences of edits to a
//! small site, each applied through a cached `build` and through the `serve` session;
//! after every step both must be byte for byte what a clean `--no-cache` build of the
//! same files makes. Runs in process, through the library, to stay cheap.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use gazette::pipeline::{self, BuildOptions, Changes, Session};
use proptest::prelude::*;

const SLOTS: usize = 5;
const WORDS: &[&str] = &["rates", "talks", "harvest", "floods", "budget", "strike"];
const TAGS: &[&str] = &["trade", "climate", "labour", "money"];
const CATEGORIES: &[&str] = &["Economy", "World"];

/// One article as the model knows it.
#[derive(Debug, Clone)]
struct Article {
    slug: String,
    title: usize,
    day: u8,
    tags: Vec<usize>,
    category: usize,
    draft: bool,
    related: Option<usize>,
    sections: Vec<usize>,
    /// Written in French (`lang: fr`): an error unless site.yaml lists French (issue 19).
    french: bool,
    /// Carries `translation_key: pair`: a translation of the other articles carrying it.
    paired: bool,
}

impl Article {
    fn rel(&self) -> PathBuf {
        PathBuf::from(format!(
            "content/{}/{}.md",
            CATEGORIES[self.category].to_lowercase(),
            self.slug
        ))
    }

    fn text(&self, all: &[Option<Article>]) -> String {
        let tags: Vec<&str> = self.tags.iter().map(|&t| TAGS[t]).collect();
        let mut text = format!(
            "---\ntitle: \"The {} explained\"\ndate: 2026-03-{:02}\ncategory: {}\ntags: [{}]\n",
            WORDS[self.title],
            self.day,
            CATEGORIES[self.category],
            tags.join(", ")
        );
        if self.draft {
            text.push_str("draft: true\n");
        }
        if self.french {
            text.push_str("lang: fr\n");
        }
        if self.paired {
            text.push_str("translation_key: pair\n");
        }
        if let Some(Some(other)) = self.related.map(|i| &all[i]) {
            let url = format!("/{}/{}/", CATEGORIES[other.category].to_lowercase(), other.slug);
            text.push_str(&format!("related:\n  - title: \"Also\"\n    url: \"{url}\"\n"));
        }
        text.push_str("---\n\nWhat happened, in one paragraph.\n");
        for &s in &self.sections {
            text.push_str(&format!(
                "\n## The {} question\n\nAbout {} and more.\n",
                WORDS[s], WORDS[s]
            ));
        }
        text
    }
}

fn article(slot: usize) -> impl Strategy<Value = Article> {
    (
        0..WORDS.len(),
        1u8..28,
        proptest::collection::vec(0..TAGS.len(), 0..3),
        0..CATEGORIES.len(),
        proptest::option::of(0..SLOTS),
        proptest::collection::vec(0..WORDS.len(), 0..3),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.3),
    )
        .prop_map(move |(title, day, tags, category, related, sections, french, paired)| {
            let tags: BTreeSet<usize> = tags.into_iter().collect();
            Article {
                slug: format!("story-{slot}"),
                title,
                day,
                tags: tags.into_iter().collect(),
                category,
                draft: false,
                related,
                sections,
                french,
                paired,
            }
        })
}

/// One edit of the site's files.
#[derive(Debug, Clone)]
enum Step {
    Add(usize, Article),
    Delete(usize),
    Rename(usize),
    Title(usize, usize),
    Date(usize, u8),
    Tags(usize, Vec<usize>),
    Category(usize, usize),
    Draft(usize, bool),
    Related(usize, Option<usize>),
    Body(usize, Vec<usize>),
    Lang(usize, bool),
    Pair(usize, bool),
    SiteYaml(usize),
    Template(Option<usize>),
    Static(Option<usize>),
    /// Breaks the article's front matter; the next build fails; the step then restores it.
    BreakAndFix(usize),
}

fn step() -> impl Strategy<Value = Step> {
    let slot = 0..SLOTS;
    prop_oneof![
        (0..SLOTS).prop_flat_map(|s| article(s).prop_map(move |a| Step::Add(s, a))),
        slot.clone().prop_map(Step::Delete),
        slot.clone().prop_map(Step::Rename),
        (slot.clone(), 0..WORDS.len()).prop_map(|(s, t)| Step::Title(s, t)),
        (slot.clone(), 1u8..28).prop_map(|(s, d)| Step::Date(s, d)),
        (slot.clone(), proptest::collection::btree_set(0..TAGS.len(), 0..3))
            .prop_map(|(s, t)| Step::Tags(s, t.into_iter().collect())),
        (slot.clone(), 0..CATEGORIES.len()).prop_map(|(s, c)| Step::Category(s, c)),
        (slot.clone(), any::<bool>()).prop_map(|(s, d)| Step::Draft(s, d)),
        (slot.clone(), proptest::option::of(0..SLOTS)).prop_map(|(s, r)| Step::Related(s, r)),
        (slot.clone(), proptest::collection::vec(0..WORDS.len(), 0..3))
            .prop_map(|(s, b)| Step::Body(s, b)),
        (slot.clone(), any::<bool>()).prop_map(|(s, f)| Step::Lang(s, f)),
        (slot.clone(), any::<bool>()).prop_map(|(s, p)| Step::Pair(s, p)),
        (0usize..4).prop_map(Step::SiteYaml),
        proptest::option::of(0usize..3).prop_map(Step::Template),
        proptest::option::of(0usize..3).prop_map(Step::Static),
        slot.prop_map(Step::BreakAndFix),
    ]
}

/// The site on disk and what the model says it holds.
struct World {
    dir: tempfile::TempDir,
    articles: Vec<Option<Article>>,
    session: Option<Session>,
    unapplied: Changes,
}

const NOW: &str = "2026-06-01T00:00:00Z";

impl World {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn options(&self, serve: bool, output: &str, no_cache: bool) -> BuildOptions {
        BuildOptions {
            root: self.root().to_owned(),
            output: Some(self.root().join(output)),
            base_url: serve.then(|| "http://127.0.0.1:4000/".to_owned()),
            future: serve,
            now: Some(NOW.parse().unwrap()),
            no_cache,
            ..Default::default()
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn remove(&self, rel: &Path) {
        let _ = std::fs::remove_file(self.root().join(rel));
    }

    /// Variant 3 is a site in English and French (issue 19).
    fn site_yaml(&self, variant: usize) {
        let title = ["Model Times", "The Model Post", "Model Daily", "Model Times"][variant];
        let paginate = [2, 3, 10, 2][variant];
        let languages = match variant {
            3 => "languages:\n  fr: { title: Le Modèle }\n",
            _ => "",
        };
        self.write(
            "site.yaml",
            &format!(
                "title: {title}\nbase_url: https://example.com/\npaginate: {paginate}\n{languages}"
            ),
        );
    }

    /// Writes every article the model has (all of them: a `related:` link may change).
    fn write_articles(&self, changes: &mut Changes) {
        for article in self.articles.iter().flatten() {
            let rel = article.rel();
            let text = article.text(&self.articles);
            if std::fs::read_to_string(self.root().join(&rel)).ok().as_deref() != Some(&text) {
                self.write(rel.to_str().unwrap(), &text);
                changes.articles.insert(rel);
            }
        }
    }

    /// Applies `step` to the files; returns what the watcher would report.
    fn apply(&mut self, step: &Step) -> Changes {
        let mut changes = Changes::default();
        // Edits an article; a file that moves is deleted at its old place.
        let edit = |world: &mut World, slot: usize, change: &dyn Fn(&mut Article)| {
            let article = world.articles[slot].as_mut()?;
            let before = article.rel();
            change(article);
            let moved = article.rel() != before;
            moved.then(|| {
                world.remove(&before);
                before
            })
        };
        let mut edit = |world: &mut World, slot: usize, change: &dyn Fn(&mut Article)| {
            if let Some(old) = edit(world, slot, change) {
                changes.articles.insert(old);
            }
        };
        match step {
            Step::Add(slot, article) => {
                if self.articles[*slot].is_none() {
                    self.articles[*slot] = Some(article.clone());
                }
            }
            Step::Delete(slot) => edit(self, *slot, &|a| a.slug = "gone".to_owned()),
            Step::Rename(slot) => edit(self, *slot, &|a| a.slug.push('x')),
            Step::Title(slot, t) => edit(self, *slot, &|a| a.title = *t),
            Step::Date(slot, d) => edit(self, *slot, &|a| a.day = *d),
            Step::Tags(slot, t) => edit(self, *slot, &|a| a.tags = t.clone()),
            Step::Category(slot, c) => edit(self, *slot, &|a| a.category = *c),
            Step::Draft(slot, d) => edit(self, *slot, &|a| a.draft = *d),
            Step::Related(slot, r) => edit(self, *slot, &|a| a.related = *r),
            Step::Body(slot, b) => edit(self, *slot, &|a| a.sections = b.clone()),
            Step::Lang(slot, f) => edit(self, *slot, &|a| a.french = *f),
            Step::Pair(slot, p) => edit(self, *slot, &|a| a.paired = *p),
            Step::SiteYaml(variant) => {
                self.site_yaml(*variant);
                changes.config = true;
            }
            Step::Template(text) => {
                let rel = "themes/default/templates/404.html";
                match text {
                    Some(n) => self.write(
                        rel,
                        &format!("{{% extends \"base.html\" %}}{{% block content %}}<h1>Lost {n}</h1>{{% endblock %}}"),
                    ),
                    None => self.remove(Path::new(rel)),
                }
                changes.templates.insert("404.html".to_owned());
            }
            Step::Static(text) => {
                let rel = PathBuf::from("content/files/note.txt");
                match text {
                    Some(n) => self.write("content/files/note.txt", &format!("note {n}\n")),
                    None => self.remove(&rel),
                }
                changes.assets.insert(rel);
            }
            Step::BreakAndFix(_) => {}
        }
        if let Step::Delete(slot) = step {
            self.articles[*slot] = None;
        }
        self.write_articles(&mut changes);
        changes
    }

    /// Builds with the cache and through the session; both must match a clean build,
    /// or fail where it fails.
    fn check(&mut self, changes: &Changes) -> Result<(), TestCaseError> {
        let clean = pipeline::build(&self.options(false, "clean", true));
        let cached = pipeline::build(&self.options(false, "output", false));
        prop_assert_eq!(clean.is_ok(), cached.is_ok(), "cached build: {:?}", cached.err());
        if clean.is_ok() {
            let differ = differences(&self.root().join("clean"), &self.root().join("output"));
            prop_assert!(differ.is_empty(), "cached build differs: {:?}", differ);
        }

        let clean = pipeline::build(&self.options(true, "clean-serve", true));
        self.unapplied.extend(changes);
        let updated = match self.session.as_mut() {
            Some(session) => session.update(&self.unapplied).map(drop),
            None => Session::start(&self.options(true, "unused", true))
                .map(|(session, _)| self.session = Some(session)),
        };
        prop_assert_eq!(clean.is_ok(), updated.is_ok(), "serve update: {:?}", updated.err());
        if updated.is_ok() {
            self.unapplied = Changes::default();
            let preview = self.root().join(".gazette/serve");
            let differ = differences(&self.root().join("clean-serve"), &preview);
            prop_assert!(differ.is_empty(), "serve differs: {:?}", differ);
        }
        Ok(())
    }
}

/// The files that differ between two trees, or are in one only.
fn differences(a: &Path, b: &Path) -> Vec<PathBuf> {
    let (a, b) = (tree(a), tree(b));
    let names: BTreeSet<&PathBuf> = a.keys().chain(b.keys()).collect();
    names.into_iter().filter(|n| a.get(*n) != b.get(*n)).cloned().collect()
}

/// Every file under `dir` but gazette's markers, with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.file_name().to_string_lossy().starts_with(".gazette-"))
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn cached_builds_and_serve_updates_match_a_clean_build(
        first in proptest::collection::vec(article(0), 1..3),
        steps in proptest::collection::vec(step(), 1..8),
        multilingual in any::<bool>(),
    ) {
        let mut world = World {
            dir: tempfile::tempdir().unwrap(),
            articles: vec![None; SLOTS],
            session: None,
            unapplied: Changes::default(),
        };
        world.site_yaml(if multilingual { 3 } else { 0 });
        for (slot, mut article) in first.into_iter().enumerate() {
            article.slug = format!("story-{slot}");
            world.articles[slot] = Some(article);
        }
        let changes = world.apply(&Step::BreakAndFix(SLOTS)); // writes the first articles
        world.check(&changes)?;
        for step in &steps {
            if let Step::BreakAndFix(slot) = step {
                if let Some(article) = world.articles[*slot].clone() {
                    let rel = article.rel();
                    world.write(rel.to_str().unwrap(), "---\ntitle: [unclosed\n---\nBroken.\n");
                    let broken = Changes { articles: [rel.clone()].into(), ..Changes::default() };
                    world.check(&broken)?;
                    world.write(rel.to_str().unwrap(), &article.text(&world.articles));
                    let fixed = Changes { articles: [rel].into(), ..Changes::default() };
                    world.check(&fixed)?;
                    continue;
                }
            }
            let changes = world.apply(step);
            world.check(&changes)?;
        }
    }
}
