import { PexipCdktfError } from '../api/errors';

/**
 * The records that speak about a stack (Terraform state, its ledger in Pexip, the markers on objects) contradict each
 * other or cannot be read. Nothing was written; the message says which record says what and how to recover.
 */
export class RecordsError extends PexipCdktfError {}

/** A stack is bound to one Management Node and its connection settings reach another. */
export class NodeBindingError extends RecordsError {}

/** The stack's ledger cannot be read (edited by hand). */
export class LedgerDamagedError extends RecordsError {}

/** Error names (`--json` output) that mean "the records cannot be trusted", as opposed to "the node cannot be reached". */
export const RECORDS_ERRORS: readonly string[] = ['RecordsError', 'NodeBindingError', 'LedgerDamagedError'];
