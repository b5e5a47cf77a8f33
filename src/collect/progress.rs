//! The progress of a collection or a replay's reading of log files, reported to
//! whoever shows it: the library draws nothing (the binary's `src/cli/progress.rs`
//! turns the events into a spinner on a terminal). Pure, no terminal code.

use std::fmt;
use std::sync::Arc;

/// What a collection reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// A new phase: what is being collected now.
    Phase(String),
    /// A run over several accounts (an organization, `--accounts`) collects this many.
    Accounts(usize),
    /// One API call answered (or failed).
    CallDone,
    /// What could not be collected was recorded: one collection error.
    Error,
    /// One account of a run over several is collected.
    AccountDone,
    /// The collection is over (also after an error).
    Finished,
    /// A replay reads this many log files (known once they are listed).
    Files(usize),
    /// One log file opened or fetched: its size in bytes as stored.
    FileDone(u64),
}

/// Receives a collection's progress. Any `Fn(ProgressEvent)` that is `Send + Sync`
/// is one.
pub trait ProgressSink: Send + Sync {
    /// One event.
    fn report(&self, event: ProgressEvent);
}

impl<F: Fn(ProgressEvent) + Send + Sync> ProgressSink for F {
    fn report(&self, event: ProgressEvent) {
        self(event)
    }
}

/// Where a run reports its progress: a sink, or nowhere (the default).
#[derive(Clone, Default)]
pub struct Progress {
    sink: Option<Arc<dyn ProgressSink>>,
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.sink.is_some() {
            "Progress(reported)"
        } else {
            "Progress(none)"
        })
    }
}

impl Progress {
    /// Report to `sink`.
    pub fn to(sink: Arc<dyn ProgressSink>) -> Self {
        Progress { sink: Some(sink) }
    }

    /// Report nowhere.
    pub fn none() -> Self {
        Progress { sink: None }
    }

    /// Whether anything receives the events.
    pub fn is_reported(&self) -> bool {
        self.sink.is_some()
    }

    fn send(&self, event: ProgressEvent) {
        if let Some(sink) = &self.sink {
            sink.report(event);
        }
    }

    /// Say what is being collected.
    pub fn phase(&self, message: impl Into<String>) {
        if self.sink.is_some() {
            self.send(ProgressEvent::Phase(message.into()));
        }
    }

    /// One API call done.
    pub fn call_done(&self) {
        self.send(ProgressEvent::CallDone);
    }

    /// The run collects `n` accounts.
    pub fn accounts(&self, n: usize) {
        self.send(ProgressEvent::Accounts(n));
    }

    /// One collection error recorded.
    pub fn error(&self) {
        self.send(ProgressEvent::Error);
    }

    /// One account collected.
    pub fn account_done(&self) {
        self.send(ProgressEvent::AccountDone);
    }

    /// A replay reads `n` log files.
    pub fn files(&self, n: usize) {
        self.send(ProgressEvent::Files(n));
    }

    /// One log file of `bytes` bytes opened or fetched.
    pub fn file_done(&self, bytes: u64) {
        self.send(ProgressEvent::FileDone(bytes));
    }

    /// The collection is over.
    pub fn finish(&self) {
        self.send(ProgressEvent::Finished);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn events_reach_the_sink_in_order() {
        let seen: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
        let sink = Arc::clone(&seen);
        let p = Progress::to(Arc::new(move |e: ProgressEvent| {
            if let Ok(mut s) = sink.lock() {
                s.push(e);
            }
        }));
        p.accounts(2);
        p.phase("regions");
        p.call_done();
        p.error();
        p.account_done();
        p.files(3);
        p.file_done(10);
        p.finish();
        Progress::none().call_done();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                ProgressEvent::Accounts(2),
                ProgressEvent::Phase("regions".into()),
                ProgressEvent::CallDone,
                ProgressEvent::Error,
                ProgressEvent::AccountDone,
                ProgressEvent::Files(3),
                ProgressEvent::FileDone(10),
                ProgressEvent::Finished
            ]
        );
    }
}
