//! Property tests: canonical form, equality, coverage and the parser's robustness.

use gsl::pattern::{Coverage, Difference, FilterPattern};
use proptest::prelude::*;

// --- generators ----------------------------------------------------------

fn selector() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["$.a", "$.b", "$.a.b", "$.c[0]", "$.c[*]", "$.['b']"])
}

fn test_text() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "= \"x\"",
        "=x",
        "= \"y\"",
        "= x*",
        "= *",
        "!= \"x\"",
        "!= y",
        "= 1",
        "= 1e0",
        "> 1",
        "<= 2",
        "!= 2",
        "IS NULL",
        "IS TRUE",
        "IS FALSE",
        "NOT EXISTS",
        "= \"*z\"",
    ])
}

fn cond() -> impl Strategy<Value = String> {
    (selector(), test_text(), prop::bool::ANY).prop_map(|(s, t, paren)| {
        if paren {
            format!("({s} {t})")
        } else {
            format!("{s} {t}")
        }
    })
}

fn expr() -> impl Strategy<Value = String> {
    cond().prop_recursive(3, 12, 3, |inner| {
        (
            prop::collection::vec(inner, 2..4),
            prop::bool::ANY,
            prop::bool::ANY,
        )
            .prop_map(|(v, and, paren)| {
                let op = if and { " && " } else { " || " };
                let s = v.join(op);
                if paren {
                    format!("({s})")
                } else {
                    s
                }
            })
    })
}

fn json_pattern() -> impl Strategy<Value = String> {
    (expr(), prop::bool::ANY).prop_map(|(e, tight)| {
        if tight {
            format!("{{{e}}}")
        } else {
            format!("{{ {e} }}")
        }
    })
}

fn term_pattern() -> impl Strategy<Value = String> {
    let term = prop::sample::select(vec![
        "ERROR",
        "\"ERROR\"",
        "ERR",
        "WARN",
        "\"bad request\"",
        "?ERROR",
        "?WARN",
        "?\"bad request\"",
        "-DEBUG",
        "-ERR",
        "%^E%",
        "\" \"",
    ]);
    prop::collection::vec(term, 1..4).prop_map(|v| v.join(" "))
}

fn delimited_pattern() -> impl Strategy<Value = String> {
    let slot = prop::sample::select(vec![
        "a",
        "b = x",
        "c = 4*",
        "d > 1",
        "e != x && e != y",
        "f = 1 || f = 2",
        "...",
        "",
    ]);
    prop::collection::vec(slot, 0..4).prop_map(|v| format!("[{}]", v.join(", ")))
}

fn any_pattern() -> impl Strategy<Value = String> {
    prop_oneof![4 => json_pattern(), 2 => term_pattern(), 1 => delimited_pattern(), 1 => Just(String::new())]
}

fn json_value() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        None,
        Some("\"x\""),
        Some("\"y\""),
        Some("\"xz\""),
        Some("\"zz\""),
        Some("1"),
        Some("2"),
        Some("\"1\""),
        Some("0.5"),
        Some("null"),
        Some("true"),
        Some("false"),
        Some("{\"b\":\"x\"}"),
        Some("[\"x\"]"),
    ])
}

fn event() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (json_value(), json_value(), json_value()).prop_map(|(a, b, c)| {
            let mut parts = Vec::new();
            if let Some(a) = a { parts.push(format!("\"a\":{a}")); }
            if let Some(b) = b { parts.push(format!("\"b\":{b}")); }
            if let Some(c) = c { parts.push(format!("\"c\":[{c}]")); }
            format!("{{{}}}", parts.join(","))
        }),
        2 => prop::collection::vec(
            prop::sample::select(vec!["ERROR", "ERRORS", "WARN", "bad", "request", "DEBUG", "x", "y", "4", "1", "2", "\"x y\""]),
            0..5,
        ).prop_map(|v| v.join(" ")),
    ]
}

/// Rewrites that never change the meaning of a JSON expression.
fn same_meaning(p: &str, k: u8) -> String {
    let inner = p
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    match k % 4 {
        0 => format!("{{ ({inner}) || (({inner}) && $.zz = 1) }}"),
        1 => format!("{{ ({inner}) && ({inner}) }}"),
        2 => format!("{{\n  (\n    {inner}\n  )\n}}"),
        _ => format!("{{ ({inner}) && (({inner}) || $.zz NOT EXISTS) }}"),
    }
}

