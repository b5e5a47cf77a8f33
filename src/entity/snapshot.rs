//! The snapshot file: a versioned JSON document holding the entity graph of one or
//! more accounts, as collected at one time. Documented in `docs/snapshot.md`.
//!
//! ```json
//! {
//!   "schemaVersion": 1,
//!   "generator": { "name": "gsl", "version": "0.1.0" },
//!   "collectedAt": "2026-11-20T10:00:00Z",
//!   "accounts": [
//!     { "accountNumber": "123456789012",
//!       "regions": ["us-east-1", "eu-west-1"],
//!       "entities": { "CloudTrail": [ { "id": "...", "type": "CloudTrail", ... } ] } }
//!   ],
//!   "errors": [
//!     { "accountNumber": "123456789012", "region": "eu-west-1", "service": "cloudwatch",
//!       "operation": "DescribeAlarms", "code": "AccessDenied", "message": "...",
//!       "entityTypes": ["CloudTrail", "CloudWatchAlarm"] }
//!   ]
//! }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole snapshot file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Format version; readers reject versions they do not know.
    pub schema_version: u32,
    /// The tool that wrote the file.
    #[serde(default)]
    pub generator: Generator,
    /// When collection started (RFC 3339, UTC).
    #[serde(default)]
    pub collected_at: Option<String>,
    /// The accounts, each with its regions and entities by type.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// What could not be collected. Rules over affected entity types report `unknown`
    /// for the affected account (and region) instead of passing.
    #[serde(default)]
    pub errors: Vec<CollectionError>,
}

/// Who wrote a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Generator {
    /// Tool name.
    pub name: String,
    /// Tool version.
    pub version: String,
}

impl Default for Generator {
    fn default() -> Self {
        Generator {
            name: "gsl".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// One account of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The 12-digit account id.
    pub account_number: String,
    /// The regions that were collected.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Entities by type name (`CloudTrail`, `LogGroup`, `MetricFilter`,
    /// `CloudWatchAlarm`, `SnsTopic`). Each entity is a JSON object with at least
    /// `id`, `type`, `accountNumber` and `region`.
    #[serde(default)]
    pub entities: BTreeMap<String, Vec<Json>>,
}

/// One failed collection step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionError {
    /// The account it happened in.
    pub account_number: String,
    /// The region, or `None` for a global/account-wide failure.
    #[serde(default)]
    pub region: Option<String>,
    /// AWS service (`cloudtrail`, `logs`, `cloudwatch`, `sns`, `sts`).
    pub service: String,
    /// API operation (`DescribeAlarms`).
    pub operation: String,
    /// Error code (`AccessDenied`, `Throttling`, `Unreachable`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Entity types whose data is incomplete because of this error.
    #[serde(default)]
    pub entity_types: Vec<String>,
}

impl Snapshot {
    /// An empty snapshot stamped with this tool's version and no collection time.
    pub fn new() -> Self {
        Snapshot {
            schema_version: SCHEMA_VERSION,
            generator: Generator::default(),
            collected_at: None,
            accounts: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot::new()
    }
}
