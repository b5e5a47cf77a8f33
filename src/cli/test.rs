//! `gsl test [PATH...]`: run the `<name>.test.yaml` files beside policies (the logic is
//! the library's, `gsl::authoring`); this renders the results.

use super::{Exit, Format, Io};
use gsl::authoring::{self, FileResult};
use std::path::PathBuf;

/// `gsl test` arguments.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Test files, policy files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: Format,
    /// Also fail when a policy under PATH has no test file.
    #[arg(long)]
    pub require_tests: bool,
    /// The values of `$Name` parameters.
    #[command(flatten)]
    pub params: super::ParamsArgs,
}

/// Run `gsl test`.
pub fn run(args: &TestArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = authoring::find_tests(&paths);
    if files.is_empty() {
        return Err(miette::miette!(
            code = "gsl::test::none_found",
            help = "write `<name>.test.yaml` beside `<name>.gsl` (see docs/policies.md, \"Testing a policy\")",
            "no test files under {}",
            paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    let params = args.params.load()?;
    let results: Vec<FileResult> = files
        .iter()
        .map(|f| authoring::run_file_with(f, &params))
        .collect();
    let untested = if args.require_tests {
        authoring::untested(&paths)
    } else {
        Vec::new()
    };
    let ok = results.iter().all(FileResult::passed) && untested.is_empty();
    let text = match args.format {
        Format::Json => super::render::pretty_json(&serde_json::json!({
            "files": results,
            "untested": untested.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "passed": ok,
        })),
        Format::Text => render(&results, &untested),
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(if ok { Exit::Ok } else { Exit::Failed })
}

/// Why the policy at `path` does not run, rendered as `gsl check` renders it.
fn policy_diagnostic(path: &str) -> Option<String> {
    let policy = gsl::policy::load_policy_file(std::path::Path::new(path)).ok()?;
    let prepared = gsl::run::PreparedRule::policy(&policy);
    prepared
        .error()
        .map(|e| super::render_diagnostic(e.diagnostic()))
}

fn render(results: &[FileResult], untested: &[PathBuf]) -> String {
    let mut out = String::new();
    let (mut cases, mut failed) = (0, 0);
    for f in results {
        // A policy that does not run is shown once per file with its diagnostic (the
        // span, the did-you-mean), as `gsl check` shows it.
        let mut diagnosed = false;
        if let Some(e) = &f.error {
            failed += 1;
            out.push_str(&format!("ERROR {}\n      {e}\n", f.file));
            continue;
        }
        for c in &f.cases {
            cases += 1;
            if c.passed() {
                out.push_str(&format!("ok    {} :: {}\n", f.file, c.name));
                continue;
            }
            failed += 1;
            out.push_str(&format!("FAIL  {} :: {}\n", f.file, c.name));
            if let Some(e) = &c.error {
                out.push_str(&format!("      {e}\n"));
                if !diagnosed && e.starts_with("the policy does not run") {
                    diagnosed = true;
                    if let Some(d) = policy_diagnostic(&f.policy) {
                        for line in d.lines() {
                            out.push_str(&format!("      {line}\n").replace("      \n", "\n"));
                        }
                    }
                }
            }
            for m in &c.mismatches {
                out.push_str(&format!(
                    "      {}:\n      - expected: {}\n      + actual:   {}\n",
                    m.entity, m.expected, m.actual
                ));
                for line in m.explanation.lines() {
                    out.push_str(&format!("      +   {line}\n"));
                }
            }
        }
    }
    for p in untested {
        failed += 1;
        out.push_str(&format!(
            "UNTESTED {} (no {} beside it)\n",
            p.display(),
            authoring::TEST_SUFFIX
        ));
    }
    out.push_str(&format!(
        "\n{} test files, {cases} cases: {} failed\n",
        results.len(),
        failed
    ));
    out
}
