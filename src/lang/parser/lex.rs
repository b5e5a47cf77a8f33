//! A lexical pre-scan of the source, run before the grammar, over the tokens of
//! [`crate::lang::lexer`].
//!
//! It finds what a PEG parser reports badly or too late: unterminated strings and
//! regular expressions, unbalanced brackets (pointing at the *opening* one),
//! typographic and double quotes (with a repair so parsing can go on), invalid regular
//! expressions (pointing inside the literal), and nesting deep enough to exhaust the
//! stack.

use crate::lang::error::ParseError;
use crate::lang::lexer::{Lexer, Quote, TokenKind};
use miette::SourceSpan;

/// Deepest bracket nesting accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// Most `not` keywords accepted in one rule (each nests the rest of its operand).
pub(crate) const MAX_NOTS: usize = 1000;
/// Most `and` / `or` keywords accepted in one rule. Flat chains do not nest (the parser
/// balances long ones), so this only bounds the work a rule asks for.
pub(crate) const MAX_CONNECTIVES: usize = 100_000;

/// A textual repair: replace `start..end` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The outcome of the scan.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Problems found, in source order.
    pub errors: Vec<ParseError>,
    /// Repairs that let the grammar run on (quote fixes).
    pub edits: Vec<Edit>,
    /// An error after which running the grammar is pointless.
    pub fatal: bool,
    /// Brackets left open at the end of the text.
    pub unclosed: bool,
}

fn span(start: usize, end: usize) -> SourceSpan {
    (start, end.saturating_sub(start)).into()
}

/// A single-quoted GSL string holding `content`.
pub(crate) fn quote(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + 2);
    out.push('\'');
    for c in content.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Scan `src`.
