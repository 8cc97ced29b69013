use proptest::prelude::*;

use super::*;

/// The all-pairs reference: every article scored against every other, exactly.
fn brute_force(corpus: &Corpus, want: &[usize]) -> Vec<Vec<u32>> {
    let n = corpus.tags.len();
    let mut df = vec![0u32; corpus.tag_count];
    for tags in &corpus.tags {
        for &t in tags {
            df[t as usize] += 1;
        }
    }
    (0..n)
        .map(|a| {
            let mut candidates: Vec<(Vec<u32>, u32)> = (0..n)
                .filter(|&b| {
                    b != a && !corpus.draft[b] && !corpus.excluded[a].contains(&(b as u32))
                })
                .map(|b| {
                    let mut dfs: Vec<u32> = corpus.tags[a]
                        .iter()
                        .filter(|t| corpus.tags[b].contains(t))
                        .map(|&t| df[t as usize])
                        .collect();
                    dfs.sort_unstable();
                    (dfs, b as u32)
                })
                // score > 0: some shared tag is not on every article
                .filter(|(dfs, _)| dfs.iter().any(|&d| (d as usize) < n))
                .collect();
            candidates.sort_by(|x, y| exact_compare(&x.0, &y.0, n).reverse().then(x.1.cmp(&y.1)));
            candidates.into_iter().take(want[a]).map(|(_, b)| b).collect()
        })
        .collect()
}

