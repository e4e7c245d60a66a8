//! Tokens for the search index, exactly as `docs/search-index.md` defines them; the browser
//! engine (`assets/search.js`) cuts queries the same way.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFD, drop combining marks, NFC, lowercase: `Café` -> `cafe`.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let stripped: String = text.nfd().filter(|c| !is_combining_mark(*c)).collect();
    stripped.nfc().flat_map(char::to_lowercase).collect()
}

/// Han, Hiragana, Katakana, Hangul: scripts written without spaces, indexed as bigrams.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF | 0x20000..=0x2FA1F)
}

fn is_word(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric()
}

/// Calls `emit` with every token of `text`, in order.
pub fn tokens(text: &str, mut emit: impl FnMut(&str)) {
    if text.is_ascii() {
        return ascii_tokens(text, &mut emit);
    }
    folded_tokens(&fold(text), &mut emit);
}

/// [`tokens`] for text already [`fold`]ed: any script, apostrophes inside words dropped.
fn folded_tokens(folded: &str, emit: &mut impl FnMut(&str)) {
    let chars: Vec<char> = folded.chars().collect();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_word(c) {
            word.push(c);
            continue;
        }
        let apostrophe = (c == '\'' || c == '’')
            && i > 0
            && is_word(chars[i - 1])
            && chars.get(i + 1).is_some_and(|&n| is_word(n));
        if !apostrophe {
            emit_word(&word, emit);
            word.clear();
        }
    }
    emit_word(&word, emit);
}

/// ASCII bytes by class: 0 for a word break, [`UPPER`] for a capital, 1 for any other
/// letter or digit. One table lookup per byte in the scanning loop.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        if b.is_ascii_uppercase() {
            t[c] = UPPER;
        } else if b.is_ascii_alphanumeric() {
            t[c] = 1;
        }
        c += 1;
    }
    t
};
const UPPER: u8 = 3;

/// [`tokens`] for ASCII text, the common case: no folding tables, and a word that is already
/// lower case (most are) is handed on as a slice of `text`, with no copy.
fn ascii_tokens(text: &str, emit: &mut impl FnMut(&str)) {
    let b = text.as_bytes();
    // Where a word with a capital or an apostrophe is written lower case: on the stack when
    // it is short (most are), so that a text costs no allocation.
    let mut short = [0u8; 32];
    let mut long = String::new();
    let mut i = 0;
    while i < b.len() {
        if CLASS[b[i] as usize] == 0 {
            i += 1;
            continue;
        }
        let start = i;
        // The classes met, OR-ed: UPPER when the word holds a capital.
        let mut classes = 0;
        let mut apostrophe = false;
        loop {
            while let Some(&c) = b.get(i) {
                let class = CLASS[c as usize];
                if class == 0 {
                    break;
                }
                classes |= class;
                i += 1;
            }
            // An apostrophe between letters stays in the word, and is dropped from it.
            if b.get(i) == Some(&b'\'') && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
                apostrophe = true;
                i += 1;
                continue;
            }
            break;
        }
        let word = if classes != UPPER && !apostrophe {
            &text[start..i]
        } else if i - start <= short.len() {
            let mut n = 0;
            for &c in &b[start..i] {
                if c != b'\'' {
                    short[n] = c.to_ascii_lowercase();
                    n += 1;
                }
            }
            std::str::from_utf8(&short[..n]).expect("ASCII is UTF-8")
        } else {
            long.clear();
            for &c in &b[start..i] {
                if c != b'\'' {
                    long.push(c.to_ascii_lowercase() as char);
                }
            }
            long.as_str()
        };
        if word.len() >= 2 {
            emit(word);
        }
    }
}

fn emit_word(word: &str, emit: &mut impl FnMut(&str)) {
    if word.is_empty() {
        return;
    }
    let mut run = String::new();
    let mut run_cjk = false;
    for c in word.chars() {
        let cjk = is_cjk(c);
        if !run.is_empty() && cjk != run_cjk {
            emit_run(&run, run_cjk, emit);
            run.clear();
        }
        run_cjk = cjk;
        run.push(c);
    }
    emit_run(&run, run_cjk, emit);
}

