/**
 * A local SuperOps MSP GraphQL endpoint for tests, speaking the documented request and response
 * shapes (developer.superops.com/msp):
 * - POST /msp with `Authorization: Bearer <API token>`, `CustomerSubDomain: <subdomain>` and a JSON
 *   body {query, variables};
 * - `getInvoiceList(input: ListInfoInput!)` with input {page, pageSize, sort: [{attribute, order}]} →
 *   {data: {getInvoiceList: {invoices: [Invoice], listInfo: {page, pageSize, hasMore, totalCount}}}},
 *   invoices with string amounts (totalAmount "10000"), statusEnum DRAFT/APPROVED/PAID/OVERDUE/VOID;
 * - failures as GraphQL `errors` ({errors: [{message, extensions: {classification}}], data: null}):
 *   with HTTP 200 for a query SuperOps cannot run or an unknown subdomain, 401 for a refused token.
 *   (SuperOps' reference does not print its error bodies; these follow the GraphQL spec.)
 */
import { randomBytes } from "node:crypto";
import { startJsonServer, type Answer, type JsonServer, type RecordedRequest } from "./http";

export interface SuperopsInvoice {
  invoiceId: string;
  displayId: string;
  client: { accountId: string; name: string };
  site: { id: string; name: string } | null;
  invoiceDate: string;
  dueDate: string | null;
  statusEnum: "DRAFT" | "APPROVED" | "PAID" | "OVERDUE" | "VOID";
  sentToClient: boolean;
  discountAmount: string | null;
  additionalDiscount: string | null;
  totalAmount: string;
  notes: string | null;
  paymentDate: string | null;
  paymentMethod: { id: string; name: string } | null;
  paymentReference: string | null;
}

export const graphqlErrors = (message: string, classification = "DataFetchingException", status = 200): Answer => ({
  status,
  body: { data: null, errors: [{ message, locations: [], extensions: { classification } }] },
});

export interface SuperopsTestServer extends JsonServer {
  apiToken: string;
  subdomain: string;
  endpoint: string;
  add(invoice: Partial<SuperopsInvoice> & Pick<SuperopsInvoice, "invoiceDate" | "totalAmount">): SuperopsInvoice;
  modify(invoiceId: string, changes: Partial<SuperopsInvoice>): SuperopsInvoice;
  /** The pages asked for, in order. */
  pages(): number[];
}

export async function startSuperopsServer(): Promise<SuperopsTestServer> {
  const apiToken = `sop-${randomBytes(16).toString("hex")}`;
  const subdomain = "inflowmsp";
  const invoices = new Map<string, SuperopsInvoice>();
  let next = 7_929_754_851_606_401_000n;

  const server = await startJsonServer((request: RecordedRequest) => {
    if (request.path !== "/msp" || request.method !== "POST") return graphqlErrors(`no endpoint ${request.path}`, "NotFound", 404);
    if (request.headers.authorization !== `Bearer ${apiToken}`) return graphqlErrors("Unauthorized: invalid API token", "UNAUTHENTICATED", 401);
    if (request.headers.customersubdomain !== subdomain) return graphqlErrors(`Invalid CustomerSubDomain "${String(request.headers.customersubdomain ?? "")}"`, "ValidationError");
    const body = (request.body ?? {}) as { query?: string; variables?: { input?: { page?: number; pageSize?: number; sort?: { attribute?: string; order?: string }[] } } };
    if (!body.query?.includes("getInvoiceList(input: $input)")) return graphqlErrors("Validation error: unknown query", "ValidationError");
    const input = body.variables?.input ?? {};
    const page = input.page ?? 1;
    const pageSize = input.pageSize ?? 10;
    if (pageSize > 100) return graphqlErrors("pageSize must not exceed 100", "ValidationError");
    const sort = input.sort?.[0];
    const all = [...invoices.values()].sort((a, b) => a.invoiceDate.localeCompare(b.invoiceDate) || a.invoiceId.localeCompare(b.invoiceId));
    if (sort?.attribute === "invoiceDate" && sort.order === "DESC") all.reverse();
    const slice = all.slice((page - 1) * pageSize, page * pageSize);
    return {
      status: 200,
      body: { data: { getInvoiceList: { invoices: slice, listInfo: { page, pageSize, hasMore: page * pageSize < all.length, totalCount: all.length } } } },
    };
  });

  return {
    ...server,
    apiToken,
    subdomain,
    endpoint: `${server.url}/msp`,
    add(partial) {
      const invoiceId = String(next++);
      const inv: SuperopsInvoice = {
        invoiceId,
        displayId: `${partial.invoiceDate.slice(5, 7)}${partial.invoiceDate.slice(8, 10)}${partial.invoiceDate.slice(2, 4)}-${String(invoices.size + 1).padStart(4, "0")}`,
        client: { accountId: "7929754851606401024", name: "Acme" },
        site: { id: "7929754852373958656", name: "Austin" },
        dueDate: null,
        statusEnum: "APPROVED",
        sentToClient: true,
        discountAmount: "0",
        additionalDiscount: null,
        notes: null,
        paymentDate: null,
        paymentMethod: null,
        paymentReference: null,
        ...partial,
      };
      invoices.set(invoiceId, inv);
      return inv;
    },
    modify(invoiceId, changes) {
      const before = invoices.get(invoiceId);
      if (!before) throw new Error(`no invoice ${invoiceId}`);
      const inv = { ...before, ...changes };
      invoices.set(invoiceId, inv);
      return inv;
    },
    pages: () => server.requests.filter((r) => r.path === "/msp").map((r) => (r.body as { variables?: { input?: { page?: number } } }).variables?.input?.page ?? 0),
  };
}
