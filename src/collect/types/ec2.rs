//! What the EC2 types (`SecurityGroup`, `VPC`, `Subnet`, `NACL`, `RouteTable`,
//! `Instance`, `Volume`, `EbsDefaultEncryption`, `AMI`, `ElasticIP`) share: tags as `[{key, value}]`, the
//! `Name` tag as an entity's name, and (with the `aws` feature) one paged EC2 listing
//! per region whose failure is recorded.

use crate::entity::schema::{n, p, PropType, Property};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use PropType::String as S;

/// One tag (`Tags[]` / `TagSet[]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Tag {
    /// `Key`.
    pub key: String,
    /// `Value`.
    pub value: Option<String>,
}

/// A tag's properties.
pub const TAG: &[Property] = &[p("key", S, "`Key`"), n("value", S, "`Value`")];

/// The type of `tags`: a list of `{key, value}`.
pub const TAGS: PropType = PropType::List(&PropType::Object(TAG));

/// The value of the `Name` tag, or `""` (CloudGuard's name of an EC2 object).
pub fn name_tag(tags: &[Tag]) -> &str {
    tags.iter()
        .find(|t| t.key == "Name")
        .and_then(|t| t.value.as_deref())
        .unwrap_or_default()
}

/// Tags as the entity's `tags`.
pub fn tags_json(tags: &[Tag]) -> Json {
    super::to_json(&tags)
}

#[cfg(feature = "aws")]
pub(crate) use fetch::{listing, tags};

#[cfg(feature = "aws")]
mod fetch {
    use super::Tag;
    use crate::collect::call::Session;
    use crate::collect::client::SdkError;
    use crate::collect::Service;
    use aws_sdk_ec2::types as ec2;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    use std::future::Future;

    /// SDK tags as records.
    pub(crate) fn tags(t: &[ec2::Tag]) -> Vec<Tag> {
        t.iter()
            .filter_map(|t| {
                Some(Tag {
                    key: t.key()?.to_string(),
                    value: t.value().map(str::to_string),
                })
            })
            .collect()
    }

    /// Every page of the EC2 listing `operation` in `region`: `send(token)` asks for a
    /// page, `take(page)` keeps its items and returns the next token. `None` when a
    /// call failed (recorded: the types that declare or read it are incomplete there).
    pub(crate) async fn listing<T, O, E, Fut>(
        s: &Session,
        region: &str,
        operation: &'static str,
        send: impl FnMut(Option<String>) -> Fut,
        mut take: impl FnMut(O, &mut Vec<T>) -> Option<String>,
    ) -> Option<Vec<T>>
    where
        Fut: Future<Output = Result<O, SdkError<E>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let mut out = Vec::new();
        let result = s
            .paginate(Service::Ec2, operation, send, |page| take(page, &mut out))
            .await;
        match result {
            Ok(()) => Some(out),
            Err(f) => {
                s.record(region, Service::Ec2, operation, f, false);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EC2 types gsl collects.
    const TYPES: &[&str] = &[
        "SecurityGroup",
        "VPC",
        "Subnet",
        "NACL",
        "RouteTable",
        "Instance",
        "Volume",
        "EbsEncryptionByDefault",
        "AMI",
        "ElasticIP",
    ];

    /// Every rule of the public corpus (`tests/data/gsl/corpus_valid.txt`) over an EC2
    /// type checks against the collected schema (no unknown property) and evaluates,
    /// without an error, on the entities built from the example records; both
    /// verdicts occur.
    #[test]
    fn the_corpus_rules_on_the_ec2_types_check_and_evaluate() {
        use crate::entity::graph::EntityGraph;
        use crate::lang::eval::{check_rule, evaluate, EvalOptions, Outcome};
        use crate::lang::parser::parse_rule;
        let snapshot = crate::collect::graph::build_snapshot(
            &[crate::collect::types::example_account()],
            Some("2026-06-01T00:00:00Z".into()),
        );
        let graph = EntityGraph::new(snapshot);
        let mut seen = Vec::new();
        let mut outcomes = std::collections::BTreeSet::new();
        for line in include_str!("../../../tests/data/gsl/corpus_valid.txt").lines() {
            let rule_text = line.split("  #").next().unwrap_or_default().trim();
            if rule_text.is_empty() || rule_text.starts_with('#') {
                continue;
            }
            let rule = parse_rule(rule_text).expect("the corpus parses");
            let ty = rule.target.entity.name.clone();
            if !TYPES.contains(&ty.as_str())
                || rule_text.contains("privateIpGoogleAccess")
                || rule_text.contains("startTime")
            {
                continue;
            }
            let checked =
                check_rule(&rule).unwrap_or_else(|e| panic!("{rule_text}: {:?}", e.codes()));
            let result = evaluate(&checked, &graph, &EvalOptions::default());
            assert!(!result.entities.is_empty(), "{rule_text}: no entity");
            for r in &result.entities {
                assert_ne!(
                    r.outcome,
                    Outcome::Error,
                    "{rule_text}: {}",
                    r.explanation.summary
                );
                outcomes.insert(format!("{:?}", r.outcome));
            }
            seen.push(ty);
        }
        for ty in ["SecurityGroup", "VPC", "Instance", "AMI"] {
            assert!(seen.iter().any(|s| s == ty), "no corpus rule on {ty}");
        }
        assert!(seen.len() >= 15, "{seen:?}");
        assert!(
            outcomes.contains("Passed") && outcomes.contains("Failed"),
            "{outcomes:?}"
        );
    }

    #[test]
    fn the_name_tag_names_an_object() {
        let tags = vec![
            Tag {
                key: "env".into(),
                value: Some("prod".into()),
            },
            Tag {
                key: "Name".into(),
                value: Some("web".into()),
            },
        ];
        assert_eq!(name_tag(&tags), "web");
        assert_eq!(name_tag(&[]), "");
        assert_eq!(
            tags_json(&tags)[1],
            serde_json::json!({"key": "Name", "value": "web"})
        );
    }
}
