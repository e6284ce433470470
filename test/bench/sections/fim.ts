// Ghost-text completion (issue 4) on the synthetic model, engine and llama-server side by side with
// the same threads, context size and flash attention (`--flash-attn`):
// - cold FIM latency: a fresh prefix (its first line differs per round) through Engine.infill vs
//   llama-server /infill with cache_prompt on the same prefix/suffix, ABBA, median of ratios; the
//   goal against llama-server given the engine's process settings, and beside it llama-server at
//   its defaults (util/peerSettings.ts); more rounds while the ratios spread by more than 10%;
// - warm typing continuation: the same prompt plus one typed character, over the cold request;
// - a 200-keystroke typing simulation at human speed through the core pipeline (adaptive debounce,
//   cancellation, typed-through cache, speculation): model requests per keystroke, suggestions that
//   arrived after the user had typed past them, and prompt tokens evaluated per request.
import { createLocalEngine, type LocalEngine } from "../../../src/backends/local/localEngine";
import { eachPeer, peerMatchedEngineOptions, startPeer, type PeerConfig } from "../util/peerSettings";
import { isNoisy, raisedReps, roundRatios, spreadNote } from "../util/ratios";
import { CompletionPipeline, defaultCompletionSettings, type CompletionInput } from "../../../src/core/completion/completionPipeline";
import type { Engine, GenerationOptions, InfillRequest } from "../../../src/core/engine/engine";
import type { RequestMetrics } from "../../../src/protocol/engine";
import type { LlamaServer } from "../../fixtures/llama-server";
import { infill } from "../peer/llama-server-client";
import type { BenchContext, BenchSection } from "../types";
import { interleave, median, relativeIqr } from "../util/stats";
import { codeLikeText } from "./engine";

const CONTEXT_SIZE = 4096;
/** About 1,000 prefix tokens and 60 suffix tokens: the default prefix budget, a short suffix. */
const PREFIX_CHARS = 4000;
const SUFFIX_CHARS = 240;
const GEN_TOKENS = 16;
const REPS = 7;
const KEYSTROKES = 200;

interface Timed {
  ms: number;
  firstTokenMs: number;
  promptTokens: number;
  generated: number;
}

async function engineInfill(engine: LocalEngine, prefix: string, suffix: string): Promise<Timed & { metrics: RequestMetrics }> {
  const started = performance.now();
  const r = await engine.infill({ prefix, suffix, maxTokens: GEN_TOKENS, temperature: 0 });
  const ms = performance.now() - started;
  return { ms, firstTokenMs: r.metrics.firstTokenMs ?? ms, promptTokens: r.metrics.promptTokens, generated: r.metrics.generatedTokens, metrics: r.metrics };
}

async function serverInfill(server: LlamaServer, prefix: string, suffix: string): Promise<Timed> {
  const started = performance.now();
  const r = await infill(server.url, { input_prefix: prefix, input_suffix: suffix, n_predict: GEN_TOKENS, temperature: 0, cache_prompt: true });
  const ms = performance.now() - started;
  const t = r.timings;
  return { ms, firstTokenMs: t.prompt_ms, promptTokens: t.prompt_n + t.cache_n, generated: t.predicted_n };
}

