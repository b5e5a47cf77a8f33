//! The builtin function registry. Adding a builtin is one entry in [`BUILTINS`]: its
//! name, parameters (with the literal kind each accepts), result kind, a doc line and
//! the function.

use super::render;
use super::value::Val;
use crate::lang::ast::{Literal, LiteralKind};
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde_json::Value as Json;
use std::collections::HashMap;

/// The kind of literal a parameter accepts (checked before evaluation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A number literal.
    Number,
    /// A string literal.
    String,
    /// A time unit string: `minutes`, `hours`, `days`, `weeks`, `months`, `years`
    /// (singular forms too).
    TimeUnit,
    /// A string holding a CloudWatch Logs filter pattern (validated by the pattern engine).
    FilterPattern,
}

impl ArgKind {
    /// How the kind is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ArgKind::Number => "a number",
            ArgKind::String => "a string",
            ArgKind::TimeUnit => {
                "a time unit string ('minutes', 'hours', 'days', 'weeks', 'months', 'years')"
            }
            ArgKind::FilterPattern => "a filter pattern string",
        }
    }
}

/// What a builtin yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    /// A number (compare it: `length() > 0`).
    Number,
    /// A boolean (use it as a condition).
    Bool,
}

/// One parameter of a builtin.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name in docs (`n`, `unit`, `pattern`).
    pub name: &'static str,
    /// The literal kind it accepts.
    pub kind: ArgKind,
}

/// What a builtin computed, plus an optional note for the evidence.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The result.
    pub value: Computed,
    /// Extra words for the explanation (e.g. an invalid pattern in the data).
    pub note: Option<String>,
    /// For a false result: how close the value came (0.0 to 1.0), used to show the
    /// nearest misses first in explanations. Never affects the verdict.
    pub closeness: Option<f64>,
}

/// A computed value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Computed {
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
}

/// What a builtin receives besides the value it is applied to.
#[derive(Debug)]
pub struct CallCx<'r> {
    /// The literal arguments.
    pub args: &'r [Literal],
    /// "Now", for time functions.
    pub now: DateTime<Utc>,
    /// Results of expensive pure computations, shared by one evaluation run.
    pub memo: &'r Memo,
}

/// A cache of pure, expensive builtin results (filter-pattern comparisons), keyed by
/// (builtin, rule argument, data value). Real snapshots repeat the same patterns across
/// trails and regions, so each distinct pair is compared once per run.
#[derive(Debug, Default)]
pub struct Memo {
    map: std::cell::RefCell<HashMap<MemoKey, Result<Verdict, String>>>,
}

/// A memoised boolean result with its explanation and closeness.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The result.
    pub value: bool,
    /// Why, when false (e.g. a counterexample event).
    pub note: Option<String>,
    /// How close a false result came (0.0 to 1.0).
    pub closeness: f64,
}

impl From<bool> for Verdict {
    fn from(value: bool) -> Self {
        Verdict {
            value,
            note: None,
            closeness: if value { 1.0 } else { 0.0 },
        }
    }
}

