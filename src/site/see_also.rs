//! "See also": each article's closest relatives by shared tags, from an inverted index.
//!
//! With N articles in the build and df(t) of them carrying tag t, the score of b for a is
//! the sum of ln(N / df(t)) over the tags they share. Higher scores rank first, then newer
//! articles, then smaller URLs, which is the order of article ids. Scores that are equal
//! in exact arithmetic compare equal here too, however the floating-point sums round.

use std::cmp::Ordering;

use num_bigint::BigUint;
use rayon::prelude::*;

use super::{Article, ArticleId};
use crate::config::SeeAlso as Settings;

/// Placement of one article's links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeeAlso {
    /// `(section index, article)`: the link goes right after that section (0-based).
    pub inline: Vec<(usize, ArticleId)>,
    /// The end "Related" list, after the front matter's own links.
    pub related: Vec<ArticleId>,
}

/// The index-level description of a build: what the scoring needs, nothing more.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// Per article (in id order: newest first, then by URL), its tag numbers, sorted, unique.
    pub tags: Vec<Vec<u32>>,
    /// Drafts count in N and df but are never linked.
    pub draft: Vec<bool>,
    /// Per article, the articles it must not link (its own `related:` targets), sorted.
    pub excluded: Vec<Vec<u32>>,
    pub tag_count: usize,
}

