// Bundles the extension host entry (CommonJS, `vscode` external), the engine process entry (ESM:
// node-llama-cpp is native and ESM-only, so it stays external and is loaded at run time) and the
// chat webview page (browser IIFE). `--production` minifies; `--watch` rebuilds on change.
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "info",
  legalComments: "none",
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode", "node-llama-cpp"],
  },
  {
    ...common,
    entryPoints: ["src/engine/main.ts"],
    outfile: "dist/engine.mjs",
    platform: "node",
    target: "node20",
    format: "esm",
    external: ["node-llama-cpp"],
    // Bundled CommonJS dependencies (vscode-jsonrpc) call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  },
];
if (existsSync("src/webview/main.ts")) {
  builds.push({
    ...common,
    entryPoints: ["src/webview/main.ts"],
    outfile: "media/dist/chat.js",
    platform: "browser",
    target: "es2022",
    format: "iife",
  });
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
