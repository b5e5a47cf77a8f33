//! Account Management: ListRegions, the regions enabled for the session's account.

use crate::collect::call::Session;
use crate::collect::client::Failure;
use crate::collect::Service;
use aws_sdk_account::types::RegionOptStatus;
use aws_sdk_account::Client;

/// The regions enabled for the account (enabled by default, or opted in), in the
/// order AWS lists them. `region`: where to send the call (the Account API is global:
/// the partition's home region).
pub(crate) async fn list_regions(s: &Session, region: &str) -> Result<Vec<String>, Failure> {
    let client: Client = s.client(region);
    let mut out = Vec::new();
    s.paginate(
        Service::Account,
        "ListRegions",
        |token| {
            client
                .list_regions()
                .region_opt_status_contains(RegionOptStatus::Enabled)
                .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
                .set_next_token(token)
                .send()
        },
        |page| {
            // The filter is the server's; a region it lists as disabled, disabling
            // or enabling is not collected either.
            out.extend(page.regions().iter().filter_map(|r| {
                match (r.region_name(), r.region_opt_status()) {
                    (
                        Some(name),
                        Some(RegionOptStatus::Enabled | RegionOptStatus::EnabledByDefault),
                    ) => Some(name.to_string()),
                    _ => None,
                }
            }));
            page.next_token().map(str::to_string)
        },
    )
    .await?;
    Ok(out)
}
