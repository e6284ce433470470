// What the chat does to editors: attach the selection or a file, insert code at the cursor, and
// apply code as a change the user previews in a diff and accepts. Insert and Apply change only files
// of the workspace that can be written (or a new untitled editor) (issue 19, item 12).
import { stat } from "node:fs/promises";
import * as vscode from "vscode";
import type { Attachment } from "../../core/chat/conversation.js";

/** Attachments beyond this are refused: they would crowd the conversation out of the context. */
const maxAttachmentChars = 60_000;
const proposalScheme = "deepseek-local-proposal";

/** The editor the user was working in (focus may be in the chat view). */
function targetEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors.find((editor) => editor.document.uri.scheme !== proposalScheme);
}

function label(document: vscode.TextDocument): string {
  return vscode.workspace.asRelativePath(document.uri, false);
}

function capped(text: string, what: string): string {
  if (text.length > maxAttachmentChars) {
    throw new Error(`${what} has ${text.length} characters; the chat attaches at most ${maxAttachmentChars}. Select a smaller part.`);
  }
  return text;
}

export function selectionAttachment(): Attachment {
  const editor = targetEditor();
  if (!editor) throw new Error("Open a file and select code to attach it.");
  const selection = editor.selection;
  if (selection.isEmpty) return fileAttachment(editor.document);
  const text = capped(editor.document.getText(selection), "The selection");
  const path = label(editor.document);
  return { kind: "selection", label: `${path}:${selection.start.line + 1}-${selection.end.line + 1}`, path, languageId: editor.document.languageId, text };
}

export function fileAttachment(document = targetEditor()?.document): Attachment {
  if (!document) throw new Error("Open a file to attach it.");
  const path = label(document);
  return { kind: "file", label: path, path, languageId: document.languageId, text: capped(document.getText(), path) };
}

/** The `@file` picker: a workspace file, chosen in a quick pick. */
export async function pickFileAttachment(): Promise<Attachment | undefined> {
  const files = await vscode.workspace.findFiles("**/*", "**/{node_modules,.git,dist,out,build}/**", 5000);
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri })).sort((a, b) => a.label.localeCompare(b.label)),
    { placeHolder: "Attach a file to the chat", matchOnDescription: true },
  );
  if (!picked) return undefined;
  const document = await vscode.workspace.openTextDocument(picked.uri);
  return fileAttachment(document);
}

/** Why the chat must not change this document, or undefined: outside the workspace, or read-only. */
async function notEditable(document: vscode.TextDocument): Promise<string | undefined> {
  const uri = document.uri;
  const name = label(document);
  if (uri.scheme === "untitled") return undefined;
  if (uri.scheme === proposalScheme) return "The proposed change is a preview; pick the editor of the file to change.";
  if (!vscode.workspace.getWorkspaceFolder(uri)) {
    return `${name} is not in the workspace; the chat changes only files of the open folders. Nothing was changed (copy the code instead).`;
  }
  const readOnly = `${name} is read-only; nothing was changed.`;
  if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) return readOnly;
  const info = await vscode.workspace.fs.stat(uri).then(
    (value) => value,
    () => undefined,
  );
  if (info?.permissions && info.permissions & vscode.FilePermission.Readonly) return readOnly;
  // A file without write permission bits is meant to stay as it is (even for a user who could write it).
  if (uri.scheme === "file") {
    const mode = await stat(uri.fsPath).then(
      (value) => value.mode,
      () => undefined,
    );
    if (mode !== undefined && (mode & 0o222) === 0) return readOnly;
  }
  return undefined;
}

async function checkEditable(document: vscode.TextDocument): Promise<void> {
  const problem = await notEditable(document);
  if (problem) throw new Error(problem);
}

export async function insertAtCursor(code: string): Promise<void> {
  const editor = targetEditor();
  if (!editor) throw new Error("Open a file and place the cursor where the code should go.");
  await checkEditable(editor.document);
  const applied = await editor.edit((builder) => {
    for (const selection of editor.selections) builder.replace(selection, code);
  });
  if (!applied) throw new Error("The editor refused the edit (is the file read-only?).");
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
}

/** Proposed file contents shown on the right side of the preview diff. */
class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private counter = 0;

  add(text: string, original: vscode.Uri): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: proposalScheme, path: original.path, query: String(++this.counter) });
    this.contents.set(uri.toString(), text);
    if (this.contents.size > 20) this.contents.delete(this.contents.keys().next().value!);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }
}

const proposals = new ProposalDocuments();

export function registerProposalDocuments(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(proposalScheme, proposals);
}

/**
 * Shows the code applied to the current file (over the selection, or as the whole file when nothing
 * is selected) in a diff, and applies it only when the user accepts and the file has not changed
 * in the meantime.
 */
export async function applyWithPreview(code: string): Promise<boolean> {
  const editor = targetEditor();
  if (!editor) throw new Error("Open the file the code should change.");
  const document = editor.document;
  await checkEditable(document);
  const version = document.version;
  const range = editor.selection.isEmpty ? new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)) : editor.selection;
  const before = document.getText();
  const after = before.slice(0, document.offsetAt(range.start)) + code + before.slice(document.offsetAt(range.end));
  const proposal = proposals.add(after, document.uri);
  await vscode.commands.executeCommand("vscode.diff", document.uri, proposal, `${label(document)} ↔ proposed change`, { preview: true });
  const choice = await vscode.window.showInformationMessage(`Apply the proposed change to ${label(document)}?`, "Apply", "Discard");
  if (choice !== "Apply") return false;
  if (document.version !== version) throw new Error(`${label(document)} changed while the diff was open; nothing was applied. Apply again.`);
  await checkEditable(document);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, code);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error("VS Code refused the edit; nothing was applied.");
  await vscode.window.showTextDocument(document, editor.viewColumn);
  return true;
}
