// Secrets recognisable by their shape in any text: private key blocks, cloud and forge tokens,
// passwords in URLs. Completion drops a chunk that holds one; the chat's tools redact them, so a
// tool result kept in the history carries none (issue 19, items 6 and 7). Shapes only: a secret
// with no known shape is kept out by its file's name (secretPaths.ts), not here.

const secretShapes: readonly [string, RegExp][] = [
  ["a private key", /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)/g],
  ["an AWS access key", /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b/g],
  ["a GitHub token", /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})\b/g],
  ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}\b/g],
  ["an API key", /\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{20,}\b/g],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g],
  ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/g],
  ["an npm token", /\bnpm_[A-Za-z0-9]{36}\b/g],
  ["a Stripe key", /\b[rs]k_live_[A-Za-z0-9]{20,}\b/g],
  // `https://user:token@host` (a git remote with a token, a database URL with its password).
  ["a password in a URL", /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@'"`]+:[^\s/@'"`]+@/gi],
];

/** What kind of secret `text` holds (the first found), or undefined. */
export function findSecret(text: string): string | undefined {
  for (const [kind, pattern] of secretShapes) {
    pattern.lastIndex = 0;
    if (pattern.test(text)) return kind;
  }
  return undefined;
}

export const redactedMarker = "[redacted secret]";

/**
 * `text` with every recognisable secret replaced by a marker, and how many were replaced. A secret
 * over several lines (a key block) leaves as many line breaks, so line numbers stay true.
 */
export function redactSecrets(text: string): { text: string; redacted: number } {
  let redacted = 0;
  for (const [, pattern] of secretShapes) {
    text = text.replace(pattern, (match) => {
      redacted++;
      // A URL keeps its scheme and host, only the credentials go.
      const url = /^([a-z][a-z0-9+.-]*:\/\/)[^@]*@$/i.exec(match);
      return url ? `${url[1]}${redactedMarker}@` : redactedMarker + "\n".repeat(match.split("\n").length - 1);
    });
  }
  return { text, redacted };
}
