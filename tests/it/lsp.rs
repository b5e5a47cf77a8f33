//! `gsl lsp` driven over stdio as an editor would: a small LSP client (JSON-RPC with
//! `Content-Length` framing, serde_json) talks to the real binary.

use gsl::lang::ast::SameShape;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: i64,
    /// Notifications received while waiting for responses.
    notifications: Vec<Value>,
}

impl Client {
    fn start(root: &std::path::Path) -> Client {
        Client::start_with(root, &[])
    }

    /// Start `gsl lsp` in `root` (its `gsl.toml` applies) with extra arguments.
    fn start_with(root: &std::path::Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gsl"))
            .arg("lsp")
            .args(args)
            .current_dir(root)
            .env("XDG_CONFIG_HOME", root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start gsl lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut c = Client {
            child,
            stdin,
            stdout,
            next_id: 0,
            notifications: Vec::new(),
        };
        let root_uri = format!("file://{}", root.display());
        let init = c.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": {},
                   "workspaceFolders": [{"uri": root_uri, "name": "ws"}]}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "gsl", "{init}");
        assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn read(&mut self) -> Value {
        let mut len = None;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server closed"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = Some(v.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; len.expect("Content-Length header")];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.read();
            if msg.get("id") == Some(&json!(id)) {
                return msg;
            }
            self.notifications.push(msg);
        }
    }

    /// The next diagnostics published for `uri` (from those already received first).
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            }) {
                let n = self.notifications.remove(i);
                return n["params"]["diagnostics"].as_array().unwrap().clone();
            }
            let msg = self.read();
            self.notifications.push(msg);
        }
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect()
}

