/** A browser's cookies for test clients: takes Set-Cookie headers in, gives a Cookie header out. */
export class CookieJar extends Map<string, string> {
  /** One Set-Cookie header value (only name=value matters here). */
  absorb(setCookie: string): void {
    const [pair = ''] = setCookie.split(';');
    const eq = pair.indexOf('=');
    this.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
  }

  absorbAll(headers: Headers): void {
    for (const setCookie of headers.getSetCookie()) this.absorb(setCookie);
  }

  header(): string {
    return [...this].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  }
}
