/**
 * Crash safety in the suite, first half: the worker process killed (SIGKILL) at seeded random moments
 * of parsing, staging and committing large imports, then restarted (./crash-suite.ts, ./soak.ts).
 * With crash-2.test.ts: 24 kills. INFLOW_CRASH_SEED replays a run; `npm run soak` runs hundreds.
 */
import { crashSuite } from "./crash-suite";

crashSuite(1);
