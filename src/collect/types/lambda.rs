//! `Lambda`: every function of each collected region (`ListFunctions`), with its
//! resource policy (`GetPolicy`, parsed; `isPublic` derived from it) and its function
//! URL (`GetFunctionUrlConfig`), once per function. Environment variables are kept
//! by name only: their values never leave the fetcher.

use super::load_balancer::Network;
use super::s3_bucket::{policy_allows_public, POLICY};
use super::security_group;
use super::subnet;
use super::vpc;
use super::{Call, Collected, EntityType, Scope};
use crate::collect::Service;
use crate::entity::schema::{identity, join, n, p, PropType, Property, IDENTITY_LEN, STRINGS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};
use PropType::{Boolean as B, Number as N, String as S, Time as T};

/// The declaration.
pub const TYPE: EntityType = EntityType {
    name: "Lambda",
    about: "Every Lambda function of each collected region (`ListFunctions`), with its resource policy (`GetPolicy`)\nand function URL (`GetFunctionUrlConfig`), once per function. `isPublic` is derived from the policy: an\n`Allow` to everyone that no condition on the caller restricts (as for `S3Bucket`). Environment variables\nare listed by name only; their values are never read into the snapshot. A function in a VPC carries its\nsubnets and security groups (with their rules), joined from the EC2 types' listings.",
    calls: &[LIST_FUNCTIONS, GET_POLICY, GET_FUNCTION_URL_CONFIG],
    reads: &super::load_balancer::READS,
    properties: PROPERTIES,
    tables: &[
        ("functionUrl", "`functionUrl` (GetFunctionUrlConfig):"),
        ("policy", "`policy` (GetPolicy, the document as written):"),
        ("policy.Statement", "`policy.Statement[]`:"),
    ],
    build,
};

/// ListFunctions.
pub const LIST_FUNCTIONS: Call = Call {
    service: Service::Lambda,
    operation: "ListFunctions",
    scope: Scope::Region,
    paged: true,
};

/// GetPolicy.
pub const GET_POLICY: Call = Call {
    service: Service::Lambda,
    operation: "GetPolicy",
    scope: Scope::Each("function"),
    paged: false,
};

/// GetFunctionUrlConfig.
pub const GET_FUNCTION_URL_CONFIG: Call = Call {
    service: Service::Lambda,
    operation: "GetFunctionUrlConfig",
    scope: Scope::Each("function"),
    paged: false,
};

const URL: &[Property] = &[
    p("url", S, "`FunctionUrl`"),
    p("authType", S, "`AuthType` (`NONE`: anyone can call it, `AWS_IAM`)"),
];

const OWN: &[Property] = &[
    p("arn", S, "`FunctionArn`"),
    n("runtime", S, "`Runtime` (`python3.12`, `nodejs20.x`, ...; `null` for an image)"),
    n("handler", S, "`Handler`"),
    n("role", S, "`Role` (the execution role's ARN)"),
    n("description", S, "`Description`"),
    n("memorySize", N, "`MemorySize` (MB)"),
    n("timeout", N, "`Timeout` (seconds)"),
    n("codeSize", N, "`CodeSize` (bytes)"),
    n("lastModified", T, "`LastModified`"),
    n("version", S, "`Version`"),
    n("packageType", S, "`PackageType` (`Zip`, `Image`)"),
    p("architectures", STRINGS, "`Architectures[]`"),
    n("kmsKeyArn", S, "`KMSKeyArn` (the key of its environment variables)"),
    n("tracingMode", S, "`TracingConfig.Mode`"),
    n("state", S, "`State`"),
    p(
        "environmentVariables",
        STRINGS,
        "the names of `Environment.Variables` (never their values)",
    ),
    n(
        "vpc",
        PropType::Object(vpc::BRIEF),
        "the function's VPC (`VpcConfig.VpcId`), its brief; `null` outside a VPC",
    ),
    p(
        "subnets",
        PropType::List(&PropType::Object(subnet::PROPERTIES)),
        "the `Subnet`s of `VpcConfig.SubnetIds[]`",
    ),
    p(
        "securityGroups",
        PropType::List(&PropType::Object(security_group::PROPERTIES)),
        "the `SecurityGroup`s of `VpcConfig.SecurityGroupIds[]`",
    ),
    n(
        "policy",
        PropType::Object(POLICY),
        "GetPolicy `Policy`, parsed (`null`: no resource policy)",
    ),
    p(
        "isPublic",
        B,
        "derived: the policy has an `Allow` for `Principal` `\"*\"` (or `{\"AWS\": \"*\"}`) that no condition on the caller (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`, ...) restricts",
    ),
    n(
        "functionUrl",
        PropType::Object(URL),
        "GetFunctionUrlConfig (`null`: no function URL)",
    ),
];

