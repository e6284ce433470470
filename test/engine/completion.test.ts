// Ghost-text completion through the core pipeline on the real engine (node-llama-cpp on the
// synthetic DeepSeek model, in the engine process). Random weights: assert on structure — tokens
// evaluated, reuse, cancellation, cache sources — never on the text.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine, GenerationOptions, InfillRequest } from "../../src/core/engine/engine.js";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput, type CompletionSettings } from "../../src/core/completion/completionPipeline.js";
import { alternativeSamples } from "../../src/core/completion/alternatives.js";
import { buildFimPrompt } from "../../src/core/completion/fimPrompt.js";
import { EngineError, type GenerateResult, type PromptSegment } from "../../src/protocol/engine.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

interface Recorded {
  request: InfillRequest;
  /** Characters streamed so far. */
  streamed: number;
  result?: GenerateResult;
  error?: unknown;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** The real engine, with every infill it serves written down. */
function recordingEngine(engine: LocalEngine): { engine: Engine; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const wrapped: Engine = Object.assign(Object.create(engine) as Engine, {
    async infill(request: InfillRequest, options?: GenerationOptions) {
      const call: Recorded = { request, streamed: 0 };
      calls.push(call);
      const onText = (text: string) => {
        call.streamed += text.length;
        options?.onText?.(text);
      };
      try {
        call.result = await engine.infill(request, { ...options, onText });
        return call.result;
      } catch (error) {
        call.error = error;
        throw error;
      }
    },
  });
  return { engine: wrapped, calls };
}

const sourceFile = Array.from(
  { length: 60 },
  (_, i) => `export function handler${i}(request: Request, response: Response): void {\n  const body = request.body ?? {};\n  response.status(${200 + (i % 5)}).json({ id: ${i}, ...body });\n}\n`,
).join("\n");
const tail = "\nexport const routes = [handler0, handler1];\n";
const typed = "export function sumOfSquares(values: number[]): number {\n  return values.reduce((s, v) => s + v * v, 0);";

let local: LocalEngine;
let fimTokens: Record<string, number>;

const doc = (text: string, offset: number): CompletionInput => ({ documentId: "file:///w/routes.ts", filename: "routes.ts", text, offset });
const settings = (over: Partial<CompletionSettings> = {}) => () => ({ ...defaultCompletionSettings, debounceMs: 0, ...over });

async function promptTokens(request: InfillRequest): Promise<number[]> {
  const tokens: number[] = [];
  for (const segment of buildFimPrompt(request.prefix, request.suffix, request.extraContext).segments as PromptSegment[]) {
    if ("token" in segment) tokens.push(fimTokens[segment.token]!);
    else tokens.push(...(await local.tokenize(segment.text)));
  }
  return tokens;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

beforeAll(async () => {
  local = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 4096, threads: 1 });
  const info = await local.modelInfo();
  fimTokens = Object.fromEntries(Object.entries(info.specialTokens).filter(([, id]) => id !== null)) as Record<string, number>;
});

afterAll(async () => {
  await local?.dispose();
});

