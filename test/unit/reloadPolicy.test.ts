import { describe, expect, it } from "vitest";
import { engineAfterSettingsChange, type SettingsChangeFacts } from "../../src/supervisor/reloadPolicy.js";

const facts = (over: Partial<SettingsChangeFacts>): SettingsChangeFacts => ({
  state: "ready",
  engineSettingsChanged: true,
  someFeatureIsLocal: true,
  modelConfigured: true,
  ...over,
});

describe("engineAfterSettingsChange", () => {
  it("loads the model again only in an engine that runs or failed, when its settings changed", () => {
    expect(engineAfterSettingsChange(facts({ state: "ready" }))).toBe("reload");
    expect(engineAfterSettingsChange(facts({ state: "starting" }))).toBe("reload");
    expect(engineAfterSettingsChange(facts({ state: "restarting" }))).toBe("reload");
    expect(engineAfterSettingsChange(facts({ state: "loadFailed" }))).toBe("reload");
    expect(engineAfterSettingsChange(facts({ state: "failed" }))).toBe("reload");
    expect(engineAfterSettingsChange(facts({ state: "ready", engineSettingsChanged: false }))).toBe("leave");
  });

  it("never starts a stopped engine", () => {
    expect(engineAfterSettingsChange(facts({ state: "stopped" }))).toBe("leave");
    expect(engineAfterSettingsChange(facts({ state: "stopped", modelConfigured: false }))).toBe("leave");
    expect(engineAfterSettingsChange(facts({ state: "stopped", someFeatureIsLocal: false }))).toBe("leave");
  });

  it("stops a running engine that no feature uses or that has no model left, and leaves one that does not run", () => {
    expect(engineAfterSettingsChange(facts({ someFeatureIsLocal: false, engineSettingsChanged: false }))).toBe("stop");
    expect(engineAfterSettingsChange(facts({ modelConfigured: false }))).toBe("stop");
    expect(engineAfterSettingsChange(facts({ state: "loadFailed", modelConfigured: false }))).toBe("leave");
    expect(engineAfterSettingsChange(facts({ state: "failed", someFeatureIsLocal: false }))).toBe("leave");
  });
});
