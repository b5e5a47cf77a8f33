//! The GSL parser, its printer and the safe rendering of its diagnostics: no panic, and
//! a rule that parses prints to text that parses again.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match gsl::lang::parser::parse_rule(text) {
        Ok(rule) => {
            let printed = gsl::lang::printer::print_rule(&rule);
            assert!(
                gsl::lang::parser::parse_rule(&printed).is_ok(),
                "printed form does not parse: {printed}"
            );
        }
        Err(e) => {
            let _ = gsl::shown::shown(&e).to_string();
        }
    }
});
