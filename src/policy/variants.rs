//! Names as policies really write them: "One Signal", "Mail Chimp", "Face book" (spacing and
//! hyphenation) and "Twillio", "Cloudfare" (one letter off). The exact-name automaton in
//! [`super::matcher`] cannot see these, and adding every misspelling to it would multiply its size
//! by the alphabet; so this index is built once with the matcher and probed only at the few word
//! positions the automaton left uncovered.
//!
//! A name is reduced to its *squash*: the folded letters and digits without spaces, hyphens or
//! dots ("mail chimp", "Mail-Chimp" and "Mailchimp" all squash to `mailchimp`). A text span of one to
//! three words starting with a capital letter matches
//! - as a **spacing variant** when its squash equals a name's squash, and
//! - as a **misspelling** when one letter is inserted, dropped, replaced or two neighbours swapped,
//!   keeping the first and last letter (so "Notions", "Branche" or "Verify" are not "Notion",
//!   "Branch" or "Veriff").
//!
//! Both need names of at least [`MIN_LETTERS`] letters; misspellings are never tried for names that
//! are ordinary words (`data/policy/common_words.txt`) or one letter away from one
//! (`data/policy/no_misspelling.txt`). Lookups hash the span and each one-letter deletion of it
//! (prefix/suffix polynomial hashes, no allocation), then confirm candidates on the real strings:
//! linear in the text, a few dozen hash probes per capitalised word.

use crate::policy::fold::fold_str;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Shortest name (in letters and digits) that gets variants: shorter ones collide with words.
pub const MIN_LETTERS: usize = 6;

/// Longest span tried, in words ("Face book Ireland" is three).
const MAX_WORDS: usize = 3;

const BASE: u64 = 0x100_0000_01b3;

/// The keys are already polynomial hashes: hash them again with a multiply, not SipHash.
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ (n >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap = HashMap<u64, Vec<u32>, BuildHasherDefault<KeyHasher>>;

/// One name the index can find, with what it stands for (an index into the caller's targets).
#[derive(Debug, Clone)]
struct Entry {
    squash: Vec<char>,
    target: u32,
    misspell: bool,
}

/// Variant lookup for a set of names. Build with [`VariantIndex::build`], probe with
/// [`VariantIndex::find`].
#[derive(Debug, Clone, Default)]
pub struct VariantIndex {
    entries: Vec<Entry>,
    /// Hash of a full squash → entries.
    full: KeyMap,
    /// Hash of a squash with one inner letter deleted → entries allowing misspellings.
    deleted: KeyMap,
    max_len: usize,
}

/// A variant found in the text: byte range in the folded text and the caller's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantHit {
    /// Start in the folded text.
    pub start: usize,
    /// End in the folded text.
    pub end: usize,
    /// The caller's target index.
    pub target: u32,
}

