//! Live collection from the command line: the flags shared by `gsl collect`,
//! `gsl check --live` and `gsl repl --live`, and `gsl collect` itself.

use super::{Exit, Io};
use gsl::collect::{self, targets, AccountsOptions, CollectOptions, Collection, SdkOptions};
use gsl::entity::{CollectionError, Snapshot};
use miette::{Diagnostic, IntoDiagnostic};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// How to reach AWS: the credentials' profile, the endpoint, retries and time limits
/// (`gsl collect`, `--live`, `gsl replay --from-s3`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct AwsArgs {
    /// AWS profile (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (also read from AWS_ENDPOINT_URL).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per API call, first one included (default: the SDK's, 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,
    /// Time limit in seconds for one API call, retries included (default 180; an
    /// attempt gets at most 60, a connection 10, a reply 30).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,
}

impl AwsArgs {
    /// The SDK configuration options these flags select, in `region` (also STS's:
    /// it spares the region lookup chain).
    pub fn sdk_options(&self, region: Option<String>) -> SdkOptions {
        SdkOptions {
            profile: self.profile.clone(),
            region,
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: self.max_attempts,
            timeout: self.timeout.map(Duration::from_secs),
        }
    }
}

/// Where and how to collect from a live AWS account (`gsl collect`, `gsl check --live`,
/// `gsl repl --live`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LiveArgs {
    /// Credentials, endpoint, retries and time limits.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Region to collect (repeatable). Default: the configured region.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Collect every enabled region of the account.
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,
    /// Print API call counts per service and operation when done.
    #[arg(long)]
    pub stats: bool,
    /// Bound on concurrent API calls.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=64))]
    pub concurrency: Option<u64>,
    /// No progress display (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Collect every active account of the organization (Organizations ListAccounts)
    /// through the role --role-name in each.
    #[arg(long)]
    pub org: bool,
    /// With --org: only the accounts under this OU and its child OUs (repeatable).
    #[arg(long = "ou", value_name = "OU-ID", requires = "org")]
    pub ous: Vec<String>,
    /// Collect the accounts of FILE: one a line, `ID` or `ID,ROLE-ARN`.
    #[arg(long = "accounts", value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,
    /// Collect the account of this role by assuming it (repeatable).
    #[arg(long = "assume-role", value_name = "ARN")]
    pub assume_roles: Vec<String>,
    /// Leave this account out (repeatable).
    #[arg(long = "exclude-account", value_name = "ID")]
    pub exclude_accounts: Vec<String>,
    /// Role assumed in each account (default: gsl-audit, a read-only role).
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// ExternalId for AssumeRole.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// RoleSessionName for AssumeRole (default: gsl-collect).
    #[arg(long, value_name = "NAME")]
    pub role_session_name: Option<String>,
}

/// `gsl collect`: collect a live account into a snapshot file.
#[derive(Debug, Clone, clap::Args)]
pub struct CollectArgs {
    /// Account, regions, credentials and limits.
    #[command(flatten)]
    pub live: LiveArgs,
    /// Write the snapshot here (default: standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
    /// Write one snapshot per account, DIR/<account>.json, instead of one snapshot
    /// (`gsl check --snapshot DIR` reads them together).
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub split: Option<PathBuf>,
}

/// Errors of the live CLI.
#[derive(Debug, Error, Diagnostic)]
pub enum LiveError {
    /// The accounts file could not be read.
    #[error("cannot read the accounts file {path}: {source}")]
    #[diagnostic(
        code(gsl::collect::accounts_file),
        help("--accounts FILE takes a file with one account id a line, or `id,role-arn`")
    )]
    Read {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The snapshot could not be written.
    #[error("cannot write the snapshot to {path}: {source}")]
    #[diagnostic(
        code(gsl::collect::write),
        help("check that the directory exists and is writable")
    )]
    Write {
        /// Target path.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

impl LiveArgs {
    /// The SDK configuration options these flags select.
    pub fn sdk_options(&self) -> SdkOptions {
        // The first --region also serves STS.
        self.aws.sdk_options(self.regions.first().cloned())
    }

    /// The accounts these flags select (`None`: the credentials' own account).
    pub fn accounts_options(&self) -> miette::Result<Option<AccountsOptions>> {
        if !self.org && self.accounts_file.is_none() && self.assume_roles.is_empty() {
            return Ok(None);
        }
        let mut accounts = Vec::new();
        if let Some(path) = &self.accounts_file {
            let text = std::fs::read_to_string(path).map_err(|source| LiveError::Read {
                path: path.display().to_string(),
                source,
            })?;
            accounts.extend(targets::parse_accounts_file(&text)?);
        }
        for arn in &self.assume_roles {
            accounts.push(targets::target_of_role(arn)?);
        }
        Ok(Some(AccountsOptions {
            org: self.org,
            ous: self.ous.clone(),
            accounts,
            exclude: self.exclude_accounts.clone(),
            role_name: self.role_name.clone(),
            external_id: self.external_id.clone(),
            session_name: self.role_session_name.clone(),
        }))
    }

    /// The collection options these flags select.
    pub fn collect_options(&self) -> CollectOptions {
        CollectOptions {
            regions: self.regions.clone(),
            all_regions: self.all_regions,
            concurrency: self
                .concurrency
                .and_then(|c| usize::try_from(c).ok())
                .unwrap_or(0),
            endpoints: Vec::new(),
            progress: super::progress::CollectSpinner::progress(!self.no_progress),
            accounts: None,
        }
    }
}

/// Collect from the live account described by `args`, reporting collection errors
/// (and with `--stats`, API call counts) on stderr.
pub fn collect_live(args: &LiveArgs, err: &mut dyn Write) -> miette::Result<Collection> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(collect::CollectError::Runtime)?;
    let sdk = args.sdk_options();
    let mut options = args.collect_options();
    options.accounts = args.accounts_options()?;
    let collection = runtime.block_on(async {
        let config = collect::load_sdk_config(&sdk).await;
        collect::collect(&config, &options).await
    })?;
    // Diagnostics on stderr are best effort: a closed stderr must not fail the run.
    let _ = report_errors(err, &collection.snapshot.errors);
    if args.stats {
        let _ = writeln!(err, "{}", collection.stats);
    }
    Ok(collection)
}

