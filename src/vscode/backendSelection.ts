// Which Engine serves each feature: the local engine process, or a remote server chosen in settings
// (deepseekLocal.backend.completion|chat|refactor). The remote API key lives in SecretStorage, one
// per server origin, so a key is never sent to a server it was not set for; it is never written to
// settings or the log.
import * as vscode from "vscode";
import type { Engine } from "../backends/engine.js";
import { HttpEngine } from "../backends/http/httpEngine.js";
import { RoutedEngine, UnavailableEngine } from "../backends/http/routedEngine.js";
import { flavorNames } from "../core/remote/serverFlavor.js";
import type { BackendFeature, RemoteSettings } from "../core/remote/remoteSettings.js";
import type { ExtensionContextHolder } from "./extensionContext.js";

const secretKeyPrefix = "deepseekLocal.remote.apiKey:";

export class BackendSelector implements vscode.Disposable {
  private remote: { settingsKey: string; engine: HttpEngine } | undefined;
  private readonly featureEngines = new Map<BackendFeature, Engine>();

  constructor(
    private readonly ctx: Pick<ExtensionContextHolder, "config" | "log"> & { secrets: vscode.SecretStorage; localEngine: Engine },
  ) {}

  /**
   * A stable Engine for a feature that routes each call to the backend the settings name at that
   * moment: a feature may hold it from activation on, and a settings change applies at once.
   */
  engineFor(feature: BackendFeature): Engine {
    let engine = this.featureEngines.get(feature);
    if (!engine) {
      engine = new RoutedEngine(() => this.currentEngine(feature));
      this.featureEngines.set(feature, engine);
    }
    return engine;
  }

  /** The engine for a feature, per the settings at the time of the call. */
  currentEngine(feature: BackendFeature): Engine {
    const settings = this.ctx.config.backends;
    if (settings.backends[feature] === "local") return this.ctx.localEngine;
    if (!settings.remote) return new UnavailableEngine(settings.problem ?? "The remote backend is not configured.");
    return this.remoteEngine(settings.remote, settings.problem);
  }

  /** Settings changed: the next request builds a remote engine from the new ones. */
  invalidate(): void {
    void this.remote?.engine.dispose();
    this.remote = undefined;
  }

  async setApiKey(): Promise<void> {
    const origin = this.remoteOrigin();
    if (!origin) return;
    const key = await vscode.window.showInputBox({
      title: "DeepSeek Local: Remote API Key",
      prompt: `API key for ${origin} (stored in the OS keychain through VS Code's secret storage; leave empty to remove it)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim()) await this.ctx.secrets.store(secretKeyPrefix + origin, key.trim());
    else await this.ctx.secrets.delete(secretKeyPrefix + origin);
    this.ctx.log.info(`remote API key for ${origin} ${key.trim() ? "set" : "removed"}`);
    void vscode.window.showInformationMessage(`DeepSeek Local: API key for ${origin} ${key.trim() ? "saved" : "removed"}.`);
  }

  async clearApiKey(): Promise<void> {
    const origin = this.remoteOrigin();
    if (!origin) return;
    await this.ctx.secrets.delete(secretKeyPrefix + origin);
    void vscode.window.showInformationMessage(`DeepSeek Local: API key for ${origin} removed.`);
  }

  /** Probes the configured server and says what it found. */
  async testConnection(): Promise<void> {
    const settings = this.ctx.config.backends;
    if (!settings.remote) {
      void vscode.window.showErrorMessage(`DeepSeek Local: ${settings.problem ?? "set deepseekLocal.remote.baseUrl first."}`);
      return;
    }
    const engine = this.remoteEngine(settings.remote, settings.problem);
    try {
      const info = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `DeepSeek Local: connecting to ${settings.remote.baseUrl}…` },
        () => engine.modelInfo(),
      );
      const flavor = flavorNames[await engine.flavor()];
      void vscode.window.showInformationMessage(`DeepSeek Local: connected to ${flavor} at ${settings.remote.baseUrl}, model ${info.name ?? "(default)"}.`);
    } catch (error) {
      void vscode.window.showErrorMessage(`DeepSeek Local: ${(error as Error).message}`, "Set Remote API Key").then((choice) => {
        if (choice) void vscode.commands.executeCommand("deepseekLocal.setRemoteApiKey");
      });
    }
  }

  dispose(): void {
    this.invalidate();
  }

  private remoteEngine(remote: RemoteSettings, problem?: string): HttpEngine {
    const settingsKey = JSON.stringify(remote);
    if (this.remote?.settingsKey !== settingsKey) {
      this.invalidate();
      if (problem) this.ctx.log.warn(problem); // once per settings change, not per request
      const secretName = secretKeyPrefix + new URL(remote.baseUrl).origin;
      const engine = new HttpEngine({
        baseUrl: remote.baseUrl,
        model: remote.model,
        flavor: remote.flavor,
        fim: remote.fim,
        tools: remote.tools,
        headers: remote.headers,
        extraBody: remote.extraBody,
        requestTimeoutMs: remote.requestTimeoutMs,
        idleTimeoutMs: remote.idleTimeoutMs,
        retry: { maxRetries: remote.maxRetries },
        apiKey: async () => this.ctx.secrets.get(secretName),
        // One line per request: debug level, so typing does not flood the channel.
        log: (line) => this.ctx.log.debug(line),
      });
      this.remote = { settingsKey, engine };
    }
    return this.remote.engine;
  }

  private remoteOrigin(): string | undefined {
    const remote = this.ctx.config.backends.remote;
    if (remote) return new URL(remote.baseUrl).origin;
    void vscode.window.showErrorMessage("DeepSeek Local: set deepseekLocal.remote.baseUrl first; the key is stored for that server.", "Open Settings").then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", "deepseekLocal.remote");
    });
    return undefined;
  }
}

/** Commands and the settings listener of backend selection; one call from activation. */
export function registerBackendSelection(ctx: ExtensionContextHolder): void {
  const selector = ctx.backends;
  ctx.own(vscode.commands.registerCommand("deepseekLocal.setRemoteApiKey", () => selector.setApiKey()));
  ctx.own(vscode.commands.registerCommand("deepseekLocal.clearRemoteApiKey", () => selector.clearApiKey()));
  ctx.own(vscode.commands.registerCommand("deepseekLocal.testRemoteConnection", () => selector.testConnection()));
  ctx.own(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (ctx.config.affectsBackends(event)) selector.invalidate();
    }),
  );
}
