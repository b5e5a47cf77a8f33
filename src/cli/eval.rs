//! `gsl eval` and `gsl parse`.

use super::render::{self, TextOptions};
use super::{load_snapshot, Exit, Format, Io, ParamsArgs, SnapshotArgs};
use chrono::{DateTime, Utc};
use gsl::entity::graph::EntityGraph;
use gsl::lang::eval::RuleResult;
use gsl::lang::{parser, printer};
use gsl::report::{Document, FailPolicy, SnapshotInfo};

/// `gsl eval` arguments.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// The rule, e.g. "CloudTrail should have isMultiRegionTrail=true" (quote it).
    pub rule: String,
    /// Where the entities come from.
    #[command(flatten)]
    pub source: SnapshotArgs,
    /// The values of `$Name` parameters.
    #[command(flatten)]
    pub params: ParamsArgs,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: Format,
    /// Explain passing objects too.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// A property that no entity of its type has in the snapshot (types gsl does not
    /// collect) is an error instead of a warning.
    #[arg(long)]
    pub strict: bool,
    /// "Now" for before()/after() (RFC 3339). Default: the snapshot's collection time,
    /// so re-checking an old snapshot gives the answer it had when collected.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<DateTime<Utc>>,
}

/// `gsl parse` arguments.
#[derive(Debug, clap::Args)]
pub struct ParseArgs {
    /// The rule (quote it).
    pub rule: String,
    /// Print the syntax tree instead of the canonical text.
    #[arg(long)]
    pub ast: bool,
}

/// Run `gsl eval`.
pub fn run_eval(args: &EvalArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    if let Some(path) = rule_looks_like_a_path(&args.rule) {
        return Err(miette::miette!(
            code = "gsl::eval::path_given",
            help =
                format!("`gsl eval` takes a rule text; run a policy file with `gsl check {path}`"),
            "`{path}` is a file, not a rule"
        ));
    }
    let params = args.params.load()?;
    // Before loading: whether the type is a misspelling needs the snapshot's types.
    gsl::run::check_rule_text_among(&args.rule, "rule", &params, &|_| true)?;
    let (snapshot, name) = load_snapshot(&args.source)?;
    let mut opts = gsl::run::eval_options(&snapshot, args.now).with_params(params);
    opts.strict = args.strict;
    let graph = EntityGraph::named(snapshot, &name);
    let report = gsl::run::eval_rule(&args.rule, &graph, &opts)?;
    for note in &report.diagnostics {
        let _ = writeln!(
            io.err,
            "{}: {}",
            note.level.as_str(),
            super::note_text(note)
        );
    }
    match args.format {
        Format::Text => {
            let result = RuleResult {
                entities: report.entities.clone(),
            };
            let text = render::render_rule(
                &result,
                TextOptions {
                    verbose: args.verbose,
                    color: io.color,
                    quiet: false,
                },
            );
            let _ = io.out.write_all(text.as_bytes());
        }
        Format::Json => {
            let info = SnapshotInfo::of(&graph, &name);
            let reports = [report.clone()];
            let _ = io
                .out
                .write_all(Document::new(&info, &reports).to_json().as_bytes());
        }
    }
    Ok(FailPolicy::default()
        .verdict(std::slice::from_ref(&report))
        .into())
}

/// The path named by a `gsl eval` argument that is an existing `.gsl` file or
/// directory rather than a rule.
fn rule_looks_like_a_path(rule: &str) -> Option<&str> {
    let t = rule.trim();
    let single_word = !t.contains(char::is_whitespace);
    (single_word && std::path::Path::new(t).exists()).then_some(t)
}

/// Run `gsl parse`.
pub fn run_parse(args: &ParseArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let rule = parser::parse_rule(&args.rule)?;
    if args.ast {
        let _ = writeln!(io.out, "{rule:#?}");
    } else {
        let _ = writeln!(io.out, "{}", printer::print_rule(&rule));
    }
    Ok(Exit::Ok)
}
