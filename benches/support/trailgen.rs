//! CloudTrail log files, deterministic from a seed: a month of a busy account as
//! CloudTrail delivers it (`AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/…`,
//! each file `{"Records": [...]}`), with events of known kinds planted at known counts
//! and times. The workload of `benches/replay.rs` and the input of the replay tests
//! (`tests/it/replay_counts.rs`). Not part of the library: included with `#[path]`.
//!
//! The background is a realistic mix of what a busy account logs (KMS decrypts, role
//! assumptions, EC2 and S3 reads, Lambda invocations, throttled calls, service events)
//! and never matches a CIS monitoring pattern. The planted events ([`KINDS`]) are what
//! the CIS controls watch (root usage, console sign-ins without MFA and failed ones,
//! IAM policy, trail, key, bucket policy, Config, security group, NACL, gateway, route
//! table, VPC and Organizations changes, unauthorized calls) and look-alikes that must
//! not match (root actions invoked by a service, sign-ins with MFA, a denied
//! `HeadBucket`). Each kind comes in bursts: every burst's events fall in one
//! five-minute period, bursts of one kind on different days, kinds at different hours,
//! so an alarm on one matching event per period fires exactly once per burst.
#![allow(dead_code)]

use serde_json::{json, Value};

/// SplitMix64: small, fast, stable across platforms and crate versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The same spec gives the same files, byte for byte.
    pub seed: u64,
    /// The account (`recipientAccountId`).
    pub account: String,
    /// The regions logged (the first is the home region, where global services log).
    pub regions: Vec<String>,
    /// The first day, as seconds since the epoch (midnight UTC).
    pub start: i64,
    /// Days logged.
    pub days: u32,
    /// Log files per region and day (each covers an equal slice of the day).
    pub files_per_day: u32,
    /// Background records per file.
    pub records_per_file: u32,
}

/// 2026-11-01T00:00:00Z.
pub const NOVEMBER_2026: i64 = 1_793_491_200;

impl Spec {
    /// A month of a busy account: two regions, a file every 15 minutes per region,
    /// 100 records each (about 576,000 records, 700 MB of JSON).
    pub fn month(seed: u64) -> Spec {
        Spec {
            seed,
            account: "123456789012".into(),
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            start: NOVEMBER_2026,
            days: 30,
            files_per_day: 96,
            records_per_file: 100,
        }
    }

    /// The same month, lighter: a file every 6 hours per region, 25 records each.
    pub fn small(seed: u64) -> Spec {
        Spec {
            files_per_day: 4,
            records_per_file: 25,
            ..Spec::month(seed)
        }
    }
}

/// A kind of planted event: what it is, and the CIS AWS v5 monitoring controls
/// (`4.N`) whose required pattern matches it.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// A name for reports and tests.
    pub name: &'static str,
    /// The controls whose pattern matches every event of this kind.
    pub controls: &'static [&'static str],
}

/// Every kind planted, in the order of their hour of the day (kind `k` at `k`:20 UTC).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "root-console-login",
        controls: &["4.3"],
    },
    Kind {
        name: "root-api-call",
        controls: &["4.3"],
    },
    Kind {
        name: "root-invoked-by-service",
        controls: &[],
    },
    Kind {
        name: "console-login-without-mfa",
        controls: &["4.2"],
    },
    Kind {
        name: "console-login-with-mfa",
        controls: &[],
    },
    Kind {
        name: "console-login-failure",
        controls: &["4.2", "4.6"],
    },
    Kind {
        name: "iam-inline-policy-change",
        controls: &["4.4"],
    },
    Kind {
        name: "iam-managed-policy-change",
        controls: &["4.4"],
    },
    Kind {
        name: "trail-change",
        controls: &["4.5"],
    },
    Kind {
        name: "key-disable-or-deletion",
        controls: &["4.7"],
    },
    Kind {
        name: "bucket-policy-change",
        controls: &["4.8"],
    },
    Kind {
        name: "config-change",
        controls: &["4.9"],
    },
    Kind {
        name: "security-group-change",
        controls: &["4.10"],
    },
    Kind {
        name: "nacl-change",
        controls: &["4.11"],
    },
    Kind {
        name: "gateway-change",
        controls: &["4.12"],
    },
    Kind {
        name: "route-table-change",
        controls: &["4.13"],
    },
    Kind {
        name: "vpc-change",
        controls: &["4.14"],
    },
    Kind {
        name: "organizations-change",
        controls: &["4.15"],
    },
    Kind {
        name: "unauthorized-call",
        controls: &["4.1"],
    },
    Kind {
        name: "denied-head-bucket",
        controls: &[],
    },
    Kind {
        name: "denied-log-delivery",
        controls: &[],
    },
];

