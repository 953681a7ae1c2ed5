/**
 * The BAI2 type-code table. Whether an amount is a credit, a debit or a balance is decided here,
 * from the code alone, never from the record's text. Listed codes follow the BAI2 specification's
 * table (plus the real-time payment codes 158/159/458/459 that X9 added for BAI2 and BTRS in 2017);
 * codes the table leaves unassigned fall back to the class of their range.
 */

export type TypeCodeLevel = "status" | "summary" | "detail" | "unspecified";
/** `none`: a balance or information, no money moves. `unknown`: the range does not fix a direction. */
export type TypeCodeDirection = "credit" | "debit" | "none" | "unknown";
export type TypeCodeCategory =
  | "account_status"
  | "credit"
  | "debit"
  | "loan"
  | "non_monetary"
  | "customized_credit"
  | "customized_debit"
  | "unassigned";

export interface TypeCodeInfo {
  code: string;
  category: TypeCodeCategory;
  level: TypeCodeLevel;
  direction: TypeCodeDirection;
  /** True when the code itself is in the specification's table, false when only its range is. */
  listed: boolean;
}

function codes(list: string): ReadonlySet<string> {
  return new Set(list.trim().split(/\s+/));
}

const ACCOUNT_STATUS = codes(`
  010 011 012 015 020 021 022 024 025 030 037 039 040 041 042 043 044 045 050 051 054 055 056 057
  059 060 061 062 063 065 066 067 068 070 072 073 074 075 076 077 078 079 080 081 082 083 084 085 086`);

const CREDIT_SUMMARY = codes(`
  100 101 105 106 107 109 110 120 130 131 140 146 150 159 160 162 163 167 170 178 180 182 185 186 188 190
  200 205 207 210 215 230 231 239 245 250 251 256 260 270 271 280 285 294 302 303 304 305 307 309 310
  315 316 318 319 320 321 324 325 326 327 328 329 330 332 336 338 340 341 343 350 352 355 356 360 361
  370 385 389 390`);

const CREDIT_DETAIL = codes(`
  108 115 116 118 121 122 123 135 136 142 143 145 147 155 156 158 164 165 166 168 169 171 172 173 174 175
  176 184 187 189 191 195 196 198 201 202 206 208 212 213 214 216 218 221 222 224 226 227 229 232 233
  234 235 236 237 238 240 241 242 243 244 246 247 248 249 252 254 255 257 258 261 263 266 268 274 275
  276 277 278 281 286 295 301 306 308 331 342 344 345 346 347 348 349 351 353 354 357 358 359 362 363
  364 366 367 368 369 372 373 374 376 377 378 379 381 382 383 384 386 387 388 391 392 393 394 395 397
  398 399`);

const DEBIT_SUMMARY = codes(`
  400 401 403 405 406 410 412 416 420 430 446 450 459 463 465 467 470 471 478 480 482 486 490 500 505 507
  510 515 530 532 534 536 537 539 550 551 556 560 570 580 583 584 585 586 587 588 590 594 596 601 602
  610 611 612 613 614 615 617 618 621 623 625 626 628 630 632 640 646 650 655 665 670 685 689 690`);

const DEBIT_DETAIL = codes(`
  408 409 415 421 422 423 435 445 447 451 452 455 458 462 464 466 468 469 472 474 475 476 477 479 481 484
  485 487 489 491 493 495 496 498 501 502 506 508 512 513 514 516 518 522 524 526 527 529 531 533 535
  538 540 541 542 543 544 546 547 548 549 552 554 555 557 558 561 563 564 566 567 568 574 575 577 578
  581 595 597 616 622 627 629 631 633 634 641 644 651 654 656 657 658 659 661 662 663 664 666 667 668
  669 672 673 674 676 677 678 679 681 682 683 684 686 687 688 691 692 693 694 695 696 697 698 699`);

const LOAN_STATUS = codes("701 703 705 707 709");
const LOAN_CREDIT_SUMMARY = codes("720");
const LOAN_CREDIT_DETAIL = codes("721 722 723 724 725 726 727 728");
const LOAN_DEBIT_SUMMARY = codes("760");
const NON_MONETARY = codes("890");

function info(code: string, category: TypeCodeCategory, level: TypeCodeLevel, direction: TypeCodeDirection, listed: boolean): TypeCodeInfo {
  return { code, category, level, direction, listed };
}

function listedInfo(code: string): TypeCodeInfo | null {
  if (ACCOUNT_STATUS.has(code)) return info(code, "account_status", "status", "none", true);
  if (CREDIT_SUMMARY.has(code)) return info(code, "credit", "summary", "credit", true);
  if (CREDIT_DETAIL.has(code)) return info(code, "credit", "detail", "credit", true);
  if (DEBIT_SUMMARY.has(code)) return info(code, "debit", "summary", "debit", true);
  if (DEBIT_DETAIL.has(code)) return info(code, "debit", "detail", "debit", true);
  if (LOAN_STATUS.has(code)) return info(code, "loan", "status", "none", true);
  if (LOAN_CREDIT_SUMMARY.has(code)) return info(code, "loan", "summary", "credit", true);
  if (LOAN_CREDIT_DETAIL.has(code)) return info(code, "loan", "detail", "credit", true);
  if (LOAN_DEBIT_SUMMARY.has(code)) return info(code, "loan", "summary", "debit", true);
  if (NON_MONETARY.has(code)) return info(code, "non_monetary", "detail", "none", true);
  return null;
}

function rangeInfo(code: string, n: number): TypeCodeInfo {
  if (n <= 99) return info(code, "account_status", "status", "none", false);
  if (n <= 399) return info(code, "credit", "unspecified", "credit", false);
  if (n <= 699) return info(code, "debit", "unspecified", "debit", false);
  if (n <= 799) return info(code, "loan", "unspecified", "unknown", false);
  if (n <= 899) return info(code, "unassigned", "unspecified", "unknown", false);
  if (n <= 919) return info(code, "customized_credit", "unspecified", "credit", false);
  return info(code, "customized_debit", "unspecified", "debit", false);
}

/** Classifications already made, by code: at most 999 entries, and every 16 record asks. */
const CLASSIFIED = new Map<string, Readonly<TypeCodeInfo>>();

/** Classifies a three-digit type code; null when the text is not one (or is 000). */
export function classifyTypeCode(code: string): Readonly<TypeCodeInfo> | null {
  const known = CLASSIFIED.get(code);
  if (known) return known;
  if (!/^\d{3}$/.test(code) || code === "000") return null;
  const classified = Object.freeze(listedInfo(code) ?? rangeInfo(code, Number(code)));
  CLASSIFIED.set(code, classified);
  return classified;
}

/** Every code the specification lists, for tests and documentation. */
export function listedTypeCodes(): string[] {
  return [
    ACCOUNT_STATUS, CREDIT_SUMMARY, CREDIT_DETAIL, DEBIT_SUMMARY, DEBIT_DETAIL,
    LOAN_STATUS, LOAN_CREDIT_SUMMARY, LOAN_CREDIT_DETAIL, LOAN_DEBIT_SUMMARY, NON_MONETARY,
  ].flatMap((set) => [...set]).sort();
}
