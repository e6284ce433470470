import { describe, expect, it } from "vitest";
import { SseParser } from "../../../src/core/remote/sse.js";

/** Feeds `text` in pieces of `pieceLength` characters and collects the events. */
function parseInPieces(text: string, pieceLength: number) {
  const parser = new SseParser();
  const events = [];
  for (let i = 0; i < text.length; i += pieceLength) events.push(...parser.push(text.slice(i, i + pieceLength)));
  const end = parser.end();
  events.push(...end.events);
  return { events, end };
}

describe("SseParser", () => {
  const stream = 'data: {"a":1}\n\n: keep-alive\n\nevent: error\ndata: {"error":"x"}\n\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n';

  it("yields the same events however the bytes are split", () => {
    const whole = parseInPieces(stream, stream.length);
    expect(whole.events.map((e) => [e.event, e.data])).toEqual([
      ["message", '{"a":1}'],
      ["error", '{"error":"x"}'],
      ["message", "line one\nline two"],
      ["message", "[DONE]"],
    ]);
    for (const size of [1, 2, 3, 7, 13]) expect(parseInPieces(stream, size).events).toEqual(whole.events);
    expect(whole.end.truncated).toBe(false);
  });

  it("accepts CRLF and CR line ends, including a CRLF split across chunks", () => {
    const crlf = stream.replace(/\n/g, "\r\n");
    const cr = stream.replace(/\n/g, "\r");
    const expected = parseInPieces(stream, 1000).events;
    for (const size of [1, 2, 5]) {
      expect(parseInPieces(crlf, size).events).toEqual(expected);
      expect(parseInPieces(cr, size).events).toEqual(expected);
    }
  });

  it("strips one leading space only, ignores comments and unknown fields, reads id and retry", () => {
    const parser = new SseParser();
    const events = parser.push("data:  two spaces\nfoo: bar\nid: 7\nretry: 1500\n\ndata\n\n");
    expect(events).toEqual([
      { event: "message", data: " two spaces", id: "7", retryMs: 1500 },
      // id and retry are stream state: they carry over to later events
      { event: "message", data: "", id: "7", retryMs: 1500 },
    ]);
  });

  it("drops a byte order mark at the start of the stream", () => {
    expect(new SseParser().push("\uFEFFdata: x\n\n")).toEqual([{ event: "message", data: "x" }]);
  });

  it("does not dispatch an event without data", () => {
    expect(new SseParser().push("event: ping\n\n")).toEqual([]);
  });

  it("reports an unterminated last event as truncated and does not dispatch it", () => {
    const parser = new SseParser();
    expect(parser.push('data: {"a":1}\n\ndata: {"b"')).toHaveLength(1);
    expect(parser.end()).toEqual({ events: [], truncated: true });
    const complete = new SseParser();
    complete.push("data: x\n\n");
    expect(complete.end()).toEqual({ events: [], truncated: false });
  });
});
