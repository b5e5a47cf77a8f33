//! The shapes of the entity types the collectors build (`docs/entities.md`), as a tree:
//! what the checker resolves a rule's property paths against, and what completion
//! offers. One home: the unit tests below hold it against the graph builder
//! (`crate::collect::graph::build_account` over every field of `crate::collect::model`), the
//! sample snapshot and the tables of `docs/entities.md`, so the three cannot drift.
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
            if !matches!(e, PropType::Object(_) | PropType::List(_)) {
                out.push((at.clone(), *e));
            }
            ty = *e;
        }
        if let PropType::Object(children) = ty {
            walk(children, &at, out);
        }
    }
}

/// The entity types the collectors build, by name.
pub fn known_types() -> &'static [EntitySchema] {
    KNOWN
}

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
    // A longer or shorter name is a type of its own (`CloudTrailEvent`), not a typo.
    crate::text::closest(name, KNOWN.iter().map(|s| s.name))
        .filter(|k| k.chars().count().abs_diff(name.chars().count()) <= 2)
}

const fn p(name: &'static str, ty: PropType) -> Property {
    Property {
        name,
        ty,
        nullable: false,
    }
}

/// A property that may be `null`.
const fn n(name: &'static str, ty: PropType) -> Property {
    Property {
        name,
        ty,
        nullable: true,
    }
}

