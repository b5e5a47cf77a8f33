//! From a failing finding to its changes.
//!
//! The evidence of a failing object names, by JSON path, each sub-expression that was
//! false: `items[1].isMultiRegionTrail`, `items[0].metricFilters[3].filterPattern`,
//! `items[0].metricFilters[2].hasSNSSubscriber`. Each path is a broken link of the
//! monitoring chain; the entity it points into (the trail, with its filters, their
//! alarms and the alarms' topics nested as the collectors join them) says how to mend
//! it. For a `List<CloudTrail>` rule, where one trail must pass, the plan mends the
//! trail that needs the fewest changes.

use super::change::{
    block_setting, Action, AlarmSpec, Change, EventSelector, PasswordPolicy, PublicAccessBlock,
};
use super::{Blocked, Choices, FindingFix, Plan, NAMESPACE, PLAN_VERSION};
use crate::collect::graph::{arn_region, partition_of};
use crate::entity::graph::EntityGraph;
use crate::lang::ast::{CmpOp, Expr, ExprKind, LiteralKind, Postfix, Subject};
use crate::lang::eval::path::{parse_json_path, Step};
use crate::lang::eval::{EntityResult, Evidence, Outcome};
use crate::policy::Policy;
use crate::report::{PolicyReport, RuleStatus};
use crate::run::CheckRun;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// The builtins whose literal argument is the pattern a filter must have.
const PATTERN_TESTS: &[&str] = &[
    "filterPatternMonitors",
    "isFilterPatternEqual",
    "filterPatternCovers",
];

/// The plan of a check run: every failing, unwaived object of a failed policy.
/// `policies` are the run's (their rules give the patterns a filter must have).
pub fn plan(run: &CheckRun, policies: &[Policy], graph: &EntityGraph, choices: &Choices) -> Plan {
    // The patterns of the policies that pass: a filter that monitors one of them is
    // not rewritten for another policy.
    let protected: Vec<String> = run
        .policies
        .iter()
        .filter(|r| r.status == RuleStatus::Passed)
        .filter_map(|r| policies.iter().find(|p| p.meta.id == r.meta.id))
        .flat_map(required_patterns)
        .collect();
    let first = plan_with(run, policies, graph, choices, &protected, &BTreeSet::new());
    // Two findings that would rewrite one filter: the filter keeps the closer of the
    // patterns, and the other finding gets a filter of its own.
    let losers = rewrite_conflicts(&first);
    if losers.is_empty() {
        return first;
    }
    plan_with(run, policies, graph, choices, &protected, &losers)
}

/// A filter a change rewrites, and the policy it is rewritten for.
type Claim = (String, String, String, String);

fn rewrite_conflicts(plan: &Plan) -> BTreeSet<Claim> {
    let mut claims: BTreeMap<(String, String, String), Vec<(String, f64)>> = BTreeMap::new();
    for f in &plan.findings {
        for c in plan.changes_of(f) {
            if let Action::PutMetricFilter {
                log_group_name,
                filter_name,
                filter_pattern,
                previous_pattern: Some(old),
                ..
            } = &c.action
            {
                let closeness = match (
                    crate::pattern::FilterPattern::parse(old),
                    crate::pattern::FilterPattern::parse(filter_pattern),
                ) {
                    (Ok(o), Ok(n)) => o.similarity_to(&n),
                    _ => 0.0,
                };
                claims
                    .entry((
                        c.account.clone(),
                        log_group_name.clone(),
                        filter_name.clone(),
                    ))
                    .or_default()
                    .push((f.policy.clone(), closeness));
            }
        }
    }
    let mut losers = BTreeSet::new();
    for ((account, group, filter), mut who) in claims {
        if who.len() < 2 {
            continue;
        }
        who.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (policy, _) in &who[1..] {
            losers.insert((
                account.clone(),
                group.clone(),
                filter.clone(),
                policy.clone(),
            ));
        }
    }
    losers
}

fn plan_with(
    run: &CheckRun,
    policies: &[Policy],
    graph: &EntityGraph,
    choices: &Choices,
    protected: &[String],
    no_rewrite: &BTreeSet<Claim>,
) -> Plan {
    let mut b = Builder {
        graph,
        choices,
        protected,
        no_rewrite,
        changes: Vec::new(),
        planned_topics: BTreeMap::new(),
    };
    let mut findings = Vec::new();
    for r in run
        .policies
        .iter()
        .filter(|r| r.status == RuleStatus::Failed)
    {
        let policy = policies.iter().find(|p| p.meta.id == r.meta.id);
        let patterns = policy.map(required_patterns).unwrap_or_default();
        let values = policy.map(required_values).unwrap_or_default();
        for e in failing(r) {
            let mended = match b.mend_setting(e, &values) {
                Some(m) => m,
                None => b.mend(&r.meta.id, e, &patterns),
            };
            let (changes, blocked) = match mended {
                // A failure with nothing to change would be a plan that does not mend it.
                Ok(pending) if pending.is_empty() => (Vec::new(), Some(unsupported_links(&[]))),
                Ok(pending) => (pending.into_iter().map(|p| b.add(p)).collect(), None),
                Err(why) => (Vec::new(), Some(why)),
            };
            findings.push(FindingFix {
                policy: r.meta.id.clone(),
                entity: e.id.clone(),
                account: e.account.clone(),
                changes,
                blocked,
            });
        }
    }
    Plan {
        plan_version: PLAN_VERSION,
        changes: b.changes,
        findings,
    }
}

/// The failing objects of a policy that no waiver covers.
fn failing(r: &PolicyReport) -> impl Iterator<Item = &EntityResult> {
    r.entities
        .iter()
        .filter(move |e| e.outcome == Outcome::Failed && r.waiver_of(&e.id).is_none())
}

/// The patterns a policy's rule requires of a filter (the literal arguments of its
/// pattern tests on `filterPattern`), in rule order: the first is the one a plan writes.
pub fn required_patterns(p: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = condition(p) {
        collect_patterns(&c, &mut out);
    }
    out
}

