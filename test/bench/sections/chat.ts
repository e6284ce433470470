// Chat on the synthetic model (issue 6):
// - chat.tps_vs_llama_server: streamed generation speed of a chat answer through our engine (chat
//   template, engine process, streamed chunks to the host) over llama-server's streamed
//   /v1/chat/completions on the same messages, threads and context, measured alternately (ABBA).
//   Both are timed by the client: first streamed chunk → last, over generated tokens - 1.
// - chat.turn2_ttft_vs_turn1: time to first token of a follow-up question (KV of turn 1 reused)
//   over the first turn's (a ~1,500-token attachment evaluated cold).
// - fim.latency_during_chat_vs_idle: ghost-text (infill) latency while a chat answer streams on
//   the same model, over idle infill latency.
import type { ChatMessage } from "../../../src/backends/engine";
import type { LocalEngine } from "../../../src/backends/local/localEngine";
import { createPeerMatchedEngine, peerFlashAttentionArgs } from "../util/peerMatchedEngine";
import { startLlamaServer, type LlamaServer } from "../../fixtures/llama-server";
import type { BenchContext, BenchSection } from "../types";
import { interleave, median, medianRatio, relativeIqr } from "../util/stats";
import { codeLikeText } from "./engine";

const CONTEXT_SIZE = 4096;
const GEN_TOKENS = 128;
const REPS = 5;
const ROUNDS_BUDGET_MS = 60_000;
const FIM_PER_ROUND = 3;

interface StreamFigures {
  tokens: number;
  firstChunkMs: number;
  tps: number;
}

/** Client-side speed: chunks after the first one over the time they took to arrive. */
function streamTps(tokens: number, firstAt: number, lastAt: number): number {
  return tokens > 1 && lastAt > firstAt ? ((tokens - 1) / (lastAt - firstAt)) * 1000 : Number.NaN;
}

async function engineChat(engine: LocalEngine, messages: ChatMessage[], maxTokens: number, signal?: AbortSignal): Promise<StreamFigures & { text: string; engineTps: number }> {
  const started = performance.now();
  let firstAt = 0;
  let lastAt = 0;
  const result = await engine.chat({ messages, maxTokens, temperature: 0 }, {
    signal,
    onText: () => {
      lastAt = performance.now();
      firstAt ||= lastAt;
    },
  });
  const tokens = result.metrics.generatedTokens;
  return {
    tokens,
    firstChunkMs: firstAt - started,
    tps: streamTps(tokens, firstAt, lastAt),
    text: result.text,
    // The engine's own view (its generation time, no streaming): the gap to `tps` is the stream's.
    engineTps: (tokens / result.metrics.generationMs) * 1000,
  };
}

async function serverChat(server: LlamaServer, messages: ChatMessage[], maxTokens: number): Promise<StreamFigures> {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages, max_tokens: maxTokens, temperature: 0, stream: true, cache_prompt: false, stream_options: { include_usage: true } }),
    signal: AbortSignal.timeout(120_000),
  });
  if (!response.ok || !response.body) throw new Error(`llama-server /v1/chat/completions: HTTP ${response.status}`);
  let firstAt = 0;
  let lastAt = 0;
  let tokens = 0;
  let chunks = 0;
  let buffer = "";
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 2);
      if (!event.startsWith("data:") || event === "data: [DONE]") continue;
      const data = JSON.parse(event.slice(5)) as { choices?: { delta?: { content?: string } }[]; usage?: { completion_tokens?: number }; timings?: { predicted_n?: number } };
      if (data.choices?.[0]?.delta?.content) {
        lastAt = performance.now();
        firstAt ||= lastAt;
        chunks++;
      }
      tokens = data.timings?.predicted_n ?? data.usage?.completion_tokens ?? tokens;
    }
  }
  tokens ||= chunks;
  return { tokens, firstChunkMs: firstAt - started, tps: streamTps(tokens, firstAt, lastAt) };
}

const system: ChatMessage = { role: "system", content: "You are a coding assistant. Answer briefly, with code where it helps." };
const questionFor = (round: string) => ({ role: "user" as const, content: `${round}: Write a function that merges two sorted arrays, and explain it.` });

async function measureSpeed(ctx: BenchContext, engine: LocalEngine, server: LlamaServer, nonce: string): Promise<void> {
  // A distinct first line per run: neither side can reuse the previous run's prompt.
  const messagesFor = (tag: string): ChatMessage[] => [{ role: "system", content: `${tag} ${nonce}\n${system.content}` }, questionFor(tag)];
  const pairs = await interleave({
    reps: ctx.reps ?? REPS,
    warmup: 1,
    budgetMs: ROUNDS_BUDGET_MS,
    a: (round) => engineChat(engine, messagesFor(`e${round}`), GEN_TOKENS),
    b: (round) => serverChat(server, messagesFor(`s${round}`), GEN_TOKENS),
    onRound: (i, p) =>
      ctx.log(`chat round ${i + 1}: ${p.a.tps.toFixed(0)} (engine's own ${p.a.engineTps.toFixed(0)}) vs ${p.b.tps.toFixed(0)} tok/s (${p.a.tokens} vs ${p.b.tokens} tokens)`),
  });
  const tps = (x: StreamFigures) => x.tps;
  const spread = (xs: StreamFigures[]) => `median of ${xs.length}, iqr ${(relativeIqr(xs.map(tps)) * 100).toFixed(0)}%`;
  ctx.report({ id: "chat.engine_tps", value: median(pairs.map((p) => p.a.tps)), unit: "tok/s", note: `streamed to the host, ${spread(pairs.map((p) => p.a))}` });
  ctx.report({ id: "chat.llama_server_tps", value: median(pairs.map((p) => p.b.tps)), unit: "tok/s", note: `SSE /v1/chat/completions, ${spread(pairs.map((p) => p.b))}` });
  ctx.report({ id: "chat.tps_vs_llama_server", value: medianRatio(pairs, tps, tps), unit: "×", goal: ">= 0.95", note: "median of per-round ratios" });
}

