import type {
  AnalyzeOptions,
  ReceiptAnalysis,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
} from '../ports/receipt-analyzer.js';
import { labelAddressLines } from './address.js';
import { labelDates, labelTimes } from './date-time.js';
import { labelFuelBlocks } from './fuel-block.js';
import { labelLineItems } from './line-items.js';
import { labelMerchantName } from './merchant.js';
import { judgeMetadata } from './metadata-verdict.js';
import { labelLoyaltyIds, labelPaymentMethods } from './payment.js';
import { labelPhoneNumbers } from './phone-numbers.js';
import { ProposalSet } from './proposal-set.js';
import { layoutReceipt } from './receipt-layout.js';
import { labelStoreHours } from './store-hours.js';
import { amountRoles } from './summary-lines.js';
import { labelTotals, totalsStart } from './totals.js';
import { labelWebsites } from './websites.js';

/**
 * Labels a receipt with patterns and keywords, without a model: deterministic and synchronous (about 2 ms per
 * receipt, so a deadline needs no handling; an abort is honoured before starting). Passes run from the most specific pattern to the
 * least, and a word labelled by one pass is not relabelled by a later one.
 */
export class OfflineReceiptAnalyzer implements ReceiptAnalyzer {
  readonly name = 'OFFLINE_ANALYZER';

  async analyze(input: ReceiptAnalysisInput, options: AnalyzeOptions = {}): Promise<ReceiptAnalysis> {
    options.signal?.throwIfAborted();
    const lines = layoutReceipt(input.words);
    const roles = amountRoles(lines);
    const itemsEnd = totalsStart(lines, roles);
    const proposals = new ProposalSet();

    const websites = labelWebsites(lines, proposals);
    labelStoreHours(lines, proposals);
    labelLoyaltyIds(lines, proposals);
    // Payment words are read only from the totals block on, so a product called "DISCOVER" is not a card.
    labelPaymentMethods(lines, proposals, itemsEnd < lines.length ? itemsEnd : 0);
    const phones = labelPhoneNumbers(lines, proposals);
    labelDates(lines, proposals);
    labelTimes(lines, proposals);
    const address = labelAddressLines(lines, proposals);
    const knownNames = input.metadata ? [input.metadata.merchantName] : [];
    const merchant = labelMerchantName(lines, proposals, knownNames);
    labelFuelBlocks(lines, roles, proposals);
    labelTotals(lines, roles, itemsEnd, proposals);
    labelLineItems(lines, roles, itemsEnd, proposals);

    const analysis: ReceiptAnalysis = { analyzer: this.name, proposals: proposals.proposals() };
    if (!input.metadata) return analysis;
    const verdict = judgeMetadata(input.metadata, {
      ...(merchant?.abovePlace && { merchantName: merchant.text }),
      phones,
      ...(address && { address }),
      lineTexts: lines.map((line) => line.text),
      websites,
    });
    return { ...analysis, metadata: verdict };
  }
}
