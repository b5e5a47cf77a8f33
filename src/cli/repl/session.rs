//! The REPL's state and what one input does. Both the interactive loop and the
//! piped loop feed complete inputs to [`Session::handle_line`].

use super::diag::{did_you_mean, Rehomed, ReplError};
use super::input::{classify, BarePath, Input};
use super::render;
use super::schema::{self, Step};
use gsl::entity::graph::PropertyInfo;
use gsl::entity::graph::{EntityGraph, EntityRef};
use gsl::entity::Snapshot;
use gsl::lang::eval::builtins::BUILTINS;
use gsl::lang::eval::{EvalOptions, Outcome};
use gsl::lang::parser::parse_expr;
use gsl::params::Params;
use gsl::pattern::FilterPattern;
use gsl::run::PreparedRule;
use miette::Diagnostic;
use serde_json::{json, Value as Json};
use std::io::Write;
use std::sync::Arc;

/// How results are printed (`:format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// One JSON document per input.
    Json,
}

/// What the loop should do after an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Read the next input.
    Continue,
    /// The input failed; an error was printed. Read the next input.
    Failed,
    /// `:quit`.
    Quit,
}

/// What completion knows about the loaded snapshot (the library's engine); rebuilt on
/// `:load`.
pub use gsl::complete::Knowledge;

/// The REPL commands: name, argument synopsis, one-line description.
pub const COMMANDS: &[(&str, &str, &str)] = &[
    (
        "help",
        "[command | functions | function]",
        "this help, one command's, or the functions'",
    ),
    (
        "entities",
        "",
        "entity types and counts in the loaded snapshot",
    ),
    (
        "show",
        "<Type> [filter]",
        "the entities of a type as JSON (filter: a GSL expression)",
    ),
    (
        "schema",
        "<Type>",
        "properties seen on a type, with their types and an example value",
    ),
    ("load", "<FILE>", "load another snapshot file"),
    (
        "pattern",
        "<pattern> | test <pattern> <event> | test <pattern> --events <FILE>",
        "canonical form of a filter pattern, or test it on an event or a file of events",
    ),
    (
        "explain",
        "<rule>",
        "evaluate a rule and print every piece of evidence",
    ),
    ("format", "json|text", "how results are printed"),
    (
        "params",
        "",
        "the ruleset parameters ($Name) in effect: values and where they come from",
    ),
    ("clear", "", "clear the screen (also Ctrl-L)"),
    ("quit", "", "leave (also Ctrl-D)"),
];

/// The source name of typed input in diagnostics.
const INPUT_NAME: &str = "<input>";

/// Short aliases of commands.
const ALIASES: &[(&str, &str)] = &[
    ("q", "quit"),
    ("exit", "quit"),
    ("h", "help"),
    ("?", "help"),
];

/// The REPL's state.
#[derive(Debug)]
pub struct Session {
    graph: EntityGraph,
    name: String,
    format: Format,
    color: bool,
    knowledge: Arc<Knowledge>,
    opts: EvalOptions,
}

/// What one input produced: the text to print, or the diagnostic to render.
type Reply = Result<String, Box<dyn Diagnostic + Send + Sync>>;

impl Session {
    /// A session over `snapshot`, named `name` in messages.
    pub fn new(snapshot: Snapshot, name: &str) -> Self {
        let opts = gsl::run::eval_options(&snapshot, None);
        let graph = EntityGraph::new(snapshot);
        let knowledge = Arc::new(Knowledge::of(&graph));
        Session {
            graph,
            name: name.to_string(),
            format: Format::Text,
            color: false,
            knowledge,
            opts,
        }
    }

    /// Use `params` for the rules' `$Name` parameters (gsl's defaults until set): rules
    /// are checked with them, and completion and `:params` show them.
    pub fn set_params(&mut self, params: Arc<Params>) {
        self.opts.params = params;
        self.refresh_knowledge();
    }

    /// What completion knows of the graph, with the session's parameters.
    fn refresh_knowledge(&mut self) {
        let mut k = Knowledge::of(&self.graph);
        k.params = self.opts.params.clone();
        self.knowledge = Arc::new(k);
    }

