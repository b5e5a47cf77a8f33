//! The HTML report in a real browser: headless Chromium (Debian's `chromium` package)
//! loads the page with networking off, runs its script, and the rendered DOM must show
//! the banner, the counts, the chart and the failing findings with their remediation.
//! A screenshot is kept under the target directory's `tmp/report-html/` as an artifact
//! (the test prints its path).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn chromium() -> PathBuf {
    let found = ["chromium", "chromium-browser"]
        .iter()
        .map(|n| Path::new("/usr/bin").join(n))
        .find(|p| p.is_file());
    match found {
        Some(p) => p,
        None => panic!(
            "headless Chromium is needed to test the HTML report, and /usr/bin/chromium is missing.\n\
             Install it: apt-get update && apt-get install -y chromium   (.ci/run does this)"
        ),
    }
}

fn run_chromium(page: &Path, profile: &Path, extra: &[String]) -> std::process::Output {
    let out = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-html");
    std::fs::create_dir_all(&artifacts).unwrap();
    let page = artifacts.join("gsl-report.html");
    Command::cargo_bin("gsl")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["check", "--format", "html", "--output"])
        .arg(&page)
        .assert()
        .code(1);
    let html = std::fs::read_to_string(&page).unwrap();
    for external in ["<link", " src=", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "the page loads nothing: {external}"
        );
    }

    let profile = tempfile::tempdir().unwrap();
    let dom = String::from_utf8(run_chromium(&page, profile.path(), &["--dump-dom".into()]).stdout)
        .unwrap();
    for expected in [
        "SAMPLE DATA",
        "gsl check: 21 policies over examples/sample-account.json (built in)",
        "Remediation:",
        "D9.AWS.LOG.01",
        "legacy-eu",
        "minimum severity",
    ] {
        assert!(
            dom.contains(expected),
            "rendered page lacks {expected:?}:\n{dom}"
        );
    }
    // The script ran: it counts the policies it shows (failing ones by default).
    let shown = regex::Regex::new(r"(\d+) of 21 policies shown").unwrap();
    let n: usize = shown
        .captures(&dom)
        .unwrap_or_else(|| panic!("the filter script did not run:\n{dom}"))[1]
        .parse()
        .unwrap();
    assert!(
        n > 0 && n < 21,
        "by default the failing policies are shown: {n}"
    );
    assert!(dom.contains("<svg id=\"chart\""), "the chart is there");

    let shot = artifacts.join("gsl-report.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &page,
        profile.path(),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
        ],
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "screenshot {} is missing or blank",
        shot.display()
    );
    eprintln!("HTML report screenshot: {}", shot.display());
}
