//! The walk of one account, the same for every collected type: each type's
//! `Fetcher` ([`Fetch`]) says what it calls at each stage, [`super::types`] lists
//! them, and every failure is a recorded [`crate::entity::CollectionError`].
//!
//! Stages (the calls of a stage run concurrently, bounded by the run's one semaphore):
//! 1. **region**, in every region: first the probing type's listing (CloudTrail's
//!    `DescribeTrails`); a probed region that rejects it as not enabled is dropped;
//!    then every other type's region listing;
//! 2. **account**, once: what needs every region's listing (per-resource calls in a
//!    resource's region, global services);
//! 3. **last**, once: what needs the account stage of other types (the topics alarms
//!    notify).
//!
//! A type keeps what it learns between stages in the walk's per-type state
//! ([`Walk::update`], [`Walk::take`]) and writes its records into [`Collected`]
//! ([`Walk::write`]); another type reads them through the owning type's module.

use super::call::Session;
use super::types::{Collected, FETCHERS};
use futures::future::{join_all, BoxFuture};
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// What one collected type fetches, stage by stage. Every stage does nothing unless
/// the type says otherwise.
pub(crate) trait Fetch: Sync {
    /// Its region listing decides whether a probed region is enabled.
    fn probes(&self) -> bool {
        false
    }

    /// Stage 1 in `region`. The probing type returns `false` for a region that is not
    /// enabled; the others' answer is ignored.
    fn region<'a>(&'a self, _w: &'a Walk<'a>, _region: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async { true })
    }

    /// Stage 2, once every region is listed.
    fn account<'a>(&'a self, _w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    /// Stage 3, once every type's stage 2 is done.
    fn last<'a>(&'a self, _w: &'a Walk<'a>) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// One account's walk: the session, the regions, each type's state between stages,
/// and the records collected so far.
pub(crate) struct Walk<'a> {
    /// The account's calls.
    pub s: &'a Session,
    asked: &'a [String],
    probe: &'a HashSet<String>,
    regions: OnceLock<Vec<String>>,
    state: Mutex<HashMap<&'static str, Box<dyn Any + Send>>>,
    records: Mutex<Collected>,
}

impl<'a> Walk<'a> {
    /// Whether `region` may not be enabled for the account (probed).
    pub fn probe(&self, region: &str) -> bool {
        self.probe.contains(region)
    }

    /// The regions collected (those the probe kept), in the order asked. Empty
    /// during stage 1.
    pub fn regions(&self) -> &[String] {
        self.regions.get().map(Vec::as_slice).unwrap_or_default()
    }

    /// Per-region results in the order the regions were asked.
    pub fn in_region_order<T>(&self, mut by_region: HashMap<String, T>) -> Vec<(String, T)> {
        self.asked
            .iter()
            .filter_map(|r| by_region.remove(r).map(|v| (r.clone(), v)))
            .collect()
    }

    /// Change the state `key` (a type's name) of type `T`, created empty.
    pub fn update<T: Any + Send + Default>(&self, key: &'static str, change: impl FnOnce(&mut T)) {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        let slot = state.entry(key).or_insert_with(|| Box::new(T::default()));
        if let Some(value) = slot.downcast_mut::<T>() {
            change(value);
        }
    }

    /// A copy of the state `key` (empty if none).
    pub fn cloned<T: Any + Send + Default + Clone>(&self, key: &'static str) -> T {
        let state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state
            .get(key)
            .and_then(|v| v.downcast_ref::<T>())
            .cloned()
            .unwrap_or_default()
    }

    /// The state `key`, taken out (empty if none).
    pub fn take<T: Any + Send + Default>(&self, key: &'static str) -> T {
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        state
            .remove(key)
            .and_then(|v| v.downcast::<T>().ok())
            .map(|b| *b)
            .unwrap_or_default()
    }

    /// Write records.
    pub fn write(&self, change: impl FnOnce(&mut Collected)) {
        let mut records = match self.records.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        change(&mut records);
    }

    /// Read the records written so far.
    pub fn read<R>(&self, look: impl FnOnce(&Collected) -> R) -> R {
        let records = match self.records.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        look(&records)
    }
}

/// Walk the account of `s`. `probe` lists regions that may be disabled for the
/// account (opt-in regions under `--all-regions` without a region list): if the
/// probing type's listing there fails as for a disabled region, the region is dropped
/// without an error.
pub(crate) async fn walk(s: &Session, regions: &[String], probe: &HashSet<String>) -> Collected {
    let w = Walk {
        s,
        asked: regions,
        probe,
        regions: OnceLock::new(),
        state: Mutex::new(HashMap::new()),
        records: Mutex::new(Collected::default()),
    };
    let progress = &s.shared.progress;
    let (probing, others): (Vec<&dyn Fetch>, Vec<&dyn Fetch>) =
        FETCHERS.iter().copied().partition(|f| f.probes());

    progress.phase(format!(
        "{} region{}, {} types",
        regions.len(),
        if regions.len() == 1 { "" } else { "s" },
        FETCHERS.len()
    ));
    let enabled = join_all(regions.iter().map(|r| {
        let (w, probing, others) = (&w, &probing, &others);
        async move {
            for p in probing {
                if !p.region(w, r).await {
                    return false;
                }
            }
            join_all(others.iter().map(|f| f.region(w, r))).await;
            true
        }
    }))
    .await;
    let kept: Vec<String> = regions
        .iter()
        .zip(enabled)
        .filter(|(_, on)| *on)
        .map(|(r, _)| r.clone())
        .collect();
    let _ = w.regions.set(kept.clone());

    progress.phase("the account's global settings");
    join_all(FETCHERS.iter().map(|f| f.account(&w))).await;
    progress.phase("joining what refers to what");
    join_all(FETCHERS.iter().map(|f| f.last(&w))).await;

    let mut collected = match w.records.into_inner() {
        Ok(c) => c,
        Err(poisoned) => poisoned.into_inner(),
    };
    collected.account_number = s.account.clone();
    collected.regions = kept;
    collected.errors = s.take_errors();
    collected
}
