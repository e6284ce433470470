// The staged diff as the commit-message prompt sees it: split per file, private files' contents left
// out (core/privacy decides which: secret-looking names, .env, files git ignores), and the rest cut to
// a token budget shared fairly between files, so one huge file (a lockfile, generated code) cannot
// push the others out. Every file stays named, with its line counts, whatever was cut.
import { estimateTokens } from "../chat/tokenEstimate.js";

/** One file's part of a unified diff (`git diff`), its header lines included. */
export interface FileDiff {
  /** The file's path after the change (before it, for a deleted file), relative to the repository. */
  path: string;
  text: string;
  added: number;
  removed: number;
}

export interface BudgetedFile extends FileDiff {
  /** Lines of this file's diff that did not fit the budget and were left out (0: all of it is there). */
  cutLines: number;
}

export interface BudgetedDiff {
  /** Files whose diff (whole or cut) is in the prompt, in the diff's order. */
  shown: BudgetedFile[];
  /** Files only named: their diff did not fit at all. */
  namedOnly: FileDiff[];
  /** Files whose contents must not reach a prompt, with why. */
  privateFiles: (FileDiff & { reason: string })[];
}

export interface DiffBudgetOptions {
  maxTokens: number;
  /** Why a repository-relative path must stay out of prompts, or undefined (core/privacy). */
  privateReason: (path: string) => string | undefined;
  countTokens?: (text: string) => number;
}

/** Below this share a file's cut diff says too little to be worth its header: it is only named. */
const minimumFileTokens = 48;

/** Splits `git diff` output into files; text before the first `diff --git` line is dropped. */
export function splitUnifiedDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  const starts = [...diff.matchAll(/^diff --git /gm)].map((match) => match.index);
  starts.forEach((start, i) => {
    const text = diff.slice(start, starts[i + 1] ?? diff.length).replace(/\n+$/, "");
    const lines = text.split("\n");
    const firstHunk = lines.findIndex((line) => line.startsWith("@@"));
    const body = firstHunk < 0 ? [] : lines.slice(firstHunk);
    files.push({
      path: pathOf(lines),
      text,
      added: body.filter((line) => line.startsWith("+")).length,
      removed: body.filter((line) => line.startsWith("-")).length,
    });
  });
  return files;
}

/** The file's path from `+++ b/…`, else `--- a/…` (deleted), else the `diff --git` line (binary, mode-only). */
function pathOf(lines: readonly string[]): string {
  const after = lines.find((line) => line.startsWith("+++ ") && !line.endsWith("/dev/null"));
  const before = lines.find((line) => line.startsWith("--- ") && !line.endsWith("/dev/null"));
  const renamed = lines.find((line) => line.startsWith("rename to "));
  const marked = after ?? before;
  if (marked) return unquote(marked.slice(4)).replace(/^[ab]\//, "");
  if (renamed) return unquote(renamed.slice("rename to ".length));
  const header = lines[0]!.slice("diff --git ".length);
  const middle = header.lastIndexOf(" b/");
  return unquote(middle >= 0 ? header.slice(middle + 1) : header).replace(/^[ab]\//, "");
}

/** Git quotes paths with unusual characters ("a/caf\303\251"): the octal escapes become UTF-8 again. */
function unquote(path: string): string {
  const trimmed = path.replace(/\t$/, "");
  if (!trimmed.startsWith('"') || !trimmed.endsWith('"')) return trimmed;
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  const inner = trimmed.slice(1, -1);
  for (let i = 0; i < inner.length; i++) {
    const octal = inner[i] === "\\" ? /^[0-7]{3}/.exec(inner.slice(i + 1)) : null;
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else if (inner[i] === "\\") {
      const escaped = inner[++i] ?? "";
      bytes.push(...encoder.encode(({ n: "\n", t: "\t" } as Record<string, string>)[escaped] ?? escaped));
    } else bytes.push(...encoder.encode(inner[i]!));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Leaves private files' contents out and fits the rest in `maxTokens`: files are served smallest
 * first, each taking at most an equal share of what is left, so small files stay whole and large
 * ones are cut (at line boundaries, the header kept) to what the small ones left over.
 */
export function budgetDiff(files: readonly FileDiff[], options: DiffBudgetOptions): BudgetedDiff {
  const count = options.countTokens ?? estimateTokens;
  const privateFiles: BudgetedDiff["privateFiles"] = [];
  const candidates: { file: FileDiff; index: number; tokens: number }[] = [];
  files.forEach((file, index) => {
    const reason = options.privateReason(file.path);
    if (reason) privateFiles.push({ ...file, reason });
    else candidates.push({ file, index, tokens: count(file.text) });
  });
  const shown: (BudgetedFile & { index: number })[] = [];
  const namedOnly: (FileDiff & { index: number })[] = [];
  let left = options.maxTokens;
  const bySize = [...candidates].sort((a, b) => a.tokens - b.tokens);
  bySize.forEach(({ file, index, tokens }, position) => {
    const share = Math.floor(left / (bySize.length - position));
    if (tokens <= share) {
      shown.push({ ...file, index, cutLines: 0 });
      left -= tokens;
    } else if (share >= minimumFileTokens) {
      const cut = cutToTokens(file.text, share, count);
      shown.push({ ...file, index, text: cut.text, cutLines: cut.cutLines });
      left -= count(cut.text);
    } else namedOnly.push({ ...file, index });
  });
  const inDiffOrder = <T extends { index: number }>(list: T[]) => list.sort((a, b) => a.index - b.index).map(({ index: _index, ...rest }) => rest);
  return { shown: inDiffOrder(shown), namedOnly: inDiffOrder(namedOnly), privateFiles };
}

/** The first lines of `text` that fit `tokens`, and how many lines were left out. */
function cutToTokens(text: string, tokens: number, count: (text: string) => number): { text: string; cutLines: number } {
  const lines = text.split("\n");
  let used = 0;
  let kept = 0;
  while (kept < lines.length) {
    const cost = count(lines[kept]!) + 1;
    if (used + cost > tokens) break;
    used += cost;
    kept++;
  }
  return { text: lines.slice(0, kept).join("\n"), cutLines: lines.length - kept };
}
