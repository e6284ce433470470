// Which part of the document goes into the FIM prompt: a prefix and a suffix window chosen by
// token budget and cut at line boundaries. The prefix window's first line is sticky (an anchor the
// caller keeps per document) so the start of the prompt — and its KV — survives typing; when it
// must move, it moves with slack so that it does not move again on the next line.

export interface FimWindowBudget {
  prefixTokens: number;
  suffixTokens: number;
}

export interface FimWindow {
  prefix: string;
  suffix: string;
  /** The document line the prefix starts at: hand it back as the next call's anchor. */
  prefixStartLine: number;
  /** The text right of the cursor on its line (decides single-line suggestions). */
  lineSuffix: string;
  /** The text left of the cursor on its line. */
  linePrefix: string;
}

/** Room left for typing when the prefix window is re-cut, so that it stays put for a while. */
const reanchorFill = 0.75;

/**
 * A cheap, conservative token estimate for code (DeepSeek's BPE averages 3.5–4 characters per
 * token on source code): it keeps windows within budget without a tokenizer round trip.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Splits into lines that keep their "\n", so joining them gives the text back. */
function linesOf(text: string): string[] {
  const lines = text.split("\n").map((line) => `${line}\n`);
  lines[lines.length - 1] = lines[lines.length - 1]!.slice(0, -1);
  return lines;
}

export function selectFimWindow(
  text: string,
  offset: number,
  budget: FimWindowBudget,
  anchorLine?: number,
  countTokens: (text: string) => number = estimateTokens,
): FimWindow {
  const before = linesOf(text.slice(0, offset));
  const after = linesOf(text.slice(offset));
  const cursorLine = before.length - 1;
  const linePrefix = before[cursorLine]!;
  const lineSuffix = after[0]!.replace(/\r?\n$/, "");

  // Token cost of lines [start, cursorLine): the cursor line itself always goes in.
  const cost = (start: number) => before.slice(start, cursorLine).reduce((sum, line) => sum + countTokens(line), 0);
  const fitFrom = (limit: number) => {
    let start = cursorLine;
    let used = countTokens(linePrefix);
    while (start > 0 && used + countTokens(before[start - 1]!) <= limit) used += countTokens(before[--start]!);
    return start;
  };
  let start: number;
  if (anchorLine !== undefined && anchorLine <= cursorLine && cost(anchorLine) + countTokens(linePrefix) <= budget.prefixTokens) {
    // Keep the anchor unless moving it back would add a lot of context (the cursor moved up).
    const natural = fitFrom(budget.prefixTokens);
    start = natural < anchorLine && cost(natural) - cost(anchorLine) > budget.prefixTokens / 2 ? fitFrom(budget.prefixTokens * reanchorFill) : anchorLine;
  } else {
    start = fitFrom(budget.prefixTokens * reanchorFill);
  }
  let prefix = before.slice(start).join("");
  // A single line longer than the budget (minified code): keep its end, the part next to the cursor.
  const maxPrefixChars = budget.prefixTokens * 3;
  if (start === cursorLine && prefix.length > maxPrefixChars) prefix = prefix.slice(prefix.length - maxPrefixChars);

  let suffix = after[0]!;
  let used = countTokens(suffix);
  for (let line = 1; line < after.length && used + countTokens(after[line]!) <= budget.suffixTokens; line++) {
    suffix += after[line]!;
    used += countTokens(after[line]!);
  }
  const maxSuffixChars = budget.suffixTokens * 3;
  if (suffix.length > maxSuffixChars) suffix = suffix.slice(0, maxSuffixChars);
  return { prefix, suffix, prefixStartLine: start, lineSuffix, linePrefix };
}
