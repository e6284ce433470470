// The chat's edit proposals on the synthetic model (issue 23):
// - agent.edit_proposal_valid_share: proposals generated under the propose_edits schema (as the local
//   tool step generates them) that parse and validate on the first try, over seeds. Bounds are
//   smaller than the chat's (random weights never close a string early, so every string runs to its
//   bound); the grammar is built by the same code.
// - agent.grammar_tps_ratio: tokens/s of a proposal under its grammar ÷ the same request without one
//   (util/grammarRatio.ts: alternating rounds, same seed, free run capped at the answer's length).
import Ajv from "ajv";
import { editProposalSchema, type ProposalLimits } from "../../../src/core/agent/editProposal";
import type { ChatMessage } from "../../../src/core/engine/chatEngine";
import { withGrammarDecodingSlack } from "../../../src/core/json/validateJson";
import { answerCharacterBound } from "../../../src/core/refactor/answerShapes";
import type { BenchSection } from "../types";
import { reportGrammarRatio } from "../util/grammarRatio";
import { createPeerMatchedEngine } from "../util/peerSettings";

const CONTEXT_SIZE = 4096;
const SEEDS = 20;
const REPS = 6;
const ROUNDS_BUDGET_MS = 120_000;
const limits: ProposalLimits = { maxChanges: 3, maxEditsPerFile: 2, maxAnchorLength: 40, maxTextLength: 120, maxPathLength: 40, maxSummaryLength: 60 };

const messages: ChatMessage[] = [
  { role: "system", content: "You are DeepSeek Local, a coding assistant inside VS Code. Propose changes with propose_edits." },
  {
    role: "user",
    content:
      "src/port.js:\nexport function parsePort(value, fallback) {\n  const n = parseInt(value);\n  if (isNaN(n) == true) { return fallback; }\n  return n;\n}\n\n" +
      "Use Number.parseInt with radix 10 here and add a test file for it.",
  },
];

export const agent: BenchSection = {
  id: "agent",
  title: "Agent edits: propose_edits proposals under their schema on the synthetic model",
  async run(ctx) {
    const engine = createPeerMatchedEngine(ctx, await ctx.syntheticModel(), CONTEXT_SIZE);
    ctx.defer(() => engine.dispose());
    await engine.modelInfo();
    const schema = editProposalSchema(limits);
    const validate = new Ajv({ allErrors: true }).compile(withGrammarDecodingSlack(schema));
    const maxTokens = answerCharacterBound(schema) * 2;

    let valid = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = await engine.chat({ messages, jsonSchema: schema, maxTokens, temperature: 0.9, seed, sequence: "refactor" });
      let ok = false;
      try {
        ok = validate(JSON.parse(result.text)) === true;
      } catch {
        ok = false;
      }
      if (ok) valid++;
      else ctx.log(`seed ${seed}: invalid proposal (${result.stopReason}): ${result.text.slice(0, 200)}`);
    }
    ctx.report({ id: "agent.edit_proposal_valid_share", value: valid / SEEDS, unit: "×", goal: ">= 1", note: `${valid} of ${SEEDS} seeds, first try, temperature 0.9` });

    await reportGrammarRatio(ctx, engine, { messages, schema, maxTokens }, "agent", { reps: ctx.reps ?? REPS, budgetMs: ROUNDS_BUDGET_MS });
  },
};
