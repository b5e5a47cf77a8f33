//! The lexical rules of GSL, in one place: what is a comment, a string, a regular
//! expression literal, a word, a bracket.
//!
//! [`Lexer`] cuts a text into [`Token`]s that cover it without gaps. Every reader of GSL
//! text that must know whether a character is code, inside a literal or inside a
//! comment goes through it: the parser's pre-scan (`parser/lex.rs`, which turns the
//! unterminated and misquoted forms into diagnostics before the grammar runs), completion
//! (`crate::complete`), the REPL's line continuation and `gsl fmt` (`crate::format`).
//! The rules are those of `grammar/gsl.pest`, plus the forms the grammar rejects but the
//! diagnostics need to see whole: double-quoted and typographic strings, and literals the
//! text ends inside.
//!
//! - `#` or `//` starts a comment that runs to the end of the line.
//! - `'` starts a string that runs to the next `'`; a backslash escapes the character
//!   after it (a line end too). `"` likewise, and the typographic quotes `‘ ’` (closed by
//!   either or by `'`) and `“ ”` (closed by either or by `"`).
//! - `/` not followed by `/` starts a regular expression that runs to the next `/` on
//!   its line (a backslash escapes any character but a line end), then its flags.
//! - Letters, digits and `_` (ASCII) make a word; `[ ( {` open and `] ) }` close;
//!   whitespace runs are one token; any other character is a token of its own.
//!
//! A new kind of token (say `$Name` parameters) is one variant of [`TokenKind`] and one
//! arm in [`Lexer::next`].

/// A kind of quote that opens a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    /// `'...'`: the only quote the grammar accepts.
    Single,
    /// `"..."`.
    Double,
    /// `‘...’` (or `’...‘`, or closed by a straight `'`).
    TypographicSingle,
    /// `“...”` (or `”...“`, or closed by a straight `"`).
    TypographicDouble,
}

impl Quote {
    /// The quote an opening character starts, if any.
    pub fn of(c: char) -> Option<Quote> {
        Some(match c {
            '\'' => Quote::Single,
            '"' => Quote::Double,
            '‘' | '’' => Quote::TypographicSingle,
            '“' | '”' => Quote::TypographicDouble,
            _ => return None,
        })
    }

    /// Does `c` close a string opened by this quote?
    pub fn closes(self, c: char) -> bool {
        match self {
            Quote::Single => c == '\'',
            Quote::Double => c == '"',
            Quote::TypographicSingle => matches!(c, '’' | '‘' | '\''),
            Quote::TypographicDouble => matches!(c, '”' | '“' | '"'),
        }
    }
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A run of ASCII letters, digits and `_`: a keyword, a name, a number's digits.
    Word,
    /// `#` or `//` up to the end of the line (the line end is not part of it).
    Comment,
    /// A quoted string, quotes included; `closed` is false when the text ends first.
    Str {
        /// The opening quote.
        quote: Quote,
        /// Whether the closing quote is there.
        closed: bool,
    },
    /// `/body/flags`; `closed` is false when the line (or the text) ends first.
    Regex {
        /// Whether the closing `/` is there.
        closed: bool,
        /// The byte offset where the flags start (right after the closing `/`; the
        /// token's end when it is not closed).
        flags: usize,
    },
    /// `[`, `(` or `{`.
    Open(char),
    /// `]`, `)` or `}`.
    Close(char),
    /// A run of whitespace.
    Space,
    /// Any other single character (`.`, `-`, `$`, `<`, `=`, ...).
    Punct(char),
}

/// One token: its kind and its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Its first byte.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
}

impl Token {
    /// Its text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// A string or regular expression the text ends inside.
    pub fn is_unterminated(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Str { closed: false, .. } | TokenKind::Regex { closed: false, .. }
        )
    }
}

/// A character that continues a word (and an identifier in the grammar): an ASCII
/// letter or digit, or `_`.
pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The tokens of a text, in order, covering it without gaps.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// The text starts inside a string opened by this quote (a later line of an input
    /// read line by line).
    inside: Option<Quote>,
    regexes: bool,
}

