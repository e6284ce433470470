// The line limit in the engine's stop detection (issue 27 item 4): generation ends before the line
// break after line `maxLines`, with its own reason, so the host never cancels for it.
import { describe, expect, it } from "vitest";
import { StopDetector } from "../../../src/engine/stopDetector.js";

const detector = (maxLines: number | undefined, stopStrings: string[] = [], onText?: (text: string) => void) =>
  new StopDetector({ stopStrings, maxTokens: 100, maxLines, startedAt: 0, json: false, signal: new AbortController().signal }, onText);

describe("StopDetector with maxLines", () => {
  it("stops before the line break after the last line, with stopReason lineLimit", () => {
    const streamed: string[] = [];
    const stop = detector(2, [], (text) => streamed.push(text));
    expect(stop.pushText("a = 1\n")).toBe(false);
    expect(stop.pushText("b = 2\nc = 3")).toBe(true);
    stop.finish("\nd");
    expect(stop.answer).toBe("a = 1\nb = 2");
    expect(streamed.join("")).toBe("a = 1\nb = 2");
    expect(stop.stopReason).toBe("lineLimit");
  });

  it("says lineLimit when the limit comes before a stop string in the same piece, stopString when after", () => {
    const first = detector(1, ["END"]);
    expect(first.pushText("x\nyEND")).toBe(true);
    expect([first.answer, first.stopReason]).toEqual(["x", "lineLimit"]);
    const second = detector(1, ["END"]);
    expect(second.pushText("xEND\n")).toBe(true);
    expect([second.answer, second.stopReason]).toEqual(["x", "stopString"]);
  });

  it("without maxLines, line breaks end nothing", () => {
    const stop = detector(undefined);
    expect(stop.pushText("a\nb\nc\n")).toBe(false);
    stop.finish("");
    expect([stop.answer, stop.stopReason]).toEqual(["a\nb\nc\n", "eos"]);
  });
});
