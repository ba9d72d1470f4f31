// The server answers a 422 with one message, "field: problem; other: problem"
// (src/livedesk/api/errors.py). Split it so each problem shows next to its field.
export function fieldErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of message.split("; ")) {
    const colon = part.indexOf(": ");
    if (colon <= 0) {
      out._ = out._ ? `${out._}; ${part}` : part;
      continue;
    }
    const path = part.slice(0, colon);
    const field = path.split(".").pop() ?? path;
    // Pydantic prefixes a custom check's message ("Value error, must be ..."): drop it.
    const text = part.slice(colon + 2).replace(/^Value error, /, "");
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  }
  return out;
}
