/** A web address in a message's text: http(s) only, so no other scheme becomes a link. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
/** Punctuation that ends a sentence rather than the address it follows ("open https://x.example/a."). */
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

export type TextPart = { text: string } | { href: string };

/** A message's text cut into plain runs and the web addresses between them, in order. */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const href = match[0].replace(TRAILING_PUNCTUATION, '');
    if (match.index > from) parts.push({ text: text.slice(from, match.index) });
    parts.push({ href });
    from = match.index + href.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from) });
  return parts;
}
