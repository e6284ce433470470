// The setup scripts run under `npm test` / `npm start`, whose environment names the outer npm and
// its Node. A nested npm must not take that as its own config (issue 18: code-server's postinstall
// read "node v20" from the outer user agent and refused to install on Node 24).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");
const setupLib = path.join(root, "scripts/lib/setup.sh");

/** Runs `without_outer_npm ARGS…` in bash with the given environment and returns its stdout. */
function withoutOuterNpm(args: string, env: NodeJS.ProcessEnv): string {
  return execFileSync("bash", ["-c", `source ${JSON.stringify(setupLib)}; without_outer_npm ${args}`], { cwd: root, env, encoding: "utf8" });
}

/** What `npm run` exports to a script, with an outer npm on another Node. */
const outerNpmVariables: Record<string, string> = {
  npm_config_user_agent: "npm/0.0.1 node/v0.0.1 linux x64 workspaces/false",
  npm_config_node_gyp: "/outer/node-gyp.js",
  npm_config_nodedir: "/outer/node-headers",
  npm_package_name: "deepseek-local",
  npm_lifecycle_event: "test",
  npm_execpath: "/outer/npm-cli.js",
  npm_node_execpath: "/outer/node",
  INIT_CWD: root,
  npm_config_cache: "/chosen/npm-cache",
};
const outerNpmEnv: NodeJS.ProcessEnv = { ...process.env, ...outerNpmVariables };

describe("without_outer_npm", () => {
  // What code-server's postinstall reads: the user agent the nested npm hands its scripts.
  it("a nested npm hands its scripts its own user agent, not the outer npm's", () => {
    const userAgent = withoutOuterNpm(`npm exec --call 'echo "$npm_config_user_agent"'`, outerNpmEnv);
    expect(userAgent).not.toContain("v0.0.1");
    expect(userAgent).toContain(`node/${process.version}`);
  });

  it("clears the outer npm's variables and keeps the chosen package cache", () => {
    const env = withoutOuterNpm("env", outerNpmEnv).split("\n");
    expect(env.filter((line) => line.split("=")[0] in outerNpmVariables)).toEqual(["npm_config_cache=/chosen/npm-cache"]);
  });

  it("clears what a real `npm exec` exports", () => {
    const env = execFileSync("npm", ["exec", "--call", `bash -c 'source ${setupLib}; without_outer_npm env'`], { cwd: root, encoding: "utf8" });
    expect(env).not.toMatch(/^npm_config_user_agent=/m);
    expect(env).not.toMatch(/^npm_(package|lifecycle)_/m);
  });
});

describe("setup scripts", () => {
  const scripts = [...readdirSync(path.join(root, "scripts")).map((f) => `scripts/${f}`), ".ci/run"].filter((f) => f.endsWith(".sh") || f === ".ci/run");

  // The next nested package-manager call someone adds must go through the same gate.
  it.each(scripts)("%s runs npm/npx only through without_outer_npm (or at the top level of CI)", (file) => {
    // Logical commands: continuation lines joined, comments and quoted text (messages) removed.
    const commands = readFileSync(path.join(root, file), "utf8")
      .replace(/\\\n/g, " ")
      .split("\n")
      .map((line) => line.replace(/^\s*#.*$/, "").replace(/"[^"]*"|'[^']*'/g, '""'));
    const nested = commands.filter((line) => /(^|[\s;&|(])(npm|npx)\s/.test(line) && !/without_outer_npm/.test(line));
    // CI's own top-level `npm install` / `npm test` are the outer npm, not nested in one.
    const outer = (line: string) => file === ".ci/run" && /^(stage "" "" )?npm (install|test)\b/.test(line.trim());
    expect(nested.filter((line) => !outer(line)).map((line) => `${file}: ${line.trim()}`)).toEqual([]);
  });
});

describe("preflight", () => {
  it("stops with one message naming what to install when Node is too old", () => {
    const bin = mkdtempSync(path.join(os.tmpdir(), "old-node-"));
    // A Node 18 as far as the checks can tell: `-p` prints its version, `-e` scripts see it too.
    writeFileSync(path.join(bin, "node"), `#!/bin/sh\n[ "$1" = -p ] && { echo 18.20.0; exit 0; }\nexec ${process.execPath} -e "Object.defineProperty(process.versions, 'node', { value: '18.20.0' }); eval(process.argv[1])" "$2"\n`, { mode: 0o755 });
    const result = spawnSync("bash", ["-c", `source ${JSON.stringify(setupLib)}; preflight`], { cwd: root, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(/Node\.js 18\.20\.0 is too old.*20\.19 or newer/)]);
  });

  it("passes on this machine", () => {
    const result = spawnSync("bash", ["-c", `source ${JSON.stringify(setupLib)}; preflight`], { cwd: root, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
