import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../src/core/engine/engine.js";
import { ContextWindowError, TokenCounter, fitToContext, fitToolResult, messageOverheadTokens, splitTurns } from "../../../src/core/chat/contextWindow.js";

// One token per word keeps the arithmetic readable.
const counter = () => new TokenCounter(async (text) => text.split(/\s+/).filter(Boolean).length);
const words = (n: number, word = "w") => Array.from({ length: n }, () => word).join(" ");
const cost = (n: number) => n + messageOverheadTokens;

const history: ChatMessage[] = [
  { role: "system", content: words(10) },
  { role: "user", content: words(20, "old") },
  { role: "assistant", content: words(30, "old") },
  { role: "user", content: words(20, "mid") },
  { role: "assistant", content: words(30, "mid") },
  { role: "user", content: words(5, "now") },
];

describe("context window", () => {
  it("keeps everything that fits", async () => {
    const fit = await fitToContext(history, 1000, counter());
    expect(fit.messages).toEqual(history);
    expect(fit.droppedTurns).toBe(0);
    expect(fit.notice).toBeNull();
  });

  it("drops the oldest whole turns first and says so", async () => {
    const budget = cost(10) + cost(20) + cost(30) + cost(5);
    const fit = await fitToContext(history, budget, counter());
    expect(fit.messages.map((m) => m.content)).toEqual([words(10), words(20, "mid"), words(30, "mid"), words(5, "now")]);
    expect(fit.droppedTurns).toBe(1);
    expect(fit.notice).toMatch(/2 earlier messages were left out/);
    expect(fit.promptTokens).toBeLessThanOrEqual(budget);
  });

  it("always keeps the system prompt and the current message, whole", async () => {
    const fit = await fitToContext(history, cost(10) + cost(5), counter());
    expect(fit.messages).toEqual([history[0], history[5]]);
    expect(fit.droppedTurns).toBe(2);
  });

  it("refuses a message that alone does not fit instead of cutting it", async () => {
    await expect(fitToContext(history, cost(10) + cost(5) - 1, counter())).rejects.toThrow(ContextWindowError);
    await expect(fitToContext(history, 3, counter())).rejects.toThrow(/contextSize/);
  });

  it("keeps a tool exchange with the question it belongs to", () => {
    const turns = splitTurns([
      { role: "user", content: "q" },
      { role: "assistant", content: "", toolCalls: [{ id: "1", name: "read_file", arguments: "{}" }] },
      { role: "tool", content: "r", toolCallId: "1" },
      { role: "assistant", content: "a" },
      { role: "user", content: "q2" },
    ]);
    expect(turns.map((t) => t.length)).toEqual([4, 1]);
  });

  it("tokenizes each distinct text once", async () => {
    let calls = 0;
    const counting = new TokenCounter(async (text) => {
      calls++;
      return text.length;
    });
    await fitToContext(history, 1000, counting);
    const first = calls;
    await fitToContext(history, 1000, counting);
    expect(calls).toBe(first);
  });
});

describe("tool results in the context window (issue 19)", () => {
  const file = Array.from({ length: 400 }, (_, i) => `line ${i} of the file`).join("\n");

  it("keeps a result that fits, whole", async () => {
    const fitted = await fitToolResult("short result", 100, counter());
    expect(fitted).toEqual({ content: "short result", tokens: cost(2), cut: false });
  });

  it("cuts a result to the tokens left, at a line break, with a marker", async () => {
    const fitted = await fitToolResult(file, 300, counter());
    expect(fitted.cut).toBe(true);
    expect(fitted.tokens).toBeLessThanOrEqual(300);
    expect(fitted.tokens).toBeGreaterThan(200);
    expect(fitted.content.startsWith("line 0 of the file\nline 1")).toBe(true);
    expect(fitted.content).toMatch(/of the file\n… \(cut to fit the context window: the first \d+ of \d+ characters are shown/);
  });

  it("leaves out a result when almost nothing is left, and says so", async () => {
    const fitted = await fitToolResult(file, 20, counter());
    expect(fitted.content).toMatch(/was left out: the model's context window is full/);
    expect(fitted.content).not.toContain("line 0");
  });
});

