//! One module per service: the calls the walk makes, as [`super::model`] records.
//! A failed call is recorded in the session and returns `None` ("not collected").

pub(crate) mod account;
pub(crate) mod cloudtrail;
pub(crate) mod cloudwatch;
pub(crate) mod logs;
pub(crate) mod sns;
pub(crate) mod sts;
