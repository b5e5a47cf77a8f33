//! Raw JSON text scanned for structure, without parsing and without recursion: where a
//! value ends, and where the values of an object's chosen members are, at any depth,
//! in one pass ([`walk`]). The one home of this scan: `gsl replay`'s reader finds
//! records and their few read fields with it, and the matcher's prefilter
//! ([`super::prefilter`]) finds the values its literals must be in, in the same walk
//! of each record ([`RecordScan`]); the snapshot loader finds where an invalid value
//! is, to point at it (`crate::entity::load`).
//!
//! The scan checks structure (balanced brackets, closed strings), not full JSON
//! syntax: on valid JSON its answers are exact, and text that is not valid JSON is
//! left for the parser to refuse. Any depth of nesting is scanned in constant stack.

use std::fmt;

/// Why a value's extent cannot be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// The text ends inside it.
    Truncated,
    /// A closing bracket with nothing open, or a character no value starts with.
    Unexpected(usize),
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::Truncated => f.write_str("the text ends inside it"),
            ScanError::Unexpected(at) => write!(f, "unexpected character at byte {at}"),
        }
    }
}

/// The end (exclusive) of the string whose opening quote is at `q`.
pub(crate) fn string_end(b: &[u8], q: usize) -> Result<usize, ScanError> {
    string(b, q).map(|(end, _)| end)
}

/// The end (exclusive) of the string whose opening quote is at `q`, and whether it has
/// an escape.
#[inline(always)]
fn string(b: &[u8], q: usize) -> Result<(usize, bool), ScanError> {
    let mut escaped = false;
    // Most strings of an event are short: eight bytes at a time (a word's bytes that
    // are a quote or a backslash, found with integer arithmetic) costs less than a
    // vectorised search's setup; what is still open after 64 bytes is searched.
    let mut i = q + 1;
    let near = b.len().min(i + 64);
    while i < near {
        let Some(word) = b.get(i..i + 8) else {
            match b[i] {
                b'"' => return Ok((i + 1, escaped)),
                b'\\' => {
                    escaped = true;
                    i += 2
                }
                _ => i += 1,
            }
            continue;
        };
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        let m = bytes_equal(w, b'"') | bytes_equal(w, b'\\');
        if m == 0 {
            i += 8;
            continue;
        }
        // The lowest flagged byte is exact (the trick's false flags lie above a true one).
        i += (m.trailing_zeros() / 8) as usize;
        if b[i] == b'"' {
            return Ok((i + 1, escaped));
        }
        escaped = true;
        i += 2;
    }
    while i < b.len() {
        i += memchr::memchr2(b'"', b'\\', &b[i..]).ok_or(ScanError::Truncated)?;
        if b[i] == b'"' {
            return Ok((i + 1, escaped));
        }
        escaped = true;
        i += 2;
    }
    Err(ScanError::Truncated)
}

/// The high bit of each byte of `w` equal to `c` (and maybe of bytes above one).
fn bytes_equal(w: u64, c: u8) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w ^ (LO * u64::from(c));
    x.wrapping_sub(LO) & !x & HI
}

pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | b'\t')
}

/// The first byte at or after `i` that is not JSON whitespace.
pub(crate) fn skip_space(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_space(b[i]) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the JSON value starting at byte `i`.
pub(crate) fn value_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let first = *b.get(i).ok_or(ScanError::Truncated)?;
    match first {
        b'"' => return string_end(b, i),
        b'{' | b'[' => {}
        b'}' | b']' | b',' | b':' => return Err(ScanError::Unexpected(i)),
        _ => return scalar_end(b, i),
    }
    let mut depth = 0usize;
    let mut pos = i;
    // One pass over the bytes: the gaps between strings are short (`":`, `,{`), so a
    // plain loop beats searching for the next quote.
    while pos < b.len() {
        match b[pos] {
            b'"' => {
                pos = string_end(b, pos)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1).ok_or(ScanError::Unexpected(pos))?;
                if depth == 0 {
                    return Ok(pos + 1);
                }
            }
            _ => {}
        }
        pos += 1;
    }
    Err(ScanError::Truncated)
}

/// The end of a number, `true`, `false` or `null` at `i`: the next delimiter.
fn scalar_end(b: &[u8], i: usize) -> Result<usize, ScanError> {
    b[i..]
        .iter()
        .position(|&c| matches!(c, b',' | b']' | b'}') || is_space(c))
        .map(|p| i + p)
        .ok_or(ScanError::Truncated)
}

