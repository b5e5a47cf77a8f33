//! API call counting (`--stats`): per account, service and operation.

use super::Service;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// Thread-safe call counters, one per (account, service, operation). Every page of a
/// paginated call counts as one call; retries inside the SDK do not.
#[derive(Debug, Default)]
pub struct ApiCounter {
    counts: Mutex<BTreeMap<(String, Service, &'static str), OperationStats>>,
}

impl ApiCounter {
    /// Count one call made with `account`'s credentials (empty: not known yet) and
    /// whether it failed (after the SDK's retries).
    pub fn record(&self, account: &str, service: Service, operation: &'static str, failed: bool) {
        if let Ok(mut counts) = self.counts.lock() {
            let entry = counts
                .entry((account.to_string(), service, operation))
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
                .map(|((account, service, operation), s)| OperationCount {
                    account,
                    service,
                    operation: operation.to_string(),
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
    /// Per account and operation, sorted by account, service, operation.
    pub operations: Vec<OperationCount>,
}

/// Calls to one operation with one account's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationCount {
    /// The account whose credentials made the calls.
    pub account: String,
    /// The service.
    pub service: Service,
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

    /// Calls to `service:operation` in all accounts (0 if never called).
    pub fn calls(&self, service: Service, operation: &str) -> u64 {
        self.operations
            .iter()
            .filter(|o| o.service == service && o.operation == operation)
            .map(|o| o.calls)
            .sum()
    }

    /// Calls to `service:operation` with `account`'s credentials.
    pub fn calls_in(&self, account: &str, service: Service, operation: &str) -> u64 {
        self.operations
            .iter()
            .filter(|o| o.account == account && o.service == service && o.operation == operation)
            .map(|o| o.calls)
            .sum()
    }

    /// The accounts that made calls, sorted.
    pub fn accounts(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.operations.iter().map(|o| o.account.as_str()).collect();
        out.dedup();
        out
    }

    /// All calls made with `account`'s credentials.
    pub fn account_calls(&self, account: &str) -> u64 {
        self.operations
            .iter()
            .filter(|o| o.account == account)
            .map(|o| o.calls)
            .sum()
    }

    /// Calls per service, all accounts together, in service order.
    pub fn by_service(&self) -> Vec<(Service, u64, u64)> {
        let mut totals: BTreeMap<Service, (u64, u64)> = BTreeMap::new();
        for o in &self.operations {
            let t = totals.entry(o.service).or_default();
            t.0 += o.calls;
            t.1 += o.errors;
        }
        totals.into_iter().map(|(s, (c, e))| (s, c, e)).collect()
    }
}

impl fmt::Display for Stats {
    /// One table per service and operation (all accounts), then one line per account
    /// when more than one account made calls.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut merged: BTreeMap<(Service, &str), (u64, u64)> = BTreeMap::new();
        for o in &self.operations {
            let t = merged.entry((o.service, o.operation.as_str())).or_default();
            t.0 += o.calls;
            t.1 += o.errors;
        }
        writeln!(
            f,
            "{:<14} {:<28} {:>6} {:>7}",
            "service", "operation", "calls", "errors"
        )?;
        for ((service, operation), (calls, errors)) in &merged {
            writeln!(
                f,
                "{:<14} {:<28} {:>6} {:>7}",
                service.as_str(),
                operation,
                calls,
                errors
            )?;
        }
        let accounts = self.accounts();
        if accounts.len() > 1 {
            writeln!(
                f,
                "{:<14} {:<28} {:>6} {:>7}",
                "account", "", "calls", "errors"
            )?;
            for account in accounts {
                let errors: u64 = self
                    .operations
                    .iter()
                    .filter(|o| o.account == account)
                    .map(|o| o.errors)
                    .sum();
                let name = if account.is_empty() {
                    "(unknown)"
                } else {
                    account
                };
                writeln!(
                    f,
                    "{:<14} {:<28} {:>6} {:>7}",
                    name,
                    "",
                    self.account_calls(account),
                    errors
                )?;
            }
        }
        write!(
            f,
            "{:<14} {:<28} {:>6} {:>7}",
            "total",
            "",
            self.total_calls(),
            self.total_errors()
        )
    }
}
