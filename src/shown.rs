//! Diagnostics made safe to render. [`shown`] wraps any [`Diagnostic`] so that:
//!
//! - a label on a long line (a minified one-line snapshot) shows a window of the line
//!   around the span, not the whole line: miette's graphical renderer panics on a
//!   column past 65535, and re-printing a 40 KB line per diagnostic makes the output grow
//!   with the square of the input;
//! - NUL, bidirectional and zero-width characters in the message, help, labels and
//!   source are printed as escapes ([`crate::text::escape_hidden`]);
//! - at most [`MAX_RELATED`] related diagnostics are shown, then "and N more".
//!
//! Every renderer of the command line goes through it; line and column in the header
//! are those of the original text.

use crate::text::{escape_hidden, push_visible, thousands};
use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, Severity, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;

/// Lines longer than this (bytes) are shown as a window around the label.
pub const MAX_LINE: usize = 240;
/// Bytes of context either side of a label in a windowed line.
const CONTEXT: usize = 60;
/// The most bytes of a label's own text shown in a window.
const MAX_LABEL: usize = 120;
/// The most related diagnostics shown; the rest are counted.
pub const MAX_RELATED: usize = 20;

/// `d`, ready to hand to a miette report handler.
pub fn shown(d: &dyn Diagnostic) -> Shown<'_> {
    shown_in(d, None)
}

/// `d`, a related diagnostic of one whose source is `parent` when `d` has none.
fn shown_in<'a>(d: &'a dyn Diagnostic, parent: Option<&'a dyn SourceCode>) -> Shown<'a> {
    let message = escape_hidden(&d.to_string()).into_owned();
    let help = d.help().map(|h| escape_hidden(&h.to_string()).into_owned());
    let code = d.code().map(|c| c.to_string());
    let url = d.url().map(|u| u.to_string());
    let labels: Vec<LabeledSpan> = d.labels().map(|l| l.collect()).unwrap_or_default();
    let source = d.source_code().or(parent);
    let window = source.and_then(|src| Window::of(src, &labels));
    let labels = match &window {
        Some(w) => w.labels.clone(),
        None => labels
            .into_iter()
            .map(|l| relabel(&l, *l.inner()))
            .collect(),
    };
    let mut related = Vec::new();
    let mut more = 0usize;
    if let Some(rel) = d.related() {
        for r in rel {
            if related.len() < MAX_RELATED {
                related.push(shown_in(r, source));
            } else {
                more += 1;
            }
        }
    }
    let more = (more > 0).then_some(More(more));
    Shown {
        inner: d,
        message,
        help,
        code,
        url,
        labels,
        window,
        related,
        more,
        cause: d.diagnostic_source().map(|c| Box::new(shown(c))),
        source,
    }
}

/// A diagnostic as it will be shown (see the module documentation).
pub struct Shown<'a> {
    inner: &'a dyn Diagnostic,
    message: String,
    help: Option<String>,
    code: Option<String>,
    url: Option<String>,
    labels: Vec<LabeledSpan>,
    window: Option<Window>,
    related: Vec<Shown<'a>>,
    more: Option<More>,
    cause: Option<Box<Shown<'a>>>,
    /// The original source (the diagnostic's own, or its parent's for a related one):
    /// a parent's may be shown as a window that this one's labels do not point into.
    source: Option<&'a dyn SourceCode>,
}

/// "and N more" after the last related diagnostic shown.
#[derive(Debug)]
struct More(usize);

impl fmt::Display for More {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "and {} more", thousands(self.0 as u64))
    }
}

impl std::error::Error for More {}
impl Diagnostic for More {}

fn relabel(l: &LabeledSpan, span: SourceSpan) -> LabeledSpan {
    let label = l.label().map(|t| escape_hidden(t).into_owned());
    if l.primary() {
        LabeledSpan::new_primary_with_span(label, span)
    } else {
        LabeledSpan::new_with_span(label, span)
    }
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shown")
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match &self.window {
            Some(w) => Some(w),
            None => self.source,
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related
                .iter()
                .map(|s| s as &dyn Diagnostic)
                .chain(self.more.iter().map(|m| m as &dyn Diagnostic)),
        ))
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn Diagnostic)
    }
}

/// One line of the source, cut to a window around the primary label and escaped; the
/// labels inside it, moved to the window's offsets.
#[derive(Debug)]
struct Window {
    name: Option<String>,
    text: String,
    /// 0-based line of the original text the window is cut from.
    line: usize,
    /// Byte offset in the original of the window's start of line.
    line_start: usize,
    /// (offset in `text`, offset in the original) for every character of `text`
    /// taken from the original, in order.
    map: Vec<(usize, usize)>,
    labels: Vec<LabeledSpan>,
}

