//! Property tests: the one GSL scanner (`gsl::lang::lexer`) and its users agree with the
//! grammar on generated rules full of comments, quotes, escapes and regular expression
//! literals, and on every prefix of them (the unterminated forms). The REPL's line
//! continuation has its own in `src/cli/tests/repl_lexer.rs`, on the same generator.

#[path = "../common/gsl_text.rs"]
mod gsl_text;

use gsl::complete::{complete_rule, Knowledge};
use gsl::entity::graph::EntityGraph;
use gsl::format::format_source;
use gsl::lang::ast::{Expr, ExprKind, LiteralKind, Postfix, Rule};
use gsl::lang::lexer::{tokens, Quote, TokenKind};
use gsl::lang::parser::parse_rule;
use gsl_text::{rule, Part};
use proptest::prelude::*;

/// The strings and regexes of a parsed rule: span, and what the grammar read.
fn literals(rule: &Rule) -> Vec<(usize, usize, LiteralKind)> {
    fn expr(e: &Expr, out: &mut Vec<(usize, usize, LiteralKind)>) {
        match &e.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                expr(a, out);
                expr(b, out);
            }
            ExprKind::Not(a) => expr(a, out),
            ExprKind::Term(t) => {
                for p in &t.postfix {
                    if let Postfix::ListOp { predicate, .. } = p {
                        expr(predicate, out);
                    }
                }
                if let Some(test) = &t.test {
                    let l = &test.value;
                    out.push((l.span.start, l.span.end, l.kind.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Some(v) = &rule.verdict {
        expr(&v.condition, &mut out);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The scanner finds exactly the strings, regexes and comments that were written,
    /// and the grammar reads the same literals at the same places.
    #[test]
    fn the_scanner_and_the_grammar_agree(t in rule()) {
        let src = &t.text;
        let found: Vec<(Part, usize, usize)> = tokens(src)
            .filter_map(|tok| {
                let part = match tok.kind {
                    TokenKind::Str { quote: Quote::Single, closed: true } => Part::Str,
                    TokenKind::Regex { closed: true, .. } => Part::Regex,
                    TokenKind::Comment => Part::Comment,
                    TokenKind::Str { .. } | TokenKind::Regex { .. } => {
                        panic!("{tok:?} in {src:?}")
                    }
                    _ => return None,
                };
                Some((part, tok.start, tok.end))
            })
            .collect();
        prop_assert_eq!(&found, &t.spans, "{:?}", src);
        let parsed = parse_rule(src);
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", src, parsed.err().map(|e| e.codes()));
        let parsed = parsed.unwrap();
        let lits = literals(&parsed);
        let literal_spans: Vec<(usize, usize)> = lits.iter().map(|l| (l.0, l.1)).collect();
        let token_spans: Vec<(usize, usize)> = t
            .spans
            .iter()
            .filter(|s| s.0 != Part::Comment)
            .map(|s| (s.1, s.2))
            .collect();
        prop_assert_eq!(literal_spans, token_spans, "{:?}", src);
        let strings: Vec<String> = lits
            .iter()
            .filter_map(|l| match &l.2 {
                LiteralKind::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        prop_assert_eq!(&strings, &t.strings);
        let regexes: Vec<(String, String)> = lits
            .iter()
            .filter_map(|l| match &l.2 {
                LiteralKind::Regex { pattern, flags } => Some((pattern.clone(), flags.clone())),
                _ => None,
            })
            .collect();
        prop_assert_eq!(&regexes, &t.regexes);
    }

    /// `gsl fmt` keeps every comment written, in order, and nothing else becomes one.
    #[test]
    fn formatting_keeps_exactly_the_comments(t in rule()) {
        let out = format_source(&t.text, "x").expect("formats");
        let comments: Vec<String> = tokens(&out)
            .filter(|tok| tok.kind == TokenKind::Comment)
            .map(|tok| tok.text(&out).trim_end().to_string())
            .collect();
        prop_assert_eq!(comments, t.comments.clone(), "{:?} -> {:?}", t.text, out);
        // Formatting is idempotent, and keeps the rule's meaning (its shape).
        let again = format_source(&out, "x").expect("formats again");
        prop_assert_eq!(&again, &out, "{:?} -> {:?}", t.text, out);
        let before = gsl::lang::parser::parse_rule(&t.text).expect("parses");
        let after = gsl::lang::parser::parse_rule(&out).expect("the formatted text parses");
        prop_assert!(
            gsl::lang::ast::SameShape::same_shape(&after, &before),
            "{:?} -> {:?}",
            t.text,
            out
        );
    }

    /// Every prefix: the parser reports the literal it ends inside as unterminated, an
    /// open bracket as unclosed (the REPL then reads on), and nothing unterminated
    /// otherwise; completion offers nothing inside a comment and completes a value
    /// inside a string.
    #[test]
    fn prefixes_are_unterminated_where_the_text_says(t in rule()) {
        let k = Knowledge::of(&EntityGraph::new(gsl::entity::Snapshot::default()));
        let src = &t.text;
        for cut in (1..src.len()).filter(|&c| src.is_char_boundary(c)) {
            let prefix = &src[..cut];
            let codes = parse_rule(prefix).err().map(|e| e.codes()).unwrap_or_default();
            let has = |code: &str| codes.iter().any(|c| c == code);
            let inside = t.inside(cut);
            match inside {
                Some((Part::Str, _)) => {
                    prop_assert!(has("gsl::parse::unterminated_string"), "{:?}: {:?}", prefix, codes);
                }
                Some((Part::Regex, _)) => {
                    prop_assert!(has("gsl::parse::unterminated_regex"), "{:?}: {:?}", prefix, codes);
                }
                _ => {
                    prop_assert!(
                        !has("gsl::parse::unterminated_string") && !has("gsl::parse::unterminated_regex"),
                        "{:?}: {:?}", prefix, codes
                    );
                    prop_assert_eq!(
                        has("gsl::parse::unclosed_delimiter"),
                        t.depth(cut) > 0,
                        "{:?}: {:?}", prefix, codes
                    );
                }
            }
            let c = complete_rule(&k, src, cut, None);
            match inside {
                Some((Part::Comment, _)) => {
                    prop_assert!(c.items.is_empty() && c.start == cut, "{:?}: {:?}", prefix, c);
                }
                Some((Part::Str, start)) => {
                    prop_assert_eq!(c.start, start + 1, "{:?}", prefix);
                }
                _ => {}
            }
        }
    }
}
