//! CloudTrail: DescribeTrails, GetTrailStatus, GetEventSelectors, ListTags.

use crate::collect::call::Session;
use crate::collect::convert;
use crate::collect::model::{Tag, TrailData, TrailRecord};
use crate::collect::plan::PlannedTrail;
use crate::collect::regions::is_region_disabled_code;
use crate::collect::Service;
use aws_sdk_cloudtrail::Client;

/// What DescribeTrails in one region gave.
pub(crate) enum Listing {
    /// The region's trails (shadow copies of multi-region trails included).
    Trails(Vec<TrailRecord>),
    /// The call failed (recorded).
    Failed,
    /// A probed region rejected the credentials as for a region the account has not
    /// enabled: not an error, the region is skipped.
    Disabled,
}

/// DescribeTrails with shadow trails. `probe`: the region may not be enabled.
pub(crate) async fn describe_trails(s: &Session, region: &str, probe: bool) -> Listing {
    let client: Client = s.client(region);
    let result = s
        .call(
            Service::CloudTrail,
            "DescribeTrails",
            client.describe_trails().include_shadow_trails(true).send(),
        )
        .await;
    match result {
        Ok(out) => Listing::Trails(out.trail_list().iter().map(convert::trail).collect()),
        Err(f) if probe && is_region_disabled_code(&f.code) => Listing::Disabled,
        Err(f) => {
            s.record(region, Service::CloudTrail, "DescribeTrails", f, true);
            Listing::Failed
        }
    }
}

/// GetTrailStatus and GetEventSelectors in the trail's home region.
pub(crate) async fn trail_details(s: &Session, t: &PlannedTrail) -> TrailData {
    let client: Client = s.client(&t.home);
    let arn = t.arn();
    let status = s.call(
        Service::CloudTrail,
        "GetTrailStatus",
        client.get_trail_status().name(arn).send(),
    );
    let selectors = s.call(
        Service::CloudTrail,
        "GetEventSelectors",
        client.get_event_selectors().trail_name(arn).send(),
    );
    let (status, selectors) = futures::join!(status, selectors);
    let status = match status {
        Ok(out) => Some(convert::trail_status(&out)),
        Err(f) => {
            s.record(&t.home, Service::CloudTrail, "GetTrailStatus", f, true);
            None
        }
    };
    let (event_selectors, advanced_event_selectors) = match selectors {
        Ok(out) => (
            Some(
                out.event_selectors()
                    .iter()
                    .map(convert::event_selector)
                    .collect(),
            ),
            Some(
                out.advanced_event_selectors()
                    .iter()
                    .map(convert::advanced_event_selector)
                    .collect(),
            ),
        ),
        Err(f) => {
            s.record(&t.home, Service::CloudTrail, "GetEventSelectors", f, true);
            (None, None)
        }
    };
    TrailData {
        trail: t.trail.clone(),
        status,
        event_selectors,
        advanced_event_selectors,
        tags: None,
    }
}

/// ListTags of up to 20 trails of one region: (ARN, tags) for each trail answered.
pub(crate) async fn list_tags(
    s: &Session,
    region: &str,
    arns: &[String],
) -> Vec<(String, Vec<Tag>)> {
    let client: Client = s.client(region);
    let mut out = Vec::new();
    let result = s
        .paginate(
            Service::CloudTrail,
            "ListTags",
            |token| {
                client
                    .list_tags()
                    .set_resource_id_list(Some(arns.to_vec()))
                    .set_next_token(token)
                    .send()
            },
            |p| {
                for rt in p.resource_tag_list() {
                    if let Some(id) = rt.resource_id() {
                        out.push((
                            id.to_string(),
                            rt.tags_list().iter().map(convert::tag).collect(),
                        ));
                    }
                }
                p.next_token().map(str::to_string)
            },
        )
        .await;
    if let Err(f) = result {
        s.record(region, Service::CloudTrail, "ListTags", f, false);
    }
    out
}
