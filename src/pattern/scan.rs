//! Raw JSON text scanned for structure, without parsing and without recursion: where a
//! value ends, and where the values of an object's chosen members are. The one home of
//! this scan: `gsl replay`'s reader finds records and their few read fields with it,
//! and the matcher's prefilter ([`super::prefilter`]) finds the values its literals
//! must be in.
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
    // Most strings of an event are short: eight bytes at a time (a word's bytes that
    // are a quote or a backslash, found with integer arithmetic) costs less than a
    // vectorised search's setup; what is still open after 64 bytes is searched.
    let mut i = q + 1;
    let near = b.len().min(i + 64);
    while i < near {
        let Some(word) = b.get(i..i + 8) else {
            match b[i] {
                b'"' => return Ok(i + 1),
                b'\\' => i += 2,
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
            return Ok(i + 1);
        }
        i += 2;
    }
    while i < b.len() {
        i += memchr::memchr2(b'"', b'\\', &b[i..]).ok_or(ScanError::Truncated)?;
        if b[i] == b'"' {
            return Ok(i + 1);
        }
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
    members(b, i, &|_| None, &mut |_, _, _| {})
}

/// The end (exclusive) of the JSON value starting at byte `i`; when it is an object,
/// `slot` names the members wanted (`Some(slot)` for a key's raw text between its
/// quotes, escapes as written) and `found(slot, start, end)` is called with the extent
/// of each wanted member's value, in order (a key written twice is found twice).
pub(crate) fn members(
    b: &[u8],
    i: usize,
    slot: &dyn Fn(&[u8]) -> Option<usize>,
    found: &mut dyn FnMut(usize, usize, usize),
) -> Result<usize, ScanError> {
    let first = *b.get(i).ok_or(ScanError::Truncated)?;
    match first {
        b'"' => return string_end(b, i),
        b'{' | b'[' => {}
        b'}' | b']' | b',' | b':' => return Err(ScanError::Unexpected(i)),
        _ => {
            // A number, `true`, `false`, `null`: up to the next delimiter.
            return b[i..]
                .iter()
                .position(|&c| matches!(c, b',' | b']' | b'}') || is_space(c))
                .map(|p| i + p)
                .ok_or(ScanError::Truncated);
        }
    }
    let object = first == b'{';
    let mut depth = 0usize;
    let mut pos = i;
    // One pass over the bytes: the gaps between strings are short (`":`, `,{`), so a
    // plain loop beats searching for the next quote.
    while pos < b.len() {
        match b[pos] {
            b'"' => {
                let q = pos;
                let end = string_end(b, q)?;
                pos = end;
                if object && depth == 1 {
                    // A key of the object when a `:` follows.
                    let k = skip_space(b, end);
                    if b.get(k) == Some(&b':') {
                        pos = k + 1;
                        if let Some(s) = slot(&b[q + 1..end - 1]) {
                            let v = skip_space(b, k + 1);
                            let ve = value_end(b, v)?;
                            found(s, v, ve);
                            pos = ve;
                        }
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str, keys: &[&str]) -> Result<(usize, Vec<(usize, String)>), ScanError> {
        let mut out = Vec::new();
        let end = members(
            text.as_bytes(),
            0,
            &|k| keys.iter().position(|x| x.as_bytes() == k),
            &mut |s, a, b| out.push((s, text[a..b].to_string())),
        )?;
        Ok((end, out))
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
