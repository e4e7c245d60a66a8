//! An article's entry in a bucket: what results and snippets show, as compact JSON
//! (`docs/search-index.md`): `{"t":title,"u":url,"c":crumb,"d":description,"x":intro,
//! "n":units}`, each unit `[kind, id, parent, label, text]`.
//!
//! Written by hand rather than through serde, byte for byte as `serde_json` writes it (its
//! string escapes, its numbers): the index counts every article's entry once to cut the
//! buckets ([`record_len`]) and writes it again when its bucket is made ([`write_record`]),
//! and both walk the same code, so the count is the length written.

use super::Doc;
use crate::markdown::outline::{Kind, Unit};

/// Where an entry goes: a buffer, or a count of its bytes.
trait Out {
    /// Bytes that need no escape.
    fn raw(&mut self, bytes: &[u8]);
    /// A JSON string made of `parts`, one after another, escaped.
    fn string(&mut self, parts: &[&str]);
    fn number(&mut self, n: u64);
}

impl Out for Vec<u8> {
    fn raw(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn string(&mut self, parts: &[&str]) {
        self.push(b'"');
        for part in parts {
            escape_into(self, part.as_bytes());
        }
        self.push(b'"');
    }

    fn number(&mut self, n: u64) {
        self.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }
}

/// A count of the bytes written.
struct Count(usize);

impl Out for Count {
    fn raw(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }

    fn string(&mut self, parts: &[&str]) {
        self.0 += 2;
        for part in parts {
            let mut rest = part.as_bytes();
            self.0 += rest.len();
            loop {
                let plain = plain_run(rest);
                let Some(&b) = rest.get(plain) else {
                    break;
                };
                self.0 += EXTRA[b as usize] as usize;
                rest = &rest[plain + 1..];
            }
        }
    }

    fn number(&mut self, n: u64) {
        self.0 += n.checked_ilog10().map_or(1, |d| d as usize + 1);
    }
}

/// How many bytes escaping adds to each byte, as `serde_json` escapes: `\"`, `\\` and the
/// short escapes of `\b`, `\t`, `\n`, `\f`, `\r` add one, the other control characters
/// (`\u00XX`) five; every other byte is written as it is.
const EXTRA: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = match b {
            0x08 | 0x09 | 0x0a | 0x0c | 0x0d => 1,
            _ => 5,
        };
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 1;
    t
};

/// How many bytes at the start of `bytes` need no escape, looked at eight at a time.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Whether a byte of `x` is below `n` (at most 0x80): exact as a whole, though not byte
    // by byte.
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * n as u64) & !x & HIGHS;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if below(x, 0x20) | below(x ^ (ONES * b'"' as u64), 1) | below(x ^ (ONES * b'\\' as u64), 1)
            != 0
        {
            break;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| EXTRA[b as usize] != 0)
        .unwrap_or(bytes.len() - at)
}

/// `bytes` escaped into `out`: runs that need no escape are copied whole.
fn escape_into(out: &mut Vec<u8>, mut bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    loop {
        let plain = plain_run(bytes);
        out.extend_from_slice(&bytes[..plain]);
        let Some(&b) = bytes.get(plain) else {
            return;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 15) as usize],
            ]),
        }
        bytes = &bytes[plain + 1..];
    }
}

/// The article's entry in a bucket, appended to `out`.
pub fn write_record(a: &Doc, out: &mut Vec<u8>) {
    record(a, out);
}

/// The length of the article's entry in a bucket ([`write_record`]), counted as it is
/// written, with nothing kept.
pub fn record_len(a: &Doc) -> usize {
    let mut count = Count(0);
    record(a, &mut count);
    count.0
}

fn record(a: &Doc, out: &mut impl Out) {
    out.raw(b"{\"t\":");
    out.string(&[&a.title]);
    out.raw(b",\"u\":");
    out.string(&[&a.url]);
    out.raw(b",\"c\":");
    out.string(&[&a.crumb]);
    out.raw(b",\"d\":");
    out.string(&[a.description.as_deref().unwrap_or_default()]);
    out.raw(b",\"x\":");
    out.string(&[&a.outline.intro]);
    out.raw(b",\"n\":[");
    let units = &a.outline.units;
    for (i, u) in units.iter().enumerate() {
        out.raw(if i == 0 { b"[" } else { b",[" });
        unit(units, u, out);
        out.raw(b"]");
    }
    out.raw(b"]}");
}

/// A unit as an entry lists it: `kind,id,parent,label,text`, its id short
/// ([`short_id`]), its parent as one more than its index (0: the article), its label a
/// step's number.
fn unit(units: &[Unit], u: &Unit, out: &mut impl Out) {
    let kind: &[u8] = match u.kind {
        Kind::Section => b"0,",
        Kind::Step => b"1,",
        Kind::Option => b"2,",
    };
    out.raw(kind);
    let parent = u.parent.map(|p| units[p].id.as_str()).unwrap_or("");
    out.string(&short_id(&u.id, parent));
    out.raw(b",");
    out.number(u.parent.map_or(0, |p| p as u64 + 1));
    out.raw(b",");
    match u.kind {
        Kind::Step => out.number(u.number),
        Kind::Section | Kind::Option => out.string(&[&u.label]),
    }
    out.raw(b",");
    out.string(&[&u.text]);
}

