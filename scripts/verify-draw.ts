/**
 * `npm run verify:draw -- <baseUrl> <concertId>`: checks a sale's draw from its public `sale.draw`
 * alone: SHA-256(seed) equals the published commitment, and the pre-queue's places follow the rule
 * (ascending SHA-256 of `${seed}:${drawNumber}`). Prints OK or what is wrong; exits 1 when it is wrong,
 * 2 when the draw could not be read.
 */
import { verifyDrawAt } from '@/server/sale/verify';

const [baseUrl, concertArg] = process.argv.slice(2);
const concertId = Number(concertArg);
if (!baseUrl || !Number.isInteger(concertId) || concertId < 1) {
  console.error('usage: npm run verify:draw -- <baseUrl, e.g. http://localhost:3000> <concertId>');
  process.exit(2);
}

verifyDrawAt(baseUrl, concertId)
  .then(({ ok, lines }) => {
    for (const line of lines) console.log(line);
    process.exitCode = ok ? 0 : 1;
  })
  .catch((error: unknown) => {
    console.error(`Could not read the draw: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  });
