//! Ruleset parameters: the values of `$Name` in rules.
//!
//! CloudGuard's network rules write `port in($CloudGuard_Known_UDP_Ports)`: a name that
//! stands for a value, or a list of values, defined outside the rule. In gsl the values
//! come from [`Params`]: gsl's defaults ([`Params::defaults`]), then the `[params]`
//! table of `gsl.toml`, then a parameters file (`--params FILE`), each later one
//! replacing a name an earlier one defined. The checker resolves every `$Name` of a rule
//! against them (`gsl::eval::unknown_parameter` for a name none defines, with a "did you
//! mean"), so evaluation sees plain values.
//!
//! A parameters file is TOML, one key per parameter (docs/params.md):
//!
//! ```toml
//! CloudGuard_Known_UDP_Ports = [53, 123, 161]
//! Admin_Ports = [22, 3389]
//! Max_Hosts = 256
//! Default_Name = 'default'
//! ```
//!
//! A value is a string, a number, a boolean, or a list of them. Problems are reported
//! with the file, the line and a hint ([`ParamsError`]).

use crate::lang::ast::{Expr, ExprKind, Literal, LiteralKind, Postfix, Rule};
use crate::source::{self, Kind, ReadError};
use crate::span::Span;
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use thiserror::Error;

/// One value of a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// `'text'`.
    String(String),
    /// `22`, `2.5`.
    Number(f64),
    /// `true` / `false`.
    Bool(bool),
}

impl Scalar {
    fn literal(&self, span: Span) -> Literal {
        let kind = match self {
            Scalar::String(s) => LiteralKind::String(s.clone()),
            Scalar::Number(n) => LiteralKind::Number(*n),
            Scalar::Bool(b) => LiteralKind::Bool(*b),
        };
        Literal { kind, span }
    }
}

/// The value of a parameter: one value, or a list of values.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// One value (`Max_Hosts = 256`).
    One(Scalar),
    /// A list (`Ports = [53, 123]`); it stands for its values in `in (...)`.
    List(Vec<Scalar>),
}

impl ParamValue {
    /// The value as a GSL literal written at `span`: a scalar, or a tuple of them.
    pub fn literal(&self, span: Span) -> Literal {
        match self {
            ParamValue::One(s) => s.literal(span),
            ParamValue::List(items) => Literal {
                kind: LiteralKind::Tuple(items.iter().map(|s| s.literal(span)).collect()),
                span,
            },
        }
    }

    /// Whether the value is a list.
    pub fn is_list(&self) -> bool {
        matches!(self, ParamValue::List(_))
    }
}

/// The value as GSL writes it: `22`, `'udp'`, `(53, 123)`.
impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::lang::printer::print_literal(
            &self.literal(Span::default()),
        ))
    }
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// gsl's built-in defaults ([`Params::defaults`]).
    Default,
    /// A parameters file, or the `[params]` table of `gsl.toml`, at a line (1-based).
    File {
        /// The file as named to gsl.
        path: String,
        /// The line of the definition.
        line: usize,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("gsl's default"),
            Origin::File { path, line } => write!(f, "{path}:{line}"),
        }
    }
}

/// One parameter: its name (without `$`), value, where the value comes from, and for a
/// default, what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name, as written after `$`.
    pub name: String,
    /// The value.
    pub value: ParamValue,
    /// Where it was defined.
    pub origin: Origin,
    /// What the parameter is for (the defaults say; a file's parameters do not).
    pub doc: Option<&'static str>,
}

/// The parameters in effect for a run: name → value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    map: BTreeMap<String, Param>,
}

/// A default of [`Params::defaults`]: name, values, what it is.
struct DefaultParam {
    name: &'static str,
    values: &'static [f64],
    doc: &'static str,
}

/// gsl's default parameters. CloudGuard's own default values are not public; see
/// docs/params.md for the sources and for why these values were chosen.
const DEFAULTS: &[DefaultParam] = &[DefaultParam {
    name: "CloudGuard_Known_UDP_Ports",
    // DNS, DHCP/BOOTP, TFTP, RPC portmapper, NTP, NetBIOS name and datagram, SNMP and
    // its traps, CLDAP, IKE, syslog, RIP, SQL Server browser, SSDP, IPsec NAT-T, mDNS,
    // memcached: the IANA-registered UDP services commonly reachable by mistake and
    // used in reflection attacks.
    values: &[
        53.0, 67.0, 68.0, 69.0, 111.0, 123.0, 137.0, 138.0, 161.0, 162.0, 389.0, 500.0, 514.0,
        520.0, 1434.0, 1900.0, 4500.0, 5353.0, 11211.0,
    ],
    doc: "UDP ports of well-known services (CloudGuard's network rules D9.AWS.NET.83, D9.AWS.NET.87, D9.AZU.NET.VirtualMachine.UDP); CloudGuard's own list is not public, these are gsl's (docs/params.md)",
}];

