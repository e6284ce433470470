// The FIM prompt's header without extra context (fimPrompt.ts): what a warm-up evaluates ahead of
// time must be exactly the start of every prompt, or the warm-up's KV is never reused.
import { describe, expect, it } from "vitest";
import { buildFimPrompt, fimPromptHeader, renderExtraContext } from "../../../src/core/completion/fimPrompt.js";

describe("fimPromptHeader (mutation edges)", () => {
  it("without extra context is BOS and FIM begin only, the start of a prompt without it", () => {
    expect(fimPromptHeader()).toEqual([{ token: "bos" }, { token: "fimPrefix" }]);
    expect(fimPromptHeader([])).toEqual(buildFimPrompt("a", "b").segments.slice(0, 2));
  });

  it("a chunk already ending in a line break gets no second one", () => {
    // A blank line would separate a chunk from its own file name line and cost a token every prompt.
    expect(renderExtraContext([{ filename: "m.rs", text: "fn m() {}\n" }])).toBe("// m.rs\nfn m() {}\n");
    expect(fimPromptHeader([{ filename: "m.rs", text: "fn m() {}\n" }])[2]).toEqual({ text: "// m.rs\nfn m() {}\n\n" });
  });
});
