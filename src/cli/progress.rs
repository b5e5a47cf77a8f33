//! The command line's progress displays, drawn on stderr only when stderr is a
//! terminal (silent when piped or redirected, so reports and logs stay clean): the bar
//! of long `gsl check` runs (accounts checked out of the total, with the rate and the
//! time left), and the spinner of `gsl collect` and `--live` ([`CollectSpinner`]),
//! which draws the collectors' progress events (the library draws nothing).
//!
//! Use: create it with the number of accounts before evaluating, count the accounts of
//! each batch (or each account) as it is done, and finish it before writing the report:
//!
//! ```text
//! let progress = CheckProgress::new(1_000, true);
//! for _batch in 0..10 {
//!     // ... evaluate 100 accounts ...
//!     progress.accounts_done(100);
//! }
//! progress.finish();
//! ```

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Runs over fewer accounts than this finish too fast for a bar to help.
pub const MIN_ACCOUNTS: u64 = 2;

/// Accounts checked so far, or nothing.
#[derive(Debug, Clone)]
pub struct CheckProgress {
    bar: Option<ProgressBar>,
}

impl CheckProgress {
    /// A bar over `accounts` accounts, drawn if `wanted`, stderr is a terminal and
    /// there are at least [`MIN_ACCOUNTS`].
    pub fn new(accounts: u64, wanted: bool) -> Self {
        if !wanted || accounts < MIN_ACCOUNTS || !std::io::stderr().is_terminal() {
            return CheckProgress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(accounts), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "checking {bar:30} {pos}/{len} accounts ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        CheckProgress { bar: Some(bar) }
    }

    /// Draw nothing.
    pub fn hidden() -> Self {
        CheckProgress { bar: None }
    }

    /// Whether anything is drawn.
    #[cfg(test)]
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// `n` more accounts checked.
    pub fn accounts_done(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// Remove the bar (before the report is written).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The spinner of `gsl collect` and `--live`: the phase and the number of API calls,
/// drawn from the collectors' progress events (`gsl::collect::ProgressEvent`) on
/// stderr when it is a terminal. A run over several accounts (an organization) turns
/// it into a bar of accounts done out of the total, with the calls, the collection
/// errors and the time left: the accounts are collected at once, so their phases would
/// only mix.
#[cfg(feature = "aws")]
#[derive(Debug)]
pub struct CollectSpinner {
    bar: Option<ProgressBar>,
    counts: std::sync::Mutex<CollectCounts>,
}

/// What a collection has done so far.
#[cfg(feature = "aws")]
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CollectCounts {
    /// The accounts of a run over several; `None` for one account.
    pub accounts: Option<usize>,
    /// API calls answered.
    pub calls: u64,
    /// Collection errors recorded.
    pub errors: u64,
}

#[cfg(feature = "aws")]
impl CollectCounts {
    /// Take one event into account.
    pub fn add(&mut self, event: &gsl::collect::ProgressEvent) {
        use gsl::collect::ProgressEvent as E;
        match event {
            E::Accounts(n) => self.accounts = Some(*n),
            E::CallDone => self.calls += 1,
            E::Error => self.errors += 1,
            E::Phase(_) | E::AccountDone | E::Finished | E::Files(_) | E::FileDone(_) => {}
        }
    }

    /// The bar's message: `1,234 API calls, 2 errors`.
    pub fn message(&self) -> String {
        format!(
            "{} API call{}, {} error{}",
            gsl::text::thousands(self.calls),
            if self.calls == 1 { "" } else { "s" },
            self.errors,
            if self.errors == 1 { "" } else { "s" }
        )
    }
}

#[cfg(feature = "aws")]
impl CollectSpinner {
    /// The collectors' progress for a run: reported to a spinner when `wanted`
    /// (which draws only when stderr is a terminal), else nowhere.
    pub fn progress(wanted: bool) -> gsl::collect::Progress {
        if wanted {
            gsl::collect::Progress::to(std::sync::Arc::new(CollectSpinner::new()))
        } else {
            gsl::collect::Progress::none()
        }
    }

    fn new() -> Self {
        let counts = std::sync::Mutex::default();
        if !std::io::stderr().is_terminal() {
            return CollectSpinner { bar: None, counts };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} collecting: {msg} ({pos} API calls, {elapsed})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        CollectSpinner {
            bar: Some(bar),
            counts,
        }
    }
}

#[cfg(feature = "aws")]
impl gsl::collect::ProgressSink for CollectSpinner {
    fn report(&self, event: gsl::collect::ProgressEvent) {
        use gsl::collect::ProgressEvent as E;
        let Some(bar) = &self.bar else { return };
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        counts.add(&event);
        let several = counts.accounts.is_some();
        match event {
            E::Accounts(n) => {
                bar.set_length(n as u64);
                bar.set_position(0);
                let style = ProgressStyle::with_template(
                    "collecting {bar:24} {pos}/{len} accounts ({msg}, {elapsed}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_message(counts.message());
            }
            E::Phase(message) if !several => bar.set_message(message),
            E::CallDone if !several => bar.inc(1),
            E::CallDone | E::Error if several => bar.set_message(counts.message()),
            E::AccountDone => bar.inc(1),
            E::Finished => bar.finish_and_clear(),
            E::Phase(_) | E::CallDone | E::Error | E::Files(_) | E::FileDone(_) => {}
        }
    }
}

/// The bar of `gsl replay`: log files read out of those listed, their bytes as
/// stored, and (from S3) the API calls and refusals, from the progress events of the
/// replay's input (`gsl::collect::ProgressEvent`), on stderr when it is a terminal.
#[derive(Debug)]
pub struct ReplayBar {
    bar: Option<ProgressBar>,
    counts: std::sync::Mutex<ReplayCounts>,
}

/// What a replay's input has done so far.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayCounts {
    /// Files to read, once listed.
    pub files: Option<usize>,
    /// Files opened or fetched.
    pub done: u64,
    /// Their bytes as stored.
    pub bytes: u64,
    /// API calls (from S3).
    pub calls: u64,
    /// Refused calls.
    pub errors: u64,
}

impl ReplayCounts {
    /// Take one event into account.
    pub fn add(&mut self, event: &gsl::collect::ProgressEvent) {
        use gsl::collect::ProgressEvent as E;
        match event {
            E::Files(n) => self.files = Some(*n),
            E::FileDone(b) => {
                self.done += 1;
                self.bytes += b;
            }
            E::CallDone => self.calls += 1,
            E::Error => self.errors += 1,
            E::Phase(_) | E::Accounts(_) | E::AccountDone | E::Finished => {}
        }
    }

    /// The bar's message: `12.3 MB, 40 API calls, 1 refused`.
    pub fn message(&self) -> String {
        let mut s = format!("{:.1} MB", self.bytes as f64 / 1e6);
        if self.calls > 0 {
            s.push_str(&format!(
                ", {} API call{}",
                gsl::text::thousands(self.calls),
                if self.calls == 1 { "" } else { "s" }
            ));
        }
        if self.errors > 0 {
            s.push_str(&format!(", {} refused", self.errors));
        }
        s
    }
}

impl ReplayBar {
    /// The replay input's progress: reported to a bar when `wanted` (drawn only when
    /// stderr is a terminal), else nowhere.
    pub fn progress(wanted: bool) -> gsl::collect::Progress {
        if !wanted || !std::io::stderr().is_terminal() {
            return gsl::collect::Progress::none();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        gsl::collect::Progress::to(std::sync::Arc::new(ReplayBar {
            bar: Some(bar),
            counts: std::sync::Mutex::default(),
        }))
    }
}

impl gsl::collect::ProgressSink for ReplayBar {
    fn report(&self, event: gsl::collect::ProgressEvent) {
        use gsl::collect::ProgressEvent as E;
        let Some(bar) = &self.bar else { return };
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        counts.add(&event);
        match event {
            E::Files(n) => {
                bar.set_length(n as u64);
                let style = ProgressStyle::with_template(
                    "replaying {bar:24} {pos}/{len} files ({msg}, {elapsed}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
            }
            E::FileDone(_) => bar.inc(1),
            E::Phase(p) if counts.files.is_none() => bar.set_message(p),
            E::Finished => bar.finish_and_clear(),
            _ => {}
        }
        if counts.files.is_some() {
            bar.set_message(counts.message());
        }
    }
}

impl Drop for ReplayBar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "aws")]
    #[test]
    fn an_organization_run_counts_accounts_calls_and_errors() {
        use gsl::collect::ProgressEvent as E;
        let mut c = CollectCounts::default();
        for e in [
            E::Phase("1 region, 30 types".into()),
            E::CallDone,
            E::Accounts(3),
            E::CallDone,
            E::Error,
            E::AccountDone,
            E::Finished,
        ] {
            c.add(&e);
        }
        assert_eq!(
            c,
            CollectCounts {
                accounts: Some(3),
                calls: 2,
                errors: 1
            }
        );
        assert_eq!(c.message(), "2 API calls, 1 error");
        assert_eq!(CollectCounts::default().message(), "0 API calls, 0 errors");
    }

    #[test]
    fn a_replay_counts_files_bytes_calls_and_refusals() {
        use gsl::collect::ProgressEvent as E;
        let mut c = ReplayCounts::default();
        for e in [
            E::Phase("listing s3://b/".into()),
            E::CallDone,
            E::CallDone,
            E::Error,
            E::Files(2),
            E::CallDone,
            E::FileDone(1_500_000),
            E::FileDone(500_000),
            E::Finished,
        ] {
            c.add(&e);
        }
        assert_eq!(
            c,
            ReplayCounts {
                files: Some(2),
                done: 2,
                bytes: 2_000_000,
                calls: 3,
                errors: 1
            }
        );
        assert_eq!(c.message(), "2.0 MB, 3 API calls, 1 refused");
    }

    #[test]
    fn hidden_unless_wanted_and_worth_it() {
        assert!(!CheckProgress::new(1_000, false).is_visible());
        assert!(!CheckProgress::new(1, true).is_visible());
        // Under `cargo test` stderr is captured or piped, never a terminal here.
        if !std::io::stderr().is_terminal() {
            assert!(!CheckProgress::new(1_000, true).is_visible());
        }
        let p = CheckProgress::hidden();
        p.accounts_done(3);
        p.finish();
    }
}
