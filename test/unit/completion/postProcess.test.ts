// Post-processing rules over real code in several languages: what a model wrote → what is shown.
import { describe, expect, it } from "vitest";
import {
  previewOfStream,
  cutAtEndToken,
  dropSuffixRepeat,
  dropUnfinishedLine,
  endAtIndentationClose,
  fixFirstLineIndentation,
  limitLines,
  postProcessCompletion,
  singleLineWhenCodeFollows,
  trimLineSuffixOverlap,
  trimTrailingWhitespace,
  type CompletionSurroundings,
} from "../../../src/core/completion/postProcess.js";

const around = (over: Partial<CompletionSurroundings>): CompletionSurroundings => ({
  linePrefix: "",
  lineSuffix: "",
  suffix: "",
  maxLines: 8,
  finished: true,
  ...over,
});

describe("cutAtEndToken", () => {
  it("stops at DeepSeek end and FIM tokens written as text", () => {
    expect(cutAtEndToken("return a + b;<｜end▁of▁sentence｜>\n}")).toBe("return a + b;");
    expect(cutAtEndToken("x = 1\n<｜fim▁hole｜>y = 2")).toBe("x = 1\n");
    expect(cutAtEndToken("print(x)<|EOT|>garbage")).toBe("print(x)");
    expect(cutAtEndToken("if err != nil {")).toBe("if err != nil {");
  });
});

describe("fixFirstLineIndentation", () => {
  it("drops the indentation the model repeats on a whitespace-only line (Python)", () => {
    expect(fixFirstLineIndentation("    return total\n", "    ")).toBe("return total\n");
  });
  it("keeps later lines' absolute indentation (Go)", () => {
    expect(fixFirstLineIndentation("\tif err != nil {\n\t\treturn err\n\t}", "\t")).toBe("if err != nil {\n\t\treturn err\n\t}");
  });
  it("leaves text alone after code or at column 0", () => {
    expect(fixFirstLineIndentation(" b;", "let a =")).toBe(" b;");
    expect(fixFirstLineIndentation("  x", "")).toBe("  x");
  });
});

describe("singleLineWhenCodeFollows", () => {
  it("keeps one line when there is code right of the cursor (TypeScript)", () => {
    expect(singleLineWhenCodeFollows("items.length\n  .toString()", ");")).toBe("items.length");
  });
  it("keeps every line when only whitespace follows", () => {
    expect(singleLineWhenCodeFollows("{\n    x += 1;\n}", "   ")).toBe("{\n    x += 1;\n}");
  });
});

describe("trimLineSuffixOverlap", () => {
  it("drops closing brackets the line already has (JavaScript)", () => {
    expect(trimLineSuffixOverlap("a, b)", ")")).toBe("a, b");
    expect(trimLineSuffixOverlap('"hello world");', '");')).toBe('"hello world');
  });
  it("leaves a suggestion that does not run into the suffix", () => {
    expect(trimLineSuffixOverlap("count + 1", ")")).toBe("count + 1");
    expect(trimLineSuffixOverlap("x\ny)", ")")).toBe("x\ny)");
  });
});

describe("dropSuffixRepeat", () => {
  it("stops before the model writes the closing brace that follows the cursor (Rust)", () => {
    const suffix = "\n}\n\nfn other() {}\n";
    expect(dropSuffixRepeat("let sum = a + b;\n    sum\n}\n\nfn other() {}", suffix)).toBe("let sum = a + b;\n    sum");
  });
  it("stops before repeating the next statement (Python)", () => {
    const suffix = "\n    return result\n";
    expect(dropSuffixRepeat("result = compute(x)\n    return result", suffix)).toBe("result = compute(x)");
  });
  it("keeps everything when nothing is repeated", () => {
    expect(dropSuffixRepeat("a = 1\nb = 2", "\nprint(c)\n")).toBe("a = 1\nb = 2");
  });
});