    /// Use ANSI colours in results and diagnostics (only on a terminal without
    /// `NO_COLOR`).
    pub fn set_color(&mut self, color: bool) {
        self.color = color;
    }

    /// Whether ANSI colours are used.
    pub fn color(&self) -> bool {
        self.color
    }

    /// The loaded snapshot's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What completion knows; a new `Arc` after every `:load`.
    pub fn knowledge(&self) -> Arc<Knowledge> {
        self.knowledge.clone()
    }

    /// Handle one complete input (possibly several lines). Results go to `out`,
    /// diagnostics to `err`. Never panics, never ends the session on an error.
    pub fn handle_line(&mut self, line: &str, out: &mut dyn Write, err: &mut dyn Write) -> Control {
        let result = match classify(line) {
            Input::Empty => return Control::Continue,
            Input::Command { name, args } => {
                let name = ALIASES
                    .iter()
                    .find(|(a, _)| *a == name)
                    .map(|(_, n)| *n)
                    .unwrap_or(name);
                if name == "quit" {
                    return Control::Quit;
                }
                self.command(name, args)
            }
            Input::Path(p) => match self.bare_command(line.trim()) {
                Some(e) => Err(e),
                None => self.path_query(line, &p),
            },
            Input::Rule(src) => self.rule(src, false),
        };
        match result {
            Ok(text) => {
                let _ = out.write_all(text.as_bytes());
                let _ = out.flush();
                Control::Continue
            }
            Err(diag) => {
                let _ = err.write_all(render::diagnostic(diag.as_ref(), self.color).as_bytes());
                let _ = err.flush();
                Control::Failed
            }
        }
    }

    /// A command typed without its colon (`clear`, `help`, `exit`) where no entity type
    /// of the snapshot has that name: what to type instead.
    fn bare_command(&self, word: &str) -> Option<Box<dyn Diagnostic + Send + Sync>> {
        let name = match word {
            "cls" => "clear",
            w => ALIASES
                .iter()
                .find(|(a, _)| *a == w)
                .map(|(_, n)| *n)
                .unwrap_or(w),
        };
        if !COMMANDS.iter().any(|c| c.0 == name) || self.graph.check_type(word).is_ok() {
            return None;
        }
        let also = if name == "clear" {
            " (or press Ctrl-L)"
        } else {
            ""
        };
        Some(Box::new(ReplError::BareCommand {
            word: word.to_string(),
            help: format!("the REPL's commands start with a colon: `:{name}`{also}"),
        }))
    }

    fn command(&mut self, name: &str, args: &str) -> Reply {
        match name {
            "help" => self.help(args),
            // On a terminal, the ANSI sequence that clears it; piped, nothing.
            "clear" => Ok(if self.color {
                "\x1b[H\x1b[2J".to_string()
            } else {
                String::new()
            }),
            "entities" => Ok(self.entities()),
            "show" => {
                let (ty, filter) = match args.find(char::is_whitespace) {
                    Some(i) => (&args[..i], Some(args[i..].trim())),
                    None => (args, None),
                };
                if ty.is_empty() {
                    return Err(usage("show", "`:show` needs an entity type"));
                }
                let src = match filter {
                    Some(f) => format!("{ty}[{f}]"),
                    None => ty.to_string(),
                };
                match classify(&src) {
                    Input::Path(p) => self.path_query(&src, &p),
                    _ => Err(usage("show", &format!("`{ty}` is not an entity type name"))),
                }
            }
            "schema" => self.schema(args),
            "load" => self.load(args),
            "params" => Ok(self.params()),
            "pattern" => self.pattern(args),
            "explain" => {
                if args.is_empty() {
                    return Err(usage("explain", "`:explain` needs a rule"));
                }
                self.rule(args, true)
            }
            "format" => match args {
                "json" => {
                    self.format = Format::Json;
                    Ok(String::new())
                }
                "text" => {
                    self.format = Format::Text;
                    Ok(String::new())
                }
                "" => Ok(format!(
                    "{}\n",
                    match self.format {
                        Format::Text => "text",
                        Format::Json => "json",
                    }
                )),
                other => Err(usage("format", &format!("unknown format `{other}`"))),
            },
            other => {
                let names = COMMANDS.iter().map(|c| c.0);
                let help = match did_you_mean(other, names) {
                    Some(d) => format!("{d} (`:help` lists the commands)"),
                    None => "`:help` lists the commands".to_string(),
                };
                Err(Box::new(ReplError::UnknownCommand {
                    name: other.to_string(),
                    help,
                }))
            }
        }
    }

