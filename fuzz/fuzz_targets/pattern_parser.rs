//! The filter-pattern parser and canonical form: no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = gsl::pattern::FilterPattern::parse(text) {
        let _ = p.canonical();
    }
});
