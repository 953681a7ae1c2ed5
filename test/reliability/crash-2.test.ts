/** Crash safety in the suite, second half: see crash.test.ts. A file of its own so its waits overlap the first half's. */
import { crashSuite } from "./crash-suite";

crashSuite(2);