    fn help(&self, args: &str) -> Reply {
        let mut s = String::new();
        let wanted = args.trim_start_matches(':');
        if wanted == "functions" {
            s.push_str("Functions (written after a property: `metricFilters length() > 0`):\n");
            for b in BUILTINS {
                s.push_str(&format!(
                    "  {}\n      {}\n      e.g. {}\n",
                    b.signature(),
                    b.doc,
                    b.example
                ));
            }
            return Ok(s);
        }
        if !wanted.is_empty() {
            if let Some((n, a, d)) = COMMANDS.iter().find(|c| c.0 == wanted) {
                s.push_str(&format!(":{n} {a}\n    {d}\n"));
                return Ok(s);
            }
            if let Some(b) = BUILTINS.iter().find(|b| b.name == wanted) {
                s.push_str(&format!(
                    "{}\n    {}\n    e.g. {}\n",
                    b.signature(),
                    b.doc,
                    b.example
                ));
                return Ok(s);
            }
            let names = COMMANDS
                .iter()
                .map(|c| c.0)
                .chain(BUILTINS.iter().map(|b| b.name));
            let help = match did_you_mean(wanted, names) {
                Some(d) => {
                    format!("{d} (`:help` lists the commands, `:help functions` the functions)")
                }
                None => "`:help` lists the commands, `:help functions` the functions".to_string(),
            };
            return Err(Box::new(ReplError::UnknownCommand {
                name: wanted.to_string(),
                help,
            }));
        }
        s.push_str(
            "Type a GSL rule to evaluate it on every entity, or a path to see values:\n\
             \n    CloudTrail should have isMultiRegionTrail=true\n    \
             CloudTrail where status.isLogging=false\n    \
             CloudTrail.metricFilters.filterPattern\n    \
             CloudTrail[name='org-main'].status\n\
             \nCommands:\n",
        );
        for (n, a, d) in COMMANDS {
            let synopsis = format!(":{n} {a}");
            s.push_str(&format!("  {synopsis:<44} {d}\n"));
        }
        s.push_str(
            "\n`:help functions` lists the functions. An open bracket or quote continues the\n\
             input on the next line. Tab completes commands, entity types, properties,\n\
             operators and functions. Ctrl-C clears the line, Ctrl-D leaves.\n",
        );
        Ok(s)
    }

    fn entities(&self) -> String {
        let snap = self.graph.snapshot();
        if self.format == Format::Json {
            let types: serde_json::Map<String, Json> = self
                .knowledge
                .types
                .iter()
                .map(|(t, n)| (t.clone(), json!(n)))
                .collect();
            return pretty(&json!({ "snapshot": self.name, "types": types }));
        }
        let mut s = self.name.clone();
        let accounts: Vec<&str> = snap
            .accounts
            .iter()
            .map(|a| a.account_number.as_str())
            .collect();
        if !accounts.is_empty() {
            s.push_str(&format!(" (account {})", accounts.join(", ")));
        }
        s.push('\n');
        if self.knowledge.types.is_empty() {
            s.push_str("  no entities\n");
        }
        let width = self
            .knowledge
            .types
            .iter()
            .map(|(t, _)| t.len())
            .max()
            .unwrap_or(0);
        for (t, n) in &self.knowledge.types {
            let t = gsl::text::pad(&gsl::text::escape_hidden(t), width);
            s.push_str(&format!("  {t}  {n}\n"));
        }
        if !snap.errors.is_empty() {
            s.push_str(&format!("  {} collection error(s)\n", snap.errors.len()));
        }
        s
    }

