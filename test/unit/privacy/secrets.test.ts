import { describe, expect, it } from "vitest";
import { globMatches, isSecretPath, privatePathReason, secretPathReason } from "../../../src/core/privacy/secretPaths.js";
import { findSecret, redactSecrets, redactedMarker } from "../../../src/core/privacy/secretText.js";

describe("secret paths", () => {
  it.each([
    ".env",
    ".env.local",
    "config/.env.production",
    "prod.env",
    "certs/server.pem",
    "deploy/server.key",
    "id_rsa",
    "home/.ssh/config",
    "id_ed25519.pub",
    "store.p12",
    "credentials",
    "credentials.json",
    "client_secret.json",
    "config/secrets.yaml",
    ".npmrc",
    ".git/config",
    ".git",
    ".aws/credentials",
    ".netrc",
    "C:\\Users\\me\\.ssh\\id_rsa",
  ])("%s is a secret", (file) => expect(isSecretPath(file)).toBe(true));

  it.each([".env.example", ".env.sample", "src/env.ts", "src/secrets.ts", "src/credentials.service.ts", "keyboard.ts", "README.md", "package.json", ".gitignore", ".github/workflows/ci.yml", "src/pem.ts"])(
    "%s is not a secret",
    (file) => expect(isSecretPath(file)).toBe(false),
  );

  it("says why", () => {
    expect(secretPathReason(".env.local")).toBe("an environment file");
    expect(secretPathReason(".git/config")).toBe("a file inside .git");
  });

  it("honours the opt-in, never files.exclude", () => {
    expect(privatePathReason(".env", { allowSecretFiles: true, excludeGlobs: [] })).toBeUndefined();
    expect(privatePathReason(".env", { allowSecretFiles: false, excludeGlobs: [] })).toBeDefined();
    expect(privatePathReason("gen/a.ts", { allowSecretFiles: true, excludeGlobs: ["**/gen"] })).toMatch(/files.exclude/);
  });
});

describe("files.exclude globs", () => {
  it.each([
    ["**/.git", ".git/config", true],
    ["**/node_modules", "a/node_modules/x/index.js", true],
    ["**/*.log", "logs/app.log", true],
    ["*.log", "deep/app.log", true],
    ["build/", "build/out.js", true],
    ["src/**/*.gen.ts", "src/a/b/c.gen.ts", true],
    ["**/*.{tmp,bak}", "x/y.bak", true],
    ["**/*.{tmp,bak}", "x/y.ts", false],
    ["src/*.ts", "src/a/b.ts", false],
    ["docs", "src/docs.ts", false],
  ] as const)("%s on %s → %s", (glob, file, expected) => expect(globMatches(glob, file)).toBe(expected));
});

describe("secret text", () => {
  const samples: [string, string][] = [
    ["a private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"],
    ["an AWS access key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"],
    ["a GitHub token", "token: ghp_0123456789abcdefghijABCDEFGHIJ012345"],
    ["an API key", "OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx0123"],
    ["a password in a URL", "url = https://x-access-token:s3cr3t@github.com/me/app.git"],
    ["a Slack token", "xoxb-123456789012-abcdefghij"],
  ];
  it.each(samples)("finds %s", (kind, text) => expect(findSecret(text)).toBe(kind));

  it("finds nothing in ordinary code", () => {
    expect(findSecret("const task = 'sk-'; const key = process.env.API_KEY;\nfetch('https://example.com/a:b')")).toBeUndefined();
  });

  it("redacts each secret, keeping the rest", () => {
    const text = samples.map(([, sample]) => sample).join("\nsome code\n");
    const { text: redacted, redacted: count } = redactSecrets(text);
    expect(count).toBe(samples.length);
    expect(findSecret(redacted)).toBeUndefined();
    expect(redacted).toContain("some code");
    expect(redacted).toContain(`https://${redactedMarker}@github.com/me/app.git`);
  });
});
