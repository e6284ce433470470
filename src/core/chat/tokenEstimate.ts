// Token counts without the model's tokenizer, for servers that offer none (the DeepSeek API, SGLang,
// Ollama, LM Studio, any OpenAI-compatible server: issue 20). The estimate is meant to be at least
// the real count, so that a prompt fitted with it fits the server's context too; the server's own
// count of a finished prompt (`usage.prompt_tokens`) then corrects it upwards where it was not.
//
// Why not bytes / 3: with DeepSeek's byte-level BPE, English and code run at ~4–5 bytes per token
// but compact JSON, numbers and punctuation at 1.4–1.8, so bytes / 3 undercounts exactly what tool
// results and attachments are made of. Counting by character class follows the pre-tokenizer
// instead (test/unit/chat/tokenEstimate.test.ts measures it against the real DeepSeek tokenizer):
// - a run of letters (Latin, Cyrillic, Greek…) costs one token per 3 letters, a new run starting at
//   a lower→upper case change (camelCase is split by the BPE merges);
// - every digit, ASCII punctuation mark and symbol costs one token;
// - a single space before a word is free (it is part of the word's token); other whitespace runs
//   cost one token per 4 characters, a tab or line break counting twice;
// - a CJK / kana / hangul character costs one token, any other non-ASCII character one token per
//   2 UTF-8 bytes (emoji, symbols).
// Rare characters that the vocabulary lacks (byte fallback, e.g. uncommon Han characters) and
// random base64 can still exceed it; the usage correction is what covers those.

/** The estimated token count of `text` (≥ the DeepSeek tokenizer's count on ordinary text). */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let letters = 0;
  let spaces = 0;
  let lastLower = false;
  const flush = () => {
    tokens += Math.ceil(letters / 3) + (spaces <= 1 ? 0 : Math.ceil(spaces / 4));
    letters = 0;
    spaces = 0;
    lastLower = false;
  };
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const upper = code >= 65 && code <= 90;
    const lower = code >= 97 && code <= 122;
    if (upper || lower || (code >= 0x80 && code < 0x2e80 && letterOrMark.test(char))) {
      if (spaces || (upper && lastLower)) flush();
      letters++;
      lastLower = lower;
      continue;
    }
    if (code === 32 || code === 9 || code === 10 || code === 13) {
      if (letters) flush();
      spaces += code === 32 ? 1 : 2;
      continue;
    }
    flush();
    if (code < 0x80) tokens += 1;
    else if (code >= 0x2e80 && code < 0x10000 && letter.test(char)) tokens += 1;
    else tokens += code < 0x800 ? 1 : 2;
  }
  flush();
  return tokens;
}

const letterOrMark = /^[\p{L}\p{M}]$/u;
const letter = /^\p{L}$/u;

/** The correction is capped: a server that reports nonsense cannot make every prompt "too long". */
const maxCorrection = 4;

/**
 * How much the server counted beyond the estimate, learnt from the `usage.prompt_tokens` of
 * finished answers. Only ever ≥ 1: the estimate is the floor, the server can only raise it.
 */
export class EstimateCorrection {
  private factor = 1;

  get ratio(): number {
    return this.factor;
  }

  /**
   * A finished request: the server counted `reported` prompt tokens where the estimate of its
   * text was `estimated` and fixed costs (per-message overheads) `fixed`. The latest request
   * decides, so one unusual prompt does not inflate every later one.
   */
  observe(reported: number, estimated: number, fixed = 0): void {
    if (!(reported > 0) || !(estimated > 0)) return;
    this.factor = Math.min(maxCorrection, Math.max(1, (reported - fixed) / estimated));
  }

  apply(estimated: number): number {
    return Math.ceil(estimated * this.factor);
  }
}
