//! What every type's conversion of SDK output shapes to records needs (each type
//! converts its own shapes in its module under [`super::types`]). Pure, no I/O.

use aws_smithy_types::DateTime;
use chrono::{SecondsFormat, TimeZone, Utc};

/// An SDK string field as an owned one.
pub fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

/// An SDK timestamp as RFC 3339 UTC (`2026-11-20T09:58:12Z`).
pub fn timestamp(t: Option<&DateTime>) -> Option<String> {
    let t = t?;
    Utc.timestamp_opt(t.secs(), t.subsec_nanos())
        .single()
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Epoch milliseconds (CloudWatch Logs) as RFC 3339 UTC.
pub fn epoch_millis(ms: Option<i64>) -> Option<String> {
    Utc.timestamp_millis_opt(ms?)
        .single()
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_seconds() {
        let t = DateTime::from_secs_and_nanos(1_763_632_692, 500_000_000);
        assert_eq!(timestamp(Some(&t)).as_deref(), Some("2025-11-20T09:58:12Z"));
        assert_eq!(timestamp(None), None);
        assert_eq!(
            epoch_millis(Some(1_763_632_692_123)).as_deref(),
            Some("2025-11-20T09:58:12Z")
        );
        assert_eq!(epoch_millis(None), None);
    }
}
