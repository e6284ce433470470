// A team on one server (issue 20, goal 4): one llama-server with `--parallel N` slots on the
// synthetic model, N simulated typists at once (N = 1, 4, 8), each the extension's own ghost-text
// code as it runs against a remote backend (team/typist.ts), typing the editor bench's sessions at
// 120 ms a key with 1.5 s pauses. Does latency hold when the team grows, and what does a keystroke
// cost the server? `DEEPSEEK_LOCAL_TEAM_URL` points the same drive at a server already running
// (vLLM, SGLang, llama-server on a GPU host) instead. Definitions: test/bench/README.md ("team").
import { serverFlavors, type ServerFlavor } from "../../../src/core/remote/serverFlavor";
import { startLlamaServer } from "../../fixtures/llama-server";
import { driveTeam, type TeamRun, type TeamOptions } from "../team/driveTeam";
import { teamFigures, typistsServed } from "../team/latency";
import { parseTeamSizes, sizeId, type TeamSize } from "../team/teamSizes";
import { PAUSE_MS } from "../team/typistSchedule";
import type { BenchContext, BenchSection } from "../types";

/** Edit sessions each typist goes through (`--reps`): about 20 s each. */
const DEFAULT_SESSIONS = 3;
/** Each slot's context: the completion prompt (≤ 1,024 + 128 tokens and 512 of extra context) with room. */
const CONTEXT_PER_SLOT = 4096;
/** The goal: p95 with the largest team ≤ this × p95 of one typist. */
const P95_FACTOR = 2;

/** A server given by the user: the environment names it, the bench starts nothing. */
function remoteTarget(env: NodeJS.ProcessEnv): { url: string; engine: TeamOptions["engine"]; headers: Record<string, string> } | undefined {
  const url = env.DEEPSEEK_LOCAL_TEAM_URL?.trim();
  if (!url) return undefined;
  const apiKey = env.DEEPSEEK_LOCAL_TEAM_API_KEY?.trim() || undefined;
  const flavor = env.DEEPSEEK_LOCAL_TEAM_FLAVOR?.trim() || "auto";
  if (flavor !== "auto" && !(serverFlavors as readonly string[]).includes(flavor)) {
    throw new Error(`DEEPSEEK_LOCAL_TEAM_FLAVOR must be auto or one of ${serverFlavors.join(", ")} (got "${flavor}")`);
  }
  return {
    url,
    engine: {
      flavor: flavor as ServerFlavor | "auto",
      model: env.DEEPSEEK_LOCAL_TEAM_MODEL?.trim() || undefined,
      apiKey: () => apiKey,
      // Whoever sets the variable chose this server, plain http included.
      allowPlainHttp: () => true,
    },
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  };
}

async function runTeam(ctx: BenchContext, { typists, slots }: TeamSize, sessions: number): Promise<TeamRun> {
  const remote = remoteTarget(process.env);
  if (remote) return driveTeam({ baseUrl: remote.url, typists, sessions, engine: remote.engine, metricsHeaders: remote.headers });
  const [model, binary] = await Promise.all([ctx.syntheticModel(), ctx.llamaServerBinary()]);
  const server = await startLlamaServer({
    model,
    binary,
    threads: ctx.threads,
    ctxSize: CONTEXT_PER_SLOT * slots,
    extraArgs: ["--parallel", String(slots), "--metrics", "--flash-attn", ctx.flashAttention ? "on" : "off"],
  });
  try {
    return await driveTeam({ baseUrl: server.url, typists, sessions, engine: { flavor: "llama-server" } });
  } finally {
    await server.stop();
  }
}

interface SizeResult extends TeamSize {
  id: string;
  p95: number;
  pauseP95: number;
  failures: number;
}

