// How the engine and the peer llama-server are configured in the peer-matched sections (issue 24,
// item 1): one place that makes both, from the same constants the engine uses.
//
// The workload is the same for every side: CPU only, the run's threads (generation and batch),
// the context size, flash attention (`--flash-attn`, set alike) and one slot. Beyond that there are
// two peers:
// - "matched": every process setting the engine runs with that a llama-server user can give it as
//   well: loading without mmap (node-llama-cpp's `useMmap: false` is llama.cpp's load mode "none";
//   this llama-server spells it `--load-mode none`, it has no `--no-mmap`), the engine's prompt
//   batch as the physical batch (`-ub`: the tokens one graph computes, what the batch size changes
//   in speed), and the environment the supervisor gives the engine process (`engineProcessEnv`:
//   glibc's malloc tunables). The goals are judged on this peer.
//   The logical batch (`-b`) is the context size, not the engine's 256 (node-llama-cpp sets
//   n_batch = n_ubatch and the engine feeds a prompt 256 tokens a call): llama-server's /infill cuts
//   its prompt to fit n_batch (3/4 of it for the prefix), so `-b 256` made it evaluate 258 of a
//   1,319-token FIM prompt. With `-b` ≥ the prompt a decode call splits into the same 256-token
//   ubatches the engine's calls are.
// - "defaults": llama-server as a user starts it, the workload flags only (mmap, batches 2048/512,
//   the bench's own environment); reported beside it as `…_vs_llama_server_defaults`.
// `UV_THREADPOOL_SIZE=1` comes along in the environment but means nothing to llama-server: the
// engine sets it so that a decode and its sample run back to back on one pool thread, which is what
// llama-server's one decoding thread does anyway.
import { createLocalEngine, type LocalEngine, type LocalEngineOptions } from "../../../src/backends/local/localEngine";
import { defaultBatchSize, defaultMmap } from "../../../src/engine/contextDefaults";
import { engineProcessEnv } from "../../../src/supervisor/engineSupervisor";
import { startLlamaServer, type LlamaServer, type StartLlamaServerOptions } from "../../fixtures/llama-server";
import type { BenchContext } from "../types";

export type PeerConfig = "matched" | "defaults";

/** What a metric id or a log line calls each peer. */
export const peerLabel: Record<PeerConfig, string> = { matched: "llama-server", defaults: "llama-server (defaults)" };

/** The engine's options in a peer-matched section: every field the peer is derived from is set. */
export interface PeerMatchedEngineOptions extends LocalEngineOptions {
  threads: number;
  contextSize: number;
  flashAttention: boolean;
  gpuLayers: 0;
}

export function peerMatchedEngineOptions(
  ctx: Pick<BenchContext, "threads" | "flashAttention">,
  modelPath: string,
  contextSize: number,
  extra: Pick<LocalEngineOptions, "mmap" | "batchSize"> = {},
): PeerMatchedEngineOptions {
  return {
    modelPath,
    threads: ctx.threads,
    contextSize,
    flashAttention: ctx.flashAttention,
    gpuLayers: 0,
    // llama-server is a CPU build: keep the engine on the CPU too, even on a machine with a GPU.
    env: { DEEPSEEK_LOCAL_GPU: "off" },
    ...extra,
  };
}

export function createPeerMatchedEngine(
  ctx: Pick<BenchContext, "threads" | "flashAttention">,
  modelPath: string,
  contextSize: number,
  extra: Pick<LocalEngineOptions, "mmap" | "batchSize"> = {},
): LocalEngine {
  return createLocalEngine(peerMatchedEngineOptions(ctx, modelPath, contextSize, extra));
}

export type PeerLaunch = Required<Pick<StartLlamaServerOptions, "threads" | "ctxSize" | "extraArgs">> & Pick<StartLlamaServerOptions, "env">;

/**
 * The llama-server settings beside an engine loaded with `engine`. The engine resolves an unset
 * batch size and mmap with the same functions (loadedModel.ts), and gets its environment from the
 * same `engineProcessEnv`.
 */
export function peerSettings(engine: PeerMatchedEngineOptions, config: PeerConfig, parentEnv: NodeJS.ProcessEnv = process.env, platform = process.platform): PeerLaunch {
  const workload = { threads: engine.threads, ctxSize: engine.contextSize };
  const flashAttention = ["--flash-attn", engine.flashAttention ? "on" : "off"];
  if (config === "defaults") return { ...workload, extraArgs: flashAttention };
  const cpuOnly = engine.gpuLayers === 0;
  const mmap = engine.mmap ?? defaultMmap(cpuOnly);
  const batch = engine.batchSize ?? defaultBatchSize(cpuOnly);
  return {
    ...workload,
    extraArgs: [
      ...flashAttention,
      ...(mmap === "auto" ? [] : ["--load-mode", mmap ? "mmap" : "none"]),
      ...(batch === undefined ? [] : ["--batch-size", String(Math.max(batch, engine.contextSize)), "--ubatch-size", String(batch)]),
    ],
    env: engineProcessEnv(parentEnv, engine.env, platform),
  };
}

/** Starts the peer for `engine` in configuration `config`; it is stopped when the section ends. */
export async function startPeer(
  ctx: Pick<BenchContext, "llamaServerBinary" | "defer">,
  engine: PeerMatchedEngineOptions,
  config: PeerConfig,
  options: { readyTimeoutMs?: number; moreArgs?: readonly string[] } = {},
): Promise<LlamaServer> {
  const settings = peerSettings(engine, config);
  const server = await startLlamaServer({
    model: engine.modelPath,
    binary: await ctx.llamaServerBinary(),
    ...settings,
    extraArgs: [...settings.extraArgs, ...(options.moreArgs ?? [])],
    readyTimeoutMs: options.readyTimeoutMs,
  });
  ctx.defer(() => server.stop());
  return server;
}

/**
 * Runs `run` on both peers as one side of `interleave()`, ordered so that the matched peer is
 * always next to the engine: in even rounds the engine goes first (engine, matched, defaults), in
 * odd rounds last (defaults, matched, engine).
 */
export async function eachPeer<T>(round: number, run: (config: PeerConfig) => Promise<T>, pauseMs = 50): Promise<Record<PeerConfig, T>> {
  const order: PeerConfig[] = round % 2 === 0 ? ["matched", "defaults"] : ["defaults", "matched"];
  const first = await run(order[0]!);
  await new Promise((r) => setTimeout(r, pauseMs));
  const second = await run(order[1]!);
  return { [order[0]!]: first, [order[1]!]: second } as Record<PeerConfig, T>;
}
