// `@changes`: the repository's git diff, staged and unstaged, as the chat sees it. The diff is split
// per file and cut to the budget fairly (core/commitMessage/diffBudget: one lockfile cannot push the
// rest out); private files are named, their contents left out (core/privacy decides which).
import { budgetDiff, splitUnifiedDiff, type BudgetedDiff } from "../../commitMessage/diffBudget.js";
import type { Attachment } from "../conversation.js";
import { contextAttachment, defaultContextTokens } from "./contextProvider.js";

export interface ChangesInput {
  /** `git diff --cached`: the index against HEAD. */
  staged: string;
  /** `git diff`: the working tree against the index. */
  unstaged: string;
}

export interface ChangesOptions {
  privateReason: (path: string) => string | undefined;
  maxTokens?: number;
  /** The repository's folder name, for the chip's label. */
  repositoryName?: string;
}

/** The changes as one attachment, or a sentence saying why there is nothing to attach. */
export function changesContext(input: ChangesInput, options: ChangesOptions): Attachment | string {
  const parts = [
    { name: "Staged changes", files: splitUnifiedDiff(input.staged) },
    { name: "Unstaged changes", files: splitUnifiedDiff(input.unstaged) },
  ].filter((part) => part.files.length);
  if (!parts.length) return "There are no staged or unstaged changes.";
  const total = parts.reduce((sum, part) => sum + part.files.length, 0);
  const budget = options.maxTokens ?? defaultContextTokens;
  // Each part gets the budget in proportion to its files, so unstaged work is not pushed out by a big staged change.
  const sections = parts.map((part) => renderPart(part.name, budgetDiff(part.files, { maxTokens: Math.floor((budget * part.files.length) / total), privateReason: options.privateReason })));
  const shown = sections.filter((section) => section.shown).length;
  if (!shown) return "The changed files are all private (secret-looking or ignored by git); nothing was attached.";
  const label = `Changes: ${total} file${total === 1 ? "" : "s"}${options.repositoryName ? ` in ${options.repositoryName}` : ""}`;
  return contextAttachment("changes", label, sections.map((section) => section.text).join("\n\n"));
}

function renderPart(name: string, diff: BudgetedDiff): { text: string; shown: boolean } {
  const notes = [
    ...diff.namedOnly.map((file) => `(${file.path}: +${file.added} −${file.removed}, diff left out: over the budget)`),
    ...diff.privateFiles.map((file) => `(${file.path}: +${file.added} −${file.removed}, contents private, not shown)`),
  ];
  const diffs = diff.shown.map((file) => file.text + (file.cutLines ? `\n… (${file.cutLines} more lines of ${file.path} cut)` : ""));
  return { text: [`${name}:`, ...diffs, ...notes].join("\n"), shown: diff.shown.length > 0 || diff.namedOnly.length > 0 };
}
