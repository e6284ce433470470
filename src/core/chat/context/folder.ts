// `@folder`: a folder's file list and the first lines of its files, within a token budget. The list
// comes first (it tells the model what is there even when few files fit); private files are named
// without their contents (core/privacy decides which), binary files by size only.
import type { Attachment } from "../conversation.js";
import { estimateTokens } from "../tokenEstimate.js";
import { contextAttachment, defaultContextTokens, takeWithinBudget } from "./contextProvider.js";

export interface FolderFile {
  /** Workspace-relative. */
  path: string;
  bytes: number;
  /** The file's start as text; undefined for a binary file, or one not read (too large). */
  head?: string;
}

export interface FolderOptions {
  privateReason: (path: string) => string | undefined;
  maxTokens?: number;
  /** Lines of each file shown at most. */
  headLines?: number;
}

/** Files listed at most: a folder like node_modules would fill any budget with names alone. */
export const maxFolderFiles = 200;

export function folderContext(folder: string, files: readonly FolderFile[], options: FolderOptions): Attachment | string {
  if (!files.length) return `${folder} has no files (or only files the workspace excludes).`;
  const listed = [...files].sort((a, b) => a.path.localeCompare(b.path)).slice(0, maxFolderFiles);
  const isPrivate = (file: FolderFile) => options.privateReason(file.path) !== undefined;
  const list = listed.map((file) => `- ${file.path} (${size(file.bytes)})${isPrivate(file) ? ", private: contents left out" : file.head === undefined ? ", not text" : ""}`);
  const more = files.length - listed.length;
  const listing = [`Files in ${folder}/ (${files.length}):`, ...list, ...(more ? [`… and ${more} more`] : [])].join("\n");
  const budget = options.maxTokens ?? defaultContextTokens;
  const headLines = options.headLines ?? 40;
  const heads = listed
    .filter((file) => !isPrivate(file) && file.head?.trim())
    .map((file) => {
      const lines = file.head!.replace(/\r\n/g, "\n").split("\n");
      const shown = lines.slice(0, headLines).join("\n");
      return `${file.path}${lines.length > headLines ? ` (first ${headLines} lines)` : ""}:\n${shown}`;
    });
  // The list first: cut itself only when its names alone pass the budget.
  const listLines = takeWithinBudget(listing.split("\n"), budget);
  const shownListing = listLines.kept.join("\n") + (listLines.left ? `\n… (${listLines.left} more names cut)` : "");
  const { kept, left } = takeWithinBudget(heads, budget - estimateTokens(shownListing) - 1);
  const notes = left ? [`(${left} more file${left === 1 ? "" : "s"}' contents not shown: over the budget.)`] : [];
  return contextAttachment("folder", `Folder ${folder}/ (${files.length} file${files.length === 1 ? "" : "s"})`, [shownListing, ...kept, ...notes].join("\n\n"), folder);
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
