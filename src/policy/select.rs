//! Which policies a run selects, and which pack each belongs to.
//!
//! Packs are the directories of `policies/` (`policies/cis-aws/…` is the pack
//! `cis-aws`); a directory named `NAME@VERSION` is version `VERSION` of pack `NAME`.
//! The list of packs is derived from the embedded files ([`super::builtin_sources`]),
//! so adding a directory adds a pack, with no code change.

/// The pack of a policy, from where it was read: the name of its directory
/// (`policies/cis-aws/4-03.gsl` → `cis-aws`, `my-rules/x.gsl` → `my-rules`), or
/// `policies` for a file given alone with no directory.
pub fn pack_of(origin: &str) -> &str {
    let path = origin.trim_end_matches(['/', '\\']);
    let mut parts = path.rsplit(['/', '\\']);
    let _file = parts.next();
    parts
        .find(|p| !p.is_empty() && *p != ".")
        .unwrap_or("policies")
}

use super::{parse_policy, Policy, PolicyError, Severity};
use globset::{GlobBuilder, GlobMatcher};
use miette::Diagnostic;
use thiserror::Error;

/// A selection that matches nothing, or a pack that does not exist.
#[derive(Debug, Error, Diagnostic)]
pub enum SelectError {
    /// `--id` / `--exclude-id` that matches no policy.
    #[error("no policy matches `{pattern}`")]
    #[diagnostic(code(gsl::check::unknown_id), help("{help}"))]
    UnknownId {
        /// The id or glob.
        pattern: String,
        /// A suggestion, or where to look.
        help: String,
    },
    /// A glob that does not parse.
    #[error("bad glob `{pattern}`: {message}")]
    #[diagnostic(
        code(gsl::select::bad_glob),
        help("ids take `*`, `?` and `[...]`, e.g. 'CIS-AWS-4.*' (quote it for the shell)")
    )]
    BadGlob {
        /// The glob.
        pattern: String,
        /// Why.
        message: String,
    },
    /// `--framework` that no policy names.
    #[error("no policy is mapped to framework `{framework}`")]
    #[diagnostic(code(gsl::select::unknown_framework), help("{help}"))]
    UnknownFramework {
        /// The framework asked for.
        framework: String,
        /// A suggestion and the known frameworks.
        help: String,
    },
    /// `--pack` with an unknown name or version.
    #[error("no built-in pack `{spec}`")]
    #[diagnostic(code(gsl::select::unknown_pack), help("{help}"))]
    UnknownPack {
        /// What was asked for.
        spec: String,
        /// A suggestion and the known packs.
        help: String,
    },
    /// Two versions of one pack in one run (their policy ids would clash).
    #[error("two versions of pack `{name}` selected: {first} and {second}")]
    #[diagnostic(
        code(gsl::select::two_versions),
        help("a run checks one version of a pack (the versions share policy ids); run `gsl check` once per version")
    )]
    TwoVersions {
        /// The pack.
        name: String,
        /// The first spec.
        first: String,
        /// The second spec.
        second: String,
    },
    /// `--strict-chain` over policies none of which has a strict chain.
    #[error("--strict-chain: none of the selected policies has a chain to make strict")]
    #[diagnostic(
        code(gsl::select::no_strict_chain),
        help("the CIS packs have one (`gsl check --pack cis-aws --strict-chain`); a policy opts in by ending the line that tests `hasSNSSubscriber` with `// strict-chain`")
    )]
    NoStrictChain,
    /// The filters together leave nothing to run.
    #[error("the selection leaves no policy to run")]
    #[diagnostic(
        code(gsl::select::empty),
        help("loosen --severity / --framework / --exclude-id; `gsl policies` lists what there is")
    )]
    Empty,
    /// A policy of a pack has bad metadata.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policy(#[from] PolicyError),
}

