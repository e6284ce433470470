import { describe, expect, it } from "vitest";
import { buildFimPrompt, fimPromptHeader, renderExtraContext } from "../../../src/core/completion/fimPrompt.js";

describe("buildFimPrompt", () => {
  it("orders BOS, FIM begin, prefix, hole, suffix, end — with named tokens, never token text", () => {
    const prompt = buildFimPrompt("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n");
    expect(prompt.segments).toEqual([
      { token: "bos" },
      { token: "fimPrefix" },
      { text: "def add(a, b):\n    return " },
      { token: "fimSuffix" },
      { text: "\n\nprint(add(1, 2))\n" },
      { token: "fimMiddle" },
    ]);
    expect(prompt.stableSegments).toBe(2);
    expect(JSON.stringify(prompt.segments)).not.toContain("fim▁");
  });

  it("puts the extra context between FIM begin and the prefix, as the stable part", () => {
    const chunks = [{ filename: "src/math.ts", text: "export const pi = 3.14;" }];
    const prompt = buildFimPrompt("const r = ", ";", chunks);
    expect(prompt.segments.slice(0, 3)).toEqual([{ token: "bos" }, { token: "fimPrefix" }, { text: "// src/math.ts\nexport const pi = 3.14;\n\n" }]);
    expect(prompt.stableSegments).toBe(3);
    expect(fimPromptHeader(chunks)).toEqual(prompt.segments.slice(0, 3));
  });

  it("keeps the header identical when only the prefix changes (KV reuse across keystrokes)", () => {
    const chunks = [{ filename: "a.go", text: "package a\n\nfunc A() {}\n" }];
    const first = buildFimPrompt("func main() {\n\tfmt.", "\n}\n", chunks);
    const second = buildFimPrompt("func main() {\n\tfmt.P", "\n}\n", chunks);
    expect(second.segments.slice(0, second.stableSegments)).toEqual(first.segments.slice(0, first.stableSegments));
  });

  it("renders chunks in the order given, each with its file name, ending in a newline", () => {
    expect(renderExtraContext([{ filename: "x.py", text: "x = 1" }, { filename: "y.py", text: "y = 2\n" }])).toBe("// x.py\nx = 1\n\n// y.py\ny = 2\n");
    expect(renderExtraContext([])).toBe("");
  });
});
