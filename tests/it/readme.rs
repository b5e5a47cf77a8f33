//! The README cannot go stale: every ```console block is a command and the binary's
//! output (a test runs the command and compares), and its list of commands is the
//! binary's. `UPDATE_README=1 cargo test --test it readme` rewrites the blocks from
//! the binary; review the diff.

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command line split as a POSIX shell splits words ('…', "…" and blanks only).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (_, c) => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

/// What `gsl ARGS` prints on standard output, from the repository's root, without colour.
fn output(args: &[String]) -> String {
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn readme_examples_are_the_binarys_output() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (mut updated, mut rest, mut blocks, mut stale) =
        (String::new(), readme.as_str(), 0, Vec::new());
    while let Some(i) = rest.find("```console\n$ gsl ") {
        let body = i + "```console\n".len();
        let end = body + rest[body..].find("```\n").expect("a closed block");
        let block = &rest[body..end];
        let (command, shown) = block.split_once('\n').unwrap_or((block, ""));
        let args = words(command.trim_start_matches("$ gsl "));
        let actual = output(&args);
        if actual != shown {
            stale.push(format!(
                "{command}\n--- README.md\n{shown}+++ gsl\n{actual}"
            ));
        }
        updated.push_str(&rest[..body]);
        updated.push_str(command);
        updated.push('\n');
        updated.push_str(&actual);
        rest = &rest[end..];
        blocks += 1;
    }
    updated.push_str(rest);
    assert!(blocks >= 1, "no ```console block in README.md");
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "README.md shows output the binary does not print (UPDATE_README=1 regenerates it):\n{}",
        stale.join("\n")
    );
}

#[test]
fn readme_lists_every_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.starts_with("- a CLI ("))
        .expect("the README's list of commands");
    let listed: Vec<&str> = line
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|w| w.trim_start_matches("gsl "))
        .collect();
    let commands = crate::man_pages::subcommands();
    for c in &commands {
        assert!(
            listed.contains(&c.as_str()),
            "README.md does not list `{c}`: {line}"
        );
    }
    for c in &listed {
        // `collect` needs the `aws` feature, which a build without it does not list.
        assert!(
            commands.iter().any(|k| k == c) || (*c == "collect" && !cfg!(feature = "aws")),
            "README.md lists `{c}`, which gsl does not have"
        );
    }
}

#[test]
fn words_are_split_as_a_shell_splits_them() {
    assert_eq!(
        words(r#"pattern eq '{$.a = "b c"}' "x y"  z"#),
        ["pattern", "eq", r#"{$.a = "b c"}"#, "x y", "z"]
    );
}
