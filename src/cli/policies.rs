//! `gsl policies [PATH...]`: the built-in packs, or the user's own policy files, with
//! packs, versions, ids, severities, frameworks and the `$Name` parameters they use
//! (with their values); `--format json` for tools. A policy whose rule does not parse
//! or check is listed and marked broken (its diagnostics on standard error; exit 2),
//! like a file whose metadata is bad.

use super::{Exit, Format, Io};
use gsl::params::referenced_in;
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
    /// The values of `$Name` parameters shown for the policies that use them.
    #[command(flatten)]
    pub params: super::ParamsArgs,
}

struct Listed {
    pack: String,
    version: Option<String>,
    policy: Policy,
    /// Why its rule cannot run, in one line; `None` when it can.
    broken: Option<String>,
    /// The `$Name` parameters it uses.
    params: Vec<String>,
}

/// Every parameter the listed policies use, in order of first use, with the ids of the
/// policies using it.
fn used_params(listed: &[Listed]) -> Vec<(&str, Vec<&str>)> {
    let mut used: Vec<(&str, Vec<&str>)> = Vec::new();
    for l in listed {
        for p in &l.params {
            match used.iter_mut().find(|(n, _)| n == p) {
                Some((_, ids)) => ids.push(&l.policy.meta.id),
                None => used.push((p, vec![&l.policy.meta.id])),
            }
        }
    }
    used
}

/// Run `gsl policies`.
pub fn run(args: &PoliciesArgs, io: &mut Io<'_>) -> miette::Result<Exit> {
    let mut listed = Vec::new();
    let params = args.params.load()?;
    let mut broken = 0;
    if args.paths.is_empty() {
        for pack in builtin_packs() {
            for policy in pack.policies()? {
                listed.push(Listed {
                    pack: pack.name.clone(),
                    version: pack.version.clone(),
                    params: referenced_in(&policy.source),
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
                    let prepared = gsl::run::PreparedRule::policy_with(&policy, &params);
                    let broken_rule = prepared.error().map(|e| {
                        broken += 1;
                        let _ = writeln!(io.err, "{}", super::render_diagnostic(e.diagnostic()));
                        e.summary()
                    });
                    listed.push(Listed {
                        pack: select::pack_of(&policy.origin).to_string(),
                        version: None,
                        params: referenced_in(&policy.source),
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
    let used = used_params(&listed);
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
                        "params": l.params,
                        "origin": l.policy.origin,
                        "error": l.broken,
                    })
                })
                .collect();
            let used: Vec<serde_json::Value> = used
                .iter()
                .map(|(name, ids)| {
                    let p = params.get(name);
                    json!({
                        "name": name,
                        "value": p.map(|p| p.value.to_string()),
                        "origin": p.map(|p| p.origin.to_string()),
                        "usedBy": ids,
                    })
                })
                .collect();
            super::render::pretty_json(
                &json!({ "policies": items, "params": used, "broken": broken }),
            )
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
                let uses = if l.params.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> = l.params.iter().map(|n| format!("${n}")).collect();
                    format!("  (uses {})", names.join(", "))
                };
                out.push_str(&format!(
                    "{:<width$}  {:<8} {pack:<pack_width$}  {}{frameworks}{uses}\n",
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
            if !used.is_empty() {
                out.push_str("\nparameters:\n");
                for (name, ids) in &used {
                    let value = match params.get(name) {
                        Some(p) => format!("{} ({})", p.value, p.origin),
                        None => "not defined: these policies cannot run until a parameters file defines it (--params FILE, or [params] in gsl.toml)".to_string(),
                    };
                    out.push_str(&format!(
                        "  ${name} = {value}\n    used by {}\n",
                        ids.join(", ")
                    ));
                }
            }
            out
        }
    };
    let _ = io.out.write_all(text.as_bytes());
    Ok(if broken > 0 { Exit::Error } else { Exit::Ok })
}
