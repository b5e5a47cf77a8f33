//! CloudTrail log files as CloudTrail delivers them: `*.json.gz` (gzip, each
//! `{"Records": [...]}`), plain `.json` in the same form, and JSON lines (a CloudWatch
//! Logs export: one event a line, an optional timestamp before it), from files and
//! directories (recursively, in path order). The one home for reading log files:
//! `gsl replay` (from disk or S3, see [`super::input`]) and `gsl pattern test` both
//! read through [`read_stream`].
//!
//! Records are not parsed here: a structural scan (strings and brackets, without
//! recursion, so any nesting depth is safe) finds where each record starts and ends,
//! and picks up the few top-level strings a replay needs of every record
//! ([`Field`]). The matcher parses a record only when some pattern could match it.
//! A record is therefore checked for structure (balanced brackets, closed strings),
//! not for full JSON syntax, until something parses it.
//!
//! Input that cannot be read never stops a replay: a corrupt gzip member, a truncated
//! file, a record that is not an object are each a [`Skipped`] naming the file and the
//! offset or record position.

use flate2::read::MultiGzDecoder;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::pattern::scan::{self, ScanError};

/// The most one file may hold once decompressed, by default (a gzip bomb is refused
/// past it): see [`Limits`].
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// How much of a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most one file may hold once decompressed; a larger file is refused whole.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: MAX_FILE_BYTES,
        }
    }
}

/// Input passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The file.
    pub file: String,
    /// Where in it: `byte N` (of the decompressed text), `record N`, `line N`.
    pub at: String,
    /// Why.
    pub why: String,
}

/// A record's position in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The Nth element of a `Records` array (1-based).
    Record(usize),
    /// The Nth line of a JSON-lines file (1-based).
    Line(usize),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Record(n) => write!(f, "record {n}"),
            At::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// Where a record was read: the file and its position (`record 3`, `line 12`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// The file.
    pub file: &'a str,
    /// The record's position in it.
    pub at: At,
}

/// The top-level properties of every record that the scan picks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `recipientAccountId`.
    Account,
    /// `awsRegion`.
    Region,
    /// `eventTime`.
    Time,
    /// `eventName`.
    Name,
    /// `Records` (a document of records, in a JSON-lines file or alone).
    Records,
}

const FIELDS: [&[u8]; 5] = [
    b"recipientAccountId",
    b"awsRegion",
    b"eventTime",
    b"eventName",
    b"Records",
];

/// Where each of [`FIELDS`] is (the value's byte range), when present.
type Spans = [Option<(usize, usize)>; 5];

/// One record as read: its text, and where its [`Field`]s are in it.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The record's JSON text (an object).
    pub text: &'a str,
    spans: Spans,
}

/// A record kept past its file's text (a matched record, tallied later).
#[derive(Debug, Clone)]
pub struct OwnedRecord {
    text: String,
    spans: Spans,
}

impl OwnedRecord {
    /// The record, as read.
    pub fn record(&self) -> Record<'_> {
        Record {
            text: &self.text,
            spans: self.spans,
        }
    }
}

impl<'a> Record<'a> {
    /// The record with its own copy of the text.
    pub fn to_owned_record(&self) -> OwnedRecord {
        OwnedRecord {
            text: self.text.to_string(),
            spans: self.spans,
        }
    }

    /// A top-level string property of the record (unescaped); `None` when absent or
    /// not a string.
    pub fn get(&self, f: Field) -> Option<Cow<'a, str>> {
        let (s, e) = self.spans[f as usize]?;
        let raw = self.text.get(s..e)?;
        let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
        if inner.contains('\\') {
            serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(inner))
        }
    }
}

