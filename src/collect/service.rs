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
}

impl Service {
    /// Every service, in the order of the IAM policy.
    pub const ALL: [Service; 10] = [
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
        }
    }

    /// The service named `name` (an IAM action prefix).
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

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
}
