// Alternative ghost-text suggestions (Alt+] / Alt+[): which samples are offered, when the pipeline
// asks the model for them (only when the editor asks: never for a keystroke), and the provider's
// items (the greedy answer first; alternatives only on the user's Invoke). The sampled requests'
// KV reuse is measured on the real engine in test/engine/completion.test.ts.
import { afterEach, describe, expect, it, vi } from "vitest";
import type * as vscode from "vscode";
import type { Engine, GenerationOptions, InfillRequest } from "../../../src/core/engine/engine.js";
import { alternativeRequest, distinctAlternatives } from "../../../src/core/completion/alternatives.js";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionPipeline.js";
import { EngineError, type GenerateResult } from "../../../src/protocol/engine.js";
import { FakeDocument, Position, Uri } from "../../fixtures/fakeVscode.js";
import { registerWithFakes } from "./registeredCompletion.js";

const registered = vi.hoisted(() => ({ providers: [] as vscode.InlineCompletionItemProvider[] }));

vi.mock("vscode", async () => (await import("../../fixtures/fakeVscode.js")).vscodeForCompletion(registered));

const metrics = { promptTokens: 1, reusedTokens: 0, evaluatedTokens: 1, restoredTokens: 0, forcedTokens: 0, generatedTokens: 2, promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0 };

/**
 * A local engine answering greedy requests with `greedy` and the sample with seed N with
 * `samples[N - 1]`; with `hold`, a request waits until its signal aborts or `release()` answers it.
 */
function seededEngine(greedy: string, samples: string[], kind: "local" | "http" = "local") {
  const requests: InfillRequest[] = [];
  const held: (() => void)[] = [];
  const holding = { hold: false, release: () => held.splice(0).forEach((answer) => answer()) };
  const engine = {
    kind,
    infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
      requests.push(request);
      const text = request.seed === undefined ? greedy : samples[request.seed - 1]!;
      if (!holding.hold) return Promise.resolve({ text, stopReason: "eos", metrics });
      return new Promise((resolve, reject) => {
        held.push(() => resolve({ text, stopReason: "eos", metrics }));
        options.signal?.addEventListener("abort", () => reject(new EngineError("cancelled", "The request was cancelled.")));
      });
    },
    prefill: async () => metrics,
    warmUp: async () => undefined,
  } as unknown as Engine;
  return { engine, requests, holding };
}

const text = "function add(a: number, b: number): number {\n  return \n}\n";
const input: CompletionInput = { documentId: "file:///w/add.ts", filename: "add.ts", text, offset: text.indexOf("return ") + 7 };
const settings = () => ({ ...defaultCompletionSettings, debounceMs: 0, speculative: false });
const sampled = (request: InfillRequest) => (request.temperature ?? 0) > 0;

describe("distinct alternatives", () => {
  it("drops empty samples, the greedy answer again and repeats, keeping the order they came in", () => {
    expect(distinctAlternatives("a + b;", ["a - b;", "", "  \n", "a + b;\n", undefined, "a - b;  ", "b + a;"])).toEqual(["a - b;", "b + a;"]);
  });

  it("samples the greedy request's prompt and limits with a seed of its own", () => {
    const greedy: InfillRequest = { prefix: "p", suffix: "s", maxTokens: 64, maxLines: 3, temperature: 0 };
    const [first, second] = [alternativeRequest(greedy, 0), alternativeRequest(greedy, 1)];
    expect(first).toMatchObject({ prefix: "p", suffix: "s", maxTokens: 64, maxLines: 3 });
    expect(first.temperature).toBeGreaterThan(0);
    expect(first.seed).not.toBe(second.seed);
  });
});

