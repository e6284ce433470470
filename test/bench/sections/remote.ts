// The remote backend's own cost: HttpEngine against a bare fetch client, both talking to the same
// llama-server (synthetic model) in the same run, measured alternately (ABBA). Generation time on a
// shared machine swings 10× between runs, so the figures that matter subtract what the server says
// it spent (its `timings`) from what the client waited: the rest is the client's own overhead —
// HTTP, SSE parsing, validation, stop-string holding. And: how fast a cancel reaches the server.
import { HttpEngine } from "../../../src/backends/http/httpEngine";
import type { GenerateResult } from "../../../src/protocol/engine";
import { startLlamaServer, type LlamaServer } from "../../fixtures/llama-server";
import type { BenchContext, BenchSection } from "../types";
import { interleave, median, medianRatio } from "../util/stats";
import { codeLikeText } from "./engine";

const GEN_TOKENS = 128;
const INFILL_TOKENS = 16;
const REPS = 7;
const ROUNDS_BUDGET_MS = 45_000;

interface StreamFigures {
  ttftMs: number;
  totalMs: number;
  /** What the server says it spent: prompt evaluation + generation. */
  serverMs: number;
}

const overhead = (f: StreamFigures) => f.totalMs - f.serverMs;

interface Timings {
  prompt_ms?: number;
  predicted_ms?: number;
}

/** The peer: fetch, split events on blank lines, JSON.parse — the least a client can do. */
async function bareStream(url: string, body: unknown): Promise<StreamFigures> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let first: number | undefined;
  let timings: Timings | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const payload = JSON.parse(event.slice(6)) as { content?: string; choices?: { delta?: { content?: string } }[]; timings?: Timings };
      timings = payload.timings ?? timings;
      if (payload.content ?? payload.choices?.[0]?.delta?.content) first ??= performance.now();
    }
  }
  const end = performance.now();
  return { ttftMs: (first ?? end) - started, totalMs: end - started, serverMs: (timings?.prompt_ms ?? 0) + (timings?.predicted_ms ?? 0) };
}

/** The same measurement through HttpEngine: the first onText, as a feature sees it. */
async function engineStream(run: (onText: (t: string) => void) => Promise<GenerateResult>): Promise<StreamFigures> {
  const started = performance.now();
  let first: number | undefined;
  const result = await run(() => {
    first ??= performance.now();
  });
  const end = performance.now();
  // HttpEngine reports llama-server's own timings as promptMs and generationMs.
  return { ttftMs: (first ?? end) - started, totalMs: end - started, serverMs: result.metrics.promptMs + result.metrics.generationMs };
}

