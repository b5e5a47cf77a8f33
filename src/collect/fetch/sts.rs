//! STS: GetCallerIdentity.

use crate::collect::call::Session;
use crate::collect::{CollectError, Service};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::config::ProvideCredentials;
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
        .await;
    let out = match out {
        Ok(out) => out,
        Err(f) => {
            // A call that could not be signed never reached STS: say that the
            // credentials are missing, not that the network is down.
            if let Some(e) = missing_credentials(s).await {
                return Err(e);
            }
            return Err(CollectError::Identity {
                region: region.to_string(),
                help: crate::collect::error::identity_help(&f.code),
                code: f.code,
                message: f.message,
            });
        }
    };
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

/// Where the SDK's default chain looks for credentials, in order.
const CHAIN: &str = "the SDK looks, in order, at: the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones); the profile (AWS_PROFILE or --profile, in ~/.aws/credentials and ~/.aws/config; an SSO profile after `aws sso login`); web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN); the ECS container role; the EC2 instance role (IMDS). Set one of them; `aws sts get-caller-identity` should work with the same settings";

/// Why the session's credentials cannot be had, asked of its provider after a failed
/// call; `None` when they can (the call failed for another reason).
async fn missing_credentials(s: &Session) -> Option<CollectError> {
    let Some(provider) = s.clients.config().credentials_provider() else {
        return Some(CollectError::NoCredentials {
            detail: "the SDK configuration has no credentials provider".into(),
            help: CHAIN.into(),
        });
    };
    let err = provider.provide_credentials().await.err()?;
    let help = match &err {
        CredentialsError::CredentialsNotLoaded(_) => CHAIN.to_string(),
        CredentialsError::ProviderTimedOut(_) => format!(
            "a credentials provider did not answer in time (the EC2 instance role off EC2, or an SSO or container endpoint that is unreachable); {CHAIN}"
        ),
        _ => format!("a credentials provider failed (its message says which and why); {CHAIN}"),
    };
    Some(CollectError::NoCredentials {
        detail: crate::collect::client::error_chain(&err),
        help,
    })
}
