// Real size (issue 11): a random-weight DeepSeek-Coder-V2-Lite-shaped Q4_0 file (~9 GB), the engine
// against llama-server built from the same llama.cpp commit, and against the memory-bandwidth limit.
//
// The model needs up to twice its size in RAM, so the two sides never run at once: the engine
// phase, then the llama-server phase, then two variants for what the memory setting costs (the
// engine with mmap, llama-server with --no-repack). Each phase checks MemAvailable before it loads
// and stops what it started before the next. Ratios across phases are noisier than the ABBA ratios
// of the other sections: the notes carry the spread.
import type { LocalEngine } from "../../../src/backends/local/localEngine";
import { startLlamaServer, type LlamaServer } from "../../fixtures/llama-server";
import { completion, infill, tokenize } from "../peer/llama-server-client";
import type { BenchContext, BenchSection } from "../types";
import { activeBytesPerToken, type ActiveBytes } from "../util/activeBytes";
import { measureReadBandwidth } from "../util/bandwidth";
import { createPeerMatchedEngine, peerFlashAttentionArgs } from "../util/peerMatchedEngine";
import { availableMemoryBytes, GiB, processMemory, type ProcessMemory } from "../util/processMemory";
import { median, relativeIqr } from "../util/stats";
import { codeLikeText } from "./engine";

const CONTEXT_SIZE = 4096;
const FIM_GEN_TOKENS = 16;

/** What each phase evaluates. */
interface Workload {
  name: string;
  promptSizes: readonly number[];
  genTokens: number;
  genReps: number;
  /** Prefix + suffix of the FIM request. */
  fimPrefixTokens: number;
  fimSuffixTokens: number;
}

/** The issue's figures: prompts of 512 and 2,048 tokens, a 1,500-token FIM request. */
const fullWorkload: Workload = { name: "full", promptSizes: [512, 2048], genTokens: 64, genReps: 5, fimPrefixTokens: 1400, fimSuffixTokens: 100 };
/**
 * DEEPSEEK_BENCH_REAL_QUICK=1: for a CPU shared with other jobs, where prompts run at a few
 * tokens per second and the full workload would take hours.
 */
const quickWorkload: Workload = { name: "quick", promptSizes: [512], genTokens: 32, genReps: 2, fimPrefixTokens: 400, fimSuffixTokens: 100 };
/** Room for the context, buffers and the bench itself beside the weights. */
const HEADROOM_BYTES = 1.5 * GiB;
const LOAD_TIMEOUT_MS = 15 * 60_000;
/** The real DeepSeek-Coder-V2-Lite vocabulary; the synthetic file carries the V3 tokenizer's. */
const REAL_VOCABULARY = 102_400;

interface Run {
  promptTokens: number;
  promptTps: number;
  genTokens: number;
  genTps: number;
}

interface Fim {
  ms: number;
  promptTokens: number;
  evaluatedTokens: number;
}

/** One side of the comparison: the engine or llama-server, loaded. */
interface Side {
  pid: number;
  tokenize(text: string): Promise<number>;
  /** With `cold`, a run that reused more than the first tokens of `prompt` is an error. */
  run(prompt: string, maxTokens: number, cold: boolean): Promise<Run>;
  infill(prefix: string, suffix: string): Promise<Fim>;
  stop(): Promise<void>;
}

function engineSide(engine: LocalEngine, pid: number): Side {
  return {
    pid,
    tokenize: async (text) => (await engine.tokenize(text)).length,
    async run(prompt, maxTokens, cold) {
      const m = (await engine.generate({ sequence: "completion", prompt: [{ text: prompt }], maxTokens, temperature: 0 })).metrics;
      if (cold && m.reusedTokens > 2) throw new Error(`the engine reused ${m.reusedTokens} prompt tokens: the run is not cold`);
      // The last prompt token is evaluated as the first generation step (sequenceRunner.ts); like
      // llama-server's predicted_per_second, the rate counts the tokens after the first one.
      const firstTokenMs = m.firstTokenMs ?? m.promptMs;
      return {
        promptTokens: m.evaluatedTokens,
        promptTps: ((m.evaluatedTokens - 1) / m.promptMs) * 1000,
        genTokens: m.generatedTokens,
        genTps: ((m.generatedTokens - 1) / (m.totalMs - firstTokenMs)) * 1000,
      };
    },
    async infill(prefix, suffix) {
      const started = performance.now();
      const r = await engine.infill({ prefix, suffix, maxTokens: FIM_GEN_TOKENS, temperature: 0 });
      return { ms: performance.now() - started, promptTokens: r.metrics.promptTokens, evaluatedTokens: r.metrics.evaluatedTokens };
    },
    stop: () => engine.dispose(),
  };
}

