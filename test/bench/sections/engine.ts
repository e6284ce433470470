// Engine speed against llama-server built from the same llama.cpp commit, on the synthetic model.
//
// The engine and two llama-servers run side by side with the same threads, context size and flash
// attention (`--flash-attn`): one given the engine's own process settings (no mmap, its batch
// sizes, its malloc tunables: util/peerSettings.ts), which the goals are judged on, and one at
// llama-server's defaults. They are measured alternately in the same run (engine, matched,
// defaults; then the other way round), and the ratios are medians of per-round ratios; a ratio
// whose rounds spread by more than 10% gets more rounds. Each round evaluates a fresh
// ~1,024-token prompt (a unique first line defeats prefix reuse on every side) and then generates
// 128 tokens greedily.
import type { LocalEngine } from "../../../src/backends/local/localEngine";
import { createLocalEngine } from "../../../src/backends/local/localEngine";
import type { LlamaServer } from "../../fixtures/llama-server";
import { completion, detokenize, tokenize } from "../peer/llama-server-client";
import type { BenchSection } from "../types";
import { eachPeer, peerLabel, peerMatchedEngineOptions, startPeer, type PeerConfig, type PeerMatchedEngineOptions } from "../util/peerSettings";
import { isNoisy, raisedReps, roundRatios, spreadNote } from "../util/ratios";
import { interleave, median, relativeIqr } from "../util/stats";

const CONTEXT_SIZE = 4096;
const PROMPT_TOKENS = 1024;
const GEN_TOKENS = 128;
const LOADS = 3;
const REPS = 7;
/** Rounds stop after this (at least 3 are kept) so that a busy machine cannot stretch the section. */
const ROUNDS_BUDGET_MS = 120_000;

/** One round's figures, the same shape for both sides. */
export interface RunFigures {
  promptTokens: number;
  promptTps: number;
  genTokens: number;
  genTps: number;
}

/** Deterministic code-like text: a mix of identifiers, numbers and punctuation, like a source file. */
export function codeLikeText(chars: number, seed = 1): string {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const words = ["const", "let", "value", "index", "result", "items", "map", "filter", "return", "if", "for",
    "await", "async", "function", "buffer", "length", "token", "cache", "prefix", "suffix", "model", "engine"];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  let out = "";
  let line = 0;
  while (out.length < chars) {
    const indent = "  ".repeat(Math.floor(rnd() * 3));
    const a = pick(words);
    const b = pick(words);
    const n = Math.floor(rnd() * 1000);
    out += `${indent}${pick(["const", "let"])} ${a}${line} = ${b}.${pick(words)}(${n}, "${pick(words)}");\n`;
    if (rnd() < 0.2) out += `${indent}// ${pick(words)} ${pick(words)} ${n}\n`;
    line++;
  }
  return out;
}

/** A text of exactly `tokens` tokens for this model's tokenizer (as llama-server counts them). */
async function promptBody(url: string, tokens: number): Promise<string> {
  const ids = await tokenize(url, codeLikeText(tokens * 6));
  if (ids.length < tokens) throw new Error(`prompt text too short: ${ids.length} tokens`);
  return detokenize(url, ids.slice(0, tokens));
}

async function serverRun(server: LlamaServer, prompt: string): Promise<RunFigures> {
  const r = await completion(server.url, {
    prompt,
    n_predict: GEN_TOKENS,
    temperature: 0,
    cache_prompt: false,
    ignore_eos: true,
  });
  const t = r.timings;
  if (t.cache_n > 0) throw new Error(`llama-server reused ${t.cache_n} prompt tokens: the prompt run is not cold`);
  return { promptTokens: t.prompt_n, promptTps: t.prompt_per_second, genTokens: t.predicted_n, genTps: t.predicted_per_second };
}

async function engineRun(engine: LocalEngine, prompt: string): Promise<RunFigures> {
  const r = await engine.generate({ sequence: "completion", prompt: [{ text: prompt }], maxTokens: GEN_TOKENS, temperature: 0 });
  const m = r.metrics;
  // The engine holds the last prompt token back and evaluates it as the first generation step
  // (sequenceRunner.ts): promptMs covers evaluatedTokens - 1 tokens, generationMs covers the
  // decode steps of generatedTokens tokens.
  const promptEvaluated = m.evaluatedTokens - 1;
  if (m.reusedTokens > 2) throw new Error(`the engine reused ${m.reusedTokens} prompt tokens: the prompt run is not cold`);
  return {
    promptTokens: m.evaluatedTokens,
    promptTps: (promptEvaluated / m.promptMs) * 1000,
    genTokens: m.generatedTokens,
    genTps: (m.generatedTokens / m.generationMs) * 1000,
  };
}

async function startEngine(options: PeerMatchedEngineOptions): Promise<{ engine: LocalEngine; wallMs: number; loadMs: number }> {
  const t0 = performance.now();
  const engine = createLocalEngine(options);
  try {
    const info = await engine.modelInfo();
    return { engine, wallMs: performance.now() - t0, loadMs: info.loadMs };
  } catch (err) {
    await engine.dispose();
    throw err;
  }
}

