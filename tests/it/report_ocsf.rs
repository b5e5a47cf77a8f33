//! `gsl check --format ocsf` validated against the OCSF 1.3.0 schema: a pinned copy of
//! the schema's source files (`tests/data/ocsf-1.3.0`, see its SOURCE.md) read the way
//! the OCSF server compiles them (a class extends its parent, includes its include
//! files and the attributes of the profiles an event declares; an attribute's
//! definition is the dictionary's, overridden by each layer, enumerations merged).
//!
//! Every line must be a Compliance Finding whose every attribute the class or object
//! defines, of its type (objects checked recursively, arrays element by element), with
//! an enumerated value, every required attribute present, each `_name`/sibling equal to
//! the caption of its id, and `class_uid`/`type_uid` computed as OCSF computes them.
//! A missing recommended attribute is a warning, and the warnings are pinned too.

use assert_cmd::Command;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn schema_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocsf-1.3.0")
}

fn load(rel: &str) -> Json {
    let path = schema_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `b` over `a`: objects merged key by key (enumerations too), anything else replaced.
fn merge(a: &Json, b: &Json) -> Json {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            let mut out = x.clone();
            for (k, v) in y {
                let merged = match out.get(k) {
                    Some(old) => merge(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Json::Object(out)
        }
        (_, b) => b.clone(),
    }
}

struct Schema {
    dictionary: Json,
    /// The profiles the event declares (`metadata.profiles`).
    profiles: BTreeSet<String>,
}

/// A compiled class or object: its caption, and each attribute's full definition.
struct Compiled {
    caption: String,
    uid: Option<u64>,
    attributes: BTreeMap<String, Json>,
}

impl Schema {
    /// The file of an event class or object by name (`finding` → its file).
    fn file_of(&self, name: &str, object: bool) -> String {
        if object {
            return format!("objects/{name}.json");
        }
        match name {
            "base_event" => "events/base_event.json".into(),
            other => format!("events/findings/{other}.json"),
        }
    }

    /// The layers of a definition, with its includes and the declared profiles.
    fn attributes(&self, file: &str, object: bool) -> (Json, Map<String, Json>) {
        let def = load(file);
        let mut attrs = match def.get("extends").and_then(Json::as_str) {
            Some(parent) => self.attributes(&self.file_of(parent, object), object).1,
            None => Map::new(),
        };
        let own = def["attributes"].as_object().cloned().unwrap_or_default();
        let mut layers = Vec::new();
        if let Some(includes) = own.get("$include").and_then(Json::as_array) {
            for inc in includes.iter().filter_map(Json::as_str) {
                let included = load(inc);
                if inc.starts_with("profiles/")
                    && !self
                        .profiles
                        .contains(included["name"].as_str().unwrap_or_default())
                {
                    continue;
                }
                layers.push(
                    included["attributes"]
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                );
            }
        }
        layers.push(own);
        for layer in layers {
            for (k, v) in layer {
                if k == "$include" {
                    continue;
                }
                let merged = match attrs.get(&k) {
                    Some(old) => merge(old, &v),
                    None => v,
                };
                attrs.insert(k, merged);
            }
        }
        (def, attrs)
    }

    fn compile(&self, name: &str, object: bool) -> Compiled {
        let (def, attrs) = self.attributes(&self.file_of(name, object), object);
        let attributes = attrs
            .into_iter()
            .map(|(k, v)| {
                let base = self.dictionary["attributes"]
                    .get(&k)
                    .unwrap_or_else(|| panic!("{k} is not in the dictionary"));
                (k, merge(base, &v))
            })
            .collect();
        Compiled {
            caption: def["caption"].as_str().unwrap_or_default().to_string(),
            uid: def["uid"].as_u64(),
            attributes,
        }
    }

    /// The base type of a dictionary type (`timestamp_t` → `long_t`), or `None` for an
    /// object type.
    fn base_type(&self, t: &str) -> Option<String> {
        let types = &self.dictionary["types"]["attributes"];
        let def = types.get(t)?;
        Some(match def.get("type").and_then(Json::as_str) {
            Some(parent) => self.base_type(parent).unwrap_or_else(|| parent.to_string()),
            None => t.to_string(),
        })
    }
}

#[derive(Default)]
struct Findings {
    errors: Vec<String>,
    warnings: BTreeSet<String>,
}

fn validate_object(schema: &Schema, c: &Compiled, v: &Json, at: &str, out: &mut Findings) {
    let Some(obj) = v.as_object() else {
        out.errors
            .push(format!("{at}: expected an object, found {v}"));
        return;
    };
    for (k, x) in obj {
        let path = format!("{at}.{k}");
        let Some(def) = c.attributes.get(k) else {
            out.errors
                .push(format!("{path}: not an attribute of {}", c.caption));
            continue;
        };
        let ty = def["type"].as_str().unwrap_or_default();
        if def["is_array"] == true {
            match x.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        validate_value(schema, def, ty, item, &format!("{path}[{i}]"), out);
                    }
                }
                None => out
                    .errors
                    .push(format!("{path}: expected an array, found {x}")),
            }
        } else {
            validate_value(schema, def, ty, x, &path, out);
        }
        // An id and its name: `status` is the caption of `status_id` (99: the source's).
        if let (Some(sibling), Some(id)) = (def["sibling"].as_str(), x.as_u64()) {
            if let (Some(name), Some(caption)) = (
                obj.get(sibling).and_then(Json::as_str),
                def["enum"][id.to_string()]["caption"].as_str(),
            ) {
                if id != 99 && name != caption {
                    out.errors.push(format!(
                        "{at}.{sibling}: {name:?}, but {k} {id} is {caption:?}"
                    ));
                }
            }
        }
    }
    for (k, def) in &c.attributes {
        if obj.contains_key(k) {
            continue;
        }
        match def["requirement"].as_str() {
            Some("required") => out.errors.push(format!("{at}.{k}: required, missing")),
            // A deprecated attribute is not recommended any more (`resource`).
            Some("recommended") if def.get("@deprecated").is_none() => {
                out.warnings.insert(format!("{at}.{k}"));
            }
            _ => {}
        }
    }
}

