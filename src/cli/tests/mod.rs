//! Tests of the command line's own modules through their Rust API, with in-memory
//! I/O: the REPL session, `gsl pattern`, the live-collection flags. The end-to-end
//! tests of the binary are in `tests/it/`.

#[cfg(feature = "aws")]
mod live_cli;
mod pattern_cli;
mod repl_docs;
mod repl_lexer;
mod repl_session;
