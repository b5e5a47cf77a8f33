//! The AWS services the collectors call: one enum, one spelling of each name (the
//! IAM action prefix, as in `docs/iam-policy.json` and the snapshot's `errors`).

use serde::{Serialize, Serializer};
use std::fmt;

/// An AWS service the collectors call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// CloudTrail.
    CloudTrail,
    /// CloudWatch Logs.
    Logs,
    /// CloudWatch (alarms).
    CloudWatch,
    /// SNS.
    Sns,
    /// STS.
    Sts,
    /// AWS Organizations (`--org`).
    Organizations,
    /// AWS Account Management (`--all-regions`: the regions enabled for an account).
    Account,
    // The network and compute types (issue 24).
    /// EC2 (security groups, VPCs, subnets, network ACLs, route tables, instances,
    /// volumes).
    Ec2,
    // Identity (IamUser, Iam, IamRole, IamGroup, IamPolicy, AccessAnalyzer).
    /// IAM (global): the identity types, and the instance profiles and roles of
    /// instances.
    Iam,
    /// IAM Access Analyzer.
    AccessAnalyzer,
    // Storage and logging (issue 23).
    /// Amazon S3 (buckets).
    S3,
    /// Amazon S3 Control (the account's public access block; IAM prefix `s3`).
    S3Control,
    /// AWS KMS.
    Kms,
    /// AWS Config.
    Config,
    /// Amazon RDS.
    Rds,
    /// Amazon EFS.
    Efs,
    /// AWS Security Hub.
    SecurityHub,
    /// Amazon Macie.
    Macie,
    // Load balancers and Lambda (issue 24).
    /// Elastic Load Balancing, classic load balancers (API version 2012-06-01).
    Elb,
    /// Elastic Load Balancing v2: application and network load balancers (its IAM
    /// prefix is classic's, `elasticloadbalancing`).
    Elbv2,
    /// AWS Lambda.
    Lambda,
    // Certificates (issue 24).
    /// AWS Certificate Manager.
    Acm,
}

impl Service {
    /// Every service, in the order of the IAM policy.
    pub const ALL: [Service; 22] = [
        Service::CloudTrail,
        Service::Logs,
        Service::CloudWatch,
        Service::Sns,
        Service::Sts,
        Service::Organizations,
        Service::Account,
        Service::Ec2,
        Service::Iam,
        Service::AccessAnalyzer,
        Service::S3,
        Service::S3Control,
        Service::Kms,
        Service::Config,
        Service::Rds,
        Service::Efs,
        Service::SecurityHub,
        Service::Macie,
        Service::Elb,
        Service::Elbv2,
        Service::Lambda,
        Service::Acm,
    ];

    /// The IAM action prefix (`cloudtrail`, `logs`, ...), also the name in the
    /// snapshot's `errors` and in `--stats`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Service::CloudTrail => "cloudtrail",
            Service::Logs => "logs",
            Service::CloudWatch => "cloudwatch",
            Service::Sns => "sns",
            Service::Sts => "sts",
            Service::Organizations => "organizations",
            Service::Account => "account",
            Service::Ec2 => "ec2",
            Service::Iam => "iam",
            Service::AccessAnalyzer => "access-analyzer",
            Service::S3 => "s3",
            Service::S3Control => "s3control",
            Service::Kms => "kms",
            Service::Config => "config",
            Service::Rds => "rds",
            Service::Efs => "elasticfilesystem",
            Service::SecurityHub => "securityhub",
            Service::Macie => "macie2",
            Service::Elb => "elasticloadbalancing",
            Service::Elbv2 => "elbv2",
            Service::Lambda => "lambda",
            Service::Acm => "acm",
        }
    }

    /// The prefix of its IAM actions: [`Service::as_str`], except for ELB v2, whose
    /// actions are classic's (`elasticloadbalancing:`).
    pub const fn iam_prefix(self) -> &'static str {
        match self {
            Service::Elbv2 => "elasticloadbalancing",
            other => other.as_str(),
        }
    }

    /// The IAM action that allows `operation` of this service: `prefix:operation`,
    /// except where IAM names the permission otherwise (S3's).
    pub fn iam_action(self, operation: &str) -> String {
        let renamed = IAM_RENAMED
            .iter()
            .find(|(s, op, _)| *s == self && *op == operation)
            .map(|(_, _, action)| *action);
        match renamed {
            Some(action) => action.to_string(),
            None => format!("{}:{operation}", self.iam_prefix()),
        }
    }

    /// The service named `name` (an IAM action prefix).
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The operations whose IAM action is not `prefix:operation`.
const IAM_RENAMED: &[(Service, &str, &str)] = &[
    (Service::S3, "ListBuckets", "s3:ListAllMyBuckets"),
    (
        Service::S3,
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
    ),
    (
        Service::S3,
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    (
        Service::S3Control,
        "GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
    ),
];

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.as_str()), Some(s));
        }
        assert_eq!(Service::from_name("ec3"), None);
    }

    #[test]
    fn iam_actions() {
        assert_eq!(Service::Kms.iam_action("ListKeys"), "kms:ListKeys");
        assert_eq!(Service::S3.iam_action("ListBuckets"), "s3:ListAllMyBuckets");
        assert_eq!(
            Service::S3Control.iam_action("GetPublicAccessBlock"),
            "s3:GetAccountPublicAccessBlock"
        );
        assert_eq!(
            Service::Efs.iam_action("DescribeFileSystems"),
            "elasticfilesystem:DescribeFileSystems"
        );
        assert_eq!(
            Service::Elbv2.iam_action("DescribeListeners"),
            "elasticloadbalancing:DescribeListeners"
        );
        assert_eq!(Service::Elbv2.as_str(), "elbv2");
    }
}