static DEFAULTS_PARAMS: LazyLock<Arc<Params>> = LazyLock::new(|| {
    let map = DEFAULTS
        .iter()
        .map(|d| {
            let param = Param {
                name: d.name.to_string(),
                value: ParamValue::List(d.values.iter().map(|n| Scalar::Number(*n)).collect()),
                origin: Origin::Default,
                doc: Some(d.doc),
            };
            (d.name.to_string(), param)
        })
        .collect();
    Arc::new(Params { map })
});

impl Params {
    /// No parameters at all (every `$Name` is unknown).
    pub fn empty() -> Self {
        Params::default()
    }

    /// gsl's defaults: the parameters CloudGuard's public rules use, with the values
    /// documented in docs/params.md. Shared; clone it to add to it.
    pub fn defaults() -> Arc<Params> {
        Arc::clone(&DEFAULTS_PARAMS)
    }

    /// The parameter named `name` (without `$`; names are case-sensitive).
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.map.get(name)
    }

    /// Every parameter, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.map.values()
    }

    /// Every name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The defined name closest to `name`, for "did you mean".
    pub fn suggest(&self, name: &str) -> Option<&str> {
        crate::text::closest(name, self.names())
    }

    /// Define (or redefine) a parameter.
    pub fn insert(&mut self, param: Param) {
        self.map.insert(param.name.clone(), param);
    }

    /// Add `other`'s parameters, replacing those of the same name.
    pub fn extend(&mut self, other: Params) {
        self.map.extend(other.map);
    }

    /// Read a parameters file (TOML, one key per parameter).
    pub fn load(path: &Path) -> Result<Params, ParamsError> {
        let text = source::read_text(path, Kind::Params)?;
        Params::parse(&text, &path.display().to_string())
    }

    /// Parse the text of a parameters file named `name` (for messages and origins).
    pub fn parse(text: &str, name: &str) -> Result<Params, ParamsError> {
        let entries: BTreeMap<String, toml::Spanned<toml::Value>> =
            toml::from_str(text).map_err(|e| syntax(text, name, &e))?;
        from_entries(text, name, entries)
    }

    /// Parse the `[params]` table of a TOML document (`gsl.toml`); other tables are
    /// ignored. No table: no parameters.
    pub fn parse_table(text: &str, name: &str) -> Result<Params, ParamsError> {
        #[derive(serde::Deserialize)]
        struct Doc {
            #[serde(default)]
            params: BTreeMap<String, toml::Spanned<toml::Value>>,
        }
        let doc: Doc = toml::from_str(text).map_err(|e| syntax(text, name, &e))?;
        from_entries(text, name, doc.params)
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| {
        before.bytes().filter(|b| *b == b'\n').count() + 1
    })
}

fn syntax(text: &str, name: &str, e: &toml::de::Error) -> ParamsError {
    let span = e
        .span()
        .map(|r| SourceSpan::from(r.start..r.end.max(r.start)));
    let line = e.span().map_or(1, |r| line_of(text, r.start));
    ParamsErrorKind::Syntax {
        file: name.to_string(),
        line,
        message: e.message().to_string(),
        src: NamedSource::new(name, text.to_string()),
        span,
    }
    .into()
}

