/**
 * ":86:" information to account owner. Three shapes are recognised: German/Polish "?NN" subfields
 * (GVC code first, "?" or ">" as separator), Dutch "/KEY/value" structures (TRTP, NAME, REMI, IBAN…),
 * and free text. SWIFT wraps lines at 65 characters without regard to words, so structured text
 * is joined without separators; free text is joined with spaces.
 */

export interface Information {
  description: string;
  counterpartyName?: string;
  counterpartyAccount?: string;
  details: Record<string, string>;
}

/** Each element is one ":86:" field's lines (a transaction may carry several ":86:" fields). */
export function parseInformation(fields: readonly (readonly string[])[]): Information {
  // Loops rather than map/join closures: this runs for every transaction.
  let joined = "";
  for (const lines of fields) for (const line of lines) joined += line;
  const structured = joined.trim();
  const german = /^(\d{3})([?>])\d{2}/.exec(structured);
  if (german) return parseSubfields(structured, german[1]!, german[2]!);
  if (DUTCH_START.test(structured)) return parseDutch(structured);
  return parseFreeText(fields.flat().join(" ").replace(/\s+/g, " ").trim());
}

/** German subfields are 27 characters wide: a full one was cut mid-text, a shorter one ended a phrase. */
const SUBFIELD_WIDTH = 27;

function joinSubfields(parts: readonly string[]): string {
  let joined = "";
  parts.forEach((part, i) => {
    const previous = parts[i - 1];
    if (previous !== undefined && previous.length < SUBFIELD_WIDTH) joined += " ";
    joined += part;
  });
  return joined.replace(/\s+/g, " ").trim();
}

const SEPA_KEYS = ["EREF", "KREF", "MREF", "CRED", "DEBT", "SVWZ", "ABWA", "ABWE", "IBAN", "BIC", "COAM", "OAMT", "PURP"] as const;
const SEPA_KEYWORD = new RegExp(`(${SEPA_KEYS.join("|")})\\+`, "g");
const SEPA_DETAIL: Record<string, string> = {
  EREF: "endToEndId",
  KREF: "customerReference",
  MREF: "mandateId",
  CRED: "creditorId",
  DEBT: "debtorId",
  ABWA: "ultimateDebtor",
  ABWE: "ultimateCreditor",
  PURP: "purpose",
};

const SUBFIELD_MARKERS: Readonly<Record<string, RegExp>> = { "?": /\?(\d{2})/g, ">": />(\d{2})/g };

function parseSubfields(text: string, transactionCode: string, separator: string): Information {
  const split = SUBFIELD_MARKERS[separator] ?? SUBFIELD_MARKERS["?"]!;
  const values = new Map<number, string>();
  const starts = [...text.matchAll(split)];
  starts.forEach((m, i) => {
    const from = (m.index ?? 0) + m[0].length;
    const to = starts[i + 1]?.index ?? text.length;
    const key = Number(m[1]);
    values.set(key, (values.get(key) ?? "") + text.slice(from, to));
  });
  const pick = (...keys: number[]): string[] => keys.flatMap((k) => (values.has(k) ? [values.get(k)!] : []));
  const remittance = joinSubfields(pick(20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 60, 61, 62, 63));
  const details: Record<string, string> = { transactionCode };
  const bookingText = values.get(0)?.trim();
  if (bookingText) details.bookingText = bookingText;
  const primaNota = values.get(10)?.trim();
  if (primaNota) details.primaNota = primaNota;
  const bank = values.get(30)?.trim();
  if (bank) details.counterpartyBankId = bank;
  const extension = values.get(34)?.trim();
  if (extension) details.textKeyExtension = extension;
  const iban = values.get(38)?.trim();
  if (iban) details.counterpartyIban = iban;
  if (remittance) details.remittance = remittance;
  const sepa = parseSepaKeywords(remittance);
  for (const [key, value] of Object.entries(sepa)) {
    const name = SEPA_DETAIL[key];
    if (name && value) details[name] = value;
  }
  const name = joinSubfields(pick(32, 33));
  const account = values.get(31)?.trim() || iban || sepa.IBAN;
  return {
    description: sepa.SVWZ || remittance || bookingText || "",
    ...(name ? { counterpartyName: name } : {}),
    ...(account ? { counterpartyAccount: account } : {}),
    details,
  };
}

/** German SEPA remittance keywords ("EREF+…SVWZ+…"); empty when the text has none. */
function parseSepaKeywords(text: string): Record<string, string> {
  const found = [...text.matchAll(SEPA_KEYWORD)];
  if (found.length === 0 || (found[0]?.index ?? 1) > 0) return {};
  const result: Record<string, string> = {};
  found.forEach((m, i) => {
    const from = (m.index ?? 0) + m[0].length;
    const to = found[i + 1]?.index ?? text.length;
    result[m[1]!] = text.slice(from, to).trim();
  });
  return result;
}

