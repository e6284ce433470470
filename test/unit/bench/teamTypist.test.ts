// The team bench's simulated editor (team/typist.ts) on real timers, against a scripted engine that
// answers after a set time: VS Code's 50 ms, keys typed over, and what gets recorded.
import { describe, expect, it } from "vitest";
import type { CompletionEngine } from "../../../src/core/engine/completionEngine";
import type { GenerationOptions, InfillRequest, InfillWarmUp } from "../../../src/core/engine/engine";
import { EngineError, type GenerateResult } from "../../../src/protocol/engine";
import { warmUpWithEmptyInfill } from "../../../src/backends/http/httpEngine";
import { EDITOR_DEBOUNCE_MS, runTypist } from "../../bench/team/typist";
import { typistScript } from "../../bench/team/typistSchedule";

const metrics = { promptTokens: 10, reusedTokens: 0, evaluatedTokens: 10, restoredTokens: 0, forcedTokens: 0, generatedTokens: 3, promptMs: 1, firstTokenMs: 1, generationMs: 1, totalMs: 2 };

/** A server that answers every request `delayMs` after it arrives, unless cancelled first. */
function slowServer(delayMs: number) {
  const requests: { request: InfillRequest; cancelled: boolean }[] = [];
  const engine: CompletionEngine = {
    kind: "http",
    infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
      const entry = { request, cancelled: false };
      requests.push(entry);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          options.onText?.("value + 1;\n");
          resolve({ text: "value + 1;\n", stopReason: "eos", metrics });
        }, delayMs);
        options.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          entry.cancelled = true;
          reject(new EngineError("cancelled", "cancelled"));
        });
      });
    },
    warmUp: (request: InfillWarmUp, signal?: AbortSignal) => warmUpWithEmptyInfill(engine, request, signal),
  };
  return { engine, requests };
}

const session = { file: "a.js", content: "const value = 1;\n", steps: [{ kind: "newLineAtEnd" as const }, { kind: "burst" as const, text: "let x = " }] };
// Keys 300 ms apart (not 120): room for a busy machine's timer delays.
const script = () => typistScript(0, { sessions: 1, from: [session], keyIntervalMs: 300, pauseMs: 900 });
/** Requests for keys, and the speculative ones (the text after accepting a shown suggestion). */
const split = (requests: ReturnType<typeof slowServer>["requests"]) => {
  const asked = requests.filter((r) => r.request.maxTokens > 0);
  const accepted = (r: (typeof asked)[number]) => r.request.prefix.endsWith("value + 1;");
  return { keys: asked.filter((r) => !accepted(r)), speculative: asked.filter(accepted) };
};

describe("team typist", () => {
  it("asks 50 ms after each key and records when each suggestion was shown", async () => {
    const { engine, requests } = slowServer(20);
    const { records } = await runTypist(0, script(), engine, performance.now());
    const { keys, speculative } = split(requests);
    expect(keys.length).toBe(8);
    // After each shown suggestion, 150 ms later, the one for the text after accepting it.
    expect(speculative.length).toBeGreaterThanOrEqual(1);
    expect(speculative.at(-1)!.request.prefix.endsWith("let x = value + 1;")).toBe(true);
    expect(records.map((r) => r.lastOfBurst)).toEqual([false, false, false, false, false, false, false, true]);
    for (const record of records) {
      expect(record.source).toBe("model");
      expect(record.shownAt! - record.typedAt).toBeGreaterThanOrEqual(EDITOR_DEBOUNCE_MS + 20 - 2);
      expect(record.shownAt! - record.typedAt).toBeLessThan(300);
    }
    expect(records.at(-1)!.wholeAt).toBeGreaterThanOrEqual(records.at(-1)!.shownAt!);
  });

  it("leaves keys typed over without a suggestion, cancels their requests, and answers the burst's last key", async () => {
    const { engine, requests } = slowServer(500);
    const { records } = await runTypist(0, script(), engine, performance.now());
    const { keys } = split(requests);
    expect(keys.length).toBe(8);
    expect(keys.slice(0, -1).every((r) => r.cancelled)).toBe(true);
    expect(records.slice(0, -1).every((r) => r.shownAt === undefined)).toBe(true);
    expect(records.at(-1)!.shownAt! - records.at(-1)!.typedAt).toBeGreaterThanOrEqual(EDITOR_DEBOUNCE_MS + 500 - 2);
    // Each prompt is the file as typed so far: the server can reuse the previous one's cache.
    expect(keys.map((r) => r.request.prefix.endsWith("let x = ".slice(0, keys.indexOf(r) + 1)))).toEqual(keys.map(() => true));
  });
});
