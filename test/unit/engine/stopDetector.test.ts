import { describe, expect, it } from "vitest";
import { StopDetector, type StopConditions } from "../../../src/engine/stopDetector.js";
import { RequestMeter, TokenMeter } from "../../../src/engine/requestMeter.js";

function detector(overrides: Partial<StopConditions> = {}, onText?: (text: string) => void) {
  const conditions: StopConditions = { stopStrings: [], maxTokens: 10, startedAt: 0, json: false, signal: new AbortController().signal, ...overrides };
  return new StopDetector(conditions, onText);
}

describe("StopDetector", () => {
  it("holds back a possible stop string and cuts the answer before it", () => {
    const streamed: string[] = [];
    const stop = detector({ stopStrings: ["\n\n"] }, (text) => streamed.push(text));
    expect(stop.pushText("a\n")).toBe(false);
    expect(streamed).toEqual(["a"]);
    expect(stop.pushText("\nb")).toBe(true);
    stop.finish("");
    expect(stop.answer).toBe("a");
    expect(stop.stopReason).toBe("stopString");
  });

  it("ends a JSON answer where its value closes, as a complete (eos) answer", () => {
    const stop = detector({ json: true });
    expect(stop.pushText('{"a": 1')).toBe(false);
    expect(stop.pushText('} trailing')).toBe(true);
    expect(stop.answer).toBe('{"a": 1}');
    expect(stop.stopReason).toBe("eos");
  });

  it("keeps the limit's reason when the held-back text closes the JSON value at the end", () => {
    const stop = detector({ json: true, maxTokens: 2, stopStrings: ["}}"] });
    expect(stop.pushText('{"a": 1}')).toBe(false);
    expect(stop.answer).toBe('{"a": 1');
    expect(stop.checkLimits(2)).toBe(true);
    stop.finish("");
    expect(stop.answer).toBe('{"a": 1}');
    expect(stop.stopReason).toBe("maxTokens");
  });

  it("checks cancellation, then the token limit, then the deadline", () => {
    const controller = new AbortController();
    let now = 0;
    const stop = detector({ maxTokens: 3, timeoutMs: 50, signal: controller.signal, now: () => now });
    expect(stop.checkLimits(1)).toBe(false);
    now = 51;
    expect(stop.checkLimits(1)).toBe(true);
    expect(stop.stopReason).toBe("timeout");
    expect(detector({ maxTokens: 3 }).checkLimits(3)).toBe(true);
    controller.abort();
    const cancelled = detector({ signal: controller.signal });
    expect(cancelled.stopsBeforeStart()).toBe(true);
    expect(cancelled.stopReason).toBe("aborted");
    const noRoom = detector({ maxTokens: 0 });
    expect(noRoom.stopsBeforeStart()).toBe(true);
    expect(noRoom.stopReason).toBe("maxTokens");
  });
});

describe("RequestMeter", () => {
  it("reports a request's share of its sequence's tokens, and its stages' times", () => {
    const tokens = new TokenMeter();
    tokens.add({ evaluated: 100, reused: 5 });
    let now = 10;
    const meter = new RequestMeter(tokens, () => now);
    now = 12;
    meter.promptStarted();
    tokens.add({ reused: 40, restored: 32, evaluated: 8 });
    now = 20;
    meter.promptEnded();
    now = 25;
    meter.tokenGenerated();
    now = 30;
    meter.tokenGenerated();
    tokens.add({ generated: 2, forced: 1, evaluated: 1 });
    expect(meter.metrics(50)).toEqual({
      promptTokens: 50,
      reusedTokens: 40,
      restoredTokens: 32,
      evaluatedTokens: 9,
      generatedTokens: 2,
      forcedTokens: 1,
      promptMs: 8,
      firstTokenMs: 15,
      generationMs: 10,
      totalMs: 20,
    });
    expect(tokens.getState().evaluated).toBe(109);
  });

  it("gives a prefill (no generation) no generation time and no first token", () => {
    let now = 0;
    const meter = new RequestMeter(new TokenMeter(), () => now);
    meter.promptStarted();
    now = 7;
    expect(meter.metrics(3)).toMatchObject({ promptMs: 7, generationMs: 0, firstTokenMs: null, totalMs: 7 });
  });
});
