/** Only paths inside this site, so a `next` parameter can't send anyone elsewhere. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}
