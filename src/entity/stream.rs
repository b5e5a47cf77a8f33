//! Reading a large snapshot file a batch of accounts at a time, so that memory stays
//! bounded by one batch (plus the results) instead of growing with the organization.
//!
//! Why: an entity is a `serde_json::Value` (the evaluator walks `&Value`), and a
//! `Value` tree with `preserve_order` costs about five times its JSON text (every
//! object an `IndexMap` with a hash index, every key and string its own allocation).
//! Rules never look across accounts (entity rules look at one entity, `List<X>` rules
//! at the entities of one account), so a snapshot can be evaluated account by account
//! with the same results in the same order. See `docs/performance.md`.
//!
//! Two passes over the file:
//!
//! 1. [`SnapshotSource::open`] reads the text once and validates all of it without
//!    building entity values: the header, the collection errors, every account's
//!    fields, and every entity (an object with string `id` and `type`, listed under
//!    its type). It keeps the header, the errors, the entity type census and each
//!    account's byte range, then drops the text. Any problem is reported by the
//!    careful path of [`load::parse_snapshot`](super::load::parse_snapshot), so bad
//!    input gets exactly the diagnostics (code, line and column, help) it always did.
//! 2. [`SnapshotSource::into_graphs`] reads the accounts again, a batch of about
//!    [`SnapshotSource::batch_bytes`] of JSON at a time, and yields one
//!    [`EntityGraph`] per batch: those accounts, their collection errors, and the
//!    type census of the whole file (so type names and "did you mean" see the whole
//!    organization).

use super::graph::{EntityGraph, TypeCensus};
use super::load::{parse_snapshot, LoadError};
use super::{Account, CollectionError, Generator, Snapshot};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value as Json;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::BuildHasher;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Batches are at least this much JSON (one account at the least).
pub const MIN_BATCH_BYTES: u64 = 1 << 20;
/// Batches are at most this much JSON (unless one account is bigger).
pub const MAX_BATCH_BYTES: u64 = 64 << 20;

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StreamError {
    /// The snapshot is not valid (syntax, schema, entities): the loader's diagnostic.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    /// The file cannot be read.
    #[error("cannot read snapshot {name}: {source}")]
    #[diagnostic(
        code(gsl::snapshot::io),
        help("pass a snapshot written by `gsl collect`, or omit --snapshot to use the built-in sample account")
    )]
    Io {
        /// The file, as named in messages.
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file could not be read as text (not a regular file, too large, not UTF-8).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::source::ReadError),
    /// The file changed between the validating pass and the reading pass.
    #[error("snapshot {name} changed while it was being read")]
    #[diagnostic(
        code(gsl::snapshot::changed),
        help("a snapshot is read twice (once to validate, once per batch of accounts); do not rewrite it during `gsl check`")
    )]
    Changed {
        /// The file, as named in messages.
        name: String,
    },
    /// `--account` named an account the snapshot does not hold.
    #[error("account {account} is not in the snapshot{}", suggestion.as_deref().map(|s| format!(" ({s})")).unwrap_or_default())]
    #[diagnostic(
        code(gsl::snapshot::unknown_account),
        help("the snapshot holds: {known}")
    )]
    UnknownAccount {
        /// The account asked for.
        account: String,
        /// "did you mean `...`?", when an account number is close.
        suggestion: Option<String>,
        /// The accounts the snapshot holds (a clipped list).
        known: String,
    },
}

/// A snapshot to evaluate batch by batch: a validated file, or a snapshot in memory
/// (the built-in sample, a live collection) that is one batch.
#[derive(Debug)]
pub enum SnapshotSource {
    /// A file read account by account.
    File(FileIndex),
    /// A snapshot already in memory.
    Whole(Snapshot),
}

/// What the validating pass keeps of a snapshot file.
#[derive(Debug)]
pub struct FileIndex {
    path: PathBuf,
    name: String,
    header: Snapshot,
    accounts: Vec<AccountSpan>,
    census: Arc<TypeCensus>,
    batch_bytes: u64,
    file_len: u64,
    /// The keys of the accounts' content hashes (random per run, so a file cannot be
    /// written to collide).
    hasher: RandomState,
}

