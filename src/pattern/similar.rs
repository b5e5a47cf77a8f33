//! How close one pattern is to another by what it watches, for ranking near-misses in
//! explanations.
//!
//! This is a heuristic, never used for a verdict: `equal` and `covers` decide. When a
//! rule requires a pattern and none of an account's filters has it, the filter about
//! the same events (`$.eventName = ConsoleLogin` with `$.errorMessage = "Failed"`
//! instead of `"Failed authentication"`) is the one a person wants to see first, and a
//! filter about other events (a KMS filter for an S3 control, a login-profile filter
//! for a network-ACL control) is no near miss at all: [`score`] is 0 for it, and the
//! explanation then says that no filter watches these events.
//!
//! The comparison is by meaning, not by text: each condition is read from the syntax
//! tree (quotes, spacing, clause order and parentheses do not matter), and a value
//! with wildcards meets the values it matches.

use super::ast::{CmpOp, Condition, FieldExpr, JsonExpr, Pattern, Slot, StrMatch, Term, TermMode};
use super::ast::{Test, Value};
use std::collections::BTreeSet;

/// The fields that say which events a CloudTrail record is: the service
/// (`eventSource`) and the API call (`eventName`). Two patterns that name different
/// values for one of them watch different events, whatever else they share.
const EVENT_SOURCE: &str = "$.eventSource";
const EVENT_NAME: &str = "$.eventName";

/// One condition of a pattern: the field it reads, the test in a canonical spelling,
/// and whether it asks for something to be there (`=`, a plain term) rather than not
/// (`!=`, `NOT EXISTS`, `-term`): only the former say which events a pattern is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Atom {
    field: String,
    test: String,
    positive: bool,
    /// The string an `=` compares with, for matching wildcards against values.
    value: Option<StrMatch>,
}

impl Atom {
    /// Does this condition (of one pattern) ask for the same thing as `other` (of the
    /// other): the same test, or `=` on the same field with a value one of them matches?
    fn meets(&self, other: &Atom) -> bool {
        if self.field != other.field {
            return false;
        }
        if self.test == other.test {
            return true;
        }
        match (&self.value, &other.value) {
            (Some(a), Some(b)) => {
                exact(a).is_some_and(|t| b.is_match(t)) || exact(b).is_some_and(|t| a.is_match(t))
            }
            _ => false,
        }
    }
}

fn exact(m: &StrMatch) -> Option<&str> {
    match m {
        StrMatch::Exact(s) => Some(s),
        _ => None,
    }
}

/// Features of a pattern: its conditions and the fields they read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    atoms: Vec<Atom>,
    fields: BTreeSet<String>,
}

impl Features {
    fn add(&mut self, atom: Atom) {
        self.fields.insert(atom.field.clone());
        if !self.atoms.contains(&atom) {
            self.atoms.push(atom);
        }
    }

    /// The positive conditions on `field`.
    fn on<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Atom> + 'a {
        self.atoms
            .iter()
            .filter(move |a| a.positive && a.field == field)
    }
}

fn positive_op(op: CmpOp) -> bool {
    op != CmpOp::Ne
}

fn compare_atom(field: String, op: CmpOp, value: &Value) -> Atom {
    let (shown, matched) = match value {
        Value::Str(m) => (format!("{m:?}"), (op == CmpOp::Eq).then(|| m.clone())),
        Value::Num(n) => (format!("{}", n.get()), None),
        Value::Regex(r) => (format!("%{}%", r.source), None),
    };
    Atom {
        field,
        test: format!("{} {shown}", op.as_str()),
        positive: positive_op(op),
        value: matched,
    }
}

