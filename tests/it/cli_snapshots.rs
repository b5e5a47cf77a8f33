//! The main job's output, pinned: `gsl check` over the built-in sample account (text
//! and JSON summary), and `gsl eval` explanations. Review changes with `cargo insta review`.

use assert_cmd::Command;

fn gsl(args: &[&str]) -> String {
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn check_sample_account_text() {
    insta::assert_snapshot!(gsl(&["check"]));
}

#[test]
fn eval_explanation_text() {
    insta::assert_snapshot!(gsl(&[
        "eval",
        "SnsTopic should have subscriptions contain [pendingConfirmation = false]",
        "-v"
    ]));
}