/// Where an account is in the file (byte offsets), and a hash of its bytes as
/// validated: a batch read back must hash the same, or the file changed in between.
#[derive(Debug, Clone)]
struct AccountSpan {
    number: String,
    start: u64,
    end: u64,
    hash: u64,
}

impl SnapshotSource {
    /// Read and validate the snapshot file at `path` (named `name` in messages),
    /// keeping only what is needed to read its accounts again in batches.
    pub fn open(path: &Path, name: &str) -> Result<Self, StreamError> {
        let (text, text_start) = crate::source::read_text_at(path, crate::source::Kind::Snapshot)?;
        let hasher = RandomState::new();
        match index(&text, text_start, &hasher) {
            Some((header, accounts, census)) => {
                let file_len = text_start + text.len() as u64;
                Ok(SnapshotSource::File(FileIndex {
                    path: path.to_path_buf(),
                    name: name.to_string(),
                    header,
                    accounts,
                    census: Arc::new(census),
                    batch_bytes: (file_len / 8).clamp(MIN_BATCH_BYTES, MAX_BATCH_BYTES),
                    file_len,
                    hasher,
                }))
            }
            // Something is wrong (or unusual): the loader says what, where, or reads it.
            None => Ok(SnapshotSource::Whole(parse_snapshot(&text, name)?)),
        }
    }

    /// Set the batch size, in bytes of account JSON (a batch holds one account at the
    /// least). The default is an eighth of the file, between [`MIN_BATCH_BYTES`] and
    /// [`MAX_BATCH_BYTES`]: entity values cost about five times their text, so a batch
    /// costs well under the file's size.
    pub fn with_batch_bytes(mut self, bytes: u64) -> Self {
        if let SnapshotSource::File(f) = &mut self {
            f.batch_bytes = bytes.max(1);
        }
        self
    }

    /// The batch size in bytes of JSON (`None`: the snapshot is one batch).
    pub fn batch_bytes(&self) -> Option<u64> {
        match self {
            SnapshotSource::File(f) => Some(f.batch_bytes),
            SnapshotSource::Whole(_) => None,
        }
    }

    fn header(&self) -> &Snapshot {
        match self {
            SnapshotSource::File(f) => &f.header,
            SnapshotSource::Whole(s) => s,
        }
    }

    /// When the snapshot was collected.
    pub fn collected_at(&self) -> Option<&str> {
        self.header().collected_at.as_deref()
    }

    /// The collection errors of every account.
    pub fn errors(&self) -> &[CollectionError] {
        &self.header().errors
    }

    /// The account numbers, in snapshot order.
    pub fn account_numbers(&self) -> Vec<String> {
        match self {
            SnapshotSource::File(f) => f.accounts.iter().map(|a| a.number.clone()).collect(),
            SnapshotSource::Whole(s) => s
                .accounts
                .iter()
                .map(|a| a.account_number.clone())
                .collect(),
        }
    }

    /// Keep only the accounts numbered in `wanted` (and their collection errors), in
    /// snapshot order. An account the snapshot does not hold is an error with the
    /// closest account number, never an empty run that passes.
    pub fn retain_accounts(mut self, wanted: &[String]) -> Result<Self, StreamError> {
        if wanted.is_empty() {
            return Ok(self);
        }
        let numbers = self.account_numbers();
        if let Some(missing) = wanted.iter().find(|w| !numbers.contains(w)) {
            let known = crate::text::clip(&numbers.join(", "), 300);
            return Err(StreamError::UnknownAccount {
                account: missing.clone(),
                suggestion: crate::text::did_you_mean(missing, numbers.iter().map(String::as_str)),
                known: if known.is_empty() {
                    "no accounts".to_string()
                } else {
                    known
                },
            });
        }
        let keep = |n: &str| wanted.iter().any(|w| w == n);
        match &mut self {
            SnapshotSource::File(f) => {
                f.accounts.retain(|a| keep(&a.number));
                f.header.errors.retain(|e| keep(&e.account_number));
            }
            SnapshotSource::Whole(s) => {
                s.accounts.retain(|a| keep(&a.account_number));
                s.errors.retain(|e| keep(&e.account_number));
            }
        }
        Ok(self)
    }