    fn resolve_type(&self, written: &str) -> Result<String, Box<dyn Diagnostic + Send + Sync>> {
        self.graph
            .check_type(written)
            .map(str::to_string)
            .map_err(|e| Box::new(e) as Box<dyn Diagnostic + Send + Sync>)
    }

    fn schema(&self, args: &str) -> Reply {
        if args.is_empty() || args.contains(char::is_whitespace) {
            return Err(usage("schema", "`:schema` needs one entity type"));
        }
        let ty = self.resolve_type(args)?;
        let props = self.graph.schema(&ty);
        if self.format == Format::Json {
            return Ok(pretty(&json!({ "type": ty, "properties": props })));
        }
        let kinds = |p: &PropertyInfo| p.types.iter().copied().collect::<Vec<_>>().join("|");
        let width = props
            .iter()
            .map(|p| p.path.len())
            .max()
            .unwrap_or(0)
            .min(40);
        let kw = props.iter().map(|p| kinds(p).len()).max().unwrap_or(0);
        let n = self.graph.entities(&ty).len();
        let noun = if n == 1 { "entity" } else { "entities" };
        let mut s = format!("{ty}: {} properties seen on {n} {noun}\n", props.len());
        for p in &props {
            let ex = match &p.example {
                Json::Null => String::new(),
                // Containers are summarised by the graph as `[…]` / `{…}`.
                Json::String(e) if (e == "[…]" || e == "{…}") && !p.types.contains("string") => {
                    e.clone()
                }
                other => gsl::text::clip(&other.to_string(), 60),
            };
            let seen = if p.entities < n {
                format!(" (on {} of {n})", p.entities)
            } else {
                String::new()
            };
            s.push_str(format!("  {:<width$}  {:<kw$}  {ex}{seen}", p.path, kinds(p)).trim_end());
            s.push('\n');
        }
        Ok(s)
    }

    fn load(&mut self, args: &str) -> Reply {
        if args.is_empty() {
            return Err(usage("load", "`:load` needs a file"));
        }
        let text = gsl::source::read_text(std::path::Path::new(args), gsl::source::Kind::Snapshot)
            .map_err(|e| Box::new(e) as Box<dyn Diagnostic + Send + Sync>)?;
        let snapshot = gsl::entity::load::parse_snapshot(&text, args)
            .map_err(|e| Box::new(e) as Box<dyn Diagnostic + Send + Sync>)?;
        let params = self.opts.params.clone();
        self.opts = gsl::run::eval_options(&snapshot, None).with_params(params);
        self.graph = EntityGraph::new(snapshot);
        self.refresh_knowledge();
        self.name = args.to_string();
        let n: usize = self.knowledge.types.iter().map(|(_, n)| n).sum();
        let t = self.knowledge.types.len();
        Ok(format!(
            "loaded {args}: {}, {}\n",
            plural(n, "entity", "entities"),
            plural(t, "type", "types")
        ))
    }

    /// `:params`: every parameter, its value and where it comes from.
    fn params(&self) -> String {
        let params = &self.opts.params;
        match self.format {
            Format::Json => pretty(&json!({
                "params": params
                    .iter()
                    .map(|p| json!({
                        "name": p.name,
                        "value": p.value.to_string(),
                        "origin": p.origin.to_string(),
                    }))
                    .collect::<Vec<_>>()
            })),
            Format::Text if params.is_empty() => {
                "no parameters (define them in a parameters file: --params FILE)\n".to_string()
            }
            Format::Text => params
                .iter()
                .map(|p| format!("${} = {}  ({})\n", p.name, p.value, p.origin))
                .collect(),
        }
    }