/// The log files under `paths` (a file stands for itself), sorted, without repeats.
pub fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            for e in entries {
                walk(&e, out);
            }
        } else {
            let name = p.to_string_lossy().to_lowercase();
            if [".json", ".json.gz", ".gz", ".jsonl", ".ndjson", ".log"]
                .iter()
                .any(|s| name.ends_with(s))
            {
                out.push(p.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
        } else {
            walk(p, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Read one log file's bytes from `input` (gzipped when `gz`), named `file` in what
/// is skipped.
pub fn read_stream(
    input: impl Read,
    gz: bool,
    file: &str,
    limits: Limits,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>),
    skip: &mut dyn FnMut(Skipped),
) {
    let Some((bytes, cut)) = inflate(input, gz, file, limits, skip) else {
        return;
    };
    let text = text_of(&bytes);
    read_text(&text, file, cut, record, skip);
}

/// The whole text of `input` (gunzipped when `gz`), within the limit; `None` (said)
/// when over it. The flag: the text ends early (a gzip error, said).
fn inflate(
    input: impl Read,
    gz: bool,
    file: &str,
    limits: Limits,
    skip: &mut dyn FnMut(Skipped),
) -> Option<(Vec<u8>, bool)> {
    let skipped = |at: String, why: String| Skipped {
        file: file.to_string(),
        at,
        why,
    };
    let max = limits.max_file_bytes;
    let mut bytes = Vec::new();
    let read = if gz {
        MultiGzDecoder::new(input)
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
    } else {
        input.take(max.saturating_add(1)).read_to_end(&mut bytes)
    };
    if bytes.len() as u64 > max {
        skip(skipped(
            format!("byte {max}"),
            format!("more than {max} bytes once decompressed (a gzip bomb?): the file is not read"),
        ));
        return None;
    }
    if let Err(e) = &read {
        // What was inflated before the corruption is still read.
        skip(skipped(
            format!("byte {}", bytes.len()),
            format!("cannot read{}: {e}", if gz { " (gzip)" } else { "" }),
        ));
    }
    Some((bytes, read.is_err()))
}

/// A file's bytes as text: as they are when they are UTF-8 (checked by the standard
/// library's validation, many bytes at a time), else with U+FFFD for each invalid
/// sequence (`from_utf8_lossy` checks a byte at a time: a tenth of a replay's time).
fn text_of(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The events of `input` for `gsl pattern test` (gzip recognised by its magic bytes):
/// a CloudTrail document's records (`{"Records": [...]}`), else each non-empty line as
/// it is (any text: unstructured and space-delimited patterns test lines too). A line
/// that is not UTF-8 is skipped and named.
pub fn read_events(
    input: &[u8],
    file: &str,
    limits: Limits,
    event: &mut dyn FnMut(&str),
    skip: &mut dyn FnMut(Skipped),
) {
    let gz = input.starts_with(&[0x1f, 0x8b]);
    let Some((bytes, cut)) = inflate(input, gz, file, limits, skip) else {
        return;
    };
    let text = text_of(&bytes);
    let trimmed = text.trim_start();
    let document = records_array(trimmed).is_some()
        || (trimmed.starts_with('{')
            && scan_value(text.as_bytes(), text.len() - trimmed.len(), true).is_ok_and(
                |(end, spans)| {
                    text[end..].trim().is_empty() && spans[Field::Records as usize].is_some()
                },
            ));
    if document {
        return read_text(&text, file, cut, &mut |r, _| event(r.text), skip);
    }
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match std::str::from_utf8(raw) {
            Ok("") => {}
            Ok(line) => event(line),
            Err(e) => skip(Skipped {
                file: file.to_string(),
                at: At::Line(i + 1).to_string(),
                why: format!(
                    "the event is not UTF-8 (invalid byte at column {})",
                    e.valid_up_to() + 1
                ),
            }),
        }
    }
}

/// The records of a file's whole text. `cut`: the text is known to end early (said
/// once already).
fn read_text(
    text: &str,
    file: &str,
    cut: bool,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>),
    skip: &mut dyn FnMut(Skipped),
) {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    if let Some(rest) = records_array(trimmed) {
        // CloudTrail's own form, read record by record: a file cut short still gives
        // every record before the cut.
        let start = text.len() - rest.len();
        return walk_records(text, start, file, cut, None, record, skip);
    }
    if trimmed.starts_with('{') {
        // One document (`{"Records": [...]}` in another layout, or one event), or
        // JSON lines whose first line is an object.
        if let Ok((end, spans)) = scan_value(text.as_bytes(), lead, true) {
            if text[end..].trim().is_empty() {
                return document(text, lead, end, spans, file, 0, record, skip);
            }
        }
    }
    for (i, line) in text.split('\n').enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let base = line.as_ptr() as usize - text.as_ptr() as usize;
        // A CloudWatch Logs export puts the timestamp before the event.
        let Some(open) = line.find('{') else {
            skip(Skipped {
                file: file.to_string(),
                at: At::Line(n).to_string(),
                why: "not a JSON object".into(),
            });
            continue;
        };
        // The line alone: an object left open does not run into the next line.
        match scan_value(&text.as_bytes()[..base + line.len()], base + open, true) {
            Ok((end, spans))
                if end <= base + line.len() && text[end..base + line.len()].trim().is_empty() =>
            {
                document(text, base + open, end, spans, file, n, record, skip)
            }
            Ok(_) => skip(Skipped {
                file: file.to_string(),
                at: At::Line(n).to_string(),
                why: "not JSON: characters after the object".into(),
            }),
            Err(e) => skip(Skipped {
                file: file.to_string(),
                at: At::Line(n).to_string(),
                why: format!("not JSON: {e}"),
            }),
        }
    }
}

/// One object of `text[start..end]`: a `{"Records": [...]}` document's records, or
/// one event. `line`: its line (0: the file is one document).
#[allow(clippy::too_many_arguments)]
fn document(
    text: &str,
    start: usize,
    end: usize,
    spans: Spans,
    file: &str,
    line: usize,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>),
    skip: &mut dyn FnMut(Skipped),
) {
    if let Some((s, _)) = spans[Field::Records as usize] {
        if text.as_bytes().get(s) == Some(&b'[') {
            return walk_records(
                text,
                s + 1,
                file,
                false,
                (line > 0).then_some(line),
                record,
                skip,
            );
        }
    }
    let at = if line > 0 {
        At::Line(line)
    } else {
        At::Record(1)
    };
    record(
        &Record {
            text: &text[start..end],
            spans: relative(spans, start),
        },
        Origin { file, at },
    );
}

