// Token counts for vscode.lm callers (core/languageModel/lmTokens.ts).
import { describe, expect, it } from "vitest";
import { LmTokenCounter } from "../../../src/core/languageModel/lmTokens.js";
import { messageOverheadTokens } from "../../../src/core/chat/contextWindow.js";
import { estimateTokens } from "../../../src/core/chat/tokenEstimate.js";
import { EngineError } from "../../../src/protocol/engine.js";

describe("LmTokenCounter", () => {
  it("counts with the engine's tokenizer, a message with its template overhead, each text once", async () => {
    const asked: string[] = [];
    const counter = new LmTokenCounter({ tokenize: async (text) => (asked.push(text), [...text].map(() => 1)) });
    expect(await counter.count("abcd")).toBe(4);
    expect(await counter.count({ role: "user", parts: [{ kind: "text", text: "ab" }, { kind: "toolResult", callId: "c", content: "cd" }] })).toBe(4 + messageOverheadTokens);
    expect(await counter.count("abcd")).toBe(4);
    expect(asked).toEqual(["abcd"]);
    counter.reset();
    await counter.count("abcd");
    expect(asked).toEqual(["abcd", "abcd"]);
  });

  it("estimates on the client where the server has no tokenizer", async () => {
    const counter = new LmTokenCounter({
      tokenize: async () => {
        throw new EngineError("remoteUnsupported", "no tokenizer");
      },
    });
    const text = "const answer = computeTheAnswer(42);";
    expect(await counter.count(text)).toBe(estimateTokens(text));
  });

  it("passes other failures on", async () => {
    const counter = new LmTokenCounter({
      tokenize: async () => {
        throw new EngineError("engineCrashed", "crashed");
      },
    });
    await expect(counter.count("x")).rejects.toMatchObject({ code: "engineCrashed" });
  });
});
