//! Reading snapshot files: JSON syntax, the versioned schema and per-entity checks,
//! each failure a [`LoadError`] diagnostic pointing into the file.

use super::{Snapshot, SCHEMA_VERSION};
use crate::pattern::scan;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};
use serde_json::Value as Json;
use std::fmt;
use std::path::Path;

/// What went wrong while reading a snapshot; each kind has a stable diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// The text is not JSON (`gsl::snapshot::syntax`).
    Syntax,
    /// The document is not a JSON object (`gsl::snapshot::not_an_object`).
    NotAnObject,
    /// `schemaVersion` is absent (`gsl::snapshot::missing_version`).
    MissingVersion,
    /// `schemaVersion` is not a version this build reads (`gsl::snapshot::version`).
    UnsupportedVersion,
    /// A field has the wrong shape or is unknown (`gsl::snapshot::schema`).
    Schema,
    /// An entity is not a JSON object (`gsl::snapshot::entity_not_object`).
    EntityNotObject,
    /// An entity lacks `id` or `type`, or they are not strings (`gsl::snapshot::entity_field`).
    EntityField,
    /// An entity's `type` differs from the key it is listed under (`gsl::snapshot::entity_type`).
    EntityType,
    /// A file or directory cannot be read (`gsl::snapshot::io`).
    Io,
    /// A snapshot directory holds no `*.json` file (`gsl::snapshot::empty_dir`).
    EmptyDirectory,
    /// Two snapshots of a directory hold the same account (`gsl::snapshot::duplicate_account`).
    DuplicateAccount,
    /// A key appears twice in one object, at any level (`gsl::snapshot::duplicate_key`).
    DuplicateKey,
    /// Two entities have the same `id` (`gsl::snapshot::duplicate_id`).
    DuplicateId,
    /// `collectedAt` is not an RFC 3339 time (`gsl::snapshot::collected_at`).
    CollectedAt,
}

impl LoadErrorKind {
    /// The stable diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            LoadErrorKind::Syntax => "gsl::snapshot::syntax",
            LoadErrorKind::NotAnObject => "gsl::snapshot::not_an_object",
            LoadErrorKind::MissingVersion => "gsl::snapshot::missing_version",
            LoadErrorKind::UnsupportedVersion => "gsl::snapshot::version",
            LoadErrorKind::Schema => "gsl::snapshot::schema",
            LoadErrorKind::EntityNotObject => "gsl::snapshot::entity_not_object",
            LoadErrorKind::EntityField => "gsl::snapshot::entity_field",
            LoadErrorKind::EntityType => "gsl::snapshot::entity_type",
            LoadErrorKind::Io => "gsl::snapshot::io",
            LoadErrorKind::EmptyDirectory => "gsl::snapshot::empty_dir",
            LoadErrorKind::DuplicateAccount => "gsl::snapshot::duplicate_account",
            LoadErrorKind::DuplicateKey => "gsl::snapshot::duplicate_key",
            LoadErrorKind::DuplicateId => "gsl::snapshot::duplicate_id",
            LoadErrorKind::CollectedAt => "gsl::snapshot::collected_at",
        }
    }
}

/// A snapshot that cannot be read (bad JSON, wrong schema, unknown version).
#[derive(Debug)]
pub struct LoadError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: LoadErrorKind,
    message: String,
    label: String,
    help: String,
    span: Option<SourceSpan>,
    /// A second place, such as the first of two duplicates.
    also: Option<(SourceSpan, String)>,
    src: NamedSource<String>,
}

impl LoadError {
    fn new(kind: LoadErrorKind, text: &str, name: &str, message: impl Into<String>) -> Self {
        LoadError(Box::new(Inner {
            kind,
            message: message.into(),
            label: String::new(),
            help: String::new(),
            span: None,
            also: None,
            src: NamedSource::new(name, text.to_string()),
        }))
    }

    fn at(mut self, span: Option<(usize, usize)>, label: impl Into<String>) -> Self {
        self.0.span = span.map(|(s, e)| SourceSpan::from((s, e.saturating_sub(s))));
        self.0.label = label.into();
        self
    }

