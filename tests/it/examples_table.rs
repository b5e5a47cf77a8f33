//! examples/README.md states the verdict of every shipped policy on the built-in sample
//! account; this runs `gsl check` and asserts exactly that table (rows, order, verdicts,
//! failing objects).

use assert_cmd::Command;

#[test]
fn examples_readme_states_exactly_the_verdicts_of_the_sample_account() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("examples/README.md")).unwrap();
    let stated: Vec<String> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(str::to_string)
        .collect();
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .args(["check", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let actual: Vec<String> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let fails: Vec<String> = r["entities"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["outcome"] == "failed")
                .map(|e| format!("`{}`", e["name"].as_str().or(e["id"].as_str()).unwrap()))
                .collect();
            format!(
                "| `{}` | `{}` | {} | {} |",
                r["id"].as_str().unwrap(),
                r["origin"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                if fails.is_empty() {
                    "-".to_string()
                } else {
                    fails.join(", ")
                }
            )
        })
        .collect();
    if std::env::var_os("GSL_BLESS").is_some() && stated != actual {
        // Rewrite the table's rows in place; the prose around them is the author's.
        let mut rows = actual.iter();
        let mut text = String::new();
        let mut in_table = false;
        for line in readme.lines() {
            if line.starts_with("| `") {
                if !in_table {
                    for row in rows.by_ref() {
                        text.push_str(row);
                        text.push('\n');
                    }
                    in_table = true;
                }
                continue;
            }
            text.push_str(line);
            text.push('\n');
        }
        std::fs::write(root.join("examples/README.md"), text).unwrap();
        return;
    }
    assert_eq!(
        stated, actual,
        "update the table in examples/README.md (GSL_BLESS=1 rewrites it)"
    );
}

/// examples/multi-type/README.md states the verdicts of the rules over entities of any
/// type (S3, IAM, security groups, Azure storage, Kubernetes) and a line of each
/// failure's explanation; this runs them and asserts exactly that.
#[test]
fn the_multi_type_example_gives_the_stated_verdicts_and_explanations() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("examples/multi-type");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let stated: Vec<Vec<String>> = readme
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(stated.len(), 5);
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .arg("check")
        .arg(dir.join("policies"))
        .arg("--snapshot")
        .arg(dir.join("snapshot.json"))
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), stated.len());
    for (row, r) in stated.iter().zip(results) {
        assert_eq!(format!("`{}`", r["id"].as_str().unwrap()), row[0]);
        assert_eq!(r["status"].as_str().unwrap(), row[1], "{}", row[0]);
        let failed: Vec<&serde_json::Value> = r["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["outcome"] == "failed")
            .collect();
        let names: Vec<String> = failed
            .iter()
            .map(|e| format!("`{}`", e["name"].as_str().unwrap()))
            .collect();
        let names = if names.is_empty() {
            "-".to_string()
        } else {
            names.join(", ")
        };
        assert_eq!(names, row[2], "{}", row[0]);
        if row[3] != "-" {
            let want = row[3].trim_matches('`');
            let text = serde_json::to_string(&failed).unwrap();
            assert!(text.contains(want), "{}: {want} not in {text}", row[0]);
        }
    }
}

/// The monitoring chain's five types in the sample account are written by hand (they
/// tell the story of examples/README.md); every other type is built from the records in
/// examples/sample-inventory.json by the collectors' own build step, so the sample has
/// exactly the shape `gsl collect` writes. `GSL_BLESS=1` rewrites the sample from them.
#[test]
fn the_sample_inventory_is_built_from_its_records() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let records = std::fs::read_to_string(root.join("examples/sample-inventory.json")).unwrap();
    let collected: gsl::collect::Collected = serde_json::from_str(&records).unwrap();
    let built = gsl::collect::build_snapshot(&[collected], None);
    let built = serde_json::to_value(&built).unwrap();
    let built = &built["accounts"][0]["entities"];
    let path = root.join("examples/sample-account.json");
    let mut sample: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let hand_written = [
        "CloudTrail",
        "CloudWatchAlarm",
        "LogGroup",
        "MetricFilter",
        "SnsTopic",
    ];
    let mut expected = serde_json::Map::new();
    for (kind, list) in built.as_object().unwrap() {
        let list = if hand_written.contains(&kind.as_str()) {
            sample["accounts"][0]["entities"][kind].clone()
        } else {
            assert!(
                !list.as_array().unwrap().is_empty(),
                "the sample inventory has no {kind}"
            );
            list.clone()
        };
        expected.insert(kind.clone(), list);
    }
    let expected = serde_json::Value::Object(expected);
    if std::env::var_os("GSL_BLESS").is_some() {
        sample["accounts"][0]["entities"] = expected;
        let mut text = serde_json::to_string_pretty(&sample).unwrap();
        text.push('\n');
        std::fs::write(&path, text).unwrap();
        return;
    }
    assert_eq!(
        sample["accounts"][0]["entities"], expected,
        "examples/sample-account.json is not built from examples/sample-inventory.json; \
         run GSL_BLESS=1 cargo test --test it -- examples_table"
    );
}
