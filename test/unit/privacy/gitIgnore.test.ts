// Files git ignores (src/core/privacy/gitIgnore.ts): root and nested .gitignore files and
// .git/info/exclude, with git's precedence, read lazily and cached until an ignore file changes; and
// how privatePathReason treats them next to secret names, files.exclude and the opt-in (issue 19,
// items 6 and 7).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GitIgnoreRules, WorkspaceGitIgnores } from "../../../src/core/privacy/gitIgnore.js";
import { privatePathReason } from "../../../src/core/privacy/secretPaths.js";

const root = path.resolve("/ws/app");

/** A reader over ignore files given by folder (relative to the root, "" for it); counts the reads. */
function disk(files: Record<string, string>) {
  const byPath = new Map(Object.entries(files).map(([relative, text]) => [path.join(root, relative), text]));
  const reads: string[] = [];
  const read = (absolutePath: string) => {
    reads.push(path.relative(root, absolutePath).split(path.sep).join("/"));
    return byPath.get(absolutePath);
  };
  return { read, reads, byPath };
}

describe("one folder's .gitignore rules", () => {
  it("ignores what the root .gitignore lists, at any depth for a name without a slash", () => {
    const rules = new GitIgnoreRules(root, disk({ ".gitignore": "# local files\n*.local.json\n/secrets.txt\n" }).read);
    expect(rules.isIgnored("config.local.json")).toBe(true);
    expect(rules.isIgnored("build/config.local.json")).toBe(true);
    expect(rules.isIgnored("secrets.txt")).toBe(true);
    // Anchored with a leading slash: only at the root.
    expect(rules.isIgnored("docs/secrets.txt")).toBe(false);
    expect(rules.isIgnored("src/config.json")).toBe(false);
  });

  it("a folder rule covers the folder and everything inside it, not a file of that name", () => {
    const rules = new GitIgnoreRules(root, disk({ ".gitignore": "build/\n" }).read);
    expect(rules.isIgnored("build/config.local.json")).toBe(true);
    expect(rules.isIgnored("build/deep/er/file.ts")).toBe(true);
    expect(rules.isIgnored("build", true)).toBe(true);
    // Kind unknown: a folder-only rule counts (a private folder is not listed as readable).
    expect(rules.isIgnored("build")).toBe(true);
    expect(rules.isIgnored("build", false)).toBe(false);
    expect(rules.isIgnored("src/build.ts")).toBe(false);
  });

  it("applies a nested .gitignore to paths under its folder, relative to it", () => {
    const rules = new GitIgnoreRules(root, disk({ "packages/api/.gitignore": "settings.yaml\n/local/\n" }).read);
    expect(rules.isIgnored("packages/api/settings.yaml")).toBe(true);
    expect(rules.isIgnored("packages/api/config/settings.yaml")).toBe(true);
    expect(rules.isIgnored("packages/api/local/key.txt")).toBe(true);
    expect(rules.isIgnored("settings.yaml")).toBe(false);
    expect(rules.isIgnored("packages/web/settings.yaml")).toBe(false);
    expect(rules.isIgnored("packages/api/src/local/key.txt")).toBe(false);
  });

  it("a deeper .gitignore overrides a shallower one, and the last matching rule wins", () => {
    const rules = new GitIgnoreRules(root, disk({ ".gitignore": "*.log\n!important.log\n", "logs/.gitignore": "!keep.log\nimportant.log\n" }).read);
    expect(rules.isIgnored("app.log")).toBe(true);
    expect(rules.isIgnored("important.log")).toBe(false);
    expect(rules.isIgnored("logs/keep.log")).toBe(false);
    expect(rules.isIgnored("logs/important.log")).toBe(true);
    expect(rules.isIgnored("logs/other.log")).toBe(true);
  });

  it("nothing inside an ignored folder comes back, and its own .gitignore is not read", () => {
    const { read, reads } = disk({ ".gitignore": "build/\n!build/keep.ts\n", "build/.gitignore": "!*\n" });
    const rules = new GitIgnoreRules(root, read);
    expect(rules.isIgnored("build/keep.ts")).toBe(true);
    expect(rules.isIgnored("build/other.ts")).toBe(true);
    expect(reads).not.toContain("build/.gitignore");
  });

  it("reads .git/info/exclude, which the root .gitignore overrides", () => {
    const rules = new GitIgnoreRules(root, disk({ ".git/info/exclude": "notes/\n*.draft\n", ".gitignore": "!plan.draft\n" }).read);
    expect(rules.isIgnored("notes/todo.md")).toBe(true);
    expect(rules.isIgnored("a.draft")).toBe(true);
    expect(rules.isIgnored("plan.draft")).toBe(false);
  });

  it("ignores nothing without ignore files, and nothing outside the folder", () => {
    const rules = new GitIgnoreRules(root, disk({ ".gitignore": "*.json\n" }).read);
    expect(new GitIgnoreRules(root, disk({}).read).isIgnored("src/a.ts")).toBe(false);
    expect(rules.isIgnored("../other/a.json")).toBe(false);
    expect(rules.isIgnored("")).toBe(false);
    expect(rules.isIgnored("./src\\data.json")).toBe(true);
  });

  it("reads each folder's rules once, when a path under it is first asked about", () => {
    const { read, reads } = disk({ ".gitignore": "*.tmp\n", "src/.gitignore": "*.gen.ts\n" });
    const rules = new GitIgnoreRules(root, read);
    expect(reads).toEqual([]);
    expect(rules.isIgnored("src/a.gen.ts")).toBe(true);
    const first = reads.length;
    expect(rules.isIgnored("src/b.gen.ts")).toBe(true);
    expect(rules.isIgnored("src/c.ts")).toBe(false);
    expect(reads.length).toBe(first);
    expect(reads).not.toContain("docs/.gitignore");
  });
});