/// (builtin, rule argument, data value).
type MemoKey = (&'static str, String, String);

impl Memo {
    /// A cached result, or compute and remember it.
    pub fn get_or(
        &self,
        key: (&'static str, &str, &str),
        f: impl FnOnce() -> Result<Verdict, String>,
    ) -> Result<Verdict, String> {
        let k = (key.0, key.1.to_string(), key.2.to_string());
        if let Some(r) = self.map.borrow().get(&k) {
            return r.clone();
        }
        let r = f();
        self.map.borrow_mut().insert(k, r.clone());
        r
    }
}

/// The function of a builtin. An `Err` is a runtime error (outcome `error`).
pub type BuiltinFn = fn(&CallCx<'_>, &Val<'_>) -> Result<Applied, String>;

/// A builtin function.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name as written in rules (case-sensitive).
    pub name: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// Result kind.
    pub returns: ResultKind,
    /// One-line description.
    pub doc: &'static str,
    /// A usage example.
    pub example: &'static str,
    /// The function.
    pub func: BuiltinFn,
}

impl Builtin {
    /// `name(p1, p2)` for help and completion.
    pub fn signature(&self) -> String {
        format!(
            "{}({})",
            self.name,
            self.params
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Every builtin, by name.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "length",
        params: &[],
        returns: ResultKind::Number,
        doc: "number of elements of a list (after `with` filtering), characters of a string, properties of an object; 0 when missing",
        example: "metricFilters with [filterPattern like '%Root%'] length() > 0",
        func: length,
    },
    Builtin {
        name: "isEmpty",
        params: &[],
        returns: ResultKind::Bool,
        doc: "true for a missing value, null, '', [] and {}",
        example: "subscriptions isEmpty()",
        func: is_empty,
    },
    Builtin {
        name: "before",
        params: &[
            Param { name: "n", kind: ArgKind::Number },
            Param { name: "unit", kind: ArgKind::TimeUnit },
        ],
        returns: ResultKind::Bool,
        doc: "the date (RFC 3339, or epoch seconds/milliseconds) is earlier than now + n units",
        example: "certificate.expiration before(30, 'days')",
        func: before,
    },
    Builtin {
        name: "after",
        params: &[
            Param { name: "n", kind: ArgKind::Number },
            Param { name: "unit", kind: ArgKind::TimeUnit },
        ],
        returns: ResultKind::Bool,
        doc: "the date (RFC 3339, or epoch seconds/milliseconds) is later than now + n units",
        example: "status.latestCloudWatchLogsDeliveryTime after(-1, 'days')",
        func: after,
    },
    Builtin {
        name: "isFilterPatternEqual",
        params: &[Param { name: "pattern", kind: ArgKind::FilterPattern }],
        returns: ResultKind::Bool,
        doc: "the property is a CloudWatch Logs filter pattern with the same meaning as the argument",
        example: "filterPattern isFilterPatternEqual('{ $.eventName = ConsoleLogin }')",
        func: filter_pattern_equal,
    },
    Builtin {
        name: "filterPatternCovers",
        params: &[Param { name: "pattern", kind: ArgKind::FilterPattern }],
        returns: ResultKind::Bool,
        doc: "the property's filter pattern matches every event the argument pattern matches",
        example: "filterPattern filterPatternCovers('{ $.eventName = ConsoleLogin }')",
        func: filter_pattern_covers,
    },
];

/// Look a builtin up by its exact name.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The builtin whose name is closest to `name`, for "did you mean".
pub fn suggest(name: &str) -> Option<&'static str> {
    crate::text::closest(name, BUILTINS.iter().map(|b| b.name))
}

/// Names and doc lines of every builtin (for REPL completion and `:help`).
pub fn list() -> Vec<(&'static str, String, &'static str)> {
    BUILTINS
        .iter()
        .map(|b| (b.name, b.signature(), b.doc))
        .collect()
}

fn bool_res(b: bool) -> Applied {
    Applied {
        value: Computed::Bool(b),
        note: None,
        closeness: None,
    }
}

fn length(_cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    let n = match v {
        Val::Missing { .. } => 0,
        Val::List { items, .. } => items.len(),
        Val::Json(it) => match it.v {
            Json::Null => 0,
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            Json::String(s) => s.chars().count(),
            Json::Bool(_) | Json::Number(_) => {
                return Err(format!(
                    "length() of {} at {}: it applies to lists, strings and objects",
                    super::value::display_json(it.v),
                    it.path
                ))
            }
        },
        Val::Num(_) | Val::Bool(_) => {
            return Err("length() of a computed number or boolean".into());
        }
    };
    Ok(Applied {
        value: Computed::Num(n as f64),
        note: None,
        closeness: None,
    })
}

fn is_empty(_cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    let empty = match v {
        Val::Missing { .. } => true,
        Val::List { items, .. } => items.is_empty(),
        Val::Json(it) => match it.v {
            Json::Null => true,
            Json::Array(a) => a.is_empty(),
            Json::Object(o) => o.is_empty(),
            Json::String(s) => s.is_empty(),
            Json::Bool(_) | Json::Number(_) => false,
        },
        Val::Num(_) | Val::Bool(_) => false,
    };
    Ok(bool_res(empty))
}

/// A time unit, parsed from its name (plural or singular, any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
    /// Weeks.
    Weeks,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

/// Every unit name accepted.
pub const TIME_UNITS: &[&str] = &[
    "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months", "month",
    "years", "year",
];

impl TimeUnit {
    /// Parse a unit name.
    pub fn parse(s: &str) -> Option<TimeUnit> {
        let l = s.trim().to_ascii_lowercase();
        Some(match l.strip_suffix('s').unwrap_or(&l) {
            "minute" => TimeUnit::Minutes,
            "hour" => TimeUnit::Hours,
            "day" => TimeUnit::Days,
            "week" => TimeUnit::Weeks,
            "month" => TimeUnit::Months,
            "year" => TimeUnit::Years,
            _ => return None,
        })
    }

    /// Calendar units need a whole number.
    pub fn is_calendar(self) -> bool {
        matches!(self, TimeUnit::Months | TimeUnit::Years)
    }
}

/// now + n units. Errors on overflow or a fractional count of months/years.
pub fn bound(now: DateTime<Utc>, n: f64, unit: TimeUnit) -> Result<DateTime<Utc>, String> {
    if !n.is_finite() {
        return Err("the count must be a finite number".into());
    }
    let secs_per = match unit {
        TimeUnit::Minutes => 60.0,
        TimeUnit::Hours => 3600.0,
        TimeUnit::Days => 86_400.0,
        TimeUnit::Weeks => 604_800.0,
        TimeUnit::Months | TimeUnit::Years => {
            if n.fract() != 0.0 {
                return Err(format!("months and years need a whole number, got {n}"));
            }
            let months = if unit == TimeUnit::Years { n * 12.0 } else { n };
            if months.abs() > 1.0e6 {
                return Err("date out of range".into());
            }
            let m = Months::new(months.abs() as u32);
            let r = if months >= 0.0 {
                now.checked_add_months(m)
            } else {
                now.checked_sub_months(m)
            };
            return r.ok_or_else(|| "date out of range".to_string());
        }
    };
    let ms = n * secs_per * 1000.0;
    if ms.abs() > 1.0e16 {
        return Err("date out of range".into());
    }
    TimeDelta::try_milliseconds(ms as i64)
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| "date out of range".to_string())
}

