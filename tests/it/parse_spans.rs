//! Spans point at the text each node was parsed from; limits keep deep input safe.

use gsl::lang::ast::{ExprKind, LiteralKind, Postfix, Subject};
use gsl::lang::parser::{parse_rule, parse_rule_named};

const SEED: &str = "List<CloudTrail> should have items with [hasSNSSubscriber='true' and metricFilters with [filterPattern isFilterPatternEqual('{($.eventName=CreateAccessKey)||($.eventName=CreateLoginProfile)||($.eventName=UpdateLoginProfile)}')] length() > 0]";

#[test]
fn spans_slice_the_source() {
    let src = format!("# id: D9.AWS.MON.21\n{SEED}  # trailing\n");
    let rule = parse_rule(&src).expect("seed rule parses");
    let s = |sp: gsl::span::Span| sp.slice(&src).to_string();
    assert_eq!(s(rule.span), SEED);
    assert_eq!(s(rule.target.span), "List<CloudTrail>");
    assert_eq!(s(rule.target.entity.span), "CloudTrail");
    assert!(rule.target.list);
    let verdict = rule.verdict.as_ref().expect("verdict");
    assert!(s(verdict.span).starts_with("should have items"));
    assert!(s(verdict.span).ends_with("length() > 0]"));
    let ExprKind::Term(items) = &verdict.condition.kind else {
        panic!("a term")
    };
    assert_eq!(s(items.span), s(verdict.condition.span));
    let Subject::Path(path) = &items.subject else {
        panic!("a path")
    };
    assert_eq!(s(path.span), "items");
    let [Postfix::ListOp {
        predicate, span, ..
    }] = items.postfix.as_slice()
    else {
        panic!("one list op")
    };
    assert!(s(*span).starts_with("with [hasSNSSubscriber"));
    assert!(s(*span).ends_with(']'));
    let ExprKind::And(left, right) = &predicate.kind else {
        panic!("and")
    };
    assert_eq!(s(left.span), "hasSNSSubscriber='true'");
    let ExprKind::Term(mf) = &right.kind else {
        panic!("term")
    };
    assert!(s(mf.span).starts_with("metricFilters with ["));
    assert!(s(mf.span).ends_with("length() > 0"));
    let test = mf.test.as_ref().expect("a test");
    assert_eq!(s(test.span), "> 0");
    assert_eq!(s(test.value.span), "0");
    let Postfix::Call { name, args, span } = &mf.postfix[1] else {
        panic!("a call")
    };
    assert_eq!(s(name.span), "length");
    assert_eq!(s(*span), "length()");
    assert!(args.is_empty());
    let Postfix::ListOp { predicate, .. } = &mf.postfix[0] else {
        panic!("a list op")
    };
    let ExprKind::Term(fp) = &predicate.kind else {
        panic!("term")
    };
    let Postfix::Call { name, args, .. } = &fp.postfix[0] else {
        panic!("a call")
    };
    assert_eq!(name.name, "isFilterPatternEqual");
    assert!(s(args[0].span).starts_with("'{($.eventName"));
    assert!(matches!(&args[0].kind, LiteralKind::String(p) if p.starts_with("{($.eventName")));
}

#[test]
fn spans_of_operators_and_parentheses() {
    let src = "X where not (a or b) and c = 'x' should not have $ in ('a', 'b')";
    let rule = parse_rule(src).expect("parses");
    let s = |sp: gsl::span::Span| sp.slice(src).to_string();
    let filter = rule.target.filter.as_ref().expect("filter");
    assert_eq!(s(filter.span), "not (a or b) and c = 'x'");
    assert_eq!(s(rule.target.span), "X where not (a or b) and c = 'x'");
    let ExprKind::And(not, _) = &filter.kind else {
        panic!("and")
    };
    assert_eq!(s(not.span), "not (a or b)");
    let ExprKind::Not(group) = &not.kind else {
        panic!("not")
    };
    assert_eq!(s(group.span), "(a or b)");
    let verdict = rule.verdict.as_ref().expect("verdict");
    assert!(verdict.negated);
    let ExprKind::Term(t) = &verdict.condition.kind else {
        panic!("term")
    };
    assert!(matches!(t.subject, Subject::Element(sp) if s(sp) == "$"));
    assert_eq!(s(t.test.as_ref().expect("test").value.span), "('a', 'b')");
}

