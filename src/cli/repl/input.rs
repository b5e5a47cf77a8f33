//! Reading a line: is it a command, a bare-path query or a rule, and is it complete?

use super::schema::Step;
use gsl::lang::lexer::{is_ident_char, Lexer, Quote, TokenKind};

/// What a (complete) input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input<'a> {
    /// Nothing but whitespace (or a `#` comment).
    Empty,
    /// `:name args`.
    Command {
        /// The command name without the colon.
        name: &'a str,
        /// Everything after the name, trimmed.
        args: &'a str,
    },
    /// `Type`, `Type[expr]`, `Type.a.b`, `Type[expr].a[0].b`.
    Path(BarePath<'a>),
    /// Anything else: a GSL rule or query.
    Rule(&'a str),
}

/// A bare-path query, REPL syntax on top of GSL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarePath<'a> {
    /// The entity type as written.
    pub ty: &'a str,
    /// The filter inside the first brackets (a GSL expression) and its byte offset
    /// in the input.
    pub filter: Option<(&'a str, usize)>,
    /// `Type[n]`: only the n-th entity of the type (in snapshot order).
    pub pick: Option<usize>,
    /// The steps after the type (and filter).
    pub steps: Vec<Step>,
    /// The steps as written (`metricFilters[0].filterPattern`), for messages.
    pub written: &'a str,
    /// The byte offset of `written` in the input.
    pub written_at: usize,
}

/// Classify a complete input. `src` is the whole (possibly multi-line) input.
pub fn classify(src: &str) -> Input<'_> {
    let t = src.trim();
    if t.is_empty() || t.starts_with('#') {
        return Input::Empty;
    }
    if let Some(rest) = t.strip_prefix(':') {
        let (name, args) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        return Input::Command { name, args };
    }
    let offset = src.len() - src.trim_start().len();
    match bare_path(t, offset) {
        Some(p) => Input::Path(p),
        None => Input::Rule(t),
    }
}