function serverSide(server: LlamaServer): Side {
  return {
    pid: server.pid,
    tokenize: async (text) => (await tokenize(server.url, text)).length,
    async run(prompt, maxTokens, cold) {
      const t = (await completion(server.url, { prompt, n_predict: maxTokens, temperature: 0, cache_prompt: false, ignore_eos: true })).timings;
      if (cold && t.cache_n > 0) throw new Error(`llama-server reused ${t.cache_n} prompt tokens: the run is not cold`);
      return { promptTokens: t.prompt_n, promptTps: t.prompt_per_second, genTokens: t.predicted_n, genTps: t.predicted_per_second };
    },
    async infill(prefix, suffix) {
      const started = performance.now();
      const r = await infill(server.url, { input_prefix: prefix, input_suffix: suffix, n_predict: FIM_GEN_TOKENS, temperature: 0, cache_prompt: true });
      return { ms: performance.now() - started, promptTokens: r.timings.prompt_n + r.timings.cache_n, evaluatedTokens: r.timings.prompt_n };
    },
    stop: () => server.stop(),
  };
}

/** Texts of about the wanted token counts, cut once with the engine's tokenizer and reused by every phase. */
interface Texts {
  prompt: Record<number, string>;
  genPrompt: string;
  fimPrefix: string;
  fimSuffix: string;
}

/** The longest cut of `source` (at a line end) with at most `tokens` tokens. */
async function cutToTokens(side: Side, source: string, tokens: number): Promise<string> {
  const ends = [...source.matchAll(/\n/g)].map((m) => m.index! + 1);
  let lo = 0;
  let hi = ends.length - 1;
  if ((await side.tokenize(source.slice(0, ends[hi]))) < tokens) throw new Error(`text too short for ${tokens} tokens`);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((await side.tokenize(source.slice(0, ends[mid]))) <= tokens) lo = mid;
    else hi = mid - 1;
  }
  return source.slice(0, ends[lo]);
}

async function makeTexts(side: Side, workload: Workload): Promise<Texts> {
  // Different seeds: no body is a part of another, so no run can reuse a shifted chunk of the last.
  const text = (tokens: number, seed: number) => cutToTokens(side, codeLikeText(tokens * 8, seed), tokens);
  const prompt: Record<number, string> = {};
  for (const [i, size] of workload.promptSizes.entries()) prompt[size] = await text(size - 16, 11 + i);
  return {
    prompt,
    genPrompt: await text(48, 20),
    fimPrefix: `${await text(workload.fimPrefixTokens - 16, 21)}const next = `,
    fimSuffix: await text(workload.fimSuffixTokens, 22),
  };
}

interface PhaseFigures {
  loadMs: number;
  memory: ProcessMemory;
  prompt: Partial<Record<number, Run>>;
  gen: Run[];
  fimCold?: Fim;
  fimWarm?: Fim;
}

interface PhasePlan {
  label: string;
  /** Bytes the phase needs free before it loads. */
  needsBytes: number;
  start(): Promise<Side>;
  promptSizes: readonly number[];
  fim: boolean;
}

