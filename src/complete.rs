//! The one completion engine: what may be typed at a point of a rule, for the REPL and
//! the language server alike.
//!
//! The context comes from the `[ ... ]` nesting before the cursor (inside
//! `metricFilters with [` the element of `metricFilters` is the context); keywords and
//! operators come from the AST's enums ([`KEYWORDS`](crate::lang::parser::KEYWORDS),
//! [`CmpOp::ALL`]), functions from the builtin table, entity types and property paths
//! from a [`Knowledge`]: the schema of a snapshot ([`EntityGraph::schema`]) plus the
//! collectors' entity model ([`crate::entity::schema`], added by
//! [`Knowledge::add_entity_model`]). [`hover`] answers what is under the cursor from the same
//! sources.
//!
//! Positions are byte offsets into the text handed in; callers convert (the language
//! server to UTF-16).

use crate::entity::graph::{EntityGraph, PropertyInfo};
use crate::entity::schema::path_segments;
use crate::lang::ast::{CmpOp, Expr, ExprKind, ListOp, LiteralKind, Postfix, Rule, Subject, Term};
use crate::lang::eval::builtins::{self, ArgKind, Builtin, BUILTINS};
use crate::lang::lexer::{self, Quote, TokenKind};
use crate::lang::parser::KEYWORDS;
use crate::params::Params;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a completion candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// An entity type.
    Type,
    /// A property name.
    Property,
    /// A keyword (`should`, `have`, `and`, `with`, `contain-any`, `like`, ...).
    Keyword,
    /// A comparison operator symbol (`=`, `!=`, `<=`, ...).
    Operator,
    /// A builtin function.
    Function,
    /// A string value seen in the snapshot.
    Value,
    /// A policy metadata key (`id:`, `title:`, ...).
    MetadataKey,
    /// A ruleset parameter (`$Name`).
    Parameter,
}

/// One candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What is shown (and matched against what was typed).
    pub label: String,
    /// What replaces the word: the label, with a space after a keyword, `(` after a
    /// function that takes arguments, `: ` after a metadata key.
    pub insert: String,
    /// What it is.
    pub kind: Kind,
    /// One line about it: a function's signature and doc, a property's JSON types.
    pub detail: Option<String>,
}

impl Item {
    fn new(label: impl Into<String>, kind: Kind) -> Item {
        let label = label.into();
        let insert = match kind {
            Kind::Keyword | Kind::Operator => format!("{label} "),
            _ => label.clone(),
        };
        Item {
            label,
            insert,
            kind,
            detail: None,
        }
    }
}

/// Candidates replacing `text[start..cursor]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// Byte offset where the replaced word starts.
    pub start: usize,
    /// The candidates, sorted by label, without duplicate labels.
    pub items: Vec<Item>,
}

impl Completion {
    /// The labels, in order.
    pub fn labels(&self) -> Vec<String> {
        self.items.iter().map(|i| i.label.clone()).collect()
    }

    fn new(start: usize, mut items: Vec<Item>) -> Completion {
        items.sort_by(|a, b| a.label.cmp(&b.label));
        items.dedup_by(|a, b| a.label == b.label);
        Completion { start, items }
    }
}

/// What completion knows of entity types: their properties, and string values seen.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// Entity types with entity counts, sorted.
    pub types: Vec<(String, usize)>,
    /// The collected types of the entity model that the snapshot does not hold (they
    /// complete too; their properties are in `schemas`).
    pub model: Vec<String>,
    /// Properties per type.
    pub schemas: BTreeMap<String, Vec<PropertyInfo>>,
    /// String values seen per type and dotted path (lists are transparent:
    /// `metricFilters.filterName`), for completing `name = '..`.
    pub values: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// The ruleset parameters in effect (`$Name` completes to them; hover shows their
    /// values). [`Knowledge::of`] starts from gsl's defaults.
    pub params: Arc<Params>,
}

/// At most this many distinct values are kept per path.
const MAX_VALUES: usize = 200;

