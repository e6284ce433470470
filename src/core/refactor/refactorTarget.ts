// What a refactor works on, as plain values the editor layer fills in from a TextDocument.
import type { Indentation } from "./selectionText.js";

export interface RefactorTarget {
  /** The document's URI, as a string. */
  uri: string;
  /** The path shown to the model (workspace-relative where possible). */
  displayPath: string;
  languageId: string;
  /** The whole document text when the request started. */
  documentText: string;
  /** The document version the answer is computed against. */
  version: number;
  /** The picked range in UTF-16 offsets (as `document.offsetAt` counts them). */
  selection: { start: number; end: number };
  eol: "\n" | "\r\n";
  indentation: Indentation;
  /** Where "Extract function" puts the new function: the start of the enclosing top-level declaration. */
  insertionOffset?: number;
}

/** One replacement in document offsets; an insertion has start === end. */
export interface PlainEdit {
  start: number;
  end: number;
  newText: string;
}

/** A rename the editor applies with the language's rename provider; `fallbackEdits` when there is none. */
export interface RenameSuggestion {
  from: string;
  to: string;
  /** Document offset of the name's first occurrence in the selection: where the provider is asked. */
  offset: number;
  fallbackEdits: PlainEdit[];
}

export interface RefactorPlan {
  actionId: string;
  title: string;
  rationale: string;
  uri: string;
  version: number;
  /** Sorted by offset, non-overlapping. */
  edits: PlainEdit[];
  renames: RenameSuggestion[];
}

/** The offset of the start of the line holding `offset`. */
export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}