/// A unit's id as stored, from its parent's, in parts: `+rest` for the parent's id, `-` and
/// `rest`; `=id` for an id that starts with `+` or `=`; the id itself otherwise.
fn short_id<'a>(id: &'a str, parent: &str) -> [&'a str; 2] {
    if !parent.is_empty()
        && let Some(rest) = id.strip_prefix(parent).and_then(|r| r.strip_prefix('-'))
    {
        return ["+", rest];
    }
    if id.starts_with(['+', '=']) {
        return ["=", id];
    }
    ["", id]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry as `serde_json` writes it, from the same parts: what the hand-written one
    /// must equal.
    fn with_serde(a: &Doc) -> String {
        #[derive(serde::Serialize)]
        #[serde(untagged)]
        enum Label<'a> {
            Text(&'a str),
            Number(u64),
        }
        let units = &a.outline.units;
        let n: Vec<_> = units
            .iter()
            .map(|u| {
                let parent = u.parent.map(|p| units[p].id.as_str()).unwrap_or("");
                let (kind, label) = match u.kind {
                    Kind::Section => (0, Label::Text(&u.label)),
                    Kind::Step => (1, Label::Number(u.number)),
                    Kind::Option => (2, Label::Text(&u.label)),
                };
                let id = short_id(&u.id, parent).concat();
                (
                    kind,
                    id,
                    u.parent.map_or(0, |p| p + 1),
                    label,
                    u.text.as_str(),
                )
            })
            .collect();
        #[derive(serde::Serialize)]
        struct Record<'a, N> {
            t: &'a str,
            u: &'a str,
            c: &'a str,
            d: &'a str,
            x: &'a str,
            n: N,
        }
        let record = Record {
            t: &a.title,
            u: &a.url,
            c: &a.crumb,
            d: a.description.as_deref().unwrap_or_default(),
            x: &a.outline.intro,
            n,
        };
        serde_json::to_string(&record).unwrap()
    }

    fn unit(kind: Kind, id: &str, parent: Option<usize>, label: &str, number: u64) -> Unit {
        Unit {
            kind,
            id: id.into(),
            parent,
            label: label.into(),
            number,
            text: format!("Text of {id}: \"quoted\" \\ back\tslash\u{1}\u{7f} é 東京 </script>"),
        }
    }

    #[test]
    fn entries_are_written_as_serde_json_writes_them_and_counted_as_written() {
        let every_byte: String = (0u8..128).map(char::from).collect();
        let units = vec![
            unit(Kind::Section, "set-up", None, "Set \"up\"\n", 0),
            unit(Kind::Step, "set-up-step-1", Some(0), "", 1),
            unit(Kind::Step, "set-up-step-1-2", Some(1), "", 12_345_678_901),
            unit(Kind::Option, "+odd", Some(0), "On\r\u{8}\u{c}", 0),
            unit(Kind::Option, "=odd", None, "", 0),
            unit(Kind::Section, "", None, &every_byte, 0),
            unit(Kind::Step, "x-step-10", None, "", 10),
        ];
        let outline = crate::markdown::outline::Outline {
            intro: every_byte.clone(),
            units,
        };
        for (description, units) in [(None, 0), (Some("A <b>\u{0}</b>"), 7)] {
            let mut outline = outline.clone();
            outline.units.truncate(units);
            let doc = Doc {
                title: "Café \"title\"".into(),
                url: "a/b%20c.html".into(),
                crumb: "Guide › Setup".into(),
                description: description.map(str::to_string),
                tags: Vec::new(),
                outline: crate::lazy::Lazy::new(outline),
            };
            let mut out = Vec::new();
            write_record(&doc, &mut out);
            let written = String::from_utf8(out).unwrap();
            assert_eq!(written, with_serde(&doc));
            assert_eq!(record_len(&doc), written.len());
        }
    }

    #[test]
    fn strings_are_escaped_wherever_the_byte_to_escape_stands() {
        for special in [
            "\"", "\\", "\n", "\u{1f}", "\u{0}", "é", "\u{7f}", " ", "!", "#", "[", "]",
        ] {
            for before in 0..18 {
                for after in [0, 1, 7, 8, 9] {
                    let text = format!("{}{special}{}", "a".repeat(before), "b".repeat(after));
                    let mut out = Vec::new();
                    out.string(&[&text, &text]);
                    let mut count = Count(0);
                    count.string(&[&text, &text]);
                    let want = serde_json::to_string(&format!("{text}{text}")).unwrap();
                    assert_eq!(String::from_utf8(out).unwrap(), want);
                    assert_eq!(count.0, want.len());
                }
            }
        }
    }

    #[test]
    fn ids_are_stored_after_their_parents() {
        let short = |id, parent| short_id(id, parent).concat();
        assert_eq!(short("set-up-step-1", "set-up"), "+step-1");
        assert_eq!(short("set-up-step-1-2", "set-up-step-1"), "+2");
        assert_eq!(short("mine", "set-up"), "mine");
        assert_eq!(short("set-upx", "set-up"), "set-upx");
        assert_eq!(short("+odd", ""), "=+odd");
        assert_eq!(short("=odd", "x"), "==odd");
        assert_eq!(short("set-up", ""), "set-up");
    }
}
