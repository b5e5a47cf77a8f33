//! The snapshot loader and the safe rendering of its diagnostics: no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = gsl::source::decode(data.to_vec()) else {
        return;
    };
    match gsl::entity::load::parse_snapshot(&text, "fuzz.json") {
        Ok(s) => {
            let _ = gsl::entity::graph::EntityGraph::new(s);
        }
        Err(e) => {
            let _ = gsl::shown::shown(&e).to_string();
        }
    }
});