/// Which policies to run: every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Ids or globs (case-insensitive); empty: every id. Each must match a policy.
    pub ids: Vec<String>,
    /// Ids or globs to leave out. Each must match a policy.
    pub exclude_ids: Vec<String>,
    /// The lowest severity to run.
    pub min_severity: Option<Severity>,
    /// Frameworks (case-insensitive prefixes of a policy's `frameworks:` entries, so
    /// `CIS AWS Foundations v2.0.0` selects `CIS AWS Foundations v2.0.0 4.3`).
    pub frameworks: Vec<String>,
}

fn matcher(pattern: &str) -> Result<GlobMatcher, SelectError> {
    GlobBuilder::new(pattern)
        .case_insensitive(true)
        .literal_separator(false)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| SelectError::BadGlob {
            pattern: pattern.to_string(),
            message: e.kind().to_string(),
        })
}

fn matchers(patterns: &[String], policies: &[Policy]) -> Result<Vec<GlobMatcher>, SelectError> {
    patterns
        .iter()
        .map(|p| {
            let m = matcher(p)?;
            if !policies.iter().any(|pol| m.is_match(&pol.meta.id)) {
                let ids = policies.iter().map(|pol| pol.meta.id.as_str());
                let help = crate::text::did_you_mean(p, ids).unwrap_or_else(|| {
                    "`gsl policies` lists the policy ids; globs such as 'CIS-AWS-4.*' match several"
                        .to_string()
                });
                return Err(SelectError::UnknownId {
                    pattern: p.clone(),
                    help,
                });
            }
            Ok(m)
        })
        .collect()
}

/// A framework entry without its trailing control number (`CIS AWS Foundations
/// v2.0.0 4.3` → `CIS AWS Foundations v2.0.0`). Only a number after a version token
/// (`v2.0.0`) is a control number: `AWS NIST 800-53 Rev 5` and `AWS PCI-DSS 4.0` are
/// names as they stand.
pub fn framework_name(entry: &str) -> &str {
    let Some((name, control)) = entry.rsplit_once(' ') else {
        return entry;
    };
    let is_number = !control.is_empty() && control.chars().all(|c| c.is_ascii_digit() || c == '.');
    let after_version = name.rsplit(' ').next().is_some_and(|t| {
        let mut c = t.chars();
        matches!(c.next(), Some('v' | 'V')) && c.next().is_some_and(|d| d.is_ascii_digit())
    });
    if is_number && after_version {
        name
    } else {
        entry
    }
}

fn has_framework(p: &Policy, framework: &str) -> bool {
    let want = framework.to_lowercase();
    p.meta.frameworks.iter().any(|f| {
        let f = f.to_lowercase();
        f == want || f.starts_with(&format!("{want} "))
    })
}

impl Selection {
    /// Whether nothing is filtered.
    pub fn is_everything(&self) -> bool {
        self.ids.is_empty()
            && self.exclude_ids.is_empty()
            && self.min_severity.is_none()
            && self.frameworks.is_empty()
    }

    /// The policies this selection keeps, in their order. An id, exclusion or
    /// framework that matches nothing is an error with a suggestion (a typo must not
    /// silently run nothing, or everything).
    pub fn apply(&self, policies: Vec<Policy>) -> Result<Vec<Policy>, SelectError> {
        if self.is_everything() {
            return Ok(policies);
        }
        let ids = matchers(&self.ids, &policies)?;
        let excluded = matchers(&self.exclude_ids, &policies)?;
        for f in &self.frameworks {
            if !policies.iter().any(|p| has_framework(p, f)) {
                let mut names: Vec<&str> = policies
                    .iter()
                    .flat_map(|p| p.meta.frameworks.iter().map(|f| framework_name(f)))
                    .collect();
                names.sort();
                names.dedup();
                let help = match crate::text::did_you_mean(f, names.iter().copied()) {
                    Some(s) => s,
                    None => format!("frameworks of these policies: {}", names.join("; ")),
                };
                return Err(SelectError::UnknownFramework {
                    framework: f.clone(),
                    help,
                });
            }
        }
        let kept: Vec<Policy> = policies
            .into_iter()
            .filter(|p| ids.is_empty() || ids.iter().any(|m| m.is_match(&p.meta.id)))
            .filter(|p| !excluded.iter().any(|m| m.is_match(&p.meta.id)))
            .filter(|p| self.min_severity.is_none_or(|s| p.meta.severity >= s))
            .filter(|p| {
                self.frameworks.is_empty() || self.frameworks.iter().any(|f| has_framework(p, f))
            })
            .collect();
        if kept.is_empty() {
            return Err(SelectError::Empty);
        }
        Ok(kept)
    }
}

