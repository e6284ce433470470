// The window stage: which part of the document the prompt shows, with each document's prefix
// window anchored to the line it started at, so that the prompt's start (and its KV) stays put
// from keystroke to keystroke.
import type { CachePosition } from "./completionCache.js";
import type { CompletionInput, CompletionSettings } from "./completionSettings.js";
import { selectFimWindow, type FimWindow } from "./fimWindow.js";

export function samePosition(a: CachePosition, b: CachePosition): boolean {
  return a.documentId === b.documentId && a.prefix === b.prefix && a.suffix === b.suffix;
}

export class PromptWindows {
  /** Per document, the line its prefix window starts at. */
  private readonly anchors = new Map<string, number>();

  /** The window for the cursor, starting at the document's anchor where it still fits. */
  windowFor(input: CompletionInput, settings: CompletionSettings): FimWindow {
    const firstLine = input.firstLine ?? 0;
    const anchor = this.anchors.get(input.documentId);
    const relative = anchor === undefined || anchor < firstLine ? undefined : anchor - firstLine;
    return selectFimWindow(input.text, input.offset, settings, relative);
  }

  /** The cache key of a window. */
  positionOf(input: CompletionInput, window: FimWindow): CachePosition {
    return { documentId: input.documentId, prefix: window.prefix, suffix: window.suffix };
  }

  /** The model is about to see this window: later windows of the document start where it starts. */
  anchor(input: CompletionInput, window: FimWindow): void {
    this.anchors.set(input.documentId, window.prefixStartLine + (input.firstLine ?? 0));
  }

  /** Forgets a closed document's anchor. */
  forget(documentId: string): void {
    this.anchors.delete(documentId);
  }
}
