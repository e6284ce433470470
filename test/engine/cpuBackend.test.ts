// The engine process as the supervisor sets it up on Linux: node-llama-cpp's CPU variants rebuilt by
// native/ggml-cpu/build.ts (installed as a node-llama-cpp local build by the test setup), and the
// model's weights in memory advised for transparent huge pages (engineProcessEnv).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { commandVersion } from "../../native/llamaCppBuild.js";
import { ensureRebuiltCpuBackend, localBuildDir, prebuiltVariants } from "../../native/ggml-cpu/build.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

/** THP in `madvise` mode: memory gets huge pages where it asks (glibc asks under glibc.malloc.hugetlb=1). */
const thpOnAdvice = (() => {
  try {
    return readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8").includes("[madvise]");
  } catch {
    return false;
  }
})();

/** Bytes of a process's mappings advised MADV_HUGEPAGE (`hg` in smaps' VmFlags). */
function hugePageAdvisedBytes(pid: number): number {
  let total = 0;
  let size = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const sizeKb = /^Size:\s+(\d+) kB/.exec(line);
    if (sizeKb) size = Number(sizeKb[1]) * 1024;
    else if (line.startsWith("VmFlags:") && line.split(/\s+/).includes("hg")) total += size;
  }
  return total;
}

/** Each tinyBLAS tile function of a shared library (`gemm_bloc<RM, RN>`), as objdump disassembles it. */
function tinyBlasTiles(library: string): Map<string, string> {
  const listing = execFileSync("objdump", ["-d", "-C", "--no-show-raw-insn", library], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const tiles = new Map<string, string>();
  for (const block of listing.split("\n\n")) {
    const name = /^[0-9a-f]+ <(.*tinyBLAS<.*::gemm_bloc<.*)>:$/m.exec(block)?.[1];
    if (name) tiles.set(name, block);
  }
  return tiles;
}

/** An engine on the CPU, as the supervisor starts it, with the synthetic model. */
async function cpuEngine(threads: number): Promise<LocalEngine> {
  return createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 1024, threads, env: { DEEPSEEK_LOCAL_GPU: "off" } });
}

describe.runIf(process.platform === "linux")("engine process on Linux", () => {
  let engine: LocalEngine;

  beforeAll(async () => {
    await ensureRebuiltCpuBackend();
    engine = await cpuEngine(1);
  }, 20 * 60_000);

  afterAll(async () => {
    await engine?.dispose();
  });

  it("is what the engine runs, one of the prebuilt binary's variants, and it generates", async () => {
    const info = await engine.modelInfo();
    expect(info.cpuBackend?.build).toBe("localBuild");
    expect(prebuiltVariants()).toContain(info.cpuBackend?.variant);
    expect(path.dirname(info.cpuBackend?.library ?? "")).toBe(path.join(localBuildDir(), "Release"));
    const result = await engine.generate({ sequence: "completion", prompt: [{ text: "function add(a, b) {" }], maxTokens: 8, temperature: 0 });
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
  });

  // native/ggml-cpu/build.ts, GCC_X64_MEMSET_STRATEGY: `rep stos` took 22% of the f16 tile's time.
  it.runIf(process.arch === "x64" && commandVersion("objdump") !== undefined && !/clang/i.test(commandVersion("c++") ?? ""))(
    "clears tinyBLAS's accumulator tiles without rep stos (GCC on x86-64)",
    async () => {
      const library = (await engine.modelInfo()).cpuBackend?.library ?? "";
      expect(path.basename(library)).toMatch(/^libggml-cpu-[\w.-]+\.so$/);
      const tiles = tinyBlasTiles(library);
      // Every x86 variant from AVX on has f16 tiles; the AVX2 ones were the slow case.
      expect(tiles.size).toBeGreaterThan(3);
      const withRepStos = [...tiles].filter(([, code]) => /\brep stos/.test(code)).map(([name]) => name);
      expect(withRepStos).toEqual([]);
    },
  );

  it.runIf(thpOnAdvice)("asks for transparent huge pages for the weights", async () => {
    const info = await engine.modelInfo();
    // Most of the ~70 MB of weights: glibc maps them in 2 MiB-aligned chunks advised MADV_HUGEPAGE.
    // Whether the kernel then finds free 2 MiB pages depends on the machine's fragmentation, not on us.
    expect(hugePageAdvisedBytes(engine.supervisor.pid!)).toBeGreaterThan(info.sizeBytes / 2);
  });

  it("decodes with two threads on one kept worker thread, not a new thread per token", async () => {
    // node-llama-cpp attaches no ggml threadpool; unpatched, ggml creates and joins the second
    // thread for every decoded token (native/ggml-cpu/patches/reuse-threadpool.diff).
    const twoThreads = await cpuEngine(2);
    try {
      await twoThreads.modelInfo();
      const tasks = `/proc/${twoThreads.supervisor.pid}/task`;
      const seen = new Set<string>();
      let generating = true;
      const sampling = (async () => {
        while (generating) {
          for (const tid of readdirSync(tasks)) seen.add(tid);
          await sleep(1);
        }
      })();
      const result = await twoThreads.generate({ sequence: "completion", prompt: [{ text: "function add(a, b) {" }], maxTokens: 200, temperature: 0 });
      generating = false;
      await sampling;
      expect(result.metrics.generatedTokens).toBeGreaterThan(50);
      const alive = new Set(readdirSync(tasks));
      expect([...seen].filter((tid) => !alive.has(tid))).toEqual([]);
    } finally {
      await twoThreads.dispose();
    }
  });
});
