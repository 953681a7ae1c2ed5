/**
 * Typed application errors and the one function that maps any error to an HTTP response:
 * validation → 422 with the field path, AppError → its status, anything else → a logged 500
 * that leaks no internals.
 */
import { ZodError } from "zod";

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unauthorized = () => new AppError(401, "unauthorized", "Please sign in to continue.");
export const forbidden = (what = "do this") => new AppError(403, "forbidden", `Your role does not allow you to ${what}.`);
export const notFound = (what = "That page") => new AppError(404, "not_found", `${what} was not found.`);

export interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

export function errorResponse(error: unknown): Response {
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    const first = issues[0];
    const body: ErrorBody = {
      error: { code: "validation", message: first ? `${first.path || "input"}: ${first.message}` : "The input is not valid.", issues },
    };
    return Response.json(body, { status: 422 });
  }
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    return Response.json(body, { status: error.status, headers: error.headers });
  }
  console.error("Unhandled error in route handler", error);
  const body: ErrorBody = { error: { code: "internal", message: "Something went wrong on our side. Please try again." } };
  return Response.json(body, { status: 500 });
}