impl<'a> Lexer<'a> {
    /// The tokens of `src`.
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            inside: None,
            regexes: true,
        }
    }

    /// The tokens of `src` when it continues a string opened by `quote` on an earlier
    /// line: the first token is the rest of that string.
    pub fn inside(src: &'a str, quote: Quote) -> Self {
        Lexer {
            inside: Some(quote),
            ..Lexer::new(src)
        }
    }

    /// With `/` an ordinary character: for text that mixes GSL strings with other
    /// syntax (the REPL's commands, whose filter patterns and paths use `/` freely).
    pub fn without_regexes(mut self) -> Self {
        self.regexes = false;
        self
    }

    /// Go on from byte `pos` (a char boundary), outside any literal.
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.src.len());
        self.inside = None;
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    /// The end of the string whose body starts at `from`: past its closing quote, or the
    /// end of the text.
    fn string_end(&self, from: usize, quote: Quote) -> (usize, bool) {
        let mut chars = self.src[from..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == '\\' {
                chars.next();
            } else if quote.closes(c) {
                return (from + i + c.len_utf8(), true);
            }
        }
        (self.src.len(), false)
    }

    /// The regular expression whose body starts at `from`.
    fn regex(&self, from: usize) -> TokenKind {
        let bytes = self.src.as_bytes();
        let mut j = from;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' if bytes.get(j + 1).is_some_and(|&e| e != b'\n') => {
                    // Skip the escaped character whole.
                    j += 1;
                    j += self.src[j..].chars().next().map_or(1, char::len_utf8);
                }
                b'\n' => break,
                b'/' => {
                    return TokenKind::Regex {
                        closed: true,
                        flags: j + 1,
                    }
                }
                _ => j += 1,
            }
        }
        TokenKind::Regex {
            closed: false,
            flags: j,
        }
    }

    fn run_end(&self, from: usize, f: impl Fn(char) -> bool) -> usize {
        let rest = &self.src[from..];
        from + rest.find(|c: char| !f(c)).unwrap_or(rest.len())
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let start = self.pos;
        if let Some(quote) = self.inside.take() {
            let (end, closed) = self.string_end(start, quote);
            self.pos = end;
            return Some(Token {
                kind: TokenKind::Str { quote, closed },
                start,
                end,
            });
        }
        let rest = self.rest();
        let c = rest.chars().next()?;
        let after = start + c.len_utf8();
        let (kind, end) = match c {
            '#' => (TokenKind::Comment, self.run_end(start, |c| c != '\n')),
            '/' if rest[1..].starts_with('/') => {
                (TokenKind::Comment, self.run_end(start, |c| c != '\n'))
            }
            '/' if self.regexes => match self.regex(after) {
                TokenKind::Regex {
                    closed: true,
                    flags,
                } => (
                    TokenKind::Regex {
                        closed: true,
                        flags,
                    },
                    self.run_end(flags, is_ident_char),
                ),
                kind @ TokenKind::Regex { flags, .. } => (kind, flags),
                _ => unreachable!("regex() returns a regex"),
            },
            c if Quote::of(c).is_some() => {
                let quote = Quote::of(c).unwrap_or(Quote::Single);
                let (end, closed) = self.string_end(after, quote);
                (TokenKind::Str { quote, closed }, end)
            }
            '[' | '(' | '{' => (TokenKind::Open(c), after),
            ']' | ')' | '}' => (TokenKind::Close(c), after),
            c if is_ident_char(c) => (TokenKind::Word, self.run_end(start, is_ident_char)),
            c if c.is_whitespace() => (TokenKind::Space, self.run_end(start, char::is_whitespace)),
            c => (TokenKind::Punct(c), after),
        };
        self.pos = end;
        Some(Token { kind, start, end })
    }
}

/// The tokens of `src`.
pub fn tokens(src: &str) -> Lexer<'_> {
    Lexer::new(src)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokens(src).map(|t| (t.kind, t.text(src))).collect()
    }

    #[test]
    fn comments_strings_and_regexes() {
        use TokenKind::*;
        assert_eq!(
            kinds("a = 'it\\'s' # x'\n/a\\/b/i"),
            vec![
                (Word, "a"),
                (Space, " "),
                (Punct('='), "="),
                (Space, " "),
                (
                    Str {
                        quote: Quote::Single,
                        closed: true
                    },
                    "'it\\'s'"
                ),
                (Space, " "),
                (Comment, "# x'"),
                (Space, "\n"),
                (
                    Regex {
                        closed: true,
                        flags: 23
                    },
                    "/a\\/b/i"
                ),
            ]
        );
        assert_eq!(kinds("x // y [")[2], (Comment, "// y ["));
        assert_eq!(
            kinds("/a[\n]"),
            vec![
                (
                    Regex {
                        closed: false,
                        flags: 3
                    },
                    "/a["
                ),
                (Space, "\n"),
                (Close(']'), "]"),
            ]
        );
        assert_eq!(
            kinds("‘a’ “b\\”"),
            vec![
                (
                    Str {
                        quote: Quote::TypographicSingle,
                        closed: true
                    },
                    "‘a’"
                ),
                (Space, " "),
                (
                    Str {
                        quote: Quote::TypographicDouble,
                        closed: false
                    },
                    "“b\\”"
                ),
            ]
        );
    }

    #[test]
    fn a_later_line_of_an_open_string() {
        let toks: Vec<Token> = Lexer::inside("b' [", Quote::Single).collect();
        assert_eq!(
            toks[0].kind,
            TokenKind::Str {
                quote: Quote::Single,
                closed: true
            }
        );
        assert_eq!(toks[2].kind, TokenKind::Open('['));
    }

    #[test]
    fn without_regexes_a_slash_is_a_character() {
        let src = ":load a/b[";
        let toks: Vec<TokenKind> = Lexer::new(src).without_regexes().map(|t| t.kind).collect();
        assert!(toks.contains(&TokenKind::Open('[')));
        assert!(toks.contains(&TokenKind::Punct('/')));
    }
}