/** Loads one side, measures it and stops it; undefined when memory does not allow the load. */
async function runPhase(ctx: BenchContext, plan: PhasePlan, texts: () => Promise<Texts>, workload: Workload, reps: number, required: boolean): Promise<PhaseFigures | undefined> {
  const available = await availableMemoryBytes();
  if (available < plan.needsBytes) {
    const message = `${plan.label}: needs ${(plan.needsBytes / GiB).toFixed(1)} GiB available, ${(available / GiB).toFixed(1)} GiB are`;
    if (required) throw new Error(`${message}: close other programs or use a machine with more memory`);
    ctx.log(`${message}: skipped`);
    return undefined;
  }
  ctx.log(`${plan.label}: loading (${(available / GiB).toFixed(1)} GiB available)`);
  const t0 = performance.now();
  const side = await plan.start();
  try {
    const loadMs = performance.now() - t0;
    ctx.log(`${plan.label}: loaded in ${(loadMs / 1000).toFixed(1)} s, RSS ${((await processMemory(side.pid)).rssBytes / GiB).toFixed(2)} GiB`);
    const t = await texts();
    const nonce = Date.now().toString(36);
    // A unique first token: nothing past BOS matches an earlier request.
    let requests = 0;
    const fresh = (label: string, body: string) => `${String.fromCharCode(65 + requests++)} ${nonce} ${plan.label} ${label}\n${body}`;
    const figures: PhaseFigures = { loadMs, memory: await processMemory(side.pid), prompt: {}, gen: [] };
    for (const size of plan.promptSizes) {
      const run = await side.run(fresh(`prompt ${size}`, t.prompt[size]), 1, true);
      figures.prompt[size] = run;
      ctx.log(`${plan.label}: prompt ${run.promptTokens} tokens at ${run.promptTps.toFixed(1)} tok/s`);
    }
    // One generation first, not counted: of 15 phases measured, the first of three generations
    // after the prompts was the slowest in 8, on both sides, by up to 20%.
    await side.run(fresh("gen warm-up", t.genPrompt), workload.genTokens, false);
    for (let i = 0; i < reps; i++) {
      const run = await side.run(fresh(`gen ${i}`, t.genPrompt), workload.genTokens, false);
      figures.gen.push(run);
      ctx.log(`${plan.label}: generated ${run.genTokens} tokens at ${run.genTps.toFixed(2)} tok/s`);
    }
    if (plan.fim) {
      const prefix = fresh("fim", t.fimPrefix);
      figures.fimCold = await side.infill(prefix, t.fimSuffix);
      // The user types one character: only the changed tail and the suffix are evaluated again.
      figures.fimWarm = await side.infill(`${prefix}v`, t.fimSuffix);
      ctx.log(`${plan.label}: FIM cold ${figures.fimCold.ms.toFixed(0)} ms (${figures.fimCold.promptTokens} tokens), warm ${figures.fimWarm.ms.toFixed(0)} ms (${figures.fimWarm.evaluatedTokens} evaluated)`);
    }
    figures.memory = await processMemory(side.pid);
    return figures;
  } finally {
    await side.stop();
  }
}

const genTps = (f: PhaseFigures) => median(f.gen.map((r) => r.genTps));
const gib = (bytes: number) => bytes / GiB;

function spread(runs: readonly Run[]): string {
  const iqr = relativeIqr(runs.map((r) => r.genTps));
  return `median of ${runs.length} × ${median(runs.map((r) => r.genTokens))} tokens${Number.isFinite(iqr) ? `, iqr ${(iqr * 100).toFixed(0)}%` : ""}`;
}

function memoryNote(m: ProcessMemory): string {
  return `peak RSS (VmHWM); at the end ${gib(m.anonBytes).toFixed(2)} GiB anonymous + ${gib(m.fileBytes).toFixed(2)} GiB mapped file`;
}

/** Prompt tokens per second over all measured sizes together (total tokens / total time). */
function promptTps(f: PhaseFigures): number {
  const runs = Object.values(f.prompt).filter((r) => r !== undefined);
  return runs.reduce((s, r) => s + r.promptTokens, 0) / runs.reduce((s, r) => s + r.promptTokens / r.promptTps, 0);
}

function reportSide(ctx: BenchContext, prefix: string, f: PhaseFigures): void {
  ctx.report({ id: `${prefix}.load_ms`, value: f.loadMs, unit: "ms", note: "start → ready; the first phase may read the file from disk" });
  ctx.report({ id: `${prefix}.rss_gib`, value: gib(f.memory.peakRssBytes), unit: "GiB", note: memoryNote(f.memory) });
  for (const [size, run] of Object.entries(f.prompt)) {
    if (run) ctx.report({ id: `${prefix}.prompt_tps_${size}`, value: run.promptTps, unit: "tok/s", note: `${run.promptTokens} tokens, one run` });
  }
  ctx.report({ id: `${prefix}.gen_tps`, value: genTps(f), unit: "tok/s", note: spread(f.gen) });
  if (f.fimCold && f.fimWarm) {
    ctx.report({ id: `${prefix}.fim_cold_ms`, value: f.fimCold.ms, unit: "ms", note: `${f.fimCold.promptTokens} prompt tokens, ${FIM_GEN_TOKENS} generated` });
    ctx.report({ id: `${prefix}.fim_typed_ms`, value: f.fimWarm.ms, unit: "ms", note: `one typed character: ${f.fimWarm.evaluatedTokens} tokens evaluated` });
  }
}