fn from_entries(
    text: &str,
    name: &str,
    entries: BTreeMap<String, toml::Spanned<toml::Value>>,
) -> Result<Params, ParamsError> {
    let mut params = Params::empty();
    for (key, value) in entries {
        let range = value.span();
        let line = line_of(text, range.start);
        let at = |problem: String, label: &'static str, help: String| -> ParamsError {
            ParamsErrorKind::Value {
                file: name.to_string(),
                line,
                param: key.clone(),
                problem,
                help,
                label,
                src: NamedSource::new(name, text.to_string()),
                span: (range.start..range.end).into(),
            }
            .into()
        };
        if !is_name(&key) {
            return Err(at(
                format!("`{key}` cannot be written as `${key}` in a rule"),
                "not a parameter name",
                "a parameter name starts with a letter or `_` and holds letters, digits and `_` only".into(),
            ));
        }
        let value = match value.into_inner() {
            toml::Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match scalar(item) {
                        Ok(s) => out.push(s),
                        Err(what) => {
                            return Err(at(
                                format!("a list element is {what}"),
                                "not a list of values",
                                "a list holds strings, numbers and booleans: `Ports = [22, 3389]`"
                                    .into(),
                            ))
                        }
                    }
                }
                ParamValue::List(out)
            }
            other => match scalar(other) {
                Ok(s) => ParamValue::One(s),
                Err(what) => {
                    return Err(at(
                        format!("the value is {what}"),
                        "not a parameter value",
                        "a parameter is a string, a number, a boolean or a list of them: `Ports = [22, 3389]`, `Max_Hosts = 256`".into(),
                    ))
                }
            },
        };
        params.insert(Param {
            name: key,
            value,
            origin: Origin::File {
                path: name.to_string(),
                line,
            },
            doc: None,
        });
    }
    Ok(params)
}

/// A TOML value as a parameter's scalar, or what it is instead.
fn scalar(v: toml::Value) -> Result<Scalar, &'static str> {
    match v {
        toml::Value::String(s) => Ok(Scalar::String(s)),
        toml::Value::Integer(i) => Ok(Scalar::Number(i as f64)),
        toml::Value::Float(f) if f.is_finite() => Ok(Scalar::Number(f)),
        toml::Value::Float(_) => Err("not a finite number"),
        toml::Value::Boolean(b) => Ok(Scalar::Bool(b)),
        toml::Value::Datetime(_) => Err("a date (write it as a string)"),
        toml::Value::Array(_) => Err("a list (lists do not nest)"),
        toml::Value::Table(_) => Err("a table"),
    }
}

/// Whether `$name` is a parameter as the grammar reads it.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A parameters file that cannot be used (see [`ParamsErrorKind`]).
#[derive(Debug, Error, Diagnostic)]
#[error(transparent)]
#[diagnostic(transparent)]
pub struct ParamsError(Box<ParamsErrorKind>);

impl ParamsError {
    /// What went wrong.
    pub fn kind(&self) -> &ParamsErrorKind {
        &self.0
    }
}

impl From<ParamsErrorKind> for ParamsError {
    fn from(kind: ParamsErrorKind) -> Self {
        ParamsError(Box::new(kind))
    }
}

impl From<ReadError> for ParamsError {
    fn from(e: ReadError) -> Self {
        ParamsErrorKind::Read(e).into()
    }
}

/// The kinds of [`ParamsError`].
#[derive(Debug, Error, Diagnostic)]
pub enum ParamsErrorKind {
    /// The file cannot be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(ReadError),
    /// Not valid TOML (or a key defined twice).
    #[error("{file}:{line}: not a valid parameters file: {message}")]
    #[diagnostic(
        code(gsl::params::syntax),
        help("a parameters file is TOML, one `Name = value` per line: `Ports = [22, 3389]` (docs/params.md)")
    )]
    Syntax {
        /// The file.
        file: String,
        /// The line (1-based).
        line: usize,
        /// The TOML reader's words.
        message: String,
        /// The file's text.
        #[source_code]
        src: NamedSource<String>,
        /// Where.
        #[label("here")]
        span: Option<SourceSpan>,
    },
    /// A parameter whose name or value gsl cannot use.
    #[error("{file}:{line}: parameter `{param}`: {problem}")]
    #[diagnostic(code(gsl::params::value), help("{help}"))]
    Value {
        /// The file.
        file: String,
        /// The line (1-based).
        line: usize,
        /// The parameter.
        param: String,
        /// What is wrong.
        problem: String,
        /// What to do.
        help: String,
        /// The label under the value.
        label: &'static str,
        /// The file's text.
        #[source_code]
        src: NamedSource<String>,
        /// The value.
        #[label("{label}")]
        span: SourceSpan,
    },
}