/// The condition of a policy's rule (what it `should have`).
fn condition(p: &Policy) -> Option<Expr> {
    crate::lang::parser::parse_rule_named(&p.source, &p.origin)
        .ok()?
        .verdict
        .map(|v| v.condition)
}

fn collect_patterns(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => {
            collect_patterns(a, out);
            collect_patterns(b, out);
        }
        ExprKind::Not(a) => collect_patterns(a, out),
        ExprKind::Term(t) => {
            let on_pattern = matches!(&t.subject, Subject::Path(p)
                if p.segments.last().is_some_and(|s| s.name == "filterPattern"));
            for op in &t.postfix {
                match op {
                    Postfix::ListOp { predicate, .. } => collect_patterns(predicate, out),
                    Postfix::Call { name, args, .. }
                        if on_pattern && PATTERN_TESTS.contains(&name.name.as_str()) =>
                    {
                        if let Some(LiteralKind::String(s)) = args.first().map(|a| &a.kind) {
                            if !out.contains(s) {
                                out.push(s.clone());
                            }
                        }
                    }
                    Postfix::Call { .. } => {}
                }
            }
        }
    }
}

/// A value a rule requires of a property: `passwordPolicy.minPasswordLength >= 14`
/// requires 14 of `passwordPolicy.minPasswordLength`.
#[derive(Debug, Clone, PartialEq)]
pub struct Required {
    /// The property's path from the entity, dotted.
    pub path: String,
    /// The least value that passes (`> 13` requires 14), or the value `=` requires.
    pub value: Json,
}

/// The values a policy's rule requires of the entity's own properties: each
/// comparison of a path with a literal outside list operators and negations.
pub fn required_values(p: &Policy) -> Vec<Required> {
    let mut out = Vec::new();
    if let Some(c) = condition(p) {
        collect_values(&c, &mut out);
    }
    out
}

fn collect_values(e: &Expr, out: &mut Vec<Required>) {
    match &e.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => {
            collect_values(a, out);
            collect_values(b, out);
        }
        ExprKind::Not(_) => {}
        ExprKind::Term(t) => {
            let (Subject::Path(path), Some(test)) = (&t.subject, &t.test) else {
                return;
            };
            if !t.postfix.is_empty() {
                return;
            }
            let value = match (&test.value.kind, test.op) {
                (LiteralKind::Number(n), CmpOp::Ge | CmpOp::Eq | CmpOp::Le) => Json::from(*n),
                (LiteralKind::Number(n), CmpOp::Gt) => Json::from(n.floor() + 1.0),
                (LiteralKind::Number(n), CmpOp::Lt) => Json::from(n.ceil() - 1.0),
                (LiteralKind::Bool(b), CmpOp::Eq) => Json::Bool(*b),
                (LiteralKind::Bool(b), CmpOp::Ne) => Json::Bool(!*b),
                (LiteralKind::String(s), CmpOp::Eq) => Json::String(s.clone()),
                _ => return,
            };
            let path = path
                .segments
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(".");
            out.push(Required { path, value });
        }
    }
}

/// A change before it has an id.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    account: String,
    region: String,
    exists: bool,
    action: Action,
}

struct Builder<'a> {
    graph: &'a EntityGraph,
    choices: &'a Choices,
    /// The patterns of the run's passing policies.
    protected: &'a [String],
    /// Filters not to rewrite for a policy (another finding's rewrite is closer).
    no_rewrite: &'a BTreeSet<Claim>,
    changes: Vec<Change>,
    /// Topics this plan creates and subscribes to, per (account, region).
    planned_topics: BTreeMap<(String, String), String>,
}

/// A failing sub-expression: its path's steps and what it saw.
type Link<'e> = (Vec<Step>, &'e Evidence);

/// The topic an alarm will notify.
enum Topic {
    /// It exists and has a confirmed subscription (or this plan subscribes to it).
    Ready(String),
    /// It exists without a confirmed subscription: the plan subscribes to it.
    Subscribe(String),
    /// The plan creates it and subscribes to it.
    Create(String),
}

impl Topic {
    fn arn(&self) -> &str {
        match self {
            Topic::Ready(a) | Topic::Subscribe(a) | Topic::Create(a) => a,
        }
    }
}

impl<'a> Builder<'a> {
    /// Add a change (once: the same change of another finding is the same id, and a
    /// change that sets the same object whole is folded into the first).
    fn add(&mut self, p: Pending) -> String {
        if let Some(c) = self
            .changes
            .iter()
            .find(|c| c.account == p.account && c.region == p.region && c.action == p.action)
        {
            return c.id.clone();
        }
        for c in self
            .changes
            .iter_mut()
            .filter(|c| c.account == p.account && c.region == p.region)
        {
            if c.action.absorb(&p.action) {
                return c.id.clone();
            }
        }
        let id = format!("c{}", self.changes.len() + 1);
        if let Action::CreateTopic { topic_arn, .. } = &p.action {
            self.planned_topics
                .insert((p.account.clone(), p.region.clone()), topic_arn.clone());
        }
        self.changes.push(Change {
            id: id.clone(),
            account: p.account,
            region: p.region,
            exists: p.exists,
            action: p.action,
        });
        id
    }

