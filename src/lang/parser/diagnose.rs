//! Turning a pest failure into a [`ParseError`] in words, with a repair when the
//! mistake is recognisable (keyword typos, a property run into a function call, a
//! bare word where a string belongs).

use super::grammar::Rule as R;
use super::lex::{quote, Edit};
use crate::lang::error::ParseError;
use crate::lang::lexer::{is_ident_char, Lexer, TokenKind};
use miette::SourceSpan;
use pest::error::{Error, ErrorVariant, InputLocation};

/// The diagnosis of one pest failure.
pub(crate) struct Diagnosis {
    pub error: ParseError,
    /// A repair of the text that lets parsing go on to find further errors.
    pub fix: Option<Edit>,
    /// The failure is at the end of the text.
    pub at_end: bool,
    /// Without a likely repair: an edit that skips to the next `and` / `or` / `]` /
    /// line (putting a placeholder where a condition or value was expected), so that
    /// parsing goes on to report later errors too.
    pub resync: Option<Edit>,
}

use super::KEYWORDS;
use crate::lang::ast::{CmpOp, ListOp, LITERAL_KEYWORDS};
use crate::lang::eval::builtins;

/// What a rule stands for in an "expected ..." message, and the keywords it allows.
fn describe(r: R) -> Option<(u8, &'static str, &'static [&'static str])> {
    Some(match r {
        R::entity | R::entity_name | R::list_entity | R::rule => {
            (0, "an entity type such as `CloudTrail`", &["List"])
        }
        R::kw_list => (1, "`List`", &["List"]),
        R::langle => (2, "`<`", &[]),
        R::rangle => (3, "`>`", &[]),
        R::kw_where | R::filter => (5, "`where`", &["where"]),
        R::kw_should | R::verdict => (4, "`should`", &["should"]),
        R::op_not => (6, "`not`", &["not"]),
        R::kw_have => (7, "`have`", &["have"]),
        R::expr | R::term | R::paren_expr | R::expression => (8, "a condition", &["not"]),
        R::path | R::ident | R::segment => (9, "a property path", &[]),
        R::element => (10, "`$`", &[]),
        R::test
        | R::op_eq
        | R::op_ne
        | R::op_lt
        | R::op_gt
        | R::op_le
        | R::op_ge
        | R::op_like
        | R::op_unlike
        | R::op_in
        | R::op_regex_match => (11, "a comparison operator", &CmpOp::WORDS),
        R::list_op | R::list_kw | R::element_value => (
            12,
            "a list operator (`with [..]`, `contain [..]`, ...)",
            &ListOp::KEYWORDS,
        ),
        R::call | R::call_head => (13, "a function call such as `length()`", &[]),
        // A parameter is a value (and after `in`, a list): the words for those say it.
        R::param => return None,
        R::string | R::number | R::kw_true | R::kw_false | R::kw_null => {
            (14, "a value", &LITERAL_KEYWORDS)
        }
        R::tuple => (15, "a list of values such as `('a', 'b')`", &[]),
        R::regex | R::regex_body => (16, "a regular expression such as `/^abc$/i`", &[]),
        R::lbracket => (17, "`[`", &[]),
        R::comma => (18, "`,`", &[]),
        R::rbracket => (19, "`]`", &[]),
        R::rparen => (20, "`)`", &[]),
        R::op_and => (21, "`and`", &["and"]),
        R::op_or => (22, "`or`", &["or"]),
        R::EOI => (23, "the end of the rule", &[]),
        _ => return None,
    })
}

/// "a, b or c".
fn join_words(words: &[&str]) -> String {
    match words {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The word (letters, digits, `_`, `-`) starting at `pos`.
fn word_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let end = rest
        .char_indices()
        .find(|&(_, c)| !(is_ident_char(c) || c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    rest[..end].trim_end_matches('-')
}

/// The word ending right before `pos` (no space in between).
fn word_before(text: &str, pos: usize) -> &str {
    let head = text.get(..pos).unwrap_or("");
    let start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_ident_char(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &head[start..]
}

/// The most likely keyword among `candidates` for `word`.
fn suggest(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if candidates.contains(&word) {
        return None;
    }
    crate::text::closest(word, candidates.iter().copied())
}

fn span(start: usize, len: usize) -> SourceSpan {
    (start, len).into()
}

/// Describe what was found at `pos`.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let word = word_at(text, pos);
    if !word.is_empty() {
        let what = if KEYWORDS.contains(&word) {
            "keyword"
        } else if word.starts_with(|c: char| c.is_ascii_digit()) {
            "number"
        } else {
            "word"
        };
        return (format!("{what} `{word}`"), word.len());
    }
    let rest = text.get(pos..).unwrap_or("");
    for op in ["==", "&&", "||", "<>", "!"] {
        if rest.starts_with(op) {
            return (format!("`{op}`"), op.len());
        }
    }
    match rest.chars().next() {
        Some('\n' | '\r') => ("end of line".to_string(), 1),
        Some(c) if c.is_whitespace() => ("whitespace".to_string(), c.len_utf8()),
        Some(c) => (format!("`{c}`"), c.len_utf8()),
        None => ("end of rule".to_string(), 0),
    }
}

/// A pest failure, with what the diagnosis reads of it.
struct Failure<'a> {
    text: &'a str,
    /// Where the grammar stopped.
    pos: usize,
    /// The rules it would have accepted there.
    positives: Vec<R>,
    /// Those rules in words, in the order of [`describe`].
    words: Vec<&'static str>,
    /// The keywords they allow.
    keywords: Vec<&'static str>,
    /// Nothing but whitespace after `pos`.
    at_end: bool,
    /// The word at `pos` ([`word_at`]).
    word: &'a str,
}

impl Failure<'_> {
    fn expects(&self, r: R) -> bool {
        self.positives.contains(&r)
    }

    /// What was expected, in words.
    fn expected(&self) -> String {
        join_words(&self.words)
    }

    /// The diagnosis of `error` with the repair `fix`.
    fn with(&self, error: ParseError, fix: Option<Edit>) -> Diagnosis {
        Diagnosis {
            error,
            fix,
            at_end: self.at_end,
            resync: None,
        }
    }
}

/// Diagnose a pest failure on `text`: the first of the recognised mistakes that fits,
/// else what was found and what was expected.
pub(crate) fn diagnose(text: &str, err: &Error<R>) -> Diagnosis {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = pos.min(text.len());
    let positives: Vec<R> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => {
            // pest's call or stack limit.
            return Diagnosis {
                error: ParseError::TooDeep {
                    limit: super::lex::MAX_DEPTH,
                    span: span(pos, 0),
                },
                fix: None,
                at_end: false,
                resync: None,
            };
        }
    };
    let mut described: Vec<(u8, &'static str)> = Vec::new();
    let mut keywords: Vec<&'static str> = Vec::new();
    for r in &positives {
        if let Some((order, words, kws)) = describe(*r) {
            if !described.iter().any(|&(_, w)| w == words) {
                described.push((order, words));
            }
            keywords.extend(kws.iter().copied());
        }
    }
    described.sort();
    let f = Failure {
        text,
        pos,
        words: described.iter().map(|&(_, w)| w).collect(),
        keywords,
        positives,
        at_end: text[pos..].trim().is_empty(),
        word: word_at(text, pos),
    };
    if only_comments(text) {
        return f.with(
            ParseError::Empty {
                span: span(text.trim_end().len(), 0),
            },
            None,
        );
    }
    [
        where_after_condition,
        run_into_call,
        dotted_call,
        call_without_parentheses,
        lowercase_list,
        keyword_typo,
        unquoted_string,
    ]
    .iter()
    .find_map(|recognise| recognise(&f))
    .unwrap_or_else(|| unexpected(&f))
}

/// `... should have X where name='y'`.
fn where_after_condition(f: &Failure<'_>) -> Option<Diagnosis> {
    let (text, pos) = (f.text, f.pos);
    (f.word == "where" && has_should_before(text, pos)).then(|| {
        f.with(
            ParseError::WhereAfterCondition {
                span: span(pos, text.trim_end().len().saturating_sub(pos).max(5)),
                help: where_help(text, pos),
            },
            None,
        )
    })
}

/// `networkAssetsStatslength()`: a property run into a function call.
fn run_into_call(f: &Failure<'_>) -> Option<Diagnosis> {
    let (text, pos) = (f.text, f.pos);
    if !text[pos..].starts_with('(') {
        return None;
    }
    let before = word_before(text, pos);
    let name = builtins::names().find(|n| before.len() > n.len() && before.ends_with(*n))?;
    let start = pos - before.len();
    let prop = &before[..before.len() - name.len()];
    let suggestion = format!("{prop} {name}()");
    Some(f.with(
        ParseError::MissingSpace {
            function: (*name).to_string(),
            help: format!(
                "a function applies to the property before it, separated by a space: `{suggestion}`"
            ),
            suggestion,
            span: span(start, before.len()),
        },
        Some(Edit {
            start: pos - name.len(),
            end: pos - name.len(),
            text: " ".into(),
        }),
    ))
}

/// `a.length()`: a function joined to its property by a dot.
fn dotted_call(f: &Failure<'_>) -> Option<Diagnosis> {
    let (text, pos) = (f.text, f.pos);
    if !text[pos..].starts_with('(') {
        return None;
    }
    let name = word_before(text, pos);
    let dot = pos - name.len();
    if name.is_empty() || !text[..dot].ends_with('.') || dot < 2 {
        return None;
    }
    let prop = word_before(text, dot - 1);
    let suggestion = format!("{prop} {name}()");
    Some(f.with(
        ParseError::MissingSpace {
            function: name.to_string(),
            help: format!(
                "a function applies to the property before it, separated by a space, not a dot: `{suggestion}`"
            ),
            suggestion,
            span: span(dot - 1 - prop.len(), prop.len() + 1 + name.len()),
        },
        Some(Edit {
            start: dot - 1,
            end: dot,
            text: " ".into(),
        }),
    ))
}

/// `a length > 0`: a known function without its parentheses (also `lenght > 0`: a
/// misspelt one).
fn call_without_parentheses(f: &Failure<'_>) -> Option<Diagnosis> {
    let (text, pos, word) = (f.text, f.pos, f.word);
    let function = builtins::names().find(|n| *n == word).or_else(|| {
        (word.len() > 4)
            .then(|| crate::text::closest(word, builtins::names()))
            .flatten()
    });
    let name = function.filter(|_| f.expects(R::call_head))?;
    let (found, len) = found_at(text, pos);
    let help = if name == word {
        format!("call a function with parentheses, even without arguments: `{name}()`")
    } else {
        format!("the function is spelt `{name}`, and called with parentheses: `{name}()`")
    };
    Some(f.with(
        ParseError::Syntax {
            found,
            expected: f.expected(),
            span: span(pos, len),
            label: format!("did you mean `{name}()`?"),
            help: Some(help),
        },
        Some(Edit {
            start: pos,
            end: pos + word.len(),
            text: format!("{name}()"),
        }),
    ))
}

/// `list<CloudTrail>`: a lowercase `List`.
fn lowercase_list(f: &Failure<'_>) -> Option<Diagnosis> {
    let (text, pos) = (f.text, f.pos);
    if !text[pos..].starts_with('<') {
        return None;
    }
    let before = text[..pos].trim_end();
    let w = word_before(before, before.len());
    if !w.eq_ignore_ascii_case("list") || w == "List" {
        return None;
    }
    let start = before.len() - w.len();
    Some(f.with(
        ParseError::KeywordTypo {
            found: w.to_string(),
            suggestion: "List".into(),
            span: span(start, w.len()),
            help: "the list form is written `List<Entity>`, with a capital `L`".into(),
        },
        Some(Edit {
            start,
            end: start + w.len(),
            text: "List".into(),
        }),
    ))
}

/// A misspelt or capitalised keyword.
fn keyword_typo(f: &Failure<'_>) -> Option<Diagnosis> {
    let (pos, word) = (f.pos, f.word);
    let s = suggest(word, &f.keywords)?;
    let help = if word.eq_ignore_ascii_case(s) && s.chars().all(|c| c.is_ascii_lowercase()) {
        format!("keywords are lowercase: write `{s}`")
    } else if word.eq_ignore_ascii_case(s) {
        format!("keywords are case-sensitive: write `{s}`")
    } else if word.replace('_', "-") == s {
        format!("list operators are written with a hyphen: `{s}`")
    } else {
        format!("replace `{word}` with `{s}`")
    };
    Some(f.with(
        ParseError::KeywordTypo {
            found: word.to_string(),
            suggestion: s.to_string(),
            span: span(pos, word.len()),
            help,
        },
        Some(Edit {
            start: pos,
            end: pos + word.len(),
            text: s.to_string(),
        }),
    ))
}

/// A bare word where a value belongs: `scope = x`.
fn unquoted_string(f: &Failure<'_>) -> Option<Diagnosis> {
    let (pos, word) = (f.pos, f.word);
    let expects_value = f.expects(R::string) || f.expects(R::number);
    if !expects_value
        || word.is_empty()
        || !word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        || KEYWORDS.contains(&word)
    {
        return None;
    }
    let q = quote(word);
    Some(f.with(
        ParseError::UnquotedString {
            word: word.to_string(),
            span: span(pos, word.len()),
            help: format!(
                "strings are written in single quotes: {q}; other values are numbers, `true`, `false` and `null`"
            ),
        },
        Some(Edit {
            start: pos,
            end: pos + word.len(),
            text: q,
        }),
    ))
}

/// No recognised mistake: the end came too early, `==`, or what was found and what was
/// expected (with a place to resynchronise).
fn unexpected(f: &Failure<'_>) -> Diagnosis {
    let (text, pos) = (f.text, f.pos);
    let expected = f.expected();
    let help = context_help(text, pos, &f.positives);
    if f.at_end {
        let (start, end) = super::lex::last_token(text).unwrap_or((pos, pos));
        return f.with(
            ParseError::UnexpectedEnd {
                expected,
                span: span(start, end - start),
                help,
            },
            None,
        );
    }
    let (found, len) = found_at(text, pos);
    // `==`: the grammar took the first `=` and stumbled on the second.
    if text[pos..].starts_with('=') && text[..pos].ends_with('=') {
        let (op, fixed) = if text[..pos].ends_with("!=") {
            ("!==", "!=")
        } else {
            ("==", "=")
        };
        return f.with(
            ParseError::Syntax {
                found: format!("`{op}`"),
                expected,
                span: span(pos + 1 - op.len(), op.len()),
                label: format!("use `{fixed}`"),
                help: Some(format!("GSL compares with `=` and `!=`: write `{fixed}`")),
            },
            Some(Edit {
                start: pos,
                end: pos + 1,
                text: String::new(),
            }),
        );
    }
    let label = if f.words.len() <= 3 {
        format!("expected {expected}")
    } else {
        "unexpected here".to_string()
    };
    Diagnosis {
        resync: resync(text, pos, &f.positives),
        ..f.with(
            ParseError::Syntax {
                found,
                expected,
                span: span(pos, len),
                label,
                help,
            },
            None,
        )
    }
}

/// Where parsing can go on after an error at `pos`: the next `and` / `or` keyword, `]`,
/// `)` or line break (outside strings, regular expressions and comments). The text in between is replaced by a
/// placeholder for what the grammar expected there (a value `null`, a condition `_`),
/// or dropped when the grammar expected the rest of a term.
fn resync(text: &str, pos: usize, positives: &[R]) -> Option<Edit> {
    let has = |r: R| positives.contains(&r);
    // Only inside a condition: a broken rule head has nothing to resynchronise on.
    let in_condition = [
        R::expr,
        R::term,
        R::path,
        R::test,
        R::op_and,
        R::op_or,
        R::list_kw,
        R::call_head,
        R::string,
        R::number,
        R::tuple,
        R::regex,
    ]
    .iter()
    .any(|r| has(*r));
    if !in_condition {
        return None;
    }
    let rest = text.get(pos..)?;
    let mut depth = 0usize;
    let mut end = None;
    for t in Lexer::new(rest) {
        let at = match t.kind {
            TokenKind::Open('[' | '(') => {
                depth += 1;
                continue;
            }
            // A bracket opened after the error closes here; one opened before it ends
            // the broken part.
            TokenKind::Close(']' | ')') if depth > 0 => {
                depth -= 1;
                continue;
            }
            _ if depth > 0 => continue,
            TokenKind::Close(']' | ')') => Some(t.start),
            TokenKind::Space => t.text(rest).find('\n').map(|n| t.start + n),
            TokenKind::Word => matches!(word_at(rest, t.start), "and" | "or").then_some(t.start),
            _ => None,
        };
        if at.is_some() {
            end = at;
            break;
        }
    }
    let end = pos + end?;
    // Something must follow, or there is nothing more to find.
    if text[end..]
        .trim_start_matches(['\n', ' ', '\t', '\r'])
        .is_empty()
    {
        return None;
    }
    let placeholder = if has(R::string) || has(R::number) {
        "null "
    } else if has(R::expr) || has(R::term) || has(R::path) {
        "_ "
    } else if end > pos {
        ""
    } else {
        return None;
    };
    Some(Edit {
        start: pos,
        end,
        text: placeholder.into(),
    })
}

fn only_comments(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l.starts_with("//")
    })
}

