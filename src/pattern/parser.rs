//! Text → [`Pattern`]. The only module that knows about pest.

use std::collections::BTreeSet;
use std::sync::Arc;

use miette::NamedSource;
use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::error::{PatternError, PatternErrorKind as K};
use crate::span::Span;

/// Longest filter pattern CloudWatch accepts, in characters.
pub const MAX_LEN: usize = 1024;
/// Most `%regex%` a single pattern may hold.
pub const MAX_REGEX: usize = 2;
/// Most wildcard selectors (`[*]`, `.*`) in one pattern.
pub const MAX_WILDCARDS: usize = 3;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/filter_pattern.pest"]
struct Grammar;

type Src = Arc<NamedSource<String>>;

struct Builder<'a> {
    text: &'a str,
    src: Src,
    regexes: Vec<Span>,
    wildcards: Vec<Span>,
}

/// Parse a filter pattern. `name` labels the source in diagnostics.
pub fn parse_named(text: &str, name: &str) -> Result<Pattern, PatternError> {
    parse_with(text, name, true)
}

/// Parse without the length limit (for gsl's own canonical output).
pub fn parse_unbounded(text: &str, name: &str) -> Result<Pattern, PatternError> {
    parse_with(text, name, false)
}

fn parse_with(text: &str, name: &str, limit: bool) -> Result<Pattern, PatternError> {
    let src: Src = Arc::new(NamedSource::new(name, text.to_string()));
    let err = |kind, span, msg: &str, label: &str| PatternError::new(kind, &src, span, msg, label);

    let chars = text.chars().count();
    if limit && chars > MAX_LEN {
        let start = text
            .char_indices()
            .nth(MAX_LEN)
            .map_or(text.len(), |(i, _)| i);
        return Err(err(
            K::TooLong,
            Span::new(start, text.len()),
            &format!(
                "filter pattern is {chars} characters long; CloudWatch allows at most {MAX_LEN}"
            ),
            "beyond the limit",
        )
        .with_help("shorten the pattern, e.g. split it into several metric filters"));
    }
    check_balance(text, &src)?;

    let mut pairs = match Grammar::parse(Rule::pattern, text) {
        Ok(p) => p,
        Err(_) => return Err(convert_pest_error(detailed_error(text), text, &src)),
    };
    let mut b = Builder {
        text,
        src: Arc::clone(&src),
        regexes: Vec::new(),
        wildcards: Vec::new(),
    };
    let top = pairs
        .next()
        .ok_or_else(|| err(K::Syntax, Span::point(0), "empty parse", "here"))?;
    let mut pattern = Pattern::MatchAll(Span::new(0, text.len()));
    for p in top.into_inner() {
        match p.as_rule() {
            Rule::terms => pattern = b.build_terms(p)?,
            Rule::json => pattern = b.build_json(p)?,
            Rule::delimited => pattern = b.build_delimited(p)?,
            _ => {}
        }
    }
    if let Some(third) = b.regexes.get(MAX_REGEX) {
        return Err(b
            .err(
                K::RegexQuota,
                *third,
                &format!("{} regular expressions in one pattern; CloudWatch allows at most {MAX_REGEX}", b.regexes.len()),
                "one regex too many",
            )
            .with_help("merge the expressions into one with `|`, or move the check into a second metric filter"));
    }
    if let Some(fourth) = b.wildcards.get(MAX_WILDCARDS) {
        return Err(b
            .err(
                K::WildcardQuota,
                *fourth,
                &format!("{} wildcard selectors in one pattern; CloudWatch allows at most {MAX_WILDCARDS}", b.wildcards.len()),
                "one wildcard selector too many",
            )
            .with_help("name the array index or property instead of `[*]` / `.*`"));
    }
    Ok(pattern)
}

/// The parse error of `text` with pest's error detail (the tokens expected at the
/// furthest position), which the diagnostic lists.
///
/// Collecting the detail makes every parse several times slower (an allocation per
/// rule attempt), so a pattern is first parsed without it, and only a pattern that
/// fails is parsed again, here, with it. pest's switch is process-wide and read when a
/// parse starts: the switch is turned on only under [`DETAIL`], so a detailed parse
/// always sees it on; a plain parse that starts meanwhile collects the detail too
/// (slower, same result).
fn detailed_error(text: &str) -> pest::error::Error<Rule> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = DETAIL.lock().unwrap_or_else(|p| p.into_inner());
    pest::set_error_detail(true);
    let result = Grammar::parse(Rule::pattern, text);
    pest::set_error_detail(false);
    match result {
        Err(e) => e,
        // Unreachable (the same text failed a moment ago); an error all the same.
        Ok(_) => pest::error::Error::new_from_pos(
            pest::error::ErrorVariant::CustomError {
                message: "the pattern could not be parsed".into(),
            },
            pest::Position::from_start(text),
        ),
    }
}

