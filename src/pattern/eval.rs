//! Matching log events against a parsed pattern (an offline `TestMetricFilter`).

use serde_json::{Map, Value as Json};

use super::ast::*;

/// The text CloudWatch compares for a JSON value: strings and numbers have one;
/// booleans, null, arrays and objects do not.
fn json_text(v: &Json) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Json::String(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Json::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        _ => None,
    }
}

/// Parse a number the way numeric comparisons read the event's text.
pub(crate) fn text_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    // Digits only: never NaN. Numbers too large for a float (`1e400`) read as ±infinity.
    t.parse::<f64>().ok()
}

/// Containers nested deeper than this are kept as empty containers: no
/// selector of a pattern (at most 1024 characters) looks that deep in practice,
/// and the JSON parser's own limit (128) would otherwise reject the event.
pub(crate) const MAX_EVENT_DEPTH: usize = 120;

/// Parse an event as JSON the way every matcher does: numbers too large for a
/// float are kept as their text (they compare as ±infinity), and containers
/// nested deeper than [`MAX_EVENT_DEPTH`] are cut to empty containers.
pub(crate) fn parse_event(text: &str) -> Option<Json> {
    match serde_json::from_str::<Json>(text) {
        Ok(v) => Some(v),
        Err(_) => serde_json::from_str::<Json>(&sanitize_event(text)?).ok(),
    }
}

/// Rewrite an event so that `serde_json` accepts it without changing what any
/// selector sees (see [`parse_event`]); `None` when it cannot be JSON.
pub(crate) fn sanitize_event(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    let mut i = 0;
    // End (exclusive) of the string starting at `i` (a `"`).
    let string_end = |mut i: usize| -> Option<usize> {
        i += 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return Some(i + 1),
                _ => i += 1,
            }
        }
        None
    };
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(i)?;
                out.push_str(text.get(i..end)?);
                i = end;
            }
            b'{' | b'[' if depth >= MAX_EVENT_DEPTH => {
                // Skip the whole container, checking only that it is balanced.
                let open = b[i];
                let mut nest = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'"' => {
                            i = string_end(i)?;
                            continue;
                        }
                        b'{' | b'[' => nest += 1,
                        b'}' | b']' => {
                            nest -= 1;
                            if nest == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                if nest != 0 {
                    return None;
                }
                out.push_str(if open == b'{' { "{}" } else { "[]" });
                i += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                out.push(b[i] as char);
                i += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                out.push(b[i] as char);
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_digit() || b"+-.eE".contains(&b[i])) {
                    i += 1;
                }
                let tok = text.get(start..i)?;
                if tok.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push('"');
                    out.push_str(tok);
                    out.push('"');
                } else {
                    out.push_str(tok);
                }
            }
            _ => {
                let c = text.get(i..)?.chars().next()?;
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Some(out)
}

fn json_number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => text_number(s),
        _ => None,
    }
}

/// Compare one scalar text/number against `op value`.
pub(crate) fn compare_text(op: CmpOp, value: &Value, text: &str, number: Option<f64>) -> bool {
    match value {
        Value::Str(m) => match op {
            CmpOp::Eq => m.is_match(text),
            CmpOp::Ne => !m.is_match(text),
            _ => false,
        },
        Value::Regex(r) => match op {
            CmpOp::Eq => r.is_match(text),
            CmpOp::Ne => !r.is_match(text),
            _ => false,
        },
        Value::Num(n) => {
            let Some(x) = number else { return false };
            let n = n.get();
            match op {
                CmpOp::Eq => x == n,
                CmpOp::Ne => x != n,
                CmpOp::Lt => x < n,
                CmpOp::Le => x <= n,
                CmpOp::Gt => x > n,
                CmpOp::Ge => x >= n,
            }
        }
    }
}

/// Call `f` on every value the selector reaches; stop early when `f` returns true.
pub(crate) fn resolve<'v>(
    v: &'v Json,
    steps: &[Step],
    f: &mut dyn FnMut(&'v Json) -> bool,
) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return f(v);
    };
    match (first, v) {
        (Step::Key(k), Json::Object(m)) => m.get(k.as_str()).is_some_and(|c| resolve(c, rest, f)),
        (Step::Index(i), Json::Array(a)) => usize::try_from(*i)
            .ok()
            .and_then(|i| a.get(i))
            .is_some_and(|c| resolve(c, rest, f)),
        (Step::AnyKey, Json::Object(m)) => m.values().any(|c| resolve(c, rest, f)),
        (Step::AnyIndex, Json::Array(a)) => a.iter().any(|c| resolve(c, rest, f)),
        _ => false,
    }
}

/// Evaluate one JSON condition on a parsed event.
pub(crate) fn eval_test(sel: &[Step], test: &Test, event: &Json) -> bool {
    match test {
        Test::NotExists => !resolve(event, sel, &mut |_| true),
        Test::IsNull => resolve(event, sel, &mut |v| v.is_null()),
        Test::IsTrue => resolve(event, sel, &mut |v| *v == Json::Bool(true)),
        Test::IsFalse => resolve(event, sel, &mut |v| *v == Json::Bool(false)),
        Test::Compare(op, value) => resolve(event, sel, &mut |v| match json_text(v) {
            Some(t) => {
                let number = if matches!(value, Value::Num(_)) {
                    json_number(v)
                } else {
                    None
                };
                compare_text(*op, value, &t, number)
            }
            None => false,
        }),
    }
}

/// Evaluate a JSON expression on a parsed event.
pub fn eval_json(e: &JsonExpr, event: &Json) -> bool {
    match e {
        JsonExpr::And(v, _) => v.iter().all(|x| eval_json(x, event)),
        JsonExpr::Or(v, _) => v.iter().any(|x| eval_json(x, event)),
        JsonExpr::Cond(c) => eval_test(&c.selector.steps, &c.test, event),
    }
}