    fn pattern(&self, args: &str) -> Reply {
        let boxed =
            |e: gsl::pattern::PatternError| Box::new(e) as Box<dyn Diagnostic + Send + Sync>;
        if args.is_empty() {
            return Err(usage("pattern", "`:pattern` needs a filter pattern"));
        }
        let test = args
            .strip_prefix("test")
            .filter(|r| r.is_empty() || r.starts_with(char::is_whitespace));
        let Some(rest) = test else {
            let p = FilterPattern::parse(args).map_err(boxed)?;
            return Ok(match self.format {
                Format::Json => pretty(&json!({ "pattern": args, "canonical": p.canonical() })),
                Format::Text => format!("{}\n", p.canonical()),
            });
        };
        let Some((pat, event)) = split_pattern_event(rest.trim()) else {
            return Err(usage(
                "pattern",
                "`:pattern test` needs a filter pattern and an event",
            ));
        };
        let p = FilterPattern::parse(pat).map_err(boxed)?;
        if let Some(file) = event
            .strip_prefix("--events")
            .filter(|f| f.starts_with(char::is_whitespace))
        {
            return self.pattern_test_file(pat, &p, file.trim());
        }
        let extracted = p.extract(event);
        Ok(match self.format {
            Format::Json => pretty(&json!({
                "pattern": pat,
                "canonical": p.canonical(),
                "event": event,
                "matches": extracted.is_some(),
                "extractedValues": extracted,
            })),
            Format::Text => match extracted {
                None => "no match\n".to_string(),
                Some(values) if values.is_empty() => "match\n".to_string(),
                Some(values) => {
                    let mut s = "match\n".to_string();
                    for (k, v) in values {
                        s.push_str(&format!("  {k} = {v}\n"));
                    }
                    s
                }
            },
        })
    }

    /// `:pattern test <pattern> --events FILE`: the events of a file in the forms of
    /// `gsl pattern test --events` (gzip, `{"Records": [...]}`, JSON lines, plain
    /// lines), through the same reader; the matches (the first [`SHOWN_MATCHES`] in
    /// text) and what could not be read.
    fn pattern_test_file(&self, pat: &str, p: &FilterPattern, file: &str) -> Reply {
        let file = file
            .strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or(file);
        let bytes = gsl::source::read_bytes(std::path::Path::new(file), gsl::source::Kind::Events)
            .map_err(|e| Box::new(e) as Box<dyn Diagnostic + Send + Sync>)?;
        let (result, tested, skipped) = crate::cli::pattern::test_events(p, &bytes, file);
        if let Format::Json = self.format {
            return Ok(pretty(&json!({
                "pattern": pat,
                "canonical": p.canonical(),
                "events": file,
                "tested": tested,
                "matches": result.matches,
                "skipped": skipped,
            })));
        }
        let mut s = format!(
            "{} of {} matched\n",
            result.matches.len(),
            plural(tested, "event", "events")
        );
        for m in result.matches.iter().take(SHOWN_MATCHES) {
            let message: String = m.event_message.chars().take(100).collect();
            let cut = if message.len() < m.event_message.len() {
                "…"
            } else {
                ""
            };
            s.push_str(&format!(
                "  event {}: {}{cut}\n",
                m.event_number,
                gsl::text::escape_line(&message)
            ));
            for (k, v) in &m.extracted_values {
                s.push_str(&format!("    {k} = {v}\n"));
            }
        }
        if result.matches.len() > SHOWN_MATCHES {
            s.push_str(&format!(
                "  … {} more (:format json lists them all)\n",
                result.matches.len() - SHOWN_MATCHES
            ));
        }
        for k in &skipped {
            s.push_str(&format!("skipped {file} ({}): {}\n", k.at, k.why));
        }
        Ok(s)
    }

    /// Prepare `src` as a rule; its diagnostics are shown against `shown`, where
    /// `src[from..]` was typed at `shown[to..]` (for REPL syntax rewritten to GSL).
    fn prepare(
        &self,
        src: &str,
        shown: &str,
        from: usize,
        to: usize,
    ) -> Result<PreparedRule, Box<dyn Diagnostic + Send + Sync>> {
        PreparedRule::new_with(src, INPUT_NAME, &self.opts.params)
            .among(&self.opts.params, &|ty| self.graph.has_type(ty))
            .ready()
            .map_err(|e| {
                if src == shown {
                    e.into_diagnostic()
                } else {
                    Box::new(Rehomed::new(
                        e.diagnostic(),
                        Arc::new(shown.to_string()),
                        from,
                        to,
                    ))
                }
            })
    }

