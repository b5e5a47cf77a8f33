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
    assert_eq!(stated, actual, "update the table in examples/README.md");
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
