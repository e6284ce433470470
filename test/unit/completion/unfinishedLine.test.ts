// An answer cut by the token or time cap usually ends mid-line: the pipeline must tell
// post-processing that it is unfinished, so the half line is never shown (issue 24).
// Against an Engine of our own whose infill returns a fixed result.
import { describe, expect, it } from "vitest";
import type { Engine, GenerationOptions, InfillRequest } from "../../../src/core/engine/engine.js";
import { CompletionPipeline, defaultCompletionSettings } from "../../../src/core/completion/completionPipeline.js";
import type { GenerateResult, StopReason } from "../../../src/protocol/engine.js";

const metrics = {
  promptTokens: 10, reusedTokens: 0, evaluatedTokens: 10, restoredTokens: 0, forcedTokens: 0, generatedTokens: 64,
  promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2,
};

/**
 * An Engine whose infill answers `text`, stopped for `stopReason`. It streams nothing, so what is
 * shown is the whole answer's post-processing (not the first lines shown while it streams).
 */
function engineAnswering(text: string, stopReason: StopReason): Engine {
  return {
    kind: "http",
    async infill(_request: InfillRequest, _options: GenerationOptions = {}): Promise<GenerateResult> {
      return { text, stopReason, metrics };
    },
  } as unknown as Engine;
}

async function shown(text: string, stopReason: StopReason): Promise<string | undefined> {
  const settings = { ...defaultCompletionSettings, debounceMs: 0, speculative: false };
  const pipeline = new CompletionPipeline(engineAnswering(text, stopReason), () => settings);
  const outcome = await pipeline.complete(
    { documentId: "file:///w/sum.py", filename: "sum.py", text: "def total(xs):\n    ", offset: 19, explicit: true },
    new AbortController().signal,
  );
  return outcome?.text;
}

// Two lines, well under maxLines, so the line limit does not end generation early.
const capped = "s = 0\n    for x in xs:\n        s += comp";

describe("CompletionPipeline with an answer cut by a cap", () => {
  it("drops the unfinished last line when the token cap stopped generation", async () => {
    expect(await shown(capped, "maxTokens")).toBe("s = 0\n    for x in xs:");
  });

  it("drops the unfinished last line when the time cap stopped generation", async () => {
    expect(await shown(capped, "timeout")).toBe("s = 0\n    for x in xs:");
  });

  it("keeps the last line when the model ended the answer itself", async () => {
    const ended = "s = 0\n    for x in xs:\n        s += x";
    expect(await shown(ended, "eos")).toBe(ended);
    expect(await shown(ended, "stopString")).toBe(ended);
  });
});