describe("endAtIndentationClose", () => {
  it("ends a block body before the line that leaves the cursor's indentation (TypeScript)", () => {
    const text = "const total = items.length;\n  return total;\n}\n\nexport function next() {";
    expect(endAtIndentationClose(text, "  ")).toBe("const total = items.length;\n  return total;");
  });
  it("ends a block the suggestion opened after its closing bracket (Java)", () => {
    const text = "if (x > 0) {\n        log(x);\n    }\n    other();";
    expect(endAtIndentationClose(text, "    ")).toBe("if (x > 0) {\n        log(x);\n    }");
  });
  it("ends a Python block before the dedented line", () => {
    const text = "for item in items:\n        total += item\n    return total";
    expect(endAtIndentationClose(text, "    ")).toBe("for item in items:\n        total += item");
  });
  it("keeps a function the suggestion writes from column 0 (Go)", () => {
    const text = "func add(a, b int) int {\n\treturn a + b\n}";
    expect(endAtIndentationClose(text, "")).toBe(text);
  });
});

describe("limits and whitespace", () => {
  it("limits lines", () => {
    expect(limitLines("a\nb\nc\nd", 2)).toBe("a\nb");
    expect(limitLines("a\nb", 2)).toBe("a\nb");
  });
  it("drops the unfinished last line of a capped answer", () => {
    expect(dropUnfinishedLine("x = 1\ny = comp", false)).toBe("x = 1");
    expect(dropUnfinishedLine("x = comp", false)).toBe("x = comp");
    expect(dropUnfinishedLine("x = 1\ny = 2", true)).toBe("x = 1\ny = 2");
  });
  it("shows no whitespace-only suggestion and no trailing blank lines", () => {
    expect(trimTrailingWhitespace("  \n\t \n")).toBe("");
    expect(trimTrailingWhitespace("x = 1\n\n")).toBe("x = 1");
  });
});

describe("postProcessCompletion", () => {
  it("Python: whitespace-only line, block ends where the function ends", () => {
    const raw = "    total = sum(values)\n    return total\n\ndef other():\n    pass\n";
    expect(postProcessCompletion(raw, around({ linePrefix: "    ", suffix: "\n" }))).toBe("total = sum(values)\n    return total");
  });
  it("TypeScript: mid-line call closes on the existing parenthesis", () => {
    const raw = "user.id, options)\n  .then(render);";
    expect(postProcessCompletion(raw, around({ linePrefix: "  fetchUser(", lineSuffix: ");", suffix: ");\n}\n" }))).toBe("user.id, options");
  });
  it("C: stops at the end token and the repeated closing brace", () => {
    const raw = "printf(\"%d\\n\", n);\n    return 0;\n}<｜end▁of▁sentence｜>";
    expect(postProcessCompletion(raw, around({ linePrefix: "    ", suffix: "\n}\n" }))).toBe('printf("%d\\n", n);\n    return 0;');
  });
  it("Go: a whitespace-only answer is no answer", () => {
    expect(postProcessCompletion("\n\t\n", around({ linePrefix: "\t" }))).toBe("");
  });
  it("Rust: applies the max lines setting", () => {
    const raw = "let a = 1;\n    let b = 2;\n    let c = 3;\n    let d = 4;";
    expect(postProcessCompletion(raw, around({ linePrefix: "    ", maxLines: 2 }))).toBe("let a = 1;\n    let b = 2;");
  });
  it("a suggestion that only repeats the closing brackets is dropped", () => {
    expect(postProcessCompletion(")", around({ linePrefix: "foo(", lineSuffix: ")" }))).toBe("");
  });
});

describe("previewOfStream", () => {
  it("shows complete lines, and a line being written only once it has a few words, cut at the last whole word", () => {
    expect(previewOfStream("if (ready) {\n  sta", 10)).toBe("if (ready) {\n");
    expect(previewOfStream("  start(engine, opti", 10)).toBe("  start(engine, ");
    expect(previewOfStream("return résumé.ti", 10)).toBe("return résumé.");
    expect(previewOfStream("x", 10)).toBe("");
    // A line that is one long word shows whole rather than nothing.
    expect(previewOfStream("aVeryLongIdentifierName", 10)).toBe("aVeryLongIdentifierName");
  });
});
