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

use crate::pattern::scan::{self, Frame, NoScan, RecordScan, ScanError, Want};

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
    read_stream_with(
        input,
        gz,
        file,
        limits,
        &mut NoScan,
        &mut |r, o, _| record(r, o),
        skip,
    );
}

/// [`read_stream`], with `scan` carried along the reader's own walk of each record
/// (the matcher's literal search), so each record is scanned once; `record` is handed
/// `scan` with the record it has just walked.
pub(crate) fn read_stream_with<X: RecordScan + ?Sized>(
    input: impl Read,
    gz: bool,
    file: &str,
    limits: Limits,
    scan: &mut X,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>, &mut X),
    skip: &mut dyn FnMut(Skipped),
) {
    let Some((bytes, cut)) = inflate(input, gz, file, limits, skip) else {
        return;
    };
    let text = text_of(&bytes);
    read_text(&text, file, cut, scan, record, skip);
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
            && scan_value(
                text.as_bytes(),
                text.len() - trimmed.len(),
                None::<&mut NoScan>,
                &mut Vec::new(),
            )
            .is_ok_and(|(end, spans)| {
                text[end..].trim().is_empty() && spans[Field::Records as usize].is_some()
            }));
    if document {
        return read_text(
            &text,
            file,
            cut,
            &mut NoScan,
            &mut |r, _, _| event(r.text),
            skip,
        );
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
fn read_text<X: RecordScan + ?Sized>(
    text: &str,
    file: &str,
    cut: bool,
    scan: &mut X,
    record: &mut dyn FnMut(&Record<'_>, Origin<'_>, &mut X),
    skip: &mut dyn FnMut(Skipped),
) {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let frames = &mut Vec::new();
    let mut read = Reading {
        text,
        file,
        scan,
        record,
        skip,
        frames,
    };
    if let Some(rest) = records_array(trimmed) {
        // CloudTrail's own form, read record by record: a file cut short still gives
        // every record before the cut.
        let start = text.len() - rest.len();
        return read.walk_records(start, cut, None);
    }
    if trimmed.starts_with('{') {
        // One document (`{"Records": [...]}` in another layout, or one event), or
        // JSON lines whose first line is an object.
        if let Ok((end, spans)) =
            scan_value(text.as_bytes(), lead, Some(&mut *read.scan), read.frames)
        {
            if text[end..].trim().is_empty() {
                return read.document(lead, end, spans, 0);
            }
        }
    }
    read.lines();
}

/// One file's text being read: where its records go, and the scratch of the walks.
struct Reading<'r, X: RecordScan + ?Sized> {
    text: &'r str,
    file: &'r str,
    scan: &'r mut X,
    record: &'r mut dyn FnMut(&Record<'_>, Origin<'_>, &mut X),
    skip: &'r mut dyn FnMut(Skipped),
    frames: &'r mut Vec<Frame>,
}

