//! The anchor record, `anchors.lock`: every address and fragment the site has published,
//! each with the [`Fingerprint`] of what it anchored when it was first recorded.
//!
//! One line per anchor, sorted by address and then fragment, and nothing that changes from
//! one build to the next (no dates, no counters), so two branches that add articles merge
//! without a conflict and an unchanged site leaves the file byte for byte the same:
//!
//! ```text
//! billing/refunds.html page 5f0c2b9e01d4a7c3 0b1e44a2203ff1c9 intercom=42
//! billing/refunds.html#ask-for-a-refund section 9a3e7d2c44b10f5e 0b1e44a2203ff1c9
//! billing/refunds.html#ask-for-a-refund-step-1 step 77c1d0e5a9b2f403 1c2d3e4f
//! ```
//!
//! Fields: the address (the page's path from the site root, URL-encoded) with `#fragment`,
//! the kind (`page`, `section`, `step`, `option`), the hash of the name as 16 hex digits, the
//! sketch (8 hex digits per word hash, `-` when empty) and, for a page, `intercom=N`. Lines
//! starting with `#` are comments. This module reads and writes the text; it decides nothing.

use std::collections::BTreeMap;

use super::fingerprint::Fingerprint;

/// The file's name, beside `content/` and `book.toml`.
pub const FILE: &str = "anchors.lock";

const HEADER: &str = "# Every address and fragment this site has published, with a fingerprint of what it\n# anchored. `stepbook build` keeps it up to date: commit it with the content.\n";

/// What an anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Page,
    Section,
    Step,
    Option,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Section => "section",
            Kind::Step => "step",
            Kind::Option => "option",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "page" => Kind::Page,
            "section" => Kind::Section,
            "step" => Kind::Step,
            "option" => Kind::Option,
            _ => return None,
        })
    }
}

/// An anchor: an address (`guide/a.html`) and a fragment (empty for the page itself).
pub type Key = (String, String);

/// One recorded anchor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    pub kind: Kind,
    pub fingerprint: Fingerprint,
    /// A page's `intercom_id` when it was recorded.
    pub intercom: Option<u64>,
    /// The line it was read from (0 for an entry made by this build).
    pub line: usize,
}

/// Every recorded anchor, in the file's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Record {
    pub entries: BTreeMap<Key, Entry>,
}

/// A line of the record that could not be read: its number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub why: String,
}

impl Record {
    /// Reads the record's text; lines that cannot be read are returned apart, and left out.
    pub fn parse(text: &str) -> (Record, Vec<BadLine>) {
        let mut record = Record::default();
        let mut bad = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line) {
                Ok((key, mut entry)) => {
                    entry.line = i + 1;
                    match record.entries.entry(key) {
                        std::collections::btree_map::Entry::Vacant(v) => {
                            v.insert(entry);
                        }
                        std::collections::btree_map::Entry::Occupied(mut o) => {
                            bad.push(BadLine {
                                line: i + 1,
                                why: format!("`{}` is recorded twice", display_key(o.key())),
                            });
                            // The later line wins, as it would in a map.
                            o.insert(entry);
                        }
                    }
                }
                Err(why) => bad.push(BadLine { line: i + 1, why }),
            }
        }
        (record, bad)
    }

    /// The record's text: the header, then one sorted line per anchor.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(HEADER.len() + self.entries.len() * 80);
        out.push_str(HEADER);
        for (key, e) in &self.entries {
            out.push_str(&encode(&key.0));
            if !key.1.is_empty() {
                out.push('#');
                out.push_str(&encode(&key.1));
            }
            out.push(' ');
            out.push_str(e.kind.name());
            out.push_str(&format!(" {:016x} ", e.fingerprint.hash));
            if e.fingerprint.sketch.is_empty() {
                out.push('-');
            }
            for h in &e.fingerprint.sketch {
                out.push_str(&format!("{h:08x}"));
            }
            if let Some(id) = e.intercom {
                out.push_str(&format!(" intercom={id}"));
            }
            out.push('\n');
        }
        out
    }
}

/// `guide/a.html#step-1`, or `guide/a.html` for the page itself.
pub fn display_key((address, fragment): &Key) -> String {
    if fragment.is_empty() {
        address.clone()
    } else {
        format!("{address}#{fragment}")
    }
}

fn parse_line(line: &str) -> Result<(Key, Entry), String> {
    let mut fields = [""; 6];
    let mut count = 0;
    for f in line.split(' ') {
        if count < fields.len() {
            fields[count] = f;
        }
        count += 1;
    }
    if !(4..=5).contains(&count) {
        return Err(format!(
            "expected `address[#fragment] kind hash sketch`, found {count} fields"
        ));
    }
    let [anchor, kind, hash, sketch, ..] = fields;
    let rest = &fields[4..count];
    let (address, fragment) = anchor.split_once('#').unwrap_or((anchor, ""));
    let (Some(address), Some(fragment)) = (decode(address), decode(fragment)) else {
        return Err("the address is not URL-encoded UTF-8".into());
    };
    if address.is_empty() {
        return Err("the address is empty".into());
    }
    let kind = Kind::parse(kind)
        .ok_or_else(|| format!("unknown kind `{kind}`: expected page, section, step or option"))?;
    if (kind == Kind::Page) != fragment.is_empty() {
        return Err("a page has no fragment, and every other anchor has one".into());
    }
    let hash = (hash.len() == 16)
        .then(|| u64::from_str_radix(hash, 16).ok())
        .flatten()
        .ok_or_else(|| format!("the hash `{hash}` is not 16 hex digits"))?;
    let sketch = parse_sketch(sketch).ok_or_else(|| {
        format!("the sketch `{sketch}` is not `-` or groups of 8 hex digits, ascending")
    })?;
    let intercom = match rest {
        [] => None,
        [extra] => match extra.strip_prefix("intercom=").map(str::parse::<u64>) {
            Some(Ok(id)) if kind == Kind::Page => Some(id),
            _ => return Err(format!("unexpected `{extra}` at the end of the line")),
        },
        _ => unreachable!("at most one field after the sketch"),
    };
    let entry = Entry {
        kind,
        fingerprint: Fingerprint { hash, sketch },
        intercom,
        line: 0,
    };
    Ok(((address, fragment), entry))
}