function reportLimits(ctx: BenchContext, active: ActiveBytes, bandwidthGBps: number, contextTokens: number): number {
  const bytesPerToken = active.weightBytes + active.kvBytesPerContextToken * contextTokens;
  const limit = (bandwidthGBps * 1e9) / bytesPerToken;
  // The real model's 102,400-token output layer is smaller by the share of the extra rows.
  const extraOutput = active.vocabularySize > REAL_VOCABULARY ? active.outputBytes * (1 - REAL_VOCABULARY / active.vocabularySize) : 0;
  ctx.report({ id: "real.model_file_gib", value: gib(active.fileBytes), unit: "GiB", note: "synthetic v2-lite Q4_0 (random weights, real shape)" });
  ctx.report({ id: "real.bandwidth_gbps", value: bandwidthGBps, unit: "GB/s", note: `sequential read, best of 7, ${ctx.threads} thread${ctx.threads === 1 ? "" : "s"} (the decode's)` });
  ctx.report({
    id: "real.active_gb_per_token",
    value: bytesPerToken / 1e9,
    unit: "GB",
    note:
      `attention + dense + shared + ${active.expertsUsed}/${active.expertCount} routed experts (${(active.routedExpertBytes / 1e9).toFixed(2)} GB) ` +
      `+ output ${(active.outputBytes / 1e9).toFixed(2)} GB + KV at ${contextTokens} tokens; the ${active.vocabularySize}-token vocabulary ` +
      `makes it ${((extraOutput / bytesPerToken) * 100).toFixed(1)}% more than the real model (${REAL_VOCABULARY})`,
  });
  ctx.report({ id: "real.gen_limit_tps", value: limit, unit: "tok/s", note: "bandwidth ÷ bytes per token" });
  return limit;
}

