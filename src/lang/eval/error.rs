//! Runtime errors: what makes one object's outcome `error` (the rule itself checked
//! clean, but the data or the clock makes a builtin or operator inapplicable).

use crate::span::Span;

/// Stable codes of runtime errors.
pub mod codes {
    /// A list operator applied to a computed number or boolean.
    pub const NOT_A_LIST: &str = "gsl::eval::not_a_list";
    /// A builtin applied to a value it does not take (e.g. `length()` of a number).
    pub const BAD_VALUE: &str = "gsl::eval::bad_value";
    /// A builtin argument that cannot be used with this data or clock (e.g. a date
    /// bound out of range).
    pub const BAD_ARGUMENT: &str = "gsl::eval::bad_argument";
}

/// Why a rule could not be evaluated on one object.
#[derive(Debug, Clone, PartialEq, thiserror::Error, miette::Diagnostic)]
pub enum EvalError {
    /// A list operator applied to a computed number or boolean.
    #[error("`{op}` needs a list, found the computed value {found}")]
    #[diagnostic(
        code(gsl::eval::not_a_list),
        help("apply list operators to a property holding a list")
    )]
    NotAList {
        /// The operator keyword.
        op: &'static str,
        /// The value found, in words.
        found: String,
        /// The operator.
        #[label("not applied to a list")]
        span: Span,
    },
    /// A builtin applied to a value it does not take.
    #[error("{builtin}: {message}")]
    #[diagnostic(
        code(gsl::eval::bad_value),
        help("check the property's type in the snapshot (`:schema` in the REPL shows it)")
    )]
    BadValue {
        /// The builtin.
        builtin: &'static str,
        /// What is wrong with the value.
        message: String,
        /// The call.
        #[label("cannot apply to this value")]
        span: Span,
    },
    /// A builtin argument that cannot be used here.
    #[error("{builtin}: {message}")]
    #[diagnostic(
        code(gsl::eval::bad_argument),
        help("use a smaller count, or a whole number with months and years")
    )]
    BadArgument {
        /// The builtin.
        builtin: &'static str,
        /// What is wrong with the argument.
        message: String,
        /// The argument.
        #[label("this argument")]
        span: Span,
    },
}

impl EvalError {
    /// The stable code (see [`codes`]).
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::NotAList { .. } => codes::NOT_A_LIST,
            EvalError::BadValue { .. } => codes::BAD_VALUE,
            EvalError::BadArgument { .. } => codes::BAD_ARGUMENT,
        }
    }

    /// Where in the rule the error is blamed.
    pub fn span(&self) -> Span {
        match self {
            EvalError::NotAList { span, .. }
            | EvalError::BadValue { span, .. }
            | EvalError::BadArgument { span, .. } => *span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_spans() {
        let e = EvalError::BadArgument {
            builtin: "before",
            message: "date out of range".into(),
            span: Span::new(3, 7),
        };
        assert_eq!(e.code(), codes::BAD_ARGUMENT);
        assert_eq!(e.span(), Span::new(3, 7));
        assert_eq!(e.to_string(), "before: date out of range");
        let d: &dyn miette::Diagnostic = &e;
        assert_eq!(
            d.code().map(|c| c.to_string()).as_deref(),
            Some(codes::BAD_ARGUMENT)
        );
    }
}