fn validate_value(schema: &Schema, def: &Json, ty: &str, x: &Json, at: &str, out: &mut Findings) {
    if x.is_null() {
        out.errors.push(format!("{at}: null is not a {ty}"));
        return;
    }
    match schema.base_type(ty) {
        Some(base) => {
            let ok = match base.as_str() {
                "string_t" => x.is_string(),
                "integer_t" | "long_t" => x.is_i64() || x.is_u64(),
                "float_t" => x.is_number(),
                "boolean_t" => x.is_boolean(),
                "json_t" => true,
                other => panic!("unknown base type {other}"),
            };
            if !ok {
                out.errors.push(format!("{at}: {x} is not a {ty}"));
            }
            // The uids of the classification are computed (checked in validate_event).
            let computed = at.ends_with("class_uid")
                || at.ends_with("category_uid")
                || at.ends_with("type_uid");
            if let (Some(values), Some(n), false) = (def["enum"].as_object(), x.as_u64(), computed)
            {
                if !values.contains_key(&n.to_string()) {
                    out.errors.push(format!(
                        "{at}: {n} is none of {:?}",
                        values.keys().collect::<Vec<_>>()
                    ));
                }
            }
        }
        // `object`: free-form (`unmapped`).
        None if ty == "object" => {
            if !x.is_object() {
                out.errors.push(format!("{at}: {x} is not an object"));
            }
        }
        None => {
            let c = schema.compile(ty, true);
            validate_object(schema, &c, x, at, out);
        }
    }
}

