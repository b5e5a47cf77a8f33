//! The REPL's own errors, and re-homing another diagnostic onto the text the user
//! typed (for REPL syntax that is rewritten to GSL before parsing).

use miette::{Diagnostic, LabeledSpan, SourceCode};
use std::fmt;
use std::sync::Arc;

/// A REPL-level error: unknown command, unknown type, bad usage, unreadable file.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ReplError {
    /// `:frobnicate`.
    #[error("unknown command `:{name}`")]
    #[diagnostic(code(gsl::repl::unknown_command))]
    UnknownCommand {
        /// The command as typed.
        name: String,
        /// Did you mean / see :help.
        #[help]
        help: String,
    },
    /// A command typed without its colon (`clear`, `help`, `exit`).
    #[error("`{word}` is not an entity type of the snapshot")]
    #[diagnostic(code(gsl::repl::bare_command))]
    BareCommand {
        /// The word as typed.
        word: String,
        /// The command to type instead.
        #[help]
        help: String,
    },
    /// A path reaching nothing on any entity.
    #[error("no entity of type {ty} has `{path}`")]
    #[diagnostic(code(gsl::repl::no_such_property))]
    NoSuchProperty {
        /// Entity type.
        ty: String,
        /// The path as written.
        path: String,
        /// The input.
        #[source_code]
        src: String,
        /// The first segment that is not there.
        #[label("not on any {ty}")]
        span: miette::SourceSpan,
        /// Did you mean / the properties there.
        #[help]
        help: String,
    },
    /// A condition without an entity type.
    #[error("a condition alone is not a rule")]
    #[diagnostic(code(gsl::repl::lone_condition))]
    LoneCondition {
        /// How to write it.
        #[help]
        help: String,
    },
    /// A command used wrongly.
    #[error("{message}")]
    #[diagnostic(code(gsl::repl::usage))]
    Usage {
        /// What is wrong.
        message: String,
        /// The command's usage line.
        #[help]
        usage: String,
    },
}

/// "did you mean `x`?" for the closest candidate, if any is close enough.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    gsl::text::did_you_mean(wanted, candidates)
}

/// An owned copy of a diagnostic (and its related ones) whose labels are moved by
/// `delta` bytes and clamped into `src`, shown against `src`.
#[derive(Debug)]
pub struct Rehomed {
    message: String,
    code: Option<String>,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rehomed>,
    src: Arc<String>,
}

impl Rehomed {
    /// Copy `diag`, mapping offset `o` in its source to `o - from + to` in `src`.
    pub fn new(diag: &dyn Diagnostic, src: Arc<String>, from: usize, to: usize) -> Self {
        let len = src.len();
        let labels = diag
            .labels()
            .map(|ls| {
                ls.map(|l| {
                    let start = (l.offset() + to).saturating_sub(from).clamp(to, len);
                    let end = (l.offset() + l.len() + to)
                        .saturating_sub(from)
                        .clamp(start, len);
                    let span = (start, end - start);
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(l.label().map(str::to_string), span)
                    } else {
                        LabeledSpan::new_with_span(l.label().map(str::to_string), span)
                    }
                })
                .collect()
            })
            .unwrap_or_default();
        let related = diag
            .related()
            .map(|r| r.map(|d| Rehomed::new(d, src.clone(), from, to)).collect())
            .unwrap_or_default();
        Rehomed {
            message: diag.to_string(),
            code: diag.code().map(|c| c.to_string()),
            help: diag.help().map(|h| h.to_string()),
            labels,
            related,
            src,
        }
    }
}

impl fmt::Display for Rehomed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rehomed {}

impl Diagnostic for Rehomed {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("bad")]
    struct Bad {
        #[label("here")]
        at: (usize, usize),
    }

    #[test]
    fn rehomed_labels_move_and_clamp() {
        let src = Arc::new("Trail[x = ]".to_string());
        // Synthesized: "Trail where x = " with the filter at 12; typed at 6.
        let d = Rehomed::new(&Bad { at: (14, 2) }, src.clone(), 12, 6);
        let l: Vec<LabeledSpan> = d.labels().into_iter().flatten().collect();
        assert_eq!((l[0].offset(), l[0].len()), (8, 2));
        let d = Rehomed::new(&Bad { at: (0, 5) }, src, 12, 6);
        let l: Vec<LabeledSpan> = d.labels().into_iter().flatten().collect();
        assert_eq!(l[0].offset(), 6);
        assert_eq!(d.to_string(), "bad");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("CloudTrial", ["CloudTrail", "LogGroup"]).as_deref(),
            Some("did you mean `CloudTrail`?")
        );
        assert_eq!(did_you_mean("zzz", ["CloudTrail"]), None);
    }
}
