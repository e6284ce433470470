// The selection as the model sees it and the way back: offsets in CRLF files, finding the model's
// anchors (exactly, then with any spaces or tabs), whole-word names, and writing the model's text in
// the file's indentation and line ends. Written for the mutants the first tests let live (docs/mutation.md).
import { describe, expect, it } from "vitest";
import {
  SelectionView,
  dedent,
  findAnchor,
  findIdentifier,
  isIdentifier,
  leadingWhitespace,
  reindent,
  toDocumentText,
} from "../../../src/core/refactor/selectionText.js";

const viewOf = (text: string) => new SelectionView(text, 0, text.length);
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected a refusal");
};

describe("SelectionView", () => {
  // Document "x\r\n«ab\r\ncd\r\n»e": the selection starts at 3.
  const documentText = "x\r\nab\r\ncd\r\ne";
  const view = new SelectionView(documentText, 3, 11);

  it("shows the selection with LF line ends and keeps a lone CR", () => {
    expect(view.text).toBe("ab\ncd\n");
    expect(new SelectionView("a\rb\n", 0, 4).text).toBe("a\rb\n");
  });

  it("maps each view offset back to the document, a line's end to just before its CR", () => {
    // View offsets 0..6 → document offsets: "a" 3, "b" 4, end of line 1 = before "\r" 5, "c" 7, "d" 8, before "\r" 9, end 11.
    expect([0, 1, 2, 3, 4, 5, 6].map((offset) => view.toDocument(offset))).toEqual([3, 4, 5, 7, 8, 9, 11]);
    const text = documentText.slice(view.toDocument(3), view.toDocument(5));
    expect(text).toBe("cd");
  });
});

describe("findAnchor", () => {
  it("finds the exact text and its range", () => {
    expect(findAnchor(viewOf("let a = 1;\nlet b = 2;\n"), "b = 2")).toEqual({ start: 15, end: 20 });
  });

  it("reads an anchor the model wrote with CRLF line ends", () => {
    const view = viewOf("one();\ntwo();\nthree();\n");
    expect(findAnchor(view, "one();\r\ntwo();\r\nthree")).toEqual({ start: 0, end: 19 });
  });

  it("treats the anchor as text, not a pattern", () => {
    // Unescaped, "a.b" would also match "axb", "(" would not even be a valid pattern.
    const view = viewOf("axb(); a.b(); f(x)[0] * y + z? $1 ^ {2} | \\n");
    expect(findAnchor(view, "a.b")).toEqual({ start: 7, end: 10 });
    expect(findAnchor(view, "f(x)[0] * y + z? $1 ^ {2} | \\n")).toEqual({ start: 14, end: 44 });
  });

  it("matches spaces where the file has tabs, and any run of them, when the exact text is missing", () => {
    const view = viewOf("if (x)\n\t\treturn  a +\tb;\n");
    expect(findAnchor(view, "  return a + b;")).toEqual({ start: 7, end: 23 });
  });

  it("prefers the exact text over a looser match elsewhere", () => {
    // "x = 1" with other spacing also occurs; the exact one is the only exact match, so it is unique.
    const view = viewOf("x  = 1;\nx = 1;\n");
    expect(findAnchor(view, "x = 1")).toEqual({ start: 8, end: 13 });
  });

  it("refuses a blank anchor, a missing one and one that occurs twice, saying why and that nothing was applied", () => {
    const view = viewOf("go();\ngo();\nstop();\n");
    expect(refusal(() => findAnchor(view, " \n\t"))).toMatchObject({ code: "anchorNotFound", message: "The model gave an empty anchor; nothing was applied." });
    expect(refusal(() => findAnchor(view, "run();"))).toMatchObject({
      code: "anchorNotFound",
      message: 'The model\'s edit refers to "run();", which is not in the selected code; nothing was applied.',
    });
    expect(refusal(() => findAnchor(view, "go();"))).toMatchObject({
      code: "anchorAmbiguous",
      message: 'The model\'s edit refers to "go();", which occurs 2 times in the selected code; nothing was applied.',
    });
  });

  it("shows an anchor of up to 60 characters whole in the refusal and cuts a longer one", () => {
    const view = viewOf("nothing here\n");
    const sixty = "a".repeat(60);
    expect(refusal(() => findAnchor(view, sixty)).message).toContain(`"${sixty}", which`);
    expect(refusal(() => findAnchor(view, `${sixty}bc`)).message).toContain(`"${sixty}…", which`);
  });
});

