//! `gsl repl`: explore a snapshot's entities and try rules interactively.
//!
//! - [`session`]: the state and what one input does ([`Session::handle_line`]), shared
//!   by the interactive loop and the piped loop.
//! - [`input`]: classifying an input (command, bare-path query, rule) and deciding
//!   whether it is complete.
//! - [`complete`]: tab completion and the multi-line validator.
//! - [`schema`]: entity types, the properties seen on each, and path walking.
//! - [`render`] and [`diag`]: results and diagnostics.
//!
//! User documentation: `docs/repl.md`.

pub mod complete;
pub mod diag;
pub mod input;
pub mod render;
pub mod schema;
pub mod session;

pub use session::{Control, Session};

use crate::cli::{Exit, Io};
use gsl::entity::Snapshot;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use std::io::IsTerminal;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// The prompt of the interactive REPL.
pub const PROMPT: &str = "gsl> ";

/// The prompt of a continuation line (a bracket or quote is still open).
pub const CONTINUATION: &str = "...> ";

/// Run the REPL over a snapshot. `name` names the snapshot in messages.
/// Interactive with line editing on a terminal; line by line when stdin is piped.
pub fn run(
    snapshot: Snapshot,
    name: &str,
    params: std::sync::Arc<gsl::params::Params>,
    io: &mut Io<'_>,
) -> miette::Result<Exit> {
    let mut session = Session::new(snapshot, name);
    session.set_params(params);
    let stdout = std::io::stdout();
    let interactive = std::io::stdin().is_terminal() && stdout.is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    // Results go to stdout and diagnostics to stderr: colour only when both are terminals.
    session.set_color(stdout.is_terminal() && std::io::stderr().is_terminal() && !no_color);
    if interactive {
        interactive_loop(&mut session)
    } else {
        Ok(run_piped(&mut session, io.stdin, io.out, io.err))
    }
}

/// The piped REPL: read inputs line by line (an open bracket or quote continues onto
/// the next line), print results to `out` and diagnostics to `err`. Exit status 1
/// when any input failed, else 0.
pub fn run_piped(
    session: &mut Session,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Exit {
    let mut failed = false;
    let mut pending = input::Pending::default();
    let mut raw = Vec::new();
    let mut number = 0usize;
    loop {
        raw.clear();
        let eof = match input.read_until(b'\n', &mut raw) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => {
                let _ = writeln!(err, "error: cannot read input: {e}");
                return Exit::Failed;
            }
        };
        number += 1;
        if !eof {
            // A line that is not UTF-8 is reported and skipped; the script goes on.
            let Ok(line) = std::str::from_utf8(&raw) else {
                let _ = writeln!(err, "error: input line {number} is not UTF-8; skipped");
                failed = true;
                continue;
            };
            pending.push(line);
            if pending.needs_more() {
                continue;
            }
        }
        let text = pending.take();
        match session.handle_line(&text, out, err) {
            Control::Quit => break,
            Control::Failed => failed = true,
            Control::Continue => {}
        }
        if eof {
            break;
        }
    }
    if failed {
        Exit::Failed
    } else {
        Exit::Ok
    }
}

/// Where history is kept: `$GSL_HISTORY`, else `<data dir>/gsl/history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GSL_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::data_dir().map(|d| d.join("gsl").join("history"))
}

fn interactive_loop(session: &mut Session) -> miette::Result<Exit> {
    let config = Config::builder()
        // Added by hand: a multi-line input is one entry.
        .auto_add_history(false)
        .history_ignore_dups(true)
        .map_err(|e| miette::miette!("cannot set up line editing: {e}"))?
        .history_ignore_space(true)
        .max_history_size(5000)
        .map_err(|e| miette::miette!("cannot set up line editing: {e}"))?
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<complete::ReplHelper, FileHistory> = Editor::with_config(config)
        .map_err(|e| miette::miette!("cannot set up line editing: {e}"))?;
    let mut helper = complete::ReplHelper::new(session.knowledge());
    helper.set_color(session.color());
    rl.set_helper(Some(helper));
    let history = history_path();
    if let Some(h) = &history {
        if h.exists() {
            // An unreadable history is not worth refusing to start.
            let _ = rl.load_history(h);
        } else if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    let types = session.knowledge().types.clone();
    let n: usize = types.iter().map(|(_, n)| n).sum();
    println!(
        "gsl repl — {}: {}, {}. :help for help, Ctrl-D to leave.",
        session.name(),
        session::plural(n, "entity", "entities"),
        session::plural(types.len(), "type", "types")
    );
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let mut pending = input::Pending::default();
    loop {
        let prompt = if pending.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        match rl.readline(prompt) {
            Ok(line) => {
                pending.push(&line);
                pending.push("\n");
                if pending.needs_more() {
                    continue;
                }
                let text = pending.take();
                let _ = rl.add_history_entry(text.as_str());
                let control = session.handle_line(&text, &mut stdout, &mut stderr);
                if let Some(h) = &history {
                    let _ = rl.append_history(h);
                }
                if let Some(helper) = rl.helper_mut() {
                    if !std::sync::Arc::ptr_eq(helper.knowledge(), &session.knowledge()) {
                        helper.set_knowledge(session.knowledge());
                    }
                }
                if control == Control::Quit {
                    break;
                }
            }
            // Ctrl-C: the input is dropped (all its lines); start a fresh one.
            Err(ReadlineError::Interrupted) => {
                pending = input::Pending::default();
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(miette::miette!("cannot read input: {e}")),
        }
    }
    Ok(Exit::Ok)
}
