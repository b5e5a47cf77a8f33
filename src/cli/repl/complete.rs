//! Tab completion for the interactive REPL, and whether an input needs more lines.
//!
//! Completion is computed by [`complete`] (a pure function, tested directly); the
//! rustyline [`ReplHelper`] only adapts it.

use super::session::COMMANDS;
use gsl::complete::Knowledge;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::Arc;

/// Does the input need more lines? True when a bracket or quote is still open and
/// the parser agrees that the text ends too early. The whole-text reference of what
/// [`input::Pending`] computes line by line (its tests compare the two).
#[cfg(test)]
pub fn needs_more(src: &str) -> bool {
    use super::input::{self, Input};
    if !input::is_open(src) {
        return false;
    }
    match input::classify(src) {
        Input::Rule(rule) => parser_wants_more(rule),
        _ => true,
    }
}

pub(super) fn parser_wants_more(rule: &str) -> bool {
    gsl::lang::parser::parse_rule(rule)
        .err()
        .is_some_and(|e| e.is_incomplete())
}

/// The hint shown after `name(` of a builtin that takes arguments: its parameters,
/// e.g. `n, unit)` after `after(`.
pub fn hint(line: &str, pos: usize) -> Option<String> {
    if pos != line.len() {
        return None;
    }
    gsl::complete::signature_hint(line)
}

/// A completion: replace `line[start..pos]` with one of `items`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Where the replaced text starts.
    pub start: usize,
    /// The labels of the candidates, sorted, without duplicates.
    pub candidates: Vec<String>,
    /// The candidates: label and the text inserted (a keyword with a space after it).
    pub items: Vec<gsl::complete::Item>,
}

impl From<gsl::complete::Completion> for Completion {
    fn from(c: gsl::complete::Completion) -> Self {
        Completion {
            start: c.start,
            candidates: c.labels(),
            items: c.items,
        }
    }
}

/// Plain candidates (commands, formats), inserted as they are shown.
fn done(start: usize, mut labels: Vec<String>) -> Completion {
    labels.sort();
    labels.dedup();
    let items = labels
        .iter()
        .map(|l| gsl::complete::Item {
            label: l.clone(),
            insert: l.clone(),
            kind: gsl::complete::Kind::Keyword,
            detail: None,
        })
        .collect();
    Completion {
        start,
        candidates: labels,
        items,
    }
}

/// Completions for `line` with the cursor at byte `pos`: the REPL's commands and their
/// arguments here, GSL from the library's engine ([`gsl::complete`]). `None`: nothing
/// to offer (e.g. a file name for `:load`, handled by the caller).
pub fn complete(k: &Knowledge, line: &str, pos: usize) -> Option<Completion> {
    let pos = pos.min(line.len());
    let before = line.get(..pos)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| gsl::complete::is_word_char(*c))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(pos);
    let word = &before[start..];
    let head = &before[..start];

    if head.trim() == ":" && head.ends_with(':') {
        let cands = COMMANDS
            .iter()
            .filter(|c| c.0.starts_with(word))
            .map(|c| format!(":{}", c.0))
            .collect();
        return Some(done(start - 1, cands));
    }
    if let Some(rest) = head.trim_start().strip_prefix(':') {
        return complete_command_args(k, rest, before, start, word);
    }
    Some(gsl::complete::complete_rule(k, before, pos, None).into())
}

fn types_starting(k: &Knowledge, w: &str) -> Vec<String> {
    let lw = w.to_ascii_lowercase();
    k.types
        .iter()
        .filter(|(t, _)| t.to_ascii_lowercase().starts_with(&lw))
        .map(|(t, _)| t.clone())
        .collect()
}

/// Completion of GSL that starts at byte `at` of `before` (after `:explain `), with
/// offsets of `before`.
fn complete_gsl_at(
    k: &Knowledge,
    before: &str,
    at: usize,
    ty: Option<&str>,
    prefix: &str,
) -> Completion {
    let text = format!("{prefix}{}", &before[at..]);
    let mut c = gsl::complete::complete_rule(k, &text, text.len(), ty);
    c.start = (c.start + at).saturating_sub(prefix.len());
    c.into()
}

fn complete_command_args(
    k: &Knowledge,
    rest: &str,
    before: &str,
    start: usize,
    word: &str,
) -> Option<Completion> {
    // `rest`: the command line after `:` up to the word being completed.
    let mut parts = rest.split_whitespace();
    let cmd = parts.next()?;
    let nargs = parts.count();
    let cmd = match cmd {
        "q" | "exit" => "quit",
        "h" | "?" => "help",
        c => c,
    };
    let head = &before[..start];
    match (cmd, nargs) {
        ("show" | "schema", 0) => Some(done(start, types_starting(k, word))),
        ("show", _) => {
            // `:show T <filter>` is `T[<filter>`.
            let ty = rest.split_whitespace().nth(1).unwrap_or("");
            let args_at = head.find(ty).map(|i| i + ty.len()).unwrap_or(head.len());
            Some(complete_gsl_at(k, before, args_at, Some(ty), "["))
        }
        ("format", 0) => Some(done(
            start,
            ["json", "text"]
                .iter()
                .filter(|f| f.starts_with(word))
                .map(|s| s.to_string())
                .collect(),
        )),
        ("help", 0) => Some(done(
            start,
            COMMANDS
                .iter()
                .map(|c| c.0)
                .chain(["functions"])
                .chain(gsl::lang::eval::builtins::BUILTINS.iter().map(|b| b.name))
                .filter(|c| c.starts_with(word))
                .map(str::to_string)
                .collect(),
        )),
        ("pattern", 0) => Some(done(
            start,
            ["test"]
                .iter()
                .filter(|f| f.starts_with(word))
                .map(|s| s.to_string())
                .collect(),
        )),
        ("explain", _) => {
            let at = head
                .find("explain")
                .map(|i| i + "explain".len())
                .unwrap_or(0);
            Some(complete_gsl_at(k, before, at, None, ""))
        }
        _ => None,
    }
}

/// The rustyline helper: completion from the loaded graph, and hints.
#[derive(Helper)]
pub struct ReplHelper {
    knowledge: Arc<Knowledge>,
    files: FilenameCompleter,
    color: bool,
}

impl ReplHelper {
    /// A helper over what a session knows.
    pub fn new(knowledge: Arc<Knowledge>) -> Self {
        ReplHelper {
            knowledge,
            files: FilenameCompleter::new(),
            color: false,
        }
    }

    /// Show hints dimmed (on a terminal without `NO_COLOR`).
    pub fn set_color(&mut self, color: bool) {
        self.color = color;
    }

    /// Replace what completion knows (after `:load`).
    pub fn set_knowledge(&mut self, knowledge: Arc<Knowledge>) {
        self.knowledge = knowledge;
    }

    /// The knowledge completion uses now.
    pub fn knowledge(&self) -> &Arc<Knowledge> {
        &self.knowledge
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with(":load ") {
            return self.files.complete(line, pos, ctx);
        }
        Ok(match complete(&self.knowledge, line, pos) {
            Some(c) => (
                c.start,
                c.items
                    .into_iter()
                    .map(|i| Pair {
                        display: i.label,
                        replacement: i.insert,
                    })
                    .collect(),
            ),
            None => (pos, Vec::new()),
        })
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }
}

impl Hinter for ReplHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        hint(line, pos)
    }
}

/// Enter always ends a line: the loop reads continuation lines itself, with the `...>`
/// prompt ([`super::CONTINUATION`]).
impl Validator for ReplHelper {
    fn validate(&self, _ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(ValidationResult::Valid(None))
    }
}