impl Window {
    /// A window when a label is on a line too long to show, or one with characters to
    /// escape; `None` when the source can be shown as it is.
    fn of(src: &dyn SourceCode, labels: &[LabeledSpan]) -> Option<Window> {
        let primary = labels
            .iter()
            .find(|l| l.primary())
            .or_else(|| labels.first())?;
        let all = src
            .read_span(&SourceSpan::from((0, 0)), 0, usize::MAX)
            .ok()?;
        let text = all.data();
        let line_of = |at: usize| {
            let at = at.min(text.len());
            let start = text[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let end = text[at..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(text.len(), |i| at + i);
            (start, end)
        };
        let needs = labels.iter().any(|l| {
            let (s, e) = line_of(l.offset());
            e - s > MAX_LINE
                || String::from_utf8_lossy(&text[s..e])
                    .chars()
                    .any(|c| crate::text::is_hidden(c) && c != '\r')
        });
        if !needs {
            return None;
        }
        let (ls, le) = line_of(primary.offset());
        let ps = primary.offset().clamp(ls, le);
        let pe = (primary.offset() + primary.len()).clamp(ps, le);
        let from = floor_char(text, ps.saturating_sub(CONTEXT).max(ls));
        let to = ceil_char(text, (pe.min(ps + MAX_LABEL) + CONTEXT).min(le));
        let mut out = String::new();
        let mut map = Vec::new();
        if from > ls {
            out.push('…');
        }
        let piece = String::from_utf8_lossy(&text[from..to]);
        let mut orig = from;
        for c in piece.chars() {
            map.push((out.len(), orig));
            if c == '\r' {
                out.push(' ');
            } else {
                push_visible(&mut out, c);
            }
            orig += c.len_utf8();
        }
        map.push((out.len(), to));
        if to < le {
            out.push('…');
        }
        let to_window = |at: usize| -> usize {
            match map.binary_search_by_key(&at, |(_, o)| *o) {
                Ok(i) => map[i].0,
                Err(i) => map.get(i).map_or(out.len(), |m| m.0),
            }
        };
        let labels = labels
            .iter()
            .filter(|l| {
                let end = l.offset() + l.len();
                l.offset() <= to && end >= from && l.offset() >= ls && l.offset() <= le
            })
            .map(|l| {
                let s = to_window(l.offset().max(from));
                let e = to_window((l.offset() + l.len()).min(to));
                relabel(l, SourceSpan::from((s, e.saturating_sub(s))))
            })
            .collect();
        Some(Window {
            name: all.name().map(str::to_string),
            text: out,
            line: all_line(text, ls),
            line_start: ls,
            map,
            labels,
        })
    }
}

fn all_line(text: &[u8], at: usize) -> usize {
    text[..at].iter().filter(|b| **b == b'\n').count()
}

fn floor_char(text: &[u8], mut at: usize) -> usize {
    while at > 0 && at < text.len() && (text[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

fn ceil_char(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        // The window is one line: a span read without context starts at its own
        // offset, which maps back through the character map.
        let at = c.span().offset();
        let orig = match self.map.binary_search_by_key(&at, |(w, _)| *w) {
            Ok(i) => self.map[i].1,
            Err(i) => self.map.get(i).map_or(self.line_start, |m| m.1),
        };
        let contents = MietteSpanContents::new_named(
            self.name.clone().unwrap_or_default(),
            c.data(),
            *c.span(),
            self.line + c.line(),
            if c.column() == 0 {
                0
            } else {
                orig - self.line_start
            },
            c.line_count(),
        );
        Ok(Box::new(contents))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::NamedSource;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("bad {what}")]
    #[diagnostic(code(t::bad), help("fix {what}"))]
    struct Bad {
        what: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here {what}")]
        span: SourceSpan,
    }

    fn render(d: &dyn Diagnostic) -> String {
        let mut s = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut s, &shown(d))
            .unwrap();
        s
    }

    #[test]
    fn long_lines_are_windowed_with_the_real_position() {
        let text = format!("{{\"a\": [{}\"oops\"]}}", "1, ".repeat(40_000));
        let at = text.find("\"oops\"").unwrap();
        let d = Bad {
            what: "x".into(),
            src: NamedSource::new("big.json", text.clone()),
            span: (at, 6).into(),
        };
        let r = render(&d);
        assert!(r.contains(&format!("big.json:1:{}", at + 1)), "{r}");
        assert!(r.contains("\"oops\"") && r.contains("here x"), "{r}");
        assert!(r.len() < 2_000, "{} bytes", r.len());
    }

    #[test]
    fn hidden_characters_are_escaped_everywhere() {
        let d = Bad {
            what: "a\u{202e}b\0".into(),
            src: NamedSource::new("f", "x = \"\u{202e}\u{200b}\"\n".to_string()),
            span: (4, 8).into(),
        };
        let r = render(&d);
        assert!(!r.contains('\u{202e}') && !r.contains('\0') && !r.contains('\u{200b}'));
        assert!(r.contains("bad a\\u{202e}b\\u{0}"), "{r}");
        assert!(r.contains("\\u{200b}"), "{r}");
    }

    #[test]
    fn short_clean_sources_are_shown_as_they_are() {
        let d = Bad {
            what: "x".into(),
            src: NamedSource::new("f", "one\ntwo\nthree\n".to_string()),
            span: (4, 3).into(),
        };
        let plain = {
            let mut s = String::new();
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .render_report(&mut s, &d)
                .unwrap();
            s
        };
        assert_eq!(render(&d), plain);
    }

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("many")]
    struct Many {
        #[related]
        all: Vec<Bad>,
    }

    #[test]
    fn related_diagnostics_are_capped() {
        let all = (0..10_000)
            .map(|i| Bad {
                what: i.to_string(),
                src: NamedSource::new("f", "x".to_string()),
                span: (0, 1).into(),
            })
            .collect();
        let r = render(&Many { all });
        assert!(r.contains("and 9,980 more"), "{r}");
        assert!(r.len() < 20_000);
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
