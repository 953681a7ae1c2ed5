/**
 * The connector registry: every connector Inflow can sync from, by the type stored in
 * connections.type. Add a connector by implementing ./types.ts in lib/connectors/<name>/ and
 * registering it here.
 */
import { AppError } from "@/lib/http/errors";
import { sheetsConnector } from "./google-sheets";
import { mpesaConnector } from "./mpesa-daraja";
import { plaidConnector } from "./plaid";
import { quickbooksConnector } from "./quickbooks";
import { sftpConnector } from "./sftp";
import { sqlConnector } from "./sql";
import { stripeConnector } from "./stripe";
import { superopsConnector } from "./superops";
import { register, type RegisteredConnector } from "./types";

const CONNECTORS: readonly RegisteredConnector[] = [register(sftpConnector), register(plaidConnector), register(stripeConnector), register(sqlConnector), register(quickbooksConnector),
  register(sheetsConnector),
  register(mpesaConnector),
  register(superopsConnector),
];

const byType = new Map(CONNECTORS.map((c) => [c.type, c]));

export const CONNECTOR_TYPES = CONNECTORS.map((c) => c.type);

export function listConnectors(): readonly RegisteredConnector[] {
  return CONNECTORS;
}

export function connectorFor(type: string): RegisteredConnector {
  const found = byType.get(type);
  if (!found) throw new AppError(422, "validation", `type: Inflow has no connector of type "${type}". Choose one of: ${CONNECTOR_TYPES.join(", ")}.`);
  return found;
}
