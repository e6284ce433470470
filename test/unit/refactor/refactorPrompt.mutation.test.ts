// What the model is told for a refactor: the rules in the system message, the file, the selection
// between whole lines of read-only context (bounded, none where there is none), the task, and the
// user's instruction only when there is one. Written for the mutants the first tests let live
// (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { builtinActions } from "../../../src/core/refactor/actions.js";
import { shapeInstructions } from "../../../src/core/refactor/answerShapes.js";
import { contextAfter, contextBefore, refactorMessages } from "../../../src/core/refactor/refactorPrompt.js";
import { targetOf } from "./helpers.js";

const simplify = builtinActions.find((action) => action.id === "simplify")!;
const userText = (marked: string, instruction?: string) => refactorMessages(simplify, targetOf(marked), instruction)[1]!.content;
/** The code of the block under a label, or undefined when the message has none. */
const blockOf = (text: string, label: string) => new RegExp(`${label}\\n\`\`\`typescript\\n([^]*?)\`\`\``).exec(text)?.[1];
const before = (text: string) => blockOf(text, "Code before the selection \\(read-only\\):");
const after = (text: string) => blockOf(text, "Code after the selection \\(read-only\\):");

describe("refactorMessages", () => {
  it("the system message states each rule on its own line, with the shape's field instructions", () => {
    const [system] = refactorMessages(simplify, targetOf("a;\n«b;»\nc;\n"));
    expect(system).toEqual({
      role: "system",
      content: [
        "You are a precise code refactoring tool inside a code editor.",
        "You receive code the user selected, with some surrounding code for context, and a task.",
        "Answer with one JSON object that follows the given schema, and nothing else.",
        '"rationale" tells the user in one or two short sentences what you changed and why.',
        shapeInstructions.anchoredEdits,
        "Change only the selected code; the surrounding code is read-only context. Keep the file's language, style and indentation.",
      ].join("\n"),
    });
  });

  it("the user message: file, context before, selection, context after, task — separated by blank lines", () => {
    const [, user] = refactorMessages(simplify, targetOf("const a = 1;\n«if (a) go();\n»done();\n"));
    expect(user).toEqual({
      role: "user",
      content: [
        "File: src/sample.ts (typescript)",
        "Code before the selection (read-only):\n```typescript\nconst a = 1;\n```",
        "Selected code:\n```typescript\nif (a) go();\n```",
        "Code after the selection (read-only):\n```typescript\ndone();\n```",
        `Task: ${simplify.prompt}`,
      ].join("\n\n"),
    });
  });

  it("shows no context block where the selection starts or ends the file, or only blank lines surround it", () => {
    const whole = userText("«go();»");
    expect(whole).not.toContain("Code before");
    expect(whole).not.toContain("Code after");
    expect(userText("\n  \n«go();»\n\n")).not.toMatch(/Code (before|after)/);
  });

  it("shows a CRLF file's context with LF line ends, its lines kept apart", () => {
    const text = userText("a();\r\nb();\r\n«go();»\r\nc();\r\nd();");
    expect(before(text)).toBe("a();\nb();\n");
    expect(after(text)).toBe("\nc();\nd();\n");
  });

  it("shows the last line of the file even without a line end", () => {
    expect(after(userText("«go();»\nlast();"))).toBe("\nlast();\n");
  });

  it("shows whole lines of at most 1,500 characters before the selection", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`);
    const shown = before(userText(`${lines.join("")}«go();»\n`))!;
    expect(shown.length).toBeLessThanOrEqual(contextBefore);
    expect(shown.length).toBeGreaterThan(contextBefore - 10);
    expect(shown).toMatch(/^line \d{3}\n/);
    expect(shown.endsWith("line 199\n")).toBe(true);
  });

  it("shows whole lines of at most 600 characters after the selection", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`);
    const shown = after(userText(`«go();»\n${lines.join("")}`))!;
    expect(shown.length).toBeLessThanOrEqual(contextAfter + 1);
    expect(shown.length).toBeGreaterThan(contextAfter - 10);
    expect(shown).toMatch(/^\nline 000\n[^]*\nline \d{3}\n$/);
  });

  it("shows no context from a long line it would have to cut", () => {
    // A minified file: one line before the selection and one after, each longer than the budget.
    const text = userText(`${"a".repeat(2000)}«go();»${"b".repeat(1000)}`);
    expect(text).not.toMatch(/Code (before|after)/);
  });

  it("adds the user's instruction trimmed, and nothing for a missing or blank one", () => {
    expect(userText("«go();»", "  use a loop \n")).toMatch(/\n\nInstruction from the user: use a loop$/);
    expect(userText("«go();»", " \n ")).not.toContain("Instruction");
    expect(userText("«go();»")).not.toContain("Instruction");
  });
});