    /// An entity graph with no entities that knows the entity types of the whole
    /// snapshot (for notes such as "no entities of type X; types present: ...").
    pub fn census_graph(&self) -> EntityGraph {
        let census = match self {
            SnapshotSource::File(f) => f.census.clone(),
            SnapshotSource::Whole(s) => Arc::new(TypeCensus::of_snapshot(s)),
        };
        let mut empty = self.header().clone_header();
        empty.errors.clear();
        EntityGraph::new(empty).with_census(census)
    }

    /// The snapshot's graphs, one per batch of accounts, in snapshot order.
    pub fn into_graphs(self) -> Graphs {
        match self {
            SnapshotSource::File(f) => Graphs::File { index: f, next: 0 },
            SnapshotSource::Whole(s) => Graphs::Whole(Some(s)),
        }
    }
}

/// The graphs of a [`SnapshotSource`], one per batch of accounts.
#[derive(Debug)]
pub enum Graphs {
    /// Batches read from the file.
    #[doc(hidden)]
    File {
        /// The file.
        index: FileIndex,
        /// The next account to read.
        next: usize,
    },
    /// The one graph of a snapshot in memory.
    #[doc(hidden)]
    Whole(Option<Snapshot>),
}

impl Iterator for Graphs {
    type Item = Result<EntityGraph, StreamError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Graphs::Whole(s) => s.take().map(|s| Ok(EntityGraph::new(s))),
            Graphs::File { index, next } => {
                if *next >= index.accounts.len() {
                    return None;
                }
                let first = *next;
                let mut last = first;
                while last + 1 < index.accounts.len()
                    && index.accounts[last + 1].end - index.accounts[first].start
                        <= index.batch_bytes
                {
                    last += 1;
                }
                *next = last + 1;
                Some(index.read_batch(first, last))
            }
        }
    }
}

impl FileIndex {
    fn read_batch(&self, first: usize, last: usize) -> Result<EntityGraph, StreamError> {
        let (start, end) = (self.accounts[first].start, self.accounts[last].end);
        let io = |source| StreamError::Io {
            name: self.name.clone(),
            source,
        };
        let mut file = std::fs::File::open(&self.path).map_err(io)?;
        if file.metadata().map_err(io)?.len() != self.file_len {
            return Err(self.changed());
        }
        file.seek(SeekFrom::Start(start)).map_err(io)?;
        let mut buf = vec![0u8; (end - start) as usize];
        file.read_exact(&mut buf).map_err(io)?;
        let mut accounts = Vec::with_capacity(last - first + 1);
        for span in &self.accounts[first..=last] {
            let bytes = &buf[(span.start - start) as usize..(span.end - start) as usize];
            // The same length is not the same content: an account rewritten in place
            // (a second `"CloudTrail": []` hiding the first) must not be read as
            // validated.
            if self.hasher.hash_one(bytes) != span.hash {
                return Err(self.reparse());
            }
            match serde_json::from_slice::<Account>(bytes) {
                Ok(a) if a.account_number == span.number => accounts.push(a),
                _ => return Err(self.reparse()),
            }
        }
        let numbers: HashSet<&str> = accounts.iter().map(|a| a.account_number.as_str()).collect();
        let mut snapshot = self.header.clone_header();
        snapshot.errors = self
            .header
            .errors
            .iter()
            .filter(|e| numbers.contains(e.account_number.as_str()))
            .cloned()
            .collect();
        snapshot.accounts = accounts;
        Ok(EntityGraph::new(snapshot).with_census(self.census.clone()))
    }

    fn changed(&self) -> StreamError {
        StreamError::Changed {
            name: self.name.clone(),
        }
    }

    /// A batch did not read back: say what is wrong with the file now, if anything.
    fn reparse(&self) -> StreamError {
        match crate::source::read_text(&self.path, crate::source::Kind::Snapshot) {
            Ok(text) => match parse_snapshot(&text, &self.name) {
                Err(e) => StreamError::Load(e),
                Ok(_) => self.changed(),
            },
            Err(e) => StreamError::Read(e),
        }
    }
}

