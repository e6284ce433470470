// What became of a reviewed change set, told once for the user (in the chat) and for the model (the
// tool's result, so its next step knows). VS Code's refactor preview lets the user untick single
// changes and does not say which were applied, so it is read back from the files themselves.
import type { PlainEdit } from "../refactor/refactorTarget.js";
import type { ChangeSetPlan, PlannedChange } from "./changeSetPlan.js";

/** What the editor saw after the review, per planned change (same order). */
export type ObservedChange =
  /** An edited file's text after the review; undefined when it could not be read. */
  | { kind: "edit"; textAfter: string | undefined }
  /** Whether the path (and a rename's new path) exists after the review. */
  | { kind: "file"; exists: boolean; newExists?: boolean };

export type ReviewResult = { kind: "discarded" } | { kind: "reviewed"; observed: ObservedChange[] } | { kind: "stopped" };

export type ChangeState = "applied" | "partly applied" | "skipped" | "changed otherwise";

/**
 * Which edits of a file are in `after`, given its text before them. The text between edits must be
 * unchanged; each edit shows either its new text or the old. Undefined when the file changed in
 * another way (the user typed, a formatter ran).
 */
export function appliedEdits(before: string, edits: readonly PlainEdit[], after: string): boolean[] | undefined {
  const applied: boolean[] = [];
  let from = 0;
  let at = 0;
  for (const [i, edit] of edits.entries()) {
    const between = before.slice(from, edit.start);
    if (!after.startsWith(between, at)) return undefined;
    at += between.length;
    const old = before.slice(edit.start, edit.end);
    const next = before.slice(edit.end, edits[i + 1]?.start ?? before.length);
    const fits = (text: string) => after.startsWith(text, at) && after.startsWith(next, at + text.length);
    if (fits(edit.newText)) applied.push(true);
    else if (fits(old)) applied.push(false);
    else return undefined;
    at += applied[i] ? edit.newText.length : old.length;
    from = edit.end;
  }
  return after.slice(at) === before.slice(from) ? applied : undefined;
}

function stateOf(change: PlannedChange, observed: ObservedChange | undefined): { state: ChangeState; detail?: string } {
  if (change.kind === "edit") {
    const after = observed?.kind === "edit" ? observed.textAfter : undefined;
    const applied = after === undefined ? undefined : appliedEdits(change.baseText, change.edits, after);
    if (!applied) return { state: "changed otherwise" };
    const count = applied.filter(Boolean).length;
    const detail = `${count} of ${applied.length} edit${applied.length === 1 ? "" : "s"}`;
    return { state: count === applied.length ? "applied" : count === 0 ? "skipped" : "partly applied", detail };
  }
  if (observed?.kind !== "file") return { state: "changed otherwise" };
  const done = change.kind === "create" ? observed.exists : change.kind === "delete" ? !observed.exists : !observed.exists && observed.newExists === true;
  return { state: done ? "applied" : "skipped" };
}

function describeChange(change: PlannedChange | { kind: string; shown: string }): string {
  return change.kind === "rename" && "newShown" in change ? `rename ${change.shown} → ${change.newShown}` : `${change.kind} ${change.shown}`;
}

export interface ChangeSetReport {
  /** The tool's result: what the model reads in its next step, and what the chat shows. */
  text: string;
  applied: number;
  /** Whether any change was applied (the files the model read are no longer as it read them). */
  touchedFiles: string[];
}

/** The report of a review: per change applied / skipped / refused, with the reasons. */
export function reportChangeSet(plan: ChangeSetPlan, result: ReviewResult): ChangeSetReport {
  const lines: string[] = [];
  const touched: string[] = [];
  let applied = 0;
  if (plan.planned.length) {
    if (result.kind === "discarded") lines.push("The user discarded the proposed changes; nothing was applied.");
    else if (result.kind === "stopped") lines.push("The chat was stopped before the user reviewed the changes.");
    else lines.push("The user reviewed the proposed changes:");
  }
  if (result.kind === "reviewed") {
    for (const [i, change] of plan.planned.entries()) {
      const { state, detail } = stateOf(change, result.observed[i]);
      if (state !== "skipped") touched.push(change.file, ...(change.kind === "rename" ? [change.newFile] : []));
      if (state === "applied" || state === "partly applied") applied++;
      const label = state === "skipped" ? "skipped by the user" : state === "changed otherwise" ? "the file changed in another way; read it again" : state;
      lines.push(`- ${describeChange(change)}: ${label}${detail ? ` (${detail})` : ""}`);
    }
  }
  if (plan.refused.length) lines.push(plan.planned.length ? "Refused before review:" : "Every change was refused; nothing was shown to the user:");
  for (const refused of plan.refused) lines.push(`- ${describeChange(refused)}: ${refused.reason}`);
  return { text: lines.join("\n"), applied, touchedFiles: touched };
}