/// True when the keyword `should` occurs (as a word) before `pos`.
fn has_should_before(text: &str, pos: usize) -> bool {
    let head = text.get(..pos).unwrap_or("");
    head.split(|c: char| !is_ident_char(c))
        .any(|w| w == "should")
}

/// The rule form, and the rule rewritten with the filter in front of `should`.
fn where_help(text: &str, pos: usize) -> String {
    let form = "a rule reads `<Entity> where <filter> should [not] have <condition>`";
    let head = text[..pos].trim();
    let filter = text[pos + "where".len()..].trim();
    let Some(should) = find_word(head, "should") else {
        return form.to_string();
    };
    let entity = head[..should].trim();
    let verdict = head[should..].trim();
    if filter.is_empty() {
        return form.to_string();
    }
    if find_word(entity, "where").is_some() {
        return format!("{form}; move the filter into the existing `where` with `and`");
    }
    format!("{form}: `{entity} where {filter} {verdict}`")
}

fn find_word(hay: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let at = from + i;
        let before_ok = hay[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !is_ident_char(c));
        let after_ok = hay[at + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_ident_char(c));
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// A hint for the grammatical context of a failure.
fn context_help(text: &str, pos: usize, positives: &[R]) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let has = |r: R| positives.contains(&r);
    if rest.starts_with("==") {
        return Some("GSL compares with a single `=`".into());
    }
    if rest.starts_with("&&") {
        return Some("combine conditions with `and`".into());
    }
    if rest.starts_with("||") {
        return Some("combine conditions with `or`".into());
    }
    if rest.starts_with('[') && has(R::list_kw) {
        return Some(
            "a predicate in brackets needs a list operator before it: `with [..]`, `contain [..]`, `contain-any [..]`, ..."
                .into(),
        );
    }
    if has(R::op_and) {
        // `a = 1 b = 2`: a second condition without a connective.
        let word = word_at(text, pos);
        let after = rest[word.len()..].trim_start();
        let looks_like_test = after.starts_with(['=', '!', '<', '>'])
            || ListOp::KEYWORDS
                .iter()
                .chain(&CmpOp::WORDS)
                .any(|k| find_word(after, k) == Some(0));
        if !word.is_empty() && !KEYWORDS.contains(&word) && looks_like_test {
            return Some(format!(
                "`{word}` starts another condition: join conditions with `and` or `or`"
            ));
        }
    }
    if rest.starts_with('!') && !rest.starts_with("!=") {
        return Some("negate a condition with `not`".into());
    }
    if has(R::kw_should) && has(R::kw_where) {
        return Some(
            "a rule reads `<Entity> should have <condition>` or `<Entity> should not have <condition>`; \
             a query reads `<Entity> where <condition>`"
                .into(),
        );
    }
    if has(R::kw_should) {
        if rest.starts_with("where") {
            return Some("a rule has one `where`; combine its conditions with `and`".into());
        }
        return Some("after the `where` filter comes `should have <condition>`".into());
    }
    if has(R::kw_have) {
        return Some("write `should have <condition>` or `should not have <condition>`".into());
    }
    if has(R::string) || has(R::number) {
        return Some(
            "values are strings in single quotes ('x'), numbers, `true`, `false` or `null`".into(),
        );
    }
    if has(R::tuple) {
        return Some("`in` takes a parenthesised list of values: `in ('a', 'b')`".into());
    }
    if has(R::regex) {
        return Some("`regexMatch` takes a pattern between slashes: `regexMatch /^abc$/i`".into());
    }
    if has(R::expr) || has(R::term) {
        return Some(
            "a condition starts with a property path (`status.isLogging`), `$`, `not` or `(`"
                .into(),
        );
    }
    if has(R::rparen) && has(R::comma) {
        return Some("separate values with `,` and close the list with `)`".into());
    }
    if has(R::op_and) || has(R::list_kw) || has(R::call_head) {
        return Some(
            "after a property write a comparison (`= 'x'`, `> 0`, `like '%x'`), a list operator \
             (`with [..]`), a function call (`isEmpty()`), or combine conditions with `and` / `or`"
                .into(),
        );
    }
    None
}
