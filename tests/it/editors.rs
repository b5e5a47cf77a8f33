//! `editors/vscode/`: the extension's manifest is valid and its TextMate grammar gives
//! GSL's tokens the intended scopes (a small TextMate tokenizer: the earliest match
//! wins, ties go to the first pattern; `begin`/`end` regions; `captures`).

use regex::Regex;
use serde_json::Value;

const DIR: &str = "editors/vscode";

fn json(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/{path}")).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_manifest_is_loadable() {
    let pkg = json("package.json");
    for key in ["name", "version", "publisher", "main"] {
        assert!(pkg[key].is_string(), "package.json has no {key}");
    }
    assert!(pkg["engines"]["vscode"].is_string());
    // The entry point is the bundle `vscode:prepublish` makes of the client (vsce runs
    // it when packaging); the client's source is extension.js.
    let main = pkg["main"].as_str().unwrap();
    assert_eq!(main, "./dist/extension.js");
    let bundle = pkg["scripts"]["vscode:prepublish"].as_str().unwrap();
    assert!(
        bundle.contains("./extension.js") && bundle.contains("--outfile=dist/extension.js"),
        "{bundle}"
    );
    let lang = &pkg["contributes"]["languages"][0];
    assert_eq!(lang["id"], "gsl");
    assert_eq!(lang["extensions"][0], ".gsl");
    let conf = json(lang["configuration"].as_str().unwrap());
    assert_eq!(conf["comments"]["lineComment"], "#");
    let grammar = &pkg["contributes"]["grammars"][0];
    assert_eq!(grammar["language"], "gsl");
    let g = json(grammar["path"].as_str().unwrap());
    assert_eq!(g["scopeName"], grammar["scopeName"]);
    let props = &pkg["contributes"]["configuration"]["properties"];
    assert!(props["gsl.snapshot"].is_object() && props["gsl.path"].is_object());
    // The client starts the server.
    let ext = std::fs::read_to_string(format!("{DIR}/extension.js")).unwrap();
    assert!(ext.contains("args: [\"lsp\"]"), "{ext}");
}

