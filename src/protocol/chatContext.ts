// The chat's context providers as the `@` menu and the command palette offer them. A plain module
// (no zod) so that the page's bundle can import it; core/chat/context builds what each attaches.

export const chatContextMentions = [
  { kind: "problems", mention: "@problems", description: "Errors and warnings of the active file (the workspace's without one)" },
  { kind: "changes", mention: "@changes", description: "The git diff, staged and unstaged" },
  { kind: "folder", mention: "@folder", description: "A folder's file list and the first lines of its files" },
  { kind: "symbol", mention: "@symbol", description: "A function, class or type of the workspace, with its source" },
  { kind: "terminal", mention: "@terminal", description: "The terminal's selection, or its last command and output" },
] as const;

export type ChatContextKind = (typeof chatContextMentions)[number]["kind"];
