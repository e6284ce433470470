// The editor's side of the chat's edit tools (core/agent/agentTools.ts): texts as the editor holds
// them, the change-set review, and commands — offered only in a trusted workspace.
import * as vscode from "vscode";
import type { AgentEditor } from "../../core/agent/agentTools.js";
import { isReadOnly } from "../refactor/refactorEdit.js";
import { reviewChangeSet } from "./changeSetReview.js";
import { confirmAndRunCommand } from "./commandRunner.js";

export function createAgentEditor(commandTimeoutMs: () => number): AgentEditor {
  return {
    async current(file) {
      const uri = vscode.Uri.file(file);
      const document = await vscode.workspace.openTextDocument(uri);
      return { text: document.getText(), readOnly: await isReadOnly(uri) };
    },
    async isFile(file) {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(file));
      return (stat.type & vscode.FileType.File) !== 0;
    },
    review: reviewChangeSet,
    // A getter: whether commands may run is decided at each turn (Restricted Mode runs none).
    get runCommand() {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
      if (!vscode.workspace.isTrusted || !folder) return undefined;
      return (command: string, signal?: AbortSignal) => confirmAndRunCommand(command, folder, commandTimeoutMs(), signal);
    },
  };
}
