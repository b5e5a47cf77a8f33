//! Tab completion and multi-line validation for the interactive REPL.
//!
//! Completion is computed by [`complete`] (a pure function, tested directly); the
//! rustyline [`ReplHelper`] only adapts it.

use super::input::{self, Input};
use super::schema;
use super::session::{Knowledge, COMMANDS};
use gsl::entity::graph::PropertyInfo;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::Arc;

/// Does the input need more lines? True when a bracket or quote is still open and
/// the parser agrees that the text ends too early.
pub fn needs_more(src: &str) -> bool {
    if !input::is_open(src) {
        return false;
    }
    match input::classify(src) {
        Input::Rule(rule) => parser_wants_more(rule),
        _ => true,
    }
}

fn parser_wants_more(rule: &str) -> bool {
    gsl::lang::parser::parse_rule(rule)
        .err()
        .is_some_and(|e| e.is_incomplete())
}

/// The builtin function names, as offered by completion (`name(`).
pub fn builtins() -> Vec<String> {
    gsl::lang::eval::builtins::BUILTINS
        .iter()
        .map(|b| {
            if b.params.is_empty() {
                format!("{}()", b.name)
            } else {
                format!("{}(", b.name)
            }
        })
        .collect()
}

/// The hint shown after `name(` of a builtin that takes arguments: its parameters,
/// e.g. `n, unit)` after `after(`.
pub fn hint(line: &str, pos: usize) -> Option<String> {
    if pos != line.len() {
        return None;
    }
    let before = line.strip_suffix('(')?;
    let name_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    let name = &before[name_start..];
    let b = gsl::lang::eval::builtins::BUILTINS
        .iter()
        .find(|b| b.name == name && !b.params.is_empty())?;
    let params: Vec<&str> = b.params.iter().map(|p| p.name).collect();
    Some(format!("{})", params.join(", ")))
}

/// A completion: replace `line[start..pos]` with one of `candidates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Where the replaced text starts.
    pub start: usize,
    /// The replacements, sorted, without duplicates.
    pub candidates: Vec<String>,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '$')
}

/// Completions for `line` with the cursor at byte `pos`. `None`: nothing to offer
/// here (e.g. a file name for `:load`, handled by the caller).
pub fn complete(k: &Knowledge, line: &str, pos: usize) -> Option<Completion> {
    let pos = pos.min(line.len());
    let before = line.get(..pos)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(pos);
    // Inside a string literal: the word is everything after the quote.
    let start = open_quote(before).map(|q| q + 1).unwrap_or(start);
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
        return complete_command_args(k, rest, head, start, word);
    }
    Some(complete_expr(k, head, start, word, None))
}

/// The byte index of the `'` that opens a string still open at the end of `s`.
fn open_quote(s: &str) -> Option<usize> {
    let mut open: Option<usize> = None;
    let mut other: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' && (open.is_some() || other.is_some()) {
            escaped = true;
        } else if let Some(q) = other {
            if c == q {
                other = None;
            }
        } else if c == '\'' {
            open = if open.is_some() { None } else { Some(i) };
        } else if c == '"' && open.is_none() {
            other = Some(c);
        }
    }
    open
}

fn done(start: usize, mut candidates: Vec<String>) -> Completion {
    candidates.sort();
    candidates.dedup();
    Completion { start, candidates }
}

fn types_starting(k: &Knowledge, w: &str) -> Vec<String> {
    let lw = w.to_ascii_lowercase();
    k.types
        .iter()
        .filter(|(t, _)| t.to_ascii_lowercase().starts_with(&lw))
        .map(|(t, _)| t.clone())
        .collect()
}

fn complete_command_args(
    k: &Knowledge,
    rest: &str,
    head: &str,
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
    match (cmd, nargs) {
        ("show" | "schema", 0) => Some(done(start, types_starting(k, word))),
        ("show", _) => {
            // `:show T <filter>` is `T[<filter>`.
            let ty = rest.split_whitespace().nth(1).unwrap_or("");
            let args_at = head.find(ty).map(|i| i + ty.len()).unwrap_or(head.len());
            let synthetic = format!("{ty}[{}", &head[args_at..]);
            let c = complete_expr(k, &synthetic, start, word, Some(ty));
            Some(c)
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
            Some(complete_expr(k, &head[at..], start, word, None))
        }
        _ => None,
    }
}

/// A crude token of the text before the cursor.
#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Open(char),
    Close,
    Other,
}

fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if !is_word_char(d) {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(Tok::Word(&s[i..end]));
        } else if c == '\'' || c == '"' {
            let mut escaped = false;
            for (_, d) in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    break;
                }
            }
            out.push(Tok::Other);
        } else if matches!(c, '[' | '(' | '{') {
            out.push(Tok::Open(c));
        } else if matches!(c, ']' | ')' | '}') {
            out.push(Tok::Close);
        } else if !c.is_whitespace() {
            out.push(Tok::Other);
        }
    }
    out
}

fn is_list_op(w: &str) -> bool {
    matches!(
        w,
        "with" | "contain" | "contain-any" | "contain-all" | "contain-none" | "contain-single"
    )
}