    fn also(mut self, span: Option<(usize, usize)>, label: impl Into<String>) -> Self {
        self.0.also = span.map(|(s, e)| (SourceSpan::from((s, e.saturating_sub(s))), label.into()));
        self
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.0.help = help.into();
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> LoadErrorKind {
        self.0.kind
    }

    /// Byte offset into the text where the problem is, when known.
    pub fn offset(&self) -> Option<usize> {
        self.0.span.map(|s| s.offset())
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for LoadError {}

impl Diagnostic for LoadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.0.help.is_empty() {
            None
        } else {
            Some(Box::new(&self.0.help))
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.0.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span?;
        let label = if self.0.label.is_empty() {
            None
        } else {
            Some(self.0.label.clone())
        };
        let also = self
            .0
            .also
            .as_ref()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        // The primary label first: miette names its line and column in the header.
        Some(Box::new(
            std::iter::once(LabeledSpan::new_with_span(label, span)).chain(also),
        ))
    }
}

/// Parse snapshot text. `name` is used in diagnostics (a file path).
///
/// Checks, in order: JSON syntax; a top-level object; `schemaVersion` present and equal
/// to [`SCHEMA_VERSION`]; no key twice in any object; the schema (unknown fields are
/// errors); `collectedAt` an RFC 3339 time; every account listed once; every entity an
/// object with string `id` and `type`, listed under the key equal to its `type`, with an
/// `id` no other entity has.
pub fn parse_snapshot(text: &str, name: &str) -> Result<Snapshot, LoadError> {
    // Fast path: one pass straight into the typed snapshot (and one over the text for
    // duplicate keys, which serde_json resolves silently). Anything wrong is diagnosed
    // by the slower path below, which reports problems in a fixed order.
    if let Ok(snapshot) = serde_json::from_str::<Snapshot>(text) {
        if snapshot.schema_version == SCHEMA_VERSION {
            check_duplicate_keys(text, name)?;
            validate_entities(&snapshot, text, name)?;
            return Ok(snapshot);
        }
    }
    diagnose(text, name)
}

/// The first key repeated in one object, as a diagnostic pointing at both.
fn check_duplicate_keys(text: &str, name: &str) -> Result<(), LoadError> {
    let Some(dup) = super::strict::first_duplicate_key(text) else {
        return Ok(());
    };
    let at = line_col_offset(text, dup.line, dup.column);
    let second = key_before(text, at);
    let mut first_path: Vec<Seg<'_>> = dup
        .path
        .iter()
        .map(|s| match s {
            super::strict::Step::Key(k) => Seg::Key(k),
            super::strict::Step::Index(i) => Seg::Index(*i),
        })
        .collect();
    first_path.push(Seg::Key(&dup.key));
    let first = locate(text, &first_path);
    let key = crate::text::clip(&dup.key, 80);
    Err(LoadError::new(
        LoadErrorKind::DuplicateKey,
        text,
        name,
        format!(
            "duplicate key \"{key}\" in {}",
            super::strict::path_text(&dup.path)
        ),
    )
    .also(first, "first value")
    .at(second, "the same key again")
    .help("a JSON reader keeps only one of two equal keys, so the other's data would be lost: merge the two values under one key"))
}

/// The span of the string key that ends at or just before byte `at`.
fn key_before(text: &str, at: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut end = at.min(b.len().saturating_sub(1));
    while end > 0 && b.get(end) != Some(&b'"') {
        end -= 1;
    }
    let mut start = end.checked_sub(1)?;
    loop {
        if b.get(start) == Some(&b'"') {
            let slashes = b[..start].iter().rev().take_while(|c| **c == b'\\').count();
            if slashes % 2 == 0 {
                return Some((start, end + 1));
            }
        }
        start = start.checked_sub(1)?;
    }
}

/// The careful path: syntax, top-level shape, version, then schema.
fn diagnose(text: &str, name: &str) -> Result<Snapshot, LoadError> {
    let doc: Json = serde_json::from_str(text).map_err(|e| {
        let at = line_col_offset(text, e.line(), e.column());
        LoadError::new(
            LoadErrorKind::Syntax,
            text,
            name,
            format!("{name} is not valid JSON"),
        )
        .at(Some((at, at)), strip_position(&e.to_string()))
        .help("a snapshot is a JSON document written by `gsl collect` (see docs/snapshot.md)")
    })?;
    let Some(obj) = doc.as_object() else {
        return Err(LoadError::new(
            LoadErrorKind::NotAnObject,
            text,
            name,
            format!("{name} is not a snapshot: the document is not a JSON object"),
        )
        .at(
            locate(text, &[]),
            "expected `{ \"schemaVersion\": 1, ... }`",
        )
        .help("a snapshot is an object with `schemaVersion`, `accounts` and `errors`"));
    };
    match obj.get("schemaVersion") {
        None => {
            return Err(LoadError::new(
                LoadErrorKind::MissingVersion,
                text,
                name,
                format!("{name} has no `schemaVersion`"),
            )
            .at(locate(text, &[]).map(|(s, _)| (s, s + 1)), "in this object")
            .help(format!(
                "add `\"schemaVersion\": {SCHEMA_VERSION}` at the top level; this gsl reads version {SCHEMA_VERSION}"
            )));
        }
        Some(v) if v.as_u64() != Some(u64::from(SCHEMA_VERSION)) => {
            return Err(LoadError::new(
                LoadErrorKind::UnsupportedVersion,
                text,
                name,
                format!("unsupported snapshot schemaVersion {v}"),
            )
            .at(
                locate(text, &[Seg::Key("schemaVersion")]),
                format!("this gsl reads version {SCHEMA_VERSION}"),
            )
            .help(format!(
                "this gsl reads version {SCHEMA_VERSION}; re-collect the snapshot with this version of gsl"
            )));
        }
        Some(_) => {}
    }
    check_duplicate_keys(text, name)?;
    let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| {
        let at = line_col_offset(text, e.line(), e.column());
        LoadError::new(
            LoadErrorKind::Schema,
            text,
            name,
            format!("{name} does not follow the snapshot schema"),
        )
        .at(Some((at, at)), strip_position(&e.to_string()))
        .help("see docs/snapshot.md for the fields of a version 1 snapshot")
    })?;
    validate_entities(&snapshot, text, name)?;
    Ok(snapshot)
}

fn validate_entities(snapshot: &Snapshot, text: &str, name: &str) -> Result<(), LoadError> {
    if let Some(t) = &snapshot.collected_at {
        if chrono::DateTime::parse_from_rfc3339(t).is_err() {
            return Err(LoadError::new(
                LoadErrorKind::CollectedAt,
                text,
                name,
                format!(
                    "`collectedAt` \"{}\" is not an RFC 3339 time",
                    crate::text::clip(t, 80)
                ),
            )
            .at(
                locate(text, &[Seg::Key("collectedAt")]),
                "expected e.g. \"2026-11-20T10:00:00Z\"",
            )
            .help("write the collection time as RFC 3339 (`2026-11-20T10:00:00Z`), or remove `collectedAt`: rules then take \"now\" from --now or the clock"));
        }
    }
    let mut accounts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut ids: std::collections::HashMap<&str, [Seg<'_>; 5]> = std::collections::HashMap::new();
    for (ai, account) in snapshot.accounts.iter().enumerate() {
        if let Some(first) = accounts.insert(&account.account_number, ai) {
            let at = |i| {
                locate(
                    text,
                    &[
                        Seg::Key("accounts"),
                        Seg::Index(i),
                        Seg::Key("accountNumber"),
                    ],
                )
            };
            return Err(LoadError::new(
                LoadErrorKind::DuplicateAccount,
                text,
                name,
                format!(
                    "account {} is listed twice (accounts[{first}] and accounts[{ai}])",
                    crate::text::clip(&account.account_number, 80)
                ),
            )
            .also(at(first), "first here")
            .at(at(ai), "again here")
            .help("merge the two entries into one (their regions, entities and errors), or collect the account once"));
        }
        for (type_key, entities) in &account.entities {
            for (ei, entity) in entities.iter().enumerate() {
                let path = [
                    Seg::Key("accounts"),
                    Seg::Index(ai),
                    Seg::Key("entities"),
                    Seg::Key(type_key),
                    Seg::Index(ei),
                ];
                let Some(obj) = entity.as_object() else {
                    return Err(LoadError::new(
                        LoadErrorKind::EntityNotObject,
                        text,
                        name,
                        format!(
                            "entity #{ei} of type {type_key} in account {} is not an object",
                            account.account_number
                        ),
                    )
                    .at(locate(text, &path), "expected an object")
                    .help("each entity is a JSON object with at least `id` and `type`"));
                };
                for field in ["id", "type"] {
                    if !obj.get(field).is_some_and(Json::is_string) {
                        let what = if obj.contains_key(field) {
                            "is not a string"
                        } else {
                            "is missing"
                        };
                        return Err(LoadError::new(
                            LoadErrorKind::EntityField,
                            text,
                            name,
                            format!(
                                "entity #{ei} of type {type_key} in account {}: `{field}` {what}",
                                account.account_number
                            ),
                        )
                        .at(
                            locate(text, &path).map(|(s, _)| (s, s + 1)),
                            format!("`{field}` {what}"),
                        )
                        .help(format!(
                            "every entity needs a string `id` (unique, e.g. the ARN) and a string `type` (here \"{type_key}\")"
                        )));
                    }
                }
                let ty = obj.get("type").and_then(Json::as_str).unwrap_or_default();
                if ty != type_key {
                    let mut tpath = path.to_vec();
                    tpath.push(Seg::Key("type"));
                    return Err(LoadError::new(
                        LoadErrorKind::EntityType,
                        text,
                        name,
                        format!(
                            "entity of type \"{ty}\" is listed under \"{type_key}\" in account {}",
                            account.account_number
                        ),
                    )
                    .at(locate(text, &tpath), format!("expected \"{type_key}\""))
                    .help(format!(
                        "move the entity under \"{ty}\", or set its `type` to \"{type_key}\""
                    )));
                }
                let id = obj.get("id").and_then(Json::as_str).unwrap_or_default();
                if let Some(first) = ids.insert(id, path) {
                    let at = |p: &[Seg<'_>]| {
                        let mut p = p.to_vec();
                        p.push(Seg::Key("id"));
                        locate(text, &p)
                    };
                    return Err(LoadError::new(
                        LoadErrorKind::DuplicateId,
                        text,
                        name,
                        format!(
                            "two entities have the id \"{}\"",
                            crate::text::clip(id, 120)
                        ),
                    )
                    .also(at(&first), "first here")
                    .at(at(&path), "again here")
                    .help("an entity id (usually the ARN) is unique in a snapshot: remove the repeated entity, or give each its own id"));
                }
            }
        }
    }
    Ok(())
}

/// serde_json positions are 1-based line and column (in bytes); column 0 means "before
/// the first byte of the line". Returns a byte offset on a char boundary.
fn line_col_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0usize;
    if line > 1 {
        let mut seen = 1;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                seen += 1;
                if seen == line {
                    offset = i + 1;
                    break;
                }
            }
        }
        if seen < line {
            offset = text.len();
        }
    }
    let mut at = (offset + column.saturating_sub(1)).min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `expected value at line 3 column 5` → `expected value` (the position is shown by the label).
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Byte range of the value at `path` in (valid) JSON `text`, by scanning the text.
fn locate(text: &str, path: &[Seg<'_>]) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut i = scan::skip_space(b, 0);
    for seg in path {
        match (seg, b.get(i)?) {
            (Seg::Key(key), b'{') => {
                i = scan::skip_space(b, i + 1);
                loop {
                    if b.get(i)? == &b'}' {
                        return None;
                    }
                    let (ks, ke) = (i, skip_value(b, i)?);
                    let k: String = serde_json::from_str(text.get(ks..ke)?).ok()?;
                    i = scan::skip_space(b, ke);
                    if b.get(i)? != &b':' {
                        return None;
                    }
                    i = scan::skip_space(b, i + 1);
                    if k == *key {
                        break;
                    }
                    i = scan::skip_space(b, skip_value(b, i)?);
                    if b.get(i)? == &b',' {
                        i = scan::skip_space(b, i + 1);
                    }
                }
            }
            (Seg::Index(n), b'[') => {
                i = scan::skip_space(b, i + 1);
                for _ in 0..*n {
                    i = scan::skip_space(b, skip_value(b, i)?);
                    if b.get(i)? != &b',' {
                        return None;
                    }
                    i = scan::skip_space(b, i + 1);
                }
            }
            _ => return None,
        }
    }
    let end = skip_value(b, i)?;
    Some((i, end))
}

/// The end (exclusive) of the JSON value starting at `i` (the one structural scan,
/// [`crate::pattern::scan`]).
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    scan::value_end(b, i).ok()
}

