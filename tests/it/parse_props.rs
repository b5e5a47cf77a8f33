//! Property tests: printing then parsing gives back the tree; the parser never
//! panics; prefixes cut inside an open bracket or string are "incomplete".

use gsl::lang::ast::{
    CmpOp, Expr, ExprKind, Ident, ListOp, Literal, LiteralKind, Path, Postfix, Rule, SameShape,
    Subject, Target, Term, Test, Verdict,
};
use gsl::lang::parser::{parse_rule, KEYWORDS};
use gsl::lang::printer::print_rule;
use gsl::span::Span;
use proptest::prelude::*;

/// The keywords that are identifiers (`contain-any` is not), from the parser's list.
fn reserved() -> Vec<&'static str> {
    KEYWORDS
        .iter()
        .copied()
        .filter(|k| k.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect()
}

fn sp() -> Span {
    Span::default()
}

fn ident_text() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,8}"
}

/// An identifier that may start a path or name a function or entity.
fn name() -> impl Strategy<Value = Ident> {
    ident_text()
        .prop_filter("reserved word", |s| !reserved().contains(&s.as_str()))
        .prop_map(|name| Ident { name, span: sp() })
}

/// Any identifier (later path segments may be keywords).
fn segment() -> impl Strategy<Value = Ident> {
    prop_oneof![
        3 => ident_text(),
        1 => proptest::sample::select(reserved()).prop_map(str::to_string),
    ]
    .prop_map(|name| Ident { name, span: sp() })
}

fn lit(kind: LiteralKind) -> Literal {
    Literal { kind, span: sp() }
}

fn scalar() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "(\\PC|['\\\\\n])*".prop_map(|s| lit(LiteralKind::String(s))),
        any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(|n| lit(LiteralKind::Number(n))),
        (-1000i32..1000).prop_map(|n| lit(LiteralKind::Number(f64::from(n) / 4.0))),
        any::<bool>().prop_map(|b| lit(LiteralKind::Bool(b))),
        Just(lit(LiteralKind::Null)),
        // `$Name`: a ruleset parameter (any identifier, keywords too: `$` sets it apart).
        "[A-Za-z_][A-Za-z0-9_]{0,8}".prop_map(|n| lit(LiteralKind::Param(n))),
    ]
}

fn regex() -> impl Strategy<Value = Literal> {
    let atom = prop_oneof![
        "[a-zA-Z0-9<>_#-]".prop_map(|s| s),
        Just(".".to_string()),
        Just("\\d".to_string()),
        Just("\\.".to_string()),
        Just("/".to_string()),
        Just("[a-z]".to_string()),
        Just("(ab|c)".to_string()),
    ];
    let piece = (
        atom,
        proptest::sample::select(&["", "*", "+", "?", "{2}"][..]),
    )
        .prop_map(|(a, q)| format!("{a}{q}"));
    (
        any::<bool>(),
        proptest::collection::vec(piece, 1..5),
        any::<bool>(),
        proptest::sample::subsequence(vec!['i', 'm', 's', 'x'], 0..=4),
    )
        .prop_map(|(start, pieces, end, flags)| {
            let pattern = format!(
                "{}{}{}",
                if start { "^" } else { "" },
                pieces.concat(),
                if end { "$" } else { "" }
            );
            lit(LiteralKind::Regex {
                pattern,
                flags: flags.into_iter().collect(),
            })
        })
}

fn tuple() -> impl Strategy<Value = Literal> {
    proptest::collection::vec(scalar(), 1..4).prop_map(|v| lit(LiteralKind::Tuple(v)))
}

fn any_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![3 => scalar(), 1 => regex(), 1 => tuple()]
}

fn test_part() -> impl Strategy<Value = Test> {
    // Every operator that takes a scalar (`in` takes a tuple, `regex` a regex).
    let cmp = proptest::sample::select(
        CmpOp::ALL
            .into_iter()
            .filter(|op| !matches!(op, CmpOp::In | CmpOp::RegexMatch))
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        4 => (cmp, scalar()).prop_map(|(op, value)| Test { op, value, span: sp() }),
        1 => tuple().prop_map(|value| Test { op: CmpOp::In, value, span: sp() }),
        1 => regex().prop_map(|value| Test { op: CmpOp::RegexMatch, value, span: sp() }),
    ]
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        4 => (name(), proptest::collection::vec(segment(), 0..3)).prop_map(|(first, rest)| {
            let mut segments = vec![first];
            segments.extend(rest);
            Subject::Path(Path { segments, span: sp() })
        }),
        1 => Just(Subject::Element(sp())),
    ]
}

