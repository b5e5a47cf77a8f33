//! Running a collection: the SDK configuration, the regions, the walk of each
//! account, the snapshot.

use super::call::{Session, Shared};
use super::client::Clients;
use super::fetch::{self, sts};
use super::graph::{self, build_snapshot};
use super::plan::Issue;
use super::stats::Stats;
use super::targets::AccountsOptions;
use super::types::Collected;
use super::{org, targets, Service};
use super::{regions, walk, CollectError, CollectOptions, SdkOptions, DEFAULT_CONCURRENCY};
use crate::entity::Snapshot;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures::future::join_all;
use std::collections::HashSet;
use std::time::Duration;

/// Load the SDK configuration the standard way, with the overrides of `options`.
pub async fn load_sdk_config(options: &SdkOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(attempts) = options.max_attempts {
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts.max(1)));
    }
    loader = loader.timeout_config(timeouts(options.timeout));
    loader.load().await
}

/// The time limit of one call, retries included, without `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);

/// The SDK's time limits for a run: a call (retries included) gets `timeout`
/// ([`DEFAULT_TIMEOUT`] without one); within it an attempt gets at most 60 s, a
/// connection 10 s and a reply 30 s from the request, so an endpoint that accepts the
/// connection and never answers fails the call (recorded as `Timeout`; the run goes
/// on) instead of holding the run forever.
pub fn timeouts(timeout: Option<Duration>) -> TimeoutConfig {
    let call = timeout.unwrap_or(DEFAULT_TIMEOUT);
    TimeoutConfig::builder()
        .operation_timeout(call)
        .operation_attempt_timeout(call.min(Duration::from_secs(60)))
        .connect_timeout(call.min(Duration::from_secs(10)))
        .read_timeout(call.min(Duration::from_secs(30)))
        .build()
}

/// A finished collection.
#[derive(Debug, Clone)]
pub struct Collection {
    /// The snapshot (errors included).
    pub snapshot: Snapshot,
    /// What was collected per account (sorted by account id with several
    /// accounts), before the graph was built.
    pub collected: Vec<Collected>,
    /// When the run started (the snapshot's `collectedAt`).
    pub collected_at: String,
    /// API calls made.
    pub stats: Stats,
}

/// The regions to collect and those to probe (may be disabled for the account).
pub fn plan_regions(
    config: &SdkConfig,
    options: &CollectOptions,
) -> Result<(Vec<String>, HashSet<String>), CollectError> {
    let mut out: Vec<String> = Vec::new();
    let mut probe = HashSet::new();
    for r in &options.regions {
        if !regions::is_valid_region_name(r) {
            return Err(CollectError::InvalidRegion(r.clone()));
        }
        if !out.contains(r) {
            out.push(r.clone());
        }
    }
    if out.is_empty() && options.all_regions {
        let partition = config
            .region()
            .map_or("aws", |r| graph::partition_of(r.as_ref()));
        out.extend(
            regions::default_regions(partition)
                .iter()
                .map(|r| r.to_string()),
        );
        for r in regions::opt_in_regions(partition) {
            out.push(r.to_string());
            probe.insert(r.to_string());
        }
    }
    if out.is_empty() {
        match config.region() {
            Some(r) if regions::is_valid_region_name(r.as_ref()) => out.push(r.to_string()),
            Some(r) => return Err(CollectError::InvalidRegion(r.to_string())),
            None => return Err(CollectError::NoRegion),
        }
    }
    Ok((out, probe))
}

/// The regions of a run, before each account's own list.
struct RegionPlan {
    /// The regions to collect (the static list under `--all-regions`).
    regions: Vec<String>,
    /// Those of `regions` that may be disabled for an account (probed).
    probe: HashSet<String>,
    /// `--all-regions` without `--region`: ask each account which regions it has
    /// enabled (Account `ListRegions`).
    discover: bool,
    /// Where to send the Account API call: the partition's home region.
    home: String,
}

/// Walk the account of `s` in the regions enabled for it. Under `--all-regions` the
/// account's own list (`ListRegions`: regions enabled by default and opted-in
/// regions) decides; when that call fails (not permitted, not served), the static
/// list of the partition is walked with opt-in regions probed, and the failure is
/// recorded (it makes nothing unknown: the probe finds the enabled regions).
async fn walk_account(s: &Session, plan: &RegionPlan) -> Collected {
    if plan.discover {
        let why = match fetch::account::list_regions(s, &plan.home).await {
            Ok(list) if !list.is_empty() => {
                return walk::walk(s, &list, &HashSet::new()).await;
            }
            Ok(_) => (
                "NoRegions".to_string(),
                "listed no enabled region".to_string(),
            ),
            Err(f) => (f.code, f.message),
        };
        s.issue(Issue {
            region: None,
            service: Service::Account,
            operation: "ListRegions",
            code: why.0,
            message: format!(
                "{}; collected the partition's region list instead, opt-in regions probed",
                why.1
            ),
            on_chain: false,
        });
    }
    walk::walk(s, &plan.regions, &plan.probe).await
}