/// Read a date: RFC 3339 (`2026-11-20T10:00:00Z`), an ISO date-time without offset
/// (UTC), an ISO date (midnight UTC), or epoch seconds / milliseconds (numbers or numeric
/// strings; values above 10^11 are milliseconds).
pub fn parse_date(v: &Json) -> Option<DateTime<Utc>> {
    match v {
        Json::String(s) => {
            let s = s.trim();
            if let Ok(d) = DateTime::parse_from_rfc3339(s) {
                return Some(d.with_timezone(&Utc));
            }
            for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
                    return Some(d.and_utc());
                }
            }
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
            }
            super::value::numeric(s).and_then(epoch)
        }
        Json::Number(n) => n.as_f64().and_then(epoch),
        _ => None,
    }
}

fn epoch(n: f64) -> Option<DateTime<Utc>> {
    if !n.is_finite() || n.abs() > 1.0e16 {
        return None;
    }
    let ms = if n.abs() >= 1.0e11 { n } else { n * 1000.0 };
    DateTime::from_timestamp_millis(ms as i64)
}

fn arg_number(cx: &CallCx<'_>, i: usize) -> Result<f64, String> {
    match cx.args.get(i).map(|l| &l.kind) {
        Some(LiteralKind::Number(n)) => Ok(*n),
        _ => Err(format!("argument {} must be a number", i + 1)),
    }
}

fn arg_string<'c>(cx: &'c CallCx<'_>, i: usize) -> Result<&'c str, String> {
    match cx.args.get(i).map(|l| &l.kind) {
        Some(LiteralKind::String(s)) => Ok(s),
        _ => Err(format!("argument {} must be a string", i + 1)),
    }
}

