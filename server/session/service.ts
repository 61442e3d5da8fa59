import { randomInt } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { users, wallets } from '@/db/schema';
import { DomainError } from '@/server/errors';

export const SESSION_COOKIE = 'sid';
export const SESSION_MAX_AGE_SECONDS = 60 * 60 * 24 * 30;
export const MAX_NAME_LENGTH = 40;

export interface SessionUser {
  userId: string;
  name: string;
}

const guestName = () => `Guest-${randomInt(1000, 10000)}`;

/** A new guest user, with an empty wallet. */
export async function createGuest(db: Db, name?: string): Promise<SessionUser> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ name: name ?? guestName() })
      .returning();
    await tx.insert(wallets).values({ userId: user!.id });
    return { userId: user!.id, name: user!.name };
  });
}

export async function findUser(db: Db, userId: string): Promise<SessionUser | undefined> {
  const [user] = await db.select({ userId: users.id, name: users.name }).from(users).where(eq(users.id, userId));
  return user;
}

export async function requireUser(db: Db, userId: string): Promise<SessionUser> {
  const user = await findUser(db, userId);
  if (!user) throw new DomainError('SESSION_REQUIRED', 'This session is no longer valid. Start a new one.');
  return user;
}

/**
 * `session.start`: keeps the caller's user when the session is valid (renaming it if a name is
 * given), otherwise creates a guest. Either way the caller ends with a fresh session cookie.
 */
export async function startSession(db: Db, { currentUserId, name }: { currentUserId: string | null; name?: string }): Promise<SessionUser> {
  if (currentUserId) {
    const user = await findUser(db, currentUserId);
    if (user) {
      if (name === undefined || name === user.name) return user;
      await db.update(users).set({ name }).where(eq(users.id, user.userId));
      return { ...user, name };
    }
  }
  return createGuest(db, name);
}
