// User actions from `deepseekLocal.refactor.customActions` (a prompt library). A definition names
// an answer shape from the fixed set rather than a raw schema, so every user action stays bounded
// and convertible into edits. Broken definitions are reported, one line each, and skipped.
import { validateJsonValue, type JsonSchema } from "../json/validateJson.js";
import { answerShapeNames, limitBounds, type AnswerShapeName } from "./answerShapes.js";
import { builtinActions, type RefactorAction } from "./actions.js";

export const customActionsSetting = "deepseekLocal.refactor.customActions";

/** The JSON Schema of one definition; package.json's setting schema says the same for the settings editor. */
export const customActionDefinitionSchema: JsonSchema = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 80 },
    instruction: { type: "string", minLength: 1, maxLength: 4000 },
    answerShape: { enum: [...answerShapeNames] },
    maxEdits: { type: "integer", minimum: limitBounds.maxItems.min, maximum: limitBounds.maxItems.max },
    maxTextLength: { type: "integer", minimum: limitBounds.maxTextLength.min, maximum: limitBounds.maxTextLength.max },
  },
  required: ["name", "instruction", "answerShape"],
  additionalProperties: false,
};

interface CustomActionDefinition {
  name: string;
  instruction: string;
  answerShape: AnswerShapeName;
  maxEdits?: number;
  maxTextLength?: number;
}

export interface CustomActionsResult {
  actions: RefactorAction[];
  /** One line per broken definition, naming it by index (and name when it has one). */
  problems: string[];
}

/** An id part from a display name: compatibility forms folded, accents dropped (NFKD splits them off as marks), the rest joined by dashes. */
function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "action"
  );
}

export function parseCustomActions(raw: unknown): CustomActionsResult {
  const result: CustomActionsResult = { actions: [], problems: [] };
  if (raw === undefined || raw === null) return result;
  if (!Array.isArray(raw)) {
    result.problems.push(`${customActionsSetting} must be a list of actions; it was ignored.`);
    return result;
  }
  const titles = new Set(builtinActions.map((action) => action.title.toLowerCase()));
  const ids = new Set<string>();
  raw.forEach((definition: unknown, index) => {
    const where = `${customActionsSetting}[${index}]`;
    const named = typeof (definition as { name?: unknown })?.name === "string" ? ` ("${(definition as { name: string }).name}")` : "";
    const checked = validateJsonValue<CustomActionDefinition>(customActionDefinitionSchema, definition);
    if (!checked.ok) {
      result.problems.push(`${where}${named}: ${checked.error.replaceAll("the answer", "the definition")}. Answer shapes: ${answerShapeNames.join(", ")}.`);
      return;
    }
    const { name, instruction, answerShape, maxEdits, maxTextLength } = checked.value;
    const title = name.trim();
    if (!title || !instruction.trim()) {
      result.problems.push(`${where}${named}: name and instruction must not be blank.`);
      return;
    }
    if (titles.has(title.toLowerCase())) {
      result.problems.push(`${where}${named}: another action already has this name; rename it.`);
      return;
    }
    let id = `custom.${slug(title)}`;
    for (let n = 2; ids.has(id); n++) id = `custom.${slug(title)}-${n}`;
    titles.add(title.toLowerCase());
    ids.add(id);
    result.actions.push({
      id,
      title,
      prompt: instruction.trim(),
      answer: answerShape,
      limits: { ...(maxEdits !== undefined ? { maxItems: maxEdits } : {}), ...(maxTextLength !== undefined ? { maxTextLength } : {}) },
      source: "custom",
    });
  });
  return result;
}