/// Apply a test to each value (any may satisfy it); values it cannot read are noted.
fn any_value(
    v: &Val<'_>,
    mut f: impl FnMut(&Json) -> Result<bool, String>,
) -> Result<Applied, String> {
    let mut r = any_verdict(v, |j| f(j).map(Verdict::from))?;
    r.closeness = None; // plain predicates do not rank near misses
    Ok(r)
}

/// Apply `f` to the value, or to each element of a list: true if any element is.
/// On false, the note and closeness of the closest element are kept.
fn any_verdict(
    v: &Val<'_>,
    mut f: impl FnMut(&Json) -> Result<Verdict, String>,
) -> Result<Applied, String> {
    let values: Vec<&Json> = match v {
        Val::Missing { .. } => Vec::new(),
        Val::Json(it) => match it.v {
            Json::Array(a) => a.iter().collect(),
            Json::Null => Vec::new(),
            other => vec![other],
        },
        Val::List { items, .. } => items.iter().map(|it| it.v).collect(),
        Val::Num(_) | Val::Bool(_) => return Err("applied to a computed value".into()),
    };
    let mut errors = Vec::new();
    let mut best: Option<Verdict> = None;
    for j in values {
        match f(j) {
            Ok(v) if v.value => {
                return Ok(Applied {
                    closeness: Some(1.0),
                    ..bool_res(true)
                })
            }
            Ok(v) => {
                if best.as_ref().is_none_or(|b| v.closeness > b.closeness) {
                    best = Some(v);
                }
            }
            Err(n) => errors.push(n),
        }
    }
    let mut notes = errors;
    let mut closeness = Some(0.0);
    if let Some(b) = best {
        notes.extend(b.note);
        closeness = Some(b.closeness);
    }
    Ok(Applied {
        value: Computed::Bool(false),
        note: if notes.is_empty() {
            None
        } else {
            Some(notes.join("; "))
        },
        closeness,
    })
}

fn date_cmp(cx: &CallCx<'_>, v: &Val<'_>, before: bool) -> Result<Applied, String> {
    let n = arg_number(cx, 0)?;
    let unit_s = arg_string(cx, 1)?;
    let unit = TimeUnit::parse(unit_s).ok_or_else(|| format!("unknown time unit '{unit_s}'"))?;
    let b = bound(cx.now, n, unit)?;
    let mut r = any_value(v, |j| match parse_date(j) {
        Some(d) => Ok(if before { d < b } else { d > b }),
        None => Err(format!("{} is not a date", super::value::display_json(j))),
    })?;
    let bound_note = format!(
        "bound {} (now {} {})",
        b.to_rfc3339(),
        if n < 0.0 { "-" } else { "+" },
        {
            let a = render::number(n.abs());
            format!("{a} {unit_s}")
        }
    );
    r.note = Some(match r.note {
        Some(n) => format!("{n}; {bound_note}"),
        None => bound_note,
    });
    Ok(r)
}

fn before(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    date_cmp(cx, v, true)
}

fn after(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    date_cmp(cx, v, false)
}

/// Shorten a one-line text to about `max` characters.
fn clip(text: &str, max: usize) -> String {
    crate::text::clip(text.lines().next().unwrap_or("").trim(), max + 1)
}

/// How a filter-pattern builtin compares the data's pattern with the rule's.
#[derive(Clone, Copy)]
enum PatternCheck {
    Equal,
    Covers,
}

