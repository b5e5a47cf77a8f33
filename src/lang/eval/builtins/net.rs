//! Networking builtins: `isPublic()`, `numberOfHosts()`, `allowedHostsForPort(n)`,
//! `allowedPublicHostsForPort(n)`. Addresses and CIDRs are read with `ipnet`.
//!
//! Sources: `isPublic()` and `allowedHostsForPort(n)` are used by real CloudGuard rules
//! (`scope isPublic()`, `... allowedHostsForPort(22) > 256`, compared with 4294967296,
//! the size of the IPv4 space); `allowedPublicHostsForPort(n)` by D9.GCP.NET rules;
//! `numberOfHosts()` by D9.AWS.NET.AG2.7 rules (`scope numberOfHosts() > 32 and scope
//! numberOfHosts() <= 256`). The vendor's function table is not public: the semantics
//! below are ours (docs/language.md §6).

use super::{any_value, Applied, ArgKind, Builtin, CallCx, Computed, NotePart, Param, ResultKind};
use crate::lang::eval::error::EvalError;
use crate::lang::eval::value::{display_json, Val};
use crate::lang::printer::number;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::Value as Json;
use std::net::IpAddr;

const PORT: &[Param] = &[Param {
    name: "port",
    kind: ArgKind::Number,
}];

pub(super) const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "isPublic",
        params: &[],
        returns: ResultKind::Bool,
        doc: "the address or CIDR (or any of a list of them) reaches beyond the non-public ranges: RFC 1918, RFC 6598 shared, loopback, link-local, documentation, benchmarking, multicast, reserved; IPv6 ULA, link-local, documentation; '*', 'any', 'Internet' are 0.0.0.0/0",
        example: "inboundRules contain [scope isPublic() and port <= 22 and portTo >= 22]",
        func: is_public,
    },
    Builtin {
        name: "numberOfHosts",
        params: &[],
        returns: ResultKind::Number,
        doc: "the number of addresses of a CIDR or an address (a /24 holds 256, ::/0 holds 2^128; '*', 'any', 'Internet' are 0.0.0.0/0); on a list, of their union (overlaps counted once); 0 when missing; values that are not addresses are not counted",
        example: "inboundRules contain [scope isPublic() and scope numberOfHosts() > 32]",
        func: number_of_hosts,
    },
    Builtin {
        name: "allowedHostsForPort",
        params: PORT,
        returns: ResultKind::Number,
        doc: "on a list of inbound rules: how many source addresses may reach the port (overlapping sources counted once; 0.0.0.0/0 is 4294967296)",
        example: "inboundRules allowedHostsForPort(22) > 256",
        func: allowed_hosts,
    },
    Builtin {
        name: "allowedPublicHostsForPort",
        params: PORT,
        returns: ResultKind::Number,
        doc: "like allowedHostsForPort, counting only the public addresses (see isPublic)",
        example: "inboundRules allowedPublicHostsForPort(22) > 32",
        func: allowed_public_hosts,
    },
];

/// The ranges that are not public, IPv4 then IPv6 (pairwise disjoint per family).
const NON_PUBLIC: &[&str] = &[
    "0.0.0.0/8",       // "this network" (RFC 791)
    "10.0.0.0/8",      // private (RFC 1918)
    "100.64.0.0/10",   // shared address space (RFC 6598)
    "127.0.0.0/8",     // loopback
    "169.254.0.0/16",  // link-local (RFC 3927)
    "172.16.0.0/12",   // private (RFC 1918)
    "192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
    "192.0.2.0/24",    // documentation TEST-NET-1 (RFC 5737)
    "192.168.0.0/16",  // private (RFC 1918)
    "198.18.0.0/15",   // benchmarking (RFC 2544)
    "198.51.100.0/24", // documentation TEST-NET-2
    "203.0.113.0/24",  // documentation TEST-NET-3
    "224.0.0.0/4",     // multicast
    "240.0.0.0/4",     // reserved, and the broadcast address
    "::/128",          // unspecified
    "::1/128",         // loopback
    "::ffff:0:0/96",   // IPv4-mapped (judged as IPv4, see `parse_net`)
    "64:ff9b:1::/48",  // local-use IPv4/IPv6 translation (RFC 8215)
    "100::/64",        // discard-only (RFC 6666)
    "2001:db8::/32",   // documentation (RFC 3849)
    "fc00::/7",        // unique local (RFC 4193)
    "fe80::/10",       // link-local
    "ff00::/8",        // multicast
];

fn non_public() -> impl Iterator<Item = IpNet> {
    NON_PUBLIC.iter().filter_map(|s| s.parse().ok())
}