/// What a [`walk`] wants of an object member's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Nothing: it is scanned past.
    Skip,
    /// Its extent, told to [`Visitor::value`] with this id.
    Extent(u32),
    /// Its members too, when it is an object: each is asked of with this id as its
    /// frame, then its extent is told as for [`Want::Extent`].
    Enter(u32),
}

/// Who a [`walk`] asks about the members of the objects it is in, and tells where
/// the wanted values are.
pub(crate) trait Visitor {
    /// A member of an object entered as `frame`: `key` is its raw text between the
    /// quotes (escapes as written; `escaped`: it has one).
    fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> Want;
    /// A wanted value is `b[start..end]`, its id as [`Want`] gave it.
    fn value(&mut self, id: u32, start: usize, end: usize);
}

/// A walk of each record that a reader makes for someone else in its own pass over
/// the record (`gsl replay`: the matcher's literal search rides on the reader's walk,
/// so each record is scanned once). Ids and frames are its own; frame 0 is the record.
pub(crate) trait RecordScan {
    /// A record starts: `false` when none of its members is wanted (only
    /// [`RecordScan::end`] is then called).
    fn begin(&mut self) -> bool;
    /// As [`Visitor::key`].
    fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> Want;
    /// As [`Visitor::value`], with the text the positions are in.
    fn value(&mut self, text: &[u8], id: u32, start: usize, end: usize);
    /// The record is the object `text[start..end]`, walked whole.
    fn end(&mut self, text: &[u8], start: usize, end: usize);
}

/// A [`RecordScan`] that wants nothing.
pub(crate) struct NoScan;

impl RecordScan for NoScan {
    fn begin(&mut self) -> bool {
        false
    }
    fn key(&mut self, _: u32, _: &[u8], _: bool) -> Want {
        Want::Skip
    }
    fn value(&mut self, _: &[u8], _: u32, _: usize, _: usize) {}
    fn end(&mut self, _: &[u8], _: usize, _: usize) {}
}

/// An object a [`walk`] is in: the depth inside it, its id and where it starts.
pub(crate) type Frame = (usize, u32, usize);

