//! The identity types (IamUser, Iam, IamGroup, IamRole, IamPolicy): the corpus rules and
//! the CIS section 1 rules (policies/cis-aws.src/rules/identity.yaml) check against
//! their schema; and, against moto_server through the real SDK, one account seeded with
//! a passing and a failing case of every decidable section-1 control, collected twice
//! (the account-wide settings flipped in between), with every verdict of the table's
//! rules asserted and each failure naming the entity and the property. A refused
//! `iam:GenerateCredentialReport` leaves IamUser unknown, never passed.
//!
//! moto does not serve IAM Access Analyzer: `AccessAnalyzer` is collected from a recorded
//! `ListAnalyzers` reply served by a small local server the test starts
//! (`support::stand_in`).
//!
//! moto cannot give the root user MFA or access keys, and its credential report has no
//! `<root_account>` row: on moto the root controls have one side each (1.3 passes, 1.4
//! and 1.5 fail); their other side is in the table's cases (`gsl test`). moto cannot
//! backdate a key or a password either: the time controls (1.11, 1.13) are evaluated at
//! the collection time (pass) and 100 days later (fail).

use gsl::lang::eval::check_rule;
use gsl::lang::parser::parse_rule;

/// The identity types.
const TYPES: &[&str] = &["IamUser", "Iam", "IamGroup", "IamRole", "IamPolicy"];

fn table() -> serde_yaml::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/cis-aws.src/rules/identity.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("identity.yaml")).expect("yaml")
}

/// (control key, rule text) of every row with a rule.
fn rules() -> Vec<(String, String)> {
    let t = table();
    let controls = t["controls"].as_mapping().expect("controls");
    controls
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str()?.to_string(),
                v["rule"].as_str()?.trim().to_string(),
            ))
        })
        .collect()
}

