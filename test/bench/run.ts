// npm run bench [-- --only engine,fim] [--real] [--threads N] [--reps N] [--flash-attn on|off] [--background N] [--runs N] [--json FILE] [--strict]
//
// Runs the sections of sections/index.ts, prints a table per section and, with --json, writes a
// flat { metricId: number } object. Speeds are compared with a peer measured in the same run:
// the machine is shared and noisy, so only same-run ratios mean anything.
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { tryRebuiltCpuBackend } from "../../native/ggml-cpu/build";
import { ensureLlamaServer } from "../../native/llama-server/build";
import { sections } from "./sections/index";
import { checkGoal, type BenchContext, type BenchSection, type Metric } from "./types";
import { summarizeRuns } from "./util/runs";
import { stealSince } from "./util/steal";
import { renderTable } from "./util/table";

const usage = `usage: npm run bench -- [--only a,b] [--real] [--threads N] [--reps N] [--flash-attn on|off] [--background N] [--runs N] [--json FILE] [--strict]
  --background N: N busy processes at the lowest priority beside the run (a user's machine is rarely idle)
  --runs N: the whole selection N times; then a table of each metric's median, spread and runs that met its goal,
            goals judged on the median; --json FILE gets the medians, FILE's .runs.json every run's values
sections: ${sections.map((s) => s.id + (s.optIn ? ` (opt-in: ${s.optIn === "real" ? "--real" : "--only"})` : "")).join(", ")}`;

function parseCli() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      real: { type: "boolean", default: false },
      threads: { type: "string", default: String(Math.max(1, os.availableParallelism() - 1)) },
      reps: { type: "string" },
      "flash-attn": { type: "string", default: "off" },
      background: { type: "string", default: "0" },
      runs: { type: "string", default: "1" },
      json: { type: "string" },
      strict: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be a positive integer`);
  const reps = values.reps === undefined ? undefined : Number(values.reps);
  if (reps !== undefined && (!Number.isInteger(reps) || reps < 1)) throw new Error(`--reps must be a positive integer`);
  const flashAttention = values["flash-attn"];
  if (flashAttention !== "on" && flashAttention !== "off") throw new Error(`--flash-attn must be on or off`);
  const background = Number(values.background);
  if (!Number.isInteger(background) || background < 0) throw new Error(`--background must be a whole number`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer`);
  const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of only ?? []) {
    if (!sections.some((s) => s.id === id)) throw new Error(`unknown section "${id}"\n${usage}`);
  }
  return { only, real: values.real, threads, reps, flashAttention: flashAttention === "on", background, runs, json: values.json, strict: values.strict };
}

