/** A constant answer through a Next.js route handler: the benchmark's ceiling for this path. */
export function GET() {
  return Response.json({ ok: true });
}
