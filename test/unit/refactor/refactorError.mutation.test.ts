// Which refusals offer "Try again": the editor shows a retry only where asking the model again (or
// on the current text) can succeed. A wrong answer can be retried; a cancelled request, a file the
// edit may not touch, or an answer that is too long for the selection cannot.
import { describe, expect, it } from "vitest";
import { RefactorError, type RefactorErrorCode } from "../../../src/core/refactor/refactorError.js";

const retryable: RefactorErrorCode[] = [
  "staleDocument",
  "anchorNotFound",
  "anchorAmbiguous",
  "overlappingEdits",
  "outsideSelection",
  "invalidName",
  "invalidAnswer",
  "engine",
];
const final: RefactorErrorCode[] = ["noTarget", "outsideWorkspace", "readOnlyTarget", "untitledTarget", "answerTooLong", "cancelled"];

describe("RefactorError", () => {
  it.each(retryable)("%s can be retried", (code) => {
    expect(new RefactorError(code, "m").retryable).toBe(true);
  });

  it.each(final)("%s cannot be retried", (code) => {
    expect(new RefactorError(code, "m").retryable).toBe(false);
  });

  it("is an Error named RefactorError with its code and message (what logs and the output channel show)", () => {
    const error = new RefactorError("engine", "The model stopped.");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RefactorError");
    expect(String(error)).toBe("RefactorError: The model stopped.");
    expect(error.code).toBe("engine");
  });
});
