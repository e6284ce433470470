// A planned change set → VS Code's refactor preview: per file a diff, per change a checkbox
// (every entry needs confirmation, so nothing changes until the user ticks and applies), applied by
// one applyEdit: one undo step across the files. What was applied is read back from the files.
import * as vscode from "vscode";
import type { ChangeSetPlan, PlannedChange } from "../../core/agent/changeSetPlan.js";
import type { ObservedChange, ReviewResult } from "../../core/agent/changeSetOutcome.js";

async function exists(uri: vscode.Uri): Promise<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
}

async function addChange(edit: vscode.WorkspaceEdit, change: PlannedChange, summary: string): Promise<void> {
  const uri = vscode.Uri.file(change.file);
  const label = change.kind === "rename" ? `Rename ${change.shown} → ${change.newShown}` : `${change.kind[0]!.toUpperCase()}${change.kind.slice(1)} ${change.shown}`;
  const metadata: vscode.WorkspaceEditEntryMetadata = { needsConfirmation: true, label, description: summary };
  switch (change.kind) {
    case "edit": {
      const document = await vscode.workspace.openTextDocument(uri);
      // Changed while the model answered or the user reviewed: not offered (the report says so).
      if (document.getText() !== change.baseText) return;
      for (const plain of change.edits) {
        edit.replace(uri, new vscode.Range(document.positionAt(plain.start), document.positionAt(plain.end)), plain.newText, metadata);
      }
      return;
    }
    case "create":
      return edit.createFile(uri, { overwrite: false, contents: new TextEncoder().encode(change.content) }, metadata);
    case "rename":
      return edit.renameFile(uri, vscode.Uri.file(change.newFile), { overwrite: false }, metadata);
    case "delete":
      return edit.deleteFile(uri, { recursive: false, ignoreIfNotExists: false }, metadata);
  }
}

async function observe(change: PlannedChange): Promise<ObservedChange> {
  const uri = vscode.Uri.file(change.file);
  if (change.kind === "edit") {
    const textAfter = await vscode.workspace.openTextDocument(uri).then(
      (document) => document.getText(),
      () => undefined,
    );
    return { kind: "edit", textAfter };
  }
  return { kind: "file", exists: await exists(uri), ...(change.kind === "rename" ? { newExists: await exists(vscode.Uri.file(change.newFile)) } : {}) };
}

/** Shows the plan in the refactor preview and waits for the user; Stop discards the preview. */
export async function reviewChangeSet(plan: ChangeSetPlan, signal?: AbortSignal): Promise<ReviewResult> {
  const edit = new vscode.WorkspaceEdit();
  for (const change of plan.planned) await addChange(edit, change, plan.summary);
  if (edit.size === 0) return { kind: "reviewed", observed: await Promise.all(plan.planned.map(observe)) };
  signal?.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<"stopped">((resolve) => {
    onAbort = () => {
      void vscode.commands.executeCommand("refactorPreview.discard").then(undefined, () => undefined);
      resolve("stopped");
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    const applied = await Promise.race([vscode.workspace.applyEdit(edit, { isRefactoring: true }), stopped]);
    if (applied === "stopped") return { kind: "stopped" };
    if (!applied) return { kind: "discarded" };
    return { kind: "reviewed", observed: await Promise.all(plan.planned.map(observe)) };
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
