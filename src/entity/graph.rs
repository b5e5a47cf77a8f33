//! The entity graph: a read-only, indexed view of a [`Snapshot`].
//!
//! Entity type names are matched case-insensitively (`cloudtrail` finds `CloudTrail`);
//! property names inside entities are not (see `docs/language.md`).

use super::{Account, CollectionError, Snapshot};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// A read-only view of a snapshot, indexed for evaluation.
///
/// Built once in time linear in the number of entities: per type, the entities in
/// snapshot order and, per account, the range of them that account lists, so the
/// entities of a type in one account ([`entities_in`](Self::entities_in)) and the
/// collection errors of an account ([`errors_affecting`](Self::errors_affecting)) cost
/// what they return, not a scan of the whole organization.
#[derive(Debug, Clone)]
pub struct EntityGraph {
    snapshot: Snapshot,
    /// Where the snapshot came from (a file name, `live account`, ...), for reports.
    name: String,
    /// Lower-cased type name → index.
    types: BTreeMap<String, TypeIndex>,
    /// Account number → the indices of the accounts with that number (usually one).
    accounts_by_number: HashMap<String, Vec<usize>>,
    /// Account number → indices into `snapshot.errors`.
    errors_by_account: HashMap<String, Vec<usize>>,
    /// The entity types of the whole snapshot when this graph holds part of it (a
    /// batch of accounts, see [`crate::entity::stream`]).
    census: Option<Arc<TypeCensus>>,
}

/// The entity types of a snapshot: spelling (the first one seen) and count, by
/// lower-cased name. A graph holding a batch of a snapshot's accounts answers
/// [`EntityGraph::types`], [`EntityGraph::type_name`] and [`EntityGraph::check_type`]
/// for the whole snapshot with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeCensus {
    types: BTreeMap<String, (String, usize)>,
}

impl TypeCensus {
    /// Count `n` entities listed under the type key `type_key`.
    pub fn add(&mut self, type_key: &str, n: usize) {
        self.types
            .entry(type_key.to_lowercase())
            .or_insert_with(|| (type_key.to_string(), 0))
            .1 += n;
    }

    /// The census of a whole snapshot.
    pub fn of_snapshot(snapshot: &Snapshot) -> Self {
        let mut census = TypeCensus::default();
        for account in &snapshot.accounts {
            for (ty, entities) in &account.entities {
                census.add(ty, entities.len());
            }
        }
        census
    }
}

#[derive(Debug, Clone)]
struct TypeIndex {
    /// The spelling used in the snapshot (the first one seen).
    name: String,
    /// Every spelling of the type key seen (most snapshots: one).
    spellings: Vec<String>,
    /// The entities of the type, in snapshot order.
    members: Vec<Member>,
    /// Per account index: the range of `members` listed in that account (accounts
    /// without the type: an empty range).
    by_account: Vec<std::ops::Range<usize>>,
}

/// One entity of a type: where it is in the snapshot.
#[derive(Debug, Clone, Copy)]
struct Member {
    account: usize,
    /// Index into [`TypeIndex::spellings`]: the type key as spelled in that account.
    spelling: usize,
    entity: usize,
}

/// One entity of the graph, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct EntityRef<'g> {
    /// The account number of the account the entity is listed in.
    pub account: &'g str,
    /// The entity type, as spelled in the snapshot.
    pub type_name: &'g str,
    /// The entity JSON.
    pub value: &'g Json,
    /// Position among the entities of its type in its account.
    pub index: usize,
}

impl<'g> EntityRef<'g> {
    /// The entity's `id` (empty when absent; the loader rejects such entities).
    pub fn id(&self) -> &'g str {
        self.value.get("id").and_then(Json::as_str).unwrap_or("")
    }

    /// The entity's `name`, when it has a non-empty string one (a VPC without a `Name`
    /// tag has `""`: reports then show its id).
    pub fn name(&self) -> Option<&'g str> {
        self.value
            .get("name")
            .and_then(Json::as_str)
            .filter(|name| !name.is_empty())
    }

    /// The entity's `region`, when it has a string one.
    pub fn region(&self) -> Option<&'g str> {
        self.value.get("region").and_then(Json::as_str)
    }
}

/// A property path seen on entities of one type (for the REPL's `:schema`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyInfo {
    /// Dotted path; list elements are written `[]`: `metricFilters[].filterPattern`.
    pub path: String,
    /// JSON types seen there (`string`, `number`, `boolean`, `null`, `array`, `object`).
    pub types: BTreeSet<&'static str>,
    /// The first non-null scalar seen (or the first value when none is scalar), truncated
    /// for arrays and objects to `[…]` / `{…}`.
    pub example: Json,
    /// Number of entities having the path.
    pub entities: usize,
}