impl<X: RecordScan + ?Sized> Reading<'_, X> {
    fn skipped(&mut self, at: String, why: String) {
        (self.skip)(Skipped {
            file: self.file.to_string(),
            at,
            why,
        });
    }

    /// The text as JSON lines, each an event or a `{"Records": [...]}` document.
    fn lines(&mut self) {
        let text = self.text;
        for (i, line) in text.split('\n').enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let base = line.as_ptr() as usize - text.as_ptr() as usize;
            // A CloudWatch Logs export puts the timestamp before the event.
            let Some(open) = line.find('{') else {
                self.skipped(At::Line(n).to_string(), "not a JSON object".into());
                continue;
            };
            // The line alone: an object left open does not run into the next line.
            let bytes = &text.as_bytes()[..base + line.len()];
            match scan_value(bytes, base + open, Some(&mut *self.scan), self.frames) {
                Ok((end, spans))
                    if end <= base + line.len()
                        && text[end..base + line.len()].trim().is_empty() =>
                {
                    self.document(base + open, end, spans, n)
                }
                Ok(_) => self.skipped(
                    At::Line(n).to_string(),
                    "not JSON: characters after the object".into(),
                ),
                Err(e) => self.skipped(At::Line(n).to_string(), format!("not JSON: {e}")),
            }
        }
    }

    /// One object of `text[start..end]`: a `{"Records": [...]}` document's records, or
    /// one event. `line`: its line (0: the file is one document).
    fn document(&mut self, start: usize, end: usize, spans: Spans, line: usize) {
        if let Some((s, _)) = spans[Field::Records as usize] {
            if self.text.as_bytes().get(s) == Some(&b'[') {
                return self.walk_records(s + 1, false, (line > 0).then_some(line));
            }
        }
        let at = if line > 0 {
            At::Line(line)
        } else {
            At::Record(1)
        };
        let record = Record {
            text: &self.text[start..end],
            spans: relative(spans, start),
        };
        (self.record)(
            &record,
            Origin {
                file: self.file,
                at,
            },
            self.scan,
        );
    }

    /// The elements of a `Records` array from byte `start` (just after its `[`), one
    /// at a time, each walked once for its fields and for the scan. `cut`: the file is
    /// already known to end early (said once). `line`: the line of a JSON-lines file
    /// the array is on.
    fn walk_records(&mut self, start: usize, cut: bool, line: Option<usize>) {
        let text = self.text;
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
                    self.skipped(
                        format!("byte {pos}"),
                        format!("the file ends after record {n}: truncated"),
                    );
                }
                return;
            }
            if b[pos] == b']' {
                return;
            }
            n += 1;
            match scan_value(b, pos, Some(&mut *self.scan), self.frames) {
                Ok((end, spans)) => {
                    if b[pos] == b'{' {
                        let record = Record {
                            text: &text[pos..end],
                            spans: relative(spans, pos),
                        };
                        let origin = Origin {
                            file: self.file,
                            at: at(n),
                        };
                        (self.record)(&record, origin, self.scan);
                    } else {
                        self.skipped(
                            at(n).to_string(),
                            "a record that is not a JSON object".into(),
                        );
                    }
                    pos = end;
                }
                Err(e) => {
                    if !(cut && e == ScanError::Truncated) {
                        self.skipped(
                            format!("byte {pos}"),
                            format!(
                                "record {n} cannot be read ({e}): the rest of the file is not read"
                            ),
                        );
                    }
                    return;
                }
            }
        }
    }
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

/// The reader's walk of a record: its [`FIELDS`] at the top level, and what `scan`
/// wants. An id of the walk: its low 24 bits are the scan's own id + 1 (0: none), the
/// bits above a field's index + 1 (0: none).
struct Fields<'x, X: ?Sized> {
    spans: Spans,
    scan: Option<&'x mut X>,
    text: &'x [u8],
}

/// The walk's id of the record (the scan's frame 0).
const RECORD: u32 = 1;
const OWN: u32 = 0x00FF_FFFF;

fn own(id: u32) -> Option<u32> {
    (id & OWN).checked_sub(1)
}

impl<X: RecordScan + ?Sized> scan::Visitor for Fields<'_, X> {
    fn key(&mut self, frame: u32, key: &[u8], escaped: bool) -> Want {
        let field = if frame == RECORD && !escaped {
            FIELDS.iter().position(|f| *f == key)
        } else {
            None
        };
        let want = match (&mut self.scan, own(frame)) {
            (Some(x), Some(f)) => x.key(f, key, escaped),
            _ => Want::Skip,
        };
        let id =
            |o: Option<u32>| field.map_or(0, |f| (f as u32 + 1) << 24) | o.map_or(0, |o| o + 1);
        match want {
            Want::Skip if field.is_none() => Want::Skip,
            Want::Skip => Want::Extent(id(None)),
            Want::Extent(o) => Want::Extent(id(Some(o))),
            Want::Enter(o) => Want::Enter(id(Some(o))),
        }
    }

    fn value(&mut self, id: u32, start: usize, end: usize) {
        if let Some(f) = (id >> 24).checked_sub(1) {
            self.spans[f as usize] = Some((start, end));
        }
        if let (Some(x), Some(o)) = (&mut self.scan, own(id)) {
            x.value(self.text, o, start, end);
        }
    }
}

