/**
 * Character-code tests the hand-written scanners share (one definition each, instead of a copy per
 * parser): they take `charCodeAt` results, so NaN past the end of a string is neither.
 */

/** "0"–"9". */
export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** "A"–"Z". */
export function isCapital(code: number): boolean {
  return code >= 65 && code <= 90;
}
