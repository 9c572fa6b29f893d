/** The story stage's public API: canonical URLs, sketches, comparison, the window's index and assignment. */
export type { StoryText, StorySketch, StoryMember, StoryComparison, StoryOptions, StoryAssignment } from './types.js';
export { canonicalParams, canonicalUrl, stripTracking, TRACKING_PARAMS, OUTLETS, type CanonicalOptions } from './canonical-url.js';
export { sketchOf, encodeSketch, decodeSketch, SKETCH_VERSION } from './sketch.js';
export { compareSketches, DEFAULT_THRESHOLD } from './compare.js';
export { StoryIndex, type ClusterInfo } from './story-index.js';
export { assignStory, type StoryCandidateItem } from './assign.js';
export { numberKind, type NumberKind } from './numbers.js';
export { siteOf, isOwnLink } from './outlet.js';
