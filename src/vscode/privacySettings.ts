// The privacy opt-ins (issue 19, items 6 and 7), read from the user's settings only: a repository's
// .vscode/settings.json must not be able to turn on clipboard reading or let secret files into
// prompts. package.json gives both keys `"scope": "application"`; reading the user value here keeps
// that true whatever the editor does with the scope.
// TODO(settings): fold into config.ts (the one reader of settings) once its rework has landed.
import * as vscode from "vscode";
import type { PrivacySettings } from "../core/privacy/secretPaths.js";

const section = "deepseekLocal";

function userValue<T>(key: string, fallback: T, check: (value: unknown) => value is T): T {
  const inspected = vscode.workspace.getConfiguration(section).inspect<unknown>(key);
  const value = inspected?.globalValue ?? inspected?.defaultValue;
  return check(value) ? value : fallback;
}

const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";

/** Whether completion's extra context may include the clipboard (`completion.extraContext.clipboard`, default off). */
export function clipboardContextAllowed(): boolean {
  return userValue("completion.extraContext.clipboard", false, isBoolean);
}

/** Secret-looking files only on the user's opt-in (`privacy.allowSecretFiles`), files.exclude never. */
export function privacySettings(): PrivacySettings {
  const exclude = vscode.workspace.getConfiguration("files").get<Record<string, unknown>>("exclude", {});
  return {
    allowSecretFiles: userValue("privacy.allowSecretFiles", false, isBoolean),
    excludeGlobs: Object.entries(exclude ?? {})
      .filter(([, on]) => on === true)
      .map(([glob]) => glob),
  };
}

/** Whether a configuration change touches what may reach a prompt. */
export function affectsPrivacy(event: vscode.ConfigurationChangeEvent): boolean {
  return (
    event.affectsConfiguration(`${section}.privacy`) ||
    event.affectsConfiguration(`${section}.completion.extraContext`) ||
    event.affectsConfiguration("files.exclude")
  );
}
