import { describe, expect, it } from "vitest";
import type { EditSession } from "../../bench/editor/editSessions";
import { parseTeamSizes, sizeId } from "../../bench/team/teamSizes";
import { KEY_INTERVAL_MS, PAUSE_MS, offsetOf, startOffset, typistScript, type TypistEvent } from "../../bench/team/typistSchedule";

const session = (file: string, content: string, steps: EditSession["steps"]): EditSession => ({ file, content, steps });
const a = session("a.js", "let x = 1;\nlet y = 2;\n", [
  { kind: "newLineAtEnd" },
  { kind: "burst", text: "ab" },
  { kind: "moveTo", line: 1, column: 4 },
  { kind: "typeThrough", chars: 2, fallback: "xyz" },
  { kind: "accept", undo: false },
]);
const b = session("b.py", "x = 1\n", [{ kind: "burst", text: "c" }]);

const keys = (events: TypistEvent[]) => events.filter((e): e is Extract<TypistEvent, { kind: "key" }> => e.kind === "key");

describe("team typist schedule", () => {
  it("types each burst at the key interval, pauses after it, and moves without a key", () => {
    const script = typistScript(0, { sessions: 1, from: [a, b] });
    expect(script.events.map((e) => e.kind)).toEqual(["open", "move", "key", "key", "move", "key", "key"]);
    const typed = keys(script.events);
    expect(typed[1]!.at - typed[0]!.at).toBe(KEY_INTERVAL_MS);
    // After the burst: its pause, then the move (a key's time), then the next key.
    expect(typed[2]!.at - typed[1]!.at).toBe(PAUSE_MS + 2 * KEY_INTERVAL_MS);
    expect(typed.map((k) => k.lastOfBurst)).toEqual([false, true, false, true]);
    expect(script.endsAt).toBe(typed[3]!.at + PAUSE_MS);
  });

  it("edits a document model: appends at the end, then types in the middle of line 1 (the header comes first)", () => {
    const typed = keys(typistScript(2, { sessions: 1, from: [a, b] }).events);
    const header = "// typist-2/a.js: team bench typist 2\n";
    expect(typed[1]!.text).toBe(`${header}let x = 1;\nlet y = 2;\nab`);
    expect(typed[3]!.text).toBe(`${header}letxy x = 1;\nlet y = 2;\nab`);
    expect(typed[3]!.offset).toBe(header.length + "letxy".length);
    expect(typed[3]!.line).toBe(1);
  });

  it("gives each typist its own files, rotates the sessions, and lists the others as neighbours", () => {
    const first = typistScript(0, { sessions: 2, from: [a, b] });
    const second = typistScript(1, { sessions: 2, from: [a, b] });
    const opened = (s: typeof first) => s.events.filter((e) => e.kind === "open").map((e) => e.filename);
    expect(opened(first)).toEqual(["typist-0/a.js", "typist-0/b.py"]);
    expect(opened(second)).toEqual(["typist-1/b.py", "typist-1/a.js"]);
    expect(first.neighbours.map((n) => n.filename)).toEqual(["typist-0/b.py"]);
    expect(second.neighbours[0]!.text.startsWith("// typist-1/a.js")).toBe(true);
    expect((second.events[0] as Extract<TypistEvent, { kind: "open" }>).text.startsWith("# typist-1/b.py")).toBe(true);
  });

  it("spreads typists' starts over the stagger, differently for each", () => {
    const starts = Array.from({ length: 8 }, (_, i) => startOffset(i, 1000));
    expect(new Set(starts).size).toBe(8);
    expect(Math.min(...starts)).toBe(0);
    expect(Math.max(...starts)).toBeLessThan(1000);
    expect(typistScript(5, { sessions: 1, from: [a], staggerMs: 1000 }).events[0]!.at).toBe(startOffset(5, 1000));
  });

  it("finds offsets by 1-based line and column, clamped to the line", () => {
    expect(offsetOf("ab\ncde\n", 2, 2)).toBe(4);
    expect(offsetOf("ab\ncde\n", 2, "end")).toBe(6);
    expect(offsetOf("ab\ncde\n", 1, 99)).toBe(2);
  });
});

describe("team sizes", () => {
  it("defaults to 1, 4 and 8 typists a slot each, and 8 on 2 slots", () => {
    expect(parseTeamSizes(undefined).map((s) => sizeId(s, false))).toEqual(["1", "4", "8", "8_on_2"]);
  });

  it("reads typists or typists/slots, smallest team first, and refuses anything else", () => {
    expect(parseTeamSizes("8/4, 2,8")).toEqual([
      { typists: 2, slots: 2 },
      { typists: 8, slots: 8 },
      { typists: 8, slots: 4 },
    ]);
    expect(() => parseTeamSizes("4,x")).toThrow(/typists\/slots/);
    expect(() => parseTeamSizes("0")).toThrow();
  });

  it("names a size by its typists alone against a user's server", () => {
    expect(sizeId({ typists: 8, slots: 2 }, true)).toBe("8");
  });
});
