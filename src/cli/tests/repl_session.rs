//! The REPL core, driven directly through `Session::handle_line` (no terminal).

use crate::cli::repl::complete::{complete, hint, needs_more};
use crate::cli::repl::{run_piped, Control, Session};
use crate::cli::Exit;
use gsl::entity::{Snapshot, SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME};

fn sample() -> Snapshot {
    gsl::entity::load::parse_snapshot(SAMPLE_SNAPSHOT, SAMPLE_SNAPSHOT_NAME).unwrap()
}

fn session() -> Session {
    Session::new(sample(), SAMPLE_SNAPSHOT_NAME)
}

/// Run one input: (stdout, stderr, control).
fn run(s: &mut Session, line: &str) -> (String, String, Control) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let c = s.handle_line(line, &mut out, &mut err);
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
        c,
    )
}

fn ok(s: &mut Session, line: &str) -> String {
    let (out, err, c) = run(s, line);
    assert_eq!(c, Control::Continue, "{line}: {err}");
    assert!(err.is_empty(), "{line}: {err}");
    out
}

fn fails(s: &mut Session, line: &str) -> String {
    let (out, err, c) = run(s, line);
    assert_eq!(c, Control::Failed, "{line} should fail; printed {out}");
    assert!(out.is_empty());
    err
}

#[test]
fn entities_lists_types_and_counts() {
    let mut s = session();
    let out = ok(&mut s, ":entities");
    assert!(out.starts_with(SAMPLE_SNAPSHOT_NAME), "{out}");
    assert!(out.contains("123456789012"), "{out}");
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("CloudTrail"))
        .unwrap();
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["CloudTrail", "2"]
    );
    assert!(
        out.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["SnsTopic", "3"]),
        "{out}"
    );
}

#[test]
fn bare_paths_print_values_with_json_paths() {
    let mut s = session();
    let out = ok(&mut s, "CloudTrail.status.isLogging");
    assert_eq!(
        out,
        "org-main: status.isLogging = true\nlegacy-eu: status.isLogging = false\n"
    );

    let out = ok(&mut s, "CloudTrail.metricFilters.filterPattern");
    let first = out.lines().next().unwrap();
    assert!(
        first.starts_with("org-main: metricFilters[0].filterPattern = \"{"),
        "{out}"
    );
    assert!(
        out.contains("org-main: metricFilters[1].filterPattern = "),
        "{out}"
    );
    assert!(
        out.ends_with("legacy-eu: metricFilters.filterPattern is missing\n"),
        "{out}"
    );

    let out = ok(&mut s, "CloudTrail.metricFilters[1].filterName");
    assert_eq!(out, "org-main: metricFilters[1].filterName = \"unauthorized-api-calls\"\nlegacy-eu: metricFilters[1].filterName is missing\n");

    // Objects are pretty-printed over several lines.
    let out = ok(&mut s, "cloudtrail.status");
    assert!(
        out.starts_with("org-main: status = {\n  \"isLogging\": true,\n"),
        "{out}"
    );
}

#[test]
fn bare_type_prints_whole_entities() {
    let mut s = session();
    let out = ok(&mut s, "SnsTopic");
    assert_eq!(out.matches(" = {\n").count(), 3, "{out}");
    assert!(out.starts_with("security-alerts = {\n"), "{out}");
    let out2 = ok(&mut s, ":show SnsTopic");
    assert_eq!(out, out2);
}

#[test]
fn unknown_names_get_suggestions_and_the_session_goes_on() {
    let mut s = session();
    let err = fails(&mut s, "CloudTrail.statuz.isLogging");
    assert!(
        err.contains("no entity of type CloudTrail has `statuz.isLogging`"),
        "{err}"
    );
    assert!(err.contains("did you mean `status`?"), "{err}");
    let err = fails(&mut s, "CloudTrail.status.isLoging");
    assert!(err.contains("did you mean `isLogging`?"), "{err}");
    let err = fails(&mut s, "CloudTrial.name");
    assert!(err.contains("no entities of type CloudTrial"), "{err}");
    assert!(err.contains("did you mean `CloudTrail`?"), "{err}");
    let err = fails(&mut s, ":shwo CloudTrail");
    assert!(err.contains("unknown command `:shwo`"), "{err}");
    assert!(err.contains("did you mean `show`?"), "{err}");
    let err = fails(&mut s, ":schema");
    assert!(err.contains("usage: :schema <Type>"), "{err}");
    let err = fails(&mut s, ":format yaml");
    assert!(err.contains("unknown format `yaml`"), "{err}");
    // Still alive and unchanged.
    assert_eq!(
        ok(&mut s, "CloudTrail.name"),
        "org-main: name = \"org-main\"\nlegacy-eu: name = \"legacy-eu\"\n"
    );
}

