//! CloudTrail log files as CloudTrail delivers them: `*.json.gz` (gzip, each
//! `{"Records": [...]}`), plain `.json` in the same form, and JSON lines (a CloudWatch
//! Logs export: one event a line, an optional timestamp before it), from files and
//! directories (recursively, in path order).
//!
//! Input that cannot be read never stops a replay: a corrupt gzip member, a truncated
//! file, a record that is not an object are each a [`Skipped`] naming the file and the
//! offset or record position.

use flate2::read::MultiGzDecoder;
use serde::Serialize;
use serde_json::Value as Json;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most one file may hold once decompressed (a gzip bomb is refused past it).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

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

/// Where a record was read: the file and its position (`record 3`, `line 12`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file.
    pub file: String,
    /// The record's position in it.
    pub at: String,
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

/// Read one file's records, calling `record` for each object and `skip` for what
/// cannot be read. Memory is one file's text at a time.
pub fn read_file(path: &Path, record: &mut dyn FnMut(Json, Origin), skip: &mut dyn FnMut(Skipped)) {
    let file = path.display().to_string();
    let skipped = |at: String, why: String| Skipped {
        file: file.clone(),
        at,
        why,
    };
    let raw = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return skip(skipped("byte 0".into(), format!("cannot open: {e}"))),
    };
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let mut bytes = Vec::new();
    let read = if gz {
        MultiGzDecoder::new(raw)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        raw.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)
    };
    let cut = read.is_err();
    if let Err(e) = read {
        // What was inflated before the corruption is still read.
        skip(skipped(
            format!("byte {}", bytes.len()),
            format!("cannot read{}: {e}", if gz { " (gzip)" } else { "" }),
        ));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return skip(skipped(
            format!("byte {MAX_FILE_BYTES}"),
            format!("more than {MAX_FILE_BYTES} bytes once decompressed (a gzip bomb?): the file is not read"),
        ));
    }
    let text = String::from_utf8_lossy(&bytes);
    let trimmed = text.trim_start();
    if let Some(rest) = records_array(trimmed) {
        // CloudTrail's own form, read record by record: a file cut short still gives
        // every record before the cut.
        let start = text.len() - rest.len();
        return stream_records(&text, start, &file, cut, record, skip);
    }
    if trimmed.starts_with('{') {
        // One document `{"Records": [...]}`, or JSON lines whose first line is an
        // object: the whole text parses as one value only in the first case.
        if let Ok(doc) = serde_json::from_str::<Json>(trimmed) {
            return records_of(doc, &file, record, skip);
        }
    }
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("line {}", i + 1);
        // A CloudWatch Logs export puts the timestamp before the event.
        let json = match line.find('{') {
            Some(start) => &line[start..],
            None => {
                skip(skipped(at, "not a JSON object".into()));
                continue;
            }
        };
        match serde_json::from_str::<Json>(json) {
            Ok(v) if v.is_object() => {
                if v.get("Records").is_some_and(Json::is_array) {
                    records_of(v, &file, record, skip);
                } else {
                    record(
                        v,
                        Origin {
                            file: file.clone(),
                            at,
                        },
                    );
                }
            }
            Ok(_) => skip(skipped(at, "a record that is not a JSON object".into())),
            Err(e) => skip(skipped(at, format!("not JSON: {e}"))),
        }
    }
}

/// The text after `{"Records": [` when `text` starts so (whitespace allowed).
fn records_array(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix("\"Records\"")?.trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    rest.strip_prefix('[')
}

/// The records of `text` from byte `start` (just after `{"Records": [`), one value
/// at a time. `cut`: the file is already known to end early (said once).
fn stream_records(
    text: &str,
    start: usize,
    file: &str,
    cut: bool,
    record: &mut dyn FnMut(Json, Origin),
    skip: &mut dyn FnMut(Skipped),
) {
    let mut pos = start;
    let mut n = 0usize;
    loop {
        let rest = &text[pos..];
        let skipped_ws = rest.len() - rest.trim_start_matches([' ', '\n', '\r', '\t', ',']).len();
        pos += skipped_ws;
        let rest = &text[pos..];
        if rest.starts_with(']') {
            return;
        }
        if rest.is_empty() {
            if !cut {
                skip(Skipped {
                    file: file.to_string(),
                    at: format!("byte {pos}"),
                    why: format!("the file ends after record {n}: truncated"),
                });
            }
            return;
        }
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Json>();
        match values.next() {
            Some(Ok(v)) => {
                n += 1;
                one_record(v, file, format!("record {n}"), record, skip);
                pos += values.byte_offset();
            }
            Some(Err(e)) => {
                if !(cut && e.is_eof()) {
                    skip(Skipped {
                        file: file.to_string(),
                        at: format!("byte {pos}"),
                        why: format!(
                            "record {} cannot be read ({e}): the rest of the file is not read",
                            n + 1
                        ),
                    });
                }
                return;
            }
            None => return,
        }
    }
}

/// One element of a `Records` array: a record if it is an object, else skipped.
fn one_record(
    v: Json,
    file: &str,
    at: String,
    record: &mut dyn FnMut(Json, Origin),
    skip: &mut dyn FnMut(Skipped),
) {
    if v.is_object() {
        record(
            v,
            Origin {
                file: file.to_string(),
                at,
            },
        );
    } else {
        skip(Skipped {
            file: file.to_string(),
            at,
            why: "a record that is not a JSON object".into(),
        });
    }
}

/// The records of one `{"Records": [...]}` document.
fn records_of(
    doc: Json,
    file: &str,
    record: &mut dyn FnMut(Json, Origin),
    skip: &mut dyn FnMut(Skipped),
) {
    let Json::Object(mut map) = doc else {
        return;
    };
    match map.remove("Records") {
        Some(Json::Array(records)) => {
            for (i, r) in records.into_iter().enumerate() {
                one_record(r, file, format!("record {}", i + 1), record, skip);
            }
        }
        _ => {
            // One event as a document of its own.
            record(
                Json::Object(map),
                Origin {
                    file: file.to_string(),
                    at: "record 1".into(),
                },
            );
        }
    }
}