/// The end (exclusive) of the JSON value starting at byte `i`, in one pass over its
/// bytes. When it is an object, `v` is asked of each of its members with `root` as
/// their frame, and of the members of the objects it asks to enter, at any depth
/// (`frames`: scratch space). A key written twice is asked of twice. The root object's
/// own extent is the result, not a [`Visitor::value`].
pub(crate) fn walk(
    b: &[u8],
    i: usize,
    root: u32,
    v: &mut dyn Visitor,
    frames: &mut Vec<Frame>,
) -> Result<usize, ScanError> {
    if b.get(i) != Some(&b'{') {
        return value_end(b, i);
    }
    frames.clear();
    frames.push((1, root, i));
    let mut depth = 1usize;
    let mut pos = i + 1;
    while pos < b.len() {
        match b[pos] {
            b'"' => {
                let q = pos;
                let (end, escaped) = string(b, q)?;
                pos = end;
                // A key of an entered object: a string right inside it, then `:`.
                let Some(&(d, frame, _)) = frames.last() else {
                    continue;
                };
                if d != depth {
                    continue;
                }
                let k = skip_space(b, end);
                if b.get(k) != Some(&b':') {
                    continue;
                }
                pos = k + 1;
                let (id, enter) = match v.key(frame, &b[q + 1..end - 1], escaped) {
                    Want::Skip => continue,
                    Want::Extent(id) => (id, false),
                    Want::Enter(id) => (id, true),
                };
                let s = skip_space(b, k + 1);
                if enter && b.get(s) == Some(&b'{') {
                    depth += 1;
                    frames.push((depth, id, s));
                    pos = s + 1;
                } else {
                    let e = value_end(b, s)?;
                    v.value(id, s, e);
                    pos = e;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if let Some(&(d, id, s)) = frames.last() {
                    if d == depth {
                        frames.pop();
                        if !frames.is_empty() {
                            v.value(id, s, pos + 1);
                        }
                    }
                }
                depth -= 1;
                if depth == 0 {
                    return Ok(pos + 1);
                }
            }
            _ => {}
        }
        pos += 1;
    }
    Err(ScanError::Truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of `paths` wanted (an entry `a.b` enters `a`), each found value with
    /// its path's index.
    struct Paths<'a>(&'a [&'a str], Vec<(usize, String)>, &'a str);

    impl Visitor for Paths<'_> {
        fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> Want {
            assert_eq!(escaped, key.contains(&b'\\'), "{key:?}");
            let prefix = if frame == u32::MAX {
                String::new()
            } else {
                format!("{}.", self.0[frame as usize])
            };
            let path = format!("{prefix}{}", String::from_utf8_lossy(key));
            let Some(i) = self.0.iter().position(|p| *p == path) else {
                return Want::Skip;
            };
            let deeper = format!("{path}.");
            if self.0.iter().any(|p| p.starts_with(&deeper)) {
                Want::Enter(i as u32)
            } else {
                Want::Extent(i as u32)
            }
        }
        fn value(&mut self, id: u32, start: usize, end: usize) {
            self.1.push((id as usize, self.2[start..end].to_string()));
        }
    }

    fn spans(text: &str, keys: &[&str]) -> Result<(usize, Vec<(usize, String)>), ScanError> {
        let mut v = Paths(keys, Vec::new(), text);
        let end = walk(text.as_bytes(), 0, u32::MAX, &mut v, &mut Vec::new())?;
        Ok((end, v.1))
    }

    #[test]
    fn members_are_found_at_the_top_level_only() {
        let t = r#"{"a": {"b": 1, "a": 2}, "b" : [1, {"a": 3}], "c": "x\"}", "a": true} tail"#;
        let (end, found) = spans(t, &["a", "b"]).expect("scans");
        assert_eq!(&t[end..], " tail");
        assert_eq!(
            found,
            [
                (0, r#"{"b": 1, "a": 2}"#.to_string()),
                (1, r#"[1, {"a": 3}]"#.to_string()),
                (0, "true".to_string())
            ]
        );
    }

    #[test]
    fn entered_objects_are_walked_in_the_same_pass() {
        let t = r#"{"a": {"b": {"c": 1, "d": [2]}, "c": 3}, "x": {"b": 4}, "a": {"b": 5}}"#;
        let (end, found) = spans(t, &["a", "a.b", "a.b.d"]).expect("scans");
        assert_eq!(end, t.len());
        assert_eq!(
            found,
            [
                (2, "[2]".to_string()),
                (1, r#"{"c": 1, "d": [2]}"#.to_string()),
                (0, r#"{"b": {"c": 1, "d": [2]}, "c": 3}"#.to_string()),
                (1, "5".to_string()),
                (0, r#"{"b": 5}"#.to_string()),
            ]
        );
        // A value asked to be entered that is not an object is told as it is.
        let (_, found) = spans(r#"{"a": [{"b": 1}], "b": 2}"#, &["a", "a.b"]).expect("scans");
        assert_eq!(found, [(0, r#"[{"b": 1}]"#.to_string())]);
    }

    #[test]
    fn extents_and_damage() {
        assert_eq!(value_end(br#""a\\" x"#, 0), Ok(5));
        // Quotes and backslashes at every offset of the eight-byte steps, and past them.
        for n in 0..80 {
            for tail in [r#"""#, r#"\"""#, r#"\\""#, r#"\"x""#] {
                let text = format!("\"{}{tail} rest", "a".repeat(n));
                let want = text.find(" rest").unwrap();
                assert_eq!(string_end(text.as_bytes(), 0), Ok(want), "{text}");
            }
            let open = format!("\"{}\\\"", "é".repeat(n));
            assert_eq!(
                string_end(open.as_bytes(), 0),
                Err(ScanError::Truncated),
                "{open}"
            );
        }
        assert_eq!(value_end(b"12, 3", 0), Ok(2));
        assert_eq!(value_end(b"[[]]]", 0), Ok(4));
        assert_eq!(value_end(b"{\"a\": [", 0), Err(ScanError::Truncated));
        assert_eq!(value_end(b"]", 0), Err(ScanError::Unexpected(0)));
        assert_eq!(value_end(b"\"abc", 0), Err(ScanError::Truncated));
        let deep = format!("{}{}", "[".repeat(1_000_000), "]".repeat(1_000_000));
        assert_eq!(value_end(deep.as_bytes(), 0), Ok(deep.len()));
    }
}