/// Read a snapshot file, or a directory of snapshot files (`gsl collect --split DIR`):
/// every entry directly in it whose name ends in `.json` (in any case: `.JSON` too),
/// in file-name order, merged into one snapshot. Such an entry that is not a readable
/// regular file (a dangling or looping link, a FIFO, a device, a directory named
/// `x.json`) is an error, never skipped; entries with other names, subdirectories
/// included, are not read (see `docs/snapshot.md`). Each file is checked as
/// [`parse_snapshot`] checks it. The merged snapshot has the accounts and errors of
/// all files in that order, and the earliest `collectedAt`; an account in two files,
/// or an entity id in two files, is an error (as within one file).
///
/// Files are read with [`crate::source::read_text`]: regular files only, within the
/// snapshot size limit, UTF-8 with positions.
pub fn load_path(path: &Path) -> Result<Snapshot, PathError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| {
        LoadError::new(LoadErrorKind::Io, "", &name, format!("cannot read snapshot {name}: {e}"))
            .help("pass a snapshot file written by `gsl collect` or a directory of them (`gsl collect --split DIR`), or omit --snapshot to use the built-in sample account")
    };
    if !path.is_dir() {
        let text = crate::source::read_text(path, crate::source::Kind::Snapshot)?;
        return Ok(parse_snapshot(&text, &name)?);
    }
    load_dir(path, &name, io)
}