const PROPERTIES: &[Property] = &join::<{ IDENTITY_LEN + OWN.len() }>(
    &identity(
        "`FunctionArn`",
        "`\"Lambda\"`",
        "`FunctionName`",
        "the function's region",
    ),
    OWN,
);

/// The records: functions.
pub type Record = FunctionRecord;

/// ListFunctions `Functions[]` item, with its policy and URL. Environment variables
/// by name only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FunctionRecord {
    /// The region.
    pub region: String,
    /// `FunctionArn`.
    pub arn: String,
    /// `FunctionName`.
    pub name: String,
    /// `Runtime`.
    pub runtime: Option<String>,
    /// `Handler`.
    pub handler: Option<String>,
    /// `Role`.
    pub role: Option<String>,
    /// `Description`.
    pub description: Option<String>,
    /// `MemorySize`.
    pub memory_size: Option<i32>,
    /// `Timeout`.
    pub timeout: Option<i32>,
    /// `CodeSize`.
    pub code_size: Option<i64>,
    /// `LastModified`, RFC 3339.
    pub last_modified: Option<String>,
    /// `Version`.
    pub version: Option<String>,
    /// `PackageType`.
    pub package_type: Option<String>,
    /// `Architectures[]`.
    #[serde(default)]
    pub architectures: Vec<String>,
    /// `KMSKeyArn`.
    pub kms_key_arn: Option<String>,
    /// `TracingConfig.Mode`.
    pub tracing_mode: Option<String>,
    /// `State`.
    pub state: Option<String>,
    /// `Environment.Variables`: the names, sorted.
    #[serde(default)]
    pub environment_variables: Vec<String>,
    /// `VpcConfig.VpcId` (`None` or empty outside a VPC).
    pub vpc_id: Option<String>,
    /// `VpcConfig.SubnetIds[]`.
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    /// `VpcConfig.SecurityGroupIds[]`.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// GetPolicy `Policy`, parsed; `None`: no policy.
    pub policy: Option<Json>,
    /// GetFunctionUrlConfig: (`FunctionUrl`, `AuthType`); `None`: no URL.
    pub url: Option<(String, String)>,
}

/// Lambda's `LastModified` (`2026-01-01T12:00:00.000+0000`) as RFC 3339 UTC.
pub fn last_modified(s: &str) -> Option<String> {
    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z")
        .ok()
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        })
}

fn build(c: &Collected) -> Vec<Json> {
    let net = Network::new(c);
    let mut list: Vec<&FunctionRecord> = c.functions.iter().collect();
    list.sort_by(|a, b| (&a.region, &a.arn).cmp(&(&b.region, &b.arn)));
    list.into_iter()
        .map(|f| {
            let (account, region) = (c.account_number.as_str(), f.region.as_str());
            let mut m = super::identity(&f.arn, TYPE.name, &f.name, account, region);
            m.insert("arn".into(), json!(f.arn));
            m.insert("runtime".into(), json!(f.runtime));
            m.insert("handler".into(), json!(f.handler));
            m.insert("role".into(), json!(f.role));
            m.insert("description".into(), json!(f.description));
            m.insert("memorySize".into(), json!(f.memory_size));
            m.insert("timeout".into(), json!(f.timeout));
            m.insert("codeSize".into(), json!(f.code_size));
            m.insert("lastModified".into(), json!(f.last_modified));
            m.insert("version".into(), json!(f.version));
            m.insert("packageType".into(), json!(f.package_type));
            m.insert("architectures".into(), json!(f.architectures));
            m.insert("kmsKeyArn".into(), json!(f.kms_key_arn));
            m.insert("tracingMode".into(), json!(f.tracing_mode));
            m.insert("state".into(), json!(f.state));
            m.insert(
                "environmentVariables".into(),
                json!(f.environment_variables),
            );
            let vpc = f.vpc_id.as_deref().filter(|v| !v.is_empty());
            m.insert(
                "vpc".into(),
                vpc.map_or(Json::Null, |v| net.vpc(region, Some(v))),
            );
            m.insert("subnets".into(), net.subnets(account, region, &f.subnet_ids));
            m.insert(
                "securityGroups".into(),
                net.groups(account, region, &f.security_group_ids),
            );
            m.insert("policy".into(), f.policy.clone().unwrap_or(Json::Null));
            m.insert(
                "isPublic".into(),
                Json::Bool(f.policy.as_ref().is_some_and(policy_allows_public)),
            );
            m.insert(
                "functionUrl".into(),
                f.url.as_ref().map_or(Json::Null, |(url, auth)| {
                    json!({"url": url, "authType": auth})
                }),
            );
            Json::Object(m)
        })
        .collect()
}

