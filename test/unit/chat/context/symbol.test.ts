import { describe, expect, it } from "vitest";
import { symbolContext, type SymbolSource } from "../../../../src/core/chat/context/symbol.js";
import { renderAttachment } from "../../../../src/core/chat/conversation.js";
import { defaultPrivacySettings, privatePathReason } from "../../../../src/core/privacy/secretPaths.js";

const privateReason = (path: string) => privatePathReason(path, defaultPrivacySettings);
const source = (text: string, path = "src/math.ts"): SymbolSource => ({ name: "mean", kind: "function", path, languageId: "typescript", startLine: 9, text });

describe("@symbol", () => {
  it("attaches the symbol's source with its place, fenced in its language", () => {
    const result = symbolContext(source("export function mean(xs: number[]) {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}"), { privateReason });
    if (typeof result === "string") throw new Error(result);
    expect(result.label).toBe("function mean (src/math.ts:10-12)");
    expect(renderAttachment(result)).toMatch(/^The function mean \(src\/math\.ts:10-12\):\n```typescript\nexport function mean/);
    expect(result.tokens).toBeGreaterThan(10);
  });

  it("cuts a long symbol at a line to the budget and says how much is left out", () => {
    const body = Array.from({ length: 400 }, (_, i) => `  total += values[${i}] * weights[${i}];`).join("\n");
    const result = symbolContext(source(`function mean() {\n${body}\n}`), { privateReason, maxTokens: 300 });
    if (typeof result === "string") throw new Error(result);
    expect(result.tokens!).toBeLessThanOrEqual(320);
    const cut = /… \((\d+) more lines of mean cut\)$/.exec(result.text);
    expect(cut).not.toBeNull();
    expect(result.text.split("\n").length - 1 + Number(cut![1])).toBe(402);
  });

  it("refuses a symbol of a private file and redacts secrets in the source", () => {
    expect(symbolContext(source("const KEY = 1;", ".env.ts"), { privateReason })).toMatch(/stays out of the chat/);
    const result = symbolContext(source('const key = "AKIAABCDEFGHIJKLMNOP";'), { privateReason });
    expect(typeof result !== "string" && result.text).not.toContain("AKIAABCDEFGHIJKLMNOP");
  });
});
