//! `gsl repl` in a real pseudo-terminal: line editing, completion, history,
//! multi-line input, Ctrl-C and Ctrl-D. Unix only (expectrl's pty).
#![cfg(unix)]

use expectrl::{Eof, Session};
use std::process::Command;
use std::time::Duration;

const TAB: &str = "\t";
const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const UP: &str = "\x1b[A";

fn spawn(history: &std::path::Path) -> Session {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gsl"));
    cmd.arg("repl")
        .env("GSL_HISTORY", history)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("COLUMNS")
        .env_remove("LINES");
    let mut p = Session::spawn(cmd).expect("spawn gsl repl in a pty");
    p.get_process_mut()
        .set_window_size(100, 40)
        .expect("set the terminal size");
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("Ctrl-D to leave.").expect("banner");
    p.expect("gsl> ").expect("prompt");
    p
}

fn text(c: &expectrl::Captures) -> String {
    String::from_utf8_lossy(c.before()).into_owned()
}

fn exits_cleanly(mut p: Session) {
    p.send(CTRL_D).unwrap();
    p.expect(Eof).expect("exit on Ctrl-D");
    let status = p.get_process_mut().wait().expect("wait for gsl");
    assert_eq!(
        format!("{status:?}").rsplit(", ").next(),
        Some("0)"),
        "{status:?}"
    );
}

#[test]
fn completion_history_multiline_and_control_keys() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("sub").join("history");

    let mut p = spawn(&history);
    // A command completed with Tab.
    p.send(format!(":ent{TAB}{ENTER}")).unwrap();
    // The count column is as wide as the longest type name.
    p.expect(expectrl::Regex("CloudWatchAlarm +8"))
        .expect(":ent<Tab> ran :entities");
    p.expect("gsl> ").unwrap();

    // A keyword completes with a space after it.
    p.send(format!(
        "CloudTrail should hav{TAB}isMultiRegionTrail = true{ENTER}"
    ))
    .unwrap();
    p.expect("2 objects: 1 passed, 1 failed")
        .expect("keyword completed with a space");
    p.expect("gsl> ").unwrap();

    // A property path completed segment by segment.
    p.send(format!("CloudTrail.stat{TAB}.isLo{TAB}{ENTER}"))
        .unwrap();
    p.expect("org-main: status.isLogging = true")
        .expect("completed path ran");
    p.expect("gsl> ").unwrap();

    // Two candidates: the second Tab lists them, then the line is drawn again.
    p.send(format!(":s{TAB}{TAB}")).unwrap();
    let listed = p.expect(":show").expect("candidates listed");
    assert!(text(&listed).contains(":schema"), "{}", text(&listed));
    p.expect("gsl> :s").expect("line redrawn after the list");
    // Ctrl-C drops the line: nothing is evaluated. (Wait for each new prompt: between
    // two prompts the terminal is not in raw mode, and Ctrl-C would be a signal.)
    p.send(CTRL_C).unwrap();
    p.expect("gsl> ").expect("prompt after Ctrl-C");
    p.send("CloudTrail.nonsense").unwrap();
    p.expect("nonsense").unwrap();
    p.send(CTRL_C).unwrap();
    p.expect("gsl> ").expect("prompt after Ctrl-C");
    p.send(format!(":format{ENTER}")).unwrap();
    let before = p.expect("text\r\n").expect(":format after Ctrl-C");
    assert!(
        !text(&before).contains("no entity of type"),
        "{}",
        text(&before)
    );
    p.expect("gsl> ").unwrap();

    // An open bracket continues the input on the next line.
    p.send(format!("CloudTrail[name = 'org-main'{ENTER}"))
        .unwrap();
    p.expect("...> ").expect("continuation prompt");
    p.send(format!("].name{ENTER}")).unwrap();
    let got = p
        .expect("org-main: name = \"org-main\"")
        .expect("multi-line input ran");
    assert!(!text(&got).contains("legacy-eu"), "{}", text(&got));
    p.expect("gsl> ").unwrap();

    // Errors are diagnostics; the session goes on.
    p.send(format!("CloudTrail.statuz{ENTER}")).unwrap();
    p.expect("did you mean `status`?").expect("diagnostic");
    p.expect("gsl> ").unwrap();
    p.send(format!("SnsTopic.name{ENTER}")).unwrap();
    p.expect("orphan-topic: name").unwrap();
    p.expect("gsl> ").unwrap();
    exits_cleanly(p);

    // File names complete after :load; completion then knows the new snapshot.
    let mut p = spawn(&dir.path().join("other-history"));
    p.send(format!(":load tests/data/repl/small-snap{TAB}{ENTER}"))
        .unwrap();
    p.expect("loaded tests/data/repl/small-snapshot.json: 1 entity, 1 type")
        .expect(":load completed the file name");
    p.expect("gsl> ").unwrap();
    p.send(format!("LogGroup.retention{TAB}{ENTER}")).unwrap();
    p.expect("CloudTrail/DefaultLogGroup: retentionInDays = 365")
        .expect("completion after :load");
    p.expect("gsl> ").unwrap();
    exits_cleanly(p);

    let saved = std::fs::read_to_string(&history).expect("history saved");
    assert!(saved.contains(":entities"), "{saved}");
    assert!(saved.contains("SnsTopic.name"), "{saved}");
    assert!(!saved.contains("nonsense"), "{saved}");

    // A new session recalls the last input with Up.
    let mut p = spawn(&history);
    p.send(format!("{UP}{ENTER}")).unwrap();
    p.expect("orphan-topic: name").expect("history recalled");
    p.expect("gsl> ").unwrap();
    p.send(format!("{UP}{UP}{ENTER}")).unwrap();
    p.expect("did you mean `status`?")
        .expect("older history recalled");
    p.expect("gsl> ").unwrap();
    p.send(format!(":quit{ENTER}")).unwrap();
    p.expect(Eof).expect("exit on :quit");
}