#[test]
fn diagnostics_are_graphical_and_plain_without_a_terminal() {
    let mut s = session();
    let err = fails(&mut s, ":nope");
    assert!(err.contains("gsl::repl::unknown_command"), "{err}");
    assert!(err.contains("×"), "{err}");
    assert!(!err.contains('\x1b'), "{err}");
}

#[test]
fn schema_lists_paths_types_and_examples() {
    let mut s = session();
    let out = ok(&mut s, ":schema CloudTrail");
    assert!(out.starts_with("CloudTrail: "), "{out}");
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with(" properties seen on 2 entities"),
        "{out}"
    );
    let row = |path: &str| {
        out.lines()
            .find(|l| l.split_whitespace().next() == Some(path))
            .unwrap_or_else(|| panic!("no {path} in {out}"))
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("status.isLogging"), ["boolean", "true"]);
    assert_eq!(row("metricFilters"), ["array", "[…]"]);
    assert_eq!(row("advancedEventSelectors"), ["array", "[]"]);
    assert_eq!(
        row("metricFilters[].filterName"),
        [
            "string",
            "\"iam-login-profile-changes\"",
            "(on",
            "1",
            "of",
            "2)"
        ]
    );
    assert_eq!(row("snsTopicArn"), ["null"]);
    assert_eq!(row("kmsKeyId")[0], "null|string");
}

#[test]
fn json_format_applies_to_paths_and_commands() {
    let mut s = session();
    assert_eq!(ok(&mut s, ":format"), "text\n");
    assert_eq!(ok(&mut s, ":format json"), "");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&mut s, "CloudTrail.status.isLogging")).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"entity": "org-main", "id": "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-main", "path": "status.isLogging", "value": true},
            {"entity": "legacy-eu", "id": v[1]["id"], "path": "status.isLogging", "value": false}
        ])
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&mut s, ":entities")).unwrap();
    assert_eq!(v["types"]["CloudTrail"], 2);
    let v: serde_json::Value = serde_json::from_str(&ok(&mut s, ":schema SnsTopic")).unwrap();
    assert_eq!(v["type"], "SnsTopic");
    assert_eq!(ok(&mut s, ":format text"), "");
    assert_eq!(ok(&mut s, ":format"), "text\n");
}

#[test]
fn help_and_quit() {
    let mut s = session();
    let out = ok(&mut s, ":help");
    for cmd in [
        ":help",
        ":entities",
        ":show",
        ":schema",
        ":load",
        ":pattern",
        ":explain",
        ":format",
        ":quit",
    ] {
        assert!(out.contains(cmd), "{cmd} missing from {out}");
    }
    assert!(ok(&mut s, ":help schema").starts_with(":schema <Type>"));
    let fns = ok(&mut s, ":help functions");
    assert!(fns.contains("  length()\n"), "{fns}");
    assert!(fns.contains("isFilterPatternEqual("), "{fns}");
    assert!(ok(&mut s, ":help length").starts_with("length()\n"));
    assert!(fails(&mut s, ":help lenght").contains("did you mean `length`?"));
    assert_eq!(run(&mut s, ":quit").2, Control::Quit);
    assert_eq!(run(&mut s, "  :q  ").2, Control::Quit);
    assert_eq!(run(&mut s, "").2, Control::Continue);
    assert_eq!(run(&mut s, "# a comment").2, Control::Continue);
}

#[test]
fn load_reports_unreadable_files() {
    let mut s = session();
    let err = fails(&mut s, ":load /nonexistent/snapshot.json");
    assert!(
        err.contains("cannot read snapshot /nonexistent/snapshot.json"),
        "{err}"
    );
    assert!(fails(&mut s, ":load").contains("usage: :load"));
}

fn cands(s: &Session, line: &str) -> (usize, Vec<String>) {
    let c = complete(&s.knowledge(), line, line.len()).unwrap();
    (c.start, c.candidates)
}

#[test]
fn completes_commands_types_and_command_arguments() {
    let s = session();
    assert_eq!(cands(&s, ":sh"), (0, vec![":show".to_string()]));
    assert_eq!(cands(&s, ":s").1, [":schema", ":show"]);
    assert_eq!(
        cands(&s, ":show Cl"),
        (
            6,
            vec!["CloudTrail".to_string(), "CloudWatchAlarm".to_string()]
        )
    );
    assert_eq!(cands(&s, ":schema sns").1, ["SnsTopic"]);
    assert_eq!(cands(&s, ":format j").1, ["json"]);
    assert_eq!(cands(&s, ":help ex").1, ["explain"]);
    assert_eq!(cands(&s, ":help fu").1, ["functions"]);
    assert_eq!(cands(&s, ":pattern t").1, ["test"]);
    assert_eq!(cands(&s, "Cl").1, ["CloudTrail", "CloudWatchAlarm"]);
    assert_eq!(cands(&s, "Li").1, ["List<"]);
    assert_eq!(cands(&s, "List<Lo"), (5, vec!["LogGroup".to_string()]));
}

