import { describe, expect, it } from "vitest";
import { StopStringScanner, TurnBatchedText, endsWithIncompleteCharacter } from "../../src/core/generation/textStream.js";

function feed(stops: string[], chunks: string[]) {
  const scanner = new StopStringScanner(stops);
  let shown = "";
  let stopped = false;
  for (const chunk of chunks) {
    const scan = scanner.push(chunk);
    shown += scan.emit;
    if (scan.stopped) {
      stopped = true;
      break;
    }
  }
  if (!stopped) shown += scanner.flush();
  return { shown, stopped };
}

describe("StopStringScanner", () => {
  it("passes text through when there are no stop strings", () => {
    expect(feed([], ["a", "b\n", "c"])).toEqual({ shown: "ab\nc", stopped: false });
  });

  it("cuts at a stop string inside one chunk", () => {
    expect(feed(["\n\n"], ["return x;\n\nfoo"])).toEqual({ shown: "return x;", stopped: true });
  });

  it("finds a stop string split across chunks and never shows its start", () => {
    const scanner = new StopStringScanner(["<|EOT|>"]);
    expect(scanner.push("done <|").emit).toBe("done ");
    const end = scanner.push("EOT|> tail");
    expect(end).toEqual({ emit: "", stopped: true });
  });

  it("releases a held-back tail that turned out not to be a stop string", () => {
    expect(feed(["User:"], ["Use", "ful"])).toEqual({ shown: "Useful", stopped: false });
  });

  it("stops at the earliest of several stop strings", () => {
    expect(feed(["B", "A"], ["xxAyyB"])).toEqual({ shown: "xx", stopped: true });
  });

  it("holds back a partial stop at the end until flush", () => {
    const scanner = new StopStringScanner(["###"]);
    expect(scanner.push("a##").emit).toBe("a");
    expect(scanner.flush()).toBe("##");
  });
});

describe("endsWithIncompleteCharacter", () => {
  it("detects a replacement character at the end", () => {
    expect(endsWithIncompleteCharacter("abc\uFFFD")).toBe(true);
    expect(endsWithIncompleteCharacter("abc é")).toBe(false);
  });
});

describe("TurnBatchedText", () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it("sends the chunks of one event-loop turn as one, after the turn", async () => {
    const sent: string[] = [];
    const stream = new TurnBatchedText((text) => sent.push(text));
    stream.push("con");
    stream.push("st");
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual(["const"]);
    stream.push(" x");
    await nextTurn();
    expect(sent).toEqual(["const", " x"]);
  });

  it("flush sends what is buffered at once and nothing is sent after it", async () => {
    const sent: string[] = [];
    const stream = new TurnBatchedText((text) => sent.push(text));
    stream.push("a");
    stream.push("b");
    stream.flush();
    expect(sent).toEqual(["ab"]);
    stream.flush();
    await nextTurn();
    expect(sent).toEqual(["ab"]);
  });
});
