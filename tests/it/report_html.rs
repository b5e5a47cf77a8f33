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
        &*format!(
            "gsl check: {} policies over examples/sample-account.json (built in)",
            crate::counts::default_run()
        ),
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
    let all = crate::counts::default_run();
    let shown = regex::Regex::new(&format!(r"(\d+) of {all} policies shown")).unwrap();
    let n: usize = shown
        .captures(&dom)
        .unwrap_or_else(|| panic!("the filter script did not run:\n{dom}"))[1]
        .parse()
        .unwrap();
    assert!(
        n > 0 && n < all,
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

/// What the probe script found in the page (see `probe`).
fn probe_results(dom: &str) -> serde_json::Value {
    let start = dom
        .find("<pre id=\"gsl-probe\">")
        .unwrap_or_else(|| panic!("the probe did not run:\n{dom}"))
        + "<pre id=\"gsl-probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The page with a probe: a first script that records errors (uncaught ones and
/// `console.error`), a last one that measures the layout, works the filters as a
/// person would (choose an account, follow an account's link, toggle a status) and
/// writes what it saw as JSON into `<pre id="gsl-probe">`.
fn probe(html: &str) -> String {
    const FIRST: &str = "<script>window.__errors=[];window.addEventListener('error',function(e){__errors.push(String(e.message))});(function(){var ce=console.error;console.error=function(){__errors.push([].join.call(arguments,' '));ce.apply(console,arguments);};})();</script>";
    const LAST: &str = r##"<script>(function(){
function vis(el){return el.offsetParent!==null;}
function policies(){return [].filter.call(document.querySelectorAll('.policy'),vis).map(function(p){return p.querySelector('h2 code').textContent;});}
function entities(){return [].filter.call(document.querySelectorAll('.entity'),vis).map(function(e){return e.dataset.account;});}
var r={width:window.innerWidth,scrollWidth:document.documentElement.scrollWidth,initial:policies()};
var acct=document.getElementById('account');
acct.value='333333333333';acct.dispatchEvent(new Event('change'));
r.account333={policies:policies(),entities:entities()};
acct.value='';acct.dispatchEvent(new Event('change'));
r.all=entities();
document.querySelector('button[data-status=passed]').click();
r.withPassed=policies();
document.querySelector('button[data-status=passed]').click();
document.querySelector('a[href="#account-222222222222"]').click();
setTimeout(function(){
r.link222={select:acct.value,policies:policies(),entities:entities()};
r.errors=window.__errors;
var pre=document.createElement('pre');pre.id='gsl-probe';pre.textContent=JSON.stringify(r);document.body.appendChild(pre);
},100);})();</script>"##;
    html.replacen("<head>", &format!("<head>{FIRST}"), 1)
        .replacen("</body>", &format!("{LAST}</body>"), 1)
}

/// A page showing the page `inner` (a file beside it) in a frame `width` × `height` px
/// (headless Chromium's window is at least 500 px wide; a frame is a viewport of its
/// own, for the layout and the stylesheet's media queries alike), which copies the
/// probe's results (if any) out of the frame into its own `<pre id="gsl-probe">`.
/// Chromium reads the frame with `--allow-file-access-from-files`.
fn framed(inner: &str, width: u32, height: u32) -> String {
    format!(
        r#"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="f" style="border:0;width:{width}px;height:{height}px" src="{inner}"></iframe>
<script>(function(){{function copy(){{var d=document.getElementById('f').contentDocument;var p=d&&d.getElementById('gsl-probe');
if(!p){{setTimeout(copy,50);return;}}var q=document.createElement('pre');q.id='gsl-probe';q.textContent=p.textContent;document.body.appendChild(q);}}copy();}})();</script>
</body></html>"#
    )
}

#[test]
fn the_organization_view_works_on_desktop_and_phone_in_headless_chromium() {
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-html-org");
    std::fs::create_dir_all(&artifacts).unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let page = artifacts.join("gsl-report.html");
    let out = Command::cargo_bin("gsl")
        .unwrap()
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .args([
            "check",
            "tests/data/report/policies",
            "--snapshot",
            "tests/data/report/multi-account.json",
            "--format",
            "html",
            "--output",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(&page).unwrap();
    // The per-account table: pass rate, failures by severity, a link per account.
    for expected in [
        "3 accounts",
        "100% <span class=\"of\">(3/3)</span>",
        "50% <span class=\"of\">(1/2)</span>",
        "0% <span class=\"of\">(0/2)</span>",
        "href=\"#account-333333333333\"",
    ] {
        assert!(html.contains(expected), "no {expected:?}:\n{html}");
    }
    let profile = tempfile::tempdir().unwrap();
    for (label, width, height) in [("desktop", 1280, 1000), ("phone", 400, 900)] {
        let window = format!("--window-size={},{}", width.max(500) + 20, height + 20);
        std::fs::write(artifacts.join("probed.html"), probe(&html)).unwrap();
        let probed = artifacts.join(format!("probed-{label}.html"));
        std::fs::write(&probed, framed("probed.html", width, height)).unwrap();
        let files = "--allow-file-access-from-files".to_string();
        let dom = String::from_utf8(
            run_chromium(
                &probed,
                profile.path(),
                &["--dump-dom".into(), window.clone(), files.clone()],
            )
            .stdout,
        )
        .unwrap();
        let r = probe_results(&dom);
        assert_eq!(
            r["errors"],
            serde_json::json!([]),
            "{label}: console errors"
        );
        assert_eq!(
            r["width"], width,
            "{label}: the viewport is {width} px wide"
        );
        assert!(
            r["scrollWidth"].as_u64().unwrap() <= u64::from(width),
            "{label}: the page scrolls sideways: {r}"
        );
        // By default the failing policies; for account 333… the two that fail there,
        // with that account's objects only.
        let failing = serde_json::json!(["TEST.TRAIL.02", "TEST.TRAIL.01"]);
        assert_eq!(r["initial"], failing, "{r}");
        assert_eq!(r["account333"]["policies"], failing, "{r}");
        let only_333 = r["account333"]["entities"].as_array().unwrap();
        assert!(
            !only_333.is_empty() && only_333.iter().all(|a| a == "333333333333"),
            "{r}"
        );
        assert!(
            r["all"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == "222222222222"),
            "{r}"
        );
        assert_eq!(r["withPassed"].as_array().unwrap().len(), 3, "{r}");
        // An account's link shows that account's findings: one failing policy in 222….
        assert_eq!(r["link222"]["select"], "222222222222", "{r}");
        assert_eq!(
            r["link222"]["policies"],
            serde_json::json!(["TEST.TRAIL.02"]),
            "{r}"
        );

        let shown = artifacts.join(format!("shown-{label}.html"));
        std::fs::write(&shown, framed("gsl-report.html", width, height)).unwrap();
        let shot = artifacts.join(format!("gsl-report-{label}.png"));
        let _ = std::fs::remove_file(&shot);
        run_chromium(
            &shown,
            profile.path(),
            &[format!("--screenshot={}", shot.display()), window, files],
        );
        let bytes = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(
            bytes > 10_000,
            "screenshot {} is missing or blank",
            shot.display()
        );
        eprintln!("HTML organization report, {label}: {}", shot.display());
    }
}