/// Read an address or CIDR: `10.0.0.1`, `10.0.0.0/8`, `2001:db8::/32`; `*`, `any`,
/// `Internet` (Azure) and `0.0.0.0/0` are the whole IPv4 space. IPv4-mapped IPv6
/// addresses are read as IPv4. Host bits are dropped (`10.1.2.3/8` is `10.0.0.0/8`).
pub(crate) fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    if s == "*" || s.eq_ignore_ascii_case("any") || s.eq_ignore_ascii_case("internet") {
        return Some(IpNet::V4(Ipv4Net::default()));
    }
    let net = match s.parse::<IpNet>() {
        Ok(n) => n,
        Err(_) => match s.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => IpNet::V4(Ipv4Net::new(a, 32).ok()?),
            IpAddr::V6(a) => IpNet::V6(Ipv6Net::new(a, 128).ok()?),
        },
    };
    Some(match net {
        IpNet::V6(n) if n.prefix_len() >= 96 => match n.network().to_ipv4_mapped() {
            Some(v4) => IpNet::V4(Ipv4Net::new(v4, n.prefix_len() - 96).ok()?),
            None => IpNet::V6(n.trunc()),
        },
        other => other.trunc(),
    })
}

/// The number of addresses of a network: a power of two, exact as an `f64` even for
/// `::/0` (2^128).
fn size(n: &IpNet) -> f64 {
    let bits = match n {
        IpNet::V4(_) => 32,
        IpNet::V6(_) => 128,
    };
    2f64.powi(i32::from(bits - n.prefix_len()))
}

/// The number of public addresses of a network: its size less its overlap with each
/// non-public range (two CIDRs overlap only when one contains the other).
fn public_size(n: &IpNet) -> f64 {
    let reserved: f64 = non_public()
        .map(|r| {
            if r.contains(n) {
                size(n)
            } else if n.contains(&r) {
                size(&r)
            } else {
                0.0
            }
        })
        .sum();
    (size(n) - reserved).max(0.0)
}

/// A network is public when some of its addresses are.
pub(crate) fn is_public_net(n: &IpNet) -> bool {
    public_size(n) > 0.0
}

fn is_public(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    any_value(cx, v, |j| match j {
        Json::String(s) => match parse_net(s) {
            Some(n) => Ok(is_public_net(&n)),
            None => Err(format!("{} is not an IP address or CIDR", display_json(j))),
        },
        other => Err(format!(
            "{} is not an IP address or CIDR",
            display_json(other)
        )),
    })
}

/// `numberOfHosts()`: the addresses of the networks among the values, merged so that
/// overlaps count once; values that are not addresses are noted and not counted.
fn number_of_hosts(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    let values = super::json_values(v).ok_or_else(|| {
        cx.bad_value("applied to a computed value: it applies to a CIDR or an address".into())
    })?;
    let mut nets = Vec::new();
    let mut notes = Vec::new();
    for j in values {
        match j.as_str().and_then(parse_net) {
            Some(n) => nets.push(n),
            None => notes.push(format!(
                "{} is not an IP address or CIDR and was not counted",
                display_json(j)
            )),
        }
    }
    let nets = IpNet::aggregate(&nets);
    let count = nets.iter().map(size).sum();
    Ok(counted(count, &nets, notes, "no address"))
}

/// A port or a port range as written in rules: a number, `"22"`, `"20-25"`, `"*"`.
fn port_range(j: &Json) -> Option<(f64, f64)> {
    match j {
        Json::Number(n) => n.as_f64().map(|p| (p, p)),
        Json::String(s) => {
            let s = s.trim();
            if s == "*" || s.eq_ignore_ascii_case("all") {
                return Some((0.0, 65535.0));
            }
            match s.split_once('-') {
                Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
                None => s.parse().ok().map(|p| (p, p)),
            }
        }
        _ => None,
    }
}

/// Field names read from an inbound rule, in order of preference.
const PORT_FROM: &[&str] = &[
    "port",
    "fromPort",
    "destinationPort",
    "destinationPortRange",
];
const PORT_TO: &[&str] = &["portTo", "toPort", "destinationPortTo"];
const PORT_LISTS: &[&str] = &["destinationPortRanges", "ports"];
const SOURCES: &[&str] = &[
    "scope",
    "source",
    "sourceAddressPrefix",
    "cidr",
    "cidrIp",
    "sourceAddressPrefixes",
    "sourceRanges",
];

/// Whether an inbound rule (an object) lets traffic reach `port`. `None` when it says
/// nothing about ports.
fn rule_covers(rule: &serde_json::Map<String, Json>, port: f64) -> Option<bool> {
    let protocol = rule
        .get("protocol")
        .and_then(Json::as_str)
        .map(str::to_ascii_lowercase);
    if matches!(protocol.as_deref(), Some("all" | "-1" | "*")) {
        return Some(true);
    }
    let first = |names: &[&str]| names.iter().find_map(|k| rule.get(*k));
    if let Some(from) = first(PORT_FROM).and_then(port_range) {
        let to = first(PORT_TO)
            .and_then(port_range)
            .map_or(from.1, |(_, t)| t);
        return Some(from.0 <= port && port <= to);
    }
    if let Some(list) = first(PORT_LISTS).and_then(Json::as_array) {
        return Some(
            list.iter()
                .filter_map(port_range)
                .any(|(a, b)| a <= port && port <= b),
        );
    }
    None
}

