// Which files look like secrets: environment files, private keys, credential stores, VCS internals.
// Completion's extra context and the chat's tools both ask here before a file's text may reach a
// prompt — which may be sent to a remote server and is kept in the disk cache and the chat history
// (issue 19, items 6 and 7). Names are checked without I/O; files git ignores are asked of the
// `IgnoredFiles` the caller hands in (gitIgnore.ts), which reads and caches the ignore files.
import type { IgnoredFiles } from "./gitIgnore.js";

/** Folders whose every file is private: VCS data (a token in a remote URL), keys, cloud logins. */
const secretFolders = new Set([".git", ".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker"]);

/** Exact file names of credential stores. */
const secretNames = new Set([
  ".npmrc",
  ".yarnrc.yml",
  ".pypirc",
  ".netrc",
  "_netrc",
  ".git-credentials",
  ".htpasswd",
  ".pgpass",
  ".boto",
]);

/** Environment files meant to be committed: they document variables, without the values. */
const envTemplates = /^\.env\.(example|sample|template|dist|defaults)$/i;

const secretPatterns: readonly [RegExp, string][] = [
  [/^\.env($|\.)/i, "an environment file"],
  [/\.env$/i, "an environment file"],
  [/\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk|asc|gpg|ovpn)$/i, "a key or certificate file"],
  [/^id_(rsa|dsa|ecdsa|ed25519)/i, "an SSH key"],
  // `secrets.yaml`, `client_secret.json`, `credentials` — data files, not code about secrets.
  [/^([\w.-]*[._-])?(credentials?|secrets?)(\.(json|ya?ml|toml|ini|txt|xml|properties|conf|cfg|config|csv|plist|db|enc))?$/i, "a credentials file"],
  [/^service[-_]?account.*\.json$/i, "a service account key"],
  [/\.tfstate(\.backup)?$/i, "a Terraform state file (holds secrets)"],
];

/**
 * Why `filePath` (relative to the workspace, or absolute; either separator) looks like a secret, or
 * undefined when it does not. The words complete "… is private: it looks like …".
 */
export function secretPathReason(filePath: string): string | undefined {
  const segments = filePath.split(/[\\/]+/).filter((segment) => segment && segment !== ".");
  const name = segments[segments.length - 1] ?? "";
  const folder = segments.slice(0, -1).find((segment) => secretFolders.has(segment.toLowerCase()));
  if (folder) return `a file inside ${folder}`;
  if (secretFolders.has(name.toLowerCase())) return `${name} (a private folder)`;
  if (secretNames.has(name.toLowerCase())) return `a credentials file (${name})`;
  if (envTemplates.test(name)) return undefined;
  for (const [pattern, reason] of secretPatterns) if (pattern.test(name)) return reason;
  return undefined;
}

export function isSecretPath(filePath: string): boolean {
  return secretPathReason(filePath) !== undefined;
}

/** What the user chose about private files; the defaults keep them out. */
export interface PrivacySettings {
  /** The user's opt-in: files that look like secrets, or that git ignores, may reach prompts. */
  allowSecretFiles: boolean;
  /** Globs the user hides from the editor (files.exclude); they stay out of prompts too. */
  excludeGlobs: readonly string[];
  /** The workspace's .gitignore rules; without them no file counts as ignored. */
  ignoredFiles?: IgnoredFiles;
}

export const defaultPrivacySettings: PrivacySettings = { allowSecretFiles: false, excludeGlobs: [] };

/** Where a relative path lies, for the checks that need more than its name. */
export interface PathLocation {
  /** The workspace folder the path is relative to (absolute); without it .gitignore is not consulted. */
  root?: string;
  /** Whether the path is a folder; undefined when unknown. */
  directory?: boolean;
}

/**
 * Why a workspace-relative path must stay out of prompts under these settings, or undefined.
 * Excluded files stay out even when secrets are allowed: the user hid them. Files git ignores are
 * treated like secret-looking ones (the opt-in lets them in): `.env` and local configs are usually
 * both, and an opt-in that could not reach them would be no opt-in.
 */
export function privatePathReason(relativePath: string, settings: PrivacySettings, location: PathLocation = {}): string | undefined {
  const normalized = relativePath.split(/[\\/]+/).filter((segment) => segment && segment !== ".").join("/");
  if (settings.excludeGlobs.some((glob) => globMatches(glob, normalized))) return "a file hidden by files.exclude";
  if (settings.allowSecretFiles) return undefined;
  const secret = secretPathReason(normalized);
  if (secret) return secret;
  if (location.root && normalized && settings.ignoredFiles?.isIgnored(location.root, normalized, location.directory)) return "a file git ignores (.gitignore)";
  return undefined;
}

const globCache = new Map<string, RegExp>();

/**
 * Whether a `files.exclude`-style glob (`*`, `**`, `?`, `{a,b}`, `[abc]`) matches a relative path
 * with `/` separators. A glob without a slash matches a name at any depth, as VS Code's does when
 * written `**​/name`; a matched folder covers everything inside it.
 */
export function globMatches(glob: string, relativePath: string): boolean {
  let pattern = globCache.get(glob);
  if (!pattern) {
    pattern = globToRegExp(glob);
    if (globCache.size > 256) globCache.clear();
    globCache.set(glob, pattern);
  }
  return pattern.test(relativePath);
}

function globToRegExp(glob: string): RegExp {
  const trimmed = glob.trim().replace(/^\.\//, "").replace(/\/+$/, "");
  let source = "";
  let inClass = false;
  let braces = 0;
  for (let i = 0; i < trimmed.length; i++) {
    const char = trimmed[i]!;
    if (inClass) {
      source += char === "]" ? "]" : char === "\\" ? "\\\\" : char;
      if (char === "]") inClass = false;
      continue;
    }
    if (char === "*" && trimmed[i + 1] === "*") {
      // `**/` is any number of folders, `**` at the end anything at all.
      const slash = trimmed[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      inClass = true;
      source += trimmed[i + 1] === "!" ? (i++, "[^") : "[";
    } else if (char === "{") {
      braces++;
      source += "(?:";
    } else if (char === "}" && braces > 0) {
      braces--;
      source += ")";
    } else if (char === "," && braces > 0) source += "|";
    else source += char.replace(/[.+^$()|\\]/g, "\\$&");
  }
  if (inClass) source += "]";
  source += ")".repeat(braces);
  const anchored = trimmed.includes("/") ? `^${source}` : `(?:^|/)${source}`;
  try {
    return new RegExp(`${anchored}(?:/.*)?$`, "i");
  } catch {
    return /$^/;
  }
}
