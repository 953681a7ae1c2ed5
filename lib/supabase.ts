/**
 * What every server-side Supabase client (Auth through @supabase/ssr, Storage) is created with.
 * supabase-js builds its Realtime client eagerly and, finding no global WebSocket (Node 20 has none;
 * Node 22 does), throws on construction — so with Supabase configured every request's getClaims
 * failed on Node 20. Inflow uses no Realtime on the server: this transport is never connected, and
 * says so if it ever is.
 */
import type { SupabaseClientOptions } from "@supabase/supabase-js";

type Transport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

class NoRealtimeOnTheServer {
  constructor() {
    throw new Error("Supabase Realtime is not used on the server.");
  }
}

export const serverRealtime = { transport: NoRealtimeOnTheServer as unknown as Transport };
