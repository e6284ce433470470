// RefactorPlan → WorkspaceEdit. Every entry carries `needsConfirmation`, so VS Code shows its
// refactor preview before anything changes; one applyEdit is one undo step. Renames go through the
// language's rename provider where there is one (references in other files follow); every file an
// edit touches is checked against the refusal rules first.
import * as vscode from "vscode";
import { checkDocumentVersion, checkEditTarget } from "../../core/refactor/editSafety.js";
import { RefactorError } from "../../core/refactor/refactorError.js";
import type { PlainEdit, RefactorPlan } from "../../core/refactor/refactorTarget.js";

function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === "file").map((folder) => folder.uri.fsPath);
}

export async function isReadOnly(uri: vscode.Uri): Promise<boolean> {
  if (vscode.workspace.fs.isWritableFileSystem(uri.scheme) === false) return true;
  if (uri.scheme === "untitled") return false;
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    return ((stat.permissions ?? 0) & vscode.FilePermission.Readonly) !== 0;
  } catch {
    return false; // a file the rename provider is about to create
  }
}

async function checkUri(uri: vscode.Uri, picked: vscode.Uri): Promise<void> {
  checkEditTarget(
    {
      uri: uri.toString(),
      fsPath: uri.scheme === "file" ? uri.fsPath : undefined,
      isUntitled: uri.scheme === "untitled",
      isReadOnly: await isReadOnly(uri),
      picked: uri.toString() === picked.toString(),
    },
    workspaceFolderPaths(),
  );
}

/** The language's rename edit, or undefined when the language has no rename provider or refuses. */
async function providerRename(uri: vscode.Uri, position: vscode.Position, newName: string): Promise<vscode.WorkspaceEdit | undefined> {
  try {
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit | undefined>("vscode.executeDocumentRenameProvider", uri, position, newName);
    return edit && edit.size > 0 ? edit : undefined;
  } catch {
    return undefined;
  }
}

function toTextEdit(document: vscode.TextDocument, edit: PlainEdit): vscode.TextEdit {
  return new vscode.TextEdit(new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end)), edit.newText);
}

function overlapping(edits: readonly vscode.TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.range.start.compareTo(b.range.start) || a.range.end.compareTo(b.range.end));
  return sorted.some((edit, i) => i > 0 && edit.range.start.isBefore(sorted[i - 1]!.range.end));
}

/** Builds the previewable edit, or refuses with a RefactorError. Undefined when the plan changes nothing. */
export async function buildRefactorEdit(plan: RefactorPlan, document: vscode.TextDocument, displayPath: string): Promise<vscode.WorkspaceEdit | undefined> {
  checkDocumentVersion(plan.version, document.version, displayPath);
  await checkUri(document.uri, document.uri);

  const byUri = new Map<string, { uri: vscode.Uri; edits: vscode.TextEdit[] }>();
  const add = (uri: vscode.Uri, edits: readonly vscode.TextEdit[]) => {
    const entry = byUri.get(uri.toString()) ?? { uri, edits: [] };
    entry.edits.push(...edits);
    byUri.set(uri.toString(), entry);
  };
  add(document.uri, plan.edits.map((edit) => toTextEdit(document, edit)));
  for (const rename of plan.renames) {
    const viaProvider = await providerRename(document.uri, document.positionAt(rename.offset), rename.to);
    if (viaProvider) for (const [uri, edits] of viaProvider.entries()) add(uri, edits);
    else add(document.uri, rename.fallbackEdits.map((edit) => toTextEdit(document, edit)));
  }
  // The provider ran against the live document: it must still be the version the model saw.
  checkDocumentVersion(plan.version, document.version, displayPath);

  const workspaceEdit = new vscode.WorkspaceEdit();
  const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: true, label: plan.title, description: plan.rationale };
  for (const { uri, edits } of byUri.values()) {
    if (edits.length === 0) continue;
    await checkUri(uri, document.uri);
    if (overlapping(edits)) throw new RefactorError("overlappingEdits", `The suggested renames collide in ${vscode.workspace.asRelativePath(uri)}; nothing was applied.`);
    for (const edit of edits) workspaceEdit.replace(uri, edit.range, edit.newText, metadata);
  }
  return workspaceEdit.size > 0 ? workspaceEdit : undefined;
}
