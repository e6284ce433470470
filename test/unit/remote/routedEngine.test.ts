import { describe, expect, it } from "vitest";
import type { Engine } from "../../../src/core/engine/engine.js";
import { RoutedEngine, UnavailableEngine } from "../../../src/backends/http/routedEngine.js";
import { EngineError } from "../../../src/protocol/engine.js";

/** A stand-in backend that records which one answered (routing is under test, not generation). */
function namedBackend(kind: Engine["kind"], calls: string[]): Engine {
  const answer = (method: string) => async () => {
    calls.push(`${kind}.${method}`);
    return { text: kind, stopReason: "eos", metrics: {} } as never;
  };
  return {
    kind,
    modelInfo: answer("modelInfo"),
    tokenize: answer("tokenize"),
    infill: answer("infill"),
    warmUp: answer("warmUp"),
    chat: answer("chat"),
    generate: answer("generate"),
    prefill: answer("prefill"),
    dispose: answer("dispose"),
  };
}

describe("RoutedEngine", () => {
  it("sends each call to the backend selected at that moment", async () => {
    const calls: string[] = [];
    const local = namedBackend("local", calls);
    const http = namedBackend("http", calls);
    let selected = local;
    const routed = new RoutedEngine(() => selected);
    expect(routed.kind).toBe("local");
    await routed.infill({ prefix: "", suffix: "", maxTokens: 1 });
    selected = http;
    expect(routed.kind).toBe("http");
    await routed.chat({ messages: [], maxTokens: 1 });
    await routed.prefill({ sequence: "completion", prompt: [{ text: "x" }] });
    await routed.warmUp({ prefix: "", suffix: "" });
    expect(calls).toEqual(["local.infill", "http.chat", "http.prefill", "http.warmUp"]);
  });

  it("does not dispose the engines it routes to, and reports missing cache stats as a typed error", async () => {
    const calls: string[] = [];
    const routed = new RoutedEngine(() => namedBackend("http", calls));
    await routed.dispose();
    await routed.clearCache();
    expect(calls).toEqual([]);
    await expect(routed.cacheStats()).rejects.toBeInstanceOf(EngineError);
  });
});

describe("UnavailableEngine", () => {
  it("answers every call with the settings problem", async () => {
    const engine = new UnavailableEngine("Set deepseekLocal.remote.baseUrl.");
    for (const call of [
      () => engine.modelInfo(),
      () => engine.chat({ messages: [], maxTokens: 1 }),
      () => engine.infill({ prefix: "", suffix: "", maxTokens: 1 }),
      () => engine.warmUp({ prefix: "", suffix: "" }),
      () => engine.tokenize(""),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "engineUnavailable", message: "Set deepseekLocal.remote.baseUrl." });
    }
  });
});
