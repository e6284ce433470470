// Answer → edits at the edges mutation testing found untested (issue 24): the model's line ends and
// blank lines around the code it writes, edits given in any order, edits that touch the selection's
// bounds, and what each refusal tells the user.
import { describe, expect, it } from "vitest";
import { answerToPlan, checkEdits } from "../../../src/core/refactor/answerToEdits.js";
import type { AnswerByShape, AnswerShapeName } from "../../../src/core/refactor/answerShapes.js";
import type { RefactorTarget } from "../../../src/core/refactor/refactorTarget.js";
import { applyEdits, targetOf } from "./helpers.js";

const action = { id: "test", title: "Test" };

function apply<S extends AnswerShapeName>(shape: S, answer: Omit<AnswerByShape[S], "rationale">, target: RefactorTarget): string {
  const plan = answerToPlan(shape, { rationale: "Because.", ...answer } as AnswerByShape[S], target, action);
  return applyEdits(target.documentText, plan.edits);
}

function refusalMessage<S extends AnswerShapeName>(shape: S, answer: Omit<AnswerByShape[S], "rationale">, target: RefactorTarget): string {
  try {
    answerToPlan(shape, { rationale: "Because.", ...answer } as AnswerByShape[S], target, action);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("not refused");
}

describe("replaceSelection: the frame of the selection", () => {
  const body = "function f() {\n«  return a+b;\n»}\n";

  it("does not indent twice when the model kept the selection's indentation", () => {
    expect(apply("replaceSelection", { code: "  return a + b;" }, targetOf(body))).toBe("function f() {\n  return a + b;\n}\n");
  });

  it("adds no line end when the selection had none, however many the model wrote", () => {
    expect(apply("replaceSelection", { code: "sum(a, b)\n" }, targetOf("const x = «add(a, b)»;\n"))).toBe("const x = sum(a, b);\n");
    expect(apply("replaceSelection", { code: "if (a) {\n  b();\n}\n\n" }, targetOf("«a && b();»\nnext();\n"))).toBe(
      "if (a) {\n  b();\n}\nnext();\n",
    );
  });

  it("keeps the model's line breaks when it answers with CRLF or old Mac CR line ends", () => {
    expect(apply("replaceSelection", { code: "a();\r\nb();" }, targetOf("«x();»\n"))).toBe("a();\nb();\n");
    expect(apply("replaceSelection", { code: "a();\rb();\r" }, targetOf("«x();»\n"))).toBe("a();\nb();\n");
  });
});

describe("insertBefore: the inserted lines", () => {
  const source = "class A {\n«  run(x) {\n    return x;\n  }\n»}\n";

  it("adds no blank lines for blank insertions or for the blank lines around the model's text", () => {
    const target = targetOf(source);
    const insertions = [
      { anchor: "run(x)", text: "\n\n// Runs.\n\n\n" },
      { anchor: "return x", text: "   " },
    ];
    expect(apply("insertBefore", { insertions }, target)).toBe("class A {\n  // Runs.\n  run(x) {\n    return x;\n  }\n}\n");
  });

  it("keeps the lines of a CRLF answer apart", () => {
    expect(apply("insertBefore", { insertions: [{ anchor: "run(x)", text: "/**\r\n * Runs.\r\n */" }] }, targetOf(source))).toBe(
      "class A {\n  /**\n   * Runs.\n   */\n  run(x) {\n    return x;\n  }\n}\n",
    );
  });
});

describe("extractFunction: names and the model's whitespace", () => {
  const source = "function main() {\n  const a = 1;\n«  const b = a * 2;\n  console.log(b);\n»  return a;\n}\n";
  const expected = "function logDouble(a) {\n  const b = a * 2;\n  console.log(b);\n}\n\nfunction main() {\n  const a = 1;\n  logDouble(a);\n  return a;\n}\n";

  it("accepts a name and a call site with spaces or line breaks around them", () => {
    const target = targetOf(source, { insertionOffset: 0 });
    const answer = { functionName: " logDouble ", newFunction: "function logDouble(a) {\n  const b = a * 2;\n  console.log(b);\n}", callSite: "\n    logDouble(a);\n" };
    expect(apply("extractFunction", answer, target)).toBe(expected);
  });

  it("writes the new function without the blank lines around it, from a CRLF answer too", () => {
    const target = targetOf(source, { insertionOffset: 0 });
    const newFunction = "\n\nfunction logDouble(a) {\r\n  const b = a * 2;\r\n  console.log(b);\r\n}\n\n\n";
    expect(apply("extractFunction", { functionName: "logDouble", newFunction, callSite: "logDouble(a);" }, target)).toBe(expected);
  });
});

describe("refusal messages say what was wrong and that nothing was applied", () => {
  const renameSource = "«let total = 0; total += 1;»\n";

  it("for renames", () => {
    expect(refusalMessage("renames", { renames: [{ from: "total", to: "a b" }] }, targetOf(renameSource))).toBe(
      'The model suggested "a b", which is not a plain identifier; nothing was applied.',
    );
    const twice = { renames: [{ from: "total", to: "sum" }, { from: "total", to: "count" }] };
    expect(refusalMessage("renames", twice, targetOf(renameSource))).toBe('The model suggested two new names for "total"; nothing was applied.');
    expect(refusalMessage("renames", { renames: [{ from: "missing", to: "sum" }] }, targetOf(renameSource))).toBe(
      'The model renames "missing", which is not in the selected code; nothing was applied.',
    );
  });

  it("for extracted functions", () => {
    const target = targetOf("«a();»\n", { insertionOffset: 0 });
    expect(refusalMessage("extractFunction", { functionName: "1g", newFunction: "", callSite: "1g();" }, target)).toBe(
      'The model named the new function "1g", which is not a plain identifier; nothing was applied.',
    );
    expect(refusalMessage("extractFunction", { functionName: "g", newFunction: "function g() {}", callSite: "f();" }, target)).toBe(
      'The model\'s call site does not call "g"; nothing was applied.',
    );
  });
});

describe("checkEdits at the selection's bounds", () => {
  const target = targetOf("head\n«body»\ntail\n");
  const at = (text: string) => target.documentText.indexOf(text);
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return `${(error as { code: string }).code}: ${(error as Error).message}`;
    }
    return "accepted";
  };

  it("refuses changing code after the selection, or running past its end", () => {
    expect(message(() => checkEdits([{ start: at("tail"), end: at("tail") + 4, newText: "TAIL" }], target))).toBe(
      "outsideSelection: The model's answer would change code outside the selection; nothing was applied.",
    );
    expect(message(() => checkEdits([{ start: at("body") + 2, end: at("tail") + 2, newText: "x" }], target))).toMatch(/^outsideSelection: .*change code/);
  });

  it("refuses inserting after the selection, and allows inserting at its end", () => {
    expect(message(() => checkEdits([{ start: at("tail") + 1, end: at("tail") + 1, newText: "x" }], target))).toBe(
      "outsideSelection: The model's answer would insert code outside the selection; nothing was applied.",
    );
    expect(checkEdits([{ start: at("body") + 4, end: at("body") + 4, newText: "!" }], target)).toHaveLength(1);
  });

  it("accepts edits in any order, side by side, and an insertion right before a replacement", () => {
    const body = at("body");
    const replaceEnd = { start: body + 2, end: body + 4, newText: "DY" };
    const replaceStart = { start: body, end: body + 2, newText: "BO" };
    const insert = { start: body + 2, end: body + 2, newText: "-" };
    const sorted = [replaceStart, insert, replaceEnd];
    expect(checkEdits([replaceEnd, insert, replaceStart], target)).toEqual(sorted);
    expect(checkEdits([insert, replaceEnd, replaceStart], target)).toEqual(sorted);
    expect(checkEdits([replaceStart, replaceEnd, insert], target)).toEqual(sorted);
  });

  it("says so when edits overlap", () => {
    const body = at("body");
    expect(message(() => checkEdits([{ start: body, end: body + 3, newText: "x" }, { start: body + 2, end: body + 4, newText: "y" }], target))).toBe(
      "overlappingEdits: The model's edits overlap each other; nothing was applied.",
    );
  });
});