/// Completion in a GSL expression (or a bare path). `head` is the text before the
/// word; `ty` overrides the entity type (for `:show`).
fn complete_expr(
    k: &Knowledge,
    head: &str,
    start: usize,
    word: &str,
    ty: Option<&str>,
) -> Completion {
    let toks = tokens(head);
    // Bare path `Type.a.b` (the word itself starts with the type).
    if toks.is_empty() && ty.is_none() {
        if let Some((t, rest)) = word.split_once('.') {
            if let Some(props) = k.schema_of(t) {
                return path_completion(props, &[], rest, start + t.len() + 1, false);
            }
        }
    }
    // First word: an entity type (also after `List<`).
    let ty = ty.or_else(|| {
        toks.iter().find_map(|t| match t {
            Tok::Word(w) => Some(*w),
            _ => None,
        })
    });
    let Some(ty) = ty else {
        let mut c = types_starting(k, word);
        if "List<"
            .to_ascii_lowercase()
            .starts_with(&word.to_ascii_lowercase())
            && !word.is_empty()
        {
            c.push("List<".into());
        }
        return done(start, c);
    };
    let (ty, list_form) = if ty == "List" {
        let inner = toks.iter().skip(1).find_map(|t| match t {
            Tok::Word(w) => Some(*w),
            _ => None,
        });
        match inner {
            Some(t) => (t, true),
            None => return done(start, types_starting(k, word)),
        }
    } else {
        (ty, false)
    };
    // After `List<` with nothing more: the type itself.
    if toks.len() == 2
        && list_form
        && matches!(toks.last(), Some(Tok::Other))
        && !head.contains('>')
    {
        return done(start, types_starting(k, word));
    }
    let props = k.schema_of(ty).unwrap_or(&[]);

    // The list context: a stack of property paths opened by `op [`.
    let mut stack: Vec<Vec<String>> = Vec::new();
    let mut brackets: Vec<bool> = Vec::new(); // true: a list context was pushed
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Open('[') => {
                let op = match i.checked_sub(1).map(|j| &toks[j]) {
                    Some(Tok::Word(w)) if is_list_op(w) => i.checked_sub(2).map(|j| &toks[j]),
                    _ => None,
                };
                let base: Vec<String> = stack.last().cloned().unwrap_or_default();
                match op {
                    Some(Tok::Word(p)) => {
                        let mut path = base;
                        path.extend(p.split('.').map(str::to_string));
                        stack.push(path);
                        brackets.push(true);
                    }
                    // `Type[` (bare-path filter) or `items with [` in `List<..>`.
                    _ => {
                        stack.push(base);
                        brackets.push(true);
                    }
                }
            }
            Tok::Open(_) => brackets.push(false),
            Tok::Close if brackets.pop() == Some(true) => {
                stack.pop();
            }
            _ => {}
        }
    }
    let mut ctx: Vec<String> = stack.last().cloned().unwrap_or_default();
    // `List<T> ... items with [`: the element of `items` is the entity.
    if list_form && ctx.first().map(String::as_str) == Some("items") {
        ctx.remove(0);
    }
    // A string value: `path = '..`, `path != '..`, `path like '..`.
    if head.ends_with('\'') {
        let mut rest = toks.iter().rev().skip_while(|t| **t == Tok::Other);
        let path = match rest.next() {
            Some(Tok::Word(w)) if matches!(*w, "like" | "unlike") => match rest.next() {
                Some(Tok::Word(p)) => Some(*p),
                _ => None,
            },
            Some(Tok::Word(p)) => Some(*p),
            _ => None,
        };
        let Some(path) = path else {
            return done(start, Vec::new());
        };
        let mut full = ctx.clone();
        full.extend(path.split('.').map(str::to_string));
        let c = k
            .values_of(ty, &full.join("."))
            .iter()
            .filter(|v| v.starts_with(word))
            .map(|v| format!("{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
            .collect();
        return done(start, c);
    }
    // `List<T> should have items ...`: at the top level the only property is `items`,
    // whose elements are the entities.
    if list_form && stack.is_empty() && !head.ends_with('\'') {
        if let Some(rest) = word.strip_prefix("items.") {
            return path_completion(props, &[], rest, start + "items.".len(), false);
        }
        let mut c = path_completion(&[], &[], word, start, true);
        if "items".starts_with(word) {
            c.candidates.push("items".into());
            c.candidates.sort();
        }
        return c;
    }
    // After the filter of a bare path: `Type[..].a.b`.
    let after_filter = matches!(toks.last(), Some(Tok::Close)) && word.starts_with('.');
    if after_filter && stack.is_empty() {
        return path_completion(props, &[], &word[1..], start + 1, false);
    }
    path_completion(props, &ctx, word, start, true)
}

fn path_completion(
    props: &[PropertyInfo],
    ctx: &[String],
    word: &str,
    start: usize,
    words: bool,
) -> Completion {
    let (prefix, partial, start) = match word.rfind('.') {
        Some(i) => (
            word[..i].split('.').map(str::to_string).collect::<Vec<_>>(),
            &word[i + 1..],
            start + i + 1,
        ),
        None => (Vec::new(), word, start),
    };
    let mut path = ctx.to_vec();
    path.extend(prefix.iter().cloned());
    let mut c: Vec<String> = schema::children(props, &path)
        .into_iter()
        .filter(|n| n.starts_with(partial))
        .collect();
    if words && prefix.is_empty() {
        c.extend(
            gsl::lang::parser::KEYWORDS
                .iter()
                // `List<` only starts a rule; offer keywords of expression position.
                .filter(|w| **w != "List" && w.starts_with(partial))
                .map(|s| s.to_string()),
        );
        c.extend(builtins().into_iter().filter(|b| b.starts_with(partial)));
    }
    done(start, c)
}

/// The rustyline helper: completion from the loaded graph, and the validator that
/// turns Enter into a newline while a bracket or quote is open.
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
                c.candidates
                    .into_iter()
                    .map(|s| Pair {
                        display: s.clone(),
                        replacement: s,
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

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if needs_more(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}
