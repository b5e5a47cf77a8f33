//! Reading input files: the one place gsl opens a file named by the user (policy files
//! and directories, `--snapshot`, `gsl pattern test --events`, the REPL's `:load`).
//!
//! - Only regular files (after following symlinks) are read: a FIFO, a device such as
//!   `/dev/zero`, a socket or a directory is an error, never a hang or an unbounded read.
//! - Each kind of file has a size limit ([`Kind::limit`]); past it the read stops with
//!   an error naming the limit.
//! - Text must be UTF-8: invalid bytes are reported with their line, column and byte
//!   offset. A UTF-8 byte order mark at the start is accepted and dropped (editors on
//!   Windows write one; JSON readers may ignore it, RFC 8259 §8.1).
//! - A symlink loop is reported as such, with the path given.

use miette::Diagnostic;
use std::io::Read;
use std::path::Path;
use thiserror::Error;

/// What a file is read as; names it in messages and sets its size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.gsl` policy file.
    Policy,
    /// A snapshot (`--snapshot`, `:load`).
    Snapshot,
    /// Log events, one per line (`gsl pattern test --events`).
    Events,
    /// A parameters file (`--params`): the values of `$Name` in rules.
    Params,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.noun())
    }
}

impl Kind {
    /// The first part of its diagnostic codes: `gsl::policy::io`, `gsl::snapshot::io`.
    fn domain(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Snapshot => "snapshot",
            Kind::Events => "events",
            Kind::Params => "params",
        }
    }

    /// "policy file", "snapshot", "events file".
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Policy => "policy file",
            Kind::Snapshot => "snapshot",
            Kind::Events => "events file",
            Kind::Params => "parameters file",
        }
    }

    /// The largest file of this kind read, in bytes: 4 MiB for a policy, 1 GiB for a
    /// snapshot, 256 MiB of events, 1 MiB of parameters.
    pub fn limit(self) -> u64 {
        match self {
            Kind::Policy => 4 << 20,
            Kind::Params => 1 << 20,
            Kind::Snapshot => 1 << 30,
            Kind::Events => 256 << 20,
        }
    }
}

