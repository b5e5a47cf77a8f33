//! Region lists for `--all-regions`. Each account is first asked which regions it has
//! enabled (Account `ListRegions`, `src/collect/fetch/account.rs`); these lists are
//! the fallback when that call is not permitted: the partition's regions, with the
//! opt-in ones probed (a region that rejects the account's credentials as unknown is
//! treated as not enabled). The lists can lag behind new AWS regions: name a new
//! region with `--region`.

/// Regions enabled in every account, by partition.
pub fn default_regions(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws-cn" => &["cn-north-1", "cn-northwest-1"],
        "aws-us-gov" => &["us-gov-west-1", "us-gov-east-1"],
        _ => &[
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ap-south-1",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-southeast-1",
            "ap-southeast-2",
            "ca-central-1",
            "eu-central-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-north-1",
            "sa-east-1",
        ],
    }
}

/// The region global services of a partition answer in (the Account API).
pub fn home_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        _ => "us-east-1",
    }
}

/// Regions an account must opt in to, by partition.
pub fn opt_in_regions(partition: &str) -> &'static [&'static str] {
    match partition {
        "aws" => &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-1",
            "eu-south-2",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
        ],
        _ => &[],
    }
}

/// Error codes with which a region that is not enabled for the account rejects a call.
pub fn is_region_disabled_code(code: &str) -> bool {
    matches!(
        code,
        "UnrecognizedClientException" | "InvalidClientTokenId" | "AuthFailure" | "OptInRequired"
    )
}

/// A plausible region name: lowercase letters, digits and dashes, with a dash.
pub fn is_valid_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 32
        && region.contains('-')
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
