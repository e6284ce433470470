// The chat messages of a refactor request. The model sees the selection (LF line ends) between
// some read-only context; its answer may only touch the selection, so the prompt says so.
import type { ChatMessage } from "../engine/chatEngine.js";
import { shapeInstructions } from "./answerShapes.js";
import type { RefactorAction } from "./actions.js";
import type { RefactorTarget } from "./refactorTarget.js";
import { SelectionView } from "./selectionText.js";

/** Characters of read-only context shown before and after the selection. */
export const contextBefore = 1500;
export const contextAfter = 600;

function fence(code: string): string {
  // A fence longer than any backtick run inside the code, so the code cannot close it.
  const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(longest + 1);
}

function block(label: string, code: string, languageId: string): string {
  const marks = fence(code);
  return `${label}\n${marks}${languageId}\n${code}${code.endsWith("\n") ? "" : "\n"}${marks}`;
}

/** Whole lines of the document before/after the selection, at most `limit` characters. */
function surroundings(target: RefactorTarget): { before: string; after: string } {
  const text = target.documentText;
  let beforeStart = Math.max(0, target.selection.start - contextBefore);
  if (beforeStart > 0) beforeStart = text.indexOf("\n", beforeStart) + 1 || target.selection.start;
  let afterEnd = Math.min(text.length, target.selection.end + contextAfter);
  if (afterEnd < text.length) afterEnd = Math.max(target.selection.end, text.lastIndexOf("\n", afterEnd));
  const lf = (value: string) => value.replace(/\r\n/g, "\n");
  return { before: lf(text.slice(beforeStart, target.selection.start)), after: lf(text.slice(target.selection.end, afterEnd)) };
}

export function refactorMessages(action: RefactorAction, target: RefactorTarget, instruction?: string): ChatMessage[] {
  const view = new SelectionView(target.documentText, target.selection.start, target.selection.end);
  const { before, after } = surroundings(target);
  const system = [
    "You are a precise code refactoring tool inside a code editor.",
    "You receive code the user selected, with some surrounding code for context, and a task.",
    "Answer with one JSON object that follows the given schema, and nothing else.",
    '"rationale" tells the user in one or two short sentences what you changed and why.',
    shapeInstructions[action.answer],
    "Change only the selected code; the surrounding code is read-only context. Keep the file's language, style and indentation.",
  ].join("\n");
  const parts = [`File: ${target.displayPath} (${target.languageId})`];
  if (before.trim()) parts.push(block("Code before the selection (read-only):", before, target.languageId));
  parts.push(block("Selected code:", view.text, target.languageId));
  if (after.trim()) parts.push(block("Code after the selection (read-only):", after, target.languageId));
  parts.push(`Task: ${action.prompt}`);
  if (instruction?.trim()) parts.push(`Instruction from the user: ${instruction.trim()}`);
  return [
    { role: "system", content: system },
    { role: "user", content: parts.join("\n\n") },
  ];
}
