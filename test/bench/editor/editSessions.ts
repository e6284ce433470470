// The scripted edit sessions: sample files in a few languages and what a user does in each —
// statement completion at the end of a file, a new function body, typing through a shown ghost,
// an edit in the middle of a line, Tab accepts (some undone with Ctrl+Z).

export type EditStep =
  /** Keys typed at the typing interval ("\n" is Enter), then a pause. */
  | { kind: "burst"; text: string }
  /** Puts the cursor at a line (1-based) and column (1-based, or the line's end) with keys. */
  | { kind: "moveTo"; line: number; column: number | "end" }
  /** The end of the file, on a new line. */
  | { kind: "newLineAtEnd" }
  /** Types the first `chars` characters of the ghost shown now (or `fallback` when none is). */
  | { kind: "typeThrough"; chars: number; fallback: string }
  /** Tab on the ghost shown now, checked against the saved file; `undo`: Ctrl+Z afterwards. */
  | { kind: "accept"; undo: boolean };

export interface EditSession {
  /** Written at the top of the workspace copy before the server starts (opened from the explorer). */
  file: string;
  content: string;
  steps: EditStep[];
}

const javascript: EditSession = {
  file: "orders.js",
  content: `// Order totals for the checkout page.
const TAX_RATE = 0.2;

export function subtotal(items) {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

export function withTax(amount) {
  return amount * (1 + TAX_RATE);
}
`,
  steps: [
    { kind: "newLineAtEnd" },
    { kind: "burst", text: "export function discount(amount, percent) {\n" },
    { kind: "burst", text: "const rate = percent / 100;\n" },
    { kind: "accept", undo: true },
    { kind: "burst", text: "return amount * (1 - " },
    { kind: "typeThrough", chars: 3, fallback: "rate" },
    { kind: "accept", undo: false },
    { kind: "moveTo", line: 9, column: 33 },
    { kind: "burst", text: " * 1.0" },
  ],
};

const python: EditSession = {
  file: "shapes.py",
  content: `"""Areas and perimeters of simple shapes."""
import math


def circle_area(radius):
    return math.pi * radius ** 2


def rectangle_area(width, height):
    return width * height
`,
  steps: [
    { kind: "newLineAtEnd" },
    { kind: "burst", text: "\ndef triangle_area(base, height):\n" },
    { kind: "burst", text: "half = base / 2\n" },
    { kind: "accept", undo: false },
    { kind: "burst", text: "return half * " },
    { kind: "typeThrough", chars: 3, fallback: "height" },
    { kind: "moveTo", line: 9, column: 33 },
    { kind: "burst", text: ", depth=1" },
    { kind: "accept", undo: true },
  ],
};

const typescript: EditSession = {
  file: "inventory.ts",
  content: `// Stock levels per warehouse.
export interface StockItem {
  sku: string;
  quantity: number;
}

export function totalQuantity(items: StockItem[]): number {
  let total = 0;
  for (const item of items) total += item.quantity;
  return total;
}
`,
  steps: [
    { kind: "newLineAtEnd" },
    { kind: "burst", text: "\nexport function lowStock(items: StockItem[], limit: number) {\n" },
    { kind: "burst", text: "return items.filter((item) => " },
    { kind: "typeThrough", chars: 4, fallback: "item.quantity < limit);" },
    { kind: "accept", undo: true },
    { kind: "moveTo", line: 8, column: 16 },
    { kind: "burst", text: " as number" },
    { kind: "newLineAtEnd" },
    { kind: "burst", text: "export const " },
    { kind: "accept", undo: false },
  ],
};

export const editSessions: readonly EditSession[] = [javascript, python, typescript];
