// The window stage (promptWindows.ts) on its own: a document's prefix window stays anchored to the
// line it started at, also when the editor hands over a slice of the document (`firstLine`), and
// forgets it on close. Written for the mutants the pipeline tests let live (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { PromptWindows, samePosition } from "../../../src/core/completion/promptWindows.js";
import { defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionSettings.js";
import { selectFimWindow } from "../../../src/core/completion/fimWindow.js";

// 30 lines of 8 characters (3 estimated tokens each); a 30-token prefix budget holds 10 of them,
// a fresh cut (three quarters of it) 7.
const lines = Array.from({ length: 30 }, (_, i) => `line_${String(i).padStart(2, "0")}\n`);
const settings = { ...defaultCompletionSettings, prefixTokens: 30, suffixTokens: 6 };

/** The cursor at the start of document line `line`, in a slice of the document from `firstLine` on (the whole one without it). */
function at(line: number, firstLine?: number, documentId = "file:///w/a.py"): CompletionInput {
  const from = firstLine ?? 0;
  const text = lines.slice(from).join("");
  const offset = lines.slice(from, line).join("").length;
  return { documentId, filename: "a.py", text, offset, ...(firstLine === undefined ? {} : { firstLine }) };
}

describe("samePosition", () => {
  const base = { documentId: "d", prefix: "p", suffix: "s" };
  it("is the same only when document, prefix and suffix all are", () => {
    expect(samePosition(base, { ...base })).toBe(true);
    expect(samePosition(base, { ...base, documentId: "e" })).toBe(false);
    expect(samePosition(base, { ...base, prefix: "q" })).toBe(false);
    expect(samePosition(base, { ...base, suffix: "t" })).toBe(false);
  });
});

describe("PromptWindows", () => {
  it("without an anchor cuts a fresh window; the fixture's windows move as the cursor goes down", () => {
    const windows = new PromptWindows();
    expect(windows.windowFor(at(5), settings)).toEqual(selectFimWindow(at(5).text, at(5).offset, settings));
    expect(windows.windowFor(at(5), settings).prefixStartLine).toBe(0);
    expect(windows.windowFor(at(8), settings).prefixStartLine).toBe(1);
  });

  it("keeps a whole document's window at the line it was anchored to", () => {
    const windows = new PromptWindows();
    const first = windows.windowFor(at(5), settings);
    windows.anchor(at(5), first);
    const next = windows.windowFor(at(8), settings);
    expect(next.prefixStartLine).toBe(0);
    expect(next.prefix).toBe(lines.slice(0, 8).join(""));
  });

  it("forgets the anchor of a closed document, and an anchor is per document", () => {
    const windows = new PromptWindows();
    windows.anchor(at(5), windows.windowFor(at(5), settings));
    expect(windows.windowFor(at(8, undefined, "file:///w/b.py"), settings).prefixStartLine).toBe(1);
    windows.forget("file:///w/b.py");
    expect(windows.windowFor(at(8), settings).prefixStartLine).toBe(0);
    windows.forget("file:///w/a.py");
    expect(windows.windowFor(at(8), settings).prefixStartLine).toBe(1);
  });

  it("anchors a slice's window by document line: the same slice keeps its first line", () => {
    const windows = new PromptWindows();
    // The slice starts at document line 100: its line 0 is the anchor, stored as line 100.
    const slice = (line: number) => ({ ...at(line), firstLine: 100 });
    const first = windows.windowFor(slice(5), settings);
    expect(first.prefixStartLine).toBe(0);
    windows.anchor(slice(5), first);
    expect(windows.windowFor(slice(8), settings).prefixStartLine).toBe(0);
  });

  it("a slice that starts later finds the anchor at its own line number", () => {
    const windows = new PromptWindows();
    const first = windows.windowFor(at(10, 0), settings);
    expect(first.prefixStartLine).toBe(3);
    windows.anchor(at(10, 0), first);
    // Document lines from 1 on: the anchor (document line 3) is the slice's line 2.
    const next = windows.windowFor(at(12, 1), settings);
    expect(next.prefixStartLine).toBe(2);
    expect(next.prefix).toBe(lines.slice(3, 12).join(""));
  });

  it("ignores an anchor above the slice's first line", () => {
    const windows = new PromptWindows();
    const first = windows.windowFor(at(5), settings);
    windows.anchor(at(5), first);
    const input = at(8, 2);
    expect(windows.windowFor(input, settings)).toEqual(selectFimWindow(input.text, input.offset, settings));
  });

  it("gives a window's cache key: document, prefix and suffix", () => {
    const windows = new PromptWindows();
    const input = at(8);
    const window = windows.windowFor(input, settings);
    expect(windows.positionOf(input, window)).toEqual({ documentId: "file:///w/a.py", prefix: window.prefix, suffix: window.suffix });
  });
});