fn corpus_strategy() -> impl Strategy<Value = (Corpus, Vec<usize>)> {
    (1usize..40, 1usize..10).prop_flat_map(|(n, tag_count)| {
        let article = (
            proptest::collection::btree_set(0..tag_count as u32, 0..6),
            proptest::bool::weighted(0.15),
            proptest::collection::btree_set(0..n as u32, 0..3),
            0usize..10,
        );
        proptest::collection::vec(article, n).prop_map(move |articles| {
            let mut corpus = Corpus { tags: vec![], draft: vec![], excluded: vec![], tag_count };
            let mut want = vec![];
            for (tags, draft, excluded, w) in articles {
                corpus.tags.push(tags.into_iter().collect());
                corpus.draft.push(draft);
                corpus.excluded.push(excluded.into_iter().collect());
                want.push(w);
            }
            (corpus, want)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn inverted_index_matches_all_pairs((corpus, want) in corpus_strategy()) {
        prop_assert_eq!(rank_all(&corpus, &want), brute_force(&corpus, &want));
    }
}

#[test]
fn exact_ties_are_ties_whatever_the_float_sums() {
    // ln(N/1) + ln(N/6) and ln(N/2) + ln(N/3) are equal: 1·6 = 2·3.
    assert_eq!(exact_compare(&[1, 6], &[2, 3], 12), Ordering::Equal);
    assert_eq!(exact_compare(&[1], &[2], 12), Ordering::Greater);
    assert_eq!(exact_compare(&[2, 2], &[1], 4), Ordering::Equal); // ln 2 + ln 2 = ln 4
    assert_eq!(exact_compare(&[3], &[2, 2], 4), Ordering::Less);
}

#[test]
fn a_tie_built_from_different_tags_falls_to_the_newer_article() {
    // N = 12. Article 0 shares tags of df 2 and 6 with article 9, and tags of df 3 and 4
    // with article 5: ln 6 + ln 2 = ln 4 + ln 3, a tie however the float sums round, so
    // the newer article (smaller id) comes first.
    let n = 12;
    let mut tags: Vec<Vec<u32>> = vec![vec![]; n];
    let mut put = |tag: u32, articles: &[usize]| {
        for &a in articles {
            tags[a].push(tag);
        }
    };
    put(0, &[0, 9]); // df 2
    put(1, &[0, 9, 1, 2, 3, 4]); // df 6
    put(2, &[0, 5, 6]); // df 3
    put(3, &[0, 5, 7, 8]); // df 4
    for t in &mut tags {
        t.sort_unstable();
    }
    let corpus = Corpus { tags, draft: vec![false; n], excluded: vec![vec![]; n], tag_count: 4 };
    let ranked = rank_all(&corpus, &vec![2; n]);
    assert_eq!(ranked[0], vec![5, 9]);
    assert_eq!(ranked, brute_force(&corpus, &vec![2; n]));
}

#[test]
fn a_tag_on_every_article_links_nothing() {
    let corpus = Corpus {
        tags: vec![vec![0]; 4],
        draft: vec![false; 4],
        excluded: vec![vec![]; 4],
        tag_count: 1,
    };
    assert!(rank_all(&corpus, &[3; 4]).iter().all(Vec::is_empty));
}

#[test]
fn placement_follows_the_rounding_rule() {
    // S = 6, k = 3: 6/4·i = 1.5, 3, 4.5 -> 2, 3, 5.
    assert_eq!(inline_positions(6, 3), [2, 3, 5]);
    // S = 2, k = 3: 0.5, 1, 1.5 -> 1, 1, 2: repeats and the last section dropped.
    assert_eq!(inline_positions(2, 3), [1]);
    // S = 1: nothing goes after the last (only) section.
    assert!(inline_positions(1, 3).is_empty());
    assert!(inline_positions(0, 3).is_empty());
    // S = 5, k = 3: 1.25, 2.5, 3.75 -> 1, 3, 4.
    assert_eq!(inline_positions(5, 3), [1, 3, 4]);
    assert!(inline_positions(8, 0).is_empty());
}

#[test]
fn place_fills_inline_first_then_related() {
    let s = place(&[7, 8, 9, 10], &[2, 4], 5);
    assert_eq!(s.inline, vec![(1, ArticleId(7)), (3, ArticleId(8))]);
    assert_eq!(s.related, vec![ArticleId(9), ArticleId(10)]);
    let short = place(&[7], &[2, 4], 5);
    assert_eq!(short.inline, vec![(1, ArticleId(7))]);
    assert!(short.related.is_empty());
}

/// A huge `see_also.inline` costs the article's sections, not k (issue 22), and places
/// the links as the formula does: once k + 1 reaches S, after every section but the last.
#[test]
fn huge_inline_counts_cost_the_sections_only() {
    for sections in 0..40usize {
        for k in sections.saturating_sub(2)..sections + 3 {
            let by_formula: Vec<usize> = (1..=k)
                .map(|i| (2 * i * sections + k + 1) / (2 * (k + 1)))
                .filter(|&p| p >= 1 && p < sections)
                .fold(Vec::new(), |mut v, p| {
                    if v.last() != Some(&p) {
                        v.push(p);
                    }
                    v
                });
            assert_eq!(inline_positions(sections, k), by_formula, "S = {sections}, k = {k}");
        }
    }
    assert_eq!(inline_positions(5, usize::MAX), vec![1, 2, 3, 4]);
}

/// A memo that remembers what it was given and counts what it was asked.
#[derive(Default)]
struct Kept {
    rankings: std::sync::Mutex<Vec<(blake3::Hash, Vec<Vec<u32>>)>>,
    hits: std::sync::atomic::AtomicUsize,
}

impl Memo for Kept {
    fn get(&self, key: &blake3::Hash) -> Option<Vec<Vec<u32>>> {
        let rankings = self.rankings.lock().unwrap();
        let found = rankings.iter().find(|(k, _)| k == key).map(|(_, r)| r.clone());
        if found.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        found
    }

    fn put(&self, key: &blake3::Hash, ranked: &[Vec<u32>]) {
        self.rankings.lock().unwrap().push((*key, ranked.to_vec()));
    }
}

fn small_corpus() -> (Corpus, Vec<usize>) {
    let corpus = Corpus {
        tags: vec![vec![0, 1], vec![1, 2], vec![0, 2], vec![2]],
        draft: vec![false; 4],
        excluded: vec![vec![], vec![], vec![], vec![]],
        tag_count: 3,
    };
    (corpus, vec![3; 4])
}

#[test]
fn every_input_of_the_ranking_changes_its_key() {
    let (corpus, want) = small_corpus();
    let key = corpus.key(&want);
    assert_eq!(key, small_corpus().0.key(&want));
    let mut changed: Vec<(Corpus, Vec<usize>)> = Vec::new();
    let mut c = corpus.clone();
    c.tags[3] = vec![1];
    changed.push((c, want.clone()));
    let mut c = corpus.clone();
    // The same numbers, split between articles differently.
    c.tags[2] = vec![0];
    c.tags[3] = vec![2, 2];
    changed.push((c, want.clone()));
    let mut c = corpus.clone();
    c.draft[1] = true;
    changed.push((c, want.clone()));
    let mut c = corpus.clone();
    c.excluded[0] = vec![2];
    changed.push((c, want.clone()));
    let mut c = corpus.clone();
    c.tag_count = 4;
    changed.push((c, want.clone()));
    let mut c = corpus.clone();
    c.tags.push(vec![0]);
    c.draft.push(false);
    c.excluded.push(vec![]);
    changed.push((c, vec![3; 5]));
    changed.push((corpus.clone(), vec![3, 3, 2, 3]));
    for (i, (c, w)) in changed.iter().enumerate() {
        assert_ne!(c.key(w), key, "change {i} kept the key");
    }
}

#[test]
fn a_kept_ranking_is_taken_only_for_its_own_inputs() {
    let (corpus, want) = small_corpus();
    let kept = Kept::default();
    let ranked = rank_all(&corpus, &want);
    kept.put(&corpus.key(&want), &ranked);
    assert!(corpus.fits(&ranked, &want));
    assert_eq!(kept.get(&corpus.key(&want)), Some(ranked.clone()));
    let mut other = corpus.clone();
    other.draft[0] = true;
    assert_eq!(kept.get(&other.key(&want)), None);
    // A kept ranking that cannot be one of this corpus is not taken.
    assert!(!corpus.fits(&ranked[..3], &want));
    assert!(!corpus.fits(&[vec![9], vec![], vec![], vec![]], &want));
    assert!(!corpus.fits(&[vec![1, 2, 3, 1], vec![], vec![], vec![]], &want));
}
