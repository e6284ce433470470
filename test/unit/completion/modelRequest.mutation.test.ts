// The model stage on its own (modelRequest.ts), against a scripted engine: the request it builds,
// the previews it streams, what each stop reason does to the answer, the trace line, and which
// errors are cancellations. Written for the mutants the pipeline tests let live (docs/mutation.md).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CompletionEngine, InfillRequest } from "../../../src/core/engine/completionEngine.js";
import type { GenerationOptions } from "../../../src/core/engine/generation.js";
import { askModel, infillRequestFor, isCancellation, lineLimitFor, type ModelRequestOptions } from "../../../src/core/completion/modelRequest.js";
import { defaultCompletionSettings } from "../../../src/core/completion/completionSettings.js";
import type { FimWindow } from "../../../src/core/completion/fimWindow.js";
import { EngineError, type RequestMetrics, type StopReason } from "../../../src/protocol/engine.js";

const metrics: RequestMetrics = {
  promptTokens: 120, reusedTokens: 100, evaluatedTokens: 20, restoredTokens: 0, forcedTokens: 0, generatedTokens: 7,
  promptMs: 12.4, firstTokenMs: 30.6, generationMs: 50, totalMs: 80,
};

const settings = { ...defaultCompletionSettings, maxLines: 8 };

const window = (over: Partial<FimWindow> = {}): FimWindow => ({
  prefix: "def f(x):\n    ",
  suffix: "",
  prefixStartLine: 0,
  linePrefix: "    ",
  lineSuffix: "",
  ...over,
});

interface Script {
  chunks?: string[];
  text?: string;
  stopReason?: StopReason;
  metrics?: RequestMetrics;
  error?: unknown;
}

/** A CompletionEngine whose infill streams `chunks`, then answers (or throws) as scripted. */
function engineThat(script: Script) {
  const seen: { request?: InfillRequest; options?: GenerationOptions } = {};
  const engine: CompletionEngine = {
    kind: "local",
    async infill(request, options) {
      seen.request = request;
      seen.options = options;
      for (const chunk of script.chunks ?? []) options?.onText?.(chunk);
      if (script.error !== undefined) throw script.error;
      const text = script.text ?? (script.chunks ?? []).join("");
      return { text, stopReason: script.stopReason ?? "eos", metrics: script.metrics ?? metrics };
    },
    async warmUp() {},
  };
  return { engine, seen };
}

function options(over: Partial<ModelRequestOptions> = {}) {
  const traces: string[] = [];
  const previews: string[] = [];
  let cancelled = 0;
  const opts: ModelRequestOptions = {
    signal: new AbortController().signal,
    kind: "keystroke",
    onPreview: (text) => previews.push(text),
    onCancelled: () => cancelled++,
    trace: (line) => traces.push(line),
    ...over,
  };
  return { opts, traces, previews, cancelled: () => cancelled };
}

afterEach(() => vi.restoreAllMocks());

describe("lineLimitFor / infillRequestFor", () => {
  it("allows one line with code right of the cursor, the setting's lines with only whitespace there", () => {
    expect(lineLimitFor(window({ lineSuffix: "x)" }), settings)).toBe(1);
    expect(lineLimitFor(window({ lineSuffix: "  \t" }), settings)).toBe(8);
    expect(lineLimitFor(window({ lineSuffix: "" }), { ...settings, maxLines: 5 })).toBe(5);
  });

  it("builds a greedy request from the window, the extra context and the caps", () => {
    const extra = [{ filename: "b.py", text: "def g():\n    pass\n" }];
    const request = infillRequestFor(window({ prefix: "p", suffix: "s", lineSuffix: ")" }), extra, { ...settings, maxTokens: 33, timeoutMs: 777 });
    expect(request).toEqual({ prefix: "p", suffix: "s", extraContext: extra, maxTokens: 33, maxLines: 1, timeoutMs: 777, temperature: 0 });
  });
});

