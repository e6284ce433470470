// Ghost text as a user meets it (issue 25): the linux-x64 VSIX in code-server, driven by chromium
// through the e2e harness, scripted edit sessions typed at 120 ms a key with 1.5 s pauses. Keys
// and ghosts are timed in the page on one clock (editor/ghostProbe.ts), from the DOM only, so the
// same measurement fits any inline-completion extension. Each repetition is a fresh code-server;
// the figures pool every run's samples. Definitions: test/bench/README.md ("editor").
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageVsix } from "../../../native/package-vsix";
import { repoRoot } from "../../e2e/lib/deps.js";
import { installSignalHandlers, stopAll } from "../../e2e/lib/processes.js";
import { E2eSession } from "../../e2e/lib/session.js";
import { editorRunCase, KEY_INTERVAL_MS, PAUSE_MS, type EditorRunResult } from "../editor/editorRun";
import { figuresOf, type RunFigures } from "../editor/metrics";
import type { BenchContext, BenchSection, Goal } from "../types";
import { quantile } from "../util/stats";

const DEFAULT_REPS = 2;

/** How one editor section runs: which model the extension loads, and how long a run may take. */
interface EditorSectionSpec {
  id: "editor" | "editor_real";
  title: string;
  optIn: "only" | "real";
  /** The model file the extension is set to; undefined: the e2e default (the tiny synthetic model). */
  modelPath(ctx: BenchContext): Promise<string | undefined>;
  /** One run's limit: model load, warm-up and the typing. */
  runTimeoutMs: number;
  /** How long the model may take to load; undefined: the e2e default. */
  loadTimeoutMs?: number;
}

