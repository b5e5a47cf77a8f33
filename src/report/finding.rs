//! Stable findings: the identity of a policy's result on one object, and its
//! fingerprint, the value every report format carries (JSON `fingerprint`, SARIF
//! `partialFingerprints`, CSV `fingerprint`, OCSF `finding_info.uid`, a JUnit testcase
//! property) and by which a baseline, `gsl diff` and the findings store match results
//! across runs (docs/history.md).
//!
//! The identity is the policy's pack without its version (`cis-aws`, not
//! `cis-aws@5.0.0`), the policy id, the account, the region and the entity id. The
//! fingerprint hashes the identity and the digest of the rule's canonical text
//! ([`rule_digest`]): it survives what does not change the rule's meaning (the
//! explanation's wording, the order of evidence, the title and description, comments
//! and layout of the rule, a pack version bump that keeps the rule) and changes with
//! what does (the rule, the policy, the object, its account or region).

use super::PolicyReport;
use crate::lang::ast::Rule;
use crate::lang::eval::EntityResult;

/// The key of the fingerprint in SARIF's `partialFingerprints` (versioned: a change of
/// the computation is a new key, so code-scanning services do not match old values).
pub const SARIF_KEY: &str = "gslFinding/v2";

/// A pack's name without its version: `cis-aws@5.0.0` → `cis-aws`.
pub fn pack_family(pack: &str) -> &str {
    pack.split_once('@').map_or(pack, |(name, _)| name)
}

/// The digest of a rule's meaning: of its canonical text (`gsl::lang::printer`), so
/// layout, comments and metadata do not count. 32 hexadecimal digits.
pub fn rule_digest(rule: &Rule) -> String {
    let mut h = Fnv128::new();
    h.field(crate::lang::printer::print_rule(rule).as_bytes());
    h.hex()
}

/// What a finding is about: the same object under the same policy, whatever the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Identity<'a> {
    /// The pack, without its version ([`pack_family`]).
    pub pack: &'a str,
    /// The policy id.
    pub policy: &'a str,
    /// The account number.
    pub account: &'a str,
    /// The region (empty for a global object).
    pub region: &'a str,
    /// The entity id.
    pub entity: &'a str,
}

impl<'a> Identity<'a> {
    /// The identity of one object's result in a policy's report.
    pub fn of(report: &'a PolicyReport, e: &'a EntityResult) -> Identity<'a> {
        Identity {
            pack: pack_family(crate::policy::select::pack_of(&report.origin)),
            policy: &report.meta.id,
            account: &e.account,
            region: e.region.as_deref().unwrap_or(""),
            entity: &e.id,
        }
    }

    /// The fingerprint of this identity under a rule of digest `rule` (`None` for a
    /// policy without a rule): 32 hexadecimal digits.
    pub fn fingerprint(&self, rule: Option<&str>) -> String {
        let mut h = Fnv128::new();
        for part in [
            "gsl-finding/2",
            self.pack,
            self.policy,
            self.account,
            self.region,
            self.entity,
            rule.unwrap_or(""),
        ] {
            h.field(part.as_bytes());
        }
        h.hex()
    }
}

/// The fingerprint of one object's result in a policy's report.
pub fn fingerprint(report: &PolicyReport, e: &EntityResult) -> String {
    Identity::of(report, e).fingerprint(report.rule_digest.as_deref())
}

/// FNV-1a over 128 bits: fixed by its specification, the same on every platform and
/// release (a standard library hasher is not), and enough against accidental
/// collisions (a fingerprint is an identifier, not a secret).
struct Fnv128(u128);

impl Fnv128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;

    fn new() -> Fnv128 {
        Fnv128(Self::OFFSET)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u128::from(*b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// One field, length first, so `("ab", "c")` and `("a", "bc")` differ.
    fn field(&mut self, bytes: &[u8]) {
        self.bytes(&(bytes.len() as u64).to_le_bytes());
        self.bytes(bytes);
    }

    fn hex(&self) -> String {
        format!("{:032x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_1a_128_matches_its_published_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv128::new();
            h.bytes(s.as_bytes());
            h.hex()
        };
        assert_eq!(hash(""), "6c62272e07bb014262b821756295c58d");
        assert_eq!(hash("a"), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn the_pack_family_drops_the_version() {
        assert_eq!(pack_family("cis-aws@5.0.0"), "cis-aws");
        assert_eq!(pack_family("cloudguard"), "cloudguard");
    }
}
