//! What the moto tests of the EC2, load balancer, image and database types ask of a
//! collection: one collected over us-east-1 and eu-west-1, its entities of a type, one
//! by name.

use super::Moto;
use gsl::collect::{self, CollectOptions, Collection, EndpointOverride};
use serde_json::Value as Json;

/// Collect the moto account over us-east-1 and eu-west-1, with `endpoints`.
pub async fn collect_from(moto: &Moto, endpoints: Vec<EndpointOverride>) -> Collection {
    let config = moto.sdk_config("us-east-1").await;
    let options = CollectOptions {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        endpoints,
        ..Default::default()
    };
    collect::collect(&config, &options)
        .await
        .expect("collection runs")
}

/// The entities of type `ty` of the one collected account.
pub fn entities<'a>(c: &'a Collection, ty: &str) -> &'a [Json] {
    c.snapshot.accounts[0]
        .entities
        .get(ty)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The entity of type `ty` named `name`.
pub fn by_name<'a>(c: &'a Collection, ty: &str, name: &str) -> &'a Json {
    entities(c, ty)
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no {ty} named {name}"))
}
