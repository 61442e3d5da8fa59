import { describe, expect, it } from 'vitest';
import { linkParts } from './link-parts';

describe('linkParts', () => {
  it('cuts out web addresses, leaving the sentence punctuation outside them', () => {
    expect(linkParts('Open https://tickets.example.com/verify?token=a-b_c&x=1. Or ignore this.')).toEqual([
      { text: 'Open ' },
      { href: 'https://tickets.example.com/verify?token=a-b_c&x=1' },
      { text: '. Or ignore this.' },
    ]);
    expect(linkParts('(http://localhost:3000/reset)\nthen https://b.example')).toEqual([
      { text: '(' },
      { href: 'http://localhost:3000/reset' },
      { text: ')\nthen ' },
      { href: 'https://b.example' },
    ]);
  });

  it('links nothing but http and https', () => {
    expect(linkParts('javascript:alert(1) mailto:a@b.example ftp://x.example')).toEqual([
      { text: 'javascript:alert(1) mailto:a@b.example ftp://x.example' },
    ]);
    expect(linkParts('')).toEqual([]);
  });
});
