// Starts the policyc language server (`policyc lsp`, over stdio) for .policy files.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("policyc").get("server.command");
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "policyc",
    "policyc",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
