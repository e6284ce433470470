// Real size (issue 11): a random-weight DeepSeek-Coder-V2-Lite-shaped Q4_0 file (~9 GB), the engine
// against llama-server built from the same llama.cpp commit, and against the memory-bandwidth limit.
//
// The model needs up to twice its size in RAM, so no two sides run at once. The comparison runs in
// rounds (issue 24, item 3): each round loads, measures and stops the engine, llama-server given the
// engine's process settings (util/peerSettings.ts: no mmap, the engine's batches, its malloc
// tunables; the goals are judged on it) and llama-server at its defaults (mmap + repack, 2× the
// file in RSS; skipped when memory is short), in the order engine → matched → defaults in the
// first round, the other way round in the second, and so on. Ratios are medians of per-round
// ratios, and the notes carry their spread. Then two variants for what the memory settings cost,
// one phase each: the engine with mmap, llama-server at its defaults with --no-repack. Each phase
// checks MemAvailable before it loads and stops what it started before the next.
import { createLocalEngine, type LocalEngine } from "../../../src/backends/local/localEngine";
import type { LlamaServer } from "../../fixtures/llama-server";
import { completion, infill, tokenize } from "../peer/llama-server-client";
import type { BenchContext, BenchSection } from "../types";
import { activeBytesPerToken, type ActiveBytes } from "../util/activeBytes";
import { measureReadBandwidth } from "../util/bandwidth";
import { peerMatchedEngineOptions, startPeer, type PeerConfig } from "../util/peerSettings";
import { availableMemoryBytes, GiB, processMemory, type ProcessMemory } from "../util/processMemory";
import { roundRatios, spreadNote } from "../util/ratios";
import { median, relativeIqr } from "../util/stats";
import { codeLikeText } from "./engine";

const CONTEXT_SIZE = 4096;
const FIM_GEN_TOKENS = 16;

/** What each phase evaluates. */
interface Workload {
  name: string;
  /** Rounds of engine, matched peer and peer at its defaults (`--reps` overrides). */
  rounds: number;
  promptSizes: readonly number[];
  genTokens: number;
  /** Generations counted per phase (after one discarded). */
  genReps: number;
  /** Prefix + suffix of the FIM request. */
  fimPrefixTokens: number;
  fimSuffixTokens: number;
}

/** The issue's figures: prompts of 512 and 2,048 tokens, a 1,500-token FIM request. */
const fullWorkload: Workload = { name: "full", rounds: 3, promptSizes: [512, 2048], genTokens: 64, genReps: 3, fimPrefixTokens: 1400, fimSuffixTokens: 100 };
/**
 * DEEPSEEK_BENCH_REAL_QUICK=1: for a CPU shared with other jobs, where prompts run at a few
 * tokens per second and the full workload would take hours.
 */
const quickWorkload: Workload = { name: "quick", rounds: 2, promptSizes: [512], genTokens: 32, genReps: 2, fimPrefixTokens: 400, fimSuffixTokens: 100 };
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

/**
 * Loads one side, measures it and stops it; undefined when memory does not allow the load. `tag`
 * starts every prompt: the same per round on every side (the same text), different across rounds.
 */
