// Chat prompts in the format the loaded model declares in its GGUF (`tokenizer.chat_template`).
// DeepSeek-Coder-V2(-Lite): "User: …\n\nAssistant: …<eos>"; V3 family: <｜User｜>…<｜Assistant｜>….
// Message content is always plain text: a user cannot type a control token into the prompt.
import type { ChatMessage } from "../../backends/engine.js";
import type { PromptSegment } from "../../protocol/engine.js";

export type ChatTemplateKind = "deepseek-coder-v2" | "deepseek-v3";

/** Picks the template family from the Jinja template text in the GGUF. */
export function detectChatTemplate(jinja: string | null): ChatTemplateKind {
  if (jinja && jinja.includes("<｜User｜>")) return "deepseek-v3";
  return "deepseek-coder-v2";
}

export interface RenderedChat {
  prompt: PromptSegment[];
  /** Text that ends the assistant's turn when the model writes it instead of the EOS token. */
  stopStrings: string[];
}

export function renderChatPrompt(kind: ChatTemplateKind, messages: readonly ChatMessage[], assistantPrefix = ""): RenderedChat {
  const prompt: PromptSegment[] = [{ token: "bos" }];
  const special = (text: string): PromptSegment => ({ text, parseSpecial: true });
  for (const message of messages) {
    const content = message.role === "tool" ? `Tool result (${message.toolCallId ?? "tool"}):\n${message.content}` : message.content;
    if (kind === "deepseek-v3") {
      if (message.role === "system") prompt.push({ text: content });
      else if (message.role === "assistant") prompt.push(special("<｜Assistant｜>"), { text: content }, { token: "eos" });
      else prompt.push(special("<｜User｜>"), { text: content });
    } else {
      if (message.role === "system") prompt.push({ text: `${content}\n\n` });
      else if (message.role === "assistant") prompt.push({ text: `Assistant: ${content}` }, { token: "eos" });
      else prompt.push({ text: `User: ${content}\n\n` });
    }
  }
  if (kind === "deepseek-v3") prompt.push(special("<｜Assistant｜>"));
  else prompt.push({ text: assistantPrefix ? "Assistant: " : "Assistant:" });
  if (assistantPrefix) prompt.push({ text: assistantPrefix });
  return { prompt, stopStrings: kind === "deepseek-v3" ? ["<｜User｜>"] : ["\nUser:"] };
}
