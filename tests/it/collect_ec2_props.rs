//! The flattened rules of a security group (`SecurityGroup.inboundRules`, CloudGuard's
//! one rule per protocol, port range and peer) allow exactly the (protocol, port,
//! source) triples the group's AWS permissions allow. Two readings, written apart: the
//! AWS one over `IpPermission` records, and the CloudGuard one over the entity the
//! graph builder writes.

use gsl::collect::build_account;
use gsl::collect::types::security_group::{GroupRecord, GroupRegion, Peer, Permission};
use gsl::collect::Collected;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use serde_json::Value as Json;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What traffic is probed: its protocol and port (ICMP: type and code).
#[derive(Debug, Clone)]
enum Traffic {
    Tcp(i32),
    Udp(i32),
    Icmp(i32, i32),
    Icmp6(i32, i32),
    Esp,
}

/// Where it comes from.
#[derive(Debug, Clone)]
enum Source {
    Ip(IpAddr),
    /// A security group or prefix list id.
    Id(String),
}

/// AWS's reading of one permission.
fn permission_allows(p: &Permission, t: &Traffic, s: &Source) -> bool {
    let from = p.from_port.unwrap_or(-1);
    let to = p.to_port.unwrap_or(-1);
    let icmp = |ty: i32, code: i32| (from == -1 || from == ty) && (to == -1 || to == code);
    let traffic = match (p.ip_protocol.as_str(), t) {
        ("-1", _) => true,
        ("tcp" | "6", Traffic::Tcp(port)) | ("udp" | "17", Traffic::Udp(port)) => {
            from <= *port && *port <= to
        }
        ("icmp" | "1", Traffic::Icmp(ty, code)) => icmp(*ty, *code),
        ("icmpv6" | "58", Traffic::Icmp6(ty, code)) => icmp(*ty, *code),
        ("50", Traffic::Esp) => true,
        _ => false,
    };
    let source = match s {
        Source::Ip(IpAddr::V4(a)) => p
            .ip_ranges
            .iter()
            .any(|r| r.id.parse::<Ipv4Net>().is_ok_and(|n| n.contains(a))),
        Source::Ip(IpAddr::V6(a)) => p
            .ipv6_ranges
            .iter()
            .any(|r| r.id.parse::<Ipv6Net>().is_ok_and(|n| n.contains(a))),
        Source::Id(id) => p.groups.iter().chain(&p.prefix_lists).any(|r| &r.id == id),
    };
    traffic && source
}

/// CloudGuard's reading of one flattened rule.
fn rule_allows(r: &Json, t: &Traffic, s: &Source) -> bool {
    let protocol = r["protocol"].as_str().unwrap_or_default();
    let (port, port_to) = (
        r["port"].as_i64().unwrap_or(i64::MIN),
        r["portTo"].as_i64().unwrap_or(i64::MIN),
    );
    let in_range = |p: i32| port <= i64::from(p) && i64::from(p) <= port_to;
    let icmp = |ty: i32, code: i32| {
        (port == -1 || port == i64::from(ty)) && (port_to == -1 || port_to == i64::from(code))
    };
    let traffic = match (protocol, t) {
        ("ALL", _) => port == 0 && port_to == 65535,
        ("TCP", Traffic::Tcp(p)) | ("UDP", Traffic::Udp(p)) => in_range(*p),
        ("ICMP", Traffic::Icmp(ty, code)) | ("58", Traffic::Icmp6(ty, code)) => icmp(*ty, *code),
        ("50", Traffic::Esp) => port == 0 && port_to == 65535,
        _ => false,
    };
    let scope = r["scope"].as_str().unwrap_or_default();
    let source = match (s, scope.parse::<IpNet>()) {
        (Source::Ip(a), Ok(net)) => net.contains(a),
        (Source::Id(id), Err(_)) => scope == id,
        _ => false,
    };
    traffic && source
}

fn peer(id: String) -> Peer {
    Peer {
        id,
        description: None,
    }
}

fn ipv4_range() -> impl Strategy<Value = Peer> {
    (any::<u32>(), 0u8..=32).prop_map(|(a, len)| {
        let net = Ipv4Net::new(Ipv4Addr::from(a), len).expect("prefix <= 32");
        peer(net.trunc().to_string())
    })
}

fn ipv6_range() -> impl Strategy<Value = Peer> {
    (any::<u128>(), 0u8..=128).prop_map(|(a, len)| {
        let net = Ipv6Net::new(Ipv6Addr::from(a), len).expect("prefix <= 128");
        peer(net.trunc().to_string())
    })
}