fn span_of(p: &Pair<'_, Rule>) -> Span {
    Span::new(p.as_span().start(), p.as_span().end())
}

/// Check `{}` `()` `[]` balance outside strings and regexes, so that the most
/// common mistake gets a precise diagnostic instead of a generic one.
fn check_balance(text: &str, src: &Src) -> Result<(), PatternError> {
    let first = text.trim_start().chars().next();
    if !matches!(first, Some('{') | Some('[')) {
        return check_terms(text, src);
    }
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut iter = text.char_indices().peekable();
    let json = first == Some('{');
    while let Some((i, c)) = iter.next() {
        match c {
            '"' => {
                let mut closed = false;
                while let Some((_, d)) = iter.next() {
                    if d == '\\' {
                        iter.next();
                    } else if d == '"' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(unterminated_string(src, i, text.len()));
                }
            }
            '%' => {
                let mut closed = false;
                for (_, d) in iter.by_ref() {
                    if d == '%' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(unterminated_regex(src, i, text.len()));
                }
            }
            '\'' if json => {
                // `['key']` is the only place single quotes are legal.
                for (_, d) in iter.by_ref() {
                    if d == '\'' {
                        break;
                    }
                }
            }
            '{' | '(' | '[' => stack.push((c, i)),
            '}' | ')' | ']' => {
                let want = match c {
                    '}' => '{',
                    ')' => '(',
                    _ => '[',
                };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, at)) => {
                        return Err(unbalanced(src, open, at, text, Some((c, i))));
                    }
                    None => {
                        let kind = if c == ']' {
                            K::UnbalancedBracket
                        } else {
                            K::UnbalancedBrace
                        };
                        return Err(PatternError::new(
                            kind,
                            src,
                            Span::new(i, i + 1),
                            format!("`{c}` without a matching opening `{want}`"),
                            "nothing to close here",
                        )
                        .with_help(format!(
                            "remove this `{c}` or add the missing `{want}` before it"
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((open, at)) = stack.pop() {
        return Err(unbalanced(src, open, at, text, None));
    }
    Ok(())
}

fn unterminated_string(src: &Src, at: usize, end: usize) -> PatternError {
    PatternError::new(
        K::Unterminated,
        src,
        Span::new(at, end),
        "unterminated string",
        "this string is never closed",
    )
    .with_help("add the closing `\"`; write `\\\"` for a quote inside the string")
}

fn unterminated_regex(src: &Src, at: usize, end: usize) -> PatternError {
    PatternError::new(
        K::Unterminated,
        src,
        Span::new(at, end),
        "unterminated regular expression",
        "this `%` is never closed",
    )
    .with_help("end the regular expression with `%`; to search for a literal `%`, quote the term (`\"%abc\"`)")
}

/// Terms: a `"phrase` or `%regex` that starts a term and is never closed is an
/// error (not a literal word), as for JSON and space-delimited patterns.
fn check_terms(text: &str, src: &Src) -> Result<(), PatternError> {
    let b = text.as_bytes();
    let blank = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut i = 0;
    while i < b.len() {
        if blank(b[i]) {
            i += 1;
            continue;
        }
        if b[i] == b'?' || b[i] == b'-' {
            i += 1;
        }
        match b.get(i) {
            Some(b'"') => {
                let start = i;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err(unterminated_string(src, start, text.len())),
                        Some(b'\\') => i += 2,
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            Some(b'%') => {
                let start = i;
                match b[i + 1..].iter().position(|&c| c == b'%') {
                    Some(p) => i += p + 2,
                    None => return Err(unterminated_regex(src, start, text.len())),
                }
            }
            _ => {
                while i < b.len() && !blank(b[i]) && b[i] != b'"' {
                    i += 1;
                }
            }
        }
    }
    Ok(())
}

fn unbalanced(
    src: &Src,
    open: char,
    at: usize,
    text: &str,
    found: Option<(char, usize)>,
) -> PatternError {
    let close = match open {
        '{' => '}',
        '(' => ')',
        _ => ']',
    };
    let kind = if open == '[' {
        K::UnbalancedBracket
    } else {
        K::UnbalancedBrace
    };
    let message = match found {
        Some((c, _)) => format!("`{open}` is closed by `{c}`; expected `{close}`"),
        None if open == '{' && at == text.len() - text.trim_start().len() => {
            "a filter pattern that starts with `{` must end with `}`".to_string()
        }
        None => format!("`{open}` is never closed"),
    };
    PatternError::new(
        kind,
        src,
        Span::new(at, at + 1),
        message,
        format!("this `{open}` has no matching `{close}`"),
    )
    .with_help(format!(
        "add `{close}` at the right place (strings and %regex% may contain brackets freely)"
    ))
}

fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of pattern",
        terms | term | word | term_prefix => "a term",
        phrase | string | quoted_inner => "a double-quoted string",
        regex | regex_inner => "a %regex%",
        json | or_expr | and_expr | group | condition => {
            "a condition such as `$.eventName = \"ConsoleLogin\"`"
        }
        selector => "a property selector such as `$.eventName`",
        sel_key | sel_any_key | sel_index | sel_any_index | sel_bracket_key | name | index
        | bracket_key => "a selector step (`.name`, `[0]`, `[*]`, `.*` or `.['key']`)",
        is_test | kw_is | not_exists | kw_not | exists | kw_exists | comparison | cmp_op => {
            "an operator (`=`, `!=`, `<`, `<=`, `>`, `>=`, `IS`, `NOT EXISTS`)"
        }
        is_value => "`NULL`, `TRUE` or `FALSE`",
        bare | single_quoted | field_bare => "a value",
        delimited | slot | field_or | field_and | field_atom | field_name => "a field name",
        ellipsis => "`...`",
        _ => return None,
    })
}

fn convert_pest_error(e: pest::error::Error<Rule>, text: &str, src: &Src) -> PatternError {
    let (pos, positives) = match (&e.location, &e.variant) {
        (
            pest::error::InputLocation::Pos(p),
            pest::error::ErrorVariant::ParsingError { positives, .. },
        ) => (*p, positives.clone()),
        (
            pest::error::InputLocation::Span((s, _)),
            pest::error::ErrorVariant::ParsingError { positives, .. },
        ) => (*s, positives.clone()),
        (pest::error::InputLocation::Pos(p), _) | (pest::error::InputLocation::Span((p, _)), _) => {
            (*p, vec![])
        }
    };
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for r in positives {
        if let Some(d) = describe(r) {
            expected.insert(d.to_string());
        }
    }
    if let Some(att) = e.parse_attempts() {
        if att.max_position == pos {
            for t in att.expected_tokens() {
                let token = t.to_string();
                // Punctuation that structures a pattern; the other tokens (`$`, `"`,
                // operators, keywords) are covered by the rule descriptions.
                if ["(", ")", "}", "]", ",", "&&", "||", "..."].contains(&token.as_str()) {
                    expected.insert(format!("`{token}`"));
                }
            }
            if expected.is_empty() {
                for c in att
                    .call_stacks
                    .iter()
                    .filter_map(|c| describe(*c.deepest.get_rule()?))
                {
                    expected.insert(c.to_string());
                }
            }
        }
    }
    let found = text[pos.min(text.len())..].chars().next();
    let len = found.map_or(0, char::len_utf8);
    let found_txt = match found {
        Some(c) if c.is_whitespace() => "a blank".to_string(),
        Some(c) => format!("`{c}`"),
        None => "the end of the pattern".to_string(),
    };
    let list: Vec<String> = expected.into_iter().collect();
    let message = if list.is_empty() {
        format!("unexpected {found_txt}")
    } else {
        format!("expected {}, found {found_txt}", join_or(&list))
    };
    PatternError::new(K::Syntax, src, Span::new(pos, pos + len), message, "here").with_help(
        "see the filter-pattern syntax: terms (`ERROR -DEBUG`), JSON (`{ $.a = \"x\" && $.b > 1 }`) or space-delimited (`[ip, user, ..., status = 4*]`)",
    )
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Undo `\"` and `\\` escapes (other backslashes stay literal).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some('"') | Some('\\') => {
                    if let Some(n) = it.next() {
                        out.push(n);
                    }
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_number(s: &str) -> Option<Num> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == e {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().and_then(Num::new)
}

impl Builder<'_> {
    fn err(&self, kind: K, span: Span, msg: &str, label: &str) -> PatternError {
        PatternError::new(kind, &self.src, span, msg, label)
    }

    fn build_terms(&mut self, pair: Pair<'_, Rule>) -> Result<Pattern, PatternError> {
        let mut terms = Vec::new();
        for t in pair.into_inner() {
            let span = span_of(&t);
            let mut mode = TermMode::Required;
            let mut body = None;
            for part in t.into_inner() {
                match part.as_rule() {
                    Rule::term_prefix => {
                        mode = if part.as_str() == "?" {
                            TermMode::Optional
                        } else {
                            TermMode::Excluded
                        }
                    }
                    Rule::phrase => {
                        let inner = part.into_inner().next().map(|p| p.as_str()).unwrap_or("");
                        body = Some(TermBody::Text(unescape(inner)));
                    }
                    Rule::word => body = Some(TermBody::Text(part.as_str().to_string())),
                    Rule::regex => body = Some(TermBody::Regex(self.build_regex(part)?)),
                    _ => {}
                }
            }
            if let Some(body) = body {
                terms.push(Term { mode, body, span });
            }
        }
        // A blank phrase (`""`, `" "`) is true of every event: dropped from an AND,
        // it makes an all-`?` list match everything, and excluding it is an error.
        let blank = |t: &Term| matches!(&t.body, TermBody::Text(s) if s.trim().is_empty());
        if let Some(t) = terms
            .iter()
            .find(|t| blank(t) && t.mode == TermMode::Excluded)
        {
            return Err(self
                .err(
                    K::Syntax,
                    t.span,
                    "excluding a blank phrase excludes every event",
                    "`-\" \"`",
                )
                .with_help("remove this term; `\" \"` alone matches every event"));
        }
        let all_optional = terms.iter().all(|t| t.mode == TermMode::Optional);
        if all_optional && terms.iter().any(blank) {
            terms.clear();
        }
        terms.retain(|t| !blank(t));
        if terms.is_empty() {
            return Ok(Pattern::MatchAll(Span::new(0, self.text.len())));
        }
        Ok(Pattern::Terms(terms))
    }

    fn build_regex(&mut self, pair: Pair<'_, Rule>) -> Result<PatRegex, PatternError> {
        let span = span_of(&pair);
        let inner = pair.into_inner().next();
        let (source, start) = match &inner {
            Some(p) => (p.as_str(), p.as_span().start()),
            None => ("", span.start + 1),
        };
        self.regexes.push(span);
        compile_regex(source, start, &self.src)
    }

    fn build_json(&mut self, pair: Pair<'_, Rule>) -> Result<Pattern, PatternError> {
        for p in pair.into_inner() {
            if p.as_rule() == Rule::or_expr {
                return Ok(Pattern::Json(self.build_or(p)?));
            }
        }
        Err(self.err(K::Syntax, Span::point(0), "empty JSON pattern", "here"))
    }

    fn build_or(&mut self, pair: Pair<'_, Rule>) -> Result<JsonExpr, PatternError> {
        let span = span_of(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            match self.build_and(p)? {
                JsonExpr::Or(v, _) => items.extend(v),
                e => items.push(e),
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            JsonExpr::Or(items, span)
        })
    }

    fn build_and(&mut self, pair: Pair<'_, Rule>) -> Result<JsonExpr, PatternError> {
        let span = span_of(&pair);
        let mut items = Vec::new();
        for p in pair.into_inner() {
            let e = match p.as_rule() {
                Rule::group => match p.into_inner().next() {
                    Some(inner) => self.build_or(inner)?,
                    None => continue,
                },
                _ => self.build_condition(p)?,
            };
            match e {
                JsonExpr::And(v, _) => items.extend(v),
                e => items.push(e),
            }
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            JsonExpr::And(items, span)
        })
    }

    fn build_condition(&mut self, pair: Pair<'_, Rule>) -> Result<JsonExpr, PatternError> {
        let span = span_of(&pair);
        let mut inner = pair.into_inner();
        let (Some(sel), Some(pred)) = (inner.next(), inner.next()) else {
            return Err(self.err(K::Syntax, span, "incomplete condition", "here"));
        };
        let selector = self.build_selector(sel)?;
        let pred_span = span_of(&pred);
        let test = match pred.as_rule() {
            Rule::is_test => {
                let mut kw_not_span = None;
                let mut value = None;
                for p in pred.into_inner() {
                    match p.as_rule() {
                        Rule::kw_is => self.check_upper(&p)?,
                        Rule::kw_not => kw_not_span = Some(span_of(&p)),
                        Rule::is_value => {
                            self.check_upper(&p)?;
                            value = Some(p.as_str().to_ascii_uppercase());
                        }
                        _ => {}
                    }
                }
                if value.as_deref() == Some("EXISTS") && kw_not_span.is_none() {
                    return Err(self
                        .err(K::UnsupportedExists, pred_span, "`IS EXISTS` is not supported by CloudWatch filter patterns", "unsupported")
                        .with_help(format!(
                            "to require the field, write `{selector} = *` (any string or number); the only existence test is `NOT EXISTS`"
                        )));
                }
                if let Some(ns) = kw_not_span {
                    let v = value.clone().unwrap_or_default();
                    let help = match v.as_str() {
                        "EXISTS" => format!("CloudWatch has no `IS NOT EXISTS`; write `{selector} NOT EXISTS`"),
                        "NULL" => "CloudWatch has no `IS NOT`; to require a non-null value write `$.x = *` (any string or number), or `($.x IS TRUE || $.x IS FALSE || $.x = *)`".to_string(),
                        "TRUE" => "CloudWatch has no `IS NOT`; write `IS FALSE` (note: it does not match a missing field)".to_string(),
                        _ => "CloudWatch has no `IS NOT`; write `IS TRUE` (note: it does not match a missing field)".to_string(),
                    };
                    return Err(self
                        .err(
                            K::UnsupportedIsNot,
                            ns.join(pred_span),
                            &format!("`IS NOT {v}` is not supported by CloudWatch filter patterns"),
                            "unsupported",
                        )
                        .with_help(help));
                }
                match value.as_deref() {
                    Some("NULL") => Test::IsNull,
                    Some("TRUE") => Test::IsTrue,
                    _ => Test::IsFalse,
                }
            }
            Rule::not_exists => {
                for p in pred.into_inner() {
                    self.check_upper(&p)?;
                }
                Test::NotExists
            }
            Rule::exists => {
                return Err(self
                    .err(K::UnsupportedExists, pred_span, "`EXISTS` is not supported by CloudWatch filter patterns", "unsupported")
                    .with_help(format!(
                        "to require the field, write `{selector} = *` (any string or number); the only existence test is `NOT EXISTS`"
                    )));
            }
            Rule::comparison => {
                let mut it = pred.into_inner();
                let (Some(op), Some(val)) = (it.next(), it.next()) else {
                    return Err(self.err(K::Syntax, pred_span, "incomplete comparison", "here"));
                };
                let op = self.build_op(&op)?;
                let value = self.build_value(val)?;
                self.check_order(op, &value, pred_span)?;
                Test::Compare(op, value)
            }
            _ => return Err(self.err(K::Syntax, pred_span, "expected an operator", "here")),
        };
        Ok(JsonExpr::Cond(Condition {
            selector,
            test,
            span,
        }))
    }

    fn check_upper(&self, p: &Pair<'_, Rule>) -> Result<(), PatternError> {
        let s = p.as_str();
        if s != s.to_ascii_uppercase() {
            return Err(self
                .err(
                    K::KeywordCase,
                    span_of(p),
                    &format!("keyword `{s}` must be written in upper case"),
                    "lower-case keyword",
                )
                .with_help(format!("write `{}`", s.to_ascii_uppercase())));
        }
        Ok(())
    }

    fn build_op(&self, p: &Pair<'_, Rule>) -> Result<CmpOp, PatternError> {
        Ok(match p.as_str() {
            "=" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => {
                return Err(self
                    .err(
                        K::DoubleEquals,
                        span_of(p),
                        "`==` is not a filter-pattern operator",
                        "write `=`",
                    )
                    .with_help("equality is a single `=`, e.g. `$.eventName = \"ConsoleLogin\"`"))
            }
        })
    }

    fn check_order(&self, op: CmpOp, value: &Value, span: Span) -> Result<(), PatternError> {
        if matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
            && !matches!(value, Value::Num(_))
        {
            return Err(self
                .err(K::OrderNeedsNumber, span, &format!("`{}` compares numbers, but the value is not a number", op.as_str()), "not a number")
                .with_help("use a bare number such as `1000`, `-5.5` or `1e3`; strings support only `=` and `!=`"));
        }
        Ok(())
    }

    fn build_value(&mut self, p: Pair<'_, Rule>) -> Result<Value, PatternError> {
        let span = span_of(&p);
        match p.as_rule() {
            Rule::string => {
                let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
                Ok(Value::Str(StrMatch::from_text(&unescape(inner))))
            }
            Rule::regex => Ok(Value::Regex(self.build_regex(p)?)),
            Rule::single_quoted => {
                let inner = p.as_str().trim_matches('\'');
                Err(self
                    .err(
                        K::SingleQuote,
                        span,
                        "single quotes do not delimit strings in filter patterns",
                        "single-quoted",
                    )
                    .with_help(format!("use double quotes: \"{inner}\"")))
            }
            _ => {
                let s = p.as_str();
                Ok(match parse_number(s) {
                    Some(n) => Value::Num(n),
                    None => Value::Str(StrMatch::from_text(s)),
                })
            }
        }
    }

    fn build_selector(&mut self, p: Pair<'_, Rule>) -> Result<Selector, PatternError> {
        let span = span_of(&p);
        let mut steps = Vec::new();
        let mut wild = 0;
        for s in p.into_inner() {
            let step = match s.as_rule() {
                Rule::sel_key => Step::Key(s.as_str().trim_start_matches('.').to_string()),
                Rule::sel_any_key => Step::AnyKey,
                Rule::sel_any_index => Step::AnyIndex,
                Rule::sel_index => {
                    let txt = s.as_str().trim_matches(|c| c == '[' || c == ']');
                    match txt.parse::<u64>() {
                        Ok(i) => Step::Index(i),
                        Err(_) => {
                            return Err(self
                                .err(
                                    K::Syntax,
                                    span_of(&s),
                                    "array index out of range",
                                    "too large",
                                )
                                .with_help("array indexes are small non-negative integers"))
                        }
                    }
                }
                Rule::sel_bracket_key => {
                    let key = s.into_inner().next().map(|k| k.as_str()).unwrap_or("");
                    Step::Key(key.to_string())
                }
                _ => continue,
            };
            if matches!(step, Step::AnyKey | Step::AnyIndex) {
                wild += 1;
                self.wildcards.push(span);
            }
            steps.push(step);
        }
        if wild > 1 {
            return Err(self
                .err(
                    K::WildcardQuota,
                    span,
                    "more than one wildcard selector in one property selector",
                    "two or more of `[*]` / `.*`",
                )
                .with_help(
                    "CloudWatch allows one wildcard per selector; name the other index or property",
                ));
        }
        Ok(Selector { steps, span })
    }

    fn build_delimited(&mut self, pair: Pair<'_, Rule>) -> Result<Pattern, PatternError> {
        let mut slots = Vec::new();
        let mut ellipsis: Option<Span> = None;
        for s in pair.into_inner() {
            let span = span_of(&s);
            let Some(inner) = s.into_inner().next() else {
                slots.push(Slot::Blank(span));
                continue;
            };
            match inner.as_rule() {
                Rule::ellipsis => {
                    if let Some(first) = ellipsis {
                        return Err(self
                            .err(
                                K::MultipleEllipsis,
                                span,
                                "`...` may appear only once in a space-delimited pattern",
                                "second `...`",
                            )
                            .with_help(format!(
                                "keep one `...` (the first is at byte {})",
                                first.start
                            )));
                    }
                    ellipsis = Some(span);
                    slots.push(Slot::Ellipsis(span));
                }
                _ => slots.push(Slot::Field(self.build_field(inner, span)?)),
            }
        }
        // `[]` parses as one blank slot: it means "any fields".
        if slots.len() == 1 && matches!(slots[0], Slot::Blank(_)) {
            slots.clear();
        }
        Ok(Pattern::Delimited(slots))
    }

    fn build_field(&mut self, pair: Pair<'_, Rule>, span: Span) -> Result<Field, PatternError> {
        let mut name: Option<(String, Span)> = None;
        let expr = self.build_field_or(pair, &mut name)?;
        let (name, _) = name.unwrap_or_default();
        Ok(Field {
            name,
            cond: expr,
            span,
        })
    }

    fn build_field_or(
        &mut self,
        pair: Pair<'_, Rule>,
        name: &mut Option<(String, Span)>,
    ) -> Result<Option<FieldExpr>, PatternError> {
        let mut items = Vec::new();
        let mut bare = false;
        let count = pair.clone().into_inner().count();
        for and in pair.into_inner() {
            let mut conj = Vec::new();
            let n_atoms = and.clone().into_inner().count();
            for atom in and.into_inner() {
                let aspan = span_of(&atom);
                let mut it = atom.into_inner();
                let Some(fname) = it.next() else { continue };
                let fname_s = fname.as_str().to_string();
                match name {
                    Some((n, nspan)) if *n != fname_s => {
                        return Err(self
                            .err(K::CrossFieldCondition, span_of(&fname), &format!("condition on `{fname_s}` inside the slot of `{n}`"), "another field")
                            .with_help(format!(
                                "a slot holds conditions on one field only; give `{fname_s}` its own slot, separated by a comma (the slot of `{n}` starts at byte {})",
                                nspan.start
                            )));
                    }
                    Some(_) => {}
                    None => *name = Some((fname_s.clone(), span_of(&fname))),
                }
                match (it.next(), it.next()) {
                    (Some(op), Some(val)) => {
                        let op = self.build_op(&op)?;
                        let value = self.build_value(val)?;
                        self.check_order(op, &value, aspan)?;
                        conj.push(FieldExpr::Cmp(op, value, aspan));
                    }
                    _ => {
                        if count > 1 || n_atoms > 1 {
                            return Err(self
                                .err(
                                    K::Syntax,
                                    aspan,
                                    "expected a condition such as `status = 404` after `&&` / `||`",
                                    "field name without a condition",
                                )
                                .with_help(
                                    "every operand of `&&` / `||` in a slot is `name op value`",
                                ));
                        }
                        bare = true;
                    }
                }
            }
            match conj.len() {
                0 => {}
                1 => items.push(conj.remove(0)),
                _ => items.push(FieldExpr::And(conj)),
            }
        }
        if bare || items.is_empty() {
            return Ok(None);
        }
        Ok(Some(if items.len() == 1 {
            items.remove(0)
        } else {
            FieldExpr::Or(items)
        }))
    }
}

/// Validate a CloudWatch regex (the text between `%`) and compile it.
/// `start` is the byte offset of the regex text in the pattern.
pub(crate) fn compile_regex(
    source: &str,
    start: usize,
    src: &Src,
) -> Result<PatRegex, PatternError> {
    for (i, c) in source.char_indices() {
        let at = Span::new(start + i, start + i + c.len_utf8());
        let bad = |msg: String, help: String| {
            Err(PatternError::new(K::RegexSyntax, src, at, msg, "not allowed here").with_help(help))
        };
        if !c.is_ascii() {
            return bad(
                format!("multi-byte character `{c}` in a regular expression"),
                "CloudWatch regexes are ASCII only; match the bytes with `\\xhh` or use `.`"
                    .to_string(),
            );
        }
        if c == '(' || c == ')' {
            return bad(
                format!("`{c}` in a regular expression: CloudWatch does not support groups"),
                "remove the group (alternation `a|b` works without parentheses); match a literal parenthesis with `\\x28` / `\\x29`".to_string(),
            );
        }
        let ok = c.is_ascii_alphanumeric() || " _#=@/;,-:^$?[]{}|\\*+.".contains(c);
        if !ok {
            return bad(
                format!("character `{c}` is not allowed in a CloudWatch regular expression"),
                format!("match it with the hex escape `\\x{:02X}`", c as u32),
            );
        }
    }
    // `{,n}` means `{0,n}` in CloudWatch.
    let translated = source.replace("{,", "{0,");
    match regex::RegexBuilder::new(&translated)
        .size_limit(1 << 20)
        .build()
    {
        Ok(re) => Ok(PatRegex {
            source: source.to_string(),
            re,
        }),
        Err(e) => {
            let detail = e.to_string();
            let last = detail
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .to_string();
            Err(PatternError::new(
                K::RegexSyntax,
                src,
                Span::new(start, start + source.len()),
                format!("invalid regular expression: {last}"),
                "this regular expression",
            )
            .with_help("supported: literals, `.`, classes `[a-z]` `[^0-9]`, `\\d \\w \\s \\xhh`, `* + ? {m,n}`, `^ $`, and `|`"))
        }
    }
}
