import { tenantRoute } from "@/lib/http/route";
import { createMapping, createMappingInput, mappingKey, mappings, removeMapping } from "@/lib/ingest/mappings";

/** Every mapping of the tenant. */
export const GET = tenantRoute("imports.read", async (ctx) => Response.json({ mappings: await mappings(ctx) }));

/** Maps an external account to an existing account or a new one; re-classifies the imports waiting on it. */
export const POST = tenantRoute("accounts.manage", async (ctx) => {
  const input = createMappingInput.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await createMapping(ctx, input), { status: 201 });
});

/** Removes a mapping `{ source, externalId }`; its staged rows wait again. */
export const DELETE = tenantRoute("accounts.manage", async (ctx) => {
  const input = mappingKey.parse(await ctx.request.json().catch(() => ({})));
  return Response.json(await removeMapping(ctx, input));
});
