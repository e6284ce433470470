// The chat's edit proposals on the real engine (node-llama-cpp on the synthetic model): generated
// under the propose_edits schema's grammar — as the local tool step does — every proposal parses and
// validates, and ends on its own within the schema's bound. Random weights: structure, not content.
import Ajv from "ajv";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { editProposalSchema, type ProposalLimits } from "../../src/core/agent/editProposal.js";
import { toolStepSchema } from "../../src/core/chat/toolStep.js";
import { withGrammarDecodingSlack } from "../../src/core/json/validateJson.js";
import { answerCharacterBound } from "../../src/core/refactor/answerShapes.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

const RUNS = 12;
/** Small bounds: the random model never closes a string early, so every string runs to its bound. */
const limits: ProposalLimits = { maxChanges: 2, maxEditsPerFile: 2, maxAnchorLength: 24, maxTextLength: 48, maxPathLength: 24, maxSummaryLength: 24 };
let engine: LocalEngine;

beforeAll(async () => {
  engine = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 4096, threads: 1 });
  await engine.modelInfo();
});

afterAll(async () => {
  await engine?.dispose();
});

const messages = [
  { role: "system" as const, content: "Propose the change as JSON." },
  { role: "user" as const, content: "Rename the helper in src/util.js and update its callers in src/main.js." },
];

it(`${RUNS} proposals generated under the schema all validate and end on their own`, async () => {
  const schema = editProposalSchema(limits);
  const validate = new Ajv({ allErrors: true }).compile(withGrammarDecodingSlack(schema));
  const maxTokens = answerCharacterBound(schema) * 2;
  for (let seed = 1; seed <= RUNS; seed++) {
    const result = await engine.chat({ messages, jsonSchema: schema, maxTokens, temperature: 0.9, seed, sequence: "refactor" });
    const value: unknown = JSON.parse(result.text);
    expect(validate(value), `seed ${seed}: ${JSON.stringify(validate.errors)} in ${result.text}`).toBe(true);
    expect(result.stopReason, `seed ${seed} ended by ${result.stopReason}`).not.toBe("maxTokens");
    // The keys, braces and a chosen kind's rest are written by the engine (jump-ahead through oneOf), not sampled.
    expect(result.metrics.forcedTokens, `seed ${seed}`).toBeGreaterThan(0);
  }
}, 600_000);

it("the tool step that names propose_edits carries a valid proposal", async () => {
  const tool = { name: "propose_edits", description: "", parameters: editProposalSchema(limits) };
  const step = toolStepSchema([tool]);
  // The step's own grammar: "none" or the tool with its arguments; both shapes must validate.
  const validate = new Ajv({ allErrors: true }).compile(withGrammarDecodingSlack(step));
  for (let seed = 1; seed <= 5; seed++) {
    const result = await engine.chat({ messages, jsonSchema: step, maxTokens: answerCharacterBound(editProposalSchema(limits)) * 2 + 64, temperature: 0.9, seed, sequence: "refactor" });
    expect(validate(JSON.parse(result.text)), `seed ${seed}: ${result.text}`).toBe(true);
  }
}, 300_000);
