/**
 * An entry (<Ntry>) or transaction detail (<TxDtls>) as the entry reader needs it: only the leaf
 * paths entry.ts and totals.ts read, in fixed slots (F.Amt, F.RltdPties_Dbtr_Nm, ...), plus the
 * entry's raw text. The statement header, balances and group header keep the generic Scope (a Map
 * of every leaf): they come once per statement, entries hundreds of thousands of times per file.
 * Every leaf still counts towards the size bound, kept or not, exactly as Scope counts it.
 */
import type { PathNode } from "./path-node";
import { SubtreeText } from "./scope";

/** The leaf paths read from entries and details (below <Ntry> or <TxDtls>); exported for the tests. */
export const PATHS = [
  "Amt", "Amt@Ccy", "CdtDbtInd", "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm", "AcctSvcrRef", "AddtlNtryInf",
  "NtryDtls/Btch/PmtInfId", "NtryDtls/Btch/NbOfTxs", "NtryRef", "Sts", "Sts/Cd", "Sts/Prtry", "RvslInd",
  "AmtDtls/InstdAmt/Amt", "AmtDtls/InstdAmt/Amt@Ccy", "AmtDtls/TxAmt/Amt", "AmtDtls/TxAmt/Amt@Ccy",
  "AmtDtls/InstdAmt/CcyXchg/XchgRate", "AmtDtls/TxAmt/CcyXchg/XchgRate", "AmtDtls/CntrValAmt/CcyXchg/XchgRate",
  "BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd", "BkTxCd/Prtry/Cd",
  "Refs/EndToEndId", "Refs/InstrId", "Refs/AcctSvcrRef", "Refs/MsgId", "Refs/PmtInfId", "Refs/TxId", "Refs/MndtId", "Refs/ChqNb",
  "RltdPties/Cdtr/Nm", "RltdPties/Cdtr/Pty/Nm", "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm",
  "RltdPties/CdtrAcct/Id/IBAN", "RltdPties/CdtrAcct/Id/Othr/Id", "RltdPties/DbtrAcct/Id/IBAN", "RltdPties/DbtrAcct/Id/Othr/Id",
  "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm", "RltdPties/UltmtCdtr/Nm", "RltdPties/UltmtCdtr/Pty/Nm",
  "RltdAgts/CdtrAgt/FinInstnId/BIC", "RltdAgts/CdtrAgt/FinInstnId/BICFI", "RltdAgts/DbtrAgt/FinInstnId/BIC", "RltdAgts/DbtrAgt/FinInstnId/BICFI",
  "RmtInf/Ustrd", "RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf",
] as const;

type FieldName<P extends string> = P extends `${infer A}/${infer B}` ? `${A}_${FieldName<B>}` : P extends `${infer A}@${infer B}` ? `${A}_${B}` : P;

/** Slot numbers by path, "/" and "@" written "_": F.RltdPties_Dbtr_Nm, F.Amt_Ccy. */
export const F = Object.fromEntries(PATHS.map((path, slot) => [path.replace(/[/@]/g, "_"), slot])) as { readonly [P in (typeof PATHS)[number] as FieldName<P>]: number };

const SLOT_OF: ReadonlyMap<string, number> = new Map(PATHS.map((path, slot) => [path, slot]));
/** Paths read with all() (every occurrence): the rest keep their first value only. */
const MULTIPLE = new Set<number>([F.AddtlNtryInf, F.RmtInf_Ustrd]);
const NO_VALUES: readonly string[] = [];

/** A table of slots (1 = in it) for EntryFields.onlyIn. */
export function slotTable(...slots: number[]): Uint8Array {
  const table = new Uint8Array(PATHS.length);
  for (const slot of slots) table[slot] = 1;
  return table;
}

export class EntryFields extends SubtreeText {
  private readonly values: (string | undefined)[] = new Array<string | undefined>(PATHS.length).fill(undefined);
  /**
   * The slots holding a value, the first `usedCount` of `used`: reset clears only those (an entry
   * fills about ten of the 56), and onlyIn looks only at those.
   */
  private readonly used: number[] = [];
  private usedCount = 0;
  /** Later values of the MULTIPLE paths, by slot. */
  private more: Map<number, string[]> | undefined;
  depth = 0;
  line = 1;
  protected what = "";

  /**
   * Emptied for the next entry or detail: the builder reuses one per open entry and detail (they
   * are read to the end before the next one starts, and what they hand on is strings).
   */
  reset(depth: number, line: number, what: string): this {
    this.depth = depth;
    this.line = line;
    this.what = what;
    const values = this.values;
    const used = this.used;
    for (let i = 0; i < this.usedCount; i++) values[used[i]!] = undefined;
    this.usedCount = 0;
    this.more = undefined;
    this.chars = 0;
    this.raw = "";
    if (this.detailOffsets.length > 0) this.detailOffsets.length = 0;
    return this;
  }

  /** The leaf `node` below this subtree with its trimmed, non-empty text (or its Ccy attribute). */
  leaf(node: PathNode, suffix: "" | "@Ccy", value: string): void {
    const slots = suffix === "" ? node.slots : node.ccySlots;
    const from = this.depth;
    let slot = slots[from];
    if (slot === undefined) {
      slot = SLOT_OF.get(node.relative(from, suffix)) ?? -1;
      slots[from] = slot;
    }
    // Counted as Scope counts it: the key and the value, whether kept or not.
    this.grow(node.relative(from, suffix).length + value.length);
    if (slot < 0) return;
    if (this.values[slot] === undefined) {
      this.values[slot] = value;
      this.used[this.usedCount++] = slot;
    } else if (MULTIPLE.has(slot)) {
      const more = (this.more ??= new Map());
      const list = more.get(slot);
      if (list) list.push(value);
      else more.set(slot, [value]);
    }
  }

  /** Whether leaf(node, suffix, value) keeps this subtree within the size bound. */
  fitsLeaf(node: PathNode, suffix: "" | "@Ccy", value: string): boolean {
    return this.fits(node.relative(this.depth, suffix).length + value.length);
  }

  /** Whether every slot holding a value is in `allowed` (see slotTable) and none holds more than one value. */
  onlyIn(allowed: Uint8Array): boolean {
    if (this.more !== undefined) return false;
    const used = this.used;
    for (let i = 0; i < this.usedCount; i++) if (allowed[used[i]!] !== 1) return false;
    return true;
  }

  /** The first value of the first slot that has one, in the order given. */
  first(a: number, b?: number, c?: number): string | undefined {
    const values = this.values;
    const value = values[a];
    if (value !== undefined || b === undefined) return value;
    const second = values[b];
    if (second !== undefined || c === undefined) return second;
    return values[c];
  }

  all(slot: number): readonly string[] {
    const value = this.values[slot];
    if (value === undefined) return NO_VALUES;
    const more = this.more?.get(slot);
    return more ? [value, ...more] : [value];
  }
}
