//! `gsl policies [PATH...]`: the built-in packs, or the user's own policy files, with
//! packs, versions, ids, severities and frameworks; `--format json` for tools. A policy
//! whose rule does not parse or check is listed and marked broken (its diagnostics on
//! standard error; exit 2), like a file whose metadata is bad.

use super::{Exit, Format, Io};
use gsl::policy::select::{self, builtin_packs};
use gsl::policy::{self, Policy};
use serde_json::json;
use std::path::PathBuf;

/// `gsl policies` arguments.
#[derive(Debug, clap::Args)]
pub struct PoliciesArgs {
    /// Policy files or directories to list (default: the built-in packs).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t)]
    pub format: Format,
}

struct Listed {
    pack: String,
    version: Option<String>,
    policy: Policy,
    /// Why its rule cannot run, in one line; `None` when it can.
    broken: Option<String>,
}

/// Run `gsl policies`.
pub fn run(args: &PoliciesArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let mut listed = Vec::new();
    let mut broken = 0;
    if args.paths.is_empty() {
        for pack in builtin_packs() {
            for policy in pack.policies()? {
                listed.push(Listed {
                    pack: pack.name.clone(),
                    version: pack.version.clone(),
                    policy,
                    broken: None,
                });
            }
        }
    } else {
        // Every file is listed or reported: one bad file does not hide the others.
        let (files, unreadable) = policy::find_policy_files(&args.paths)?;
        for e in &unreadable {
            broken += 1;
            let _ = writeln!(io.err, "{}", super::render_diagnostic(e));
        }
        for path in files {
            match policy::load_policy_file(&path) {
                Ok(policy) => {
                    // The rule too: a policy that cannot run is not one to list as fine.
                    let prepared = gsl::run::PreparedRule::policy(&policy);
                    let broken_rule = prepared.error().map(|e| {
                        broken += 1;
                        let _ = writeln!(io.err, "{}", super::render_diagnostic(e.diagnostic()));
                        e.summary()
                    });
                    listed.push(Listed {
                        pack: select::pack_of(&policy.origin).to_string(),
                        version: None,
                        policy,
                        broken: broken_rule,
                    })
                }
                Err(e) => {
                    broken += 1;
                    let _ = writeln!(io.err, "{}", super::render_diagnostic(&e));
                }
            }
        }
    }
    let text = match args.format {
        Format::Json => {
            let items: Vec<serde_json::Value> = listed
                .iter()
                .map(|l| {
                    let m = &l.policy.meta;
                    json!({
                        "pack": l.pack,
                        "version": l.version,
                        "id": m.id,
                        "title": m.title,
                        "severity": m.severity,
                        "frameworks": m.frameworks,
                        "origin": l.policy.origin,
                        "error": l.broken,
                    })
                })
                .collect();
            super::render::pretty_json(&json!({ "policies": items, "broken": broken }))
        }
        Format::Text => {
            // One line per policy: id, severity, pack[@version], title, frameworks.
            let mut out = String::new();
            let packs: Vec<String> = listed
                .iter()
                .map(|l| match &l.version {
                    Some(v) => format!("{}@{v}", l.pack),
                    None => l.pack.clone(),
                })
                .collect();
            let width = listed
                .iter()
                .map(|l| l.policy.meta.id.len())
                .max()
                .unwrap_or(0);
            let pack_width = packs.iter().map(String::len).max().unwrap_or(0);
            for (l, pack) in listed.iter().zip(&packs) {
                let m = &l.policy.meta;
                let frameworks = if m.frameworks.is_empty() {
                    String::new()
                } else {
                    format!("  [{}]", m.frameworks.join(", "))
                };
                out.push_str(&format!(
                    "{:<width$}  {:<8} {pack:<pack_width$}  {}{frameworks}\n",
                    m.id,
                    m.severity.as_str(),
                    m.title
                ));
                if let Some(why) = &l.broken {
                    out.push_str(&format!(
                        "{:<width$}  BROKEN: the rule cannot run: {why}\n",
                        ""
                    ));
                }
            }
            out
        }
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(if broken > 0 { Exit::Error } else { Exit::Ok })
}
