// One engine shared by several windows (issue 21), on the synthetic model: each "window" is an
// EngineSupervisor with deepseekLocal.engine.shareAcrossWindows on, as a VS Code window holds one.
// - memory: the resident set of every engine process with 3 windows attached (each having used
//   ghost text and chat; the last two at once) over the same with 1 window attached; and one window
//   on the shared engine over one window with an engine of its own; each read once the engine is
//   idle and has collected its garbage (idleCollector.ts). `--real` repeats these at real size;
// - model loads with 3 windows started at once (one engine, one load);
// - ghost text in window B while window A streams a chat answer, over B idle (median of REPS
//   fresh-tailed FIM-shaped requests on B's completion sequence);
// - kill -9 of the shared engine → both windows answered again.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { LocalEngine } from "../../../src/backends/local/localEngine";
import { Methods } from "../../../src/protocol/engine";
import { engineDirEnv } from "../../../src/supervisor/engineEndpoint";
import { EngineSupervisor } from "../../../src/supervisor/engineSupervisor";
import { isProcessAlive } from "../../../src/supervisor/spawnLock";
import type { BenchContext, BenchSection } from "../types";
import { processMemory } from "../util/processMemory";
import { median } from "../util/stats";
import { codeLikeText } from "./engine";
import { idleCollectionMs } from "../../../src/engine/idleCollector";

const CONTEXT_SIZE = 2048;
/** The user's default (deepseekLocal.engine.contextSize). */
const REAL_CONTEXT_SIZE = 8192;
const REPS = 7;
const FIM_PREFIX_CHARS = 2400;
const FIM_TOKENS = 16;

/** A window on the shared engine, or (`forked`) one with an engine of its own. */
function window(ctx: BenchContext, modelPath: string, engineDir: string, forked = false, contextSize = CONTEXT_SIZE): LocalEngine {
  const supervisor = new EngineSupervisor({
    enginePath: path.resolve("dist/engine.mjs"),
    loadParams: () => ({ modelPath, contextSize, threads: ctx.threads }),
    env: { [engineDirEnv]: engineDir },
    shared: forked ? undefined : () => ({ idleExitMs: 5_000 }),
  });
  ctx.defer(() => supervisor.stop());
  return new LocalEngine(supervisor);
}

/** A FIM-shaped ghost-text request with a fresh last line, so the request evaluates a little and generates. */
async function ghostText(engine: LocalEngine, round: number): Promise<number> {
  const started = performance.now();
  await engine.generate({
    sequence: "completion",
    prompt: [{ token: "fimPrefix" }, { text: `${codeLikeText(FIM_PREFIX_CHARS)}const round${round} = ` }, { token: "fimSuffix" }, { text: "\n" }, { token: "fimMiddle" }],
    maxTokens: FIM_TOKENS,
  });
  return performance.now() - started;
}

/** Resident memory of the windows' engines once idle: after the engine's idle collection (idleCollector.ts), so what is measured is what the windows hold, not garbage of the last requests. */
async function enginesRss(windows: LocalEngine[]): Promise<{ bytes: number; pids: number[] }> {
  await new Promise((resolve) => setTimeout(resolve, idleCollectionMs + 500));
  const pids = [...new Set(windows.map((w) => w.supervisor.pid).filter((pid): pid is number => pid !== undefined))];
  let bytes = 0;
  for (const pid of pids) bytes += (await processMemory(pid)).rssBytes;
  return { bytes, pids };
}

async function useSequences(engine: LocalEngine, round: number): Promise<void> {
  await ghostText(engine, round);
  await engine.generate({ sequence: "chat", prompt: [{ token: "bos" }, { text: codeLikeText(1200, round + 2) }], maxTokens: 8 });
}

async function measureMemoryAndLoads(ctx: BenchContext, windows: LocalEngine[], forked: LocalEngine, prefix = "engine"): Promise<void> {
  await forked.modelInfo();
  await useSequences(forked, 0);
  const alone = await enginesRss([forked]);
  await forked.supervisor.stop();
  const [first, ...others] = windows;
  await first!.modelInfo();
  await useSequences(first!, 0);
  const one = await enginesRss([first!]);
  ctx.report({
    id: `${prefix}.rss_shared_1_vs_forked_1`,
    value: one.bytes / alone.bytes,
    unit: "×",
    goal: "<= 1.05",
    note: `one window: ${(one.bytes / 2 ** 20).toFixed(0)} MiB on the shared engine, ${(alone.bytes / 2 ** 20).toFixed(0)} MiB on an engine of its own (other windows' sequences are made when they ask)`,
  });
  await Promise.all(others.map((w) => w.modelInfo()));
  await Promise.all(others.map((w, i) => useSequences(w, i + 1)));
  const three = await enginesRss(windows);
  ctx.report({
    id: `${prefix}.rss_3_windows_vs_1`,
    value: three.bytes / one.bytes,
    unit: "×",
    goal: "<= 1.1",
    note: `${three.pids.length} engine process(es): ${(three.bytes / 2 ** 20).toFixed(0)} MiB with 3 windows, ${(one.bytes / 2 ** 20).toFixed(0)} MiB with 1; each further window's context ${((three.bytes - one.bytes) / 2 / 2 ** 20).toFixed(0)} MiB`,
  });
  let loads = 0;
  for (const pid of three.pids) {
    const owner = windows.find((w) => w.supervisor.pid === pid)!;
    loads += (await owner.supervisor.request(Methods.status, {})).modelLoads ?? 0;
  }
  ctx.report({ id: `${prefix}.model_loads_3_windows`, value: loads, unit: "", goal: "== 1", note: "windows started one after another, the first loads" });
  const collections = (await windows[0]!.supervisor.request(Methods.status, {})).idleCollections;
  if (collections)
    ctx.report({
      id: `${prefix}.idle_collection_max_ms`,
      value: collections.maxMs,
      unit: "ms",
      note: `the longest of ${collections.count} idle garbage collections (last ${collections.lastMs.toFixed(1)} ms): a request arriving during one waits for it`,
    });
}

