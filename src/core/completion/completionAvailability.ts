// Whether ghost text can show now for a language, and if not, why, in words for the status bar. The
// first reason that applies wins, in the order a user would fix them: their own switches first (the
// setting, a snooze, the language, VS Code's inline suggestions), then the backend.
import { clockTime } from "./snooze.js";

export type EngineStateKind = "stopped" | "starting" | "ready" | "loadFailed" | "restarting" | "failed";

export interface AvailabilityInput {
  /** deepseekLocal.completion.enabled */
  enabled: boolean;
  /** The active editor's language, or undefined without one. */
  languageId: string | undefined;
  /** Whether deepseekLocal.completion.languages lets ghost text into that language. */
  languageEnabled: boolean;
  /** When a snooze ends (epoch ms), or undefined when not snoozed. */
  snoozedUntil: number | undefined;
  /** VS Code's editor.inlineSuggest.enabled for that language. */
  inlineSuggestEnabled: boolean;
  backend: "local" | "remote";
  /** The local engine's state (asked only when completion is local). */
  engine: EngineStateKind;
  /** Whether deepseekLocal.model.path names a model. */
  modelConfigured: boolean;
  /** What is wrong with the remote settings, when completion is remote. */
  remoteProblem: string | undefined;
}

export type OffReason =
  | "disabled"
  | "snoozed"
  | "languageDisabled"
  | "inlineSuggestOff"
  | "noModel"
  | "engineLoading"
  | "engineStopped"
  | "engineFailed"
  | "remoteNotConfigured";

export type Availability =
  | { on: true }
  | {
      on: false;
      reason: OffReason;
      /** A few words for the status bar item, after an icon. */
      short: string;
      /** A sentence for the tooltip: why, and what turns it back on. */
      explanation: string;
    };

/** Reasons that lie with the engine or the model, not with the user's switches. */
export function isEngineReason(reason: OffReason): boolean {
  return reason === "noModel" || reason === "engineLoading" || reason === "engineStopped" || reason === "engineFailed";
}

function off(reason: OffReason, short: string, explanation: string): Availability {
  return { on: false, reason, short, explanation };
}

export function completionAvailability(input: AvailabilityInput): Availability {
  if (!input.enabled) return off("disabled", "ghost text off", "Ghost text is turned off (deepseekLocal.completion.enabled).");
  if (input.snoozedUntil !== undefined) {
    const until = clockTime(input.snoozedUntil);
    return off("snoozed", `snoozed until ${until}`, `Ghost text is snoozed until ${until}.`);
  }
  if (input.languageId !== undefined && !input.languageEnabled) {
    return off("languageDisabled", `off for ${input.languageId}`, `Ghost text is turned off for ${input.languageId} (deepseekLocal.completion.languages).`);
  }
  if (!input.inlineSuggestEnabled) {
    return off("inlineSuggestOff", "inline suggestions off", "VS Code's inline suggestions are turned off (editor.inlineSuggest.enabled).");
  }
  if (input.backend === "remote") {
    if (input.remoteProblem) return off("remoteNotConfigured", "server not set up", `Completion uses a server, but: ${input.remoteProblem}`);
    return { on: true };
  }
  if (!input.modelConfigured) return off("noModel", "no model", "No model is chosen: select a .gguf file or download one.");
  switch (input.engine) {
    case "ready":
      return { on: true };
    case "starting":
    case "restarting":
      return off("engineLoading", "loading", "The engine is loading the model; ghost text starts when it is ready.");
    case "stopped":
      return off("engineStopped", "engine stopped", "The engine is not running: restart it to get ghost text.");
    case "loadFailed":
    case "failed":
      return off("engineFailed", "engine failed", "The engine failed (see the log); restart it or choose another model.");
  }
}

/** Engine states whose status bar text already says what is wrong ("loading", "no model", "stopped"). */
const selfExplainingStates = new Set<EngineStateKind>(["starting", "restarting", "loadFailed", "failed"]);

/**
 * The status bar's note: a few words for the item while ghost text is off, unless the engine state's
 * own text already says it, and tooltip lines (why, and Restricted Mode ignoring workspace settings).
 */
export function statusNote(availability: Availability, engine: EngineStateKind, restricted: boolean): { short?: string; lines: string[] } | undefined {
  const restrictedLines = restricted ? ["Restricted Mode: this workspace's settings for the model, engine and server are ignored."] : [];
  if (availability.on) return restrictedLines.length ? { lines: restrictedLines } : undefined;
  const said = selfExplainingStates.has(engine) && isEngineReason(availability.reason);
  return { short: said ? undefined : availability.short, lines: [`Ghost text off: ${availability.explanation}`, ...restrictedLines] };
}