/// The rule names an entity type that the graph does not hold.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("no entities of type {name}")]
#[diagnostic(code(gsl::eval::unknown_entity_type))]
pub struct UnknownEntityType {
    /// The type name as written.
    pub name: String,
    /// Types present, with counts.
    pub present: Vec<(String, usize)>,
    /// The closest present type name, if any is close.
    pub suggestion: Option<String>,
    #[help]
    help: String,
}

impl EntityGraph {
    /// Index a snapshot.
    pub fn new(snapshot: Snapshot) -> Self {
        let n_accounts = snapshot.accounts.len();
        let mut types: BTreeMap<String, TypeIndex> = BTreeMap::new();
        let mut accounts_by_number: HashMap<String, Vec<usize>> = HashMap::new();
        for (ai, account) in snapshot.accounts.iter().enumerate() {
            accounts_by_number
                .entry(account.account_number.clone())
                .or_default()
                .push(ai);
            for (ty, entities) in &account.entities {
                let idx = types.entry(ty.to_lowercase()).or_insert_with(|| TypeIndex {
                    name: ty.clone(),
                    spellings: Vec::new(),
                    members: Vec::new(),
                    by_account: vec![0..0; n_accounts],
                });
                let spelling = match idx.spellings.iter().position(|s| s == ty) {
                    Some(i) => i,
                    None => {
                        idx.spellings.push(ty.clone());
                        idx.spellings.len() - 1
                    }
                };
                // Two keys of one account differing only in case (`CloudTrail` and
                // `cloudtrail`) extend the same range: members of an account stay
                // contiguous because accounts are indexed one after the other.
                let start = if idx.by_account[ai].is_empty() {
                    idx.members.len()
                } else {
                    idx.by_account[ai].start
                };
                idx.members.extend((0..entities.len()).map(|entity| Member {
                    account: ai,
                    spelling,
                    entity,
                }));
                idx.by_account[ai] = start..idx.members.len();
            }
        }
        let mut errors_by_account: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in snapshot.errors.iter().enumerate() {
            errors_by_account
                .entry(e.account_number.clone())
                .or_default()
                .push(i);
        }
        EntityGraph {
            snapshot,
            name: "snapshot".to_string(),
            types,
            accounts_by_number,
            errors_by_account,
            census: None,
        }
    }

    /// Index a snapshot that came from `name` (a file name, `live account`, ...).
    pub fn named(snapshot: Snapshot, name: &str) -> Self {
        EntityGraph {
            name: name.to_string(),
            ..EntityGraph::new(snapshot)
        }
    }

    /// Where the snapshot came from, as given to [`EntityGraph::named`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// This graph as a part of a bigger snapshot whose entity types are `census`: type
    /// names, counts and "did you mean" then answer for the whole snapshot, while the
    /// lookups of entities see this graph's accounts.
    pub fn with_census(mut self, census: Arc<TypeCensus>) -> Self {
        self.census = Some(census);
        self
    }

