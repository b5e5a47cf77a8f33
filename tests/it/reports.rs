//! Every report format of `gsl check`, on the built-in sample account: golden files
//! (insta), determinism, SARIF against the OASIS 2.1.0 schema, JUnit and CSV parsed
//! back, OCSF lines (validated against the OCSF schema in report_ocsf), the sample
//! banner everywhere, --output and --output-dir.

use assert_cmd::Command;
use std::path::PathBuf;

const FORMATS: [&str; 8] = [
    "text", "json", "sarif", "junit", "csv", "ocsf", "markdown", "html",
];

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(format: &str) -> String {
    let out = gsl().args(["check", "--format", format]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_format_on_the_sample_account_is_pinned() {
    // The text report is pinned in cli_snapshots (check_sample_account_text).
    for f in FORMATS.into_iter().filter(|f| *f != "text") {
        insta::assert_snapshot!(format!("report_{f}"), check(f));
    }
}

#[test]
fn every_format_is_deterministic_and_carries_the_sample_banner() {
    for f in FORMATS {
        let a = check(f);
        assert_eq!(a, check(f), "{f} differs between two runs");
        let marked = a.contains("SAMPLE DATA")
            || a.contains("\"sample\":true")
            || a.contains("\"sample\": true")
            || a.contains(",true\r\n");
        assert!(
            marked,
            "{f} does not say the run is over the sample account"
        );
    }
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let doc: serde_json::Value = serde_json::from_str(&check("sarif")).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    // The default run's policies (CIS v5.0.0 and CloudGuard's rules).
    assert_eq!(rules.len(), crate::counts::default_run());
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for rule in rules {
        // A readable name, not the id again; help and where to read more.
        let name = rule["name"].as_str().unwrap();
        assert_ne!(rule["name"], rule["id"]);
        // The title's words run together: several capitalized words.
        assert!(
            name.chars().filter(char::is_ascii_uppercase).count() > 2
                && name.starts_with(|c: char| c.is_ascii_uppercase()),
            "{name}"
        );
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        assert!(rule["help"]["text"].as_str().unwrap().len() > 20);
        assert!(rule["helpUri"].as_str().unwrap().starts_with("https://"));
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        // A built-in policy's file is not in the user's repository: the result names
        // the object only.
        assert!(r["locations"][0].get("physicalLocation").is_none(), "{r:#}");
        assert!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].is_string());
    }
    assert_eq!(run["properties"]["sample"], true);
}

#[test]
fn sarif_of_the_users_policies_points_at_their_files() {
    let out = gsl()
        .current_dir(root())
        .args(["check", "tests/data/report/policies", "--format", "sarif"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("{r:#}"));
        assert!(uri.starts_with("tests/data/report/policies/"), "{uri}");
        assert!(root().join(uri).is_file(), "{uri} is not the policy file");
    }
}

/// `sarif-multitool validate` over a SARIF file: the problems it reports, as (level,
/// rule, message id and arguments).
fn multitool(sarif: &str) -> Vec<(String, String, String)> {
    let tool = std::env::var("GSL_SARIF_MULTITOOL").unwrap_or_default();
    assert!(
        std::path::Path::new(&tool).is_file(),
        "Microsoft's sarif-multitool is needed to test the SARIF report, and GSL_SARIF_MULTITOOL ({tool:?}) is not it.\n\
         ./scripts/test.sh installs it from the npm registry (npm install --prefix .tools @microsoft/sarif-multitool@5.7.0)"
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("gsl.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).unwrap();
    let run = std::process::Command::new(&tool)
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .args(["--level", "Error", "Warning", "Note"])
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["level"].as_str().unwrap_or("warning").to_string(),
                r["ruleId"].as_str().unwrap_or_default().to_string(),
                format!("{} {}", r["message"]["id"], r["message"]["arguments"]),
            )
        })
        .collect()
}

#[test]
fn sarif_passes_microsofts_sarif_multitool_validation() {
    // The tool's home page: `informationUri` comes from Cargo.toml's homepage or
    // repository; without one the validator warns (SARIF2005) and this test says so.
    let has_home =
        !env!("CARGO_PKG_HOMEPAGE").is_empty() || !env!("CARGO_PKG_REPOSITORY").is_empty();
    let users = gsl()
        .current_dir(root())
        .args(["check", "tests/data/report/policies", "--format", "sarif"])
        .output()
        .unwrap();
    for (what, sarif) in [
        ("built-in", check("sarif")),
        ("the user's", String::from_utf8(users.stdout).unwrap()),
    ] {
        let found = multitool(&sarif);
        let bad: Vec<_> = found
            .iter()
            .filter(|(level, rule, _)| {
                (level == "error" || level == "warning") && (has_home || rule != "SARIF2005")
            })
            .collect();
        assert!(bad.is_empty(), "{what} policies: {bad:#?}");
        // Rule names are Pascal-case identifiers (SARIF2012 says when one is not).
        let names: Vec<_> = found
            .iter()
            .filter(|(_, rule, args)| rule == "SARIF2012" && args.contains("Pascal"))
            .collect();
        assert!(names.is_empty(), "{what} policies: {names:#?}");
    }
}

