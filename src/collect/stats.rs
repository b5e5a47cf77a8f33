//! API call counting (`--stats`).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// Thread-safe call counters, one per (service, operation). Every page of a
/// paginated call counts as one call; retries inside the SDK do not.
#[derive(Debug, Default)]
pub struct ApiCounter {
    counts: Mutex<BTreeMap<(String, String), OperationStats>>,
}

impl ApiCounter {
    /// Count one call and whether it failed (after the SDK's retries).
    pub fn record(&self, service: &str, operation: &str, failed: bool) {
        if let Ok(mut counts) = self.counts.lock() {
            let entry = counts
                .entry((service.to_string(), operation.to_string()))
                .or_default();
            entry.calls += 1;
            if failed {
                entry.errors += 1;
            }
        }
    }

    /// The counts so far.
    pub fn snapshot(&self) -> Stats {
        let counts = match self.counts.lock() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        Stats {
            operations: counts
                .into_iter()
                .map(|((service, operation), s)| OperationCount {
                    service,
                    operation,
                    calls: s.calls,
                    errors: s.errors,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct OperationStats {
    calls: u64,
    errors: u64,
}

/// API calls made by one collection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Per operation, sorted by service then operation.
    pub operations: Vec<OperationCount>,
}

/// Calls to one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationCount {
    /// `cloudtrail`, `logs`, `cloudwatch`, `sns`, `sts`.
    pub service: String,
    /// `DescribeTrails`, ...
    pub operation: String,
    /// Calls made (pages count one each).
    pub calls: u64,
    /// Calls that failed after the SDK's retries.
    pub errors: u64,
}

impl Stats {
    /// Total calls.
    pub fn total_calls(&self) -> u64 {
        self.operations.iter().map(|o| o.calls).sum()
    }

    /// Total failed calls.
    pub fn total_errors(&self) -> u64 {
        self.operations.iter().map(|o| o.errors).sum()
    }

    /// Calls to `service:operation` (0 if never called).
    pub fn calls(&self, service: &str, operation: &str) -> u64 {
        self.operations
            .iter()
            .find(|o| o.service == service && o.operation == operation)
            .map_or(0, |o| o.calls)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:<28} {:>6} {:>7}",
            "service", "operation", "calls", "errors"
        )?;
        for o in &self.operations {
            writeln!(
                f,
                "{:<12} {:<28} {:>6} {:>7}",
                o.service, o.operation, o.calls, o.errors
            )?;
        }
        write!(
            f,
            "{:<12} {:<28} {:>6} {:>7}",
            "total",
            "",
            self.total_calls(),
            self.total_errors()
        )
    }
}