fn parse(p: &str) -> Option<FilterPattern> {
    FilterPattern::parse(p).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn canonical_is_idempotent_and_means_the_same(p in any_pattern(), events in prop::collection::vec(event(), 8)) {
        let Some(fp) = parse(&p) else { return Ok(()) };
        let c = fp.canonical();
        let back = FilterPattern::parse(&c);
        prop_assert!(back.is_ok(), "canonical `{}` of `{}` does not parse", c, p);
        let back = back.expect("checked");
        prop_assert_eq!(back.canonical(), c.clone());
        prop_assert!(fp.equivalent(&back).is_equal(), "`{}` vs canonical `{}`", p, c);
        for e in &events {
            prop_assert_eq!(fp.matches(e), back.matches(e), "`{}` / `{}` on {}", p, c, e);
        }
    }

    #[test]
    fn equality_is_reflexive_and_symmetric(a in any_pattern(), b in any_pattern()) {
        let (Some(pa), Some(pb)) = (parse(&a), parse(&b)) else { return Ok(()) };
        prop_assert!(pa.equivalent(&pa).is_equal());
        prop_assert_eq!(pa.equivalent(&pb).is_equal(), pb.equivalent(&pa).is_equal());
    }

    #[test]
    fn equal_patterns_match_the_same_events(a in json_pattern(), k in 0u8..4, b in any_pattern(), events in prop::collection::vec(event(), 16)) {
        let Some(pa) = parse(&a) else { return Ok(()) };
        let rewritten = same_meaning(&a, k);
        if let Some(pr) = parse(&rewritten) {
            prop_assert!(pa.equivalent(&pr).is_equal(), "`{}` vs `{}`", a, rewritten);
            prop_assert_eq!(pr.covers(&pa), Coverage::Covered);
        }
        let Some(pb) = parse(&b) else { return Ok(()) };
        if pa.equivalent(&pb).is_equal() {
            for e in &events {
                prop_assert_eq!(pa.matches(e), pb.matches(e), "equal `{}` / `{}` disagree on {}", a, b, e);
            }
        }
    }

    #[test]
    fn counterexamples_and_witnesses_verify(r in any_pattern(), a in any_pattern(), events in prop::collection::vec(event(), 16)) {
        let (Some(pr), Some(pa)) = (parse(&r), parse(&a)) else { return Ok(()) };
        match pa.covers(&pr) {
            Coverage::NotCovered { counterexample } => {
                prop_assert!(pr.matches(&counterexample), "required `{}` misses {}", r, counterexample);
                prop_assert!(!pa.matches(&counterexample), "actual `{}` matches {}", a, counterexample);
            }
            Coverage::Covered => {
                for e in &events {
                    prop_assert!(!pr.matches(e) || pa.matches(e), "`{}` claimed to cover `{}` but misses {}", a, r, e);
                }
            }
            Coverage::Unknown { .. } => {}
        }
        if let Difference::Different { witness: Some((ev, first)), .. } = pr.equivalent(&pa) {
            let (yes, no) = if first { (&pr, &pa) } else { (&pa, &pr) };
            prop_assert!(yes.matches(&ev) && !no.matches(&ev), "witness {} between `{}` and `{}`", ev, r, a);
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = FilterPattern::parse(&s).map(|p| (p.canonical(), p.matches(&s)));
    }

    #[test]
    fn parser_never_panics_on_pattern_like_text(s in "[{}\\[\\]()$.*'\"%a-c0-9 =!<>&|,?\\-\\\\]{0,40}", e in event()) {
        if let Ok(p) = FilterPattern::parse(&s) {
            let c = p.canonical();
            let _ = p.matches(&e);
            let _ = p.test(&[e.as_str()]);
            prop_assert!(FilterPattern::parse(&c).is_ok(), "canonical `{}` of `{}` does not parse", c, s);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn pattern_set_agrees_with_single_patterns(ps in prop::collection::vec(any_pattern(), 1..4), events in prop::collection::vec(event(), 8)) {
        let patterns: Vec<FilterPattern> = ps.iter().filter_map(|p| parse(p)).collect();
        let set = gsl::pattern::PatternSet::new(patterns.clone());
        for e in &events {
            let got = set.matches(e);
            for (i, p) in patterns.iter().enumerate() {
                prop_assert_eq!(got[i], p.matches(e), "`{}` on {}", p.as_str(), e);
            }
            if let Ok(j) = serde_json::from_str::<serde_json::Value>(e) {
                let got = set.matches_json(&j);
                for (i, p) in patterns.iter().enumerate() {
                    prop_assert_eq!(got[i], p.matches_json(&j), "`{}` on parsed {}", p.as_str(), e);
                    prop_assert_eq!(got[i], p.matches_json_direct(&j), "`{}` (reference) on parsed {}", p.as_str(), e);
                }
            }
        }
    }
}
