// What the status-bar menu offers in a given state: ghost text switches (this language, snooze, all),
// the backend of each feature, and the model and engine. Plain entries; the editor side turns them
// into Quick Pick items and runs their actions.
import type { EngineStateKind } from "../completion/completionAvailability.js";
import { clockTime } from "../completion/snooze.js";
import { backendFeatures, type BackendFeature, type BackendKind } from "../remote/remoteSettings.js";

export type MenuAction =
  | { kind: "command"; command: string }
  | { kind: "setLanguageEnabled"; languageId: string; enabled: boolean }
  | { kind: "snooze" }
  | { kind: "resume" }
  | { kind: "setBackend"; feature: BackendFeature; backend: BackendKind }
  | { kind: "configureRemote" };

export type MenuEntry = { separator: string } | { label: string; description?: string; action: MenuAction };

export interface MenuState {
  completionEnabled: boolean;
  /** The active editor's language, if there is one. */
  languageId: string | undefined;
  languageEnabled: boolean;
  snoozedUntil: number | undefined;
  backends: Record<BackendFeature, BackendKind>;
  /** Per feature, the server it would use (its own or the shared one), or undefined when none is usable. */
  serverUrls: Record<BackendFeature, string | undefined>;
  engine: EngineStateKind;
  /** The model file the local engine loads, or undefined when none is chosen. */
  modelPath: string | undefined;
}

const featureTitles: Record<BackendFeature, string> = { completion: "Ghost text", chat: "Chat", refactor: "Refactors" };

const engineWords: Record<EngineStateKind, string> = {
  stopped: "not running",
  starting: "loading",
  ready: "running",
  loadFailed: "model failed to load",
  restarting: "restarting",
  failed: "stopped after failures",
};

function ghostTextEntries(state: MenuState): MenuEntry[] {
  const entries: MenuEntry[] = [{ separator: "Ghost text" }];
  const { languageId } = state;
  if (languageId !== undefined) {
    entries.push(
      state.languageEnabled
        ? { label: `$(circle-slash) Disable Ghost Text for ${languageId}`, action: { kind: "setLanguageEnabled", languageId, enabled: false } }
        : { label: `$(check) Enable Ghost Text for ${languageId}`, action: { kind: "setLanguageEnabled", languageId, enabled: true } },
    );
  }
  entries.push(
    state.snoozedUntil !== undefined
      ? { label: "$(bell) Resume Ghost Text", description: `snoozed until ${clockTime(state.snoozedUntil)}`, action: { kind: "resume" } }
      : { label: "$(bell-slash) Snooze Ghost Text…", description: "5, 15 or 60 minutes", action: { kind: "snooze" } },
    state.completionEnabled
      ? { label: "$(circle-slash) Turn Ghost Text Off Everywhere", action: { kind: "command", command: "deepseekLocal.toggleCompletion" } }
      : { label: "$(check) Turn Ghost Text On", description: "off everywhere now", action: { kind: "command", command: "deepseekLocal.toggleCompletion" } },
  );
  return entries;
}

function backendEntries(state: MenuState): MenuEntry[] {
  const entries: MenuEntry[] = [{ separator: "Where each feature runs" }];
  for (const feature of backendFeatures) {
    const current = state.backends[feature];
    const title = featureTitles[feature];
    if (current === "remote") {
      entries.push({
        label: `$(cloud) ${title}: server`,
        description: "switch to the local engine",
        action: { kind: "setBackend", feature, backend: "local" },
      });
    } else if (state.serverUrls[feature]) {
      entries.push({
        label: `$(vm) ${title}: local engine`,
        description: `switch to ${state.serverUrls[feature]}`,
        action: { kind: "setBackend", feature, backend: "remote" },
      });
    } else {
      entries.push({ label: `$(vm) ${title}: local engine`, description: "set up a server to switch…", action: { kind: "configureRemote" } });
    }
  }
  return entries;
}

function modelEntries(state: MenuState): MenuEntry[] {
  const usesLocal = Object.values(state.backends).includes("local");
  const entries: MenuEntry[] = [
    { separator: "Model and engine" },
    { label: "$(file) Select Model File…", description: state.modelPath ?? "no model chosen", action: { kind: "command", command: "deepseekLocal.selectModelFile" } },
    { label: "$(cloud-download) Download Model…", action: { kind: "command", command: "deepseekLocal.downloadModel" } },
  ];
  if (usesLocal && state.modelPath) {
    entries.push({ label: "$(debug-restart) Restart Engine", description: engineWords[state.engine], action: { kind: "command", command: "deepseekLocal.restartEngine" } });
  }
  entries.push(
    { label: "$(database) Show Cache Stats", action: { kind: "command", command: "deepseekLocal.showCacheStats" } },
    { label: "$(output) Show Log", action: { kind: "command", command: "deepseekLocal.showLog" } },
  );
  return entries;
}

export function statusMenuEntries(state: MenuState): MenuEntry[] {
  return [...ghostTextEntries(state), ...backendEntries(state), ...modelEntries(state)];
}