#[test]
fn junit_is_a_suite_per_pack_with_failures_carrying_the_explanation() {
    let xml = check("junit");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut failures) = (Vec::new(), 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                let name = e.try_get_attribute("name").unwrap().unwrap();
                suites.push(String::from_utf8(name.value.to_vec()).unwrap());
            }
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"failure" => failures += 1,
            _ => {}
        }
    }
    assert_eq!(suites, ["cis-aws@5.0.0", "cloudguard"]);
    assert!(failures > 0);
    assert!(xml.contains("legacy-eu"), "the failing trail is named");
}

#[test]
fn csv_has_the_documented_header_and_a_row_per_policy_and_object() {
    let text = check("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let docs = std::fs::read_to_string(root().join("docs/reports.md")).unwrap();
    assert!(
        docs.contains(&header.join(",")),
        "docs/reports.md documents the header: {}",
        header.join(",")
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(ids.len(), crate::counts::default_run());
    assert!(rows
        .iter()
        .any(|r| &r[1] == "D9.AWS.LOG.01" && &r[10] == "failed" && &r[6] == "legacy-eu"));
}

#[test]
fn ocsf_is_one_compliance_finding_per_line() {
    let text = check("ocsf");
    let mut fails = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        // Validated against the OCSF 1.3.0 schema in report_ocsf.
        assert_eq!(v["class_uid"], 2003);
        assert_eq!(v["type_uid"], 200301);
        assert!(v["severity_id"].as_u64().unwrap() >= 1);
        // The fingerprint (the same value in every format: tests/it/baseline.rs).
        let uid = v["finding_info"]["uid"].as_str().unwrap();
        assert!(
            uid.len() == 32 && uid.bytes().all(|b| b.is_ascii_hexdigit()),
            "{uid}"
        );
        assert_eq!(v["unmapped"]["sample"], true);
        if v["status_code"] == "FAIL" {
            fails += 1;
        }
    }
    assert!(fails > 0);
}

#[test]
fn output_dir_writes_one_file_per_format_and_output_writes_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = gsl()
        .args([
            "check",
            "--format",
            "sarif,junit",
            "--format",
            "html",
            "--output-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    for name in [
        "gsl-report.sarif",
        "gsl-report.junit.xml",
        "gsl-report.html",
    ] {
        assert!(dir.path().join(name).is_file(), "{name}");
    }
    let file = dir.path().join("r.md");
    gsl()
        .args(["check", "-f", "markdown", "-o"])
        .arg(&file)
        .assert()
        .code(1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), check("markdown"));
    let out = gsl().args(["check", "-f", "json,csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output-dir"));
}

/// The tables of a Markdown document as a CommonMark + GFM reader sees them: each a
/// header and rows of cell texts.
fn markdown_tables(md: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = Vec::new();
    let (mut header, mut rows, mut row, mut cell) = (
        Vec::new(),
        Vec::<Vec<String>>::new(),
        Vec::new(),
        String::new(),
    );
    let mut in_head = false;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                header = std::mem::take(&mut row);
            }
            Event::Start(Tag::TableCell) => cell.clear(),
            Event::End(TagEnd::TableCell) => row.push(cell.trim().to_string()),
            Event::End(TagEnd::TableRow) if !in_head => rows.push(std::mem::take(&mut row)),
            Event::End(TagEnd::Table) => {
                tables.push((std::mem::take(&mut header), std::mem::take(&mut rows)))
            }
            Event::Text(t) | Event::Code(t) => cell.push_str(&t),
            _ => {}
        }
    }
    tables
}

#[test]
fn markdown_reads_back_as_tables_with_a_row_per_policy() {
    let md = check("markdown");
    let tables = markdown_tables(&md);
    assert_eq!(tables.len(), 2, "{md}");
    let mut ids = Vec::new();
    for (header, rows) in &tables {
        assert_eq!(
            header,
            &["Status", "Severity", "Policy", "Title", "Objects"]
        );
        for row in rows {
            assert_eq!(row.len(), header.len(), "{row:?}");
            ids.push(row[2].clone());
        }
    }
    ids.sort();
    let n = ids.len();
    ids.dedup();
    let all = crate::counts::default_run();
    assert_eq!((n, ids.len()), (all, all), "{ids:?}");
    // The failing objects are named in the table of policies that need attention.
    let (_, attention) = &tables[0];
    let trail = attention
        .iter()
        .find(|r| r[2] == "D9.AWS.LOG.01")
        .expect("D9.AWS.LOG.01");
    assert_eq!(trail[0], "❌ fail");
    assert!(trail[4].contains("legacy-eu"), "{trail:?}");
}
