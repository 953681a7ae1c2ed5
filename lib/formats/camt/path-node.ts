/**
 * An element at its place in the document (the qualified names from the document element down),
 * interned by the tokenizer: elements with the same path share one node, so the builder gets its
 * name, `<Name>`/`</Name>` and leaf keys without building a string or hashing a name per element.
 */

/** A hostile file could name endless distinct paths: past this many, new nodes are not kept. */
export const MAX_PATH_NODES = 10_000;

/**
 * Tags read in a row from an element of an entry up to a text, a Ccy value or the entry's end
 * (`</Amt><CdtDbtInd>`, `<Amt Ccy="`), and where they lead: the same tags read again from the same
 * element lead to the same element with the same effects, so the quick reader compares them in one
 * go. That holds for the detail a run starts or ends too: whether a detail is open at an element,
 * and at which depth, follows from the element's path below <Ntry> (a detail is the first
 * NtryDtls/TxDtls on it), so it is the same at every replay of a run from that element.
 */
export interface TagRun {
  /** The tags as written (built from the nodes' tags, so no piece of the file is kept). */
  readonly tags: string;
  readonly to: PathNode;
  /** Elements opened. */
  readonly opens: number;
  /** Whether the tags end inside an open tag, at a Ccy value. */
  readonly ccy: boolean;
  /** Where the <TxDtls> that starts a detail stands in `tags`, -1 when none; the position its line is taken at, and its depth. */
  readonly detailAt: number;
  readonly detailLineAt: number;
  readonly detailDepth: number;
  /** Whether the tags close the open detail (a run starts or ends at most one detail). */
  readonly closesDetail: boolean;
  /** Whether the tags end with the entry's close. */
  readonly ends: boolean;
}

export class PathNode {
  /** Children seen so far (most files have a handful per element), searched on character codes. */
  kids: PathNode[] | undefined;
  readonly local: string;
  readonly prefix: string;
  /** Where the first colon stands in the qualified name, -1 when none. */
  readonly colon: number;
  /** "<Name>" and "</Name>" (local name), for the entry's raw text. */
  readonly openTag: string;
  readonly closeTag: string;
  /** Leaf keys below the ancestor at depth d ("Acct/Id/IBAN"), built once; "@Ccy" ones apart. */
  private readonly relatives: (string | undefined)[] = [];
  private readonly ccyRelatives: (string | undefined)[] = [];
  /** Slot of each relative key in the entry field table (entry-fields.ts); -1 when not read, undefined when not looked up yet. */
  readonly slots: (number | undefined)[] = [];
  readonly ccySlots: (number | undefined)[] = [];
  /** Runs of tags the quick entry reader (quick.ts) read from this element before, to compare whole. */
  runs: TagRun[] | undefined;

  constructor(
    readonly qname: string,
    readonly parent: PathNode | undefined,
    /** The document element is at depth 1; the root of the tree (no element) at 0. */
    readonly depth: number,
  ) {
    const colon = qname.indexOf(":");
    this.colon = colon;
    this.local = colon < 0 ? qname : qname.slice(colon + 1);
    this.prefix = colon < 0 ? "" : qname.slice(0, colon);
    this.openTag = "<" + this.local + ">";
    this.closeTag = "</" + this.local + ">";
  }

  /** The local names below depth `from` down to this node joined with "/", then `suffix` ("" or "@Ccy"). */
  relative(from: number, suffix: "" | "@Ccy"): string {
    const cache = suffix === "" ? this.relatives : this.ccyRelatives;
    const known = cache[from];
    if (known !== undefined) return known;
    let path = this.local;
    for (let node = this.parent; node && node.depth > from; node = node.parent) path = node.local + "/" + path;
    // Flattened once here, so every later lookup hashes a flat string.
    const built = path + suffix;
    cache[from] = built;
    return built;
  }
}
