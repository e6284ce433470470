// The warm-up stage's decision: after an idle moment moves queued extra context into the prompt
// header, is there a new header worth evaluating ahead of time?
import type { ExtraContextChunk } from "../engine/completionEngine.js";
import type { ExtraContextRing } from "./extraContextRing.js";

function sameChunks(a: readonly ExtraContextChunk[], b: readonly ExtraContextChunk[]): boolean {
  return a.length === b.length && a.every((chunk, i) => chunk.filename === b[i]!.filename && chunk.text === b[i]!.text);
}

/**
 * Commits the ring's queued chunks; returns the header `filename`'s prompt now starts with when it
 * changed (to be warmed up), or undefined when there is nothing new to evaluate.
 */
export function commitExtraContext(ring: ExtraContextRing, filename: string | undefined): ExtraContextChunk[] | undefined {
  const before = filename !== undefined ? ring.chunksFor(filename) : [];
  if (!ring.commit() || filename === undefined) return undefined;
  const after = ring.chunksFor(filename);
  return sameChunks(before, after) ? undefined : after;
}