/// One kind's planted events.
#[derive(Debug, Clone)]
pub struct Planted {
    /// The kind.
    pub kind: Kind,
    /// The start of each burst's five-minute period (seconds since the epoch).
    pub bursts: Vec<i64>,
    /// Events per burst.
    pub per_burst: u32,
    /// The region the events are logged in.
    pub region: String,
}

impl Planted {
    /// Events planted.
    pub fn count(&self) -> u64 {
        self.bursts.len() as u64 * u64::from(self.per_burst)
    }
}

/// What [`plan`] plants for a spec: every kind of [`KINDS`], in order.
pub fn plan(spec: &Spec) -> Vec<Planted> {
    let mut rng = Rng::new(spec.seed ^ 0x0b1a_57ed);
    KINDS
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            let n = 1 + rng.below(u64::from(spec.days.clamp(1, 5))) as u32;
            let per_burst = 1 + rng.below(3) as u32;
            let step = spec.days / n;
            let bursts = (0..n)
                .map(|b| {
                    let day = b * step + (k as u32 % step.max(1));
                    spec.start + i64::from(day) * 86_400 + k as i64 * 3_600 + 20 * 60
                })
                .collect();
            // Global services log in the home region; the others anywhere.
            let global = kind.name.starts_with("root")
                || kind.name.starts_with("console")
                || kind.name.starts_with("iam")
                || kind.name.starts_with("organizations");
            let region = if global {
                spec.regions[0].clone()
            } else {
                rng.pick(&spec.regions).clone()
            };
            Planted {
                kind: *kind,
                bursts,
                per_burst,
                region,
            }
        })
        .collect()
}

/// Events of a kind planted per CIS control (`4.N`), from the plan.
pub fn required(plan: &[Planted], control: &str) -> u64 {
    plan.iter()
        .filter(|p| p.kind.controls.contains(&control))
        .map(Planted::count)
        .sum()
}

/// One generated log file.
#[derive(Debug, Clone)]
pub struct LogFile {
    /// Its path under the bucket (`AWSLogs/…/<name>.json.gz`).
    pub path: String,
    /// Its text (`{"Records":[...]}`), before gzip.
    pub text: String,
    /// Records in it.
    pub records: u64,
}

fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

struct Ctx<'a> {
    account: &'a str,
    region: &'a str,
}

