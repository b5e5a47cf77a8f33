//! Rendered diagnostics of the static check and of the snapshot loader (insta
//! snapshots, unicode without colour, 80 columns).

use gsl::entity::load::{parse_snapshot, LoadErrorKind};
use gsl::lang::eval::check_rule_src;
use gsl::lang::parser::parse_rule;
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

fn render(d: &dyn Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(80)
        .render_report(&mut out, d)
        .unwrap();
    out
}

fn check(src: &str) -> String {
    let rule = parse_rule(src).unwrap();
    let err = check_rule_src(&rule, src, "rule.gsl").unwrap_err();
    render(&err)
}

#[test]
fn check_unknown_function_with_suggestion() {
    insta::assert_snapshot!(check("SnsTopic should not have subscriptions isEmpy()"));
}

#[test]
fn check_several_errors_at_once() {
    insta::assert_snapshot!(check(
        "CloudTrail should have status.latestDeliveryTime after(-1, 'dayz') and metricFilters lenght() > 0 and name before(1)"
    ));
}

#[test]
fn check_argument_types() {
    insta::assert_snapshot!(check(
        "CloudTrail should have status.latestDeliveryTime after(1, 2) and status.stopLoggingTime before('x', 'days')"
    ));
}

#[test]
fn check_bad_filter_pattern() {
    insta::assert_snapshot!(check(
        "MetricFilter should have filterPattern isFilterPatternEqual('{ $.eventName = ')"
    ));
}

#[test]
fn check_type_mismatch() {
    insta::assert_snapshot!(check(
        "CloudTrail should have metricFilters length() > 'x' and tags isEmpty() = 1"
    ));
}

#[test]
fn check_unknown_property_of_a_known_type() {
    insta::assert_snapshot!(check("CloudTrail should not have status.isloging = false"));
}

#[test]
fn check_unknown_property_inside_brackets() {
    insta::assert_snapshot!(check(
        "CloudTrail should have metricFilters with [filterPatern like '%'] length() > 0"
    ));
}

#[test]
fn check_misspelt_entity_type() {
    insta::assert_snapshot!(check("CloudTrial should have isMultiRegionTrail=true"));
}

#[test]
fn check_list_property() {
    insta::assert_snapshot!(check("List<CloudTrail> should have isLogging = true"));
}

fn load(text: &str) -> (LoadErrorKind, String) {
    let err = parse_snapshot(text, "snap.json").unwrap_err();
    (err.kind(), render(&err))
}

#[test]
fn load_json_syntax_error_points_at_line_and_column() {
    let (kind, out) = load(
        "{\n  \"schemaVersion\": 1,\n  \"accounts\": [\n    { \"accountNumber\": \"1\" ]\n}\n",
    );
    assert_eq!(kind, LoadErrorKind::Syntax);
    insta::assert_snapshot!(out);
}

#[test]
fn load_missing_version() {
    let (kind, out) = load("{\n  \"accounts\": []\n}\n");
    assert_eq!(kind, LoadErrorKind::MissingVersion);
    insta::assert_snapshot!(out);
}

#[test]
fn load_unknown_version() {
    let (kind, out) = load("{\n  \"schemaVersion\": 7,\n  \"accounts\": []\n}\n");
    assert_eq!(kind, LoadErrorKind::UnsupportedVersion);
    insta::assert_snapshot!(out);
}

#[test]
fn load_schema_error() {
    let (kind, out) = load("{\n  \"schemaVersion\": 1,\n  \"acounts\": []\n}\n");
    assert_eq!(kind, LoadErrorKind::Schema);
    insta::assert_snapshot!(out);
}

#[test]
fn load_entity_without_id() {
    let (kind, out) = load(
        "{\n  \"schemaVersion\": 1,\n  \"accounts\": [\n    {\n      \"accountNumber\": \"123456789012\",\n      \"entities\": {\n        \"CloudTrail\": [\n          { \"type\": \"CloudTrail\", \"name\": \"main\" }\n        ]\n      }\n    }\n  ]\n}\n",
    );
    assert_eq!(kind, LoadErrorKind::EntityField);
    insta::assert_snapshot!(out);
}

#[test]
fn load_entity_under_the_wrong_type() {
    let (kind, out) = load(
        "{\n  \"schemaVersion\": 1,\n  \"accounts\": [\n    {\n      \"accountNumber\": \"123456789012\",\n      \"entities\": {\n        \"LogGroup\": [\n          { \"id\": \"a\", \"type\": \"CloudTrail\" }\n        ]\n      }\n    }\n  ]\n}\n",
    );
    assert_eq!(kind, LoadErrorKind::EntityType);
    insta::assert_snapshot!(out);
}

#[test]
fn load_not_an_object() {
    let (kind, out) = load("[1, 2]\n");
    assert_eq!(kind, LoadErrorKind::NotAnObject);
    insta::assert_snapshot!(out);
}
