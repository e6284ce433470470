// Entry point: activate builds the extension context; everything else lives in src/vscode/.
import type * as vscode from "vscode";
import { activateExtension } from "./vscode/activation.js";

export function activate(context: vscode.ExtensionContext) {
  return activateExtension(context);
}

export function deactivate() {
  // Disposables registered on the context stop the engine; nothing else to do here.
}