impl Ctx<'_> {
    fn user(&self, rng: &mut Rng) -> Value {
        let n = rng.below(40);
        json!({"type": "IAMUser", "principalId": format!("AIDA{n:016}"),
            "arn": format!("arn:aws:iam::{}:user/user{n}", self.account),
            "accountId": self.account, "accessKeyId": format!("AKIA{n:016}"), "userName": format!("user{n}")})
    }
    fn role(&self, rng: &mut Rng) -> Value {
        let role = rng.pick(&[
            "app",
            "deploy",
            "lambda-exec",
            "ecs-task",
            "admin",
            "readonly",
        ]);
        let n = rng.below(1000);
        json!({"type": "AssumedRole", "principalId": format!("AROA{n:016}:session{n}"),
            "arn": format!("arn:aws:sts::{}:assumed-role/{role}/session{n}", self.account),
            "accountId": self.account, "accessKeyId": format!("ASIA{n:016}"),
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": format!("AROA{n:016}"),
                "arn": format!("arn:aws:iam::{}:role/{role}", self.account), "accountId": self.account, "userName": role},
                "attributes": {"creationDate": "2026-11-01T00:00:00Z", "mfaAuthenticated": "false"}}})
    }
    fn root(&self) -> Value {
        json!({"type": "Root", "principalId": self.account,
            "arn": format!("arn:aws:iam::{}:root", self.account), "accountId": self.account})
    }

    /// One record: the common fields around `identity`, `source`, `name` and `extra`.
    fn record(
        &self,
        rng: &mut Rng,
        time: i64,
        identity: Value,
        source: &str,
        name: &str,
        extra: Value,
    ) -> Value {
        let id = rng.next();
        let agents = [
            "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
            "Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10 lang/python#3.12.4",
            "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
            "console.amazonaws.com",
            // A control character: written as a `\u` escape in the JSON text.
            "Terraform/1.9.2 \u{1}(+https://www.terraform.io)",
            "agent with \"quotes\" and a \\ backslash",
        ];
        let agent = if rng.below(50) == 0 {
            agents[5 + rng.below(2) as usize]
        } else {
            agents[rng.below(5) as usize]
        };
        let mut r = json!({
            "eventVersion": "1.09",
            "userIdentity": identity,
            "eventTime": iso(time),
            "eventSource": source,
            "eventName": name,
            "awsRegion": self.region,
            "sourceIPAddress": format!("203.0.113.{}", id % 250),
            "userAgent": agent,
            "requestParameters": null,
            "responseElements": null,
            "requestID": format!("{:08x}-{:04x}-4000-8000-{:012x}", id as u32, (id >> 32) as u16, id >> 16),
            "eventID": format!("{:08x}-{:04x}-4000-9000-{:012x}", (id >> 7) as u32, (id >> 40) as u16, id >> 20),
            "readOnly": name.starts_with("Get") || name.starts_with("Describe") || name.starts_with("List"),
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": self.account,
            "eventCategory": "Management",
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                "clientProvidedHostHeader": source}
        });
        if let (Some(m), Value::Object(x)) = (r.as_object_mut(), extra) {
            for (k, v) in x {
                m.insert(k, v);
            }
        }
        r
    }

    /// A background record: a busy account's usual traffic, matching no CIS pattern.
    fn background(&self, rng: &mut Rng, time: i64) -> Value {
        // (source, name, weight)
        const MIX: &[(&str, &str, u64)] = &[
            ("kms.amazonaws.com", "Decrypt", 20),
            ("kms.amazonaws.com", "GenerateDataKey", 8),
            ("sts.amazonaws.com", "AssumeRole", 12),
            ("sts.amazonaws.com", "GetCallerIdentity", 4),
            ("ec2.amazonaws.com", "DescribeInstances", 8),
            ("ec2.amazonaws.com", "DescribeSecurityGroups", 3),
            ("ec2.amazonaws.com", "DescribeVpcs", 2),
            ("s3.amazonaws.com", "GetObject", 10),
            ("s3.amazonaws.com", "PutObject", 6),
            ("s3.amazonaws.com", "ListBuckets", 2),
            ("s3.amazonaws.com", "GetBucketPolicy", 2),
            ("logs.amazonaws.com", "CreateLogStream", 3),
            ("lambda.amazonaws.com", "Invoke", 4),
            ("ssm.amazonaws.com", "GetParameter", 4),
            ("iam.amazonaws.com", "GetUser", 2),
            ("iam.amazonaws.com", "ListRoles", 2),
            ("monitoring.amazonaws.com", "PutMetricData", 3),
            ("secretsmanager.amazonaws.com", "GetSecretValue", 3),
            ("ecr.amazonaws.com", "GetAuthorizationToken", 2),
            ("cloudtrail.amazonaws.com", "LookupEvents", 1),
        ];
        let total: u64 = MIX.iter().map(|m| m.2).sum();
        let mut x = rng.below(total);
        let (source, name, _) = MIX
            .iter()
            .find(|m| {
                if x < m.2 {
                    true
                } else {
                    x -= m.2;
                    false
                }
            })
            .copied()
            .unwrap_or(MIX[0]);
        let identity = if rng.below(4) == 0 {
            self.user(rng)
        } else {
            self.role(rng)
        };
        let mut extra = match name {
            "Decrypt" | "GenerateDataKey" => json!({
                "requestParameters": {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                    "keyId": format!("arn:aws:kms:{}:{}:key/{:08x}", self.region, self.account, rng.below(20))},
                "resources": [{"accountId": self.account, "type": "AWS::KMS::Key",
                    "ARN": format!("arn:aws:kms:{}:{}:key/{:08x}", self.region, self.account, rng.below(20))}]}),
            "GetObject" | "PutObject" => json!({
                "requestParameters": {"bucketName": format!("data-{}", rng.below(8)),
                    "key": format!("year=2026/part-{:05}.parquet", rng.below(100_000)), "Host": "s3.amazonaws.com"},
                "additionalEventData": {"bytesTransferredIn": 0, "bytesTransferredOut": rng.below(1 << 20),
                    "x-amz-id-2": format!("{:016x}", rng.next())},
                "eventCategory": "Data", "managementEvent": false}),
            "DescribeInstances" => json!({
                "requestParameters": {"instancesSet": {"items": [{"instanceId": format!("i-{:017x}", rng.below(1 << 40))}]},
                    "filterSet": {}}}),
            "AssumeRole" => json!({
                "requestParameters": {"roleArn": format!("arn:aws:iam::{}:role/app", self.account),
                    "roleSessionName": format!("session{}", rng.below(1000)), "durationSeconds": 3600},
                "responseElements": {"credentials": {"accessKeyId": format!("ASIA{:016}", rng.below(1 << 40)),
                    "expiration": "Nov 2, 2026, 11:00:00 AM", "sessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"}}}),
            "Invoke" => json!({
                "requestParameters": {"functionName": format!("arn:aws:lambda:{}:{}:function:worker-{}", self.region, self.account, rng.below(12))},
                "eventCategory": "Data", "managementEvent": false}),
            _ => json!({}),
        };
        match rng.below(100) {
            0..=2 => {
                extra["errorCode"] = json!("ThrottlingException");
                extra["errorMessage"] = json!("Rate exceeded");
            }
            3 => {
                extra["errorCode"] = json!("ResourceNotFoundException");
                extra["errorMessage"] = json!("Resource not found");
            }
            _ => {}
        }
        let mut r = self.record(rng, time, identity, source, name, extra);
        if rng.below(40) == 0 {
            // A service's own event: no caller in the account.
            r["userIdentity"] = json!({"type": "AWSService", "invokedBy": source});
            r["eventType"] = json!("AwsServiceEvent");
        }
        r
    }

    /// One event of a planted kind.
    fn planted(&self, rng: &mut Rng, time: i64, kind: &str) -> Value {
        let console = |mfa: &str, ok: bool| {
            let mut e = json!({
                "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home",
                    "MobileVersion": "No", "MFAUsed": mfa},
                "responseElements": {"ConsoleLogin": if ok { "Success" } else { "Failure" }},
                "eventType": "AwsConsoleSignIn", "readOnly": false});
            if !ok {
                e["errorMessage"] = json!("Failed authentication");
            }
            e
        };
        let named = |rng: &mut Rng, names: &[&str]| rng.pick(names).to_string();
        let (identity, source, name, extra) = match kind {
            "root-console-login" => (
                self.root(),
                "signin.amazonaws.com",
                "ConsoleLogin".into(),
                console("Yes", true),
            ),
            "root-api-call" => (
                self.root(),
                "s3.amazonaws.com",
                named(
                    rng,
                    &["ListBuckets", "GetAccountSummary", "DescribeRegions"],
                ),
                json!({}),
            ),
            "root-invoked-by-service" => {
                let mut id = self.root();
                id["invokedBy"] = json!("support.amazonaws.com");
                (
                    id,
                    "iam.amazonaws.com",
                    "GetAccountSummary".into(),
                    json!({}),
                )
            }
            "console-login-without-mfa" => (
                self.user(rng),
                "signin.amazonaws.com",
                "ConsoleLogin".into(),
                console("No", true),
            ),
            "console-login-with-mfa" => (
                self.user(rng),
                "signin.amazonaws.com",
                "ConsoleLogin".into(),
                console("Yes", true),
            ),
            "console-login-failure" => (
                self.user(rng),
                "signin.amazonaws.com",
                "ConsoleLogin".into(),
                console("No", false),
            ),
            "iam-inline-policy-change" => (
                self.role(rng),
                "iam.amazonaws.com",
                named(rng, &["PutUserPolicy", "PutRolePolicy", "DeleteRolePolicy"]),
                json!({"requestParameters": {"roleName": "app", "policyName": "inline"}}),
            ),
            "iam-managed-policy-change" => (
                self.role(rng),
                "iam.amazonaws.com",
                named(
                    rng,
                    &[
                        "AttachRolePolicy",
                        "CreatePolicyVersion",
                        "DetachUserPolicy",
                    ],
                ),
                json!({"requestParameters": {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}}),
            ),
            "trail-change" => (
                self.user(rng),
                "cloudtrail.amazonaws.com",
                named(rng, &["UpdateTrail", "StopLogging", "DeleteTrail"]),
                json!({"requestParameters": {"name": "main"}}),
            ),
            "key-disable-or-deletion" => (
                self.role(rng),
                "kms.amazonaws.com",
                named(rng, &["DisableKey", "ScheduleKeyDeletion"]),
                json!({"requestParameters": {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "pendingWindowInDays": 7}}),
            ),
            "bucket-policy-change" => (
                self.role(rng),
                "s3.amazonaws.com",
                named(
                    rng,
                    &["PutBucketPolicy", "PutBucketAcl", "DeleteBucketCors"],
                ),
                json!({"requestParameters": {"bucketName": "data-1", "Host": "data-1.s3.amazonaws.com"}}),
            ),
            "config-change" => (
                self.user(rng),
                "config.amazonaws.com",
                named(rng, &["StopConfigurationRecorder", "DeleteDeliveryChannel"]),
                json!({"requestParameters": {"configurationRecorderName": "default"}}),
            ),
            "security-group-change" => (
                self.role(rng),
                "ec2.amazonaws.com",
                named(
                    rng,
                    &[
                        "AuthorizeSecurityGroupIngress",
                        "RevokeSecurityGroupEgress",
                        "CreateSecurityGroup",
                    ],
                ),
                json!({"requestParameters": {"groupId": "sg-0123456789abcdef0",
                    "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                        "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}}),
            ),
            "nacl-change" => (
                self.role(rng),
                "ec2.amazonaws.com",
                named(
                    rng,
                    &["CreateNetworkAclEntry", "ReplaceNetworkAclAssociation"],
                ),
                json!({"requestParameters": {"networkAclId": "acl-0123456789abcdef0", "ruleNumber": 100}}),
            ),
            "gateway-change" => (
                self.role(rng),
                "ec2.amazonaws.com",
                named(
                    rng,
                    &[
                        "CreateInternetGateway",
                        "AttachInternetGateway",
                        "DeleteCustomerGateway",
                    ],
                ),
                json!({}),
            ),
            "route-table-change" => (
                self.role(rng),
                "ec2.amazonaws.com",
                named(
                    rng,
                    &[
                        "CreateRoute",
                        "ReplaceRouteTableAssociation",
                        "DeleteRouteTable",
                    ],
                ),
                json!({"requestParameters": {"routeTableId": "rtb-0123456789abcdef0", "destinationCidrBlock": "0.0.0.0/0"}}),
            ),
            "vpc-change" => (
                self.role(rng),
                "ec2.amazonaws.com",
                named(
                    rng,
                    &[
                        "CreateVpc",
                        "ModifyVpcAttribute",
                        "CreateVpcPeeringConnection",
                    ],
                ),
                json!({"requestParameters": {"cidrBlock": "10.0.0.0/16"}}),
            ),
            "organizations-change" => (
                self.user(rng),
                "organizations.amazonaws.com",
                named(
                    rng,
                    &[
                        "AttachPolicy",
                        "CreateAccount",
                        "MoveAccount",
                        "LeaveOrganization",
                    ],
                ),
                json!({"requestParameters": {"policyId": "p-examplepolicyid111", "targetId": "ou-examplerootid111-exampleouid111"}}),
            ),
            "unauthorized-call" => {
                let (code, name) = *rng.pick(&[
                    ("AccessDenied", "GetSecretValue"),
                    ("Client.UnauthorizedOperation", "DescribeInstances"),
                    ("AccessDeniedException", "Decrypt"),
                ]);
                (
                    self.role(rng),
                    "secretsmanager.amazonaws.com",
                    name.to_string(),
                    json!({"errorCode": code, "errorMessage": "User is not authorized to perform this operation"}),
                )
            }
            "denied-head-bucket" => (
                self.role(rng),
                "s3.amazonaws.com",
                "HeadBucket".into(),
                json!({"errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
            ),
            "denied-log-delivery" => (
                json!({"type": "AWSService", "invokedBy": "delivery.logs.amazonaws.com"}),
                "s3.amazonaws.com",
                "PutObject".into(),
                json!({"errorCode": "AccessDenied", "errorMessage": "Access Denied",
                    "sourceIPAddress": "delivery.logs.amazonaws.com"}),
            ),
            other => panic!("unknown kind {other}"),
        };
        let mut r = self.record(rng, time, identity, source, &name, extra.clone());
        if let Some(ip) = extra.get("sourceIPAddress") {
            r["sourceIPAddress"] = ip.clone();
        }
        r
    }
}