/// Records with every field set (a function in the example VPC, invocable by anyone
/// through its policy and an unauthenticated URL), joined with the other types'
/// examples into one account by the tests that hold the schema to what `build` writes
/// (`crate::entity::schema`).
#[cfg(test)]
pub(crate) const EXAMPLE: &str = r#"{
 "functions": [
  {
   "region": "us-east-1",
   "arn": "arn:aws:lambda:us-east-1:111111111111:function:thumbnails",
   "name": "thumbnails",
   "runtime": "python3.12",
   "handler": "app.handler",
   "role": "arn:aws:iam::111111111111:role/thumbnails",
   "description": "makes thumbnails",
   "memorySize": 256,
   "timeout": 30,
   "codeSize": 1024,
   "lastModified": "2026-01-01T00:00:00Z",
   "version": "$LATEST",
   "packageType": "Zip",
   "architectures": ["arm64"],
   "kmsKeyArn": "arn:aws:kms:us-east-1:111111111111:key/k",
   "tracingMode": "Active",
   "state": "Active",
   "environmentVariables": ["BUCKET", "STAGE"],
   "vpcId": "vpc-1",
   "subnetIds": ["subnet-1"],
   "securityGroupIds": ["sg-1"],
   "policy": {
    "Version": "2012-10-17",
    "Id": "default",
    "Statement": [
     {
      "Sid": "anyone",
      "Effect": "Allow",
      "Principal": {"AWS": ["*"]},
      "NotPrincipal": {"AWS": ["arn:aws:iam::222222222222:root"]},
      "Action": ["lambda:InvokeFunctionUrl"],
      "NotAction": ["lambda:DeleteFunction"],
      "Resource": ["arn:aws:lambda:us-east-1:111111111111:function:thumbnails"],
      "NotResource": ["arn:aws:lambda:us-east-1:111111111111:function:other"],
      "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": ["NONE"]}}
     }
    ]
   },
   "url": ["https://abc.lambda-url.us-east-1.on.aws/", "NONE"]
  }
 ]
}"#;

#[cfg(feature = "aws")]
pub(crate) use fetch::Fetcher;

#[cfg(feature = "aws")]
mod fetch {
    use super::{last_modified, FunctionRecord};
    use crate::collect::call::Session;
    use crate::collect::client::Failure;
    use crate::collect::convert::owned;
    use crate::collect::walk::{Fetch, Walk};
    use crate::collect::Service;
    use aws_sdk_lambda::types::FunctionConfiguration;
    use aws_sdk_lambda::Client;
    use futures::future::{join_all, BoxFuture};

    /// ListFunctions in each region, then each function's policy and URL.
    pub(crate) struct Fetcher;

    impl Fetch for Fetcher {

        fn region<'a>(&'a self, w: &'a Walk<'a>, region: &'a str) -> BoxFuture<'a, bool> {
            Box::pin(async move {
                let client: Client = w.s.client(region);
                let mut listed = Vec::new();
                let result = w
                    .s
                    .paginate(
                        Service::Lambda,
                        "ListFunctions",
                        |marker| {
                            client
                                .list_functions()
                                .max_items(50)
                                .set_marker(marker)
                                .send()
                        },
                        |p| {
                            listed.extend(
                                p.functions().iter().filter_map(|f| function(region, f)),
                            );
                            p.next_marker().map(str::to_string)
                        },
                    )
                    .await;
                if let Err(f) = result {
                    w.s.record(region, Service::Lambda, "ListFunctions", f, false);
                    return true;
                }
                let filled = join_all(listed.into_iter().map(|mut r| {
                    let client = client.clone();
                    async move {
                        let (policy, url) =
                            futures::join!(policy(w.s, &client, &r), url(w.s, &client, &r));
                        r.policy = policy;
                        r.url = url;
                        r
                    }
                }))
                .await;
                w.write(|c| c.functions.extend(filled));
                true
            })
        }
    }

