// A small element builder: text always goes in as textContent, never as HTML. The only HTML the
// page inserts is sanitized markdown (transcript.ts).
type Child = Node | string | null | undefined | false;

export interface ElementProps {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const [name, handler] of Object.entries(props.on ?? {})) element.addEventListener(name, handler as EventListener);
  for (const child of children) if (child) element.append(child);
  return element;
}

export function button(label: string, onClick: () => void, options: { class?: string; title?: string; testId?: string } = {}): HTMLButtonElement {
  return h("button", {
    class: options.class ?? "",
    text: label,
    title: options.title ?? label,
    attrs: { type: "button", ...(options.testId ? { "data-testid": options.testId } : {}) },
    on: { click: onClick },
  });
}
