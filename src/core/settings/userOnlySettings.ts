// Settings a workspace must not set. A repository's .vscode/settings.json is written by whoever wrote
// the repository: it must not choose where code and keys are sent, what runs, which files are read or
// written, or what the model is told (issue 19, item 8). package.json gives these a `machine` or
// `application` scope and lists them in `restrictedConfigurations`; the reader below ignores workspace
// values of them anyway, so the protection does not rest on the editor honouring the scope.

/** Keys under `deepseekLocal.` read from user settings (or the default) only. */
export const userOnlySettings = [
  // What runs and what it reads or writes.
  "model.path",
  "model.folder",
  "engine.gpuLayers",
  "engine.threads",
  "engine.contextSize",
  "engine.flashAttention",
  "engine.startOnActivation",
  "engine.shareAcrossWindows",
  "engine.idleExitMinutes",
  "cache.enabled",
  "cache.directory",
  "cache.maxSizeGB",
  "cache.minPrefixTokens",
  // Where code, keys and headers go.
  "backend.completion",
  "backend.chat",
  "backend.refactor",
  "remote.baseUrl",
  "remote.model",
  "remote.flavor",
  "remote.fim",
  "remote.tools",
  "remote.timeoutMs",
  "remote.streamIdleTimeoutMs",
  "remote.maxRetries",
  "remote.headers",
  "remote.extraBody",
  "remote.completion.baseUrl",
  "remote.completion.model",
  "remote.chat.baseUrl",
  "remote.chat.model",
  "remote.refactor.baseUrl",
  "remote.refactor.model",
  // What the model is told and may do.
  "chat.systemPrompt",
  "chat.tools",
  "chat.editTools",
  "chat.commandTimeoutSeconds",
  "chat.externalTools",
  "refactor.customActions",
  // What may reach a prompt: the privacy opt-ins (issue 19, items 6 and 7).
  "completion.extraContext.clipboard",
  "privacy.allowSecretFiles",
] as const;

export type UserOnlySetting = (typeof userOnlySettings)[number];

const userOnly = new Set<string>(userOnlySettings);

export function isUserOnlySetting(key: string): boolean {
  return userOnly.has(key);
}

/** What `WorkspaceConfiguration.inspect` reports for one setting (the fields we use). */
export interface SettingInspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

export interface UserOnlyValue {
  /** The user's value, else the default. */
  value: unknown;
  /** A workspace or folder value that differs from it and was not used. */
  ignored: boolean;
}

/** The user's value of a setting, never the workspace's or folder's. */
export function userOnlyValue(inspection: SettingInspection | undefined): UserOnlyValue {
  const value = inspection?.globalValue !== undefined ? inspection.globalValue : inspection?.defaultValue;
  const scoped = [inspection?.workspaceValue, inspection?.workspaceFolderValue, inspection?.workspaceLanguageValue, inspection?.workspaceFolderLanguageValue];
  const ignored = scoped.some((candidate) => candidate !== undefined && JSON.stringify(candidate) !== JSON.stringify(value));
  return { value, ignored };
}

export interface SettingSource {
  /** The merged value (user, workspace, folder): fine for settings a workspace may set. */
  get(key: string): unknown;
  inspect(key: string): SettingInspection | undefined;
}

/**
 * Reads `deepseekLocal.*` settings: user-only ones through `inspect` (user value or default), the rest
 * merged. `onIgnored` hears each key whose workspace value was set aside, at each read.
 */
export function readSetting(source: SettingSource, key: string, onIgnored?: (key: string) => void): unknown {
  if (!isUserOnlySetting(key)) return source.get(key);
  const { value, ignored } = userOnlyValue(source.inspect(key));
  if (ignored) onIgnored?.(key);
  return value;
}
