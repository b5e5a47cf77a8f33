//! Generated GSL rules with the truth about every byte: which string, regular
//! expression or comment it lies in, and how many brackets are open before it. Shared
//! by the lexer's property tests (`tests/it/lexer_props.rs`) and the REPL's
//! (`src/cli/tests/repl_lexer.rs`).

use proptest::prelude::*;

/// What a generated piece of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A single-quoted string.
    Str,
    /// A regular expression literal.
    Regex,
    /// A `#` or `//` comment.
    Comment,
}

/// A generated rule and what is where in it.
#[derive(Debug, Clone, Default)]
pub struct Text {
    /// The rule.
    pub text: String,
    /// Every string, regex (flags included) and comment: kind, start, end.
    pub spans: Vec<(Part, usize, usize)>,
    /// The closing `/` of each regex, by start.
    closes: Vec<(usize, usize)>,
    /// The unescaped content of each string, in order.
    pub strings: Vec<String>,
    /// The pattern and flags of each regex, in order.
    pub regexes: Vec<(String, String)>,
    /// The comments' text, in order.
    pub comments: Vec<String>,
    /// Each bracket: where, and +1 (open) or -1 (close).
    brackets: Vec<(usize, i32)>,
}

impl Text {
    fn code(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn open(&mut self, c: char) {
        self.brackets.push((self.text.len(), 1));
        self.text.push(c);
    }

    fn close(&mut self, c: char) {
        self.brackets.push((self.text.len(), -1));
        self.text.push(c);
    }

    fn string(&mut self, content: &str) {
        let start = self.text.len();
        self.text.push('\'');
        for c in content.chars() {
            if c == '\'' || c == '\\' {
                self.text.push('\\');
            }
            self.text.push(c);
        }
        self.text.push('\'');
        self.spans.push((Part::Str, start, self.text.len()));
        self.strings.push(content.to_string());
    }

    fn regex(&mut self, body: &[RegexPiece], flags: &str) {
        let start = self.text.len();
        self.text.push('/');
        let mut pattern = String::new();
        for p in body {
            match p {
                RegexPiece::Char(c) => {
                    self.text.push(*c);
                    pattern.push(*c);
                }
                RegexPiece::Slash => {
                    self.text.push_str("\\/");
                    pattern.push('/');
                }
            }
        }
        self.closes.push((start, self.text.len()));
        self.text.push('/');
        self.text.push_str(flags);
        self.spans.push((Part::Regex, start, self.text.len()));
        self.regexes.push((pattern, flags.to_string()));
    }

    fn comment(&mut self, c: &Comment) {
        let start = self.text.len();
        let text = format!("{}{}", if c.slashes { "//" } else { "#" }, c.text);
        self.text.push_str(&text);
        self.spans.push((Part::Comment, start, self.text.len()));
        self.comments.push(text.trim_end().to_string());
        self.text.push('\n');
    }

    /// The literal or comment that the first `cut` bytes end inside, and where it
    /// starts. A cut after the first `/` of a `//` comment ends inside a regular
    /// expression (the second `/` is not there yet).
    pub fn inside(&self, cut: usize) -> Option<(Part, usize)> {
        self.spans.iter().find_map(|&(part, start, end)| {
            let inside = match part {
                Part::Str => start < cut && cut < end,
                Part::Regex => {
                    let close = self
                        .closes
                        .iter()
                        .find(|(s, _)| *s == start)
                        .map_or(end, |(_, c)| *c);
                    start < cut && cut <= close
                }
                Part::Comment if self.text[start..].starts_with("//") && cut == start + 1 => {
                    return Some((Part::Regex, start))
                }
                Part::Comment => start < cut && cut <= end,
            };
            inside.then_some((part, start))
        })
    }

    /// Brackets open before byte `cut`.
    pub fn depth(&self, cut: usize) -> usize {
        let d: i32 = self
            .brackets
            .iter()
            .filter(|(at, _)| *at < cut)
            .map(|(_, d)| d)
            .sum();
        d.max(0) as usize
    }
}

/// A character of a regex body, or an escaped slash.
#[derive(Debug, Clone)]
pub enum RegexPiece {
    /// Itself.
    Char(char),
    /// `\/`.
    Slash,
}

/// A comment: `//` or `#`, and its text.
#[derive(Debug, Clone)]
pub struct Comment {
    slashes: bool,
    text: String,
}

/// A condition.
#[derive(Debug, Clone)]
pub enum Cond {
    /// `name = '...'`.
    Eq(String),
    /// `name regexMatch /.../flags`.
    Regex(Vec<RegexPiece>, String),
    /// `metricFilters with [ ... ]`, the conditions joined by `and`.
    List(Vec<(Option<Comment>, Cond)>),
    /// `( ... )`, the conditions joined by `or`.
    Group(Vec<(Option<Comment>, Cond)>),
}

fn comment() -> impl Strategy<Value = Comment> {
    (any::<bool>(), "[a-z '\"/#\\[(\\\\]{0,8}")
        .prop_map(|(slashes, text)| Comment { slashes, text })
}

fn regex_piece() -> impl Strategy<Value = RegexPiece> {
    prop_oneof![
        6 => proptest::sample::select(vec!['a', 'z', '0', '#', '\'', '"', ' ', '.'])
            .prop_map(RegexPiece::Char),
        1 => Just(RegexPiece::Slash),
    ]
}

fn flags() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(vec!['i', 'm', 's', 'x'], 0..=4)
        .prop_map(|f| f.into_iter().collect())
}

fn cond() -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![
        "[a-z #/'\"\\\\\\[\\]()\n]{0,8}".prop_map(Cond::Eq),
        (proptest::collection::vec(regex_piece(), 1..6), flags())
            .prop_map(|(b, f)| Cond::Regex(b, f)),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        let items = move || {
            proptest::collection::vec((proptest::option::of(comment()), inner.clone()), 1..3)
        };
        prop_oneof![items().prop_map(Cond::List), items().prop_map(Cond::Group)]
    })
}

fn write(t: &mut Text, c: &Cond) {
    match c {
        Cond::Eq(s) => {
            t.code("name = ");
            t.string(s);
        }
        Cond::Regex(body, flags) => {
            t.code("name regexMatch ");
            t.regex(body, flags);
        }
        Cond::List(items) | Cond::Group(items) => {
            let (open, close, join) = match c {
                Cond::List(_) => ('[', ']', " and "),
                _ => ('(', ')', " or "),
            };
            if open == '[' {
                t.code("metricFilters with ");
            }
            t.open(open);
            t.code(" ");
            for (i, (comment, c)) in items.iter().enumerate() {
                if i > 0 {
                    t.code(join);
                }
                if let Some(comment) = comment {
                    t.comment(comment);
                }
                write(t, c);
            }
            t.code(" ");
            t.close(close);
        }
    }
}

/// A valid rule with strings, regular expressions, comments and brackets.
pub fn rule() -> impl Strategy<Value = Text> {
    (
        proptest::option::of(comment()),
        proptest::collection::vec((proptest::option::of(comment()), cond()), 1..4),
        proptest::option::of(comment()),
    )
        .prop_map(|(head, conds, tail)| {
            let mut t = Text::default();
            if let Some(c) = head {
                t.comment(&c);
            }
            t.code("CloudTrail should have ");
            for (i, (comment, c)) in conds.iter().enumerate() {
                if i > 0 {
                    t.code(" and ");
                }
                if let Some(comment) = comment {
                    t.comment(comment);
                }
                write(&mut t, c);
            }
            if let Some(c) = tail {
                t.code(" ");
                t.comment(&c);
            }
            t
        })
}
