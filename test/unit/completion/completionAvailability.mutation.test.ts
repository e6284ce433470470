// The status bar's words for why ghost text is off, and which of them the engine state's own text
// already says: the edges completionAvailability.test.ts does not pin (docs/mutation.md).
import { describe, expect, it } from "vitest";
import {
  completionAvailability,
  isEngineReason,
  statusNote,
  type AvailabilityInput,
  type EngineStateKind,
  type OffReason,
} from "../../../src/core/completion/completionAvailability.js";
import { clockTime } from "../../../src/core/completion/snooze.js";

// Everything switched on, a ready local engine with a model: ghost text shows.
const ready: AvailabilityInput = {
  backend: "local", engine: "ready", modelConfigured: true, remoteProblem: undefined,
  enabled: true, snoozedUntil: undefined, languageId: "rust", languageEnabled: true, inlineSuggestEnabled: true,
};
const availability = (change: Partial<AvailabilityInput>) => completionAvailability({ ...ready, ...change });

describe("completionAvailability: what the user reads", () => {
  // The item's few words and the tooltip's sentence are the user's only clue to turn ghost text back on.
  it.each<[string, Partial<AvailabilityInput>, OffReason, string, string]>([
    ["turned off", { enabled: false }, "disabled", "ghost text off", "Ghost text is turned off (deepseekLocal.completion.enabled)."],
    ["off for the language", { languageEnabled: false }, "languageDisabled", "off for rust", "Ghost text is turned off for rust (deepseekLocal.completion.languages)."],
    ["inline suggestions off", { inlineSuggestEnabled: false }, "inlineSuggestOff", "inline suggestions off", "VS Code's inline suggestions are turned off (editor.inlineSuggest.enabled)."],
    ["server not set up", { backend: "remote", remoteProblem: "no URL." }, "remoteNotConfigured", "server not set up", "Completion uses a server, but: no URL."],
    ["no model", { modelConfigured: false }, "noModel", "no model", "No model is chosen: select a .gguf file or download one."],
    ["loading", { engine: "starting" }, "engineLoading", "loading", "The engine is loading the model; ghost text starts when it is ready."],
    ["restarting", { engine: "restarting" }, "engineLoading", "loading", "The engine is loading the model; ghost text starts when it is ready."],
    ["stopped", { engine: "stopped" }, "engineStopped", "engine stopped", "The engine is not running: restart it to get ghost text."],
    ["load failed", { engine: "loadFailed" }, "engineFailed", "engine failed", "The engine failed (see the log); restart it or choose another model."],
    ["failed", { engine: "failed" }, "engineFailed", "engine failed", "The engine failed (see the log); restart it or choose another model."],
  ])("%s", (_, change, reason, short, explanation) => {
    expect(availability(change)).toEqual({ on: false, reason, short, explanation });
  });

  it("says until when a snooze lasts, in the item and the tooltip", () => {
    const until = new Date(2026, 4, 2, 14, 5).getTime();
    const time = clockTime(until);
    expect(availability({ snoozedUntil: until })).toEqual({ on: false, reason: "snoozed", short: `snoozed until ${time}`, explanation: `Ghost text is snoozed until ${time}.` });
  });

  it("a snooze ending at epoch 0 is still a snooze (only undefined means none)", () => {
    expect(availability({ snoozedUntil: 0 })).toMatchObject({ on: false, reason: "snoozed" });
  });

  it("a configured server shows ghost text whatever the local model and engine are", () => {
    // Without a remote problem the server answers; the local engine's state must not hide ghost text.
    expect(availability({ backend: "remote", remoteProblem: undefined, modelConfigured: false, engine: "failed" })).toEqual({ on: true });
    expect(availability({ backend: "remote", remoteProblem: "" })).toEqual({ on: true });
  });
});

describe("isEngineReason", () => {
  // Engine reasons go to the tooltip when the engine's item already says it; the user's switches never do.
  it("is true exactly for the engine's and the model's reasons", () => {
    const reasons: OffReason[] = ["disabled", "snoozed", "languageDisabled", "inlineSuggestOff", "noModel", "engineLoading", "engineStopped", "engineFailed", "remoteNotConfigured"];
    expect(reasons.filter(isEngineReason)).toEqual(["noModel", "engineLoading", "engineStopped", "engineFailed"]);
  });
});

describe("statusNote: the item and the tooltip", () => {
  const selfExplaining: EngineStateKind[] = ["starting", "restarting", "loadFailed", "failed"];

  it.each(selfExplaining)("leaves an engine reason out of the item while the engine's own text says %s", (engine) => {
    for (const change of [{ modelConfigured: false }, { engine }, { engine: "stopped" as const }]) {
      const off = availability(change);
      expect(statusNote(off, engine, false)).toEqual({ short: undefined, lines: [`Ghost text off: ${!off.on && off.explanation}`] });
    }
  });

  it("keeps the item's words with a ready or stopped engine, whose text does not say why", () => {
    for (const engine of ["ready", "stopped"] as const) {
      expect(statusNote(availability({ modelConfigured: false }), engine, false)?.short).toBe("no model");
      expect(statusNote(availability({ engine: "stopped" }), engine, false)?.short).toBe("engine stopped");
    }
  });

  it("keeps the user's own switch in the item even while the engine loads", () => {
    expect(statusNote(availability({ inlineSuggestEnabled: false }), "starting", false)?.short).toBe("inline suggestions off");
  });

  it("adds the Restricted Mode line after the reason, and alone while ghost text is on", () => {
    const restricted = "Restricted Mode: this workspace's settings for the model, engine and server are ignored.";
    expect(statusNote(availability({ enabled: false }), "ready", true)).toEqual({
      short: "ghost text off",
      lines: ["Ghost text off: Ghost text is turned off (deepseekLocal.completion.enabled).", restricted],
    });
    expect(statusNote({ on: true }, "ready", true)).toEqual({ lines: [restricted] });
    expect(statusNote({ on: true }, "ready", false)).toBeUndefined();
  });
});
