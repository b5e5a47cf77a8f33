//! `gsl fix`: the changes that mend the failing findings of a check, as a plan in the
//! form the user deploys with (and, with `--apply`, made through the SDK).

use super::check::{self, CheckArgs};
use super::{Exit, Io};
use gsl::entity::graph::EntityGraph;
use gsl::fix::{Choices, Endpoint, Plan};
use std::io::Write;

/// How `gsl fix` ends, for `--help`.
pub const EXIT_CODES: &str = "Exit status:
  0  the plan mends every failing finding of the selection, or nothing fails
     (with --apply: every change was made)
  1  some failing findings cannot be mended (each says why; the plan holds the others)
  2  usage error, a policy or snapshot that cannot be loaded, a refused --apply,
     or a call of --apply that failed (the report says what was done and what was not)

The selection (policies, packs, ids, accounts, waivers, snapshot or --live) is gsl check's.";

/// `gsl fix` arguments: `gsl check`'s selection, the plan's format and the choices only
/// the user can make.
#[derive(Debug, clap::Args)]
#[command(
    mut_arg("format", |a| a.long("report-format").short(None).hide(true)),
    after_long_help = EXIT_CODES,
    after_help = EXIT_CODES
)]
pub struct FixArgs {
    /// The selection and inputs, as for `gsl check`.
    #[command(flatten)]
    pub check: CheckArgs,
    /// The plan's form: AWS CLI commands, Terraform, a CloudFormation template, or the
    /// plan as JSON (docs/fix-plan.schema.json).
    #[arg(
        long = "format",
        short = 'f',
        value_enum,
        default_value = "cli",
        value_name = "FORMAT"
    )]
    pub plan_format: PlanFormat,
    /// Who a new alarm notifies when no topic of its region has a confirmed
    /// subscription: an e-mail address or an https:// URL (gsl never invents one).
    #[arg(long, value_name = "EMAIL-OR-URL")]
    pub notify: Option<Endpoint>,
    /// The name of the topic created for --notify.
    #[arg(long, value_name = "NAME", default_value = gsl::fix::DEFAULT_TOPIC)]
    pub topic_name: String,
    /// The KMS key a trail's logs are encrypted with (a trail without one).
    #[arg(long, value_name = "ARN")]
    pub kms_key: Option<String>,
    /// The CloudWatch Logs log group (ARN) a trail without one delivers to.
    #[arg(long, value_name = "ARN", requires = "trail_log_role")]
    pub trail_log_group: Option<String>,
    /// The IAM role CloudTrail writes to --trail-log-group with.
    #[arg(long, value_name = "ARN", requires = "trail_log_group")]
    pub trail_log_role: Option<String>,
    /// Where a VPC without flow logs gets them: an S3 bucket ARN
    /// (arn:aws:s3:::BUCKET) or a CloudWatch Logs log group ARN (with --flow-log-role).
    #[arg(long, value_name = "ARN")]
    pub flow_log_destination: Option<String>,
    /// The IAM role that delivers flow logs to the --flow-log-destination log group.
    #[arg(long, value_name = "ARN")]
    pub flow_log_role: Option<String>,
    /// The S3 bucket a new AWS Config delivery channel delivers to.
    #[arg(long, value_name = "NAME")]
    pub config_bucket: Option<String>,
    /// The IAM role a new AWS Config recorder records with.
    #[arg(long, value_name = "ARN")]
    pub config_role: Option<String>,
    /// Where S3 Block Public Access is turned on for a failing bucket: on the bucket,
    /// or once for every bucket of the account (S3 Control).
    #[arg(long, value_enum, value_name = "LEVEL", default_value = "bucket")]
    pub block_public_access: BlockLevel,
    /// Make the changes through the AWS SDK (the credentials' account only), after
    /// showing the plan and asking; it only creates or updates, never deletes.
    #[cfg(feature = "aws")]
    #[arg(long)]
    pub apply: bool,
    /// With --apply: do not ask (for CI; without a terminal, --apply needs it).
    #[cfg(feature = "aws")]
    #[arg(long, requires = "apply")]
    pub yes: bool,
}

/// Where S3 Block Public Access is turned on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlockLevel {
    /// On each failing bucket (PutPublicAccessBlock).
    Bucket,
    /// For the whole account (S3 Control PutPublicAccessBlock).
    Account,
}

/// The forms of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// AWS CLI commands, one per change, with the account and region.
    Cli,
    /// Terraform: resources with references, import blocks for what exists.
    Terraform,
    /// A CloudFormation template (JSON) with parameters, for the first region of the plan.
    Cloudformation,
    /// The plan as data.
    Json,
}

impl FixArgs {
    fn choices(&self) -> Choices {
        Choices {
            notify: self.notify.clone(),
            topic_name: self.topic_name.clone(),
            kms_key: self.kms_key.clone(),
            trail_logs: self
                .trail_log_group
                .clone()
                .zip(self.trail_log_role.clone()),
            flow_log_destination: self.flow_log_destination.clone(),
            flow_log_role: self.flow_log_role.clone(),
            config_bucket: self.config_bucket.clone(),
            config_role: self.config_role.clone(),
            s3_account_level: self.block_public_access == BlockLevel::Account,
        }
    }
}

/// The snapshot the selection names, whole (a plan reads the entities of each account).
#[cfg_attr(not(feature = "aws"), allow(unused_variables))]
fn snapshot(
    args: &CheckArgs,
    err: &mut dyn Write,
) -> miette::Result<(gsl::entity::snapshot::Snapshot, String)> {
    #[cfg(feature = "aws")]
    if args.live {
        let snapshot = super::live::collect_snapshot(&args.live_args, err)?;
        return Ok((snapshot, "live account".to_string()));
    }
    super::load_snapshot(&args.source)
}

