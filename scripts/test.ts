// `npm test`: the whole suite, as the README and CI run it. Installs what the tests need (cached:
// instant once done), type-checks, builds, runs vitest (unit, engine, backends) and the browser
// end-to-end suite, and closes with one line of totals.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

interface StageResult {
  name: string;
  ok: boolean;
  passed: number;
  failed: number;
}

const results: StageResult[] = [];
const only = process.argv.includes("--no-e2e") ? new Set(["deps", "typecheck", "build", "vitest"]) : undefined;

function run(name: string, command: string, args: string[]): { ok: boolean; output: string } {
  if (only && !only.has(name)) return { ok: true, output: "" };
  console.log(`\n▶ ${name}: ${command} ${args.join(" ")}`);
  const child = spawnSync(command, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", env: process.env, maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(child.stdout ?? "");
  return { ok: child.status === 0, output: child.stdout ?? "" };
}

function stage(name: string, command: string, args: string[]): boolean {
  const { ok } = run(name, command, args);
  results.push({ name, ok, passed: 0, failed: ok ? 0 : 1 });
  return ok;
}

mkdirSync("test-results", { recursive: true });
const ready =
  stage("deps", "bash", ["scripts/install-test-deps.sh"]) &&
  stage("typecheck", "npx", ["tsc", "-p", ".", "--noEmit"]) &&
  stage("build", "node", ["esbuild.mjs", "--production"]);

if (ready) {
  const vitest = run("vitest", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile=test-results/vitest.json"]);
  let passed = 0;
  let failed = vitest.ok ? 0 : 1;
  try {
    const report = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as { numPassedTests: number; numFailedTests: number };
    passed = report.numPassedTests;
    failed = report.numFailedTests + (vitest.ok || report.numFailedTests > 0 ? 0 : 1);
  } catch {
    // No report: the run itself failed, counted above.
  }
  results.push({ name: "vitest", ok: vitest.ok, passed, failed });

  if (!only) {
    const e2e = run("e2e", "npx", ["tsx", "test/e2e/run.ts"]);
    const counts = /(\d+) passed, (\d+) failed/.exec(e2e.output.split("\n").reverse().find((line) => /\d+ passed, \d+ failed/.test(line)) ?? "");
    results.push({
      name: "e2e",
      ok: e2e.ok,
      passed: counts ? Number(counts[1]) : 0,
      failed: counts ? Number(counts[2]) + (e2e.ok || Number(counts[2]) > 0 ? 0 : 1) : e2e.ok ? 0 : 1,
    });
  }
}

console.log("\nSummary");
for (const result of results) console.log(`  ${result.ok ? "ok  " : "FAIL"} ${result.name}${result.passed || result.failed > 1 ? ` (${result.passed} passed, ${result.failed} failed)` : ""}`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