/// A built-in pack: a directory of `policies/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pack {
    /// The name (`cis-aws`).
    pub name: String,
    /// The version, for a directory `NAME@VERSION`.
    pub version: Option<String>,
    /// The embedded paths of its policy files.
    pub files: Vec<&'static str>,
}

impl Pack {
    /// `name` or `name@version`.
    pub fn spec(&self) -> String {
        match &self.version {
            Some(v) => format!("{}@{v}", self.name),
            None => self.name.clone(),
        }
    }

    /// Parse the metadata of the pack's policies.
    pub fn policies(&self) -> Result<Vec<Policy>, PolicyError> {
        super::builtin_sources()
            .iter()
            .filter(|(path, _)| self.files.contains(path))
            .map(|(path, text)| parse_policy(text, path))
            .collect()
    }
}

/// The built-in packs, from the embedded files' directories, sorted by name and version.
pub fn builtin_packs() -> Vec<Pack> {
    let mut packs: Vec<Pack> = Vec::new();
    for (path, _) in super::builtin_sources() {
        let dir = path
            .strip_prefix("policies/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(dir, _)| dir)
            .unwrap_or("policies");
        let (name, version) = match dir.split_once('@') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (dir.to_string(), None),
        };
        match packs
            .iter_mut()
            .find(|p| p.name == name && p.version == version)
        {
            Some(p) => p.files.push(path),
            None => packs.push(Pack {
                name,
                version,
                files: vec![path],
            }),
        }
    }
    packs.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| version_key(&a.version).cmp(&version_key(&b.version)))
    });
    packs
}