use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// `a` then `b` as one array: a `const` slice cannot be concatenated otherwise, and one
/// list of properties must not be written twice.
const fn join<const N: usize>(a: &[Property], b: &[Property]) -> [Property; N] {
    let mut out = [p("", S); N];
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

const STRINGS: PropType = PropType::List(&S);

const SUBSCRIPTION: &[Property] = &[
    n("subscriptionArn", S),
    n("topicArn", S),
    n("owner", S),
    n("endpoint", S),
    n("protocol", S),
    p("pendingConfirmation", B),
];

const ACTION: &[Property] = &[
    p("action", S),
    p(
        "subscriptions",
        PropType::List(&PropType::Object(SUBSCRIPTION)),
    ),
];

/// An alarm as nested under a metric transformation (and the core of the
/// `CloudWatchAlarm` entity).
const ALARM_CORE: &[Property] = &[
    p("name", S),
    n("arn", S),
    n("description", S),
    n("metricName", S),
    n("namespace", S),
    n("actionsEnabled", B),
    n("stateValue", S),
    p("actions", PropType::List(&PropType::Object(ACTION))),
    p("hasSNSSubscriber", S),
    n("hasSNSSubscriberReason", S),
    p("firesOnOneEvent", S),
    n("firesOnOneEventReason", S),
];

const TRANSFORMATION: &[Property] = &[
    p("metricName", S),
    p("metricNamespace", S),
    p("metricValue", S),
    n("defaultValue", N),
    n("unit", S),
    p("dimensions", PropType::Map(&S)),
    p("alarms", PropType::List(&PropType::Object(ALARM_CORE))),
];

/// A metric filter as nested in a trail's `metricFilters[]` (and the core of the
/// `MetricFilter` entity).
const FILTER_CORE: &[Property] = &[
    p("filterName", S),
    n("filterPattern", S),
    p("logGroupName", S),
    n("creationTime", T),
    p("hasSNSSubscriber", S),
    n("hasSNSSubscriberReason", S),
    p("hasStrictSNSSubscriber", S),
    n("hasStrictSNSSubscriberReason", S),
    p(
        "metricTransformations",
        PropType::List(&PropType::Object(TRANSFORMATION)),
    ),
];

/// A metric filter on a log group no multi-region logging trail delivers to, as listed
/// in every trail's `undeliveredMetricFilters[]`: the filter core plus where it is and
/// why it is not delivered.
const UNDELIVERED_FILTER: &[Property] =
    &join::<{ FILTER_CORE.len() + UNDELIVERED.len() }>(FILTER_CORE, UNDELIVERED);

/// What `undeliveredMetricFilters[]` adds to the filter core.
const UNDELIVERED: &[Property] = &[
    p("region", S),
    p("deliveredByMultiRegionTrail", S),
    p("deliveredByMultiRegionTrailReason", S),
];

const TRAIL_STATUS: &[Property] = &[
    n("isLogging", B),
    n("latestDeliveryTime", T),
    n("latestCloudWatchLogsDeliveryTime", T),
    n("latestDeliveryError", S),
    n("latestCloudWatchLogsDeliveryError", S),
    n("startLoggingTime", T),
    n("stopLoggingTime", T),
    n("latestDigestDeliveryTime", T),
    n("latestDigestDeliveryError", S),
    n("latestNotificationTime", T),
    n("latestNotificationError", S),
];

const DATA_RESOURCE: &[Property] = &[n("type", S), p("values", STRINGS)];

const EVENT_SELECTOR: &[Property] = &[
    n("readWriteType", S),
    n("includeManagementEvents", B),
    p(
        "dataResources",
        PropType::List(&PropType::Object(DATA_RESOURCE)),
    ),
    p("excludeManagementEventSources", STRINGS),
];

const FIELD_SELECTOR: &[Property] = &[
    p("field", S),
    p("equals", STRINGS),
    p("startsWith", STRINGS),
    p("endsWith", STRINGS),
    p("notEquals", STRINGS),
    p("notStartsWith", STRINGS),
    p("notEndsWith", STRINGS),
];

const ADVANCED_SELECTOR: &[Property] = &[
    n("name", S),
    p(
        "fieldSelectors",
        PropType::List(&PropType::Object(FIELD_SELECTOR)),
    ),
];

const TAG: &[Property] = &[p("key", S), n("value", S)];

const DIMENSION: &[Property] = &[n("name", S), n("value", S)];

const ALARM_METRIC: &[Property] = &[
    n("id", S),
    n("metricName", S),
    n("namespace", S),
    p("dimensions", PropType::List(&PropType::Object(DIMENSION))),
];

const CLOUD_TRAIL: &[Property] =
    &join::<{ IDENTITY.len() + CLOUD_TRAIL_OWN.len() }>(IDENTITY, CLOUD_TRAIL_OWN);

/// What a `CloudTrail` has besides its identity.
const CLOUD_TRAIL_OWN: &[Property] = &[
    n("trailArn", S),
    n("homeRegion", S),
    n("isMultiRegionTrail", B),
    n("isOrganizationTrail", B),
    p("ownerAccountNumber", S),
    p("coversThisAccountFromOrganization", B),
    n("includeGlobalServiceEvents", B),
    n("logFileValidationEnabled", B),
    n("kmsKeyId", S),
    n("s3BucketName", S),
    n("s3KeyPrefix", S),
    n("snsTopicName", S),
    n("snsTopicArn", S),
    n("cloudWatchLogsLogGroupArn", S),
    n("cloudWatchLogsRoleArn", S),
    n("hasCustomEventSelectors", B),
    n("hasInsightSelectors", B),
    n("status", PropType::Object(TRAIL_STATUS)),
    n(
        "eventSelectors",
        PropType::List(&PropType::Object(EVENT_SELECTOR)),
    ),
    n(
        "advancedEventSelectors",
        PropType::List(&PropType::Object(ADVANCED_SELECTOR)),
    ),
    p(
        "metricFilters",
        PropType::List(&PropType::Object(FILTER_CORE)),
    ),
    p(
        "undeliveredMetricFilters",
        PropType::List(&PropType::Object(UNDELIVERED_FILTER)),
    ),
    p("hasSNSSubscriber", S),
    n("tags", PropType::List(&PropType::Object(TAG))),
];

/// The identity every standalone entity starts with.
const IDENTITY: &[Property] = &[
    p("id", S),
    p("type", S),
    p("name", S),
    p("accountNumber", S),
    p("region", S),
];

const METRIC_FILTER: &[Property] =
    &join::<{ IDENTITY.len() + FILTER_CORE.len() }>(IDENTITY, FILTER_CORE);

const CLOUD_WATCH_ALARM: &[Property] =
    &join::<{ IDENTITY.len() + CLOUD_WATCH_ALARM_OWN.len() }>(IDENTITY, CLOUD_WATCH_ALARM_OWN);

/// What a `CloudWatchAlarm` has besides its identity.
const CLOUD_WATCH_ALARM_OWN: &[Property] = &[
    p("arn", S),
    n("description", S),
    n("metricName", S),
    n("namespace", S),
    n("actionsEnabled", B),
    n("stateValue", S),
    n("stateUpdatedTimestamp", T),
    p("actions", PropType::List(&PropType::Object(ACTION))),
    p("hasSNSSubscriber", S),
    n("hasSNSSubscriberReason", S),
    p("firesOnOneEvent", S),
    n("firesOnOneEventReason", S),
    p("alarmActions", STRINGS),
    p("okActions", STRINGS),
    p("insufficientDataActions", STRINGS),
    n("statistic", S),
    n("period", N),
    n("evaluationPeriods", N),
    n("threshold", N),
    n("comparisonOperator", S),
    n("treatMissingData", S),
    p("dimensions", PropType::List(&PropType::Object(DIMENSION))),
    p("metrics", PropType::List(&PropType::Object(ALARM_METRIC))),
];

const LOG_GROUP: &[Property] =
    &join::<{ IDENTITY.len() + LOG_GROUP_OWN.len() }>(IDENTITY, LOG_GROUP_OWN);

/// What a `LogGroup` has besides its identity.
const LOG_GROUP_OWN: &[Property] = &[
    p("arn", S),
    n("retentionInDays", N),
    n("kmsKeyId", S),
    n("storedBytes", N),
    n("creationTime", T),
    n("logGroupClass", S),
    p("metricFilterCount", N),
    p(
        "metricFilters",
        PropType::List(&PropType::Object(FILTER_BRIEF)),
    ),
];

const FILTER_BRIEF: &[Property] = &[p("filterName", S), n("filterPattern", S)];

const SNS_TOPIC: &[Property] =
    &join::<{ IDENTITY.len() + SNS_TOPIC_OWN.len() }>(IDENTITY, SNS_TOPIC_OWN);

/// What a `SnsTopic` has besides its identity.
const SNS_TOPIC_OWN: &[Property] = &[
    p("arn", S),
    p(
        "subscriptions",
        PropType::List(&PropType::Object(SUBSCRIPTION)),
    ),
    p("subscriptionsConfirmed", N),
    p("subscriptionsPending", N),
];

const KNOWN: &[EntitySchema] = &[
    EntitySchema {
        name: "CloudTrail",
        properties: CLOUD_TRAIL,
    },
    EntitySchema {
        name: "CloudWatchAlarm",
        properties: CLOUD_WATCH_ALARM,
    },
    EntitySchema {
        name: "LogGroup",
        properties: LOG_GROUP,
    },
    EntitySchema {
        name: "MetricFilter",
        properties: METRIC_FILTER,
    },
    EntitySchema {
        name: "SnsTopic",
        properties: SNS_TOPIC,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::model::Collected;
    use serde_json::Value as Json;
    use std::collections::{BTreeMap, BTreeSet};

    fn accepts(p: &Property, json: &str) -> bool {
        match (json, p.ty) {
            ("null", _) => p.nullable,
            ("string", PropType::String | PropType::Time) => true,
            ("number", PropType::Number) | ("boolean", PropType::Boolean) => true,
            ("array", PropType::List(_)) => true,
            ("object", PropType::Object(_) | PropType::Map(_)) => true,
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
                // Map keys (dimension names) are the user's.
                if segs.len() > 1
                    && schema
                        .property(&segs[..segs.len() - 1])
                        .is_some_and(|p| matches!(p.ty, PropType::Map(_)))
                {
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

    /// Every field of the collector model filled in, joined so that every nested piece
    /// (alarms under transformations, subscriptions under actions) appears; a second
    /// filter without an alarm and a second alarm without actions (which would not fire
    /// on one event) carry the derived reasons; a third filter is on a log group no
    /// trail delivers to (`undeliveredMetricFilters`), with an alarm of its own.
    const FULL: &str = r#"{
      "accountNumber": "111111111111", "regions": ["us-east-1"],
      "trails": [{
        "trail": {"name": "t", "trailArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t",
          "homeRegion": "us-east-1", "isMultiRegionTrail": true, "isOrganizationTrail": false,
          "includeGlobalServiceEvents": true, "logFileValidationEnabled": true, "kmsKeyId": "k",
          "s3BucketName": "b", "s3KeyPrefix": "p", "snsTopicName": "n", "snsTopicArn": "arn:aws:sns:us-east-1:111111111111:n",
          "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:111111111111:log-group:g:*",
          "cloudWatchLogsRoleArn": "arn:aws:iam::111111111111:role/r",
          "hasCustomEventSelectors": true, "hasInsightSelectors": false},
        "status": {"isLogging": true, "latestDeliveryTime": "2026-01-01T00:00:00Z",
          "latestCloudWatchLogsDeliveryTime": "2026-01-01T00:00:00Z", "latestDeliveryError": "e",
          "latestCloudWatchLogsDeliveryError": "e", "startLoggingTime": "2026-01-01T00:00:00Z",
          "stopLoggingTime": "2026-01-01T00:00:00Z", "latestDigestDeliveryTime": "2026-01-01T00:00:00Z",
          "latestDigestDeliveryError": "e", "latestNotificationTime": "2026-01-01T00:00:00Z",
          "latestNotificationError": "e"},
        "eventSelectors": [{"readWriteType": "All", "includeManagementEvents": true,
          "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}],
          "excludeManagementEventSources": ["kms.amazonaws.com"]}],
        "advancedEventSelectors": [{"name": "a", "fieldSelectors": [{"field": "eventCategory",
          "equals": ["Management"], "startsWith": ["x"], "endsWith": ["x"], "notEquals": ["x"],
          "notStartsWith": ["x"], "notEndsWith": ["x"]}]}],
        "tags": [{"key": "k", "value": "v"}]
      }],
      "logGroups": [{"region": "us-east-1", "name": "g", "arn": "arn:aws:logs:us-east-1:111111111111:log-group:g:*",
        "retentionInDays": 90, "kmsKeyId": "k", "storedBytes": 1, "creationTime": "2026-01-01T00:00:00Z",
        "logGroupClass": "STANDARD"}],
      "metricFilters": [{"region": "us-east-1", "filterName": "f", "filterPattern": "{ $.a = 1 }",
        "logGroupName": "g", "creationTime": "2026-01-01T00:00:00Z",
        "metricTransformations": [{"metricName": "M", "metricNamespace": "NS", "metricValue": "1",
          "defaultValue": 0.0, "unit": "Count", "dimensions": {"who": "$.user"}}]},
        {"region": "us-east-1", "filterName": "f2", "filterPattern": "{ $.b = 1 }",
        "logGroupName": "g", "creationTime": "2026-01-01T00:00:00Z",
        "metricTransformations": [{"metricName": "M2", "metricNamespace": "NS", "metricValue": "1",
          "defaultValue": 0.0, "unit": "Count", "dimensions": {}}]},
        {"region": "us-east-1", "filterName": "f3", "filterPattern": "{ $.c = 1 }",
        "logGroupName": "elsewhere", "creationTime": "2026-01-01T00:00:00Z",
        "metricTransformations": [{"metricName": "M3", "metricNamespace": "NS", "metricValue": "1",
          "defaultValue": 0.0, "unit": "Count", "dimensions": {}}]},
        {"region": "us-east-1", "filterName": "f4", "filterPattern": "{ $.d = 1 }",
        "logGroupName": "elsewhere", "creationTime": "2026-01-01T00:00:00Z",
        "metricTransformations": [{"metricName": "M4", "metricNamespace": "NS", "metricValue": "1",
          "defaultValue": 0.0, "unit": "Count", "dimensions": {}}]}],
      "alarms": [{"region": "us-east-1", "name": "a", "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a",
        "description": "d", "metricName": "M", "namespace": "NS", "actionsEnabled": true, "stateValue": "OK",
        "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
        "alarmActions": ["arn:aws:sns:us-east-1:111111111111:n"], "okActions": ["x"],
        "insufficientDataActions": ["x"], "statistic": "Sum", "period": 300, "evaluationPeriods": 1,
        "threshold": 1.0, "comparisonOperator": "GreaterThanOrEqualToThreshold", "treatMissingData": "missing",
        "dimensions": [{"name": "who", "value": "x"}],
        "metrics": [{"id": "m1", "metricName": "M", "namespace": "NS", "dimensions": [{"name": "who", "value": "x"}]}]},
        {"region": "us-east-1", "name": "a2", "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a2",
        "description": "no actions", "metricName": "M", "namespace": "NS", "actionsEnabled": true, "stateValue": "OK",
        "stateUpdatedTimestamp": "2026-01-01T00:00:00Z", "alarmActions": [], "okActions": [],
        "insufficientDataActions": [], "statistic": "Sum", "period": 300, "evaluationPeriods": 1,
        "threshold": 5.0, "comparisonOperator": "GreaterThanOrEqualToThreshold", "treatMissingData": "missing",
        "dimensions": [{"name": "who", "value": "x"}], "metrics": []},
        {"region": "us-east-1", "name": "a3", "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a3",
        "description": "on the undelivered filter", "metricName": "M3", "namespace": "NS", "actionsEnabled": true,
        "stateValue": "OK", "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
        "alarmActions": ["arn:aws:sns:us-east-1:111111111111:n"], "okActions": [], "insufficientDataActions": [],
        "statistic": "Average", "period": 300, "evaluationPeriods": 1, "threshold": 1.0,
        "comparisonOperator": "GreaterThanOrEqualToThreshold", "treatMissingData": "missing",
        "dimensions": [], "metrics": []},
        {"region": "us-east-1", "name": "a4", "arn": "arn:aws:cloudwatch:us-east-1:111111111111:alarm:a4",
        "description": "no actions", "metricName": "M3", "namespace": "NS", "actionsEnabled": true,
        "stateValue": "OK", "stateUpdatedTimestamp": "2026-01-01T00:00:00Z",
        "alarmActions": [], "okActions": [], "insufficientDataActions": [],
        "statistic": "Sum", "period": 300, "evaluationPeriods": 1, "threshold": 1.0,
        "comparisonOperator": "GreaterThanOrEqualToThreshold", "treatMissingData": "missing",
        "dimensions": [], "metrics": []}],
      "topics": [{"region": "us-east-1", "arn": "arn:aws:sns:us-east-1:111111111111:n",
        "subscriptions": [{"subscriptionArn": "arn:aws:sns:us-east-1:111111111111:n:1",
          "topicArn": "arn:aws:sns:us-east-1:111111111111:n", "owner": "111111111111",
          "endpoint": "a@example.com", "protocol": "email"}]}]
    }"#;

    #[test]
    fn the_schema_is_what_the_graph_builder_writes() {
        let collected: Collected = serde_json::from_str(FULL).unwrap();
        let account = crate::collect::graph::build_account(&collected);
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

    /// The property names of the tables of `docs/entities.md` under `## <Type>` (the
    /// first table; for CloudTrail also the `status` table), and every name written in
    /// backticks in the section.
    fn doc_section(doc: &str, ty: &str) -> (Vec<Vec<String>>, BTreeSet<String>) {
        let start = doc
            .find(&format!("\n## {ty}\n"))
            .unwrap_or_else(|| panic!("docs/entities.md has no section {ty}"));
        let rest = &doc[start + 4..];
        let section = &rest[..rest.find("\n## ").unwrap_or(rest.len())];
        let mut tables: Vec<Vec<String>> = Vec::new();
        let mut in_table = false;
        for line in section.lines() {
            if let Some(row) = line.strip_prefix("| `") {
                if !in_table {
                    tables.push(Vec::new());
                    in_table = true;
                }
                let cell = format!("`{}", row.split(" |").next().unwrap_or(""));
                for name in cell.split(',') {
                    let name = name.trim().trim_matches('`').trim_end_matches("[]");
                    if let Some(t) = tables.last_mut() {
                        t.push(name.to_string());
                    }
                }
            } else if !line.starts_with('|') {
                in_table = false;
            }
        }
        let mut words = BTreeSet::new();
        for (i, chunk) in section.split('`').enumerate() {
            if i % 2 == 1 {
                for w in chunk.split(|c: char| !c.is_ascii_alphanumeric()) {
                    words.insert(w.to_string());
                }
            }
        }
        (tables, words)
    }

    #[test]
    fn the_schema_is_what_docs_entities_md_documents() {
        let doc = include_str!("../../docs/entities.md");
        let mut all_words = BTreeSet::new();
        for schema in known_types() {
            let (tables, words) = doc_section(doc, schema.name);
            all_words.extend(words);
            let documented: BTreeSet<&str> = tables[0].iter().map(String::as_str).collect();
            let declared: BTreeSet<&str> = schema.properties.iter().map(|p| p.name).collect();
            assert_eq!(
                documented, declared,
                "{}: the table of docs/entities.md",
                schema.name
            );
            if schema.name == "CloudTrail" {
                let status: BTreeSet<&str> = tables[1].iter().map(String::as_str).collect();
                let declared: BTreeSet<&str> = schema
                    .properties_at(&["status"])
                    .unwrap()
                    .iter()
                    .map(|p| p.name)
                    .collect();
                assert_eq!(status, declared, "CloudTrail: the status table");
            }
        }
        // Nested properties are documented in prose: each name appears in backticks.
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
        assert_eq!(near_type("CloudTrailEvent"), None);
        assert_eq!(near_type("SnsTopics"), Some("SnsTopic"));
        assert!(matches!(trail.ty().field("nmae"), Field::Unknown(_)));
        assert!(matches!(
            PropType::String.field("x"),
            Field::Scalar(PropType::String)
        ));
    }
}
