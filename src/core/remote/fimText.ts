// Fill-in-the-middle prompts for servers that take text, not token ids. The extra files go first, as
// in the local prompt (core/completion/fimPrompt.ts), so the stable part of the prompt leads.
import type { ExtraContextChunk } from "../engine/completionEngine.js";
import { renderExtraContext } from "../completion/fimPrompt.js";
import { deepseekFimTokenText } from "../models/deepseekFimTokens.js";


/**
 * A server that tokenizes the prompt text with special tokens parsed would read a control token
 * typed in the user's file as the real thing: drop DeepSeek's `<｜…｜>` tokens from user text.
 */
export function stripControlTokens(text: string): string {
  return text.replace(/<｜[^｜<>\n]{1,40}｜>/g, "");
}

/** For `prompt` + `suffix` servers: the prompt is the extra context and the prefix. */
export function suffixModeParts(prefix: string, suffix: string, extraContext: readonly ExtraContextChunk[] = []): { prompt: string; suffix: string } {
  const header = renderExtraContext(extraContext);
  return { prompt: `${header ? `${header}\n` : ""}${prefix}`, suffix };
}

/** For servers without `suffix`: the DeepSeek FIM prompt written out as text. */
export function fimTokenPrompt(prefix: string, suffix: string, extraContext: readonly ExtraContextChunk[] = []): string {
  const parts = suffixModeParts(stripControlTokens(prefix), stripControlTokens(suffix), extraContext.map((c) => ({ ...c, text: stripControlTokens(c.text) })));
  // The server's tokenizer turns the control tokens' text into their ids.
  const { fimPrefix, fimSuffix, fimMiddle } = deepseekFimTokenText;
  return `${fimPrefix}${parts.prompt}${fimSuffix}${parts.suffix}${fimMiddle}`;
}