/// Versions compare by their numeric parts (`1.10.0` after `1.9.0`); no version first.
fn version_key(v: &Option<String>) -> Vec<u64> {
    v.as_deref()
        .map(|v| {
            v.trim_start_matches('v')
                .split(['.', '-'])
                .map(|p| p.parse().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default()
}

/// The comment that opts a line of a policy into `--strict-chain`.
pub const STRICT_CHAIN_MARK: &str = "// strict-chain";

/// `--strict-chain`: on every line of a policy that ends with [`STRICT_CHAIN_MARK`],
/// the test of `hasSNSSubscriber` becomes a test of `hasStrictSNSSubscriber` (the chain
/// also fires on one matching event: `gsl::collect::types::cloud_watch_alarm::fires_on_one_event`). Errs
/// when no policy has such a line (a strict run that checks nothing stricter would be a
/// silent pass); returns how many policies changed.
pub fn strict_chain(policies: &mut [Policy]) -> Result<usize, SelectError> {
    let mut changed = 0;
    for p in policies.iter_mut() {
        let mut out = String::with_capacity(p.source.len() + 16);
        let mut any = false;
        for line in p.source.split_inclusive('\n') {
            let code = line.trim_end();
            if code.ends_with(STRICT_CHAIN_MARK) && code.contains("hasSNSSubscriber") {
                out.push_str(&line.replacen("hasSNSSubscriber", "hasStrictSNSSubscriber", 1));
                any = true;
            } else {
                out.push_str(line);
            }
        }
        if any {
            p.source = out;
            changed += 1;
        }
    }
    if changed == 0 {
        return Err(SelectError::NoStrictChain);
    }
    Ok(changed)
}

/// The packs a run with no path and no `--pack` checks: one version of each built-in
/// pack, the latest, or, when `frameworks` are given, the latest version with a policy
/// mapped to one of them (so `--framework "CIS AWS Foundations v1.2.0"` runs
/// `cis-aws@1.2.0`). One version per pack keeps the policy ids of a run unique.
pub fn default_packs(frameworks: &[String]) -> Result<Vec<Pack>, PolicyError> {
    let packs = builtin_packs();
    let mut out: Vec<Pack> = Vec::new();
    for pack in &packs {
        if out.iter().any(|p| p.name == pack.name) {
            continue;
        }
        let versions: Vec<&Pack> = packs.iter().filter(|p| p.name == pack.name).collect();
        let mut chosen = None;
        if !frameworks.is_empty() {
            for v in versions.iter().rev() {
                let policies = v.policies()?;
                if policies
                    .iter()
                    .any(|p| frameworks.iter().any(|f| has_framework(p, f)))
                {
                    chosen = Some(*v);
                    break;
                }
            }
        }
        if let Some(latest) = chosen.or(versions.last().copied()) {
            out.push(latest.clone());
        }
    }
    Ok(out)
}

/// The policies of [`default_packs`], pack by pack, each pack's files in path order.
pub fn default_policies(frameworks: &[String]) -> Result<Vec<Policy>, PolicyError> {
    let mut out = Vec::new();
    for pack in default_packs(frameworks)? {
        out.extend(pack.policies()?);
    }
    Ok(out)
}

/// The policies of the built-in packs `specs` (`NAME` or `NAME@VERSION`, see
/// [`builtin_pack`]); a pack named twice runs once, two versions of one pack are an
/// error.
pub fn pack_policies(specs: &[String]) -> Result<Vec<Policy>, SelectError> {
    let mut chosen: Vec<Pack> = Vec::new();
    for spec in specs {
        let pack = builtin_pack(spec)?;
        match chosen.iter().find(|p| p.name == pack.name) {
            Some(p) if p.version == pack.version => {}
            Some(p) => {
                return Err(SelectError::TwoVersions {
                    name: pack.name.clone(),
                    first: p.spec(),
                    second: pack.spec(),
                })
            }
            None => chosen.push(pack),
        }
    }
    let mut out = Vec::new();
    for pack in chosen {
        out.extend(pack.policies()?);
    }
    Ok(out)
}

/// The built-in pack `NAME` (its latest version) or `NAME@VERSION`.
pub fn builtin_pack(spec: &str) -> Result<Pack, SelectError> {
    let (name, version) = match spec.split_once('@') {
        Some((n, v)) => (n, Some(v.trim_start_matches('v'))),
        None => (spec, None),
    };
    let packs = builtin_packs();
    let found = packs.iter().rfind(|p| {
        p.name.eq_ignore_ascii_case(name)
            && version.is_none_or(|v| {
                p.version.as_deref().map(|pv| pv.trim_start_matches('v')) == Some(v)
            })
    });
    match found {
        Some(p) => Ok(p.clone()),
        None => {
            let specs: Vec<String> = packs.iter().map(Pack::spec).collect();
            let names: Vec<&str> = packs.iter().map(|p| p.name.as_str()).collect();
            let known = format!("built-in packs: {}", specs.join(", "));
            let help = match crate::text::did_you_mean(name, names) {
                Some(s) if version.is_none() => format!("{s} ({known})"),
                _ => known,
            };
            Err(SelectError::UnknownPack {
                spec: spec.to_string(),
                help,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<Policy> {
        super::super::builtin_policies().unwrap()
    }

    fn ids(sel: Selection) -> Vec<String> {
        sel.apply(all())
            .unwrap()
            .into_iter()
            .map(|p| p.meta.id)
            .collect()
    }

    #[test]
    fn pack_of_is_the_directory() {
        assert_eq!(pack_of("policies/cis-aws/4-03.gsl"), "cis-aws");
        assert_eq!(pack_of("./my-rules/x.gsl"), "my-rules");
        assert_eq!(pack_of("x.gsl"), "policies");
    }

    #[test]
    fn ids_are_case_insensitive_globs() {
        let got = ids(Selection {
            ids: vec!["cis-aws-4.1*".into()],
            ..Default::default()
        });
        assert_eq!(
            got,
            [
                "CIS-AWS-4.1",
                "CIS-AWS-4.10",
                "CIS-AWS-4.11",
                "CIS-AWS-4.12",
                "CIS-AWS-4.13",
                "CIS-AWS-4.14",
                "CIS-AWS-4.15",
                "CIS-AWS-4.16"
            ]
        );
        let got = ids(Selection {
            ids: vec!["CIS-AWS-4.*".into()],
            exclude_ids: vec!["cis-aws-4.1?".into()],
            ..Default::default()
        });
        assert_eq!(got.len(), 9, "{got:?}");
    }

    #[test]
    fn a_missed_id_suggests_the_closest() {
        let err = Selection {
            ids: vec!["CIS-AWS-4.3x".into()],
            ..Default::default()
        }
        .apply(all())
        .unwrap_err();
        let help = err.help().unwrap().to_string();
        assert!(help.contains("did you mean `CIS-AWS-4.3`"), "{help}");
    }

    #[test]
    fn severity_and_framework_filter() {
        let got = ids(Selection {
            min_severity: Some(Severity::High),
            ..Default::default()
        });
        assert!(!got.is_empty() && got.len() < all().len());
        // A framework picks the pack version that maps to it.
        let v2 = vec!["cis aws foundations v2.0.0".to_string()];
        let got = Selection {
            frameworks: v2.clone(),
            ..Default::default()
        }
        .apply(default_policies(&v2).unwrap())
        .unwrap();
        assert_eq!(got.len(), 15);
        assert!(
            got.iter()
                .all(|p| p.origin.starts_with("policies/cis-aws@2.0.0/")),
            "{got:?}"
        );
        let v12 = vec!["CIS AWS Foundations v1.2.0".to_string()];
        let got: Vec<String> = Selection {
            frameworks: v12.clone(),
            ..Default::default()
        }
        .apply(default_policies(&v12).unwrap())
        .unwrap()
        .into_iter()
        .map(|p| p.meta.id)
        .collect();
        assert_eq!(got.len(), 14);
        assert!(got.contains(&"CIS-AWS-3.3".to_string()), "{got:?}");
        let err = Selection {
            frameworks: vec!["CIS AWS Foundation v2.0.0".into()],
            ..Default::default()
        }
        .apply(all())
        .unwrap_err();
        assert!(
            err.help().unwrap().to_string().contains("did you mean"),
            "{err:?}"
        );
    }

    #[test]
    fn packs_come_from_the_directories() {
        let specs: Vec<String> = builtin_packs().iter().map(Pack::spec).collect();
        assert_eq!(
            specs,
            [
                "cis-aws@1.2.0",
                "cis-aws@1.4.0",
                "cis-aws@1.5.0",
                "cis-aws@2.0.0",
                "cis-aws@3.0.0",
                "cis-aws@5.0.0",
                "cloudguard"
            ]
        );
        // No version: the latest.
        let latest = builtin_pack("cis-aws").unwrap();
        assert_eq!(latest.spec(), "cis-aws@5.0.0");
        // v5.0.0: all 63 controls, a rule or a manual entry each.
        assert_eq!(latest.policies().unwrap().len(), 63);
        assert_eq!(
            builtin_pack("cis-aws@v1.2.0")
                .unwrap()
                .policies()
                .unwrap()
                .len(),
            14
        );
        // The default run: one version of each pack.
        let default: Vec<String> = default_packs(&[]).unwrap().iter().map(Pack::spec).collect();
        assert_eq!(default, ["cis-aws@5.0.0", "cloudguard"]);
        // Two versions of one pack in a run would clash on ids.
        let err = pack_policies(&["cis-aws@1.4.0".into(), "cis-aws@2.0.0".into()]).unwrap_err();
        assert!(
            matches!(&err, SelectError::TwoVersions { first, second, .. } if first == "cis-aws@1.4.0" && second == "cis-aws@2.0.0"),
            "{err:?}"
        );
        assert_eq!(
            pack_policies(&["cis-aws".into(), "cis-aws@5.0.0".into()])
                .unwrap()
                .len(),
            63
        );
        let err = builtin_pack("cis-aw").unwrap_err();
        assert!(err
            .help()
            .unwrap()
            .to_string()
            .contains("did you mean `cis-aws`"));
        assert!(builtin_pack("cis-aws@9.9").is_err());
    }
}