    fn rule(&self, src: &str, explain: bool) -> Reply {
        let prepared = match self.prepare(src, src, 0, 0) {
            Ok(prepared) => prepared,
            // A lone condition: say how to use it rather than why it is not a rule.
            Err(_) if parse_expr(src).is_ok() => {
                // Prefer a type that has the condition's first property.
                let first: String = src
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let has = |t: &str| {
                    self.knowledge
                        .schema_of(t)
                        .is_some_and(|p| gsl::complete::children(p, &[]).contains(&first))
                };
                let types = &self.knowledge.types;
                let ty = types
                    .iter()
                    .find(|(t, _)| has(t))
                    .or(types.first())
                    .map(|(t, _)| t.as_str())
                    .unwrap_or("CloudTrail");
                return Err(Box::new(ReplError::LoneCondition {
                    help: format!(
                        "name the entity type: `{ty}[{src}]` shows the entities it matches, \
                         `{ty} should have {src}` checks every {ty}"
                    ),
                }));
            }
            Err(e) => return Err(e),
        };
        let Some(rule) = prepared.rule() else {
            // `prepare` lets only a rule that runs through: it has its syntax tree.
            return Ok(String::new());
        };
        // What `gsl check` says about the rule over the snapshot: its type absent (an
        // error here, but for a `List<..>` rule), properties no entity of it has.
        let warnings = prepared.warnings(&self.graph);
        let mut note = String::new();
        if let Some(e) = warnings.absent_type {
            if !rule.target.list {
                return Err(Box::new(e));
            }
            note = format!("note: {e}\n");
        }
        for w in &warnings.unseen {
            let p = gsl::report::Problem::of(w);
            note.push_str(&format!("warning: {}\n", crate::cli::note_text(&p)));
        }
        let result = prepared.evaluate(&self.graph, &self.opts);
        let query = rule.verdict.is_none();
        match self.format {
            Format::Json => Ok(pretty(&serde_json::to_value(&result).unwrap_or(Json::Null))),
            Format::Text => {
                let mut s = String::new();
                if explain {
                    let printed = gsl::lang::printer::print_rule(rule);
                    if !printed.is_empty() {
                        s.push_str(&format!("{printed}\n"));
                    }
                }
                s.push_str(&render::rule_result(&result, query, explain, self.color));
                s.push_str(&note);
                Ok(s)
            }
        }
    }

    fn path_query(&self, line: &str, p: &BarePath<'_>) -> Reply {
        let ty = self.resolve_type(p.ty)?;
        let mut all = self.graph.entities(&ty);
        if let Some(n) = p.pick {
            all = all.get(n).copied().into_iter().collect();
        }
        let mut notes = Vec::new();
        let selected = match p.filter {
            None => all,
            Some((filter, at)) => {
                let src = format!("{} where {filter}", p.ty);
                let from = p.ty.len() + " where ".len();
                let rule = self.prepare(&src, line, from, at)?;
                let mut keep = Vec::new();
                for e in all {
                    // `prepare` lets only a rule that runs through: it has a result.
                    let Some(r) = rule.evaluate_entity(&self.graph, e, &self.opts) else {
                        continue;
                    };
                    match r.outcome {
                        Outcome::Passed => keep.push(e),
                        Outcome::NotRelevant => {}
                        _ => notes.push(format!(
                            "{}: {} ({})",
                            label(&e),
                            r.outcome.as_str(),
                            r.explanation.summary
                        )),
                    }
                }
                keep
            }
        };
        let mut rows: Vec<(String, &str, String, &Json)> = Vec::new();
        let mut missing = Vec::new();
        for e in &selected {
            let values = schema::walk(e.value, &p.steps);
            if values.is_empty() {
                missing.push(label(e));
            }
            for (path, v) in values {
                rows.push((label(e), e.id(), path, v));
            }
        }
        if rows.is_empty() && !selected.is_empty() {
            return Err(self.no_such_property(line, &ty, p));
        }
        if self.format == Format::Json {
            let list: Vec<Json> = rows
                .iter()
                .map(|(label, id, path, v)| json!({"entity": label, "id": id, "path": path, "value": v}))
                .collect();
            return Ok(pretty(&Json::Array(list)));
        }
        let mut s = String::new();
        for (label, _, path, v) in &rows {
            let text = serde_json::to_string_pretty(v).unwrap_or_default();
            if path.is_empty() {
                s.push_str(&format!("{label} = {text}\n"));
            } else {
                s.push_str(&format!("{label}: {path} = {text}\n"));
            }
        }
        for label in missing {
            s.push_str(&format!("{label}: {} is missing\n", p.written));
        }
        for n in notes {
            s.push_str(&format!("{n}\n"));
        }
        if selected.is_empty() {
            match p.pick {
                Some(n) => s.push_str(&format!("no {ty} entity at index {n}\n")),
                None => s.push_str(&format!("no {ty} entity matches\n")),
            }
        }
        Ok(s)
    }