export const real: BenchSection = {
  id: "real",
  title: `Real size: v2-lite Q4_0, engine vs llama-server (one at a time), ctx ${CONTEXT_SIZE}`,
  optIn: "real",
  async run(ctx) {
    const workload = process.env.DEEPSEEK_BENCH_REAL_QUICK === "1" ? quickWorkload : fullWorkload;
    const reps = ctx.reps ?? workload.genReps;
    ctx.log(`${workload.name} workload: prompts ${workload.promptSizes.join(", ")}, FIM ${workload.fimPrefixTokens} + ${workload.fimSuffixTokens} tokens`);
    const { ensureSyntheticModel } = await import("../../fixtures/synthetic-model/index");
    ctx.log("making sure the v2-lite Q4_0 model is cached (≈9 GB, a few minutes the first time)");
    const [modelPath, binary] = await Promise.all([ensureSyntheticModel({ shape: "v2-lite", type: "q4_0" }), ctx.llamaServerBinary()]);
    const active = await activeBytesPerToken(modelPath);
    // Before any model is loaded: the probe's 1 GiB buffer must not compete with the weights.
    // Read with as many threads as the decode runs: its ceiling, not one core's.
    const bandwidth = (await measureReadBandwidth({ threads: ctx.threads })).bestGBps;
    const limit = reportLimits(ctx, active, bandwidth, workload.genTokens / 2 + 64);

    const fileBytes = active.fileBytes;
    const startEngine = (mmap: boolean | undefined) => async () => {
      const engine = createPeerMatchedEngine(ctx, modelPath, CONTEXT_SIZE, mmap === undefined ? {} : { mmap });
      try {
        await engine.modelInfo();
        return engineSide(engine, engine.supervisor.pid!);
      } catch (error) {
        await engine.dispose();
        throw error;
      }
    };
    const startServer = (extraArgs: string[]) => async () =>
      serverSide(
        await startLlamaServer({ model: modelPath, binary, threads: ctx.threads, ctxSize: CONTEXT_SIZE, readyTimeoutMs: LOAD_TIMEOUT_MS, extraArgs: [...peerFlashAttentionArgs(ctx), ...extraArgs] }),
      );

    let texts: Texts | undefined;
    let textSide: Side | undefined;
    const getTexts = async () => (texts ??= await makeTexts(textSide!, workload));
    const withTextSide = (start: () => Promise<Side>) => async () => (textSide = await start());

    // The engine as shipped: on the CPU it loads without mmap (loadedModel.ts), one copy in RAM.
    const engine = (await runPhase(
      ctx,
      { label: "engine", needsBytes: fileBytes + HEADROOM_BYTES, start: withTextSide(startEngine(undefined)), promptSizes: workload.promptSizes, fim: true },
      getTexts,
      workload,
      reps,
      true,
    ))!;
    reportSide(ctx, "real.engine", engine);
    // llama-server's defaults: mmap, and repacking beside the mapped file (2× in RSS).
    const server = (await runPhase(
      ctx,
      { label: "llama-server", needsBytes: 2 * fileBytes + HEADROOM_BYTES, start: startServer([]), promptSizes: workload.promptSizes, fim: true },
      getTexts,
      workload,
      reps,
      true,
    ))!;
    reportSide(ctx, "real.llama_server", server);

    const serverGen = genTps(server);
    ctx.report({ id: "real.gen_tps_vs_llama_server", value: genTps(engine) / serverGen, unit: "×", goal: ">= 1.0", note: "medians, measured one after the other" });
    ctx.report({ id: "real.prompt_tps_vs_llama_server", value: promptTps(engine) / promptTps(server), unit: "×", goal: ">= 1.0", note: `${workload.promptSizes.join(" + ")} tokens together` });
    ctx.report({ id: "real.gen_tps_vs_bandwidth_limit", value: genTps(engine) / limit, unit: "×", goal: ">= 0.75", note: `llama-server: ${(serverGen / limit).toFixed(2)}` });
    ctx.report({ id: "real.rss_vs_file_size", value: engine.memory.peakRssBytes / fileBytes, unit: "×", goal: "<= 1.15", note: `llama-server (mmap + repack): ${(server.memory.peakRssBytes / fileBytes).toFixed(2)}` });
    ctx.report({ id: "real.fim_warm_vs_cold", value: engine.fimWarm!.ms / engine.fimCold!.ms, unit: "×", goal: "<= 0.2", note: `issue 4's goal at real size; llama-server ${(server.fimWarm!.ms / server.fimCold!.ms).toFixed(2)}` });
    ctx.report({ id: "real.fim_warm_ms", value: engine.fimWarm!.ms, unit: "ms", note: `llama-server ${server.fimWarm!.ms.toFixed(0)} ms; cold ${engine.fimCold!.ms.toFixed(0)} vs ${server.fimCold!.ms.toFixed(0)} ms` });

    // The quick workload measures only generation on the variants: a prompt costs minutes there.
    const variantPromptSizes = workload.name === "quick" ? [] : [512];
    const promptRatio = (a: PhaseFigures, b: PhaseFigures) => (a.prompt[512] && b.prompt[512] ? a.prompt[512].promptTps / b.prompt[512].promptTps : Number.NaN);
    // What the memory settings cost: the engine with mmap (node-llama-cpp's default), llama-server without repacking.
    const mmapped = await runPhase(
      ctx,
      { label: "engine+mmap", needsBytes: 2 * fileBytes + HEADROOM_BYTES, start: startEngine(true), promptSizes: variantPromptSizes, fim: false },
      getTexts,
      workload,
      reps,
      false,
    );
    if (mmapped) {
      ctx.report({ id: "real.engine_mmap.rss_gib", value: gib(mmapped.memory.peakRssBytes), unit: "GiB", note: memoryNote(mmapped.memory) });
      ctx.report({ id: "real.engine_mmap.load_ms", value: mmapped.loadMs, unit: "ms", note: `without mmap: ${engine.loadMs.toFixed(0)} ms` });
      ctx.report({ id: "real.no_mmap_gen_tps_vs_mmap", value: genTps(engine) / genTps(mmapped), unit: "×", note: `${genTps(mmapped).toFixed(2)} tok/s with mmap, ${spread(mmapped.gen)}` });
      if (mmapped.prompt[512]) ctx.report({ id: "real.no_mmap_prompt_tps_vs_mmap", value: promptRatio(engine, mmapped), unit: "×", note: "512 tokens" });
    }
    const noRepack = await runPhase(
      ctx,
      { label: "llama-server --no-repack", needsBytes: fileBytes + HEADROOM_BYTES, start: startServer(["--no-repack"]), promptSizes: variantPromptSizes, fim: false },
      getTexts,
      workload,
      reps,
      false,
    );
    if (noRepack) {
      ctx.report({ id: "real.llama_server_no_repack.rss_gib", value: gib(noRepack.memory.peakRssBytes), unit: "GiB", note: memoryNote(noRepack.memory) });
      ctx.report({ id: "real.no_repack_gen_tps_vs_repack", value: genTps(noRepack) / serverGen, unit: "×", note: `${genTps(noRepack).toFixed(2)} tok/s, ${spread(noRepack.gen)}` });
      if (noRepack.prompt[512]) ctx.report({ id: "real.no_repack_prompt_tps_vs_repack", value: promptRatio(noRepack, server), unit: "×", note: "512 tokens" });
    }
  },
};
