// Which llama.cpp CPU backend this process runs: node-llama-cpp's prebuilt binary or a local build
// (native/ggml-cpu/build.ts installs one with the CPU variants rebuilt), and which of the CPU
// variants ggml picked for this processor.
import { readFileSync } from "node:fs";
import type { Llama } from "node-llama-cpp";
import type { ModelInfo } from "../protocol/engine.js";

/** A mapped file's path at the end of a /proc/<pid>/maps line. */
const CPU_VARIANT_MAPPING = / (\/.*\/libggml-cpu-([\w.-]+)\.so)$/m;

/** The loaded `libggml-cpu-<variant>.so`, from the process's mappings (Linux; elsewhere null). */
export function loadedCpuVariant(maps = readMaps()): { variant: string; path: string } | null {
  const match = CPU_VARIANT_MAPPING.exec(maps);
  return match ? { variant: match[2]!, path: match[1]! } : null;
}

function readMaps(): string {
  try {
    return readFileSync("/proc/self/maps", "utf8");
  } catch {
    return "";
  }
}

export function cpuBackendInfo(llama: Llama): NonNullable<ModelInfo["cpuBackend"]> {
  const loaded = loadedCpuVariant();
  return { build: llama.buildType, variant: loaded?.variant ?? null, library: loaded?.path ?? null };
}
