//! The time window of a replay (`--since`, `--until`): one rule for log files on disk
//! and in S3.
//!
//! - A record is replayed when `since <= eventTime < until`. `--since DATE` starts at
//!   the date's midnight UTC; `--until DATE` ends at the end of that day (the day is
//!   included); a full RFC 3339 time is taken as the instant it names. A record
//!   outside the window, or without a readable `eventTime`, is counted
//!   (`outsideWindow`) and not replayed.
//! - A log file is read only when it can hold records of the window. CloudTrail
//!   files sit under the day they were delivered (`…/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`)
//!   and their name carries the delivery time (`<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<id>.json.gz`).
//!   A file delivered before `since` holds nothing of the window; one delivered after
//!   `until` may still hold its last events: CloudTrail delivers within minutes, so
//!   files delivered up to [`LATE`] after `until` are read (their later records are
//!   outside the window and counted as such). The day folder is judged the same way
//!   (a folder of a day before `since`'s is not read, nor one that starts [`LATE`]
//!   after `until` or later), so a file on disk is read exactly when the same file in
//!   S3 would be listed and fetched. A file in no such layout (a CloudWatch Logs
//!   export) is read, and its records filtered by time.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use miette::Diagnostic;
use thiserror::Error;

/// How long after the end of the window a CloudTrail file may still carry records of
/// it (CloudTrail delivers within about 15 minutes of the call).
pub const LATE: i64 = 3_600;

const DAY: i64 = 86_400;

/// A `--since` or `--until` that is neither a date nor an RFC 3339 time.
#[derive(Debug, Error, Diagnostic)]
#[error("{flag} {value:?} is not a date (YYYY-MM-DD) or an RFC 3339 time")]
#[diagnostic(
    code(gsl::replay::window),
    help("write a date such as 2026-11-03, or a time such as 2026-11-03T12:00:00Z")
)]
pub struct WindowError {
    /// The flag (`--since`, `--until`).
    pub flag: String,
    /// What was given.
    pub value: String,
}

/// The records a replay keeps: `since <= eventTime < until`, in seconds since the
/// epoch (`None`: unbounded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    /// The first second of the window.
    pub since: Option<i64>,
    /// The first second after it.
    pub until: Option<i64>,
}

impl Window {
    /// The window of `--since` and `--until` as written (a date, or an RFC 3339 time).
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Window, WindowError> {
        let bound = |flag: &str, text: &str, end_of_day: bool| {
            parse_bound(text, end_of_day).ok_or_else(|| WindowError {
                flag: flag.to_string(),
                value: text.to_string(),
            })
        };
        Ok(Window {
            since: since.map(|s| bound("--since", s, false)).transpose()?,
            until: until.map(|u| bound("--until", u, true)).transpose()?,
        })
    }

    /// Whether the window keeps everything.
    pub fn is_open(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// Whether the second `t` is in the window.
    pub fn contains(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }

    /// Whether a record of this `eventTime` is replayed (an unreadable time is not,
    /// unless the window is open).
    pub fn keeps_time(&self, event_time: Option<&str>) -> bool {
        self.is_open() || event_time.and_then(epoch).is_some_and(|t| self.contains(t))
    }

    /// Whether this record is replayed ([`Window::keeps_time`] of its `eventTime`).
    pub fn keeps(&self, record: &super::logs::Record<'_>) -> bool {
        self.is_open() || self.keeps_time(record.get(super::logs::Field::Time).as_deref())
    }

    /// Whether the log file at `path` (a path or an S3 key) can hold records of the
    /// window, by its CloudTrail day folder and delivery time (module docs).
    pub fn wants_file(&self, path: &str) -> bool {
        if self.is_open() {
            return true;
        }
        let since = self.since.unwrap_or(i64::MIN);
        let until = self.until.map_or(i64::MAX, |u| u.saturating_add(LATE));
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        // The stamp is to the minute: the file may hold records of its minute.
        let stamp = delivered_at(name).is_none_or(|t| t + 60 > since && t < until);
        let folder = day_folder(path).is_none_or(|day| day + DAY > since && day < until);
        stamp && folder
    }

    /// The day folders (`yyyy/mm/dd`, midnight UTC in seconds) that can hold files of
    /// the window: from the day of `since` to the day of `until` plus [`LATE`]. `None`
    /// when the window has no start (every day).
    pub fn days(&self, today: i64) -> Option<Vec<i64>> {
        let first = self.since?.div_euclid(DAY) * DAY;
        let end = self.until.map_or(today + DAY, |u| u.saturating_add(LATE));
        let mut out = Vec::new();
        let mut d = first;
        while d < end {
            out.push(d);
            d += DAY;
        }
        Some(out)
    }
}

/// `yyyy/mm/dd` of the day starting at `secs`.
pub fn day_path(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y/%m/%d").to_string())
        .unwrap_or_default()
}

/// A date (its midnight, or the next midnight when `end_of_day`) or an RFC 3339 time.
fn parse_bound(text: &str, end_of_day: bool) -> Option<i64> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
        return Some(if end_of_day { midnight + DAY } else { midnight });
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp())
}

