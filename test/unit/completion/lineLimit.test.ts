// The line limit is a stop condition of the request (issue 27 item 4): the pipeline passes the
// lines a suggestion can show as `maxLines`, the engine stops there with stopReason "lineLimit",
// and the pipeline takes that answer as finished, not as a cancellation.
import { describe, expect, it } from "vitest";
import type { CompletionEngine, GenerationOptions, InfillRequest } from "../../../src/core/engine/engine.js";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionPipeline.js";
import type { GenerateResult, RequestMetrics } from "../../../src/protocol/engine.js";

const metrics: RequestMetrics = {
  promptTokens: 10, reusedTokens: 0, evaluatedTokens: 10, restoredTokens: 0, forcedTokens: 0, generatedTokens: 3,
  promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2,
};

/** An engine that writes `answer` and, like the real ones, ends before the line break after line `maxLines`. */
function lineLimitedEngine(answer: string) {
  const requests: InfillRequest[] = [];
  const signals: AbortSignal[] = [];
  const engine: CompletionEngine = {
    kind: "local",
    async infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      signals.push(options.signal!);
      const lines = answer.split("\n");
      const limited = request.maxLines !== undefined && lines.length > request.maxLines;
      const text = limited ? lines.slice(0, request.maxLines).join("\n") : answer;
      options.onText?.(text);
      return { text, stopReason: limited ? "lineLimit" : "eos", metrics };
    },
    warmUp: async () => undefined,
  };
  return { engine, requests, signals };
}

const doc = (text: string, offset = text.length): CompletionInput => ({ documentId: "file:///w/a.py", filename: "a.py", text, offset });

describe("the line limit as a stop condition", () => {
  it("asks for as many lines as the settings allow when no code follows the cursor", async () => {
    const { engine, requests, signals } = lineLimitedEngine("    a = 1\n    b = 2\n    c = 3\n    d = 4\n");
    const trace: string[] = [];
    const pipeline = new CompletionPipeline(engine, () => ({ ...defaultCompletionSettings, maxLines: 2, speculative: false }), (line) => trace.push(line));
    const outcome = await pipeline.complete(doc("def f():\n"), new AbortController().signal);
    expect(requests[0]!.maxLines).toBe(2);
    // Ended at the limit, the last line is complete: it is kept (a token-capped answer would lose it).
    expect(outcome).toMatchObject({ text: "    a = 1\n    b = 2", source: "model", metrics });
    expect(signals[0]!.aborted).toBe(false);
    expect(pipeline.counters).toMatchObject({ requests: 1, cancelled: 0 });
    expect(trace[0]).toMatch(/^completion request: keystroke, lineLimit after \d+ ms: prompt 10/);
  });

  it("keeps the last line of an answer cut at the limit, and drops it from one cut by the token cap", async () => {
    const cutAt = (stopReason: GenerateResult["stopReason"]): CompletionEngine => ({
      kind: "local",
      infill: async () => ({ text: "    a = 1\n    b = 2", stopReason, metrics }),
      warmUp: async () => undefined,
    });
    const settings = () => ({ ...defaultCompletionSettings, maxLines: 2, speculative: false });
    const atLimit = await new CompletionPipeline(cutAt("lineLimit"), settings).complete(doc("def f():\n"), new AbortController().signal);
    const atCap = await new CompletionPipeline(cutAt("maxTokens"), settings).complete(doc("def f():\n"), new AbortController().signal);
    expect(atLimit?.text).toBe("    a = 1\n    b = 2");
    expect(atCap?.text).toBe("    a = 1");
  });
});