/// Collect a snapshot from the live account described by `args`.
pub fn collect_snapshot(args: &LiveArgs, err: &mut dyn Write) -> miette::Result<Snapshot> {
    collect_live(args, err).map(|c| c.snapshot)
}

/// `gsl collect`: [`Exit::Ok`] when complete, [`Exit::Incomplete`] when some calls
/// failed (the failures are in the snapshot's `errors`).
pub fn run_collect(args: &CollectArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let collection = collect_live(&args.live, io.err)?;
    let snapshot = &collection.snapshot;
    if let Some(dir) = &args.split {
        std::fs::create_dir_all(dir).map_err(|source| LiveError::Write {
            path: dir.display().to_string(),
            source,
        })?;
        for (account, part) in collection.split() {
            let path = dir.join(format!("{account}.json"));
            let text = render(&part, args.pretty)?;
            std::fs::write(&path, text).map_err(|source| LiveError::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
    } else {
        let text = render(snapshot, args.pretty)?;
        match &args.out {
            Some(path) => std::fs::write(path, text).map_err(|source| LiveError::Write {
                path: path.display().to_string(),
                source,
            })?,
            None => {
                io.out
                    .write_all(text.as_bytes())
                    .and_then(|()| io.out.flush())
                    .map_err(|source| LiveError::Write {
                        path: "standard output".into(),
                        source,
                    })?;
            }
        }
    }
    let _ = writeln!(
        io.err,
        "{}",
        summary(snapshot, collection.stats.total_calls())
    );
    Ok(if snapshot.errors.is_empty() {
        Exit::Ok
    } else {
        Exit::Incomplete
    })
}

/// The snapshot as JSON text with a final newline.
fn render(snapshot: &Snapshot, pretty: bool) -> miette::Result<String> {
    let mut text = if pretty {
        serde_json::to_string_pretty(snapshot)
    } else {
        serde_json::to_string(snapshot)
    }
    .into_diagnostic()?;
    text.push('\n');
    Ok(text)
}

/// One line: account, regions, entity counts, calls, errors.
pub fn summary(snapshot: &Snapshot, calls: u64) -> String {
    let mut parts = Vec::new();
    for account in &snapshot.accounts {
        // The types with entities, by count; the empty ones as one number (a type with
        // none is still a fact: `gsl check` says which rules that leaves not applicable).
        let mut counts: Vec<String> = account
            .entities
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(kind, list)| format!("{} {kind}", list.len()))
            .collect();
        let empty = account.entities.len() - counts.len();
        if empty > 0 {
            counts.push(format!(
                "none of the other {empty} type{}",
                if empty == 1 { "" } else { "s" }
            ));
        }
        parts.push(format!(
            "account {} ({} region{}): {}",
            account.account_number,
            account.regions.len(),
            if account.regions.len() == 1 { "" } else { "s" },
            counts.join(", ")
        ));
    }
    format!(
        "collected {}; {calls} API calls, {} collection error{}",
        parts.join("; "),
        snapshot.errors.len(),
        if snapshot.errors.len() == 1 { "" } else { "s" }
    )
}

/// Print collection errors, one line each.
pub fn report_errors(out: &mut dyn Write, errors: &[CollectionError]) -> std::io::Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "warning: {} collection error{}; rules over the affected entity types report unknown there:",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    )?;
    for e in errors {
        let message: String = e
            .message
            .lines()
            .next()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        writeln!(
            out,
            "  {} {}:{} {}: {} [{}]",
            e.region.as_deref().unwrap_or("global"),
            e.service,
            e.operation,
            e.code,
            message,
            e.entity_types.join(", ")
        )?;
    }
    Ok(())
}
