export { FallbackReceiptAnalyzer } from './fallback-receipt-analyzer.js';
export { parseMoney } from './money.js';
export { OfflineReceiptAnalyzer } from './offline-receipt-analyzer.js';
export {
  comparisonTokens,
  levenshteinDistance,
  levenshteinRatio,
  phoneDigits,
  textSimilarity,
  tokenContainment,
  tokenSetSimilarity,
} from './similarity.js';
