// Ghost text while the suggest widget is open. VS Code shows an inline completion then only if it
// replaces the same range as the selected item and its text starts with the item's text (e.g. the
// item ".log" replacing "." in "console." — the ghost text must replace "." too and read ".log(…)").
// So the model is asked as if the item were accepted, and the answer is offered over the item's range.
import type { CompletionInput } from "./completionPipeline.js";

/** The suggest widget's selected item: the range it replaces (offsets into the input's text) and its text. */
export interface SelectedItem {
  start: number;
  end: number;
  text: string;
}

/**
 * The pipeline input as if the selected item were accepted: its text in place of its range, the
 * cursor after it. Undefined when the range does not hold the cursor (VS Code's items replace
 * from before the cursor to at or after it).
 */
export function inputWithSelectedItem(input: CompletionInput, item: SelectedItem): CompletionInput | undefined {
  if (item.start < 0 || item.start > input.offset || item.end < input.offset || item.end > input.text.length) return undefined;
  return {
    ...input,
    text: input.text.slice(0, item.start) + item.text + input.text.slice(item.end),
    offset: item.start + item.text.length,
  };
}

/**
 * What to offer over the selected item's range: its text and the model's continuation after it, or
 * undefined when the model adds nothing (the item alone is the suggest widget's to show).
 */
export function textOverSelectedItem(item: SelectedItem, continuation: string): string | undefined {
  return continuation ? item.text + continuation : undefined;
}
