/**
 * Names a file's format from its first bytes (never from its file name): the encoding is sniffed,
 * the head decoded, and every registered module asked how sure it is. The surest wins; on a tie the
 * module registered first (the more specific one) wins.
 */
import type { FormatName, TextEncoding } from "@/lib/schemas/canonical";
import { formats } from "./index";
import { createDecoder, sniffEncoding } from "./shared/text";
import type { FormatModule } from "./types";

/** How much of the file the sniffers see. */
export const SNIFF_BYTES = 64 * 1024;

export interface FormatCandidate {
  format: FormatName;
  confidence: number;
}

export interface Detection {
  /** null when no module recognises the content at all. */
  format: FormatName | null;
  confidence: number;
  encoding: TextEncoding;
  /** Every other module that claimed the content, surest first. */
  alternatives: FormatCandidate[];
}

function safeSniff(module: FormatModule, head: string, bytes: Uint8Array): number {
  try {
    const confidence = module.sniff(head, bytes);
    return Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
  } catch {
    // A sniffer is only asked an opinion; one that fails on odd input has none.
    return 0;
  }
}

export function detectAmong(bytes: Uint8Array, modules: Iterable<FormatModule>): Detection {
  const sample = bytes.subarray(0, SNIFF_BYTES);
  const encoding = sniffEncoding(sample);
  const head = createDecoder(encoding).decode(sample);
  const candidates: FormatCandidate[] = [];
  for (const module of modules) {
    const confidence = safeSniff(module, head, sample);
    if (confidence > 0) candidates.push({ format: module.name, confidence });
  }
  // Array.prototype.sort is stable: equal confidences keep registration order.
  candidates.sort((a, b) => b.confidence - a.confidence);
  const [best, ...alternatives] = candidates;
  return best ? { format: best.format, confidence: best.confidence, encoding, alternatives } : { format: null, confidence: 0, encoding, alternatives: [] };
}

export function detectFormat(bytes: Uint8Array): Detection {
  return detectAmong(bytes, Object.values(formats));
}