/// An `eventTime` in seconds since the epoch: CloudTrail's `2026-11-03T12:00:00Z`
/// read directly, any other RFC 3339 form through chrono.
pub fn epoch(time: &str) -> Option<i64> {
    let b = time.as_bytes();
    let fixed = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if fixed {
        let n = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let date = NaiveDate::from_ymd_opt(n(0..4)? as i32, n(5..7)?, n(8..10)?)?;
        let t = date.and_hms_opt(n(11..13)?, n(14..16)?, n(17..19)?)?;
        return Some(t.and_utc().timestamp());
    }
    DateTime::parse_from_rfc3339(time)
        .ok()
        .map(|t| t.timestamp())
}

/// The delivery time in a CloudTrail log file's name
/// (`<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<id>.json.gz`).
fn delivered_at(name: &str) -> Option<i64> {
    let mut parts = name.split('_');
    let _account = parts.next()?;
    if parts.next()? != "CloudTrail" {
        return None;
    }
    let _region = parts.next()?;
    let stamp = parts.next()?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%MZ")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// The day folder of a CloudTrail path (`…/CloudTrail/<region>/<yyyy>/<mm>/<dd>/…`).
fn day_folder(path: &str) -> Option<i64> {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let at = parts.iter().rposition(|p| *p == "CloudTrail")?;
    let [y, m, d] = [parts.get(at + 2)?, parts.get(at + 3)?, parts.get(at + 4)?];
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> i64 {
        epoch(t).unwrap()
    }

    #[test]
    fn dates_and_times_bound_the_window() {
        let w = Window::parse(Some("2026-11-03"), Some("2026-11-05")).unwrap();
        assert_eq!(w.since, Some(at("2026-11-03T00:00:00Z")));
        assert_eq!(w.until, Some(at("2026-11-06T00:00:00Z")));
        assert!(w.keeps_time(Some("2026-11-05T23:59:59Z")));
        assert!(!w.keeps_time(Some("2026-11-06T00:00:00Z")));
        assert!(!w.keeps_time(Some("2026-11-02T23:59:59.999+00:00")));
        assert!(w.keeps_time(Some("2026-11-03T01:00:00+01:00")));
        assert!(!w.keeps_time(None) && !w.keeps_time(Some("yesterday")));
        assert!(Window::default().keeps_time(None));
        let w = Window::parse(Some("2026-11-03T12:00:00Z"), Some("2026-11-03T13:00:00Z")).unwrap();
        assert_eq!(w.until.unwrap() - w.since.unwrap(), 3_600);
        let e = Window::parse(Some("2026-13-01"), None).unwrap_err();
        assert_eq!(e.flag, "--since");
        assert!(Window::parse(None, Some("last week")).is_err());
    }

    #[test]
    fn the_fast_time_reading_agrees_with_chrono() {
        for t in [
            "2026-11-03T12:34:56Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
        ] {
            assert_eq!(
                epoch(t),
                Some(DateTime::parse_from_rfc3339(t).unwrap().timestamp())
            );
        }
        assert_eq!(epoch("2026-02-30T00:00:00Z"), None);
        assert_eq!(epoch("2026-11-03T12:34:5xZ"), None);
    }

    #[test]
    fn files_are_chosen_by_delivery_time_then_day_folder() {
        let w = Window::parse(Some("2026-11-03"), Some("2026-11-04")).unwrap();
        let key = |day: &str, stamp: &str| {
            format!("p/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/{day}/111122223333_CloudTrail_eu-west-1_{stamp}_abc.json.gz")
        };
        // Delivered on the evening before: nothing of the window.
        assert!(!w.wants_file(&key("02", "20261102T2355Z")));
        // Delivered just after midnight: may hold 23:5x records of the 2nd, and of the 3rd.
        assert!(w.wants_file(&key("03", "20261103T0005Z")));
        assert!(w.wants_file(&key("04", "20261104T2359Z")));
        // Up to an hour after the window's end: late deliveries.
        assert!(w.wants_file(&key("05", "20261105T0010Z")));
        assert!(!w.wants_file(&key("05", "20261105T0100Z")));
        // A stamp after midnight in the folder of the day before: the folder decides.
        assert!(!w.wants_file(&key("02", "20261103T0000Z")));
        // No stamp: the day folder, with the same lateness.
        let folder = |d: &str| format!("AWSLogs/1/CloudTrail/us-east-1/2026/11/{d}/x.json.gz");
        assert!(!w.wants_file(&folder("02")));
        assert!(w.wants_file(&folder("03")));
        assert!(w.wants_file(&folder("05")));
        assert!(!w.wants_file(&folder("06")));
        // No layout: read, filtered by time.
        assert!(w.wants_file("exports/cloudwatch.jsonl"));
        assert!(Window::default().wants_file(&folder("01")));
    }

    #[test]
    fn the_days_to_list_end_an_hour_after_the_window() {
        let w = Window::parse(Some("2026-11-03T18:00:00Z"), Some("2026-11-04")).unwrap();
        let days: Vec<String> = w.days(0).unwrap().into_iter().map(day_path).collect();
        assert_eq!(days, ["2026/11/03", "2026/11/04", "2026/11/05"]);
        let w = Window::parse(Some("2026-11-03"), Some("2026-11-03T12:00:00Z")).unwrap();
        let days: Vec<String> = w.days(0).unwrap().into_iter().map(day_path).collect();
        assert_eq!(days, ["2026/11/03"]);
        assert_eq!(Window::default().days(0), None);
    }
}
