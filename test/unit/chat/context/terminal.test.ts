import { describe, expect, it } from "vitest";
import { lastLinesWithin, stripTerminalEscapes, terminalContext } from "../../../../src/core/chat/context/terminal.js";
import type { Attachment } from "../../../../src/core/chat/conversation.js";
import { estimateTokens } from "../../../../src/core/chat/tokenEstimate.js";

function attached(result: Attachment | string): Attachment {
  if (typeof result === "string") throw new Error(`expected an attachment, got: ${result}`);
  return result;
}

describe("@terminal", () => {
  it("attaches the selection first, without colour escapes", () => {
    const result = attached(terminalContext({ name: "bash", selection: "\u001b[31mError:\u001b[0m boom\r\n", lastCommand: { commandLine: "npm test", output: "other" }, shellIntegration: true }));
    expect(result.kind).toBe("terminal");
    expect(result.label).toBe("Terminal selection (bash)");
    expect(result.text).toBe("Error: boom");
    expect(result.tokens).toBe(estimateTokens(result.text));
  });

  it("attaches the last command with its output's end and exit code, cut to the budget from the start", () => {
    const output = Array.from({ length: 500 }, (_, i) => `line ${i} of the build output`).join("\n") + "\nFAILED: 3 tests\n";
    const result = attached(terminalContext({ name: "zsh", lastCommand: { commandLine: "npm run build && npm test", output, exitCode: 1 }, shellIntegration: true }, 200));
    expect(result.label).toBe("Terminal: npm run build && npm test");
    expect(result.text.startsWith("$ npm run build && npm test\n… (")).toBe(true);
    expect(result.text).toMatch(/FAILED: 3 tests\n\(exit code 1\)$/);
    expect(result.text).not.toContain("line 0 of");
    expect(result.tokens!).toBeLessThanOrEqual(200 + 20);
  });

  it("redacts secrets the output printed", () => {
    const result = attached(terminalContext({ name: "bash", lastCommand: { commandLine: "env", output: "AWS=AKIAABCDEFGHIJKLMNOP\n" }, shellIntegration: true }));
    expect(result.text).not.toContain("AKIAABCDEFGHIJKLMNOP");
  });

  it("says why nothing is attached: no shell integration, or no command yet", () => {
    expect(terminalContext({ name: "sh", shellIntegration: false })).toMatch(/no shell integration.*Select the output/);
    expect(terminalContext({ name: "bash", shellIntegration: true })).toMatch(/No command has finished in the terminal "bash"/);
  });

  it("strips OSC marks and cuts by lines from the end", () => {
    expect(stripTerminalEscapes("\u001b]633;C\u0007out\u001b]0;title\u001b\\")).toBe("out");
    const cut = lastLinesWithin("a\nb\nc\nd", 4);
    expect(cut.text.split("\n").at(-1)).toBe("d");
    expect(cut.cutLines + cut.text.split("\n").length).toBe(4);
  });
});
