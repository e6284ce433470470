// Builds refactor targets from a document text with the selection marked by «…».
import type { RefactorTarget } from "../../../src/core/refactor/refactorTarget.js";

export function targetOf(marked: string, overrides: Partial<RefactorTarget> = {}): RefactorTarget {
  const start = marked.indexOf("«");
  const end = marked.indexOf("»") - 1;
  if (start < 0 || end < start) throw new Error("mark the selection with «…»");
  const documentText = marked.replace("«", "").replace("»", "");
  return {
    uri: "file:///work/project/src/sample.ts",
    displayPath: "src/sample.ts",
    languageId: "typescript",
    documentText,
    version: 3,
    selection: { start, end },
    eol: documentText.includes("\r\n") ? "\r\n" : "\n",
    indentation: { insertSpaces: true, tabSize: 2 },
    ...overrides,
  };
}

/** Applies plain edits (sorted, non-overlapping) to a text, as the editor would. */
export function applyEdits(text: string, edits: readonly { start: number; end: number; newText: string }[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  }
  return result;
}
