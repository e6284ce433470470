// Plans how much of a sequence's KV cache a new prompt can keep: the longest common prefix, and
// then — llama.cpp's cache-reuse idea — later chunks of the old prompt that reappear in the new
// one after some tokens were dropped (e.g. one extra-context chunk removed). Erasing the gap
// shifts the following cells into place instead of evaluating them again.

export interface TokenRange {
  start: number;
  end: number;
}

export interface KvReusePlan {
  /** Ranges of the cached tokens to erase, in the cached sequence's coordinates. */
  erase: TokenRange[];
  /** Tokens of the new prompt that are already in the cache after erasing. */
  keptTokens: number;
}

/**
 * @param cached tokens now in the sequence
 * @param next the prompt tokens the sequence should hold
 * @param minChunk shortest run worth keeping after a gap (shifting has a cost; tiny runs are noise)
 */
export function planKvReuse(cached: readonly number[], next: readonly number[], minChunk = 64): KvReusePlan {
  let c = 0;
  let n = 0;
  while (c < cached.length && n < next.length && cached[c] === next[n]) {
    c++;
    n++;
  }
  const erase: TokenRange[] = [];
  while (c < cached.length && n < next.length) {
    const found = findRun(cached, c, next, n, minChunk);
    if (!found) break;
    erase.push({ start: c, end: found.at });
    c = found.at + found.length;
    n += found.length;
  }
  if (c < cached.length) erase.push({ start: c, end: cached.length });
  return { erase, keptTokens: n };
}

function findRun(cached: readonly number[], from: number, next: readonly number[], at: number, minChunk: number) {
  for (let k = from + 1; k < cached.length; k++) {
    if (cached[k] !== next[at]) continue;
    let length = 0;
    while (k + length < cached.length && at + length < next.length && cached[k + length] === next[at + length]) length++;
    if (length >= minChunk) return { at: k, length };
  }
  return undefined;
}
