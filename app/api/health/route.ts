import { getPool, databaseKind } from "@/lib/db/pool";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  try {
    await (await getPool()).query("select 1");
    return Response.json({ ok: true, database: databaseKind() });
  } catch (error) {
    console.error("health check failed", error);
    return Response.json({ ok: false, database: databaseKind(), error: "The database is not reachable." }, { status: 503 });
  }
}