describe("the pipeline's alternatives", () => {
  it("are never asked for a keystroke, typed or invoked: only when the editor asks for them", async () => {
    const { engine, requests } = seededEngine("a + b;", ["a - b;", "a + b;"]);
    const pipeline = new CompletionPipeline(engine, settings);
    const typed = await pipeline.complete(input, new AbortController().signal);
    await pipeline.complete({ ...input, offset: input.offset - 1, explicit: true }, new AbortController().signal);
    expect(typed?.text).toBe("a + b;");
    expect(requests.some(sampled)).toBe(false);

    const alternatives = await pipeline.alternatives(input, typed!.text, new AbortController().signal);
    expect(alternatives).toEqual(["a - b;"]);
    const samples = requests.filter(sampled);
    expect(samples).toHaveLength(2);
    expect(samples.every((request) => request.prefix === requests[0]!.prefix && request.suffix === requests[0]!.suffix)).toBe(true);
    expect(pipeline.counters).toMatchObject({ alternativesAsked: 2, alternativesShown: 1 });

    // Cycling back and forth at the same cursor asks the model once.
    expect(await pipeline.alternatives(input, typed!.text, new AbortController().signal)).toEqual(["a - b;"]);
    expect(requests.filter(sampled)).toHaveLength(2);
  });

  it("are none on a server backend, which would evaluate the whole prompt once per alternative", async () => {
    const { engine, requests } = seededEngine("a + b;", ["a - b;", "b + a;"], "http");
    const pipeline = new CompletionPipeline(engine, settings);
    expect(await pipeline.alternatives(input, "a + b;", new AbortController().signal)).toEqual([]);
    expect(requests).toHaveLength(0);
  });

  it("wait for the keystroke request still writing the shown suggestion, never cancel it; are cancelled by the next keystroke", async () => {
    const { engine, requests, holding } = seededEngine("a + b;", ["a - b;", "b + a;"]);
    const pipeline = new CompletionPipeline(engine, settings);
    holding.hold = true;
    const keystroke = pipeline.complete(input, new AbortController().signal);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    const waiting = pipeline.alternatives(input, "a + b;", new AbortController().signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(requests).toHaveLength(1);
    holding.hold = false;
    holding.release();
    expect((await keystroke)?.text).toBe("a + b;");
    expect(await waiting).toEqual(["a - b;", "b + a;"]);

    // A keystroke request that does not finish in time: nothing is offered, and it runs on.
    holding.hold = true;
    const slow = pipeline.complete({ ...input, offset: input.offset - 2 }, new AbortController().signal);
    await vi.waitFor(() => expect(requests).toHaveLength(4));
    expect(await pipeline.alternatives({ ...input, offset: input.offset - 2 }, "a + b;", new AbortController().signal)).toEqual([]);
    expect(requests).toHaveLength(4);

    pipeline.cancel();
    await slow;
    const elsewhere = { ...input, offset: input.offset - 3 };
    const asked = pipeline.alternatives(elsewhere, "a + b;", new AbortController().signal);
    await vi.waitFor(() => expect(requests.filter(sampled)).toHaveLength(3));
    holding.hold = false;
    const next = await pipeline.complete({ ...input, offset: input.offset - 1 }, new AbortController().signal);
    expect(await asked).toEqual([]);
    expect(next?.text).toBe("a + b;");
  });
});

describe("the provider's items", () => {
  const owned: { dispose(): unknown }[] = [];
  afterEach(() => owned.splice(0).forEach((disposable) => disposable.dispose()));

  async function offered(provider: vscode.InlineCompletionItemProvider, triggerKind: 0 | 1) {
    const document = new FakeDocument(Uri.file("/w/src/add.ts"), text, "typescript");
    const token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose() {} }) } as unknown as vscode.CancellationToken;
    const items = await provider.provideInlineCompletionItems(
      document as unknown as vscode.TextDocument,
      new Position(1, 9) as unknown as vscode.Position,
      { triggerKind, selectedCompletionInfo: undefined } as unknown as vscode.InlineCompletionContext,
      token,
    );
    return (items as vscode.InlineCompletionItem[] | undefined)?.map((item) => item.insertText);
  }

  it("are the greedy answer alone while typing or at a new place, and it then the alternatives when the user asks for more", async () => {
    const { engine, requests } = seededEngine("a + b;", ["a - b;", "b + a;"]);
    registered.providers.length = 0;
    registerWithFakes(engine, owned);
    const provider = registered.providers[0]!;
    // Alt+\ where nothing was shown yet: the first answer, without waiting for samples.
    expect(await offered(provider, 0)).toEqual(["a + b;"]);
    expect(await offered(provider, 1)).toEqual(["a + b;"]);
    expect(requests.some(sampled)).toBe(false);
    // Alt+] on the shown suggestion.
    expect(await offered(provider, 0)).toEqual(["a + b;", "a - b;", "b + a;"]);
    expect(requests.filter(sampled)).toHaveLength(2);
  });
});