    /// A listed function; the environment's values are dropped here.
    fn function(region: &str, f: &FunctionConfiguration) -> Option<FunctionRecord> {
        let vpc = f.vpc_config();
        let mut variables: Vec<String> = f
            .environment()
            .and_then(|e| e.variables())
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        variables.sort();
        Some(FunctionRecord {
            region: region.to_string(),
            arn: f.function_arn()?.to_string(),
            name: f.function_name().unwrap_or_default().to_string(),
            runtime: f.runtime().map(|r| r.as_str().to_string()),
            handler: owned(f.handler()),
            role: owned(f.role()),
            description: owned(f.description()).filter(|d| !d.is_empty()),
            memory_size: f.memory_size(),
            timeout: f.timeout(),
            code_size: Some(f.code_size()),
            last_modified: f.last_modified().and_then(last_modified),
            version: owned(f.version()),
            package_type: f.package_type().map(|p| p.as_str().to_string()),
            architectures: f
                .architectures()
                .iter()
                .map(|a| a.as_str().to_string())
                .collect(),
            kms_key_arn: owned(f.kms_key_arn()),
            tracing_mode: f
                .tracing_config()
                .and_then(|t| t.mode())
                .map(|m| m.as_str().to_string()),
            state: f.state().map(|s| s.as_str().to_string()),
            environment_variables: variables,
            vpc_id: vpc.and_then(|v| owned(v.vpc_id())),
            subnet_ids: vpc.map(|v| v.subnet_ids().to_vec()).unwrap_or_default(),
            security_group_ids: vpc
                .map(|v| v.security_group_ids().to_vec())
                .unwrap_or_default(),
            policy: None,
            url: None,
        })
    }

    /// `ResourceNotFoundException`: the function has no policy / no URL.
    fn none_configured(f: &Failure) -> bool {
        f.code == "ResourceNotFoundException"
    }

    async fn policy(s: &Session, client: &Client, r: &FunctionRecord) -> Option<serde_json::Value> {
        let call = client.get_policy().function_name(&r.arn).send();
        match s.call(Service::Lambda, "GetPolicy", call).await {
            Ok(out) => out.policy().and_then(|p| serde_json::from_str(p).ok()),
            Err(f) if none_configured(&f) => None,
            Err(f) => {
                s.record_for(&r.region, Service::Lambda, "GetPolicy", &r.name, f);
                None
            }
        }
    }

    async fn url(s: &Session, client: &Client, r: &FunctionRecord) -> Option<(String, String)> {
        let call = client.get_function_url_config().function_name(&r.arn).send();
        match s.call(Service::Lambda, "GetFunctionUrlConfig", call).await {
            Ok(out) => Some((
                out.function_url().to_string(),
                out.auth_type().as_str().to_string(),
            )),
            Err(f) if none_configured(&f) => None,
            Err(f) => {
                s.record_for(&r.region, Service::Lambda, "GetFunctionUrlConfig", &r.name, f);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_modified_is_rfc3339_utc() {
        assert_eq!(
            last_modified("2026-01-01T12:00:00.000+0000").as_deref(),
            Some("2026-01-01T12:00:00Z")
        );
        assert_eq!(
            last_modified("2026-01-01T12:00:00.123+0200").as_deref(),
            Some("2026-01-01T10:00:00Z")
        );
        assert_eq!(last_modified("yesterday"), None);
    }

    #[test]
    fn public_only_through_an_unrestricted_policy() {
        let account = |policy: Option<Json>| Collected {
            account_number: "111111111111".into(),
            functions: vec![FunctionRecord {
                region: "us-east-1".into(),
                arn: "arn:aws:lambda:us-east-1:111111111111:function:f".into(),
                name: "f".into(),
                policy,
                ..Default::default()
            }],
            ..Default::default()
        };
        let public = |policy: Option<Json>| build(&account(policy))[0]["isPublic"].clone();
        assert_eq!(public(None), json!(false));
        assert_eq!(
            public(Some(json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}]}))),
            json!(true)
        );
        assert_eq!(
            public(Some(json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}}}]}))),
            json!(false)
        );
        assert_eq!(
            public(Some(json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Condition": {"StringEquals": {"AWS:SourceAccount": "111111111111"}}}]}))),
            json!(false)
        );
        let f = &build(&account(None))[0];
        assert_eq!(f["vpc"], Json::Null);
        assert_eq!(f["securityGroups"], json!([]));
    }
}
