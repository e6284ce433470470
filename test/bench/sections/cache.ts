// Context caching (issue 5): time to first token for a 4,096-token prefix — cold, warm in RAM,
// and restored from the disk cache after an engine restart — plus bytes per cached token against
// the MLA latent size. All are measured in this run on the same engine settings. The restore is
// measured twice per round (issue 24, item 3): with the state file in the page cache (warm, as
// right after it was written) and dropped from it (cold, as after a reboot: fsync, then
// posix_fadvise DONTNEED); the order alternates per round. The model file stays cached either way.
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLocalEngine } from "../../../src/backends/local/localEngine";
import type { GenerationRequest } from "../../../src/core/engine/engine";
import type { BenchContext, BenchSection } from "../types";
import { dropFromPageCache, filesUnder, residentBytes } from "../util/pageCache";
import { median } from "../util/stats";
import { codeLikeText } from "./engine";

const PREFIX_TOKENS = 4096;
const REPS = 3;

export const cache: BenchSection = {
  id: "cache",
  title: "Context caching: 4,096-token prefix, cold vs RAM vs disk",
  async run(ctx: BenchContext) {
    const modelPath = await ctx.syntheticModel();
    const reps = ctx.reps ?? REPS;
    const cold: number[] = [];
    const ram: number[] = [];
    const disk: number[] = [];
    const diskCold: number[] = [];
    const residentAfterDrop: number[] = [];
    let stateBytes = 0;
    let bytesPerToken = 0;
    let latent = 0;

    for (let round = 0; round < reps; round++) {
      const directory = await mkdtemp(path.join(os.tmpdir(), "deepseek-bench-cache-"));
      ctx.defer(() => rm(directory, { recursive: true, force: true }));
      const engine = createLocalEngine({
        modelPath,
        threads: ctx.threads,
        contextSize: PREFIX_TOKENS + 1024,
        diskCache: { directory, maxBytes: 1024 ** 3, minTokens: 256 },
      });
      ctx.defer(() => engine.dispose());
      // A fresh prefix each round: nothing of it is in RAM or on disk yet.
      const prefixText = await textOfTokens(engine, `// round ${round}\n${codeLikeText(PREFIX_TOKENS * 8, round + 1)}`, PREFIX_TOKENS);
      const request = (tail: string): GenerationRequest => ({
        sequence: "chat",
        prompt: [{ token: "bos" }, { text: prefixText }, { text: tail }],
        stablePrefixSegments: 2,
        maxTokens: 1,
      });

      const first = await engine.generate(request("\n// question one\n"));
      const warm = await engine.generate(request("\n// question two\n"));
      const files = await filesUnder(directory);
      stateBytes = (await Promise.all(files.map((f) => stat(f)))).reduce((sum, s) => sum + s.size, 0);
      // A restart empties RAM; the next request restores the prefix from the disk cache.
      const restore = async (tail: string, dropped: boolean) => {
        await engine.supervisor.restart();
        if (dropped) {
          dropFromPageCache(files);
          const resident = residentBytes(files);
          if (resident !== undefined) residentAfterDrop.push(resident);
        }
        const restored = await engine.generate(request(tail));
        if (restored.metrics.restoredTokens === 0) throw new Error("the prefix was not restored from disk");
        return restored.metrics.firstTokenMs ?? restored.metrics.totalMs;
      };
      let fromPageCache: number;
      let fromDisk: number;
      if (round % 2 === 0) {
        fromPageCache = await restore("\n// question three\n", false);
        fromDisk = await restore("\n// question four\n", true);
      } else {
        fromDisk = await restore("\n// question three\n", true);
        fromPageCache = await restore("\n// question four\n", false);
      }
      cold.push(first.metrics.firstTokenMs ?? first.metrics.totalMs);
      ram.push(warm.metrics.firstTokenMs ?? warm.metrics.totalMs);
      disk.push(fromPageCache);
      diskCold.push(fromDisk);
      const stats = await engine.cacheStats();
      bytesPerToken = stats.bytesPerToken ?? 0;
      latent = stats.mlaLatentBytesPerToken ?? 0;
      await engine.dispose();
      ctx.log(`round ${round + 1}/${reps}: cold ${cold.at(-1)!.toFixed(0)} ms, RAM ${ram.at(-1)!.toFixed(1)} ms, disk ${disk.at(-1)!.toFixed(1)} ms (page cache) / ${diskCold.at(-1)!.toFixed(1)} ms (dropped)`);
    }

    const coldMs = median(cold);
    ctx.report({ id: "cache.cold_ttft_ms", value: coldMs, unit: "ms", note: `${PREFIX_TOKENS}-token prefix, empty cache` });
    ctx.report({ id: "cache.ram_ttft_ms", value: median(ram), unit: "ms", note: "same prefix, new tail, same engine" });
    ctx.report({ id: "cache.disk_ttft_ms", value: median(disk), unit: "ms", note: "after an engine restart, prefix restored from disk; the state file in the page cache" });
    const dropNote = residentAfterDrop.length ? `${Math.max(...residentAfterDrop)} of ${stateBytes} bytes still cached after the drop` : "fincore missing: the drop was not checked";
    ctx.report({ id: "cache.disk_cold_ttft_ms", value: median(diskCold), unit: "ms", note: `the same, the state file dropped from the page cache first (${dropNote})` });
    ctx.report({ id: "cache.ram_reuse_vs_cold", value: median(ram) / coldMs, unit: "×", goal: "<= 0.05" });
    ctx.report({ id: "cache.disk_restore_vs_cold", value: median(disk) / coldMs, unit: "×", goal: "<= 0.1", note: "state file in the page cache" });
    ctx.report({ id: "cache.disk_cold_restore_vs_cold", value: median(diskCold) / coldMs, unit: "×", goal: "<= 0.1", note: "state file read from the disk" });
    ctx.report({ id: "cache.bytes_per_token", value: bytesPerToken, unit: "B", note: "state file bytes / cached tokens" });
    ctx.report({ id: "cache.mla_latent_bytes_per_token", value: latent, unit: "B", note: "(kv_lora_rank + rope dims) × layers × 2" });
    ctx.report({ id: "cache.bytes_per_token_vs_mla_latent", value: bytesPerToken / latent, unit: "×", goal: "<= 1.1" });
  },
};

/** The longest whole-line start of `text` with at most `tokens` tokens. */
async function textOfTokens(engine: { tokenize(text: string): Promise<number[]> }, text: string, tokens: number): Promise<string> {
  const lines = text.split("\n");
  let low = 1;
  let high = lines.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if ((await engine.tokenize(lines.slice(0, mid).join("\n"))).length <= tokens) low = mid;
    else high = mid - 1;
  }
  return lines.slice(0, low).join("\n");
}