#[test]
fn completes_properties_in_context() {
    let s = session();
    // Top-level properties of the rule's type, plus keywords and builtins.
    let (start, c) = cands(&s, "CloudTrail should have st");
    assert_eq!(start, 23);
    assert_eq!(c, ["status"]);
    let (_, c) = cands(&s, "CloudTrail should have is");
    assert!(
        c.contains(&"isMultiRegionTrail".to_string()) && c.contains(&"isEmpty()".to_string()),
        "{c:?}"
    );
    // Dotted: only the last segment is replaced.
    let (start, c) = cands(&s, "CloudTrail should have status.isL");
    assert_eq!((start, c), (30, vec!["isLogging".to_string()]));
    // Inside a list operator the element is the context.
    assert_eq!(
        cands(&s, "CloudTrail should have metricFilters with [ filterP").1,
        [
            "filterPattern",
            "filterPatternCovers(",
            "filterPatternMonitors("
        ]
    );
    assert_eq!(
        cands(&s, "CloudTrail should have metricFilters contain [ metricTransformations contain-any [ alarms with [ actionsE").1,
        ["actionsEnabled"]
    );
    // After the bracket closes, the entity is the context again.
    assert_eq!(
        cands(
            &s,
            "CloudTrail should have metricFilters with [ filterName='x' ] and kmsK"
        )
        .1,
        ["kmsKeyId"]
    );
    // `List<T> ... items with [`: the element is the entity.
    assert_eq!(
        cands(&s, "List<CloudTrail> should have items with [ isMulti").1,
        ["isMultiRegionTrail"]
    );
    // At the top of a List<T> rule the only property is `items`.
    assert_eq!(cands(&s, "List<CloudTrail> should have it").1, ["items"]);
    assert_eq!(
        cands(&s, "List<CloudTrail> should have items.isMul").1,
        ["isMultiRegionTrail"]
    );
    assert_eq!(cands(&s, "List<CloudTrail> sh").1, ["should"]);
    // Keywords and operators.
    assert_eq!(
        cands(&s, "CloudTrail should have metricFilters contain-a").1,
        ["contain-all", "contain-any"]
    );
    assert_eq!(cands(&s, "CloudTrail sh").1, ["should"]);
    // Bare paths.
    assert_eq!(
        cands(&s, "CloudTrail.metricF"),
        (11, vec!["metricFilters".to_string()])
    );
    assert_eq!(
        cands(&s, "CloudTrail.metricFilters.filterN").1,
        ["filterName"]
    );
    assert_eq!(cands(&s, "CloudTrail[name='org-main'].sta").1, ["status"]);
    assert_eq!(cands(&s, "CloudTrail[stat").1, ["status"]);
    assert_eq!(
        cands(&s, ":show CloudTrail isMul").1,
        ["isMultiRegionTrail"]
    );
    assert_eq!(
        cands(&s, ":explain SnsTopic should have subscriptionsC").1,
        ["subscriptionsConfirmed"]
    );
}

#[test]
fn completes_after_an_index_and_inserts_a_space_after_keywords() {
    let s = session();
    // After an index the element is the context: the start is that of the segment.
    assert_eq!(
        cands(&s, "CloudTrail.metricFilters[0].fil"),
        (
            28,
            vec!["filterName".to_string(), "filterPattern".to_string()]
        )
    );
    assert_eq!(
        cands(
            &s,
            "CloudTrail.metricFilters[1].metricTransformations[0].metricN"
        )
        .1,
        ["metricName", "metricNamespace"]
    );
    // Right after the index there is no word to complete.
    assert!(cands(&s, "CloudTrail.metricFilters[0]").1.is_empty());
    // A keyword is inserted with a space after it; a property and a function are not.
    let line = "CloudTrail should ha";
    let c = complete(&s.knowledge(), line, line.len()).unwrap();
    let have = c.items.iter().find(|i| i.label == "have").unwrap();
    assert_eq!(have.insert, "have ");
    let line = "CloudTrail should have metricFilters with [ filterP";
    let c = complete(&s.knowledge(), line, line.len()).unwrap();
    let inserts: Vec<&str> = c.items.iter().map(|i| i.insert.as_str()).collect();
    assert_eq!(
        inserts,
        [
            "filterPattern",
            "filterPatternCovers(",
            "filterPatternMonitors("
        ]
    );
    // A `#` comment with brackets and quotes does not change the context.
    assert_eq!(
        cands(
            &s,
            "CloudTrail should have metricFilters with [ # it's ]\n filterN"
        )
        .1,
        ["filterName"]
    );
}