fn collect_values(
    v: &Json,
    path: &mut Vec<String>,
    out: &mut BTreeMap<String, Vec<String>>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    match v {
        Json::String(s) if s.len() <= 200 && !path.is_empty() => {
            let list = out.entry(path.join(".")).or_default();
            if list.len() < MAX_VALUES && !list.contains(s) {
                list.push(s.clone());
            }
        }
        Json::Array(items) => {
            for item in items {
                collect_values(item, path, out, depth + 1);
            }
        }
        Json::Object(map) => {
            for (k, child) in map {
                path.push(k.clone());
                collect_values(child, path, out, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

impl Knowledge {
    /// What a graph holds: its types, each type's schema and string values.
    pub fn of(graph: &EntityGraph) -> Self {
        let types = graph.types();
        let schemas = types
            .iter()
            .map(|(t, _)| (t.clone(), graph.schema(t)))
            .collect();
        let values = types
            .iter()
            .map(|(t, _)| {
                let mut per_path = BTreeMap::new();
                for e in graph.entities(t) {
                    collect_values(e.value, &mut Vec::new(), &mut per_path, 0);
                }
                for list in per_path.values_mut() {
                    list.sort();
                }
                (t.clone(), per_path)
            })
            .collect();
        let mut k = Knowledge {
            types,
            model: Vec::new(),
            schemas,
            values,
            params: Params::defaults(),
        };
        k.add_entity_model();
        k
    }

    /// Add the collectors' entity model (`gsl::entity::schema`, `docs/entities.md`):
    /// every collected type and property path completes even when the snapshot has no
    /// such entity (its `entities` count is then 0 and it has no example).
    pub fn add_entity_model(&mut self) {
        use crate::entity::schema::{known_types, PropType};
        let json_type = |t: PropType| match t {
            PropType::String | PropType::Time => "string",
            PropType::Number => "number",
            PropType::Boolean => "boolean",
            PropType::List(_) => "array",
            PropType::Object(_) | PropType::Map(_) => "object",
            PropType::Json => "JSON",
        };
        for schema in known_types() {
            let props: Vec<PropertyInfo> = schema
                .paths()
                .into_iter()
                .map(|(path, ty)| PropertyInfo {
                    path,
                    types: [json_type(ty)].into_iter().collect(),
                    example: Json::Null,
                    entities: 0,
                })
                .collect();
            if !self.types.iter().any(|(t, _)| t == schema.name) {
                self.model.push(schema.name.to_string());
            }
            let known = self.schemas.entry(schema.name.to_string()).or_default();
            for p in props {
                if !known.iter().any(|k| k.path == p.path) {
                    known.push(p);
                }
            }
        }
    }

    /// Add (or extend) a type's properties from another source, such as a static
    /// entity model; paths already known are kept as they are.
    pub fn add_type(&mut self, ty: &str, props: Vec<PropertyInfo>) {
        if !self.types.iter().any(|(t, _)| t == ty) {
            self.types.push((ty.to_string(), 0));
            self.types.sort();
        }
        let known = self.schemas.entry(ty.to_string()).or_default();
        for p in props {
            if !known.iter().any(|k| k.path == p.path) {
                known.push(p);
            }
        }
    }

    /// String values seen at a dotted path of a type as written (case-insensitive type).
    pub fn values_of(&self, written: &str, path: &str) -> &[String] {
        self.values
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(written))
            .and_then(|(_, m)| m.get(path))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The schema of a type as written (case-insensitive).
    pub fn schema_of(&self, written: &str) -> Option<&[PropertyInfo]> {
        self.schemas
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(written))
            .map(|(_, p)| p.as_slice())
    }

    /// The property at a dotted path as written in GSL (`metricFilters.filterPattern`:
    /// lists are transparent).
    pub fn property(&self, ty: &str, dotted: &[String]) -> Option<&PropertyInfo> {
        self.schema_of(ty)?.iter().find(|p| {
            let segs: Vec<&str> = path_segments(&p.path).collect();
            segs.len() == dotted.len() && segs.iter().zip(dotted).all(|(a, b)| *a == b)
        })
    }
}

/// The property names that can follow `prefix` (dotted, relative to the entity; list
/// properties step into their elements). `prefix` empty: the top-level names.
pub fn children(props: &[PropertyInfo], prefix: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in props {
        let segs: Vec<&str> = path_segments(&p.path).collect();
        if segs.len() == prefix.len() + 1 && segs.iter().zip(prefix).all(|(a, b)| *a == b) {
            let name = segs[prefix.len()].to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// A function as completion offers it: `name(` when it takes arguments, `name()` when not.
fn function_item(b: &Builtin) -> Item {
    let label = if b.params.is_empty() {
        format!("{}()", b.name)
    } else {
        format!("{}(", b.name)
    };
    Item {
        insert: label.clone(),
        label,
        kind: Kind::Function,
        detail: Some(format!("{} — {}", b.signature(), b.doc)),
    }
}

/// The parameters still to type after `name(` of a builtin that takes arguments
/// (`n, unit)` after `after(`), when `before` ends there.
pub fn signature_hint(before: &str) -> Option<String> {
    let name = before.strip_suffix('(')?;
    let start = name
        .char_indices()
        .rev()
        .take_while(|(_, c)| lexer::is_ident_char(*c))
        .last()
        .map(|(i, _)| i)?;
    let b = builtins::lookup(&name[start..]).filter(|b| !b.params.is_empty())?;
    let params: Vec<&str> = b.params.iter().map(|p| p.name).collect();
    Some(format!("{})", params.join(", ")))
}

/// Characters of a completed word: property paths (`a.b`), keywords with `-`, `$`.
pub fn is_word_char(c: char) -> bool {
    lexer::is_ident_char(c) || matches!(c, '.' | '-' | '$')
}

/// A crude token of the text before the cursor.
#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    Open(char),
    Close,
    /// A quoted string or a regular expression literal.
    Literal,
    Other,
}

/// The text before the cursor, as completion sees it.
struct Lexed<'a> {
    toks: Vec<Tok<'a>>,
    /// The `'` of a string still open at the end.
    open_quote: Option<usize>,
    /// The end is inside a comment.
    in_comment: bool,
}

/// The tokens of `s` ([`crate::lang::lexer`]) as completion sees them: a word is a run
/// of [`is_word_char`]s (a dotted path, a hyphenated keyword, `$`).
fn lex(s: &str) -> Lexed<'_> {
    let mut toks = Vec::new();
    let mut open_quote = None;
    let mut in_comment = false;
    // The start of the word being read, and where it ends so far.
    let mut word: Option<(usize, usize)> = None;
    for t in lexer::tokens(s) {
        let part = match t.kind {
            TokenKind::Word => true,
            TokenKind::Punct(c) => is_word_char(c),
            _ => false,
        };
        match word {
            Some((start, end)) if part && end == t.start => {
                word = Some((start, t.end));
                continue;
            }
            Some((start, end)) => toks.push(Tok::Word(&s[start..end])),
            None => {}
        }
        word = part.then_some((t.start, t.end));
        in_comment = false;
        match t.kind {
            _ if part => {}
            TokenKind::Comment => in_comment = t.end == s.len(),
            TokenKind::Str { quote, closed } => {
                if quote == Quote::Single && !closed {
                    open_quote = Some(t.start);
                }
                toks.push(Tok::Literal);
            }
            TokenKind::Regex { .. } => toks.push(Tok::Literal),
            TokenKind::Open(c) => toks.push(Tok::Open(c)),
            TokenKind::Close(_) => toks.push(Tok::Close),
            TokenKind::Space => {}
            TokenKind::Word | TokenKind::Punct(_) => toks.push(Tok::Other),
        }
    }
    if let Some((start, end)) = word {
        toks.push(Tok::Word(&s[start..end]));
    }
    Lexed {
        toks,
        open_quote,
        in_comment,
    }
}

/// `text` with every index `[0]` of a path removed (`a[0].b` → `a.b`): indices do not
/// change what can follow a path.
fn strip_indices(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digits = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let prev_word = out.chars().last().is_some_and(is_word_char);
        if prev_word && digits > 0 && after[digits..].starts_with(']') {
            rest = &after[digits + 1..];
        } else {
            out.push('[');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn types_starting(k: &Knowledge, w: &str) -> Vec<Item> {
    let lw = w.to_ascii_lowercase();
    k.types
        .iter()
        .filter(|(t, _)| t.to_ascii_lowercase().starts_with(&lw))
        .map(|(t, n)| Item {
            detail: Some(format!("entity type ({n} in the snapshot)")),
            ..Item::new(t.clone(), Kind::Type)
        })
        .chain(
            k.model
                .iter()
                .filter(|t| t.to_ascii_lowercase().starts_with(&lw))
                .map(|t| Item {
                    detail: Some("entity type (collected by gsl; none in the snapshot)".into()),
                    ..Item::new(t.clone(), Kind::Type)
                }),
        )
        .collect()
}

fn is_list_op(w: &str) -> bool {
    ListOp::KEYWORDS.contains(&w)
}

fn is_keyword(w: &str) -> bool {
    KEYWORDS.contains(&w)
}

/// Completions at byte `cursor` of a rule's text (a policy file, a REPL input or a
/// bare path such as `CloudTrail.metricFilters[0].fil`). `ty` overrides the rule's
/// entity type (the REPL's `:show T filter`).
pub fn complete_rule(k: &Knowledge, text: &str, cursor: usize, ty: Option<&str>) -> Completion {
    let cursor = floor_boundary(text, cursor);
    let before = &text[..cursor];
    let lexed = lex(before);
    if lexed.in_comment {
        return Completion::new(cursor, Vec::new());
    }
    // Inside a string literal: the word is everything after the quote.
    if let Some(q) = lexed.open_quote {
        let start = q + 1;
        return complete_expr(k, &before[..start], start, &before[start..], ty);
    }
    let stripped = strip_indices(before);
    let word_len = stripped
        .chars()
        .rev()
        .take_while(|c| is_word_char(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    let (head, word) = stripped.split_at(stripped.len() - word_len);
    // The word's start in the original text: the stripped text only lost characters
    // before its last index; the part after it is the same.
    let tail = word.rsplit_once('.').map(|(_, t)| t).unwrap_or(word);
    let written = before
        .chars()
        .rev()
        .take_while(|c| is_word_char(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    if tail.len() > written {
        // Right after an index (`a[0]|`): nothing to complete.
        return Completion::new(cursor, Vec::new());
    }
    let mut c = complete_expr(k, head, cursor - word.len(), word, ty);
    // The replaced text is the word's last segment (indices removed before it keep the
    // candidates' start where the segment starts in `text`).
    if c.start >= cursor - word.len() {
        c.start = cursor - (word.len() - (c.start - (cursor - word.len())));
    }
    c
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Completion in a GSL expression (or a bare path). `head` is the text before the
/// word, `start` the word's byte offset.
fn complete_expr(
    k: &Knowledge,
    head: &str,
    start: usize,
    word: &str,
    ty: Option<&str>,
) -> Completion {
    let toks = lex(head).toks;
    // Bare path `Type.a.b` (the word itself starts with the type).
    if toks.is_empty() && ty.is_none() {
        if let Some((t, rest)) = word.split_once('.') {
            if let Some(props) = k.schema_of(t) {
                return path_completion(props, &[], rest, start + t.len() + 1, false);
            }
        }
    }
    // The first word: an entity type (also after `List<`).
    let ty = ty.or_else(|| {
        toks.iter().find_map(|t| match t {
            Tok::Word(w) => Some(*w),
            _ => None,
        })
    });
    let Some(ty) = ty else {
        let mut c = types_starting(k, word);
        if !word.is_empty() && "list<".starts_with(&word.to_ascii_lowercase()) {
            c.push(Item::new("List<", Kind::Keyword));
            if let Some(last) = c.last_mut() {
                last.insert = "List<".into();
            }
        }
        return Completion::new(start, c);
    };
    let (ty, list_form) = if ty == "List" {
        let inner = toks.iter().skip(1).find_map(|t| match t {
            Tok::Word(w) => Some(*w),
            _ => None,
        });
        match inner {
            Some(t) => (t, true),
            None => return Completion::new(start, types_starting(k, word)),
        }
    } else {
        (ty, false)
    };
    // After `List<` with nothing more: the type itself.
    if toks.len() == 2
        && list_form
        && matches!(toks.last(), Some(Tok::Other))
        && !head.contains('>')
    {
        return Completion::new(start, types_starting(k, word));
    }
    let props = k.schema_of(ty).unwrap_or(&[]);
    let (stack, ctx) = context(&toks, list_form);

    // A string value: `path = '..`, `path != '..`, `path like '..`.
    if head.ends_with('\'') {
        let mut rest = toks
            .iter()
            .rev()
            .skip_while(|t| matches!(t, Tok::Other | Tok::Literal));
        let path = match rest.next() {
            Some(Tok::Word(w)) if matches!(*w, "like" | "unlike") => match rest.next() {
                Some(Tok::Word(p)) => Some(*p),
                _ => None,
            },
            Some(Tok::Word(p)) => Some(*p),
            _ => None,
        };
        let Some(path) = path else {
            return Completion::new(start, Vec::new());
        };
        let mut full = ctx.clone();
        full.extend(path.split('.').map(str::to_string));
        let c = k
            .values_of(ty, &full.join("."))
            .iter()
            .filter(|v| v.starts_with(word))
            .map(|v| {
                Item::new(
                    format!("{}'", v.replace('\\', "\\\\").replace('\'', "\\'")),
                    Kind::Value,
                )
            })
            .collect();
        return Completion::new(start, c);
    }
    // `List<T> should have items ...`: at the top level the only property is `items`,
    // whose elements are the entities.
    if list_form && stack == 0 {
        if let Some(rest) = word.strip_prefix("items.") {
            return path_completion(props, &[], rest, start + "items.".len(), false);
        }
        let mut c = path_completion(&[], &[], word, start, true);
        if "items".starts_with(word) {
            c.items.push(Item {
                detail: Some("the entities of the account, a list".into()),
                ..Item::new("items", Kind::Property)
            });
            c = Completion::new(c.start, c.items);
        }
        return c;
    }
    // A ruleset parameter: `$` and the start of its name.
    if let Some(name) = word.strip_prefix('$') {
        let mut c = path_completion(props, &ctx, word, start, true);
        c.items.extend(param_items(&k.params, name));
        return Completion::new(c.start, c.items);
    }
    // After the filter of a bare path: `Type[..].a.b`.
    let after_filter = matches!(toks.last(), Some(Tok::Close)) && word.starts_with('.');
    if after_filter && stack == 0 {
        return path_completion(props, &[], &word[1..], start + 1, false);
    }
    let mut c = path_completion(props, &ctx, word, start, true);
    // After a property path: the comparison operators.
    if word.is_empty() {
        if let Some(Tok::Word(w)) = toks.last() {
            if !is_keyword(w) && !w.starts_with(|c: char| c.is_ascii_digit()) {
                c.items.extend(
                    CmpOp::ALL
                        .iter()
                        .filter(|op| !op.symbol().starts_with(|c: char| c.is_ascii_alphabetic()))
                        .map(|op| Item::new(op.symbol(), Kind::Operator)),
                );
                c = Completion::new(c.start, c.items);
            }
        }
    }
    c
}

/// The parameters whose name starts with `prefix`, as `$Name` items with their values.
fn param_items<'a>(params: &'a Params, prefix: &'a str) -> impl Iterator<Item = Item> + 'a {
    params
        .iter()
        .filter(move |p| p.name.starts_with(prefix))
        .map(|p| Item {
            detail: Some(format!(
                "parameter = {} ({})",
                crate::text::clip(&p.value.to_string(), 80),
                p.origin
            )),
            ..Item::new(format!("${}", p.name), Kind::Parameter)
        })
}

/// What a hover over `$name` says: its value, where it comes from, what it is for.
pub fn param_doc(params: &Params, name: &str) -> String {
    match params.get(name) {
        Some(p) => {
            let mut text = format!("parameter `${name}` = `{}`\n\nfrom {}", p.value, p.origin);
            if let Some(doc) = p.doc {
                text.push_str(&format!("\n\n{doc}"));
            }
            text
        }
        None => {
            let near = params
                .suggest(name)
                .map(|n| format!(" (did you mean `${n}`?)"))
                .unwrap_or_default();
            format!("parameter `${name}`: not defined{near}; define it in a parameters file (`--params FILE`, or `[params]` in gsl.toml)")
        }
    }
}

/// The `$Name` literal under `cursor` among `lits` (tuples searched inside), if any.
fn param_at(
    lits: &[crate::lang::ast::Literal],
    cursor: usize,
) -> Option<(&str, crate::span::Span)> {
    let mut stack: Vec<&crate::lang::ast::Literal> = lits.iter().collect();
    while let Some(l) = stack.pop() {
        match &l.kind {
            LiteralKind::Param(n) if l.span.start <= cursor && cursor <= l.span.end => {
                return Some((n, l.span))
            }
            LiteralKind::Tuple(items) => stack.extend(items),
            _ => {}
        }
    }
    None
}

/// The list context of `toks`: how many `[ ]` are open, and the property path (relative
/// to the entity) whose elements the innermost open list operator walks.
fn context(toks: &[Tok<'_>], list_form: bool) -> (usize, Vec<String>) {
    let mut stack: Vec<Vec<String>> = Vec::new();
    let mut brackets: Vec<bool> = Vec::new(); // true: a list context was pushed
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Open('[') => {
                let op = match i.checked_sub(1).map(|j| &toks[j]) {
                    Some(Tok::Word(w)) if is_list_op(w) => i.checked_sub(2).map(|j| &toks[j]),
                    _ => None,
                };
                let mut path: Vec<String> = stack.last().cloned().unwrap_or_default();
                if let Some(Tok::Word(p)) = op {
                    path.extend(p.split('.').map(str::to_string));
                }
                // `Type[` (a bare-path filter) or `items with [` in `List<..>` keep the base.
                stack.push(path);
                brackets.push(true);
            }
            Tok::Open(_) => brackets.push(false),
            Tok::Close if brackets.pop() == Some(true) => {
                stack.pop();
            }
            _ => {}
        }
    }
    let mut ctx: Vec<String> = stack.last().cloned().unwrap_or_default();
    // `List<T> ... items with [`: the element of `items` is the entity.
    if list_form && ctx.first().map(String::as_str) == Some("items") {
        ctx.remove(0);
    }
    (stack.len(), ctx)
}

fn path_completion(
    props: &[PropertyInfo],
    ctx: &[String],
    word: &str,
    start: usize,
    words: bool,
) -> Completion {
    let (prefix, partial, start) = match word.rfind('.') {
        Some(i) => (
            word[..i].split('.').map(str::to_string).collect::<Vec<_>>(),
            &word[i + 1..],
            start + i + 1,
        ),
        None => (Vec::new(), word, start),
    };
    let mut path = ctx.to_vec();
    path.extend(prefix.iter().cloned());
    let mut items: Vec<Item> = children(props, &path)
        .into_iter()
        .filter(|n| n.starts_with(partial))
        .map(|n| {
            let mut full = path.clone();
            full.push(n.clone());
            let detail = props
                .iter()
                .find(|p| path_segments(&p.path).eq(full.iter().map(String::as_str)))
                .map(describe_property);
            Item {
                detail,
                ..Item::new(n, Kind::Property)
            }
        })
        .collect();
    if words && prefix.is_empty() {
        items.extend(
            KEYWORDS
                .iter()
                // `List<` only starts a rule; offer keywords of expression position.
                .filter(|w| **w != "List" && w.starts_with(partial))
                .map(|s| Item::new(*s, Kind::Keyword)),
        );
        items.extend(
            BUILTINS
                .iter()
                .map(function_item)
                .filter(|b| b.label.starts_with(partial)),
        );
    }
    Completion::new(start, items)
}

/// `string, number` and an example value.
fn describe_property(p: &PropertyInfo) -> String {
    let types: Vec<&str> = p.types.iter().copied().collect();
    if p.entities == 0 {
        return format!("{} (entity model)", types.join(" | "));
    }
    format!(
        "{} (e.g. {})",
        types.join(" | "),
        crate::text::clip(&p.example.to_string(), 60)
    )
}

/// Completions in a policy file: metadata keys in the header's comment lines, GSL after
/// it. `cursor` is a byte offset into `doc`.
pub fn complete_document(k: &Knowledge, doc: &str, cursor: usize) -> Completion {
    let cursor = floor_boundary(doc, cursor);
    let line_start = doc[..cursor].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &doc[line_start..cursor];
    let in_header = doc[..line_start]
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if in_header {
        if let Some(body) = line.trim_start().strip_prefix('#') {
            // `# ke|`: a key, before any `:`.
            let key = body.trim_start();
            if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                let items = crate::policy::KEYS
                    .iter()
                    .filter(|k| k.starts_with(key))
                    .map(|k| Item {
                        insert: format!("{k}: "),
                        ..Item::new(*k, Kind::MetadataKey)
                    })
                    .collect();
                return Completion::new(cursor - key.len(), items);
            }
            return Completion::new(cursor, Vec::new());
        }
    }
    complete_rule(k, doc, cursor, None)
}

/// What [`hover`] found under the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    /// Markdown text.
    pub text: String,
    /// The byte range it is about.
    pub span: crate::span::Span,
}

/// What is under byte `cursor` of a parsed rule: a builtin's signature and doc (from the
/// builtin table), a property's JSON types and an example value (from `k`), or the
/// canonical form of a filter-pattern literal.
pub fn hover(k: &Knowledge, rule: &Rule, cursor: usize) -> Option<Hover> {
    let ty = rule.target.entity.name.as_str();
    let base: Vec<String> = Vec::new();
    let mut found = None;
    if let Some(f) = &rule.target.filter {
        walk_expr(k, ty, rule.target.list, f, &base, cursor, &mut found);
    }
    if let Some(v) = &rule.verdict {
        walk_expr(
            k,
            ty,
            rule.target.list,
            &v.condition,
            &base,
            cursor,
            &mut found,
        );
    }
    if found.is_none()
        && rule.target.entity.span.start <= cursor
        && cursor <= rule.target.entity.span.end
    {
        let n = k
            .types
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(ty))
            .map(|(_, n)| *n);
        found = Some(Hover {
            text: match n {
                Some(n) => format!("entity type `{ty}`: {n} in the snapshot"),
                None => format!("entity type `{ty}`: none in the snapshot"),
            },
            span: rule.target.entity.span,
        });
    }
    found
}

fn walk_expr(
    k: &Knowledge,
    ty: &str,
    list: bool,
    e: &Expr,
    ctx: &[String],
    cursor: usize,
    found: &mut Option<Hover>,
) {
    if found.is_some() || cursor < e.span.start || cursor > e.span.end {
        return;
    }
    match &e.kind {
        ExprKind::Or(l, r) | ExprKind::And(l, r) => {
            walk_expr(k, ty, list, l, ctx, cursor, found);
            walk_expr(k, ty, list, r, ctx, cursor, found);
        }
        ExprKind::Not(x) => walk_expr(k, ty, list, x, ctx, cursor, found),
        ExprKind::Term(t) => walk_term(k, ty, list, t, ctx, cursor, found),
    }
}

fn walk_term(
    k: &Knowledge,
    ty: &str,
    list: bool,
    t: &Term,
    ctx: &[String],
    cursor: usize,
    found: &mut Option<Hover>,
) {
    let mut path: Vec<String> = ctx.to_vec();
    if let Subject::Path(p) = &t.subject {
        for (i, seg) in p.segments.iter().enumerate() {
            path.push(seg.name.clone());
            if seg.span.start <= cursor && cursor <= seg.span.end {
                let mut rel = path.clone();
                if list && ctx.is_empty() && rel.first().map(String::as_str) == Some("items") {
                    rel.remove(0);
                }
                let written = p.segments[..=i]
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(".");
                let text = match k.property(ty, &rel) {
                    Some(info) if info.entities == 0 => format!(
                        "`{written}` of `{ty}`: {} (the collectors' entity model, docs/entities.md; no entity of the snapshot has it)",
                        info.types.iter().copied().collect::<Vec<_>>().join(" | "),
                    ),
                    Some(info) => format!(
                        "`{written}` of `{ty}`: {}\n\nexample: `{}` ({} of the snapshot's entities have it)",
                        info.types.iter().copied().collect::<Vec<_>>().join(" | "),
                        crate::text::clip(&info.example.to_string(), 120),
                        info.entities
                    ),
                    None => format!("`{written}`: not seen on any `{ty}` of the snapshot"),
                };
                *found = Some(Hover {
                    text,
                    span: seg.span,
                });
                return;
            }
        }
    }
    for p in &t.postfix {
        match p {
            Postfix::ListOp { predicate, .. } => {
                let mut inner = path.clone();
                if list && inner.first().map(String::as_str) == Some("items") {
                    inner.remove(0);
                }
                walk_expr(k, ty, list, predicate, &inner, cursor, found);
                if found.is_some() {
                    return;
                }
            }
            Postfix::Call { name, args, .. } => {
                if let Some((n, span)) = param_at(args, cursor) {
                    *found = Some(Hover {
                        text: param_doc(&k.params, n),
                        span,
                    });
                    return;
                }
                let Some(b) = builtins::lookup(&name.name) else {
                    continue;
                };
                if name.span.start <= cursor && cursor <= name.span.end {
                    *found = Some(Hover {
                        text: builtin_doc(b),
                        span: name.span,
                    });
                    return;
                }
                for (arg, param) in args.iter().zip(b.params) {
                    let on = arg.span.start <= cursor && cursor <= arg.span.end;
                    if let (true, ArgKind::FilterPattern, LiteralKind::String(s)) =
                        (on, param.kind, &arg.kind)
                    {
                        let text = match crate::pattern::canonical(s) {
                            Ok(c) => format!("filter pattern, canonical form:\n\n```\n{c}\n```"),
                            Err(e) => format!("not a valid filter pattern: {e}"),
                        };
                        *found = Some(Hover {
                            text,
                            span: arg.span,
                        });
                        return;
                    }
                }
            }
        }
    }
    if let Some((n, span)) = t
        .test
        .as_ref()
        .and_then(|test| param_at(std::slice::from_ref(&test.value), cursor))
    {
        *found = Some(Hover {
            text: param_doc(&k.params, n),
            span,
        });
    }
}

/// [`hover`] over a document's text: parsed here; when it does not parse, a builtin's
/// doc for the function name (or a parameter's value for the `$Name`) under the cursor.
pub fn hover_document(k: &Knowledge, doc: &str, cursor: usize) -> Option<Hover> {
    if let Ok(rule) = crate::lang::parser::parse_rule(doc) {
        return hover(k, &rule, cursor);
    }
    let cursor = floor_boundary(doc, cursor);
    let is_name = lexer::is_ident_char;
    let start = doc[..cursor]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_name(*c))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(cursor);
    let end = doc[cursor..]
        .char_indices()
        .find(|(_, c)| !is_name(*c))
        .map(|(i, _)| cursor + i)
        .unwrap_or(doc.len());
    if start > 0 && doc[..start].ends_with('$') && end > start {
        return Some(Hover {
            text: param_doc(&k.params, &doc[start..end]),
            span: crate::span::Span::new(start - 1, end),
        });
    }
    let b = builtins::lookup(&doc[start..end])?;
    Some(Hover {
        text: builtin_doc(b),
        span: crate::span::Span::new(start, end),
    })
}

/// A builtin's documentation as Markdown: signature, what it returns, doc line, example.
pub fn builtin_doc(b: &Builtin) -> String {
    let returns = match b.returns {
        builtins::ResultKind::Number => "a number",
        builtins::ResultKind::Bool => "a boolean",
    };
    let params: Vec<String> = b
        .params
        .iter()
        .map(|p| format!("- `{}`: {}", p.name, p.kind.describe()))
        .collect();
    let mut out = format!(
        "```gsl\n{}\n```\n\n{}\n\nReturns {returns}.",
        b.signature(),
        b.doc
    );
    if !params.is_empty() {
        out.push_str("\n\n");
        out.push_str(&params.join("\n"));
    }
    out.push_str(&format!("\n\nExample: `{}`", b.example));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_lists() {
        let prop = |path: &str| PropertyInfo {
            path: path.into(),
            types: Default::default(),
            example: Json::Null,
            entities: 1,
        };
        let props = vec![
            prop("a"),
            prop("a[].b"),
            prop("a[].c"),
            prop("a[].c.d"),
            prop("e"),
        ];
        assert_eq!(children(&props, &[]), vec!["a", "e"]);
        assert_eq!(children(&props, &["a".into()]), vec!["b", "c"]);
        assert_eq!(children(&props, &["a".into(), "c".into()]), vec!["d"]);
    }

    /// Over a snapshot without any collected entity, the collectors' model still
    /// completes their types and properties, nested ones included.
    #[test]
    fn parameters_complete_after_dollar_and_hover_shows_their_value() {
        let graph = EntityGraph::new(crate::entity::Snapshot::default());
        let mut k = Knowledge::of(&graph);
        let mut params = (*Params::defaults()).clone();
        params.extend(Params::parse("Admin_Ports = [22, 3389]\n", "p.toml").unwrap());
        k.params = Arc::new(params);
        let text = "SecurityGroup should not have inboundRules contain [port in ($";
        let c = complete_rule(&k, text, text.len(), None);
        assert_eq!(c.labels(), ["$Admin_Ports", "$CloudGuard_Known_UDP_Ports"]);
        assert_eq!(c.start, text.len() - 1, "the `$` is replaced too");
        assert_eq!(c.items[0].kind, Kind::Parameter);
        assert_eq!(
            c.items[0].detail.as_deref(),
            Some("parameter = (22, 3389) (p.toml:1)")
        );
        let text = "SecurityGroup should have inboundRules contain [port = $Cl";
        let c = complete_rule(&k, text, text.len(), None);
        assert_eq!(c.labels(), ["$CloudGuard_Known_UDP_Ports"]);
        // `$` alone inside brackets is still the element; nothing else is offered for it.
        let text = "X should have a contain [$ = 1 and b = $";
        assert!(complete_rule(&k, text, text.len(), None)
            .labels()
            .contains(&"$Admin_Ports".to_string()));

        let src =
            "SecurityGroup should have p in ($Admin_Ports, 1) and r allowedHostsForPort($Nope) > 1";
        let rule = crate::lang::parser::parse_rule(src).unwrap();
        let at = src.find("$Admin").unwrap() + 3;
        let h = hover(&k, &rule, at).unwrap();
        assert_eq!(
            h.text,
            "parameter `$Admin_Ports` = `(22, 3389)`\n\nfrom p.toml:1"
        );
        assert_eq!(&src[h.span.start..h.span.end], "$Admin_Ports");
        let h = hover(&k, &rule, src.find("$Nope").unwrap() + 1).unwrap();
        assert!(h.text.contains("not defined"), "{}", h.text);
        let h = hover_document(&k, "X should have a in ($CloudGuard_Known_UDP_Ports", 25).unwrap();
        assert!(
            h.text.contains("gsl's default") && h.text.contains("(53, 67"),
            "{}",
            h.text
        );
    }

    #[test]
    fn the_entity_model_completes_without_a_snapshot() {
        let graph = EntityGraph::new(crate::entity::Snapshot::default());
        let k = Knowledge::of(&graph);
        let labels = |text: &str| -> Vec<String> {
            complete_rule(&k, text, text.len(), None)
                .items
                .into_iter()
                .map(|i| i.label)
                .collect()
        };
        assert!(labels("CloudTr").contains(&"CloudTrail".to_string()));
        let inner =
            labels("CloudTrail should have metricFilters with [ metricTransformations with [ ala");
        assert_eq!(inner, ["alarms"]);
        let status = labels("CloudTrail should have status.isL");
        assert_eq!(status, ["isLogging"]);
        let rule =
            crate::lang::parser::parse_rule("SnsTopic should have subscriptionsConfirmed > 0")
                .unwrap();
        let h = hover(&k, &rule, 24).unwrap();
        assert!(h.text.contains("entity model"), "{}", h.text);
    }

    #[test]
    fn indices_are_removed_only_after_a_word() {
        assert_eq!(strip_indices("a.b[0].c"), "a.b.c");
        assert_eq!(strip_indices("a[12][3].c"), "a.c");
        assert_eq!(strip_indices("x with [0"), "x with [0");
        assert_eq!(strip_indices("T[name='x'].s"), "T[name='x'].s");
    }

    #[test]
    fn comments_and_regexes_open_nothing() {
        let l = lex("# it's [\nx with [ a regexMatch /[(']/ and b = 'c");
        assert_eq!(l.open_quote, Some(46));
        assert!(!l.in_comment);
        assert_eq!(
            l.toks.iter().filter(|t| matches!(t, Tok::Open(_))).count(),
            1
        );
        assert!(lex("x = 1 // note").in_comment);
    }
}
