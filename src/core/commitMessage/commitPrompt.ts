// The chat messages that ask for a commit message: what changed (the budgeted diff, every file named
// with its line counts, what was cut or left out said plainly), and how this repository writes its
// subjects. Private files appear by name only: their contents never reach the prompt.
import type { ChatMessage } from "../engine/chatEngine.js";
import type { BudgetedDiff, FileDiff } from "./diffBudget.js";
import { describeCommitStyle, type CommitStyle } from "./commitStyle.js";

export interface CommitPromptInput {
  diff: BudgetedDiff;
  style: CommitStyle;
  /** Whether the diff is the staged one, or the unstaged changes because nothing was staged. */
  source: "staged" | "unstaged";
}

const systemPrompt =
  "You write git commit messages. Answer with the commit message only: a subject line, then, if the change needs explaining, " +
  "a blank line and a short body saying what changed and why. No code fences, no quotes, no introduction.";

const counts = (file: FileDiff) => `+${file.added} -${file.removed}`;

export function buildCommitPrompt(input: CommitPromptInput): ChatMessage[] {
  const { diff, style } = input;
  const changes = input.source === "staged" ? "staged changes" : "uncommitted changes (nothing is staged)";
  const fileList = [
    ...diff.shown.map((file) => `- ${file.path} (${counts(file)})${file.cutLines ? `: diff cut, ${file.cutLines} lines left out` : ""}`),
    ...diff.namedOnly.map((file) => `- ${file.path} (${counts(file)}): diff left out, too long for the prompt`),
    ...diff.privateFiles.map((file) => `- ${file.path} (${counts(file)}): contents private, not shown`),
  ];
  const notes: string[] = [];
  if (diff.shown.some((file) => file.cutLines) || diff.namedOnly.length) notes.push("Some diffs were cut to fit; describe those files from their names and what is shown.");
  if (diff.privateFiles.length) notes.push("Private files are listed by name only; do not guess or mention their contents.");
  const examples = style.examples.length ? ["Recent commit subjects in this repository, newest first:", ...style.examples.map((subject) => `- ${subject}`), ""] : [];
  const user = [
    `Write the commit message for these ${changes}.`,
    "",
    "Files changed:",
    ...fileList,
    ...(notes.length ? ["", ...notes] : []),
    "",
    "Diff:",
    ...diff.shown.map((file) => file.text + (file.cutLines ? `\n… (${file.cutLines} more lines of ${file.path} cut)` : "")),
    "",
    ...examples,
    ...describeCommitStyle(style),
  ].join("\n");
  return [
    { role: "system", content: systemPrompt },
    { role: "user", content: user },
  ];
}
