// Why ghost text is off: the first reason that applies, in the order a user would fix them.
import { describe, expect, it } from "vitest";
import { completionAvailability, statusNote, type AvailabilityInput } from "../../../src/core/completion/completionAvailability.js";
import { clockTime } from "../../../src/core/completion/snooze.js";

const on: AvailabilityInput = {
  enabled: true,
  languageId: "typescript",
  languageEnabled: true,
  snoozedUntil: undefined,
  inlineSuggestEnabled: true,
  backend: "local",
  engine: "ready",
  modelConfigured: true,
  remoteProblem: undefined,
};

const reason = (change: Partial<AvailabilityInput>) => {
  const availability = completionAvailability({ ...on, ...change });
  return availability.on ? "on" : availability.reason;
};

describe("completionAvailability", () => {
  it("is on with a ready local engine, or a configured server whatever the local engine does", () => {
    expect(reason({})).toBe("on");
    expect(reason({ backend: "remote", engine: "stopped", modelConfigured: false })).toBe("on");
  });

  it("names the user's own switches before the engine", () => {
    expect(reason({ enabled: false, engine: "failed" })).toBe("disabled");
    expect(reason({ snoozedUntil: 5, languageEnabled: false, engine: "stopped" })).toBe("snoozed");
    expect(reason({ languageEnabled: false, modelConfigured: false })).toBe("languageDisabled");
    expect(reason({ inlineSuggestEnabled: false, engine: "starting" })).toBe("inlineSuggestOff");
  });

  it("says when a snooze ends and which language is off", () => {
    const until = new Date(2026, 0, 1, 8, 45).getTime();
    const snoozed = completionAvailability({ ...on, snoozedUntil: until });
    expect(snoozed).toMatchObject({ on: false, short: `snoozed until ${clockTime(until)}` });
    expect(completionAvailability({ ...on, languageId: "python", languageEnabled: false })).toMatchObject({ short: "off for python" });
  });

  it("ignores the language switch without an editor", () => {
    expect(reason({ languageId: undefined, languageEnabled: false })).toBe("on");
  });

  it("tells the local engine's states apart", () => {
    expect(reason({ modelConfigured: false, engine: "stopped" })).toBe("noModel");
    expect(reason({ engine: "starting" })).toBe("engineLoading");
    expect(reason({ engine: "restarting" })).toBe("engineLoading");
    expect(reason({ engine: "stopped" })).toBe("engineStopped");
    expect(reason({ engine: "loadFailed" })).toBe("engineFailed");
    expect(reason({ engine: "failed" })).toBe("engineFailed");
  });

  it("passes on what is wrong with the server's settings", () => {
    const availability = completionAvailability({ ...on, backend: "remote", remoteProblem: "Set deepseekLocal.remote.baseUrl." });
    expect(availability).toMatchObject({ on: false, reason: "remoteNotConfigured" });
    expect(!availability.on && availability.explanation).toContain("Set deepseekLocal.remote.baseUrl.");
  });
});

describe("statusNote", () => {
  const off = (change: Partial<AvailabilityInput>) => completionAvailability({ ...on, ...change });

  it("says nothing while ghost text is on, except Restricted Mode in the tooltip", () => {
    expect(statusNote({ on: true }, "ready", false)).toBeUndefined();
    expect(statusNote({ on: true }, "ready", true)).toEqual({ lines: [expect.stringContaining("Restricted Mode")] });
  });

  it("shows the user's own switches in the item whatever the engine does", () => {
    expect(statusNote(off({ enabled: false }), "loadFailed", false)?.short).toBe("ghost text off");
    expect(statusNote(off({ languageEnabled: false }), "ready", false)).toEqual({ short: "off for typescript", lines: [expect.stringContaining("deepseekLocal.completion.languages")] });
  });

  it("leaves an engine reason to the tooltip where the engine state's text already says it", () => {
    expect(statusNote(off({ engine: "starting" }), "starting", false)?.short).toBeUndefined();
    expect(statusNote(off({ modelConfigured: false, engine: "loadFailed" }), "loadFailed", false)?.short).toBeUndefined();
    // A stopped engine's item reads just "DeepSeek": the note says why.
    expect(statusNote(off({ modelConfigured: false, engine: "stopped" }), "stopped", false)?.short).toBe("no model");
  });
});