fn json(e: &JsonExpr, f: &mut Features) {
    match e {
        JsonExpr::And(v, _) | JsonExpr::Or(v, _) => v.iter().for_each(|x| json(x, f)),
        JsonExpr::Cond(Condition { selector, test, .. }) => {
            let field = selector.to_string();
            f.add(match test {
                Test::Compare(op, value) => compare_atom(field, *op, value),
                other => Atom {
                    field,
                    test: format!("{other:?}"),
                    positive: !matches!(other, Test::NotExists),
                    value: None,
                },
            });
        }
    }
}

fn field_expr(name: usize, e: &FieldExpr, f: &mut Features) {
    match e {
        FieldExpr::And(v) | FieldExpr::Or(v) => v.iter().for_each(|x| field_expr(name, x, f)),
        FieldExpr::Cmp(op, value, _) => f.add(compare_atom(format!("#{name}"), *op, value)),
    }
}

pub(crate) fn features(p: &Pattern) -> Features {
    let mut f = Features::default();
    match p {
        Pattern::MatchAll(_) => {}
        Pattern::Terms(terms) => {
            for Term { mode, body, .. } in terms {
                f.add(Atom {
                    field: format!("{body:?}"),
                    test: format!("{mode:?}"),
                    positive: *mode != TermMode::Excluded,
                    value: None,
                });
            }
        }
        Pattern::Json(e) => json(e, &mut f),
        Pattern::Delimited(slots) => {
            for (i, slot) in slots.iter().enumerate() {
                if let Slot::Field(field) = slot {
                    if let Some(e) = &field.cond {
                        field_expr(i, e, &mut f);
                    }
                }
            }
        }
    }
    f
}

/// The share of `of`'s conditions that `other` has a condition meeting.
fn shared(of: &[&Atom], other: &Features) -> f64 {
    if of.is_empty() {
        return 0.0;
    }
    let met = of
        .iter()
        .filter(|a| other.atoms.iter().any(|b| a.meets(b)))
        .count();
    met as f64 / of.len() as f64
}

/// Do the two patterns both name values of `field`, and none in common?
fn disjoint_on(field: &str, a: &Features, b: &Features) -> bool {
    let (mut xs, ys) = (a.on(field).peekable(), b.on(field).collect::<Vec<_>>());
    xs.peek().is_some() && !ys.is_empty() && !xs.any(|x| ys.iter().any(|y| x.meets(y)))
}

/// Share of a large overlap: a pattern that leaves out (or adds) the event source
/// still watches the same events when it has at least this share of the conditions.
const LARGE_OVERLAP: f64 = 0.5;

/// A score in `0.0..=1.0` of how near `actual` comes to watching what `required`
/// watches; 1.0 for the same conditions, and 0.0 when it is about other events:
///
/// - the two name different event sources, or different event names;
/// - they share none of the required pattern's positive conditions (what an event
///   must have; a shared exclusion such as `$.eventType != AwsServiceEvent` says
///   nothing about which events are watched);
/// - one of them names the event source and the other does not, and they share less
///   than half of the required conditions.
///
/// Otherwise the score is above 0.1 and grows with the share of the required
/// conditions `actual` also has (six tenths) and of the fields both read (three
/// tenths).
pub(crate) fn score(required: &Features, actual: &Features) -> f64 {
    let (r, a) = (required, actual);
    if r.atoms.is_empty() {
        // Match-all: every pattern watches some of its events.
        return if a.atoms.is_empty() { 1.0 } else { 0.1 };
    }
    if disjoint_on(EVENT_SOURCE, r, a) || disjoint_on(EVENT_NAME, r, a) {
        return 0.0;
    }
    let all: Vec<&Atom> = r.atoms.iter().collect();
    let positive: Vec<&Atom> = r.atoms.iter().filter(|x| x.positive).collect();
    let share = shared(&all, a);
    let about_the_same = if positive.is_empty() {
        share > 0.0
    } else {
        shared(&positive, a) > 0.0
    };
    let one_names_the_source =
        r.on(EVENT_SOURCE).next().is_some() != a.on(EVENT_SOURCE).next().is_some();
    if !about_the_same || (one_names_the_source && share < LARGE_OVERLAP) {
        return 0.0;
    }
    let fields = r.fields.intersection(&a.fields).count() as f64 / r.fields.len() as f64;
    0.1 + 0.6 * share + 0.3 * fields
}

