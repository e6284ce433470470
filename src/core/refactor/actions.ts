// Every refactor action is declared here: its name, what it asks the model, the shape (and so the
// JSON Schema) of its answer — which also decides how the answer becomes edits (answerToEdits.ts).
import type { AnswerShapeName, ShapeLimits } from "./answerShapes.js";

export interface RefactorAction {
  /** "simplify" for built-ins, "custom.<slug>" for user actions. */
  id: string;
  title: string;
  /** The task as told to the model. */
  prompt: string;
  answer: AnswerShapeName;
  /** Overrides of the default bounds (which scale with the selection). */
  limits?: Partial<ShapeLimits>;
  /** Asks the user for a free-text instruction, appended to the prompt. */
  asksForInstruction?: boolean;
  source: "builtin" | "custom";
}

export const builtinActions: readonly RefactorAction[] = [
  {
    id: "withInstruction",
    title: "Refactor with Instruction…",
    prompt: "Rewrite the selected code as the user asks. Keep its behaviour unless the instruction says otherwise.",
    answer: "replaceSelection",
    asksForInstruction: true,
    source: "builtin",
  },
  {
    id: "addDocumentation",
    title: "Add Documentation Comments",
    prompt:
      "Add documentation comments in the language's usual style (JSDoc, docstrings, /// …) to the functions, classes and " +
      "methods of the selected code that lack them. Describe purpose, parameters and results briefly. Do not change any code.",
    answer: "insertBefore",
    limits: { maxTextLength: 600 },
    source: "builtin",
  },
  {
    id: "suggestNames",
    title: "Suggest Better Names",
    prompt:
      "Suggest clearer names for the variables, parameters and functions of the selected code whose names are vague, " +
      "abbreviated or misleading. Follow the language's naming conventions.",
    answer: "renames",
    source: "builtin",
  },
  {
    id: "extractFunction",
    title: "Extract Function",
    prompt:
      "Extract the selected code into a new, well-named function. Pass what it reads as parameters and return what later code uses.",
    answer: "extractFunction",
    source: "builtin",
  },
  {
    id: "simplify",
    title: "Simplify / Modernize",
    prompt:
      "Simplify the selected code and use modern idioms of its language (early returns, destructuring, built-in helpers, " +
      "clearer conditions). Keep its behaviour exactly.",
    answer: "anchoredEdits",
    source: "builtin",
  },
  {
    id: "addErrorHandling",
    title: "Add Error Handling",
    prompt:
      "Add error handling to the selected code: check inputs and results that can fail, catch errors where they can be handled, " +
      "and report them with useful messages in the code's existing style. Keep its behaviour on success.",
    answer: "replaceSelection",
    source: "builtin",
  },
];

/** The command id that runs an action directly. */
export function commandIdOf(action: RefactorAction): string {
  return `deepseekLocal.refactor.${action.id}`;
}
