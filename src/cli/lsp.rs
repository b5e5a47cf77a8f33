//! `gsl lsp`: the language server for `.gsl` policy files, over stdin and stdout
//! (`lsp-server` for JSON-RPC, `lsp-types` for the protocol). A shell over the library:
//! diagnostics from the policy loader and, through [`gsl::run::PreparedRule`] (the path
//! `gsl check` takes), the parser's and the checker's plus the snapshot's property
//! warnings; completion and hover from [`gsl::complete`], formatting from
//! [`gsl::format`], "Evaluate on snapshot" from [`gsl::run::PreparedRule::run`].
//! Positions are UTF-16 as LSP requires.
//!
//! Settings (`initializationOptions` or `workspace/didChangeConfiguration` under
//! `gsl`): `snapshot`, the snapshot file completion, hover and evaluation use (default:
//! the built-in sample, as the CLI). User documentation: `docs/editors.md`.

use gsl::complete::{self, Knowledge};
use gsl::entity::graph::EntityGraph;
use gsl::entity::{self, Snapshot};
use gsl::params::Params;
use gsl::report::{is_finding, Problem};
use gsl::run::PreparedRule;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `gsl lsp` arguments.
#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Speak LSP over stdin and stdout (the only transport; accepted for editors that
    /// pass it).
    #[arg(long)]
    pub stdio: bool,
    /// The values of `$Name` parameters (completion, hover and diagnostics use them).
    #[command(flatten)]
    pub params: super::ParamsArgs,
}

/// The command of the "Evaluate on snapshot" code lens; its argument is the document URI.
pub const EVALUATE: &str = "gsl.evaluate";

/// At most this many `.gsl` files of a workspace are checked when it opens.
const MAX_WORKSPACE_FILES: usize = 2000;

/// Run the server until the client shuts it down.
pub fn run(args: &LspArgs) -> miette::Result<super::Exit> {
    let params = args.params.load()?;
    let (connection, threads) = Connection::stdio();
    let result = serve(&connection, params);
    drop(connection);
    threads
        .join()
        .map_err(|e| miette::miette!(code = "gsl::lsp::io", "language server i/o failed: {e}"))?;
    result.map(|()| super::Exit::Ok)
}

fn protocol(e: impl std::fmt::Display) -> miette::Report {
    miette::miette!(
        code = "gsl::lsp::protocol",
        help = "start `gsl lsp` from an editor's language client; it speaks LSP on stdin/stdout",
        "language server protocol error: {e}"
    )
}

fn serve(connection: &Connection, rule_params: Arc<Params>) -> miette::Result<()> {
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let init: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let capabilities = lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(
            lsp::TextDocumentSyncKind::FULL,
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![
                ".".into(),
                "[".into(),
                "'".into(),
                "<".into(),
                "$".into(),
            ]),
            ..Default::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_lens_provider: Some(lsp::CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![EVALUATE.into()],
            ..Default::default()
        }),
        ..Default::default()
    };
    let result = json!({
        "capabilities": capabilities,
        "serverInfo": {"name": "gsl", "version": env!("GSL_VERSION")},
    });
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut server = Server::new(connection, rule_params);
    server.configure(init.initialization_options.as_ref());
    #[allow(deprecated, reason = "root_uri is what older clients send")]
    let mut roots: Vec<lsp::Uri> = init
        .workspace_folders
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.uri)
        .collect();
    #[allow(deprecated, reason = "root_uri is what older clients send")]
    if roots.is_empty() {
        roots.extend(init.root_uri);
    }
    server.check_workspace(&roots);
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req).map_err(protocol)? {
                    return Ok(());
                }
                server.request(req);
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// What the server knows: open documents, the snapshot and what completion knows of it.
struct Server<'c> {
    connection: &'c Connection,
    docs: BTreeMap<String, String>,
    snapshot_path: Option<PathBuf>,
    graph: EntityGraph,
    opts: gsl::EvalOptions,
    knowledge: Knowledge,
    /// The last evaluation's information diagnostic per document.
    evaluated: BTreeMap<String, lsp::Diagnostic>,
}

fn sample() -> Snapshot {
    // The built-in sample is part of the binary and tested; an error here is a bug, and
    // an empty snapshot keeps the server up.
    entity::load::parse_snapshot(entity::SAMPLE_SNAPSHOT, entity::SAMPLE_SNAPSHOT_NAME)
        .unwrap_or_default()
}

