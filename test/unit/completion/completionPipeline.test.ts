// The pipeline's own logic (cache, cancellation, speculation, warm-up) against a scripted Engine.
// The real engine runs the same pipeline in test/engine/completion.test.ts.
import { describe, expect, it } from "vitest";
import type { Engine, GenerationOptions, InfillRequest, InfillWarmUp, PrefillRequest } from "../../../src/core/engine/engine.js";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionPipeline.js";
import { EngineError, type GenerateResult, type RequestMetrics } from "../../../src/protocol/engine.js";
import { warmLocalInfill } from "../../../src/backends/local/localInfill.js";
import { warmUpWithEmptyInfill } from "../../../src/backends/http/httpEngine.js";

const metrics: RequestMetrics = {
  promptTokens: 10, reusedTokens: 0, evaluatedTokens: 10, restoredTokens: 0, forcedTokens: 0, generatedTokens: 3,
  promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2,
};

interface Call {
  request: InfillRequest;
  signal: AbortSignal;
  /** Streams text as the model writes it. */
  write(text: string): void;
  answer(text: string): void;
}

/** An Engine whose infill answers when the test says so (or at once with `auto`); it warms up as the backend of its kind does. */
function scriptedEngine(kind: "local" | "http" = "local", auto?: (request: InfillRequest) => string) {
  const calls: Call[] = [];
  const prefills: PrefillRequest[] = [];
  const engine = {
    kind,
    infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
      return new Promise((resolve, reject) => {
        const signal = options.signal!;
        const answer = (text: string) => resolve({ text, stopReason: "eos", metrics });
        calls.push({ request, signal, answer, write: (text) => options.onText?.(text) });
        signal.addEventListener("abort", () => reject(new EngineError("cancelled", "The request was cancelled.")));
        if (auto) {
          const text = auto(request);
          for (const char of text) if (!signal.aborted) options.onText?.(char);
          if (!signal.aborted) answer(text);
        }
      });
    },
    async prefill(request: PrefillRequest) {
      prefills.push(request);
      return metrics;
    },
    warmUp(request: InfillWarmUp, signal?: AbortSignal) {
      return kind === "local" ? warmLocalInfill(engine, request, signal) : warmUpWithEmptyInfill(engine, request, signal);
    },
  } as unknown as Engine;
  return { engine, calls, prefills };
}

const settings = () => ({ ...defaultCompletionSettings, debounceMs: 0 });
const doc = (text: string, offset = text.length): CompletionInput => ({ documentId: "file:///w/a.py", filename: "a.py", text, offset });
const tick = () => new Promise((r) => setTimeout(r, 5));