describe("isCancellation", () => {
  it("any error after the signal aborted is a cancellation", () => {
    const controller = new AbortController();
    controller.abort();
    expect(isCancellation(new Error("boom"), controller.signal)).toBe(true);
    expect(isCancellation(new EngineError("internal", "x"), controller.signal)).toBe(true);
  });

  it("without an abort only the engine's own 'cancelled' error is one", () => {
    const signal = new AbortController().signal;
    expect(isCancellation(new EngineError("cancelled", "x"), signal)).toBe(true);
    expect(isCancellation(new EngineError("internal", "x"), signal)).toBe(false);
    expect(isCancellation(Object.assign(new Error("x"), { code: "cancelled" }), signal)).toBe(false);
    expect(isCancellation(new Error("x"), signal)).toBe(false);
  });
});

describe("askModel", () => {
  it("sends the request with the caller's signal and post-processes the answer in the window's surroundings", async () => {
    const { engine, seen } = engineThat({ text: "    return x + 1\n\n" });
    const { opts } = options();
    const request = infillRequestFor(window(), [], settings);
    const answer = await askModel(engine, request, window(), settings, opts);
    expect(seen.request).toBe(request);
    expect(seen.options?.signal).toBe(opts.signal);
    // The first line's repeated indentation goes (linePrefix is whitespace), the trailing blank lines too.
    expect(answer).toEqual({ text: "return x + 1", metrics });
  });

  it("keeps to one line when code follows the cursor, and to the setting's lines otherwise", async () => {
    const oneLine = await askModel(engineThat({ text: "a, b\nprint(a)" }).engine, {} as InfillRequest, window({ linePrefix: "f(", lineSuffix: ")" }), settings, options().opts);
    expect(oneLine?.text).toBe("a, b");
    const capped = await askModel(engineThat({ text: "a = 1\nb = 2\nc = 3\nd = 4" }).engine, {} as InfillRequest, window({ linePrefix: "" }), { ...settings, maxLines: 2 }, options().opts);
    expect(capped?.text).toBe("a = 1\nb = 2");
  });

  it("drops a repeat of the code below the cursor (the window's suffix)", async () => {
    const text = "x = 1\ny = 2\nreturn x + y";
    const answer = await askModel(engineThat({ text }).engine, {} as InfillRequest, window({ linePrefix: "", suffix: "\nreturn x + y\n" }), settings, options().opts);
    expect(answer?.text).toBe("x = 1\ny = 2");
    const free = await askModel(engineThat({ text }).engine, {} as InfillRequest, window({ linePrefix: "", suffix: "" }), settings, options().opts);
    expect(free?.text).toBe(text);
  });

  it.each(["eos", "stopString", "lineLimit"] as const)("after %s the last line is complete and stays", async (stopReason) => {
    const answer = await askModel(engineThat({ text: "a = 1\nb = compute(a)", stopReason }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, options().opts);
    expect(answer?.text).toBe("a = 1\nb = compute(a)");
  });

  it.each(["maxTokens", "timeout"] as const)("after %s the last line may be cut and goes", async (stopReason) => {
    const answer = await askModel(engineThat({ text: "a = 1\nb = comp", stopReason }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, options().opts);
    expect(answer?.text).toBe("a = 1");
  });

  it("an aborted answer is no answer: onCancelled, an 'aborted' trace, and it works without onCancelled", async () => {
    const first = options();
    expect(await askModel(engineThat({ text: "a = 1", stopReason: "aborted" }).engine, {} as InfillRequest, window(), settings, first.opts)).toBeUndefined();
    expect(first.cancelled()).toBe(1);
    expect(first.traces).toHaveLength(1);
    expect(first.traces[0]).toMatch(/^completion request: keystroke, aborted after \d+ ms: prompt 120/);
    const bare = options({ onCancelled: undefined });
    await expect(askModel(engineThat({ text: "a = 1", stopReason: "aborted" }).engine, {} as InfillRequest, window(), settings, bare.opts)).resolves.toBeUndefined();
  });

  it("traces what the request cost and why it ended, in one line", async () => {
    const now = vi.spyOn(performance, "now");
    now.mockReturnValueOnce(1000).mockReturnValueOnce(1042.6);
    const { opts, traces } = options({ kind: "speculative" });
    await askModel(engineThat({ text: "x", stopReason: "lineLimit" }).engine, {} as InfillRequest, window(), settings, opts);
    expect(traces).toEqual([
      "completion request: speculative, lineLimit after 43 ms: prompt 120 (20 evaluated in 12 ms), first token 31 ms, 7 generated",
    ]);
  });

  it("says 'none' for the first token when nothing was generated", async () => {
    const now = vi.spyOn(performance, "now");
    now.mockReturnValueOnce(0).mockReturnValueOnce(5);
    const { opts, traces } = options({ kind: "alternative" });
    const none = { ...metrics, firstTokenMs: null, generatedTokens: 0 } as unknown as RequestMetrics;
    await askModel(engineThat({ text: "", metrics: none }).engine, {} as InfillRequest, window(), settings, opts);
    expect(traces).toEqual(["completion request: alternative, eos after 5 ms: prompt 120 (20 evaluated in 12 ms), first token none, 0 generated"]);
  });

  it("a cancelled request answers undefined, calls onCancelled and traces 'cancelled' without costs", async () => {
    const now = vi.spyOn(performance, "now");
    now.mockReturnValueOnce(10).mockReturnValueOnce(17);
    const { opts, traces, cancelled } = options();
    const answer = await askModel(engineThat({ chunks: ["a"], error: new EngineError("cancelled", "stop") }).engine, {} as InfillRequest, window(), settings, opts);
    expect(answer).toBeUndefined();
    expect(cancelled()).toBe(1);
    expect(traces).toEqual(["completion request: keystroke, cancelled after 7 ms"]);
    const bare = options({ onCancelled: undefined });
    await expect(askModel(engineThat({ error: new EngineError("cancelled", "stop") }).engine, {} as InfillRequest, window(), settings, bare.opts)).resolves.toBeUndefined();
  });

  it("any error after the caller's signal aborted is a cancellation too", async () => {
    const controller = new AbortController();
    controller.abort();
    const { opts, cancelled } = options({ signal: controller.signal });
    expect(await askModel(engineThat({ error: new Error("socket closed") }).engine, {} as InfillRequest, window(), settings, opts)).toBeUndefined();
    expect(cancelled()).toBe(1);
  });

  it("another engine error reaches the caller, traced as 'failed', and is no cancellation", async () => {
    const now = vi.spyOn(performance, "now");
    now.mockReturnValueOnce(0).mockReturnValueOnce(3);
    const { opts, traces, cancelled } = options();
    const error = new EngineError("internal", "the model crashed");
    await expect(askModel(engineThat({ error }).engine, {} as InfillRequest, window(), settings, opts)).rejects.toBe(error);
    expect(traces).toEqual(["completion request: keystroke, failed after 3 ms"]);
    expect(cancelled()).toBe(0);
  });

  describe("previews", () => {
    it("shows a line being written once it has a word or two, then again only at each line end", async () => {
      const { opts, previews } = options();
      const chunks = ["val", "ue = compute(", "total)", " + offset", "\n", "print(", "value)", "\n"];
      const answer = await askModel(engineThat({ chunks }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, opts);
      // Not "value = compute(total)" nor "value = compute(total) +": the line's words in between wait for its end.
      expect(previews).toEqual(["value = compute(", "value = compute(total) + offset", "value = compute(total) + offset\nprint(value)"]);
      expect(answer?.text).toBe("value = compute(total) + offset\nprint(value)");
    });

    it("shows nothing for a start too short to show, nor the same preview twice", async () => {
      const { opts, previews } = options();
      await askModel(engineThat({ chunks: ["ab", "\n", "\n", "cd", "\n"] }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, opts);
      expect(previews).toEqual(["ab", "ab\n\ncd"]);
      const quiet = options();
      await askModel(engineThat({ chunks: ["ab", "c"] }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, quiet.opts);
      expect(quiet.previews).toEqual([]);
    });

    it("a preview treats the lines so far as finished (a long last line is shown, cut before a partial word)", async () => {
      const { opts, previews } = options();
      await askModel(engineThat({ chunks: ["first()\nsecond_value = comp"], stopReason: "maxTokens" }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, opts);
      expect(previews).toEqual(["first()\nsecond_value ="]);
    });

    it("streams without a preview callback", async () => {
      const { opts } = options({ onPreview: undefined });
      const answer = await askModel(engineThat({ chunks: ["value = compute(total)", "\n", "next = 1\n"] }).engine, {} as InfillRequest, window({ linePrefix: "" }), settings, opts);
      expect(answer?.text).toBe("value = compute(total)\nnext = 1");
    });
  });
});