/// A file that cannot be read as the text it should be.
#[derive(Debug, Error)]
pub enum ReadError {
    /// Not a regular file.
    #[error("cannot read {kind} {path}: it is {what}, not a regular file")]
    NotAFile {
        /// What was read.
        kind: Kind,
        /// The path.
        path: String,
        /// "a FIFO (named pipe)", "a character device", ...
        what: &'static str,
    },
    /// Larger than the limit.
    #[error("cannot read {kind} {path}: it is larger than the limit of {limit} MiB")]
    TooLarge {
        /// What was read.
        kind: Kind,
        /// The path.
        path: String,
        /// The limit, MiB.
        limit: u64,
    },
    /// Not UTF-8.
    #[error("{kind} {path} is not UTF-8: invalid byte 0x{byte:02x} at line {line}, column {column} (byte offset {offset})")]
    NotUtf8 {
        /// What was read.
        kind: Kind,
        /// The path.
        path: String,
        /// The first invalid byte.
        byte: u8,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// Byte offset.
        offset: usize,
    },
    /// A symlink that points back to itself.
    #[error("cannot read {kind} {path}: a symbolic link loop")]
    SymlinkLoop {
        /// What was read.
        kind: Kind,
        /// The path.
        path: String,
    },
    /// Any other I/O error (not found, permission denied, ...).
    #[error("cannot read {kind} {path}: {source}")]
    Io {
        /// What was read.
        kind: Kind,
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

impl ReadError {
    /// The path that could not be read.
    pub fn path(&self) -> &str {
        match self {
            ReadError::NotAFile { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::SymlinkLoop { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }
}

impl Diagnostic for ReadError {
    /// `gsl::<policy|snapshot|events>::<io|not_a_file|too_large|not_utf8|symlink_loop>`.
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let (kind, what) = match self {
            ReadError::NotAFile { kind, .. } => (kind, "not_a_file"),
            ReadError::TooLarge { kind, .. } => (kind, "too_large"),
            ReadError::NotUtf8 { kind, .. } => (kind, "not_utf8"),
            ReadError::SymlinkLoop { kind, .. } => (kind, "symlink_loop"),
            ReadError::Io { kind, .. } => (kind, "io"),
        };
        Some(Box::new(format!("gsl::{}::{what}", kind.domain())))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let help = match self {
            ReadError::NotAFile { .. } => {
                "gsl reads only regular files; copy the data to a file and pass that".to_string()
            }
            ReadError::TooLarge { kind, .. } => {
                format!("is this the right file? gsl does not read a {kind} this large")
            }
            ReadError::NotUtf8 { .. } => {
                "save the file as UTF-8 (policies, snapshots and events are UTF-8 text)"
                    .to_string()
            }
            ReadError::SymlinkLoop { .. } => {
                "the link (or one it points to) points back to itself; fix or remove it"
                    .to_string()
            }
            ReadError::Io { kind: Kind::Snapshot, .. } => "pass a snapshot written by `gsl collect`, or omit --snapshot to use the built-in sample account".to_string(),
            ReadError::Io { .. } => "check the path and its permissions".to_string(),
        };
        Some(Box::new(help))
    }
}

/// Whether `e` is the OS's "too many levels of symbolic links".
pub fn is_symlink_loop(e: &std::io::Error) -> bool {
    // ELOOP: 40 on Linux, 62 on the BSDs and macOS.
    let eloop = if cfg!(target_os = "linux") { 40 } else { 62 };
    cfg!(unix) && e.raw_os_error() == Some(eloop)
}

/// The error for an I/O failure on `path`.
pub fn io_error(kind: Kind, path: &Path, source: std::io::Error) -> ReadError {
    let path = path.display().to_string();
    if is_symlink_loop(&source) {
        ReadError::SymlinkLoop { kind, path }
    } else {
        ReadError::Io { kind, path, source }
    }
}

fn what(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// The bytes of the regular file at `path`, at most `kind`'s limit.
pub fn read_bytes(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(kind, path, e))?;
    let too_large = || ReadError::TooLarge {
        kind,
        path: path.display().to_string(),
        limit: kind.limit() >> 20,
    };
    if !meta.is_file() {
        return Err(ReadError::NotAFile {
            kind,
            path: path.display().to_string(),
            what: what(&meta),
        });
    }
    if meta.len() > kind.limit() {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(|e| io_error(kind, path, e))?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow while it is read: never past the limit.
    file.take(kind.limit() + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(kind, path, e))?;
    if bytes.len() as u64 > kind.limit() {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The text of the regular file at `path` (see the module documentation).
pub fn read_text(path: &Path, kind: Kind) -> Result<String, ReadError> {
    read_text_at(path, kind).map(|(text, _)| text)
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// [`read_text`], and the byte offset in the file at which the text starts: 3 when a
/// byte order mark was dropped, else 0. A reader that goes back to the file by byte
/// offsets (`gsl::entity::stream`) adds it.
pub fn read_text_at(path: &Path, kind: Kind) -> Result<(String, u64), ReadError> {
    let bytes = read_bytes(path, kind)?;
    let start = if bytes.starts_with(BOM) {
        BOM.len() as u64
    } else {
        0
    };
    let text = decode(bytes).map_err(|bad| ReadError::NotUtf8 {
        kind,
        path: path.display().to_string(),
        byte: bad.byte,
        line: bad.line,
        column: bad.column,
        offset: bad.offset,
    })?;
    Ok((text, start))
}

/// Where text stops being UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUtf8 {
    /// The first invalid byte.
    pub byte: u8,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset.
    pub offset: usize,
}

/// `bytes` as text, a leading byte order mark dropped, or where it is not UTF-8.
pub fn decode(mut bytes: Vec<u8>) -> Result<String, BadUtf8> {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let good = &e.as_bytes()[..offset];
        // The valid prefix is UTF-8 by definition.
        let prefix = std::str::from_utf8(good).unwrap_or_default();
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        BadUtf8 {
            byte: e.as_bytes()[offset],
            line: prefix.matches('\n').count() + 1,
            column: prefix[line_start..].chars().count() + 1,
            offset,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_has_a_position() {
        let bad = decode(b"ab\ncd\xffe".to_vec()).unwrap_err();
        assert_eq!(
            (bad.line, bad.column, bad.offset, bad.byte),
            (2, 3, 5, 0xff)
        );
        assert_eq!(decode(b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused() {
        let e = read_text(Path::new("/dev/zero"), Kind::Snapshot).unwrap_err();
        assert!(matches!(e, ReadError::NotAFile { .. }), "{e}");
        assert!(e.to_string().contains("character device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), Kind::Policy).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        let link = dir.path().join("loop");
        std::os::unix::fs::symlink(&link, &link).unwrap();
        let e = read_text(&link, Kind::Policy).unwrap_err();
        assert!(matches!(e, ReadError::SymlinkLoop { .. }), "{e}");
    }

    #[test]
    fn the_limit_is_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.gsl");
        std::fs::write(&p, vec![b' '; (Kind::Policy.limit() + 1) as usize]).unwrap();
        let e = read_text(&p, Kind::Policy).unwrap_err();
        assert!(e.to_string().contains("limit of 4 MiB"), "{e}");
    }
}
