// Refactor actions on the real engine (node-llama-cpp on the synthetic model, in the engine
// process): every built-in action's answer, generated under its schema's grammar, parses and
// validates every time. Random weights: assert validity and termination, never content.
import Ajv from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { builtinActions, type RefactorAction } from "../../src/core/refactor/actions.js";
import { parseCustomActions } from "../../src/core/refactor/customActions.js";
import type { RefactorTarget } from "../../src/core/refactor/refactorTarget.js";
import { requestRefactorAnswer, runRefactor, schemaFor } from "../../src/core/refactor/runRefactor.js";
import { withGrammarDecodingSlack } from "../../src/core/json/validateJson.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

const RUNS = 50;
let engine: LocalEngine;

const documentText = [
  "import { readFile } from 'node:fs/promises';",
  "",
  "export async function loadConfig(p) {",
  "  const t = await readFile(p, 'utf8');",
  "  const c = JSON.parse(t);",
  "  if (c.port == undefined) c.port = 8080;",
  "  return c;",
  "}",
  "",
].join("\n");
const selectionText = "  const t = await readFile(p, 'utf8');\n  const c = JSON.parse(t);\n";
const target: RefactorTarget = {
  uri: "file:///work/project/src/config.js",
  displayPath: "src/config.js",
  languageId: "javascript",
  documentText,
  version: 1,
  selection: { start: documentText.indexOf(selectionText), end: documentText.indexOf(selectionText) + selectionText.length },
  eol: "\n",
  indentation: { insertSpaces: true, tabSize: 2 },
  insertionOffset: documentText.indexOf("export async"),
};

beforeAll(async () => {
  engine = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 4096, threads: 1 });
  await engine.modelInfo();
});

afterAll(async () => {
  await engine?.dispose();
});

describe("refactor answers on the synthetic model", () => {
  // An independent validator instance: the check must not share state with the code under test.
  // The schema is the one answers are validated against (see withGrammarDecodingSlack).
  const ajv = new Ajv({ allErrors: true });
  const answerSchemaOf = (action: RefactorAction) => withGrammarDecodingSlack(schemaFor(action, target));

  it.each(builtinActions.map((action) => [action.title, action] as const))(
    `%s: ${RUNS} sampled answers are schema-valid JSON and end on their own`,
    async (_title, action) => {
      const validate = ajv.compile(answerSchemaOf(action));
      for (let seed = 1; seed <= RUNS; seed++) {
        const result = await requestRefactorAnswer(engine, action, target, {
          temperature: 0.9,
          seed,
          instruction: action.asksForInstruction ? "make it shorter" : undefined,
        });
        const value: unknown = JSON.parse(result.text);
        expect(validate(value), `seed ${seed}: ${JSON.stringify(validate.errors)} in ${result.text}`).toBe(true);
        expect(result.generatedTokens).toBeGreaterThan(0);
      }
    },
    600_000,
  );

  it("a user-defined action answers in its shape too", async () => {
    const { actions } = parseCustomActions([{ name: "Tighten", instruction: "Make it strict.", answerShape: "anchoredEdits", maxEdits: 2 }]);
    const validate = ajv.compile(answerSchemaOf(actions[0]!));
    for (let seed = 1; seed <= 5; seed++) {
      const result = await requestRefactorAnswer(engine, actions[0]!, target, { temperature: 0.9, seed });
      expect(validate(JSON.parse(result.text))).toBe(true);
    }
  });

  it("a run cancelled mid-answer produces no edit, and the next run works", async () => {
    const controller = new AbortController();
    let chunks = 0;
    const simplify = builtinActions.find((action) => action.id === "simplify")!;
    const outcome = await runRefactor(engine, simplify, target, {
      temperature: 0.9,
      seed: 7,
      signal: controller.signal,
      onText: () => {
        if (++chunks === 2) controller.abort();
      },
    }).then(
      (plan) => ({ plan }),
      (error: { code?: string }) => ({ code: error.code }),
    );
    expect(outcome).toEqual({ code: "cancelled" });
    expect(chunks).toBeGreaterThanOrEqual(2);
    const next = await requestRefactorAnswer(engine, simplify, target, { temperature: 0.9, seed: 8 });
    expect(() => JSON.parse(next.text)).not.toThrow();
  });
});