const DUTCH_KEYS = [
  "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "ORDP", "BENM", "CSID", "MARF", "SVCL", "ISDT", "RTRN", "PREF",
  "CNTP", "ADDR", "ULTC", "ULTD", "ULTB", "PURP", "CHGS", "EXCH", "OCMT", "COAM", "ID", "FX", "RTYP", "IREF", "BUSP",
];
const DUTCH_START = new RegExp(`^/(${DUTCH_KEYS.join("|")})/`);

/**
 * Packs a key of 2–4 ASCII capitals into one number, its letters as base-32 digits 1–26 (no digit is
 * 0, so keys of different lengths never meet); -1 for anything else. quickInformation packs the same
 * way as it reads.
 */
function packKey(text: string, from: number, to: number): number {
  const length = to - from;
  if (length < 2 || length > 4) return -1;
  let packed = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 65 || c > 90) return -1;
    packed = packed * 32 + (c - 64);
  }
  return packed;
}

/** Slot of each key's value in parseDutch; keys that only delimit values have no slot (-1). */
const USED_KEYS = ["TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "PREF", "ISDT", "CNTP"] as const;
/**
 * The slots by packed key as a table of buckets, bucket = packed % DUTCH_BUCKETS: the smallest
 * count that gives every key a bucket of its own (found when the module loads), so a lookup is one
 * remainder and one comparison. A Map's get (hashing the number, then probing) was ~2 % of MT940
 * parsing, asked three times per usual ":86:".
 */
const DUTCH_BUCKETS = (() => {
  const packed = DUTCH_KEYS.map((key) => packKey(key, 0, key.length));
  let count = packed.length;
  while (new Set(packed.map((p) => p % count)).size < packed.length) count++;
  return count;
})();
const KEY_IN_BUCKET = new Int32Array(DUTCH_BUCKETS).fill(-1);
const SLOT_IN_BUCKET = new Int8Array(DUTCH_BUCKETS);
for (const key of DUTCH_KEYS) {
  const packed = packKey(key, 0, key.length);
  KEY_IN_BUCKET[packed % DUTCH_BUCKETS] = packed;
  SLOT_IN_BUCKET[packed % DUTCH_BUCKETS] = (USED_KEYS as readonly string[]).indexOf(key);
}

/** The slot of a packed key (-1: a key without one), or undefined when it packs no Dutch key (packKey's -1 included). */
function dutchSlot(packed: number): number | undefined {
  const bucket = packed % DUTCH_BUCKETS;
  return KEY_IN_BUCKET[bucket] === packed ? SLOT_IN_BUCKET[bucket] : undefined;
}
const [TRTP, IBAN, BIC, NAME, REMI, EREF, MARF, CSID, PREF, ISDT, CNTP] = USED_KEYS.map((_, i) => i) as [number, number, number, number, number, number, number, number, number, number, number];

/**
 * The next "/KEY/" at or after `from`, as DUTCH_KEY's exec with lastIndex = from finds it: its start
 * in `found[0]`, the key's slot in `found[1]`, the position after its closing slash as the result;
 * -1 when there is none. A match can only start at a slash, so the search hops from slash to slash.
 */
function nextKey(text: string, from: number, found: [number, number]): number {
  let slash = text.indexOf("/", from);
  while (slash >= 0) {
    const close = text.indexOf("/", slash + 1);
    if (close < 0) return -1;
    const slot = dutchSlot(packKey(text, slash + 1, close));
    if (slot !== undefined) {
      found[0] = slash;
      found[1] = slot;
      return close + 1;
    }
    slash = close;
  }
  return -1;
}

/**
 * "/KEY/value" pairs: the first non-empty value of each key, without trailing slashes, trimmed.
 * Read with indexOf and fixed slots instead of a global regex and a keyed object: this runs for every
 * Dutch-style ":86:" (same results as the regex loop; property test in character-codes.test.ts).
 */
function parseDutch(text: string): Information {
  const values: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  const found: [number, number] = [0, 0];
  let from = nextKey(text, 0, found);
  while (from >= 0) {
    const slot = found[1];
    const next = nextKey(text, from, found);
    if (slot >= 0 && values[slot] === undefined) {
      let end = next < 0 ? text.length : found[0];
      while (end > from && text.charCodeAt(end - 1) === 47 /* / */) end--;
      const value = text.slice(from, end).trim();
      if (value) values[slot] = value;
    }
    from = next;
  }
  return dutchInformation(values);
}

/** A printable ASCII character: not white space that trim would remove. */
const isPlain = (c: number): boolean => c > 32 && c < 127;

/**
 * parseInformation for the usual ":86:", one field of one line in the Dutch "/KEY/value" shape whose
 * values hold no slash, or undefined for anything else (which parseInformation then reads).
 *
 * Why: parseInformation was about a third of the usual entry's CPU time. Here the line is not joined,
 * trimmed or tested with the German and Dutch start regexes, and each value is found with one indexOf
 * (parseDutch's nextKey makes two per key and looks again behind every slash) and trimmed only when
 * it starts or ends with something trim could remove.
 *
 * Same result as parseInformation([[text]]): the text starts with "/", so it is not German and has
 * nothing to trim in front, and it starts with a Dutch key, so parseDutch reads it. When no value
 * holds a slash, every slash opens or closes a key, so the keys and values are those parseDutch's
 * search finds, with no trailing slashes to strip; white space that parseInformation trims off the
 * end is then part of the last value, which is trimmed anyway. A slash in a value shows here as a
 * following "key" that is not one, and returns undefined.
 *
 * The line may be read in place, text[start, to) (see HeldEntry in quick.ts): the line break after
 * it is neither a capital nor a slash, so a key is never read past its end.
 */
export function quickInformation(text: string, start = 0, to = text.length): Information | undefined {
  if (text.charCodeAt(start) !== 47 /* / */) return undefined;
  const values: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  let slash = start;
  while (slash < to) {
    // The key, packed as packKey does while its letters are read (at most 4), up to its closing slash.
    let close = slash + 1;
    let c = text.charCodeAt(close);
    let packed = 0;
    while (c >= 65 && c <= 90 && close < slash + 5) {
      packed = packed * 32 + (c - 64);
      c = text.charCodeAt(++close);
    }
    // A single letter packs to 1–26, which is no key's number.
    const slot = c === 47 /* / */ ? dutchSlot(packed) : undefined;
    if (slot === undefined) return undefined;
    const from = close + 1;
    let end = text.indexOf("/", from);
    if (end < 0 || end > to) end = to;
    if (slot >= 0 && values[slot] === undefined && end > from) {
      const raw = text.slice(from, end);
      const value = isPlain(text.charCodeAt(from)) && isPlain(text.charCodeAt(end - 1)) ? raw : raw.trim();
      if (value) values[slot] = value;
    }
    slash = end;
  }
  return dutchInformation(values);
}

/** The information from the Dutch values, by slot (see USED_KEYS). */
function dutchInformation(values: readonly (string | undefined)[]): Information {
  // ING writes the counterparty as one field: /CNTP/IBAN/BIC/NAME/CITY/.
  const cntp = values[CNTP];
  const cntpParts = cntp === undefined ? undefined : cntp.split("/");
  const remi = values[REMI];
  // Only a remittance starting with U or S can start with USTD/STRD: the regex (~2 % of parsing when
  // asked for every entry) is asked only then.
  const first = remi === undefined ? 0 : remi.charCodeAt(0);
  const remittance = remi === undefined ? "" : (first === 85 /* U */ || first === 83 /* S */) && USTD_STRD.test(remi) ? remi.replace(USTD_STRD, "").trim() : remi;
  const name = values[NAME] ?? cntpParts?.[2];
  const account = values[IBAN] ?? (cntpParts ? cntpParts[0] : "");
  const details: Record<string, string> = {};
  if (remittance) details.remittance = remittance;
  if (values[TRTP]) details.transactionType = values[TRTP];
  if (values[EREF]) details.endToEndId = values[EREF];
  if (values[MARF]) details.mandateId = values[MARF];
  if (values[CSID]) details.creditorId = values[CSID];
  if (values[PREF]) details.paymentReference = values[PREF];
  if (values[ISDT]) details.instructionDate = values[ISDT];
  const bic = values[BIC] ?? cntpParts?.[1];
  if (bic) details.counterpartyBic = bic;
  // Assignments in the order the spreads gave: a temporary object per optional field showed in profiles.
  const information = { description: remittance || name || "" } as Information;
  if (name) information.counterpartyName = name;
  if (account) information.counterpartyAccount = account;
  information.details = details;
  return information;
}

const USTD_STRD = /^(USTD|STRD)\/+/;

/** Dutch banks also write "REK: <iban>/NAAM: <name>" inside free text. */
function parseFreeText(text: string): Information {
  const account = /\bREK:\s*([A-Z]{2}\d{2}[A-Z0-9]{8,30}|\d{6,})/.exec(text)?.[1];
  const name = /\bNAAM:\s*(.+?)\s*$/.exec(text)?.[1];
  return {
    description: text,
    ...(name ? { counterpartyName: name } : {}),
    ...(account ? { counterpartyAccount: account } : {}),
    details: {},
  };
}
