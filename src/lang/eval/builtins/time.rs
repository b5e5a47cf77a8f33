//! Time builtins: `before(n, unit)`, `after(n, unit)`, and how dates and units read.

use super::{any_value, Applied, ArgKind, ArgValue, Builtin, CallCx, NotePart, Param, ResultKind};
use crate::lang::eval::error::EvalError;
use crate::lang::eval::value::{display_json, numeric, Val};
use crate::lang::printer::number;
use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde_json::Value as Json;

const COUNT_AND_UNIT: &[Param] = &[
    Param {
        name: "n",
        kind: ArgKind::Number,
    },
    Param {
        name: "unit",
        kind: ArgKind::TimeUnit,
    },
];

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "before",
        params: COUNT_AND_UNIT,
        returns: ResultKind::Bool,
        doc: "the date (RFC 3339, or epoch seconds/milliseconds) is earlier than now + n units",
        example: "certificate.expiration before(30, 'days')",
        func: before,
    },
    Builtin {
        name: "after",
        params: COUNT_AND_UNIT,
        returns: ResultKind::Bool,
        doc: "the date (RFC 3339, or epoch seconds/milliseconds) is later than now + n units",
        example: "status.latestCloudWatchLogsDeliveryTime after(-1, 'days')",
        func: after,
    },
];

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
            numeric(s).and_then(epoch)
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

fn date_cmp(cx: &CallCx<'_>, v: &Val<'_>, before: bool) -> Result<Applied, EvalError> {
    let n = cx.number(0)?;
    let Some(ArgValue::TimeUnit(unit, unit_s)) = cx.args.get(1).map(|a| &a.value) else {
        return Err(cx.bad_argument(1, "argument 2 must be a time unit".into()));
    };
    let b = bound(cx.now, n, *unit).map_err(|m| cx.bad_argument(0, m))?;
    let mut r = any_value(cx, v, |j| match parse_date(j) {
        Some(d) => Ok(if before { d < b } else { d > b }),
        None => Err(format!("{} is not a date", display_json(j))),
    })?;
    r.note.push(NotePart::Text(format!(
        "bound {} (now {} {} {unit_s})",
        b.to_rfc3339(),
        if n < 0.0 { "-" } else { "+" },
        number(n.abs()),
    )));
    Ok(r)
}

fn before(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    date_cmp(cx, v, true)
}

fn after(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    date_cmp(cx, v, false)
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
}
