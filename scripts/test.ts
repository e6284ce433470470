// `npm test`: the whole suite, as the README and CI run it. Installs what the tests need (cached:
// instant once done), type-checks, builds, runs vitest (unit, engine, backends) and the browser
// end-to-end suite, and closes with one line of totals.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";

interface StageResult {
  name: string;
  ok: boolean;
  passed: number;
  failed: number;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

const results: StageResult[] = [];
/** Failed tests named again after the totals, so the tail of a long log says what to look at. */
const failures: string[] = [];
/** Each stage's wall time, repeated in the summary. */
const timings: string[] = [];

function failedTests(report: VitestReport): string[] {
  const firstLine = (message = "") => message.split("\n")[0].slice(0, 300);
  return report.testResults.flatMap((file) => {
    const path = file.name.replace(`${process.cwd()}/`, "");
    const tests = file.assertionResults.filter((test) => test.status === "failed").map((test) => `${path} > ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
    // A file can fail outside any test (a hook, an import): its message is the file's own.
    return tests.length === 0 && file.status === "failed" ? [`${path}: ${firstLine(file.message)}`] : tests;
  });
}

const only = process.argv.includes("--no-e2e") ? new Set(["deps", "typecheck", "build", "vitest"]) : undefined;

/** How long each stage takes on a 2-core machine, shown as it starts so a first run does not look hung. */
const expected: Record<string, string> = {
  deps: "first time ~25 min on 2 cores, then seconds",
  typecheck: "~30 s",
  build: "~5 s",
  vitest: "~8 min",
  e2e: "~3 min",
};

/** Runs a stage, showing its output as it comes and keeping the tail for counting. */
async function run(name: string, command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  if (only && !only.has(name)) return { ok: true, output: "" };
  console.log(`\n▶ ${name} (${expected[name]}): ${command} ${args.join(" ")}`);
  const startedAt = Date.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let tail = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    process.stdout.write(chunk);
    tail = (tail + chunk).slice(-64 * 1024);
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  timings.push(`${name} ${seconds}s`);
  console.log(`${code === 0 ? "✓" : "✗"} ${name} in ${seconds}s`);
  return { ok: code === 0, output: tail };
}

async function stage(name: string, command: string, args: string[]): Promise<boolean> {
  const { ok } = await run(name, command, args);
  results.push({ name, ok, passed: 0, failed: ok ? 0 : 1 });
  return ok;
}

async function main(): Promise<void> {
  mkdirSync("test-results", { recursive: true });
  const ready =
    (await stage("deps", "bash", ["scripts/install-test-deps.sh"])) &&
    (await stage("typecheck", "npx", ["tsc", "-p", ".", "--noEmit"])) &&
    (await stage("build", "node", ["esbuild.mjs", "--production"]));

  if (ready) {
    const vitest = await run("vitest", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile=test-results/vitest.json"]);
    let passed = 0;
    let failed = vitest.ok ? 0 : 1;
    try {
      const report = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as VitestReport;
      passed = report.numPassedTests;
      failed = report.numFailedTests + (vitest.ok || report.numFailedTests > 0 ? 0 : 1);
      failures.push(...failedTests(report));
    } catch {
      // No report: the run itself failed, counted above.
    }
    results.push({ name: "vitest", ok: vitest.ok, passed, failed });

    if (!only) {
      const e2e = await run("e2e", "npx", ["tsx", "test/e2e/run.ts"]);
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
  console.log(`  times: ${timings.join(", ")}`);
  for (const failure of failures) console.log(`  failed: ${failure}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

void main();
