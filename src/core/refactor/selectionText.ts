// The selection as the model saw it, and the way back to document offsets. The model sees LF line
// ends (CRLF documents included) and answers in LF with its own idea of indentation; edits are
// found in that view and mapped back, and their text is written in the document's own style.
import { RefactorError } from "./refactorError.js";

export interface Indentation {
  insertSpaces: boolean;
  tabSize: number;
}

/** The LF-normalized text of the document range [start, end) with a map back to document offsets. */
export class SelectionView {
  readonly text: string;
  /** Document offset of every view offset where a CR was dropped before it (sorted). */
  private readonly droppedBefore: number[] = [];

  constructor(
    documentText: string,
    readonly start: number,
    readonly end: number,
  ) {
    const original = documentText.slice(start, end);
    let view = "";
    for (let i = 0; i < original.length; i++) {
      if (original[i] === "\r" && original[i + 1] === "\n") {
        this.droppedBefore.push(view.length);
        continue;
      }
      view += original[i];
    }
    this.text = view;
  }

  /** The document offset of a view offset. */
  toDocument(viewOffset: number): number {
    let dropped = 0;
    // CRs dropped at view positions before this offset (a CR sits before its LF).
    for (const at of this.droppedBefore) {
      if (at < viewOffset) dropped++;
      else break;
    }
    return this.start + viewOffset + dropped;
  }
}

export interface FoundRange {
  start: number;
  end: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function allMatches(haystack: string, pattern: RegExp): FoundRange[] {
  const found: FoundRange[] = [];
  for (const match of haystack.matchAll(pattern)) found.push({ start: match.index, end: match.index + match[0].length });
  return found;
}

/**
 * Finds the one place an anchor stands in the view. Exact text first; when that fails, runs of
 * spaces and tabs match any run (a model often writes spaces where the file has tabs).
 */
export function findAnchor(view: SelectionView, anchor: string): FoundRange {
  const normalized = anchor.replace(/\r\n/g, "\n");
  if (!normalized.trim()) throw new RefactorError("anchorNotFound", "The model gave an empty anchor; nothing was applied.");
  let found = allMatches(view.text, new RegExp(escapeRegExp(normalized), "g"));
  if (found.length === 0) {
    const flexible = normalized
      .split(/([ \t]+)/)
      .map((part, i) => (i % 2 === 1 ? "[ \\t]+" : escapeRegExp(part)))
      .join("");
    found = allMatches(view.text, new RegExp(flexible, "g"));
  }
  const shown = JSON.stringify(normalized.length > 60 ? `${normalized.slice(0, 60)}…` : normalized);
  if (found.length === 0) {
    throw new RefactorError("anchorNotFound", `The model's edit refers to ${shown}, which is not in the selected code; nothing was applied.`);
  }
  if (found.length > 1) {
    throw new RefactorError(
      "anchorAmbiguous",
      `The model's edit refers to ${shown}, which occurs ${found.length} times in the selected code; nothing was applied.`,
    );
  }
  return found[0]!;
}

const identifierPattern = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

export function isIdentifier(name: string): boolean {
  return identifierPattern.test(name);
}

/** Whole-word occurrences of an identifier in the view. */
export function findIdentifier(view: SelectionView, name: string): FoundRange[] {
  return allMatches(view.text, new RegExp(`(?<![\\p{L}\\p{N}_$])${escapeRegExp(name)}(?![\\p{L}\\p{N}_$])`, "gu"));
}

/** The leading spaces and tabs of a text. */
export function leadingWhitespace(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

/** Rewrites leading whitespace of every line in the document's style (tabs or spaces). */
export function reindent(text: string, indentation: Indentation): string {
  const tabSize = Math.max(1, indentation.tabSize);
  return text.replace(/^[ \t]+/gm, (lead) => {
    let columns = 0;
    for (const char of lead) columns = char === "\t" ? columns - (columns % tabSize) + tabSize : columns + 1;
    if (indentation.insertSpaces) return lead.includes("\t") ? " ".repeat(columns) : lead;
    return "\t".repeat(Math.floor(columns / tabSize)) + " ".repeat(columns % tabSize);
  });
}

/** Removes the indentation common to all non-blank lines. */
export function dedent(text: string): string {
  const lines = text.split("\n");
  const indents = lines.filter((line) => line.trim()).map((line) => leadingWhitespace(line).length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((line) => (line.trim() ? line.slice(common) : "")).join("\n");
}

/** Model text (LF or CRLF) → document text: the document's indentation style and line ends. */
export function toDocumentText(text: string, indentation: Indentation, eol: "\n" | "\r\n"): string {
  const lf = reindent(text.replace(/\r\n?/g, "\n"), indentation);
  return eol === "\n" ? lf : lf.replace(/\n/g, eol);
}