fn permission() -> impl Strategy<Value = Permission> {
    let traffic = prop_oneof![
        Just(("-1".to_string(), None, None)),
        Just(("50".to_string(), None, None)),
        (
            prop_oneof![Just("tcp"), Just("udp"), Just("6"), Just("17")],
            0i32..100,
            0i32..40
        )
            .prop_map(|(p, from, len)| (p.to_string(), Some(from), Some(from + len))),
        (
            prop_oneof![Just("icmp"), Just("icmpv6")],
            -1i32..4,
            -1i32..4
        )
            .prop_map(|(p, ty, code)| (p.to_string(), Some(ty), Some(code))),
    ];
    (
        traffic,
        prop::collection::vec(ipv4_range(), 0..3),
        prop::collection::vec(ipv6_range(), 0..2),
        prop::collection::vec((0u8..3).prop_map(|n| peer(format!("sg-{n}"))), 0..2),
        prop::collection::vec((0u8..2).prop_map(|n| peer(format!("pl-{n}"))), 0..2),
    )
        .prop_map(|((proto, from, to), v4, v6, groups, lists)| Permission {
            ip_protocol: proto,
            from_port: from,
            to_port: to,
            ip_ranges: v4,
            ipv6_ranges: v6,
            groups,
            prefix_lists: lists,
        })
}

fn traffic() -> impl Strategy<Value = Traffic> {
    prop_oneof![
        (0i32..150).prop_map(Traffic::Tcp),
        (0i32..150).prop_map(Traffic::Udp),
        (-1i32..5, -1i32..5).prop_map(|(t, c)| Traffic::Icmp(t, c)),
        (-1i32..5, -1i32..5).prop_map(|(t, c)| Traffic::Icmp6(t, c)),
        Just(Traffic::Esp),
    ]
}

fn source() -> impl Strategy<Value = Source> {
    prop_oneof![
        any::<u32>().prop_map(|a| Source::Ip(IpAddr::V4(Ipv4Addr::from(a)))),
        any::<u128>().prop_map(|a| Source::Ip(IpAddr::V6(Ipv6Addr::from(a)))),
        (0u8..3).prop_map(|n| Source::Id(format!("sg-{n}"))),
        (0u8..2).prop_map(|n| Source::Id(format!("pl-{n}"))),
    ]
}

/// The probes to ask: random ones, and the edges of each permission (its first and
/// last port, the first address of each range) so that allowed traffic is asked too.
fn probes(perms: &[Permission], random: Vec<(Traffic, Source)>) -> Vec<(Traffic, Source)> {
    let mut out = random;
    for p in perms {
        let (from, to) = (p.from_port.unwrap_or(0), p.to_port.unwrap_or(0));
        let mut sources: Vec<Source> = p
            .ip_ranges
            .iter()
            .chain(&p.ipv6_ranges)
            .filter_map(|r| r.id.parse::<IpNet>().ok())
            .flat_map(|n| [Source::Ip(n.network()), Source::Ip(n.broadcast())])
            .collect();
        sources.extend(
            p.groups
                .iter()
                .chain(&p.prefix_lists)
                .map(|r| Source::Id(r.id.clone())),
        );
        for s in sources {
            for t in [
                Traffic::Tcp(from),
                Traffic::Tcp(to),
                Traffic::Tcp(to + 1),
                Traffic::Udp(from),
                Traffic::Udp(from - 1),
                Traffic::Icmp(from, to),
                Traffic::Icmp6(from, to),
                Traffic::Icmp(from, to + 1),
                Traffic::Esp,
            ] {
                out.push((t, s.clone()));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn flattened_rules_allow_what_the_permissions_allow(
        inbound in prop::collection::vec(permission(), 0..4),
        random in prop::collection::vec((traffic(), source()), 0..40),
    ) {
        let c = Collected {
            account_number: "111111111111".into(),
            security_groups: vec![GroupRegion {
                region: "us-east-1".into(),
                groups: vec![GroupRecord {
                    group_id: "sg-9".into(),
                    group_name: "g".into(),
                    ip_permissions: inbound.clone(),
                    ..Default::default()
                }],
                network_interfaces: Vec::new(),
            }],
            ..Default::default()
        };
        let account = build_account(&c);
        let group = &account.entities["SecurityGroup"][0];
        let rules = group["inboundRules"].as_array().expect("a list of rules").clone();
        let peers: usize = inbound
            .iter()
            .map(|p| p.ip_ranges.len() + p.ipv6_ranges.len() + p.groups.len() + p.prefix_lists.len())
            .sum();
        prop_assert_eq!(rules.len(), peers, "one rule per peer");
        for (t, s) in probes(&inbound, random) {
            let aws = inbound.iter().any(|p| permission_allows(p, &t, &s));
            let cloudguard = rules.iter().any(|r| rule_allows(r, &t, &s));
            prop_assert_eq!(aws, cloudguard, "{:?} from {:?}; rules {:?}", t, s, rules);
        }
    }
}