#[cfg(test)]
mod tests {
    use super::super::FilterPattern;
    use super::*;

    fn sim(required: &str, actual: &str) -> f64 {
        let r = FilterPattern::parse(required).unwrap();
        let a = FilterPattern::parse(actual).unwrap();
        score(&features(r.ast()), &features(a.ast()))
    }

    const CIS_46: &str =
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#;
    const S3: &str = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = DeleteBucketPolicy)) }";
    const KMS: &str = r#"{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "ScheduleKeyDeletion") || ($.eventName = "DisableKey")) }"#;
    const NACL: &str = "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) }";
    const LOGIN_PROFILE: &str = r#"{ ($.eventName = CreateAccessKey) || ($.eventName = "CreateLoginProfile") || ($.eventName = UpdateLoginProfile) }"#;

    #[test]
    fn the_same_conditions_score_one_whatever_the_spelling() {
        assert_eq!(sim(CIS_46, CIS_46), 1.0);
        let respelled =
            r#"{($.errorMessage="Failed authentication")&&($.eventName="ConsoleLogin")}"#;
        assert_eq!(sim(CIS_46, respelled), 1.0);
    }

    #[test]
    fn a_filter_about_the_same_events_is_near() {
        let wrong_value = r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed") }"#;
        let or_for_and =
            r#"{ ($.eventName = ConsoleLogin) || ($.errorMessage = "Failed authentication") }"#;
        let wildcard = r#"{ ($.eventName = Console*) && ($.errorMessage = "Failed*") }"#;
        for near in [wrong_value, or_for_and, wildcard] {
            let s = sim(CIS_46, near);
            assert!(s > 0.1, "{near}: {s}");
        }
        assert!(sim(CIS_46, wrong_value) < 1.0);
        // Two of three event names, and the same source.
        let fewer = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy)) }";
        assert!(
            sim(S3, fewer)
                > sim(
                    S3,
                    "{ ($.eventSource = s3.amazonaws.com) && ($.eventName = GetObject) }"
                )
        );
        assert!(sim(CIS_46, wrong_value) > sim(CIS_46, r#"{ $.eventName = ConsoleLogin }"#));
    }

    #[test]
    fn a_filter_about_other_events_is_not_near() {
        // Other event source, other event names: the same fields are no overlap.
        assert_eq!(sim(S3, KMS), 0.0);
        assert_eq!(sim(NACL, LOGIN_PROFILE), 0.0);
        assert_eq!(sim(CIS_46, r#"{ $.userIdentity.type = "Root" }"#), 0.0);
        // A shared exclusion says nothing about which events are watched.
        assert_eq!(
            sim(
                r#"{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }"#,
                r#"{ $.eventName = DeleteTrail && $.eventType != "AwsServiceEvent" }"#
            ),
            0.0
        );
        // Two event names shared with a pattern of another service (IAM's CreatePolicy
        // and the Organizations control's) are not a large overlap.
        let orgs = r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AttachPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreateAccount") || ($.eventName = "MoveAccount")) }"#;
        let iam = "{ ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = AttachUserPolicy) || ($.eventName = CreatePolicyVersion) }";
        assert_eq!(sim(orgs, iam), 0.0);
        assert_eq!(sim(iam, orgs), 0.0);
        // The same event names without the source clause is a near miss.
        let no_source = r#"{ ($.eventName = "AttachPolicy") || ($.eventName = "CreatePolicy") || ($.eventName = "DeletePolicy") || ($.eventName = "CreateAccount") || ($.eventName = "MoveAccount") }"#;
        assert!(sim(orgs, no_source) > 0.5, "{}", sim(orgs, no_source));
    }
}