    /// The underlying snapshot.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Entity type names present, with counts, sorted by name.
    pub fn types(&self) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = match &self.census {
            Some(c) => c.types.values().cloned().collect(),
            None => self
                .types
                .values()
                .map(|t| (t.name.clone(), t.members.len()))
                .collect(),
        };
        v.sort();
        v
    }

    /// The snapshot's spelling of an entity type name, matched case-insensitively.
    pub fn type_name(&self, name: &str) -> Option<&str> {
        let key = name.to_lowercase();
        match &self.census {
            Some(c) => c.types.get(&key).map(|(n, _)| n.as_str()),
            None => self.types.get(&key).map(|t| t.name.as_str()),
        }
    }

    /// Whether the snapshot has the entity type `name` (case-insensitively): it holds
    /// entities of it, or one of its collection errors names it. A rule over such a type
    /// is never taken for a misspelt known type.
    pub fn has_type(&self, name: &str) -> bool {
        self.type_name(name).is_some()
            || self
                .snapshot
                .errors
                .iter()
                .any(|e| e.entity_types.iter().any(|t| t.eq_ignore_ascii_case(name)))
    }

    /// Like [`type_name`](Self::type_name), but a miss is a diagnostic listing the types
    /// present and the closest one ("did you mean").
    pub fn check_type(&self, name: &str) -> Result<&str, UnknownEntityType> {
        if let Some(t) = self.type_name(name) {
            return Ok(t);
        }
        let present = self.types();
        let suggestion =
            crate::text::closest(name, present.iter().map(|(t, _)| t.as_str())).map(str::to_string);
        let listed = if present.is_empty() {
            "the snapshot holds no entities".to_string()
        } else {
            format!(
                "types present: {}",
                present
                    .iter()
                    .map(|(t, n)| format!("{t} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let help = match &suggestion {
            Some(s) => format!("did you mean `{s}`? {listed}"),
            None => listed,
        };
        Err(UnknownEntityType {
            name: name.to_string(),
            present,
            suggestion,
            help,
        })
    }

    /// The accounts, in snapshot order.
    pub fn accounts(&self) -> &[Account] {
        &self.snapshot.accounts
    }

    /// Every region named by an account or an entity, sorted.
    pub fn regions(&self) -> Vec<String> {
        let mut set = BTreeSet::new();
        for a in &self.snapshot.accounts {
            set.extend(a.regions.iter().cloned());
        }
        for t in self.types.values() {
            for m in &t.members {
                if let Some(r) = self.get(t, m).region() {
                    set.insert(r.to_string());
                }
            }
        }
        set.into_iter().collect()
    }

    fn get<'g>(&'g self, t: &'g TypeIndex, m: &Member) -> EntityRef<'g> {
        let account = &self.snapshot.accounts[m.account];
        let type_name = t.spellings[m.spelling].as_str();
        let value = account
            .entities
            .get(type_name)
            .and_then(|v| v.get(m.entity))
            .unwrap_or(&Json::Null);
        EntityRef {
            account: &account.account_number,
            type_name,
            value,
            index: m.entity,
        }
    }

    /// All entities of a type (case-insensitive name), in snapshot order.
    pub fn entities(&self, type_name: &str) -> Vec<EntityRef<'_>> {
        match self.types.get(&type_name.to_lowercase()) {
            Some(t) => t.members.iter().map(|m| self.get(t, m)).collect(),
            None => Vec::new(),
        }
    }

    /// The entities of a type in one entry of [`EntityGraph::accounts`] (by index), in
    /// snapshot order: [`EntityGraph::entities`] is these, account after account.
    pub fn entities_of_account(&self, type_name: &str, account: usize) -> Vec<EntityRef<'_>> {
        match self.types.get(&type_name.to_lowercase()) {
            Some(t) => t
                .by_account
                .get(account)
                .and_then(|r| t.members.get(r.clone()))
                .unwrap_or_default()
                .iter()
                .map(|m| self.get(t, m))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The entities of a type in one account (and, when given, one region).
    pub fn entities_in(
        &self,
        type_name: &str,
        account: &str,
        region: Option<&str>,
    ) -> Vec<EntityRef<'_>> {
        let (Some(t), Some(accounts)) = (
            self.types.get(&type_name.to_lowercase()),
            self.accounts_by_number.get(account),
        ) else {
            return Vec::new();
        };
        accounts
            .iter()
            .flat_map(|&ai| t.members[t.by_account[ai].clone()].iter())
            .map(|m| self.get(t, m))
            .filter(|e| region.is_none() || e.region() == region)
            .collect()
    }

    /// Every entity, in snapshot order (accounts, then types by name).
    pub fn all(&self) -> Vec<EntityRef<'_>> {
        let mut out = Vec::new();
        for account in &self.snapshot.accounts {
            for (ty, entities) in &account.entities {
                for (i, value) in entities.iter().enumerate() {
                    out.push(EntityRef {
                        account: &account.account_number,
                        type_name: ty,
                        value,
                        index: i,
                    });
                }
            }
        }
        out
    }

    /// An entity by exact `id`, else by exact `name`, else by case-insensitive `name`.
    pub fn entity(&self, id_or_name: &str) -> Option<EntityRef<'_>> {
        let all = self.all();
        all.iter()
            .find(|e| e.id() == id_or_name)
            .or_else(|| all.iter().find(|e| e.name() == Some(id_or_name)))
            .or_else(|| {
                all.iter()
                    .find(|e| e.name().is_some_and(|n| n.eq_ignore_ascii_case(id_or_name)))
            })
            .copied()
    }

    /// The collection errors that make data of this type incomplete for this account
    /// and region: same account, the error's region is `None` (global) or equal to
    /// `region`, and the type is among its `entityTypes` (case-insensitive). With
    /// `region == None` (a whole-account object), errors of every region count.
    pub fn errors_affecting(
        &self,
        account: &str,
        region: Option<&str>,
        type_name: &str,
    ) -> Vec<&CollectionError> {
        let Some(indices) = self.errors_by_account.get(account) else {
            return Vec::new();
        };
        indices
            .iter()
            .map(|&i| &self.snapshot.errors[i])
            .filter(|e| match (&e.region, region) {
                (None, _) | (_, None) => true,
                (Some(a), Some(b)) => a == b,
            })
            .filter(|e| {
                e.entity_types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(type_name))
            })
            .collect()
    }

    /// Every property path seen on entities of a type, with the JSON types seen there
    /// and an example value, sorted by path.
    pub fn schema(&self, type_name: &str) -> Vec<PropertyInfo> {
        schema_of(self.entities(type_name).into_iter().map(|e| e.value))
    }
}

