//! What the EC2 types (`SecurityGroup`, `VPC`, `Subnet`, `NACL`, `RouteTable`,
//! `Instance`, `Volume`, `EbsDefaultEncryption`) share: tags as `[{key, value}]`, the
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
