import { describe, expect, it } from "vitest";
import { answerToPlan, checkEdits } from "../../../src/core/refactor/answerToEdits.js";
import type { AnswerByShape, AnswerShapeName } from "../../../src/core/refactor/answerShapes.js";
import type { RefactorTarget } from "../../../src/core/refactor/refactorTarget.js";
import { applyEdits, targetOf } from "./helpers.js";

const action = { id: "test", title: "Test" };
const rationale = "Because.";

function apply<S extends AnswerShapeName>(shape: S, answer: Omit<AnswerByShape[S], "rationale">, target: RefactorTarget): string {
  const plan = answerToPlan(shape, { rationale, ...answer } as AnswerByShape[S], target, action);
  return applyEdits(target.documentText, plan.edits);
}

function refusal<S extends AnswerShapeName>(shape: S, answer: Omit<AnswerByShape[S], "rationale">, target: RefactorTarget): string | undefined {
  try {
    answerToPlan(shape, { rationale, ...answer } as AnswerByShape[S], target, action);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe("replaceSelection answers", () => {
  it("replaces exactly the selection and keeps its indentation and final line end", () => {
    const target = targetOf("function f() {\n«  return a+b;\n»}\n");
    expect(apply("replaceSelection", { code: "return a + b;" }, target)).toBe("function f() {\n  return a + b;\n}\n");
  });

  it("writes CRLF into a CRLF document", () => {
    const target = targetOf("a();\r\n«b();\r\nc();\r\n»d();\r\n");
    const result = apply("replaceSelection", { code: "if (ok) {\n  b();\n}\n" }, target);
    expect(result).toBe("a();\r\nif (ok) {\r\n  b();\r\n}\r\nd();\r\n");
    expect(result.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("turns the model's spaces into the document's tabs", () => {
    const target = targetOf("«function f() {\n\treturn 1;\n}»\n", { indentation: { insertSpaces: false, tabSize: 4 } });
    expect(apply("replaceSelection", { code: "function f() {\n    if (x) {\n        return 1;\n    }\n}" }, target)).toBe(
      "function f() {\n\tif (x) {\n\t\treturn 1;\n\t}\n}\n",
    );
  });

  it("turns tabs into the document's spaces", () => {
    const target = targetOf("«x»\n", { indentation: { insertSpaces: true, tabSize: 2 } });
    expect(apply("replaceSelection", { code: "{\n\tx;\n}" }, target)).toBe("{\n  x;\n}\n");
  });
});

describe("anchoredEdits answers", () => {
  const source = "const a = 1;\n«function sum(xs) {\n  let total = 0;\n  for (const x of xs) total += x;\n  return total;\n}\n»sum([1]);\n";

  it("replaces each anchor inside the selection", () => {
    const result = apply(
      "anchoredEdits",
      { edits: [{ anchor: "let total = 0;\n  for (const x of xs) total += x;\n  return total;", replacement: "return xs.reduce((t, x) => t + x, 0);" }] },
      targetOf(source),
    );
    expect(result).toBe("const a = 1;\nfunction sum(xs) {\n  return xs.reduce((t, x) => t + x, 0);\n}\nsum([1]);\n");
  });

  it("refuses an anchor that occurs twice, and accepts it with enough context to be unique", () => {
    const target = targetOf("«if (a) log(x);\nif (b) log(x);\n»");
    expect(refusal("anchoredEdits", { edits: [{ anchor: "log(x)", replacement: "warn(x)" }] }, target)).toBe("anchorAmbiguous");
    expect(apply("anchoredEdits", { edits: [{ anchor: "if (b) log(x)", replacement: "if (b) warn(x)" }] }, target)).toBe("if (a) log(x);\nif (b) warn(x);\n");
  });

  it("refuses an anchor that is not in the selection, even when it is elsewhere in the file", () => {
    expect(refusal("anchoredEdits", { edits: [{ anchor: "const a = 1;", replacement: "" }] }, targetOf(source))).toBe("anchorNotFound");
  });

  it("refuses overlapping edits and drops exact duplicates", () => {
    const target = targetOf("«alpha beta gamma»");
    expect(
      refusal("anchoredEdits", { edits: [{ anchor: "alpha beta", replacement: "A" }, { anchor: "beta gamma", replacement: "B" }] }, target),
    ).toBe("overlappingEdits");
    expect(
      apply("anchoredEdits", { edits: [{ anchor: "beta", replacement: "B" }, { anchor: "beta", replacement: "B" }] }, target),
    ).toBe("alpha B gamma");
    expect(
      refusal("anchoredEdits", { edits: [{ anchor: "beta", replacement: "B" }, { anchor: "beta", replacement: "C" }] }, target),
    ).toBe("overlappingEdits");
  });

  it("maps anchors back through CRLF line ends", () => {
    const target = targetOf("x\r\n«one();\r\ntwo();\r\nthree();»\r\n");
    const result = apply("anchoredEdits", { edits: [{ anchor: "two();\nthree();", replacement: "two(); three();" }] }, target);
    expect(result).toBe("x\r\none();\r\ntwo(); three();\r\n");
  });

  it("finds an anchor written with spaces in a tab-indented file", () => {
    const target = targetOf("«if (x) {\n\t\treturn  y;\n}»", { indentation: { insertSpaces: false, tabSize: 2 } });
    expect(apply("anchoredEdits", { edits: [{ anchor: "    return y;", replacement: "    return y ?? 0;" }] }, target)).toBe(
      "if (x) {\n\t\treturn y ?? 0;\n}",
    );
  });

  it("counts offsets in UTF-16 units around multi-byte characters", () => {
    const target = targetOf("const s = \"é中😀\";\n«log(\"😀 héllo\", s);\nlog(\"中\");»\n");
    expect(apply("anchoredEdits", { edits: [{ anchor: "héllo", replacement: "wörld 🌍" }, { anchor: 'log("中")', replacement: 'log("文")' }] }, target)).toBe(
      'const s = "é中😀";\nlog("😀 wörld 🌍", s);\nlog("文");\n',
    );
  });

  it("an empty list is a plan without edits", () => {
    const plan = answerToPlan("anchoredEdits", { rationale: " Nothing to do. ", edits: [] }, targetOf("«x»"), action);
    expect(plan).toMatchObject({ edits: [], renames: [], rationale: "Nothing to do.", version: 3 });
  });
});

describe("insertBefore answers", () => {
  it("inserts comment lines before the anchor's line, indented like it", () => {
    const target = targetOf("class A {\n«  run(x) {\n    return x;\n  }\n»}\n");
    expect(apply("insertBefore", { insertions: [{ anchor: "run(x)", text: "/**\n * Runs.\n */" }] }, target)).toBe(
      "class A {\n  /**\n   * Runs.\n   */\n  run(x) {\n    return x;\n  }\n}\n",
    );
  });

  it("indents with the line's own tabs in a CRLF file", () => {
    const target = targetOf("«\tfunction f() {}\r\n\tfunction g() {}\r\n»", { indentation: { insertSpaces: false, tabSize: 4 } });
    expect(apply("insertBefore", { insertions: [{ anchor: "function g", text: "// g does nothing" }] }, target)).toBe(
      "\tfunction f() {}\r\n\t// g does nothing\r\n\tfunction g() {}\r\n",
    );
  });

  it("refuses an ambiguous anchor", () => {
    expect(refusal("insertBefore", { insertions: [{ anchor: "function", text: "// x" }] }, targetOf("«function a() {}\nfunction b() {}»"))).toBe(
      "anchorAmbiguous",
    );
  });
});

describe("renames answers", () => {
  const target = targetOf("const d = 1;\n«function f(d, n) {\n  const dd = d * n;\n  return dd + d;\n}»\nf(d, 2);\n");

  it("suggests renames at the first whole-word occurrence, with fallback edits inside the selection only", () => {
    const plan = answerToPlan("renames", { rationale, renames: [{ from: "d", to: "days" }, { from: "n", to: "n" }] }, target, action);
    expect(plan.edits).toEqual([]);
    expect(plan.renames).toHaveLength(1);
    const [rename] = plan.renames;
    expect(target.documentText.slice(rename!.offset, rename!.offset + 1)).toBe("d");
    expect(rename!.offset).toBe(target.documentText.indexOf("f(d") + 2);
    expect(applyEdits(target.documentText, rename!.fallbackEdits)).toBe(
      "const d = 1;\nfunction f(days, n) {\n  const dd = days * n;\n  return dd + days;\n}\nf(d, 2);\n",
    );
  });

  it("refuses names that are not identifiers, unknown names and two names for one", () => {
    expect(refusal("renames", { renames: [{ from: "d", to: "days left" }] }, target)).toBe("invalidName");
    expect(refusal("renames", { renames: [{ from: "zz", to: "y" }] }, target)).toBe("anchorNotFound");
    expect(refusal("renames", { renames: [{ from: "d", to: "a" }, { from: "d", to: "b" }] }, target)).toBe("anchorAmbiguous");
  });

  it("handles identifiers with multi-byte letters", () => {
    const plan = answerToPlan("renames", { rationale, renames: [{ from: "größe", to: "size" }] }, targetOf("«let größe = 1; größe++;»"), action);
    expect(applyEdits("let größe = 1; größe++;", plan.renames[0]!.fallbackEdits)).toBe("let size = 1; size++;");
  });
});

describe("extractFunction answers", () => {
  const source = "function main() {\n  const a = 1;\n«  const b = a * 2;\n  console.log(b);\n»  return a;\n}\n";

  it("inserts the function at the insertion point and replaces the selection with the call", () => {
    const target = targetOf(source, { insertionOffset: 0 });
    expect(
      apply("extractFunction", { functionName: "logDouble", newFunction: "function logDouble(a) {\n  const b = a * 2;\n  console.log(b);\n}", callSite: "logDouble(a);" }, target),
    ).toBe("function logDouble(a) {\n  const b = a * 2;\n  console.log(b);\n}\n\nfunction main() {\n  const a = 1;\n  logDouble(a);\n  return a;\n}\n");
  });

  it("refuses a call site that does not call the function, and a bad name", () => {
    const target = targetOf(source, { insertionOffset: 0 });
    expect(refusal("extractFunction", { functionName: "g", newFunction: "function g() {}", callSite: "f();" }, target)).toBe("invalidAnswer");
    expect(refusal("extractFunction", { functionName: "1g", newFunction: "", callSite: "1g();" }, target)).toBe("invalidName");
  });
});

describe("edit checks", () => {
  const target = targetOf("head\n«body»\ntail\n");
  const at = (text: string) => target.documentText.indexOf(text);

  it("refuses deleting more than the selection", () => {
    expect(() => checkEdits([{ start: at("head"), end: at("body") + 4, newText: "" }], target)).toThrow(
      expect.objectContaining({ code: "outsideSelection" }),
    );
    expect(() => checkEdits([{ start: at("tail"), end: at("tail"), newText: "x" }], target)).toThrow(expect.objectContaining({ code: "outsideSelection" }));
  });

  it("allows an insertion at the declared insertion point, and drops edits that change nothing", () => {
    const withPoint = { ...target, insertionOffset: 0 };
    expect(checkEdits([{ start: 0, end: 0, newText: "x" }, { start: at("body"), end: at("body") + 4, newText: "body" }], withPoint)).toEqual([
      { start: 0, end: 0, newText: "x" },
    ]);
  });
});
