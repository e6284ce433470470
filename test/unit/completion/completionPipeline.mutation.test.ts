// The pipeline's edges that its main tests (completionPipeline.test.ts) do not pin: latencies, the
// explicit request, a request stopped under a waiting caller, which pending request a settled one
// may clear, when speculation is skipped, unsubscribing, dispose/forget, and warm-up errors.
// Written for the mutants those tests let live (docs/mutation.md).
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Engine, GenerationOptions, InfillRequest, InfillWarmUp } from "../../../src/core/engine/engine.js";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionPipeline.js";
import { EngineError, type GenerateResult, type RequestMetrics } from "../../../src/protocol/engine.js";

const metrics: RequestMetrics = {
  promptTokens: 10, reusedTokens: 0, evaluatedTokens: 10, restoredTokens: 0, forcedTokens: 0, generatedTokens: 3,
  promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2,
};

interface Call {
  request: InfillRequest;
  signal: AbortSignal;
  write(text: string): void;
  answer(text: string): void;
}

/** An Engine whose infill answers when the test says so; warmUp records its requests (or fails as told). */
function scriptedEngine(kind: "local" | "http" = "local", warmUpError?: () => unknown) {
  const calls: Call[] = [];
  const warmUps: { request: InfillWarmUp; signal?: AbortSignal }[] = [];
  const engine = {
    kind,
    infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
      return new Promise((resolve, reject) => {
        const signal = options.signal!;
        calls.push({ request, signal, answer: (text) => resolve({ text, stopReason: "eos", metrics }), write: (text) => options.onText?.(text) });
        signal.addEventListener("abort", () => reject(new EngineError("cancelled", "The request was cancelled.")));
      });
    },
    async warmUp(request: InfillWarmUp, signal?: AbortSignal) {
      warmUps.push({ request, signal });
      if (warmUpError) throw warmUpError();
    },
  } as unknown as Engine;
  return { engine, calls, warmUps };
}

const settings = () => ({ ...defaultCompletionSettings, debounceMs: 0, speculative: false });
const doc = (text: string, offset = text.length): CompletionInput => ({ documentId: "file:///w/a.py", filename: "a.py", text, offset });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));
const chunk = { filename: "util.py", text: "def util():\n    a = 1\n    return a\n" };

afterEach(() => vi.restoreAllMocks());