fn term(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let postfix = prop_oneof![
        (proptest::sample::select(ListOp::ALL.to_vec()), inner).prop_map(|(op, p)| {
            Postfix::ListOp {
                op,
                predicate: Box::new(p),
                span: sp(),
            }
        }),
        (name(), proptest::collection::vec(any_literal(), 0..3)).prop_map(|(name, args)| {
            Postfix::Call {
                name,
                args,
                span: sp(),
            }
        }),
    ];
    (
        subject(),
        proptest::collection::vec(postfix, 0..3),
        proptest::option::of(test_part()),
    )
        .prop_map(|(subject, postfix, test)| Expr {
            kind: ExprKind::Term(Term {
                subject,
                postfix,
                test,
                span: sp(),
            }),
            span: sp(),
        })
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = term(
        subject()
            .prop_map(|subject| Expr {
                kind: ExprKind::Term(Term {
                    subject,
                    postfix: Vec::new(),
                    test: None,
                    span: sp(),
                }),
                span: sp(),
            })
            .boxed(),
    );
    leaf.prop_recursive(4, 24, 3, |inner| {
        let e = |kind| Expr { kind, span: sp() };
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(move |(a, b)| e(ExprKind::Or(Box::new(a), Box::new(b)))),
            (inner.clone(), inner.clone())
                .prop_map(move |(a, b)| e(ExprKind::And(Box::new(a), Box::new(b)))),
            inner
                .clone()
                .prop_map(move |a| e(ExprKind::Not(Box::new(a)))),
            term(inner.boxed()),
        ]
    })
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        name(),
        any::<bool>(),
        proptest::option::of(expr()),
        proptest::option::of((any::<bool>(), expr())),
    )
        .prop_filter("a rule needs `where` or `should`", |(_, _, f, v)| {
            f.is_some() || v.is_some()
        })
        .prop_map(|(entity, list, filter, verdict)| Rule {
            target: Target {
                entity,
                list,
                filter,
                span: sp(),
            },
            verdict: verdict.map(|(negated, condition)| Verdict {
                negated,
                condition,
                span: sp(),
            }),
            span: sp(),
        })
}

fn corpus() -> Vec<&'static str> {
    include_str!("../data/gsl/corpus_valid.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect()
}

proptest! {
    // 512 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn print_then_parse_is_identity(r in rule()) {
        let printed = print_rule(&r);
        let parsed = parse_rule(&printed);
        prop_assert!(parsed.is_ok(), "{printed}\n{:?}", parsed.err().map(|e| e.codes()));
        let parsed = parsed.ok();
        prop_assert!(parsed.as_ref().is_some_and(|p| p.same_shape(&r)), "{}\n{:?}", printed, parsed);
        let again = parsed.map(|p| print_rule(&p));
        prop_assert_eq!(again.as_deref(), Some(printed.as_str()));
    }

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC*") {
        let _ = parse_rule(&s);
    }

    #[test]
    fn never_panics_on_gsl_like_text(
        s in "([a-zA-Z_$.'\"\\[\\]() <>=!/\\\\#\n,‘’“”0-9-]|should |have |not |where |with |contain-any |and |or |in |regexMatch |like |List<){0,40}"
    ) {
        if let Err(e) = parse_rule(&s) {
            prop_assert!(!e.errors().is_empty());
            for err in e.errors() {
                let span = err.span();
                prop_assert!(span.offset() + span.len() <= s.len(), "{s:?}: {err:?}");
            }
        }
    }

    #[test]
    fn never_panics_on_mutated_corpus(
        idx in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), 0u8..3, "[\\PC\\[\\]()'/]"), 1..4),
    ) {
        let rules = corpus();
        let mut text: Vec<char> = idx.get(&rules).chars().collect();
        for (at, kind, with) in edits {
            if text.is_empty() { break; }
            let i = at.index(text.len());
            let c = with.chars().next().unwrap_or('x');
            match kind {
                0 => { text.remove(i); }
                1 => text.insert(i, c),
                _ => text[i] = c,
            }
        }
        let s: String = text.into_iter().collect();
        match parse_rule(&s) {
            Ok(r) => {
                let printed = print_rule(&r);
                let again = parse_rule(&printed).ok();
                prop_assert!(again.as_ref().is_some_and(|a| a.same_shape(&r)), "{}\n{:?}", printed, again);
            }
            Err(e) => {
                for err in e.errors() {
                    let span = err.span();
                    prop_assert!(span.offset() + span.len() <= s.len(), "{s:?}: {err:?}");
                    prop_assert!(s.is_char_boundary(span.offset()), "{s:?}: {err:?}");
                }
            }
        }
    }
}

/// Cutting a real rule right after an opening `[` or `(`, or inside a string, leaves
/// text that more input could complete: the REPL relies on this.
#[test]
fn prefixes_inside_brackets_and_strings_are_incomplete() {
    let mut checked = 0;
    for rule in corpus() {
        let rule = rule.split("  #").next().unwrap_or(rule);
        let mut in_string = false;
        let mut prev = ' ';
        for (i, c) in rule.char_indices() {
            let cut = i + c.len_utf8();
            if c == '\'' && prev != '\\' {
                in_string = !in_string;
                if in_string {
                    let e = parse_rule(&rule[..cut]).expect_err("prefix inside a string");
                    assert!(e.is_incomplete(), "{:?}: {:?}", &rule[..cut], e.codes());
                    checked += 1;
                }
            } else if !in_string && (c == '[' || c == '(') {
                let e = parse_rule(&rule[..cut]).expect_err("prefix inside a bracket");
                assert!(e.is_incomplete(), "{:?}: {:?}", &rule[..cut], e.codes());
                checked += 1;
            }
            prev = c;
        }
        // A complete rule is not incomplete, and a rule without its verdict is an
        // error that more brackets would not fix.
        assert!(parse_rule(rule).is_ok());
    }
    assert!(checked > 50, "{checked}");
    let e = parse_rule("S3Bucket").expect_err("bare entity");
    assert!(!e.is_incomplete());
    let e = parse_rule("X should have a with [b = 1 c]").expect_err("syntax error");
    assert!(!e.is_incomplete());
}
