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