function editorSection(spec: EditorSectionSpec): BenchSection {
  return {
    id: spec.id,
    title: spec.title,
    optIn: spec.optIn,
    async run(ctx) {
      const reps = ctx.reps ?? DEFAULT_REPS;
      const modelPath = await spec.modelPath(ctx);
      installSignalHandlers();
      // The session points TMPDIR into its run folder, which stopAll removes: later sections need it back.
      const tmpdir = process.env.TMPDIR;
      ctx.defer(async () => {
        await stopAll();
        if (tmpdir === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmpdir;
      });
      const workDir = mkdtempSync(path.join(os.tmpdir(), "dsl-bench-editor-"));
      ctx.defer(() => rmSync(workDir, { recursive: true, force: true }));
      ctx.log("packaging the linux-x64 VSIX");
      // `npm run bench` has built dist/ already.
      const [{ file: vsix }] = await packageVsix({ targets: ["linux-x64"], build: false, quiet: true, log: ctx.log, stageDir: workDir, outDir: workDir });
      const resultsDir = path.join(repoRoot, "test-results", `bench-${spec.id.replace("_", "-")}`);
      const session = await E2eSession.start({ resultsDir, vsix: [vsix!], log: ctx.log });
      ctx.log(`code-server ${session.deps.codeServerVersion}, ${session.deps.chromium}; model ${path.basename(modelPath ?? session.syntheticModel)}; results in ${path.relative(repoRoot, resultsDir)}/`);

      const runs: EditorRunResult[] = [];
      for (let rep = 1; rep <= reps; rep++) {
        const name = `run${rep}`;
        const runCase = editorRunCase({ name, threads: ctx.threads, modelPath, timeoutMs: spec.runTimeoutMs, loadTimeoutMs: spec.loadTimeoutMs, onDone: (run) => runs.push(run) });
        const result = await session.runCase(runCase);
        const where = path.relative(repoRoot, result.artifactsDir);
        if (!result.ok) throw new Error(`${name} failed after ${(result.ms / 1000).toFixed(0)} s: ${result.error}\n  screenshot and logs: ${where}/ (harness.log says which step)`);
        ctx.log(`${name} done in ${(result.ms / 1000).toFixed(0)} s (${where}/)`);
      }
      const sample = runs.find((r) => r.multiLineSample)?.multiLineSample;
      if (sample) ctx.log(`a multi-line ghost as rendered: ${sample.slice(0, 600)}`);
      reportFigures(ctx, spec.id, runs);
    },
  };
}

export const editor = editorSection({
  id: "editor",
  title: `Ghost text in the editor (code-server + chromium, ${KEY_INTERVAL_MS} ms a key, ${PAUSE_MS / 1000} s pauses)`,
  // Minutes per run and code-server + chromium to install: asked for by name.
  optIn: "only",
  modelPath: async () => undefined,
  runTimeoutMs: 480_000,
});

/**
 * The same typing at real size (issue 25): the V2-Lite-shaped Q4_0 file (~9 GB, random weights
 * with peaked output) that the real section measures; a token costs tens of milliseconds here.
 * Runs with `--real` (or `--only editor_real`).
 */
export const editorReal = editorSection({
  id: "editor_real",
  title: `Ghost text in the editor at real size (V2-Lite-shaped Q4_0, code-server + chromium, ${KEY_INTERVAL_MS} ms a key, ${PAUSE_MS / 1000} s pauses)`,
  optIn: "real",
  async modelPath() {
    const { ensureSyntheticModel } = await import("../../fixtures/synthetic-model/index");
    return ensureSyntheticModel({ shape: "v2-lite", type: "q4_0" });
  },
  // Loading ~9 GB and evaluating each file's prompt cold at ~30 tokens a second on 2 cores.
  runTimeoutMs: 1_200_000,
  loadTimeoutMs: 300_000,
});

function reportFigures(ctx: BenchContext, prefix: EditorSectionSpec["id"], runs: readonly EditorRunResult[]): void {
  // Issue 25's goals are for the tiny model; at real size the figures say what a user gets.
  const goalAt = (goal: Goal) => (prefix === "editor" ? { goal } : {});
  const perRun = runs.map((r) => figuresOf(r.log));
  const sum = (pick: (f: RunFigures) => number) => perRun.reduce((total, f) => total + pick(f), 0);
  const perRunValues = (values: number[], digits: number) => `per run ${values.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : "–")).join(", ")}`;
  const share = (hits: (f: RunFigures) => number, of: (f: RunFigures) => number) => ({
    value: sum(hits) / sum(of),
    note: `${sum(hits)}/${sum(of)}; ${perRunValues(perRun.map((f) => hits(f) / of(f)), 2)}`,
  });

  const keystrokes = sum((f) => f.keystrokes);
  const ghostShare = share((f) => f.withGhost, (f) => f.keystrokes);
  ctx.report({ id: `${prefix}.ghost_keystroke_share`, unit: "share", ...goalAt(">= 0.5"), ...ghostShare, note: `keys with a ghost shown before the next key; ${ghostShare.note}` });
  const newShare = share((f) => f.withNewGhost, (f) => f.keystrokes);
  ctx.report({ id: `${prefix}.new_ghost_keystroke_share`, unit: "share", ...newShare, note: `ghosts other than the typed-through one; ${newShare.note}` });

  const latencies = perRun.flatMap((f) => f.pauseToGhostMs);
  const spread = `p25–p75 ${quantile(latencies, 0.25).toFixed(0)}–${quantile(latencies, 0.75).toFixed(0)} ms over ${latencies.length} pauses`;
  ctx.report({ id: `${prefix}.pause_to_ghost_p50_ms`, unit: "ms", ...goalAt("<= 250"), value: quantile(latencies, 0.5), note: `${spread}; ${perRunValues(perRun.map((f) => quantile(f.pauseToGhostMs, 0.5)), 0)}` });
  ctx.report({ id: `${prefix}.pause_to_ghost_p95_ms`, unit: "ms", ...goalAt("<= 400"), value: quantile(latencies, 0.95), note: perRunValues(perRun.map((f) => quantile(f.pauseToGhostMs, 0.95)), 0) });
  ctx.report({ id: `${prefix}.pauses_without_ghost`, unit: "n", value: sum((f) => f.pausesWithoutGhost), note: `counted as ${PAUSE_MS} ms above; ${perRunValues(perRun.map((f) => f.pausesWithoutGhost), 0)}` });
  ctx.report({ id: `${prefix}.late_ghosts`, unit: "n", ...goalAt("== 0"), value: sum((f) => f.lateGhosts), note: "ghost states not starting at the cursor" });

  const undo = runs.reduce((total, r) => ({ restored: total.restored + r.undoChecks.restored, total: total.total + r.undoChecks.total }), { restored: 0, total: 0 });
  const accepts = share((f) => f.acceptsExact, (f) => f.accepts);
  ctx.report({ id: `${prefix}.accept_exact`, unit: "share", ...goalAt(">= 1"), ...accepts, note: `Tabs that inserted exactly the shown ghost: ${accepts.note}; Ctrl+Z restored ${undo.restored}/${undo.total}` });

  const requests = runs.map((r) => r.modelRequests);
  const counted = requests.every((n): n is number => n !== undefined);
  ctx.report({
    id: `${prefix}.requests_per_keystroke`,
    unit: "/key",
    value: counted ? requests.reduce((a, b) => a + b, 0) / sum((f) => f.bursts + f.keystrokes) : Number.NaN,
    note: counted
      ? `keystroke model requests (trace, cancelled ones included) per typed key; ${perRunValues(requests.map((n, i) => n / (perRun[i]!.keystrokes + perRun[i]!.bursts)), 2)}`
      : "the extension's log shows no per-request line at this level",
  });
  ctx.report({ id: `${prefix}.keystrokes`, unit: "n", value: keystrokes, note: `burst keys counted, ${runs.length} runs (each burst's first key left out)` });
  ctx.report({ id: `${prefix}.bursts`, unit: "n", value: sum((f) => f.bursts), note: `${runs.length} runs` });
}
