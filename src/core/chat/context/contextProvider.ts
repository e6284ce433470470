// Chat context providers (`@problems`, `@changes`, …): each turns plain inputs that the editor edge
// gathers (diagnostics, a diff, terminal text) into one attachment, cut to a token budget and with
// private files and secrets left out through core/privacy. The attachment carries its token
// estimate, which its chip shows and the composer adds up against the context budget. The menu's
// list of providers is in protocol/chatContext.ts (the page shows it).
import { redactSecrets } from "../../privacy/secretText.js";
import type { Attachment, ContextKind } from "../conversation.js";
import { estimateTokens } from "../tokenEstimate.js";

/** A provider's tokens unless the caller asks for fewer: room for several chips and the question. */
export const defaultContextTokens = 4000;

/** The attachment for `text` gathered by a provider: secrets redacted, its token estimate counted. */
export function contextAttachment(kind: ContextKind, label: string, text: string, path = ""): Attachment {
  const clean = redactSecrets(text).text;
  return { kind, label, path, languageId: kind === "changes" ? "diff" : kind === "terminal" ? "console" : "", text: clean, tokens: estimateTokens(clean) };
}

/**
 * Adds blocks in order while they fit `maxTokens`; what does not fit is counted, not cut mid-block,
 * so a reader never sees half a problem or half a hunk.
 */
export function takeWithinBudget(blocks: readonly string[], maxTokens: number, count: (text: string) => number = estimateTokens): { kept: string[]; left: number } {
  const kept: string[] = [];
  let used = 0;
  for (const block of blocks) {
    const cost = count(block) + 1;
    if (used + cost > maxTokens) break;
    kept.push(block);
    used += cost;
  }
  return { kept, left: blocks.length - kept.length };
}
