/** The non-empty lines of an NDJSON body, with their 1-based line numbers (a trailing `\r` is dropped). */
export function* ndjsonLines(body: Uint8Array): Generator<{ line: number; bytes: Uint8Array }> {
  let start = 0;
  let line = 1;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      let end = i;
      if (end > start && body[end - 1] === 0x0d) end--;
      if (hasContent(body, start, end)) yield { line, bytes: body.subarray(start, end) };
      start = i + 1;
      line++;
    }
  }
}

export function countNdjsonLines(body: Uint8Array): number {
  let count = 0;
  for (const line of ndjsonLines(body)) if (line) count++;
  return count;
}

function hasContent(body: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = body[i];
    if (c !== 0x20 && c !== 0x09) return true;
  }
  return false;
}