/// The log files of `spec`, one at a time, in path order, with the plan's events in
/// them. Memory: one file.
pub fn generate(spec: &Spec, out: &mut dyn FnMut(LogFile)) {
    let plan = plan(spec);
    let slice = 86_400 / i64::from(spec.files_per_day.max(1));
    for day in 0..spec.days {
        let day_start = spec.start + i64::from(day) * 86_400;
        let (y, m, d) = civil(day_start.div_euclid(86_400));
        for region in &spec.regions {
            let ctx = Ctx {
                account: &spec.account,
                region,
            };
            for f in 0..spec.files_per_day {
                let from = day_start + i64::from(f) * slice;
                let to = from + slice;
                let mut rng = Rng::new(
                    spec.seed
                        ^ (u64::from(day) << 40)
                        ^ (u64::from(f) << 20)
                        ^ region.len() as u64
                        ^ u64::from(region.as_bytes()[region.len() - 1]) << 8,
                );
                let mut records: Vec<(i64, Value)> = (0..spec.records_per_file)
                    .map(|_| {
                        let t = from + rng.below(slice as u64) as i64;
                        (t, ctx.background(&mut rng, t))
                    })
                    .collect();
                for p in plan.iter().filter(|p| &p.region == region) {
                    for &b in p.bursts.iter().filter(|&&b| b >= from && b < to) {
                        for i in 0..p.per_burst {
                            let t = b + i64::from(i) * 60 + rng.below(50) as i64;
                            records.push((t, ctx.planted(&mut rng, t, p.kind.name)));
                        }
                    }
                }
                records.sort_by_key(|r| r.0);
                let n = records.len() as u64;
                let body: Vec<Value> = records.into_iter().map(|r| r.1).collect();
                let text = json!({ "Records": body }).to_string();
                let stamp = iso(to).replace(['-', ':'], "");
                out(LogFile {
                    path: format!(
                        "AWSLogs/{acct}/CloudTrail/{region}/{y:04}/{m:02}/{d:02}/{acct}_CloudTrail_{region}_{}Z_{:016x}.json.gz",
                        &stamp[..13],
                        rng.next(),
                        acct = spec.account,
                    ),
                    text,
                    records: n,
                });
            }
        }
    }
}

