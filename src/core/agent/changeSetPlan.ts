// A proposal → a change set the user can review: each change resolved against the workspace as it
// is now, or refused with the reason the user and the model both read. A refused change never
// stops the others; nothing here writes — the editor shows the plan and applies what the user ticks.
import { RefactorError } from "../refactor/refactorError.js";
import type { PlainEdit } from "../refactor/refactorTarget.js";
import { SelectionView, findAnchor } from "../refactor/selectionText.js";
import { ToolError } from "../chat/workspaceTools.js";
import type { ReadLedger } from "../chat/readLedger.js";
import type { AnchoredReplacement, EditProposal, ProposedChange } from "./editProposal.js";

/** The workspace as the planner sees it: paths checked by the chat's tools, texts as the editor holds them. */
export interface ChangeSetWorkspace {
  /** An existing or new path inside the workspace and not private, or a ToolError saying why not. */
  locate(requested: string): Promise<{ file: string; shown: string; exists: boolean }>;
  /** Whether an existing path is a file (not a folder). */
  isFile(file: string): Promise<boolean>;
  /** The file's text now (an open editor's buffer, unsaved changes included) and whether it may be written. */
  current(file: string): Promise<{ text: string; readOnly: boolean }>;
}

export type PlannedChange =
  | { kind: "edit"; shown: string; file: string; baseText: string; edits: PlainEdit[] }
  | { kind: "create"; shown: string; file: string; content: string }
  | { kind: "rename"; shown: string; file: string; newShown: string; newFile: string }
  | { kind: "delete"; shown: string; file: string };

export interface RefusedChange {
  kind: ProposedChange["kind"];
  shown: string;
  reason: string;
}

export interface ChangeSetPlan {
  summary: string;
  planned: PlannedChange[];
  refused: RefusedChange[];
}

class ChangeRefused extends Error {}

const refuse = (reason: string): never => {
  throw new ChangeRefused(reason);
};

function quoted(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > 50 ? `${line.slice(0, 50)}…` : line);
}

/** The edits of one file as document offsets in its current text (model text is LF; the file keeps its own line ends). */
function anchoredEdits(text: string, replacements: readonly AnchoredReplacement[]): PlainEdit[] {
  const view = new SelectionView(text, 0, text.length);
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const edits = replacements.map(({ anchor, replacement }) => {
    let found;
    try {
      found = findAnchor(view, anchor);
    } catch (error) {
      if (!(error instanceof RefactorError)) throw error;
      return refuse(
        error.code === "anchorAmbiguous"
          ? `the anchor ${quoted(anchor)} occurs more than once in the file; include a neighbouring line`
          : `the anchor ${quoted(anchor)} is not in the file (read it again: it may have changed)`,
      );
    }
    return { start: view.toDocument(found.start), end: view.toDocument(found.end), newText: replacement.replace(/\r\n?/g, "\n").replace(/\n/g, eol) };
  });
  const changing = edits.filter((edit) => text.slice(edit.start, edit.end) !== edit.newText).sort((a, b) => a.start - b.start || a.end - b.end);
  if (!changing.length) refuse("the edits change nothing");
  for (let i = 1; i < changing.length; i++) {
    if (changing[i]!.start < changing[i - 1]!.end) refuse("two of its edits overlap");
  }
  return changing;
}

/** Resolves one change; a ChangeRefused or ToolError says why it cannot be offered. */
async function planChange(change: ProposedChange, workspace: ChangeSetWorkspace, ledger: ReadLedger | undefined): Promise<PlannedChange> {
  const target = await workspace.locate(change.path);
  if (change.kind === "create") {
    if (target.exists) refuse("it already exists (edit it instead)");
    return { kind: "create", shown: target.shown, file: target.file, content: change.content };
  }
  if (!target.exists) refuse("it does not exist");
  if (!(await workspace.isFile(target.file))) refuse("it is a folder, not a file");
  const current = await workspace.current(target.file);
  if (current.readOnly) refuse("it is read-only");
  if (ledger?.changedSinceRead(target.file, current.text)) refuse("it changed since the model read it (read it again)");
  switch (change.kind) {
    case "edit":
      return { kind: "edit", shown: target.shown, file: target.file, baseText: current.text, edits: anchoredEdits(current.text, change.edits) };
    case "rename": {
      const destination = await workspace.locate(change.newPath);
      if (destination.exists) refuse(`${destination.shown} already exists`);
      return { kind: "rename", shown: target.shown, file: target.file, newShown: destination.shown, newFile: destination.file };
    }
    case "delete":
      return { kind: "delete", shown: target.shown, file: target.file };
  }
}

/** Plans every change of a validated proposal; each one is planned or refused on its own. */
export async function planChangeSet(proposal: EditProposal, workspace: ChangeSetWorkspace, ledger?: ReadLedger): Promise<ChangeSetPlan> {
  const plan: ChangeSetPlan = { summary: proposal.summary.trim(), planned: [], refused: [] };
  const claimed = new Set<string>();
  for (const change of proposal.changes) {
    try {
      const planned = await planChange(change, workspace, ledger);
      // One change per file: a second would be planned against text the first replaces.
      const files = planned.kind === "rename" ? [planned.file, planned.newFile] : [planned.file];
      const twice = files.find((file) => claimed.has(file));
      if (twice) refuse(`${twice === planned.file ? "it is" : `${change.kind === "rename" ? change.newPath : change.path} is`} changed twice in this proposal; propose one change per file`);
      for (const file of files) claimed.add(file);
      plan.planned.push(planned);
    } catch (error) {
      // A file the editor cannot open (binary, gone meanwhile) refuses that change, not the proposal.
      const reason = error instanceof ChangeRefused || error instanceof ToolError ? error.message : `it could not be checked (${(error as Error).message})`;
      plan.refused.push({ kind: change.kind, shown: change.path, reason });
    }
  }
  return plan;
}