impl Corpus {
    /// A hash of everything [`rank_all`] reads: the corpus and how many links each
    /// article wants. Every list is written with its length, so two different inputs
    /// never give the same bytes.
    pub fn key(&self, want: &[usize]) -> blake3::Hash {
        let mut bytes: Vec<u8> = Vec::with_capacity(self.tags.len() * 48);
        let number = |bytes: &mut Vec<u8>, n: usize| {
            bytes.extend_from_slice(&(n as u64).to_le_bytes());
        };
        bytes.extend_from_slice(b"gazette see-also ranking 1\n");
        number(&mut bytes, self.tags.len());
        number(&mut bytes, self.tag_count);
        number(&mut bytes, want.len());
        for (a, tags) in self.tags.iter().enumerate() {
            number(&mut bytes, want.get(a).copied().unwrap_or(usize::MAX));
            bytes.push(u8::from(self.draft.get(a).copied().unwrap_or(true)));
            let excluded = self.excluded.get(a).map_or(&[][..], Vec::as_slice);
            for list in [tags, excluded] {
                number(&mut bytes, list.len());
                for &x in list {
                    bytes.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        blake3::hash(&bytes)
    }

    /// Whether `ranked` could be a ranking of this corpus: one list per article, no
    /// longer than it wants, of articles that exist. A kept ranking that does not fit is
    /// made again rather than trusted.
    fn fits(&self, ranked: &[Vec<u32>], want: &[usize]) -> bool {
        let n = self.tags.len();
        ranked.len() == n
            && ranked
                .iter()
                .zip(want)
                .all(|(list, &want)| list.len() <= want && list.iter().all(|&b| (b as usize) < n))
    }
}

/// Float sums within this of each other may be equal in exact arithmetic.
const NEAR: f64 = 1e-9;

/// Rankings made before, by the hash of what they were made from (see [`Corpus::key`]):
/// a build's cache keeps the last ones, so that a rebuild whose tags, drafts, `related:`
/// links and section counts are those of the last build does not rank again (issue 15).
pub trait Memo: Sync {
    /// The rankings made from the inputs that hash to `key`, if kept.
    fn get(&self, key: &blake3::Hash) -> Option<Vec<Vec<u32>>>;
    /// Keeps `ranked`, made from the inputs that hash to `key`.
    fn put(&self, key: &blake3::Hash, ranked: &[Vec<u32>]);
}

/// Computes every article's inline and end links; with `memo`, takes the ranking from it
/// when it kept one made from the same inputs, and gives it the ranking made otherwise.
pub fn compute(
    articles: &[Article],
    tag_count: usize,
    settings: &Settings,
    memo: Option<&dyn Memo>,
) -> Vec<SeeAlso> {
    let by_url: std::collections::HashMap<&str, u32> =
        articles.iter().map(|a| (a.url.as_str(), a.id.0)).collect();
    let corpus = Corpus {
        tags: articles
            .iter()
            .map(|a| {
                let mut tags: Vec<u32> = a.tags.iter().map(|t| t.0).collect();
                tags.sort_unstable();
                tags
            })
            .collect(),
        draft: articles.iter().map(|a| a.doc.draft).collect(),
        excluded: articles
            .iter()
            .map(|a| {
                let mut ids: Vec<u32> = a
                    .doc
                    .related
                    .iter()
                    .filter_map(|r| {
                        r.internal.as_ref().and_then(|u| by_url.get(u.as_str()).copied())
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            })
            .collect(),
        tag_count,
    };
    let wants: Vec<(Vec<usize>, usize)> = articles
        .iter()
        .map(|a| {
            let positions = inline_positions(a.doc.body.sections.len(), settings.inline);
            // No list is longer than the site: `related: 1000000000` in site.yaml must
            // not reserve room for a billion (issue 22).
            let want = positions.len().saturating_add(settings.related).min(articles.len());
            (positions, want)
        })
        .collect();
    let want: Vec<usize> = wants.iter().map(|(_, w)| *w).collect();
    let ranked = match memo {
        None => rank_all(&corpus, &want),
        Some(memo) => {
            let key = corpus.key(&want);
            match memo.get(&key).filter(|ranked| corpus.fits(ranked, &want)) {
                Some(ranked) => ranked,
                None => {
                    let ranked = rank_all(&corpus, &want);
                    memo.put(&key, &ranked);
                    ranked
                }
            }
        }
    };
    ranked
        .into_iter()
        .zip(wants)
        .map(|(list, (positions, _))| place(&list, &positions, settings.related))
        .collect()
}

/// Splits a ranked list: the first ones go after the given sections, the next `related`
/// ones to the end list.
fn place(ranked: &[u32], positions: &[usize], related: usize) -> SeeAlso {
    let inline: Vec<(usize, ArticleId)> =
        positions.iter().zip(ranked).map(|(&p, &id)| (p - 1, ArticleId(id))).collect();
    let rest = &ranked[inline.len()..];
    SeeAlso { related: rest.iter().take(related).map(|&id| ArticleId(id)).collect(), inline }
}

/// The 1-based sections after which inline links go: round(i·S/(k+1)) for i = 1..k,
/// halves rounded up, keeping those in 1..S (never after the last section), without repeats.
pub fn inline_positions(sections: usize, k: usize) -> Vec<usize> {
    // With k + 1 ≥ S the steps are under one section: every section but the last gets
    // one, however large k is (`inline: 1000000000` in site.yaml costs S, not k).
    if k.saturating_add(1) >= sections {
        return (1..sections).collect();
    }
    let mut positions: Vec<usize> = Vec::with_capacity(k);
    for i in 1..=k {
        // round(x) with halves up, for x = i·S/(k+1): floor((2·i·S + k + 1) / (2·(k + 1))).
        let p = (2 * i * sections + k + 1) / (2 * (k + 1));
        if p >= 1 && p < sections && positions.last() != Some(&p) {
            positions.push(p);
        }
    }
    positions
}

/// Each article's ranked list, `want[a]` long at most.
pub fn rank_all(corpus: &Corpus, want: &[usize]) -> Vec<Vec<u32>> {
    let n = corpus.tags.len();
    let mut df = vec![0u32; corpus.tag_count];
    for tags in &corpus.tags {
        for &t in tags {
            df[t as usize] += 1;
        }
    }
    let weight: Vec<f64> =
        df.iter().map(|&d| if d == 0 { 0.0 } else { (n as f64 / d as f64).ln() }).collect();
    // Postings hold only articles that may be linked (drafts never are), each entry with
    // the article's own tags inline: `[b, k, t1 .. tk]`. Scanning a list then reads
    // memory in order instead of jumping to every candidate's tag list.
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); corpus.tag_count];
    for (id, tags) in corpus.tags.iter().enumerate() {
        if corpus.draft[id] {
            continue;
        }
        let k = u32::try_from(tags.len()).expect("few tags per article");
        for &t in tags {
            let list = &mut postings[t as usize];
            list.push(id as u32);
            list.push(k);
            list.extend_from_slice(tags);
        }
    }
    let index = Index { corpus, n, df: &df, weight: &weight, postings: &postings };
    (0..n)
        .into_par_iter()
        .map_init(|| Scratch::new(corpus.tag_count), |scratch, a| index.rank(a, want[a], scratch))
        .collect()
}

struct Index<'a> {
    corpus: &'a Corpus,
    n: usize,
    df: &'a [u32],
    weight: &'a [f64],
    postings: &'a [Vec<u32>],
}

/// Per-thread tables indexed by tag, reset after each article: memory O(tags) per thread.
struct Scratch {
    /// The weight of each tag of the article being ranked; 0 for every other tag.
    weight: Vec<f64>,
    /// The tags whose postings were already visited for the article being ranked.
    visited: Vec<bool>,
    /// 1 + the position of each tag of the article being ranked in its tag list; 0 for
    /// every other tag. Says which tags a candidate shares, as a bit mask.
    position: Vec<u8>,
}

impl Scratch {
    fn new(tags: usize) -> Self {
        Scratch { weight: vec![0.0; tags], visited: vec![false; tags], position: vec![0; tags] }
    }

    /// The tags `theirs` shares with the article being ranked, as bits of its positions.
    fn shared(&self, theirs: &[u32]) -> u128 {
        theirs.iter().fold(0, |mask, &t| match self.position[t as usize] {
            0 => mask,
            p => mask | 1 << (p - 1),
        })
    }
}

impl Index<'_> {
    fn rank(&self, a: usize, want: usize, scratch: &mut Scratch) -> Vec<u32> {
        if want == 0 {
            return Vec::new();
        }
        // The tags that can score (df < N), heaviest (rarest) first.
        let mut tags: Vec<u32> = self.corpus.tags[a]
            .iter()
            .copied()
            .filter(|&t| (self.df[t as usize] as usize) < self.n)
            .collect();
        if tags.is_empty() {
            return Vec::new();
        }
        tags.sort_by(|&x, &y| {
            self.weight[y as usize].total_cmp(&self.weight[x as usize]).then(x.cmp(&y))
        });
        // bound[j]: the most that tags j.. can add.
        let mut bound = vec![0.0; tags.len() + 1];
        for j in (0..tags.len()).rev() {
            bound[j] = bound[j + 1] + self.weight[tags[j] as usize];
        }
        // Shared tags are told apart by bit masks; an article has at most
        // `front_matter::MAX_TAGS` (100) tags, and the masks hold 128.
        assert!(tags.len() <= 128, "at most 128 tags per article");
        for (i, &t) in tags.iter().enumerate() {
            scratch.weight[t as usize] = self.weight[t as usize];
            scratch.position[t as usize] = i as u8 + 1;
        }
        let excluded = &self.corpus.excluded[a];
        let mut candidates: Vec<Candidate> = Vec::new();
        // The `want` best scores so far, ascending: `best[0]` is the bar to clear.
        let mut best: Vec<f64> = Vec::with_capacity(want + 1);

        // Visit postings rarest tag first, scoring each article met in full (all the
        // tags it shares), so the bar rises fast. An article carrying a tag visited
        // earlier was met then; one not met yet has none of those tags, so it scores at
        // most `bound[j]`: once that is below the bar, no unseen article can make the
        // list and the scan stops (MaxScore, with exact scores).
        for (j, &t) in tags.iter().enumerate() {
            if best.len() == want && bound[j] < best[0] - NEAR {
                break;
            }
            let list = &self.postings[t as usize];
            let mut i = 0;
            while i < list.len() {
                let b = list[i];
                let theirs = &list[i + 2..i + 2 + list[i + 1] as usize];
                i += 2 + theirs.len();
                let mut score = 0.0;
                let mut met = false;
                for &x in theirs {
                    score += scratch.weight[x as usize];
                    met |= scratch.visited[x as usize];
                }
                // Below the bar now means below it at the end: the bar only rises.
                let hopeless = best.len() == want && score < best[0] - NEAR;
                if met || hopeless || b as usize == a || excluded.binary_search(&b).is_ok() {
                    continue;
                }
                candidates.push(Candidate { score, shared: scratch.shared(theirs), id: b });
                if best.len() < want || score > best[0] {
                    let at = best.partition_point(|&x| x < score);
                    best.insert(at, score);
                    if best.len() > want {
                        best.remove(0);
                    }
                }
            }
            scratch.visited[t as usize] = true;
        }
        for &t in &tags {
            scratch.weight[t as usize] = 0.0;
            scratch.visited[t as usize] = false;
            scratch.position[t as usize] = 0;
        }

        self.order(&tags, candidates, want)
    }

    /// The first `want` candidates in exact order: score, then id.
    fn order(&self, tags: &[u32], mut candidates: Vec<Candidate>, want: usize) -> Vec<u32> {
        // Only candidates within NEAR of the `want`-th float score can make the list.
        if candidates.len() > want {
            let (_, threshold, _) =
                candidates.select_nth_unstable_by(want - 1, |x, y| y.score.total_cmp(&x.score));
            let threshold = threshold.score;
            candidates.retain(|c| c.score >= threshold - NEAR);
        }
        candidates.sort_unstable_by(|x, y| y.score.total_cmp(&x.score).then(x.id.cmp(&y.id)));
        // Float sums order the candidates exactly except within runs of near-equal sums
        // made of different tags; those runs are re-sorted with exact arithmetic.
        let mut start = 0;
        while start < candidates.len().min(want) {
            let mut end = start + 1;
            while end < candidates.len()
                && candidates[end - 1].score - candidates[end].score <= NEAR
            {
                end += 1;
            }
            let run = &mut candidates[start..end];
            if run.iter().any(|c| c.shared != run[0].shared) {
                let dfs = |mask: u128| -> Vec<u32> {
                    let mut dfs: Vec<u32> = (0..tags.len())
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| self.df[tags[i] as usize])
                        .collect();
                    dfs.sort_unstable();
                    dfs
                };
                let mut keys: Vec<(u128, Vec<u32>)> = Vec::new();
                for c in run.iter() {
                    if !keys.iter().any(|(m, _)| *m == c.shared) {
                        keys.push((c.shared, dfs(c.shared)));
                    }
                }
                let key = |mask: u128| {
                    &keys.iter().find(|(m, _)| *m == mask).expect("every mask keyed").1
                };
                run.sort_by(|x, y| {
                    exact_compare(key(x.shared), key(y.shared), self.n)
                        .reverse()
                        .then(x.id.cmp(&y.id))
                });
            }
            start = end;
        }
        candidates.truncate(want);
        candidates.into_iter().map(|c| c.id).collect()
    }
}

/// An article that may be linked, with its score and which tags it shares.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    /// Bit i: shares the ranked article's i-th scoring tag.
    shared: u128,
    id: u32,
}

/// Σ ln(N/dᵢ) over `x` against the same over `y`, exactly: compares
/// N^|x| · Π y against N^|y| · Π x as integers.
pub fn exact_compare(x: &[u32], y: &[u32], n: usize) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    let product = |dfs: &[u32]| dfs.iter().fold(BigUint::from(1u32), |p, &d| p * d);
    let power = |k: usize| BigUint::from(n).pow(u32::try_from(k).expect("few tags"));
    (power(x.len()) * product(y)).cmp(&(power(y.len()) * product(x)))
}

#[cfg(test)]
mod tests;
