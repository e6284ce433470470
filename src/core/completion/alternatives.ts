// Other ghost-text suggestions for the same cursor, which the user cycles with Alt+] / Alt+[:
// sampled continuations of the prompt the greedy answer came from. On the local engine they cost
// no prompt evaluation (the completion sequence still holds that prompt's KV, and a request with
// the same prompt reuses it whole), only their generated tokens. Asked only when the user asks
// for more, never on the keystroke path.
import type { InfillRequest } from "../engine/completionEngine.js";

/** Sampled continuations asked for besides the greedy answer: VS Code then cycles 1 + this many. */
export const alternativeSamples = 2;

/** Warm enough to leave the greedy path, cut to the likely tokens so the code stays plausible. */
const sampling = { temperature: 0.8, topK: 40, topP: 0.95 } as const;

/**
 * The request for the `index`-th alternative: the greedy request's prompt and limits, sampled with
 * its own seed, so that two alternatives differ and the same cursor gets the same ones again.
 */
export function alternativeRequest(greedy: InfillRequest, index: number): InfillRequest {
  return { ...greedy, ...sampling, seed: index + 1 };
}

/** Two suggestions the user would see as the same ghost text (they differ only in trailing blanks). */
function sameSuggestion(a: string, b: string): boolean {
  return a.trimEnd() === b.trimEnd();
}

/**
 * The post-processed samples worth offering after `first`: not empty, not `first` again, each once,
 * in the order they came.
 */
export function distinctAlternatives(first: string, samples: readonly (string | undefined)[]): string[] {
  const offered: string[] = [];
  for (const sample of samples) {
    if (!sample?.trim() || sameSuggestion(sample, first) || offered.some((shown) => sameSuggestion(shown, sample))) continue;
    offered.push(sample);
  }
  return offered;
}