/// Gzip `text` as CloudTrail does.
pub fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("gzip to memory");
    enc.finish().expect("gzip to memory")
}

/// Write `spec`'s files under `dir` (gzipped, at their CloudTrail paths); the records
/// written.
pub fn write(spec: &Spec, dir: &std::path::Path) -> std::io::Result<u64> {
    let mut n = 0;
    let mut err = None;
    generate(spec, &mut |f| {
        if err.is_some() {
            return;
        }
        n += f.records;
        let path = dir.join(&f.path);
        let r = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, gzip(&f.text)));
        if let Err(e) = r {
            err = Some(e);
        }
    });
    err.map_or(Ok(n), Err)
}

/// The CIS AWS v5 monitoring patterns (4.1 to 4.15), one per control: what a
/// compliant account's metric filters say.
pub const CIS: &[(&str, &str)] = &[
    (
        "4.1",
        r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
    ),
    (
        "4.2",
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
    ),
    (
        "4.3",
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    ),
    (
        "4.4",
        r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
    ),
    (
        "4.5",
        r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
    ),
    (
        "4.6",
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    ),
    (
        "4.7",
        r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
    ),
    (
        "4.8",
        r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
    ),
    (
        "4.9",
        r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
    ),
    (
        "4.10",
        r#"{($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }"#,
    ),
    (
        "4.11",
        r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
    ),
    (
        "4.12",
        r#"{($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
    ),
    (
        "4.13",
        r#"{($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
    ),
    (
        "4.14",
        r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
    ),
    (
        "4.15",
        r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
    ),
];

