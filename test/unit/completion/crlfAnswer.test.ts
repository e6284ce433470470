// A model trained on Windows sources (or a server that passes them through) writes CRLF line ends.
// The editor inserts the suggestion into a document with its own line ends, so what is shown has
// "\n" only; and the rules that look at line ends must see the lines as lines (issue 24).
import { describe, expect, it } from "vitest";
import { postProcessCompletion, type CompletionSurroundings } from "../../../src/core/completion/postProcess.js";

/** A cursor at the start of an empty line, nothing after it. */
const atEmptyLine: CompletionSurroundings = { linePrefix: "", lineSuffix: "", suffix: "", maxLines: 8, finished: true };

describe("postProcessCompletion with CRLF line ends", () => {
  it("shows the lines with \\n only", () => {
    const shown = postProcessCompletion("int a = 1;\r\nint b = 2;\r\nreturn a + b;\r\n", atEmptyLine);
    expect(shown).toBe("int a = 1;\nint b = 2;\nreturn a + b;");
    expect(shown).not.toContain("\r");
  });

  it("drops the unfinished last line of a capped answer, leaving no stray carriage return", () => {
    expect(postProcessCompletion("x = 1\r\ny = 2\r\nz = comp", { ...atEmptyLine, finished: false })).toBe("x = 1\ny = 2");
  });
});