fn relative(spans: Spans, start: usize) -> Spans {
    spans.map(|s| s.map(|(a, b)| (a - start, b - start)))
}

/// The text after `{"Records": [` when `text` starts so (whitespace allowed).
fn records_array(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"Records\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    rest.strip_prefix('[')
}

/// The elements of a `Records` array from byte `start` (just after its `[`), one at
/// a time. `cut`: the file is already known to end early (said once). `line`: the
/// line of a JSON-lines file the array is on.
fn walk_records(
    text: &str,
    start: usize,
    file: &str,
    cut: bool,
    line: Option<usize>,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>),
    skip: &mut dyn FnMut(Skipped),
) {
    let b = text.as_bytes();
    let mut pos = start;
    let mut n = 0usize;
    let at = |n: usize| match line {
        Some(l) => At::Line(l),
        None => At::Record(n),
    };
    loop {
        while pos < b.len() && matches!(b[pos], b' ' | b'\n' | b'\r' | b'\t' | b',') {
            pos += 1;
        }
        if pos >= b.len() {
            if !cut {
                skip(Skipped {
                    file: file.to_string(),
                    at: format!("byte {pos}"),
                    why: format!("the file ends after record {n}: truncated"),
                });
            }
            return;
        }
        if b[pos] == b']' {
            return;
        }
        n += 1;
        match scan_value(b, pos, true) {
            Ok((end, spans)) => {
                if b[pos] == b'{' {
                    record(
                        &Record {
                            text: &text[pos..end],
                            spans: relative(spans, pos),
                        },
                        Origin { file, at: at(n) },
                    );
                } else {
                    skip(Skipped {
                        file: file.to_string(),
                        at: at(n).to_string(),
                        why: "a record that is not a JSON object".into(),
                    });
                }
                pos = end;
            }
            Err(e) => {
                if !(cut && e == ScanError::Truncated) {
                    skip(Skipped {
                        file: file.to_string(),
                        at: format!("byte {pos}"),
                        why: format!(
                            "record {n} cannot be read ({e}): the rest of the file is not read"
                        ),
                    });
                }
                return;
            }
        }
    }
}