describe("CompletionPipeline (mutation edges)", () => {
  it("measures latency from the request (model) and from the keystroke (cache), and passes the metrics on", async () => {
    let clock = 1000;
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const pending = pipeline.complete(doc("x = "), new AbortController().signal);
    await tick();
    clock = 1250;
    calls[0]!.answer("compute(x)");
    expect(await pending).toEqual({ text: "compute(x)", source: "model", latencyMs: 250, metrics });
    clock = 1300;
    expect(await pipeline.complete(doc("x = comp"), new AbortController().signal)).toEqual({ text: "ute(x)", source: "cache", latencyMs: 0 });
  });

  it("an explicit request skips the debounce; an explicit one already cancelled asks nothing", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), debounceMs: 60_000 }));
    const aborted = new AbortController();
    aborted.abort();
    expect(await pipeline.complete({ ...doc("a = "), explicit: true }, aborted.signal)).toBeUndefined();
    expect(calls).toHaveLength(0);
    const pending = pipeline.complete({ ...doc("b = "), explicit: true }, new AbortController().signal);
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.answer("2");
    expect(await pending).toMatchObject({ text: "2", source: "model" });
  });

  it("a request stopped under a caller still waiting answers undefined, without counting the caller as cancelled twice", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const pending = pipeline.complete(doc("y = "), new AbortController().signal);
    await tick();
    pipeline.cancel();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(await pending).toBeUndefined();
    expect(pipeline.counters.cancelled).toBe(1);
    // The stopped request is over: asking again at the same position asks the model again.
    const again = pipeline.complete(doc("y = "), new AbortController().signal);
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.answer("3");
    expect(await again).toMatchObject({ text: "3", source: "model" });
  });

  it("a cancelled request settling late does not forget the request that replaced it", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    void pipeline.complete(doc("a"), new AbortController().signal);
    await tick();
    const second = pipeline.complete(doc("ab"), new AbortController().signal);
    await tick();
    expect(calls[0]!.signal.aborted).toBe(true);
    // The first request has settled by now; asking again for the second position joins it.
    const again = pipeline.complete(doc("ab"), new AbortController().signal);
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.signal.aborted).toBe(false);
    calls[1]!.answer("c");
    expect(await second).toMatchObject({ text: "c" });
    expect(await again).toMatchObject({ text: "c" });
    await pipeline.requestSettled();
    // Settled: the next request for a new position starts afresh.
    void pipeline.complete(doc("abc"), new AbortController().signal);
    await tick();
    expect(calls).toHaveLength(3);
  });

  it("requestSettled waits for the whole answer after its preview was shown", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const pending = pipeline.complete(doc("def f():\n"), new AbortController().signal);
    await tick();
    calls[0]!.write("    first = 1\n");
    expect(await pending).toMatchObject({ text: "    first = 1" });
    let settled = false;
    void pipeline.requestSettled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    calls[0]!.answer("    first = 1\n    second = 2\n");
    await tick();
    expect(settled).toBe(true);
  });

  it("an answer the same as its preview does not grow; an unsubscribed listener hears nothing", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const heard: string[] = [];
    const gone: string[] = [];
    pipeline.onSuggestionGrew((position) => heard.push(position.prefix));
    const unsubscribe = pipeline.onSuggestionGrew((position) => gone.push(position.prefix));
    unsubscribe();
    const same = pipeline.complete(doc("p = "), new AbortController().signal);
    await tick();
    calls[0]!.write("compute(p)\n");
    expect(await same).toMatchObject({ text: "compute(p)" });
    calls[0]!.answer("compute(p)\n");
    await tick();
    expect(heard).toEqual([]);
    const grows = pipeline.complete(doc("q = "), new AbortController().signal);
    await tick();
    calls[1]!.write("compute(q)\n");
    expect(await grows).toMatchObject({ text: "compute(q)" });
    calls[1]!.answer("compute(q)\nprint(q)");
    await tick();
    expect(heard).toEqual(["q = "]);
    expect(gone).toEqual([]);
  });

  it("a preview that arrives in the same read as the whole answer is not shown as a preview", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const grown: unknown[] = [];
    pipeline.onSuggestionGrew((position) => grown.push(position));
    const pending = pipeline.complete(doc("r = "), new AbortController().signal);
    await tick();
    calls[0]!.write("first(r)\n");
    calls[0]!.answer("first(r)\nsecond(r)");
    expect(await pending).toMatchObject({ text: "first(r)\nsecond(r)" });
    await tick();
    expect(grown).toEqual([]);
    expect(pipeline.cache.lookup({ documentId: "file:///w/a.py", prefix: "r = ", suffix: "" })).toBe("first(r)\nsecond(r)");
  });

  describe("speculation", () => {
    const on = () => ({ ...settings(), speculative: true });

    it("is skipped when switched off or for an empty suggestion", async () => {
      const off = scriptedEngine();
      new CompletionPipeline(off.engine, settings).suggestionShown(doc("a = "), "1");
      const empty = scriptedEngine();
      new CompletionPipeline(empty.engine, on).suggestionShown(doc("a = "), "");
      await tick(200);
      expect(off.calls).toHaveLength(0);
      expect(empty.calls).toHaveLength(0);
    });

    it("is skipped when the cache already has the accepted position", async () => {
      const { engine, calls } = scriptedEngine();
      const pipeline = new CompletionPipeline(engine, on);
      pipeline.cache.store({ documentId: "file:///w/a.py", prefix: "a = 1", suffix: "" }, " + 2");
      pipeline.suggestionShown(doc("a = "), "1");
      await tick(200);
      expect(calls).toHaveLength(0);
    });

    it("waits the longer of the debounce and the typing gap, then caches the answer, counted as speculative", async () => {
      const { engine, calls } = scriptedEngine();
      const pipeline = new CompletionPipeline(engine, () => ({ ...on(), debounceMs: 300 }));
      pipeline.suggestionShown(doc("a = "), "1");
      await tick(200);
      expect(calls).toHaveLength(0);
      await tick(200);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.request.prefix).toBe("a = 1");
      calls[0]!.answer(" + 2");
      await pipeline.speculationSettled();
      expect(pipeline.counters).toMatchObject({ requests: 0, speculativeRequests: 1, alternativesAsked: 0 });
      expect(await pipeline.complete(doc("a = 1"), new AbortController().signal)).toMatchObject({ text: " + 2", source: "cache" });
    });

    it("a failed speculative request caches nothing and is no error", async () => {
      const { engine, calls } = scriptedEngine();
      const pipeline = new CompletionPipeline(engine, on);
      pipeline.suggestionShown(doc("a = "), "1");
      await tick(200);
      pipeline.cancel();
      await pipeline.speculationSettled();
      expect(calls[0]!.signal.aborted).toBe(true);
      expect(pipeline.cache.lookup({ documentId: "file:///w/a.py", prefix: "a = 1", suffix: "" })).toBeUndefined();
    });
  });

  it("dispose stops the running request; forget drops the document's anchor", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    void pipeline.complete(doc("z = "), new AbortController().signal);
    await tick();
    pipeline.dispose();
    expect(calls[0]!.signal.aborted).toBe(true);

    // A 30-token prefix budget: 10 lines of 8 characters; a fresh cut holds 7.
    const lines = Array.from({ length: 30 }, (_, i) => `line_${String(i).padStart(2, "0")}\n`);
    const small = () => ({ ...settings(), prefixTokens: 30, suffixTokens: 6 });
    const at = (line: number) => ({ ...doc(lines.join(""), lines.slice(0, line).join("").length) });
    const anchored = scriptedEngine();
    const p2 = new CompletionPipeline(anchored.engine, small);
    void p2.complete(at(5), new AbortController().signal);
    await tick();
    void p2.complete(at(8), new AbortController().signal);
    await tick();
    expect(anchored.calls[1]!.request.prefix.startsWith("line_00")).toBe(true);
    p2.forget("file:///w/a.py");
    void p2.complete(at(9), new AbortController().signal);
    await tick();
    expect(anchored.calls[2]!.request.prefix.startsWith("line_02")).toBe(true);
  });

  it("sizes the extra context from the settings: chunks and tokens", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), extraContextChunks: 1, extraContextTokens: 512 }));
    pipeline.ring.offer(chunk);
    pipeline.ring.offer({ filename: "other.py", text: "def other():\n    b = 2\n    return b\n" });
    expect(await pipeline.refreshContext(doc("v = "))).toBe(true);
    void pipeline.complete(doc("v = "), new AbortController().signal);
    await tick();
    expect(calls[0]!.request.extraContext).toHaveLength(1);
  });

  describe("refreshContext", () => {
    it("warms up the window's prompt with the committed chunks and the time cap, counted", async () => {
      const { engine, warmUps } = scriptedEngine();
      const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), timeoutMs: 1234 }));
      pipeline.ring.offer(chunk);
      expect(await pipeline.refreshContext(doc("v = ", 2))).toBe(true);
      expect(warmUps[0]!.request).toEqual({ prefix: "v ", suffix: "= ", extraContext: [{ filename: "util.py", text: chunk.text }], timeoutMs: 1234 });
      expect(warmUps[0]!.signal?.aborted).toBe(false);
      expect(pipeline.counters.warmups).toBe(1);
      // New chunks but no editor to warm up for: nothing runs.
      pipeline.ring.offer({ filename: "other.py", text: "def other():\n    b = 2\n    return b\n" });
      expect(await pipeline.refreshContext(undefined)).toBe(false);
      expect(warmUps).toHaveLength(1);
      expect(pipeline.counters.warmups).toBe(1);
    });

    it("anchors the window it warmed up: the next request starts its prompt at the same line", async () => {
      const lines = Array.from({ length: 30 }, (_, i) => `line_${String(i).padStart(2, "0")}\n`);
      const at = (line: number) => doc(lines.join(""), lines.slice(0, line).join("").length);
      const { engine, calls, warmUps } = scriptedEngine();
      const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), prefixTokens: 30, suffixTokens: 6 }));
      pipeline.ring.offer(chunk);
      expect(await pipeline.refreshContext(at(5))).toBe(true);
      expect(warmUps[0]!.request.prefix.startsWith("line_00")).toBe(true);
      void pipeline.complete(at(8), new AbortController().signal);
      await tick();
      // Without the anchor a fresh cut at line 8 would start at line 1.
      expect(calls[0]!.request.prefix.startsWith("line_00")).toBe(true);
    });

    it("a cancelled warm-up is false, any other failure reaches the caller, and neither holds the engine", async () => {
      const cancelled = scriptedEngine("local", () => new EngineError("cancelled", "stop"));
      const p1 = new CompletionPipeline(cancelled.engine, settings);
      p1.ring.offer(chunk);
      expect(await p1.refreshContext(doc("v = "))).toBe(false);
      void p1.complete(doc("w = "), new AbortController().signal);
      await tick();
      expect(cancelled.calls).toHaveLength(1);

      const failing = scriptedEngine("local", () => new EngineError("internal", "crashed"));
      const p2 = new CompletionPipeline(failing.engine, settings);
      p2.ring.offer(chunk);
      await expect(p2.refreshContext(doc("v = "))).rejects.toMatchObject({ code: "internal" });
      p2.ring.offer({ filename: "other.py", text: "def other():\n    b = 2\n    return b\n" });
      // The claim was released: the next idle moment can warm up again.
      await expect(p2.refreshContext(doc("v = "))).rejects.toMatchObject({ code: "internal" });
      expect(failing.warmUps).toHaveLength(2);
    });
  });
});