/// The plan of the selection.
pub fn plan(args: &FixArgs, io: &mut Io<'_>) -> miette::Result<(Plan, bool)> {
    let prepared = check::prepare(&args.check, io)?;
    let (mut snapshot, name) = snapshot(&args.check, io.err)?;
    if !args.check.accounts.is_empty() {
        use gsl::entity::stream::SnapshotSource;
        let SnapshotSource::Whole(kept) =
            SnapshotSource::Whole(snapshot).retain_accounts(&args.check.accounts)?
        else {
            return Err(miette::miette!(
                "internal: a snapshot in memory stays in memory"
            ));
        };
        snapshot = kept;
    }
    let sample = name == gsl::entity::SAMPLE_SNAPSHOT_NAME;
    let mut opts =
        gsl::run::eval_options(&snapshot, args.check.now).with_params(prepared.params.clone());
    opts.strict = args.check.strict;
    let graph = EntityGraph::named(snapshot, &name);
    let mut run = gsl::check(&prepared.policies, &graph, &opts);
    check::finish_run(&mut run, &prepared, io);
    let plan = gsl::fix::plan::plan(&run, &prepared.policies, &graph, &args.choices());
    Ok((plan, sample))
}

/// Run `gsl fix`.
pub fn run(args: &FixArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let (plan, sample) = plan(args, io)?;
    if sample {
        let _ = writeln!(io.err, "{}", super::render::SAMPLE_BANNER);
    }
    if plan.findings.is_empty() {
        let _ = writeln!(
            io.err,
            "nothing to fix: no selected policy fails (or every failure is waived)"
        );
        return Ok(Exit::Ok);
    }
    let text = render(&plan, args.plan_format)?;
    match &args.check.output {
        Some(path) => std::fs::write(path, &text).map_err(|e| {
            miette::miette!(
                code = "gsl::fix::output",
                help = "check that the directory exists and is writable",
                "cannot write {}: {e}",
                path.display()
            )
        })?,
        None => {
            let _ = io.out.write_all(text.as_bytes());
        }
    }
    report(&plan, io.err);
    #[cfg(feature = "aws")]
    if args.apply && !plan.changes.is_empty() {
        return apply(args, &plan, io);
    }
    Ok(if plan.blocked().next().is_some() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}

/// The plan in `format`.
pub fn render(plan: &Plan, format: PlanFormat) -> miette::Result<String> {
    Ok(match format {
        PlanFormat::Cli => gsl::fix::cli::script(plan),
        PlanFormat::Terraform => gsl::fix::terraform::render(plan),
        PlanFormat::Cloudformation => gsl::fix::cloudformation::render(plan, None),
        PlanFormat::Json => {
            serde_json::to_string_pretty(plan)
                .map_err(|e| miette::miette!("cannot encode the plan: {e}"))?
                + "\n"
        }
    })
}

/// What the plan mends and what it does not, on standard error.
fn report(plan: &Plan, err: &mut dyn Write) {
    for f in &plan.findings {
        match &f.blocked {
            None => {
                let _ = writeln!(
                    err,
                    "mend    {} {}: {}",
                    f.policy,
                    f.entity,
                    f.changes.join(", ")
                );
            }
            Some(why) => {
                let _ = writeln!(err, "cannot  {} {}: {why}", f.policy, f.entity);
            }
        }
    }
    let _ = writeln!(
        err,
        "{} change(s) mend {} of {} failing finding(s)",
        plan.changes.len(),
        plan.mended().count(),
        plan.findings.len()
    );
}

/// `--apply`: ask (unless `--yes`), make the changes, say what was done and what not.
#[cfg(feature = "aws")]
fn apply(args: &FixArgs, plan: &Plan, io: &mut Io<'_>) -> miette::Result<Exit> {
    use std::io::IsTerminal;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            let _ = writeln!(
                io.err,
                "refusing --apply: no terminal to ask on; pass --yes to make the {} change(s) without asking",
                plan.changes.len()
            );
            return Ok(Exit::Error);
        }
        let _ = write!(
            io.err,
            "make these {} change(s)? type yes to go on: ",
            plan.changes.len()
        );
        let _ = io.err.flush();
        let mut answer = String::new();
        let _ = io.stdin.read_line(&mut answer);
        if answer.trim() != "yes" {
            let _ = writeln!(io.err, "nothing changed");
            return Ok(Exit::Error);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(gsl::collect::CollectError::Runtime)?;
    let sdk = args.check.live_args.sdk_options();
    let applied = runtime.block_on(async {
        let config = gsl::collect::load_sdk_config(&sdk).await;
        gsl::collect::apply::apply(&config, plan).await
    });
    let line = |id: &str| {
        plan.changes
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.summary())
            .unwrap_or_default()
    };
    for id in &applied.done {
        let _ = writeln!(io.err, "done      {id}: {}", line(id));
    }
    if let Some((id, e)) = &applied.failed {
        let _ = writeln!(io.err, "FAILED    {id}: {}", line(id));
        let _ = writeln!(io.err, "{}", super::render_diagnostic(e));
    }
    for id in &applied.not_done {
        let _ = writeln!(io.err, "not done  {id}: {}", line(id));
    }
    let _ = writeln!(
        io.err,
        "applied {} of {} change(s){}",
        applied.done.len(),
        plan.changes.len(),
        applied
            .account
            .as_deref()
            .map(|a| format!(" in account {a}"))
            .unwrap_or_default()
    );
    Ok(if applied.failed.is_some() {
        Exit::Error
    } else if plan.blocked().next().is_some() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
