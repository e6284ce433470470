// Post-processing at the edges mutation testing found untested (issue 24): every control token
// written as text, tab indentation, blank and whitespace-only lines, closing lines, and a
// suggestion that is only whitespace once the brackets the line already has are dropped.
import { describe, expect, it } from "vitest";
import {
  cutAtEndToken,
  dropSuffixRepeat,
  endAtIndentationClose,
  postProcessCompletion,
  previewOfStream,
  singleLineWhenCodeFollows,
  trimLineSuffixOverlap,
} from "../../../src/core/completion/postProcess.js";

describe("control tokens written as text", () => {
  it("cut the suggestion at every DeepSeek and OpenAI-style end or FIM token", () => {
    for (const token of ["<｜begin▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜fim▁end｜>", "<|endoftext|>", "<|fim_middle|>", "<|fim_prefix|>"]) {
      expect(cutAtEndToken(`total += x;${token}more`)).toBe("total += x;");
    }
  });
});

describe("code right of the cursor", () => {
  it("keeps a one-line suggestion whole, and drops one that only starts a new line", () => {
    expect(singleLineWhenCodeFollows("a, b", ")")).toBe("a, b");
    expect(singleLineWhenCodeFollows("\nnext();", ")")).toBe("");
  });

  it("drops the brackets the line already has, after spaces on either side", () => {
    expect(trimLineSuffixOverlap("a, b)", "  )")).toBe("a, b");
    expect(trimLineSuffixOverlap("a, b)  ", ")")).toBe("a, b");
  });

  it("shows nothing when what is left after dropping them is whitespace", () => {
    expect(postProcessCompletion(" )", { linePrefix: "foo(", lineSuffix: ")", suffix: ")\n", maxLines: 8, finished: true })).toBe("");
  });
});

describe("repeats of the code below the cursor", () => {
  it("look past blank and whitespace-only lines to the next line of code", () => {
    expect(dropSuffixRepeat("sum += x;\n}\n", "\n\n}\n")).toBe("sum += x;");
    expect(dropSuffixRepeat("sum += x;\n}\n", "\n    \n}\n")).toBe("sum += x;");
  });

  it("compare with the lines below, not with the rest of the cursor's line", () => {
    expect(dropSuffixRepeat("call(\n  a,\n)", ")\nnext();\n")).toBe("call(\n  a,\n)");
  });

  it("never drop the line being completed itself", () => {
    expect(dropSuffixRepeat("return total;\nlog();", "\nreturn total;\n")).toBe("return total;\nlog();");
  });
});

describe("where a block ends", () => {
  it("counts a tab as an indentation level", () => {
    expect(endAtIndentationClose("a();\n\tb();", "\t\t")).toBe("a();");
  });

  it("goes on past blank and whitespace-only lines inside the block", () => {
    expect(endAtIndentationClose("const a = 1;\n\n  const b = 2;", "  ")).toBe("const a = 1;\n\n  const b = 2;");
    expect(endAtIndentationClose("if (x) {\n    a();\n  \n    b();\n  }", "  ")).toBe("if (x) {\n    a();\n  \n    b();\n  }");
  });

  it("keeps a Ruby `end` that closes the block, and stops before a call that merely contains a bracket", () => {
    expect(endAtIndentationClose("if ready\n    start\n  end\n  more", "  ")).toBe("if ready\n    start\n  end");
    expect(endAtIndentationClose("for x in xs:\n        total += x\n    print(total)", "    ")).toBe("for x in xs:\n        total += x");
  });
});

describe("previewOfStream", () => {
  it("does not count the indentation of the line being written towards showing it", () => {
    expect(previewOfStream("if (x) {\n        ret", 6)).toBe("if (x) {\n");
  });
});
