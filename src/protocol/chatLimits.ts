// Limits both sides of the chat page protocol enforce. A plain module (no zod) so that the page's
// bundle can import the values.

/** The longest message the page sends; the page refuses a longer draft and keeps it, saying why. */
export const maxMessageChars = 200_000;
