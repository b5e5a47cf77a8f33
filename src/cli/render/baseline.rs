//! A comparison with a baseline ([`gsl::report::baseline::Comparison`]) in text,
//! Markdown and JSON: the section that `gsl check --baseline` puts first in its text,
//! Markdown and HTML reports (new and fixed findings), and `gsl diff`'s output (with
//! the counts per policy and per account).

use gsl::report::baseline::{Comparison, Counts, Finding, GroupCounts};
use std::fmt::Write as _;

/// `3 new, 1 fixed, 12 unchanged, 2 out of scope`.
pub fn counts_line(c: &Counts) -> String {
    format!(
        "{} new, {} fixed, {} unchanged, {} out of scope",
        c.new, c.fixed, c.unchanged, c.out_of_scope
    )
}

fn line(f: &Finding) -> String {
    let region = if f.region.is_empty() {
        "global"
    } else {
        &f.region
    };
    let waived = if f.waived { " (waived)" } else { "" };
    gsl::text::escape_hidden(&format!(
        "{:<8} {}  {}  {}/{}  {}{waived}",
        f.severity.as_str(),
        f.policy,
        f.name.as_deref().unwrap_or(&f.entity),
        f.account,
        region,
        f.outcome
    ))
    .into_owned()
}

/// The text section: the counts, then the new and the fixed findings, one a line.
pub fn text(c: &Comparison) -> String {
    let mut out = format!(
        "since baseline {}: {}\n",
        gsl::text::escape_line(&c.baseline),
        counts_line(&c.counts)
    );
    for (what, list) in [("new", &c.new), ("fixed", &c.fixed)] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{what}:");
        for f in list {
            let _ = writeln!(out, "  {}", line(f));
        }
    }
    out
}

fn groups_text(out: &mut String, title: &str, groups: &[GroupCounts]) {
    let changed: Vec<&GroupCounts> = groups
        .iter()
        .filter(|g| g.counts.new + g.counts.fixed > 0)
        .collect();
    if changed.is_empty() {
        return;
    }
    let width = changed.iter().map(|g| g.key.len()).max().unwrap_or(0);
    let _ = writeln!(out, "per {title}:");
    for g in changed {
        let _ = writeln!(
            out,
            "  {}  {}",
            gsl::text::pad(&gsl::text::escape_hidden(&g.key), width),
            counts_line(&g.counts)
        );
    }
}

/// `gsl diff` in text: the section, then the counts per policy and per account that
/// changed.
pub fn diff_text(c: &Comparison) -> String {
    let mut out = format!(
        "gsl diff: {} → {}\n",
        gsl::text::escape_line(&c.baseline),
        gsl::text::escape_line(&c.current)
    );
    out.push_str(&text(c));
    groups_text(&mut out, "policy", &c.by_policy);
    groups_text(&mut out, "account", &c.by_account);
    out
}

/// Table-cell text: one line, `|` and hidden characters escaped.
fn cell(s: &str) -> String {
    gsl::text::escape_hidden(&s.replace('\r', "").replace('\n', " ")).replace('|', "\\|")
}

fn findings_table(out: &mut String, title: &str, list: &[Finding]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n**{title}** ({})\n\n| Severity | Policy | Object | Account | Region | Outcome |\n| --- | --- | --- | --- | --- | --- |",
        list.len()
    );
    for f in list {
        let _ = writeln!(
            out,
            "| {} | `{}` {} | `{}` | {} | {} | {}{} |",
            f.severity.as_str(),
            cell(&f.policy),
            cell(&f.title),
            cell(f.name.as_deref().unwrap_or(&f.entity)),
            cell(&f.account),
            if f.region.is_empty() {
                "global".to_string()
            } else {
                cell(&f.region)
            },
            f.outcome,
            if f.waived { " (waived)" } else { "" }
        );
    }
}

/// The Markdown section: the counts, and tables of the new and fixed findings.
pub fn markdown(c: &Comparison) -> String {
    let mut out = format!(
        "### Since baseline `{}`\n\n**{} new**, {} fixed, {} unchanged, {} out of scope\n",
        cell(&c.baseline),
        c.counts.new,
        c.counts.fixed,
        c.counts.unchanged,
        c.counts.out_of_scope
    );
    findings_table(&mut out, "New findings", &c.new);
    findings_table(&mut out, "Fixed findings", &c.fixed);
    out.push('\n');
    out
}

fn groups_markdown(out: &mut String, title: &str, groups: &[GroupCounts]) {
    if groups.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Per {title}</summary>\n\n| {title} | New | Fixed | Unchanged | Out of scope |\n| --- | --- | --- | --- | --- |"
    );
    for g in groups {
        let c = &g.counts;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(&g.key),
            c.new,
            c.fixed,
            c.unchanged,
            c.out_of_scope
        );
    }
    out.push_str("\n</details>\n");
}

/// `gsl diff` in Markdown, for a pull-request comment.
pub fn diff_markdown(c: &Comparison) -> String {
    let mut out = format!(
        "## gsl diff\n\n`{}` → `{}`\n\n",
        cell(&c.baseline),
        cell(&c.current)
    );
    out.push_str(&markdown(c));
    groups_markdown(&mut out, "policy", &c.by_policy);
    groups_markdown(&mut out, "account", &c.by_account);
    out
}

/// `gsl diff` in JSON: the comparison as the library serializes it.
pub fn diff_json(c: &Comparison) -> String {
    super::pretty_json(&serde_json::to_value(c).unwrap_or_default())
}