async function measureTurn2(ctx: BenchContext, engine: LocalEngine, nonce: string): Promise<void> {
  const attachment = codeLikeText(6_000, 7);
  const ratios: number[] = [];
  const turn1: number[] = [];
  const turn2: number[] = [];
  for (let round = 0; round < (ctx.reps ?? REPS); round++) {
    const messages: ChatMessage[] = [system, { role: "user", content: `${round} ${nonce}\nFile src/data.ts:\n\`\`\`ts\n${attachment}\`\`\`\n\nWhat does this file do?` }];
    const first = await engineChat(engine, messages, 16);
    const second = await engineChat(engine, [...messages, { role: "assistant", content: first.text }, { role: "user", content: "Which function is the slowest?" }], 16);
    turn1.push(first.firstChunkMs);
    turn2.push(second.firstChunkMs);
    ratios.push(second.firstChunkMs / first.firstChunkMs);
    ctx.log(`turn 1 first token ${first.firstChunkMs.toFixed(0)} ms, turn 2 ${second.firstChunkMs.toFixed(0)} ms`);
  }
  ctx.report({ id: "chat.turn1_ttft_ms", value: median(turn1), unit: "ms", note: `~1,500-token attachment, cold, median of ${turn1.length}` });
  ctx.report({ id: "chat.turn2_ttft_ms", value: median(turn2), unit: "ms", note: "follow-up question, turn 1 reused" });
  ctx.report({ id: "chat.turn2_ttft_vs_turn1", value: median(ratios), unit: "×", goal: "<= 0.3", note: "median of per-round ratios" });
}

async function fimLatencies(engine: LocalEngine, round: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < FIM_PER_ROUND; i++) {
    const started = performance.now();
    await engine.infill({ prefix: `// round ${round}.${i}\nfunction add(a, b) {\n  return `, suffix: "\n}\n\nconsole.log(add(1, 2));\n", maxTokens: 16 });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function measureFimDuringChat(ctx: BenchContext, engine: LocalEngine, nonce: string): Promise<void> {
  const idle: number[] = [];
  const busy: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < (ctx.reps ?? REPS); round++) {
    const quiet = median(await fimLatencies(engine, round));
    const controller = new AbortController();
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    const chat = engine.chat(
      { messages: [system, questionFor(`fim ${round} ${nonce}`)], maxTokens: 4000, temperature: 0 },
      { signal: controller.signal, onText: () => streaming() },
    );
    await started;
    const during = median(await fimLatencies(engine, round));
    controller.abort();
    await chat.catch(() => undefined);
    idle.push(quiet);
    busy.push(during);
    ratios.push(during / quiet);
    ctx.log(`FIM idle ${quiet.toFixed(0)} ms, during chat ${during.toFixed(0)} ms`);
  }
  ctx.report({ id: "fim.latency_idle_ms", value: median(idle), unit: "ms", note: `16-token infill, median of ${idle.length}×${FIM_PER_ROUND}` });
  ctx.report({ id: "fim.latency_during_chat_ms", value: median(busy), unit: "ms", note: "while a chat answer streams" });
  ctx.report({ id: "fim.latency_during_chat_vs_idle", value: median(ratios), unit: "×", goal: "<= 1.5", note: "median of per-round ratios" });
}

export const chat: BenchSection = {
  id: "chat",
  title: `Chat: streamed speed vs llama-server /v1/chat/completions (${GEN_TOKENS} greedy tokens), turn-2 reuse, FIM during chat`,
  async run(ctx) {
    const [modelPath, binary] = await Promise.all([ctx.syntheticModel(), ctx.llamaServerBinary()]);
    const engine = createPeerMatchedEngine(ctx, modelPath, CONTEXT_SIZE);
    ctx.defer(() => engine.dispose());
    await engine.modelInfo();
    const server = await startLlamaServer({ model: modelPath, binary, threads: ctx.threads, ctxSize: CONTEXT_SIZE, extraArgs: peerFlashAttentionArgs(ctx) });
    ctx.defer(() => server.stop());
    const nonce = Date.now().toString(36);

    await measureSpeed(ctx, engine, server, nonce);
    // The peer is idle from here on; stop it so it does not take cycles from the engine's figures.
    await server.stop();
    await measureTurn2(ctx, engine, nonce);
    await measureFimDuringChat(ctx, engine, nonce);
  },
};
