/**
 * The W3C Feed Validation Service's rules (errors and warnings) that apply to what warta publishes, re-stated
 * as checks over a parsed document. Each check names the feedvalidator module it comes from
 * (github.com/w3c/feedvalidator, src/feedvalidator/). JSON Feed has no validator there: those checks follow
 * https://jsonfeed.org/version/1.1. Every function returns a list of problems; [] means clean. One module per format under rules/.
 */
export { checkHtml, checkPlainText, checkRfc3339, checkRfc822, type Expected } from './rules/common.js';
export { checkAtom } from './rules/atom.js';
export { checkJsonFeed } from './rules/json-feed.js';
export { checkOpml } from './rules/opml.js';
export { checkRss } from './rules/rss.js';