impl<'c> Server<'c> {
    fn new(connection: &'c Connection, params: Arc<Params>) -> Self {
        let mut s = Server {
            connection,
            docs: BTreeMap::new(),
            snapshot_path: None,
            graph: EntityGraph::named(Snapshot::default(), entity::SAMPLE_SNAPSHOT_NAME),
            opts: gsl::EvalOptions::default().with_params(params),
            knowledge: Knowledge::default(),
            evaluated: BTreeMap::new(),
        };
        s.load(sample(), entity::SAMPLE_SNAPSHOT_NAME);
        s
    }

    fn load(&mut self, snapshot: Snapshot, name: &str) {
        let params = self.opts.params.clone();
        self.opts = gsl::run::eval_options(&snapshot, None).with_params(params);
        self.graph = EntityGraph::named(snapshot, name);
        self.knowledge = Knowledge::of(&self.graph);
        self.knowledge.params = self.opts.params.clone();
    }

    /// Apply settings: `{"snapshot": PATH}` or `{"gsl": {"snapshot": PATH}}`.
    fn configure(&mut self, settings: Option<&Json>) {
        let Some(settings) = settings else { return };
        let settings = settings.get("gsl").unwrap_or(settings);
        let path = settings
            .get("snapshot")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        if path == self.snapshot_path {
            return;
        }
        match &path {
            None => self.load(sample(), entity::SAMPLE_SNAPSHOT_NAME),
            Some(p) => match entity::load::load_path(p) {
                Ok(snapshot) => self.load(snapshot, &p.display().to_string()),
                Err(e) => {
                    let report = miette::Report::new(e);
                    self.show(
                        lsp::MessageType::ERROR,
                        format!(
                            "gsl: cannot load the snapshot {}: {report}; using the built-in sample",
                            p.display()
                        ),
                    );
                    self.load(sample(), entity::SAMPLE_SNAPSHOT_NAME);
                }
            },
        }
        self.snapshot_path = path;
        let uris: Vec<String> = self.docs.keys().cloned().collect();
        for uri in uris {
            self.publish(&uri);
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // The client went away: the loop ends when the receiver closes.
        let _ = self.connection.sender.send(msg.into());
    }

    fn show(&self, typ: lsp::MessageType, message: String) {
        self.send(Notification::new(
            lsp::notification::ShowMessage::METHOD.into(),
            lsp::ShowMessageParams { typ, message },
        ));
    }

    /// Diagnostics for every `.gsl` file under the workspace folders (not yet open).
    fn check_workspace(&mut self, roots: &[lsp::Uri]) {
        let paths: Vec<PathBuf> = roots.iter().filter_map(|u| uri_path(u.as_str())).collect();
        if paths.is_empty() {
            return;
        }
        let Ok((files, _)) = gsl::policy::find_policy_files(&paths) else {
            return;
        };
        for path in files.into_iter().take(MAX_WORKSPACE_FILES) {
            let Ok(text) = gsl::source::read_text(&path, gsl::source::Kind::Policy) else {
                continue;
            };
            let uri = path_uri(&path);
            let diagnostics = self.diagnostics(&uri, &text);
            self.publish_raw(&uri, diagnostics, None);
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp::notification as n_;
        match n.method.as_str() {
            n_::DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp::DidOpenTextDocumentParams>(n_::DidOpenTextDocument::METHOD)
                {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.docs.insert(uri.clone(), p.text_document.text);
                    self.evaluated.remove(&uri);
                    self.publish(&uri);
                }
            }
            n_::DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp::DidChangeTextDocumentParams>(n_::DidChangeTextDocument::METHOD)
                {
                    let uri = p.text_document.uri.as_str().to_string();
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.docs.insert(uri.clone(), change.text);
                        self.evaluated.remove(&uri);
                        self.publish(&uri);
                    }
                }
            }
            n_::DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp::DidCloseTextDocumentParams>(n_::DidCloseTextDocument::METHOD)
                {
                    let uri = p.text_document.uri.as_str().to_string();
                    self.docs.remove(&uri);
                    self.evaluated.remove(&uri);
                }
            }
            n_::DidChangeConfiguration::METHOD => {
                if let Ok(p) = n.extract::<lsp::DidChangeConfigurationParams>(
                    n_::DidChangeConfiguration::METHOD,
                ) {
                    self.configure(Some(&p.settings));
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, req: Request) {
        use lsp::request as r;
        let id = req.id.clone();
        let result = match req.method.as_str() {
            r::Completion::METHOD => self.parse(req).map(|p| self.completion(p)),
            r::HoverRequest::METHOD => self.parse(req).map(|p| self.hover(p)),
            r::Formatting::METHOD => self.parse(req).map(|p| self.format(p)),
            r::CodeLensRequest::METHOD => self.parse(req).map(|p| self.code_lens(p)),
            r::ExecuteCommand::METHOD => self
                .parse::<lsp::ExecuteCommandParams>(req)
                .and_then(|p| self.execute(p)),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("gsl lsp does not handle {}", req.method),
            )),
        };
        self.respond(id, result);
    }

    fn parse<P: serde::de::DeserializeOwned>(
        &self,
        req: Request,
    ) -> Result<P, (ErrorCode, String)> {
        serde_json::from_value(req.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
    }

    fn respond(&self, id: RequestId, result: Result<Json, (ErrorCode, String)>) {
        let response = match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response);
    }

    fn text(&self, uri: &lsp::Uri) -> Option<&str> {
        self.docs.get(uri.as_str()).map(String::as_str)
    }

    /// The diagnostics of a policy file's text: its metadata, then the rule's parse or
    /// check errors, else the properties no entity of the snapshot has (the warnings
    /// `gsl check` gives: `gsl::eval::unseen_property`).
    fn diagnostics(&self, uri: &str, text: &str) -> Vec<lsp::Diagnostic> {
        let name = uri_path(uri)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| uri.to_string());
        let index = LineIndex::new(text);
        let mut problems: Vec<(lsp::DiagnosticSeverity, Problem)> = Vec::new();
        if let Err(e) = gsl::policy::parse_policy(text, &name) {
            problems.extend(
                Problem::all(&e)
                    .into_iter()
                    .map(|p| (lsp::DiagnosticSeverity::ERROR, p)),
            );
        }
        let prepared = PreparedRule::new_with(text, &name, &self.opts.params);
        match prepared.error() {
            Some(e) => problems.extend(
                Problem::all(e.diagnostic())
                    .into_iter()
                    .map(|p| (lsp::DiagnosticSeverity::ERROR, p)),
            ),
            None => problems.extend(
                prepared
                    .warnings(&self.graph)
                    .unseen
                    .iter()
                    .map(|w| (lsp::DiagnosticSeverity::WARNING, Problem::of(w))),
            ),
        }
        problems
            .into_iter()
            .map(|(severity, p)| {
                let [start, len] = p.span.unwrap_or([0, 0]);
                let message = match &p.help {
                    Some(h) => format!("{}\nhelp: {h}", p.message),
                    None => p.message.clone(),
                };
                lsp::Diagnostic {
                    range: index.range(start, start + len),
                    severity: Some(severity),
                    code: (!p.code.is_empty()).then(|| lsp::NumberOrString::String(p.code.clone())),
                    source: Some("gsl".into()),
                    message,
                    ..Default::default()
                }
            })
            .collect()
    }

    fn publish(&mut self, uri: &str) {
        let Some(text) = self.docs.get(uri) else {
            return;
        };
        let mut diagnostics = self.diagnostics(uri, text);
        diagnostics.extend(self.evaluated.get(uri).cloned());
        self.publish_raw(uri, diagnostics, None);
    }

    fn publish_raw(&self, uri: &str, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        let Ok(uri) = uri.parse::<lsp::Uri>() else {
            return;
        };
        self.send(Notification::new(
            lsp::notification::PublishDiagnostics::METHOD.into(),
            lsp::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        ));
    }

    fn completion(&self, p: lsp::CompletionParams) -> Json {
        let pos = p.text_document_position;
        let Some(text) = self.text(&pos.text_document.uri) else {
            return Json::Null;
        };
        let index = LineIndex::new(text);
        let cursor = index.offset(pos.position);
        let c = complete::complete_document(&self.knowledge, text, cursor);
        let range = index.range(c.start, cursor);
        let items: Vec<lsp::CompletionItem> = c
            .items
            .into_iter()
            .map(|i| lsp::CompletionItem {
                kind: Some(match i.kind {
                    complete::Kind::Type => lsp::CompletionItemKind::CLASS,
                    complete::Kind::Property => lsp::CompletionItemKind::FIELD,
                    complete::Kind::Keyword => lsp::CompletionItemKind::KEYWORD,
                    complete::Kind::Operator => lsp::CompletionItemKind::OPERATOR,
                    complete::Kind::Function => lsp::CompletionItemKind::FUNCTION,
                    complete::Kind::Value => lsp::CompletionItemKind::VALUE,
                    complete::Kind::MetadataKey => lsp::CompletionItemKind::PROPERTY,
                    complete::Kind::Parameter => lsp::CompletionItemKind::VARIABLE,
                }),
                detail: i.detail,
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                    range,
                    new_text: i.insert,
                })),
                label: i.label,
                ..Default::default()
            })
            .collect();
        json!(lsp::CompletionResponse::Array(items))
    }

    fn hover(&self, p: lsp::HoverParams) -> Json {
        let pos = p.text_document_position_params;
        let Some(text) = self.text(&pos.text_document.uri) else {
            return Json::Null;
        };
        let index = LineIndex::new(text);
        let cursor = index.offset(pos.position);
        // The last evaluation's explanation, over the rule's first line.
        let evaluated = self
            .evaluated
            .get(pos.text_document.uri.as_str())
            .filter(|d| d.range.start.line == pos.position.line);
        let found = complete::hover_document(&self.knowledge, text, cursor);
        let (value, range) = match (found, evaluated) {
            (Some(h), _) => (h.text, Some(index.range(h.span.start, h.span.end))),
            (None, Some(d)) => (d.message.clone(), Some(d.range)),
            (None, None) => return Json::Null,
        };
        json!(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value,
            }),
            range,
        })
    }

    fn format(&self, p: lsp::DocumentFormattingParams) -> Json {
        let Some(text) = self.text(&p.text_document.uri) else {
            return Json::Null;
        };
        // A text that does not parse is left alone: its diagnostics say why.
        let Ok(formatted) = gsl::format::format_source(text, p.text_document.uri.as_str()) else {
            return Json::Null;
        };
        if formatted == text {
            return json!([]);
        }
        let index = LineIndex::new(text);
        json!([lsp::TextEdit {
            range: index.range(0, text.len()),
            new_text: formatted,
        }])
    }

    fn code_lens(&self, p: lsp::CodeLensParams) -> Json {
        let uri = p.text_document.uri;
        let Some(text) = self.text(&uri) else {
            return Json::Null;
        };
        let prepared = PreparedRule::new_with(text, uri.as_str(), &self.opts.params);
        let Some(rule) = prepared.rule() else {
            return json!([]);
        };
        let index = LineIndex::new(text);
        let at = index.range(rule.span.start, rule.span.start);
        json!([lsp::CodeLens {
            range: at,
            command: Some(lsp::Command {
                title: format!("Evaluate on snapshot ({})", self.graph.name()),
                command: EVALUATE.into(),
                arguments: Some(vec![json!(uri.as_str())]),
            }),
            data: None,
        }])
    }

    /// "Evaluate on snapshot": run the document's rule, show the counts, and keep the
    /// first failure's explanation as an information diagnostic on the rule's first line.
    fn execute(&mut self, p: lsp::ExecuteCommandParams) -> Result<Json, (ErrorCode, String)> {
        if p.command != EVALUATE {
            return Err((
                ErrorCode::InvalidParams,
                format!("unknown command {}", p.command),
            ));
        }
        let uri = p
            .arguments
            .first()
            .and_then(Json::as_str)
            .ok_or((
                ErrorCode::InvalidParams,
                format!("{EVALUATE} takes a document URI"),
            ))?
            .to_string();
        let text = self
            .docs
            .get(&uri)
            .cloned()
            .ok_or((ErrorCode::InvalidParams, format!("{uri} is not open")))?;
        let name = uri_path(&uri)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| uri.clone());
        let policy =
            gsl::policy::parse_policy(&text, &name).unwrap_or_else(|_| gsl::policy::Policy {
                meta: gsl::run::adhoc_metadata(&text),
                source: text.clone(),
                origin: name.clone(),
            });
        let prepared = PreparedRule::policy_with(&policy, &self.opts.params);
        let start = prepared.rule().map(|r| r.span.start).unwrap_or(0);
        let (report, diag) = prepared.run(&self.graph, &self.opts);
        if let Some(d) = diag {
            let message = format!("cannot evaluate: {d}");
            self.show(lsp::MessageType::ERROR, message.clone());
            return Ok(json!({"status": "error", "message": message}));
        }
        let count = |o| report.entities.iter().filter(|e| e.outcome == o).count();
        use gsl::lang::eval::Outcome;
        let (passed, failed, unknown, errors, not_relevant) = (
            count(Outcome::Passed),
            count(Outcome::Failed),
            count(Outcome::Unknown),
            count(Outcome::Error),
            count(Outcome::NotRelevant),
        );
        let summary = format!(
            "{}: {passed} passed, {failed} failed, {unknown} unknown, {errors} errors, {not_relevant} not relevant ({})",
            report.status.label(),
            self.graph.name()
        );
        let first = report.entities.iter().find(|e| is_finding(e.outcome));
        let explanation = first.map(|e| {
            let mut s = format!(
                "{} {} {} ({}/{}): {}",
                e.outcome.as_str(),
                e.entity_type,
                e.name.as_deref().unwrap_or(&e.id),
                e.account,
                e.region.as_deref().unwrap_or("-"),
                e.explanation.summary
            );
            for ev in e.explanation.evidence.iter().filter(|ev| !ev.result) {
                s.push_str(&format!("\n- {}", ev.expr));
                if let Some(path) = &ev.path {
                    s.push_str(&format!(" at {path}"));
                }
                if let Some(note) = &ev.note {
                    s.push_str(&format!(": {note}"));
                }
            }
            s
        });
        self.show(lsp::MessageType::INFO, summary.clone());
        let index = LineIndex::new(&text);
        let line_end = text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(text.len());
        self.evaluated.insert(
            uri.clone(),
            lsp::Diagnostic {
                range: index.range(start, line_end),
                severity: Some(lsp::DiagnosticSeverity::INFORMATION),
                code: Some(lsp::NumberOrString::String("gsl::lsp::evaluated".into())),
                source: Some("gsl".into()),
                message: match &explanation {
                    Some(x) => format!("{summary}\n{x}"),
                    None => summary.clone(),
                },
                ..Default::default()
            },
        );
        self.publish(&uri);
        Ok(json!({
            "status": report.status.as_str(),
            "passed": passed,
            "failed": failed,
            "unknown": unknown,
            "errors": errors,
            "notRelevant": not_relevant,
            "summary": summary,
            "firstFailure": explanation,
        }))
    }
}

