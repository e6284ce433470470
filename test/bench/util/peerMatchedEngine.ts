// The engine configured like the peer llama-server it is compared with: CPU build, same
// threads and context, flash attention off.
import { createLocalEngine, type LocalEngine, type LocalEngineOptions } from "../../../src/backends/local/localEngine";

export function createPeerMatchedEngine(
  modelPath: string,
  threads: number,
  contextSize: number,
  extra: Partial<LocalEngineOptions> = {},
): LocalEngine {
  return createLocalEngine({
    modelPath,
    threads,
    contextSize,
    flashAttention: false,
    gpuLayers: 0,
    // llama-server is a CPU build: keep the engine on the CPU too, even on a machine with a GPU.
    env: { DEEPSEEK_LOCAL_GPU: "off" },
    ...extra,
  });
}
