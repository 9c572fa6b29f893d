// Apart from item-page.ts, which loads the article reader: every poll asks this, a 304 too.
/** Whether a source's recorded error is a content_selector that matched nothing (not an `items:` selector's). */
export function isContentSelectorProblem(error: { code: string; message: string }): boolean {
  return error.code === 'selector_empty' && error.message.startsWith('content_selector ');
}
