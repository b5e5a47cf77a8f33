//! `gsl man`: the manual pages, from the command-line definitions. `gsl man` prints
//! gsl(1); `gsl man --dir DIR` writes a page per command into DIR (`gsl.1`,
//! `gsl-check.1`, `gsl-pattern-eq.1`, …), so that every page a page names exists.
//!
//! Each page is clap's (name, synopsis, description, options, subcommands) followed by
//! the sections clap cannot know: EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES and SEE
//! ALSO, from the table of [`Facts`] below (one entry per command).

use super::{Exit, Io};
use clap::CommandFactory;
use clap_mangen::roff::{bold, italic, roman, Roff};
use std::path::PathBuf;

/// `gsl man` arguments.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write a page per command into DIR (gsl.1, gsl-check.1, gsl-pattern-eq.1, …)
    /// instead of printing gsl(1); DIR is created if needed.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// What a page says beyond the options.
struct Facts {
    exit: &'static [(&'static str, &'static str)],
    environment: &'static [(&'static str, &'static str)],
    files: &'static [(&'static str, &'static str)],
    examples: &'static [(&'static str, &'static str)],
}

const COLOR_ENV: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "when set and not empty, no colour (with --color auto, the default)",
    ),
    (
        "CLICOLOR_FORCE",
        "when set and not 0, colour even when the output is not a terminal",
    ),
];

const AWS_ENV: &[(&str, &str)] = &[
    ("NO_COLOR", "when set and not empty, no colour (with --color auto)"),
    ("CLICOLOR_FORCE", "when set and not 0, colour even when the output is not a terminal"),
    ("AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN", "the AWS SDK's credentials and region (with --live, or for collect); also the shared config and credentials files, SSO, web identity and ECS/IMDS"),
    ("AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>", "send the AWS calls to another endpoint (a test server)"),
    ("AWS_MAX_ATTEMPTS, AWS_RETRY_MODE", "the SDK's retries"),
];

const ERRORS: (&str, &str) = (
    "2",
    "a usage error, or a file that cannot be read or parsed",
);