/// The paths (schema notation) of some entity values, with what was seen at each: the
/// one walk behind [`EntityGraph::schema`] and the schema's own tests.
pub(crate) fn schema_of<'a>(values: impl IntoIterator<Item = &'a Json>) -> Vec<PropertyInfo> {
    let mut map: BTreeMap<String, PropertyInfo> = BTreeMap::new();
    for v in values {
        let mut seen = BTreeSet::new();
        collect_paths(v, "", &mut map, &mut seen, 0);
    }
    map.into_values().collect()
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn example_of(v: &Json) -> Json {
    match v {
        Json::Array(a) if !a.is_empty() => Json::String("[…]".into()),
        Json::Object(o) if !o.is_empty() => Json::String("{…}".into()),
        Json::String(s) if s.chars().count() > 80 => Json::String(crate::text::clip(s, 81)),
        other => other.clone(),
    }
}

fn collect_paths(
    v: &Json,
    prefix: &str,
    map: &mut BTreeMap<String, PropertyInfo>,
    seen: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    match v {
        Json::Object(o) => {
            for (k, child) in o {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                note(&path, child, map, seen);
                collect_paths(child, &path, map, seen, depth + 1);
            }
        }
        Json::Array(a) => {
            let path = format!("{prefix}[]");
            for child in a {
                if !child.is_object() && !child.is_array() {
                    note(&path, child, map, seen);
                }
                collect_paths(child, &path, map, seen, depth + 1);
            }
        }
        _ => {}
    }
}

fn note(
    path: &str,
    v: &Json,
    map: &mut BTreeMap<String, PropertyInfo>,
    seen: &mut BTreeSet<String>,
) {
    let info = map.entry(path.to_string()).or_insert_with(|| PropertyInfo {
        path: path.to_string(),
        types: BTreeSet::new(),
        example: Json::Null,
        entities: 0,
    });
    info.types.insert(json_type(v));
    let scalar = !v.is_null() && !v.is_array() && !v.is_object();
    let have_scalar =
        !info.example.is_null() && !matches!(info.example.as_str(), Some("[…]") | Some("{…}"));
    if info.example.is_null() && !v.is_null() || scalar && !have_scalar {
        info.example = example_of(v);
    }
    if seen.insert(path.to_string()) {
        info.entities += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EntityGraph {
        EntityGraph::new(
            crate::entity::load::parse_snapshot(crate::entity::SAMPLE_SNAPSHOT, "s").unwrap(),
        )
    }

    #[test]
    fn types_and_lookup() {
        let g = sample();
        let types = g.types();
        assert!(types.contains(&("CloudTrail".to_string(), 2)));
        assert_eq!(g.type_name("cloudtrail"), Some("CloudTrail"));
        assert_eq!(g.entities("CLOUDTRAIL").len(), 2);
        let err = g.check_type("CloudTrial").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("CloudTrail"));
        assert!(err.help.contains("SnsTopic (3)"), "{}", err.help);
        assert_eq!(g.entity("legacy-eu").unwrap().region(), Some("eu-west-1"));
        assert_eq!(
            g.entities_in("SnsTopic", "123456789012", Some("eu-west-1"))
                .len(),
            1
        );
    }

    #[test]
    fn schema_lists_nested_paths() {
        let g = sample();
        let schema = g.schema("CloudTrail");
        let fp = schema
            .iter()
            .find(|p| p.path == "metricFilters[].filterPattern")
            .unwrap();
        assert!(fp.types.contains("string"));
        assert_eq!(fp.entities, 1, "legacy-eu has no metric filters");
        let mf = schema.iter().find(|p| p.path == "metricFilters").unwrap();
        assert_eq!(mf.entities, 2);
        assert_eq!(mf.example, serde_json::json!("[…]"));
        let logging = schema
            .iter()
            .find(|p| p.path == "status.isLogging")
            .unwrap();
        assert!(logging.types.contains("boolean"));
    }
}
