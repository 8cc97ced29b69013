//! The words of a build's search terms, numbered (issues 15 and 20).
//!
//! An article's [`Terms`](crate::site::Terms) name each word by its number here rather
//! than by its letters, so the index merges an article's words by looking their stems up
//! in an array instead of hashing and comparing every word again. The parse cache keeps
//! the words with the parses ([`Vocabulary::words`]), in number order, so the numbers in
//! the terms it keeps mean the same words in the next build; numbers are never reused or
//! changed, only added.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

/// Folded words, each with a number that does not change, and their stems by language.
pub(crate) struct Vocabulary {
    /// Tells vocabularies apart (a thread's table of words belongs to one).
    id: u64,
    words: Mutex<Words>,
    stems: Mutex<FxHashMap<String, Arc<Stems>>>,
}

#[derive(Default)]
struct Words {
    numbers: FxHashMap<Arc<str>, u32>,
    /// By number.
    list: Vec<Arc<str>>,
}

/// The stems of a vocabulary's words in one language, for the words numbered when it was
/// made (see [`Vocabulary::stems`]).
#[derive(Clone, Default)]
pub(crate) struct Stems {
    /// By word number: the stem's number.
    pub(crate) of_word: Vec<u32>,
    /// By stem number: the stem.
    pub(crate) names: Vec<Arc<str>>,
    numbers: FxHashMap<Arc<str>, u32>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Vocabulary {
    /// A vocabulary with no word.
    pub(crate) fn new() -> Arc<Vocabulary> {
        Vocabulary::from_words(Vec::new()).expect("no word twice")
    }

    /// A vocabulary that numbers `words` in their order (as [`Vocabulary::words`] gave
    /// them); `None` if a word is there twice.
    pub(crate) fn from_words(words: Vec<String>) -> Option<Arc<Vocabulary>> {
        let list: Vec<Arc<str>> = words.into_iter().map(Arc::from).collect();
        let mut numbers = FxHashMap::default();
        numbers.reserve(list.len());
        for (n, word) in list.iter().enumerate() {
            if numbers.insert(word.clone(), u32::try_from(n).ok()?).is_some() {
                return None;
            }
        }
        Some(Arc::new(Vocabulary {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            words: Mutex::new(Words { numbers, list }),
            stems: Mutex::default(),
        }))
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Words> {
        self.words.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The number of `word` (folded), numbered now if it has none yet.
    pub(crate) fn number(&self, word: &str) -> u32 {
        let mut words = self.lock();
        if let Some(&n) = words.numbers.get(word) {
            return n;
        }
        let n = u32::try_from(words.list.len()).expect("fewer than 2^32 words");
        let word: Arc<str> = Arc::from(word);
        words.numbers.insert(word.clone(), n);
        words.list.push(word);
        n
    }

    /// The number of `word`, if it has one.
    pub(crate) fn find(&self, word: &str) -> Option<u32> {
        self.lock().numbers.get(word).copied()
    }

    /// How many words are numbered.
    pub(crate) fn len(&self) -> usize {
        self.lock().list.len()
    }

    /// Every word, by number.
    pub(crate) fn words(&self) -> Vec<Arc<str>> {
        self.lock().list.clone()
    }

    /// The stems in `language` (by `stemmer`, the word itself without one) of every word
    /// numbered so far. Made once a language, and extended for the words numbered since.
    pub(crate) fn stems(
        &self,
        language: &str,
        stemmer: Option<rust_stemmers::Algorithm>,
    ) -> Arc<Stems> {
        let words = self.words();
        let mut all = self.stems.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let slot = all.entry(language.to_owned()).or_default();
        if slot.of_word.len() < words.len() {
            let stems = Arc::make_mut(slot);
            let stemmer = stemmer.map(rust_stemmers::Stemmer::create);
            for word in &words[stems.of_word.len()..] {
                let stem: Arc<str> = match &stemmer {
                    Some(stemmer) => match stemmer.stem(word) {
                        std::borrow::Cow::Borrowed(s) if s.len() == word.len() => word.clone(),
                        stem => Arc::from(&*stem),
                    },
                    None => word.clone(),
                };
                let next = stems.names.len() as u32;
                let number = *stems.numbers.entry(stem.clone()).or_insert(next);
                if number == next {
                    stems.names.push(stem);
                }
                stems.of_word.push(number);
            }
        }
        slot.clone()
    }

    /// The vocabulary most of `terms` were counted with, or a new one.
    pub(crate) fn most_used<'a>(
        terms: impl Iterator<Item = &'a Arc<Vocabulary>>,
    ) -> Arc<Vocabulary> {
        let mut uses: FxHashMap<u64, (usize, &Arc<Vocabulary>)> = FxHashMap::default();
        for vocabulary in terms {
            uses.entry(vocabulary.id).or_insert((0, vocabulary)).0 += 1;
        }
        uses.into_values()
            .max_by_key(|(n, v)| (*n, std::cmp::Reverse(v.id)))
            .map_or_else(Vocabulary::new, |(_, v)| v.clone())
    }
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vocabulary #{} ({} words)", self.id, self.len())
    }
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Vocabulary) -> bool {
        self.id == other.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_and_stems_follow_new_words() {
        let vocabulary = Vocabulary::new();
        assert_eq!(vocabulary.number("rates"), 0);
        assert_eq!(vocabulary.number("rate"), 1);
        assert_eq!(vocabulary.number("rates"), 0);
        let english = Some(rust_stemmers::Algorithm::English);
        let stems = vocabulary.stems("en", english);
        assert_eq!(stems.of_word, [0, 0]);
        assert_eq!(&*stems.names[0], "rate");
        assert_eq!(vocabulary.number("bonds"), 2);
        let more = vocabulary.stems("en", english);
        assert_eq!(more.of_word, [0, 0, 1]);
        // The snapshot taken before is as it was.
        assert_eq!(stems.of_word.len(), 2);
        // Without a stemmer, each word is its own stem.
        assert_eq!(vocabulary.stems("xx", None).of_word, [0, 1, 2]);
        // Saved and read back: the same numbers.
        let words = vocabulary.words().iter().map(|w| w.to_string()).collect();
        let again = Vocabulary::from_words(words).expect("no word twice");
        assert_eq!(again.find("bonds"), Some(2));
        assert_ne!(*again, *vocabulary);
        assert!(Vocabulary::from_words(vec!["a".into(), "a".into()]).is_none());
    }

    #[test]
    fn the_most_used_vocabulary_is_chosen() {
        let (a, b) = (Vocabulary::new(), Vocabulary::new());
        let chosen = Vocabulary::most_used([&b, &a, &a].into_iter());
        assert_eq!(chosen.id(), a.id());
        let none = Vocabulary::most_used(std::iter::empty());
        assert!(none.id() != a.id() && none.id() != b.id());
    }
}
