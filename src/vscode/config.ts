// The one reader of settings, and the one listener for their changes. Core code receives plain
// objects built here. Settings that decide where code goes, what runs and which files are touched are
// read from user settings only, whatever their declared scope (core/settings/userOnlySettings.ts,
// issue 19 item 8). Once `watch()`ed, the settings are read from one snapshot per change (a
// completion request reads ~100 of them), and `onDidChange` says which areas a change touched.
import type { ChatSettings } from "../core/chat/chatSession.js";
import path from "node:path";
import * as vscode from "vscode";
import { defaultCompletionSettings, type CompletionSettings } from "../core/completion/completionPipeline.js";
import type { PrivacySettings } from "../core/privacy/secretPaths.js";
import { readBackendSettings, type BackendFeature, type BackendKind, type BackendSettings } from "../core/remote/remoteSettings.js";
import { readSetting, type SettingSource } from "../core/settings/userOnlySettings.js";
import type { LoadParams } from "../protocol/engine.js";
import { externalToolNames } from "../core/languageModel/externalTools.js";

const section = "deepseekLocal";

/** Settings whose change needs the engine restarted (they shape the loaded model or context). */
export const engineRestartSettings = [
  "model.path",
  "engine.gpuLayers",
  "engine.contextSize",
  "engine.threads",
  "engine.flashAttention",
  "engine.shareAcrossWindows",
  "cache.enabled",
  "cache.directory",
  "cache.maxSizeGB",
  "cache.minPrefixTokens",
] as const;

// The manifest's defaults, for a source that has no value (VS Code always supplies the manifest's;
// test/unit/settings/manifestDefaults.test.ts keeps the two equal).
const defaultSystemPrompt =
  "You are DeepSeek Local, a coding assistant inside VS Code. Answer concisely. Put code in fenced blocks with the language name.";
const defaultCompletionLanguages: Readonly<Record<string, boolean>> = { "*": true, plaintext: false, markdown: false, scminput: false };

export interface CompletionConfig {
  enabled: boolean;
  /** Language id → on/off; "*" is the default for the others. */
  languages: Record<string, boolean>;
  pipeline: CompletionSettings;
}

/** What Config reads settings through: vscode's WorkspaceConfiguration for the `deepseekLocal` section. */
export type SettingsReader = Pick<vscode.WorkspaceConfiguration, "get" | "inspect">;

/** The areas a settings change can touch, each with the settings (full keys) that make it up. */
const settingsAreas = {
  /** What the loaded model and its context are: a change needs the engine to load again. */
  engine: engineRestartSettings.map((key) => `${section}.${key}`),
  /** Which backend serves each feature, and the remote server. */
  backends: [`${section}.backend`, `${section}.remote`],
  /** Anything about ghost text. */
  completion: [`${section}.completion`],
  /** Whether ghost text is on at all, or for a language (VS Code's own switch included). */
  completionSwitches: [`${section}.completion.enabled`, `${section}.completion.languages`, "editor.inlineSuggest.enabled"],
  /** What may reach a prompt. */
  privacy: [`${section}.privacy`, `${section}.completion.extraContext`, "files.exclude"],
  /** The model file. */
  model: [`${section}.model`],
  /** The user's refactor actions. */
  refactorActions: [`${section}.refactor.customActions`],
  /** Any setting of this extension. */
  any: [section],
} as const satisfies Record<string, readonly string[]>;
export type SettingsArea = keyof typeof settingsAreas;

/** A settings change, by area. */
export interface SettingsChange {
  affects(area: SettingsArea): boolean;
}

export function settingsChangeOf(event: Pick<vscode.ConfigurationChangeEvent, "affectsConfiguration">): SettingsChange {
  return { affects: (area) => settingsAreas[area].some((key) => event.affectsConfiguration(key)) };
}

export class Config implements vscode.Disposable {
  /** Keys whose workspace value was set aside and reported (once per key and session). */
  private readonly reportedIgnored = new Set<string>();
  /** The settings as of the last change, while watched; read afresh each time otherwise. */
  private snapshot: SettingsReader | undefined;
  private watching: vscode.Disposable | undefined;
  private readonly changeListeners = new Set<(change: SettingsChange) => void>();

  /**
   * @param storageDirectory the extension's global storage folder (default home of the disk cache)
   * @param log where a workspace value that was set aside is reported
   * @param read where the `deepseekLocal` settings are read from; another source only in tests that
   *   compare the code's own defaults (a source with no values) with the manifest's
   */
  constructor(
    private readonly storageDirectory: string,
    private readonly log?: Pick<vscode.LogOutputChannel, "warn">,
    private readonly read: () => SettingsReader = () => vscode.workspace.getConfiguration(section),
  ) {}

  private get raw(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(section);
  }

  /**
   * From now on: read settings from one snapshot per change, and tell `onDidChange` listeners what
   * changed, after the snapshot is renewed. The extension calls it once; tests that set values
   * without an event read afresh.
   */
  watch(): this {
    this.watching ??= vscode.workspace.onDidChangeConfiguration((event) => {
      this.snapshot = undefined;
      const change = settingsChangeOf(event);
      for (const listener of [...this.changeListeners]) listener(change);
    });
    return this;
  }