impl Snapshot {
    /// The snapshot without its accounts (header and errors).
    fn clone_header(&self) -> Snapshot {
        Snapshot {
            schema_version: self.schema_version,
            generator: self.generator.clone(),
            collected_at: self.collected_at.clone(),
            accounts: Vec::new(),
            errors: self.errors.clone(),
        }
    }
}

/// The validating pass: `None` when anything is wrong (or when the text is not a
/// subslice layout we can read back, which cannot happen for valid JSON). The text
/// starts at byte `text_start` of the file (after a byte order mark); the spans are
/// offsets in the file, each with the hash of its bytes.
fn index(
    text: &str,
    text_start: u64,
    hasher: &RandomState,
) -> Option<(Snapshot, Vec<AccountSpan>, TypeCensus)> {
    let shell: Shell<'_> = serde_json::from_str(text).ok()?;
    if shell.schema_version != super::SCHEMA_VERSION {
        return None;
    }
    // What the loader rejects, this pass sends to it: a repeated key at any depth, a
    // collection time that is not RFC 3339, an account listed twice, an entity id
    // used twice.
    if super::strict::first_duplicate_key(text).is_some() {
        return None;
    }
    if let Some(t) = &shell.collected_at {
        chrono::DateTime::parse_from_rfc3339(t).ok()?;
    }
    let base = text.as_ptr() as usize;
    let mut census = TypeCensus::default();
    let mut spans = Vec::with_capacity(shell.accounts.len());
    let mut numbers: HashSet<String> = HashSet::with_capacity(shell.accounts.len());
    let mut ids: HashSet<String> = HashSet::new();
    for raw in &shell.accounts {
        let json = raw.get();
        let account: AccountShell = serde_json::from_str(json).ok()?;
        if !numbers.insert(account.account_number.clone()) {
            return None;
        }
        for (ty, entities) in account.entities {
            census.add(&ty, entities.len());
            for e in entities {
                if e.type_name != ty || !ids.insert(e.id) {
                    return None;
                }
            }
        }
        let start = text_start + (json.as_ptr() as usize).checked_sub(base)? as u64;
        spans.push(AccountSpan {
            number: account.account_number,
            start,
            end: start + json.len() as u64,
            hash: hasher.hash_one(json.as_bytes()),
        });
    }
    let header = Snapshot {
        schema_version: shell.schema_version,
        generator: shell.generator,
        collected_at: shell.collected_at,
        accounts: Vec::new(),
        errors: shell.errors,
    };
    Some((header, spans, census))
}

/// [`Snapshot`] with the accounts left as text.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Shell<'a> {
    schema_version: u32,
    #[serde(default)]
    generator: Generator,
    #[serde(default)]
    collected_at: Option<String>,
    #[serde(default, borrow)]
    accounts: Vec<&'a RawValue>,
    #[serde(default)]
    errors: Vec<CollectionError>,
}

/// [`Account`] with each entity checked, not kept.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AccountShell {
    account_number: String,
    #[serde(default)]
    #[allow(dead_code)]
    regions: Vec<String>,
    #[serde(default)]
    entities: BTreeMap<String, Vec<EntityShell>>,
}

/// An entity: an object with a string `id` and a string `type` (both kept); everything
/// else is skipped. Duplicate keys: the last one counts, as when the loader reads
/// the entity into a `Value`.
struct EntityShell {
    id: String,
    type_name: String,
}

impl<'de> Deserialize<'de> for EntityShell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EntityShell;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an entity object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EntityShell, A::Error> {
                let (mut id, mut ty) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => id = Some(map.next_value::<Json>()?),
                        "type" => ty = Some(map.next_value::<Json>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                match (id, ty) {
                    (Some(Json::String(id)), Some(Json::String(type_name))) => {
                        Ok(EntityShell { id, type_name })
                    }
                    _ => Err(de::Error::custom("entity without a string id and type")),
                }
            }
        }
        d.deserialize_map(V)
    }
}