#[test]
fn error_spans_and_source_name() {
    let src = "CloudTrail shoud have x";
    let e = parse_rule_named(src, "policies/x.gsl").expect_err("typo");
    assert_eq!(e.source_name(), "policies/x.gsl");
    assert_eq!(e.source_text(), src);
    let span = e.errors()[0].span();
    assert_eq!(&src[span.offset()..span.offset() + span.len()], "shoud");
    // After a repaired typo, later spans still point into the original text.
    let src = "X shoud hav a regexMatch /a(/";
    let e = parse_rule(src).expect_err("errors");
    assert_eq!(
        e.codes(),
        [
            "gsl::parse::keyword_typo",
            "gsl::parse::keyword_typo",
            "gsl::parse::bad_regex"
        ]
    );
    let spans: Vec<&str> = e
        .errors()
        .iter()
        .map(|x| &src[x.span().offset()..x.span().offset() + x.span().len()])
        .collect();
    assert_eq!(spans, ["shoud", "hav", "("]);
    // A bad regex points inside the literal, past an escaped slash.
    let src = r"X should have a regexMatch /a\/b)/";
    let e = parse_rule(src).expect_err("bad regex");
    let span = e.errors()[0].span();
    assert_eq!(span.offset(), src.find(')').expect("a paren"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("X should have {}a{}", "(".repeat(200), ")".repeat(200));
    let e = parse_rule(&deep).expect_err("too deep");
    assert_eq!(e.codes(), ["gsl::parse::too_deep"]);
    let nots = format!("X should have {}a", "not ".repeat(5000));
    let e = parse_rule(&nots).expect_err("too many");
    assert_eq!(e.codes(), ["gsl::parse::too_deep"]);
    // Within the limits, long and nested rules parse (and drop) fine.
    let nested = format!("X should have {}a{}", "(".repeat(60), ")".repeat(60));
    assert!(parse_rule(&nested).is_ok());
    let lists = format!("X should have {}b{}", "a with [".repeat(60), "]".repeat(60));
    assert!(parse_rule(&lists).is_ok());
    let chain = format!("X should have a{}", " and a".repeat(900));
    assert!(parse_rule(&chain).is_ok());
    let nots = format!("X should have {}a", "not ".repeat(900));
    assert!(parse_rule(&nots).is_ok());
}

#[test]
fn lone_conditions_parse() {
    use gsl::lang::parser::parse_expr;
    use gsl::lang::printer::print_expr;
    let e = parse_expr("items with [isLogging] length() > 0 # count\n").expect("parses");
    assert_eq!(print_expr(&e), "items with [isLogging] length() > 0");
    let e = parse_expr("a or b and not c").expect("parses");
    assert!(matches!(e.kind, ExprKind::Or(..)));
    assert_eq!(parse_expr(&print_expr(&e)).ok(), Some(e));
    let err = parse_expr("a shoud").expect_err("not a condition");
    assert_eq!(err.codes(), ["gsl::parse::syntax"]);
    let err = parse_expr("a AND b").expect_err("keyword case");
    assert_eq!(err.codes(), ["gsl::parse::keyword_typo"]);
    let err = parse_expr("a with [b").expect_err("open bracket");
    assert!(err.is_incomplete());
    let err = parse_expr("  # nothing").expect_err("empty");
    assert_eq!(err.codes(), ["gsl::parse::empty"]);
}

#[test]
fn one_line_summary() {
    let e = parse_rule("CloudTrail shoud hav x").expect_err("typos");
    assert_eq!(e.summary(), "unknown keyword `shoud` (and 1 more)");
    assert_eq!(e.to_string(), "invalid rule in <rule> (2 errors)");
    let e = parse_rule_named("S3Bucket", "a.gsl").expect_err("bare entity");
    assert_eq!(
        e.summary(),
        "unexpected end of rule; expected `should` or `where`"
    );
    assert_eq!(e.to_string(), "invalid rule in a.gsl");
}

#[test]
fn after_an_unrepairable_error_parsing_resynchronises_and_reports_the_later_ones() {
    // A policy file whose rule has four mistakes with no likely repair, on two lines.
    let src =
        "# id: X\nX should have a ~ 1 and b = = 2\n  and c ? 3 or tags with [d ! 4] or e = 5\n";
    let e = parse_rule(src).expect_err("four errors");
    assert_eq!(
        e.codes(),
        [
            "gsl::parse::syntax",
            "gsl::parse::syntax",
            "gsl::parse::syntax",
            "gsl::parse::syntax"
        ]
    );
    let at: Vec<&str> = e
        .errors()
        .iter()
        .map(|x| &src[x.span().offset()..x.span().offset() + x.span().len().max(1)])
        .collect();
    assert_eq!(at, ["~", "=", "?", "!"]);
    // An error in a rule's head is not resynchronised: one error, no invented ones.
    let e = parse_rule("EC2 should x\n  y = 1\n").expect_err("one error");
    assert_eq!(e.codes(), ["gsl::parse::syntax"]);
    // A bracket opened after the error is skipped whole.
    let e =
        parse_rule("S3Bucket should have tags [key='env'] and x ~ 1 and y = 2").expect_err("two");
    assert_eq!(e.codes(), ["gsl::parse::syntax", "gsl::parse::syntax"]);
}
