//! The CIS packs `policies/cis-aws@VERSION/` are generated from one chain template and
//! one table of per-version patterns (`policies/cis-aws.src/`): this renders them and
//! fails when a shipped file differs (`GSL_REGENERATE=1` writes them instead), then
//! checks what the versions must say differently (4.1 across versions, the v5.0 4.10
//! drift) through the policies themselves.

use gsl::entity::graph::EntityGraph;
use gsl::entity::load::parse_snapshot;
use gsl::lang::eval::{check_rule_src, evaluate, EvalOptions, Outcome};
use gsl::lang::parser::parse_rule_named;
use gsl::policy::select::builtin_pack;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    controls: BTreeMap<String, Control>,
    versions: Vec<Version>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Control {
    topic: String,
    title: String,
    severity: String,
    why: String,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct Reject {
    pattern: String,
    why: String,
    explanation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Version {
    version: String,
    base: Option<String>,
    section: Option<u32>,
    titles: Option<String>,
    #[serde(default)]
    controls: Vec<String>,
    #[serde(default)]
    add: Vec<String>,
    #[serde(default)]
    patterns: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    notes: BTreeMap<String, String>,
    #[serde(default)]
    rejects: BTreeMap<String, Vec<Reject>>,
}

/// A version with its base folded in.
#[derive(Clone)]
struct Resolved {
    version: String,
    section: u32,
    titles: String,
    controls: Vec<String>,
    patterns: BTreeMap<String, Vec<String>>,
    notes: BTreeMap<String, String>,
    rejects: BTreeMap<String, Vec<Reject>>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn table() -> Table {
    let text = std::fs::read_to_string(root().join("policies/cis-aws.src/controls.yaml"))
        .expect("controls.yaml");
    serde_yaml::from_str(&text).expect("controls.yaml parses")
}

fn resolve(table: &Table) -> Vec<Resolved> {
    let mut out: Vec<Resolved> = Vec::new();
    for v in &table.versions {
        let base = v.base.as_ref().map(|b| {
            out.iter()
                .find(|r| &r.version == b)
                .unwrap_or_else(|| panic!("{}: base {b} must come before it", v.version))
                .clone()
        });
        let mut r = base.unwrap_or(Resolved {
            version: String::new(),
            section: 0,
            titles: String::new(),
            controls: Vec::new(),
            patterns: BTreeMap::new(),
            notes: BTreeMap::new(),
            rejects: BTreeMap::new(),
        });
        r.version = v.version.clone();
        if let Some(s) = v.section {
            r.section = s;
        }
        if let Some(t) = &v.titles {
            r.titles = t.clone();
        }
        if !v.controls.is_empty() {
            r.controls = v.controls.clone();
        }
        r.controls.extend(v.add.iter().cloned());
        r.patterns.extend(v.patterns.clone());
        r.notes.extend(v.notes.clone());
        r.rejects.extend(v.rejects.clone());
        out.push(r);
    }
    out
}

/// Word-wrap a metadata value: the first line after `# key: `, then `#   ` lines.
fn wrap(value: &str, first: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    let mut room = 96 - first;
    for word in value.split_whitespace() {
        let line = lines.last_mut().expect("a line");
        if !line.is_empty() && line.len() + 1 + word.len() > room {
            lines.push(word.to_string());
            room = 92;
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n#   ")
}

fn trail(pattern: Option<&str>) -> serde_json::Value {
    let filters = match pattern {
        Some(p) => json!([{"filterName": "cis", "filterPattern": p, "hasSNSSubscriber": "true"}]),
        None => json!([]),
    };
    json!({"id": "arn:aws:cloudtrail:us-east-1:000000000000:trail/main", "name": "main", "region": "us-east-1",
        "isMultiRegionTrail": true, "status": {"isLogging": true},
        "eventSelectors": [{"includeManagementEvents": true, "readWriteType": "All"}],
        "hasSNSSubscriber": "true", "metricFilters": filters})
}

/// The files of one version: (file name, text).
fn render(table: &Table, v: &Resolved) -> Vec<(String, String)> {
    let template = std::fs::read_to_string(root().join("policies/cis-aws.src/chain.gsl.in"))
        .expect("chain.gsl.in");
    let mut files = Vec::new();
    for (i, key) in v.controls.iter().enumerate() {
        let c = &table.controls[key];
        let n = i + 1;
        let number = format!("{}.{n}", v.section);
        let id = format!("CIS-AWS-{number}");
        let title = if v.titles == "filter" {
            let verb = if key == "organizations-changes" {
                "exists"
            } else {
                "exist"
            };
            format!(
                "Ensure a log metric filter and alarm {verb} for {}",
                c.topic
            )
        } else {
            c.title.clone()
        };
        let patterns = &v.patterns[key];
        for p in patterns {
            assert!(!p.contains('\''), "{key}: a pattern with ' needs escaping");
        }
        let mut description = format!(
            "{} Passes when at least one multi-region, logging trail with an event selector for all \
             management events has a metric filter that monitors the CIS pattern (it catches every \
             event of the pattern, and none of its clauses that overlaps the pattern is wider: extra \
             clauses about other events are fine), and that filter's own alarm notifies a confirmed \
             SNS subscriber (the chain of the CIS audit procedure). CIS v{} pattern: {}",
            c.why, v.version, patterns[0]
        );
        for p in &patterns[1..] {
            description.push_str(&format!(" Also accepted: {p}"));
        }
        if let Some(note) = v.notes.get(key) {
            description.push(' ');
            description.push_str(note);
        }
        let filter = if patterns.len() == 1 {
            format!("filterPattern filterPatternMonitors('{}')", patterns[0])
        } else {
            let alts: Vec<String> = patterns
                .iter()
                .map(|p| format!("filterPattern filterPatternMonitors('{p}')"))
                .collect();
            format!("({})", alts.join("\n     or "))
        };
        let text = template
            .replace("{{id}}", &id)
            .replace("{{title}}", &title)
            .replace("{{severity}}", &c.severity)
            .replace(
                "{{description}}",
                &wrap(&description, "# description: ".len()),
            )
            .replace("{{version}}", &v.version)
            .replace("{{number}}", &number)
            .replace("{{filter}}", &filter);
        assert!(!text.contains("{{"), "{id}: a placeholder is left");
        let stem = format!("{}-{n:02}-{key}", v.section);
        let dir = format!("cis-aws@{}", v.version);
        // Shipped in `gsl fmt` form (`.ci/run` checks `gsl fmt --check policies`).
        let text = gsl::format::format_source(&text, &format!("{dir}/{stem}.gsl"))
            .unwrap_or_else(|e| panic!("{id}: the generated policy does not parse: {e}"));
        let mut tests = format!(
            "# Tests of {stem}.gsl, generated with it from policies/cis-aws.src (run them with \
             `gsl test policies/{dir}/{stem}.gsl`).\ncases:\n"
        );
        let case = |name: &str, pattern: Option<&str>, expect: serde_json::Value| {
            format!(
                "  - name: {}\n    entities:\n      CloudTrail:\n        - {}\n    expect:\n      \"List<CloudTrail>@000000000000\": {}\n",
                serde_json::to_string(name).expect("json"),
                serde_json::to_string(&trail(pattern)).expect("json"),
                match expect {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                }
            )
        };
        for (k, p) in patterns.iter().enumerate() {
            let which = if k == 0 {
                "the CIS pattern".to_string()
            } else {
                format!("accepted pattern {}", k + 1)
            };
            tests.push_str(&case(
                &format!("a logging multi-region trail whose filter has {which} and a confirmed subscriber passes"),
                Some(p),
                json!("passed"),
            ));
        }
        tests.push_str(&case(
            "a trail without the metric filter fails",
            None,
            json!({"outcome": "failed", "explanation": "length() is 0"}),
        ));
        for r in v.rejects.get(key).into_iter().flatten() {
            tests.push_str(&case(
                &format!("fails: {}", r.why),
                Some(&r.pattern),
                json!({"outcome": "failed", "explanation": r.explanation}),
            ));
        }
        files.push((format!("{dir}/{stem}.gsl"), text));
        files.push((format!("{dir}/{stem}.test.yaml"), tests));
    }
    files
}

/// A table of controls decided by one rule over collected entities, or manual
/// (`policies/cis-aws.src/rules/<area>.yaml`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleTable {
    controls: BTreeMap<String, RuleControl>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleControl {
    /// The control's number in each pack version that has it.
    numbers: BTreeMap<String, String>,
    title: String,
    /// A version whose title differs.
    #[serde(default)]
    titles: BTreeMap<String, String>,
    severity: String,
    description: String,
    remediation: String,
    #[serde(default)]
    references: Vec<String>,
    /// The rule, or ...
    rule: Option<String>,
    /// ... why data cannot decide the control.
    manual: Option<String>,
    /// The `.test.yaml` cases of a rule.
    #[serde(default)]
    cases: Vec<serde_yaml::Value>,
}

/// The rule tables, by file name.
fn rule_tables() -> BTreeMap<String, RuleTable> {
    let dir = root().join("policies/cis-aws.src/rules");
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.ends_with(".yaml") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).expect("rule table");
        let table: RuleTable =
            serde_yaml::from_str(&text).unwrap_or_else(|err| panic!("rules/{name}: {err}"));
        out.insert(name, table);
    }
    out
}

/// `1.3` -> `1-03`, `2.1.1` -> `2-01-01`: every part after the section has two digits, so
/// file names sort in control order (`5-01-01` before `5-02`).
fn number_stem(number: &str) -> String {
    let mut parts = number.split('.');
    let section = parts.next().expect("a number");
    let mut stem = vec![section.to_string()];
    for part in parts {
        let n: u32 = part
            .parse()
            .unwrap_or_else(|_| panic!("control number {number}"));
        stem.push(format!("{n:02}"));
    }
    stem.join("-")
}

/// The files of one version from the rule tables: (file name, text).
fn render_rules(tables: &BTreeMap<String, RuleTable>, version: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let dir = format!("cis-aws@{version}");
    for (file, table) in tables {
        for (key, c) in &table.controls {
            let Some(number) = c.numbers.get(version) else {
                continue;
            };
            let id = format!("CIS-AWS-{number}");
            let stem = format!("{}-{key}", number_stem(number));
            let title = c.titles.get(version).unwrap_or(&c.title);
            let mut text = format!(
                "# id: {id}\n# title: {title}\n# severity: {}\n# description: {}\n# remediation: {}\n",
                c.severity,
                wrap(&c.description, "# description: ".len()),
                wrap(&c.remediation, "# remediation: ".len()),
            );
            for r in &c.references {
                text.push_str(&format!("# references: {r}\n"));
            }
            text.push_str(&format!(
                "# frameworks: CIS AWS Foundations v{version} {number}\n"
            ));
            match (&c.rule, &c.manual) {
                (Some(rule), None) => {
                    assert!(
                        !c.cases.is_empty(),
                        "rules/{file} {key}: a rule needs test cases"
                    );
                    text.push_str(&format!(
                        "// Generated from policies/cis-aws.src/rules/{file} by\n// tests/it/cis_packs.rs: edit that, not this file.\n{}\n",
                        rule.trim()
                    ));
                }
                (None, Some(why)) => {
                    text.push_str(&format!(
                        "# manual: {}\n// Generated from policies/cis-aws.src/rules/{file} by\n// tests/it/cis_packs.rs: edit that, not this file.\n",
                        wrap(why, "# manual: ".len())
                    ));
                }
                _ => panic!("rules/{file} {key}: give either `rule` or `manual`"),
            }
            let text = gsl::format::format_source(&text, &format!("{dir}/{stem}.gsl"))
                .unwrap_or_else(|e| panic!("{id} ({file} {key}): the rule does not parse: {e}"));
            files.push((format!("{dir}/{stem}.gsl"), text));
            if c.rule.is_some() {
                let cases =
                    serde_yaml::to_string(&json!({ "cases": c.cases })).expect("cases as YAML");
                let tests = format!(
                    "# Tests of {stem}.gsl, generated with it from policies/cis-aws.src/rules/{file} \
                     (run them with `gsl test policies/{dir}/{stem}.gsl`).\n{cases}"
                );
                files.push((format!("{dir}/{stem}.test.yaml"), tests));
            }
        }
    }
    files
}

fn shipped(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        out.insert(name, std::fs::read_to_string(e.path()).unwrap_or_default());
    }
    out
}

#[test]
fn the_cis_packs_are_generated_from_the_table_and_up_to_date() {
    let table = table();
    let versions = resolve(&table);
    let policies = root().join("policies");
    let regenerate = std::env::var_os("GSL_REGENERATE").is_some();
    let mut stale = Vec::new();
    let rules = rule_tables();
    for v in &versions {
        let mut files = render(&table, v);
        files.extend(render_rules(&rules, &v.version));
        let dir = policies.join(format!("cis-aws@{}", v.version));
        let want: BTreeMap<String, String> = files
            .iter()
            .map(|(p, t)| (p.rsplit('/').next().expect("name").to_string(), t.clone()))
            .collect();
        if regenerate {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("pack directory");
            for (name, text) in &want {
                std::fs::write(dir.join(name), text).expect("write");
            }
        }
        let have = shipped(&dir);
        for (name, text) in &want {
            if have.get(name) != Some(text) {
                stale.push(format!("{}/{name}", dir.display()));
            }
        }
        for name in have.keys().filter(|n| !want.contains_key(*n)) {
            stale.push(format!("{}/{name} (not generated)", dir.display()));
        }
    }
    // Every version a rule table numbers a control for is a pack version.
    for (file, table) in &rules {
        for (key, c) in &table.controls {
            for v in c.numbers.keys() {
                assert!(
                    versions.iter().any(|r| &r.version == v),
                    "rules/{file} {key}: no pack version {v} (controls.yaml lists the versions)"
                );
            }
        }
    }
    // Every directory named cis-aws@… comes from the table.
    for e in std::fs::read_dir(&policies).expect("policies/").flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(v) = name.strip_prefix("cis-aws@") {
            if !versions.iter().any(|r| r.version == v) {
                stale.push(format!("{name} (no such version in controls.yaml)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run GSL_REGENERATE=1 cargo test --test it cis_packs): {stale:#?}"
    );
    let specs: Vec<String> = versions
        .iter()
        .map(|v| format!("cis-aws@{}", v.version))
        .collect();
    assert_eq!(
        specs,
        [
            "cis-aws@1.2.0",
            "cis-aws@1.4.0",
            "cis-aws@1.5.0",
            "cis-aws@2.0.0",
            "cis-aws@3.0.0",
            "cis-aws@5.0.0"
        ]
    );
}

/// The outcome of `id` of pack `spec` over one trail whose one filter has `pattern`.
fn outcome(spec: &str, id: &str, pattern: &str) -> (Outcome, String) {
    let p = builtin_pack(spec)
        .expect("pack")
        .policies()
        .expect("policies")
        .into_iter()
        .find(|p| p.meta.id == id)
        .unwrap_or_else(|| panic!("{spec} has no {id}"));
    let mut snap: serde_json::Value =
        serde_json::from_str(gsl::entity::SAMPLE_SNAPSHOT).expect("sample");
    snap["accounts"][0]["accountNumber"] = json!("000000000000");
    let mut t = trail(Some(pattern));
    t["type"] = json!("CloudTrail");
    snap["accounts"][0]["entities"] = json!({"CloudTrail": [t]});
    let graph = EntityGraph::new(parse_snapshot(&snap.to_string(), "test").expect("snapshot"));
    let rule = parse_rule_named(&p.source, &p.origin).expect("parses");
    let rule = check_rule_src(&rule, &p.source, &p.origin).expect("checks");
    let r = evaluate(&rule, &graph, &EvalOptions::default());
    let e = &r.entities[0];
    let text = format!(
        "{} {}",
        e.explanation.summary,
        e.explanation
            .evidence
            .iter()
            .filter_map(|ev| ev.note.clone())
            .collect::<Vec<_>>()
            .join("\n")
    );
    (e.outcome, text)
}

const V12_41: &str =
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#;
const V14_41: &str = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }"#;
const V20_41: &str = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#;
const INTENDED_41: &str = r#"{ ($.eventName != HeadBucket) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) }"#;

#[test]
fn cis_4_1_is_exact_per_version() {
    use Outcome::{Failed, Passed};
    // (pack, id, pattern, outcome, a part of the explanation)
    let cases: [(&str, &str, &str, Outcome, &str); 14] = [
        ("cis-aws@1.2.0", "CIS-AWS-3.1", V12_41, Passed, ""),
        (
            "cis-aws@1.2.0",
            "CIS-AWS-3.1",
            INTENDED_41,
            Failed,
            "misses events the rule requires",
        ),
        (
            "cis-aws@1.2.0",
            "CIS-AWS-3.1",
            V20_41,
            Failed,
            "misses events the rule requires",
        ),
        ("cis-aws@1.4.0", "CIS-AWS-4.1", INTENDED_41, Passed, ""),
        ("cis-aws@1.4.0", "CIS-AWS-4.1", V20_41, Failed, "is wider"),
        ("cis-aws@1.4.0", "CIS-AWS-4.1", V14_41, Failed, "is wider"),
        ("cis-aws@1.4.0", "CIS-AWS-4.1", V12_41, Failed, "is wider"),
        ("cis-aws@1.5.0", "CIS-AWS-4.1", V14_41, Failed, "is wider"),
        ("cis-aws@2.0.0", "CIS-AWS-4.1", V20_41, Passed, ""),
        ("cis-aws@2.0.0", "CIS-AWS-4.1", INTENDED_41, Passed, ""),
        ("cis-aws@2.0.0", "CIS-AWS-4.1", V12_41, Failed, "is wider"),
        ("cis-aws@2.0.0", "CIS-AWS-4.1", V14_41, Failed, "is wider"),
        ("cis-aws@3.0.0", "CIS-AWS-4.1", V12_41, Failed, "is wider"),
        ("cis-aws@5.0.0", "CIS-AWS-4.1", V20_41, Passed, ""),
    ];
    for (spec, id, pattern, want, says) in cases {
        let (got, text) = outcome(spec, id, pattern);
        assert_eq!(got, want, "{spec} {id} {pattern}: {text}");
        assert!(text.contains(says), "{spec} {id}: {says}\n{text}");
    }
}

#[test]
fn the_v5_security_group_control_requires_modify_security_group_rules() {
    let v3 = r#"{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#;
    assert_eq!(
        outcome("cis-aws@3.0.0", "CIS-AWS-4.10", v3).0,
        Outcome::Passed
    );
    let (got, text) = outcome("cis-aws@5.0.0", "CIS-AWS-4.10", v3);
    assert_eq!(got, Outcome::Failed, "{text}");
    assert!(text.contains("ModifySecurityGroupRules"), "{text}");
}

#[test]
fn every_cis_policy_has_one_strict_chain_line_and_its_strict_variant_checks() {
    for pack in gsl::policy::select::builtin_packs()
        .into_iter()
        .filter(|p| p.name == "cis-aws")
    {
        let mut policies = pack.policies().expect("policies");
        // The monitoring chain's policies (a metric filter whose alarm reaches a
        // subscriber) have exactly one marked line; every other control has none.
        let mut chains = Vec::new();
        for p in &policies {
            let marked = p
                .source
                .lines()
                .filter(|l| {
                    l.trim_end()
                        .ends_with(gsl::policy::select::STRICT_CHAIN_MARK)
                })
                .count();
            let chain = p.source.contains("hasSNSSubscriber");
            assert_eq!(marked, usize::from(chain), "{}", p.origin);
            if chain {
                chains.push(p.origin.clone());
            }
        }
        // Every version has the chain controls (14 in v1.2.0, 15 later).
        assert!(chains.len() >= 14, "{}: {chains:?}", pack.spec());
        let n = gsl::policy::select::strict_chain(&mut policies).expect("strict");
        assert_eq!(n, chains.len(), "{}", pack.spec());
        for p in &policies {
            let strict = p
                .source
                .contains("and hasStrictSNSSubscriber = 'true'  // strict-chain");
            assert_eq!(strict, chains.contains(&p.origin), "{}", p.origin);
            if p.meta.manual.is_none() {
                let rule = parse_rule_named(&p.source, &p.origin).expect("parses");
                check_rule_src(&rule, &p.source, &p.origin).expect("checks");
            }
        }
    }
    // CloudGuard's rules keep CloudGuard's logic: no strict chain to apply.
    let mut cg = builtin_pack("cloudguard").unwrap().policies().unwrap();
    assert!(gsl::policy::select::strict_chain(&mut cg).is_err());
}

/// docs/policies.md has a table of every control of the latest CIS version: its policy,
/// the entity types the rule reads and the API calls (IAM actions) that collect them, or
/// `manual`. It is generated here from the pack and the types' declarations
/// (`GSL_REGENERATE=1` rewrites it between its markers).
#[test]
fn the_controls_table_in_the_docs_is_generated_from_the_pack_and_the_types() {
    const BEGIN: &str = "<!-- cis-controls:begin (generated by tests/it/cis_packs.rs) -->\n";
    const END: &str = "<!-- cis-controls:end -->";
    let pack = builtin_pack("cis-aws").unwrap();
    let prefix = format!(
        "CIS AWS Foundations v{} ",
        pack.spec().rsplit('@').next().unwrap()
    );
    let mut table = String::from(
        "| control | policy | entity types | API calls (IAM actions) | decided by |\n|---|---|---|---|---|\n",
    );
    for p in pack.policies().unwrap() {
        let number = p
            .meta
            .frameworks
            .iter()
            .find_map(|f| f.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("{}: no {prefix}number", p.origin));
        let file = p.origin.rsplit('/').next().unwrap();
        let link = format!("[`{file}`](../{})", p.origin);
        if p.meta.manual.is_some() {
            table.push_str(&format!("| {number} | {link} | - | - | manual |\n"));
            continue;
        }
        let rule = parse_rule_named(&p.source, &p.origin).unwrap();
        let name = &rule.target.entity.name;
        let t = gsl::collect::types::entity_type(name)
            .unwrap_or_else(|| panic!("{}: `{name}` is not a collected type", p.origin));
        let mut calls: Vec<String> = Vec::new();
        let reads = t
            .calls
            .iter()
            .map(|c| (c.service, c.operation))
            .chain(t.reads.iter().map(|r| (r.service, r.operation)));
        for (service, operation) in reads {
            let action = format!("`{}`", service.iam_action(operation));
            if !calls.contains(&action) {
                calls.push(action);
            }
        }
        let list = if rule.target.list {
            "List<…> of "
        } else {
            ""
        };
        table.push_str(&format!(
            "| {number} | {link} | {list}`{name}` | {} | data |\n",
            calls.join(", ")
        ));
    }
    let path = root().join("docs/policies.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let start = doc.find(BEGIN).expect("the table's begin marker") + BEGIN.len();
    let end = doc.find(END).expect("the table's end marker");
    if std::env::var_os("GSL_REGENERATE").is_some() {
        let text = format!("{}{table}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, text).unwrap();
        return;
    }
    assert_eq!(
        &doc[start..end],
        table,
        "docs/policies.md's control table is stale: GSL_REGENERATE=1 cargo test --test it -- cis_packs"
    );
}
