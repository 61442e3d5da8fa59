import { linkParts } from './link-parts';

/** A message's plain text, line breaks kept, its web addresses links (React escapes the rest). */
export function LinkedText({ text }: { text: string }) {
  return (
    <pre className="outbox-text">
      {linkParts(text).map((part, i) =>
        'href' in part ? (
          <a key={i} href={part.href} rel="noreferrer">
            {part.href}
          </a>
        ) : (
          part.text
        ),
      )}
    </pre>
  );
}
