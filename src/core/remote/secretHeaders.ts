// Header values that are credentials do not belong in settings: settings.json is synced by Settings
// Sync, shown on screen-shares and committed by accident. They live in SecretStorage per server origin
// (like the API key) and are only ever sent to that origin (issue 19, item 9).

/** A valid HTTP header name (RFC 9110 token). */
export function isHeaderName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
}

/** Headers whose name says they carry a credential: Authorization, X-Api-Key, Api-Key, X-Auth-Token, Cookie… */
export function isSecretHeaderName(name: string): boolean {
  return /key|token|secret|passw|auth|cookie|credential|session|signature/i.test(name);
}

/** The secret headers as stored (a JSON object of name → value); anything else reads as none. */
export function parseStoredSecretHeaders(stored: string | undefined): Record<string, string> {
  if (!stored) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (isHeaderName(name) && typeof value === "string" && value) headers[name] = value;
  return headers;
}

/** The stored object after setting (non-empty value) or removing (empty value) one header, name matched case-insensitively. */
export function withSecretHeader(stored: Record<string, string>, name: string, value: string): Record<string, string> {
  const next = Object.fromEntries(Object.entries(stored).filter(([existing]) => existing.toLowerCase() !== name.toLowerCase()));
  if (value) next[name] = value;
  return next;
}
