// Which Engine serves each feature: the local engine process, or a remote server chosen in settings
// (deepseekLocal.backend.completion|chat|refactor). The remote API key and credential headers live
// in SecretStorage, per server origin, so a secret is never sent to a server it was not set for; they
// are never written to settings or the log. Plain http to another machine is sent only after the
// user allowed that host once (remembered in globalState, which Settings Sync does not copy).
import * as vscode from "vscode";
import type { Engine } from "../core/engine/engine.js";
import { HttpEngine } from "../backends/http/httpEngine.js";
import { RoutedEngine, UnavailableEngine } from "../backends/http/routedEngine.js";
import { plainHttpHost } from "../core/remote/plainHttp.js";
import { isHeaderName, isSecretHeaderName, parseStoredSecretHeaders, withSecretHeader } from "../core/remote/secretHeaders.js";
import { formatCapabilityReport } from "../core/remote/capabilityReport.js";
import { serverUses, type BackendFeature, type RemoteSettings } from "../core/remote/remoteSettings.js";
import { openSettingsAt, type Config } from "./config.js";

const secretKeyPrefix = "deepseekLocal.remote.apiKey:";
const secretHeadersPrefix = "deepseekLocal.remote.headerSecrets:";
/** globalState: hosts ("name:port") the user allowed plain http to. */
const plainHttpHostsKey = "deepseekLocal.remote.plainHttpHosts";
const featureNames: Record<BackendFeature, string> = { completion: "ghost text", chat: "chat", refactor: "refactors" };

/** Headers the transport sets itself; not storable as secrets either. */
const protocolHeaders = new Set(["authorization", "content-type", "accept", "content-length", "host", "transfer-encoding", "connection"]);

export class BackendSelector implements vscode.Disposable {
  /** One engine per distinct server settings (features sharing a server share its engine). */
  private readonly remotes = new Map<string, HttpEngine>();
  private readonly featureEngines = new Map<BackendFeature, Engine>();
  /** This session's answers (pending or "no") per host, so the question is asked once, not per keystroke. */
  private readonly plainHttpAnswers = new Map<string, Promise<boolean>>();

  constructor(
    private readonly ctx: {
      config: Config;
      log: vscode.LogOutputChannel;
      secrets: vscode.SecretStorage;
      globalState: vscode.Memento;
      localEngine: Engine;
    },
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
    const server = settings.servers[feature];
    if (!server) return new UnavailableEngine(settings.problems[feature] ?? "The remote backend is not configured.");
    return this.remoteEngine(server, settings.problems[feature]);
  }

  /** Settings changed: the next request builds a remote engine from the new ones. */
  invalidate(): void {
    for (const engine of this.remotes.values()) void engine.dispose();
    this.remotes.clear();
  }