#[test]
fn completes_string_values_seen_in_the_snapshot() {
    let s = session();
    assert_eq!(
        cands(&s, "CloudTrail[name='or"),
        (17, vec!["org-main'".to_string()])
    );
    assert_eq!(
        cands(&s, "CloudTrail where name != '").1,
        ["legacy-eu'", "org-main'"]
    );
    assert_eq!(
        cands(
            &s,
            "CloudTrail should have metricFilters with [ filterName like 'root"
        )
        .1,
        ["root-usage'"]
    );
    assert_eq!(
        cands(&s, ":show SnsTopic subscriptions contain [ protocol='").1,
        ["email'"]
    );
    assert_eq!(
        cands(&s, "CloudTrail should have status.isLogging = '").1,
        Vec::<String>::new()
    );
    // A closed string is not completed as a value.
    assert!(cands(&s, "CloudTrail where name='org-main' and st")
        .1
        .contains(&"status".to_string()));
}

#[test]
fn hints_show_a_builtins_parameters() {
    let line = "CloudTrail should have status.latestDeliveryTime after(";
    assert_eq!(hint(line, line.len()).as_deref(), Some("n, unit)"));
    assert_eq!(hint("x length(", 9), None, "no parameters, no hint");
    assert_eq!(hint("x after(", 3), None, "only at the end of the line");
    assert_eq!(hint("x nosuch(", 9), None);
    assert_eq!(hint("(", 1), None);
}

#[test]
fn open_brackets_and_quotes_continue_the_input() {
    assert!(needs_more("CloudTrail should have metricFilters with ["));
    assert!(needs_more("CloudTrail where name='org"));
    assert!(needs_more("CloudTrail[name='org-main'"));
    assert!(!needs_more(
        "CloudTrail should have metricFilters with [ filterName like '%a%' ]"
    ));
    assert!(!needs_more("CloudTrail should have"));
    assert!(!needs_more(":help"));
    assert!(!needs_more("]"));
}

#[test]
fn piped_input_continues_open_brackets_and_reports_failure() {
    let mut s = session();
    let input = "CloudTrail[\n  name = 'org-main'\n].status.isLogging\n:nope\nSnsTopic.name\n:quit\nCloudTrail.name\n";
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_piped(&mut s, &mut input.as_bytes(), &mut out, &mut err);
    let out = String::from_utf8(out).unwrap();
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, Exit::Failed);
    assert!(err.contains("unknown command `:nope`"), "{err}");
    // After :quit nothing more runs.
    assert!(!out.contains("org-main: name"), "{out}");
    assert!(
        out.ends_with("orphan-topic: name = \"orphan-topic\"\n"),
        "{out}"
    );

    let mut out = Vec::new();
    let code = run_piped(
        &mut s,
        &mut "SnsTopic.name".as_bytes(),
        &mut out,
        &mut Vec::new(),
    );
    assert_eq!(code, Exit::Ok);
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 3);
}

#[test]
fn rules_print_per_entity_results_with_explanations() {
    let mut s = session();
    let out = ok(&mut s, "CloudTrail should have isMultiRegionTrail=true");
    assert!(
        out.contains("✓ pass  CloudTrail org-main (123456789012/us-east-1)"),
        "{out}"
    );
    assert!(
        out.contains("✗ fail  CloudTrail legacy-eu (123456789012/eu-west-1)"),
        "{out}"
    );
    assert!(out.contains("isMultiRegionTrail is false"), "{out}");
    assert!(out.contains("2 objects: 1 passed, 1 failed"), "{out}");

    // :explain prints the canonical rule and evidence for passing objects too.
    let out = ok(
        &mut s,
        ":explain cloudtrail should have isMultiRegionTrail=true",
    );
    assert_eq!(
        out.lines().next(),
        Some("cloudtrail should have isMultiRegionTrail = true"),
        "{out}"
    );
    // ... including the reason of the passing object, which a plain rule omits.
    assert!(out.contains("isMultiRegionTrail is true (= true)"), "{out}");
    assert!(
        out.contains("isMultiRegionTrail is false (expected true)"),
        "{out}"
    );

    // List<X>: one object per account.
    let out = ok(
        &mut s,
        "List<CloudTrail> should have items with [isMultiRegionTrail=true] length() > 0",
    );
    assert!(
        out.contains("✓ pass  List<CloudTrail> (123456789012)"),
        "{out}"
    );
}

