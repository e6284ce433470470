// What ghost text is configured with: the prompt window, the generation caps, the speculation and
// the extra context. Read from settings at the editor edge; every stage takes a plain copy.

export interface CompletionSettings {
  prefixTokens: number;
  suffixTokens: number;
  /** Generation caps: tokens and wall-clock time. */
  maxTokens: number;
  timeoutMs: number;
  maxLines: number;
  /**
   * Extra wait after a keystroke before asking the model, on top of the editor's own (VS Code asks
   * 50 ms after the last keystroke). 0 by default: the next keystroke cancels a request in flight,
   * so waiting longer only makes every suggestion later; a paid or shared server may want more.
   */
  debounceMs: number;
  extraContextChunks: number;
  extraContextTokens: number;
  speculative: boolean;
}

export const defaultCompletionSettings: CompletionSettings = {
  prefixTokens: 1024,
  suffixTokens: 128,
  maxTokens: 64,
  timeoutMs: 3000,
  maxLines: 8,
  debounceMs: 0,
  extraContextChunks: 8,
  extraContextTokens: 512,
  speculative: true,
};

export interface CompletionInput {
  /** Identifies the document (its URI). */
  documentId: string;
  /** The name shown for the document in extra-context headers (workspace-relative path). */
  filename: string;
  /** The document's text, or a slice of whole lines of it starting at `firstLine`. */
  text: string;
  /** The cursor, as an offset into `text`. */
  offset: number;
  firstLine?: number;
  /** Asked for explicitly (a command, not typing): no debounce. */
  explicit?: boolean;
}
