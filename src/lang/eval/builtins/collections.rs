//! Builtins over lists, strings and objects: `length()`, `isEmpty()`.

use super::{bool_res, Applied, Builtin, CallCx, Computed, ResultKind};
use crate::lang::eval::error::EvalError;
use crate::lang::eval::value::{display_json, Val};
use serde_json::Value as Json;

pub(super) const BUILTINS: &[Builtin] = &[
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
];

fn length(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    let n = match v {
        Val::Missing { .. } => 0,
        Val::List { items, .. } => items.len(),
        Val::Json(it) => match it.v {
            Json::Null => 0,
            Json::Array(a) => a.len(),
            Json::Object(o) => o.len(),
            Json::String(s) => s.chars().count(),
            Json::Bool(_) | Json::Number(_) => {
                return Err(cx.bad_value(format!(
                    "length() of {} at {}: it applies to lists, strings and objects",
                    display_json(it.v),
                    it.path
                )))
            }
        },
        Val::Num(_) | Val::Bool(_) => {
            return Err(cx.bad_value("length() of a computed number or boolean".into()));
        }
    };
    Ok(Applied {
        value: Computed::Num(n as f64),
        note: Vec::new(),
        closeness: None,
    })
}

fn is_empty(_cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
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