/// Evaluate an unstructured term pattern on a message.
pub fn eval_terms(terms: &[Term], msg: &str) -> bool {
    let hit = |b: &TermBody| match b {
        TermBody::Text(s) => msg.contains(s.as_str()),
        TermBody::Regex(r) => r.is_match(msg),
    };
    let has_plain = terms.iter().any(|t| t.mode != TermMode::Optional);
    if has_plain {
        terms.iter().all(|t| match t.mode {
            TermMode::Required => hit(&t.body),
            TermMode::Excluded => !hit(&t.body),
            TermMode::Optional => true,
        })
    } else {
        terms.iter().any(|t| hit(&t.body))
    }
}

/// One field of a space-delimited event: the whole token's byte range and its
/// content with `"..."` / `[...]` delimiters removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub start: usize,
    pub text: &'a str,
}

/// Split a log line into space-delimited fields.
pub(crate) fn tokenize(line: &str) -> Vec<Token<'_>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' || b[i] == b'\t' {
            i += 1;
            continue;
        }
        let start = i;
        let close = match b[i] {
            b'"' => Some(b'"'),
            b'[' => Some(b']'),
            _ => None,
        };
        if let Some(c) = close {
            let from = i + 1;
            let end = b[from..]
                .iter()
                .position(|&x| x == c)
                .map_or(b.len(), |p| from + p);
            out.push(Token {
                start,
                text: line.get(from..end).unwrap_or(""),
            });
            i = (end + 1).min(b.len());
        } else {
            while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                i += 1;
            }
            out.push(Token {
                start,
                text: line.get(start..i).unwrap_or(""),
            });
        }
    }
    out
}

fn eval_field(e: &FieldExpr, text: &str) -> bool {
    match e {
        FieldExpr::And(v) => v.iter().all(|x| eval_field(x, text)),
        FieldExpr::Or(v) => v.iter().any(|x| eval_field(x, text)),
        FieldExpr::Cmp(op, value, _) => compare_text(*op, value, text, text_number(text)),
    }
}

/// Where each slot lands on a tokenized line: `(slot index, field text, first field, last field)`.
pub(crate) fn layout<'a>(
    slots: &[Slot],
    line: &'a str,
    toks: &[Token<'a>],
) -> Option<Vec<(usize, &'a str, usize, usize)>> {
    let n = toks.len();
    let ell = slots.iter().position(|s| matches!(s, Slot::Ellipsis(_)));
    let mut out = Vec::with_capacity(slots.len());
    match ell {
        Some(e) => {
            let before = e;
            let after = slots.len() - e - 1;
            if n < before + after {
                return None;
            }
            for (i, tok) in toks.iter().enumerate().take(before) {
                out.push((i, tok.text, i, i));
            }
            for j in 0..after {
                let fi = n - after + j;
                out.push((e + 1 + j, toks[fi].text, fi, fi));
            }
        }
        None => {
            let k = slots.len();
            if k == 0 {
                return Some(out);
            }
            if n < k {
                return None;
            }
            for (i, tok) in toks.iter().enumerate().take(k - 1) {
                out.push((i, tok.text, i, i));
            }
            let last = if n == k {
                toks[k - 1].text
            } else {
                line.get(toks[k - 1].start..).unwrap_or("").trim_end()
            };
            out.push((k - 1, last, k - 1, n - 1));
        }
    }
    Some(out)
}

/// Evaluate a space-delimited pattern; on a match return the extracted values.
pub fn eval_delimited(slots: &[Slot], line: &str) -> Option<Map<String, Json>> {
    let toks = tokenize(line);
    let lay = layout(slots, line, &toks)?;
    // Per field position: `Some(Some(name))` first field of a named slot,
    // `Some(None)` absorbed by a named slot, `None` unnamed (reported as `$N`).
    let mut owner: Vec<Option<Option<(&str, &str)>>> = vec![None; toks.len()];
    for &(si, text, first, last) in &lay {
        if let Some(Slot::Field(f)) = slots.get(si) {
            if let Some(c) = &f.cond {
                if !eval_field(c, text) {
                    return None;
                }
            }
            for x in owner.iter_mut().take(last + 1).skip(first) {
                *x = Some(None);
            }
            if let Some(x) = owner.get_mut(first) {
                *x = Some(Some((f.name.as_str(), text)));
            }
        }
    }
    let mut out = Map::new();
    for (i, tok) in toks.iter().enumerate() {
        match owner[i] {
            Some(Some((name, text))) => {
                out.insert(format!("${name}"), Json::String(text.to_string()));
            }
            Some(None) => {}
            None => {
                out.insert(format!("${}", i + 1), Json::String(tok.text.to_string()));
            }
        }
    }
    Some(out)
}

/// Values a JSON pattern reports: every non-wildcard selector of the pattern that
/// reaches a string, number or boolean, keyed by the selector's canonical text.
pub(crate) fn json_extracted(e: &JsonExpr, event: &Json, out: &mut Map<String, Json>) {
    match e {
        JsonExpr::And(v, _) | JsonExpr::Or(v, _) => {
            v.iter().for_each(|x| json_extracted(x, event, out))
        }
        JsonExpr::Cond(c) => {
            if c.selector.wildcards() > 0 {
                return;
            }
            let key = c.selector.to_string();
            if out.contains_key(&key) {
                return;
            }
            resolve(event, &c.selector.steps, &mut |v| {
                let s = match v {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => n.to_string(),
                    Json::Bool(b) => b.to_string(),
                    _ => return true,
                };
                out.insert(key.clone(), Json::String(s));
                true
            });
        }
    }
}