/// The path of a `file:` URI (percent-decoded); `None` for other schemes.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///path` (empty host) or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file:` URI of a path (absolute when it can be made so), percent-encoded.
pub fn path_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Byte offsets ↔ LSP positions (line, UTF-16 column) of one text.
pub struct LineIndex<'t> {
    text: &'t str,
    /// The byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Index `text`.
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: usize) -> lsp::Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let character = self.text[start..offset].encode_utf16().count();
        lsp::Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: usize, end: usize) -> lsp::Range {
        lsp::Range {
            start: self.position(start),
            end: self.position(end.max(start)),
        }
    }

    /// The byte offset of a position (past the end of a line: the line's end).
    pub fn offset(&self, pos: lsp::Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a\n😀é x\nlast";
        let ix = LineIndex::new(text);
        // `x` is after a surrogate pair (2 units), `é` (1) and a space.
        let x = text.find('x').unwrap();
        assert_eq!(
            ix.position(x),
            lsp::Position {
                line: 1,
                character: 4
            }
        );
        assert_eq!(
            ix.offset(lsp::Position {
                line: 1,
                character: 4
            }),
            x
        );
        assert_eq!(
            ix.position(0),
            lsp::Position {
                line: 0,
                character: 0
            }
        );
        assert_eq!(
            ix.offset(lsp::Position {
                line: 0,
                character: 99
            }),
            1
        );
        assert_eq!(
            ix.offset(lsp::Position {
                line: 9,
                character: 0
            }),
            text.len()
        );
        assert_eq!(
            ix.position(text.len()),
            lsp::Position {
                line: 2,
                character: 4
            }
        );
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a b/ü.gsl");
        let uri = path_uri(p);
        assert_eq!(uri, "file:///tmp/a%20b/%C3%BC.gsl");
        assert_eq!(uri_path(&uri).as_deref(), Some(p));
        assert_eq!(uri_path("untitled:1"), None);
    }
}
