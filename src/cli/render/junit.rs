//! `--format junit`: JUnit XML (written with quick-xml) for CI test tabs. A
//! `<testsuite>` per pack, a `<testcase>` per policy × object (`classname` = the
//! policy id, `name` = the object); a failed object is a `<failure>` carrying the
//! explanation, an unknown or erroring one an `<error>`, a not-relevant or waived one
//! `<skipped>`. A policy with no objects is one testcase (skipped when not applicable,
//! an error when it could not run). The sample banner is a `<property>` and the
//! `<system-out>` of every suite.

use super::{entity_label, explanation_text, Report, SAMPLE_BANNER};
use gsl::lang::eval::Outcome;
use gsl::report::{PolicyReport, RuleStatus};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// The JUnit reporter.
pub struct Junit;

/// One testcase's verdict.
enum Verdict {
    Pass,
    Failure(String, String),
    Error(String, String),
    Skipped(String),
}

struct Case {
    classname: String,
    name: String,
    verdict: Verdict,
}

fn cases(p: &PolicyReport) -> Vec<Case> {
    let case = |name: String, verdict| Case {
        classname: p.meta.id.clone(),
        name,
        verdict,
    };
    if let Some(err) = &p.error {
        return vec![case(
            p.meta.title.clone(),
            Verdict::Error("the policy could not run".into(), err.clone()),
        )];
    }
    if let Some(why) = &p.meta.manual {
        return vec![case(
            p.meta.title.clone(),
            Verdict::Skipped(format!("manual check: {why}")),
        )];
    }
    if p.entities.is_empty() {
        let why = p
            .diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_else(|| "no relevant objects".into());
        return vec![case(p.meta.title.clone(), Verdict::Skipped(why))];
    }
    p.entities
        .iter()
        .map(|e| {
            let text = explanation_text(e);
            let verdict = match (p.waiver_of(&e.id), e.outcome) {
                (Some(w), _) => {
                    Verdict::Skipped(format!("waived until {}: {}", w.expires, w.reason))
                }
                (None, Outcome::Passed) => Verdict::Pass,
                (None, Outcome::NotRelevant) => Verdict::Skipped("not relevant".into()),
                (None, Outcome::Failed) => Verdict::Failure(e.explanation.summary.clone(), text),
                (None, Outcome::Unknown | Outcome::Error) => Verdict::Error(
                    format!("{}: {}", e.outcome.as_str(), e.explanation.summary),
                    text,
                ),
            };
            case(entity_label(e), verdict)
        })
        .collect()
}

type Xml = Writer<Vec<u8>>;

/// An element with its attributes. Every value written goes through
/// [`gsl::text::escape_hidden`]: XML 1.0 has no way to carry most control characters,
/// even as references, and one in a snapshot's name would make the whole report
/// unreadable to CI.
fn element<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut el = BytesStart::new(name);
    for (k, v) in attrs {
        el.push_attribute((*k, gsl::text::escape_hidden(v).as_ref()));
    }
    el
}

fn start(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
    w.write_event(Event::Start(element(name, attrs)))
}

fn empty(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
    w.write_event(Event::Empty(element(name, attrs)))
}

fn end(w: &mut Xml, name: &str) -> std::io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

fn text_el(w: &mut Xml, name: &str, attrs: &[(&str, &str)], text: &str) -> std::io::Result<()> {
    start(w, name, attrs)?;
    w.write_event(Event::Text(BytesText::new(&gsl::text::escape_hidden(text))))?;
    end(w, name)
}

