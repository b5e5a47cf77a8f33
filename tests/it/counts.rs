//! How many policies the built-in packs ship, for the tests that count what a run or a
//! listing shows (the packs grow; the tests compare with the packs, not with a number).

use gsl::policy::select::{builtin_packs, default_packs};

/// The policies of a run with no path and no `--pack`: the latest version of each
/// built-in pack (every control of the latest CIS version, and CloudGuard's rules).
pub fn default_run() -> usize {
    default_packs(&[])
        .unwrap()
        .iter()
        .map(|p| p.policies().unwrap().len())
        .sum()
}

/// The policies of one built-in pack (`cloudguard`, `cis-aws@1.2.0`).
pub fn pack(spec: &str) -> usize {
    gsl::policy::select::builtin_pack(spec)
        .unwrap()
        .policies()
        .unwrap()
        .len()
}

/// Every version of every built-in pack (what `gsl policies` lists).
pub fn every_pack() -> usize {
    builtin_packs()
        .iter()
        .map(|p| p.policies().unwrap().len())
        .sum()
}

#[test]
fn the_default_run_is_every_cis_control_and_the_cloudguard_rules() {
    let cloudguard = pack("cloudguard");
    // CIS AWS Foundations v5.0.0 has 63 controls: a policy or a manual entry each.
    assert_eq!(default_run(), 63 + cloudguard);
    // v1.2.0 has 14 monitoring controls, v1.4.0 to v2.0.0 15, v3.0.0 all 62, v5.0.0 all 63.
    assert_eq!(every_pack(), 14 + 3 * 15 + 62 + 63 + cloudguard);
}
