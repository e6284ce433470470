// The `@folder` picker: the workspace's folders (from its files, as the file picker finds them), then
// the chosen folder's files with their first bytes, for core/chat/context/folder.ts.
import * as vscode from "vscode";
import { maxFolderFiles, type FolderFile } from "../../core/chat/context/folder.js";

const excluded = "**/{node_modules,.git,dist,out,build}/**";
/** Bytes read from the start of each file: enough for its first lines. */
const headBytes = 4096;

/** A workspace folder picked by its relative path, or undefined when the pick was dismissed. */
export async function pickFolder(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles("**/*", excluded, 5000);
  const folders = new Set<string>();
  for (const uri of files) {
    const parts = vscode.workspace.asRelativePath(uri, false).split("/").slice(0, -1);
    for (let depth = 1; depth <= parts.length; depth++) folders.add(parts.slice(0, depth).join("/"));
  }
  const picked = await vscode.window.showQuickPick([...folders].sort(), { placeHolder: "Attach a folder to the chat: its files and their first lines" });
  return picked;
}

/** The folder's files, each with its start as text (none for binary files); private ones are not read. */
export async function folderFiles(folder: string, isPrivate: (uri: vscode.Uri) => boolean): Promise<(FolderFile & { private: boolean })[]> {
  const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.workspace.workspaceFolders?.[0] ?? "", `${folder}/**`), excluded, maxFolderFiles * 2);
  return Promise.all(
    uris.map(async (uri) => {
      const path = vscode.workspace.asRelativePath(uri, false);
      const stat = await vscode.workspace.fs.stat(uri);
      if (isPrivate(uri)) return { path, bytes: stat.size, private: true };
      const bytes = (await vscode.workspace.fs.readFile(uri)).subarray(0, headBytes);
      return { path, bytes: stat.size, head: bytes.includes(0) ? undefined : new TextDecoder().decode(bytes), private: false };
    }),
  );
}
