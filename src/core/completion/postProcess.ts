// What the model wrote → what the editor shows. Each rule is a pure function with its own unit
// tests; `postProcessCompletion` runs them in order. An empty result means "show nothing".

export interface CompletionSurroundings {
  /** The text left of the cursor on its line. */
  linePrefix: string;
  /** The text right of the cursor on its line. */
  lineSuffix: string;
  /** Everything after the cursor that the prompt showed the model. */
  suffix: string;
  maxLines: number;
  /** False when generation was cut by the token or time cap: the last line may be unfinished. */
  finished: boolean;
}

/**
 * Control tokens written out as text: remote servers that detokenize them, older DeepSeek Coder's
 * `<|EOT|>`, or a model that starts a new FIM prompt. Everything from the first one on is dropped.
 */
const controlTokenText = /<｜(?:end▁of▁sentence|begin▁of▁sentence|fim▁(?:begin|hole|end))｜>|<\|(?:EOT|endoftext|fim_[a-z]+)\|>/;

export function cutAtEndToken(text: string): string {
  const match = controlTokenText.exec(text);
  return match ? text.slice(0, match.index) : text;
}

const leadingWhitespace = (line: string) => /^[ \t]*/.exec(line)![0];
/** Indentation width with tabs counted as one level of 4 columns. */
const indentWidth = (line: string) => leadingWhitespace(line).replace(/\t/g, "    ").length;

/**
 * On a whitespace-only line the editor already put the cursor at an indentation; models often
 * write that indentation again. The first line's own leading whitespace goes (later lines carry
 * absolute indentation and stay as they are).
 */
export function fixFirstLineIndentation(text: string, linePrefix: string): string {
  if (linePrefix.length === 0 || linePrefix.trim() !== "") return text;
  return text.replace(/^[ \t]+/, "");
}

/** With code right of the cursor only a single-line insertion makes sense. */
export function singleLineWhenCodeFollows(text: string, lineSuffix: string): string {
  if (lineSuffix.trim() === "") return text;
  const newline = text.indexOf("\n");
  return newline < 0 ? text : text.slice(0, newline);
}

/**
 * A single-line suggestion that ends with what already follows the cursor (`a, b)` before `)`)
 * would duplicate it: drop the overlapping end.
 */
export function trimLineSuffixOverlap(text: string, lineSuffix: string): string {
  const following = lineSuffix.trim();
  if (!following || text.includes("\n")) return text;
  const body = text.trimEnd();
  for (let k = Math.min(following.length, body.length); k > 0; k--) {
    if (body.endsWith(following.slice(0, k))) return body.slice(0, body.length - k);
  }
  return text;
}

/**
 * Multi-line suggestions that run into the code below the cursor (the model wrote the next lines
 * again, typically the closing brace) stop before the first line that repeats the next non-blank
 * line of the suffix.
 */
export function dropSuffixRepeat(text: string, suffix: string): string {
  const suffixLines = suffix.split("\n");
  // The suffix's first line is the rest of the cursor line; the repeat check is about the lines below.
  const next = suffixLines.slice(1).find((line) => line.trim() !== "")?.trim();
  if (!next) return text;
  const lines = text.split("\n");
  const at = lines.findIndex((line, i) => i > 0 && line.trim() === next);
  return at < 0 ? text : lines.slice(0, at).join("\n");
}

const closesBlock = /^(?:[}\])]|end\b)/;

/**
 * Multi-line blocks end where indentation closes: a line indented less than the cursor's line
 * ends the suggestion before it; after lines nested deeper, the first line back at the cursor's
 * indentation ends it — after it when it is a closing bracket, before it otherwise.
 */
export function endAtIndentationClose(text: string, linePrefix: string): string {
  const lines = text.split("\n");
  const base = indentWidth(linePrefix);
  let nested = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const width = indentWidth(line);
    if (width < base) return lines.slice(0, i).join("\n");
    if (width > base) nested = true;
    else if (nested) return lines.slice(0, closesBlock.test(line.trim()) ? i + 1 : i).join("\n");
  }
  return text;
}

/** A capped multi-line answer probably stops mid-line: keep only its complete lines. */
export function dropUnfinishedLine(text: string, finished: boolean): string {
  if (finished) return text;
  const lastNewline = text.lastIndexOf("\n");
  return lastNewline <= 0 ? text : text.slice(0, lastNewline);
}

export function limitLines(text: string, maxLines: number): string {
  const lines = text.split("\n");
  return lines.length <= maxLines ? text : lines.slice(0, Math.max(1, maxLines)).join("\n");
}

/** Trailing blank lines and spaces add nothing; a whitespace-only suggestion is no suggestion. */
export function trimTrailingWhitespace(text: string): string {
  const trimmed = text.replace(/\s+$/, "");
  return trimmed.trim() === "" ? "" : trimmed;
}

/**
 * What of a suggestion still being written can be shown: its complete lines, and the line being
 * written once it has `minChars` characters, up to its last complete word (a half identifier would
 * be accepted as one).
 */
export function previewOfStream(streamed: string, minChars: number): string {
  const lineStart = streamed.lastIndexOf("\n") + 1;
  const line = streamed.slice(lineStart);
  if (line.trim().length < minChars) return streamed.slice(0, lineStart);
  const partialWord = /[\p{L}\p{N}_$]*$/u.exec(line)!;
  return streamed.slice(0, lineStart) + line.slice(0, partialWord.index || line.length);
}

export function postProcessCompletion(raw: string, around: CompletionSurroundings): string {
  let text = dropUnfinishedLine(cutAtEndToken(raw).replace(/\r\n/g, "\n"), around.finished);
  text = fixFirstLineIndentation(text, around.linePrefix);
  text = singleLineWhenCodeFollows(text, around.lineSuffix);
  text = dropSuffixRepeat(text, around.suffix);
  text = endAtIndentationClose(text, around.linePrefix);
  text = limitLines(text, around.maxLines);
  text = trimTrailingWhitespace(text);
  text = trimLineSuffixOverlap(text, around.lineSuffix);
  return text.trim() === "" ? "" : text;
}