describe("CompletionPipeline alternatives (mutation edges)", () => {
  /** A local engine answering the sample with seed N with `samples[N - 1]` at once (a thrown Error for "fail"), the greedy request with "a + b". */
  function seeded(samples: string[]) {
    const requests: InfillRequest[] = [];
    const engine = {
      kind: "local",
      async infill(request: InfillRequest): Promise<GenerateResult> {
        requests.push(request);
        const text = request.seed === undefined ? "a + b" : samples[request.seed - 1]!;
        if (text === "fail") throw new EngineError("internal", "sampling failed");
        return { text, stopReason: "eos", metrics };
      },
      async warmUp() {},
    } as unknown as Engine;
    return { engine, requests };
  }
  const input = doc("s = ");

  it("asks each sample once per cursor and first suggestion, counts and traces them", async () => {
    const { engine, requests } = seeded(["a - b", "a + b"]);
    const lines: string[] = [];
    const pipeline = new CompletionPipeline(engine, settings, (line) => lines.push(line));
    expect(await pipeline.alternatives(input, "a + b", new AbortController().signal)).toEqual(["a - b"]);
    expect(requests.map((r) => r.seed)).toEqual([1, 2]);
    expect(lines.at(-1)).toBe("completion alternatives: 2 asked, 1 distinct offered after the first");
    expect(pipeline.counters).toMatchObject({ requests: 0, alternativesAsked: 2, alternativesShown: 1 });
    // Cycling back and forth asks nothing more.
    expect(await pipeline.alternatives(input, "a + b", new AbortController().signal)).toEqual(["a - b"]);
    expect(requests).toHaveLength(2);
    // Another first suggestion, or another cursor, asks again.
    expect(await pipeline.alternatives(input, "a * b", new AbortController().signal)).toEqual(["a - b", "a + b"]);
    expect(requests).toHaveLength(4);
    expect(await pipeline.alternatives(doc("t = "), "a * b", new AbortController().signal)).toEqual(["a - b", "a + b"]);
    expect(requests).toHaveLength(6);
    expect(pipeline.counters).toMatchObject({ alternativesAsked: 6, alternativesShown: 5 });
  });

  it("offers none for an empty first suggestion, and none when a sample fails (without asking the next)", async () => {
    const { engine, requests } = seeded(["fail", "a - b"]);
    const pipeline = new CompletionPipeline(engine, settings);
    expect(await pipeline.alternatives(input, "", new AbortController().signal)).toEqual([]);
    expect(requests).toHaveLength(0);
    expect(await pipeline.alternatives(input, "a + b", new AbortController().signal)).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(pipeline.counters.alternativesShown).toBe(0);
  });
});