  async setApiKey(): Promise<void> {
    const origin = await this.remoteOrigin();
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

  /** Stores (or, with an empty value, removes) a credential header such as X-Api-Key for the configured server. */
  async setHeaderSecret(): Promise<void> {
    const origin = await this.remoteOrigin();
    if (!origin) return;
    const storeName = secretHeadersPrefix + origin;
    const stored = parseStoredSecretHeaders(await this.ctx.secrets.get(storeName));
    const names = Object.keys(stored);
    const name = (
      await vscode.window.showInputBox({
        title: "DeepSeek Local: Remote Header Secret",
        prompt: `Header name for ${origin}, e.g. X-Api-Key${names.length ? ` (stored: ${names.join(", ")})` : ""}`,
        ignoreFocusOut: true,
        validateInput: (value) => {
          const trimmed = value.trim();
          if (!trimmed) return undefined;
          if (!isHeaderName(trimmed)) return "Not a valid header name.";
          if (trimmed.toLowerCase() === "authorization") return 'Use "DeepSeek Local: Set Remote API Key" for the Authorization header.';
          if (protocolHeaders.has(trimmed.toLowerCase())) return "DeepSeek Local sets this header itself.";
          return undefined;
        },
      })
    )?.trim();
    if (!name) return;
    const value = await vscode.window.showInputBox({
      title: `DeepSeek Local: ${name} for ${origin}`,
      prompt: `Value of ${name} (stored in the OS keychain through VS Code's secret storage; leave empty to remove it)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    const next = withSecretHeader(stored, name, value.trim());
    if (Object.keys(next).length) await this.ctx.secrets.store(storeName, JSON.stringify(next));
    else await this.ctx.secrets.delete(storeName);
    const done = value.trim() ? "saved" : "removed";
    this.ctx.log.info(`remote header secret ${name} for ${origin} ${done}`);
    const note = isSecretHeaderName(name) ? "" : " (it does not look like a secret: deepseekLocal.remote.headers would do too)";
    void vscode.window.showInformationMessage(`DeepSeek Local: ${name} for ${origin} ${done}${note}.`);
  }

  async clearApiKey(): Promise<void> {
    const origin = await this.remoteOrigin();
    if (!origin) return;
    await this.ctx.secrets.delete(secretKeyPrefix + origin);
    void vscode.window.showInformationMessage(`DeepSeek Local: API key for ${origin} removed.`);
  }

  /**
   * Probes each server the features use and says, per feature, what it offers and what the
   * extension does instead (issue 20, goal 3).
   */
  async testConnection(): Promise<void> {
    const settings = this.ctx.config.backends;
    const uses = serverUses(settings);
    if (!uses.length) {
      void vscode.window.showErrorMessage(`DeepSeek Local: ${settings.problem ?? Object.values(settings.problems).find(Boolean) ?? "set deepseekLocal.remote.baseUrl first."}`);
      return;
    }
    const reports: string[] = [];
    let failed = false;
    for (const { server, features } of uses) {
      // The question about plain http is asked again here even if it was declined this session.
      const host = plainHttpHost(server.baseUrl);
      if (host && (await this.plainHttpAnswers.get(host)) === false) this.plainHttpAnswers.delete(host);
      const engine = this.remoteEngine(server, settings.problems[features[0]!]);
      const heading = `${server.baseUrl} (${features.map((f) => featureNames[f]).join(", ")})`;
      try {
        const facts = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `DeepSeek Local: connecting to ${server.baseUrl}…` },
          () => engine.serverFacts(),
        );
        reports.push([heading, ...formatCapabilityReport(facts).map((line) => `  ${line}`)].join("\n"));
      } catch (error) {
        failed = true;
        reports.push(`${heading}\n  ✗ ${(error as Error).message}`);
      }
    }
    const detail = reports.join("\n\n");
    for (const line of detail.split("\n")) this.ctx.log.info(`test connection: ${line}`);
    const summary = failed ? "DeepSeek Local: a remote server did not answer." : `DeepSeek Local: connected to ${uses.length === 1 ? "the server" : `${uses.length} servers`}.`;
    const show = failed ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    void show(summary, { modal: true, detail }, ...(failed ? ["Set Remote API Key"] : [])).then((choice) => {
      if (choice) void vscode.commands.executeCommand("deepseekLocal.setRemoteApiKey");
    });
  }

  dispose(): void {
    this.invalidate();
  }

  private remoteEngine(remote: RemoteSettings, problem?: string): HttpEngine {
    const settingsKey = JSON.stringify(remote);
    let engine = this.remotes.get(settingsKey);
    if (!engine) {
      if (problem) this.reportProblem(problem); // once per server and settings change, not per request
      const origin = new URL(remote.baseUrl).origin;
      const secretName = secretKeyPrefix + origin;
      engine = new HttpEngine({
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
        secretHeaders: async () => parseStoredSecretHeaders(await this.ctx.secrets.get(secretHeadersPrefix + origin)),
        allowPlainHttp: (host) => this.allowPlainHttp(host),
        // One line per request at info, the channel's default level, as the README promises: what
        // was sent where, when and with what status (issue 26). Never keys, headers or code.
        log: (line) => this.ctx.log.info(line),
      });
      this.remotes.set(settingsKey, engine);
    }
    return engine;
  }

  private reportProblem(problem: string): void {
    this.ctx.log.warn(problem);
    const action = problem.includes("Set Remote Header Secret") ? "Set Remote Header Secret" : problem.includes("Set Remote API Key") ? "Set Remote API Key" : undefined;
    if (!action) return;
    void vscode.window.showWarningMessage(`DeepSeek Local: ${problem}`, action).then((choice) => {
      if (choice === "Set Remote Header Secret") void vscode.commands.executeCommand("deepseekLocal.setRemoteHeaderSecret");
      if (choice === "Set Remote API Key") void vscode.commands.executeCommand("deepseekLocal.setRemoteApiKey");
    });
  }

  /** Plain http to `host`: allowed before (globalState), or asked once per session in a modal. */
  private allowPlainHttp(host: string): Promise<boolean> {
    if (this.ctx.globalState.get<string[]>(plainHttpHostsKey, []).includes(host)) return Promise.resolve(true);
    let answer = this.plainHttpAnswers.get(host);
    if (!answer) {
      answer = this.askPlainHttp(host);
      this.plainHttpAnswers.set(host, answer);
    }
    return answer;
  }

  private async askPlainHttp(host: string): Promise<boolean> {
    const allow = "Allow http for This Host";
    const choice = await vscode.window.showWarningMessage(
      `DeepSeek Local: send your code to http://${host} unencrypted?`,
      {
        modal: true,
        detail:
          `deepseekLocal.remote.baseUrl uses plain http to a host other than this machine. Anyone on the network path can read your code, prompts and keys, or change the answers. ` +
          `Prefer https:// (or an SSH tunnel to localhost). Your answer is remembered for ${host}.`,
      },
      allow,
    );
    if (choice !== allow) {
      this.ctx.log.warn(`plain http to ${host} not allowed; remote requests to it are refused (Test Remote Server Connection asks again)`);
      return false;
    }
    const hosts = this.ctx.globalState.get<string[]>(plainHttpHostsKey, []);
    await this.ctx.globalState.update(plainHttpHostsKey, [...new Set([...hosts, host])]);
    this.ctx.log.info(`plain http to ${host} allowed by the user`);
    return true;
  }

  /** The server a key is for: the only one configured, or the one the user picks. */
  private async remoteOrigin(): Promise<string | undefined> {
    const uses = serverUses(this.ctx.config.backends);
    const origins = [...new Set(uses.map((use) => new URL(use.server.baseUrl).origin))];
    if (origins.length === 1) return origins[0];
    if (origins.length > 1) {
      const picked = await vscode.window.showQuickPick(
        origins.map((origin) => ({
          label: origin,
          description: uses.filter((use) => new URL(use.server.baseUrl).origin === origin).flatMap((use) => use.features.map((f) => featureNames[f])).join(", "),
        })),
        { title: "DeepSeek Local: which server is the secret for?", ignoreFocusOut: true },
      );
      return picked?.label;
    }
    void vscode.window.showErrorMessage("DeepSeek Local: set deepseekLocal.remote.baseUrl first; the key is stored for that server.", "Open Settings").then((choice) => {
      if (choice) void openSettingsAt("deepseekLocal.remote");
    });
    return undefined;
  }
}

/** The settings listener of backend selection (its commands are in commands.ts); one call from activation. */
export function registerBackendSelection(ctx: { backends: BackendSelector; config: Config; own<T extends vscode.Disposable>(disposable: T): T }): void {
  const selector = ctx.backends;
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("backends")) selector.invalidate();
    }),
  );
}