fn write(report: &Report<'_>) -> std::io::Result<Vec<u8>> {
    let run = report.run;
    // Packs in order of first appearance.
    let mut packs: Vec<&str> = Vec::new();
    for p in &run.policies {
        let name = super::pack(p);
        if !packs.contains(&name) {
            packs.push(name);
        }
    }
    let all: Vec<(&PolicyReport, Vec<Case>)> = run.policies.iter().map(|p| (p, cases(p))).collect();
    let count = |cs: &mut dyn Iterator<Item = &Case>| {
        let (mut n, mut f, mut e, mut s) = (0, 0, 0, 0);
        for c in cs {
            n += 1;
            match c.verdict {
                Verdict::Pass => {}
                Verdict::Failure(..) => f += 1,
                Verdict::Error(..) => e += 1,
                Verdict::Skipped(_) => s += 1,
            }
        }
        [n, f, e, s].map(|x: usize| x.to_string())
    };
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let [n, f, e, _] = count(&mut all.iter().flat_map(|(_, c)| c.iter()));
    start(
        &mut w,
        "testsuites",
        &[
            ("name", "gsl check"),
            ("tests", &n),
            ("failures", &f),
            ("errors", &e),
        ],
    )?;
    let info = &run.snapshot;
    for pack in packs {
        let members: Vec<&(&PolicyReport, Vec<Case>)> =
            all.iter().filter(|(p, _)| super::pack(p) == pack).collect();
        let [n, f, e, s] = count(&mut members.iter().flat_map(|(_, c)| c.iter()));
        start(
            &mut w,
            "testsuite",
            &[
                ("name", pack),
                ("tests", &n),
                ("failures", &f),
                ("errors", &e),
                ("skipped", &s),
            ],
        )?;
        start(&mut w, "properties", &[])?;
        empty(
            &mut w,
            "property",
            &[("name", "snapshot"), ("value", &info.name)],
        )?;
        empty(
            &mut w,
            "property",
            &[
                ("name", "sample"),
                ("value", if info.sample { "true" } else { "false" }),
            ],
        )?;
        end(&mut w, "properties")?;
        for (p, cs) in &members {
            for c in cs {
                let mut attrs = vec![
                    ("classname", c.classname.as_str()),
                    ("name", c.name.as_str()),
                ];
                attrs.push(("file", p.origin.as_str()));
                match &c.verdict {
                    Verdict::Pass => empty(&mut w, "testcase", &attrs)?,
                    Verdict::Failure(msg, body) | Verdict::Error(msg, body) => {
                        let tag = if matches!(c.verdict, Verdict::Failure(..)) {
                            "failure"
                        } else {
                            "error"
                        };
                        start(&mut w, "testcase", &attrs)?;
                        let mut body = body.clone();
                        if p.status == RuleStatus::Failed && !p.meta.remediation.is_empty() {
                            body.push_str(&format!("\nremediation: {}", p.meta.remediation));
                        }
                        text_el(
                            &mut w,
                            tag,
                            &[("message", msg), ("type", p.meta.severity.as_str())],
                            &body,
                        )?;
                        end(&mut w, "testcase")?;
                    }
                    Verdict::Skipped(why) => {
                        start(&mut w, "testcase", &attrs)?;
                        empty(&mut w, "skipped", &[("message", why)])?;
                        end(&mut w, "testcase")?;
                    }
                }
            }
        }
        if info.sample {
            text_el(&mut w, "system-out", &[], SAMPLE_BANNER)?;
        }
        let notes: Vec<String> = members
            .iter()
            .flat_map(|(p, _)| {
                super::notes(p)
                    .into_iter()
                    .map(|n| format!("{}: {n}", p.meta.id))
            })
            .collect();
        if !notes.is_empty() {
            text_el(&mut w, "system-err", &[], &notes.join("\n"))?;
        }
        end(&mut w, "testsuite")?;
    }
    end(&mut w, "testsuites")?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

impl super::Reporter for Junit {
    fn render(&self, report: &Report<'_>) -> String {
        match write(report) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            // Writing to memory cannot fail; keep the output valid XML if it ever does.
            Err(e) => format!("<?xml version=\"1.0\"?>\n<testsuites name=\"gsl check\"><!-- cannot write the report: {e} --></testsuites>\n"),
        }
    }
}
