//! Parse diagnostics for GSL rules.
//!
//! [`ParseErrors`] is what [`parse_rule`](crate::lang::parser::parse_rule) returns: the
//! source text (with its name) and every [`ParseError`] found in it, rendered by
//! miette as one report with each error as a related diagnostic. Every kind of error
//! has a stable code under `gsl::parse::` and an actionable `help`.

use miette::{Diagnostic, NamedSource, SourceSpan};
use std::fmt;

/// The span every [`ParseError`] is about (a `&` or `&mut` to it, as `$e` is).
macro_rules! primary_span {
    ($e:expr) => {
        match $e {
            ParseError::Syntax { span, .. }
            | ParseError::UnexpectedEnd { span, .. }
            | ParseError::Empty { span }
            | ParseError::KeywordTypo { span, .. }
            | ParseError::TypographicQuote { span, .. }
            | ParseError::DoubleQuotedString { span, .. }
            | ParseError::UnterminatedString { span, .. }
            | ParseError::UnterminatedRegex { span }
            | ParseError::UnclosedDelimiter { span, .. }
            | ParseError::MismatchedDelimiter { span, .. }
            | ParseError::UnmatchedDelimiter { span, .. }
            | ParseError::MissingSpace { span, .. }
            | ParseError::WhereAfterCondition { span, .. }
            | ParseError::UnquotedString { span, .. }
            | ParseError::BadRegex { span, .. }
            | ParseError::BadRegexFlag { span, .. }
            | ParseError::BadNumber { span }
            | ParseError::NumberUnderflow { span }
            | ParseError::TooDeep { span, .. }
            | ParseError::TooManyConditions { span, .. } => span,
        }
    };
}