/// Collect one account: the account of `config`'s credentials.
pub async fn collect(
    config: &SdkConfig,
    options: &CollectOptions,
) -> Result<Collection, CollectError> {
    let (regions, probe) = plan_regions(config, options)?;
    let plan = RegionPlan {
        discover: options.all_regions && options.regions.is_empty(),
        home: config.region().map_or_else(
            || "us-east-1".to_string(),
            |r| regions::home_region(graph::partition_of(r.as_ref())).to_string(),
        ),
        regions,
        probe,
    };
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let concurrency = if options.concurrency == 0 {
        DEFAULT_CONCURRENCY
    } else {
        options.concurrency
    };
    let shared = Shared::new(concurrency, options.progress.clone());
    let clients = Clients::new(config.clone(), options.endpoints.clone());
    let mut session = Session::new(clients, String::new(), shared.clone());
    let sts_region = config
        .region()
        .map(|r| r.to_string())
        .filter(|r| plan.regions.contains(r))
        .or_else(|| plan.regions.first().cloned())
        .unwrap_or_default();
    match sts::identify(&session, &sts_region).await {
        Ok(account) => session.account = account,
        Err(e) => {
            shared.progress.finish();
            return Err(e);
        }
    }
    let collected = match &options.accounts {
        None => vec![walk_account(&session, &plan).await],
        Some(accounts) => match collect_accounts(&session, &sts_region, accounts, &plan).await {
            Ok(c) => c,
            Err(e) => {
                shared.progress.finish();
                return Err(e);
            }
        },
    };
    shared.progress.finish();
    let snapshot = build_snapshot(&collected, Some(started.clone()));
    Ok(Collection {
        snapshot,
        collected,
        collected_at: started,
        stats: shared.stats.snapshot(),
    })
}

/// Every target account, concurrently (one concurrency bound for the run): the
/// caller's own account with its credentials, every other through AssumeRole. A
/// failed AssumeRole is that account's error (all entity types unknown there),
/// never the run's.
async fn collect_accounts(
    caller: &Session,
    sts_region: &str,
    options: &AccountsOptions,
    plan: &RegionPlan,
) -> Result<Vec<Collected>, CollectError> {
    let listed = if options.org {
        org::list_accounts(caller, sts_region, &options.ous).await?
    } else {
        Vec::new()
    };
    let targets = targets::select(listed, &options.accounts, &options.exclude);
    let progress = &caller.shared.progress;
    progress.accounts(targets.len());
    let runs = targets.iter().map(|t| async move {
        let collected = collect_target(caller, sts_region, options, plan, t).await;
        progress.account_done();
        collected
    });
    Ok(join_all(runs).await)
}

/// One account of a run over several: the caller's own with its credentials, another
/// through AssumeRole (its failure is that account's error).
async fn collect_target(
    caller: &Session,
    sts_region: &str,
    options: &AccountsOptions,
    plan: &RegionPlan,
    t: &targets::AccountTarget,
) -> Collected {
    if t.account == caller.account && t.role_arn.is_none() {
        return walk_account(caller, plan).await;
    }
    let role = org::role_of(t, options, sts_region);
    match org::assume_role(caller, sts_region, &role, options).await {
        Ok(config) => {
            let member = Session::new(
                caller.clients.with_config(config),
                t.account.clone(),
                caller.shared.clone(),
            );
            walk_account(&member, plan).await
        }
        Err(f) => {
            caller.shared.progress.error();
            Collected {
                account_number: t.account.clone(),
                errors: vec![Issue {
                    region: None,
                    service: Service::Sts,
                    operation: "AssumeRole",
                    code: f.code,
                    message: format!("cannot assume {role}: {}", f.message),
                    on_chain: true,
                }
                .into_error(&t.account)],
                ..Default::default()
            }
        }
    }
}

impl Collection {
    /// One snapshot per account (`--split DIR`), each with the run's collection time
    /// and that account's errors; read together (`gsl check --snapshot DIR`) they are
    /// the whole snapshot.
    pub fn split(&self) -> Vec<(String, Snapshot)> {
        self.collected
            .iter()
            .map(|c| {
                (
                    c.account_number.clone(),
                    build_snapshot(std::slice::from_ref(c), Some(self.collected_at.clone())),
                )
            })
            .collect()
    }
}
