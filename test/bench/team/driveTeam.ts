// N typists on one server at once: each its own extension (HttpEngine + CompletionPipeline), its
// own files, its own start offset; the server's busy time read from its /metrics before and after.
import { HttpEngine, type HttpEngineOptions } from "../../../src/backends/http/httpEngine";
import type { PipelineCounters } from "../../../src/core/completion/completionPipeline";
import type { KeystrokeRecord } from "./latency";
import { evaluatedPromptTokens, fetchServerMetrics, serverBusySeconds } from "./serverMetrics";
import { runTypist } from "./typist";
import { typistScript } from "./typistSchedule";

/** HttpEngine that counts its requests and adds up the server time each answer reports (its `timings`). */
class TimedHttpEngine extends HttpEngine {
  requests = 0;
  cancelled = 0;
  answeredServerMs = 0;

  override async infill(...args: Parameters<HttpEngine["infill"]>): ReturnType<HttpEngine["infill"]> {
    this.requests++;
    try {
      const result = await super.infill(...args);
      this.answeredServerMs += result.metrics.promptMs + result.metrics.generationMs;
      return result;
    } catch (error) {
      if (args[1]?.signal?.aborted) this.cancelled++;
      throw error;
    }
  }
}

export interface TeamRun {
  typists: number;
  records: KeystrokeRecord[];
  counters: PipelineCounters;
  /** HTTP requests sent (keystroke, speculative and warm-up), and those cancelled before their answer. */
  requests: number;
  cancelledRequests: number;
  /** Server busy time over the run from its /metrics (cancelled requests included), when it has one. */
  serverMs: number | undefined;
  /** Prompt tokens the server evaluated over the run (llama-server's /metrics), when it says. */
  evaluatedTokens: number | undefined;
  /** The server time the answered requests' responses report (cancelled ones never say). */
  answeredServerMs: number;
  wallMs: number;
}

export interface TeamOptions {
  baseUrl: string;
  typists: number;
  /** Edit sessions per typist. */
  sessions: number;
  /** What every typist's HttpEngine is given besides the URL (flavor, model, API key). */
  engine?: Omit<HttpEngineOptions, "baseUrl">;
  metricsHeaders?: Record<string, string>;
}

function addCounters(total: PipelineCounters, more: PipelineCounters): PipelineCounters {
  return Object.fromEntries(Object.entries(total).map(([key, value]) => [key, value + more[key as keyof PipelineCounters]])) as unknown as PipelineCounters;
}

export async function driveTeam(options: TeamOptions): Promise<TeamRun> {
  const engines = Array.from({ length: options.typists }, () => new TimedHttpEngine({ ...options.engine, baseUrl: options.baseUrl }));
  // Each extension probes its server once when it starts; not part of typing.
  await Promise.all(engines.map((engine) => engine.modelInfo()));
  const before = await fetchServerMetrics(options.baseUrl, options.metricsHeaders);
  const started = performance.now() + 100;
  const results = await Promise.all(engines.map((engine, i) => runTypist(i, typistScript(i, { sessions: options.sessions }), engine, started)));
  const wallMs = performance.now() - started;
  const after = await fetchServerMetrics(options.baseUrl, options.metricsHeaders);
  const delta = (read: (metrics: Map<string, number>) => number | undefined) => {
    const [from, to] = [read(before), read(after)];
    return from !== undefined && to !== undefined ? to - from : undefined;
  };
  const busySeconds = delta(serverBusySeconds);
  await Promise.all(engines.map((engine) => engine.dispose()));
  return {
    typists: options.typists,
    records: results.flatMap((r) => r.records),
    counters: results.map((r) => r.counters).reduce(addCounters),
    serverMs: busySeconds === undefined ? undefined : busySeconds * 1000,
    evaluatedTokens: delta(evaluatedPromptTokens),
    requests: engines.reduce((sum, engine) => sum + engine.requests, 0),
    cancelledRequests: engines.reduce((sum, engine) => sum + engine.cancelled, 0),
    answeredServerMs: engines.reduce((sum, engine) => sum + engine.answeredServerMs, 0),
    wallMs,
  };
}