fn emit_run(run: &str, cjk: bool, emit: &mut impl FnMut(&str)) {
    let chars: Vec<(usize, char)> = run.char_indices().collect();
    if !cjk {
        if chars.len() >= 2 {
            emit(run);
        }
        return;
    }
    if chars.len() == 1 {
        emit(run);
        return;
    }
    for w in chars.windows(2) {
        let end = w[1].0 + w[1].1.len_utf8();
        emit(&run[w[0].0..end]);
    }
}

/// Words a question is made of rather than what it is about (tokens, so already folded and
/// without apostrophes). A query need not match them; the index keeps them only where they
/// stand in a title, heading or label. The same list is in `assets/search.js`.
pub const STOP_WORDS: &[&str] = &[
    "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "cant",
    "could", "did", "do", "does", "doesnt", "dont", "for", "from", "had", "has", "have", "how",
    "if", "im", "in", "into", "is", "isnt", "it", "its", "ive", "me", "my", "of", "or", "our",
    "should", "so", "that", "the", "their", "them", "then", "there", "these", "they", "this", "to",
    "was", "we", "were", "what", "when", "where", "which", "who", "why", "will", "with", "wont",
    "would", "you", "your", "youre",
];

/// Is `token` one of the [`STOP_WORDS`]? (Asked of every word of the body: a hash set.)
pub fn is_stop(token: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&str>> =
        std::sync::LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    token.len() <= 7 && SET.contains(token)
}

/// Orders terms as JavaScript compares strings (by UTF-16 code units), so the engine can
/// search the sorted shard list with `<`.
pub fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokens(text, |t| v.push(t.to_string()));
        v
    }

    #[test]
    fn words_fold_and_split() {
        assert_eq!(
            all("Turn off 2-step verification, Café!"),
            ["turn", "off", "step", "verification", "cafe"]
        );
        assert_eq!(
            all("Don't use the user’s PIN 42"),
            ["dont", "use", "the", "users", "pin", "42"]
        );
        assert_eq!(all("ab東京都cd 日"), ["ab", "東京", "京都", "cd", "日"]);
        assert_eq!(all("Ünïcödé STRASSE"), ["unicode", "strasse"]);
        let long = "Supercalifragilisticexpialidocious's-Antidisestablishmentarianism";
        assert_eq!(
            all(long),
            [
                "supercalifragilisticexpialidociouss",
                "antidisestablishmentarianism"
            ]
        );
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let text = "Don't turn off 2-step verification: e-mail isn't SMS, ok? a b c42 x \
                    'quoted' rock'n'roll O'Neil's it'' ''a b' x'y ABC aBc";
        let mut slow = Vec::new();
        // The general path, forced.
        folded_tokens(&fold(text), &mut |t: &str| slow.push(t.to_string()));
        assert_eq!(all(text), slow);
    }

    #[test]
    fn stop_words_are_sorted_tokens() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        for w in STOP_WORDS {
            assert_eq!(all(w), [*w]);
        }
        assert!(STOP_WORDS.iter().all(|w| w.len() <= 7 && is_stop(w)));
        assert!(is_stop("the") && is_stop("dont") && !is_stop("off") && !is_stop("reset"));
    }

    #[test]
    fn hangul_stays_whole() {
        assert_eq!(all("한국어"), ["한국", "국어"]);
    }

    #[test]
    fn terms_sort_as_javascript_compares_them() {
        use std::cmp::Ordering::Less;
        assert_eq!(js_order("ab", "abc"), Less);
        // U+FF21 sorts after U+1F600 in UTF-16 (a surrogate pair starts with 0xD83D).
        assert_eq!(js_order("😀", "Ａ"), Less);
    }
}