async function measureFimUnderChat(ctx: BenchContext, a: LocalEngine, b: LocalEngine): Promise<void> {
  const reps = ctx.reps ?? REPS;
  await ghostText(b, -1);
  const idle: number[] = [];
  for (let i = 0; i < reps; i++) idle.push(await ghostText(b, i));
  const stop = new AbortController();
  let chatTokens = 0;
  const chatting = (async () => {
    while (!stop.signal.aborted) {
      const r = await a
        .generate({ sequence: "chat", prompt: [{ token: "bos" }, { text: "Tell a long story." }], maxTokens: 4000, temperature: 0.8 }, { signal: stop.signal, onText: () => undefined })
        .catch(() => undefined);
      chatTokens += r?.metrics.generatedTokens ?? 0;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const busy: number[] = [];
  for (let i = 0; i < reps; i++) busy.push(await ghostText(b, 100 + i));
  stop.abort();
  await chatting;
  ctx.report({
    id: "engine.fim_other_window_busy_vs_idle",
    value: median(busy) / median(idle),
    unit: "×",
    goal: "<= 1.5",
    note: `median ${median(busy).toFixed(0)} ms while window A streamed chat (${chatTokens} tokens) vs ${median(idle).toFixed(0)} ms idle, ${reps} reps`,
  });
}

async function measureRecovery(ctx: BenchContext, a: LocalEngine, b: LocalEngine): Promise<void> {
  const pid = a.supervisor.pid!;
  const killedAt = performance.now();
  process.kill(pid, "SIGKILL");
  const servedAgain = async (engine: LocalEngine) => {
    for (;;) {
      try {
        await engine.generate({ sequence: "completion", prompt: [{ token: "bos" }, { text: "again" }], maxTokens: 2 });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all([servedAgain(a), servedAgain(b)]);
  const ms = performance.now() - killedAt;
  const pids = new Set([a.supervisor.pid, b.supervisor.pid]);
  ctx.report({
    id: "engine.recover_ms_after_kill",
    value: Math.round(ms),
    unit: "ms",
    note: `kill -9 → both windows answered; ${pids.size} engine process(es) after (a model load included)`,
  });
}

export const sharedEngine: BenchSection = {
  id: "shared-engine",
  title: "One engine shared by several windows (issue 21)",
  async run(ctx) {
    const { windows, forked } = await threeWindowsAndAForkedOne(ctx, await ctx.syntheticModel(), CONTEXT_SIZE);
    await measureMemoryAndLoads(ctx, windows, forked);
    ctx.log("ghost text in window B while window A streams chat");
    await measureFimUnderChat(ctx, windows[0]!, windows[1]!);
    ctx.log("kill -9 of the shared engine");
    await measureRecovery(ctx, windows[0]!, windows[1]!);
  },
};

/** The memory figures at real size: the V2-Lite-shaped Q4_0 file, at the default context size, where KV rather than a context's fixed buffers is what a window adds. */
export const sharedEngineReal: BenchSection = {
  id: "shared-engine-real",
  title: `One engine shared by several windows at real size: v2-lite Q4_0, ctx ${REAL_CONTEXT_SIZE} a sequence (issue 21)`,
  optIn: "real",
  async run(ctx) {
    const { ensureSyntheticModel } = await import("../../fixtures/synthetic-model/index");
    ctx.log("making sure the v2-lite Q4_0 model is cached (≈9 GB, a few minutes the first time)");
    const modelPath = await ensureSyntheticModel({ shape: "v2-lite", type: "q4_0" });
    const { windows, forked } = await threeWindowsAndAForkedOne(ctx, modelPath, REAL_CONTEXT_SIZE);
    await measureMemoryAndLoads(ctx, windows, forked, "engine_real");
  },
};

/** Three windows on one shared engine and one with an engine of its own; every engine is gone when the section ends. */
async function threeWindowsAndAForkedOne(ctx: BenchContext, modelPath: string, contextSize: number): Promise<{ windows: LocalEngine[]; forked: LocalEngine }> {
  const engineDir = await mkdtemp(path.join(os.tmpdir(), "deepseek-bench-engines-"));
  const windows = [0, 1, 2].map(() => window(ctx, modelPath, engineDir, false, contextSize));
  const forked = window(ctx, modelPath, engineDir, true, contextSize);
  ctx.defer(async () => {
    const pids = new Set(windows.map((w) => w.supervisor.pid));
    await Promise.all(windows.map((w) => w.supervisor.stop()));
    for (const pid of pids) if (pid !== undefined && isProcessAlive(pid)) process.kill(pid, "SIGKILL");
    await rm(engineDir, { recursive: true, force: true });
  });
  return { windows, forked };
}
