//! Where a replay's log files come from, whatever holds them: a stream of
//! [`LogInput`]s (a name and the bytes), or what could not be had ([`Skipped`]). Log
//! files on disk are [`local`]; the S3 source (`gsl::collect::trail_logs`, with the
//! `aws` feature) yields the same items, so both are read by the one reader
//! ([`super::logs::read_stream`]).

use super::logs::{self, Skipped};
use super::window::Window;
use crate::collect::Progress;
use std::io::Read;
use std::path::PathBuf;

/// One log file to read.
pub struct LogInput {
    /// Its name in the report (a path, `s3://bucket/key`).
    pub name: String,
    /// Whether it is gzipped (every member is read).
    pub gz: bool,
    /// Its bytes as stored.
    pub body: Box<dyn Read + Send>,
}

impl std::fmt::Debug for LogInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogInput")
            .field("name", &self.name)
            .field("gz", &self.gz)
            .finish_non_exhaustive()
    }
}

/// A log file, or why one could not be had (a file that cannot be opened, a refused
/// S3 call), named in the report like any unreadable input.
pub type Input = Result<LogInput, Skipped>;

/// Whether a file or key of this name is gzipped.
pub fn is_gzip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".gz")
}

/// The log files under `paths` ([`logs::files`]) that `window` wants
/// ([`Window::wants_file`]), opened one at a time as they are read. `progress` hears
/// the number of files, then each file's size as it is opened.
pub fn local(
    paths: &[PathBuf],
    window: Window,
    progress: Progress,
) -> impl Iterator<Item = Input> + Send {
    let files: Vec<PathBuf> = logs::files(paths)
        .into_iter()
        .filter(|p| window.wants_file(&p.to_string_lossy()))
        .collect();
    progress.files(files.len());
    files.into_iter().map(move |path| {
        let name = path.display().to_string();
        let file = std::fs::File::open(&path).map_err(|e| Skipped {
            file: name.clone(),
            at: "byte 0".into(),
            why: format!("cannot open: {e}"),
        })?;
        progress.file_done(file.metadata().map_or(0, |m| m.len()));
        Ok(LogInput {
            gz: is_gzip(&name),
            name,
            body: Box::new(file),
        })
    })
}
