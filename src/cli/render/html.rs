//! `--format html`: one self-contained page (no network: inline CSS, SVG and JS).
//! The sample banner, counts by status and a chart of statuses by severity (inline
//! SVG, as wide as the page), for an organization a table of its accounts (pass rate,
//! failures by severity, a link to the account's findings), then every policy with its
//! objects, explanations and remediation. Buttons filter by status, a select by
//! minimum severity, one by account (for an organization), a box by text; without JS
//! every finding is shown. The page fits a 400 px wide screen without scrolling
//! sideways. Tested in headless Chromium (tests/it/report_html.rs).

use super::{entity_label, evidence_line, Report, SAMPLE_BANNER};
use gsl::lang::eval::Outcome;
use gsl::policy::Severity;
use gsl::report::{PolicyReport, RuleStatus, Summary};
use std::fmt::Write as _;

/// The HTML reporter.
pub struct Html;

/// A value of the snapshot that must stay on one line (an account number in an
/// attribute, a table cell): line breaks escaped as the text report shows them.
fn esc_line(s: &str) -> String {
    esc(&gsl::text::escape_line(s))
}

/// Text escaped for HTML content and attribute values; hidden characters (controls,
/// bidirectional overrides) written as visible escapes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => gsl::text::push_visible(&mut out, c),
        }
    }
    out
}

const STATUSES: [RuleStatus; 7] = [
    RuleStatus::Failed,
    RuleStatus::Unknown,
    RuleStatus::Error,
    RuleStatus::Waived,
    RuleStatus::Manual,
    RuleStatus::Passed,
    RuleStatus::NotApplicable,
];

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn color(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Failed => "#d1242f",
        RuleStatus::Unknown => "#bf8700",
        RuleStatus::Error => "#8250df",
        RuleStatus::Waived => "#57606a",
        RuleStatus::Passed => "#1a7f37",
        RuleStatus::NotApplicable => "#afb8c1",
        RuleStatus::Manual => "#0550ae",
    }
}