async function runPhase(ctx: BenchContext, plan: PhasePlan, texts: () => Promise<Texts>, workload: Workload, tag: string, required: boolean): Promise<PhaseFigures | undefined> {
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
    // A unique first token: nothing past BOS matches an earlier request of this phase.
    let requests = 0;
    const fresh = (label: string, body: string) => `${String.fromCharCode(65 + requests++)} ${tag} ${label}\n${body}`;
    const figures: PhaseFigures = { loadMs, memory: await processMemory(side.pid), prompt: {}, gen: [] };
    for (const size of plan.promptSizes) {
      const run = await side.run(fresh(`prompt ${size}`, t.prompt[size]), 1, true);
      figures.prompt[size] = run;
      ctx.log(`${plan.label}: prompt ${run.promptTokens} tokens at ${run.promptTps.toFixed(1)} tok/s`);
    }
    // One generation first, not counted: of 15 phases measured, the first of three generations
    // after the prompts was the slowest in 8, on both sides, by up to 20%.
    await side.run(fresh("gen warm-up", t.genPrompt), workload.genTokens, false);
    for (let i = 0; i < workload.genReps; i++) {
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

/** One side's figures over the rounds: medians, and the highest peak RSS. */
function reportSide(ctx: BenchContext, prefix: string, phases: readonly PhaseFigures[]): void {
  const loads = phases.map((f) => f.loadMs);
  ctx.report({ id: `${prefix}.load_ms`, value: median(loads), unit: "ms", note: `start → ready, median of ${loads.length} (${Math.min(...loads).toFixed(0)}–${Math.max(...loads).toFixed(0)}); the first load may read the file from disk` });
  const peak = phases.reduce((a, b) => (b.memory.peakRssBytes > a.memory.peakRssBytes ? b : a));
  ctx.report({ id: `${prefix}.rss_gib`, value: gib(peak.memory.peakRssBytes), unit: "GiB", note: `highest of ${phases.length} loads: ${memoryNote(peak.memory)}` });
  for (const size of Object.keys(phases[0]!.prompt)) {
    const runs = phases.map((f) => f.prompt[Number(size)]).filter((r) => r !== undefined);
    ctx.report({ id: `${prefix}.prompt_tps_${size}`, value: median(runs.map((r) => r.promptTps)), unit: "tok/s", note: `${median(runs.map((r) => r.promptTokens))} tokens, median of ${runs.length}` });
  }
  const gens = phases.flatMap((f) => f.gen);
  ctx.report({ id: `${prefix}.gen_tps`, value: median(gens.map((r) => r.genTps)), unit: "tok/s", note: `${spread(gens)}, over ${phases.length} loads` });
  const fims = phases.filter((f) => f.fimCold && f.fimWarm);
  if (fims.length) {
    ctx.report({ id: `${prefix}.fim_cold_ms`, value: median(fims.map((f) => f.fimCold!.ms)), unit: "ms", note: `${fims[0]!.fimCold!.promptTokens} prompt tokens, ${FIM_GEN_TOKENS} generated, median of ${fims.length}` });
    ctx.report({ id: `${prefix}.fim_typed_ms`, value: median(fims.map((f) => f.fimWarm!.ms)), unit: "ms", note: `one typed character: ${fims[0]!.fimWarm!.evaluatedTokens} tokens evaluated` });
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

type SideKey = "engine" | PeerConfig;

export const real: BenchSection = {
  id: "real",
  title: `Real size: v2-lite Q4_0, engine vs llama-server (matched settings; and at its defaults), one at a time in alternating rounds, ctx ${CONTEXT_SIZE}`,
  optIn: "real",
  async run(ctx) {
    const workload = process.env.DEEPSEEK_BENCH_REAL_QUICK === "1" ? quickWorkload : fullWorkload;
    const rounds = ctx.reps ?? workload.rounds;
    ctx.log(`${workload.name} workload: ${rounds} rounds, prompts ${workload.promptSizes.join(", ")}, FIM ${workload.fimPrefixTokens} + ${workload.fimSuffixTokens} tokens`);
    const { ensureSyntheticModel } = await import("../../fixtures/synthetic-model/index");
    ctx.log("making sure the v2-lite Q4_0 model is cached (≈9 GB, a few minutes the first time)");
    const modelPath = await ensureSyntheticModel({ shape: "v2-lite", type: "q4_0" });
    await ctx.llamaServerBinary();
    const active = await activeBytesPerToken(modelPath);
    // Before any model is loaded: the probe's 1 GiB buffer must not compete with the weights.
    // Read with as many threads as the decode runs: its ceiling, not one core's.
    const bandwidth = (await measureReadBandwidth({ threads: ctx.threads })).bestGBps;
    const limit = reportLimits(ctx, active, bandwidth, workload.genTokens / 2 + 64);

    const fileBytes = active.fileBytes;
    // The engine as shipped: on the CPU it loads without mmap (loadedModel.ts), one copy in RAM.
    const engineOptions = peerMatchedEngineOptions(ctx, modelPath, CONTEXT_SIZE);
    const startEngine = (mmap: boolean | undefined) => async () => {
      const engine = createLocalEngine(mmap === undefined ? engineOptions : { ...engineOptions, mmap });
      try {
        await engine.modelInfo();
        return engineSide(engine, engine.supervisor.pid!);
      } catch (error) {
        await engine.dispose();
        throw error;
      }
    };
    const startServer = (config: PeerConfig, moreArgs: string[] = []) => async () =>
      serverSide(await startPeer(ctx, engineOptions, config, { readyTimeoutMs: LOAD_TIMEOUT_MS, moreArgs }));

    let texts: Texts | undefined;
    let textSide: Side | undefined;
    const getTexts = async () => (texts ??= await makeTexts(textSide!, workload));
    const withTextSide = (start: () => Promise<Side>) => async () => (textSide = await start());

    const sides: Record<SideKey, { plan: PhasePlan; required: boolean }> = {
      engine: { plan: { label: "engine", needsBytes: fileBytes + HEADROOM_BYTES, start: withTextSide(startEngine(undefined)), promptSizes: workload.promptSizes, fim: true }, required: true },
      // The engine's settings: no mmap, so one copy of the (repacked) weights, as the engine.
      matched: { plan: { label: "llama-server", needsBytes: fileBytes + HEADROOM_BYTES, start: withTextSide(startServer("matched")), promptSizes: workload.promptSizes, fim: true }, required: true },
      // llama-server's defaults: mmap, and repacking beside the mapped file (2× in RSS).
      defaults: { plan: { label: "llama-server (defaults)", needsBytes: 2 * fileBytes + HEADROOM_BYTES, start: withTextSide(startServer("defaults")), promptSizes: workload.promptSizes, fim: true }, required: false },
    };
    const measured: Record<SideKey, PhaseFigures[]> = { engine: [], matched: [], defaults: [] };
    const perRound: Partial<Record<SideKey, PhaseFigures>>[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: SideKey[] = round % 2 === 0 ? ["engine", "matched", "defaults"] : ["defaults", "matched", "engine"];
      const figures: Partial<Record<SideKey, PhaseFigures>> = {};
      for (const key of order) {
        const side = sides[key];
        const f = await runPhase(ctx, { ...side.plan, label: `round ${round + 1} ${side.plan.label}` }, getTexts, workload, `r${round + 1}`, side.required);
        if (f) {
          figures[key] = f;
          measured[key].push(f);
        }
      }
      perRound.push(figures);
      const e = figures.engine!;
      const m = figures.matched!;
      ctx.log(`round ${round + 1}: gen ${(genTps(e) / genTps(m)).toFixed(3)}×, prompt ${(promptTps(e) / promptTps(m)).toFixed(3)}× llama-server's`);
    }
    reportSide(ctx, "real.engine", measured.engine);
    reportSide(ctx, "real.llama_server", measured.matched);
    if (measured.defaults.length) reportSide(ctx, "real.llama_server_defaults", measured.defaults);

    // Per-round ratios against a peer; rounds without it (memory) drop out.
    const ratios = (peer: PeerConfig, f: (x: PhaseFigures) => number) =>
      roundRatios(
        perRound.filter((r) => r[peer]).map((r) => ({ a: r.engine!, b: r[peer]! })),
        f,
        f,
      );
    const fimCold = (f: PhaseFigures) => f.fimCold!.ms;
    const sideGen = (key: SideKey) => median(measured[key].flatMap((f) => f.gen).map((r) => r.genTps));
    for (const peer of ["matched", "defaults"] as const) {
      if (!measured[peer].length) continue;
      const suffix = peer === "matched" ? "" : "_defaults";
      const which = peer === "matched" ? "peer with the engine's settings" : "peer at its defaults";
      const gen = ratios(peer, genTps);
      const prompt = ratios(peer, promptTps);
      const fim = ratios(peer, fimCold);
      const goal = peer === "matched" ? ({ goal: ">= 1.0" } as const) : {};
      ctx.report({ id: `real.gen_tps_vs_llama_server${suffix}`, value: median(gen), unit: "×", ...goal, note: `${which}; ${spreadNote(gen)}` });
      ctx.report({ id: `real.prompt_tps_vs_llama_server${suffix}`, value: median(prompt), unit: "×", ...goal, note: `${workload.promptSizes.join(" + ")} tokens together, ${which}; ${spreadNote(prompt)}` });
      ctx.report({ id: `real.fim_cold_vs_llama_server${suffix}`, value: median(fim), unit: "×", note: `wall-clock, ${which}; ${spreadNote(fim)}` });
    }
    const peerNote = (key: PeerConfig, f: (x: PhaseFigures[]) => string) => (measured[key].length ? `${key === "matched" ? "llama-server" : "at its defaults"} ${f(measured[key])}` : "");
    const notes = (f: (x: PhaseFigures[]) => string) => ["matched", "defaults"].map((k) => peerNote(k as PeerConfig, f)).filter(Boolean).join(", ");
    ctx.report({ id: "real.gen_tps_vs_bandwidth_limit", value: sideGen("engine") / limit, unit: "×", goal: ">= 0.75", note: notes((x) => (median(x.flatMap((f) => f.gen).map((r) => r.genTps)) / limit).toFixed(2)) });
    const peakRss = (x: PhaseFigures[]) => Math.max(...x.map((f) => f.memory.peakRssBytes));
    ctx.report({ id: "real.rss_vs_file_size", value: peakRss(measured.engine) / fileBytes, unit: "×", goal: "<= 1.15", note: notes((x) => (peakRss(x) / fileBytes).toFixed(2)) });
    const warmOverCold = (x: PhaseFigures[]) => median(x.map((f) => f.fimWarm!.ms / f.fimCold!.ms));
    ctx.report({ id: "real.fim_warm_vs_cold", value: warmOverCold(measured.engine), unit: "×", goal: "<= 0.2", note: `issue 4's goal at real size; ${notes((x) => warmOverCold(x).toFixed(3))}` });
    const warmMs = (x: PhaseFigures[]) => median(x.map((f) => f.fimWarm!.ms));
    ctx.report({ id: "real.fim_warm_ms", value: warmMs(measured.engine), unit: "ms", note: notes((x) => `${warmMs(x).toFixed(0)} ms`) });

    // What the memory settings cost, one phase each: the engine with mmap (node-llama-cpp's
    // default), llama-server at its defaults without repacking. The quick workload measures only
    // generation there: a prompt costs minutes on a busy CPU.
    const variantPromptSizes = workload.name === "quick" ? [] : [512];
    const prompt512 = (x: PhaseFigures[]) => median(x.map((f) => f.prompt[512]?.promptTps ?? Number.NaN));
    const mmapped = await runPhase(
      ctx,
      { label: "engine+mmap", needsBytes: 2 * fileBytes + HEADROOM_BYTES, start: startEngine(true), promptSizes: variantPromptSizes, fim: false },
      getTexts,
      workload,
      "mmap",
      false,
    );
    if (mmapped) {
      ctx.report({ id: "real.engine_mmap.rss_gib", value: gib(mmapped.memory.peakRssBytes), unit: "GiB", note: memoryNote(mmapped.memory) });
      ctx.report({ id: "real.engine_mmap.load_ms", value: mmapped.loadMs, unit: "ms", note: `without mmap: median ${median(measured.engine.map((f) => f.loadMs)).toFixed(0)} ms` });
      ctx.report({ id: "real.no_mmap_gen_tps_vs_mmap", value: sideGen("engine") / genTps(mmapped), unit: "×", note: `${genTps(mmapped).toFixed(2)} tok/s with mmap, ${spread(mmapped.gen)}; one phase against the rounds' median` });
      if (mmapped.prompt[512]) ctx.report({ id: "real.no_mmap_prompt_tps_vs_mmap", value: prompt512(measured.engine) / mmapped.prompt[512].promptTps, unit: "×", note: "512 tokens" });
    }
    const noRepack = await runPhase(
      ctx,
      { label: "llama-server --no-repack", needsBytes: fileBytes + HEADROOM_BYTES, start: startServer("defaults", ["--no-repack"]), promptSizes: variantPromptSizes, fim: false },
      getTexts,
      workload,
      "no-repack",
      false,
    );
    if (noRepack && measured.defaults.length) {
      ctx.report({ id: "real.llama_server_no_repack.rss_gib", value: gib(noRepack.memory.peakRssBytes), unit: "GiB", note: memoryNote(noRepack.memory) });
      ctx.report({ id: "real.no_repack_gen_tps_vs_repack", value: genTps(noRepack) / sideGen("defaults"), unit: "×", note: `${genTps(noRepack).toFixed(2)} tok/s, ${spread(noRepack.gen)}; against llama-server at its defaults` });
      if (noRepack.prompt[512]) ctx.report({ id: "real.no_repack_prompt_tps_vs_repack", value: noRepack.prompt[512].promptTps / prompt512(measured.defaults), unit: "×", note: "512 tokens" });
    }
  },
};