describe("identifiers", () => {
  it("accepts plain names in any script and refuses everything else", () => {
    for (const name of ["x", "total", "_private", "$el", "größe", "名前", "item2", "a_b$c"]) expect(isIdentifier(name), name).toBe(true);
    for (const name of ["", "2nd", "a-b", "a b", "a.b", " a", "a ", "f()", "x\ny"]) expect(isIdentifier(name), name).toBe(false);
  });

  it("finds only whole-word occurrences", () => {
    const view = viewOf("x + ax + x1 + _x + $x + x_ + x$ + äx + xä + 2x + x;");
    expect(findIdentifier(view, "x")).toEqual([
      { start: 0, end: 1 },
      { start: 49, end: 50 },
    ]);
    // A name is text too: "$" is not a pattern.
    expect(findIdentifier(viewOf("$a + a + $a"), "$a")).toEqual([
      { start: 0, end: 2 },
      { start: 9, end: 11 },
    ]);
  });
});

describe("indentation", () => {
  it("reads the leading spaces and tabs of a line", () => {
    expect(leadingWhitespace("\t  x = 1;  ")).toBe("\t  ");
    expect(leadingWhitespace("x\t= 1;")).toBe("");
  });

  it("writes tabs as spaces up to the next tab stop in a spaces file, and leaves space indentation as it is", () => {
    const spaces = { insertSpaces: true, tabSize: 4 };
    expect(reindent("\tx\n\t\ty\n  \tz\n   w\n", spaces)).toBe("    x\n        y\n    z\n   w\n");
  });

  it("writes indentation as tabs plus the rest in spaces in a tabs file", () => {
    const tabs = { insertSpaces: false, tabSize: 4 };
    expect(reindent("    x\n      y\n        z\n  w\n", tabs)).toBe("\tx\n\t  y\n\t\tz\n  w\n");
  });

  it("touches only the indentation, never tabs or spaces inside a line", () => {
    expect(reindent("a\tb  c\n\td\te\n", { insertSpaces: true, tabSize: 2 })).toBe("a\tb  c\n  d\te\n");
    expect(reindent("a    b\n    c    d\n", { insertSpaces: false, tabSize: 4 })).toBe("a    b\n\tc    d\n");
  });

  it("takes a tab size below 1 as 1", () => {
    expect(reindent("\tx\n", { insertSpaces: true, tabSize: 0 })).toBe(" x\n");
  });

  it("dedent removes the indentation all code lines share and empties blank lines", () => {
    expect(dedent("    a\n      b\n\n   \n    c")).toBe("a\n  b\n\n\nc");
    expect(dedent("\t\tif (x) {\n\t\t\ty();\n\t\t}")).toBe("if (x) {\n\ty();\n}");
    expect(dedent("   \n")).toBe("\n");
  });
});

describe("toDocumentText", () => {
  const spaces = { insertSpaces: true, tabSize: 2 };

  it("writes LF, CRLF and bare CR answers with the document's line ends", () => {
    expect(toDocumentText("a\r\nb\rc\nd", spaces, "\n")).toBe("a\nb\nc\nd");
    expect(toDocumentText("a\r\nb\rc\nd", spaces, "\r\n")).toBe("a\r\nb\r\nc\r\nd");
  });

  it("re-indents every line, also after a bare CR", () => {
    expect(toDocumentText("x\r\ty\r\n\tz", spaces, "\n")).toBe("x\n  y\n  z");
  });
});
