//! The shapes of the entity types the collectors build (`docs/entities.md`), as a tree:
//! what the checker resolves a rule's property paths against, and what completion
//! offers. The types and their properties are declared by the collected types'
//! modules (`crate::collect::types`, one module per type, no SDK); this module reads
//! that list and gives the declarations their helpers (`p`, `n`, `opt`, `identity`,
//! `join`). The unit tests below hold the declarations against the graph builder
//! (`crate::collect::graph::build_account` over every field of the records) and the
//! sample snapshot; `docs/entities.md` is generated from them.
//!
//! ```
//! use gsl::entity::schema::{self, PropType};
//!
//! let trail = schema::entity_schema("CloudTrail").unwrap();
//! assert_eq!(trail.name, "CloudTrail");
//! assert_eq!(trail.property(&["status", "isLogging"]).map(|p| p.ty), Some(PropType::Boolean));
//! // Through a list, a path names the properties of its elements.
//! let names: Vec<&str> = trail.properties_at(&["metricFilters"]).unwrap().iter().map(|p| p.name).collect();
//! assert!(names.contains(&"filterPattern"));
//! ```

/// The type of a property.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PropType {
    /// A string.
    String,
    /// A number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// An RFC 3339 time string (UTC, to the second).
    Time,
    /// An object with these properties.
    Object(&'static [Property]),
    /// A list whose elements have this type.
    List(&'static PropType),
    /// An object whose keys are chosen by the user (metric dimensions), with values of
    /// this type.
    Map(&'static PropType),
    /// Any JSON value, walked by whatever path a rule writes (a policy document: its
    /// `Statement`, `Condition` and keys are the author's, not a fixed shape).
    Json,
}

impl PropType {
    /// How the type is written in messages and in `docs/entities.md`: `string`,
    /// `list of object`, ...
    pub fn describe(&self) -> String {
        match self {
            PropType::String => "string".into(),
            PropType::Number => "number".into(),
            PropType::Boolean => "boolean".into(),
            PropType::Time => "time".into(),
            PropType::Object(_) => "object".into(),
            PropType::List(e) => format!("list of {}", e.describe()),
            PropType::Map(v) => format!("map of {}", v.describe()),
            PropType::Json => "JSON".into(),
        }
    }

    /// The properties of an object; of a list's elements when this is a list.
    pub fn properties(&self) -> Option<&'static [Property]> {
        match self {
            PropType::Object(props) => Some(props),
            PropType::List(e) => e.properties(),
            _ => None,
        }
    }

    /// What one step `name` into a value of this type reaches, as the evaluator walks
    /// it (`src/lang/eval/path.rs`): through an object its property, through a list the
    /// property of its elements, through a map any key.
    pub fn field(&self, name: &str) -> Field {
        match self {
            PropType::Object(props) => match props.iter().find(|p| p.name == name) {
                Some(p) => Field::Found(p.ty),
                None => Field::Unknown(props),
            },
            PropType::List(e) => e.field(name),
            PropType::Map(v) => Field::Found(**v),
            PropType::Json => Field::Found(PropType::Json),
            scalar => Field::Scalar(*scalar),
        }
    }

    /// The type of the elements a list operator (`with [..]`, `contain [..]`) sees: a
    /// list's element type; any other value is its own single element.
    pub fn element(&self) -> PropType {
        match self {
            PropType::List(e) => **e,
            other => *other,
        }
    }
}

/// The answer of [`PropType::field`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field {
    /// The property exists, with this type.
    Found(PropType),
    /// The object has no such property; these are the ones it has.
    Unknown(&'static [Property]),
    /// The value is a scalar of this type: it has no properties.
    Scalar(PropType),
}

/// One property of an object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Property {
    /// The name (case-sensitive, camelCase).
    pub name: &'static str,
    /// Its type.
    pub ty: PropType,
    /// Whether it may be `null` (AWS returned no value, or it could not be collected).
    pub nullable: bool,
    /// Whether it may be absent (a derived reason, written only when it applies).
    pub optional: bool,
    /// Where it comes from: the AWS API field, or how it is derived (the "AWS source"
    /// column of `docs/entities.md`).
    pub source: &'static str,
}

/// An entity type the collectors build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntitySchema {
    /// The type name, as the collectors spell it (`CloudTrail`).
    pub name: &'static str,
    /// Its properties, identity (`id`, `type`, `name`, `accountNumber`, `region`) first.
    pub properties: &'static [Property],
}