#[test]
fn queries_list_the_matching_entities() {
    let mut s = session();
    let out = ok(&mut s, "CloudTrail where status.isLogging=false");
    assert_eq!(
        out,
        "match  CloudTrail legacy-eu (123456789012/eu-west-1)\n\n1 of 2 objects match\n"
    );
    let out = ok(&mut s, "SnsTopic where subscriptionsConfirmed > 100");
    assert_eq!(out, "\n0 of 3 objects match\n");
}

#[test]
fn rule_results_in_json() {
    let mut s = session();
    ok(&mut s, ":format json");
    let v: serde_json::Value = serde_json::from_str(&ok(
        &mut s,
        "CloudTrail should have isMultiRegionTrail=true",
    ))
    .unwrap();
    assert_eq!(v["entities"][0]["outcome"], "passed");
    assert_eq!(v["entities"][1]["outcome"], "failed");
    assert_eq!(v["entities"][1]["name"], "legacy-eu");
}

#[test]
fn filtered_paths_select_entities_with_gsl_expressions() {
    let mut s = session();
    assert_eq!(
        ok(&mut s, "CloudTrail[name='org-main'].status.isLogging"),
        "org-main: status.isLogging = true\n"
    );
    assert_eq!(
        ok(
            &mut s,
            "CloudTrail[status.isLogging=false and isMultiRegionTrail=false].name"
        ),
        "legacy-eu: name = \"legacy-eu\"\n"
    );
    assert_eq!(
        ok(&mut s, "CloudTrail[ metricFilters with [filterName like '%root%'] ].metricFilters[2].filterName"),
        "org-main: metricFilters[2].filterName = \"root-usage\"\n"
    );
    assert_eq!(
        ok(&mut s, "CloudTrail[name='nope'].status"),
        "no CloudTrail entity matches\n"
    );
    assert_eq!(
        ok(&mut s, ":show CloudTrail name='legacy-eu'"),
        ok(&mut s, "CloudTrail[name='legacy-eu']")
    );
}

#[test]
fn errors_in_a_filter_point_into_the_typed_line() {
    let mut s = session();
    let err = fails(&mut s, "CloudTrail[name=].status");
    assert!(err.contains("unexpected end of rule"), "{err}");
    // The snippet is the line as typed, not the rewritten `CloudTrail where ...`.
    let snippet = err.lines().find(|l| l.contains("CloudTrail[")).unwrap();
    assert!(snippet.ends_with("CloudTrail[name=].status"), "{err}");
    assert!(!err.contains("where"), "{err}");
    // The label sits inside the filter as typed: on `name=` or the `]` after it.
    let base = snippet.find("CloudTrail[").unwrap();
    let filter = snippet[..base + "CloudTrail[".len()].chars().count()
        ..=snippet[..base + "CloudTrail[name=".len()].chars().count();
    let marker = err
        .lines()
        .skip_while(|l| !l.contains("CloudTrail["))
        .nth(1)
        .unwrap();
    let col = marker
        .char_indices()
        .find(|(_, c)| matches!(c, '┬' | '▲' | '─'))
        .map(|(i, _)| marker[..i].chars().count())
        .unwrap();
    assert!(
        filter.contains(&col),
        "marker at {col}, filter at {filter:?}:\n{err}"
    );
    // The same error on the rewritten rule would point at column 21+ (`CloudTrail where name=`).
}

#[test]
fn lone_conditions_and_picked_entities() {
    let mut s = session();
    let err = fails(&mut s, "subscriptionsConfirmed > 0");
    assert!(err.contains("a condition alone is not a rule"), "{err}");
    assert!(
        err.contains("`SnsTopic[subscriptionsConfirmed > 0]`"),
        "{err}"
    );
    assert_eq!(
        ok(&mut s, "CloudTrail[1].name"),
        "legacy-eu: name = \"legacy-eu\"\n"
    );
    assert_eq!(
        ok(&mut s, "CloudTrail[7]"),
        "no CloudTrail entity at index 7\n"
    );
}

