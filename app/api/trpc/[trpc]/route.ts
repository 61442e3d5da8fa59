import { getDatabase } from '../../../../db/client';
import { env } from '../../../../server/env';
import { handleFetch } from '../../../../server/http/trpc-handlers';

function handler(req: Request) {
  return handleFetch(req, { db: getDatabase().db, config: env() });
}

export { handler as GET, handler as POST };