/// One problem in a rule's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum ParseError {
    /// Something other than what the grammar allows at this point.
    #[error("unexpected {found}; expected {expected}")]
    #[diagnostic(code(gsl::parse::syntax))]
    Syntax {
        /// What was found, in words (e.g. "`)`", "word `running`").
        found: String,
        /// What would have been accepted, in words.
        expected: String,
        /// Where.
        #[label("{label}")]
        span: SourceSpan,
        /// A short label for the span.
        label: String,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },

    /// The text ends before the rule is complete.
    #[error("unexpected end of rule; expected {expected}")]
    #[diagnostic(code(gsl::parse::unexpected_end))]
    UnexpectedEnd {
        /// What would have been accepted, in words.
        expected: String,
        /// The end of the text.
        #[label("expected {expected} after this")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: Option<String>,
    },

    /// Nothing but whitespace and comments.
    #[error("empty rule")]
    #[diagnostic(
        code(gsl::parse::empty),
        help("write a rule such as `CloudTrail should have isMultiRegionTrail=true`")
    )]
    Empty {
        /// The end of the text.
        #[label("no rule here")]
        span: SourceSpan,
    },

    /// A misspelt (or wrongly capitalised) keyword.
    #[error("unknown keyword `{found}`")]
    #[diagnostic(code(gsl::parse::keyword_typo))]
    KeywordTypo {
        /// The word as written.
        found: String,
        /// The keyword it most likely stands for.
        suggestion: String,
        /// Where.
        #[label("did you mean `{suggestion}`?")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `‘x’` or `“x”`: typographic quotes, as pasted from a word processor.
    #[error("typographic quote `{quote}`")]
    #[diagnostic(code(gsl::parse::typographic_quote))]
    TypographicQuote {
        /// The quote character.
        quote: char,
        /// The string literal it opens or closes.
        #[label("not a straight quote")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `"x"`: GSL strings use single quotes.
    #[error("double-quoted string")]
    #[diagnostic(code(gsl::parse::double_quoted_string))]
    DoubleQuotedString {
        /// The string literal.
        #[label("GSL strings use single quotes")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A string literal without its closing quote.
    #[error("unterminated string")]
    #[diagnostic(code(gsl::parse::unterminated_string))]
    UnterminatedString {
        /// The opening quote.
        #[label("this string is never closed")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A regular expression literal without its closing slash.
    #[error("unterminated regular expression")]
    #[diagnostic(
        code(gsl::parse::unterminated_regex),
        help("close the pattern with `/` on the same line, e.g. `/^abc$/i`; write a slash inside it as `\\/`")
    )]
    UnterminatedRegex {
        /// The opening slash.
        #[label("this regular expression is never closed")]
        span: SourceSpan,
    },

    /// `[` or `(` without its closing partner.
    #[error("unclosed `{open}`")]
    #[diagnostic(code(gsl::parse::unclosed_delimiter))]
    UnclosedDelimiter {
        /// The opening character.
        open: char,
        /// The closing character it needs.
        close: char,
        /// The opening character's position.
        #[label("this `{open}` is never closed")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `[` closed by `)` or the reverse.
    #[error("`{open}` closed by `{found}`")]
    #[diagnostic(code(gsl::parse::mismatched_delimiter))]
    MismatchedDelimiter {
        /// The opening character.
        open: char,
        /// The closing character found.
        found: char,
        /// Where the opener is.
        #[label("`{open}` opened here")]
        open_span: SourceSpan,
        /// Where the wrong closer is.
        #[label("expected the matching closer here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `]` or `)` with nothing open.
    #[error("unmatched `{found}`")]
    #[diagnostic(code(gsl::parse::unmatched_delimiter))]
    UnmatchedDelimiter {
        /// The closing character.
        found: char,
        /// Where.
        #[label("nothing to close here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `networkAssetsStatslength()`: a property name run into a function call.
    #[error("missing space before `{function}()`")]
    #[diagnostic(code(gsl::parse::missing_space))]
    MissingSpace {
        /// The function name at the end of the word.
        function: String,
        /// The word as it should be written.
        suggestion: String,
        /// The word.
        #[label("did you mean `{suggestion}`?")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `... should have X where name='y'`.
    #[error("`where` must come before `should`")]
    #[diagnostic(code(gsl::parse::where_after_condition))]
    WhereAfterCondition {
        /// The misplaced `where` and its expression.
        #[label("this filter belongs after the entity type")]
        span: SourceSpan,
        /// The rule form, and the rule rewritten.
        #[help]
        help: String,
    },

    /// A bare word where a value is expected: `scope = x`.
    #[error("bare word `{word}` where a value is expected")]
    #[diagnostic(code(gsl::parse::unquoted_string))]
    UnquotedString {
        /// The word.
        word: String,
        /// Where.
        #[label("not a value")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// A regular expression the `regex` crate rejects.
    #[error("invalid regular expression: {message}")]
    #[diagnostic(
        code(gsl::parse::bad_regex),
        help("the pattern uses Rust `regex` syntax (no look-around or back-references); escape special characters with `\\`")
    )]
    BadRegex {
        /// What is wrong.
        message: String,
        /// The offending part of the pattern.
        #[label("{message}")]
        span: SourceSpan,
    },

    /// A regex flag other than `i`, `m`, `s`, `x`.
    #[error("unknown regular expression flag `{flag}`")]
    #[diagnostic(
        code(gsl::parse::bad_regex_flag),
        help("flags are `i` (ignore case), `m` (multi-line), `s` (`.` matches newlines) and `x` (verbose), each at most once")
    )]
    BadRegexFlag {
        /// The flag.
        flag: char,
        /// Where.
        #[label("unknown or repeated flag")]
        span: SourceSpan,
    },

    /// A number that does not fit a 64-bit float.
    #[error("number out of range")]
    #[diagnostic(
        code(gsl::parse::bad_number),
        help("numbers must fit a 64-bit floating point value")
    )]
    BadNumber {
        /// Where.
        #[label("too large")]
        span: SourceSpan,
    },

    /// A non-zero number too small for a 64-bit float (`1e-999999`), which would
    /// silently become 0.
    #[error("number too small: it would be read as 0")]
    #[diagnostic(
        code(gsl::parse::number_underflow),
        help("numbers must fit a 64-bit floating point value (the smallest is about 5e-324); write 0 if 0 is meant")
    )]
    NumberUnderflow {
        /// Where.
        #[label("too small")]
        span: SourceSpan,
    },

    /// Brackets or `not`s nested beyond what the parser accepts.
    #[error("rule nested too deeply")]
    #[diagnostic(
        code(gsl::parse::too_deep),
        help("split the rule or remove redundant parentheses and `not`s (the limit is {limit} levels)")
    )]
    TooDeep {
        /// The nesting limit.
        limit: usize,
        /// Where the limit was crossed.
        #[label("too deep")]
        span: SourceSpan,
    },

    /// More `and` / `or` connectives than one rule may hold.
    #[error("rule has too many conditions")]
    #[diagnostic(
        code(gsl::parse::too_many_conditions),
        help("split the rule into several policies (the limit is {limit} `and` / `or` connectives per rule)")
    )]
    TooManyConditions {
        /// The limit.
        limit: usize,
        /// Where the limit was crossed.
        #[label("one too many")]
        span: SourceSpan,
    },
}