/** Deterministic "human" gaps: ~160 ms between keys, longer after words, long after lines. */
function humanGaps(text: string, seed = 7): number[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return [...text].map((ch) => {
    const base = 90 + rnd() * 140;
    if (ch === "\n") return base + 500 + rnd() * 900;
    if (/[\s(.,;]/.test(ch) && rnd() < 0.35) return base + 250 + rnd() * 600;
    return base;
  });
}

const typedCode = `export function normalize(values: number[]): number[] {
  const total = values.reduce((sum, v) => sum + v, 0);
  if (total === 0) return values.map(() => 0);
  return values.map((v) => v / total);
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
`;

/** The engine with the prompt tokens each infill evaluated written down (cancelled ones included). */
function meteredEngine(engine: LocalEngine, evaluated: number[]): Engine {
  return Object.assign(Object.create(engine) as Engine, {
    async infill(request: InfillRequest, options?: GenerationOptions) {
      const result = await engine.infill(request, options);
      evaluated.push(result.metrics.evaluatedTokens);
      return result;
    },
  });
}

async function typingSimulation(ctx: BenchContext, engine: LocalEngine, body: string) {
  const evaluated: number[] = [];
  const pipeline = new CompletionPipeline(meteredEngine(engine, evaluated), () => defaultCompletionSettings);
  const suffix = "\n\nexport const version = 1;\n";
  const text = typedCode.slice(0, KEYSTROKES);
  const gaps = humanGaps(text);
  let late = 0;
  let shown = 0;
  let current: AbortController | undefined;
  let lastKeystroke = 0;
  const pending: Promise<void>[] = [];
  for (let k = 1; k <= text.length; k++) {
    // The editor cancels the previous keystroke's request as the next one arrives.
    current?.abort();
    const controller = new AbortController();
    current = controller;
    lastKeystroke = k;
    const before = `${body}\n${text.slice(0, k)}`;
    const input: CompletionInput = { documentId: "bench://typing.ts", filename: "typing.ts", text: before + suffix, offset: before.length };
    pending.push(
      pipeline.complete(input, controller.signal).then((outcome) => {
        if (!outcome?.text) return;
        // Shown after the user typed on: a suggestion for a position that is gone.
        if (lastKeystroke !== k) late++;
        else {
          shown++;
          pipeline.suggestionShown(input, outcome.text);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, gaps[k - 1]));
  }
  await Promise.all(pending);
  await pipeline.speculationSettled();
  pipeline.dispose();
  const c = pipeline.counters;
  ctx.log(`typing: ${c.requests} requests + ${c.speculativeRequests} speculative, ${c.cacheHits} cache hits, ${c.cancelled} cancelled, ${shown} shown, ${late} late`);
  return { counters: c, late, shown, evaluated, keystrokes: text.length };
}

export const fim: BenchSection = {
  id: "fim",
  title: `FIM completion: ~1k-token prefix, ${GEN_TOKENS} tokens, engine vs llama-server /infill (cache_prompt), ctx ${CONTEXT_SIZE}`,
  async run(ctx) {
    const reps = ctx.reps ?? REPS;
    const options = peerMatchedEngineOptions(ctx, await ctx.syntheticModel(), CONTEXT_SIZE);
    const engine = createLocalEngine(options);
    ctx.defer(() => engine.dispose());
    await engine.modelInfo();
    const servers: Record<PeerConfig, LlamaServer> = {
      matched: await startPeer(ctx, options, "matched"),
      defaults: await startPeer(ctx, options, "defaults"),
    };

    const body = codeLikeText(PREFIX_CHARS, 3);
    const suffix = codeLikeText(SUFFIX_CHARS, 5);
    const nonce = Date.now().toString(36);
    const prefixFor = (round: number) => `// round ${round} ${nonce}\n${body}const next = `;

    const warm: { ratio: number; firstTokenRatio: number; evaluated: number }[] = [];
    const serverWarm: number[] = [];
    const ms = (x: Timed) => x.ms;
    const pairs = await interleave({
      reps,
      maxReps: raisedReps(reps),
      warmup: 1,
      budgetMs: 120_000,
      a: async (round) => {
        const cold = await engineInfill(engine, prefixFor(round), suffix);
        // The user types one more character: only the changed tokens and the suffix are evaluated.
        const typed = await engineInfill(engine, `${prefixFor(round)}v`, suffix);
        if (round > 0) warm.push({ ratio: typed.ms / cold.ms, firstTokenRatio: typed.firstTokenMs / cold.firstTokenMs, evaluated: typed.metrics.evaluatedTokens });
        return cold;
      },
      b: (round) =>
        eachPeer(round, async (config) => {
          const cold = await serverInfill(servers[config], prefixFor(round), suffix);
          // The peer on the same typed character: how far KV reuse alone takes warm/cold on this model.
          if (config === "matched") {
            const typed = await serverInfill(servers[config], `${prefixFor(round)}v`, suffix);
            if (round > 0) serverWarm.push(typed.ms / cold.ms);
          }
          return cold;
        }),
      moreRounds: (done) => isNoisy(roundRatios(done, ms, (b) => b.matched.ms)),
      onRound: (i, p) =>
        ctx.log(
          `round ${i + 1}: cold ${p.a.ms.toFixed(0)} ms (${p.a.promptTokens} tok, ${p.a.generated} gen) vs llama-server ${p.b.matched.ms.toFixed(0)} ms ` +
            `(${p.b.matched.promptTokens} tok, ${p.b.matched.generated} gen), at its defaults ${p.b.defaults.ms.toFixed(0)} ms`,
        ),
    });
    // The same work: llama-server cuts an /infill prompt that does not fit its logical batch.
    for (const [i, p] of pairs.entries()) {
      for (const config of ["matched", "defaults"] as const) {
        if (p.b[config].promptTokens !== p.a.promptTokens) {
          throw new Error(`round ${i + 1}: the engine's FIM prompt had ${p.a.promptTokens} tokens, llama-server's (${config}) ${p.b[config].promptTokens}: not the same work`);
        }
      }
    }
    const spread = (xs: number[]) => `median of ${xs.length}, iqr ${(relativeIqr(xs) * 100).toFixed(0)}%`;
    const engineMs = pairs.map((p) => p.a.ms);
    ctx.report({ id: "fim.cold_ms", value: median(engineMs), unit: "ms", note: `${median(pairs.map((p) => p.a.promptTokens))} prompt tokens, ${spread(engineMs)}` });
    for (const config of ["matched", "defaults"] as const) {
      const serverMs = pairs.map((p) => p.b[config].ms);
      const id = config === "matched" ? "llama_server.fim_cold_ms" : "llama_server_defaults.fim_cold_ms";
      ctx.report({ id, value: median(serverMs), unit: "ms", note: `${median(pairs.map((p) => p.b[config].promptTokens))} prompt tokens, ${median(pairs.map((p) => p.b[config].generated))} generated, ${spread(serverMs)}` });
    }
    const coldRatios = roundRatios(pairs, ms, (b) => b.matched.ms);
    const coldRatiosDefaults = roundRatios(pairs, ms, (b) => b.defaults.ms);
    ctx.report({ id: "fim.cold_vs_llama_server", value: median(coldRatios), unit: "×", goal: "<= 1.0", note: `wall-clock, peer with the engine's settings; ${spreadNote(coldRatios, reps)}` });
    ctx.report({ id: "fim.cold_vs_llama_server_defaults", value: median(coldRatiosDefaults), unit: "×", note: `peer at its defaults; ${spreadNote(coldRatiosDefaults)}` });
    ctx.report({ id: "fim.warm_vs_cold", value: median(warm.map((w) => w.ratio)), unit: "×", goal: "<= 0.2", note: `one typed character, total latency incl. ${GEN_TOKENS} generated tokens` });
    ctx.report({ id: "llama_server.fim_warm_vs_cold", value: median(serverWarm), unit: "×", note: "the peer, same prompts and typed character (cache_prompt)" });
    ctx.report({ id: "fim.warm_vs_cold_first_token", value: median(warm.map((w) => w.firstTokenRatio)), unit: "×", note: "the prompt part of the latency" });

    const sim = await typingSimulation(ctx, engine, body);
    const requests = sim.counters.requests + sim.counters.speculativeRequests;
    const perRequest = sim.evaluated.slice(1);
    ctx.report({
      id: "fim.tokens_evaluated_per_keystroke",
      value: perRequest.length ? median(perRequest) : Number.NaN,
      unit: "tok",
      note: `median per model request after the first (stopped ones included; the suffix is evaluated again each time), ${perRequest.length} requests; ${median(warm.map((w) => w.evaluated))} in the one-character case`,
    });
    ctx.report({
      id: "fim.requests_per_keystroke",
      value: requests / sim.keystrokes,
      unit: "",
      // One request per keystroke is the design since issue 25 (no debounce of our own: the next
      // keystroke cancels the request); what a cancelled one costs is tokens_evaluated_per_keystroke.
      note: `${sim.counters.requests} + ${sim.counters.speculativeRequests} speculative over ${sim.keystrokes} keystrokes, ${sim.counters.cacheHits} served from cache`,
    });
    ctx.report({ id: "fim.late_suggestions", value: sim.late, unit: "", goal: "== 0", note: `${sim.shown} suggestions shown in time` });
  },
};
