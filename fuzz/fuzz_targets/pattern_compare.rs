//! Equality and coverage of two patterns (one per line): no panic, and every pattern
//! equals and covers itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

/// The longest input tried. A decision's cost grows with the number of conditions the
/// two patterns combine, and libFuzzer grows inputs to 4 KB by default: at that size a
/// run made about 25 executions a second, each spending the engine's whole budget, and
/// the corpus barely grew. Two patterns of up to ~120 characters each still combine a
/// dozen conditions, enough to reach every part of the engine (`scripts/fuzz.sh` also
/// passes `-max_len`, so libFuzzer does not spend mutations on longer inputs).
const MAX_INPUT: usize = 256;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
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
