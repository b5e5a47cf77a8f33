//! Which accounts a run collects (`--org`, `--ou`, `--accounts FILE`,
//! `--assume-role ARN`, `--exclude-account`) and with which role. Pure: the account
//! file format, role ARNs, the selection rules.

use super::CollectError;

/// The role assumed in each account by default: a read-only role the organization
/// creates for gsl (see `docs/iam-member-role.json`). `OrganizationAccountAccessRole`
/// works too but has administrator rights.
pub const DEFAULT_ROLE_NAME: &str = "gsl-audit";

/// The default `RoleSessionName`.
pub const DEFAULT_SESSION_NAME: &str = "gsl-collect";

/// One account to collect and the role to assume there (`None`: the role named by
/// [`AccountsOptions::role_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTarget {
    /// The 12-digit account id.
    pub account: String,
    /// The role ARN to assume.
    pub role_arn: Option<String>,
}

/// Several accounts through assumed roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountsOptions {
    /// List the organization's active accounts (Organizations ListAccounts).
    pub org: bool,
    /// With `org`: only accounts under these OUs (and their child OUs).
    pub ous: Vec<String>,
    /// Accounts named explicitly (`--accounts FILE`, `--assume-role ARN`).
    pub accounts: Vec<AccountTarget>,
    /// Accounts left out.
    pub exclude: Vec<String>,
    /// Role name in each account (default [`DEFAULT_ROLE_NAME`]).
    pub role_name: Option<String>,
    /// `ExternalId` of AssumeRole.
    pub external_id: Option<String>,
    /// `RoleSessionName` of AssumeRole (default [`DEFAULT_SESSION_NAME`]).
    pub session_name: Option<String>,
}

/// A 12-digit account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// The account of an IAM role ARN (`arn:<partition>:iam::<account>:role/<path/name>`).
pub fn role_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", p, "iam", "", account, resource]
            if !p.is_empty() && is_account_id(account) && resource.starts_with("role/") =>
        {
            Some(account)
        }
        _ => None,
    }
}

/// The ARN of role `name` in `account`.
pub fn role_arn(partition: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role/{name}")
}

/// `--assume-role ARN`.
pub fn target_of_role(arn: &str) -> Result<AccountTarget, CollectError> {
    match role_account(arn) {
        Some(account) => Ok(AccountTarget {
            account: account.to_string(),
            role_arn: Some(arn.to_string()),
        }),
        None => Err(CollectError::InvalidTarget {
            line: None,
            text: arn.to_string(),
        }),
    }
}

/// An `--accounts` file: one account a line, `ID` or `ID,ROLE-ARN`; blank lines and
/// `#` comments are skipped. A role ARN of another account than the line's is an
/// error.
pub fn parse_accounts_file(text: &str) -> Result<Vec<AccountTarget>, CollectError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let bad = || CollectError::InvalidTarget {
            line: Some(i + 1),
            text: raw.to_string(),
        };
        let (id, role) = match line.split_once(',') {
            Some((id, role)) => (id.trim(), Some(role.trim())),
            None => (line, None),
        };
        if !is_account_id(id) {
            return Err(bad());
        }
        if let Some(role) = role {
            if role_account(role) != Some(id) {
                return Err(bad());
            }
        }
        out.push(AccountTarget {
            account: id.to_string(),
            role_arn: role.map(str::to_string),
        });
    }
    Ok(out)
}

/// The accounts to collect: `listed` (the organization's) then `explicit`, each
/// account once (an explicit role wins), without `exclude`, sorted by account id.
pub fn select(
    listed: Vec<String>,
    explicit: &[AccountTarget],
    exclude: &[String],
) -> Vec<AccountTarget> {
    let mut out: std::collections::BTreeMap<String, Option<String>> =
        listed.into_iter().map(|a| (a, None)).collect();
    for t in explicit {
        out.insert(t.account.clone(), t.role_arn.clone());
    }
    out.into_iter()
        .filter(|(a, _)| !exclude.contains(a))
        .map(|(account, role_arn)| AccountTarget { account, role_arn })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_files() {
        let t = parse_accounts_file(
            "# audit scope\n111111111111\n\n222222222222, arn:aws:iam::222222222222:role/audit/gsl # via path\n",
        )
        .expect("valid");
        assert_eq!(
            t,
            vec![
                AccountTarget {
                    account: "111111111111".into(),
                    role_arn: None
                },
                AccountTarget {
                    account: "222222222222".into(),
                    role_arn: Some("arn:aws:iam::222222222222:role/audit/gsl".into())
                },
            ]
        );
        for bad in [
            "12345",
            "111111111111,arn:aws:iam::222222222222:role/x",
            "111111111111,not-an-arn",
        ] {
            match parse_accounts_file(&format!("111111111111\n{bad}\n")) {
                Err(CollectError::InvalidTarget { line: Some(2), .. }) => {}
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn roles_and_selection() {
        assert_eq!(
            role_arn("aws", "111111111111", DEFAULT_ROLE_NAME),
            "arn:aws:iam::111111111111:role/gsl-audit"
        );
        assert!(target_of_role("arn:aws:iam::111111111111:user/x").is_err());
        let picked = select(
            vec![
                "333333333333".into(),
                "111111111111".into(),
                "222222222222".into(),
            ],
            &[AccountTarget {
                account: "111111111111".into(),
                role_arn: Some("arn:aws:iam::111111111111:role/x".into()),
            }],
            &["222222222222".into()],
        );
        let got: Vec<(&str, bool)> = picked
            .iter()
            .map(|t| (t.account.as_str(), t.role_arn.is_some()))
            .collect();
        assert_eq!(got, vec![("111111111111", true), ("333333333333", false)]);
    }
}
