/**
 * Next.js calls register() once when the server starts: the job worker runs inside the app's process
 * unless INFLOW_WORKER=off (then `npx inflow worker` processes run it elsewhere).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.INFLOW_WORKER === "off") return;
  const { startWorker } = await import("./lib/ingest/jobs");
  await startWorker();
}