/// The end (exclusive) of the JSON value starting at byte `i`, and, when it is an
/// object and `capture`, where the values of its top-level [`FIELDS`] are.
fn scan_value(b: &[u8], i: usize, capture: bool) -> Result<(usize, Spans), ScanError> {
    let mut spans = [None; 5];
    if !capture {
        return scan::value_end(b, i).map(|e| (e, spans));
    }
    let end = scan::members(
        b,
        i,
        &|key| FIELDS.iter().position(|f| *f == key),
        &mut |f, s, e| spans[f] = Some((s, e)),
    )?;
    Ok((end, spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each record's text, position and event name; what was skipped.
    type Read = (Vec<(String, String, Option<String>)>, Vec<Skipped>);

    fn read(text: &str) -> Read {
        let mut records = Vec::new();
        let mut skipped = Vec::new();
        read_text(
            text,
            "f",
            false,
            &mut |r, o| {
                records.push((
                    r.text.to_string(),
                    o.at.to_string(),
                    r.get(Field::Name).map(Cow::into_owned),
                ))
            },
            &mut |s| skipped.push(s),
        );
        (records, skipped)
    }

    #[test]
    fn records_are_found_by_structure_and_fields_picked_up() {
        let (r, s) = read(
            r#"{"Records": [{"eventName":"A","x":{"eventName":"nested"}}, {"x":"}\"{","eventName":"B\"q"} ,{"y":[1,{"z":"]"}]}]}"#,
        );
        assert!(s.is_empty(), "{s:?}");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].2.as_deref(), Some("A"));
        assert_eq!(r[1].0, r#"{"x":"}\"{","eventName":"B\"q"}"#);
        assert_eq!(r[1].2.as_deref(), Some("B\"q"));
        assert_eq!((r[2].1.as_str(), r[2].2.as_deref()), ("record 3", None));
    }

    #[test]
    fn lines_documents_and_damage() {
        let (r, s) = read("2026-11-02T12:00:00Z {\"eventName\":\"A\"}\nnot json\n[1]\n{\"a\":\n{\"Records\":[{\"eventName\":\"B\"}]}\n");
        assert_eq!(
            r.iter()
                .map(|x| (x.1.as_str(), x.2.as_deref()))
                .collect::<Vec<_>>(),
            [("line 1", Some("A")), ("line 5", Some("B"))]
        );
        assert_eq!(
            s.iter().map(|x| x.at.as_str()).collect::<Vec<_>>(),
            ["line 2", "line 3", "line 4"]
        );
        let (r, s) = read(r#"{"Records":[{"a":1},2,{"b":"#);
        assert_eq!(r.len(), 1);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].at, "record 2");
        let (r, _) = read(r#"{"other":1,"Records":[{"a":1},{"b":2}]}"#);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn deep_nesting_is_scanned_without_recursion() {
        let deep = format!(
            "{{\"Records\":[{{\"a\":{}{}}}]}}",
            "[".repeat(1_000_000),
            "]".repeat(1_000_000)
        );
        let (r, s) = read(&deep);
        assert!(s.is_empty());
        assert_eq!(r.len(), 1);
    }
}