/// Parse `Type[filter]?(.key|[n])*`; `None` when the text is not of that shape.
fn bare_path(t: &str, offset: usize) -> Option<BarePath<'_>> {
    let ty_end = t.find(|c: char| !is_ident_char(c)).unwrap_or(t.len());
    let ty = &t[..ty_end];
    if ty.is_empty() || !ty.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut rest = &t[ty_end..];
    let mut pos = ty_end;
    let mut filter = None;
    let mut pick = None;
    if rest.starts_with('[') {
        let close = matching_bracket(rest)?;
        let inner = &rest[1..close];
        match inner.trim().parse::<usize>() {
            Ok(n) => pick = Some(n),
            Err(_) => filter = Some((inner, offset + pos + 1)),
        }
        rest = &rest[close + 1..];
        pos += close + 1;
    }
    let written = &t[pos..];
    let (written, written_at) = match written.strip_prefix('.') {
        Some(w) => (w, offset + pos + 1),
        None => (written, offset + pos),
    };
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(|c: char| !is_ident_char(c)).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            steps.push(Step::Key(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let n = r[..end].trim().parse::<usize>().ok()?;
            steps.push(Step::Index(n));
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(BarePath {
        ty,
        filter,
        pick,
        steps,
        written,
        written_at,
    })
}

/// Where a line-by-line scan stands at a line end: the bracket depth, and the string
/// still open (a string is the one token that runs over a line end). Commands (`:...`)
/// are scanned without regular expressions: their filter patterns and file names use
/// `/` freely.
#[derive(Debug, Clone, Copy, Default)]
struct LineScan {
    depth: usize,
    open: Option<Quote>,
    command: Option<bool>,
}

impl LineScan {
    /// Scan `s` on from this state.
    fn feed(&mut self, s: &str) {
        let command = *self
            .command
            .get_or_insert_with(|| s.trim_start().starts_with(':'));
        let mut lexer = match self.open.take() {
            Some(q) => Lexer::inside(s, q),
            None => Lexer::new(s),
        };
        if command {
            lexer = lexer.without_regexes();
        }
        for t in lexer {
            match t.kind {
                TokenKind::Open(_) => self.depth += 1,
                TokenKind::Close(_) => self.depth = self.depth.saturating_sub(1),
                TokenKind::Str {
                    quote,
                    closed: false,
                } => self.open = Some(quote),
                _ => {}
            }
        }
        if self.command == Some(false) && s.trim().is_empty() {
            // Blank lines before the input say nothing of what it is.
            self.command = None;
        }
    }

    fn is_open(&self) -> bool {
        self.depth > 0 || self.open.is_some()
    }
}

/// Below this size an open input is parsed after every line; above it, each time it has
/// doubled since the last parse, so reading a long open input costs time in proportion
/// to its length, not to its square.
const PARSE_EVERY_LINE: usize = 4096;

/// An input read line by line until it is complete (the piped and the interactive
/// REPL). Each line is scanned once: the bracket depth and quote state carry over.
#[derive(Debug, Default)]
pub struct Pending {
    text: String,
    scan: LineScan,
    /// The length of the text when the parser last looked at it.
    parsed_len: usize,
    /// Bytes looked at so far (by the scan and the parser), for tests of the cost.
    work: usize,
}

impl Pending {
    /// Append a line (with its line end).
    pub fn push(&mut self, line: &str) {
        self.scan.feed(line);
        self.work += line.len();
        self.text.push_str(line);
    }

    /// Does the input need more lines? As [`super::complete::needs_more`] on the whole
    /// text, but the parser is asked only while the text is short or has doubled.
    pub fn needs_more(&mut self) -> bool {
        if !self.scan.is_open() {
            return false;
        }
        let len = self.text.len();
        if len > PARSE_EVERY_LINE && len < 2 * self.parsed_len {
            return true;
        }
        self.parsed_len = len;
        self.work += len;
        match classify(&self.text) {
            Input::Rule(rule) => super::complete::parser_wants_more(rule),
            _ => true,
        }
    }

    /// Is nothing pending?
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The input so far, without its last line end; the state starts afresh.
    pub fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        *self = Pending::default();
        text.trim_end_matches(['\n', '\r']).to_string()
    }

    /// Bytes scanned and parsed since the last [`Pending::take`].
    #[cfg(test)]
    pub fn work(&self) -> usize {
        self.work
    }
}

/// The byte index of the `close` matching the `open` that `s` starts with, skipping
/// `"`-quoted text: for the JSON and filter patterns of `:pattern`, which are not GSL.
pub(crate) fn closing_of(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if quoted {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
        } else if c == '"' {
            quoted = true;
        } else if c == open {
            depth += 1;
        } else if c == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// The byte index of the bracket closing the one `s` starts with (GSL text: strings,
/// regular expressions and comments skipped); `None` unless it is a `]`.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for t in Lexer::new(s) {
        match t.kind {
            TokenKind::Open(_) => depth += 1,
            TokenKind::Close(c) => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return (c == ']').then_some(t.start);
                }
            }
            _ => {}
        }
    }
    None
}

