// One refactor request: ask the model under the answer's JSON Schema (grammar locally,
// response_format remotely), validate the answer again with ajv, turn it into a plan of edits.
import type { ChatEngine } from "../engine/chatEngine.js";
import { EngineError } from "../../protocol/engine.js";
import { validateJson, withGrammarDecodingSlack, type JsonSchema } from "../json/validateJson.js";
import { answerToPlan } from "./answerToEdits.js";
import { answerCharacterBound, answerSchema, fieldsAtLimit, resolveLimits, type RefactorAnswer } from "./answerShapes.js";
import type { RefactorAction } from "./actions.js";
import { RefactorError } from "./refactorError.js";
import { refactorMessages } from "./refactorPrompt.js";
import type { RefactorPlan, RefactorTarget } from "./refactorTarget.js";

/**
 * Most tokens one answer may take, whatever its schema allows; the engine also stops at the end of
 * the context. An answer cut by either is refused (`answerTooLong`), never applied.
 */
export const maxAnswerTokens = 32_768;

export interface RefactorRequestOptions {
  instruction?: string;
  signal?: AbortSignal;
  /** Sampling for tests and benches; refactors are greedy by default. */
  temperature?: number;
  seed?: number;
  /** Receives the answer text as it streams (progress display). */
  onText?: (chunk: string) => void;
}

export interface RefactorAnswerResult {
  answer: RefactorAnswer;
  /** The answer text as generated. */
  text: string;
  generatedTokens: number;
  totalMs: number;
}

/** The schema of an action's answer for this target. */
export function schemaFor(action: RefactorAction, target: RefactorTarget): JsonSchema {
  const length = target.selection.end - target.selection.start;
  const limits = resolveLimits(length, action.limits);
  return answerSchema(action.answer, limits, length);
}

function cancelled(): RefactorError {
  return new RefactorError("cancelled", "The refactor was cancelled; nothing was applied.");
}

/** Asks the model; resolves with a schema-valid answer or rejects with a RefactorError. */
export async function requestRefactorAnswer(
  engine: ChatEngine,
  action: RefactorAction,
  target: RefactorTarget,
  options: RefactorRequestOptions = {},
): Promise<RefactorAnswerResult> {
  if (target.selection.end <= target.selection.start) throw new RefactorError("noTarget", "Select some code first, or place the cursor inside a function.");
  const schema = schemaFor(action, target);
  // A token is at least one character, so the schema's character bound is where it must end;
  // twice that leaves room for escapes the grammar spells over several tokens.
  const maxTokens = Math.min(maxAnswerTokens, answerCharacterBound(schema) * 2);
  let result;
  try {
    result = await engine.chat(
      {
        messages: refactorMessages(action, target, options.instruction),
        jsonSchema: schema,
        sequence: "refactor",
        maxTokens,
        temperature: options.temperature ?? 0,
        seed: options.seed,
      },
      { signal: options.signal, onText: options.onText },
    );
  } catch (error) {
    if (options.signal?.aborted || (error instanceof EngineError && error.code === "cancelled")) throw cancelled();
    if (error instanceof EngineError) throw new RefactorError("engine", error.message);
    throw error;
  }
  if (result.stopReason === "aborted" || options.signal?.aborted) throw cancelled();
  if (result.stopReason === "timeout") throw new RefactorError("engine", "The model took too long to answer; nothing was applied.");
  const checked = validateJson<RefactorAnswer>(withGrammarDecodingSlack(schema), result.text);
  if (!checked.ok && result.stopReason === "maxTokens") {
    throw new RefactorError(
      "answerTooLong",
      `The model's answer did not end within ${result.metrics.generatedTokens} tokens (the most this selection and the context allow), so it is incomplete; nothing was applied. Select less code, or split the change.`,
    );
  }
  if (!checked.ok) throw new RefactorError("invalidAnswer", `The model's answer does not fit the action's schema (${checked.error}); nothing was applied.`);
  return { answer: checked.value, text: result.text, generatedTokens: result.metrics.generatedTokens, totalMs: result.metrics.totalMs };
}

/** Model answer → checked plan. Rejects with a RefactorError when the answer cannot be applied. */
export async function runRefactor(
  engine: ChatEngine,
  action: RefactorAction,
  target: RefactorTarget,
  options: RefactorRequestOptions = {},
): Promise<RefactorPlan> {
  const { answer } = await requestRefactorAnswer(engine, action, target, options);
  const cut = fieldsAtLimit(schemaFor(action, target), answer);
  if (cut.length > 0) {
    const { path, maxLength } = cut[0]!;
    throw new RefactorError(
      "answerTooLong",
      `The model's answer reached the limit of ${maxLength.toLocaleString("en")} characters for ${path.slice(1)} that this selection allows, ` +
        "so it may be cut off; nothing was applied. Select less code, or split the change.",
    );
  }
  return answerToPlan(action.answer, answer as never, target, action);
}