/// Validate one event as the class named by its `class_uid`.
fn validate_event(event: &Json) -> Findings {
    let profiles = event["metadata"]["profiles"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(Json::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let schema = Schema {
        dictionary: load("dictionary.json"),
        profiles,
    };
    let mut out = Findings::default();
    let class = schema.compile("compliance_finding", false);
    validate_object(&schema, &class, event, "$", &mut out);
    // The numbers OCSF computes: class_uid from the category, type_uid from the class
    // and the activity; and the names of each.
    let categories = load("categories.json");
    let category = &categories["attributes"]["findings"];
    let class_uid = category["uid"].as_u64().unwrap() * 1000 + class.uid.unwrap();
    let activity = event["activity_id"].as_u64().unwrap_or(0);
    let activity_caption = class.attributes["activity_id"]["enum"][activity.to_string()]["caption"]
        .as_str()
        .unwrap_or("?")
        .to_string();
    let want = [
        ("category_uid", category["uid"].clone()),
        ("category_name", category["caption"].clone()),
        ("class_uid", Json::from(class_uid)),
        ("class_name", Json::from(class.caption.clone())),
        ("type_uid", Json::from(class_uid * 100 + activity)),
        (
            "type_name",
            Json::from(format!("{}: {activity_caption}", class.caption)),
        ),
        ("activity_name", Json::from(activity_caption)),
    ];
    for (k, v) in want {
        if event[k] != v {
            out.errors
                .push(format!("$.{k}: {}, OCSF 1.3.0 says {v}", event[k]));
        }
    }
    if event["metadata"]["version"] != "1.3.0" {
        out.errors.push("$.metadata.version is not 1.3.0".into());
    }
    out
}

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn ocsf(args: &[&str]) -> Vec<Json> {
    let out = gsl()
        .args(["check", "--format", "ocsf"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

/// The recommended attributes gsl has nothing for (a compliance check over a snapshot
/// has no observables, device, analytic, owner, log provider or tenant, and a
/// snapshot does not name its accounts).
const UNFILLED: &[&str] = &[
    "$.cloud.account.name",
    "$.confidence_id",
    "$.device",
    "$.observables",
    "$.finding_info.analytic",
    "$.metadata.log_name",
    "$.metadata.log_provider",
    "$.metadata.original_time",
    "$.metadata.tenant_uid",
    "$.resources[0].owner",
    "$.timezone_offset",
];

#[test]
fn every_line_is_a_valid_ocsf_1_3_compliance_finding() {
    let events = ocsf(&[]);
    assert!(events.len() > 20);
    let mut warnings = BTreeSet::new();
    for event in &events {
        let found = validate_event(event);
        assert!(
            found.errors.is_empty(),
            "{}:\n{}",
            event["finding_info"]["uid"],
            found.errors.join("\n")
        );
        warnings.extend(found.warnings);
    }
    let unexpected: Vec<&String> = warnings
        .iter()
        .filter(|w| !UNFILLED.contains(&w.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "recommended, missing: {unexpected:?}"
    );
}

#[test]
fn the_check_result_is_the_compliance_status_and_review_state_the_finding_status() {
    let events = ocsf(&[]);
    let find = |id: &str, code: &str| {
        events
            .iter()
            .find(|e| e["metadata"]["event_code"] == id && e["status_code"] == code)
            .unwrap_or_else(|| panic!("{id} {code}"))
    };
    let failed = find("D9.AWS.LOG.01", "FAIL");
    assert_eq!(failed["compliance"]["status_id"], 3);
    assert_eq!(failed["compliance"]["status"], "Fail");
    assert_eq!(failed["status"], "New");
    assert_eq!(failed["cloud"]["region"], "eu-west-1");
    assert_eq!(failed["resources"][0]["region"], "eu-west-1");
    let passed = find("D9.AWS.LOG.01", "PASS");
    assert_eq!(passed["compliance"]["status"], "Pass");
    assert_eq!(passed["status"], "Resolved");
    // An account-wide result covers every region.
    let account_wide = find("CIS-AWS-4.3", "FAIL");
    assert_eq!(account_wide["cloud"]["region"], "global");
    assert_eq!(
        account_wide["compliance"]["standards"],
        serde_json::json!(["CIS AWS Foundations v5.0.0 4.3"])
    );
    assert_eq!(account_wide["compliance"]["control"], "CIS-AWS-4.3");
}

#[test]
fn the_validator_rejects_what_ocsf_1_3_does_not_define() {
    let good = ocsf(&["--id", "D9.AWS.LOG.01"]).remove(0);
    let found = validate_event(&good);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let broken = |f: &dyn Fn(&mut Json)| {
        let mut e = good.clone();
        f(&mut e);
        validate_event(&e).errors.join("\n")
    };
    // The old output: a Detection Finding with a compliance object.
    let wrong_class = broken(&|e| {
        e["class_uid"] = 2004.into();
        e["type_uid"] = 200401.into();
    });
    assert!(wrong_class.contains("$.class_uid"), "{wrong_class}");
    assert!(broken(&|e| e["cloud"]["region"] = Json::Null).contains("null is not a string_t"));
    assert!(broken(&|e| e["status_id"] = 7.into()).contains("7 is none of"));
    assert!(broken(&|e| e["status"] = "Open".into()).contains("but status_id"));
    assert!(broken(&|e| e["resources"][0]["colour"] = "red".into()).contains("not an attribute"));
    assert!(broken(&|e| {
        e["compliance"].as_object_mut().unwrap().remove("standards");
    })
    .contains("$.compliance.standards: required, missing"));
    assert!(broken(&|e| e["time"] = "yesterday".into()).contains("is not a timestamp_t"));
}
