//! The results stream of a subcommand, watched: the first write that fails (a full
//! disk, a closed pipe) is remembered, so the run ends with exit 2 and a message
//! instead of exit 0 over a report that was never written. Subcommands write with
//! `let _ = writeln!(..)` or `?` alike; [`Watched::finish`] is the one place that
//! decides.

use std::io::{self, Write};

/// A writer that remembers its first failure.
pub struct Watched<W: Write> {
    inner: W,
    failed: Option<io::Error>,
}

impl<W: Write> Watched<W> {
    /// Watch `inner`.
    pub fn new(inner: W) -> Self {
        Watched {
            inner,
            failed: None,
        }
    }

    /// Flush, and return the first write error, if any.
    pub fn finish(mut self) -> Result<(), io::Error> {
        let flushed = self.flush();
        match self.failed.take() {
            Some(e) => Err(e),
            None => flushed,
        }
    }

    fn note<T>(&mut self, r: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &r {
            if e.kind() != io::ErrorKind::Interrupted && self.failed.is_none() {
                self.failed = Some(io::Error::new(e.kind(), e.to_string()));
            }
        }
        r
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

/// The line printed when the results could not be written.
pub fn failure_message(e: &io::Error) -> String {
    format!(
        "error: cannot write the results to standard output: {e}\n  help: the output is incomplete; free space on the disk, or keep the reading end of the pipe open until gsl ends\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_write_is_remembered_even_when_ignored() {
        let mut w = Watched::new(Full);
        let _ = writeln!(w, "report");
        assert!(w.finish().is_err());
        let mut ok = Watched::new(Vec::new());
        let _ = writeln!(ok, "report");
        assert!(ok.finish().is_ok());
    }
}
