// Refusal rules checked right before an edit is built: the document must be the version the model
// saw, and every file touched must be inside the workspace, writable, and — unless the user picked
// it — saved on disk.
import path from "node:path";
import { RefactorError } from "./refactorError.js";

/** What the editor knows about one file an edit would touch. */
export interface EditTargetFacts {
  uri: string;
  /** File system path for file-like URIs; undefined for untitled and virtual documents. */
  fsPath?: string;
  isUntitled: boolean;
  isReadOnly: boolean;
  /** The document the user ran the action on. */
  picked: boolean;
}

export function checkDocumentVersion(expected: number, actual: number, displayPath: string): void {
  if (expected !== actual) {
    throw new RefactorError("staleDocument", `${displayPath} changed while the model was answering; nothing was applied.`);
  }
}

function pathFlavor(p: string): typeof path.posix {
  return /^[a-zA-Z]:[\\/]/.test(p) || p.startsWith("\\\\") ? path.win32 : path.posix;
}

/** Whether `fsPath` is a workspace folder or inside one (`..` segments resolved, Windows paths case-insensitive). */
export function isInsideWorkspace(fsPath: string, workspaceFolders: readonly string[]): boolean {
  const flavor = pathFlavor(fsPath);
  const fold = (p: string) => (flavor === path.win32 ? p.toLowerCase() : p);
  const file = fold(flavor.resolve(fsPath));
  return workspaceFolders.some((folder) => {
    if (pathFlavor(folder) !== flavor) return false;
    const relative = flavor.relative(fold(flavor.resolve(folder)), file);
    return relative === "" || (relative !== ".." && !relative.startsWith(`..${flavor.sep}`) && !flavor.isAbsolute(relative));
  });
}

export function checkEditTarget(target: EditTargetFacts, workspaceFolders: readonly string[]): void {
  const name = target.fsPath ?? target.uri;
  if (target.isUntitled) {
    if (target.picked) return; // the user ran the action on this unsaved buffer
    throw new RefactorError("untitledTarget", `The edit would change the unsaved document ${name}, which you did not pick; nothing was applied.`);
  }
  if (target.isReadOnly) throw new RefactorError("readOnlyTarget", `${name} is read-only; nothing was applied.`);
  if (!target.fsPath || !isInsideWorkspace(target.fsPath, workspaceFolders)) {
    throw new RefactorError(
      "outsideWorkspace",
      `${name} is outside the workspace folders; DeepSeek Local only edits files inside the workspace. Nothing was applied.`,
    );
  }
}