/// The end (exclusive) of the JSON value starting at byte `i` and, when it is an
/// object, where the values of its top-level [`FIELDS`] are; `scan`, if any, rides
/// on the same walk ([`RecordScan`]).
fn scan_value<X: RecordScan + ?Sized>(
    b: &[u8],
    i: usize,
    mut scan: Option<&mut X>,
    frames: &mut Vec<Frame>,
) -> Result<(usize, Spans), ScanError> {
    let wants = scan.as_mut().is_some_and(|x| x.begin());
    let mut fields = Fields {
        spans: [None; 5],
        scan: if wants { scan.as_deref_mut() } else { None },
        text: b,
    };
    let end = scan::walk(b, i, RECORD, &mut fields, frames)?;
    let spans = fields.spans;
    if let Some(x) = scan {
        x.end(b, i, end);
    }
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
            &mut NoScan,
            &mut |r, o, _| {
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

/// The matcher's search riding on the reader's walk ([`read_stream_with`]) gives every
/// record the match set the matcher gives the record's text alone, and the full
/// matcher on the parsed record, whatever the file's form and the records' keys:
/// repeated, escaped, spaced, nested under the selectors, and the reader's own fields
/// (`eventName`, `awsRegion`) selected too.
#[cfg(test)]
mod one_walk {
    use super::*;
    use crate::pattern::{parse_event, FilterPattern, PatternSet};
    use proptest::prelude::*;

    const PATTERNS: [&str; 10] = [
        r#"{ $.eventName = "ConsoleLogin" }"#,
        r#"{ $.eventName = "Console*" && $.awsRegion = "us-east-1" }"#,
        r#"{ $.userIdentity.type = "Root" }"#,
        r#"{ $.userIdentity.sessionContext.type = "*x*" || $.eventSource = "s3*" }"#,
        r#"{ $.requestParameters.* = "x" }"#,
        r#"{ $.requestParameters.a[0] = "x" }"#,
        r#"{ $.userIdentity.type NOT EXISTS }"#,
        r#"{ $.errorCode = "*Unauthorized*" || $.errorCode = "AccessDenied*" }"#,
        r#"{ $.awsRegion != "us-east-1" }"#,
        "ConsoleLogin",
    ];

    fn key() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "eventName",
            "event\\u004eame",
            "awsRegion",
            "eventSource",
            "errorCode",
            "userIdentity",
            "requestParameters",
            "sessionContext",
            "type",
            "a",
        ])
    }

    fn scalar() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "\"ConsoleLogin\"",
            "\"Console\\u004cogin\"",
            "\"us-east-1\"",
            "\"eu-west-1\"",
            "\"Root\"",
            "\"x\"",
            "\"\\u0078\"",
            "\"s3.amazonaws.com\"",
            "\"Client.UnauthorizedOperation\"",
            "\"AccessDenied\"",
            "[\"x\"]",
            "1",
            "true",
            "null",
        ])
    }

    /// An object of up to four members, values nesting two levels down.
    fn object() -> impl Strategy<Value = String> {
        let leaf = scalar().prop_map(str::to_string);
        leaf.prop_recursive(2, 16, 4, |inner| {
            prop::collection::vec((key(), inner, prop::bool::ANY), 0..5).prop_map(|members| {
                let parts: Vec<String> = members
                    .iter()
                    .map(|(k, v, spaced)| {
                        if *spaced {
                            format!(" \"{k}\" :\n {v} ")
                        } else {
                            format!("\"{k}\":{v}")
                        }
                    })
                    .collect();
                format!("{{{}}}", parts.join(","))
            })
        })
        .prop_filter("a record is an object", |v| v.starts_with('{'))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_reader_and_the_matcher_share_one_walk(
            records in prop::collection::vec(object(), 1..6),
            lines in prop::bool::ANY,
        ) {
            let set = PatternSet::new(
                PATTERNS.iter().map(|p| FilterPattern::parse(p).expect("pattern")).collect(),
            );
            let text = if lines {
                // One record a line (no string of the generator holds a newline).
                let one_line: Vec<String> = records.iter().map(|r| r.replace('\n', " ")).collect();
                one_line.join("\n")
            } else {
                format!("{{\"Records\": [{}]}}", records.join(",\n "))
            };
            let mut matcher = set.raw_matcher();
            let mut alone = set.raw_matcher();
            let mut seen = Vec::new();
            let mut out = Vec::new();
            read_stream_with(
                text.as_bytes(),
                false,
                "f",
                Limits::default(),
                &mut matcher,
                &mut |r, _, m| {
                    m.matches_scanned(r.text, &mut out);
                    seen.push((r.text.to_string(), out.clone()));
                },
                &mut |s| panic!("{s:?}"),
            );
            prop_assert_eq!(seen.len(), records.len());
            for (record, got) in &seen {
                prop_assert_eq!(got, &alone.matches(record), "{}", record);
                let full = set.matches_json(&parse_event(record).expect("a record parses"));
                prop_assert_eq!(got, &full, "{}", record);
            }
        }
    }
}
