//! Diagnostics for invalid filter patterns.
//!
//! Every error carries a stable code (`gsl::pattern::<kind>`), the byte span it
//! blames, an actionable help text, and the pattern itself as source code, so a
//! `miette` handler renders it without further context.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::span::Span;

/// What is wrong with a filter pattern. Each kind has a stable diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PatternErrorKind {
    /// The text does not follow the filter-pattern grammar.
    Syntax,
    /// More than 1024 characters.
    TooLong,
    /// A `{` (or `(`) without its closing partner, or the reverse.
    UnbalancedBrace,
    /// A `[` without its closing `]`.
    UnbalancedBracket,
    /// A string written with single quotes.
    SingleQuote,
    /// `$.a EXISTS` (CloudWatch only has `NOT EXISTS`).
    UnsupportedExists,
    /// `IS NOT NULL` and friends.
    UnsupportedIsNot,
    /// `==` instead of `=`.
    DoubleEquals,
    /// A keyword (`IS`, `NULL`, `NOT EXISTS`, ...) not written in upper case.
    KeywordCase,
    /// `<`, `>`, `<=`, `>=` with a value that is not a number.
    OrderNeedsNumber,
    /// A `%regex%` using syntax CloudWatch rejects.
    RegexSyntax,
    /// More than two regular expressions in one pattern.
    RegexQuota,
    /// More than one wildcard selector in a selector, or more than three in a pattern.
    WildcardQuota,
    /// Several fields in one slot of a space-delimited pattern.
    CrossFieldCondition,
    /// `...` more than once in a space-delimited pattern.
    MultipleEllipsis,
    /// An unterminated `"string"` or `%regex%`.
    Unterminated,
}

impl PatternErrorKind {
    /// The stable diagnostic code, e.g. `gsl::pattern::single_quote`.
    pub fn code(self) -> &'static str {
        use PatternErrorKind::*;
        match self {
            Syntax => "gsl::pattern::syntax",
            TooLong => "gsl::pattern::too_long",
            UnbalancedBrace => "gsl::pattern::unbalanced_brace",
            UnbalancedBracket => "gsl::pattern::unbalanced_bracket",
            SingleQuote => "gsl::pattern::single_quote",
            UnsupportedExists => "gsl::pattern::unsupported_exists",
            UnsupportedIsNot => "gsl::pattern::unsupported_is_not",
            DoubleEquals => "gsl::pattern::double_equals",
            KeywordCase => "gsl::pattern::keyword_case",
            OrderNeedsNumber => "gsl::pattern::order_needs_number",
            RegexSyntax => "gsl::pattern::regex_syntax",
            RegexQuota => "gsl::pattern::regex_quota",
            WildcardQuota => "gsl::pattern::wildcard_quota",
            CrossFieldCondition => "gsl::pattern::cross_field_condition",
            MultipleEllipsis => "gsl::pattern::multiple_ellipsis",
            Unterminated => "gsl::pattern::unterminated",
        }
    }
}

/// An invalid filter pattern: what, where, and how to fix it.
#[derive(Clone)]
pub struct PatternError {
    kind: PatternErrorKind,
    message: String,
    label: String,
    help: Option<String>,
    span: Span,
    src: Arc<NamedSource<String>>,
}

impl PatternError {
    pub(crate) fn new(
        kind: PatternErrorKind,
        src: &Arc<NamedSource<String>>,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        PatternError {
            kind,
            message: message.into(),
            label: label.into(),
            help: None,
            span,
            src: Arc::clone(src),
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> PatternErrorKind {
        self.kind
    }

    /// The stable diagnostic code, e.g. `gsl::pattern::unbalanced_brace`.
    pub fn code_str(&self) -> &'static str {
        self.kind.code()
    }

    /// The byte span of the pattern this error blames.
    pub fn span(&self) -> Span {
        self.span
    }

    /// The one-line message (same as `Display`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The help text, when there is one.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// The pattern text this error is about.
    pub fn source_text(&self) -> &str {
        self.src.inner()
    }
}

impl fmt::Debug for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatternError")
            .field("code", &self.kind.code())
            .field("message", &self.message)
            .field("span", &self.span)
            .finish()
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}

impl Diagnostic for PatternError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = if self.label.is_empty() {
            None
        } else {
            Some(self.label.clone())
        };
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            label,
            miette::SourceSpan::from(self.span),
        ))))
    }
}
