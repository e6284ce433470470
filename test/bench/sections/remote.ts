// The remote backend's own cost: HttpEngine against a bare fetch client, both talking to the same
// llama-server (synthetic model) in the same run, measured alternately (ABBA). What is left is
// HttpEngine's overhead — SSE parsing, stop-string holding, validation — and how fast a cancel
// reaches the server.
import { HttpEngine } from "../../../src/backends/http/httpEngine";
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
  /** Chunks per second after the first one (llama-server streams one token per chunk). */
  tps: number;
  totalMs: number;
}

/** The peer: fetch, split events on blank lines, JSON.parse — the least a client can do. */
async function bareStream(url: string, body: unknown): Promise<StreamFigures> {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let first: number | undefined;
  let last = started;
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!event.startsWith("data: ") || event === "data: [DONE]") continue;
      const payload = JSON.parse(event.slice(6)) as { content?: string; choices?: { delta?: { content?: string } }[] };
      const text = payload.content ?? payload.choices?.[0]?.delta?.content;
      if (!text) continue;
      chunks++;
      last = performance.now();
      first ??= last;
    }
  }
  return figures(started, first, last, chunks);
}

function figures(started: number, first: number | undefined, last: number, chunks: number): StreamFigures {
  const ttft = (first ?? last) - started;
  return { ttftMs: ttft, tps: chunks > 1 ? ((chunks - 1) / (last - (first ?? last))) * 1000 : 0, totalMs: last - started };
}

/** The same measurement through HttpEngine: timestamps taken in onText, as a feature sees them. */
async function engineStream(run: (onText: (t: string) => void) => Promise<unknown>): Promise<StreamFigures> {
  const started = performance.now();
  let first: number | undefined;
  let last = started;
  let chunks = 0;
  await run(() => {
    chunks++;
    last = performance.now();
    first ??= last;
  });
  return figures(started, first, last, chunks);
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
    });
    const chat = await interleave({
      reps,
      budgetMs: ROUNDS_BUDGET_MS,
      a: (round) =>
        engineStream((onText) => engine.chat({ messages: [{ role: "user", content: question(`engine ${round}`) }], maxTokens: GEN_TOKENS }, { onText })),
      b: (round) => bareStream(`${server.url}/v1/chat/completions`, chatBody(`bare ${round}`)),
    });
    const ttft = (f: StreamFigures) => f.ttftMs;
    const tps = (f: StreamFigures) => f.tps;
    ctx.report({ id: "remote.chat_ttft_ms", value: median(chat.map((p) => p.a.ttftMs)), unit: "ms", note: `HttpEngine.chat, ~200-token prompt, ${chat.length} rounds` });
    ctx.report({ id: "remote.peer_chat_ttft_ms", value: median(chat.map((p) => p.b.ttftMs)), unit: "ms", note: "bare fetch client" });
    ctx.report({ id: "remote.chat_ttft_ratio", value: medianRatio(chat, ttft, ttft), unit: "×", goal: "<= 1.2", note: "HttpEngine / bare client" });
    ctx.report({ id: "remote.chat_tps_ratio", value: medianRatio(chat, tps, tps), unit: "×", goal: ">= 0.9", note: `${GEN_TOKENS} tokens streamed` });

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
    const total = (f: StreamFigures) => f.totalMs;
    ctx.report({ id: "remote.infill_ms", value: median(infill.map((p) => p.a.totalMs)), unit: "ms", note: `HttpEngine.infill, ${INFILL_TOKENS} tokens, cached prefix` });
    ctx.report({ id: "remote.infill_ratio", value: medianRatio(infill, total, total), unit: "×", goal: "<= 1.15", note: "HttpEngine / bare client" });

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