fn rank(s: Severity) -> u8 {
    s as u8
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1f2328;max-width:75rem;overflow-wrap:anywhere}
@media (max-width:40rem){body{margin:.75rem}.of{display:none}}h1{font-size:1.5rem}#chart{width:100%;max-width:40rem;height:auto}
.accounts{border-collapse:collapse;font-size:.85rem;margin:1rem 0;width:100%;max-width:48rem}.accounts th,.accounts td{border-bottom:1px solid #d0d7de;padding:.25rem .3rem;text-align:right;white-space:nowrap;overflow-wrap:normal}
.accounts th:first-child,.accounts td:first-child{text-align:left}.scroll{max-width:100%;overflow-x:auto}.banner{background:#fff8c5;border:1px solid #d4a72c;padding:.75rem 1rem;border-radius:6px;font-weight:600}
.cards{display:flex;gap:.75rem;flex-wrap:wrap;margin:1rem 0}.card{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;min-width:6rem}
.card b{display:block;font-size:1.6rem}.filters{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;margin:1rem 0}
.filters button{border:1px solid #d0d7de;background:#f6f8fa;border-radius:6px;padding:.25rem .75rem;cursor:pointer}
.filters button.on{background:#0969da;color:#fff}.policy{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}
.policy h2{font-size:1rem;margin:.25rem 0}.tag{display:inline-block;border-radius:4px;padding:0 .4rem;color:#fff;font-size:.8rem;margin-right:.4rem}
.entity{margin:.4rem 0 .4rem 1rem}.ev{color:#57606a;margin-left:1.5rem;font-family:ui-monospace,monospace;font-size:.85rem}
.remediation{background:#f6f8fa;padding:.4rem .6rem;border-radius:4px}.meta{color:#57606a;font-size:.85rem}";

const SCRIPT: &str = "(function(){
var shown={failed:1,unknown:1,error:1,waived:1,manual:1,passed:0,notApplicable:0};
var sev=document.getElementById('min-severity'),q=document.getElementById('search'),acct=document.getElementById('account');
function statusIn(p,a){if(!a)return p.dataset.status;var m=(' '+(p.dataset.accounts||'')+' ').match(' '+a+':([A-Za-z]+) ');return m?m[1]:'notApplicable';}
function apply(){var n=0,a=acct?acct.value:'';document.querySelectorAll('.policy').forEach(function(p){
var ok=shown[statusIn(p,a)]&&(+p.dataset.rank>=+sev.value)&&(!q.value||p.textContent.toLowerCase().indexOf(q.value.toLowerCase())>=0);
p.style.display=ok?'':'none';if(ok)n++;
p.querySelectorAll('.entity').forEach(function(e){e.style.display=!a||e.dataset.account===a?'':'none';});});
document.getElementById('shown').textContent=n+' of '+document.querySelectorAll('.policy').length+' policies shown';}
function fromHash(){var m=location.hash.match(/^#account-([0-9A-Za-z_-]+)$/);if(acct&&m){acct.value=m[1];apply();}}
document.querySelectorAll('.filters button').forEach(function(b){b.classList.toggle('on',!!shown[b.dataset.status]);
b.addEventListener('click',function(){shown[b.dataset.status]=shown[b.dataset.status]?0:1;b.classList.toggle('on');apply();});});
sev.addEventListener('change',apply);q.addEventListener('input',apply);if(acct)acct.addEventListener('change',apply);
window.addEventListener('hashchange',fromHash);apply();fromHash();})();";

/// A stacked bar per severity: how many policies of that severity have each status.
/// The trend over the last runs of the findings store (`--store`): the share of
/// policies passed and the open findings of each run, two lines in one inline SVG
/// (the page stays one file).
fn trend_chart(runs: &[gsl::report::store::RunRow]) -> String {
    let (width, height, top) = (560.0_f64, 140.0_f64, 20.0_f64);
    let step = if runs.len() > 1 {
        width / (runs.len() - 1) as f64
    } else {
        0.0
    };
    let most = runs
        .iter()
        .map(|r| r.open_findings)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let line = |value: &dyn Fn(&gsl::report::store::RunRow) -> f64| -> String {
        runs.iter()
            .enumerate()
            .map(|(i, r)| {
                format!(
                    "{:.1},{:.1}",
                    40.0 + i as f64 * step,
                    top + height * (1.0 - value(r))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let passed = line(&|r| {
        if r.policies == 0 {
            1.0
        } else {
            r.passed as f64 / r.policies as f64
        }
    });
    let open = line(&|r| r.open_findings as f64 / most);
    let (first, last) = match (runs.first(), runs.last()) {
        (Some(f), Some(l)) => (f.recorded_at.as_str(), l.recorded_at.as_str()),
        _ => ("", ""),
    };
    format!(
        "<h2>Trend: the last {} runs</h2><svg id=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 190\" width=\"640\" height=\"190\" role=\"img\" aria-label=\"policies passed and open findings over the last runs\">\
<polyline fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" points=\"{passed}\"/>\
<polyline fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\" points=\"{open}\"/>\
<text x=\"40\" y=\"185\" font-size=\"12\">{}</text><text x=\"600\" y=\"185\" font-size=\"12\" text-anchor=\"end\">{}</text>\
<text x=\"40\" y=\"12\" font-size=\"12\" fill=\"#2e7d32\">policies passed (0–100%)</text><text x=\"600\" y=\"12\" font-size=\"12\" fill=\"#c62828\" text-anchor=\"end\">open findings (0–{most})</text></svg>\n",
        runs.len(),
        esc(first),
        esc(last)
    )
}

fn chart(policies: &[PolicyReport]) -> String {
    let max = SEVERITIES
        .iter()
        .map(|s| policies.iter().filter(|p| p.meta.severity == *s).count())
        .max()
        .unwrap_or(0)
        .max(1);
    let (left, width, bar, gap): (f64, f64, f64, f64) = (80.0, 400.0, 22.0, 8.0);
    let height = SEVERITIES.len() as f64 * (bar + gap) + 30.0;
    // Drawn in its own units and scaled to the page (the stylesheet makes it as wide
    // as the page, at most 40rem), so it never makes a narrow screen scroll sideways.
    let view = (left + width + 60.0).max(left + 80.0 * STATUSES.len() as f64 + 20.0);
    let mut svg = format!(
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {view} {height}\" width=\"{view}\" height=\"{height}\" role=\"img\" aria-label=\"policies by severity and status\">"
    );
    for (i, sev) in SEVERITIES.iter().enumerate() {
        let y = i as f64 * (bar + gap);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"13\">{}</text>",
            y + bar * 0.7,
            sev.as_str()
        );
        let mut x = left;
        let mut total = 0;
        for st in STATUSES {
            let n = policies
                .iter()
                .filter(|p| p.meta.severity == *sev && p.status == st)
                .count();
            if n == 0 {
                continue;
            }
            total += n;
            let w = width * n as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bar}\" fill=\"{}\"><title>{}: {n} {}</title></rect>",
                color(st),
                sev.as_str(),
                st.as_str()
            );
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"13\">{total}</text>",
            x + 6.0,
            y + bar * 0.7
        );
    }
    let mut lx = left;
    let ly = SEVERITIES.len() as f64 * (bar + gap) + 14.0;
    for st in STATUSES {
        let _ = write!(
            svg,
            "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{ly}\" font-size=\"11\">{}</text>",
            ly - 9.0,
            color(st),
            lx + 13.0,
            st.as_str()
        );
        lx += 80.0;
    }
    svg.push_str("</svg>");
    svg
}

fn policy_section(out: &mut String, p: &PolicyReport, by_account: &str, report: &Report<'_>) {
    let m = &p.meta;
    let accounts = if by_account.is_empty() {
        String::new()
    } else {
        format!(" data-accounts=\"{}\"", esc(by_account))
    };
    let _ = write!(
        out,
        "<section class=\"policy\" data-status=\"{}\" data-rank=\"{}\"{accounts}><h2><span class=\"tag\" style=\"background:{}\">{}</span>{} <code>{}</code></h2><div class=\"meta\">severity {} · pack {} · {}</div>",
        p.status.as_str(),
        rank(m.severity),
        color(p.status),
        p.status.label(),
        esc(&m.title),
        esc(&m.id),
        m.severity.as_str(),
        esc(super::pack(p)),
        esc(&m.frameworks.join(", "))
    );
    if let Some(err) = &p.error {
        let _ = write!(out, "<p>The policy could not run: {}</p>", esc(err));
    }
    if let Some(why) = &m.manual {
        let _ = write!(
            out,
            "<p class=\"remediation\"><b>Manual check:</b> {}</p>",
            esc(why)
        );
    }
    for note in super::notes(p) {
        let _ = write!(out, "<p class=\"meta\">{}</p>", esc(&note));
    }
    for e in &p.entities {
        if matches!(e.outcome, Outcome::NotRelevant) {
            continue;
        }
        let waived = p
            .waiver_of(&e.id)
            .map(|w| format!(" · waived until {}: {}", esc(&w.expires), esc(&w.reason)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<div class=\"entity\" data-account=\"{}\"><b>{}</b> {}{waived}",
            esc_line(&e.account),
            e.outcome.as_str(),
            esc(&entity_label(e))
        );
        if e.outcome != Outcome::Passed && !e.explanation.summary.is_empty() {
            let _ = write!(out, "<div>{}</div>", esc(&e.explanation.summary));
            for ev in &e.explanation.evidence {
                if ev.note.as_deref() == Some(e.explanation.summary.as_str()) {
                    continue;
                }
                let _ = write!(out, "<div class=\"ev\">↳ {}</div>", esc(&evidence_line(ev)));
            }
        }
        if let Some(fix) = report.fix_line(&p.meta.id, &e.id) {
            let _ = write!(
                out,
                "<div class=\"ev\"><b>Fix:</b> <code>{}</code></div>",
                esc_line(&fix)
            );
        }
        out.push_str("</div>");
    }
    if matches!(
        p.status,
        RuleStatus::Failed | RuleStatus::Unknown | RuleStatus::Waived
    ) && !m.remediation.is_empty()
    {
        let _ = write!(
            out,
            "<p class=\"remediation\"><b>Remediation:</b> {}</p>",
            esc(&m.remediation)
        );
    }
    out.push_str("</section>\n");
}

/// The accounts of an organization: per account, each policy's status there.
struct Organization<'a> {
    accounts: &'a [String],
    /// `statuses[a][p]`: policy `p`'s status over account `a`'s objects.
    statuses: Vec<Vec<RuleStatus>>,
}

impl<'a> Organization<'a> {
    /// `None` for a single account (the page's counts already say it all).
    fn of(accounts: &'a [String], policies: &[PolicyReport]) -> Option<Organization<'a>> {
        (accounts.len() > 1).then(|| Organization {
            accounts,
            statuses: accounts
                .iter()
                .map(|a| policies.iter().map(|p| p.status_in(a)).collect())
                .collect(),
        })
    }

    /// `account:status` for each account, space-separated, for the account filter.
    fn of_policy(&self, p: usize) -> String {
        self.accounts
            .iter()
            .zip(&self.statuses)
            .map(|(a, st)| format!("{}:{}", gsl::text::escape_line(a), st[p].as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The table of accounts: pass rate, failures by severity, a link to the account's
    /// findings (the page filtered to it).
    fn table(&self, out: &mut String, policies: &[PolicyReport]) {
        let _ = write!(
            out,
            "<h2 id=\"accounts\">{} accounts</h2><div class=\"scroll\"><table class=\"accounts\"><thead><tr><th>account</th><th>passed</th>",
            self.accounts.len()
        );
        for sev in SEVERITIES {
            let short = match sev {
                Severity::Critical => "crit",
                Severity::Medium => "med",
                other => other.as_str(),
            };
            let _ = write!(
                out,
                "<th title=\"failed {} policies\">{short}</th>",
                sev.as_str()
            );
        }
        out.push_str("<th></th></tr></thead><tbody>\n");
        for (a, st) in self.accounts.iter().zip(&self.statuses) {
            let s = Summary::count(st.iter().copied());
            let decided = s.passed + s.failed + s.unknown + s.errors;
            let rate = match (s.passed * 100).checked_div(decided) {
                None => "–".to_string(),
                Some(percent) => format!(
                    "{percent}% <span class=\"of\">({}/{decided})</span>",
                    s.passed
                ),
            };
            let _ = write!(
                out,
                "<tr data-account=\"{0}\"><td>{0}</td><td>{rate}</td>",
                esc_line(a)
            );
            for sev in SEVERITIES {
                let n = policies
                    .iter()
                    .zip(st)
                    .filter(|(p, st)| p.meta.severity == sev && **st == RuleStatus::Failed)
                    .count();
                let _ = write!(
                    out,
                    "<td>{}</td>",
                    if n == 0 {
                        "·".to_string()
                    } else {
                        n.to_string()
                    }
                );
            }
            let _ = writeln!(
                out,
                "<td><a href=\"#account-{0}\">findings</a></td></tr>",
                esc_line(a)
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
}

/// Against a baseline: the counts, then the new and the fixed findings, before the rest.
fn baseline_section(out: &mut String, c: &gsl::report::baseline::Comparison) {
    let _ = writeln!(
        out,
        "<section id=\"baseline\"><h2>Since baseline {}</h2><p class=\"meta\">{}</p>",
        esc_line(&c.baseline),
        esc(&super::baseline::counts_line(&c.counts))
    );
    for (what, list) in [("new", &c.new), ("fixed", &c.fixed)] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3>{what} ({})</h3><table id=\"baseline-{what}\"><thead><tr><th>severity</th><th>policy</th><th>object</th><th>account</th><th>region</th><th>outcome</th></tr></thead><tbody>",
            list.len()
        );
        for f in list.iter() {
            let _ =
                write!(
                out,
                "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                f.severity.as_str(),
                esc_line(&f.policy),
                esc(&f.title),
                esc_line(f.name.as_deref().unwrap_or(&f.entity)),
                esc_line(&f.account),
                if f.region.is_empty() { "global".to_string() } else { esc_line(&f.region) },
                f.outcome,
                if f.waived { " (waived)" } else { "" }
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</section>\n");
}

impl super::Reporter for Html {
    fn render(&self, report: &Report<'_>) -> String {
        let run = report.run;
        let info = &run.snapshot;
        let s = &run.summary;
        let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">");
        let _ = writeln!(
            out,
            "<title>gsl check: {}</title><style>{STYLE}</style></head><body>",
            esc(&info.name)
        );
        let _ = writeln!(
            out,
            "<h1>gsl check: {} policies over {}</h1>",
            s.rules,
            esc(&info.name)
        );
        if info.sample {
            let _ = writeln!(
                out,
                "<p class=\"banner\" id=\"sample-banner\">{}</p>",
                esc(SAMPLE_BANNER)
            );
        }
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} · collected: {}</p>",
            esc(&super::accounts_line(&info.accounts)),
            esc(info.collected_at.as_deref().unwrap_or("unknown"))
        );
        for e in &info.collection_errors {
            let _ = writeln!(out, "<p class=\"meta\">collection error: {}</p>", esc(e));
        }
        out.push_str("<div class=\"cards\">");
        for st in STATUSES {
            let n = run.policies.iter().filter(|p| p.status == st).count();
            let _ = write!(out, "<div class=\"card\" id=\"count-{}\" style=\"border-top:4px solid {}\"><b>{n}</b>{}</div>", st.as_str(), color(st), st.as_str());
        }
        out.push_str("</div>\n");
        if let Some(c) = report.baseline {
            baseline_section(&mut out, c);
        }
        out.push_str(&chart(&run.policies));
        if !report.history.is_empty() {
            out.push_str(&trend_chart(report.history));
        }
        let org = Organization::of(&info.accounts, &run.policies);
        if let Some(org) = &org {
            org.table(&mut out, &run.policies);
        }
        out.push_str("\n<div class=\"filters\">");
        for st in STATUSES {
            let _ = write!(
                out,
                "<button type=\"button\" data-status=\"{}\">{}</button>",
                st.as_str(),
                st.as_str()
            );
        }
        out.push_str("<label>minimum severity <select id=\"min-severity\">");
        for sev in SEVERITIES.iter().rev() {
            let _ = write!(
                out,
                "<option value=\"{}\">{}</option>",
                rank(*sev),
                sev.as_str()
            );
        }
        out.push_str("</select></label>");
        if let Some(org) = &org {
            out.push_str("<label>account <select id=\"account\"><option value=\"\">all</option>");
            for a in org.accounts {
                let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc_line(a));
            }
            out.push_str("</select></label>");
        }
        out.push_str("<input id=\"search\" type=\"search\" placeholder=\"filter by text\"><span id=\"shown\" class=\"meta\"></span></div>\n");
        let mut ordered: Vec<(usize, &PolicyReport)> = run.policies.iter().enumerate().collect();
        ordered.sort_by_key(|(_, p)| {
            (
                STATUSES.iter().position(|s| *s == p.status),
                std::cmp::Reverse(p.meta.severity),
            )
        });
        for (i, p) in ordered {
            let by_account = org.as_ref().map(|o| o.of_policy(i)).unwrap_or_default();
            policy_section(&mut out, p, &by_account, report);
        }
        let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
        out
    }
}
