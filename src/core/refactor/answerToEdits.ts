// Answer → plain edits, one converter per answer shape. Edits are found in the text the model saw
// (the LF-normalized selection) and mapped back to document offsets; then the plan is checked:
// nothing outside the selection is deleted, and no two edits overlap.
import type { AnswerByShape, AnswerShapeName } from "./answerShapes.js";
import { RefactorError } from "./refactorError.js";
import { lineStartOf, type PlainEdit, type RefactorPlan, type RefactorTarget, type RenameSuggestion } from "./refactorTarget.js";
import {
  SelectionView,
  dedent,
  findAnchor,
  findIdentifier,
  isIdentifier,
  leadingWhitespace,
  toDocumentText,
} from "./selectionText.js";

interface Converted {
  edits: PlainEdit[];
  renames?: RenameSuggestion[];
}

type Converter<S extends AnswerShapeName> = (answer: AnswerByShape[S], target: RefactorTarget, view: SelectionView) => Converted;

const documentText = (text: string, target: RefactorTarget) => toDocumentText(text, target.indentation, target.eol);

/** The whitespace indenting the line that holds `offset`. */
function indentationAt(target: RefactorTarget, offset: number): string {
  return leadingWhitespace(target.documentText.slice(lineStartOf(target.documentText, offset)));
}

/**
 * Code that replaces the selection keeps the selection's frame: its leading indentation when the
 * model dropped it, and its final line end.
 */
function framedReplacement(code: string, target: RefactorTarget, view: SelectionView): string {
  let text = code.replace(/\r\n?/g, "\n");
  const lead = leadingWhitespace(view.text);
  if (lead && !/^[ \t]/.test(text)) text = lead + text;
  if (view.text.endsWith("\n") && !text.endsWith("\n")) text += "\n";
  if (!view.text.endsWith("\n") && text.endsWith("\n")) text = text.replace(/\n+$/, "");
  return documentText(text, target);
}

const converters: { [S in AnswerShapeName]: Converter<S> } = {
  replaceSelection(answer, target, view) {
    return { edits: [{ start: view.start, end: view.end, newText: framedReplacement(answer.code, target, view) }] };
  },

  anchoredEdits(answer, target, view) {
    return {
      edits: answer.edits.map((edit) => {
        const found = findAnchor(view, edit.anchor);
        return { start: view.toDocument(found.start), end: view.toDocument(found.end), newText: documentText(edit.replacement, target) };
      }),
    };
  },

  insertBefore(answer, target, view) {
    return {
      edits: answer.insertions
        .filter((insertion) => insertion.text.trim())
        .map((insertion) => {
          const found = findAnchor(view, insertion.anchor);
          const at = lineStartOf(target.documentText, view.toDocument(found.start));
          const indent = indentationAt(target, at);
          const lines = dedent(insertion.text.replace(/\r\n?/g, "\n").replace(/^\n+|\s+$/g, ""))
            .split("\n")
            .map((line) => (line ? indent + line : line));
          return { start: at, end: at, newText: documentText(`${lines.join("\n")}\n`, target) };
        }),
    };
  },

  renames(answer, target, view) {
    const seen = new Set<string>();
    const renames: RenameSuggestion[] = [];
    for (const { from, to } of answer.renames) {
      if (from === to) continue;
      for (const name of [from, to]) {
        if (!isIdentifier(name)) throw new RefactorError("invalidName", `The model suggested ${JSON.stringify(name)}, which is not a plain identifier; nothing was applied.`);
      }
      if (seen.has(from)) throw new RefactorError("anchorAmbiguous", `The model suggested two new names for "${from}"; nothing was applied.`);
      seen.add(from);
      const occurrences = findIdentifier(view, from);
      if (occurrences.length === 0) throw new RefactorError("anchorNotFound", `The model renames "${from}", which is not in the selected code; nothing was applied.`);
      renames.push({
        from,
        to,
        offset: view.toDocument(occurrences[0]!.start),
        fallbackEdits: occurrences.map((range) => ({ start: view.toDocument(range.start), end: view.toDocument(range.end), newText: to })),
      });
    }
    // Fallback edits of different renames must not collide either (checked with the plan's edits).
    return { edits: [], renames };
  },

  extractFunction(answer, target, view) {
    const name = answer.functionName.trim();
    if (!isIdentifier(name)) throw new RefactorError("invalidName", `The model named the new function ${JSON.stringify(name)}, which is not a plain identifier; nothing was applied.`);
    if (findIdentifier(new SelectionView(answer.callSite, 0, answer.callSite.length), name).length === 0) {
      throw new RefactorError("invalidAnswer", `The model's call site does not call "${name}"; nothing was applied.`);
    }
    const at = target.insertionOffset ?? lineStartOf(target.documentText, view.start);
    const indent = indentationAt(target, at);
    const body = dedent(answer.newFunction.replace(/\r\n?/g, "\n").replace(/^\n+|\s+$/g, ""))
      .split("\n")
      .map((line) => (line ? indent + line : line))
      .join("\n");
    return {
      edits: [
        { start: at, end: at, newText: documentText(`${body}\n\n`, target) },
        { start: view.start, end: view.end, newText: framedReplacement(answer.callSite.trim(), target, view) },
      ],
    };
  },
};

/** Converts a validated answer into a plan of plain edits, or refuses with a RefactorError. */
export function answerToPlan<S extends AnswerShapeName>(
  shape: S,
  answer: AnswerByShape[S],
  target: RefactorTarget,
  action: { id: string; title: string },
): RefactorPlan {
  const view = new SelectionView(target.documentText, target.selection.start, target.selection.end);
  const converted = (converters[shape] as Converter<S>)(answer, target, view);
  const edits = checkEdits(converted.edits, target);
  checkEdits(
    [...edits, ...(converted.renames ?? []).flatMap((rename) => rename.fallbackEdits)],
    target,
  );
  return {
    actionId: action.id,
    title: action.title,
    rationale: answer.rationale.trim(),
    uri: target.uri,
    version: target.version,
    edits,
    renames: converted.renames ?? [],
  };
}

/**
 * Drops edits that change nothing and exact duplicates, sorts, and refuses edits that delete
 * outside the selection, insert outside it (or the declared insertion point), or overlap.
 */
export function checkEdits(edits: readonly PlainEdit[], target: RefactorTarget): PlainEdit[] {
  const { start, end } = target.selection;
  const insertFrom = lineStartOf(target.documentText, start);
  const unique = new Map<string, PlainEdit>();
  for (const edit of edits) {
    if (target.documentText.slice(edit.start, edit.end) === edit.newText) continue;
    unique.set(`${edit.start}:${edit.end}:${edit.newText}`, edit);
  }
  const sorted = [...unique.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  for (const edit of sorted) {
    const deletes = edit.end > edit.start;
    const inside = deletes
      ? edit.start >= start && edit.end <= end
      : (edit.start >= insertFrom && edit.start <= end) || edit.start === target.insertionOffset;
    if (!inside) {
      throw new RefactorError(
        "outsideSelection",
        deletes
          ? "The model's answer would change code outside the selection; nothing was applied."
          : "The model's answer would insert code outside the selection; nothing was applied.",
      );
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    // Insertions at one offset, or an insertion right before a replacement, are applied in order.
    if (current.start < previous.end) throw new RefactorError("overlappingEdits", "The model's edits overlap each other; nothing was applied.");
  }
  return sorted;
}