export const engine: BenchSection = {
  id: "engine",
  title: `Engine vs llama-server (matched settings; and at its defaults): ${PROMPT_TOKENS}-token prompt, ${GEN_TOKENS} greedy tokens, ctx ${CONTEXT_SIZE}`,
  async run(ctx) {
    const reps = ctx.reps ?? REPS;
    const modelPath = await ctx.syntheticModel();
    const options = peerMatchedEngineOptions(ctx, modelPath, CONTEXT_SIZE);

    // Load time: a fresh engine process each time (fork + model load + context), median of LOADS.
    const walls: number[] = [];
    const loads: number[] = [];
    let local: LocalEngine | undefined;
    for (let i = 0; i < LOADS; i++) {
      const started = await startEngine(options);
      walls.push(started.wallMs);
      loads.push(started.loadMs);
      if (i < LOADS - 1) await started.engine.dispose();
      else local = started.engine;
    }
    const engine = local!;
    ctx.defer(() => engine.dispose());
    const cpu = (await engine.modelInfo()).cpuBackend;
    ctx.log(`engine binary: ${cpu?.build ?? "?"}, CPU variant ${cpu?.variant ?? "?"}`);
    ctx.report({ id: "engine.load_ms", value: median(walls), unit: "ms", note: `fork → model ready, median of ${LOADS}` });
    ctx.report({ id: "engine.model_load_ms", value: median(loads), unit: "ms", note: "the engine's own loadMs" });

    const servers: Record<PeerConfig, LlamaServer> = {
      matched: await startPeer(ctx, options, "matched"),
      defaults: await startPeer(ctx, options, "defaults"),
    };

    const body = await promptBody(servers.matched.url, PROMPT_TOKENS - 12);
    const nonce = Date.now().toString(36);
    // The round number comes first, so nothing past BOS matches the previous round's prompt.
    const promptFor = (round: number) => `${round} ${nonce} bench\n${body}`;

    const promptTps = (x: RunFigures) => x.promptTps;
    const genTps = (x: RunFigures) => x.genTps;
    const pairs = await interleave({
      reps,
      maxReps: raisedReps(reps),
      warmup: 1,
      budgetMs: ROUNDS_BUDGET_MS,
      a: (round) => engineRun(engine, promptFor(round)),
      b: (round) => eachPeer(round, (config) => serverRun(servers[config], promptFor(round))),
      // The goals' ratios get more rounds while their spread is too wide to read.
      moreRounds: (done) =>
        isNoisy(roundRatios(done, promptTps, (b) => b.matched.promptTps)) || isNoisy(roundRatios(done, genTps, (b) => b.matched.genTps)),
      onRound: (i, p) =>
        ctx.log(
          `round ${i + 1}: prompt ${p.a.promptTps.toFixed(0)} vs ${p.b.matched.promptTps.toFixed(0)} (defaults ${p.b.defaults.promptTps.toFixed(0)}) tok/s, ` +
            `gen ${p.a.genTps.toFixed(0)} vs ${p.b.matched.genTps.toFixed(0)} (defaults ${p.b.defaults.genTps.toFixed(0)}) tok/s (engine vs llama-server)`,
        ),
    });

    const e = pairs.map((p) => p.a);
    const spread = (xs: RunFigures[], f: (x: RunFigures) => number) => {
      const iqr = relativeIqr(xs.map(f));
      return `median of ${xs.length}${Number.isFinite(iqr) ? `, iqr ${(iqr * 100).toFixed(0)}%` : ""}`;
    };
    const shortGen = e.filter((x) => x.genTokens < GEN_TOKENS).length;

    ctx.report({ id: "engine.prompt_tps", value: median(e.map(promptTps)), unit: "tok/s", note: `${median(e.map((x) => x.promptTokens))} tokens, ${spread(e, promptTps)}` });
    ctx.report({
      id: "engine.gen_tps",
      value: median(e.map(genTps)),
      unit: "tok/s",
      note: `${median(e.map((x) => x.genTokens))} tokens${shortGen ? ` (${shortGen} runs hit EOS early)` : ""}, ${spread(e, genTps)}`,
    });
    for (const config of ["matched", "defaults"] as const) {
      const s = pairs.map((p) => p.b[config]);
      const prefix = config === "matched" ? "llama_server" : "llama_server_defaults";
      ctx.report({ id: `${prefix}.prompt_tps`, value: median(s.map(promptTps)), unit: "tok/s", note: `${peerLabel[config]}: ${median(s.map((x) => x.promptTokens))} tokens, ${spread(s, promptTps)}` });
      ctx.report({ id: `${prefix}.gen_tps`, value: median(s.map(genTps)), unit: "tok/s", note: `${peerLabel[config]}: ${median(s.map((x) => x.genTokens))} tokens, ${spread(s, genTps)}` });
    }
    for (const [metric, f] of [["prompt_tps", promptTps], ["gen_tps", genTps]] as const) {
      const matched = roundRatios(pairs, f, (b) => f(b.matched));
      const defaults = roundRatios(pairs, f, (b) => f(b.defaults));
      ctx.report({ id: `engine.${metric}_vs_llama_server`, value: median(matched), unit: "×", goal: ">= 0.95", note: `peer with the engine's settings; ${spreadNote(matched, reps)}` });
      ctx.report({ id: `engine.${metric}_vs_llama_server_defaults`, value: median(defaults), unit: "×", note: `peer at its defaults; ${spreadNote(defaults)}` });
    }
  },
};
