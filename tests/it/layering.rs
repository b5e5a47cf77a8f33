//! The layers hold: the REPL and the language server run a rule only through the
//! library's one path, `gsl::run::PreparedRule` (as `gsl check` does), so they name no
//! part of the evaluator's machinery (`lang::eval`'s checker, `evaluate*`, `props`,
//! `CheckedRule`, ...); only its result model, options and builtin table, and the
//! JSON-path walker the REPL's bare paths use (docs/architecture.md).

use std::path::{Path, PathBuf};

/// What the REPL and the server may name under `lang::eval`: the result model, the
/// options of a run, the builtin table (help, completion), the path walker.
const ALLOWED: &[&str] = &[
    "builtins",
    "path",
    "EvalOptions",
    "Outcome",
    "RuleResult",
    "EntityResult",
    "Explanation",
    "Evidence",
];

/// The files of the REPL and the language server.
fn shells() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let mut files = vec![src.join("lsp.rs")];
    let repl = src.join("repl");
    for entry in std::fs::read_dir(&repl).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// Every path named after `lang::` in `text`, use trees expanded: `lang::eval::{a,
/// b::c}` gives `eval::a` and `eval::b::c`.
fn lang_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("lang::") {
        let rest = &text[at + "lang::".len()..];
        let mut tree = UseTree { s: rest, i: 0 };
        tree.paths(String::new(), &mut out);
    }
    out
}

/// A small reader of Rust use trees (and plain paths).
struct UseTree<'a> {
    s: &'a str,
    i: usize,
}

impl UseTree<'_> {
    fn skip_space(&mut self) {
        while self.s[self.i..].starts_with(char::is_whitespace) {
            self.i += self.s[self.i..].chars().next().map_or(1, char::len_utf8);
        }
    }

    fn ident(&mut self) -> Option<&str> {
        self.skip_space();
        let start = self.i;
        let len = self.s[start..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.s.len() - start);
        self.i += len;
        (len > 0).then(|| &self.s[start..start + len])
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.s[self.i..].starts_with(token) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    /// The paths of one tree, each prefixed by `prefix`.
    fn paths(&mut self, prefix: String, out: &mut Vec<String>) {
        if self.eat("{") {
            loop {
                if self.eat("}") {
                    return;
                }
                self.paths(prefix.clone(), out);
                if !self.eat(",") {
                    self.eat("}");
                    return;
                }
            }
        }
        let Some(name) = self.ident() else {
            out.push(prefix);
            return;
        };
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}::{name}")
        };
        if self.eat("::") {
            self.paths(path, out);
        } else {
            out.push(path);
        }
    }
}

/// Whether a path under `lang::` names evaluator machinery rather than what is allowed.
fn forbidden(path: &str) -> bool {
    let mut parts = path.split("::");
    if parts.next() != Some("eval") {
        return false;
    }
    // `lang::eval` itself (or `self`) would let anything in.
    match parts.next() {
        Some(item) => item == "self" || !ALLOWED.contains(&item),
        None => true,
    }
}

#[test]
fn the_repl_and_the_server_run_rules_only_through_prepared_rule() {
    let files = shells();
    assert!(files.len() > 3, "{files:?}");
    let mut found = Vec::new();
    let mut uses_prepared = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for path in lang_paths(&text) {
            if forbidden(&path) {
                found.push(format!("{}: lang::{path}", file.display()));
            }
        }
        if text.contains("PreparedRule") {
            uses_prepared.push(file.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        found.is_empty(),
        "run a rule through gsl::run::PreparedRule, not the evaluator's parts:\n{}",
        found.join("\n")
    );
    for shell in ["lsp.rs", "session.rs"] {
        assert!(
            uses_prepared.iter().any(|f| f == shell),
            "{uses_prepared:?}"
        );
    }
}

#[test]
fn the_guard_reads_use_trees_and_paths() {
    let paths = lang_paths(
        "use gsl::lang::eval::{check_rule_src, evaluate, builtins::BUILTINS};\n\
         let x = gsl::lang::eval::props::unseen_in(&r, &g);\n\
         use gsl::lang::{eval, parser::parse_expr};\n\
         use gsl::lang::eval::{self, Outcome};",
    );
    assert_eq!(
        paths,
        [
            "eval::check_rule_src",
            "eval::evaluate",
            "eval::builtins::BUILTINS",
            "eval::props::unseen_in",
            "eval",
            "parser::parse_expr",
            "eval::self",
            "eval::Outcome",
        ]
    );
    let bad: Vec<&String> = paths.iter().filter(|p| forbidden(p)).collect();
    assert_eq!(
        bad,
        [
            "eval::check_rule_src",
            "eval::evaluate",
            "eval::props::unseen_in",
            "eval",
            "eval::self"
        ]
    );
}