impl EntitySchema {
    /// The entity as a type (an object of its properties).
    pub fn ty(&self) -> PropType {
        PropType::Object(self.properties)
    }

    /// The property at `path` (through lists, the elements' property).
    pub fn property(&self, path: &[&str]) -> Option<&'static Property> {
        let (last, parents) = path.split_last()?;
        self.properties_at(parents)?
            .iter()
            .find(|p| p.name == *last)
    }

    /// The properties of the object at `path` (`[]`: the entity's own; through a list,
    /// its elements'), or `None` when `path` names nothing or a scalar.
    pub fn properties_at(&self, path: &[&str]) -> Option<&'static [Property]> {
        let mut ty = self.ty();
        for seg in path {
            match ty.field(seg) {
                Field::Found(t) => ty = t,
                _ => return None,
            }
        }
        ty.properties()
    }

    /// Every property path, dotted, list elements written `[]`
    /// (`metricFilters[].filterPattern`): the notation of
    /// [`EntityGraph::schema`](super::graph::EntityGraph::schema).
    pub fn paths(&self) -> Vec<(String, PropType)> {
        let mut out = Vec::new();
        walk(self.properties, "", &mut out);
        out
    }
}

/// The property names of a path in the notation of [`EntitySchema::paths`]
/// (`metricFilters[].filterPattern` → `metricFilters`, `filterPattern`): lists are
/// transparent.
pub fn path_segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('.').map(|s| s.trim_end_matches("[]"))
}

fn walk(props: &[Property], prefix: &str, out: &mut Vec<(String, PropType)>) {
    for p in props {
        let path = if prefix.is_empty() {
            p.name.to_string()
        } else {
            format!("{prefix}.{}", p.name)
        };
        out.push((path.clone(), p.ty));
        let mut ty = p.ty;
        let mut at = path;
        while let PropType::List(e) = ty {
            at.push_str("[]");
            if !matches!(
                e,
                PropType::Object(_) | PropType::List(_) | PropType::Map(_)
            ) {
                out.push((at.clone(), *e));
            }
            ty = *e;
        }
        if let PropType::Object(children) = ty {
            walk(children, &at, out);
        }
    }
}

/// The entity types the collectors build, in the order they are registered
/// (`crate::collect::types::TYPES`).
pub fn known_types() -> &'static [EntitySchema] {
    KNOWN
}

/// The schemas of the registered collected types.
const KNOWN: &[EntitySchema] = &{
    use crate::collect::types::TYPES;
    let mut out = [EntitySchema {
        name: "",
        properties: &[],
    }; TYPES.len()];
    let mut i = 0;
    while i < TYPES.len() {
        out[i] = EntitySchema {
            name: TYPES[i].name,
            properties: TYPES[i].properties,
        };
        i += 1;
    }
    out
};

/// A known entity type by its exact name (`CloudTrail`). A case variant
/// (`cloudtrail`) is not the known type: see [`near_type`].
pub fn entity_schema(name: &str) -> Option<&'static EntitySchema> {
    KNOWN.iter().find(|s| s.name == name)
}

/// The known type a misspelt type name most likely means (`CloudTrial`, `CloudTrails`),
/// if `name` is not itself one.
pub fn near_type(name: &str) -> Option<&'static str> {
    // A case variant is a type of its own: CloudGuard's lowercase `cloudtrail` is
    // the event log of its Intelligence queries (`cloudtrail where event.name = ...`),
    // not the trail. It is checked against the snapshot, as every other type is.
    if KNOWN.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
        return None;
    }
    // A longer or shorter name is a type of its own (`CloudTrailEvent`). A name of
    // another length is a typo only when the letters added or dropped are all there
    // is to it (at most two edits: `CloudTrails`), not when it merely shares a prefix
    // (`SecurityGroup` is not a misspelt `SecurityHub`); a known name with a word
    // before it is a type of its own too (GCP's `VMInstance`, `EC2Instance`).
    crate::text::closest(name, KNOWN.iter().map(|s| s.name))
        .filter(|k| {
            let (a, b) = (k.chars().count(), name.chars().count());
            a.abs_diff(b) <= 2
                && (a == b
                    || strsim::damerau_levenshtein(&k.to_lowercase(), &name.to_lowercase()) <= 2)
        })
        .filter(|k| !(name.len() > k.len() && name.ends_with(k)))
}