  /** Called after each settings change (once watched), with the areas it touched. */
  onDidChange(listener: (change: SettingsChange) => void): vscode.Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => void this.changeListeners.delete(listener) };
  }

  dispose(): void {
    this.watching?.dispose();
    this.changeListeners.clear();
  }

  private reader(): SettingsReader {
    if (!this.watching) return this.read();
    return (this.snapshot ??= this.read());
  }

  /** VS Code's own switch for inline suggestions, for this document's language. */
  inlineSuggestEnabled(scope?: vscode.ConfigurationScope): boolean {
    return vscode.workspace.getConfiguration("editor", scope).get<boolean>("inlineSuggest.enabled", true) !== false;
  }

  /** One setting's value: user-only settings ignore workspace and folder values. */
  private value<T>(key: string, fallback: T): T {
    const raw = this.reader();
    const source: SettingSource = { get: (k) => raw.get(k), inspect: (k) => raw.inspect(k) };
    const value = readSetting(source, key, (ignored) => this.reportIgnored(ignored));
    return value === undefined ? fallback : (value as T);
  }

  private reportIgnored(key: string): void {
    if (this.reportedIgnored.has(key)) return;
    const first = this.reportedIgnored.size === 0;
    this.reportedIgnored.add(key);
    this.log?.warn(`the workspace sets ${section}.${key}; ignored: this setting is read from user settings only`);
    if (first) {
      void vscode.window.showWarningMessage(
        `DeepSeek Local: this workspace's settings try to change ${section}.${key}, which decides where code is sent, what runs or which files are used. ` +
          "The workspace value is ignored; set it in your user settings if you want it. (Other such settings are listed in the DeepSeek Local log.)",
      );
    }
  }

  get modelPath(): string {
    return this.value<string>("model.path", "").trim();
  }

  /** Where downloaded models go: the user's folder, or the extension's global storage. */
  get modelFolder(): string {
    return this.value<string>("model.folder", "").trim() || path.join(this.storageDirectory, "models");
  }

  get contextSize(): number {
    return contextSizeSetting(this.value<unknown>("engine.contextSize", 8192));
  }

  get startOnActivation(): boolean {
    return this.value<boolean>("engine.startOnActivation", true);
  }

  /** One engine for all of this user's windows, and how long it stays up with none attached; undefined: one per window. */
  get sharedEngine(): { idleExitMs: number } | undefined {
    if (!this.value<boolean>("engine.shareAcrossWindows", true)) return undefined;
    const minutes = this.value<number>("engine.idleExitMinutes", 5);
    return { idleExitMs: Math.round(Math.min(24 * 60, Math.max(0.1, Number(minutes) || 5)) * 60_000) };
  }

  /** The chat's settings, read at each turn. */
  get chat(): ChatSettings & { commandTimeoutMs: number; externalTools: string[] } {
    const bounded = (key: string, fallback: number, min: number, max: number) => Math.min(max, Math.max(min, Math.floor(this.value<number>(key, fallback) || fallback)));
    return {
      systemPrompt: this.value<string>("chat.systemPrompt", defaultSystemPrompt),
      maxTokens: Math.max(16, Math.floor(this.value<number>("chat.maxTokens", 1024))),
      tools: this.value<boolean>("chat.tools", true),
      editTools: this.value<boolean>("chat.editTools", true),
      maxSteps: bounded("chat.maxSteps", 8, 1, 25),
      maxTurnTokens: bounded("chat.maxTurnTokens", 8192, 256, 131_072),
      commandTimeoutMs: bounded("chat.commandTimeoutSeconds", 300, 5, 3600) * 1000,
      externalTools: externalToolNames(this.value<unknown>("chat.externalTools", [])),
    };
  }

  /** The user's refactor actions as written; core/refactor/customActions.ts checks them. */
  get refactorCustomActions(): unknown {
    return this.value<unknown>("refactor.customActions", []);
  }

  /** What the engine loads, or undefined when no model is configured. */
  get loadParams(): LoadParams | undefined {
    const modelPath = this.modelPath;
    if (!modelPath) return undefined;
    return {
      modelPath,
      gpuLayers: gpuLayersSetting(this.value<unknown>("engine.gpuLayers", "auto")),
      contextSize: this.contextSize,
      threads: this.value<number>("engine.threads", 0),
      flashAttention: flashAttentionSetting(this.value<unknown>("engine.flashAttention", "auto")),
      diskCache: this.diskCache,
    };
  }

  /** Where evaluated prefixes persist across restarts, or undefined when the user turned it off. */
  get diskCache(): LoadParams["diskCache"] {
    if (!this.value<boolean>("cache.enabled", true)) return undefined;
    const directory = this.value<string>("cache.directory", "").trim() || path.join(this.storageDirectory, "prefix-cache");
    const maxGB = Math.max(0, this.value<number>("cache.maxSizeGB", 4));
    return { directory, maxBytes: Math.round(maxGB * 1024 ** 3), minTokens: this.value<number>("cache.minPrefixTokens", 256) };
  }

  /** Ghost-text completion: on/off, per-language switches, and the pipeline's plain settings. */
  get completion(): CompletionConfig {
    const number = (key: string, fallback: number, min = 0) => Math.max(min, this.value<number>(`completion.${key}`, fallback));
    const d = defaultCompletionSettings;
    return {
      enabled: this.value<boolean>("completion.enabled", true),
      languages: this.value<Record<string, boolean>>("completion.languages", defaultCompletionLanguages),
      pipeline: {
        prefixTokens: number("prefixTokens", d.prefixTokens, 16),
        suffixTokens: number("suffixTokens", d.suffixTokens),
        maxTokens: number("maxTokens", d.maxTokens, 1),
        timeoutMs: number("timeoutMs", d.timeoutMs, 50),
        maxLines: number("maxLines", d.maxLines, 1),
        debounceMs: number("debounceMs", d.debounceMs),
        extraContextChunks: this.value<boolean>("completion.extraContext.enabled", true) ? number("extraContext.chunks", d.extraContextChunks) : 0,
        extraContextTokens: number("extraContext.tokens", d.extraContextTokens),
        speculative: this.value<boolean>("completion.speculative", d.speculative),
      },
    };
  }

  /**
   * What may reach a prompt (issue 19, items 6 and 7): secret-looking and git-ignored files only on the
   * user's opt-in, files.exclude never. The opt-in is user-only: a repository cannot let its secrets in.
   */
  get privacy(): PrivacySettings {
    const exclude = vscode.workspace.getConfiguration("files").get<Record<string, unknown>>("exclude", {});
    return {
      allowSecretFiles: this.value<unknown>("privacy.allowSecretFiles", false) === true,
      excludeGlobs: Object.entries(exclude ?? {})
        .filter(([, on]) => on === true)
        .map(([glob]) => glob),
    };
  }

  /** Whether completion's extra context may include the clipboard (user-only, default off). */
  get clipboardContextAllowed(): boolean {
    return this.value<unknown>("completion.extraContext.clipboard", false) === true;
  }

  /** Which backend serves each feature, and the remote server's settings (no API key: SecretStorage). */
  get backends(): BackendSettings {
    return readBackendSettings((key) => this.value<unknown>(key, undefined));
  }

  async setCompletionEnabled(enabled: boolean): Promise<void> {
    await this.raw.update("completion.enabled", enabled, vscode.ConfigurationTarget.Global);
  }

  /** Turns ghost text on or off for one language in the user's deepseekLocal.completion.languages. */
  async setCompletionLanguageEnabled(languageId: string, enabled: boolean): Promise<void> {
    const userValue = this.raw.inspect<Record<string, boolean>>("completion.languages")?.globalValue;
    const languages = { ...(userValue ?? defaultCompletionLanguages), [languageId]: enabled };
    await this.raw.update("completion.languages", languages, vscode.ConfigurationTarget.Global);
  }

  /** Which backend serves a feature (a user-only setting: written to user settings). */
  async setBackend(feature: BackendFeature, kind: BackendKind): Promise<void> {
    await this.raw.update(`backend.${feature}`, kind, vscode.ConfigurationTarget.Global);
  }

  async setModelPath(path: string): Promise<void> {
    await this.raw.update("model.path", path, vscode.ConfigurationTarget.Global);
  }
}

