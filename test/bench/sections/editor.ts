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
import type { BenchContext, BenchSection } from "../types";
import { quantile } from "../util/stats";

const DEFAULT_REPS = 2;

export const editor: BenchSection = {
  id: "editor",
  title: `Ghost text in the editor (code-server + chromium, ${KEY_INTERVAL_MS} ms a key, ${PAUSE_MS / 1000} s pauses)`,
  // Minutes per run and code-server + chromium to install: asked for by name.
  optIn: "only",
  async run(ctx) {
    const reps = ctx.reps ?? DEFAULT_REPS;
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
    const resultsDir = path.join(repoRoot, "test-results", "bench-editor");
    const session = await E2eSession.start({ resultsDir, vsix: [vsix!], log: ctx.log });
    ctx.log(`code-server ${session.deps.codeServerVersion}, ${session.deps.chromium}; results in ${path.relative(repoRoot, resultsDir)}/`);

    const runs: EditorRunResult[] = [];
    for (let rep = 1; rep <= reps; rep++) {
      const name = `run${rep}`;
      const result = await session.runCase(editorRunCase({ name, threads: ctx.threads, onDone: (run) => runs.push(run) }));
      const where = path.relative(repoRoot, result.artifactsDir);
      if (!result.ok) throw new Error(`${name} failed after ${(result.ms / 1000).toFixed(0)} s: ${result.error}\n  screenshot and logs: ${where}/ (harness.log says which step)`);
      ctx.log(`${name} done in ${(result.ms / 1000).toFixed(0)} s (${where}/)`);
    }
    const sample = runs.find((r) => r.multiLineSample)?.multiLineSample;
    if (sample) ctx.log(`a multi-line ghost as rendered: ${sample.slice(0, 600)}`);
    reportFigures(ctx, runs);
  },
};

function reportFigures(ctx: BenchContext, runs: readonly EditorRunResult[]): void {
  const perRun = runs.map((r) => figuresOf(r.log));
  const sum = (pick: (f: RunFigures) => number) => perRun.reduce((total, f) => total + pick(f), 0);
  const perRunValues = (values: number[], digits: number) => `per run ${values.map((v) => (Number.isFinite(v) ? v.toFixed(digits) : "–")).join(", ")}`;
  const share = (hits: (f: RunFigures) => number, of: (f: RunFigures) => number) => ({
    value: sum(hits) / sum(of),
    note: `${sum(hits)}/${sum(of)}; ${perRunValues(perRun.map((f) => hits(f) / of(f)), 2)}`,
  });

  const keystrokes = sum((f) => f.keystrokes);
  const ghostShare = share((f) => f.withGhost, (f) => f.keystrokes);
  ctx.report({ id: "editor.ghost_keystroke_share", unit: "share", goal: ">= 0.5", ...ghostShare, note: `keys with a ghost shown before the next key; ${ghostShare.note}` });
  const newShare = share((f) => f.withNewGhost, (f) => f.keystrokes);
  ctx.report({ id: "editor.new_ghost_keystroke_share", unit: "share", ...newShare, note: `ghosts other than the typed-through one; ${newShare.note}` });

  const latencies = perRun.flatMap((f) => f.pauseToGhostMs);
  const spread = `p25–p75 ${quantile(latencies, 0.25).toFixed(0)}–${quantile(latencies, 0.75).toFixed(0)} ms over ${latencies.length} pauses`;
  ctx.report({ id: "editor.pause_to_ghost_p50_ms", unit: "ms", goal: "<= 250", value: quantile(latencies, 0.5), note: `${spread}; ${perRunValues(perRun.map((f) => quantile(f.pauseToGhostMs, 0.5)), 0)}` });
  ctx.report({ id: "editor.pause_to_ghost_p95_ms", unit: "ms", goal: "<= 400", value: quantile(latencies, 0.95), note: perRunValues(perRun.map((f) => quantile(f.pauseToGhostMs, 0.95)), 0) });
  ctx.report({ id: "editor.pauses_without_ghost", unit: "n", value: sum((f) => f.pausesWithoutGhost), note: `counted as ${PAUSE_MS} ms above; ${perRunValues(perRun.map((f) => f.pausesWithoutGhost), 0)}` });
  ctx.report({ id: "editor.late_ghosts", unit: "n", goal: "== 0", value: sum((f) => f.lateGhosts), note: "ghost states not starting at the cursor" });

  const undo = runs.reduce((total, r) => ({ restored: total.restored + r.undoChecks.restored, total: total.total + r.undoChecks.total }), { restored: 0, total: 0 });
  const accepts = share((f) => f.acceptsExact, (f) => f.accepts);
  ctx.report({ id: "editor.accept_exact", unit: "share", goal: ">= 1", ...accepts, note: `Tabs that inserted exactly the shown ghost: ${accepts.note}; Ctrl+Z restored ${undo.restored}/${undo.total}` });

  const requests = runs.map((r) => r.modelRequests);
  const counted = requests.every((n): n is number => n !== undefined);
  ctx.report({
    id: "editor.requests_per_keystroke",
    unit: "/key",
    value: counted ? requests.reduce((a, b) => a + b, 0) / sum((f) => f.bursts + f.keystrokes) : Number.NaN,
    note: counted
      ? `keystroke model requests (trace, cancelled ones included) per typed key; ${perRunValues(requests.map((n, i) => n / (perRun[i]!.keystrokes + perRun[i]!.bursts)), 2)}`
      : "the extension's log shows no per-request line at this level",
  });
  ctx.report({ id: "editor.keystrokes", unit: "n", value: keystrokes, note: `burst keys counted, ${runs.length} runs (each burst's first key left out)` });
  ctx.report({ id: "editor.bursts", unit: "n", value: sum((f) => f.bursts), note: `${runs.length} runs` });
}
