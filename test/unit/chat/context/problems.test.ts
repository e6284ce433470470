import { describe, expect, it } from "vitest";
import { problemsContext, type ProblemFile } from "../../../../src/core/chat/context/problems.js";
import { privatePathReason, defaultPrivacySettings } from "../../../../src/core/privacy/secretPaths.js";
import { estimateTokens } from "../../../../src/core/chat/tokenEstimate.js";
import type { Attachment } from "../../../../src/core/chat/conversation.js";

const privateReason = (path: string) => privatePathReason(path, defaultPrivacySettings);
const lines = Array.from({ length: 40 }, (_, i) => `const line${i + 1} = ${i + 1};`);
const file = (path: string, problems: ProblemFile["problems"]): ProblemFile => ({ path, lines, problems });

function attached(result: Attachment | string): Attachment {
  if (typeof result === "string") throw new Error(`expected an attachment, got: ${result}`);
  return result;
}

describe("@problems", () => {
  it("quotes each problem with the lines around it, the problem's line marked, errors first", () => {
    const result = attached(
      problemsContext(
        [file("src/a.ts", [
          { line: 9, column: 2, severity: "warning", message: "unused", source: "eslint" },
          { line: 19, column: 4, severity: "error", message: "Type 'string' is not assignable to type 'number'.", source: "ts", code: "2322" },
        ])],
        { scope: "file", privateReason },
      ),
    );
    expect(result.kind).toBe("problems");
    expect(result.label).toBe("Problems (2) in src/a.ts");
    expect(result.text.indexOf("error ts(2322)")).toBeLessThan(result.text.indexOf("warning eslint"));
    expect(result.text).toContain("src/a.ts:20:5 error ts(2322): Type 'string' is not assignable");
    expect(result.text).toContain("> 20 | const line20 = 20;");
    expect(result.text).toContain("  18 | const line18 = 18;");
    expect(result.text).toContain("  22 | const line22 = 22;");
    expect(result.text).not.toContain("line23 ");
    expect(result.tokens).toBe(estimateTokens(result.text));
  });

  it("stays within the token budget and says how many problems it left out", () => {
    const problems = Array.from({ length: 30 }, (_, i) => ({ line: i, column: 0, severity: "error" as const, message: `problem number ${i}` }));
    const result = attached(problemsContext([file("src/many.ts", problems)], { scope: "file", privateReason, maxTokens: 300 }));
    expect(result.tokens!).toBeLessThanOrEqual(300 + 30);
    const shown = (result.text.match(/^src\/many\.ts:\d+:\d+ error/gm) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(30);
    expect(result.text).toContain(`… ${30 - shown} more problems not shown`);
    expect(result.label).toBe(`Problems (${shown} of 30) in src/many.ts`);
  });

  it("leaves private files out (a count only) and redacts secrets in quoted lines", () => {
    const secretLines = ['const key = "AKIAABCDEFGHIJKLMNOP";'];
    const result = attached(
      problemsContext(
        [
          { path: ".env", lines: ["TOKEN=hunter2"], problems: [{ line: 0, column: 0, severity: "error", message: "bad env" }] },
          { path: "src/key.ts", lines: secretLines, problems: [{ line: 0, column: 0, severity: "error", message: "unused key" }] },
        ],
        { scope: "workspace", privateReason },
      ),
    );
    expect(result.text).not.toContain("hunter2");
    expect(result.text).not.toContain("bad env");
    expect(result.text).toContain("(1 private file with problems left out.)");
    expect(result.text).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(result.label).toBe("Problems (1) in the workspace");
  });

  it("says why nothing is attached: no problems, only hints, or only private files", () => {
    expect(problemsContext([file("src/a.ts", [])], { scope: "file", privateReason })).toBe("There are no problems in the active file.");
    expect(problemsContext([file("src/a.ts", [{ line: 0, column: 0, severity: "hint", message: "h" }])], { scope: "workspace", privateReason })).toBe("There are no problems in the workspace.");
    expect(problemsContext([{ path: ".env", lines: ["A=1"], problems: [{ line: 0, column: 0, severity: "error", message: "x" }] }], { scope: "workspace", privateReason })).toMatch(/private files only/);
  });
});