/// The facts of the command whose page is `name` (`gsl`, `gsl-check`, `gsl-pattern-eq`).
fn facts(name: &str) -> Facts {
    let none: &'static [(&'static str, &'static str)] = &[];
    match name {
        "gsl" => Facts {
            exit: &[
                ("0", "success: every relevant object passed, or the command did what it was asked"),
                ("1", "some object failed or is unknown (never a silent pass), or the answer is no"),
                ("2", "a usage, parse or load error, or a policy that could not run"),
                ("3", "incomplete: some AWS calls failed (collect), or the filter-pattern engine could not decide (pattern)"),
            ],
            environment: COLOR_ENV,
            files: &[
                ("gsl.toml", "defaults for gsl check in the project directory (pack, formats, output directory, waivers, snapshot, fail-on)"),
                ("$XDG_CONFIG_HOME/gsl/config.toml", "the same, for the user (~/.config/gsl/config.toml), when there is no gsl.toml"),
                (".gslignore.yaml", "waivers: accepted findings, each with a reason and an expiry date"),
            ],
            examples: &[
                ("gsl check", "the built-in policies over the built-in sample account"),
                ("gsl check --snapshot acct.json -f sarif,html --output-dir reports/", "your account, two reports"),
                ("gsl collect --out acct.json", "a snapshot of the account of your AWS credentials"),
                ("gsl man --dir man/", "every page of this manual"),
            ],
        },
        "gsl-check" => Facts {
            exit: &[
                ("0", "every relevant object of every policy passed (failures below --fail-on, waived findings and, with --unknown-ok, unknown results do not count)"),
                ("1", "some object failed, or its data could not be collected (unknown)"),
                ("2", "a policy could not be loaded, parsed or checked (the others still run), an expired waiver, a snapshot that cannot be loaded, or a usage error"),
            ],
            environment: AWS_ENV,
            files: &[
                ("gsl.toml", "defaults for check in the current (project) directory: pack, formats, output directory, waivers, snapshot, fail-on; the options given win"),
                ("$XDG_CONFIG_HOME/gsl/config.toml", "the same for the user (~/.config/gsl/config.toml), read when there is no gsl.toml"),
                (".gslignore.yaml", "the waivers read by default (--waivers FILE for another)"),
                ("gsl-report.*", "the reports written with --output-dir (gsl-report.sarif, .junit.xml, .csv, .ocsf.jsonl, .md, .html, .json, .txt)"),
            ],
            examples: &[
                ("gsl check", "the built-in policies over the built-in sample account"),
                ("gsl check --pack cis-aws@2.0.0 --snapshot acct.json --format json", "one CIS version, as JSON"),
                ("gsl check my-rules/ --id CIS-AWS-4.3 -v", "one policy of yours, passing objects explained too"),
                ("gsl check -f sarif,junit,html --output-dir reports/ --fail-on high --waivers waivers.yaml", "reports for CI; exit 1 only for high or critical failures"),
                ("gsl check --snapshot org/ --account 111111111111 --strict", "one account of an organization"),
                ("gsl check --live --all-regions --save acct.json", "collect, check, and keep the snapshot"),
            ],
        },
        "gsl-fix" => Facts {
            exit: &[
                ("0", "the plan mends every failing finding of the selection, or nothing fails (a note says so); with --apply, every change was made"),
                ("1", "some failing findings cannot be mended: each says why (a manual step, or a choice only you can make and the flag that gives it); the plan holds the others"),
                ("2", "a usage error, a policy or snapshot that cannot be loaded, --apply refused (no terminal and no --yes), or a call of --apply that failed (what was done and what was not is listed)"),
            ],
            environment: AWS_ENV,
            files: &[
                ("gsl.toml", "defaults for the selection, as for gsl check"),
                (".gslignore.yaml", "waivers: a waived finding is not mended"),
                ("docs/iam-fix-policy.json", "in the source tree: the IAM actions --apply needs"),
            ],
            examples: &[
                ("gsl fix --snapshot acct.json --pack cis-aws@2.0.0", "AWS CLI commands that mend the CIS v2.0.0 failures"),
                ("gsl fix --snapshot acct.json --notify secops@example.com -f json", "the plan as JSON; new alarms notify this address when no topic has a confirmed subscription"),
                ("gsl fix --live --id CIS-AWS-4.3 --apply --yes", "make the changes through the AWS SDK, without asking"),
            ],
        },
        "gsl-eval" => Facts {
            exit: &[("0", "every relevant object passed"), ("1", "some object failed or is unknown"), ERRORS],
            environment: AWS_ENV,
            files: none,
            examples: &[
                ("gsl eval \"CloudTrail should have isMultiRegionTrail=true\"", "one rule over the sample account"),
                ("gsl eval --snapshot acct.json \"CloudTrail where status.isLogging=true should have metricFilters with [hasSNSSubscriber='true']\"", "over your snapshot"),
            ],
        },
        "gsl-parse" => Facts {
            exit: &[("0", "the rule parses"), ERRORS],
            environment: COLOR_ENV,
            files: none,
            examples: &[(
                "gsl parse \"List<CloudTrail> should have items with [name like 'org%']\" --ast",
                "the canonical text and the syntax tree",
            )],
        },
        "gsl-pattern" | "gsl-pattern-canon" | "gsl-pattern-eq" | "gsl-pattern-covers" | "gsl-pattern-test" => Facts {
            exit: &[
                ("0", "yes: equal, covered, matched, or the pattern is valid"),
                ("1", "no, proven: a distinguishing or missed event is shown"),
                ("2", "an invalid pattern or a usage error"),
                ("3", "the engine cannot decide; the reason is given"),
            ],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl pattern eq '{$.eventName=ConsoleLogin}' '{ ($.eventName = \"ConsoleLogin\") }'", "equal by meaning"),
                ("gsl pattern covers '{ $.userIdentity.type = \"Root\" && $.eventType != \"AwsServiceEvent\" }' '{ $.userIdentity.type = Root }'", "does the second (the filter) catch every event of the first (the requirement)?"),
                ("gsl pattern test '{ $.errorCode = \"AccessDenied*\" }' --events events.jsonl", "match log events, like TestMetricFilter"),
            ],
        },
        "gsl-collect" => Facts {
            exit: &[
                ("0", "everything was collected"),
                ("2", "nothing could be collected (bad credentials), or a usage error"),
                ("3", "the snapshot was written, but some AWS calls failed: they are listed in its errors, and rules over what they would have read are unknown"),
            ],
            environment: AWS_ENV,
            files: &[("~/.aws/config, ~/.aws/credentials", "the AWS SDK's profiles and credentials")],
            examples: &[
                ("gsl collect --region us-east-1 --region eu-west-1 --out acct.json --stats", "two regions, with call counts"),
                ("gsl collect --org --role-name gsl-audit --all-regions --split org/", "every account of an organization, each its enabled regions, a file per account"),
            ],
        },
        "gsl-repl" => Facts {
            exit: &[("0", "the session ended; piped, every input succeeded"), ("1", "piped: some input failed"), ERRORS],
            environment: &[
                ("GSL_HISTORY", "the history file (default: the data directory's gsl/history)"),
                ("NO_COLOR", "when set and not empty, no colour"),
            ],
            files: &[("$XDG_DATA_HOME/gsl/history", "the line history (~/.local/share/gsl/history)")],
            examples: &[
                ("gsl repl --snapshot acct.json", "explore a snapshot and try rules"),
                ("echo 'CloudTrail should have isMultiRegionTrail=true' | gsl repl", "piped: one input per line"),
            ],
        },
        "gsl-test" => Facts {
            exit: &[("0", "every case of every test file passed"), ("1", "some case failed (or, with --require-tests, a policy has no test file)"), ERRORS],
            environment: COLOR_ENV,
            files: &[("<name>.test.yaml", "the cases of the policy <name>.gsl beside it: entities or a snapshot, the outcome expected per object")],
            examples: &[("gsl test policies/", "run the test file beside each policy")],
        },
        "gsl-fmt" => Facts {
            exit: &[("0", "formatted (with --check: nothing would change)"), ("1", "with --check: some file would change"), ("2", "a file does not parse (it is left as it is), or a usage error")],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl fmt my-rules/", "rewrite every .gsl file in canonical form, comments kept"),
                ("gsl fmt --check my-rules/", "for CI: list the files that would change"),
            ],
        },
        "gsl-lsp" => Facts {
            exit: &[("0", "the client shut the server down"), ("2", "the connection failed")],
            environment: none,
            files: none,
            examples: &[("gsl lsp", "started by an editor, which talks to it over stdin and stdout (docs/editors.md)")],
        },
        "gsl-policies" => Facts {
            exit: &[("0", "every policy listed loads"), ("2", "some policy file is broken (it is listed and marked), or a usage error")],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl policies", "the built-in packs"),
                ("gsl policies my-rules/ --format json", "your policies: ids, severities, frameworks"),
            ],
        },
        "gsl-diff" => Facts {
            exit: &[("0", "the reports were compared, whatever changed"), ERRORS],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl diff main.json branch.json", "new, fixed and unchanged findings, per policy and per account"),
                ("gsl diff main.json branch.sarif -f markdown", "the same, for a pull-request comment"),
            ],
        },
        "gsl-history" => Facts {
            exit: &[("0", "the store was read"), ERRORS],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl history --store history.db", "the stored runs"),
                ("gsl history --store history.db --trend --by account -f csv", "per day and account: pass rate, open findings per severity"),
                ("gsl history --store history.db --findings", "first and last seen, age, mean time to remediate"),
            ],
        },
        "gsl-replay" => Facts {
            exit: &[
                ("0", "every file was read"),
                ("1", "some input could not be read and was skipped (the report names each file and offset)"),
                ERRORS,
            ],
            environment: COLOR_ENV,
            files: none,
            examples: &[
                ("gsl replay --snapshot acct.json --logs AWSLogs/", "CloudTrail's log files through the account's metric filters and alarms"),
                ("gsl replay -s acct.json --logs export.jsonl --id 'CIS-AWS-4.*' -f markdown", "a CloudWatch Logs export, the monitoring controls, for a pull request"),
            ],
        },
        "gsl-completions" => Facts {
            exit: &[("0", "the script was written"), ERRORS],
            environment: none,
            files: none,
            examples: &[
                ("gsl completions bash > ~/.local/share/bash-completion/completions/gsl", "bash"),
                ("gsl completions zsh > \"${fpath[1]}/_gsl\"", "zsh"),
            ],
        },
        "gsl-man" => Facts {
            exit: &[("0", "the pages were written"), ("2", "a page could not be written")],
            environment: none,
            files: none,
            examples: &[
                ("gsl man > gsl.1", "this manual's first page"),
                ("gsl man --dir ~/.local/share/man/man1", "every page, where man(1) finds them"),
            ],
        },
        _ => Facts {
            exit: &[("0", "success"), ERRORS],
            environment: COLOR_ENV,
            files: none,
            examples: none,
        },
    }
}