/// A rule that denies (`access: Deny`, `action: deny`) allows no one.
fn denies(rule: &serde_json::Map<String, Json>) -> bool {
    ["access", "action"].iter().any(|k| {
        rule.get(*k)
            .and_then(Json::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("deny"))
    })
}

/// The source networks of the rules that allow `port`, merged, and notes on what
/// could not be read.
fn allowed_sources(cx: &CallCx<'_>, v: &Val<'_>) -> Result<(Vec<IpNet>, Vec<String>), EvalError> {
    let port = cx.number(0)?;
    let rules = super::json_values(v).ok_or_else(|| {
        cx.bad_value("applied to a computed value: it applies to a list of inbound rules".into())
    })?;
    let mut nets = Vec::new();
    let mut notes = Vec::new();
    for r in rules {
        let Some(rule) = r.as_object() else {
            notes.push(format!("{} is not an inbound rule", display_json(r)));
            continue;
        };
        if denies(rule) {
            continue;
        }
        match rule_covers(rule, port) {
            Some(true) => {}
            Some(false) => continue,
            None => {
                notes.push("a rule without a port or port range was skipped".into());
                continue;
            }
        }
        let Some(src) = SOURCES.iter().find_map(|k| rule.get(*k)) else {
            notes.push("a rule without a source address was skipped".into());
            continue;
        };
        let values: Vec<&Json> = match src {
            Json::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for s in values {
            match s.as_str().and_then(parse_net) {
                Some(n) => nets.push(n),
                None => notes.push(format!(
                    "source {} is not an address and was not counted",
                    display_json(s)
                )),
            }
        }
    }
    Ok((IpNet::aggregate(&nets), notes))
}

/// A count of addresses, noted with the networks counted (or `none` when there are
/// none) before `notes`.
fn counted(count: f64, nets: &[IpNet], mut notes: Vec<String>, none: &str) -> Applied {
    let shown: Vec<String> = nets.iter().take(4).map(ToString::to_string).collect();
    let more = nets.len().saturating_sub(4);
    let mut what = format!("{} address(es) from {}", number(count), shown.join(", "));
    if nets.is_empty() {
        what = none.into();
    } else if more > 0 {
        what.push_str(&format!(" and {more} more"));
    }
    notes.insert(0, what);
    notes.dedup();
    Applied {
        value: Computed::Num(count),
        note: notes.into_iter().map(NotePart::Text).collect(),
        closeness: None,
    }
}

fn allowed_hosts(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    let (nets, notes) = allowed_sources(cx, v)?;
    let count = nets.iter().map(size).sum();
    Ok(counted(count, &nets, notes, "no source allowed"))
}

fn allowed_public_hosts(cx: &CallCx<'_>, v: &Val<'_>) -> Result<Applied, EvalError> {
    let (nets, notes) = allowed_sources(cx, v)?;
    let count = nets.iter().map(public_size).sum();
    Ok(counted(count, &nets, notes, "no source allowed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public_net(&parse_net(s).expect(s))
    }

    #[test]
    fn public_and_private_ranges() {
        for s in [
            "0.0.0.0/0",
            "8.8.8.8",
            "52.0.0.0/8",
            "*",
            "Internet",
            "2600::/16",
            "::/0",
        ] {
            assert!(public(s), "{s}");
        }
        for s in [
            "10.0.0.0/8",
            "10.1.2.3",
            "172.16.5.0/24",
            "192.168.0.0/16",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "192.0.2.10",
            "198.51.100.0/24",
            "203.0.113.7",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::/8",
            "2001:db8::/32",
            "::ffff:10.0.0.1",
        ] {
            assert!(!public(s), "{s}");
        }
        assert!(public("::ffff:8.8.8.8"));
        assert_eq!(parse_net("sg-123"), None);
        assert_eq!(parse_net("10.1.2.3/8"), "10.0.0.0/8".parse().ok());
    }

    #[test]
    fn sizes_are_exact_powers_of_two() {
        assert_eq!(size(&parse_net("10.0.0.1").unwrap()), 1.0);
        assert_eq!(size(&parse_net("::/0").unwrap()), 2f64.powi(128));
        assert_eq!(
            size(&parse_net("2001:db8::/64").unwrap()),
            18_446_744_073_709_551_616.0
        );
        assert_eq!(size(&parse_net("::ffff:10.0.0.0/120").unwrap()), 256.0);
        assert_eq!(size(&parse_net("*").unwrap()), 4_294_967_296.0);
    }

    #[test]
    fn sizes() {
        assert_eq!(size(&parse_net("0.0.0.0/0").unwrap()), 4_294_967_296.0);
        assert_eq!(size(&parse_net("10.0.0.0/24").unwrap()), 256.0);
        assert_eq!(public_size(&parse_net("10.0.0.0/24").unwrap()), 0.0);
        let all = public_size(&parse_net("0.0.0.0/0").unwrap());
        assert!(all < 4_294_967_296.0 && all > 3.0e9, "{all}");
    }
}
