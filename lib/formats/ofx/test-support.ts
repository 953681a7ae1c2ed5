/** What the OFX differential tests compare: every event of a parse, and its error if it failed. */
import { FormatError, type ParseEvent } from "../types";

export type Outcome = { events: ParseEvent[]; error?: { code: string; message: string; line: number } };

/** Reads every batch; a FormatError ends the outcome with its code, message and line. */
export async function run(batches: AsyncGenerator<ParseEvent[], void, undefined>): Promise<Outcome> {
  const events: ParseEvent[] = [];
  try {
    for await (const batch of batches) events.push(...batch);
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    return { events, error: { code: error.code, message: error.message, line: error.line } };
  }
  return { events };
}
