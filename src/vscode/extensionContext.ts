// What the extension holds while active: settings, log, the engine and its supervisor, and what
// lives as long as the extension (`own`). Nothing is registered per engine process: commands pick
// their engine-state variant when they run (commands.ts), and a settings change reaches the engine
// through one policy (supervisor/reloadPolicy.ts).
import path from "node:path";
import * as vscode from "vscode";
import type { Engine } from "../core/engine/engine.js";
import { LocalEngine } from "../backends/local/localEngine.js";
import type { BackendFeature } from "../core/remote/remoteSettings.js";
import { EngineSupervisor } from "../supervisor/engineSupervisor.js";
import { BackendSelector } from "./backendSelection.js";
import { CompletionGate } from "./completion/completionGate.js";
import { Config } from "./config.js";
import { WorkspacePrivacy } from "./workspacePrivacy.js";

export class ExtensionContextHolder implements vscode.Disposable {
  readonly config: Config;
  /** What must not reach a prompt: privacy settings and the workspace's .gitignore rules. */
  readonly privacy: WorkspacePrivacy;
  readonly log: vscode.LogOutputChannel;
  readonly supervisor: EngineSupervisor;
  /** The local engine; features call `engineFor(feature)`, which honours deepseekLocal.backend.*. */
  readonly engine: Engine;
  readonly backends: BackendSelector;
  /** Whether ghost text may show now, and the snooze: shared by completion, the status bar and its menu. */
  readonly completionGate: CompletionGate;
  private readonly extensionScope: vscode.Disposable[] = [];

  constructor(readonly vscodeContext: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel("DeepSeek Local", { log: true });
    this.extensionScope.push(this.log);
    this.config = new Config(vscodeContext.globalStorageUri.fsPath, this.log).watch();
    this.extensionScope.push(this.config);
    this.privacy = new WorkspacePrivacy(this.config);
    this.extensionScope.push(this.privacy);
    this.supervisor = new EngineSupervisor({
      enginePath: path.join(vscodeContext.extensionPath, "dist", "engine.mjs"),
      loadParams: () => this.config.loadParams,
      // deepseekLocal.engine.shareAcrossWindows: one engine for all windows, reached over a private socket.
      shared: () => this.config.sharedEngine,
      log: (line) => this.log.info(line),
      onWarning: (message) => {
        this.log.warn(message);
        void vscode.window.showWarningMessage(message);
      },
    });
    this.engine = new LocalEngine(this.supervisor);
    this.backends = new BackendSelector({
      config: this.config,
      log: this.log,
      secrets: vscodeContext.secrets,
      globalState: vscodeContext.globalState,
      localEngine: this.engine,
    });
    this.extensionScope.push(this.backends);
    this.completionGate = new CompletionGate(this);
    this.extensionScope.push(this.completionGate);
  }

  /**
   * The engine that serves a feature: local, or the remote server chosen in settings. The object is
   * stable and routes each call per the settings of the moment, so a feature may keep it.
   */
  engineFor(feature: BackendFeature): Engine {
    return this.backends.engineFor(feature);
  }

  /** Registers something that lives as long as the extension. */
  own<T extends vscode.Disposable>(disposable: T): T {
    this.extensionScope.push(disposable);
    return disposable;
  }

  dispose(): void {
    void this.engine.dispose();
    for (const disposable of this.extensionScope.splice(0).reverse()) disposable.dispose();
  }
}
