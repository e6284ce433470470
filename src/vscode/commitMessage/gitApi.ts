// The parts of the built-in git extension's API (`vscode.git`, `getAPI(1)`; its git.d.ts) that commit
// messages use, typed here rather than copying the whole declaration file.
import * as vscode from "vscode";

export interface GitCommit {
  message: string;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
  /** `git diff` of the index against HEAD (`cached`), or of the working tree against the index. */
  diff(cached?: boolean): Promise<string>;
  log(options?: { maxEntries?: number }): Promise<GitCommit[]>;
}

export interface GitApi {
  readonly repositories: readonly GitRepository[];
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** The git API, or why there is none (the extension is missing, or `git.enabled` is off). */
export async function gitApi(): Promise<GitApi | string> {
  const extension = vscode.extensions.getExtension<GitExtension>("vscode.git");
  if (!extension) return "the built-in Git extension is not installed.";
  const exports = extension.isActive ? extension.exports : await extension.activate();
  if (!exports.enabled) return "the built-in Git extension is turned off (setting git.enabled).";
  return exports.getAPI(1);
}

/**
 * The repository a command was run for: the Source Control view passes its provider (with `rootUri`);
 * from the palette, the only repository, or the one holding the active file.
 */
export function repositoryFor(git: GitApi, argument: unknown): GitRepository | undefined {
  const rootUri = (argument as { rootUri?: unknown } | undefined)?.rootUri;
  if (rootUri instanceof vscode.Uri) return git.getRepository(rootUri) ?? undefined;
  if (git.repositories.length === 1) return git.repositories[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  return active ? (git.getRepository(active) ?? undefined) : undefined;
}
