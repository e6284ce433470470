// What may reach a prompt, as the features ask it: the user's privacy settings (from Config, the one
// reader of settings) joined with the workspace's .gitignore rules (core/privacy/gitIgnore.ts), which
// are read lazily and forgotten when the editor sees an ignore file change (issue 19, items 6 and 7).
import * as vscode from "vscode";
import { WorkspaceGitIgnores, type IgnoreFileReader } from "../core/privacy/gitIgnore.js";
import type { PrivacySettings } from "../core/privacy/secretPaths.js";
import type { Config } from "./config.js";

/** What completion and chat ask about privacy. */
export interface PrivacySource {
  /** The rules of the moment: settings and ignore files. */
  settings(): PrivacySettings;
  /** Whether the user opted in to the clipboard in completion's extra context. */
  clipboardAllowed(): boolean;
  /** Fires when what is private may have changed (a setting, an ignore file). */
  readonly onDidChange: vscode.Event<void>;
}

/** The ignore files whose change changes what git ignores. */
const ignoreFileGlobs = ["**/.gitignore", "**/.git/info/exclude"];

export class WorkspacePrivacy implements PrivacySource, vscode.Disposable {
  private readonly gitIgnores: WorkspaceGitIgnores;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [this.changed];
  /** Read once per settings change, not on every keystroke that asks. */
  private current: PrivacySettings | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly config: Pick<Config, "privacy" | "clipboardContextAllowed" | "onDidChange">,
    read?: IgnoreFileReader,
  ) {
    this.gitIgnores = new WorkspaceGitIgnores(read);
    for (const glob of ignoreFileGlobs) {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      const onChange = (uri: vscode.Uri) => {
        this.gitIgnores.changed(uri.fsPath);
        this.changed.fire();
      };
      this.subscriptions.push(watcher, watcher.onDidCreate(onChange), watcher.onDidChange(onChange), watcher.onDidDelete(onChange));
    }
    this.subscriptions.push(
      config.onDidChange((change) => {
        if (!change.affects("privacy")) return;
        this.current = undefined;
        this.changed.fire();
      }),
    );
  }

  settings(): PrivacySettings {
    return (this.current ??= { ...this.config.privacy, ignoredFiles: this.gitIgnores });
  }

  clipboardAllowed(): boolean {
    return this.config.clipboardContextAllowed;
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}

