/**
 * Path parameters that name a row by id. Anything that is not an id (a `../` path, a raw file key,
 * quotes) cannot name a row, so it is answered exactly like an id of another tenant: 404, and the
 * handler never passes it to a query (where Postgres would refuse the cast and the caller got a 500).
 */
import { z } from "zod";
import { notFound } from "./errors";

const uuid = z.string().uuid();

/** The id as given, or a 404 for `what` (e.g. "That import"). */
export function idParam(value: string | undefined, what: string): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw notFound(what);
  return parsed.data;
}