    /// The entities of `type_name` in `account`.
    fn entities(&self, type_name: &str, account: &str) -> Vec<&'a Json> {
        let mut out = Vec::new();
        for (i, a) in self.graph.accounts().iter().enumerate() {
            if a.account_number == account {
                out.extend(
                    self.graph
                        .entities_of_account(type_name, i)
                        .into_iter()
                        .map(|e| e.value),
                );
            }
        }
        out
    }

    fn mend(
        &self,
        policy: &str,
        e: &EntityResult,
        patterns: &[String],
    ) -> Result<Vec<Pending>, Blocked> {
        let links: Vec<Link<'_>> = e
            .explanation
            .evidence
            .iter()
            .filter(|ev| !ev.result)
            .filter_map(|ev| Some((parse_json_path(ev.path.as_deref()?)?, ev)))
            .collect();
        let ty = e.entity_type.to_ascii_lowercase();
        let list = e.id.starts_with("List<");
        match (ty.as_str(), list) {
            ("cloudtrail", true) => {
                let trails = self.entities(&e.entity_type, &e.account);
                if trails.is_empty() {
                    return Err(Blocked::Unsupported {
                        why: "the account has no trail: create a multi-region trail (its S3 bucket and log group are your choice), then run gsl fix again".to_string(),
                    });
                }
                let mut best: Option<Vec<Pending>> = None;
                let mut first_err = None;
                for (i, trail) in trails.iter().enumerate() {
                    let mine: Vec<Link<'_>> = links
                        .iter()
                        .filter_map(|(steps, ev)| match steps.as_slice() {
                            [Step::Key(k), Step::Index(n), rest @ ..]
                                if k == "items" && *n == i && !rest.is_empty() =>
                            {
                                Some((rest.to_vec(), *ev))
                            }
                            _ => None,
                        })
                        .collect();
                    if mine.is_empty() {
                        continue;
                    }
                    match self.mend_trail(policy, &e.account, trail, &mine, patterns) {
                        Ok(p) if best.as_ref().is_none_or(|b| p.len() < b.len()) => best = Some(p),
                        Ok(_) => {}
                        Err(why) => {
                            first_err.get_or_insert(why);
                        }
                    }
                }
                match (best, first_err) {
                    (Some(p), _) => Ok(p),
                    (None, Some(why)) => Err(why),
                    (None, None) => Err(unsupported_links(&links)),
                }
            }
            ("cloudtrail", false) => {
                let trail = self
                    .entities(&e.entity_type, &e.account)
                    .into_iter()
                    .find(|t| t.get("id").and_then(Json::as_str) == Some(e.id.as_str()))
                    .ok_or_else(|| Blocked::Unsupported {
                        why: format!("trail {} is not in the snapshot", e.id),
                    })?;
                self.mend_trail(policy, &e.account, trail, &links, patterns)
            }
            ("snstopic", false) => {
                // `should not have subscriptions isEmpty()`: the evidence is true.
                let all: Vec<Link<'_>> = e
                    .explanation
                    .evidence
                    .iter()
                    .filter_map(|ev| Some((parse_json_path(ev.path.as_deref()?)?, ev)))
                    .collect();
                self.mend_topic(&e.account, &e.id, &all)
            }
            _ => Err(unsupported_links(&links)),
        }
    }

    /// The entity a finding is about.
    fn entity_of(&self, e: &EntityResult) -> Option<&'a Json> {
        self.entities(&e.entity_type, &e.account)
            .into_iter()
            .find(|t| t.get("id").and_then(Json::as_str) == Some(e.id.as_str()))
    }

    /// The single-call controls of the other collected types (S3 Block Public Access,
    /// KMS rotation, the password policy, EBS encryption by default, IMDSv2, VPC flow
    /// logs, Security Hub, Access Analyzer, the Config recorder); `None` for the types
    /// of the monitoring chain.
    fn mend_setting(
        &self,
        e: &EntityResult,
        required: &[Required],
    ) -> Option<Result<Vec<Pending>, Blocked>> {
        const TYPES: &[&str] = &[
            "S3Bucket",
            "KMS",
            "Iam",
            "EbsEncryptionByDefault",
            "Instance",
            "VPC",
            "SecurityHub",
            "AccessAnalyzer",
            "ConfigurationRecorder",
        ];
        if !TYPES.contains(&e.entity_type.as_str()) || e.id.starts_with("List<") {
            return None;
        }
        let links: Vec<Link<'_>> = e
            .explanation
            .evidence
            .iter()
            .filter(|ev| !ev.result)
            .filter_map(|ev| Some((parse_json_path(ev.path.as_deref()?)?, ev)))
            .collect();
        let Some(entity) = self.entity_of(e) else {
            return Some(Err(Blocked::Unsupported {
                why: format!("{} {} is not in the snapshot", e.entity_type, e.id),
            }));
        };
        let keys = |steps: &[Step]| -> Vec<String> {
            steps
                .iter()
                .filter_map(|s| match s {
                    Step::Key(k) => Some(k.clone()),
                    Step::Index(_) => None,
                })
                .collect()
        };
        let paths: Vec<Vec<String>> = links.iter().map(|(s, _)| keys(s)).collect();
        if paths.is_empty() {
            return Some(Err(unsupported_links(&links)));
        }
        let region = str_of(entity, "region")
            .or(e.region.as_deref())
            .unwrap_or("us-east-1")
            .to_string();
        let at = |exists: bool, action: Action| Pending {
            account: e.account.clone(),
            region: region.clone(),
            exists,
            action,
        };
        let first = |p: &Vec<String>| p.first().cloned().unwrap_or_default();
        let all = |names: &[&str]| paths.iter().all(|p| names.contains(&first(p).as_str()));
        let not_covered = || Some(Err(unsupported_links(&links)));
        Some(Ok(match e.entity_type.as_str() {
            "S3Bucket" => {
                let mut bucket = PublicAccessBlock::default();
                let mut account = PublicAccessBlock::default();
                for p in &paths {
                    let (level, setting) = match p.as_slice() {
                        [l, s] => (l.as_str(), s.as_str()),
                        _ => return not_covered(),
                    };
                    let ok = match level {
                        "publicAccessBlock" => block_setting(&mut bucket, setting),
                        "accountPublicAccessBlock" => block_setting(&mut account, setting),
                        "effectivePublicAccessBlock" if self.choices.s3_account_level => {
                            block_setting(&mut account, setting)
                        }
                        "effectivePublicAccessBlock" => block_setting(&mut bucket, setting),
                        _ => false,
                    };
                    if !ok {
                        return not_covered();
                    }
                }
                let existing = |key: &str| -> PublicAccessBlock {
                    entity
                        .get(key)
                        .cloned()
                        .and_then(|v| serde_json::from_value(v).ok())
                        .unwrap_or_default()
                };
                // A configuration with a setting on exists (one with every setting
                // off may not: the collector cannot tell them apart).
                let none = PublicAccessBlock::default();
                let mut out = Vec::new();
                if account != none {
                    let was = existing("accountPublicAccessBlock");
                    out.push(at(
                        was != none,
                        Action::PutAccountPublicAccessBlock {
                            account_id: e.account.clone(),
                            block: was.or(account),
                        },
                    ));
                }
                if bucket != none {
                    let was = existing("publicAccessBlock");
                    out.push(at(
                        was != none,
                        Action::PutBucketPublicAccessBlock {
                            bucket: str_of(entity, "name").unwrap_or(&e.id).to_string(),
                            block: was.or(bucket),
                        },
                    ));
                }
                out
            }
            "KMS" if all(&["rotationStatus"]) => vec![at(
                true,
                Action::EnableKeyRotation {
                    key_id: str_of(entity, "arn").unwrap_or(&e.id).to_string(),
                },
            )],
            "Iam" if all(&["passwordPolicy"]) => {
                let existing = entity.get("passwordPolicy");
                let enabled = existing
                    .and_then(|p| p.get("enabledInAccount"))
                    .and_then(Json::as_bool)
                    == Some(true);
                let mut policy: PasswordPolicy = existing
                    .filter(|_| enabled)
                    .cloned()
                    .and_then(|p| serde_json::from_value(p).ok())
                    .unwrap_or_default();
                // `expirePasswords` false: the age is not a setting of the policy.
                if existing
                    .and_then(|p| p.get("expirePasswords"))
                    .and_then(Json::as_bool)
                    != Some(true)
                {
                    policy.max_password_age = None;
                }
                for p in &paths {
                    match p.as_slice() {
                        [_, setting] if setting == "enabledInAccount" => {}
                        [_, setting] => {
                            let path = format!("passwordPolicy.{setting}");
                            let Some(r) = required.iter().find(|r| r.path == path) else {
                                return Some(Err(Blocked::Unsupported {
                                    why: format!(
                                        "the rule's requirement of {path} is not a value gsl can read"
                                    ),
                                }));
                            };
                            if !policy.require(setting, &r.value) {
                                return not_covered();
                            }
                        }
                        _ => return not_covered(),
                    }
                }
                // IAM is global: the call goes to us-east-1, or in another partition
                // to the first region collected there.
                let regions = self
                    .graph
                    .accounts()
                    .iter()
                    .find(|a| a.account_number == e.account)
                    .map(|a| a.regions.clone())
                    .unwrap_or_default();
                let region = if regions.is_empty() || regions.iter().any(|r| r == "us-east-1") {
                    "us-east-1".to_string()
                } else {
                    regions[0].clone()
                };
                vec![Pending {
                    region,
                    ..at(enabled, Action::UpdateAccountPasswordPolicy(policy))
                }]
            }
            "EbsEncryptionByDefault" if all(&["enabled"]) => {
                vec![at(true, Action::EnableEbsEncryptionByDefault)]
            }
            "Instance"
                if all(&["metadataOptions"])
                    && paths
                        .iter()
                        .any(|p| p.get(1).map(String::as_str) == Some("httpTokens")) =>
            {
                // `httpTokens = 'required' or httpEndpoint = 'disabled'`: IMDSv2, the
                // metadata service kept.
                vec![at(
                    true,
                    Action::ModifyInstanceMetadataOptions {
                        instance_id: e.id.clone(),
                        http_tokens: "required".to_string(),
                    },
                )]
            }
            "VPC" if all(&["hasFlowLogs", "flowLogs"]) => {
                let Some(destination) = self.choices.flow_log_destination.clone() else {
                    return Some(Err(Blocked::Choice {
                        what: format!(
                            "where the flow logs of VPC {} go (an S3 bucket or a CloudWatch Logs log group)",
                            e.id
                        ),
                        flag: "--flow-log-destination ARN".to_string(),
                    }));
                };
                let to_logs = destination.contains(":logs:");
                let role = self.choices.flow_log_role.clone();
                if to_logs && role.is_none() {
                    return Some(Err(Blocked::Choice {
                        what: "the role that delivers flow logs to the log group".to_string(),
                        flag: "--flow-log-role ARN".to_string(),
                    }));
                }
                vec![at(
                    false,
                    Action::CreateFlowLogs {
                        vpc_id: e.id.clone(),
                        traffic_type: "ALL".to_string(),
                        log_destination_type: if to_logs { "cloud-watch-logs" } else { "s3" }
                            .to_string(),
                        log_destination: destination,
                        deliver_logs_permission_arn: role.filter(|_| to_logs),
                    },
                )]
            }
            "SecurityHub" if all(&["enabled"]) => vec![at(false, Action::EnableSecurityHub)],
            "AccessAnalyzer" if all(&["analyzers", "externalAccessEnabled"]) => {
                let taken: Vec<&str> = entity
                    .get("analyzers")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().filter_map(|x| str_of(x, "name")).collect())
                    .unwrap_or_default();
                let mut name = "gsl-access-analyzer".to_string();
                let mut n = 2;
                while taken.contains(&name.as_str()) {
                    name = format!("gsl-access-analyzer-{n}");
                    n += 1;
                }
                vec![at(
                    false,
                    Action::CreateAnalyzer {
                        analyzer_name: name,
                        analyzer_type: "ACCOUNT".to_string(),
                    },
                )]
            }
            "ConfigurationRecorder"
                if all(&[
                    "exists",
                    "recording",
                    "allSupported",
                    "includeGlobalResourceTypes",
                    "hasDeliveryChannel",
                ]) =>
            {
                return Some(self.mend_recorder(entity, &paths, at));
            }
            _ => return not_covered(),
        }))
    }

    /// The Config recorder of a region: created (with the role and bucket the user
    /// chose) or set to record every supported type, with a delivery channel, started.
    fn mend_recorder(
        &self,
        entity: &Json,
        paths: &[Vec<String>],
        at: impl Fn(bool, Action) -> Pending,
    ) -> Result<Vec<Pending>, Blocked> {
        let names: Vec<&str> = paths
            .iter()
            .filter_map(|p| p.first().map(String::as_str))
            .collect();
        let flag = |k: &str| entity.get(k).and_then(Json::as_bool) == Some(true);
        let exists = flag("exists");
        let name = if exists {
            str_of(entity, "name").unwrap_or("default").to_string()
        } else {
            "default".to_string()
        };
        let mut out = Vec::new();
        if !exists
            || names.contains(&"allSupported")
            || names.contains(&"includeGlobalResourceTypes")
        {
            let role_arn = match str_of(entity, "roleArn").filter(|_| exists) {
                Some(r) => r.to_string(),
                None => self
                    .choices
                    .config_role
                    .clone()
                    .ok_or_else(|| Blocked::Choice {
                        what: "the IAM role AWS Config records with".to_string(),
                        flag: "--config-role ARN".to_string(),
                    })?,
            };
            out.push(at(
                exists,
                Action::PutConfigurationRecorder {
                    name: name.clone(),
                    role_arn,
                    all_supported: true,
                    include_global_resource_types: flag("includeGlobalResourceTypes")
                        || names.contains(&"includeGlobalResourceTypes"),
                },
            ));
        }
        let start = !flag("recording");
        if !flag("hasDeliveryChannel") && (start || names.contains(&"hasDeliveryChannel")) {
            let bucket = self
                .choices
                .config_bucket
                .clone()
                .ok_or_else(|| Blocked::Choice {
                    what: "the S3 bucket AWS Config delivers to".to_string(),
                    flag: "--config-bucket NAME".to_string(),
                })?;
            out.push(at(
                false,
                Action::PutDeliveryChannel {
                    name: "default".to_string(),
                    s3_bucket_name: bucket,
                },
            ));
        }
        if start {
            out.push(at(exists, Action::StartConfigurationRecorder { name }));
        }
        Ok(out)
    }

    /// A topic without subscriptions: subscribe the chosen endpoint.
    fn mend_topic(
        &self,
        account: &str,
        arn: &str,
        links: &[Link<'_>],
    ) -> Result<Vec<Pending>, Blocked> {
        let about_subscriptions = links
            .iter()
            .all(|(s, _)| matches!(s.first(), Some(Step::Key(k)) if k == "subscriptions"));
        if links.is_empty() || !about_subscriptions {
            return Err(unsupported_links(links));
        }
        let endpoint = self.choices.notify.clone().ok_or_else(notify_choice)?;
        Ok(vec![Pending {
            account: account.to_string(),
            region: arn_region(arn).unwrap_or_default().to_string(),
            exists: true,
            action: Action::Subscribe {
                topic_arn: arn.to_string(),
                protocol: endpoint.protocol,
                endpoint: endpoint.endpoint,
            },
        }])
    }

    /// The changes that make one trail pass, from its failing links.
    fn mend_trail(
        &self,
        policy: &str,
        account: &str,
        trail: &Json,
        links: &[Link<'_>],
        patterns: &[String],
    ) -> Result<Vec<Pending>, Blocked> {
        let name = str_of(trail, "name").unwrap_or_default().to_string();
        let region = str_of(trail, "homeRegion")
            .or_else(|| str_of(trail, "region"))
            .unwrap_or_default()
            .to_string();
        let owner = str_of(trail, "trailArn").and_then(crate::collect::graph::arn_account);
        let mut multi = false;
        let mut logging = false;
        let mut selectors = false;
        let mut validation = false;
        let mut kms = false;
        let mut logs = false;
        let mut chain = false;
        // `--strict-chain`: the alarm must also fire on one matching event.
        let mut strict = false;
        // A CloudGuard rule's trail-wide `hasSNSSubscriber`.
        let mut trail_wide = false;
        // filter index → its pattern is wrong / its chain is broken.
        let mut filters: BTreeMap<usize, (bool, bool)> = BTreeMap::new();
        for (steps, ev) in links {
            let keys: Vec<&str> = steps
                .iter()
                .filter_map(|s| match s {
                    Step::Key(k) => Some(k.as_str()),
                    Step::Index(_) => None,
                })
                .collect();
            match keys.as_slice() {
                ["isMultiRegionTrail", ..] => multi = true,
                ["status", "isLogging"] => logging = true,
                ["eventSelectors", ..] | ["advancedEventSelectors", ..] => selectors = true,
                ["logFileValidationEnabled"] => validation = true,
                ["kmsKeyId"] => kms = true,
                ["cloudWatchLogsLogGroupArn"] | ["cloudWatchLogsRoleArn"] => logs = true,
                ["status", "latestCloudWatchLogsDeliveryTime"] => {
                    if str_of(trail, "cloudWatchLogsRoleArn").is_some() {
                        return Err(Blocked::Unsupported {
                            why: format!(
                                "trail \"{name}\" delivers no logs to CloudWatch Logs although it is configured to: see its status.latestCloudWatchLogsDeliveryError"
                            ),
                        });
                    }
                    logs = true;
                }
                ["hasSNSSubscriber"] => {
                    chain = true;
                    trail_wide = true;
                }
                ["metricFilters"] | ["undeliveredMetricFilters", ..] => chain = true,
                ["metricFilters", prop] => {
                    chain = true;
                    if let Some(Step::Index(j)) = steps.get(1) {
                        let f = filters.entry(*j).or_default();
                        match *prop {
                            "filterPattern" => f.0 = true,
                            "hasSNSSubscriber" => f.1 = true,
                            "hasStrictSNSSubscriber" => {
                                f.1 = true;
                                strict = true;
                            }
                            _ => {
                                return Err(Blocked::Unsupported {
                                    why: format!(
                                        "{} is not a setting gsl changes",
                                        ev.path.as_deref().unwrap_or_default()
                                    ),
                                })
                            }
                        }
                    }
                }
                _ => {
                    return Err(Blocked::Unsupported {
                        why: format!(
                            "{} is not a setting gsl changes (`{}`)",
                            ev.path.as_deref().unwrap_or_default(),
                            ev.expr
                        ),
                    })
                }
            }
        }
        if owner.is_some_and(|o| o != account)
            && (multi || logging || selectors || validation || kms || logs)
        {
            return Err(Blocked::Unsupported {
                why: format!(
                    "trail \"{name}\" belongs to account {} (an organization trail): change it there",
                    owner.unwrap_or_default()
                ),
            });
        }
        let mut out = Vec::new();
        let at = |action: Action| Pending {
            account: account.to_string(),
            region: region.clone(),
            exists: true,
            action,
        };
        // The log group the chain lives on: the trail's, or the one the user chose.
        let mut group_arn = str_of(trail, "cloudWatchLogsLogGroupArn").map(str::to_string);
        let mut set_logs = None;
        if logs || (chain && group_arn.is_none()) {
            let (g, role) = self.choices.trail_logs.clone().ok_or_else(|| Blocked::Choice {
                what: format!(
                    "the CloudWatch Logs log group trail \"{name}\" delivers to, and the role CloudTrail writes to it with"
                ),
                flag: "--trail-log-group ARN --trail-log-role ARN".to_string(),
            })?;
            group_arn = Some(g.clone());
            set_logs = Some((g, role));
        }
        let kms_key = if kms {
            Some(
                self.choices
                    .kms_key
                    .clone()
                    .ok_or_else(|| Blocked::Choice {
                        what: format!("the KMS key trail \"{name}\" encrypts its logs with"),
                        flag: "--kms-key ARN".to_string(),
                    })?,
            )
        } else {
            None
        };
        if multi || validation || kms_key.is_some() || set_logs.is_some() {
            let (g, role) = set_logs.clone().unzip();
            out.push(at(Action::UpdateTrail {
                trail_name: name.clone(),
                is_multi_region_trail: multi.then_some(true),
                enable_log_file_validation: validation.then_some(true),
                kms_key_id: kms_key,
                cloud_watch_logs_log_group_arn: g,
                cloud_watch_logs_role_arn: role,
            }));
        }
        if logging {
            out.push(at(Action::StartLogging {
                trail_name: name.clone(),
            }));
        }
        if selectors {
            out.push(at(self.selectors(&name, trail)?));
        }
        if chain {
            let Some(pattern) = patterns.first() else {
                return Err(Blocked::Unsupported {
                    why: "the policy names no filter pattern to write".to_string(),
                });
            };
            let g = group_arn.unwrap_or_default();
            let group = log_group_name(&g).ok_or_else(|| Blocked::Unsupported {
                why: format!("{g} is not a log group ARN"),
            })?;
            let region = arn_region(&g).unwrap_or(&region).to_string();
            // When the trail already delivered to this group, its filters are known.
            let known: Vec<&Json> = if set_logs.is_none() {
                trail
                    .get("metricFilters")
                    .and_then(Json::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            if filters.is_empty() && trail_wide {
                // Trail-wide links (a CloudGuard rule's hasSNSSubscriber): the filter
                // with the pattern, if one has it.
                if let Some(j) = known.iter().position(|f| {
                    str_of(f, "filterPattern")
                        .is_some_and(|p| crate::pattern::equal(pattern, p).unwrap_or(false))
                }) {
                    filters.insert(j, (false, true));
                }
            }
            let mut best: Option<Vec<Pending>> = None;
            let mut first_err = None;
            for (j, (bad_pattern, _)) in &filters {
                let Some(f) = known.get(*j) else { continue };
                if *bad_pattern && !self.may_rewrite(policy, account, &group, f) {
                    continue;
                }
                match self.mend_filter(
                    account,
                    &region,
                    &group,
                    f,
                    bad_pattern.then_some(pattern.as_str()),
                    strict,
                ) {
                    Ok(p) if best.as_ref().is_none_or(|b| p.len() < b.len()) => best = Some(p),
                    Ok(_) => {}
                    Err(why) => {
                        first_err.get_or_insert(why);
                    }
                }
            }
            let chain_changes = match (best, first_err) {
                (Some(p), _) => p,
                (None, Some(why)) if !filters.is_empty() => return Err(why),
                _ => self.new_filter(policy, account, &region, &group, pattern)?,
            };
            out.extend(chain_changes);
        }
        Ok(out)
    }

    /// Whether the plan may replace the pattern of filter `f` for `policy`: no passing
    /// policy relies on it, and no other finding's pattern is closer to it.
    fn may_rewrite(&self, policy: &str, account: &str, group: &str, f: &Json) -> bool {
        let name = str_of(f, "filterName").unwrap_or_default();
        let old = str_of(f, "filterPattern").unwrap_or_default();
        let claim = (
            account.to_string(),
            group.to_string(),
            name.to_string(),
            policy.to_string(),
        );
        !self.no_rewrite.contains(&claim)
            && !self
                .protected
                .iter()
                .any(|p| crate::pattern::covers(p, old).unwrap_or(false))
    }

    /// The trail's classic selectors with management events, read and write.
    fn selectors(&self, name: &str, trail: &Json) -> Result<Action, Blocked> {
        let advanced = trail
            .get("advancedEventSelectors")
            .and_then(Json::as_array)
            .is_some_and(|a| !a.is_empty());
        if advanced {
            return Err(Blocked::Unsupported {
                why: format!(
                    "trail \"{name}\" uses advanced event selectors: add one for management events (read and write) yourself"
                ),
            });
        }
        let mut event_selectors: Vec<EventSelector> = trail
            .get("eventSelectors")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        match event_selectors.first_mut() {
            Some(s) => {
                s.read_write_type = "All".to_string();
                s.include_management_events = true;
                s.exclude_management_event_sources.clear();
            }
            None => event_selectors.push(EventSelector {
                read_write_type: "All".to_string(),
                include_management_events: true,
                data_resources: Vec::new(),
                exclude_management_event_sources: Vec::new(),
            }),
        }
        Ok(Action::PutEventSelectors {
            trail_name: name.to_string(),
            event_selectors,
        })
    }

    /// A filter with the pattern, its alarm, and the topic the alarm notifies.
    fn new_filter(
        &self,
        policy: &str,
        account: &str,
        region: &str,
        group: &str,
        pattern: &str,
    ) -> Result<Vec<Pending>, Blocked> {
        let name = slug(policy);
        let topic = self.topic(account, region, &[])?;
        let mut out = topic_changes(account, region, &topic, self.choices);
        out.push(Pending {
            account: account.to_string(),
            region: region.to_string(),
            exists: false,
            action: Action::PutMetricFilter {
                log_group_name: group.to_string(),
                filter_name: name.clone(),
                filter_pattern: pattern.to_string(),
                previous_pattern: None,
                metric_name: name.clone(),
                metric_namespace: NAMESPACE.to_string(),
                metric_value: "1".to_string(),
            },
        });
        out.push(Pending {
            account: account.to_string(),
            region: region.to_string(),
            exists: false,
            action: Action::PutMetricAlarm(AlarmSpec::cis(
                &self.alarm_name(account, region, &name),
                &name,
                NAMESPACE,
                topic.arn(),
            )),
        });
        Ok(out)
    }

    /// A free alarm name in the region: `<filter>-alarm`, numbered if taken.
    fn alarm_name(&self, account: &str, region: &str, filter: &str) -> String {
        let taken: Vec<&str> = self
            .entities("CloudWatchAlarm", account)
            .into_iter()
            .filter(|a| str_of(a, "region") == Some(region))
            .filter_map(|a| str_of(a, "name"))
            .collect();
        let base = format!("{filter}-alarm");
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name.as_str()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }

    /// Mend an existing filter: its pattern (when `pattern` is given) and its chain.
    fn mend_filter(
        &self,
        account: &str,
        region: &str,
        group: &str,
        f: &Json,
        pattern: Option<&str>,
        strict: bool,
    ) -> Result<Vec<Pending>, Blocked> {
        let name = str_of(f, "filterName").unwrap_or_default().to_string();
        let transformations: Vec<&Json> = f
            .get("metricTransformations")
            .and_then(Json::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let metric = transformations.first().map(|t| {
            (
                str_of(t, "metricName").unwrap_or_default().to_string(),
                str_of(t, "metricNamespace").unwrap_or_default().to_string(),
                str_of(t, "metricValue").unwrap_or("1").to_string(),
            )
        });
        let mut out = Vec::new();
        let old = str_of(f, "filterPattern").unwrap_or_default().to_string();
        if pattern.is_some() || metric.is_none() {
            let (metric_name, metric_namespace, metric_value) = metric
                .clone()
                .unwrap_or_else(|| (name.clone(), NAMESPACE.to_string(), "1".to_string()));
            out.push(Pending {
                account: account.to_string(),
                region: region.to_string(),
                exists: true,
                action: Action::PutMetricFilter {
                    log_group_name: group.to_string(),
                    filter_name: name.clone(),
                    filter_pattern: pattern.unwrap_or(&old).to_string(),
                    previous_pattern: pattern.map(|_| old.clone()),
                    metric_name,
                    metric_namespace,
                    metric_value,
                },
            });
        }
        let alarms: Vec<&Json> = transformations
            .iter()
            .filter_map(|t| t.get("alarms").and_then(Json::as_array))
            .flatten()
            .collect();
        let fires = |a: &Json| !strict || str_of(a, "firesOnOneEvent") == Some("true");
        if str_of(f, "hasSNSSubscriber") == Some("true") {
            if strict && str_of(f, "hasStrictSNSSubscriber") != Some("true") {
                // A notifying alarm that would not fire on one event: the CIS settings.
                let alarm = alarms
                    .iter()
                    .find(|a| str_of(a, "hasSNSSubscriber") == Some("true"))
                    .ok_or_else(|| unsupported_links(&[]))?;
                let name = str_of(alarm, "name").unwrap_or_default();
                let mut spec =
                    self.alarm_spec(account, region, name, "give it the CIS settings")?;
                spec.cis_settings();
                out.push(Pending {
                    account: account.to_string(),
                    region: region.to_string(),
                    exists: true,
                    action: Action::PutMetricAlarm(spec),
                });
            }
            return Ok(out);
        }
        let at = |exists: bool, action: Action| Pending {
            account: account.to_string(),
            region: region.to_string(),
            exists,
            action,
        };
        let Some(alarm) = alarms.first() else {
            let (metric_name, namespace, _) =
                metric.unwrap_or_else(|| (name.clone(), NAMESPACE.to_string(), "1".to_string()));
            let topic = self.topic(account, region, &[])?;
            out.extend(topic_changes(account, region, &topic, self.choices));
            out.push(at(
                false,
                Action::PutMetricAlarm(AlarmSpec::cis(
                    &self.alarm_name(account, region, &name),
                    &metric_name,
                    &namespace,
                    topic.arn(),
                )),
            ));
            return Ok(out);
        };
        let alarm_name = str_of(alarm, "name").unwrap_or_default().to_string();
        let actions: Vec<String> = alarm
            .get("actions")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| str_of(x, "action").map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let enabled = alarm.get("actionsEnabled").and_then(Json::as_bool) == Some(true);
        let topic = self.topic(account, region, &actions)?;
        out.extend(topic_changes(account, region, &topic, self.choices));
        if actions.iter().any(|a| a == topic.arn()) && fires(alarm) {
            if !enabled {
                out.push(at(true, Action::EnableAlarmActions { alarm_name }));
            }
            return Ok(out);
        }
        // Add the topic to the alarm: PutMetricAlarm replaces it whole, so the update
        // carries every setting it has.
        let todo = format!("add {} to its actions", topic.arn());
        let mut spec = self.alarm_spec(account, region, &alarm_name, &todo)?;
        if !spec.alarm_actions.iter().any(|a| a == topic.arn()) {
            spec.alarm_actions.push(topic.arn().to_string());
        }
        spec.actions_enabled = true;
        if !fires(alarm) {
            spec.cis_settings();
        }
        out.push(at(true, Action::PutMetricAlarm(spec)));
        Ok(out)
    }

    /// An existing alarm's whole definition, from its `CloudWatchAlarm` entity.
    fn alarm_spec(
        &self,
        account: &str,
        region: &str,
        name: &str,
        todo: &str,
    ) -> Result<AlarmSpec, Blocked> {
        self.entities("CloudWatchAlarm", account)
            .into_iter()
            .find(|a| str_of(a, "name") == Some(name) && str_of(a, "region") == Some(region))
            .and_then(|a| serde_json::from_value::<AlarmSpec>(a.clone()).ok())
            .ok_or_else(|| Blocked::Unsupported {
                why: format!(
                    "alarm \"{name}\" cannot be updated from the snapshot (not a single-metric alarm with all its settings): {todo} yourself"
                ),
            })
    }

    /// The topic an alarm in `region` notifies: one of its `actions` with a confirmed
    /// subscription, another topic of the region with one, a topic this plan already
    /// subscribes to, or (with `--notify`) one of its actions' topics or a new topic,
    /// subscribed.
    fn topic(&self, account: &str, region: &str, actions: &[String]) -> Result<Topic, Blocked> {
        let mut topics: Vec<&Json> = self
            .entities("SnsTopic", account)
            .into_iter()
            .filter(|t| str_of(t, "region") == Some(region))
            .collect();
        topics.sort_by_key(|t| str_of(t, "arn").unwrap_or_default().to_string());
        let confirmed = |t: &Json| t.get("subscriptionsConfirmed").and_then(Json::as_u64) > Some(0);
        let arn = |t: &Json| str_of(t, "arn").unwrap_or_default().to_string();
        if let Some(t) = topics
            .iter()
            .find(|t| confirmed(t) && actions.contains(&arn(t)))
            .or_else(|| topics.iter().find(|t| confirmed(t)))
        {
            return Ok(Topic::Ready(arn(t)));
        }
        if let Some(t) = self
            .planned_topics
            .get(&(account.to_string(), region.to_string()))
        {
            return Ok(Topic::Ready(t.clone()));
        }
        if self.choices.notify.is_none() {
            return Err(notify_choice());
        }
        if let Some(t) = topics.iter().find(|t| actions.contains(&arn(t))) {
            return Ok(Topic::Subscribe(arn(t)));
        }
        Ok(Topic::Create(format!(
            "arn:{}:sns:{region}:{account}:{}",
            partition_of(region),
            self.choices.topic_name
        )))
    }
}

/// The changes that make a topic ready: none, a subscription, or the topic and one.
fn topic_changes(account: &str, region: &str, topic: &Topic, choices: &Choices) -> Vec<Pending> {
    let at = |exists: bool, action: Action| Pending {
        account: account.to_string(),
        region: region.to_string(),
        exists,
        action,
    };
    let Some(endpoint) = &choices.notify else {
        return Vec::new();
    };
    let subscribe = |arn: &str| Action::Subscribe {
        topic_arn: arn.to_string(),
        protocol: endpoint.protocol.clone(),
        endpoint: endpoint.endpoint.clone(),
    };
    match topic {
        Topic::Ready(_) => Vec::new(),
        Topic::Subscribe(arn) => vec![at(true, subscribe(arn))],
        Topic::Create(arn) => vec![
            at(
                false,
                Action::CreateTopic {
                    name: choices.topic_name.clone(),
                    topic_arn: arn.clone(),
                },
            ),
            at(false, subscribe(arn)),
        ],
    }
}

fn notify_choice() -> Blocked {
    Blocked::Choice {
        what: "who the alarm notifies: no topic in the region has a confirmed subscription"
            .to_string(),
        flag: "--notify EMAIL-OR-HTTPS-URL".to_string(),
    }
}

fn unsupported_links(links: &[Link<'_>]) -> Blocked {
    Blocked::NotCovered {
        paths: links.iter().filter_map(|(_, ev)| ev.path.clone()).collect(),
    }
}

fn str_of<'j>(v: &'j Json, key: &str) -> Option<&'j str> {
    v.get(key).and_then(Json::as_str)
}

/// The name in a log group ARN (`arn:aws:logs:us-east-1:1:log-group:NAME:*`).
fn log_group_name(arn: &str) -> Option<String> {
    let (_, rest) = arn.split_once(":log-group:")?;
    let name = rest.strip_suffix(":*").unwrap_or(rest);
    (!name.is_empty()).then(|| name.to_string())
}

/// A policy id as a filter and metric name: `CIS-AWS-4.3` → `gsl-cis-aws-4-3`.
fn slug(policy: &str) -> String {
    let mut s = String::from("gsl-");
    for c in policy.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_arns_and_ids() {
        assert_eq!(
            log_group_name("arn:aws:logs:us-east-1:1:log-group:CloudTrail/main:*").as_deref(),
            Some("CloudTrail/main")
        );
        assert_eq!(
            log_group_name("arn:aws:logs:us-east-1:1:log-group:").as_deref(),
            None
        );
        assert_eq!(slug("CIS-AWS-4.3"), "gsl-cis-aws-4-3");
        assert_eq!(slug("D9.AWS.MON.21"), "gsl-d9-aws-mon-21");
    }
}
