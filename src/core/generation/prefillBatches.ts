// Where a prompt's evaluation is cut into llama.cpp batches. One batch per call, so an abort is
// noticed between batches.

/**
 * The end of the batch that starts at `start`. A prompt longer than one batch ends its batches on
 * multiples of `batchSize`: llama.cpp rounds the cache span a batch attends to up to 256 cells
 * (`llama_kv_cache::get_n_kv`), so a batch that crosses a boundary pays for the cells past it —
 * every batch, when the prompt starts after a few reused tokens. A shorter rest is one batch.
 * `stopAt` (a stable prefix to save to disk) also ends a batch.
 */
export function prefillBatchEnd(start: number, upTo: number, batchSize: number, stopAt = 0): number {
  const end = upTo - start > batchSize ? (Math.floor(start / batchSize) + 1) * batchSize : upTo;
  return start < stopAt && stopAt < end ? stopAt : end;
}
