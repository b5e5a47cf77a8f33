//! STS: GetCallerIdentity.

use crate::collect::call::Session;
use crate::collect::{CollectError, Service};
use aws_sdk_sts::Client;

/// The account id of the session's credentials, or the run stops (without an account
/// nothing can be attributed). The call is counted for that account.
pub(crate) async fn identify(s: &Session, region: &str) -> Result<String, CollectError> {
    s.shared.progress.phase(format!("identity ({region})"));
    let client: Client = s.client(region);
    let out = s
        .call_counted_as(
            Service::Sts,
            "GetCallerIdentity",
            client.get_caller_identity().send(),
            |r| match r {
                Ok(out) => out.account().unwrap_or_default().to_string(),
                Err(_) => String::new(),
            },
        )
        .await
        .map_err(|f| CollectError::Identity {
            region: region.to_string(),
            help: crate::collect::error::identity_help(&f.code),
            code: f.code,
            message: f.message,
        })?;
    match out.account() {
        Some(account) if !account.is_empty() => Ok(account.to_string()),
        _ => Err(CollectError::Identity {
            region: region.to_string(),
            code: "NoAccount".into(),
            message: "the reply carries no account id".into(),
            help: crate::collect::error::identity_help("NoAccount"),
        }),
    }
}
