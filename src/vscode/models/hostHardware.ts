// Gathers this machine's facts for the recommendation. The engine's node-llama-cpp decides the
// real GPU offload at load time (and ModelInfo reports it); this only has to be a good first guess
// before any model exists, so it asks nvidia-smi rather than loading llama.cpp into the editor.
import { execFile } from "node:child_process";
import os from "node:os";
import { describeHardware } from "../../core/models/hardwareDescription.js";
import type { HardwareDescription } from "../../core/models/recommendation.js";

function nvidiaSmi(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"], { timeout: 3000, windowsHide: true }, (error, stdout) =>
      resolve(error ? null : stdout),
    );
  });
}

let cached: Promise<HardwareDescription> | undefined;

export function probeHardware(): Promise<HardwareDescription> {
  cached ??= (async () =>
    describeHardware({
      platform: process.platform,
      arch: process.arch,
      ramBytes: os.totalmem(),
      nvidiaSmi: process.platform === "darwin" ? null : await nvidiaSmi(),
    }))();
  return cached;
}