/// The letters and digits of a folded name.
fn squash(folded: &str) -> Vec<char> {
    folded.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Polynomial hash of `s` without the char at `skip` (pass `usize::MAX` to skip nothing).
fn hash_skip(s: &[char], skip: usize) -> u64 {
    let mut h: u64 = 0;
    for (i, &c) in s.iter().enumerate() {
        if i != skip {
            h = h.wrapping_mul(BASE).wrapping_add(c as u64 + 1);
        }
    }
    h
}

/// Prefix hashes and powers of one span, so that the hash with any one char removed is O(1).
struct SpanHashes {
    prefix: Vec<u64>,
    pow: Vec<u64>,
}

impl SpanHashes {
    fn new(s: &[char]) -> SpanHashes {
        let mut prefix = Vec::with_capacity(s.len() + 1);
        let mut pow = Vec::with_capacity(s.len() + 1);
        prefix.push(0u64);
        pow.push(1u64);
        for &c in s {
            let last = *prefix.last().unwrap_or(&0);
            prefix.push(last.wrapping_mul(BASE).wrapping_add(c as u64 + 1));
            let p = *pow.last().unwrap_or(&1);
            pow.push(p.wrapping_mul(BASE));
        }
        SpanHashes { prefix, pow }
    }

    fn full(&self) -> u64 {
        *self.prefix.last().unwrap_or(&0)
    }

    /// Hash of the span without char `i`.
    fn without(&self, i: usize) -> u64 {
        let n = self.prefix.len() - 1;
        let head = self.prefix[i];
        let tail =
            self.prefix[n].wrapping_sub(self.prefix[i + 1].wrapping_mul(self.pow[n - i - 1]));
        head.wrapping_mul(self.pow[n - i - 1]).wrapping_add(tail)
    }
}

/// At most one insertion, deletion, substitution or swap of neighbours between `a` and `b`, none of
/// them touching the first or last letter (which both must share).
pub fn one_inner_edit(a: &[char], b: &[char]) -> bool {
    if a.first() != b.first() || a.last() != b.last() {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diffs.as_slice() {
                [] | [_] => true,
                [i, j] => *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i],
                _ => false,
            }
        }
        1 => {
            let i = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            // The extra char sits at `i` of `long`; it must not be the first or last.
            i > 0 && i < long.len() - 1 && short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

impl VariantIndex {
    /// Index `names` (original spelling, target, whether misspellings may be tried). Names shorter
    /// than [`MIN_LETTERS`] letters are left out; the first name of a squash wins, so callers
    /// pass them best first.
    pub fn build<'a>(names: impl IntoIterator<Item = (&'a str, u32, bool)>) -> VariantIndex {
        let mut ix = VariantIndex::default();
        let mut seen: std::collections::HashSet<Vec<char>> = Default::default();
        for (name, target, misspell) in names {
            let sq = squash(&fold_str(name));
            if sq.len() < MIN_LETTERS || !seen.insert(sq.clone()) {
                continue;
            }
            let id = ix.entries.len() as u32;
            ix.full
                .entry(hash_skip(&sq, usize::MAX))
                .or_default()
                .push(id);
            if misspell {
                for i in 1..sq.len() - 1 {
                    ix.deleted.entry(hash_skip(&sq, i)).or_default().push(id);
                }
            }
            ix.max_len = ix.max_len.max(sq.len());
            ix.entries.push(Entry {
                squash: sq,
                target,
                misspell,
            });
        }
        ix
    }

    /// Whether no name was indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry a span squash `t` (with hashes `h`) is a variant of, if any: an exact squash
    /// first, then a misspelling.
    fn lookup(&self, t: &[char], h: &SpanHashes) -> Option<u32> {
        let exact = self.full.get(&h.full()).into_iter().flatten();
        if let Some(&e) = exact
            .into_iter()
            .find(|&&e| self.entries[e as usize].squash == t)
        {
            return Some(e);
        }
        if t.len() < MIN_LETTERS {
            return None;
        }
        let ok = |e: &u32| {
            let en = &self.entries[*e as usize];
            en.misspell && one_inner_edit(&en.squash, t)
        };
        // A letter missing in the text: the text equals a name with one inner letter deleted.
        if let Some(e) = self
            .deleted
            .get(&h.full())
            .into_iter()
            .flatten()
            .find(|e| ok(e))
        {
            return Some(*e);
        }
        for i in 1..t.len() - 1 {
            let hi = h.without(i);
            // An extra letter in the text, or one replaced/swapped (both sides lose one letter).
            let extra = self.full.get(&hi).into_iter().flatten();
            let replaced = self.deleted.get(&hi).into_iter().flatten();
            if let Some(e) = extra.chain(replaced).find(|e| ok(e)) {
                return Some(*e);
            }
        }
        None
    }

    /// Variants in folded text `text`, trying only word starts for which `may_start(byte offset)`
    /// holds (the caller checks capitalisation and what is already matched) and spans that
    /// `may_cover(start, end)` allows. Leftmost-longest, non-overlapping.
    pub fn find(
        &self,
        text: &str,
        may_start: impl Fn(usize) -> bool,
        may_cover: impl Fn(usize, usize) -> bool,
    ) -> Vec<VariantHit> {
        let mut out = Vec::new();
        if self.entries.is_empty() {
            return out;
        }
        // Word spans (start, end) of the folded text: runs of letters and digits.
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            words.push((s, text.len()));
        }
        let mut covered_to = 0;
        let mut buf: Vec<char> = Vec::with_capacity(self.max_len + 2);
        for w in 0..words.len() {
            let (ws, _) = words[w];
            if ws < covered_to || !may_start(ws) {
                continue;
            }
            let mut best: Option<VariantHit> = None;
            buf.clear();
            for (k, &(_, we)) in words.iter().enumerate().skip(w).take(MAX_WORDS) {
                let (s, e) = words[k];
                // Words of one span are separated by spaces, hyphens or dots only.
                if k > w
                    && !text[words[k - 1].1..s]
                        .chars()
                        .all(|c| matches!(c, ' ' | '.'))
                {
                    break;
                }
                buf.extend(text[s..e].chars());
                if buf.len() > self.max_len + 1 {
                    break;
                }
                if !may_cover(ws, we) {
                    break;
                }
                let h = SpanHashes::new(&buf);
                if let Some(id) = self.lookup(&buf, &h) {
                    best = Some(VariantHit {
                        start: ws,
                        end: we,
                        target: self.entries[id as usize].target,
                    });
                }
            }
            if let Some(b) = best {
                covered_to = b.end;
                out.push(b);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn one_inner_edit_keeps_first_and_last_letter() {
        for (a, b) in [
            ("twilio", "twillio"),
            ("cloudflare", "cloudfare"),
            ("mixpanel", "mixpnael"),
            ("facebook", "facebok"),
            ("criteo", "critio"),
        ] {
            assert!(one_inner_edit(&chars(a), &chars(b)), "{a} {b}");
        }
        for (a, b) in [
            ("mixpanel", "mixpanle"),
            ("matomo", "matoma"),
            ("notion", "notions"),
            ("branch", "branche"),
            ("veriff", "verify"),
            ("google", "googles"),
            ("twilio", "twiliox"),
            ("stripe", "xtripe"),
            ("hotjar", "hotjxxr"),
        ] {
            assert!(!one_inner_edit(&chars(a), &chars(b)), "{a} {b}");
        }
    }

    #[test]
    fn span_hash_without_matches_direct_hash() {
        let s = chars("mailchimp");
        let h = SpanHashes::new(&s);
        assert_eq!(h.full(), hash_skip(&s, usize::MAX));
        for i in 0..s.len() {
            assert_eq!(h.without(i), hash_skip(&s, i), "{i}");
        }
    }

    #[test]
    fn finds_spacing_variants_and_misspellings_but_not_short_names() {
        let ix = VariantIndex::build([
            ("Mailchimp", 0, true),
            ("Twilio", 1, true),
            ("Box.com", 2, true),
            ("Zoom", 3, true),
            ("Notion", 4, false),
        ]);
        let text = "we use mail chimp, twillio, bo xcom, zo om and notoin";
        let hits: Vec<(&str, u32)> = ix
            .find(text, |_| true, |_, _| true)
            .into_iter()
            .map(|h| (&text[h.start..h.end], h.target))
            .collect();
        assert_eq!(
            hits,
            vec![("mail chimp", 0), ("twillio", 1), ("bo xcom", 2)]
        );
    }
}
