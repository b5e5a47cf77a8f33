//! The storage and logging types against the rules written for them, without AWS:
//! every corpus rule on S3Bucket, KMS, RDS, EFS, ConfigurationRecorder, SecurityHub,
//! Macie and CloudTrail checks on the collected schema without `unknown_property`, and
//! every row of policies/cis-aws.src/rules/{storage,logging}.yaml checks and passes its
//! own cases (run as a policy test, as `gsl test` would once the generator writes
//! them). The verdicts on a collected account are in `storage_moto.rs`.

use gsl::lang::eval::check_rule;
use gsl::lang::parser::parse_rule;

const TYPES: [&str; 8] = [
    "S3Bucket",
    "KMS",
    "RDS",
    "EFS",
    "ConfigurationRecorder",
    "SecurityHub",
    "Macie",
    "CloudTrail",
];

#[test]
fn every_corpus_rule_on_these_types_checks_on_the_schema() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (no, line) in include_str!("../data/gsl/corpus_valid.txt")
        .lines()
        .enumerate()
    {
        let line = line.split("  #").next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Ok(rule) = parse_rule(line) else { continue };
        if !TYPES.contains(&rule.target.entity.name.as_str()) {
            continue;
        }
        checked += 1;
        if let Err(e) = check_rule(&rule) {
            failures.push(format!("line {}: {line}: {:?}", no + 1, e.codes()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // S3Bucket (6), KMS (1), RDS (1), CloudTrail (3).
    assert!(checked >= 11, "{checked} corpus rules on these types");
    // And a misspelt property is still caught on them.
    let typo = parse_rule("S3Bucket should have logging.enabeld = true").expect("parses");
    let codes = check_rule(&typo)
        .err()
        .map(|e| e.codes())
        .unwrap_or_default();
    assert!(
        codes.iter().any(|c| c.contains("unknown_property")),
        "{codes:?}"
    );
}

/// The rows as policy files with their cases, in a scratch directory; run with the
/// policy-test runner.
#[test]
fn every_cis_row_checks_and_passes_its_cases() {
    let dir = std::env::temp_dir().join(format!("gsl-storage-rows-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let mut rows = 0;
    let mut manual = 0;
    for (file, text) in [
        (
            "storage",
            include_str!("../../policies/cis-aws.src/rules/storage.yaml"),
        ),
        (
            "logging",
            include_str!("../../policies/cis-aws.src/rules/logging.yaml"),
        ),
    ] {
        let doc: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML");
        for (key, row) in doc["controls"].as_mapping().expect("controls") {
            let key = key.as_str().expect("key");
            for field in ["title", "severity", "description", "remediation"] {
                assert!(row[field].as_str().is_some(), "{file}: {key}: no {field}");
            }
            assert!(
                row["numbers"]["5.0.0"].as_str().is_some(),
                "{file}: {key}: no 5.0.0 number"
            );
            match (row["rule"].as_str(), row["manual"].as_str()) {
                (Some(rule), None) => {
                    let header = format!(
                        "# id: {key}\n# title: {}\n# severity: {}\n",
                        row["title"].as_str().unwrap_or_default(),
                        row["severity"].as_str().unwrap_or_default()
                    );
                    std::fs::write(dir.join(format!("{key}.gsl")), format!("{header}{rule}\n"))
                        .expect("write");
                    let cases = serde_yaml::to_string(&serde_yaml::Mapping::from_iter([(
                        "cases".into(),
                        row["cases"].clone(),
                    )]))
                    .expect("cases");
                    let test = dir.join(format!("{key}.test.yaml"));
                    std::fs::write(&test, cases).expect("write");
                    let result = gsl::authoring::run_file(&test);
                    assert!(result.passed(), "{file}: {key}: {result:#?}");
                    let outcomes: Vec<String> =
                        result.cases.iter().map(|c| format!("{c:?}")).collect();
                    assert!(!outcomes.is_empty(), "{key}: no cases");
                    rows += 1;
                }
                (None, Some(reason)) => {
                    assert!(reason.len() > 40, "{key}: say why it is manual");
                    manual += 1;
                }
                _ => panic!("{file}: {key}: give `rule` or `manual`, not both"),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Section 2 (9 controls) + section 3 without 3.7 (8) + 4.16.
    assert_eq!(rows + manual, 18);
    assert_eq!(manual, 1);
}