export const remote: BenchSection = {
  id: "remote",
  title: "Remote backend (HttpEngine) vs a bare client, same llama-server",
  async run(ctx: BenchContext) {
    const reps = ctx.reps ?? REPS;
    const [model, binary] = await Promise.all([ctx.syntheticModel(), ctx.llamaServerBinary()]);
    const server: LlamaServer = await startLlamaServer({ model, binary, threads: ctx.threads, ctxSize: 4096 });
    ctx.defer(() => server.stop());
    const engine = new HttpEngine({ baseUrl: server.url, flavor: "llama-server" });
    await engine.modelInfo();

    // Chat: a fresh first line per run, so neither side gets the other's prompt cache.
    const question = (tag: string) => `[${tag}] Explain this code:\n${codeLikeText(600)}`;
    const chatBody = (tag: string) => ({
      messages: [{ role: "user", content: question(tag) }],
      max_tokens: GEN_TOKENS,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true }, // as HttpEngine asks: the last chunk carries timings
    });
    const chat = await interleave({
      reps,
      budgetMs: ROUNDS_BUDGET_MS,
      a: (round) =>
        engineStream((onText) => engine.chat({ messages: [{ role: "user", content: question(`engine ${round}`) }], maxTokens: GEN_TOKENS }, { onText })),
      b: (round) => bareStream(`${server.url}/v1/chat/completions`, chatBody(`bare ${round}`)),
    });
    const ttft = (f: StreamFigures) => f.ttftMs;
    ctx.report({ id: "remote.chat_ttft_ms", value: median(chat.map((p) => p.a.ttftMs)), unit: "ms", note: `HttpEngine.chat, ~200-token prompt, ${chat.length} rounds` });
    ctx.report({ id: "remote.peer_chat_ttft_ms", value: median(chat.map((p) => p.b.ttftMs)), unit: "ms", note: "bare fetch client" });
    ctx.report({ id: "remote.chat_ttft_ratio", value: medianRatio(chat, ttft, ttft), unit: "×", note: "HttpEngine / bare client (server time swings: see overhead)" });
    ctx.report({ id: "remote.chat_overhead_ms", value: median(chat.map((p) => overhead(p.a))), unit: "ms", note: `client wait − server timings, ${GEN_TOKENS} tokens` });
    ctx.report({ id: "remote.peer_chat_overhead_ms", value: median(chat.map((p) => overhead(p.b))), unit: "ms", note: "bare fetch client" });
    ctx.report({
      id: "remote.chat_overhead_extra_ms",
      value: median(chat.map((p) => overhead(p.a) - overhead(p.b))),
      unit: "ms",
      goal: "<= 10",
      note: "HttpEngine's overhead beyond the bare client's, per pair",
    });

    // Ghost text: one keystroke more each round on a ~1,000-token file, so the server reuses its cache.
    const file = codeLikeText(5000, 7);
    let typed = "";
    const infill = await interleave({
      reps,
      budgetMs: ROUNDS_BUDGET_MS,
      a: () => {
        typed += "x";
        return engineStream((onText) => engine.infill({ prefix: file + typed, suffix: "\n}\n", maxTokens: INFILL_TOKENS }, { onText }));
      },
      b: () => {
        typed += "y";
        return bareStream(`${server.url}/infill`, {
          input_prefix: file + typed,
          input_suffix: "\n}\n",
          n_predict: INFILL_TOKENS,
          temperature: 0,
          cache_prompt: true,
          stream: true,
        });
      },
    });
    ctx.report({ id: "remote.infill_ms", value: median(infill.map((p) => p.a.totalMs)), unit: "ms", note: `HttpEngine.infill, ${INFILL_TOKENS} tokens, cached prefix` });
    ctx.report({ id: "remote.peer_infill_ms", value: median(infill.map((p) => p.b.totalMs)), unit: "ms", note: "bare fetch client" });
    ctx.report({
      id: "remote.infill_overhead_extra_ms",
      value: median(infill.map((p) => overhead(p.a) - overhead(p.b))),
      unit: "ms",
      goal: "<= 5",
      note: "HttpEngine's overhead beyond the bare client's, per keystroke",
    });

    // Cancel: abort after a few tokens; time until the server's slot is idle again.
    const cancels: number[] = [];
    for (let round = 0; round < Math.min(reps, 5); round++) {
      const controller = new AbortController();
      let chunks = 0;
      let aborted = 0;
      await engine
        .chat(
          { messages: [{ role: "user", content: question(`cancel ${round}`) }], maxTokens: 2000 },
          {
            signal: controller.signal,
            onText: () => {
              if (++chunks === 5) {
                aborted = performance.now();
                controller.abort();
              }
            },
          },
        )
        .catch(() => undefined);
      const deadline = performance.now() + 10_000;
      for (;;) {
        const slots = (await fetch(`${server.url}/slots`).then((r) => r.json())) as { is_processing: boolean }[];
        if (slots.every((slot) => !slot.is_processing)) break;
        if (performance.now() > deadline) throw new Error("llama-server kept generating 10 s after the request was aborted");
      }
      cancels.push(performance.now() - aborted);
    }
    ctx.report({ id: "remote.cancel_to_idle_ms", value: median(cancels), unit: "ms", goal: "<= 250", note: `abort → llama-server slot idle, ${cancels.length} runs` });
  },
};
