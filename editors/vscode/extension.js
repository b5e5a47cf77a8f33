// The GSL extension's client: starts `gsl lsp` (setting `gsl.path`) and hands it the
// `gsl` settings (`gsl.snapshot`). Everything else is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("gsl");
  const command = config.get("path") || "gsl";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "gsl" }],
    initializationOptions: { snapshot: config.get("snapshot") || "" },
    synchronize: { configurationSection: "gsl" },
  };
  client = new LanguageClient("gsl", "GSL language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