fn parse_sketch(s: &str) -> Option<Vec<u32>> {
    if s == "-" {
        return Some(Vec::new());
    }
    if s.is_empty() || !s.len().is_multiple_of(8) || !s.is_ascii() {
        return None;
    }
    let hashes: Option<Vec<u32>> = (0..s.len())
        .step_by(8)
        .map(|i| u32::from_str_radix(&s[i..i + 8], 16).ok())
        .collect();
    hashes.filter(|h| h.len() <= super::fingerprint::SKETCH && h.windows(2).all(|w| w[0] < w[1]))
}

/// Percent-encodes what would break a line: `%`, `#`, spaces and control characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || c == '#' || c.is_whitespace() || c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, name: &str, intercom: Option<u64>) -> Entry {
        Entry {
            kind,
            fingerprint: Fingerprint::of(name, ""),
            intercom,
            line: 0,
        }
    }

    fn sample() -> Record {
        let mut r = Record::default();
        // Inserted out of order: the text is sorted all the same.
        let key = |a: &str, f: &str| (a.to_string(), f.to_string());
        r.entries.insert(
            key("guide/b.html", "step-1"),
            entry(Kind::Step, "Tap Save", None),
        );
        r.entries.insert(
            key("guide/a b%#.html", ""),
            entry(Kind::Page, "A", Some(42)),
        );
        r.entries
            .insert(key("guide/b.html", ""), entry(Kind::Page, "", None));
        r.entries.insert(
            key("guide/a b%#.html", "set-up"),
            entry(Kind::Section, "Set up", None),
        );
        r.entries.insert(
            key("guide/b.html", "mobile"),
            entry(Kind::Option, "Mobile", None),
        );
        r
    }

    #[test]
    fn the_text_is_sorted_one_line_per_anchor() {
        let text = sample().render();
        let lines: Vec<&str> = text.lines().skip(2).collect();
        let fp = |s: &str| Fingerprint::of(s, "");
        let hex = |f: &Fingerprint| {
            let sketch: String = f.sketch.iter().map(|h| format!("{h:08x}")).collect();
            format!(
                "{:016x} {}",
                f.hash,
                if sketch.is_empty() {
                    "-".into()
                } else {
                    sketch
                }
            )
        };
        assert_eq!(
            lines,
            [
                format!("guide/a%20b%25%23.html page {} intercom=42", hex(&fp("A"))),
                format!(
                    "guide/a%20b%25%23.html#set-up section {}",
                    hex(&fp("Set up"))
                ),
                format!("guide/b.html page {}", hex(&fp(""))),
                format!("guide/b.html#mobile option {}", hex(&fp("Mobile"))),
                format!("guide/b.html#step-1 step {}", hex(&fp("Tap Save"))),
            ]
        );
        assert!(text.starts_with("# Every address and fragment"));
    }

    #[test]
    fn reading_the_text_gives_the_record_back() {
        let record = sample();
        let text = record.render();
        let (back, bad) = Record::parse(&text);
        assert_eq!(bad, []);
        let strip = |r: &Record| -> Vec<(Key, Entry)> {
            r.entries
                .iter()
                .map(|(k, e)| {
                    (
                        k.clone(),
                        Entry {
                            line: 0,
                            ..e.clone()
                        },
                    )
                })
                .collect()
        };
        assert_eq!(strip(&back), strip(&record));
        // Written again, byte for byte the same.
        assert_eq!(back.render(), text);
        assert_eq!(
            back.entries[&("guide/b.html".to_string(), "step-1".to_string())].line,
            7
        );
    }

    #[test]
    fn lines_that_cannot_be_read_are_named() {
        let text = "# comment\n\
            a.html page 0123456789abcdef -\n\
            a.html#x step 0123456789abcdef - extra\n\
            a.html#y heading 0123456789abcdef -\n\
            a.html#z step 0123 -\n\
            a.html#w step 0123456789abcdef 0000000200000001\n\
            a.html step 0123456789abcdef -\n\
            a.html page 0123456789abcdef -\n\
            <<<<<<< HEAD\n";
        let (record, bad) = Record::parse(text);
        assert_eq!(record.entries.len(), 1);
        let got: Vec<String> = bad
            .iter()
            .map(|b| format!("{}: {}", b.line, b.why))
            .collect();
        assert_eq!(
            got,
            [
                "3: unexpected `extra` at the end of the line",
                "4: unknown kind `heading`: expected page, section, step or option",
                "5: the hash `0123` is not 16 hex digits",
                "6: the sketch `0000000200000001` is not `-` or groups of 8 hex digits, ascending",
                "7: a page has no fragment, and every other anchor has one",
                "8: `a.html` is recorded twice",
                "9: expected `address[#fragment] kind hash sketch`, found 2 fields",
            ]
        );
    }
}
