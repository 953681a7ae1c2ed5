/** Server components' way to get the caller's tenant context; unauthenticated visitors go to sign-in. */
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { AppError } from "@/lib/http/errors";
import { resolveTenantContext, type TenantContext } from "./context";

export const pageContext = cache(async (): Promise<TenantContext> => {
  try {
    return await resolveTenantContext(await cookies());
  } catch (error) {
    if (error instanceof AppError && (error.status === 401 || error.status === 404)) redirect("/sign-in");
    throw error;
  }
});