/// A property that is always present, from `source`.
pub const fn p(name: &'static str, ty: PropType, source: &'static str) -> Property {
    Property {
        name,
        ty,
        nullable: false,
        optional: false,
        source,
    }
}

/// A property that may be `null`.
pub const fn n(name: &'static str, ty: PropType, source: &'static str) -> Property {
    Property {
        nullable: true,
        ..p(name, ty, source)
    }
}

/// A property written only when it applies (absent otherwise).
pub const fn opt(name: &'static str, ty: PropType, source: &'static str) -> Property {
    Property {
        optional: true,
        ..p(name, ty, source)
    }
}

/// A list of strings.
pub const STRINGS: PropType = PropType::List(&PropType::String);

/// How many properties [`identity`] gives.
pub const IDENTITY_LEN: usize = 5;

/// The identity every standalone entity starts with: `id`, `type`, `name`,
/// `accountNumber` and `region`, with the sources of the id, the type name (as a
/// literal), the name and the region.
pub const fn identity(
    id: &'static str,
    ty: &'static str,
    name: &'static str,
    region: &'static str,
) -> [Property; IDENTITY_LEN] {
    use PropType::String as S;
    [
        p("id", S, id),
        p("type", S, ty),
        p("name", S, name),
        p(
            "accountNumber",
            S,
            "STS `GetCallerIdentity` `Account` (the collecting account)",
        ),
        p("region", S, region),
    ]
}