fn pattern_call(cx: &CallCx<'_>, v: &Val<'_>, check: PatternCheck) -> Result<Applied, String> {
    use crate::pattern::{Coverage, Difference, FilterPattern};
    let p = arg_string(cx, 0)?;
    cx.memo
        .get_or(("rule pattern", p, ""), || {
            FilterPattern::parse(p)
                .map(|_| Verdict::from(true))
                .map_err(|e| e.to_string())
        })
        .map_err(|e| format!("invalid filter pattern in the rule: {e}"))?;
    let name = match check {
        PatternCheck::Equal => "isFilterPatternEqual",
        PatternCheck::Covers => "filterPatternCovers",
    };
    any_verdict(v, |j| match j {
        Json::String(s) => cx.memo.get_or((name, p, s), || {
            let data = FilterPattern::parse(s).map_err(|e| {
                format!(
                    "the filter pattern {} in the data is invalid: {e}",
                    super::value::display_json(j)
                )
            })?;
            let rule = FilterPattern::parse(p).map_err(|e| e.to_string())?;
            let closeness = data.similarity_to(&rule);
            let verdict = |value: bool, note: Option<String>| Verdict {
                value,
                note,
                closeness,
            };
            Ok(match check {
                PatternCheck::Equal => match data.equivalent(&rule) {
                    Difference::Equal => verdict(true, None),
                    Difference::Different {
                        witness: Some((event, data_matches)),
                        ..
                    } => verdict(
                        false,
                        Some(if data_matches {
                            format!(
                                "also matches events the rule's pattern does not, e.g. {}",
                                clip(&event, 200)
                            )
                        } else {
                            format!(
                                "misses events the rule's pattern matches, e.g. {}",
                                clip(&event, 200)
                            )
                        }),
                    ),
                    Difference::Different { explanation, .. } => verdict(
                        false,
                        Some(format!(
                            "differs: {}",
                            clip(&explanation.replace('\n', " "), 200)
                        )),
                    ),
                },
                PatternCheck::Covers => match data.covers(&rule) {
                    Coverage::Covered => verdict(true, None),
                    Coverage::NotCovered { counterexample } => verdict(
                        false,
                        Some(format!(
                            "misses events the rule requires, e.g. {}",
                            clip(&counterexample, 200)
                        )),
                    ),
                    Coverage::Unknown { reason } => verdict(
                        false,
                        Some(format!(
                            "could not decide coverage, counted as not covering: {}",
                            clip(&reason, 160)
                        )),
                    ),
                },
            })
        }),
        other => Err(format!(
            "{} is not a filter pattern string",
            super::value::display_json(other)
        )),
    })
}

fn filter_pattern_equal(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    pattern_call(cx, v, PatternCheck::Equal)
}

fn filter_pattern_covers(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, String> {
    // The rule's argument is the required pattern; the property is the actual one.
    pattern_call(cx, v, PatternCheck::Covers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn units_and_bounds() {
        assert_eq!(TimeUnit::parse("Days"), Some(TimeUnit::Days));
        assert_eq!(TimeUnit::parse("month"), Some(TimeUnit::Months));
        assert_eq!(TimeUnit::parse("fortnight"), None);
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap();
        assert_eq!(
            bound(now, 1.0, TimeUnit::Months).unwrap(),
            Utc.with_ymd_and_hms(2026, 2, 28, 0, 0, 0).unwrap()
        );
        assert_eq!(
            bound(now, -1.0, TimeUnit::Years).unwrap(),
            Utc.with_ymd_and_hms(2025, 1, 31, 0, 0, 0).unwrap()
        );
        assert!(bound(now, 1.5, TimeUnit::Months).is_err());
        assert!(bound(now, 1e300, TimeUnit::Days).is_err());
    }

    #[test]
    fn dates() {
        let d = |s: Json| parse_date(&s).map(|d| d.to_rfc3339());
        assert_eq!(
            d(Json::from("2026-11-20T10:00:00Z")).unwrap(),
            "2026-11-20T10:00:00+00:00"
        );
        assert_eq!(
            d(Json::from("2026-11-20")).unwrap(),
            "2026-11-20T00:00:00+00:00"
        );
        assert_eq!(
            d(Json::from(1_700_000_000)).unwrap(),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(
            d(Json::from(1_700_000_000_000i64)).unwrap(),
            "2023-11-14T22:13:20+00:00"
        );
        assert_eq!(d(Json::from("soon")), None);
    }

    #[test]
    fn registry() {
        assert!(lookup("length").is_some());
        assert_eq!(suggest("isempty"), Some("isEmpty"));
        assert_eq!(suggest("lenght"), Some("length"));
        assert_eq!(lookup("before").unwrap().signature(), "before(n, unit)");
    }
}
