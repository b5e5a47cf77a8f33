//! The run's own calls, which belong to no collected type: the account's identity
//! (STS) and its enabled regions (Account). Each type's calls are in its module
//! under [`super::types`].

pub(crate) mod account;
pub(crate) mod sts;
