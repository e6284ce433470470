// Cache figures as a person reads them.
import type { CacheStats } from "../../protocol/engine.js";

function bytes(value: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function describeCacheStats(stats: CacheStats): string {
  const lines = [`KV reuse: ${stats.reusedTokens} prompt tokens reused, ${stats.evaluatedTokens} evaluated`];
  const disk = stats.disk;
  if (!disk) lines.push("Disk cache: off");
  else {
    lines.push(
      `Disk cache${disk.enabled ? "" : ` (off: ${disk.disabledReason})`}: ${disk.entries} prefixes, ${bytes(disk.bytesOnDisk)} of ${bytes(disk.maxBytes)} in ${disk.directory}`,
      `Hits ${disk.hits}, misses ${disk.misses}, writes ${disk.writes}, evicted ${disk.evictions}, corrupt entries removed ${disk.corrupt}`,
    );
  }
  if (stats.bytesPerToken !== null) {
    const latent = stats.mlaLatentBytesPerToken;
    lines.push(`${bytes(stats.bytesPerToken)} per cached token${latent ? ` (MLA latent: ${bytes(latent)})` : ""}`);
  }
  return lines.join("\n");
}

/** What Clear Cache asks before deleting, or says when there is nothing to delete. */
export type ClearCachePrompt = { kind: "nothing"; message: string } | { kind: "confirm"; message: string; detail: string; confirm: string };

export function describeClearCache(disk: CacheStats["disk"]): ClearCachePrompt {
  if (!disk) return { kind: "nothing", message: "DeepSeek Local: the disk cache is off, so there is nothing to clear." };
  if (disk.entries === 0) return { kind: "nothing", message: `DeepSeek Local: the prefix cache in ${disk.directory} is already empty.` };
  return {
    kind: "confirm",
    message: `Delete ${disk.entries} cached prefix${disk.entries === 1 ? "" : "es"} (${bytes(disk.bytesOnDisk)}) from ${disk.directory}?`,
    detail:
      "Only the prefix cache's own entries in that folder are deleted. Completion and chat keep working; the next requests evaluate their prompts again.",
    confirm: "Delete",
  };
}

/** What Clear Cache says once it has deleted (and, with a running engine, emptied its KV in memory). */
export function describeClearedCache(disk: NonNullable<CacheStats["disk"]>, inMemoryToo = false): string {
  const memory = inMemoryToo ? ", and emptied the cache in memory" : "";
  return `DeepSeek Local: deleted ${disk.entries} cached prefix${disk.entries === 1 ? "" : "es"} (${bytes(disk.bytesOnDisk)}) from ${disk.directory}${memory}.`;
}

/** What Clear Cache says when only the running engine's memory had something: nothing on disk to ask about. */
export function describeMemoryOnlyClear(disk: CacheStats["disk"]): string {
  const why = !disk ? "the disk cache is off" : `the disk cache in ${disk.directory} is empty`;
  return `DeepSeek Local: emptied the cache in memory; ${why}.`;
}
