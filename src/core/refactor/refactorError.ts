// Why a refactor was not applied. Every refusal is a value with a code the editor layer can act on
// (offer a retry, open settings) and a message that tells the user what happened.

export type RefactorErrorCode =
  | "noTarget"
  | "staleDocument"
  | "anchorNotFound"
  | "anchorAmbiguous"
  | "overlappingEdits"
  | "outsideSelection"
  | "outsideWorkspace"
  | "readOnlyTarget"
  | "untitledTarget"
  | "invalidName"
  | "invalidAnswer"
  /** The answer reached a length limit, so it may be cut: refused, never applied cut. */
  | "answerTooLong"
  | "cancelled"
  | "engine";

/** Codes where asking the model again (or on the current text) can succeed. */
const retryable: ReadonlySet<RefactorErrorCode> = new Set([
  "staleDocument",
  "anchorNotFound",
  "anchorAmbiguous",
  "overlappingEdits",
  "outsideSelection",
  "invalidName",
  "invalidAnswer",
  "engine",
]);

export class RefactorError extends Error {
  constructor(
    readonly code: RefactorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RefactorError";
  }

  get retryable(): boolean {
    return retryable.has(this.code);
  }
}