/// Forty metric filters a busy account keeps beside the CIS ones (operations,
/// cost and security alerts), in the forms people write them: equalities, wildcards,
/// alternatives, a source with names, numbers and exclusions next to a positive test.
pub fn unrelated() -> Vec<String> {
    let mut out: Vec<String> = [
        "RunInstances",
        "TerminateInstances",
        "StopInstances",
        "CreateFunction20150331",
        "DeleteFunction20150331",
        "UpdateFunctionCode20150331",
        "CreateDBInstance",
        "DeleteDBInstance",
        "ModifyDBInstance",
        "CreateCluster",
        "DeleteCluster",
        "CreateLoadBalancer",
        "DeleteLoadBalancer",
        "CreateUser",
        "DeleteUser",
        "CreateAccessKey",
        "DeleteAccessKey",
        "CreateLoginProfile",
        "UpdateAssumeRolePolicy",
        "PutBucketEncryption",
    ]
    .iter()
    .map(|n| format!(r#"{{ $.eventName = "{n}" }}"#))
    .collect();
    out.extend(
        [
            r#"{ $.errorCode = "ThrottlingException" && $.eventSource = "kms.amazonaws.com" }"#,
            r#"{ $.errorCode = "ResourceNotFoundException" && $.eventName = "GetParameter" }"#,
            r#"{ $.eventSource = "secretsmanager.amazonaws.com" && $.eventName = "DeleteSecret" }"#,
            r#"{ $.eventSource = "ecr.amazonaws.com" && ($.eventName = "DeleteRepository" || $.eventName = "PutImage") }"#,
            r#"{ $.eventName = "Create*" && $.eventSource = "dynamodb.amazonaws.com" }"#,
            r#"{ $.userIdentity.arn = "*:assumed-role/admin/*" && $.readOnly IS FALSE && $.eventName = "Delete*" }"#,
            r#"{ $.eventName = "ConsoleLogin" && $.sourceIPAddress != "203.0.113.*" && $.responseElements.ConsoleLogin = "Success" }"#,
            r#"{ $.requestParameters.bucketName = "audit-*" && $.eventName = "DeleteObject" }"#,
            r#"{ $.eventName = "GetSecretValue" && $.errorCode = "AccessDenied*" }"#,
            r#"{ $.eventName = "PutRetentionPolicy" || $.eventName = "DeleteLogGroup" || $.eventName = "DeleteRetentionPolicy" }"#,
            r#"{ $.eventSource = "guardduty.amazonaws.com" && ($.eventName = "DeleteDetector" || $.eventName = "DisassociateFromMasterAccount") }"#,
            r#"{ $.eventSource = "securityhub.amazonaws.com" && $.eventName = "DisableSecurityHub" }"#,
            r#"{ $.eventName = "CreateKeyPair" || $.eventName = "ImportKeyPair" }"#,
            r#"{ $.eventName = "ModifyInstanceAttribute" && $.requestParameters.userData = "*" }"#,
            r#"{ $.eventName = "StartInstances" && $.requestParameters.instancesSet.items[0].instanceId = "i-*" }"#,
            r#"{ $.eventName = "PutObjectAcl" && $.requestParameters.x-amz-acl = "public-read*" }"#,
            r#"{ $.eventSource = "sso.amazonaws.com" && $.eventName != "ListApplications" && $.errorCode = "*" }"#,
            r#"{ $.eventName = "AssumeRoleWithWebIdentity" && $.errorCode = "InvalidIdentityToken" }"#,
            r#"{ $.eventName = "DeleteBucket" && $.eventSource = "s3.amazonaws.com" }"#,
            r#"{ $.eventName = "ModifySnapshotAttribute" && $.requestParameters.createVolumePermission.add.items[0].group = "all" }"#,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out
}