pub(crate) fn scan(src: &str) -> Scan {
    let mut out = Scan::default();
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut nots = 0usize;
    let mut connectives = 0usize;
    let mut lexer = Lexer::new(src);
    while let Some(token) = lexer.next() {
        let p = token.start;
        match token.kind {
            TokenKind::Regex { closed: false, .. } => {
                out.errors.push(ParseError::UnterminatedRegex {
                    span: span(p, p + 1),
                });
                out.fatal = true;
                return out;
            }
            TokenKind::Regex {
                closed: true,
                flags,
            } => {
                check_regex(src, p + 1, flags - 1, flags, token.end, &mut out);
            }
            TokenKind::Str {
                quote: Quote::Single,
                closed: false,
            } => {
                // A straight opening quote closed by a typographic one?
                let body = p + 1;
                let Some((k, q)) = src[body..]
                    .char_indices()
                    .find(|&(_, c)| matches!(c, '’' | '‘'))
                else {
                    out.errors.push(ParseError::UnterminatedString {
                        span: span(p, p + 1),
                        help: unterminated_help(src, p),
                    });
                    out.fatal = true;
                    return out;
                };
                let j = body + k;
                out.errors.push(ParseError::TypographicQuote {
                    quote: q,
                    span: span(j, j + q.len_utf8()),
                    help: format!(
                        "use a straight single quote `'` instead of `{q}`: {}",
                        quote(&substr(src, body, j))
                    ),
                });
                out.edits.push(Edit {
                    start: j,
                    end: j + q.len_utf8(),
                    text: "'".into(),
                });
                lexer.seek(j + q.len_utf8());
            }
            TokenKind::Str {
                quote: Quote::Single,
                closed: true,
            } => {}
            TokenKind::Str { closed: false, .. } => {
                out.errors.push(ParseError::UnterminatedString {
                    span: span(p, p + 1),
                    help: unterminated_help(src, p),
                });
                out.fatal = true;
                return out;
            }
            TokenKind::Str {
                quote: q,
                closed: true,
            } => {
                let c = src[p..].chars().next().unwrap_or('"');
                let close = src[..token.end]
                    .chars()
                    .next_back()
                    .map_or(0, char::len_utf8);
                let content = unescape_loose(&substr(src, p + c.len_utf8(), token.end - close));
                let fixed = quote(&content);
                let whole = span(p, token.end);
                if q == Quote::Double {
                    out.errors.push(ParseError::DoubleQuotedString {
                        span: whole,
                        help: format!("GSL strings use single quotes: write {fixed}"),
                    });
                } else {
                    out.errors.push(ParseError::TypographicQuote {
                        quote: c,
                        span: whole,
                        help: format!("use straight single quotes: write {fixed}"),
                    });
                }
                out.edits.push(Edit {
                    start: p,
                    end: token.end,
                    text: fixed,
                });
            }
            TokenKind::Open(c @ ('[' | '(')) => {
                stack.push((c, p));
                if stack.len() > MAX_DEPTH {
                    out.errors.push(ParseError::TooDeep {
                        limit: MAX_DEPTH,
                        span: span(p, p + 1),
                    });
                    out.fatal = true;
                    return out;
                }
            }
            TokenKind::Close(c @ (']' | ')')) => {
                let want = if c == ']' { '[' } else { '(' };
                match stack.pop() {
                    Some((open, _)) if open == want => {}
                    Some((open, op)) => {
                        let close = if open == '[' { ']' } else { ')' };
                        out.errors.push(ParseError::MismatchedDelimiter {
                            open,
                            found: c,
                            open_span: span(op, op + 1),
                            span: span(p, p + 1),
                            help: format!("close `{open}` with `{close}` before `{c}`"),
                        });
                        out.fatal = true;
                        return out;
                    }
                    None => {
                        out.errors.push(ParseError::UnmatchedDelimiter {
                            found: c,
                            span: span(p, p + 1),
                            help: format!(
                                "remove this `{c}` or add the matching `{want}` before it"
                            ),
                        });
                        out.fatal = true;
                        return out;
                    }
                }
            }
            TokenKind::Word => {
                let word = token.text(src);
                let count = match word {
                    "not" => Some((&mut nots, MAX_NOTS)),
                    "and" | "or" => Some((&mut connectives, MAX_CONNECTIVES)),
                    _ => None,
                };
                if let Some((n, limit)) = count {
                    *n += 1;
                    if *n > limit {
                        out.errors.push(if limit == MAX_NOTS {
                            ParseError::TooDeep {
                                limit,
                                span: span(p, token.end),
                            }
                        } else {
                            ParseError::TooManyConditions {
                                limit,
                                span: span(p, token.end),
                            }
                        });
                        out.fatal = true;
                        return out;
                    }
                }
            }
            _ => {}
        }
    }
    for (open, p) in stack {
        let close = if open == '[' { ']' } else { ')' };
        let what = if open == '[' {
            "the list operator's predicate"
        } else {
            "the group or list"
        };
        out.errors.push(ParseError::UnclosedDelimiter {
            open,
            close,
            span: span(p, p + 1),
            help: format!("add `{close}` to close {what} opened here"),
        });
        out.unclosed = true;
    }
    out.errors.sort_by_key(|e| e.span().offset());
    out
}

/// Help for a string opened at `p` and never closed.
fn unterminated_help(src: &str, p: usize) -> String {
    let escapes = "inside a string write a quote as `\\'` and a backslash as `\\\\`";
    if src[..p].ends_with(|c: char| c.is_alphanumeric()) {
        // `'it's'`: an apostrophe ended the string early and this quote opened another.
        format!(
            "a quote right after a word often means an earlier quote was an apostrophe that \
             ended a string too soon; {escapes}"
        )
    } else {
        format!("close the string with `'`; {escapes}")
    }
}

fn substr(src: &str, start: usize, end: usize) -> String {
    src.get(start..end).unwrap_or("").to_string()
}