function selected(section: BenchSection, cli: ReturnType<typeof parseCli>): boolean {
  if (cli.only) return cli.only.includes(section.id) || (section.optIn === "real" && cli.real);
  if (section.optIn === "real") return cli.real;
  return section.optIn === undefined;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

async function main(): Promise<number> {
  const cli = parseCli();
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  // Imported on first use: sections that need no model do not load the writer.
  const syntheticModel = once(async () => (await import("../fixtures/synthetic-model/index")).ensureSyntheticModel());
  const llamaServerBinary = once(() =>
    ensureLlamaServer({ onProgress: (line) => process.stderr.write(`[llama-server build] ${line}\n`) }),
  );

  // Ratios survive a busy machine better than absolute speeds, but say how busy it was.
  const cpus = os.availableParallelism();
  const steal = stealSince();
  const loadNote = () => `load average ${os.loadavg()[0]!.toFixed(1)} on ${cpus} cpus${steal()}`;
  log(`start: ${loadNote()}${os.loadavg()[0]! > cpus ? " — the machine is busy: expect slow, noisy figures" : ""}`);

  // The engine measured is the one the extension ships: on Linux, node-llama-cpp's CPU variants
  // rebuilt here (native/ggml-cpu; the engine section logs which variant ran).
  await tryRebuiltCpuBackend(log, { onProgress: (line) => process.stderr.write(`[ggml-cpu build] ${line}\n`) });
  const stopBackground = startBackgroundLoad(cli.background);
  if (cli.background) log(`${cli.background} busy process(es) at the lowest priority run beside the bench`);
  const started = Date.now();
  const runs: Metric[][] = [];
  const failed = new Set<string>();
  try {
    for (let run = 1; run <= cli.runs; run++) {
      if (cli.runs > 1) log(`run ${run} of ${cli.runs}: ${loadNote()}`);
      const result = await runSections(cli, log, syntheticModel, llamaServerBinary, loadNote);
      runs.push(result.metrics);
      result.failed.forEach((id) => failed.add(id));
    }
  } finally {
    stopBackground();
  }
  const final = cli.runs > 1 ? summarizeRuns(runs).map((row) => row.metric) : runs[0]!;
  if (cli.runs > 1) console.log(`\n${renderTable(`Every section, ${cli.runs} runs: each metric's median, judged on it`, final)}`);
  if (cli.json) await writeJson(cli.json, final, cli.runs > 1 ? runs : undefined, log);
  const missed = final.filter((m) => m.goal && !checkGoal(m.value, m.goal));
  log(
    `done in ${((Date.now() - started) / 1000).toFixed(0)} s: ${final.length} metrics${cli.runs > 1 ? ` (medians of ${cli.runs} runs)` : ""}, ` +
      `${missed.length} below goal${missed.length ? ` (${missed.map((m) => m.id).join(", ")})` : ""}` +
      `${failed.size ? `, failed sections: ${[...failed].join(", ")}` : ""}`,
  );
  if (failed.size) return 1;
  return cli.strict && missed.length ? 2 : 0;
}

/** `{metricId: number}` to `file`; with several runs, also every run's values to `file`'s `.runs.json`. */
async function writeJson(file: string, metrics: readonly Metric[], runs: readonly Metric[][] | undefined, log: (msg: string) => void): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, JSON.stringify(Object.fromEntries(metrics.map((m) => [m.id, m.value])), null, 2) + "\n");
  log(`wrote ${metrics.length} metrics to ${file}`);
  if (!runs) return;
  const perRun = path.join(path.dirname(file), `${path.basename(file, ".json")}.runs.json`);
  const values = Object.fromEntries(metrics.map((m) => [m.id, runs.map((run) => run.find((r) => r.id === m.id)?.value ?? null)]));
  await writeFile(perRun, JSON.stringify(values, null, 2) + "\n");
  log(`wrote every run's values to ${perRun}`);
}

/** `count` busy loops at the lowest priority, as a compile or an indexer beside the editor; the stopper ends them. */
function startBackgroundLoad(count: number): () => void {
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
    if (child.pid) os.setPriority(child.pid, 19);
    return child;
  });
  const stop = () => children.forEach((child) => child.kill("SIGKILL"));
  process.once("exit", stop);
  return stop;
}

async function runSections(
  cli: ReturnType<typeof parseCli>,
  log: (msg: string) => void,
  syntheticModel: BenchContext["syntheticModel"],
  llamaServerBinary: BenchContext["llamaServerBinary"],
  loadNote: () => string,
): Promise<{ metrics: Metric[]; failed: string[] }> {
  const all: Metric[] = [];
  const failed: string[] = [];
  for (const section of sections.filter((s) => selected(s, cli))) {
    const metrics: Metric[] = [];
    const deferred: (() => unknown)[] = [];
    const ctx: BenchContext = {
      threads: cli.threads,
      reps: cli.reps,
      real: cli.real,
      flashAttention: cli.flashAttention,
      report(metric) {
        if (!Number.isFinite(metric.value)) log(`${metric.id}: not a finite number (${metric.value})`);
        if (all.some((m) => m.id === metric.id)) throw new Error(`metric ${metric.id} reported twice`);
        metrics.push(metric);
        all.push(metric);
      },
      log: (msg) => log(`${section.id}: ${msg}`),
      defer: (fn) => void deferred.push(fn),
      syntheticModel,
      llamaServerBinary,
    };
    const t0 = Date.now();
    log(`${section.id}: start`);
    let error: unknown;
    try {
      await section.run(ctx);
    } catch (err) {
      error = err;
      failed.push(section.id);
    } finally {
      for (const fn of deferred.reverse()) {
        try {
          await fn();
        } catch (err) {
          log(`${section.id}: cleanup failed: ${(err as Error).message}`);
        }
      }
    }
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    const beside = cli.background ? `, ${cli.background} niced busy process(es) beside` : "";
    const header = `${section.title} [${section.id}, ${secs} s, ${cli.threads} threads, fa ${cli.flashAttention ? "on" : "off"} where matched${beside}, ${loadNote()}]`;
    console.log(`\n${renderTable(header, metrics)}`);
    if (error) console.log(`!! section ${section.id} failed: ${(error as Error).stack ?? String(error)}`);
  }

  return { metrics: all, failed };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
