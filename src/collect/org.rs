//! Several accounts in one run: the organization's accounts (Organizations
//! ListAccounts, or the accounts under OUs), and AssumeRole into each.

use super::call::Session;
use super::client::Failure;
use super::targets::{AccountTarget, AccountsOptions, DEFAULT_ROLE_NAME, DEFAULT_SESSION_NAME};
use super::{graph, targets, CollectError, Service};
use aws_config::SdkConfig;
use aws_sdk_organizations::types::{AccountState, AccountStatus};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};

fn org_error(operation: &str, f: Failure) -> CollectError {
    CollectError::Organization {
        operation: operation.to_string(),
        code: f.code,
        message: f.message,
    }
}

/// The ids of the active accounts of one page.
fn active_ids(
    accounts: &[aws_sdk_organizations::types::Account],
) -> impl Iterator<Item = String> + '_ {
    accounts
        .iter()
        .filter(|a| is_active(a))
        .filter_map(|a| a.id().map(str::to_string))
}

fn is_active(a: &aws_sdk_organizations::types::Account) -> bool {
    match a.state() {
        Some(state) => *state == AccountState::Active,
        #[allow(deprecated)]
        None => a.status() == Some(&AccountStatus::Active),
    }
}

/// The active accounts of the organization (all, or those under `ous` and their
/// child OUs), made with the caller's credentials in `region`.
pub(crate) async fn list_accounts(
    s: &Session,
    region: &str,
    ous: &[String],
) -> Result<Vec<String>, CollectError> {
    let client: aws_sdk_organizations::Client = s.client(region);
    let mut out = Vec::new();
    if ous.is_empty() {
        s.paginate(
            Service::Organizations,
            "ListAccounts",
            |token| client.list_accounts().set_next_token(token).send(),
            |p| {
                out.extend(active_ids(p.accounts()));
                p.next_token().map(str::to_string)
            },
        )
        .await
        .map_err(|f| org_error("ListAccounts", f))?;
        return Ok(out);
    }
    let mut pending: Vec<String> = ous.to_vec();
    let mut seen = std::collections::HashSet::new();
    while let Some(ou) = pending.pop() {
        if !seen.insert(ou.clone()) {
            continue;
        }
        s.paginate(
            Service::Organizations,
            "ListAccountsForParent",
            |token| {
                client
                    .list_accounts_for_parent()
                    .parent_id(&ou)
                    .set_next_token(token)
                    .send()
            },
            |p| {
                out.extend(active_ids(p.accounts()));
                p.next_token().map(str::to_string)
            },
        )
        .await
        .map_err(|f| org_error("ListAccountsForParent", f))?;
        s.paginate(
            Service::Organizations,
            "ListOrganizationalUnitsForParent",
            |token| {
                client
                    .list_organizational_units_for_parent()
                    .parent_id(&ou)
                    .set_next_token(token)
                    .send()
            },
            |p| {
                pending.extend(
                    p.organizational_units()
                        .iter()
                        .filter_map(|u| u.id().map(str::to_string)),
                );
                p.next_token().map(str::to_string)
            },
        )
        .await
        .map_err(|f| org_error("ListOrganizationalUnitsForParent", f))?;
    }
    Ok(out)
}

/// The role to assume in `t`'s account.
pub(crate) fn role_of(t: &AccountTarget, options: &AccountsOptions, region: &str) -> String {
    t.role_arn.clone().unwrap_or_else(|| {
        targets::role_arn(
            graph::partition_of(region),
            &t.account,
            options.role_name.as_deref().unwrap_or(DEFAULT_ROLE_NAME),
        )
    })
}

/// AssumeRole `role` with the caller's session (counted for the caller); the SDK
/// configuration of the member account.
pub(crate) async fn assume_role(
    s: &Session,
    region: &str,
    role: &str,
    options: &AccountsOptions,
) -> Result<SdkConfig, Failure> {
    let client: aws_sdk_sts::Client = s.client(region);
    let out = s
        .call(
            Service::Sts,
            "AssumeRole",
            client
                .assume_role()
                .role_arn(role)
                .role_session_name(
                    options
                        .session_name
                        .as_deref()
                        .unwrap_or(DEFAULT_SESSION_NAME),
                )
                .set_external_id(options.external_id.clone())
                .send(),
        )
        .await?;
    let Some(c) = out.credentials() else {
        return Err(Failure::new(
            "NoCredentials",
            format!("AssumeRole {role} returned no credentials"),
        ));
    };
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    let credentials = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        expiry,
        "gsl-assume-role",
    );
    Ok(s.clients
        .config()
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build())
}