describe("ghost-text completion on the real engine", () => {
  it("a typing sequence of 50 keystrokes evaluates only the tokens each keystroke changed", async () => {
    const { engine, calls } = recordingEngine(local);
    const pipeline = new CompletionPipeline(engine, settings({ speculative: false, maxTokens: 4 }));
    let previous: number[] = [];
    const rows: { evaluated: number; changed: number; prompt: number }[] = [];
    for (let k = 1; k <= 50; k++) {
      const before = `${sourceFile}\n${typed.slice(0, k)}`;
      const outcome = await pipeline.complete(doc(before + tail, before.length), new AbortController().signal);
      expect(outcome).toBeDefined();
      // The editor shows the preview while the rest is generated; the metrics come with the whole.
      await pipeline.requestSettled();
      const call = calls[calls.length - 1]!;
      if (outcome!.source === "cache") continue;
      const tokens = await promptTokens(call.request);
      const metrics = call.result!.metrics;
      expect(metrics.promptTokens).toBe(tokens.length);
      rows.push({ evaluated: metrics.evaluatedTokens, changed: tokens.length - commonPrefix(previous, tokens), prompt: tokens.length });
      previous = tokens;
    }
    expect(rows.length).toBeGreaterThan(25);
    // The first request is cold; after it each one evaluates what changed, plus the token held back
    // to start generation.
    expect(rows[0]!.prompt).toBeGreaterThan(500);
    expect(rows[0]!.evaluated).toBeGreaterThanOrEqual(rows[0]!.prompt - 2);
    for (const row of rows.slice(1)) expect(row.evaluated).toBeLessThanOrEqual(row.changed + 2);
    const sorted = rows.slice(1).map((r) => r.evaluated).sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1]).toBeLessThan(rows[0]!.prompt / 10);
  }, 600_000);

  it("the next keystroke stops the running request: during generation, and during prompt evaluation", async () => {
    const { engine, calls } = recordingEngine(local);
    let maxTokens = 1;
    const pipeline = new CompletionPipeline(engine, () => ({
      ...defaultCompletionSettings,
      debounceMs: 0,
      speculative: false,
      prefixTokens: 3000,
      maxLines: 1000,
      timeoutMs: 600_000,
      maxTokens,
    }));
    const text = `${sourceFile}\nexport const answer = `;
    // Warm the prompt with a one-token request, so the next one is generating almost at once.
    await pipeline.complete(doc(text, text.length - 1), new AbortController().signal);
    maxTokens = 2000;
    const generating = pipeline.complete(doc(text, text.length), new AbortController().signal);
    await waitUntil(() => (calls[1]?.streamed ?? 0) > 0);
    maxTokens = 1;
    const next = pipeline.complete(doc(`${text}4`, text.length + 1), new AbortController().signal);
    // Its preview may have been shown before the keystroke; what matters is that it stopped.
    await generating;
    await waitUntil(() => calls[1]!.result !== undefined || calls[1]!.error !== undefined);
    expect(calls[1]!.result?.stopReason).toBe("aborted");
    expect(calls[1]!.result!.metrics.generatedTokens).toBeLessThan(2000);
    expect((await next)?.source).toBe("model");

    // Cold and long: stopped while its prompt is still being evaluated, in bounded batches.
    // Upper-cased so that no run of it is in the KV cache (shifted-chunk reuse would find one).
    const cold = `// ${Date.now()}\n${sourceFile.toUpperCase().repeat(2)}`;
    maxTokens = 2000;
    const evaluating = pipeline.complete(doc(cold, cold.length), new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    maxTokens = 1;
    const after = pipeline.complete(doc(`${cold}x`, cold.length + 1), new AbortController().signal);
    expect(await evaluating).toBeUndefined();
    const interrupted = calls[3]!;
    expect(interrupted.error).toBeInstanceOf(EngineError);
    expect((interrupted.error as EngineError).code).toBe("cancelled");
    // The engine is free again: the next keystroke is served.
    expect((await after)?.source).toBe("model");
    expect(calls).toHaveLength(5);
  }, 300_000);

  it("serves the speculative next completion (the one after accepting) from the cache", async () => {
    const { engine, calls } = recordingEngine(local);
    const pipeline = new CompletionPipeline(engine, settings({ maxTokens: 16 }));
    let shown: { input: CompletionInput; text: string } | undefined;
    for (let k = 10; k < typed.length && !shown; k += 7) {
      const before = `${sourceFile}\n${typed.slice(0, k)}`;
      const input = doc(before + tail, before.length);
      await pipeline.complete(input, new AbortController().signal);
      // What the editor shows once the whole answer is in (it grows in place from the preview).
      await pipeline.requestSettled();
      const outcome = await pipeline.complete(input, new AbortController().signal);
      if (outcome?.text) shown = { input, text: outcome.text };
    }
    expect(shown, "the synthetic model suggests something somewhere in the sequence").toBeDefined();
    const requestsBefore = calls.length;
    pipeline.suggestionShown(shown!.input, shown!.text);
    await pipeline.speculationSettled();
    expect(calls.length).toBe(requestsBefore + 1);
    expect(calls[calls.length - 1]!.request.prefix.endsWith(shown!.text)).toBe(true);

    // Tab: the editor inserts the suggestion and asks again.
    const { text, offset } = shown!.input;
    const accepted = text.slice(0, offset) + shown!.text + text.slice(offset);
    const next = await pipeline.complete(doc(accepted, offset + shown!.text.length), new AbortController().signal);
    expect(next?.source).toBe("cache");
    expect(calls.length).toBe(requestsBefore + 1);
  }, 300_000);

  it("stops at the line limit with stopReason lineLimit: the text up to the line break, fewer tokens generated", async () => {
    // Random weights: sample (seeded) until an answer has two line breaks, then ask again for two lines.
    const prompt = [{ text: `${sourceFile}\n` }];
    const ask = (seed: number, maxLines?: number) =>
      local.generate({ sequence: "completion", prompt, maxTokens: 48, temperature: 1, seed, stopStrings: [], ...(maxLines ? { maxLines } : {}) });
    let seed = 0;
    let whole: GenerateResult | undefined;
    for (seed = 1; seed <= 20 && !whole; seed++) {
      const result = await ask(seed);
      if (result.text.split("\n").length > 2) whole = result;
    }
    expect(whole, "some seed writes two line breaks within 48 tokens").toBeDefined();
    const streamed: string[] = [];
    const limited = await local.generate(
      { sequence: "completion", prompt, maxTokens: 48, temperature: 1, seed: seed - 1, stopStrings: [], maxLines: 2 },
      { onText: (text) => streamed.push(text) },
    );
    const secondBreak = whole!.text.indexOf("\n", whole!.text.indexOf("\n") + 1);
    expect(limited.stopReason).toBe("lineLimit");
    expect(limited.text).toBe(whole!.text.slice(0, secondBreak));
    expect(streamed.join("")).toBe(limited.text);
    expect(limited.metrics.generatedTokens).toBeLessThanOrEqual(whole!.metrics.generatedTokens);
  }, 300_000);

  it("warms up new extra context while idle, so the next keystroke reuses it", async () => {
    const { engine, calls } = recordingEngine(local);
    const pipeline = new CompletionPipeline(engine, settings({ speculative: false, maxTokens: 4 }));
    const chunk = Array.from({ length: 30 }, (_, i) => `export const limit${i} = ${i * 7}; // request limit ${i}`).join("\n");
    pipeline.ring.offer({ filename: "limits.ts", text: chunk });
    const before = `${sourceFile}\nexport const x = `;
    expect(await pipeline.refreshContext(doc(before + tail, before.length))).toBe(true);
    const outcome = await pipeline.complete(doc(`${before}l${tail}`, before.length + 1), new AbortController().signal);
    await pipeline.requestSettled();
    const call = calls[calls.length - 1]!;
    expect(call.request.extraContext?.map((c) => c.filename)).toEqual(["limits.ts"]);
    expect(outcome?.source).toBe("model");
    expect(call.result!.metrics.reusedTokens).toBeGreaterThan(call.result!.metrics.promptTokens * 0.9);
  }, 300_000);

  it("samples the alternatives (Alt+]) from the prompt the greedy answer left in the sequence: none evaluated again", async () => {
    const { engine, calls } = recordingEngine(local);
    const pipeline = new CompletionPipeline(engine, settings({ speculative: false, maxTokens: 16, maxLines: 3 }));
    const before = `${sourceFile}\nexport function handler60(request: Request, response: Response): void {\n  `;
    const input = doc(before + tail, before.length);
    const first = await pipeline.complete({ ...input, explicit: true }, new AbortController().signal);
    await pipeline.requestSettled();
    const greedy = calls[calls.length - 1]!.result!.metrics;
    expect(first?.text.length ?? 0, "the synthetic model writes something here").toBeGreaterThan(0);

    const alternatives = await pipeline.alternatives(input, first!.text, new AbortController().signal);
    const samples = calls.slice(-alternativeSamples);
    expect(calls).toHaveLength(1 + alternativeSamples);
    for (const sample of samples) {
      expect(sample.request.temperature).toBeGreaterThan(0);
      const metrics = sample.result!.metrics;
      expect(metrics.promptTokens).toBe(greedy.promptTokens);
      // Only the prompt's last token, held back to start generation, is evaluated again.
      expect(metrics.evaluatedTokens).toBeLessThanOrEqual(1);
      expect(metrics.reusedTokens).toBeGreaterThanOrEqual(metrics.promptTokens - 1);
    }
    // Random weights: the texts are noise, their structure is not. Distinct, none empty, none the first.
    expect(alternatives.length).toBeLessThanOrEqual(alternativeSamples);
    expect(new Set([first!.text.trimEnd(), ...alternatives.map((text) => text.trimEnd())]).size).toBe(1 + alternatives.length);
    expect(alternatives.every((text) => text.trim() !== "")).toBe(true);
    expect(pipeline.counters).toMatchObject({ requests: 1, alternativesAsked: alternativeSamples, alternativesShown: alternatives.length });
  }, 300_000);
});
