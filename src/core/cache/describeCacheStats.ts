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