#[test]
fn rule_errors_are_diagnostics() {
    let mut s = session();
    let err = fails(&mut s, "CloudTrail should hav isMultiRegionTrail=true");
    assert!(err.contains("gsl::parse::keyword_typo"), "{err}");
    assert!(err.contains("did you mean `have`?"), "{err}");
    let err = fails(&mut s, "CloudTrail should have name lenght() > 1");
    assert!(err.contains("lenght"), "{err}");
    assert!(err.contains("gsl::eval::unknown_function"), "{err}");
    // A type spelt close to a collected one is a typo, not an absent type.
    let err = fails(&mut s, "Bucket should have x");
    assert!(err.contains("did you mean `S3Bucket`?"), "{err}");
    let err = fails(&mut s, "Widget should have x");
    assert!(err.contains("no entities of type Widget"), "{err}");
    // A List<> rule over an absent type still evaluates, with a note.
    let out = ok(&mut s, "List<Widget> should have items length() = 0");
    assert!(out.contains("✓ pass  List<Widget> (123456789012)"), "{out}");
    assert!(out.contains("note: no entities of type Widget"), "{out}");
}

#[test]
fn pattern_canonical_form_and_test() {
    let mut s = session();
    let a = ok(&mut s, ":pattern {$.eventName=ConsoleLogin&&$.x!=1}");
    let b = ok(
        &mut s,
        ":pattern { ($.x != 1) && ($.eventName = \"ConsoleLogin\") }",
    );
    assert_eq!(a, b);
    assert_eq!(a.lines().count(), 1);
    let err = fails(&mut s, ":pattern { $.a = 1");
    assert!(err.contains("gsl::pattern::"), "{err}");

    assert_eq!(
        ok(
            &mut s,
            r#":pattern test { $.eventName = ConsoleLogin } {"eventName": "ConsoleLogin"}"#
        ),
        "match\n  $.eventName = \"ConsoleLogin\"\n"
    );
    assert_eq!(
        ok(
            &mut s,
            r#":pattern test { $.eventName = ConsoleLogin } {"eventName": "Other"}"#
        ),
        "no match\n"
    );
    assert_eq!(
        ok(&mut s, ":pattern test ERROR disk ERROR at 10:00"),
        "match\n"
    );
    assert_eq!(ok(&mut s, ":pattern test ERROR all good"), "no match\n");
    assert_eq!(
        ok(&mut s, ":pattern test [ip, user] 10.0.0.1 alice"),
        "match\n  $ip = \"10.0.0.1\"\n  $user = \"alice\"\n"
    );
    assert!(fails(&mut s, ":pattern test { $.a = 1 }").contains("usage: :pattern"));

    ok(&mut s, ":format json");
    let v: serde_json::Value =
        serde_json::from_str(&ok(&mut s, r#":pattern test { $.a = 1 } {"a": 1}"#)).unwrap();
    assert_eq!(v["matches"], true);
    assert_eq!(v["event"], r#"{"a": 1}"#);
}

/// `:pattern test <pattern> --events FILE` reads the forms `gsl pattern test --events`
/// reads: a gzipped CloudTrail document's records, JSON lines, plain lines.
#[test]
fn pattern_test_reads_events_from_files() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let doc = r#"{"Records": [{"eventName": "ConsoleLogin", "n": 1}, {"eventName": "Other"}, {"eventName": "ConsoleLogin", "n": 2}]}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(doc.as_bytes()).unwrap();
    let trail = dir.path().join("trail.json.gz");
    std::fs::write(&trail, gz.finish().unwrap()).unwrap();
    let lines = dir.path().join("export.jsonl");
    std::fs::write(
        &lines,
        b"{\"eventName\": \"ConsoleLogin\"}\n\xff\xfe not UTF-8\nERROR disk full\n",
    )
    .unwrap();

    let mut s = session();
    let pattern = "{ $.eventName = ConsoleLogin }";
    assert_eq!(
        ok(
            &mut s,
            &format!(":pattern test {pattern} --events {}", trail.display())
        ),
        concat!(
            "2 of 3 events matched\n",
            "  event 1: {\"eventName\": \"ConsoleLogin\", \"n\": 1}\n",
            "    $.eventName = \"ConsoleLogin\"\n",
            "  event 3: {\"eventName\": \"ConsoleLogin\", \"n\": 2}\n",
            "    $.eventName = \"ConsoleLogin\"\n",
        )
    );
    // Lines: a line that is not UTF-8 is named and skipped, the others are tested.
    let out = ok(
        &mut s,
        &format!(":pattern test ERROR --events {}", lines.display()),
    );
    assert!(
        out.starts_with("1 of 2 events matched\n  event 2: ERROR disk full\n"),
        "{out}"
    );
    assert!(out.contains("(line 2): the event is not UTF-8"), "{out}");
    // The same answer as `gsl pattern test --events`.
    let p = gsl::pattern::FilterPattern::parse(pattern).unwrap();
    let (expected, tested, _) =
        crate::cli::pattern::test_events(&p, &std::fs::read(&trail).unwrap(), "t");
    ok(&mut s, ":format json");
    let v: serde_json::Value = serde_json::from_str(&ok(
        &mut s,
        &format!(":pattern test {pattern} --events {}", trail.display()),
    ))
    .unwrap();
    assert_eq!(v["tested"], tested);
    assert_eq!(
        v["matches"],
        serde_json::to_value(&expected.matches).unwrap()
    );
    assert_eq!(v["matches"][1]["eventNumber"], 3);
    // A file that cannot be read is an error, the session goes on.
    let err = fails(
        &mut s,
        ":pattern test ERROR --events /nonexistent/events.log",
    );
    assert!(err.contains("/nonexistent/events.log"), "{err}");
}

#[test]
fn splitting_pattern_test_arguments() {
    use crate::cli::repl::session::split_pattern_event as split;
    assert_eq!(
        split(r#"{ $.a = "}" } {"a":"}"}"#),
        Some((r#"{ $.a = "}" }"#, r#"{"a":"}"}"#))
    );
    assert_eq!(split("[a, b] x y"), Some(("[a, b]", "x y")));
    assert_eq!(
        split("\"disk full\" the disk full"),
        Some(("\"disk full\"", "the disk full"))
    );
    assert_eq!(
        split(r#"ERROR WARN {"level":"ERROR"}"#),
        Some(("ERROR WARN", r#"{"level":"ERROR"}"#))
    );
    assert_eq!(split("ERROR some line"), Some(("ERROR", "some line")));
    assert_eq!(split("{ $.a = 1 }"), None);
    assert_eq!(split("ERROR"), None);
    assert_eq!(split(""), None);
}

#[test]
fn load_replaces_the_snapshot_and_what_completion_knows() {
    let mut s = session();
    let mut snap: serde_json::Value = serde_json::from_str(SAMPLE_SNAPSHOT).unwrap();
    snap["accounts"][0]["entities"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k == "SnsTopic");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.json");
    std::fs::write(&file, snap.to_string()).unwrap();
    let before = s.knowledge();

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let err = fails(&mut s, &format!(":load {}", bad.display()));
    assert!(err.contains("gsl::snapshot::"), "{err}");
    assert!(
        std::sync::Arc::ptr_eq(&before, &s.knowledge()),
        "a failed load keeps the snapshot"
    );

    let out = ok(&mut s, &format!(":load {}", file.display()));
    assert_eq!(
        out,
        format!("loaded {}: 3 entities, 1 type\n", file.display())
    );
    assert!(ok(&mut s, ":entities").starts_with(&file.display().to_string()));
    // The collected types still complete (the entity model), the old snapshot's
    // counts do not: `:types`-style listings come from the loaded graph.
    assert_eq!(cands(&s, "Cl").1, ["CloudTrail", "CloudWatchAlarm"]);
    assert!(!s.knowledge().types.iter().any(|(t, _)| t == "CloudTrail"));
    assert_eq!(cands(&s, "Sn").1, ["SnsTopic"]);
    assert!(fails(&mut s, "CloudTrail.name").contains("no entities of type CloudTrail"));
}

#[test]
fn piped_rules_may_span_lines() {
    let mut s = session();
    let input = "CloudTrail should have metricFilters with [\n  filterName like '%root%'\n]\n";
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_piped(&mut s, &mut input.as_bytes(), &mut out, &mut err);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, Exit::Ok, "{}", String::from_utf8_lossy(&err));
    assert!(out.contains("2 objects: 1 passed, 1 failed"), "{out}");
    // A rule that is merely unfinished (no open bracket) does not wait for more.
    assert!(!needs_more("CloudTrail should have metricFilters with"));
    // An open bracket inside a regex does not count once the parser sees the regex.
    assert!(!needs_more("CloudTrail should have name regexMatch /[a-z/"));
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("CloudTrail".to_string()),
            Just("List<".to_string()),
            Just(">".to_string()),
            Just(" should have ".to_string()),
            Just(" where ".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("'".to_string()),
            Just(".".to_string()),
            Just("metricFilters".to_string()),
            Just(" with ".to_string()),
            Just("=".to_string()),
            Just(":show ".to_string()),
            Just(":pattern ".to_string()),
            Just(":pattern test ".to_string()),
            Just(":schema ".to_string()),
            Just(":explain ".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("$.a".to_string()),
            Just("\"".to_string()),
            Just("/".to_string()),
            Just("length()".to_string()),
            Just("0".to_string()),
            "[ -~]{0,6}",
            "\\PC{0,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn handle_line_never_panics(parts in proptest::collection::vec(token(), 0..12)) {
            let line: String = parts.concat();
            let mut s = session();
            let (_, _, c) = run(&mut s, &line);
            prop_assert!(c != Control::Quit || line.trim_start().starts_with(":q"));
            let k = s.knowledge();
            for pos in 0..=line.len() {
                if line.is_char_boundary(pos) {
                    let _ = complete(&k, &line, pos);
                }
            }
            let _ = needs_more(&line);
        }

        #[test]
        fn piped_input_never_panics(lines in proptest::collection::vec(
            proptest::collection::vec(token(), 0..6).prop_map(|t| t.concat()), 0..6)
        ) {
            let input = lines.join("\n");
            let mut s = session();
            let mut out = Vec::new();
            let mut err = Vec::new();
            let code = run_piped(&mut s, &mut input.as_bytes(), &mut out, &mut err);
            // The status is a failure exactly when a diagnostic was printed.
            prop_assert_eq!(code == Exit::Failed, !err.is_empty());
        }

        #[test]
        fn arbitrary_text_never_panics(line in "\\PC{0,40}") {
            let mut s = session();
            let _ = run(&mut s, &line);
            let _ = complete(&s.knowledge(), &line, line.len());
        }
    }
}

#[test]
fn a_command_without_its_colon_is_answered_with_the_command() {
    let mut s = session();
    for (word, command) in [
        ("clear", ":clear"),
        ("cls", ":clear"),
        ("help", ":help"),
        ("exit", ":quit"),
    ] {
        let (out, err, c) = run(&mut s, word);
        assert_eq!(c, Control::Failed, "{word}");
        assert!(out.is_empty(), "{word}: {out}");
        assert!(err.contains("gsl::repl::bare_command"), "{word}: {err}");
        assert!(err.contains(&format!("`{command}`")), "{word}: {err}");
        assert!(!err.contains("no entities of type"), "{word}: {err}");
    }
    // `:clear` clears a terminal, and prints nothing when piped.
    let (out, _, c) = run(&mut s, ":clear");
    assert_eq!((out.as_str(), c), ("", Control::Continue));
    s.set_color(true);
    let (out, _, _) = run(&mut s, ":clear");
    assert_eq!(out, "\x1b[H\x1b[2J");
    // An entity type is still a query, whatever its name.
    let (out, _, c) = run(&mut s, "CloudTrail");
    assert_eq!(c, Control::Continue, "{out}");
}

#[test]
fn ruleset_parameters_in_rules_params_and_completion() {
    let mut s = session();
    // gsl's defaults are in effect without a parameters file.
    let out = ok(&mut s, ":params");
    assert!(
        out.starts_with("$CloudGuard_Known_UDP_Ports = (53, 67, 68,"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("(gsl's default)"), "{out}");
    let mut params = (*gsl::params::Params::defaults()).clone();
    params.extend(
        gsl::params::Params::parse("Trail_Names = ['org-trail', 'main']\n", "p.toml").unwrap(),
    );
    s.set_params(std::sync::Arc::new(params));
    let out = ok(&mut s, ":params");
    assert!(
        out.contains("$Trail_Names = ('org-trail', 'main')  (p.toml:1)"),
        "{out}"
    );
    let out = ok(&mut s, "CloudTrail should have name in ($Trail_Names)");
    assert!(out.contains("passed") && out.contains("failed"), "{out}");
    let err = fails(&mut s, "CloudTrail should have name in ($Trail_Name)");
    assert!(err.contains("gsl::eval::unknown_parameter"), "{err}");
    assert!(err.contains("did you mean `$Trail_Names`?"), "{err}");
    // Completion offers the defined names after `$`; :load keeps the parameters.
    let line = "CloudTrail should have name in ($Tr";
    let c = complete(&s.knowledge(), line, line.len()).unwrap();
    let labels: Vec<&str> = c.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["$Trail_Names"]);
    let path = std::env::temp_dir().join(format!("gsl-repl-params-{}.json", std::process::id()));
    std::fs::write(&path, SAMPLE_SNAPSHOT).unwrap();
    ok(&mut s, &format!(":load {}", path.display()));
    let _ = std::fs::remove_file(&path);
    assert!(ok(&mut s, ":params").contains("$Trail_Names"));
    let c = complete(&s.knowledge(), line, line.len()).unwrap();
    assert_eq!(c.items.len(), 1);
    ok(&mut s, ":format json");
    let out = ok(&mut s, ":params");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["params"][1]["name"], "Trail_Names");
    assert_eq!(doc["params"][1]["origin"], "p.toml:1");
}