/// Resolve `\x` escapes to `x` (for repairing double-quoted strings).
fn unescape_loose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(d) = it.next() {
                if d != '\'' && d != '\\' && d != '"' {
                    out.push('\\');
                }
                out.push(d);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Validate the regex literal whose body is `body_start..body_end` and whose flags
/// are `flags_start..flags_end`.
fn check_regex(
    src: &str,
    body_start: usize,
    body_end: usize,
    flags_start: usize,
    flags_end: usize,
    out: &mut Scan,
) {
    let flags = src.get(flags_start..flags_end).unwrap_or("");
    let mut seen = String::new();
    for (k, f) in flags.char_indices() {
        if !"imsx".contains(f) || seen.contains(f) {
            out.errors.push(ParseError::BadRegexFlag {
                flag: f,
                span: span(flags_start + k, flags_start + k + f.len_utf8()),
            });
        }
        seen.push(f);
    }
    let (pattern, offsets) = unescape_regex(src.get(body_start..body_end).unwrap_or(""));
    if let Err(message) = validate_regex(&pattern, flags) {
        let (at, len) = message.1;
        // Map pattern offsets back to source offsets.
        let to_src = |o: usize| offsets.get(o).map(|&x| body_start + x).unwrap_or(body_end);
        let start = to_src(at);
        let end = if len == 0 {
            start
        } else {
            to_src(at + len).max(start)
        };
        let end = if end == start && start < body_end {
            start + src[start..].chars().next().map_or(0, char::len_utf8)
        } else {
            end
        };
        out.errors.push(ParseError::BadRegex {
            message: message.0,
            span: span(start, end),
        });
    }
}

/// The pattern of a regex body (`\/` resolved to `/`), and for each byte of the
/// pattern (plus one past the end) its offset in the body.
pub(crate) fn unescape_regex(body: &str) -> (String, Vec<usize>) {
    let mut pattern = String::with_capacity(body.len());
    let mut offsets = Vec::with_capacity(body.len() + 1);
    let mut it = body.char_indices().peekable();
    while let Some((k, c)) = it.next() {
        if c == '\\' && it.peek().is_some_and(|&(_, d)| d == '/') {
            it.next();
            offsets.push(k);
            pattern.push('/');
        } else {
            for _ in 0..c.len_utf8() {
                offsets.push(k);
            }
            pattern.push(c);
        }
    }
    offsets.push(body.len());
    (pattern, offsets)
}

/// Check a pattern with the `regex` crate's syntax; on error, the message and the
/// offending `(offset, len)` within the pattern.
pub(crate) fn validate_regex(pattern: &str, flags: &str) -> Result<(), (String, (usize, usize))> {
    let mut parser = regex_syntax::ParserBuilder::new()
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .dot_matches_new_line(flags.contains('s'))
        .ignore_whitespace(flags.contains('x'))
        .build();
    match parser.parse(pattern) {
        Ok(_) => Ok(()),
        Err(regex_syntax::Error::Parse(e)) => {
            let s = e.span();
            Err((
                e.kind().to_string(),
                (s.start.offset, s.end.offset - s.start.offset),
            ))
        }
        Err(regex_syntax::Error::Translate(e)) => {
            let s = e.span();
            Err((
                e.kind().to_string(),
                (s.start.offset, s.end.offset - s.start.offset),
            ))
        }
        Err(e) => Err((e.to_string(), (0, pattern.len()))),
    }
}

/// The byte range of the last token of `text` (comments and whitespace aside): a word
/// with the hyphens in it (`contain-any`), a regular expression's flags when it has
/// some, else the whole literal.
pub(crate) fn last_token(text: &str) -> Option<(usize, usize)> {
    let mut last: Option<(usize, usize)> = None;
    let mut in_word = false;
    for t in Lexer::new(text) {
        let word_part = match t.kind {
            TokenKind::Comment | TokenKind::Space => {
                in_word = false;
                continue;
            }
            TokenKind::Word => true,
            TokenKind::Punct('-') => in_word,
            _ => false,
        };
        last = match (last, t.kind) {
            (Some((start, end)), _) if word_part && in_word && end == t.start => {
                Some((start, t.end))
            }
            (_, TokenKind::Regex { flags, .. }) if flags < t.end => Some((flags, t.end)),
            (_, TokenKind::Regex { flags, .. }) => Some((t.start, flags)),
            _ => Some((t.start, t.end)),
        };
        in_word = word_part;
    }
    last
}