describe("CompletionPipeline", () => {
  it("asks the model once, then serves typed-through text from the cache", async () => {
    const { engine, calls } = scriptedEngine("local", () => "total + 1\n");
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const first = await pipeline.complete(doc("def inc(total):\n    return "), new AbortController().signal);
    expect(first).toMatchObject({ text: "total + 1", source: "model" });
    expect(calls[0]!.request).toMatchObject({ prefix: "def inc(total):\n    return ", suffix: "", maxTokens: 64, timeoutMs: 3000 });
    const typed = await pipeline.complete(doc("def inc(total):\n    return tot"), new AbortController().signal);
    expect(typed).toMatchObject({ text: "al + 1", source: "cache" });
    expect(calls).toHaveLength(1);
    expect(pipeline.counters).toMatchObject({ requests: 1, cacheHits: 1 });
  });

  it("cancels the in-flight request on the next keystroke and never shows a late answer", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const firstSignal = new AbortController();
    const first = pipeline.complete(doc("x = "), firstSignal.signal);
    await tick();
    expect(calls).toHaveLength(1);
    // The editor cancels the first request's token as the second keystroke arrives.
    firstSignal.abort();
    const second = pipeline.complete(doc("x = 4"), new AbortController().signal);
    await tick();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(await first).toBeUndefined();
    calls[1]!.answer("2\n");
    expect(await second).toMatchObject({ text: "2" });
  });

  it("drops an answer that arrives after its signal aborted, but keeps it for typing through", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const signal = new AbortController();
    const pending = pipeline.complete(doc("y = "), signal.signal);
    await tick();
    const call = calls[0]!;
    call.answer("compute(y)");
    signal.abort();
    expect(await pending).toBeUndefined();
    expect(pipeline.counters.cancelled).toBe(1);
    expect(await pipeline.complete(doc("y = comp"), new AbortController().signal)).toMatchObject({ text: "ute(y)", source: "cache" });
  });

  it("an editor cancel without a keystroke detaches the caller; asking again joins the running request", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const first = new AbortController();
    const detached = pipeline.complete(doc("total = "), first.signal);
    await tick();
    first.abort();
    expect(await detached).toBeUndefined();
    expect(calls[0]!.signal.aborted).toBe(false);
    const again = pipeline.complete(doc("total = "), new AbortController().signal);
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.answer("a + b");
    expect(await again).toMatchObject({ text: "a + b", source: "model" });
    // cancel() stops what runs (the adapter calls it when the editor goes away).
    void pipeline.complete(doc("other = "), new AbortController().signal);
    await tick();
    pipeline.cancel();
    expect(calls[1]!.signal.aborted).toBe(true);
  });

  it("sends nothing when the keystroke is cancelled during the debounce", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), debounceMs: 50 }));
    const signal = new AbortController();
    const pending = pipeline.complete(doc("z = "), signal.signal);
    signal.abort();
    expect(await pending).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it("computes the completion after accepting a suggestion ahead of time (Tab-Tab from the cache)", async () => {
    const { engine, calls } = scriptedEngine("local", (request) => (request.prefix.endsWith("(a, b):\n") ? "    return a + b\n" : "def add(a, b):\n"));
    const pipeline = new CompletionPipeline(engine, settings);
    const input = doc("");
    const shown = await pipeline.complete(input, new AbortController().signal);
    expect(shown?.text).toBe("def add(a, b):");
    pipeline.suggestionShown(input, shown!.text);
    await pipeline.speculationSettled();
    expect(calls.map((c) => c.request.prefix)).toEqual(["", "def add(a, b):"]);
    const accepted = await pipeline.complete(doc("def add(a, b):"), new AbortController().signal);
    expect(accepted?.source).toBe("cache");
    expect(pipeline.counters).toMatchObject({ requests: 1, speculativeRequests: 1 });
  });

  it("a new keystroke cancels a running speculative request", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    pipeline.suggestionShown(doc("a = "), "1");
    await tick();
    // It waits for a typing gap first.
    expect(calls).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toHaveLength(1);
    const next = pipeline.complete(doc("a = 2"), new AbortController().signal);
    await tick();
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[1]!.answer(" + 3");
    expect((await next)?.text).toBe(" + 3");
  });

  it("warms up the prompt with the new extra context when the user is idle (local: prefill)", async () => {
    const { engine, prefills, calls } = scriptedEngine("local", () => "");
    const pipeline = new CompletionPipeline(engine, settings);
    const input = doc("import stack\ns = stack.");
    expect(await pipeline.refreshContext(input)).toBe(false);
    pipeline.ring.offer({ filename: "stack.py", text: "class Stack:\n    def push(self, x):\n        self.items.append(x)\n" });
    expect(await pipeline.refreshContext(input)).toBe(true);
    expect(prefills).toHaveLength(1);
    expect(prefills[0]!.sequence).toBe("completion");
    expect(JSON.stringify(prefills[0]!.prompt)).toContain("// stack.py");
    await pipeline.complete(input, new AbortController().signal);
    expect(calls[0]!.request.extraContext).toEqual([{ filename: "stack.py", text: expect.stringContaining("class Stack") }]);
  });

  it("never cancels a running request for a warm-up, and skips one that changes nothing", async () => {
    const { engine, calls, prefills } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const chunk = { filename: "util.py", text: "def util():\n    a = 1\n    return a\n" };
    const pending = pipeline.complete(doc("v = "), new AbortController().signal);
    await tick();
    pipeline.ring.offer(chunk);
    expect(await pipeline.refreshContext(doc("v = "))).toBe(false);
    expect(calls[0]!.signal.aborted).toBe(false);
    calls[0]!.answer("1");
    await pending;
    // The queued chunk waited; now it goes in, once.
    expect(await pipeline.refreshContext(doc("v = "))).toBe(true);
    pipeline.ring.offer(chunk);
    expect(await pipeline.refreshContext(doc("v = "))).toBe(false);
    // Chunks of the file being completed are not in its header: nothing to warm up.
    pipeline.ring.offer({ filename: "a.py", text: "x = 1\ny = 2\nz = 3\n" });
    expect(await pipeline.refreshContext(doc("v = "))).toBe(false);
    expect(prefills).toHaveLength(1);
  });

  it("warms up a remote backend with a zero-token infill", async () => {
    const { engine, calls, prefills } = scriptedEngine("http", () => "");
    const pipeline = new CompletionPipeline(engine, settings);
    pipeline.ring.offer({ filename: "b.py", text: "def b():\n    x = 1\n    return x\n" });
    expect(await pipeline.refreshContext(doc("print("))).toBe(true);
    expect(prefills).toHaveLength(0);
    expect(calls[0]!.request.maxTokens).toBe(0);
  });

  it("asks the engine to stop once the suggestion has the lines it can show, instead of cancelling it", async () => {
    const { engine, calls } = scriptedEngine("local", () => "a, b);\nconsole.log(a);\nconsole.log(b);\n");
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const input = { ...doc("call();\n"), offset: 5 };
    const outcome = await pipeline.complete(input, new AbortController().signal);
    // Code follows the cursor: one line is all that can be shown, so the request asks for one line
    // (the engine stops there, test/unit/completion/lineLimit.test.ts) and the host cancels nothing.
    expect(calls[0]!.request.maxLines).toBe(1);
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(outcome).toMatchObject({ text: "a, b", source: "model" });
    expect(pipeline.counters.cancelled).toBe(0);
  });

  it("passes engine errors other than cancellation to the caller", async () => {
    const engine = { kind: "local", infill: async () => Promise.reject(new EngineError("fimUnsupported", "no FIM")) } as unknown as Engine;
    const pipeline = new CompletionPipeline(engine, settings);
    await expect(pipeline.complete(doc("q"), new AbortController().signal)).rejects.toMatchObject({ code: "fimUnsupported" });
  });

  it("shows the first complete line while the rest is generated, then caches the whole answer for Tab", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    const started = pipeline.complete(doc("def add(a, b):\n"), new AbortController().signal);
    await tick();
    calls[0]!.write("    to");
    calls[0]!.write("tal = a + b\n    ret");
    expect(await started).toMatchObject({ text: "    total = a + b", source: "model" });
    // Still generating: the editor shows the first line; nothing speculative may cancel the request.
    expect(calls[0]!.signal.aborted).toBe(false);
    pipeline.suggestionShown(doc("def add(a, b):\n"), "    total = a + b");
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toHaveLength(1);
    // Typing through the shown line is served from the cache and leaves the request running.
    const typed = await pipeline.complete(doc("def add(a, b):\n    tot"), new AbortController().signal);
    expect(typed).toMatchObject({ text: "al = a + b", source: "cache" });
    expect(calls[0]!.signal.aborted).toBe(false);
    calls[0]!.write("urn total\n");
    calls[0]!.answer("    total = a + b\n    return total\n");
    await tick();
    // Accepting the first line finds the next one in the cache.
    const accepted = await pipeline.complete(doc("def add(a, b):\n    total = a + b"), new AbortController().signal);
    expect(accepted).toMatchObject({ text: "\n    return total", source: "cache" });
    expect(pipeline.counters).toMatchObject({ requests: 1, speculativeRequests: 0, cancelled: 0 });
  });

  it("waits for a line with something in it before showing anything early", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, settings);
    let shown: unknown;
    const started = pipeline.complete(doc("x = 1"), new AbortController().signal).then((outcome) => (shown = outcome));
    await tick();
    calls[0]!.write("\n");
    await tick();
    expect(shown).toBeUndefined();
    calls[0]!.write("y = 2\n");
    expect(await started).toMatchObject({ text: "\ny = 2" });
  });

  it("asks the model at once by default: the editor already waited, and the next keystroke cancels", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine);
    void pipeline.complete(doc("a"), new AbortController().signal);
    void pipeline.complete(doc("ab"), new AbortController().signal);
    void pipeline.complete(doc("abc"), new AbortController().signal);
    await Promise.resolve();
    expect(calls.map((c) => [c.request.prefix, c.signal.aborted])).toEqual([["a", true], ["ab", true], ["abc", false]]);
  });

  it("previews a long line still being written, up to its last whole word, and grows it in place", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const grown: string[] = [];
    pipeline.onSuggestionGrew((position) => grown.push(pipeline.cache.lookup(position)!));
    const input = doc("const total = ");
    const started = pipeline.complete(input, new AbortController().signal);
    await tick();
    calls[0]!.write("values");
    await tick();
    // Too short for a preview yet; then a half word that is not shown.
    calls[0]!.write(".reduce((sum, va");
    expect(await started).toMatchObject({ text: "values.reduce((sum,", source: "model" });
    calls[0]!.write("lue) => sum + value, 0);\nconsole.");
    await tick();
    // A line completed: the preview grows to it and to the words of the next one.
    expect(grown).toEqual(["values.reduce((sum, value) => sum + value, 0);\nconsole."]);
    calls[0]!.answer("values.reduce((sum, value) => sum + value, 0);\nconsole.log(total);");
    await tick();
    expect(grown).toEqual(["values.reduce((sum, value) => sum + value, 0);\nconsole.", "values.reduce((sum, value) => sum + value, 0);\nconsole.log(total);"]);
    // The request is over: the cache holds the whole answer, and no late preview replaces it.
    await tick();
    expect(pipeline.cache.lookup({ documentId: input.documentId, prefix: input.text, suffix: "" })).toBe(grown[1]);
  });

  it("a user who types on past a preview cancels the rest, and nothing grows", async () => {
    const { engine, calls } = scriptedEngine();
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }));
    const grown: unknown[] = [];
    pipeline.onSuggestionGrew((position) => grown.push(position));
    const first = new AbortController();
    const started = pipeline.complete(doc("let name = "), first.signal);
    await tick();
    calls[0]!.write("createDefaultUserName(options) ");
    expect(await started).toMatchObject({ text: "createDefaultUserName(options)" });
    first.abort();
    void pipeline.complete(doc("let name = x"), new AbortController().signal);
    await tick();
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(grown).toEqual([]);
  });

  it("traces each model request when it ends, cancelled or answered, with what it cost", async () => {
    const { engine, calls } = scriptedEngine();
    const lines: string[] = [];
    const pipeline = new CompletionPipeline(engine, () => ({ ...settings(), speculative: false }), (line) => lines.push(line));
    void pipeline.complete(doc("a"), new AbortController().signal);
    const second = pipeline.complete(doc("ab"), new AbortController().signal);
    await tick();
    calls[1]!.answer("c\n");
    await second;
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^completion request: keystroke, cancelled after \d+ ms$/);
    expect(lines[1]).toMatch(/^completion request: keystroke, eos after \d+ ms: prompt 10 \(10 evaluated in 1 ms\), first token 1 ms, 3 generated$/);
  });
});
