//! What could not be collected, before it is attributed to an account: the issues the
//! types' plans and calls raise (each type's own decisions, which trails are one trail,
//! which topics to ask for, ..., live in its module under [`super::types`]). Pure.

use super::types::affected_entity_types;
use super::Service;
use crate::entity::CollectionError;

/// Something that could not be collected, before it is attributed to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Region of the call (`None`: global).
    pub region: Option<String>,
    /// Service of the call.
    pub service: Service,
    /// The operation that failed or could not be made.
    pub operation: &'static str,
    /// AWS error code, or one of ours (`OtherAccount`, `MissingTrailArn`, ...).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The missing data was on a trail's alarm chain.
    pub on_chain: bool,
}

impl Issue {
    /// The snapshot's record of this issue in `account`.
    pub fn into_error(self, account: &str) -> CollectionError {
        CollectionError {
            account_number: account.to_string(),
            region: self.region,
            service: self.service.as_str().to_string(),
            operation: self.operation.to_string(),
            code: self.code,
            message: self.message,
            entity_types: affected_entity_types(self.service, self.operation, self.on_chain),
        }
    }
}
