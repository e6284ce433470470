// The engine configured like the peer llama-server it is compared with: CPU build, same threads,
// context and flash attention (the run's `--flash-attn`, off by default).
import { createLocalEngine, type LocalEngine, type LocalEngineOptions } from "../../../src/backends/local/localEngine";
import type { BenchContext } from "../types";

export function createPeerMatchedEngine(
  ctx: Pick<BenchContext, "threads" | "flashAttention">,
  modelPath: string,
  contextSize: number,
  extra: Partial<LocalEngineOptions> = {},
): LocalEngine {
  return createLocalEngine({
    modelPath,
    threads: ctx.threads,
    contextSize,
    flashAttention: ctx.flashAttention,
    gpuLayers: 0,
    // llama-server is a CPU build: keep the engine on the CPU too, even on a machine with a GPU.
    env: { DEEPSEEK_LOCAL_GPU: "off" },
    ...extra,
  });
}

/** The llama-server arguments that match the engine's flash attention. */
export function peerFlashAttentionArgs(ctx: Pick<BenchContext, "flashAttention">): string[] {
  return ["--flash-attn", ctx.flashAttention ? "on" : "off"];
}
