// The speculation stage: the input as it will be once the suggestion shown is accepted, asked for
// ahead of time so that Tab-Tab is served from the cache.
import type { CompletionInput } from "./completionSettings.js";

/**
 * A speculative request waits this long after its suggestion is shown: a user who types on sooner
 * would cancel it anyway, and Tab comes later than that.
 */
export const speculationGapMs = 150;

/** `input` with `suggestion` accepted at its cursor; asked for without debounce. */
export function acceptedInput(input: CompletionInput, suggestion: string): CompletionInput {
  return {
    ...input,
    text: input.text.slice(0, input.offset) + suggestion + input.text.slice(input.offset),
    offset: input.offset + suggestion.length,
    explicit: true,
  };
}
