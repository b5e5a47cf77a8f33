//! STUB — owned by the REPL work (branch `repl`). Keep `run`'s signature; replace the body.

use crate::entity::Snapshot;

/// Run the REPL over a snapshot. `name` names the snapshot in messages.
/// Interactive with line editing on a terminal; line by line when stdin is piped.
pub fn run(_snapshot: Snapshot, _name: &str) -> miette::Result<std::process::ExitCode> {
    Ok(std::process::ExitCode::SUCCESS)
}