#[test]
fn corpus_and_cis_rules_on_the_identity_types_check_against_the_schema() {
    let corpus = include_str!("../data/gsl/corpus_valid.txt");
    let mut texts: Vec<String> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| l.split("  #").next().unwrap_or(l).trim().to_string())
        .collect();
    let n_corpus = texts.len();
    texts.extend(rules().into_iter().map(|(_, r)| r));
    let mut checked = 0;
    let mut failures = Vec::new();
    for text in &texts {
        let rule = parse_rule(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        if !TYPES.contains(&rule.target.entity.name.as_str()) {
            continue;
        }
        checked += 1;
        if let Err(e) = check_rule(&rule) {
            failures.push(format!("{text}: {:?}", e.codes()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 6 corpus rules (IamUser, Iam, IamPolicy) and the table's 17 rules.
    assert!(checked >= 23, "{checked} identity rules checked");
    assert!(n_corpus >= 50);
    // The check does catch a misspelt property of these types.
    let bad = parse_rule("IamUser should have mfaActiv = 'true'").unwrap();
    let codes = check_rule(&bad)
        .err()
        .map(|e| e.codes())
        .unwrap_or_default();
    assert!(
        codes.iter().any(|c| c.contains("unknown_property")),
        "{codes:?}"
    );
}

#[cfg(feature = "aws")]
mod moto {
    use super::rules;
    use crate::support;
    use chrono::{DateTime, Duration, Utc};
    use gsl::collect::{self, CollectOptions, Collection, EndpointOverride, Service};
    use gsl::entity::graph::EntityGraph;
    use gsl::lang::eval::Outcome;
    use gsl::run::PreparedRule;
    use serde_json::Value as Json;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use support::fixture::ACCOUNT;
    use support::Moto;

    const REGION: &str = "us-east-1";

    /// moto with the AWS managed policies (AWSSupportAccess, AWSCloudShellFullAccess),
    /// which it loads only when asked.
    fn moto_with_managed_policies() -> Moto {
        Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")])
    }

    fn doc(statement: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
    }

    struct Seed {
        iam: aws_sdk_iam::Client,
        account: aws_sdk_account::Client,
    }

    impl Seed {
        async fn new(moto: &Moto) -> Seed {
            let config = moto.sdk_config(REGION).await;
            Seed {
                iam: aws_sdk_iam::Client::new(&config),
                account: aws_sdk_account::Client::new(&config),
            }
        }

        async fn user(&self, name: &str, password: bool, keys: usize) {
            self.iam
                .create_user()
                .user_name(name)
                .send()
                .await
                .expect("CreateUser");
            if password {
                self.iam
                    .create_login_profile()
                    .user_name(name)
                    .password("Correct-Horse-9!")
                    .send()
                    .await
                    .expect("CreateLoginProfile");
            }
            for _ in 0..keys {
                self.iam
                    .create_access_key()
                    .user_name(name)
                    .send()
                    .await
                    .expect("CreateAccessKey");
            }
        }

        async fn policy(&self, name: &str, statement: &str) -> String {
            let out = self
                .iam
                .create_policy()
                .policy_name(name)
                .policy_document(doc(statement))
                .send()
                .await
                .expect("CreatePolicy");
            out.policy().and_then(|p| p.arn()).expect("arn").to_string()
        }

        async fn password_policy(&self, length: i32, reuse: i32) {
            self.iam
                .update_account_password_policy()
                .minimum_password_length(length)
                .password_reuse_prevention(reuse)
                .send()
                .await
                .expect("UpdateAccountPasswordPolicy");
        }

        /// Phase A: the users, groups and policies, and account settings that fail.
        async fn phase_a(&self) {
            let iam = &self.iam;
            self.password_policy(8, 5).await;
            // alice: console, MFA, permissions through the group devs.
            self.user("alice", true, 0).await;
            let mfa = iam
                .create_virtual_mfa_device()
                .virtual_mfa_device_name("alice")
                .send()
                .await
                .expect("CreateVirtualMFADevice");
            let serial = mfa
                .virtual_mfa_device()
                .map(|d| d.serial_number().to_string())
                .expect("serial");
            iam.enable_mfa_device()
                .user_name("alice")
                .serial_number(serial)
                .authentication_code1("123456")
                .authentication_code2("654321")
                .send()
                .await
                .expect("EnableMFADevice");
            // bob: console without MFA, a key never used, a policy of his own (*:*).
            self.user("bob", true, 1).await;
            // carol: no console, two active keys.
            self.user("carol", false, 2).await;
            iam.create_group()
                .group_name("devs")
                .send()
                .await
                .expect("CreateGroup");
            iam.add_user_to_group()
                .group_name("devs")
                .user_name("alice")
                .send()
                .await
                .expect("AddUserToGroup");
            let read = self
                .policy(
                    "read",
                    r#"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#,
                )
                .await;
            let admin = self
                .policy("admin", r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)
                .await;
            self.policy(
                "unused-admin",
                r#"{"Effect":"Allow","Action":["*"],"Resource":["*"]}"#,
            )
            .await;
            for arn in [
                read.as_str(),
                "arn:aws:iam::aws:policy/AWSCloudShellFullAccess",
            ] {
                iam.attach_group_policy()
                    .group_name("devs")
                    .policy_arn(arn)
                    .send()
                    .await
                    .expect("AttachGroupPolicy");
            }
            iam.put_group_policy()
                .group_name("devs")
                .policy_name("deny-delete")
                .policy_document(doc(
                    r#"{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}"#,
                ))
                .send()
                .await
                .expect("PutGroupPolicy");
            iam.attach_user_policy()
                .user_name("bob")
                .policy_arn(admin)
                .send()
                .await
                .expect("AttachUserPolicy");
        }

        /// Phase B: the account-wide settings flipped.
        async fn phase_b(&self) {
            let iam = &self.iam;
            self.password_policy(14, 24).await;
            self.account
                .put_alternate_contact()
                .alternate_contact_type(aws_sdk_account::types::AlternateContactType::Security)
                .email_address("security@example.com")
                .name("Security")
                .phone_number("+1 555 0100")
                .title("CISO")
                .send()
                .await
                .expect("PutAlternateContact");
            iam.create_role()
                .role_name("aws-support")
                .assume_role_policy_document(doc(&format!(
                    r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}"#
                )))
                .send()
                .await
                .expect("CreateRole");
            iam.attach_role_policy()
                .role_name("aws-support")
                .policy_arn("arn:aws:iam::aws:policy/AWSSupportAccess")
                .send()
                .await
                .expect("AttachRolePolicy");
            // moto gives every server certificate the expiry 2012-05-08.
            iam.upload_server_certificate()
                .server_certificate_name("old-web")
                .certificate_body("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
                .private_key("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----")
                .send()
                .await
                .expect("UploadServerCertificate");
        }
    }

    async fn collect_with(moto: &Moto, extra: Vec<EndpointOverride>) -> Collection {
        let config = moto.sdk_config(REGION).await;
        let mut endpoints = moto.endpoints();
        endpoints.extend(extra);
        let options = CollectOptions {
            regions: vec![REGION.into()],
            endpoints,
            ..Default::default()
        };
        collect::collect(&config, &options)
            .await
            .expect("collection runs")
    }

    /// The results of the table's rule `key` on the collection at `now`: (entity name,
    /// outcome, explanation text), sorted by name.
    fn verdicts(c: &Collection, key: &str, now: DateTime<Utc>) -> Vec<(String, Outcome, String)> {
        let (_, text) = rules()
            .into_iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("no rule {key}"));
        let graph = EntityGraph::named(c.snapshot.clone(), "moto");
        let opts = gsl::run::eval_options(graph.snapshot(), Some(now));
        let prepared = PreparedRule::new(&text, key);
        assert!(prepared.error().is_none(), "{key}: {:?}", prepared.error());
        let mut out: Vec<(String, Outcome, String)> = prepared
            .evaluate(&graph, &opts)
            .entities
            .into_iter()
            .map(|e| {
                let mut words = vec![e.explanation.summary.clone()];
                for ev in &e.explanation.evidence {
                    words.push(ev.expr.to_string());
                    words.extend(ev.path.clone());
                    words.extend(ev.note.clone());
                }
                (e.name.unwrap_or(e.id), e.outcome, words.join("\n"))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Assert the verdicts of `key`: each expected (name, outcome, property named in the
    /// explanation of a failure), and nothing else relevant.
    fn expect(c: &Collection, key: &str, now: DateTime<Utc>, expected: &[(&str, Outcome, &str)]) {
        let got = verdicts(c, key, now);
        let relevant: Vec<&(String, Outcome, String)> = got
            .iter()
            .filter(|(_, o, _)| *o != Outcome::NotRelevant)
            .collect();
        for (name, outcome, property) in expected {
            let found = got
                .iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("{key}: no result for {name}: {got:#?}"));
            assert_eq!(found.1, *outcome, "{key} on {name}: {}", found.2);
            assert!(
                found.2.contains(property),
                "{key} on {name}: the explanation does not name {property}:\n{}",
                found.2
            );
        }
        assert_eq!(
            relevant.len(),
            expected
                .iter()
                .filter(|(_, o, _)| *o != Outcome::NotRelevant)
                .count(),
            "{key}: other relevant results {relevant:#?}"
        );
    }

    fn collected_at(c: &Collection) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&c.collected_at)
            .expect("collectedAt")
            .with_timezone(&Utc)
    }

    fn entities<'a>(c: &'a Collection, kind: &str) -> &'a [Json] {
        c.snapshot.accounts[0]
            .entities
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn by_name<'a>(c: &'a Collection, kind: &str, name: &str) -> &'a Json {
        entities(c, kind)
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    }

    fn iam_calls(c: &Collection) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = c
            .stats
            .operations
            .iter()
            .filter(|o| matches!(o.service, Service::Iam | Service::Account))
            .filter(|o| o.operation != "ListRegions")
            .map(|o| (format!("{}:{}", o.service, o.operation), o.calls))
            .collect();
        out.sort();
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_decidable_identity_control_on_a_seeded_account() {
        use Outcome::{Failed, NotRelevant, Passed};
        let moto = moto_with_managed_policies();
        let seed = Seed::new(&moto).await;
        seed.phase_a().await;
        let started = std::time::Instant::now();
        let a = collect_with(&moto, vec![]).await;
        let took = started.elapsed();
        assert!(a.snapshot.errors.is_empty(), "{:#?}", a.snapshot.errors);

        // The shape: CloudGuard's IamUser, decoded documents, joins.
        let alice = by_name(&a, "IamUser", "alice");
        assert_eq!(alice["region"], Json::Null);
        assert_eq!(alice["passwordEnabled"], "true");
        assert_eq!(alice["mfaActive"], "true");
        assert_eq!(alice["virtualMfaEnabled"], true);
        assert_eq!(alice["attachedGroups"], serde_json::json!(["devs"]));
        assert_eq!(alice["passwordLastUsed"], "0001-01-01T00:00:00Z");
        assert_eq!(alice["firstAccessKey"]["isActive"], "false");
        let combined = alice["combinedPolicies"].as_array().expect("combined");
        let read = combined
            .iter()
            .find(|p| p["name"] == "read")
            .expect("the group's policy applies to alice");
        assert_eq!(read["source"], "group:devs");
        assert_eq!(read["document"]["Statement"][0]["Action"], "s3:Get*");
        assert!(combined.iter().any(
            |p| p["name"] == "deny-delete" && p["document"]["Statement"][0]["Effect"] == "Deny"
        ));
        let bob = by_name(&a, "IamUser", "bob");
        assert_eq!(bob["managedPolicies"][0]["name"], "admin");
        assert_eq!(bob["firstAccessKey"]["isActive"], "true");
        let admin = by_name(&a, "IamPolicy", "admin");
        assert_eq!(admin["document"]["Statement"][0]["Action"], "*");
        assert_eq!(admin["attachedUsers"], serde_json::json!(["bob"]));
        assert_eq!(admin["isAwsManaged"], false);
        let shell = by_name(&a, "IamPolicy", "AWSCloudShellFullAccess");
        assert_eq!(shell["isAwsManaged"], true);
        assert_eq!(shell["attachedGroups"], serde_json::json!(["devs"]));
        // Only the AWS managed policies in use are entities.
        assert!(entities(&a, "IamPolicy")
            .iter()
            .all(|p| p["isAwsManaged"] == false || p["isAttached"] == true));
        assert_eq!(
            by_name(&a, "IamGroup", "devs")["users"],
            serde_json::json!(["alice"])
        );
        let iam = &entities(&a, "Iam")[0];
        assert_eq!(iam["id"], ACCOUNT);
        assert_eq!(iam["passwordPolicy"]["minPasswordLength"], 8);
        assert_eq!(iam["alternateContacts"]["security"], Json::Null);
        // IAM is global: one call of each per account, whatever the regions.
        let calls = iam_calls(&a);
        eprintln!(
            "identity calls per account: {calls:?}; collection {:.2}s",
            took.as_secs_f64()
        );
        for (call, n) in &calls {
            let expected = if call == "account:GetAlternateContact" {
                3
            } else {
                1
            };
            assert_eq!(*n, expected, "{call}: {calls:?}");
        }
        assert_eq!(calls.len(), 10, "{calls:?}");

        let now = collected_at(&a);
        let later = now + Duration::days(100);
        let acct = ACCOUNT;
        expect(
            &a,
            "security-contact-registered",
            now,
            &[(acct, Failed, "alternateContacts.security.emailAddress")],
        );
        expect(&a, "root-access-key", now, &[(acct, Passed, "")]);
        expect(&a, "root-mfa", now, &[(acct, Failed, "rootMfaEnabled")]);
        expect(
            &a,
            "root-hardware-mfa",
            now,
            &[(acct, Failed, "rootHardwareMfa")],
        );
        expect(
            &a,
            "password-minimum-length",
            now,
            &[(acct, Failed, "passwordPolicy.minPasswordLength")],
        );
        expect(
            &a,
            "password-reuse",
            now,
            &[(acct, Failed, "passwordPolicy.passwordReusePrevention")],
        );
        expect(
            &a,
            "console-users-mfa",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Failed, "mfaActive"),
                ("carol", NotRelevant, ""),
            ],
        );
        expect(
            &a,
            "no-initial-access-keys",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Failed, "firstAccessKey.lastUsedDate"),
                ("carol", NotRelevant, ""),
            ],
        );
        expect(
            &a,
            "unused-credentials-45-days",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Passed, ""),
                ("carol", Passed, ""),
            ],
        );
        expect(
            &a,
            "unused-credentials-45-days",
            later,
            &[
                ("alice", Failed, "passwordLastUsed"),
                ("bob", Failed, "passwordLastUsed"),
                ("carol", Failed, "firstAccessKey.lastUsedDate"),
            ],
        );
        expect(
            &a,
            "one-active-access-key",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Passed, ""),
                ("carol", Failed, "secondAccessKey.isActive"),
            ],
        );
        expect(
            &a,
            "access-key-rotation-90-days",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Passed, ""),
                ("carol", Passed, ""),
            ],
        );
        expect(
            &a,
            "access-key-rotation-90-days",
            later,
            &[
                ("alice", Passed, ""),
                ("bob", Failed, "firstAccessKey.lastRotated"),
                ("carol", Failed, "firstAccessKey.lastRotated"),
            ],
        );
        expect(
            &a,
            "permissions-through-groups",
            now,
            &[
                ("alice", Passed, ""),
                ("bob", Failed, "managedPolicies"),
                ("carol", Passed, ""),
            ],
        );
        expect(
            &a,
            "no-full-admin-policies",
            now,
            &[
                ("AWSCloudShellFullAccess", Passed, ""),
                ("admin", Failed, "document.Statement"),
                ("read", Passed, ""),
                ("unused-admin", NotRelevant, ""),
            ],
        );
        expect(&a, "support-role", now, &[(acct, Failed, "supportRoles")]);
        expect(
            &a,
            "expired-server-certificates",
            now,
            &[(acct, Passed, "")],
        );
        expect(
            &a,
            "cloudshell-full-access",
            now,
            &[
                ("AWSCloudShellFullAccess", Failed, "isAttached"),
                ("admin", Passed, ""),
                ("read", Passed, ""),
                ("unused-admin", Passed, ""),
            ],
        );

        // Phase B: the account-wide settings flipped, collected again.
        seed.phase_b().await;
        let b = collect_with(&moto, vec![]).await;
        assert!(b.snapshot.errors.is_empty(), "{:#?}", b.snapshot.errors);
        let now = collected_at(&b);
        expect(
            &b,
            "security-contact-registered",
            now,
            &[(acct, Passed, "")],
        );
        expect(&b, "password-minimum-length", now, &[(acct, Passed, "")]);
        expect(&b, "password-reuse", now, &[(acct, Passed, "")]);
        expect(&b, "support-role", now, &[(acct, Passed, "")]);
        expect(
            &b,
            "expired-server-certificates",
            now,
            &[(acct, Failed, "serverCertificates")],
        );
        let iam = &entities(&b, "Iam")[0];
        assert_eq!(iam["supportRoles"], serde_json::json!(["aws-support"]));
        assert_eq!(
            iam["serverCertificates"][0]["expiration"],
            "2012-05-08T01:02:03Z"
        );
        assert_eq!(
            iam["alternateContacts"]["security"]["emailAddress"],
            "security@example.com"
        );
        let role = by_name(&b, "IamRole", "aws-support");
        assert_eq!(
            role["assumeRolePolicy"]["Statement"][0]["Action"],
            "sts:AssumeRole"
        );
    }

    const DENIED: &str = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: iam:GenerateCredentialReport with an explicit deny in a service control policy</Message></Error><RequestId>1</RequestId></ErrorResponse>";

    /// IAM in front of moto, as an SCP would shape it: `GenerateCredentialReport` is
    /// refused, every other call is passed to moto (one request per connection).
    fn scp_gate(moto_url: &str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let upstream = moto_url.trim_start_matches("http://").to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut client) = stream else { continue };
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    let Some((head, body)) = support::read_request(&mut client) else {
                        return;
                    };
                    if String::from_utf8_lossy(&body).contains("Action=GenerateCredentialReport") {
                        let _ = write!(
                            client,
                            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{DENIED}",
                            DENIED.len()
                        );
                        return;
                    }
                    let Ok(mut server) = TcpStream::connect(&upstream) else {
                        return;
                    };
                    let head: Vec<&str> = head
                        .lines()
                        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                        .collect();
                    let mut request =
                        format!("{}\r\nConnection: close\r\n\r\n", head.join("\r\n")).into_bytes();
                    request.extend_from_slice(&body);
                    if server.write_all(&request).is_err() {
                        return;
                    }
                    let mut reply = Vec::new();
                    let _ = server.read_to_end(&mut reply);
                    let _ = client.write_all(&reply);
                    let _ = client.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        url
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_credential_report_leaves_iam_users_unknown() {
        let moto = moto_with_managed_policies();
        let seed = Seed::new(&moto).await;
        seed.phase_a().await;
        let gate = scp_gate(&moto.url);
        let c = collect_with(
            &moto,
            vec![EndpointOverride {
                service: Some(Service::Iam),
                region: None,
                url: gate,
            }],
        )
        .await;
        let errors = &c.snapshot.errors;
        assert_eq!(errors.len(), 1, "{errors:#?}");
        let e = &errors[0];
        assert_eq!(
            (e.service.as_str(), e.operation.as_str(), e.code.as_str()),
            ("iam", "GenerateCredentialReport", "AccessDenied")
        );
        assert_eq!(e.region, None, "IAM is global");
        assert_eq!(e.entity_types, vec!["IamUser".to_string()]);
        // The users are listed, their credentials are unknown (null), not "never".
        let bob = by_name(&c, "IamUser", "bob");
        assert_eq!(bob["passwordEnabled"], Json::Null);
        assert_eq!(bob["firstAccessKey"], Json::Null);
        let now = collected_at(&c);
        for key in [
            "console-users-mfa",
            "one-active-access-key",
            "access-key-rotation-90-days",
            "unused-credentials-45-days",
            "permissions-through-groups",
        ] {
            let got = verdicts(&c, key, now);
            assert!(!got.is_empty(), "{key}: no result");
            for (name, outcome, words) in &got {
                assert_eq!(*outcome, Outcome::Unknown, "{key} on {name}: {words}");
            }
        }
        // The other identity types are whole: their rules still decide.
        expect(
            &c,
            "password-minimum-length",
            now,
            &[(ACCOUNT, Outcome::Failed, "passwordPolicy.minPasswordLength")],
        );
        expect(
            &c,
            "cloudshell-full-access",
            now,
            &[
                ("AWSCloudShellFullAccess", Outcome::Failed, "isAttached"),
                ("admin", Outcome::Passed, ""),
                ("read", Outcome::Passed, ""),
                ("unused-admin", Outcome::Passed, ""),
            ],
        );
    }

    /// A recorded `ListAnalyzers` reply of a region with an active account analyzer and
    /// an unused-access one.
    const ANALYZERS: &str = r#"{"analyzers":[{"arn":"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/external","name":"external","type":"ACCOUNT","createdAt":"2026-11-01T10:00:00Z","lastResourceAnalyzed":"arn:aws:s3:::logs","lastResourceAnalyzedAt":"2026-11-02T10:00:00Z","status":"ACTIVE","tags":{}},{"arn":"arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused","name":"unused","type":"ACCOUNT_UNUSED_ACCESS","createdAt":"2026-11-01T10:00:00Z","status":"ACTIVE","tags":{}}]}"#;

    /// Access Analyzer is not served by moto: this test's own server answers with a
    /// recorded reply (an analyzer in us-east-1, none in eu-west-1).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn access_analyzer_per_region_from_a_recorded_reply() {
        let moto = Moto::start();
        let url = support::stand_in(|head| match support::signed_region(head) {
            Some("us-east-1") => ANALYZERS.to_string(),
            _ => support::NO_ANALYZERS.to_string(),
        });
        let config = moto.sdk_config(REGION).await;
        let mut endpoints = moto.endpoints();
        endpoints.push(EndpointOverride {
            service: Some(Service::AccessAnalyzer),
            region: None,
            url,
        });
        let options = CollectOptions {
            regions: vec!["us-east-1".into(), "eu-west-1".into()],
            endpoints,
            ..Default::default()
        };
        let c = collect::collect(&config, &options).await.expect("collects");
        assert!(c.snapshot.errors.is_empty(), "{:#?}", c.snapshot.errors);
        let list = entities(&c, "AccessAnalyzer");
        assert_eq!(list.len(), 2, "{list:#?}");
        let east = by_name(&c, "AccessAnalyzer", "us-east-1");
        assert_eq!(east["region"], "us-east-1");
        assert_eq!(east["externalAccessEnabled"], true);
        assert_eq!(east["analyzers"][0]["createdAt"], "2026-11-01T10:00:00Z");
        assert_eq!(east["analyzers"][1]["type"], "ACCOUNT_UNUSED_ACCESS");
        assert_eq!(
            by_name(&c, "AccessAnalyzer", "eu-west-1")["externalAccessEnabled"],
            false
        );
        // Per region, and IAM still once per account.
        let per = |op: &str| {
            c.stats
                .operations
                .iter()
                .filter(|o| o.operation == op)
                .map(|o| o.calls)
                .sum::<u64>()
        };
        assert_eq!(per("ListAnalyzers"), 2);
        assert_eq!(per("GetAccountAuthorizationDetails"), 1);
        let now = collected_at(&c);
        expect(
            &c,
            "access-analyzer-all-regions",
            now,
            &[
                ("eu-west-1", Outcome::Failed, "analyzers"),
                ("us-east-1", Outcome::Passed, ""),
            ],
        );
    }
}
