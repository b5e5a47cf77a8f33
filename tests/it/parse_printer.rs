//! The canonical form: a snapshot of the whole corpus printed, and a few exact cases.

use gsl::lang::ast::{CmpOp, ExprKind, LiteralKind};
use gsl::lang::parser::{parse_expr, parse_rule};
use gsl::lang::printer::{print_expr, print_rule};

#[test]
fn corpus_in_canonical_form() {
    let printed: Vec<String> = include_str!("../data/gsl/corpus_valid.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| print_rule(&parse_rule(l).expect("corpus rules parse")))
        .collect();
    insta::assert_snapshot!(printed.join("\n"));
}

#[test]
fn canonical_cases() {
    let cases = [
        ("X  should   have a=1", "X should have a = 1"),
        (
            "X should have (a or b) or (c and d)",
            "X should have a or b or c and d",
        ),
        ("X should have a or (b or c)", "X should have a or (b or c)"),
        ("X should have not (not a)", "X should have not not a"),
        ("X should have (not a) and b", "X should have not a and b"),
        (
            "X should have not (a = 1 and b)",
            "X should have not (a = 1 and b)",
        ),
        ("X should have a with [ (b) ]", "X should have a with [b]"),
        (
            "X should have t after (-1,'days')",
            "X should have t after(-1, 'days')",
        ),
        (
            "X should have a in ( 'x' ,'y' )",
            "X should have a in ('x', 'y')",
        ),
        ("X should have a = 2.50", "X should have a = 2.5"),
        ("X should have a = -0", "X should have a = -0"),
        (
            "X should have a = 'it\\'s \\d'",
            "X should have a = 'it\\'s \\\\d'",
        ),
        (
            "X should have a regexMatch /a\\/b/i",
            "X should have a regexMatch /a\\/b/i",
        ),
        (
            "List < X > where a should not have b",
            "List<X> where a should not have b",
        ),
        ("# meta\nX // c\n should have\n a # d\n", "X should have a"),
    ];
    for (input, want) in cases {
        let rule = parse_rule(input).unwrap_or_else(|e| panic!("{input}: {:?}", e.codes()));
        assert_eq!(print_rule(&rule), want, "{input}");
    }
}

#[test]
fn in_with_a_single_hand_built_value_prints_as_a_list() {
    let mut e = parse_expr("a in ('x')").expect("parses");
    let ExprKind::Term(t) = &mut e.kind else {
        panic!("a term")
    };
    let test = t.test.as_mut().expect("a test");
    assert_eq!(test.op, CmpOp::In);
    let LiteralKind::Tuple(items) = &test.value.kind else {
        panic!("a tuple")
    };
    test.value = items[0].clone();
    assert_eq!(print_expr(&e), "a in ('x')");
}
