// Files git ignores (.gitignore, root and nested, and .git/info/exclude) are often the ones that hold
// secrets nobody should commit: `config.local.json`, `*.local`, build outputs with baked-in keys.
// Like secret-looking names, they stay out of completion's extra context and the chat's tools unless
// the user opts in (issue 19, items 6 and 7). Matching follows git: a deeper .gitignore overrides a
// shallower one, and nothing inside an ignored folder can be re-included. Rules are read lazily, one
// folder at a time, and cached until the editor reports that an ignore file changed.
import { readFileSync } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";

/** Reads a small text file by absolute path; undefined when it is missing or unreadable. */
export type IgnoreFileReader = (absolutePath: string) => string | undefined;

/** The default reader: node's file system, synchronously (ignore files are small and read once). */
export const nodeIgnoreFileReader: IgnoreFileReader = (absolutePath) => {
  try {
    return readFileSync(absolutePath, "utf8");
  } catch {
    return undefined;
  }
};

/** What the privacy check asks: whether git ignores a path under a workspace folder. */
export interface IgnoredFiles {
  /**
   * @param root the workspace folder (absolute)
   * @param relativePath a path under it, `/`-separated
   * @param directory whether the path is a folder; undefined when unknown (then a folder-only rule counts too)
   */
  isIgnored(root: string, relativePath: string, directory?: boolean): boolean;
}

/** The ignore rules of one workspace folder, read as paths under it are asked about. */
export class GitIgnoreRules {
  /** Folder (relative, "" for the root) → its rules, or null when it has none. */
  private readonly folders = new Map<string, Ignore | null>();

  constructor(
    private readonly root: string,
    private readonly read: IgnoreFileReader = nodeIgnoreFileReader,
  ) {}

  /** The rules a folder's .gitignore declares (the root's after .git/info/exclude, which they override). */
  private rulesOf(folder: string): Ignore | null {
    let rules = this.folders.get(folder);
    if (rules !== undefined) return rules;
    const files = folder === "" ? [path.join(this.root, ".git", "info", "exclude"), path.join(this.root, ".gitignore")] : [path.join(this.root, folder, ".gitignore")];
    const present = files.map((file) => this.read(file)).filter((text): text is string => text !== undefined);
    // One `add` per file: `add` splits a string into lines, but takes each array item as one rule.
    rules = present.length ? present.reduce((all, text) => all.add(text), ignore()) : null;
    this.folders.set(folder, rules);
    return rules;
  }

  /** Whether git's rules, from the root down to `target`'s folder, end with `target` ignored. */
  private matches(segments: readonly string[], directory: boolean): boolean {
    let ignored = false;
    for (let depth = 0; depth < segments.length; depth++) {
      const rules = this.rulesOf(segments.slice(0, depth).join("/"));
      if (!rules) continue;
      const relative = segments.slice(depth).join("/") + (directory ? "/" : "");
      const verdict = rules.test(relative);
      // A deeper file's verdict overrides a shallower one's; a file that says nothing keeps it.
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  /** Whether git ignores `relativePath` (`/`-separated), itself or through a folder above it. */
  isIgnored(relativePath: string, directory?: boolean): boolean {
    const segments = relativePath.split(/[\\/]+/).filter((segment) => segment && segment !== ".");
    if (!segments.length || segments.includes("..")) return false;
    // Git reads no rules inside an ignored folder, and nothing under one comes back.
    for (let depth = 1; depth < segments.length; depth++) if (this.matches(segments.slice(0, depth), true)) return true;
    if (directory !== false && this.matches(segments, true)) return true;
    return directory !== true && this.matches(segments, false);
  }

  /** Forgets the rules read so far: an ignore file was created, changed or deleted. */
  forget(): void {
    this.folders.clear();
  }
}

/** The rules of every workspace folder, each read when first needed. */
export class WorkspaceGitIgnores implements IgnoredFiles {
  private readonly roots = new Map<string, GitIgnoreRules>();

  constructor(private readonly read: IgnoreFileReader = nodeIgnoreFileReader) {}

  isIgnored(root: string, relativePath: string, directory?: boolean): boolean {
    const key = path.resolve(root);
    let rules = this.roots.get(key);
    if (!rules) this.roots.set(key, (rules = new GitIgnoreRules(key, this.read)));
    return rules.isIgnored(relativePath, directory);
  }

  /** An ignore file at `absolutePath` changed: the folders holding it read their rules again. */
  changed(absolutePath: string): void {
    const changed = path.resolve(absolutePath);
    for (const [root, rules] of this.roots) {
      const relative = path.relative(root, changed);
      if (relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)) rules.forget();
    }
  }
}