fn range(d: &Value) -> [u64; 4] {
    let r = &d["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

fn at(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

const HEADER: &str = "# id: T-1\n# title: A test policy\n";

#[test]
fn an_editor_session() {
    let dir = tempfile::tempdir().unwrap();
    // A workspace file that is never opened still gets its diagnostics.
    let broken = dir.path().join("broken.gsl");
    std::fs::write(
        &broken,
        "# id: B-1\n# titel: x\nCloudTrail should have name\n",
    )
    .unwrap();
    let mut c = Client::start(dir.path());
    let broken_uri = format!("file://{}", broken.display());
    let d = c.diagnostics(&broken_uri);
    assert_eq!(codes(&d), ["gsl::policy::unknown_key"], "{d:?}");
    assert_eq!(range(&d[0]), [1, 2, 1, 7]);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `title`?"),
        "{d:?}"
    );

    // A typo'd keyword (with a non-ASCII comment before it: columns are UTF-16).
    let uri = format!("file://{}/rule.gsl", dir.path().display());
    let typo = format!("{HEADER}// ü😀\nCloudTrail shuold have isMultiRegionTrail = true\n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gsl", "version": 1, "text": typo}}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(codes(&d), ["gsl::parse::keyword_typo"], "{d:?}");
    assert_eq!(range(&d[0]), [3, 11, 3, 17]);
    assert!(d[0]["message"].as_str().unwrap().contains("help:"), "{d:?}");

    // A bad filter pattern and an unknown property.
    let text = format!(
        "{HEADER}CloudTrail should have statuz.isLogging = true\n  and metricFilters with [filterPattern isFilterPatternEqual('{{ $.a = ')]\n"
    );
    let change = |c: &mut Client, version: i64, text: &str| {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    };
    change(&mut c, 2, &text);
    let d = c.diagnostics(&uri);
    // Both are errors of the checker, as in `gsl check`: `statuz` is not a property of
    // the collected CloudTrail (its schema, docs/entities.md), and the pattern does not
    // parse.
    assert_eq!(
        codes(&d),
        ["gsl::eval::unknown_property", "gsl::eval::bad_pattern"],
        "{d:?}"
    );
    assert_eq!(range(&d[0]), [2, 23, 2, 29]);
    assert_eq!(d[0]["severity"], 1);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `status`?"),
        "{d:?}"
    );
    let line = text.lines().nth(3).unwrap();
    let col = line.find("'{").unwrap() as u64;
    assert_eq!(range(&d[1])[..2], [3, col]);
    // With both fixed, nothing is left.
    let text = text
        .replace("$.a = '", "$.a = 1 }'")
        .replace("statuz", "status");
    change(&mut c, 3, &text);
    let d = c.diagnostics(&uri);
    assert!(d.is_empty(), "{d:?}");

    // Over a type of one's own, a property no entity of the snapshot has is a warning
    // (`gsl::eval::unseen_property`, as `gsl check` reports it): the multi-type example.
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/multi-type/snapshot.json"
    );
    let own = format!("{HEADER}KubernetesPod should have spce.hostNetwork = false\n");
    change(&mut c, 4, &own);
    // The sample has no KubernetesPod: nothing to judge.
    assert!(c.diagnostics(&uri).is_empty());
    let configure = |c: &mut Client, snapshot: &str| {
        c.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"gsl": {"snapshot": snapshot}}}),
        );
    };
    configure(&mut c, example);
    let d = c.diagnostics(&uri);
    assert_eq!(codes(&d), ["gsl::eval::unseen_property"], "{d:?}");
    assert_eq!(d[0]["severity"], 2);
    assert_eq!(range(&d[0])[..2], [2, 26]);
    assert!(
        d[0]["message"].as_str().unwrap().contains("`spec`"),
        "{d:?}"
    );
    // Back to the built-in sample for the rest of the session.
    configure(&mut c, "");
    assert!(c.diagnostics(&uri).is_empty());

    // Completion inside `metricFilters with [` offers the element's properties.
    let text2 = format!("{HEADER}CloudTrail should have metricFilters with [ fil");
    change(&mut c, 4, &text2);
    let _ = c.diagnostics(&uri);
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": at(2, 47)}),
    );
    let items = r["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"filterPattern"), "{labels:?}");
    assert!(!labels.contains(&"isMultiRegionTrail"), "{labels:?}");
    let fp = items
        .iter()
        .find(|i| i["label"] == "filterPattern")
        .unwrap();
    assert_eq!(fp["textEdit"]["range"]["start"], at(2, 44));
    // In the header: nothing in a value, the metadata keys in a key.
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": at(0, 8)}),
    );
    assert!(r["result"].as_array().unwrap().is_empty());
    let text3 = format!("{HEADER}# sev\nCloudTrail should have name\n");
    change(&mut c, 5, &text3);
    let _ = c.diagnostics(&uri);
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": at(2, 5)}),
    );
    let items = r["result"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["textEdit"]["newText"], "severity: ");

    // Hover over a builtin: its signature and doc from the builtin table.
    change(&mut c, 6, &text);
    let _ = c.diagnostics(&uri);
    let col = text
        .lines()
        .nth(3)
        .unwrap()
        .find("isFilterPatternEqual")
        .unwrap() as u32;
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(3, col + 3)}),
    );
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    let b = gsl::lang::eval::builtins::lookup("isFilterPatternEqual").unwrap();
    assert!(
        value.contains(&b.signature()) && value.contains(b.doc),
        "{value}"
    );
    // Over the pattern literal: its canonical form.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(3, col + 24)}),
    );
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains(&gsl::pattern::canonical("{ $.a = 1 }").unwrap()),
        "{value}"
    );

    // Formatting a messy rule: the result parses to the same tree.
    let messy = format!(
        "{HEADER}CloudTrail   should have isMultiRegionTrail=true // one\n and status.isLogging=true\n"
    );
    change(&mut c, 7, &messy);
    let _ = c.diagnostics(&uri);
    let r = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = r["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{r}");
    let formatted = edits[0]["newText"].as_str().unwrap();
    assert!(
        formatted.starts_with(HEADER) && formatted.contains("// one"),
        "{formatted}"
    );
    let before = gsl::lang::parser::parse_rule(&messy).unwrap();
    let after = gsl::lang::parser::parse_rule(formatted).unwrap();
    assert!(after.same_shape(&before), "{formatted}");
    assert_eq!(range(&edits[0]), [0, 0, 4, 0]);

    // Evaluate on snapshot: the lens, the counts, the first failure's explanation.
    let r = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let lens = &r["result"][0];
    assert_eq!(lens["command"]["command"], "gsl.evaluate");
    assert_eq!(lens["range"]["start"], at(2, 0));
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": "gsl.evaluate", "arguments": lens["command"]["arguments"]}),
    );
    let res = &r["result"];
    assert_eq!(
        (res["passed"].as_u64(), res["failed"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert!(
        res["firstFailure"].as_str().unwrap().contains("legacy-eu"),
        "{r}"
    );
    let d = c.diagnostics(&uri);
    assert_eq!(codes(&d), ["gsl::lsp::evaluated"], "{d:?}");
    assert_eq!(d[0]["severity"], 3);

    // Fixed text: the diagnostics clear.
    change(&mut c, 8, formatted);
    let d = c.diagnostics(&uri);
    assert!(d.is_empty(), "{d:?}");
    c.stop();
}

#[test]
fn parameters_complete_hover_and_check_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gsl.toml"),
        "[params]
Admin_Ports = [22, 3389]
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mine.toml"),
        "Max_Hosts = 256
",
    )
    .unwrap();
    let mut c = Client::start_with(dir.path(), &["--params", "mine.toml"]);
    let uri = format!("file://{}/p.gsl", dir.path().display());
    let text = format!(
        "{HEADER}SecurityGroup should not have inboundRules contain [port in ($Admin_Ports) and scope numberOfHosts() > $Max_Hosts]
"
    );
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "gsl", "version": 1, "text": text}}),
    );
    assert!(
        c.diagnostics(&uri).is_empty(),
        "both parameters are defined"
    );
    // Hover over `$Admin_Ports` (gsl.toml) and `$Max_Hosts` (--params).
    let line = text.lines().nth(2).unwrap();
    let col = line.find("$Admin_Ports").unwrap() as u32;
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(2, col + 2)}),
    );
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("parameter `$Admin_Ports` = `(22, 3389)`") && value.contains("gsl.toml:2"),
        "{value}"
    );
    let col = line.find("$Max_Hosts").unwrap() as u32;
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(2, col + 1)}),
    );
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("= `256`") && value.contains("mine.toml:1"),
        "{value}"
    );
    // Completion after `$`: every defined name, gsl's defaults too.
    let text2 = format!("{HEADER}SecurityGroup should not have inboundRules contain [port in ($");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text2}]}),
    );
    let _ = c.diagnostics(&uri);
    let col = text2.lines().nth(2).unwrap().len() as u32;
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": at(2, col)}),
    );
    let items = r["result"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        ["$Admin_Ports", "$CloudGuard_Known_UDP_Ports", "$Max_Hosts"],
        "{items:?}"
    );
    assert_eq!(items[0]["textEdit"]["range"]["start"], at(2, col - 1));
    // An unknown parameter is a diagnostic with a did-you-mean.
    let text3 =
        format!("{HEADER}SecurityGroup should have inboundRules contain [port in ($Admin_Port)]\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text3}]}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(codes(&d), ["gsl::eval::unknown_parameter"], "{d:?}");
    let col = text3.lines().nth(2).unwrap().find("$Admin_Port").unwrap() as u64;
    assert_eq!(range(&d[0]), [2, col, 2, col + "$Admin_Port".len() as u64]);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `$Admin_Ports`?"),
        "{d:?}"
    );
    c.stop();
}
