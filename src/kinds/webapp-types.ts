/**
 * Web app types a path or branding may name, as Pexip's own provider lists them (webapp1 included: a real node took
 * it for a path). Which of them a node serves is its schema's `valid_choices`: reconcile and doctor check it there
 * before the first write, so a node without webapp1 refuses it with nothing written.
 */
export const WEBAPP_TYPES: readonly string[] = ['webapp1', 'webapp2', 'webapp3'];