/// Every page: the command and its visible subcommands, recursively, by page name.
fn commands(cmd: &clap::Command) -> Vec<&clap::Command> {
    let mut out = vec![cmd];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out.extend(commands(sub));
    }
    out
}

fn page_name(cmd: &clap::Command) -> &str {
    cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
}

fn definitions(roff: &mut Roff, title: &str, items: &[(&str, &str)]) {
    if items.is_empty() {
        return;
    }
    roff.control("SH", [title]);
    for (term, text) in items {
        roff.control("TP", []);
        roff.text([bold(*term)]);
        roff.text([roman(*text)]);
    }
}

/// One page: clap's sections, then ours.
fn page(cmd: &clap::Command, all: &[&str]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("gsl {}", env!("CARGO_PKG_VERSION")))
        .manual("gsl manual")
        .render(&mut out)?;
    let name = page_name(cmd);
    let f = facts(name);
    let mut roff = Roff::new();
    definitions(&mut roff, "EXIT STATUS", f.exit);
    definitions(&mut roff, "ENVIRONMENT", f.environment);
    definitions(&mut roff, "FILES", f.files);
    if !f.examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (command, what) in f.examples {
            roff.control("TP", []);
            roff.text([bold(*command)]);
            roff.text([roman(*what)]);
        }
    }
    roff.control("SH", ["SEE ALSO"]);
    let others: Vec<String> = all
        .iter()
        .filter(|n| **n != name)
        .map(|n| format!("{n}(1)"))
        .collect();
    roff.text([roman(others.join(", "))]);
    if name == "gsl" {
        roff.control("PP", []);
        roff.text([
            roman("The pages of the subcommands: "),
            bold("gsl man --dir DIR"),
            roman(". The documentation: "),
            italic("docs/"),
            roman(" in the source (README.md, docs/reports.md, docs/language.md)."),
        ]);
    }
    roff.to_writer(&mut out)?;
    Ok(out)
}

/// Run `gsl man`.
pub fn run(args: &ManArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let mut cmd = super::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let pages = commands(&cmd);
    let names: Vec<&str> = pages.iter().map(|c| page_name(c)).collect();
    let fail = |what: String, e: std::io::Error| {
        miette::miette!(code = "gsl::man::io", "cannot write {what}: {e}")
    };
    match &args.dir {
        None => {
            let text = page(&cmd, &names).map_err(|e| fail("the man page".into(), e))?;
            io.out
                .write_all(&text)
                .map_err(|e| fail("the man page".into(), e))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| fail(format!("the directory {}", dir.display()), e))?;
            for c in &pages {
                let path = dir.join(format!("{}.1", page_name(c)));
                let text = page(c, &names).map_err(|e| fail(path.display().to_string(), e))?;
                std::fs::write(&path, text).map_err(|e| fail(path.display().to_string(), e))?;
            }
            let _ = writeln!(
                io.err,
                "wrote {} man pages to {} ({})",
                pages.len(),
                dir.display(),
                names.join(", ")
            );
        }
    }
    Ok(Exit::Ok)
}