impl ParseError {
    /// The primary span of the error (where the label points).
    pub fn span(&self) -> SourceSpan {
        *primary_span!(self)
    }

    /// The stable diagnostic code, e.g. `gsl::parse::syntax`.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// True for errors that only mean "the text stops inside an open `[`, `(` or string".
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            ParseError::UnclosedDelimiter { .. } | ParseError::UnterminatedString { .. }
        )
    }

    /// Move every span by `f` (used to map spans of a repaired text back to the original).
    pub(crate) fn map_spans(&mut self, f: &dyn Fn(usize) -> usize) {
        let remap = |s: &mut SourceSpan| {
            let start = f(s.offset());
            let end = f(s.offset() + s.len()).max(start);
            *s = (start, end - start).into();
        };
        if let ParseError::MismatchedDelimiter { open_span, .. } = self {
            remap(open_span);
        }
        remap(primary_span!(self));
    }
}

/// Every error found in one source text, with that text.
///
/// Renders (through `miette::Report::new(errors)`) as a summary line followed by each
/// error, with a snippet of the named source.
#[derive(Debug, Clone, thiserror::Error)]
pub struct ParseErrors {
    src: NamedSource<String>,
    text: String,
    errors: Vec<ParseError>,
}

impl ParseErrors {
    /// Errors for `text` (named `name` in diagnostics). `errors` should not be empty.
    pub fn new(name: &str, text: &str, errors: Vec<ParseError>) -> Self {
        ParseErrors {
            src: NamedSource::new(name, text.to_string()),
            text: text.to_string(),
            errors,
        }
    }

    /// The errors, in source order.
    pub fn errors(&self) -> &[ParseError] {
        &self.errors
    }

    /// The first error in words, and how many more there are: a one-line summary
    /// for reports and logs (the `Display` form names only the source).
    pub fn summary(&self) -> String {
        match self.errors.as_slice() {
            [] => "invalid rule".to_string(),
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        }
    }

    /// The diagnostic codes of the errors, in order (for tests and machine output).
    pub fn codes(&self) -> Vec<String> {
        self.errors.iter().map(ParseError::code_str).collect()
    }

    /// The source name given to the parser (a file path, `<rule>`, ...).
    pub fn source_name(&self) -> &str {
        self.src.name()
    }

    /// The source text that was parsed.
    pub fn source_text(&self) -> &str {
        &self.text
    }

    /// True when the only problem is that the text ends inside an open `[`, `(` or
    /// string: more input could complete it (the REPL then reads another line).
    pub fn is_incomplete(&self) -> bool {
        !self.errors.is_empty() && self.errors.iter().all(ParseError::is_incomplete)
    }
}

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => write!(f, "invalid rule in {}", self.src.name()),
            n => write!(f, "invalid rule in {} ({n} errors)", self.src.name()),
        }
    }
}

impl Diagnostic for ParseErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("gsl::parse::invalid_rule"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}