    fn no_such_property(
        &self,
        line: &str,
        ty: &str,
        p: &BarePath<'_>,
    ) -> Box<dyn Diagnostic + Send + Sync> {
        let props = self
            .knowledge
            .schemas
            .get(ty)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // The longest prefix of named steps that exists, and what could follow it.
        let names: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Key(k) => Some(k.clone()),
                Step::Index(_) => None,
            })
            .collect();
        let mut depth = 0;
        while depth < names.len()
            && gsl::complete::children(props, &names[..depth]).contains(&names[depth])
        {
            depth += 1;
        }
        let help = if depth == names.len() {
            "the property exists, but no entity has an element at that index".to_string()
        } else {
            let options = gsl::complete::children(props, &names[..depth]);
            match did_you_mean(&names[depth], options.iter().map(String::as_str)) {
                Some(d) => d,
                None if options.is_empty() => {
                    format!("`{}` has no properties", names[..depth].join("."))
                }
                None => format!(
                    "properties here: {}",
                    gsl::text::clip(&options.join(", "), 200)
                ),
            }
        };
        // Point at the first missing segment (or the whole path).
        let mut at = 0;
        let mut span = (p.written_at, p.written.len());
        for (i, name) in names.iter().enumerate() {
            let Some(found) = p.written.get(at..).and_then(|w| w.find(name.as_str())) else {
                break;
            };
            at += found;
            if i == depth {
                span = (p.written_at + at, name.len());
                break;
            }
            at += name.len();
        }
        Box::new(ReplError::NoSuchProperty {
            ty: ty.to_string(),
            path: p.written.to_string(),
            src: line.to_string(),
            span: span.into(),
            help,
        })
    }
}

/// How many matches `:pattern test ... --events FILE` shows in text.
pub const SHOWN_MATCHES: usize = 20;

/// Split `:pattern test` arguments into the pattern and the event. A pattern that
/// starts with `{`, `[` or a quote ends at its closing delimiter; otherwise the event
/// is the JSON object at the end (from the first ` {`), or everything after the first
/// word.
pub fn split_pattern_event(args: &str) -> Option<(&str, &str)> {
    let first = args.chars().next()?;
    let end = match first {
        '{' | '[' => super::input::closing_of(args, first, if first == '{' { '}' } else { ']' })?,
        '"' | '\'' => {
            let mut escaped = false;
            args.char_indices().skip(1).find_map(|(i, c)| {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == first {
                    return Some(i);
                }
                None
            })?
        }
        _ => match args.find(" {") {
            Some(i) => i.checked_sub(1)?,
            None => args.find(char::is_whitespace)?.checked_sub(1)?,
        },
    };
    let (pat, event) = args.split_at(end + 1);
    let event = event.trim();
    (!event.is_empty()).then_some((pat.trim(), event))
}

/// `1 entity`, `2 entities`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// An entity's name, else its id.
fn label(e: &EntityRef<'_>) -> String {
    e.name().unwrap_or_else(|| e.id()).to_string()
}

fn usage(cmd: &str, message: &str) -> Box<dyn Diagnostic + Send + Sync> {
    let (n, a, _) = COMMANDS
        .iter()
        .find(|c| c.0 == cmd)
        .copied()
        .unwrap_or((cmd, "", ""));
    Box::new(ReplError::Usage {
        message: message.to_string(),
        usage: format!("usage: :{n} {a}"),
    })
}

fn pretty(v: &Json) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}