/// Whether a directory entry is read as a snapshot: its name ends in `.json`, in any
/// case.
pub fn is_snapshot_name(name: &std::ffi::OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b".json")
}

/// The snapshots of a directory, merged.
fn load_dir(
    path: &Path,
    name: &str,
    io: impl Fn(std::io::Error) -> LoadError,
) -> Result<Snapshot, PathError> {
    let name = name.to_string();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for entry in std::fs::read_dir(path).map_err(&io)? {
        let entry = entry.map_err(&io)?;
        if is_snapshot_name(&entry.file_name()) {
            // Read whatever it is: `read_text` names what is not a regular file.
            files.push(entry.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(LoadError::new(
            LoadErrorKind::EmptyDirectory,
            "",
            &name,
            format!("the snapshot directory {name} holds no .json file"),
        )
        .help("write one with `gsl collect --split DIR`")
        .into());
    }
    let mut merged: Option<Snapshot> = None;
    let mut owner: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    // Entity id → the file that holds it (ids are unique in the merged snapshot too).
    let mut ids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (fi, file) in files.iter().enumerate() {
        let file_name = file.display().to_string();
        let text = crate::source::read_text(file, crate::source::Kind::Snapshot)?;
        let snapshot = parse_snapshot(&text, &file_name)?;
        for a in &snapshot.accounts {
            if let Some(first) = owner.insert(a.account_number.clone(), file_name.clone()) {
                return Err(LoadError::new(
                    LoadErrorKind::DuplicateAccount,
                    "",
                    &name,
                    format!(
                        "account {} is in both {first} and {file_name}",
                        a.account_number
                    ),
                )
                .help("keep one snapshot per account in the directory (`gsl collect --split` writes <account>.json)")
                .into());
            }
        }
        for entity in snapshot
            .accounts
            .iter()
            .flat_map(|a| a.entities.values().flatten())
        {
            let id = entity.get("id").and_then(Json::as_str).unwrap_or_default();
            if let Some(first) = ids.insert(id.to_string(), fi) {
                return Err(LoadError::new(
                    LoadErrorKind::DuplicateId,
                    "",
                    &name,
                    format!(
                        "two entities have the id \"{}\": one in {} and one in {file_name}",
                        crate::text::clip(id, 120),
                        files[first].display()
                    ),
                )
                .help("an entity id (usually the ARN) is unique in a snapshot, a directory of snapshots included: a waiver or a report naming it would not tell them apart; remove the repeated entity or give each its own id")
                .into());
            }
        }
        merged = Some(match merged {
            None => snapshot,
            Some(mut m) => {
                m.collected_at = match (m.collected_at.take(), snapshot.collected_at) {
                    (Some(a), Some(b)) => Some(if b < a { b } else { a }),
                    (a, b) => a.or(b),
                };
                m.accounts.extend(snapshot.accounts);
                m.errors.extend(snapshot.errors);
                m
            }
        });
    }
    // `files` is not empty, so `merged` is set.
    Ok(merged.ok_or_else(|| {
        LoadError::new(
            LoadErrorKind::EmptyDirectory,
            "",
            &name,
            format!("the snapshot directory {name} holds no .json file"),
        )
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_loads() {
        let s = parse_snapshot(crate::entity::SAMPLE_SNAPSHOT, "sample").unwrap();
        assert_eq!(s.accounts.len(), 1);
    }

    #[test]
    fn locate_finds_nested_values() {
        let t = r#"{"a": [1, {"b": "x\"y"}, 3], "c": {"d": true}}"#;
        let (s, e) = locate(t, &[Seg::Key("a"), Seg::Index(1), Seg::Key("b")]).unwrap();
        assert_eq!(&t[s..e], r#""x\"y""#);
        let (s, e) = locate(t, &[Seg::Key("c")]).unwrap();
        assert_eq!(&t[s..e], r#"{"d": true}"#);
        assert!(locate(t, &[Seg::Key("z")]).is_none());
    }

    #[test]
    fn line_col_to_offset() {
        let t = "ab\ncd\nef";
        assert_eq!(line_col_offset(t, 2, 2), 4);
        assert_eq!(line_col_offset(t, 1, 0), 0);
        assert_eq!(line_col_offset(t, 9, 9), t.len());
    }

    #[test]
    fn kinds() {
        let k = |t: &str| parse_snapshot(t, "t").unwrap_err().kind();
        assert_eq!(k("{"), LoadErrorKind::Syntax);
        assert_eq!(k("[]"), LoadErrorKind::NotAnObject);
        assert_eq!(k("{}"), LoadErrorKind::MissingVersion);
        assert_eq!(
            k(r#"{"schemaVersion": 2}"#),
            LoadErrorKind::UnsupportedVersion
        );
        assert_eq!(
            k(r#"{"schemaVersion": 1, "bogus": 1}"#),
            LoadErrorKind::Schema
        );
        let ent = |e: &str| {
            format!(
                r#"{{"schemaVersion": 1, "accounts": [{{"accountNumber": "1", "entities": {{"CloudTrail": [{e}]}}}}]}}"#
            )
        };
        assert_eq!(k(&ent("3")), LoadErrorKind::EntityNotObject);
        assert_eq!(
            k(&ent(r#"{"type": "CloudTrail"}"#)),
            LoadErrorKind::EntityField
        );
        assert_eq!(
            k(&ent(r#"{"id": 1, "type": "CloudTrail"}"#)),
            LoadErrorKind::EntityField
        );
        assert_eq!(
            k(&ent(r#"{"id": "a", "type": "LogGroup"}"#)),
            LoadErrorKind::EntityType
        );
        assert!(parse_snapshot(&ent(r#"{"id": "a", "type": "CloudTrail"}"#), "t").is_ok());
    }

    fn render(e: &LoadError) -> String {
        let mut s = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut s, e)
            .unwrap();
        s
    }

    #[test]
    fn duplicate_entity_type_key_is_an_error_naming_both() {
        // serde_json keeps the last list: the failing trail would vanish.
        let t = "{\"schemaVersion\": 1, \"accounts\": [{\"accountNumber\": \"1\", \"entities\": {\n\"CloudTrail\": [{\"id\": \"bad\", \"type\": \"CloudTrail\"}],\n\"CloudTrail\": [{\"id\": \"good\", \"type\": \"CloudTrail\"}]}}]}";
        let e = parse_snapshot(t, "t.json").unwrap_err();
        assert_eq!(e.kind(), LoadErrorKind::DuplicateKey);
        assert_eq!(
            e.to_string(),
            "duplicate key \"CloudTrail\" in accounts[0].entities"
        );
        let at = e.offset().unwrap();
        assert_eq!(&t[at..at + 12], "\"CloudTrail\"");
        assert_eq!(t[..at].matches('\n').count(), 2, "points at the second key");
        let r = render(&e);
        assert!(
            r.contains("first value") && r.contains("the same key again"),
            "{r}"
        );
    }

    #[test]
    fn duplicate_keys_at_every_level() {
        let k = |t: &str| parse_snapshot(t, "t").unwrap_err().kind();
        // Top level (typed fields), account level, inside an entity, nested deeper.
        assert_eq!(
            k(r#"{"schemaVersion": 1, "schemaVersion": 1}"#),
            LoadErrorKind::DuplicateKey
        );
        assert_eq!(
            k(
                r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "1", "regions": [], "regions": []}]}"#
            ),
            LoadErrorKind::DuplicateKey
        );
        let ent = |e: &str| {
            format!(
                r#"{{"schemaVersion": 1, "accounts": [{{"accountNumber": "1", "entities": {{"CloudTrail": [{e}]}}}}]}}"#
            )
        };
        assert_eq!(
            k(&ent(
                r#"{"id": "a", "type": "CloudTrail", "isLogging": false, "isLogging": true}"#
            )),
            LoadErrorKind::DuplicateKey
        );
        let e = parse_snapshot(
            &ent(r#"{"id": "a", "type": "CloudTrail", "status": {"x": 1, "x": 2}}"#),
            "t",
        )
        .unwrap_err();
        assert_eq!(e.kind(), LoadErrorKind::DuplicateKey);
        assert!(
            e.to_string()
                .ends_with("accounts[0].entities.CloudTrail[0].status"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_ids_and_accounts() {
        let e = parse_snapshot(
            r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "1", "entities": {"CloudTrail": [{"id": "a", "type": "CloudTrail"}], "LogGroup": [{"id": "a", "type": "LogGroup"}]}}]}"#,
            "t",
        )
        .unwrap_err();
        assert_eq!(e.kind(), LoadErrorKind::DuplicateId);
        assert_eq!(e.to_string(), "two entities have the id \"a\"");
        let e = parse_snapshot(
            r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "1"}, {"accountNumber": "1"}]}"#,
            "t",
        )
        .unwrap_err();
        assert_eq!(e.kind(), LoadErrorKind::DuplicateAccount);
        assert!(render(&e).contains("first here"));
        // The same id in two accounts is still two ids too: ids are ARNs.
        let e = parse_snapshot(
            r#"{"schemaVersion": 1, "accounts": [{"accountNumber": "1", "entities": {"CloudTrail": [{"id": "a", "type": "CloudTrail"}]}}, {"accountNumber": "2", "entities": {"CloudTrail": [{"id": "a", "type": "CloudTrail"}]}}]}"#,
            "t",
        )
        .unwrap_err();
        assert_eq!(e.kind(), LoadErrorKind::DuplicateId);
    }

    #[test]
    fn collected_at_must_be_rfc3339() {
        for bad in ["2026-11-20 10:00:00", "yesterday", ""] {
            let t = format!(r#"{{"schemaVersion": 1, "collectedAt": "{bad}"}}"#);
            let e = parse_snapshot(&t, "t").unwrap_err();
            assert_eq!(e.kind(), LoadErrorKind::CollectedAt, "{bad}");
            assert_eq!(&t[e.offset().unwrap()..][..1], "\"");
        }
        assert!(parse_snapshot(
            r#"{"schemaVersion": 1, "collectedAt": "2026-11-20T10:00:00+02:00"}"#,
            "t"
        )
        .is_ok());
        assert!(parse_snapshot(r#"{"schemaVersion": 1, "collectedAt": null}"#, "t").is_ok());
    }
}

/// Why [`load_path`] could not load a snapshot: the file could not be read as text, or
/// its text is not a valid snapshot (or the directory's snapshots do not fit together).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PathError {
    /// The file could not be read (not a regular file, too large, not UTF-8, ...).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::source::ReadError),
    /// The snapshot is invalid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
}
