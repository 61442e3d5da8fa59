import { getDatabase } from '@/server/database';
import { env } from '@/server/env';
import { handleFetch } from '@/server/http/trpc-handlers';

function handler(req: Request) {
  const config = env();
  return handleFetch(req, { db: getDatabase().db, config, trustProxy: config.TRUST_PROXY });
}

export { handler as GET, handler as POST };
