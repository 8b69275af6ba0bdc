/**
 * One review document per pull request (`npm run review`): review.ts computes it from the two
 * renderings of dist/, format.ts writes it as text, Markdown within a comment's size, or JSON.
 */
export { review } from './review';
export type { EnvironmentPlaceholders, EnvironmentValidation, Review, ReviewedEntry, ReviewInput } from './review';
export { recordedFindings } from './recorded-findings';
export type { RecordedEntry, RecordedFindings } from './recorded-findings';
export { summaryOf } from './summary';
export type { EnvironmentSummary } from './summary';
export { formatReviewJson, formatReviewMarkdown, formatReviewText, GITHUB_COMMENT_LIMIT, REVIEW_MARKER } from './format';
