/** `inflow worker`: the job worker as its own process, for running workers on other machines. */
import { startWorker, stopJobQueue } from "@/lib/ingest/jobs";

export async function runWorker(): Promise<number> {
  await startWorker();
  console.log("Inflow worker is processing jobs. Ctrl-C to stop.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await stopJobQueue();
  return 0;
}