/// `a` then `b` as one array: a `const` slice cannot be concatenated otherwise, and one
/// list of properties must not be written twice.
pub const fn join<const N: usize>(a: &[Property], b: &[Property]) -> [Property; N] {
    let mut out = [p("", PropType::String, ""); N];
    let mut i = 0;
    while i < a.len() {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < b.len() {
        out[i + j] = b[j];
        j += 1;
    }
    assert!(i + j == N, "join: N is not the sum of the lengths");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::types::Collected;
    use serde_json::Value as Json;
    use std::collections::{BTreeMap, BTreeSet};

    fn accepts(p: &Property, json: &str) -> bool {
        match (json, p.ty) {
            ("null", _) => p.nullable,
            ("string", PropType::String | PropType::Time) => true,
            ("number", PropType::Number) | ("boolean", PropType::Boolean) => true,
            ("array", PropType::List(_)) => true,
            ("object", PropType::Object(_) | PropType::Map(_)) => true,
            (_, PropType::Json) => true,
            _ => false,
        }
    }

    fn check_entities(
        schema: &EntitySchema,
        entities: &[Json],
        complete: bool,
    ) -> Result<(), String> {
        let seen: BTreeMap<String, BTreeSet<&'static str>> =
            crate::entity::graph::schema_of(entities)
                .into_iter()
                .map(|p| (p.path, p.types))
                .collect();
        let declared: BTreeMap<String, PropType> = schema.paths().into_iter().collect();
        for (path, kinds) in &seen {
            let segs: Vec<&str> = path_segments(path).collect();
            let Some(prop) = schema.property(&segs) else {
                // Map keys (dimension names, condition keys) are the user's: below a
                // map, or each map of a list; so is everything inside a JSON value (a
                // policy document, below).
                if (1..segs.len()).any(|i| {
                    schema
                        .property(&segs[..i])
                        .is_some_and(|p| matches!(p.ty.element(), PropType::Map(_)))
                }) {
                    continue;
                }
                if (1..segs.len()).any(|i| {
                    schema
                        .property(&segs[..i])
                        .is_some_and(|p| p.ty.element() == PropType::Json)
                }) {
                    continue;
                }
                return Err(format!(
                    "{}: `{path}` is built but not in the schema",
                    schema.name
                ));
            };
            if path.ends_with("[]") {
                continue;
            }
            for k in kinds {
                if !accepts(prop, k) {
                    return Err(format!(
                        "{}: `{path}` is {k}, the schema says {}{}",
                        schema.name,
                        prop.ty.describe(),
                        if prop.nullable { " / null" } else { "" }
                    ));
                }
            }
        }
        if complete {
            for path in declared.keys() {
                if !seen.contains_key(path) {
                    return Err(format!(
                        "{}: `{path}` is in the schema but the graph builder never writes it",
                        schema.name
                    ));
                }
            }
        }
        Ok(())
    }

    fn full() -> Collected {
        crate::collect::types::example_account()
    }

    #[test]
    fn the_schema_is_what_the_graph_builder_writes() {
        let account = crate::collect::graph::build_account(&full());
        for schema in known_types() {
            let entities = account
                .entities
                .get(schema.name)
                .unwrap_or_else(|| panic!("no {} built", schema.name));
            assert!(!entities.is_empty(), "no {} built", schema.name);
            check_entities(schema, entities, true).unwrap();
        }
        let built: BTreeSet<&str> = account.entities.keys().map(String::as_str).collect();
        let known: BTreeSet<&str> = known_types().iter().map(|s| s.name).collect();
        assert_eq!(built, known, "every type the collectors build has a schema");
    }

    #[test]
    fn the_sample_snapshot_follows_the_schema() {
        let snap =
            crate::entity::load::parse_snapshot(crate::entity::SAMPLE_SNAPSHOT, "s").unwrap();
        for account in &snap.accounts {
            for (ty, entities) in &account.entities {
                let schema = entity_schema(ty).unwrap_or_else(|| panic!("unknown type {ty}"));
                check_entities(schema, entities, false).unwrap();
            }
        }
    }

    /// Every name written in backticks in the section `## <Type>` of `docs/entities.md`.
    fn doc_words(doc: &str, ty: &str) -> BTreeSet<String> {
        let start = doc
            .find(&format!("\n## {ty}\n"))
            .unwrap_or_else(|| panic!("docs/entities.md has no section {ty}"));
        let rest = &doc[start + 4..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let mut words = BTreeSet::new();
        for (i, chunk) in section.split('`').enumerate() {
            if i % 2 == 1 {
                for w in chunk.split(|c: char| !c.is_ascii_alphanumeric()) {
                    words.insert(w.to_string());
                }
            }
        }
        words
    }

    /// The tables of `docs/entities.md` are generated from the declarations
    /// (`crate::collect::types::docs`); what they do not tabulate (nested lists) is
    /// written in prose, where each name must appear in backticks.
    #[test]
    fn every_property_is_documented() {
        let doc = include_str!("../../docs/entities.md");
        let mut all_words = BTreeSet::new();
        for schema in known_types() {
            all_words.extend(doc_words(doc, schema.name));
            for p in schema.properties {
                assert!(
                    !p.source.is_empty(),
                    "{}: `{}` has no source",
                    schema.name,
                    p.name
                );
            }
        }
        for schema in known_types() {
            for (path, _) in schema.paths() {
                let leaf = path
                    .rsplit('.')
                    .next()
                    .unwrap_or(&path)
                    .trim_end_matches("[]");
                assert!(
                    all_words.contains(leaf),
                    "{}: `{path}` is not documented in docs/entities.md",
                    schema.name
                );
            }
        }
    }

    #[test]
    fn lookups() {
        let trail = entity_schema("CloudTrail").unwrap();
        // A case variant is a type of its own (CloudGuard's `cloudtrail` event log).
        assert!(entity_schema("CLOUDTRAIL").is_none());
        assert!(entity_schema("cloudtrail").is_none());
        assert_eq!(
            trail
                .property(&[
                    "metricFilters",
                    "metricTransformations",
                    "alarms",
                    "actions",
                    "subscriptions",
                    "pendingConfirmation"
                ])
                .map(|p| p.ty),
            Some(PropType::Boolean)
        );
        assert!(trail.property(&["status", "isloging"]).is_none());
        assert!(trail.properties_at(&["name"]).is_none());
        assert_eq!(near_type("CloudTrial"), Some("CloudTrail"));
        assert_eq!(near_type("CloudTrails"), Some("CloudTrail"));
        assert_eq!(near_type("cloudtrail"), None);
        assert_eq!(near_type("SecurityGroup"), None);
        assert_eq!(near_type("SecurityHubb"), Some("SecurityHub"));
        assert_eq!(near_type("CloudTrailEvent"), None);
        assert_eq!(near_type("SnsTopics"), Some("SnsTopic"));
        assert_eq!(near_type("VMInstance"), None);
        assert_eq!(near_type("Instanse"), Some("Instance"));
        assert!(matches!(trail.ty().field("nmae"), Field::Unknown(_)));
        assert!(matches!(
            PropType::String.field("x"),
            Field::Scalar(PropType::String)
        ));
    }
}
