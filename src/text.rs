//! Text helpers shared by every module: "did you mean" suggestions, clipping long
//! text for messages, percent-decoding. One home each, so every diagnostic suggests and
//! shortens the same way.

/// `%XX` sequences → bytes (a URL's or an IAM document's percent-encoding), the rest as it is; `None` when a sequence is malformed or
/// the result is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
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

/// The candidate closest to `word`, if one is close enough to be what was meant.
///
/// A candidate equal to `word` up to ASCII case (and `_` written for `-`) wins
/// outright. Otherwise candidates within a small edit distance (Damerau-Levenshtein
/// on the lower-cased words: none for words of up to two characters, which are too
/// ambiguous to guess from, one for three or four, two beyond) or with a Jaro-Winkler
/// similarity of at least 0.85 (a shared prefix: `isMultiRegion` for
/// `isMultiRegionTrail`) qualify, and the nearest by edit distance, then by
/// similarity, is returned. `word` itself, if it is a candidate, is returned as is.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if word.is_empty() {
        return None;
    }
    let normal = word.to_lowercase().replace('_', "-");
    let limit = match word.chars().count() {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, f64, &'c str)> = None;
    for c in candidates {
        if c == word {
            return Some(c);
        }
        let lower = c.to_lowercase();
        if lower.replace('_', "-") == normal {
            best = Some((0, 1.0, c));
            continue;
        }
        let jw = strsim::jaro_winkler(&normal, &lower);
        // The edit distance is at least the difference in length: past the limit, and
        // without a shared prefix, the candidate cannot qualify (and the distance,
        // which allocates, is not needed).
        let (n, m) = (lower.chars().count(), normal.chars().count());
        if jw < 0.85 && n.abs_diff(m) > limit {
            continue;
        }
        let d = strsim::damerau_levenshtein(&normal, &lower);
        let near = (d <= limit && d < c.chars().count().min(word.chars().count())) || jw >= 0.85;
        if near && best.is_none_or(|(bd, bj, _)| d < bd || (d == bd && jw > bj)) {
            best = Some((d, jw, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// "did you mean `x`?" for the [`closest`] candidate, if any.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// `s` cut to at most `max` characters, the last of which is `…` when it was cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Whether `c` is invisible or reorders the text around it when printed raw: NUL and the
/// other control characters (except tab and newline), the bidirectional controls
/// (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) and the zero-width characters
/// (U+200B–U+200D, U+2060, U+FEFF).
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{200b}'..='\u{200d}'
                | '\u{2060}'
                | '\u{feff}'
        )
}

/// `s` with every [`is_hidden`] character written as a visible escape (`\u{202e}`), so
/// messages and reports show what is there and cannot be reordered by it. Borrowed when
/// there is nothing to escape.
pub fn escape_hidden(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// [`escape_hidden`] for text that must stay on one line (an entity's name or id, an
/// account number in a header or a table cell): line breaks and tabs are escaped too
/// (`\u{a}`), so a value cannot start a line of its own in a report.
pub fn escape_line(s: &str) -> std::borrow::Cow<'_, str> {
    let breaks = |c: char| matches!(c, '\n' | '\t');
    if !s.chars().any(|c| is_hidden(c) || breaks(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if breaks(c) {
            push_escape(&mut out, c);
        } else {
            push_visible(&mut out, c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON text (as serde_json writes it) with every [`is_hidden`] character written as a
/// JSON escape (`\u202e`): the same data for a JSON reader, and nothing a terminal
/// showing the file would hide or reorder. serde_json already escapes the control
/// characters, and outside strings JSON text is ASCII, so only strings change.
pub fn escape_hidden_json(json: String) -> String {
    if !json.chars().any(is_hidden) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A writer of JSON text that does what [`escape_hidden_json`] does as the text goes
/// through, so a report can be streamed instead of built whole in memory. A character
/// cut between two writes is held until its last byte arrives.
pub struct HiddenJsonEscaper<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> HiddenJsonEscaper<W> {
    /// Escape what is written, into `inner`.
    pub fn new(inner: W) -> Self {
        HiddenJsonEscaper {
            inner,
            pending: Vec::new(),
        }
    }

    /// The writer, after the held bytes of an unfinished character (invalid UTF-8,
    /// which serde_json never writes) are passed through.
    pub fn into_inner(mut self) -> std::io::Result<W> {
        let rest = std::mem::take(&mut self.pending);
        self.inner.write_all(&rest)?;
        Ok(self.inner)
    }

    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        if !text.chars().any(is_hidden) {
            return self.inner.write_all(text.as_bytes());
        }
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if is_hidden(c) {
                self.inner.write_all(&text.as_bytes()[start..i])?;
                write!(self.inner, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[start..])
    }
}

impl<W: std::io::Write> std::io::Write for HiddenJsonEscaper<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let bytes: &[u8] = if self.pending.is_empty() {
            buf
        } else {
            let mut v = std::mem::take(&mut self.pending);
            v.extend_from_slice(buf);
            joined = v;
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => self.write_text(text)?,
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // The prefix was checked to be UTF-8.
                self.write_text(std::str::from_utf8(valid).unwrap_or_default())?;
                match e.error_len() {
                    // An unfinished character: hold it for the next write.
                    None => self.pending = rest.to_vec(),
                    // Not UTF-8: passed through as it is.
                    Some(_) => self.inner.write_all(rest)?,
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Append `c` to `out`, escaped if it [`is_hidden`].
pub fn push_visible(out: &mut String, c: char) {
    if is_hidden(c) {
        push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// Append `c` to `out` as a visible escape (`\u{202e}`).
fn push_escape(out: &mut String, c: char) {
    out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
}

/// `s` padded with spaces to `width` characters, like `{:<width$}` but without its limit
/// (format widths above 65535 panic) and never padding more than [`MAX_PAD`] columns.
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = String::with_capacity(s.len() + width.saturating_sub(n).min(MAX_PAD));
    out.push_str(s);
    out.extend(std::iter::repeat_n(
        ' ',
        width.min(MAX_PAD).saturating_sub(n),
    ));
    out
}

/// The widest column [`pad`] pads to: a longer cell is printed as is, unpadded.
pub const MAX_PAD: usize = 80;

/// `9990` → `9,990`: a count as the reports and the progress lines print it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_streaming_escaper_writes_what_the_whole_text_escape_writes() {
        use std::io::Write;
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "a": "plain",
            "b": "bidi \u{202e}txet\u{202c} and zero\u{200b}width",
            "c": "é ü 漢字 🙂",
        }))
        .unwrap();
        let whole = super::escape_hidden_json(json.clone());
        // Every way of cutting the text into writes, including inside a character.
        for step in 1..=7 {
            let mut w = super::HiddenJsonEscaper::new(Vec::new());
            for chunk in json.as_bytes().chunks(step) {
                w.write_all(chunk).unwrap();
            }
            let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
            assert_eq!(out, whole, "writes of {step} bytes");
        }
        assert!(whole.contains("\\u202e"), "{whole}");
    }

    #[test]
    fn thousands_are_grouped() {
        for (n, shown) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (3_127, "3,127"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(super::thousands(n), shown);
        }
    }

    use super::*;

    #[test]
    fn suggests_near_words_only() {
        let types = ["CloudTrail", "LogGroup", "SnsTopic"];
        assert_eq!(closest("CloudTrial", types), Some("CloudTrail"));
        assert_eq!(closest("cloudtrail", types), Some("CloudTrail"));
        assert_eq!(closest("Bucket", types), None);
        assert_eq!(closest("is", ["in", "on"]), None);
        assert_eq!(
            closest("contain_any", ["contain-any", "contain"]),
            Some("contain-any")
        );
        assert_eq!(
            closest("isMultiRegion", ["isMultiRegionTrail", "isLogging"]),
            Some("isMultiRegionTrail")
        );
        assert_eq!(
            did_you_mean("lenght", ["length"]).as_deref(),
            Some("did you mean `length`?")
        );
    }

    #[test]
    fn escapes_hidden_characters() {
        assert_eq!(escape_hidden("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape_hidden("a\0b"), "a\\u{0}b");
        assert_eq!(
            escape_hidden("x\u{202e}y\u{200b}z"),
            "x\\u{202e}y\\u{200b}z"
        );
        assert_eq!(escape_hidden("\u{feff}{"), "\\u{feff}{");
    }

    #[test]
    fn escapes_hidden_characters_in_json_without_changing_the_data() {
        let v = serde_json::json!({"name": "a\u{202e}b\u{1}c\u{feff}"});
        let text = escape_hidden_json(v.to_string());
        assert!(!text.chars().any(is_hidden), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }

    #[test]
    fn escapes_line_breaks_in_one_line_text() {
        assert_eq!(escape_line("trail-1"), "trail-1");
        assert_eq!(escape_line("1111\n2222\tx"), "1111\\u{a}2222\\u{9}x");
        assert_eq!(escape_line("a\x1b[2J\u{202e}b"), "a\\u{1b}[2J\\u{202e}b");
    }

    #[test]
    fn pads_without_format_limits() {
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("abcdef", 4), "abcdef");
        let long = "x".repeat(70_000);
        assert_eq!(pad(&long, 70_000), long);
        assert_eq!(pad("a", 100_000).len(), MAX_PAD);
    }

    #[test]
    fn clips_by_characters() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("ééééé", 3), "éé…");
    }
}
