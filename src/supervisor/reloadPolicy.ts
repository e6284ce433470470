// What a settings change does to the engine process (issue 27 item 2). Only a running engine that
// some feature uses loads the model again; a stopped one stays stopped (the user stopped it, or no
// feature has needed it yet), and a change never shows "No model is configured" by starting one.

import type { EngineState } from "./engineSupervisor.js";

export type EngineAfterSettingsChange = "reload" | "stop" | "leave";

export interface SettingsChangeFacts {
  state: EngineState["kind"];
  /** Whether a setting the loaded model depends on changed (model file, context, threads, cache…). */
  engineSettingsChanged: boolean;
  /** Whether ghost text, chat or refactors is served by the local engine after the change. */
  someFeatureIsLocal: boolean;
  /** Whether a model file is set after the change. */
  modelConfigured: boolean;
}

export function engineAfterSettingsChange(facts: SettingsChangeFacts): EngineAfterSettingsChange {
  const live = facts.state === "ready" || facts.state === "starting" || facts.state === "restarting";
  // Nothing to serve: free the memory of a running engine, start nothing.
  if (!facts.someFeatureIsLocal || !facts.modelConfigured) return live ? "stop" : "leave";
  if (!facts.engineSettingsChanged) return "leave";
  // An engine that failed to load or gave up after crashes gets the new settings as the user's fix.
  return live || facts.state === "loadFailed" || facts.state === "failed" ? "reload" : "leave";
}