/// The parameters a rule refers to, each with the span of its first use, in source
/// order.
pub fn referenced(rule: &Rule) -> Vec<(String, Span)> {
    let mut out: Vec<(String, Span)> = Vec::new();
    let mut stack: Vec<&Expr> = rule
        .verdict
        .iter()
        .map(|v| &v.condition)
        .chain(rule.target.filter.as_ref())
        .collect();
    let mut lits: Vec<&Literal> = Vec::new();
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Not(a) => stack.push(a),
            ExprKind::Term(t) => {
                for p in &t.postfix {
                    match p {
                        Postfix::ListOp { predicate, .. } => stack.push(predicate),
                        Postfix::Call { args, .. } => lits.extend(args),
                    }
                }
                lits.extend(t.test.as_ref().map(|t| &t.value));
            }
        }
    }
    while let Some(l) = lits.pop() {
        match &l.kind {
            LiteralKind::Param(name) => match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, span)) if l.span.start < span.start => *span = l.span,
                Some(_) => {}
                None => out.push((name.clone(), l.span)),
            },
            LiteralKind::Tuple(items) => lits.extend(items),
            _ => {}
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

/// The parameters a policy or rule text refers to, in order of first use; none when it
/// does not parse (its parse errors are reported where it runs).
pub fn referenced_in(source: &str) -> Vec<String> {
    crate::lang::parser::parse_rule(source)
        .map(|r| referenced(&r).into_iter().map(|(n, _)| n).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_every_kind_of_value() {
        let text =
            "# comment\nPorts = [22, '3389', 1.5]\nMax_Hosts = 256\nName = 'default'\nOn = true\n";
        let p = Params::parse(text, "p.toml").unwrap();
        assert_eq!(
            p.names().collect::<Vec<_>>(),
            ["Max_Hosts", "Name", "On", "Ports"]
        );
        let ports = p.get("Ports").unwrap();
        assert_eq!(ports.value.to_string(), "(22, '3389', 1.5)");
        assert_eq!(
            ports.origin,
            Origin::File {
                path: "p.toml".into(),
                line: 2
            }
        );
        assert_eq!(
            p.get("Max_Hosts").unwrap().value,
            ParamValue::One(Scalar::Number(256.0))
        );
        assert_eq!(p.get("On").unwrap().origin.to_string(), "p.toml:5");
    }

    #[test]
    fn bad_files_name_the_line_and_what_to_do() {
        let e = Params::parse("A = 1\nB = [[1]]\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:2: parameter `B`"), "{e}");
        assert_eq!(e.code().unwrap().to_string(), "gsl::params::value");
        let e = Params::parse("A = 1\nA = 2\n", "p.toml").unwrap_err();
        assert_eq!(e.code().unwrap().to_string(), "gsl::params::syntax");
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
        let e = Params::parse("[t]\nx = 1\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("a table"), "{e}");
        let e = Params::parse("'a-b' = 1\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("cannot be written as `$a-b`"), "{e}");
        let e = Params::parse("D = 1979-05-27\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("a date"), "{e}");
    }

    #[test]
    fn the_params_table_of_gsl_toml() {
        let text = "[check]\npack = ['cis-aws']\n\n[params]\nPorts = [22]\n";
        let p = Params::parse_table(text, "gsl.toml").unwrap();
        assert_eq!(p.get("Ports").unwrap().origin.to_string(), "gsl.toml:5");
        assert!(Params::parse_table("[check]\n", "gsl.toml")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn defaults_and_overrides() {
        let d = Params::defaults();
        let udp = d.get("CloudGuard_Known_UDP_Ports").unwrap();
        assert!(udp.value.is_list() && udp.origin == Origin::Default && udp.doc.is_some());
        let mut p = (*d).clone();
        p.extend(Params::parse("CloudGuard_Known_UDP_Ports = [53]\n", "f").unwrap());
        assert_eq!(
            p.get("CloudGuard_Known_UDP_Ports")
                .unwrap()
                .value
                .to_string(),
            "(53)"
        );
        assert_eq!(
            p.suggest("Cloudguard_Known_UDP_Port"),
            Some("CloudGuard_Known_UDP_Ports")
        );
    }

    #[test]
    fn referenced_parameters_in_order_of_first_use() {
        let src = "X where a in ($B) should have p in ($A, 1) and q contain [$A] and r length() > $C and t after($D, 'days')";
        assert_eq!(referenced_in(src), ["B", "A", "C", "D"]);
        let rule = crate::lang::parser::parse_rule(src).unwrap();
        let spans = referenced(&rule);
        assert_eq!(&src[spans[1].1.start..spans[1].1.end], "$A");
        assert!(referenced_in("X should have").is_empty());
    }

    #[test]
    fn names() {
        assert!(is_name("A_b1") && is_name("_x"));
        assert!(!is_name("1a") && !is_name("a-b") && !is_name(""));
    }
}
