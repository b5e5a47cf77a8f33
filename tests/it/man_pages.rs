//! `gsl man`: a page per command, each with the sections a manual page needs, and no
//! page naming a page that is not there.

use assert_cmd::Command;
use std::collections::BTreeSet;

fn gsl() -> Command {
    let mut cmd = Command::cargo_bin("gsl").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The subcommands `gsl --help` lists (also the README's test's).
pub(crate) fn subcommands() -> Vec<String> {
    let out = gsl().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    help.split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

#[test]
fn man_dir_writes_a_page_per_command_with_every_section() {
    let dir = tempfile::tempdir().unwrap();
    gsl()
        .args(["man", "--dir"])
        .arg(dir.path())
        .assert()
        .code(0);
    let written: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let subs = subcommands();
    assert!(subs.len() >= 10, "{subs:?}");
    assert!(written.contains("gsl.1"));
    for sub in &subs {
        assert!(
            written.contains(&format!("gsl-{sub}.1")),
            "no page for {sub}: {written:?}"
        );
    }
    // `pattern`'s own subcommands have pages too.
    assert!(written.contains("gsl-pattern-covers.1"), "{written:?}");
    let refs = regex::Regex::new(r"(gsl(?:\\-[a-z]+)*)\((\d)\)").unwrap();
    for file in &written {
        let page = std::fs::read_to_string(dir.path().join(file)).unwrap();
        for section in ["NAME", "SYNOPSIS", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            assert!(
                page.contains(&format!(".SH {section}"))
                    || page.contains(&format!(".SH \"{section}\"")),
                "{file} has no {section}"
            );
        }
        // Every page it names exists.
        for c in refs.captures_iter(&page) {
            let named = format!("{}.{}", c[1].replace("\\-", "-"), &c[2]);
            assert!(
                written.contains(&named),
                "{file} names {named}, which is not written"
            );
        }
    }
    let check = std::fs::read_to_string(dir.path().join("gsl-check.1")).unwrap();
    for fact in ["gsl.toml", ".gslignore.yaml", "NO_COLOR", "\\-\\-fail\\-on"] {
        assert!(check.contains(fact), "gsl-check(1) does not mention {fact}");
    }
    assert!(check.contains(".SH ENVIRONMENT") && check.contains(".SH FILES"));
    // groff reads every page without a warning (with preconv, -k, as man(1) runs it).
    if std::path::Path::new("/usr/bin/groff").is_file() {
        for file in &written {
            let out = std::process::Command::new("groff")
                .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
                .arg(dir.path().join(file))
                .output()
                .unwrap();
            assert!(
                out.stderr.is_empty(),
                "{file}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn man_without_dir_prints_gsl_1_which_points_at_the_others() {
    let out = gsl().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH gsl 1"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("gsl man \\-\\-dir DIR"), "{page}");
    assert!(page.contains(".SH \"EXIT STATUS\"") || page.contains(".SH EXIT STATUS"));
}