/// `npm ci && npx @vscode/vsce package` runs without a question or a warning (`.ci/run`
/// runs it, with the npm registry): what it needs is in the tree.
#[test]
fn the_package_has_what_vsce_asks_for() {
    let pkg = json("package.json");
    // vsce asks before packaging without a repository.
    assert!(pkg["repository"]["url"].is_string(), "no repository");
    assert!(std::path::Path::new(DIR).join("LICENSE").is_file());
    // npm ci needs the lock file; npx finds vsce there instead of asking to install it.
    assert!(std::path::Path::new(DIR)
        .join("package-lock.json")
        .is_file());
    assert!(pkg["devDependencies"]["@vscode/vsce"].is_string());
    assert!(pkg["devDependencies"]["esbuild"].is_string());
    let lines = |f: &str| -> Vec<String> {
        std::fs::read_to_string(format!("{DIR}/{f}"))
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    // Only the bundle goes into the package (vsce warns about hundreds of files).
    let ignored = lines(".vscodeignore");
    for pattern in [
        "node_modules/**",
        "extension.js",
        "package-lock.json",
        "*.vsix",
    ] {
        assert!(
            ignored.iter().any(|l| l == pattern),
            ".vscodeignore lacks {pattern}"
        );
    }
    // Nothing npm or vsce makes is committed.
    let git = lines(".gitignore");
    for pattern in ["node_modules/", "dist/", "*.vsix"] {
        assert!(
            git.iter().any(|l| l == pattern),
            ".gitignore lacks {pattern}"
        );
    }
}

/// A pattern of the grammar, compiled.
enum Pat {
    Match {
        re: Regex,
        name: Option<String>,
        captures: Vec<(usize, String)>,
    },
    Region {
        begin: Regex,
        end: Regex,
        name: String,
    },
}

fn compile(re: &str) -> Regex {
    Regex::new(re).unwrap_or_else(|e| panic!("grammar regex {re:?} does not compile: {e}"))
}

fn patterns(g: &Value, list: &Value, out: &mut Vec<Pat>) {
    for p in list.as_array().unwrap() {
        if let Some(inc) = p["include"].as_str() {
            let key = inc.strip_prefix('#').unwrap();
            let entry = &g["repository"][key];
            assert!(entry.is_object(), "include {inc} not in the repository");
            if entry["patterns"].is_array() {
                patterns(g, &entry["patterns"], out);
            } else {
                patterns(g, &Value::Array(vec![entry.clone()]), out);
            }
        } else if let Some(m) = p["match"].as_str() {
            let captures = p["captures"]
                .as_object()
                .map(|c| {
                    c.iter()
                        .map(|(k, v)| (k.parse().unwrap(), v["name"].as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            out.push(Pat::Match {
                re: compile(m),
                name: p["name"].as_str().map(str::to_string),
                captures,
            });
        } else {
            if let Some(inner) = p.get("patterns") {
                // Inner patterns must compile too.
                patterns(g, inner, &mut Vec::new());
            }
            out.push(Pat::Region {
                begin: compile(p["begin"].as_str().unwrap()),
                end: compile(p["end"].as_str().unwrap()),
                name: p["name"].as_str().unwrap().to_string(),
            });
        }
    }
}

/// The scope of every token of `line`: (text, scope), unscoped text left out.
fn tokenize(pats: &[Pat], line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < line.len() {
        let mut best: Option<(usize, usize)> = None; // (start, pattern index)
        for (i, p) in pats.iter().enumerate() {
            let re = match p {
                Pat::Match { re, .. } => re,
                Pat::Region { begin, .. } => begin,
            };
            if let Some(m) = re.find_at(line, pos) {
                if best.is_none_or(|(s, _)| m.start() < s) {
                    best = Some((m.start(), i));
                }
            }
        }
        let Some((_, i)) = best else { break };
        match &pats[i] {
            Pat::Match { re, name, captures } => {
                let c = re.captures_at(line, pos).unwrap();
                let whole = c.get(0).unwrap();
                if let Some(n) = name {
                    out.push((whole.as_str().to_string(), n.clone()));
                }
                for (k, n) in captures {
                    if let Some(g) = c.get(*k) {
                        out.push((g.as_str().to_string(), n.clone()));
                    }
                }
                pos = whole.end().max(pos + 1);
            }
            Pat::Region { begin, end, name } => {
                let b = begin.find_at(line, pos).unwrap();
                // The end is searched after the begin, skipping escapes.
                let mut at = b.end();
                let stop = loop {
                    match end.find_at(line, at) {
                        Some(e)
                            if line[..e.start()].ends_with('\\')
                                && !line[..e.start()].ends_with("\\\\") =>
                        {
                            at = e.end()
                        }
                        Some(e) => break e.end(),
                        None => break line.len(),
                    }
                };
                out.push((line[b.start()..stop].to_string(), name.clone()));
                pos = stop;
            }
        }
    }
    out
}

fn scope_of<'a>(tokens: &'a [(String, String)], text: &str) -> Option<&'a str> {
    tokens
        .iter()
        .find(|(t, _)| t == text)
        .map(|(_, s)| s.as_str())
}

#[test]
fn the_grammar_scopes_gsl_tokens() {
    let g = json("syntaxes/gsl.tmLanguage.json");
    let mut pats = Vec::new();
    patterns(&g, &g["patterns"], &mut pats);
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "# id: CIS-AWS-4.3",
            &[
                ("id", "keyword.other.metadata.gsl"),
                ("CIS-AWS-4.3", "string.unquoted.metadata.gsl"),
            ],
        ),
        (
            "List<CloudTrail> should have items with [",
            &[
                ("List", "storage.type.list.gsl"),
                ("CloudTrail", "entity.name.type.gsl"),
                ("should", "keyword.control.gsl"),
                ("have", "keyword.control.gsl"),
                ("with", "keyword.operator.list.gsl"),
            ],
        ),
        (
            "  and fieldSelectors contain-none [field = 'it\\'s # not a comment']",
            &[
                ("and", "keyword.control.gsl"),
                ("contain-none", "keyword.operator.list.gsl"),
                ("=", "keyword.operator.comparison.gsl"),
                ("'it\\'s # not a comment'", "string.quoted.single.gsl"),
            ],
        ),
        (
            "CloudTrail where name regexMatch /^a\\/b/i // trails",
            &[
                ("CloudTrail", "entity.name.type.gsl"),
                ("regexMatch", "keyword.operator.word.gsl"),
                ("/^a\\/b/i", "string.regexp.gsl"),
                ("// trails", "comment.line.double-slash.gsl"),
            ],
        ),
        (
            "filterPattern isFilterPatternEqual('{ $.a = 1 }') and length() >= 2 and x != null",
            &[
                ("isFilterPatternEqual", "support.function.gsl"),
                ("'{ $.a = 1 }'", "string.quoted.single.gsl"),
                ("length", "support.function.gsl"),
                (">=", "keyword.operator.comparison.gsl"),
                ("2", "constant.numeric.gsl"),
                ("!=", "keyword.operator.comparison.gsl"),
                ("null", "constant.language.gsl"),
            ],
        ),
        (
            "  # a comment with 'quotes' and [",
            &[(
                "# a comment with 'quotes' and [",
                "comment.line.number-sign.gsl",
            )],
        ),
    ];
    for (line, want) in cases {
        let tokens = tokenize(&pats, line);
        for (text, scope) in *want {
            assert_eq!(
                scope_of(&tokens, text),
                Some(*scope),
                "{text:?} in {line:?}: {tokens:?}"
            );
        }
    }
    // Every keyword of the language and every builtin is highlighted.
    for k in gsl::lang::parser::KEYWORDS.iter().filter(|k| **k != "List") {
        let line = format!("x {k} y");
        let tokens = tokenize(&pats, &line);
        let scope = scope_of(&tokens, k).unwrap_or_else(|| panic!("keyword {k}: {tokens:?}"));
        assert!(
            scope.starts_with("keyword.") || scope.starts_with("constant.language"),
            "{k}: {scope}"
        );
    }
    for b in gsl::lang::eval::builtins::BUILTINS {
        let line = format!("x {}()", b.name);
        assert_eq!(
            scope_of(&tokenize(&pats, &line), b.name),
            Some("support.function.gsl"),
            "{}",
            b.name
        );
    }
}

/// The Neovim setup of docs/editors.md (its first ```lua block: the one for 0.7 and
/// later), driven in the distribution's headless Neovim against this gsl: the filetype
/// is set, the server attaches, and diagnostics, completion, hover and formatting come
/// back. `.ci/run` installs Debian's neovim (0.7).
#[test]
fn the_documented_neovim_setup_talks_to_the_server() {
    let nvim = std::path::Path::new("/usr/bin/nvim");
    assert!(
        nvim.is_file(),
        "Neovim is needed to test the documented setup, and /usr/bin/nvim is missing.\n\
         Install it: apt-get update && apt-get install -y neovim   (.ci/run does this)"
    );
    let docs = std::fs::read_to_string("docs/editors.md").unwrap();
    let section = docs.split("## Neovim").nth(1).unwrap();
    let setup = section
        .split("```lua\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let gsl = assert_cmd::cargo::cargo_bin("gsl");
    assert!(setup.contains(r#"cmd = { "gsl", "lsp" }"#), "{setup}");
    let setup = setup.replace(
        r#"cmd = { "gsl", "lsp" }"#,
        &format!(r#"cmd = {{ "{}", "lsp" }}"#, gsl.display()),
    );
    const DRIVER: &str = r#"
local out = os.getenv("GSL_NVIM_OUT")
vim.defer_fn(function()
  local buf = vim.api.nvim_get_current_buf()
  local r = { filetype = vim.bo[buf].filetype }
  local function clients()
    if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = buf }) end
    return vim.lsp.buf_get_clients(buf)
  end
  r.attached = vim.wait(20000, function() return next(clients()) ~= nil end, 50)
  vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  r.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(r.diagnostics, d.message) end
  local doc = { uri = vim.uri_from_bufnr(buf) }
  local function req(method, params)
    for _, v in pairs(vim.lsp.buf_request_sync(buf, method, params, 20000) or {}) do
      if v.result then return v.result end
    end
  end
  local c = req("textDocument/completion", { textDocument = doc, position = { line = 0, character = 25 } })
  r.completion = {}
  for _, i in ipairs(c and (c.items or c) or {}) do table.insert(r.completion, i.label) end
  local line = vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]
  local h = req("textDocument/hover", { textDocument = doc, position = { line = 0, character = line:find("length") } })
  r.hover = h and h.contents and (h.contents.value or h.contents) or ""
  local f = req("textDocument/formatting", { textDocument = doc, options = { tabSize = 2, insertSpaces = true } })
  r.formatted = f and f[1] and f[1].newText or ""
  local file = io.open(out, "w")
  file:write(vim.fn.json_encode(r))
  file:close()
  vim.cmd("qa!")
end, 200)
"#;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("init.lua");
    std::fs::write(&config, format!("{setup}\n{DRIVER}")).unwrap();
    let rule = dir.path().join("rule.gsl");
    std::fs::write(
        &rule,
        "CloudTrail   should have statuz.isLogging = true and metricFilters length() > 0\n",
    )
    .unwrap();
    let out = dir.path().join("result.json");
    let mut child = std::process::Command::new(nvim)
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&config)
        .arg(&rule)
        .current_dir(dir.path())
        .env("GSL_NVIM_OUT", &out)
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish in 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let text = std::fs::read_to_string(&out).expect("the driver wrote its results");
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["filetype"], "gsl", "{r}");
    assert_eq!(r["attached"], true, "{r}");
    let diagnostics = r["diagnostics"].to_string();
    assert!(diagnostics.contains("statuz"), "{r}");
    let completion: Vec<&str> = r["completion"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(completion.contains(&"isMultiRegionTrail"), "{r}");
    assert!(r["hover"].as_str().unwrap().contains("length"), "{r}");
    assert!(
        r["formatted"]
            .as_str()
            .unwrap()
            .starts_with("CloudTrail should have statuz.isLogging = true"),
        "{r}"
    );
}