/**
 * The context size within the manifest's minimum and the engine protocol's maximum (LoadParams):
 * VS Code does not hold values typed into settings.json to a setting's bounds, and the engine
 * refuses to load with a size outside them.
 */
export function contextSizeSetting(value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) return 8192;
  return Math.min(1 << 20, Math.max(512, Math.floor(value)));
}

/**
 * The layer count on the GPU: the manifest declares a string ("auto" or digits) so the Settings UI
 * can edit it; a number is the setting's earlier form, still read from settings.json. Anything else
 * is "auto".
 */
export function gpuLayersSetting(value: unknown): number | "auto" {
  const layers = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof layers === "number" && Number.isFinite(layers) ? Math.max(0, Math.floor(layers)) : "auto";
}

/** "auto" leaves the choice to the engine (on for CPU-only loads of SIMD-wide heads); booleans are the setting's earlier form. */
export function flashAttentionSetting(value: unknown): boolean | undefined {
  if (value === "on" || value === true) return true;
  if (value === "off" || value === false) return false;
  return undefined;
}

/**
 * Opens the Settings editor on `query`, on the tab where the user can set it. The user-only
 * settings are machine-scoped: in a remote window (SSH, WSL, containers, code-server) VS Code lists
 * them only under the Remote tab, so the User tab would show nothing to edit.
 */
export function openSettingsAt(query: string): Thenable<unknown> {
  return vscode.env.remoteName
    ? vscode.commands.executeCommand("workbench.action.openRemoteSettings", { query })
    : vscode.commands.executeCommand("workbench.action.openSettings", query);
}
