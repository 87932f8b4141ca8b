// Where a probe item's words are its own: outside quoted text and /regexes/, a comma
// separates conditions and the word `expect` ends the target.

/** For each character of `text`, whether it is inside quotes ('…' or "…") or a /regex/ that follows `matches`. */
export function literalMask(text: string): boolean[] {
  const inside = new Array<boolean>(text.length).fill(false);
  let quote: string | undefined;
  let regex = false;
  let cls = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === undefined && !regex) {
      if (c === '"' || c === "'") quote = c;
      else if (c === '/' && /\bmatches\s+$/.test(text.slice(0, i))) regex = true;
      inside[i] = quote !== undefined || regex;
      continue;
    }
    inside[i] = true;
    if (c === '\\') {
      if (i + 1 < text.length) inside[++i] = true;
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (cls) cls = c !== ']';
    else if (c === '[') cls = true;
    else if (c === '/') regex = false;
  }
  return inside;
}

/** `text` cut at each comma outside quotes and regexes; the pieces trimmed. */
export function splitConditions(text: string): string[] {
  const inside = literalMask(text);
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && (text[i] !== ',' || inside[i])) continue;
    out.push(text.slice(from, i).trim());
    from = i + 1;
  }
  return out;
}

/**
 * `text` cut at its last word `expect` outside quotes and regexes: the target before
 * it, the conditions after (undefined when there is no such word). The last, so a
 * command may hold the word if an `expect` clause follows it.
 */
export function splitExpect(text: string): { target: string; conditions?: string } {
  const inside = literalMask(text);
  let at = -1;
  for (const m of text.matchAll(/(?<=^|\s)expect(?=\s|$)/g)) if (!inside[m.index]) at = m.index;
  if (at < 0) return { target: text.trim() };
  return { target: text.slice(0, at).trim(), conditions: text.slice(at + 'expect'.length).trim() };
}
