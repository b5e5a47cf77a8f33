//! Pattern × event: the first line is the pattern, the rest are events. No panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.lines();
    let Some(Ok(p)) = lines.next().map(gsl::pattern::FilterPattern::parse) else {
        return;
    };
    let events: Vec<&str> = lines.collect();
    for e in &events {
        let _ = p.matches(e);
    }
    let _ = p.test(&events);
});
