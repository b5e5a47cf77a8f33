//! One API call of a run: under the run's concurrency bound, counted per account,
//! followed page by page, its failure recorded as a collection error.

use super::client::{failure, Clients, Failure, SdkError, ServiceClient};
use super::plan::Issue;
use super::progress::Progress;
use super::stats::ApiCounter;
use super::Service;
use crate::entity::CollectionError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Safety bound on pages of one paginated call (a server that keeps returning tokens
/// must not loop forever).
const MAX_PAGES: usize = 1000;

/// What the calls of one run share: the concurrency bound, the counters, the
/// progress display.
#[derive(Clone)]
pub(crate) struct Shared {
    pub limit: Arc<Semaphore>,
    pub stats: Arc<ApiCounter>,
    pub progress: Progress,
}

impl Shared {
    pub fn new(concurrency: usize, progress: Progress) -> Self {
        Shared {
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
            stats: Arc::new(ApiCounter::default()),
            progress,
        }
    }
}

/// The calls made with one account's credentials, and the errors they met.
pub(crate) struct Session {
    pub clients: Clients,
    pub account: String,
    pub shared: Shared,
    errors: Mutex<Vec<CollectionError>>,
}

impl Session {
    pub fn new(clients: Clients, account: String, shared: Shared) -> Self {
        Session {
            clients,
            account,
            shared,
            errors: Mutex::new(Vec::new()),
        }
    }

    /// A client of `C`'s service in `region`.
    pub fn client<C: ServiceClient>(&self, region: &str) -> C {
        self.clients.client(region)
    }

    /// Make one call under the bound, not counted yet.
    async fn bounded<T, E, Fut>(&self, fut: Fut) -> Result<T, Failure>
    where
        Fut: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let result = match self.shared.limit.acquire().await {
            Ok(_permit) => fut.await.map_err(|e| failure(&e)),
            Err(_) => Err(Failure::new("Cancelled", "the collection was cancelled")),
        };
        self.shared.progress.call_done();
        result
    }

    /// One API call under the concurrency bound, counted for this account.
    pub async fn call<T, E, Fut>(
        &self,
        service: Service,
        operation: &'static str,
        fut: Fut,
    ) -> Result<T, Failure>
    where
        Fut: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.call_counted_as(service, operation, fut, |_| self.account.clone())
            .await
    }

    /// One call counted for the account `counted_as` returns from its result (the
    /// identity call, made before the account is known).
    pub async fn call_counted_as<T, E, Fut>(
        &self,
        service: Service,
        operation: &'static str,
        fut: Fut,
        counted_as: impl FnOnce(&Result<T, Failure>) -> String,
    ) -> Result<T, Failure>
    where
        Fut: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let result = self.bounded(fut).await;
        self.shared
            .stats
            .record(&counted_as(&result), service, operation, result.is_err());
        result
    }

    /// Follow a paginated call to its end: `send(token)` requests one page,
    /// `consume(page)` keeps its items and returns the page's next token (`None`:
    /// stop).
    pub async fn paginate<O, E, Fut>(
        &self,
        service: Service,
        operation: &'static str,
        mut send: impl FnMut(Option<String>) -> Fut,
        mut consume: impl FnMut(O) -> Option<String>,
    ) -> Result<(), Failure>
    where
        Fut: Future<Output = Result<O, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.call(service, operation, send(token.clone())).await?;
            match next(&token, consume(page).as_deref()) {
                Some(t) => token = Some(t),
                None => return Ok(()),
            }
        }
        Ok(())
    }

    /// [`paginate`](Self::paginate) a listing of `region`: `true` when every page was
    /// read; a failure is recorded in `region` (off the chain) and gives `false`, and the
    /// caller keeps nothing of what `consume` saw.
    pub async fn paginate_in<O, E, Fut>(
        &self,
        region: &str,
        service: Service,
        operation: &'static str,
        send: impl FnMut(Option<String>) -> Fut,
        consume: impl FnMut(O) -> Option<String>,
    ) -> bool
    where
        Fut: Future<Output = Result<O, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match self.paginate(service, operation, send, consume).await {
            Ok(()) => true,
            Err(f) => {
                self.record(region, service, operation, f, false);
                false
            }
        }
    }

    /// Record a failed call in `region`.
    pub fn record(
        &self,
        region: &str,
        service: Service,
        operation: &'static str,
        f: Failure,
        on_chain: bool,
    ) {
        self.issue(Issue {
            region: Some(region.to_string()),
            service,
            operation,
            code: f.code,
            message: f.message,
            on_chain,
        });
    }

    /// Record a failed call about one resource of `region` (a balancer, a function):
    /// its message starts with the resource's name.
    pub fn record_for(
        &self,
        region: &str,
        service: Service,
        operation: &'static str,
        resource: &str,
        f: Failure,
    ) {
        let f = Failure::new(f.code, format!("{resource}: {}", f.message));
        self.record(region, service, operation, f, false);
    }

    /// Record a failed call of a global service (IAM): no region, the whole account
    /// is affected.
    pub fn record_global(&self, service: Service, operation: &'static str, f: Failure) {
        self.issue(Issue {
            region: None,
            service,
            operation,
            code: f.code,
            message: f.message,
            on_chain: false,
        });
    }

    /// Record what could not be collected.
    pub fn issue(&self, issue: Issue) {
        let error = issue.into_error(&self.account);
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(error);
        }
        self.shared.progress.error();
    }

    /// No `operation` call failed in `region` so far.
    pub fn answered(&self, region: &str, operation: &str) -> bool {
        self.errors.lock().is_ok_and(|errors| {
            !errors
                .iter()
                .any(|e| e.operation == operation && e.region.as_deref() == Some(region))
        })
    }

    /// No global (`record_global`) `operation` call failed so far.
    pub fn answered_global(&self, operation: &str) -> bool {
        self.errors.lock().is_ok_and(|errors| {
            !errors
                .iter()
                .any(|e| e.operation == operation && e.region.is_none())
        })
    }

    /// The errors recorded, in a stable order (calls finish in any order; the
    /// snapshot should not).
    pub fn take_errors(&self) -> Vec<CollectionError> {
        let mut errors = match self.errors.lock() {
            Ok(mut e) => std::mem::take(&mut *e),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        errors.sort_by(|a, b| {
            (&a.region, &a.service, &a.operation, &a.message).cmp(&(
                &b.region,
                &b.service,
                &b.operation,
                &b.message,
            ))
        });
        errors
    }
}

/// The next page token, or `None` when done (absent, empty, or repeated).
fn next(previous: &Option<String>, token: Option<&str>) -> Option<String> {
    match token {
        Some(t) if !t.is_empty() && previous.as_deref() != Some(t) => Some(t.to_string()),
        _ => None,
    }
}
