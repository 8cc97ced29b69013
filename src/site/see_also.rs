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

/// Float sums within this of each other may be equal in exact arithmetic.
const NEAR: f64 = 1e-9;

/// Computes every article's inline and end links.
pub fn compute(articles: &[Article], tag_count: usize, settings: &Settings) -> Vec<SeeAlso> {
    let by_url: std::collections::HashMap<&str, u32> =
        articles.iter().map(|a| (a.url.as_str(), a.id.0)).collect();
    let corpus = Corpus {
        tags: articles.iter().map(|a| a.tags.iter().map(|t| t.0).collect()).collect(),
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
            let want = positions.len() + settings.related;
            (positions, want)
        })
        .collect();
    let want: Vec<usize> = wants.iter().map(|(_, w)| *w).collect();
    let ranked = rank_all(&corpus, &want);
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
    // Postings hold only articles that may be linked: drafts never are.
    let mut postings: Vec<Vec<u32>> = df.iter().map(|&d| Vec::with_capacity(d as usize)).collect();
    for (id, tags) in corpus.tags.iter().enumerate() {
        if !corpus.draft[id] {
            for &t in tags {
                postings[t as usize].push(id as u32);
            }
        }
    }
    let index = Index { corpus, n, df: &df, weight: &weight, postings: &postings };
    (0..n)
        .into_par_iter()
        .map_init(|| Scratch::new(n), |scratch, a| index.rank(a, want[a], scratch))
        .collect()
}

struct Index<'a> {
    corpus: &'a Corpus,
    n: usize,
    df: &'a [u32],
    weight: &'a [f64],
    postings: &'a [Vec<u32>],
}

/// Per-thread accumulators, reused across articles so memory stays O(N) per thread.
struct Scratch {
    score: Vec<f64>,
    /// `epoch` marks the candidates of the article being ranked.
    mark: Vec<u32>,
    epoch: u32,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Self {
        Scratch { score: vec![0.0; n], mark: vec![0; n], epoch: 0, touched: Vec::new() }
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
        // bound[j]: the most that tags j.. can still add.
        let mut bound = vec![0.0; tags.len() + 1];
        for j in (0..tags.len()).rev() {
            bound[j] = bound[j + 1] + self.weight[tags[j] as usize];
        }

        scratch.epoch = scratch.epoch.wrapping_add(1);
        if scratch.epoch == 0 {
            scratch.mark.fill(0);
            scratch.epoch = 1;
        }
        let epoch = scratch.epoch;
        scratch.touched.clear();
        let excluded = &self.corpus.excluded[a];
        let mut kth = Vec::new();

        // Scan postings while an unseen article could still reach the top `want`
        // (MaxScore): once what is left to add cannot lift a newcomer to the current
        // `want`-th score, the remaining tags only update known candidates.
        let mut scanned = tags.len();
        for (j, &t) in tags.iter().enumerate() {
            if scratch.touched.len() >= want && j > 0 {
                kth.clear();
                kth.extend(scratch.touched.iter().map(|&b| scratch.score[b as usize]));
                let (_, &mut threshold, _) =
                    kth.select_nth_unstable_by(want - 1, |x: &f64, y| y.total_cmp(x));
                if bound[j] < threshold - NEAR {
                    scanned = j;
                    break;
                }
            }
            let w = self.weight[t as usize];
            for &b in &self.postings[t as usize] {
                let bi = b as usize;
                if scratch.mark[bi] != epoch {
                    if bi == a || excluded.binary_search(&b).is_ok() {
                        continue;
                    }
                    scratch.mark[bi] = epoch;
                    scratch.score[bi] = 0.0;
                    scratch.touched.push(b);
                }
                scratch.score[bi] += w;
            }
        }
        for &t in &tags[scanned..] {
            let w = self.weight[t as usize];
            for &b in &scratch.touched {
                if self.corpus.tags[b as usize].binary_search(&t).is_ok() {
                    scratch.score[b as usize] += w;
                }
            }
        }

        // Keep every candidate within NEAR of the `want`-th score, then order them exactly.
        let mut candidates: Vec<(f64, u32)> =
            scratch.touched.iter().map(|&b| (scratch.score[b as usize], b)).collect();
        if candidates.len() > want {
            let (_, &mut (threshold, _), _) =
                candidates.select_nth_unstable_by(want - 1, |x, y| y.0.total_cmp(&x.0));
            candidates.retain(|(s, _)| *s >= threshold - NEAR);
        }
        let own = &self.corpus.tags[a];
        let mut keyed: Vec<(f64, Vec<u32>, u32)> = candidates
            .into_iter()
            .map(|(s, b)| (s, shared_dfs(own, &self.corpus.tags[b as usize], self.df), b))
            .collect();
        keyed.sort_by(|x, y| {
            compare_scores(x.0, &x.1, y.0, &y.1, self.n).reverse().then(x.2.cmp(&y.2))
        });
        keyed.truncate(want);
        keyed.into_iter().map(|(_, _, b)| b).collect()
    }
}

/// The df of each tag `a` and `b` share, sorted.
fn shared_dfs(a: &[u32], b: &[u32], df: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(df[a[i] as usize]);
                i += 1;
                j += 1;
            }
        }
    }
    out.sort_unstable();
    out
}

/// Compares two scores: by their float sums when those are clearly apart, otherwise
/// exactly, from the dfs of the shared tags.
fn compare_scores(x: f64, x_dfs: &[u32], y: f64, y_dfs: &[u32], n: usize) -> Ordering {
    if (x - y).abs() > NEAR {
        return x.total_cmp(&y);
    }
    exact_compare(x_dfs, y_dfs, n)
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
