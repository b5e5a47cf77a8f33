//! Property test: the REPL's line continuation (`repl::input`, on `gsl::lang::lexer`)
//! agrees with the parser on every prefix of generated rules full of comments, quotes,
//! escapes and regular expressions, read whole or line by line. The library's users of
//! the scanner have theirs in `tests/it/lexer_props.rs`, on the same generator.

#[path = "../../../tests/common/gsl_text.rs"]
#[allow(dead_code)]
mod gsl_text;

use crate::cli::repl::complete::needs_more;
use crate::cli::repl::input::{is_open, Pending};
use gsl_text::{rule, Part};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn continuation_agrees_with_the_parser(t in rule()) {
        let src = &t.text;
        for cut in (1..=src.len()).filter(|&c| src.is_char_boundary(c)) {
            let prefix = &src[..cut];
            let in_string = matches!(t.inside(cut), Some((Part::Str, _)));
            prop_assert_eq!(is_open(prefix), in_string || t.depth(cut) > 0, "{:?}", prefix);
            let more = needs_more(prefix);
            // A first line that is a comment makes the whole input a comment to the REPL.
            if !prefix.trim_start().starts_with('#') {
                let incomplete = gsl::lang::parser::parse_rule(prefix)
                    .err()
                    .is_some_and(|e| e.is_incomplete());
                prop_assert_eq!(more, incomplete, "{:?}", prefix);
            }
            let mut pending = Pending::default();
            for line in prefix.split_inclusive('\n') {
                pending.push(line);
            }
            prop_assert_eq!(pending.needs_more(), more, "{:?}", prefix);
        }
    }
}