function report(ctx: BenchContext, size: TeamSize, id: string, run: TeamRun): SizeResult {
  const f = teamFigures(run.records, PAUSE_MS);
  const c = run.counters;
  const on = `${size.typists} typist${size.typists === 1 ? "" : "s"}`;
  ctx.report({
    id: `team.p50_ms_${id}`,
    value: f.p50,
    unit: "ms",
    note: `${on}: key → suggestion shown (VS Code's 50 ms included), ${f.latencies.length} model answers of ${f.keystrokes} keys, ${f.cacheHits} from the cache`,
  });
  ctx.report({
    id: `team.p95_ms_${id}`,
    value: f.p95,
    unit: "ms",
    note: `${(f.answeredShare * 100).toFixed(0)}% of keys within a burst answered before the next key; whole answer p95 ${Math.round(f.wholeP95)} ms after a burst`,
  });
  ctx.report({
    id: `team.pause_p95_ms_${id}`,
    value: f.pauseP95,
    unit: "ms",
    note: `a burst's last key → its suggestion, ${f.pauseLatencies.length} pauses, ${f.pausesWithoutSuggestion} without one`,
  });
  const serverMs = run.serverMs ?? run.answeredServerMs;
  ctx.report({
    id: `team.server_ms_per_keystroke_${id}`,
    value: serverMs / f.keystrokes,
    unit: "ms",
    note:
      (run.serverMs !== undefined ? "/metrics: prompt + generation time, cancelled requests included" : "answered requests' timings only (no /metrics)") +
      `; ${run.requests} requests (${run.cancelledRequests} stopped early: typed over or at the line limit; ${c.speculativeRequests} speculative, ${c.warmups} warm-ups)` +
      (run.evaluatedTokens === undefined ? "" : `; ${(run.evaluatedTokens / run.requests).toFixed(0)} prompt tokens evaluated a request`) +
      `; slots busy ${((serverMs / run.wallMs) * 100).toFixed(0)}% of ${(run.wallMs / 1000).toFixed(0)} s`,
  });
  ctx.report({ id: `team.failures_${id}`, value: f.failures, unit: "", goal: "== 0", note: "keys whose request failed (an error the editor would log)" });
  return { ...size, id, p95: f.p95, pauseP95: f.pauseP95, failures: f.failures };
}

export const team: BenchSection = {
  id: "team",
  title: "A team on one server (N typists at once, each the extension's completion code; llama-server with a slot each unless DEEPSEEK_LOCAL_TEAM_URL)",
  // About a minute per team size with three sessions a typist: asked for by name.
  optIn: "only",
  async run(ctx) {
    const sessions = ctx.reps ?? DEFAULT_SESSIONS;
    const remote = remoteTarget(process.env);
    ctx.log(remote ? `typing against ${remote.url} (DEEPSEEK_LOCAL_TEAM_URL)` : "typing against llama-server on the synthetic model");
    const results: SizeResult[] = [];
    for (const size of parseTeamSizes(process.env.DEEPSEEK_LOCAL_TEAM_SIZES)) {
      if (remote && results.some((r) => r.typists === size.typists)) continue; // a user's server has its own slots
      ctx.log(`${size.typists} typists${remote ? "" : ` on ${size.slots} slots`}, ${sessions} session${sessions === 1 ? "" : "s"} each`);
      results.push(report(ctx, size, sizeId(size, !!remote), await runTeam(ctx, size, sessions)));
    }
    const one = results[0]!;
    const slotEach = results.filter((r) => remote || r.slots === r.typists);
    for (const other of results.slice(1)) {
      ctx.report({
        id: `team.p95_${other.id}_vs_${one.id}`,
        value: other.p95 / one.p95,
        unit: "×",
        // The goal: the largest team with a slot each.
        goal: other === slotEach.at(-1) ? `<= ${P95_FACTOR}` : undefined,
        note: `p95 with ${other.typists} typists${remote ? "" : ` on ${other.slots} slots`} / with ${one.typists}`,
      });
      // Keys answered before the next one are the fast ones: the pauses, always answered, show the rest.
      ctx.report({ id: `team.pause_p95_${other.id}_vs_${one.id}`, value: other.pauseP95 / one.pauseP95, unit: "×", note: "the same for a burst's last key → its suggestion" });
    }
    ctx.report({
      id: "team.typists_served",
      value: typistsServed(slotEach, P95_FACTOR),
      unit: "typists",
      note: `the largest team (of ${slotEach.map((s) => s.typists).join(", ")}) whose p95 stays within ${P95_FACTOR}× one typist's${remote ? "" : ", a slot each"}`,
    });
  },
};