describe("the workspace's ignore files", () => {
  it("re-reads a folder's rules after one of its ignore files changed, not another folder's", () => {
    const { read, byPath, reads } = disk({ ".gitignore": "*.tmp\n" });
    const ignores = new WorkspaceGitIgnores(read);
    const other = path.resolve("/ws/other");
    expect(ignores.isIgnored(root, "config.local.json")).toBe(false);
    expect(ignores.isIgnored(other, "config.local.json")).toBe(false);

    byPath.set(path.join(root, ".gitignore"), "*.tmp\n*.local.json\n");
    // Cached until the editor reports the change.
    expect(ignores.isIgnored(root, "config.local.json")).toBe(false);
    reads.splice(0);
    ignores.changed(path.join(root, ".gitignore"));
    expect(ignores.isIgnored(root, "config.local.json")).toBe(true);
    expect(ignores.isIgnored(other, "config.local.json")).toBe(false);
    expect(reads.every((file) => !file.startsWith("../other"))).toBe(true);
  });
});

describe("privatePathReason with .gitignore", () => {
  const ignoredFiles = new WorkspaceGitIgnores(disk({ ".gitignore": "build/\n*.local.json\n" }).read);
  const settings = { allowSecretFiles: false, excludeGlobs: [] as string[], ignoredFiles };

  it("keeps ignored files out, and says why", () => {
    expect(privatePathReason("build/config.local.json", settings, { root })).toMatch(/git ignores/);
    expect(privatePathReason("src/config.local.json", settings, { root, directory: false })).toMatch(/\.gitignore/);
    expect(privatePathReason("src/config.json", settings, { root })).toBeUndefined();
  });

  it("lets them in on the user's opt-in, like secret-looking files", () => {
    expect(privatePathReason("build/config.local.json", { ...settings, allowSecretFiles: true }, { root })).toBeUndefined();
  });

  it("files.exclude still wins, opt-in or not; secret names still count when nothing is ignored", () => {
    expect(privatePathReason("build/a.ts", { ...settings, allowSecretFiles: true, excludeGlobs: ["**/build"] }, { root })).toMatch(/files.exclude/);
    expect(privatePathReason(".env", settings, { root })).toBe("an environment file");
  });

  it("consults no .gitignore without a workspace folder, or without rules handed in", () => {
    expect(privatePathReason("build/config.local.json", settings)).toBeUndefined();
    expect(privatePathReason("build/config.local.json", { allowSecretFiles: false, excludeGlobs: [] }, { root })).toBeUndefined();
  });
});