/// Is a bracket or a quote still open at the end of `src`? (Closing brackets that
/// were never opened do not count: the parser reports them.) The whole-text form of
/// [`Pending`]'s scan.
#[cfg(test)]
pub fn is_open(src: &str) -> bool {
    let mut scan = LineScan::default();
    scan.feed(src);
    scan.is_open()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text is complete (per line-by-line reading) exactly when `needs_more` on the
    /// whole text says so.
    #[test]
    fn pending_agrees_with_needs_more() {
        let inputs = [
            "CloudTrail should have metricFilters with [\n  filterName like '%root%'\n]\n",
            "CloudTrail where name = 'a\nb'\n",
            "# it's\nCloudTrail should have [\n",
            "CloudTrail should have name regexMatch /[a-z/\n",
            "x with [ # don't ]\n]\n",
            ":pattern test { $.a = 1 } {\"a\":\n1}\n",
        ];
        for input in inputs {
            let mut p = Pending::default();
            let mut whole = String::new();
            for line in input.split_inclusive('\n') {
                p.push(line);
                whole.push_str(line);
                assert_eq!(
                    p.needs_more(),
                    super::super::complete::needs_more(&whole),
                    "{whole:?}"
                );
            }
        }
    }

    /// Reading a long open input line by line costs time in proportion to its length:
    /// thousands of lines after an open quote or inside an open bracket.
    #[test]
    fn pending_work_grows_linearly() {
        for (first, line) in [
            (
                "CloudTrail where name = 'open\n",
                "more text of the string\n",
            ),
            ("CloudTrail where name in (\n", "  'some-trail-name',\n"),
        ] {
            let mut work = Vec::new();
            for n in [8000, 32000] {
                let mut p = Pending::default();
                p.push(first);
                for _ in 0..n {
                    assert!(p.needs_more());
                    p.push(line);
                }
                let len = first.len() + n * line.len();
                // Each line scanned once, the parses at doubling sizes, and the parses of
                // every line while the text is short.
                let short = PARSE_EVERY_LINE * PARSE_EVERY_LINE / line.len();
                assert!(p.work() <= 4 * len + short, "{} for {len}", p.work());
                work.push(p.work());
            }
            // Four times the lines, about four times the work (not sixteen).
            assert!(work[1] < 6 * work[0], "{work:?}");
        }
    }

    #[test]
    fn comments_open_no_quote_or_bracket() {
        assert!(!is_open("# don't [ worry"));
        assert!(!is_open("CloudTrail should have name // it's ("));
        assert!(is_open("CloudTrail should have name = '# not a comment"));
        assert!(!is_open("CloudTrail should have name = '#x' # it's"));
        assert!(is_open("# it's\nCloudTrail should have ["));
    }

    #[test]
    fn classifies_commands_paths_and_rules() {
        assert_eq!(classify("   "), Input::Empty);
        assert_eq!(classify("# note"), Input::Empty);
        assert_eq!(
            classify(" :show  CloudTrail name='x' "),
            Input::Command {
                name: "show",
                args: "CloudTrail name='x'"
            }
        );
        assert_eq!(
            classify(":quit"),
            Input::Command {
                name: "quit",
                args: ""
            }
        );
        assert_eq!(
            classify("CloudTrail should have isMultiRegionTrail=true"),
            Input::Rule("CloudTrail should have isMultiRegionTrail=true")
        );
        assert_eq!(
            classify("List<CloudTrail> should have items length() > 0"),
            Input::Rule("List<CloudTrail> should have items length() > 0")
        );
        let Input::Path(p) = classify("CloudTrail.metricFilters[1].filterPattern") else {
            panic!("not a path")
        };
        assert_eq!(p.ty, "CloudTrail");
        assert_eq!(p.filter, None);
        assert_eq!(
            p.steps,
            vec![
                Step::Key("metricFilters".into()),
                Step::Index(1),
                Step::Key("filterPattern".into())
            ]
        );
        assert_eq!(p.written, "metricFilters[1].filterPattern");
        let Input::Path(p) = classify("  CloudTrail[name='a]b' and x=1].status") else {
            panic!("not a path")
        };
        assert_eq!(p.filter, Some(("name='a]b' and x=1", 13)));
        assert_eq!(p.steps, vec![Step::Key("status".into())]);
        let Input::Path(p) = classify("CloudTrail") else {
            panic!("not a path")
        };
        assert!(p.steps.is_empty() && p.filter.is_none());
        assert!(matches!(classify("CloudTrail."), Input::Rule(_)));
        assert!(matches!(classify("CloudTrail[name='x'"), Input::Rule(_)));
    }

    #[test]
    fn open_brackets_and_quotes() {
        assert!(is_open("CloudTrail should have metricFilters with ["));
        assert!(is_open("CloudTrail where name='abc"));
        assert!(is_open(":pattern test { $.a = 1 } {\"a\":"));
        assert!(!is_open("CloudTrail where name='a[' and x in ('a', 'b')"));
        assert!(!is_open("x ] ]"));
        assert!(!is_open("name='it\\'s'"));
    }
}
